// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: the stream control plane (KMEDIA_CMD_STREAM_NEW, CHANGE,
 * DEL, GET, FLUSH and dumps), without traffic. The answer to a NEW (the
 * ID alone), defaults and the round trip of every attribute, every
 * refusal with its errno and extended ACK (no DST, unknown socket, DST
 * family not the egress socket's, STRICT without SRC, a second stream of
 * one kind on an ingress socket, fixed attributes), dump filters by cookie
 * and ingress socket, long dumps, and flush by cookie. Each test runs in a
 * network namespace of its own with only lo.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../../userlib/internal.h"

FIXTURE(stream)
{
	struct kmedia_handle *h;
	int fd4a, fd4b, fd6a, fd6b;
	uint32_t s4a, s4b, s6a, s6b;		/* attached socket IDs */
	struct kmt_addr a4a, a4b, a6a, a6b;	/* their addresses */
	struct kmt_addr dst4, dst6, src4, src6;	/* never used for traffic */
};

FIXTURE_SETUP(stream)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
	self->fd4a = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &self->a4a);
	self->fd4b = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &self->a4b);
	self->fd6a = kmt_udp_bind(AF_INET6, "::1", 0, &self->a6a);
	self->fd6b = kmt_udp_bind(AF_INET6, "::1", 0, &self->a6b);
	ASSERT_LE(0, self->fd4a);
	ASSERT_LE(0, self->fd4b);
	ASSERT_LE(0, self->fd6a);
	ASSERT_LE(0, self->fd6b);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd4a, &self->s4a))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd4b, &self->s4b))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd6a, &self->s6a))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd6b, &self->s6b))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmt_addr_make(&self->dst4, AF_INET, "127.0.0.1", 9));
	ASSERT_EQ(0, kmt_addr_make(&self->dst6, AF_INET6, "::1", 9));
	ASSERT_EQ(0, kmt_addr_make(&self->src4, AF_INET, "127.0.0.5", 4000));
	ASSERT_EQ(0, kmt_addr_make(&self->src6, AF_INET6, "::1", 4000));
}

FIXTURE_TEARDOWN(stream)
{
	if (self->h)
		kmedia_handle_close(self->h);
}

static uint32_t netns_streams(struct __test_metadata *_metadata,
			      struct kmedia_handle *h)
{
	uint32_t n = UINT32_MAX;

	EXPECT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &n));
	return n;
}

static bool same_addr(const struct kmt_addr *want, const struct sockaddr *sa,
		      socklen_t len)
{
	return kmt_addr_equal(want, sa, len);
}

TEST_F(stream, new_fills_in_id_and_defaults)
{
	struct kmedia_stream *s, *g = NULL;
	struct kmedia_sock *sk = NULL;
	const struct sockaddr *sa;
	socklen_t len = 0;
	uint32_t id;

	s = kmt_stream_spec(self->s4a, self->s4b, &self->dst4, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_new(self->h, s)) KMT_LOG_EXTACK(self->h);
	ASSERT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_ID));
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	ASSERT_NE(NULL, g);
	EXPECT_EQ(id, kmedia_stream_get_id(g));
	EXPECT_EQ(self->s4a, kmedia_stream_get_sock_in(g));
	EXPECT_EQ(self->s4b, kmedia_stream_get_sock_out(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&self->dst4, sa, len));
	EXPECT_EQ(KMEDIA_KIND_RTP, kmedia_stream_get_kind(g));
	EXPECT_EQ(KMEDIA_SRC_ANY, kmedia_stream_get_src_mode(g));
	EXPECT_EQ(8000, kmedia_stream_get_clock_rate(g));
	EXPECT_EQ(0, kmedia_stream_get_idle_timeout(g));
	EXPECT_EQ(0, kmedia_stream_get_cookie(g));
	EXPECT_FALSE(kmedia_stream_get_latched(g));
	/* no DSCP means "keep the received one", not DSCP 0 */
	EXPECT_FALSE(kmedia_stream_has(g, KMEDIA_STREAM_A_DSCP));
	EXPECT_EQ(NULL, kmedia_stream_get_pt_allow(g));
	EXPECT_FALSE(kmedia_stream_has(g, KMEDIA_STREAM_A_SRC));
	/* a new stream reports its counters, all zero */
	EXPECT_TRUE(kmedia_stream_has_stat(g, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_stream_get_stat(g, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_stream_get_stat(g, KMEDIA_STATS_A_TX_PACKETS));
	kmedia_stream_free(g);

	EXPECT_EQ(1, netns_streams(_metadata, self->h));
	ASSERT_EQ(0, kmedia_sock_get(self->h, self->s4a, &sk));
	EXPECT_EQ(1, kmedia_sock_get_streams(sk));
	kmedia_sock_free(sk);
}

/* Count the attributes of a NEW's answer: its stream nest's, and the ID. */
struct new_answer {
	unsigned int top, nested;
	uint32_t id;
};

static int new_answer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct new_answer *a = data;
	const struct nlattr *top, *attr;

	mnl_attr_for_each(top, nlh, GENL_HDRLEN) {
		a->top++;
		if (mnl_attr_get_type(top) != KMEDIA_A_STREAM)
			continue;
		mnl_attr_for_each_nested(attr, top) {
			a->nested++;
			if (mnl_attr_get_type(attr) == KMEDIA_STREAM_A_ID)
				a->id = mnl_attr_get_u32(attr);
		}
	}
	return 0;
}

