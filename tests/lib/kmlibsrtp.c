// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmlibsrtp: libsrtp2 as the reference end of the SRTP suites (see
 * kmlibsrtp.h for the suite to policy mapping).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "kmlibsrtp.h"
#include "kmsrtp-ref.h"

struct kmt_libsrtp {
	/* F8 and AES-192 (see kmt_libsrtp_by_ref()): kmsrtp-ref.c */
	struct kmt_ref *ref;
	srtp_t session;
	bool mki;
	/*
	 * libsrtp2 (2.5.0 at least) looks for the MKI of an SRTCP packet
	 * before the RTP tag length (srtp_get_session_keys()), so it cannot
	 * unprotect SRTCP with an MKI when the two tags differ (the _32
	 * suites). Receivers then check the MKI here, cut it out (SRTCP does
	 * not authenticate it, RFC 3711 3.4) and unprotect with this second
	 * session of the same key without MKI.
	 */
	srtp_t rtcp_nomki;
	uint8_t mki_id[KMT_SRTP_MKI_ROOM];
	size_t mki_len;
	size_t rtcp_tag;
	/* libsrtp2 wants 32-bit aligned packets and room for a trailer */
	uint32_t buf[(KMT_LIBSRTP_PKT_MAX + SRTP_MAX_TRAILER_LEN + 64) / 4];
};

static pthread_once_t kmt_libsrtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t kmt_libsrtp_init_status = srtp_err_status_fail;

static void kmt_libsrtp_init(void)
{
	kmt_libsrtp_init_status = srtp_init();
	if (kmt_libsrtp_init_status)
		fprintf(stderr, "# srtp_init: %d\n", kmt_libsrtp_init_status);
}

const char *kmt_libsrtp_version(void)
{
	return srtp_get_version_string();
}

/*
 * Suites the wrapper hands to the RFC 3711/6188 reference of kmsrtp-ref.c:
 * F8, which libsrtp2 lacks, and AES-192, whose session keys libsrtp2
 * (2.5.0 at least) derives with an AES-256 PRF keyed with the master key
 * and the first 8 bytes of the master salt, where RFC 6188 4 keys an
 * AES-192 PRF with the master key: its AES-192 packets are not those of
 * RFC 6188 (tests/unit/srtp-ref.c shows the reference agrees with
 * libsrtp2 for AES-128 and AES-256 and with the RFC 6188 AES-192 vectors
 * of kmsrtp-kat.h).
 */
static bool kmt_libsrtp_by_ref(uint32_t suite)
{
	return suite == KMEDIA_SRTP_F8_128_HMAC_SHA1_80 ||
	       suite == KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80 ||
	       suite == KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32;
}

static bool kmt_libsrtp_implements(uint32_t suite)
{
	switch (suite) {
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80:
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32:
	case KMEDIA_SRTP_AEAD_AES_128_GCM:
	case KMEDIA_SRTP_AEAD_AES_256_GCM:
	case KMEDIA_SRTP_NULL_HMAC_SHA1_80:
	case KMEDIA_SRTP_NULL_HMAC_SHA1_32:
		return true;
	default:
		return false;
	}
}

bool kmt_libsrtp_has(uint32_t suite, const char **why)
{
	if (kmt_libsrtp_implements(suite) ||
	    (kmt_libsrtp_by_ref(suite) && kmt_ref_has(suite)))
		return true;
	if (why)
		*why = "neither libsrtp2 nor the reference implements it";
	return false;
}

static int kmt_libsrtp_policy(srtp_policy_t *pol, uint32_t suite)
{
	switch (suite) {
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtcp);
		break;
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtcp);
		break;
	case KMEDIA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
		break;
	case KMEDIA_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
		break;
	case KMEDIA_SRTP_NULL_HMAC_SHA1_80:
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol->rtcp);
		break;
	case KMEDIA_SRTP_NULL_HMAC_SHA1_32:
		/* no libsrtp2 setter: NULL cipher, HMAC-SHA1 (20-byte key),
		 * 4-byte tag; SRTCP keeps 10 bytes
		 */
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol->rtp);
		pol->rtp.auth_tag_len = 4;
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol->rtcp);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

int kmt_libsrtp_new(struct kmt_libsrtp **sp, const struct kmt_srtp *p,
		    enum kmt_libsrtp_role role, const uint32_t *ssrc)
{
	const struct kmt_srtp_suite_info *info = kmt_srtp_suite(p->suite);
	unsigned char key[SRTP_MAX_KEY_LEN];
	srtp_master_key_t mk, *mks[1] = { &mk };
	unsigned char mki[SRTP_MAX_MKI_LEN];
	struct kmt_libsrtp *s;
	srtp_policy_t pol;
	srtp_err_status_t st;
	int ret;

