// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: generic netlink commands on streams.
 */

#include <linux/jiffies.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "netlink.h"
#include "socket.h"
#include "stream.h"

/* Dump state in cb->ctx; the index comes first, where cb->args[0] is. */
struct kmedia_stream_dump_ctx {
	unsigned long index;
	u64 cookie;
	u32 sock_in;
	bool by_cookie;
	bool by_sock_in;
};

static int kmedia_nl_put_rtp(struct sk_buff *skb, struct kmedia_stream *stream)
{
	struct kmedia_rtp_snapshot snap;

	kmedia_rtp_snapshot(&stream->rtp, &snap);
	if (!snap.started)
		return 0;
	if (nla_put_u32(skb, KMEDIA_STATS_A_SSRC, snap.ssrc) ||
	    nla_put_u32(skb, KMEDIA_STATS_A_EXT_MAX_SEQ, snap.ext_max_seq) ||
	    nla_put_u64_64bit(skb, KMEDIA_STATS_A_RTP_RECEIVED, snap.received,
			      KMEDIA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, KMEDIA_STATS_A_RTP_EXPECTED, snap.expected,
			      KMEDIA_STATS_A_PAD) ||
	    nla_put_s64(skb, KMEDIA_STATS_A_RTP_LOST,
			(s64)snap.expected - (s64)snap.received,
			KMEDIA_STATS_A_PAD) ||
	    nla_put_u32(skb, KMEDIA_STATS_A_JITTER, snap.jitter))
		return -EMSGSIZE;
	return 0;
}

static u32 kmedia_stream_idle_ms(const struct kmedia_stream *stream)
{
	return jiffies_to_msecs(jiffies - READ_ONCE(stream->last_rx));
}

/* Fill one stream; kn->lock held. @cb: the dump in progress, or NULL. */
static int kmedia_nl_fill_stream(struct sk_buff *skb,
				 struct kmedia_stream *stream, u32 portid,
				 u32 seq, int flags, u8 cmd,
				 struct netlink_callback *cb)
{
	struct kmedia_stream_cfg *cfg;
	struct nlattr *nest, *stats;
	u64 ctrs[__KMEDIA_STREAM_CTR_MAX];
	unsigned int i;
	void *hdr;

	cfg = rcu_dereference_protected(stream->cfg,
					lockdep_is_held(&stream->kn->lock));
	hdr = kmedia_nl_put_hdr(skb, portid, seq, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, KMEDIA_A_STREAM);
	if (!nest)
		goto err;
	if (nla_put_u32(skb, KMEDIA_STREAM_A_ID, stream->id) ||
	    nla_put_u64_64bit(skb, KMEDIA_STREAM_A_COOKIE, stream->cookie,
			      KMEDIA_STREAM_A_PAD) ||
	    nla_put_u32(skb, KMEDIA_STREAM_A_SOCK_IN, stream->sock_in->id) ||
	    nla_put_u8(skb, KMEDIA_STREAM_A_KIND, stream->kind) ||
	    nla_put_u32(skb, KMEDIA_STREAM_A_SOCK_OUT, cfg->sock_out->id) ||
	    kmedia_nl_put_endpoint(skb, KMEDIA_STREAM_A_DST, &cfg->dst) ||
	    nla_put_u8(skb, KMEDIA_STREAM_A_SRC_MODE, cfg->src_mode) ||
	    nla_put_u32(skb, KMEDIA_STREAM_A_IDLE_TIMEOUT,
			jiffies_to_msecs(stream->idle_timeout)) ||
	    nla_put_u32(skb, KMEDIA_STREAM_A_CLOCK_RATE, stream->clock_rate) ||
	    nla_put_u32(skb, KMEDIA_STREAM_A_IDLE_MS,
			kmedia_stream_idle_ms(stream)))
		goto err;
	if (cfg->src_mode == KMEDIA_SRC_STRICT &&
	    kmedia_nl_put_endpoint(skb, KMEDIA_STREAM_A_SRC, &cfg->src))
		goto err;
	/* pairs with the release in kmedia_latch() */
	if (cfg->src_mode == KMEDIA_SRC_LATCH && smp_load_acquire(&cfg->latched) &&
	    (nla_put_flag(skb, KMEDIA_STREAM_A_LATCHED) ||
	     kmedia_nl_put_endpoint(skb, KMEDIA_STREAM_A_SRC, &cfg->src)))
		goto err;
	if (cfg->pt_filter) {
		u8 bytes[KMEDIA_PT_BITMAP_LEN] = {};

		for (i = 0; i < KMEDIA_PT_COUNT; i++)
			if (test_bit(i, cfg->pt_allow))
				bytes[i / 8] |= 1 << (i % 8);
		if (nla_put(skb, KMEDIA_STREAM_A_PT_ALLOW, sizeof(bytes), bytes))
			goto err;
	}
	if (cfg->dscp_set && nla_put_u8(skb, KMEDIA_STREAM_A_DSCP, cfg->dscp))
		goto err;
	if (cfg->srtp_in &&
	    kmedia_nl_put_srtp(skb, KMEDIA_STREAM_A_SRTP_IN, cfg->srtp_in))
		goto err;
	if (cfg->srtp_out &&
	    kmedia_nl_put_srtp(skb, KMEDIA_STREAM_A_SRTP_OUT, cfg->srtp_out))
		goto err;

