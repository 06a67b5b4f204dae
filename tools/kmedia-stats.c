// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: the totals of this network namespace (streams, sockets,
 * the max_streams cap, and the counters of every stream it ever had).
 */
#include "kmedia.h"

void stats_usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia stats show\n"
		"       kmedia stats help\n"
		"Shows the module version, streams, the max_streams cap, sockets and\n"
		"the counters summed over every stream this namespace ever had.\n");
}

static bool netns_has_stat(const void *n, enum kmedia_stats_attr a)
{
	return kmedia_netns_has_stat(n, a);
}

static uint64_t netns_get_stat(const void *n, enum kmedia_stats_attr a)
{
	return kmedia_netns_get_stat(n, a);
}

#define NS(n, a) ((unsigned long long)kmedia_netns_get_stat(n, KMEDIA_STATS_A_##a))

static int stats_show(int argc, char **argv)
{
	const char *what = "stats show";
	struct kmedia_handle *h;
	struct kmedia_netns *n;
	int err;

	if (argc > 0)
		return usage_error(what, "unknown keyword \"%s\"", argv[0]);
	err = handle_get(&h);
	if (err)
		return err;
	err = kmedia_netns_get(h, &n);
	if (err)
		return kernel_error(h, what, err);
	if (opts.json) {
		struct json_object *obj = json_object_new_object();
		struct json_object *stats;

		json_object_object_add(obj, "version",
				       json_object_new_string(kmedia_netns_get_version(n) ?: ""));
		json_object_object_add(obj, "streams", json_object_new_int64(
			kmedia_netns_get_u32(n, KMEDIA_NETNS_A_STREAMS)));
		json_object_object_add(obj, "streams_max", json_object_new_int64(
			kmedia_netns_get_u32(n, KMEDIA_NETNS_A_STREAMS_MAX)));
		json_object_object_add(obj, "sockets", json_object_new_int64(
			kmedia_netns_get_u32(n, KMEDIA_NETNS_A_SOCKETS)));
		stats = stats_json(netns_has_stat, netns_get_stat, n, false);
		json_object_object_add(stats, "events_lost",
				       json_object_new_int64((int64_t)NS(n, EVENTS_LOST)));
		json_object_object_add(obj, "stats", stats);
		json_print(obj);
	} else {
		printf("module %s\n", kmedia_netns_get_version(n) ?: "?");
		printf("streams %u max %u sockets %u\n",
		       kmedia_netns_get_u32(n, KMEDIA_NETNS_A_STREAMS),
		       kmedia_netns_get_u32(n, KMEDIA_NETNS_A_STREAMS_MAX),
		       kmedia_netns_get_u32(n, KMEDIA_NETNS_A_SOCKETS));
		printf("rx packets %llu bytes %llu tx packets %llu bytes %llu\n",
		       NS(n, RX_PACKETS), NS(n, RX_BYTES), NS(n, TX_PACKETS),
		       NS(n, TX_BYTES));
		printf("drop pt %llu route %llu xmit %llu\n",
		       NS(n, DROP_PT), NS(n, DROP_ROUTE), NS(n, DROP_XMIT));
		printf("drop-srtp auth %llu replay %llu short %llu mki %llu protect %llu\n",
		       NS(n, DROP_SRTP_AUTH), NS(n, DROP_SRTP_REPLAY),
		       NS(n, DROP_SRTP_SHORT), NS(n, DROP_SRTP_MKI),
		       NS(n, DROP_SRTP_PROTECT));
		printf("events lost %llu\n", NS(n, EVENTS_LOST));
	}
	kmedia_netns_free(n);
	return 0;
}

int do_stats(int argc, char **argv)
{
	static const char *const cmds[] = { "show", "list", "help", NULL };

	switch (argc ? keyword(argv[0], cmds) : 0) {
	case 0:
	case 1:
		return stats_show(argc ? argc - 1 : 0, argv + !!argc);
	case 2:
		stats_usage(stdout);
		return 0;
	default:
		return usage_error("stats", "unknown command \"%s\"; try \"kmedia stats help\"",
				   argv[0]);
	}
}
