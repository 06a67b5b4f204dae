// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: SRTP interoperability with libsrtp2, for every suite of
 * enum kmedia_srtp_suite (IPv4, and AES_CM_128_HMAC_SHA1_80 over IPv6).
 * alice -> relay -> bob (tests/lib/kmtest.h):
 *  - SRTP in: alice protects with libsrtp2 (key A), the stream's SRTP_IN
 *    has key A, bob receives the original RTP packet byte for byte;
 *  - SRTP out: alice sends RTP, the stream's SRTP_OUT has key B, libsrtp2
 *    at bob unprotects exactly what arrived, giving alice's packet back;
 *  - SRTP A -> SRTP B: both at once;
 *  - a 4-byte MKI both ways, and a packet with another MKI dropped and
 *    counted in DROP_SRTP_MKI;
 *  - the kernel's own SRTP out then SRTP in round trip;
 *  - known-answer vectors (tests/lib/kmsrtp-kat.h, RFC 3711 / 6188 /
 *    7714, ROC 0 and 0x2a, CSRCs and extension, SRTCP index 5) in and
 *    out, for every suite;
 *  - F8 and AES-192: libsrtp2 has no AES-f8, and libsrtp2 2.5 derives
 *    AES-192 session keys differently from RFC 6188, so the wrapper's
 *    sessions of these suites are the test-side RFC 3711/6188 reference
 *    of tests/lib/kmsrtp-ref.c, and every test above runs for them too;
 *    and the RFC 3711 B.1 packet (header, SSRC and ROC
 *    0xd462564a) goes in (protected and tagged by the reference) and out
 *    (the kernel's packet byte for byte the reference's).
 * Packets vary: payloads of 0 to 1200 bytes, marker bits, header
 * extensions, CSRCs and padding. A suite the module answers EOPNOTSUPP for
 * is skipped.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../lib/kmsrtp.h"
#include "../lib/kmlibsrtp.h"
#include "../lib/kmsrtp-assert.h"
#include "../lib/kmsrtp-kat.h"
#include "../../kmod/srtp_kat.h"

FIXTURE(srtp)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(srtp)
{
	uint32_t suite;
	int family;
};

#define SUITE_V4(name_, suite_)						\
	FIXTURE_VARIANT_ADD(srtp, name_)				\
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

FIXTURE_VARIANT_ADD(srtp, aes_cm_128_hmac_sha1_80_v6)
{
	.suite = KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, .family = AF_INET6,
};

FIXTURE_SETUP(srtp)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, variant->family, variant->family,
				     0));
}

FIXTURE_TEARDOWN(srtp)
{
	kmt_relay_teardown(&self->r);
}

/* Skip unless the module has the suite (and libsrtp2 can check it). */
#define REQUIRE(need_lib)						\
	KMT_SRTP_REQUIRE(self->r.h, variant->suite, (need_lib),		\
			 self->r.ra_id, self->r.rb_id, &self->r.bob_addr)

#define WAIT_MS		3000
#define NPKT		60
#define SSRC_A		0x5a1ce001
#define SEQ0		40000

/* alice -> ra -> (stream) -> rb -> bob */
static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r,
		       const struct kmt_srtp *in, const struct kmt_srtp *out)
{
	struct kmt_srtp_stream req = {
		.sock_in = r->ra_id, .sock_out = r->rb_id, .dst = r->bob_addr,
		.kind = KMEDIA_KIND_RTP, .cookie = 0x5270, .in = in, .out = out,
	};

	return kmt_srtp_add(_metadata, r->h, &req);
}

/* Length of the RTP header (fixed part, CSRCs, extension) of a packet. */
static size_t rtp_hlen(const uint8_t *p, size_t len)
{
	size_t h = KMT_RTP_HLEN + 4 * (p[0] & 0x0f);

	if ((p[0] & 0x10) && len >= h + 4)
		h += 4 + 4 * ((size_t)p[h + 2] << 8 | p[h + 3]);
	return h <= len ? h : len;
}

