// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: malformed requests. Every request here is built by hand with
 * libmnl, because libkmedia refuses to build them, and every refusal is
 * checked in full: the errno, the extended ACK's text, the offset of the
 * attribute it blames (NLMSGERR_ATTR_OFFS) and, for a missing attribute,
 * its type and the offset of the nest lacking it (NLMSGERR_ATTR_MISS_TYPE
 * and _MISS_NEST). Covered: binary attributes too long or too short,
 * integers of the wrong width, values out of range (with the largest valid
 * value accepted), unknown attribute types at every level, nests without
 * NLA_F_NESTED and scalars with it, read-only attributes, trailing and
 * truncated bytes, the missing nest and missing attributes of every
 * command, attributes a command does not take, unknown IDs, descriptors
 * that are not usable UDP sockets, and requests the family does not serve
 * (dumps of commands without one, events sent as requests). After each
 * refusal nothing changed: the namespace still has its two sockets and
 * one stream.
 *
 * The texts of the policy checks are the kernel's own (lib/nlattr.c); the
 * others are kmedia's, which name the attribute.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/udp.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../../userlib/internal.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

/* The kernel's texts for policy violations (lib/nlattr.c). */
#define BIN_RANGE	"binary attribute size out of range"
#define INT_RANGE	"integer out of range"
#define BAD_LEN		"invalid attribute length"
#define UNKNOWN		"Unknown attribute type"
#define UNSUPPORTED	"Unsupported attribute"
#define NEST_MISSING	"NLA_F_NESTED is missing"
#define NEST_UNEXPECTED	"NLA_F_NESTED not expected"
#define LEFTOVER	"bytes leftover after parsing attributes"

/* What the kernel answered to one request. */
struct ack {
	int error;
	char msg[KMD_EXTACK_MAX];
	long offs;		/* NLMSGERR_ATTR_OFFS, -1 if absent */
	long miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 if absent */
	long miss_nest;		/* NLMSGERR_ATTR_MISS_NEST, -1 if absent */
	unsigned int replies;	/* messages before the ACK */
	uint32_t stream_id;	/* from a stream reply */
};

FIXTURE(bad)
{
	struct kmedia_handle *h;
	int fd_in, fd_out;
	uint32_t in_id, out_id, stream_id;
	char buf[8192];		/* requests are built here */
};

FIXTURE_SETUP(bad)
{
	struct kmt_addr dst;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
	self->fd_in = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	self->fd_out = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
	ASSERT_LE(0, self->fd_in);
	ASSERT_LE(0, self->fd_out);
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd_in, &self->in_id));
	ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fd_out, &self->out_id));
	ASSERT_EQ(0, kmt_addr_make(&dst, AF_INET, "127.0.0.1", 9));
	/* the stream that change, del and get requests name */
	ASSERT_EQ(0, kmt_stream_add(self->h, self->in_id, self->out_id, &dst,
				    KMEDIA_KIND_RTCP, 0, &self->stream_id))
		KMT_LOG_EXTACK(self->h);
}

FIXTURE_TEARDOWN(bad)
{
	if (self->h)
		kmedia_handle_close(self->h);
}

/* ---- building requests ---- */

static struct nlmsghdr *msg(FIXTURE_DATA(bad) *self, uint8_t cmd)
{
	return kmd_msg_start(self->h, self->buf, cmd, 0);
}

/* Put an attribute and return where it starts, for the offset check. */
static struct nlattr *put(struct nlmsghdr *nlh, uint16_t type, size_t len,
			  const void *data)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put(nlh, type, len, data);
	return attr;
}

static struct nlattr *put_u8(struct nlmsghdr *nlh, uint16_t type, uint8_t v)
{
	return put(nlh, type, sizeof(v), &v);
}

static struct nlattr *put_u16(struct nlmsghdr *nlh, uint16_t type, uint16_t v)
{
	return put(nlh, type, sizeof(v), &v);
}

static struct nlattr *put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	return put(nlh, type, sizeof(v), &v);
}

static struct nlattr *put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	return put(nlh, type, sizeof(v), &v);
}

