// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: UDP sockets handed to the module by file descriptor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "internal.h"

void kmedia_sock_free(struct kmedia_sock *sock)
{
	free(sock);
}

bool kmedia_sock_has(const struct kmedia_sock *sock, enum kmedia_sock_attr attr)
{
	return attr <= KMEDIA_SOCK_A_MAX && (sock->present & (1u << attr));
}

uint32_t kmedia_sock_get_id(const struct kmedia_sock *sock)
{
	return kmedia_sock_has(sock, KMEDIA_SOCK_A_ID) ? sock->id : 0;
}

const struct sockaddr *kmedia_sock_get_local(const struct kmedia_sock *sock,
					     socklen_t *lenp)
{
	bool has = kmedia_sock_has(sock, KMEDIA_SOCK_A_LOCAL);

	if (lenp)
		*lenp = has ? sock->local_len : 0;
	return has ? (const struct sockaddr *)&sock->local : NULL;
}

uint32_t kmedia_sock_get_streams(const struct kmedia_sock *sock)
{
	return kmedia_sock_has(sock, KMEDIA_SOCK_A_STREAMS) ? sock->streams : 0;
}

bool kmedia_sock_has_stat(const struct kmedia_sock *sock,
			  enum kmedia_sock_stats_attr attr)
{
	return kmd_stats_has(&sock->stats, attr);
}

uint64_t kmedia_sock_get_stat(const struct kmedia_sock *sock,
			      enum kmedia_sock_stats_attr attr)
{
	return kmd_stats_get(&sock->stats, attr);
}

/* Requests: a KMEDIA_A_SOCK nest naming the socket; none for a dump. */

struct nlmsghdr *kmd_sock_attach_msg(struct kmedia_handle *h, void *buf,
				     uint32_t fd)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, buf, KMEDIA_CMD_SOCK_ATTACH, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_A_FD, fd);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* KMEDIA_CMD_SOCK_DETACH or KMEDIA_CMD_SOCK_GET of socket id. */
struct nlmsghdr *kmd_sock_id_msg(struct kmedia_handle *h, void *buf,
				 uint8_t cmd, uint32_t id)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, buf, cmd, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

struct nlmsghdr *kmd_sock_dump_msg(struct kmedia_handle *h, void *buf)
{
	return kmd_msg_start(h, buf, KMEDIA_CMD_SOCK_GET, NLM_F_DUMP);
}

/* Replies */

static int sock_attr_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_sock *sock = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case KMEDIA_SOCK_A_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		sock->id = mnl_attr_get_u32(attr);
		break;
	case KMEDIA_SOCK_A_STREAMS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		sock->streams = mnl_attr_get_u32(attr);
		break;
	case KMEDIA_SOCK_A_LOCAL:
		if (kmd_addr_parse(attr, &sock->local, &sock->local_len) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_SOCK_A_STATS:
		if (kmd_sock_stats_parse(attr, &sock->stats) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		/* FD only travels in requests; newer attributes are skipped. */
		return MNL_CB_OK;
	}
	sock->present |= 1u << type;
	return MNL_CB_OK;
}

struct sock_top_ctx {
	struct kmedia_sock *sock;
	bool found;
};

static int sock_top_cb(const struct nlattr *attr, void *data)
{
	struct sock_top_ctx *ctx = data;

	if (mnl_attr_get_type(attr) != KMEDIA_A_SOCK)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	ctx->found = true;
	return mnl_attr_parse_nested(attr, sock_attr_cb, ctx->sock);
}

/*
 * Decode a message carrying one socket (a reply to attach or get, or one
 * part of a dump) into *sock, which is cleared first. -EBADMSG if the
 * message is malformed or has no KMEDIA_A_SOCK.
 */
int kmd_sock_parse(const struct nlmsghdr *nlh, struct kmedia_sock *sock)
{
	struct sock_top_ctx ctx = { .sock = sock };

	memset(sock, 0, sizeof(*sock));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, sock_top_cb, &ctx) != MNL_CB_OK)
		return -EBADMSG;
	return ctx.found ? 0 : -EBADMSG;
}

struct sock_reply_ctx {
	struct kmedia_sock *sock;
	bool found;
};

static int sock_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sock_reply_ctx *ctx = data;
	int err;

	err = kmd_sock_parse(nlh, ctx->sock);
	if (err)
		return err;
	ctx->found = true;
	return 0;
}

int kmedia_sock_attach(struct kmedia_handle *h, int fd, uint32_t *idp)
{
	struct kmedia_sock sock;
	struct sock_reply_ctx ctx = { .sock = &sock };
	struct nlmsghdr *nlh;
	int err;

	if (fd < 0)
		return -EBADF;
	nlh = kmd_sock_attach_msg(h, h->buf, fd);
	err = kmd_request(h, nlh, sock_reply_cb, &ctx);
	if (err)
		return err;
	if (!ctx.found || !kmedia_sock_has(&sock, KMEDIA_SOCK_A_ID))
		return -EBADMSG;
	if (idp)
		*idp = sock.id;
	return 0;
}

int kmedia_sock_detach(struct kmedia_handle *h, uint32_t id)
{
	struct nlmsghdr *nlh;

	nlh = kmd_sock_id_msg(h, h->buf, KMEDIA_CMD_SOCK_DETACH, id);
	return kmd_request(h, nlh, NULL, NULL);
}

int kmedia_sock_get(struct kmedia_handle *h, uint32_t id,
		    struct kmedia_sock **sockp)
{
	struct sock_reply_ctx ctx;
	struct nlmsghdr *nlh;
	int err;

	ctx.sock = malloc(sizeof(*ctx.sock));
	if (!ctx.sock)
		return -ENOMEM;
	ctx.found = false;
	nlh = kmd_sock_id_msg(h, h->buf, KMEDIA_CMD_SOCK_GET, id);
	err = kmd_request(h, nlh, sock_reply_cb, &ctx);
	if (!err && !ctx.found)
		err = -EBADMSG;
	if (err) {
		free(ctx.sock);
		return err;
	}
	*sockp = ctx.sock;
	return 0;
}

struct sock_dump_ctx {
	kmedia_sock_cb cb;
	void *data;
	struct kmedia_sock sock;
};

static int sock_dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sock_dump_ctx *ctx = data;
	int err;

	err = kmd_sock_parse(nlh, &ctx->sock);
	if (err)
		return err;
	return ctx->cb(&ctx->sock, ctx->data);
}

int kmedia_sock_dump(struct kmedia_handle *h, kmedia_sock_cb cb, void *data)
{
	struct sock_dump_ctx ctx = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;

	if (!cb)
		return -EINVAL;
	nlh = kmd_sock_dump_msg(h, h->buf);
	return kmd_request(h, nlh, sock_dump_msg_cb, &ctx);
}
