// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: streams (add, change, del, show, flush). A stream is one
 * direction of one media flow: packets arriving on socket "from" leave
 * from socket "via" to "to".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kmedia.h"

void stream_usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia stream add from SOCK via SOCK to ADDR:PORT [ ATTRS ]\n"
		"       kmedia stream change [ id ] ID [ ATTRS ]\n"
		"       kmedia stream del [ id ] ID [ ID ]...\n"
		"       kmedia stream show [ FILTER ]...\n"
		"       kmedia stream flush [ cookie COOKIE ]\n"
		"       kmedia stream help\n"
		"SOCK  := { SOCKET_ID | ADDR:PORT }   (an attached socket's local address)\n"
		"ATTRS := [ kind { rtp | rtcp } ] [ { any | latch | strict ADDR:PORT } ]\n"
		"         [ pt { all | PTLIST } ] [ dscp { 0-63 | ef | va | afXY | csN } ]\n"
		"         [ cookie COOKIE ] [ idle-timeout DURATION ] [ clock-rate HZ ]\n"
		"         [ srtp-in SRTP ] [ srtp-out SRTP ]\n"
		"PTLIST := PT[-PT][,PT[-PT]]...   payload types 0-127, e.g. 0,8,96-127\n"
		"DURATION := NUMBER[ms|s|m|h]      seconds without a unit; 0 or off: none\n"
		"FILTER := { id ID | cookie COOKIE | from SOCK | via SOCK | socket SOCK |\n"
		"            kind { rtp | rtcp } | idle-gt DURATION }\n");
	srtp_usage(out);
	fprintf(out,
		"from and kind are fixed: change refuses them. list is show, delete is del.\n"
		"-s adds packet and drop counters, -s -s RTP statistics and SRTP drops.\n");
}

static const char *const stream_keys[] = {
	"to", "from", "via", "kind", "latch", "strict", "any", "pt", "dscp",
	"cookie", "idle-timeout", "clock-rate", "srtp-in", "srtp-out", "id",
	NULL,
};

enum {
	K_TO, K_FROM, K_VIA, K_KIND, K_LATCH, K_STRICT, K_ANY, K_PT, K_DSCP,
	K_COOKIE, K_IDLE, K_CLOCK, K_SRTP_IN, K_SRTP_OUT, K_ID,
};

static int parse_kind(const char *s, enum kmedia_stream_kind *kind)
{
	if (!strcmp(s, "rtp"))
		*kind = KMEDIA_KIND_RTP;
	else if (!strcmp(s, "rtcp"))
		*kind = KMEDIA_KIND_RTCP;
	else
		return -EINVAL;
	return 0;
}

/* One SRTP context from argv for srtp-in/-out; returns args consumed. */
static int stream_srtp(const char *what, int k, int argc, char **argv,
		       struct kmedia_stream *s)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();
	int n, err;

	if (!ctx) {
		perror("kmedia");
		exit(EXIT_KERNEL);
	}
	n = srtp_parse(what, stream_keys[k], argc, argv, ctx);
	if (n >= 0) {
		err = k == K_SRTP_IN ? kmedia_stream_set_srtp_in(s, ctx)
				     : kmedia_stream_set_srtp_out(s, ctx);
		if (err)
			n = -usage_error(what, "incomplete SRTP context for \"%s\"",
					 stream_keys[k]);
	}
	kmedia_srtp_free(ctx);
	return n;
}

/*
 * Attributes of add and change. Returns 0 or an exit status; *seen gets a
 * bit per keyword given.
 */
static int stream_parse(const char *what, int argc, char **argv,
			struct kmedia_stream *s, unsigned int *seen)
{
	uint8_t bitmap[KMEDIA_PT_BITMAP_LEN];
	struct sockaddr_storage ss;
	enum kmedia_stream_kind kind;
	unsigned int dscp;
	socklen_t len;
	uint64_t u64;
	uint32_t u32;
	int k, n, err;