	kmedia_obj_ctrs_read(stream->ctrs, __KMEDIA_STREAM_CTR_MAX, ctrs);
	stats = nla_nest_start(skb, KMEDIA_STREAM_A_STATS);
	if (!stats)
		goto err;
	if (kmedia_nl_put_ctrs(skb, ctrs) || kmedia_nl_put_rtp(skb, stream))
		goto err;
	nla_nest_end(skb, stats);

	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * A stream with its SRTP contexts and statistics takes about 700 bytes. A
 * buffer of that order spares every reply the copy netlink_trim() makes of
 * a page-sized one that is mostly empty; a stream that does not fit gets
 * the page.
 */
#define KMEDIA_NL_STREAM_REPLY_SIZE 1024

static int kmedia_nl_reply_stream(struct genl_info *info,
				  struct kmedia_stream *stream)
{
	size_t size = KMEDIA_NL_STREAM_REPLY_SIZE;
	struct sk_buff *msg;
	int err;

	for (;;) {
		msg = nlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		err = kmedia_nl_fill_stream(msg, stream, info->snd_portid,
					    info->snd_seq, 0,
					    info->genlhdr->cmd, NULL);
		if (!err)
			return genlmsg_reply(msg, info);
		nlmsg_free(msg);
		if (err != -EMSGSIZE || size == NLMSG_DEFAULT_SIZE)
			return err;
		size = NLMSG_DEFAULT_SIZE;
	}
}

/*
 * What a new stream's creator needs back is the ID the module chose: the
 * rest is what it asked for, defaults and zero counters. Filling and
 * parsing the whole stream took most of an install's time, so STREAM_NEW
 * answers with the ID alone, in a buffer sized for it; STREAM_GET gives
 * the whole stream to whoever wants it.
 */
static int kmedia_nl_reply_stream_id(struct genl_info *info, u32 id)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(nla_total_size(nla_total_size(sizeof(u32))),
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = kmedia_nl_put_hdr(msg, info->snd_portid, info->snd_seq, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto err;
	nest = nla_nest_start(msg, KMEDIA_A_STREAM);
	if (!nest || nla_put_u32(msg, KMEDIA_STREAM_A_ID, id))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* Parse the request's stream nest into @tb; @need_id: stream.id required. */
static int kmedia_nl_stream_attrs(struct genl_info *info, struct nlattr **tb,
				  bool need_id)
{
	struct nlattr *nest = info->attrs[KMEDIA_A_STREAM];
	int err;

	if (kmedia_nl_missing(info->extack, NULL, info->attrs, KMEDIA_A_STREAM,
			      "stream: attribute nest missing"))
		return -EINVAL;
	err = nla_parse_nested(tb, KMEDIA_STREAM_A_MAX, nest, NULL, info->extack);
	if (err)
		return err;
	if (need_id && kmedia_nl_missing(info->extack, nest, tb, KMEDIA_STREAM_A_ID,
					 "stream.id: missing"))
		return -EINVAL;
	return 0;
}

static struct kmedia_sock *kmedia_nl_stream_sock(struct kmedia_net *kn,
						 struct nlattr *attr,
						 struct netlink_ext_ack *extack)
{
	struct kmedia_sock *ks = kmedia_sock_find(kn, nla_get_u32(attr));

	if (!ks)
		NL_SET_ERR_MSG_ATTR(extack, attr, "stream: no such socket");
	return ks;
}

/*
 * Turn the attributes of a new or change request into parameters,
 * resolving socket IDs; kn->lock held. Attributes a change may not touch
 * are refused here.
 */
static int kmedia_nl_stream_params(struct kmedia_net *kn, struct nlattr **tb,
				   struct kmedia_stream_params *p, bool change,
				   struct netlink_ext_ack *extack)
{
	int err, a;

	memset(p, 0, sizeof(*p));
	for (a = 1; a <= KMEDIA_STREAM_A_MAX; a++)
		if (tb[a])
			p->has |= BIT(a);

	if (change) {
		for (a = KMEDIA_STREAM_A_SOCK_IN; a <= KMEDIA_STREAM_A_KIND; a++) {
			if (tb[a]) {
				NL_SET_ERR_MSG_ATTR(extack, tb[a],
						    "stream: sock-in and kind are fixed at creation");
				return -EINVAL;
			}
		}
	} else {
		if (tb[KMEDIA_STREAM_A_ID]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KMEDIA_STREAM_A_ID],
					    "stream.id: assigned by the kernel");
			return -EINVAL;
		}
		p->sock_in = kmedia_nl_stream_sock(kn, tb[KMEDIA_STREAM_A_SOCK_IN],
						   extack);
		if (!p->sock_in)
			return -ENOENT;
		if (tb[KMEDIA_STREAM_A_KIND])
			p->kind = nla_get_u8(tb[KMEDIA_STREAM_A_KIND]);
	}

	if (tb[KMEDIA_STREAM_A_COOKIE])
		p->cookie = nla_get_u64(tb[KMEDIA_STREAM_A_COOKIE]);
	if (tb[KMEDIA_STREAM_A_SOCK_OUT]) {
		p->sock_out = kmedia_nl_stream_sock(kn, tb[KMEDIA_STREAM_A_SOCK_OUT],
						    extack);
		if (!p->sock_out)
			return -ENOENT;
	}
	if (tb[KMEDIA_STREAM_A_DST]) {
		err = kmedia_nl_parse_endpoint(tb[KMEDIA_STREAM_A_DST], &p->dst,
					       extack);
		if (err)
			return err;
	}
	if (tb[KMEDIA_STREAM_A_SRC_MODE])
		p->src_mode = nla_get_u8(tb[KMEDIA_STREAM_A_SRC_MODE]);
	if (tb[KMEDIA_STREAM_A_SRC]) {
		err = kmedia_nl_parse_endpoint(tb[KMEDIA_STREAM_A_SRC], &p->src,
					       extack);
		if (err)
			return err;
	}
	if (tb[KMEDIA_STREAM_A_PT_ALLOW]) {
		const u8 *bytes = nla_data(tb[KMEDIA_STREAM_A_PT_ALLOW]);

		for (a = 0; a < KMEDIA_PT_COUNT; a++)
			if (bytes[a / 8] & (1 << (a % 8)))
				__set_bit(a, p->pt_allow);
	}
	if (tb[KMEDIA_STREAM_A_DSCP])
		p->dscp = nla_get_u8(tb[KMEDIA_STREAM_A_DSCP]);
	if (tb[KMEDIA_STREAM_A_IDLE_TIMEOUT])
		p->idle_timeout_ms = nla_get_u32(tb[KMEDIA_STREAM_A_IDLE_TIMEOUT]);
	if (tb[KMEDIA_STREAM_A_CLOCK_RATE])
		p->clock_rate = nla_get_u32(tb[KMEDIA_STREAM_A_CLOCK_RATE]);
	if (tb[KMEDIA_STREAM_A_SRTP_IN]) {
		err = kmedia_nl_parse_srtp(tb[KMEDIA_STREAM_A_SRTP_IN],
					   &p->srtp_in, extack);
		if (err)
			return err;
	}
	if (tb[KMEDIA_STREAM_A_SRTP_OUT]) {
		err = kmedia_nl_parse_srtp(tb[KMEDIA_STREAM_A_SRTP_OUT],
					   &p->srtp_out, extack);
		if (err)
			return err;
	}
	return 0;
}

int kmedia_nl_stream_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1];
	struct kmedia_stream_params p;
	struct kmedia_stream *stream;
	struct nlattr *nest;
	int err;

	err = kmedia_nl_stream_attrs(info, tb, false);
	if (err)
		return err;
	nest = info->attrs[KMEDIA_A_STREAM];
	if (kmedia_nl_missing(info->extack, nest, tb, KMEDIA_STREAM_A_SOCK_IN,
			      "stream.sock-in: missing") ||
	    kmedia_nl_missing(info->extack, nest, tb, KMEDIA_STREAM_A_SOCK_OUT,
			      "stream.sock-out: missing") ||
	    kmedia_nl_missing(info->extack, nest, tb, KMEDIA_STREAM_A_DST,
			      "stream.dst: missing"))
		return -EINVAL;

	mutex_lock(&kn->lock);
	err = kmedia_nl_stream_params(kn, tb, &p, false, info->extack);
	if (err)
		goto out;
	stream = kmedia_stream_create(kn, &p, info->extack);
	if (IS_ERR(stream)) {
		err = PTR_ERR(stream);
		goto out;
	}
	err = kmedia_nl_reply_stream_id(info, stream->id);
	if (err)
		kmedia_stream_remove(stream);
