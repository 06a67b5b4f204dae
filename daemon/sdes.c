// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad SDES (RFC 4568): the relay terminates SRTP on each side of a
 * call with keys of its own, so the keys one phone sends never reach the
 * other, either side may use plain RTP, and the kernel decrypts with the
 * sender's key and encrypts with ours (libkmedia's a=crypto helpers).
 *
 * One offer/answer round: the offerer's first usable a=crypto line gives
 * its sending key and the suite; the other side is offered that suite with
 * a fresh key of ours; the answerer's a=crypto gives its sending key; the
 * offerer's answer carries our key for it under the tag it offered.
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

void kmd_sdes_clear(struct kmd_sdes *k)
{
	int s;

	for (s = 0; s < 2; s++) {
		kmedia_srtp_free(k->remote[s]);
		kmedia_srtp_free(k->local[s]);
		k->remote[s] = k->local[s] = NULL;
	}
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

/* Remove every a=crypto; the first usable one is returned (or NULL), and
 * *seen tells whether there was any.
 */
static struct kmedia_srtp *take_crypto(osip_list_t *attrs, unsigned int *tagp,
				       bool *seen)
{
	struct kmedia_srtp *chosen = NULL, *ctx;
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
		if (!chosen && (ctx = parse_crypto(a->a_att_value, &tag))) {
			chosen = ctx;
			*tagp = tag;
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

int kmd_sdes_offer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		   const char *proto)
{
	int to = !from;
	struct kmedia_srtp *key;
	unsigned int tag = 0;
	bool seen;

	key = take_crypto(attrs, &tag, &seen);
	k->offerer = from;
	snprintf(k->offer_proto, sizeof(k->offer_proto), "%s", proto ?: "");
	if (!key) {
		/* a plain offer: both sides plain from now on */
		set_key(&k->remote[from], &k->gen_remote[from], NULL);
		set_key(&k->local[to], &k->gen_local[to], NULL);
		return seen ? -EOPNOTSUPP : 0;
	}
	k->offer_tag = tag;
	set_key(&k->remote[from], &k->gen_remote[from], key);
	/* a new offer: a new key toward the other side */
	set_key(&k->local[to], &k->gen_local[to], NULL);
	return add_crypto(attrs, 1, kmedia_srtp_get_suite(key), &k->local[to],
			  &k->gen_local[to]);
}

int kmd_sdes_answer(struct kmd_sdes *k, int from, osip_list_t *attrs,
		    char **proto)
{
	int offerer = !from;
	struct kmedia_srtp *key;
	unsigned int tag = 0;
	bool seen;

	key = take_crypto(attrs, &tag, &seen);
	if (seen && !key)
		return -EINVAL;
	if (key && (!k->local[from] ||
		    kmedia_srtp_get_suite(key) != kmedia_srtp_get_suite(k->local[from]))) {
		kmedia_srtp_free(key);
		return -EINVAL;	/* an answer to something we did not offer */
	}
	if (key) {
		set_key(&k->remote[from], &k->gen_remote[from], key);
	} else {
		/* the answerer stays plain: no SRTP on its side */
		set_key(&k->remote[from], &k->gen_remote[from], NULL);
		set_key(&k->local[from], &k->gen_local[from], NULL);
	}
	if (!k->remote[offerer])
		return 0;
	/* the offerer gets its own protocol back, and our key for it */
	if (proto && k->offer_proto[0]) {
		osip_free(*proto);
		*proto = osip_strdup(k->offer_proto);
	}
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
