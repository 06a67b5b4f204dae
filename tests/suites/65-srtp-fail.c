// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: SRTP failures, for every suite (IPv4).
 *  - a bit flipped in the payload, the tag or the header, a wrong key,
 *    and packets too short for header and tag are dropped and counted in
 *    exactly one counter (DROP_SRTP_AUTH or DROP_SRTP_SHORT), nothing
 *    reaches bob, and a failed packet does not burn its index;
 *  - a burst of authentication failures raises exactly one
 *    KMEDIA_CMD_STREAM_SRTP_FAIL_NTF (ID, COOKIE, SRTP_FAILURES > 0), and a
 *    second burst right after raises none;
 *  - keys are write-only: a get and a dump report the SRTP nests (SUITE,
 *    ROC, REPLAY_WINDOW, SSRC) without MASTER_KEY or MASTER_SALT, and no
 *    reply or event carries the key or salt bytes anywhere;
 *  - a refused re-key leaves the stream as it was;
 *  - netlink refusals, with the errno and an extended ACK: key or salt of
 *    the wrong length, KDR other than 0, replay window out of range, MKI
 *    too long, unknown suite, missing suite, key or salt, SRTCP_INDEX
 *    (reported only), in both SRTP_IN and SRTP_OUT; none creates a
 *    stream.
 * A suite the module answers EOPNOTSUPP for is skipped. F8 and AES-192
 * packets come from the test-side reference of tests/lib/kmsrtp-ref.c
 * (libsrtp2 has no F8 and derives AES-192 keys differently from RFC 6188).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../lib/kmsrtp.h"
#include "../lib/kmlibsrtp.h"
#include "../lib/kmsrtp-assert.h"

/*
 * The errnos the refusals must carry. A length or value outside what the
 * attribute's policy allows at all may be answered by the policy itself,
 * which says -ERANGE: those cases accept -EINVAL or -ERANGE.
 */
#define ERR_KEY_LEN		EINVAL
#define ERR_SALT_LEN		EINVAL
#define ERR_KDR			EOPNOTSUPP
#define ERR_MKI_TOO_LONG	EINVAL
#define ERR_UNKNOWN_SUITE	EINVAL
#define ERR_MISSING		EINVAL

#define SUITES(fixture_)						\
	SUITE(fixture_, aes_cm_128_hmac_sha1_80, AES_CM_128_HMAC_SHA1_80); \
	SUITE(fixture_, aes_cm_128_hmac_sha1_32, AES_CM_128_HMAC_SHA1_32); \
	SUITE(fixture_, aes_192_cm_hmac_sha1_80, AES_192_CM_HMAC_SHA1_80); \
	SUITE(fixture_, aes_192_cm_hmac_sha1_32, AES_192_CM_HMAC_SHA1_32); \
	SUITE(fixture_, aes_256_cm_hmac_sha1_80, AES_256_CM_HMAC_SHA1_80); \
	SUITE(fixture_, aes_256_cm_hmac_sha1_32, AES_256_CM_HMAC_SHA1_32); \
	SUITE(fixture_, aead_aes_128_gcm, AEAD_AES_128_GCM);		\
	SUITE(fixture_, aead_aes_256_gcm, AEAD_AES_256_GCM);		\
	SUITE(fixture_, null_hmac_sha1_80, NULL_HMAC_SHA1_80);		\
	SUITE(fixture_, null_hmac_sha1_32, NULL_HMAC_SHA1_32);		\
	SUITE(fixture_, f8_128_hmac_sha1_80, F8_128_HMAC_SHA1_80)

#define SUITE(fixture_, name_, suite_)					\
	FIXTURE_VARIANT_ADD(fixture_, name_)				\
	{								\
		.suite = KMEDIA_SRTP_##suite_,				\
	}

/* Skip unless the module has the suite (and libsrtp2 can check it). */
#define REQUIRE(need_lib)						\
	KMT_SRTP_REQUIRE(self->r.h, variant->suite, (need_lib),		\
			 self->r.ra_id, self->r.rb_id, &self->r.bob_addr)

/* The same on the refusal fixture's sockets. */
#define REQUIRE_SUITE()							\
	KMT_SRTP_REQUIRE(self->h, variant->suite, false, self->in_id,	\
			 self->out_id, &self->dst)

#define WAIT_MS		3000
#define SSRC_1		0xfa11fa11
#define COOKIE		0xbad5eed5ULL

