// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsrtp: SRTP stream requests, raw replies and events over the UAPI (see
 * kmsrtp.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "../../userlib/internal.h"
#include "kmsrtp.h"

/* ---- suites ---- */

static const struct kmt_srtp_suite_info
kmt_suites[KMEDIA_SRTP_SUITE_MAX + 1] = {
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80] = {
		"AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, true, false },
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32] = {
		"AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, true, false },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80] = {
		"AES_192_CM_HMAC_SHA1_80", 24, 14, 10, 10, true, false },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32] = {
		"AES_192_CM_HMAC_SHA1_32", 24, 14, 4, 10, true, false },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80] = {
		"AES_256_CM_HMAC_SHA1_80", 32, 14, 10, 10, true, false },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32] = {
		"AES_256_CM_HMAC_SHA1_32", 32, 14, 4, 10, true, false },
	[KMEDIA_SRTP_AEAD_AES_128_GCM] = {
		"AEAD_AES_128_GCM", 16, 12, 16, 16, true, true },
	[KMEDIA_SRTP_AEAD_AES_256_GCM] = {
		"AEAD_AES_256_GCM", 32, 12, 16, 16, true, true },
	[KMEDIA_SRTP_NULL_HMAC_SHA1_80] = {
		"NULL_HMAC_SHA1_80", 16, 14, 10, 10, false, false },
	[KMEDIA_SRTP_NULL_HMAC_SHA1_32] = {
		"NULL_HMAC_SHA1_32", 16, 14, 4, 10, false, false },
	[KMEDIA_SRTP_F8_128_HMAC_SHA1_80] = {
		"F8_128_HMAC_SHA1_80", 16, 14, 10, 10, true, false },
};

const struct kmt_srtp_suite_info *kmt_srtp_suite(uint32_t suite)
{
	if (suite == KMEDIA_SRTP_NONE || suite > KMEDIA_SRTP_SUITE_MAX)
		return NULL;
	return &kmt_suites[suite];
}

const char *kmt_srtp_suite_name(uint32_t suite)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(suite);

	if (suite == KMEDIA_SRTP_NONE)
		return "NONE";
	return info ? info->name : "(unknown suite)";
}

/* ---- parameters ---- */

void kmt_srtp_init(struct kmt_srtp *p, uint32_t suite, uint32_t seed)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(suite);

	memset(p, 0, sizeof(*p));
	p->suite = suite;
	p->key_len = info ? info->key_len : 16;
	p->salt_len = info ? info->salt_len : 14;
	kmt_fill_random(p->key, p->key_len, 0x6b657900 ^ seed * 2654435761u);
	kmt_fill_random(p->salt, p->salt_len, 0x73616c74 ^ seed * 2246822519u);
}

void kmt_srtp_none(struct kmt_srtp *p)
{
	memset(p, 0, sizeof(*p));
	p->suite = KMEDIA_SRTP_NONE;
	p->omit = 1u << KMEDIA_SRTP_A_MASTER_KEY |
		  1u << KMEDIA_SRTP_A_MASTER_SALT;
}

void kmt_srtp_set_mki(struct kmt_srtp *p, const void *mki, size_t len)
{
	if (len > sizeof(p->mki))
		len = sizeof(p->mki);
	memcpy(p->mki, mki, len);
	p->mki_len = len;
}

void kmt_srtp_set_roc(struct kmt_srtp *p, uint32_t ssrc, uint32_t roc)
{
	p->has_ssrc = true;
	p->ssrc = ssrc;
	p->has_roc = true;
	p->roc = roc;
}

void kmt_srtp_set_window(struct kmt_srtp *p, uint32_t window)
{
	p->has_window = true;
	p->window = window;
}

size_t kmt_srtp_overhead(const struct kmt_srtp *p, bool rtcp)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);

	if (!info)
		return 0;
	return p->mki_len + (rtcp ? 4 + info->rtcp_tag : info->rtp_tag);
}

