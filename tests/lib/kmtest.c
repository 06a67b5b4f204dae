// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmtest: helpers shared by the in-VM C suites and test tools (see
 * kmtest.h).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "kmtest.h"

#define KMT_PARAM_DIR	"/sys/module/kmedia/parameters"

/*
 * State of the main (harness) process, set before any test forks: its pid
 * names every namespace, and at its exit anything a killed test left behind
 * (namespaces, a changed max_streams) is cleaned up.
 */
static pid_t kmt_main_pid;
static cpu_set_t kmt_start_cpus;
static char kmt_max_streams_orig[32];

static void kmt_diag_lines(const char *prefix, FILE *in)
{
	char line[512];

	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = '\0';
		fprintf(stderr, "# %s%s\n", prefix, line);
	}
}

static int kmt_run_capture(const char *cmd, const char *prefix)
{
	char full[1024];
	FILE *p;
	int status;

	if (snprintf(full, sizeof(full), "%s 2>&1", cmd) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	fflush(stdout);
	fflush(stderr);
	p = popen(full, "r");
	if (!p)
		return -errno;
	kmt_diag_lines(prefix, p);
	status = pclose(p);
	if (status == -1)
		return -errno;
	if (!WIFEXITED(status))
		return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WEXITSTATUS(status);
}

int kmt_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd))
		return -ENAMETOOLONG;
	return kmt_run_capture(cmd, "");
}

int kmt_ip_batch(const char *ns, const char *cmds)
{
	char path[] = "/tmp/kmtest-ip-XXXXXX";
	char cmd[256];
	size_t len = strlen(cmds);
	int fd, ret;

	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, cmds, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	if (ns)
		snprintf(cmd, sizeof(cmd), "ip -n %s -b %s", ns, path);
	else
		snprintf(cmd, sizeof(cmd), "ip -b %s", path);
	ret = kmt_run_capture(cmd, "ip: ");
	unlink(path);
	if (ret) {
		fprintf(stderr, "# '%s' failed (%d) on:\n", cmd, ret);
		fprintf(stderr, "# %s\n", cmds);
		return -EIO;
	}
	return 0;
}

/* ---- cleanup at the end of the main process ---- */

static void kmt_main_exit(void)
{
	char prefix[32], cur[32];
	struct dirent *de;
	DIR *dir;

	if (getpid() != kmt_main_pid)
		return;
	snprintf(prefix, sizeof(prefix), "kmt%d-", (int)kmt_main_pid);
	dir = opendir("/run/netns");
	if (dir) {
		while ((de = readdir(dir))) {
			if (strncmp(de->d_name, prefix, strlen(prefix)))
				continue;
			fprintf(stderr, "# removing leftover namespace %s\n",
				de->d_name);
			kmt_sh("ip netns del %s", de->d_name);
		}
		closedir(dir);
	}
	if (kmt_max_streams_orig[0] &&
	    !kmt_param_read("max_streams", cur, sizeof(cur)) &&
	    strcmp(cur, kmt_max_streams_orig)) {
		fprintf(stderr, "# restoring max_streams=%s\n",
			kmt_max_streams_orig);
		kmt_param_write("max_streams", kmt_max_streams_orig);
	}
}

__attribute__((constructor))
static void kmt_main_init(void)
{
	kmt_main_pid = getpid();
	if (sched_getaffinity(0, sizeof(kmt_start_cpus), &kmt_start_cpus))
		CPU_ZERO(&kmt_start_cpus);
	if (kmt_param_read("max_streams", kmt_max_streams_orig,
			   sizeof(kmt_max_streams_orig)))
		kmt_max_streams_orig[0] = '\0';
	atexit(kmt_main_exit);
}

/* ---- namespaces ---- */

void kmt_netns_name(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "kmt%d-%d-%s", (int)kmt_main_pid, (int)getpid(),
		 tag);
}

