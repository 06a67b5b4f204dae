// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's stream object: setter validation, the
 * requests it encodes (checked attribute by attribute, then decoded back
 * with the reply parser, since requests and replies share the nest
 * layout), and replies crafted the way the kernel lays them out.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"

#define FAMILY_ID 0x20

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

static struct sockaddr_in sin4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	sin.sin_port = htons(port);
	return sin;
}

static struct sockaddr_in6 sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, ip, &sin6.sin6_addr);
	sin6.sin6_port = htons(port);
	return sin6;
}

/* Kernel-side layout of an endpoint nest. */
static void put_addr(struct nlmsghdr *nlh, uint16_t type, int family,
		     const char *ip, uint16_t port)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	uint8_t addr[16];
	uint16_t be = htons(port);

	inet_pton(family, ip, addr);
	if (family == AF_INET)
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, 4, addr);
	else
		mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV6, 16, addr);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, sizeof(be), &be);
	mnl_attr_nest_end(nlh, nest);
}

/* The attribute of type in nest, or NULL. */
static const struct nlattr *find_attr(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest)
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* The KMEDIA_A_STREAM nest of a request, checking the message around it. */
static const struct nlattr *request_nest(struct __test_metadata *_metadata,
					 const struct nlmsghdr *nlh,
					 uint8_t cmd)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *nest = NULL;
	int n = 0;

	EXPECT_EQ(FAMILY_ID, nlh->nlmsg_type);
	EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_REQUEST);
	EXPECT_EQ(cmd, genl->cmd);
	EXPECT_EQ(KMEDIA_GENL_VERSION, genl->version);
	EXPECT_EQ(0, genl->reserved);
	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		n++;
		if (mnl_attr_get_type(attr) == KMEDIA_A_STREAM)
			nest = attr;
	}
	/* One object nest at the top level, flagged nested for strict
	 * validation.
	 */
	EXPECT_EQ(1, n);
	EXPECT_NE(NULL, nest);
	if (nest)
		EXPECT_TRUE(nest->nla_type & NLA_F_NESTED);
	return nest;
}

static int nest_count(const struct nlattr *nest)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each_nested(attr, nest)
		n++;
	return n;
}

/* Setters */

TEST(set_dst_refuses_other_families_and_short_lengths)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct sockaddr_in6 a6 = sin6("2001:db8::1", 4000);
	struct sockaddr_in a4 = sin4("192.0.2.1", 4000);
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };

	ASSERT_NE(NULL, s);
	EXPECT_EQ(-EAFNOSUPPORT,
		  kmedia_stream_set_dst(s, (struct sockaddr *)&ss, sizeof(ss)));
	EXPECT_EQ(-EAFNOSUPPORT,
		  kmedia_stream_set_src(s, (struct sockaddr *)&ss, sizeof(ss)));
	EXPECT_EQ(-EAFNOSUPPORT,
		  kmedia_stream_set_dst(s, (struct sockaddr *)&a4,
					sizeof(a4) - 1));
	EXPECT_EQ(-EAFNOSUPPORT,
		  kmedia_stream_set_dst(s, (struct sockaddr *)&a6, sizeof(a4)));
	EXPECT_EQ(-EINVAL, kmedia_stream_set_dst(s, NULL, 0));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_DST));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRC));
	kmedia_stream_free(s);
}

TEST(set_dst_keeps_the_family_structure)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct sockaddr_in a4 = sin4("192.0.2.1", 4000);
	struct sockaddr_storage ss = { 0 };
	const struct sockaddr_in *got;
	socklen_t len = 99;

	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, kmedia_stream_get_dst(s, &len));
	EXPECT_EQ(0, len);
	/* A sockaddr_storage-sized length is fine. */
	memcpy(&ss, &a4, sizeof(a4));
	ASSERT_EQ(0, kmedia_stream_set_dst(s, (struct sockaddr *)&ss,
					   sizeof(ss)));
	got = (const struct sockaddr_in *)kmedia_stream_get_dst(s, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(sizeof(struct sockaddr_in), len);
	EXPECT_EQ(AF_INET, got->sin_family);
	EXPECT_EQ(a4.sin_addr.s_addr, got->sin_addr.s_addr);
	EXPECT_EQ(htons(4000), got->sin_port);
	kmedia_stream_free(s);
}

