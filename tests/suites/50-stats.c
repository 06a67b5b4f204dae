// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: stream, socket and namespace counters. Packet and byte
 * counts are exact (bytes are UDP payload bytes); namespace totals include
 * deleted streams; RTP sequence statistics follow RFC 3550 A.1/A.3 on
 * crafted sequences (gaps, 16-bit wrap, duplicates, a new SSRC); jitter
 * (A.8) grows with irregular arrival and stays small with regular pacing
 * (tolerant bounds only); the payload type allow list drops and counts
 * other payload types and leaves RTCP alone. IPv4 and IPv6.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(stats)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(stats)
{
	int family;
};

FIXTURE_VARIANT_ADD(stats, v4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(stats, v6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(stats)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, variant->family, variant->family,
				     0));
}

FIXTURE_TEARDOWN(stats)
{
	kmt_relay_teardown(&self->r);
}

#define WAIT_MS	5000

static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, r->ra_id, r->rb_id, &r->bob_addr,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(r->h);
	return id;
}

/* alice sends one RTP packet to ra; returns its UDP payload length. */
static size_t send_rtp(struct __test_metadata *_metadata, struct kmt_relay *r,
		       uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t ts,
		       size_t plen)
{
	struct kmt_rtp rtp = { .pt = pt, .seq = seq, .ts = ts, .ssrc = ssrc };
	uint8_t pkt[1500];
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, plen);
	ASSERT_NE(0, len);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	return len;
}

static uint64_t stat_of(struct __test_metadata *_metadata,
			struct kmedia_handle *h, uint32_t id,
			enum kmedia_stats_attr attr)
{
	uint64_t v = UINT64_MAX;

	EXPECT_EQ(0, kmt_stream_stat(h, id, attr, &v)) TH_LOG("attr %d", attr);
	return v;
}

static uint64_t sock_stat_of(struct __test_metadata *_metadata,
			     struct kmedia_handle *h, uint32_t id,
			     enum kmedia_sock_stats_attr attr)
{
	uint64_t v = UINT64_MAX;

	EXPECT_EQ(0, kmt_sock_stat(h, id, attr, &v)) TH_LOG("attr %d", attr);
	return v;
}

/* Wait until the stream accepted n packets, then check it is exactly n. */
static void wait_rx(struct __test_metadata *_metadata, struct kmedia_handle *h,
		    uint32_t id, uint64_t n)
{
	uint64_t v = 0;

	EXPECT_EQ(0, kmt_wait_stream_stat(h, id, KMEDIA_STATS_A_RX_PACKETS, n,
					  WAIT_MS, &v));
	ASSERT_EQ(n, v);
}

static void wait_tx(struct __test_metadata *_metadata, struct kmedia_handle *h,
		    uint32_t id, uint64_t n)
{
	uint64_t v = 0;

	EXPECT_EQ(0, kmt_wait_stream_stat(h, id, KMEDIA_STATS_A_TX_PACKETS, n,
					  WAIT_MS, &v));
	ASSERT_EQ(n, v);
}

static void check_seq_stats(struct __test_metadata *_metadata,
			    struct kmedia_handle *h, uint32_t id,
			    uint32_t ssrc, uint64_t ext_max, uint64_t expected,
			    uint64_t received, int64_t lost)
{
	EXPECT_EQ(ssrc, stat_of(_metadata, h, id, KMEDIA_STATS_A_SSRC));
	EXPECT_EQ(ext_max, stat_of(_metadata, h, id,
				   KMEDIA_STATS_A_EXT_MAX_SEQ));
	EXPECT_EQ(expected, stat_of(_metadata, h, id,
				    KMEDIA_STATS_A_RTP_EXPECTED));
	EXPECT_EQ(received, stat_of(_metadata, h, id,
				    KMEDIA_STATS_A_RTP_RECEIVED));
	EXPECT_EQ(lost, (int64_t)stat_of(_metadata, h, id,
					 KMEDIA_STATS_A_RTP_LOST));
}

