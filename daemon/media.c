// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad media: relay ports and kernel streams.
 *
 * Each active m= line of a call gets an RTP/RTCP port pair on both sides
 * (facing the caller, A, and facing the callee, B), bound by us on the
 * configured media address that routes toward that side and handed to the
 * kernel with kmedia_sock_attach(). Once both sides' SDP is known, four
 * streams relay RTP and RTCP in both directions, tagged with the call's
 * 64-bit cookie; ending the call flushes them by cookie.
 *
 * The sockets stay in our epoll set only to count what reaches userspace:
 * with the module relaying, that is nothing but stray packets (unknown
 * sources, STUN), and the count is reported on SIGUSR1 and at exit.
 *
 * Without the module (userspace_fallback, the default), the same four
 * streams are kmd_ustreams of urelay.c, fed from the sockets here: the
 * calls work the same, every packet costing this process two system calls.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmedia/libkmedia.h>

#include "kmediad.h"
#include "urelay.h"

static const struct kmd_config *cfg;
static struct kmedia_handle *kh, *events;
static struct kmd_io events_io;
static uint8_t *pairs_used;
static unsigned int n_pairs, next_pair, pairs_in_use;
static uint64_t read_packets, read_bytes;
/* no module: streams in userspace (urelay.c), idle checks by timer */
static bool user_relay;
static uint32_t user_next_id = 1;
static uint64_t user_unrouted;
static struct kmd_timer user_idle_timer;
static struct kmd_list all_media;

static const char *const stream_names[4] = {
	"A->B rtp", "B->A rtp", "A->B rtcp", "B->A rtcp",
};

/*
 * A datagram on relay port p without the module: RTP or RTCP of the
 * stream that enters here, told apart by the RFC 5761 payload type range
 * on every port, as the kernel does (RTCP on an RTP port without rtcp-mux
 * has no stream to go to).
 */
static void user_input(struct kmd_port *p, void *buf, size_t n,
		       const union kmd_addr *src, socklen_t slen,
		       uint64_t now_ms)
{
	const uint8_t *b = buf;
	struct sockaddr_storage latched;
	union kmd_addr a;
	socklen_t len;
	int i;

	i = n >= 2 && b[1] >= 192 && b[1] <= 223;
	if (!p->rx[i]) {
		user_unrouted++;	/* before the answer: nowhere to go yet */
		return;
	}
	switch (kmd_ustream_input(p->rx[i], buf, n, &src->sa, slen, now_ms)) {
	case KMD_URELAY_LATCHED:
		len = kmd_ustream_latched(p->rx[i], &latched);
		if (len && len <= sizeof(a)) {
			memset(&a, 0, sizeof(a));
			memcpy(&a, &latched, len);
			kmd_call_media_latched(p->cookie, p->rx_id[i], &a);
		}
		break;
	case KMD_URELAY_NOT_MEDIA:
		user_unrouted++;
		break;
	default:
		break;
	}
}

static void media_readable(struct kmd_io *io, uint32_t events_mask)
{
	struct kmd_port *p = kmd_container_of(io, struct kmd_port, io);
	uint32_t buf[KMD_URELAY_ROOM / 4];	/* aligned for libsrtp2 */
	uint64_t now = user_relay ? kmd_now_ms() : 0;	/* one read a batch */
	union kmd_addr src;
	socklen_t slen;
	ssize_t n;
	int i;

	(void)events_mask;
	for (i = 0; i < 64; i++) {
		slen = sizeof(src);
		/* MSG_TRUNC: the real length, so oversized ones are dropped */
		n = recvfrom(io->fd, buf, KMD_URELAY_PKT_MAX,
			     MSG_DONTWAIT | MSG_TRUNC, &src.sa, &slen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* ICMP errors surface here: skip them */
		}
		read_packets++;
		read_bytes += n;
		/* ICE-lite: the kernel leaves STUN to us */
		if (n <= KMD_URELAY_PKT_MAX && kmd_stun_is_request(buf, n))
			kmd_stun_answer(io->fd, buf, n, &src);
		else if (user_relay)
			user_input(p, buf, n, &src, slen, now);
	}
}

