// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: SRTCP interoperability with libsrtp2, for every suite (IPv4,
 * and AES_CM_128_HMAC_SHA1_80 over IPv6), on RTCP streams between RTCP
 * ports (port + 1) and with rtcp-mux:
 *  - SRTCP in: alice protects compound SR + SDES and plain RR packets with
 *    libsrtp2, bob receives the original RTCP byte for byte;
 *  - SRTCP out: libsrtp2 at bob unprotects exactly what arrived; every
 *    packet carries the E bit (set unless the suite's cipher is NULL) and
 *    an SRTCP index one above the previous one, for 20 packets in a row;
 *  - SRTCP A -> SRTCP B;
 *  - KMEDIA_SRTP_A_SRTCP_INDEX reports the last index received / sent;
 *  - a 4-byte MKI both ways, another MKI dropped (DROP_SRTP_MKI);
 *  - a bit flipped in the payload, the E||index word or the tag
 *    (DROP_SRTP_AUTH), a replay (DROP_SRTP_REPLAY), a packet too short
 *    (DROP_SRTP_SHORT), each moving only its counter;
 *  - SRTP and SRTCP sharing one port (rtcp-mux) under one master key.
 * A suite the module answers EOPNOTSUPP for is skipped. F8 (RFC 3711
 * 4.1.2.3: the IV holds E, the SRTCP index and the RTCP header) and
 * AES-192 (whose keys libsrtp2 2.5 derives differently from RFC 6188) are
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

FIXTURE(srtcp)
{
	struct kmt_relay r;
	/* the RTCP ports: alice and bob at port + 1, relay sockets too */
	int alice_c, bob_c, ra_c, rb_c;
	struct kmt_addr alice_c_addr, bob_c_addr, ra_c_addr, rb_c_addr;
	uint32_t ra_c_id, rb_c_id;
};

FIXTURE_VARIANT(srtcp)
{
	uint32_t suite;
	int family;
};

#define SUITE_V4(name_, suite_)						\
	FIXTURE_VARIANT_ADD(srtcp, name_)				\
	{								\
		.suite = KMEDIA_SRTP_##suite_, .family = AF_INET,	\
	}

SUITE_V4(aes_cm_128_hmac_sha1_80, AES_CM_128_HMAC_SHA1_80);
SUITE_V4(aes_cm_128_hmac_sha1_32, AES_CM_128_HMAC_SHA1_32);
SUITE_V4(aes_192_cm_hmac_sha1_80, AES_192_CM_HMAC_SHA1_80);
SUITE_V4(aes_192_cm_hmac_sha1_32, AES_192_CM_HMAC_SHA1_32);
SUITE_V4(aes_256_cm_hmac_sha1_80, AES_256_CM_HMAC_SHA1_80);
SUITE_V4(aes_256_cm_hmac_sha1_32, AES_256_CM_HMAC_SHA1_32);
SUITE_V4(aead_aes_128_gcm, AEAD_AES_128_GCM);
SUITE_V4(aead_aes_256_gcm, AEAD_AES_256_GCM);
SUITE_V4(null_hmac_sha1_80, NULL_HMAC_SHA1_80);
SUITE_V4(null_hmac_sha1_32, NULL_HMAC_SHA1_32);
SUITE_V4(f8_128_hmac_sha1_80, F8_128_HMAC_SHA1_80);

FIXTURE_VARIANT_ADD(srtcp, aes_cm_128_hmac_sha1_80_v6)
{
	.suite = KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, .family = AF_INET6,
};

FIXTURE_SETUP(srtcp)
{
	struct kmt_relay *r = &self->r;
	int fam = variant->family;

	self->alice_c = self->bob_c = self->ra_c = self->rb_c = -1;
	ASSERT_EQ(0, kmt_relay_setup(r, fam, fam, 0));
	self->ra_c = kmt_relay_sock(r, KMT_RELAY_A, fam, KMT_PORT_RELAY_A + 1,
				    &self->ra_c_addr, &self->ra_c_id);
	ASSERT_LE(0, self->ra_c);
	self->rb_c = kmt_relay_sock(r, KMT_RELAY_B, fam, KMT_PORT_RELAY_B + 1,
				    &self->rb_c_addr, &self->rb_c_id);
	ASSERT_LE(0, self->rb_c);
	self->alice_c = kmt_udp(&r->topo, KMT_ALICE, fam, KMT_PORT_ALICE + 1,
				&self->alice_c_addr);
	ASSERT_LE(0, self->alice_c);
	self->bob_c = kmt_udp(&r->topo, KMT_BOB, fam, KMT_PORT_BOB + 1,
			      &self->bob_c_addr);
	ASSERT_LE(0, self->bob_c);
}

FIXTURE_TEARDOWN(srtcp)
{
	int *fds[] = { &self->alice_c, &self->bob_c, &self->ra_c, &self->rb_c };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	kmt_relay_teardown(&self->r);
}

/* Skip unless the module has the suite (and libsrtp2 can check it). */
#define REQUIRE(need_lib)						\
	KMT_SRTP_REQUIRE(self->r.h, variant->suite, (need_lib),		\
			 self->r.ra_id, self->r.rb_id, &self->r.bob_addr)

#define WAIT_MS		3000
#define NPKT		20
#define SSRC_A		0xc0c0a11c

#define E_BIT		0x80000000u
#define INDEX_MASK	0x7fffffffu

/* alice_c -> ra_c -> (RTCP stream) -> rb_c -> bob_c */
static uint32_t add_rtcp(struct __test_metadata *_metadata,
			 FIXTURE_DATA(srtcp) *self, const struct kmt_srtp *in,
			 const struct kmt_srtp *out)
{
	struct kmt_srtp_stream req = {
		.sock_in = self->ra_c_id, .sock_out = self->rb_c_id,
		.dst = self->bob_c_addr, .kind = KMEDIA_KIND_RTCP,
		.cookie = 0x5c, .in = in, .out = out,
	};

	return kmt_srtp_add(_metadata, self->r.h, &req);
}

static void expect_index(struct __test_metadata *_metadata,
			 struct kmedia_handle *h, uint32_t id, bool in,
			 uint32_t index)
{
	struct kmt_srtp_info *info = calloc(1, sizeof(*info));
	const struct kmt_srtp_report *rep;

	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, kmt_srtp_stream_get(h, id, info)) KMT_LOG_EXTACK(h);
	rep = in ? &info->in : &info->out;
	ASSERT_TRUE(rep->present);
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_SRTCP_INDEX))
		TH_LOG("SRTP_%s reports no SRTCP_INDEX", in ? "IN" : "OUT");
	EXPECT_EQ(index, rep->srtcp_index)
		TH_LOG("SRTP_%s SRTCP_INDEX", in ? "IN" : "OUT");
	free(info);
}

