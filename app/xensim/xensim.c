/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim: command line of the simulated Xen host.
 *
 *   xensim start DIR
 *   xensim stop DIR
 *   xensim domain create DIR DOMID [--name NAME]
 *   xensim domain destroy DIR DOMID
 *   xensim vif add DIR --frontend DOMID --backend DOMID [--devid N]
 *                  [--mac MAC] [--mtu N] [--bridge NAME] [--no-hotplug]
 *   xensim vif remove DIR --frontend DOMID --devid N [--force]
 *                  [--timeout SECONDS]
 *   xensim env DIR DOMID
 *   xensim run DIR DOMID COMMAND [ARG...]
 *   xensim status DIR
 *
 * start/stop/domain/status talk to xensimd over DIR/ctl.sock; vif add and
 * remove are done as the toolstack in dom0 with Debian's libxenstore on
 * DIR/xs-dom0.sock, writing what libxl writes for `xl network-attach`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#ifndef XENSIM_LIBDIR
#define XENSIM_LIBDIR ""
#endif

#define XENBUS_INITIALISING 1
#define XENBUS_CLOSING 5
#define XENBUS_CLOSED 6

static const char *prog = "xensim";

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage:\n"
		"  xensim start DIR\n"
		"  xensim stop DIR\n"
		"  xensim domain create DIR DOMID [--name NAME]\n"
		"  xensim domain destroy DIR DOMID\n"
		"  xensim vif add DIR --frontend DOMID --backend DOMID [--devid N]\n"
		"                 [--mac MAC] [--mtu N] [--bridge NAME] [--no-hotplug]\n"
		"  xensim vif remove DIR --frontend DOMID --devid N [--force]\n"
		"                 [--timeout SECONDS]\n"
		"  xensim env DIR DOMID\n"
		"  xensim run DIR DOMID COMMAND [ARG...]\n"
		"  xensim status DIR\n");
	exit(2);
}

static unsigned int parse_domid(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || errno || *end || v >= 0x7ff0)
		die("bad domain id '%s'", s);
	return v;
}

static unsigned int parse_uint(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || errno || *end || v > INT_MAX)
		die("bad %s '%s'", what, s);
	return v;
}

/* Absolute path of DIR (which must exist). */
static char *abs_dir(const char *dir)
{
	char *p = realpath(dir, NULL);

	if (!p)
		die("%s: %s", dir, strerror(errno));
	return p;
}

/* ---------------- admin socket ---------------- */

static int ctl_connect(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", dir) >=
	    (int)sizeof(sa.sun_path))
		die("%s: path too long for unix sockets", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Send one command, copy the output lines to out (if not NULL), return 0
 * on OK; on ERR print the error and return 1. The fd stays open.
 */
static int ctl_cmd_fd(int fd, const char *cmd, FILE *out)
{
	char buf[4096], line[4096];
	size_t llen = 0;
	ssize_t n, i;

	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
	    write(fd, "\n", 1) != 1)
		die("writing to xensimd: %s", strerror(errno));
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("xensimd closed the connection");
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (llen < sizeof(line) - 1)
					line[llen++] = buf[i];
				continue;
			}
			line[llen] = 0;
			llen = 0;
			if (!strcmp(line, "OK"))
				return 0;
			if (!strncmp(line, "ERR ", 4)) {
				fprintf(stderr, "%s: %s: %s\n", prog, cmd, line + 4);
				return 1;
			}
			if (out)
				fprintf(out, "%s\n", line);
		}
	}
}

static int ctl_cmd(const char *dir, const char *cmd, FILE *out)
{
	int fd = ctl_connect(dir), rc;

	if (fd < 0)
		die("no xensimd running in %s", dir);
	rc = ctl_cmd_fd(fd, cmd, out);
	close(fd);
	return rc;
}

/* ---------------- start / stop ---------------- */

static char *self_dir(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		die("/proc/self/exe: %s", strerror(errno));
	buf[n] = 0;
	slash = strrchr(buf, '/');
	*slash = 0;
	return buf;
}

