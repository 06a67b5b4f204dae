// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SIP transport (UDP over IPv4 and IPv6; TCP in tcp.c, chosen by
 * the destination's KMD_TP_* mark) and the message helpers
 * built on libosip2's parser: responses, Via received/rport (RFC 3581),
 * responses whose TCP connection is gone sent to the Via's sent-by,
 * bodies, and the last-resort 400 for datagrams osip cannot parse.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kmediad.h"

#define SIP_MAX_DATAGRAM 65535

struct sip_sock {
	struct kmd_io io;
	union kmd_addr local;
};

static struct sip_sock socks[KMD_MAX_ADDRS];
static unsigned int n_socks;
static unsigned int sip_port, tls_port;
static const char *user_agent;
static uint64_t dropped;

static void sip_readable(struct kmd_io *io, uint32_t events)
{
	static char buf[SIP_MAX_DATAGRAM + 1];
	union kmd_addr src;
	socklen_t slen;
	ssize_t n;
	int i;

	(void)events;
	/* a bounded batch, so one busy socket cannot starve the others */
	for (i = 0; i < 64; i++) {
		slen = sizeof(src);
		n = recvfrom(io->fd, buf, SIP_MAX_DATAGRAM, MSG_DONTWAIT,
			     &src.sa, &slen);
		if (n < 0)
			return;
		buf[n] = 0;
		src.tp.proto = KMD_TP_UDP;
		src.tp.flow = 0;
		if (src.sa.sa_family == AF_INET6 &&
		    IN6_IS_ADDR_V4MAPPED(&src.sin6.sin6_addr)) {
			/* never happens with V6ONLY, kept for a wildcard v6 */
			struct sockaddr_in v4 = {
				.sin_family = AF_INET,
				.sin_port = src.sin6.sin6_port,
			};

			memcpy(&v4.sin_addr, &src.sin6.sin6_addr.s6_addr[12], 4);
			memset(&src, 0, sizeof(src));
			src.sin = v4;
		}
		/* keep-alives (CRLF) and stray bytes */
		if (n < 16) {
			dropped++;
			continue;
		}
		kmd_call_input(buf, n, &src);
	}
}

int kmd_sip_open(const struct kmd_config *cfg)
{
	unsigned int i;
	int one = 1;

	sip_port = cfg->sip_port;
	tls_port = cfg->tls_port;
	user_agent = cfg->user_agent;
	for (i = 0; i < cfg->n_listen; i++) {
		struct sip_sock *s = &socks[n_socks];
		char str[KMD_ADDRSTRLEN];
		int fd;

		s->local = cfg->listen[i];
		kmd_addr_set_port(&s->local, sip_port);
		fd = socket(s->local.sa.sa_family,
			    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (s->local.sa.sa_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, &s->local.sa, kmd_addr_len(&s->local))) {
			int err = -errno;

			kmd_err(NULL, "cannot bind SIP socket %s: %s",
				kmd_addr_str(&s->local, str, sizeof(str)),
				strerror(errno));
			close(fd);
			return err;
		}
		s->io.fd = fd;
		s->io.cb = sip_readable;
		if (kmd_loop_add(&s->io)) {
			close(fd);
			return -errno;
		}
		kmd_info(NULL, "SIP listening on udp %s",
			 kmd_addr_str(&s->local, str, sizeof(str)));
		n_socks++;
	}
	return kmd_tcp_open(cfg);
}

void kmd_sip_close(void)
{
	kmd_tcp_close();
	while (n_socks) {
		n_socks--;
		kmd_loop_del(&socks[n_socks].io);
		close(socks[n_socks].io.fd);
	}
}

unsigned int kmd_sip_port(void)
{
	return sip_port;
}

unsigned int kmd_sip_port_for(const union kmd_addr *dst)
{
	return dst->tp.proto == KMD_TP_TLS ? tls_port : sip_port;
}

const char *kmd_sip_user_agent(void)
{
	return user_agent;
}

uint64_t kmd_sip_dropped(void)
{
	return dropped;
}

