// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: streams, one direction of one media flow each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <sodium.h>

#include "internal.h"

struct kmedia_stream *kmedia_stream_alloc(void)
{
	return calloc(1, sizeof(struct kmedia_stream));
}

/* The object may hold SRTP keys: wipe it all. */
void kmedia_stream_free(struct kmedia_stream *stream)
{
	if (!stream)
		return;
	sodium_memzero(stream, sizeof(*stream));
	free(stream);
}

bool kmedia_stream_has(const struct kmedia_stream *stream,
		       enum kmedia_stream_attr attr)
{
	return attr <= KMEDIA_STREAM_A_MAX && (stream->present & KMD_BIT(attr));
}

void kmedia_stream_unset(struct kmedia_stream *stream,
			 enum kmedia_stream_attr attr)
{
	if (attr > KMEDIA_STREAM_A_MAX)
		return;
	stream->present &= ~KMD_BIT(attr);
	switch (attr) {
	case KMEDIA_STREAM_A_COOKIE:
		stream->cookie = 0;
		break;
	case KMEDIA_STREAM_A_DST:
		memset(&stream->dst, 0, sizeof(stream->dst));
		stream->dst_len = 0;
		break;
	case KMEDIA_STREAM_A_SRC:
		memset(&stream->src, 0, sizeof(stream->src));
		stream->src_len = 0;
		break;
	case KMEDIA_STREAM_A_PT_ALLOW:
		memset(stream->pt_allow, 0, sizeof(stream->pt_allow));
		break;
	case KMEDIA_STREAM_A_STATS:
		memset(&stream->stats, 0, sizeof(stream->stats));
		break;
	case KMEDIA_STREAM_A_SRTP_IN:
		kmd_srtp_wipe(&stream->srtp_in);
		break;
	case KMEDIA_STREAM_A_SRTP_OUT:
		kmd_srtp_wipe(&stream->srtp_out);
		break;
	default:
		stream->val[attr] = 0;
		break;
	}
}

/* Setters */

static void stream_set_val(struct kmedia_stream *stream,
			   enum kmedia_stream_attr attr, uint32_t val)
{
	stream->val[attr] = val;
	stream->present |= KMD_BIT(attr);
}

void kmedia_stream_set_id(struct kmedia_stream *stream, uint32_t id)
{
	stream_set_val(stream, KMEDIA_STREAM_A_ID, id);
}

void kmedia_stream_set_cookie(struct kmedia_stream *stream, uint64_t cookie)
{
	stream->cookie = cookie;
	stream->present |= KMD_BIT(KMEDIA_STREAM_A_COOKIE);
}

void kmedia_stream_set_sock_in(struct kmedia_stream *stream, uint32_t id)
{
	stream_set_val(stream, KMEDIA_STREAM_A_SOCK_IN, id);
}

void kmedia_stream_set_kind(struct kmedia_stream *stream,
			    enum kmedia_stream_kind kind)
{
	stream_set_val(stream, KMEDIA_STREAM_A_KIND, kind);
}

void kmedia_stream_set_sock_out(struct kmedia_stream *stream, uint32_t id)
{
	stream_set_val(stream, KMEDIA_STREAM_A_SOCK_OUT, id);
}

int kmedia_stream_set_dst(struct kmedia_stream *stream,
			  const struct sockaddr *addr, socklen_t len)
{
	int err;

	err = kmd_addr_copy(&stream->dst, &stream->dst_len, addr, len);
	if (err)
		return err;
	stream->present |= KMD_BIT(KMEDIA_STREAM_A_DST);
	return 0;
}

void kmedia_stream_set_src_mode(struct kmedia_stream *stream,
				enum kmedia_src_mode mode)
{
	stream_set_val(stream, KMEDIA_STREAM_A_SRC_MODE, mode);
}

int kmedia_stream_set_src(struct kmedia_stream *stream,
			  const struct sockaddr *addr, socklen_t len)
{
	int err;

	err = kmd_addr_copy(&stream->src, &stream->src_len, addr, len);
	if (err)
		return err;
	stream->present |= KMD_BIT(KMEDIA_STREAM_A_SRC);
	return 0;
}