/* A valid address nest: 127.0.0.1:9. */
static struct nlattr *put_dst(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	struct in_addr a = { htonl(INADDR_LOOPBACK) };

	put(nlh, KMEDIA_ADDR_A_IPV4, sizeof(a), &a);
	put_u16(nlh, KMEDIA_ADDR_A_PORT, htons(9));
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

/* The SRTP attributes of a valid AES_CM_128_HMAC_SHA1_80 context. */
static void put_srtp_body(struct nlmsghdr *nlh)
{
	static const uint8_t key[16] = { 1 }, salt[14] = { 2 };

	put_u32(nlh, KMEDIA_SRTP_A_SUITE, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
	put(nlh, KMEDIA_SRTP_A_MASTER_KEY, sizeof(key), key);
	put(nlh, KMEDIA_SRTP_A_MASTER_SALT, sizeof(salt), salt);
}

/* STREAM_NEW: open the stream nest; with_base adds SOCK_IN, SOCK_OUT, DST. */
static struct nlattr *new_start(FIXTURE_DATA(bad) *self,
				struct nlmsghdr **nlhp, bool with_base)
{
	struct nlmsghdr *nlh = msg(self, KMEDIA_CMD_STREAM_NEW);
	struct nlattr *nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);

	if (with_base) {
		put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->in_id);
		put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, self->out_id);
		put_dst(nlh, KMEDIA_STREAM_A_DST);
	}
	*nlhp = nlh;
	return nest;
}

/* A command on the fixture's stream: open the nest, put its ID. */
static struct nlattr *id_start(FIXTURE_DATA(bad) *self, uint8_t cmd,
			       struct nlmsghdr **nlhp)
{
	struct nlmsghdr *nlh = msg(self, cmd);
	struct nlattr *nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);

	put_u32(nlh, KMEDIA_STREAM_A_ID, self->stream_id);
	*nlhp = nlh;
	return nest;
}

/* ---- sending and reading the answer ---- */

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ack *a = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(a->msg, sizeof(a->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->offs = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->miss_type = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_MISS_NEST:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			a->miss_nest = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static void parse_ack(const struct nlmsghdr *nlh, struct ack *a)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	a->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    offset <= mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, offset, ack_attr_cb, a);
}

static void parse_reply(const struct nlmsghdr *nlh, struct ack *a)
{
	const struct nlattr *top, *attr;

	a->replies++;
	mnl_attr_for_each(top, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(top) != KMEDIA_A_STREAM)
			continue;
		mnl_attr_for_each_nested(attr, top)
			if (mnl_attr_get_type(attr) == KMEDIA_STREAM_A_ID &&
			    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
				a->stream_id = mnl_attr_get_u32(attr);
	}
}

/* Send nlh with NLM_F_ACK and read until its ACK (or NLMSG_DONE). */
static int run(struct kmedia_handle *h, struct nlmsghdr *nlh, struct ack *a)
{
	memset(a, 0, sizeof(*a));
	a->offs = a->miss_type = a->miss_nest = -1;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t len = kmd_recv(h, 0);
		const struct nlmsghdr *m = (const struct nlmsghdr *)h->buf;
		int rest = len;

		if (len < 0)
			return len;
		for (; mnl_nlmsg_ok(m, rest); m = mnl_nlmsg_next(m, &rest)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				parse_ack(m, a);
				return 0;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(m) >= sizeof(int))
					memcpy(&a->error,
					       mnl_nlmsg_get_payload(m),
					       sizeof(int));
				return 0;
			}
			parse_reply(m, a);
		}
	}
}

static long offset_of(const struct nlmsghdr *nlh, const struct nlattr *attr)
{
	return attr ? (const char *)attr - (const char *)nlh : -1;
}

/*
 * The request is refused with err and exactly text, blaming bad (NULL: no
 * attribute). Then the namespace is as the fixture left it.
 */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(bad) *self, struct nlmsghdr *nlh,
		    const struct nlattr *bad, int err, const char *text)
{
	long want_offs = offset_of(nlh, bad);
	uint32_t streams = 99, socks = 99;
	struct ack a;

	ASSERT_EQ(0, run(self->h, nlh, &a));
	TH_LOG("%s: %d, \"%s\", offset %ld", text, a.error, a.msg, a.offs);
	ASSERT_EQ(-err, a.error);
	ASSERT_STREQ(text, a.msg);
	ASSERT_EQ(want_offs, a.offs);
	ASSERT_EQ(0, a.replies);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &streams));
	ASSERT_EQ(1, streams);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_SOCKETS, &socks));
	ASSERT_EQ(2, socks);
}

/*
 * Refused with EINVAL and text because attribute type is missing from nest
 * (NULL: from the top level).
 */
static void missing(struct __test_metadata *_metadata,
		    FIXTURE_DATA(bad) *self, struct nlmsghdr *nlh,
		    const struct nlattr *nest, int type, const char *text)
{
	long want_nest = offset_of(nlh, nest);
	struct ack a;

	ASSERT_EQ(0, run(self->h, nlh, &a));
	TH_LOG("%s: %d, \"%s\", missing %ld in nest at %ld", text, a.error,
	       a.msg, a.miss_type, a.miss_nest);
	ASSERT_EQ(-EINVAL, a.error);
	ASSERT_STREQ(text, a.msg);
	ASSERT_EQ(type, a.miss_type);
	ASSERT_EQ(want_nest, a.miss_nest);
	ASSERT_EQ(-1, a.offs);
}