TEST_F(stats, packet_and_byte_counts_are_exact)
{
	struct kmt_relay *r = &self->r;
	uint64_t bytes = 0;
	struct kmt_msg m;
	uint32_t id;
	int i;

	id = add_ab(_metadata, r);
	for (i = 0; i < 10; i++) {
		bytes += send_rtp(_metadata, r, 0x5a5a, 0, i, i * 160, 17 * i);
		ASSERT_EQ(0, kmt_recv(r->bob, &m, WAIT_MS));
	}
	EXPECT_EQ(10 * KMT_RTP_HLEN + 17 * 45, bytes);
	wait_tx(_metadata, r->h, id, 10);
	EXPECT_EQ(10, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(bytes, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_RX_BYTES));
	EXPECT_EQ(bytes, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_TX_BYTES));
	EXPECT_EQ(0, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_DROP_PT));
	EXPECT_EQ(0, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_DROP_ROUTE));
	EXPECT_EQ(0, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_DROP_XMIT));
	EXPECT_EQ(0x5a5a, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_SSRC));

	EXPECT_EQ(10, sock_stat_of(_metadata, r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_RX_PACKETS));
	EXPECT_EQ(10, sock_stat_of(_metadata, r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_TO_STREAM));
	EXPECT_EQ(0, sock_stat_of(_metadata, r->h, r->ra_id,
				  KMEDIA_SOCK_STATS_A_PASS_NOT_RTP));
	EXPECT_EQ(0, sock_stat_of(_metadata, r->h, r->ra_id,
				  KMEDIA_SOCK_STATS_A_PASS_NO_STREAM));
	/* sending from rb is not receiving on it */
	EXPECT_EQ(0, sock_stat_of(_metadata, r->h, r->rb_id,
				  KMEDIA_SOCK_STATS_A_RX_PACKETS));
}

TEST_F(stats, netns_totals_include_deleted_streams)
{
	struct kmt_relay *r = &self->r;
	uint64_t bytes = 0, v = 0;
	uint32_t id, n = 0;
	int i;

	id = add_ab(_metadata, r);
	for (i = 0; i < 5; i++)
		bytes += send_rtp(_metadata, r, 1, 0, i, i * 160, 100);
	wait_tx(_metadata, r->h, id, 5);
	ASSERT_EQ(0, kmedia_stream_del(r->h, id));

	id = add_ab(_metadata, r);
	for (i = 0; i < 3; i++)
		bytes += send_rtp(_metadata, r, 2, 0, i, i * 160, 50);
	wait_tx(_metadata, r->h, id, 3);
	EXPECT_EQ(3 * (KMT_RTP_HLEN + 50),
		  stat_of(_metadata, r->h, id, KMEDIA_STATS_A_RX_BYTES));

	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(8, v);
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(8, v);
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_RX_BYTES, &v));
	EXPECT_EQ(bytes, v);
	ASSERT_EQ(0, kmt_netns_stat(r->h, KMEDIA_STATS_A_TX_BYTES, &v));
	EXPECT_EQ(bytes, v);
	ASSERT_EQ(0, kmt_netns_u32(r->h, KMEDIA_NETNS_A_STREAMS, &n));
	EXPECT_EQ(1, n);
}

TEST_F(stats, loss_counts_a_gap)
{
	struct kmt_relay *r = &self->r;
	uint32_t id;
	int seq;

	id = add_ab(_metadata, r);
	for (seq = 0; seq < 100; seq++) {
		if (seq >= 40 && seq < 50)
			continue;
		send_rtp(_metadata, r, 0x1055, 0, seq, seq * 160, 160);
	}
	wait_rx(_metadata, r->h, id, 90);
	check_seq_stats(_metadata, r->h, id, 0x1055, 99, 100, 90, 10);
}

