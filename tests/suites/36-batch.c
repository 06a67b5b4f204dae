// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite: libkmedia batches against the module. A thousand NEWs in
 * one batch (more than one datagram) create a thousand streams with the
 * IDs the batch reports; a bad request, inside a chunk or last of all,
 * fails alone with its errno and extended ACK while every other request
 * runs; CHANGEs and DELs of every stream, with an unknown ID among them,
 * do what they say; requests run in the order they were queued; SRTP keys
 * travel in batches too. Each test runs in a
 * network namespace of its own with only lo.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"
#include "../../userlib/internal.h"

#define NSOCKS 1000
#define BAD_SOCK 0xdeadbeef

FIXTURE(batch)
{
	struct kmedia_handle *h;
	struct kmedia_batch *b;
	int fds[NSOCKS];
	uint32_t socks[NSOCKS];
	unsigned int nfds;
	struct kmt_addr dst;
};

FIXTURE_SETUP(batch)
{
	struct rlimit nofile = { NSOCKS + 64, NSOCKS + 64 };
	unsigned int i;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &nofile));
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, kmt_lo_up());
	ASSERT_EQ(0, kmt_handle(&self->h));
	for (i = 0; i < NSOCKS; i++) {
		self->fds[i] = kmt_udp_bind(AF_INET, "127.0.0.1", 0, NULL);
		ASSERT_LE(0, self->fds[i]);
		self->nfds++;
		ASSERT_EQ(0, kmedia_sock_attach(self->h, self->fds[i],
						&self->socks[i]))
			KMT_LOG_EXTACK(self->h);
	}
	ASSERT_EQ(0, kmt_addr_make(&self->dst, AF_INET, "127.0.0.1", 9));
	self->b = kmedia_batch_alloc(self->h);
	ASSERT_NE(NULL, self->b);
}

FIXTURE_TEARDOWN(batch)
{
	unsigned int i;

	kmedia_batch_free(self->b);
	for (i = 0; i < self->nfds; i++)
		close(self->fds[i]);
	if (self->h)
		kmedia_handle_close(self->h);
}

/* How many streams the namespace has, or UINT32_MAX. */
static uint32_t streams(struct kmedia_handle *h)
{
	uint32_t n;

	return kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &n) ? UINT32_MAX : n;
}

/* Queue a NEW of a stream in on sock_in, out through the first socket. */
static int queue_new(FIXTURE_DATA(batch) *self, uint32_t sock_in,
		     uint64_t cookie)
{
	struct kmedia_stream *s = kmt_stream_spec(sock_in, self->socks[0],
						  &self->dst, KMEDIA_KIND_RTP);
	int ret;

	if (!s)
		return -ENOMEM;
	kmedia_stream_set_cookie(s, cookie);
	ret = kmedia_batch_stream_new(self->b, s);
	kmedia_stream_free(s);
	return ret;
}

/* What a dump finds: each stream's ingress socket, by stream ID. */
struct seen {
	uint32_t id[NSOCKS + 1];
	uint32_t sock_in[NSOCKS + 1];
	unsigned int n;
	bool overflow;
};

static int seen_cb(const struct kmedia_stream *s, void *data)
{
	struct seen *seen = data;

	if (seen->n > NSOCKS) {
		seen->overflow = true;
		return 0;
	}
	seen->id[seen->n] = kmedia_stream_get_id(s);
	seen->sock_in[seen->n++] = kmedia_stream_get_sock_in(s);
	return 0;
}

/* The dump's ingress socket of stream id, or 0. */
static uint32_t seen_sock_in(const struct seen *seen, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < seen->n; i++)
		if (seen->id[i] == id)
			return seen->sock_in[i];
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(batch, thousand_news_create_the_streams_they_report, 300)
{
	struct seen *seen = calloc(1, sizeof(*seen));
	uint32_t ids[NSOCKS];
	unsigned int i;

	ASSERT_NE(NULL, seen);
	/* More requests than one datagram carries here. */
	ASSERT_GT(NSOCKS, self->b->chunk_items);
	for (i = 0; i < NSOCKS; i++)
		ASSERT_EQ((int)i, queue_new(self, self->socks[i], 7));
	ASSERT_EQ(0, kmedia_batch_send(self->b)) KMT_LOG_EXTACK(self->h);
	EXPECT_EQ(NULL, kmedia_handle_extack(self->h));
	for (i = 0; i < NSOCKS; i++) {
		ASSERT_EQ(0, kmedia_batch_result(self->b, i));
		ids[i] = kmedia_batch_stream_id(self->b, i);
		ASSERT_NE(0, ids[i]);
		EXPECT_EQ(NULL, kmedia_batch_extack(self->b, i));
	}
	EXPECT_EQ(NSOCKS, streams(self->h));

	/* Each reported ID is the stream of its request's socket. */
	ASSERT_EQ(0, kmedia_stream_dump(self->h, NULL, seen_cb, seen));
	EXPECT_FALSE(seen->overflow);
	EXPECT_EQ(NSOCKS, seen->n);
	for (i = 0; i < NSOCKS; i++) {
		uint32_t id = ids[i];

		ASSERT_EQ(self->socks[i], seen_sock_in(seen, id))
			TH_LOG("request %u, stream %u", i, id);
	}
	qsort(ids, NSOCKS, sizeof(ids[0]), cmp_u32);
	for (i = 1; i < NSOCKS; i++)
		ASSERT_NE(ids[i - 1], ids[i]);
	free(seen);
}

