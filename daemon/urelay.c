// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad's userspace relay: the fallback for hosts without the kmedia
 * module. Each kmd_ustream is what one kernel stream is (one direction of
 * RTP or RTCP): it checks the source (latch or strict), unprotects with
 * the sender's SRTP key, protects with ours, and sends from the egress
 * socket to the peer. libsrtp2 does the SRTP part, so the suites are those
 * libsrtp2 does as the RFCs say (see kmd_urelay_suite_ok()).
 *
 * Every packet costs two system calls and a copy each way, which is what
 * the module exists to avoid; bench/ measures the difference.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "urelay.h"

struct kmd_ustream {
	bool rtcp;
	int out_fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	enum kmedia_src_mode src_mode;
	struct sockaddr_storage src;	/* strict, or latched */
	socklen_t src_len;		/* 0: not latched yet */
	srtp_t in, out;			/* NULL: plain RTP on that side */
	uint32_t idle_ms;
	uint64_t last_ms;		/* last packet, or creation */
	bool idle_told;
	struct kmd_ustream_stats st;
	struct kmd_ustream *prev, *next;	/* every live stream */
};

/* for kmd_urelay_totals(): live streams, and what freed ones counted */
static struct kmd_ustream *live;
static struct kmd_ustream_stats freed;

/*
 * srtp_init() a second time in a process (the benchmark also uses libsrtp2
 * itself) fails with bad_param when it registers its debug module again,
 * after the crypto kernel is up: that is fine.
 */
int kmd_urelay_init(void)
{
	srtp_err_status_t st = srtp_init();

	return st == srtp_err_status_ok || st == srtp_err_status_bad_param ?
	       0 : -EIO;
}

const char *kmd_urelay_srtp_version(void)
{
	return srtp_get_version_string();
}

/*
 * libsrtp2 2.5 has no F8, and derives AES-192 session keys differently
 * from RFC 6188 (see tests/lib/kmlibsrtp.c): a phone offering those gets
 * another suite or plain RTP from a relay without the module.
 */
bool kmd_urelay_suite_ok(enum kmedia_srtp_suite suite)
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

/* The crypto policy of suite for this stream's kind of packets. */
static int suite_policy(srtp_crypto_policy_t *p, enum kmedia_srtp_suite suite,
			bool rtcp)
{
	switch (suite) {
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32:
		if (!rtcp) {
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p);
			break;
		}
		/* SRTCP keeps the 80-bit tag (RFC 4568 6.2) */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p);
		break;
	case KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(p);
		break;
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32:
		if (!rtcp) {
			srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(p);
			break;
		}
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(p);
		break;
	case KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(p);
		break;
	case KMEDIA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(p);
		break;
	case KMEDIA_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(p);
		break;
	case KMEDIA_SRTP_NULL_HMAC_SHA1_80:
	case KMEDIA_SRTP_NULL_HMAC_SHA1_32:
		/* libsrtp2 has no setter for the _32 one: a shorter tag */
		srtp_crypto_policy_set_null_cipher_hmac_sha1_80(p);
		if (suite == KMEDIA_SRTP_NULL_HMAC_SHA1_32 && !rtcp)
			p->auth_tag_len = 4;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

struct kmd_ustream *kmd_ustream_new(bool rtcp, int out_fd,
				    const struct sockaddr *dst, socklen_t len)
{
	struct kmd_ustream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->rtcp = rtcp;
	s->out_fd = out_fd;
	s->src_mode = KMEDIA_SRC_ANY;
	kmd_ustream_set_dst(s, dst, len);
	s->next = live;
	if (live)
		live->prev = s;
	live = s;
	return s;
}

static void add_stats(struct kmd_ustream_stats *sum,
		      const struct kmd_ustream_stats *st)
{
	const uint64_t *from = (const uint64_t *)st;
	uint64_t *to = (uint64_t *)sum;
	size_t i;

	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		to[i] += from[i];
}

void kmd_ustream_free(struct kmd_ustream *s)
{
	if (!s)
		return;
	if (s->in)
		srtp_dealloc(s->in);
	if (s->out)
		srtp_dealloc(s->out);
	add_stats(&freed, &s->st);
	if (s->prev)
		s->prev->next = s->next;
	else
		live = s->next;
	if (s->next)
		s->next->prev = s->prev;
	free(s);
}

void kmd_ustream_set_dst(struct kmd_ustream *s, const struct sockaddr *dst,
			 socklen_t len)
{
	if (len > sizeof(s->dst))
		len = sizeof(s->dst);
	memcpy(&s->dst, dst, len);
	s->dst_len = len;
}

void kmd_ustream_set_src(struct kmd_ustream *s, enum kmedia_src_mode mode,
			 const struct sockaddr *src, socklen_t len)
{
	s->src_mode = mode;
	s->src_len = 0;
	if (mode == KMEDIA_SRC_STRICT && src && len <= sizeof(s->src)) {
		memcpy(&s->src, src, len);
		s->src_len = len;
	}
}

