// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: how sockets and streams end. Closing the last descriptor of
 * an attached socket detaches it and frees every stream using it, as
 * ingress or egress (a dup keeps it attached); a network namespace dies
 * with attached sockets, live streams, timers, subscribers and traffic in
 * flight (its owner killed, or the named namespace deleted first) without a
 * kernel complaint (the suite runner's dmesg check); the per-namespace cap
 * on streams (module parameter max_streams) refuses with -ENOSPC and an
 * extended ACK, namespace by namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

#define WAIT_MS	5000

FIXTURE(life)
{
	struct kmedia_handle *h;
};

FIXTURE_SETUP(life)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
}

FIXTURE_TEARDOWN(life)
{
	if (self->h)
		kmedia_handle_close(self->h);
}

static int attach(struct __test_metadata *_metadata, struct kmedia_handle *h,
		  struct kmt_addr *bound, uint32_t *idp)
{
	int fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, bound);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(h, fd, idp)) KMT_LOG_EXTACK(h);
	return fd;
}

static void expect_totals(struct __test_metadata *_metadata,
			  struct kmedia_handle *h, uint32_t socks,
			  uint32_t streams)
{
	uint32_t v = UINT32_MAX;

	EXPECT_EQ(0, kmt_wait_netns_u32(h, KMEDIA_NETNS_A_SOCKETS, socks,
					WAIT_MS, &v));
	EXPECT_EQ(socks, v);
	EXPECT_EQ(0, kmt_wait_netns_u32(h, KMEDIA_NETNS_A_STREAMS, streams,
					WAIT_MS, &v));
	EXPECT_EQ(streams, v);
}

TEST_F(life, closing_the_fd_detaches_and_frees_its_streams)
{
	struct kmt_addr a1, a2, dst;
	struct kmedia_stream *s = NULL;
	struct kmedia_sock *sk = NULL;
	uint32_t s1, s2, ids[3];
	int f1, f2, fd, i;

	f1 = attach(_metadata, self->h, &a1, &s1);
	f2 = attach(_metadata, self->h, &a2, &s2);
	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &dst);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmt_stream_add(self->h, s1, s2, &dst, KMEDIA_KIND_RTP, 0,
				    &ids[0]));
	ASSERT_EQ(0, kmt_stream_add(self->h, s1, s2, &dst, KMEDIA_KIND_RTCP, 0,
				    &ids[1]));
	/* s1 is only the egress of this one */
	ASSERT_EQ(0, kmt_stream_add(self->h, s2, s1, &dst, KMEDIA_KIND_RTP, 0,
				    &ids[2]));
	expect_totals(_metadata, self->h, 2, 3);

	ASSERT_EQ(0, close(f1));
	expect_totals(_metadata, self->h, 1, 0);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-ENOENT, kmedia_stream_get(self->h, ids[i], &s))
			TH_LOG("stream %u", ids[i]);
		kmedia_stream_free(s);
		s = NULL;
	}
	EXPECT_EQ(-ENOENT, kmedia_sock_get(self->h, s1, &sk));
	ASSERT_EQ(0, kmedia_sock_get(self->h, s2, &sk));
	EXPECT_EQ(0, kmedia_sock_get_streams(sk));
	kmedia_sock_free(sk);

	ASSERT_EQ(0, close(f2));
	expect_totals(_metadata, self->h, 0, 0);
	close(fd);
}

