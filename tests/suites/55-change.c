// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: changing and deleting streams while media flows. A sender
 * thread in alice sends sequence-numbered RTP at about 10 000 packets per
 * second; midway the test changes the destination (alone, or together with
 * an egress socket of the other family) or deletes the stream, or keeps
 * creating and deleting it. Every packet must arrive exactly once, at the
 * old or the new place, and every packet sent after the request was
 * acknowledged at the new one. Smaller tests check that a change of egress
 * socket, DSCP, payload types or cookie applies to the next packet and that
 * counters survive a change.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(change)
{
	struct kmt_relay r;
	int bob_b, bob6, rb2, rb6;
	struct kmt_addr bob_b_addr, bob6_addr, rb2_addr, rb6_addr;
	uint32_t rb2_id, rb6_id;
};

FIXTURE_SETUP(change)
{
	struct kmt_relay *r = &self->r;

	ASSERT_EQ(0, kmt_relay_setup(r, AF_INET, AF_INET, 0));
	self->bob_b = kmt_udp(&r->topo, KMT_BOB, AF_INET, KMT_PORT_BOB + 2,
			      &self->bob_b_addr);
	self->bob6 = kmt_udp(&r->topo, KMT_BOB, AF_INET6, KMT_PORT_BOB,
			     &self->bob6_addr);
	self->rb2 = kmt_relay_sock(r, KMT_RELAY_B, AF_INET,
				   KMT_PORT_RELAY_B + 2, &self->rb2_addr,
				   &self->rb2_id);
	self->rb6 = kmt_relay_sock(r, KMT_RELAY_B, AF_INET6, KMT_PORT_RELAY_B,
				   &self->rb6_addr, &self->rb6_id);
	if (self->bob_b < 0 || self->bob6 < 0 || self->rb2 < 0 ||
	    self->rb6 < 0)
		kmt_relay_teardown(r);
	ASSERT_LE(0, self->bob_b);
	ASSERT_LE(0, self->bob6);
	ASSERT_LE(0, self->rb2);
	ASSERT_LE(0, self->rb6);
}

FIXTURE_TEARDOWN(change)
{
	close(self->bob_b);
	close(self->bob6);
	close(self->rb2);
	close(self->rb6);
	kmt_relay_teardown(&self->r);
}

#define WAIT_MS		5000
#define FLOW_PPS	10000

static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r,
		       uint64_t cookie)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, r->ra_id, r->rb_id, &r->bob_addr,
				    KMEDIA_KIND_RTP, cookie, &id))
		KMT_LOG_EXTACK(r->h);
	return id;
}

/* Where each flow packet arrived: one entry per receiving socket. */
#define MAX_SINKS	2

struct sink {
	int fd;
	const struct kmt_addr *src;	/* the source it must come from */
	const char *name;
	uint32_t got;
	uint32_t drops;			/* SO_RXQ_OVFL */
	int64_t min_idx, max_idx;
};

struct tally {
	uint32_t n;			/* flow length */
	uint8_t *count;			/* arrivals per index */
	uint8_t *where;			/* bit per sink */
	uint32_t total, bad, wrong_src;
	struct sink sink[MAX_SINKS];
	int nsinks;
};

static int tally_init(struct tally *t, uint32_t n)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->count = calloc(n, 1);
	t->where = calloc(n, 1);
	return t->count && t->where ? 0 : -ENOMEM;
}

static void tally_free(struct tally *t)
{
	free(t->count);
	free(t->where);
}

static void tally_sink(struct tally *t, int fd, const struct kmt_addr *src,
		       const char *name)
{
	struct sink *s = &t->sink[t->nsinks++];

	s->fd = fd;
	s->src = src;
	s->name = name;
	s->min_idx = INT64_MAX;
	s->max_idx = -1;
}

