// SPDX-License-Identifier: GPL-2.0-only
/*
 * kmedia: per-CPU counter sets.
 */

#include <linux/cpumask.h>
#include <linux/percpu.h>

#include "counters.h"

struct kmedia_ctrs __percpu *kmedia_ctrs_alloc(unsigned int n)
{
	struct kmedia_ctrs __percpu *ctrs;
	int cpu;

	ctrs = __alloc_percpu(struct_size_t(struct kmedia_ctrs, c, n),
			      __alignof__(u64));
	if (!ctrs)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(ctrs, cpu)->syncp);
	return ctrs;
}

void kmedia_ctrs_free(struct kmedia_ctrs __percpu *ctrs)
{
	free_percpu(ctrs);
}

void kmedia_ctrs_sum(struct kmedia_ctrs __percpu *ctrs, unsigned int n,
		     u64 *sums)
{
	unsigned int i, start;
	int cpu;

	memset(sums, 0, n * sizeof(*sums));
	for_each_possible_cpu(cpu) {
		const struct kmedia_ctrs *one = per_cpu_ptr(ctrs, cpu);

		do {
			start = u64_stats_fetch_begin(&one->syncp);
			for (i = 0; i < n; i++)
				sums[i] += u64_stats_read(&one->c[i]);
		} while (u64_stats_fetch_retry(&one->syncp, start));
	}
}
