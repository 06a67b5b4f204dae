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
 *
 * With [sip] registrations = FILE the bindings outlive a restart: the
 * whole set is written again on every change (a new temporary file,
 * fsync, rename over the old one, so a crash leaves either the old or the
 * new set, never half of one) and read at start. One binding per line,
 * so that a damaged line costs that binding only:
 *
 *   USER EXPIRES ADDRESS TRANSPORT CONTACT
 *
 * EXPIRES in seconds since the epoch (wall clock: the daemon may be down
 * for a while), ADDRESS the "host:port" the REGISTER came from,
 * TRANSPORT udp, tcp or tls.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <osipparser2/osip_md5.h>

#include "kmediad.h"

#define REALM "kmediad"
#define NONCE_TTL 300
#define EXPIRES_DEFAULT 3600
#define EXPIRES_MAX 86400

struct binding {
	char *user;
	char *contact;
	union kmd_addr addr;
	time_t expires;
};

static const struct kmd_config *cfg;
static struct kmd_map *bindings;
static char secret[33];
static char *store;		/* [sip] registrations, or NULL */
static struct kmd_timer expiry;

static void save(void);
static void load(void);
static void expire_bindings(struct kmd_timer *t);

int kmd_reg_init(const struct kmd_config *c)
{
	cfg = c;
	kmd_random_hex(secret, 16);
	bindings = kmd_map_new(1021);
	if (!bindings)
		return -ENOMEM;
	kmd_timer_init(&expiry, expire_bindings);
	if (cfg->registrations) {
		store = strdup(cfg->registrations);
		if (!store)
			return -ENOMEM;
		load();
	}
	return 0;
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
	free(b->user);
	free(b->contact);
	free(b);
}

/* true if there was a binding */
static bool unbind(const char *user)
{
	struct binding *b = kmd_map_get(bindings, user);

	if (!b)
		return false;
	kmd_map_del(bindings, user);
	binding_free(b);
	return true;
}

/* A new binding (replacing any of user's); 0 or -ENOMEM. */
static int bind_user(const char *user, const char *contact,
		     const union kmd_addr *addr, time_t expires)
{
	struct binding *b = calloc(1, sizeof(*b));

	unbind(user);
	if (!b || !(b->user = strdup(user)) ||
	    !(b->contact = strdup(contact)) || kmd_map_put(bindings, user, b)) {
		if (b)
			binding_free(b);
		return -ENOMEM;
	}
	b->addr = *addr;
	b->expires = expires;
	return 0;
}

/* ---- expiry and the registrations file ---- */

struct walk {
	time_t now, first;	/* first: the earliest expiry still to come */
	FILE *f;
	unsigned int n, dropped;
};

static void drop_expired(void *value, void *data)
{
	struct binding *b = value;
	struct walk *w = data;

	if (b->expires <= w->now) {
		kmd_info(NULL, "registration of %s -> %s expired", b->user,
			 b->contact);
		unbind(b->user);	/* frees b; the map allows it here */
		w->dropped++;
	} else if (!w->first || b->expires < w->first) {
		w->first = b->expires;
	}
}

/* Drop what expired and arm the timer for the next expiry; true if any
 * binding went.
 */
static bool sweep(void)
{
	struct walk w = { .now = time(NULL) };

	kmd_map_each(bindings, drop_expired, &w);
	if (w.first)
		kmd_timer_arm(&expiry, (uint64_t)(w.first - w.now) * 1000 + 100);
	else
		kmd_timer_stop(&expiry);
	return w.dropped;
}

static void expire_bindings(struct kmd_timer *t)
{
	(void)t;
	if (sweep())
		save();
}

static const char *const tp_names[] = {
	[KMD_TP_UDP] = "udp", [KMD_TP_TCP] = "tcp", [KMD_TP_TLS] = "tls",
};

/* Nothing a line could not carry: no blank, no control character. */
static bool one_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return false;
	return true;
}

static void write_binding(void *value, void *data)
{
	const struct binding *b = value;
	struct walk *w = data;
	char addr[KMD_ADDRSTRLEN];

	if (!one_word(b->user) || !one_word(b->contact) ||
	    b->addr.tp.proto > KMD_TP_TLS) {
		kmd_warn(NULL, "registration of %s not saved: cannot be written "
			 "as one line", b->user);
		return;
	}
	fprintf(w->f, "%s %lld %s %s %s\n", b->user, (long long)b->expires,
		kmd_addr_str(&b->addr, addr, sizeof(addr)),
		tp_names[b->addr.tp.proto], b->contact);
	w->n++;
}