static int cmd_start(int argc, char **argv)
{
	char daemon[PATH_MAX + 16], logpath[PATH_MAX + 16], fdarg[16], c;
	const char *env = getenv("XENSIMD");
	int pfd[2], fd, status;
	char *dir;
	pid_t pid;
	ssize_t n;

	if (argc != 1)
		usage();
	if (mkdir(argv[0], 0700) < 0 && errno != EEXIST)
		die("%s: %s", argv[0], strerror(errno));
	dir = abs_dir(argv[0]);
	fd = ctl_connect(dir);
	if (fd >= 0) {
		close(fd);
		die("xensimd already runs in %s", dir);
	}
	if (env && *env)
		snprintf(daemon, sizeof(daemon), "%s", env);
	else
		snprintf(daemon, sizeof(daemon), "%s/xensimd", self_dir());
	snprintf(logpath, sizeof(logpath), "%s/xensimd.log", dir);

	if (pipe2(pfd, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int log = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setsid();
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (log >= 0)
			dup2(log, 2);
		/* Nothing else of the caller's (a test runner's pipes...). */
		fd = 3;
		if (pfd[1] == fd)
			fcntl(fd, F_SETFD, 0);
		else
			dup2(pfd[1], fd); /* without O_CLOEXEC */
		close_range(fd + 1, ~0U, 0);
		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		execl(daemon, "xensimd", "--ready-fd", fdarg, dir, (char *)NULL);
		fprintf(stderr, "xensim: exec %s: %s\n", daemon, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == 1 && c == 'R') {
		printf("xensimd %d running in %s\n", (int)pid, dir);
		free(dir);
		return 0;
	}
	waitpid(pid, &status, 0);
	fprintf(stderr, "%s: xensimd failed to start (see %s):\n", prog, logpath);
	{
		FILE *f = fopen(logpath, "r");
		char line[512];

		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s", line);
		if (f)
			fclose(f);
	}
	free(dir);
	return 1;
}

/* Whether a process is gone (or a zombie: it holds nothing any more). */
static bool process_gone(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool gone = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		gone = p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
	}
	fclose(f);
	return gone;
}

static int cmd_stop(int argc, char **argv)
{
	char *dir, c, path[PATH_MAX + 32];
	int fd, rc, pid = 0, i;
	FILE *f;

	if (argc != 1)
		usage();
	dir = abs_dir(argv[0]);
	fd = ctl_connect(dir);
	if (fd < 0)
		die("no xensimd running in %s", dir);
	snprintf(path, sizeof(path), "%s/xensimd.pid", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	rc = ctl_cmd_fd(fd, "stop", NULL);
	/* The daemon closes this connection last, when it has stopped... */
	while (!rc && (read(fd, &c, 1) > 0 || errno == EINTR))
		;
	close(fd);
	/* ...then it only has to exit. */
	for (i = 0; !rc && pid > 0 && i < 2000 && !process_gone(pid); i++)
		usleep(5000);
	free(dir);
	return rc;
}

/* ---------------- domains, status, env ---------------- */

static int cmd_domain(int argc, char **argv)
{
	char cmd[256], *dir;
	const char *name = NULL;
	unsigned int domid;
	int rc, i;

	if (argc < 3)
		usage();
	dir = abs_dir(argv[1]);
	domid = parse_domid(argv[2]);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else
			usage();
	}
	if (!strcmp(argv[0], "create")) {
		if (name && (strpbrk(name, " \t\n") || strlen(name) > 63))
			die("bad domain name '%s'", name);
		snprintf(cmd, sizeof(cmd), "domain create %u%s%s", domid,
			 name ? " " : "", name ? name : "");
	} else if (!strcmp(argv[0], "destroy") && !name) {
		snprintf(cmd, sizeof(cmd), "domain destroy %u", domid);
	} else {
		usage();
	}
	rc = ctl_cmd(dir, cmd, stdout);
	free(dir);
	return rc;
}

static int cmd_status(int argc, char **argv)
{
	char *dir;
	int rc;

	if (argc != 1)
		usage();
	dir = abs_dir(argv[0]);
	rc = ctl_cmd(dir, "status", stdout);
	free(dir);
	return rc;
}

/* Single-quote a string for the shell. */
static void print_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

static int cmd_env(int argc, char **argv)
{
	char sock[PATH_MAX + 32];
	unsigned int domid;
	struct stat st;
	char *dir;

	if (argc != 2)
		usage();
	dir = abs_dir(argv[0]);
	domid = parse_domid(argv[1]);
	snprintf(sock, sizeof(sock), "%s/xs-dom%u.sock", dir, domid);
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		die("no domain %u in %s (is xensimd running?)", domid, dir);
	printf("export XENSIM_DIR=");
	print_quoted(dir);
	printf("\nexport XENSIM_DOMID=%u\n", domid);
	printf("export XENSTORED_PATH=");
	print_quoted(sock);
	printf("\nexport LD_LIBRARY_PATH=");
	print_quoted(XENSIM_LIBDIR);
	printf("${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\n");
	free(dir);
	return 0;
}

/* Run a command as a domain: the environment of `env`, then exec. */
static int cmd_run(int argc, char **argv)
{
	char sock[PATH_MAX + 32], *lib;
	const char *old = getenv("LD_LIBRARY_PATH");
	unsigned int domid;
	struct stat st;
	char *dir, id[16];

	if (argc < 3)
		usage();
	dir = abs_dir(argv[0]);
	domid = parse_domid(argv[1]);
	snprintf(sock, sizeof(sock), "%s/xs-dom%u.sock", dir, domid);
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		die("no domain %u in %s (is xensimd running?)", domid, dir);
	snprintf(id, sizeof(id), "%u", domid);
	if (asprintf(&lib, "%s%s%s", XENSIM_LIBDIR, old && *old ? ":" : "",
		     old && *old ? old : "") < 0)
		die("out of memory");
	setenv("XENSIM_DIR", dir, 1);
	setenv("XENSIM_DOMID", id, 1);
	setenv("XENSTORED_PATH", sock, 1);
	setenv("LD_LIBRARY_PATH", lib, 1);
	free(lib);
	free(dir);
	execvp(argv[2], argv + 2);
	die("%s: %s", argv[2], strerror(errno));
}

/* ---------------- vif ---------------- */

static struct xs_handle *xs_dom0(const char *dir)
{
	char sock[PATH_MAX + 32];
	struct xs_handle *xs;

	snprintf(sock, sizeof(sock), "%s/xs-dom0.sock", dir);
	setenv("XENSTORED_PATH", sock, 1);
	xs = xs_open(0);
	if (!xs)
		die("cannot connect to the xenstore of %s: %s", dir,
		    strerror(errno));
	return xs;
}

static bool domain_exists(struct xs_handle *xs, unsigned int domid)
{
	char path[64];
	unsigned int len;
	void *v;

	snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
	v = xs_read(xs, XBT_NULL, path, &len);
	free(v);
	return v != NULL;
}

static bool xs_printf(struct xs_handle *xs, xs_transaction_t t,
		      const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool xs_printf(struct xs_handle *xs, xs_transaction_t t,
		      const char *path, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return xs_write(xs, t, path, buf, n);
}

struct kv {
	const char *key;
	char val[128];
};

static bool write_kvs(struct xs_handle *xs, xs_transaction_t t,
		      const char *dir, const struct kv *kv, size_t n,
		      struct xs_permissions *perms, unsigned int nperms)
{
	char path[512];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kv[i].key);
		if (!xs_write(xs, t, path, kv[i].val, strlen(kv[i].val)))
			return false;
		if (perms && !xs_set_permissions(xs, t, path, perms, nperms))
			return false;
	}
	return true;
}

