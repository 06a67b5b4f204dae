// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: streams, one direction of one media flow each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "internal.h"

struct kmedia_stream *kmedia_stream_alloc(void)
{
	return calloc(1, sizeof(struct kmedia_stream));
}

void kmedia_stream_free(struct kmedia_stream *stream)
{
	free(stream);
}

bool kmedia_stream_has(const struct kmedia_stream *stream,
		       enum kmedia_stream_attr attr)
{
	return attr <= KMEDIA_STREAM_A_MAX &&
	       (stream->present & (UINT64_C(1) << attr));
}

uint32_t kmedia_stream_get_id(const struct kmedia_stream *stream)
{
	return stream->id;
}

void kmedia_stream_set_id(struct kmedia_stream *stream, uint32_t id)
{
	stream->id = id;
	stream->present |= UINT64_C(1) << KMEDIA_STREAM_A_ID;
}

static int stream_nest_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_stream *stream = data;

	switch (mnl_attr_get_type(attr)) {
	case KMEDIA_STREAM_A_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		kmedia_stream_set_id(stream, mnl_attr_get_u32(attr));
		break;
	}
	return MNL_CB_OK;
}

static int stream_top_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) != KMEDIA_A_STREAM)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	return mnl_attr_parse_nested(attr, stream_nest_cb, data);
}

int kmd_stream_parse(const struct nlmsghdr *nlh, struct kmedia_stream *stream)
{
	memset(stream, 0, sizeof(*stream));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stream_top_cb,
			   stream) != MNL_CB_OK)
		return -EBADMSG;
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

int kmedia_stream_dump(struct kmedia_handle *h, kmedia_stream_cb cb, void *data)
{
	struct stream_dump_ctx ctx = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;

	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_GET, NLM_F_DUMP);
	return kmd_request(h, nlh, stream_dump_msg_cb, &ctx);
}
