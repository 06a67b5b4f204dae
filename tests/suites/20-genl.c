// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: the kmedia generic netlink family seen through libkmedia.
 * Each test runs in its own forked child; tests that need a fresh network
 * namespace unshare one there.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"

TEST(family_resolves)
{
	struct kmedia_handle *h;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	EXPECT_NE(0, kmedia_handle_family_id(h));
	EXPECT_EQ(KMEDIA_GENL_VERSION, kmedia_handle_family_version(h));
	EXPECT_NE(0, kmedia_handle_events_group(h));
	kmedia_handle_close(h);
}

TEST(netns_totals_start_empty)
{
	struct kmedia_handle *h;
	struct kmedia_netns *netns;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	ASSERT_EQ(0, kmedia_netns_get(h, &netns));
	EXPECT_STREQ(KMEDIA_VERSION, kmedia_netns_get_version(netns));
	EXPECT_EQ(0, kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_STREAMS));
	EXPECT_EQ(0, kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_SOCKETS));
	EXPECT_LT(0, kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_STREAMS_MAX));
	kmedia_netns_free(netns);
	kmedia_handle_close(h);
}

static int count_stream(const struct kmedia_stream *stream, void *data)
{
	(void)stream;
	(*(int *)data)++;
	return 0;
}

TEST(stream_dump_is_empty)
{
	struct kmedia_handle *h;
	int count = 0;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	EXPECT_EQ(0, kmedia_stream_dump(h, NULL, count_stream, &count));
	EXPECT_EQ(0, count);
	kmedia_handle_close(h);
}

TEST(family_works_in_a_new_netns)
{
	struct kmedia_handle *h;
	struct kmedia_netns *netns;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmedia_handle_open(&h));
	ASSERT_EQ(0, kmedia_netns_get(h, &netns));
	EXPECT_EQ(0, kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_STREAMS));
	kmedia_netns_free(netns);
	kmedia_handle_close(h);
}

TEST(unprivileged_caller_is_refused)
{
	struct kmedia_handle *h;
	struct kmedia_netns *netns = NULL;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	/* nobody: no CAP_NET_ADMIN in the namespace's user namespace */
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	EXPECT_EQ(-EPERM, kmedia_netns_get(h, &netns));
	EXPECT_EQ(NULL, netns);
	kmedia_handle_close(h);
}

TEST(unknown_attribute_is_refused_with_extack)
{
	struct kmedia_handle *h;
	struct nlmsghdr *nlh;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_NETNS_GET, 0);
	mnl_attr_put_u32(nlh, KMEDIA_A_MAX + 1, 1);
	EXPECT_EQ(-EINVAL, kmd_request(h, nlh, NULL, NULL));
	ASSERT_NE(NULL, kmedia_handle_extack(h));
	TH_LOG("extack: %s", kmedia_handle_extack(h));
	kmedia_handle_close(h);
}

TEST(unknown_command_is_refused)
{
	struct kmedia_handle *h;
	struct nlmsghdr *nlh;

	ASSERT_EQ(0, kmedia_handle_open(&h));
	nlh = kmd_msg_start(h, h->buf, KMEDIA_CMD_MAX + 1, 0);
	EXPECT_EQ(-EOPNOTSUPP, kmd_request(h, nlh, NULL, NULL));
	kmedia_handle_close(h);
}

TEST_HARNESS_MAIN