/* The request succeeds; a new stream it created is deleted again. */
static void accepted(struct __test_metadata *_metadata,
		     FIXTURE_DATA(bad) *self, struct nlmsghdr *nlh,
		     const char *what)
{
	struct ack a;

	ASSERT_EQ(0, run(self->h, nlh, &a));
	TH_LOG("%s: %d \"%s\"", what, a.error, a.msg);
	ASSERT_EQ(0, a.error);
	if (a.stream_id && a.stream_id != self->stream_id)
		ASSERT_EQ(0, kmedia_stream_del(self->h, a.stream_id));
}

/* ---- the tests ---- */

TEST_F(bad, binary_attributes_of_the_wrong_size)
{
	static const uint8_t bytes[64];
	static const size_t pt_lens[] = {
		KMEDIA_PT_BITMAP_LEN + 1, KMEDIA_PT_BITMAP_LEN - 1, 0, 64,
	};
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;
	size_t i;

	for (i = 0; i < sizeof(pt_lens) / sizeof(pt_lens[0]); i++) {
		nest = new_start(self, &nlh, true);
		bad = put(nlh, KMEDIA_STREAM_A_PT_ALLOW, pt_lens[i], bytes);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, ERANGE, BIN_RANGE);
	}
	/* the same policy guards a change */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put(nlh, KMEDIA_STREAM_A_PT_ALLOW, KMEDIA_PT_BITMAP_LEN + 1,
		  bytes);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ERANGE, BIN_RANGE);

	/* a 5-byte and a 3-byte IPv4 address, a 17-byte IPv6 source */
	for (i = 3; i <= 5; i += 2) {
		nest = new_start(self, &nlh, false);
		put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->in_id);
		put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, self->out_id);
		inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
		bad = put(nlh, KMEDIA_ADDR_A_IPV4, i, bytes);
		put_u16(nlh, KMEDIA_ADDR_A_PORT, htons(9));
		mnl_attr_nest_end(nlh, inner);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, ERANGE, BIN_RANGE);
	}
	nest = new_start(self, &nlh, true);
	put_u8(nlh, KMEDIA_STREAM_A_SRC_MODE, KMEDIA_SRC_STRICT);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRC);
	bad = put(nlh, KMEDIA_ADDR_A_IPV6, 17, bytes);
	put_u16(nlh, KMEDIA_ADDR_A_PORT, htons(9));
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ERANGE, BIN_RANGE);

	/* an MKI of 17 bytes and of none, a 33-byte master key */
	for (i = 0; i < 3; i++) {
		nest = new_start(self, &nlh, true);
		inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
		put_srtp_body(nlh);
		if (i == 2)
			bad = put(nlh, KMEDIA_SRTP_A_MASTER_KEY, 33, bytes);
		else
			bad = put(nlh, KMEDIA_SRTP_A_MKI,
				  i ? 0 : KMEDIA_SRTP_MKI_MAX + 1, bytes);
		mnl_attr_nest_end(nlh, inner);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, ERANGE, BIN_RANGE);
	}
}

/*
 * One scalar attribute, width bytes wide, in an otherwise valid request:
 * STREAM_NEW with SOCK_IN, SOCK_OUT and DST; another stream command with
 * the fixture's stream ID (unless type is the ID); a socket command alone.
 */
struct one {
	uint8_t cmd;
	uint16_t type;
	uint8_t width;
	uint64_t value;
};

static struct nlmsghdr *one_msg(FIXTURE_DATA(bad) *self, const struct one *o,
				struct nlattr **attrp)
{
	bool sock = o->cmd >= KMEDIA_CMD_SOCK_ATTACH &&
		    o->cmd <= KMEDIA_CMD_SOCK_GET;
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } v;
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (o->cmd == KMEDIA_CMD_STREAM_NEW) {
		nest = new_start(self, &nlh, true);
	} else if (sock || o->type == KMEDIA_STREAM_A_ID) {
		nlh = msg(self, o->cmd);
		nest = mnl_attr_nest_start(nlh, sock ? KMEDIA_A_SOCK :
						       KMEDIA_A_STREAM);
	} else {
		nest = id_start(self, o->cmd, &nlh);
	}
	switch (o->width) {
	case 1:
		v.u8 = o->value;
		break;
	case 2:
		v.u16 = o->value;
		break;
	case 4:
		v.u32 = o->value;
		break;
	default:
		v.u64 = o->value;
	}
	*attrp = put(nlh, o->type, o->width, &v);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void one_refused(struct __test_metadata *_metadata,
			FIXTURE_DATA(bad) *self, const struct one *o, int err,
			const char *text)
{
	struct nlattr *attr;
	struct nlmsghdr *nlh = one_msg(self, o, &attr);

	refused(_metadata, self, nlh, attr, err, text);
}

