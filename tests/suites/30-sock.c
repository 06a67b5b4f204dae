// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: handing UDP sockets to kmedia (KMEDIA_CMD_SOCK_*). What an
 * attached socket looks like (ID, bound address, stream count, counters),
 * detaching it, and every refusal with its errno and extended ACK: TCP,
 * unbound, already attached, not a socket, a socket of another namespace,
 * unknown IDs, no CAP_NET_ADMIN. Each test runs in a network namespace of
 * its own (unshared in the test's child) with only lo up.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

FIXTURE(sock)
{
	struct kmedia_handle *h;
};

FIXTURE_SETUP(sock)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
}

FIXTURE_TEARDOWN(sock)
{
	if (self->h)
		kmedia_handle_close(self->h);
}

static void check_attached(struct __test_metadata *_metadata,
			   struct kmedia_handle *h, uint32_t id,
			   const struct kmt_addr *bound)
{
	struct kmedia_sock *s = NULL;
	const struct sockaddr *local;
	socklen_t len = 0;

	ASSERT_EQ(0, kmedia_sock_get(h, id, &s));
	ASSERT_NE(NULL, s);
	EXPECT_TRUE(kmedia_sock_has(s, KMEDIA_SOCK_A_ID));
	EXPECT_EQ(id, kmedia_sock_get_id(s));
	local = kmedia_sock_get_local(s, &len);
	ASSERT_NE(NULL, local);
	EXPECT_TRUE(kmt_addr_equal(bound, local, len))
		TH_LOG("LOCAL %s, bound to %s",
		       kmt_addr_str(local, len, (char[KMT_ADDRSTRLEN]){ 0 },
				    KMT_ADDRSTRLEN),
		       kmt_addr_fmt(bound));
	EXPECT_EQ(0, kmedia_sock_get_streams(s));
	/* A fresh socket reports its counters, all zero. */
	EXPECT_TRUE(kmedia_sock_has_stat(s, KMEDIA_SOCK_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_sock_get_stat(s, KMEDIA_SOCK_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_sock_get_stat(s, KMEDIA_SOCK_STATS_A_TO_STREAM));
	EXPECT_EQ(0, kmedia_sock_get_stat(s, KMEDIA_SOCK_STATS_A_PASS_NOT_RTP));
	kmedia_sock_free(s);
}

TEST_F(sock, attach_v4_reports_id_and_address)
{
	struct kmt_addr bound;
	uint32_t id = 0, n;
	int fd;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &bound);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);
	check_attached(_metadata, self->h, id, &bound);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(1, n);
	close(fd);
}

TEST_F(sock, attach_v6_reports_id_and_address)
{
	struct kmt_addr bound;
	uint32_t id = 0, n;
	int fd;

	fd = kmt_udp_bind(AF_INET6, "::1", 0, &bound);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);
	check_attached(_metadata, self->h, id, &bound);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(1, n);
	close(fd);
}

struct sock_list {
	int n;
	uint32_t id[8];
	struct kmt_addr local[8];
};

static int collect_sock(const struct kmedia_sock *s, void *data)
{
	struct sock_list *l = data;
	const struct sockaddr *sa;
	socklen_t len = 0;

	if (l->n >= 8)
		return -E2BIG;
	l->id[l->n] = kmedia_sock_get_id(s);
	sa = kmedia_sock_get_local(s, &len);
	kmt_addr_set(&l->local[l->n], sa, len);
	l->n++;
	return 0;
}

TEST_F(sock, dump_lists_every_socket_once)
{
	struct kmt_addr bound[3];
	struct sock_list l = { 0 };
	uint32_t id[3];
	int fd[3], i, j;

	fd[0] = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &bound[0]);
	fd[1] = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &bound[1]);
	fd[2] = kmt_udp_bind(AF_INET6, "::1", 0, &bound[2]);
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, kmedia_sock_attach(self->h, fd[i], &id[i]))
			KMT_LOG_EXTACK(self->h);
	}
	EXPECT_NE(id[0], id[1]);
	EXPECT_NE(id[0], id[2]);
	EXPECT_NE(id[1], id[2]);

	ASSERT_EQ(0, kmedia_sock_dump(self->h, collect_sock, &l));
	ASSERT_EQ(3, l.n);
	for (i = 0; i < 3; i++) {
		int found = 0;

		for (j = 0; j < l.n; j++) {
			if (l.id[j] != id[i])
				continue;
			found++;
			EXPECT_TRUE(kmt_addr_eq(&bound[i], &l.local[j]))
				TH_LOG("socket %u dumped with %s, bound to %s",
				       id[i], kmt_addr_fmt(&l.local[j]),
				       kmt_addr_fmt(&bound[i]));
		}
		EXPECT_EQ(1, found) TH_LOG("socket %u", id[i]);
	}
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

