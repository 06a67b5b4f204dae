// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SIP over TLS: OpenSSL sessions on the connections of tcp.c.
 *
 * Only the byte stream changes: tcp.c frames, limits and closes TLS
 * connections like TCP ones and calls these instead of recv()/send(). The
 * sockets stay non-blocking; the handshake runs inside the first reads
 * and writes (SSL_set_accept_state/SSL_set_connect_state), a "want read"
 * or "want write" is reported as EAGAIN and retried on the next event.
 *
 * Switched on by [sip] tls_certificate and tls_key (PEM files); main.c
 * ignores SIGPIPE, which OpenSSL's writes to a closed socket would raise. kmediad
 * presents that certificate as server and as client.
 *
 * Peers are checked as [sip] tls_verify says, against tls_ca (or the
 * system's store). By default (next-hop) kmediad verifies the servers it
 * connects to: the chain, and the name of the route that led there (the
 * host as written in [routes]: a DNS name, or an IP literal matched
 * against the certificate's IP addresses); an address no route names
 * (a Contact) is checked as an IP literal. Phones that connect to kmediad
 * are not asked for a certificate (few have one) unless tls_verify = peer
 * (mutual TLS: a client certificate signed by tls_ca is required). A
 * refused certificate is logged with OpenSSL's reason, and tcp.c fails
 * the requests that waited for the connection with a 503.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kmediad.h"

/* One session: the peer's name for the log, and why it failed. */
struct tls {
	SSL *ssl;
	bool server;
	const char *failure;
	char peer[KMD_ADDRSTRLEN + 8];
};

static SSL_CTX *server_ctx, *client_ctx;
static const struct kmd_config *cfg;

static void log_ssl_errors(const char *what)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, buf, sizeof(buf));
		kmd_warn(NULL, "tls: %s: %s", what, buf);
	}
}

