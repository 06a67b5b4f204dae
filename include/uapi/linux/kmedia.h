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
 * user namespace owning that network namespace; so does joining the events
 * multicast group.
 *
 * Objects:
 *  - a *socket* is a bound UDP socket that a process owns and hands to the
 *    module by file descriptor (KMEDIA_CMD_SOCK_ATTACH). The module then sees
 *    every datagram arriving on it first; whatever it does not forward (STUN,
 *    DTLS, non-RTP, unknown source, no stream) reaches the socket untouched.
 *    Closing the last reference to the file detaches the socket and deletes
 *    every stream using it.
 *  - a *stream* is one direction of one media flow: packets of one kind (RTP
 *    or RTCP) arriving on its ingress socket are rewritten and sent from its
 *    egress socket's address and port to its destination.
 *
 * Attributes are grouped in nested sets, one per object: a request or reply
 * carries at most one object nest at the top level. Unknown attributes are
 * rejected (strict validation); the reason for every rejection is reported
 * in the netlink extended ACK, naming the attribute.
 *
 * Addresses and ports travel in network byte order (enum kmedia_addr_attr).
 */
#ifndef _UAPI_LINUX_KMEDIA_H
#define _UAPI_LINUX_KMEDIA_H

#define KMEDIA_GENL_NAME	"kmedia"
#define KMEDIA_GENL_VERSION	1

/* Multicast group receiving asynchronous events (the *_NTF commands). */
#define KMEDIA_MCGRP_EVENTS	"events"

/* Size of KMEDIA_STREAM_A_PT_ALLOW: one bit per RTP payload type 0-127. */
#define KMEDIA_PT_BITMAP_LEN	16

/**
 * enum kmedia_cmd - generic netlink commands
 * @KMEDIA_CMD_NETNS_GET: read the per network namespace totals
 *	(reply: KMEDIA_A_VERSION, KMEDIA_A_NETNS)
 * @KMEDIA_CMD_SOCK_ATTACH: hand a bound UDP socket to the module
 *	(request: KMEDIA_A_SOCK with FD; reply: KMEDIA_A_SOCK with its ID)
 * @KMEDIA_CMD_SOCK_DETACH: give a socket back to plain UDP, deleting its
 *	streams (request: KMEDIA_A_SOCK with ID)
 * @KMEDIA_CMD_SOCK_GET: read one socket (ID) or dump all
 * @KMEDIA_CMD_STREAM_NEW: create a stream (request: KMEDIA_A_STREAM with
 *	SOCK_IN, SOCK_OUT, DST and optional attributes; reply: the stream)
 * @KMEDIA_CMD_STREAM_CHANGE: change DST, SOCK_OUT, SRC_MODE/SRC, PT_ALLOW,
 *	DSCP, COOKIE, IDLE_TIMEOUT or CLOCK_RATE of stream ID atomically
 * @KMEDIA_CMD_STREAM_DEL: delete stream ID
 * @KMEDIA_CMD_STREAM_GET: read one stream (ID) with its statistics, or dump
 *	all (filters: COOKIE, SOCK_IN)
 * @KMEDIA_CMD_STREAM_FLUSH: delete every stream, or those with COOKIE
 *	(reply: KMEDIA_A_COUNT, the number deleted)
 * @KMEDIA_CMD_STREAM_LATCH_NTF: event, a latching stream learned its
 *	source (KMEDIA_A_STREAM with ID, COOKIE, SRC)
 * @KMEDIA_CMD_STREAM_IDLE_NTF: event, a stream saw no packet for its idle
 *	timeout; sent once until packets flow again (ID, COOKIE, IDLE_MS)
 * @KMEDIA_CMD_STREAM_SRTP_FAIL_NTF: event, a burst of SRTP authentication
 *	failures on a stream (ID, COOKIE, SRTP_FAILURES); at most one per
 *	second per stream
 */
