/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmlibsrtp: a thin wrapper over libsrtp2, the reference the in-VM suites
 * check the kernel's SRTP against. One struct kmt_libsrtp is one libsrtp2
 * session that either protects (a sender) or unprotects (a receiver) RTP
 * and RTCP with one struct kmt_srtp (suite, key, salt, MKI, window).
 *
 * Suites map to libsrtp2 crypto policies as follows (RTP / RTCP):
 *   AES_CM_128_HMAC_SHA1_80   aes_cm_128_hmac_sha1_80 / same
 *   AES_CM_128_HMAC_SHA1_32   aes_cm_128_hmac_sha1_32 / ..._80 (RFC 4568)
 *   AES_192_CM_HMAC_SHA1_80   the reference peer of kmsrtp-ref.h: libsrtp2
 *   AES_192_CM_HMAC_SHA1_32   (2.5.0) derives AES-192 session keys with
 *                             an AES-256 PRF keyed with the master key and
 *                             8 bytes of the salt, not RFC 6188's AES-192
 *                             PRF keyed with the master key
 *   AES_256_CM_HMAC_SHA1_80   aes_cm_256_hmac_sha1_80 / same
 *   AES_256_CM_HMAC_SHA1_32   aes_cm_256_hmac_sha1_32 / ..._80
 *   AEAD_AES_128_GCM          aes_gcm_128_16_auth / same
 *   AEAD_AES_256_GCM          aes_gcm_256_16_auth / same
 *   NULL_HMAC_SHA1_80         null_cipher_hmac_sha1_80 / same
 *   NULL_HMAC_SHA1_32         null_cipher_hmac_sha1_80 with a 4-byte tag /
 *                             null_cipher_hmac_sha1_80 (RFC 5764 4.1.2)
 *   F8_128_HMAC_SHA1_80       libsrtp2 has no AES-f8: the reference peer
 *                             of kmsrtp-ref.h (RFC 3711 on libcrypto)
 * The master key and salt are handed over concatenated; with an MKI, as
 * the one srtp_master_key_t of the policy, used with srtp_protect_mki()
 * and srtp_unprotect_mki(). libsrtp2 looks for the MKI of an SRTCP packet
 * before the *RTP* tag length, so for the _32 suites with an MKI the
 * wrapper checks and cuts the SRTCP MKI itself and unprotects with a
 * second session without MKI (SRTCP does not authenticate the MKI).
 *
 * Results: 0, a positive libsrtp2 srtp_err_status_t, or a negative errno
 * for bad arguments (and for every failure of the reference peer). srtp_init() runs once per process, on first use.
 */
#ifndef KMLIBSRTP_H
#define KMLIBSRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmsrtp.h"

/* What protecting can add: E||index, MKI and tag, with room to spare. */
#define KMT_LIBSRTP_OVERHEAD_MAX	64
/* Largest packet the wrapper handles. */
#define KMT_LIBSRTP_PKT_MAX		2048

struct kmt_libsrtp;

enum kmt_libsrtp_role {
	KMT_LIBSRTP_SEND,	/* protect */
	KMT_LIBSRTP_RECV,	/* unprotect */
};

/*
 * true when the wrapper implements suite (with libsrtp2 or the reference
 * peer); otherwise *why says why not.
 */
bool kmt_libsrtp_has(uint32_t suite, const char **why);

/*
 * A session with the suite, key, salt, MKI and (receivers) replay window
 * of p. ssrc NULL: any SSRC (libsrtp2 creates the stream on its first
 * packet); otherwise only that SSRC, whose stream exists at once (so its
 * ROC can be set before the first packet).
 */
int kmt_libsrtp_new(struct kmt_libsrtp **sp, const struct kmt_srtp *p,
		    enum kmt_libsrtp_role role, const uint32_t *ssrc);
void kmt_libsrtp_free(struct kmt_libsrtp *s);

/*
 * Protect or unprotect (in, len) into out (cap bytes; in and out may be
 * the same buffer); *outlen receives the new length.
 */
int kmt_libsrtp_protect(struct kmt_libsrtp *s, const void *in, size_t len,
			void *out, size_t cap, size_t *outlen);
int kmt_libsrtp_unprotect(struct kmt_libsrtp *s, const void *in, size_t len,
			  void *out, size_t cap, size_t *outlen);
int kmt_libsrtp_protect_rtcp(struct kmt_libsrtp *s, const void *in,
			     size_t len, void *out, size_t cap,
			     size_t *outlen);
int kmt_libsrtp_unprotect_rtcp(struct kmt_libsrtp *s, const void *in,
			       size_t len, void *out, size_t cap,
			       size_t *outlen);

/* srtp_set_stream_roc() / srtp_get_stream_roc() of one SSRC. */
int kmt_libsrtp_set_roc(struct kmt_libsrtp *s, uint32_t ssrc, uint32_t roc);
int kmt_libsrtp_get_roc(struct kmt_libsrtp *s, uint32_t ssrc, uint32_t *roc);

/* A name for a result of the functions above. */
const char *kmt_libsrtp_strerror(int ret);
/* libsrtp2's version string. */
const char *kmt_libsrtp_version(void);

#endif /* KMLIBSRTP_H */