	if (kmt_libsrtp_by_ref(p->suite)) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		ret = kmt_ref_new(&s->ref, p, ssrc);
		if (ret) {
			free(s);
			return ret;
		}
		*sp = s;
		return 0;
	}
	pthread_once(&kmt_libsrtp_once, kmt_libsrtp_init);
	if (kmt_libsrtp_init_status)
		return kmt_libsrtp_init_status;
	if (!info || !kmt_libsrtp_implements(p->suite))
		return -EOPNOTSUPP;
	if (p->key_len != info->key_len || p->salt_len != info->salt_len ||
	    p->key_len + p->salt_len > sizeof(key) ||
	    p->mki_len > sizeof(mki))
		return -EINVAL;

	memset(&pol, 0, sizeof(pol));
	ret = kmt_libsrtp_policy(&pol, p->suite);
	if (ret)
		return ret;
	memcpy(key, p->key, p->key_len);
	memcpy(key + p->key_len, p->salt, p->salt_len);
	if (ssrc) {
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = *ssrc;
	} else {
		pol.ssrc.type = role == KMT_LIBSRTP_SEND ? ssrc_any_outbound :
							   ssrc_any_inbound;
	}
	if (p->mki_len) {
		memcpy(mki, p->mki, p->mki_len);
		mk.key = key;
		mk.mki_id = mki;
		mk.mki_size = p->mki_len;
		pol.keys = mks;
		pol.num_master_keys = 1;
	} else {
		pol.key = key;
	}
	/* libsrtp2 takes 64 to 32767; 0 is its default (128) */
	pol.window_size = p->has_window && p->window >= 64 &&
			  p->window < 0x8000 ? p->window : 0;
	pol.allow_repeat_tx = 0;
	pol.next = NULL;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mki = p->mki_len > 0;
	st = srtp_create(&s->session, &pol);
	if (!st && s->mki && role == KMT_LIBSRTP_RECV && !info->aead &&
	    info->rtp_tag != info->rtcp_tag) {
		memcpy(s->mki_id, p->mki, p->mki_len);
		s->mki_len = p->mki_len;
		s->rtcp_tag = info->rtcp_tag;
		pol.keys = NULL;
		pol.num_master_keys = 0;
		pol.key = key;
		st = srtp_create(&s->rtcp_nomki, &pol);
		if (st)
			srtp_dealloc(s->session);
	}
	memset(key, 0, sizeof(key));
	if (st) {
		free(s);
		return st;
	}
	*sp = s;
	return 0;
}

void kmt_libsrtp_free(struct kmt_libsrtp *s)
{
	if (!s)
		return;
	if (s->ref) {
		kmt_ref_free(s->ref);
		free(s);
		return;
	}
	srtp_dealloc(s->session);
	if (s->rtcp_nomki)
		srtp_dealloc(s->rtcp_nomki);
	free(s);
}

enum kmt_libsrtp_op {
	KMT_OP_PROTECT,
	KMT_OP_UNPROTECT,
	KMT_OP_PROTECT_RTCP,
	KMT_OP_UNPROTECT_RTCP,
};

static int kmt_libsrtp_run_ref(struct kmt_ref *ref, enum kmt_libsrtp_op op,
			       const void *in, size_t len, void *out,
			       size_t cap, size_t *outlen)
{
	switch (op) {
	case KMT_OP_PROTECT:
		return kmt_ref_protect(ref, in, len, out, cap, outlen);
	case KMT_OP_UNPROTECT:
		return kmt_ref_unprotect(ref, in, len, out, cap, outlen);
	case KMT_OP_PROTECT_RTCP:
		return kmt_ref_protect_rtcp(ref, in, len, out, cap, outlen);
	default:
		return kmt_ref_unprotect_rtcp(ref, in, len, out, cap, outlen);
	}
}

