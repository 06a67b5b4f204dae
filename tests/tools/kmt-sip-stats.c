// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-sip-stats: what the kernel relay of the current network namespace
 * holds and has relayed, for the kmediad suites: one line
 *
 *   streams N sockets N rx_packets N tx_packets N rx_bytes N tx_bytes N
 *
 * (packet counts summed over every stream the namespace ever had). With
 * "-c COOKIE" (hex) it prints the number of streams carrying that cookie;
 * with "-d" one line per stream: "ID rtp|rtcp DST cookie COOKIE in SUITE
 * out SUITE" (the SRTP suites the stream decrypts and encrypts with, or
 * RTP).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkmedia/libkmedia.h>
#include "../lib/kmtest.h"

static const char *suite_of(const struct kmedia_srtp *ctx)
{
	return ctx ? kmedia_srtp_suite_name(kmedia_srtp_get_suite(ctx)) ?: "?" :
		"RTP";
}

static int print_stream(const struct kmedia_stream *s, void *data)
{
	char dst[KMT_ADDRSTRLEN];
	const struct sockaddr *sa;
	socklen_t len;

	(void)data;
	sa = kmedia_stream_get_dst(s, &len);
	kmt_addr_str(sa, len, dst, sizeof(dst));
	printf("%u %s %s cookie %016" PRIx64 " in %s out %s\n",
	       kmedia_stream_get_id(s),
	       kmedia_stream_get_kind(s) == KMEDIA_KIND_RTCP ? "rtcp" : "rtp",
	       dst,
	       kmedia_stream_get_cookie(s),
	       suite_of(kmedia_stream_get_srtp_in(s)),
	       suite_of(kmedia_stream_get_srtp_out(s)));
	return 0;
}

static int count_stream(const struct kmedia_stream *s, void *data)
{
	(void)s;
	(*(unsigned int *)data)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct kmedia_handle *h;
	struct kmedia_netns *n = NULL;
	int err;

	err = kmedia_handle_open(&h);
	if (err) {
		fprintf(stderr, "kmt-sip-stats: %s\n", strerror(-err));
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "-d")) {
		err = kmedia_stream_dump(h, NULL, print_stream, NULL);
		kmedia_handle_close(h);
		return err ? 1 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-c")) {
		struct kmedia_stream *f = kmedia_stream_alloc();
		unsigned int count = 0;

		kmedia_stream_set_cookie(f, strtoull(argv[2], NULL, 16));
		err = kmedia_stream_dump(h, f, count_stream, &count);
		kmedia_stream_free(f);
		if (err) {
			fprintf(stderr, "kmt-sip-stats: dump: %s\n", strerror(-err));
			return 1;
		}
		printf("%u\n", count);
		kmedia_handle_close(h);
		return 0;
	}
	err = kmedia_netns_get(h, &n);
	if (err) {
		fprintf(stderr, "kmt-sip-stats: %s\n", strerror(-err));
		return 1;
	}
	printf("streams %u sockets %u rx_packets %" PRIu64 " tx_packets %" PRIu64
	       " rx_bytes %" PRIu64 " tx_bytes %" PRIu64 "\n",
	       kmedia_netns_get_u32(n, KMEDIA_NETNS_A_STREAMS),
	       kmedia_netns_get_u32(n, KMEDIA_NETNS_A_SOCKETS),
	       kmedia_netns_get_stat(n, KMEDIA_STATS_A_RX_PACKETS),
	       kmedia_netns_get_stat(n, KMEDIA_STATS_A_TX_PACKETS),
	       kmedia_netns_get_stat(n, KMEDIA_STATS_A_RX_BYTES),
	       kmedia_netns_get_stat(n, KMEDIA_STATS_A_TX_BYTES));
	kmedia_netns_free(n);
	kmedia_handle_close(h);
	return 0;
}
