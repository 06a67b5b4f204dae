// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsrtp-ref: the RFC 3711/6188 reference peer for AES-CM 128/192/256 and
 * AES-f8 with HMAC-SHA1 (see kmsrtp-ref.h), on OpenSSL's libcrypto.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "kmsrtp-ref.h"

#define REF_KEY_MAX	32
#define REF_SALT_LEN	14
#define REF_AUTH_LEN	20
#define REF_TAG_MAX	10
#define REF_RTCP_TAG	10	/* every suite here, _32 ones included */
#define REF_WINDOW	128	/* when p has none: libsrtp2's default */
#define REF_PKT_MAX	4096
#define RTP_HLEN	12
#define RTCP_HLEN	8
#define E_BIT		0x80000000u

/* What one SSRC's packets have done so far, in one direction. */
struct ref_ssrc {
	struct ref_ssrc *next;
	uint32_t ssrc;
	uint32_t roc0;		/* ROC of the first SRTP packet */
	bool started;		/* top is valid (SRTP) */
	uint64_t top;		/* highest SRTP index */
	uint8_t *seen;		/* receivers: bit i set: top - i accepted */
	bool rtcp_started;
	uint64_t rtcp_top;	/* last SRTCP index sent, highest received */
	uint8_t *rtcp_seen;
};

/* The suites of this reference (all with a 14-byte master salt). */
static const struct ref_suite {
	uint32_t suite;
	bool f8;		/* AES-f8, else AES-CM */
	uint8_t key_len;	/* master and session encryption key */
	uint8_t rtp_tag;	/* SRTP tag; SRTCP's is REF_RTCP_TAG */
} ref_suites[] = {
	{ KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80, false, 16, 10 },
	{ KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32, false, 16, 4 },
	{ KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80, false, 24, 10 },
	{ KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32, false, 24, 4 },
	{ KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80, false, 32, 10 },
	{ KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32, false, 32, 4 },
	{ KMEDIA_SRTP_F8_128_HMAC_SHA1_80, true, 16, 10 },
};

struct ref_keys {
	uint8_t k_e[REF_KEY_MAX];
	uint8_t k_a[REF_AUTH_LEN];
	uint8_t k_s[REF_SALT_LEN];
};

struct kmt_ref {
	const struct ref_suite *suite;
	struct ref_keys rtp, rtcp;
	uint8_t mki[KMT_SRTP_MKI_ROOM];
	size_t mki_len;
	bool one_ssrc;
	uint32_t ssrc;
	uint32_t window;
	struct ref_ssrc *streams;
};

static const EVP_CIPHER *aes_ecb(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_ecb() :
	       key_len == 24 ? EVP_aes_192_ecb() :
	       key_len == 32 ? EVP_aes_256_ecb() : NULL;
}

static const EVP_CIPHER *aes_ctr(size_t key_len)
{
	return key_len == 16 ? EVP_aes_128_ctr() :
	       key_len == 24 ? EVP_aes_192_ctr() :
	       key_len == 32 ? EVP_aes_256_ctr() : NULL;
}

