/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmtest: helpers shared by the in-VM C suites (tests/suites/NN-*.c) and the
 * test tools (tests/tools/): the alice / relay / bob network namespace
 * topology, UDP sockets in a namespace, RTP/RTCP/STUN packet builders,
 * receiving with the TOS/TCLASS a packet arrived with, reading kmedia
 * counters with bounded waits, collecting kmedia events and a paced RTP
 * sender thread.
 *
 * Everything here returns 0 (or a count) or a negative errno and prints only
 * "# " diagnostic lines on stderr, so it does not depend on the kselftest
 * harness. When the harness is included first, the KMT_ASSERT_* macros at
 * the end are available as well.
 *
 * Topology (kmt_topo_setup()):
 *
 *   alice                     relay                        bob
 *   veth0 ------------------- va        vb ----------------- veth0
 *   10.31.1.1/24  10.31.1.2/24 (A)      (B) 10.31.2.2/24     10.31.2.1/24
 *   10.31.1.3/24 (alice2)
 *   fd31:1::1/64  fd31:1::2/64          fd31:2::2/64         fd31:2::1/64
 *   fd31:1::3/64 (alice2)
 *
 * The relay does not route: packets cross it only through kmedia streams.
 * Neighbours are static (fixed MAC addresses, NUD permanent) and IPv6
 * addresses skip DAD, so the first packet of a test never waits for ARP/ND.
 */
#ifndef KMTEST_H
#define KMTEST_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <libkmedia/libkmedia.h>

/* ---- namespaces ---- */

enum kmt_ns {
	KMT_NS_ALICE,
	KMT_NS_RELAY,
	KMT_NS_BOB,
	KMT_NS_COUNT
};

enum kmt_host {
	KMT_ALICE,	/* 10.31.1.1, fd31:1::1 in alice */
	KMT_ALICE2,	/* 10.31.1.3, fd31:1::3 in alice: a second source */
	KMT_RELAY_A,	/* 10.31.1.2, fd31:1::2 in relay, facing alice */
	KMT_RELAY_B,	/* 10.31.2.2, fd31:2::2 in relay, facing bob */
	KMT_BOB,	/* 10.31.2.1, fd31:2::1 in bob */
	KMT_HOST_COUNT
};

/* kmt_topo_setup() flags */
/* tx checksum offload off on every veth: checksums computed in software */
#define KMT_TOPO_NO_CSUM_OFFLOAD	0x1

#define KMT_NS_NAME_MAX	48

struct kmt_topo {
	char name[KMT_NS_COUNT][KMT_NS_NAME_MAX];
	int nsfd[KMT_NS_COUNT];		/* -1 when not open */
	bool created[KMT_NS_COUNT];
	int origfd;			/* the namespace before setup */
};

/*
 * Create the three named namespaces (unique names: kmt<main pid>-<pid>-X),
 * the veth pairs, addresses and neighbours, then pin the calling thread to
 * the CPU it runs on (so that packets it sends are processed in order) and
 * enter the relay namespace. On failure everything created is removed.
 */
int kmt_topo_setup(struct kmt_topo *t, unsigned int flags);
/* Go back to the original namespace and delete the named namespaces. */
void kmt_topo_teardown(struct kmt_topo *t);
/* setns() the calling thread into one namespace of the topology. */
int kmt_topo_enter(const struct kmt_topo *t, enum kmt_ns ns);
enum kmt_ns kmt_host_ns(enum kmt_host host);
/* The textual address of host in family (AF_INET or AF_INET6). */
const char *kmt_host_ip(enum kmt_host host, int family);

/*
 * A unique name for a named namespace: "kmt<main pid>-<pid>-<tag>". Names
 * with this prefix left behind by a killed test are deleted when the suite
 * (the harness's main process) exits.
 */
void kmt_netns_name(char *buf, size_t len, const char *tag);

/* An fd for the calling thread's current network namespace, or -errno. */
int kmt_netns_self(void);
int kmt_netns_enter_fd(int fd);

