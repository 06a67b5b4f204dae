// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SDES (RFC 4568): the relay terminates SRTP on each side of a
 * call with keys of its own, so the keys one phone sends never reach the
 * other, either side may use plain RTP, and the kernel decrypts with the
 * sender's key and encrypts with ours (libkmedia's a=crypto helpers).
 *
 * One offer/answer round: the offerer's usable a=crypto line whose suite
 * comes first in the preference list ([media] srtp_suites) gives its
 * sending key; the other side is offered, as its SRTP policy says
 * ([media] srtp, srtp_peer), plain RTP/AVP, that suite with a fresh key of
 * ours, or (to a plain offerer's SDES-mandatory peer) RTP/SAVP with one
 * a=crypto line per preferred suite; the answerer's a=crypto gives its
 * sending key and picks which of ours it receives with; the offerer's
 * answer carries its own profile back and our key for it under the tag it
 * offered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/sdp_message.h>
#include <libkmedia/libkmedia.h>

#include "kmediad.h"

static void set_key(struct kmedia_srtp **slot, unsigned int *gen,
		    struct kmedia_srtp *ctx)
{
	kmedia_srtp_free(*slot);	/* wipes the key */
	*slot = ctx;
	(*gen)++;
}

static void drop_offered(struct kmd_sdes *k);

void kmd_sdes_clear(struct kmd_sdes *k)
{
	int s;

	for (s = 0; s < 2; s++) {
		kmedia_srtp_free(k->remote[s]);
		kmedia_srtp_free(k->local[s]);
		k->remote[s] = k->local[s] = NULL;
	}
	drop_offered(k);
}

static const struct kmd_config *sdes_cfg;

void kmd_sdes_configure(const struct kmd_config *cfg)
{
	sdes_cfg = cfg;
}

/* Rank of suite in the preference list: lower is better, -1 refused. */
static int suite_rank(enum kmedia_srtp_suite suite)
{
	unsigned int i;

	if (!sdes_cfg || !sdes_cfg->n_srtp_suites)
		return 0;
	for (i = 0; i < sdes_cfg->n_srtp_suites; i++)
		if (sdes_cfg->srtp_suites[i] == (int)suite)
			return i;
	return -1;
}

/* Parse "TAG SUITE KEY-PARAMS [SESSION-PARAMS]" into a new context. */
static struct kmedia_srtp *parse_crypto(const char *value, unsigned int *tagp)
{
	char suite[64], params[256];
	struct kmedia_srtp *ctx;

	if (!value || sscanf(value, "%u %63s %255s", tagp, suite, params) != 3)
		return NULL;
	ctx = kmedia_srtp_alloc();
	if (ctx && kmedia_srtp_set_inline(ctx, suite, params)) {
		kmedia_srtp_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Remove every a=crypto; the usable one whose suite comes first in the
 * preference list is returned (or NULL), and *seen tells whether there
 * was any.
 */
static struct kmedia_srtp *take_crypto(osip_list_t *attrs, unsigned int *tagp,
				       bool *seen)
{
	struct kmedia_srtp *chosen = NULL, *ctx;
	int best = -1, rank;
	sdp_attribute_t *a;
	unsigned int tag;
	int i = 0;

	*seen = false;
	while ((a = osip_list_get(attrs, i))) {
		if (!a->a_att_field || strcasecmp(a->a_att_field, "crypto")) {
			i++;
			continue;
		}
		*seen = true;
		ctx = parse_crypto(a->a_att_value, &tag);
		/* without the module, only what the userspace relay can do */
		rank = ctx && kmd_media_srtp_ok(ctx) ?
		       suite_rank(kmedia_srtp_get_suite(ctx)) : -1;
		if (rank >= 0 && (!chosen || rank < best)) {
			kmedia_srtp_free(chosen);
			chosen = ctx;
			best = rank;
			*tagp = tag;
		} else {
			kmedia_srtp_free(ctx);
		}
		osip_list_remove(attrs, i);
		sdp_attribute_free(a);
	}
	return chosen;
}

/* a=crypto:TAG SUITE inline:KEY with a new key of `suite` in *slot. */
static int add_crypto(osip_list_t *attrs, unsigned int tag,
		      enum kmedia_srtp_suite suite, struct kmedia_srtp **slot,
		      unsigned int *gen)
{
	char inl[KMEDIA_SRTP_INLINE_MAX], value[KMEDIA_SRTP_INLINE_MAX + 80];
	struct kmedia_srtp *ctx;
	sdp_attribute_t *a;
	int err;

	if (!*slot || kmedia_srtp_get_suite(*slot) != suite) {
		/* kmedia_srtp_gen_key() draws from getrandom(2) */
		ctx = kmedia_srtp_alloc();
		if (!ctx)
			return -ENOMEM;
		err = kmedia_srtp_set_suite(ctx, suite);
		if (!err)
			err = kmedia_srtp_gen_key(ctx);
		if (err) {
			kmedia_srtp_free(ctx);
			return err;
		}
		set_key(slot, gen, ctx);
	}
	err = kmedia_srtp_format_inline(*slot, inl, sizeof(inl));
	if (err < 0)
		return err;
	snprintf(value, sizeof(value), "%u %s %s", tag,
		 kmedia_srtp_suite_name(suite), inl);
	memset(inl, 0, sizeof(inl));
	if (sdp_attribute_init(&a))
		return -ENOMEM;
	a->a_att_field = osip_strdup("crypto");
	a->a_att_value = osip_strdup(value);
	memset(value, 0, sizeof(value));
	osip_list_add(attrs, a, -1);
	return 0;
}

static void drop_offered(struct kmd_sdes *k)
{
	unsigned int i;

	for (i = 0; i < KMD_SDES_MAX_OFFER; i++) {
		kmedia_srtp_free(k->offered[i]);
		k->offered[i] = NULL;
	}
}

/* RTP/AVP(F) <-> RTP/SAVP(F); other profiles (UDP/TLS/...) stay. */
static void set_profile(char **proto, bool srtp)
{
	static const char *const plain[] = { "RTP/AVP", "RTP/AVPF" };
	static const char *const secure[] = { "RTP/SAVP", "RTP/SAVPF" };
	unsigned int i;

	if (!proto || !*proto)
		return;
	for (i = 0; i < 2; i++) {
		const char *from = srtp ? plain[i] : secure[i];

		if (!strcasecmp(*proto, from)) {
			osip_free(*proto);
			*proto = osip_strdup(srtp ? secure[i] : plain[i]);
			return;
		}
	}
}

int kmd_sdes_offer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		   char **proto)
{
	int to = !from, err;
	struct kmedia_srtp *key;
	unsigned int tag = 0, i, n, gen = 0;
	bool seen, srtp;

	key = take_crypto(attrs, &tag, &seen);
	k->offerer = from;
	snprintf(k->offer_proto, sizeof(k->offer_proto), "%s",
		 proto && *proto ? *proto : "");
	drop_offered(k);
	/* a new offer: a new key toward the other side once it answers */
	set_key(&k->local[to], &k->gen_local[to], NULL);
	set_key(&k->remote[from], &k->gen_remote[from], key);
	if (!key && (seen || k->policy[from] == KMD_SRTP_MANDATORY))
		return -EOPNOTSUPP;
	if (key)
		k->offer_tag = tag;

	srtp = k->policy[to] == KMD_SRTP_MANDATORY ||
	       (k->policy[to] == KMD_SRTP_OPTIONAL && key);
	set_profile(proto, srtp);
	if (!srtp)
		return 0;
	if (key)	/* the offerer's suite, as it chose */
		return add_crypto(attrs, 1, kmedia_srtp_get_suite(key),
				  &k->offered[0], &gen);
	/* a plain offerer: our preferred suites, one a=crypto line each */
	n = 0;
	for (i = 0; sdes_cfg && i < sdes_cfg->n_srtp_suites &&
	     n < KMD_SDES_MAX_OFFER; i++) {
		if (!kmd_media_suite_ok(sdes_cfg->srtp_suites[i]))
			continue;
		err = add_crypto(attrs, n + 1, sdes_cfg->srtp_suites[i],
				 &k->offered[n], &gen);
		if (err)
			return err;
		n++;
	}
	return n ? 0 : add_crypto(attrs, 1, KMEDIA_SRTP_AES_CM_128_HMAC_SHA1_80,
				  &k->offered[0], &gen);
}

int kmd_sdes_answer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		    char **proto)
{
	int offerer = !from;
	struct kmedia_srtp *key, *ours = NULL;
	unsigned int tag = 0;
	bool seen;

	key = take_crypto(attrs, &tag, &seen);
	if (seen && !key)
		return -EINVAL;
	if (key) {
		if (tag >= 1 && tag <= KMD_SDES_MAX_OFFER)
			ours = k->offered[tag - 1];
		if (!ours || kmedia_srtp_get_suite(key) != kmedia_srtp_get_suite(ours)) {
			kmedia_srtp_free(key);
			return -EINVAL;	/* an answer to something we did not offer */
		}
		k->offered[tag - 1] = NULL;
	}
	drop_offered(k);
	/* ours is NULL when the answerer stays plain: no SRTP on its side */
	set_key(&k->remote[from], &k->gen_remote[from], key);
	set_key(&k->local[from], &k->gen_local[from], ours);
	/* the offerer gets its own protocol back, and our key if it wants one */
	if (proto && k->offer_proto[0]) {
		osip_free(*proto);
		*proto = osip_strdup(k->offer_proto);
	}
	if (!k->remote[offerer])
		return 0;
	return add_crypto(attrs, k->offer_tag,
			  kmedia_srtp_get_suite(k->remote[offerer]),
			  &k->local[offerer], &k->gen_local[offerer]);
}

void kmd_sdes_strip(osip_list_t *attrs)
{
	unsigned int tag;
	bool seen;

	kmedia_srtp_free(take_crypto(attrs, &tag, &seen));
}

const char *kmd_sdes_describe(const struct kmd_sdes *k, int side)
{
	const struct kmedia_srtp *c = k->remote[side] ?: k->local[side];

	return c ? kmedia_srtp_suite_name(kmedia_srtp_get_suite(c)) : "RTP";
}
