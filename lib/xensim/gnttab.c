/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop-in libxengnttab.so.1 for xensim: grant mapping and sharing through
 * xensimd, grant copy in the calling process with Xen's checks.
 * See doc/xensim-hv.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>

#include "client.h"

#define API __attribute__((visibility("default")))

struct peer {
	struct peer *next;
	uint32_t domid;
	struct hv_gnt_table *gt;
	uint8_t *pool;
	int pool_fd;
	int slot;          /* grant-copy pin slot, -1 if none yet */
	_Atomic bool dead; /* domain destroyed: attach again */
};

struct region {
	struct region *next;
	uint8_t *addr;
	uint32_t count;
	uint32_t nids;     /* maps: daemon map ids */
	uint32_t *ids;
	uint32_t *refs;    /* shares: ref per page, UINT32_MAX once unshared */
};

struct xengntdev_handle {
	struct xsim_conn c;
	const char *who;
	pthread_mutex_t lock;      /* peers, regions */
	pthread_mutex_t copy_lock; /* one grant copy batch at a time */
	struct peer *peers;
	struct peer *last;         /* grant copy lookup cache */
	struct peer *self;         /* our own domain's table (is it alive?) */
	struct region *maps, *shares;
};

static struct xengntdev_handle *handle_open(const char *who)
{
	struct xengntdev_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->who = who;
	if (xsim_connect(&h->c, who) < 0) {
		int e = errno;
		free(h);
		errno = e;
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->copy_lock, NULL);
	return h;
}

static void peer_unmap(struct peer *p)
{
	if (p->gt)
		munmap(p->gt, HV_GNT_TABLE_SIZE);
	if (p->pool)
		munmap(p->pool, HV_POOL_SIZE);
	if (p->pool_fd >= 0)
		close(p->pool_fd);
}

static int handle_close(struct xengntdev_handle *h)
{
	if (!h)
		return 0;
	while (h->maps) {
		struct region *r = h->maps;
		h->maps = r->next;
		munmap(r->addr, (size_t)r->count * HV_PAGE_SIZE);
		free(r->ids);
		free(r->refs);
		free(r);
	}
	while (h->shares) {
		struct region *r = h->shares;
		h->shares = r->next;
		munmap(r->addr, (size_t)r->count * HV_PAGE_SIZE);
		free(r->ids);
		free(r->refs);
		free(r);
	}
	/* Closing the connection makes the daemon release maps, shares and slots. */
	xsim_disconnect(&h->c);
	while (h->peers) {
		struct peer *p = h->peers;
		h->peers = p->next;
		peer_unmap(p);
		free(p);
	}
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->copy_lock);
	free(h);
	return 0;
}

/*
 * The grant table and page pool of a domain, mapped once per handle.
 * Caller holds h->lock. NULL with errno ESRCH if the domain does not exist.
 */
static struct peer *peer_get(struct xengntdev_handle *h, uint32_t domid)
{
	struct peer *p;