int kmt_netns_self(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kmt_netns_enter_fd(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

static const char *const kmt_ip4[KMT_HOST_COUNT] = {
	[KMT_ALICE] = "10.31.1.1",
	[KMT_ALICE2] = "10.31.1.3",
	[KMT_RELAY_A] = "10.31.1.2",
	[KMT_RELAY_B] = "10.31.2.2",
	[KMT_BOB] = "10.31.2.1",
};

static const char *const kmt_ip6[KMT_HOST_COUNT] = {
	[KMT_ALICE] = "fd31:1::1",
	[KMT_ALICE2] = "fd31:1::3",
	[KMT_RELAY_A] = "fd31:1::2",
	[KMT_RELAY_B] = "fd31:2::2",
	[KMT_BOB] = "fd31:2::1",
};

const char *kmt_host_ip(enum kmt_host host, int family)
{
	if (host >= KMT_HOST_COUNT)
		return NULL;
	return family == AF_INET6 ? kmt_ip6[host] : kmt_ip4[host];
}

enum kmt_ns kmt_host_ns(enum kmt_host host)
{
	switch (host) {
	case KMT_ALICE:
	case KMT_ALICE2:
		return KMT_NS_ALICE;
	case KMT_BOB:
		return KMT_NS_BOB;
	default:
		return KMT_NS_RELAY;
	}
}

int kmt_topo_enter(const struct kmt_topo *t, enum kmt_ns ns)
{
	if (ns >= KMT_NS_COUNT || t->nsfd[ns] < 0)
		return -EINVAL;
	return kmt_netns_enter_fd(t->nsfd[ns]);
}

/* Turn tx checksum offload off on ifname in the current namespace. */
static int kmt_tx_csum_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

#define KMT_MAC_ALICE	"02:00:00:31:01:01"
#define KMT_MAC_RELAY_A	"02:00:00:31:01:02"
#define KMT_MAC_RELAY_B	"02:00:00:31:02:02"
#define KMT_MAC_BOB	"02:00:00:31:02:01"

#define KMT_NEIGH(ip, mac, dev) \
	"neigh add " ip " lladdr " mac " dev " dev " nud permanent\n"

static const char kmt_relay_cmds[] =
	"link set lo up\n"
	"link set va up\n"
	"link set vb up\n"
	"addr add 10.31.1.2/24 dev va\n"
	"addr add fd31:1::2/64 dev va nodad\n"
	"addr add 10.31.2.2/24 dev vb\n"
	"addr add fd31:2::2/64 dev vb nodad\n"
	KMT_NEIGH("10.31.1.1", KMT_MAC_ALICE, "va")
	KMT_NEIGH("10.31.1.3", KMT_MAC_ALICE, "va")
	KMT_NEIGH("fd31:1::1", KMT_MAC_ALICE, "va")
	KMT_NEIGH("fd31:1::3", KMT_MAC_ALICE, "va")
	KMT_NEIGH("10.31.2.1", KMT_MAC_BOB, "vb")
	KMT_NEIGH("fd31:2::1", KMT_MAC_BOB, "vb");

static const char kmt_alice_cmds[] =
	"link set lo up\n"
	"link set veth0 up\n"
	"addr add 10.31.1.1/24 dev veth0\n"
	"addr add 10.31.1.3/24 dev veth0\n"
	"addr add fd31:1::1/64 dev veth0 nodad\n"
	"addr add fd31:1::3/64 dev veth0 nodad\n"
	KMT_NEIGH("10.31.1.2", KMT_MAC_RELAY_A, "veth0")
	KMT_NEIGH("fd31:1::2", KMT_MAC_RELAY_A, "veth0");

static const char kmt_bob_cmds[] =
	"link set lo up\n"
	"link set veth0 up\n"
	"addr add 10.31.2.1/24 dev veth0\n"
	"addr add fd31:2::1/64 dev veth0 nodad\n"
	KMT_NEIGH("10.31.2.2", KMT_MAC_RELAY_B, "veth0")
	KMT_NEIGH("fd31:2::2", KMT_MAC_RELAY_B, "veth0");

static int kmt_topo_configure(struct kmt_topo *t, unsigned int flags)
{
	char cmds[2048];
	int ret, i;

	/* the veth pairs, created in the relay with their peers moved out */
	snprintf(cmds, sizeof(cmds),
		 "link add va address %s type veth peer name veth0 address %s netns %s\n"
		 "link add vb address %s type veth peer name veth0 address %s netns %s\n"
		 "%s",
		 KMT_MAC_RELAY_A, KMT_MAC_ALICE, t->name[KMT_NS_ALICE],
		 KMT_MAC_RELAY_B, KMT_MAC_BOB, t->name[KMT_NS_BOB],
		 kmt_relay_cmds);
	ret = kmt_ip_batch(t->name[KMT_NS_RELAY], cmds);
	if (!ret)
		ret = kmt_ip_batch(t->name[KMT_NS_ALICE], kmt_alice_cmds);
	if (!ret)
		ret = kmt_ip_batch(t->name[KMT_NS_BOB], kmt_bob_cmds);
	if (ret)
		return ret;

	for (i = 0; i < KMT_NS_COUNT; i++) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", t->name[i]);
		t->nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (t->nsfd[i] < 0)
			return -errno;
	}

	if (flags & KMT_TOPO_NO_CSUM_OFFLOAD) {
		static const struct {
			enum kmt_ns ns;
			const char *dev;
		} devs[] = {
			{ KMT_NS_ALICE, "veth0" }, { KMT_NS_RELAY, "va" },
			{ KMT_NS_RELAY, "vb" }, { KMT_NS_BOB, "veth0" },
		};
		size_t k;

		for (k = 0; k < sizeof(devs) / sizeof(devs[0]); k++) {
			ret = kmt_topo_enter(t, devs[k].ns);
			if (!ret)
				ret = kmt_tx_csum_off(devs[k].dev);
			if (ret) {
				fprintf(stderr, "# tx csum off on %s: %s\n",
					devs[k].dev, strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}

int kmt_topo_setup(struct kmt_topo *t, unsigned int flags)
{
	static const char *const suffix[KMT_NS_COUNT] = { "a", "r", "b" };
	char cmds[512];
	size_t off = 0;
	int ret, i;

	memset(t, 0, sizeof(*t));
	t->origfd = -1;
	for (i = 0; i < KMT_NS_COUNT; i++) {
		t->nsfd[i] = -1;
		kmt_netns_name(t->name[i], sizeof(t->name[i]), suffix[i]);
	}
	t->origfd = kmt_netns_self();
	if (t->origfd < 0)
		return t->origfd;

	for (i = 0; i < KMT_NS_COUNT; i++)
		off += snprintf(cmds + off, sizeof(cmds) - off,
				"netns add %s\n", t->name[i]);
	ret = kmt_ip_batch(NULL, cmds);
	/* Whatever exists now must be deleted on failure. */
	for (i = 0; i < KMT_NS_COUNT; i++) {
		char path[128];
		struct stat st;

		snprintf(path, sizeof(path), "/run/netns/%s", t->name[i]);
		t->created[i] = !stat(path, &st);
	}
	if (!ret)
		ret = kmt_topo_configure(t, flags);
	if (!ret)
		ret = kmt_pin_self();
	if (!ret)
		ret = kmt_topo_enter(t, KMT_NS_RELAY);
	if (ret) {
		fprintf(stderr, "# topology setup failed: %s\n",
			strerror(-ret));
		kmt_topo_teardown(t);
	}
	return ret;
}

void kmt_topo_teardown(struct kmt_topo *t)
{
	char cmds[512];
	size_t off = 0;
	int i;

	if (t->origfd >= 0) {
		kmt_netns_enter_fd(t->origfd);
		close(t->origfd);
		t->origfd = -1;
	}
	for (i = 0; i < KMT_NS_COUNT; i++) {
		if (t->nsfd[i] >= 0)
			close(t->nsfd[i]);
		t->nsfd[i] = -1;
		if (t->created[i])
			off += snprintf(cmds + off, sizeof(cmds) - off,
					"netns del %s\n", t->name[i]);
		t->created[i] = false;
	}
	if (off)
		kmt_ip_batch(NULL, cmds);
}

int kmt_pin_self(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int kmt_other_cpu(int cpu)
{
	int i;

	for (i = 0; i < CPU_SETSIZE; i++)
		if (i != cpu && CPU_ISSET(i, &kmt_start_cpus))
			return i;
	return cpu;
}

int kmt_lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	close(fd);
	return ret;
}

int kmt_param_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KMT_PARAM_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int kmt_param_write(const char *name, const char *value)
{
	char path[256];
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KMT_PARAM_DIR "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

/* ---- addresses ---- */

int kmt_addr_make(struct kmt_addr *a, int family, const char *ip,
		  uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->sin.sin_family = AF_INET;
		a->sin.sin_port = htons(port);
		if (ip && inet_pton(AF_INET, ip, &a->sin.sin_addr) != 1)
			return -EINVAL;
		a->len = sizeof(a->sin);
		return 0;
	}
	if (family == AF_INET6) {
		a->sin6.sin6_family = AF_INET6;
		a->sin6.sin6_port = htons(port);
		if (ip && inet_pton(AF_INET6, ip, &a->sin6.sin6_addr) != 1)
			return -EINVAL;
		a->len = sizeof(a->sin6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

int kmt_addr_host(struct kmt_addr *a, enum kmt_host host, int family,
		  uint16_t port)
{
	const char *ip = kmt_host_ip(host, family);

	if (!ip)
		return -EINVAL;
	return kmt_addr_make(a, family, ip, port);
}

void kmt_addr_set(struct kmt_addr *a, const struct sockaddr *sa,
		  socklen_t len)
{
	memset(a, 0, sizeof(*a));
	if (!sa)
		return;
	if (len > sizeof(a->ss))
		len = sizeof(a->ss);
	memcpy(&a->ss, sa, len);
	a->len = len;
}

bool kmt_addr_equal(const struct kmt_addr *a, const struct sockaddr *sa,
		    socklen_t len)
{
	if (!sa || a->sa.sa_family != sa->sa_family)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		return len >= sizeof(*sin) &&
		       a->sin.sin_port == sin->sin_port &&
		       a->sin.sin_addr.s_addr == sin->sin_addr.s_addr;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		return len >= sizeof(*sin6) &&
		       a->sin6.sin6_port == sin6->sin6_port &&
		       !memcmp(&a->sin6.sin6_addr, &sin6->sin6_addr,
			       sizeof(sin6->sin6_addr));
	}
	return false;
}

bool kmt_addr_eq(const struct kmt_addr *a, const struct kmt_addr *b)
{
	return kmt_addr_equal(a, &b->sa, b->len);
}

uint16_t kmt_addr_port(const struct kmt_addr *a)
{
	if (a->sa.sa_family == AF_INET)
		return ntohs(a->sin.sin_port);
	if (a->sa.sa_family == AF_INET6)
		return ntohs(a->sin6.sin6_port);
	return 0;
}

const char *kmt_addr_str(const struct sockaddr *sa, socklen_t len, char *buf,
			 size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (!sa || len < sizeof(sa_family_t)) {
		snprintf(buf, size, "(none)");
	} else if (sa->sa_family == AF_INET &&
		   len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6 &&
		   len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, size, "(family %u)", sa->sa_family);
	}
	return buf;
}

const char *kmt_addr_fmt(const struct kmt_addr *a)
{
	static char bufs[4][KMT_ADDRSTRLEN];
	static unsigned int next;
	char *buf = bufs[next++ % 4];

	return kmt_addr_str(&a->sa, a->len, buf, KMT_ADDRSTRLEN);
}

/* ---- sockets ---- */

int kmt_set_rcvbuf(int fd, int bytes)
{
	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) ?
	       -errno : 0;
}

int kmt_set_tos(int fd, int family, int tos)
{
	int ret;

	if (family == AF_INET6)
		ret = setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
				 sizeof(tos));
	else
		ret = setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	return ret ? -errno : 0;
}

int kmt_udp_bind(int family, const char *ip, uint16_t port,
		 struct kmt_addr *bound)
{
	struct kmt_addr a, got;
	int one = 1, fd, ret;

	ret = kmt_addr_make(&a, family, ip, port);
	if (ret)
		return ret;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			       sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one,
			       sizeof(one)))
			goto err;
	} else {
		if (setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one)))
			goto err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)))
		goto err;
	ret = kmt_set_rcvbuf(fd, KMT_RCVBUF);
	if (ret) {
		errno = -ret;
		goto err;
	}
	if (bind(fd, &a.sa, a.len))
		goto err;
	got.len = sizeof(got.ss);
	if (getsockname(fd, &got.sa, &got.len))
		goto err;
	if (bound)
		*bound = got;
	return fd;
