// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: SRTP and SRTCP (RFC 3711, RFC 7714 for AES-GCM) packet transforms
 * for one direction of one stream.
 *
 * Protecting and unprotecting work in place in the (linearized, private)
 * skb and need no allocation. This file knows the packet layouts (where
 * the header, MKI, tag and SRTCP index are) and the order of the steps:
 * index estimate and early replay check (srtp_replay.c), authentication and
 * decryption (srtp_cipher.c), then commit of the index. Contexts and their
 * keys come from srtp_key.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "srtp_internal.h"

/* A burst: this many authentication failures before an event. */
#define KMEDIA_SRTP_FAIL_BURST	8

/*
 * Make the whole datagram private and linear: it is decrypted or encrypted
 * in place, and hashed as one buffer.
 */
static int kmedia_srtp_writable(struct sk_buff *skb, unsigned int extra)
{
	if (skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	if (skb_tailroom(skb) < extra &&
	    pskb_expand_head(skb, 0, extra - skb_tailroom(skb), GFP_ATOMIC))
		return -ENOMEM;
	return 0;
}

/* Length of the RTP header (fixed part, CSRCs, extension), or 0 if bad. */
static unsigned int kmedia_rtp_hlen(const u8 *pkt, unsigned int len)
{
	unsigned int hlen = KMEDIA_RTP_HLEN + 4 * (pkt[0] & 0x0f);

	if (hlen > len)
		return 0;
	if (pkt[0] & 0x10) {
		if (hlen + 4 > len)
			return 0;
		hlen += 4 + 4 * ((pkt[hlen + 2] << 8) | pkt[hlen + 3]);
		if (hlen > len)
			return 0;
	}
	return hlen;
}

static enum kmedia_srtp_err kmedia_srtp_unprotect_rtp(struct kmedia_srtp *ctx,
						      struct sk_buff *skb,
						      u8 *pkt, unsigned int len)
{
	unsigned int trailer = ctx->mki_len + ctx->tag_len;
	unsigned int hlen, plen, mki_at;
	u32 ssrc, roc;
	bool fresh;
	u64 index;

	if (len < KMEDIA_RTP_HLEN + trailer)
		return KMEDIA_SRTP_ERR_SHORT;
	/* RFC 3711: payload, MKI, tag; RFC 7714: payload and tag, MKI. */
	plen = len - trailer;
	mki_at = ctx->aead_mode ? len - ctx->mki_len : plen;
	hlen = kmedia_rtp_hlen(pkt, plen);
	if (!hlen)
		return KMEDIA_SRTP_ERR_SHORT;
	if (ctx->mki_len && memcmp(pkt + mki_at, ctx->mki, ctx->mki_len))
		return KMEDIA_SRTP_ERR_MKI;
	ssrc = kmedia_get_be32(pkt + 8);
	if (!kmedia_srtp_rtp_index(ctx, ssrc, (pkt[2] << 8) | pkt[3], &index,
				   &fresh))
		return KMEDIA_SRTP_ERR_REPLAY;

	roc = index >> 16;
	if (ctx->aead_mode) {
		if (kmedia_srtp_gcm_rtp(ctx, pkt, ssrc, index, hlen,
					plen - hlen + ctx->tag_len, false))
			return KMEDIA_SRTP_ERR_AUTH;
	} else {
		if (!kmedia_srtp_tag_ok(ctx, pkt, plen, true, roc,
					pkt + plen + ctx->mki_len))
			return KMEDIA_SRTP_ERR_AUTH;
		if (kmedia_srtp_crypt_rtp(ctx, pkt, hlen, plen, ssrc, index))
			return KMEDIA_SRTP_ERR_AUTH;
	}

	if (!kmedia_srtp_accept(ctx, ssrc, index, fresh, true))
		return KMEDIA_SRTP_ERR_REPLAY;

	skb_trim(skb, skb->len - trailer);
	return KMEDIA_SRTP_OK;
}

static enum kmedia_srtp_err kmedia_srtp_unprotect_rtcp(struct kmedia_srtp *ctx,
						       struct sk_buff *skb,
						       u8 *pkt, unsigned int len)
{
	unsigned int trailer = 4 + ctx->mki_len + ctx->tag_len;
	unsigned int word_at, mki_at;
	u32 ssrc, word;
	u64 index;
	bool fresh;

	if (len < KMEDIA_RTCP_HLEN + trailer)
		return KMEDIA_SRTP_ERR_SHORT;
	/* RFC 3711: E|index, MKI, tag; RFC 7714: tag, E|index, MKI. */
	if (ctx->aead_mode) {
		mki_at = len - ctx->mki_len;
		word_at = mki_at - 4;
	} else {
		word_at = len - ctx->tag_len - ctx->mki_len - 4;
		mki_at = word_at + 4;
	}
	if (ctx->mki_len && memcmp(pkt + mki_at, ctx->mki, ctx->mki_len))
		return KMEDIA_SRTP_ERR_MKI;
	word = kmedia_get_be32(pkt + word_at);
	index = word & KMEDIA_SRTCP_INDEX_MASK;
	ssrc = kmedia_get_be32(pkt + 4);
	if (!kmedia_srtcp_index_ok(ctx, index, &fresh))
		return KMEDIA_SRTP_ERR_REPLAY;

	if (ctx->aead_mode) {
		/* Unencrypted SRTCP (E = 0) under GCM is not supported. */
		if (!(word & KMEDIA_SRTCP_E_BIT) ||
		    kmedia_srtcp_gcm(ctx, pkt, ssrc, index, word,
				     word_at - KMEDIA_RTCP_HLEN, false))
			return KMEDIA_SRTP_ERR_AUTH;
	} else {
		if (!kmedia_srtp_tag_ok(ctx, pkt, word_at + 4, false, 0,
					pkt + mki_at + ctx->mki_len))
			return KMEDIA_SRTP_ERR_AUTH;
		if ((word & KMEDIA_SRTCP_E_BIT) &&
		    kmedia_srtcp_crypt(ctx, pkt, word_at, ssrc, word))
			return KMEDIA_SRTP_ERR_AUTH;
	}

	if (!kmedia_srtp_accept(ctx, ssrc, index, fresh, false))
		return KMEDIA_SRTP_ERR_REPLAY;

	skb_trim(skb, skb->len - trailer);
	return KMEDIA_SRTP_OK;
}

/**
 * kmedia_srtp_unprotect - authenticate, replay-check and decrypt in place
 * @ctx: the stream's inbound context
 * @skb: the datagram; on success its tail (MKI, tag, SRTCP index) is gone
 * @offset: where the SRTP/SRTCP packet starts in the skb's data
 *
 * Return: KMEDIA_SRTP_OK or why the packet must be dropped.
 */
enum kmedia_srtp_err kmedia_srtp_unprotect(struct kmedia_srtp *ctx,
					   struct sk_buff *skb,
					   unsigned int offset)
{
	if (kmedia_srtp_writable(skb, 0))
		return KMEDIA_SRTP_ERR_SHORT;
	if (ctx->rtcp)
		return kmedia_srtp_unprotect_rtcp(ctx, skb, skb->data + offset,
						  skb->len - offset);
	return kmedia_srtp_unprotect_rtp(ctx, skb, skb->data + offset,
					 skb->len - offset);
}

static enum kmedia_srtp_err kmedia_srtp_protect_rtp(struct kmedia_srtp *ctx,
						    struct sk_buff *skb,
						    unsigned int offset)
{
	unsigned int len = skb->len - offset;
	unsigned int hlen;
	u8 *pkt, *tail;
	u32 ssrc;
	u64 index;
	u16 seq;

	pkt = skb->data + offset;
	hlen = kmedia_rtp_hlen(pkt, len);
	if (!hlen)
		return KMEDIA_SRTP_ERR_PROTECT;
	ssrc = kmedia_get_be32(pkt + 8);
	seq = (pkt[2] << 8) | pkt[3];
	index = kmedia_srtp_rtp_send_index(ctx, ssrc, seq);

	tail = skb_put(skb, ctx->mki_len + ctx->tag_len);
	if (ctx->aead_mode) {
		if (kmedia_srtp_gcm_rtp(ctx, pkt, ssrc, index, hlen, len - hlen,
					true))
			return KMEDIA_SRTP_ERR_PROTECT;
		memcpy(tail + ctx->tag_len, ctx->mki, ctx->mki_len);
		return KMEDIA_SRTP_OK;
	}
	if (kmedia_srtp_crypt_rtp(ctx, pkt, hlen, len, ssrc, index))
		return KMEDIA_SRTP_ERR_PROTECT;
	memcpy(tail, ctx->mki, ctx->mki_len);
	return kmedia_srtp_tag_put(ctx, pkt, len, true, index >> 16,
				   tail + ctx->mki_len);
}

static enum kmedia_srtp_err kmedia_srtp_protect_rtcp(struct kmedia_srtp *ctx,
						     struct sk_buff *skb,
						     unsigned int offset)
{
	unsigned int len = skb->len - offset;
	u8 *pkt, *tail;
	u32 ssrc, word;
	u64 index;

	if (len < KMEDIA_RTCP_HLEN)
		return KMEDIA_SRTP_ERR_PROTECT;
	pkt = skb->data + offset;
	ssrc = kmedia_get_be32(pkt + 4);
	index = kmedia_srtcp_send_index(ctx);

	if (ctx->aead_mode) {
		word = index | KMEDIA_SRTCP_E_BIT;
		tail = skb_put(skb, ctx->tag_len + 4 + ctx->mki_len);
		if (kmedia_srtcp_gcm(ctx, pkt, ssrc, index, word,
				     len - KMEDIA_RTCP_HLEN, true))
			return KMEDIA_SRTP_ERR_PROTECT;
		kmedia_put_be32(tail + ctx->tag_len, word);
		memcpy(tail + ctx->tag_len + 4, ctx->mki, ctx->mki_len);
		return KMEDIA_SRTP_OK;
	}
	/* E is set unless the cipher is NULL */
	word = index | (ctx->cipher || ctx->f8 ? KMEDIA_SRTCP_E_BIT : 0);
	if (kmedia_srtcp_crypt(ctx, pkt, len, ssrc, word))
		return KMEDIA_SRTP_ERR_PROTECT;
	tail = skb_put(skb, 4 + ctx->mki_len + ctx->tag_len);
	kmedia_put_be32(tail, word);
	memcpy(tail + 4, ctx->mki, ctx->mki_len);
	return kmedia_srtp_tag_put(ctx, pkt, len + 4, false, 0,
				   tail + 4 + ctx->mki_len);
}

/**
 * kmedia_srtp_protect - encrypt and authenticate in place
 * @ctx: the stream's outbound context
 * @skb: the datagram; on success it grows by the SRTP/SRTCP trailer
 * @offset: where the RTP/RTCP packet starts in the skb's data
 *
 * Return: KMEDIA_SRTP_OK or KMEDIA_SRTP_ERR_PROTECT.
 */
enum kmedia_srtp_err kmedia_srtp_protect(struct kmedia_srtp *ctx,
					 struct sk_buff *skb,
					 unsigned int offset)
{
	unsigned int extra = ctx->mki_len + ctx->tag_len + (ctx->rtcp ? 4 : 0);

	if (kmedia_srtp_writable(skb, extra))
		return KMEDIA_SRTP_ERR_PROTECT;
	if (ctx->rtcp)
		return kmedia_srtp_protect_rtcp(ctx, skb, offset);
	return kmedia_srtp_protect_rtp(ctx, skb, offset);
}

/**
 * kmedia_srtp_fail_burst - account an authentication failure
 * @ctx: the inbound context
 * @count: failures in the burst, when this returns true
 *
 * Return: true when the failures since the last report make a burst and
 * the last report is at least a second old: time to raise an event.
 */
bool kmedia_srtp_fail_burst(struct kmedia_srtp *ctx, u32 *count)
{
	bool burst = false;

	if (atomic_inc_return(&ctx->fail_count) < KMEDIA_SRTP_FAIL_BURST ||
	    time_before(jiffies, READ_ONCE(ctx->fail_next)))
		return false;
	spin_lock(&ctx->lock);
	if (!time_before(jiffies, ctx->fail_next)) {
		WRITE_ONCE(ctx->fail_next, jiffies + HZ);
		*count = atomic_xchg(&ctx->fail_count, 0);
		burst = true;
	}
	spin_unlock(&ctx->lock);
	return burst;
}

int __init kmedia_srtp_init(void)
{
	int err;

	err = kmedia_srtp_scratch_init();
	if (err)
		return err;
	err = kmedia_srtp_key_init();
	if (err)
		kmedia_srtp_scratch_free();
	return err;
}

void kmedia_srtp_exit(void)
{
	kmedia_srtp_key_exit();
	kmedia_srtp_scratch_free();
}
