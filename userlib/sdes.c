// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmedia: SDES (RFC 4568) helpers, between the crypto-suite and
 * key-params of an SDP a=crypto line and a struct kmedia_srtp.
 *
 *   a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]
 *   key-params = "inline:" <base64(key || salt)> ["|" lifetime] ["|" MKI ":" length]
 *
 * Base64 goes through libsodium (standard alphabet, padding required, no
 * whitespace); decoded keys are wiped before the functions return.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "internal.h"

/* Longest mki-length SDES allows (RFC 4568, section 9.2). */
#define SDES_MKI_LEN_MAX 128
/* Longest key lifetime, packets: the SRTP index is 48 bits (RFC 3711). */
#define SDES_LIFETIME_MAX (UINT64_C(1) << 48)

static const struct {
	const char *name;
	enum kmedia_srtp_suite suite;
} suite_names[] = {
	/* Canonical names first: kmedia_srtp_suite_name() returns these. */
	{ "AES_CM_128_HMAC_SHA1_80", KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80 },
	{ "AES_CM_128_HMAC_SHA1_32", KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32 },
	{ "AES_192_CM_HMAC_SHA1_80", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80 },
	{ "AES_192_CM_HMAC_SHA1_32", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32 },
	{ "AES_256_CM_HMAC_SHA1_80", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80 },
	{ "AES_256_CM_HMAC_SHA1_32", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32 },
	{ "AEAD_AES_128_GCM", KMEDIA_SRTP_AEAD_AES_128_GCM },
	{ "AEAD_AES_256_GCM", KMEDIA_SRTP_AEAD_AES_256_GCM },
	{ "NULL_HMAC_SHA1_80", KMEDIA_SRTP_NULL_HMAC_SHA1_80 },
	{ "NULL_HMAC_SHA1_32", KMEDIA_SRTP_NULL_HMAC_SHA1_32 },
	{ "F8_128_HMAC_SHA1_80", KMEDIA_SRTP_F8_128_HMAC_SHA1_80 },
	/* Spellings some endpoints send for the RFC 6188 suites. */
	{ "AES_CM_192_HMAC_SHA1_80", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80 },
	{ "AES_CM_192_HMAC_SHA1_32", KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32 },
	{ "AES_CM_256_HMAC_SHA1_80", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80 },
	{ "AES_CM_256_HMAC_SHA1_32", KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32 },
};

#define N_SUITE_NAMES (sizeof(suite_names) / sizeof(suite_names[0]))

int kmedia_srtp_suite_from_name(const char *name)
{
	size_t i;

	if (!name)
		return -EINVAL;
	/* RFC 4568's grammar gives the names as ABNF literals, which are
	 * case-insensitive.
	 */
	for (i = 0; i < N_SUITE_NAMES; i++)
		if (!strcasecmp(name, suite_names[i].name))
			return suite_names[i].suite;
	return -EINVAL;
}

const char *kmedia_srtp_suite_name(enum kmedia_srtp_suite suite)
{
	size_t i;

	for (i = 0; i < N_SUITE_NAMES; i++)
		if (suite_names[i].suite == suite)
			return suite_names[i].name;
	return NULL;
}

/* Decimal digits s[0..len) to *valp, refusing values above max. */
static int parse_decimal(const char *s, size_t len, uint64_t max,
			 uint64_t *valp)
{
	uint64_t val = 0;
	size_t i;

	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (val > (max - (s[i] - '0')) / 10)
			return -EINVAL;
		val = val * 10 + (s[i] - '0');
	}
	*valp = val;
	return 0;
}

/* lifetime = ["2^"] 1*DIGIT: packets under one key, 1 to 2^48. */
static int parse_lifetime(const char *s, size_t len)
{
	uint64_t val;

	if (len > 2 && s[0] == '2' && s[1] == '^')
		return parse_decimal(s + 2, len - 2, 48, &val);
	if (parse_decimal(s, len, SDES_LIFETIME_MAX, &val) || !val)
		return -EINVAL;
	return 0;
}

/*
 * mki = mki-value ":" mki-length: a decimal value, written big-endian in
 * mki-length (1 to 128) bytes, which must hold it.
 */
static int parse_mki(const char *s, size_t len, uint8_t *mki, size_t *mki_len)
{
	const char *colon = memchr(s, ':', len);
	size_t digits, i, j;
	uint64_t n;

	if (!colon)
		return -EINVAL;
	digits = colon - s;
	if (!digits || parse_decimal(colon + 1, len - digits - 1,
				     SDES_MKI_LEN_MAX, &n) ||
	    len - digits - 1 > 3 || !n)
		return -EINVAL;
	if (n > KMEDIA_SRTP_MKI_MAX)
		return -EOPNOTSUPP;
	memset(mki, 0, n);
	for (i = 0; i < digits; i++) {
		unsigned int carry;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		carry = s[i] - '0';
		for (j = n; j-- > 0;) {
			carry += mki[j] * 10;
			mki[j] = carry & 0xff;
			carry >>= 8;
		}
		if (carry)
			return -EINVAL;	/* does not fit in n bytes */
	}
	*mki_len = n;
	return 0;
}

