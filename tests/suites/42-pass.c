// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: what kmedia does not forward reaches the owner's socket
 * untouched (byte-exact, from the original source) and is counted in the
 * socket's statistics: STUN (first byte 0x00/0x01, magic cookie), DTLS,
 * RTP versions other than 2, datagrams too short for RTP, an empty datagram
 * (KMEDIA_SOCK_STATS_A_PASS_NOT_RTP); RTP with no stream on the socket
 * (PASS_NO_STREAM); RTP reassembled from IP fragments (PASS_FRAGMENT). Each
 * test ends with a forwarded RTP packet as a barrier, proving that nothing
 * passed was also forwarded. IPv4 and IPv6.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(pass)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(pass)
{
	int family;
};

FIXTURE_VARIANT_ADD(pass, v4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(pass, v6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(pass)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, variant->family, variant->family,
				     0));
}

FIXTURE_TEARDOWN(pass)
{
	kmt_relay_teardown(&self->r);
}

#define WAIT_MS	3000

static uint32_t add_ab(struct __test_metadata *_metadata, struct kmt_relay *r)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, r->ra_id, r->rb_id, &r->bob_addr,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(r->h);
	return id;
}

/* An RTP packet alice -> ra must come out at bob, and nothing before it. */
static void barrier(struct __test_metadata *_metadata, struct kmt_relay *r,
		    uint16_t seq)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = seq, .ssrc = 0xba991e5 };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->bob, &m, pkt, len, &r->rb_addr, WAIT_MS);
	KMT_ASSERT_EMPTY(r->bob);
}

/* Wait for RX_PACKETS of socket id to reach rx, then check the rest. */
static void check_sock(struct __test_metadata *_metadata,
		       struct kmedia_handle *h, uint32_t id, uint64_t rx,
		       uint64_t to_stream, uint64_t not_rtp, uint64_t no_stream,
		       uint64_t fragment)
{
	uint64_t v = 0;

	EXPECT_EQ(0, kmt_wait_sock_stat(h, id, KMEDIA_SOCK_STATS_A_RX_PACKETS,
					rx, WAIT_MS, &v));
	EXPECT_EQ(rx, v);
	ASSERT_EQ(0, kmt_sock_stat(h, id, KMEDIA_SOCK_STATS_A_TO_STREAM, &v));
	EXPECT_EQ(to_stream, v);
	ASSERT_EQ(0, kmt_sock_stat(h, id, KMEDIA_SOCK_STATS_A_PASS_NOT_RTP,
				   &v));
	EXPECT_EQ(not_rtp, v);
	ASSERT_EQ(0, kmt_sock_stat(h, id, KMEDIA_SOCK_STATS_A_PASS_NO_STREAM,
				   &v));
	EXPECT_EQ(no_stream, v);
	ASSERT_EQ(0, kmt_sock_stat(h, id, KMEDIA_SOCK_STATS_A_PASS_FRAGMENT,
				   &v));
	EXPECT_EQ(fragment, v);
	ASSERT_EQ(0, kmt_sock_stat(h, id, KMEDIA_SOCK_STATS_A_PASS_SOURCE, &v));
	EXPECT_EQ(0, v);
}

