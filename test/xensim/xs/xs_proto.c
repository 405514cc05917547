/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensimd xenstore protocol test, with Debian's libxenstore and with raw
 * sockets: errno results, transactions (EAGAIN on conflict), quotas,
 * privileged operations, special watches, malformed and vanishing clients.
 *
 * usage: xs_proto XENSIM   (path of the xensim CLI; starts its own host)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdint.h>

#include <xen/io/xs_wire.h>
#include <xenstore.h>

static const char *xensim;
static char dir[64];
static bool started;
static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,        \
				__LINE__, #cond);                            \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "FAIL: '%s' exited with %d\n", cmd, rc);
		exit(1);
	}
}

static void cleanup(void)
{
	char cmd[512];

	if (!started)
		return;
	started = false;
	snprintf(cmd, sizeof(cmd), "'%s' stop %s >/dev/null 2>&1", xensim, dir);
	if (system(cmd)) {
		/* nothing more to do */
	}
	/* A sanitizer report of the daemon (ASan builds) fails the test. */
	snprintf(cmd, sizeof(cmd), "grep -q Sanitizer %s/xensimd.log", dir);
	if (system(cmd) == 0) {
		fprintf(stderr, "FAIL: sanitizer report in xensimd.log:\n");
		snprintf(cmd, sizeof(cmd), "cat %s/xensimd.log >&2", dir);
		if (system(cmd)) {
			/* shown or not, it fails */
		}
		failures++;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {
		/* nothing more to do */
	}
}

static void on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

static struct xs_handle *open_as(unsigned int domid)
{
	char sock[128];
	struct xs_handle *xs;

	snprintf(sock, sizeof(sock), "%s/xs-dom%u.sock", dir, domid);
	setenv("XENSTORED_PATH", sock, 1);
	xs = xs_open(0);
	if (!xs) {
		fprintf(stderr, "FAIL: xs_open as dom%u: %s\n", domid,
			strerror(errno));
		exit(1);
	}
	return xs;
}

/* A value of `xensim status`: field of the "xs dom=N" line, or -1. */
static long status_field(unsigned int domid, const char *field)
{
	char cmd[512], line[512], key[64];
	long v = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' status %s", xensim, dir);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), "xs dom=%u ", domid);
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, key, strlen(key)))
			continue;
		snprintf(key, sizeof(key), " %s=", field);
		p = strstr(line, key);
		if (p)
			v = strtol(p + strlen(key), NULL, 10);
		break;
	}
	pclose(f);
	return v;
}

