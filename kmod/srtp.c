// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: SRTP and SRTCP (RFC 3711) for one direction of one stream.
 *
 * Session keys are derived once from the master key (key derivation rate
 * 0) when the context is created; the packet path then needs no allocation:
 * AES counter mode and HMAC-SHA1 run from requests on the stack, in place
 * in the (linearized, private) skb. Per-SSRC state follows RFC 3711: the
 * packet index is estimated from the highest index accepted (section 3.3.1,
 * appendix A), authenticated, checked against a replay window and only
 * then committed. Master keys never leave the netlink handler; session keys
 * live in the crypto transforms (AES-f8's in two expanded AES keys of our
 * own), which are wiped when freed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <crypto/skcipher.h>
#include <linux/bitmap.h>
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "kmedia.h"
#include "srtp.h"

enum kmedia_srtp_cipher {
	KMEDIA_CIPHER_NULL,
	KMEDIA_CIPHER_AES_CM,
	KMEDIA_CIPHER_AES_GCM,
	KMEDIA_CIPHER_AES_F8,
};

/**
 * struct kmedia_srtp_suite_info - what a protection profile needs
 * @cipher: enum kmedia_srtp_cipher
 * @key_len: master (and session) key length, bytes
 * @salt_len: master salt length, bytes
 * @rtp_tag: SRTP authentication tag length, bytes
 * @rtcp_tag: SRTCP authentication tag length, bytes (RFC 4568 6.2: the
 *	_32 profiles keep 80 bits for SRTCP)
 */
struct kmedia_srtp_suite_info {
	u8 cipher;
	u8 key_len;
	u8 salt_len;
	u8 rtp_tag;
	u8 rtcp_tag;
};

static const struct kmedia_srtp_suite_info kmedia_srtp_suites[] = {
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80] = { KMEDIA_CIPHER_AES_CM, 16, 14, 10, 10 },
	[KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32] = { KMEDIA_CIPHER_AES_CM, 16, 14, 4, 10 },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80] = { KMEDIA_CIPHER_AES_CM, 24, 14, 10, 10 },
	[KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32] = { KMEDIA_CIPHER_AES_CM, 24, 14, 4, 10 },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80] = { KMEDIA_CIPHER_AES_CM, 32, 14, 10, 10 },
	[KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32] = { KMEDIA_CIPHER_AES_CM, 32, 14, 4, 10 },
	[KMEDIA_SRTP_AEAD_AES_128_GCM] = { KMEDIA_CIPHER_AES_GCM, 16, 12, 16, 16 },
	[KMEDIA_SRTP_AEAD_AES_256_GCM] = { KMEDIA_CIPHER_AES_GCM, 32, 12, 16, 16 },
	[KMEDIA_SRTP_NULL_HMAC_SHA1_80] = { KMEDIA_CIPHER_NULL, 16, 14, 10, 10 },
	[KMEDIA_SRTP_NULL_HMAC_SHA1_32] = { KMEDIA_CIPHER_NULL, 16, 14, 4, 10 },
	[KMEDIA_SRTP_F8_128_HMAC_SHA1_80] = { KMEDIA_CIPHER_AES_F8, 16, 14, 10, 10 },
};

#define KMEDIA_RTP_HLEN		12
#define KMEDIA_RTCP_HLEN	8
#define KMEDIA_SRTCP_E_BIT	0x80000000U
#define KMEDIA_SRTCP_INDEX_MASK	0x7fffffffU
/* A burst: this many authentication failures before an event. */
#define KMEDIA_SRTP_FAIL_BURST	8

/* RFC 7714: 12-byte IVs and 16-byte tags. */
#define KMEDIA_GCM_IV_LEN	12
#define KMEDIA_GCM_TAG_LEN	16

static struct workqueue_struct *kmedia_srtp_wq;

static u32 kmedia_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void kmedia_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * One AEAD request per CPU, on the heap: the GCM template puts buffers of
 * its request context into scatterlists, which must not point at a (vmap)
 * stack. The packet path runs in softirq, so a CPU uses its buffer alone.
 */
#define KMEDIA_AEAD_SCRATCH	1024
static void **kmedia_aead_scratch;

/**
 * struct kmedia_srtp_f8 - AES-f8 (RFC 3711 4.1.2) of one context
 * @key: AES with the session key k_e, for the keystream blocks
 * @iv_key: AES with k_e XOR m, m = session salt || 0x55..., for IV'
 *
 * Expanded once at setup with lib/crypto's AES: f8 chains each block into
 * the next, which no template of the crypto API implements.
 */
struct kmedia_srtp_f8 {
	struct crypto_aes_ctx key;
	struct crypto_aes_ctx iv_key;
};

/*
 * The AES-CM PRF of RFC 3711 4.3.1 (and RFC 6188 for the longer keys) with
 * r = 0: x = master salt XOR (label at byte 7), keystream from IV = x * 2^16.
 */
