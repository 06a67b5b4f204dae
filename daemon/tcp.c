// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SIP over TCP (RFC 3261 section 18.3): listeners next to the UDP
 * sockets, a table of connections keyed by the peer's address, and stream
 * framing by Content-Length.
 *
 * A connection is found by the peer's address and port, whichever side
 * opened it: a request that came over a connection carries that address
 * (marked KMD_TP_TCP) into its transaction and dialog, so its responses and
 * the dialog's later requests go back over the same connection. A request
 * toward a TCP next hop opens a connection when there is none and queues
 * the message until the connect completes.
 *
 * The address of a connection the peer opened is marked tp.flow: its port
 * is the peer's ephemeral one, where nobody listens. Once that connection
 * is closed, nothing is sent there; sip.c sends responses to the Via's
 * sent-by instead and call.c in-dialog requests to the Contact (RFC 3261
 * 18.2.2, 12.2.1.1), on new connections. A connection we opened that
 * fails (connect error, TLS handshake or certificate refused) fails the
 * requests waiting for it at once with a 503 (RFC 3261 8.1.3.1) instead
 * of letting them time out.
 *
 * Limits: tcp_max_connections open at once (more are refused at accept or
 * connect), max_message_size per message (413 and the connection closed),
 * garbage (no SIP start line, no Content-Length: 400 and closed), a
 * connection idle for tcp_idle_timeout seconds is closed, and so is one
 * whose peer does not read what we queue for it.
 *
 * TLS connections (tls.c) are the same with an OpenSSL session between the
 * socket and the buffers: a listener per address on tls_port, and
 * connections to next hops marked KMD_TP_TLS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kmediad.h"

#define TCP_OUT_MAX (4u << 20)	/* queued toward one peer before we give up */
#define TCP_HDR_SLACK 8192	/* header bytes allowed beyond max_msg */

struct tcp_listener {
	struct kmd_io io;
	union kmd_addr local;
	int proto;		/* KMD_TP_TCP or KMD_TP_TLS */
};

struct tcp_conn {
	struct kmd_io io;	/* first: freed through kmd_loop_free_later() */
	union kmd_addr peer;
	char key[KMD_ADDRSTRLEN + 8];
	struct kmd_timer idle;
	bool connecting;
	bool outgoing;		/* we opened it */
	void *tls;		/* SSL session, or NULL for plain TCP */
	bool tls_wait_read;	/* a write waits for the peer's handshake */
	char *in;
	size_t in_len, in_max;
	char *out;
	size_t out_len;
};

static struct tcp_listener listeners[2 * KMD_MAX_ADDRS];
static unsigned int n_listeners;
static struct kmd_map *conns;
static unsigned int n_conns;
static const struct kmd_config *cfg;
static bool closing;		/* kmd_tcp_close(): nothing is retried */

unsigned int kmd_tcp_count(void)
{
	return n_conns;
}

/* The table's key: the peer's address, and the transport for TLS. */
static void conn_key(const union kmd_addr *peer, char *key, size_t len)
{
	char str[KMD_ADDRSTRLEN];

	snprintf(key, len, "%s%s", kmd_addr_str(peer, str, sizeof(str)),
		 peer->tp.proto == KMD_TP_TLS ? ";tls" : "");
}

static ssize_t conn_recv(struct tcp_conn *c, void *buf, size_t len)
{
	if (c->tls)
		return kmd_tls_recv(c->tls, buf, len);
	return recv(c->io.fd, buf, len, MSG_DONTWAIT);
}

