// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad utilities: intrusive lists, socket addresses, random IDs and a
 * small string-keyed hash map (calls by Call-ID, transactions by branch).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "kmediad.h"

void kmd_list_init(struct kmd_list *head)
{
	head->next = head->prev = head;
}

void kmd_list_add_tail(struct kmd_list *head, struct kmd_list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

void kmd_list_del(struct kmd_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node->prev = node;
}

bool kmd_list_empty(const struct kmd_list *head)
{
	return head->next == head;
}

socklen_t kmd_addr_len(const union kmd_addr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->sin6) : sizeof(a->sin);
}

unsigned int kmd_addr_port(const union kmd_addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->sin6.sin6_port :
		     a->sin.sin_port);
}

void kmd_addr_set_port(union kmd_addr *a, unsigned int port)
{
	if (a->sa.sa_family == AF_INET6)
		a->sin6.sin6_port = htons(port);
	else
		a->sin.sin_port = htons(port);
}

bool kmd_addr_ip_equal(const union kmd_addr *a, const union kmd_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET6)
		return !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, 16);
	return a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
}

bool kmd_addr_equal(const union kmd_addr *a, const union kmd_addr *b)
{
	return kmd_addr_ip_equal(a, b) && kmd_addr_port(a) == kmd_addr_port(b);
}

const char *kmd_addr_ip(const union kmd_addr *a, char *buf, size_t len)
{
	const void *p = a->sa.sa_family == AF_INET6 ?
		(const void *)&a->sin6.sin6_addr : (const void *)&a->sin.sin_addr;

	if (!inet_ntop(a->sa.sa_family, p, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

const char *kmd_addr_host(const union kmd_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	kmd_addr_ip(a, ip, sizeof(ip));
	snprintf(buf, len, a->sa.sa_family == AF_INET6 ? "[%s]" : "%s", ip);
	return buf;
}

const char *kmd_addr_str(const union kmd_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN + 2];

	snprintf(buf, len, "%s:%u", kmd_addr_host(a, host, sizeof(host)),
		 kmd_addr_port(a));
	return buf;
}

int kmd_addr_from_str(const char *host, unsigned int port, union kmd_addr *a)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	memset(a, 0, sizeof(*a));
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = 0;
		host = tmp;
	}
	if (inet_pton(AF_INET, host, &a->sin.sin_addr) == 1) {
		a->sin.sin_family = AF_INET;
		a->sin.sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a->sin6.sin6_addr) == 1) {
		a->sin6.sin6_family = AF_INET6;
		a->sin6.sin6_port = htons(port);
		return 0;
	}
	return -EINVAL;
}

int kmd_addr_resolve(const char *hostport, unsigned int def_port,
		     union kmd_addr *a)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char host[256], *colon;
	unsigned int port = def_port;
	const char *p;
	int err;

	if (hostport[0] == '[') {
		p = strchr(hostport, ']');
		if (!p || (size_t)(p - hostport - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, hostport + 1, p - hostport - 1);
		host[p - hostport - 1] = 0;
		p++;
		if (*p == ':')
			port = strtoul(p + 1, NULL, 10);
		else if (*p)
			return -EINVAL;
	} else {
		if (strlen(hostport) >= sizeof(host))
			return -EINVAL;
		strcpy(host, hostport);
		colon = strchr(host, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = 0;
			port = strtoul(colon + 1, NULL, 10);
		}
	}
	if (!port || port > 65535)
		return -EINVAL;
	if (!kmd_addr_from_str(host, port, a))
		return 0;
	err = getaddrinfo(host, NULL, &hints, &res);
	if (err)
		return -ENOENT;
	memset(a, 0, sizeof(*a));
	memcpy(a, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	kmd_addr_set_port(a, port);
	return 0;
}

int kmd_addr_local_for(const union kmd_addr *peer, union kmd_addr *local)
{
	socklen_t len = sizeof(*local);
	union kmd_addr p = *peer;
	int fd, ret = 0;

	if (!kmd_addr_port(&p))
		kmd_addr_set_port(&p, 9);
	fd = socket(p.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* connect() on UDP sends nothing: it only asks for the route */
	if (connect(fd, &p.sa, kmd_addr_len(&p)) ||
	    getsockname(fd, &local->sa, &len))
		ret = -errno;
	else
		kmd_addr_set_port(local, 0);
	close(fd);
	return ret;
}

void kmd_random_hex(char *buf, size_t bytes)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[32];
	size_t i;

	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	if (getrandom(raw, bytes, 0) != (ssize_t)bytes)
		abort();
	for (i = 0; i < bytes; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[2 * bytes] = 0;
}

uint64_t kmd_random_u64(void)
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		abort();
	return v;
}

uint64_t kmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct kmd_map_entry {
	struct kmd_map_entry *next;
	void *value;
	char key[];
};

struct kmd_map {
	unsigned int buckets, count;
	struct kmd_map_entry **table;
};

static unsigned int map_hash(const struct kmd_map *map, const char *key)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*key)
		h = (h ^ (uint8_t)*key++) * 16777619u;
	return h % map->buckets;
}

struct kmd_map *kmd_map_new(unsigned int buckets)
{
	struct kmd_map *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->buckets = buckets;
	map->table = calloc(buckets, sizeof(*map->table));
	if (!map->table) {
		free(map);
		return NULL;
	}
	return map;
}

void *kmd_map_get(const struct kmd_map *map, const char *key)
{
	struct kmd_map_entry *e;

	for (e = map->table[map_hash(map, key)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e->value;
	return NULL;
}

int kmd_map_put(struct kmd_map *map, const char *key, void *value)
{
	unsigned int b = map_hash(map, key);
	size_t len = strlen(key) + 1;
	struct kmd_map_entry *e = malloc(sizeof(*e) + len);

	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, len);
	e->value = value;
	e->next = map->table[b];
	map->table[b] = e;
	map->count++;
	return 0;
}

void kmd_map_del(struct kmd_map *map, const char *key)
{
	struct kmd_map_entry **pp, *e;

	for (pp = &map->table[map_hash(map, key)]; (e = *pp); pp = &e->next) {
		if (!strcmp(e->key, key)) {
			*pp = e->next;
			free(e);
			map->count--;
			return;
		}
	}
}

unsigned int kmd_map_count(const struct kmd_map *map)
{
	return map->count;
}

void kmd_map_each(struct kmd_map *map, void (*fn)(void *value, void *data),
		  void *data)
{
	struct kmd_map_entry *e, *next;
	unsigned int b;

	for (b = 0; b < map->buckets; b++) {
		for (e = map->table[b]; e; e = next) {
			next = e->next;
			fn(e->value, data);
		}
	}
}