/* Read every sink until `want` packets arrived, or nothing for idle_ms. */
static void tally_collect(struct tally *t, uint32_t want, int idle_ms)
{
	static struct kmt_msg m;
	struct pollfd pfd[MAX_SINKS];
	int i;

	for (;;) {
		bool any = false;

		for (i = 0; i < t->nsinks; i++) {
			pfd[i].fd = t->sink[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, t->nsinks, t->total >= want ? 0 : idle_ms) <= 0)
			return;
		for (i = 0; i < t->nsinks; i++) {
			struct sink *s = &t->sink[i];

			if (!(pfd[i].revents & POLLIN))
				continue;
			while (kmt_recv(s->fd, &m, 0) == 0) {
				int64_t idx = kmt_flow_index(m.buf, m.len);

				any = true;
				t->total++;
				s->got++;
				if (m.drops > s->drops)
					s->drops = m.drops;
				if (!kmt_addr_eq(s->src, &m.from))
					t->wrong_src++;
				if (idx < 0 || idx >= t->n) {
					t->bad++;
					continue;
				}
				if (t->count[idx] < 255)
					t->count[idx]++;
				t->where[idx] |= 1 << i;
				if (idx < s->min_idx)
					s->min_idx = idx;
				if (idx > s->max_idx)
					s->max_idx = idx;
			}
		}
		if (!any)
			return;
	}
}

/*
 * Every index arrived exactly once, and every index >= after arrived at
 * sink `late`.
 */
static void tally_check(struct __test_metadata *_metadata, struct tally *t,
			uint32_t after, int late)
{
	uint32_t i, missing = 0, dups = 0, early = 0;
	int k;

	for (k = 0; k < t->nsinks; k++)
		TH_LOG("%s: %u packets, indexes %lld..%lld, socket drops %u",
		       t->sink[k].name, t->sink[k].got,
		       (long long)t->sink[k].min_idx,
		       (long long)t->sink[k].max_idx, t->sink[k].drops);
	for (i = 0; i < t->n; i++) {
		if (t->count[i] == 0) {
			if (missing++ < 5)
				TH_LOG("packet %u never arrived", i);
		} else if (t->count[i] > 1) {
			if (dups++ < 5)
				TH_LOG("packet %u arrived %u times", i,
				       t->count[i]);
		} else if (i >= after && t->where[i] != 1 << late) {
			if (early++ < 5)
				TH_LOG("packet %u, sent after the ack, at %s",
				       i, t->sink[!late].name);
		}
	}
	EXPECT_EQ(0, t->bad);
	EXPECT_EQ(0, t->wrong_src);
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dups);
	EXPECT_EQ(0, early);
	EXPECT_EQ(t->n, t->total);
}

static void change_under_traffic(struct __test_metadata *_metadata,
				 FIXTURE_DATA(change) *self, bool to_v6)
{
	const uint32_t n = 10000;
	struct kmt_relay *r = &self->r;
	struct kmt_flow f;
	struct tally t;
	uint32_t id, after;
	uint64_t v = 0;
	int ret, late_fd;

	id = add_ab(_metadata, r, 0);
	late_fd = to_v6 ? self->bob6 : self->bob_b;
	ASSERT_EQ(0, tally_init(&t, n));
	tally_sink(&t, r->bob, &r->rb_addr, "receiver A");
	tally_sink(&t, late_fd, to_v6 ? &self->rb6_addr : &r->rb_addr,
		   "receiver B");

	kmt_flow_init(&f, r->alice, &r->ra_addr, n, FLOW_PPS);
	f.cpu = kmt_other_cpu(sched_getcpu());
	ASSERT_EQ(0, kmt_flow_start(&f));
	ret = kmt_flow_wait_index(&f, n / 2, 60000);
	if (!ret) {
		if (to_v6)
			ret = kmt_stream_set_dst(r->h, id, self->rb6_id,
						 &self->bob6_addr);
		else
			ret = kmt_stream_set_dst(r->h, id, KMT_ANY,
						 &self->bob_b_addr);
	}
	/* every packet with a larger index was sent after the ack */
	after = atomic_load(&f.next) + 1;
	ASSERT_EQ(0, kmt_flow_join(&f, ret != 0));
	ASSERT_EQ(0, ret) KMT_LOG_EXTACK(r->h);
	ASSERT_EQ(n, f.sent);
	TH_LOG("changed at packet %u of %u", after, n);

	tally_collect(&t, n, WAIT_MS);
	tally_check(_metadata, &t, after, 1);
	EXPECT_LT(0, t.sink[0].got);
	/* one CPU sends, packets are handled in order: one switch point */
	EXPECT_GT(t.sink[1].min_idx, t.sink[0].max_idx);

	ASSERT_EQ(0, kmt_wait_stream_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS,
					  n, WAIT_MS, &v));
	EXPECT_EQ(n, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(n, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_ROUTE, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_XMIT, &v));
	EXPECT_EQ(0, v);
	KMT_ASSERT_EMPTY(r->ra);
	tally_free(&t);
}

