// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-srtp-mem: what an SRTP stream costs in kernel memory, measured in
 * the test VM (Documentation/admin-guide.rst, "SRTP"):
 *
 *   tests/vm/run --kernel 6.12 -- tests/build/tools/kmt-srtp-mem [N]
 *
 * Attaches N relay sockets (default 1000) per round, then for plain RTP
 * and for each cipher family creates N streams, one per socket, each with
 * SRTP_IN and SRTP_OUT of the suite, and reads Slab + Percpu of
 * /proc/meminfo before and after. Nothing is freed until the end, so that
 * no round reuses objects an earlier one freed. An SRTP context costs
 * (SRTP stream - plain stream) / 2: two per stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/kmtest.h"
#include "../lib/kmsrtp.h"

#define PORT0	40000

/* Slab + Percpu of /proc/meminfo, in kB. */
static long kernel_kb(void)
{
	char line[256];
	long v, sum = 0;
	FILE *f;

	/* let RCU callbacks and work queues settle first */
	sleep(2);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &v) == 1 ||
		    sscanf(line, "Percpu: %ld kB", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

/*
 * kB the N streams of suite (KMEDIA_SRTP_NONE: plain) took; -1: failed.
 * Their IDs go to ids.
 */
static long round_kb(struct kmt_relay *r, const uint32_t *socks,
		     unsigned int n, uint32_t suite, uint32_t *ids)
{
	long before, after;
	unsigned int i;
	int err = 0;

	before = kernel_kb();
	for (i = 0; i < n && !err; i++) {
		struct kmt_srtp in, out;
		struct kmt_srtp_stream req = {
			.sock_in = socks[i], .sock_out = r->rb_id,
			.dst = r->bob_addr, .kind = KMEDIA_KIND_RTP,
		};

		if (suite != KMEDIA_SRTP_NONE) {
			kmt_srtp_init(&in, suite, 2 * i);
			kmt_srtp_init(&out, suite, 2 * i + 1);
			req.in = &in;
			req.out = &out;
		}
		err = kmt_srtp_stream_new(r->h, &req, &ids[i]);
		if (err)
			fprintf(stderr, "stream %u: %s (%s)\n", i, strerror(-err),
				kmedia_handle_extack(r->h) ? : "no extack");
	}
	after = kernel_kb();
	return err || before < 0 || after < 0 ? -1 : after - before;
}

int main(int argc, char **argv)
{
	static const struct {
		uint32_t suite;
		const char *what;
	} rounds[] = {
		{ KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80" },
		{ KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, "AES_256_CM_HMAC_SHA1_80" },
		{ KMEDIA_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM" },
		{ KMEDIA_SRTP_NULL_HMAC_SHA1_80, "NULL_HMAC_SHA1_80" },
		{ KMEDIA_SRTP_F8_128_HMAC_SHA1_80, "F8_128_HMAC_SHA1_80" },
	};
	const unsigned int nrounds = sizeof(rounds) / sizeof(rounds[0]) + 1;
	unsigned int n = argc > 1 ? (unsigned int)atoi(argv[1]) : 1000, i;
	struct rlimit rl = { nrounds * n + 64, nrounds * n + 64 };
	uint32_t *socks, *ids;
	struct kmt_relay r;
	long plain, kb;
	int fail = 0;

	if (!n || setrlimit(RLIMIT_NOFILE, &rl)) {
		perror("kmt-srtp-mem: RLIMIT_NOFILE");
		return 1;
	}
	socks = calloc(nrounds * n, sizeof(*socks));
	ids = calloc(nrounds * n, sizeof(*ids));
	if (!socks || !ids || kmt_relay_setup(&r, AF_INET, AF_INET, 0)) {
		fprintf(stderr, "kmt-srtp-mem: cannot build the namespaces\n");
		return 1;
	}
	for (i = 0; i < nrounds * n; i++) {
		int fd = kmt_relay_sock(&r, KMT_RELAY_A, AF_INET, PORT0 + i,
					NULL, &socks[i]);

		if (fd < 0) {
			fprintf(stderr, "kmt-srtp-mem: socket %u: %s\n", i,
				strerror(-fd));
			return 1;
		}
	}
	printf("kernel memory (Slab + Percpu) taken by %u streams a round, "
	       "%ld kB before:\n", n, kernel_kb());
	plain = round_kb(&r, socks, n, KMEDIA_SRTP_NONE, ids);
	printf("  %-26s %6ld kB  %5ld bytes a stream\n", "plain RTP", plain,
	       plain * 1024 / (long)n);
	fail |= plain < 0;
	for (i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
		kb = round_kb(&r, socks + (i + 1) * n, n, rounds[i].suite,
			      ids + (i + 1) * n);
		fail |= kb < 0;
		printf("  %-26s %6ld kB  %5ld bytes a stream, %5ld an SRTP "
		       "context\n", rounds[i].what, kb, kb * 1024 / (long)n,
		       (kb - plain) * 1024 / (long)n / 2);
	}
	for (i = 0; i < nrounds * n; i++)
		if (ids[i])
			kmedia_stream_del(r.h, ids[i]);
	kmt_relay_teardown(&r);
	free(socks);
	free(ids);
	return fail;
}