static ssize_t conn_send(struct tcp_conn *c, const void *buf, size_t len)
{
	if (c->tls)
		return kmd_tls_send(c->tls, buf, len);
	return send(c->io.fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A connection we opened failed: its waiting requests fail, once the
 * current event is handled (the caller may be sending one of them).
 */
struct tcp_failure {
	struct kmd_timer timer;
	union kmd_addr peer;
	const char *reason;
};

static void failure_cb(struct kmd_timer *t)
{
	struct tcp_failure *f = kmd_container_of(t, struct tcp_failure, timer);

	kmd_ctx_transport_error(&f->peer, f->reason);
	free(f);
}

static void conn_failed(struct tcp_conn *c)
{
	const char *reason = c->connecting ? "Connection Failed" :
		kmd_tls_failure(c->tls);
	struct tcp_failure *f;

	if (closing || !c->outgoing || !reason || !(f = calloc(1, sizeof(*f))))
		return;
	f->peer = c->peer;
	f->reason = reason;
	kmd_timer_init(&f->timer, failure_cb);
	kmd_timer_arm(&f->timer, 0);
}

static void conn_close(struct tcp_conn *c, const char *why)
{
	char str[KMD_ADDRSTRLEN];

	if (c->io.fd < 0)
		return;
	kmd_dbg(NULL, "%s %s closed: %s", c->tls ? "tls" : "tcp",
		kmd_addr_str(&c->peer, str, sizeof(str)), why);
	conn_failed(c);
	if (c->tls)
		kmd_tls_free(c->tls);
	c->tls = NULL;
	kmd_loop_del(&c->io);
	close(c->io.fd);
	c->io.fd = -1;
	kmd_timer_stop(&c->idle);
	kmd_map_del(conns, c->key);
	n_conns--;
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	/* an event of this batch may still name it */
	kmd_loop_free_later(c);
}

static void conn_idle(struct kmd_timer *t)
{
	conn_close(kmd_container_of(t, struct tcp_conn, idle), "idle");
}

static void conn_touch(struct tcp_conn *c)
{
	kmd_timer_arm(&c->idle, (uint64_t)cfg->tcp_idle * 1000);
}

static void conn_events(struct tcp_conn *c)
{
	kmd_loop_set(&c->io, EPOLLIN | ((c->out_len && !c->tls_wait_read) ||
					c->connecting ? EPOLLOUT : 0));
}

static void conn_flush(struct tcp_conn *c)
{
	ssize_t n;

	c->tls_wait_read = false;
	while (c->out_len) {
		n = conn_send(c, c->out, c->out_len);
		if (n < 0 && errno == EINPROGRESS) {
			c->tls_wait_read = true;
			break;
		}
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			conn_close(c, strerror(errno));
			return;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
	conn_events(c);
}

/* The value of Content-Length (or its compact form "l") in the header
 * block hdr[0..len), -1 when absent, -2 when not a number.
 */
static long content_length(const char *hdr, size_t len)
{
	const char *p = hdr, *end = hdr + len, *eol;

	while (p < end) {
		const char *colon, *name_end;
		size_t n;

		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		colon = memchr(p, ':', eol - p);
		if (colon) {
			name_end = colon;
			while (name_end > p && (name_end[-1] == ' ' ||
						name_end[-1] == '\t'))
				name_end--;
			n = name_end - p;
			if ((n == 14 && !strncasecmp(p, "Content-Length", 14)) ||
			    (n == 1 && (*p == 'l' || *p == 'L'))) {
				char *num_end;
				long v;

				colon++;
				while (colon < eol && (*colon == ' ' || *colon == '\t'))
					colon++;
				v = strtol(colon, &num_end, 10);
				if (num_end == colon || v < 0)
					return -2;
				while (num_end < eol && (*num_end == ' ' ||
							 *num_end == '\t' ||
							 *num_end == '\r'))
					num_end++;
				return num_end == eol ? v : -2;
			}
		}
		p = eol + 1;
	}
	return -1;
}

/* A start line "METHOD URI SIP/2.0" or "SIP/2.0 CODE ...". */
static bool sip_start_line(const char *buf, size_t len)
{
	const char *eol = memchr(buf, '\n', len);
	size_t n;

	if (!eol)
		return false;
	n = eol - buf;
	if (n && buf[n - 1] == '\r')
		n--;
	if (n >= 8 && !strncmp(buf, "SIP/2.0 ", 8))
		return true;
	return n > 8 && !strncmp(buf + n - 8, " SIP/2.0", 8) &&
		memchr(buf, ' ', n - 8);
}

static void conn_reject(struct tcp_conn *c, size_t len, int code,
			const char *reason)
{
	char str[KMD_ADDRSTRLEN];

	kmd_info(NULL, "%s %s: %d %s, closing the connection",
		 c->tls ? "tls" : "tcp", kmd_addr_str(&c->peer, str, sizeof(str)),
		 code, reason);
	kmd_sip_reject_raw(c->in, len, &c->peer, code, reason);
	/* what we could queue goes out before the close */
	if (c->io.fd >= 0 && c->out_len)
		conn_send(c, c->out, c->out_len);
	conn_close(c, reason);
}

static void consume(struct tcp_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
}

/* Every complete message in the input buffer goes to the call layer. */
static void conn_parse(struct tcp_conn *c)
{
	while (c->io.fd >= 0 && c->in_len) {
		const char *end;
		size_t skip = 0, hlen, total;
		long cl;
		char save;

		/* CRLF keep-alives between messages; "\r\n\r\n" is a ping
		 * that gets a "\r\n" pong (RFC 5626 section 3.5.1)
		 */
		while (skip < c->in_len && (c->in[skip] == '\r' ||
					    c->in[skip] == '\n'))
			skip++;
		if (skip >= 4 && !memcmp(c->in, "\r\n\r\n", 4))
			kmd_tcp_send(&c->peer, "\r\n", 2);
		if (skip) {
			consume(c, skip);
			continue;
		}
		end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (!end) {
			if (c->in_len > cfg->max_msg + TCP_HDR_SLACK)
				conn_reject(c, c->in_len, 413, "Message Too Large");
			else if (memchr(c->in, '\n', c->in_len) &&
				 !sip_start_line(c->in, c->in_len))
				conn_reject(c, c->in_len, 400, "Bad Start Line");
			return;
		}
		hlen = end - c->in + 4;
		if (!sip_start_line(c->in, hlen)) {
			conn_reject(c, hlen, 400, "Bad Start Line");
			return;
		}
		cl = content_length(c->in, hlen);
		if (cl < 0) {
			/* the stream cannot be framed any more */
			conn_reject(c, hlen, 400, cl == -1 ?
				    "Missing Content-Length" :
				    "Bad Content-Length");
			return;
		}
		if ((size_t)cl > cfg->max_msg || hlen + cl > cfg->max_msg) {
			conn_reject(c, hlen, 413, "Message Too Large");
			return;
		}
		total = hlen + cl;
		if (c->in_len < total)
			return;
		save = c->in[total];
		c->in[total] = 0;
		kmd_call_input(c->in, total, &c->peer);
		if (c->io.fd < 0)
			return;		/* closed while the message was handled */
		c->in[total] = save;
		consume(c, total);
	}
}

static void conn_readable(struct tcp_conn *c)
{
	ssize_t n;

	for (;;) {
		if (c->in_max - c->in_len < 4096) {
			size_t max = c->in_max ? 2 * c->in_max : 8192;
			char *in;

			if (max > cfg->max_msg + TCP_HDR_SLACK + 4096 + 1)
				max = cfg->max_msg + TCP_HDR_SLACK + 4096 + 1;
			if (max <= c->in_max) {
				/* full: conn_parse rejects what cannot fit */
				conn_reject(c, c->in_len, 413, "Message Too Large");
				return;
			}
			in = realloc(c->in, max);
			if (!in) {
				conn_close(c, "out of memory");
				return;
			}
			c->in = in;
			c->in_max = max;
		}
		/* one byte kept for the terminating NUL */
		n = conn_recv(c, c->in + c->in_len, c->in_max - c->in_len - 1);
		if (n == 0) {
			conn_close(c, "closed by the peer");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(c, strerror(errno));
			return;
		}
		c->in_len += n;
		conn_touch(c);
		conn_parse(c);
		if (c->io.fd < 0)
			return;
	}
}

static void conn_cb(struct kmd_io *io, uint32_t events)
{
	struct tcp_conn *c = kmd_container_of(io, struct tcp_conn, io);

	if (c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			char str[KMD_ADDRSTRLEN];

			kmd_warn(NULL, "tcp connect to %s: %s",
				 kmd_addr_str(&c->peer, str, sizeof(str)),
				 strerror(err));
			conn_close(c, strerror(err));
			return;
		}
		c->connecting = false;
	}
	if (events & EPOLLIN) {
		conn_readable(c);
		if (c->io.fd < 0)
			return;
		/* TLS: the handshake bytes a queued write waited for */
		if (c->tls_wait_read)
			conn_flush(c);
		if (c->io.fd < 0)
			return;
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		conn_close(c, "connection error");
		return;
	}
	if (events & EPOLLOUT)
		conn_flush(c);
}

static struct tcp_conn *conn_new(int fd, const union kmd_addr *peer,
				 bool connecting)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->peer = *peer;
	if (peer->tp.proto == KMD_TP_TLS) {
		c->tls = kmd_tls_new(fd, peer, !connecting);
		if (!c->tls) {
			free(c);
			return NULL;
		}
	}
	conn_key(&c->peer, c->key, sizeof(c->key));
	c->connecting = connecting;
	c->outgoing = connecting;
	c->io.fd = fd;
	c->io.cb = conn_cb;
	kmd_timer_init(&c->idle, conn_idle);
	if (kmd_map_put(conns, c->key, c)) {
		kmd_tls_free(c->tls);
		free(c);
		return NULL;
	}
	if (kmd_loop_add(&c->io)) {
		kmd_map_del(conns, c->key);
		kmd_tls_free(c->tls);
		free(c);
		return NULL;
	}
	n_conns++;
	conn_events(c);
	conn_touch(c);
	return c;
}

static void unmap_v4(union kmd_addr *a)
{
	if (a->sa.sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr)) {
		struct sockaddr_in v4 = {
			.sin_family = AF_INET,
			.sin_port = a->sin6.sin6_port,
		};

		memcpy(&v4.sin_addr, &a->sin6.sin6_addr.s6_addr[12], 4);
		memset(a, 0, sizeof(*a));
		a->sin = v4;
	}
}

