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
 * presents that certificate as server and as client; it does not verify
 * its peers' certificates (phones rarely have ones a relay could check):
 * the channel is encrypted, the peer is not authenticated.
 */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "kmediad.h"

static SSL_CTX *server_ctx, *client_ctx;

static void log_ssl_errors(const char *what)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error())) {
		ERR_error_string_n(e, buf, sizeof(buf));
		kmd_warn(NULL, "tls: %s: %s", what, buf);
	}
}

static SSL_CTX *new_ctx(const SSL_METHOD *method, const struct kmd_config *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* tcp.c moves its output buffer between partial writes */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_ssl_errors(cfg->tls_cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

bool kmd_tls_enabled(void)
{
	return server_ctx;
}

int kmd_tls_init(const struct kmd_config *cfg)
{
	if (!cfg->tls_cert || !cfg->tls_key)
		return 0;
	server_ctx = new_ctx(TLS_server_method(), cfg);
	client_ctx = server_ctx ? new_ctx(TLS_client_method(), cfg) : NULL;
	if (!client_ctx) {
		kmd_err(NULL, "tls: cannot use %s and %s", cfg->tls_cert,
			cfg->tls_key);
		return -EINVAL;
	}
	return 0;
}

void *kmd_tls_new(int fd, bool server)
{
	SSL *ssl;

	if (!client_ctx)
		return NULL;
	ssl = SSL_new(server ? server_ctx : client_ctx);
	if (!ssl)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	if (server)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	return ssl;
}

void kmd_tls_free(void *tls)
{
	SSL_free(tls);
}

/* SSL_read/SSL_write's result as recv()/send() would give it; a write
 * that waits for the peer's handshake bytes is EINPROGRESS (wait for
 * EPOLLIN, not EPOLLOUT).
 */
static ssize_t result(SSL *ssl, int n, const char *what, bool writing)
{
	int err;

	if (n > 0)
		return n;
	err = SSL_get_error(ssl, n);
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
		log_ssl_errors(what);
		errno = EPROTO;
		return -1;
	}
}

ssize_t kmd_tls_recv(void *tls, void *buf, size_t len)
{
	ERR_clear_error();
	errno = 0;
	return result(tls, SSL_read(tls, buf, len), "read", false);
}

ssize_t kmd_tls_send(void *tls, const void *buf, size_t len)
{
	ERR_clear_error();
	errno = 0;
	return result(tls, SSL_write(tls, buf, len), "write", true);
}