TEST_F(bad, integers_of_the_wrong_width)
{
	const struct one wrong[] = {
		/* u16 where u32 is expected, and the other way round */
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_COOKIE, 4, 7 },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_KIND, 4, 0 },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_SOCK_OUT, 8,
		  self->out_id },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_DSCP, 2, 10 },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_CLOCK_RATE, 1, 90 },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_IDLE_TIMEOUT, 2,
		  1000 },
		{ KMEDIA_CMD_STREAM_DEL, KMEDIA_STREAM_A_ID, 2,
		  self->stream_id },
		{ KMEDIA_CMD_SOCK_DETACH, KMEDIA_SOCK_A_ID, 8, self->in_id },
		{ KMEDIA_CMD_SOCK_ATTACH, KMEDIA_SOCK_A_FD, 2, self->fd_in },
	};
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;
	size_t i;

	/* a u16 SOCK_IN, before the other attributes */
	nest = new_start(self, &nlh, false);
	bad = put_u16(nlh, KMEDIA_STREAM_A_SOCK_IN, self->in_id);
	put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, self->out_id);
	put_dst(nlh, KMEDIA_STREAM_A_DST);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, BAD_LEN);

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		one_refused(_metadata, self, &wrong[i], EINVAL, BAD_LEN);

	/* a 32-bit port */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
	put_u32(nlh, KMEDIA_ADDR_A_IPV4, htonl(INADDR_LOOPBACK));
	bad = put_u32(nlh, KMEDIA_ADDR_A_PORT, htons(9));
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, BAD_LEN);

	/* an 8-bit suite */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_OUT);
	bad = put_u8(nlh, KMEDIA_SRTP_A_SUITE, KMEDIA_SRTP_NONE);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, BAD_LEN);
}

TEST_F(bad, values_out_of_range)
{
	/* the largest valid value of each u8 passes, the next one does not */
	static const struct one max[] = {
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_DSCP, 1, 63 },
		/* RTP: the fixture's stream on this socket is RTCP */
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_KIND, 1,
		  KMEDIA_KIND_RTP },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_SRC_MODE, 1,
		  KMEDIA_SRC_MAX },
	};
	static const struct one over[] = {
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_DSCP, 1, 64 },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_DSCP, 1, 255 },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_KIND, 1,
		  KMEDIA_KIND_MAX + 1 },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_STREAM_A_SRC_MODE, 1,
		  KMEDIA_SRC_MAX + 1 },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_CLOCK_RATE, 4, 0 },
		/* IDs 0, a descriptor that is not a non-negative int */
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_STREAM_A_SOCK_OUT, 4, 0 },
		{ KMEDIA_CMD_STREAM_GET, KMEDIA_STREAM_A_ID, 4, 0 },
		{ KMEDIA_CMD_SOCK_DETACH, KMEDIA_SOCK_A_ID, 4, 0 },
		{ KMEDIA_CMD_SOCK_ATTACH, KMEDIA_SOCK_A_FD, 4, 0x80000000u },
	};
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;
	size_t i;

	for (i = 0; i < sizeof(max) / sizeof(max[0]); i++) {
		nlh = one_msg(self, &max[i], &bad);
		accepted(_metadata, self, nlh, "largest valid value");
	}
	for (i = 0; i < sizeof(over) / sizeof(over[0]); i++)
		one_refused(_metadata, self, &over[i], ERANGE, INT_RANGE);

	/* port 0 */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
	put_u32(nlh, KMEDIA_ADDR_A_IPV4, htonl(INADDR_LOOPBACK));
	bad = put_u16(nlh, KMEDIA_ADDR_A_PORT, 0);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ERANGE, INT_RANGE);

	/* a suite past the last one, a replay window below the minimum */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
	bad = put_u32(nlh, KMEDIA_SRTP_A_SUITE, KMEDIA_SRTP_SUITE_MAX + 1);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ERANGE, INT_RANGE);

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
	put_srtp_body(nlh);
	bad = put_u32(nlh, KMEDIA_SRTP_A_REPLAY_WINDOW,
		      KMEDIA_SRTP_REPLAY_MIN - 1);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ERANGE, INT_RANGE);
}

