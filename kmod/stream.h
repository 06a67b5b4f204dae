/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: streams, one direction of one media flow each.
 */
#ifndef _KMEDIA_STREAM_H
#define _KMEDIA_STREAM_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <uapi/linux/kmedia.h>

#include "endpoint.h"
#include "kmedia.h"
#include "route.h"
#include "rtp.h"
#include "srtp.h"

struct kmedia_sock;
struct netlink_ext_ack;

/* Per-stream counters; kmedia_stream_ctr_attr maps them to attributes. */
enum kmedia_stream_ctr {
	KMEDIA_STREAM_RX_PACKETS,
	KMEDIA_STREAM_RX_BYTES,
	KMEDIA_STREAM_TX_PACKETS,
	KMEDIA_STREAM_TX_BYTES,
	KMEDIA_STREAM_DROP_PT,
	KMEDIA_STREAM_DROP_ROUTE,
	KMEDIA_STREAM_DROP_XMIT,
	KMEDIA_STREAM_DROP_SRTP_AUTH,
	KMEDIA_STREAM_DROP_SRTP_REPLAY,
	KMEDIA_STREAM_DROP_SRTP_SHORT,
	KMEDIA_STREAM_DROP_SRTP_MKI,
	KMEDIA_STREAM_DROP_SRTP_PROTECT,
	__KMEDIA_STREAM_CTR_MAX,
};

/* The statistics attribute of each stream counter, in order. */
extern const u8 kmedia_stream_ctr_attr[__KMEDIA_STREAM_CTR_MAX];

#define KMEDIA_PT_COUNT 128

/**
 * struct kmedia_stream_cfg - what a change may replace, swapped as a whole
 * @sock_out: egress socket (referenced)
 * @dst: destination
 * @src: expected source (strict) or learned source (latch, once @latched)
 * @src_mode: enum kmedia_src_mode
 * @latch_claimed: a CPU won the right to latch (test_and_set_bit bit 0)
 * @latched: @src holds the learned source (read with acquire)
 * @dscp_set: rewrite DSCP to @dscp instead of keeping the received one
 * @dscp: DSCP of forwarded packets
 * @pt_filter: only payload types in @pt_allow pass
 * @pt_allow: allowed RTP payload types
 * @srtp_in: how packets arrive (NULL: plain), shared with the previous
 *	configuration when a change left it alone
 * @srtp_out: how packets leave (NULL: plain), likewise
 * @route: cached route to @dst, with its source address
 * @rcu: frees the old configuration after a change
 *
 * A packet reads the configuration once (RCU) and uses it throughout, so a
 * change takes effect between two packets and no packet sees half of it.
 */
struct kmedia_stream_cfg {
	struct kmedia_sock *sock_out;
	struct kmedia_endpoint dst;
	struct kmedia_endpoint src;
	u8 src_mode;
	unsigned long latch_claimed;
	bool latched;
	bool dscp_set;
	u8 dscp;
	bool pt_filter;
	DECLARE_BITMAP(pt_allow, KMEDIA_PT_COUNT);
	struct kmedia_srtp *srtp_in;
	struct kmedia_srtp *srtp_out;
	struct kmedia_route_cache route;
	struct rcu_head rcu;
};

/**
 * struct kmedia_stream - one direction of one media flow
 * @cfg: current configuration (RCU, replaced whole by a change)
 * @kn: the namespace's state
 * @kind: enum kmedia_stream_kind
 * @idle_reported: the idle event went out; cleared by the next packet
 * @clock_rate: RTP clock rate for jitter, Hz
 * @last_rx: jiffies of the last packet, or of creation
 * @rtp: statistics of the current RTP sender
 * @ctrs: counters, enum kmedia_stream_ctr (see kmedia_obj_ctr_add())
 * @id: identifier in the namespace
 * @cookie: caller's tag
 * @sock_in: ingress socket (referenced)
 * @idle_timeout: jiffies without a packet before an idle event, 0 = never
 * @in_node: entry in sock_in->streams_in
 * @out_node: entry in cfg->sock_out->streams_out
 * @idle_node: entry in kn->idle_streams while @idle_timeout is set
 * @rcu: frees the stream after the packet path is done with it
 *
 * What every packet reads or writes comes first, so that a packet of a
 * stream whose lines are not in cache fetches as few as it can; the rest
 * is for netlink and the idle scan.
 */