/* The E||index word of a protected packet: E as the suite says. */
static uint32_t index_of(struct __test_metadata *_metadata,
			 const struct kmt_srtp *p, const uint8_t *buf,
			 size_t len)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);
	uint32_t word = kmt_srtcp_index_word(p, buf, len);

	EXPECT_EQ(info->encrypts ? E_BIT : 0, word & E_BIT)
		TH_LOG("E bit of index word %#x with %s", word,
		       kmt_srtp_suite_name(p->suite));
	return word & INDEX_MASK;
}

/* What bob got from an SRTP_OUT RTCP stream, before unprotecting. */
static void check_protected(struct __test_metadata *_metadata,
			    const struct kmt_srtp *p, const struct kmt_msg *m,
			    const uint8_t *plain, size_t plen)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);

	ASSERT_EQ((ssize_t)(plen + kmt_srtp_overhead(p, true)), m->len)
		TH_LOG("%zu bytes of RTCP should gain index, MKI and tag",
		       plen);
	/* the first header stays in clear */
	ASSERT_EQ(0, memcmp(m->buf, plain, 8)) TH_LOG("RTCP header changed");
	if (info->encrypts) {
		EXPECT_NE(0, memcmp(m->buf + 8, plain + 8, plen - 8))
			TH_LOG("RTCP left in clear");
	} else {
		EXPECT_EQ(0, memcmp(m->buf + 8, plain + 8, plen - 8))
			TH_LOG("NULL cipher changed the RTCP");
	}
	if (p->mki_len) {
		size_t at = kmt_srtp_mki_offset(p, true, m->len);

		EXPECT_EQ(0, memcmp(m->buf + at, p->mki, p->mki_len))
			TH_LOG("MKI not where the suite puts it");
	}
}

