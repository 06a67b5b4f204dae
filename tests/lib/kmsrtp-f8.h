/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsrtp-f8: a reference peer for F8_128_HMAC_SHA1_80, which libsrtp2 does
 * not implement. Written from RFC 3711 (4.1.2 AES-f8, 4.2 HMAC-SHA1, 4.3.1
 * key derivation, 3.3.1 and appendix A the packet index, 3.3.2 replay) on
 * OpenSSL's libcrypto (AES-ECB, AES-CTR, HMAC-SHA1), independently of the
 * module's code. kmlibsrtp.c hands F8 sessions to it, so the suites check
 * the kernel's F8 the way they check the other suites against libsrtp2.
 *
 * A session protects or unprotects RTP and RTCP for any SSRC (or only
 * ssrc), with the key, salt, MKI and replay window of a struct kmt_srtp.
 * Per SSRC it keeps the highest index seen and (receivers) a replay
 * window. As with libsrtp2, the first SRTCP packet a session sends has
 * index 1 (the module's first has index 0; either is valid to receivers),
 * so that the wrapper's callers see one behaviour whatever the suite.
 *
 * Results: 0 or a negative errno: -EBADMSG authentication failed,
 * -EALREADY a replay or a packet older than the window, -ENOKEY another
 * MKI, -ENOENT an SSRC the session is not for, -EMSGSIZE no room, -EINVAL
 * a malformed packet or bad arguments.
 */
#ifndef KMSRTP_F8_H
#define KMSRTP_F8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsrtp.h"

struct kmt_f8;

int kmt_f8_new(struct kmt_f8 **sp, const struct kmt_srtp *p,
	       const uint32_t *ssrc);
void kmt_f8_free(struct kmt_f8 *s);

/* out may be in; cap: room in out. */
int kmt_f8_protect(struct kmt_f8 *s, const void *in, size_t len, void *out,
		   size_t cap, size_t *outlen);
int kmt_f8_unprotect(struct kmt_f8 *s, const void *in, size_t len,
		     void *out, size_t cap, size_t *outlen);
int kmt_f8_protect_rtcp(struct kmt_f8 *s, const void *in, size_t len,
			void *out, size_t cap, size_t *outlen);
int kmt_f8_unprotect_rtcp(struct kmt_f8 *s, const void *in, size_t len,
			  void *out, size_t cap, size_t *outlen);

/* The ROC of ssrc: set before its first packet, or read at any time. */
int kmt_f8_set_roc(struct kmt_f8 *s, uint32_t ssrc, uint32_t roc);
int kmt_f8_get_roc(struct kmt_f8 *s, uint32_t ssrc, uint32_t *roc);

/* ---- building blocks, for tests/unit/srtp-kat.c ---- */

/*
 * RFC 3711 4.1.2: AES-f8 of (data, len) in place with session key k_e
 * (16, 24 or 32 bytes) and session salt k_s (at most key_len bytes; the
 * key mask is k_s padded with 0x55), under the 16-byte iv.
 */
int kmt_f8_crypt(const uint8_t *k_e, size_t key_len, const uint8_t *k_s,
		 size_t salt_len, const uint8_t iv[16], uint8_t *data,
		 size_t len);
/* The IVs of RFC 3711 4.1.2.2 (SRTP) and 4.1.2.3 (SRTCP). */
void kmt_f8_rtp_iv(const uint8_t *rtp, uint32_t roc, uint8_t iv[16]);
void kmt_f8_rtcp_iv(const uint8_t *rtcp, uint32_t e_index, uint8_t iv[16]);
/*
 * RFC 3711 4.3.1 with a key derivation rate of 0: len bytes of session
 * key for label (0 to 5) from a master key of key_len bytes and a master
 * salt of salt_len (at most 14) bytes.
 */
int kmt_f8_kdf(const uint8_t *key, size_t key_len, const uint8_t *salt,
	       size_t salt_len, uint8_t label, uint8_t *out, size_t len);

#endif /* KMSRTP_F8_H */
