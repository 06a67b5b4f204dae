// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: how sockets and streams end. Closing the last descriptor of
 * an attached socket detaches it and frees every stream using it, as
 * ingress or egress (a dup keeps it attached); a network namespace dies
 * with attached sockets, live streams, timers, subscribers and traffic in
 * flight (its owner killed, or the named namespace deleted first) without a
 * kernel complaint (the suite runner's dmesg check); the per-namespace cap
 * on streams (module parameter max_streams) refuses with -ENOSPC and an
 * extended ACK, namespace by namespace. Another namespace's streams and
 * sockets are out of reach by ID, dump and flush; a caller without
 * CAP_NET_ADMIN over the namespace (in a user namespace of its own) gets
 * -EPERM for every command and the events group, yet manages a namespace
 * its user namespace owns.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <sys/syscall.h>
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

/* ---- reaching into another namespace ---- */

static int count_stream(const struct kmedia_stream *s, void *data)
{
	(void)s;
	(*(unsigned int *)data)++;
	return 0;
}

static int count_sock(const struct kmedia_sock *s, void *data)
{
	(void)s;
	(*(unsigned int *)data)++;
	return 0;
}

#define KMT_ASSERT_EXTACK(h, text) \
	ASSERT_STREQ(text, kmedia_handle_extack(h) ? : "(none)")

TEST_F(life, streams_of_another_namespace_are_out_of_reach)
{
	const uint64_t cookie = 0x5eed;
	struct kmedia_stream *s = NULL, *filter;
	struct kmt_addr a, dst, dst2;
	uint32_t in, out, sx, yid, ys, n;
	const struct sockaddr *sa;
	struct kmedia_handle *hy;
	unsigned int count;
	int fd_in, fd_out, fd_y;
	socklen_t len = 0;

	/* namespace X: two sockets and a stream */
	fd_in = attach(_metadata, self->h, &a, &in);
	fd_out = attach(_metadata, self->h, &a, &out);
	ASSERT_EQ(0, kmt_addr_make(&dst, AF_INET, "127.0.0.1", 9));
	ASSERT_EQ(0, kmt_addr_make(&dst2, AF_INET, "127.0.0.2", 10));
	ASSERT_EQ(0, kmt_stream_add(self->h, in, out, &dst, KMEDIA_KIND_RTP,
				    cookie, &sx))
		KMT_LOG_EXTACK(self->h);

	/* namespace Y, where the module is as present as in X */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&hy));
	expect_totals(_metadata, hy, 0, 0);

	/* X's stream by its ID */
	KMT_ASSERT_REFUSED(hy, kmedia_stream_get(hy, sx, &s), ENOENT);
	KMT_ASSERT_EXTACK(hy, "stream.id: no such stream");
	EXPECT_EQ(NULL, s);
	KMT_ASSERT_REFUSED(hy, kmt_stream_set_dst(hy, sx, KMT_ANY, &dst2),
			   ENOENT);
	KMT_ASSERT_EXTACK(hy, "stream.id: no such stream");
	KMT_ASSERT_REFUSED(hy, kmedia_stream_del(hy, sx), ENOENT);
	KMT_ASSERT_EXTACK(hy, "stream.id: no such stream");

	/* dumps, filtered or not, and flushes see nothing of X */
	count = 0;
	ASSERT_EQ(0, kmedia_stream_dump(hy, NULL, count_stream, &count));
	EXPECT_EQ(0, count);
	filter = kmedia_stream_alloc();
	ASSERT_NE(NULL, filter);
	kmedia_stream_set_sock_in(filter, in);
	ASSERT_EQ(0, kmedia_stream_dump(hy, filter, count_stream, &count));
	EXPECT_EQ(0, count);
	kmedia_stream_free(filter);
	ASSERT_EQ(0, kmedia_stream_flush(hy, &cookie, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, kmedia_stream_flush(hy, NULL, &n));
	EXPECT_EQ(0, n);

	/* X's sockets by their IDs */
	KMT_ASSERT_REFUSED(hy, kmt_stream_add(hy, in, out, &dst,
					      KMEDIA_KIND_RTCP, 0, &ys),
			   ENOENT);
	KMT_ASSERT_EXTACK(hy, "stream: no such socket");
	count = 0;
	ASSERT_EQ(0, kmedia_sock_dump(hy, count_sock, &count));
	EXPECT_EQ(0, count);
	KMT_ASSERT_REFUSED(hy, kmedia_sock_detach(hy, out), ENOENT);
	KMT_ASSERT_EXTACK(hy, "sock.id: no such socket");

	/*
	 * Y's own socket and stream (their IDs may well equal X's: IDs are
	 * per namespace): a stream of Y cannot use X's egress socket, and
	 * Y's flush by X's cookie takes only Y's stream.
	 */
	fd_y = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd_y);
	ASSERT_EQ(0, kmedia_sock_attach(hy, fd_y, &yid)) KMT_LOG_EXTACK(hy);
	if (yid != out) {
		KMT_ASSERT_REFUSED(hy, kmt_stream_add(hy, yid, out, &dst,
						      KMEDIA_KIND_RTP, 0, &ys),
				   ENOENT);
		KMT_ASSERT_EXTACK(hy, "stream: no such socket");
	}
	ASSERT_EQ(0, kmt_stream_add(hy, yid, yid, &dst2, KMEDIA_KIND_RTP,
				    cookie, &ys))
		KMT_LOG_EXTACK(hy);
	TH_LOG("X: sockets %u and %u, stream %u; Y: socket %u, stream %u",
	       in, out, sx, yid, ys);
	ASSERT_EQ(0, kmedia_stream_flush(hy, &cookie, &n));
	EXPECT_EQ(1, n);
	ASSERT_EQ(0, kmedia_sock_detach(hy, yid));
	close(fd_y);
	expect_totals(_metadata, hy, 0, 0);
	kmedia_handle_close(hy);

	/* the handle opened in X still speaks to X, from this thread in Y */
	expect_totals(_metadata, self->h, 2, 1);
	ASSERT_EQ(0, kmedia_stream_get(self->h, sx, &s));
	EXPECT_EQ(cookie, kmedia_stream_get_cookie(s));
	EXPECT_EQ(in, kmedia_stream_get_sock_in(s));
	EXPECT_EQ(out, kmedia_stream_get_sock_out(s));
	sa = kmedia_stream_get_dst(s, &len);
	ASSERT_NE(NULL, sa);
	EXPECT_TRUE(kmt_addr_equal(&dst, sa, len));
	kmedia_stream_free(s);

	/* X's sockets are closed from Y: X's objects go */
	close(fd_in);
	close(fd_out);
	expect_totals(_metadata, self->h, 0, 0);
}