err:
	ret = -errno;
	close(fd);
	return ret;
}

int kmt_udp(const struct kmt_topo *t, enum kmt_host host, int family,
	    uint16_t port, struct kmt_addr *bound)
{
	int self, fd, ret;

	self = kmt_netns_self();
	if (self < 0)
		return self;
	ret = kmt_topo_enter(t, kmt_host_ns(host));
	if (ret) {
		close(self);
		return ret;
	}
	fd = kmt_udp_bind(family, kmt_host_ip(host, family), port, bound);
	ret = kmt_netns_enter_fd(self);
	close(self);
	if (ret) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	return fd;
}

int kmt_tcp_bind(int family, const char *ip, uint16_t port)
{
	struct kmt_addr a;
	int one = 1, fd, ret;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (ip) {
		ret = kmt_addr_make(&a, family, ip, port);
		if (ret) {
			close(fd);
			return ret;
		}
		if (bind(fd, &a.sa, a.len)) {
			ret = -errno;
			close(fd);
			return ret;
		}
	}
	return fd;
}

int kmt_send(int fd, const void *buf, size_t len, const struct kmt_addr *to)
{
	ssize_t n = sendto(fd, buf, len, 0, &to->sa, to->len);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

static void kmt_parse_cmsgs(struct msghdr *mh, struct kmt_msg *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS &&
		    c->cmsg_len >= CMSG_LEN(1)) {
			m->tos = *(uint8_t *)CMSG_DATA(c);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_TCLASS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int tclass;

			memcpy(&tclass, CMSG_DATA(c), sizeof(tclass));
			m->tos = tclass;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SO_RXQ_OVFL &&
			   c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			memcpy(&m->drops, CMSG_DATA(c), sizeof(m->drops));
		}
	}
}