/* ---- failures on the data path ---- */

FIXTURE(fail)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(fail)
{
	uint32_t suite;
};

SUITES(fail);

FIXTURE_SETUP(fail)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, AF_INET, AF_INET, 0));
}

FIXTURE_TEARDOWN(fail)
{
	kmt_relay_teardown(&self->r);
}

struct pkt {
	uint8_t plain[1500];
	size_t plen;
	uint8_t srtp[1600];
	size_t slen;
};

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
		p[i].slen = kmt_srtp_protect(_metadata, s, false, p[i].plain,
					     p[i].plen, p[i].srtp,
					     sizeof(p[i].srtp));
	}
	return p;
}

static uint32_t add_in(struct __test_metadata *_metadata, struct kmt_relay *r,
		       const struct kmt_srtp *in)
{
	struct kmt_srtp_stream req = {
		.sock_in = r->ra_id, .sock_out = r->rb_id, .dst = r->bob_addr,
		.kind = KMEDIA_KIND_RTP, .cookie = COOKIE, .in = in,
	};

	return kmt_srtp_add(_metadata, r->h, &req);
}

/* alice sends p's SRTP form; bob's next datagram is p's plain form. */
static void pass(struct __test_metadata *_metadata, struct kmt_relay *r,
		 const struct pkt *p)
{
	struct kmt_msg m;

	ASSERT_EQ(0, kmt_send(r->alice, p->srtp, p->slen, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, p->plain, p->plen, &r->rb_addr, WAIT_MS);
}

/* alice sends (buf, len), which must be dropped and counted in attr only. */
static void dropped(struct __test_metadata *_metadata, struct kmt_relay *r,
		    uint32_t id, const void *buf, size_t len,
		    enum kmedia_stats_attr attr, const char *what)
{
	kmt_srtp_stats_t before;

	TH_LOG("%s: %zu bytes", what, len);
	kmt_srtp_snap(_metadata, r->h, id, before);
	ASSERT_EQ(0, kmt_send(r->alice, buf, len, &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before, attr, 1);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
}

static size_t rtp_hlen(const uint8_t *p, size_t len)
{
	size_t h = KMT_RTP_HLEN + 4 * (p[0] & 0x0f);

	if ((p[0] & 0x10) && len >= h + 4)
		h += 4 + 4 * ((size_t)p[h + 2] << 8 | p[h + 3]);
	return h <= len ? h : len;
}

TEST_F(fail, tampered_packets_are_dropped_and_do_not_burn_the_index)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	uint8_t bad[1600];
	struct kmt_srtp pa;
	struct pkt *p;
	size_t h;
	uint32_t id;
	int i;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x1a);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_in(_metadata, r, &pa);
	p = make_flow(_metadata, alice, 10, 300, SSRC_1);
	for (i = 0; i < 5; i++)
		pass(_metadata, r, &p[i]);

	/* packet 5: 17 bytes of payload after a header extension */
	h = rtp_hlen(p[5].plain, p[5].plen);
	ASSERT_LT(h + 8, p[5].plen);

	memcpy(bad, p[5].srtp, p[5].slen);
	bad[h + 3] ^= 0x10;
	dropped(_metadata, r, id, bad, p[5].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "a payload bit flipped");

	memcpy(bad, p[5].srtp, p[5].slen);
	bad[p[5].slen - 1] ^= 0x01;
	dropped(_metadata, r, id, bad, p[5].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "a tag bit flipped");

	memcpy(bad, p[5].srtp, p[5].slen);
	bad[5] ^= 0x80;		/* timestamp */
	dropped(_metadata, r, id, bad, p[5].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "a header bit flipped");

	/* the extension's first data byte, authenticated and in clear */
	ASSERT_TRUE(p[5].plain[0] & 0x10);
	memcpy(bad, p[5].srtp, p[5].slen);
	bad[KMT_RTP_HLEN + 4 * (p[5].plain[0] & 0x0f) + 4] ^= 0x04;
	dropped(_metadata, r, id, bad, p[5].slen,
		KMEDIA_STATS_A_DROP_SRTP_AUTH, "an extension bit flipped");

	/* none of these marked index 5 as seen */
	pass(_metadata, r, &p[5]);
	pass(_metadata, r, &p[6]);
	KMT_ASSERT_EMPTY(r->bob);
	free(p);
	kmt_libsrtp_free(alice);
}