TEST(allow_pt_builds_the_bitmap)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	const uint8_t *pt;

	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, kmedia_stream_get_pt_allow(s));
	EXPECT_EQ(-EINVAL, kmedia_stream_allow_pt(s, 128));
	/* A refused PT does not create an (empty, i.e. drop-all) list. */
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_PT_ALLOW));
	EXPECT_EQ(0, kmedia_stream_allow_pt(s, 0));
	EXPECT_EQ(0, kmedia_stream_allow_pt(s, 8));
	EXPECT_EQ(0, kmedia_stream_allow_pt(s, 111));
	EXPECT_EQ(0, kmedia_stream_allow_pt(s, 127));
	pt = kmedia_stream_get_pt_allow(s);
	ASSERT_NE(NULL, pt);
	EXPECT_EQ(0x01, pt[0]);
	EXPECT_EQ(0x01, pt[1]);
	EXPECT_EQ(0x80, pt[13]);	/* 111 = 13 * 8 + 7 */
	EXPECT_EQ(0x80, pt[15]);
	EXPECT_EQ(0, pt[2]);
	kmedia_stream_free(s);
}

TEST(set_dscp_range)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	ASSERT_NE(NULL, s);
	EXPECT_EQ(-EINVAL, kmedia_stream_set_dscp(s, 64));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_DSCP));
	EXPECT_EQ(0, kmedia_stream_set_dscp(s, 63));
	EXPECT_EQ(63, kmedia_stream_get_dscp(s));
	EXPECT_EQ(0, kmedia_stream_set_dscp(s, 0));
	EXPECT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_DSCP));
	kmedia_stream_free(s);
}

TEST(unset_forgets_an_attribute)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct sockaddr_in a4 = sin4("192.0.2.1", 4000);

	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, 77);
	kmedia_stream_set_clock_rate(s, 48000);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, (struct sockaddr *)&a4,
					   sizeof(a4)));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 96));

	kmedia_stream_unset(s, KMEDIA_STREAM_A_COOKIE);
	kmedia_stream_unset(s, KMEDIA_STREAM_A_DST);
	kmedia_stream_unset(s, KMEDIA_STREAM_A_PT_ALLOW);
	kmedia_stream_unset(s, KMEDIA_STREAM_A_DSCP);	/* not set: no-op */
	kmedia_stream_unset(s, 200);			/* out of range */
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_COOKIE));
	EXPECT_EQ(0, kmedia_stream_get_cookie(s));
	EXPECT_EQ(NULL, kmedia_stream_get_dst(s, NULL));
	EXPECT_EQ(NULL, kmedia_stream_get_pt_allow(s));
	EXPECT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_CLOCK_RATE));
	EXPECT_EQ(48000, kmedia_stream_get_clock_rate(s));

	/* allow_pt after unset starts from an empty list again. */
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	EXPECT_EQ(0, kmedia_stream_get_pt_allow(s)[12]);
	kmedia_stream_free(s);
}

