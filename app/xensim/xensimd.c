/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensimd: the simulated Xen host daemon. One process per simulated host,
 * all of its state under DIR. This file is the core: command line, event
 * loop, log, domain table.
 *
 * usage: xensimd [--ready-fd FD] DIR
 *   --ready-fd FD  write one byte to FD once every socket listens, then
 *                  close it (the xensim CLI waits on it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xsimd.h"

/* ---------------- log ---------------- */

static FILE *log_file;

void xsimd_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;
	FILE *f = log_file ? log_file : stderr;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(f, "%s.%03ld ", stamp, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

/* ---------------- event loop ---------------- */

struct fd_slot {
	xsimd_fd_cb cb;
	void *arg;
	bool active;
};

static int epfd = -1;
static struct fd_slot *slots;
static int nslots;
static bool stop_requested;
static int stop_ctl_fd = -1;

int xsimd_watch_fd(int fd, uint32_t events, xsimd_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (fd < 0)
		return -EINVAL;
	if (fd >= nslots) {
		int n = fd + 64;
		struct fd_slot *s = realloc(slots, n * sizeof(*s));

		if (!s)
			return -ENOMEM;
		memset(s + nslots, 0, (n - nslots) * sizeof(*s));
		slots = s;
		nslots = n;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	slots[fd].cb = cb;
	slots[fd].arg = arg;
	slots[fd].active = true;
	return 0;
}

int xsimd_modify_fd(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void xsimd_unwatch_fd(int fd)
{
	if (fd < 0 || fd >= nslots || !slots[fd].active)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	slots[fd].active = false;
	slots[fd].cb = NULL;
	slots[fd].arg = NULL;
}

void xsimd_request_stop(int ctl_fd)
{
	stop_requested = true;
	if (ctl_fd >= 0 && stop_ctl_fd < 0)
		stop_ctl_fd = ctl_fd;
}

/* ---------------- domains ---------------- */

struct domain {
	struct domain *next;
	uint32_t domid;
	char name[64];
};

static struct domain *domains;

static struct domain *domain_find(uint32_t domid)
{
	struct domain *d;

	for (d = domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

int xsimd_domain_create(uint32_t domid, const char *name)
{
	struct domain *d, **pp;
	char defname[32];
	int rc;

	if (domid >= 0x7ff0) /* DOMID_FIRST_RESERVED */
		return EINVAL;
	if (domain_find(domid))
		return EEXIST;
	if (!name || !*name) {
		if (domid == 0)
			snprintf(defname, sizeof(defname), "Domain-0");
		else
			snprintf(defname, sizeof(defname), "dom%u", domid);
		name = defname;
	}
	if (strlen(name) >= sizeof(d->name))
		return ENAMETOOLONG;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);

	rc = xs_domain_create(domid, name);
	if (rc) {
		free(d);
		return rc < 0 ? -rc : rc;
	}
	rc = hv_domain_create(domid);
	if (rc) {
		xs_domain_destroy(domid);
		free(d);
		return rc < 0 ? -rc : rc;
	}
	/* Keep the list sorted by domid. */
	for (pp = &domains; *pp && (*pp)->domid < domid; pp = &(*pp)->next)
		;
	d->next = *pp;
	*pp = d;
	xsimd_log("domain %u (%s) created", domid, name);
	return 0;
}

int xsimd_domain_destroy(uint32_t domid)
{
	struct domain *d, **pp;

	if (domid == 0)
		return EPERM;
	for (pp = &domains; *pp && (*pp)->domid != domid; pp = &(*pp)->next)
		;
	d = *pp;
	if (!d)
		return ENOENT;
	hv_domain_destroy(domid);
	xs_domain_destroy(domid);
	*pp = d->next;
	xsimd_log("domain %u (%s) destroyed", domid, d->name);
	free(d);
	return 0;
}

void xsimd_status(FILE *out)
{
	struct domain *d;

	for (d = domains; d; d = d->next)
		fprintf(out, "domain id=%u name=%s\n", d->domid, d->name);
	xs_status(out);
	hv_status(out);
}

/* ---------------- main ---------------- */

static void on_signal(void *arg, uint32_t events)
{
	int fd = *(int *)arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		xsimd_log("signal %u, stopping", si.ssi_signo);
		xsimd_request_stop(-1);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: xensimd [--ready-fd FD] DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	int ready_fd = -1, lock_fd, sig_fd, i, rc;
	const char *dirarg = NULL;
	sigset_t mask;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc)
			ready_fd = atoi(argv[++i]);
		else if (argv[i][0] == '-')
			usage();
		else if (!dirarg)
			dirarg = argv[i];
		else
			usage();
	}
	if (!dirarg)
		usage();
	if (!realpath(dirarg, dir)) {
		fprintf(stderr, "xensimd: %s: %s\n", dirarg, strerror(errno));
		return 1;
	}
	/* The longest socket name must fit in sun_path. */
	if (strlen(dir) + sizeof("/xs-dom32767.sock") > 108) {
		fprintf(stderr, "xensimd: %s: path too long for unix sockets\n",
			dir);
		return 1;
	}

	snprintf(path, sizeof(path), "%s/xensimd.lock", dir);
	lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "xensimd: %s: %s\n", path,
			errno == EWOULDBLOCK ? "another xensimd runs here"
					     : strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xensimd.log", dir);
	log_file = fopen(path, "ae");
	if (!log_file) {
		fprintf(stderr, "xensimd: %s: %s\n", path, strerror(errno));
		return 1;
	}
	xsimd_log("xensimd %d starting in %s", (int)getpid(), dir);

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	epfd = epoll_create1(EPOLL_CLOEXEC);
	sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (epfd < 0 || sig_fd < 0 ||
	    xsimd_watch_fd(sig_fd, EPOLLIN, on_signal, &sig_fd)) {
		xsimd_log("event loop setup: %s", strerror(errno));
		return 1;
	}

	rc = xs_init(dir);
	if (rc) {
		xsimd_log("xenstore init failed: %s", strerror(rc < 0 ? -rc : rc));
		return 1;
	}
	rc = hv_init(dir);
	if (rc) {
		xsimd_log("hypervisor init failed: %s",
			  strerror(rc < 0 ? -rc : rc));
		xs_fini();
		return 1;
	}
	rc = xsimd_domain_create(0, "Domain-0");
	if (!rc)
		rc = ctl_init(dir);
	if (rc) {
		xsimd_log("startup failed: %s", strerror(rc < 0 ? -rc : rc));
		hv_fini();
		xs_fini();
		return 1;
	}
	snprintf(path, sizeof(path), "%s/xensimd.pid", dir);
	{
		FILE *f = fopen(path, "we");

		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	xsimd_log("ready");
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			xsimd_log("ready fd: %s", strerror(errno));
		close(ready_fd);
	}

	while (!stop_requested) {
		struct epoll_event evs[32];
		int n = epoll_wait(epfd, evs, 32, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			xsimd_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd >= 0 && fd < nslots && slots[fd].active &&
			    slots[fd].cb)
				slots[fd].cb(slots[fd].arg, evs[i].events);
		}
	}

	xsimd_log("stopping");
	while (domains && domains->next)
		xsimd_domain_destroy(domains->next->domid);
	ctl_fini();
	hv_fini();
	xs_fini();
	while (domains) {
		struct domain *d = domains;

		domains = d->next;
		free(d);
	}
	unlink(path); /* pid file */
	xsimd_log("stopped");
	fclose(log_file);
	log_file = NULL;
	close(sig_fd);
	close(epfd);
	free(slots);
	close(lock_fd);
	/* Last: the CLI that asked for the stop waits for this to close. */
	if (stop_ctl_fd >= 0)
		close(stop_ctl_fd);
	return 0;
}