	for (p = h->peers; p; p = p->next)
		if (p->domid == domid && !p->dead) {
			if (!atomic_load(&p->gt->dead))
				return p;
			/* Destroyed (maybe re-created): keep the old mapping
			 * alive for concurrent users, attach again. */
			p->dead = true;
		}
	struct hv_msg q = { .op = HV_OP_ATTACH, .a = domid }, r;
	int fds[2];
	int rc = xsim_call(&h->c, &q, -1, &r, 0, fds, 2);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->domid = domid;
	p->slot = -1;
	p->pool_fd = fds[1];
	p->gt = mmap(NULL, HV_GNT_TABLE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (p->gt == MAP_FAILED) {
		p->gt = NULL;
		goto fail;
	}
	p->pool = mmap(NULL, HV_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		       fds[1], 0);
	if (p->pool == MAP_FAILED) {
		p->pool = NULL;
		goto fail;
	}
	close(fds[0]);
	if (p->gt->magic != HV_GNT_MAGIC || p->gt->nr_entries != HV_NR_GRANTS) {
		xsim_warn(h->who, "grant table of domain %u has a bad layout", domid);
		peer_unmap(p);
		free(p);
		errno = EPROTO;
		return NULL;
	}
	p->next = h->peers;
	h->peers = p;
	return p;
fail:
	if (p) {
		p->pool_fd = -1;
		peer_unmap(p);
		free(p);
	}
	close(fds[0]);
	close(fds[1]);
	errno = ENOMEM;
	return NULL;
}

/* Map count refs of domid (all in the pool of p) at addr. */
static int map_pages(uint8_t *addr, struct peer *p, const uint32_t *refs, uint32_t count,
		     int prot)
{
	for (uint32_t i = 0; i < count;) {
		uint32_t n = 1;
		while (i + n < count && refs[i + n] == refs[i] + n)
			n++;
		void *m = mmap(addr + (size_t)i * HV_PAGE_SIZE, (size_t)n * HV_PAGE_SIZE, prot,
			       MAP_SHARED | MAP_FIXED, p->pool_fd, (off_t)refs[i] * HV_PAGE_SIZE);
		if (m == MAP_FAILED)
			return -1;
		i += n;
	}
	return 0;
}

static void *reserve(uint32_t count)
{
	void *a = mmap(NULL, (size_t)count * HV_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return a == MAP_FAILED ? NULL : a;
}

static void send_unmap(struct xengntdev_handle *h, uint32_t id)
{
	struct hv_msg q = { .op = HV_OP_UNMAP, .a = id }, r;
	xsim_call(&h->c, &q, -1, &r, 0, NULL, 0);
}

static void send_unshare(struct xengntdev_handle *h, const uint32_t *refs, uint32_t count)
{
	struct hv_msg *q = xsim_msg(HV_OP_UNSHARE, HV_MAX_REFS), r;

	if (!q)
		return;
	for (uint32_t i = 0; i < count;) {
		uint32_t n = 0;
		while (i < count && n < HV_MAX_REFS) {
			if (refs[i] != UINT32_MAX)
				q->data[n++] = refs[i];
			i++;
		}
		if (!n)
			continue;
		q->count = n;
		q->op = HV_OP_UNSHARE;
		xsim_call(&h->c, q, -1, &r, 0, NULL, 0);
	}
	free(q);
}

static void *do_map(struct xengntdev_handle *h, uint32_t count, const uint32_t *domids,
		    uint32_t domid1, const uint32_t *refs, int prot, uint32_t flags,
		    uint32_t notify_off, uint32_t notify_port)
{
	if (!h || count == 0 || !refs) {
		errno = EINVAL;
		return NULL;
	}
	if (prot & PROT_WRITE)
		flags |= HV_F_WRITABLE;
	struct region *rg = calloc(1, sizeof(*rg));
	struct hv_msg *q = xsim_msg(HV_OP_MAP, HV_MAX_REFS), r;
	uint8_t *addr = reserve(count);
	if (rg)
		rg->ids = calloc(count, sizeof(uint32_t));
	if (!rg || !rg->ids || !q || !addr) {
		free(q);
		if (rg)
			free(rg->ids);
		free(rg);
		if (addr)
			munmap(addr, (size_t)count * HV_PAGE_SIZE);
		errno = ENOMEM;
		return NULL;
	}
	rg->addr = addr;
	rg->count = count;
	int err = 0;
	pthread_mutex_lock(&h->lock);
	for (uint32_t i = 0; i < count && !err;) {
		uint32_t dom = domids ? domids[i] : domid1;
		uint32_t n = 0;
		while (i + n < count && n < HV_MAX_REFS && (domids ? domids[i + n] : domid1) == dom) {
			q->data[n] = refs[i + n];
			n++;
		}
		struct peer *p = peer_get(h, dom);
		if (!p) {
			err = errno == ESRCH ? EINVAL : errno;
			break;
		}
		q->op = HV_OP_MAP;
		q->a = dom;
		q->b = flags;
		q->c = notify_off;
		q->d = notify_port;
		q->count = n;
		int rc = xsim_call(&h->c, q, -1, &r, 0, NULL, 0);
		if (rc) {
			err = -rc;
			break;
		}
		rg->ids[rg->nids++] = r.a;
		if (map_pages(addr + (size_t)i * HV_PAGE_SIZE, p, refs + i, n, prot) < 0) {
			err = errno;
			break;
		}
		i += n;
		/* Only the first chunk carries the unmap notification. */
		flags &= ~(HV_F_NOTIFY_BYTE | HV_F_NOTIFY_PORT);
	}
	if (err) {
		munmap(addr, (size_t)count * HV_PAGE_SIZE);
		for (uint32_t k = 0; k < rg->nids; k++)
			send_unmap(h, rg->ids[k]);
		pthread_mutex_unlock(&h->lock);
		free(rg->ids);
		free(rg);
		free(q);
		errno = err;
		return NULL;
	}
	rg->next = h->maps;
	h->maps = rg;
	pthread_mutex_unlock(&h->lock);
	free(q);
	return addr;
}

/* ---- xengnttab ---- */

API xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open("xengnttab");
}

API int xengnttab_close(xengnttab_handle *xgt)
{
	return handle_close(xgt);
}

API int xengnttab_fd(xengnttab_handle *xgt)
{
	return xgt->c.fd;
}

API void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	return do_map(xgt, 1, NULL, domid, &ref, prot, 0, 0, 0);
}

