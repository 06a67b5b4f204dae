// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host check of the SRTP known answers the module's self-test runs
 * (kmod/srtp_kat.h, the one copy both include), so that a mistyped table
 * cannot hide behind a kernel that agrees with it: every published byte is
 * recomputed here by code that shares nothing with the module.
 *  - RFC 3711 B.3 key derivation and B.2 AES-CM: OpenSSL's AES-CTR;
 *  - RFC 3711 B.1 AES-f8: the test-side reference of tests/lib/kmsrtp-ref.c
 *    (itself checked against libsrtp2 and the generated vectors of
 *    kmsrtp-kat.h, which come from a Python implementation, by
 *    tests/unit/srtp-ref.c);
 *  - RFC 7714 16-17 AES-GCM SRTP and SRTCP: OpenSSL's AES-GCM, with the
 *    IV and associated data built here from the RFC's description;
 *  - and libsrtp2, whose key derivation cannot be called alone, protects a
 *    packet under the B.3 master key into exactly what the B.3 session
 *    keys of the table give with OpenSSL's AES-CTR and HMAC-SHA1.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <srtp2/srtp.h>

#include "kselftest_harness.h"
#include "../lib/kmsrtp-ref.h"
#include "../../kmod/srtp_kat.h"

/* AES-CTR keystream (over zeros) or encryption of in, n bytes. */
static int ctr(const uint8_t *key, size_t key_len, const uint8_t iv[16],
	       const uint8_t *in, uint8_t *out, size_t n)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_ctr() :
			      EVP_aes_256_ctr();
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t zero[256] = { 0 };
	int len = 0, ok;

	ok = x && n <= sizeof(zero) &&
	     EVP_EncryptInit_ex(x, c, NULL, key, iv) &&
	     EVP_EncryptUpdate(x, out, &len, in ? in : zero, (int)n);
	EVP_CIPHER_CTX_free(x);
	return ok && (size_t)len == n ? 0 : -1;
}

TEST(rfc3711_b3_key_derivation)
{
	uint8_t out[20];

	ASSERT_EQ(0, kmt_ref_kdf(kmedia_kat_master_key, 16,
				 kmedia_kat_master_salt, 14, 0, out, 16));
	EXPECT_EQ(0, memcmp(out, kmedia_kat_cipher_key, 16));
	ASSERT_EQ(0, kmt_ref_kdf(kmedia_kat_master_key, 16,
				 kmedia_kat_master_salt, 14, 2, out, 14));
	EXPECT_EQ(0, memcmp(out, kmedia_kat_cipher_salt, 14));
	ASSERT_EQ(0, kmt_ref_kdf(kmedia_kat_master_key, 16,
				 kmedia_kat_master_salt, 14, 1, out, 20));
	EXPECT_EQ(0, memcmp(out, kmedia_kat_auth_key, 20));
}

TEST(rfc3711_b2_aes_cm_keystream)
{
	uint8_t iv[16] = { 0 }, out[sizeof(kmedia_kat_cm_keystream)];

	memcpy(iv, kmedia_kat_cm_salt, sizeof(kmedia_kat_cm_salt));
	ASSERT_EQ(0, ctr(kmedia_kat_cm_key, 16, iv, NULL, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(out, kmedia_kat_cm_keystream, sizeof(out)));
	/* the reference's AES-CM: IV of SSRC 0 and index 0, then keystream */
	kmt_ref_cm_iv(kmedia_kat_cm_salt, 0, 0, iv);
	memset(out, 0, sizeof(out));
	ASSERT_EQ(0, kmt_ref_cm_crypt(kmedia_kat_cm_key, 16, iv, out,
				      sizeof(out)));
	EXPECT_EQ(0, memcmp(out, kmedia_kat_cm_keystream, sizeof(out)));
}

TEST(rfc3711_b1_aes_f8)
{
	uint8_t iv[16], buf[sizeof(kmedia_kat_f8_rtp)];

	ASSERT_EQ(sizeof(kmedia_kat_f8_rtp), sizeof(kmedia_kat_f8_srtp));
	kmt_ref_f8_rtp_iv(kmedia_kat_f8_rtp, KMEDIA_KAT_F8_ROC, iv);
	EXPECT_EQ(0, memcmp(iv, kmedia_kat_f8_iv, 16));
	/* B.1's plaintext, as the RFC spells it */
	EXPECT_EQ(0, memcmp(kmedia_kat_f8_rtp + 12,
			    "pseudorandomness is the next best thing", 39));
	memcpy(buf, kmedia_kat_f8_rtp, sizeof(buf));
	ASSERT_EQ(0, kmt_ref_f8_crypt(kmedia_kat_f8_key, 16,
				      kmedia_kat_f8_salt,
				      sizeof(kmedia_kat_f8_salt), iv,
				      buf + 12, sizeof(buf) - 12));
	EXPECT_EQ(0, memcmp(buf, kmedia_kat_f8_srtp, sizeof(buf)));
}

/*
 * RFC 7714 8.1 / 9.1 with OpenSSL: IV = salt XOR (00 00 || SSRC || 48
 * bits of index); the associated data is the RTP header, or the RTCP
 * header and E || SRTCP index; the tag follows the ciphertext.
 */
static void gcm_check(struct __test_metadata *_metadata, size_t key_len,
		      bool rtcp, const uint8_t *plain, size_t plain_len,
		      const uint8_t *prot, size_t prot_len)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_gcm() :
			      EVP_aes_256_gcm();
	size_t hlen = rtcp ? 8 : 12, i;
	uint8_t iv[12] = { 0 }, aad[12], out[128];
	EVP_CIPHER_CTX *x;
	uint64_t index;
	int len = 0, fin = 0;

	memcpy(iv + 2, plain + (rtcp ? 4 : 8), 4);
	index = rtcp ? KMEDIA_KAT_GCM_SRTCP_INDEX :
		       (uint64_t)plain[2] << 8 | plain[3];	/* ROC 0 */
	for (i = 0; i < 6; i++)
		iv[6 + i] = index >> (40 - 8 * i);
	for (i = 0; i < 12; i++)
		iv[i] ^= kmedia_kat_gcm_salt[i];
	memcpy(aad, plain, hlen);
	if (rtcp) {
		aad[8] = 0x80;	/* E */
		aad[9] = index >> 16;
		aad[10] = index >> 8;
		aad[11] = index;
	}

	x = EVP_CIPHER_CTX_new();
	ASSERT_NE(NULL, x);
	ASSERT_EQ(1, EVP_EncryptInit_ex(x, c, NULL, NULL, NULL));
	ASSERT_EQ(1, EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL));
	ASSERT_EQ(1, EVP_EncryptInit_ex(x, NULL, NULL, kmedia_kat_gcm_key,
					iv));
	ASSERT_EQ(1, EVP_EncryptUpdate(x, NULL, &len, aad,
				       (int)(hlen + (rtcp ? 4 : 0))));
	memcpy(out, plain, hlen);
	ASSERT_EQ(1, EVP_EncryptUpdate(x, out + hlen, &len, plain + hlen,
				       (int)(plain_len - hlen)));
	ASSERT_EQ(1, EVP_EncryptFinal_ex(x, out + hlen + len, &fin));
	ASSERT_EQ(1, EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16,
					 out + plain_len));
	EVP_CIPHER_CTX_free(x);
	if (rtcp)
		memcpy(out + plain_len + 16, aad + 8, 4);
	ASSERT_EQ(prot_len, plain_len + 16 + (rtcp ? 4 : 0));
	EXPECT_EQ(0, memcmp(out, prot, prot_len));
}

