// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: forwarding through kmedia between real UDP sockets in three
 * network namespaces (alice - relay - bob, see tests/lib/kmtest.h). RTP in
 * both directions arrives byte-exact, from the relay's egress socket; RTCP
 * on port+1 and rtcp-mux (RFC 5761 demultiplexing on the second byte); the
 * DSCP set on a stream or kept from the received packet; two calls do not
 * mix; a route change reaches a stream whose route is already cached.
 * Every test runs over IPv4, IPv6, v4 to v6 and v6 to v4, and with
 * checksum offload off (so that checksums are computed and verified in
 * software on every hop).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(relay)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(relay)
{
	int fam_a;
	int fam_b;
	unsigned int flags;
};

FIXTURE_VARIANT_ADD(relay, v4)
{
	.fam_a = AF_INET, .fam_b = AF_INET,
};

FIXTURE_VARIANT_ADD(relay, v6)
{
	.fam_a = AF_INET6, .fam_b = AF_INET6,
};

FIXTURE_VARIANT_ADD(relay, v4_to_v6)
{
	.fam_a = AF_INET, .fam_b = AF_INET6,
};

FIXTURE_VARIANT_ADD(relay, v6_to_v4)
{
	.fam_a = AF_INET6, .fam_b = AF_INET,
};

FIXTURE_VARIANT_ADD(relay, v4_sw_csum)
{
	.fam_a = AF_INET, .fam_b = AF_INET, .flags = KMT_TOPO_NO_CSUM_OFFLOAD,
};

FIXTURE_VARIANT_ADD(relay, v6_sw_csum)
{
	.fam_a = AF_INET6, .fam_b = AF_INET6,
	.flags = KMT_TOPO_NO_CSUM_OFFLOAD,
};

FIXTURE_SETUP(relay)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, variant->fam_a, variant->fam_b,
				     variant->flags));
}

FIXTURE_TEARDOWN(relay)
{
	kmt_relay_teardown(&self->r);
}

#define WAIT_MS	3000

/* alice -> ra -> (stream) -> rb -> bob */
static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r,
		       enum kmedia_stream_kind kind)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, r->ra_id, r->rb_id, &r->bob_addr,
				    kind, 1, &id))
		KMT_LOG_EXTACK(r->h);
	return id;
}

/* bob -> rb -> (stream) -> ra -> alice */
static uint32_t add_ba(struct __test_metadata *_metadata, struct kmt_relay *r,
		       enum kmedia_stream_kind kind)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, r->rb_id, r->ra_id, &r->alice_addr,
				    kind, 1, &id))
		KMT_LOG_EXTACK(r->h);
	return id;
}

/* An RTP packet with padding, a header extension and two CSRCs. */
static size_t rtp_full_header(uint8_t *buf, uint16_t seq)
{
	static const uint8_t pkt[] = {
		0xb2, 0x60, 0x00, 0x00,	/* V=2 P X CC=2, pt 96 */
		0x00, 0x01, 0xe2, 0x40,	/* timestamp */
		0xde, 0xad, 0xbe, 0xef,	/* SSRC */
		0x11, 0x11, 0x11, 0x11,	/* CSRC 1 */
		0x22, 0x22, 0x22, 0x22,	/* CSRC 2 */
		0xbe, 0xde, 0x00, 0x01,	/* one-byte extension, 1 word */
		0x10, 0xaa, 0x00, 0x00,
		'p', 'a', 'y', 'l', 'o', 'a', 'd',
		0x00, 0x00, 0x03,	/* 3 bytes of padding */
	};

	memcpy(buf, pkt, sizeof(pkt));
	buf[2] = seq >> 8;
	buf[3] = seq;
	return sizeof(pkt);
}

TEST_F(relay, rtp_arrives_byte_exact_from_the_egress_socket)
{
	static const size_t sizes[] = { 0, 1, 160, 1188, 1388 };
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 0, .ssrc = 0x01020304 };
	uint8_t pkt[1500];
	struct kmt_msg m;
	size_t len, i;

	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		rtp.seq = 100 + i;
		rtp.ts = 160 * i;
		len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, sizes[i]);
		ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
		KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);
	}
	len = rtp_full_header(pkt, 200);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);

	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	KMT_ASSERT_EMPTY(r->rb);
	KMT_ASSERT_EMPTY(r->alice);
}

