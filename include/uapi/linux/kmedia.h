/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kmedia: in-kernel RTP/SRTP media relay, generic netlink interface.
 *
 * This header is the one contract between the kmedia module and userspace
 * (libkmedia, the kmedia CLI, kmediad, and the YNL spec in
 * Documentation/netlink/specs/kmedia.yaml, which must describe exactly what
 * is declared here).
 *
 * Every command is sent to the generic netlink family KMEDIA_GENL_NAME and
 * acts on the network namespace of the requesting socket. Every command,
 * reads included (they show callers' addresses), needs CAP_NET_ADMIN in the
 * user namespace owning that network namespace.
 *
 * Attributes are grouped in nested sets, one per object: a request or reply
 * carries at most one object nest at the top level (KMEDIA_A_NETNS, ...).
 * Unknown attributes are rejected (strict validation); the reason for every
 * rejection is reported in the netlink extended ACK.
 */
#ifndef _UAPI_LINUX_KMEDIA_H
#define _UAPI_LINUX_KMEDIA_H

#define KMEDIA_GENL_NAME	"kmedia"
#define KMEDIA_GENL_VERSION	1

/* Multicast group receiving asynchronous events. */
#define KMEDIA_MCGRP_EVENTS	"events"

/**
 * enum kmedia_cmd - generic netlink commands
 * @KMEDIA_CMD_NETNS_GET: read the per network namespace totals
 *	(reply: KMEDIA_A_NETNS)
 * @KMEDIA_CMD_STREAM_GET: dump the streams of the namespace
 *	(reply: one KMEDIA_A_STREAM nest per message)
 */
enum kmedia_cmd {
	KMEDIA_CMD_UNSPEC,
	KMEDIA_CMD_NETNS_GET,
	KMEDIA_CMD_STREAM_GET,

	__KMEDIA_CMD_MAX,
	KMEDIA_CMD_MAX = __KMEDIA_CMD_MAX - 1
};

/**
 * enum kmedia_attr - top-level attributes
 * @KMEDIA_A_VERSION: string, version of the module answering (replies only)
 * @KMEDIA_A_NETNS: nest, enum kmedia_netns_attr
 * @KMEDIA_A_STREAM: nest, enum kmedia_stream_attr
 */
enum kmedia_attr {
	KMEDIA_A_UNSPEC,
	KMEDIA_A_VERSION,
	KMEDIA_A_NETNS,
	KMEDIA_A_STREAM,

	__KMEDIA_A_MAX,
	KMEDIA_A_MAX = __KMEDIA_A_MAX - 1
};

/**
 * enum kmedia_netns_attr - per network namespace totals
 * @KMEDIA_NETNS_A_STREAMS: u32, streams installed
 * @KMEDIA_NETNS_A_STREAMS_MAX: u32, cap on streams (module parameter)
 * @KMEDIA_NETNS_A_SOCKETS: u32, sockets attached
 */
enum kmedia_netns_attr {
	KMEDIA_NETNS_A_UNSPEC,
	KMEDIA_NETNS_A_STREAMS,
	KMEDIA_NETNS_A_STREAMS_MAX,
	KMEDIA_NETNS_A_SOCKETS,

	__KMEDIA_NETNS_A_MAX,
	KMEDIA_NETNS_A_MAX = __KMEDIA_NETNS_A_MAX - 1
};

/**
 * enum kmedia_stream_attr - one direction of one media flow
 * @KMEDIA_STREAM_A_ID: u32, stream identifier, unique in the namespace
 */
enum kmedia_stream_attr {
	KMEDIA_STREAM_A_UNSPEC,
	KMEDIA_STREAM_A_ID,

	__KMEDIA_STREAM_A_MAX,
	KMEDIA_STREAM_A_MAX = __KMEDIA_STREAM_A_MAX - 1
};

#endif /* _UAPI_LINUX_KMEDIA_H */