void kmedia_stream_set_pt_allow(struct kmedia_stream *stream,
				const uint8_t bitmap[KMEDIA_PT_BITMAP_LEN])
{
	memcpy(stream->pt_allow, bitmap, sizeof(stream->pt_allow));
	stream->present |= KMD_BIT(KMEDIA_STREAM_A_PT_ALLOW);
}

int kmedia_stream_allow_pt(struct kmedia_stream *stream, unsigned int pt)
{
	if (pt >= KMEDIA_PT_BITMAP_LEN * 8)
		return -EINVAL;
	if (!kmedia_stream_has(stream, KMEDIA_STREAM_A_PT_ALLOW)) {
		memset(stream->pt_allow, 0, sizeof(stream->pt_allow));
		stream->present |= KMD_BIT(KMEDIA_STREAM_A_PT_ALLOW);
	}
	stream->pt_allow[pt / 8] |= 1u << (pt % 8);
	return 0;
}

int kmedia_stream_set_dscp(struct kmedia_stream *stream, unsigned int dscp)
{
	if (dscp > 63)
		return -EINVAL;
	stream_set_val(stream, KMEDIA_STREAM_A_DSCP, dscp);
	return 0;
}

void kmedia_stream_set_idle_timeout(struct kmedia_stream *stream,
				    uint32_t msecs)
{
	stream_set_val(stream, KMEDIA_STREAM_A_IDLE_TIMEOUT, msecs);
}

void kmedia_stream_set_clock_rate(struct kmedia_stream *stream, uint32_t hz)
{
	stream_set_val(stream, KMEDIA_STREAM_A_CLOCK_RATE, hz);
}

/*
 * Copy a caller's context into *dst, wiping what was there. Suite NONE
 * (remove) is copied alone; any other suite needs its key and salt.
 */
static int stream_set_srtp(struct kmedia_stream *stream,
			   enum kmedia_stream_attr attr, struct kmedia_srtp *dst,
			   const struct kmedia_srtp *ctx)
{
	if (!ctx || !kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE))
		return -EINVAL;
	if (kmedia_srtp_get_suite(ctx) == KMEDIA_SRTP_NONE) {
		kmd_srtp_wipe(dst);
		kmedia_srtp_set_suite(dst, KMEDIA_SRTP_NONE);
	} else {
		if ((ctx->present & KMD_SRTP_KEYS) != KMD_SRTP_KEYS)
			return -ENOKEY;
		if (dst != ctx) {
			kmd_srtp_wipe(dst);
			*dst = *ctx;
		}
		dst->present &= ~KMD_BIT(KMEDIA_SRTP_A_SRTCP_INDEX);
		dst->val[KMEDIA_SRTP_A_SRTCP_INDEX] = 0;
	}
	dst->reported = false;
	stream->present |= KMD_BIT(attr);
	return 0;
}

int kmedia_stream_set_srtp_in(struct kmedia_stream *stream,
			      const struct kmedia_srtp *ctx)
{
	return stream_set_srtp(stream, KMEDIA_STREAM_A_SRTP_IN,
			       &stream->srtp_in, ctx);
}

int kmedia_stream_set_srtp_out(struct kmedia_stream *stream,
			       const struct kmedia_srtp *ctx)
{
	return stream_set_srtp(stream, KMEDIA_STREAM_A_SRTP_OUT,
			       &stream->srtp_out, ctx);
}

/* Getters: 0, NULL or the UAPI default when the attribute is absent. */

static uint32_t stream_get_val(const struct kmedia_stream *stream,
			       enum kmedia_stream_attr attr)
{
	return kmedia_stream_has(stream, attr) ? stream->val[attr] : 0;
}

uint32_t kmedia_stream_get_id(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_ID);
}

uint64_t kmedia_stream_get_cookie(const struct kmedia_stream *stream)
{
	return kmedia_stream_has(stream, KMEDIA_STREAM_A_COOKIE) ?
	       stream->cookie : 0;
}

uint32_t kmedia_stream_get_sock_in(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_SOCK_IN);
}

enum kmedia_stream_kind kmedia_stream_get_kind(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_KIND);
}

uint32_t kmedia_stream_get_sock_out(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_SOCK_OUT);
}