static int on_event(enum kmedia_cmd cmd, const struct kmedia_stream *s,
		    void *data)
{
	char str[KMD_ADDRSTRLEN];
	const struct sockaddr *sa;
	union kmd_addr a;
	socklen_t len;

	(void)data;
	switch (cmd) {
	case KMEDIA_CMD_STREAM_IDLE_NTF:
		kmd_call_media_idle(kmedia_stream_get_cookie(s));
		break;
	case KMEDIA_CMD_STREAM_LATCH_NTF:
		sa = kmedia_stream_get_src(s, &len);
		if (sa && len <= sizeof(a)) {
			memset(&a, 0, sizeof(a));
			memcpy(&a, sa, len);
			kmd_dbg(NULL, "stream %u (cookie %016" PRIx64 ") latched on %s",
				kmedia_stream_get_id(s),
				kmedia_stream_get_cookie(s),
				kmd_addr_str(&a, str, sizeof(str)));
			kmd_call_media_latched(kmedia_stream_get_cookie(s),
					       kmedia_stream_get_id(s), &a);
		}
		break;
	default:
		break;
	}
	return 0;
}

static void events_readable(struct kmd_io *io, uint32_t mask)
{
	int ret;

	(void)io;
	(void)mask;
	ret = kmedia_event_recv(events, true, on_event, NULL);
	if (ret == -ENOBUFS)
		kmd_warn(NULL, "kernel events were lost (socket buffer full)");
}

static void user_idle_scan(struct kmd_timer *t);

/* No module: say so loudly, once, and relay in userspace. */
static int user_relay_init(int why)
{
	int err = kmd_urelay_init();

	if (err) {
		kmd_err(NULL, "libsrtp2 initialisation failed");
		return err;
	}
	user_relay = true;
	kmd_warn(NULL, "*** kmedia kernel module not reachable (%s): media "
		 "is relayed IN USERSPACE by kmediad (libsrtp2 %s), every "
		 "packet copied through this process; load kmedia.ko and "
		 "restart kmediad for the kernel relay ***", strerror(-why),
		 kmd_urelay_srtp_version());
	kmd_info(NULL, "relay ports %u-%u (userspace relay)", cfg->port_min,
		 cfg->port_max);
	kmd_timer_init(&user_idle_timer, user_idle_scan);
	kmd_timer_arm(&user_idle_timer, 1000);
	return 0;
}

int kmd_media_init(const struct kmd_config *c)
{
	int err;

	cfg = c;
	kmd_sdes_configure(c);
	n_pairs = (cfg->port_max - cfg->port_min + 1) / 2;
	pairs_used = calloc(n_pairs, 1);
	if (!pairs_used)
		return -ENOMEM;
	kmd_list_init(&all_media);
	err = kmedia_handle_open(&kh);
	if (err && cfg->userspace_fallback)
		return user_relay_init(err);
	if (err) {
		kmd_err(NULL, "kmedia kernel module not reachable (%s): is "
			"kmedia.ko loaded?", strerror(-err));
		return err;
	}
	err = kmedia_handle_open(&events);
	if (!err)
		err = kmedia_handle_subscribe(events);
	if (err) {
		kmd_err(NULL, "kmedia events: %s", strerror(-err));
		return err;
	}
	events_io.fd = kmedia_handle_fd(events);
	events_io.cb = events_readable;
	err = kmd_loop_add(&events_io);
	if (err)
		return err;
	kmd_info(NULL, "kmedia module reached (family %u, version %u); "
		 "relay ports %u-%u", kmedia_handle_family_id(kh),
		 kmedia_handle_family_version(kh), cfg->port_min,
		 cfg->port_max);
	return 0;
}

void kmd_media_exit(void)
{
	if (user_relay)
		kmd_timer_stop(&user_idle_timer);
	if (events) {
		kmd_loop_del(&events_io);
		kmedia_handle_close(events);
	}
	if (kh)
		kmedia_handle_close(kh);
	kh = events = NULL;
	free(pairs_used);
	pairs_used = NULL;
}

uint64_t kmd_media_read_packets(void)
{
	return read_packets;
}

unsigned int kmd_media_ports_in_use(void)
{
	return pairs_in_use * 2;
}