/* fsync the directory holding path, so that the rename is durable too */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* The whole set into store, atomically: PATH.tmp, fsync, rename. */
static void save(void)
{
	struct walk w = { 0 };
	char tmp[PATH_MAX];
	int fd, err = 0;

	if (!store)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", store) >= (int)sizeof(tmp)) {
		kmd_err(NULL, "registrations: %s: name too long", store);
		return;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(w.f = fdopen(fd, "w"))) {
		kmd_err(NULL, "registrations not saved: %s: %s", tmp,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(w.f, "# kmediad registrations: USER EXPIRES ADDRESS "
		"TRANSPORT CONTACT\n");
	kmd_map_each(bindings, write_binding, &w);
	if (fflush(w.f) || ferror(w.f) || fsync(fd))
		err = errno ?: EIO;
	if (fclose(w.f) && !err)
		err = errno;
	if (!err && rename(tmp, store))
		err = errno;
	if (err) {
		kmd_err(NULL, "registrations not saved: %s: %s", store,
			strerror(err));
		unlink(tmp);
		return;
	}
	sync_dir(store);
	kmd_dbg(NULL, "registrations: %u saved to %s", w.n, store);
}

/* "host:port" or "[v6]:port" */
static int parse_addr(char *s, union kmd_addr *a)
{
	char *colon = strrchr(s, ':'), *end;
	unsigned long port;

	if (!colon || colon == s)
		return -EINVAL;
	*colon = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535 || (s[0] != '[' && strchr(s, ':')))
		return -EINVAL;
	return kmd_addr_from_str(s, port, a);
}

/* One line of the file into a binding; NULL, or why not. */
static const char *parse_line(char *line, time_t now, bool *expired)
{
	char *f[6], *save_ptr = NULL, *end;
	union kmd_addr addr;
	long long expires;
	unsigned int n, tp;

	for (n = 0; n < 6; n++) {
		f[n] = strtok_r(n ? NULL : line, " \t", &save_ptr);
		if (!f[n])
			break;
	}
	if (n != 5)
		return "expected USER EXPIRES ADDRESS TRANSPORT CONTACT";
	errno = 0;
	expires = strtoll(f[1], &end, 10);
	if (errno || *end || expires <= 0)
		return "bad EXPIRES (seconds since the epoch)";
	if (parse_addr(f[2], &addr))
		return "bad ADDRESS (numeric host:port)";
	for (tp = 0; tp <= KMD_TP_TLS; tp++)
		if (!strcmp(f[3], tp_names[tp]))
			break;
	if (tp > KMD_TP_TLS)
		return "bad TRANSPORT (udp, tcp or tls)";
	addr.tp.proto = tp;
	if (strncasecmp(f[4], "sip:", 4) && strncasecmp(f[4], "sips:", 5))
		return "bad CONTACT (not a sip: URI)";
	*expired = expires <= now;
	if (*expired)
		return NULL;
	if (expires > now + EXPIRES_MAX)
		expires = now + EXPIRES_MAX;	/* a clock that went back */
	if (bind_user(f[0], f[4], &addr, (time_t)expires))
		return "out of memory";
	return NULL;
}

/*
 * The bindings of the last run. A line that cannot be read is logged and
 * skipped, the others kept; a binding that expired while we were down is
 * dropped. When anything was dropped the file is written again.
 */
static void load(void)
{
	unsigned int lineno = 0, bad = 0, old = 0;
	time_t now = time(NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	f = fopen(store, "re");
	if (!f) {
		if (errno == ENOENT)
			kmd_info(NULL, "registrations: %s does not exist yet, "
				 "starting without bindings", store);
		else
			kmd_err(NULL, "registrations: cannot read %s: %s, "
				"starting without bindings", store,
				strerror(errno));
		return;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *why;
		bool expired = false;
		char *p = line;

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (strlen(p) != (size_t)(len - (p - line)))
			why = "NUL byte in the line";
		else
			why = parse_line(p, now, &expired);
		if (why) {
			kmd_warn(NULL, "registrations: %s:%u: %s, line skipped",
				 store, lineno, why);
			bad++;
		} else if (expired) {
			old++;
		}
	}
	free(line);
	fclose(f);
	kmd_info(NULL, "registrations: %u loaded from %s, %u expired while "
		 "down, %u bad lines skipped", kmd_map_count(bindings), store,
		 old, bad);
	sweep();
	if (bad || old)
		save();
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
	bool stale = false, changed = false;
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
		if (unbind(user)) {
			kmd_info(NULL, "REGISTER %s: every binding removed", user);
			changed = true;
		}
		expires = 0;
	} else if (contact && contact->url) {
		if (osip_uri_to_str(contact->url, &curi) || !curi) {
			kmd_stx_reply(stx, req, 400, "Bad Contact", NULL);
			return;
		}
		changed = unbind(user);
		if (expires) {
			if (bind_user(user, curi, src, time(NULL) + expires)) {
				osip_free(curi);
				if (changed)
					save();
				kmd_stx_reply(stx, req, 500, "Out Of Memory", NULL);
				return;
			}
			changed = true;
		}
		kmd_info(NULL, "REGISTER %s -> %s via %s for %lu s", user, curi,
			 kmd_addr_str(src, str, sizeof(str)), expires);
	}
	if (changed) {
		sweep();
		save();
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
		/* the expiry timer has not run yet */
		if (sweep())
			save();
		return NULL;
	}
	*addr = b->addr;
	return b->contact;
}