API void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
				   uint32_t *refs, int prot)
{
	if (!domids) {
		errno = EINVAL;
		return NULL;
	}
	return do_map(xgt, count, domids, 0, refs, prot, 0, 0, 0);
}

API void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
					  uint32_t *refs, int prot)
{
	return do_map(xgt, count, NULL, domid, refs, prot, 0, 0, 0);
}

API void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
					 int prot, uint32_t notify_offset,
					 evtchn_port_t notify_port)
{
	uint32_t flags = 0;

	if (notify_offset != (uint32_t)-1) {
		if (notify_offset >= HV_PAGE_SIZE || !(prot & PROT_WRITE)) {
			errno = EINVAL;
			return NULL;
		}
		flags |= HV_F_NOTIFY_BYTE;
	}
	if (notify_port != (evtchn_port_t)-1)
		flags |= HV_F_NOTIFY_PORT;
	return do_map(xgt, 1, NULL, domid, &ref, prot, flags, notify_offset, notify_port);
}

API int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	if (!xgt || !start_address) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xgt->lock);
	for (struct region **pr = &xgt->maps; *pr; pr = &(*pr)->next) {
		struct region *rg = *pr;
		if (rg->addr != start_address)
			continue;
		if (rg->count != count)
			break;
		*pr = rg->next;
		munmap(rg->addr, (size_t)rg->count * HV_PAGE_SIZE);
		for (uint32_t k = 0; k < rg->nids; k++)
			send_unmap(xgt, rg->ids[k]);
		pthread_mutex_unlock(&xgt->lock);
		free(rg->ids);
		free(rg);
		return 0;
	}
	pthread_mutex_unlock(&xgt->lock);
	errno = EINVAL;
	return -1;
}

API int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0; /* xensim has no per-handle limit to set */
}

/* ---- grant copy ---- */

static struct peer *copy_peer(struct xengntdev_handle *h, uint32_t domid, int16_t *st)
{
	struct peer *p = h->last;

