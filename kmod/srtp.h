/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: SRTP and SRTCP crypto contexts (RFC 3711).
 */
#ifndef _KMEDIA_SRTP_H
#define _KMEDIA_SRTP_H

#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/kmedia.h>

struct crypto_aead;
struct crypto_shash;
struct kmedia_srtp_f8;
struct crypto_sync_skcipher;
struct netlink_ext_ack;
struct sk_buff;

#define KMEDIA_SRTP_SALT_LEN	14
#define KMEDIA_SRTP_AUTH_KEY_LEN 20
#define KMEDIA_SRTP_MAX_KEY_LEN	32
#define KMEDIA_SRTP_BLOCK_LEN	16

/* RFC 3711 4.3.1 key derivation labels; SRTCP's are these plus 3. */
enum {
	KMEDIA_LABEL_ENCRYPTION,
	KMEDIA_LABEL_AUTH,
	KMEDIA_LABEL_SALT,
	KMEDIA_LABEL_RTCP_OFFSET = 3,
};

/* Why a packet could not be unprotected or protected. */
enum kmedia_srtp_err {
	KMEDIA_SRTP_OK,
	KMEDIA_SRTP_ERR_SHORT,
	KMEDIA_SRTP_ERR_MKI,
	KMEDIA_SRTP_ERR_REPLAY,
	KMEDIA_SRTP_ERR_AUTH,
	KMEDIA_SRTP_ERR_PROTECT,
};

/**
 * struct kmedia_srtp_params - a context as requested over netlink
 * @suite: enum kmedia_srtp_suite
 * @master_key: the master key (wiped after use)
 * @key_len: its length
 * @master_salt: the master salt (wiped after use)
 * @salt_len: its length
 * @mki: master key identifier
 * @mki_len: its length, 0 for none
 * @has_ssrc: @ssrc was given
 * @ssrc: the SSRC @roc belongs to
 * @roc: initial rollover counter
 * @window: replay window, packets
 */
struct kmedia_srtp_params {
	u8 suite;
	u8 master_key[KMEDIA_SRTP_MAX_KEY_LEN];
	u8 key_len;
	u8 master_salt[KMEDIA_SRTP_SALT_LEN];
	u8 salt_len;
	u8 mki[KMEDIA_SRTP_MKI_MAX];
	u8 mki_len;
	bool has_ssrc;
	u32 ssrc;
	u32 roc;
	u32 window;
};

/**
 * struct kmedia_srtp_keys - the session keys of a context
 * @enc: encryption key
 * @enc_len: its length
 * @auth: HMAC-SHA1 key (not for AEAD suites)
 * @salt: session salt
 * @salt_len: its length
 */
struct kmedia_srtp_keys {
	u8 enc[KMEDIA_SRTP_MAX_KEY_LEN];
	u8 enc_len;
	u8 auth[KMEDIA_SRTP_AUTH_KEY_LEN];
	u8 salt[KMEDIA_SRTP_SALT_LEN];
	u8 salt_len;
};

/**
 * struct kmedia_srtp - one direction's crypto context for one stream
 * @suite: enum kmedia_srtp_suite
 * @rtcp: SRTCP (the stream carries RTCP) rather than SRTP
 * @tag_len: authentication tag length, bytes
 * @mki_len: MKI length, bytes
 * @mki: the MKI
 * @window: replay window, packets (a multiple of BITS_PER_LONG)
 * @aead_mode: an AEAD suite (AES-GCM, RFC 7714): @aead replaces @cipher
 *	and @auth, and the MKI follows the tag
 * @cipher: AES counter mode with the session key; NULL for the NULL cipher
 * @auth: HMAC-SHA1 keyed with the session authentication key
 * @aead: AES-GCM keyed with the session key
 * @f8: AES-f8's expanded keys, for F8_128_HMAC_SHA1_80
 * @salt: session salt
 * @lock: serializes updates of the per-SSRC state below; held for a few
 *	instructions per packet, and uncontended when, as usual, a flow's
 *	packets arrive on one CPU
 * @cfg_ssrc: the SSRC @cfg_roc belongs to, if @cfg_has_ssrc
 * @cfg_has_ssrc: @cfg_ssrc is set
 * @cfg_roc: configured initial ROC
 * @started: the per-SSRC state below is valid
 * @ssrc: SSRC of the current sender
 * @roc: rollover counter (SRTP)
 * @s_l: highest sequence number seen (SRTP)
 * @top: highest index accepted (SRTP: ROC << 16 | SEQ; SRTCP: its index)
 * @replay: bit i set when index top - i was accepted
 * @fail_count: authentication failures since the last event
 * @fail_next: jiffies before which no further failure event goes out
 * @refcount: configurations sharing the context (a change without SRTP
 *	attributes keeps it, state included)
 * @free_work: frees the crypto transforms in process context
 */
