/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: RTP receive statistics of the current sender (RFC 3550 A.1, A.3,
 * A.8), kept without locks.
 */
#ifndef _KMEDIA_RTP_H
#define _KMEDIA_RTP_H

#include <linux/atomic.h>
#include <linux/types.h>

/**
 * struct kmedia_rtp_state - what the stream knows of its current sender
 * @seq: SSRC in the high half, extended highest sequence number in the low
 *	half; updated with compare-and-exchange so concurrent CPUs agree
 * @jitter: last relative transit time in the high half, the jitter estimate
 *	scaled by 16 (as in RFC 3550 A.8) in the low half
 * @received: packets received from the current SSRC
 * @base_seq: extended sequence number of the first packet of the SSRC
 * @bad_seq: sequence number that would confirm a restart after a jump
 *	(RFC 3550 A.1 "probation" for large jumps)
 * @started: a first packet was seen
 */
struct kmedia_rtp_state {
	atomic64_t seq;
	atomic64_t jitter;
	atomic64_t received;
	u32 base_seq;
	u32 bad_seq;
	bool started;
};

/**
 * struct kmedia_rtp_snapshot - a reader's copy
 * @ssrc: current SSRC
 * @ext_max_seq: extended highest sequence number
 * @received: packets received from it
 * @expected: packets expected from it
 * @jitter: interarrival jitter, timestamp units
 * @started: the other fields mean something
 */
struct kmedia_rtp_snapshot {
	u32 ssrc;
	u32 ext_max_seq;
	u64 received;
	u64 expected;
	u32 jitter;
	bool started;
};

void kmedia_rtp_update(struct kmedia_rtp_state *rs, const u8 *hdr,
		       u32 clock_rate);
void kmedia_rtp_snapshot(const struct kmedia_rtp_state *rs,
			 struct kmedia_rtp_snapshot *snap);

#endif /* _KMEDIA_RTP_H */
