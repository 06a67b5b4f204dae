// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmbench: the data-plane comparison (route, nat, kmedia with and without
 * SRTP), the many-stream runs and the control-plane rates, in one VM boot.
 * Prints a table and writes JSON. It measures; it never judges timing, so
 * its exit status only says whether the set-up worked.
 *
 * usage: kmbench [--quick] [--reps N] [--window SECS] [--rate PPS]
 *                [--sat-ring PACKETS] [--scale N,N,...] [--ctl N]
 *                [--parts dataplane,scaling,control] [--json FILE]
 *                [--host-info FILE] [--guest-info FILE]
 *                [--udp-hash ENTRIES] [--scenario NAME]
 *                [--sip-text FILE --sip-json FILE]
 *
 * The signalling figures come from bench/sip-rate, which bench/run starts
 * before kmbench; kmbench prints its lines and embeds its JSON object.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kmb.h"

#define KMB_REPS_MAX	16
#define KMB_SCALE_MAX	8
/*
 * The UDP table a relay host has: the kernel sizes it from memory (one
 * entry per 2 MiB, at most 65536), so a 2 GiB VM gets 1024 entries where
 * a server with 128 GiB gets 65536. Measure with the server's.
 */
#define KMB_UDP_HASH	65536
/* Rate of the first packet of every stream in many-stream runs. */
#define KMB_WARM_PPS	16000
/* Fewer streams than this: no memory or install rate per stream. */
#define KMB_SCALE_MIN_N	1000

static const struct kmb_scenario kmb_scenarios[] = {
	{ "route", "1 route: IP forwarding", KMB_ROUTE, 0, 0, NULL },
	{ "nat", "2 nat: nftables DNAT+SNAT", KMB_NAT, 0, 0, NULL },
	{ "kmedia", "3 kmedia RTP->RTP", KMB_KMEDIA, 0, 0, NULL },
	{ "srtp-rtp", "4 kmedia SRTP->RTP", KMB_KMEDIA,
	  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 0, NULL },
	{ "rtp-srtp", "5 kmedia RTP->SRTP", KMB_KMEDIA,
	  0, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, NULL },
	{ "srtp-srtp", "6 kmedia SRTP(A)->SRTP(B)", KMB_KMEDIA,
	  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
	  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, NULL },
	{ "gcm-rtp", "7 kmedia AEAD_AES_128_GCM->RTP", KMB_KMEDIA,
	  KMEDIA_SRTP_AEAD_AES_128_GCM, 0, NULL },
	{ "user-rtp", "8a kmediad fallback RTP->RTP", KMB_USER, 0, 0, NULL },
	{ "user-srtp-rtp", "8b kmediad fallback SRTP->RTP", KMB_USER,
	  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, 0, NULL },
};

#define KMB_NSC	(sizeof(kmb_scenarios) / sizeof(kmb_scenarios[0]))

struct kmb_opts {
	unsigned int reps;
	double window;		/* seconds per window */
	uint32_t rate;		/* offered pps of the cost windows */
	uint32_t sat_ring;	/* packets of a saturation window, at most */
	uint32_t scale[KMB_SCALE_MAX];
	unsigned int nscale;
	uint32_t ctl;		/* streams of the control-plane runs */
	bool dataplane, scaling, control;
	bool quick;
	uint32_t udp_hash;	/* udp_child_hash_entries for the namespaces */
	const char *only;	/* run this data-plane scenario only */
	const char *json;
	const char *host_info;
	const char *guest_info;
	const char *sip_text;	/* bench/sip-rate's table lines */
	const char *sip_json;	/* and its JSON object */
};

/* What one window measured. */
struct kmb_win {
	double offered_pps;	/* what the sender managed */
	double arrived_pps;	/* what reached bob's socket, per second */
	double us_per_pkt;	/* CPU 1 busy above baseline / packets */
	double cpu1_util;	/* CPU 1 busy share of the window */
	double rx_on_cpu1;	/* NET_RX softirqs on CPU 1 / all */
	uint64_t sent, arrived, checked, bad;
};

/* Samples of one figure set, one per repetition. */
struct kmb_series {
	double offered[KMB_REPS_MAX], sat_pps[KMB_REPS_MAX];
	double fixed_pps[KMB_REPS_MAX], us[KMB_REPS_MAX];
	double util[KMB_REPS_MAX], rx1[KMB_REPS_MAX];
	unsigned int n;
	uint64_t checked, bad, sent, arrived;
	const char *err;
};

static struct kmb_series kmb_dp[KMB_NSC];

struct kmb_scale_res {
	uint32_t n;
	bool srtp;
	int err;
	double attach_s, install_s, flush_s;
	double socket_bytes, stream_bytes, stream_slab_bytes;
	double stream_percpu_bytes;
	double first_us;	/* relay cost of each stream's first packet */
	uint64_t first_lost;
	struct kmb_series s;
};

static struct kmb_scale_res kmb_sc_res[2 * KMB_SCALE_MAX];
static unsigned int kmb_nsc_res;

