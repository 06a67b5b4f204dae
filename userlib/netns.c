// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: per network namespace totals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "internal.h"

void kmedia_netns_free(struct kmedia_netns *netns)
{
	free(netns);
}

bool kmedia_netns_has(const struct kmedia_netns *netns,
		      enum kmedia_netns_attr attr)
{
	return attr <= KMEDIA_NETNS_A_MAX && (netns->present & (1u << attr));
}

uint32_t kmedia_netns_get_u32(const struct kmedia_netns *netns,
			      enum kmedia_netns_attr attr)
{
	return kmedia_netns_has(netns, attr) ? netns->u32[attr] : 0;
}

const char *kmedia_netns_get_version(const struct kmedia_netns *netns)
{
	return netns->version;
}

bool kmedia_netns_has_stat(const struct kmedia_netns *netns,
			   enum kmedia_stats_attr attr)
{
	return kmd_stats_has(&netns->stats, attr);
}

uint64_t kmedia_netns_get_stat(const struct kmedia_netns *netns,
			       enum kmedia_stats_attr attr)
{
	return kmd_stats_get(&netns->stats, attr);
}

static int netns_nest_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_netns *netns = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case KMEDIA_NETNS_A_STREAMS:
	case KMEDIA_NETNS_A_STREAMS_MAX:
	case KMEDIA_NETNS_A_SOCKETS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		netns->u32[type] = mnl_attr_get_u32(attr);
		break;
	case KMEDIA_NETNS_A_STATS:
		if (kmd_stats_parse(attr, &netns->stats) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	netns->present |= 1u << type;
	return MNL_CB_OK;
}

static int netns_top_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_netns *netns = data;

	switch (mnl_attr_get_type(attr)) {
	case KMEDIA_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		strncpy(netns->version, mnl_attr_get_str(attr),
			sizeof(netns->version) - 1);
		break;
	case KMEDIA_A_NETNS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mnl_attr_parse_nested(attr, netns_nest_cb, netns);
	}
	return MNL_CB_OK;
}

int kmd_netns_parse(const struct nlmsghdr *nlh, struct kmedia_netns *netns)
{
	memset(netns, 0, sizeof(*netns));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), netns_top_cb,
			   netns) != MNL_CB_OK)
		return -EBADMSG;
	return 0;
}

static int netns_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	return kmd_netns_parse(nlh, data);
}

int kmedia_netns_get(struct kmedia_handle *h, struct kmedia_netns **netnsp)
{
	struct kmedia_netns *netns;
	struct nlmsghdr *nlh;
	int err;

	netns = calloc(1, sizeof(*netns));
	if (!netns)
		return -ENOMEM;
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_NETNS_GET, 0);
	err = kmd_request(h, nlh, netns_msg_cb, netns);
	if (err) {
		free(netns);
		return err;
	}
	*netnsp = netns;
	return 0;
}