struct kmd_media *kmd_media_new(uint64_t cookie, const char *log_id,
				const union kmd_addr *toward_a,
				const union kmd_addr *toward_b)
{
	struct kmd_media *m = calloc(1, sizeof(*m));
	unsigned int i, s;

	if (!m)
		return NULL;
	m->cookie = cookie;
	m->log_id = log_id;
	m->toward[KMD_SIDE_A] = *toward_a;
	m->toward[KMD_SIDE_B] = *toward_b;
	m->srtp_policy[KMD_SIDE_A] = kmd_srtp_policy_for(cfg, toward_a);
	m->srtp_policy[KMD_SIDE_B] = kmd_srtp_policy_for(cfg, toward_b);
	for (i = 0; i < KMD_MAX_MLINES; i++)
		for (s = 0; s < 2; s++)
			m->m[i].rtp[s].io.fd = m->m[i].rtcp[s].io.fd = -1;
	kmd_list_add_tail(&all_media, &m->link);
	return m;
}

/* The configured media address that routes toward peer. */
static const union kmd_addr *pick_address(const union kmd_addr *peer)
{
	union kmd_addr local;
	unsigned int i;

	if (!kmd_addr_local_for(peer, &local))
		for (i = 0; i < cfg->n_media; i++)
			if (kmd_addr_ip_equal(&cfg->media[i], &local))
				return &cfg->media[i];
	for (i = 0; i < cfg->n_media; i++)
		if (cfg->media[i].sa.sa_family == peer->sa.sa_family)
			return &cfg->media[i];
	return NULL;
}

static int port_open(struct kmd_port *p, const union kmd_addr *addr,
		     unsigned int port)
{
	int fd, err;

	p->local = *addr;
	p->port = port;
	kmd_addr_set_port(&p->local, port);
	fd = socket(addr->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, &p->local.sa, kmd_addr_len(&p->local))) {
		err = -errno;
		close(fd);
		return err;
	}
	err = user_relay ? 0 : kmedia_sock_attach(kh, fd, &p->id);
	if (err) {
		kmd_err(NULL, "kmedia_sock_attach: %s",
			kmedia_handle_extack(kh) ?: strerror(-err));
		close(fd);
		return err;
	}
	p->io.fd = fd;
	p->io.cb = media_readable;
	kmd_loop_add(&p->io);
	return 0;
}

static void port_close(struct kmd_port *p)
{
	if (p->io.fd < 0)
		return;
	kmd_loop_del(&p->io);
	/* closing the descriptor detaches the socket from the module */
	close(p->io.fd);
	p->io.fd = -1;
}

static int pair_open(struct kmd_port *rtp, struct kmd_port *rtcp,
		     const union kmd_addr *addr)
{
	unsigned int tries;
	int err;

	for (tries = 0; tries < n_pairs; tries++) {
		unsigned int idx = next_pair;
		unsigned int port = cfg->port_min + 2 * idx;

		next_pair = (next_pair + 1) % n_pairs;
		if (pairs_used[idx])
			continue;
		err = port_open(rtp, addr, port);
		if (!err) {
			err = port_open(rtcp, addr, port + 1);
			if (err)
				port_close(rtp);
		}
		if (err == -EMFILE || err == -ENFILE) {
			kmd_warn(NULL, "no file descriptor left for relay "
				 "sockets (%s): raise the open files limit",
				 strerror(-err));
			return err;
		}
		if (err)
			continue;	/* taken by someone else: next pair */
		pairs_used[idx] = 1;
		pairs_in_use++;
		return 0;
	}
	return -ENOSPC;
}

static void pair_close(struct kmd_port *rtp, struct kmd_port *rtcp)
{
	if (rtp->io.fd >= 0) {
		unsigned int idx = (rtp->port - cfg->port_min) / 2;

		if (idx < n_pairs && pairs_used[idx]) {
			pairs_used[idx] = 0;
			pairs_in_use--;
		}
	}
	port_close(rtp);
	port_close(rtcp);
}

int kmd_media_alloc(struct kmd_media *m, unsigned int i,
		    const union kmd_addr *peer_a)
{
	struct kmd_mline *ml = &m->m[i];
	const union kmd_addr *addr;
	int s, err;

	if (ml->used)
		return 0;
	for (s = KMD_SIDE_A; s <= KMD_SIDE_B; s++) {
		addr = pick_address(s == KMD_SIDE_A && peer_a ? peer_a :
				    &m->toward[s]);
		if (!addr) {
			kmd_warn(m->log_id, "no media address of the family "
				 "needed for side %c", 'A' + s);
			err = -EAFNOSUPPORT;
			goto fail;
		}
		err = pair_open(&ml->rtp[s], &ml->rtcp[s], addr);
		if (err) {
			kmd_warn(m->log_id, "no free relay port pair");
			goto fail;
		}
	}
	ml->used = true;
	if (i >= m->n)
		m->n = i + 1;
	return 0;
fail:
	for (s = KMD_SIDE_A; s <= KMD_SIDE_B; s++)
		pair_close(&ml->rtp[s], &ml->rtcp[s]);
	return err;
}