TEST_F_TIMEOUT(change, dst_change_at_10kpps_loses_nothing, 180)
{
	change_under_traffic(_metadata, self, false);
}

TEST_F_TIMEOUT(change, dst_and_egress_family_change_at_10kpps_loses_nothing,
	       180)
{
	change_under_traffic(_metadata, self, true);
}

TEST_F_TIMEOUT(change, delete_under_traffic_hands_packets_to_the_socket, 180)
{
	const uint32_t n = 4000;
	struct kmt_relay *r = &self->r;
	struct kmt_flow f;
	struct tally t;
	uint32_t id, after, streams = 1;
	uint64_t v = 0;
	int ret;

	id = add_ab(_metadata, r, 0);
	ASSERT_EQ(0, tally_init(&t, n));
	tally_sink(&t, r->bob, &r->rb_addr, "bob");
	tally_sink(&t, r->ra, &r->alice_addr, "relay socket");

	kmt_flow_init(&f, r->alice, &r->ra_addr, n, FLOW_PPS);
	f.cpu = kmt_other_cpu(sched_getcpu());
	ASSERT_EQ(0, kmt_flow_start(&f));
	ret = kmt_flow_wait_index(&f, n / 2, 60000);
	if (!ret)
		ret = kmedia_stream_del(r->h, id);
	after = atomic_load(&f.next) + 1;
	ASSERT_EQ(0, kmt_flow_join(&f, ret != 0));
	ASSERT_EQ(0, ret) KMT_LOG_EXTACK(r->h);
	ASSERT_EQ(n, f.sent);
	TH_LOG("deleted at packet %u of %u", after, n);

	tally_collect(&t, n, WAIT_MS);
	tally_check(_metadata, &t, after, 1);
	EXPECT_LT(0, t.sink[0].got);
	EXPECT_GT(t.sink[1].min_idx, t.sink[0].max_idx);

	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_PASS_NO_STREAM, &v));
	EXPECT_EQ(t.sink[1].got, v);
	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_TO_STREAM, &v));
	EXPECT_EQ(t.sink[0].got, v);
	ASSERT_EQ(0, kmt_netns_u32(r->h, KMEDIA_NETNS_A_STREAMS, &streams));
	EXPECT_EQ(0, streams);
	tally_free(&t);
}

/* ---- churn: 30 seconds of wall time, whatever the CPU's speed ---- */

#define CHURN_MS		30000
#define CHURN_PPS		2000
#define CHURN_COOKIE		0xc0ffee
#define CHURN_EXTRA_COOKIE	0xe47a

/* Reads every sink of two tallies while the flows run. */
struct drain {
	struct tally *t[2];
	atomic_bool stop;
	pthread_t thread;
};

static void *drain_main(void *arg)
{
	struct drain *d = arg;
	struct pollfd pfd[2 * MAX_SINKS];
	int i, k, n;

	while (!atomic_load(&d->stop)) {
		for (n = 0, k = 0; k < 2; k++)
			for (i = 0; i < d->t[k]->nsinks; i++) {
				pfd[n].fd = d->t[k]->sink[i].fd;
				pfd[n++].events = POLLIN;
			}
		if (poll(pfd, n, 100) <= 0)
			continue;
		for (k = 0; k < 2; k++)
			tally_collect(d->t[k], 0, 0);
	}
	return NULL;
}

