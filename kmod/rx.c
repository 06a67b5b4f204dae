// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the receive half of the packet path.
 *
 * kmedia_encap_recv() runs for every datagram arriving on an attached
 * socket, in softirq context, under RCU. It decides in a few loads whether
 * the datagram belongs to one of the socket's streams; anything it does not
 * handle goes on to the socket untouched, so the owner still sees STUN,
 * DTLS, strangers and everything else.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "socket.h"
#include "stream.h"

/* The RTP fixed header; RTCP headers are 8 bytes but we need only 2. */
#define KMEDIA_RTP_HLEN 12

/* RFC 5761 section 4: RTCP packet types 192-223 cannot be RTP payload types
 * 64-95 with the marker bit, which is why they may share a port.
 */
static inline bool kmedia_is_rtcp(const u8 *hdr)
{
	return hdr[1] >= 192 && hdr[1] <= 223;
}

static void kmedia_skb_source(const struct sk_buff *skb,
			      struct kmedia_endpoint *src)
{
	src->port = udp_hdr(skb)->source;
	if (skb->protocol == htons(ETH_P_IP)) {
		src->family = AF_INET;
		src->addr4 = ip_hdr(skb)->saddr;
	} else {
		src->family = AF_INET6;
		src->addr6 = ipv6_hdr(skb)->saddr;
	}
}

/* Datagrams the IP layer reassembled, or that GRO aggregated. */
static bool kmedia_skb_assembled(const struct sk_buff *skb)
{
	if (skb_is_gso(skb))
		return true;
	if (skb->protocol == htons(ETH_P_IP))
		return IPCB(skb)->frag_max_size;
	return IP6CB(skb)->frag_max_size;
}

enum kmedia_source_verdict {
	KMEDIA_SOURCE_OK,
	KMEDIA_SOURCE_WRONG,
	KMEDIA_SOURCE_TO_LATCH,
};

/*
 * Does the source match what the stream accepts? A latching stream that has
 * not learned its source yet accepts any, but learns it only once the packet
 * passed every check (payload type, SRTP authentication), so neither a
 * filtered nor a forged packet can steer the stream.
 */
static enum kmedia_source_verdict
kmedia_source_check(const struct kmedia_stream_cfg *cfg,
		    const struct kmedia_endpoint *src)
{
	switch (cfg->src_mode) {
	case KMEDIA_SRC_STRICT:
		return kmedia_endpoint_equal(&cfg->src, src) ?
		       KMEDIA_SOURCE_OK : KMEDIA_SOURCE_WRONG;
	case KMEDIA_SRC_LATCH:
		/* Pairs with the release in kmedia_latch(): cfg->src is set. */
		if (smp_load_acquire(&cfg->latched))
			return kmedia_endpoint_equal(&cfg->src, src) ?
			       KMEDIA_SOURCE_OK : KMEDIA_SOURCE_WRONG;
		return KMEDIA_SOURCE_TO_LATCH;
	default:
		return KMEDIA_SOURCE_OK;
	}
}

/*
 * Learn the source of a packet that passed every check. One CPU wins the
 * race; a packet of another CPU that lost it was authenticated too and is
 * forwarded all the same.
 */
static void kmedia_latch(struct kmedia_stream *stream,
			 struct kmedia_stream_cfg *cfg,
			 const struct kmedia_endpoint *src)
{
	if (test_and_set_bit(0, &cfg->latch_claimed))
		return;
	cfg->src = *src;
	/* Publishes cfg->src to the acquire in kmedia_source_check(). */
	smp_store_release(&cfg->latched, true);
	kmedia_event_latch(stream, src);
}