/*
 * NPKT packets through an RTCP stream with in / out contexts (NULL:
 * plain): alice protects with tx if in, bob unprotects with rx if out.
 * Checks E bits and consecutive indexes both sides, and SRTCP_INDEX.
 */
static void run_rtcp(struct __test_metadata *_metadata,
		     FIXTURE_DATA(srtcp) *self, const struct kmt_srtp *in,
		     const struct kmt_srtp *out)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *tx = NULL, *rx = NULL;
	uint8_t plain[256], srtcp[512];
	uint32_t id, idx, last_in = 0, last_out = 0;
	struct kmt_msg m;
	size_t plen, slen;
	unsigned int i;

	if (in)
		tx = kmt_srtp_lib(_metadata, in, KMT_LIBSRTP_SEND, NULL);
	if (out)
		rx = kmt_srtp_lib(_metadata, out, KMT_LIBSRTP_RECV, NULL);
	id = add_rtcp(_metadata, self, in, out);

	for (i = 0; i < NPKT; i++) {
		plen = kmt_srtp_rtcp_packet(plain, sizeof(plain), i, SSRC_A);
		ASSERT_NE(0, plen);
		if (tx) {
			slen = kmt_srtp_protect(_metadata, tx, true, plain,
						plen, srtcp, sizeof(srtcp));
			ASSERT_EQ(plen + kmt_srtp_overhead(in, true), slen);
			idx = index_of(_metadata, in, srtcp, slen);
			if (i)
				ASSERT_EQ(last_in + 1, idx);
			last_in = idx;
			ASSERT_EQ(0, kmt_send(self->alice_c, srtcp, slen,
					      &self->ra_c_addr));
		} else {
			ASSERT_EQ(0, kmt_send(self->alice_c, plain, plen,
					      &self->ra_c_addr));
		}
		if (!rx) {
			KMT_ASSERT_RECV(self->bob_c, &m, plain, plen,
					&self->rb_c_addr, WAIT_MS);
			continue;
		}
		ASSERT_EQ(0, kmt_recv(self->bob_c, &m, WAIT_MS))
			TH_LOG("RTCP packet %u not relayed", i);
		ASSERT_TRUE(kmt_addr_eq(&self->rb_c_addr, &m.from));
		check_protected(_metadata, out, &m, plain, plen);
		idx = index_of(_metadata, out, m.buf, m.len);
		if (i)
			ASSERT_EQ(last_out + 1, idx)
				TH_LOG("SRTCP index after %u", last_out);
		last_out = idx;
		kmt_srtp_expect_unprotect(_metadata, rx, true, &m, plain,
					  plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, NPKT);
	if (in)
		expect_index(_metadata, r->h, id, true, last_in);
	if (out)
		expect_index(_metadata, r->h, id, false, last_out);
	KMT_ASSERT_EMPTY(self->bob_c);
	KMT_ASSERT_EMPTY(self->ra_c);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_libsrtp_free(tx);
	kmt_libsrtp_free(rx);
}

TEST_F(srtcp, srtcp_in_delivers_the_original_rtcp)
{
	struct kmt_srtp pa;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	run_rtcp(_metadata, self, &pa, NULL);
}

TEST_F(srtcp, srtcp_out_is_unprotected_by_libsrtp2)
{
	struct kmt_srtp pb;

	REQUIRE(true);

	kmt_srtp_init(&pb, variant->suite, 0xb);
	run_rtcp(_metadata, self, NULL, &pb);
}

TEST_F(srtcp, srtcp_a_to_srtcp_b)
{
	struct kmt_srtp pa, pb;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_init(&pb, variant->suite, 0xb);
	run_rtcp(_metadata, self, &pa, &pb);
}

