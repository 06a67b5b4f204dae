/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: counters. A namespace's counters are per-CPU: every packet of
 * every stream adds to them, from every CPU. A socket's or a stream's are
 * one atomic set in the object (see kmedia_obj_ctr_add()).
 */
#ifndef _KMEDIA_COUNTERS_H
#define _KMEDIA_COUNTERS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>

/**
 * struct kmedia_ctrs - one CPU's copy of a counter set
 * @syncp: lets 32-bit readers see consistent 64-bit values
 * @c: the counters; how many is fixed at allocation
 */
struct kmedia_ctrs {
	struct u64_stats_sync syncp;
	u64_stats_t c[];
};

struct kmedia_ctrs __percpu *kmedia_ctrs_alloc(unsigned int n);
void kmedia_ctrs_free(struct kmedia_ctrs __percpu *ctrs);
void kmedia_ctrs_sum(struct kmedia_ctrs __percpu *ctrs, unsigned int n,
		     u64 *sums);

/* Packet path only: softirq context, so the CPU cannot change under us. */
static inline void kmedia_ctrs_add(struct kmedia_ctrs __percpu *ctrs,
				   unsigned int i, u64 v)
{
	struct kmedia_ctrs *mine = this_cpu_ptr(ctrs);

	u64_stats_update_begin(&mine->syncp);
	u64_stats_add(&mine->c[i], v);
	u64_stats_update_end(&mine->syncp);
}

static inline void kmedia_ctrs_inc(struct kmedia_ctrs __percpu *ctrs,
				   unsigned int i)
{
	kmedia_ctrs_add(ctrs, i, 1);
}

/*
 * Counters of one socket or stream. Its datagrams are one flow, which the
 * kernel handles on one CPU at a time in practice, and the packet path
 * writes the object's cache lines anyway (RTP statistics, replay window).
 * A per-CPU copy would cost memory on every CPU and a per-CPU allocation
 * per object, which was most of the time a stream's creation took; an
 * atomic add stays exact on the rare occasions CPUs meet.
 */
static inline void kmedia_obj_ctr_add(atomic64_t *ctrs, unsigned int i, u64 v)
{
	atomic64_add(v, &ctrs[i]);
}

static inline void kmedia_obj_ctr_inc(atomic64_t *ctrs, unsigned int i)
{
	atomic64_inc(&ctrs[i]);
}

static inline void kmedia_obj_ctrs_read(const atomic64_t *ctrs,
					unsigned int n, u64 *vals)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		vals[i] = atomic64_read(&ctrs[i]);
}

#endif /* _KMEDIA_COUNTERS_H */