/*
 * The kernel answers a NEW with the stream's ID alone (the creator knows
 * the rest); libkmedia sets it on the request, keeps what the caller set,
 * and drops the SRTP contexts with their keys, so that a change sent with
 * the same object keeps the kernel's context instead of restarting it.
 */
TEST_F(stream, new_answers_with_the_id_alone)
{
	static const uint8_t key[16] = { 1, 2, 3 }, salt[14] = { 4, 5 };
	struct kmedia_stream *s, *g = NULL;
	struct new_answer a = { 0 };
	struct kmedia_srtp *ctx;
	struct nlmsghdr *nlh;

	s = kmt_stream_spec(self->s4a, self->s4b, &self->dst4, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, 77);
	nlh = kmd_stream_new_msg(self->h, self->h->buf, s);
	ASSERT_EQ(0, kmd_request(self->h, nlh, new_answer_cb, &a))
		KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(1, a.top);
	EXPECT_EQ(1, a.nested);
	ASSERT_EQ(0, kmedia_stream_get(self->h, a.id, &g));
	EXPECT_EQ(77, kmedia_stream_get_cookie(g));
	kmedia_stream_free(g);
	g = NULL;

	ctx = kmedia_srtp_alloc();
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	ASSERT_EQ(0, kmedia_srtp_set_key(ctx, key, sizeof(key), salt, sizeof(salt)));
	kmedia_stream_set_sock_in(s, self->s4b);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));
	kmedia_srtp_free(ctx);
	ASSERT_EQ(0, kmedia_stream_new(self->h, s)) KMT_LOG_EXTACK(self->h);
	EXPECT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_ID));
	EXPECT_NE(a.id, kmedia_stream_get_id(s));
	EXPECT_EQ(77, kmedia_stream_get_cookie(s));
	EXPECT_EQ(self->s4b, kmedia_stream_get_sock_in(s));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRTP_IN));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_STATS));

	kmedia_stream_set_cookie(s, 78);
	ASSERT_EQ(0, kmedia_stream_change(self->h, s)) KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_stream_get(self->h, kmedia_stream_get_id(s), &g));
	EXPECT_EQ(78, kmedia_stream_get_cookie(g));
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
		  kmedia_srtp_get_suite(kmedia_stream_get_srtp_in(g)));
	kmedia_stream_free(g);
	kmedia_stream_free(s);
}

