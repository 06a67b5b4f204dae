/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsrtp-assert: assertions shared by the SRTP suites (the *srtp* and
 * *srtcp* files of tests/suites).
 * Include after kselftest_harness.h, kmsrtp.h and kmlibsrtp.h. Like the
 * harness's own ASSERT_*, these helpers may end the test from inside a
 * function (a failed assertion or a skip jumps back to the harness).
 *
 * Skips, and only these: the module answers -EOPNOTSUPP for a suite (not
 * built yet), or the wrapper of kmlibsrtp.h implements no reference for
 * the suite (every suite has one today: libsrtp2, or for F8 and AES-192
 * the RFC 3711/6188 peer of kmsrtp-ref.h). Tests check both first with
 * KMT_SRTP_REQUIRE(), from the test body: a skip from a helper function
 * (KMT_SKIP, KMT_SRTP_REQUEST) jumps back into the harness, which then
 * does not run the fixture's teardown (whatever the test set up is only
 * cleaned up when the process exits).
 */
#ifndef KMSRTP_ASSERT_H
#define KMSRTP_ASSERT_H

#ifndef __KSELFTEST_HARNESS_H
#error "include kselftest_harness.h first"
#endif

#include <errno.h>
#include <setjmp.h>
#include <string.h>

#include "kmsrtp.h"
#include "kmlibsrtp.h"

#define KMT_SRTP_WAIT_MS	5000

/* Counters that only move when told to. */
static const struct {
	enum kmedia_stats_attr attr;
	const char *name;
} kmt_srtp_watched[] = {
	{ KMEDIA_STATS_A_TX_PACKETS, "TX_PACKETS" },
	{ KMEDIA_STATS_A_TX_BYTES, "TX_BYTES" },
	{ KMEDIA_STATS_A_DROP_PT, "DROP_PT" },
	{ KMEDIA_STATS_A_DROP_ROUTE, "DROP_ROUTE" },
	{ KMEDIA_STATS_A_DROP_XMIT, "DROP_XMIT" },
	{ KMEDIA_STATS_A_DROP_SRTP_AUTH, "DROP_SRTP_AUTH" },
	{ KMEDIA_STATS_A_DROP_SRTP_REPLAY, "DROP_SRTP_REPLAY" },
	{ KMEDIA_STATS_A_DROP_SRTP_SHORT, "DROP_SRTP_SHORT" },
	{ KMEDIA_STATS_A_DROP_SRTP_MKI, "DROP_SRTP_MKI" },
	{ KMEDIA_STATS_A_DROP_SRTP_PROTECT, "DROP_SRTP_PROTECT" },
};

typedef uint64_t kmt_srtp_stats_t[KMEDIA_STATS_A_MAX + 1];

/*
 * Why suite cannot be tested, or NULL: libsrtp2 cannot be the reference
 * (when need_lib), or the module answers -EOPNOTSUPP to a stream from
 * sock_in to sock_out with the suite in and out (created and deleted at
 * once). Any other refusal fails the test.
 */
static inline const char *
kmt_srtp_unsupported(struct __test_metadata *_metadata,
		     struct kmedia_handle *h, uint32_t suite, bool need_lib,
		     uint32_t sock_in, uint32_t sock_out,
		     const struct kmt_addr *dst, char *buf, size_t len)
{
	struct kmt_srtp_stream req = {
		.sock_in = sock_in, .sock_out = sock_out, .dst = *dst,
		.kind = KMEDIA_KIND_RTP,
	};
	const char *why = "";
	struct kmt_srtp p;
	uint32_t id = 0;
	int ret;

	if (need_lib && !kmt_libsrtp_has(suite, &why)) {
		snprintf(buf, len, "%s cannot be checked against %s: %s",
			 kmt_srtp_suite_name(suite), kmt_libsrtp_version(),
			 why);
		return buf;
	}
	kmt_srtp_init(&p, suite, 0x9e);
	req.in = &p;
	req.out = &p;
	ret = kmt_srtp_stream_new(h, &req, &id);
	if (ret == -EOPNOTSUPP) {
		snprintf(buf, len, "%s: the module answers EOPNOTSUPP (%s)",
			 kmt_srtp_suite_name(suite),
			 kmedia_handle_extack(h) ? : "no extack");
		return buf;
	}
	EXPECT_EQ(0, ret) TH_LOG("a stream with %s: %s (%s)",
				 kmt_srtp_suite_name(suite), strerror(-ret),
				 kmedia_handle_extack(h) ? : "no extack");
	if (ret)
		return "(failed)";
	EXPECT_EQ(0, kmedia_stream_del(h, id));
	return NULL;
}

