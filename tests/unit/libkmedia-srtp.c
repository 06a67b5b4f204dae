// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit tests of libkmedia's SRTP support: the crypto context object
 * and its setters, the SDES (RFC 4568) suite names and inline key-params
 * in both directions, the SRTP nests of stream requests (checked byte by
 * byte) and replies, the new counters and the SRTP failure event, and
 * where key material is copied and wiped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "../../userlib/internal.h"

#define FAMILY_ID 0x24

static char buf[16384];

/* RFC 4568, section 6.1 (the example a=crypto line). */
#define RFC_KEY_PARAMS "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
#define RFC_B64 "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
/* Bytes 0 to 45, base64: a 46-byte AES-256 key and salt (padded). */
#define B64_46 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ=="
/* Bytes 0x10 to 0x2b: a 28-byte AES-128-GCM key and salt (padded). */
#define B64_28 "EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKw=="

static const uint8_t key16[16] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
	0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
};
static const uint8_t salt14[14] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static struct nlmsghdr *msg_start(uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAMILY_ID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KMEDIA_GENL_VERSION;
	return nlh;
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

static int nest_count(const struct nlattr *nest)
{
	const struct nlattr *attr;
	int n = 0;

	mnl_attr_for_each_nested(attr, nest)
		n++;
	return n;
}

/* The KMEDIA_A_STREAM nest of a request. */
static const struct nlattr *stream_nest(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(attr) == KMEDIA_A_STREAM)
			return attr;
	return NULL;
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* A context of AES_CM_128_HMAC_SHA1_80 with key16/salt14. */
static struct kmedia_srtp *ctx_128(void)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	if (!ctx)
		return NULL;
	if (kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80) ||
	    kmedia_srtp_set_key(ctx, key16, sizeof(key16), salt14,
				sizeof(salt14))) {
		kmedia_srtp_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Suite names */

TEST(every_suite_has_a_canonical_name_that_maps_back)
{
	int suite;

	for (suite = 1; suite <= KMEDIA_SRTP_SUITE_MAX; suite++) {
		const char *name = kmedia_srtp_suite_name(suite);

		ASSERT_NE(NULL, name);
		EXPECT_EQ(suite, kmedia_srtp_suite_from_name(name));
	}
	EXPECT_EQ(NULL, kmedia_srtp_suite_name(KMEDIA_SRTP_NONE));
	EXPECT_EQ(NULL, kmedia_srtp_suite_name(KMEDIA_SRTP_SUITE_MAX + 1));
}

TEST(suite_names_of_the_rfcs)
{
	static const struct {
		const char *name;
		int suite;
	} names[] = {
		{ "AES_CM_128_HMAC_SHA1_80", KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80 },
		{ "AES_CM_128_HMAC_SHA1_32", KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32 },
		{ "AES_192_CM_HMAC_SHA1_80", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80 },
		{ "AES_192_CM_HMAC_SHA1_32", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32 },
		{ "AES_256_CM_HMAC_SHA1_80", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80 },
		{ "AES_256_CM_HMAC_SHA1_32", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32 },
		{ "AEAD_AES_128_GCM", KMEDIA_SRTP_AEAD_AES_128_GCM },
		{ "AEAD_AES_256_GCM", KMEDIA_SRTP_AEAD_AES_256_GCM },
		{ "NULL_HMAC_SHA1_80", KMEDIA_SRTP_NULL_HMAC_SHA1_80 },
		{ "NULL_HMAC_SHA1_32", KMEDIA_SRTP_NULL_HMAC_SHA1_32 },
		{ "F8_128_HMAC_SHA1_80", KMEDIA_SRTP_F8_128_HMAC_SHA1_80 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		EXPECT_EQ(names[i].suite,
			  kmedia_srtp_suite_from_name(names[i].name));
		EXPECT_STREQ(names[i].name,
			     kmedia_srtp_suite_name(names[i].suite));
	}
}

TEST(suite_names_phones_send_for_192_and_256)
{
	EXPECT_EQ(KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80,
		  kmedia_srtp_suite_from_name("AES_CM_192_HMAC_SHA1_80"));
	EXPECT_EQ(KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32,
		  kmedia_srtp_suite_from_name("AES_CM_192_HMAC_SHA1_32"));
	EXPECT_EQ(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
		  kmedia_srtp_suite_from_name("AES_CM_256_HMAC_SHA1_80"));
	EXPECT_EQ(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
		  kmedia_srtp_suite_from_name("AES_CM_256_HMAC_SHA1_32"));
	/* The canonical name is the RFC 6188 one. */
	EXPECT_STREQ("AES_256_CM_HMAC_SHA1_80",
		     kmedia_srtp_suite_name(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80));
	EXPECT_STREQ("AES_192_CM_HMAC_SHA1_32",
		     kmedia_srtp_suite_name(KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32));
	/* ABNF literals are case-insensitive. */
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
		  kmedia_srtp_suite_from_name("aes_cm_128_hmac_sha1_32"));
}

TEST(unknown_suite_names)
{
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name(NULL));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name(""));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("AES_CM_128_HMAC_SHA1_81"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("AES_CM_128_HMAC_SHA1"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("AES_CM_128_HMAC_SHA1_80 "));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("AES_CM_512_HMAC_SHA1_80"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("AEAD_AES_192_GCM"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("SRTP_AES128_CM_HMAC_SHA1_80"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_from_name("NONE"));
}

TEST(key_and_salt_lengths_per_suite)
{
	size_t k = 0, s = 0;

	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
					       &k, &s));
	EXPECT_EQ(16, k);
	EXPECT_EQ(14, s);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80,
					       &k, &s));
	EXPECT_EQ(24, k);
	EXPECT_EQ(14, s);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
					       &k, &s));
	EXPECT_EQ(32, k);
	EXPECT_EQ(14, s);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_AEAD_AES_128_GCM,
					       &k, &s));
	EXPECT_EQ(16, k);
	EXPECT_EQ(12, s);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_AEAD_AES_256_GCM,
					       &k, &s));
	EXPECT_EQ(32, k);
	EXPECT_EQ(12, s);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_NULL_HMAC_SHA1_80,
					       &k, NULL));
	EXPECT_EQ(16, k);
	EXPECT_EQ(0, kmedia_srtp_suite_key_len(KMEDIA_SRTP_F8_128_HMAC_SHA1_80,
					       NULL, &s));
	EXPECT_EQ(14, s);
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_key_len(KMEDIA_SRTP_NONE, &k, &s));
	EXPECT_EQ(-EINVAL, kmedia_srtp_suite_key_len(KMEDIA_SRTP_SUITE_MAX + 1,
						     &k, &s));
}

