// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: SRTP and SRTCP contexts, from master key to freed transforms.
 *
 * Session keys are derived once from the master key (RFC 3711 4.3.1, key
 * derivation rate 0) when the context is created, so that the packet path
 * never allocates; they go straight into the crypto transforms (AES-f8's
 * into two expanded AES keys of our own) and every copy on the stack is
 * wiped. Master keys never leave the netlink handler. The last reference
 * may be dropped in softirq, so transforms are freed from a workqueue.
 */

#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/netlink.h>

#include "kmedia.h"
#include "srtp_internal.h"

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

static struct workqueue_struct *kmedia_srtp_wq;

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

int __init kmedia_srtp_key_init(void)
{
	kmedia_srtp_wq = alloc_workqueue("kmedia_srtp", WQ_UNBOUND, 0);
	return kmedia_srtp_wq ? 0 : -ENOMEM;
}

void kmedia_srtp_key_exit(void)
{
	/* Called after rcu_barrier(): every release has queued its work. */
	destroy_workqueue(kmedia_srtp_wq);
}