	while (argc > 0) {
		const char *kw, *val;

		k = keyword(argv[0], stream_keys);
		if (k < 0)
			return usage_error(what, "unknown keyword \"%s\"", argv[0]);
		kw = stream_keys[k];
		*seen |= 1u << k;
		if (k == K_LATCH || k == K_ANY) {
			kmedia_stream_set_src_mode(s, k == K_LATCH ? KMEDIA_SRC_LATCH
								  : KMEDIA_SRC_ANY);
			argc--;
			argv++;
			continue;
		}
		if (argc < 2)
			return usage_error(what, "missing value for \"%s\"", kw);
		if (k == K_SRTP_IN || k == K_SRTP_OUT) {
			n = stream_srtp(what, k, argc - 1, argv + 1, s);
			if (n < 0)
				return -n;
			argc -= 1 + n;
			argv += 1 + n;
			continue;
		}
		val = argv[1];
		err = 0;
		switch (k) {
		case K_TO:
		case K_STRICT:
			err = parse_endpoint(val, &ss, &len, false);
			if (err)
				break;
			if (k == K_TO) {
				kmedia_stream_set_dst(s, (struct sockaddr *)&ss, len);
			} else {
				kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
				kmedia_stream_set_src(s, (struct sockaddr *)&ss, len);
			}
			break;
		case K_FROM:
		case K_VIA:
			err = socket_resolve(what, kw, val, &u32);
			if (err)
				return err;
			if (k == K_FROM)
				kmedia_stream_set_sock_in(s, u32);
			else
				kmedia_stream_set_sock_out(s, u32);
			break;
		case K_KIND:
			err = parse_kind(val, &kind);
			if (!err)
				kmedia_stream_set_kind(s, kind);
			break;
		case K_PT:
			err = parse_pt_list(val, bitmap);
			if (!err)
				kmedia_stream_set_pt_allow(s, bitmap);
			break;
		case K_DSCP:
			err = parse_dscp(val, &dscp);
			if (!err)
				kmedia_stream_set_dscp(s, dscp);
			break;
		case K_COOKIE:
			err = parse_u64(val, &u64);
			if (!err)
				kmedia_stream_set_cookie(s, u64);
			break;
		case K_IDLE:
			if (!strcmp(val, "off"))
				u32 = 0;
			else
				err = parse_duration_ms(val, &u32);
			if (!err)
				kmedia_stream_set_idle_timeout(s, u32);
			break;
		case K_CLOCK:
			err = parse_u32(val, &u32);
			if (!err)
				kmedia_stream_set_clock_rate(s, u32);
			break;
		case K_ID:
			err = parse_u32(val, &u32);
			if (!err)
				kmedia_stream_set_id(s, u32);
			break;
		}
		if (err)
			return usage_error(what, "invalid value \"%s\" for \"%s\"", val, kw);
		argc -= 2;
		argv += 2;
	}
	return 0;
}

static struct json_object *stream_json(const struct kmedia_stream *s);

static struct kmedia_stream *stream_alloc(void)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	if (!s) {
		perror("kmedia");
		exit(EXIT_KERNEL);
	}
	return s;
}

