// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: media timeouts. A stream with IDLE_TIMEOUT and no packets
 * sends KMEDIA_CMD_STREAM_IDLE_NTF (ID, COOKIE, IDLE_MS >= the timeout)
 * once, to subscribers of its namespace only, and again only after packets
 * flowed and stopped again; a stream without a timeout never does, nor a
 * deleted one; a timeout set by KMEDIA_CMD_STREAM_CHANGE takes effect;
 * IDLE_MS in replies grows without packets and restarts with one; events a
 * subscriber had no room for are counted in the namespace (EVENTS_LOST) and
 * reported to it as ENOBUFS. Waits are bounded; absence is checked over one
 * second.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(idle)
{
	struct kmt_relay r;
	struct kmt_events *ev;
};

FIXTURE_SETUP(idle)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, AF_INET, AF_INET, 0));
	if (kmt_events_open(&self->ev))
		kmt_relay_teardown(&self->r);
	ASSERT_NE(NULL, self->ev);
}

FIXTURE_TEARDOWN(idle)
{
	kmt_events_close(self->ev);
	kmt_relay_teardown(&self->r);
}

#define TIMEOUT_MS	300
#define EVENT_MS	5000	/* bounded wait for an event */
#define QUIET_MS	1000	/* no further event during this */

static uint32_t add_stream(struct __test_metadata *_metadata,
			   struct kmt_relay *r, uint32_t idle_ms,
			   uint64_t cookie)
{
	struct kmedia_stream *s;
	uint32_t id;

	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, cookie);
	if (idle_ms)
		kmedia_stream_set_idle_timeout(s, idle_ms);
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);
	return id;
}

static void send_forwarded(struct __test_metadata *_metadata,
			   struct kmt_relay *r, uint16_t seq)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = seq, .ts = seq * 160,
			       .ssrc = 0x1d1e };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, 3000);
}

static void check_idle_event(struct __test_metadata *_metadata,
			     const struct kmt_event *e, uint64_t cookie,
			     uint32_t timeout)
{
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(e->has_cookie);
	EXPECT_EQ(cookie, e->cookie);
	EXPECT_TRUE(e->has_idle_ms);
	EXPECT_LE(timeout, e->idle_ms);
	TH_LOG("IDLE_NTF after %u ms idle", e->idle_ms);
}

TEST_F(idle, idle_event_once_then_again_after_traffic)
{
	struct kmt_relay *r = &self->r;
	struct kmt_events *other = NULL;
	uint32_t id, quiet;
	int i;

	/* a subscriber in bob's namespace must hear nothing */
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_BOB));
	ASSERT_EQ(0, kmt_events_open(&other));
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_RELAY));

	id = add_stream(_metadata, r, TIMEOUT_MS, 0x1d1e);
	/* same ingress socket is taken: use rb for a stream without timeout */
	ASSERT_EQ(0, kmt_stream_add(r->h, r->rb_id, r->ra_id, &r->alice_addr,
				    KMEDIA_KIND_RTP, 0x2, &quiet));

	ASSERT_EQ(0, kmt_events_wait(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF, id,
				     1, EVENT_MS))
		TH_LOG("no IDLE_NTF within %d ms", EVENT_MS);
	check_idle_event(_metadata,
			 kmt_events_get(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
					id, 0), 0x1d1e, TIMEOUT_MS);

	/* once */
	ASSERT_EQ(0, kmt_events_read(self->ev, QUIET_MS));
	EXPECT_EQ(1, kmt_events_count(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				      id));

	/* media again, then silence again: one more */
	for (i = 0; i < 3; i++)
		send_forwarded(_metadata, r, i);
	ASSERT_EQ(0, kmt_events_wait(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF, id,
				     2, EVENT_MS))
		TH_LOG("no second IDLE_NTF within %d ms", EVENT_MS);
	check_idle_event(_metadata,
			 kmt_events_get(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
					id, 1), 0x1d1e, TIMEOUT_MS);
	ASSERT_EQ(0, kmt_events_read(self->ev, QUIET_MS));
	EXPECT_EQ(2, kmt_events_count(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				      id));

	/* never for the stream without a timeout, never anything else */
	EXPECT_EQ(0, kmt_events_count(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				      quiet));
	EXPECT_EQ(2, self->ev->n);
	EXPECT_EQ(0, self->ev->err);
	ASSERT_EQ(0, kmt_events_read(other, 0));
	EXPECT_EQ(0, other->n);
	kmt_events_close(other);
}

TEST_F(idle, timeout_set_by_change_takes_effect)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	uint32_t id;

	id = add_stream(_metadata, r, 0, 0x77);
	ASSERT_EQ(0, kmt_events_read(self->ev, 500));
	EXPECT_EQ(0, kmt_events_count(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				      KMT_ANY));

	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_idle_timeout(s, TIMEOUT_MS);
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	ASSERT_EQ(0, kmt_events_wait(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF, id,
				     1, EVENT_MS));
	check_idle_event(_metadata,
			 kmt_events_get(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
					id, 0), 0x77, TIMEOUT_MS);
}