/* Wait (at most 10 s) for a status value; a wait, not an assertion. */
static bool wait_status(unsigned int domid, const char *field, long want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (status_field(domid, field) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static bool read_eq(struct xs_handle *xs, xs_transaction_t t,
		    const char *path, const char *want)
{
	unsigned int len;
	char *v = xs_read(xs, t, path, &len);
	bool ok = v && len == strlen(want) && !memcmp(v, want, len);

	free(v);
	return ok;
}

static int read_errno(struct xs_handle *xs, const char *path)
{
	unsigned int len;
	void *v;

	errno = 0;
	v = xs_read(xs, XBT_NULL, path, &len);
	if (v) {
		free(v);
		return 0;
	}
	return errno;
}

/* Next watch event within 5 s: path and token, or false. */
static bool next_event(struct xs_handle *xs, char *path, size_t plen,
		       char *token, size_t tlen)
{
	struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
	unsigned int n;
	char **ev;

	ev = xs_check_watch(xs);
	if (!ev) {
		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		ev = xs_read_watch(xs, &n);
	}
	if (!ev)
		return false;
	snprintf(path, plen, "%s", ev[XS_WATCH_PATH]);
	snprintf(token, tlen, "%s", ev[XS_WATCH_TOKEN]);
	free(ev);
	return true;
}

/* No event pending after a round trip to the daemon. */
static bool no_event(struct xs_handle *xs)
{
	char **ev;
	void *v;

	v = xs_read(xs, XBT_NULL, "/", NULL); /* a round trip */
	free(v);
	ev = xs_check_watch(xs);
	free(ev);
	return ev == NULL;
}

static void test_errnos(void)
{
	struct xs_handle *d0 = open_as(0), *d1 = open_as(1);
	char *p;

	/* Nonexistent node: ENOENT where the caller may look, else EACCES. */
	CHECK(read_errno(d1, "nothere") == ENOENT, "errno %d",
	      read_errno(d1, "nothere"));
	CHECK(read_errno(d1, "/local/domain/2/nothere") == EACCES, "errno %d",
	      read_errno(d1, "/local/domain/2/nothere"));
	CHECK(read_errno(d1, "/local/domain/2/name") == EACCES, "errno %d",
	      read_errno(d1, "/local/domain/2/name"));
	CHECK(read_errno(d0, "/local/domain/2/nothere") == ENOENT, "errno %d",
	      read_errno(d0, "/local/domain/2/nothere"));
	CHECK(read_errno(d0, "bad//path") == EINVAL, "errno %d",
	      read_errno(d0, "bad//path"));
	CHECK(read_errno(d0, "@releaseDomain") == EINVAL, "errno %d",
	      read_errno(d0, "@releaseDomain"));
	/* A guest may not create nodes where it may not write. */
	errno = 0;
	CHECK(!xs_write(d1, XBT_NULL, "/local/domain/2/x", "1", 1) &&
		      errno == EACCES, "errno %d", errno);
	CHECK(!xs_write(d1, XBT_NULL, "/x", "1", 1) && errno == EACCES,
	      "errno %d", errno);
	/* rm of an absent node: fine if its parent exists. */
	CHECK(xs_rm(d1, XBT_NULL, "absent"), "rm absent: %s", strerror(errno));
	CHECK(!xs_rm(d1, XBT_NULL, "absent/child") && errno == ENOENT,
	      "errno %d", errno);
	CHECK(!xs_rm(d0, XBT_NULL, "/") && errno == EINVAL, "errno %d", errno);

	p = xs_get_domain_path(d1, 7);
	CHECK(p && !strcmp(p, "/local/domain/7"), "%s", p ? p : "NULL");
	free(p);

	/* Privileged operations. */
	CHECK(xs_is_domain_introduced(d0, 1), "dom1 introduced");
	CHECK(!xs_is_domain_introduced(d0, 9), "dom9 not introduced");
	errno = 0;
	CHECK(!xs_introduce_domain(d1, 2, 0, 0) && errno == EACCES,
	      "errno %d", errno);
	CHECK(!xs_release_domain(d1, 2) && errno == EACCES, "errno %d", errno);

	/* Watches fire only for what the watcher may read. */
	{
		struct xs_handle *d2 = open_as(2);
		char ev[256], tok[64];

		CHECK(xs_watch(d1, "/local/domain/2", "other"), "watch");
		CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)),
		      "initial event");
		CHECK(xs_write(d2, XBT_NULL, "private", "p", 1), "write");
		CHECK(no_event(d1), "event about a node dom1 may not read");
		CHECK(xs_write(d2, XBT_NULL, "public", "p", 1), "write");
		CHECK(xs_write(d2, XBT_NULL, "public/x", "p", 1), "write");
		{
			struct xs_permissions perm[2] = {
				{ .id = 2, .perms = XS_PERM_NONE },
				{ .id = 1, .perms = XS_PERM_READ },
			};

			CHECK(xs_set_permissions(d2, XBT_NULL, "public", perm, 2),
			      "set perms");
		}
		CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)) &&
			      !strcmp(ev, "/local/domain/2/public"),
		      "event on a node made readable: %s", ev);
		CHECK(xs_write(d2, XBT_NULL, "public/x", "q", 1), "write");
		CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)) &&
			      !strcmp(ev, "/local/domain/2/public/x"),
		      "event on a node under a readable parent: %s", ev);
		{
			struct xs_permissions perm[1] = {
				{ .id = 2, .perms = XS_PERM_NONE },
			};

			CHECK(xs_set_permissions(d2, XBT_NULL, "public", perm, 1),
			      "set perms");
		}
		CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)) &&
			      !strcmp(ev, "/local/domain/2/public"),
		      "event on a node made unreadable: %s", ev);
		CHECK(xs_write(d2, XBT_NULL, "public", "r", 1), "write");
		CHECK(no_event(d1), "event on a node no longer readable");
		CHECK(xs_unwatch(d1, "/local/domain/2", "other"), "unwatch");
		xs_close(d2);
	}

	/* Binary values survive. */
	CHECK(xs_write(d1, XBT_NULL, "bin", "a\0b\n", 4), "write bin");
	{
		unsigned int len;
		char *v = xs_read(d1, XBT_NULL, "bin", &len);

		CHECK(v && len == 4 && !memcmp(v, "a\0b\n", 4), "binary value");
		free(v);
	}
	xs_close(d0);
	xs_close(d1);
}

