// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmedia CLI: attached UDP sockets. A socket is attached by a process that
 * owns it; "socket attach" binds and attaches sockets and then holds them
 * in the foreground until SIGINT/SIGTERM/SIGHUP (or, in batch mode, until
 * the batch ends or a "wait" command is signalled).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "kmedia.h"

void socket_usage(FILE *out)
{
	fprintf(out,
		"Usage: kmedia socket show [ id ID ]\n"
		"       kmedia socket attach [ local ] ADDR:PORT [ [ local ] ADDR:PORT ]...\n"
		"       kmedia socket del ID\n"
		"       kmedia socket help\n"
		"ADDR:PORT := { IPV4:PORT | [IPV6]:PORT }\n"
		"attach binds the sockets, attaches them and holds them until\n"
		"SIGINT, SIGTERM or SIGHUP (in a batch: until the batch ends).\n"
		"-s shows what arrived on each socket and why it was not relayed.\n"
		"list is show; detach and delete are del.\n");
}

/* Descriptors of the sockets this process attached. */
static int *held;
static unsigned int nheld;

void socket_release_all(void)
{
	while (nheld)
		close(held[--nheld]);
	free(held);
	held = NULL;
}

int hold_until_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fflush(stdout);
	sigwait(&set, &sig);
	return 0;
}

static bool same_endpoint(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	} else {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
}

struct resolve {
	struct sockaddr_storage want;
	uint32_t id;
	unsigned int found;
};

static int resolve_cb(const struct kmedia_sock *sock, void *data)
{
	const struct sockaddr *local = kmedia_sock_get_local(sock, NULL);
	struct resolve *r = data;

	if (local && same_endpoint(local, &r->want)) {
		r->id = kmedia_sock_get_id(sock);
		r->found++;
	}
	return 0;
}

int socket_resolve(const char *what, const char *kw, const char *arg,
		   uint32_t *idp)
{
	struct kmedia_handle *h;
	struct resolve r = { 0 };
	socklen_t len;
	int err;

	if (!parse_u32(arg, idp))
		return 0;
	if (parse_endpoint(arg, &r.want, &len, false))
		return usage_error(what, "invalid socket \"%s\" for \"%s\" (want ID or ADDR:PORT)",
				   arg, kw);
	err = handle_get(&h);
	if (err)
		return err;
	err = kmedia_sock_dump(h, resolve_cb, &r);
	if (err)
		return kernel_error(h, what, err);
	if (r.found != 1)
		return usage_error(what, "\"%s %s\": %s attached socket has this local address",
				   kw, arg, r.found ? "more than one" : "no");
	*idp = r.id;
	return 0;
}

struct sock_out {
	struct table *t;
	struct json_object *array;
};

#define SOCK_STAT(s, a) kmedia_sock_get_stat(s, KMEDIA_SOCK_STATS_A_##a)

static const struct {
	const char *json;
	enum kmedia_sock_stats_attr attr;
} sock_stats[] = {
	{ "rx_packets", KMEDIA_SOCK_STATS_A_RX_PACKETS },
	{ "to_stream", KMEDIA_SOCK_STATS_A_TO_STREAM },
	{ "pass_not_rtp", KMEDIA_SOCK_STATS_A_PASS_NOT_RTP },
	{ "pass_no_stream", KMEDIA_SOCK_STATS_A_PASS_NO_STREAM },
	{ "pass_source", KMEDIA_SOCK_STATS_A_PASS_SOURCE },
	{ "pass_fragment", KMEDIA_SOCK_STATS_A_PASS_FRAGMENT },
};

static int sock_print(const struct kmedia_sock *sock, void *data)
{
	const struct sockaddr *local = kmedia_sock_get_local(sock, NULL);
	struct sock_out *o = data;
	char buf[80];
	size_t i;

	if (opts.json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "id",
				       json_object_new_int64(kmedia_sock_get_id(sock)));
		json_object_object_add(obj, "local", json_endpoint(local));
		json_object_object_add(obj, "streams",
				       json_object_new_int64(kmedia_sock_get_streams(sock)));
		if (opts.stats) {
			struct json_object *st = json_object_new_object();

			for (i = 0; i < ARRAY_SIZE(sock_stats); i++)
				json_object_object_add(st, sock_stats[i].json,
					json_object_new_uint64(kmedia_sock_get_stat(sock, sock_stats[i].attr)));
			json_object_object_add(obj, "stats", st);
		}
		json_object_array_add(o->array, obj);
		return 0;
	}
	table_cell(o->t, "%u", kmedia_sock_get_id(sock));
	table_cell(o->t, "%s", fmt_endpoint(local, buf, sizeof(buf)));
	table_cell(o->t, "%u", kmedia_sock_get_streams(sock));
	if (opts.stats)
		table_detail(o->t, "rx %llu to-stream %llu pass: not-rtp %llu no-stream %llu source %llu fragment %llu",
			     (unsigned long long)SOCK_STAT(sock, RX_PACKETS),
			     (unsigned long long)SOCK_STAT(sock, TO_STREAM),
			     (unsigned long long)SOCK_STAT(sock, PASS_NOT_RTP),
			     (unsigned long long)SOCK_STAT(sock, PASS_NO_STREAM),
			     (unsigned long long)SOCK_STAT(sock, PASS_SOURCE),
			     (unsigned long long)SOCK_STAT(sock, PASS_FRAGMENT));
	return 0;
}

static const char *const sock_headers[] = { "ID", "Local", "Streams" };