TEST_F(fail, a_wrong_key_fails_every_packet)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	kmt_srtp_stats_t before;
	struct kmt_srtp pa, pc;
	struct pkt *p;
	uint32_t id;
	int i;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x2a);
	kmt_srtp_init(&pc, variant->suite, 0x2c);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_in(_metadata, r, &pc);
	p = make_flow(_metadata, alice, 12, 0, SSRC_1);

	kmt_srtp_snap(_metadata, r->h, id, before);
	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, kmt_send(r->alice, p[i].srtp, p[i].slen,
				      &r->ra_addr));
	kmt_srtp_expect_only(_metadata, r->h, id, before,
			     KMEDIA_STATS_A_DROP_SRTP_AUTH, 12);
	EXPECT_EQ(0, before[KMEDIA_STATS_A_TX_PACKETS]);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	free(p);
	kmt_libsrtp_free(alice);
}

TEST_F(fail, packets_too_short_for_header_and_tag)
{
	const struct kmt_srtp_suite_info *info;
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	uint8_t plain[64], srtp[256];
	struct kmt_rtp rtp = { .pt = 0, .ssrc = SSRC_1 };
	struct kmt_srtp pa;
	struct pkt *p;
	size_t plen, slen;
	uint32_t id;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x3a);
	info = kmt_srtp_suite(pa.suite);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_in(_metadata, r, &pa);
	p = make_flow(_metadata, alice, 4, 10, SSRC_1);
	pass(_metadata, r, &p[0]);

	/* an empty payload protected is header + tag: one byte less */
	rtp.seq = 100;
	plen = kmt_rtp_build(plain, sizeof(plain), &rtp, NULL, 0);
	slen = kmt_srtp_protect(_metadata, alice, false, plain, plen, srtp,
				sizeof(srtp));
	ASSERT_EQ(KMT_RTP_HLEN + info->rtp_tag, slen);
	dropped(_metadata, r, id, srtp, slen - 1,
		KMEDIA_STATS_A_DROP_SRTP_SHORT, "header + tag - 1");

	/* a bare RTP header */
	dropped(_metadata, r, id, plain, KMT_RTP_HLEN,
		KMEDIA_STATS_A_DROP_SRTP_SHORT, "a bare header");

	/* 15 CSRCs announced (a 72-byte header), 12 + tag + 4 sent */
	memcpy(srtp, p[1].srtp, KMT_RTP_HLEN + info->rtp_tag + 4);
	srtp[0] = (srtp[0] & 0xe0) | 0x0f;
	srtp[0] &= ~0x10;
	dropped(_metadata, r, id, srtp, KMT_RTP_HLEN + info->rtp_tag + 4,
		KMEDIA_STATS_A_DROP_SRTP_SHORT,
		"shorter than its CSRC list + tag");

	pass(_metadata, r, &p[1]);
	pass(_metadata, r, &p[2]);
	KMT_ASSERT_EMPTY(r->bob);
	free(p);
	kmt_libsrtp_free(alice);
}

static bool has_bytes(const uint8_t *hay, size_t len, const uint8_t *needle,
		      size_t nlen)
{
	return nlen && memmem(hay, len, needle, nlen) != NULL;
}

/*
 * Burst one: 50 packets under the wrong key, one event within a few
 * seconds. Burst two, right after that event: no second event within
 * 500 ms of the first (at most one per second per stream).
 */
