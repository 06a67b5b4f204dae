/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsrtp: SRTP helpers of the in-VM suites that depend only on the UAPI
 * (include/uapi/linux/kmedia.h) and libmnl, not on libkmedia's SRTP API:
 *
 *  - facts about each enum kmedia_srtp_suite (key, salt and tag lengths);
 *  - struct kmt_srtp, one crypto context's parameters, shared with the
 *    libsrtp2 wrapper (kmlibsrtp.h) so both ends use the same key;
 *  - stream requests carrying KMEDIA_STREAM_A_SRTP_IN / _OUT nests, built
 *    here with libmnl. This file is the one place to switch to libkmedia's
 *    SRTP API (kmedia_stream_set_srtp_in/out) once it exists;
 *  - the raw reply of a stream get: the SRTP nests exactly as the kernel
 *    sent them (to prove keys are never reported) and every counter,
 *    including those a libkmedia of the day may not decode yet;
 *  - KMEDIA_CMD_STREAM_SRTP_FAIL_NTF events, read raw from a subscribed
 *    handle.
 *
 * Functions return 0 (or a count) or a negative errno, and print only "# "
 * diagnostic lines, like kmtest.h.
 */
#ifndef KMSRTP_H
#define KMSRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmtest.h"

struct nlmsghdr;

/* ---- suites ---- */

struct kmt_srtp_suite_info {
	const char *name;	/* SDES name (RFC 4568, 6188, 7714, 5764) */
	uint8_t key_len;	/* master key, bytes */
	uint8_t salt_len;	/* master salt, bytes */
	uint8_t rtp_tag;	/* SRTP authentication tag, bytes */
	uint8_t rtcp_tag;	/* SRTCP authentication tag, bytes */
	bool encrypts;		/* not a NULL cipher */
	bool aead;		/* GCM: the tag is part of the ciphertext */
};

/* NULL for KMEDIA_SRTP_NONE or a number beyond KMEDIA_SRTP_SUITE_MAX. */
const struct kmt_srtp_suite_info *kmt_srtp_suite(uint32_t suite);
const char *kmt_srtp_suite_name(uint32_t suite);

/* ---- one crypto context ---- */

/* Room for lengths the UAPI refuses, so refusals can be requested. */
#define KMT_SRTP_KEY_MAX	48
#define KMT_SRTP_SALT_MAX	32
#define KMT_SRTP_MKI_ROOM	32

struct kmt_srtp {
	uint32_t suite;		/* enum kmedia_srtp_suite, or any */
	uint8_t key[KMT_SRTP_KEY_MAX];
	size_t key_len;
	uint8_t salt[KMT_SRTP_SALT_MAX];
	size_t salt_len;
	uint8_t mki[KMT_SRTP_MKI_ROOM];
	size_t mki_len;		/* 0: no MKI */
	bool has_ssrc;
	uint32_t ssrc;
	bool has_roc;
	uint32_t roc;
	bool has_window;
	uint32_t window;
	bool has_kdr;
	uint32_t kdr;
	bool has_srtcp_index;	/* reported only: for refusals */
	uint32_t srtcp_index;
	/* bit (1 << attr) per enum kmedia_srtp_attr never put in a request */
	uint32_t omit;
};

/*
 * The suite with a key and salt of the lengths it needs, their bytes
 * derived from seed (distinct seeds: distinct keys). No MKI, SSRC, ROC,
 * window or KDR. An unknown suite gets a 16-byte key and a 14-byte salt.
 */
void kmt_srtp_init(struct kmt_srtp *p, uint32_t suite, uint32_t seed);
/* A nest with SUITE = KMEDIA_SRTP_NONE only: removes a context. */
void kmt_srtp_none(struct kmt_srtp *p);
void kmt_srtp_set_mki(struct kmt_srtp *p, const void *mki, size_t len);
void kmt_srtp_set_roc(struct kmt_srtp *p, uint32_t ssrc, uint32_t roc);
void kmt_srtp_set_window(struct kmt_srtp *p, uint32_t window);