TEST_F(idle, deleted_stream_sends_no_idle_event)
{
	struct kmt_relay *r = &self->r;
	const struct kmt_event *e;
	struct kmedia_stream *s;
	uint32_t id, keep;

	/* deleted at once: its timer (1000 ms) must never fire */
	id = add_stream(_metadata, r, 1000, 0x99);
	ASSERT_EQ(0, kmedia_stream_del(r->h, id));

	/* a later one (1500 ms) proves that events flow while we listen */
	ASSERT_EQ(0, kmt_stream_add(r->h, r->rb_id, r->ra_id, &r->alice_addr,
				    KMEDIA_KIND_RTP, 0x98, &keep));
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, keep);
	kmedia_stream_set_idle_timeout(s, 1500);
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	/* IDs may be reused: tell the two apart by cookie */
	ASSERT_EQ(0, kmt_events_wait(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				     KMT_ANY, 1, EVENT_MS));
	ASSERT_EQ(0, kmt_events_read(self->ev, 300));
	EXPECT_EQ(1, self->ev->n);
	e = kmt_events_get(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF, KMT_ANY, 0);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0x98, e->cookie) TH_LOG("IDLE_NTF of stream %u", e->id);
	EXPECT_EQ(keep, e->id);
}

TEST_F(idle, idle_ms_grows_without_packets_and_restarts_with_one)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s = NULL;
	uint32_t id, before, after;

	id = add_stream(_metadata, r, 0, 1);
	kmt_sleep_ms(1500);
	ASSERT_EQ(0, kmedia_stream_get(r->h, id, &s));
	ASSERT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_IDLE_MS));
	before = kmedia_stream_get_idle_ms(s);
	kmedia_stream_free(s);
	s = NULL;
	/* at least the time slept, give or take a clock tick */
	EXPECT_LE(1400, before);

	send_forwarded(_metadata, r, 1);
	ASSERT_EQ(0, kmedia_stream_get(r->h, id, &s));
	after = kmedia_stream_get_idle_ms(s);
	kmedia_stream_free(s);
	TH_LOG("IDLE_MS %u before the packet, %u after", before, after);
	EXPECT_GT(before, after);
}

/*
 * A subscriber that does not read, with the smallest receive buffer, has
 * room for a few of the idle events of 24 streams; the other subscriber
 * gets them all. The namespace counts exactly the events the slow one
 * missed, and its next read says ENOBUFS.
 */
#define LOSSY_SOCKS	12

TEST_F(idle, events_a_subscriber_missed_are_counted)
{
	static const uint32_t kinds[] = { KMEDIA_KIND_RTP, KMEDIA_KIND_RTCP };
	const unsigned int n = 2 * LOSSY_SOCKS;
	struct kmt_relay *r = &self->r;
	struct kmt_events *slow = NULL;
	int fds[LOSSY_SOCKS], one = 1, i, k;
	unsigned int got;
	uint64_t lost;

	ASSERT_EQ(0, kmt_events_open(&slow));
	ASSERT_EQ(0, setsockopt(kmedia_handle_fd(slow->h), SOL_SOCKET,
				SO_RCVBUF, &one, sizeof(one)));
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_EVENTS_LOST, &lost));
	EXPECT_EQ(0, lost);

	for (i = 0; i < LOSSY_SOCKS; i++) {
		struct kmt_addr bound;
		uint32_t sock;

		fds[i] = kmt_relay_sock(r, KMT_RELAY_A, AF_INET,
					KMT_PORT_RELAY_A + 2 + 2 * i, &bound,
					&sock);
		ASSERT_LE(0, fds[i]);
		for (k = 0; k < 2; k++) {
			struct kmedia_stream *s;

			s = kmt_stream_spec(sock, r->rb_id, &r->bob_addr,
					    kinds[k]);
			ASSERT_NE(NULL, s);
			kmedia_stream_set_idle_timeout(s, TIMEOUT_MS);
			ASSERT_EQ(0, kmedia_stream_new(r->h, s))
				KMT_LOG_EXTACK(r->h);
			kmedia_stream_free(s);
		}
	}
	ASSERT_EQ(0, kmt_events_wait(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				     KMT_ANY, n, EVENT_MS));
	EXPECT_EQ(n, kmt_events_count(self->ev, KMEDIA_CMD_STREAM_IDLE_NTF,
				      KMT_ANY));

	/* the overrun first, then what had fitted */
	EXPECT_EQ(-ENOBUFS, kmt_events_read(slow, 300));
	EXPECT_EQ(-ENOBUFS, slow->err);
	EXPECT_EQ(0, kmt_events_read(slow, 300));
	got = kmt_events_count(slow, KMEDIA_CMD_STREAM_IDLE_NTF, KMT_ANY);
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_EVENTS_LOST, &lost));
	TH_LOG("the slow subscriber got %u of %u events", got, n);
	EXPECT_LT(got, n);
	EXPECT_EQ(n - got, lost);
	kmt_events_close(slow);
	for (i = 0; i < LOSSY_SOCKS; i++)
		close(fds[i]);
}

TEST_HARNESS_MAIN