/* 900 levels: created, watched, removed. */
static void test_deep(void)
{
	struct xs_handle *d1 = open_as(1);
	char path[2100], *p = path, ev[256], tok[64];
	int i;

	p += sprintf(p, "deep");
	for (i = 0; i < 900; i++)
		p += sprintf(p, "/a");
	CHECK(xs_write(d1, XBT_NULL, path, "bottom", 6), "deep write: %s",
	      strerror(errno));
	CHECK(read_eq(d1, XBT_NULL, path, "bottom"), "deep read");
	CHECK(xs_watch(d1, path, "deep"), "deep watch");
	CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)), "initial");
	CHECK(xs_rm(d1, XBT_NULL, "deep"), "deep rm: %s", strerror(errno));
	CHECK(next_event(d1, ev, sizeof(ev), tok, sizeof(tok)) &&
		      !strcmp(tok, "deep"), "event on the removed bottom node");
	CHECK(read_errno(d1, "deep") == ENOENT, "deep removed");
	/* Relative paths are limited to 2048 bytes, absolute to 3072. */
	memset(path, 'b', 2049);
	path[2049] = 0;
	CHECK(!xs_write(d1, XBT_NULL, path, "x", 1) && errno == EINVAL,
	      "long relative path: %s", strerror(errno));
	xs_close(d1);
}

