// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: generic netlink commands on sockets (attach, detach, get, dump).
 */

#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"
#include "socket.h"

/* @cb is the dump in progress, or NULL for a single reply. */
static int kmedia_nl_fill_sock(struct sk_buff *skb, struct kmedia_sock *ks,
			       u32 portid, u32 seq, int flags, u8 cmd,
			       struct netlink_callback *cb)
{
	u64 ctrs[__KMEDIA_SOCK_CTR_MAX];
	struct nlattr *nest, *stats;
	unsigned int i;
	void *hdr;

	hdr = kmedia_nl_put_hdr(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, KMEDIA_A_SOCK);
	if (!nest)
		goto err;
	if (nla_put_u32(skb, KMEDIA_SOCK_A_ID, ks->id) ||
	    kmedia_nl_put_endpoint(skb, KMEDIA_SOCK_A_LOCAL, &ks->local) ||
	    nla_put_u32(skb, KMEDIA_SOCK_A_STREAMS, ks->n_streams))
		goto err;

	kmedia_obj_ctrs_read(ks->ctrs, __KMEDIA_SOCK_CTR_MAX, ctrs);
	for (i = KMEDIA_SOCK_RX_PACKETS + 1; i < __KMEDIA_SOCK_CTR_MAX; i++)
		ctrs[KMEDIA_SOCK_RX_PACKETS] += ctrs[i];
	stats = nla_nest_start(skb, KMEDIA_SOCK_A_STATS);
	if (!stats)
		goto err;
	for (i = 0; i < __KMEDIA_SOCK_CTR_MAX; i++)
		if (nla_put_u64_64bit(skb, KMEDIA_SOCK_STATS_A_RX_PACKETS + i,
				      ctrs[i], KMEDIA_SOCK_STATS_A_PAD))
			goto err;
	nla_nest_end(skb, stats);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int kmedia_nl_reply_sock(struct genl_info *info, struct kmedia_sock *ks)
{
	struct sk_buff *msg;
	int err;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = kmedia_nl_fill_sock(msg, ks, info->snd_portid, info->snd_seq, 0,
				  info->genlhdr->cmd, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Parse the request's sock nest; it must hold sock.id or sock.fd. */
static int kmedia_nl_sock_attrs(struct genl_info *info, struct nlattr **tb,
				int attr)
{
	struct nlattr *nest = info->attrs[KMEDIA_A_SOCK];
	int err;

	if (kmedia_nl_missing(info->extack, NULL, info->attrs, KMEDIA_A_SOCK,
			      "sock: attribute nest missing"))
		return -EINVAL;
	err = nla_parse_nested(tb, KMEDIA_SOCK_A_MAX, nest, NULL, info->extack);
	if (err)
		return err;
	if (attr == KMEDIA_SOCK_A_FD)
		return kmedia_nl_missing(info->extack, nest, tb, attr,
					 "sock.fd: missing") ? -EINVAL : 0;
	return kmedia_nl_missing(info->extack, nest, tb, attr,
				 "sock.id: missing") ? -EINVAL : 0;
}

/* Find the socket named by the request's sock.id; kn->lock held. */
static struct kmedia_sock *kmedia_nl_sock_lookup(struct kmedia_net *kn,
						 struct genl_info *info,
						 struct nlattr **tb)
{
	struct kmedia_sock *ks;

	ks = kmedia_sock_find(kn, nla_get_u32(tb[KMEDIA_SOCK_A_ID]));
	if (!ks)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KMEDIA_SOCK_A_ID],
				    "sock.id: no such socket");
	return ks;
}

int kmedia_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_SOCK_A_MAX + 1];
	struct kmedia_sock *ks;
	int err;

	err = kmedia_nl_sock_attrs(info, tb, KMEDIA_SOCK_A_FD);
	if (err)
		return err;
	if (tb[KMEDIA_SOCK_A_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KMEDIA_SOCK_A_ID],
				    "sock.id: assigned by the kernel on attach");
		return -EINVAL;
	}

	mutex_lock(&kn->lock);
	ks = kmedia_sock_attach(kn, nla_get_u32(tb[KMEDIA_SOCK_A_FD]),
				info->extack);
	if (IS_ERR(ks)) {
		err = PTR_ERR(ks);
		NL_SET_BAD_ATTR(info->extack, tb[KMEDIA_SOCK_A_FD]);
		goto out;
	}
	err = kmedia_nl_reply_sock(info, ks);
	if (err)
		kmedia_sock_detach(ks);
out:
	mutex_unlock(&kn->lock);
	return err;
}

int kmedia_nl_sock_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_SOCK_A_MAX + 1];
	struct kmedia_sock *ks;
	int err;

	err = kmedia_nl_sock_attrs(info, tb, KMEDIA_SOCK_A_ID);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	ks = kmedia_nl_sock_lookup(kn, info, tb);
	if (ks)
		kmedia_sock_detach(ks);
	mutex_unlock(&kn->lock);
	return ks ? 0 : -ENOENT;
}

int kmedia_nl_sock_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_SOCK_A_MAX + 1];
	struct kmedia_sock *ks;
	int err;

	err = kmedia_nl_sock_attrs(info, tb, KMEDIA_SOCK_A_ID);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	ks = kmedia_nl_sock_lookup(kn, info, tb);
	err = ks ? kmedia_nl_reply_sock(info, ks) : -ENOENT;
	mutex_unlock(&kn->lock);
	return err;
}

int kmedia_nl_sock_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kmedia_net *kn = kmedia_pernet(sock_net(skb->sk));
	struct kmedia_sock *ks;
	unsigned long id;
	int err = 0;

	mutex_lock(&kn->lock);
	cb->seq = kn->gen;
	xa_for_each_start(&kn->socks, id, ks, cb->args[0]) {
		err = kmedia_nl_fill_sock(skb, ks, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  KMEDIA_CMD_SOCK_GET, cb);
		if (err)
			break;
	}
	mutex_unlock(&kn->lock);
	return kmedia_nl_dump_done(skb, cb, id, err);
}
