// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: UDP endpoints, carried as a nest of enum kmedia_addr_attr:
 * IPV4 (4 bytes) or IPV6 (16 bytes), and PORT, all in network order.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "internal.h"

/*
 * Copy an AF_INET or AF_INET6 address given by a caller. The length must
 * cover the family's structure; what is kept is exactly that structure.
 */
int kmd_addr_copy(struct sockaddr_storage *ss, socklen_t *lenp,
		  const struct sockaddr *addr, socklen_t len)
{
	socklen_t need;

	if (!addr)
		return -EINVAL;
	if (len < sizeof(sa_family_t))
		return -EAFNOSUPPORT;
	switch (addr->sa_family) {
	case AF_INET:
		need = sizeof(struct sockaddr_in);
		break;
	case AF_INET6:
		need = sizeof(struct sockaddr_in6);
		break;
	default:
		return -EAFNOSUPPORT;
	}
	if (len < need)
		return -EAFNOSUPPORT;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, addr, need);
	*lenp = need;
	return 0;
}

/*
 * Only the address and port travel: the UAPI has no room for an IPv6
 * scope or flow label.
 */
void kmd_addr_put(struct nlmsghdr *nlh, uint16_t type,
		  const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, type);
	if (ss->ss_family == AF_INET) {
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, sizeof(sin->sin_addr),
			     &sin->sin_addr);
		mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(sin->sin_port),
			     &sin->sin_port);
	} else {
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV6, sizeof(sin6->sin6_addr),
			     &sin6->sin6_addr);
		mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(sin6->sin6_port),
			     &sin6->sin6_port);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= KMEDIA_ADDR_A_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * Decode an endpoint nest. Exactly one of IPV4 and IPV6, and PORT, must be
 * there with their exact sizes; anything else is -EBADMSG.
 */
int kmd_addr_parse(const struct nlattr *nest, struct sockaddr_storage *ss,
		   socklen_t *lenp)
{
	const struct nlattr *tb[KMEDIA_ADDR_A_MAX + 1] = { NULL };
	const struct nlattr *ip4, *ip6, *port;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	if (mnl_attr_parse_nested(nest, addr_attr_cb, tb) != MNL_CB_OK)
		return -EBADMSG;
	ip4 = tb[KMEDIA_ADDR_A_IPV4];
	ip6 = tb[KMEDIA_ADDR_A_IPV6];
	port = tb[KMEDIA_ADDR_A_PORT];
	if (!port || !ip4 == !ip6)
		return -EBADMSG;
	if (mnl_attr_validate(port, MNL_TYPE_U16) < 0)
		return -EBADMSG;

	memset(ss, 0, sizeof(*ss));
	if (ip4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (mnl_attr_validate2(ip4, MNL_TYPE_BINARY,
				       sizeof(sin->sin_addr)) < 0)
			return -EBADMSG;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, mnl_attr_get_payload(ip4),
		       sizeof(sin->sin_addr));
		memcpy(&sin->sin_port, mnl_attr_get_payload(port),
		       sizeof(sin->sin_port));
		*lenp = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (mnl_attr_validate2(ip6, MNL_TYPE_BINARY,
				       sizeof(sin6->sin6_addr)) < 0)
			return -EBADMSG;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, mnl_attr_get_payload(ip6),
		       sizeof(sin6->sin6_addr));
		memcpy(&sin6->sin6_port, mnl_attr_get_payload(port),
		       sizeof(sin6->sin6_port));
		*lenp = sizeof(*sin6);
	}
	return 0;
}