out:
	mutex_unlock(&kn->lock);
	memzero_explicit(&p, sizeof(p));	/* master keys */
	return err;
}

/* Find the stream named by the request's stream.id; kn->lock held. */
static struct kmedia_stream *kmedia_nl_stream_lookup(struct kmedia_net *kn,
						     struct genl_info *info,
						     struct nlattr **tb)
{
	struct kmedia_stream *stream;

	stream = kmedia_stream_find(kn, nla_get_u32(tb[KMEDIA_STREAM_A_ID]));
	if (!stream)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KMEDIA_STREAM_A_ID],
				    "stream.id: no such stream");
	return stream;
}

int kmedia_nl_stream_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1];
	struct kmedia_stream_params p;
	struct kmedia_stream *stream;
	int err;

	err = kmedia_nl_stream_attrs(info, tb, true);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	stream = kmedia_nl_stream_lookup(kn, info, tb);
	if (!stream) {
		err = -ENOENT;
		goto out;
	}
	err = kmedia_nl_stream_params(kn, tb, &p, true, info->extack);
	if (err)
		goto out;
	p.sock_in = stream->sock_in;
	p.kind = stream->kind;
	err = kmedia_stream_change(stream, &p, info->extack);
out:
	mutex_unlock(&kn->lock);
	memzero_explicit(&p, sizeof(p));	/* master keys */
	return err;
}