static int stream_add(int argc, char **argv)
{
	static const int required[] = { K_FROM, K_VIA, K_TO };
	const char *what = "stream add";
	struct kmedia_stream *s = stream_alloc(), *g = NULL;
	struct kmedia_handle *h;
	unsigned int seen = 0;
	size_t i;
	int err;

	err = stream_parse(what, argc, argv, s, &seen);
	for (i = 0; !err && i < ARRAY_SIZE(required); i++)
		if (!(seen & (1u << required[i])))
			err = usage_error(what, "\"%s\" is required", stream_keys[required[i]]);
	if (!err && (seen & (1u << K_ID)))
		err = usage_error(what, "\"id\" is assigned by the kernel");
	if (!err)
		err = handle_get(&h);
	if (!err) {
		err = kmedia_stream_new(h, s);
		if (err)
			err = kernel_error(h, what, err);
		else if (!opts.json)
			printf("%u\n", kmedia_stream_get_id(s));
	}
	/* The kernel answers a new stream with its ID: -j shows the whole
	 * stream as the kernel now has it, defaults and counters included.
	 */
	if (!err && opts.json) {
		err = kmedia_stream_get(h, kmedia_stream_get_id(s), &g);
		if (err)
			err = kernel_error(h, what, err);
		else
			json_print(stream_json(g));
		kmedia_stream_free(g);
	}
	kmedia_stream_free(s);
	return err;
}

/* "[id] ID" at the start of change and del. */
static int stream_id_arg(const char *what, int *argcp, char ***argvp,
			 uint32_t *id)
{
	if (*argcp > 0 && !strcmp((*argvp)[0], "id")) {
		(*argcp)--;
		(*argvp)++;
	}
	if (*argcp < 1)
		return usage_error(what, "missing stream ID");
	if (parse_u32((*argvp)[0], id))
		return usage_error(what, "invalid stream ID \"%s\"", (*argvp)[0]);
	(*argcp)--;
	(*argvp)++;
	return 0;
}

static int stream_change(int argc, char **argv)
{
	const char *what = "stream change";
	struct kmedia_stream *s = stream_alloc();
	struct kmedia_handle *h;
	unsigned int seen = 0;
	uint32_t id;
	int err;

	err = stream_id_arg(what, &argc, &argv, &id);
	if (!err)
		err = stream_parse(what, argc, argv, s, &seen);
	if (!err && (seen & (1u << K_ID)))
		err = usage_error(what, "the stream ID is given once, first");
	/* The protocol has them fixed; libkmedia would not even send them. */
	if (!err && (seen & (1u << K_FROM | 1u << K_KIND)))
		err = usage_error(what, "\"%s\" cannot be changed; delete the stream and add it again",
				  stream_keys[seen & (1u << K_FROM) ? K_FROM : K_KIND]);
	if (!err && !seen)
		err = usage_error(what, "nothing to change");
	if (!err)
		err = handle_get(&h);
	if (!err) {
		kmedia_stream_set_id(s, id);
		err = kmedia_stream_change(h, s);
		if (err)
			err = kernel_error(h, what, err);
	}
	kmedia_stream_free(s);
	return err;
}

static int stream_del(int argc, char **argv)
{
	const char *what = "stream del";
	struct kmedia_handle *h;
	uint32_t id;
	int err;

	err = stream_id_arg(what, &argc, &argv, &id);
	if (err)
		return err;
	err = handle_get(&h);
	for (;;) {
		if (err)
			return err;
		err = kmedia_stream_del(h, id);
		if (err)
			return kernel_error(h, what, err);
		if (!argc)
			return 0;
		err = stream_id_arg(what, &argc, &argv, &id);
	}
}

static int stream_flush(int argc, char **argv)
{
	const char *what = "stream flush";
	struct kmedia_handle *h;
	uint64_t cookie;
	bool by_cookie = false;
	uint32_t count;
	int err;

	if (argc > 0) {
		if (!matches(argv[0], "cookie"))
			return usage_error(what, "unknown keyword \"%s\"", argv[0]);
		if (argc < 2)
			return usage_error(what, "missing value for \"cookie\"");
		if (parse_u64(argv[1], &cookie))
			return usage_error(what, "invalid value \"%s\" for \"cookie\"", argv[1]);
		if (argc > 2)
			return usage_error(what, "unknown keyword \"%s\"", argv[2]);
		by_cookie = true;
	}
	err = handle_get(&h);
	if (err)
		return err;
	err = kmedia_stream_flush(h, by_cookie ? &cookie : NULL, &count);
	if (err)
		return kernel_error(h, what, err);
	if (opts.json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "flushed", json_object_new_int64(count));
		json_print(obj);
	} else if (opts.stats) {
		printf("flushed %u stream%s\n", count, count == 1 ? "" : "s");
	}
	return 0;
}