static void listener_cb(struct kmd_io *io, uint32_t events)
{
	struct tcp_listener *l = kmd_container_of(io, struct tcp_listener, io);
	union kmd_addr peer;
	socklen_t len;
	int i, fd;

	(void)events;
	for (i = 0; i < 64; i++) {
		char str[KMD_ADDRSTRLEN], key[KMD_ADDRSTRLEN + 8];

		memset(&peer, 0, sizeof(peer));
		len = sizeof(peer.ss);
		fd = accept4(io->fd, &peer.sa, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		unmap_v4(&peer);
		if (n_conns >= cfg->tcp_max_conns) {
			kmd_warn(NULL, "tcp: %u connections open, refusing %s",
				 n_conns, kmd_addr_str(&peer, str, sizeof(str)));
			close(fd);
			continue;
		}
		peer.tp.proto = l->proto;
		peer.tp.flow = 1;
		conn_key(&peer, key, sizeof(key));
		if (kmd_map_get(conns, key) || !conn_new(fd, &peer, false)) {
			close(fd);
			continue;
		}
		kmd_dbg(NULL, "tcp connection from %s", key);
	}
}

int kmd_tcp_send(const union kmd_addr *dst, const char *buf, size_t len)
{
	char key[KMD_ADDRSTRLEN + 8];
	struct tcp_conn *c;

	if (!conns)
		return -ENOTCONN;
	if (dst->tp.proto == KMD_TP_TLS && !kmd_tls_enabled()) {
		kmd_warn(NULL, "tls: no certificate configured, cannot send");
		return -EPROTONOSUPPORT;
	}
	conn_key(dst, key, sizeof(key));
	c = kmd_map_get(conns, key);
	if (!c && dst->tp.flow) {
		/* the peer's ephemeral port: a connect there is pointless */
		kmd_dbg(NULL, "tcp: the connection from %s is closed, not "
			"sending there", key);
		return -ENOTCONN;
	}
	if (!c) {
		int fd;

		if (n_conns >= cfg->tcp_max_conns) {
			kmd_warn(NULL, "tcp: %u connections open, not connecting "
				 "to %s", n_conns, key);
			return -EMFILE;
		}
		fd = socket(dst->sa.sa_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, &dst->sa, kmd_addr_len(dst)) &&
		    errno != EINPROGRESS) {
			int err = -errno;

			kmd_warn(NULL, "tcp connect to %s: %s", key,
				 strerror(errno));
			close(fd);
			return err;
		}
		c = conn_new(fd, dst, true);
		if (!c) {
			close(fd);
			return -ENOMEM;
		}
		kmd_dbg(NULL, "tcp connecting to %s", key);
	}
	if (c->out_len + len > TCP_OUT_MAX) {
		conn_close(c, "peer does not read");
		return -ENOBUFS;
	}
	if (len) {
		char *out = realloc(c->out, c->out_len + len);

		if (!out)
			return -ENOMEM;
		c->out = out;
		memcpy(c->out + c->out_len, buf, len);
		c->out_len += len;
	}
	conn_touch(c);
	if (!c->connecting)
		conn_flush(c);
	else
		conn_events(c);
	return 0;
}