TEST_F(relay, rtp_flows_both_ways)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp ab = { .pt = 8, .ssrc = 0xaaaa0001 };
	struct kmt_rtp ba = { .pt = 0, .ssrc = 0xbbbb0002 };
	uint8_t pkt[256];
	struct kmt_msg m;
	size_t len;
	int i;

	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	add_ba(_metadata, r, KMEDIA_KIND_RTP);
	for (i = 0; i < 20; i++) {
		ab.seq = i;
		ab.ts = i * 160;
		len = kmt_rtp_build(pkt, sizeof(pkt), &ab, NULL, 160);
		ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
		KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);

		ba.seq = 5000 + i;
		ba.ts = i * 160;
		len = kmt_rtp_build(pkt, sizeof(pkt), &ba, NULL, 160);
		ASSERT_EQ(0, kmt_send(r->bob, pkt, len, &r->rb_addr));
		KMT_ASSERT_RECV(r->alice, &m, pkt, len, &r->ra_addr, WAIT_MS);
	}
	KMT_ASSERT_EMPTY(r->alice);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
	KMT_ASSERT_EMPTY(r->rb);
}

TEST_F(relay, rtcp_on_port_plus_one)
{
	struct kmt_relay *r = &self->r;
	struct kmt_addr ra_c, rb_c, alice_c, bob_c;
	struct kmt_rtp rtp = { .pt = 0, .seq = 1, .ssrc = 0x51 };
	uint32_t ra_c_id, rb_c_id, id;
	uint8_t pkt[256];
	struct kmt_msg m;
	int fa, fb, fra, frb;
	size_t len;

	fra = kmt_relay_sock(r, KMT_RELAY_A, r->fam_a, KMT_PORT_RELAY_A + 1,
			     &ra_c, &ra_c_id);
	ASSERT_LE(0, fra);
	frb = kmt_relay_sock(r, KMT_RELAY_B, r->fam_b, KMT_PORT_RELAY_B + 1,
			     &rb_c, &rb_c_id);
	ASSERT_LE(0, frb);
	fa = kmt_udp(&r->topo, KMT_ALICE, r->fam_a, KMT_PORT_ALICE + 1,
		     &alice_c);
	ASSERT_LE(0, fa);
	fb = kmt_udp(&r->topo, KMT_BOB, r->fam_b, KMT_PORT_BOB + 1, &bob_c);
	ASSERT_LE(0, fb);

	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	add_ba(_metadata, r, KMEDIA_KIND_RTP);
	ASSERT_EQ(0, kmt_stream_add(r->h, ra_c_id, rb_c_id, &bob_c,
				    KMEDIA_KIND_RTCP, 1, &id))
		KMT_LOG_EXTACK(r->h);
	ASSERT_EQ(0, kmt_stream_add(r->h, rb_c_id, ra_c_id, &alice_c,
				    KMEDIA_KIND_RTCP, 1, &id))
		KMT_LOG_EXTACK(r->h);

	len = kmt_rtcp_build(pkt, sizeof(pkt), 200, 0x51);
	ASSERT_EQ(0, kmt_send(fa, pkt, len, &ra_c));
	KMT_ASSERT_RECV(fb, &m, pkt, len, &rb_c, WAIT_MS);

	len = kmt_rtcp_build(pkt, sizeof(pkt), 201, 0x52);
	ASSERT_EQ(0, kmt_send(fb, pkt, len, &rb_c));
	KMT_ASSERT_RECV(fa, &m, pkt, len, &ra_c, WAIT_MS);

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);

	/* each kind stayed on its own ports */
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(fb);
	KMT_ASSERT_EMPTY(fa);
	KMT_ASSERT_EMPTY(r->alice);
	KMT_ASSERT_EMPTY(fra);
	KMT_ASSERT_EMPTY(frb);
	KMT_ASSERT_EMPTY(r->ra);
	close(fa);
	close(fb);
	close(fra);
	close(frb);
}

