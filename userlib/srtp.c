// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: SRTP/SRTCP crypto contexts, carried as a nest of enum
 * kmedia_srtp_attr in KMEDIA_STREAM_A_SRTP_IN and _OUT.
 *
 * Master keys and salts are write-only: the library puts them in requests
 * and the kernel never reports them. Every copy the library holds is wiped
 * with sodium_memzero() when it is freed, unset or overwritten.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "internal.h"

/* Key and salt lengths per suite (RFC 3711, 4568, 6188, 7714). */
static const struct {
	uint8_t key;
	uint8_t salt;
} suite_sizes[KMEDIA_SRTP_SUITE_MAX + 1] = {
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80] = { 16, 14 },
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32] = { 16, 14 },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80] = { 24, 14 },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32] = { 24, 14 },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80] = { 32, 14 },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32] = { 32, 14 },
	[KMEDIA_SRTP_AEAD_AES_128_GCM] = { 16, 12 },
	[KMEDIA_SRTP_AEAD_AES_256_GCM] = { 32, 12 },
	/* The NULL cipher still derives its authentication key from a
	 * 128-bit master key and a 112-bit salt, as libsrtp does.
	 */
	[KMEDIA_SRTP_NULL_HMAC_SHA1_80] = { 16, 14 },
	[KMEDIA_SRTP_NULL_HMAC_SHA1_32] = { 16, 14 },
	[KMEDIA_SRTP_F8_128_HMAC_SHA1_80] = { 16, 14 },
};

_Static_assert(KMD_SRTP_KEY_MAX >= 32 && KMD_SRTP_SALT_MAX >= 14,
	       "key or salt buffer too small");

int kmd_srtp_suite_sizes(uint32_t suite, size_t *key_len, size_t *salt_len)
{
	if (suite == KMEDIA_SRTP_NONE || suite > KMEDIA_SRTP_SUITE_MAX)
		return -EINVAL;
	if (key_len)
		*key_len = suite_sizes[suite].key;
	if (salt_len)
		*salt_len = suite_sizes[suite].salt;
	return 0;
}

int kmedia_srtp_suite_key_len(enum kmedia_srtp_suite suite, size_t *key_len,
			      size_t *salt_len)
{
	return kmd_srtp_suite_sizes(suite, key_len, salt_len);
}

void kmd_srtp_wipe(struct kmedia_srtp *ctx)
{
	sodium_memzero(ctx, sizeof(*ctx));
}

struct kmedia_srtp *kmedia_srtp_alloc(void)
{
	return calloc(1, sizeof(struct kmedia_srtp));
}

void kmedia_srtp_free(struct kmedia_srtp *ctx)
{
	if (!ctx)
		return;
	kmd_srtp_wipe(ctx);
	free(ctx);
}

bool kmedia_srtp_has(const struct kmedia_srtp *ctx, enum kmedia_srtp_attr attr)
{
	return attr <= KMEDIA_SRTP_A_MAX && (ctx->present & KMD_BIT(attr));
}

static void srtp_forget_keys(struct kmedia_srtp *ctx)
{
	sodium_memzero(ctx->key, sizeof(ctx->key));
	sodium_memzero(ctx->salt, sizeof(ctx->salt));
	ctx->key_len = 0;
	ctx->salt_len = 0;
	ctx->present &= ~KMD_SRTP_KEYS;
}

void kmedia_srtp_unset(struct kmedia_srtp *ctx, enum kmedia_srtp_attr attr)
{
	if (attr > KMEDIA_SRTP_A_MAX)
		return;
	switch (attr) {
	case KMEDIA_SRTP_A_MASTER_KEY:
	case KMEDIA_SRTP_A_MASTER_SALT:
		srtp_forget_keys(ctx);
		return;
	case KMEDIA_SRTP_A_MKI:
		memset(ctx->mki, 0, sizeof(ctx->mki));
		ctx->mki_len = 0;
		break;
	default:
		ctx->val[attr] = 0;
		break;
	}
	ctx->present &= ~KMD_BIT(attr);
}

static void srtp_set_val(struct kmedia_srtp *ctx, enum kmedia_srtp_attr attr,
			 uint32_t val)
{
	ctx->val[attr] = val;
	ctx->present |= KMD_BIT(attr);
}