TEST_F(life, closing_an_egress_socket_frees_its_streams)
{
	struct kmt_addr a1, a2, dst, peer_addr;
	struct kmt_rtp rtp = { .pt = 0, .seq = 1, .ssrc = 9 };
	struct kmedia_stream *s = NULL;
	uint8_t pkt[64];
	struct kmt_msg m;
	uint32_t s1, s2, id;
	uint64_t v = 0;
	int f1, f2, fd, peer;
	size_t len;

	f1 = attach(_metadata, self->h, &a1, &s1);
	f2 = attach(_metadata, self->h, &a2, &s2);
	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &dst);
	peer = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &peer_addr);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, peer);
	ASSERT_EQ(0, kmt_stream_add(self->h, s1, s2, &dst, KMEDIA_KIND_RTP, 0,
				    &id));
	/* it forwards */
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 20);
	ASSERT_EQ(0, kmt_send(peer, pkt, len, &a1));
	KMT_ASSERT_RECV(fd, &m, pkt, len, &a2, WAIT_MS);

	ASSERT_EQ(0, close(f2));
	expect_totals(_metadata, self->h, 1, 0);
	EXPECT_EQ(-ENOENT, kmedia_stream_get(self->h, id, &s));

	/* the ingress socket is still attached and gets what has no stream */
	ASSERT_EQ(0, kmt_send(peer, pkt, len, &a1));
	KMT_ASSERT_RECV(f1, &m, pkt, len, &peer_addr, WAIT_MS);
	KMT_ASSERT_EMPTY(fd);
	ASSERT_EQ(0, kmt_sock_stat(self->h, s1,
				   KMEDIA_SOCK_STATS_A_PASS_NO_STREAM, &v));
	EXPECT_EQ(1, v);
	close(f1);
	close(fd);
	close(peer);
}

TEST_F(life, socket_stays_attached_while_a_dup_is_open)
{
	struct kmt_addr a1, a2, dst, peer_addr;
	struct kmt_rtp rtp = { .pt = 0, .seq = 1, .ssrc = 10 };
	uint8_t pkt[64];
	struct kmt_msg m;
	uint32_t s1, s2, id, v;
	int f1, f2, dup1, fd, peer;
	size_t len;

	f1 = attach(_metadata, self->h, &a1, &s1);
	f2 = attach(_metadata, self->h, &a2, &s2);
	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &dst);
	peer = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &peer_addr);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, peer);
	ASSERT_EQ(0, kmt_stream_add(self->h, s1, s2, &dst, KMEDIA_KIND_RTP, 0,
				    &id));
	dup1 = dup(f1);
	ASSERT_LE(0, dup1);

	/* close() has released the file when it returns: not the last one */
	ASSERT_EQ(0, close(f1));
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &v));
	EXPECT_EQ(2, v);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &v));
	EXPECT_EQ(1, v);
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 20);
	ASSERT_EQ(0, kmt_send(peer, pkt, len, &a1));
	KMT_ASSERT_RECV(fd, &m, pkt, len, &a2, WAIT_MS);

	ASSERT_EQ(0, close(dup1));
	expect_totals(_metadata, self->h, 1, 0);
	close(f2);
	close(fd);
	close(peer);
}

/*
 * In a child: a namespace of its own with attached sockets, streams of
 * every kind and mode (idle timers armed), an events subscriber and a
 * sender thread; writes 'R' to ready once media flows, then waits to be
 * killed (or, with exit_alone, exits by itself while the sender runs).
 * Returns the step that failed.
 */