struct kmb_ctl_res {
	double install[KMB_REPS_MAX], del[KMB_REPS_MAX];
	double flush[KMB_REPS_MAX], install_srtp[KMB_REPS_MAX];
	double install_batch[KMB_REPS_MAX], del_batch[KMB_REPS_MAX];
	double attach;
	unsigned int n;
	int err;
};

static struct kmb_ctl_res kmb_ctl;
static double kmb_base_rate;	/* CPU 1 busy µs per µs of wall, idle */

static void kmb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void kmb_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- set-up ---- */

/*
 * Since Linux 6.2 a network namespace created after
 * net.ipv4.udp_child_hash_entries is set gets a UDP socket table of its
 * own, of that size, instead of sharing the boot-time one (sized from
 * memory, or by uhash_entries=). Many relay sockets make long chains in a
 * small table.
 */
static void kmb_udp_hash(uint32_t entries)
{
	FILE *f = fopen("/proc/sys/net/ipv4/udp_child_hash_entries", "we");

	if (!f) {
		kmb_log("no udp_child_hash_entries on this kernel: %s",
			strerror(errno));
		return;
	}
	fprintf(f, "%u\n", entries);
	if (fclose(f))
		kmb_log("udp_child_hash_entries=%u refused", entries);
	else
		kmb_log("UDP table of the namespaces: %u entries", entries);
}