int kmedia_srtp_set_suite(struct kmedia_srtp *ctx, enum kmedia_srtp_suite suite)
{
	size_t key_len, salt_len;

	if ((unsigned int)suite > KMEDIA_SRTP_SUITE_MAX)
		return -EINVAL;
	if (suite == KMEDIA_SRTP_NONE ||
	    (kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MASTER_KEY) &&
	     (kmd_srtp_suite_sizes(suite, &key_len, &salt_len) ||
	      key_len != ctx->key_len || salt_len != ctx->salt_len)))
		srtp_forget_keys(ctx);
	srtp_set_val(ctx, KMEDIA_SRTP_A_SUITE, suite);
	return 0;
}

int kmedia_srtp_set_key(struct kmedia_srtp *ctx, const void *key,
			size_t key_len, const void *salt, size_t salt_len)
{
	size_t want_key, want_salt;

	if (!key || !salt || !kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE) ||
	    kmd_srtp_suite_sizes(ctx->val[KMEDIA_SRTP_A_SUITE], &want_key,
				 &want_salt) ||
	    key_len != want_key || salt_len != want_salt)
		return -EINVAL;
	srtp_forget_keys(ctx);
	memcpy(ctx->key, key, key_len);
	memcpy(ctx->salt, salt, salt_len);
	ctx->key_len = key_len;
	ctx->salt_len = salt_len;
	ctx->present |= KMD_SRTP_KEYS;
	return 0;
}

int kmedia_srtp_get_key(const struct kmedia_srtp *ctx, void *key,
			size_t key_len, void *salt, size_t salt_len)
{
	if ((ctx->present & KMD_SRTP_KEYS) != KMD_SRTP_KEYS)
		return -ENOENT;
	if (!key || !salt || key_len < ctx->key_len || salt_len < ctx->salt_len)
		return -ENOSPC;
	memcpy(key, ctx->key, ctx->key_len);
	memcpy(salt, ctx->salt, ctx->salt_len);
	return 0;
}

int kmedia_srtp_gen_key(struct kmedia_srtp *ctx)
{
	size_t key_len, salt_len;

	if (!kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE) ||
	    kmd_srtp_suite_sizes(ctx->val[KMEDIA_SRTP_A_SUITE], &key_len,
				 &salt_len))
		return -EINVAL;
	/* Idempotent and thread-safe; seeds randombytes. */
	if (sodium_init() < 0)
		return -EIO;
	srtp_forget_keys(ctx);
	randombytes_buf(ctx->key, key_len);
	randombytes_buf(ctx->salt, salt_len);
	ctx->key_len = key_len;
	ctx->salt_len = salt_len;
	ctx->present |= KMD_SRTP_KEYS;
	return 0;
}

int kmedia_srtp_set_mki(struct kmedia_srtp *ctx, const void *mki, size_t len)
{
	if (!mki || len < 1 || len > KMEDIA_SRTP_MKI_MAX)
		return -EINVAL;
	memset(ctx->mki, 0, sizeof(ctx->mki));
	memcpy(ctx->mki, mki, len);
	ctx->mki_len = len;
	ctx->present |= KMD_BIT(KMEDIA_SRTP_A_MKI);
	return 0;
}

void kmedia_srtp_set_kdr(struct kmedia_srtp *ctx, uint32_t kdr)
{
	srtp_set_val(ctx, KMEDIA_SRTP_A_KDR, kdr);
}

void kmedia_srtp_set_ssrc(struct kmedia_srtp *ctx, uint32_t ssrc)
{
	srtp_set_val(ctx, KMEDIA_SRTP_A_SSRC, ssrc);
}

void kmedia_srtp_set_roc(struct kmedia_srtp *ctx, uint32_t roc)
{
	srtp_set_val(ctx, KMEDIA_SRTP_A_ROC, roc);
}

int kmedia_srtp_set_replay_window(struct kmedia_srtp *ctx, uint32_t packets)
{
	if (packets < KMEDIA_SRTP_REPLAY_MIN || packets > KMEDIA_SRTP_REPLAY_MAX)
		return -EINVAL;
	srtp_set_val(ctx, KMEDIA_SRTP_A_REPLAY_WINDOW, packets);
	return 0;
}

/* Getters */

static uint32_t srtp_get_val(const struct kmedia_srtp *ctx,
			     enum kmedia_srtp_attr attr)
{
	return kmedia_srtp_has(ctx, attr) ? ctx->val[attr] : 0;
}

enum kmedia_srtp_suite kmedia_srtp_get_suite(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_SUITE);
}

const uint8_t *kmedia_srtp_get_mki(const struct kmedia_srtp *ctx, size_t *lenp)
{
	bool has = kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI);

	if (lenp)
		*lenp = has ? ctx->mki_len : 0;
	return has ? ctx->mki : NULL;
}