/* Output of show: filters applied here, then one row or object each. */
struct stream_out {
	struct table *t;
	struct json_object *array;
	bool by_via, by_sock, by_kind, by_idle;
	uint32_t via, sock, idle_gt;
	enum kmedia_stream_kind kind;
};

static const char *const src_modes[] = { "any", "strict", "latch" };

static const char *src_mode_name(const struct kmedia_stream *s)
{
	enum kmedia_src_mode mode = kmedia_stream_get_src_mode(s);

	if (mode == KMEDIA_SRC_LATCH && kmedia_stream_get_latched(s))
		return "latched";
	return mode < ARRAY_SIZE(src_modes) ? src_modes[mode] : "?";
}

#define STAT(s, a) ((unsigned long long)kmedia_stream_get_stat(s, KMEDIA_STATS_A_##a))

static const struct {
	const char *json;
	enum kmedia_stats_attr attr;
} stream_stats[] = {
	{ "rx_packets", KMEDIA_STATS_A_RX_PACKETS },
	{ "rx_bytes", KMEDIA_STATS_A_RX_BYTES },
	{ "tx_packets", KMEDIA_STATS_A_TX_PACKETS },
	{ "tx_bytes", KMEDIA_STATS_A_TX_BYTES },
	{ "drop_pt", KMEDIA_STATS_A_DROP_PT },
	{ "drop_route", KMEDIA_STATS_A_DROP_ROUTE },
	{ "drop_xmit", KMEDIA_STATS_A_DROP_XMIT },
	{ "drop_srtp_auth", KMEDIA_STATS_A_DROP_SRTP_AUTH },
	{ "drop_srtp_replay", KMEDIA_STATS_A_DROP_SRTP_REPLAY },
	{ "drop_srtp_short", KMEDIA_STATS_A_DROP_SRTP_SHORT },
	{ "drop_srtp_mki", KMEDIA_STATS_A_DROP_SRTP_MKI },
	{ "drop_srtp_protect", KMEDIA_STATS_A_DROP_SRTP_PROTECT },
	/* RTP statistics of the current sender: null until one is seen. */
	{ "ssrc", KMEDIA_STATS_A_SSRC },
	{ "ext_max_seq", KMEDIA_STATS_A_EXT_MAX_SEQ },
	{ "rtp_received", KMEDIA_STATS_A_RTP_RECEIVED },
	{ "rtp_expected", KMEDIA_STATS_A_RTP_EXPECTED },
	{ "rtp_lost", KMEDIA_STATS_A_RTP_LOST },
	{ "jitter", KMEDIA_STATS_A_JITTER },
};

struct json_object *stats_json(bool (*has)(const void *, enum kmedia_stats_attr),
			       uint64_t (*get)(const void *, enum kmedia_stats_attr),
			       const void *obj, bool rtp)
{
	struct json_object *st = json_object_new_object();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stream_stats); i++) {
		enum kmedia_stats_attr a = stream_stats[i].attr;
		struct json_object *v = NULL;

		if (a == KMEDIA_STATS_A_SSRC && !rtp)
			break;
		if (a == KMEDIA_STATS_A_RTP_LOST && has(obj, a))
			v = json_object_new_int64((int64_t)get(obj, a));
		else if (a < KMEDIA_STATS_A_SSRC || a >= KMEDIA_STATS_A_DROP_SRTP_AUTH ||
			 has(obj, a))
			v = json_object_new_uint64(get(obj, a));
		json_object_object_add(st, stream_stats[i].json, v);
	}
	return st;
}

static bool stream_has_stat(const void *s, enum kmedia_stats_attr a)
{
	return kmedia_stream_has_stat(s, a);
}