TEST_F(bad, unknown_attribute_types_at_every_level)
{
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;

	/* top level: past the command's last attribute, and unused ones */
	nest = id_start(self, KMEDIA_CMD_STREAM_GET, &nlh);
	mnl_attr_nest_end(nlh, nest);
	bad = put_u32(nlh, KMEDIA_A_MAX + 1, 1);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	nest = id_start(self, KMEDIA_CMD_STREAM_GET, &nlh);
	mnl_attr_nest_end(nlh, nest);
	bad = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
	put_u32(nlh, KMEDIA_SOCK_A_ID, self->in_id);
	mnl_attr_nest_end(nlh, bad);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_SOCK_GET),
				   KMEDIA_A_SOCK);
	put_u32(nlh, KMEDIA_SOCK_A_ID, self->in_id);
	mnl_attr_nest_end(nlh, nest);
	bad = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_nest_end(nlh, bad);
	refused(_metadata, self, nlh, bad, EINVAL, UNSUPPORTED);

	nest = id_start(self, KMEDIA_CMD_STREAM_GET, &nlh);
	mnl_attr_nest_end(nlh, nest);
	bad = put(nlh, KMEDIA_A_VERSION, 6, "0.0.0");
	refused(_metadata, self, nlh, bad, EINVAL, UNSUPPORTED);

	/* in the stream nest: past the last type, and type 0 */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u32(nlh, KMEDIA_STREAM_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u32(nlh, KMEDIA_STREAM_A_UNSPEC, 1);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	/* in an address, an SRTP context, a socket */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
	put_u32(nlh, KMEDIA_ADDR_A_IPV4, htonl(INADDR_LOOPBACK));
	put_u16(nlh, KMEDIA_ADDR_A_PORT, htons(9));
	bad = put_u32(nlh, KMEDIA_ADDR_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_OUT);
	put_srtp_body(nlh);
	bad = put_u32(nlh, KMEDIA_SRTP_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_SOCK_ATTACH),
				   KMEDIA_A_SOCK);
	put_u32(nlh, KMEDIA_SOCK_A_FD, self->fd_in);
	bad = put_u32(nlh, KMEDIA_SOCK_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);

	/* dump filters are checked like any request */
	nlh = kmd_msg_start(self->h, self->buf, KMEDIA_CMD_STREAM_GET,
			    NLM_F_DUMP);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	bad = put_u32(nlh, KMEDIA_STREAM_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, UNKNOWN);
}

TEST_F(bad, nest_flags)
{
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;

	/* the stream nest itself, an address, an SRTP context */
	nest = id_start(self, KMEDIA_CMD_STREAM_GET, &nlh);
	mnl_attr_nest_end(nlh, nest);
	nest->nla_type &= ~NLA_F_NESTED;
	refused(_metadata, self, nlh, nest, EINVAL, NEST_MISSING);

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_dst(nlh, KMEDIA_STREAM_A_DST);
	bad->nla_type &= ~NLA_F_NESTED;
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, NEST_MISSING);

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
	put_srtp_body(nlh);
	mnl_attr_nest_end(nlh, inner);
	bad->nla_type &= ~NLA_F_NESTED;
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, NEST_MISSING);

	/* a scalar flagged as a nest */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u32(nlh, KMEDIA_STREAM_A_IDLE_TIMEOUT, 1000);
	bad->nla_type |= NLA_F_NESTED;
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL, NEST_UNEXPECTED);
}

TEST_F(bad, read_only_attributes_are_refused_by_name)
{
	static const struct {
		uint16_t type;
		const char *text;
	} ro[] = {
		{ KMEDIA_STREAM_A_LATCHED, "stream.latched is reported, not set" },
		{ KMEDIA_STREAM_A_STATS, "stream.stats is reported, not set" },
		{ KMEDIA_STREAM_A_IDLE_MS, "stream.idle-ms is reported, not set" },
		{ KMEDIA_STREAM_A_SRTP_FAILURES,
		  "stream.srtp-failures is reported, not set" },
		{ KMEDIA_SOCK_A_LOCAL, "sock.local is reported, not set" },
		{ KMEDIA_SOCK_A_STREAMS, "sock.streams is reported, not set" },
		{ KMEDIA_SOCK_A_STATS, "sock.stats is reported, not set" },
	};
	struct nlattr *nest, *inner, *bad;
	struct nlmsghdr *nlh;
	size_t i;

	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		bool sock = i >= 4;

		if (sock) {
			nlh = msg(self, KMEDIA_CMD_SOCK_ATTACH);
			nest = mnl_attr_nest_start(nlh, KMEDIA_A_SOCK);
			put_u32(nlh, KMEDIA_SOCK_A_FD, self->fd_in);
		} else {
			nest = new_start(self, &nlh, true);
		}
		/* a flag is empty; the others carry a u32 */
		if (ro[i].type == KMEDIA_STREAM_A_LATCHED)
			bad = put(nlh, ro[i].type, 0, "");
		else
			bad = put_u32(nlh, ro[i].type, 0);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, EINVAL, ro[i].text);
	}

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
	put_srtp_body(nlh);
	bad = put_u32(nlh, KMEDIA_SRTP_A_SRTCP_INDEX, 1);
	mnl_attr_nest_end(nlh, inner);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"srtp.srtcp-index is reported, not set");
}