TEST(getters_of_absent_attributes)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	ASSERT_NE(NULL, s);
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_ID));
	EXPECT_FALSE(kmedia_stream_has(s, 64));
	EXPECT_EQ(0, kmedia_stream_get_id(s));
	EXPECT_EQ(KMEDIA_KIND_RTP, kmedia_stream_get_kind(s));
	EXPECT_EQ(KMEDIA_SRC_ANY, kmedia_stream_get_src_mode(s));
	EXPECT_EQ(NULL, kmedia_stream_get_src(s, NULL));
	EXPECT_FALSE(kmedia_stream_get_latched(s));
	EXPECT_FALSE(kmedia_stream_has_stat(s, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_stream_get_stat(s, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(0, kmedia_stream_get_stat(s, 1000));
	kmedia_stream_free(s);
}

/* Requests */

static void fill_stream(struct __test_metadata *_metadata,
			struct kmedia_stream *s)
{
	struct sockaddr_in6 dst = sin6("2001:db8::7", 30000);
	struct sockaddr_in6 src = sin6("2001:db8::9", 40002);

	kmedia_stream_set_id(s, 5);
	kmedia_stream_set_cookie(s, UINT64_C(0x1122334455667788));
	kmedia_stream_set_sock_in(s, 1);
	kmedia_stream_set_kind(s, KMEDIA_KIND_RTCP);
	kmedia_stream_set_sock_out(s, 2);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, (struct sockaddr *)&dst,
					   sizeof(dst)));
	kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
	ASSERT_EQ(0, kmedia_stream_set_src(s, (struct sockaddr *)&src,
					   sizeof(src)));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 0));
	ASSERT_EQ(0, kmedia_stream_allow_pt(s, 101));
	ASSERT_EQ(0, kmedia_stream_set_dscp(s, 46));
	kmedia_stream_set_idle_timeout(s, 30000);
	kmedia_stream_set_clock_rate(s, 48000);
}