static int kmb_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int kmb_fd_limit(uint32_t need)
{
	struct rlimit rl = { need, need };
	FILE *f;

	if (need > 1048576) {
		f = fopen("/proc/sys/fs/nr_open", "we");
		if (f) {
			fprintf(f, "%u\n", need);
			fclose(f);
		}
	}
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

static int kmb_setup(struct kmb_bench *b, uint32_t max_streams)
{
	unsigned int k, naddr = max_streams / KMB_SCALE_PORTS + 1;
	int ret;

	ret = kmb_pin(KMB_CPU_MAIN);
	if (!ret)
		ret = kmt_topo_setup(&b->topo, 0);
	if (ret)
		return ret;
	/* Forwarding for route and nat, routes for the scaling addresses. */
	ret = kmb_sh_ns(b, KMT_NS_RELAY, "sysctl -qw net.ipv4.ip_forward=1");
	ret = ret ?: kmb_sh_ns(b, KMT_NS_ALICE,
			       "ip route add 10.31.2.0/24 via 10.31.1.2 && "
			       "ip route add 10.31.9.0/24 via 10.31.1.2");
	ret = ret ?: kmb_sh_ns(b, KMT_NS_BOB,
			       "ip route add 10.31.1.0/24 via 10.31.2.2");
	for (k = 1; !ret && k <= naddr; k++)
		ret = kmb_sh_ns(b, KMT_NS_RELAY,
				"ip addr add " KMB_SCALE_NET "%u/32 dev va", k);
	/* The relay's work on CPU 1, bob's receive back on CPU 0. */
	ret = ret ?: kmb_sh_ns(b, KMT_NS_RELAY,
			       "echo %x > /sys/class/net/va/queues/rx-0/rps_cpus",
			       1u << KMB_CPU_RELAY);
	ret = ret ?: kmb_sh_ns(b, KMT_NS_BOB,
			       "echo %x > /sys/class/net/veth0/queues/rx-0/rps_cpus",
			       1u << KMB_CPU_MAIN);
	if (ret) {
		kmb_log("namespace set-up failed (%d)", ret);
		return -EIO;
	}
	ret = kmt_handle(&b->h);
	if (ret)
		return ret;
	b->alice = kmt_udp(&b->topo, KMT_ALICE, AF_INET, 5004, NULL);
	if (b->alice < 0)
		return b->alice;
	kmt_addr_host(&b->bob_addr, KMT_BOB, AF_INET, KMB_BOB_PORT);
	b->rb = kmt_udp(&b->topo, KMT_RELAY_B, AF_INET, KMB_RELAY_B_PORT + 1,
			NULL);
	if (b->rb < 0)
		return b->rb;
	return kmedia_sock_attach(b->h, b->rb, &b->rb_id);
}

/* ---- one window ---- */

/*
 * Send a ring of the flow (pps 0: as fast as possible, at most sat_ring
 * packets) through whatever the relay holds, and account for CPU 1.
 */
static int kmb_window_n(struct kmb_bench *b, struct kmb_flow *f,
			const struct kmt_srtp *rx_srtp, uint32_t pps,
			uint32_t n, uint64_t dur, struct kmb_win *w)
{
	uint64_t elapsed, last, t;
	struct kmb_cpu c0, c1;
	struct kmb_recv rcv;
	struct kmb_ring ring;
	double busy, wall;
	int bob, ret;

	memset(w, 0, sizeof(*w));
	ret = kmb_ring_build(&ring, f, n);
	if (ret)
		return ret;
	bob = kmt_udp(&b->topo, KMT_BOB, AF_INET, KMB_BOB_PORT, NULL);
	if (bob < 0) {
		kmb_ring_free(&ring);
		return bob;
	}
	ret = kmb_recv_start(&rcv, bob, rx_srtp);
	if (ret) {
		close(bob);
		kmb_ring_free(&ring);
		return ret;
	}
	kmt_sleep_ms(50);
	kmb_cpu_read(&c0);
	w->sent = kmb_send(b->alice, &ring, pps, dur, &elapsed);
	/* Drain: until nothing more arrives for 100 ms (2 s at most). */
	last = kmb_recv_arrived(&rcv);
	for (t = 0; t < 20; t++) {
		kmt_sleep_ms(100);
		if (kmb_recv_arrived(&rcv) == last)
			break;
		last = kmb_recv_arrived(&rcv);
	}
	kmb_cpu_read(&c1);
	kmb_recv_stop(&rcv);
	close(bob);
	kmb_ring_free(&ring);

	w->arrived = atomic_load(&rcv.got) + atomic_load(&rcv.drops);
	w->checked = atomic_load(&rcv.checked);
	w->bad = atomic_load(&rcv.bad);
	wall = (double)(c1.at_us - c0.at_us);
	busy = wall - (double)(c1.idle_us[1] - c0.idle_us[1]);
	w->cpu1_util = busy / wall;
	busy -= kmb_base_rate * wall;
	w->offered_pps = elapsed ? w->sent * 1e6 / elapsed : NAN;
	w->arrived_pps = elapsed ? w->arrived * 1e6 / elapsed : NAN;
	w->us_per_pkt = w->arrived ? busy / w->arrived : NAN;
	t = (c1.net_rx[0] - c0.net_rx[0]) + (c1.net_rx[1] - c0.net_rx[1]);
	w->rx_on_cpu1 = t ? (double)(c1.net_rx[1] - c0.net_rx[1]) / t : NAN;
	return 0;
}

/* A window of the run's length: o->rate pps, or flat out (pps 0). */
static int kmb_window(struct kmb_bench *b, const struct kmb_opts *o,
		      struct kmb_flow *f, const struct kmt_srtp *rx_srtp,
		      uint32_t pps, struct kmb_win *w)
{
	uint32_t n = pps ? (uint32_t)(pps * o->window) : o->sat_ring;

	return kmb_window_n(b, f, rx_srtp, pps, n, (uint64_t)(o->window * 1e6),
			    w);
}

static void kmb_series_add(struct kmb_series *s, const struct kmb_win *fix,
			   const struct kmb_win *sat)
{
	if (s->n >= KMB_REPS_MAX)
		return;
	s->us[s->n] = fix->us_per_pkt;
	s->fixed_pps[s->n] = fix->arrived_pps;
	s->util[s->n] = fix->cpu1_util;
	s->rx1[s->n] = fix->rx_on_cpu1;
	s->offered[s->n] = sat->offered_pps;
	s->sat_pps[s->n] = sat->arrived_pps;
	s->checked += fix->checked + sat->checked;
	s->bad += fix->bad + sat->bad;
	s->sent += fix->sent + sat->sent;
	s->arrived += fix->arrived + sat->arrived;
	s->n++;
}

static int kmb_baseline(const struct kmb_opts *o)
{
	struct kmb_cpu c0, c1;
	double v[KMB_REPS_MAX];
	struct kmb_stat st;
	unsigned int i;

	for (i = 0; i < o->reps; i++) {
		kmb_cpu_read(&c0);
		kmt_sleep_ms((unsigned int)(o->window * 1000));
		kmb_cpu_read(&c1);
		v[i] = 1 - (double)(c1.idle_us[1] - c0.idle_us[1]) /
			   (c1.at_us - c0.at_us);
	}
	kmb_stat(&st, v, o->reps);
	kmb_base_rate = st.med;
	kmb_log("CPU 1 idle baseline: %.2f%% busy", 100 * kmb_base_rate);
	return 0;
}

/* ---- the three parts ---- */

/* One scenario, one repetition: a cost window and a saturation window. */
static int kmb_dp_once(struct kmb_bench *b, const struct kmb_opts *o,
		       const struct kmb_scenario *sc, struct kmb_series *s)
{
	struct kmb_win w[2];
	struct kmt_srtp rx;
	int k, ret = 0;

	kmt_srtp_init(&rx, sc->out_suite, 2);
	for (k = 0; k < 2 && !ret; k++) {
		struct kmb_relay r;
		struct kmb_flow f;

		ret = kmb_relay_up(b, &r, sc);
		if (ret) {
			s->err = "relay set-up failed";
			break;
		}
		ret = kmb_flow_init(&f, 1, sc->in_suite, 1);
		if (!ret) {
			f.dst[0] = r.to;
			ret = kmb_window(b, o, &f, &rx, k ? 0 : o->rate, &w[k]);
			kmb_flow_free(&f);
		}
		kmb_relay_down(b, &r);
		if (ret)
			s->err = "window failed";
	}
	if (ret)
		return ret;
	kmb_series_add(s, &w[0], &w[1]);
	kmb_log("%-10s %8.0f pps offered, %8.0f delivered; %7.1f us/pkt at %u pps "
		"(CPU1 %.0f%%, NET_RX on CPU1 %.0f%%)", sc->name,
		w[1].offered_pps, w[1].arrived_pps, w[0].us_per_pkt, o->rate,
		100 * w[0].cpu1_util, 100 * w[0].rx_on_cpu1);
	return 0;
}

static void kmb_dataplane(struct kmb_bench *b, const struct kmb_opts *o)
{
	unsigned int round, i;

	/* A B C ... C B A A B C ...: drifts hit every scenario alike. */
	for (round = 0; round < o->reps; round++) {
		for (i = 0; i < KMB_NSC; i++) {
			unsigned int k = round % 2 ? KMB_NSC - 1 - i : i;
			const struct kmb_scenario *sc = &kmb_scenarios[k];

			if (sc->na || kmb_dp[k].err ||
			    (o->only && strcmp(o->only, sc->name)))
				continue;
			kmb_dp_once(b, o, sc, &kmb_dp[k]);
		}
	}
}

static void kmb_scale_one(struct kmb_bench *b, const struct kmb_opts *o,
			  const struct kmb_socks *sk, bool srtp,
			  struct kmb_scale_res *res)
{
	uint32_t suite = srtp ? KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80 :
				KMEDIA_SRTP_NONE;
	uint64_t used, slab, slab0, used0, pcpu, pcpu0;
	const char *what = srtp ? "SRTP" : "plain";
	struct kmb_flow f;
	struct kmt_srtp rx;
	struct kmb_win w[2];
	unsigned int i;
	int ret;

	res->n = sk->n;
	res->srtp = srtp;
	kmb_mem_read(&used0, &slab0, &pcpu0);
	ret = kmb_streams_install(b, sk, suite, 7, NULL, &res->install_s);
	if (ret) {
		res->err = ret;
		return;
	}
	kmb_mem_read(&used, &slab, &pcpu);
	res->stream_bytes = ((double)used - used0) / sk->n;
	res->stream_slab_bytes = ((double)slab - slab0) / sk->n;
	res->stream_percpu_bytes = ((double)pcpu - pcpu0) / sk->n;
	kmt_srtp_init(&rx, KMEDIA_SRTP_NONE, 0);
	ret = kmb_flow_init(&f, sk->n, suite, 1);
	if (ret) {
		res->err = ret;
		kmb_streams_flush(b, 7, &res->flush_s);
		return;
	}
	memcpy(f.dst, sk->addr, sk->n * sizeof(*f.dst));
	/*
	 * One packet per stream first: a stream's first packet does more
	 * (route lookup into its dst_cache, sequence and replay state), and
	 * the windows then measure streams that already carry media.
	 */
	ret = kmb_window_n(b, &f, &rx, KMB_WARM_PPS, sk->n,
			   (uint64_t)sk->n * 2000000 / KMB_WARM_PPS + 1000000,
			   &w[0]);
	if (!ret) {
		res->first_us = w[0].us_per_pkt;
		res->first_lost = w[0].sent - w[0].arrived;
		kmb_log("%u %s streams: first packets %.1f us/pkt, %llu of %llu arrived",
			sk->n, what, w[0].us_per_pkt,
			(unsigned long long)w[0].arrived,
			(unsigned long long)w[0].sent);
	}
	/* Three repetitions: enough for a median and a spread. */
	for (i = 0; i < 3 && i < o->reps && !ret; i++) {
		ret = kmb_window(b, o, &f, &rx, o->rate, &w[0]);
		ret = ret ?: kmb_window(b, o, &f, &rx, 0, &w[1]);
		if (ret)
			break;
		kmb_series_add(&res->s, &w[0], &w[1]);
		kmb_log("%u %s streams: %.0f pps delivered, %.1f us/pkt",
			sk->n, what, w[1].arrived_pps, w[0].us_per_pkt);
	}
	kmb_flow_free(&f);
	res->err = ret;
	kmb_streams_flush(b, 7, &res->flush_s);
}

static void kmb_scaling(struct kmb_bench *b, const struct kmb_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->nscale; i++) {
		uint64_t used0, slab0, used1, slab1, pcpu;
		struct kmb_socks sk;
		int ret, v;

		kmb_log("scaling: opening %u relay sockets", o->scale[i]);
		kmb_mem_read(&used0, &slab0, &pcpu);
		ret = kmb_socks_open(b, &sk, o->scale[i]);
		kmb_mem_read(&used1, &slab1, &pcpu);
		for (v = 0; v < 2; v++) {
			struct kmb_scale_res *res = &kmb_sc_res[kmb_nsc_res++];

			res->n = o->scale[i];
			res->srtp = v;
			if (ret) {
				res->err = ret;
				continue;
			}
			res->attach_s = sk.attach_s;
			res->socket_bytes = ((double)used1 - used0) / sk.n;
			kmb_scale_one(b, o, &sk, v, res);
		}
		if (!ret)
			kmb_socks_close(&sk);
		/* Closed sockets are freed after an RCU grace period. */
		kmt_sleep_ms(500);
	}
}

