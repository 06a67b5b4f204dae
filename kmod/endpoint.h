/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: UDP endpoints (address + port) as streams keep and compare them.
 */
#ifndef _KMEDIA_ENDPOINT_H
#define _KMEDIA_ENDPOINT_H

#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <net/ipv6.h>

/**
 * struct kmedia_endpoint - an IPv4 or IPv6 address and a UDP port
 * @addr4: the address when @family is AF_INET
 * @addr6: the address when @family is AF_INET6
 * @port: UDP port, network order
 * @family: AF_INET or AF_INET6 (0: unset)
 */
struct kmedia_endpoint {
	union {
		__be32 addr4;
		struct in6_addr addr6;
	};
	__be16 port;
	u8 family;
};

static inline bool kmedia_endpoint_equal(const struct kmedia_endpoint *a,
					 const struct kmedia_endpoint *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return a->addr4 == b->addr4;
	return ipv6_addr_equal(&a->addr6, &b->addr6);
}

/* The wildcard address (a socket bound to every local address). */
static inline bool kmedia_endpoint_any(const struct kmedia_endpoint *e)
{
	if (e->family == AF_INET)
		return e->addr4 == htonl(INADDR_ANY);
	return ipv6_addr_any(&e->addr6);
}

#endif /* _KMEDIA_ENDPOINT_H */
