// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmb-relay: what each scenario puts in the relay namespace for a window
 * (nothing for routing, an nftables DNAT + SNAT table, or a kmedia stream
 * between two attached sockets, or kmediad's userspace relay in a child
 * process), and the many-socket, many-stream set-ups
 * of the scaling and control-plane runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kmb.h"
#include "../daemon/urelay.h"

/* A libkmedia context with the suite, key and salt of p. */
static struct kmedia_srtp *kmb_srtp_ctx(const struct kmt_srtp *p)
{
	struct kmedia_srtp *ctx = kmedia_srtp_alloc();

	if (!ctx)
		return NULL;
	if (kmedia_srtp_set_suite(ctx, p->suite) ||
	    kmedia_srtp_set_key(ctx, p->key, p->key_len, p->salt,
				p->salt_len)) {
		kmedia_srtp_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * One stream from sock_in to bob through sock_out, with SRTP in / out
 * contexts (NULL: plain). Returns 0 and the stream's ID in *idp.
 */
static int kmb_stream_new(struct kmb_bench *b, uint32_t sock_in,
			  uint32_t sock_out, const struct kmedia_srtp *in,
			  const struct kmedia_srtp *out, uint64_t cookie,
			  uint32_t *idp)
{
	struct kmedia_stream *s = kmt_stream_spec(sock_in, sock_out,
						  &b->bob_addr,
						  KMEDIA_KIND_RTP);
	int ret;

	if (!s)
		return -ENOMEM;
	kmedia_stream_set_cookie(s, cookie);
	ret = in ? kmedia_stream_set_srtp_in(s, in) : 0;
	if (!ret && out)
		ret = kmedia_stream_set_srtp_out(s, out);
	if (!ret)
		ret = kmedia_stream_new(b->h, s);
	if (!ret && idp)
		*idp = kmedia_stream_get_id(s);
	kmedia_stream_free(s);
	return ret;
}

static int kmb_nat_up(struct kmb_bench *b)
{
	static const char rules[] =
		"table ip kmbench {\n"
		"  chain pre {\n"
		"    type nat hook prerouting priority dstnat;\n"
		"    ip daddr 10.31.1.2 udp dport 20000 dnat to 10.31.2.1:6004\n"
		"  }\n"
		"  chain post {\n"
		"    type nat hook postrouting priority srcnat;\n"
		"    ip daddr 10.31.2.1 udp dport 6004 masquerade\n"
		"  }\n"
		"}\n";
	FILE *f = fopen("/tmp/kmbench.nft", "we");

	if (!f)
		return -errno;
	fputs(rules, f);
	if (fclose(f))
		return -EIO;
	return kmb_sh_ns(b, KMT_NS_RELAY, "nft -f /tmp/kmbench.nft") ? -EIO : 0;
}

/* The relay's two sockets: facing alice (fds[0]) and bob (fds[1]). */
static int kmb_relay_socks(struct kmb_bench *b, struct kmb_relay *r)
{
	int k;

	for (k = 0; k < 2; k++) {
		enum kmt_host host = k ? KMT_RELAY_B : KMT_RELAY_A;
		uint16_t port = k ? KMB_RELAY_B_PORT : KMB_RELAY_PORT;

		r->fds[k] = kmt_udp(&b->topo, host, AF_INET, port, NULL);
		if (r->fds[k] < 0)
			return r->fds[k];
	}
	return 0;
}

static int kmb_kmedia_up(struct kmb_bench *b, struct kmb_relay *r)
{
	const struct kmb_scenario *sc = r->sc;
	struct kmedia_srtp *in = NULL, *out = NULL;
	struct kmt_srtp p;
	int ret, k;

	ret = kmb_relay_socks(b, r);
	for (k = 0; !ret && k < 2; k++)
		ret = kmedia_sock_attach(b->h, r->fds[k], &r->ids[k]);
	if (ret)
		return ret;
	if (sc->in_suite != KMEDIA_SRTP_NONE) {
		kmt_srtp_init(&p, sc->in_suite, 1);
		in = kmb_srtp_ctx(&p);
		ret = in ? 0 : -EINVAL;
	}
	if (!ret && sc->out_suite != KMEDIA_SRTP_NONE) {
		kmt_srtp_init(&p, sc->out_suite, 2);
		out = kmb_srtp_ctx(&p);
		ret = out ? 0 : -EINVAL;
	}
	if (!ret)
		ret = kmb_stream_new(b, r->ids[0], r->ids[1], in, out, 1,
				     NULL);
	if (ret)
		fprintf(stderr, "# stream new: %s (%s)\n", strerror(-ret),
			kmedia_handle_extack(b->h) ? : "no extack");
	kmedia_srtp_free(in);
	kmedia_srtp_free(out);
	return ret;
}

static uint64_t kmb_user_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/*
 * The child of scenarios 8a/8b: what kmediad does with a relay socket
 * when the module is absent (daemon/media.c, media_readable()): wait for
 * the socket, then up to 64 recvfrom() calls, each datagram through
 * kmd_ustream_input() with the time of day, as the daemon's loop does.
 * kmediad waits with epoll over all its sockets; poll() on one socket
 * costs the same per wake-up.
 */
static void __attribute__((noreturn))
kmb_user_loop(int fd, struct kmd_ustream *us)
{
	uint32_t buf[KMD_URELAY_ROOM / 4];
	struct sockaddr_storage src;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t slen;
	ssize_t n;
	int i;

	for (;;) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			_exit(1);
		for (i = 0; i < 64; i++) {
			slen = sizeof(src);
			n = recvfrom(fd, buf, KMD_URELAY_PKT_MAX,
				     MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&src, &slen);
			if (n < 0)
				break;
			kmd_ustream_input(us, buf, n, (struct sockaddr *)&src,
					  slen, kmb_user_now_ms());
		}
	}
}

/* Alice's key (seed 1) to decrypt, or bob's (seed 2) to encrypt with. */
static int kmb_user_key(struct kmd_ustream *us, bool in, uint32_t suite)
{
	struct kmt_srtp p;

	if (suite == KMEDIA_SRTP_NONE)
		return 0;
	kmt_srtp_init(&p, suite, in ? 1 : 2);
	return kmd_ustream_set_srtp(us, in, suite, p.key, p.key_len, p.salt,
				    p.salt_len);
}

/*
 * Scenarios 8a/8b: the same two relay sockets as kmb_kmedia_up(), not
 * attached, and daemon/urelay.c relaying between them in a child pinned to
 * the relay CPU, so its system time and user time are the relay cost.
 */
static int kmb_user_up(struct kmb_bench *b, struct kmb_relay *r)
{
	const struct kmb_scenario *sc = r->sc;
	struct kmd_ustream *us;
	cpu_set_t set;
	int ret;
	pid_t pid;

	ret = kmd_urelay_init();
	if (!ret)
		ret = kmb_relay_socks(b, r);
	if (ret)
		return ret;
	us = kmd_ustream_new(false, r->fds[1], &b->bob_addr.sa,
			     sizeof(b->bob_addr.sin));
	if (!us)
		return -ENOMEM;
	kmd_ustream_set_src(us, KMEDIA_SRC_LATCH, NULL, 0);
	ret = kmb_user_key(us, true, sc->in_suite);
	ret = ret ?: kmb_user_key(us, false, sc->out_suite);
	if (ret) {
		kmd_ustream_free(us);
		return ret;
	}
	pid = fork();
	if (pid == 0) {
		CPU_ZERO(&set);
		CPU_SET(KMB_CPU_RELAY, &set);
		sched_setaffinity(0, sizeof(set), &set);
		kmb_user_loop(r->fds[0], us);
	}
	kmd_ustream_free(us);
	if (pid < 0)
		return -errno;
	r->child = pid;
	return 0;
}

int kmb_relay_up(struct kmb_bench *b, struct kmb_relay *r,
		 const struct kmb_scenario *sc)
{
	const char *ip = "10.31.1.2";
	uint16_t port = KMB_RELAY_PORT;
	int ret;

	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->fds[0] = r->fds[1] = -1;
	switch (sc->kind) {
	case KMB_ROUTE:
		ip = "10.31.2.1";
		port = KMB_BOB_PORT;
		ret = 0;
		break;
	case KMB_NAT:
		ret = kmb_nat_up(b);
		break;
	case KMB_KMEDIA:
		ret = kmb_kmedia_up(b, r);
		break;
	case KMB_USER:
		ret = kmb_user_up(b, r);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
	r->to.sin_family = AF_INET;
	r->to.sin_port = htons(port);
	inet_pton(AF_INET, ip, &r->to.sin_addr);
	if (ret) {
		fprintf(stderr, "# %s relay set-up: %s\n", sc->name,
			strerror(-ret));
		kmb_relay_down(b, r);
	}
	return ret;
}

void kmb_relay_down(struct kmb_bench *b, struct kmb_relay *r)
{
	int k;

	if (r->sc && r->sc->kind == KMB_NAT)
		kmb_sh_ns(b, KMT_NS_RELAY, "nft delete table ip kmbench");
	if (r->child > 0) {
		kill(r->child, SIGKILL);
		waitpid(r->child, NULL, 0);
		r->child = 0;
	}
	/* Closing an attached socket detaches it and deletes its streams. */
	for (k = 0; k < 2; k++)
		if (r->fds[k] >= 0)
			close(r->fds[k]);
	r->fds[0] = r->fds[1] = -1;
}

int kmb_socks_open(struct kmb_bench *b, struct kmb_socks *s, uint32_t n)
{
	uint64_t t0 = kmt_now_us();
	uint32_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->fd = malloc(n * sizeof(*s->fd));
	s->id = calloc(n, sizeof(*s->id));
	s->addr = calloc(n, sizeof(*s->addr));
	if (!s->fd || !s->id || !s->addr) {
		free(s->fd);
		free(s->id);
		free(s->addr);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_in *a = &s->addr[i];
		char ip[32];
		int fd;

		snprintf(ip, sizeof(ip), KMB_SCALE_NET "%u",
			 1 + i / KMB_SCALE_PORTS);
		a->sin_family = AF_INET;
		a->sin_port = htons(KMB_SCALE_PORT0 + i % KMB_SCALE_PORTS);
		inet_pton(AF_INET, ip, &a->sin_addr);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			ret = -errno;
			break;
		}
		s->fd[s->n++] = fd;
		if (bind(fd, (struct sockaddr *)a, sizeof(*a))) {
			ret = -errno;
			break;
		}
		ret = kmedia_sock_attach(b->h, fd, &s->id[i]);
		if (ret)
			break;
	}
	s->attach_s = (kmt_now_us() - t0) / 1e6;
	if (ret) {
		fprintf(stderr, "# relay socket %u of %u: %s\n", s->n, n,
			strerror(-ret));
		kmb_socks_close(s);
	}
	return ret;
}

void kmb_socks_close(struct kmb_socks *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		close(s->fd[i]);
	free(s->fd);
	free(s->id);
	free(s->addr);
	memset(s, 0, sizeof(*s));
}

/*
 * Send what is queued on batch unless queueing failed (ret < 0), and put
 * the seconds since t0 in *secs. Returns 0 if every request worked, else
 * the first failure's -errno, logged with its extended ACK.
 */
static int kmb_batch_send(struct kmedia_batch *batch, int ret, uint64_t t0,
			  double *secs)
{
	unsigned int i, n = kmedia_batch_count(batch);
	int err;

	if (ret >= 0)
		ret = kmedia_batch_send(batch);
	*secs = (kmt_now_us() - t0) / 1e6;
	if (ret < 0) {
		fprintf(stderr, "# batch: %s\n", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		err = kmedia_batch_result(batch, i);
		if (err) {
			fprintf(stderr, "# batch request %u of %u: %s (%s)\n",
				i, n, strerror(-err),
				kmedia_batch_extack(batch, i) ? : "no extack");
			return err;
		}
	}
	return 0;
}

int kmb_streams_install(struct kmb_bench *b, const struct kmb_socks *s,
			uint32_t in_suite, uint64_t cookie, uint32_t *ids,
			double *secs)
{
	struct kmedia_srtp *in = NULL;
	struct kmt_srtp p;
	uint64_t t0;
	uint32_t i;
	int ret = 0;

	if (in_suite != KMEDIA_SRTP_NONE) {
		kmt_srtp_init(&p, in_suite, 1);
		in = kmb_srtp_ctx(&p);
		if (!in)
			return -EINVAL;
	}
	t0 = kmt_now_us();
	for (i = 0; i < s->n && !ret; i++)
		ret = kmb_stream_new(b, s->id[i], b->rb_id, in, NULL, cookie,
				     ids ? &ids[i] : NULL);
	*secs = (kmt_now_us() - t0) / 1e6;
	if (ret)
		fprintf(stderr, "# stream %u of %u: %s (%s)\n", i, s->n,
			strerror(-ret),
			kmedia_handle_extack(b->h) ? : "no extack");
	kmedia_srtp_free(in);
	return ret;
}

int kmb_streams_delete(struct kmb_bench *b, const uint32_t *ids, uint32_t n,
		       double *secs)
{
	uint64_t t0 = kmt_now_us();
	uint32_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = kmedia_stream_del(b->h, ids[i]);
	*secs = (kmt_now_us() - t0) / 1e6;
	return ret;
}

/*
 * The same streams as kmb_streams_install() without SRTP, queued on one
 * libkmedia batch and sent with kmedia_batch_send(): the time covers
 * building every stream object and request, as the one-by-one path does.
 */
int kmb_streams_install_batch(struct kmb_bench *b, const struct kmb_socks *s,
			      uint64_t cookie, uint32_t *ids, double *secs)
{
	struct kmedia_batch *batch = kmedia_batch_alloc(b->h);
	struct kmedia_stream *st;
	uint64_t t0;
	uint32_t i;
	int ret = 0;

	if (!batch)
		return -ENOMEM;
	t0 = kmt_now_us();
	for (i = 0; i < s->n && ret >= 0; i++) {
		st = kmt_stream_spec(s->id[i], b->rb_id, &b->bob_addr,
				     KMEDIA_KIND_RTP);
		if (!st) {
			ret = -ENOMEM;
			break;
		}
		kmedia_stream_set_cookie(st, cookie);
		ret = kmedia_batch_stream_new(batch, st);
		kmedia_stream_free(st);
	}
	ret = kmb_batch_send(batch, ret, t0, secs);
	for (i = 0; !ret && ids && i < s->n; i++)
		ids[i] = kmedia_batch_stream_id(batch, i);
	kmedia_batch_free(batch);
	return ret;
}

int kmb_streams_delete_batch(struct kmb_bench *b, const uint32_t *ids,
			     uint32_t n, double *secs)
{
	struct kmedia_batch *batch = kmedia_batch_alloc(b->h);
	uint64_t t0;
	uint32_t i;
	int ret = 0;

	if (!batch)
		return -ENOMEM;
	t0 = kmt_now_us();
	for (i = 0; i < n && ret >= 0; i++)
		ret = kmedia_batch_stream_del(batch, ids[i]);
	ret = kmb_batch_send(batch, ret, t0, secs);
	kmedia_batch_free(batch);
	return ret;
}

int kmb_streams_flush(struct kmb_bench *b, uint64_t cookie, double *secs)
{
	uint64_t t0 = kmt_now_us();
	int ret = kmedia_stream_flush(b->h, &cookie, NULL);

	*secs = (kmt_now_us() - t0) / 1e6;
	return ret;
}