TEST_F_TIMEOUT(batch, a_bad_request_fails_alone, 300)
{
	unsigned int bad[] = { 0, 437, self->b->chunk_items - 1, NSOCKS - 1 };
	unsigned int i, j, nbad = 0;
	uint32_t sock_in;
	bool is_bad;
	int ret;

	for (i = 0; i < NSOCKS; i++) {
		for (j = 0, is_bad = false; j < ARRAY_SIZE(bad); j++)
			is_bad |= bad[j] == i;
		nbad += is_bad;
		sock_in = is_bad ? BAD_SOCK : self->socks[i];
		ASSERT_EQ((int)i, queue_new(self, sock_in, 7));
	}
	EXPECT_EQ((int)nbad, kmedia_batch_send(self->b));
	/* The handle keeps the first failure's explanation. */
	ASSERT_NE(NULL, kmedia_handle_extack(self->h));
	ASSERT_NE(NULL, kmedia_batch_extack(self->b, bad[0]));
	EXPECT_STREQ(kmedia_batch_extack(self->b, bad[0]),
		     kmedia_handle_extack(self->h));
	for (i = 0; i < NSOCKS; i++) {
		for (j = 0, is_bad = false; j < ARRAY_SIZE(bad); j++)
			is_bad |= bad[j] == i;
		ret = kmedia_batch_result(self->b, i);
		if (is_bad) {
			EXPECT_EQ(-ENOENT, ret) TH_LOG("request %u", i);
			EXPECT_NE(NULL, kmedia_batch_extack(self->b, i));
			EXPECT_EQ(0, kmedia_batch_stream_id(self->b, i));
			TH_LOG("request %u: %s", i,
			       kmedia_batch_extack(self->b, i) ? : "(none)");
		} else {
			EXPECT_EQ(0, ret) TH_LOG("request %u: %s", i,
				kmedia_batch_extack(self->b, i) ? : "(none)");
			EXPECT_EQ(NULL, kmedia_batch_extack(self->b, i));
			EXPECT_NE(0, kmedia_batch_stream_id(self->b, i));
		}
	}
	EXPECT_EQ(NSOCKS - nbad, streams(self->h));
}

TEST_F_TIMEOUT(batch, changes_and_dels_of_every_stream, 300)
{
	uint32_t ids[NSOCKS], unknown = 0;
	struct kmedia_stream *c, *g = NULL;
	struct seen *seen = calloc(1, sizeof(*seen));
	unsigned int i;

	ASSERT_NE(NULL, seen);
	for (i = 0; i < NSOCKS; i++)
		ASSERT_EQ((int)i, queue_new(self, self->socks[i], i));
	ASSERT_EQ(0, kmedia_batch_send(self->b)) KMT_LOG_EXTACK(self->h);
	for (i = 0; i < NSOCKS; i++) {
		ids[i] = kmedia_batch_stream_id(self->b, i);
		if (ids[i] >= unknown)
			unknown = ids[i] + 1;
	}

	/* CHANGE: DSCP of every stream, and one of a stream that is not. */
	kmedia_batch_reset(self->b);
	c = kmedia_stream_alloc();
	ASSERT_NE(NULL, c);
	for (i = 0; i < NSOCKS; i++) {
		kmedia_stream_set_id(c, i == 500 ? unknown : ids[i]);
		ASSERT_EQ(0, kmedia_stream_set_dscp(c, i % 64));
		ASSERT_EQ((int)i, kmedia_batch_stream_change(self->b, c));
	}
	kmedia_stream_free(c);
	EXPECT_EQ(1, kmedia_batch_send(self->b));
	EXPECT_EQ(-ENOENT, kmedia_batch_result(self->b, 500));
	EXPECT_NE(NULL, kmedia_batch_extack(self->b, 500));
	for (i = 0; i < NSOCKS; i += 99) {
		if (i == 500)
			continue;
		EXPECT_EQ(0, kmedia_batch_result(self->b, i));
		ASSERT_EQ(0, kmedia_stream_get(self->h, ids[i], &g));
		EXPECT_EQ(i % 64, kmedia_stream_get_dscp(g));
		EXPECT_EQ(i, kmedia_stream_get_cookie(g));
		kmedia_stream_free(g);
		g = NULL;
	}

	/* DEL of every stream, the unknown one in the middle. */
	kmedia_batch_reset(self->b);
	for (i = 0; i < NSOCKS; i++) {
		if (i == 300)
			ASSERT_EQ((int)i, kmedia_batch_stream_del(self->b,
								  unknown));
		ASSERT_EQ((int)(i + (i >= 300)),
			  kmedia_batch_stream_del(self->b, ids[i]));
	}
	EXPECT_EQ(1, kmedia_batch_send(self->b));
	for (i = 0; i <= NSOCKS; i++)
		EXPECT_EQ(i == 300 ? -ENOENT : 0,
			  kmedia_batch_result(self->b, i)) TH_LOG("del %u", i);
	EXPECT_NE(NULL, kmedia_batch_extack(self->b, 300));
	EXPECT_EQ(0, streams(self->h));
	ASSERT_EQ(0, kmedia_stream_dump(self->h, NULL, seen_cb, seen));
	EXPECT_EQ(0, seen->n);
	free(seen);
}