int kmt_recv(int fd, struct kmt_msg *m, int timeout_ms)
{
	char control[256];
	struct iovec iov = { .iov_base = m->buf, .iov_len = sizeof(m->buf) };
	struct msghdr mh = {
		.msg_name = &m->from.ss,
		.msg_namelen = sizeof(m->from.ss),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t deadline = kmt_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	ssize_t n;
	int ret;

	m->len = -1;
	m->tos = -1;
	m->drops = 0;
	for (;;) {
		int64_t left = (int64_t)(deadline - kmt_now_ms());

		ret = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		memset(&m->from, 0, sizeof(m->from));
		mh.msg_namelen = sizeof(m->from.ss);
		mh.msg_controllen = sizeof(control);
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		m->len = n;
		m->from.len = mh.msg_namelen;
		kmt_parse_cmsgs(&mh, m);
		return 0;
	}
}

int kmt_queued(int fd)
{
	char c;

	if (recv(fd, &c, sizeof(c), MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC) >= 0)
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

/* ---- packets ---- */

static uint32_t kmt_rand_next(uint32_t *state)
{
	/* xorshift32: deterministic and good enough for test data */
	uint32_t x = *state ? *state : 0x9e3779b9;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

void kmt_fill_random(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)kmt_rand_next(&seed);
}

static void kmt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void kmt_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

size_t kmt_rtp_build(uint8_t *buf, size_t cap, const struct kmt_rtp *h,
		     const void *payload, size_t plen)
{
	if (cap < KMT_RTP_HLEN + plen)
		return 0;
	buf[0] = 0x80;
	buf[1] = (h->marker ? 0x80 : 0) | (h->pt & 0x7f);
	kmt_put16(buf + 2, h->seq);
	kmt_put32(buf + 4, h->ts);
	kmt_put32(buf + 8, h->ssrc);
	if (payload)
		memcpy(buf + KMT_RTP_HLEN, payload, plen);
	else
		kmt_fill_random(buf + KMT_RTP_HLEN, plen,
				h->ssrc ^ ((uint32_t)h->seq << 16) ^ 0x5a5a);
	return KMT_RTP_HLEN + plen;
}

size_t kmt_rtcp_build(uint8_t *buf, size_t cap, uint8_t pt, uint32_t ssrc)
{
	size_t len;

	switch (pt) {
	case 200:	/* SR: ssrc + NTP(8) + RTP ts + packets + octets */
		len = 28;
		break;
	case 201:	/* RR without report blocks */
		len = 8;
		break;
	default:
		len = 12;
		break;
	}
	if (cap < len)
		return 0;
	memset(buf, 0, len);
	buf[0] = 0x80;
	buf[1] = pt;
	kmt_put16(buf + 2, len / 4 - 1);
	kmt_put32(buf + 4, ssrc);
	if (pt == 200) {
		kmt_put32(buf + 8, 0xe5a1b2c3);		/* NTP seconds */
		kmt_put32(buf + 12, 0x12345678);	/* NTP fraction */
		kmt_put32(buf + 16, 160000);		/* RTP timestamp */
		kmt_put32(buf + 20, 1000);		/* packets */
		kmt_put32(buf + 24, 160000);		/* octets */
	} else if (len > 8) {
		kmt_put32(buf + 8, 0xc0ffee00 | pt);
	}
	return len;
}

size_t kmt_stun_build(uint8_t *buf, size_t cap, uint16_t type, uint32_t tid)
{
	if (cap < 20)
		return 0;
	kmt_put16(buf, type);
	kmt_put16(buf + 2, 0);
	kmt_put32(buf + 4, KMT_STUN_COOKIE);
	kmt_put32(buf + 8, tid);
	kmt_put32(buf + 12, ~tid);
	kmt_put32(buf + 16, tid ^ 0xa5a5a5a5);
	return 20;
}

/* ---- kmedia helpers ---- */

int kmt_handle(struct kmedia_handle **hp)
{
	int ret, tries;

	for (tries = 0; tries < 5; tries++) {
		ret = kmedia_handle_open(hp);
		if (ret != -EINTR)
			break;
	}
	return ret;
}

struct kmedia_stream *kmt_stream_spec(uint32_t sock_in, uint32_t sock_out,
				      const struct kmt_addr *dst,
				      enum kmedia_stream_kind kind)
{
	struct kmedia_stream *s = kmedia_stream_alloc();

	if (!s)
		return NULL;
	kmedia_stream_set_sock_in(s, sock_in);
	kmedia_stream_set_sock_out(s, sock_out);
	if (kind != KMEDIA_KIND_RTP)
		kmedia_stream_set_kind(s, kind);
	if (dst && kmedia_stream_set_dst(s, &dst->sa, dst->len)) {
		kmedia_stream_free(s);
		return NULL;
	}
	return s;
}

int kmt_stream_add(struct kmedia_handle *h, uint32_t sock_in,
		   uint32_t sock_out, const struct kmt_addr *dst,
		   enum kmedia_stream_kind kind, uint64_t cookie, uint32_t *idp)
{
	struct kmedia_stream *s = kmt_stream_spec(sock_in, sock_out, dst, kind);
	int ret;

	if (!s)
		return -ENOMEM;
	if (cookie)
		kmedia_stream_set_cookie(s, cookie);
	ret = kmedia_stream_new(h, s);
	if (!ret && idp)
		*idp = kmedia_stream_get_id(s);
	kmedia_stream_free(s);
	return ret;
}

int kmt_stream_set_dst(struct kmedia_handle *h, uint32_t id,
		       uint32_t sock_out, const struct kmt_addr *dst)
{
	struct kmedia_stream *s = kmedia_stream_alloc();
	int ret;

	if (!s)
		return -ENOMEM;
	kmedia_stream_set_id(s, id);
	if (sock_out != KMT_ANY)
		kmedia_stream_set_sock_out(s, sock_out);
	ret = kmedia_stream_set_dst(s, &dst->sa, dst->len);
	if (!ret)
		ret = kmedia_stream_change(h, s);
	kmedia_stream_free(s);
	return ret;
}

int kmt_stream_stat(struct kmedia_handle *h, uint32_t id,
		    enum kmedia_stats_attr attr, uint64_t *val)
{
	struct kmedia_stream *s = NULL;
	int ret;

	ret = kmedia_stream_get(h, id, &s);
	if (ret)
		return ret;
	if (!kmedia_stream_has(s, KMEDIA_STREAM_A_STATS) &&
	    !kmedia_stream_has_stat(s, KMEDIA_STATS_A_RX_PACKETS)) {
		kmedia_stream_free(s);
		return -ENODATA;
	}
	*val = kmedia_stream_has_stat(s, attr) ?
	       kmedia_stream_get_stat(s, attr) : 0;
	kmedia_stream_free(s);
	return 0;
}

int kmt_sock_stat(struct kmedia_handle *h, uint32_t id,
		  enum kmedia_sock_stats_attr attr, uint64_t *val)
{
	struct kmedia_sock *s = NULL;
	int ret;

	ret = kmedia_sock_get(h, id, &s);
	if (ret)
		return ret;
	if (!kmedia_sock_has(s, KMEDIA_SOCK_A_STATS) &&
	    !kmedia_sock_has_stat(s, KMEDIA_SOCK_STATS_A_RX_PACKETS)) {
		kmedia_sock_free(s);
		return -ENODATA;
	}
	*val = kmedia_sock_has_stat(s, attr) ?
	       kmedia_sock_get_stat(s, attr) : 0;
	kmedia_sock_free(s);
	return 0;
}

int kmt_netns_u32(struct kmedia_handle *h, enum kmedia_netns_attr attr,
		  uint32_t *val)
{
	struct kmedia_netns *n = NULL;
	int ret;

	ret = kmedia_netns_get(h, &n);
	if (ret)
		return ret;
	if (!kmedia_netns_has(n, attr)) {
		kmedia_netns_free(n);
		return -ENODATA;
	}
	*val = kmedia_netns_get_u32(n, attr);
	kmedia_netns_free(n);
	return 0;
}

int kmt_netns_stat(struct kmedia_handle *h, enum kmedia_stats_attr attr,
		   uint64_t *val)
{
	struct kmedia_netns *n = NULL;
	int ret;

	ret = kmedia_netns_get(h, &n);
	if (ret)
		return ret;
	*val = kmedia_netns_get_stat(n, attr);
	kmedia_netns_free(n);
	return 0;
}

#define KMT_POLL_MS	10

int kmt_wait_stream_stat(struct kmedia_handle *h, uint32_t id,
			 enum kmedia_stats_attr attr, uint64_t want,
			 int timeout_ms, uint64_t *val)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = kmt_stream_stat(h, id, attr, val);
		if (ret)
			return ret;
		if (*val >= want)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(KMT_POLL_MS);
	}
}