/* The context object */

TEST(absent_attributes_read_as_absent)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	size_t len = 99;

	ASSERT_NE(NULL, ctx);
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MAX + 1));
	EXPECT_FALSE(kmedia_srtp_has(ctx, 1000));
	EXPECT_EQ(KMEDIA_SRTP_NONE, kmedia_srtp_get_suite(ctx));
	EXPECT_EQ(NULL, kmedia_srtp_get_mki(ctx, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, kmedia_srtp_get_kdr(ctx));
	EXPECT_EQ(0, kmedia_srtp_get_ssrc(ctx));
	EXPECT_EQ(0, kmedia_srtp_get_roc(ctx));
	EXPECT_EQ(0, kmedia_srtp_get_replay_window(ctx));
	EXPECT_EQ(0, kmedia_srtp_get_srtcp_index(ctx));
	kmedia_srtp_free(ctx);
	kmedia_srtp_free(NULL);
}

TEST(set_key_needs_the_suite_first_and_its_lengths)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	uint8_t k32[32] = { 1 }, s12[12] = { 2 };

	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, key16, 16, salt14, 14));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, key16, 16, salt14, 14));

	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, key16, 15, salt14, 14));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, k32, 24, salt14, 14));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, key16, 16, s12, 12));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, NULL, 16, salt14, 14));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, key16, 16, NULL, 14));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_SALT));
	EXPECT_EQ(0, kmedia_srtp_set_key(ctx, key16, 16, salt14, 14));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_SALT));

	/* GCM: 12-byte salt. */
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AEAD_AES_256_GCM));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_key(ctx, k32, 32, salt14, 14));
	EXPECT_EQ(0, kmedia_srtp_set_key(ctx, k32, 32, s12, 12));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32));
	EXPECT_EQ(0, kmedia_srtp_set_key(ctx, k32, 24, salt14, 14));
	kmedia_srtp_free(ctx);
}

TEST(set_key_copies_the_caller_buffers)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	uint8_t k[16], s[14];

	ASSERT_NE(NULL, ctx);
	memcpy(k, key16, sizeof(k));
	memcpy(s, salt14, sizeof(s));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	ASSERT_EQ(0, kmedia_srtp_set_key(ctx, k, sizeof(k), s, sizeof(s)));
	memset(k, 0xaa, sizeof(k));
	memset(s, 0xbb, sizeof(s));
	EXPECT_EQ(16, ctx->key_len);
	EXPECT_EQ(14, ctx->salt_len);
	EXPECT_EQ(0, memcmp(ctx->key, key16, 16));
	EXPECT_EQ(0, memcmp(ctx->salt, salt14, 14));
	kmedia_srtp_free(ctx);
}

TEST(set_suite_forgets_keys_that_no_longer_fit)
{
	struct kmedia_srtp *ctx = ctx_128();

	ASSERT_NE(NULL, ctx);
	/* Same sizes: the key stays. */
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_F8_128_HMAC_SHA1_80));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	/* A suite the library does not know is refused; nothing changes. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_SUITE_MAX + 1));
	EXPECT_EQ(KMEDIA_SRTP_F8_128_HMAC_SHA1_80, kmedia_srtp_get_suite(ctx));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	/* Other sizes: wiped and forgotten. */
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_SALT));
	EXPECT_TRUE(all_zero(ctx->key, sizeof(ctx->key)));
	EXPECT_TRUE(all_zero(ctx->salt, sizeof(ctx->salt)));
	kmedia_srtp_free(ctx);

	/* NONE always forgets them. */
	ctx = ctx_128();
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_TRUE(all_zero(ctx->key, sizeof(ctx->key)));
	kmedia_srtp_free(ctx);
}

TEST(mki_length_range)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	uint8_t mki[KMEDIA_SRTP_MKI_MAX + 1] = { 0xa0, 0xa1, 0xa2 };
	const uint8_t *got;
	size_t len;

	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_mki(ctx, mki, 0));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_mki(ctx, mki, KMEDIA_SRTP_MKI_MAX + 1));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_mki(ctx, NULL, 1));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI));
	EXPECT_EQ(0, kmedia_srtp_set_mki(ctx, mki, KMEDIA_SRTP_MKI_MAX));
	EXPECT_EQ(0, kmedia_srtp_set_mki(ctx, mki, 1));
	got = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(1, len);
	EXPECT_EQ(0xa0, got[0]);
	/* A shorter MKI does not keep the tail of a longer one. */
	EXPECT_TRUE(all_zero(ctx->mki + 1, sizeof(ctx->mki) - 1));
	kmedia_srtp_free(ctx);
}

TEST(replay_window_range_and_plain_setters)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_replay_window(ctx,
						KMEDIA_SRTP_REPLAY_MIN - 1));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_replay_window(ctx,
						KMEDIA_SRTP_REPLAY_MAX + 1));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_replay_window(ctx, 0));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_REPLAY_WINDOW));
	EXPECT_EQ(0, kmedia_srtp_set_replay_window(ctx, KMEDIA_SRTP_REPLAY_MIN));
	EXPECT_EQ(0, kmedia_srtp_set_replay_window(ctx, KMEDIA_SRTP_REPLAY_MAX));
	EXPECT_EQ(KMEDIA_SRTP_REPLAY_MAX, kmedia_srtp_get_replay_window(ctx));

	kmedia_srtp_set_kdr(ctx, 0);
	kmedia_srtp_set_ssrc(ctx, 0xcafef00d);
	kmedia_srtp_set_roc(ctx, 7);
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_KDR));
	EXPECT_EQ(0, kmedia_srtp_get_kdr(ctx));
	EXPECT_EQ(0xcafef00d, kmedia_srtp_get_ssrc(ctx));
	EXPECT_EQ(7, kmedia_srtp_get_roc(ctx));

	kmedia_srtp_unset(ctx, KMEDIA_SRTP_A_SSRC);
	kmedia_srtp_unset(ctx, KMEDIA_SRTP_A_MAX + 1);	/* ignored */
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SSRC));
	EXPECT_EQ(0, kmedia_srtp_get_ssrc(ctx));
	EXPECT_EQ(7, kmedia_srtp_get_roc(ctx));
	kmedia_srtp_free(ctx);
}

