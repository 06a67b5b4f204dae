/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmbench: the benchmark behind `make bench`. It runs inside the test VM,
 * on the alice / relay / bob namespaces of tests/lib/kmtest.c, and compares
 * kmedia with the kernel's own forwarding and NAT in one boot.
 *
 * How a figure is taken (see Documentation/performance.rst): the sender
 * (alice) and the receiver (bob) run on CPU 0; RPS steers the relay's
 * ingress veth to CPU 1, and bob's ingress back to CPU 0, so CPU 1 does the
 * relay's work and nothing else. At a fixed offered rate, CPU 1's busy time
 * over the window (minus its idle baseline) divided by the packets bob got
 * is the relay's cost per packet. A saturation window sends as fast as the
 * sender can and counts what arrives. Scenarios alternate (A B B A ...).
 *
 * Files: kmbench.c (schedule, table, JSON), kmb-traffic.c (flows, rings,
 * sender, receiver), kmb-relay.c (what each scenario installs in the
 * relay), kmb-sys.c (CPU time, memory, statistics).
 */
#ifndef KMB_H
#define KMB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "../tests/lib/kmtest.h"
#include "../tests/lib/kmsrtp.h"
#include "../tests/lib/kmlibsrtp.h"

/* G.711 20 ms: 12-byte RTP header and 160 bytes of payload. */
#define KMB_PAYLOAD	160
#define KMB_RTP_LEN	(KMT_RTP_HLEN + KMB_PAYLOAD)
#define KMB_PKT_ROOM	256
/* Packets per sendmmsg() call, and per paced burst. */
#define KMB_BURST	32
/* The relay CPU and the CPU of everything else. */
#define KMB_CPU_MAIN	0
#define KMB_CPU_RELAY	1

#define KMB_BOB_PORT	6004
#define KMB_RELAY_PORT	20000	/* on 10.31.1.2, facing alice */
#define KMB_RELAY_B_PORT 30000	/* on 10.31.2.2, facing bob */
/* Many-stream runs: relay addresses 10.31.9.K, ports from KMB_SCALE_PORT0. */
#define KMB_SCALE_NET	"10.31.9."
#define KMB_SCALE_PORT0	10000
#define KMB_SCALE_PORTS	50000
#define KMB_SSRC0	0x4b420000u

/* ---- system figures (kmb-sys.c) ---- */

struct kmb_cpu {
	uint64_t idle_us[2];	/* CPU 0 and 1: idle and iowait */
	uint64_t net_rx[2];	/* NET_RX softirqs */
	uint64_t at_us;		/* CLOCK_MONOTONIC */
};

int kmb_cpu_read(struct kmb_cpu *c);
/* Used memory (MemTotal - MemFree), Slab and Percpu, in bytes. */
int kmb_mem_read(uint64_t *used, uint64_t *slab, uint64_t *percpu);

/* Median, minimum and maximum of n samples (n may be 0: all NAN). */
struct kmb_stat {
	double med, min, max;
	unsigned int n;
};

void kmb_stat(struct kmb_stat *s, const double *v, unsigned int n);

/* ---- traffic (kmb-traffic.c) ---- */

/*
 * A flow: nstreams RTP streams, stream s sent to dst[s] with SSRC
 * KMB_SSRC0 + s and its own sequence, protected with `srtp` (suite NONE:
 * plain). Rings are built from it window after window; sequences go on.
 */
struct kmb_flow {
	uint32_t nstreams;
	struct sockaddr_in *dst;
	uint32_t *index;	/* next packet index of each stream */
	uint32_t cursor;	/* next stream to send on */
	struct kmt_srtp srtp;	/* what alice protects with */
	struct kmt_libsrtp *tx;	/* kept across rings when few streams */
};

int kmb_flow_init(struct kmb_flow *f, uint32_t nstreams, uint32_t suite,
		  uint32_t key_seed);
void kmb_flow_free(struct kmb_flow *f);

struct kmb_ring {
	uint8_t *buf;
	struct mmsghdr *msg;
	struct iovec *iov;
	uint32_t n;
};

/* The next n packets of the flow, protected now (before any clock runs). */
int kmb_ring_build(struct kmb_ring *r, struct kmb_flow *f, uint32_t n);
void kmb_ring_free(struct kmb_ring *r);

/*
 * Send the ring from fd: at pps packets/s in bursts of KMB_BURST, or as
 * fast as possible (pps 0), for at most dur_us. Returns packets sent and
 * the time it took in *elapsed_us.
 */