	if (p && p->domid == domid && !p->dead && !atomic_load(&p->gt->dead) && p->slot >= 0)
		return p;
	pthread_mutex_lock(&h->lock);
	p = peer_get(h, domid);
	if (!p) {
		*st = errno == ESRCH ? GNTST_bad_domain : GNTST_general_error;
		pthread_mutex_unlock(&h->lock);
		return NULL;
	}
	if (p->slot < 0) {
		struct hv_msg q = { .op = HV_OP_SLOT, .a = domid }, r;
		int rc = xsim_call(&h->c, &q, -1, &r, 0, NULL, 0);
		if (rc == -ESRCH) {
			*st = GNTST_bad_domain;
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		if (rc || r.a == 0 || r.a >= HV_NR_PIN_SLOTS) {
			xsim_warn(h->who, "grant copy: no pin slot left on domain %u "
				  "(at most %u handles copy with one domain at a time)", domid,
				  HV_NR_PIN_SLOTS - 1);
			*st = GNTST_no_space;
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		p->slot = (int)r.a;
	}
	h->last = p;
	pthread_mutex_unlock(&h->lock);
	return p;
}

static int16_t copy_one(struct xengntdev_handle *h, xengnttab_grant_copy_segment_t *s)
{
	bool sg = s->flags & GNTCOPY_source_gref, dg = s->flags & GNTCOPY_dest_gref;
	struct peer *sp = NULL, *dp = NULL;
	struct hv_gnt_entry *se = NULL, *de = NULL;
	int16_t st = GNTST_okay;
	uint16_t ldom = (uint16_t)h->c.domid;
	const uint8_t *src;
	uint8_t *dst;

	/* As Xen: the domains first, then the grants, then the page bounds. */
	if (sg && !(sp = copy_peer(h, s->source.foreign.domid, &st)))
		return st;
	if (dg && !(dp = copy_peer(h, s->dest.foreign.domid, &st)))
		return st;
	if (sg) {
		if (s->source.foreign.ref >= HV_NR_GRANTS)
			return GNTST_bad_gntref;
		se = &sp->gt->e[s->source.foreign.ref];
		st = hv_pin(se, (unsigned)sp->slot, false, ldom);
		if (st != GNTST_okay)
			return st;
	}
	if (dg) {
		if (s->dest.foreign.ref >= HV_NR_GRANTS) {
			st = GNTST_bad_gntref;
			goto out;
		}
		de = &dp->gt->e[s->dest.foreign.ref];
		st = hv_pin(de, (unsigned)dp->slot, true, ldom);
		if (st != GNTST_okay) {
			de = NULL;
			goto out;
		}
	}
	if ((sg && (uint32_t)s->source.foreign.offset + s->len > HV_PAGE_SIZE) ||
	    (dg && (uint32_t)s->dest.foreign.offset + s->len > HV_PAGE_SIZE)) {
		st = GNTST_bad_copy_arg;
		goto out;
	}
	src = sg ? sp->pool + (size_t)s->source.foreign.ref * HV_PAGE_SIZE + s->source.foreign.offset
		 : (const uint8_t *)s->source.virt;
	dst = dg ? dp->pool + (size_t)s->dest.foreign.ref * HV_PAGE_SIZE + s->dest.foreign.offset
		 : (uint8_t *)s->dest.virt;
	memmove(dst, src, s->len);
out:
	if (de)
		hv_unpin(de, (unsigned)dp->slot, true);
	if (se)
		hv_unpin(se, (unsigned)sp->slot, false);
	return st;
}

API int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			     xengnttab_grant_copy_segment_t *segs)
{
	int rc = 0;

	if (!xgt || (count && !segs)) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xgt->copy_lock);
	if (!xgt->self) {
		pthread_mutex_lock(&xgt->lock);
		xgt->self = peer_get(xgt, xgt->c.domid);
		pthread_mutex_unlock(&xgt->lock);
	}
	if (!xgt->self || atomic_load(&xgt->self->gt->dead)) {
		/* our own domain was destroyed (or never existed): a dead
		 * domain runs no hypercalls */
		pthread_mutex_unlock(&xgt->copy_lock);
		errno = ESRCH;
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		xengnttab_grant_copy_segment_t *s = &segs[i];
		/* As Linux gntdev: local-to-local copies are refused. */
		if (!(s->flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref))) {
			errno = EINVAL;
			rc = -1;
			break;
		}
		s->status = copy_one(xgt, s);
	}
	pthread_mutex_unlock(&xgt->copy_lock);
	return rc;
}

/* ---- dmabuf: not modelled ---- */

static int no_dmabuf(const char *fn)
{
	xsim_warn("xengnttab", "%s: dma-buf is not supported by xensim", fn);
	errno = EOPNOTSUPP;
	return -1;
}

API int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid, uint32_t flags,
				       uint32_t count, const uint32_t *refs, uint32_t *fd)
{
	(void)xgt; (void)domid; (void)flags; (void)count; (void)refs; (void)fd;
	return no_dmabuf(__func__);
}

API int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd, uint32_t wait_to_ms)
{
	(void)xgt; (void)fd; (void)wait_to_ms;
	return no_dmabuf(__func__);
}

API int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid, uint32_t fd,
				     uint32_t count, uint32_t *refs)
{
	(void)xgt; (void)domid; (void)fd; (void)count; (void)refs;
	return no_dmabuf(__func__);
}

API int xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
	(void)xgt; (void)fd;
	return no_dmabuf(__func__);
}

/* ---- xengntshr ---- */

API xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return handle_open("xengntshr");
}

API int xengntshr_close(xengntshr_handle *xgs)
{
	return handle_close(xgs);
}

API int xengntshr_fd(xengntshr_handle *xgs)
{
	return xgs->c.fd;
}