enum kmedia_cmd {
	KMEDIA_CMD_UNSPEC,
	KMEDIA_CMD_NETNS_GET,
	KMEDIA_CMD_STREAM_GET,
	KMEDIA_CMD_SOCK_ATTACH,
	KMEDIA_CMD_SOCK_DETACH,
	KMEDIA_CMD_SOCK_GET,
	KMEDIA_CMD_STREAM_NEW,
	KMEDIA_CMD_STREAM_CHANGE,
	KMEDIA_CMD_STREAM_DEL,
	KMEDIA_CMD_STREAM_FLUSH,
	KMEDIA_CMD_STREAM_LATCH_NTF,
	KMEDIA_CMD_STREAM_IDLE_NTF,
	KMEDIA_CMD_STREAM_SRTP_FAIL_NTF,

	__KMEDIA_CMD_MAX,
	KMEDIA_CMD_MAX = __KMEDIA_CMD_MAX - 1
};

/**
 * enum kmedia_attr - top-level attributes
 * @KMEDIA_A_VERSION: string, version of the module answering (replies only)
 * @KMEDIA_A_NETNS: nest, enum kmedia_netns_attr
 * @KMEDIA_A_STREAM: nest, enum kmedia_stream_attr
 * @KMEDIA_A_SOCK: nest, enum kmedia_sock_attr
 * @KMEDIA_A_COUNT: u32, number of objects affected (flush reply)
 */
enum kmedia_attr {
	KMEDIA_A_UNSPEC,
	KMEDIA_A_VERSION,
	KMEDIA_A_NETNS,
	KMEDIA_A_STREAM,
	KMEDIA_A_SOCK,
	KMEDIA_A_COUNT,

	__KMEDIA_A_MAX,
	KMEDIA_A_MAX = __KMEDIA_A_MAX - 1
};

/**
 * enum kmedia_netns_attr - per network namespace totals
 * @KMEDIA_NETNS_A_STREAMS: u32, streams installed
 * @KMEDIA_NETNS_A_STREAMS_MAX: u32, cap on streams (module parameter)
 * @KMEDIA_NETNS_A_SOCKETS: u32, sockets attached
 * @KMEDIA_NETNS_A_STATS: nest, enum kmedia_stats_attr, summed over every
 *	stream that ever existed in the namespace
 */
enum kmedia_netns_attr {
	KMEDIA_NETNS_A_UNSPEC,
	KMEDIA_NETNS_A_STREAMS,
	KMEDIA_NETNS_A_STREAMS_MAX,
	KMEDIA_NETNS_A_SOCKETS,
	KMEDIA_NETNS_A_STATS,

	__KMEDIA_NETNS_A_MAX,
	KMEDIA_NETNS_A_MAX = __KMEDIA_NETNS_A_MAX - 1
};

/**
 * enum kmedia_addr_attr - a UDP endpoint (used nested)
 * @KMEDIA_ADDR_A_IPV4: binary, 4 bytes, network order
 * @KMEDIA_ADDR_A_IPV6: binary, 16 bytes, network order
 * @KMEDIA_ADDR_A_PORT: be16, UDP port (not 0)
 *
 * Exactly one of IPV4 and IPV6, and PORT, must be present.
 */
enum kmedia_addr_attr {
	KMEDIA_ADDR_A_UNSPEC,
	KMEDIA_ADDR_A_IPV4,
	KMEDIA_ADDR_A_IPV6,
	KMEDIA_ADDR_A_PORT,

	__KMEDIA_ADDR_A_MAX,
	KMEDIA_ADDR_A_MAX = __KMEDIA_ADDR_A_MAX - 1
};

/**
 * enum kmedia_sock_attr - an attached UDP socket
 * @KMEDIA_SOCK_A_ID: u32, identifier assigned at attach, unique in the netns
 * @KMEDIA_SOCK_A_FD: u32, file descriptor of a bound UDP socket in the
 *	calling process (attach requests only)
 * @KMEDIA_SOCK_A_LOCAL: nest, enum kmedia_addr_attr, the bound address
 * @KMEDIA_SOCK_A_STREAMS: u32, streams using the socket (replies only)
 * @KMEDIA_SOCK_A_STATS: nest, enum kmedia_sock_stats_attr (replies only)
 */
enum kmedia_sock_attr {
	KMEDIA_SOCK_A_UNSPEC,
	KMEDIA_SOCK_A_ID,
	KMEDIA_SOCK_A_FD,
	KMEDIA_SOCK_A_LOCAL,
	KMEDIA_SOCK_A_STREAMS,
	KMEDIA_SOCK_A_STATS,

