// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: RTP receive statistics (RFC 3550 A.1 sequence tracking, A.3 loss,
 * A.8 jitter) of a stream's current sender.
 *
 * Packets of one flow normally arrive on one CPU, but nothing guarantees
 * it, and the packet path takes no locks: the sequence state is one 64-bit
 * word updated with compare-and-exchange, so concurrent updates never tear
 * it. Jitter is an estimate and tolerates the rare lost update.
 */

#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include "rtp.h"

/* RFC 3550 A.1: how far the sequence may jump before we want proof. */
#define KMEDIA_RTP_MAX_DROPOUT	3000
#define KMEDIA_RTP_MAX_MISORDER	100

/* RTP header fields are big-endian and not necessarily aligned. */
static inline u16 kmedia_be16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static inline u32 kmedia_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

#define KMEDIA_SEQ(ssrc, ext)	(((u64)(ssrc) << 32) | (u32)(ext))
#define KMEDIA_JIT(transit, j)	(((u64)(transit) << 32) | (u32)(j))

static void kmedia_rtp_jitter(struct kmedia_rtp_state *rs, u32 ts,
			      u32 clock_rate, bool restart)
{
	u32 arrival = (u32)mul_u64_u32_div(ktime_get_ns(), clock_rate,
					   NSEC_PER_SEC);
	u32 transit = arrival - ts;
	s64 old = atomic64_read(&rs->jitter);
	u64 new;
	s32 d;
	u32 j;

	do {
		if (restart) {
			new = KMEDIA_JIT(transit, 0);
		} else {
			d = (s32)(transit - (u32)((u64)old >> 32));
			j = (u32)old;
			/* J += (|D| - J) / 16, with J kept scaled by 16 */
			j += abs(d) - ((j + 8) >> 4);
			new = KMEDIA_JIT(transit, j);
		}
	} while (!atomic64_try_cmpxchg(&rs->jitter, &old, new));
}

/**
 * kmedia_rtp_update - account one RTP packet
 * @rs: the stream's state
 * @hdr: the RTP header (12 bytes, already pulled)
 * @clock_rate: RTP clock rate, Hz
 */
void kmedia_rtp_update(struct kmedia_rtp_state *rs, const u8 *hdr,
		       u32 clock_rate)
{
	u16 seq = kmedia_be16(hdr + 2);
	u32 ts = kmedia_be32(hdr + 4);
	u32 ssrc = kmedia_be32(hdr + 8);
	s64 old = atomic64_read(&rs->seq);
	bool restart;
	u64 new;

	do {
		u32 ext = (u32)old;
		u16 delta = seq - (u16)ext;

		restart = false;
		if (!READ_ONCE(rs->started) || (u32)((u64)old >> 32) != ssrc) {
			/* first packet, or a new sender */
			restart = true;
			new = KMEDIA_SEQ(ssrc, seq);
		} else if (delta < KMEDIA_RTP_MAX_DROPOUT) {
			/* in order, with a permissible gap; wraps count up */
			new = KMEDIA_SEQ(ssrc, ext + delta);
		} else if (delta > (u16)(0x10000 - KMEDIA_RTP_MAX_MISORDER)) {
			/* duplicate or reordered: the maximum stays */
			new = old;
		} else if (seq == READ_ONCE(rs->bad_seq)) {
			/* two sequential packets after a big jump: the
			 * sender restarted, start over from here
			 */
			restart = true;
			new = KMEDIA_SEQ(ssrc, seq);
		} else {
			WRITE_ONCE(rs->bad_seq, (u16)(seq + 1));
			new = old;
		}
	} while (new != old && !atomic64_try_cmpxchg(&rs->seq, &old, new));

	if (restart) {
		WRITE_ONCE(rs->base_seq, seq);
		WRITE_ONCE(rs->bad_seq, (u16)(seq - 1));
		atomic64_set(&rs->received, 0);
		/* Publishes base_seq; pairs with kmedia_rtp_snapshot(). */
		smp_store_release(&rs->started, true);
	}
	atomic64_inc(&rs->received);
	kmedia_rtp_jitter(rs, ts, clock_rate, restart);
}

void kmedia_rtp_snapshot(const struct kmedia_rtp_state *rs,
			 struct kmedia_rtp_snapshot *snap)
{
	u64 seq;

	memset(snap, 0, sizeof(*snap));
	/* Pairs with the release in kmedia_rtp_update(). */
	snap->started = smp_load_acquire(&rs->started);
	if (!snap->started)
		return;
	seq = atomic64_read(&rs->seq);
	snap->ssrc = seq >> 32;
	snap->ext_max_seq = (u32)seq;
	snap->received = atomic64_read(&rs->received);
	snap->expected = (u32)(snap->ext_max_seq - READ_ONCE(rs->base_seq)) + 1ULL;
	snap->jitter = (u32)atomic64_read(&rs->jitter) >> 4;
}
