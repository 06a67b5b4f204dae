// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmediad: the SIP back-to-back user agent that puts every call's media
 * into the kmedia kernel relay. Entry point: options, configuration,
 * signals, start-up and shutdown.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <osipparser2/osip_parser.h>
#include <libkmedia/libkmedia.h>

#include "kmediad.h"

#define DEFAULT_CONFIG "/etc/kmediad/kmediad.conf"

static volatile bool stop;
static const char *config_path;
static struct kmd_config *running;
static struct kmd_io sig_io;
static struct kmd_timer shutdown_timer;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmediad [OPTIONS]\n"
		"  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		"  -t, --test          check the configuration and exit\n"
		"  -f, --foreground    stay in the foreground, log to stderr\n"
		"  -d, --debug         log debug messages too\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          this text\n"
		"\n"
		"Signals: SIGUSR1 logs counters, SIGHUP reloads routes, users and\n"
		"limits, SIGTERM/SIGINT end every call (BYE on both legs) and exit.\n");
}

static void shutdown_done(struct kmd_timer *t)
{
	(void)t;
	stop = true;
}

static void shutdown_poll(struct kmd_timer *t)
{
	/* leave when every BYE was answered, or after the grace period */
	if (!kmd_call_count()) {
		stop = true;
		return;
	}
	kmd_timer_arm(t, 50);
}

static struct kmd_timer poll_timer;

static void on_signal(struct kmd_io *io, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(io->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			kmd_call_dump();
			break;
		case SIGHUP: {
			char err[512];

			if (kmd_config_reload(config_path, running, err, sizeof(err)))
				kmd_err(NULL, "reload refused, configuration kept: %s",
					err);
			else
				kmd_info(NULL, "reloaded %s: %u routes, %u users, "
					 "max_calls %u, max_cps %u", config_path,
					 running->n_routes, running->n_users,
					 running->max_calls, running->max_cps);
			break;
		}
		case SIGTERM:
		case SIGINT:
			if (kmd_timer_armed(&shutdown_timer))
				break;
			kmd_info(NULL, "signal %u: ending %u calls and exiting",
				 si.ssi_signo, kmd_call_count());
			kmd_call_shutdown();
			kmd_timer_init(&shutdown_timer, shutdown_done);
			kmd_timer_arm(&shutdown_timer, 3000);
			kmd_timer_init(&poll_timer, shutdown_poll);
			kmd_timer_arm(&poll_timer, 0);
			break;
		default:
			break;
		}
	}
}

static int setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	sig_io.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_io.fd < 0)
		return -errno;
	sig_io.cb = on_signal;
	return kmd_loop_add(&sig_io);
}

/*
 * Every relay port is a socket, so the default limit of 1024 open files
 * caps a relay at about 250 calls. Raise the soft limit as far as the
 * configured port range, TCP connections and a margin need (the hard
 * limit too when privileged), and say what is left when it stays lower.
 */
static void raise_fd_limit(const struct kmd_config *cfg)
{
	rlim_t need = (cfg->port_max - cfg->port_min + 1) +
		      cfg->tcp_max_conns + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < need) {
		struct rlimit want = { need, rl.rlim_max > need ? rl.rlim_max : need };

		/* the hard limit only moves with CAP_SYS_RESOURCE */
		if (setrlimit(RLIMIT_NOFILE, &want)) {
			rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need)
		kmd_warn(NULL, "open files limited to %llu: relay ports for "
			 "about %llu calls (each takes 4); the port range and "
			 "TCP connections need %llu: raise the hard limit "
			 "(LimitNOFILE=, ulimit -Hn)",
			 (unsigned long long)rl.rlim_cur,
			 (unsigned long long)(rl.rlim_cur > 128 ?
					      (rl.rlim_cur - 128) / 4 : 0),
			 (unsigned long long)need);
	else
		kmd_dbg(NULL, "open files limit %llu",
			(unsigned long long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	char *abs_config;
	bool test = false, foreground = false, debug = false;
	struct kmd_config cfg;
	char err[512];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "c:tfdVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'f':
			foreground = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'V':
			printf("kmediad %s (libkmedia %s)\n", KMEDIA_VERSION,
			       kmedia_library_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 1;
	}

	/* absolute: daemon() moves to / and SIGHUP reads the file again */
	abs_config = realpath(config, NULL);
	if (abs_config)
		config = abs_config;
	if (kmd_config_load(config, &cfg, err, sizeof(err))) {
		fprintf(stderr, "kmediad: %s\n", err);
		return 1;
	}
	if (test) {
		printf("kmediad: %s: configuration OK (%u SIP addresses, %u media "
		       "addresses, ports %u-%u, %u routes, %u users)\n", config,
		       cfg.n_listen, cfg.n_media, cfg.port_min, cfg.port_max,
		       cfg.n_routes, cfg.n_users);
		kmd_config_free(&cfg);
		return 0;
	}

	kmd_log_open(!foreground, debug ? LOG_DEBUG : cfg.log_level);
	if (!foreground && daemon(0, 0)) {
		fprintf(stderr, "kmediad: daemon: %s\n", strerror(errno));
		return 1;
	}
	raise_fd_limit(&cfg);
	parser_init();
	kmd_txn_init();
	ret = kmd_loop_init();
	if (!ret)
		ret = setup_signals();
	if (!ret)
		ret = kmd_call_init(&cfg);
	if (!ret)
		ret = kmd_reg_init(&cfg);
	if (!ret)
		ret = kmd_media_init(&cfg);
	if (!ret)
		ret = kmd_sip_open(&cfg);
	if (ret) {
		kmd_err(NULL, "start-up failed: %s", strerror(-ret));
		return 1;
	}
	config_path = config;
	running = &cfg;
	kmd_info(NULL, "kmediad %s ready", KMEDIA_VERSION);
	/* systemd's Type=notify; nothing without $NOTIFY_SOCKET */
	sd_notify(0, "READY=1");
	ret = kmd_loop_run(&stop);
	sd_notify(0, "STOPPING=1");
	kmd_call_dump();
	kmd_sip_close();
	kmd_media_exit();
	kmd_config_free(&cfg);
	free(abs_config);
	kmd_info(NULL, "exiting");
	return ret ? 1 : 0;
}
