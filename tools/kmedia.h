/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmedia CLI: what the object files share. Each object (stream, socket,
 * stats, monitor) lives in its own file; parsing and output helpers in
 * kmedia-parse.c and kmedia-output.c.
 */
#ifndef KMEDIA_CLI_H
#define KMEDIA_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include <libkmedia/libkmedia.h>

/* Exit status: ip(8) habits, but with the kernel's refusals told apart. */
enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_KERNEL = 2 };

/* Global options. */
struct kmedia_opts {
	bool json;		/* -j */
	bool pretty;		/* -p */
	int stats;		/* -s, -s -s */
	bool batch;		/* running commands from -b FILE */
};
extern struct kmedia_opts opts;

/* One command being run: its name for messages ("stream add"). */
struct cmd {
	const char *name;
	int argc;
	char **argv;
};

/* The shared handle of this process, opened on first use. */
int handle_get(struct kmedia_handle **hp);
/* Report a failed library call on stderr; returns EXIT_KERNEL. */
int kernel_error(struct kmedia_handle *h, const char *what, int err);
/* Report bad usage on stderr; returns EXIT_USAGE. */
int usage_error(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Objects. */
int do_stream(int argc, char **argv);
int do_socket(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);
void stream_usage(FILE *out);
void socket_usage(FILE *out);
void stats_usage(FILE *out);
void monitor_usage(FILE *out);
/* Hold attached sockets until SIGINT/SIGTERM (socket attach, batch wait). */
int hold_until_signal(void);
/* Close every socket this process attached. */
void socket_release_all(void);

/* kmedia-parse.c: keywords and values. */
/* Index of the first entry of a NULL-terminated table that arg is a prefix
 * of (ip(8) order: earlier entries win), or -1.
 */
int keyword(const char *arg, const char *const *table);
bool matches(const char *arg, const char *word);
int parse_u32(const char *s, uint32_t *v);
int parse_u64(const char *s, uint64_t *v);
/* "ADDR:PORT", "[V6ADDR]:PORT"; port 0 allowed only if any_port. */
int parse_endpoint(const char *s, struct sockaddr_storage *ss,
		   socklen_t *lenp, bool any_port);
/* "0,8,96-127" or "all" into a bitmap; -EINVAL on bad syntax. */
int parse_pt_list(const char *s, uint8_t bitmap[KMEDIA_PT_BITMAP_LEN]);
/* "30", "30s", "500ms", "2m", "1h" into milliseconds. */
int parse_duration_ms(const char *s, uint32_t *msp);
/* 0-63 or a name: cs0-cs7, af11-af43, ef, va. */
int parse_dscp(const char *s, unsigned int *dscp);
/* Hex bytes "0a0b" or "0x0a0b" into buf; returns the length or -EINVAL. */
int parse_hex(const char *s, uint8_t *buf, size_t size);

/* kmedia-output.c: formatting shared by text and JSON output. */
/* "10.0.0.1:5000" or "[fd00::1]:5000"; "-" for NULL. */
const char *fmt_endpoint(const struct sockaddr *sa, char *buf, size_t len);
/* "350ms", "1.2s", "2m05s", "1h02m". */
const char *fmt_duration(uint32_t ms, char *buf, size_t len);
/* "0,8,96-127" or "all". */
const char *fmt_pt_list(const uint8_t *bitmap, char *buf, size_t len);
const char *fmt_hex(const uint8_t *p, size_t n, char *buf, size_t len);
/* {"address": "...", "port": N} or null. */
struct json_object *json_endpoint(const struct sockaddr *sa);
/* Print one JSON document (pretty under -p) and free it. */
void json_print(struct json_object *obj);
/* Columns aligned like ss(8): add rows of cells, then print them. */
struct table;
struct table *table_new(unsigned int ncols, const char *const *headers);
void table_cell(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Extra lines printed under the current row, indented. */
void table_detail(struct table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void table_print(struct table *t, FILE *out);
void table_free(struct table *t);

/* kmedia-srtp.c: srtp-in/srtp-out arguments and output. */
/* Parse "SUITE inline:KEY [mki HEX] [kdr N] [ssrc N] [roc N]
 * [replay-window N]" or "none" from argv; returns arguments consumed, or
 * -EXIT_USAGE after printing the error.
 */
int srtp_parse(const char *what, const char *kw, int argc, char **argv,
	       struct kmedia_srtp *ctx);
const char *srtp_suite_short(const struct kmedia_srtp *ctx);
void srtp_details(struct table *t, const char *dir,
		  const struct kmedia_srtp *ctx);
struct json_object *srtp_json(const struct kmedia_srtp *ctx);
void srtp_usage(FILE *out);

/* kmedia-stream.c: counters of a stream or of a namespace's totals as a
 * JSON object; RTP statistics (null until seen) only if rtp.
 */
struct json_object *stats_json(bool (*has)(const void *, enum kmedia_stats_attr),
			       uint64_t (*get)(const void *, enum kmedia_stats_attr),
			       const void *obj, bool rtp);

/* kmedia-socket.c: resolve "ID" or "ADDR:PORT" to an attached socket. */
int socket_resolve(const char *what, const char *kw, const char *arg,
		   uint32_t *idp);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* KMEDIA_CLI_H */