TEST(new_request_encodes_every_settable_attribute)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_stream back;
	const struct nlattr *nest, *attr, *addr;
	const struct sockaddr_in6 *got;
	struct nlmsghdr *nlh;
	uint16_t port;
	socklen_t len;

	ASSERT_NE(NULL, s);
	fill_stream(_metadata, s);
	/* Replies-only attributes as a reply would leave them. */
	s->present |= KMD_BIT(KMEDIA_STREAM_A_LATCHED) |
		      KMD_BIT(KMEDIA_STREAM_A_STATS) |
		      KMD_BIT(KMEDIA_STREAM_A_IDLE_MS);

	nlh = kmd_stream_new_msg(&h, buf, s);
	EXPECT_EQ(0, nlh->nlmsg_flags & NLM_F_DUMP);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_NEW);
	ASSERT_NE(NULL, nest);

	/* Every settable attribute but ID; nothing replies-only. */
	EXPECT_EQ(11, nest_count(nest));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_ID));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_LATCHED));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_STATS));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_IDLE_MS));

	/* Sizes as the kernel's policy expects them. */
	attr = find_attr(nest, KMEDIA_STREAM_A_COOKIE);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(8, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(UINT64_C(0x1122334455667788), mnl_attr_get_u64(attr));
	attr = find_attr(nest, KMEDIA_STREAM_A_KIND);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(1, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(KMEDIA_KIND_RTCP, mnl_attr_get_u8(attr));
	attr = find_attr(nest, KMEDIA_STREAM_A_DSCP);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(1, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(46, mnl_attr_get_u8(attr));
	attr = find_attr(nest, KMEDIA_STREAM_A_SOCK_IN);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	attr = find_attr(nest, KMEDIA_STREAM_A_PT_ALLOW);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(KMEDIA_PT_BITMAP_LEN, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0x01, ((const uint8_t *)mnl_attr_get_payload(attr))[0]);
	EXPECT_EQ(0x20, ((const uint8_t *)mnl_attr_get_payload(attr))[12]);

	/* DST: a nested IPV6 (16 bytes) and PORT in network order. */
	addr = find_attr(nest, KMEDIA_STREAM_A_DST);
	ASSERT_NE(NULL, addr);
	EXPECT_TRUE(addr->nla_type & NLA_F_NESTED);
	EXPECT_EQ(2, nest_count(addr));
	EXPECT_EQ(NULL, find_attr(addr, KMEDIA_ADDR_A_IPV4));
	attr = find_attr(addr, KMEDIA_ADDR_A_IPV6);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(16, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0x20, ((const uint8_t *)mnl_attr_get_payload(attr))[0]);
	EXPECT_EQ(0x07, ((const uint8_t *)mnl_attr_get_payload(attr))[15]);
	attr = find_attr(addr, KMEDIA_ADDR_A_PORT);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(2, mnl_attr_get_payload_len(attr));
	memcpy(&port, mnl_attr_get_payload(attr), sizeof(port));
	EXPECT_EQ(30000, ntohs(port));
	EXPECT_EQ(30000 >> 8, ((const uint8_t *)mnl_attr_get_payload(attr))[0]);

	/* The same layout decodes back to the same values. */
	ASSERT_EQ(0, kmd_stream_parse(nlh, &back));
	EXPECT_FALSE(kmedia_stream_has(&back, KMEDIA_STREAM_A_ID));
	EXPECT_EQ(s->present & KMD_STREAM_NEW_ATTRS, back.present);
	EXPECT_EQ(UINT64_C(0x1122334455667788), kmedia_stream_get_cookie(&back));
	EXPECT_EQ(1, kmedia_stream_get_sock_in(&back));
	EXPECT_EQ(2, kmedia_stream_get_sock_out(&back));
	EXPECT_EQ(KMEDIA_KIND_RTCP, kmedia_stream_get_kind(&back));
	EXPECT_EQ(KMEDIA_SRC_STRICT, kmedia_stream_get_src_mode(&back));
	EXPECT_EQ(46, kmedia_stream_get_dscp(&back));
	EXPECT_EQ(30000, kmedia_stream_get_idle_timeout(&back));
	EXPECT_EQ(48000, kmedia_stream_get_clock_rate(&back));
	EXPECT_EQ(0, memcmp(kmedia_stream_get_pt_allow(s),
			    kmedia_stream_get_pt_allow(&back),
			    KMEDIA_PT_BITMAP_LEN));
	got = (const struct sockaddr_in6 *)kmedia_stream_get_src(&back, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(sizeof(*got), len);
	EXPECT_EQ(0, memcmp(kmedia_stream_get_src(s, NULL), got, len));
	got = (const struct sockaddr_in6 *)kmedia_stream_get_dst(&back, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(0, memcmp(kmedia_stream_get_dst(s, NULL), got, len));
	kmedia_stream_free(s);
}

TEST(new_request_of_a_minimal_stream)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct sockaddr_in dst = sin4("198.51.100.4", 5004);
	const struct nlattr *nest, *addr, *attr;
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, s);
	kmedia_stream_set_sock_in(s, 3);
	kmedia_stream_set_sock_out(s, 4);
	ASSERT_EQ(0, kmedia_stream_set_dst(s, (struct sockaddr *)&dst,
					   sizeof(dst)));
	nlh = kmd_stream_new_msg(&h, buf, s);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_NEW);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(3, nest_count(nest));
	addr = find_attr(nest, KMEDIA_STREAM_A_DST);
	ASSERT_NE(NULL, addr);
	EXPECT_EQ(NULL, find_attr(addr, KMEDIA_ADDR_A_IPV6));
	attr = find_attr(addr, KMEDIA_ADDR_A_IPV4);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(&dst.sin_addr, mnl_attr_get_payload(attr), 4));
	attr = find_attr(addr, KMEDIA_ADDR_A_PORT);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(0, memcmp(&dst.sin_port, mnl_attr_get_payload(attr), 2));
	kmedia_stream_free(s);
}

TEST(change_request_sends_id_and_changeable_attributes)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	const struct nlattr *nest, *attr;
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, s);
	fill_stream(_metadata, s);
	s->present |= KMD_BIT(KMEDIA_STREAM_A_STATS);
	nlh = kmd_stream_change_msg(&h, buf, s);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_CHANGE);
	ASSERT_NE(NULL, nest);
	attr = find_attr(nest, KMEDIA_STREAM_A_ID);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(5, mnl_attr_get_u32(attr));
	/* SOCK_IN and KIND are fixed at creation. */
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_SOCK_IN));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_KIND));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_STATS));
	EXPECT_NE(NULL, find_attr(nest, KMEDIA_STREAM_A_DST));
	EXPECT_NE(NULL, find_attr(nest, KMEDIA_STREAM_A_SRC));
	EXPECT_NE(NULL, find_attr(nest, KMEDIA_STREAM_A_PT_ALLOW));
	EXPECT_EQ(10, nest_count(nest));

	/* Unset attributes stay out of the request. */
	kmedia_stream_unset(s, KMEDIA_STREAM_A_SRC);
	kmedia_stream_unset(s, KMEDIA_STREAM_A_PT_ALLOW);
	nlh = kmd_stream_change_msg(&h, buf, s);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_CHANGE);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_SRC));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_PT_ALLOW));
	EXPECT_EQ(8, nest_count(nest));
	kmedia_stream_free(s);
}

