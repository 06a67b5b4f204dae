// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad event loop: one epoll set for the SIP, media and netlink sockets
 * and the signalfd, and the timers in a binary min-heap by expiry.
 *
 * A call at a few hundred calls per second keeps tens of thousands of
 * timers armed (retransmissions, 32-second transaction lifetimes, call
 * expiries), and they are armed with many different delays: an ordered
 * list took a walk past all the longer ones for every short timer, which
 * was most of kmediad's CPU time at 800 calls/s. The heap arms, stops and
 * fires in O(log n).
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kmediad.h"

static int epfd = -1;
/* heap[0] expires first; a timer's slot is its index + 1 */
static struct kmd_timer **heap;
static unsigned int heap_len, heap_cap;
static uint64_t arm_seq;
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
	t->slot = 0;
	t->cb = cb;
}

static bool timer_before(const struct kmd_timer *a, const struct kmd_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_put(struct kmd_timer *t, unsigned int i)
{
	heap[i] = t;
	t->slot = i + 1;
}

/* Move heap[i] towards the root while it expires before its parent. */
static void sift_up(unsigned int i)
{
	struct kmd_timer *t = heap[i];

	while (i) {
		unsigned int parent = (i - 1) / 2;

		if (!timer_before(t, heap[parent]))
			break;
		heap_put(heap[parent], i);
		i = parent;
	}
	heap_put(t, i);
}

/* Move heap[i] towards the leaves while a child expires before it. */
static void sift_down(unsigned int i)
{
	struct kmd_timer *t = heap[i];

	for (;;) {
		unsigned int child = 2 * i + 1;

		if (child >= heap_len)
			break;
		if (child + 1 < heap_len &&
		    timer_before(heap[child + 1], heap[child]))
			child++;
		if (!timer_before(heap[child], t))
			break;
		heap_put(heap[child], i);
		i = child;
	}
	heap_put(t, i);
}

void kmd_timer_stop(struct kmd_timer *t)
{
	struct kmd_timer *last;
	unsigned int i;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	last = heap[--heap_len];
	if (i == heap_len)
		return;
	/* the last leaf fills the hole, then goes up or down from there */
	heap_put(last, i);
	if (i && timer_before(last, heap[(i - 1) / 2]))
		sift_up(i);
	else
		sift_down(i);
}

void kmd_timer_arm(struct kmd_timer *t, uint64_t delay_ms)
{
	kmd_timer_stop(t);
	if (heap_len == heap_cap) {
		unsigned int n = heap_cap ? 2 * heap_cap : 256;
		struct kmd_timer **h = realloc(heap, n * sizeof(*h));

		/* as every other allocation that cannot be reported */
		if (!h)
			abort();
		heap = h;
		heap_cap = n;
	}
	t->when = kmd_now_ms() + delay_ms;
	t->seq = arm_seq++;
	heap[heap_len++] = t;
	sift_up(heap_len - 1);
}

int kmd_timers_run(void)
{
	uint64_t now = kmd_now_ms();

	while (heap_len) {
		struct kmd_timer *t = heap[0];

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
		timeout = kmd_timers_run();
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