/* What bob got from an SRTP_OUT stream, checked before unprotecting. */
static void check_protected(struct __test_metadata *_metadata,
			    const struct kmt_srtp *p, const struct kmt_msg *m,
			    const uint8_t *plain, size_t plen)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);
	size_t h = rtp_hlen(plain, plen);

	ASSERT_EQ((ssize_t)(plen + kmt_srtp_overhead(p, false)), m->len)
		TH_LOG("%zu bytes of RTP should gain the MKI and tag",
		       plen);
	/* the header travels in clear, whatever the suite */
	ASSERT_EQ(0, memcmp(m->buf, plain, h)) TH_LOG("RTP header changed");
	/* the payload (padding included) is encrypted unless NULL */
	if (plen - h >= 8 && info->encrypts) {
		EXPECT_NE(0, memcmp(m->buf + h, plain + h, plen - h))
			TH_LOG("payload left in clear");
	} else if (!info->encrypts) {
		EXPECT_EQ(0, memcmp(m->buf + h, plain + h, plen - h))
			TH_LOG("NULL cipher changed the payload");
	}
	if (p->mki_len) {
		size_t at = kmt_srtp_mki_offset(p, false, m->len);

		EXPECT_EQ(0, memcmp(m->buf + at, p->mki, p->mki_len))
			TH_LOG("MKI not where the suite puts it");
	}
}

TEST_F(srtp, srtp_in_delivers_the_original_rtp)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	uint8_t plain[1500], srtp[1600];
	struct kmt_srtp pa;
	struct kmt_msg m;
	size_t plen, slen;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_ab(_metadata, r, &pa, NULL);

	for (i = 0; i < NPKT; i++) {
		plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i, SEQ0,
					   SSRC_A);
		ASSERT_NE(0, plen);
		slen = kmt_srtp_protect(_metadata, alice, false, plain, plen,
					srtp, sizeof(srtp));
		ASSERT_EQ(plen + kmt_srtp_overhead(&pa, false), slen);
		ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
		KMT_ASSERT_RECV(r->bob, &m, plain, plen, &r->rb_addr, WAIT_MS);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, NPKT);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	kmt_libsrtp_free(alice);
}

TEST_F(srtp, srtp_out_is_unprotected_by_libsrtp2)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *bob;
	uint8_t plain[1500];
	struct kmt_srtp pb;
	struct kmt_msg m;
	unsigned int i;
	size_t plen;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pb, variant->suite, 0xb);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	id = add_ab(_metadata, r, NULL, &pb);

	for (i = 0; i < NPKT; i++) {
		plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i, SEQ0,
					   SSRC_A);
		ASSERT_NE(0, plen);
		ASSERT_EQ(0, kmt_send(r->alice, plain, plen, &r->ra_addr));
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS))
			TH_LOG("packet %u not relayed", i);
		ASSERT_TRUE(kmt_addr_eq(&r->rb_addr, &m.from));
		check_protected(_metadata, &pb, &m, plain, plen);
		kmt_srtp_expect_unprotect(_metadata, bob, false, &m, plain,
					  plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, NPKT);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_libsrtp_free(bob);
}

TEST_F(srtp, srtp_a_to_srtp_b_reencrypts)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice, *bob;
	uint8_t plain[1500], srtp[1600];
	struct kmt_srtp pa, pb;
	struct kmt_msg m;
	size_t plen, slen;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_init(&pb, variant->suite, 0xb);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	id = add_ab(_metadata, r, &pa, &pb);

	for (i = 0; i < NPKT; i++) {
		plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i, SEQ0,
					   SSRC_A);
		ASSERT_NE(0, plen);
		slen = kmt_srtp_protect(_metadata, alice, false, plain, plen,
					srtp, sizeof(srtp));
		ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS))
			TH_LOG("packet %u not relayed", i);
		check_protected(_metadata, &pb, &m, plain, plen);
		/* another key: another tag at least */
		EXPECT_NE(0, memcmp(m.buf, srtp, slen)) TH_LOG("not re-keyed");
		kmt_srtp_expect_unprotect(_metadata, bob, false, &m, plain,
					  plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, NPKT);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(bob);
}