/* ---- requests ---- */

static bool kmt_srtp_put_ok(const struct kmt_srtp *p, enum kmedia_srtp_attr a)
{
	return !(p->omit & (1u << a));
}

static void kmt_srtp_put(struct nlmsghdr *nlh, uint16_t type,
			 const struct kmt_srtp *p)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (kmt_srtp_put_ok(p, KMEDIA_SRTP_A_SUITE))
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, p->suite);
	if (kmt_srtp_put_ok(p, KMEDIA_SRTP_A_MASTER_KEY))
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_KEY, p->key_len, p->key);
	if (kmt_srtp_put_ok(p, KMEDIA_SRTP_A_MASTER_SALT))
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_SALT, p->salt_len,
			     p->salt);
	if (p->mki_len && kmt_srtp_put_ok(p, KMEDIA_SRTP_A_MKI))
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MKI, p->mki_len, p->mki);
	if (p->has_kdr && kmt_srtp_put_ok(p, KMEDIA_SRTP_A_KDR))
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_KDR, p->kdr);
	if (p->has_ssrc && kmt_srtp_put_ok(p, KMEDIA_SRTP_A_SSRC))
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SSRC, p->ssrc);
	if (p->has_roc && kmt_srtp_put_ok(p, KMEDIA_SRTP_A_ROC))
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_ROC, p->roc);
	if (p->has_window && kmt_srtp_put_ok(p, KMEDIA_SRTP_A_REPLAY_WINDOW))
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_REPLAY_WINDOW, p->window);
	if (p->has_srtcp_index)
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SRTCP_INDEX,
				 p->srtcp_index);
	mnl_attr_nest_end(nlh, nest);
}

static void kmt_addr_nest(struct nlmsghdr *nlh, uint16_t type,
			  const struct kmt_addr *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (a->sa.sa_family == AF_INET6) {
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV6, 16, &a->sin6.sin6_addr);
		mnl_attr_put_u16(nlh, KMEDIA_ADDR_A_PORT, a->sin6.sin6_port);
	} else {
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, 4, &a->sin.sin_addr);
		mnl_attr_put_u16(nlh, KMEDIA_ADDR_A_PORT, a->sin.sin_port);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int kmt_srtp_id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kmt_srtp_info *info = data;

	return kmt_srtp_info_parse(nlh, info);
}

int kmt_srtp_stream_new(struct kmedia_handle *h,
			const struct kmt_srtp_stream *req, uint32_t *idp)
{
	struct kmt_srtp_info *info;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int ret;

	info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_NEW, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, req->sock_in);
	if (req->kind != KMEDIA_KIND_RTP)
		mnl_attr_put_u8(nlh, KMEDIA_STREAM_A_KIND, req->kind);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, req->sock_out);
	kmt_addr_nest(nlh, KMEDIA_STREAM_A_DST, &req->dst);
	if (req->cookie)
		mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, req->cookie);
	if (req->in)
		kmt_srtp_put(nlh, KMEDIA_STREAM_A_SRTP_IN, req->in);
	if (req->out)
		kmt_srtp_put(nlh, KMEDIA_STREAM_A_SRTP_OUT, req->out);
	mnl_attr_nest_end(nlh, nest);

	ret = kmd_request(h, nlh, kmt_srtp_id_cb, info);
	if (!ret && !info->id)
		ret = -EBADMSG;
	if (!ret && idp)
		*idp = info->id;
	free(info);
	return ret;
}

int kmt_srtp_stream_change(struct kmedia_handle *h, uint32_t id,
			   const struct kmt_addr *dst,
			   const struct kmt_srtp *in,
			   const struct kmt_srtp *out)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_CHANGE, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	if (dst)
		kmt_addr_nest(nlh, KMEDIA_STREAM_A_DST, dst);
	if (in)
		kmt_srtp_put(nlh, KMEDIA_STREAM_A_SRTP_IN, in);
	if (out)
		kmt_srtp_put(nlh, KMEDIA_STREAM_A_SRTP_OUT, out);
	mnl_attr_nest_end(nlh, nest);
	return kmd_request(h, nlh, NULL, NULL);
}