/* What the churn loop does, one step at a time, for the failure report. */
struct churn {
	struct kmt_relay *r;
	FIXTURE_DATA(change) *self;
	uint32_t rs_id;
	unsigned int rounds, changes, sockets, flushed;
	const char *op;
};

/*
 * One round: the stream the churn flow hits is created, changed (a new
 * configuration swapped in under traffic) and deleted; an RTCP stream
 * comes and goes on the steady flow's own ingress socket; a stream on
 * another socket is added, RTP or RTCP, and every second round both are
 * flushed by cookie; every
 * eighth round a fresh socket carries two streams (ingress of one, egress
 * of the other) and is detached, by request or by closing its last
 * descriptor.
 */
static int churn_round(struct churn *c)
{
	struct kmt_relay *r = c->r;
	FIXTURE_DATA(change) *self = c->self;
	unsigned int k = c->rounds;
	uint32_t id, rtcp, extra, count = 0, tmp_id, s1, s2;
	int ret, fd;

	c->op = "add the churned stream";
	ret = kmt_stream_add(r->h, r->ra_id, r->rb_id, &r->bob_addr,
			     KMEDIA_KIND_RTP, CHURN_COOKIE, &id);
	if (ret)
		return ret;
	c->op = "add an RTCP stream on the steady socket";
	ret = kmt_stream_add(r->h, c->rs_id, self->rb2_id, &self->bob_b_addr,
			     KMEDIA_KIND_RTCP, CHURN_EXTRA_COOKIE, &rtcp);
	if (ret)
		return ret;
	c->op = "add a stream on another socket";
	ret = kmt_stream_add(r->h, self->rb6_id, self->rb6_id,
			     &self->bob6_addr,
			     k % 2 ? KMEDIA_KIND_RTCP : KMEDIA_KIND_RTP,
			     CHURN_EXTRA_COOKIE, &extra);
	if (ret)
		return ret;
	kmt_sleep_ms(k % 3);
	if (k % 2) {
		c->op = "change the churned stream";
		ret = kmt_stream_set_dst(r->h, id, KMT_ANY, &r->bob_addr);
		if (ret)
			return ret;
		c->changes++;
	}
	c->op = "delete the churned stream";
	ret = kmedia_stream_del(r->h, id);
	if (ret)
		return ret;
	c->op = "delete the RTCP stream";
	ret = kmedia_stream_del(r->h, rtcp);
	if (ret)
		return ret;
	if (k % 2) {
		/* the RTP and RTCP streams of this round and the one before */
		c->op = "flush by cookie";
		ret = kmedia_stream_flush(r->h, &(uint64_t){ CHURN_EXTRA_COOKIE },
					  &count);
		if (ret)
			return ret;
		if (count != 2)
			return -EUCLEAN;
		c->flushed += count;
	}
	if (k % 8 == 7) {
		c->op = "attach a fresh socket";
		fd = kmt_relay_sock(r, KMT_RELAY_A, AF_INET, 0, NULL, &tmp_id);
		if (fd < 0)
			return fd;
		c->op = "add streams on the fresh socket";
		ret = kmt_stream_add(r->h, tmp_id, r->rb_id, &r->bob_addr,
				     KMEDIA_KIND_RTP, CHURN_COOKIE, &s1);
		if (!ret)
			ret = kmt_stream_add(r->h, self->rb2_id, tmp_id,
					     &r->alice_addr, KMEDIA_KIND_RTCP,
					     CHURN_COOKIE, &s2);
		if (!ret && k % 16 == 7) {
			c->op = "detach the fresh socket";
			ret = kmedia_sock_detach(r->h, tmp_id);
		}
		close(fd);
		c->sockets++;
		if (ret)
			return ret;
	}
	c->rounds++;
	return 0;
}

