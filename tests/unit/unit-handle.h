/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For host unit tests: a libkmedia handle on a bound generic netlink
 * socket that talks to family_id (the controller, GENL_ID_CTRL, or a made
 * up number for tests that never send), without resolving the kmedia
 * family, which the host does not have.
 */
#ifndef KMT_UNIT_HANDLE_H
#define KMT_UNIT_HANDLE_H

#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "../../userlib/internal.h"

static inline bool kmt_unit_open(struct kmedia_handle *h, uint16_t family_id)
{
	memset(h, 0, sizeof(*h));
	h->family_id = family_id;
	h->seq = 1000;
	/* Zeroed, as kmedia_handle_open() does: see there. */
	h->buf = calloc(1, MNL_SOCKET_BUFFER_SIZE);
	if (!h->buf)
		return false;
	h->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!h->nl || mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (h->nl)
			mnl_socket_close(h->nl);
		free(h->buf);
		return false;
	}
	h->portid = mnl_socket_get_portid(h->nl);
	return true;
}

static inline void kmt_unit_close(struct kmedia_handle *h)
{
	mnl_socket_close(h->nl);
	free(h->buf);
}

#endif /* KMT_UNIT_HANDLE_H */