static void test_transactions(void)
{
	struct xs_handle *a = open_as(1), *b = open_as(0);
	char path[256], token[64];
	xs_transaction_t t, t2;

	CHECK(xs_write(a, XBT_NULL, "tx/x", "0", 1), "setup");
	CHECK(xs_write(a, XBT_NULL, "tx/y", "0", 1), "setup");

	/* Isolation, then commit. */
	t = xs_transaction_start(a);
	CHECK(t, "start: %s", strerror(errno));
	CHECK(xs_write(a, t, "tx/x", "1", 1), "write in tx");
	CHECK(xs_write(a, t, "tx/new/deep", "n", 1), "create in tx");
	CHECK(read_eq(a, t, "tx/x", "1"), "tx sees its write");
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/x", "0"),
	      "others do not see it");
	CHECK(read_errno(b, "/local/domain/1/tx/new") == ENOENT, "not created");
	CHECK(xs_transaction_end(a, t, false), "commit: %s", strerror(errno));
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/x", "1"), "committed");
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/new/deep", "n"),
	      "committed create");

	/* Abort discards. */
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "tx/x", "2", 1), "write in tx");
	CHECK(xs_rm(a, t, "tx/new"), "rm in tx");
	CHECK(read_errno(a, "tx/new/deep") == 0, "rm not visible outside");
	CHECK(xs_transaction_end(a, t, true), "abort");
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/x", "1"), "aborted");
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/new/deep", "n"),
	      "rm aborted");

	/* Conflict: a node the transaction read changed meanwhile. */
	t = xs_transaction_start(a);
	CHECK(read_eq(a, t, "tx/x", "1"), "read in tx");
	CHECK(xs_write(a, t, "tx/y", "from-tx", 7), "write in tx");
	CHECK(xs_write(b, XBT_NULL, "/local/domain/1/tx/x", "other", 5),
	      "intervening write");
	errno = 0;
	CHECK(!xs_transaction_end(a, t, false) && errno == EAGAIN,
	      "conflict must give EAGAIN, got %s", strerror(errno));
	CHECK(read_eq(b, XBT_NULL, "/local/domain/1/tx/y", "0"),
	      "failed transaction left nothing");

	/* Conflict on a node the transaction created and another created. */
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "tx/race", "a", 1), "write in tx");
	CHECK(xs_write(b, XBT_NULL, "/local/domain/1/tx/race", "b", 1), "race");
	CHECK(!xs_transaction_end(a, t, false) && errno == EAGAIN,
	      "create/create conflict: %s", strerror(errno));

	/* Two transactions on the same node: the second commit fails. */
	t = xs_transaction_start(a);
	t2 = xs_transaction_start(b);
	CHECK(read_eq(a, t, "tx/y", "0"), "read");
	CHECK(read_eq(b, t2, "/local/domain/1/tx/y", "0"), "read");
	CHECK(xs_write(a, t, "tx/y", "A", 1), "write");
	CHECK(xs_write(b, t2, "/local/domain/1/tx/y", "B", 1), "write");
	CHECK(xs_transaction_end(b, t2, false), "first commit");
	CHECK(!xs_transaction_end(a, t, false) && errno == EAGAIN,
	      "second commit: %s", strerror(errno));
	CHECK(read_eq(a, XBT_NULL, "tx/y", "B"), "first won");

	/* Unrelated changes do not conflict. */
	t = xs_transaction_start(a);
	CHECK(read_eq(a, t, "tx/y", "B"), "read");
	CHECK(xs_write(b, XBT_NULL, "/local/domain/1/tx/x", "unrelated", 9),
	      "unrelated write");
	CHECK(xs_write(a, t, "tx/y", "C", 1), "write");
	CHECK(xs_transaction_end(a, t, false), "no conflict: %s",
	      strerror(errno));

	/* Watch events of a transaction fire at its commit, not before. */
	CHECK(xs_watch(b, "/local/domain/1/tx/w", "tok"), "watch");
	CHECK(next_event(b, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "/local/domain/1/tx/w") &&
		      !strcmp(token, "tok"), "initial event %s %s", path, token);
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "tx/w", "1", 1), "write");
	CHECK(no_event(b), "no event before the commit");
	CHECK(xs_transaction_end(a, t, false), "commit");
	CHECK(next_event(b, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "/local/domain/1/tx/w"),
	      "event at commit: %s", path);
	t = xs_transaction_start(a);
	CHECK(xs_write(a, t, "tx/w", "2", 1), "write");
	CHECK(xs_transaction_end(a, t, true), "abort");
	CHECK(no_event(b), "no event for an aborted transaction");
	CHECK(xs_unwatch(b, "/local/domain/1/tx/w", "tok"), "unwatch");

	xs_close(a);
	xs_close(b);
}

/*
 * Atomicity: processes of two domains increment one counter, each in a
 * transaction retried on EAGAIN; no increment may be lost.
 */