TEST(change_without_id_is_refused_locally)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	ASSERT_NE(NULL, s);
	kmedia_stream_set_cookie(s, 1);
	/* No handle needed: the check comes before any I/O. */
	EXPECT_EQ(-EINVAL, kmedia_stream_change(NULL, s));
	kmedia_stream_free(s);
}

TEST(del_and_get_requests_carry_the_id)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID, .seq = 10 };
	const struct nlattr *nest, *attr;
	struct nlmsghdr *nlh;

	nlh = kmd_stream_id_msg(&h, buf, KMEDIA_CMD_STREAM_DEL, 9);
	EXPECT_EQ(11, nlh->nlmsg_seq);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_DEL);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(1, nest_count(nest));
	attr = find_attr(nest, KMEDIA_STREAM_A_ID);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(9, mnl_attr_get_u32(attr));

	nlh = kmd_stream_id_msg(&h, buf, KMEDIA_CMD_STREAM_GET, 12);
	EXPECT_EQ(0, nlh->nlmsg_flags & NLM_F_DUMP);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_GET);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(12, mnl_attr_get_u32(find_attr(nest, KMEDIA_STREAM_A_ID)));
}

TEST(dump_request_with_and_without_filter)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *f = kmedia_stream_alloc();
	const struct nlattr *nest;
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, f);
	nlh = kmd_stream_dump_msg(&h, buf, NULL);
	EXPECT_EQ(NLM_F_DUMP, nlh->nlmsg_flags & NLM_F_DUMP);
	EXPECT_EQ(GENL_HDRLEN, mnl_nlmsg_get_payload_len(nlh));

	/* An empty filter sends no nest. */
	nlh = kmd_stream_dump_msg(&h, buf, f);
	EXPECT_EQ(GENL_HDRLEN, mnl_nlmsg_get_payload_len(nlh));

	kmedia_stream_set_cookie(f, 99);
	nlh = kmd_stream_dump_msg(&h, buf, f);
	EXPECT_EQ(NLM_F_DUMP, nlh->nlmsg_flags & NLM_F_DUMP);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_GET);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(1, nest_count(nest));
	EXPECT_EQ(99, mnl_attr_get_u64(find_attr(nest, KMEDIA_STREAM_A_COOKIE)));

	kmedia_stream_set_sock_in(f, 7);
	nlh = kmd_stream_dump_msg(&h, buf, f);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_GET);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(2, nest_count(nest));
	EXPECT_EQ(7, mnl_attr_get_u32(find_attr(nest, KMEDIA_STREAM_A_SOCK_IN)));
	kmedia_stream_free(f);
}

static int never_called(const struct kmedia_stream *stream, void *data)
{
	(void)stream;
	(void)data;
	return -1;
}

TEST(dump_filter_with_other_attributes_is_refused_locally)
{
	struct kmedia_stream *f = kmedia_stream_alloc();

	ASSERT_NE(NULL, f);
	kmedia_stream_set_cookie(f, 1);
	kmedia_stream_set_id(f, 3);
	EXPECT_EQ(-EINVAL, kmedia_stream_dump(NULL, f, never_called, NULL));
	kmedia_stream_free(f);
}

