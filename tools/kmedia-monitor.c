// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: print the module's events as they arrive, one line each
 * (text, or one JSON object per line under -j), until a signal.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "kmedia.h"

void monitor_usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia monitor [ all | latch | idle | srtp-fail ]...\n"
		"       kmedia monitor help\n"
		"Prints events of this network namespace until interrupted:\n"
		"  latch STREAM cookie COOKIE src ADDR:PORT\n"
		"  idle STREAM cookie COOKIE idle DURATION\n"
		"  srtp-fail STREAM cookie COOKIE failures N\n");
}

static const char *const events[] = { "latch", "idle", "srtp-fail", "all", NULL };

static int event_index(enum kmedia_cmd cmd)
{
	switch (cmd) {
	case KMEDIA_CMD_STREAM_LATCH_NTF:
		return 0;
	case KMEDIA_CMD_STREAM_IDLE_NTF:
		return 1;
	case KMEDIA_CMD_STREAM_SRTP_FAIL_NTF:
		return 2;
	default:
		return -1;
	}
}

static int event_print(enum kmedia_cmd cmd, const struct kmedia_stream *s,
		       void *data)
{
	unsigned int *mask = data;
	int ev = event_index(cmd);
	char buf[INET6_ADDRSTRLEN + 16];

	if (ev < 0 || !(*mask & (1u << ev)))
		return 0;
	if (opts.json) {
		struct json_object *obj = json_object_new_object();
		int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

		json_object_object_add(obj, "event", json_object_new_string(events[ev]));
		json_object_object_add(obj, "id",
				       json_object_new_int64(kmedia_stream_get_id(s)));
		json_object_object_add(obj, "cookie",
				       json_object_new_uint64(kmedia_stream_get_cookie(s)));
		if (ev == 0)
			json_object_object_add(obj, "src",
					       json_endpoint(kmedia_stream_get_src(s, NULL)));
		else if (ev == 1)
			json_object_object_add(obj, "idle_ms",
					       json_object_new_int64(kmedia_stream_get_idle_ms(s)));
		else
			json_object_object_add(obj, "failures",
					       json_object_new_int64(kmedia_stream_get_srtp_failures(s)));
		/* One object per line, even under -p: a stream of documents. */
		puts(json_object_to_json_string_ext(obj, flags));
		json_object_put(obj);
	} else {
		printf("%s stream %u cookie %" PRIu64 " ", events[ev],
		       kmedia_stream_get_id(s), kmedia_stream_get_cookie(s));
		if (ev == 0)
			printf("src %s\n", fmt_endpoint(kmedia_stream_get_src(s, NULL),
							buf, sizeof(buf)));
		else if (ev == 1)
			printf("idle %s\n", fmt_duration(kmedia_stream_get_idle_ms(s),
							 buf, sizeof(buf)));
		else
			printf("failures %u\n", kmedia_stream_get_srtp_failures(s));
	}
	fflush(stdout);
	return 0;
}

int do_monitor(int argc, char **argv)
{
	const char *what = "monitor";
	struct kmedia_handle *h;
	unsigned int mask = 0;
	int k, err;

	if (argc > 0 && matches(argv[0], "help")) {
		monitor_usage(stdout);
		return 0;
	}
	for (; argc > 0; argc--, argv++) {
		k = keyword(argv[0], events);
		if (k < 0)
			return usage_error(what, "unknown event \"%s\"", argv[0]);
		mask |= k == 3 ? ~0u : 1u << k;
	}
	if (!mask)
		mask = ~0u;
	/* A handle of its own: events must not mix with request replies. */
	err = kmedia_handle_open(&h);
	if (err)
		return kernel_error(NULL, what, err);
	err = kmedia_handle_subscribe(h);
	if (err) {
		err = kernel_error(h, what, err);
		kmedia_handle_close(h);
		return err;
	}
	for (;;) {
		err = kmedia_event_recv(h, false, event_print, &mask);
		if (err == -ENOBUFS) {
			fprintf(stderr, "kmedia: monitor: events were lost (reader too slow)\n");
			continue;
		}
		if (err < 0 && err != -EINTR)
			break;
	}
	err = kernel_error(h, what, err);
	kmedia_handle_close(h);
	return err;
}