TEST_F(stream, every_attribute_round_trips)
{
	static const unsigned int pts[] = { 0, 8, 101, 127 };
	struct kmedia_stream *s, *g = NULL;
	const struct sockaddr *sa;
	const uint8_t *bitmap;
	socklen_t len = 0;
	unsigned int pt, i;
	uint32_t id;

	s = kmt_stream_spec(self->s4a, self->s6a, &self->dst6,
			    KMEDIA_KIND_RTCP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, 0x1122334455667788ULL);
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	ASSERT_EQ(0, kmedia_stream_set_src(s, &self->src4.sa, self->src4.len));
	for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		ASSERT_EQ(0, kmedia_stream_allow_pt(s, pts[i]));
	EXPECT_EQ(-EINVAL, kmedia_stream_allow_pt(s, 128));
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 46));
	kmedia_stream_set_idle_timeout(s, 1500);
	kmedia_stream_set_clock_rate(s, 48000);
	ASSERT_EQ(0, kmedia_stream_new(self->h, s)) KMT_LOG_EXTACK(self->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(0x1122334455667788ULL, kmedia_stream_get_cookie(g));
	EXPECT_EQ(self->s4a, kmedia_stream_get_sock_in(g));
	EXPECT_EQ(self->s6a, kmedia_stream_get_sock_out(g));
	EXPECT_EQ(KMEDIA_KIND_RTCP, kmedia_stream_get_kind(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&self->dst6, sa, len));
	EXPECT_EQ(KMEDIA_SRC_STRICT, kmedia_stream_get_src_mode(g));
	sa = kmedia_stream_get_src(g, &len);
	EXPECT_TRUE(same_addr(&self->src4, sa, len));
	bitmap = kmedia_stream_get_pt_allow(g);
	ASSERT_NE(NULL, bitmap);
	for (pt = 0; pt < 128; pt++) {
		bool want = false;

		for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
			want |= pts[i] == pt;
		EXPECT_EQ(want, !!(bitmap[pt / 8] & (1 << (pt % 8))))
			TH_LOG("payload type %u", pt);
	}
	EXPECT_TRUE(kmedia_stream_has(g, KMEDIA_STREAM_A_DSCP));
	EXPECT_EQ(46, kmedia_stream_get_dscp(g));
	EXPECT_EQ(1500, kmedia_stream_get_idle_timeout(g));
	EXPECT_EQ(48000, kmedia_stream_get_clock_rate(g));
	kmedia_stream_free(g);
}

TEST_F(stream, ids_are_unique_and_mux_allows_one_stream_per_kind)
{
	uint32_t rtp, rtcp, other, dup;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &rtp))
		KMT_LOG_EXTACK(self->h);
	/* rtcp-mux: the same ingress socket with an RTCP stream */
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTCP, 0, &rtcp))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4b, self->s4a, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &other))
		KMT_LOG_EXTACK(self->h);
	EXPECT_NE(rtp, rtcp);
	EXPECT_NE(rtp, other);
	EXPECT_NE(rtcp, other);

	KMT_ASSERT_REFUSED(self->h,
			   kmt_stream_add(self->h, self->s4a, self->s4b,
					  &self->dst4, KMEDIA_KIND_RTP, 0, &dup),
			   EEXIST);
	KMT_ASSERT_REFUSED(self->h,
			   kmt_stream_add(self->h, self->s4a, self->s4b,
					  &self->dst4, KMEDIA_KIND_RTCP, 0, &dup),
			   EEXIST);
	EXPECT_EQ(3, netns_streams(_metadata, self->h));
}

TEST_F(stream, stream_without_dst_is_refused)
{
	struct kmedia_stream *s;

	s = kmt_stream_spec(self->s4a, self->s4b, NULL, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_new(self->h, s), EINVAL);
	kmedia_stream_free(s);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));
}

TEST_F(stream, stream_without_sockets_is_refused)
{
	struct kmedia_stream *s;

	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_sock_out(s, self->s4b);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, &self->dst4.sa, self->dst4.len));
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_new(self->h, s), EINVAL);
	kmedia_stream_free(s);

	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_sock_in(s, self->s4a);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, &self->dst4.sa, self->dst4.len));
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_new(self->h, s), EINVAL);
	kmedia_stream_free(s);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));
}

TEST_F(stream, unknown_socket_id_is_refused)
{
	uint32_t id;

	KMT_ASSERT_REFUSED(self->h,
			   kmt_stream_add(self->h, 0xdeadbeef, self->s4b,
					  &self->dst4, KMEDIA_KIND_RTP, 0, &id),
			   ENOENT);
	KMT_ASSERT_REFUSED(self->h,
			   kmt_stream_add(self->h, self->s4a, 0xdeadbeef,
					  &self->dst4, KMEDIA_KIND_RTP, 0, &id),
			   ENOENT);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));
}