	__KMEDIA_SOCK_A_MAX,
	KMEDIA_SOCK_A_MAX = __KMEDIA_SOCK_A_MAX - 1
};

/**
 * enum kmedia_sock_stats_attr - what arrived on an attached socket
 * @KMEDIA_SOCK_STATS_A_RX_PACKETS: u64, datagrams seen by the module
 * @KMEDIA_SOCK_STATS_A_TO_STREAM: u64, handed to one of its streams
 * @KMEDIA_SOCK_STATS_A_PASS_NOT_RTP: u64, passed to the socket: not
 *	RTP/RTCP version 2 (STUN, DTLS, garbage, too short)
 * @KMEDIA_SOCK_STATS_A_PASS_NO_STREAM: u64, passed: no stream of that kind
 * @KMEDIA_SOCK_STATS_A_PASS_SOURCE: u64, passed: source does not match the
 *	stream's strict or latched source
 * @KMEDIA_SOCK_STATS_A_PASS_FRAGMENT: u64, passed: reassembled from IP
 *	fragments or aggregated (GSO)
 * @KMEDIA_SOCK_STATS_A_PAD: padding for 64-bit attributes
 */
enum kmedia_sock_stats_attr {
	KMEDIA_SOCK_STATS_A_UNSPEC,
	KMEDIA_SOCK_STATS_A_RX_PACKETS,
	KMEDIA_SOCK_STATS_A_TO_STREAM,
	KMEDIA_SOCK_STATS_A_PASS_NOT_RTP,
	KMEDIA_SOCK_STATS_A_PASS_NO_STREAM,
	KMEDIA_SOCK_STATS_A_PASS_SOURCE,
	KMEDIA_SOCK_STATS_A_PASS_FRAGMENT,
	KMEDIA_SOCK_STATS_A_PAD,

	__KMEDIA_SOCK_STATS_A_MAX,
	KMEDIA_SOCK_STATS_A_MAX = __KMEDIA_SOCK_STATS_A_MAX - 1
};

/**
 * enum kmedia_stream_kind - what a stream carries
 * @KMEDIA_KIND_RTP: RTP; on a port shared with RTCP (rtcp-mux), packets
 *	whose second byte is 192-223 are RTCP (RFC 5761, section 4)
 * @KMEDIA_KIND_RTCP: RTCP
 */
enum kmedia_stream_kind {
	KMEDIA_KIND_RTP,
	KMEDIA_KIND_RTCP,

	__KMEDIA_KIND_MAX,
	KMEDIA_KIND_MAX = __KMEDIA_KIND_MAX - 1
};

/**
 * enum kmedia_src_mode - which sources a stream accepts
 * @KMEDIA_SRC_ANY: any source
 * @KMEDIA_SRC_STRICT: only KMEDIA_STREAM_A_SRC
 * @KMEDIA_SRC_LATCH: the source of the first packet, which is then
 *	announced with KMEDIA_CMD_STREAM_LATCH_NTF; to learn a new source,
 *	set the mode to latch again with KMEDIA_CMD_STREAM_CHANGE
 */
enum kmedia_src_mode {
	KMEDIA_SRC_ANY,
	KMEDIA_SRC_STRICT,
	KMEDIA_SRC_LATCH,

	__KMEDIA_SRC_MAX,
	KMEDIA_SRC_MAX = __KMEDIA_SRC_MAX - 1
};