TEST_F(srtp, mki_both_ways_and_a_foreign_mki_is_dropped)
{
	static const uint8_t mki_a[4] = { 0xa1, 0xa2, 0xa3, 0xa4 };
	static const uint8_t mki_b[4] = { 0xb1, 0xb2, 0xb3, 0xb4 };
	static const uint8_t mki_x[4] = { 0xde, 0xad, 0xbe, 0xef };
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice, *alice_x, *bob;
	uint8_t plain[1500], srtp[1600];
	struct kmt_srtp pa, pb, px;
	kmt_srtp_stats_t before;
	struct kmt_msg m;
	size_t plen, slen;
	unsigned int i;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0xa);
	kmt_srtp_set_mki(&pa, mki_a, sizeof(mki_a));
	kmt_srtp_init(&pb, variant->suite, 0xb);
	kmt_srtp_set_mki(&pb, mki_b, sizeof(mki_b));
	px = pa;	/* alice's key under another MKI */
	kmt_srtp_set_mki(&px, mki_x, sizeof(mki_x));
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	alice_x = kmt_srtp_lib(_metadata, &px, KMT_LIBSRTP_SEND, NULL);
	bob = kmt_srtp_lib(_metadata, &pb, KMT_LIBSRTP_RECV, NULL);
	id = add_ab(_metadata, r, &pa, &pb);

	for (i = 0; i < 20; i++) {
		plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i, SEQ0,
					   SSRC_A);
		slen = kmt_srtp_protect(_metadata, alice, false, plain, plen,
					srtp, sizeof(srtp));
		ASSERT_EQ(plen + 4 + kmt_srtp_suite(pa.suite)->rtp_tag, slen);
		ASSERT_EQ(0, memcmp(srtp +
				    kmt_srtp_mki_offset(&pa, false, slen),
				    mki_a, 4));
		ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS))
			TH_LOG("packet %u not relayed", i);
		check_protected(_metadata, &pb, &m, plain, plen);
		kmt_srtp_expect_unprotect(_metadata, bob, false, &m, plain,
					  plen);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id, 20);

	/* right key, right tag, wrong MKI */
	kmt_srtp_snap(_metadata, r->h, id, before);
	plen = kmt_srtp_rtp_packet(plain, sizeof(plain), 20, SEQ0, SSRC_A);
	slen = kmt_srtp_protect(_metadata, alice_x, false, plain, plen, srtp,
				sizeof(srtp));
	ASSERT_EQ(0, memcmp(srtp + kmt_srtp_mki_offset(&px, false, slen),
			    mki_x, 4));
	ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_MKI, 1);

	/* the next valid packet is the next thing bob sees */
	plen = kmt_srtp_rtp_packet(plain, sizeof(plain), 21, SEQ0, SSRC_A);
	slen = kmt_srtp_protect(_metadata, alice, false, plain, plen, srtp,
				sizeof(srtp));
	ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
	ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS));
	kmt_srtp_expect_unprotect(_metadata, bob, false, &m, plain, plen);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	kmt_libsrtp_free(alice);
	kmt_libsrtp_free(alice_x);
	kmt_libsrtp_free(bob);
}

/*
 * Without libsrtp2: stream 1 protects what alice sends (SRTP_OUT, key K)
 * towards bob, bob sends the bytes back unchanged, stream 2 unprotects them
 * (SRTP_IN, key K) towards alice, who gets her packet back: RTP -> SRTP ->
 * RTP through the kernel alone.
 */