uint32_t kmedia_srtp_get_kdr(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_KDR);
}

uint32_t kmedia_srtp_get_ssrc(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_SSRC);
}

uint32_t kmedia_srtp_get_roc(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_ROC);
}

uint32_t kmedia_srtp_get_replay_window(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_REPLAY_WINDOW);
}

uint32_t kmedia_srtp_get_srtcp_index(const struct kmedia_srtp *ctx)
{
	return srtp_get_val(ctx, KMEDIA_SRTP_A_SRTCP_INDEX);
}

/* Requests */

/*
 * A context a request may carry: set by the caller (never one decoded
 * from a reply), with suite NONE or with its key and salt.
 */
bool kmd_srtp_sendable(const struct kmedia_srtp *ctx)
{
	if (ctx->reported || !kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE))
		return false;
	if (ctx->val[KMEDIA_SRTP_A_SUITE] == KMEDIA_SRTP_NONE)
		return true;
	return (ctx->present & KMD_SRTP_KEYS) == KMD_SRTP_KEYS;
}

/*
 * Put a nest of type with the context. Suite NONE travels alone (it
 * removes a context); otherwise SUITE, MASTER_KEY, MASTER_SALT and
 * whichever of MKI, KDR, SSRC, ROC and REPLAY_WINDOW are present.
 * SRTCP_INDEX is reported only and never sent.
 */
void kmd_srtp_put(struct nlmsghdr *nlh, uint16_t type,
		  const struct kmedia_srtp *ctx)
{
	static const uint16_t u32_attrs[] = {
		KMEDIA_SRTP_A_KDR, KMEDIA_SRTP_A_SSRC, KMEDIA_SRTP_A_ROC,
		KMEDIA_SRTP_A_REPLAY_WINDOW,
	};
	uint32_t suite = ctx->val[KMEDIA_SRTP_A_SUITE];
	struct nlattr *nest;
	size_t i;

	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u32(nlh, KMEDIA_SRTP_A_SUITE, suite);
	if (suite != KMEDIA_SRTP_NONE) {
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_KEY, ctx->key_len,
			     ctx->key);
		mnl_attr_put(nlh, KMEDIA_SRTP_A_MASTER_SALT, ctx->salt_len,
			     ctx->salt);
		if (kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI))
			mnl_attr_put(nlh, KMEDIA_SRTP_A_MKI, ctx->mki_len,
				     ctx->mki);
		for (i = 0; i < sizeof(u32_attrs) / sizeof(u32_attrs[0]); i++)
			if (kmedia_srtp_has(ctx, u32_attrs[i]))
				mnl_attr_put_u32(nlh, u32_attrs[i],
						 ctx->val[u32_attrs[i]]);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* Replies */

static int srtp_attr_cb(const struct nlattr *attr, void *data)
{
	struct kmedia_srtp *ctx = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len;

	switch (type) {
	case KMEDIA_SRTP_A_SUITE:
	case KMEDIA_SRTP_A_KDR:
	case KMEDIA_SRTP_A_SSRC:
	case KMEDIA_SRTP_A_ROC:
	case KMEDIA_SRTP_A_REPLAY_WINDOW:
	case KMEDIA_SRTP_A_SRTCP_INDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ctx->val[type] = mnl_attr_get_u32(attr);
		break;
	case KMEDIA_SRTP_A_MKI:
		len = mnl_attr_get_payload_len(attr);
		if (len < 1 || len > KMEDIA_SRTP_MKI_MAX)
			return MNL_CB_ERROR;
		memcpy(ctx->mki, mnl_attr_get_payload(attr), len);
		ctx->mki_len = len;
		break;
	default:
		/* Keys (never reported: not kept if they were), PAD, or
		 * newer than this library.
		 */
		return MNL_CB_OK;
	}
	ctx->present |= KMD_BIT(type);
	return MNL_CB_OK;
}

/*
 * Decode a context nest as the kernel reports it into *ctx, which is
 * wiped first and marked reported. -EBADMSG for a malformed nest or one
 * without SUITE.
 */
int kmd_srtp_parse(const struct nlattr *nest, struct kmedia_srtp *ctx)
{
	kmd_srtp_wipe(ctx);
	ctx->reported = true;
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -EBADMSG;
	if (mnl_attr_parse_nested(nest, srtp_attr_cb, ctx) != MNL_CB_OK)
		return -EBADMSG;
	if (!kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SUITE))
		return -EBADMSG;
	return 0;
}