int kmt_stream_srtp(struct kmedia_handle *h, uint32_t id,
		    enum kmt_srtp_dir dir, const struct kmt_srtp *p)
{
	return kmt_srtp_stream_change(h, id, NULL,
				      dir == KMT_SRTP_IN ? p : NULL,
				      dir == KMT_SRTP_OUT ? p : NULL);
}

/* ---- replies ---- */

static int kmt_srtp_report_cb(const struct nlattr *attr, void *data)
{
	struct kmt_srtp_report *r = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint32_t *u32 = NULL;

	if (type < 32)
		r->attrs |= 1u << type;
	switch (type) {
	case KMEDIA_SRTP_A_SUITE:
		u32 = &r->suite;
		break;
	case KMEDIA_SRTP_A_SSRC:
		u32 = &r->ssrc;
		break;
	case KMEDIA_SRTP_A_ROC:
		u32 = &r->roc;
		break;
	case KMEDIA_SRTP_A_REPLAY_WINDOW:
		u32 = &r->window;
		break;
	case KMEDIA_SRTP_A_SRTCP_INDEX:
		u32 = &r->srtcp_index;
		break;
	case KMEDIA_SRTP_A_KDR:
		u32 = &r->kdr;
		break;
	case KMEDIA_SRTP_A_MKI:
		r->mki_len = mnl_attr_get_payload_len(attr);
		if (r->mki_len > sizeof(r->mki))
			r->mki_len = sizeof(r->mki);
		memcpy(r->mki, mnl_attr_get_payload(attr), r->mki_len);
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*u32 = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int kmt_srtp_stats_cb(const struct nlattr *attr, void *data)
{
	struct kmt_srtp_info *info = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (type > KMEDIA_STATS_A_MAX || type == KMEDIA_STATS_A_PAD)
		return MNL_CB_OK;
	if (len == 8)
		info->stats[type] = mnl_attr_get_u64(attr);
	else if (len == 4)
		info->stats[type] = mnl_attr_get_u32(attr);
	else
		return MNL_CB_ERROR;
	info->stats_present |= UINT64_C(1) << type;
	return MNL_CB_OK;
}

static int kmt_srtp_stream_cb(const struct nlattr *attr, void *data)
{
	struct kmt_srtp_info *info = data;
	struct kmt_srtp_report *r;

	switch (mnl_attr_get_type(attr)) {
	case KMEDIA_STREAM_A_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->id = mnl_attr_get_u32(attr);
		return MNL_CB_OK;
	case KMEDIA_STREAM_A_COOKIE:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		info->cookie = mnl_attr_get_u64(attr);
		return MNL_CB_OK;
	case KMEDIA_STREAM_A_STATS:
		info->has_stats = true;
		return mnl_attr_parse_nested(attr, kmt_srtp_stats_cb, info);
	case KMEDIA_STREAM_A_SRTP_IN:
		r = &info->in;
		break;
	case KMEDIA_STREAM_A_SRTP_OUT:
		r = &info->out;
		break;
	default:
		return MNL_CB_OK;
	}
	r->present = true;
	return mnl_attr_parse_nested(attr, kmt_srtp_report_cb, r);
}

static int kmt_srtp_top_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != KMEDIA_A_STREAM)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(attr, kmt_srtp_stream_cb, data);
}

int kmt_srtp_info_parse(const struct nlmsghdr *nlh, struct kmt_srtp_info *info)
{
	memset(info, 0, sizeof(*info));
	info->raw_len = nlh->nlmsg_len < sizeof(info->raw) ?
			nlh->nlmsg_len : sizeof(info->raw);
	memcpy(info->raw, nlh, info->raw_len);
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, kmt_srtp_top_cb, info) !=
	    MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