TEST(unset_key_wipes_key_and_salt)
{
	struct kmedia_srtp *ctx = ctx_128();

	ASSERT_NE(NULL, ctx);
	kmedia_srtp_unset(ctx, KMEDIA_SRTP_A_MASTER_SALT);
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_SALT));
	EXPECT_TRUE(all_zero(ctx->key, sizeof(ctx->key)));
	EXPECT_TRUE(all_zero(ctx->salt, sizeof(ctx->salt)));
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, kmedia_srtp_get_suite(ctx));
	kmedia_srtp_free(ctx);
}

TEST(gen_key_fills_the_suite_lengths)
{
	struct kmedia_srtp *a = kmedia_srtp_alloc();
	struct kmedia_srtp *b = kmedia_srtp_alloc();

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(-EINVAL, kmedia_srtp_gen_key(a));
	ASSERT_EQ(0, kmedia_srtp_set_suite(a, KMEDIA_SRTP_NONE));
	EXPECT_EQ(-EINVAL, kmedia_srtp_gen_key(a));
	ASSERT_EQ(0, kmedia_srtp_set_suite(a, KMEDIA_SRTP_AEAD_AES_256_GCM));
	ASSERT_EQ(0, kmedia_srtp_set_suite(b, KMEDIA_SRTP_AEAD_AES_256_GCM));
	ASSERT_EQ(0, kmedia_srtp_gen_key(a));
	ASSERT_EQ(0, kmedia_srtp_gen_key(b));
	EXPECT_TRUE(kmedia_srtp_has(a, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_TRUE(kmedia_srtp_has(a, KMEDIA_SRTP_A_MASTER_SALT));
	EXPECT_EQ(32, a->key_len);
	EXPECT_EQ(12, a->salt_len);
	/* 2^-256 odds of a false failure. */
	EXPECT_NE(0, memcmp(a->key, b->key, 32));
	EXPECT_FALSE(all_zero(a->key, 32));
	kmedia_srtp_free(a);
	kmedia_srtp_free(b);
}

TEST(get_key_copies_what_was_set)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	uint8_t key[16], salt[14], k[32], sl[14], small[15];

	ASSERT_NE(NULL, ctx);
	memset(key, 0xa5, sizeof(key));
	memset(salt, 0x5a, sizeof(salt));
	EXPECT_EQ(-ENOENT, kmedia_srtp_get_key(ctx, k, sizeof(k), sl, sizeof(sl)));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	ASSERT_EQ(0, kmedia_srtp_set_key(ctx, key, sizeof(key), salt, sizeof(salt)));
	EXPECT_EQ(-ENOSPC, kmedia_srtp_get_key(ctx, k, sizeof(k), small, 13));
	EXPECT_EQ(-ENOSPC, kmedia_srtp_get_key(ctx, small, 15, sl, sizeof(sl)));
	memset(k, 0, sizeof(k));
	ASSERT_EQ(0, kmedia_srtp_get_key(ctx, k, sizeof(k), sl, sizeof(sl)));
	EXPECT_EQ(0, memcmp(k, key, sizeof(key)));
	EXPECT_TRUE(all_zero(k + 16, 16));
	EXPECT_EQ(0, memcmp(sl, salt, sizeof(salt)));
	/* NONE forgets the keys */
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE));
	EXPECT_EQ(-ENOENT, kmedia_srtp_get_key(ctx, k, sizeof(k), sl, sizeof(sl)));
	kmedia_srtp_free(ctx);
}

/* SDES inline key-params */

TEST(rfc4568_example_parses)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	const uint8_t *mki;
	size_t len;

	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    RFC_KEY_PARAMS));
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, kmedia_srtp_get_suite(ctx));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_TRUE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_SALT));
	/* 30 bytes: 3d 2d 6e ... 29 3f | 2c 23 35 ... 50 51 */
	ASSERT_EQ(16, ctx->key_len);
	ASSERT_EQ(14, ctx->salt_len);
	EXPECT_EQ(0x3d, ctx->key[0]);
	EXPECT_EQ(0x2d, ctx->key[1]);
	EXPECT_EQ(0x3f, ctx->key[15]);
	EXPECT_EQ(0x2c, ctx->salt[0]);
	EXPECT_EQ(0x23, ctx->salt[1]);
	EXPECT_EQ(0x51, ctx->salt[13]);
	/* MKI 1, 4 bytes long: 00 00 00 01. */
	mki = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_NE(NULL, mki);
	ASSERT_EQ(4, len);
	EXPECT_EQ(0x00, mki[0]);
	EXPECT_EQ(0x00, mki[1]);
	EXPECT_EQ(0x00, mki[2]);
	EXPECT_EQ(0x01, mki[3]);
	/* The lifetime is not part of the context. */
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_KDR));
	kmedia_srtp_free(ctx);
}