TEST_F(stats, sequence_wrap_is_extended)
{
	struct kmt_relay *r = &self->r;
	uint32_t id, i;

	id = add_ab(_metadata, r);
	/* 65530 ... 65535, 0 ... 9 */
	for (i = 0; i < 16; i++)
		send_rtp(_metadata, r, 0xa1, 0, (uint16_t)(65530 + i), i * 160,
			 160);
	wait_rx(_metadata, r->h, id, 16);
	check_seq_stats(_metadata, r->h, id, 0xa1, 65536 + 9, 16, 16, 0);
}

TEST_F(stats, loss_across_the_wrap)
{
	struct kmt_relay *r = &self->r;
	uint32_t id, i;

	id = add_ab(_metadata, r);
	/* 65530 ... 65534, then 1 ... 9: 65535 and 0 are missing */
	for (i = 0; i < 16; i++) {
		uint16_t seq = (uint16_t)(65530 + i);

		if (seq == 65535 || seq == 0)
			continue;
		send_rtp(_metadata, r, 0xa2, 0, seq, i * 160, 160);
	}
	wait_rx(_metadata, r->h, id, 14);
	check_seq_stats(_metadata, r->h, id, 0xa2, 65536 + 9, 16, 14, 2);
}

TEST_F(stats, duplicates_make_loss_negative)
{
	struct kmt_relay *r = &self->r;
	uint32_t id;
	int seq;

	id = add_ab(_metadata, r);
	for (seq = 0; seq < 10; seq++) {
		send_rtp(_metadata, r, 0xd0, 0, seq, seq * 160, 160);
		if (seq == 5)
			send_rtp(_metadata, r, 0xd0, 0, seq, seq * 160, 160);
	}
	wait_rx(_metadata, r->h, id, 11);
	check_seq_stats(_metadata, r->h, id, 0xd0, 9, 10, 11, -1);
}

TEST_F(stats, new_ssrc_restarts_sequence_statistics)
{
	struct kmt_relay *r = &self->r;
	uint32_t id;
	int i;

	id = add_ab(_metadata, r);
	for (i = 0; i < 10; i++)
		send_rtp(_metadata, r, 0xaaaa, 0, i, i * 160, 160);
	wait_rx(_metadata, r->h, id, 10);
	check_seq_stats(_metadata, r->h, id, 0xaaaa, 9, 10, 10, 0);

	/* the sender restarted: new SSRC, new random sequence */
	for (i = 0; i < 5; i++)
		send_rtp(_metadata, r, 0xbbbb, 0, 1000 + i, 777 + i * 160, 160);
	wait_rx(_metadata, r->h, id, 15);
	check_seq_stats(_metadata, r->h, id, 0xbbbb, 1004, 5, 5, 0);
}

/*
 * Jitter: RTP timestamps advance by 160 (20 ms at 8000 Hz) per packet.
 * Irregular: packets go in pairs, back to back, with 100 ms between pairs,
 * so transit differences alternate around +-100 ms (800 units) and J
 * converges near 400; regular: one packet every 20 ms, J stays near the
 * clock granularity. The bounds are far from both.
 */
#define JITTER_BOUND	200

TEST_F_TIMEOUT(stats, jitter_grows_with_irregular_arrival, 60)
{
	struct kmt_relay *r = &self->r;
	uint64_t j;
	uint32_t id;
	int i;

	id = add_ab(_metadata, r);
	for (i = 0; i < 40; i++) {
		send_rtp(_metadata, r, 0x717, 0, i, i * 160, 160);
		if (i % 2)
			kmt_sleep_ms(100);
	}
	wait_rx(_metadata, r->h, id, 40);
	j = stat_of(_metadata, r->h, id, KMEDIA_STATS_A_JITTER);
	TH_LOG("jitter with irregular arrival: %llu (8 kHz units)",
	       (unsigned long long)j);
	EXPECT_LT(JITTER_BOUND, j);
}