const struct sockaddr *kmedia_stream_get_dst(const struct kmedia_stream *stream,
					     socklen_t *lenp)
{
	bool has = kmedia_stream_has(stream, KMEDIA_STREAM_A_DST);

	if (lenp)
		*lenp = has ? stream->dst_len : 0;
	return has ? (const struct sockaddr *)&stream->dst : NULL;
}

enum kmedia_src_mode kmedia_stream_get_src_mode(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_SRC_MODE);
}

const struct sockaddr *kmedia_stream_get_src(const struct kmedia_stream *stream,
					     socklen_t *lenp)
{
	bool has = kmedia_stream_has(stream, KMEDIA_STREAM_A_SRC);

	if (lenp)
		*lenp = has ? stream->src_len : 0;
	return has ? (const struct sockaddr *)&stream->src : NULL;
}

const uint8_t *kmedia_stream_get_pt_allow(const struct kmedia_stream *stream)
{
	return kmedia_stream_has(stream, KMEDIA_STREAM_A_PT_ALLOW) ?
	       stream->pt_allow : NULL;
}

unsigned int kmedia_stream_get_dscp(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_DSCP);
}

uint32_t kmedia_stream_get_idle_timeout(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_IDLE_TIMEOUT);
}

uint32_t kmedia_stream_get_clock_rate(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_CLOCK_RATE);
}

bool kmedia_stream_get_latched(const struct kmedia_stream *stream)
{
	return kmedia_stream_has(stream, KMEDIA_STREAM_A_LATCHED);
}

uint32_t kmedia_stream_get_idle_ms(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_IDLE_MS);
}

const struct kmedia_srtp *
kmedia_stream_get_srtp_in(const struct kmedia_stream *stream)
{
	return kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_IN) ?
	       &stream->srtp_in : NULL;
}

const struct kmedia_srtp *
kmedia_stream_get_srtp_out(const struct kmedia_stream *stream)
{
	return kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_OUT) ?
	       &stream->srtp_out : NULL;
}

uint32_t kmedia_stream_get_srtp_failures(const struct kmedia_stream *stream)
{
	return stream_get_val(stream, KMEDIA_STREAM_A_SRTP_FAILURES);
}

bool kmedia_stream_has_stat(const struct kmedia_stream *stream,
			    enum kmedia_stats_attr attr)
{
	return kmd_stats_has(&stream->stats, attr);
}

uint64_t kmedia_stream_get_stat(const struct kmedia_stream *stream,
				enum kmedia_stats_attr attr)
{
	return kmd_stats_get(&stream->stats, attr);
}

/* Requests */

/*
 * Put a KMEDIA_A_STREAM nest with the attributes of mask that are present
 * on the stream. Replies-only attributes have no encoder and are never
 * sent whatever the mask says.
 */