/* ---- a caller without CAP_NET_ADMIN over the namespace ---- */

/* A bound UDP socket, without kmt_udp_bind()'s forced buffer. */
static int plain_udp(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Every command, and joining the events group, on h: each must fail with
 * -EPERM. Returns how many did not.
 */
static int all_refused(struct kmedia_handle *h, uint32_t sock_id,
		       uint32_t stream_id, const struct kmt_addr *dst)
{
	struct kmedia_netns *netns = NULL;
	struct kmedia_stream *s = NULL;
	struct kmedia_sock *sk = NULL;
	unsigned int count = 0;
	uint32_t id = 0, n = 0;
	int fd = plain_udp(), wrong = 0, ret[12], i;

	/* one after the other: stream del and sock detach come last */
	ret[0] = kmedia_netns_get(h, &netns);
	ret[1] = fd < 0 ? fd : kmedia_sock_attach(h, fd, &id);
	ret[2] = kmedia_sock_get(h, sock_id, &sk);
	ret[3] = kmedia_sock_dump(h, count_sock, &count);
	ret[4] = kmt_stream_add(h, sock_id, sock_id, dst, KMEDIA_KIND_RTCP, 0,
				&id);
	ret[5] = kmt_stream_set_dst(h, stream_id, KMT_ANY, dst);
	ret[6] = kmedia_stream_get(h, stream_id, &s);
	ret[7] = kmedia_stream_dump(h, NULL, count_stream, &count);
	ret[8] = kmedia_stream_flush(h, NULL, &n);
	ret[9] = kmedia_stream_del(h, stream_id);
	ret[10] = kmedia_sock_detach(h, sock_id);
	ret[11] = kmedia_handle_subscribe(h);
	static const char *const what[] = {
		"netns get", "sock attach", "sock get", "sock dump",
		"stream new", "stream change", "stream get", "stream dump",
		"stream flush", "stream del", "sock detach", "subscribe",
	};

	for (i = 0; i < 12; i++) {
		if (ret[i] == -EPERM)
			continue;
		fprintf(stderr, "# %s: %d (%s), not EPERM\n", what[i], ret[i],
			strerror(-ret[i]));
		wrong++;
	}
	if (netns || sk || s || count)
		wrong++;
	if (fd >= 0)
		close(fd);
	return wrong;
}

/* Drop CAP_NET_ADMIN from every set of the calling process, uid 0 kept. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned int bit = CAP_NET_ADMIN % 32, word = CAP_NET_ADMIN / 32;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[word].effective &= ~(1u << bit);
	data[word].permitted &= ~(1u << bit);
	data[word].inheritable &= ~(1u << bit);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * The test VM runs the suites chrooted into the host's root, and a
 * chrooted process may not create a user namespace (unshare(2)). This
 * child leaves the chroot the classic way: chroot into a subdirectory
 * while the working directory stays outside it, climb with "..", and
 * make where it ends the root. It execs nothing, so losing the files is
 * fine.
 */
static int leave_chroot(void)
{
	int i;

	if (chdir("/") || chroot("/tmp"))
		return -errno;
	for (i = 0; i < 64; i++)
		if (chdir(".."))
			return -errno;
	if (chroot("."))
		return -errno;
	return 0;
}

#define USERNS_UNAVAILABLE	77

/*
 * In a user namespace of its own: full capabilities there, none over the
 * namespace X that hx and the caller are in. Then in a network namespace
 * the new user namespace owns, where kmedia is the caller's to use.
 */
static int userns_child(struct kmedia_handle *hx, uint32_t sock_id,
			uint32_t stream_id, const struct kmt_addr *dst)
{
	struct kmedia_handle *h;
	uint32_t id, sid, v = 0;
	int wrong, fd, ret;

	ret = leave_chroot();
	if (!ret && unshare(CLONE_NEWUSER))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "# no user namespace here: %s\n",
			strerror(-ret));
		return USERNS_UNAVAILABLE;
	}
	/* root's handle, and one opened now */
	wrong = all_refused(hx, sock_id, stream_id, dst);
	if (kmt_handle(&h))
		return 101;
	wrong += all_refused(h, sock_id, stream_id, dst);
	kmedia_handle_close(h);

	if (unshare(CLONE_NEWNET) || kmt_lo_up() || kmt_handle(&h))
		return 102;
	fd = plain_udp();
	if (fd < 0 || kmedia_sock_attach(h, fd, &id) ||
	    kmt_stream_add(h, id, id, dst, KMEDIA_KIND_RTP, 0, &sid) ||
	    kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &v) || v != 1 ||
	    kmedia_handle_subscribe(h)) {
		fprintf(stderr, "# own namespace: %s\n",
			kmedia_handle_extack(h) ? : "refused");
		return 103;
	}
	/* owning one namespace gives nothing over X */
	wrong += all_refused(hx, sock_id, stream_id, dst);
	kmedia_handle_close(h);
	close(fd);
	return wrong > 99 ? 99 : wrong;
}