TEST_F_TIMEOUT(stats, jitter_stays_small_with_regular_pacing, 60)
{
	struct kmt_relay *r = &self->r;
	uint64_t start, j;
	uint32_t id;
	int i;

	id = add_ab(_metadata, r);
	start = kmt_now_us();
	for (i = 0; i < 50; i++) {
		kmt_sleep_until_us(start + (uint64_t)i * 20000);
		send_rtp(_metadata, r, 0x718, 0, i, i * 160, 160);
	}
	wait_rx(_metadata, r->h, id, 50);
	j = stat_of(_metadata, r->h, id, KMEDIA_STATS_A_JITTER);
	TH_LOG("jitter with regular pacing: %llu (8 kHz units)",
	       (unsigned long long)j);
	EXPECT_GT(JITTER_BOUND, j);
}

TEST_F(stats, payload_types_not_allowed_are_dropped_and_counted)
{
	static const uint8_t pts[] = { 0, 18, 8, 96, 0, 127 };
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .ssrc = 0x9f };
	struct kmedia_stream *s;
	uint8_t pkt[6][200];
	size_t len[6];
	struct kmt_msg m;
	uint32_t id;
	int i;

	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 8));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	for (i = 0; i < 6; i++) {
		rtp.pt = pts[i];
		rtp.seq = i;
		rtp.ts = i * 160;
		len[i] = kmt_rtp_build(pkt[i], sizeof(pkt[i]), &rtp, NULL, 160);
		ASSERT_EQ(0, kmt_send(r->alice, pkt[i], len[i], &r->ra_addr));
	}
	for (i = 0; i < 6; i++) {
		if (pts[i] != 0 && pts[i] != 8)
			continue;
		KMT_ASSERT_RECV(r->bob, &m, pkt[i], len[i], &r->rb_addr,
				WAIT_MS);
	}
	wait_tx(_metadata, r->h, id, 3);
	EXPECT_EQ(3, stat_of(_metadata, r->h, id, KMEDIA_STATS_A_DROP_PT));
	EXPECT_EQ(6, sock_stat_of(_metadata, r->h, r->ra_id,
				  KMEDIA_SOCK_STATS_A_TO_STREAM));
	TH_LOG("RX_PACKETS with 3 of 6 dropped by payload type: %llu",
	       (unsigned long long)stat_of(_metadata, r->h, id,
					   KMEDIA_STATS_A_RX_PACKETS));
	/* dropped, not handed to the socket */
	KMT_ASSERT_EMPTY(r->ra);
	KMT_ASSERT_EMPTY(r->bob);
}

TEST_F(stats, rtcp_ignores_the_payload_type_list)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	struct kmt_addr bob_c;
	uint8_t pkt[64];
	struct kmt_msg m;
	uint32_t rtcp;
	size_t len;
	int fb;

	fb = kmt_udp(&r->topo, KMT_BOB, r->fam_b, KMT_PORT_BOB + 1, &bob_c);
	ASSERT_LE(0, fb);
	/* rtcp-mux on ra; the RTCP stream carries a list with only pt 0 */
	s = kmt_stream_spec(r->ra_id, r->rb_id, &bob_c, KMEDIA_KIND_RTCP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	rtcp = kmedia_stream_get_id(s);
	kmedia_stream_free(s);

	len = kmt_rtcp_build(pkt, sizeof(pkt), 200, 0x9f);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(fb, &m, pkt, len, &r->rb_addr, WAIT_MS);
	len = kmt_rtcp_build(pkt, sizeof(pkt), 201, 0x9f);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(fb, &m, pkt, len, &r->rb_addr, WAIT_MS);
	wait_tx(_metadata, r->h, rtcp, 2);
	EXPECT_EQ(0, stat_of(_metadata, r->h, rtcp, KMEDIA_STATS_A_DROP_PT));
	close(fb);
}

TEST_HARNESS_MAIN