TEST_F(bad, trailing_and_truncated_bytes)
{
	struct nlattr *nest, *tail;
	struct nlmsghdr *nlh;

	/* four bytes after the last attribute that are not one */
	nest = id_start(self, KMEDIA_CMD_STREAM_GET, &nlh);
	mnl_attr_nest_end(nlh, nest);
	tail = mnl_nlmsg_get_payload_tail(nlh);
	tail->nla_len = 2;
	tail->nla_type = KMEDIA_A_STREAM;
	nlh->nlmsg_len += NLA_HDRLEN;
	refused(_metadata, self, nlh, NULL, EINVAL, LEFTOVER);

	/* an attribute in the stream nest longer than what is left of it */
	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	tail = put_u32(nlh, KMEDIA_STREAM_A_IDLE_TIMEOUT, 1000);
	mnl_attr_nest_end(nlh, nest);
	tail->nla_len += 4;
	refused(_metadata, self, nlh, NULL, EINVAL, LEFTOVER);
}

TEST_F(bad, every_command_needs_its_nest)
{
	static const struct {
		uint8_t cmd;
		uint16_t nest;
		const char *text;
	} cmds[] = {
		{ KMEDIA_CMD_SOCK_ATTACH, KMEDIA_A_SOCK, "sock: attribute nest missing" },
		{ KMEDIA_CMD_SOCK_DETACH, KMEDIA_A_SOCK, "sock: attribute nest missing" },
		{ KMEDIA_CMD_SOCK_GET, KMEDIA_A_SOCK, "sock: attribute nest missing" },
		{ KMEDIA_CMD_STREAM_NEW, KMEDIA_A_STREAM, "stream: attribute nest missing" },
		{ KMEDIA_CMD_STREAM_CHANGE, KMEDIA_A_STREAM, "stream: attribute nest missing" },
		{ KMEDIA_CMD_STREAM_DEL, KMEDIA_A_STREAM, "stream: attribute nest missing" },
		{ KMEDIA_CMD_STREAM_GET, KMEDIA_A_STREAM, "stream: attribute nest missing" },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		missing(_metadata, self, msg(self, cmds[i].cmd), NULL,
			cmds[i].nest, cmds[i].text);
}

TEST_F(bad, every_command_names_its_missing_attribute)
{
	struct nlattr *nest, *inner;
	struct nlmsghdr *nlh;
	int cmd, drop;

	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_SOCK_ATTACH),
				   KMEDIA_A_SOCK);
	mnl_attr_nest_end(nlh, nest);
	missing(_metadata, self, nlh, nest, KMEDIA_SOCK_A_FD, "sock.fd: missing");
	for (cmd = KMEDIA_CMD_SOCK_DETACH; cmd <= KMEDIA_CMD_SOCK_GET; cmd++) {
		nest = mnl_attr_nest_start(nlh = msg(self, cmd), KMEDIA_A_SOCK);
		mnl_attr_nest_end(nlh, nest);
		missing(_metadata, self, nlh, nest, KMEDIA_SOCK_A_ID,
			"sock.id: missing");
	}

	/* STREAM_NEW without each of its three required attributes */
	for (drop = 0; drop < 3; drop++) {
		static const char *const texts[] = {
			"stream.sock-in: missing", "stream.sock-out: missing",
			"stream.dst: missing",
		};
		static const int types[] = {
			KMEDIA_STREAM_A_SOCK_IN, KMEDIA_STREAM_A_SOCK_OUT,
			KMEDIA_STREAM_A_DST,
		};

		nest = new_start(self, &nlh, false);
		put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 1);
		if (drop != 0)
			put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->in_id);
		if (drop != 1)
			put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, self->out_id);
		if (drop != 2)
			put_dst(nlh, KMEDIA_STREAM_A_DST);
		mnl_attr_nest_end(nlh, nest);
		missing(_metadata, self, nlh, nest, types[drop], texts[drop]);
	}

	for (cmd = KMEDIA_CMD_STREAM_CHANGE; cmd <= KMEDIA_CMD_STREAM_DEL;
	     cmd++) {
		nest = mnl_attr_nest_start(nlh = msg(self, cmd),
					   KMEDIA_A_STREAM);
		put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 1);
		mnl_attr_nest_end(nlh, nest);
		missing(_metadata, self, nlh, nest, KMEDIA_STREAM_A_ID,
			"stream.id: missing");
	}
	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_STREAM_GET),
				   KMEDIA_A_STREAM);
	mnl_attr_nest_end(nlh, nest);
	missing(_metadata, self, nlh, nest, KMEDIA_STREAM_A_ID,
		"stream.id: missing");

	/* an SRTP context without suite, key or salt */
	for (drop = 0; drop < 3; drop++) {
		static const uint8_t key[16], salt[14];
		static const char *const texts[] = {
			"srtp.suite: missing", "srtp.master-key: missing",
			"srtp.master-salt: missing",
		};

		nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
		inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_OUT);
		if (drop != 0)
			put_u32(nlh, KMEDIA_SRTP_A_SUITE,
				KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80);
		if (drop != 1)
			put(nlh, KMEDIA_SRTP_A_MASTER_KEY, sizeof(key), key);
		if (drop != 2)
			put(nlh, KMEDIA_SRTP_A_MASTER_SALT, sizeof(salt), salt);
		mnl_attr_nest_end(nlh, inner);
		mnl_attr_nest_end(nlh, nest);
		missing(_metadata, self, nlh, inner, KMEDIA_SRTP_A_SUITE + drop,
			texts[drop]);
	}
}