static int kmt_libsrtp_run(struct kmt_libsrtp *s, enum kmt_libsrtp_op op,
			   const void *in, size_t len, void *out, size_t cap,
			   size_t *outlen)
{
	int n = (int)len;
	srtp_err_status_t st;

	if (len > KMT_LIBSRTP_PKT_MAX)
		return -EMSGSIZE;
	if (s->ref)
		return kmt_libsrtp_run_ref(s->ref, op, in, len, out, cap,
					   outlen);
	memcpy(s->buf, in, len);
	switch (op) {
	case KMT_OP_PROTECT:
		st = srtp_protect_mki(s->session, s->buf, &n, s->mki, 0);
		break;
	case KMT_OP_UNPROTECT:
		st = srtp_unprotect_mki(s->session, s->buf, &n, s->mki);
		break;
	case KMT_OP_PROTECT_RTCP:
		st = srtp_protect_rtcp_mki(s->session, s->buf, &n, s->mki, 0);
		break;
	default:
		if (!s->rtcp_nomki) {
			st = srtp_unprotect_rtcp_mki(s->session, s->buf, &n,
						     s->mki);
			break;
		}
		/* see struct kmt_libsrtp: MKI, then the 10-byte tag */
		if (len < 8 + 4 + s->mki_len + s->rtcp_tag)
			return srtp_err_status_bad_param;
		if (memcmp((uint8_t *)s->buf + len - s->rtcp_tag - s->mki_len,
			   s->mki_id, s->mki_len))
			return srtp_err_status_bad_mki;
		memmove((uint8_t *)s->buf + len - s->rtcp_tag - s->mki_len,
			(uint8_t *)s->buf + len - s->rtcp_tag, s->rtcp_tag);
		n -= s->mki_len;
		st = srtp_unprotect_rtcp(s->rtcp_nomki, s->buf, &n);
		break;
	}
	if (st)
		return st;
	if (n < 0 || (size_t)n > cap)
		return -EMSGSIZE;
	memcpy(out, s->buf, n);
	*outlen = n;
	return 0;
}

int kmt_libsrtp_protect(struct kmt_libsrtp *s, const void *in, size_t len,
			void *out, size_t cap, size_t *outlen)
{
	return kmt_libsrtp_run(s, KMT_OP_PROTECT, in, len, out, cap, outlen);
}

int kmt_libsrtp_unprotect(struct kmt_libsrtp *s, const void *in, size_t len,
			  void *out, size_t cap, size_t *outlen)
{
	return kmt_libsrtp_run(s, KMT_OP_UNPROTECT, in, len, out, cap, outlen);
}

int kmt_libsrtp_protect_rtcp(struct kmt_libsrtp *s, const void *in,
			     size_t len, void *out, size_t cap,
			     size_t *outlen)
{
	return kmt_libsrtp_run(s, KMT_OP_PROTECT_RTCP, in, len, out, cap,
			       outlen);
}

int kmt_libsrtp_unprotect_rtcp(struct kmt_libsrtp *s, const void *in,
			       size_t len, void *out, size_t cap,
			       size_t *outlen)
{
	return kmt_libsrtp_run(s, KMT_OP_UNPROTECT_RTCP, in, len, out, cap,
			       outlen);
}

int kmt_libsrtp_set_roc(struct kmt_libsrtp *s, uint32_t ssrc, uint32_t roc)
{
	if (s->ref)
		return kmt_ref_set_roc(s->ref, ssrc, roc);
	return srtp_set_stream_roc(s->session, ssrc, roc);
}

int kmt_libsrtp_get_roc(struct kmt_libsrtp *s, uint32_t ssrc, uint32_t *roc)
{
	if (s->ref)
		return kmt_ref_get_roc(s->ref, ssrc, roc);
	return srtp_get_stream_roc(s->session, ssrc, roc);
}

const char *kmt_libsrtp_strerror(int ret)
{
	static const char *const names[] = {
		[srtp_err_status_ok] = "ok",
		[srtp_err_status_fail] = "fail",
		[srtp_err_status_bad_param] = "bad_param",
		[srtp_err_status_alloc_fail] = "alloc_fail",
		[srtp_err_status_init_fail] = "init_fail",
		[srtp_err_status_auth_fail] = "auth_fail",
		[srtp_err_status_cipher_fail] = "cipher_fail",
		[srtp_err_status_replay_fail] = "replay_fail",
		[srtp_err_status_replay_old] = "replay_old",
		[srtp_err_status_algo_fail] = "algo_fail",
		[srtp_err_status_no_ctx] = "no_ctx",
		[srtp_err_status_parse_err] = "parse_err",
		[srtp_err_status_bad_mki] = "bad_mki",
		[srtp_err_status_pkt_idx_old] = "pkt_idx_old",
		[srtp_err_status_pkt_idx_adv] = "pkt_idx_adv",
	};

	if (ret < 0)
		return strerror(-ret);
	if ((size_t)ret < sizeof(names) / sizeof(names[0]) && names[ret])
		return names[ret];
	return "libsrtp2 error";
}
