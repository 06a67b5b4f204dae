// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: the SRTP packet index, against libsrtp2, for every suite
 * (IPv4). The rollover counter follows sequence numbers across two wraps
 * (ROC 0 -> 1 -> 2, the second after a re-key that sets KMEDIA_SRTP_A_ROC
 * and _SSRC), inbound, outbound and both; packets reordered inside the
 * replay window are delivered, a replay and a packet older than the window
 * are dropped and counted in DROP_SRTP_REPLAY, and a wider window accepts
 * it; a re-key with a new SSRC exactly when the change is acknowledged
 * loses no valid packet; a change without SRTP attributes keeps the ROC and
 * the replay window; a nest with suite NONE removes a context. A suite the
 * module answers EOPNOTSUPP for is skipped. F8, which libsrtp2 lacks, and
 * AES-192, whose keys libsrtp2 2.5 derives differently from RFC 6188, are
 * checked against the test-side reference of tests/lib/kmsrtp-ref.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../lib/kmsrtp.h"
#include "../lib/kmlibsrtp.h"
#include "../lib/kmsrtp-assert.h"

FIXTURE(index)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(index)
{
	uint32_t suite;
};

#define SUITE(name_, suite_)						\
	FIXTURE_VARIANT_ADD(index, name_)				\
	{								\
		.suite = KMEDIA_SRTP_##suite_,				\
	}

SUITE(aes_cm_128_hmac_sha1_80, AES_CM_128_HMAC_SHA1_80);
SUITE(aes_cm_128_hmac_sha1_32, AES_CM_128_HMAC_SHA1_32);
SUITE(aes_192_cm_hmac_sha1_80, AES_192_CM_HMAC_SHA1_80);
SUITE(aes_192_cm_hmac_sha1_32, AES_192_CM_HMAC_SHA1_32);
SUITE(aes_256_cm_hmac_sha1_80, AES_256_CM_HMAC_SHA1_80);
SUITE(aes_256_cm_hmac_sha1_32, AES_256_CM_HMAC_SHA1_32);
SUITE(aead_aes_128_gcm, AEAD_AES_128_GCM);
SUITE(aead_aes_256_gcm, AEAD_AES_256_GCM);
SUITE(null_hmac_sha1_80, NULL_HMAC_SHA1_80);
SUITE(null_hmac_sha1_32, NULL_HMAC_SHA1_32);
SUITE(f8_128_hmac_sha1_80, F8_128_HMAC_SHA1_80);

FIXTURE_SETUP(index)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, AF_INET, AF_INET, 0));
}

FIXTURE_TEARDOWN(index)
{
	kmt_relay_teardown(&self->r);
}

/* Skip unless the module has the suite (and libsrtp2 can check it). */
#define REQUIRE(need_lib)						\
	KMT_SRTP_REQUIRE(self->r.h, variant->suite, (need_lib),		\
			 self->r.ra_id, self->r.rb_id, &self->r.bob_addr)

#define WAIT_MS		3000
#define SSRC_1		0x10c0ffee
#define SSRC_2		0x20beef20
#define WRAP_SEQ0	65530
#define WRAP_N		16	/* 65530 ... 65535, 0 ... 9 */

/* One packet of a flow: plain RTP and, when protected, its SRTP form. */
struct pkt {
	uint8_t plain[1500];
	size_t plen;
	uint8_t srtp[1600];
	size_t slen;
};

/* n packets seq0 + i of ssrc, protected in order by s (NULL: plain only). */
static struct pkt *make_flow(struct __test_metadata *_metadata,
			     struct kmt_libsrtp *s, unsigned int n,
			     uint16_t seq0, uint32_t ssrc)
{
	struct pkt *p = calloc(n, sizeof(*p));
	unsigned int i;

	ASSERT_NE(NULL, p);
	for (i = 0; i < n; i++) {
		p[i].plen = kmt_srtp_rtp_packet(p[i].plain, sizeof(p[i].plain),
						i, seq0, ssrc);
		ASSERT_NE(0, p[i].plen);
		if (s)
			p[i].slen = kmt_srtp_protect(_metadata, s, false,
						     p[i].plain, p[i].plen,
						     p[i].srtp,
						     sizeof(p[i].srtp));
	}
	return p;
}