int kmedia_srtp_kdf(const struct kmedia_srtp_params *p, u8 label, u8 *out,
		    unsigned int len)
{
	struct crypto_aes_ctx aes;
	u8 iv[AES_BLOCK_SIZE] = {}, block[AES_BLOCK_SIZE];
	unsigned int i, n;
	int err;

	err = aes_expandkey(&aes, p->master_key, p->key_len);
	if (err)
		return err;
	memcpy(iv, p->master_salt,
	       min_t(unsigned int, p->salt_len, KMEDIA_SRTP_SALT_LEN));
	iv[7] ^= label;
	for (i = 0; len; i++) {
		iv[14] = i >> 8;
		iv[15] = i;
		aes_encrypt(&aes, block, iv);
		n = min_t(unsigned int, len, AES_BLOCK_SIZE);
		memcpy(out, block, n);
		out += n;
		len -= n;
	}
	memzero_explicit(&aes, sizeof(aes));
	memzero_explicit(block, sizeof(block));
	return 0;
}

static void kmedia_srtp_free_work(struct work_struct *work)
{
	struct kmedia_srtp *ctx = container_of(work, struct kmedia_srtp, free_work);

	/* Freeing a transform wipes the session key it holds. */
	if (ctx->cipher)
		crypto_free_sync_skcipher(ctx->cipher);
	if (ctx->auth)
		crypto_free_shash(ctx->auth);
	if (ctx->aead)
		crypto_free_aead(ctx->aead);
	kfree_sensitive(ctx->f8);
	bitmap_free(ctx->replay);
	kfree_sensitive(ctx);
	atomic_dec(&kmedia_live_objects);
}

static void kmedia_srtp_release(struct kref *kref)
{
	struct kmedia_srtp *ctx = container_of(kref, struct kmedia_srtp, refcount);

	/* Last reference dropped after an RCU grace period, possibly in
	 * softirq context; transforms are freed from process context.
	 */
	queue_work(kmedia_srtp_wq, &ctx->free_work);
}

void kmedia_srtp_get(struct kmedia_srtp *ctx)
{
	kref_get(&ctx->refcount);
}

void kmedia_srtp_put(struct kmedia_srtp *ctx)
{
	if (ctx)
		kref_put(&ctx->refcount, kmedia_srtp_release);
}

static int kmedia_srtp_check(const struct kmedia_srtp_params *p,
			     const struct kmedia_srtp_suite_info *info,
			     struct netlink_ext_ack *extack)
{
	if (p->key_len != info->key_len) {
		NL_SET_ERR_MSG(extack, "srtp.master-key: wrong length for the suite");
		return -EINVAL;
	}
	if (p->salt_len != info->salt_len) {
		NL_SET_ERR_MSG(extack, "srtp.master-salt: wrong length for the suite");
		return -EINVAL;
	}
	return 0;
}

/**
 * kmedia_srtp_f8_setkey - expand the two AES keys of AES-f8
 * @f8: where
 * @key: the session key k_e
 * @key_len: its length
 * @salt: the session salt k_s
 * @salt_len: its length (at most @key_len)
 *
 * Return: 0 or -EINVAL.
 */
int kmedia_srtp_f8_setkey(struct kmedia_srtp_f8 *f8, const u8 *key,
			  unsigned int key_len, const u8 *salt,
			  unsigned int salt_len)
{
	u8 masked[KMEDIA_SRTP_MAX_KEY_LEN];
	unsigned int i;
	int err;

	if (key_len > sizeof(masked) || salt_len > key_len)
		return -EINVAL;
	for (i = 0; i < key_len; i++)
		masked[i] = key[i] ^ (i < salt_len ? salt[i] : 0x55);
	err = aes_expandkey(&f8->key, key, key_len);
	if (!err)
		err = aes_expandkey(&f8->iv_key, masked, key_len);
	memzero_explicit(masked, sizeof(masked));
	return err;
}

/**
 * kmedia_srtp_f8 - AES-f8 in place (encrypting and decrypting are one)
 * @f8: the keys
 * @iv: the packet's IV (RFC 3711 4.1.2.2 for SRTP, 4.1.2.3 for SRTCP)
 * @data: what to encrypt
 * @len: its length
 *
 * IV' = E(k_e XOR m, IV); block j of the keystream is S(j) = E(k_e, IV'
 * XOR j XOR S(j - 1)), S(-1) = 0.
 */
void kmedia_srtp_f8(const struct kmedia_srtp_f8 *f8,
		    const u8 iv[KMEDIA_SRTP_BLOCK_LEN], u8 *data,
		    unsigned int len)
{
	u8 ivp[AES_BLOCK_SIZE], s[AES_BLOCK_SIZE] = {};
	unsigned int i, n;
	u32 j;

	aes_encrypt(&f8->iv_key, ivp, iv);
	for (j = 0; len; j++) {
		for (i = 0; i < AES_BLOCK_SIZE; i++)
			s[i] ^= ivp[i];
		kmedia_put_be32(s + 12, kmedia_get_be32(s + 12) ^ j);
		aes_encrypt(&f8->key, s, s);
		n = min_t(unsigned int, len, AES_BLOCK_SIZE);
		crypto_xor(data, s, n);
		data += n;
		len -= n;
	}
	memzero_explicit(ivp, sizeof(ivp));
	memzero_explicit(s, sizeof(s));
}

static int kmedia_srtp_gcm_setup(struct kmedia_srtp *ctx,
				 const struct kmedia_srtp_keys *k)
{
	/* Synchronous implementations only: the packet path cannot wait. */
	ctx->aead = crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(ctx->aead)) {
		int err = PTR_ERR(ctx->aead);

		ctx->aead = NULL;
		return err;
	}
	if (sizeof(struct aead_request) + crypto_aead_reqsize(ctx->aead) >
	    KMEDIA_AEAD_SCRATCH)
		return -EOPNOTSUPP;
	return crypto_aead_setauthsize(ctx->aead, KMEDIA_GCM_TAG_LEN) ? :
	       crypto_aead_setkey(ctx->aead, k->enc, k->enc_len);
}

