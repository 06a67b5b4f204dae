// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's message codecs: replies and errors are
 * built byte by byte the way the kernel lays them out, then parsed.
 */
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"

static char buf[16384];

static struct nlmsghdr *reply_start(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KMEDIA_GENL_VERSION;
	return nlh;
}

TEST(netns_reply_parses)
{
	struct kmedia_netns netns = { 0 };
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_NETNS_GET);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, KMEDIA_A_VERSION, "9.8.7");
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_NETNS);
	mnl_attr_put_u32(nlh, KMEDIA_NETNS_A_STREAMS, 7);
	mnl_attr_put_u32(nlh, KMEDIA_NETNS_A_STREAMS_MAX, 1000);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_netns_parse(nlh, &netns));
	EXPECT_STREQ("9.8.7", kmedia_netns_get_version(&netns));
	EXPECT_TRUE(kmedia_netns_has(&netns, KMEDIA_NETNS_A_STREAMS));
	EXPECT_EQ(7, kmedia_netns_get_u32(&netns, KMEDIA_NETNS_A_STREAMS));
	EXPECT_EQ(1000, kmedia_netns_get_u32(&netns, KMEDIA_NETNS_A_STREAMS_MAX));
	/* Absent attributes read as absent, not as a stale zero. */
	EXPECT_FALSE(kmedia_netns_has(&netns, KMEDIA_NETNS_A_SOCKETS));
}

TEST(netns_reply_with_stats_parses)
{
	struct kmedia_netns netns;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_NETNS_GET);
	struct nlattr *nest, *stats;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_NETNS);
	mnl_attr_put_u32(nlh, KMEDIA_NETNS_A_SOCKETS, 4);
	stats = mnl_attr_nest_start(nlh, KMEDIA_NETNS_A_STATS);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RX_PACKETS, UINT64_C(1) << 33);
	mnl_attr_put(nlh, KMEDIA_STATS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_TX_PACKETS, 12345);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_ROUTE, 6);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RTP_LOST, (uint64_t)(int64_t)-9);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_netns_parse(nlh, &netns));
	EXPECT_EQ(4, kmedia_netns_get_u32(&netns, KMEDIA_NETNS_A_SOCKETS));
	EXPECT_TRUE(kmedia_netns_has(&netns, KMEDIA_NETNS_A_STATS));
	EXPECT_STREQ("", kmedia_netns_get_version(&netns));
	EXPECT_TRUE(kmedia_netns_has_stat(&netns, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(UINT64_C(1) << 33,
		  kmedia_netns_get_stat(&netns, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(12345, kmedia_netns_get_stat(&netns, KMEDIA_STATS_A_TX_PACKETS));
	EXPECT_EQ(6, kmedia_netns_get_stat(&netns, KMEDIA_STATS_A_DROP_ROUTE));
	EXPECT_EQ(-9, (int64_t)kmedia_netns_get_stat(&netns,
						     KMEDIA_STATS_A_RTP_LOST));
	EXPECT_FALSE(kmedia_netns_has_stat(&netns, KMEDIA_STATS_A_RX_BYTES));
	EXPECT_EQ(0, kmedia_netns_get_stat(&netns, KMEDIA_STATS_A_RX_BYTES));
	EXPECT_FALSE(kmedia_netns_has_stat(&netns, KMEDIA_STATS_A_PAD));
	EXPECT_FALSE(kmedia_netns_has_stat(&netns, 63));
	EXPECT_FALSE(kmedia_netns_has_stat(&netns, 1000));
}

TEST(netns_reply_without_stats)
{
	struct kmedia_netns netns;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_NETNS_GET);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_NETNS);
	mnl_attr_put_u32(nlh, KMEDIA_NETNS_A_STREAMS, 1);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_netns_parse(nlh, &netns));
	EXPECT_FALSE(kmedia_netns_has(&netns, KMEDIA_NETNS_A_STATS));
	EXPECT_FALSE(kmedia_netns_has_stat(&netns, KMEDIA_STATS_A_RX_PACKETS));
}

TEST(netns_stats_of_the_wrong_size_are_refused)
{
	struct kmedia_netns netns;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_NETNS_GET);
	struct nlattr *nest, *stats;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_NETNS);
	stats = mnl_attr_nest_start(nlh, KMEDIA_NETNS_A_STATS);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_SSRC, 1);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);

	EXPECT_EQ(-EBADMSG, kmd_netns_parse(nlh, &netns));
}

TEST(netns_reply_with_wrong_attribute_size_is_refused)
{
	struct kmedia_netns netns = { 0 };
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_NETNS_GET);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_NETNS);
	mnl_attr_put_u16(nlh, KMEDIA_NETNS_A_STREAMS, 7);
	mnl_attr_nest_end(nlh, nest);

	EXPECT_EQ(-EBADMSG, kmd_netns_parse(nlh, &netns));
}

TEST(stream_reply_parses)
{
	struct kmedia_stream stream;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 42);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &stream));
	EXPECT_TRUE(kmedia_stream_has(&stream, KMEDIA_STREAM_A_ID));
	EXPECT_EQ(42, kmedia_stream_get_id(&stream));
}

/* An NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and extack. */
static struct nlmsghdr *error_msg(int error, const char *text, bool capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr);
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	}
	return nlh;
}

TEST(error_with_extack_is_decoded)
{
	char extack[KMD_EXTACK_MAX];

	EXPECT_EQ(-EINVAL, kmd_parse_error(error_msg(-EINVAL, "bad port", true),
					   extack, sizeof(extack)));
	EXPECT_STREQ("bad port", extack);
}

TEST(uncapped_error_skips_the_echoed_header)
{
	char extack[KMD_EXTACK_MAX];

	EXPECT_EQ(-EPERM, kmd_parse_error(error_msg(-EPERM, "no", false),
					  extack, sizeof(extack)));
	EXPECT_STREQ("no", extack);
}

TEST(ack_is_success_without_text)
{
	char extack[KMD_EXTACK_MAX] = "stale";

	EXPECT_EQ(0, kmd_parse_error(error_msg(0, NULL, true), extack,
				     sizeof(extack)));
	EXPECT_STREQ("", extack);
}

TEST(long_extack_is_truncated)
{
	char text[600];
	char extack[KMD_EXTACK_MAX];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	EXPECT_EQ(-E2BIG, kmd_parse_error(error_msg(-E2BIG, text, true), extack,
					  sizeof(extack)));
	EXPECT_EQ(KMD_EXTACK_MAX - 1, strlen(extack));
}

TEST(dump_done_carries_the_error)
{
	char extack[KMD_EXTACK_MAX];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *error;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	error = mnl_nlmsg_put_extra_header(nlh, sizeof(*error));
	*error = -ENOBUFS;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");

	EXPECT_EQ(-ENOBUFS, kmd_parse_error(nlh, extack, sizeof(extack)));
	EXPECT_STREQ("dump failed", extack);
}

TEST_HARNESS_MAIN