TEST(flush_request_with_and_without_cookie)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	uint64_t cookie = UINT64_C(0xfedcba9876543210);
	const struct nlattr *nest, *attr;
	struct nlmsghdr *nlh;

	nlh = kmd_stream_flush_msg(&h, buf, NULL);
	EXPECT_EQ(KMEDIA_CMD_STREAM_FLUSH,
		  ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
	EXPECT_EQ(GENL_HDRLEN, mnl_nlmsg_get_payload_len(nlh));

	nlh = kmd_stream_flush_msg(&h, buf, &cookie);
	nest = request_nest(_metadata, nlh, KMEDIA_CMD_STREAM_FLUSH);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(1, nest_count(nest));
	attr = find_attr(nest, KMEDIA_STREAM_A_COOKIE);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(8, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(cookie, mnl_attr_get_u64(attr));
}

/* Replies */

static void put_stats(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_STATS);
	int64_t lost = -3;

	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RX_PACKETS, 1000);
	/* nla_put_u64_64bit() on an arch that aligns: a PAD comes first. */
	mnl_attr_put(nlh, KMEDIA_STATS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RX_BYTES, UINT64_C(0x100000000));
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_TX_PACKETS, 998);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_PT, 2);
	mnl_attr_put_u32(nlh, KMEDIA_STATS_A_SSRC, 0xdeadbeef);
	mnl_attr_put_u32(nlh, KMEDIA_STATS_A_EXT_MAX_SEQ, 0x10005);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RTP_RECEIVED, 1003);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RTP_EXPECTED, 1000);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RTP_LOST, (uint64_t)lost);
	mnl_attr_put_u32(nlh, KMEDIA_STATS_A_JITTER, 17);
	mnl_attr_nest_end(nlh, nest);
}