TEST_F_TIMEOUT(batch, requests_run_in_the_order_they_were_queued, 300)
{
	uint32_t ids[10];
	unsigned int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ((int)i, queue_new(self, self->socks[i], 1));
	ASSERT_EQ(0, kmedia_batch_send(self->b)) KMT_LOG_EXTACK(self->h);
	for (i = 0; i < 10; i++)
		ids[i] = kmedia_batch_stream_id(self->b, i);

	/* An ingress socket takes one RTP stream: each NEW finds the slot
	 * its DEL just freed, and a NEW before its DEL finds it taken.
	 */
	kmedia_batch_reset(self->b);
	for (i = 0; i < 10; i++) {
		if (i % 2) {
			ASSERT_EQ((int)(2 * i),
				  queue_new(self, self->socks[i], 2));
			ASSERT_EQ((int)(2 * i + 1),
				  kmedia_batch_stream_del(self->b, ids[i]));
		} else {
			ASSERT_EQ((int)(2 * i),
				  kmedia_batch_stream_del(self->b, ids[i]));
			ASSERT_EQ((int)(2 * i + 1),
				  queue_new(self, self->socks[i], 2));
		}
	}
	EXPECT_EQ(5, kmedia_batch_send(self->b));
	for (i = 0; i < 10; i++) {
		if (i % 2) {
			EXPECT_EQ(-EEXIST, kmedia_batch_result(self->b, 2 * i));
			EXPECT_EQ(0, kmedia_batch_result(self->b, 2 * i + 1));
		} else {
			EXPECT_EQ(0, kmedia_batch_result(self->b, 2 * i));
			EXPECT_EQ(0, kmedia_batch_result(self->b, 2 * i + 1));
			EXPECT_NE(0, kmedia_batch_stream_id(self->b,
							    2 * i + 1));
		}
	}
	EXPECT_EQ(5, streams(self->h));
}

TEST_F_TIMEOUT(batch, srtp_keys_travel_in_batches, 300)
{
	struct kmedia_stream *s, *g = NULL;
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	unsigned int i;

	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, kmedia_srtp_gen_key(ctx));
		s = kmt_stream_spec(self->socks[i], self->socks[0], &self->dst,
				    KMEDIA_KIND_RTP);
		ASSERT_NE(NULL, s);
		ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));
		ASSERT_EQ((int)i, kmedia_batch_stream_new(self->b, s));
		kmedia_stream_free(s);
	}
	kmedia_srtp_free(ctx);
	ASSERT_EQ(0, kmedia_batch_send(self->b)) KMT_LOG_EXTACK(self->h);
	for (i = 0; i < 50; i++) {
		uint32_t id = kmedia_batch_stream_id(self->b, i);

		ASSERT_EQ(0, kmedia_stream_get(self->h, id, &g));
		EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
			  kmedia_srtp_get_suite(kmedia_stream_get_srtp_in(g)));
		kmedia_stream_free(g);
		g = NULL;
	}
	/* Freed with the batch: the keys are wiped from its buffer. */
	kmedia_batch_reset(self->b);
	for (i = 0; i < self->b->size; i++)
		if (self->b->buf[i])
			break;
	EXPECT_EQ(self->b->size, i);
}

TEST_HARNESS_MAIN
