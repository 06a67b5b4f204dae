/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: state shared by every file of the module.
 */
#ifndef _KMEDIA_KMEDIA_H
#define _KMEDIA_KMEDIA_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "counters.h"

/* rx_lookup.c's LOCAL_IN hooks: IPv4 and IPv6. */
#define KMEDIA_LOOKUP_HOOKS 2

/* Counters of a namespace, summed over every stream it ever had. */
enum kmedia_net_ctr {
	KMEDIA_NET_RX_PACKETS,
	KMEDIA_NET_RX_BYTES,
	KMEDIA_NET_TX_PACKETS,
	KMEDIA_NET_TX_BYTES,
	KMEDIA_NET_DROP_PT,
	KMEDIA_NET_DROP_ROUTE,
	KMEDIA_NET_DROP_XMIT,
	KMEDIA_NET_DROP_SRTP_AUTH,
	KMEDIA_NET_DROP_SRTP_REPLAY,
	KMEDIA_NET_DROP_SRTP_SHORT,
	KMEDIA_NET_DROP_SRTP_MKI,
	KMEDIA_NET_DROP_SRTP_PROTECT,
	KMEDIA_NET_EVENTS_LOST,
	__KMEDIA_NET_CTR_MAX,
};

/*
 * The namespace counters start with the same list as a stream's
 * (enum kmedia_stream_ctr), so a stream counter maps to its namespace twin
 * by value.
 */
#define kmedia_net_ctr_of(stream_ctr) ((enum kmedia_net_ctr)(stream_ctr))

/**
 * struct kmedia_net - the relay state of one network namespace
 * @net: the namespace
 * @lock: serializes every writer (netlink commands, socket teardown, idle
 *	scan, netns exit); the packet path uses RCU and never takes it
 * @socks: attached sockets by ID
 * @streams: streams by ID
 * @next_sock_id: cursor for cyclic socket ID allocation
 * @next_stream_id: cursor for cyclic stream ID allocation
 * @gen: bumped on every change of either table, so that a dump split over
 *	several messages can tell userspace it was not consistent
 * @n_streams: streams installed
 * @n_sockets: sockets attached
 * @idle_streams: streams with an idle timeout, the only ones the idle scan
 *	visits; it runs while the list is not empty
 * @dying: set at namespace exit; the idle scan must not re-arm
 * @idle_work: periodic idle scan
 * @ctrs: per-CPU namespace counters (enum kmedia_net_ctr)
 */
struct kmedia_net {
	struct net *net;
	struct mutex lock;	/* the writers' lock, see above */
	struct xarray socks;
	struct xarray streams;
	u32 next_sock_id;
	u32 next_stream_id;
	unsigned int gen;
	u32 n_streams;
	u32 n_sockets;
	struct list_head idle_streams;
	bool dying;
	struct delayed_work idle_work;
	struct kmedia_ctrs __percpu *ctrs;
	struct rhashtable lookup;
	struct nf_hook_ops lookup_ops[KMEDIA_LOOKUP_HOOKS];
	bool lookup_hooked;
};

/*
 * Objects alive (sockets, streams, stream configurations), across every
 * namespace. Module exit warns if any survive: the test suites' kernel-log
 * check turns that into a failure, which is our leak detector on kernels
 * without kmemleak.
 */
extern atomic_t kmedia_live_objects;

extern unsigned int kmedia_net_id;
extern unsigned int kmedia_max_streams;

static inline struct kmedia_net *kmedia_pernet(const struct net *net)
{
	return net_generic(net, kmedia_net_id);
}

int kmedia_netlink_init(void);
void kmedia_netlink_exit(void);

#endif /* _KMEDIA_KMEDIA_H */
