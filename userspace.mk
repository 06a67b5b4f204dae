# SPDX-License-Identifier: GPL-2.0-or-later
# Flags shared by every userspace part (userlib/, tools/, daemon/, tests/).
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VERSION ?= $(shell cat $(TOP)/VERSION)
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -D_GNU_SOURCE \
	-DKMEDIA_VERSION='"$(VERSION)"' \
	-I$(TOP)/include/uapi -I$(TOP)/userlib/include
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl)
# libkmedia's base64 (SDES keys), key generation and wiping; whatever links
# libkmedia.a links these too.
SODIUM_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsodium)
SODIUM_LIBS := $(shell $(PKG_CONFIG) --libs libsodium)
LIBKMEDIA_A := $(TOP)/userlib/libkmedia.a
