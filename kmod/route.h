/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: the route a stream sends on, cached with the source address the
 * lookup chose.
 */
#ifndef _KMEDIA_ROUTE_H
#define _KMEDIA_ROUTE_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/dst.h>

struct kmedia_route;

/**
 * struct kmedia_route_cache - one cached route, shared by every CPU
 * @route: the current entry (RCU), NULL until the first packet
 *
 * A stream's packets are one flow, handled on one CPU at a time in
 * practice, so one entry serves them all; per-CPU entries (the kernel's
 * dst_cache) would cost memory on every CPU and a per-CPU allocation per
 * stream. The packet path fills it on a miss; an entry is replaced whole.
 */
struct kmedia_route_cache {
	struct kmedia_route __rcu *route;
};

struct dst_entry *kmedia_route_get4(struct kmedia_route_cache *rc,
				    __be32 *saddr);
struct dst_entry *kmedia_route_get6(struct kmedia_route_cache *rc,
				    struct in6_addr *saddr);
void kmedia_route_set4(struct kmedia_route_cache *rc, struct dst_entry *dst,
		       __be32 saddr);
void kmedia_route_set6(struct kmedia_route_cache *rc, struct dst_entry *dst,
		       const struct in6_addr *saddr);
void kmedia_route_cache_destroy(struct kmedia_route_cache *rc);

#endif /* _KMEDIA_ROUTE_H */