/* A socket of the destination's family: a specific address if one routes
 * there (its source address then matches our Via), else the wildcard.
 */
static struct sip_sock *sock_for(const union kmd_addr *dst)
{
	struct sip_sock *wild = NULL;
	union kmd_addr local;
	unsigned int i;
	bool have_local = !kmd_addr_local_for(dst, &local);

	for (i = 0; i < n_socks; i++) {
		struct sip_sock *s = &socks[i];

		if (s->local.sa.sa_family != dst->sa.sa_family)
			continue;
		if (have_local && kmd_addr_ip_equal(&s->local, &local))
			return s;
		if (s->local.sa.sa_family == AF_INET ?
		    s->local.sin.sin_addr.s_addr == INADDR_ANY :
		    IN6_IS_ADDR_UNSPECIFIED(&s->local.sin6.sin6_addr))
			wild = s;
		else if (!wild)
			wild = s;
	}
	return wild;
}

int kmd_sip_send(const union kmd_addr *dst, const char *buf, size_t len)
{
	struct sip_sock *s;
	char str[KMD_ADDRSTRLEN];

	if (kmd_addr_stream(dst))
		return kmd_tcp_send(dst, buf, len);
	s = sock_for(dst);
	if (!s) {
		kmd_warn(NULL, "no SIP socket of the family of %s",
			 kmd_addr_str(dst, str, sizeof(str)));
		return -EAFNOSUPPORT;
	}
	if (sendto(s->io.fd, buf, len, 0, &dst->sa, kmd_addr_len(dst)) < 0) {
		kmd_dbg(NULL, "sendto %s: %s",
			kmd_addr_str(dst, str, sizeof(str)), strerror(errno));
		return -errno;
	}
	return 0;
}

/* RFC 3261 18.2.2: a response whose connection is gone goes to the top
 * Via's sent-by over a new connection, the host replaced by received= if
 * present (rport is for UDP), the port the transport's default if none.
 */
static int sent_by(const osip_message_t *resp, const union kmd_addr *flow,
		   union kmd_addr *dst)
{
	osip_via_t *via = osip_list_get(&resp->vias, 0);
	osip_generic_param_t *received = NULL;
	unsigned long port = flow->tp.proto == KMD_TP_TLS ? 5061 : 5060;
	const char *host;

	if (!via || !via->host)
		return -EINVAL;
	osip_via_param_get_byname(via, "received", &received);
	host = received && received->gvalue ? received->gvalue : via->host;
	if (via->port)
		port = strtoul(via->port, NULL, 10);
	if (!port || port > 65535 || kmd_addr_from_str(host, port, dst))
		return -EINVAL;
	dst->tp.proto = flow->tp.proto;
	return 0;
}

int kmd_sip_send_msg(osip_message_t *msg, const union kmd_addr *dst,
		     char **textp, size_t *lenp)
{
	char *text = NULL, s1[KMD_ADDRSTRLEN], s2[KMD_ADDRSTRLEN];
	union kmd_addr via_dst;
	size_t len = 0;
	int ret;

	if (MSG_IS_RESPONSE(msg) && kmd_tcp_flow_gone(dst)) {
		if (sent_by(msg, dst, &via_dst)) {
			kmd_info(NULL, "%d for %s: its connection is closed "
				 "and its Via has no numeric sent-by",
				 msg->status_code, kmd_addr_str(dst, s1,
								sizeof(s1)));
		} else {
			kmd_info(NULL, "%d for %s: its connection is closed, "
				 "to the Via's sent-by %s", msg->status_code,
				 kmd_addr_str(dst, s1, sizeof(s1)),
				 kmd_addr_str(&via_dst, s2, sizeof(s2)));
			dst = &via_dst;
		}
	}
	osip_message_force_update(msg);
	if (osip_message_to_str(msg, &text, &len) || !text)
		return -EINVAL;
	ret = kmd_sip_send(dst, text, len);
	if (textp) {
		*textp = text;
		*lenp = len;
	} else {
		osip_free(text);
	}
	return ret;
}

