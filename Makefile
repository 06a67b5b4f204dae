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

export VERSION PREFIX LIBDIR INCLUDEDIR SBINDIR MANDIR

.PHONY: all module module-for userspace userlib tools daemon tests deps check \
	demo install install-module install-userspace clean dkms-install

all: module userspace

# Every target needs the project's Debian packages; NO_DEPS=1 skips the
# check (production hosts that installed only the build dependencies).
ifeq ($(NO_DEPS),)
DEPS := deps
endif

deps:
	@scripts/install-deps

module: $(DEPS)
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Build the module for KVER in build/$(KVER), a shadow copy of the module's
# sources, so that builds for several kernels never overwrite each other.
KMOD_SOURCES = $(shell scripts/module-sources)
MODULE_BUILD_DIR ?= build/$(KVER)
module-for: $(DEPS)
	@mkdir -p $(MODULE_BUILD_DIR)
	@cp -p --parents $(KMOD_SOURCES) $(MODULE_BUILD_DIR)/
	$(MAKE) -C $(KDIR) M=$(abspath $(MODULE_BUILD_DIR)) W=1 modules

userspace: userlib tools daemon

userlib: $(DEPS)
	$(MAKE) -C userlib

tests: userlib
	$(MAKE) -C tests

# The README's test command: host tests, checkpatch, every in-VM suite on
# each kernel of KERNELS, the negative control and dkms builds. The
# benchmark's programs are built too, so a change that breaks them shows.
check: userspace tests bench-programs
	KERNELS="$(KERNELS)" tests/check

# The README's main job, in a VM on the newest kernel series.
DEMO_KERNEL ?= 6.12
demo: userspace tests
	tests/vm/run --kernel $(DEMO_KERNEL) -- scripts/demo

tools daemon: userlib
	$(MAKE) -C $@

install: install-module install-userspace

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	depmod -a $(KVER)

install-userspace: userspace
	$(MAKE) -C userlib install
	$(MAKE) -C tools install
	$(MAKE) -C daemon install

# Register the module with DKMS so it is rebuilt for every new kernel.
dkms-install:
	rm -rf /usr/src/kmedia-$(VERSION)
	mkdir -p /usr/src/kmedia-$(VERSION)
	scripts/module-sources | xargs cp -p --parents -t /usr/src/kmedia-$(VERSION)
	dkms add -m kmedia -v $(VERSION) || true
	dkms install -m kmedia -v $(VERSION) -k $(KVER)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C userlib clean
	$(MAKE) -C tools clean
	$(MAKE) -C daemon clean
	$(MAKE) -C tests clean
	$(MAKE) -C bench clean
	rm -rf build

# The benchmark (bench/): one VM boot on BENCH_KERNEL, a table on stdout and
# build/bench/results.json. BENCH_QUICK=1 runs a short version.
BENCH_KERNEL ?= 6.12
.PHONY: bench bench-programs
bench-programs: userlib
	$(MAKE) -C bench

bench: bench-programs
	BENCH_KERNEL=$(BENCH_KERNEL) bench/bench
