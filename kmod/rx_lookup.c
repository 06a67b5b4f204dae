// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the receive path's own socket lookup.
 *
 * UDP finds a datagram's socket in a hash table of at most 65536 buckets
 * (uhash_entries, udp_child_hash_entries), so with a million relay sockets
 * every datagram walks a chain of about fifteen sockets. kmedia keeps the
 * sockets it adopted in a resizable hash table of its own, by local address
 * and port, and consults it from a netfilter LOCAL_IN hook that runs after
 * the firewall's hooks and before UDP: a datagram of one of its streams is
 * relayed from there and never reaches UDP's lookup. Everything else, the
 * traffic of other sockets and what the streams do not take (STUN,
 * strangers, fragments, bad checksums), is accepted untouched and reaches
 * the socket, and its encap_rcv hook, through UDP as before.
 *
 * Only sockets for which UDP could not have picked another socket are
 * indexed: bound to one address by bind(), not connected, without
 * SO_REUSEPORT or a bound device. The others keep the encap_rcv path alone.
 *
 * The hook is registered in a namespace with its first indexed socket and
 * stays until the namespace goes, so a namespace without kmedia sockets
 * pays nothing. It runs just before conntrack confirms the connection, so
 * relayed datagrams leave no conntrack entry for their inbound leg.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/rhashtable.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "socket.h"

static const struct rhashtable_params kmedia_lookup_params = {
	.key_len = sizeof(struct kmedia_lookup_key),
	.key_offset = offsetof(struct kmedia_sock, lookup_key),
	.head_offset = offsetof(struct kmedia_sock, lookup_node),
	.automatic_shrinking = true,
};

/* Could UDP deliver a datagram to this address and port elsewhere? */
static bool kmedia_lookup_exclusive(const struct sock *sk)
{
	return !READ_ONCE(sk->sk_bound_dev_if) && !sk->sk_reuseport &&
	       READ_ONCE(sk->sk_state) != TCP_ESTABLISHED;
}

/*
 * A datagram for an indexed socket, data at the network header (hlen
 * bytes). Returns NF_STOLEN when the stream path consumed it.
 */
static unsigned int kmedia_lookup_rx(struct kmedia_net *kn,
				     struct sk_buff *skb,
				     const struct kmedia_lookup_key *key,
				     unsigned int hlen, u8 pf,
				     const struct nf_hook_state *state)
{
	const struct udphdr *uh;
	struct kmedia_sock *ks;

	ks = rhashtable_lookup(&kn->lookup, key, kmedia_lookup_params);
	if (!ks || !kmedia_lookup_exclusive(ks->sk))
		return NF_ACCEPT;
	/* Odd lengths and checksum errors: UDP's to count and drop. */
	uh = (const struct udphdr *)(skb->data + hlen);
	if (ntohs(uh->len) != skb->len - hlen)
		return NF_ACCEPT;
	if ((uh->check || pf == NFPROTO_IPV6) &&
	    nf_checksum(skb, state->hook, hlen, IPPROTO_UDP, pf))
		return NF_ACCEPT;

	skb_pull_rcsum(skb, hlen);
	skb_reset_transport_header(skb);
	if (!kmedia_sock_rx(ks, skb, false))
		return NF_STOLEN;
	skb_push_rcsum(skb, hlen);
	return NF_ACCEPT;
}

static unsigned int kmedia_lookup_hook4(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct kmedia_lookup_key key = { .family = AF_INET };
	unsigned int hlen;

	if (ip_hdr(skb)->protocol != IPPROTO_UDP ||
	    skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	hlen = ip_hdrlen(skb);
	if (!pskb_may_pull(skb, hlen + sizeof(struct udphdr)))
		return NF_ACCEPT;
	key.addr4 = ip_hdr(skb)->daddr;
	key.port = ((const struct udphdr *)(skb->data + hlen))->dest;
	return kmedia_lookup_rx(priv, skb, &key, hlen, NFPROTO_IPV4, state);
}

/* Extension headers are left to the IPv6 stack. */
static unsigned int kmedia_lookup_hook6(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct kmedia_lookup_key key = { .family = AF_INET6 };
	unsigned int hlen = sizeof(struct ipv6hdr);

	if (ipv6_hdr(skb)->nexthdr != IPPROTO_UDP ||
	    skb->pkt_type != PACKET_HOST ||
	    skb_network_offset(skb) != 0)
		return NF_ACCEPT;
	if (!pskb_may_pull(skb, hlen + sizeof(struct udphdr)))
		return NF_ACCEPT;
	key.addr6 = ipv6_hdr(skb)->daddr;
	key.port = ((const struct udphdr *)(skb->data + hlen))->dest;
	return kmedia_lookup_rx(priv, skb, &key, hlen, NFPROTO_IPV6, state);
}

/* After every filter and NAT hook, before conntrack's confirmation. */
static const struct nf_hook_ops kmedia_lookup_ops[KMEDIA_LOOKUP_HOOKS] = {
	{
		.hook = kmedia_lookup_hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_LAST - 1,
	},
	{
		.hook = kmedia_lookup_hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_LAST - 1,
	},
};

int kmedia_lookup_init(struct kmedia_net *kn)
{
	int i;

	BUILD_BUG_ON(sizeof(struct kmedia_lookup_key) != 20);
	for (i = 0; i < KMEDIA_LOOKUP_HOOKS; i++) {
		kn->lookup_ops[i] = kmedia_lookup_ops[i];
		kn->lookup_ops[i].priv = kn;
	}
	return rhashtable_init(&kn->lookup, &kmedia_lookup_params);
}

/* After every socket was detached: nothing is indexed any more. */
void kmedia_lookup_exit(struct kmedia_net *kn)
{
	if (kn->lookup_hooked)
		nf_unregister_net_hooks(kn->net, kn->lookup_ops,
					KMEDIA_LOOKUP_HOOKS);
	rhashtable_destroy(&kn->lookup);
}

/*
 * Index a socket just attached, if UDP's choice for its address and port
 * can only be this socket. Failing to is not an error: the socket's
 * datagrams then take the encap_rcv path.
 */
void kmedia_lookup_add(struct kmedia_net *kn, struct kmedia_sock *ks)
{
	const struct sock *sk = ks->sk;

	lockdep_assert_held(&kn->lock);
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK) ||
	    !kmedia_lookup_exclusive(sk) ||
	    kmedia_endpoint_any(&ks->local))
		return;
	if (!kn->lookup_hooked) {
		if (nf_register_net_hooks(kn->net, kn->lookup_ops,
					  KMEDIA_LOOKUP_HOOKS))
			return;
		kn->lookup_hooked = true;
	}
	memset(&ks->lookup_key, 0, sizeof(ks->lookup_key));
	ks->lookup_key.family = ks->local.family;
	ks->lookup_key.port = ks->local.port;
	if (ks->local.family == AF_INET)
		ks->lookup_key.addr4 = ks->local.addr4;
	else
		ks->lookup_key.addr6 = ks->local.addr6;
	ks->indexed = !rhashtable_lookup_insert_fast(&kn->lookup,
						     &ks->lookup_node,
						     kmedia_lookup_params);
}

/* Readers that found the socket keep using it until their RCU section ends. */
void kmedia_lookup_del(struct kmedia_net *kn, struct kmedia_sock *ks)
{
	lockdep_assert_held(&kn->lock);
	if (!ks->indexed)
		return;
	rhashtable_remove_fast(&kn->lookup, &ks->lookup_node,
			       kmedia_lookup_params);
	ks->indexed = false;
}