int kmedia_nl_stream_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1];
	struct kmedia_stream *stream;
	int err;

	err = kmedia_nl_stream_attrs(info, tb, true);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	stream = kmedia_nl_stream_lookup(kn, info, tb);
	if (stream)
		kmedia_stream_remove(stream);
	mutex_unlock(&kn->lock);
	return stream ? 0 : -ENOENT;
}

int kmedia_nl_stream_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1];
	struct kmedia_stream *stream;
	int err;

	err = kmedia_nl_stream_attrs(info, tb, true);
	if (err)
		return err;

	mutex_lock(&kn->lock);
	stream = kmedia_nl_stream_lookup(kn, info, tb);
	err = stream ? kmedia_nl_reply_stream(info, stream) : -ENOENT;
	mutex_unlock(&kn->lock);
	return err;
}

int kmedia_nl_stream_get_start(struct netlink_callback *cb)
{
	struct kmedia_stream_dump_ctx *ctx = (void *)cb->ctx;
	struct nlattr **attrs = kmedia_dump_attrs(cb);
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1];
	int err;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	BUILD_BUG_ON(offsetof(struct kmedia_stream_dump_ctx, index) != 0);
	memset(ctx, 0, sizeof(*ctx));
	if (!attrs[KMEDIA_A_STREAM])
		return 0;
	err = nla_parse_nested(tb, KMEDIA_STREAM_A_MAX, attrs[KMEDIA_A_STREAM],
			       NULL, cb->extack);
	if (err)
		return err;
	if (tb[KMEDIA_STREAM_A_COOKIE]) {
		ctx->by_cookie = true;
		ctx->cookie = nla_get_u64(tb[KMEDIA_STREAM_A_COOKIE]);
	}
	if (tb[KMEDIA_STREAM_A_SOCK_IN]) {
		ctx->by_sock_in = true;
		ctx->sock_in = nla_get_u32(tb[KMEDIA_STREAM_A_SOCK_IN]);
	}
	return 0;
}