static void user_stream_log(struct kmd_media *m, struct kmd_mline *ml, int k)
{
	const struct kmd_ustream_stats *st = kmd_ustream_stats(ml->ustream[k]);

	kmd_info(m->log_id, "userspace stream %u %s: rx %" PRIu64 " tx %"
		 PRIu64 " bytes %" PRIu64 " drops: size %" PRIu64 " source %"
		 PRIu64 " auth %" PRIu64 " replay %" PRIu64 " srtp %" PRIu64
		 " send %" PRIu64, ml->stream[k], stream_names[k],
		 st->rx_packets, st->tx_packets, st->rx_bytes, st->drop_size,
		 st->drop_source, st->drop_auth, st->drop_replay,
		 st->drop_srtp, st->drop_send);
}

/* Without the module: the m-line's userspace streams, counters logged. */
static void user_streams_free(struct kmd_media *m, struct kmd_mline *ml)
{
	int k, s;

	for (k = 0; k < 4; k++) {
		if (!ml->ustream[k])
			continue;
		user_stream_log(m, ml, k);
		kmd_ustream_free(ml->ustream[k]);
		ml->ustream[k] = NULL;
	}
	for (s = 0; s < 2; s++) {
		memset(ml->rtp[s].rx, 0, sizeof(ml->rtp[s].rx));
		memset(ml->rtcp[s].rx, 0, sizeof(ml->rtcp[s].rx));
	}
}

static void mline_streams_del(struct kmd_media *m, struct kmd_mline *ml)
{
	int k;

	if (!ml->programmed)
		return;
	for (k = 0; k < 4; k++)
		if (ml->stream[k] && !user_relay)
			kmedia_stream_del(kh, ml->stream[k]);
	user_streams_free(m, ml);
	memset(ml->stream, 0, sizeof(ml->stream));
	ml->programmed = false;
}

void kmd_media_release(struct kmd_media *m, unsigned int i)
{
	struct kmd_mline *ml = &m->m[i];
	int s;

	mline_streams_del(m, ml);
	for (s = KMD_SIDE_A; s <= KMD_SIDE_B; s++)
		pair_close(&ml->rtp[s], &ml->rtcp[s]);
	kmd_sdes_clear(&ml->sdes);
	memset(ml, 0, sizeof(*ml));
	for (s = 0; s < 2; s++)
		ml->rtp[s].io.fd = ml->rtcp[s].io.fd = -1;
}

/*
 * The SRTP contexts of stream k, when new or changed since it was last
 * programmed: decrypt with what side `in` sends with, encrypt with our key
 * toward `out`. A key that went away is removed with a NONE context.
 * Unchanged keys are not sent, so a change keeps the SRTP state (ROC,
 * replay window) of the stream.
 */
static int stream_keys(struct kmd_mline *ml, int k, int in, int out,
		       struct kmedia_stream *s)
{
	const struct kmd_sdes *sd = &ml->sdes;
	struct kmedia_srtp *none = kmedia_srtp_alloc();
	int err = 0;

	if (!none)
		return -ENOMEM;
	kmedia_srtp_set_suite(none, KMEDIA_SRTP_NONE);

	if (!ml->stream[k] || ml->stream_gen_in[k] != sd->gen_remote[in]) {
		if (sd->remote[in])
			err = kmedia_stream_set_srtp_in(s, sd->remote[in]);
		else if (ml->stream[k])
			err = kmedia_stream_set_srtp_in(s, none);
	}
	if (!err && (!ml->stream[k] || ml->stream_gen_out[k] != sd->gen_local[out])) {
		if (sd->local[out])
			err = kmedia_stream_set_srtp_out(s, sd->local[out]);
		else if (ml->stream[k])
			err = kmedia_stream_set_srtp_out(s, none);
	}
	kmedia_srtp_free(none);
	if (!err) {
		ml->stream_gen_in[k] = sd->gen_remote[in];
		ml->stream_gen_out[k] = sd->gen_local[out];
	}
	return err;
}

