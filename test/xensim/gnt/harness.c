/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

const char *h_role = "main";
const char *h_dir;
static char dirbuf[64];
static pid_t daemon_pid = -1;

void h_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

void h_send(int fd, uint32_t tag, uint32_t n, const uint32_t *v)
{
	struct hmsg m = { .tag = tag, .n = n };

	if (n > 14)
		FAIL("message too long");
	if (n)
		memcpy(m.v, v, n * sizeof(uint32_t));
	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
		FAIL("send tag %u: %s", tag, strerror(errno));
}

void h_send1(int fd, uint32_t tag, uint32_t v0)
{
	h_send(fd, tag, 1, &v0);
}

void h_recv(int fd, uint32_t tag, struct hmsg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	if (n != sizeof(*m))
		FAIL("waiting for message %u: got %zd bytes (%s)", tag, n,
		     n < 0 ? strerror(errno) : "peer gone");
	if (m->tag != tag)
		FAIL("expected message %u, got %u", tag, m->tag);
}

uint32_t h_recv1(int fd, uint32_t tag)
{
	struct hmsg m;

	h_recv(fd, tag, &m);
	return m.v[0];
}

pid_t h_daemon_pid(void)
{
	return daemon_pid;
}

static int exiting;

static void on_exit_cleanup(void)
{
	exiting = 1;
	if (daemon_pid > 0 && strcmp(h_role, "main") == 0)
		h_stop();
}

static void on_signal(int sig)
{
	(void)sig;
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGCONT);
		kill(daemon_pid, SIGKILL);
	}
	_exit(1);
}

void h_start(const char *xensimd)
{
	int pfd[2];

	strcpy(dirbuf, "/tmp/xsim.XXXXXX");
	if (!mkdtemp(dirbuf))
		FAIL("mkdtemp: %s", strerror(errno));
	h_dir = dirbuf;
	if (pipe(pfd) < 0)
		FAIL("pipe");
	daemon_pid = fork();
	if (daemon_pid < 0)
		FAIL("fork");
	if (daemon_pid == 0) {
		char fdarg[16];
		close(pfd[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(xensimd, xensimd, "--ready-fd", fdarg, h_dir, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", xensimd, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	atexit(on_exit_cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGALRM, on_signal);
	char c;
	if (read(pfd[0], &c, 1) != 1)
		FAIL("xensimd did not become ready");
	close(pfd[0]);
	setenv("XENSIM_DIR", h_dir, 1);
}

static int ctl_cmd(const char *cmd, char *out, size_t outsz);

/* Stop xensimd through its admin socket, so that it runs its cleanup (and
 * a sanitizer's leak check); it must exit with status 0. */
static void stop_clean(void)
{
	char out[256];
	pid_t pid = daemon_pid;
	int st;

	if (ctl_cmd("stop", out, sizeof(out)) < 0)
		return;
	for (int i = 0; i < 2000; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			daemon_pid = -1;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				FAIL("xensimd exited with status 0x%x", st);
			return;
		}
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	FAIL("xensimd did not stop within 20 s of 'stop'");
}

void h_stop(void)
{
	if (!exiting && daemon_pid > 0 && strcmp(h_role, "main") == 0)
		stop_clean();
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGCONT);
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	if (h_dir) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", h_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", h_dir);
		h_dir = NULL;
	}
}

/* Send one ctl command, collect the answer until OK/ERR. */
static int ctl_cmd(const char *cmd, char *out, size_t outsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = h_dir ? h_dir : getenv("XENSIM_DIR");
	size_t len = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		FAIL("connect %s: %s", sa.sun_path, strerror(errno));
	char line[256];
	snprintf(line, sizeof(line), "%s\n", cmd);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		FAIL("ctl write");
	out[0] = 0;
	for (;;) {
		ssize_t n = read(fd, out + len, outsz - 1 - len);
		if (n <= 0)
			FAIL("ctl '%s': connection closed, got '%s'", cmd, out);
		len += (size_t)n;
		out[len] = 0;
		if (len == outsz - 1)
			FAIL("ctl answer too long");
		char *last = len >= 2 ? out + len - 2 : out;
		while (last > out && last[-1] != '\n')
			last--;
		if (out[len - 1] == '\n' && (!strncmp(last, "OK", 2) || !strncmp(last, "ERR", 3))) {
			close(fd);
			return strncmp(last, "OK", 2) == 0 ? 0 : -1;
		}
	}
}

void h_ctl(const char *cmd)
{
	char out[4096];

	if (ctl_cmd(cmd, out, sizeof(out)) < 0)
		FAIL("ctl '%s': %s", cmd, out);
}

struct hv_line h_status(uint32_t domid)
{
	static char out[65536];
	struct hv_line l = { 0 };

	if (ctl_cmd("status", out, sizeof(out)) < 0)
		FAIL("status: %s", out);
	for (char *s = strtok(out, "\n"); s; s = strtok(NULL, "\n")) {
		unsigned d, g, m, e;
		if (sscanf(s, "hv dom=%u grants=%u maps=%u evtchns=%u", &d, &g, &m, &e) == 4 &&
		    d == domid) {
			l.present = 1;
			l.grants = g;
			l.maps = m;
			l.evtchns = e;
		}
	}
	return l;
}

void h_expect(uint32_t domid, int present, unsigned grants, unsigned maps, unsigned evtchns)
{
	struct hv_line l = { 0 };

	for (int i = 0; i < 2000; i++) {
		l = h_status(domid);
		if (!present && !l.present)
			return;
		if (present && l.present && l.grants == grants && l.maps == maps &&
		    l.evtchns == evtchns)
			return;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	if (!present)
		FAIL("dom%u still present: grants=%u maps=%u evtchns=%u", domid, l.grants, l.maps,
		     l.evtchns);
	FAIL("dom%u: expected grants=%u maps=%u evtchns=%u, have %s grants=%u maps=%u evtchns=%u",
	     domid, grants, maps, evtchns, l.present ? "" : "(absent)", l.grants, l.maps,
	     l.evtchns);
}

pid_t h_spawn(const char *argv0, const char *role, const char *scenario, uint32_t domid,
	      int peerfd, int *ctl)
{
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		FAIL("socketpair");
	pid_t pid = fork();
	if (pid < 0)
		FAIL("fork");
	if (pid == 0) {
		char dom[16], pfd[16], cfd[16];
		close(sp[0]);
		snprintf(dom, sizeof(dom), "%u", domid);
		snprintf(pfd, sizeof(pfd), "%d", peerfd);
		snprintf(cfd, sizeof(cfd), "%d", sp[1]);
		setenv("XENSIM_DIR", h_dir, 1);
		setenv("XENSIM_DOMID", dom, 1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(argv0, argv0, "--child", role, scenario, pfd, cfd, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", argv0, strerror(errno));
		_exit(127);
	}
	close(sp[1]);
	*ctl = sp[0];
	return pid;
}

void h_wait_ok(pid_t pid, const char *what)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		FAIL("waitpid %s", what);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		FAIL("%s failed (status 0x%x)", what, st);
}

void h_kill(pid_t pid, int sig)
{
	kill(pid, sig);
}

void h_wait_both(pid_t a, pid_t b)
{
	for (int left = 2; left > 0; left--) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0)
			FAIL("waitpid: %s", strerror(errno));
		if (p == daemon_pid) {
			daemon_pid = -1;
			FAIL("xensimd died (status 0x%x)", st);
		}
		if (p != a && p != b) {
			left++;
			continue;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			FAIL("domain %u failed (status 0x%x)", p == a ? 1 : 2, st);
	}
}
