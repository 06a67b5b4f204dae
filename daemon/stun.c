// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad STUN (RFC 5389): ICE-lite behaviour on the relay ports. A phone
 * doing ICE checks its candidate (our relay port) with a Binding Request;
 * the kernel hands such non-RTP datagrams up to the socket that owns the
 * port, and we answer with a Binding Success Response carrying the
 * request's source in XOR-MAPPED-ADDRESS, and a FINGERPRINT.
 *
 * ICE attributes are removed from the SDP, so no short-term credentials
 * are known: requests with MESSAGE-INTEGRITY are answered without one
 * (the phone then sees a plain STUN server), which is all a relay with a
 * single candidate can offer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "kmediad.h"

#define STUN_HDR		20
#define STUN_MAGIC		0x2112a442u
#define STUN_BINDING_REQUEST	0x0001
#define STUN_BINDING_SUCCESS	0x0101
#define STUN_XOR_MAPPED_ADDRESS	0x0020
#define STUN_FINGERPRINT	0x8028
#define STUN_FINGERPRINT_XOR	0x5354554eu

static uint64_t answered;

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* CRC-32 (ISO 3309, the one of zlib), bit by bit: a few packets only. */
static uint32_t crc32_iso(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

bool kmd_stun_is_request(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* the two top bits 00 tell STUN from RTP (version 2) */
	return len >= STUN_HDR && !(p[0] & 0xc0) &&
	       (p[0] << 8 | p[1]) == STUN_BINDING_REQUEST &&
	       get32(p + 4) == STUN_MAGIC &&
	       (size_t)(p[2] << 8 | p[3]) + STUN_HDR == len;
}

int kmd_stun_answer(int fd, const void *req, size_t len,
		    const union kmd_addr *src)
{
	uint8_t out[STUN_HDR + 4 + 20 + 8], *a = out + STUN_HDR;
	const uint8_t *r = req;
	size_t alen;
	unsigned int port = kmd_addr_port(src), i;

	if (!kmd_stun_is_request(req, len))
		return -EINVAL;
	memset(out, 0, sizeof(out));
	put16(out, STUN_BINDING_SUCCESS);
	memcpy(out + 4, r + 4, 16);	/* magic cookie and transaction ID */

	put16(a, STUN_XOR_MAPPED_ADDRESS);
	a[5] = src->sa.sa_family == AF_INET6 ? 0x02 : 0x01;
	put16(a + 6, port ^ STUN_MAGIC >> 16);
	if (src->sa.sa_family == AF_INET6) {
		const uint8_t *ip = src->sin6.sin6_addr.s6_addr;

		for (i = 0; i < 16; i++)	/* cookie and ID are the key */
			a[8 + i] = ip[i] ^ out[4 + i];
		alen = 20;
	} else {
		put32(a + 8, ntohl(src->sin.sin_addr.s_addr) ^ STUN_MAGIC);
		alen = 8;
	}
	put16(a + 2, alen);
	a += 4 + alen;

	/* FINGERPRINT covers the message with its own length counted */
	put16(out + 2, a + 8 - out - STUN_HDR);
	put16(a, STUN_FINGERPRINT);
	put16(a + 2, 4);
	put32(a + 4, crc32_iso(out, a - out) ^ STUN_FINGERPRINT_XOR);
	a += 8;

	if (sendto(fd, out, a - out, MSG_DONTWAIT, &src->sa, kmd_addr_len(src)) < 0)
		return -errno;
	answered++;
	return 0;
}

uint64_t kmd_stun_answered(void)
{
	return answered;
}