/* Where side's RTP, or RTCP, comes from: the RTP port with rtcp-mux. */
static union kmd_addr *peer_addr(struct kmd_mline *ml, int side, bool rtcp)
{
	return rtcp && !ml->mux ? &ml->peer_rtcp[side] : &ml->peer_rtp[side];
}

/* One SRTP direction of a userspace stream: ctx's key, or plain. */
static int user_key(struct kmd_ustream *us, bool in,
		    const struct kmedia_srtp *ctx)
{
	uint8_t key[32], salt[14];
	size_t key_len, salt_len;
	int suite, err;

	if (!ctx)
		return kmd_ustream_set_srtp(us, in, KMEDIA_SRTP_NONE, NULL, 0,
					    NULL, 0);
	suite = kmedia_srtp_get_suite(ctx);
	err = kmedia_srtp_suite_key_len(suite, &key_len, &salt_len);
	if (!err)
		err = kmedia_srtp_get_key(ctx, key, sizeof(key), salt,
					  sizeof(salt));
	if (!err)
		err = kmd_ustream_set_srtp(us, in, suite, key, key_len, salt,
					   salt_len);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(salt, sizeof(salt));
	return err;
}

/* The idle limit of RTP stream k (0: none); on hold, the longer one. */
static uint32_t idle_ms(const struct kmd_mline *ml, bool rtcp)
{
	if (rtcp || !cfg->idle_timeout)
		return 0;
	return 1000 * ((ml->hold[0] || ml->hold[1]) && cfg->hold_timeout ?
		       cfg->hold_timeout : cfg->idle_timeout);
}

/*
 * Stream k without the module: what stream_set() asks of the kernel, done
 * to a kmd_ustream. Keys are replaced only when they changed, as there.
 */
static int user_stream_set(struct kmd_media *m, struct kmd_mline *ml, int k,
			   struct kmd_port *pin, struct kmd_port *pout,
			   const union kmd_addr *dst)
{
	int in = k & 1 ? KMD_SIDE_B : KMD_SIDE_A, out = !in;
	const struct kmd_sdes *sd = &ml->sdes;
	struct kmd_ustream *us = ml->ustream[k];
	bool rtcp = k >= 2, fresh = !us;
	int err = 0;

	if (fresh) {
		us = kmd_ustream_new(rtcp, pout->io.fd, &dst->sa,
				     kmd_addr_len(dst));
		if (!us)
			return -ENOMEM;
		if (cfg->strict_source) {
			const union kmd_addr *src = peer_addr(ml, in, rtcp);

			kmd_ustream_set_src(us, KMEDIA_SRC_STRICT, &src->sa,
					    kmd_addr_len(src));
		} else {
			kmd_ustream_set_src(us, KMEDIA_SRC_LATCH, NULL, 0);
		}
	} else {
		kmd_ustream_set_dst(us, &dst->sa, kmd_addr_len(dst));
	}
	kmd_ustream_set_idle(us, idle_ms(ml, rtcp));
	if (fresh || ml->stream_gen_in[k] != sd->gen_remote[in])
		err = user_key(us, true, sd->remote[in]);
	if (!err && (fresh || ml->stream_gen_out[k] != sd->gen_local[out]))
		err = user_key(us, false, sd->local[out]);
	if (err) {
		kmd_err(m->log_id, "%s userspace stream: SRTP: %s",
			stream_names[k], strerror(-err));
		if (fresh)
			kmd_ustream_free(us);
		return err;
	}
	ml->stream_gen_in[k] = sd->gen_remote[in];
	ml->stream_gen_out[k] = sd->gen_local[out];
	if (fresh) {
		ml->ustream[k] = us;
		ml->stream[k] = user_next_id++;
		pin->rx[rtcp] = us;
		pin->rx_id[rtcp] = ml->stream[k];
		pin->cookie = m->cookie;
	}
	return 0;
}