uint64_t kmb_send(int fd, const struct kmb_ring *r, uint32_t pps,
		  uint64_t dur_us, uint64_t *elapsed_us);

/*
 * The receiver thread: counts every datagram on fd and checks one in
 * KMB_CHECK_EVERY (length, RTP header, payload pattern; unprotected first
 * with `srtp` when that is not NONE).
 */
#define KMB_CHECK_EVERY	16

struct kmb_recv {
	int fd;
	atomic_uint_fast64_t got;	/* datagrams read */
	atomic_uint_fast64_t checked;	/* spot checks passed */
	atomic_uint_fast64_t bad;	/* spot checks failed */
	atomic_uint_fast64_t drops;	/* SO_RXQ_OVFL: socket overflows */
	atomic_bool stop;
	struct kmt_libsrtp *rx;		/* NULL: plain */
	pthread_t thread;
	bool running;
};

int kmb_recv_start(struct kmb_recv *r, int fd, const struct kmt_srtp *srtp);
void kmb_recv_stop(struct kmb_recv *r);
/* got + drops, a snapshot */
uint64_t kmb_recv_arrived(struct kmb_recv *r);

/* ---- relay configurations (kmb-relay.c) ---- */

enum kmb_kind {
	KMB_ROUTE,	/* IP forwarding */
	KMB_NAT,	/* nftables DNAT + SNAT */
	KMB_KMEDIA,	/* kmedia streams */
	KMB_USER,	/* a userspace relay started by a hook command */
};

struct kmb_scenario {
	const char *name;
	const char *label;
	enum kmb_kind kind;
	uint32_t in_suite;	/* what alice sends */
	uint32_t out_suite;	/* what bob gets */
	const char *na;		/* not measured: why */
};

struct kmb_bench;

/*
 * The relay as a scenario needs it for one window, and where alice sends.
 * kmb_relay_down() undoes it.
 */
struct kmb_relay {
	const struct kmb_scenario *sc;
	int fds[2];
	uint32_t ids[2];
	int child;		/* KMB_USER: the relay process */
	struct sockaddr_in to;
};

int kmb_relay_up(struct kmb_bench *b, struct kmb_relay *r,
		 const struct kmb_scenario *sc);
void kmb_relay_down(struct kmb_bench *b, struct kmb_relay *r);

/* n relay sockets on KMB_SCALE_NET addresses, attached to kmedia. */
struct kmb_socks {
	uint32_t n;
	int *fd;
	uint32_t *id;
	struct sockaddr_in *addr;
	double attach_s;	/* seconds to create, bind and attach them */
};

int kmb_socks_open(struct kmb_bench *b, struct kmb_socks *s, uint32_t n);
void kmb_socks_close(struct kmb_socks *s);
/*
 * One stream per socket (in_suite: SRTP in with the flow's key), out
 * through the relay's bob-side socket to bob, with cookie. Returns 0 and
 * the seconds it took in *secs.
 */
int kmb_streams_install(struct kmb_bench *b, const struct kmb_socks *s,
			uint32_t in_suite, uint64_t cookie, uint32_t *ids,
			double *secs);
/* Delete the streams one request each, or all at once by cookie. */
int kmb_streams_delete(struct kmb_bench *b, const uint32_t *ids, uint32_t n,
		       double *secs);
int kmb_streams_flush(struct kmb_bench *b, uint64_t cookie, double *secs);
/* The same as one libkmedia batch each (kmedia_batch_send()), no SRTP. */
int kmb_streams_install_batch(struct kmb_bench *b, const struct kmb_socks *s,
			      uint64_t cookie, uint32_t *ids, double *secs);
int kmb_streams_delete_batch(struct kmb_bench *b, const uint32_t *ids,
			     uint32_t n, double *secs);

/* ---- the run (kmbench.c) ---- */

struct kmb_bench {
	struct kmt_topo topo;
	struct kmedia_handle *h;	/* in the relay namespace */
	int alice;			/* alice's sending socket */
	int bob;			/* bob's receiving socket */
	struct kmt_addr bob_addr;
	int rb;				/* relay socket facing bob (scaling) */
	uint32_t rb_id;
	const char *user_relay;		/* hook: a userspace relay command */
	bool verbose;
};

/* Run a shell command (a literal format) in namespace ns of the topology. */
#define kmb_sh_ns(b, ns, fmt, ...) \
	kmt_sh("ip netns exec %s sh -c '" fmt "'", (b)->topo.name[ns], \
	       ##__VA_ARGS__)

#endif /* KMB_H */
