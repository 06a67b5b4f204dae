// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: SRTP known-answer tests, run at load with selftest=1.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/skcipher.h>
#include <linux/bottom_half.h>
#include <linux/err.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "srtp.h"
#include "srtp_kat.h"

/* Wide enough for every packet of srtp_kat.h, trailer included. */
#define KMEDIA_KAT_BUF	128

static bool __init kmedia_srtp_selftest_kdf(void)
{
	struct kmedia_srtp_params p = { .key_len = 16, .salt_len = 14 };
	u8 out[20];

	memcpy(p.master_key, kmedia_kat_master_key, 16);
	memcpy(p.master_salt, kmedia_kat_master_salt, 14);
	return !kmedia_srtp_kdf(&p, KMEDIA_LABEL_ENCRYPTION, out, 16) &&
	       !memcmp(out, kmedia_kat_cipher_key, 16) &&
	       !kmedia_srtp_kdf(&p, KMEDIA_LABEL_SALT, out, 14) &&
	       !memcmp(out, kmedia_kat_cipher_salt, 14) &&
	       !kmedia_srtp_kdf(&p, KMEDIA_LABEL_AUTH, out, 20) &&
	       !memcmp(out, kmedia_kat_auth_key, 20);
}

static bool __init kmedia_srtp_selftest_cm(void)
{
	struct kmedia_srtp ctx = {};
	u8 buf[48] = {};
	bool ok;

	ctx.cipher = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(ctx.cipher))
		return false;
	memcpy(ctx.salt, kmedia_kat_cm_salt, sizeof(ctx.salt));
	ok = !crypto_sync_skcipher_setkey(ctx.cipher, kmedia_kat_cm_key, 16) &&
	     !kmedia_srtp_ctr(&ctx, 0, 0, buf, sizeof(buf)) &&
	     !memcmp(buf, kmedia_kat_cm_keystream, sizeof(buf));
	crypto_free_sync_skcipher(ctx.cipher);
	return ok;
}

/*
 * RFC 3711 B.1 through the SRTP path: a context with the published key
 * and (32-bit) salt and the ROC configured, protecting the plaintext
 * packet must encrypt it into the published one (the tag B.1 lacks is
 * then checked by unprotecting the result).
 */
static bool __init kmedia_srtp_selftest_f8(void)
{
	struct kmedia_srtp_params p = {
		.suite = KMEDIA_SRTP_F8_128_HMAC_SHA1_80, .window = 64,
		.has_ssrc = true, .roc = KMEDIA_KAT_F8_ROC,
	};
	struct kmedia_srtp_keys k = {
		.enc_len = 16, .salt_len = sizeof(kmedia_kat_f8_salt),
	};
	const unsigned int len = sizeof(kmedia_kat_f8_rtp);
	struct kmedia_srtp *tx, *rx;
	u8 iv[KMEDIA_SRTP_BLOCK_LEN];
	struct sk_buff *skb;
	bool ok;

	kmedia_srtp_f8_rtp_iv(kmedia_kat_f8_rtp, KMEDIA_KAT_F8_ROC, iv);
	if (memcmp(iv, kmedia_kat_f8_iv, sizeof(iv)))
		return false;
	memcpy(k.enc, kmedia_kat_f8_key, 16);
	memcpy(k.salt, kmedia_kat_f8_salt, sizeof(kmedia_kat_f8_salt));
	memset(k.auth, 0xa5, sizeof(k.auth));
	p.ssrc = (u32)kmedia_kat_f8_rtp[8] << 24 | kmedia_kat_f8_rtp[9] << 16 |
		 kmedia_kat_f8_rtp[10] << 8 | kmedia_kat_f8_rtp[11];
	tx = kmedia_srtp_create_keyed(&p, false, &k);
	rx = kmedia_srtp_create_keyed(&p, false, &k);
	skb = alloc_skb(KMEDIA_KAT_BUF, GFP_KERNEL);
	ok = !IS_ERR(tx) && !IS_ERR(rx) && skb;
	if (ok) {
		skb_put_data(skb, kmedia_kat_f8_rtp, len);
		/* as on the packet path, in softirq context */
		local_bh_disable();
		ok = kmedia_srtp_protect(tx, skb, 0) == KMEDIA_SRTP_OK &&
		     skb->len == len + 10 &&
		     !memcmp(skb->data, kmedia_kat_f8_srtp, len) &&
		     kmedia_srtp_unprotect(rx, skb, 0) == KMEDIA_SRTP_OK &&
		     skb->len == len &&
		     !memcmp(skb->data, kmedia_kat_f8_rtp, len);
		local_bh_enable();
	}
	kfree_skb(skb);
	if (!IS_ERR(tx))
		kmedia_srtp_put(tx);
	if (!IS_ERR(rx))
		kmedia_srtp_put(rx);
	return ok;
}