/**
 * enum kmedia_stream_attr - one direction of one media flow
 * @KMEDIA_STREAM_A_ID: u32, assigned by the module, unique in the netns
 * @KMEDIA_STREAM_A_COOKIE: u64, caller's tag (a call), for flush and filters
 * @KMEDIA_STREAM_A_SOCK_IN: u32, ingress socket ID (fixed at creation)
 * @KMEDIA_STREAM_A_KIND: u8, enum kmedia_stream_kind (fixed; default RTP)
 * @KMEDIA_STREAM_A_SOCK_OUT: u32, egress socket ID; packets leave from its
 *	address and port
 * @KMEDIA_STREAM_A_DST: nest, enum kmedia_addr_attr, where packets go; its
 *	family must be the egress socket's
 * @KMEDIA_STREAM_A_SRC_MODE: u8, enum kmedia_src_mode (default ANY)
 * @KMEDIA_STREAM_A_SRC: nest, enum kmedia_addr_attr: the expected source
 *	with SRC_MODE strict (required then); the latched one in replies
 * @KMEDIA_STREAM_A_PT_ALLOW: binary, KMEDIA_PT_BITMAP_LEN bytes: RTP payload
 *	types forwarded, bit (pt % 8) of byte (pt / 8); others are dropped and
 *	counted. Absent: every payload type. Ignored for RTCP.
 * @KMEDIA_STREAM_A_DSCP: u8, 0-63, DSCP of forwarded packets (default: the
 *	received packet's)
 * @KMEDIA_STREAM_A_IDLE_TIMEOUT: u32, milliseconds without a packet before
 *	KMEDIA_CMD_STREAM_IDLE_NTF; 0 (default) disables
 * @KMEDIA_STREAM_A_CLOCK_RATE: u32, RTP clock rate in Hz for jitter
 *	(default 8000)
 * @KMEDIA_STREAM_A_LATCHED: flag, the latching stream has learned its source
 *	(replies only)
 * @KMEDIA_STREAM_A_STATS: nest, enum kmedia_stats_attr (replies only)
 * @KMEDIA_STREAM_A_IDLE_MS: u32, milliseconds since the last packet, or since
 *	creation (replies and events only)
 * @KMEDIA_STREAM_A_PAD: padding for 64-bit attributes
 * @KMEDIA_STREAM_A_SRTP_IN: nest, enum kmedia_srtp_attr: how packets arrive
 *	(SRTP, or SRTCP for an RTCP stream); absent: plain. Packets are
 *	authenticated, checked against replay and decrypted before anything
 *	else; failures are dropped and counted.
 * @KMEDIA_STREAM_A_SRTP_OUT: nest, enum kmedia_srtp_attr: how packets leave;
 *	absent: plain. With both absent the stream relays packets as they
 *	are, which is also how SRTP is relayed when both legs share keys.
 *	In a change, a nest replaces the context (re-key); a nest with suite
 *	KMEDIA_SRTP_NONE removes it; no nest keeps it, ROC and replay state
 *	included.
 * @KMEDIA_STREAM_A_SRTP_FAILURES: u32, authentication failures in the burst
 *	(KMEDIA_CMD_STREAM_SRTP_FAIL_NTF only)
 */
enum kmedia_stream_attr {
	KMEDIA_STREAM_A_UNSPEC,
	KMEDIA_STREAM_A_ID,
	KMEDIA_STREAM_A_COOKIE,
	KMEDIA_STREAM_A_SOCK_IN,
	KMEDIA_STREAM_A_KIND,
	KMEDIA_STREAM_A_SOCK_OUT,
	KMEDIA_STREAM_A_DST,
	KMEDIA_STREAM_A_SRC_MODE,
	KMEDIA_STREAM_A_SRC,
	KMEDIA_STREAM_A_PT_ALLOW,
	KMEDIA_STREAM_A_DSCP,
	KMEDIA_STREAM_A_IDLE_TIMEOUT,
	KMEDIA_STREAM_A_CLOCK_RATE,
	KMEDIA_STREAM_A_LATCHED,
	KMEDIA_STREAM_A_STATS,
	KMEDIA_STREAM_A_IDLE_MS,
	KMEDIA_STREAM_A_PAD,
	KMEDIA_STREAM_A_SRTP_IN,
	KMEDIA_STREAM_A_SRTP_OUT,
	KMEDIA_STREAM_A_SRTP_FAILURES,

	__KMEDIA_STREAM_A_MAX,
	KMEDIA_STREAM_A_MAX = __KMEDIA_STREAM_A_MAX - 1
};