TEST(inline_with_and_without_lifetime_and_mki)
{
	static const char *const ok[] = {
		"inline:" RFC_B64,
		"inline:" RFC_B64 "|2^31",
		"inline:" RFC_B64 "|2^48",
		"inline:" RFC_B64 "|2^0",
		"inline:" RFC_B64 "|1048576",
		"inline:" RFC_B64 "|281474976710656",	/* 2^48 */
		"inline:" RFC_B64 "|1",
		"inline:" RFC_B64 "|1:4",
		"inline:" RFC_B64 "|2^20|1:4",
		"inline:" RFC_B64 "|1048576|255:1",
		"INLINE:" RFC_B64,
	};
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	size_t i;

	ASSERT_NE(NULL, ctx);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		EXPECT_EQ(0, kmedia_srtp_set_inline(ctx,
						    "AES_CM_128_HMAC_SHA1_32",
						    ok[i])) {
			TH_LOG("%s", ok[i]);
		}
		EXPECT_EQ(0x3d, ctx->key[0]);
	}
	/* The last with an MKI: 255 in one byte. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_32",
					    "inline:" RFC_B64 "|1048576|255:1"));
	EXPECT_EQ(0xff, kmedia_srtp_get_mki(ctx, NULL)[0]);
	/* A line without MKI leaves the context without one. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_32",
					    "inline:" RFC_B64 "|2^31"));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI));
	EXPECT_EQ(NULL, kmedia_srtp_get_mki(ctx, NULL));
	kmedia_srtp_free(ctx);
}

TEST(inline_of_the_other_key_sizes)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	ASSERT_NE(NULL, ctx);
	/* 46 bytes: AES-256 key and salt, and the phones' spelling. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_256_HMAC_SHA1_80",
					    "inline:" B64_46 "|2^31"));
	EXPECT_EQ(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, kmedia_srtp_get_suite(ctx));
	ASSERT_EQ(32, ctx->key_len);
	ASSERT_EQ(14, ctx->salt_len);
	EXPECT_EQ(0, ctx->key[0]);
	EXPECT_EQ(31, ctx->key[31]);
	EXPECT_EQ(32, ctx->salt[0]);
	EXPECT_EQ(45, ctx->salt[13]);
	/* 28 bytes: AES-128-GCM key and 12-byte salt. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AEAD_AES_128_GCM",
					    "inline:" B64_28));
	ASSERT_EQ(16, ctx->key_len);
	ASSERT_EQ(12, ctx->salt_len);
	EXPECT_EQ(0x10, ctx->key[0]);
	EXPECT_EQ(0x1f, ctx->key[15]);
	EXPECT_EQ(0x20, ctx->salt[0]);
	EXPECT_EQ(0x2b, ctx->salt[11]);
	kmedia_srtp_free(ctx);
}

TEST(inline_of_the_wrong_length_is_refused)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	ASSERT_NE(NULL, ctx);
	/* 30 bytes for suites that need 46, 28, 38 or 44. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_256_CM_HMAC_SHA1_80",
						  "inline:" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AEAD_AES_128_GCM",
						  "inline:" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_192_CM_HMAC_SHA1_80",
						  "inline:" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AEAD_AES_256_GCM",
						  "inline:" RFC_B64));
	/* 46 or 28 bytes for a suite that needs 30. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" B64_46));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" B64_28));
	/* Nothing at all. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:|2^20"));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));
	EXPECT_TRUE(all_zero(ctx, sizeof(*ctx)));
	kmedia_srtp_free(ctx);
}

TEST(bad_base64_is_refused)
{
	static const char *const bad[] = {
		/* A character off the alphabet. */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaV*R",
		/* The URL-safe alphabet. */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtx-_BR",
		/* Whitespace inside. */
		"inline:PS1uQCVeeCFCanVmcjkp PywjNWhcYD0mXXtxaVBR",
		/* Trailing whitespace. */
		"inline:" RFC_B64 " ",
		/* Truncated. */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB",
		/* Padding where none belongs. */
		"inline:" RFC_B64 "==",
	};
	static const char *const bad256[] = {
		/* Missing or short padding. */
		"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ",
		"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLQ=",
		/* Non-zero bits after the last byte. */
		"inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLR==",
	};
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	size_t i;

	ASSERT_NE(NULL, ctx);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx,
					"AES_CM_128_HMAC_SHA1_80", bad[i])) {
			TH_LOG("%s", bad[i]);
		}
	}
	for (i = 0; i < sizeof(bad256) / sizeof(bad256[0]); i++) {
		EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx,
					"AES_256_CM_HMAC_SHA1_80", bad256[i])) {
			TH_LOG("%s", bad256[i]);
		}
	}
	EXPECT_TRUE(all_zero(ctx, sizeof(*ctx)));
	kmedia_srtp_free(ctx);
}

TEST(mki_of_sdes)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	const uint8_t *mki;
	size_t len, i;

	ASSERT_NE(NULL, ctx);
	/* Length 0, or beyond SDES's 1..128: malformed. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:0"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:129"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:0004"));
	/* Valid SDES, longer than kmedia takes. */
	EXPECT_EQ(-EOPNOTSUPP,
		  kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					 "inline:" RFC_B64 "|1:17"));
	EXPECT_EQ(-EOPNOTSUPP,
		  kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					 "inline:" RFC_B64 "|2^20|1:128"));
	/* A value that does not fit its length. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|256:1"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|65536:2"));
	/* Not numbers. */
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|:4"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|a:4"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|-1:4"));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:4:4"));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));

	/* Big-endian in exactly its length, up to 16 bytes. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    "inline:" RFC_B64 "|65535:2"));
	mki = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_EQ(2, len);
	EXPECT_EQ(0xff, mki[0]);
	EXPECT_EQ(0xff, mki[1]);
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    "inline:" RFC_B64 "|0:3"));
	mki = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_EQ(3, len);
	EXPECT_TRUE(all_zero(mki, 3));
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    "inline:" RFC_B64 "|258:16"));
	mki = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_EQ(16, len);
	EXPECT_TRUE(all_zero(mki, 14));
	EXPECT_EQ(0x01, mki[14]);
	EXPECT_EQ(0x02, mki[15]);
	/* 2^128 - 1 fits 16 bytes; 2^128 does not. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
		"inline:" RFC_B64 "|340282366920938463463374607431768211455:16"));
	mki = kmedia_srtp_get_mki(ctx, &len);
	ASSERT_EQ(16, len);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0xff, mki[i]);
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
		"inline:" RFC_B64 "|340282366920938463463374607431768211456:16"));
	kmedia_srtp_free(ctx);
}

TEST(lifetime_forms)
{
	static const char *const bad[] = {
		"|2^49", "|2^", "|2^x", "|2^-1", "|0", "|281474976710657",
		"|99999999999999999999999", "|x", "|+5", "| 5", "|",
		"||1:4", "|2^20|2^20", "|1:4|2^20", "|2^20|1:4|", "|2^20|1:4|7",
		"|2^20|",
	};
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	char line[256];
	size_t i;

	ASSERT_NE(NULL, ctx);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "inline:%s%s", RFC_B64, bad[i]);
		EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx,
					"AES_CM_128_HMAC_SHA1_80", line)) {
			TH_LOG("%s", line);
		}
	}
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));
	kmedia_srtp_free(ctx);
}

TEST(other_inline_refusals)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_99",
						  RFC_KEY_PARAMS));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, NULL, RFC_KEY_PARAMS));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  NULL));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "uri:" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  " inline:" RFC_B64));
	/* Several master keys (RFC 4568, 6.1): one context takes one. */
	EXPECT_EQ(-EOPNOTSUPP,
		  kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					 RFC_KEY_PARAMS ";" RFC_KEY_PARAMS));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE));
	kmedia_srtp_free(ctx);
}

TEST(failed_inline_leaves_the_context_alone)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	struct kmedia_srtp before;

	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    RFC_KEY_PARAMS));
	kmedia_srtp_set_roc(ctx, 3);
	before = *ctx;
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_256_CM_HMAC_SHA1_80",
						  "inline:" RFC_B64));
	EXPECT_EQ(-EINVAL, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
						  "inline:" RFC_B64 "|1:0"));
	EXPECT_EQ(-EOPNOTSUPP,
		  kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					 "inline:" RFC_B64 "|1:20"));
	EXPECT_EQ(0, memcmp(&before, ctx, sizeof(before)));
	/* A good line replaces suite, key and MKI, and keeps the rest. */
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_256_CM_HMAC_SHA1_32",
					    "inline:" B64_46));
	EXPECT_EQ(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32, kmedia_srtp_get_suite(ctx));
	EXPECT_FALSE(kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI));
	EXPECT_EQ(3, kmedia_srtp_get_roc(ctx));
	kmedia_srtp_free(ctx);
}