int kmt_wait_sock_stat(struct kmedia_handle *h, uint32_t id,
		       enum kmedia_sock_stats_attr attr, uint64_t want,
		       int timeout_ms, uint64_t *val)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = kmt_sock_stat(h, id, attr, val);
		if (ret)
			return ret;
		if (*val >= want)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(KMT_POLL_MS);
	}
}

int kmt_wait_netns_u32(struct kmedia_handle *h, enum kmedia_netns_attr attr,
		       uint32_t want, int timeout_ms, uint32_t *val)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = kmt_netns_u32(h, attr, val);
		if (ret)
			return ret;
		if (*val == want)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(KMT_POLL_MS);
	}
}

int kmt_wait_stream_gone(struct kmedia_handle *h, uint32_t id, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	struct kmedia_stream *s;
	int ret;

	for (;;) {
		s = NULL;
		ret = kmedia_stream_get(h, id, &s);
		kmedia_stream_free(s);
		if (ret == -ENOENT)
			return 0;
		if (ret)
			return ret;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(KMT_POLL_MS);
	}
}

struct kmt_ids_ctx {
	uint32_t *ids;
	int max;
	int n;
};

static int kmt_ids_cb(const struct kmedia_stream *s, void *data)
{
	struct kmt_ids_ctx *ctx = data;

	if (ctx->n < ctx->max)
		ctx->ids[ctx->n] = kmedia_stream_get_id(s);
	ctx->n++;
	return 0;
}

