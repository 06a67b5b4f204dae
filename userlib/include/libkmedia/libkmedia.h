/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmedia: C API for the kmedia generic netlink family.
 *
 * Conventions: functions that can fail return 0 (or a count) on success and
 * a negative errno on failure; they never print. When the kernel explained a
 * refusal, kmedia_handle_extack() returns its text until the next request.
 * Objects are opaque: allocate, set attributes, pass them to a request, read
 * attributes back with the getters after checking kmedia_*_has().
 * Addresses are struct sockaddr_in / sockaddr_in6 (ports in network order,
 * as in the socket API).
 */
#ifndef LIBKMEDIA_H
#define LIBKMEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/kmedia.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A netlink socket bound to the kmedia family of the caller's netns. */
struct kmedia_handle;

int kmedia_handle_open(struct kmedia_handle **handlep);
void kmedia_handle_close(struct kmedia_handle *handle);
uint16_t kmedia_handle_family_id(const struct kmedia_handle *handle);
uint32_t kmedia_handle_family_version(const struct kmedia_handle *handle);
uint32_t kmedia_handle_events_group(const struct kmedia_handle *handle);
const char *kmedia_handle_extack(const struct kmedia_handle *handle);
/* The netlink socket's descriptor, to poll() for events. */
int kmedia_handle_fd(const struct kmedia_handle *handle);

/* Per network namespace totals (KMEDIA_CMD_NETNS_GET). */
struct kmedia_netns;

void kmedia_netns_free(struct kmedia_netns *netns);
int kmedia_netns_get(struct kmedia_handle *handle, struct kmedia_netns **netnsp);
bool kmedia_netns_has(const struct kmedia_netns *netns,
		      enum kmedia_netns_attr attr);
uint32_t kmedia_netns_get_u32(const struct kmedia_netns *netns,
			      enum kmedia_netns_attr attr);
const char *kmedia_netns_get_version(const struct kmedia_netns *netns);
/* Totals over every stream the namespace ever had; 0 when absent. */
bool kmedia_netns_has_stat(const struct kmedia_netns *netns,
			   enum kmedia_stats_attr attr);
uint64_t kmedia_netns_get_stat(const struct kmedia_netns *netns,
			       enum kmedia_stats_attr attr);

/* Attached UDP sockets (KMEDIA_CMD_SOCK_*). */
struct kmedia_sock;

void kmedia_sock_free(struct kmedia_sock *sock);
bool kmedia_sock_has(const struct kmedia_sock *sock, enum kmedia_sock_attr attr);
uint32_t kmedia_sock_get_id(const struct kmedia_sock *sock);
/* The bound address; NULL when absent. *lenp receives its length. */
const struct sockaddr *kmedia_sock_get_local(const struct kmedia_sock *sock,
					     socklen_t *lenp);
uint32_t kmedia_sock_get_streams(const struct kmedia_sock *sock);
bool kmedia_sock_has_stat(const struct kmedia_sock *sock,
			  enum kmedia_sock_stats_attr attr);
uint64_t kmedia_sock_get_stat(const struct kmedia_sock *sock,
			      enum kmedia_sock_stats_attr attr);

/* Hand the bound UDP socket fd to the module; *idp receives its ID. */
int kmedia_sock_attach(struct kmedia_handle *handle, int fd, uint32_t *idp);
int kmedia_sock_detach(struct kmedia_handle *handle, uint32_t id);
int kmedia_sock_get(struct kmedia_handle *handle, uint32_t id,
		    struct kmedia_sock **sockp);
typedef int (*kmedia_sock_cb)(const struct kmedia_sock *sock, void *data);
int kmedia_sock_dump(struct kmedia_handle *handle, kmedia_sock_cb cb,
		     void *data);

/*
 * One SRTP/SRTCP crypto context (enum kmedia_srtp_attr), to give a stream
 * with kmedia_stream_set_srtp_in()/_out(), or read back from one. Key
 * material is wiped (sodium_memzero) when a context or a stream holding a
 * copy is freed, unset or overwritten.
 */
struct kmedia_srtp;

struct kmedia_srtp *kmedia_srtp_alloc(void);
void kmedia_srtp_free(struct kmedia_srtp *ctx);
bool kmedia_srtp_has(const struct kmedia_srtp *ctx, enum kmedia_srtp_attr attr);
/* Forget one attribute; MASTER_KEY or MASTER_SALT forgets (and wipes) both. */
void kmedia_srtp_unset(struct kmedia_srtp *ctx, enum kmedia_srtp_attr attr);

