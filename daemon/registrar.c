// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad registrar: REGISTER with HTTP digest authentication (RFC 3261
 * section 22, RFC 2617 with qop=auth, MD5) against the [users] section,
 * bindings in memory, and the lookup that routes calls to registered users.
 *
 * Nonces are stateless: a timestamp and a keyed hash of it under a secret
 * drawn at start, valid for five minutes. A wrong password gets 403 (the
 * user agent would only retry the same one), a stale nonce a new 401.
 * Each binding keeps the address the REGISTER came from: calls go there,
 * which works behind NAT, with the Contact as Request-URI.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <osipparser2/osip_md5.h>

#include "kmediad.h"

#define REALM "kmediad"
#define NONCE_TTL 300
#define EXPIRES_DEFAULT 3600
#define EXPIRES_MAX 86400

struct binding {
	char *contact;
	union kmd_addr addr;
	time_t expires;
};

static const struct kmd_config *cfg;
static struct kmd_map *bindings;
static char secret[33];

int kmd_reg_init(const struct kmd_config *c)
{
	cfg = c;
	kmd_random_hex(secret, 16);
	bindings = kmd_map_new(1021);
	return bindings ? 0 : -ENOMEM;
}

static void md5_hex(char out[33], const char *const parts[], int n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[16];
	osip_MD5_CTX ctx;
	int i;

	osip_MD5Init(&ctx);
	for (i = 0; i < n; i++) {
		if (i)
			osip_MD5Update(&ctx, (unsigned char *)":", 1);
		osip_MD5Update(&ctx, (unsigned char *)parts[i], strlen(parts[i]));
	}
	osip_MD5Final(digest, &ctx);
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[32] = 0;
}

/* "TTTTTTTTTTTTTTTT" (seconds, hex) + MD5(secret:time) */
static void make_nonce(char out[49], time_t t)
{
	char ts[17], h[33];
	const char *parts[] = { secret, ts };

	snprintf(ts, sizeof(ts), "%016llx", (unsigned long long)t);
	md5_hex(h, parts, 2);
	snprintf(out, 49, "%s%.32s", ts, h);
}

/* 1 valid, 0 stale, -1 forged */
static int check_nonce(const char *nonce)
{
	char expect[49], ts[17];
	time_t t, now = time(NULL);

	if (strlen(nonce) != 48)
		return -1;
	memcpy(ts, nonce, 16);
	ts[16] = 0;
	t = (time_t)strtoull(ts, NULL, 16);
	make_nonce(expect, t);
	if (strcmp(expect, nonce))
		return -1;
	return now - t <= NONCE_TTL && t <= now ? 1 : 0;
}

static const char *user_password(const char *user)
{
	unsigned int i;

	for (i = 0; user && i < cfg->n_users; i++)
		if (!strcmp(cfg->users[i].name, user))
			return cfg->users[i].password;
	return NULL;
}

static char *unquote(const char *s)
{
	return s ? osip_strdup_without_quote(s) : NULL;
}

static void challenge(struct kmd_stx *stx, osip_message_t *req, bool stale)
{
	osip_message_t *r = kmd_sip_response(req, 401, "Unauthorized", NULL);
	char nonce[49], buf[256], tag[17];

	if (!r)
		return;
	kmd_random_hex(tag, 8);
	osip_to_set_tag(r->to, osip_strdup(tag));
	make_nonce(nonce, time(NULL));
	snprintf(buf, sizeof(buf), "Digest realm=\"" REALM "\", nonce=\"%s\", "
		 "algorithm=MD5, qop=\"auth\"%s", nonce,
		 stale ? ", stale=true" : "");
	osip_message_set_www_authenticate(r, buf);
	kmd_stx_respond(stx, r);
}

/* 1 authenticated, 0 challenge (again), -1 wrong credentials */
static int authenticate(osip_message_t *req, const char *user, bool *stale)
{
	osip_authorization_t *auth = NULL;
	char *username, *realm, *nonce, *uri, *response, *cnonce, *qop, *nc;
	const char *pw = user_password(user);
	char ha1[33], ha2[33], expect[33];
	int ret = -1, fresh;

	*stale = false;
	osip_message_get_authorization(req, 0, &auth);
	if (!auth || !auth->auth_type || strcasecmp(auth->auth_type, "Digest"))
		return 0;
	username = unquote(auth->username);
	realm = unquote(auth->realm);
	nonce = unquote(auth->nonce);
	uri = unquote(auth->uri);
	response = unquote(auth->response);
	cnonce = unquote(auth->cnonce);
	qop = unquote(auth->message_qop);
	nc = unquote(auth->nonce_count);
	if (!username || !realm || !nonce || !uri || !response ||
	    strcmp(realm, REALM) || strcmp(username, user)) {
		ret = 0;
		goto out;
	}
	fresh = check_nonce(nonce);
	if (fresh <= 0) {
		*stale = fresh == 0;
		ret = 0;
		goto out;
	}
	if (!pw)
		goto out;
	{
		const char *p1[] = { username, realm, pw };
		const char *p2[] = { req->sip_method, uri };

		md5_hex(ha1, p1, 3);
		md5_hex(ha2, p2, 2);
	}
	if (qop && cnonce && nc) {
		const char *p[] = { ha1, nonce, nc, cnonce, qop, ha2 };

		md5_hex(expect, p, 6);
	} else {
		const char *p[] = { ha1, nonce, ha2 };

		md5_hex(expect, p, 3);
	}
	ret = strcasecmp(expect, response) ? -1 : 1;
out:
	osip_free(username);
	osip_free(realm);
	osip_free(nonce);
	osip_free(uri);
	osip_free(response);
	osip_free(cnonce);
	osip_free(qop);
	osip_free(nc);
	return ret;
}

