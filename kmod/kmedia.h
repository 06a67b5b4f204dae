/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: state shared by every file of the module.
 */
#ifndef _KMEDIA_KMEDIA_H
#define _KMEDIA_KMEDIA_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

/**
 * struct kmedia_net - the relay state of one network namespace
 * @lock: serializes every writer (netlink commands, socket teardown, netns
 *	exit); readers on the packet path use RCU and never take it
 * @gen: bumped on every change of the stream table, so that a dump split
 *	over several messages can tell userspace it was not consistent
 * @n_streams: streams installed in this namespace
 * @n_sockets: sockets attached in this namespace
 */
struct kmedia_net {
	struct mutex lock;	/* the writers' lock, see above */
	unsigned int gen;
	u32 n_streams;
	u32 n_sockets;
};

extern unsigned int kmedia_net_id;
extern unsigned int kmedia_max_streams;

static inline struct kmedia_net *kmedia_pernet(const struct net *net)
{
	return net_generic(net, kmedia_net_id);
}

int kmedia_netlink_init(void);
void kmedia_netlink_exit(void);

#endif /* _KMEDIA_KMEDIA_H */