/* alice -> ra -> (stream) -> rb -> bob */
static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r,
		       const struct kmt_srtp *in, const struct kmt_srtp *out)
{
	struct kmt_srtp_stream req = {
		.sock_in = r->ra_id, .sock_out = r->rb_id, .dst = r->bob_addr,
		.kind = KMEDIA_KIND_RTP, .in = in, .out = out,
	};

	return kmt_srtp_add(_metadata, r->h, &req);
}

/*
 * alice sends p (its SRTP form if the stream unprotects, else plain); the
 * next datagram at fd is p's plain form (rx NULL) or unprotects to it.
 */
static void relay_one(struct __test_metadata *_metadata, struct kmt_relay *r,
		      const struct pkt *p, bool srtp_in,
		      struct kmt_libsrtp *rx, int fd)
{
	struct kmt_msg m;

	if (srtp_in) {
		ASSERT_EQ(0, kmt_send(r->alice, p->srtp, p->slen, &r->ra_addr));
	} else {
		ASSERT_EQ(0, kmt_send(r->alice, p->plain, p->plen,
				      &r->ra_addr));
	}
	if (!rx) {
		KMT_ASSERT_RECV(fd, &m, p->plain, p->plen, &r->rb_addr,
				WAIT_MS);
		return;
	}
	ASSERT_EQ(0, kmt_recv(fd, &m, WAIT_MS))
		TH_LOG("seq %u not relayed", p->plain[2] << 8 | p->plain[3]);
	kmt_srtp_expect_unprotect(_metadata, rx, false, &m, p->plain,
				  p->plen);
}

static void expect_roc(struct __test_metadata *_metadata,
		       struct kmedia_handle *h, uint32_t id, bool in,
		       uint32_t ssrc, uint32_t roc)
{
	struct kmt_srtp_info *info = calloc(1, sizeof(*info));
	const struct kmt_srtp_report *rep;

	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, kmt_srtp_stream_get(h, id, info)) KMT_LOG_EXTACK(h);
	rep = in ? &info->in : &info->out;
	ASSERT_TRUE(rep->present);
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_ROC))
		TH_LOG("SRTP_%s reports no ROC", in ? "IN" : "OUT");
	EXPECT_EQ(roc, rep->roc) TH_LOG("SRTP_%s ROC", in ? "IN" : "OUT");
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_SSRC))
		TH_LOG("SRTP_%s reports no SSRC", in ? "IN" : "OUT");
	EXPECT_EQ(ssrc, rep->ssrc) TH_LOG("SRTP_%s SSRC", in ? "IN" : "OUT");
	free(info);
}

/*
 * Two wraps: 16 packets from seq 65530 at ROC 0 (into ROC 1), then a
 * re-key of the protected directions with KMEDIA_SRTP_A_ROC = 1 and the
 * SSRC, and 16 packets from seq 65530 at ROC 1 (into ROC 2). libsrtp2
 * senders start their second session at ROC 1 (srtp_set_stream_roc());
 * bob's libsrtp2 receivers follow the first wrap by themselves and start
 * the second session at ROC 1 too. Bob always gets alice's packets.
 */