/*
 * In a test body: skip unless the suite can be tested (see
 * kmt_srtp_unsupported()); fail if probing it failed otherwise.
 */
#define KMT_SRTP_REQUIRE(h, suite, need_lib, sock_in, sock_out, dst) do { \
	char __why[320];						\
	const char *__w = kmt_srtp_unsupported(_metadata, (h), (suite),	\
					       (need_lib), (sock_in),	\
					       (sock_out), (dst), __why, \
					       sizeof(__why));		\
	if (__w && _metadata->exit_code == KSFT_PASS)			\
		SKIP(return, "%s", __w);				\
	if (__w)							\
		return;							\
} while (0)

/* Create a stream; skip on -EOPNOTSUPP, fail on any other error. */
static inline uint32_t kmt_srtp_add(struct __test_metadata *_metadata,
				    struct kmedia_handle *h,
				    const struct kmt_srtp_stream *req)
{
	char what[160];
	uint32_t id = 0;

	snprintf(what, sizeof(what), "stream (in %s, out %s)",
		 req->in ? kmt_srtp_suite_name(req->in->suite) : "plain",
		 req->out ? kmt_srtp_suite_name(req->out->suite) : "plain");
	KMT_SRTP_REQUEST(h, kmt_srtp_stream_new(h, req, &id), what);
	ASSERT_NE(0, id);
	return id;
}

/* A libsrtp2 session; skip when libsrtp2 cannot be the reference. */
static inline struct kmt_libsrtp *
kmt_srtp_lib(struct __test_metadata *_metadata, const struct kmt_srtp *p,
	     enum kmt_libsrtp_role role, const uint32_t *ssrc)
{
	struct kmt_libsrtp *s = NULL;
	const char *why = "";
	int ret;

	if (!kmt_libsrtp_has(p->suite, &why))
		KMT_SKIP("%s cannot be checked against %s: %s",
			 kmt_srtp_suite_name(p->suite), kmt_libsrtp_version(),
			 why);
	ret = kmt_libsrtp_new(&s, p, role, ssrc);
	ASSERT_EQ(0, ret) TH_LOG("libsrtp2 session for %s: %s",
				 kmt_srtp_suite_name(p->suite),
				 kmt_libsrtp_strerror(ret));
	return s;
}

/* Every counter of a stream, now. */
static inline void kmt_srtp_snap(struct __test_metadata *_metadata,
				 struct kmedia_handle *h, uint32_t id,
				 kmt_srtp_stats_t stats)
{
	int ret = kmt_srtp_stats(h, id, stats);

	ASSERT_EQ(0, ret) TH_LOG("stats of stream %u: %s", id, strerror(-ret));
}

/*
 * Wait until counter attr of stream id moved by delta from before, then
 * check that it moved by exactly delta and that every other watched counter
 * (transmission and every drop reason) did not move at all. RX counters
 * are not checked: whether a dropped packet counts as received is not
 * part of the contract.
 */
