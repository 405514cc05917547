/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop-in libxenevtchn.so.1 for xensim. A handle is an eventfd (semaphore
 * mode: one count per deliverable port) plus the ports it bound; binding
 * goes through xensimd, notifications go straight to the peer's port word
 * and eventfd (obtained once from xensimd). Semantics of the Linux evtchn
 * device: a delivered port is masked until xenevtchn_unmask; events sent
 * meanwhile stay pending and are delivered once at unmask.
 * See doc/xensim-hv.md.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "client.h"

#define API __attribute__((visibility("default")))

struct area {
	struct area *next;
	uint32_t domid;
	struct hv_evt_area *a;
};

struct evport {
	uint32_t port;
	uint32_t gen;
	/* where a notify goes: cached from xensimd */
	bool peer_valid;
	uint32_t rdom, rport, rgen;
	struct hv_evt_area *ra;
	int rfd;
};

struct xenevtchn_handle {
	struct xsim_conn c;
	int efd;
	struct hv_evt_area *own;
	pthread_mutex_t lock;
	struct evport *ports;
	uint32_t nports, cap;
	uint32_t scan;
	struct area *areas;
	int restrict_dom;
};

static const char who[] = "xenevtchn";

API xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	struct xenevtchn_handle *h = calloc(1, sizeof(*h));
	int fd = -1;

	(void)logger;
	if (!h)
		return NULL;
	h->restrict_dom = -1;
	h->efd = eventfd(0, EFD_SEMAPHORE | ((flags & XENEVTCHN_NO_CLOEXEC) ? 0 : EFD_CLOEXEC));
	if (h->efd < 0)
		goto fail;
	if (xsim_connect(&h->c, who) < 0)
		goto fail;
	struct hv_msg q = { .op = HV_OP_EVT_OPEN }, r;
	int rc = xsim_call(&h->c, &q, h->efd, &r, 0, &fd, 1);
	if (rc) {
		errno = -rc;
		goto fail_conn;
	}
	h->own = mmap(NULL, HV_EVT_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h->own == MAP_FAILED)
		goto fail_conn;
	pthread_mutex_init(&h->lock, NULL);
	return h;
fail_conn:
	xsim_disconnect(&h->c);
fail: {
	int e = errno;
	if (h->efd >= 0)
		close(h->efd);
	free(h);
	errno = e;
	return NULL;
}
}

API xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
				       unsigned open_flags)
{
	(void)logger;
	(void)fd;
	(void)open_flags;
	xsim_warn(who, "xenevtchn_fdopen is not supported by xensim");
	errno = EOPNOTSUPP;
	return NULL;
}

API int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	xsim_disconnect(&xce->c); /* the daemon closes our ports */
	for (uint32_t i = 0; i < xce->nports; i++)
		if (xce->ports[i].rfd >= 0)
			close(xce->ports[i].rfd);
	free(xce->ports);
	while (xce->areas) {
		struct area *a = xce->areas;
		xce->areas = a->next;
		munmap(a->a, HV_EVT_AREA_SIZE);
		free(a);
	}
	munmap(xce->own, HV_EVT_AREA_SIZE);
	close(xce->efd);
	pthread_mutex_destroy(&xce->lock);
	free(xce);
	return 0;
}

API int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->efd;
}

static struct evport *find_port(xenevtchn_handle *h, uint32_t port)
{
	for (uint32_t i = 0; i < h->nports; i++)
		if (h->ports[i].port == port)
			return &h->ports[i];
	return NULL;
}

static int add_port(xenevtchn_handle *h, uint32_t port, uint32_t gen)
{
	if (h->nports == h->cap) {
		uint32_t nc = h->cap ? h->cap * 2 : 8;
		struct evport *np = realloc(h->ports, nc * sizeof(*np));
		if (!np)
			return -1;
		h->ports = np;
		h->cap = nc;
	}
	struct evport *ep = &h->ports[h->nports++];
	memset(ep, 0, sizeof(*ep));
	ep->port = port;
	ep->gen = gen;
	ep->rfd = -1;
	return 0;
}

static xenevtchn_port_or_error_t bind_common(xenevtchn_handle *h, uint32_t op, uint32_t domid,
					     uint32_t rport)
{
	if (h->restrict_dom >= 0 && domid != (uint32_t)h->restrict_dom) {
		errno = EPERM;
		return -1;
	}
	struct hv_msg q = { .op = op, .a = domid, .b = rport }, r;
	pthread_mutex_lock(&h->lock);
	int rc = xsim_call(&h->c, &q, -1, &r, 0, NULL, 0);
	if (rc) {
		pthread_mutex_unlock(&h->lock);
		errno = -rc;
		return -1;
	}
	if (add_port(h, r.a, r.b) < 0) {
		struct hv_msg u = { .op = HV_OP_EVT_UNBIND, .a = r.a };
		xsim_call(&h->c, &u, -1, &r, 0, NULL, 0);
		pthread_mutex_unlock(&h->lock);
		errno = ENOMEM;
		return -1;
	}
	pthread_mutex_unlock(&h->lock);
	return (xenevtchn_port_or_error_t)r.a;
}

API xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	return bind_common(xce, HV_OP_EVT_UNBOUND, domid, 0);
}

API xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
							 evtchn_port_t remote_port)
{
	return bind_common(xce, HV_OP_EVT_BIND, domid, remote_port);
}

API xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	(void)xce;
	xsim_warn(who, "xenevtchn_bind_virq(%u): virtual IRQs are not supported by xensim", virq);
	errno = EOPNOTSUPP;
	return -1;
}