TEST_F(fail, an_auth_failure_burst_raises_one_event)
{
	struct kmt_relay *r = &self->r;
	const struct kmt_srtp_event *ev;
	struct kmt_srtp_events *events;
	struct kmt_libsrtp *alice;
	struct kmt_srtp pa, pc;
	struct pkt *p;
	uint64_t v = 0, deadline;
	uint32_t id;
	int i;

	REQUIRE(true);

	kmt_srtp_init(&pa, variant->suite, 0x4a);
	kmt_srtp_init(&pc, variant->suite, 0x4c);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	ASSERT_EQ(0, kmt_srtp_events_open(&events));
	id = add_in(_metadata, r, &pc);
	p = make_flow(_metadata, alice, 100, 0, SSRC_1);

	for (i = 0; i < 50; i++)
		ASSERT_EQ(0, kmt_send(r->alice, p[i].srtp, p[i].slen,
				      &r->ra_addr));
	ASSERT_EQ(0, kmt_srtp_events_wait(events, id, 1, 5000))
		TH_LOG("no SRTP_FAIL event after 50 failures (%u others)",
		       events->other);
	ev = kmt_srtp_events_get(events, id, 0);
	ASSERT_NE(NULL, ev);
	deadline = ev->at_ms + 500;
	EXPECT_TRUE(ev->has_cookie);
	EXPECT_EQ(COOKIE, ev->cookie);
	ASSERT_TRUE(ev->has_failures);
	EXPECT_LT(0, ev->failures);
	EXPECT_GE(50, ev->failures);
	TH_LOG("event after the first burst: %u failures", ev->failures);
	EXPECT_FALSE(has_bytes(ev->raw, ev->raw_len, pc.key, pc.key_len));
	EXPECT_FALSE(has_bytes(ev->raw, ev->raw_len, pc.salt, pc.salt_len));

	for (i = 50; i < 100; i++)
		ASSERT_EQ(0, kmt_send(r->alice, p[i].srtp, p[i].slen,
				      &r->ra_addr));
	ASSERT_GT(deadline, kmt_now_ms())
		TH_LOG("the second burst came too late to tell");
	ASSERT_EQ(0, kmt_srtp_events_read(events,
					  (int)(deadline - kmt_now_ms())));
	EXPECT_EQ(1, kmt_srtp_events_count(events, id))
		TH_LOG("a second event within 500 ms of the first");
	EXPECT_EQ(0, events->err);
	EXPECT_EQ(0, kmt_srtp_wait_stat(r->h, id,
					KMEDIA_STATS_A_DROP_SRTP_AUTH, 100,
					WAIT_MS, &v));
	EXPECT_EQ(100, v);
	KMT_ASSERT_EMPTY(r->bob);
	kmt_srtp_events_close(events);
	free(p);
	kmt_libsrtp_free(alice);
}

/* The checks of one reported SRTP nest against what was configured. */
static void check_report(struct __test_metadata *_metadata,
			 const struct kmt_srtp_report *rep,
			 const struct kmt_srtp *p, const char *dir)
{
	ASSERT_TRUE(rep->present) TH_LOG("no SRTP_%s nest", dir);
	EXPECT_FALSE(rep->attrs & (1u << KMEDIA_SRTP_A_MASTER_KEY))
		TH_LOG("SRTP_%s reports MASTER_KEY", dir);
	EXPECT_FALSE(rep->attrs & (1u << KMEDIA_SRTP_A_MASTER_SALT))
		TH_LOG("SRTP_%s reports MASTER_SALT", dir);
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_SUITE))
		TH_LOG("SRTP_%s: no SUITE", dir);
	EXPECT_EQ(p->suite, rep->suite);
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_ROC))
		TH_LOG("SRTP_%s: no ROC", dir);
	EXPECT_EQ(p->has_roc ? p->roc : 0, rep->roc);
	ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_REPLAY_WINDOW))
		TH_LOG("SRTP_%s: no REPLAY_WINDOW", dir);
	EXPECT_EQ(p->has_window ? p->window : KMEDIA_SRTP_REPLAY_DEFAULT,
		  rep->window);
	if (p->has_ssrc) {
		ASSERT_TRUE(rep->attrs & (1u << KMEDIA_SRTP_A_SSRC))
			TH_LOG("SRTP_%s: no SSRC", dir);
		EXPECT_EQ(p->ssrc, rep->ssrc);
	}
	TH_LOG("SRTP_%s reports attributes %#x, MKI of %zu bytes", dir,
	       rep->attrs, rep->mki_len);
}

static void check_no_keys(struct __test_metadata *_metadata,
			  const struct kmt_srtp_info *info,
			  const struct kmt_srtp *pa, const struct kmt_srtp *pb)
{
	EXPECT_FALSE(has_bytes(info->raw, info->raw_len, pa->key,
			       pa->key_len)) TH_LOG("SRTP_IN key in a reply");
	EXPECT_FALSE(has_bytes(info->raw, info->raw_len, pa->salt,
			       pa->salt_len)) TH_LOG("SRTP_IN salt in a reply");
	EXPECT_FALSE(has_bytes(info->raw, info->raw_len, pb->key,
			       pb->key_len)) TH_LOG("SRTP_OUT key in a reply");
	EXPECT_FALSE(has_bytes(info->raw, info->raw_len, pb->salt,
			       pb->salt_len))
		TH_LOG("SRTP_OUT salt in a reply");
}

