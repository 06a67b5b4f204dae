/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmedia: per-CPU counter sets. The packet path adds to the local CPU's copy
 * without locks or atomics; readers sum every CPU's copy.
 */
#ifndef _KMEDIA_COUNTERS_H
#define _KMEDIA_COUNTERS_H

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

#endif /* _KMEDIA_COUNTERS_H */
