/* SPDX-License-Identifier: BSD-3-Clause */
/* Connection of a drop-in library handle to xensimd. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

void xsim_warn(const char *who, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xensim %s: %s\n", who, buf);
}

struct hv_msg *xsim_msg(uint32_t op, uint32_t n)
{
	struct hv_msg *m = calloc(1, sizeof(*m) + (size_t)n * sizeof(uint32_t));
	if (m)
		m->op = op;
	return m;
}

int xsim_connect(struct xsim_conn *c, const char *who)
{
	const char *dir = getenv("XENSIM_DIR");
	const char *dom = getenv("XENSIM_DOMID");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *end;

	c->fd = -1;
	if (!dir || !dom || !*dom) {
		xsim_warn(who, "XENSIM_DIR and XENSIM_DOMID must be set (see `xensim env`)");
		errno = ENOENT;
		return -1;
	}
	unsigned long id = strtoul(dom, &end, 10);
	if (*end || id >= 0x7ff0) {
		xsim_warn(who, "bad XENSIM_DOMID '%s'", dom);
		errno = EINVAL;
		return -1;
	}
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/hv-dom%lu.sock", dir, id);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		xsim_warn(who, "socket path under '%s' too long", dir);
		errno = ENAMETOOLONG;
		return -1;
	}
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		xsim_warn(who, "cannot connect to %s: %s (is xensimd running, domain %lu created?)",
			  sa.sun_path, strerror(e), id);
		close(c->fd);
		c->fd = -1;
		errno = e;
		return -1;
	}
	c->domid = (uint32_t)id;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

void xsim_disconnect(struct xsim_conn *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		pthread_mutex_destroy(&c->lock);
	}
}

int xsim_call(struct xsim_conn *c, struct hv_msg *q, int sendfd,
	      struct hv_msg *p, uint32_t pmax, int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { q, sizeof(*q) + (size_t)q->count * sizeof(uint32_t) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int rc = 0;

	for (int i = 0; i < nfds; i++)
		fds[i] = -1;
	if (sendfd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sendfd, sizeof(int));
	}
	pthread_mutex_lock(&c->lock);
	ssize_t n;
	do
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rc = -EIO;
		goto out;
	}
	iov.iov_base = p;
	iov.iov_len = sizeof(*p) + (size_t)pmax * sizeof(uint32_t);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(*p)) {
		rc = -EIO;
		goto out;
	}
	int k = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		int cnt = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fp = (int *)CMSG_DATA(cm);
		for (int i = 0; i < cnt; i++) {
			if (k < nfds)
				fds[k++] = fp[i];
			else
				close(fp[i]);
		}
	}
	if ((mh.msg_flags & MSG_TRUNC) || p->count > pmax || p->op != q->op) {
		rc = -EIO;
		goto out;
	}
	rc = p->err;
out:
	pthread_mutex_unlock(&c->lock);
	if (rc == -EIO) {
		for (int i = 0; i < nfds; i++)
			if (fds[i] >= 0) {
				close(fds[i]);
				fds[i] = -1;
			}
		xsim_warn("lib", "lost the connection to xensimd");
	} else if (rc) {
		for (int i = 0; i < nfds; i++)
			if (fds[i] >= 0) {
				close(fds[i]);
				fds[i] = -1;
			}
	}
	return rc;
}