/* The transforms of a context, keyed with its session keys. */
static int kmedia_srtp_setup(struct kmedia_srtp *ctx, u8 cipher,
			     const struct kmedia_srtp_keys *k)
{
	int err;

	memcpy(ctx->salt, k->salt, sizeof(ctx->salt));
	if (cipher == KMEDIA_CIPHER_AES_GCM)
		return kmedia_srtp_gcm_setup(ctx, k);

	ctx->auth = crypto_alloc_shash("hmac(sha1)", 0, 0);
	if (IS_ERR(ctx->auth)) {
		err = PTR_ERR(ctx->auth);
		ctx->auth = NULL;
		return err;
	}
	err = crypto_shash_setkey(ctx->auth, k->auth, KMEDIA_SRTP_AUTH_KEY_LEN);
	if (err)
		return err;

	switch (cipher) {
	case KMEDIA_CIPHER_AES_CM:
		ctx->cipher = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
		if (IS_ERR(ctx->cipher)) {
			err = PTR_ERR(ctx->cipher);
			ctx->cipher = NULL;
			return err;
		}
		return crypto_sync_skcipher_setkey(ctx->cipher, k->enc,
						   k->enc_len);
	case KMEDIA_CIPHER_AES_F8:
		ctx->f8 = kmalloc(sizeof(*ctx->f8), GFP_KERNEL);
		if (!ctx->f8)
			return -ENOMEM;
		return kmedia_srtp_f8_setkey(ctx->f8, k->enc, k->enc_len,
					     k->salt, k->salt_len);
	}
	return 0;
}

/* RFC 3711 4.3.1: the session keys of SRTP, or of SRTCP if @rtcp. */
static int kmedia_srtp_derive(const struct kmedia_srtp_params *p,
			      const struct kmedia_srtp_suite_info *info,
			      bool rtcp, struct kmedia_srtp_keys *k)
{
	u8 label = rtcp ? KMEDIA_LABEL_RTCP_OFFSET : 0;

	/* RFC 7714 uses the same KDF; its 12-byte salts come out of it too. */
	k->enc_len = info->key_len;
	k->salt_len = info->salt_len;
	return kmedia_srtp_kdf(p, label + KMEDIA_LABEL_ENCRYPTION, k->enc,
			       k->enc_len) ? :
	       kmedia_srtp_kdf(p, label + KMEDIA_LABEL_AUTH, k->auth,
			       KMEDIA_SRTP_AUTH_KEY_LEN) ? :
	       kmedia_srtp_kdf(p, label + KMEDIA_LABEL_SALT, k->salt,
			       k->salt_len);
}

/**
 * kmedia_srtp_create_keyed - a context from session keys
 * @p: suite, MKI, SSRC, ROC and window (the master key is not used)
 * @rtcp: an SRTCP context
 * @k: the session keys
 *
 * kmedia_srtp_create() derives @k; the self-test brings published ones.
 *
 * Return: the context, or an ERR_PTR.
 */
struct kmedia_srtp *kmedia_srtp_create_keyed(const struct kmedia_srtp_params *p,
					     bool rtcp,
					     const struct kmedia_srtp_keys *k)
{
	const struct kmedia_srtp_suite_info *info;
	struct kmedia_srtp *ctx;
	int err;

	if (p->suite == KMEDIA_SRTP_NONE || p->suite > KMEDIA_SRTP_SUITE_MAX)
		return ERR_PTR(-EINVAL);
	info = &kmedia_srtp_suites[p->suite];
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	ctx->suite = p->suite;
	ctx->rtcp = rtcp;
	ctx->tag_len = rtcp ? info->rtcp_tag : info->rtp_tag;
	ctx->aead_mode = info->cipher == KMEDIA_CIPHER_AES_GCM;
	ctx->mki_len = p->mki_len;
	memcpy(ctx->mki, p->mki, p->mki_len);
	ctx->window = round_up(p->window, BITS_PER_LONG);
	ctx->cfg_has_ssrc = p->has_ssrc;
	ctx->cfg_ssrc = p->ssrc;
	ctx->cfg_roc = p->roc;
	spin_lock_init(&ctx->lock);
	kref_init(&ctx->refcount);
	INIT_WORK(&ctx->free_work, kmedia_srtp_free_work);
	atomic_inc(&kmedia_live_objects);

	ctx->replay = bitmap_zalloc(ctx->window, GFP_KERNEL);
	err = ctx->replay ? kmedia_srtp_setup(ctx, info->cipher, k) : -ENOMEM;
	if (err) {
		kmedia_srtp_free_work(&ctx->free_work);
		return ERR_PTR(err);
	}
	return ctx;
}

/**
 * kmedia_srtp_create - a context from netlink parameters
 * @p: the parameters; the caller wipes the master key and salt
 * @rtcp: the stream carries RTCP, so this is an SRTCP context
 * @extack: where to explain a refusal
 *
 * Return: the context, or an ERR_PTR.
 */