TEST_F(srtp, kernel_round_trip_out_then_in)
{
	struct kmt_relay *r = &self->r;
	struct kmt_srtp_stream back = {
		.sock_in = r->rb_id, .sock_out = r->ra_id,
		.dst = r->alice_addr, .kind = KMEDIA_KIND_RTP,
	};
	uint8_t plain[1500];
	struct kmt_srtp pk;
	struct kmt_msg m, m2;
	uint32_t id1, id2;
	unsigned int i;
	size_t plen;

	REQUIRE(false);

	kmt_srtp_init(&pk, variant->suite, 0xc);
	id1 = add_ab(_metadata, r, NULL, &pk);
	back.in = &pk;
	id2 = kmt_srtp_add(_metadata, r->h, &back);

	for (i = 0; i < 30; i++) {
		plen = kmt_srtp_rtp_packet(plain, sizeof(plain), i, SEQ0,
					   SSRC_A);
		ASSERT_EQ(0, kmt_send(r->alice, plain, plen, &r->ra_addr));
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS))
			TH_LOG("packet %u not relayed", i);
		check_protected(_metadata, &pk, &m, plain, plen);
		ASSERT_EQ(0, kmt_send(r->bob, m.buf, m.len, &r->rb_addr));
		KMT_ASSERT_RECV(r->alice, &m2, plain, plen, &r->ra_addr,
				WAIT_MS);
	}
	kmt_srtp_expect_clean(_metadata, r->h, id1, 30);
	kmt_srtp_expect_clean(_metadata, r->h, id2, 30);
	KMT_ASSERT_EMPTY(r->alice);
	KMT_ASSERT_EMPTY(r->bob);
}

/*
 * RFC 3711 B.1's packet (SSRC 0x5c621599, SEQ 0x5cba, ROC 0xd462564a)
 * under an F8 key of ours (B.1's session key and 32-bit salt cannot be
 * configured: the module takes master keys): the reference protects and
 * tags it, the stream (SRTP_IN, SSRC and ROC configured) gives bob B.1's
 * plaintext; then a stream with SRTP_OUT turns the plaintext into exactly
 * the reference's packet, which the reference's receiver unprotects.
 */
FIXTURE(b1)
{
	struct kmt_relay r;
};

FIXTURE_SETUP(b1)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, AF_INET, AF_INET, 0));
}

FIXTURE_TEARDOWN(b1)
{
	kmt_relay_teardown(&self->r);
}

