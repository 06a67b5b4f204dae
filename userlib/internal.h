/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmedia internals: the transport (handle.c) and the message codecs of
 * each object. The codecs work on plain buffers so host unit tests can
 * check them without a kernel: every request is built by a kmd_*_msg()
 * function into a caller's buffer, and every reply is decoded by one
 * kmd_*_parse() function per object, shared by "get", "dump" and events.
 */
#ifndef LIBKMEDIA_INTERNAL_H
#define LIBKMEDIA_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libkmedia/libkmedia.h>

#define KMD_HIDDEN __attribute__((visibility("hidden")))

#define KMD_EXTACK_MAX 256

/* Presence bit of one attribute in a uint64_t mask. */
#define KMD_BIT(attr) (UINT64_C(1) << (attr))

/* Receive callback: one reply message of a request. */
typedef int (*kmd_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct kmedia_handle {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	uint32_t events_group;
	char extack[KMD_EXTACK_MAX];
	char *buf;		/* MNL_SOCKET_BUFFER_SIZE bytes */
};

/*
 * A counters nest: enum kmedia_stats_attr (streams, namespace totals) or
 * enum kmedia_sock_stats_attr (sockets). Every value is kept as 64 bits;
 * KMEDIA_STATS_A_RTP_LOST holds the bits of an s64.
 */
#define KMD_STATS_MAX 32
struct kmd_stats {
	uint64_t present;	/* bit per attribute */
	uint64_t val[KMD_STATS_MAX];
};

_Static_assert(KMEDIA_STATS_A_MAX < KMD_STATS_MAX, "kmd_stats too small");
_Static_assert(KMD_STATS_MAX <= 64, "kmd_stats presence mask too small");
_Static_assert(KMEDIA_SOCK_STATS_A_MAX < KMD_STATS_MAX, "kmd_stats too small");

struct kmedia_netns {
	uint32_t present;	/* bit per enum kmedia_netns_attr */
	uint32_t u32[KMEDIA_NETNS_A_MAX + 1];
	char version[32];
	struct kmd_stats stats;	/* KMEDIA_NETNS_A_STATS */
};

struct kmedia_sock {
	uint32_t present;	/* bit per enum kmedia_sock_attr */
	uint32_t id;
	uint32_t streams;
	struct sockaddr_storage local;
	socklen_t local_len;
	struct kmd_stats stats;	/* KMEDIA_SOCK_A_STATS */
};

_Static_assert(KMEDIA_SOCK_A_MAX < 32, "sock presence mask too small");

/* Key and salt sizes: the largest of any suite. */
#define KMD_SRTP_KEY_MAX 32
#define KMD_SRTP_SALT_MAX 14

/*
 * One SRTP/SRTCP crypto context (enum kmedia_srtp_attr). SUITE, KDR, SSRC,
 * ROC, REPLAY_WINDOW and SRTCP_INDEX live in val[], indexed by attribute.
 * MASTER_KEY and MASTER_SALT are present together or not at all; they are
 * only ever set by a setter, never by a reply. A context decoded from a
 * reply is marked reported: it describes the kernel's state and is never
 * sent back (a change without an SRTP nest keeps the kernel's context).
 * Whoever frees or overwrites one wipes it (kmd_srtp_wipe()).
 */
struct kmedia_srtp {
	uint32_t present;	/* bit per enum kmedia_srtp_attr */
	uint32_t val[KMEDIA_SRTP_A_MAX + 1];
	uint8_t key[KMD_SRTP_KEY_MAX];
	uint8_t salt[KMD_SRTP_SALT_MAX];
	uint8_t mki[KMEDIA_SRTP_MKI_MAX];
	uint8_t key_len;
	uint8_t salt_len;
	uint8_t mki_len;
	bool reported;
};

_Static_assert(KMEDIA_SRTP_A_MAX < 32, "srtp presence mask too small");

#define KMD_SRTP_KEYS							\
	(KMD_BIT(KMEDIA_SRTP_A_MASTER_KEY) | KMD_BIT(KMEDIA_SRTP_A_MASTER_SALT))

struct kmedia_stream {
	uint64_t present;	/* bit per enum kmedia_stream_attr */
	/* ID, SOCK_IN, KIND, SOCK_OUT, SRC_MODE, DSCP, IDLE_TIMEOUT,
	 * CLOCK_RATE, IDLE_MS and SRTP_FAILURES, indexed by attribute.
	 */
	uint32_t val[KMEDIA_STREAM_A_MAX + 1];
	uint64_t cookie;
	struct sockaddr_storage dst;
	struct sockaddr_storage src;
	socklen_t dst_len;
	socklen_t src_len;
	uint8_t pt_allow[KMEDIA_PT_BITMAP_LEN];
	struct kmd_stats stats;	/* KMEDIA_STREAM_A_STATS */
	struct kmedia_srtp srtp_in;	/* KMEDIA_STREAM_A_SRTP_IN */
	struct kmedia_srtp srtp_out;	/* KMEDIA_STREAM_A_SRTP_OUT */
};

_Static_assert(KMEDIA_STREAM_A_MAX < 64, "stream presence mask too small");

/* Attributes a request may carry, out of those present on the object. */
#define KMD_STREAM_SETTABLE_ATTRS					\
	(KMD_BIT(KMEDIA_STREAM_A_COOKIE) | KMD_BIT(KMEDIA_STREAM_A_SOCK_OUT) | \
	 KMD_BIT(KMEDIA_STREAM_A_DST) | KMD_BIT(KMEDIA_STREAM_A_SRC_MODE) | \
	 KMD_BIT(KMEDIA_STREAM_A_SRC) | KMD_BIT(KMEDIA_STREAM_A_PT_ALLOW) | \
	 KMD_BIT(KMEDIA_STREAM_A_DSCP) |				\
	 KMD_BIT(KMEDIA_STREAM_A_IDLE_TIMEOUT) |			\
	 KMD_BIT(KMEDIA_STREAM_A_CLOCK_RATE) |				\
	 KMD_BIT(KMEDIA_STREAM_A_SRTP_IN) | KMD_BIT(KMEDIA_STREAM_A_SRTP_OUT))
/* NEW: everything but ID and the replies-only LATCHED, STATS, IDLE_MS and
 * SRTP_FAILURES. SRTP contexts decoded from a reply are never sent.
 */
#define KMD_STREAM_NEW_ATTRS						\
	(KMD_STREAM_SETTABLE_ATTRS | KMD_BIT(KMEDIA_STREAM_A_SOCK_IN) | \
	 KMD_BIT(KMEDIA_STREAM_A_KIND))
/* CHANGE: ID and what may change; SOCK_IN and KIND are fixed. */
#define KMD_STREAM_CHANGE_ATTRS						\
	(KMD_STREAM_SETTABLE_ATTRS | KMD_BIT(KMEDIA_STREAM_A_ID))
/* Dump filters. */
#define KMD_STREAM_FILTER_ATTRS						\
	(KMD_BIT(KMEDIA_STREAM_A_COOKIE) | KMD_BIT(KMEDIA_STREAM_A_SOCK_IN))

/* What answers a request of a batch when it works. */
enum kmd_batch_answer {
	KMD_BATCH_NOTHING,	/* CHANGE, DEL: no message */
	KMD_BATCH_STREAM,	/* NEW: the stream, with its ID */
};

struct kmd_batch_item {
	size_t off;		/* of its message in the batch's buffer */
	uint32_t id;		/* KMD_BATCH_STREAM: the new stream's */
	int result;
	uint8_t answer;		/* enum kmd_batch_answer */
	uint8_t state;
	char *extack;		/* the kernel's explanation of a failure */
};

struct kmedia_batch {
	struct kmedia_handle *h;
	char *buf;		/* the requests, back to back */
	size_t used, size;
	struct kmd_batch_item *items;
	unsigned int n, items_cap;
	unsigned int sent;	/* items before this one were sent */
	unsigned int failed;	/* by the last kmedia_batch_send() */
	bool secret;		/* buf holds SRTP keys */
	unsigned int chunk_items;	/* most requests per datagram */
	size_t chunk_bytes;		/* largest datagram */
	char *recv;		/* KMD_BATCH_RECV_VLEN buffers of recv_len */
	size_t recv_len;
};

/* handle.c */
KMD_HIDDEN struct nlmsghdr *kmd_msg_start(struct kmedia_handle *h, void *buf,
					  uint8_t cmd, uint16_t flags);
KMD_HIDDEN ssize_t kmd_recv(struct kmedia_handle *h, int flags);
KMD_HIDDEN int kmd_request(struct kmedia_handle *h, struct nlmsghdr *nlh,
			   kmd_msg_cb cb, void *data);
KMD_HIDDEN int kmd_parse_error(const struct nlmsghdr *nlh, char *extack,
			       size_t len);

/* addr.c: sockaddr <-> nest of enum kmedia_addr_attr */
KMD_HIDDEN int kmd_addr_copy(struct sockaddr_storage *ss, socklen_t *lenp,
			     const struct sockaddr *addr, socklen_t len);
KMD_HIDDEN void kmd_addr_put(struct nlmsghdr *nlh, uint16_t type,
			     const struct sockaddr_storage *ss);
KMD_HIDDEN int kmd_addr_parse(const struct nlattr *nest,
			      struct sockaddr_storage *ss, socklen_t *lenp);

/* stats.c: counters nests */
KMD_HIDDEN int kmd_stats_parse(const struct nlattr *nest,
			       struct kmd_stats *stats);
KMD_HIDDEN int kmd_sock_stats_parse(const struct nlattr *nest,
				    struct kmd_stats *stats);
KMD_HIDDEN bool kmd_stats_has(const struct kmd_stats *stats,
			      unsigned int attr);
KMD_HIDDEN uint64_t kmd_stats_get(const struct kmd_stats *stats,
				  unsigned int attr);

/* srtp.c: crypto contexts, nests of enum kmedia_srtp_attr */
KMD_HIDDEN void kmd_srtp_wipe(struct kmedia_srtp *ctx);
KMD_HIDDEN int kmd_srtp_suite_sizes(uint32_t suite, size_t *key_len,
				    size_t *salt_len);
KMD_HIDDEN bool kmd_srtp_sendable(const struct kmedia_srtp *ctx);
KMD_HIDDEN void kmd_srtp_put(struct nlmsghdr *nlh, uint16_t type,
			     const struct kmedia_srtp *ctx);
KMD_HIDDEN int kmd_srtp_parse(const struct nlattr *nest,
			      struct kmedia_srtp *ctx);

/* netns.c */
KMD_HIDDEN int kmd_netns_parse(const struct nlmsghdr *nlh,
			       struct kmedia_netns *netns);

/* sock.c */
KMD_HIDDEN struct nlmsghdr *kmd_sock_attach_msg(struct kmedia_handle *h,
						void *buf, uint32_t fd);
KMD_HIDDEN struct nlmsghdr *kmd_sock_id_msg(struct kmedia_handle *h,
					    void *buf, uint8_t cmd,
					    uint32_t id);
KMD_HIDDEN struct nlmsghdr *kmd_sock_dump_msg(struct kmedia_handle *h,
					      void *buf);
KMD_HIDDEN int kmd_sock_parse(const struct nlmsghdr *nlh,
			      struct kmedia_sock *sock);

/* stream.c */
KMD_HIDDEN void kmd_stream_put(struct nlmsghdr *nlh,
			       const struct kmedia_stream *stream,
			       uint64_t mask);
KMD_HIDDEN struct nlmsghdr *kmd_stream_new_msg(struct kmedia_handle *h,
					       void *buf,
					       const struct kmedia_stream *stream);
KMD_HIDDEN struct nlmsghdr *
kmd_stream_change_msg(struct kmedia_handle *h, void *buf,
		      const struct kmedia_stream *stream);
KMD_HIDDEN struct nlmsghdr *kmd_stream_id_msg(struct kmedia_handle *h,
					      void *buf, uint8_t cmd,
					      uint32_t id);
KMD_HIDDEN struct nlmsghdr *
kmd_stream_dump_msg(struct kmedia_handle *h, void *buf,
		    const struct kmedia_stream *filter);
KMD_HIDDEN struct nlmsghdr *kmd_stream_flush_msg(struct kmedia_handle *h,
						 void *buf,
						 const uint64_t *cookie);
KMD_HIDDEN int kmd_stream_parse(const struct nlmsghdr *nlh,
				struct kmedia_stream *stream);
KMD_HIDDEN int kmd_stream_id_parse(const struct nlmsghdr *nlh, uint32_t *idp);
KMD_HIDDEN int kmd_flush_parse(const struct nlmsghdr *nlh, uint32_t *countp);

/* batch.c */
KMD_HIDDEN struct nlmsghdr *kmd_batch_next(struct kmedia_batch *b);
KMD_HIDDEN int kmd_batch_add(struct kmedia_batch *b, struct nlmsghdr *nlh,
			     enum kmd_batch_answer answer, bool secret);

/* event.c */
KMD_HIDDEN int kmd_event_parse(uint16_t family_id, const struct nlmsghdr *nlh,
			       enum kmedia_cmd *cmdp,
			       struct kmedia_stream *stream);
KMD_HIDDEN int kmd_event_dispatch(uint16_t family_id, const void *buf,
				  size_t len, kmedia_event_cb cb, void *data,
				  int *countp);

#endif /* LIBKMEDIA_INTERNAL_H */