static uint64_t stream_get_stat(const void *s, enum kmedia_stats_attr a)
{
	return kmedia_stream_get_stat(s, a);
}

static struct json_object *json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static struct json_object *stream_json(const struct kmedia_stream *s)
{
	struct json_object *obj = json_object_new_object();
	const uint8_t *pt = kmedia_stream_get_pt_allow(s);
	enum kmedia_src_mode mode = kmedia_stream_get_src_mode(s);
	int i;

	json_object_object_add(obj, "id", json_u64(kmedia_stream_get_id(s)));
	json_object_object_add(obj, "kind", json_object_new_string(
		kmedia_stream_get_kind(s) == KMEDIA_KIND_RTCP ? "rtcp" : "rtp"));
	json_object_object_add(obj, "cookie", json_u64(kmedia_stream_get_cookie(s)));
	json_object_object_add(obj, "sock_in", json_u64(kmedia_stream_get_sock_in(s)));
	json_object_object_add(obj, "sock_out", json_u64(kmedia_stream_get_sock_out(s)));
	json_object_object_add(obj, "dst", json_endpoint(kmedia_stream_get_dst(s, NULL)));
	json_object_object_add(obj, "src_mode", json_object_new_string(
		mode < ARRAY_SIZE(src_modes) ? src_modes[mode] : "?"));
	json_object_object_add(obj, "src", json_endpoint(kmedia_stream_get_src(s, NULL)));
	json_object_object_add(obj, "latched",
			       json_object_new_boolean(kmedia_stream_get_latched(s)));
	if (pt) {
		struct json_object *list = json_object_new_array();

		for (i = 0; i < 128; i++)
			if (pt[i / 8] & (1u << (i % 8)))
				json_object_array_add(list, json_object_new_int(i));
		json_object_object_add(obj, "pt_allow", list);
	} else {
		json_object_object_add(obj, "pt_allow", NULL);
	}
	json_object_object_add(obj, "dscp", kmedia_stream_has(s, KMEDIA_STREAM_A_DSCP) ?
			       json_object_new_int(kmedia_stream_get_dscp(s)) : NULL);
	json_object_object_add(obj, "idle_timeout_ms",
			       json_u64(kmedia_stream_get_idle_timeout(s)));
	json_object_object_add(obj, "clock_rate", json_u64(kmedia_stream_get_clock_rate(s)));
	json_object_object_add(obj, "idle_ms", json_u64(kmedia_stream_get_idle_ms(s)));
	json_object_object_add(obj, "srtp_in", srtp_json(kmedia_stream_get_srtp_in(s)));
	json_object_object_add(obj, "srtp_out", srtp_json(kmedia_stream_get_srtp_out(s)));
	if (opts.stats)
		json_object_object_add(obj, "stats",
				       stats_json(stream_has_stat, stream_get_stat, s, true));
	return obj;
}

