// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the cached route of a stream.
 *
 * Readers (the packet path, under RCU) take their own reference on the
 * cached dst and check it is still valid, as the socket route cache does;
 * a route the kernel has since invalidated reads as a miss. Writers (also
 * the packet path, on a miss) publish a new entry and free the one it
 * replaced after a grace period, reference included, so a reader that
 * still holds the old entry finds its dst alive.
 */

#include <linux/slab.h>
#include <net/ip6_fib.h>

#include "route.h"

/**
 * struct kmedia_route - one cached route
 * @dst: the route (referenced)
 * @cookie: what validates an IPv6 route (0 for IPv4)
 * @saddr4: the source address the lookup chose, IPv4
 * @saddr6: the same, IPv6
 * @rcu: frees the entry once readers are done with it
 */
struct kmedia_route {
	struct dst_entry *dst;
	u32 cookie;
	union {
		__be32 saddr4;
		struct in6_addr saddr6;
	};
	struct rcu_head rcu;
};

static void kmedia_route_free(struct kmedia_route *r)
{
	dst_release(r->dst);
	kfree(r);
}

static void kmedia_route_free_rcu(struct rcu_head *head)
{
	kmedia_route_free(container_of(head, struct kmedia_route, rcu));
}

/* The current entry with a reference on its dst, or NULL. */
static struct kmedia_route *kmedia_route_get(struct kmedia_route_cache *rc)
{
	struct kmedia_route *r = rcu_dereference(rc->route);
	struct dst_entry *dst;

	if (!r)
		return NULL;
	dst = r->dst;
	if (unlikely(READ_ONCE(dst->obsolete)) && !dst->ops->check(dst, r->cookie))
		return NULL;
	if (unlikely(!dst_hold_safe(dst)))
		return NULL;
	return r;
}

struct dst_entry *kmedia_route_get4(struct kmedia_route_cache *rc,
				    __be32 *saddr)
{
	struct kmedia_route *r = kmedia_route_get(rc);

	if (!r)
		return NULL;
	*saddr = r->saddr4;
	return r->dst;
}

struct dst_entry *kmedia_route_get6(struct kmedia_route_cache *rc,
				    struct in6_addr *saddr)
{
	struct kmedia_route *r = kmedia_route_get(rc);

	if (!r)
		return NULL;
	*saddr = r->saddr6;
	return r->dst;
}

/* Publish @r, which holds its own reference on its dst. */
static void kmedia_route_publish(struct kmedia_route_cache *rc,
				 struct kmedia_route *r)
{
	struct kmedia_route *old;

	old = unrcu_pointer(xchg(&rc->route, RCU_INITIALIZER(r)));
	if (old)
		call_rcu(&old->rcu, kmedia_route_free_rcu);
}

/*
 * A new entry holding its own reference on @dst; its source address is the
 * caller's to fill. Without memory for one the packet still goes out; the
 * next one looks its route up again.
 */
static struct kmedia_route *kmedia_route_new(struct dst_entry *dst, u32 cookie)
{
	struct kmedia_route *r = kmalloc(sizeof(*r), GFP_ATOMIC);

	if (r) {
		dst_hold(dst);
		r->dst = dst;
		r->cookie = cookie;
	}
	return r;
}

void kmedia_route_set4(struct kmedia_route_cache *rc, struct dst_entry *dst,
		       __be32 saddr)
{
	struct kmedia_route *r = kmedia_route_new(dst, 0);

	if (!r)
		return;
	r->saddr4 = saddr;
	kmedia_route_publish(rc, r);
}

void kmedia_route_set6(struct kmedia_route_cache *rc, struct dst_entry *dst,
		       const struct in6_addr *saddr)
{
	struct rt6_info *rt = container_of(dst, struct rt6_info, dst);
	struct kmedia_route *r = kmedia_route_new(dst, rt6_get_cookie(rt));

	if (!r)
		return;
	r->saddr6 = *saddr;
	kmedia_route_publish(rc, r);
}

/* After a grace period: no reader can hold the entry any more. */
void kmedia_route_cache_destroy(struct kmedia_route_cache *rc)
{
	struct kmedia_route *r = rcu_dereference_protected(rc->route, true);

	if (r)
		kmedia_route_free(r);
}