const char *kmd_sip_via_proto(const union kmd_addr *dst)
{
	static const char *const names[] = {
		[KMD_TP_UDP] = "UDP", [KMD_TP_TCP] = "TCP", [KMD_TP_TLS] = "TLS",
	};

	return dst->tp.proto <= KMD_TP_TLS ? names[dst->tp.proto] : "UDP";
}

int kmd_sip_local_host(const union kmd_addr *dst, char *host, size_t len)
{
	struct sip_sock *s = sock_for(dst);
	union kmd_addr local;

	if (s && !(s->local.sa.sa_family == AF_INET ?
		   s->local.sin.sin_addr.s_addr == INADDR_ANY :
		   IN6_IS_ADDR_UNSPECIFIED(&s->local.sin6.sin6_addr))) {
		kmd_addr_host(&s->local, host, len);
		return 0;
	}
	if (kmd_addr_local_for(dst, &local))
		return -EHOSTUNREACH;
	kmd_addr_host(&local, host, len);
	return 0;
}

static int copy_list(const osip_list_t *from, osip_list_t *to,
		     int (*clone)(void *, void **))
{
	int i, n = osip_list_size(from);

	for (i = 0; i < n; i++) {
		void *copy;

		if (clone(osip_list_get(from, i), &copy))
			return -ENOMEM;
		osip_list_add(to, copy, -1);
	}
	return 0;
}

osip_message_t *kmd_sip_response(const osip_message_t *req, int code,
				 const char *reason, const char *to_tag)
{
	osip_message_t *resp;
	osip_generic_param_t *tag = NULL;
	char buf[256];

	if (osip_message_init(&resp))
		return NULL;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, code);
	osip_message_set_reason_phrase(resp, osip_strdup(reason));
	if (copy_list(&req->vias, &resp->vias,
		      (int (*)(void *, void **))osip_via_clone) ||
	    osip_from_clone(req->from, &resp->from) ||
	    osip_to_clone(req->to, &resp->to) ||
	    osip_call_id_clone(req->call_id, &resp->call_id) ||
	    osip_cseq_clone(req->cseq, &resp->cseq))
		goto err;
	osip_to_get_tag(resp->to, &tag);
	if (!tag && to_tag && code > 100)
		osip_to_set_tag(resp->to, osip_strdup(to_tag));
	if (MSG_IS_INVITE(req) && code > 100 && code < 300 &&
	    copy_list(&req->record_routes, &resp->record_routes,
		      (int (*)(void *, void **))osip_record_route_clone))
		goto err;
	snprintf(buf, sizeof(buf), "%s", user_agent ? user_agent : "kmediad");
	osip_message_set_server(resp, buf);
	return resp;
err:
	osip_message_free(resp);
	return NULL;
}

void kmd_sip_response_dst(const osip_message_t *req, const union kmd_addr *src,
			  union kmd_addr *dst)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	osip_generic_param_t *rport = NULL;

	*dst = *src;
	/* over TCP, back on the connection the request came on (18.2.2) */
	if (!via || kmd_addr_stream(src))
		return;
	osip_via_param_get_byname(via, "rport", &rport);
	if (rport)
		return;		/* RFC 3581: back to the source port */
	kmd_addr_set_port(dst, via->port ? strtoul(via->port, NULL, 10) : 5060);
	if (!kmd_addr_port(dst))
		kmd_addr_set_port(dst, 5060);
}

