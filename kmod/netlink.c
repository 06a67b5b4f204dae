// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the generic netlink family, its policies and shared helpers.
 *
 * Every command acts on the network namespace of the requesting socket and
 * needs CAP_NET_ADMIN in the user namespace owning it. Policies are strict:
 * the family sets no leniency flags, so unknown attributes, trailing data
 * and reserved header fields are refused by the core with an extack, and
 * attributes that only replies carry are refused with a message saying so.
 */

#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <uapi/linux/kmedia.h>

#include "netlink.h"
#include "socket.h"
#include "srtp.h"
#include "stream.h"

static struct genl_family kmedia_genl_family;

enum kmedia_mcgrp {
	KMEDIA_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group kmedia_mcgrps[] = {
	[KMEDIA_MCGRP_EVENTS_ID] = {
		.name = KMEDIA_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

#define KMEDIA_READ_ONLY(what) {				\
	.type = NLA_REJECT,					\
	.reject_message = what " is reported, not set",		\
}

static const struct nla_policy kmedia_addr_policy[KMEDIA_ADDR_A_MAX + 1] = {
	[KMEDIA_ADDR_A_IPV4] = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[KMEDIA_ADDR_A_IPV6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KMEDIA_ADDR_A_PORT] = NLA_POLICY_MIN(NLA_BE16, 1),
};

/* File descriptors are non-negative ints. */
static struct netlink_range_validation kmedia_fd_range __ro_after_init = {
	.max = INT_MAX,
};

static const struct nla_policy kmedia_sock_policy[KMEDIA_SOCK_A_MAX + 1] = {
	[KMEDIA_SOCK_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMEDIA_SOCK_A_FD] = NLA_POLICY_FULL_RANGE(NLA_U32, &kmedia_fd_range),
	[KMEDIA_SOCK_A_LOCAL] = KMEDIA_READ_ONLY("sock.local"),
	[KMEDIA_SOCK_A_STREAMS] = KMEDIA_READ_ONLY("sock.streams"),
	[KMEDIA_SOCK_A_STATS] = KMEDIA_READ_ONLY("sock.stats"),
};

static const struct nla_policy kmedia_srtp_policy[KMEDIA_SRTP_A_MAX + 1] = {
	[KMEDIA_SRTP_A_SUITE] = NLA_POLICY_MAX(NLA_U32, KMEDIA_SRTP_SUITE_MAX),
	[KMEDIA_SRTP_A_MASTER_KEY] = NLA_POLICY_RANGE(NLA_BINARY, 16, 32),
	[KMEDIA_SRTP_A_MASTER_SALT] = NLA_POLICY_RANGE(NLA_BINARY, 12, 14),
	[KMEDIA_SRTP_A_MKI] = NLA_POLICY_RANGE(NLA_BINARY, 1, KMEDIA_SRTP_MKI_MAX),
	[KMEDIA_SRTP_A_KDR] = { .type = NLA_U32 },
	[KMEDIA_SRTP_A_SSRC] = { .type = NLA_U32 },
	[KMEDIA_SRTP_A_ROC] = { .type = NLA_U32 },
	[KMEDIA_SRTP_A_REPLAY_WINDOW] = NLA_POLICY_RANGE(NLA_U32,
							 KMEDIA_SRTP_REPLAY_MIN,
							 KMEDIA_SRTP_REPLAY_MAX),
	[KMEDIA_SRTP_A_SRTCP_INDEX] = KMEDIA_READ_ONLY("srtp.srtcp-index"),
};

static const struct nla_policy kmedia_stream_policy[KMEDIA_STREAM_A_MAX + 1] = {
	[KMEDIA_STREAM_A_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMEDIA_STREAM_A_COOKIE] = { .type = NLA_U64 },
	[KMEDIA_STREAM_A_SOCK_IN] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMEDIA_STREAM_A_KIND] = NLA_POLICY_MAX(NLA_U8, KMEDIA_KIND_MAX),
	[KMEDIA_STREAM_A_SOCK_OUT] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMEDIA_STREAM_A_DST] = NLA_POLICY_NESTED(kmedia_addr_policy),
	[KMEDIA_STREAM_A_SRC_MODE] = NLA_POLICY_MAX(NLA_U8, KMEDIA_SRC_MAX),
	[KMEDIA_STREAM_A_SRC] = NLA_POLICY_NESTED(kmedia_addr_policy),
	[KMEDIA_STREAM_A_PT_ALLOW] = NLA_POLICY_EXACT_LEN(KMEDIA_PT_BITMAP_LEN),
	[KMEDIA_STREAM_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[KMEDIA_STREAM_A_IDLE_TIMEOUT] = { .type = NLA_U32 },
	[KMEDIA_STREAM_A_CLOCK_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[KMEDIA_STREAM_A_LATCHED] = KMEDIA_READ_ONLY("stream.latched"),
	[KMEDIA_STREAM_A_STATS] = KMEDIA_READ_ONLY("stream.stats"),
	[KMEDIA_STREAM_A_IDLE_MS] = KMEDIA_READ_ONLY("stream.idle-ms"),
	[KMEDIA_STREAM_A_SRTP_IN] = NLA_POLICY_NESTED(kmedia_srtp_policy),
	[KMEDIA_STREAM_A_SRTP_OUT] = NLA_POLICY_NESTED(kmedia_srtp_policy),
	[KMEDIA_STREAM_A_SRTP_FAILURES] = KMEDIA_READ_ONLY("stream.srtp-failures"),
};

const struct nla_policy kmedia_sock_top_policy[KMEDIA_A_SOCK + 1] = {
	[KMEDIA_A_SOCK] = NLA_POLICY_NESTED(kmedia_sock_policy),
};

const struct nla_policy kmedia_stream_top_policy[KMEDIA_A_STREAM + 1] = {
	[KMEDIA_A_STREAM] = NLA_POLICY_NESTED(kmedia_stream_policy),
};

void *kmedia_nl_put_hdr(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			u8 cmd)
{
	return genlmsg_put(skb, portid, seq, &kmedia_genl_family, flags, cmd);
}

int kmedia_nl_put_endpoint(struct sk_buff *skb, int attrtype,
			   const struct kmedia_endpoint *ep)
{
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (ep->family == AF_INET)
		err = nla_put_in_addr(skb, KMEDIA_ADDR_A_IPV4, ep->addr4);
	else
		err = nla_put_in6_addr(skb, KMEDIA_ADDR_A_IPV6, &ep->addr6);
	if (err || nla_put_be16(skb, KMEDIA_ADDR_A_PORT, ep->port)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The nest was validated against kmedia_addr_policy already. */
int kmedia_nl_parse_endpoint(const struct nlattr *nest,
			     struct kmedia_endpoint *ep,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KMEDIA_ADDR_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KMEDIA_ADDR_A_MAX, nest, kmedia_addr_policy,
			       extack);
	if (err)
		return err;
	memset(ep, 0, sizeof(*ep));
	if (tb[KMEDIA_ADDR_A_IPV4] && tb[KMEDIA_ADDR_A_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "address: give ipv4 or ipv6, not both");
		return -EINVAL;
	}
	if (tb[KMEDIA_ADDR_A_IPV4]) {
		ep->family = AF_INET;
		ep->addr4 = nla_get_in_addr(tb[KMEDIA_ADDR_A_IPV4]);
	} else if (tb[KMEDIA_ADDR_A_IPV6]) {
		ep->family = AF_INET6;
		ep->addr6 = nla_get_in6_addr(tb[KMEDIA_ADDR_A_IPV6]);
	} else {
		NL_SET_ERR_MSG_ATTR(extack, nest, "address: ipv4 or ipv6 missing");
		return -EINVAL;
	}
	if (!tb[KMEDIA_ADDR_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "address: port missing");
		return -EINVAL;
	}
	ep->port = nla_get_be16(tb[KMEDIA_ADDR_A_PORT]);
	return 0;
}

/* Put the counters of enum kmedia_stream_ctr (a stream's or the first of
 * a namespace's) as their statistics attributes, into an open nest.
 */
int kmedia_nl_put_ctrs(struct sk_buff *skb, const u64 *ctrs)
{
	unsigned int i;

	for (i = 0; i < __KMEDIA_STREAM_CTR_MAX; i++)
		if (nla_put_u64_64bit(skb, kmedia_stream_ctr_attr[i], ctrs[i],
				      KMEDIA_STATS_A_PAD))
			return -EMSGSIZE;
	return 0;
}

/**
 * kmedia_nl_dump_done - end one round of a dump over an xarray
 * @skb: the message being filled
 * @cb: the dump; cb->args[0] is the index the next round starts from
 * @index: where the round stopped (the entry that did not fit)
 * @err: 0 if every entry fitted, -EMSGSIZE if the message filled up
 *
 * Dumps resume by index, so they continue where the previous message
 * filled up even if objects come and go in between; the generation check
 * (cb->seq) flags such dumps as inconsistent to userspace.
 *
 * Return: what the dumpit callback returns.
 */
int kmedia_nl_dump_done(struct sk_buff *skb, struct netlink_callback *cb,
			unsigned long index, int err)
{
	if (!err) {
		cb->args[0] = ULONG_MAX;
		return skb->len;
	}
	cb->args[0] = index;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

/* The nest was validated against kmedia_srtp_policy already. */
int kmedia_nl_parse_srtp(const struct nlattr *nest, struct kmedia_srtp_params *p,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KMEDIA_SRTP_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KMEDIA_SRTP_A_MAX, nest, kmedia_srtp_policy,
			       extack);
	if (err)
		return err;
	memset(p, 0, sizeof(*p));
	if (kmedia_nl_missing(extack, nest, tb, KMEDIA_SRTP_A_SUITE,
			      "srtp.suite: missing"))
		return -EINVAL;
	p->suite = nla_get_u32(tb[KMEDIA_SRTP_A_SUITE]);
	p->window = KMEDIA_SRTP_REPLAY_DEFAULT;
	if (p->suite == KMEDIA_SRTP_NONE)
		return 0;
	if (kmedia_nl_missing(extack, nest, tb, KMEDIA_SRTP_A_MASTER_KEY,
			      "srtp.master-key: missing") ||
	    kmedia_nl_missing(extack, nest, tb, KMEDIA_SRTP_A_MASTER_SALT,
			      "srtp.master-salt: missing"))
		return -EINVAL;
	if (tb[KMEDIA_SRTP_A_KDR] && nla_get_u32(tb[KMEDIA_SRTP_A_KDR])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KMEDIA_SRTP_A_KDR],
				    "srtp.kdr: only 0 (derive keys once) is supported");
		return -EOPNOTSUPP;
	}
	p->key_len = nla_len(tb[KMEDIA_SRTP_A_MASTER_KEY]);
	nla_memcpy(p->master_key, tb[KMEDIA_SRTP_A_MASTER_KEY],
		   sizeof(p->master_key));
	p->salt_len = nla_len(tb[KMEDIA_SRTP_A_MASTER_SALT]);
	nla_memcpy(p->master_salt, tb[KMEDIA_SRTP_A_MASTER_SALT],
		   sizeof(p->master_salt));
	if (tb[KMEDIA_SRTP_A_MKI]) {
		p->mki_len = nla_len(tb[KMEDIA_SRTP_A_MKI]);
		nla_memcpy(p->mki, tb[KMEDIA_SRTP_A_MKI], sizeof(p->mki));
	}
	if (tb[KMEDIA_SRTP_A_SSRC]) {
		p->has_ssrc = true;
		p->ssrc = nla_get_u32(tb[KMEDIA_SRTP_A_SSRC]);
	}
	if (tb[KMEDIA_SRTP_A_ROC])
		p->roc = nla_get_u32(tb[KMEDIA_SRTP_A_ROC]);
	if (tb[KMEDIA_SRTP_A_REPLAY_WINDOW])
		p->window = nla_get_u32(tb[KMEDIA_SRTP_A_REPLAY_WINDOW]);
	return 0;
}

/* Report a context: never its keys. */
int kmedia_nl_put_srtp(struct sk_buff *skb, int attrtype, struct kmedia_srtp *ctx)
{
	u32 ssrc, roc, index;
	struct nlattr *nest;
	bool started;

	kmedia_srtp_state(ctx, &ssrc, &roc, &index, &started);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KMEDIA_SRTP_A_SUITE, ctx->suite) ||
	    nla_put_u32(skb, KMEDIA_SRTP_A_REPLAY_WINDOW, ctx->window) ||
	    nla_put_u32(skb, KMEDIA_SRTP_A_ROC, roc) ||
	    ((started || ctx->cfg_has_ssrc) &&
	     nla_put_u32(skb, KMEDIA_SRTP_A_SSRC, ssrc)) ||
	    (ctx->mki_len && nla_put(skb, KMEDIA_SRTP_A_MKI, ctx->mki_len, ctx->mki)) ||
	    (ctx->rtcp && started &&
	     nla_put_u32(skb, KMEDIA_SRTP_A_SRTCP_INDEX, index))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

bool kmedia_nl_has_listeners(struct kmedia_net *kn)
{
	return genl_has_listeners(&kmedia_genl_family, kn->net,
				  KMEDIA_MCGRP_EVENTS_ID);
}

/* -ENOBUFS: some subscriber's receive buffer had no room for it. */
int kmedia_nl_multicast(struct kmedia_net *kn, struct sk_buff *skb, gfp_t gfp)
{
	return genlmsg_multicast_netns(&kmedia_genl_family, kn->net, skb, 0,
				       KMEDIA_MCGRP_EVENTS_ID, gfp);
}

static int kmedia_nl_put_netns(struct sk_buff *skb, struct kmedia_net *kn)
{
	u64 ctrs[__KMEDIA_NET_CTR_MAX];
	struct nlattr *nest, *stats;

	kmedia_ctrs_sum(kn->ctrs, __KMEDIA_NET_CTR_MAX, ctrs);
	nest = nla_nest_start(skb, KMEDIA_A_NETNS);
	if (!nest)
		return -EMSGSIZE;

	mutex_lock(&kn->lock);
	if (nla_put_u32(skb, KMEDIA_NETNS_A_STREAMS, kn->n_streams) ||
	    nla_put_u32(skb, KMEDIA_NETNS_A_STREAMS_MAX,
			READ_ONCE(kmedia_max_streams)) ||
	    nla_put_u32(skb, KMEDIA_NETNS_A_SOCKETS, kn->n_sockets)) {
		mutex_unlock(&kn->lock);
		goto err;
	}
	mutex_unlock(&kn->lock);
	stats = nla_nest_start(skb, KMEDIA_NETNS_A_STATS);
	if (!stats || kmedia_nl_put_ctrs(skb, ctrs) ||
	    nla_put_u64_64bit(skb, KMEDIA_STATS_A_EVENTS_LOST,
			      ctrs[KMEDIA_NET_EVENTS_LOST], KMEDIA_STATS_A_PAD))
		goto err;
	nla_nest_end(skb, stats);

	nla_nest_end(skb, nest);
	return 0;
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int kmedia_nl_netns_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &kmedia_genl_family, 0,
				KMEDIA_CMD_NETNS_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	err = nla_put_string(msg, KMEDIA_A_VERSION, KMEDIA_VERSION);
	if (err)
		goto err_free;
	err = kmedia_nl_put_netns(msg, kn);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

#define KMEDIA_SOCK_OP(_cmd, _doit)				\
	{							\
		.cmd = _cmd,					\
		.doit = _doit,					\
		.policy = kmedia_sock_top_policy,		\
		.maxattr = KMEDIA_A_SOCK,			\
		.flags = GENL_UNS_ADMIN_PERM,			\
	}

#define KMEDIA_STREAM_OP(_cmd, _doit)				\
	{							\
		.cmd = _cmd,					\
		.doit = _doit,					\
		.policy = kmedia_stream_top_policy,		\
		.maxattr = KMEDIA_A_STREAM,			\
		.flags = GENL_UNS_ADMIN_PERM,			\
	}

static const struct genl_ops kmedia_genl_ops[] = {
	{
		.cmd = KMEDIA_CMD_NETNS_GET,
		.doit = kmedia_nl_netns_get_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	KMEDIA_SOCK_OP(KMEDIA_CMD_SOCK_ATTACH, kmedia_nl_sock_attach_doit),
	KMEDIA_SOCK_OP(KMEDIA_CMD_SOCK_DETACH, kmedia_nl_sock_detach_doit),
	{
		.cmd = KMEDIA_CMD_SOCK_GET,
		.doit = kmedia_nl_sock_get_doit,
		.dumpit = kmedia_nl_sock_get_dumpit,
		.policy = kmedia_sock_top_policy,
		.maxattr = KMEDIA_A_SOCK,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	KMEDIA_STREAM_OP(KMEDIA_CMD_STREAM_NEW, kmedia_nl_stream_new_doit),
	KMEDIA_STREAM_OP(KMEDIA_CMD_STREAM_CHANGE, kmedia_nl_stream_change_doit),
	KMEDIA_STREAM_OP(KMEDIA_CMD_STREAM_DEL, kmedia_nl_stream_del_doit),
	{
		.cmd = KMEDIA_CMD_STREAM_GET,
		.doit = kmedia_nl_stream_get_doit,
		.start = kmedia_nl_stream_get_start,
		.dumpit = kmedia_nl_stream_get_dumpit,
		.policy = kmedia_stream_top_policy,
		.maxattr = KMEDIA_A_STREAM,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	KMEDIA_STREAM_OP(KMEDIA_CMD_STREAM_FLUSH, kmedia_nl_stream_flush_doit),
};

static struct genl_family kmedia_genl_family __ro_after_init = {
	.name = KMEDIA_GENL_NAME,
	.version = KMEDIA_GENL_VERSION,
	.maxattr = KMEDIA_A_MAX,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = kmedia_genl_ops,
	.n_ops = ARRAY_SIZE(kmedia_genl_ops),
	.mcgrps = kmedia_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kmedia_mcgrps),
};

int __init kmedia_netlink_init(void)
{
	return genl_register_family(&kmedia_genl_family);
}

void kmedia_netlink_exit(void)
{
	genl_unregister_family(&kmedia_genl_family);
}