TEST_F(srtcp, srtcp_mki_both_ways)
{
	static const uint8_t mki_a[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };
	static const uint8_t mki_b[4] = { 0xb1, 0xb2, 0xb3, 0xb4 };
	struct kmt_srtp pa, pb;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_set_mki(&pa, mki_a, sizeof(mki_a));
	kmt_srtp_init(&pb, variant->suite, 0xb);
	kmt_srtp_set_mki(&pb, mki_b, sizeof(mki_b));
	run_rtcp(_metadata, self, &pa, &pb);
}

/* alice_c sends (buf, len): dropped and counted in attr only. */
static void dropped(struct __test_metadata *_metadata,
		    FIXTURE_DATA(srtcp) *self, uint32_t id, const void *buf,
		    size_t len, enum kmedia_stats_attr attr, const char *what)
{
	kmt_srtp_stats_t before;

	TH_LOG("%s: %zu bytes", what, len);
	kmt_srtp_snap(_metadata, self->r.h, id, before);
	ASSERT_EQ(0, kmt_send(self->alice_c, buf, len, &self->ra_c_addr));
	kmt_srtp_expect_only(_metadata, self->r.h, id, before, attr, 1);
	KMT_ASSERT_EMPTY(self->bob_c);
	KMT_ASSERT_EMPTY(self->ra_c);
}

struct rtcp_pkt {
	uint8_t plain[256];
	size_t plen;
	uint8_t srtcp[512];
	size_t slen;
};

TEST_F(srtcp, srtcp_failures_move_one_counter_each)
{
	static const uint8_t mki_a[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };
	static const uint8_t mki_x[4] = { 0x99, 0x98, 0x97, 0x96 };
	const struct kmt_srtp_suite_info *info;
	struct kmt_libsrtp *alice, *alice_x;
	struct rtcp_pkt p[8], x;
	struct kmt_srtp pa, px;
	uint8_t bad[512];
	struct kmt_msg m;
	size_t at;
	uint32_t id;
	int i;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_set_mki(&pa, mki_a, sizeof(mki_a));
	px = pa;
	kmt_srtp_set_mki(&px, mki_x, sizeof(mki_x));
	info = kmt_srtp_suite(pa.suite);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	alice_x = kmt_srtp_lib(_metadata, &px, KMT_LIBSRTP_SEND, NULL);
	id = add_rtcp(_metadata, self, &pa, NULL);
	for (i = 0; i < 8; i++) {
		p[i].plen = kmt_srtp_rtcp_packet(p[i].plain, sizeof(p[i].plain),
						 i, SSRC_A);
		p[i].slen = kmt_srtp_protect(_metadata, alice, true,
					     p[i].plain, p[i].plen, p[i].srtcp,
					     sizeof(p[i].srtcp));
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, kmt_send(self->alice_c, p[i].srtcp, p[i].slen,
				      &self->ra_c_addr));
		KMT_ASSERT_RECV(self->bob_c, &m, p[i].plain, p[i].plen,
				&self->rb_c_addr, WAIT_MS);
	}

	/* packet 3, spoiled in turn */
	memcpy(bad, p[3].srtcp, p[3].slen);
	bad[12] ^= 0x20;
	dropped(_metadata, self, id, bad, p[3].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "a payload bit flipped");
	at = kmt_srtcp_index_offset(&pa, p[3].slen);
	ASSERT_NE(0, at);
	memcpy(bad, p[3].srtcp, p[3].slen);
	bad[at + 3] ^= 0x01;
	dropped(_metadata, self, id, bad, p[3].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "an index bit flipped");
	memcpy(bad, p[3].srtcp, p[3].slen);
	bad[at] ^= 0x80;
	dropped(_metadata, self, id, bad, p[3].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "the E bit flipped");
	/* the tag ends the packet, or (AEAD) the ciphertext before E||index */
	memcpy(bad, p[3].srtcp, p[3].slen);
	bad[info->aead ? at - 1 : p[3].slen - 1] ^= 0x01;
	dropped(_metadata, self, id, bad, p[3].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "a tag bit flipped");
	/* header, E||index, MKI and tag, one byte short */
	dropped(_metadata, self, id, p[3].srtcp,
		8 + 4 + pa.mki_len + info->rtcp_tag - 1,
		KMEDIA_STATS_A_DROP_SRTP_SHORT, "header + trailer - 1");

	/* the same key under another MKI */
	x.plen = kmt_srtp_rtcp_packet(x.plain, sizeof(x.plain), 3, SSRC_A);
	x.slen = kmt_srtp_protect(_metadata, alice_x, true, x.plain, x.plen,
				  x.srtcp, sizeof(x.srtcp));
	dropped(_metadata, self, id, x.srtcp, x.slen,
		KMEDIA_STATS_A_DROP_SRTP_MKI, "another MKI");

	/* none of that burned index 3 */
	ASSERT_EQ(0, kmt_send(self->alice_c, p[3].srtcp, p[3].slen,
			      &self->ra_c_addr));
	KMT_ASSERT_RECV(self->bob_c, &m, p[3].plain, p[3].plen,
			&self->rb_c_addr, WAIT_MS);
	/* but now it is a replay */
	dropped(_metadata, self, id, p[3].srtcp, p[3].slen,
		KMEDIA_STATS_A_DROP_SRTP_REPLAY, "a replay");
	dropped(_metadata, self, id, p[1].srtcp, p[1].slen,
		KMEDIA_STATS_A_DROP_SRTP_REPLAY, "an older replay");
	ASSERT_EQ(0, kmt_send(self->alice_c, p[4].srtcp, p[4].slen,
			      &self->ra_c_addr));
	KMT_ASSERT_RECV(self->bob_c, &m, p[4].plain, p[4].plen,
			&self->rb_c_addr, WAIT_MS);
	KMT_ASSERT_EMPTY(self->bob_c);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(alice_x);
}

