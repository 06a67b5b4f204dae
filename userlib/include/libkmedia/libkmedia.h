/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmedia: C API for the kmedia generic netlink family.
 *
 * Conventions: functions that can fail return 0 (or a count) on success and
 * a negative errno on failure; they never print. When the kernel explained a
 * refusal, kmedia_handle_extack() returns its text until the next request.
 * Objects are opaque: allocate, set attributes, pass them to a request, read
 * attributes back with the getters after checking kmedia_*_has().
 */
#ifndef LIBKMEDIA_H
#define LIBKMEDIA_H

#include <stdbool.h>
#include <stdint.h>
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

/* Per network namespace totals (KMEDIA_CMD_NETNS_GET). */
struct kmedia_netns;

void kmedia_netns_free(struct kmedia_netns *netns);
int kmedia_netns_get(struct kmedia_handle *handle, struct kmedia_netns **netnsp);
bool kmedia_netns_has(const struct kmedia_netns *netns,
		      enum kmedia_netns_attr attr);
uint32_t kmedia_netns_get_u32(const struct kmedia_netns *netns,
			      enum kmedia_netns_attr attr);
const char *kmedia_netns_get_version(const struct kmedia_netns *netns);

/* One direction of one media flow (KMEDIA_CMD_STREAM_*). */
struct kmedia_stream;

struct kmedia_stream *kmedia_stream_alloc(void);
void kmedia_stream_free(struct kmedia_stream *stream);
bool kmedia_stream_has(const struct kmedia_stream *stream,
		       enum kmedia_stream_attr attr);
uint32_t kmedia_stream_get_id(const struct kmedia_stream *stream);
void kmedia_stream_set_id(struct kmedia_stream *stream, uint32_t id);

/*
 * Called once per stream of a dump; the stream is only valid during the
 * call. A non-zero return stops the dump and is returned by the dump.
 */
typedef int (*kmedia_stream_cb)(const struct kmedia_stream *stream, void *data);
int kmedia_stream_dump(struct kmedia_handle *handle, kmedia_stream_cb cb,
		       void *data);

const char *kmedia_library_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBKMEDIA_H */
