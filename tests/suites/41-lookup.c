// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: kmedia's own socket lookup (kmod/rx_lookup.c). Datagrams of
 * a stream whose ingress socket is bound to one address are relayed from
 * the LOCAL_IN hook and never reach UDP: the relay namespace's UDP
 * InDatagrams (/proc/net/snmp, snmp6) does not move. Sockets UDP could
 * prefer another socket over (bound to the wildcard address, connected)
 * are not indexed: their datagrams go through UDP and encap_rcv, and are
 * relayed all the same. What the stream path leaves to an indexed socket
 * reaches it once and is counted once; a datagram with a bad UDP checksum
 * is neither relayed nor delivered (UDP counts it in InCsumErrors).
 * IPv4 and IPv6.
 */
#include <errno.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

#define WAIT_MS	3000
#define BURST	20

FIXTURE(lookup)
{
	struct kmt_relay r;
};

FIXTURE_VARIANT(lookup)
{
	int family;
};

FIXTURE_VARIANT_ADD(lookup, v4)
{
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(lookup, v6)
{
	.family = AF_INET6,
};

FIXTURE_SETUP(lookup)
{
	ASSERT_EQ(0, kmt_relay_setup(&self->r, variant->family, variant->family,
				     0));
}

FIXTURE_TEARDOWN(lookup)
{
	kmt_relay_teardown(&self->r);
}

/*
 * A UDP counter of the relay namespace: "InDatagrams" or "InCsumErrors"
 * of the Udp: lines of /proc/net/snmp (IPv4) or Udp6<name> of snmp6.
 */
static int64_t relay_udp_mib(struct kmt_relay *r, int family, const char *name)
{
	char line[1024], names[1024] = "", *tok, *save, *vtok, *vsave;
	int64_t val = -1;
	int self, col;
	FILE *f;

	self = kmt_netns_self();
	if (self < 0 || kmt_topo_enter(&r->topo, KMT_NS_RELAY))
		return -1;
	f = fopen(family == AF_INET ? "/proc/net/snmp" : "/proc/net/snmp6", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (family == AF_INET6) {
			char key[64];
			long long v;

			if (sscanf(line, "%63s %lld", key, &v) == 2 &&
			    !strncmp(key, "Udp6", 4) && !strcmp(key + 4, name))
				val = v;
			continue;
		}
		if (strncmp(line, "Udp: ", 5))
			continue;
		if (!names[0]) {	/* the header line, then the values */
			snprintf(names, sizeof(names), "%s", line);
			continue;
		}
		tok = strtok_r(names + 5, " \n", &save);
		vtok = strtok_r(line + 5, " \n", &vsave);
		for (col = 0; tok && vtok; col++) {
			if (!strcmp(tok, name))
				val = strtoll(vtok, NULL, 10);
			tok = strtok_r(NULL, " \n", &save);
			vtok = strtok_r(NULL, " \n", &vsave);
		}
	}
	if (f)
		fclose(f);
	kmt_netns_enter_fd(self);
	close(self);
	return val;
}

/* BURST RTP packets alice -> in_addr, each out at bob from out_addr. */
static void burst(struct __test_metadata *_metadata, struct kmt_relay *r,
		  const struct kmt_addr *in_addr, const struct kmt_addr *out_addr)
{
	struct kmt_rtp rtp = { .pt = 0, .ssrc = 0x10060c0 };
	uint8_t pkt[200];
	struct kmt_msg m;
	size_t len;
	int i;

	for (i = 0; i < BURST; i++) {
		rtp.seq = i;
		len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
		ASSERT_EQ(0, kmt_send(r->alice, pkt, len, in_addr));
		KMT_ASSERT_RECV(r->bob, &m, pkt, len, out_addr, WAIT_MS);
	}
	KMT_ASSERT_EMPTY(r->bob);
}

/* A burst to in_addr as burst() sends it: how many datagrams UDP counted. */
static int64_t burst_udp_count(struct __test_metadata *_metadata,
			       struct kmt_relay *r, int family,
			       const struct kmt_addr *in_addr)
{
	int64_t before, after;

	before = relay_udp_mib(r, family, "InDatagrams");
	EXPECT_LE(0, before);
	burst(_metadata, r, in_addr, &r->rb_addr);
	after = relay_udp_mib(r, family, "InDatagrams");
	EXPECT_LE(0, after);
	return after - before;
}

static void add_stream(struct __test_metadata *_metadata, struct kmt_relay *r,
		       uint32_t sock_in)
{
	uint32_t id = 0;

	ASSERT_EQ(0, kmt_stream_add(r->h, sock_in, r->rb_id, &r->bob_addr,
				    KMEDIA_KIND_RTP, 0, &id))
		KMT_LOG_EXTACK(r->h);
}

TEST_F(lookup, relayed_datagrams_never_reach_udp)
{
	struct kmt_relay *r = &self->r;

	add_stream(_metadata, r, r->ra_id);
	EXPECT_EQ(0, burst_udp_count(_metadata, r, variant->family,
				     &r->ra_addr));
}

TEST_F(lookup, wildcard_socket_relays_through_udp)
{
	struct kmt_relay *r = &self->r;
	const char *any = variant->family == AF_INET ? "0.0.0.0" : "::";
	struct kmt_addr to;
	uint32_t id = 0;
	int self_ns, fd;

	/* bound to every address of the relay namespace, port 7100 */
	self_ns = kmt_netns_self();
	ASSERT_LE(0, self_ns);
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_RELAY));
	fd = kmt_udp_bind(variant->family, any, 7100, NULL);
	ASSERT_EQ(0, kmt_netns_enter_fd(self_ns));
	close(self_ns);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(r->h, fd, &id)) KMT_LOG_EXTACK(r->h);
	add_stream(_metadata, r, id);
	ASSERT_EQ(0, kmt_addr_host(&to, KMT_RELAY_A, variant->family, 7100));
	EXPECT_EQ(BURST, burst_udp_count(_metadata, r, variant->family, &to));
	close(fd);
}