API int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	pthread_mutex_lock(&xce->lock);
	struct evport *ep = find_port(xce, port);
	if (!ep) {
		pthread_mutex_unlock(&xce->lock);
		errno = ENOTCONN;
		return -1;
	}
	struct hv_msg q = { .op = HV_OP_EVT_UNBIND, .a = port }, r;
	int rc = xsim_call(&xce->c, &q, -1, &r, 0, NULL, 0);
	if (ep->rfd >= 0)
		close(ep->rfd);
	*ep = xce->ports[--xce->nports];
	pthread_mutex_unlock(&xce->lock);
	if (rc) {
		errno = -rc;
		return -1;
	}
	return 0;
}

static struct hv_evt_area *area_get(xenevtchn_handle *h, uint32_t domid, int fd)
{
	for (struct area *a = h->areas; a; a = a->next)
		if (a->domid == domid && !atomic_load(&a->a->dead)) {
			close(fd);
			return a->a;
		}
	struct area *a = calloc(1, sizeof(*a));
	if (!a) {
		close(fd);
		return NULL;
	}
	a->a = mmap(NULL, HV_EVT_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (a->a == MAP_FAILED) {
		free(a);
		return NULL;
	}
	a->domid = domid;
	a->next = h->areas;
	h->areas = a;
	return a->a;
}

/* Ask xensimd where port's notifications go. Caller holds the lock. */
static void peer_refresh(xenevtchn_handle *h, struct evport *ep)
{
	struct hv_msg q = { .op = HV_OP_EVT_PEER, .a = ep->port }, r;
	int fds[2];

	ep->peer_valid = false;
	if (ep->rfd >= 0) {
		close(ep->rfd);
		ep->rfd = -1;
	}
	if (xsim_call(&h->c, &q, -1, &r, 0, fds, 2) || r.c == 0) {
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return;
	}
	if (fds[0] < 0 || fds[1] < 0 || r.b == 0 || r.b >= HV_NR_PORTS) {
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return;
	}
	ep->ra = area_get(h, r.a, fds[0]);
	if (!ep->ra) {
		close(fds[1]);
		return;
	}
	ep->rdom = r.a;
	ep->rport = r.b;
	ep->rgen = r.c;
	ep->rfd = fds[1];
	ep->peer_valid = true;
}

API int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (atomic_load(&xce->own->dead)) {
		/* our domain was destroyed: it cannot send anything any more */
		errno = ESRCH;
		return -1;
	}
	pthread_mutex_lock(&xce->lock);
	struct evport *ep = find_port(xce, port);
	if (!ep) {
		pthread_mutex_unlock(&xce->lock);
		errno = ENOTCONN;
		return -1;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (!ep->peer_valid || tries)
			peer_refresh(xce, ep);
		if (!ep->peer_valid)
			break; /* not connected (yet): dropped, as Xen does */
		_Atomic uint32_t *st = &ep->ra->st[ep->rport];
		uint32_t w = atomic_load(st);
		bool stale = false;
		while (!(w & HV_EVT_PENDING)) {
			if (HV_EVT_GEN(w) != ep->rgen) {
				stale = true;
				break;
			}
			if (atomic_compare_exchange_weak(st, &w, w | HV_EVT_PENDING)) {
				if (!(w & HV_EVT_MASKED)) {
					uint64_t one = 1;
					if (write(ep->rfd, &one, sizeof(one)) < 0)
						(void)0;
				}
				break;
			}
		}
		if (!stale && HV_EVT_GEN(w) == ep->rgen)
			break;
	}
	pthread_mutex_unlock(&xce->lock);
	return 0;
}

API xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	for (;;) {
		uint64_t v;
		if (read(xce->efd, &v, sizeof(v)) < 0)
			return -1;
		pthread_mutex_lock(&xce->lock);
		uint32_t n = xce->nports;
		for (uint32_t k = 0; k < n; k++) {
			struct evport *ep = &xce->ports[(xce->scan + k) % n];
			_Atomic uint32_t *st = &xce->own->st[ep->port];
			uint32_t w = atomic_load(st);
			while (HV_EVT_GEN(w) == ep->gen && (w & HV_EVT_PENDING) &&
			       !(w & HV_EVT_MASKED)) {
				uint32_t nw = (w & ~HV_EVT_PENDING) | HV_EVT_MASKED;
				if (atomic_compare_exchange_weak(st, &w, nw)) {
					uint32_t port = ep->port;
					xce->scan = (xce->scan + k + 1) % n;
					pthread_mutex_unlock(&xce->lock);
					return (xenevtchn_port_or_error_t)port;
				}
			}
		}
		pthread_mutex_unlock(&xce->lock);
		/* A count left by a port unbound meanwhile. If nothing else is
		 * counted, do not block: the caller polled and was told there
		 * was something; let it poll again. */
		struct pollfd pfd = { .fd = xce->efd, .events = POLLIN };
		if (poll(&pfd, 1, 0) != 1) {
			errno = EAGAIN;
			return -1;
		}
	}
}

API int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	pthread_mutex_lock(&xce->lock);
	struct evport *ep = find_port(xce, port);
	if (!ep) {
		pthread_mutex_unlock(&xce->lock);
		errno = ENOTCONN;
		return -1;
	}
	_Atomic uint32_t *st = &xce->own->st[port];
	uint32_t w = atomic_load(st);
	while (HV_EVT_GEN(w) == ep->gen && (w & HV_EVT_MASKED)) {
		if (atomic_compare_exchange_weak(st, &w, w & ~HV_EVT_MASKED)) {
			if (w & HV_EVT_PENDING) {
				uint64_t one = 1;
				if (write(xce->efd, &one, sizeof(one)) < 0)
					(void)0;
			}
			break;
		}
	}
	pthread_mutex_unlock(&xce->lock);
	return 0;
}

API int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	xce->restrict_dom = domid;
	return 0;
}
