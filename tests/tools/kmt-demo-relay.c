// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-demo-relay: the relay part of `make demo`, run inside the test VM.
 *
 * Builds the alice / relay / bob namespaces, attaches two relay sockets,
 * installs one latching stream per direction and sends RTP both ways
 * through the kernel, paced every 10 ms, checking every byte at the far
 * end. Then it
 * prints the streams as the kernel reports them. Last, an SRTP leg: alice
 * offers an SDES key (RFC 4568 a=crypto line), protects with libsrtp2, the
 * stream facing alice gets that key and bob receives the plain RTP; a
 * tampered packet is dropped and counted. Then it removes everything.
 * Exit status 0 only if every packet arrived intact, and the relay's
 * sockets kept none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/kmtest.h"
#include "../lib/kmsrtp.h"
#include "../lib/kmlibsrtp.h"

#include <time.h>

#define PACKETS 100
#define PTIME_MS 10
#define PAYLOAD (8 * PTIME_MS)	/* G.711: 8 bytes per ms */

static int send_and_check(struct kmt_relay *r, int from, const struct kmt_addr *to,
			  int sink, uint32_t ssrc, const char *label)
{
	uint8_t pkt[KMT_RTP_HLEN + PAYLOAD];
	struct kmt_msg m;
	unsigned int ok = 0, i;
	size_t len;

	(void)r;
	for (i = 0; i < PACKETS; i++) {
		struct timespec pace = { .tv_nsec = PTIME_MS * 1000000L };
		struct kmt_rtp h = {
			.pt = 0, .seq = (uint16_t)(1000 + i),
			.ts = PAYLOAD * i, .ssrc = ssrc,
		};

		/* paced like a phone, so the jitter figure means something */
		nanosleep(&pace, NULL);
		len = kmt_rtp_build(pkt, sizeof(pkt), &h, NULL, PAYLOAD);
		if (kmt_send(from, pkt, len, to))
			return -1;
		if (kmt_recv(sink, &m, 1000))
			break;
		if ((size_t)m.len == len && !memcmp(m.buf, pkt, len))
			ok++;
	}
	printf("  %s: %u of %u RTP packets arrived byte for byte\n", label, ok,
	       PACKETS);
	return ok == PACKETS ? 0 : -1;
}

static int print_stream(const struct kmedia_stream *s, void *data)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const struct sockaddr *sa;
	socklen_t len;

	(void)data;
	sa = kmedia_stream_get_dst(s, &len);
	printf("  stream %u: sock %u -> sock %u -> %s, latched %s, "
	       "rx %llu pkts, tx %llu pkts / %llu bytes, ssrc %08x, "
	       "lost %lld, jitter %u\n",
	       kmedia_stream_get_id(s), kmedia_stream_get_sock_in(s),
	       kmedia_stream_get_sock_out(s),
	       kmt_addr_str(sa, len, buf, sizeof(buf)),
	       kmedia_stream_get_latched(s) ? "yes" : "no",
	       (unsigned long long)kmedia_stream_get_stat(s, KMEDIA_STATS_A_RX_PACKETS),
	       (unsigned long long)kmedia_stream_get_stat(s, KMEDIA_STATS_A_TX_PACKETS),
	       (unsigned long long)kmedia_stream_get_stat(s, KMEDIA_STATS_A_TX_BYTES),
	       (unsigned int)kmedia_stream_get_stat(s, KMEDIA_STATS_A_SSRC),
	       (long long)kmedia_stream_get_stat(s, KMEDIA_STATS_A_RTP_LOST),
	       (unsigned int)kmedia_stream_get_stat(s, KMEDIA_STATS_A_JITTER));
	return 0;
}

static int report_socket(struct kmt_relay *r, int fd, uint32_t id,
			 const char *label, uint64_t want)
{
	uint64_t seen = 0, kernel = 0;
	int queued = kmt_queued(fd);

	kmt_sock_stat(r->h, id, KMEDIA_SOCK_STATS_A_RX_PACKETS, &seen);
	kmt_sock_stat(r->h, id, KMEDIA_SOCK_STATS_A_TO_STREAM, &kernel);
	printf("  socket %u (%s): %llu datagrams arrived, %llu relayed by the "
	       "kernel, %d waiting in the socket for this program\n", id, label,
	       (unsigned long long)seen, (unsigned long long)kernel, queued);
	return queued == 0 && seen == want && kernel == want ? 0 : -1;
}

