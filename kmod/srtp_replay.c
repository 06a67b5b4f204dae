// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: the per-SSRC state of an SRTP context, under ctx->lock.
 *
 * RFC 3711 3.3.1 and appendix A: the index of an incoming packet is
 * estimated from the highest index accepted, the packet authenticated,
 * checked against the replay window and only then committed, so that a
 * forged packet cannot move the state. The lock is held for a few
 * instructions at a time and never across the crypto; as another CPU may
 * commit meanwhile, the check is repeated when committing. Senders count
 * their indices here too, and netlink reads the state from here.
 */

#include <linux/bitmap.h>
#include <linux/spinlock.h>

#include "srtp_internal.h"

/* RFC 3711 appendix A: the index closest to the highest one accepted. */
static u64 kmedia_srtp_estimate(u64 top, u16 seq)
{
	u32 roc = top >> 16;
	u16 s_l = top;
	u32 v = roc;

	if (s_l < 0x8000) {
		if (seq - s_l > 0x8000 && roc)
			v = roc - 1;
	} else if (s_l - 0x8000 > seq) {
		v = roc + 1;
	}
	return (u64)v << 16 | seq;
}

/* The ROC a sender starting (or switching to) @ssrc begins with. */
static u32 kmedia_srtp_initial_roc(const struct kmedia_srtp *ctx, u32 ssrc)
{
	if (!ctx->cfg_has_ssrc)
		return ctx->started ? 0 : ctx->cfg_roc;
	return ssrc == ctx->cfg_ssrc ? ctx->cfg_roc : 0;
}

/* Is @index a replay or too old? ctx->lock held, ctx tracking this SSRC. */
static bool kmedia_srtp_replayed(const struct kmedia_srtp *ctx, u64 index)
{
	u64 age;

	if (index > ctx->top)
		return false;
	age = ctx->top - index;
	return age >= ctx->window || test_bit(age, ctx->replay);
}

/* Accept @index for @ssrc; ctx->lock held. */
static void kmedia_srtp_commit(struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			       bool fresh)
{
	if (fresh) {
		ctx->started = true;
		ctx->ssrc = ssrc;
		ctx->top = index;
		bitmap_zero(ctx->replay, ctx->window);
	} else if (index > ctx->top) {
		u64 shift = index - ctx->top;

		if (shift >= ctx->window)
			bitmap_zero(ctx->replay, ctx->window);
		else
			bitmap_shift_left(ctx->replay, ctx->replay, shift,
					  ctx->window);
		ctx->top = index;
	}
	__set_bit(ctx->top - index, ctx->replay);
}

/*
 * Commit an authenticated index, unless another CPU accepted the same one
 * meanwhile. @fresh: the index was estimated without state for its sender
 * (for SRTP, per SSRC: @per_ssrc); a CPU may have created that state since.
 */
bool kmedia_srtp_accept(struct kmedia_srtp *ctx, u32 ssrc, u64 index,
			bool fresh, bool per_ssrc)
{
	bool ok;

	spin_lock(&ctx->lock);
	if (fresh && ctx->started && (!per_ssrc || ctx->ssrc == ssrc))
		fresh = false;
	ok = fresh || !kmedia_srtp_replayed(ctx, index);
	if (ok)
		kmedia_srtp_commit(ctx, ssrc, index, fresh);
	spin_unlock(&ctx->lock);
	return ok;
}

/*
 * The index of an incoming SRTP packet from @ssrc with sequence number
 * @seq; @fresh: estimated without state for @ssrc. False if it is a replay
 * or too old, which needs no authentication to drop.
 */
bool kmedia_srtp_rtp_index(struct kmedia_srtp *ctx, u32 ssrc, u16 seq,
			   u64 *index, bool *fresh)
{
	bool ok = true;

	spin_lock(&ctx->lock);
	*fresh = !ctx->started || ctx->ssrc != ssrc;
	if (*fresh) {
		*index = (u64)kmedia_srtp_initial_roc(ctx, ssrc) << 16 | seq;
	} else {
		*index = kmedia_srtp_estimate(ctx->top, seq);
		ok = !kmedia_srtp_replayed(ctx, *index);
	}
	spin_unlock(&ctx->lock);
	return ok;
}

/*
 * The same check for the SRTCP index @index, which the packet carries
 * whole; @fresh: no packet accepted yet.
 */
bool kmedia_srtcp_index_ok(struct kmedia_srtp *ctx, u64 index, bool *fresh)
{
	bool ok;

	spin_lock(&ctx->lock);
	*fresh = !ctx->started;
	ok = *fresh || !kmedia_srtp_replayed(ctx, index);
	spin_unlock(&ctx->lock);
	return ok;
}

/* The index of an outgoing SRTP packet, which becomes the sender's state. */
u64 kmedia_srtp_rtp_send_index(struct kmedia_srtp *ctx, u32 ssrc, u16 seq)
{
	u64 index;

	spin_lock(&ctx->lock);
	if (!ctx->started || ctx->ssrc != ssrc) {
		index = (u64)kmedia_srtp_initial_roc(ctx, ssrc) << 16 | seq;
		ctx->started = true;
		ctx->ssrc = ssrc;
		ctx->top = index;
	} else {
		index = kmedia_srtp_estimate(ctx->top, seq);
		if (index > ctx->top)
			ctx->top = index;
	}
	spin_unlock(&ctx->lock);
	return index;
}

/* The SRTCP index counts packets sent, from 0 (RFC 3711 3.4). */
u64 kmedia_srtcp_send_index(struct kmedia_srtp *ctx)
{
	u64 index;

	spin_lock(&ctx->lock);
	index = ctx->started ? (ctx->top + 1) & KMEDIA_SRTCP_INDEX_MASK : 0;
	ctx->started = true;
	ctx->top = index;
	spin_unlock(&ctx->lock);
	return index;
}

/* What netlink reports: the current sender and where its index stands. */
void kmedia_srtp_state(struct kmedia_srtp *ctx, u32 *ssrc, u32 *roc,
		       u32 *index, bool *started)
{
	spin_lock_bh(&ctx->lock);
	*started = ctx->started;
	*ssrc = ctx->started ? ctx->ssrc : ctx->cfg_ssrc;
	*roc = ctx->started ? ctx->top >> 16 : ctx->cfg_roc;
	*index = ctx->top;
	spin_unlock_bh(&ctx->lock);
}
