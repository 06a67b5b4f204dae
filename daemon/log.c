// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad logging: one line per event, to stderr (foreground) or syslog,
 * with the call's Call-ID (the caller's leg) on every line about a call so
 * that `grep CALL-ID` tells a call's whole story.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kmediad.h"

static bool log_syslog;
static int log_max = LOG_INFO;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* libosip2 explains what it could not parse through its trace hook: the
 * reason goes to our debug log instead of stdout (the 400 sent carries
 * one of ours).
 */
static void osip_trace_hook(const char *file, int line, osip_trace_level_t level,
		       const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)file;
	(void)line;
	(void)level;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	kmd_log(LOG_DEBUG, NULL, "osip: %s", msg);
}

void kmd_log_open(bool use_syslog, int max_level)
{
	osip_trace_initialize_func(OSIP_WARNING, osip_trace_hook);
	log_syslog = use_syslog;
	log_max = max_level;
	if (use_syslog)
		openlog("kmediad", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void kmd_log(int level, const char *call_id, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_syslog) {
		if (call_id)
			syslog(level, "call %s: %s", call_id, msg);
		else
			syslog(level, "%s", msg);
		return;
	}

	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (call_id)
		fprintf(stderr, "%lld.%03ld kmediad %s: call %s: %s\n",
			(long long)ts.tv_sec, ts.tv_nsec / 1000000,
			level_names[level & 7], call_id, msg);
	else
		fprintf(stderr, "%lld.%03ld kmediad %s: %s\n",
			(long long)ts.tv_sec, ts.tv_nsec / 1000000,
			level_names[level & 7], msg);
}