/* Stream k of m-line ml: 0/1 RTP A->B / B->A, 2/3 RTCP likewise. */
static int stream_set(struct kmd_media *m, struct kmd_mline *ml, int k)
{
	int in = k & 1 ? KMD_SIDE_B : KMD_SIDE_A, out = !in;
	bool rtcp = k >= 2;
	struct kmd_port *pin, *pout;
	const union kmd_addr *dst;
	struct kmedia_stream *s;
	char str[KMD_ADDRSTRLEN];
	int err;

	if (rtcp && !ml->mux) {
		pin = &ml->rtcp[in];
		pout = &ml->rtcp[out];
		dst = &ml->peer_rtcp[out];
	} else {
		pin = &ml->rtp[in];
		pout = &ml->rtp[out];
		dst = &ml->peer_rtp[out];
	}
	if (dst->sa.sa_family != pout->local.sa.sa_family) {
		kmd_warn(m->log_id, "%s: peer %s is not of the relay socket's "
			 "family", stream_names[k],
			 kmd_addr_str(dst, str, sizeof(str)));
		return -EAFNOSUPPORT;
	}
	if (user_relay) {
		err = user_stream_set(m, ml, k, pin, pout, dst);
		goto out;
	}
	s = kmedia_stream_alloc();
	if (!s)
		return -ENOMEM;
	kmedia_stream_set_dst(s, &dst->sa, kmd_addr_len(dst));
	err = stream_keys(ml, k, in, out, s);
	if (err) {
		kmedia_stream_free(s);
		return err;
	}
	if (ml->stream[k]) {
		kmedia_stream_set_id(s, ml->stream[k]);
		/* on hold, silence is normal: the longer limit, if any */
		if (!rtcp && cfg->hold_timeout && cfg->idle_timeout)
			kmedia_stream_set_idle_timeout(s, idle_ms(ml, rtcp));
		err = kmedia_stream_change(kh, s);
	} else {
		kmedia_stream_set_cookie(s, m->cookie);
		kmedia_stream_set_sock_in(s, pin->id);
		kmedia_stream_set_sock_out(s, pout->id);
		kmedia_stream_set_kind(s, rtcp ? KMEDIA_KIND_RTCP : KMEDIA_KIND_RTP);
		if (cfg->strict_source) {
			const union kmd_addr *src = peer_addr(ml, in, rtcp);

			kmedia_stream_set_src_mode(s, KMEDIA_SRC_STRICT);
			kmedia_stream_set_src(s, &src->sa, kmd_addr_len(src));
		} else {
			kmedia_stream_set_src_mode(s, KMEDIA_SRC_LATCH);
		}
		if (!rtcp && cfg->idle_timeout)
			kmedia_stream_set_idle_timeout(s, idle_ms(ml, rtcp));
		err = kmedia_stream_new(kh, s);
		if (!err)
			ml->stream[k] = kmedia_stream_get_id(s);
	}
	kmedia_stream_free(s);
out:
	if (err)
		kmd_err(m->log_id, "%s stream: %s", stream_names[k],
			kmedia_handle_extack(kh) ?: strerror(-err));
	else
		kmd_dbg(m->log_id, "stream %u %s: %u:%u (%s) -> %u:%u (%s) -> %s",
			ml->stream[k], stream_names[k], pin->id, pin->port,
			kmd_sdes_describe(&ml->sdes, in), pout->id, pout->port,
			kmd_sdes_describe(&ml->sdes, out),
			kmd_addr_str(dst, str, sizeof(str)));
	return err;
}

/*
 * Symmetric media behind NAT: a phone sends from the address its packets
 * leave its NAT with, not from what its SDP says. When the stream from a
 * side latches on a source other than that side's SDP address, the
 * reverse stream follows it, so the media toward the phone goes where the
 * phone's media comes from.
 */
void kmd_media_latched(struct kmd_media *m, uint32_t id,
		       const union kmd_addr *src)
{
	char was[KMD_ADDRSTRLEN], now[KMD_ADDRSTRLEN];
	unsigned int i;
	int k;

	for (i = 0; i < m->n; i++) {
		struct kmd_mline *ml = &m->m[i];

		for (k = 0; k < 4; k++) {
			int in = k & 1 ? KMD_SIDE_B : KMD_SIDE_A, rev = k ^ 1;
			union kmd_addr *peer;

			if (ml->stream[k] != id)
				continue;
			peer = peer_addr(ml, in, k >= 2);
			/* port 0: nothing can be sent back there (SIPp's
			 * pcap player sends so)
			 */
			if (kmd_addr_equal(peer, src) || !kmd_addr_port(src) ||
			    src->sa.sa_family != peer->sa.sa_family)
				return;
			kmd_info(m->log_id, "side %c sends %s from %s, not %s: "
				 "media toward it follows", 'A' + in,
				 k >= 2 ? "RTCP" : "RTP",
				 kmd_addr_str(src, now, sizeof(now)),
				 kmd_addr_str(peer, was, sizeof(was)));
			*peer = *src;
			if (ml->mux)
				ml->peer_rtcp[in] = *src;
			if (ml->stream[rev])
				stream_set(m, ml, rev);
			return;
		}
	}
}