void kmd_stream_put(struct nlmsghdr *nlh, const struct kmedia_stream *stream,
		    uint64_t mask)
{
	uint64_t send = stream->present & mask;
	struct nlattr *nest;
	unsigned int attr;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	for (attr = 0; attr <= KMEDIA_STREAM_A_MAX; attr++) {
		if (!(send & KMD_BIT(attr)))
			continue;
		switch (attr) {
		case KMEDIA_STREAM_A_ID:
		case KMEDIA_STREAM_A_SOCK_IN:
		case KMEDIA_STREAM_A_SOCK_OUT:
		case KMEDIA_STREAM_A_IDLE_TIMEOUT:
		case KMEDIA_STREAM_A_CLOCK_RATE:
			mnl_attr_put_u32(nlh, attr, stream->val[attr]);
			break;
		case KMEDIA_STREAM_A_KIND:
		case KMEDIA_STREAM_A_SRC_MODE:
		case KMEDIA_STREAM_A_DSCP:
			mnl_attr_put_u8(nlh, attr, stream->val[attr]);
			break;
		case KMEDIA_STREAM_A_COOKIE:
			mnl_attr_put_u64(nlh, attr, stream->cookie);
			break;
		case KMEDIA_STREAM_A_DST:
			kmd_addr_put(nlh, attr, &stream->dst);
			break;
		case KMEDIA_STREAM_A_SRC:
			kmd_addr_put(nlh, attr, &stream->src);
			break;
		case KMEDIA_STREAM_A_PT_ALLOW:
			mnl_attr_put(nlh, attr, sizeof(stream->pt_allow),
				     stream->pt_allow);
			break;
		case KMEDIA_STREAM_A_SRTP_IN:
			if (kmd_srtp_sendable(&stream->srtp_in))
				kmd_srtp_put(nlh, attr, &stream->srtp_in);
			break;
		case KMEDIA_STREAM_A_SRTP_OUT:
			if (kmd_srtp_sendable(&stream->srtp_out))
				kmd_srtp_put(nlh, attr, &stream->srtp_out);
			break;
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

struct nlmsghdr *kmd_stream_new_msg(struct kmedia_handle *h, void *buf,
				    const struct kmedia_stream *stream)
{
	struct nlmsghdr *nlh;

	nlh = kmd_msg_start(h, buf, KMEDIA_CMD_STREAM_NEW, 0);
	kmd_stream_put(nlh, stream, KMD_STREAM_NEW_ATTRS);
	return nlh;
}

struct nlmsghdr *kmd_stream_change_msg(struct kmedia_handle *h, void *buf,
				       const struct kmedia_stream *stream)
{
	struct nlmsghdr *nlh;

	nlh = kmd_msg_start(h, buf, KMEDIA_CMD_STREAM_CHANGE, 0);
	kmd_stream_put(nlh, stream, KMD_STREAM_CHANGE_ATTRS);
	return nlh;
}

/* KMEDIA_CMD_STREAM_DEL or KMEDIA_CMD_STREAM_GET of stream id. */
struct nlmsghdr *kmd_stream_id_msg(struct kmedia_handle *h, void *buf,
				   uint8_t cmd, uint32_t id)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, buf, cmd, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* A dump, filtered by the COOKIE and SOCK_IN of filter if it has them. */
struct nlmsghdr *kmd_stream_dump_msg(struct kmedia_handle *h, void *buf,
				     const struct kmedia_stream *filter)
{
	struct nlmsghdr *nlh;

	nlh = kmd_msg_start(h, buf, KMEDIA_CMD_STREAM_GET, NLM_F_DUMP);
	if (filter && (filter->present & KMD_STREAM_FILTER_ATTRS))
		kmd_stream_put(nlh, filter, KMD_STREAM_FILTER_ATTRS);
	return nlh;
}

struct nlmsghdr *kmd_stream_flush_msg(struct kmedia_handle *h, void *buf,
				      const uint64_t *cookie)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, buf, KMEDIA_CMD_STREAM_FLUSH, 0);
	if (cookie) {
		nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
		mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, *cookie);
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh;
}

/* Replies */

static int stream_attr_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_stream *stream = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case KMEDIA_STREAM_A_ID:
	case KMEDIA_STREAM_A_SOCK_IN:
	case KMEDIA_STREAM_A_SOCK_OUT:
	case KMEDIA_STREAM_A_IDLE_TIMEOUT:
	case KMEDIA_STREAM_A_CLOCK_RATE:
	case KMEDIA_STREAM_A_IDLE_MS:
	case KMEDIA_STREAM_A_SRTP_FAILURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		stream->val[type] = mnl_attr_get_u32(attr);
		break;
	case KMEDIA_STREAM_A_KIND:
	case KMEDIA_STREAM_A_SRC_MODE:
	case KMEDIA_STREAM_A_DSCP:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		stream->val[type] = mnl_attr_get_u8(attr);
		break;
	case KMEDIA_STREAM_A_COOKIE:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		stream->cookie = mnl_attr_get_u64(attr);
		break;
	case KMEDIA_STREAM_A_DST:
		if (kmd_addr_parse(attr, &stream->dst, &stream->dst_len) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_STREAM_A_SRC:
		if (kmd_addr_parse(attr, &stream->src, &stream->src_len) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_STREAM_A_PT_ALLOW:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY,
				       sizeof(stream->pt_allow)) < 0)
			return MNL_CB_ERROR;
		memcpy(stream->pt_allow, mnl_attr_get_payload(attr),
		       sizeof(stream->pt_allow));
		break;
	case KMEDIA_STREAM_A_LATCHED:
		if (mnl_attr_validate(attr, MNL_TYPE_FLAG) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_STREAM_A_STATS:
		if (kmd_stats_parse(attr, &stream->stats) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_STREAM_A_SRTP_IN:
		if (kmd_srtp_parse(attr, &stream->srtp_in) < 0)
			return MNL_CB_ERROR;
		break;
	case KMEDIA_STREAM_A_SRTP_OUT:
		if (kmd_srtp_parse(attr, &stream->srtp_out) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		/* PAD, or newer than this library */
		return MNL_CB_OK;
	}
	stream->present |= KMD_BIT(type);
	return MNL_CB_OK;
}

struct stream_top_ctx {
	struct kmedia_stream *stream;
	bool found;
};

static int stream_top_cb(const struct nlattr *attr, void *data)
{
	struct stream_top_ctx *ctx = data;

	if (mnl_attr_get_type(attr) != KMEDIA_A_STREAM)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	ctx->found = true;
	return mnl_attr_parse_nested(attr, stream_attr_cb, ctx->stream);
}

/*
 * Decode a message carrying one stream (a reply to new or get, one part
 * of a dump, or an event) into *stream, which is cleared first. -EBADMSG
 * if the message is malformed or has no KMEDIA_A_STREAM.
 */
int kmd_stream_parse(const struct nlmsghdr *nlh, struct kmedia_stream *stream)
{
	struct stream_top_ctx ctx = { .stream = stream };

	memset(stream, 0, sizeof(*stream));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, stream_top_cb, &ctx) != MNL_CB_OK)
		return -EBADMSG;
	return ctx.found ? 0 : -EBADMSG;
}