TEST_F(stream, dst_family_must_be_the_egress_sockets)
{
	uint32_t id;
	int ret;

	ret = kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst6,
			     KMEDIA_KIND_RTP, 0, &id);
	EXPECT_TRUE(ret == -EINVAL || ret == -EAFNOSUPPORT)
		TH_LOG("v6 DST on a v4 egress: %d", ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	KMT_LOG_EXTACK(self->h);

	ret = kmt_stream_add(self->h, self->s6a, self->s6b, &self->dst4,
			     KMEDIA_KIND_RTP, 0, &id);
	EXPECT_TRUE(ret == -EINVAL || ret == -EAFNOSUPPORT)
		TH_LOG("v4 DST on a v6 egress: %d", ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));

	/* the ingress family does not matter: v4 in, v6 out and back */
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s6b, &self->dst6,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s6a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(2, netns_streams(_metadata, self->h));
}

TEST_F(stream, strict_without_src_is_refused)
{
	struct kmedia_stream *s;

	s = kmt_stream_spec(self->s4a, self->s4b, &self->dst4, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_new(self->h, s), EINVAL);
	kmedia_stream_free(s);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));
}

TEST_F(stream, unknown_stream_id_is_refused)
{
	struct kmedia_stream *s = NULL;
	uint32_t id;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(-ENOENT, kmedia_stream_get(self->h, id + 1000, &s));
	EXPECT_EQ(NULL, s);
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_del(self->h, id + 1000),
			   ENOENT);
	KMT_ASSERT_REFUSED(self->h,
			   kmt_stream_set_dst(self->h, id + 1000, KMT_ANY,
					      &self->dst4),
			   ENOENT);
	EXPECT_EQ(1, netns_streams(_metadata, self->h));
}

TEST_F(stream, del_removes_the_stream)
{
	struct kmedia_stream *s = NULL;
	struct kmedia_sock *sk = NULL;
	uint32_t id;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_stream_del(self->h, id)) KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(-ENOENT, kmedia_stream_get(self->h, id, &s));
	EXPECT_EQ(-ENOENT, kmedia_stream_del(self->h, id));
	EXPECT_EQ(0, netns_streams(_metadata, self->h));
	ASSERT_EQ(0, kmedia_sock_get(self->h, self->s4a, &sk));
	EXPECT_EQ(0, kmedia_sock_get_streams(sk));
	kmedia_sock_free(sk);
	/* the slot is free again */
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
}

TEST_F(stream, change_updates_only_what_is_sent)
{
	struct kmedia_stream *s, *g = NULL;
	const struct sockaddr *sa;
	struct kmt_addr dst2;
	socklen_t len = 0;
	uint32_t id;

	ASSERT_EQ(0, kmt_addr_make(&dst2, AF_INET, "127.0.0.2", 5000));
	s = kmt_stream_spec(self->s4a, self->s4b, &self->dst4, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, 7);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 46));
	ASSERT_EQ(0, kmedia_stream_new(self->h, s)) KMT_LOG_EXTACK(self->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	/* DSCP only */
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 10));
	ASSERT_EQ(0, kmedia_stream_change(self->h, s)) KMT_LOG_EXTACK(self->h);
	kmedia_stream_free(s);
	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(10, kmedia_stream_get_dscp(g));
	EXPECT_EQ(7, kmedia_stream_get_cookie(g));
	EXPECT_EQ(self->s4b, kmedia_stream_get_sock_out(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&self->dst4, sa, len));
	kmedia_stream_free(g);
	g = NULL;

	/* everything else that may change */
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_sock_out(s, self->s4a);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, &dst2.sa, dst2.len));
	kmedia_stream_set_cookie(s, 8);
	kmedia_stream_set_idle_timeout(s, 2500);
	kmedia_stream_set_clock_rate(s, 16000);
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 9));
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	ASSERT_EQ(0, kmedia_stream_set_src(s, &self->src4.sa, self->src4.len));
	ASSERT_EQ(0, kmedia_stream_change(self->h, s)) KMT_LOG_EXTACK(self->h);
	kmedia_stream_free(s);

	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(self->s4a, kmedia_stream_get_sock_in(g));
	EXPECT_EQ(self->s4a, kmedia_stream_get_sock_out(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&dst2, sa, len));
	EXPECT_EQ(8, kmedia_stream_get_cookie(g));
	EXPECT_EQ(2500, kmedia_stream_get_idle_timeout(g));
	EXPECT_EQ(16000, kmedia_stream_get_clock_rate(g));
	EXPECT_EQ(10, kmedia_stream_get_dscp(g));
	EXPECT_EQ(KMEDIA_SRC_STRICT, kmedia_stream_get_src_mode(g));
	sa = kmedia_stream_get_src(g, &len);
	EXPECT_TRUE(same_addr(&self->src4, sa, len));
	ASSERT_NE(NULL, kmedia_stream_get_pt_allow(g));
	EXPECT_EQ(1 << 1, kmedia_stream_get_pt_allow(g)[1]);
	EXPECT_EQ(0, kmedia_stream_get_pt_allow(g)[0]);
	kmedia_stream_free(g);
}