static inline void kmt_srtp_expect_only(struct __test_metadata *_metadata,
					struct kmedia_handle *h, uint32_t id,
					const kmt_srtp_stats_t before,
					enum kmedia_stats_attr attr,
					uint64_t delta)
{
	kmt_srtp_stats_t after;
	uint64_t v = 0;
	size_t i;

	if (delta)
		EXPECT_EQ(0, kmt_srtp_wait_stat(h, id, attr,
						before[attr] + delta,
						KMT_SRTP_WAIT_MS, &v));
	kmt_srtp_snap(_metadata, h, id, after);
	for (i = 0; i < sizeof(kmt_srtp_watched) / sizeof(kmt_srtp_watched[0]);
	     i++) {
		enum kmedia_stats_attr a = kmt_srtp_watched[i].attr;
		uint64_t want = before[a] + (a == attr ? delta : 0);

		EXPECT_EQ(want, after[a])
			TH_LOG("%s moved from %llu to %llu, expected %llu",
			       kmt_srtp_watched[i].name,
			       (unsigned long long)before[a],
			       (unsigned long long)after[a],
			       (unsigned long long)want);
	}
}

/*
 * Every drop counter of stream id is 0 and TX_PACKETS is tx (waited for):
 * every packet went through.
 */
static inline void kmt_srtp_expect_clean(struct __test_metadata *_metadata,
					 struct kmedia_handle *h, uint32_t id,
					 uint64_t tx)
{
	kmt_srtp_stats_t now;
	uint64_t v = 0;
	size_t i;

	EXPECT_EQ(0, kmt_srtp_wait_stat(h, id, KMEDIA_STATS_A_TX_PACKETS, tx,
					KMT_SRTP_WAIT_MS, &v));
	kmt_srtp_snap(_metadata, h, id, now);
	for (i = 0; i < sizeof(kmt_srtp_watched) / sizeof(kmt_srtp_watched[0]);
	     i++) {
		enum kmedia_stats_attr a = kmt_srtp_watched[i].attr;
		uint64_t want = a == KMEDIA_STATS_A_TX_PACKETS ? tx : 0;

		if (a == KMEDIA_STATS_A_TX_BYTES)
			continue;
		EXPECT_EQ(want, now[a])
			TH_LOG("%s is %llu, expected %llu",
			       kmt_srtp_watched[i].name,
			       (unsigned long long)now[a],
			       (unsigned long long)want);
	}
}

/* Protect (rtcp or not) with libsrtp2; the result must fit and succeed. */
static inline size_t kmt_srtp_protect(struct __test_metadata *_metadata,
				      struct kmt_libsrtp *s, bool rtcp,
				      const void *in, size_t len, void *out,
				      size_t cap)
{
	size_t n = 0;
	int ret;

	ret = rtcp ? kmt_libsrtp_protect_rtcp(s, in, len, out, cap, &n) :
		     kmt_libsrtp_protect(s, in, len, out, cap, &n);
	ASSERT_EQ(0, ret) TH_LOG("libsrtp2 protect%s: %s", rtcp ? "_rtcp" : "",
				 kmt_libsrtp_strerror(ret));
	return n;
}

/*
 * Unprotect what bob received (m) with libsrtp2: it must succeed and give
 * back exactly (want, want_len).
 */
static inline void kmt_srtp_expect_unprotect(struct __test_metadata *_metadata,
					     struct kmt_libsrtp *s, bool rtcp,
					     const struct kmt_msg *m,
					     const void *want, size_t want_len)
{
	uint8_t plain[KMT_MSG_MAX];
	size_t n = 0;
	int ret;

	ASSERT_LT(0, m->len);
	ret = rtcp ? kmt_libsrtp_unprotect_rtcp(s, m->buf, m->len, plain,
						sizeof(plain), &n) :
		     kmt_libsrtp_unprotect(s, m->buf, m->len, plain,
					   sizeof(plain), &n);
	ASSERT_EQ(0, ret) TH_LOG("libsrtp2 unprotect%s of %zd bytes: %s",
				 rtcp ? "_rtcp" : "", m->len,
				 kmt_libsrtp_strerror(ret));
	ASSERT_EQ(want_len, n);
	ASSERT_EQ(0, memcmp(plain, want, n)) TH_LOG("plaintext differs");
}

#endif /* KMSRTP_ASSERT_H */
