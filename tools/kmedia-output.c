// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: output helpers. Text output is a table whose columns are as
 * wide as their widest cell, like ss(8), with optional indented detail
 * lines under each row; JSON output is one json-c document per command.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "kmedia.h"

const char *fmt_endpoint(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!sa) {
		snprintf(buf, len, "-");
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

struct json_object *json_endpoint(const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "";
	struct json_object *obj;
	unsigned int port = 0;

	if (!sa)
		return NULL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "address", json_object_new_string(host));
	json_object_object_add(obj, "port", json_object_new_int(port));
	return obj;
}

const char *fmt_duration(uint32_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%ums", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%u.%us", ms / 1000, ms % 1000 / 100);
	else if (ms < 3600000)
		snprintf(buf, len, "%um%02us", ms / 60000, ms / 1000 % 60);
	else
		snprintf(buf, len, "%uh%02um", ms / 3600000, ms / 60000 % 60);
	return buf;
}

const char *fmt_pt_list(const uint8_t *bitmap, char *buf, size_t len)
{
	size_t used = 0;
	int pt, first;

	if (!bitmap) {
		snprintf(buf, len, "all");
		return buf;
	}
	buf[0] = '\0';
	for (pt = 0; pt < 128; pt++) {
		if (!(bitmap[pt / 8] & (1u << (pt % 8))))
			continue;
		first = pt;
		while (pt + 1 < 128 && (bitmap[(pt + 1) / 8] & (1u << ((pt + 1) % 8))))
			pt++;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%d", used ? "," : "", first);
		if (pt != first && used < len)
			used += snprintf(buf + used, len - used, "-%d", pt);
	}
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}

const char *fmt_hex(const uint8_t *p, size_t n, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	return buf;
}

void json_print(struct json_object *obj)
{
	int flags = opts.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
				: JSON_C_TO_STRING_PLAIN;

	puts(json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	fflush(stdout);
}

/* One row: its cells, then the detail lines to print under it. */
struct row {
	char **cells;
	unsigned int ncells;
	char **details;
	unsigned int ndetails;
};

struct table {
	unsigned int ncols;
	const char *const *headers;
	struct row *rows;
	unsigned int nrows;
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		perror("kmedia");
		exit(EXIT_KERNEL);
	}
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		perror("kmedia");
		exit(EXIT_KERNEL);
	}
	return s;
}

struct table *table_new(unsigned int ncols, const char *const *headers)
{
	struct table *t = xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	return t;
}

static struct row *table_row(struct table *t)
{
	struct row *r;

	if (t->nrows && t->rows[t->nrows - 1].ncells < t->ncols)
		return &t->rows[t->nrows - 1];
	t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->cells = xrealloc(NULL, t->ncols * sizeof(*r->cells));
	return r;
}

void table_cell(struct table *t, const char *fmt, ...)
{
	struct row *r = table_row(t);
	va_list ap;

	va_start(ap, fmt);
	r->cells[r->ncells++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void table_detail(struct table *t, const char *fmt, ...)
{
	struct row *r;
	va_list ap;

	if (!t->nrows)
		return;
	r = &t->rows[t->nrows - 1];
	r->details = xrealloc(r->details, (r->ndetails + 1) * sizeof(char *));
	va_start(ap, fmt);
	r->details[r->ndetails++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* A cell padded to width and a separating blank; width 0: the last one. */
static void table_put(FILE *out, const char *cell, size_t width)
{
	if (width)
		fprintf(out, "%-*s ", (int)width, cell);
	else
		fputs(cell, out);
}

void table_print(struct table *t, FILE *out)
{
	size_t *width = xrealloc(NULL, t->ncols * sizeof(*width));
	unsigned int i, c;

	for (c = 0; c < t->ncols; c++)
		width[c] = strlen(t->headers[c]);
	for (i = 0; i < t->nrows; i++)
		for (c = 0; c < t->rows[i].ncells; c++)
			if (strlen(t->rows[i].cells[c]) > width[c])
				width[c] = strlen(t->rows[i].cells[c]);
	/* The last column is not padded: no trailing blanks. */
	for (c = 0; c < t->ncols; c++)
		table_put(out, t->headers[c], c + 1 < t->ncols ? width[c] : 0);
	fputc('\n', out);
	for (i = 0; i < t->nrows; i++) {
		struct row *r = &t->rows[i];

		for (c = 0; c < r->ncells; c++)
			table_put(out, r->cells[c], c + 1 < r->ncells ? width[c] : 0);
		fputc('\n', out);
		for (c = 0; c < r->ndetails; c++)
			fprintf(out, "    %s\n", r->details[c]);
	}
	free(width);
	fflush(out);
}

void table_free(struct table *t)
{
	unsigned int i, c;

	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < t->rows[i].ncells; c++)
			free(t->rows[i].cells[c]);
		for (c = 0; c < t->rows[i].ndetails; c++)
			free(t->rows[i].details[c]);
		free(t->rows[i].cells);
		free(t->rows[i].details);
	}
	free(t->rows);
	free(t);
}