/*
 * A raw KMEDIA_CMD_STREAM_CHANGE of stream id carrying one more attribute
 * (libkmedia may leave SOCK_IN and KIND out of a change request).
 */
static int raw_change(struct kmedia_handle *h, uint32_t id, uint16_t type,
		      uint32_t val, bool is_u8)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_STREAM_CHANGE, 0);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	if (is_u8)
		mnl_attr_put_u8(nlh, type, val);
	else
		mnl_attr_put_u32(nlh, type, val);
	mnl_attr_nest_end(nlh, nest);
	return kmd_request(h, nlh, NULL, NULL);
}

TEST_F(stream, change_of_fixed_attributes_is_refused)
{
	struct kmedia_stream *s, *g = NULL;
	uint32_t id;
	int ret;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);

	/* the kernel refuses them */
	KMT_ASSERT_REFUSED(self->h,
			   raw_change(self->h, id, KMEDIA_STREAM_A_SOCK_IN,
				      self->s4b, false),
			   EINVAL);
	KMT_ASSERT_REFUSED(self->h,
			   raw_change(self->h, id, KMEDIA_STREAM_A_KIND,
				      KMEDIA_KIND_RTCP, true),
			   EINVAL);

	/* through the library, they are refused or left out, never applied */
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_sock_in(s, self->s4b);
	kmedia_stream_set_kind(s, KMEDIA_KIND_RTCP);
	ret = kmedia_stream_change(self->h, s);
	kmedia_stream_free(s);
	TH_LOG("kmedia_stream_change() with SOCK_IN and KIND: %d", ret);

	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(self->s4a, kmedia_stream_get_sock_in(g));
	EXPECT_EQ(KMEDIA_KIND_RTP, kmedia_stream_get_kind(g));
	kmedia_stream_free(g);
}

TEST_F(stream, change_must_keep_dst_and_egress_families_matching)
{
	struct kmedia_stream *s, *g = NULL;
	const struct sockaddr *sa;
	socklen_t len = 0;
	uint32_t id;
	int ret;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);

	/* a v6 DST alone, with the v4 egress socket */
	ret = kmt_stream_set_dst(self->h, id, KMT_ANY, &self->dst6);
	EXPECT_TRUE(ret == -EINVAL || ret == -EAFNOSUPPORT)
		TH_LOG("v6 DST on v4 egress: %d", ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));

	/* a v6 egress socket alone, with the v4 DST */
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_sock_out(s, self->s6b);
	ret = kmedia_stream_change(self->h, s);
	kmedia_stream_free(s);
	EXPECT_TRUE(ret == -EINVAL || ret == -EAFNOSUPPORT)
		TH_LOG("v6 egress with v4 DST: %d", ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));

	/* nothing changed */
	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(self->s4b, kmedia_stream_get_sock_out(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&self->dst4, sa, len));
	kmedia_stream_free(g);
	g = NULL;

	/* both at once is fine */
	ASSERT_EQ(0, kmt_stream_set_dst(self->h, id, self->s6b, &self->dst6))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(self->s6b, kmedia_stream_get_sock_out(g));
	sa = kmedia_stream_get_dst(g, &len);
	EXPECT_TRUE(same_addr(&self->dst6, sa, len));
	kmedia_stream_free(g);
}

