/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: what the SRTP files share among themselves and nobody else needs.
 *
 * SRTP is split by concern: srtp_key.c derives session keys and builds and
 * frees contexts, srtp_cipher.c holds the ciphers and the authentication
 * tag, srtp_replay.c the per-SSRC index state and the replay window, and
 * srtp.c the packet transforms that use them. The rest of the module sees
 * srtp.h only. The byte helpers are inline here because every packet uses
 * them from several of these files.
 */
#ifndef _KMEDIA_SRTP_INTERNAL_H
#define _KMEDIA_SRTP_INTERNAL_H

#include <crypto/aes.h>
#include <linux/types.h>

#include "srtp.h"

#define KMEDIA_RTP_HLEN		12
#define KMEDIA_RTCP_HLEN	8
#define KMEDIA_SRTCP_E_BIT	0x80000000U
#define KMEDIA_SRTCP_INDEX_MASK	0x7fffffffU

/* RFC 7714: 12-byte IVs and 16-byte tags. */
#define KMEDIA_GCM_IV_LEN	12
#define KMEDIA_GCM_TAG_LEN	16

/*
 * Size of the per-CPU AEAD request (srtp_cipher.c); a GCM implementation
 * whose request does not fit is refused at setup (srtp_key.c).
 */
#define KMEDIA_AEAD_SCRATCH	1024

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

static inline u32 kmedia_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline void kmedia_put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* srtp_key.c */
int kmedia_srtp_key_init(void);
void kmedia_srtp_key_exit(void);

/* srtp_cipher.c */
int kmedia_srtp_crypt_rtp(struct kmedia_srtp *ctx, u8 *pkt,
			  unsigned int hlen, unsigned int len, u32 ssrc,
			  u64 index);
int kmedia_srtcp_crypt(struct kmedia_srtp *ctx, u8 *pkt, unsigned int len,
		       u32 ssrc, u32 word);
int kmedia_srtp_gcm_rtp(struct kmedia_srtp *ctx, u8 *pkt, u32 ssrc,
			u64 index, unsigned int assoclen,
			unsigned int cryptlen, bool encrypt);
int kmedia_srtcp_gcm(struct kmedia_srtp *ctx, u8 *pkt, u32 ssrc, u32 index,
		     u32 word, unsigned int len, bool encrypt);
bool kmedia_srtp_tag_ok(struct kmedia_srtp *ctx, const u8 *data,
			unsigned int len, bool with_roc, u32 roc,
			const u8 *tag);
enum kmedia_srtp_err kmedia_srtp_tag_put(struct kmedia_srtp *ctx,
					 const u8 *data, unsigned int len,
					 bool with_roc, u32 roc, u8 *tag);
int kmedia_srtp_scratch_init(void);
void kmedia_srtp_scratch_free(void);

/* srtp_replay.c */
bool kmedia_srtp_rtp_index(struct kmedia_srtp *ctx, u32 ssrc, u16 seq,
			   u64 *index, bool *fresh);
bool kmedia_srtcp_index_ok(struct kmedia_srtp *ctx, u64 index, bool *fresh);
bool kmedia_srtp_accept(struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			bool fresh, bool per_ssrc);
u64 kmedia_srtp_rtp_send_index(struct kmedia_srtp *ctx, u32 ssrc, u16 seq);
u64 kmedia_srtcp_send_index(struct kmedia_srtp *ctx);

#endif /* _KMEDIA_SRTP_INTERNAL_H */
