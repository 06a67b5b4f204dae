// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmb-traffic: G.711-sized RTP flows over one or many streams, rings of
 * packets built (and, for SRTP, protected with libsrtp2) before the clock
 * starts, a paced or flat-out sendmmsg() sender, and a receiver thread
 * that counts and spot-checks what bob gets.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kmb.h"

/* Up to this many streams, one libsrtp2 session follows them all (its
 * per-SSRC lookup is a list walk); above it, each ring gets a new session,
 * which is right as long as no stream sends 2^15 packets.
 */
#define KMB_SRTP_KEEP_MAX	1024

int kmb_flow_init(struct kmb_flow *f, uint32_t nstreams, uint32_t suite,
		  uint32_t key_seed)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->nstreams = nstreams;
	f->dst = calloc(nstreams, sizeof(*f->dst));
	f->index = calloc(nstreams, sizeof(*f->index));
	if (!f->dst || !f->index) {
		kmb_flow_free(f);
		return -ENOMEM;
	}
	kmt_srtp_init(&f->srtp, suite, key_seed);
	if (suite != KMEDIA_SRTP_NONE && nstreams <= KMB_SRTP_KEEP_MAX) {
		ret = kmt_libsrtp_new(&f->tx, &f->srtp, KMT_LIBSRTP_SEND, NULL);
		if (ret) {
			kmb_flow_free(f);
			return ret < 0 ? ret : -EPROTO;
		}
	}
	return 0;
}

void kmb_flow_free(struct kmb_flow *f)
{
	free(f->dst);
	free(f->index);
	if (f->tx)
		kmt_libsrtp_free(f->tx);
	memset(f, 0, sizeof(*f));
}

/* Payload: index and SSRC, then bytes that follow from both. */
static void kmb_payload(uint8_t *p, uint32_t index, uint32_t ssrc)
{
	unsigned int k;

	p[0] = index >> 24;
	p[1] = index >> 16;
	p[2] = index >> 8;
	p[3] = index;
	p[4] = ssrc >> 24;
	p[5] = ssrc >> 16;
	p[6] = ssrc >> 8;
	p[7] = ssrc;
	for (k = 8; k < KMB_PAYLOAD; k++)
		p[k] = (uint8_t)(index + k * 31 + ssrc);
}

static bool kmb_payload_ok(const uint8_t *pkt, size_t len)
{
	const uint8_t *p = pkt + KMT_RTP_HLEN;
	uint32_t index, ssrc, hssrc;
	unsigned int k;

	if (len != KMB_RTP_LEN || (pkt[0] & 0xff) != 0x80)
		return false;
	hssrc = (uint32_t)pkt[8] << 24 | pkt[9] << 16 | pkt[10] << 8 | pkt[11];
	index = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	ssrc = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
	if (ssrc != hssrc || (uint16_t)index != (pkt[2] << 8 | pkt[3]))
		return false;
	for (k = 8; k < KMB_PAYLOAD; k++)
		if (p[k] != (uint8_t)(index + k * 31 + ssrc))
			return false;
	return true;
}

int kmb_ring_build(struct kmb_ring *r, struct kmb_flow *f, uint32_t n)
{
	struct kmt_libsrtp *tx = f->tx;
	bool own = false;
	uint32_t j;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->buf = malloc((size_t)n * KMB_PKT_ROOM);
	r->msg = calloc(n, sizeof(*r->msg));
	r->iov = calloc(n, sizeof(*r->iov));
	if (!r->buf || !r->msg || !r->iov) {
		kmb_ring_free(r);
		return -ENOMEM;
	}
	if (f->srtp.suite != KMEDIA_SRTP_NONE && !tx) {
		ret = kmt_libsrtp_new(&tx, &f->srtp, KMT_LIBSRTP_SEND, NULL);
		if (ret) {
			kmb_ring_free(r);
			return ret < 0 ? ret : -EPROTO;
		}
		own = true;
	}
	for (j = 0; j < n; j++) {
		uint32_t s = f->cursor, index = f->index[s]++;
		uint8_t *pkt = r->buf + (size_t)j * KMB_PKT_ROOM;
		struct kmt_rtp h = {
			.seq = (uint16_t)index,
			.ts = index * KMB_PAYLOAD,
			.ssrc = KMB_SSRC0 + s,
		};
		uint8_t payload[KMB_PAYLOAD];
		size_t len;

		/* A fresh session per KMB_SRTP_KEEP_MAX packets keeps the
		 * list libsrtp2 walks short; those packets go to as many
		 * distinct streams.
		 */
		if (own && j && j % KMB_SRTP_KEEP_MAX == 0) {
			kmt_libsrtp_free(tx);
			ret = kmt_libsrtp_new(&tx, &f->srtp, KMT_LIBSRTP_SEND,
					      NULL);
			if (ret) {
				own = false;
				ret = ret < 0 ? ret : -EPROTO;
				break;
			}
		}

		f->cursor = (s + 1) % f->nstreams;
		kmb_payload(payload, index, h.ssrc);
		len = kmt_rtp_build(pkt, KMB_PKT_ROOM, &h, payload,
				    sizeof(payload));
		if (tx) {
			ret = kmt_libsrtp_protect(tx, pkt, len, pkt,
						  KMB_PKT_ROOM, &len);
			if (ret) {
				fprintf(stderr, "# srtp_protect: %s\n",
					kmt_libsrtp_strerror(ret));
				ret = -EPROTO;
				break;
			}
		}
		r->iov[j].iov_base = pkt;
		r->iov[j].iov_len = len;
		r->msg[j].msg_hdr.msg_iov = &r->iov[j];
		r->msg[j].msg_hdr.msg_iovlen = 1;
		r->msg[j].msg_hdr.msg_name = &f->dst[s];
		r->msg[j].msg_hdr.msg_namelen = sizeof(f->dst[s]);
	}
	if (own)
		kmt_libsrtp_free(tx);
	r->n = n;
	if (ret)
		kmb_ring_free(r);
	return ret;
}