int kmedia_nl_stream_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kmedia_net *kn = kmedia_pernet(sock_net(skb->sk));
	struct kmedia_stream_dump_ctx *ctx = (void *)cb->ctx;
	struct kmedia_stream *stream;
	unsigned long id;
	int err = 0;

	mutex_lock(&kn->lock);
	cb->seq = kn->gen;
	xa_for_each_start(&kn->streams, id, stream, ctx->index) {
		if (ctx->by_cookie && stream->cookie != ctx->cookie)
			continue;
		if (ctx->by_sock_in && stream->sock_in->id != ctx->sock_in)
			continue;
		err = kmedia_nl_fill_stream(skb, stream, NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI,
					    KMEDIA_CMD_STREAM_GET, cb);
		if (err)
			break;
	}
	mutex_unlock(&kn->lock);
	return kmedia_nl_dump_done(skb, cb, id, err);
}

int kmedia_nl_stream_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kmedia_net *kn = kmedia_pernet(genl_info_net(info));
	struct nlattr *tb[KMEDIA_STREAM_A_MAX + 1] = {};
	struct kmedia_stream *stream;
	bool by_cookie = false;
	struct sk_buff *msg;
	u32 count = 0;
	unsigned long id;
	u64 cookie = 0;
	void *hdr;
	int err, a;

	if (info->attrs[KMEDIA_A_STREAM]) {
		err = kmedia_nl_stream_attrs(info, tb, false);
		if (err)
			return err;
	}
	for (a = 1; a <= KMEDIA_STREAM_A_MAX; a++) {
		if (tb[a] && a != KMEDIA_STREAM_A_COOKIE) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[a],
					    "stream: flush selects by cookie only");
			return -EINVAL;
		}
	}
	if (tb[KMEDIA_STREAM_A_COOKIE]) {
		by_cookie = true;
		cookie = nla_get_u64(tb[KMEDIA_STREAM_A_COOKIE]);
	}

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	xa_for_each(&kn->streams, id, stream) {
		if (by_cookie && stream->cookie != cookie)
			continue;
		kmedia_stream_remove(stream);
		count++;
	}
	mutex_unlock(&kn->lock);

	hdr = kmedia_nl_put_hdr(msg, info->snd_portid, info->snd_seq, 0,
				KMEDIA_CMD_STREAM_FLUSH);
	if (!hdr || nla_put_u32(msg, KMEDIA_A_COUNT, count)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * An event about @stream: its ID and cookie, plus what @cmd reports: the
 * latched @src, or @value as idle milliseconds or SRTP failures.
 */
int kmedia_nl_put_stream_event(struct sk_buff *skb, struct kmedia_stream *stream,
			       u8 cmd, const struct kmedia_endpoint *src,
			       u32 value)
{
	struct nlattr *nest;
	int err;

	nest = nla_nest_start(skb, KMEDIA_A_STREAM);
	if (!nest)
		return -EMSGSIZE;
	err = nla_put_u32(skb, KMEDIA_STREAM_A_ID, stream->id) ||
	      nla_put_u64_64bit(skb, KMEDIA_STREAM_A_COOKIE,
				READ_ONCE(stream->cookie), KMEDIA_STREAM_A_PAD);
	switch (cmd) {
	case KMEDIA_CMD_STREAM_LATCH_NTF:
		err = err || kmedia_nl_put_endpoint(skb, KMEDIA_STREAM_A_SRC, src);
		break;
	case KMEDIA_CMD_STREAM_IDLE_NTF:
		err = err || nla_put_u32(skb, KMEDIA_STREAM_A_IDLE_MS, value);
		break;
	case KMEDIA_CMD_STREAM_SRTP_FAIL_NTF:
		err = err || nla_put_u32(skb, KMEDIA_STREAM_A_SRTP_FAILURES, value);
		break;
	}
	if (err) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