int kmt_srtp_stream_get(struct kmedia_handle *h, uint32_t id,
			struct kmt_srtp_info *info)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int ret;

	memset(info, 0, sizeof(*info));
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_GET, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
	ret = kmd_request(h, nlh, kmt_srtp_id_cb, info);
	if (!ret && info->id != id)
		ret = -EBADMSG;
	return ret;
}

struct kmt_srtp_dump_ctx {
	kmt_srtp_dump_cb cb;
	void *data;
	struct kmt_srtp_info *info;
};

static int kmt_srtp_dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kmt_srtp_dump_ctx *ctx = data;
	int ret;

	ret = kmt_srtp_info_parse(nlh, ctx->info);
	if (ret)
		return ret;
	return ctx->cb(ctx->info, ctx->data);
}

int kmt_srtp_stream_dump(struct kmedia_handle *h, kmt_srtp_dump_cb cb,
			 void *data)
{
	struct kmt_srtp_dump_ctx ctx = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	int ret;

	ctx.info = calloc(1, sizeof(*ctx.info));
	if (!ctx.info)
		return -ENOMEM;
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_GET, NLM_F_DUMP);
	ret = kmd_request(h, nlh, kmt_srtp_dump_msg_cb, &ctx);
	free(ctx.info);
	return ret;
}

int kmt_srtp_stats(struct kmedia_handle *h, uint32_t id, uint64_t *stats)
{
	struct kmt_srtp_info *info = calloc(1, sizeof(*info));
	int ret;

	if (!info)
		return -ENOMEM;
	ret = kmt_srtp_stream_get(h, id, info);
	if (!ret && !info->has_stats)
		ret = -ENODATA;
	if (!ret)
		memcpy(stats, info->stats, sizeof(info->stats));
	free(info);
	return ret;
}

int kmt_srtp_wait_stat(struct kmedia_handle *h, uint32_t id,
		       enum kmedia_stats_attr attr, uint64_t want,
		       int timeout_ms, uint64_t *val)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	uint64_t stats[KMEDIA_STATS_A_MAX + 1];
	int ret;

	for (;;) {
		ret = kmt_srtp_stats(h, id, stats);
		if (ret)
			return ret;
		*val = stats[attr];
		if (*val >= want)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(10);
	}
}

/* ---- events ---- */

int kmt_srtp_events_open(struct kmt_srtp_events **ep)
{
	struct kmt_srtp_events *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = kmt_handle(&e->h);
	if (!ret) {
		ret = kmedia_handle_subscribe(e->h);
		if (ret)
			kmedia_handle_close(e->h);
	}
	if (ret) {
		free(e);
		return ret;
	}
	*ep = e;
	return 0;
}

void kmt_srtp_events_close(struct kmt_srtp_events *e)
{
	if (!e)
		return;
	kmedia_handle_close(e->h);
	free(e);
}

static void kmt_srtp_event_add(struct kmt_srtp_events *e,
			       const struct nlmsghdr *nlh)
{
	struct kmt_srtp_info *info;
	struct kmt_srtp_event *ev;
	const struct nlattr *top, *attr;

	if (e->n >= KMT_SRTP_EVENTS_MAX) {
		e->overflow++;
		return;
	}
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
	ev->at_ms = kmt_now_ms();
	ev->raw_len = nlh->nlmsg_len < sizeof(ev->raw) ?
		      nlh->nlmsg_len : sizeof(ev->raw);
	memcpy(ev->raw, nlh, ev->raw_len);
	info = calloc(1, sizeof(*info));
	if (info && !kmt_srtp_info_parse(nlh, info)) {
		ev->id = info->id;
		ev->cookie = info->cookie;
	}
	free(info);
	/* COOKIE and SRTP_FAILURES presence, read directly */
	mnl_attr_for_each(top, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(top) != KMEDIA_A_STREAM)
			continue;
		mnl_attr_for_each_nested(attr, top) {
			switch (mnl_attr_get_type(attr)) {
			case KMEDIA_STREAM_A_COOKIE:
				ev->has_cookie = true;
				break;
			case KMEDIA_STREAM_A_SRTP_FAILURES:
				if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
					break;
				ev->has_failures = true;
				ev->failures = mnl_attr_get_u32(attr);
				break;
			}
		}
	}
}

