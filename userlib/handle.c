// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia transport: the netlink socket, family resolution through the
 * generic netlink controller, and request/reply with extended ACKs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct nlmsghdr *kmd_msg_start(struct kmedia_handle *h, void *buf,
			       uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = h->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++h->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KMEDIA_GENL_VERSION;
	return nlh;
}

struct extack_ctx {
	char *msg;
	size_t len;
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct extack_ctx *ctx = data;
	size_t n;

	if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	n = strnlen(mnl_attr_get_str(attr), ctx->len - 1);
	memcpy(ctx->msg, mnl_attr_get_str(attr), n);
	ctx->msg[n] = '\0';
	return MNL_CB_OK;
}

/*
 * Decode an NLMSG_ERROR or NLMSG_DONE message: returns its (negative or
 * zero) error code and copies the kernel's explanation, if any, to extack.
 */
int kmd_parse_error(const struct nlmsghdr *nlh, char *extack, size_t len)
{
	struct extack_ctx ctx = { .msg = extack, .len = len };
	unsigned int offset;
	int error;

	if (len)
		extack[0] = '\0';
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(int));
		offset = sizeof(int);
	} else {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
			return -EBADMSG;
		error = err->error;
		offset = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (len && (nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    offset <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, offset, extack_attr_cb, &ctx);
	return error > 0 ? -error : error;
}

/*
 * Read one datagram into h->buf. Returns its length; 0 for a datagram that
 * did not come from the kernel (any process may send to our port id: such
 * datagrams are dropped, never parsed); -EMSGSIZE if it did not fit; or
 * -errno of recvmsg() (-EAGAIN with MSG_DONTWAIT, -ENOBUFS on overrun).
 */
ssize_t kmd_recv(struct kmedia_handle *h, int flags)
{
	struct sockaddr_nl addr;
	struct iovec iov = {
		.iov_base = h->buf,
		.iov_len = MNL_SOCKET_BUFFER_SIZE,
	};
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t len;

	len = recvmsg(mnl_socket_get_fd(h->nl), &msg, flags);
	if (len < 0)
		return -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (msg.msg_namelen != sizeof(addr) || addr.nl_family != AF_NETLINK ||
	    addr.nl_pid != 0)
		return 0;
	return len;
}

struct request_ctx {
	struct kmedia_handle *h;
	kmd_msg_cb cb;
	void *data;
	uint32_t seq;
	int error;
	bool interrupted;
};

static int request_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request_ctx *ctx = data;
	int ret;

	/* libmnl lets sequence 0 through: multicast events on a subscribed
	 * handle are not replies to this request.
	 */
	if (nlh->nlmsg_seq != ctx->seq)
		return MNL_CB_OK;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->interrupted = true;
	/* After the callback stopped, the rest of a dump is still read (and
	 * dropped) so that the next request on this handle starts clean.
	 */
	if (!ctx->cb || ctx->error)
		return MNL_CB_OK;
	ret = ctx->cb(nlh, ctx->data);
	if (ret)
		ctx->error = ret;
	return MNL_CB_OK;
}

static int request_status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request_ctx *ctx = data;
	int error;

	error = kmd_parse_error(nlh, ctx->h->extack, sizeof(ctx->h->extack));
	if (error && !ctx->error)
		ctx->error = error;
	return MNL_CB_STOP;
}

static mnl_cb_t request_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = request_status_cb,
	[NLMSG_DONE] = request_status_cb,
};

/*
 * Send one request and feed every reply message to cb until the kernel's
 * ACK or NLMSG_DONE. Returns 0, the callback's non-zero value, -EINTR when
 * a dump changed under us (the caller may retry), or -errno.
 */