static void test_tx_counter(void)
{
	enum { PROCS = 4, INCS = 150 };
	struct xs_handle *d0;
	pid_t pids[PROCS];
	int i, st, ok = 0;

	d0 = open_as(0);
	CHECK(xs_write(d0, XBT_NULL, "/local/domain/1/counter", "0", 1),
	      "counter");
	xs_close(d0);
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct xs_handle *xs = open_as(i % 2);
			int n, again = 0;

			for (n = 0; n < INCS; n++) {
				for (;;) {
					xs_transaction_t t = xs_transaction_start(xs);
					char *v, buf[16];
					unsigned int len;

					if (!t)
						_exit(2);
					v = xs_read(xs, t, "/local/domain/1/counter",
						    &len);
					if (!v)
						_exit(3);
					snprintf(buf, sizeof(buf), "%d", atoi(v) + 1);
					free(v);
					if (!xs_write(xs, t, "/local/domain/1/counter",
						      buf, strlen(buf)))
						_exit(4);
					if (xs_transaction_end(xs, t, false))
						break;
					if (errno != EAGAIN)
						_exit(5);
					again++;
				}
			}
			xs_close(xs);
			_exit(0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		waitpid(pids[i], &st, 0);
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	CHECK(ok == PROCS, "%d of %d incrementers succeeded", ok, PROCS);
	d0 = open_as(0);
	{
		char want[16];

		snprintf(want, sizeof(want), "%d", PROCS * INCS);
		CHECK(read_eq(d0, XBT_NULL, "/local/domain/1/counter", want),
		      "lost increments");
	}
	xs_close(d0);
}

static void test_quotas(void)
{
	struct xs_handle *d0 = open_as(0), *d1 = open_as(1);
	static char big[3000];
	xs_transaction_t ts[16];
	char tok[32];
	int i, n;

	memset(big, 'x', sizeof(big));
	CHECK(xs_write(d1, XBT_NULL, "q/ok", big, 2000), "2000 bytes");
	errno = 0;
	CHECK(!xs_write(d1, XBT_NULL, "q/big", big, 3000) && errno == ENOSPC,
	      "3000 bytes: errno %d", errno);
	CHECK(xs_write(d0, XBT_NULL, "/local/domain/1/q/dom0", big, 3000),
	      "dom0 is not limited");

	/* Nodes a domain owns: 1000 (3 exist already: dir, domid, name). */
	{
		struct xs_handle *d2 = open_as(2);
		char p[64];
		long owned = status_field(2, "nodes");

		for (n = 0; n < 20; n++) {
			snprintf(p, sizeof(p), "many/g%d", n);
			CHECK(xs_write(d2, XBT_NULL, p, "", 0), "group %d", n);
		}
		for (n = 0; n < 1100; n++) {
			snprintf(p, sizeof(p), "many/g%d/n%d", n % 20, n);
			if (!xs_write(d2, XBT_NULL, p, "", 0))
				break;
		}
		CHECK(errno == ENOSPC && owned + 21 + n == 1000,
		      "nodes: %ld + 21 + %d (%s)", owned, n, strerror(errno));
		CHECK(status_field(2, "nodes") == 1000, "nodes owned: %ld",
		      status_field(2, "nodes"));
		CHECK(xs_rm(d2, XBT_NULL, "many"), "rm many");
		CHECK(xs_write(d2, XBT_NULL, "many", "", 0), "room again");
		xs_close(d2);
	}

	for (n = 0; n < 200; n++) {
		snprintf(tok, sizeof(tok), "t%d", n);
		if (!xs_watch(d1, "q", tok))
			break;
	}
	CHECK(n == 128 && errno == E2BIG, "watches: %d (%s)", n,
	      strerror(errno));
	errno = 0;
	CHECK(!xs_watch(d1, "q", "t0") && errno == EEXIST,
	      "duplicate watch: %s", strerror(errno));

	for (n = 0; n < 16; n++) {
		ts[n] = xs_transaction_start(d1);
		if (!ts[n])
			break;
	}
	CHECK(n == 10 && errno == ENOSPC, "transactions: %d (%s)", n,
	      strerror(errno));
	for (i = 0; i < n; i++)
		xs_transaction_end(d1, ts[i], true);
	xs_close(d0);
	xs_close(d1);
}

static void test_special_watches(void)
{
	struct xs_handle *d0 = open_as(0), *d1 = open_as(1);
	char path[256], token[64];

	CHECK(xs_watch(d0, "@introduceDomain", "intro"), "watch");
	CHECK(xs_watch(d0, "@releaseDomain", "rel"), "watch");
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)), "ev");
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)), "ev");
	/* A guest may watch them but gets nothing unless dom0 allows it. */
	CHECK(xs_watch(d1, "@releaseDomain", "grel"), "guest watch");
	CHECK(next_event(d1, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "@releaseDomain"), "initial");

	run("'%s' domain create %s 5 >/dev/null", xensim, dir);
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "@introduceDomain") &&
		      !strcmp(token, "intro"), "%s %s", path, token);
	run("'%s' domain destroy %s 5", xensim, dir);
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "@releaseDomain") &&
		      !strcmp(token, "rel"), "%s %s", path, token);
	CHECK(no_event(d1), "guest got @releaseDomain without permission");

	/* RELEASE by dom0 fires it too. */
	CHECK(xs_release_domain(d0, 1), "release");
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "@releaseDomain"), "%s", path);
	CHECK(!xs_is_domain_introduced(d0, 1), "released");
	CHECK(xs_introduce_domain(d0, 1, 0, 0), "introduce");
	CHECK(xs_is_domain_introduced(d0, 1), "introduced again");
	CHECK(next_event(d0, path, sizeof(path), token, sizeof(token)) &&
		      !strcmp(path, "@introduceDomain"), "%s", path);
	xs_close(d0);
	xs_close(d1);
}

