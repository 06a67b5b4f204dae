// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: SRTP contexts of a stream (srtp-in, srtp-out). Keys are given
 * the SDES way (RFC 4568 "inline:" key-params); the kernel never returns
 * them, so output shows suite, MKI, ROC, SSRC and replay window only.
 */
#include <errno.h>
#include <string.h>

#include "kmedia.h"

void srtp_usage(FILE *out)
{
	fprintf(out,
		"SRTP := { none | SUITE inline:KEY_SALT_BASE64[|LIFETIME][|MKI:LENGTH]\n"
		"          [ mki HEX ] [ kdr 0 ] [ ssrc SSRC ] [ roc ROC ]\n"
		"          [ replay-window PACKETS ] }\n"
		"SUITE := { AES_CM_128_HMAC_SHA1_80 | AES_CM_128_HMAC_SHA1_32 |\n"
		"           AES_192_CM_HMAC_SHA1_80 | AES_192_CM_HMAC_SHA1_32 |\n"
		"           AES_256_CM_HMAC_SHA1_80 | AES_256_CM_HMAC_SHA1_32 |\n"
		"           AEAD_AES_128_GCM | AEAD_AES_256_GCM |\n"
		"           NULL_HMAC_SHA1_80 | NULL_HMAC_SHA1_32 | F8_128_HMAC_SHA1_80 }\n");
}

static const char *const srtp_keywords[] = {
	"mki", "kdr", "ssrc", "roc", "replay-window", NULL,
};

enum { SRTP_MKI, SRTP_KDR, SRTP_SSRC, SRTP_ROC, SRTP_REPLAY };

int srtp_parse(const char *what, const char *kw, int argc, char **argv,
	       struct kmedia_srtp *ctx)
{
	uint8_t mki[KMEDIA_SRTP_MKI_MAX];
	int i, k, n, err;
	uint32_t v;

	if (argc < 1)
		return -usage_error(what, "missing SRTP suite after \"%s\"", kw);
	if (!strcasecmp(argv[0], "none")) {
		kmedia_srtp_set_suite(ctx, KMEDIA_SRTP_NONE);
		return 1;
	}
	if (kmedia_srtp_suite_from_name(argv[0]) < 0)
		return -usage_error(what, "unknown SRTP suite \"%s\" for \"%s\"",
				    argv[0], kw);
	if (argc < 2)
		return -usage_error(what, "missing key after \"%s %s\"", kw, argv[0]);
	err = kmedia_srtp_set_inline(ctx, argv[0], argv[1]);
	if (err == -EOPNOTSUPP)
		return -usage_error(what, "\"%s\": key parameters not supported (several keys, or an MKI longer than %d bytes)",
				    kw, KMEDIA_SRTP_MKI_MAX);
	if (err)
		return -usage_error(what, "invalid key for \"%s\" (want inline:BASE64 with the key and salt lengths of %s)",
				    kw, argv[0]);
	/* SRTP parameters are looked up first, so "s" here means ssrc. */
	for (i = 2; i < argc; i += 2) {
		k = keyword(argv[i], srtp_keywords);
		if (k < 0)
			break;
		if (i + 1 >= argc)
			return -usage_error(what, "missing value for \"%s\"",
					    srtp_keywords[k]);
		switch (k) {
		case SRTP_MKI:
			n = parse_hex(argv[i + 1], mki, sizeof(mki));
			if (n < 0 || kmedia_srtp_set_mki(ctx, mki, n))
				goto invalid;
			break;
		case SRTP_REPLAY:
			if (parse_u32(argv[i + 1], &v) ||
			    kmedia_srtp_set_replay_window(ctx, v))
				goto invalid;
			break;
		default:
			if (parse_u32(argv[i + 1], &v))
				goto invalid;
			if (k == SRTP_KDR)
				kmedia_srtp_set_kdr(ctx, v);
			else if (k == SRTP_SSRC)
				kmedia_srtp_set_ssrc(ctx, v);
			else
				kmedia_srtp_set_roc(ctx, v);
			break;
		}
	}
	return i;
invalid:
	return -usage_error(what, "invalid value \"%s\" for \"%s\"", argv[i + 1],
			    srtp_keywords[k]);
}

const char *srtp_suite_short(const struct kmedia_srtp *ctx)
{
	const char *name;

	if (!ctx)
		return "-";
	name = kmedia_srtp_suite_name(kmedia_srtp_get_suite(ctx));
	return name ? name : "?";
}

void srtp_details(struct table *t, const char *dir,
		  const struct kmedia_srtp *ctx)
{
	char mki[2 * KMEDIA_SRTP_MKI_MAX + 1] = "-";
	const uint8_t *p;
	char ssrc[16] = "-";
	size_t n;

	if (!ctx)
		return;
	p = kmedia_srtp_get_mki(ctx, &n);
	if (p)
		fmt_hex(p, n, mki, sizeof(mki));
	if (kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SSRC))
		snprintf(ssrc, sizeof(ssrc), "0x%08x", kmedia_srtp_get_ssrc(ctx));
	table_detail(t, "srtp-%s %s mki %s ssrc %s roc %u replay-window %u srtcp-index %u",
		     dir, srtp_suite_short(ctx), mki, ssrc,
		     kmedia_srtp_get_roc(ctx), kmedia_srtp_get_replay_window(ctx),
		     kmedia_srtp_get_srtcp_index(ctx));
}

struct json_object *srtp_json(const struct kmedia_srtp *ctx)
{
	char mki[2 * KMEDIA_SRTP_MKI_MAX + 1];
	struct json_object *obj;
	const uint8_t *p;
	size_t n;

	if (!ctx)
		return NULL;
	obj = json_object_new_object();
	json_object_object_add(obj, "suite",
			       json_object_new_string(srtp_suite_short(ctx)));
	p = kmedia_srtp_get_mki(ctx, &n);
	json_object_object_add(obj, "mki", p ?
		json_object_new_string(fmt_hex(p, n, mki, sizeof(mki))) : NULL);
	json_object_object_add(obj, "kdr",
			       json_object_new_int64(kmedia_srtp_get_kdr(ctx)));
	json_object_object_add(obj, "ssrc",
			       kmedia_srtp_has(ctx, KMEDIA_SRTP_A_SSRC) ?
			       json_object_new_int64(kmedia_srtp_get_ssrc(ctx)) : NULL);
	json_object_object_add(obj, "roc",
			       json_object_new_int64(kmedia_srtp_get_roc(ctx)));
	json_object_object_add(obj, "replay_window",
			       json_object_new_int64(kmedia_srtp_get_replay_window(ctx)));
	json_object_object_add(obj, "srtcp_index",
			       json_object_new_int64(kmedia_srtp_get_srtcp_index(ctx)));
	return obj;
}
