// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-VM suite, run just before 90-unload: leaves kmedia busy on purpose.
 * tests/build/tools/kmt-keep starts a daemon in a network namespace of its
 * own with attached sockets, streams (latching, strict, rtcp-mux, v4 to
 * v6), armed idle timers, an events subscriber and RTP flowing, so that
 * 90-unload removes the module with all of that live: rmmod must succeed
 * and the kernel log stay clean (the module detaches everything on exit).
 * This suite checks that the daemon is up and its streams forward. The
 * daemon exits by itself after ten minutes; it is the one leftover a suite
 * is allowed, because the next suite needs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../lib/kmtest.h"

struct ids {
	int n;
	uint32_t id[8];
};

static int collect(const struct kmedia_stream *s, void *data)
{
	struct ids *l = data;

	if (l->n < 8)
		l->id[l->n++] = kmedia_stream_get_id(s);
	return 0;
}

TEST(leave_live_streams_for_the_unload_suite)
{
	char exe[PATH_MAX], cmd[PATH_MAX + 32], line[128], ns[64];
	struct kmedia_handle *h;
	struct ids l = { 0 };
	uint64_t tx0[8], v;
	uint32_t n = 0;
	ssize_t len;
	int pid = 0, fd, i, status;
	FILE *p;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = '\0';
	/* tests/build/suites/89-keep -> tests/build/tools/kmt-keep */
	snprintf(cmd, sizeof(cmd), "'%s/../tools/kmt-keep' 600",
		 dirname(exe));
	fflush(stdout);
	fflush(stderr);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	status = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	TH_LOG("kmt-keep: %s", line);
	ASSERT_EQ(0, status);
	ASSERT_EQ(1, sscanf(line, "ready %d", &pid));

	/* look into its namespace */
	snprintf(ns, sizeof(ns), "/proc/%d/ns/net", pid);
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setns(fd, CLONE_NEWNET));
	close(fd);
	ASSERT_EQ(0, kmt_handle(&h));
	ASSERT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_SOCKETS, &n));
	EXPECT_EQ(4, n);
	ASSERT_EQ(0, kmt_netns_u32(h, KMEDIA_NETNS_A_STREAMS, &n));
	EXPECT_EQ(4, n);
	ASSERT_EQ(0, kmedia_stream_dump(h, NULL, collect, &l));
	ASSERT_EQ(4, l.n);

	/* media keeps flowing through every stream */
	for (i = 0; i < l.n; i++)
		ASSERT_EQ(0, kmt_stream_stat(h, l.id[i],
					     KMEDIA_STATS_A_TX_PACKETS,
					     &tx0[i]));
	for (i = 0; i < l.n; i++) {
		EXPECT_EQ(0, kmt_wait_stream_stat(h, l.id[i],
						  KMEDIA_STATS_A_TX_PACKETS,
						  tx0[i] + 3, 5000, &v))
			TH_LOG("stream %u: TX_PACKETS %llu, was %llu", l.id[i],
			       (unsigned long long)v,
			       (unsigned long long)tx0[i]);
	}
	kmedia_handle_close(h);
	TH_LOG("kmt-keep (pid %d) runs on for 90-unload", pid);
}

TEST_HARNESS_MAIN