/**
 * enum kmedia_stats_attr - counters of a stream (or a namespace's totals)
 * @KMEDIA_STATS_A_RX_PACKETS: u64, packets accepted by the stream
 * @KMEDIA_STATS_A_RX_BYTES: u64, their UDP payload bytes
 * @KMEDIA_STATS_A_TX_PACKETS: u64, packets sent
 * @KMEDIA_STATS_A_TX_BYTES: u64, their UDP payload bytes
 * @KMEDIA_STATS_A_DROP_PT: u64, dropped: payload type not allowed
 * @KMEDIA_STATS_A_DROP_ROUTE: u64, dropped: no route to the destination
 * @KMEDIA_STATS_A_DROP_XMIT: u64, dropped: headroom or output failure
 * @KMEDIA_STATS_A_SSRC: u32, SSRC of the current RTP sender
 * @KMEDIA_STATS_A_EXT_MAX_SEQ: u32, highest sequence number received,
 *	extended with the count of wraps (RFC 3550 A.1)
 * @KMEDIA_STATS_A_RTP_RECEIVED: u64, RTP packets of the current SSRC
 * @KMEDIA_STATS_A_RTP_EXPECTED: u64, packets expected from the current SSRC
 *	(extended highest - first sequence + 1)
 * @KMEDIA_STATS_A_RTP_LOST: s64, expected - received (RFC 3550 A.3); negative
 *	with duplicates
 * @KMEDIA_STATS_A_JITTER: u32, interarrival jitter in timestamp units
 *	(RFC 3550 A.8)
 * @KMEDIA_STATS_A_PAD: padding for 64-bit attributes
 * @KMEDIA_STATS_A_DROP_SRTP_AUTH: u64, dropped: SRTP/SRTCP authentication
 *	tag mismatch (wrong key, corrupted packet)
 * @KMEDIA_STATS_A_DROP_SRTP_REPLAY: u64, dropped: index already seen or
 *	older than the replay window
 * @KMEDIA_STATS_A_DROP_SRTP_SHORT: u64, dropped: too short for the header,
 *	MKI and tag the suite needs
 * @KMEDIA_STATS_A_DROP_SRTP_MKI: u64, dropped: MKI differs from the key's
 * @KMEDIA_STATS_A_DROP_SRTP_PROTECT: u64, dropped: could not be protected
 *	for sending (no room for the tag, crypto failure)
 * @KMEDIA_STATS_A_EVENTS_LOST: u64, namespace only: events that did not
 *	reach every subscriber: no memory for the event, or the receive
 *	buffer of a subscriber that set NETLINK_BROADCAST_ERROR (libkmedia's
 *	do) was full; the subscriber itself sees ENOBUFS
 */
enum kmedia_stats_attr {
	KMEDIA_STATS_A_UNSPEC,
	KMEDIA_STATS_A_RX_PACKETS,
	KMEDIA_STATS_A_RX_BYTES,
	KMEDIA_STATS_A_TX_PACKETS,
	KMEDIA_STATS_A_TX_BYTES,
	KMEDIA_STATS_A_DROP_PT,
	KMEDIA_STATS_A_DROP_ROUTE,
	KMEDIA_STATS_A_DROP_XMIT,
	KMEDIA_STATS_A_SSRC,
	KMEDIA_STATS_A_EXT_MAX_SEQ,
	KMEDIA_STATS_A_RTP_RECEIVED,
	KMEDIA_STATS_A_RTP_EXPECTED,
	KMEDIA_STATS_A_RTP_LOST,
	KMEDIA_STATS_A_JITTER,
	KMEDIA_STATS_A_PAD,
	KMEDIA_STATS_A_DROP_SRTP_AUTH,
	KMEDIA_STATS_A_DROP_SRTP_REPLAY,
	KMEDIA_STATS_A_DROP_SRTP_SHORT,
	KMEDIA_STATS_A_DROP_SRTP_MKI,
	KMEDIA_STATS_A_DROP_SRTP_PROTECT,
	KMEDIA_STATS_A_EVENTS_LOST,

	__KMEDIA_STATS_A_MAX,
	KMEDIA_STATS_A_MAX = __KMEDIA_STATS_A_MAX - 1
};