TEST_F(relay, rtcp_mux_demultiplexes_on_the_second_byte)
{
	struct kmt_relay *r = &self->r;
	struct kmt_addr bob_c;
	struct {
		bool rtcp;
		uint8_t byte1;
		uint8_t pkt[64];
		size_t len;
	} p[8];
	uint8_t want[2] = { 0, 0 };
	struct kmt_msg m;
	uint32_t id;
	int fb, i, n = 0;

	fb = kmt_udp(&r->topo, KMT_BOB, r->fam_b, KMT_PORT_BOB + 1, &bob_c);
	ASSERT_LE(0, fb);
	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	ASSERT_EQ(0, kmt_stream_add(r->h, r->ra_id, r->rb_id, &bob_c,
				    KMEDIA_KIND_RTCP, 1, &id))
		KMT_LOG_EXTACK(r->h);

#define RTP_PKT(pt_, marker_) do {					\
	struct kmt_rtp __h = { .pt = (pt_), .marker = (marker_),	\
			       .seq = (uint16_t)(n + 1), .ssrc = 0x77 };	\
	p[n].rtcp = false;						\
	p[n].len = kmt_rtp_build(p[n].pkt, sizeof(p[n].pkt), &__h, NULL, 20); \
	n++;								\
} while (0)
#define RTCP_PKT(pt_) do {						\
	p[n].rtcp = true;						\
	p[n].len = kmt_rtcp_build(p[n].pkt, sizeof(p[n].pkt), (pt_), 0x77); \
	n++;								\
} while (0)
	RTP_PKT(0, false);	/* second byte 0 */
	RTCP_PKT(200);		/* SR */
	RTP_PKT(96, true);	/* 224: RTP with the marker bit */
	RTCP_PKT(201);		/* RR */
	RTP_PKT(63, true);	/* 191: last RTP value below the range */
	RTCP_PKT(192);		/* first value of the range */
	RTCP_PKT(223);		/* last value of the range */
	RTP_PKT(0, true);	/* 128 */
#undef RTP_PKT
#undef RTCP_PKT

	for (i = 0; i < n; i++) {
		ASSERT_NE(0, p[i].len);
		p[i].byte1 = p[i].pkt[1];
		want[p[i].rtcp]++;
		ASSERT_EQ(0, kmt_send(r->alice, p[i].pkt, p[i].len,
				      &r->ra_addr));
	}
	EXPECT_EQ(4, want[0]);
	EXPECT_EQ(4, want[1]);
	for (i = 0; i < n; i++) {
		int fd = p[i].rtcp ? fb : r->bob;

		TH_LOG("second byte %u goes to the %s stream", p[i].byte1,
		       p[i].rtcp ? "RTCP" : "RTP");
		KMT_ASSERT_RECV(fd, &m, p[i].pkt, p[i].len, &r->rb_addr,
				WAIT_MS);
	}
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(fb);
	KMT_ASSERT_EMPTY(r->ra);
	close(fb);
}

static void expect_dscp(struct __test_metadata *_metadata, struct kmt_relay *r,
			int send_tos, int want_dscp, uint16_t seq)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = seq, .ssrc = 0xd5c9 };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	ASSERT_EQ(0, kmt_set_tos(r->alice, r->fam_a, send_tos));
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);
	ASSERT_NE(-1, m.tos) TH_LOG("no IP_TOS/IPV6_TCLASS control message");
	EXPECT_EQ(want_dscp, m.tos >> 2)
		TH_LOG("sent with TOS %#x, received TOS %#x", send_tos, m.tos);
}

TEST_F(relay, dscp_of_the_stream_is_seen_by_the_receiver)
{
	struct kmt_relay *r = &self->r;
	struct kmedia_stream *s;
	struct kmt_rtp rtp = { .pt = 0, .seq = 9, .ssrc = 0xd5ca };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 46));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	s = kmt_stream_spec(r->rb_id, r->ra_id, &r->alice_addr,
			    KMEDIA_KIND_RTP);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 26));
	ASSERT_EQ(0, kmedia_stream_new(r->h, s)) KMT_LOG_EXTACK(r->h);
	kmedia_stream_free(s);

	expect_dscp(_metadata, r, 0, 46, 1);
	expect_dscp(_metadata, r, 10 << 2, 46, 2);

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->bob, pkt, len, &r->rb_addr));
	KMT_ASSERT_RECV(r->alice, &m, pkt, len, &r->ra_addr, WAIT_MS);
	ASSERT_NE(-1, m.tos);
	EXPECT_EQ(26, m.tos >> 2) TH_LOG("received TOS %#x", m.tos);
}

TEST_F(relay, dscp_of_the_received_packet_is_kept_by_default)
{
	struct kmt_relay *r = &self->r;

	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	expect_dscp(_metadata, r, 10 << 2, 10, 1);
	expect_dscp(_metadata, r, 46 << 2, 46, 2);
	expect_dscp(_metadata, r, 0, 0, 3);
	expect_dscp(_metadata, r, 34 << 2, 34, 4);
}

