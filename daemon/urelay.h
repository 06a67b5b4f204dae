/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmediad's userspace relay (urelay.c): what a kernel stream does, done by
 * the daemon with libsrtp2 when the kmedia module is absent. Standalone
 * (no kmediad.h) so the benchmark measures the same code.
 */
#ifndef KMEDIAD_URELAY_H
#define KMEDIAD_URELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/kmedia.h>

/* libsrtp2 wants 32-bit aligned packets with room for its trailer. */
#define KMD_URELAY_PKT_MAX	2048
#define KMD_URELAY_ROOM		(KMD_URELAY_PKT_MAX + 144)

struct kmd_ustream;

/* Counters of one stream, or (kmd_urelay_totals()) of all of them. */
struct kmd_ustream_stats {
	uint64_t rx_packets, rx_bytes;	/* accepted from the right source */
	uint64_t tx_packets, tx_bytes;
	uint64_t drop_size;		/* too short for RTP/RTCP, or too long */
	uint64_t drop_source;		/* not from the latched/strict source */
	uint64_t drop_auth;		/* SRTP/SRTCP authentication failed */
	uint64_t drop_replay;		/* replayed or too old */
	uint64_t drop_srtp;		/* other SRTP failures */
	uint64_t drop_send;		/* sendto() failed */
};

enum kmd_urelay_verdict {
	KMD_URELAY_SENT,	/* relayed */
	KMD_URELAY_LATCHED,	/* relayed, and the source was latched */
	KMD_URELAY_DROPPED,	/* counted in the stream's drops */
	KMD_URELAY_NOT_MEDIA,	/* not RTP/RTCP (STUN, DTLS): the caller's */
};

/* libsrtp2's one-time initialisation; 0 or -EIO. */
int kmd_urelay_init(void);
const char *kmd_urelay_srtp_version(void);
/* Whether the userspace relay can do suite (and a key with an MKI). */
bool kmd_urelay_suite_ok(enum kmedia_srtp_suite suite);

/* A stream relaying RTP (rtcp false) or RTCP, sent from out_fd to dst. */
struct kmd_ustream *kmd_ustream_new(bool rtcp, int out_fd,
				    const struct sockaddr *dst, socklen_t len);
void kmd_ustream_free(struct kmd_ustream *s);
void kmd_ustream_set_dst(struct kmd_ustream *s, const struct sockaddr *dst,
			 socklen_t len);
/* KMEDIA_SRC_ANY, _LATCH, or _STRICT with the source expected. */
void kmd_ustream_set_src(struct kmd_ustream *s, enum kmedia_src_mode mode,
			 const struct sockaddr *src, socklen_t len);
/*
 * Decrypt what arrives with (in) or encrypt what leaves with (!in) the
 * master key and salt of suite; KMEDIA_SRTP_NONE for plain. A new key
 * starts a new SRTP context (ROC and replay window of its own).
 */
int kmd_ustream_set_srtp(struct kmd_ustream *s, bool in,
			 enum kmedia_srtp_suite suite, const uint8_t *key,
			 size_t key_len, const uint8_t *salt, size_t salt_len);
/* Milliseconds without packets before kmd_ustream_idle() says so; 0: never */
void kmd_ustream_set_idle(struct kmd_ustream *s, uint32_t ms);

/*
 * One datagram of len bytes that arrived from src on the stream's ingress
 * socket, in buf (32-bit aligned, KMD_URELAY_ROOM bytes): checked,
 * transcrypted in place and sent on.
 */
enum kmd_urelay_verdict kmd_ustream_input(struct kmd_ustream *s, void *buf,
					  size_t len,
					  const struct sockaddr *src,
					  socklen_t src_len, uint64_t now_ms);
/* The latched source (after KMD_URELAY_LATCHED); its length, 0 if none. */
socklen_t kmd_ustream_latched(const struct kmd_ustream *s,
			      struct sockaddr_storage *src);
/* True once, when the stream has been silent for its idle threshold. */
bool kmd_ustream_idle(struct kmd_ustream *s, uint64_t now_ms);
const struct kmd_ustream_stats *kmd_ustream_stats(const struct kmd_ustream *s);
/* Sums over every stream since start, freed ones included. */
void kmd_urelay_totals(struct kmd_ustream_stats *sum);

#endif