TEST_F(stream, change_to_strict_without_src_is_refused)
{
	struct kmedia_stream *s, *g = NULL;
	uint32_t id;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(self->h);
	s = kmedia_stream_alloc();
	ASSERT_NE(NULL, s);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	KMT_ASSERT_REFUSED(self->h, kmedia_stream_change(self->h, s), EINVAL);
	kmedia_stream_free(s);
	ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
	EXPECT_EQ(KMEDIA_SRC_ANY, kmedia_stream_get_src_mode(g));
	kmedia_stream_free(g);
}

struct dump_check {
	int n;
	uint32_t ids[16];
	bool want_cookie;
	uint64_t cookie;
	bool want_sock;
	uint32_t sock;
	int bad;
};

static int check_dumped(const struct kmedia_stream *s, void *data)
{
	struct dump_check *d = data;

	if (d->n < 16)
		d->ids[d->n] = kmedia_stream_get_id(s);
	d->n++;
	if (d->want_cookie && kmedia_stream_get_cookie(s) != d->cookie)
		d->bad++;
	if (d->want_sock && kmedia_stream_get_sock_in(s) != d->sock)
		d->bad++;
	return 0;
}

static int dump_with(struct kmedia_handle *h, const uint64_t *cookie,
		     const uint32_t *sock, struct dump_check *d)
{
	struct kmedia_stream *f = NULL;
	int ret;

	memset(d, 0, sizeof(*d));
	if (cookie || sock) {
		f = kmedia_stream_alloc();
		if (!f)
			return -ENOMEM;
	}
	if (cookie) {
		kmedia_stream_set_cookie(f, *cookie);
		d->want_cookie = true;
		d->cookie = *cookie;
	}
	if (sock) {
		kmedia_stream_set_sock_in(f, *sock);
		d->want_sock = true;
		d->sock = *sock;
	}
	ret = kmedia_stream_dump(h, f, check_dumped, d);
	kmedia_stream_free(f);
	return ret;
}

TEST_F(stream, dump_filters_by_cookie_and_ingress_socket)
{
	uint64_t c1 = 0x100000001ULL, c2 = 2, c3 = 3;
	uint32_t a, b, c, d;
	struct dump_check dc;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, c1, &a));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4b, self->s4a, &self->dst4,
				    KMEDIA_KIND_RTP, c1, &b));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s6a, self->s6b, &self->dst6,
				    KMEDIA_KIND_RTP, c2, &c));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTCP, c2, &d));

	ASSERT_EQ(0, dump_with(self->h, NULL, NULL, &dc));
	EXPECT_EQ(4, dc.n);

	ASSERT_EQ(0, dump_with(self->h, &c1, NULL, &dc));
	EXPECT_EQ(2, dc.n);
	EXPECT_EQ(0, dc.bad);
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, a));
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, b));

	ASSERT_EQ(0, dump_with(self->h, &c2, NULL, &dc));
	EXPECT_EQ(2, dc.n);
	EXPECT_EQ(0, dc.bad);
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, c));
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, d));

	ASSERT_EQ(0, dump_with(self->h, NULL, &self->s4a, &dc));
	EXPECT_EQ(2, dc.n);
	EXPECT_EQ(0, dc.bad);
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, a));
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, d));

	ASSERT_EQ(0, dump_with(self->h, &c2, &self->s4a, &dc));
	EXPECT_EQ(1, dc.n);
	EXPECT_EQ(0, dc.bad);
	EXPECT_TRUE(kmt_ids_contain(dc.ids, dc.n, d));

	ASSERT_EQ(0, dump_with(self->h, &c3, NULL, &dc));
	EXPECT_EQ(0, dc.n);
	ASSERT_EQ(0, dump_with(self->h, NULL, &self->s6b, &dc));
	EXPECT_EQ(0, dc.n);
}

static int stop_after_one(const struct kmedia_stream *s, void *data)
{
	(void)s;
	(*(int *)data)++;
	return 42;
}

TEST_F(stream, dump_callback_can_stop_the_dump)
{
	uint32_t id;
	int n = 0;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4b, self->s4a, &self->dst4,
				    KMEDIA_KIND_RTP, 0, &id));
	EXPECT_EQ(42, kmedia_stream_dump(self->h, NULL, stop_after_one, &n));
	EXPECT_EQ(1, n);
	/* and the handle is usable right after */
	EXPECT_EQ(2, netns_streams(_metadata, self->h));
}

