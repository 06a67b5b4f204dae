// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad configuration: an ini file read with libinih.
 *
 *   [sip]     listen = ADDRESS (repeatable), port, user_agent, tcp,
 *             registrations = FILE (absolute path),
 *             tcp_max_connections, tcp_idle_timeout, max_message_size,
 *             tls_certificate, tls_key, tls_port, tls_verify, tls_ca
 *   [media]   address = ADDRESS (repeatable), port_min, port_max,
 *             idle_timeout (seconds), source = latch|strict
 *   [routes]  PREFIX-or-DOMAIN-or-* = HOST[:PORT]
 *   [users]   NAME = PASSWORD (for the registrar)
 *   [limits]  max_calls, max_cps (new calls per second, 0: no limit)
 *   [log]     level = error|warning|info|debug
 *
 * Everything is checked here, so `kmediad -t` finds every mistake.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libkmedia/libkmedia.h>

#include "kmediad.h"

struct parse_ctx {
	struct kmd_config *cfg;
	char *err;
	size_t errlen;
};

static int fail(struct parse_ctx *p, const char *section, const char *name,
		const char *value, const char *why)
{
	snprintf(p->err, p->errlen, "[%s] %s = %s: %s", section, name, value,
		 why);
	return 0;
}

static int parse_uint(const char *value, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int add_addr(union kmd_addr *arr, unsigned int *n, const char *value)
{
	if (*n == KMD_MAX_ADDRS)
		return -ENOSPC;
	if (kmd_addr_from_str(value, 0, &arr[*n]))
		return -EINVAL;
	(*n)++;
	return 0;
}

static bool route_key_is_prefix(const char *key)
{
	if (*key == '+')
		key++;
	if (!*key)
		return false;
	for (; *key; key++)
		if (!isdigit((unsigned char)*key))
			return false;
	return true;
}

/* The HOST of HOST[:PORT] or [HOST][:PORT], malloc'd. */
static char *route_host(const char *hostport)
{
	const char *end, *colon = strchr(hostport, ':');

	if (*hostport == '[') {
		end = strchr(hostport, ']');
		return end ? strndup(hostport + 1, end - hostport - 1) : NULL;
	}
	/* a bare IPv6 address has more than one colon and no port */
	if (colon && !strchr(colon + 1, ':'))
		return strndup(hostport, colon - hostport);
	return strdup(hostport);
}

/* HOST[:PORT][;transport=udp|tcp|tls] */
static int route_hop(const char *value, union kmd_addr *hop, char **name)
{
	const char *semi = strchr(value, ';');
	char host[300];
	int proto = KMD_TP_UDP;

	if (semi) {
		if (!strcasecmp(semi + 1, "transport=tcp"))
			proto = KMD_TP_TCP;
		else if (!strcasecmp(semi + 1, "transport=tls"))
			proto = KMD_TP_TLS;
		else if (strcasecmp(semi + 1, "transport=udp"))
			return -EINVAL;
		if ((size_t)(semi - value) >= sizeof(host))
			return -EINVAL;
		memcpy(host, value, semi - value);
		host[semi - value] = 0;
		value = host;
	}
	if (kmd_addr_resolve(value, 5060, hop))
		return -EINVAL;
	hop->tp.proto = proto;
	*name = route_host(value);
	return *name ? 0 : -ENOMEM;
}

/* A file kmediad reads at start must be there and readable, so that
 * `kmediad -t` finds a wrong path.
 */
static int readable_file(struct parse_ctx *p, const char *name,
			 const char *value, char **field)
{
	if (access(value, R_OK))
		return fail(p, "sip", name, value, strerror(errno));
	free(*field);
	*field = strdup(value);
	return 0;
}

/*
 * [sip] transport settings:
 *   tcp = yes|no, tcp_max_connections, tcp_idle_timeout (seconds),
 *   max_message_size (bytes), tls_certificate, tls_key (PEM), tls_port,
 *   tls_verify = none|next-hop|peer, tls_ca (PEM)
 * Returns -1 for another key; else 0, with p->err set on a bad value.
 */
static int sip_extra(struct parse_ctx *p, const char *name, const char *value)
{
	struct kmd_config *cfg = p->cfg;

	if (!strcmp(name, "tcp")) {
		if (!strcasecmp(value, "yes") || !strcmp(value, "1"))
			cfg->tcp = true;
		else if (!strcasecmp(value, "no") || !strcmp(value, "0"))
			cfg->tcp = false;
		else
			return fail(p, "sip", name, value, "expected yes or no");
	} else if (!strcmp(name, "tcp_max_connections")) {
		if (parse_uint(value, 1, 65536, &cfg->tcp_max_conns))
			return fail(p, "sip", name, value, "expected 1-65536");
	} else if (!strcmp(name, "tcp_idle_timeout")) {
		if (parse_uint(value, 1, 86400, &cfg->tcp_idle))
			return fail(p, "sip", name, value,
				    "expected 1-86400 seconds");
	} else if (!strcmp(name, "max_message_size")) {
		if (parse_uint(value, 1024, 1048576, &cfg->max_msg))
			return fail(p, "sip", name, value,
				    "expected 1024-1048576 bytes");
	} else if (!strcmp(name, "tls_certificate")) {
		return readable_file(p, name, value, &cfg->tls_cert);
	} else if (!strcmp(name, "tls_key")) {
		return readable_file(p, name, value, &cfg->tls_key);
	} else if (!strcmp(name, "tls_ca")) {
		return readable_file(p, name, value, &cfg->tls_ca);
	} else if (!strcmp(name, "tls_verify")) {
		if (!strcmp(value, "none"))
			cfg->tls_verify = KMD_TLS_VERIFY_NONE;
		else if (!strcmp(value, "next-hop"))
			cfg->tls_verify = KMD_TLS_VERIFY_NEXT_HOP;
		else if (!strcmp(value, "peer"))
			cfg->tls_verify = KMD_TLS_VERIFY_PEER;
		else
			return fail(p, "sip", name, value,
				    "expected none, next-hop or peer");
	} else if (!strcmp(name, "tls_port")) {
		if (parse_uint(value, 1, 65535, &cfg->tls_port))
			return fail(p, "sip", name, value, "not a port (1-65535)");
	} else {
		return -1;
	}
	return 0;
}

static void defaults_sip(struct kmd_config *cfg)
{
	cfg->tcp = true;
	cfg->tcp_max_conns = 1024;
	cfg->tcp_idle = 900;
	cfg->max_msg = 65535;
	cfg->tls_port = 5061;
	cfg->tls_verify = KMD_TLS_VERIFY_NEXT_HOP;
}

static int add_route(struct kmd_config *cfg, const char *key, const char *hop)
{
	struct kmd_route *r;

	r = realloc(cfg->routes, (cfg->n_routes + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	cfg->routes = r;
	r = &r[cfg->n_routes];
	memset(r, 0, sizeof(*r));
	if (route_hop(hop, &r->hop, &r->host))
		return -EINVAL;
	r->match = strdup(key);
	if (!r->match)
		return -ENOMEM;
	r->any = !strcmp(key, "*");
	r->domain = !r->any && !route_key_is_prefix(key);
	cfg->n_routes++;
	return 0;
}

static int add_user(struct kmd_config *cfg, const char *name, const char *pw)
{
	struct kmd_user *u;

	u = realloc(cfg->users, (cfg->n_users + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	cfg->users = u;
	u[cfg->n_users].name = strdup(name);
	u[cfg->n_users].password = strdup(pw);
	if (!u[cfg->n_users].name || !u[cfg->n_users].password)
		return -ENOMEM;
	cfg->n_users++;
	return 0;
}

static int media_extra(struct parse_ctx *p, const char *name,
		       const char *value);

static int on_entry(void *user, const char *section, const char *name,
		    const char *value)
{
	struct parse_ctx *p = user;
	struct kmd_config *cfg = p->cfg;
	int err;

#define IS(s, n) (!strcmp(section, s) && !strcmp(name, n))
	if (!strcmp(section, "sip") && sip_extra(p, name, value) >= 0)
		return p->err[0] ? 0 : 1;
	if (IS("sip", "listen")) {
		err = add_addr(cfg->listen, &cfg->n_listen, value);
		if (err)
			return fail(p, section, name, value, err == -ENOSPC ?
				    "too many addresses" :
				    "not a numeric IPv4 or IPv6 address");
	} else if (IS("sip", "port")) {
		if (parse_uint(value, 1, 65535, &cfg->sip_port))
			return fail(p, section, name, value, "not a port (1-65535)");
	} else if (IS("sip", "user_agent")) {
		free(cfg->user_agent);
		cfg->user_agent = strdup(value);
	} else if (IS("sip", "registrations")) {
		/* absolute: the daemon runs in / */
		if (value[0] != '/')
			return fail(p, section, name, value,
				    "not an absolute path");
		free(cfg->registrations);
		cfg->registrations = strdup(value);
	} else if (IS("media", "address")) {
		err = add_addr(cfg->media, &cfg->n_media, value);
		if (err)
			return fail(p, section, name, value, err == -ENOSPC ?
				    "too many addresses" :
				    "not a numeric IPv4 or IPv6 address");
	} else if (IS("media", "port_min")) {
		if (parse_uint(value, 1024, 65534, &cfg->port_min))
			return fail(p, section, name, value, "not a port (1024-65534)");
	} else if (IS("media", "port_max")) {
		if (parse_uint(value, 1025, 65535, &cfg->port_max))
			return fail(p, section, name, value, "not a port (1025-65535)");
	} else if (IS("media", "idle_timeout")) {
		if (parse_uint(value, 0, 86400, &cfg->idle_timeout))
			return fail(p, section, name, value,
				    "not a number of seconds (0-86400)");
	} else if (IS("media", "source")) {
		if (!strcmp(value, "strict"))
			cfg->strict_source = true;
		else if (!strcmp(value, "latch"))
			cfg->strict_source = false;
		else
			return fail(p, section, name, value,
				    "expected latch or strict");
	} else if (!strcmp(section, "routes")) {
		err = add_route(cfg, name, value);
		if (err)
			return fail(p, section, name, value, err == -ENOMEM ?
				    "out of memory" :
				    "next hop is not HOST[:PORT] or [IPv6][:PORT], "
				    "optionally ;transport=udp|tcp|tls");
	} else if (!strcmp(section, "users")) {
		if (add_user(cfg, name, value))
			return fail(p, section, name, value, "out of memory");
	} else if (IS("limits", "max_calls")) {
		if (parse_uint(value, 1, 1000000, &cfg->max_calls))
			return fail(p, section, name, value, "not a number (1-1000000)");
	} else if (IS("limits", "max_cps")) {
		if (parse_uint(value, 0, 1000000, &cfg->max_cps))
			return fail(p, section, name, value,
				    "not a number of calls per second (0-1000000)");
	} else if (IS("log", "level")) {
		static const char *const levels[] = {
			[LOG_ERR] = "error", [LOG_WARNING] = "warning",
			[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
		};
		int l;

		for (l = LOG_ERR; l <= LOG_DEBUG; l++)
			if (levels[l] && !strcmp(value, levels[l]))
				break;
		if (l > LOG_DEBUG)
			return fail(p, section, name, value,
				    "expected error, warning, info or debug");
		cfg->log_level = l;
	} else if (!strcmp(section, "media") && media_extra(p, name, value) >= 0) {
		return p->err[0] ? 0 : 1;
	} else {
		return fail(p, section, name, value, "unknown setting");
	}
#undef IS
	return 1;
}

static void defaults_media(struct kmd_config *cfg);

static void defaults(struct kmd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sip_port = 5060;
	cfg->port_min = 30000;
	cfg->port_max = 39999;
	cfg->idle_timeout = 60;
	cfg->max_calls = 10000;
	cfg->log_level = LOG_INFO;
	defaults_media(cfg);
}

int kmd_config_load(const char *path, struct kmd_config *cfg, char *err,
		    size_t errlen)
{
	struct parse_ctx p = { .cfg = cfg, .err = err, .errlen = errlen };
	char why[256] = "";
	int line;

	defaults(cfg);
	defaults_sip(cfg);
	p.err = why;
	p.errlen = sizeof(why);
	line = ini_parse(path, on_entry, &p);
	if (line == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (line) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 why[0] ? why : "syntax error");
		return -1;
	}
	if (!cfg->user_agent)
		cfg->user_agent = strdup("kmediad/" KMEDIA_VERSION);
	if (!cfg->n_listen) {
		kmd_addr_from_str("0.0.0.0", 0, &cfg->listen[cfg->n_listen++]);
		kmd_addr_from_str("::", 0, &cfg->listen[cfg->n_listen++]);
	}
	if (!cfg->n_media) {
		snprintf(err, errlen, "%s: [media] needs at least one address",
			 path);
		return -1;
	}
	if ((cfg->port_min & 1) || cfg->port_max <= cfg->port_min + 2) {
		snprintf(err, errlen, "%s: [media] port_min must be even and "
			 "below port_max (room for one RTP/RTCP pair at least)",
			 path);
		return -1;
	}
	if (!cfg->tls_cert != !cfg->tls_key) {
		snprintf(err, errlen, "%s: [sip] TLS needs both tls_certificate "
			 "and tls_key", path);
		return -1;
	}
	if (cfg->tls_verify == KMD_TLS_VERIFY_PEER && !cfg->tls_ca) {
		/* any client with a certificate from a public CA is no
		 * authentication: mutual TLS needs the operator's own CA
		 */
		snprintf(err, errlen, "%s: [sip] tls_verify = peer needs tls_ca "
			 "(the CA that signs the clients' certificates)", path);
		return -1;
	}
	return 0;
}

void kmd_config_free(struct kmd_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_routes; i++) {
		free(cfg->routes[i].match);
		free(cfg->routes[i].host);
	}
	for (i = 0; i < cfg->n_users; i++) {
		free(cfg->users[i].name);
		free(cfg->users[i].password);
	}
	free(cfg->routes);
	free(cfg->users);
	free(cfg->registrations);
	free(cfg->user_agent);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->tls_ca);
	memset(cfg, 0, sizeof(*cfg));
}

int kmd_config_reload(const char *path, struct kmd_config *cfg, char *err,
		      size_t errlen)
{
	struct kmd_config fresh;
	struct kmd_route *routes;
	struct kmd_user *users;
	unsigned int n_routes, n_users;

	if (kmd_config_load(path, &fresh, err, errlen)) {
		kmd_config_free(&fresh);
		return -1;
	}
	/* swap what a reload changes; the rest needs a restart */
	routes = cfg->routes;
	n_routes = cfg->n_routes;
	users = cfg->users;
	n_users = cfg->n_users;
	cfg->routes = fresh.routes;
	cfg->n_routes = fresh.n_routes;
	cfg->users = fresh.users;
	cfg->n_users = fresh.n_users;
	cfg->max_calls = fresh.max_calls;
	cfg->max_cps = fresh.max_cps;
	fresh.routes = routes;
	fresh.n_routes = n_routes;
	fresh.users = users;
	fresh.n_users = n_users;
	kmd_config_free(&fresh);
	return 0;
}

const struct kmd_route *kmd_route_lookup(const struct kmd_config *cfg,
					 const char *user, const char *host)
{
	const struct kmd_route *best = NULL, *dom = NULL, *any = NULL;
	size_t best_len = 0;
	unsigned int i;

	for (i = 0; i < cfg->n_routes; i++) {
		const struct kmd_route *r = &cfg->routes[i];
		size_t n = strlen(r->match);

		if (r->any) {
			any = r;
		} else if (r->domain) {
			if (host && !strcasecmp(host, r->match))
				dom = r;
		} else if (user && !strncmp(user, r->match, n) && n > best_len) {
			best = r;
			best_len = n;
		}
	}
	return best ?: dom ?: any;
}

/*
 * [media] SRTP and hold settings:
 *   srtp = plain|sdes-optional|sdes-mandatory     (every peer by default)
 *   srtp_peer = ADDRESS POLICY                     (repeatable)
 *   srtp_suites = SUITE[,SUITE...]                 (preference order)
 *   hold_timeout = SECONDS                         (idle limit on hold)
 *   userspace_fallback = yes|no   (relay in kmediad when the module is absent)
 * Returns -1 for another key; else 0, with p->err set on a bad value.
 */
static int parse_policy(const char *v)
{
	if (!strcmp(v, "plain"))
		return KMD_SRTP_PLAIN;
	if (!strcmp(v, "sdes-optional"))
		return KMD_SRTP_OPTIONAL;
	if (!strcmp(v, "sdes-mandatory"))
		return KMD_SRTP_MANDATORY;
	return -1;
}

static int media_extra(struct parse_ctx *p, const char *name, const char *value)
{
	struct kmd_config *cfg = p->cfg;
	char buf[256], *tok, *save = NULL;
	int v;

	if (!strcmp(name, "srtp")) {
		v = parse_policy(value);
		if (v < 0)
			return fail(p, "media", name, value,
				    "expected plain, sdes-optional or sdes-mandatory");
		cfg->srtp_policy = v;
	} else if (!strcmp(name, "srtp_peer")) {
		struct kmd_srtp_peer *peer = &cfg->srtp_peers[cfg->n_srtp_peers];
		char addr[INET6_ADDRSTRLEN + 2], pol[32];

		if (cfg->n_srtp_peers == KMD_MAX_SRTP_PEERS)
			return fail(p, "media", name, value, "too many peers");
		if (sscanf(value, "%47s %31s", addr, pol) != 2 ||
		    kmd_addr_from_str(addr, 0, &peer->addr) ||
		    (peer->policy = parse_policy(pol)) < 0)
			return fail(p, "media", name, value, "expected ADDRESS "
				    "plain|sdes-optional|sdes-mandatory");
		cfg->n_srtp_peers++;
	} else if (!strcmp(name, "srtp_suites")) {
		snprintf(buf, sizeof(buf), "%s", value);
		cfg->n_srtp_suites = 0;
		for (tok = strtok_r(buf, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save)) {
			v = kmedia_srtp_suite_from_name(tok);
			if (v <= 0)
				return fail(p, "media", name, value,
					    "unknown SRTP suite");
			if (cfg->n_srtp_suites == KMD_MAX_SRTP_SUITES)
				return fail(p, "media", name, value, "too many suites");
			cfg->srtp_suites[cfg->n_srtp_suites++] = v;
		}
		if (!cfg->n_srtp_suites)
			return fail(p, "media", name, value, "no suite");
	} else if (!strcmp(name, "hold_timeout")) {
		if (parse_uint(value, 0, 86400, &cfg->hold_timeout))
			return fail(p, "media", name, value,
				    "not a number of seconds (0-86400)");
	} else if (!strcmp(name, "userspace_fallback")) {
		if (!strcmp(value, "yes"))
			cfg->userspace_fallback = true;
		else if (!strcmp(value, "no"))
			cfg->userspace_fallback = false;
		else
			return fail(p, "media", name, value, "expected yes or no");
	} else {
		return -1;
	}
	return 0;
}

static void defaults_media(struct kmd_config *cfg)
{
	static const int suites[] = {
		KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
		KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_32,
		KMEDIA_SRTP_AEAD_AES_128_GCM,
		KMEDIA_SRTP_AEAD_AES_256_GCM,
		KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_80,
		KMEDIA_SRTP_AES_256_CM_HMAC_SHA1_32,
		KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_80,
		KMEDIA_SRTP_AES_192_CM_HMAC_SHA1_32,
	};

	memcpy(cfg->srtp_suites, suites, sizeof(suites));
	cfg->n_srtp_suites = sizeof(suites) / sizeof(suites[0]);
	cfg->srtp_policy = KMD_SRTP_OPTIONAL;
	cfg->userspace_fallback = true;
}

/* The policy of the srtp_peer with peer's address, else the default. */
int kmd_srtp_policy_for(const struct kmd_config *cfg, const union kmd_addr *peer)
{
	unsigned int i;

	for (i = 0; i < cfg->n_srtp_peers; i++)
		if (kmd_addr_ip_equal(&cfg->srtp_peers[i].addr, peer))
			return cfg->srtp_peers[i].policy;
	return cfg->srtp_policy;
}
