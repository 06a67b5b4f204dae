// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: counters nests (enum kmedia_stats_attr of streams and
 * namespace totals, enum kmedia_sock_stats_attr of sockets).
 *
 * The kernel writes 64-bit counters with nla_put_u64_64bit(), which may
 * insert a PAD attribute to align them; PAD, and attributes newer than this
 * library, are skipped. Known attributes must have their exact size.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

enum kmd_stat_type {
	KMD_STAT_SKIP,
	KMD_STAT_U32,
	KMD_STAT_U64,
};

static const uint8_t stream_stats_types[KMEDIA_STATS_A_MAX + 1] = {
	[KMEDIA_STATS_A_RX_PACKETS] = KMD_STAT_U64,
	[KMEDIA_STATS_A_RX_BYTES] = KMD_STAT_U64,
	[KMEDIA_STATS_A_TX_PACKETS] = KMD_STAT_U64,
	[KMEDIA_STATS_A_TX_BYTES] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_PT] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_ROUTE] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_XMIT] = KMD_STAT_U64,
	[KMEDIA_STATS_A_SSRC] = KMD_STAT_U32,
	[KMEDIA_STATS_A_EXT_MAX_SEQ] = KMD_STAT_U32,
	[KMEDIA_STATS_A_RTP_RECEIVED] = KMD_STAT_U64,
	[KMEDIA_STATS_A_RTP_EXPECTED] = KMD_STAT_U64,
	[KMEDIA_STATS_A_RTP_LOST] = KMD_STAT_U64,	/* s64 */
	[KMEDIA_STATS_A_JITTER] = KMD_STAT_U32,
	[KMEDIA_STATS_A_DROP_SRTP_AUTH] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_SRTP_REPLAY] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_SRTP_SHORT] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_SRTP_MKI] = KMD_STAT_U64,
	[KMEDIA_STATS_A_DROP_SRTP_PROTECT] = KMD_STAT_U64,
	[KMEDIA_STATS_A_EVENTS_LOST] = KMD_STAT_U64,
};

static const uint8_t sock_stats_types[KMEDIA_SOCK_STATS_A_MAX + 1] = {
	[KMEDIA_SOCK_STATS_A_RX_PACKETS] = KMD_STAT_U64,
	[KMEDIA_SOCK_STATS_A_TO_STREAM] = KMD_STAT_U64,
	[KMEDIA_SOCK_STATS_A_PASS_NOT_RTP] = KMD_STAT_U64,
	[KMEDIA_SOCK_STATS_A_PASS_NO_STREAM] = KMD_STAT_U64,
	[KMEDIA_SOCK_STATS_A_PASS_SOURCE] = KMD_STAT_U64,
	[KMEDIA_SOCK_STATS_A_PASS_FRAGMENT] = KMD_STAT_U64,
};

struct stats_ctx {
	struct kmd_stats *stats;
	const uint8_t *types;
	unsigned int max;
};

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats_ctx *ctx = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > ctx->max)
		return MNL_CB_OK;
	switch (ctx->types[type]) {
	case KMD_STAT_U32:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ctx->stats->val[type] = mnl_attr_get_u32(attr);
		break;
	case KMD_STAT_U64:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		ctx->stats->val[type] = mnl_attr_get_u64(attr);
		break;
	default:
		return MNL_CB_OK;
	}
	ctx->stats->present |= KMD_BIT(type);
	return MNL_CB_OK;
}

static int stats_parse(const struct nlattr *nest, struct kmd_stats *stats,
		       const uint8_t *types, unsigned int max)
{
	struct stats_ctx ctx = { .stats = stats, .types = types, .max = max };

	memset(stats, 0, sizeof(*stats));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	if (mnl_attr_parse_nested(nest, stats_attr_cb, &ctx) != MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

int kmd_stats_parse(const struct nlattr *nest, struct kmd_stats *stats)
{
	return stats_parse(nest, stats, stream_stats_types, KMEDIA_STATS_A_MAX);
}

int kmd_sock_stats_parse(const struct nlattr *nest, struct kmd_stats *stats)
{
	return stats_parse(nest, stats, sock_stats_types,
			   KMEDIA_SOCK_STATS_A_MAX);
}

bool kmd_stats_has(const struct kmd_stats *stats, unsigned int attr)
{
	return attr < KMD_STATS_MAX && (stats->present & KMD_BIT(attr));
}

uint64_t kmd_stats_get(const struct kmd_stats *stats, unsigned int attr)
{
	return kmd_stats_has(stats, attr) ? stats->val[attr] : 0;
}