/* n bytes of AES in the mode of cipher (padding off) from in to out. */
static int aes_run(const EVP_CIPHER *cipher, const uint8_t *key,
		   const uint8_t *iv, const uint8_t *in, uint8_t *out,
		   size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok;

	ok = c && cipher && EVP_EncryptInit_ex(c, cipher, NULL, key, iv) &&
	     EVP_CIPHER_CTX_set_padding(c, 0) &&
	     EVP_EncryptUpdate(c, out, &len, in, (int)n) &&
	     (size_t)len == n;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EINVAL;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int kmt_ref_kdf(const uint8_t *key, size_t key_len, const uint8_t *salt,
	       size_t salt_len, uint8_t label, uint8_t *out, size_t len)
{
	uint8_t iv[16] = { 0 }, zero[64] = { 0 };

	/* x = (label * 2^48) XOR master salt, IV = x * 2^16 */
	if (salt_len > 14 || len > sizeof(zero))
		return -EINVAL;
	memcpy(iv, salt, salt_len);
	iv[7] ^= label;
	return aes_run(aes_ctr(key_len), key, iv, zero, out, len);
}

void kmt_ref_f8_rtp_iv(const uint8_t *rtp, uint32_t roc, uint8_t iv[16])
{
	/* 0x00 || M || PT || SEQ || TS || SSRC || ROC */
	iv[0] = 0;
	memcpy(iv + 1, rtp + 1, 11);
	put32(iv + 12, roc);
}

void kmt_ref_f8_rtcp_iv(const uint8_t *rtcp, uint32_t e_index,
			uint8_t iv[16])
{
	/* 0 (32 bits) || E || SRTCP index || V P RC PT length SSRC */
	memset(iv, 0, 4);
	put32(iv + 4, e_index);
	memcpy(iv + 8, rtcp, 8);
}

int kmt_ref_f8_crypt(const uint8_t *k_e, size_t key_len, const uint8_t *k_s,
		     size_t salt_len, const uint8_t iv[16], uint8_t *data,
		     size_t len)
{
	uint8_t masked[32], ivp[16], s[16] = { 0 }, t[16];
	size_t i, j, n;

	if (!aes_ecb(key_len) || salt_len > key_len)
		return -EINVAL;
	/* IV' = E(k_e XOR m, IV), m = k_s || 0x5555... */
	for (i = 0; i < key_len; i++)
		masked[i] = k_e[i] ^ (i < salt_len ? k_s[i] : 0x55);
	if (aes_run(aes_ecb(key_len), masked, NULL, iv, ivp, 16))
		return -EINVAL;
	/* S(j) = E(k_e, IV' XOR j XOR S(j-1)), S(-1) = 0 */
	for (j = 0; j * 16 < len; j++) {
		for (i = 0; i < 16; i++)
			t[i] = ivp[i] ^ s[i];
		put32(t + 12, get32(t + 12) ^ (uint32_t)j);
		if (aes_run(aes_ecb(key_len), k_e, NULL, t, s, 16))
			return -EINVAL;
		n = len - j * 16 < 16 ? len - j * 16 : 16;
		for (i = 0; i < n; i++)
			data[j * 16 + i] ^= s[i];
	}
	return 0;
}

void kmt_ref_cm_iv(const uint8_t k_s[14], uint32_t ssrc, uint64_t index,
		   uint8_t iv[16])
{
	int i;

	memset(iv, 0, 16);
	memcpy(iv, k_s, 14);
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= ssrc >> (24 - 8 * i);
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= index >> (40 - 8 * i);
}

int kmt_ref_cm_crypt(const uint8_t *k_e, size_t key_len,
		     const uint8_t iv[16], uint8_t *data, size_t len)
{
	return aes_run(aes_ctr(key_len), k_e, iv, data, data, len);
}

/* Session keys of labels label0 to label0 + 2 (RFC 3711 4.3.2). */
static int derive(const struct kmt_srtp *p, size_t key_len, uint8_t label0,
		  struct ref_keys *k)
{
	return kmt_ref_kdf(p->key, p->key_len, p->salt, p->salt_len, label0,
			   k->k_e, key_len) ||
	       kmt_ref_kdf(p->key, p->key_len, p->salt, p->salt_len,
			   label0 + 1, k->k_a, sizeof(k->k_a)) ||
	       kmt_ref_kdf(p->key, p->key_len, p->salt, p->salt_len,
			   label0 + 2, k->k_s, sizeof(k->k_s)) ? -EINVAL : 0;
}

/*
 * Encrypt or decrypt (data, len) of a packet whose header is hdr: SRTP
 * with the packet index, or SRTCP with E || SRTCP index (word).
 */
static int ref_crypt(const struct kmt_ref *s, bool rtcp, const uint8_t *hdr,
		     uint64_t index, uint8_t *data, size_t len)
{
	const struct ref_keys *k = rtcp ? &s->rtcp : &s->rtp;
	size_t key_len = s->suite->key_len;
	uint8_t iv[16];

	if (s->suite->f8) {
		if (rtcp)
			kmt_ref_f8_rtcp_iv(hdr, (uint32_t)index, iv);
		else
			kmt_ref_f8_rtp_iv(hdr, (uint32_t)(index >> 16), iv);
		return kmt_ref_f8_crypt(k->k_e, key_len, k->k_s,
					sizeof(k->k_s), iv, data, len);
	}
	/* the SSRC is at 4 in RTCP, at 8 in RTP; E is not in the index */
	kmt_ref_cm_iv(k->k_s, get32(hdr + (rtcp ? 4 : 8)),
		      rtcp ? index & ~E_BIT : index, iv);
	return kmt_ref_cm_crypt(k->k_e, key_len, iv, data, len);
}

static const struct ref_suite *ref_suite_of(uint32_t suite)
{
	size_t i;

	for (i = 0; i < sizeof(ref_suites) / sizeof(ref_suites[0]); i++)
		if (ref_suites[i].suite == suite)
			return &ref_suites[i];
	return NULL;
}

bool kmt_ref_has(uint32_t suite)
{
	return ref_suite_of(suite);
}

/* The state of ssrc, created if need be; NULL if the session refuses it. */
static struct ref_ssrc *stream_of(struct kmt_ref *s, uint32_t ssrc)
{
	size_t bytes = (s->window + 7) / 8;
	struct ref_ssrc *st;

	if (s->one_ssrc && ssrc != s->ssrc)
		return NULL;
	for (st = s->streams; st; st = st->next)
		if (st->ssrc == ssrc)
			return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->seen = calloc(1, bytes);
	st->rtcp_seen = calloc(1, bytes);
	if (!st->seen || !st->rtcp_seen) {
		free(st->seen);
		free(st->rtcp_seen);
		free(st);
		return NULL;
	}
	st->ssrc = ssrc;
	st->next = s->streams;
	s->streams = st;
	return st;
}

int kmt_ref_new(struct kmt_ref **sp, const struct kmt_srtp *p,
		const uint32_t *ssrc)
{
	const struct ref_suite *suite = ref_suite_of(p->suite);
	struct kmt_ref *s;

	if (!suite)
		return -EOPNOTSUPP;
	if (p->key_len != suite->key_len || p->salt_len != REF_SALT_LEN ||
	    p->mki_len > sizeof(s->mki))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->suite = suite;
	if (derive(p, suite->key_len, 0, &s->rtp) ||
	    derive(p, suite->key_len, 3, &s->rtcp)) {
		kmt_ref_free(s);
		return -EINVAL;
	}
	memcpy(s->mki, p->mki, p->mki_len);
	s->mki_len = p->mki_len;
	s->one_ssrc = ssrc;
	s->ssrc = ssrc ? *ssrc : 0;
	s->window = p->has_window && p->window ? p->window : REF_WINDOW;
	/* like libsrtp2: an SSRC-specific stream exists before its packets */
	if (ssrc && !stream_of(s, *ssrc)) {
		kmt_ref_free(s);
		return -ENOMEM;
	}
	*sp = s;
	return 0;
}

void kmt_ref_free(struct kmt_ref *s)
{
	struct ref_ssrc *st, *next;

	if (!s)
		return;
	for (st = s->streams; st; st = next) {
		next = st->next;
		free(st->seen);
		free(st->rtcp_seen);
		free(st);
	}
	free(s);
}

/* ---- replay window: bit i of seen is index top - i ---- */

static bool bit(const uint8_t *seen, uint64_t i)
{
	return seen[i / 8] >> (i % 8) & 1;
}

static void set_bit(uint8_t *seen, uint64_t i)
{
	seen[i / 8] |= 1 << (i % 8);
}

static bool replayed(const struct kmt_ref *s, bool started, uint64_t top,
		     const uint8_t *seen, uint64_t index)
{
	if (!started || index > top)
		return false;
	return top - index >= s->window || bit(seen, top - index);
}

static void accept_index(const struct kmt_ref *s, bool *started,
			 uint64_t *top, uint8_t *seen, uint64_t index)
{
	uint64_t shift, i;

	if (!*started) {
		memset(seen, 0, (s->window + 7) / 8);
		*started = true;
		*top = index;
	} else if (index > *top) {
		shift = index - *top;
		for (i = s->window; i-- > 0;) {
			bool b = i >= shift && bit(seen, i - shift);

			seen[i / 8] &= ~(1 << (i % 8));
			if (b)
				set_bit(seen, i);
		}
		*top = index;
	}
	set_bit(seen, *top - index);
}

/* RFC 3711 appendix A: the index of seq nearest to the highest, top. */
static uint64_t estimate(uint64_t top, uint16_t seq)
{
	uint32_t roc = top >> 16;
	uint16_t s_l = top & 0xffff;

	if (s_l < 0x8000) {
		if (seq > s_l + 0x8000 && roc > 0)
			roc--;
	} else if (seq < s_l - 0x8000) {
		roc++;
	}
	return (uint64_t)roc << 16 | seq;
}

static uint64_t rtp_index(const struct ref_ssrc *st, uint16_t seq)
{
	return st->started ? estimate(st->top, seq) :
			     (uint64_t)st->roc0 << 16 | seq;
}

static size_t rtp_hlen(const uint8_t *p, size_t len)
{
	size_t h = RTP_HLEN + 4 * (p[0] & 0x0f);

	if (len < RTP_HLEN || h > len)
		return 0;
	if (p[0] & 0x10) {
		if (h + 4 > len)
			return 0;
		h += 4 + 4 * ((size_t)p[h + 2] << 8 | p[h + 3]);
	}
	return h <= len ? h : 0;
}

/* The first n bytes of HMAC-SHA1(k_a, data || [ROC]) (RFC 3711 4.2). */
static int tag_of(const uint8_t *k_a, const uint8_t *data, size_t len,
		  const uint32_t *roc, uint8_t *tag, size_t n)
{
	uint8_t buf[REF_PKT_MAX + 4];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (len > REF_PKT_MAX)
		return -EMSGSIZE;
	memcpy(buf, data, len);
	if (roc) {
		put32(buf + len, *roc);
		len += 4;
	}
	if (!HMAC(EVP_sha1(), k_a, REF_AUTH_LEN, buf, len, md, &mdlen) ||
	    mdlen < n)
		return -EINVAL;
	memcpy(tag, md, n);
	return 0;
}

static bool tags_differ(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d;
}

int kmt_ref_protect(struct kmt_ref *s, const void *in, size_t len, void *out,
		    size_t cap, size_t *outlen)
{
	size_t tag_len = s->suite->rtp_tag;
	size_t hlen, total = len + s->mki_len + tag_len;
	struct ref_ssrc *st;
	uint8_t *pkt = out;
	uint64_t index;
	uint32_t roc;

	if (total > cap || len > REF_PKT_MAX)
		return -EMSGSIZE;
	memmove(pkt, in, len);
	hlen = rtp_hlen(pkt, len);
	if (!hlen)
		return -EINVAL;
	st = stream_of(s, get32(pkt + 8));
	if (!st)
		return -ENOENT;
	index = rtp_index(st, (uint16_t)(pkt[2] << 8 | pkt[3]));
	if (!st->started || index > st->top)
		st->top = index;
	st->started = true;
	roc = index >> 16;

	if (ref_crypt(s, false, pkt, index, pkt + hlen, len - hlen))
		return -EINVAL;
	/* the MKI is not authenticated (RFC 3711 3.1) */
	memcpy(pkt + len, s->mki, s->mki_len);
	if (tag_of(s->rtp.k_a, pkt, len, &roc, pkt + len + s->mki_len,
		   tag_len))
		return -EINVAL;
	*outlen = total;
	return 0;
}

int kmt_ref_unprotect(struct kmt_ref *s, const void *in, size_t len,
		      void *out, size_t cap, size_t *outlen)
{
	size_t tag_len = s->suite->rtp_tag;
	size_t trailer = s->mki_len + tag_len, plen, hlen;
	uint8_t *pkt = out, tag[REF_TAG_MAX];
	struct ref_ssrc *st;
	uint64_t index;
	uint32_t roc;

	if (len > cap || len > REF_PKT_MAX)
		return -EMSGSIZE;
	if (len < RTP_HLEN + trailer)
		return -EINVAL;
	memmove(pkt, in, len);
	plen = len - trailer;
	hlen = rtp_hlen(pkt, plen);
	if (!hlen)
		return -EINVAL;
	if (memcmp(pkt + plen, s->mki, s->mki_len))
		return -ENOKEY;
	st = stream_of(s, get32(pkt + 8));
	if (!st)
		return -ENOENT;
	index = rtp_index(st, (uint16_t)(pkt[2] << 8 | pkt[3]));
	if (replayed(s, st->started, st->top, st->seen, index))
		return -EALREADY;
	roc = index >> 16;
	if (tag_of(s->rtp.k_a, pkt, plen, &roc, tag, tag_len) ||
	    tags_differ(tag, pkt + plen + s->mki_len, tag_len))
		return -EBADMSG;
	if (ref_crypt(s, false, pkt, index, pkt + hlen, plen - hlen))
		return -EINVAL;
	accept_index(s, &st->started, &st->top, st->seen, index);
	*outlen = plen;
	return 0;
}

int kmt_ref_protect_rtcp(struct kmt_ref *s, const void *in, size_t len,
			 void *out, size_t cap, size_t *outlen)
{
	size_t total = len + 4 + s->mki_len + REF_RTCP_TAG;
	struct ref_ssrc *st;
	uint8_t *pkt = out;
	uint32_t word;

	if (total > cap || len > REF_PKT_MAX)
		return -EMSGSIZE;
	if (len < RTCP_HLEN)
		return -EINVAL;
	memmove(pkt, in, len);
	st = stream_of(s, get32(pkt + 4));
	if (!st)
		return -ENOENT;
	/* one more per packet sent, modulo 2^31; from 1 like libsrtp2 */
	st->rtcp_top = ((st->rtcp_started ? st->rtcp_top : 0) + 1) & ~E_BIT;
	st->rtcp_started = true;
	word = E_BIT | (uint32_t)st->rtcp_top;

	if (ref_crypt(s, true, pkt, word, pkt + RTCP_HLEN, len - RTCP_HLEN))
		return -EINVAL;
	/* ... E || SRTCP index, MKI, tag over all but MKI and tag */
	put32(pkt + len, word);
	memcpy(pkt + len + 4, s->mki, s->mki_len);
	if (tag_of(s->rtcp.k_a, pkt, len + 4, NULL,
		   pkt + len + 4 + s->mki_len, REF_RTCP_TAG))
		return -EINVAL;
	*outlen = total;
	return 0;
}

int kmt_ref_unprotect_rtcp(struct kmt_ref *s, const void *in, size_t len,
			   void *out, size_t cap, size_t *outlen)
{
	size_t trailer = 4 + s->mki_len + REF_RTCP_TAG, word_at;
	uint8_t *pkt = out, tag[REF_RTCP_TAG];
	struct ref_ssrc *st;
	uint32_t word;
	uint64_t index;

	if (len > cap || len > REF_PKT_MAX)
		return -EMSGSIZE;
	if (len < RTCP_HLEN + trailer)
		return -EINVAL;
	memmove(pkt, in, len);
	word_at = len - trailer;
	if (memcmp(pkt + word_at + 4, s->mki, s->mki_len))
		return -ENOKEY;
	st = stream_of(s, get32(pkt + 4));
	if (!st)
		return -ENOENT;
	word = get32(pkt + word_at);
	index = word & ~E_BIT;
	if (replayed(s, st->rtcp_started, st->rtcp_top, st->rtcp_seen, index))
		return -EALREADY;
	if (tag_of(s->rtcp.k_a, pkt, word_at + 4, NULL, tag, REF_RTCP_TAG) ||
	    tags_differ(tag, pkt + word_at + 4 + s->mki_len, REF_RTCP_TAG))
		return -EBADMSG;
	if ((word & E_BIT) &&
	    ref_crypt(s, true, pkt, word, pkt + RTCP_HLEN, word_at - RTCP_HLEN))
		return -EINVAL;
	accept_index(s, &st->rtcp_started, &st->rtcp_top, st->rtcp_seen,
		     index);
	*outlen = word_at;
	return 0;
}

int kmt_ref_set_roc(struct kmt_ref *s, uint32_t ssrc, uint32_t roc)
{
	struct ref_ssrc *st = stream_of(s, ssrc);

	if (!st)
		return -ENOENT;
	st->roc0 = roc;
	if (st->started)
		st->top = (uint64_t)roc << 16 | (st->top & 0xffff);
	return 0;
}

int kmt_ref_get_roc(struct kmt_ref *s, uint32_t ssrc, uint32_t *roc)
{
	struct ref_ssrc *st;

	for (st = s->streams; st; st = st->next) {
		if (st->ssrc == ssrc) {
			*roc = st->started ? (uint32_t)(st->top >> 16) :
					     st->roc0;
			return 0;
		}
	}
	return -ENOENT;
}