/*
 * Decode the reply to a NEW: the kernel answers with the new stream's ID
 * alone, in the top-level stream nest.
 */
int kmd_stream_id_parse(const struct nlmsghdr *nlh, uint32_t *idp)
{
	const struct nlattr *top, *attr;
	bool found = false;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	mnl_attr_for_each(top, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(top) != KMEDIA_A_STREAM)
			continue;
		if (mnl_attr_validate(top, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		mnl_attr_for_each_nested(attr, top) {
			if (mnl_attr_get_type(attr) != KMEDIA_STREAM_A_ID)
				continue;
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			*idp = mnl_attr_get_u32(attr);
			found = true;
		}
	}
	return found ? 0 : -EBADMSG;
}

static int flush_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **count = data;

	if (mnl_attr_get_type(attr) == KMEDIA_A_COUNT)
		*count = attr;
	return MNL_CB_OK;
}

/* Decode the reply to a flush: its top-level KMEDIA_A_COUNT. */
int kmd_flush_parse(const struct nlmsghdr *nlh, uint32_t *countp)
{
	const struct nlattr *count = NULL;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, flush_attr_cb, &count) != MNL_CB_OK)
		return -EBADMSG;
	if (!count || mnl_attr_validate(count, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*countp = mnl_attr_get_u32(count);
	return 0;
}

/* The one stream of a reply to new or get. */
struct stream_reply_ctx {
	struct kmedia_stream *stream;
	bool found;
};

static int stream_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stream_reply_ctx *ctx = data;
	int err;

	err = kmd_stream_parse(nlh, ctx->stream);
	if (err)
		return err;
	ctx->found = true;
	return 0;
}

/*
 * A request carrying SRTP keys leaves them in the handle's buffer, and so
 * may the kernel's acknowledgment, which echoes the request unless capped:
 * wipe it once the request is over.
 */
static void stream_wipe_request(struct kmedia_handle *h,
				const struct kmedia_stream *stream)
{
	if ((kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_IN) &&
	     kmd_srtp_sendable(&stream->srtp_in)) ||
	    (kmedia_stream_has(stream, KMEDIA_STREAM_A_SRTP_OUT) &&
	     kmd_srtp_sendable(&stream->srtp_out)))
		sodium_memzero(h->buf, MNL_SOCKET_BUFFER_SIZE);
}

/* The ID of a reply to a NEW. */
struct stream_id_ctx {
	uint32_t id;
	bool found;
};

static int stream_id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stream_id_ctx *ctx = data;
	int err;

	err = kmd_stream_id_parse(nlh, &ctx->id);
	if (err)
		return err;
	ctx->found = true;
	return 0;
}