static uint64_t stream_stat(struct __test_metadata *_metadata,
			    struct kmedia_handle *h, uint32_t id,
			    enum kmedia_stats_attr attr)
{
	uint64_t v = UINT64_MAX;

	EXPECT_EQ(0, kmt_stream_stat(h, id, attr, &v));
	return v;
}

static uint64_t sock_stat(struct __test_metadata *_metadata,
			  struct kmedia_handle *h, uint32_t id,
			  enum kmedia_sock_stats_attr attr)
{
	uint64_t v = UINT64_MAX;

	EXPECT_EQ(0, kmt_sock_stat(h, id, attr, &v));
	return v;
}

/*
 * 30 seconds of stream churn (see churn_round()) while two flows run: a
 * steady one through a stream that lives throughout, and one that hits
 * the churned stream or, between its lives, the relay's socket. The
 * clock bounds the test, not a packet count, so a slow CPU only means
 * fewer rounds. Afterwards: every packet of both flows accounted for,
 * counters adding up, and the namespace's sockets and streams back to
 * what they were; the suite's kernel-log check looks for WARN and BUG.
 */
TEST_F_TIMEOUT(change, create_and_delete_churn_under_traffic, 300)
{
	const uint32_t cap = CHURN_PPS * (CHURN_MS / 1000 + 60);
	struct kmt_relay *r = &self->r;
	struct kmt_addr alice2_addr, rs_addr;
	struct churn c = { .r = r, .self = self };
	struct drain d = { 0 };
	struct tally ts, tc;
	struct kmt_flow fs, fc;
	uint32_t steady, socks0, streams0, v32 = 0, i;
	uint64_t rx, tx, drops, dups = 0, v = 0;
	uint64_t start;
	int alice2, rs, ret = 0;

	alice2 = kmt_udp(&r->topo, KMT_ALICE, AF_INET, KMT_PORT_ALICE + 2,
			 &alice2_addr);
	ASSERT_LE(0, alice2);
	rs = kmt_relay_sock(r, KMT_RELAY_A, AF_INET, KMT_PORT_RELAY_A + 2,
			    &rs_addr, &c.rs_id);
	ASSERT_LE(0, rs);
	ASSERT_EQ(0, kmt_stream_add(r->h, c.rs_id, self->rb2_id,
				    &self->bob_b_addr, KMEDIA_KIND_RTP, 1,
				    &steady))
		KMT_LOG_EXTACK(r->h);
	ASSERT_EQ(0, kmt_netns_u32(r->h, KMEDIA_NETNS_A_SOCKETS, &socks0));
	ASSERT_EQ(0, kmt_netns_u32(r->h, KMEDIA_NETNS_A_STREAMS, &streams0));

	ASSERT_EQ(0, tally_init(&ts, cap));
	ASSERT_EQ(0, tally_init(&tc, cap));
	tally_sink(&ts, self->bob_b, &self->rb2_addr, "steady: bob");
	tally_sink(&tc, r->bob, &r->rb_addr, "churned: bob");
	tally_sink(&tc, r->ra, &r->alice_addr, "churned: relay socket");
	d.t[0] = &ts;
	d.t[1] = &tc;
	ASSERT_EQ(0, -pthread_create(&d.thread, NULL, drain_main, &d));

	kmt_flow_init(&fs, alice2, &rs_addr, cap, CHURN_PPS);
	fs.ssrc = 0x57eadd;
	fs.cpu = kmt_other_cpu(sched_getcpu());
	kmt_flow_init(&fc, r->alice, &r->ra_addr, cap, CHURN_PPS);
	fc.ssrc = 0xc4e2;
	fc.cpu = fs.cpu;
	ASSERT_EQ(0, kmt_flow_start(&fs));
	ASSERT_EQ(0, kmt_flow_start(&fc));

	start = kmt_now_ms();
	while (!ret && kmt_now_ms() - start < CHURN_MS &&
	       !atomic_load(&fs.done) && !atomic_load(&fc.done))
		ret = churn_round(&c);

	EXPECT_EQ(0, kmt_flow_join(&fs, true));
	EXPECT_EQ(0, kmt_flow_join(&fc, true));
	ASSERT_EQ(0, ret) TH_LOG("round %u, %s: %s (%s)", c.rounds, c.op,
				 strerror(-ret),
				 kmedia_handle_extack(r->h) ? : "no extack");
	TH_LOG("%u rounds in %llu ms: %u changes, %u fresh sockets, "
	       "%u streams flushed; %u steady and %u churned packets sent",
	       c.rounds, (unsigned long long)(kmt_now_ms() - start), c.changes,
	       c.sockets, c.flushed, fs.sent, fc.sent);
	EXPECT_LT(10, c.rounds);
	EXPECT_LT(0, fs.sent);
	EXPECT_LT(0, fc.sent);

	/* the module saw every packet sent */
	EXPECT_EQ(0, kmt_wait_sock_stat(r->h, c.rs_id,
					KMEDIA_SOCK_STATS_A_RX_PACKETS,
					fs.sent, WAIT_MS, &v));
	EXPECT_EQ(fs.sent, v);
	EXPECT_EQ(0, kmt_wait_sock_stat(r->h, r->ra_id,
					KMEDIA_SOCK_STATS_A_RX_PACKETS,
					fc.sent, WAIT_MS, &v));
	EXPECT_EQ(fc.sent, v);

	/* the steady flow: received = sent + counted drops, bob got the rest */
	rx = stream_stat(_metadata, r->h, steady, KMEDIA_STATS_A_RX_PACKETS);
	tx = stream_stat(_metadata, r->h, steady, KMEDIA_STATS_A_TX_PACKETS);
	drops = stream_stat(_metadata, r->h, steady, KMEDIA_STATS_A_DROP_PT) +
		stream_stat(_metadata, r->h, steady, KMEDIA_STATS_A_DROP_ROUTE) +
		stream_stat(_metadata, r->h, steady, KMEDIA_STATS_A_DROP_XMIT);
	TH_LOG("steady stream: rx %llu, tx %llu, drops %llu",
	       (unsigned long long)rx, (unsigned long long)tx,
	       (unsigned long long)drops);
	EXPECT_EQ(fs.sent, rx);
	EXPECT_EQ(rx, tx + drops);
	EXPECT_EQ(fs.sent, sock_stat(_metadata, r->h, c.rs_id,
				     KMEDIA_SOCK_STATS_A_TO_STREAM));
	EXPECT_EQ(0, sock_stat(_metadata, r->h, c.rs_id,
			       KMEDIA_SOCK_STATS_A_PASS_NO_STREAM));

	atomic_store(&d.stop, true);
	pthread_join(d.thread, NULL);
	tally_collect(&ts, tx, WAIT_MS);
	tally_collect(&tc, fc.sent, WAIT_MS);

	EXPECT_EQ(tx, ts.total) TH_LOG("bob got %u of the %llu sent",
				       ts.total, (unsigned long long)tx);
	EXPECT_EQ(0, ts.bad);
	EXPECT_EQ(0, ts.wrong_src);
	for (i = 0; i < fs.sent; i++)
		if (ts.count[i] > 1)
			dups++;
	EXPECT_EQ(0, dups);
	EXPECT_EQ(0, ts.sink[0].drops);

	/* the churned flow: every packet exactly once, at bob or the relay */
	tc.n = fc.sent;
	tally_check(_metadata, &tc, fc.sent, 0);
	EXPECT_EQ(tc.sink[0].got,
		  sock_stat(_metadata, r->h, r->ra_id,
			    KMEDIA_SOCK_STATS_A_TO_STREAM));
	EXPECT_EQ(tc.sink[1].got,
		  sock_stat(_metadata, r->h, r->ra_id,
			    KMEDIA_SOCK_STATS_A_PASS_NO_STREAM));

	/* the namespace totals add up over every stream that lived */
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(tx + tc.sink[0].got, v);

	/* back to the sockets and streams from before the churn */
	ASSERT_EQ(0, kmedia_stream_flush(r->h, &(uint64_t){ CHURN_EXTRA_COOKIE },
					 &v32));
	EXPECT_EQ(0, kmt_wait_netns_u32(r->h, KMEDIA_NETNS_A_SOCKETS, socks0,
					WAIT_MS, &v32));
	EXPECT_EQ(socks0, v32);
	EXPECT_EQ(0, kmt_wait_netns_u32(r->h, KMEDIA_NETNS_A_STREAMS, streams0,
					WAIT_MS, &v32));
	EXPECT_EQ(streams0, v32);
	ASSERT_EQ(0, kmedia_stream_del(r->h, steady));
	ASSERT_EQ(0, kmt_netns_u32(r->h, KMEDIA_NETNS_A_STREAMS, &v32));
	EXPECT_EQ(0, v32);

	tally_free(&ts);
	tally_free(&tc);
	close(rs);
	close(alice2);
}

