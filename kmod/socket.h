/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: UDP sockets handed over by userspace.
 */
#ifndef _KMEDIA_SOCKET_H
#define _KMEDIA_SOCKET_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>
#include <net/sock.h>
#include <uapi/linux/kmedia.h>

#include "endpoint.h"
#include "kmedia.h"

struct kmedia_stream;
struct netlink_ext_ack;

/* Per-socket counters (enum kmedia_sock_stats_attr minus one). */
enum kmedia_sock_ctr {
	KMEDIA_SOCK_RX_PACKETS,
	KMEDIA_SOCK_TO_STREAM,
	KMEDIA_SOCK_PASS_NOT_RTP,
	KMEDIA_SOCK_PASS_NO_STREAM,
	KMEDIA_SOCK_PASS_SOURCE,
	KMEDIA_SOCK_PASS_FRAGMENT,
	__KMEDIA_SOCK_CTR_MAX,
};

/* The key of rx_lookup.c's table: no padding, it is compared as bytes. */
struct kmedia_lookup_key {
	union {
		__be32 addr4;
		struct in6_addr addr6;
	};
	__be16 port;
	u16 family;
};

/**
 * struct kmedia_sock - a UDP socket whose datagrams the module sees first
 * @id: identifier in the namespace
 * @kn: the namespace's state
 * @sk: the socket, referenced for as long as this object lives
 * @local: the address and port the socket was bound to at attach time
 * @streams: the stream of each kind arriving on this socket (RCU)
 * @streams_in: streams using this socket as ingress (under kn->lock)
 * @streams_out: streams using this socket as egress (under kn->lock)
 * @n_streams: length of both lists together
 * @detached: the socket is no longer ours; set once under kn->lock
 * @ctrs: counters, enum kmedia_sock_ctr; KMEDIA_SOCK_RX_PACKETS stays 0,
 *	as every datagram is counted once by its fate (to a stream or a pass)
 *	and readers add those up
 * @lookup_node: entry in the namespace's lookup table (rx_lookup.c)
 * @lookup_key: its key, the local address and port
 * @indexed: the socket is in that table (under kn->lock)
 * @refcount: the namespace table and every stream using it hold one
 * @rcu: frees the object after the packet path is done with it
 */
struct kmedia_sock {
	u32 id;
	struct kmedia_net *kn;
	struct sock *sk;
	struct kmedia_endpoint local;
	struct kmedia_stream __rcu *streams[__KMEDIA_KIND_MAX];
	struct list_head streams_in;
	struct list_head streams_out;
	u32 n_streams;
	bool detached;
	atomic64_t ctrs[__KMEDIA_SOCK_CTR_MAX];
	struct rhash_head lookup_node;
	struct kmedia_lookup_key lookup_key;
	bool indexed;
	struct kref refcount;
	struct rcu_head rcu;
};

struct kmedia_sock *kmedia_sock_attach(struct kmedia_net *kn, int fd,
				       struct netlink_ext_ack *extack);
void kmedia_sock_detach(struct kmedia_sock *ks);
struct kmedia_sock *kmedia_sock_find(struct kmedia_net *kn, u32 id);
void kmedia_sock_get(struct kmedia_sock *ks);
void kmedia_sock_put(struct kmedia_sock *ks);
void kmedia_sock_detach_all(struct kmedia_net *kn);

/* rx.c: a datagram for ks, data at the UDP header; 0 if consumed, 1 if
 * the socket should get it. Only the last look (encap_rcv) counts passes.
 */
int kmedia_sock_rx(struct kmedia_sock *ks, struct sk_buff *skb, bool last_look);

/* rx_lookup.c */
int kmedia_lookup_init(struct kmedia_net *kn);
void kmedia_lookup_exit(struct kmedia_net *kn);
void kmedia_lookup_add(struct kmedia_net *kn, struct kmedia_sock *ks);
void kmedia_lookup_del(struct kmedia_net *kn, struct kmedia_sock *ks);

#endif /* _KMEDIA_SOCKET_H */