static int add_stream(struct kmt_relay *r, uint32_t in, uint32_t out,
		      const struct kmt_addr *dst, uint32_t *idp)
{
	struct kmedia_stream *s = kmt_stream_spec(in, out, dst, KMEDIA_KIND_RTP);
	int err;

	if (!s)
		return -1;
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_LATCH);
	kmedia_stream_set_cookie(s, 42);
	err = kmedia_stream_new(r->h, s);
	if (!err)
		*idp = kmedia_stream_get_id(s);
	else
		fprintf(stderr, "stream: %s\n", kmedia_handle_extack(r->h) ?: strerror(-err));
	kmedia_stream_free(s);
	return err;
}

/*
 * alice -> relay (SRTP, AES_CM_128_HMAC_SHA1_80) -> bob (RTP): the key
 * travels as SDES text, as a signalling layer would carry it.
 */
static int srtp_leg(struct kmt_relay *r)
{
	const uint32_t suite = KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80;
	uint8_t pkt[KMT_RTP_HLEN + PAYLOAD], srtp[sizeof(pkt) + 64];
	char inl[KMEDIA_SRTP_INLINE_MAX];
	struct kmt_libsrtp *alice = NULL;
	struct kmedia_stream *s = NULL;
	struct kmedia_srtp *ctx;
	unsigned int ok = 0, i;
	size_t len, slen = 0;
	struct kmt_srtp key;
	uint64_t st[KMEDIA_STATS_A_MAX + 1];
	struct kmt_msg m;
	uint32_t id = 0;
	int err = -1;

	/* alice's key, offered as an a=crypto line */
	kmt_srtp_init(&key, suite, 0xa11ce);
	ctx = kmedia_srtp_alloc();
	if (!ctx || kmedia_srtp_set_suite(ctx, suite) ||
	    kmedia_srtp_set_key(ctx, key.key, key.key_len, key.salt,
				key.salt_len) ||
	    kmedia_srtp_format_inline(ctx, inl, sizeof(inl)) < 0)
		goto out;
	kmedia_srtp_free(ctx);
	printf("  alice offers  a=crypto:1 %s %s\n",
	       kmedia_srtp_suite_name(suite), inl);

	/* the relay parses the line into the stream's SRTP_IN context */
	ctx = kmedia_srtp_alloc();
	s = kmt_stream_spec(r->ra_id, r->rb_id, &r->bob_addr, KMEDIA_KIND_RTP);
	if (!ctx || !s ||
	    kmedia_srtp_set_inline(ctx, kmedia_srtp_suite_name(suite), inl) ||
	    kmedia_stream_set_srtp_in(s, ctx))
		goto out;
	kmedia_stream_set_cookie(s, 43);
	err = kmedia_stream_new(r->h, s);
	if (err) {
		fprintf(stderr, "stream: %s\n",
			kmedia_handle_extack(r->h) ?: strerror(-err));
		goto out;
	}
	id = kmedia_stream_get_id(s);
	printf("  stream %u: sock %u (SRTP from alice, decrypted in the kernel)"
	       " -> sock %u -> bob (RTP)\n", id, r->ra_id, r->rb_id);

	err = kmt_libsrtp_new(&alice, &key, KMT_LIBSRTP_SEND, NULL);
	if (err) {
		fprintf(stderr, "libsrtp2: %s\n", kmt_libsrtp_strerror(err));
		goto out;
	}
	for (i = 0; i < PACKETS; i++) {
		struct timespec pace = { .tv_nsec = PTIME_MS * 1000000L };
		struct kmt_rtp h = {
			.pt = 0, .seq = (uint16_t)(5000 + i),
			.ts = PAYLOAD * i, .ssrc = 0x33333333,
		};

		nanosleep(&pace, NULL);
		len = kmt_rtp_build(pkt, sizeof(pkt), &h, NULL, PAYLOAD);
		if (kmt_libsrtp_protect(alice, pkt, len, srtp, sizeof(srtp),
					&slen) ||
		    kmt_send(r->alice, srtp, slen, &r->ra_addr) ||
		    kmt_recv(r->bob, &m, 1000))
			break;
		if ((size_t)m.len == len && !memcmp(m.buf, pkt, len))
			ok++;
	}
	printf("  alice -> bob: %u of %u SRTP packets (%zu bytes each) arrived"
	       " as the original RTP (%zu bytes), byte for byte\n", ok,
	       PACKETS, slen, len);

	/* the next packet, one payload bit flipped on the way: not authentic */
	{
		struct kmt_rtp h = {
			.pt = 0, .seq = (uint16_t)(5000 + PACKETS),
			.ts = PAYLOAD * PACKETS, .ssrc = 0x33333333,
		};

		len = kmt_rtp_build(pkt, sizeof(pkt), &h, NULL, PAYLOAD);
		if (!kmt_libsrtp_protect(alice, pkt, len, srtp, sizeof(srtp),
					 &slen)) {
			srtp[KMT_RTP_HLEN] ^= 1;
			kmt_send(r->alice, srtp, slen, &r->ra_addr);
		}
	}
	kmt_srtp_wait_stat(r->h, id, KMEDIA_STATS_A_DROP_SRTP_AUTH, 1, 1000,
			   &st[0]);
	printf("  alice -> relay: one more SRTP packet with a bit flipped\n");
	err = kmt_srtp_stats(r->h, id, st);
	if (!err)
		printf("  stream %u SRTP counters: rx %llu, tx %llu, dropped: "
		       "auth %llu, replay %llu, short %llu, mki %llu\n", id,
		       (unsigned long long)st[KMEDIA_STATS_A_RX_PACKETS],
		       (unsigned long long)st[KMEDIA_STATS_A_TX_PACKETS],
		       (unsigned long long)st[KMEDIA_STATS_A_DROP_SRTP_AUTH],
		       (unsigned long long)st[KMEDIA_STATS_A_DROP_SRTP_REPLAY],
		       (unsigned long long)st[KMEDIA_STATS_A_DROP_SRTP_SHORT],
		       (unsigned long long)st[KMEDIA_STATS_A_DROP_SRTP_MKI]);
	err = !err && ok == PACKETS && st[KMEDIA_STATS_A_TX_PACKETS] == PACKETS &&
	      st[KMEDIA_STATS_A_DROP_SRTP_AUTH] == 1 &&
	      kmt_queued(r->bob) == 0 ? 0 : -1;
out:
	kmt_libsrtp_free(alice);
	kmedia_stream_free(s);
	kmedia_srtp_free(ctx);
	return err;
}

