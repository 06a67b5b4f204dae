// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's socket object: the attach, detach, get and
 * dump requests, and replies crafted the way the kernel lays them out.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"

#define FAMILY_ID 0x21

static char buf[16384];

static struct nlmsghdr *reply_start(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAMILY_ID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KMEDIA_GENL_VERSION;
	return nlh;
}

/* The one KMEDIA_A_SOCK nest of a request and its only attribute. */
static const struct nlattr *only_attr(struct __test_metadata *_metadata,
				      const struct nlmsghdr *nlh, uint8_t cmd)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *nest = NULL, *inner = NULL;
	int n = 0;

	EXPECT_EQ(FAMILY_ID, nlh->nlmsg_type);
	EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_REQUEST);
	EXPECT_EQ(0, nlh->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(cmd, genl->cmd);
	EXPECT_EQ(KMEDIA_GENL_VERSION, genl->version);
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		n++;
		nest = attr;
	}
	EXPECT_EQ(1, n);
	if (!nest)
		return NULL;
	EXPECT_EQ(KMEDIA_A_SOCK, mnl_attr_get_type(nest));
	EXPECT_TRUE(nest->nla_type & NLA_F_NESTED);
	n = 0;
	mnl_attr_for_each_nested(attr, nest) {
		n++;
		inner = attr;
	}
	EXPECT_EQ(1, n);
	return inner;
}

TEST(attach_request_carries_the_fd)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	const struct nlattr *attr;

	attr = only_attr(_metadata, kmd_sock_attach_msg(&h, buf, 17),
			 KMEDIA_CMD_SOCK_ATTACH);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(KMEDIA_SOCK_A_FD, mnl_attr_get_type(attr));
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(17, mnl_attr_get_u32(attr));
}

TEST(attach_of_a_negative_fd_is_refused_locally)
{
	uint32_t id = 5;

	EXPECT_EQ(-EBADF, kmedia_sock_attach(NULL, -1, &id));
	EXPECT_EQ(5, id);
}

TEST(detach_and_get_requests_carry_the_id)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	const struct nlattr *attr;

	attr = only_attr(_metadata,
			 kmd_sock_id_msg(&h, buf, KMEDIA_CMD_SOCK_DETACH, 3),
			 KMEDIA_CMD_SOCK_DETACH);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(KMEDIA_SOCK_A_ID, mnl_attr_get_type(attr));
	EXPECT_EQ(3, mnl_attr_get_u32(attr));

	attr = only_attr(_metadata,
			 kmd_sock_id_msg(&h, buf, KMEDIA_CMD_SOCK_GET, 4),
			 KMEDIA_CMD_SOCK_GET);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(KMEDIA_SOCK_A_ID, mnl_attr_get_type(attr));
	EXPECT_EQ(4, mnl_attr_get_u32(attr));
}

TEST(dump_request)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct nlmsghdr *nlh = kmd_sock_dump_msg(&h, buf);
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	EXPECT_EQ(NLM_F_DUMP, nlh->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(KMEDIA_CMD_SOCK_GET, genl->cmd);
	EXPECT_EQ(GENL_HDRLEN, mnl_nlmsg_get_payload_len(nlh));
}