/**
 * enum kmedia_srtp_suite - SRTP protection profiles (RFC 3711, 4568, 6188,
 * 7714; SDES names)
 * @KMEDIA_SRTP_NONE: no protection (removes a context in a change)
 * @KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80: AES-128 counter mode, 80-bit tag
 * @KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32: AES-128 counter mode, 32-bit tag
 *	(SRTCP keeps an 80-bit tag, RFC 4568 6.2)
 * @KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80: AES-192 counter mode, 80-bit tag
 * @KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32: AES-192 counter mode, 32-bit tag
 * @KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80: AES-256 counter mode, 80-bit tag
 * @KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32: AES-256 counter mode, 32-bit tag
 * @KMEDIA_SRTP_AEAD_AES_128_GCM: AES-128 GCM, 128-bit tag (RFC 7714)
 * @KMEDIA_SRTP_AEAD_AES_256_GCM: AES-256 GCM, 128-bit tag (RFC 7714)
 * @KMEDIA_SRTP_NULL_HMAC_SHA1_80: no encryption, 80-bit tag
 * @KMEDIA_SRTP_NULL_HMAC_SHA1_32: no encryption, 32-bit tag
 * @KMEDIA_SRTP_F8_128_HMAC_SHA1_80: AES-128 f8 mode, 80-bit tag
 */
enum kmedia_srtp_suite {
	KMEDIA_SRTP_NONE,
	KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
	KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80,
	KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32,
	KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
	KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
	KMEDIA_SRTP_AEAD_AES_128_GCM,
	KMEDIA_SRTP_AEAD_AES_256_GCM,
	KMEDIA_SRTP_NULL_HMAC_SHA1_80,
	KMEDIA_SRTP_NULL_HMAC_SHA1_32,
	KMEDIA_SRTP_F8_128_HMAC_SHA1_80,

	__KMEDIA_SRTP_SUITE_MAX,
	KMEDIA_SRTP_SUITE_MAX = __KMEDIA_SRTP_SUITE_MAX - 1
};

/* Replay window (packets): default and accepted range. */
#define KMEDIA_SRTP_REPLAY_DEFAULT	128
#define KMEDIA_SRTP_REPLAY_MIN		64
#define KMEDIA_SRTP_REPLAY_MAX		4096
/* Longest MKI accepted, bytes. */
#define KMEDIA_SRTP_MKI_MAX		16

/**
 * enum kmedia_srtp_attr - one SRTP/SRTCP crypto context (used nested)
 * @KMEDIA_SRTP_A_SUITE: u32, enum kmedia_srtp_suite (required)
 * @KMEDIA_SRTP_A_MASTER_KEY: binary, 16, 24 or 32 bytes as the suite says;
 *	write-only: never reported, wiped when the context is freed
 * @KMEDIA_SRTP_A_MASTER_SALT: binary, 14 bytes (12 for the GCM suites);
 *	write-only like the key
 * @KMEDIA_SRTP_A_MKI: binary, 1 to KMEDIA_SRTP_MKI_MAX bytes: the master
 *	key identifier carried in every packet; absent: no MKI
 * @KMEDIA_SRTP_A_KDR: u32, key derivation rate; only 0 (derive once) is
 *	supported, anything else is refused
 * @KMEDIA_SRTP_A_SSRC: u32, the SSRC that @KMEDIA_SRTP_A_ROC belongs to;
 *	absent: the first SSRC seen. Reported: the current SSRC.
 * @KMEDIA_SRTP_A_ROC: u32, rollover counter to start from (default 0), so
 *	that a re-key or a move mid-call keeps the index right. Reported: the
 *	current ROC.
 * @KMEDIA_SRTP_A_REPLAY_WINDOW: u32, replay window in packets, between
 *	KMEDIA_SRTP_REPLAY_MIN and _MAX (default KMEDIA_SRTP_REPLAY_DEFAULT)
 * @KMEDIA_SRTP_A_SRTCP_INDEX: u32, last SRTCP index sent or received
 *	(reported only)
 */
enum kmedia_srtp_attr {
	KMEDIA_SRTP_A_UNSPEC,
	KMEDIA_SRTP_A_SUITE,
	KMEDIA_SRTP_A_MASTER_KEY,
	KMEDIA_SRTP_A_MASTER_SALT,
	KMEDIA_SRTP_A_MKI,
	KMEDIA_SRTP_A_KDR,
	KMEDIA_SRTP_A_SSRC,
	KMEDIA_SRTP_A_ROC,
	KMEDIA_SRTP_A_REPLAY_WINDOW,
	KMEDIA_SRTP_A_SRTCP_INDEX,

	__KMEDIA_SRTP_A_MAX,
	KMEDIA_SRTP_A_MAX = __KMEDIA_SRTP_A_MAX - 1
};

#endif /* _UAPI_LINUX_KMEDIA_H */
