// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's events: decoding of the *_NTF messages
 * the kernel multicasts, the walk over one datagram, and the receive path
 * on a real (unsubscribed) netlink socket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"
#include "unit-handle.h"

#define FAMILY_ID 0x22

static char buf[16384];

static struct nlmsghdr *msg_at(void *at, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KMEDIA_GENL_VERSION;
	return nlh;
}

/* A LATCH_NTF as the kernel sends it: ID, COOKIE, SRC. */
static struct nlmsghdr *latch_ntf(void *at, uint32_t id)
{
	struct nlmsghdr *nlh = msg_at(at, FAMILY_ID,
				      KMEDIA_CMD_STREAM_LATCH_NTF);
	struct nlattr *nest, *src;
	uint8_t a4[4] = { 198, 51, 100, 77 };
	uint16_t port = htons(16384);

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 0xc0ffee);
	src = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRC);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, sizeof(a4), a4);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(port), &port);
	mnl_attr_nest_end(nlh, src);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* An IDLE_NTF: ID, COOKIE, IDLE_MS. */
static struct nlmsghdr *idle_ntf(void *at, uint32_t id, uint32_t ms)
{
	struct nlmsghdr *nlh = msg_at(at, FAMILY_ID, KMEDIA_CMD_STREAM_IDLE_NTF);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, id);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 0xc0ffee);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_IDLE_MS, ms);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

TEST(latch_event_parses)
{
	struct kmedia_stream s;
	enum kmedia_cmd cmd = KMEDIA_CMD_UNSPEC;
	const struct sockaddr_in *src;
	socklen_t len;

	ASSERT_EQ(1, kmd_event_parse(FAMILY_ID, latch_ntf(buf, 4), &cmd, &s));
	EXPECT_EQ(KMEDIA_CMD_STREAM_LATCH_NTF, cmd);
	EXPECT_EQ(4, kmedia_stream_get_id(&s));
	EXPECT_EQ(0xc0ffee, kmedia_stream_get_cookie(&s));
	src = (const struct sockaddr_in *)kmedia_stream_get_src(&s, &len);
	ASSERT_NE(NULL, src);
	EXPECT_EQ(sizeof(*src), len);
	EXPECT_EQ(AF_INET, src->sin_family);
	EXPECT_EQ(htonl(0xc633644d), src->sin_addr.s_addr);
	EXPECT_EQ(htons(16384), src->sin_port);
	EXPECT_FALSE(kmedia_stream_has(&s, KMEDIA_STREAM_A_IDLE_MS));
}

TEST(idle_event_parses)
{
	struct kmedia_stream s;
	enum kmedia_cmd cmd = KMEDIA_CMD_UNSPEC;

	ASSERT_EQ(1, kmd_event_parse(FAMILY_ID, idle_ntf(buf, 6, 30001), &cmd,
				     &s));
	EXPECT_EQ(KMEDIA_CMD_STREAM_IDLE_NTF, cmd);
	EXPECT_EQ(6, kmedia_stream_get_id(&s));
	EXPECT_EQ(30001, kmedia_stream_get_idle_ms(&s));
	EXPECT_EQ(NULL, kmedia_stream_get_src(&s, NULL));
}