int kmedia_srtp_set_inline(struct kmedia_srtp *ctx, const char *suite_name,
			   const char *key_params)
{
	uint8_t keysalt[KMD_SRTP_KEY_MAX + KMD_SRTP_SALT_MAX];
	uint8_t mki[KMEDIA_SRTP_MKI_MAX];
	const char *p, *b64, *b64_end, *field, *end;
	size_t key_len, salt_len, bin_len, mki_len = 0;
	int suite, err, fields = 0;
	bool have_mki = false;

	suite = kmedia_srtp_suite_from_name(suite_name);
	if (suite < 0 || !key_params)
		return -EINVAL;
	kmd_srtp_suite_sizes(suite, &key_len, &salt_len);
	if (strncasecmp(key_params, "inline:", 7))
		return -EINVAL;
	/* Several master keys (RFC 4568, 6.1): one context holds one. */
	if (strchr(key_params, ';'))
		return -EOPNOTSUPP;

	b64 = key_params + 7;
	b64_end = strchr(b64, '|');
	if (!b64_end)
		b64_end = b64 + strlen(b64);
	/* Then at most a lifetime and an MKI, in that order. */
	p = *b64_end ? b64_end : NULL;
	while (p) {
		field = p + 1;
		p = strchr(field, '|');
		end = p ? p : field + strlen(field);
		if (++fields > 2 || have_mki)
			return -EINVAL;
		if (memchr(field, ':', end - field)) {
			err = parse_mki(field, end - field, mki, &mki_len);
			if (err)
				goto out;
			have_mki = true;
		} else if (fields > 1 || parse_lifetime(field, end - field)) {
			return -EINVAL;
		}
	}

	if (sodium_base642bin(keysalt, key_len + salt_len, b64, b64_end - b64,
			      NULL, &bin_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    bin_len != key_len + salt_len) {
		err = -EINVAL;
		goto out;
	}

	/* Only now, with everything checked, does the context change. */
	err = kmedia_srtp_set_suite(ctx, suite);
	if (!err)
		err = kmedia_srtp_set_key(ctx, keysalt, key_len,
					  keysalt + key_len, salt_len);
	if (!err && have_mki)
		err = kmedia_srtp_set_mki(ctx, mki, mki_len);
	else if (!err)
		kmedia_srtp_unset(ctx, KMEDIA_SRTP_A_MKI);
out:
	sodium_memzero(keysalt, sizeof(keysalt));
	return err;
}

/* The big-endian number mki[0..len) in decimal; returns the digits. */
static size_t mki_decimal(const uint8_t *mki, size_t len, char *out)
{
	uint8_t num[KMEDIA_SRTP_MKI_MAX];
	char rev[3 * KMEDIA_SRTP_MKI_MAX];
	size_t n = 0, i;
	bool zero;

	memcpy(num, mki, len);
	do {
		unsigned int rem = 0;

		zero = true;
		for (i = 0; i < len; i++) {
			rem = rem * 256 + num[i];
			num[i] = rem / 10;
			rem %= 10;
			if (num[i])
				zero = false;
		}
		rev[n++] = '0' + rem;
	} while (!zero);
	for (i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

int kmedia_srtp_format_inline(const struct kmedia_srtp *ctx, char *buf,
			      size_t len)
{
	char out[KMEDIA_SRTP_INLINE_MAX];
	uint8_t keysalt[KMD_SRTP_KEY_MAX + KMD_SRTP_SALT_MAX];
	size_t n, bin_len;
	int ret;

	if ((ctx->present & KMD_SRTP_KEYS) != KMD_SRTP_KEYS)
		return -ENOKEY;
	bin_len = ctx->key_len + ctx->salt_len;
	memcpy(keysalt, ctx->key, ctx->key_len);
	memcpy(keysalt + ctx->key_len, ctx->salt, ctx->salt_len);
	memcpy(out, "inline:", 7);
	sodium_bin2base64(out + 7, sizeof(out) - 7, keysalt, bin_len,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(keysalt, sizeof(keysalt));
	n = strlen(out);
	if (kmedia_srtp_has(ctx, KMEDIA_SRTP_A_MKI)) {
		out[n++] = '|';
		n += mki_decimal(ctx->mki, ctx->mki_len, out + n);
		n += sprintf(out + n, ":%u", (unsigned int)ctx->mki_len);
	}
	if (n + 1 > len) {
		ret = -ENOSPC;
	} else {
		memcpy(buf, out, n + 1);
		ret = n;
	}
	sodium_memzero(out, sizeof(out));
	return ret;
}
