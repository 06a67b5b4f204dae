// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: which sources a stream accepts. ANY forwards every source;
 * STRICT forwards only its SRC, and a packet from another address or port
 * reaches the relay's own socket untouched, counted in PASS_SOURCE; LATCH
 * learns the first packet's source, announces it with
 * KMEDIA_CMD_STREAM_LATCH_NTF (ID, COOKIE, SRC) to subscribers of the
 * namespace only, then treats it like STRICT, and learns again when
 * KMEDIA_CMD_STREAM_CHANGE sets the mode to latch. IPv4 and IPv6.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(source)
{
	struct kmt_relay r;
	int alice_p2, alice2;			/* other sources in alice */
	struct kmt_addr alice_p2_addr, alice2_addr;
	uint16_t seq;
};

FIXTURE_VARIANT(source)
{
	int family;
};

FIXTURE_VARIANT_ADD(source, v4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(source, v6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(source)
{
	struct kmt_relay *r = &self->r;

	ASSERT_EQ(0, kmt_relay_setup(r, variant->family, variant->family, 0));
	/* same address, other port */
	self->alice_p2 = kmt_udp(&r->topo, KMT_ALICE, variant->family,
				 KMT_PORT_ALICE + 2, &self->alice_p2_addr);
	/* other address, same port */
	self->alice2 = kmt_udp(&r->topo, KMT_ALICE2, variant->family,
			       KMT_PORT_ALICE, &self->alice2_addr);
	if (self->alice_p2 < 0 || self->alice2 < 0)
		kmt_relay_teardown(r);
	ASSERT_LE(0, self->alice_p2);
	ASSERT_LE(0, self->alice2);
}

FIXTURE_TEARDOWN(source)
{
	close(self->alice_p2);
	close(self->alice2);
	kmt_relay_teardown(&self->r);
}

#define WAIT_MS		3000
#define EVENT_MS	5000
#define COOKIE		0xca11ca11ca11ULL

/* Send one RTP packet from fd (whose address is *from) to ra. */
static void send_from(struct __test_metadata *_metadata,
		      FIXTURE_DATA(source) *self, int fd, uint8_t *pkt,
		      size_t *lenp)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = self->seq++, .ssrc = 0x50c };

	*lenp = kmt_rtp_build(pkt, 256, &rtp, NULL, 80);
	ASSERT_EQ(0, kmt_send(fd, pkt, *lenp, &self->r.ra_addr));
}

/* The packet from fd is forwarded to bob. */
static void expect_forwarded(struct __test_metadata *_metadata,
			     FIXTURE_DATA(source) *self, int fd)
{
	uint8_t pkt[256];
	struct kmt_msg m;
	size_t len;

	send_from(_metadata, self, fd, pkt, &len);
	KMT_ASSERT_RECV(self->r.bob, &m, pkt, len, &self->r.rb_addr, WAIT_MS);
}

/* The packet from fd reaches the relay's socket ra untouched. */
static void expect_passed(struct __test_metadata *_metadata,
			  FIXTURE_DATA(source) *self, int fd,
			  const struct kmt_addr *from)
{
	uint8_t pkt[256];
	struct kmt_msg m;
	size_t len;

	send_from(_metadata, self, fd, pkt, &len);
	KMT_ASSERT_RECV(self->r.ra, &m, pkt, len, from, WAIT_MS);
}

static uint64_t pass_source(struct __test_metadata *_metadata,
			    struct kmt_relay *r)
{
	uint64_t v = UINT64_MAX;

	EXPECT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_PASS_SOURCE, &v));
	return v;
}

static uint32_t add_stream(struct __test_metadata *_metadata,
			   struct kmt_relay *r, enum kmedia_src_mode mode,
			   const struct kmt_addr *src)
{
	struct kmedia_stream *s;
	uint32_t id;

	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, COOKIE);
	kmedia_stream_set_src_mode(s, mode);
	if (src)
		ASSERT_EQ(0, kmedia_stream_set_src(s, &src->sa, src->len));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);
	return id;
}

static void change_src(struct __test_metadata *_metadata, struct kmt_relay *r,
		       uint32_t id, enum kmedia_src_mode mode,
		       const struct kmt_addr *src)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_src_mode(s, mode);
	if (src)
		ASSERT_EQ(0, kmedia_stream_set_src(s, &src->sa, src->len));
	ASSERT_EQ(0, kmedia_stream_change(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);
}

/*
 * The stream's reported mode, LATCHED flag (LATCH_ANY: not checked) and SRC
 * (NULL: none).
 */
#define LATCH_ANY	-1