static int live_namespace(int ready, bool exit_alone, const char *netns)
{
	struct kmt_addr ain, aout, ain6, aout6, dst, dst6;
	struct kmt_addr peer_addr, peer6_addr;
	struct kmedia_handle *h = NULL;
	struct kmt_events *ev = NULL;
	struct kmedia_stream *s;
	uint32_t in, out, in6, out6, id;
	struct kmt_flow f, f6;
	struct kmt_msg m;
	int fin, fout, fin6, fout6, fd, fd6, peer, peer6;

	if (netns) {
		char path[128];
		int nsfd;

		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || kmt_netns_enter_fd(nsfd))
			return 1;
		close(nsfd);
	} else if (unshare(CLONE_NEWNET)) {
		return 1;
	}
	if (kmt_lo_up())
		return 2;
	fin = kmt_udp_bind(AF_INET, "127.0.0.1", 20000, &ain);
	fout = kmt_udp_bind(AF_INET, "127.0.0.1", 20002, &aout);
	fin6 = kmt_udp_bind(AF_INET6, "::1", 20000, &ain6);
	fout6 = kmt_udp_bind(AF_INET6, "::1", 20002, &aout6);
	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 30000, &dst);
	fd6 = kmt_udp_bind(AF_INET6, "::1", 30000, &dst6);
	peer = kmt_udp_bind(AF_INET, "127.0.0.1", 40000, &peer_addr);
	peer6 = kmt_udp_bind(AF_INET6, "::1", 40000, &peer6_addr);
	if (fin < 0 || fout < 0 || fin6 < 0 || fout6 < 0 || fd < 0 ||
	    fd6 < 0 || peer < 0 || peer6 < 0)
		return 3;
	if (kmt_handle(&h) || kmt_events_open(&ev))
		return 4;
	if (kmedia_sock_attach(h, fin, &in) ||
	    kmedia_sock_attach(h, fout, &out) ||
	    kmedia_sock_attach(h, fin6, &in6) ||
	    kmedia_sock_attach(h, fout6, &out6))
		return 5;

	/* latching RTP with an idle timer, RTCP, strict v6, v4 to v6 */
	s = kmt_stream_spec(in, out, &dst, KMEDIA_KIND_RTP);
	if (!s)
		return 6;
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_LATCH);
	kmedia_stream_set_idle_timeout(s, 100);
	kmedia_stream_set_cookie(s, 1);
	if (kmedia_stream_new(h, s))
		return 7;
	kmedia_stream_free(s);
	if (kmt_stream_add(h, in, out, &dst, KMEDIA_KIND_RTCP, 1, &id) ||
	    kmt_stream_add(h, out, in6, &dst6, KMEDIA_KIND_RTP, 1, &id))
		return 8;
	s = kmt_stream_spec(in6, out6, &dst6, KMEDIA_KIND_RTP);
	if (!s)
		return 9;
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	kmedia_stream_set_idle_timeout(s, 50);
	if (kmedia_stream_set_src(s, &peer6_addr.sa, peer6_addr.len) ||
	    kmedia_stream_new(h, s))
		return 10;
	kmedia_stream_free(s);

	kmt_flow_init(&f, peer, &ain, 1000000, 5000);
	kmt_flow_init(&f6, peer6, &ain6, 1000000, 1000);
	if (kmt_flow_start(&f) || kmt_flow_start(&f6))
		return 11;
	if (kmt_recv(fd, &m, WAIT_MS) || kmt_flow_index(m.buf, m.len) < 0)
		return 12;
	if (write(ready, "R", 1) != 1)
		return 13;
	if (exit_alone) {
		kmt_sleep_ms(100);
		_exit(0);	/* sender still running, nothing closed */
	}
	for (;;)
		pause();
}

/* Start live_namespace() in a child and wait for it to be ready. */
static pid_t start_live(struct __test_metadata *_metadata, bool exit_alone,
			const char *netns)
{
	struct pollfd pfd;
	int p[2], status;
	pid_t pid;
	char c = 0;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[0]);
		_exit(live_namespace(p[1], exit_alone, netns));
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 20000) != 1 || read(p[0], &c, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ASSERT_EQ('R', c)
			TH_LOG("child not ready, status %#x (step %d)", status,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	close(p[0]);
	return pid;
}

/* After a namespace died, the module still serves a fresh one. */
static void module_still_works(struct __test_metadata *_metadata,
			       struct kmedia_handle *h)
{
	struct kmt_addr a;
	uint32_t id, v;
	int fd;

	fd = attach(_metadata, h, &a, &id);
	ASSERT_EQ(0, kmt_stream_add(h, id, id, &a, KMEDIA_KIND_RTP, 0, &id));
	ASSERT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &v));
	EXPECT_EQ(1, v);
	close(fd);
}