struct kmedia_stream {
	struct kmedia_stream_cfg __rcu *cfg;
	struct kmedia_net *kn;
	u8 kind;
	bool idle_reported;
	u32 clock_rate;
	unsigned long last_rx;
	struct kmedia_rtp_state rtp;
	atomic64_t ctrs[__KMEDIA_STREAM_CTR_MAX];

	u32 id;
	u64 cookie;
	struct kmedia_sock *sock_in;
	unsigned long idle_timeout;
	struct list_head in_node;
	struct list_head out_node;
	struct list_head idle_node;
	struct rcu_head rcu;
};

/**
 * struct kmedia_stream_params - a request to create or change a stream
 * @has: bit per enum kmedia_stream_attr present in the request
 * @cookie: KMEDIA_STREAM_A_COOKIE
 * @kind: KMEDIA_STREAM_A_KIND
 * @sock_in: KMEDIA_STREAM_A_SOCK_IN, resolved
 * @sock_out: KMEDIA_STREAM_A_SOCK_OUT, resolved
 * @dst: KMEDIA_STREAM_A_DST
 * @src: KMEDIA_STREAM_A_SRC
 * @src_mode: KMEDIA_STREAM_A_SRC_MODE
 * @pt_allow: KMEDIA_STREAM_A_PT_ALLOW
 * @dscp: KMEDIA_STREAM_A_DSCP
 * @idle_timeout_ms: KMEDIA_STREAM_A_IDLE_TIMEOUT
 * @clock_rate: KMEDIA_STREAM_A_CLOCK_RATE
 * @srtp_in: KMEDIA_STREAM_A_SRTP_IN (holds key material: wipe after use)
 * @srtp_out: KMEDIA_STREAM_A_SRTP_OUT (likewise)
 */
struct kmedia_stream_params {
	u32 has;
	u64 cookie;
	u8 kind;
	struct kmedia_sock *sock_in;
	struct kmedia_sock *sock_out;
	struct kmedia_endpoint dst;
	struct kmedia_endpoint src;
	u8 src_mode;
	DECLARE_BITMAP(pt_allow, KMEDIA_PT_COUNT);
	u8 dscp;
	u32 idle_timeout_ms;
	u32 clock_rate;
	struct kmedia_srtp_params srtp_in;
	struct kmedia_srtp_params srtp_out;
};

#define KMEDIA_HAS(p, attr) ((p)->has & BIT(attr))

struct kmedia_stream *kmedia_stream_create(struct kmedia_net *kn,
					   const struct kmedia_stream_params *p,
					   struct netlink_ext_ack *extack);
int kmedia_stream_change(struct kmedia_stream *stream,
			 const struct kmedia_stream_params *p,
			 struct netlink_ext_ack *extack);
void kmedia_stream_remove(struct kmedia_stream *stream);
int kmedia_stream_cache_init(void);
void kmedia_stream_cache_exit(void);
struct kmedia_stream *kmedia_stream_find(struct kmedia_net *kn, u32 id);

/* Packet path: drop a packet, counted against the stream and namespace. */
static inline int kmedia_stream_drop(struct kmedia_stream *stream,
				     struct sk_buff *skb,
				     enum kmedia_stream_ctr why)
{
	kmedia_obj_ctr_inc(stream->ctrs, why);
	kmedia_ctrs_inc(stream->kn->ctrs, kmedia_net_ctr_of(why));
	kfree_skb(skb);
	return 0;
}

/* rx.c / tx.c */
int kmedia_encap_recv(struct sock *sk, struct sk_buff *skb);
int kmedia_xmit(struct kmedia_stream *stream, struct kmedia_stream_cfg *cfg,
		struct sk_buff *skb, u8 tos);

/* events.c */
void kmedia_event_latch(struct kmedia_stream *stream,
			const struct kmedia_endpoint *src);
void kmedia_idle_arm(struct kmedia_net *kn);
void kmedia_idle_work(struct work_struct *work);
void kmedia_event_srtp_fail(struct kmedia_stream *stream, u32 failures);

#endif /* _KMEDIA_STREAM_H */