static void stream_row(struct table *t, const struct kmedia_stream *s)
{
	const struct kmedia_srtp *in = kmedia_stream_get_srtp_in(s);
	const struct kmedia_srtp *out = kmedia_stream_get_srtp_out(s);
	char buf[INET6_ADDRSTRLEN + 16], pts[400], dur[32];
	uint32_t idle_timeout = kmedia_stream_get_idle_timeout(s);
	const struct sockaddr *src = kmedia_stream_get_src(s, NULL);

	table_cell(t, "%u", kmedia_stream_get_id(s));
	table_cell(t, "%s", kmedia_stream_get_kind(s) == KMEDIA_KIND_RTCP ? "rtcp" : "rtp");
	table_cell(t, "%" PRIu64, kmedia_stream_get_cookie(s));
	table_cell(t, "%u", kmedia_stream_get_sock_in(s));
	table_cell(t, "%s", src_mode_name(s));
	table_cell(t, "%s", src ? fmt_endpoint(src, buf, sizeof(buf)) : "*");
	table_cell(t, "%u", kmedia_stream_get_sock_out(s));
	table_cell(t, "%s", fmt_endpoint(kmedia_stream_get_dst(s, NULL), buf, sizeof(buf)));
	if (in || out)
		table_cell(t, "%s/%s", srtp_suite_short(in), srtp_suite_short(out));
	else
		table_cell(t, "-");
	table_cell(t, "%s", fmt_duration(kmedia_stream_get_idle_ms(s), dur, sizeof(dur)));

	if (kmedia_stream_has(s, KMEDIA_STREAM_A_DSCP))
		snprintf(buf, sizeof(buf), "%u", kmedia_stream_get_dscp(s));
	else
		snprintf(buf, sizeof(buf), "keep");
	table_detail(t, "pt %s dscp %s idle-timeout %s clock-rate %u",
		     fmt_pt_list(kmedia_stream_get_pt_allow(s), pts, sizeof(pts)), buf,
		     idle_timeout ? fmt_duration(idle_timeout, dur, sizeof(dur)) : "off",
		     kmedia_stream_get_clock_rate(s));
	srtp_details(t, "in", in);
	srtp_details(t, "out", out);
	if (!opts.stats)
		return;
	table_detail(t, "rx packets %llu bytes %llu tx packets %llu bytes %llu drop pt %llu route %llu xmit %llu srtp %llu",
		     STAT(s, RX_PACKETS), STAT(s, RX_BYTES), STAT(s, TX_PACKETS),
		     STAT(s, TX_BYTES), STAT(s, DROP_PT), STAT(s, DROP_ROUTE),
		     STAT(s, DROP_XMIT),
		     STAT(s, DROP_SRTP_AUTH) + STAT(s, DROP_SRTP_REPLAY) +
		     STAT(s, DROP_SRTP_SHORT) + STAT(s, DROP_SRTP_MKI) +
		     STAT(s, DROP_SRTP_PROTECT));
	if (opts.stats < 2)
		return;
	if (kmedia_stream_has_stat(s, KMEDIA_STATS_A_SSRC))
		table_detail(t, "rtp ssrc 0x%08llx ext-max-seq %llu received %llu expected %llu lost %lld jitter %llu",
			     STAT(s, SSRC), STAT(s, EXT_MAX_SEQ), STAT(s, RTP_RECEIVED),
			     STAT(s, RTP_EXPECTED), (long long)STAT(s, RTP_LOST),
			     STAT(s, JITTER));
	else
		table_detail(t, "rtp -");
	table_detail(t, "drop-srtp auth %llu replay %llu short %llu mki %llu protect %llu",
		     STAT(s, DROP_SRTP_AUTH), STAT(s, DROP_SRTP_REPLAY),
		     STAT(s, DROP_SRTP_SHORT), STAT(s, DROP_SRTP_MKI),
		     STAT(s, DROP_SRTP_PROTECT));
}

static int stream_print(const struct kmedia_stream *s, void *data)
{
	struct stream_out *o = data;

	if (o->by_via && kmedia_stream_get_sock_out(s) != o->via)
		return 0;
	if (o->by_sock && kmedia_stream_get_sock_in(s) != o->sock &&
	    kmedia_stream_get_sock_out(s) != o->sock)
		return 0;
	if (o->by_kind && kmedia_stream_get_kind(s) != o->kind)
		return 0;
	if (o->by_idle && kmedia_stream_get_idle_ms(s) <= o->idle_gt)
		return 0;
	if (opts.json)
		json_object_array_add(o->array, stream_json(s));
	else
		stream_row(o->t, s);
	return 0;
}

static const char *const stream_headers[] = {
	"ID", "Kind", "Cookie", "In", "Mode", "Source", "Out", "Destination",
	"SRTP", "Idle",
};