#define MANY_SOCKS	150

TEST_F_TIMEOUT(stream, long_dumps_return_every_stream_once, 120)
{
	static uint32_t ids[2 * MANY_SOCKS], got[2 * MANY_SOCKS + 8];
	uint32_t sid, max = 0;
	int fds[MANY_SOCKS], want, n, i, j, socks;

	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS_MAX, &max));
	want = 2 * MANY_SOCKS;
	if ((uint32_t)want > max)
		want = max & ~1U;
	socks = want / 2;
	TH_LOG("%d streams on %d sockets (cap %u)", want, socks, max);
	ASSERT_LT(2, want);

	for (i = 0; i < socks; i++) {
		fds[i] = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, kmedia_sock_attach(self->h, fds[i], &sid))
			KMT_LOG_EXTACK(self->h);
		ASSERT_EQ(0, kmt_stream_add(self->h, sid, self->s4b, &self->dst4,
					    KMEDIA_KIND_RTP, i, &ids[2 * i]))
			KMT_LOG_EXTACK(self->h);
		ASSERT_EQ(0, kmt_stream_add(self->h, sid, self->s4b, &self->dst4,
					    KMEDIA_KIND_RTCP, i,
					    &ids[2 * i + 1]))
			KMT_LOG_EXTACK(self->h);
	}
	n = kmt_stream_ids(self->h, NULL, got, sizeof(got) / sizeof(got[0]));
	ASSERT_EQ(want, n);
	for (i = 0; i < want; i++) {
		int seen = 0;

		for (j = 0; j < n; j++)
			seen += got[j] == ids[i];
		EXPECT_EQ(1, seen) TH_LOG("stream %u", ids[i]);
	}
	EXPECT_EQ((uint32_t)want, netns_streams(_metadata, self->h));
	for (i = 0; i < socks; i++)
		close(fds[i]);
}

TEST_F(stream, flush_by_cookie_removes_only_that_call)
{
	uint64_t seven = 7, eight = 8;
	uint32_t ids[6], count = UINT32_MAX, n;
	struct dump_check dc;
	int i;

	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTP, 7, &ids[0]));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4a, self->s4b, &self->dst4,
				    KMEDIA_KIND_RTCP, 7, &ids[1]));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s6a, self->s6b, &self->dst6,
				    KMEDIA_KIND_RTP, 7, &ids[2]));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4b, self->s4a, &self->dst4,
				    KMEDIA_KIND_RTP, 8, &ids[3]));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s4b, self->s4a, &self->dst4,
				    KMEDIA_KIND_RTCP, 8, &ids[4]));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->s6b, self->s6a, &self->dst6,
				    KMEDIA_KIND_RTP, 0, &ids[5]));

	ASSERT_EQ(0, kmedia_stream_flush(self->h, &seven, &count))
		KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(3, count);
	EXPECT_EQ(3, netns_streams(_metadata, self->h));
	for (i = 0; i < 6; i++) {
		struct kmedia_stream *s = NULL;
		int ret = kmedia_stream_get(self->h, ids[i], &s);

		EXPECT_EQ(i < 3 ? -ENOENT : 0, ret) TH_LOG("stream %d", i);
		kmedia_stream_free(s);
	}
	ASSERT_EQ(0, dump_with(self->h, &seven, NULL, &dc));
	EXPECT_EQ(0, dc.n);

	count = UINT32_MAX;
	ASSERT_EQ(0, kmedia_stream_flush(self->h, &seven, &count));
	EXPECT_EQ(0, count);
	count = UINT32_MAX;
	ASSERT_EQ(0, kmedia_stream_flush(self->h, &eight, &count));
	EXPECT_EQ(2, count);
	count = UINT32_MAX;
	ASSERT_EQ(0, kmedia_stream_flush(self->h, NULL, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(0, netns_streams(_metadata, self->h));

	/* flushing streams leaves the sockets attached */
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(4, n);
	/* a NULL count is allowed */
	ASSERT_EQ(0, kmedia_stream_flush(self->h, NULL, NULL));
}

TEST_HARNESS_MAIN