/* Bytes an SRTP (rtcp false) or SRTCP packet gains: [index] MKI tag. */
size_t kmt_srtp_overhead(const struct kmt_srtp *p, bool rtcp);

/* ---- streams ---- */

enum kmt_srtp_dir {
	KMT_SRTP_IN,	/* KMEDIA_STREAM_A_SRTP_IN */
	KMT_SRTP_OUT,	/* KMEDIA_STREAM_A_SRTP_OUT */
};

struct kmt_srtp_stream {
	uint32_t sock_in;
	uint32_t sock_out;
	struct kmt_addr dst;
	enum kmedia_stream_kind kind;
	uint64_t cookie;		/* 0: not sent */
	const struct kmt_srtp *in;	/* NULL: plain */
	const struct kmt_srtp *out;	/* NULL: plain */
};

/* KMEDIA_CMD_STREAM_NEW; *idp (may be NULL) receives the stream's ID. */
int kmt_srtp_stream_new(struct kmedia_handle *h,
			const struct kmt_srtp_stream *req, uint32_t *idp);
/*
 * KMEDIA_CMD_STREAM_CHANGE of stream id: DST when dst is not NULL, and an
 * SRTP_IN / SRTP_OUT nest for each of in / out that is not NULL (NULL:
 * the context is kept, state included).
 */
int kmt_srtp_stream_change(struct kmedia_handle *h, uint32_t id,
			   const struct kmt_addr *dst,
			   const struct kmt_srtp *in,
			   const struct kmt_srtp *out);
/* Re-key one direction of stream id (a change with that nest only). */
int kmt_stream_srtp(struct kmedia_handle *h, uint32_t id,
		    enum kmt_srtp_dir dir, const struct kmt_srtp *p);

/* ---- replies ---- */

/* One SRTP nest of a reply, attribute by attribute. */
struct kmt_srtp_report {
	bool present;		/* the nest was there */
	uint32_t attrs;		/* bit (1 << attr) per attribute seen */
	uint32_t suite;
	uint32_t ssrc;
	uint32_t roc;
	uint32_t window;
	uint32_t srtcp_index;
	uint32_t kdr;
	uint8_t mki[KMT_SRTP_MKI_ROOM];
	size_t mki_len;
};

#define KMT_SRTP_RAW_MAX	8192

/* A stream as the kernel reported it. */
struct kmt_srtp_info {
	uint32_t id;
	uint64_t cookie;
	struct kmt_srtp_report in, out;
	bool has_stats;
	uint64_t stats_present;		/* bit (1 << attr) */
	uint64_t stats[KMEDIA_STATS_A_MAX + 1];
	uint8_t raw[KMT_SRTP_RAW_MAX];	/* the whole reply message */
	size_t raw_len;
};

/* Decode one message carrying a stream (reply, dump part or event). */
int kmt_srtp_info_parse(const struct nlmsghdr *nlh, struct kmt_srtp_info *info);
/* KMEDIA_CMD_STREAM_GET of stream id, decoded raw. */
int kmt_srtp_stream_get(struct kmedia_handle *h, uint32_t id,
			struct kmt_srtp_info *info);
/* A dump of every stream; cb gets each stream, decoded and raw. */
typedef int (*kmt_srtp_dump_cb)(const struct kmt_srtp_info *info, void *data);
int kmt_srtp_stream_dump(struct kmedia_handle *h, kmt_srtp_dump_cb cb,
			 void *data);

/*
 * Every counter of stream id (absent ones read as 0): stats must have
 * KMEDIA_STATS_A_MAX + 1 entries.
 */
int kmt_srtp_stats(struct kmedia_handle *h, uint32_t id, uint64_t *stats);
/* Poll (10 ms) until counter attr of stream id is >= want. */
int kmt_srtp_wait_stat(struct kmedia_handle *h, uint32_t id,
		       enum kmedia_stats_attr attr, uint64_t want,
		       int timeout_ms, uint64_t *val);

/* ---- SRTP failure events ---- */