TEST_F(sock, detach_gives_the_socket_back_and_deletes_its_streams)
{
	struct kmt_addr bound, peer_addr, dst_addr;
	struct kmedia_sock *s = NULL;
	struct kmedia_stream *st = NULL;
	struct kmt_msg m;
	uint8_t pkt[64];
	struct kmt_rtp rtp = { .pt = 0, .seq = 1, .ssrc = 0x1234 };
	uint32_t id, sid, n;
	size_t len;
	int fd, peer, dst;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &bound);
	peer = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &peer_addr);
	dst = kmt_udp_bind(AF_INET, "127.0.0.1", 0, &dst_addr);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, peer);
	ASSERT_LE(0, dst);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmt_stream_add(self->h, id, id, &dst_addr,
				    KMEDIA_KIND_RTP, 0, &sid))
		KMT_LOG_EXTACK(self->h);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &n));
	ASSERT_EQ(1, n);

	ASSERT_EQ(0, kmedia_sock_detach(self->h, id)) KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(-ENOENT, kmedia_sock_get(self->h, id, &s));
	EXPECT_EQ(NULL, s);
	EXPECT_EQ(-ENOENT, kmedia_stream_get(self->h, sid, &st));
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-ENOENT, kmedia_sock_detach(self->h, id));

	/* Plain UDP again: RTP that the stream would have forwarded lands on
	 * the socket itself, and nothing reaches the old destination.
	 */
	len = kmt_rtp_build(pkt, sizeof(pkt), &rtp, NULL, 20);
	ASSERT_EQ(0, kmt_send(peer, pkt, len, &bound));
	KMT_ASSERT_RECV(fd, &m, pkt, len, &peer_addr, 2000);
	KMT_ASSERT_EMPTY(dst);

	/* and it can be attached again */
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);
	check_attached(_metadata, self->h, id, &bound);
	close(fd);
	close(peer);
	close(dst);
}

TEST_F(sock, tcp_socket_is_refused)
{
	uint32_t id, n;
	int fd, ret;

	fd = kmt_tcp_bind(AF_INET, "127.0.0.1", 0);
	ASSERT_LE(0, fd);
	ret = kmedia_sock_attach(self->h, fd, &id);
	EXPECT_GT(0, ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	TH_LOG("TCP: %s, extack: %s", strerror(-ret),
	       kmedia_handle_extack(self->h) ? : "(none)");
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	close(fd);
}

TEST_F(sock, unbound_udp_socket_is_refused)
{
	uint32_t id, n;
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	ret = kmedia_sock_attach(self->h, fd, &id);
	EXPECT_GT(0, ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	TH_LOG("unbound: %s, extack: %s", strerror(-ret),
	       kmedia_handle_extack(self->h) ? : "(none)");
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	close(fd);
}

TEST_F(sock, attaching_twice_is_refused)
{
	uint32_t id, id2, n;
	int fd, fd2, ret;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);
	ret = kmedia_sock_attach(self->h, fd, &id2);
	EXPECT_TRUE(ret == -EBUSY || ret == -EALREADY)
		TH_LOG("second attach: %d (%s)", ret, strerror(-ret));
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	KMT_LOG_EXTACK(self->h);

	/* through another descriptor of the same socket too */
	fd2 = dup(fd);
	ASSERT_LE(0, fd2);
	ret = kmedia_sock_attach(self->h, fd2, &id2);
	EXPECT_TRUE(ret == -EBUSY || ret == -EALREADY)
		TH_LOG("attach of a dup: %d (%s)", ret, strerror(-ret));
	close(fd2);

	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(1, n);
	close(fd);
}

TEST_F(sock, descriptor_that_is_not_a_socket_is_refused)
{
	uint32_t id, n;
	int p[2], ret;

	ASSERT_EQ(0, pipe(p));
	ret = kmedia_sock_attach(self->h, p[0], &id);
	EXPECT_GT(0, ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	TH_LOG("pipe: %s, extack: %s", strerror(-ret),
	       kmedia_handle_extack(self->h) ? : "(none)");

	/* a descriptor number that is not open */
	close(p[1]);
	ret = kmedia_sock_attach(self->h, p[1], &id);
	EXPECT_GT(0, ret);
	TH_LOG("closed fd: %s", strerror(-ret));

	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	close(p[0]);
}

TEST_F(sock, socket_of_another_netns_is_refused)
{
	uint32_t id, n;
	int here, fd, ret;

	here = kmt_netns_self();
	ASSERT_LE(0, here);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmt_netns_enter_fd(here));

	/* self->h belongs to the first namespace, fd to the second one */
	ret = kmedia_sock_attach(self->h, fd, &id);
	EXPECT_GT(0, ret);
	EXPECT_NE(NULL, kmedia_handle_extack(self->h));
	TH_LOG("foreign socket: %s, extack: %s", strerror(-ret),
	       kmedia_handle_extack(self->h) ? : "(none)");
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	close(fd);
	close(here);
}

TEST_F(sock, unknown_socket_id_is_refused)
{
	struct kmedia_sock *s = NULL;
	uint32_t id;
	int fd;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);

	EXPECT_EQ(-ENOENT, kmedia_sock_get(self->h, id + 1000, &s));
	EXPECT_EQ(NULL, s);
	KMT_ASSERT_REFUSED(self->h, kmedia_sock_detach(self->h, id + 1000),
			   ENOENT);
	/* the real one is untouched */
	ASSERT_EQ(0, kmedia_sock_get(self->h, id, &s));
	kmedia_sock_free(s);
	close(fd);
}

TEST_F(sock, sockets_are_per_netns)
{
	struct kmedia_handle *h2;
	struct kmedia_sock *s = NULL;
	struct sock_list l = { 0 };
	uint32_t id, n;
	int fd;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, fd, &id))
		KMT_LOG_EXTACK(self->h);

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_handle(&h2));
	ASSERT_EQ(0, kmt_netns_u32(h2, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, kmedia_sock_dump(h2, collect_sock, &l));
	EXPECT_EQ(0, l.n);
	EXPECT_EQ(-ENOENT, kmedia_sock_get(h2, id, &s));
	EXPECT_EQ(-ENOENT, kmedia_sock_detach(h2, id));
	kmedia_handle_close(h2);

	/* still attached in its own namespace */
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(1, n);
	close(fd);
}

TEST_F(sock, attach_needs_cap_net_admin)
{
	uint32_t id, n;
	int fd;

	fd = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	EXPECT_EQ(-EPERM, kmedia_sock_attach(self->h, fd, &id));
	EXPECT_EQ(-EPERM, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &n));
	close(fd);
}

TEST_HARNESS_MAIN