/* Formatting */

TEST(format_inline_round_trip)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	struct kmedia_srtp *back = kmedia_srtp_alloc();
	char out[KMEDIA_SRTP_INLINE_MAX];
	int n;

	ASSERT_NE(NULL, ctx);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_80",
					    RFC_KEY_PARAMS));
	n = kmedia_srtp_format_inline(ctx, out, sizeof(out));
	/* The lifetime is not kept, so not written. */
	EXPECT_STREQ("inline:" RFC_B64 "|1:4", out);
	EXPECT_EQ((int)strlen(out), n);

	kmedia_srtp_unset(ctx, KMEDIA_SRTP_A_MKI);
	EXPECT_EQ(47, kmedia_srtp_format_inline(ctx, out, sizeof(out)));
	EXPECT_STREQ("inline:" RFC_B64, out);

	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_256_CM_HMAC_SHA1_80",
					    "inline:" B64_46 "|2^31|1000:2"));
	ASSERT_LT(0, kmedia_srtp_format_inline(ctx, out, sizeof(out)));
	EXPECT_STREQ("inline:" B64_46 "|1000:2", out);
	ASSERT_EQ(0, kmedia_srtp_set_inline(back, "AES_256_CM_HMAC_SHA1_80", out));
	EXPECT_EQ(0, memcmp(ctx, back, sizeof(*ctx)));
	kmedia_srtp_free(ctx);
	kmedia_srtp_free(back);
}

TEST(format_inline_of_generated_keys_parses_back)
{
	static const enum kmedia_srtp_suite suites[] = {
		KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
		KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32,
		KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
		KMEDIA_SRTP_AEAD_AES_128_GCM,
		KMEDIA_SRTP_AEAD_AES_256_GCM,
		KMEDIA_SRTP_NULL_HMAC_SHA1_32,
		KMEDIA_SRTP_F8_128_HMAC_SHA1_80,
	};
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	struct kmedia_srtp *back = kmedia_srtp_alloc();
	uint8_t mki[KMEDIA_SRTP_MKI_MAX];
	char out[KMEDIA_SRTP_INLINE_MAX];
	size_t i;
	int n;

	ASSERT_NE(NULL, ctx);
	ASSERT_NE(NULL, back);
	memset(mki, 0xff, sizeof(mki));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, suites[i]));
		ASSERT_EQ(0, kmedia_srtp_gen_key(ctx));
		/* The longest MKI: the longest line. */
		ASSERT_EQ(0, kmedia_srtp_set_mki(ctx, mki, sizeof(mki)));
		n = kmedia_srtp_format_inline(ctx, out, sizeof(out));
		ASSERT_LT(0, n);
		ASSERT_LT(n, KMEDIA_SRTP_INLINE_MAX);
		ASSERT_EQ(0, kmedia_srtp_set_inline(back,
				kmedia_srtp_suite_name(suites[i]), out)) {
			TH_LOG("%s", out);
		}
		EXPECT_EQ(0, memcmp(ctx, back, sizeof(*ctx)));
	}
	kmedia_srtp_free(ctx);
	kmedia_srtp_free(back);
}

TEST(format_inline_needs_a_key_and_room)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	char out[64];

	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-ENOKEY, kmedia_srtp_format_inline(ctx, out, sizeof(out)));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx,
					   KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80));
	EXPECT_EQ(-ENOKEY, kmedia_srtp_format_inline(ctx, out, sizeof(out)));
	ASSERT_EQ(0, kmedia_srtp_set_key(ctx, key16, 16, salt14, 14));
	/* 47 characters and the NUL. */
	memset(out, 'x', sizeof(out));
	EXPECT_EQ(-ENOSPC, kmedia_srtp_format_inline(ctx, out, 47));
	EXPECT_EQ('x', out[0]);
	EXPECT_EQ(-ENOSPC, kmedia_srtp_format_inline(ctx, out, 0));
	EXPECT_EQ(47, kmedia_srtp_format_inline(ctx, out, 48));
	EXPECT_EQ('\0', out[47]);
	EXPECT_STREQ("inline:4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm", out);
	kmedia_srtp_free(ctx);
}

/* Streams: copies */

TEST(stream_refuses_incomplete_contexts)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	EXPECT_EQ(-EINVAL, kmedia_stream_set_srtp_in(s, NULL));
	EXPECT_EQ(-EINVAL, kmedia_stream_set_srtp_in(s, ctx));
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_AEAD_AES_128_GCM));
	EXPECT_EQ(-ENOKEY, kmedia_stream_set_srtp_out(s, ctx));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRTP_IN));
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRTP_OUT));
	EXPECT_EQ(NULL, kmedia_stream_get_srtp_in(s));
	EXPECT_EQ(NULL, kmedia_stream_get_srtp_out(s));
	kmedia_srtp_free(ctx);
	kmedia_stream_free(s);
}

TEST(stream_copy_is_independent_of_the_context)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = ctx_128();
	const struct kmedia_srtp *in;
	uint8_t other[16], mki[2] = { 9, 9 };

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	kmedia_srtp_set_roc(ctx, 5);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));

	/* Change and free the caller's context: the stream keeps its own. */
	memset(other, 0x55, sizeof(other));
	ASSERT_EQ(0, kmedia_srtp_set_key(ctx, other, 16, salt14, 14));
	ASSERT_EQ(0, kmedia_srtp_set_mki(ctx, mki, sizeof(mki)));
	kmedia_srtp_set_roc(ctx, 6);
	kmedia_srtp_free(ctx);

	in = kmedia_stream_get_srtp_in(s);
	ASSERT_NE(NULL, in);
	EXPECT_NE((const void *)ctx, (const void *)in);
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, kmedia_srtp_get_suite(in));
	EXPECT_EQ(5, kmedia_srtp_get_roc(in));
	EXPECT_FALSE(kmedia_srtp_has(in, KMEDIA_SRTP_A_MKI));
	EXPECT_TRUE(kmedia_srtp_has(in, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_EQ(0, memcmp(in->key, key16, 16));
	EXPECT_EQ(0, memcmp(in->salt, salt14, 14));
	EXPECT_EQ(NULL, kmedia_stream_get_srtp_out(s));
	kmedia_stream_free(s);
}

TEST(stream_unset_wipes_its_copy)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = ctx_128();

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));
	ASSERT_EQ(0, kmedia_stream_set_srtp_out(s, ctx));
	kmedia_stream_unset(s, KMEDIA_STREAM_A_SRTP_IN);
	EXPECT_FALSE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRTP_IN));
	EXPECT_TRUE(all_zero(&s->srtp_in, sizeof(s->srtp_in)));
	EXPECT_TRUE(kmedia_stream_has(s, KMEDIA_STREAM_A_SRTP_OUT));
	EXPECT_EQ(0, memcmp(s->srtp_out.key, key16, 16));

	/* Replacing a context wipes what the old one left behind. */
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE));
	ASSERT_EQ(0, kmedia_stream_set_srtp_out(s, ctx));
	EXPECT_TRUE(all_zero(s->srtp_out.key, sizeof(s->srtp_out.key)));
	EXPECT_TRUE(all_zero(s->srtp_out.salt, sizeof(s->srtp_out.salt)));
	kmedia_srtp_free(ctx);
	kmedia_stream_free(s);
	kmedia_stream_free(NULL);
}