static void *do_share(struct xengntdev_handle *h, uint32_t domid, uint32_t count,
		      uint32_t *refs, int writable, uint32_t flags, uint32_t notify_off,
		      uint32_t notify_port)
{
	if (!h || count == 0 || count > HV_NR_GRANTS || !refs || domid >= DOMID_FIRST_RESERVED) {
		errno = EINVAL;
		return NULL;
	}
	if (writable)
		flags |= HV_F_WRITABLE;
	struct region *rg = calloc(1, sizeof(*rg));
	struct hv_msg *r = xsim_msg(0, HV_MAX_REFS);
	uint8_t *addr = reserve(count);
	if (rg)
		rg->refs = malloc((size_t)count * sizeof(uint32_t));
	if (!rg || !rg->refs || !r || !addr) {
		if (rg)
			free(rg->refs);
		free(rg);
		free(r);
		if (addr)
			munmap(addr, (size_t)count * HV_PAGE_SIZE);
		errno = ENOMEM;
		return NULL;
	}
	rg->addr = addr;
	rg->count = count;
	int err = 0;
	uint32_t done = 0;
	pthread_mutex_lock(&h->lock);
	struct peer *self = peer_get(h, h->c.domid);
	if (!self)
		err = errno;
	while (!err && done < count) {
		uint32_t n = count - done < HV_MAX_REFS ? count - done : HV_MAX_REFS;
		/* SHARE: the number of pages is .count (data words unused). */
		struct hv_msg *qq = xsim_msg(HV_OP_SHARE, n);
		if (!qq) {
			err = ENOMEM;
			break;
		}
		qq->a = domid;
		qq->b = flags;
		qq->c = notify_off;
		qq->d = notify_port;
		qq->count = n;
		int rc = xsim_call(&h->c, qq, -1, r, HV_MAX_REFS, NULL, 0);
		free(qq);
		if (rc) {
			err = -rc;
			break;
		}
		memcpy(rg->refs + done, r->data, (size_t)n * sizeof(uint32_t));
		if (map_pages(addr + (size_t)done * HV_PAGE_SIZE, self, r->data, n,
			      PROT_READ | PROT_WRITE) < 0) {
			done += n;
			err = errno;
			break;
		}
		done += n;
		flags &= ~(HV_F_NOTIFY_BYTE | HV_F_NOTIFY_PORT);
	}
	if (err) {
		munmap(addr, (size_t)count * HV_PAGE_SIZE);
		send_unshare(h, rg->refs, done);
		pthread_mutex_unlock(&h->lock);
		free(rg->refs);
		free(rg);
		free(r);
		errno = err == ENOSPC ? ENOMEM : err;
		return NULL;
	}
	memcpy(refs, rg->refs, (size_t)count * sizeof(uint32_t));
	rg->next = h->shares;
	h->shares = rg;
	pthread_mutex_unlock(&h->lock);
	free(r);
	return addr;
}

API void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
				uint32_t *refs, int writable)
{
	if (count <= 0) {
		errno = EINVAL;
		return NULL;
	}
	return do_share(xgs, domid, (uint32_t)count, refs, writable, 0, 0, 0);
}

API void *xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid, uint32_t *ref,
				      int writable, uint32_t notify_offset,
				      evtchn_port_t notify_port)
{
	uint32_t flags = 0;

	if (notify_offset != (uint32_t)-1) {
		if (notify_offset >= HV_PAGE_SIZE) {
			errno = EINVAL;
			return NULL;
		}
		flags |= HV_F_NOTIFY_BYTE;
	}
	if (notify_port != (evtchn_port_t)-1)
		flags |= HV_F_NOTIFY_PORT;
	return do_share(xgs, domid, 1, ref, writable, flags, notify_offset, notify_port);
}

API int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	uint8_t *a = start_address;

	if (!xgs || !a || count == 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&xgs->lock);
	for (struct region **pr = &xgs->shares; *pr; pr = &(*pr)->next) {
		struct region *rg = *pr;
		if (a < rg->addr || a >= rg->addr + (size_t)rg->count * HV_PAGE_SIZE)
			continue;
		size_t first = (size_t)(a - rg->addr) / HV_PAGE_SIZE;
		if ((size_t)(a - rg->addr) % HV_PAGE_SIZE || first + count > rg->count)
			break;
		munmap(a, (size_t)count * HV_PAGE_SIZE);
		send_unshare(xgs, rg->refs + first, count);
		bool any = false;
		for (uint32_t k = 0; k < rg->count; k++) {
			if (k >= first && k < first + count)
				rg->refs[k] = UINT32_MAX;
			any |= rg->refs[k] != UINT32_MAX;
		}
		if (!any) {
			*pr = rg->next;
			free(rg->refs);
			free(rg);
		}
		pthread_mutex_unlock(&xgs->lock);
		return 0;
	}
	pthread_mutex_unlock(&xgs->lock);
	errno = EINVAL;
	return -1;
}
