// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-keep: keep kmedia busy in a namespace of its own, for the unload test.
 *
 *   kmt-keep [SECONDS]
 *
 * Starts a daemon (new session, stdio on /dev/null) that unshares a network
 * namespace, attaches four UDP sockets, installs four streams (latching RTP
 * with an idle timer, rtcp-mux RTCP, strict IPv6 with an idle timer, IPv4
 * to IPv6), keeps an events subscriber open and sends RTP and RTCP through
 * them every 10 ms for SECONDS (default 600), ignoring errors (the module
 * may go away under it). Prints "ready PID" and exits 0 once a packet went
 * through every RTP stream; prints "error: ..." and exits 1 otherwise.
 *
 * tests/suites/89-keep.c starts it so that tests/suites/90-unload.sh
 * unloads the module with sockets, streams, timers, a subscriber and
 * traffic all live.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/kmtest.h"

struct keep {
	struct kmedia_handle *h;
	struct kmt_events *ev;
	int rin, rout, rin6, rout6;		/* attached */
	int dst, dst6, peer, peer6;		/* endpoints */
	struct kmt_addr ain, aout, ain6, aout6, adst, adst6, apeer, apeer6;
	uint32_t in, out, in6, out6;
	unsigned int seconds;			/* how long run() sends */
};

static int fail(int ready, const char *what, int err)
{
	dprintf(ready, "error: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int add(struct keep *k, uint32_t in, uint32_t out,
	       const struct kmt_addr *dst, enum kmedia_stream_kind kind,
	       enum kmedia_src_mode mode, const struct kmt_addr *src,
	       uint32_t idle)
{
	struct kmedia_stream *s = kmt_stream_spec(in, out, dst, kind);
	int ret;

	if (!s)
		return -ENOMEM;
	kmedia_stream_set_cookie(s, 0x6b656570);	/* "keep" */
	kmedia_stream_set_src_mode(s, mode);
	if (src)
		kmedia_stream_set_src(s, &src->sa, src->len);
	if (idle)
		kmedia_stream_set_idle_timeout(s, idle);
	ret = kmedia_stream_new(k->h, s);
	kmedia_stream_free(s);
	return ret;
}

static void send_rtp(int fd, const struct kmt_addr *to, uint32_t ssrc,
		     uint16_t seq)
{
	struct kmt_rtp rtp = { .pt = 0, .seq = seq, .ts = seq * 160u,
			       .ssrc = ssrc };
	uint8_t pkt[200];
	size_t len;

	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 160);
	kmt_send(fd, pkt, len, to);
}

static void drain(int fd)
{
	static struct kmt_msg m;

	while (kmt_recv(fd, &m, 0) == 0)
		;
}

static int setup(struct keep *k, int ready)
{
	struct kmt_msg m;
	int ret;

	if (unshare(CLONE_NEWNET))
		return fail(ready, "unshare", errno);
	ret = kmt_lo_up();
	if (ret)
		return fail(ready, "lo up", ret);
	k->rin = kmt_udp_bind(AF_INET, "127.0.0.1", 20000, &k->ain);
	k->rout = kmt_udp_bind(AF_INET, "127.0.0.1", 20002, &k->aout);
	k->rin6 = kmt_udp_bind(AF_INET6, "::1", 20000, &k->ain6);
	k->rout6 = kmt_udp_bind(AF_INET6, "::1", 20002, &k->aout6);
	k->dst = kmt_udp_bind(AF_INET, "127.0.0.1", 30000, &k->adst);
	k->dst6 = kmt_udp_bind(AF_INET6, "::1", 30000, &k->adst6);
	k->peer = kmt_udp_bind(AF_INET, "127.0.0.1", 40000, &k->apeer);
	k->peer6 = kmt_udp_bind(AF_INET6, "::1", 40000, &k->apeer6);
	if (k->rin < 0 || k->rout < 0 || k->rin6 < 0 || k->rout6 < 0 ||
	    k->dst < 0 || k->dst6 < 0 || k->peer < 0 || k->peer6 < 0)
		return fail(ready, "sockets", EIO);
	ret = kmt_handle(&k->h);
	if (ret)
		return fail(ready, "kmedia handle", ret);
	ret = kmt_events_open(&k->ev);
	if (ret)
		return fail(ready, "events subscriber", ret);
	ret = kmedia_sock_attach(k->h, k->rin, &k->in);
	if (!ret)
		ret = kmedia_sock_attach(k->h, k->rout, &k->out);
	if (!ret)
		ret = kmedia_sock_attach(k->h, k->rin6, &k->in6);
	if (!ret)
		ret = kmedia_sock_attach(k->h, k->rout6, &k->out6);
	if (ret)
		return fail(ready, "attach", ret);

	ret = add(k, k->in, k->out, &k->adst, KMEDIA_KIND_RTP,
		  KMEDIA_SRC_LATCH, NULL, 200);
	if (!ret)
		ret = add(k, k->in, k->out, &k->adst, KMEDIA_KIND_RTCP,
			  KMEDIA_SRC_ANY, NULL, 0);
	if (!ret)
		ret = add(k, k->in6, k->out6, &k->adst6, KMEDIA_KIND_RTP,
			  KMEDIA_SRC_STRICT, &k->apeer6, 150);
	/* what arrives on rout (v4) goes out of rin6 (v6) */
	if (!ret)
		ret = add(k, k->out, k->in6, &k->adst6, KMEDIA_KIND_RTP,
			  KMEDIA_SRC_ANY, NULL, 0);
	if (ret)
		return fail(ready, "streams", ret);

	send_rtp(k->peer, &k->ain, 0x6b01, 0);
	if (kmt_recv(k->dst, &m, 5000))
		return fail(ready, "nothing through the v4 stream", ETIMEDOUT);
	send_rtp(k->peer6, &k->ain6, 0x6b02, 0);
	if (kmt_recv(k->dst6, &m, 5000))
		return fail(ready, "nothing through the v6 stream", ETIMEDOUT);
	send_rtp(k->peer, &k->aout, 0x6b03, 0);
	if (kmt_recv(k->dst6, &m, 5000))
		return fail(ready, "nothing through the v4 to v6 stream",
			    ETIMEDOUT);
	return 0;
}

static void run(struct keep *k, unsigned int seconds)
{
	uint64_t end = kmt_now_ms() + seconds * 1000ULL;
	uint8_t sr[64];
	size_t srlen = kmt_rtcp_build(sr, sizeof(sr), 200, 0x6b01);
	uint16_t seq = 1;

	while (kmt_now_ms() < end) {
		send_rtp(k->peer, &k->ain, 0x6b01, seq);
		send_rtp(k->peer6, &k->ain6, 0x6b02, seq);
		send_rtp(k->peer, &k->aout, 0x6b03, seq);
		if (seq % 10 == 0)
			kmt_send(k->peer, sr, srlen, &k->ain);
		seq++;
		kmt_sleep_ms(10);
		drain(k->dst);
		drain(k->dst6);
		drain(k->rin);
		drain(k->rin6);
		drain(k->rout);
		drain(k->peer);
		drain(k->peer6);
	}
}

static int keep_setup(int ready, void *arg)
{
	struct keep *k = arg;

	if (setup(k, ready))
		return 1;
	dprintf(ready, "ready %d\n", (int)getpid());
	return 0;
}

static void keep_run(void *arg)
{
	struct keep *k = arg;

	run(k, k->seconds);
}

int main(int argc, char **argv)
{
	struct keep k;

	memset(&k, 0, sizeof(k));
	k.seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 600;
	return kmt_daemon(keep_setup, keep_run, &k);
}