/* Streams: requests */

TEST(new_request_puts_both_srtp_nests)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *in = ctx_128();
	struct kmedia_srtp *out = kmedia_srtp_alloc();
	uint8_t k32[32], s12[12], mki[4] = { 0, 0, 0, 1 };
	const struct nlattr *nest, *srtp, *attr;
	struct nlmsghdr *nlh;
	size_t i;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (i = 0; i < sizeof(k32); i++)
		k32[i] = 0x80 + i;
	for (i = 0; i < sizeof(s12); i++)
		s12[i] = 0x40 + i;
	ASSERT_EQ(0, kmedia_srtp_set_mki(in, mki, sizeof(mki)));
	kmedia_srtp_set_kdr(in, 0);
	kmedia_srtp_set_ssrc(in, 0x11223344);
	kmedia_srtp_set_roc(in, 2);
	ASSERT_EQ(0, kmedia_srtp_set_replay_window(in, 1024));
	ASSERT_EQ(0, kmedia_srtp_set_suite(out, KMEDIA_SRTP_AEAD_AES_256_GCM));
	ASSERT_EQ(0, kmedia_srtp_set_key(out, k32, 32, s12, 12));

	kmedia_stream_set_sock_in(s, 1);
	kmedia_stream_set_sock_out(s, 2);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, in));
	ASSERT_EQ(0, kmedia_stream_set_srtp_out(s, out));
	/* Reported only: never sent even if present. */
	s->srtp_in.val[KMEDIA_SRTP_A_SRTCP_INDEX] = 77;
	s->srtp_in.present |= KMD_BIT(KMEDIA_SRTP_A_SRTCP_INDEX);

	nlh = kmd_stream_new_msg(&h, buf, s);
	nest = stream_nest(nlh);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(4, nest_count(nest));

	srtp = find_attr(nest, KMEDIA_STREAM_A_SRTP_IN);
	ASSERT_NE(NULL, srtp);
	EXPECT_TRUE(srtp->nla_type & NLA_F_NESTED);
	EXPECT_EQ(8, nest_count(srtp));
	attr = find_attr(srtp, KMEDIA_SRTP_A_SUITE);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, mnl_attr_get_u32(attr));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MASTER_KEY);
	ASSERT_NE(NULL, attr);
	ASSERT_EQ(16, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(key16, mnl_attr_get_payload(attr), 16));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MASTER_SALT);
	ASSERT_NE(NULL, attr);
	ASSERT_EQ(14, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(salt14, mnl_attr_get_payload(attr), 14));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MKI);
	ASSERT_NE(NULL, attr);
	ASSERT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(mki, mnl_attr_get_payload(attr), 4));
	attr = find_attr(srtp, KMEDIA_SRTP_A_KDR);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, mnl_attr_get_u32(attr));
	attr = find_attr(srtp, KMEDIA_SRTP_A_SSRC);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0x11223344, mnl_attr_get_u32(attr));
	attr = find_attr(srtp, KMEDIA_SRTP_A_ROC);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(2, mnl_attr_get_u32(attr));
	attr = find_attr(srtp, KMEDIA_SRTP_A_REPLAY_WINDOW);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(1024, mnl_attr_get_u32(attr));
	EXPECT_EQ(NULL, find_attr(srtp, KMEDIA_SRTP_A_SRTCP_INDEX));

	/* OUT: suite, 32-byte key, 12-byte salt, nothing else. */
	srtp = find_attr(nest, KMEDIA_STREAM_A_SRTP_OUT);
	ASSERT_NE(NULL, srtp);
	EXPECT_TRUE(srtp->nla_type & NLA_F_NESTED);
	EXPECT_EQ(3, nest_count(srtp));
	EXPECT_EQ(KMEDIA_SRTP_AEAD_AES_256_GCM,
		  mnl_attr_get_u32(find_attr(srtp, KMEDIA_SRTP_A_SUITE)));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MASTER_KEY);
	ASSERT_NE(NULL, attr);
	ASSERT_EQ(32, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(k32, mnl_attr_get_payload(attr), 32));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MASTER_SALT);
	ASSERT_NE(NULL, attr);
	ASSERT_EQ(12, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(0, memcmp(s12, mnl_attr_get_payload(attr), 12));

	kmedia_srtp_free(in);
	kmedia_srtp_free(out);
	kmedia_stream_free(s);
}

TEST(none_encodes_as_the_suite_alone)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = ctx_128();
	const struct nlattr *nest, *srtp, *attr;
	uint8_t mki[1] = { 1 };
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	/* Whatever else the context held. */
	ASSERT_EQ(0, kmedia_srtp_set_mki(ctx, mki, 1));
	kmedia_srtp_set_roc(ctx, 9);
	ASSERT_EQ(0, kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE));
	kmedia_stream_set_id(s, 12);
	ASSERT_EQ(0, kmedia_stream_set_srtp_out(s, ctx));
	EXPECT_EQ(KMEDIA_SRTP_NONE,
		  kmedia_srtp_get_suite(kmedia_stream_get_srtp_out(s)));

	nlh = kmd_stream_change_msg(&h, buf, s);
	EXPECT_EQ(KMEDIA_CMD_STREAM_CHANGE,
		  ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd);
	nest = stream_nest(nlh);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(2, nest_count(nest));
	EXPECT_EQ(NULL, find_attr(nest, KMEDIA_STREAM_A_SRTP_IN));
	srtp = find_attr(nest, KMEDIA_STREAM_A_SRTP_OUT);
	ASSERT_NE(NULL, srtp);
	EXPECT_TRUE(srtp->nla_type & NLA_F_NESTED);
	EXPECT_EQ(1, nest_count(srtp));
	attr = find_attr(srtp, KMEDIA_SRTP_A_SUITE);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(KMEDIA_SRTP_NONE, mnl_attr_get_u32(attr));
	kmedia_srtp_free(ctx);
	kmedia_stream_free(s);
}