/* Smallest devid not used by a vif of the frontend. */
static unsigned int next_devid(struct xs_handle *xs, unsigned int fe)
{
	char path[128];
	unsigned int n, i, devid = 0;
	char **ents;

	snprintf(path, sizeof(path), "/libxl/%u/device/vif", fe);
	ents = xs_directory(xs, XBT_NULL, path, &n);
	for (i = 0; ents && i < n; i++) {
		unsigned int d = strtoul(ents[i], NULL, 10);

		if (d >= devid)
			devid = d + 1;
	}
	free(ents);
	return devid;
}

static int cmd_vif_add(const char *dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "frontend", required_argument, NULL, 'f' },
		{ "backend", required_argument, NULL, 'b' },
		{ "devid", required_argument, NULL, 'd' },
		{ "mac", required_argument, NULL, 'm' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "bridge", required_argument, NULL, 'r' },
		{ "no-hotplug", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int fe = -1, be = -1, devid = -1, mtu = 1500, opt;
	const char *mac = NULL, *bridge = "xenbr0";
	char fe_path[128], be_path[128], lx_path[128], macbuf[32], path[256];
	struct xs_permissions fe_perms[2], ro_perms[2], be_perms[2];
	struct kv front[5], ro_front[1], back[11];
	size_t nfront = 0, nback = 0;
	bool hotplug = true, ok;
	unsigned int mb[6];
	struct xs_handle *xs;
	xs_transaction_t t;
	void *v;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': fe = parse_domid(optarg); break;
		case 'b': be = parse_domid(optarg); break;
		case 'd': devid = parse_uint(optarg, "devid"); break;
		case 'm': mac = optarg; break;
		case 'u': mtu = parse_uint(optarg, "mtu"); break;
		case 'r': bridge = optarg; break;
		case 'n': hotplug = false; break;
		default: usage();
		}
	}
	if (optind != argc || fe < 0 || be < 0)
		usage();
	if (fe == be)
		die("frontend and backend must be different domains");
	if (mac) {
		char extra;

		if (sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &mb[0], &mb[1],
			   &mb[2], &mb[3], &mb[4], &mb[5], &extra) != 6)
			die("bad MAC address '%s'", mac);
	}

	xs = xs_dom0(dir);
	if (!domain_exists(xs, fe))
		die("no domain %d", fe);
	if (!domain_exists(xs, be))
		die("no domain %d", be);
	if (devid < 0)
		devid = next_devid(xs, fe);
	if (!mac) {
		/* Xen's OUI, then a value derived from the device. */
		mb[0] = 0x00, mb[1] = 0x16, mb[2] = 0x3e;
		mb[3] = (fe >> 8) & 0x7f, mb[4] = fe & 0xff, mb[5] = devid & 0xff;
	}
	snprintf(macbuf, sizeof(macbuf), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mb[0], mb[1], mb[2], mb[3], mb[4], mb[5]);

	snprintf(fe_path, sizeof(fe_path), "/local/domain/%d/device/vif/%d",
		 fe, devid);
	snprintf(be_path, sizeof(be_path),
		 "/local/domain/%d/backend/vif/%d/%d", be, fe, devid);
	snprintf(lx_path, sizeof(lx_path), "/libxl/%d/device/vif/%d", fe,
		 devid);
	/* Only the toolstack's own record counts: the frontend directory is
	 * the guest's, whatever it left there is replaced. */
	v = xs_read(xs, XBT_NULL, lx_path, NULL);
	if (v) {
		free(v);
		die("vif %d of domain %d already exists", devid, fe);
	}

	/* The frontend owns its directory, the backend may read it... */
	fe_perms[0] = (struct xs_permissions){ .id = fe, .perms = XS_PERM_NONE };
	fe_perms[1] = (struct xs_permissions){ .id = be, .perms = XS_PERM_READ };
	/* ...and the reverse for the backend and the frontend's mtu. */
	ro_perms[0] = (struct xs_permissions){ .id = be, .perms = XS_PERM_NONE };
	ro_perms[1] = (struct xs_permissions){ .id = fe, .perms = XS_PERM_READ };
	memcpy(be_perms, ro_perms, sizeof(be_perms));