static void kmt_srtp_events_dispatch(struct kmt_srtp_events *e,
				     const void *buf, size_t len)
{
	uint16_t family = kmedia_handle_family_id(e->h);
	const struct nlmsghdr *nlh = buf;
	int left = len;

	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_type == family &&
		    mnl_nlmsg_get_payload_len(nlh) >= GENL_HDRLEN) {
			const struct genlmsghdr *genl =
				mnl_nlmsg_get_payload(nlh);

			if (genl->cmd == KMEDIA_CMD_STREAM_SRTP_FAIL_NTF)
				kmt_srtp_event_add(e, nlh);
			else
				e->other++;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
}

int kmt_srtp_events_read(struct kmt_srtp_events *e, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = { .fd = kmedia_handle_fd(e->h), .events = POLLIN };
	ssize_t len;
	int ret;

	for (;;) {
		int64_t left = (int64_t)(deadline - kmt_now_ms());

		ret = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		while (ret > 0) {
			len = kmd_recv(e->h, MSG_DONTWAIT);
			if (len == -EAGAIN || len == -EINTR)
				break;
			if (len < 0) {
				if (!e->err)
					e->err = len;
				return len;
			}
			if (len)
				kmt_srtp_events_dispatch(e, e->h->buf, len);
		}
		if (left <= 0)
			return 0;
	}
}

unsigned int kmt_srtp_events_count(const struct kmt_srtp_events *e,
				   uint32_t id)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->n; i++)
		if (id == KMT_ANY || e->ev[i].id == id)
			n++;
	return n;
}

const struct kmt_srtp_event *
kmt_srtp_events_get(const struct kmt_srtp_events *e, uint32_t id,
		    unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < e->n; i++) {
		if (id != KMT_ANY && e->ev[i].id != id)
			continue;
		if (!nth--)
			return &e->ev[i];
	}
	return NULL;
}

int kmt_srtp_events_wait(struct kmt_srtp_events *e, uint32_t id,
			 unsigned int count, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		if (kmt_srtp_events_count(e, id) >= count)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		ret = kmt_srtp_events_read(e, 20);
		if (ret)
			return ret;
	}
}

/* ---- packets ---- */

static void kmt_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void kmt_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

size_t kmt_srtp_rtp_packet(uint8_t *buf, size_t cap, unsigned int i,
			   uint16_t seq0, uint32_t ssrc)
{
	static const uint16_t sizes[] = {
		0, 1, 13, 160, 1200, 17, 320, 999, 2, 64, 3, 511,
	};
	size_t plen = sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
	unsigned int cc = i % 5 == 3 ? 2 : (i % 11 == 7 ? 15 : 0);
	bool ext = i % 3 == 2;
	size_t pad = i % 8 == 6 ? 4 : 0;
	size_t off = KMT_RTP_HLEN, k;

	if (cap < KMT_RTP_HLEN + 4 * cc + (ext ? 16 : 0) + plen + pad)
		return 0;
	buf[0] = 0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | cc;
	buf[1] = (i % 7 == 0 ? 0x80 : 0) | (i % 2 ? 96 : 0);
	kmt_be16(buf + 2, (uint16_t)(seq0 + i));
	kmt_be32(buf + 4, i * 160);
	kmt_be32(buf + 8, ssrc);
	for (k = 0; k < cc; k++, off += 4)
		kmt_be32(buf + off, 0xc5c00000 + k);
	if (ext) {
		/* RFC 8285 one-byte header extension, 3 words */
		static const uint8_t words[12] = {
			0x10, 0xaa, 0x21, 0xbb, 0xcc, 0x00, 0x00, 0x00,
			0x32, 0x01, 0x02, 0x03,
		};

		buf[off++] = 0xbe;
		buf[off++] = 0xde;
		kmt_be16(buf + off, 3);
		off += 2;
		memcpy(buf + off, words, sizeof(words));
		off += sizeof(words);
	}
	kmt_fill_random(buf + off, plen, ssrc ^ (seq0 + i) * 40503u);
	off += plen;
	if (pad) {
		memset(buf + off, 0, pad - 1);
		buf[off + pad - 1] = pad;
		off += pad;
	}
	return off;
}