int main(void)
{
	struct kmt_relay r;
	uint32_t a2b, b2a;
	int fail = 0;

	if (kmt_relay_setup(&r, AF_INET, AF_INET6, 0)) {
		fprintf(stderr, "kmt-demo-relay: cannot build the namespaces\n");
		return 1;
	}
	printf("  alice %s  <->  relay %s | %s  <->  bob %s\n",
	       kmt_addr_fmt(&r.alice_addr), kmt_addr_fmt(&r.ra_addr),
	       kmt_addr_fmt(&r.rb_addr), kmt_addr_fmt(&r.bob_addr));
	printf("  relay sockets attached to the kernel: %u (facing alice), %u (facing bob)\n",
	       r.ra_id, r.rb_id);

	if (add_stream(&r, r.ra_id, r.rb_id, &r.bob_addr, &a2b) ||
	    add_stream(&r, r.rb_id, r.ra_id, &r.alice_addr, &b2a)) {
		kmt_relay_teardown(&r);
		return 1;
	}
	printf("  streams %u (alice -> bob, IPv4 -> IPv6) and %u (bob -> alice)\n\n",
	       a2b, b2a);

	fail |= send_and_check(&r, r.alice, &r.ra_addr, r.bob, 0x11111111,
			       "alice -> bob") != 0;
	fail |= send_and_check(&r, r.bob, &r.rb_addr, r.alice, 0x22222222,
			       "bob -> alice") != 0;

	printf("\n  what the kernel reports (cookie 42):\n");
	kmedia_stream_dump(r.h, NULL, print_stream, NULL);

	/* The relay's own sockets saw every packet first, and kept none. */
	printf("\n  the relay's sockets, owned by this program:\n");
	fail |= report_socket(&r, r.ra, r.ra_id, "facing alice", PACKETS) != 0;
	fail |= report_socket(&r, r.rb, r.rb_id, "facing bob", PACKETS) != 0;

	/* the SRTP leg takes alice's side over from stream a2b */
	printf("\n  SRTP from alice, transcrypted to RTP for bob by the kernel:\n");
	fail |= kmedia_stream_del(r.h, a2b) != 0;
	fail |= srtp_leg(&r) != 0;
	printf("\n  the socket facing alice after the SRTP leg:\n");
	fail |= report_socket(&r, r.ra, r.ra_id, "facing alice",
			      2 * PACKETS + 1) != 0;
	kmt_relay_teardown(&r);
	return fail;
}
