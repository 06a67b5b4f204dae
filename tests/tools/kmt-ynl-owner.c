// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-ynl-owner: the sockets and stream tests/suites/75-ynl.sh reads back
 * with the kernel's YNL tool, and the packets that make its events.
 *
 *   kmt-ynl-owner start
 *	Starts a daemon (new session, stdio on /dev/null) in the current
 *	network namespace that binds three UDP sockets on 127.0.0.1 (ports
 *	KMT_YNL_IN, KMT_YNL_OUT and the sink KMT_YNL_DST), attaches the first
 *	two, and installs one latching RTP stream from the first to the sink
 *	with an idle timeout of KMT_YNL_IDLE_MS and the cookie KMT_YNL_COOKIE.
 *	Streams need a live owner of their sockets: the daemon holds them
 *	until it is killed. Prints
 *	  ready PID stream ID sock-in ID sock-out ID
 *	and exits 0 once all that is in place; prints "error: ..." and exits
 *	1 otherwise.
 *   kmt-ynl-owner pulse STREAM
 *	Sets stream STREAM back to latching (so that it latches again) and
 *	sends it one RTP packet from a new socket: the stream announces the
 *	packet's source, then goes idle KMT_YNL_IDLE_MS later.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/kmtest.h"

#define KMT_YNL_IN	21000
#define KMT_YNL_OUT	21002
#define KMT_YNL_DST	31000
#define KMT_YNL_IDLE_MS	300
#define KMT_YNL_COOKIE	0x796e6c	/* "ynl" */

static int fail(int out, const char *what, int err)
{
	dprintf(out, "error: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

/* Everything the daemon owns; its descriptors stay open until it dies. */
static int setup(int ready)
{
	struct kmt_addr ain, aout, adst;
	uint32_t in, out, id;
	struct kmedia_stream *s;
	struct kmedia_handle *h;
	int rin, rout, dst, ret;

	rin = kmt_udp_bind(AF_INET, "127.0.0.1", KMT_YNL_IN, &ain);
	rout = kmt_udp_bind(AF_INET, "127.0.0.1", KMT_YNL_OUT, &aout);
	dst = kmt_udp_bind(AF_INET, "127.0.0.1", KMT_YNL_DST, &adst);
	if (rin < 0 || rout < 0 || dst < 0)
		return fail(ready, "sockets", rin < 0 ? rin : rout < 0 ? rout : dst);
	ret = kmt_handle(&h);
	if (ret)
		return fail(ready, "kmedia handle", ret);
	ret = kmedia_sock_attach(h, rin, &in);
	if (!ret)
		ret = kmedia_sock_attach(h, rout, &out);
	if (ret)
		return fail(ready, "attach", ret);
	s = kmt_stream_spec(in, out, &adst, KMEDIA_KIND_RTP);
	if (!s)
		return fail(ready, "stream", ENOMEM);
	kmedia_stream_set_cookie(s, KMT_YNL_COOKIE);
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_LATCH);
	kmedia_stream_set_idle_timeout(s, KMT_YNL_IDLE_MS);
	ret = kmedia_stream_new(h, s);
	id = kmedia_stream_get_id(s);
	kmedia_stream_free(s);
	if (ret)
		return fail(ready, "stream", ret);
	dprintf(ready, "ready %d stream %" PRIu32 " sock-in %" PRIu32
		" sock-out %" PRIu32 "\n", (int)getpid(), id, in, out);
	return 0;
}

static int owner_setup(int ready, void *arg)
{
	(void)arg;
	return setup(ready);
}

static void owner_run(void *arg)
{
	(void)arg;
	for (;;)
		pause();
}

static int pulse(uint32_t id)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = 1, .ts = 160, .ssrc = 0x796e6c01 };
	struct kmedia_handle *h;
	struct kmedia_stream *s;
	struct kmt_addr to;
	uint8_t pkt[200];
	int fd, ret;
	size_t len;

	ret = kmt_handle(&h);
	if (ret)
		return fail(1, "kmedia handle", ret);
	s = kmedia_stream_alloc();
	if (!s)
		return fail(1, "stream", ENOMEM);
	kmedia_stream_set_id(s, id);
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_LATCH);
	ret = kmedia_stream_change(h, s);
	kmedia_stream_free(s);
	kmedia_handle_close(h);
	if (ret)
		return fail(1, "stream change", ret);

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	if (fd < 0)
		return fail(1, "socket", fd);
	kmt_addr_make(&to, AF_INET, "127.0.0.1", KMT_YNL_IN);
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	ret = kmt_send(fd, pkt, len, &to);
	close(fd);
	return ret ? fail(1, "send", ret) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "start"))
		return kmt_daemon(owner_setup, owner_run, NULL);
	if (argc == 3 && !strcmp(argv[1], "pulse"))
		return pulse(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: kmt-ynl-owner start | pulse STREAM\n");
	return 2;
}