size_t kmt_srtp_rtcp_packet(uint8_t *buf, size_t cap, unsigned int i,
			    uint32_t ssrc)
{
	static const char cname[] = "alice@kmedia.test";
	size_t len, sdes, chunk;

	if (i % 2) {
		/* RR with one report block */
		if (cap < 32)
			return 0;
		memset(buf, 0, 32);
		buf[0] = 0x81;
		buf[1] = 201;
		kmt_be16(buf + 2, 32 / 4 - 1);
		kmt_be32(buf + 4, ssrc);
		kmt_be32(buf + 8, 0x0b0b0b0b);		/* reportee */
		kmt_be32(buf + 12, 0x01000002);		/* lost */
		kmt_be32(buf + 16, 0x00010000 + i);	/* highest seq */
		kmt_be32(buf + 20, 17);			/* jitter */
		kmt_be32(buf + 24, 0x12345678);		/* LSR */
		kmt_be32(buf + 28, 0x9abc);		/* DLSR */
		return 32;
	}
	/* SR without report blocks, then SDES with one CNAME chunk */
	/* SSRC, type, length, text, end of list */
	chunk = 4 + 2 + strlen(cname) + 1;
	chunk = (chunk + 3) & ~(size_t)3;
	sdes = 4 + chunk;
	len = 28 + sdes;
	if (cap < len)
		return 0;
	memset(buf, 0, len);
	buf[0] = 0x80;
	buf[1] = 200;
	kmt_be16(buf + 2, 28 / 4 - 1);
	kmt_be32(buf + 4, ssrc);
	kmt_be32(buf + 8, 0xe5a1b2c3);
	kmt_be32(buf + 12, 0x10000000u * (i % 16));
	kmt_be32(buf + 16, 160 * i);
	kmt_be32(buf + 20, i);
	kmt_be32(buf + 24, 160 * i);
	buf[28] = 0x81;
	buf[29] = 202;
	kmt_be16(buf + 30, sdes / 4 - 1);
	kmt_be32(buf + 32, ssrc);
	buf[36] = 1;				/* CNAME */
	buf[37] = strlen(cname);
	memcpy(buf + 38, cname, strlen(cname));
	return len;
}

size_t kmt_srtp_mki_offset(const struct kmt_srtp *p, bool rtcp, size_t len)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);
	size_t tail;

	if (!info)
		return 0;
	tail = p->mki_len;
	if (!info->aead)
		tail += rtcp ? info->rtcp_tag : info->rtp_tag;
	return len >= tail ? len - tail : 0;
}

size_t kmt_srtcp_index_offset(const struct kmt_srtp *p, size_t len)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);
	size_t tail;

	if (!info)
		return 0;
	/* RFC 3711 3.4: ... E||index, MKI, tag. RFC 7714 9: the AEAD tag
	 * is part of the ciphertext, before E||index.
	 */
	tail = 4 + p->mki_len + (info->aead ? 0 : info->rtcp_tag);
	return len >= 8 + tail ? len - tail : 0;
}

uint32_t kmt_srtcp_index_word(const struct kmt_srtp *p, const uint8_t *buf,
			      size_t len)
{
	size_t off = kmt_srtcp_index_offset(p, len);

	if (!off)
		return 0;
	return (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
	       (uint32_t)buf[off + 2] << 8 | buf[off + 3];
}
