// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: keywords and values (numbers, endpoints, payload type lists,
 * durations, DSCP). Nothing here prints; callers name the bad keyword.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "kmedia.h"

bool matches(const char *arg, const char *word)
{
	return arg && *arg && !strncmp(arg, word, strlen(arg));
}

int keyword(const char *arg, const char *const *table)
{
	int i;

	for (i = 0; table[i]; i++)
		if (!strcmp(arg, table[i]))
			return i;
	for (i = 0; table[i]; i++)
		if (matches(arg, table[i]))
			return i;
	return -1;
}

int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*v = n;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t n;

	if (parse_u64(s, &n) || n > UINT32_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

int parse_endpoint(const char *s, struct sockaddr_storage *ss,
		   socklen_t *lenp, bool any_port)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	uint32_t port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!s)
		return -EINVAL;
	if (*s == '[') {
		colon = strstr(s, "]:");
		if (!colon)
			return -EINVAL;
		n = colon - s - 1;
		port_s = colon + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -EINVAL;
		n = colon - s;
		port_s = colon + 1;
	}
	if (n == 0 || n >= sizeof(host) || parse_u32(port_s, &port) ||
	    port > 65535 || (!port && !any_port))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*lenp = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*lenp = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

int parse_pt_list(const char *s, uint8_t bitmap[KMEDIA_PT_BITMAP_LEN])
{
	const char *p = s;

	memset(bitmap, 0, KMEDIA_PT_BITMAP_LEN);
	if (!strcmp(s, "all")) {
		memset(bitmap, 0xff, KMEDIA_PT_BITMAP_LEN);
		return 0;
	}
	while (*p) {
		unsigned long lo, hi;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			p = end + 1;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			hi = strtoul(p, &end, 10);
		}
		if (lo > 127 || hi > 127 || lo > hi)
			return -EINVAL;
		for (; lo <= hi; lo++)
			bitmap[lo / 8] |= 1u << (lo % 8);
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			return -EINVAL;
		p = end;
	}
	return p == s ? -EINVAL : 0;
}

int parse_duration_ms(const char *s, uint32_t *msp)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	unsigned long long n;
	char *end;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (n > UINT32_MAX / units[i].ms)
			return -ERANGE;
		*msp = n * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

int parse_dscp(const char *s, unsigned int *dscp)
{
	static const struct {
		const char *name;
		unsigned int value;
	} names[] = {
		{ "ef", 46 }, { "va", 44 },
		{ "af11", 10 }, { "af12", 12 }, { "af13", 14 },
		{ "af21", 18 }, { "af22", 20 }, { "af23", 22 },
		{ "af31", 26 }, { "af32", 28 }, { "af33", 30 },
		{ "af41", 34 }, { "af42", 36 }, { "af43", 38 },
	};
	uint32_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*dscp = names[i].value;
			return 0;
		}
	}
	if (!strncasecmp(s, "cs", 2) && s[2] >= '0' && s[2] <= '7' && !s[3]) {
		*dscp = (s[2] - '0') << 3;
		return 0;
	}
	if (parse_u32(s, &v) || v > 63)
		return -EINVAL;
	*dscp = v;
	return 0;
}

int parse_hex(const char *s, uint8_t *buf, size_t size)
{
	size_t n = 0;

	if (!strncasecmp(s, "0x", 2))
		s += 2;
	if (!*s || strlen(s) % 2)
		return -EINVAL;
	for (; *s; s += 2) {
		char byte[3] = { s[0], s[1], '\0' };
		char *end;

		if (!isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]) || n == size)
			return -EINVAL;
		buf[n++] = strtoul(byte, &end, 16);
	}
	return n;
}