static int stream_show(int argc, char **argv)
{
	static const char *const keys[] = {
		"id", "cookie", "from", "via", "socket", "kind", "idle-gt", NULL,
	};
	const char *what = "stream show";
	struct kmedia_stream *filter = stream_alloc();
	struct stream_out o = { 0 };
	struct kmedia_stream *one;
	struct kmedia_handle *h;
	bool have_id = false;
	uint64_t cookie;
	uint32_t id = 0, from;
	int k, err = 0;

	for (; !err && argc > 0; argc -= 2, argv += 2) {
		k = keyword(argv[0], keys);
		if (k < 0) {
			err = usage_error(what, "unknown keyword \"%s\"", argv[0]);
			break;
		}
		if (argc < 2) {
			err = usage_error(what, "missing value for \"%s\"", keys[k]);
			break;
		}
		switch (k) {
		case 0:
			err = parse_u32(argv[1], &id);
			have_id = true;
			break;
		case 1:
			err = parse_u64(argv[1], &cookie);
			kmedia_stream_set_cookie(filter, cookie);
			break;
		case 2:
		case 3:
		case 4:
			err = socket_resolve(what, keys[k], argv[1],
					     k == 3 ? &o.via : k == 4 ? &o.sock : &from);
			if (err)
				goto out;
			if (k == 2)
				kmedia_stream_set_sock_in(filter, from);
			o.by_via |= k == 3;
			o.by_sock |= k == 4;
			break;
		case 5:
			err = parse_kind(argv[1], &o.kind);
			o.by_kind = true;
			break;
		case 6:
			err = parse_duration_ms(argv[1], &o.idle_gt);
			o.by_idle = true;
			break;
		}
		if (err)
			err = usage_error(what, "invalid value \"%s\" for \"%s\"",
					  argv[1], keys[k]);
	}
	if (err)
		goto out;
	err = handle_get(&h);
	if (err)
		goto out;
	if (opts.json)
		o.array = json_object_new_array();
	else
		o.t = table_new(ARRAY_SIZE(stream_headers), stream_headers);
	if (have_id) {
		err = kmedia_stream_get(h, id, &one);
		if (!err) {
			/* The other filters apply to the one stream too. */
			if ((!kmedia_stream_has(filter, KMEDIA_STREAM_A_COOKIE) ||
			     kmedia_stream_get_cookie(filter) == kmedia_stream_get_cookie(one)) &&
			    (!kmedia_stream_has(filter, KMEDIA_STREAM_A_SOCK_IN) ||
			     kmedia_stream_get_sock_in(filter) == kmedia_stream_get_sock_in(one)))
				stream_print(one, &o);
			kmedia_stream_free(one);
		}
	} else {
		err = kmedia_stream_dump(h, filter, stream_print, &o);
	}
	if (err) {
		err = kernel_error(h, what, err);
	} else if (opts.json) {
		json_print(o.array);
		o.array = NULL;
	} else {
		table_print(o.t, stdout);
	}
out:
	if (o.array)
		json_object_put(o.array);
	if (o.t)
		table_free(o.t);
	kmedia_stream_free(filter);
	return err;
}

int do_stream(int argc, char **argv)
{
	static const char *const cmds[] = {
		"show", "list", "add", "change", "del", "delete", "flush", "help",
		NULL,
	};

	switch (argc ? keyword(argv[0], cmds) : 0) {
	case 0:
	case 1:
		return stream_show(argc ? argc - 1 : 0, argv + !!argc);
	case 2:
		return stream_add(argc - 1, argv + 1);
	case 3:
		return stream_change(argc - 1, argv + 1);
	case 4:
	case 5:
		return stream_del(argc - 1, argv + 1);
	case 6:
		return stream_flush(argc - 1, argv + 1);
	case 7:
		stream_usage(stdout);
		return 0;
	default:
		return usage_error("stream", "unknown command \"%s\"; try \"kmedia stream help\"",
				   argv[0]);
	}
}