struct kmedia_srtp {
	u8 suite;
	bool rtcp;
	u8 tag_len;
	u8 mki_len;
	u8 mki[KMEDIA_SRTP_MKI_MAX];
	u32 window;
	bool aead_mode;
	struct crypto_sync_skcipher *cipher;
	struct crypto_shash *auth;
	struct crypto_aead *aead;
	struct kmedia_srtp_f8 *f8;
	u8 salt[KMEDIA_SRTP_SALT_LEN];

	spinlock_t lock;	/* the per-SSRC state, see above */
	u32 cfg_ssrc;
	bool cfg_has_ssrc;
	u32 cfg_roc;
	bool started;
	u32 ssrc;
	u32 roc;
	u16 s_l;
	u64 top;
	unsigned long *replay;

	atomic_t fail_count;
	unsigned long fail_next;

	struct kref refcount;
	struct work_struct free_work;
};

struct kmedia_srtp *kmedia_srtp_create(const struct kmedia_srtp_params *p,
				       bool rtcp,
				       struct netlink_ext_ack *extack);
void kmedia_srtp_get(struct kmedia_srtp *ctx);
void kmedia_srtp_put(struct kmedia_srtp *ctx);

enum kmedia_srtp_err kmedia_srtp_unprotect(struct kmedia_srtp *ctx,
					   struct sk_buff *skb,
					   unsigned int offset);
enum kmedia_srtp_err kmedia_srtp_protect(struct kmedia_srtp *ctx,
					 struct sk_buff *skb,
					 unsigned int offset);
bool kmedia_srtp_fail_burst(struct kmedia_srtp *ctx, u32 *count);
void kmedia_srtp_state(struct kmedia_srtp *ctx, u32 *ssrc, u32 *roc,
		       u32 *index, bool *started);

/* building blocks, exported to the self-test */
struct kmedia_srtp *kmedia_srtp_create_keyed(const struct kmedia_srtp_params *p,
					     bool rtcp,
					     const struct kmedia_srtp_keys *k);
int kmedia_srtp_f8_setkey(struct kmedia_srtp_f8 *f8, const u8 *key,
			  unsigned int key_len, const u8 *salt,
			  unsigned int salt_len);
void kmedia_srtp_f8(const struct kmedia_srtp_f8 *f8,
		    const u8 iv[KMEDIA_SRTP_BLOCK_LEN], u8 *data,
		    unsigned int len);
void kmedia_srtp_f8_rtp_iv(const u8 *pkt, u32 roc,
			   u8 iv[KMEDIA_SRTP_BLOCK_LEN]);
int kmedia_srtp_kdf(const struct kmedia_srtp_params *p, u8 label, u8 *out,
		    unsigned int len);
int kmedia_srtp_ctr(struct kmedia_srtp *ctx, u32 ssrc, u64 index, u8 *data,
		    unsigned int len);
int kmedia_srtp_selftest(void);
int kmedia_srtp_init(void);
void kmedia_srtp_exit(void);

#endif /* _KMEDIA_SRTP_H */
