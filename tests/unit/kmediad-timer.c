// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host unit test of kmediad's timers (daemon/loop.c): a binary min-heap
 * by expiry. Built with loop.c alone and a clock of its own, so that the
 * test decides what time it is: timers fire in expiry order, ties in the
 * order they were armed, never early, each once; stopped ones never;
 * callbacks may arm and stop timers, their own included; and the loop's
 * next timeout is the nearest expiry, at most a minute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "kmediad.h"

static uint64_t fake_now;

/* loop.c's clock (util.c's in kmediad) */
uint64_t kmd_now_ms(void)
{
	return fake_now;
}

#define N_TIMERS 3000

struct probe {
	struct kmd_timer t;
	uint64_t want;		/* expiry it was last armed for */
	unsigned int fired;
	bool armed;
	bool due;		/* armed when the clock started to run */
};

static struct probe probes[N_TIMERS];
static struct probe *order[N_TIMERS * 2];
static unsigned int n_fired;

static void probe_fired(struct kmd_timer *t)
{
	struct probe *p = (struct probe *)t;

	p->fired++;
	p->armed = false;
	order[n_fired++] = p;
}

static void probe_arm(struct probe *p, uint64_t delay)
{
	kmd_timer_arm(&p->t, delay);
	p->want = fake_now + delay;
	p->armed = true;
}

/* The nearest expiry among the probes still armed, as the heap must see. */
static int nearest(void)
{
	uint64_t best = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < N_TIMERS; i++)
		if (probes[i].armed && probes[i].want < best)
			best = probes[i].want;
	if (best == UINT64_MAX)
		return -1;
	return best - fake_now > 60000 ? 60000 : (int)(best - fake_now);
}

TEST(timers_fire_in_expiry_order_each_once)
{
	unsigned int i, due, seed = 1;
	int next;

	fake_now = 1000;
	memset(probes, 0, sizeof(probes));
	n_fired = 0;
	EXPECT_EQ(-1, kmd_timers_run());
	for (i = 0; i < N_TIMERS; i++) {
		kmd_timer_init(&probes[i].t, probe_fired);
		EXPECT_FALSE(kmd_timer_armed(&probes[i].t));
		seed = seed * 1103515245 + 12345;
		/* few distinct delays, so that many expiries tie */
		probe_arm(&probes[i], (seed >> 16) % 64 * 100);
		EXPECT_TRUE(kmd_timer_armed(&probes[i].t));
	}
	/* stop some, re-arm others (a re-armed timer goes to its new place) */
	for (i = 0; i < N_TIMERS; i += 7) {
		kmd_timer_stop(&probes[i].t);
		probes[i].armed = false;
		EXPECT_FALSE(kmd_timer_armed(&probes[i].t));
	}
	for (i = 3; i < N_TIMERS; i += 11)
		probe_arm(&probes[i], 6400 - i);
	for (i = 0, due = 0; i < N_TIMERS; i++) {
		probes[i].due = probes[i].armed;
		due += probes[i].due;
	}

	for (;;) {
		next = kmd_timers_run();
		ASSERT_EQ(nearest(), next);
		if (next < 0)
			break;
		fake_now += next ? next : 1;
	}
	for (i = 0; i < N_TIMERS; i++) {
		EXPECT_EQ(probes[i].due, probes[i].fired) TH_LOG("timer %u", i);
		EXPECT_FALSE(kmd_timer_armed(&probes[i].t));
	}
	for (i = 1; i < n_fired; i++) {
		/* by expiry; ties in arming order */
		ASSERT_TRUE(order[i - 1]->want < order[i]->want ||
			    (order[i - 1]->want == order[i]->want &&
			     order[i - 1]->t.seq < order[i]->t.seq));
	}
	EXPECT_EQ(due, n_fired);
	/* stopped ones stayed stopped, re-armed ones fired once */
	EXPECT_LT(due, N_TIMERS);
	EXPECT_EQ(1, probes[14].fired);
	EXPECT_EQ(0, probes[7].fired);
}

TEST(nothing_fires_early)
{
	struct probe p = { 0 };

	fake_now = 5000;
	n_fired = 0;
	kmd_timer_init(&p.t, probe_fired);
	probe_arm(&p, 250);
	fake_now += 249;
	EXPECT_EQ(1, kmd_timers_run());
	EXPECT_EQ(0, p.fired);
	fake_now += 1;
	EXPECT_EQ(-1, kmd_timers_run());
	EXPECT_EQ(1, p.fired);

	/* more than a minute away: the loop wakes up after a minute */
	probe_arm(&p, 3600 * 1000);
	EXPECT_EQ(60000, kmd_timers_run());
	kmd_timer_stop(&p.t);
	kmd_timer_stop(&p.t);	/* stopping twice is harmless */
	EXPECT_EQ(-1, kmd_timers_run());
}

/* A callback that re-arms itself a few times and stops its victim. */
static struct kmd_timer victim;
static unsigned int rearms, victim_fired;

static void victim_cb(struct kmd_timer *t)
{
	(void)t;
	victim_fired++;
}

static void rearm_cb(struct kmd_timer *t)
{
	if (++rearms < 5)
		kmd_timer_arm(t, 0);	/* due at once: runs in this pass */
	kmd_timer_stop(&victim);
}

TEST(callbacks_arm_and_stop_timers)
{
	struct kmd_timer t;

	fake_now = 100;
	rearms = victim_fired = 0;
	kmd_timer_init(&t, rearm_cb);
	kmd_timer_init(&victim, victim_cb);
	kmd_timer_arm(&t, 10);
	kmd_timer_arm(&victim, 10);	/* ties with t, armed after it */
	fake_now = 110;
	EXPECT_EQ(-1, kmd_timers_run());
	EXPECT_EQ(5, rearms);
	EXPECT_EQ(0, victim_fired);
	EXPECT_FALSE(kmd_timer_armed(&t));
}

TEST_HARNESS_MAIN
