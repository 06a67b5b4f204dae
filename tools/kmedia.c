// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia: inspect and program the in-kernel media relay, ip(8) style.
 *
 *   kmedia [OPTIONS] OBJECT { COMMAND | help }
 *
 * This file holds the options, the object dispatch, batch mode (-b) and
 * network namespaces (-n); each object lives in kmedia-OBJECT.c.
 *
 * Exit status: 0 success, 1 bad usage, 2 the kernel refused the request
 * (or the module, a socket or a namespace was not available).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmedia.h"

struct kmedia_opts opts;

static struct kmedia_handle *handle;
/* The object being run, for messages about the handle. */
static const char *object = "kmedia";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       kmedia [ OPTIONS ] -b FILE\n"
		"where  OBJECT := { stream | socket | stats | monitor }\n"
		"       OPTIONS := { -j[son] | -p[retty] | -s[tats] [ -s ] |\n"
		"                    -n[etns] NAME | -b[atch] FILE | -V[ersion] | -h[elp] }\n"
		"\n"
		"  kmedia stream { add | change | del | show | flush | help }\n"
		"  kmedia socket { show | attach | del | help }\n"
		"  kmedia stats show\n"
		"  kmedia monitor [ all | latch | idle | srtp-fail ]\n"
		"\n"
		"-j prints one JSON document per command, -p indents it, -s adds\n"
		"counters (-s -s: RTP statistics and SRTP drops), -n NAME runs in the\n"
		"network namespace /run/netns/NAME, -b FILE runs one command per line\n"
		"of FILE (\"-\": standard input) in one process; a batch may end with\n"
		"\"wait\" to hold its attached sockets until SIGINT, SIGTERM or SIGHUP.\n"
		"Exit status: 0 success, 1 bad usage, 2 refused by the kernel.\n"
		"\n");
	stream_usage(out);
	fputc('\n', out);
	socket_usage(out);
	fputc('\n', out);
	stats_usage(out);
	fputc('\n', out);
	monitor_usage(out);
}

int usage_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kmedia: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Report a failed library call the way ip(8) does, with the kernel's reason. */
int kernel_error(struct kmedia_handle *h, const char *what, int err)
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

int handle_get(struct kmedia_handle **hp)
{
	int err;

	if (!handle) {
		err = kmedia_handle_open(&handle);
		if (err) {
			handle = NULL;
			return kernel_error(NULL, object, err);
		}
	}
	*hp = handle;
	return 0;
}

/* ip -n: enter /run/netns/NAME (or a path) before any netlink socket. */
static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kmedia: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return EXIT_USAGE;
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "kmedia: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return EXIT_KERNEL;
	}
	close(fd);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	/* ip(8) order: an abbreviation means the first match ("s": stream). */
	{ "stream", do_stream },
	{ "socket", do_socket },
	{ "stats", do_stats },
	{ "monitor", do_monitor },
};

static int run(int argc, char **argv)
{
	size_t i;

	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[0], "wait")) {
		if (!opts.batch)
			return usage_error("wait", "only in batch mode (-b)");
		if (argc > 1)
			return usage_error("wait", "unknown keyword \"%s\"", argv[1]);
		return hold_until_signal();
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++) {
		if (!matches(argv[0], objects[i].name))
			continue;
		object = objects[i].name;
		return objects[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "kmedia: unknown object \"%s\"; try \"kmedia help\"\n",
		argv[0]);
	return EXIT_USAGE;
}

/*
 * Split a batch line into words: blanks separate, single or double quotes
 * group, a backslash escapes the next character, '#' at the start of a
 * word begins a comment. Returns the count or -1 for an unclosed quote.
 */
static int split_line(char *line, char **argv, int max)
{
	char *in = line, *out = line;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = out;
		for (; *in; in++) {
			if (quote) {
				if (*in == quote)
					quote = 0;
				else
					*out++ = *in;
			} else if (*in == '"' || *in == '\'') {
				quote = *in;
			} else if (*in == '\\' && in[1]) {
				*out++ = *++in;
			} else if (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r') {
				break;
			} else {
				*out++ = *in;
			}
		}
		if (quote)
			return -1;
		if (*in)
			in++;
		*out++ = '\0';
	}
}

static int batch(const char *file)
{
	FILE *in = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *line = NULL, *argv[256];
	unsigned int lineno = 0;
	size_t size = 0;
	int argc, ret = 0;

	if (!in) {
		fprintf(stderr, "kmedia: cannot open batch file \"%s\": %s\n", file,
			strerror(errno));
		return EXIT_USAGE;
	}
	opts.batch = true;
	while (getline(&line, &size, in) >= 0) {
		lineno++;
		argc = split_line(line, argv, ARRAY_SIZE(argv));
		if (argc < 0) {
			fprintf(stderr, "kmedia: %s:%u: unclosed quote or too many words\n",
				file, lineno);
			ret = EXIT_USAGE;
			break;
		}
		if (!argc)
			continue;
		ret = run(argc, argv);
		if (ret) {
			fprintf(stderr, "kmedia: %s:%u: command failed\n", file, lineno);
			break;
		}
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "stats", no_argument, NULL, 's' },
		{ "statistics", no_argument, NULL, 's' },
		{ "netns", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "Version", no_argument, NULL, 'V' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch_file = NULL, *netns = NULL;
	int opt, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jpsn:b:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.pretty = true;
			break;
		case 's':
			opts.stats++;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'b':
			batch_file = optarg;
			break;
		case 'V':
			printf("kmedia %s (libkmedia %s)\n", KMEDIA_VERSION,
			       kmedia_library_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt && strchr("nb", optopt))
				fprintf(stderr, "kmedia: option \"-%c\" needs a value\n", optopt);
			else if (optopt)
				fprintf(stderr, "kmedia: unknown option \"-%c\"; try \"kmedia help\"\n",
					optopt);
			else
				fprintf(stderr, "kmedia: unknown option \"%s\"; try \"kmedia help\"\n",
					argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (batch_file && argc) {
		fprintf(stderr, "kmedia: -b runs the commands of a file; \"%s\" is extra\n",
			argv[0]);
		return EXIT_USAGE;
	}
	if (!batch_file && !argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (netns) {
		ret = enter_netns(netns);
		if (ret)
			return ret;
	}
	ret = batch_file ? batch(batch_file) : run(argc, argv);
	socket_release_all();
	kmedia_handle_close(handle);
	return ret;
}