TEST_F(b1, f8_rfc3711_b1_packet_in_and_out)
{
	const uint32_t ssrc = 0x5c621599;
	const size_t plen = sizeof(kmedia_kat_f8_rtp);
	struct kmt_libsrtp *ref_tx, *ref_rx;
	struct kmt_relay *r = &self->r;
	uint8_t srtp[256];
	struct kmt_srtp p;
	struct kmt_msg m;
	size_t slen;
	uint32_t id;

	KMT_SRTP_REQUIRE(r->h, KMEDIA_SRTP_F8_128_HMAC_SHA1_80, true, r->ra_id,
			 r->rb_id, &r->bob_addr);
	ASSERT_EQ(ssrc, (uint32_t)kmedia_kat_f8_rtp[8] << 24 |
			kmedia_kat_f8_rtp[9] << 16 |
			kmedia_kat_f8_rtp[10] << 8 | kmedia_kat_f8_rtp[11]);

	kmt_srtp_init(&p, KMEDIA_SRTP_F8_128_HMAC_SHA1_80, 0xb1);
	kmt_srtp_set_roc(&p, ssrc, KMEDIA_KAT_F8_ROC);
	ref_tx = kmt_srtp_lib(_metadata, &p, KMT_LIBSRTP_SEND, &ssrc);
	ref_rx = kmt_srtp_lib(_metadata, &p, KMT_LIBSRTP_RECV, &ssrc);
	ASSERT_EQ(0, kmt_libsrtp_set_roc(ref_tx, ssrc, KMEDIA_KAT_F8_ROC));
	ASSERT_EQ(0, kmt_libsrtp_set_roc(ref_rx, ssrc, KMEDIA_KAT_F8_ROC));
	slen = kmt_srtp_protect(_metadata, ref_tx, false, kmedia_kat_f8_rtp,
				plen, srtp, sizeof(srtp));
	ASSERT_EQ(plen + 10, slen);

	/* in: the kernel authenticates and decrypts the reference's packet */
	id = add_ab(_metadata, r, &p, NULL);
	ASSERT_EQ(0, kmt_send(r->alice, srtp, slen, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, kmedia_kat_f8_rtp, plen, &r->rb_addr,
			WAIT_MS);
	kmt_srtp_expect_clean(_metadata, r->h, id, 1);
	ASSERT_EQ(0, kmedia_stream_del(r->h, id));

	/* out: the kernel's packet is the reference's, byte for byte */
	id = add_ab(_metadata, r, NULL, &p);
	ASSERT_EQ(0, kmt_send(r->alice, kmedia_kat_f8_rtp, plen, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, srtp, slen, &r->rb_addr, WAIT_MS);
	kmt_srtp_expect_unprotect(_metadata, ref_rx, false, &m,
				  kmedia_kat_f8_rtp, plen);
	kmt_srtp_expect_clean(_metadata, r->h, id, 1);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	kmt_libsrtp_free(ref_tx);
	kmt_libsrtp_free(ref_rx);
}

/*
 * Known answers: the stream protects each vector's plaintext into exactly
 * the vector's SRTP packet (SRTP_OUT), and unprotects the SRTP packet (or
 * SRTCP, on an RTCP stream) into exactly the plaintext (SRTP_IN). The ROC
 * of a vector is configured with KMEDIA_SRTP_A_ROC and _SSRC.
 */
TEST_F(srtp, known_answer_vectors)
{
	struct kmt_relay *r = &self->r;
	unsigned int n = 0;
	struct kmt_msg m;
	size_t i;

	REQUIRE(false);

	for (i = 0; i < sizeof(kmt_srtp_kats) / sizeof(kmt_srtp_kats[0]); i++) {
		const struct kmt_srtp_kat *v = &kmt_srtp_kats[i];
		struct kmt_srtp_stream req = {
			.sock_in = r->ra_id, .sock_out = r->rb_id,
			.dst = r->bob_addr,
			.kind = v->rtcp ? KMEDIA_KIND_RTCP : KMEDIA_KIND_RTP,
		};
		struct kmt_srtp p;
		uint32_t id;

		if (v->suite != variant->suite)
			continue;
		n++;
		TH_LOG("%s: %s", kmt_srtp_suite_name(v->suite), v->what);
		kmt_srtp_init(&p, v->suite, 0);
		memcpy(p.key, v->key, v->key_len);
		p.key_len = v->key_len;
		memcpy(p.salt, v->salt, v->salt_len);
		p.salt_len = v->salt_len;
		if (!v->rtcp) {
			kmt_srtp_set_roc(&p, v->ssrc, v->roc);
			req.out = &p;
			id = kmt_srtp_add(_metadata, r->h, &req);
			ASSERT_EQ(0, kmt_send(r->alice, v->plain, v->plain_len,
					      &r->ra_addr));
			KMT_ASSERT_RECV(r->bob, &m, v->prot, v->prot_len,
					&r->rb_addr, WAIT_MS);
			ASSERT_EQ(0, kmedia_stream_del(r->h, id));
			req.out = NULL;
		}
		req.in = &p;
		id = kmt_srtp_add(_metadata, r->h, &req);
		ASSERT_EQ(0, kmt_send(r->alice, v->prot, v->prot_len,
				      &r->ra_addr));
		KMT_ASSERT_RECV(r->bob, &m, v->plain, v->plain_len,
				&r->rb_addr, WAIT_MS);
		ASSERT_EQ(0, kmedia_stream_del(r->h, id));
	}
	if (!n)
		KMT_SKIP("no known-answer vectors for %s in kmsrtp-kat.h",
			 kmt_srtp_suite_name(variant->suite));
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
}

TEST_HARNESS_MAIN