int kmd_ustream_set_srtp(struct kmd_ustream *s, bool in,
			 enum kmedia_srtp_suite suite, const uint8_t *key,
			 size_t key_len, const uint8_t *salt, size_t salt_len)
{
	srtp_t *slot = in ? &s->in : &s->out;
	unsigned char master[SRTP_MAX_KEY_LEN];
	srtp_policy_t pol;
	srtp_t session = NULL;
	srtp_err_status_t st;
	int err;

	if (suite != KMEDIA_SRTP_NONE) {
		memset(&pol, 0, sizeof(pol));
		err = suite_policy(&pol.rtp, suite, false);
		if (!err)
			err = suite_policy(&pol.rtcp, suite, true);
		if (err)
			return err;
		if (key_len + salt_len > sizeof(master))
			return -EINVAL;
		memcpy(master, key, key_len);
		memcpy(master + key_len, salt, salt_len);
		pol.key = master;
		pol.ssrc.type = in ? ssrc_any_inbound : ssrc_any_outbound;
		pol.window_size = KMEDIA_SRTP_REPLAY_DEFAULT;
		st = srtp_create(&session, &pol);
		explicit_bzero(master, sizeof(master));
		if (st)
			return st == srtp_err_status_alloc_fail ? -ENOMEM : -EINVAL;
	}
	if (*slot)
		srtp_dealloc(*slot);
	*slot = session;
	return 0;
}

void kmd_ustream_set_idle(struct kmd_ustream *s, uint32_t ms)
{
	s->idle_ms = ms;
	s->idle_told = false;
}

static bool same_addr(const struct sockaddr_storage *a, socklen_t alen,
		      const struct sockaddr *b, socklen_t blen)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (alen < sizeof(sa_family_t) || blen < sizeof(sa_family_t) ||
	    a->ss_family != b->sa_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		       a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       !memcmp(&a6->sin6_addr, &b6->sin6_addr, 16);
	return false;
}

static void count_srtp_error(struct kmd_ustream_stats *st,
			     srtp_err_status_t err)
{
	switch (err) {
	case srtp_err_status_auth_fail:
		st->drop_auth++;
		break;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old:
		st->drop_replay++;
		break;
	default:
		st->drop_srtp++;
	}
}

enum kmd_urelay_verdict kmd_ustream_input(struct kmd_ustream *s, void *buf,
					  size_t len,
					  const struct sockaddr *src,
					  socklen_t src_len, uint64_t now_ms)
{
	enum kmd_urelay_verdict ok = KMD_URELAY_SENT;
	const uint8_t *p = buf;
	srtp_err_status_t err;
	int n = (int)len;

	if (len < 1 || (p[0] >> 6) != 2)
		return KMD_URELAY_NOT_MEDIA;
	if (len < (s->rtcp ? 8 : 12) || len > KMD_URELAY_PKT_MAX) {
		s->st.drop_size++;
		return KMD_URELAY_DROPPED;
	}
	switch (s->src_mode) {
	case KMEDIA_SRC_STRICT:
		if (!same_addr(&s->src, s->src_len, src, src_len))
			goto wrong_source;
		break;
	case KMEDIA_SRC_LATCH:
		if (s->src_len) {
			if (!same_addr(&s->src, s->src_len, src, src_len))
				goto wrong_source;
		} else if (src_len <= sizeof(s->src)) {
			/* latched only once the packet proves good, below */
			ok = KMD_URELAY_LATCHED;
		}
		break;
	default:
		break;
	}
	if (s->in) {
		err = s->rtcp ? srtp_unprotect_rtcp(s->in, buf, &n) :
				srtp_unprotect(s->in, buf, &n);
		if (err) {
			count_srtp_error(&s->st, err);
			return KMD_URELAY_DROPPED;
		}
	}
	if (ok == KMD_URELAY_LATCHED) {
		memcpy(&s->src, src, src_len);
		s->src_len = src_len;
	}
	s->st.rx_packets++;
	s->st.rx_bytes += len;
	s->last_ms = now_ms;
	s->idle_told = false;
	if (s->out) {
		err = s->rtcp ? srtp_protect_rtcp(s->out, buf, &n) :
				srtp_protect(s->out, buf, &n);
		if (err) {
			count_srtp_error(&s->st, err);
			return KMD_URELAY_DROPPED;
		}
	}
	if (sendto(s->out_fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&s->dst,
		   s->dst_len) != n) {
		s->st.drop_send++;
		return ok == KMD_URELAY_LATCHED ? ok : KMD_URELAY_DROPPED;
	}
	s->st.tx_packets++;
	s->st.tx_bytes += n;
	return ok;

wrong_source:
	s->st.drop_source++;
	return KMD_URELAY_DROPPED;
}

socklen_t kmd_ustream_latched(const struct kmd_ustream *s,
			      struct sockaddr_storage *src)
{
	if (s->src_mode != KMEDIA_SRC_LATCH || !s->src_len)
		return 0;
	*src = s->src;
	return s->src_len;
}

bool kmd_ustream_idle(struct kmd_ustream *s, uint64_t now_ms)
{
	if (!s->last_ms)
		s->last_ms = now_ms;	/* silence counts from the first look */
	if (!s->idle_ms || s->idle_told || now_ms - s->last_ms < s->idle_ms)
		return false;
	s->idle_told = true;
	return true;
}

const struct kmd_ustream_stats *kmd_ustream_stats(const struct kmd_ustream *s)
{
	return &s->st;
}

void kmd_urelay_totals(struct kmd_ustream_stats *sum)
{
	const struct kmd_ustream *s;

	*sum = freed;
	for (s = live; s; s = s->next)
		add_stats(sum, &s->st);
}
