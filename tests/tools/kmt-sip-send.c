// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-sip-send: send one SIP datagram and print the status line of the
 * answer, for the kmediad suites.
 *
 *   kmt-sip-send [-l LOCALPORT] [-w MSECS] HOST PORT FILE
 *
 * FILE is sent as is, except that bare LF line ends become CRLF (the
 * corpus is easier to edit that way) unless it contains CR already.
 * Prints the first line of the first datagram that comes back, or
 * "timeout"; exit status 0 if something came back, 2 on timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *dst;
	unsigned int lport = 5099, wait_ms = 3000;
	static char in[65536], out[2 * 65536], reply[65536];
	struct sockaddr_storage local = { 0 };
	struct pollfd pfd;
	size_t n, o = 0, i;
	ssize_t r;
	FILE *f;
	int opt, fd;
	char *eol;

	while ((opt = getopt(argc, argv, "l:w:")) != -1) {
		if (opt == 'l')
			lport = atoi(optarg);
		else if (opt == 'w')
			wait_ms = atoi(optarg);
		else
			return 1;
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: kmt-sip-send [-l LOCALPORT] [-w MSECS] "
			"HOST PORT FILE\n");
		return 1;
	}
	if (getaddrinfo(argv[optind], argv[optind + 1], &hints, &dst)) {
		fprintf(stderr, "kmt-sip-send: bad address\n");
		return 1;
	}
	f = fopen(argv[optind + 2], "rb");
	if (!f) {
		perror(argv[optind + 2]);
		return 1;
	}
	n = fread(in, 1, sizeof(in), f);
	fclose(f);
	for (i = 0; i < n; i++) {
		if (in[i] == '\n' && !memchr(in, '\r', n))
			out[o++] = '\r';
		out[o++] = in[i];
	}

	fd = socket(dst->ai_family, SOCK_DGRAM, 0);
	local.ss_family = dst->ai_family;
	if (dst->ai_family == AF_INET6)
		((struct sockaddr_in6 *)&local)->sin6_port = htons(lport);
	else
		((struct sockaddr_in *)&local)->sin_port = htons(lport);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local,
			   dst->ai_family == AF_INET6 ?
			   sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in))) {
		perror("kmt-sip-send: socket");
		return 1;
	}
	if (sendto(fd, out, o, 0, dst->ai_addr, dst->ai_addrlen) < 0) {
		perror("kmt-sip-send: sendto");
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, wait_ms) != 1) {
		printf("timeout\n");
		return 2;
	}
	r = recv(fd, reply, sizeof(reply) - 1, 0);
	if (r < 0) {
		perror("kmt-sip-send: recv");
		return 1;
	}
	reply[r] = 0;
	eol = strpbrk(reply, "\r\n");
	if (eol)
		*eol = 0;
	printf("%s\n", reply);
	return 0;
}
