// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the SRTP ciphers and authentication, each in place on one packet.
 *
 * AES counter mode and HMAC-SHA1 run from requests on the stack; AES-f8
 * runs on lib/crypto's AES, since no crypto API template chains blocks as
 * it does; AES-GCM (RFC 7714) runs from a per-CPU request on the heap.
 * Nothing here allocates or sleeps: these run in softirq for every packet.
 * The IV of each mode is built here too, from the packet and its index,
 * which srtp_replay.c has estimated.
 */

#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha1.h>
#include <crypto/skcipher.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "srtp_internal.h"

/*
 * One AEAD request per CPU, on the heap: the GCM template puts buffers of
 * its request context into scatterlists, which must not point at a (vmap)
 * stack. The packet path runs in softirq, so a CPU uses its buffer alone.
 */
static void **kmedia_aead_scratch;

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
int kmedia_srtp_crypt_rtp(struct kmedia_srtp *ctx, u8 *pkt,
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
int kmedia_srtcp_crypt(struct kmedia_srtp *ctx, u8 *pkt, unsigned int len,
		       u32 ssrc, u32 word)
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
	/* finup: the last part and the result in one call into the hash */
	if (!with_roc) {
		err = crypto_shash_digest(desc, data, len, out);
	} else {
		err = crypto_shash_init(desc);
		if (!err)
			err = crypto_shash_update(desc, data, len);
		if (!err)
			err = crypto_shash_finup(desc, (u8 *)&roc_be,
						 sizeof(roc_be), out);
	}
	shash_desc_zero(desc);
	return err;
}

bool kmedia_srtp_tag_ok(struct kmedia_srtp *ctx, const u8 *data,
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

enum kmedia_srtp_err kmedia_srtp_tag_put(struct kmedia_srtp *ctx,
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

/*
 * AES-GCM of the SRTP packet @pkt: its @assoclen bytes of header are the
 * associated data, then @cryptlen bytes (see kmedia_srtp_gcm()).
 */
int kmedia_srtp_gcm_rtp(struct kmedia_srtp *ctx, u8 *pkt, u32 ssrc,
			u64 index, unsigned int assoclen,
			unsigned int cryptlen, bool encrypt)
{
	u8 iv[KMEDIA_GCM_IV_LEN];

	kmedia_gcm_iv(ctx, ssrc, index, iv);
	return kmedia_srtp_gcm(ctx, iv, pkt, assoclen, cryptlen, encrypt);
}

/*
 * RFC 7714 9: the associated data of an SRTCP packet is its header and its
 * E|index word, which the packet carries apart. Move the ciphertext (and
 * tag) up by four bytes to put the word behind the header, run GCM, and
 * move the result back to where RTCP expects it.
 */
int kmedia_srtcp_gcm(struct kmedia_srtp *ctx, u8 *pkt, u32 ssrc, u32 index,
		     u32 word, unsigned int len, bool encrypt)
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

void kmedia_srtp_scratch_free(void)
{
	unsigned int cpu;

	if (!kmedia_aead_scratch)
		return;
	for_each_possible_cpu(cpu)
		kfree_sensitive(kmedia_aead_scratch[cpu]);
	kfree(kmedia_aead_scratch);
	kmedia_aead_scratch = NULL;
}

int __init kmedia_srtp_scratch_init(void)
{
	unsigned int cpu;

	kmedia_aead_scratch = kcalloc(nr_cpu_ids, sizeof(void *), GFP_KERNEL);
	if (!kmedia_aead_scratch)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		kmedia_aead_scratch[cpu] = kzalloc_node(KMEDIA_AEAD_SCRATCH,
							GFP_KERNEL,
							cpu_to_node(cpu));
		if (!kmedia_aead_scratch[cpu]) {
			kmedia_srtp_scratch_free();
			return -ENOMEM;
		}
	}
	return 0;
}