TEST(stream_reply_with_every_attribute_parses)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	const struct sockaddr_in *d4;
	const struct sockaddr_in6 *s6;
	struct in6_addr want6;
	uint8_t pt[KMEDIA_PT_BITMAP_LEN] = { [0] = 0x01, [12] = 0x20 };
	struct nlattr *nest;
	socklen_t len;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 42);
	mnl_attr_put(nlh, KMEDIA_STREAM_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, UINT64_MAX);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, 1);
	mnl_attr_put_u8(nlh, KMEDIA_STREAM_A_KIND, KMEDIA_KIND_RTP);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, 2);
	put_addr(nlh, KMEDIA_STREAM_A_DST, AF_INET, "203.0.113.9", 6000);
	mnl_attr_put_u8(nlh, KMEDIA_STREAM_A_SRC_MODE, KMEDIA_SRC_LATCH);
	put_addr(nlh, KMEDIA_STREAM_A_SRC, AF_INET6, "2001:db8::42", 50000);
	mnl_attr_put(nlh, KMEDIA_STREAM_A_PT_ALLOW, sizeof(pt), pt);
	mnl_attr_put_u8(nlh, KMEDIA_STREAM_A_DSCP, 34);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_IDLE_TIMEOUT, 5000);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_CLOCK_RATE, 8000);
	mnl_attr_put(nlh, KMEDIA_STREAM_A_LATCHED, 0, NULL);
	put_stats(nlh);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_IDLE_MS, 120);
	/* An attribute from a newer module is skipped. */
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	EXPECT_EQ(42, kmedia_stream_get_id(&s));
	EXPECT_EQ(UINT64_MAX, kmedia_stream_get_cookie(&s));
	EXPECT_EQ(1, kmedia_stream_get_sock_in(&s));
	EXPECT_TRUE(kmedia_stream_has(&s, KMEDIA_STREAM_A_KIND));
	EXPECT_EQ(KMEDIA_KIND_RTP, kmedia_stream_get_kind(&s));
	EXPECT_EQ(2, kmedia_stream_get_sock_out(&s));
	EXPECT_EQ(KMEDIA_SRC_LATCH, kmedia_stream_get_src_mode(&s));
	EXPECT_EQ(34, kmedia_stream_get_dscp(&s));
	EXPECT_EQ(5000, kmedia_stream_get_idle_timeout(&s));
	EXPECT_EQ(8000, kmedia_stream_get_clock_rate(&s));
	EXPECT_TRUE(kmedia_stream_get_latched(&s));
	EXPECT_EQ(120, kmedia_stream_get_idle_ms(&s));
	EXPECT_FALSE(kmedia_stream_has(&s, KMEDIA_STREAM_A_PAD));

	d4 = (const struct sockaddr_in *)kmedia_stream_get_dst(&s, &len);
	ASSERT_NE(NULL, d4);
	EXPECT_EQ(sizeof(*d4), len);
	EXPECT_EQ(AF_INET, d4->sin_family);
	EXPECT_EQ(htonl(0xcb007109), d4->sin_addr.s_addr);
	EXPECT_EQ(htons(6000), d4->sin_port);

	s6 = (const struct sockaddr_in6 *)kmedia_stream_get_src(&s, &len);
	ASSERT_NE(NULL, s6);
	EXPECT_EQ(sizeof(*s6), len);
	EXPECT_EQ(AF_INET6, s6->sin6_family);
	inet_pton(AF_INET6, "2001:db8::42", &want6);
	EXPECT_EQ(0, memcmp(&want6, &s6->sin6_addr, sizeof(want6)));
	EXPECT_EQ(htons(50000), s6->sin6_port);
	EXPECT_EQ(0, s6->sin6_scope_id);

	ASSERT_NE(NULL, kmedia_stream_get_pt_allow(&s));
	EXPECT_EQ(0, memcmp(pt, kmedia_stream_get_pt_allow(&s), sizeof(pt)));

	EXPECT_TRUE(kmedia_stream_has(&s, KMEDIA_STREAM_A_STATS));
	EXPECT_EQ(1000, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(UINT64_C(0x100000000),
		  kmedia_stream_get_stat(&s, KMEDIA_STATS_A_RX_BYTES));
	EXPECT_EQ(998, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_TX_PACKETS));
	EXPECT_EQ(2, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_PT));
	EXPECT_EQ(0xdeadbeef, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_SSRC));
	EXPECT_EQ(0x10005,
		  kmedia_stream_get_stat(&s, KMEDIA_STATS_A_EXT_MAX_SEQ));
	EXPECT_EQ(1003, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_RTP_RECEIVED));
	EXPECT_EQ(1000, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_RTP_EXPECTED));
	EXPECT_EQ(-3, (int64_t)kmedia_stream_get_stat(&s,
						      KMEDIA_STATS_A_RTP_LOST));
	EXPECT_EQ(17, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_JITTER));
	/* Counters the reply did not carry are absent, not zero. */
	EXPECT_FALSE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_TX_BYTES));
	EXPECT_FALSE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_DROP_ROUTE));
	EXPECT_FALSE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_PAD));
	EXPECT_TRUE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_RTP_LOST));
}

TEST(stream_reply_with_v6_dst_and_no_pt_list)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_NEW);
	const struct sockaddr_in6 *d6;
	struct nlattr *nest;
	socklen_t len;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 1);
	put_addr(nlh, KMEDIA_STREAM_A_DST, AF_INET6, "::ffff:192.0.2.5", 1);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	d6 = (const struct sockaddr_in6 *)kmedia_stream_get_dst(&s, &len);
	ASSERT_NE(NULL, d6);
	EXPECT_EQ(sizeof(*d6), len);
	EXPECT_EQ(AF_INET6, d6->sin6_family);
	EXPECT_TRUE(IN6_IS_ADDR_V4MAPPED(&d6->sin6_addr));
	EXPECT_EQ(htons(1), d6->sin6_port);
	EXPECT_EQ(NULL, kmedia_stream_get_pt_allow(&s));
	EXPECT_EQ(NULL, kmedia_stream_get_src(&s, NULL));
	EXPECT_FALSE(kmedia_stream_get_latched(&s));
	EXPECT_FALSE(kmedia_stream_has(&s, KMEDIA_STREAM_A_STATS));
}