/*
 * Run "ip [-n NS] -b FILE" with the newline-separated commands; ns may be
 * NULL. Output goes to stderr as "# " lines. Returns 0 or -EIO.
 */
int kmt_ip_batch(const char *ns, const char *cmds);
/* Run a shell command, output as "# " lines; returns its exit status. */
int kmt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Pin the calling thread to the CPU it runs on now. */
int kmt_pin_self(void);
/* A CPU allowed at program start other than cpu, or cpu if there is none. */
int kmt_other_cpu(int cpu);

/* Bring lo up in the current namespace (for tests in an unshared netns). */
int kmt_lo_up(void);

/* Module parameters: read or write /sys/module/kmedia/parameters/NAME. */
int kmt_param_read(const char *name, char *buf, size_t len);
int kmt_param_write(const char *name, const char *value);

/* ---- addresses and sockets ---- */

struct kmt_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
		struct sockaddr_storage ss;
	};
	socklen_t len;
};

#define KMT_ADDRSTRLEN	(INET6_ADDRSTRLEN + 8)

/* ip is numeric; port in host order. Returns 0 or -EINVAL. */
int kmt_addr_make(struct kmt_addr *a, int family, const char *ip,
		  uint16_t port);
int kmt_addr_host(struct kmt_addr *a, enum kmt_host host, int family,
		  uint16_t port);
void kmt_addr_set(struct kmt_addr *a, const struct sockaddr *sa,
		  socklen_t len);
/* Same family, address and port (scope and flow info ignored). */
bool kmt_addr_equal(const struct kmt_addr *a, const struct sockaddr *sa,
		    socklen_t len);
bool kmt_addr_eq(const struct kmt_addr *a, const struct kmt_addr *b);
uint16_t kmt_addr_port(const struct kmt_addr *a);
/* "1.2.3.4:5" or "[::1]:5"; returns buf. */
const char *kmt_addr_str(const struct sockaddr *sa, socklen_t len, char *buf,
			 size_t size);
const char *kmt_addr_fmt(const struct kmt_addr *a);	/* static buffer */

/*
 * A UDP socket bound to ip:port (port 0: ephemeral) in the calling thread's
 * namespace: IPV6_V6ONLY for AF_INET6, IP_RECVTOS / IPV6_RECVTCLASS and
 * SO_RXQ_OVFL on, receive buffer of KMT_RCVBUF bytes (forced). *bound (may
 * be NULL) receives the bound address. Returns the fd or -errno.
 */
#define KMT_RCVBUF	(8 << 20)
int kmt_udp_bind(int family, const char *ip, uint16_t port,
		 struct kmt_addr *bound);
/* The same, created inside host's namespace of t. */
int kmt_udp(const struct kmt_topo *t, enum kmt_host host, int family,
	    uint16_t port, struct kmt_addr *bound);
/* A TCP socket in the current namespace, bound to ip:port when ip != NULL. */
int kmt_tcp_bind(int family, const char *ip, uint16_t port);
int kmt_set_rcvbuf(int fd, int bytes);
/* IP_TOS or IPV6_TCLASS of what fd sends. */
int kmt_set_tos(int fd, int family, int tos);

/* Send the whole datagram; 0 or -errno (-EMSGSIZE on a short send). */
int kmt_send(int fd, const void *buf, size_t len, const struct kmt_addr *to);

#define KMT_MSG_MAX	4096

struct kmt_msg {
	uint8_t buf[KMT_MSG_MAX];
	ssize_t len;
	struct kmt_addr from;
	int tos;		/* TOS / traffic class, -1 if unknown */
	uint32_t drops;		/* SO_RXQ_OVFL: socket drops so far */
};

/*
 * Wait up to timeout_ms (0: only what is queued) for one datagram.
 * Returns 0, -ETIMEDOUT or -errno.
 */
int kmt_recv(int fd, struct kmt_msg *m, int timeout_ms);
/* 1 if at least one datagram (even an empty one) is queued on fd, else 0. */
int kmt_queued(int fd);

/* ---- packets ---- */

#define KMT_RTP_HLEN	12

struct kmt_rtp {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
};