static void send_expect(struct __test_metadata *_metadata, struct kmt_relay *r,
			uint8_t pt, uint16_t seq, int fd,
			const struct kmt_addr *from, int *tos)
{
	struct kmt_rtp rtp = { .pt = pt, .seq = seq, .ssrc = 0xc4a };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 100);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	if (fd < 0)
		return;
	KMT_ASSERT_RECV(fd, &m, pkt, len, from, WAIT_MS);
	if (tos)
		*tos = m.tos;
}

TEST_F(change, egress_socket_change_changes_the_source)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	uint64_t v = 0;
	uint32_t id;
	int i;

	id = add_ab(_metadata, r, 0);
	for (i = 0; i < 3; i++)
		send_expect(_metadata, r, 0, i, r->bob, &r->rb_addr, NULL);

	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_sock_out(s, self->rb2_id);
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	for (i = 3; i < 5; i++)
		send_expect(_metadata, r, 0, i, r->bob, &self->rb2_addr, NULL);
	/* counters survive a change */
	ASSERT_EQ(0, kmt_wait_stream_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS,
					  5, WAIT_MS, &v));
	EXPECT_EQ(5, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(5, v);
	KMT_ASSERT_EMPTY(r->bob);
}

TEST_F(change, dscp_and_payload_types_apply_to_the_next_packet)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	uint64_t v = 0;
	uint32_t id;
	int tos = -1;

	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 46));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	send_expect(_metadata, r, 0, 1, r->bob, &r->rb_addr, &tos);
	EXPECT_EQ(46, tos >> 2);
	send_expect(_metadata, r, 8, 2, -1, NULL, NULL);
	send_expect(_metadata, r, 0, 3, r->bob, &r->rb_addr, &tos);
	KMT_ASSERT_EMPTY(r->bob);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_PT, &v));
	EXPECT_EQ(1, v);

	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 10));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 8));
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	send_expect(_metadata, r, 8, 4, r->bob, &r->rb_addr, &tos);
	EXPECT_EQ(10, tos >> 2);
	send_expect(_metadata, r, 0, 5, r->bob, &r->rb_addr, &tos);
	EXPECT_EQ(10, tos >> 2);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_PT, &v));
	EXPECT_EQ(1, v);
}

TEST_F(change, cookie_change_moves_the_stream_to_another_call)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	uint64_t one = 1, two = 2;
	uint32_t id, count = UINT32_MAX;

	id = add_ab(_metadata, r, 1);
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_cookie(s, 2);
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	ASSERT_EQ(0, kmedia_stream_flush(r->h, &one, &count));
	EXPECT_EQ(0, count);
	send_expect(_metadata, r, 0, 1, r->bob, &r->rb_addr, NULL);
	ASSERT_EQ(0, kmedia_stream_flush(r->h, &two, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(0, kmt_wait_stream_gone(r->h, id, 0));
}

TEST_HARNESS_MAIN