/* ---------------- raw sockets ---------------- */

static int raw_connect(unsigned int domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xs-dom%u.sock", dir,
		 domid);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "FAIL: connect %s: %s\n", sa.sun_path,
			strerror(errno));
		exit(1);
	}
	return fd;
}

static void raw_send(int fd, uint32_t type, uint32_t req, uint32_t tx,
		     const void *p, uint32_t len)
{
	struct xsd_sockmsg h = { type, req, tx, len };

	if (write(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
	    (len && write(fd, p, len) != (ssize_t)len))
		fprintf(stderr, "raw write: %s\n", strerror(errno));
}

/* Read one message (5 s at most); returns false on EOF/timeout. */
static bool raw_recv(int fd, struct xsd_sockmsg *h, char *buf, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < sizeof(*h)) {
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		n = read(fd, (char *)h + got, sizeof(*h) - got);
		if (n <= 0)
			return false;
		got += n;
	}
	if (h->len >= size)
		return false;
	got = 0;
	while (got < h->len) {
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			return false;
		n = read(fd, buf + got, h->len - got);
		if (n <= 0)
			return false;
		got += n;
	}
	buf[h->len] = 0;
	return true;
}

static void test_raw(void)
{
	struct xsd_sockmsg h;
	char buf[5000];
	int fd, i;

	fd = raw_connect(1);
	/* Unknown operation. */
	raw_send(fd, 999, 7, 0, "x", 2);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_ERROR &&
		      h.req_id == 7 && !strcmp(buf, "ENOSYS"), "unknown: %s", buf);
	/* Unknown transaction. */
	raw_send(fd, XS_READ, 8, 12345, "domid", 6);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_ERROR &&
		      h.req_id == 8 && h.tx_id == 12345 && !strcmp(buf, "ENOENT"),
	      "unknown tx: %s", buf);
	/* Malformed argument (no nul). */
	raw_send(fd, XS_READ, 9, 0, "domid", 5);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_ERROR &&
		      !strcmp(buf, "EINVAL"), "no nul: %s", buf);
	/* Requests are answered with their req_id, replies in order. */
	for (i = 0; i < 3; i++)
		raw_send(fd, XS_READ, 100 + i, 0, "domid", 6);
	for (i = 0; i < 3; i++)
		CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_READ &&
			      h.req_id == 100u + i && !strcmp(buf, "1"),
		      "pipelined read %d", i);
	/* A payload over XENSTORE_PAYLOAD_MAX closes the connection. */
	raw_send(fd, XS_WRITE, 10, 0, NULL, 0); /* header says len 0: fine */
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_ERROR,
	      "empty write: %s", buf);
	{
		struct xsd_sockmsg big = { XS_WRITE, 11, 0, 5000 };

		if (write(fd, &big, sizeof(big)) != (ssize_t)sizeof(big))
			CHECK(0, "write");
		CHECK(!raw_recv(fd, &h, buf, sizeof(buf)),
		      "connection must be closed after an oversized payload");
	}
	close(fd);

	/* Garbage: answered or dropped, never a crash. */
	{
		unsigned int seed = 12345;
		struct xs_handle *d0;

		for (i = 0; i < 20; i++) {
			size_t k;

			fd = raw_connect(i % 2 ? 1 : 0);
			for (k = 0; k < sizeof(buf); k++)
				buf[k] = rand_r(&seed);
			/* Some plausible headers among the noise. */
			if (i % 4 == 0) {
				struct xsd_sockmsg *g = (void *)buf;

				g->type = rand_r(&seed) % (XS_TYPE_COUNT + 2);
				g->len = rand_r(&seed) % 64;
			}
			if (write(fd, buf, sizeof(buf)) < 0) {
				/* the daemon may have closed it already */
			}
			close(fd);
		}
		CHECK(wait_status(0, "conns", 0), "garbage connections of dom0");
		CHECK(wait_status(1, "conns", 0), "garbage connections of dom1");
		d0 = open_as(0);
		CHECK(read_eq(d0, XBT_NULL, "/local/domain/1/domid", "1"),
		      "daemon alive after garbage");
		xs_close(d0);
	}

	/* A client that never reads its replies: the daemon stops reading
	 * it (its writes end up blocking) and keeps serving the others. */
	{
		static const char req[] = "domid";
		struct xsd_sockmsg rq = { XS_READ, 0, 0, sizeof(req) };
		char msg[sizeof(rq) + sizeof(req)];
		size_t sent = 0, off = 0;
		bool blocked = false;
		struct xs_handle *d0;

		memcpy(msg, &rq, sizeof(rq));
		memcpy(msg + sizeof(rq), req, sizeof(req));
		fd = raw_connect(1);
		while (sent < (64u << 20)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			ssize_t n;

			/* Blocked for a whole second: the daemon stopped. */
			if (poll(&pfd, 1, 1000) <= 0) {
				blocked = true;
				break;
			}
			n = send(fd, msg + off, sizeof(msg) - off, MSG_DONTWAIT);
			if (n > 0) {
				sent += n;
				off = (off + n) % sizeof(msg);
			} else if (n < 0 && errno != EAGAIN) {
				break;
			}
		}
		CHECK(blocked, "daemon read %zu bytes of requests", sent);
		d0 = open_as(0);
		CHECK(read_eq(d0, XBT_NULL, "/local/domain/1/domid", "1"),
		      "others served meanwhile");
		xs_close(d0);
		close(fd);
		CHECK(wait_status(1, "conns", 0), "flooding connection released");
	}

	/* RESET_WATCHES drops the watches and transactions of the caller. */
	fd = raw_connect(1);
	raw_send(fd, XS_WATCH, 1, 0, "rw\0tok", 7);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_WATCH, "watch");
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_WATCH_EVENT &&
		      !strcmp(buf, "rw"), "initial event");
	raw_send(fd, XS_TRANSACTION_START, 2, 0, "", 1);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) &&
		      h.type == XS_TRANSACTION_START, "tx");
	raw_send(fd, XS_RESET_WATCHES, 3, 0, "", 1);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_RESET_WATCHES,
	      "reset: %s", buf);
	CHECK(status_field(1, "watches") == 0, "watches after reset");
	CHECK(status_field(1, "transactions") == 0, "transactions after reset");
	raw_send(fd, XS_WRITE, 4, 0, "rw\0v", 4);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_WRITE &&
		      h.req_id == 4, "no event after reset, only the reply");
	close(fd);

	/* A client that leaves mid-message. */
	fd = raw_connect(1);
	raw_send(fd, XS_WRITE, 1, 0, NULL, 0);
	close(fd);
	fd = raw_connect(1);
	{
		struct xsd_sockmsg half = { XS_WRITE, 1, 0, 100 };

		if (write(fd, &half, sizeof(half)) != (ssize_t)sizeof(half) ||
		    write(fd, "data/half\0", 10) != 10)
			CHECK(0, "write");
	}
	close(fd);
	CHECK(wait_status(1, "conns", 0), "connections of dom1 not released");
	{
		struct xs_handle *d0 = open_as(0);

		CHECK(read_errno(d0, "/local/domain/1/data/half") == ENOENT,
		      "half a message wrote something");
		xs_close(d0);
	}

	/* A client that leaves mid-transaction (raw: never ends it). */
	fd = raw_connect(1);
	raw_send(fd, XS_TRANSACTION_START, 1, 0, "", 1);
	CHECK(raw_recv(fd, &h, buf, sizeof(buf)) &&
		      h.type == XS_TRANSACTION_START, "tx start");
	{
		uint32_t tx = strtoul(buf, NULL, 10);

		raw_send(fd, XS_WRITE, 2, tx, "data/rawtx\0v", 12);
		CHECK(raw_recv(fd, &h, buf, sizeof(buf)) && h.type == XS_WRITE,
		      "write in tx: %s", buf);
	}
	CHECK(status_field(1, "transactions") == 1, "one open transaction");
	close(fd);
	CHECK(wait_status(1, "transactions", 0), "transaction not released");
	CHECK(wait_status(1, "conns", 0), "connection not released");
}

