// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmb-sys: what the VM reports about CPU time and memory, and the median
 * and spread of repeated figures.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmb.h"

/*
 * A CPU's idle time in /proc/stat comes from the nohz idle accounting,
 * which stops the clock while an interrupt (and the softirq after it) runs
 * on an idle CPU; the other fields only grow at timer ticks, which an idle
 * CPU does not take. So busy time is wall time minus idle time. /proc/stat
 * rounds it to USER_HZ ticks (10 ms): windows of seconds keep that within
 * a few per cent of what a relay CPU spends.
 */
static int kmb_read_stat(struct kmb_cpu *c)
{
	long hz = sysconf(_SC_CLK_TCK);
	char line[512];
	FILE *f = fopen("/proc/stat", "re");
	int found = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[8] = { 0 };
		unsigned int cpu;


		if (sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) != 9 || cpu > 1)
			continue;
		c->idle_us[cpu] = (v[3] + v[4]) * 1000000ull / hz;
		found++;
	}
	fclose(f);
	return found == 2 ? 0 : -ENODEV;
}

static int kmb_read_softirqs(struct kmb_cpu *c)
{
	char line[1024];
	FILE *f = fopen("/proc/softirqs", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;

		if (sscanf(line, " NET_RX: %llu %llu", &a, &b) == 2) {
			c->net_rx[0] = a;
			c->net_rx[1] = b;
			break;
		}
	}
	fclose(f);
	return 0;
}

int kmb_cpu_read(struct kmb_cpu *c)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->at_us = kmt_now_us();
	ret = kmb_read_stat(c);
	if (!ret)
		ret = kmb_read_softirqs(c);
	return ret;
}

int kmb_mem_read(uint64_t *used, uint64_t *slab, uint64_t *percpu)
{
	unsigned long long total = 0, freekb = 0, slabkb = 0, pcpukb = 0, v;
	char line[256], key[64];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "MemTotal"))
			total = v;
		else if (!strcmp(key, "MemFree"))
			freekb = v;
		else if (!strcmp(key, "Slab"))
			slabkb = v;
		else if (!strcmp(key, "Percpu"))
			pcpukb = v;
	}
	fclose(f);
	*used = (total - freekb) * 1024;
	*slab = slabkb * 1024;
	*percpu = pcpukb * 1024;
	return 0;
}

static int kmb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void kmb_stat(struct kmb_stat *s, const double *v, unsigned int n)
{
	double *sorted;
	unsigned int i, k = 0;

	s->med = s->min = s->max = NAN;
	s->n = 0;
	sorted = n ? malloc(n * sizeof(*sorted)) : NULL;
	if (!sorted)
		return;
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			sorted[k++] = v[i];
	if (k) {
		qsort(sorted, k, sizeof(*sorted), kmb_cmp_double);
		s->min = sorted[0];
		s->max = sorted[k - 1];
		s->med = k % 2 ? sorted[k / 2] :
				 (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
	}
	s->n = k;
	free(sorted);
}