static int cap_child(struct kmedia_handle *hx, uint32_t sock_id,
		     uint32_t stream_id, const struct kmt_addr *dst)
{
	struct kmedia_handle *h;
	int wrong, ret;

	ret = drop_net_admin();
	if (ret) {
		fprintf(stderr, "# capset: %s\n", strerror(-ret));
		return 100;
	}
	wrong = all_refused(hx, sock_id, stream_id, dst);
	if (kmt_handle(&h))
		return 101;
	wrong += all_refused(h, sock_id, stream_id, dst);
	kmedia_handle_close(h);
	return wrong > 99 ? 99 : wrong;
}

FIXTURE(perm)
{
	struct kmedia_handle *h;
	int fd_in, fd_out;
	uint32_t in, out, sx;
	struct kmt_addr dst, dst2;
};

FIXTURE_SETUP(perm)
{
	struct kmt_addr a;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
	self->fd_in = attach(_metadata, self->h, &a, &self->in);
	self->fd_out = attach(_metadata, self->h, &a, &self->out);
	ASSERT_EQ(0, kmt_addr_make(&self->dst, AF_INET, "127.0.0.1", 9));
	ASSERT_EQ(0, kmt_addr_make(&self->dst2, AF_INET, "127.0.0.2", 10));
	ASSERT_EQ(0, kmt_stream_add(self->h, self->in, self->out, &self->dst,
				    KMEDIA_KIND_RTP, 1, &self->sx))
		KMT_LOG_EXTACK(self->h);
}

FIXTURE_TEARDOWN(perm)
{
	if (self->h)
		kmedia_handle_close(self->h);
}

/* Run fn in a child; its exit status. Then X must be as it was. */
static int in_child(struct __test_metadata *_metadata,
		    FIXTURE_DATA(perm) *self,
		    int (*fn)(struct kmedia_handle *, uint32_t, uint32_t,
			      const struct kmt_addr *))
{
	struct kmedia_stream *s = NULL;
	const struct sockaddr *sa;
	socklen_t len = 0;
	int status = -1;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(fn(self->h, self->out, self->sx, &self->dst2));
	EXPECT_LE(0, pid);
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));

	/* nothing changed in X */
	expect_totals(_metadata, self->h, 2, 1);
	EXPECT_EQ(0, kmedia_stream_get(self->h, self->sx, &s));
	if (s) {
		sa = kmedia_stream_get_dst(s, &len);
		EXPECT_NE(NULL, sa);
		EXPECT_TRUE(sa && kmt_addr_equal(&self->dst, sa, len));
		kmedia_stream_free(s);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* uid 0, but CAP_NET_ADMIN dropped: every command and the events group */
TEST_F(perm, caller_without_cap_net_admin_is_refused)
{
	ASSERT_EQ(0, in_child(_metadata, self, cap_child));
}

/*
 * Every capability, but in a user namespace that does not own the
 * network namespace: refused there, while one it owns is its own.
 */
TEST_F(perm, caller_from_another_user_namespace_is_refused)
{
	int ret = in_child(_metadata, self, userns_child);

	if (ret == USERNS_UNAVAILABLE)
		SKIP(return, "user namespaces unavailable");
	ASSERT_EQ(0, ret);
}

TEST_HARNESS_MAIN