struct kmedia_srtp *kmedia_srtp_create(const struct kmedia_srtp_params *p,
				       bool rtcp,
				       struct netlink_ext_ack *extack)
{
	const struct kmedia_srtp_suite_info *info;
	struct kmedia_srtp_keys k;
	struct kmedia_srtp *ctx;
	int err;

	if (p->suite == KMEDIA_SRTP_NONE || p->suite > KMEDIA_SRTP_SUITE_MAX) {
		NL_SET_ERR_MSG(extack, "srtp.suite: unknown suite");
		return ERR_PTR(-EINVAL);
	}
	info = &kmedia_srtp_suites[p->suite];
	err = kmedia_srtp_check(p, info, extack);
	if (err)
		return ERR_PTR(err);

	err = kmedia_srtp_derive(p, info, rtcp, &k);
	ctx = err ? ERR_PTR(err) : kmedia_srtp_create_keyed(p, rtcp, &k);
	memzero_explicit(&k, sizeof(k));
	if (IS_ERR(ctx) && PTR_ERR(ctx) != -ENOMEM)
		NL_SET_ERR_MSG(extack, "srtp: cannot set up the crypto transforms");
	return ctx;
}

/* IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), RFC 3711 4.1.1 */
int kmedia_srtp_ctr(struct kmedia_srtp *ctx, u32 ssrc, u64 index, u8 *data,
		    unsigned int len)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, ctx->cipher);
	u8 iv[AES_BLOCK_SIZE];
	struct scatterlist sg;
	int i, err;

	if (!len)
		return 0;
	memcpy(iv, ctx->salt, KMEDIA_SRTP_SALT_LEN);
	iv[14] = 0;
	iv[15] = 0;
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= ssrc >> (24 - 8 * i);
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= index >> (40 - 8 * i);

	sg_init_one(&sg, data, len);
	skcipher_request_set_sync_tfm(req, ctx->cipher);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, len, iv);
	err = crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
	return err;
}

/* RFC 3711 4.1.2.2: IV = 0x00 || M || PT || SEQ || TS || SSRC || ROC */
void kmedia_srtp_f8_rtp_iv(const u8 *pkt, u32 roc,
			   u8 iv[KMEDIA_SRTP_BLOCK_LEN])
{
	iv[0] = 0;
	memcpy(iv + 1, pkt + 1, KMEDIA_RTP_HLEN - 1);
	kmedia_put_be32(iv + 12, roc);
}

/*
 * Encrypt or decrypt (one operation) the payload of the SRTP packet
 * @pkt, @hlen bytes of header then @len - @hlen bytes, in place.
 */
static int kmedia_srtp_crypt_rtp(struct kmedia_srtp *ctx, u8 *pkt,
				 unsigned int hlen, unsigned int len, u32 ssrc,
				 u64 index)
{
	u8 iv[AES_BLOCK_SIZE];

	if (ctx->f8) {
		kmedia_srtp_f8_rtp_iv(pkt, index >> 16, iv);
		kmedia_srtp_f8(ctx->f8, iv, pkt + hlen, len - hlen);
		return 0;
	}
	if (ctx->cipher)
		return kmedia_srtp_ctr(ctx, ssrc, index, pkt + hlen, len - hlen);
	return 0;
}

/*
 * The same for SRTCP, whose E || index word is @word (RFC 3711 4.1.2.3:
 * IV = 0 (32 bits) || E || SRTCP index || the first 8 bytes of @pkt).
 */
static int kmedia_srtcp_crypt(struct kmedia_srtp *ctx, u8 *pkt,
			      unsigned int len, u32 ssrc, u32 word)
{
	u8 iv[AES_BLOCK_SIZE];

	if (ctx->f8) {
		memset(iv, 0, 4);
		kmedia_put_be32(iv + 4, word);
		memcpy(iv + 8, pkt, KMEDIA_RTCP_HLEN);
		kmedia_srtp_f8(ctx->f8, iv, pkt + KMEDIA_RTCP_HLEN,
			       len - KMEDIA_RTCP_HLEN);
		return 0;
	}
	if (ctx->cipher)
		return kmedia_srtp_ctr(ctx, ssrc, word & KMEDIA_SRTCP_INDEX_MASK,
				       pkt + KMEDIA_RTCP_HLEN,
				       len - KMEDIA_RTCP_HLEN);
	return 0;
}

/* HMAC-SHA1 over data, then the 4 bytes of @roc if @with_roc (SRTP). */
static int kmedia_srtp_hmac(struct kmedia_srtp *ctx, const u8 *data,
			    unsigned int len, bool with_roc, u32 roc,
			    u8 out[SHA1_DIGEST_SIZE])
{
	SHASH_DESC_ON_STACK(desc, ctx->auth);
	__be32 roc_be = cpu_to_be32(roc);
	int err;

	desc->tfm = ctx->auth;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, data, len);
	if (!err && with_roc)
		err = crypto_shash_update(desc, (u8 *)&roc_be, sizeof(roc_be));
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static bool kmedia_srtp_tag_ok(struct kmedia_srtp *ctx, const u8 *data,
			       unsigned int len, bool with_roc, u32 roc,
			       const u8 *tag)
{
	u8 mac[SHA1_DIGEST_SIZE];
	bool ok;

	ok = !kmedia_srtp_hmac(ctx, data, len, with_roc, roc, mac) &&
	     !crypto_memneq(mac, tag, ctx->tag_len);
	memzero_explicit(mac, sizeof(mac));
	return ok;
}