static void check_src(struct __test_metadata *_metadata, struct kmt_relay *r,
		      uint32_t id, enum kmedia_src_mode mode, int latched,
		      const struct kmt_addr *src)
{
	struct kmedia_stream *s = NULL;
	const struct sockaddr *sa;
	struct kmt_addr got;
	socklen_t len = 0;

	ASSERT_EQ(0, kmedia_stream_get(r->h, id, &s));
	EXPECT_EQ(mode, kmedia_stream_get_src_mode(s));
	if (latched != LATCH_ANY)
		EXPECT_EQ(!!latched, kmedia_stream_get_latched(s));
	sa = kmedia_stream_get_src(s, &len);
	if (!src) {
		EXPECT_EQ(NULL, sa);
	} else {
		ASSERT_NE(NULL, sa);
		kmt_addr_set(&got, sa, len);
		EXPECT_TRUE(kmt_addr_eq(src, &got))
			TH_LOG("SRC %s, expected %s", kmt_addr_fmt(&got),
			       kmt_addr_fmt(src));
	}
	kmedia_stream_free(s);
}

TEST_F(source, any_forwards_every_source)
{
	struct kmt_relay *r = &self->r;
	uint64_t v = 0;
	uint32_t id;

	id = add_stream(_metadata, r, KMEDIA_SRC_ANY, NULL);
	expect_forwarded(_metadata, self, r->alice);
	expect_forwarded(_metadata, self, self->alice_p2);
	expect_forwarded(_metadata, self, self->alice2);
	expect_forwarded(_metadata, self, r->alice);
	EXPECT_EQ(0, pass_source(_metadata, r));
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(4, v);
	check_src(_metadata, r, id, KMEDIA_SRC_ANY, false, NULL);
	KMT_ASSERT_EMPTY(r->ra);
}

TEST_F(source, strict_forwards_only_its_source)
{
	struct kmt_relay *r = &self->r;
	uint64_t v = 0;
	uint32_t id;

	id = add_stream(_metadata, r, KMEDIA_SRC_STRICT, &r->alice_addr);
	check_src(_metadata, r, id, KMEDIA_SRC_STRICT, false, &r->alice_addr);

	expect_forwarded(_metadata, self, r->alice);
	/* right address, wrong port */
	expect_passed(_metadata, self, self->alice_p2, &self->alice_p2_addr);
	/* wrong address, right port */
	expect_passed(_metadata, self, self->alice2, &self->alice2_addr);
	expect_forwarded(_metadata, self, r->alice);

	KMT_ASSERT_EMPTY(r->bob);
	EXPECT_EQ(2, pass_source(_metadata, r));
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(2, v);
	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(4, v);
	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_TO_STREAM, &v));
	EXPECT_EQ(2, v);
}

TEST_F(source, strict_source_can_be_changed)
{
	struct kmt_relay *r = &self->r;
	uint32_t id;

	id = add_stream(_metadata, r, KMEDIA_SRC_STRICT, &r->alice_addr);
	expect_forwarded(_metadata, self, r->alice);
	change_src(_metadata, r, id, KMEDIA_SRC_STRICT, &self->alice_p2_addr);
	check_src(_metadata, r, id, KMEDIA_SRC_STRICT, false,
		  &self->alice_p2_addr);
	expect_forwarded(_metadata, self, self->alice_p2);
	expect_passed(_metadata, self, r->alice, &r->alice_addr);
	EXPECT_EQ(1, pass_source(_metadata, r));

	/* and relaxed to any */
	change_src(_metadata, r, id, KMEDIA_SRC_ANY, NULL);
	expect_forwarded(_metadata, self, r->alice);
	expect_forwarded(_metadata, self, self->alice2);
	EXPECT_EQ(1, pass_source(_metadata, r));
	KMT_ASSERT_EMPTY(r->ra);
}