TEST(rfc7714_aes_gcm_srtp_and_srtcp)
{
	gcm_check(_metadata, 16, false, kmedia_kat_gcm_rtp,
		  sizeof(kmedia_kat_gcm_rtp), kmedia_kat_gcm128_srtp,
		  sizeof(kmedia_kat_gcm128_srtp));
	gcm_check(_metadata, 32, false, kmedia_kat_gcm_rtp,
		  sizeof(kmedia_kat_gcm_rtp), kmedia_kat_gcm256_srtp,
		  sizeof(kmedia_kat_gcm256_srtp));
	gcm_check(_metadata, 16, true, kmedia_kat_gcm_rtcp,
		  sizeof(kmedia_kat_gcm_rtcp), kmedia_kat_gcm128_srtcp,
		  sizeof(kmedia_kat_gcm128_srtcp));
	gcm_check(_metadata, 32, true, kmedia_kat_gcm_rtcp,
		  sizeof(kmedia_kat_gcm_rtcp), kmedia_kat_gcm256_srtcp,
		  sizeof(kmedia_kat_gcm256_srtcp));
	/* "Gallia est omnis divisa in partes tres", as in the RFC */
	EXPECT_EQ(0, memcmp(kmedia_kat_gcm_rtp + 12,
			    "Gallia est omnis divisa in partes tres", 38));
}

/*
 * libsrtp2 with the B.3 master key and salt protects an RTP packet (SSRC,
 * SEQ and ROC 0) into what the table's session keys give: AES-CM with the
 * cipher key and salt, then HMAC-SHA1 with the authentication key.
 */
TEST(libsrtp2_derives_the_b3_session_keys)
{
	uint32_t pkt[64] = { 0 };
	uint8_t *b = (uint8_t *)pkt, want[64 + 10], iv[16] = { 0 };
	uint8_t key[30], md[EVP_MAX_MD_SIZE], auth[16 + 32 + 4];
	unsigned int mdlen = 0;
	srtp_policy_t pol;
	srtp_t session;
	int len = 12 + 32;
	size_t i;

	b[0] = 0x80;
	b[1] = 0x60;
	b[3] = 0x2a;			/* SEQ 42 */
	b[8] = 0x12;			/* SSRC 0x12345678 */
	b[9] = 0x34;
	b[10] = 0x56;
	b[11] = 0x78;
	for (i = 12; i < 44; i++)
		b[i] = (uint8_t)i;

	/* IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16) */
	memcpy(iv, kmedia_kat_cipher_salt, 14);
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= b[8 + i];
	iv[13] ^= 42;
	memcpy(want, b, 12);
	ASSERT_EQ(0, ctr(kmedia_kat_cipher_key, 16, iv, b + 12, want + 12,
			 32));
	memcpy(auth, want, 44);
	memset(auth + 44, 0, 4);	/* ROC */
	ASSERT_NE(NULL, HMAC(EVP_sha1(), kmedia_kat_auth_key, 20, auth, 48,
			     md, &mdlen));
	memcpy(want + 44, md, 10);

	ASSERT_EQ(srtp_err_status_ok, srtp_init());
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	memcpy(key, kmedia_kat_master_key, 16);
	memcpy(key + 16, kmedia_kat_master_salt, 14);
	pol.key = key;
	pol.ssrc.type = ssrc_any_outbound;
	ASSERT_EQ(srtp_err_status_ok, srtp_create(&session, &pol));
	ASSERT_EQ(srtp_err_status_ok, srtp_protect(session, pkt, &len));
	srtp_dealloc(session);
	ASSERT_EQ(54, len);
	EXPECT_EQ(0, memcmp(pkt, want, 54));
}

TEST_HARNESS_MAIN