/*
 * RTP version 2, no padding, extension or CSRC, followed by payload (or, if
 * payload is NULL, plen bytes of a pattern derived from seq and ssrc).
 * Returns the packet length, or 0 if it does not fit in cap.
 */
size_t kmt_rtp_build(uint8_t *buf, size_t cap, const struct kmt_rtp *h,
		     const void *payload, size_t plen);
/*
 * RTCP: an SR (pt 200) or RR (pt 201), or any other pt with a 4-byte body;
 * the length field is correct. Returns the length or 0.
 */
size_t kmt_rtcp_build(uint8_t *buf, size_t cap, uint8_t pt, uint32_t ssrc);
/* STUN message (RFC 5389): type, 0 length, magic cookie, transaction ID. */
#define KMT_STUN_COOKIE		0x2112A442
size_t kmt_stun_build(uint8_t *buf, size_t cap, uint16_t type, uint32_t tid);
/* Deterministic pseudo-random bytes. */
void kmt_fill_random(uint8_t *buf, size_t len, uint32_t seed);

/* ---- kmedia helpers ---- */

/* Open a handle in the current namespace, retrying briefly on -EINTR. */
int kmt_handle(struct kmedia_handle **hp);

/*
 * A stream object with SOCK_IN, SOCK_OUT and DST set (and KIND if not RTP);
 * NULL on failure. The caller adds options, calls kmedia_stream_new() and
 * frees it.
 */
struct kmedia_stream *kmt_stream_spec(uint32_t sock_in, uint32_t sock_out,
				      const struct kmt_addr *dst,
				      enum kmedia_stream_kind kind);
/* Create a plain stream; *idp receives its ID. */
int kmt_stream_add(struct kmedia_handle *h, uint32_t sock_in,
		   uint32_t sock_out, const struct kmt_addr *dst,
		   enum kmedia_stream_kind kind, uint64_t cookie,
		   uint32_t *idp);
/* Change only DST (and SOCK_OUT when sock_out != KMT_ANY) of stream id. */
int kmt_stream_set_dst(struct kmedia_handle *h, uint32_t id,
		       uint32_t sock_out, const struct kmt_addr *dst);

#define KMT_ANY	UINT32_MAX

/*
 * Counters. A stream or socket reply without a statistics nest is -ENODATA;
 * a counter missing from the nest reads as 0.
 */
int kmt_stream_stat(struct kmedia_handle *h, uint32_t id,
		    enum kmedia_stats_attr attr, uint64_t *val);
int kmt_sock_stat(struct kmedia_handle *h, uint32_t id,
		  enum kmedia_sock_stats_attr attr, uint64_t *val);
int kmt_netns_u32(struct kmedia_handle *h, enum kmedia_netns_attr attr,
		  uint32_t *val);
int kmt_netns_stat(struct kmedia_handle *h, enum kmedia_stats_attr attr,
		   uint64_t *val);
/*
 * Poll (every 10 ms, at most timeout_ms) until a monotonic counter is at
 * least want; *val receives the last value read. 0, -ETIMEDOUT or -errno.
 * The caller then asserts the exact value.
 */
int kmt_wait_stream_stat(struct kmedia_handle *h, uint32_t id,
			 enum kmedia_stats_attr attr, uint64_t want,
			 int timeout_ms, uint64_t *val);
int kmt_wait_sock_stat(struct kmedia_handle *h, uint32_t id,
		       enum kmedia_sock_stats_attr attr, uint64_t want,
		       int timeout_ms, uint64_t *val);
/* Poll until a namespace total equals want. */
int kmt_wait_netns_u32(struct kmedia_handle *h, enum kmedia_netns_attr attr,
		       uint32_t want, int timeout_ms, uint32_t *val);
/* Poll until kmedia_stream_get(id) fails with -ENOENT. */
int kmt_wait_stream_gone(struct kmedia_handle *h, uint32_t id,
			 int timeout_ms);

/* Stream IDs of a dump (filter may be NULL); returns how many, or -errno. */
int kmt_stream_ids(struct kmedia_handle *h, const struct kmedia_stream *filter,
		   uint32_t *ids, int max);
