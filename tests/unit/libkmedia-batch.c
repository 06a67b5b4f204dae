// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia batches. Building: stream requests back to
 * back in one buffer, each one whole and decodable. Sending: the
 * transport runs against the generic netlink controller ("nlctrl"), which
 * every kernel has, with GETFAMILY requests: chunks, sequence numbers and
 * the ACK flag of each chunk's last request, per-request errors matched
 * by sequence number, answers that are not what a request expects, the
 * wrap of sequence numbers, and a receive buffer overrun. No kmedia
 * module needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"
#include "unit-handle.h"

/* Queue a GETFAMILY of name, answered as the batch expects answer. */
static int queue_getfamily(struct kmedia_batch *b, const char *name,
			   enum kmd_batch_answer answer)
{
	struct nlmsghdr *nlh = kmd_batch_next(b);

	if (!nlh)
		return -ENOMEM;
	kmd_msg_start(b->h, nlh, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return kmd_batch_add(b, nlh, answer, false);
}

static struct nlmsghdr *item_msg(struct kmedia_batch *b, unsigned int i)
{
	return (struct nlmsghdr *)(b->buf + b->items[i].off);
}

static struct kmedia_stream *spec(uint32_t sock_in)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct sockaddr_in dst = {
		.sin_family = AF_INET,
		.sin_port = htons(4000),
		.sin_addr.s_addr = htonl(0x7f000001),
	};

	if (!s)
		return NULL;
	kmedia_stream_set_sock_in(s, sock_in);
	kmedia_stream_set_sock_out(s, 99);
	kmedia_stream_set_dst(s, (struct sockaddr *)&dst, sizeof(dst));
	kmedia_stream_set_cookie(s, 0x1234);
	return s;
}

TEST(requests_are_built_back_to_back)
{
	struct kmedia_stream *s = spec(7), *c = kmedia_stream_alloc();
	struct kmedia_stream got;
	struct kmedia_handle h;
	struct kmedia_batch *b;
	const struct genlmsghdr *genl;
	static const uint8_t cmds[] = {
		KMEDIA_CMD_STREAM_NEW, KMEDIA_CMD_STREAM_NEW,
		KMEDIA_CMD_STREAM_CHANGE, KMEDIA_CMD_STREAM_DEL,
	};
	unsigned int i;
	size_t off = 0;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, c);
	ASSERT_TRUE(kmt_unit_open(&h, GENL_ID_CTRL));
	h.family_id = 0x42;
	b = kmedia_batch_alloc(&h);
	ASSERT_NE(NULL, b);

	EXPECT_EQ(0, kmedia_batch_stream_new(b, s));
	kmedia_stream_set_sock_in(s, 8);
	EXPECT_EQ(1, kmedia_batch_stream_new(b, s));
	/* A change names its stream; nothing is queued without one. */
	EXPECT_EQ(-EINVAL, kmedia_batch_stream_change(b, c));
	kmedia_stream_set_id(c, 5);
	kmedia_stream_set_dscp(c, 46);
	EXPECT_EQ(2, kmedia_batch_stream_change(b, c));
	EXPECT_EQ(3, kmedia_batch_stream_del(b, 77));
	ASSERT_EQ(4, kmedia_batch_count(b));

	for (i = 0; i < 4; i++) {
		struct nlmsghdr *nlh = item_msg(b, i);

		EXPECT_EQ(off, b->items[i].off);
		EXPECT_EQ(0x42, nlh->nlmsg_type);
		EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_REQUEST);
		genl = mnl_nlmsg_get_payload(nlh);
		EXPECT_EQ(cmds[i], genl->cmd);
		EXPECT_EQ(-ECANCELED, kmedia_batch_result(b, i));
		ASSERT_EQ(0, kmd_stream_parse(nlh, &got));
		if (i < 2) {
			EXPECT_EQ(7 + i, kmedia_stream_get_sock_in(&got));
			EXPECT_EQ(0x1234, kmedia_stream_get_cookie(&got));
			EXPECT_FALSE(kmedia_stream_has(&got,
						       KMEDIA_STREAM_A_ID));
		} else {
			EXPECT_EQ(i == 2 ? 5 : 77, kmedia_stream_get_id(&got));
		}
		EXPECT_EQ(i == 2, kmedia_stream_has(&got,
						    KMEDIA_STREAM_A_DSCP));
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	EXPECT_EQ(off, b->used);
	/* Nothing was sent: the buffer's tail is still zero. */
	EXPECT_EQ(0, b->buf[b->used]);
	EXPECT_EQ(-EINVAL, kmedia_batch_result(b, 4));
	EXPECT_EQ(0, kmedia_batch_stream_id(b, 0));
	EXPECT_EQ(NULL, kmedia_batch_extack(b, 0));

	kmedia_batch_reset(b);
	EXPECT_EQ(0, kmedia_batch_count(b));
	EXPECT_EQ(0, b->used);
	for (i = 0; i < off; i++)
		if (b->buf[i])
			break;
	EXPECT_EQ(off, i) TH_LOG("reset left byte %u", i);
	kmedia_batch_free(b);
	kmedia_stream_free(s);
	kmedia_stream_free(c);
	kmt_unit_close(&h);
}