static void sock_out_init(struct sock_out *o)
{
	o->t = opts.json ? NULL : table_new(ARRAY_SIZE(sock_headers), sock_headers);
	o->array = opts.json ? json_object_new_array() : NULL;
}

static void sock_out_print(struct sock_out *o)
{
	if (opts.json) {
		json_print(o->array);
	} else {
		table_print(o->t, stdout);
		table_free(o->t);
	}
}

static void sock_out_drop(struct sock_out *o)
{
	if (o->array)
		json_object_put(o->array);
	if (o->t)
		table_free(o->t);
}

static int sock_show(int argc, char **argv)
{
	const char *what = "socket show";
	struct kmedia_handle *h;
	struct kmedia_sock *sock;
	bool have_id = false;
	struct sock_out o;
	uint32_t id = 0;
	int err;

	while (argc > 0) {
		const char *kw = NULL;

		if (matches(argv[0], "id")) {
			kw = "id";
			if (argc < 2)
				return usage_error(what, "missing value for \"id\"");
			argc--;
			argv++;
		}
		if (parse_u32(argv[0], &id))
			return kw ? usage_error(what, "invalid value \"%s\" for \"id\"", argv[0])
				  : usage_error(what, "unknown keyword \"%s\"", argv[0]);
		have_id = true;
		argc--;
		argv++;
	}
	err = handle_get(&h);
	if (err)
		return err;
	sock_out_init(&o);
	if (have_id) {
		err = kmedia_sock_get(h, id, &sock);
		if (!err) {
			sock_print(sock, &o);
			kmedia_sock_free(sock);
		}
	} else {
		err = kmedia_sock_dump(h, sock_print, &o);
	}
	if (err) {
		sock_out_drop(&o);
		return kernel_error(h, what, err);
	}
	sock_out_print(&o);
	return 0;
}

static int sock_attach_one(struct kmedia_handle *h, const char *arg,
			   struct sock_out *o)
{
	const char *what = "socket attach";
	struct sockaddr_storage ss;
	struct kmedia_sock *sock;
	socklen_t len;
	uint32_t id;
	int fd, err;

	if (parse_endpoint(arg, &ss, &len, true))
		return usage_error(what, "invalid address \"%s\" for \"local\" (want ADDR:PORT)", arg);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "kmedia: %s: %s: %s\n", what, arg, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_KERNEL;
	}
	err = kmedia_sock_attach(h, fd, &id);
	if (err) {
		close(fd);
		return kernel_error(h, what, err);
	}
	held = realloc(held, (nheld + 1) * sizeof(*held));
	if (!held) {
		perror("kmedia");
		exit(EXIT_KERNEL);
	}
	held[nheld++] = fd;
	err = kmedia_sock_get(h, id, &sock);
	if (err)
		return kernel_error(h, what, err);
	sock_print(sock, o);
	kmedia_sock_free(sock);
	return 0;
}

static int sock_attach(int argc, char **argv)
{
	const char *what = "socket attach";
	struct kmedia_handle *h;
	struct sockaddr_storage ss;
	struct sock_out o;
	socklen_t len;
	int i, err;

	if (argc < 1)
		return usage_error(what, "missing \"local ADDR:PORT\"");
	/* Check every address before attaching any. */
	for (i = 0; i < argc; i++) {
		if (matches(argv[i], "local") && ++i == argc)
			return usage_error(what, "missing value for \"local\"");
		if (parse_endpoint(argv[i], &ss, &len, true))
			return usage_error(what, "invalid address \"%s\" for \"local\" (want ADDR:PORT)",
					   argv[i]);
	}
	err = handle_get(&h);
	if (err)
		return err;
	sock_out_init(&o);
	for (; argc > 0; argc--, argv++) {
		if (matches(argv[0], "local")) {
			argc--;
			argv++;
		}
		err = sock_attach_one(h, argv[0], &o);
		if (err) {
			sock_out_drop(&o);
			return err;
		}
	}
	sock_out_print(&o);
	if (opts.batch)
		return 0;
	hold_until_signal();
	socket_release_all();
	return 0;
}

static int sock_del(int argc, char **argv)
{
	const char *what = "socket del";
	struct kmedia_handle *h;
	uint32_t id;
	int err;

	if (argc > 0 && matches(argv[0], "id")) {
		argc--;
		argv++;
	}
	if (argc < 1)
		return usage_error(what, "missing socket ID");
	if (parse_u32(argv[0], &id))
		return usage_error(what, "invalid socket ID \"%s\"", argv[0]);
	if (argc > 1)
		return usage_error(what, "unknown keyword \"%s\"", argv[1]);
	err = handle_get(&h);
	if (err)
		return err;
	err = kmedia_sock_detach(h, id);
	if (err)
		return kernel_error(h, what, err);
	return 0;
}

int do_socket(int argc, char **argv)
{
	static const char *const cmds[] = {
		"show", "list", "attach", "del", "delete", "detach", "help", NULL,
	};

	switch (argc ? keyword(argv[0], cmds) : 0) {
	case 0:
	case 1:
		return sock_show(argc ? argc - 1 : 0, argv + !!argc);
	case 2:
		return sock_attach(argc - 1, argv + 1);
	case 3:
	case 4:
	case 5:
		return sock_del(argc - 1, argv + 1);
	case 6:
		socket_usage(stdout);
		return 0;
	default:
		return usage_error("socket", "unknown command \"%s\"; try \"kmedia socket help\"",
				   argv[0]);
	}
}
