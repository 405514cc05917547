/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensimd admin socket DIR/ctl.sock, used by the xensim CLI.
 *
 * Line protocol: the client sends one command per line; the daemon answers
 * with zero or more lines of output followed by a line "OK" or
 * "ERR <errno name> <message>".
 *
 *   ping
 *   domain create DOMID [NAME]
 *   domain destroy DOMID
 *   status                     domain, xs and hv lines, then OK
 *   stop                       OK, then the connection closes when the
 *                              daemon has exited
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xsimd.h"

#define CTL_LINE_MAX 512

struct ctl_conn {
	struct ctl_conn *next;
	int fd;
	char in[CTL_LINE_MAX];
	size_t inlen;
	bool stopping;
};

static int listen_fd = -1;
static char sock_path[128];
static struct ctl_conn *conns;

static void ctl_send(struct ctl_conn *c, const char *buf, size_t len)
{
	/* Replies are small; the client reads them at once. Block if needed. */
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = c->fd,
						      .events = POLLOUT };

				/* A CLI that does not read gets dropped. */
				if (poll(&pfd, 1, 5000) <= 0)
					return;
				continue;
			}
			return;
		}
		buf += n;
		len -= n;
	}
}

static void ctl_reply(struct ctl_conn *c, int err, const char *msg)
{
	char line[256];

	if (!err)
		snprintf(line, sizeof(line), "OK\n");
	else
		snprintf(line, sizeof(line), "ERR %s %s\n",
			 strerrorname_np(err) ? strerrorname_np(err) : "EIO",
			 msg ? msg : strerror(err));
	ctl_send(c, line, strlen(line));
}

static bool parse_domid(const char *s, uint32_t *domid)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 0xffff)
		return false;
	*domid = v;
	return true;
}

static void ctl_command(struct ctl_conn *c, char *line)
{
	char *argv[8];
	int argc = 0;
	char *save = NULL, *tok;
	uint32_t domid;

	for (tok = strtok_r(line, " \t", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (!argc) {
		ctl_reply(c, EINVAL, "empty command");
		return;
	}
	if (!strcmp(argv[0], "ping")) {
		ctl_reply(c, 0, NULL);
	} else if (!strcmp(argv[0], "status")) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f) {
			ctl_reply(c, ENOMEM, NULL);
			return;
		}
		xsimd_status(f);
		fclose(f);
		ctl_send(c, buf, len);
		free(buf);
		ctl_reply(c, 0, NULL);
	} else if (!strcmp(argv[0], "domain") && argc >= 3 &&
		   !strcmp(argv[1], "create")) {
		if (!parse_domid(argv[2], &domid) || argc > 4) {
			ctl_reply(c, EINVAL, "usage: domain create DOMID [NAME]");
			return;
		}
		ctl_reply(c, xsimd_domain_create(domid, argc > 3 ? argv[3] : NULL),
			  NULL);
	} else if (!strcmp(argv[0], "domain") && argc == 3 &&
		   !strcmp(argv[1], "destroy")) {
		if (!parse_domid(argv[2], &domid)) {
			ctl_reply(c, EINVAL, "usage: domain destroy DOMID");
			return;
		}
		ctl_reply(c, xsimd_domain_destroy(domid), NULL);
	} else if (!strcmp(argv[0], "stop")) {
		ctl_reply(c, 0, NULL);
		c->stopping = true;
		xsimd_request_stop(c->fd);
	} else {
		ctl_reply(c, ENOSYS, "unknown command");
	}
}

static void ctl_close(struct ctl_conn *c)
{
	struct ctl_conn **pp;

	for (pp = &conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	xsimd_unwatch_fd(c->fd);
	if (!c->stopping) /* else the core closes it at exit */
		close(c->fd);
	free(c);
}

static void ctl_conn_event(void *arg, uint32_t events)
{
	struct ctl_conn *c = arg;
	char *nl;
	ssize_t n;

	if (c->stopping)
		return;
	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ctl_close(c);
		return;
	}
	c->inlen += n;
	c->in[c->inlen] = 0;
	while (!c->stopping && (nl = strchr(c->in, '\n'))) {
		size_t used = nl - c->in + 1;

		*nl = 0;
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = 0;
		ctl_command(c, c->in);
		memmove(c->in, c->in + used, c->inlen - used + 1);
		c->inlen -= used;
	}
	if (c->inlen >= sizeof(c->in) - 1) {
		ctl_reply(c, E2BIG, "line too long");
		ctl_close(c);
	}
}

static void ctl_accept(void *arg, uint32_t events)
{
	struct ctl_conn *c;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	if (xsimd_watch_fd(fd, EPOLLIN, ctl_conn_event, c)) {
		close(fd);
		free(c);
		return;
	}
	c->next = conns;
	conns = c;
}

int ctl_init(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	if (snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", dir) >=
	    (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 16) < 0) {
		rc = -errno;
		close(listen_fd);
		listen_fd = -1;
		return rc;
	}
	rc = xsimd_watch_fd(listen_fd, EPOLLIN, ctl_accept, NULL);
	if (rc) {
		close(listen_fd);
		listen_fd = -1;
	}
	return rc;
}

void ctl_fini(void)
{
	while (conns)
		ctl_close(conns);
	if (listen_fd >= 0) {
		xsimd_unwatch_fd(listen_fd);
		close(listen_fd);
		listen_fd = -1;
		unlink(sock_path);
	}
}