static enum kmedia_srtp_err kmedia_srtp_tag_put(struct kmedia_srtp *ctx,
						const u8 *data, unsigned int len,
						bool with_roc, u32 roc, u8 *tag)
{
	u8 mac[SHA1_DIGEST_SIZE];
	int err;

	err = kmedia_srtp_hmac(ctx, data, len, with_roc, roc, mac);
	memcpy(tag, mac, ctx->tag_len);
	memzero_explicit(mac, sizeof(mac));
	return err ? KMEDIA_SRTP_ERR_PROTECT : KMEDIA_SRTP_OK;
}

/* RFC 3711 appendix A: the index closest to the highest one accepted. */
static u64 kmedia_srtp_estimate(u64 top, u16 seq)
{
	u32 roc = top >> 16;
	u16 s_l = top;
	u32 v = roc;

	if (s_l < 0x8000) {
		if (seq - s_l > 0x8000 && roc)
			v = roc - 1;
	} else if (s_l - 0x8000 > seq) {
		v = roc + 1;
	}
	return (u64)v << 16 | seq;
}

/* The ROC a sender starting (or switching to) @ssrc begins with. */
static u32 kmedia_srtp_initial_roc(const struct kmedia_srtp *ctx, u32 ssrc)
{
	if (!ctx->cfg_has_ssrc)
		return ctx->started ? 0 : ctx->cfg_roc;
	return ssrc == ctx->cfg_ssrc ? ctx->cfg_roc : 0;
}

/* Is @index a replay or too old? ctx->lock held, ctx tracking this SSRC. */
static bool kmedia_srtp_replayed(const struct kmedia_srtp *ctx, u64 index)
{
	u64 age;

	if (index > ctx->top)
		return false;
	age = ctx->top - index;
	return age >= ctx->window || test_bit(age, ctx->replay);
}

/* Accept @index for @ssrc; ctx->lock held. */
static void kmedia_srtp_commit(struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			       bool fresh)
{
	if (fresh) {
		ctx->started = true;
		ctx->ssrc = ssrc;
		ctx->top = index;
		bitmap_zero(ctx->replay, ctx->window);
	} else if (index > ctx->top) {
		u64 shift = index - ctx->top;

		if (shift >= ctx->window)
			bitmap_zero(ctx->replay, ctx->window);
		else
			bitmap_shift_left(ctx->replay, ctx->replay, shift,
					  ctx->window);
		ctx->top = index;
	}
	__set_bit(ctx->top - index, ctx->replay);
}

/*
 * Commit an authenticated index, unless another CPU accepted the same one
 * meanwhile. @fresh: the index was estimated without state for its sender
 * (for SRTP, per SSRC: @per_ssrc); a CPU may have created that state since.
 */
static bool kmedia_srtp_accept(struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			       bool fresh, bool per_ssrc)
{
	bool ok;

	spin_lock(&ctx->lock);
	if (fresh && ctx->started && (!per_ssrc || ctx->ssrc == ssrc))
		fresh = false;
	ok = fresh || !kmedia_srtp_replayed(ctx, index);
	if (ok)
		kmedia_srtp_commit(ctx, ssrc, index, fresh);
	spin_unlock(&ctx->lock);
	return ok;
}

/*
 * Make the whole datagram private and linear: it is decrypted or encrypted
 * in place, and hashed as one buffer.
 */