TEST(sock_reply_with_v6_local_and_stats_parses)
{
	struct kmedia_sock s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_SOCK_GET);
	struct nlattr *nest, *local, *stats;
	const struct sockaddr_in6 *l6;
	struct in6_addr a6;
	uint16_t port = htons(40000);
	socklen_t len;

	inet_pton(AF_INET6, "2001:db8:1::5", &a6);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_A_ID, 11);
	local = mnl_attr_nest_start(nlh, KMEDIA_SOCK_A_LOCAL);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV6, sizeof(a6), &a6);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(port), &port);
	mnl_attr_nest_end(nlh, local);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_A_STREAMS, 2);
	stats = mnl_attr_nest_start(nlh, KMEDIA_SOCK_A_STATS);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_RX_PACKETS, 500);
	mnl_attr_put(nlh, KMEDIA_SOCK_STATS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_TO_STREAM, 480);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_PASS_NOT_RTP, 12);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_PASS_NO_STREAM, 5);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_PASS_SOURCE, 3);
	mnl_attr_put_u64(nlh, KMEDIA_SOCK_STATS_A_PASS_FRAGMENT,
			 UINT64_C(1) << 40);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_sock_parse(nlh, &s));
	EXPECT_TRUE(kmedia_sock_has(&s, KMEDIA_SOCK_A_ID));
	EXPECT_EQ(11, kmedia_sock_get_id(&s));
	EXPECT_EQ(2, kmedia_sock_get_streams(&s));
	EXPECT_FALSE(kmedia_sock_has(&s, KMEDIA_SOCK_A_FD));

	l6 = (const struct sockaddr_in6 *)kmedia_sock_get_local(&s, &len);
	ASSERT_NE(NULL, l6);
	EXPECT_EQ(sizeof(*l6), len);
	EXPECT_EQ(AF_INET6, l6->sin6_family);
	EXPECT_EQ(0, memcmp(&a6, &l6->sin6_addr, sizeof(a6)));
	EXPECT_EQ(htons(40000), l6->sin6_port);

	EXPECT_TRUE(kmedia_sock_has(&s, KMEDIA_SOCK_A_STATS));
	EXPECT_EQ(500, kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_RX_PACKETS));
	EXPECT_EQ(480, kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_TO_STREAM));
	EXPECT_EQ(12, kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_PASS_NOT_RTP));
	EXPECT_EQ(5, kmedia_sock_get_stat(&s,
					  KMEDIA_SOCK_STATS_A_PASS_NO_STREAM));
	EXPECT_EQ(3, kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_PASS_SOURCE));
	EXPECT_EQ(UINT64_C(1) << 40,
		  kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_PASS_FRAGMENT));
	EXPECT_FALSE(kmedia_sock_has_stat(&s, KMEDIA_SOCK_STATS_A_PAD));
}

TEST(attach_reply_with_v4_local_and_no_stats)
{
	struct kmedia_sock s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_SOCK_ATTACH);
	struct nlattr *nest, *local;
	const struct sockaddr_in *l4;
	uint8_t a4[4] = { 192, 0, 2, 10 };
	uint16_t port = htons(10000);
	socklen_t len;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_A_ID, 1);
	local = mnl_attr_nest_start(nlh, KMEDIA_SOCK_A_LOCAL);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, sizeof(a4), a4);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(port), &port);
	mnl_attr_nest_end(nlh, local);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_sock_parse(nlh, &s));
	EXPECT_EQ(1, kmedia_sock_get_id(&s));
	l4 = (const struct sockaddr_in *)kmedia_sock_get_local(&s, &len);
	ASSERT_NE(NULL, l4);
	EXPECT_EQ(sizeof(*l4), len);
	EXPECT_EQ(AF_INET, l4->sin_family);
	EXPECT_EQ(0, memcmp(a4, &l4->sin_addr, 4));
	EXPECT_EQ(htons(10000), l4->sin_port);
	EXPECT_FALSE(kmedia_sock_has(&s, KMEDIA_SOCK_A_STREAMS));
	EXPECT_FALSE(kmedia_sock_has(&s, KMEDIA_SOCK_A_STATS));
	EXPECT_FALSE(kmedia_sock_has_stat(&s, KMEDIA_SOCK_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_sock_get_stat(&s, KMEDIA_SOCK_STATS_A_RX_PACKETS));
}

TEST(sock_reply_without_nest_is_refused)
{
	struct kmedia_sock s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_SOCK_GET);
	struct nlattr *nest;

	EXPECT_EQ(-EBADMSG, kmd_sock_parse(nlh, &s));
	/* A stream nest is not a socket. */
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 1);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_sock_parse(nlh, &s));
	EXPECT_EQ(NULL, kmedia_sock_get_local(&s, NULL));
}

TEST(sock_reply_with_a_bad_local_is_refused)
{
	struct kmedia_sock s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_SOCK_GET);
	struct nlattr *nest, *local;
	uint8_t a4[4] = { 192, 0, 2, 10 };
	uint32_t port = 10000;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	local = mnl_attr_nest_start(nlh, KMEDIA_SOCK_A_LOCAL);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, sizeof(a4), a4);
	/* PORT is a be16, not a u32. */
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(port), &port);
	mnl_attr_nest_end(nlh, local);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_sock_parse(nlh, &s));
}

TEST(sock_stats_of_the_wrong_size_are_refused)
{
	struct kmedia_sock s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_SOCK_GET);
	struct nlattr *nest, *stats;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	stats = mnl_attr_nest_start(nlh, KMEDIA_SOCK_A_STATS);
	mnl_attr_put_u32(nlh, KMEDIA_SOCK_STATS_A_TO_STREAM, 1);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_sock_parse(nlh, &s));
}

TEST_HARNESS_MAIN
