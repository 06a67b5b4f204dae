// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-sip-streams: every kernel stream of the current network namespace
 * with its counters, for the kmediad suites that check media really
 * flowed (tests/suites/84-sip-baresip.sh): one line per stream,
 *
 *   ID rtp|rtcp DST in SUITE out SUITE rx N tx N auth N replay N idle MS
 *
 * SUITE is the SRTP suite the stream decrypts or encrypts with (or RTP);
 * auth and replay count the packets dropped by SRTP authentication and
 * replay checks; idle is the stream's idle timeout in milliseconds.
 */
#include <inttypes.h>
#include <stdio.h>
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
	printf("%u %s %s in %s out %s rx %" PRIu64 " tx %" PRIu64
	       " auth %" PRIu64 " replay %" PRIu64 " idle %u\n",
	       kmedia_stream_get_id(s),
	       kmedia_stream_get_kind(s) == KMEDIA_KIND_RTCP ? "rtcp" : "rtp",
	       dst, suite_of(kmedia_stream_get_srtp_in(s)),
	       suite_of(kmedia_stream_get_srtp_out(s)),
	       kmedia_stream_get_stat(s, KMEDIA_STATS_A_RX_PACKETS),
	       kmedia_stream_get_stat(s, KMEDIA_STATS_A_TX_PACKETS),
	       kmedia_stream_get_stat(s, KMEDIA_STATS_A_DROP_SRTP_AUTH),
	       kmedia_stream_get_stat(s, KMEDIA_STATS_A_DROP_SRTP_REPLAY),
	       kmedia_stream_get_idle_timeout(s));
	return 0;
}

int main(void)
{
	struct kmedia_handle *h;
	int err;

	err = kmedia_handle_open(&h);
	if (!err) {
		err = kmedia_stream_dump(h, NULL, print_stream, NULL);
		kmedia_handle_close(h);
	}
	if (err)
		fprintf(stderr, "kmt-sip-streams: %s\n", strerror(-err));
	return err ? 1 : 0;
}