/*
 * One RFC 7714 vector through the packet path, both ways: a context with
 * the published session key and salt unprotects @prot into @plain, and
 * another protects @plain into @prot (SRTCP: as its packet @index).
 */
static bool __init kmedia_srtp_selftest_gcm1(u8 suite, unsigned int key_len,
					     bool rtcp, const u8 *plain,
					     unsigned int plain_len,
					     const u8 *prot,
					     unsigned int prot_len)
{
	struct kmedia_srtp_params p = { .suite = suite, .window = 64 };
	struct kmedia_srtp_keys k = { .enc_len = key_len, .salt_len = 12 };
	struct kmedia_srtp *tx, *rx;
	struct sk_buff *skb;
	bool ok;

	memcpy(k.enc, kmedia_kat_gcm_key, key_len);
	memcpy(k.salt, kmedia_kat_gcm_salt, sizeof(kmedia_kat_gcm_salt));
	tx = kmedia_srtp_create_keyed(&p, rtcp, &k);
	rx = kmedia_srtp_create_keyed(&p, rtcp, &k);
	skb = alloc_skb(KMEDIA_KAT_BUF, GFP_KERNEL);
	ok = !IS_ERR(tx) && !IS_ERR(rx) && skb;
	if (ok) {
		/* the next SRTCP packet tx sends has the published index */
		tx->started = rtcp;
		tx->top = rtcp ? KMEDIA_KAT_GCM_SRTCP_INDEX - 1 : 0;
		skb_put_data(skb, prot, prot_len);
		local_bh_disable();
		ok = kmedia_srtp_unprotect(rx, skb, 0) == KMEDIA_SRTP_OK &&
		     skb->len == plain_len &&
		     !memcmp(skb->data, plain, plain_len) &&
		     kmedia_srtp_protect(tx, skb, 0) == KMEDIA_SRTP_OK &&
		     skb->len == prot_len && !memcmp(skb->data, prot, prot_len);
		local_bh_enable();
	}
	kfree_skb(skb);
	if (!IS_ERR(tx))
		kmedia_srtp_put(tx);
	if (!IS_ERR(rx))
		kmedia_srtp_put(rx);
	return ok;
}

static bool __init kmedia_srtp_selftest_gcm(void)
{
	return kmedia_srtp_selftest_gcm1(KMEDIA_SRTP_AEAD_AES_128_GCM, 16,
					 false, kmedia_kat_gcm_rtp,
					 sizeof(kmedia_kat_gcm_rtp),
					 kmedia_kat_gcm128_srtp,
					 sizeof(kmedia_kat_gcm128_srtp)) &&
	       kmedia_srtp_selftest_gcm1(KMEDIA_SRTP_AEAD_AES_256_GCM, 32,
					 false, kmedia_kat_gcm_rtp,
					 sizeof(kmedia_kat_gcm_rtp),
					 kmedia_kat_gcm256_srtp,
					 sizeof(kmedia_kat_gcm256_srtp)) &&
	       kmedia_srtp_selftest_gcm1(KMEDIA_SRTP_AEAD_AES_128_GCM, 16,
					 true, kmedia_kat_gcm_rtcp,
					 sizeof(kmedia_kat_gcm_rtcp),
					 kmedia_kat_gcm128_srtcp,
					 sizeof(kmedia_kat_gcm128_srtcp)) &&
	       kmedia_srtp_selftest_gcm1(KMEDIA_SRTP_AEAD_AES_256_GCM, 32,
					 true, kmedia_kat_gcm_rtcp,
					 sizeof(kmedia_kat_gcm_rtcp),
					 kmedia_kat_gcm256_srtcp,
					 sizeof(kmedia_kat_gcm256_srtcp));
}

/**
 * kmedia_srtp_selftest - run the known-answer tests
 *
 * Return: 0 when they pass, -EINVAL (logged) when one fails.
 */
int __init kmedia_srtp_selftest(void)
{
	static const struct {
		bool (*run)(void);
		const char *what;
	} tests[] = {
		{ kmedia_srtp_selftest_kdf, "RFC 3711 B.3 key derivation" },
		{ kmedia_srtp_selftest_cm, "RFC 3711 B.2 AES-CM keystream" },
		{ kmedia_srtp_selftest_f8, "RFC 3711 B.1 AES-f8 SRTP" },
		{ kmedia_srtp_selftest_gcm,
		  "RFC 7714 16-17 AEAD_AES_128/256_GCM SRTP and SRTCP" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!tests[i].run()) {
			pr_err("srtp self-test: %s: FAIL\n", tests[i].what);
			return -EINVAL;
		}
	}
	pr_info("srtp self-tests: pass (%u known-answer groups)\n", i);
	return 0;
}