TEST(buffer_grows_without_losing_requests)
{
	struct kmedia_stream *s = spec(1);
	struct kmedia_stream got;
	struct kmedia_handle h;
	struct kmedia_batch *b;
	unsigned int i;

	ASSERT_NE(NULL, s);
	ASSERT_TRUE(kmt_unit_open(&h, GENL_ID_CTRL));
	b = kmedia_batch_alloc(&h);
	ASSERT_NE(NULL, b);
	for (i = 0; i < 5000; i++) {
		kmedia_stream_set_sock_in(s, i);
		ASSERT_EQ((int)i, kmedia_batch_stream_new(b, s));
	}
	for (i = 0; i < 5000; i++) {
		ASSERT_EQ(0, kmd_stream_parse(item_msg(b, i), &got));
		ASSERT_EQ(i, kmedia_stream_get_sock_in(&got));
	}
	kmedia_batch_free(b);
	kmedia_stream_free(s);
	kmt_unit_close(&h);
}

/* Sequence numbers of chunk [first, end): consecutive; only end - 1 ACKs. */
static bool chunk_ok(struct kmedia_batch *b, unsigned int first,
		     unsigned int end)
{
	unsigned int i;

	for (i = first; i < end; i++) {
		struct nlmsghdr *nlh = item_msg(b, i);

		if (i > first &&
		    nlh->nlmsg_seq != item_msg(b, i - 1)->nlmsg_seq + 1)
			return false;
		if (!(nlh->nlmsg_flags & NLM_F_ACK) != (i != end - 1))
			return false;
		if (!nlh->nlmsg_seq)
			return false;
	}
	return true;
}

/*
 * A batch on a handle that talks to the controller. FIXTURE_SETUP() and
 * FIXTURE_TEARDOWN() define functions without a prototype (as in
 * tests/lib/kmtest.h).
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
FIXTURE(ctrl)
{
	struct kmedia_handle h;
	struct kmedia_batch *b;
};

FIXTURE_SETUP(ctrl)
{
	ASSERT_TRUE(kmt_unit_open(&self->h, GENL_ID_CTRL));
	self->b = kmedia_batch_alloc(&self->h);
	ASSERT_NE(NULL, self->b);
}

FIXTURE_TEARDOWN(ctrl)
{
	kmedia_batch_free(self->b);
	kmt_unit_close(&self->h);
}

TEST_F(ctrl, every_request_gets_its_own_result)
{
	struct kmedia_batch *b = self->b;
	unsigned int i;

	/* Chunks of 7: failures inside chunks and at their ends. */
	b->chunk_items = 7;
	for (i = 0; i < 50; i++)
		ASSERT_EQ((int)i,
			  queue_getfamily(b, i % 7 == 3 || i == 13 ?
					  "no-such-family" : "nlctrl",
					  KMD_BATCH_NOTHING));
	EXPECT_EQ(8, kmedia_batch_send(b));
	for (i = 0; i < 50; i++)
		EXPECT_EQ(i % 7 == 3 || i == 13 ? -ENOENT : 0,
			  kmedia_batch_result(b, i)) TH_LOG("item %u", i);
	for (i = 0; i < 50; i += 7)
		EXPECT_TRUE(chunk_ok(b, i, i + 7 < 50 ? i + 7 : 50));
	EXPECT_EQ(item_msg(b, 49)->nlmsg_seq, self->h.seq);

	/* A second send only sends what was queued since. */
	ASSERT_EQ(50, queue_getfamily(b, "nope", KMD_BATCH_NOTHING));
	EXPECT_EQ(1, kmedia_batch_send(b));
	EXPECT_EQ(-ENOENT, kmedia_batch_result(b, 50));
	EXPECT_EQ(0, kmedia_batch_result(b, 0));
	EXPECT_EQ(0, kmedia_batch_send(b));

	/* The handle is clean for a plain request afterwards. */
	EXPECT_EQ(0, kmd_request(&self->h, item_msg(b, 0), NULL, NULL));
}