static void two_wraps(struct __test_metadata *_metadata, struct kmt_relay *r,
		      uint32_t suite, bool in, bool out)
{
	const uint32_t ssrc = SSRC_1;
	struct kmt_libsrtp *tx = NULL, *rx = NULL;
	struct kmt_srtp pa, pb;
	struct pkt *p;
	uint32_t id, roc = 99;
	unsigned int i, round;

	kmt_srtp_init(&pa, suite, 0x1a);
	kmt_srtp_init(&pb, suite, 0x1b);
	if (in)
		tx = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, &ssrc);
	if (out)
		rx = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, &ssrc);
	id = add_ab(_metadata, r, in ? &pa : NULL, out ? &pb : NULL);

	for (round = 0; round < 2; round++) {
		p = make_flow(_metadata, tx, WRAP_N, WRAP_SEQ0, ssrc);
		for (i = 0; i < WRAP_N; i++)
			relay_one(_metadata, r, &p[i], in, rx, r->bob);
		free(p);
		if (tx) {
			ASSERT_EQ(0, kmt_libsrtp_get_roc(tx, ssrc, &roc));
			ASSERT_EQ(round + 1, roc) TH_LOG("libsrtp2 sender");
			expect_roc(_metadata, r->h, id, true, ssrc, round + 1);
		}
		if (rx) {
			ASSERT_EQ(0, kmt_libsrtp_get_roc(rx, ssrc, &roc));
			ASSERT_EQ(round + 1, roc) TH_LOG("libsrtp2 receiver");
			expect_roc(_metadata, r->h, id, false, ssrc,
				   round + 1);
		}
		if (round)
			break;

		/* re-key at ROC 1, sender back at seq 65530 */
		kmt_srtp_init(&pa, suite, 0x2a);
		kmt_srtp_set_roc(&pa, ssrc, 1);
		kmt_srtp_init(&pb, suite, 0x2b);
		kmt_srtp_set_roc(&pb, ssrc, 1);
		ASSERT_EQ(0, kmt_srtp_stream_change(r->h, id, NULL,
						    in ? &pa : NULL,
						    out ? &pb : NULL))
			KMT_LOG_EXTACK(r->h);
		if (tx) {
			kmt_libsrtp_free(tx);
			tx = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND,
					  &ssrc);
			ASSERT_EQ(0, kmt_libsrtp_set_roc(tx, ssrc, 1));
		}
		if (rx) {
			kmt_libsrtp_free(rx);
			rx = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV,
					  &ssrc);
			ASSERT_EQ(0, kmt_libsrtp_set_roc(rx, ssrc, 1));
		}
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, 2 * WRAP_N);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_libsrtp_free(tx);
	kmt_libsrtp_free(rx);
}

TEST_F(index, roc_follows_two_wraps_srtp_in)
{
	REQUIRE(true);
	two_wraps(_metadata, &self->r, variant->suite, true, false);
}

TEST_F(index, roc_follows_two_wraps_srtp_out)
{
	REQUIRE(true);
	two_wraps(_metadata, &self->r, variant->suite, false, true);
}

TEST_F(index, roc_follows_two_wraps_srtp_in_and_out)
{
	REQUIRE(true);
	two_wraps(_metadata, &self->r, variant->suite, true, true);
}

/*
 * Replay window: protected in order by libsrtp2, sent out of order. With
 * the default window (128): 10, 12, 11, 14, 13 delivered; 12 again dropped;
 * after advancing to 315, 115 (200 behind, never seen) dropped, 215 (101
 * behind, never seen) delivered, then dropped when replayed.
 */
TEST_F(index, reordering_inside_the_window_and_replays)
{
	static const unsigned int order[] = { 10, 12, 11, 14, 13 };
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	kmt_srtp_stats_t before;
	struct kmt_srtp pa;
	struct pkt *p;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x3a);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_ab(_metadata, r, &pa, NULL);
	p = make_flow(_metadata, alice, 320, 0, SSRC_1);

	for (i = 0; i < 10; i++)
		relay_one(_metadata, r, &p[i], true, NULL, r->bob);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		relay_one(_metadata, r, &p[order[i]], true, NULL, r->bob);

	/* 12 again */
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, p[12].srtp, p[12].slen, &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_REPLAY, 1);
	relay_one(_metadata, r, &p[15], true, NULL, r->bob);

	/* 300 more, 115 and 215 held back */
	for (i = 16; i <= 315; i++) {
		if (i == 115 || i == 215)
			continue;
		relay_one(_metadata, r, &p[i], true, NULL, r->bob);
	}
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, p[115].srtp, p[115].slen,
			      &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_REPLAY, 1);
	/* nothing reached bob: the next packet is the next datagram */
	relay_one(_metadata, r, &p[316], true, NULL, r->bob);

	/* 101 behind 316, never seen: inside the window */
	relay_one(_metadata, r, &p[215], true, NULL, r->bob);
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, p[215].srtp, p[215].slen,
			      &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_REPLAY, 1);
	relay_one(_metadata, r, &p[317], true, NULL, r->bob);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	free(p);
	kmt_libsrtp_free(alice);
}