struct kmt_srtp_event {
	uint32_t id;
	bool has_cookie;
	uint64_t cookie;
	bool has_failures;
	uint32_t failures;
	uint64_t at_ms;		/* CLOCK_MONOTONIC when read */
	uint8_t raw[1024];	/* the message, truncated */
	size_t raw_len;
};

#define KMT_SRTP_EVENTS_MAX	64

struct kmt_srtp_events {
	struct kmedia_handle *h;
	unsigned int n;
	unsigned int overflow;
	unsigned int other;	/* other kmedia events seen */
	int err;		/* first receive error */
	struct kmt_srtp_event ev[KMT_SRTP_EVENTS_MAX];
};

/* A dedicated handle in the current namespace, subscribed to events. */
int kmt_srtp_events_open(struct kmt_srtp_events **ep);
void kmt_srtp_events_close(struct kmt_srtp_events *e);
/* Read for timeout_ms, keeping KMEDIA_CMD_STREAM_SRTP_FAIL_NTF events. */
int kmt_srtp_events_read(struct kmt_srtp_events *e, int timeout_ms);
/* Events about stream id (KMT_ANY: any) read so far. */
unsigned int kmt_srtp_events_count(const struct kmt_srtp_events *e,
				   uint32_t id);
const struct kmt_srtp_event *
kmt_srtp_events_get(const struct kmt_srtp_events *e, uint32_t id,
		    unsigned int nth);
/* Read until count(id) >= count: 0, -ETIMEDOUT or the receive error. */
int kmt_srtp_events_wait(struct kmt_srtp_events *e, uint32_t id,
			 unsigned int count, int timeout_ms);

/* ---- RTP / RTCP packets with every header feature ---- */

/*
 * RTP packet i of a test sequence: seq0 + i, timestamp i * 160, the given
 * SSRC; payload sizes cycle through 0, 1, 13, 160, 1200, ... (i = 0 has
 * none, i = 4 has 1200 bytes); some packets carry the marker bit, a
 * one-byte header extension, CSRCs or padding. Returns the length.
 */
size_t kmt_srtp_rtp_packet(uint8_t *buf, size_t cap, unsigned int i,
			   uint16_t seq0, uint32_t ssrc);
/* A compound SR + SDES (CNAME) when i is even, a plain RR when odd. */
size_t kmt_srtp_rtcp_packet(uint8_t *buf, size_t cap, unsigned int i,
			    uint32_t ssrc);

/*
 * Where the MKI sits in a protected packet of len bytes: before the tag
 * (RFC 3711), or last, after the ciphertext that holds the tag (RFC 7714).
 */
size_t kmt_srtp_mki_offset(const struct kmt_srtp *p, bool rtcp, size_t len);
/* Where the SRTCP E bit and index word sits in a protected packet. */
size_t kmt_srtcp_index_offset(const struct kmt_srtp *p, size_t len);
/* The E||index word of a protected SRTCP packet (0 if too short). */
uint32_t kmt_srtcp_index_word(const struct kmt_srtp *p, const uint8_t *buf,
			      size_t len);

#ifdef __KSELFTEST_HARNESS_H

/*
 * Run a stream request that must succeed. On -EOPNOTSUPP (the suite is not
 * built into the module yet) the test is skipped with the kernel's reason:
 * like ASSERT_*, this works from helper functions too (it jumps back to
 * the harness, which runs the teardown).
 */
#define KMT_SRTP_REQUEST(h, expr, what) do {				\
	int __sr = (expr);						\
	if (__sr == -EOPNOTSUPP)					\
		SKIP(longjmp(_metadata->env, 1),			\
		     "%s: kernel answered EOPNOTSUPP (%s)", (what),	\
		     kmedia_handle_extack(h) ? : "no extack");		\
	ASSERT_EQ(0, __sr) TH_LOG("%s: %s (%s)", (what),		\
				  strerror(-__sr),			\
				  kmedia_handle_extack(h) ? : "no extack"); \
} while (0)

/* Skip (from anywhere, like KMT_SRTP_REQUEST) with a reason. */
#define KMT_SKIP(fmt, ...)						\
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

#endif /* __KSELFTEST_HARNESS_H */

#endif /* KMSRTP_H */