bool kmt_ids_contain(const uint32_t *ids, int n, uint32_t id);

/* ---- the usual relay fixture ---- */

#define KMT_PORT_ALICE		5004
#define KMT_PORT_BOB		6004
#define KMT_PORT_RELAY_A	20000
#define KMT_PORT_RELAY_B	30000

/*
 * The topology, a kmedia handle opened in the relay namespace, one endpoint
 * socket in alice (fam_a, KMT_PORT_ALICE) and in bob (fam_b, KMT_PORT_BOB),
 * and two attached relay sockets: ra facing alice (fam_a, KMT_PORT_RELAY_A)
 * and rb facing bob (fam_b, KMT_PORT_RELAY_B). The calling thread is left
 * in the relay namespace. On failure everything is undone.
 */
struct kmt_relay {
	struct kmt_topo topo;
	struct kmedia_handle *h;
	int fam_a, fam_b;
	int alice, bob;
	struct kmt_addr alice_addr, bob_addr;
	int ra, rb;
	struct kmt_addr ra_addr, rb_addr;
	uint32_t ra_id, rb_id;
};

int kmt_relay_setup(struct kmt_relay *r, int fam_a, int fam_b,
		    unsigned int topo_flags);
void kmt_relay_teardown(struct kmt_relay *r);
/* One more relay socket on host (KMT_RELAY_A or _B), attached with r->h. */
int kmt_relay_sock(struct kmt_relay *r, enum kmt_host host, int family,
		   uint16_t port, struct kmt_addr *bound, uint32_t *idp);

/* ---- events ---- */

struct kmt_event {
	enum kmedia_cmd cmd;
	uint32_t id;
	bool has_cookie, has_src, has_idle_ms;
	uint64_t cookie;
	struct kmt_addr src;
	uint32_t idle_ms;
	uint64_t at_ms;		/* CLOCK_MONOTONIC when read */
};

#define KMT_EVENTS_MAX	512

struct kmt_events {
	struct kmedia_handle *h;
	unsigned int n;
	unsigned int overflow;
	int err;		/* first error of kmedia_event_recv() */
	struct kmt_event ev[KMT_EVENTS_MAX];
};

/* A dedicated, subscribed handle in the current namespace. */
int kmt_events_open(struct kmt_events **ep);
void kmt_events_close(struct kmt_events *e);
/* Read events for timeout_ms. Returns 0 or the receive error. */
int kmt_events_read(struct kmt_events *e, int timeout_ms);
/* Events of cmd about stream id (KMT_ANY: any) read so far. */
unsigned int kmt_events_count(const struct kmt_events *e, enum kmedia_cmd cmd,
			      uint32_t id);
/* The nth (from 0) of them, or NULL. */
const struct kmt_event *kmt_events_get(const struct kmt_events *e,
				       enum kmedia_cmd cmd, uint32_t id,
				       unsigned int nth);
/* Read until count(cmd, id) >= count: 0, -ETIMEDOUT or the receive error. */
int kmt_events_wait(struct kmt_events *e, enum kmedia_cmd cmd, uint32_t id,
		    unsigned int count, int timeout_ms);

/* ---- a paced RTP sender thread ---- */

/*
 * Sends count RTP packets of len bytes (>= KMT_FLOW_MIN_LEN) to `to` at pps
 * packets per second (0: as fast as possible). Packet i carries RTP seq
 * (seq0 + i), timestamp i * 160 and the 32-bit index i right after the RTP
 * header. next is stored before each send: once the caller read next == k,
 * every packet with an index > k left after that read.
 */
#define KMT_FLOW_MIN_LEN	(KMT_RTP_HLEN + 4)

struct kmt_flow {
	int fd;
	struct kmt_addr to;
	uint32_t ssrc;
	uint8_t pt;
	uint16_t seq0;
	uint32_t count;
	uint32_t pps;
	size_t len;
	int cpu;		/* pin the thread to this CPU, -1: do not */

	atomic_uint next;
	atomic_bool stop;
	atomic_bool done;
	int err;
	uint32_t sent;
	pthread_t thread;
	bool running;
};