/* Key and salt lengths of a suite; -EINVAL for NONE and unknown suites. */
int kmedia_srtp_suite_key_len(enum kmedia_srtp_suite suite, size_t *key_len,
			      size_t *salt_len);
/* -EINVAL for a suite this library does not know. A key or salt whose
 * length does not fit the new suite is wiped and forgotten; NONE forgets
 * them always.
 */
int kmedia_srtp_set_suite(struct kmedia_srtp *ctx, enum kmedia_srtp_suite suite);
/* Copies key and salt. Set the suite first: -EINVAL without one (or with
 * NONE), or for lengths other than the suite's.
 */
int kmedia_srtp_set_key(struct kmedia_srtp *ctx, const void *key,
			size_t key_len, const void *salt, size_t salt_len);
/* Random key and salt of the suite's lengths (libsodium's randombytes). */
int kmedia_srtp_gen_key(struct kmedia_srtp *ctx);
/* 1 to KMEDIA_SRTP_MKI_MAX bytes, else -EINVAL. */
int kmedia_srtp_set_mki(struct kmedia_srtp *ctx, const void *mki, size_t len);
void kmedia_srtp_set_kdr(struct kmedia_srtp *ctx, uint32_t kdr);
void kmedia_srtp_set_ssrc(struct kmedia_srtp *ctx, uint32_t ssrc);
void kmedia_srtp_set_roc(struct kmedia_srtp *ctx, uint32_t roc);
/* KMEDIA_SRTP_REPLAY_MIN to _MAX packets, else -EINVAL. */
int kmedia_srtp_set_replay_window(struct kmedia_srtp *ctx, uint32_t packets);

/* Getters: KMEDIA_SRTP_NONE, NULL or 0 when the attribute is absent. Keys
 * are never read back from the kernel (write-only there); the copy held
 * by the object is only given to a caller that does SRTP itself.
 */
enum kmedia_srtp_suite kmedia_srtp_get_suite(const struct kmedia_srtp *ctx);
const uint8_t *kmedia_srtp_get_mki(const struct kmedia_srtp *ctx, size_t *lenp);
uint32_t kmedia_srtp_get_kdr(const struct kmedia_srtp *ctx);
uint32_t kmedia_srtp_get_ssrc(const struct kmedia_srtp *ctx);
uint32_t kmedia_srtp_get_roc(const struct kmedia_srtp *ctx);
uint32_t kmedia_srtp_get_replay_window(const struct kmedia_srtp *ctx);
uint32_t kmedia_srtp_get_srtcp_index(const struct kmedia_srtp *ctx);
/*
 * Copies the master key and salt (of the suite's lengths, see
 * kmedia_srtp_suite_key_len()) for a caller that protects packets itself,
 * such as a userspace relay when the module is absent: -ENOENT when the
 * object has none, -ENOSPC when a buffer is too small. Since 0.2.
 */
int kmedia_srtp_get_key(const struct kmedia_srtp *ctx, void *key,
			size_t key_len, void *salt, size_t salt_len);

/*
 * SDES (RFC 4568) a=crypto helpers. Suite names are matched without regard
 * to case (ABNF literals); kmedia_srtp_suite_from_name() returns the suite
 * or -EINVAL, kmedia_srtp_suite_name() the canonical name or NULL.
 */
int kmedia_srtp_suite_from_name(const char *name);
const char *kmedia_srtp_suite_name(enum kmedia_srtp_suite suite);
/*
 * Set suite, key, salt and MKI (or no MKI) from the crypto-suite and
 * key-params of an a=crypto line, "inline:<base64 key||salt>[|lifetime]
 * [|MKI:length]". On failure the context is unchanged: -EINVAL for an
 * unknown suite or a malformed key-params (bad base64, wrong length,
 * lifetime or MKI), -EOPNOTSUPP for well-formed ones kmedia cannot use
 * (several keys, an MKI longer than KMEDIA_SRTP_MKI_MAX bytes).
 */
int kmedia_srtp_set_inline(struct kmedia_srtp *ctx, const char *suite_name,
			   const char *key_params);
/* Longest string kmedia_srtp_format_inline() writes, NUL included. */
#define KMEDIA_SRTP_INLINE_MAX 128
/*
 * Write "inline:<base64 key||salt>[|MKI:length]" and a NUL to buf. Returns
 * its length, -ENOKEY without a key, -ENOSPC if len is too short.
 */
int kmedia_srtp_format_inline(const struct kmedia_srtp *ctx, char *buf,
			      size_t len);