#define KV(arr, n, k, ...)                                                   \
	do {                                                                 \
		arr[n].key = k;                                              \
		snprintf(arr[n].val, sizeof(arr[n].val), __VA_ARGS__);      \
		n++;                                                         \
	} while (0)
	KV(back, nback, "frontend-id", "%d", fe);
	KV(back, nback, "online", "1");
	KV(back, nback, "state", "%d", XENBUS_INITIALISING);
	KV(back, nback, "script", "/etc/xen/scripts/vif-bridge");
	KV(back, nback, "mac", "%s", macbuf);
	if (mtu != 1500)
		KV(back, nback, "mtu", "%d", mtu);
	KV(back, nback, "bridge", "%s", bridge);
	KV(back, nback, "handle", "%d", devid);
	KV(back, nback, "type", "vif");
	KV(back, nback, "hotplug-status", "%s", "");
	KV(front, nfront, "backend-id", "%d", be);
	KV(front, nfront, "state", "%d", XENBUS_INITIALISING);
	KV(front, nfront, "handle", "%d", devid);
	KV(front, nfront, "mac", "%s", macbuf);
	KV(front, nfront, "trusted", "1");
	ro_front[0].key = "mtu";
	snprintf(ro_front[0].val, sizeof(ro_front[0].val), "%d", mtu);