TEST_F(pass, stun_reaches_the_socket_untouched)
{
	static const uint16_t types[] = {
		0x0001,	/* Binding request: first byte 0x00 */
		0x0101,	/* Binding success response: first byte 0x01 */
		0x0111,	/* Binding error response */
		0x0011,	/* Binding indication */
	};
	struct kmt_relay *r = &self->r;
	uint8_t pkt[64];
	struct kmt_msg m;
	uint64_t v = 0;
	uint32_t sid;
	size_t len, i;

	sid = add_ab(_metadata, r);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		len = kmt_stun_build(pkt, sizeof(pkt), types[i], 0x1000 + i);
		ASSERT_EQ(20, len);
		ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
		KMT_ASSERT_RECV(r->ra, &m, pkt, len, &r->alice_addr, WAIT_MS);
	}
	barrier(_metadata, r, 1);
	KMT_ASSERT_EMPTY(r->ra);
	check_sock(_metadata, r->h, r->ra_id, 5, 1, 4, 0, 0);
	ASSERT_EQ(0, kmt_stream_stat(r->h, sid, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(1, v);
}

TEST_F(pass, non_rtp_reaches_the_socket_untouched)
{
	struct kmt_relay *r = &self->r;
	struct {
		const char *what;
		uint8_t buf[320];
		size_t len;
	} p[8];
	struct kmt_msg m;
	uint64_t v = 0;
	uint32_t sid;
	int i, n = 0;

	memset(p, 0, sizeof(p));
	/* DTLS handshake record: first byte 22 (RFC 7983) */
	p[n].what = "DTLS record";
	kmt_fill_random(p[n].buf, 60, 1);
	p[n].buf[0] = 22;
	p[n].buf[1] = 0xfe;
	p[n].buf[2] = 0xfd;
	p[n++].len = 60;
	p[n].what = "version 0";
	kmt_fill_random(p[n].buf, 40, 2);
	p[n].buf[0] = 0x10;
	p[n++].len = 40;
	p[n].what = "version 1";
	kmt_fill_random(p[n].buf, 40, 3);
	p[n].buf[0] = 0x40 | (p[n].buf[0] & 0x3f);
	p[n++].len = 40;
	p[n].what = "version 3";
	kmt_fill_random(p[n].buf, 40, 4);
	p[n].buf[0] = 0xc0 | (p[n].buf[0] & 0x3f);
	p[n].buf[1] = 0;
	p[n++].len = 40;
	p[n].what = "version 2, 11 bytes";
	kmt_fill_random(p[n].buf, 11, 5);
	p[n].buf[0] = 0x80;
	p[n].buf[1] = 0x00;
	p[n++].len = 11;
	p[n].what = "one byte";
	p[n].buf[0] = 0x80;
	p[n++].len = 1;
	p[n].what = "empty datagram";
	p[n++].len = 0;
	p[n].what = "300 random bytes, version 1";
	kmt_fill_random(p[n].buf, 300, 6);
	p[n].buf[0] = 0x40 | (p[n].buf[0] & 0x3f);
	p[n++].len = 300;

	sid = add_ab(_metadata, r);
	for (i = 0; i < n; i++) {
		TH_LOG("%s", p[i].what);
		ASSERT_EQ(0, kmt_send(r->alice, p[i].buf, p[i].len,
				      &r->ra_addr));
		KMT_ASSERT_RECV(r->ra, &m, p[i].buf, p[i].len, &r->alice_addr,
				WAIT_MS);
	}
	barrier(_metadata, r, 1);
	KMT_ASSERT_EMPTY(r->ra);
	check_sock(_metadata, r->h, r->ra_id, n + 1, 1, n, 0, 0);
	ASSERT_EQ(0, kmt_stream_stat(r->h, sid, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, kmt_stream_stat(r->h, sid, KMEDIA_STATS_A_TX_PACKETS, &v));
	EXPECT_EQ(1, v);
}

TEST_F(pass, rtp_on_a_socket_without_stream_reaches_it)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 0, .seq = 7, .ssrc = 0x5ee };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->ra, &m, pkt, len, &r->alice_addr, WAIT_MS);
	len = kmt_rtcp_build(pkt, sizeof(pkt), 200, 0x5ee);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->ra, &m, pkt, len, &r->alice_addr, WAIT_MS);
	check_sock(_metadata, r->h, r->ra_id, 2, 0, 0, 2, 0);
	KMT_ASSERT_EMPTY(r->bob);
}

TEST_F(pass, egress_socket_passes_what_it_receives)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 0, .seq = 7, .ssrc = 0xb0b };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;

	/* rb is the egress of alice's stream, the ingress of nothing */
	add_ab(_metadata, r);
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ASSERT_EQ(0, kmt_send(r->bob, pkt, len, &r->rb_addr));
	KMT_ASSERT_RECV(r->rb, &m, pkt, len, &r->bob_addr, WAIT_MS);
	check_sock(_metadata, r->h, r->rb_id, 1, 0, 0, 1, 0);
	barrier(_metadata, r, 1);
	KMT_ASSERT_EMPTY(r->alice);
	KMT_ASSERT_EMPTY(r->rb);
}

TEST_F(pass, rtp_from_ip_fragments_reaches_the_socket)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 96, .seq = 3, .ssrc = 0xf7a9 };
	static uint8_t pkt[3000];
	struct kmt_msg m;
	uint64_t v = 0;
	uint32_t sid;
	size_t len;
	int off = IP_PMTUDISC_DONT;

	sid = add_ab(_metadata, r);
	if (r->fam_a == AF_INET)
		ASSERT_EQ(0, setsockopt(r->alice, IPPROTO_IP, IP_MTU_DISCOVER,
					&off, sizeof(off)));
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL,
			    sizeof(pkt) - KMT_RTP_HLEN);
	ASSERT_EQ(sizeof(pkt), len);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->ra, &m, pkt, len, &r->alice_addr, WAIT_MS);
	barrier(_metadata, r, 4);
	check_sock(_metadata, r->h, r->ra_id, 2, 1, 0, 0, 1);
	ASSERT_EQ(0, kmt_stream_stat(r->h, sid, KMEDIA_STATS_A_RX_PACKETS, &v));
	EXPECT_EQ(1, v);
}

TEST_HARNESS_MAIN