void kmd_sip_fix_via(osip_message_t *req, const union kmd_addr *src)
{
	osip_via_t *via = osip_list_get(&req->vias, 0);
	osip_generic_param_t *rport = NULL, *received = NULL;
	char ip[INET6_ADDRSTRLEN], port[8];
	union kmd_addr sent_by;

	if (!via)
		return;
	kmd_addr_ip(src, ip, sizeof(ip));
	/* received= whenever sent-by is not the source address (RFC 3261 18.2.1) */
	if (!via->host || kmd_addr_from_str(via->host, 0, &sent_by) ||
	    !kmd_addr_ip_equal(&sent_by, src)) {
		osip_via_param_get_byname(via, "received", &received);
		if (!received)
			osip_via_set_received(via, osip_strdup(ip));
	}
	osip_via_param_get_byname(via, "rport", &rport);
	if (rport && !rport->gvalue) {
		snprintf(port, sizeof(port), "%u", kmd_addr_port(src));
		rport->gvalue = osip_strdup(port);
		osip_via_param_get_byname(via, "received", &received);
		if (!received)
			osip_via_set_received(via, osip_strdup(ip));
	}
	osip_message_force_update(req);
}

const char *kmd_sip_branch(const osip_message_t *msg)
{
	osip_via_t *via = osip_list_get(&msg->vias, 0);
	osip_generic_param_t *b = NULL;

	if (!via)
		return NULL;
	osip_via_param_get_byname(via, "branch", &b);
	return b && b->gvalue ? b->gvalue : NULL;
}

int kmd_sip_set_body(osip_message_t *msg, const char *type, const char *body)
{
	osip_body_t *old;

	while ((old = osip_list_get(&msg->bodies, 0))) {
		osip_list_remove(&msg->bodies, 0);
		osip_body_free(old);
	}
	if (msg->content_type) {
		osip_content_type_free(msg->content_type);
		msg->content_type = NULL;
	}
	if (msg->content_length) {
		osip_content_length_free(msg->content_length);
		msg->content_length = NULL;
	}
	if (!body) {
		osip_message_set_content_length(msg, "0");
		return 0;
	}
	if (osip_message_set_body(msg, body, strlen(body)) ||
	    osip_message_set_content_type(msg, type))
		return -EINVAL;
	return 0;
}

const char *kmd_sip_sdp_body(const osip_message_t *msg)
{
	osip_content_type_t *ct = msg->content_type;
	osip_body_t *body = osip_list_get(&msg->bodies, 0);

	if (!ct || !ct->type || !ct->subtype || !body || !body->body ||
	    strcasecmp(ct->type, "application") ||
	    strcasecmp(ct->subtype, "sdp"))
		return NULL;
	return body->body;
}

/* Header names (long and compact) a 400 must echo. */
static bool raw_wanted(const char *line, size_t len)
{
	static const char *const names[] = {
		"via", "v", "from", "f", "to", "t", "call-id", "i", "cseq",
	};
	const char *colon = memchr(line, ':', len);
	size_t n, i;

	if (!colon)
		return false;
	n = colon - line;
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncasecmp(line, names[i], n))
			return true;
	return false;
}

void kmd_sip_reject_raw(const char *buf, size_t len, const union kmd_addr *src,
			int code, const char *reason)
{
	char out[4096];
	const char *p = buf, *end = buf + len, *eol;
	size_t o;
	bool via = false, first = true;

	/* only requests get an answer; a broken response is dropped */
	if (len < 8 || !strncmp(buf, "SIP/", 4) || !memchr(buf, ' ', len) ||
	    !strncmp(buf, "ACK ", 4)) {
		dropped++;
		return;
	}
	o = snprintf(out, sizeof(out), "SIP/2.0 %d %s\r\n", code, reason);
	while (p < end) {
		size_t l;

		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		l = eol - p;
		if (l && p[l - 1] == '\r')
			l--;
		if (!l)
			break;	/* end of headers */
		if (!first && raw_wanted(p, l) && o + l + 2 < sizeof(out) - 64) {
			if (tolower((unsigned char)p[0]) == 'v')
				via = true;
			memcpy(out + o, p, l);
			o += l;
			out[o++] = '\r';
			out[o++] = '\n';
		}
		first = false;
		p = eol + 1;
	}
	if (!via) {
		dropped++;
		return;		/* nowhere to send a response to */
	}
	o += snprintf(out + o, sizeof(out) - o, "Content-Length: 0\r\n\r\n");
	kmd_sip_send(src, out, o);
}
