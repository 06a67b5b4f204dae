// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the transmit half of the packet path.
 *
 * The received skb is reused: its UDP payload (the RTP/RTCP packet) stays
 * where it is, new UDP and IP headers are written in front of it, and it
 * leaves through the IP output path as if the egress socket had sent it.
 * Routes are cached per stream (route.c) with the source address they
 * chose, so the steady state does no route lookup.
 */

#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp.h>

#include "socket.h"
#include "stream.h"

static void kmedia_sent(struct kmedia_stream *stream, unsigned int len, int err)
{
	struct kmedia_net *kn = stream->kn;

	if (unlikely(net_xmit_eval(err))) {
		kmedia_obj_ctr_inc(stream->ctrs, KMEDIA_STREAM_DROP_XMIT);
		kmedia_ctrs_inc(kn->ctrs, KMEDIA_NET_DROP_XMIT);
		return;
	}
	kmedia_obj_ctr_inc(stream->ctrs, KMEDIA_STREAM_TX_PACKETS);
	kmedia_obj_ctr_add(stream->ctrs, KMEDIA_STREAM_TX_BYTES, len);
	kmedia_ctrs_inc(kn->ctrs, KMEDIA_NET_TX_PACKETS);
	kmedia_ctrs_add(kn->ctrs, KMEDIA_NET_TX_BYTES, len);
}

static struct udphdr *kmedia_push_udp(struct sk_buff *skb,
				      const struct kmedia_sock *out,
				      const struct kmedia_endpoint *dst)
{
	struct udphdr *uh;

	__skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh = udp_hdr(skb);
	uh->source = out->local.port;
	uh->dest = dst->port;
	uh->len = htons(skb->len);
	uh->check = 0;
	return uh;
}

static int kmedia_xmit4(struct kmedia_stream *stream,
			struct kmedia_stream_cfg *cfg, struct sk_buff *skb,
			u8 tos)
{
	struct sock *sk = cfg->sock_out->sk;
	struct net *net = sock_net(sk);
	unsigned int len = skb->len;
	struct dst_entry *dst;
	struct rtable *rt;
	struct iphdr *iph;
	__be32 saddr;
	int err;

	dst = kmedia_route_get4(&cfg->route, &saddr);
	if (dst) {
		rt = container_of(dst, struct rtable, dst);
	} else {
		struct flowi4 fl4 = {
			.daddr = cfg->dst.addr4,
			.saddr = cfg->sock_out->local.addr4,
			.flowi4_oif = READ_ONCE(sk->sk_bound_dev_if),
			.flowi4_mark = READ_ONCE(sk->sk_mark),
			.flowi4_proto = IPPROTO_UDP,
			.fl4_sport = cfg->sock_out->local.port,
			.fl4_dport = cfg->dst.port,
		};

		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt))
			return kmedia_stream_drop(stream, skb, KMEDIA_STREAM_DROP_ROUTE);
		saddr = fl4.saddr;
		kmedia_route_set4(&cfg->route, &rt->dst, saddr);
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) + rt->dst.header_len +
			 sizeof(*iph) + sizeof(struct udphdr))) {
		ip_rt_put(rt);
		return kmedia_stream_drop(stream, skb, KMEDIA_STREAM_DROP_XMIT);
	}
	skb_dst_set(skb, &rt->dst);

	kmedia_push_udp(skb, cfg->sock_out, &cfg->dst);
	udp_set_csum(sk->sk_no_check_tx, skb, saddr, cfg->dst.addr4, skb->len);

	__skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = tos;
	iph->tot_len = htons(skb->len);
	iph->frag_off = 0;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = saddr;
	iph->daddr = cfg->dst.addr4;
	ip_select_ident(net, skb, NULL);

	skb->protocol = htons(ETH_P_IP);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	err = ip_local_out(net, sk, skb);
	kmedia_sent(stream, len, err);
	return 0;
}

static int kmedia_xmit6(struct kmedia_stream *stream,
			struct kmedia_stream_cfg *cfg, struct sk_buff *skb,
			u8 tos)
{
	struct sock *sk = cfg->sock_out->sk;
	struct net *net = sock_net(sk);
	unsigned int len = skb->len;
	struct dst_entry *dst;
	struct in6_addr saddr;
	struct ipv6hdr *ip6h;
	int err;

	dst = kmedia_route_get6(&cfg->route, &saddr);
	if (!dst) {
		struct flowi6 fl6 = {
			.daddr = cfg->dst.addr6,
			.saddr = cfg->sock_out->local.addr6,
			.flowi6_oif = READ_ONCE(sk->sk_bound_dev_if),
			.flowi6_mark = READ_ONCE(sk->sk_mark),
			.flowi6_proto = IPPROTO_UDP,
			.fl6_sport = cfg->sock_out->local.port,
			.fl6_dport = cfg->dst.port,
		};

		dst = ipv6_stub->ipv6_dst_lookup_flow(net, sk, &fl6, NULL);
		if (IS_ERR(dst))
			return kmedia_stream_drop(stream, skb, KMEDIA_STREAM_DROP_ROUTE);
		saddr = fl6.saddr;
		kmedia_route_set6(&cfg->route, dst, &saddr);
	}

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			 sizeof(*ip6h) + sizeof(struct udphdr))) {
		dst_release(dst);
		return kmedia_stream_drop(stream, skb, KMEDIA_STREAM_DROP_XMIT);
	}
	skb_dst_set(skb, dst);

	kmedia_push_udp(skb, cfg->sock_out, &cfg->dst);
	udp6_set_csum(sk->sk_no_check_tx, skb, &saddr, &cfg->dst.addr6, skb->len);

	__skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	ip6_flow_hdr(ip6h, tos, 0);
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = saddr;
	ip6h->daddr = cfg->dst.addr6;

	skb->protocol = htons(ETH_P_IPV6);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	err = ip6_local_out(net, sk, skb);
	kmedia_sent(stream, len, err);
	return 0;
}

/**
 * kmedia_xmit - send a received datagram on to the stream's destination
 * @stream: the stream
 * @cfg: its configuration, as read for this packet
 * @skb: the datagram, data at its UDP header
 * @tos: the TOS / traffic class to send with
 *
 * Return: 0; the skb is always consumed, failures are counted.
 */
int kmedia_xmit(struct kmedia_stream *stream, struct kmedia_stream_cfg *cfg,
		struct sk_buff *skb, u8 tos)
{
	/* Forget everything about the packet's arrival but its payload. */
	__skb_pull(skb, sizeof(struct udphdr));
	skb_orphan(skb);
	skb_scrub_packet(skb, false);
	/* A datagram from a local sender may still be CHECKSUM_PARTIAL with
	 * offsets into its old headers; the new UDP header starts afresh.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	/* Nor may a VLAN tag or tunnel offload state of the ingress leak out. */
	__vlan_hwaccel_clear_tag(skb);
	skb->encapsulation = 0;
	skb->mark = READ_ONCE(cfg->sock_out->sk->sk_mark);
	skb->priority = READ_ONCE(cfg->sock_out->sk->sk_priority);

	if (cfg->dst.family == AF_INET)
		return kmedia_xmit4(stream, cfg, skb, tos);
	return kmedia_xmit6(stream, cfg, skb, tos);
}