/* Fill in defaults (pt 0, ssrc 0x4b4d5444, len 64, cpu -1) and the target. */
void kmt_flow_init(struct kmt_flow *f, int fd, const struct kmt_addr *to,
		   uint32_t count, uint32_t pps);
int kmt_flow_start(struct kmt_flow *f);
/* Wait until at least n packets were started (or the flow ended). */
int kmt_flow_wait_index(struct kmt_flow *f, uint32_t n, int timeout_ms);
/* Stop early (optional) and join; returns the sender's error or 0. */
int kmt_flow_join(struct kmt_flow *f, bool stop);
/* The index a flow packet carries, or -1 if it is not one. */
int64_t kmt_flow_index(const uint8_t *buf, size_t len);

/* ---- time ---- */

uint64_t kmt_now_ms(void);
uint64_t kmt_now_us(void);
/* Sleep until an absolute CLOCK_MONOTONIC time in microseconds. */
void kmt_sleep_until_us(uint64_t when);
void kmt_sleep_ms(unsigned int ms);

/* ---- daemons for test tools ---- */

/*
 * Fork a daemon: a session of its own, SIGHUP ignored, stdio on /dev/null.
 * It calls setup(ready, arg), which writes one line to the descriptor
 * ready: "ready ..." once everything is in place, or "error: ..." before
 * returning non-zero; then, if setup succeeded, run(arg), and exits. The
 * caller prints that line on stdout and gets 0 if it began with "ready ",
 * 1 otherwise (a daemon that failed is reaped).
 */
int kmt_daemon(int (*setup)(int ready, void *arg), void (*run)(void *arg),
	       void *arg);

/* ---- assertions (only with the kselftest harness included first) ---- */

#ifdef __KSELFTEST_HARNESS_H

/*
 * FIXTURE_SETUP() and FIXTURE_TEARDOWN() define global functions without a
 * previous prototype; -Wmissing-prototypes cannot hold in a suite.
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

/* Log the extended ACK of the last request on h. */
#define KMT_LOG_EXTACK(h) \
	TH_LOG("extack: %s", kmedia_handle_extack(h) ? : "(none)")

/* A request on h failed with one of the given errnos and an extack. */
#define KMT_ASSERT_REFUSED(h, ret, err) do {				\
	int __kr = (ret);						\
	ASSERT_EQ(-(err), __kr) KMT_LOG_EXTACK(h);			\
	ASSERT_NE(NULL, kmedia_handle_extack(h));			\
	KMT_LOG_EXTACK(h);						\
} while (0)

/*
 * Receive one datagram on fd within timeout_ms and check it is exactly
 * (buf, len), coming from *src (NULL: any source). m (struct kmt_msg *)
 * keeps the datagram for further checks.
 */
#define KMT_ASSERT_RECV(fd, m, data, size, src, timeout_ms) do {	\
	int __kr = kmt_recv((fd), (m), (timeout_ms));			\
	ASSERT_EQ(0, __kr) TH_LOG("no datagram on fd %d within %d ms",	\
				  (fd), (timeout_ms));			\
	ASSERT_EQ((ssize_t)(size), (m)->len);				\
	ASSERT_EQ(0, memcmp((m)->buf, (data), (size)))			\
		TH_LOG("payload differs");				\
	const struct kmt_addr *__ks = (src);				\
	if (__ks) {							\
		ASSERT_TRUE(kmt_addr_eq(__ks, &(m)->from))		\
			TH_LOG("source %s, expected %s",		\
			       kmt_addr_fmt(&(m)->from),		\
			       kmt_addr_fmt(__ks));			\
	}								\
} while (0)

/* Nothing is queued on fd (checked without waiting: call after a barrier). */
#define KMT_ASSERT_EMPTY(fd) do {					\
	int __kq = kmt_queued(fd);					\
	ASSERT_EQ(0, __kq) TH_LOG("%d unexpected datagram(s) on fd %d",	\
				  __kq, (fd));				\
} while (0)

#endif /* __KSELFTEST_HARNESS_H */

#endif /* KMTEST_H */