TEST_F(index, a_wider_window_accepts_200_behind)
{
	struct kmt_relay *r = &self->r;
	struct kmt_srtp_info *info;
	struct kmt_libsrtp *alice;
	kmt_srtp_stats_t before;
	struct kmt_srtp pa;
	struct pkt *p;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x4a);
	kmt_srtp_set_window(&pa, 1024);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_ab(_metadata, r, &pa, NULL);

	info = calloc(1, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, kmt_srtp_stream_get(r->h, id, info));
	ASSERT_TRUE(info->in.attrs & (1u << KMEDIA_SRTP_A_REPLAY_WINDOW));
	EXPECT_EQ(1024, info->in.window);
	free(info);

	p = make_flow(_metadata, alice, 320, 1000, SSRC_1);
	for (i = 0; i <= 315; i++) {
		if (i == 115)
			continue;
		relay_one(_metadata, r, &p[i], true, NULL, r->bob);
	}
	relay_one(_metadata, r, &p[115], true, NULL, r->bob);
	/* now it was seen */
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, p[115].srtp, p[115].slen,
			      &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_REPLAY, 1);
	relay_one(_metadata, r, &p[316], true, NULL, r->bob);
	KMT_ASSERT_EMPTY(r->bob);
	free(p);
	kmt_libsrtp_free(alice);
}

/*
 * N packets under keys A (in) and B (out) and SSRC 1; once the stream
 * forwarded them, one change installs keys D and E, and alice sends M
 * packets under key D and SSRC 2 right when the change is acknowledged.
 * Bob gets all N + M: the first N under B, the rest under E.
 */
TEST_F(index, rekey_and_new_ssrc_lose_nothing)
{
	const unsigned int n = 25, m = 25;
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice1, *alice2, *bob1, *bob2;
	struct kmt_srtp pa, pb, pd, pe;
	struct pkt *p1, *p2;
	struct kmt_msg msg;
	unsigned int i;
	uint64_t v = 0;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x5a);
	kmt_srtp_init(&pb, variant->suite, 0x5b);
	kmt_srtp_init(&pd, variant->suite, 0x5d);
	kmt_srtp_init(&pe, variant->suite, 0x5e);
	alice1 = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	alice2 = kmt_srtp_lib(_metadata, &pd, KMT_LIBSRTP_SEND, NULL);
	bob1 = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	bob2 = kmt_srtp_lib(_metadata, &pe, KMT_LIBSRTP_RECV, NULL);
	id = add_ab(_metadata, r, &pa, &pb);
	p1 = make_flow(_metadata, alice1, n, 100, SSRC_1);
	p2 = make_flow(_metadata, alice2, m, 7000, SSRC_2);

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, kmt_send(r->alice, p1[i].srtp, p1[i].slen,
				      &r->ra_addr));
	EXPECT_EQ(0, kmt_srtp_wait_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS,
					n, WAIT_MS, &v));
	ASSERT_EQ(n, v);
	ASSERT_EQ(0, kmt_srtp_stream_change(r->h, id, NULL, &pd, &pe))
		KMT_LOG_EXTACK(r->h);
	for (i = 0; i < m; i++)
		ASSERT_EQ(0, kmt_send(r->alice, p2[i].srtp, p2[i].slen,
				      &r->ra_addr));

	for (i = 0; i < n + m; i++) {
		const struct pkt *p = i < n ? &p1[i] : &p2[i - n];

		ASSERT_EQ(0, kmt_recv(r->bob, &msg, WAIT_MS))
			TH_LOG("bob got %u of %u packets", i, n + m);
		kmt_srtp_expect_unprotect(_metadata, i < n ? bob1 : bob2,
					  false, &msg, p->plain, p->plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, n + m);
	KMT_ASSERT_EMPTY(r->bob);
	free(p1);
	free(p2);
	kmt_libsrtp_free(alice1);
	kmt_libsrtp_free(alice2);
	kmt_libsrtp_free(bob1);
	kmt_libsrtp_free(bob2);
}