TEST_F(lookup, connected_socket_relays_through_udp)
{
	struct kmt_relay *r = &self->r;
	struct kmt_addr to;
	uint32_t id = 0;
	int fd;

	fd = kmt_relay_sock(r, KMT_RELAY_A, variant->family, 7102, &to, &id);
	ASSERT_LE(0, fd);
	/* connected to alice: UDP delivers only her datagrams to it */
	ASSERT_EQ(0, connect(fd, &r->alice_addr.sa, r->alice_addr.len));
	add_stream(_metadata, r, id);
	EXPECT_EQ(BURST, burst_udp_count(_metadata, r, variant->family, &to));
	close(fd);
}

TEST_F(lookup, what_the_stream_leaves_reaches_the_socket_once)
{
	struct kmt_relay *r = &self->r;
	uint8_t pkt[64];
	struct kmt_msg m;
	uint64_t v = 0;
	size_t len;

	add_stream(_metadata, r, r->ra_id);
	len = kmt_stun_build(pkt, sizeof(pkt), 0x0001, 0x4242);
	ASSERT_EQ(0, kmt_send(r->alice, pkt, len, &r->ra_addr));
	KMT_ASSERT_RECV(r->ra, &m, pkt, len, &r->alice_addr, WAIT_MS);
	burst(_metadata, r, &r->ra_addr, &r->rb_addr);
	KMT_ASSERT_EMPTY(r->ra);
	EXPECT_EQ(0, kmt_wait_sock_stat(r->h, r->ra_id,
					KMEDIA_SOCK_STATS_A_RX_PACKETS,
					BURST + 1, WAIT_MS, &v));
	EXPECT_EQ(BURST + 1, v);
	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_PASS_NOT_RTP, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, kmt_sock_stat(r->h, r->ra_id,
				   KMEDIA_SOCK_STATS_A_TO_STREAM, &v));
	EXPECT_EQ(BURST, v);
}

/* 16-bit one's complement sum of len bytes, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* The UDP checksum of a datagram from src to dst (pseudo header, RFC 768
 * and RFC 8200 8.1), in network order.
 */
static uint16_t udp_csum(const struct kmt_addr *src, const struct kmt_addr *dst,
			 const uint8_t *udp, size_t len)
{
	uint32_t sum = IPPROTO_UDP + len;

	if (src->sa.sa_family == AF_INET) {
		sum = csum_add(sum, (const uint8_t *)&src->sin.sin_addr, 4);
		sum = csum_add(sum, (const uint8_t *)&dst->sin.sin_addr, 4);
	} else {
		sum = csum_add(sum, (const uint8_t *)&src->sin6.sin6_addr, 16);
		sum = csum_add(sum, (const uint8_t *)&dst->sin6.sin6_addr, 16);
	}
	sum = csum_add(sum, udp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff) ?: 0xffff;
}

TEST_F(lookup, bad_udp_checksum_is_neither_relayed_nor_delivered)
{
	struct kmt_relay *r = &self->r;
	struct kmt_rtp rtp = { .pt = 0, .seq = 7, .ssrc = 0xc5c5c5c5 };
	uint8_t dgram[sizeof(struct udphdr) + 200];
	struct udphdr *uh = (struct udphdr *)dgram;
	struct kmt_addr from = r->alice_addr, to;
	int64_t before, after;
	int self_ns, raw;
	size_t len;

	/* UDP header and RTP by hand, IP header by the kernel */
	len = sizeof(*uh) + kmt_rtp_build(dgram + sizeof(*uh), 200, &rtp,
					  NULL, 160);
	uh->source = variant->family == AF_INET ? r->alice_addr.sin.sin_port :
						  r->alice_addr.sin6.sin6_port;
	uh->dest = variant->family == AF_INET ? r->ra_addr.sin.sin_port :
						r->ra_addr.sin6.sin6_port;
	uh->len = htons(len);
	uh->check = 0;
	uh->check = udp_csum(&r->alice_addr, &r->ra_addr, dgram, len) ^ 0x0101;
	add_stream(_metadata, r, r->ra_id);

	self_ns = kmt_netns_self();
	ASSERT_LE(0, self_ns);
	ASSERT_EQ(0, kmt_topo_enter(&r->topo, KMT_NS_ALICE));
	raw = socket(variant->family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	ASSERT_EQ(0, kmt_netns_enter_fd(self_ns));
	close(self_ns);
	ASSERT_LE(0, raw);
	/* from alice's own address, whose UDP socket the checksum names */
	if (variant->family == AF_INET)
		from.sin.sin_port = 0;
	else
		from.sin6.sin6_port = 0;
	ASSERT_EQ(0, bind(raw, &from.sa, from.len));

	before = relay_udp_mib(r, variant->family, "InCsumErrors");
	ASSERT_LE(0, before);
	/* raw IPv6 takes sin6_port for the protocol: 0, the socket's */
	to = r->ra_addr;
	if (variant->family == AF_INET6)
		to.sin6.sin6_port = 0;
	ASSERT_EQ((ssize_t)len, sendto(raw, dgram, len, 0, &to.sa, to.len));
	close(raw);
	/* good packets after it: the bad one came first and is gone */
	burst(_metadata, r, &r->ra_addr, &r->rb_addr);
	KMT_ASSERT_EMPTY(r->ra);
	after = relay_udp_mib(r, variant->family, "InCsumErrors");
	EXPECT_EQ(before + 1, after);
}

TEST_HARNESS_MAIN