int kmt_stream_ids(struct kmedia_handle *h, const struct kmedia_stream *filter,
		   uint32_t *ids, int max)
{
	struct kmt_ids_ctx ctx = { .ids = ids, .max = max };
	int ret, tries;

	for (tries = 0; tries < 5; tries++) {
		ctx.n = 0;
		ret = kmedia_stream_dump(h, filter, kmt_ids_cb, &ctx);
		if (ret != -EINTR)
			break;
	}
	return ret ? ret : ctx.n;
}

bool kmt_ids_contain(const uint32_t *ids, int n, uint32_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* ---- the usual relay fixture ---- */

int kmt_relay_sock(struct kmt_relay *r, enum kmt_host host, int family,
		   uint16_t port, struct kmt_addr *bound, uint32_t *idp)
{
	int fd, ret;

	fd = kmt_udp(&r->topo, host, family, port, bound);
	if (fd < 0)
		return fd;
	ret = kmedia_sock_attach(r->h, fd, idp);
	if (ret) {
		fprintf(stderr, "# attach %s/%u: %s (%s)\n",
			kmt_host_ip(host, family), port, strerror(-ret),
			kmedia_handle_extack(r->h) ? : "no extack");
		close(fd);
		return ret;
	}
	return fd;
}

int kmt_relay_setup(struct kmt_relay *r, int fam_a, int fam_b,
		    unsigned int topo_flags)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->alice = r->bob = r->ra = r->rb = -1;
	r->fam_a = fam_a;
	r->fam_b = fam_b;
	ret = kmt_topo_setup(&r->topo, topo_flags);
	if (ret)
		return ret;
	ret = kmt_handle(&r->h);
	if (ret) {
		fprintf(stderr, "# kmedia_handle_open in the relay netns: %s\n",
			strerror(-ret));
		goto err;
	}
	ret = r->alice = kmt_udp(&r->topo, KMT_ALICE, fam_a, KMT_PORT_ALICE,
				 &r->alice_addr);
	if (ret < 0)
		goto err;
	ret = r->bob = kmt_udp(&r->topo, KMT_BOB, fam_b, KMT_PORT_BOB,
			       &r->bob_addr);
	if (ret < 0)
		goto err;
	ret = r->ra = kmt_relay_sock(r, KMT_RELAY_A, fam_a, KMT_PORT_RELAY_A,
				     &r->ra_addr, &r->ra_id);
	if (ret < 0)
		goto err;
	ret = r->rb = kmt_relay_sock(r, KMT_RELAY_B, fam_b, KMT_PORT_RELAY_B,
				     &r->rb_addr, &r->rb_id);
	if (ret < 0)
		goto err;
	return 0;
err:
	kmt_relay_teardown(r);
	return ret < 0 ? ret : -EIO;
}