static void binding_free(struct binding *b)
{
	free(b->contact);
	free(b);
}

static void unbind(const char *user)
{
	struct binding *b = kmd_map_get(bindings, user);

	if (b) {
		kmd_map_del(bindings, user);
		binding_free(b);
	}
}

void kmd_reg_handle(osip_message_t *req, struct kmd_stx *stx,
		    const union kmd_addr *src)
{
	const char *user = req->to->url ? req->to->url->username : NULL;
	osip_contact_t *contact = osip_list_get(&req->contacts, 0);
	osip_generic_param_t *exp_param = NULL;
	osip_header_t *exp_hdr = NULL;
	char *curi = NULL, buf[512], str[KMD_ADDRSTRLEN];
	osip_message_t *r;
	struct binding *b;
	unsigned long expires = EXPIRES_DEFAULT;
	bool stale = false;
	int auth;

	if (!user || !user_password(user)) {
		osip_authorization_t *a = NULL;

		/* unknown users are challenged too: no user enumeration */
		osip_message_get_authorization(req, 0, &a);
		auth = a ? -1 : 0;
	} else {
		auth = authenticate(req, user, &stale);
	}
	if (auth == 0) {
		challenge(stx, req, stale);
		return;
	}
	if (auth < 0) {
		kmd_info(NULL, "REGISTER of %s from %s: wrong credentials",
			 user ?: "?", kmd_addr_str(src, str, sizeof(str)));
		kmd_stx_reply(stx, req, 403, "Forbidden", NULL);
		return;
	}

	osip_message_get_expires(req, 0, &exp_hdr);
	if (exp_hdr && exp_hdr->hvalue)
		expires = strtoul(exp_hdr->hvalue, NULL, 10);
	if (contact)
		osip_contact_param_get_byname(contact, "expires", &exp_param);
	if (exp_param && exp_param->gvalue)
		expires = strtoul(exp_param->gvalue, NULL, 10);
	if (expires > EXPIRES_MAX)
		expires = EXPIRES_MAX;

	if (contact && contact->displayname && !strcmp(contact->displayname, "*")) {
		unbind(user);
		expires = 0;
	} else if (contact && contact->url) {
		if (osip_uri_to_str(contact->url, &curi) || !curi) {
			kmd_stx_reply(stx, req, 400, "Bad Contact", NULL);
			return;
		}
		unbind(user);
		if (expires) {
			b = calloc(1, sizeof(*b));
			if (!b || !(b->contact = strdup(curi)) ||
			    kmd_map_put(bindings, user, b)) {
				if (b)
					binding_free(b);
				osip_free(curi);
				kmd_stx_reply(stx, req, 500, "Out Of Memory", NULL);
				return;
			}
			b->addr = *src;
			b->expires = time(NULL) + expires;
		}
		kmd_info(NULL, "REGISTER %s -> %s via %s for %lu s", user, curi,
			 kmd_addr_str(src, str, sizeof(str)), expires);
	}

	r = kmd_sip_response(req, 200, "OK", NULL);
	if (!r) {
		osip_free(curi);
		return;
	}
	if (!osip_list_get(&r->to->gen_params, 0)) {
		kmd_random_hex(buf, 8);
		osip_to_set_tag(r->to, osip_strdup(buf));
	}
	b = kmd_map_get(bindings, user);
	if (b) {
		snprintf(buf, sizeof(buf), "<%s>;expires=%lld", b->contact,
			 (long long)(b->expires - time(NULL)));
		osip_message_set_contact(r, buf);
	}
	osip_free(curi);
	kmd_stx_respond(stx, r);
}

const char *kmd_reg_lookup(const char *user, union kmd_addr *addr)
{
	struct binding *b;

	if (!user || !bindings || !(b = kmd_map_get(bindings, user)))
		return NULL;
	if (b->expires <= time(NULL)) {
		unbind(user);
		return NULL;
	}
	*addr = b->addr;
	return b->contact;
}
