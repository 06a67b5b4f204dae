// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: SRTP known-answer tests, run at load with selftest=1.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/skcipher.h>
#include <linux/string.h>

#include "srtp.h"

/*
 * Known answers: RFC 3711 B.3 (key derivation) and B.2 (AES-CM keystream,
 * through the same counter-mode path packets take).
 */
static const u8 kmedia_kat_master_key[16] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
	0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
};

static const u8 kmedia_kat_master_salt[14] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static const u8 kmedia_kat_cipher_key[16] = {
	0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee,
	0x10, 0x73, 0x4a, 0xfe, 0x3f, 0xf7, 0xa0, 0x87,
};

static const u8 kmedia_kat_cipher_salt[14] = {
	0x30, 0xcb, 0xbc, 0x08, 0x86, 0x3d, 0x8c, 0x85,
	0xd4, 0x9d, 0xb3, 0x4a, 0x9a, 0xe1,
};

static const u8 kmedia_kat_auth_key[20] = {
	0xce, 0xbe, 0x32, 0x1f, 0x6f, 0xf7, 0x71, 0x6b, 0x6f, 0xd4,
	0xab, 0x49, 0xaf, 0x25, 0x6a, 0x15, 0x6d, 0x38, 0xba, 0xa4,
};

static const u8 kmedia_kat_cm_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

static const u8 kmedia_kat_cm_salt[14] = {
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd,
};

static const u8 kmedia_kat_cm_keystream[48] = {
	0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80,
	0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
	0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7,
	0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
	0x41, 0xe9, 0x5b, 0x3b, 0xb0, 0xa2, 0xe8, 0xdd,
	0x47, 0x79, 0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0,
};

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

/**
 * kmedia_srtp_selftest - run the known-answer tests
 *
 * Return: 0 when they pass, -EINVAL (logged) when one fails.
 */
int __init kmedia_srtp_selftest(void)
{
	if (!kmedia_srtp_selftest_kdf()) {
		pr_err("srtp self-test: RFC 3711 B.3 key derivation: FAIL\n");
		return -EINVAL;
	}
	if (!kmedia_srtp_selftest_cm()) {
		pr_err("srtp self-test: RFC 3711 B.2 AES-CM keystream: FAIL\n");
		return -EINVAL;
	}
	pr_info("srtp self-tests: pass\n");
	return 0;
}