void kmt_relay_teardown(struct kmt_relay *r)
{
	int *fds[] = { &r->alice, &r->bob, &r->ra, &r->rb };
	size_t i;

	if (r->h)
		kmedia_handle_close(r->h);
	r->h = NULL;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	kmt_topo_teardown(&r->topo);
}

/* ---- events ---- */

int kmt_events_open(struct kmt_events **ep)
{
	struct kmt_events *e = calloc(1, sizeof(*e));
	int ret;

	if (!e)
		return -ENOMEM;
	ret = kmt_handle(&e->h);
	if (!ret) {
		ret = kmedia_handle_subscribe(e->h);
		if (ret)
			kmedia_handle_close(e->h);
	}
	if (ret) {
		free(e);
		return ret;
	}
	*ep = e;
	return 0;
}

void kmt_events_close(struct kmt_events *e)
{
	if (!e)
		return;
	kmedia_handle_close(e->h);
	free(e);
}

static int kmt_event_cb(enum kmedia_cmd cmd, const struct kmedia_stream *s,
			void *data)
{
	struct kmt_events *e = data;
	struct kmt_event *ev;
	const struct sockaddr *sa;
	socklen_t len = 0;

	if (e->n >= KMT_EVENTS_MAX) {
		e->overflow++;
		return 0;
	}
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
	ev->cmd = cmd;
	ev->at_ms = kmt_now_ms();
	if (!s)
		return 0;
	ev->id = kmedia_stream_get_id(s);
	ev->has_cookie = kmedia_stream_has(s, KMEDIA_STREAM_A_COOKIE);
	if (ev->has_cookie)
		ev->cookie = kmedia_stream_get_cookie(s);
	ev->has_idle_ms = kmedia_stream_has(s, KMEDIA_STREAM_A_IDLE_MS);
	if (ev->has_idle_ms)
		ev->idle_ms = kmedia_stream_get_idle_ms(s);
	sa = kmedia_stream_get_src(s, &len);
	ev->has_src = sa != NULL;
	if (sa)
		kmt_addr_set(&ev->src, sa, len);
	return 0;
}

int kmt_events_read(struct kmt_events *e, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = { .fd = kmedia_handle_fd(e->h), .events = POLLIN };
	int ret;

	for (;;) {
		int64_t left = (int64_t)(deadline - kmt_now_ms());

		ret = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret > 0) {
			ret = kmedia_event_recv(e->h, true, kmt_event_cb, e);
			if (ret < 0 && ret != -EAGAIN && ret != -EINTR) {
				if (!e->err)
					e->err = ret;
				return ret;
			}
		}
		if (left <= 0)
			return 0;
	}
}

unsigned int kmt_events_count(const struct kmt_events *e, enum kmedia_cmd cmd,
			      uint32_t id)
{
	unsigned int i, n = 0;

	for (i = 0; i < e->n; i++)
		if (e->ev[i].cmd == cmd && (id == KMT_ANY || e->ev[i].id == id))
			n++;
	return n;
}