/* One direction of one media flow (KMEDIA_CMD_STREAM_*). */
struct kmedia_stream;

struct kmedia_stream *kmedia_stream_alloc(void);
void kmedia_stream_free(struct kmedia_stream *stream);
bool kmedia_stream_has(const struct kmedia_stream *stream,
		       enum kmedia_stream_attr attr);
/* Forget one attribute so that a change request leaves it alone. */
void kmedia_stream_unset(struct kmedia_stream *stream,
			 enum kmedia_stream_attr attr);

void kmedia_stream_set_id(struct kmedia_stream *stream, uint32_t id);
void kmedia_stream_set_cookie(struct kmedia_stream *stream, uint64_t cookie);
void kmedia_stream_set_sock_in(struct kmedia_stream *stream, uint32_t id);
void kmedia_stream_set_kind(struct kmedia_stream *stream,
			    enum kmedia_stream_kind kind);
void kmedia_stream_set_sock_out(struct kmedia_stream *stream, uint32_t id);
/* -EAFNOSUPPORT unless AF_INET/AF_INET6 with a matching length. */
int kmedia_stream_set_dst(struct kmedia_stream *stream,
			  const struct sockaddr *addr, socklen_t len);
void kmedia_stream_set_src_mode(struct kmedia_stream *stream,
				enum kmedia_src_mode mode);
int kmedia_stream_set_src(struct kmedia_stream *stream,
			  const struct sockaddr *addr, socklen_t len);
void kmedia_stream_set_pt_allow(struct kmedia_stream *stream,
				const uint8_t bitmap[KMEDIA_PT_BITMAP_LEN]);
/* Add one payload type (0-127) to the allow list, creating an empty list
 * first if the stream has none; -EINVAL for pt > 127.
 */
int kmedia_stream_allow_pt(struct kmedia_stream *stream, unsigned int pt);
int kmedia_stream_set_dscp(struct kmedia_stream *stream, unsigned int dscp);
void kmedia_stream_set_idle_timeout(struct kmedia_stream *stream,
				    uint32_t msecs);
void kmedia_stream_set_clock_rate(struct kmedia_stream *stream, uint32_t hz);
/*
 * Copy ctx into the stream: how packets arrive (in) or leave (out). A
 * context with suite KMEDIA_SRTP_NONE removes the stream's context in a
 * change. -EINVAL without a suite, -ENOKEY for another suite without key
 * and salt; the stream is then unchanged.
 */
int kmedia_stream_set_srtp_in(struct kmedia_stream *stream,
			      const struct kmedia_srtp *ctx);
int kmedia_stream_set_srtp_out(struct kmedia_stream *stream,
			       const struct kmedia_srtp *ctx);

uint32_t kmedia_stream_get_id(const struct kmedia_stream *stream);
uint64_t kmedia_stream_get_cookie(const struct kmedia_stream *stream);
uint32_t kmedia_stream_get_sock_in(const struct kmedia_stream *stream);
enum kmedia_stream_kind kmedia_stream_get_kind(const struct kmedia_stream *stream);
uint32_t kmedia_stream_get_sock_out(const struct kmedia_stream *stream);
const struct sockaddr *kmedia_stream_get_dst(const struct kmedia_stream *stream,
					     socklen_t *lenp);
enum kmedia_src_mode kmedia_stream_get_src_mode(const struct kmedia_stream *stream);
const struct sockaddr *kmedia_stream_get_src(const struct kmedia_stream *stream,
					     socklen_t *lenp);
/* NULL when every payload type is allowed. */
const uint8_t *kmedia_stream_get_pt_allow(const struct kmedia_stream *stream);
unsigned int kmedia_stream_get_dscp(const struct kmedia_stream *stream);
uint32_t kmedia_stream_get_idle_timeout(const struct kmedia_stream *stream);
uint32_t kmedia_stream_get_clock_rate(const struct kmedia_stream *stream);
bool kmedia_stream_get_latched(const struct kmedia_stream *stream);
uint32_t kmedia_stream_get_idle_ms(const struct kmedia_stream *stream);
/* The stream's context (set, or as the kernel reported it: no key), valid
 * as long as the stream; NULL when absent (plain).
 */
const struct kmedia_srtp *kmedia_stream_get_srtp_in(const struct kmedia_stream *stream);
const struct kmedia_srtp *kmedia_stream_get_srtp_out(const struct kmedia_stream *stream);
/* Authentication failures of a KMEDIA_CMD_STREAM_SRTP_FAIL_NTF burst. */
uint32_t kmedia_stream_get_srtp_failures(const struct kmedia_stream *stream);
bool kmedia_stream_has_stat(const struct kmedia_stream *stream,
			    enum kmedia_stats_attr attr);
