// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad event loop: one epoll set for the SIP, media and netlink sockets
 * and the signalfd, and a list of timers kept in expiry order (a few
 * thousand at most: retransmissions and transaction lifetimes).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kmediad.h"

static int epfd = -1;
static struct kmd_list timers;
/* Objects holding a kmd_io freed while a batch of events is handled: an
 * event later in the same batch may still point at them.
 */
static void **graveyard;
static unsigned int graves, graves_max;

void kmd_loop_free_later(void *p)
{
	if (graves == graves_max) {
		unsigned int n = graves_max ? 2 * graves_max : 64;
		void **g = realloc(graveyard, n * sizeof(*g));

		if (!g)
			abort();
		graveyard = g;
		graves_max = n;
	}
	graveyard[graves++] = p;
}

static void bury(void)
{
	while (graves)
		free(graveyard[--graves]);
}

int kmd_loop_init(void)
{
	kmd_list_init(&timers);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd < 0 ? -errno : 0;
}

int kmd_loop_add(struct kmd_io *io)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = io };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, io->fd, &ev) ? -errno : 0;
}

int kmd_loop_set(struct kmd_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, io->fd, &ev) ? -errno : 0;
}

void kmd_loop_del(struct kmd_io *io)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, io->fd, NULL);
}

void kmd_timer_init(struct kmd_timer *t, void (*cb)(struct kmd_timer *t))
{
	kmd_list_init(&t->node);
	t->armed = false;
	t->cb = cb;
}

void kmd_timer_stop(struct kmd_timer *t)
{
	if (t->armed)
		kmd_list_del(&t->node);
	t->armed = false;
}

void kmd_timer_arm(struct kmd_timer *t, uint64_t delay_ms)
{
	struct kmd_list *pos;

	kmd_timer_stop(t);
	t->when = kmd_now_ms() + delay_ms;
	/* most timers are armed for about the same delay: search from the end */
	for (pos = timers.prev; pos != &timers; pos = pos->prev)
		if (kmd_container_of(pos, struct kmd_timer, node)->when <= t->when)
			break;
	t->node.prev = pos;
	t->node.next = pos->next;
	pos->next->prev = &t->node;
	pos->next = &t->node;
	t->armed = true;
}

static int run_timers(void)
{
	uint64_t now = kmd_now_ms();

	while (!kmd_list_empty(&timers)) {
		struct kmd_timer *t = kmd_container_of(timers.next,
						       struct kmd_timer, node);

		if (t->when > now)
			return t->when - now > 60000 ? 60000 : (int)(t->when - now);
		kmd_timer_stop(t);
		t->cb(t);
	}
	return -1;
}

int kmd_loop_run(volatile bool *stop)
{
	struct epoll_event evs[64];
	int n, i, timeout;

	while (!*stop) {
		timeout = run_timers();
		if (*stop)
			break;
		n = epoll_wait(epfd, evs, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			struct kmd_io *io = evs[i].data.ptr;

			if (io->fd >= 0)
				io->cb(io, evs[i].events);
		}
		bury();
	}
	return 0;
}
