// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmt-sip-rtp: a phone's media for the kmediad suites, from a port of our
 * choosing whatever the SDP said (a phone behind NAT).
 *
 *   kmt-sip-rtp -l LOCALPORT HOST PORT COUNT
 *
 * Sends COUNT RTP packets (PCMU, 20 ms apart) to HOST PORT from LOCALPORT,
 * reads what comes back meanwhile and for one second after, and prints
 * "sent N received M". Exit status 0 if anything came back.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned int drain(int fd, int wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned int n = 0;
	char buf[2048];

	while (poll(&pfd, 1, wait_ms) == 1) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			n++;
		wait_ms = 0;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *dst;
	struct sockaddr_in local = { .sin_family = AF_INET };
	unsigned char pkt[12 + 160];
	unsigned int i, count, got = 0;
	int fd, opt;

	while ((opt = getopt(argc, argv, "l:")) != -1) {
		if (opt != 'l')
			return 1;
		local.sin_port = htons(atoi(optarg));
	}
	if (argc - optind != 3 ||
	    getaddrinfo(argv[optind], argv[optind + 1], &hints, &dst)) {
		fprintf(stderr, "usage: kmt-sip-rtp -l LOCALPORT HOST PORT COUNT\n");
		return 1;
	}
	count = atoi(argv[optind + 2]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local))) {
		perror("kmt-sip-rtp");
		return 1;
	}
	memset(pkt, 0xff, sizeof(pkt));		/* PCMU silence */
	for (i = 0; i < count; i++) {
		pkt[0] = 0x80;
		pkt[1] = 0;			/* PT 0 */
		pkt[2] = i >> 8;
		pkt[3] = i;
		pkt[4] = (i * 160) >> 24;
		pkt[5] = (i * 160) >> 16;
		pkt[6] = (i * 160) >> 8;
		pkt[7] = i * 160;
		memcpy(pkt + 8, "\x4b\x4d\x54\x31", 4);	/* SSRC */
		if (sendto(fd, pkt, sizeof(pkt), 0, dst->ai_addr,
			   dst->ai_addrlen) < 0)
			perror("kmt-sip-rtp: sendto");
		got += drain(fd, 20);
	}
	got += drain(fd, 1000);
	printf("sent %u received %u\n", count, got);
	return got ? 0 : 2;
}