TEST(change_request_re_keys_one_direction)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	const struct nlattr *nest, *srtp, *attr;
	struct nlmsghdr *nlh;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, kmedia_srtp_set_inline(ctx, "AES_CM_128_HMAC_SHA1_32",
					    RFC_KEY_PARAMS));
	kmedia_stream_set_id(s, 3);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));
	nlh = kmd_stream_change_msg(&h, buf, s);
	nest = stream_nest(nlh);
	ASSERT_NE(NULL, nest);
	EXPECT_EQ(2, nest_count(nest));
	EXPECT_EQ(3, mnl_attr_get_u32(find_attr(nest, KMEDIA_STREAM_A_ID)));
	srtp = find_attr(nest, KMEDIA_STREAM_A_SRTP_IN);
	ASSERT_NE(NULL, srtp);
	EXPECT_EQ(4, nest_count(srtp));
	attr = find_attr(srtp, KMEDIA_SRTP_A_MASTER_KEY);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(0x3d, ((const uint8_t *)mnl_attr_get_payload(attr))[0]);
	attr = find_attr(srtp, KMEDIA_SRTP_A_MKI);
	ASSERT_NE(NULL, attr);
	EXPECT_EQ(4, mnl_attr_get_payload_len(attr));
	EXPECT_EQ(1, ((const uint8_t *)mnl_attr_get_payload(attr))[3]);
	kmedia_srtp_free(ctx);
	kmedia_stream_free(s);
}

/* Streams: replies */

static void put_reported_srtp(struct nlmsghdr *nlh, uint16_t type,
			      uint32_t suite, bool with_keys)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	uint8_t mki[2] = { 0x12, 0x34 };

	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, suite);
	if (with_keys) {
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_KEY, 16, key16);
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_SALT, 14, salt14);
	}
	mnl_attr_put(nlh, KMEDIA_SRTP_A_MKI, sizeof(mki), mki);
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SSRC, 0xabcdef01);
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_ROC, 4);
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_REPLAY_WINDOW, 256);
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SRTCP_INDEX, 0x7fffffff);
	/* Newer than this library: skipped. */
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
}

TEST(reply_reports_the_contexts_without_keys)
{
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	struct kmedia_stream s;
	const struct kmedia_srtp *in;
	const uint8_t *mki;
	struct nlattr *nest;
	size_t len;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 7);
	put_reported_srtp(nlh, KMEDIA_STREAM_A_SRTP_IN,
			  KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, false);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	EXPECT_TRUE(kmedia_stream_has(&s, KMEDIA_STREAM_A_SRTP_IN));
	EXPECT_FALSE(kmedia_stream_has(&s, KMEDIA_STREAM_A_SRTP_OUT));
	EXPECT_EQ(NULL, kmedia_stream_get_srtp_out(&s));
	in = kmedia_stream_get_srtp_in(&s);
	ASSERT_NE(NULL, in);
	EXPECT_EQ(KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, kmedia_srtp_get_suite(in));
	mki = kmedia_srtp_get_mki(in, &len);
	ASSERT_NE(NULL, mki);
	ASSERT_EQ(2, len);
	EXPECT_EQ(0x12, mki[0]);
	EXPECT_EQ(0x34, mki[1]);
	EXPECT_EQ(0xabcdef01, kmedia_srtp_get_ssrc(in));
	EXPECT_EQ(4, kmedia_srtp_get_roc(in));
	EXPECT_EQ(256, kmedia_srtp_get_replay_window(in));
	EXPECT_EQ(0x7fffffff, kmedia_srtp_get_srtcp_index(in));
	EXPECT_FALSE(kmedia_srtp_has(in, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_FALSE(kmedia_srtp_has(in, KMEDIA_SRTP_A_MASTER_SALT));
	EXPECT_FALSE(kmedia_srtp_has(in, KMEDIA_SRTP_A_KDR));
	EXPECT_EQ(-ENOKEY, kmedia_srtp_format_inline(in, (char *)buf, 128));
}

TEST(keys_in_a_reply_are_not_kept)
{
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	struct kmedia_stream s;
	const struct kmedia_srtp *out;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 7);
	put_reported_srtp(nlh, KMEDIA_STREAM_A_SRTP_OUT,
			  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, true);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	out = kmedia_stream_get_srtp_out(&s);
	ASSERT_NE(NULL, out);
	EXPECT_FALSE(kmedia_srtp_has(out, KMEDIA_SRTP_A_MASTER_KEY));
	EXPECT_TRUE(all_zero(out->key, sizeof(out->key)));
	EXPECT_TRUE(all_zero(out->salt, sizeof(out->salt)));
}

TEST(reported_contexts_are_never_sent_back)
{
	struct kmedia_handle h = { .family_id = FAMILY_ID };
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	struct kmedia_stream *s = kmedia_stream_alloc();
	const struct nlattr *req;
	struct nlattr *nest;

	ASSERT_NE(NULL, s);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 7);
	put_reported_srtp(nlh, KMEDIA_STREAM_A_SRTP_IN,
			  KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, false);
	put_reported_srtp(nlh, KMEDIA_STREAM_A_SRTP_OUT, KMEDIA_SRTP_NONE,
			  false);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, kmd_stream_parse(nlh, s));

	/* Get, modify, change: the kernel's contexts stay as they are
	 * (no nest), rather than being replaced by keyless ones.
	 */
	kmedia_stream_set_dscp(s, 46);
	nlh = kmd_stream_change_msg(&h, buf + 8192, s);
	req = stream_nest(nlh);
	ASSERT_NE(NULL, req);
	EXPECT_EQ(2, nest_count(req));
	EXPECT_EQ(NULL, find_attr(req, KMEDIA_STREAM_A_SRTP_IN));
	EXPECT_EQ(NULL, find_attr(req, KMEDIA_STREAM_A_SRTP_OUT));

	/* Nor can a reported context be copied into a request. */
	EXPECT_EQ(-ENOKEY, kmedia_stream_set_srtp_in(s,
						kmedia_stream_get_srtp_in(s)));
	kmedia_stream_free(s);
}

