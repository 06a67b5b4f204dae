/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: the one place that knows how the kernels we build for differ
 * (Debian's 6.1 and 6.12). Kbuild probes the kernel's headers and defines
 * KMEDIA_HAVE_* for what it found; code elsewhere never tests versions.
 */
#ifndef _KMEDIA_COMPAT_H
#define _KMEDIA_COMPAT_H

#include <net/genetlink.h>

/* 6.6 moved a dump's parsed attributes into an embedded genl_info. */
static inline struct nlattr **kmedia_dump_attrs(struct netlink_callback *cb)
{
#ifdef KMEDIA_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _KMEDIA_COMPAT_H */