/* A libxenstore client killed (SIGKILL) in the middle of a transaction. */
static void test_killed_client(void)
{
	struct xs_handle *d0;
	int pfd[2];
	pid_t pid;
	char c;
	xs_transaction_t t;

	if (pipe(pfd) < 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		struct xs_handle *xs = open_as(1);

		t = xs_transaction_start(xs);
		if (!t || !xs_write(xs, t, "killed/node", "v", 1) ||
		    !xs_watch(xs, "killed", "k"))
			_exit(1);
		if (write(pfd[1], "R", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	CHECK(read(pfd[0], &c, 1) == 1, "child did not get ready");
	close(pfd[0]);
	CHECK(status_field(1, "transactions") == 1, "transaction open");
	CHECK(status_field(1, "watches") == 1, "watch set");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK(wait_status(1, "conns", 0), "connection of the killed client");
	CHECK(status_field(1, "transactions") == 0, "transaction left behind");
	CHECK(status_field(1, "watches") == 0, "watch left behind");
	d0 = open_as(0);
	CHECK(read_errno(d0, "/local/domain/1/killed") == ENOENT,
	      "uncommitted write visible");
	/* The same change from another client commits without conflict. */
	t = xs_transaction_start(d0);
	CHECK(xs_write(d0, t, "/local/domain/1/killed/node", "w", 1), "write");
	CHECK(xs_transaction_end(d0, t, false), "commit: %s", strerror(errno));
	xs_close(d0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: xs_proto XENSIM\n");
		return 2;
	}
	xensim = argv[1];
	snprintf(dir, sizeof(dir), "/tmp/xsim.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	run("'%s' start %s >/dev/null", xensim, dir);
	started = true;
	run("'%s' domain create %s 1 >/dev/null", xensim, dir);
	run("'%s' domain create %s 2 >/dev/null", xensim, dir);

	test_errnos();
	test_deep();
	test_transactions();
	test_tx_counter();
	test_quotas();
	test_special_watches();
	test_raw();
	test_killed_client();

	cleanup();
	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