TEST(stream_parse_clears_the_object_first)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest;

	memset(&s, 0xff, sizeof(s));
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 8);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	EXPECT_EQ(KMD_BIT(KMEDIA_STREAM_A_ID), s.present);
	EXPECT_EQ(0, s.stats.present);
}

/* The answer to a NEW: the stream nest with the ID alone. */

TEST(new_reply_id_parses)
{
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_NEW);
	struct nlattr *nest;
	uint32_t id = 0;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 0x01020304);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, kmd_stream_id_parse(nlh, &id));
	EXPECT_EQ(0x01020304, id);
}

TEST(new_reply_without_a_good_id_is_refused)
{
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_NEW);
	struct nlattr *nest;
	uint32_t id = 5;

	/* no stream nest */
	mnl_attr_put_u32(nlh, KMEDIA_A_COUNT, 1);
	EXPECT_EQ(-EBADMSG, kmd_stream_id_parse(nlh, &id));
	/* a nest without the ID */
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 9);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_id_parse(nlh, &id));
	/* an ID of the wrong size */
	nlh = reply_start(KMEDIA_CMD_STREAM_NEW);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_ID, 9);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_id_parse(nlh, &id));
	/* shorter than the genl header */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY_ID;
	mnl_nlmsg_put_extra_header(nlh, 2);
	EXPECT_EQ(-EBADMSG, kmd_stream_id_parse(nlh, &id));
	EXPECT_EQ(5, id);
}

/* Malformed replies: each is refused as a whole. */

TEST(reply_without_stream_nest_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);

	mnl_attr_put_u32(nlh, KMEDIA_A_COUNT, 1);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(reply_shorter_than_the_genl_header_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = FAMILY_ID;
	mnl_nlmsg_put_extra_header(nlh, 2);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(address_with_both_families_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest, *addr;
	uint8_t a[16] = { 0 };
	uint16_t port = htons(9);

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	addr = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, 4, a);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV6, 16, a);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, 2, &port);
	mnl_attr_nest_end(nlh, addr);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(address_without_port_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest, *addr;
	uint8_t a[4] = { 10, 0, 0, 1 };

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	addr = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, 4, a);
	mnl_attr_nest_end(nlh, addr);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(ipv4_address_of_the_wrong_size_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest, *addr;
	uint8_t a[16] = { 10, 0, 0, 1 };
	uint16_t port = htons(9);

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	addr = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRC);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_IPV4, 16, a);
	mnl_attr_put(nlh, KMEDIA_ADDR_A_PORT, 2, &port);
	mnl_attr_nest_end(nlh, addr);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(pt_bitmap_of_the_wrong_size_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest;
	uint8_t pt[8] = { 0 };

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put(nlh, KMEDIA_STREAM_A_PT_ALLOW, sizeof(pt), pt);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(u64_counter_sent_as_u32_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest, *stats;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	stats = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_STATS);
	mnl_attr_put_u32(nlh, KMEDIA_STATS_A_RX_PACKETS, 1);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(latched_flag_with_a_payload_is_refused)
{
	struct kmedia_stream s;
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_GET);
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u8(nlh, KMEDIA_STREAM_A_LATCHED, 1);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

/* Flush */

TEST(flush_reply_count_parses)
{
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_FLUSH);
	uint32_t count = 0;

	mnl_attr_put_u32(nlh, KMEDIA_A_COUNT, 17);
	ASSERT_EQ(0, kmd_flush_parse(nlh, &count));
	EXPECT_EQ(17, count);
}

TEST(flush_reply_without_a_good_count_is_refused)
{
	struct nlmsghdr *nlh = reply_start(KMEDIA_CMD_STREAM_FLUSH);
	uint32_t count = 5;

	EXPECT_EQ(-EBADMSG, kmd_flush_parse(nlh, &count));
	mnl_attr_put_u64(nlh, KMEDIA_A_COUNT, 17);
	EXPECT_EQ(-EBADMSG, kmd_flush_parse(nlh, &count));
	EXPECT_EQ(5, count);
}

TEST_HARNESS_MAIN