static int kmedia_srtp_writable(struct sk_buff *skb, unsigned int extra)
{
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	if (skb_tailroom(skb) < extra &&
	    pskb_expand_head(skb, 0, extra - skb_tailroom(skb), GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}

/* Length of the RTP header (fixed part, CSRCs, extension), or 0 if bad. */
static unsigned int kmedia_rtp_hlen(const u8 *pkt, unsigned int len)
{
	unsigned int hlen = KMEDIA_RTP_HLEN + 4 * (pkt[0] & 0x0f);

	if (hlen > len)
		return 0;
	if (pkt[0] & 0x10) {
		if (hlen + 4 > len)
			return 0;
		hlen += 4 + 4 * ((pkt[hlen + 2] << 8) | pkt[hlen + 3]);
		if (hlen > len)
			return 0;
	}
	return hlen;
}

/*
 * RFC 7714 8.1 and 9.1: 0x0000, SSRC, then 48 bits of @index (SRTP: ROC and
 * SEQ; SRTCP: 16 zero bits and the SRTCP index), XORed with the salt.
 */
static void kmedia_gcm_iv(const struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			  u8 iv[KMEDIA_GCM_IV_LEN])
{
	int i;

	iv[0] = 0;
	iv[1] = 0;
	kmedia_put_be32(iv + 2, ssrc);
	for (i = 0; i < 6; i++)
		iv[6 + i] = index >> (40 - 8 * i);
	for (i = 0; i < KMEDIA_GCM_IV_LEN; i++)
		iv[i] ^= ctx->salt[i];
}

/*
 * AES-GCM in place over buf: @assoclen bytes of associated data, then
 * @cryptlen bytes (decrypting: ciphertext and tag; encrypting: plaintext,
 * with room after it for the tag).
 */
static int kmedia_srtp_gcm(struct kmedia_srtp *ctx,
			   const u8 iv[KMEDIA_GCM_IV_LEN], u8 *buf,
			   unsigned int assoclen, unsigned int cryptlen,
			   bool encrypt)
{
	struct aead_request *req = kmedia_aead_scratch[smp_processor_id()];
	struct scatterlist sg;

	sg_init_one(&sg, buf, assoclen + cryptlen +
		    (encrypt ? KMEDIA_GCM_TAG_LEN : 0));
	aead_request_set_tfm(req, ctx->aead);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, assoclen);
	aead_request_set_crypt(req, &sg, &sg, cryptlen, (u8 *)iv);
	return encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
}

static enum kmedia_srtp_err kmedia_srtp_unprotect_rtp(struct kmedia_srtp *ctx,
						      struct sk_buff *skb,
						      u8 *pkt, unsigned int len)
{
	unsigned int trailer = ctx->mki_len + ctx->tag_len;
	unsigned int hlen, plen, mki_at;
	u8 iv[KMEDIA_GCM_IV_LEN];
	u32 ssrc, roc;
	bool fresh;
	u64 index;

	if (len < KMEDIA_RTP_HLEN + trailer)
		return KMEDIA_SRTP_ERR_SHORT;
	/* RFC 3711: payload, MKI, tag; RFC 7714: payload and tag, MKI. */
	plen = len - trailer;
	mki_at = ctx->aead_mode ? len - ctx->mki_len : plen;
	hlen = kmedia_rtp_hlen(pkt, plen);
	if (!hlen)
		return KMEDIA_SRTP_ERR_SHORT;
	if (ctx->mki_len && memcmp(pkt + mki_at, ctx->mki, ctx->mki_len))
		return KMEDIA_SRTP_ERR_MKI;
	ssrc = kmedia_get_be32(pkt + 8);

	spin_lock(&ctx->lock);
	fresh = !ctx->started || ctx->ssrc != ssrc;
	if (fresh) {
		index = (u64)kmedia_srtp_initial_roc(ctx, ssrc) << 16 |
			((pkt[2] << 8) | pkt[3]);
	} else {
		index = kmedia_srtp_estimate(ctx->top, (pkt[2] << 8) | pkt[3]);
		if (kmedia_srtp_replayed(ctx, index)) {
			spin_unlock(&ctx->lock);
			return KMEDIA_SRTP_ERR_REPLAY;
		}
	}
	spin_unlock(&ctx->lock);

	roc = index >> 16;
	if (ctx->aead_mode) {
		kmedia_gcm_iv(ctx, ssrc, index, iv);
		if (kmedia_srtp_gcm(ctx, iv, pkt, hlen,
				    plen - hlen + ctx->tag_len, false))
			return KMEDIA_SRTP_ERR_AUTH;
	} else {
		if (!kmedia_srtp_tag_ok(ctx, pkt, plen, true, roc,
					pkt + plen + ctx->mki_len))
			return KMEDIA_SRTP_ERR_AUTH;
		if (kmedia_srtp_crypt_rtp(ctx, pkt, hlen, plen, ssrc, index))
			return KMEDIA_SRTP_ERR_AUTH;
	}

	if (!kmedia_srtp_accept(ctx, ssrc, index, fresh, true))
		return KMEDIA_SRTP_ERR_REPLAY;

	skb_trim(skb, skb->len - trailer);
	return KMEDIA_SRTP_OK;
}

/*
 * RFC 7714 9: the associated data of an SRTCP packet is its header and its
 * E|index word, which the packet carries apart. Move the ciphertext (and
 * tag) up by four bytes to put the word behind the header, run GCM, and
 * move the result back to where RTCP expects it.
 */
static int kmedia_srtcp_gcm(struct kmedia_srtp *ctx, u8 *pkt, u32 ssrc,
			    u32 index, u32 word, unsigned int len, bool encrypt)
{
	u8 iv[KMEDIA_GCM_IV_LEN];
	int err;

	memmove(pkt + KMEDIA_RTCP_HLEN + 4, pkt + KMEDIA_RTCP_HLEN, len);
	kmedia_put_be32(pkt + KMEDIA_RTCP_HLEN, word);
	kmedia_gcm_iv(ctx, ssrc, index, iv);
	err = kmedia_srtp_gcm(ctx, iv, pkt, KMEDIA_RTCP_HLEN + 4, len, encrypt);
	memmove(pkt + KMEDIA_RTCP_HLEN, pkt + KMEDIA_RTCP_HLEN + 4,
		encrypt ? len + KMEDIA_GCM_TAG_LEN : len - KMEDIA_GCM_TAG_LEN);
	return err;
}

static enum kmedia_srtp_err kmedia_srtp_unprotect_rtcp(struct kmedia_srtp *ctx,
						       struct sk_buff *skb,
						       u8 *pkt, unsigned int len)
{
	unsigned int trailer = 4 + ctx->mki_len + ctx->tag_len;
	unsigned int word_at, mki_at;
	u32 ssrc, word;
	u64 index;
	bool fresh;

	if (len < KMEDIA_RTCP_HLEN + trailer)
		return KMEDIA_SRTP_ERR_SHORT;
	/* RFC 3711: E|index, MKI, tag; RFC 7714: tag, E|index, MKI. */
	if (ctx->aead_mode) {
		mki_at = len - ctx->mki_len;
		word_at = mki_at - 4;
	} else {
		word_at = len - ctx->tag_len - ctx->mki_len - 4;
		mki_at = word_at + 4;
	}
	if (ctx->mki_len && memcmp(pkt + mki_at, ctx->mki, ctx->mki_len))
		return KMEDIA_SRTP_ERR_MKI;
	word = kmedia_get_be32(pkt + word_at);
	index = word & KMEDIA_SRTCP_INDEX_MASK;
	ssrc = kmedia_get_be32(pkt + 4);

	spin_lock(&ctx->lock);
	fresh = !ctx->started;
	if (!fresh && kmedia_srtp_replayed(ctx, index)) {
		spin_unlock(&ctx->lock);
		return KMEDIA_SRTP_ERR_REPLAY;
	}
	spin_unlock(&ctx->lock);

	if (ctx->aead_mode) {
		/* Unencrypted SRTCP (E = 0) under GCM is not supported. */
		if (!(word & KMEDIA_SRTCP_E_BIT) ||
		    kmedia_srtcp_gcm(ctx, pkt, ssrc, index, word,
				     word_at - KMEDIA_RTCP_HLEN, false))
			return KMEDIA_SRTP_ERR_AUTH;
	} else {
		if (!kmedia_srtp_tag_ok(ctx, pkt, word_at + 4, false, 0,
					pkt + mki_at + ctx->mki_len))
			return KMEDIA_SRTP_ERR_AUTH;
		if ((word & KMEDIA_SRTCP_E_BIT) &&
		    kmedia_srtcp_crypt(ctx, pkt, word_at, ssrc, word))
			return KMEDIA_SRTP_ERR_AUTH;
	}

	if (!kmedia_srtp_accept(ctx, ssrc, index, fresh, false))
		return KMEDIA_SRTP_ERR_REPLAY;

	skb_trim(skb, skb->len - trailer);
	return KMEDIA_SRTP_OK;
}

/**
 * kmedia_srtp_unprotect - authenticate, replay-check and decrypt in place
 * @ctx: the stream's inbound context
 * @skb: the datagram; on success its tail (MKI, tag, SRTCP index) is gone
 * @offset: where the SRTP/SRTCP packet starts in the skb's data
 *
 * Return: KMEDIA_SRTP_OK or why the packet must be dropped.
 */
enum kmedia_srtp_err kmedia_srtp_unprotect(struct kmedia_srtp *ctx,
					   struct sk_buff *skb,
					   unsigned int offset)
{
	if (kmedia_srtp_writable(skb, 0))
		return KMEDIA_SRTP_ERR_SHORT;
	if (ctx->rtcp)
		return kmedia_srtp_unprotect_rtcp(ctx, skb, skb->data + offset,
						  skb->len - offset);
	return kmedia_srtp_unprotect_rtp(ctx, skb, skb->data + offset,
					 skb->len - offset);
}

static enum kmedia_srtp_err kmedia_srtp_protect_rtp(struct kmedia_srtp *ctx,
						    struct sk_buff *skb,
						    unsigned int offset)
{
	unsigned int len = skb->len - offset;
	unsigned int hlen;
	u8 *pkt, *tail;
	u32 ssrc;
	u64 index;
	u16 seq;

	pkt = skb->data + offset;
	hlen = kmedia_rtp_hlen(pkt, len);
	if (!hlen)
		return KMEDIA_SRTP_ERR_PROTECT;
	ssrc = kmedia_get_be32(pkt + 8);
	seq = (pkt[2] << 8) | pkt[3];

	spin_lock(&ctx->lock);
	if (!ctx->started || ctx->ssrc != ssrc) {
		index = (u64)kmedia_srtp_initial_roc(ctx, ssrc) << 16 | seq;
		ctx->started = true;
		ctx->ssrc = ssrc;
		ctx->top = index;
	} else {
		index = kmedia_srtp_estimate(ctx->top, seq);
		if (index > ctx->top)
			ctx->top = index;
	}
	spin_unlock(&ctx->lock);

	tail = skb_put(skb, ctx->mki_len + ctx->tag_len);
	if (ctx->aead_mode) {
		u8 iv[KMEDIA_GCM_IV_LEN];

		kmedia_gcm_iv(ctx, ssrc, index, iv);
		if (kmedia_srtp_gcm(ctx, iv, pkt, hlen, len - hlen, true))
			return KMEDIA_SRTP_ERR_PROTECT;
		memcpy(tail + ctx->tag_len, ctx->mki, ctx->mki_len);
		return KMEDIA_SRTP_OK;
	}
	if (kmedia_srtp_crypt_rtp(ctx, pkt, hlen, len, ssrc, index))
		return KMEDIA_SRTP_ERR_PROTECT;
	memcpy(tail, ctx->mki, ctx->mki_len);
	return kmedia_srtp_tag_put(ctx, pkt, len, true, index >> 16,
				   tail + ctx->mki_len);
}

static enum kmedia_srtp_err kmedia_srtp_protect_rtcp(struct kmedia_srtp *ctx,
						     struct sk_buff *skb,
						     unsigned int offset)
{
	unsigned int len = skb->len - offset;
	u8 *pkt, *tail;
	u32 ssrc, word;
	u64 index;

	if (len < KMEDIA_RTCP_HLEN)
		return KMEDIA_SRTP_ERR_PROTECT;
	pkt = skb->data + offset;
	ssrc = kmedia_get_be32(pkt + 4);

	/* The SRTCP index counts packets sent, from 0 (RFC 3711 3.4). */
	spin_lock(&ctx->lock);
	index = ctx->started ? (ctx->top + 1) & KMEDIA_SRTCP_INDEX_MASK : 0;
	ctx->started = true;
	ctx->top = index;
	spin_unlock(&ctx->lock);

	if (ctx->aead_mode) {
		word = index | KMEDIA_SRTCP_E_BIT;
		tail = skb_put(skb, ctx->tag_len + 4 + ctx->mki_len);
		if (kmedia_srtcp_gcm(ctx, pkt, ssrc, index, word,
				     len - KMEDIA_RTCP_HLEN, true))
			return KMEDIA_SRTP_ERR_PROTECT;
		kmedia_put_be32(tail + ctx->tag_len, word);
		memcpy(tail + ctx->tag_len + 4, ctx->mki, ctx->mki_len);
		return KMEDIA_SRTP_OK;
	}
	/* E is set unless the cipher is NULL */
	word = index | (ctx->cipher || ctx->f8 ? KMEDIA_SRTCP_E_BIT : 0);
	if (kmedia_srtcp_crypt(ctx, pkt, len, ssrc, word))
		return KMEDIA_SRTP_ERR_PROTECT;
	tail = skb_put(skb, 4 + ctx->mki_len + ctx->tag_len);
	kmedia_put_be32(tail, word);
	memcpy(tail + 4, ctx->mki, ctx->mki_len);
	return kmedia_srtp_tag_put(ctx, pkt, len + 4, false, 0,
				   tail + 4 + ctx->mki_len);
}

/**
 * kmedia_srtp_protect - encrypt and authenticate in place
 * @ctx: the stream's outbound context
 * @skb: the datagram; on success it grows by the SRTP/SRTCP trailer
 * @offset: where the RTP/RTCP packet starts in the skb's data
 *
 * Return: KMEDIA_SRTP_OK or KMEDIA_SRTP_ERR_PROTECT.
 */
enum kmedia_srtp_err kmedia_srtp_protect(struct kmedia_srtp *ctx,
					 struct sk_buff *skb,
					 unsigned int offset)
{
	unsigned int extra = ctx->mki_len + ctx->tag_len + (ctx->rtcp ? 4 : 0);

	if (kmedia_srtp_writable(skb, extra))
		return KMEDIA_SRTP_ERR_PROTECT;
	if (ctx->rtcp)
		return kmedia_srtp_protect_rtcp(ctx, skb, offset);
	return kmedia_srtp_protect_rtp(ctx, skb, offset);
}

/**
 * kmedia_srtp_fail_burst - account an authentication failure
 * @ctx: the inbound context
 * @count: failures in the burst, when this returns true
 *
 * Return: true when the failures since the last report make a burst and
 * the last report is at least a second old: time to raise an event.
 */
bool kmedia_srtp_fail_burst(struct kmedia_srtp *ctx, u32 *count)
{
	bool burst = false;

	if (atomic_inc_return(&ctx->fail_count) < KMEDIA_SRTP_FAIL_BURST ||
	    time_before(jiffies, READ_ONCE(ctx->fail_next)))
		return false;
	spin_lock(&ctx->lock);
	if (!time_before(jiffies, ctx->fail_next)) {
		WRITE_ONCE(ctx->fail_next, jiffies + HZ);
		*count = atomic_xchg(&ctx->fail_count, 0);
		burst = true;
	}
	spin_unlock(&ctx->lock);
	return burst;
}

/* What netlink reports: the current sender and where its index stands. */
void kmedia_srtp_state(struct kmedia_srtp *ctx, u32 *ssrc, u32 *roc,
		       u32 *index, bool *started)
{
	spin_lock_bh(&ctx->lock);
	*started = ctx->started;
	*ssrc = ctx->started ? ctx->ssrc : ctx->cfg_ssrc;
	*roc = ctx->started ? ctx->top >> 16 : ctx->cfg_roc;
	*index = ctx->top;
	spin_unlock_bh(&ctx->lock);
}

static void kmedia_srtp_scratch_free(void)
{
	unsigned int cpu;

	if (!kmedia_aead_scratch)
		return;
	for_each_possible_cpu(cpu)
		kfree_sensitive(kmedia_aead_scratch[cpu]);
	kfree(kmedia_aead_scratch);
	kmedia_aead_scratch = NULL;
}

int __init kmedia_srtp_init(void)
{
	unsigned int cpu;

	kmedia_aead_scratch = kcalloc(nr_cpu_ids, sizeof(void *), GFP_KERNEL);
	if (!kmedia_aead_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		kmedia_aead_scratch[cpu] = kzalloc_node(KMEDIA_AEAD_SCRATCH,
							GFP_KERNEL,
							cpu_to_node(cpu));
		if (!kmedia_aead_scratch[cpu])
			goto err;
	}
	kmedia_srtp_wq = alloc_workqueue("kmedia_srtp", WQ_UNBOUND, 0);
	if (kmedia_srtp_wq)
		return 0;
err:
	kmedia_srtp_scratch_free();
	return -ENOMEM;
}

void kmedia_srtp_exit(void)
{
	/* Called after rcu_barrier(): every release has queued its work. */
	destroy_workqueue(kmedia_srtp_wq);
	kmedia_srtp_scratch_free();
}
