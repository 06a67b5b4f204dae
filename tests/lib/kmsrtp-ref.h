/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsrtp-ref: a test-side SRTP/SRTCP reference peer for the suites
 * libsrtp2 cannot be trusted with: F8_128_HMAC_SHA1_80, which libsrtp2
 * does not implement, and AES_192_CM_HMAC_SHA1_80/_32, whose session keys
 * libsrtp2 2.5.0 derives differently from RFC 6188 (with an AES-256 PRF
 * keyed with the master key and the first 8 bytes of the master salt,
 * where RFC 6188 4 keys an AES-192 PRF with the master key alone). It
 * also does AES-CM 128 and 256, so that tests/unit/srtp-ref.c can show it
 * byte-identical to libsrtp2 where libsrtp2 follows the RFCs.
 *
 * Written from RFC 3711 (4.1.1 AES-CM, 4.1.2 AES-f8, 4.2 HMAC-SHA1, 4.3.1
 * key derivation, 3.3.1 and appendix A the packet index, 3.3.2 replay)
 * and RFC 6188 (AES-192 and AES-256 key derivation and AES-CM) on
 * OpenSSL's libcrypto (AES-ECB, AES-CTR, HMAC-SHA1), independently of the
 * module's code. kmlibsrtp.c hands sessions of these suites to it, so the
 * suites check the kernel the way they check the others against libsrtp2.
 *
 * A session protects or unprotects RTP and RTCP for any SSRC (or only
 * ssrc), with the key, salt, MKI and replay window of a struct kmt_srtp.
 * Per SSRC it keeps the highest index seen and (receivers) a replay
 * window. As with libsrtp2, the first SRTCP packet a session sends has
 * index 1 (the module's first has index 0; either is valid to receivers),
 * so that the wrapper's callers see one behaviour whatever the suite.
 * SRTCP keeps an 80-bit tag with the _32 suites (RFC 4568 6.2.1, RFC 6188
 * 5).
 *
 * Results: 0 or a negative errno: -EBADMSG authentication failed,
 * -EALREADY a replay or a packet older than the window, -ENOKEY another
 * MKI, -ENOENT an SSRC the session is not for, -EMSGSIZE no room, -EINVAL
 * a malformed packet or bad arguments, -EOPNOTSUPP a suite it lacks.
 */
#ifndef KMSRTP_REF_H
#define KMSRTP_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsrtp.h"

struct kmt_ref;

/* true for AES_CM_128/192/256_HMAC_SHA1_80/_32 and F8_128_HMAC_SHA1_80. */
bool kmt_ref_has(uint32_t suite);

int kmt_ref_new(struct kmt_ref **sp, const struct kmt_srtp *p,
		const uint32_t *ssrc);
void kmt_ref_free(struct kmt_ref *s);

/* out may be in; cap: room in out. */
int kmt_ref_protect(struct kmt_ref *s, const void *in, size_t len, void *out,
		    size_t cap, size_t *outlen);
int kmt_ref_unprotect(struct kmt_ref *s, const void *in, size_t len,
		      void *out, size_t cap, size_t *outlen);
int kmt_ref_protect_rtcp(struct kmt_ref *s, const void *in, size_t len,
			 void *out, size_t cap, size_t *outlen);
int kmt_ref_unprotect_rtcp(struct kmt_ref *s, const void *in, size_t len,
			   void *out, size_t cap, size_t *outlen);

/* The ROC of ssrc: set before its first packet, or read at any time. */
int kmt_ref_set_roc(struct kmt_ref *s, uint32_t ssrc, uint32_t roc);
int kmt_ref_get_roc(struct kmt_ref *s, uint32_t ssrc, uint32_t *roc);

/*
 * ---- building blocks, which tests/unit/srtp-kat.c checks against RFC
 * 3711 appendix B ----
 */

/*
 * RFC 3711 4.3.1 (RFC 6188 4 for 192 and 256 bits) with a key derivation
 * rate of 0: len bytes of session key for label (0 to 5) from a master
 * key of key_len (16, 24 or 32) bytes and a master salt of salt_len (at
 * most 14) bytes: AES-CM keyed with the master key itself.
 */
int kmt_ref_kdf(const uint8_t *key, size_t key_len, const uint8_t *salt,
		size_t salt_len, uint8_t label, uint8_t *out, size_t len);

/*
 * RFC 3711 4.1.1: the AES-CM IV (k_s * 2^16) XOR (SSRC * 2^64) XOR
 * (index * 2^16), for the 48-bit SRTP index or the 31-bit SRTCP index.
 */
void kmt_ref_cm_iv(const uint8_t k_s[14], uint32_t ssrc, uint64_t index,
		   uint8_t iv[16]);
/* AES-CM of (data, len) in place with session key k_e from iv. */
int kmt_ref_cm_crypt(const uint8_t *k_e, size_t key_len,
		     const uint8_t iv[16], uint8_t *data, size_t len);

/*
 * RFC 3711 4.1.2: AES-f8 of (data, len) in place with session key k_e
 * (16, 24 or 32 bytes) and session salt k_s (at most key_len bytes; the
 * key mask is k_s padded with 0x55), under the 16-byte iv.
 */
int kmt_ref_f8_crypt(const uint8_t *k_e, size_t key_len, const uint8_t *k_s,
		     size_t salt_len, const uint8_t iv[16], uint8_t *data,
		     size_t len);
/* The f8 IVs of RFC 3711 4.1.2.2 (SRTP) and 4.1.2.3 (SRTCP). */
void kmt_ref_f8_rtp_iv(const uint8_t *rtp, uint32_t roc, uint8_t iv[16]);
void kmt_ref_f8_rtcp_iv(const uint8_t *rtcp, uint32_t e_index,
			uint8_t iv[16]);

#endif /* KMSRTP_REF_H */