struct dump_ctx {
	uint32_t id;
	int seen;
	struct kmt_srtp_info *copy;
};

static int dump_cb(const struct kmt_srtp_info *info, void *data)
{
	struct dump_ctx *ctx = data;

	if (info->id == ctx->id) {
		ctx->seen++;
		memcpy(ctx->copy, info, sizeof(*info));
	}
	return 0;
}

TEST_F(fail, keys_are_write_only)
{
	static const uint8_t mki[4] = { 0x0c, 0x0d, 0x0e, 0x0f };
	struct kmt_relay *r = &self->r;
	struct kmt_srtp_stream req = {
		.sock_in = r->ra_id, .sock_out = r->rb_id, .dst = r->bob_addr,
		.kind = KMEDIA_KIND_RTP, .cookie = COOKIE,
	};
	struct dump_ctx ctx = { 0 };
	struct kmt_srtp_info *info;
	struct kmt_srtp pa, pb;
	uint32_t id;

	REQUIRE(false);

	kmt_srtp_init(&pa, variant->suite, 0x5a);
	kmt_srtp_set_mki(&pa, mki, sizeof(mki));
	kmt_srtp_set_roc(&pa, 0x12345678, 5);
	kmt_srtp_set_window(&pa, 256);
	kmt_srtp_init(&pb, variant->suite, 0x5b);
	kmt_srtp_set_window(&pb, 4096);
	req.in = &pa;
	req.out = &pb;
	id = kmt_srtp_add(_metadata, r->h, &req);

	info = calloc(1, sizeof(*info));
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, kmt_srtp_stream_get(r->h, id, info)) KMT_LOG_EXTACK(r->h);
	check_report(_metadata, &info->in, &pa, "IN");
	check_report(_metadata, &info->out, &pb, "OUT");
	check_no_keys(_metadata, info, &pa, &pb);

	ctx.id = id;
	ctx.copy = calloc(1, sizeof(*ctx.copy));
	ASSERT_NE(NULL, ctx.copy);
	ASSERT_EQ(0, kmt_srtp_stream_dump(r->h, dump_cb, &ctx))
		KMT_LOG_EXTACK(r->h);
	ASSERT_EQ(1, ctx.seen);
	check_report(_metadata, &ctx.copy->in, &pa, "IN");
	check_report(_metadata, &ctx.copy->out, &pb, "OUT");
	check_no_keys(_metadata, ctx.copy, &pa, &pb);
	free(ctx.copy);
	free(info);
}

/* A change refused for its SRTP nest changes nothing, DST included. */
TEST_F(fail, a_refused_rekey_keeps_the_stream_as_it_was)
{
	struct kmt_relay *r = &self->r;
	struct kmt_libsrtp *alice;
	struct kmt_addr bob2_addr;
	struct kmt_srtp pa, bad;
	struct pkt *p;
	uint32_t id;
	int bob2, i;

	REQUIRE(true);

	bob2 = kmt_udp(&r->topo, KMT_BOB, AF_INET, KMT_PORT_BOB + 2,
		       &bob2_addr);
	ASSERT_LE(0, bob2);
	kmt_srtp_init(&pa, variant->suite, 0x6a);
	alice = kmt_srtp_lib(_metadata, &pa, KMT_LIBSRTP_SEND, NULL);
	id = add_in(_metadata, r, &pa);
	p = make_flow(_metadata, alice, 10, 900, SSRC_1);
	for (i = 0; i < 5; i++)
		pass(_metadata, r, &p[i]);

	kmt_srtp_init(&bad, variant->suite, 0x6b);
	bad.key_len = bad.key_len == 16 ? 24 : 16;
	KMT_ASSERT_REFUSED(r->h, kmt_srtp_stream_change(r->h, id, &bob2_addr,
							&bad, NULL),
			   ERR_KEY_LEN);
	/* same key, same state, same destination */
	for (; i < 10; i++)
		pass(_metadata, r, &p[i]);
	kmt_srtp_expect_clean(_metadata, r->h, id, 10);
	KMT_ASSERT_EMPTY(bob2);
	close(bob2);
	free(p);
	kmt_libsrtp_free(alice);
}

/* ---- netlink refusals ---- */

