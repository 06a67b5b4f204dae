// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the generic netlink family.
 *
 * Every command acts on the network namespace of the requesting socket and
 * needs CAP_NET_ADMIN in the user namespace owning it. Policies are strict:
 * the family sets no leniency flags, so unknown attributes, trailing data
 * and reserved header fields are all refused by the core with an extack.
 */

#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <uapi/linux/kmedia.h>

#include "kmedia.h"

static struct genl_family kmedia_genl_family;

enum kmedia_mcgrp {
	KMEDIA_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group kmedia_mcgrps[] = {
	[KMEDIA_MCGRP_EVENTS_ID] = { .name = KMEDIA_MCGRP_EVENTS },
};

static int kmedia_nl_put_netns(struct sk_buff *skb, struct kmedia_net *kn)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, KMEDIA_A_NETNS);
	if (!nest)
		return -EMSGSIZE;

	mutex_lock(&kn->lock);
	if (nla_put_u32(skb, KMEDIA_NETNS_A_STREAMS, kn->n_streams) ||
	    nla_put_u32(skb, KMEDIA_NETNS_A_STREAMS_MAX,
			READ_ONCE(kmedia_max_streams)) ||
	    nla_put_u32(skb, KMEDIA_NETNS_A_SOCKETS, kn->n_sockets)) {
		mutex_unlock(&kn->lock);
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	mutex_unlock(&kn->lock);

	nla_nest_end(skb, nest);
	return 0;
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

/*
 * The stream table is still empty at this stage of the module; the dump
 * already answers with the table's generation so that userspace sees a
 * complete, consistent (empty) listing.
 */
static int kmedia_nl_stream_get_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	struct kmedia_net *kn = kmedia_pernet(sock_net(skb->sk));

	mutex_lock(&kn->lock);
	cb->seq = kn->gen;
	mutex_unlock(&kn->lock);
	return 0;
}

static const struct genl_ops kmedia_genl_ops[] = {
	{
		.cmd = KMEDIA_CMD_NETNS_GET,
		.doit = kmedia_nl_netns_get_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KMEDIA_CMD_STREAM_GET,
		.dumpit = kmedia_nl_stream_get_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
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