int kmedia_stream_new(struct kmedia_handle *h, struct kmedia_stream *stream)
{
	struct stream_id_ctx ctx = { .found = false };
	struct nlmsghdr *nlh;
	int err;

	nlh = kmd_stream_new_msg(h, h->buf, stream);
	err = kmd_request(h, nlh, stream_id_cb, &ctx);
	stream_wipe_request(h, stream);
	if (err)
		return err;
	if (!ctx.found)
		return -EBADMSG;
	/* The keys now live in the kernel only: a later change sent with
	 * this object must not carry them again (that would restart the
	 * contexts), so the object's contexts go, wiped.
	 */
	kmedia_stream_unset(stream, KMEDIA_STREAM_A_SRTP_IN);
	kmedia_stream_unset(stream, KMEDIA_STREAM_A_SRTP_OUT);
	stream_set_val(stream, KMEDIA_STREAM_A_ID, ctx.id);
	return 0;
}

int kmedia_stream_change(struct kmedia_handle *h,
			 const struct kmedia_stream *stream)
{
	struct nlmsghdr *nlh;
	int err;

	if (!kmedia_stream_has(stream, KMEDIA_STREAM_A_ID))
		return -EINVAL;
	nlh = kmd_stream_change_msg(h, h->buf, stream);
	err = kmd_request(h, nlh, NULL, NULL);
	stream_wipe_request(h, stream);
	return err;
}

int kmedia_stream_del(struct kmedia_handle *h, uint32_t id)
{
	struct nlmsghdr *nlh;

	nlh = kmd_stream_id_msg(h, h->buf, KMEDIA_CMD_STREAM_DEL, id);
	return kmd_request(h, nlh, NULL, NULL);
}

int kmedia_stream_get(struct kmedia_handle *h, uint32_t id,
		      struct kmedia_stream **streamp)
{
	struct stream_reply_ctx ctx;
	struct nlmsghdr *nlh;
	int err;

	ctx.stream = malloc(sizeof(*ctx.stream));
	if (!ctx.stream)
		return -ENOMEM;
	ctx.found = false;
	nlh = kmd_stream_id_msg(h, h->buf, KMEDIA_CMD_STREAM_GET, id);
	err = kmd_request(h, nlh, stream_reply_cb, &ctx);
	if (!err && !ctx.found)
		err = -EBADMSG;
	if (err) {
		free(ctx.stream);
		return err;
	}
	*streamp = ctx.stream;
	return 0;
}

struct flush_ctx {
	uint32_t count;
	bool found;
};

static int flush_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flush_ctx *ctx = data;
	int err;

	err = kmd_flush_parse(nlh, &ctx->count);
	if (err)
		return err;
	ctx->found = true;
	return 0;
}

int kmedia_stream_flush(struct kmedia_handle *h, const uint64_t *cookie,
			uint32_t *countp)
{
	struct flush_ctx ctx = { 0 };
	struct nlmsghdr *nlh;
	int err;

	nlh = kmd_stream_flush_msg(h, h->buf, cookie);
	err = kmd_request(h, nlh, flush_msg_cb, &ctx);
	if (err)
		return err;
	if (countp) {
		if (!ctx.found)
			return -EBADMSG;
		*countp = ctx.count;
	}
	return 0;
}

struct stream_dump_ctx {
	kmedia_stream_cb cb;
	void *data;
	struct kmedia_stream stream;
};

static int stream_dump_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stream_dump_ctx *ctx = data;
	int err;

	err = kmd_stream_parse(nlh, &ctx->stream);
	if (err)
		return err;
	return ctx->cb(&ctx->stream, ctx->data);
}

int kmedia_stream_dump(struct kmedia_handle *h,
		       const struct kmedia_stream *filter,
		       kmedia_stream_cb cb, void *data)
{
	struct stream_dump_ctx ctx = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;

	if (!cb)
		return -EINVAL;
	if (filter && (filter->present & ~KMD_STREAM_FILTER_ATTRS))
		return -EINVAL;
	nlh = kmd_stream_dump_msg(h, h->buf, filter);
	return kmd_request(h, nlh, stream_dump_msg_cb, &ctx);
}