FIXTURE(refuse)
{
	struct kmedia_handle *h;
	int fd_in, fd_out;
	uint32_t in_id, out_id;
	struct kmt_addr dst;
};

FIXTURE_VARIANT(refuse)
{
	uint32_t suite;
};

SUITES(refuse);

FIXTURE_SETUP(refuse)
{
	self->fd_in = self->fd_out = -1;
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
	self->fd_in = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, self->fd_in);
	self->fd_out = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, self->fd_out);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd_in, &self->in_id));
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd_out,
					&self->out_id));
	ASSERT_EQ(0, kmt_addr_make(&self->dst, AF_INET, "127.0.0.1", 9));
}

FIXTURE_TEARDOWN(refuse)
{
	if (self->h)
		kmedia_handle_close(self->h);
	if (self->fd_in >= 0)
		close(self->fd_in);
	if (self->fd_out >= 0)
		close(self->fd_out);
}

/* A new stream with p as its SRTP_IN or SRTP_OUT. */
static int try_new(FIXTURE_DATA(refuse) *self, const struct kmt_srtp *p,
		   bool out)
{
	struct kmt_srtp_stream req = {
		.sock_in = self->in_id, .sock_out = self->out_id,
		.dst = self->dst, .kind = KMEDIA_KIND_RTP,
		.in = out ? NULL : p, .out = out ? p : NULL,
	};
	uint32_t id = 0;
	int ret;

	ret = kmt_srtp_stream_new(self->h, &req, &id);
	if (!ret)
		kmedia_stream_del(self->h, id);
	return ret;
}

/* Refused with exactly err (or err2 if not 0) and an extack, both ways. */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(refuse) *self, const struct kmt_srtp *p,
		    int err, int err2, const char *what)
{
	int out, ret;

	for (out = 0; out < 2; out++) {
		ret = try_new(self, p, out);
		TH_LOG("SRTP_%s, %s: %d (%s)", out ? "OUT" : "IN", what, ret,
		       kmedia_handle_extack(self->h) ? : "no extack");
		if (err2 && ret == -err2)
			ret = -err;
		ASSERT_EQ(-err, ret);
		ASSERT_NE(NULL, kmedia_handle_extack(self->h));
	}
}

static void expect_no_streams(struct __test_metadata *_metadata,
			      struct kmedia_handle *h)
{
	uint32_t n = 99;

	EXPECT_EQ(0, kmt_wait_netns_u32(h, KMEDIA_NETNS_A_STREAMS, 0, 2000,
					&n));
	EXPECT_EQ(0, n);
}

