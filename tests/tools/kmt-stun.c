// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-stun LOCAL-IP SERVER-IP PORT: send a STUN Binding Request (RFC 5389)
 * from LOCAL-IP (an ephemeral port) to SERVER-IP:PORT and check the
 * answer: a Binding Success Response with our transaction ID whose
 * XOR-MAPPED-ADDRESS is our own address and port. Prints "mapped IP:PORT"
 * and exits 0, or says what is wrong and exits 1 (no answer within 3 s,
 * three tries). IPv4 only: what the kmediad suites use.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned int get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

int main(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, srv = me;
	uint8_t req[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
	uint8_t resp[512];
	socklen_t len = sizeof(me);
	char ip[INET_ADDRSTRLEN];
	unsigned int i, off;
	int fd, tries;
	ssize_t n = -1;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &me.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &srv.sin_addr) != 1) {
		fprintf(stderr, "usage: kmt-stun LOCAL-IP SERVER-IP PORT\n");
		return 2;
	}
	srv.sin_port = htons(atoi(argv[3]));
	for (i = 8; i < 20; i++)
		req[i] = rand() ^ getpid() >> (i & 7);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len)) {
		perror("kmt-stun: socket");
		return 1;
	}
	for (tries = 0; tries < 3 && n < 0; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&srv, sizeof(srv));
		if (poll(&pfd, 1, 1000) == 1)
			n = recv(fd, resp, sizeof(resp), 0);
	}
	if (n < 20) {
		fprintf(stderr, "kmt-stun: no answer\n");
		return 1;
	}
	if (get16(resp) != 0x0101 || memcmp(resp + 4, req + 4, 16) ||
	    get16(resp + 2) + 20u != (size_t)n) {
		fprintf(stderr, "kmt-stun: not a Binding Success Response to us\n");
		return 1;
	}
	for (off = 20; off + 4 <= (size_t)n; off += 4 + ((get16(resp + off + 2) + 3) & ~3u)) {
		struct in_addr a;
		unsigned int port;

		if (get16(resp + off) != 0x0020 || get16(resp + off + 2) != 8)
			continue;
		port = get16(resp + off + 6) ^ 0x2112;
		memcpy(&a, resp + off + 8, 4);
		a.s_addr ^= htonl(0x2112a442);
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		printf("mapped %s:%u\n", ip, port);
		if (a.s_addr != me.sin_addr.s_addr || port != ntohs(me.sin_port)) {
			fprintf(stderr, "kmt-stun: mapped address is not ours (%s:%u)\n",
				argv[1], ntohs(me.sin_port));
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "kmt-stun: no XOR-MAPPED-ADDRESS\n");
	return 1;
}