static void kmb_control(struct kmb_bench *b, const struct kmb_opts *o)
{
	struct kmb_ctl_res *c = &kmb_ctl;
	struct kmb_socks sk;
	uint32_t *ids;
	unsigned int i;
	double t;
	int ret;

	ret = kmb_socks_open(b, &sk, o->ctl);
	if (ret) {
		c->err = ret;
		return;
	}
	c->attach = sk.n / sk.attach_s;
	ids = calloc(sk.n, sizeof(*ids));
	for (i = 0; ids && i < o->reps && !ret; i++) {
		ret = kmb_streams_install(b, &sk, KMEDIA_SRTP_NONE, 9, ids, &t);
		c->install[i] = sk.n / t;
		ret = ret ?: kmb_streams_delete(b, ids, sk.n, &t);
		c->del[i] = sk.n / t;
		ret = ret ?: kmb_streams_install(b, &sk, KMEDIA_SRTP_NONE, 9,
						 NULL, &t);
		ret = ret ?: kmb_streams_flush(b, 9, &t);
		c->flush[i] = sk.n / t;
		ret = ret ?: kmb_streams_install(b, &sk,
						 KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
						 9, NULL, &t);
		c->install_srtp[i] = sk.n / t;
		ret = ret ?: kmb_streams_flush(b, 9, &t);
		ret = ret ?: kmb_streams_install_batch(b, &sk, 9, ids, &t);
		c->install_batch[i] = sk.n / t;
		ret = ret ?: kmb_streams_delete_batch(b, ids, sk.n, &t);
		c->del_batch[i] = sk.n / t;
		if (!ret)
			c->n++;
		kmb_log("control: %u streams: %.0f installs/s, %.0f deletes/s, "
			"flush %.0f/s, SRTP %.0f installs/s, batched %.0f "
			"installs/s, %.0f deletes/s", sk.n,
			c->install[i], c->del[i], c->flush[i],
			c->install_srtp[i], c->install_batch[i],
			c->del_batch[i]);
	}
	c->err = ids ? ret : -ENOMEM;
	free(ids);
	kmb_socks_close(&sk);
}

