// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia: inspect and program the in-kernel media relay, ip(8) style.
 *
 *   kmedia [OPTIONS] OBJECT { COMMAND | help }
 *
 * Exit status: 0 success, 1 bad usage, 2 the kernel refused the request.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libkmedia/libkmedia.h>

enum { EXIT_USAGE = 1, EXIT_KERNEL = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia [OPTIONS] OBJECT { COMMAND | help }\n"
		"where  OBJECT := { stream | stats }\n"
		"       OPTIONS := { -V[ersion] | -h[elp] }\n"
		"\n"
		"  kmedia stream show     list the streams of this network namespace\n"
		"  kmedia stats show      totals of this network namespace\n");
}

/* Report a failed library call the way ip(8) does, with the kernel's reason. */
static int kernel_error(struct kmedia_handle *h, const char *what, int err)
{
	const char *extack = h ? kmedia_handle_extack(h) : NULL;

	if (extack)
		fprintf(stderr, "kmedia: %s: %s: %s\n", what, strerror(-err), extack);
	else if (err == -ENOENT && !h)
		fprintf(stderr, "kmedia: %s: the kmedia module is not loaded\n", what);
	else
		fprintf(stderr, "kmedia: %s: %s\n", what, strerror(-err));
	return EXIT_KERNEL;
}

/* ip(8) accepts any unique prefix of a keyword. */
static int matches(const char *arg, const char *keyword)
{
	return arg && *arg && !strncmp(arg, keyword, strlen(arg));
}

static int print_stream(const struct kmedia_stream *stream, void *data)
{
	unsigned int *count = data;

	printf("%-10u\n", kmedia_stream_get_id(stream));
	(*count)++;
	return 0;
}

static int do_stream(struct kmedia_handle *h, int argc, char **argv)
{
	unsigned int count = 0;
	int err;

	if (argc > 0 && matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (argc > 0 && !matches(argv[0], "show") && !matches(argv[0], "list")) {
		fprintf(stderr, "kmedia: stream: unknown command \"%s\"\n", argv[0]);
		return EXIT_USAGE;
	}
	printf("%-10s\n", "ID");
	err = kmedia_stream_dump(h, NULL, print_stream, &count);
	if (err)
		return kernel_error(h, "stream show", err);
	return 0;
}

static int do_stats(struct kmedia_handle *h, int argc, char **argv)
{
	struct kmedia_netns *netns;
	int err;

	if (argc > 0 && !matches(argv[0], "show")) {
		fprintf(stderr, "kmedia: stats: unknown command \"%s\"\n", argv[0]);
		return EXIT_USAGE;
	}
	err = kmedia_netns_get(h, &netns);
	if (err)
		return kernel_error(h, "stats show", err);
	printf("module %s\n", kmedia_netns_get_version(netns));
	printf("streams %u max %u sockets %u\n",
	       kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_STREAMS),
	       kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_STREAMS_MAX),
	       kmedia_netns_get_u32(netns, KMEDIA_NETNS_A_SOCKETS));
	kmedia_netns_free(netns);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct kmedia_handle *h, int argc, char **argv);
} objects[] = {
	{ "stream", do_stream },
	{ "stats", do_stats },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "Version", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kmedia_handle *h = NULL;
	int opt, err, ret;
	size_t i;

	while ((opt = getopt_long(argc, argv, "+Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'V':
			printf("kmedia %s (libkmedia %s)\n", KMEDIA_VERSION,
			       kmedia_library_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 || matches(argv[0], "help")) {
		usage(argc ? stdout : stderr);
		return argc ? 0 : EXIT_USAGE;
	}

	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		if (!matches(argv[0], objects[i].name))
			continue;
		err = kmedia_handle_open(&h);
		if (err)
			return kernel_error(NULL, objects[i].name, err);
		ret = objects[i].fn(h, argc - 1, argv + 1);
		kmedia_handle_close(h);
		return ret;
	}
	fprintf(stderr, "kmedia: unknown object \"%s\"; try \"kmedia help\"\n",
		argv[0]);
	return EXIT_USAGE;
}