#undef KV

	for (;;) {
		t = xs_transaction_start(xs);
		if (!t)
			die("transaction start: %s", strerror(errno));
		ok = xs_rm(xs, t, lx_path) || errno == ENOENT;
		snprintf(path, sizeof(path), "%s/frontend", lx_path);
		ok = ok && xs_write(xs, t, path, fe_path, strlen(fe_path));
		snprintf(path, sizeof(path), "%s/backend", lx_path);
		ok = ok && xs_write(xs, t, path, be_path, strlen(be_path));

		xs_rm(xs, t, fe_path);
		ok = ok && xs_mkdir(xs, t, fe_path) &&
		     xs_set_permissions(xs, t, fe_path, fe_perms, 2);
		snprintf(path, sizeof(path), "%s/backend", fe_path);
		ok = ok && xs_write(xs, t, path, be_path, strlen(be_path));
		ok = ok && write_kvs(xs, t, fe_path, front, nfront, fe_perms, 2);
		ok = ok && write_kvs(xs, t, fe_path, ro_front, 1, ro_perms, 2);

		xs_rm(xs, t, be_path);
		ok = ok && xs_mkdir(xs, t, be_path) &&
		     xs_set_permissions(xs, t, be_path, be_perms, 2);
		snprintf(path, sizeof(path), "%s/frontend", be_path);
		ok = ok && xs_write(xs, t, path, fe_path, strlen(fe_path));
		ok = ok && write_kvs(xs, t, be_path, back, nback, NULL, 0);
		/* libxl keeps a copy of the backend entries for itself. */
		ok = ok && write_kvs(xs, t, lx_path, back, nback, NULL, 0);
		if (!ok) {
			int err = errno;

			xs_transaction_end(xs, t, true);
			die("writing vif %d of domain %d: %s", devid, fe,
			    strerror(err));
		}
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN)
			die("transaction end: %s", strerror(errno));
	}
	/* What the vif-bridge hotplug script reports once it has run. */
	if (hotplug) {
		snprintf(path, sizeof(path), "%s/hotplug-status", be_path);
		if (!xs_printf(xs, XBT_NULL, path, "connected"))
			die("%s: %s", path, strerror(errno));
	}
	xs_close(xs);
	printf("vif %d: frontend %s backend %s\n", devid, fe_path, be_path);
	return 0;
}

static char *read_str(struct xs_handle *xs, const char *path)
{
	unsigned int len;

	return xs_read(xs, XBT_NULL, path, &len);
}