/*
 * Across a wrap (ROC 1 by now), a change of DST alone: packets keep being
 * unprotected (the inbound ROC is kept) and bob's receiver, which saw the
 * wrap, keeps unprotecting (the outbound ROC is kept); a packet seen
 * before the change is still a replay after it.
 */
TEST_F(index, a_change_without_srtp_keeps_roc_and_replay_state)
{
	const uint32_t ssrc = SSRC_1;
	const unsigned int n = 21, before_change = 11;
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice, *bob;
	struct kmt_addr bob2_addr;
	kmt_srtp_stats_t before;
	struct kmt_srtp pa, pb;
	struct pkt *p;
	unsigned int i;
	uint32_t id;
	int bob2;

	REQUIRE(true);

	bob2 = kmt_udp(&r->topo, KMT_BOB, AF_INET, KMT_PORT_BOB + 2,
		       &bob2_addr);
	ASSERT_LE(0, bob2);
	kmt_srtp_init(&pa, variant->suite, 0x6a);
	kmt_srtp_init(&pb, variant->suite, 0x6b);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, &ssrc);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, &ssrc);
	id = add_ab(_metadata, r, &pa, &pb);
	/* 65530 ... 65535, 0 ... 14 */
	p = make_flow(_metadata, alice, n, WRAP_SEQ0, ssrc);

	for (i = 0; i < before_change; i++)
		relay_one(_metadata, r, &p[i], true, bob, r->bob);
	expect_roc(_metadata, r->h, id, true, ssrc, 1);
	expect_roc(_metadata, r->h, id, false, ssrc, 1);

	ASSERT_EQ(0, kmt_srtp_stream_change(r->h, id, &bob2_addr, NULL, NULL))
		KMT_LOG_EXTACK(r->h);
	for (i = before_change; i < n; i++)
		relay_one(_metadata, r, &p[i], true, bob, bob2);
	expect_roc(_metadata, r->h, id, true, ssrc, 1);
	expect_roc(_metadata, r->h, id, false, ssrc, 1);

	/* seq 3 (ROC 1) was accepted before the change */
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, p[9].srtp, p[9].slen, &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_REPLAY, 1);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(bob2);
	close(bob2);
	free(p);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(bob);
}

/*
 * A nest with suite NONE in a change removes the context: after removing
 * SRTP_IN, alice's plain packets go through (and SRTP_OUT still protects);
 * after removing SRTP_OUT too, bob gets them plain.
 */
TEST_F(index, suite_none_in_a_change_removes_the_context)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice, *bob;
	struct kmt_srtp_info *info;
	struct kmt_srtp pa, pb, none;
	struct pkt *p;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x7a);
	kmt_srtp_init(&pb, variant->suite, 0x7b);
	kmt_srtp_none(&none);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	id = add_ab(_metadata, r, &pa, &pb);
	p = make_flow(_metadata, alice, 30, 500, SSRC_1);

	for (i = 0; i < 10; i++)
		relay_one(_metadata, r, &p[i], true, bob, r->bob);
	ASSERT_EQ(0, kmt_stream_srtp(r->h, id, KMT_SRTP_IN, &none))
		KMT_LOG_EXTACK(r->h);
	for (; i < 20; i++)
		relay_one(_metadata, r, &p[i], false, bob, r->bob);
	ASSERT_EQ(0, kmt_stream_srtp(r->h, id, KMT_SRTP_OUT, &none))
		KMT_LOG_EXTACK(r->h);
	for (; i < 30; i++)
		relay_one(_metadata, r, &p[i], false, NULL, r->bob);

	info = calloc(1, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, kmt_srtp_stream_get(r->h, id, info));
	EXPECT_FALSE(info->in.present);
	EXPECT_FALSE(info->out.present);
	free(info);
	kmt_srtp_expect_clean(_metadata, r->h, id, 30);
	KMT_ASSERT_EMPTY(r->bob);
	free(p);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(bob);
}

TEST_HARNESS_MAIN