TEST_F(refuse, key_of_the_wrong_length)
{
	static const size_t lens[] = { 16, 17, 24, 31, 32 };
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(variant->suite);
	char what[64];
	struct kmt_srtp p;
	size_t i;

	REQUIRE_SUITE();
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (lens[i] == info->key_len)
			continue;
		kmt_srtp_init(&p, variant->suite, 2);
		p.key_len = lens[i];
		snprintf(what, sizeof(what), "a %zu-byte key", lens[i]);
		refused(_metadata, self, &p, ERR_KEY_LEN, 0, what);
	}
	/* lengths no suite has: the policy may answer first */
	kmt_srtp_init(&p, variant->suite, 3);
	p.key_len = 15;
	refused(_metadata, self, &p, ERR_KEY_LEN, ERANGE, "a 15-byte key");
	p.key_len = 33;
	refused(_metadata, self, &p, ERR_KEY_LEN, ERANGE, "a 33-byte key");
	p.key_len = 0;
	refused(_metadata, self, &p, ERR_KEY_LEN, ERANGE, "an empty key");
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, salt_of_the_wrong_length)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(variant->suite);
	struct kmt_srtp p;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, variant->suite, 4);
	/* the other family's length: 12 for AES-CM, 14 for GCM */
	p.salt_len = info->salt_len == 14 ? 12 : 14;
	refused(_metadata, self, &p, ERR_SALT_LEN, 0, "the other salt length");
	p.salt_len = 13;
	refused(_metadata, self, &p, ERR_SALT_LEN, 0, "a 13-byte salt");
	p.salt_len = 15;
	refused(_metadata, self, &p, ERR_SALT_LEN, ERANGE, "a 15-byte salt");
	p.salt_len = 11;
	refused(_metadata, self, &p, ERR_SALT_LEN, ERANGE, "an 11-byte salt");
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, kdr_other_than_zero)
{
	struct kmt_srtp p;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, variant->suite, 5);
	p.has_kdr = true;
	p.kdr = 0;
	ASSERT_EQ(0, try_new(self, &p, false)) KMT_LOG_EXTACK(self->h);
	p.kdr = 1;
	refused(_metadata, self, &p, ERR_KDR, 0, "KDR 1");
	p.kdr = 1u << 24;
	refused(_metadata, self, &p, ERR_KDR, 0, "KDR 2^24");
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, replay_window_out_of_range)
{
	static const uint32_t bad[] = {
		0, 1, KMEDIA_SRTP_REPLAY_MIN - 1, KMEDIA_SRTP_REPLAY_MAX + 1,
		UINT32_MAX,
	};
	char what[64];
	struct kmt_srtp p;
	size_t i;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, variant->suite, 6);
	kmt_srtp_set_window(&p, KMEDIA_SRTP_REPLAY_MIN);
	ASSERT_EQ(0, try_new(self, &p, false)) KMT_LOG_EXTACK(self->h);
	kmt_srtp_set_window(&p, KMEDIA_SRTP_REPLAY_MAX);
	ASSERT_EQ(0, try_new(self, &p, false)) KMT_LOG_EXTACK(self->h);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kmt_srtp_set_window(&p, bad[i]);
		snprintf(what, sizeof(what), "a window of %u", bad[i]);
		refused(_metadata, self, &p, ERANGE, EINVAL, what);
	}
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, mki_too_long)
{
	uint8_t mki[KMT_SRTP_MKI_ROOM];
	struct kmt_srtp p;

	REQUIRE_SUITE();
	memset(mki, 0x4d, sizeof(mki));
	kmt_srtp_init(&p, variant->suite, 7);
	kmt_srtp_set_mki(&p, mki, KMEDIA_SRTP_MKI_MAX);
	ASSERT_EQ(0, try_new(self, &p, false)) KMT_LOG_EXTACK(self->h);
	kmt_srtp_set_mki(&p, mki, 1);
	ASSERT_EQ(0, try_new(self, &p, true)) KMT_LOG_EXTACK(self->h);
	kmt_srtp_set_mki(&p, mki, KMEDIA_SRTP_MKI_MAX + 1);
	refused(_metadata, self, &p, ERR_MKI_TOO_LONG, ERANGE, "a 17-byte MKI");
	kmt_srtp_set_mki(&p, mki, sizeof(mki));
	refused(_metadata, self, &p, ERR_MKI_TOO_LONG, ERANGE, "a 32-byte MKI");
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, unknown_suite)
{
	struct kmt_srtp p;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, KMEDIA_SRTP_SUITE_MAX + 1, 8);
	refused(_metadata, self, &p, ERR_UNKNOWN_SUITE, ERANGE, "suite MAX + 1");
	kmt_srtp_init(&p, 0x7fffffff, 8);
	refused(_metadata, self, &p, ERR_UNKNOWN_SUITE, ERANGE, "suite 2^31 - 1");
	expect_no_streams(_metadata, self->h);
}

TEST_F(refuse, missing_suite_key_or_salt)
{
	struct kmt_srtp p;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, variant->suite, 9);
	p.omit = 1u << KMEDIA_SRTP_A_SUITE;
	refused(_metadata, self, &p, ERR_MISSING, 0, "no SUITE");
	p.omit = 1u << KMEDIA_SRTP_A_MASTER_KEY;
	refused(_metadata, self, &p, ERR_MISSING, 0, "no MASTER_KEY");
	p.omit = 1u << KMEDIA_SRTP_A_MASTER_SALT;
	refused(_metadata, self, &p, ERR_MISSING, 0, "no MASTER_SALT");
	expect_no_streams(_metadata, self->h);
}

/* Reported, never set: the policy rejects it. */
TEST_F(refuse, srtcp_index_is_read_only)
{
	struct kmt_srtp p;

	REQUIRE_SUITE();
	kmt_srtp_init(&p, variant->suite, 10);
	p.has_srtcp_index = true;
	p.srtcp_index = 1;
	refused(_metadata, self, &p, EINVAL, 0, "SRTCP_INDEX");
	expect_no_streams(_metadata, self->h);
}

TEST_HARNESS_MAIN