TEST_F(ctrl, an_answer_that_is_not_a_stream_fails_its_request)
{
	struct kmedia_batch *b = self->b;
	/* The controller answers with a family, which a NEW cannot use. */
	ASSERT_EQ(0, queue_getfamily(b, "nlctrl", KMD_BATCH_STREAM));
	ASSERT_EQ(1, queue_getfamily(b, "nlctrl", KMD_BATCH_NOTHING));
	ASSERT_EQ(2, queue_getfamily(b, "nlctrl", KMD_BATCH_STREAM));
	EXPECT_EQ(2, kmedia_batch_send(b));
	EXPECT_EQ(-EBADMSG, kmedia_batch_result(b, 0));
	EXPECT_EQ(0, kmedia_batch_result(b, 1));
	EXPECT_EQ(-EBADMSG, kmedia_batch_result(b, 2));
	EXPECT_EQ(0, kmedia_batch_stream_id(b, 0));
}

TEST_F(ctrl, sequence_numbers_skip_zero)
{
	struct kmedia_batch *b = self->b;
	unsigned int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ((int)i, queue_getfamily(b, i == 4 ? "nope" : "nlctrl",
						  KMD_BATCH_NOTHING));
	self->h.seq = UINT32_MAX - 3;
	EXPECT_EQ(1, kmedia_batch_send(b));
	EXPECT_EQ(-ENOENT, kmedia_batch_result(b, 4));
	EXPECT_TRUE(chunk_ok(b, 0, 10));
	EXPECT_EQ(1, item_msg(b, 0)->nlmsg_seq);
	EXPECT_EQ(10, self->h.seq);
}

TEST_F(ctrl, many_requests_go_in_several_chunks)
{
	struct kmedia_batch *b = self->b;
	unsigned int i, n = 3000, chunks = 0;

	ASSERT_LT(0, b->chunk_items);
	for (i = 0; i < n; i++)
		ASSERT_EQ((int)i, queue_getfamily(b, "nlctrl",
						  KMD_BATCH_NOTHING));
	/* The receive buffer holds a chunk's answers: none is lost. */
	EXPECT_EQ(0, kmedia_batch_send(b)) TH_LOG("chunks of %u",
						   b->chunk_items);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, kmedia_batch_result(b, i));
		chunks += !!(item_msg(b, i)->nlmsg_flags & NLM_F_ACK);
	}
	EXPECT_EQ((n + b->chunk_items - 1) / b->chunk_items, chunks);
}

TEST_F(ctrl, overrun_is_reported_and_the_handle_recovers)
{
	struct kmedia_batch *b = self->b;
	int small = 4096, ret;
	unsigned int i, ok = 0, lost = 0;

	/* A chunk far larger than the receive buffer can answer. */
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(self->h.nl), SOL_SOCKET,
				SO_RCVBUF, &small, sizeof(small)));
	b->chunk_items = 200;
	for (i = 0; i < 200; i++)
		ASSERT_EQ((int)i, queue_getfamily(b, "nlctrl",
						  KMD_BATCH_STREAM));
	ret = kmedia_batch_send(b);
	EXPECT_EQ(-ENOBUFS, ret);
	for (i = 0; i < 200; i++) {
		ret = kmedia_batch_result(b, i);
		ok += ret == -EBADMSG;	/* answered, by a family */
		lost += ret == -ENOBUFS;
	}
	EXPECT_EQ(200, ok + lost);
	EXPECT_LT(0, lost);

	/* Nothing stale is left to be taken for the next answers. */
	kmedia_batch_reset(b);
	ASSERT_EQ(0, queue_getfamily(b, "nope", KMD_BATCH_NOTHING));
	ASSERT_EQ(1, queue_getfamily(b, "nlctrl", KMD_BATCH_NOTHING));
	EXPECT_EQ(1, kmedia_batch_send(b));
	EXPECT_EQ(-ENOENT, kmedia_batch_result(b, 0));
	EXPECT_EQ(0, kmedia_batch_result(b, 1));
}

TEST_F(ctrl, a_chunk_left_unanswered_fails_without_waiting)
{
	struct kmedia_batch *b = self->b;
	unsigned int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ((int)i, queue_getfamily(b, "nlctrl",
						  KMD_BATCH_NOTHING));
	/* The kernel stops at a message shorter than its header: the ACK
	 * the chunk waits for never comes.
	 */
	item_msg(b, 2)->nlmsg_len = 4;
	EXPECT_EQ(-EPROTO, kmedia_batch_send(b));
	for (i = 0; i < 5; i++)
		EXPECT_EQ(-EPROTO, kmedia_batch_result(b, i));

	/* The first request's answer was read: the handle is clean. */
	kmedia_batch_reset(b);
	ASSERT_EQ(0, queue_getfamily(b, "nope", KMD_BATCH_NOTHING));
	EXPECT_EQ(1, kmedia_batch_send(b));
	EXPECT_EQ(-ENOENT, kmedia_batch_result(b, 0));
}

TEST_HARNESS_MAIN