const struct kmt_event *kmt_events_get(const struct kmt_events *e,
				       enum kmedia_cmd cmd, uint32_t id,
				       unsigned int nth)
{
	unsigned int i;

	for (i = 0; i < e->n; i++) {
		if (e->ev[i].cmd != cmd || (id != KMT_ANY && e->ev[i].id != id))
			continue;
		if (!nth--)
			return &e->ev[i];
	}
	return NULL;
}

int kmt_events_wait(struct kmt_events *e, enum kmedia_cmd cmd, uint32_t id,
		    unsigned int count, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;
	int ret;

	for (;;) {
		if (kmt_events_count(e, cmd, id) >= count)
			return 0;
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		ret = kmt_events_read(e, 20);
		if (ret)
			return ret;
	}
}

/* ---- flows ---- */

void kmt_flow_init(struct kmt_flow *f, int fd, const struct kmt_addr *to,
		   uint32_t count, uint32_t pps)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->to = *to;
	f->count = count;
	f->pps = pps;
	f->ssrc = 0x4b4d5444;
	f->len = 64;
	f->cpu = -1;
	atomic_init(&f->next, 0);
	atomic_init(&f->stop, false);
	atomic_init(&f->done, false);
}

static void *kmt_flow_main(void *arg)
{
	struct kmt_flow *f = arg;
	uint8_t buf[KMT_MSG_MAX];
	struct kmt_rtp rtp = { .pt = f->pt, .ssrc = f->ssrc };
	uint64_t start = kmt_now_us();
	size_t len = f->len, plen;
	uint32_t i;

	if (len < KMT_FLOW_MIN_LEN)
		len = KMT_FLOW_MIN_LEN;
	if (len > sizeof(buf))
		len = sizeof(buf);
	plen = len - KMT_RTP_HLEN;
	if (f->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(f->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	for (i = 0; i < f->count && !atomic_load(&f->stop); i++) {
		int ret;

		if (f->pps)
			kmt_sleep_until_us(start +
					   (uint64_t)i * 1000000 / f->pps);
		rtp.seq = (uint16_t)(f->seq0 + i);
		rtp.ts = i * 160;
		kmt_rtp_build(buf, sizeof(buf), &rtp, NULL, plen);
		kmt_put32(buf + KMT_RTP_HLEN, i);
		atomic_store(&f->next, i);
		do {
			ret = kmt_send(f->fd, buf, len, &f->to);
		} while (ret == -ENOBUFS || ret == -EAGAIN || ret == -EINTR);
		if (ret) {
			f->err = ret;
			break;
		}
		f->sent = i + 1;
	}
	atomic_store(&f->done, true);
	return NULL;
}

int kmt_flow_start(struct kmt_flow *f)
{
	int ret = pthread_create(&f->thread, NULL, kmt_flow_main, f);

	if (ret)
		return -ret;
	f->running = true;
	return 0;
}

int kmt_flow_wait_index(struct kmt_flow *f, uint32_t n, int timeout_ms)
{
	uint64_t deadline = kmt_now_ms() + timeout_ms;

	while (atomic_load(&f->next) < n && !atomic_load(&f->done)) {
		if (kmt_now_ms() >= deadline)
			return -ETIMEDOUT;
		kmt_sleep_ms(1);
	}
	return atomic_load(&f->next) >= n ? 0 : -EPIPE;
}

int kmt_flow_join(struct kmt_flow *f, bool stop)
{
	if (!f->running)
		return f->err;
	if (stop)
		atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	f->running = false;
	return f->err;
}

int64_t kmt_flow_index(const uint8_t *buf, size_t len)
{
	if (len < KMT_FLOW_MIN_LEN || (buf[0] & 0xc0) != 0x80)
		return -1;
	return (int64_t)((uint32_t)buf[12] << 24 | (uint32_t)buf[13] << 16 |
			 (uint32_t)buf[14] << 8 | buf[15]);
}

/* ---- time ---- */

uint64_t kmt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t kmt_now_ms(void)
{
	return kmt_now_us() / 1000;
}

void kmt_sleep_until_us(uint64_t when)
{
	struct timespec ts = {
		.tv_sec = when / 1000000,
		.tv_nsec = (when % 1000000) * 1000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

void kmt_sleep_ms(unsigned int ms)
{
	kmt_sleep_until_us(kmt_now_us() + (uint64_t)ms * 1000);
}

int kmt_daemon(int (*setup)(int ready, void *arg), void (*run)(void *arg),
	       void *arg)
{
	int p[2], status = 0;
	char line[256];
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		close(p[0]);
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
		if (setup(p[1], arg))
			_exit(1);
		close(p[1]);
		run(arg);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	if (n <= 0) {
		waitpid(pid, &status, 0);
		printf("error: the daemon died (status %#x)\n", status);
		return 1;
	}
	line[n] = '\0';
	fputs(line, stdout);
	if (strncmp(line, "ready ", 6)) {
		waitpid(pid, &status, 0);
		return 1;
	}
	return 0;
}