TEST_F_TIMEOUT(life, netns_dies_with_live_streams_owner_killed, 60)
{
	int status;
	pid_t pid;

	pid = start_live(_metadata, false, NULL);
	kmt_sleep_ms(200);	/* let the idle timers and traffic run */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
	module_still_works(_metadata, self->h);
}

TEST_F_TIMEOUT(life, netns_dies_with_live_streams_owner_exits, 60)
{
	int status;
	pid_t pid;

	pid = start_live(_metadata, true, NULL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("status %#x", status);
	module_still_works(_metadata, self->h);
}

TEST_F_TIMEOUT(life, named_netns_deleted_before_its_owner_dies, 60)
{
	char name[64];
	int status;
	pid_t pid;

	kmt_netns_name(name, sizeof(name), "x");
	ASSERT_EQ(0, kmt_sh("ip netns add %s", name));
	pid = start_live(_metadata, false, name);
	/* the name goes first; the namespace lives on in the child */
	EXPECT_EQ(0, kmt_sh("ip netns del %s", name));
	kmt_sleep_ms(200);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	module_still_works(_metadata, self->h);
}

/* ---- the per-namespace cap ---- */

FIXTURE(cap)
{
	char orig[32];
	struct kmedia_handle *h;
};

FIXTURE_SETUP(cap)
{
	ASSERT_EQ(0, kmt_param_read("max_streams", self->orig,
				    sizeof(self->orig)))
		TH_LOG("/sys/module/kmedia/parameters/max_streams unreadable");
	ASSERT_EQ(0, kmt_param_write("max_streams", "4"));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
}

FIXTURE_TEARDOWN(cap)
{
	if (self->h)
		kmedia_handle_close(self->h);
	EXPECT_EQ(0, kmt_param_write("max_streams", self->orig));
}

/* Fill a fresh namespace up to the cap of 4, check the 5th is refused. */
static void fill_to_cap(struct __test_metadata *_metadata,
			struct kmedia_handle *h, uint32_t *ids)
{
	struct kmt_addr a, dst;
	uint32_t in[5], out, v = 0;
	int i, fd;

	ASSERT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS_MAX, &v));
	EXPECT_EQ(4, v);
	fd = attach(_metadata, h, &dst, &out);
	for (i = 0; i < 5; i++)
		fd = attach(_metadata, h, &a, &in[i]);
	(void)fd;
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kmt_stream_add(h, in[i], out, &dst,
					    KMEDIA_KIND_RTP, 0, &ids[i]))
			KMT_LOG_EXTACK(h);
	KMT_ASSERT_REFUSED(h, kmt_stream_add(h, in[4], out, &dst,
					     KMEDIA_KIND_RTP, 0, &ids[4]),
			   ENOSPC);
	ASSERT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &v));
	EXPECT_EQ(4, v);

	/* room again after a delete */
	ASSERT_EQ(0, kmedia_stream_del(h, ids[0]));
	ASSERT_EQ(0, kmt_stream_add(h, in[4], out, &dst, KMEDIA_KIND_RTP, 0,
				    &ids[0]))
		KMT_LOG_EXTACK(h);
	KMT_ASSERT_REFUSED(h, kmt_stream_add(h, in[0], out, &dst,
					     KMEDIA_KIND_RTCP, 0, &ids[4]),
			   ENOSPC);
}

TEST_F(cap, stream_cap_is_per_netns)
{
	struct kmedia_handle *h2;
	uint32_t ids[5], v = 0;

	fill_to_cap(_metadata, self->h, ids);

	/* another namespace has its own quota */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&h2));
	fill_to_cap(_metadata, h2, ids);
	kmedia_handle_close(h2);

	/* lowering the cap keeps what exists and refuses more */
	ASSERT_EQ(0, kmt_param_write("max_streams", "2"));
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &v));
	EXPECT_EQ(4, v);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS_MAX, &v));
	EXPECT_EQ(2, v);
}

TEST_HARNESS_MAIN