/* ---- output ---- */

/* "median [min-max]" with prec decimals */
static void kmb_fmt(char *buf, size_t len, const double *v, unsigned int n,
		    int prec)
{
	struct kmb_stat s;

	kmb_stat(&s, v, n);
	if (!s.n)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f [%.*f-%.*f]", prec, s.med, prec,
			 s.min, prec, s.max);
}

static double kmb_med(const double *v, unsigned int n)
{
	struct kmb_stat s;

	kmb_stat(&s, v, n);
	return s.med;
}

static void kmb_json_stat(FILE *f, const char *key, const double *v,
			  unsigned int n, bool comma)
{
	struct kmb_stat s;

	kmb_stat(&s, v, n);
	if (!s.n)
		fprintf(f, "\"%s\": null%s", key, comma ? ", " : "");
	else
		fprintf(f, "\"%s\": {\"median\": %.3f, \"min\": %.3f, "
			"\"max\": %.3f, \"n\": %u}%s", key, s.med, s.min,
			s.max, s.n, comma ? ", " : "");
}

static const char kmb_sig_na[] =
	"not measured: no --sip-text/--sip-json from bench/sip-rate";

static void kmb_slurp(const char *path, char *buf, size_t len);

static void kmb_table(const struct kmb_opts *o)
{
	const struct kmb_series *nat = &kmb_dp[1];
	double nat_us = kmb_med(nat->us, nat->n);
	double nat_pps = kmb_med(nat->sat_pps, nat->n);
	char a[64], b2[64], c[64], sig[4096];
	unsigned int i;

	printf("\nkmedia benchmark (%s mode): %u repetitions, median [min-max]\n",
	       o->quick ? "quick" : "full", o->reps);
	printf("relay cost: CPU 1 busy time per packet at %u pps offered, "
	       "in bursts of %d; CPU 1 idle baseline %.1f%%\n",
	       o->rate, KMB_BURST, 100 * kmb_base_rate);
	printf("saturation: sender flat out on CPU 0 (at most %u packets "
	       "per window)\n\n", o->sat_ring);
	printf("%-32s %-26s %-26s %-24s %9s %9s %s\n", "data plane",
	       "offered pps (sat.)", "delivered pps (sat.)",
	       "relay us/packet", "pps/CPU", "cost nat/x", "pps x/nat");
	for (i = 0; i < KMB_NSC; i++) {
		const struct kmb_scenario *sc = &kmb_scenarios[i];
		const struct kmb_series *s = &kmb_dp[i];
		double us = kmb_med(s->us, s->n);

		if (sc->na || !s->n) {
			printf("%-32s n/a: %s\n", sc->label,
			       sc->na ? sc->na : s->err ? s->err : "not run");
			continue;
		}
		kmb_fmt(a, sizeof(a), s->offered, s->n, 0);
		kmb_fmt(b2, sizeof(b2), s->sat_pps, s->n, 0);
		kmb_fmt(c, sizeof(c), s->us, s->n, 1);
		printf("%-32s %-26s %-26s %-24s %9.0f %9.2f %9.2f\n",
		       sc->label, a, b2, c, 1e6 / us, nat_us / us,
		       kmb_med(s->sat_pps, s->n) / nat_pps);
	}
	if (kmb_nsc_res) {
		printf("\n%-22s %-24s %-22s %9s %9s %9s %10s %10s\n",
		       "scaling", "delivered pps (sat.)", "relay us/packet",
		       "1st pkt", "B/stream", "B/socket", "install/s",
		       "flush/s");
		for (i = 0; i < kmb_nsc_res; i++) {
			const struct kmb_scale_res *r = &kmb_sc_res[i];
			char name[32];

			snprintf(name, sizeof(name), "%u %s", r->n,
				 r->srtp ? "SRTP->RTP" : "RTP->RTP");
			if (r->err && !r->s.n) {
				printf("%-22s n/a: %s\n", name,
				       strerror(-r->err));
				continue;
			}
			kmb_fmt(a, sizeof(a), r->s.sat_pps, r->s.n, 0);
			kmb_fmt(c, sizeof(c), r->s.us, r->s.n, 1);
			printf("%-22s %-24s %-22s ", name, a, c);
			/* One stream's memory or install time is noise. */
			if (r->n < KMB_SCALE_MIN_N)
				printf("%9s %9s %9s %10s %10s\n", "-", "-", "-",
				       "-", "-");
			else
				printf("%9.1f %9.0f %9.0f %10.0f %10.0f\n",
				       r->first_us,
				       r->stream_bytes, r->socket_bytes,
				       r->n / r->install_s, r->n / r->flush_s);
		}
	}
	if (kmb_ctl.n) {
		printf("\ncontrol plane (%u streams, one libkmedia request each, "
		       "or one batch)\n", o->ctl);
		kmb_fmt(a, sizeof(a), kmb_ctl.install, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "installs/s, plain", a);
		kmb_fmt(a, sizeof(a), kmb_ctl.install_srtp, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "installs/s, SRTP in", a);
		kmb_fmt(a, sizeof(a), kmb_ctl.del, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "deletes/s, one by one", a);
		kmb_fmt(a, sizeof(a), kmb_ctl.flush, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "deletes/s, flush by cookie", a);
		printf("  %-34s %.0f\n", "socket attaches/s", kmb_ctl.attach);
		kmb_fmt(a, sizeof(a), kmb_ctl.install_batch, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "installs/s, batched", a);
		kmb_fmt(a, sizeof(a), kmb_ctl.del_batch, kmb_ctl.n, 0);
		printf("  %-34s %s\n", "deletes/s, batched", a);
	}
	/* bench/sip-rate measured it before kmbench started */
	kmb_slurp(o->sip_text, sig, sizeof(sig));
	if (sig[0])
		printf("\n%s", sig);
	else
		printf("\nsignalling (kmediad calls/s via SIPp): n/a: %s\n",
		       kmb_sig_na);
}

