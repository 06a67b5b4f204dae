/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmedia internals: the transport (handle.c) and the message codecs of
 * each object. The codecs work on plain buffers so host unit tests can
 * check them without a kernel.
 */
#ifndef LIBKMEDIA_INTERNAL_H
#define LIBKMEDIA_INTERNAL_H

#include <stddef.h>
#include <libmnl/libmnl.h>
#include <libkmedia/libkmedia.h>

#define KMD_HIDDEN __attribute__((visibility("hidden")))

#define KMD_EXTACK_MAX 256

/* Receive callback: one reply message of a request. */
typedef int (*kmd_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct kmedia_handle {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t events_group;
	char extack[KMD_EXTACK_MAX];
	char *buf;		/* MNL_SOCKET_BUFFER_SIZE bytes */
};

struct kmedia_netns {
	uint32_t present;	/* bit per enum kmedia_netns_attr */
	uint32_t u32[KMEDIA_NETNS_A_MAX + 1];
	char version[32];
};

struct kmedia_stream {
	uint64_t present;	/* bit per enum kmedia_stream_attr */
	uint32_t id;
};

/* handle.c */
KMD_HIDDEN struct nlmsghdr *kmd_msg_start(struct kmedia_handle *h, void *buf,
					  uint8_t cmd, uint16_t flags);
KMD_HIDDEN int kmd_request(struct kmedia_handle *h, struct nlmsghdr *nlh,
			   kmd_msg_cb cb, void *data);
KMD_HIDDEN int kmd_parse_error(const struct nlmsghdr *nlh, char *extack,
			       size_t len);

/* netns.c */
KMD_HIDDEN int kmd_netns_parse(const struct nlmsghdr *nlh,
			       struct kmedia_netns *netns);

/* stream.c */
KMD_HIDDEN int kmd_stream_parse(const struct nlmsghdr *nlh,
				struct kmedia_stream *stream);

#endif /* LIBKMEDIA_INTERNAL_H */