int kmd_media_program(struct kmd_media *m)
{
	unsigned int i;
	int k, err, ret = 0;

	for (i = 0; i < m->n; i++) {
		struct kmd_mline *ml = &m->m[i];

		if (!ml->used || !ml->has_peer[0] || !ml->has_peer[1])
			continue;
		for (k = 0; k < 4; k++) {
			err = stream_set(m, ml, k);
			if (err && !ret)
				ret = err;
		}
		ml->programmed = true;
	}
	return ret;
}

void kmd_media_free(struct kmd_media *m)
{
	uint32_t count = 0;
	unsigned int i;
	int err;

	if (!m)
		return;
	kmd_list_del(&m->link);
	err = user_relay ? 0 : kmedia_stream_flush(kh, &m->cookie, &count);
	if (err)
		kmd_err(m->log_id, "flush of cookie %016" PRIx64 ": %s",
			m->cookie, strerror(-err));
	for (i = 0; i < m->n; i++) {
		struct kmd_mline *ml = &m->m[i];
		int s;

		for (s = 0; s < 4; s++)
			count += ml->ustream[s] != NULL;
		user_streams_free(m, ml);
		for (s = KMD_SIDE_A; s <= KMD_SIDE_B; s++)
			pair_close(&ml->rtp[s], &ml->rtcp[s]);
		kmd_sdes_clear(&ml->sdes);
	}
	kmd_info(m->log_id, "media released: %u %s streams of cookie "
		 "%016" PRIx64 " deleted", count,
		 user_relay ? "userspace" : "kernel", m->cookie);
	kmd_loop_free_later(m);
}

/* Once a second without the module: idle streams end their calls. */
static void user_idle_scan(struct kmd_timer *t)
{
	struct kmd_list *pos, *next;
	uint64_t now = kmd_now_ms();
	unsigned int i;
	int k;

	for (pos = all_media.next; pos != &all_media; pos = next) {
		struct kmd_media *m = kmd_container_of(pos, struct kmd_media,
						       link);
		bool idle = false;

		/* ending the call unlinks m, and only m */
		next = pos->next;
		for (i = 0; i < m->n; i++)
			for (k = 0; k < 4; k++)
				if (m->m[i].ustream[k] &&
				    kmd_ustream_idle(m->m[i].ustream[k], now))
					idle = true;
		if (idle)
			kmd_call_media_idle(m->cookie);
	}
	kmd_timer_arm(t, 1000);
}

bool kmd_media_suite_ok(int suite)
{
	return !user_relay || kmd_urelay_suite_ok(suite);
}

/* libsrtp2 2.5 mishandles an MKI in SRTCP with the _32 suites (see
 * tests/lib/kmlibsrtp.c): the userspace relay takes no key with an MKI.
 */
bool kmd_media_srtp_ok(const struct kmedia_srtp *ctx)
{
	size_t mki_len;

	if (!user_relay)
		return true;
	kmedia_srtp_get_mki(ctx, &mki_len);
	return !mki_len && kmd_urelay_suite_ok(kmedia_srtp_get_suite(ctx));
}

void kmd_media_log_stats(void)
{
	struct kmd_ustream_stats t;

	if (user_relay) {
		kmd_urelay_totals(&t);
		kmd_info(NULL, "userspace relay: rx %" PRIu64 " tx %" PRIu64
			 " packets (%" PRIu64 " bytes in), drops: size %"
			 PRIu64 " source %" PRIu64 " auth %" PRIu64 " replay %"
			 PRIu64 " srtp %" PRIu64 " send %" PRIu64 "; %" PRIu64
			 " not relayed (no stream yet, not RTP)",
			 t.rx_packets, t.tx_packets, t.rx_bytes, t.drop_size,
			 t.drop_source, t.drop_auth, t.drop_replay,
			 t.drop_srtp, t.drop_send, user_unrouted);
	}
	kmd_info(NULL, "media: %" PRIu64 " datagrams (%" PRIu64 " bytes) "
		 "read by kmediad from relay sockets (%" PRIu64 " STUN "
		 "requests answered); %u relay ports in use",
		 read_packets, read_bytes, kmd_stun_answered(), pairs_in_use * 2);
}