/* ", \"key\": value", or null for a figure that could not be taken. */
static void kmb_json_num(FILE *f, const char *key, double v)
{
	if (isfinite(v))
		fprintf(f, ", \"%s\": %.3f", key, v);
	else
		fprintf(f, ", \"%s\": null", key);
}

static void kmb_json_series(FILE *f, const struct kmb_series *s)
{
	kmb_json_stat(f, "offered_pps_sat", s->offered, s->n, true);
	kmb_json_stat(f, "delivered_pps_sat", s->sat_pps, s->n, true);
	kmb_json_stat(f, "delivered_pps_fixed", s->fixed_pps, s->n, true);
	kmb_json_stat(f, "relay_us_per_packet", s->us, s->n, true);
	kmb_json_stat(f, "relay_cpu_util_fixed", s->util, s->n, true);
	kmb_json_stat(f, "net_rx_share_cpu1", s->rx1, s->n, true);
	fprintf(f, "\"packets_sent\": %llu, \"packets_arrived\": %llu, "
		"\"checks_passed\": %llu, \"checks_failed\": %llu",
		(unsigned long long)s->sent, (unsigned long long)s->arrived,
		(unsigned long long)s->checked, (unsigned long long)s->bad);
}

static void kmb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A small text file into buf (empty if it cannot be read). */
static void kmb_slurp(const char *path, char *buf, size_t len)
{
	FILE *f = path ? fopen(path, "re") : NULL;
	size_t n;

	buf[0] = 0;
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

static int kmb_json(const struct kmb_opts *o)
{
	const struct kmb_series *nat = &kmb_dp[1];
	double nat_us = kmb_med(nat->us, nat->n);
	double nat_pps = kmb_med(nat->sat_pps, nat->n);
	char host[4096] = "", guest[4096] = "", sig[4096], date[64];
	struct utsname u;
	unsigned int i;
	time_t now = time(NULL);
	FILE *f;

	if (!o->json)
		return 0;
	f = fopen(o->json, "we");
	if (!f)
		return -errno;
	kmb_slurp(o->host_info, host, sizeof(host));
	kmb_slurp(o->guest_info, guest, sizeof(guest));
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "{\n\"date\": \"%s\", \"kernel\": \"%s\", \"mode\": \"%s\", "
		"\"cpus\": %ld,\n\"host\": ", date, u.release,
		o->quick ? "quick" : "full", sysconf(_SC_NPROCESSORS_ONLN));
	kmb_json_str(f, host);
	fprintf(f, ",\n\"guest\": ");
	kmb_json_str(f, guest);
	fprintf(f, ",\n\"method\": {\"repetitions\": %u, \"window_s\": %.2f, "
		"\"fixed_rate_pps\": %u, \"burst\": %d, \"sat_ring_packets\": %u, "
		"\"rtp_bytes\": %d, \"relay_cpu\": %d, \"udp_child_hash_entries\": %u, "
		"\"cpu1_idle_baseline\": %.4f},\n", o->reps, o->window, o->rate,
		KMB_BURST, o->sat_ring, KMB_RTP_LEN, KMB_CPU_RELAY,
		o->udp_hash, kmb_base_rate);
	fprintf(f, "\"dataplane\": [\n");
	for (i = 0; i < KMB_NSC; i++) {
		const struct kmb_scenario *sc = &kmb_scenarios[i];
		const struct kmb_series *s = &kmb_dp[i];
		double us = kmb_med(s->us, s->n);

		fprintf(f, "  {\"scenario\": \"%s\", \"label\": \"%s\", ",
			sc->name, sc->label);
		if (sc->na || !s->n) {
			fprintf(f, "\"status\": \"n/a\", \"reason\": ");
			kmb_json_str(f, sc->na ? sc->na : s->err ? s->err :
				     "not run");
			fprintf(f, "}%s\n", i + 1 < KMB_NSC ? "," : "");
			continue;
		}
		fprintf(f, "\"status\": \"ok\", ");
		kmb_json_series(f, s);
		kmb_json_num(f, "nat_cost_ratio", nat_us / us);
		kmb_json_num(f, "nat_pps_ratio",
			     kmb_med(s->sat_pps, s->n) / nat_pps);
		fprintf(f, "}%s\n", i + 1 < KMB_NSC ? "," : "");
	}
	fprintf(f, "],\n\"scaling\": [\n");
	for (i = 0; i < kmb_nsc_res; i++) {
		const struct kmb_scale_res *r = &kmb_sc_res[i];

		fprintf(f, "  {\"streams\": %u, \"variant\": \"%s\", \"error\": %d, "
			"\"attach_s\": %.3f, \"install_s\": %.3f, \"flush_s\": %.3f, "
			"\"bytes_per_stream\": %.1f, \"slab_bytes_per_stream\": %.1f, "
			"\"percpu_bytes_per_stream\": %.1f, "
			"\"first_packets_lost\": %llu, "
			"\"bytes_per_socket\": %.1f, \"installs_per_s\": %.1f, ", r->n,
			r->srtp ? "srtp-rtp" : "rtp-rtp", r->err, r->attach_s,
			r->install_s, r->flush_s, r->stream_bytes,
			r->stream_slab_bytes, r->stream_percpu_bytes,
			(unsigned long long)r->first_lost, r->socket_bytes,
			r->install_s > 0 ? r->n / r->install_s : 0);
		kmb_json_series(f, &r->s);
		kmb_json_num(f, "first_packet_us", r->first_us);
		fprintf(f, "}%s\n", i + 1 < kmb_nsc_res ? "," : "");
	}
	fprintf(f, "],\n\"control\": {\"streams\": %u, \"error\": %d, ", o->ctl,
		kmb_ctl.err);
	kmb_json_stat(f, "installs_per_s", kmb_ctl.install, kmb_ctl.n, true);
	kmb_json_stat(f, "srtp_installs_per_s", kmb_ctl.install_srtp,
		      kmb_ctl.n, true);
	kmb_json_stat(f, "deletes_per_s", kmb_ctl.del, kmb_ctl.n, true);
	kmb_json_stat(f, "flush_deletes_per_s", kmb_ctl.flush, kmb_ctl.n, true);
	kmb_json_stat(f, "batched_installs_per_s", kmb_ctl.install_batch,
		      kmb_ctl.n, true);
	kmb_json_stat(f, "batched_deletes_per_s", kmb_ctl.del_batch,
		      kmb_ctl.n, true);
	fprintf(f, "\"attaches_per_s\": %.1f},\n", kmb_ctl.attach);
	/* bench/sip-rate's JSON object, as it wrote it */
	kmb_slurp(o->sip_json, sig, sizeof(sig));
	if (sig[0] == '{')
		fprintf(f, "\"signalling\": %s}\n", sig);
	else
		fprintf(f, "\"signalling\": {\"status\": \"n/a\", "
			"\"reason\": \"%s\"}\n}\n", kmb_sig_na);
	return fclose(f) ? -EIO : 0;
}