static u8 kmedia_skb_tos(const struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return ipv4_get_dsfield(ip_hdr(skb));
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

static const u8 kmedia_srtp_drop_ctr[] = {
	[KMEDIA_SRTP_ERR_SHORT] = KMEDIA_STREAM_DROP_SRTP_SHORT,
	[KMEDIA_SRTP_ERR_MKI] = KMEDIA_STREAM_DROP_SRTP_MKI,
	[KMEDIA_SRTP_ERR_REPLAY] = KMEDIA_STREAM_DROP_SRTP_REPLAY,
	[KMEDIA_SRTP_ERR_AUTH] = KMEDIA_STREAM_DROP_SRTP_AUTH,
	[KMEDIA_SRTP_ERR_PROTECT] = KMEDIA_STREAM_DROP_SRTP_PROTECT,
};

/*
 * Unprotect an SRTP/SRTCP packet. Return: true if it could not be, in which
 * case it was dropped (freed) and counted.
 */
static bool kmedia_stream_unprotect(struct kmedia_stream *stream,
				    struct kmedia_stream_cfg *cfg,
				    struct sk_buff *skb)
{
	enum kmedia_srtp_err err;
	u32 failures;

	err = kmedia_srtp_unprotect(cfg->srtp_in, skb, sizeof(struct udphdr));
	if (likely(err == KMEDIA_SRTP_OK))
		return false;
	if (err == KMEDIA_SRTP_ERR_AUTH) {
		net_dbg_ratelimited("kmedia: stream %u: SRTP authentication failed\n",
				    stream->id);
		if (kmedia_srtp_fail_burst(cfg->srtp_in, &failures))
			kmedia_event_srtp_fail(stream, failures);
	}
	kmedia_stream_drop(stream, skb, kmedia_srtp_drop_ctr[err]);
	return true;
}

/*
 * Check, account and send on a packet of the stream; @latch_src is its
 * source when the stream is to learn it from this packet, else NULL.
 */
static int kmedia_stream_rx(struct kmedia_stream *stream,
			    struct kmedia_stream_cfg *cfg, struct sk_buff *skb,
			    const struct kmedia_endpoint *latch_src)
{
	unsigned int len = skb->len - sizeof(struct udphdr);
	struct kmedia_net *kn = stream->kn;
	unsigned long now;
	const u8 *hdr;
	u8 tos;

	hdr = skb->data + sizeof(struct udphdr);
	if (stream->kind == KMEDIA_KIND_RTP && cfg->pt_filter &&
	    !test_bit(hdr[1] & 0x7f, cfg->pt_allow))
		return kmedia_stream_drop(stream, skb, KMEDIA_STREAM_DROP_PT);
	if (cfg->srtp_in && kmedia_stream_unprotect(stream, cfg, skb))
		return 0;
	if (latch_src)
		kmedia_latch(stream, cfg, latch_src);
	/* Unprotecting may have moved the data. */
	hdr = skb->data + sizeof(struct udphdr);
	if (stream->kind == KMEDIA_KIND_RTP)
		kmedia_rtp_update(&stream->rtp, hdr, READ_ONCE(stream->clock_rate));

	kmedia_obj_ctr_inc(stream->ctrs, KMEDIA_STREAM_RX_PACKETS);
	kmedia_obj_ctr_add(stream->ctrs, KMEDIA_STREAM_RX_BYTES, len);
	kmedia_ctrs_inc(kn->ctrs, KMEDIA_NET_RX_PACKETS);
	kmedia_ctrs_add(kn->ctrs, KMEDIA_NET_RX_BYTES, len);
	/* Written once per tick at most, to spare the cache line. */
	now = jiffies;
	if (READ_ONCE(stream->last_rx) != now)
		WRITE_ONCE(stream->last_rx, now);
	if (unlikely(READ_ONCE(stream->idle_reported)))
		WRITE_ONCE(stream->idle_reported, false);

	tos = kmedia_skb_tos(skb);
	if (cfg->dscp_set)
		tos = (cfg->dscp << 2) | (tos & INET_ECN_MASK);
	if (cfg->srtp_out &&
	    kmedia_srtp_protect(cfg->srtp_out, skb, sizeof(struct udphdr)))
		return kmedia_stream_drop(stream, skb,
					  KMEDIA_STREAM_DROP_SRTP_PROTECT);
	return kmedia_xmit(stream, cfg, skb, tos);
}

/*
 * A datagram the socket gets: counted with its reason on the last look
 * only, as the lookup hook's first look passes it on to UDP, which calls
 * kmedia_encap_recv() with it again.
 */
static int kmedia_sock_pass(struct kmedia_sock *ks, bool last_look,
			    enum kmedia_sock_ctr why)
{
	if (last_look)
		kmedia_obj_ctr_inc(ks->ctrs, why);
	return 1;
}

/**
 * kmedia_sock_rx - the stream path of a datagram for an attached socket
 * @ks: the socket
 * @skb: the datagram, data at the UDP header, checksum verified
 * @last_look: false from the lookup hook (rx_lookup.c), true from UDP
 *
 * Return: 0 when the datagram was consumed (forwarded or dropped and
 * counted), 1 to hand it to the socket unchanged.
 */
int kmedia_sock_rx(struct kmedia_sock *ks, struct sk_buff *skb, bool last_look)
{
	enum kmedia_source_verdict verdict = KMEDIA_SOURCE_OK;
	struct kmedia_stream_cfg *cfg;
	struct kmedia_stream *stream;
	struct kmedia_endpoint src;
	const u8 *hdr;
	u8 kind;

	if (unlikely(kmedia_skb_assembled(skb)))
		return kmedia_sock_pass(ks, last_look, KMEDIA_SOCK_PASS_FRAGMENT);
	/* An RTCP header is shorter, but RTCP packets worth relaying never
	 * are: the smallest real one (an empty RR) is 8 bytes.
	 */
	if (!pskb_may_pull(skb, sizeof(struct udphdr) + 8))
		goto not_rtp;
	hdr = skb->data + sizeof(struct udphdr);
	if ((hdr[0] >> 6) != 2)
		goto not_rtp;
	kind = kmedia_is_rtcp(hdr) ? KMEDIA_KIND_RTCP : KMEDIA_KIND_RTP;
	if (kind == KMEDIA_KIND_RTP) {
		if (!pskb_may_pull(skb, sizeof(struct udphdr) + KMEDIA_RTP_HLEN))
			goto not_rtp;
		hdr = skb->data + sizeof(struct udphdr);
	}

	stream = rcu_dereference(ks->streams[kind]);
	if (!stream)
		return kmedia_sock_pass(ks, last_look, KMEDIA_SOCK_PASS_NO_STREAM);
	cfg = rcu_dereference(stream->cfg);
	if (cfg->src_mode != KMEDIA_SRC_ANY) {
		kmedia_skb_source(skb, &src);
		verdict = kmedia_source_check(cfg, &src);
		if (verdict == KMEDIA_SOURCE_WRONG)
			return kmedia_sock_pass(ks, last_look,
						KMEDIA_SOCK_PASS_SOURCE);
	}
	kmedia_obj_ctr_inc(ks->ctrs, KMEDIA_SOCK_TO_STREAM);
	return kmedia_stream_rx(stream, cfg, skb,
				verdict == KMEDIA_SOURCE_TO_LATCH ? &src : NULL);

not_rtp:
	return kmedia_sock_pass(ks, last_look, KMEDIA_SOCK_PASS_NOT_RTP);
}

/**
 * kmedia_encap_recv - UDP encap_rcv hook of attached sockets
 * @sk: the socket the datagram arrived on
 * @skb: the datagram, data at the UDP header, checksum verified
 *
 * Datagrams of indexed sockets (rx_lookup.c) arrive here only when the
 * lookup hook left them to the socket, or raced with the socket's attach.
 *
 * Return: 0 when the datagram was consumed, 1 to hand it to the socket.
 */
int kmedia_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct kmedia_sock *ks = rcu_dereference_sk_user_data(sk);

	if (unlikely(!ks))
		return 1;
	return kmedia_sock_rx(ks, skb, true);
}