void kmb_ring_free(struct kmb_ring *r)
{
	free(r->buf);
	free(r->msg);
	free(r->iov);
	memset(r, 0, sizeof(*r));
}

static uint64_t kmb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t kmb_send(int fd, const struct kmb_ring *r, uint32_t pps,
		  uint64_t dur_us, uint64_t *elapsed_us)
{
	uint64_t start = kmb_now_ns(), next = start, gap = 0, now;
	uint32_t pos = 0;

	if (pps)
		gap = KMB_BURST * 1000000000ull / pps;
	while (pos < r->n) {
		unsigned int cnt = r->n - pos < KMB_BURST ? r->n - pos :
							    KMB_BURST;
		int k;

		now = kmb_now_ns();
		if (now - start >= dur_us * 1000)
			break;
		if (pps) {
			if (now < next) {
				struct timespec ts = {
					.tv_sec = next / 1000000000ull,
					.tv_nsec = next % 1000000000ull,
				};

				clock_nanosleep(CLOCK_MONOTONIC,
						TIMER_ABSTIME, &ts, NULL);
			}
			next += gap;
		}
		k = sendmmsg(fd, r->msg + pos, cnt, 0);
		if (k < 0) {
			if (errno == EINTR || errno == ENOBUFS ||
			    errno == EAGAIN)
				continue;
			fprintf(stderr, "# sendmmsg: %s\n", strerror(errno));
			break;
		}
		pos += k;
	}
	*elapsed_us = (kmb_now_ns() - start) / 1000;
	return pos;
}

static void kmb_recv_check(struct kmb_recv *r, uint8_t *pkt, size_t len)
{
	size_t plain = len;

	if (r->rx && kmt_libsrtp_unprotect(r->rx, pkt, len, pkt,
					   KMB_PKT_ROOM, &plain)) {
		atomic_fetch_add(&r->bad, 1);
		return;
	}
	if (kmb_payload_ok(pkt, plain))
		atomic_fetch_add(&r->checked, 1);
	else
		atomic_fetch_add(&r->bad, 1);
}

#define KMB_RECV_BATCH	64

static void *kmb_recv_main(void *arg)
{
	struct kmb_recv *r = arg;
	static __thread uint8_t bufs[KMB_RECV_BATCH][KMB_PKT_ROOM];
	static __thread uint8_t ctl[KMB_RECV_BATCH][CMSG_SPACE(sizeof(uint32_t)) + 64];
	struct mmsghdr msg[KMB_RECV_BATCH];
	struct iovec iov[KMB_RECV_BATCH];
	struct timeval tv = { .tv_usec = 50000 };
	uint64_t seen = 0;
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(KMB_CPU_MAIN, &set);
	sched_setaffinity(0, sizeof(set), &set);
	setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!atomic_load(&r->stop)) {
		int n;

		for (i = 0; i < KMB_RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = KMB_PKT_ROOM;
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_control = ctl[i];
			msg[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		n = recvmmsg(r->fd, msg, KMB_RECV_BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (i = 0; i < n; i++) {
			struct cmsghdr *c;

			for (c = CMSG_FIRSTHDR(&msg[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&msg[i].msg_hdr, c)) {
				uint32_t d;

				if (c->cmsg_level != SOL_SOCKET ||
				    c->cmsg_type != SO_RXQ_OVFL)
					continue;
				memcpy(&d, CMSG_DATA(c), sizeof(d));
				atomic_store(&r->drops, d);
			}
			if (seen++ % KMB_CHECK_EVERY == 0)
				kmb_recv_check(r, bufs[i], msg[i].msg_len);
		}
		atomic_fetch_add(&r->got, n);
	}
	return NULL;
}

int kmb_recv_start(struct kmb_recv *r, int fd, const struct kmt_srtp *srtp)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (srtp && srtp->suite != KMEDIA_SRTP_NONE) {
		ret = kmt_libsrtp_new(&r->rx, srtp, KMT_LIBSRTP_RECV, NULL);
		if (ret)
			return ret < 0 ? ret : -EPROTO;
	}
	ret = -pthread_create(&r->thread, NULL, kmb_recv_main, r);
	if (ret) {
		if (r->rx)
			kmt_libsrtp_free(r->rx);
		r->rx = NULL;
		return ret;
	}
	r->running = true;
	return 0;
}

void kmb_recv_stop(struct kmb_recv *r)
{
	if (r->running) {
		atomic_store(&r->stop, true);
		pthread_join(r->thread, NULL);
		r->running = false;
	}
	if (r->rx)
		kmt_libsrtp_free(r->rx);
	r->rx = NULL;
}

uint64_t kmb_recv_arrived(struct kmb_recv *r)
{
	return atomic_load(&r->got) + atomic_load(&r->drops);
}