/* ---- main ---- */

static int kmb_parse_list(struct kmb_opts *o, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;

	o->nscale = 0;
	for (tok = strtok_r(copy, ", ", &save); tok && o->nscale < KMB_SCALE_MAX;
	     tok = strtok_r(NULL, ", ", &save))
		o->scale[o->nscale++] = strtoul(tok, NULL, 0);
	free(copy);
	return 0;
}

static void kmb_usage(FILE *f)
{
	fprintf(f, "usage: kmbench [--quick] [--reps N] [--window SECS] "
		"[--rate PPS] [--sat-ring N]\n"
		"               [--scale N,N,...] [--ctl N] "
		"[--parts dataplane,scaling,control]\n"
		"               [--json FILE] [--host-info FILE] [--udp-hash N]\n"
		"               [--scenario NAME] [--sip-text FILE --sip-json FILE]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'p' },
		{ "sat-ring", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'n' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "parts", required_argument, NULL, 'P' },
		{ "json", required_argument, NULL, 'j' },
		{ "host-info", required_argument, NULL, 'H' },
		{ "udp-hash", required_argument, NULL, 'u' },
		{ "guest-info", required_argument, NULL, 'G' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "sip-text", required_argument, NULL, 'T' },
		{ "sip-json", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmb_opts o = {
		.reps = 5, .window = 4, .rate = 4000, .sat_ring = 65536,
		.ctl = 10000, .dataplane = true, .scaling = true,
		.control = true, .udp_hash = KMB_UDP_HASH,
	};
	struct kmb_bench b = { .alice = -1, .bob = -1, .rb = -1 };
	uint32_t max_streams = 0;
	unsigned int i;
	int c, ret;

	kmb_parse_list(&o, "1,1000,100000,1000000");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o.quick = true;
			o.reps = 3;
			o.window = 1;
			o.sat_ring = 16384;
			o.ctl = 1000;
			kmb_parse_list(&o, "1,1000");
			break;
		case 'r':
			o.reps = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			o.window = strtod(optarg, NULL);
			break;
		case 'p':
			o.rate = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o.sat_ring = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			kmb_parse_list(&o, optarg);
			break;
		case 'c':
			o.ctl = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			o.dataplane = strstr(optarg, "dataplane");
			o.scaling = strstr(optarg, "scaling");
			o.control = strstr(optarg, "control");
			break;
		case 'j':
			o.json = optarg;
			break;
		case 'H':
			o.host_info = optarg;
			break;
		case 'u':
			o.udp_hash = strtoul(optarg, NULL, 0);
			break;
		case 'G':
			o.guest_info = optarg;
			break;
		case 'S':
			o.only = optarg;
			break;
		case 'T':
			o.sip_text = optarg;
			break;
		case 'J':
			o.sip_json = optarg;
			break;
		case 'h':
			kmb_usage(stdout);
			return 0;
		default:
			kmb_usage(stderr);
			return 2;
		}
	}
	if (!o.reps || o.reps > KMB_REPS_MAX || o.window <= 0 || !o.rate ||
	    !o.sat_ring || !o.ctl) {
		kmb_usage(stderr);
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "kmbench: needs 2 CPUs (the relay gets CPU 1)\n");
		return 2;
	}
	for (i = 0; i < o.nscale; i++)
		if (o.scale[i] > max_streams)
			max_streams = o.scale[i];
	if (o.ctl > max_streams)
		max_streams = o.ctl;
	ret = kmb_fd_limit(max_streams + 4096);
	if (ret)
		kmb_log("raising the descriptor limit: %s", strerror(-ret));

	if (o.udp_hash)
		kmb_udp_hash(o.udp_hash);
	ret = kmb_setup(&b, max_streams);
	if (ret) {
		fprintf(stderr, "kmbench: set-up failed: %s\n", strerror(-ret));
		kmt_topo_teardown(&b.topo);
		return 1;
	}
	kmb_baseline(&o);
	if (o.dataplane)
		kmb_dataplane(&b, &o);
	if (o.scaling)
		kmb_scaling(&b, &o);
	if (o.control)
		kmb_control(&b, &o);

	kmb_table(&o);
	ret = kmb_json(&o);
	if (ret)
		fprintf(stderr, "kmbench: writing %s: %s\n", o.json,
			strerror(-ret));
	kmedia_handle_close(b.h);
	close(b.alice);
	close(b.rb);
	kmt_topo_teardown(&b.topo);
	return ret ? 1 : 0;
}