TEST_F(bad, incomplete_addresses)
{
	struct in6_addr a6 = IN6ADDR_LOOPBACK_INIT;
	struct nlattr *nest, *inner;
	struct nlmsghdr *nlh;
	int which;

	/* no address, no port, both families */
	for (which = 0; which < 3; which++) {
		static const char *const texts[] = {
			"address: ipv4 or ipv6 missing", "address: port missing",
			"address: give ipv4 or ipv6, not both",
		};

		nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
		inner = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_DST);
		if (which != 0)
			put_u32(nlh, KMEDIA_ADDR_A_IPV4, htonl(INADDR_LOOPBACK));
		if (which == 2)
			put(nlh, KMEDIA_ADDR_A_IPV6, sizeof(a6), &a6);
		if (which != 1)
			put_u16(nlh, KMEDIA_ADDR_A_PORT, htons(9));
		mnl_attr_nest_end(nlh, inner);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, inner, EINVAL, texts[which]);
	}
}

TEST_F(bad, attributes_a_command_does_not_take)
{
	struct nlattr *nest, *bad;
	struct nlmsghdr *nlh;

	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_SOCK_ATTACH),
				   KMEDIA_A_SOCK);
	put_u32(nlh, KMEDIA_SOCK_A_FD, self->fd_in);
	bad = put_u32(nlh, KMEDIA_SOCK_A_ID, 5);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"sock.id: assigned by the kernel on attach");

	nest = new_start(self, &nlh, true);
	bad = put_u32(nlh, KMEDIA_STREAM_A_ID, 5);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"stream.id: assigned by the kernel");

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->out_id);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"stream: sock-in and kind are fixed at creation");

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u8(nlh, KMEDIA_STREAM_A_KIND, KMEDIA_KIND_RTP);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"stream: sock-in and kind are fixed at creation");

	/* flush selects by cookie only: nothing is deleted */
	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_STREAM_FLUSH),
				   KMEDIA_A_STREAM);
	bad = put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->in_id);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, EINVAL,
		"stream: flush selects by cookie only");
}

TEST_F(bad, unknown_ids_name_the_attribute)
{
	static const uint8_t by_id[] = {
		KMEDIA_CMD_STREAM_GET, KMEDIA_CMD_STREAM_CHANGE,
		KMEDIA_CMD_STREAM_DEL,
	};
	const uint32_t none = 0x7ffffff0;
	struct nlattr *nest, *bad;
	struct nlmsghdr *nlh;
	size_t i;
	int cmd;

	for (i = 0; i < sizeof(by_id); i++) {
		nest = mnl_attr_nest_start(nlh = msg(self, by_id[i]),
					   KMEDIA_A_STREAM);
		bad = put_u32(nlh, KMEDIA_STREAM_A_ID, none);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, ENOENT,
			"stream.id: no such stream");
	}

	nest = new_start(self, &nlh, false);
	bad = put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, none);
	put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, self->out_id);
	put_dst(nlh, KMEDIA_STREAM_A_DST);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ENOENT, "stream: no such socket");

	nest = new_start(self, &nlh, false);
	put_u32(nlh, KMEDIA_STREAM_A_SOCK_IN, self->out_id);
	bad = put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, none);
	put_dst(nlh, KMEDIA_STREAM_A_DST);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ENOENT, "stream: no such socket");

	nest = id_start(self, KMEDIA_CMD_STREAM_CHANGE, &nlh);
	bad = put_u32(nlh, KMEDIA_STREAM_A_SOCK_OUT, none);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, ENOENT, "stream: no such socket");

	for (cmd = KMEDIA_CMD_SOCK_DETACH; cmd <= KMEDIA_CMD_SOCK_GET; cmd++) {
		nest = mnl_attr_nest_start(nlh = msg(self, cmd), KMEDIA_A_SOCK);
		bad = put_u32(nlh, KMEDIA_SOCK_A_ID, none);
		mnl_attr_nest_end(nlh, nest);
		refused(_metadata, self, nlh, bad, ENOENT,
			"sock.id: no such socket");
	}
}