/*
 * rtcp-mux: an RTP and an RTCP stream on the same relay sockets, both
 * with key A in and key B out (separate SRTP and SRTCP contexts under one
 * master key, as SDES gives them). alice sends SRTP and SRTCP alternately
 * from one socket; bob's one libsrtp2 session unprotects both.
 */
TEST_F(srtcp, srtp_and_srtcp_share_a_port_with_rtcp_mux)
{
	struct kmt_relay *r = &self->r;
	struct kmt_srtp_stream req = {
		.sock_in = r->ra_id, .sock_out = r->rb_id, .dst = r->bob_addr,
		.cookie = 0x3c,
	};
	struct kmt_libsrtp *alice, *bob;
	uint8_t plain[1500], prot[1600];
	uint32_t rtp_id, rtcp_id;
	struct kmt_srtp pa, pb;
	struct kmt_msg m;
	size_t plen, slen;
	unsigned int i;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_init(&pb, variant->suite, 0xb);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	req.in = &pa;
	req.out = &pb;
	req.kind = KMEDIA_KIND_RTP;
	rtp_id = kmt_srtp_add(_metadata, r->h, &req);
	req.kind = KMEDIA_KIND_RTCP;
	rtcp_id = kmt_srtp_add(_metadata, r->h, &req);

	for (i = 0; i < 2 * NPKT; i++) {
		bool rtcp = i % 2;

		if (rtcp)
			plen = kmt_srtp_rtcp_packet(plain, sizeof(plain), i,
						    SSRC_A);
		else
			plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i,
						   1000, SSRC_A);
		slen = kmt_srtp_protect(_metadata, alice, rtcp, plain, plen,
					prot, sizeof(prot));
		ASSERT_EQ(0, kmt_send(r->alice, prot, slen, &r->ra_addr));
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS))
			TH_LOG("%s packet %u not relayed",
			       rtcp ? "SRTCP" : "SRTP", i);
		ASSERT_EQ((ssize_t)(plen + kmt_srtp_overhead(&pb, rtcp)),
			  m.len);
		kmt_srtp_expect_unprotect(_metadata, bob, rtcp, &m, plain,
					  plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, rtp_id, NPKT);
	kmt_srtp_expect_clean(_metadata, r->h, rtcp_id, NPKT);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(bob);
}

TEST_HARNESS_MAIN