int kmd_request(struct kmedia_handle *h, struct nlmsghdr *nlh, kmd_msg_cb cb,
		void *data)
{
	struct request_ctx ctx = {
		.h = h, .cb = cb, .data = data, .seq = nlh->nlmsg_seq,
	};
	ssize_t len;
	int ret;

	h->extack[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		len = kmd_recv(h, 0);
		if (len < 0)
			return len;
		if (!len)
			continue;
		ret = mnl_cb_run2(h->buf, len, ctx.seq, h->portid,
				  request_data_cb, &ctx, request_ctl_cb,
				  NLMSG_MIN_TYPE);
		if (ret <= 0)
			break;
	}

	if (ctx.error)
		return ctx.error;
	if (ret < 0)
		return -errno;
	return ctx.interrupted ? -EINTR : 0;
}

static int family_group_cb(const struct nlattr *group, void *data)
{
	struct kmedia_handle *h = data;
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, group) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type <= CTRL_ATTR_MCAST_GRP_MAX)
			tb[type] = (struct nlattr *)attr;
	}
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
		return MNL_CB_OK;
	if (mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) ||
	    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32))
		return MNL_CB_OK;
	if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
		    KMEDIA_MCGRP_EVENTS))
		h->events_group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_handle *h = data;
	const struct nlattr *group;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			h->family_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			h->family_version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(group, attr)
			family_group_cb(group, h);
		break;
	}
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return 0;
}

static int resolve_family(struct kmedia_handle *h)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	nlh = mnl_nlmsg_put_header(h->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++h->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KMEDIA_GENL_NAME);

	return kmd_request(h, nlh, family_msg_cb, h);
}

int kmedia_handle_open(struct kmedia_handle **handlep)
{
	struct kmedia_handle *h;
	int one = 1;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	/* Zeroed: libmnl 1.0.4 does not clear attribute padding, which
	 * would otherwise go to the kernel uninitialised (valgrind).
	 */
	h->buf = calloc(1, MNL_SOCKET_BUFFER_SIZE);
	if (!h->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	h->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!h->nl) {
		err = -errno;
		goto err_free;
	}
	/* Both are best effort: old kernels lack them, errors still arrive. */
	mnl_socket_setsockopt(h->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(h->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto err_close;
	}
	h->portid = mnl_socket_get_portid(h->nl);
	h->seq = (uint32_t)time(NULL);

	err = resolve_family(h);
	if (err)
		goto err_close;
	if (!h->family_id) {
		err = -ENOENT;
		goto err_close;
	}
	*handlep = h;
	return 0;

err_close:
	mnl_socket_close(h->nl);
err_free:
	free(h->buf);
	free(h);
	return err;
}

void kmedia_handle_close(struct kmedia_handle *h)
{
	if (!h)
		return;
	mnl_socket_close(h->nl);
	free(h->buf);
	free(h);
}

uint16_t kmedia_handle_family_id(const struct kmedia_handle *h)
{
	return h->family_id;
}

uint32_t kmedia_handle_family_version(const struct kmedia_handle *h)
{
	return h->family_version;
}

uint32_t kmedia_handle_events_group(const struct kmedia_handle *h)
{
	return h->events_group;
}

const char *kmedia_handle_extack(const struct kmedia_handle *h)
{
	return h->extack[0] ? h->extack : NULL;
}

int kmedia_handle_fd(const struct kmedia_handle *h)
{
	return mnl_socket_get_fd(h->nl);
}

/*
 * Join the "events" multicast group. The kernel checks CAP_NET_ADMIN in the
 * user namespace owning the handle's network namespace (-EPERM).
 */
int kmedia_handle_subscribe(struct kmedia_handle *h)
{
	int group = h->events_group, one = 1;

	if (!group)
		return -ENOENT;
	/* The kernel learns of our overruns only if we ask: then it counts
	 * them in the namespace (EVENTS_LOST), where operators look.
	 */
	if (mnl_socket_setsockopt(h->nl, NETLINK_BROADCAST_ERROR, &one,
				  sizeof(one)) < 0)
		return -errno;
	if (mnl_socket_setsockopt(h->nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

const char *kmedia_library_version(void)
{
	return KMEDIA_VERSION;
}
