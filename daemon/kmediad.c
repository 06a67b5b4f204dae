// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad: the SIP back-to-back user agent that puts every call's media
 * into the kmedia kernel relay.
 *
 * This is the entry point only: the SIP stack, SDP rewriting and media
 * programming arrive with their own files.
 */
#include <getopt.h>
#include <stdio.h>
#include <libkmedia/libkmedia.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmediad [OPTIONS]\n"
		"  -V, --version   print the version and exit\n"
		"  -h, --help      this text\n"
		"\n"
		"kmediad %s does not relay calls yet; see the README for the\n"
		"state of the SIP B2BUA.\n", KMEDIA_VERSION);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'V':
			printf("kmediad %s (libkmedia %s)\n", KMEDIA_VERSION,
			       kmedia_library_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	usage(stderr);
	return 1;
}