TEST(other_messages_are_not_events)
{
	struct kmedia_stream s;
	enum kmedia_cmd cmd = KMEDIA_CMD_UNSPEC;
	struct nlmsghdr *nlh;

	/* A reply of the family. */
	nlh = msg_at(buf, FAMILY_ID, KMEDIA_CMD_STREAM_GET);
	EXPECT_EQ(0, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	/* A command newer than this library. */
	nlh = msg_at(buf, FAMILY_ID, KMEDIA_CMD_MAX + 1);
	EXPECT_EQ(0, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	/* Another family's message with the same command number. */
	latch_ntf(buf, 1)->nlmsg_type = FAMILY_ID + 1;
	EXPECT_EQ(0, kmd_event_parse(FAMILY_ID, (struct nlmsghdr *)buf, &cmd,
				     &s));
	/* Netlink control messages. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_NOOP;
	EXPECT_EQ(0, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	EXPECT_EQ(KMEDIA_CMD_UNSPEC, cmd);
}

TEST(malformed_event_is_refused)
{
	struct kmedia_stream s;
	enum kmedia_cmd cmd = KMEDIA_CMD_UNSPEC;
	struct nlmsghdr *nlh;

	nlh = msg_at(buf, FAMILY_ID, KMEDIA_CMD_STREAM_IDLE_NTF);
	EXPECT_EQ(-EBADMSG, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY_ID;
	EXPECT_EQ(-EBADMSG, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	EXPECT_EQ(KMEDIA_CMD_UNSPEC, cmd);
}

struct seen {
	int n;
	enum kmedia_cmd cmd[4];
	uint32_t id[4];
	int stop_after;
};

static int record(enum kmedia_cmd cmd, const struct kmedia_stream *stream,
		  void *data)
{
	struct seen *seen = data;

	seen->cmd[seen->n] = cmd;
	seen->id[seen->n] = kmedia_stream_get_id(stream);
	seen->n++;
	return seen->n == seen->stop_after ? -ECANCELED : 0;
}

/* Three events and a reply in one datagram. */
static size_t batch(void)
{
	size_t len = 0;
	struct nlmsghdr *nlh;

	nlh = latch_ntf(buf + len, 1);
	len += nlh->nlmsg_len;
	nlh = msg_at(buf + len, FAMILY_ID, KMEDIA_CMD_NETNS_GET);
	len += nlh->nlmsg_len;
	nlh = idle_ntf(buf + len, 2, 100);
	len += nlh->nlmsg_len;
	nlh = latch_ntf(buf + len, 3);
	len += nlh->nlmsg_len;
	return len;
}

TEST(dispatch_calls_back_once_per_event)
{
	struct seen seen = { 0 };
	int count = 0;

	ASSERT_EQ(0, kmd_event_dispatch(FAMILY_ID, buf, batch(), record, &seen,
					&count));
	EXPECT_EQ(3, count);
	ASSERT_EQ(3, seen.n);
	EXPECT_EQ(KMEDIA_CMD_STREAM_LATCH_NTF, seen.cmd[0]);
	EXPECT_EQ(1, seen.id[0]);
	EXPECT_EQ(KMEDIA_CMD_STREAM_IDLE_NTF, seen.cmd[1]);
	EXPECT_EQ(2, seen.id[1]);
	EXPECT_EQ(KMEDIA_CMD_STREAM_LATCH_NTF, seen.cmd[2]);
	EXPECT_EQ(3, seen.id[2]);
}

TEST(dispatch_stops_when_the_callback_says_so)
{
	struct seen seen = { .stop_after = 2 };
	int count = 0;

	EXPECT_EQ(-ECANCELED, kmd_event_dispatch(FAMILY_ID, buf, batch(),
						 record, &seen, &count));
	EXPECT_EQ(2, seen.n);
	EXPECT_EQ(2, count);
}

TEST(dispatch_ignores_a_truncated_tail)
{
	struct seen seen = { 0 };
	size_t len = batch();
	int count = 0;

	ASSERT_EQ(0, kmd_event_dispatch(FAMILY_ID, buf, len - 4, record, &seen,
					&count));
	EXPECT_EQ(2, count);
}

TEST(handle_fd_is_the_netlink_socket)
{
	struct kmedia_handle h;

	if (!kmt_unit_open(&h, FAMILY_ID))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	EXPECT_EQ(mnl_socket_get_fd(h.nl), kmedia_handle_fd(&h));
	kmt_unit_close(&h);
}

TEST(nothing_queued_is_eagain)
{
	struct seen seen = { 0 };
	struct kmedia_handle h;

	if (!kmt_unit_open(&h, FAMILY_ID))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	EXPECT_EQ(-EAGAIN, kmedia_event_recv(&h, true, record, &seen));
	EXPECT_EQ(0, seen.n);
	kmt_unit_close(&h);
}

TEST(subscribe_without_the_group_is_enoent)
{
	struct kmedia_handle h;

	if (!kmt_unit_open(&h, FAMILY_ID))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	EXPECT_EQ(-ENOENT, kmedia_handle_subscribe(&h));
	kmt_unit_close(&h);
}

/* Events only come from the kernel: another process cannot forge one. */
TEST(events_sent_by_a_process_are_dropped)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct seen seen = { 0 };
	struct kmedia_handle h;
	struct mnl_socket *peer;
	char msg[512];
	struct nlmsghdr *nlh;
	ssize_t sent;

	if (!kmt_unit_open(&h, FAMILY_ID))
		SKIP(return, "no netlink socket: %s", strerror(errno));
	to.nl_pid = h.portid;
	peer = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, peer);
	ASSERT_EQ(0, mnl_socket_bind(peer, 0, MNL_SOCKET_AUTOPID));
	nlh = latch_ntf(msg, 9);
	sent = sendto(mnl_socket_get_fd(peer), nlh, nlh->nlmsg_len, 0,
		      (struct sockaddr *)&to, sizeof(to));
	mnl_socket_close(peer);
	if (sent < 0) {
		kmt_unit_close(&h);
		SKIP(return, "cannot send between netlink sockets: %s",
		     strerror(errno));
	}
	/* Read and dropped: zero events, and the queue is empty after. */
	EXPECT_EQ(0, kmedia_event_recv(&h, true, record, &seen));
	EXPECT_EQ(0, seen.n);
	EXPECT_EQ(-EAGAIN, kmedia_event_recv(&h, true, record, &seen));
	kmt_unit_close(&h);
}

TEST_HARNESS_MAIN
