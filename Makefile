# SPDX-License-Identifier: GPL-2.0-or-later
#
# kmedia top-level Makefile.
#
#   make            module (kmod/kmedia.ko) + libkmedia + kmedia CLI + kmediad
#   make deps       install what the project needs from Debian (idempotent)
#   make check      host tests, checkpatch, then every in-VM suite on both kernels
#   make demo       the main job, in a VM
#   make install    install everything on this host (DESTDIR, PREFIX honoured)
#
# KVER=release or KDIR=/path/to/build select the kernel for the module;
# the default is the newest /lib/modules/*/build present.

KVER ?= $(shell ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||;s|/build||' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell cat VERSION)
KERNELS ?= 6.1 6.12

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man

export VERSION PREFIX LIBDIR INCLUDEDIR

.PHONY: all module module-for userspace userlib tools daemon deps check demo \
	install install-module install-userspace clean dkms-install checkpatch

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Build the module for KVER in build/$(KVER), a shadow copy of the module's
# sources, so that builds for several kernels never overwrite each other.
KMOD_SOURCES := Kbuild VERSION $(wildcard kmod/*.c kmod/*.h) kmod/Kbuild \
	include/uapi/linux/kmedia.h
module-for:
	@mkdir -p build/$(KVER)
	@cp -p --parents $(KMOD_SOURCES) build/$(KVER)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/build/$(KVER) W=1 modules

userspace: userlib tools daemon

userlib:
	$(MAKE) -C userlib

tools daemon: userlib
	$(MAKE) -C $@

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userlib clean
	$(MAKE) -C tools clean
	$(MAKE) -C daemon clean
	$(MAKE) -C tests clean
	rm -rf build