/* KMEDIA_STATS_A_RTP_LOST is signed: cast the result to int64_t. */
uint64_t kmedia_stream_get_stat(const struct kmedia_stream *stream,
				enum kmedia_stats_attr attr);

/* Create: on success the stream's ID (and every default) is filled in. */
int kmedia_stream_new(struct kmedia_handle *handle, struct kmedia_stream *stream);
/* Change stream ID: every other attribute set on the object is sent. */
int kmedia_stream_change(struct kmedia_handle *handle,
			 const struct kmedia_stream *stream);
int kmedia_stream_del(struct kmedia_handle *handle, uint32_t id);
int kmedia_stream_get(struct kmedia_handle *handle, uint32_t id,
		      struct kmedia_stream **streamp);
/* Delete every stream, or only those of *cookie; *countp (may be NULL)
 * receives how many.
 */
int kmedia_stream_flush(struct kmedia_handle *handle, const uint64_t *cookie,
			uint32_t *countp);

/*
 * Called once per stream of a dump; the stream is only valid during the
 * call. A non-zero return stops the dump and is returned by the dump.
 * filter may be NULL, or carry COOKIE and/or SOCK_IN to dump only those.
 */
typedef int (*kmedia_stream_cb)(const struct kmedia_stream *stream, void *data);
int kmedia_stream_dump(struct kmedia_handle *handle,
		       const struct kmedia_stream *filter,
		       kmedia_stream_cb cb, void *data);

/*
 * Events. Subscribe a handle (use a dedicated one: replies to requests and
 * events would otherwise interleave), poll kmedia_handle_fd(), then call
 * kmedia_event_recv(), which reads what is queued and calls cb once per
 * event with its command (KMEDIA_CMD_*_NTF) and the stream it concerns.
 * Returns the number of events delivered, -EAGAIN if none was queued with
 * nonblock set, or -errno (-ENOBUFS: events were lost, resync with a dump).
 */
int kmedia_handle_subscribe(struct kmedia_handle *handle);
typedef int (*kmedia_event_cb)(enum kmedia_cmd cmd,
			       const struct kmedia_stream *stream, void *data);
int kmedia_event_recv(struct kmedia_handle *handle, bool nonblock,
		      kmedia_event_cb cb, void *data);

const char *kmedia_library_version(void);

/*
 * Batches (since 0.2): stream requests queued on a handle, then sent in
 * as few datagrams as the socket's buffers allow; the kernel runs them in
 * order, each on its own. The queueing functions copy the request (the
 * stream object may be freed at once) and return the request's index in
 * the batch, or -ENOMEM. kmedia_batch_send() sends what was queued since
 * the last send and returns 0 if every request worked, the number that
 * failed, or -errno if the exchange itself failed (see the results).
 * A request that fails does not stop the ones after it.
 * kmedia_batch_result() is 0 or the request's -errno (-ECANCELED: not
 * sent yet); kmedia_batch_extack() the kernel's explanation of a failure
 * (also in kmedia_handle_extack() for the first failure of a send), and
 * kmedia_batch_stream_id() the ID of a stream a NEW created (0 if none).
 * Allocating a batch enlarges the handle's receive buffer; do not batch
 * on a handle subscribed to events.
 */
struct kmedia_batch;

struct kmedia_batch *kmedia_batch_alloc(struct kmedia_handle *handle);
void kmedia_batch_free(struct kmedia_batch *batch);
void kmedia_batch_reset(struct kmedia_batch *batch);
unsigned int kmedia_batch_count(const struct kmedia_batch *batch);
int kmedia_batch_stream_new(struct kmedia_batch *batch,
			    const struct kmedia_stream *stream);
int kmedia_batch_stream_change(struct kmedia_batch *batch,
			       const struct kmedia_stream *stream);
int kmedia_batch_stream_del(struct kmedia_batch *batch, uint32_t id);
int kmedia_batch_send(struct kmedia_batch *batch);
int kmedia_batch_result(const struct kmedia_batch *batch, unsigned int i);
uint32_t kmedia_batch_stream_id(const struct kmedia_batch *batch,
				unsigned int i);
const char *kmedia_batch_extack(const struct kmedia_batch *batch,
				unsigned int i);

#ifdef __cplusplus
}
#endif

#endif /* LIBKMEDIA_H */