TEST_F(relay, two_calls_do_not_mix)
{
	struct kmt_relay *r = &self->r;
	struct kmt_addr ra2, rb2, alice2, bob2;
	struct kmt_rtp c1 = { .pt = 0, .ssrc = 0xc1 };
	struct kmt_rtp c2 = { .pt = 8, .ssrc = 0xc2 };
	uint8_t p1[200], p2[200];
	uint32_t ra2_id, rb2_id, id;
	struct kmt_msg m;
	size_t l1, l2;
	int fra2, frb2, fa2, fb2, i;

	fra2 = kmt_relay_sock(r, KMT_RELAY_A, r->fam_a, KMT_PORT_RELAY_A + 2,
			      &ra2, &ra2_id);
	ASSERT_LE(0, fra2);
	frb2 = kmt_relay_sock(r, KMT_RELAY_B, r->fam_b, KMT_PORT_RELAY_B + 2,
			      &rb2, &rb2_id);
	ASSERT_LE(0, frb2);
	fa2 = kmt_udp(&r->topo, KMT_ALICE, r->fam_a, KMT_PORT_ALICE + 2,
		      &alice2);
	ASSERT_LE(0, fa2);
	fb2 = kmt_udp(&r->topo, KMT_BOB, r->fam_b, KMT_PORT_BOB + 2, &bob2);
	ASSERT_LE(0, fb2);

	add_ab(_metadata, r, KMEDIA_KIND_RTP);
	ASSERT_EQ(0, kmt_stream_add(r->h, ra2_id, rb2_id, &bob2,
				    KMEDIA_KIND_RTP, 2, &id))
		KMT_LOG_EXTACK(r->h);

	for (i = 0; i < 10; i++) {
		c1.seq = c2.seq = i;
		l1 = kmt_rtp_build(p1, sizeof(p1), &c1, NULL, 100 + i);
		l2 = kmt_rtp_build(p2, sizeof(p2), &c2, NULL, 60 + i);
		ASSERT_EQ(0, kmt_send(r->alice, p1, l1, &r->ra_addr));
		ASSERT_EQ(0, kmt_send(fa2, p2, l2, &ra2));
		KMT_ASSERT_RECV(r->bob, &m, p1, l1, &r->rb_addr, WAIT_MS);
		KMT_ASSERT_RECV(fb2, &m, p2, l2, &rb2, WAIT_MS);
	}
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(fb2);
	KMT_ASSERT_EMPTY(r->ra);
	KMT_ASSERT_EMPTY(fra2);
	close(fra2);
	close(frb2);
	close(fa2);
	close(fb2);
}

/*
 * The stream caches its route on the first packet; a route added or
 * removed later must take effect on the next packet, as it would for a
 * socket: an unreachable route to bob drops (counted), its removal
 * restores delivery.
 */
TEST_F(relay, route_change_reaches_a_running_stream)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 0, .ssrc = 0x0badc0de };
	const char *ns = r->topo.name[KMT_NS_RELAY];
	char route[128];
	uint8_t pkt[256];
	struct kmt_msg m;
	uint32_t id;
	uint64_t v;
	size_t len;

	id = add_ab(_metadata, r, KMEDIA_KIND_RTP);
	snprintf(route, sizeof(route), "route add unreachable %s/%d\n",
		 kmt_host_ip(KMT_BOB, r->fam_b), r->fam_b == AF_INET ? 32 : 128);

	rtp.seq = 1;
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);

	ASSERT_EQ(0, kmt_ip_batch(ns, route));
	rtp.seq = 2;
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	ASSERT_EQ(0, kmt_wait_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_ROUTE,
					  1, WAIT_MS, &v));
	EXPECT_EQ(1, v);
	KMT_ASSERT_EMPTY(r->bob);

	/* "route add" -> "route del", same words after it */
	memcpy(strstr(route, "add"), "del", 3);
	ASSERT_EQ(0, kmt_ip_batch(ns, route));
	rtp.seq = 3;
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_DROP_ROUTE, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, id, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(2, v);
	KMT_ASSERT_EMPTY(r->bob);
	KMT_ASSERT_EMPTY(r->ra);
}

TEST_HARNESS_MAIN