/* A reply whose SRTP_IN nest is built by case. */
static struct nlmsghdr *bad_srtp_reply(int which)
{
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	uint8_t mki[KMEDIA_SRTP_MKI_MAX + 1] = { 0 };
	struct nlattr *nest, *srtp;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	if (which == 0) {
		/* Not a nest at all. */
		mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SRTP_IN, 1);
		mnl_attr_nest_end(nlh, nest);
		return nlh;
	}
	srtp = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_SRTP_IN);
	switch (which) {
	case 1:		/* SUITE as a u8 */
		mnl_attr_put_u8(nlh, KMEDIA_SRTP_A_SUITE, 1);
		break;
	case 2:		/* no SUITE */
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_ROC, 1);
		break;
	case 3:		/* MKI longer than KMEDIA_SRTP_MKI_MAX */
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, 1);
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MKI, sizeof(mki), mki);
		break;
	case 4:		/* empty MKI */
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, 1);
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MKI, 0, mki);
		break;
	case 5:		/* ROC as a u64 */
		mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, 1);
		mnl_attr_put_u64(nlh, KMEDIA_SRTP_A_ROC, 1);
		break;
	}
	mnl_attr_nest_end(nlh, srtp);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

TEST(malformed_srtp_nests_are_refused)
{
	struct kmedia_stream s;
	int i;

	for (i = 0; i <= 5; i++) {
		EXPECT_EQ(-EBADMSG, kmd_stream_parse(bad_srtp_reply(i), &s)) {
			TH_LOG("case %d", i);
		}
	}
}

/* Counters and events */

TEST(srtp_drop_counters_parse)
{
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	struct kmedia_stream s;
	struct nlattr *nest, *stats;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 1);
	stats = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_STATS);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_RX_PACKETS, 10);
	mnl_attr_put(nlh, KMEDIA_STATS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_SRTP_AUTH, 1);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_SRTP_REPLAY, 2);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_SRTP_SHORT, 3);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_SRTP_MKI, 4);
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_DROP_SRTP_PROTECT,
			 UINT64_C(0x500000000));
	mnl_attr_put_u64(nlh, KMEDIA_STATS_A_MAX + 1, 6);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(0, kmd_stream_parse(nlh, &s));
	EXPECT_EQ(10, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_RX_PACKETS));
	EXPECT_EQ(1, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_SRTP_AUTH));
	EXPECT_EQ(2, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_SRTP_REPLAY));
	EXPECT_EQ(3, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_SRTP_SHORT));
	EXPECT_EQ(4, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_SRTP_MKI));
	EXPECT_EQ(UINT64_C(0x500000000),
		  kmedia_stream_get_stat(&s, KMEDIA_STATS_A_DROP_SRTP_PROTECT));
	EXPECT_TRUE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_DROP_SRTP_PROTECT));
	EXPECT_FALSE(kmedia_stream_has_stat(&s, KMEDIA_STATS_A_MAX + 1));
	EXPECT_EQ(0, kmedia_stream_get_stat(&s, KMEDIA_STATS_A_MAX + 1));

	/* 32-bit values of a 64-bit counter are refused like the others. */
	nlh = msg_start(KMEDIA_CMD_STREAM_GET);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	stats = mnl_attr_nest_start(nlh, KMEDIA_STREAM_A_STATS);
	mnl_attr_put_u32(nlh, KMEDIA_STATS_A_DROP_SRTP_AUTH, 1);
	mnl_attr_nest_end(nlh, stats);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_stream_parse(nlh, &s));
}

TEST(srtp_failure_event_parses)
{
	struct nlmsghdr *nlh = msg_start(KMEDIA_CMD_STREAM_SRTP_FAIL_NTF);
	enum kmedia_cmd cmd = KMEDIA_CMD_UNSPEC;
	struct kmedia_stream s;
	struct nlattr *nest;

	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_ID, 31);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_COOKIE, 0xc0ffee);
	mnl_attr_put_u32(nlh, KMEDIA_STREAM_A_SRTP_FAILURES, 250);
	mnl_attr_nest_end(nlh, nest);

	ASSERT_EQ(1, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
	EXPECT_EQ(KMEDIA_CMD_STREAM_SRTP_FAIL_NTF, cmd);
	EXPECT_EQ(31, kmedia_stream_get_id(&s));
	EXPECT_EQ(0xc0ffee, kmedia_stream_get_cookie(&s));
	EXPECT_TRUE(kmedia_stream_has(&s, KMEDIA_STREAM_A_SRTP_FAILURES));
	EXPECT_EQ(250, kmedia_stream_get_srtp_failures(&s));

	/* A count of the wrong size makes the event malformed. */
	nlh = msg_start(KMEDIA_CMD_STREAM_SRTP_FAIL_NTF);
	nest = mnl_attr_nest_start(nlh, KMEDIA_A_STREAM);
	mnl_attr_put_u64(nlh, KMEDIA_STREAM_A_SRTP_FAILURES, 250);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, kmd_event_parse(FAMILY_ID, nlh, &cmd, &s));
}

/* Keys do not stay in the handle's buffer after a request. */
TEST(request_buffer_is_wiped_after_a_request_with_keys)
{
	struct kmedia_handle h = { .family_id = 0xfff0 };
	struct kmedia_stream *s = kmedia_stream_alloc();
	struct kmedia_srtp *ctx = ctx_128();
	int err;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, ctx);
	h.buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	ASSERT_NE(NULL, h.buf);
	h.nl = mnl_socket_open(NETLINK_GENERIC);
	if (!h.nl || mnl_socket_bind(h.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (h.nl)
			mnl_socket_close(h.nl);
		free(h.buf);
		SKIP(return, "no netlink socket: %s", strerror(errno));
	}
	h.portid = mnl_socket_get_portid(h.nl);
	kmedia_stream_set_id(s, 1);
	ASSERT_EQ(0, kmedia_stream_set_srtp_in(s, ctx));

	/* No such family: the kernel refuses, echoing the request. */
	err = kmedia_stream_change(&h, s);
	EXPECT_GT(0, err);
	EXPECT_TRUE(all_zero(h.buf, MNL_SOCKET_BUFFER_SIZE));
	/* The caller's objects keep their keys. */
	EXPECT_EQ(0, memcmp(s->srtp_in.key, key16, 16));
	mnl_socket_close(h.nl);
	free(h.buf);
	kmedia_srtp_free(ctx);
	kmedia_stream_free(s);
}

TEST_HARNESS_MAIN
