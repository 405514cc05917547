/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim-hv-bench: cost of the xensim data path, to put other figures in
 * context. Not a test: it prints numbers and asserts nothing about them.
 *
 *   xensim-hv-bench [XENSIMD]
 *
 * Starts its own xensimd in a fresh /tmp/xsim.* directory, creates domain 1
 * (a child process that grants 256 pages to domain 0 and answers event
 * notifications), and measures, as domain 0:
 *   - xengnttab_grant_copy of a batch of 1, 32 and 256 segments of 64 B
 *     (each from a different granted page into local memory);
 *   - a notify round trip (notify, the peer wakes from poll, takes the
 *     event, unmasks, notifies back, we wake from poll and take it).
 * xensim models what Xen checks, not how long Xen takes: these figures
 * say nothing about Xen itself.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#ifndef XENSIM_LIBDIR
#define XENSIM_LIBDIR ""
#endif
#ifndef XENSIMD_PATH
#define XENSIMD_PATH "xensimd"
#endif

#define NPAGES 256

static char dir[64];
static pid_t daemon_pid = -1, child_pid = -1;

static void die(const char *msg)
{
	fprintf(stderr, "xensim-hv-bench: %s (%s)\n", msg, strerror(errno));
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void ctl(const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	size_t len = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("cannot reach xensimd's ctl.sock");
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0)
		die("ctl write");
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			die("ctl read");
		len += (size_t)n;
		buf[len] = 0;
		if (strstr(buf, "OK\n"))
			break;
		if (strstr(buf, "ERR"))
			die(buf);
	}
	close(fd);
}

static void wait_event(xenevtchn_handle *xe, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			die("poll");
	xenevtchn_port_or_error_t port = xenevtchn_pending(xe);
	if (port < 0)
		die("pending");
	xenevtchn_unmask(xe, (evtchn_port_t)port);
}

/* Domain 1: grant pages, answer notifications until killed. */
static void __attribute__((noreturn)) child(int wfd)
{
	uint32_t refs[NPAGES + 1];
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	if (!shr || !xe)
		die("domain 1: open");
	volatile uint8_t *p = xengntshr_share_pages(shr, 0, NPAGES, refs, 0);
	if (!p)
		die("domain 1: share");
	for (unsigned i = 0; i < NPAGES; i++)
		memset((void *)(p + (size_t)i * 4096), (int)i, 4096);
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 0);
	if (port < 0)
		die("domain 1: bind");
	refs[NPAGES] = (uint32_t)port;
	if (write(wfd, refs, sizeof(refs)) != sizeof(refs))
		die("domain 1: pipe");
	int fd = xenevtchn_fd(xe);
	for (;;) {
		wait_event(xe, fd);
		xenevtchn_notify(xe, (evtchn_port_t)port);
	}
}

int main(int argc, char **argv)
{
	const char *xensimd = argc > 1 ? argv[1] : XENSIMD_PATH;

	/* The drop-in libraries must be loaded: re-exec with the library path. */
	if (!getenv("XENSIM_BENCH_REEXEC") && XENSIM_LIBDIR[0]) {
		const char *old = getenv("LD_LIBRARY_PATH");
		char *lp;
		if (asprintf(&lp, "%s%s%s", XENSIM_LIBDIR, old ? ":" : "", old ? old : "") < 0)
			return 1;
		setenv("LD_LIBRARY_PATH", lp, 1);
		setenv("XENSIM_BENCH_REEXEC", "1", 1);
		execv("/proc/self/exe", argv);
		die("re-exec");
	}
	strcpy(dir, "/tmp/xsim.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	int rp[2], pp[2];
	if (pipe(rp) < 0 || pipe(pp) < 0)
		die("pipe");
	daemon_pid = fork();
	if (daemon_pid == 0) {
		char fdarg[16];
		close(rp[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", rp[1]);
		execlp(xensimd, xensimd, "--ready-fd", fdarg, dir, (char *)NULL);
		_exit(127);
	}
	close(rp[1]);
	char c;
	if (read(rp[0], &c, 1) != 1)
		die("xensimd did not start (give its path as argument)");
	ctl("domain create 1");
	setenv("XENSIM_DIR", dir, 1);
	setenv("XENSIM_DOMID", "1", 1);
	child_pid = fork();
	if (child_pid == 0) {
		close(pp[0]);
		child(pp[1]);
	}
	close(pp[1]);
	setenv("XENSIM_DOMID", "0", 1);
	uint32_t refs[NPAGES + 1];
	if (read(pp[0], refs, sizeof(refs)) != sizeof(refs))
		die("domain 1 did not start");
	evtchn_port_t rport = refs[NPAGES];

	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	if (!gt || !xe)
		die("open");
	static xengnttab_grant_copy_segment_t segs[NPAGES];
	static uint8_t local[NPAGES][64];
	printf("xensim data path (%s), figures of this machine, not of Xen\n", dir);
	const unsigned sizes[] = { 1, 32, 256 };
	for (unsigned k = 0; k < 3; k++) {
		unsigned n = sizes[k];
		for (unsigned i = 0; i < n; i++) {
			memset(&segs[i], 0, sizeof(segs[i]));
			segs[i].source.foreign.domid = 1;
			segs[i].source.foreign.ref = refs[i];
			segs[i].source.foreign.offset = (uint16_t)((i * 64) % 4032);
			segs[i].dest.virt = local[i];
			segs[i].len = 64;
			segs[i].flags = GNTCOPY_source_gref;
		}
		if (xengnttab_grant_copy(gt, n, segs) || segs[0].status != GNTST_okay)
			die("grant copy");
		unsigned iters = 2000000 / n + 100;
		double t0 = now_ns();
		for (unsigned it = 0; it < iters; it++)
			xengnttab_grant_copy(gt, n, segs);
		double dt = (now_ns() - t0) / iters;
		for (unsigned i = 0; i < n; i++)
			if (segs[i].status != GNTST_okay || local[i][0] != (uint8_t)i)
				die("grant copy result");
		printf("grant copy, batch of %3u x 64 B: %9.0f ns per batch, %6.1f ns per segment\n",
		       n, dt, dt / n);
	}

	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, rport);
	if (port < 0)
		die("bind_interdomain");
	int fd = xenevtchn_fd(xe);
	wait_event(xe, fd); /* pending from the bind */
	const unsigned rounds = 20000;
	xenevtchn_notify(xe, (evtchn_port_t)port);
	wait_event(xe, fd);
	double t0 = now_ns();
	for (unsigned i = 0; i < rounds; i++) {
		xenevtchn_notify(xe, (evtchn_port_t)port);
		wait_event(xe, fd);
	}
	double dt = (now_ns() - t0) / rounds;
	printf("notify round trip (notify, peer polls/takes/unmasks/notifies back): %6.0f ns\n", dt);

	kill(child_pid, SIGKILL); /* domain 1's process; xensimd releases what it held */
	waitpid(child_pid, NULL, 0);
	child_pid = -1;
	xenevtchn_close(xe);
	xengnttab_close(gt);
	ctl("stop");
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = -1;
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return 0;
}