TEST_F(source, latch_learns_the_first_source_and_announces_it)
{
	struct kmt_relay *r = &self->r;
	struct kmt_events *ev = NULL, *other = NULL;
	const struct kmt_event *e;
	uint32_t id;

	ASSERT_EQ(0, kmt_events_open(&ev));
	/* a subscriber in another namespace must not hear about it */
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_BOB));
	ASSERT_EQ(0, kmt_events_open(&other));
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_RELAY));

	id = add_stream(_metadata, r, KMEDIA_SRC_LATCH, NULL);
	check_src(_metadata, r, id, KMEDIA_SRC_LATCH, false, NULL);

	/* the first packet is forwarded and its source learned */
	expect_forwarded(_metadata, self, self->alice_p2);
	ASSERT_EQ(0, kmt_events_wait(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 1,
				     EVENT_MS))
		TH_LOG("no LATCH_NTF within %d ms", EVENT_MS);
	e = kmt_events_get(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 0);
	ASSERT_NE(NULL, e);
	EXPECT_TRUE(e->has_cookie);
	EXPECT_EQ(COOKIE, e->cookie);
	ASSERT_TRUE(e->has_src);
	EXPECT_TRUE(kmt_addr_eq(&self->alice_p2_addr, &e->src))
		TH_LOG("latched %s, expected %s", kmt_addr_fmt(&e->src),
		       kmt_addr_fmt(&self->alice_p2_addr));
	check_src(_metadata, r, id, KMEDIA_SRC_LATCH, true,
		  &self->alice_p2_addr);

	/* from now on only that source */
	expect_passed(_metadata, self, r->alice, &r->alice_addr);
	expect_passed(_metadata, self, self->alice2, &self->alice2_addr);
	expect_forwarded(_metadata, self, self->alice_p2);
	EXPECT_EQ(2, pass_source(_metadata, r));

	/* one event only, and only here */
	ASSERT_EQ(0, kmt_events_read(ev, 300));
	EXPECT_EQ(1, kmt_events_count(ev, KMEDIA_CMD_STREAM_LATCH_NTF,
				      KMT_ANY));
	EXPECT_EQ(0, ev->err);
	ASSERT_EQ(0, kmt_events_read(other, 0));
	EXPECT_EQ(0, other->n);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_events_close(ev);
	kmt_events_close(other);
}

TEST_F(source, latch_again_after_change)
{
	struct kmt_relay *r = &self->r;
	struct kmt_events *ev = NULL;
	const struct kmt_event *e;
	uint32_t id;

	ASSERT_EQ(0, kmt_events_open(&ev));
	id = add_stream(_metadata, r, KMEDIA_SRC_LATCH, NULL);
	expect_forwarded(_metadata, self, r->alice);
	ASSERT_EQ(0, kmt_events_wait(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 1,
				     EVENT_MS));
	expect_passed(_metadata, self, self->alice_p2, &self->alice_p2_addr);

	/* the peer moved (e.g. a NAT rebinding): learn again */
	change_src(_metadata, r, id, KMEDIA_SRC_LATCH, NULL);
	check_src(_metadata, r, id, KMEDIA_SRC_LATCH, false, NULL);
	expect_forwarded(_metadata, self, self->alice_p2);
	ASSERT_EQ(0, kmt_events_wait(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 2,
				     EVENT_MS))
		TH_LOG("no second LATCH_NTF within %d ms", EVENT_MS);
	e = kmt_events_get(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 1);
	ASSERT_NE(NULL, e);
	ASSERT_TRUE(e->has_src);
	EXPECT_TRUE(kmt_addr_eq(&self->alice_p2_addr, &e->src))
		TH_LOG("latched %s", kmt_addr_fmt(&e->src));
	check_src(_metadata, r, id, KMEDIA_SRC_LATCH, true,
		  &self->alice_p2_addr);

	/* the old source is now the wrong one */
	expect_passed(_metadata, self, r->alice, &r->alice_addr);
	expect_forwarded(_metadata, self, self->alice_p2);
	EXPECT_EQ(2, pass_source(_metadata, r));
	ASSERT_EQ(0, kmt_events_read(ev, 300));
	EXPECT_EQ(2, kmt_events_count(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id));
	kmt_events_close(ev);
}

TEST_F(source, latched_stream_can_be_made_strict_or_any)
{
	struct kmt_relay *r = &self->r;
	struct kmt_events *ev = NULL;
	uint32_t id;

	ASSERT_EQ(0, kmt_events_open(&ev));
	id = add_stream(_metadata, r, KMEDIA_SRC_LATCH, NULL);
	expect_forwarded(_metadata, self, r->alice);
	ASSERT_EQ(0, kmt_events_wait(ev, KMEDIA_CMD_STREAM_LATCH_NTF, id, 1,
				     EVENT_MS));

	change_src(_metadata, r, id, KMEDIA_SRC_STRICT, &self->alice2_addr);
	check_src(_metadata, r, id, KMEDIA_SRC_STRICT, LATCH_ANY,
		  &self->alice2_addr);
	expect_forwarded(_metadata, self, self->alice2);
	expect_passed(_metadata, self, r->alice, &r->alice_addr);

	change_src(_metadata, r, id, KMEDIA_SRC_ANY, NULL);
	expect_forwarded(_metadata, self, r->alice);
	expect_forwarded(_metadata, self, self->alice_p2);
	EXPECT_EQ(1, pass_source(_metadata, r));

	/* strict and any never announce anything */
	ASSERT_EQ(0, kmt_events_read(ev, 300));
	EXPECT_EQ(1, kmt_events_count(ev, KMEDIA_CMD_STREAM_LATCH_NTF,
				      KMT_ANY));
	kmt_events_close(ev);
}

TEST_HARNESS_MAIN