static int cmd_vif_remove(const char *dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "frontend", required_argument, NULL, 'f' },
		{ "devid", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	int fe = -1, devid = -1, timeout = 10, opt;
	char fe_path[128], lx_path[128], path[256], *be_path, *state;
	bool force = false, closed = false;
	struct xs_handle *xs;
	xs_transaction_t t;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'f': fe = parse_domid(optarg); break;
		case 'd': devid = parse_uint(optarg, "devid"); break;
		case 'F': force = true; break;
		case 't': timeout = parse_uint(optarg, "timeout"); break;
		default: usage();
		}
	}
	if (optind != argc || fe < 0 || devid < 0)
		usage();
	xs = xs_dom0(dir);
	snprintf(fe_path, sizeof(fe_path), "/local/domain/%d/device/vif/%d",
		 fe, devid);
	snprintf(lx_path, sizeof(lx_path), "/libxl/%d/device/vif/%d", fe,
		 devid);
	snprintf(path, sizeof(path), "%s/backend", lx_path);
	be_path = read_str(xs, path);
	if (!be_path) {
		snprintf(path, sizeof(path), "%s/backend", fe_path);
		be_path = read_str(xs, path);
	}
	if (!be_path)
		die("no vif %d in domain %d", devid, fe);
	/* The frontend's copy is the guest's to write: accept only a path of
	 * the right form, never remove anything else as dom0. */
	{
		unsigned int b, f, d;
		char extra;

		if (sscanf(be_path, "/local/domain/%u/backend/vif/%u/%u%c", &b,
			   &f, &d, &extra) != 3 ||
		    f != (unsigned int)fe || d != (unsigned int)devid)
			die("vif %d of domain %d: unexpected backend path '%s'",
			    devid, fe, be_path);
	}

	if (!force) {
		/* As libxl: offline, ask the backend to close, wait for it. */
		struct timespec start, now;
		char token[] = "xensim-vif-remove";

		snprintf(path, sizeof(path), "%s/state", be_path);
		state = read_str(xs, path);
		closed = !state || atoi(state) == XENBUS_CLOSED;
		free(state);
		if (!closed) {
			for (;;) {
				bool ok;

				t = xs_transaction_start(xs);
				snprintf(path, sizeof(path), "%s/online", be_path);
				ok = xs_write(xs, t, path, "0", 1);
				snprintf(path, sizeof(path), "%s/state", be_path);
				ok = ok && xs_printf(xs, t, path, "%d",
						     XENBUS_CLOSING);
				if (!ok) {
					xs_transaction_end(xs, t, true);
					break;
				}
				if (xs_transaction_end(xs, t, false) ||
				    errno != EAGAIN)
					break;
			}
			snprintf(path, sizeof(path), "%s/state", be_path);
			if (!xs_watch(xs, path, token))
				die("watch %s: %s", path, strerror(errno));
			clock_gettime(CLOCK_MONOTONIC, &start);
			while (!closed) {
				struct pollfd pfd = { .fd = xs_fileno(xs),
						      .events = POLLIN };
				long left;
				unsigned int n;
				char **ev;

				clock_gettime(CLOCK_MONOTONIC, &now);
				left = timeout * 1000L -
				       ((now.tv_sec - start.tv_sec) * 1000L +
					(now.tv_nsec - start.tv_nsec) / 1000000);
				if (left <= 0 || poll(&pfd, 1, left) <= 0)
					break;
				ev = xs_read_watch(xs, &n);
				free(ev);
				state = read_str(xs, path);
				closed = !state || atoi(state) == XENBUS_CLOSED;
				free(state);
			}
			xs_unwatch(xs, path, token);
			if (!closed)
				fprintf(stderr,
					"%s: backend %s did not close in %d s, "
					"removing anyway\n",
					prog, be_path, timeout);
		}
	}

	for (;;) {
		t = xs_transaction_start(xs);
		xs_rm(xs, t, fe_path);
		xs_rm(xs, t, be_path);
		xs_rm(xs, t, lx_path);
		if (xs_transaction_end(xs, t, false))
			break;
		if (errno != EAGAIN)
			die("removing vif %d of domain %d: %s", devid, fe,
			    strerror(errno));
	}
	free(be_path);
	xs_close(xs);
	return 0;
}

static int cmd_vif(int argc, char **argv)
{
	char *dir;
	int rc;

	if (argc < 2)
		usage();
	dir = abs_dir(argv[1]);
	/* getopt sees argv[0] as the program name. */
	if (!strcmp(argv[0], "add"))
		rc = cmd_vif_add(dir, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "remove"))
		rc = cmd_vif_remove(dir, argc - 1, argv + 1);
	else
		usage();
	free(dir);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "start"))
		return cmd_start(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stop"))
		return cmd_stop(argc - 2, argv + 2);
	if (!strcmp(argv[1], "domain"))
		return cmd_domain(argc - 2, argv + 2);
	if (!strcmp(argv[1], "vif"))
		return cmd_vif(argc - 2, argv + 2);
	if (!strcmp(argv[1], "env"))
		return cmd_env(argc - 2, argv + 2);
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage();
	die("unknown command '%s' (try --help)", argv[1]);
}