bool kmd_tcp_flow_gone(const union kmd_addr *dst)
{
	char key[KMD_ADDRSTRLEN + 8];

	if (!kmd_addr_stream(dst) || !dst->tp.flow || !conns)
		return false;
	conn_key(dst, key, sizeof(key));
	return !kmd_map_get(conns, key);
}

int kmd_tcp_open(const struct kmd_config *config)
{
	unsigned int i;
	int one = 1;

	cfg = config;
	conns = kmd_map_new(1021);
	if (!conns)
		return -ENOMEM;
	if (kmd_tls_init(cfg))
		return -EINVAL;
	for (i = 0; i < 2 * cfg->n_listen; i++) {
		struct tcp_listener *l = &listeners[n_listeners];
		bool tls = i >= cfg->n_listen;
		char str[KMD_ADDRSTRLEN];
		int fd;

		if (tls ? !kmd_tls_enabled() : !cfg->tcp)
			continue;
		l->proto = tls ? KMD_TP_TLS : KMD_TP_TCP;
		l->local = cfg->listen[i % cfg->n_listen];
		kmd_addr_set_port(&l->local, tls ? cfg->tls_port : cfg->sip_port);
		fd = socket(l->local.sa.sa_family,
			    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (l->local.sa.sa_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, &l->local.sa, kmd_addr_len(&l->local)) ||
		    listen(fd, 128)) {
			int err = -errno;

			kmd_err(NULL, "cannot listen on %s %s: %s",
				tls ? "tls" : "tcp",
				kmd_addr_str(&l->local, str, sizeof(str)),
				strerror(errno));
			close(fd);
			return err;
		}
		l->io.fd = fd;
		l->io.cb = listener_cb;
		if (kmd_loop_add(&l->io)) {
			close(fd);
			return -errno;
		}
		kmd_info(NULL, "SIP listening on %s %s", tls ? "tls" : "tcp",
			 kmd_addr_str(&l->local, str, sizeof(str)));
		n_listeners++;
	}
	return 0;
}

static void close_one(void *value, void *data)
{
	struct tcp_conn *c = value;

	(void)data;
	/* what is queued (BYEs of the shutdown) gets one last chance */
	if (c->out_len && !c->connecting)
		conn_send(c, c->out, c->out_len);
	conn_close(c, "shutdown");
}

void kmd_tcp_close(void)
{
	closing = true;
	while (n_listeners) {
		n_listeners--;
		kmd_loop_del(&listeners[n_listeners].io);
		close(listeners[n_listeners].io.fd);
	}
	if (conns)
		kmd_map_each(conns, close_one, NULL);
}