static SSL_CTX *new_ctx(const SSL_METHOD *method, const struct kmd_config *conf)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* tcp.c moves its output buffer between partial writes */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, conf->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, conf->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_ssl_errors(conf->tls_cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (conf->tls_verify == KMD_TLS_VERIFY_NONE)
		return ctx;
	if (conf->tls_ca ? SSL_CTX_load_verify_locations(ctx, conf->tls_ca,
							 NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(ctx) != 1) {
		log_ssl_errors(conf->tls_ca ? conf->tls_ca : "system CA store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Mutual TLS: the server asks for a certificate from tls_ca's CAs. */
static int require_clients(SSL_CTX *ctx, const char *ca)
{
	STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);

	if (!names) {
		log_ssl_errors(ca);
		return -EINVAL;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return 0;
}

bool kmd_tls_enabled(void)
{
	return server_ctx;
}

int kmd_tls_init(const struct kmd_config *config)
{
	static const char *const verify[] = {
		[KMD_TLS_VERIFY_NONE] = "no peer certificate verified",
		[KMD_TLS_VERIFY_NEXT_HOP] = "next hops' certificates verified",
		[KMD_TLS_VERIFY_PEER] = "next hops' and clients' "
			"certificates verified",
	};

	cfg = config;
	if (!cfg->tls_cert || !cfg->tls_key)
		return 0;
	server_ctx = new_ctx(TLS_server_method(), cfg);
	client_ctx = server_ctx ? new_ctx(TLS_client_method(), cfg) : NULL;
	if (client_ctx && cfg->tls_verify == KMD_TLS_VERIFY_PEER &&
	    require_clients(server_ctx, cfg->tls_ca)) {
		SSL_CTX_free(client_ctx);
		client_ctx = NULL;
	}
	if (!client_ctx) {
		kmd_err(NULL, "tls: cannot use %s and %s%s%s", cfg->tls_cert,
			cfg->tls_key, cfg->tls_ca ? " with CAs of " : "",
			cfg->tls_ca ? cfg->tls_ca : "");
		SSL_CTX_free(server_ctx);
		server_ctx = NULL;
		return -EINVAL;
	}
	if (cfg->tls_verify != KMD_TLS_VERIFY_NONE)
		SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
	kmd_info(NULL, "tls: %s (CAs: %s)", verify[cfg->tls_verify],
		 cfg->tls_verify == KMD_TLS_VERIFY_NONE ? "none" :
		 cfg->tls_ca ? cfg->tls_ca : "system store");
	return 0;
}

/* The name a next hop's certificate must carry: the host of the TLS route
 * to that address as written in [routes], else the address itself.
 */
static int expect_name(SSL *ssl, const union kmd_addr *peer)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	const char *host = NULL;
	char ip[INET6_ADDRSTRLEN];
	union kmd_addr literal;
	unsigned int i;

	for (i = 0; i < cfg->n_routes && !host; i++) {
		const struct kmd_route *r = &cfg->routes[i];

		if (r->hop.tp.proto == KMD_TP_TLS && r->host &&
		    kmd_addr_equal(&r->hop, peer))
			host = r->host;
	}
	if (!host)
		host = kmd_addr_ip(peer, ip, sizeof(ip));
	if (!kmd_addr_from_str(host, 0, &literal))
		return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1 ? 0 : -1;
	/* a name: also sent as SNI, for a server with several certificates */
	if (SSL_set1_host(ssl, host) != 1 ||
	    SSL_set_tlsext_host_name(ssl, host) != 1)
		return -1;
	return 0;
}

void *kmd_tls_new(int fd, const union kmd_addr *peer, bool server)
{
	struct tls *t;

	if (!client_ctx || !(t = calloc(1, sizeof(*t))))
		return NULL;
	t->server = server;
	kmd_addr_str(peer, t->peer, sizeof(t->peer));
	t->ssl = SSL_new(server ? server_ctx : client_ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1 ||
	    (!server && cfg->tls_verify != KMD_TLS_VERIFY_NONE &&
	     expect_name(t->ssl, peer))) {
		log_ssl_errors(t->peer);
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return t;
}

void kmd_tls_free(void *tls)
{
	struct tls *t = tls;

	if (!t)
		return;
	SSL_free(t->ssl);
	free(t);
}

const char *kmd_tls_failure(void *tls)
{
	struct tls *t = tls;

	if (!t || t->failure)
		return t ? t->failure : NULL;
	return SSL_is_init_finished(t->ssl) ? NULL : "TLS Handshake Failed";
}

/* A handshake that failed: say why, naming the peer and, for a refused
 * certificate, OpenSSL's verdict.
 */
static void handshake_failed(struct tls *t)
{
	long v = SSL_get_verify_result(t->ssl);

	if (v != X509_V_OK) {
		kmd_warn(NULL, "tls: %s %s certificate refused: %s",
			 t->peer, t->server ? "client" : "server",
			 X509_verify_cert_error_string(v));
		t->failure = "TLS Certificate Refused";
	} else if (t->server && cfg->tls_verify == KMD_TLS_VERIFY_PEER &&
		   !SSL_get0_peer_certificate(t->ssl)) {
		kmd_warn(NULL, "tls: %s client refused: no certificate "
			 "(tls_verify = peer)", t->peer);
		t->failure = "TLS Certificate Refused";
	} else {
		t->failure = "TLS Handshake Failed";
	}
	log_ssl_errors(t->peer);
}

/* SSL_read/SSL_write's result as recv()/send() would give it; a write
 * that waits for the peer's handshake bytes is EINPROGRESS (wait for
 * EPOLLIN, not EPOLLOUT).
 */
static ssize_t result(struct tls *t, int n, const char *what, bool writing)
{
	int err;

	if (n > 0)
		return n;
	err = SSL_get_error(t->ssl, n);
	switch (err) {
	case SSL_ERROR_WANT_READ:
		errno = writing ? EINPROGRESS : EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;	/* close_notify */
	case SSL_ERROR_SYSCALL:
		if (!errno)
			return 0;	/* closed without close_notify */
		return -1;
	default:
		if (!SSL_is_init_finished(t->ssl))
			handshake_failed(t);
		else
			log_ssl_errors(what);
		errno = EPROTO;
		return -1;
	}
}

ssize_t kmd_tls_recv(void *tls, void *buf, size_t len)
{
	struct tls *t = tls;

	ERR_clear_error();
	errno = 0;
	return result(t, SSL_read(t->ssl, buf, len), "read", false);
}

ssize_t kmd_tls_send(void *tls, const void *buf, size_t len)
{
	struct tls *t = tls;

	ERR_clear_error();
	errno = 0;
	return result(t, SSL_write(t->ssl, buf, len), "write", true);
}