/* SOCK_ATTACH of fd is refused with err and text, blaming sock.fd. */
static void attach_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(bad) *self, int fd, int err,
			   const char *text)
{
	struct nlattr *nest, *bad;
	struct nlmsghdr *nlh;

	nest = mnl_attr_nest_start(nlh = msg(self, KMEDIA_CMD_SOCK_ATTACH),
				   KMEDIA_A_SOCK);
	bad = put_u32(nlh, KMEDIA_SOCK_A_FD, fd);
	mnl_attr_nest_end(nlh, nest);
	refused(_metadata, self, nlh, bad, err, text);
}

TEST_F(bad, descriptors_that_are_not_usable_udp_sockets)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr = { htonl(INADDR_LOOPBACK) },
	};
	int fd, closed, encap = UDP_ENCAP_ESPINUDP;

	/* a descriptor number that is not open */
	closed = dup(self->fd_in);
	ASSERT_LE(0, closed);
	ASSERT_EQ(0, close(closed));
	attach_refused(_metadata, self, closed, EBADF,
		       "sock.fd: not a socket of the calling process");

	/* UDP-Lite and AF_UNIX datagram sockets */
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	if (fd >= 0) {
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
		attach_refused(_metadata, self, fd, EPROTOTYPE,
			       "sock.fd: not a UDP socket (IPv4 or IPv6)");
		close(fd);
	} else {
		TH_LOG("no UDP-Lite here (%s): not checked", strerror(errno));
	}
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	attach_refused(_metadata, self, fd, EPROTOTYPE,
		       "sock.fd: not a UDP socket (IPv4 or IPv6)");
	close(fd);

	/*
	 * IPv6 that also takes IPv4-mapped traffic: bound to the wildcard,
	 * since binding to an IPv6 address makes a socket IPv6-only anyway
	 */
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 0 },
				sizeof(int)));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)));
	attach_refused(_metadata, self, fd, EINVAL,
		       "sock.fd: IPv6 socket must be IPV6_V6ONLY");
	close(fd);

	/* a UDP socket some other kernel user (ESP in UDP) took over */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	if (!setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		attach_refused(_metadata, self, fd, EBUSY,
			       "sock.fd: socket is claimed by another kernel user");
	else
		TH_LOG("no ESP in UDP here (%s): not checked",
		       strerror(errno));
	close(fd);
}

/* Refused by the generic netlink core, before kmedia sees the request. */
TEST_F(bad, requests_the_family_does_not_serve)
{
	static const uint8_t no_dump[] = {
		KMEDIA_CMD_NETNS_GET, KMEDIA_CMD_SOCK_ATTACH,
		KMEDIA_CMD_SOCK_DETACH, KMEDIA_CMD_STREAM_NEW,
		KMEDIA_CMD_STREAM_CHANGE, KMEDIA_CMD_STREAM_DEL,
		KMEDIA_CMD_STREAM_FLUSH,
	};
	struct nlmsghdr *nlh;
	uint32_t streams = 0;
	struct ack a;
	size_t i;

	/* a dump of a command that only has a doit */
	for (i = 0; i < sizeof(no_dump); i++) {
		nlh = kmd_msg_start(self->h, self->buf, no_dump[i], NLM_F_DUMP);
		ASSERT_EQ(0, run(self->h, nlh, &a));
		TH_LOG("dump of command %u: %d", no_dump[i], a.error);
		ASSERT_EQ(-EOPNOTSUPP, a.error);
	}
	/* an event sent as a request */
	ASSERT_EQ(0, run(self->h, msg(self, KMEDIA_CMD_STREAM_LATCH_NTF), &a));
	ASSERT_EQ(-EOPNOTSUPP, a.error);
	ASSERT_EQ(0, kmt_netns_u32(self->h, KMEDIA_NETNS_A_STREAMS, &streams));
	ASSERT_EQ(1, streams);

	/* NETNS_GET takes no attribute */
	nlh = msg(self, KMEDIA_CMD_NETNS_GET);
	refused(_metadata, self, nlh, put_u32(nlh, KMEDIA_A_NETNS, 1), EINVAL,
		UNKNOWN);
}

TEST_HARNESS_MAIN
