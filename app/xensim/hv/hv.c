/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor part of xensimd: grant tables and event channels.
 *
 * Per domain N: a grant table and an event-channel area in memfds (shared
 * with the drop-in libraries, which check and pin entries themselves for
 * grant copies and set pending bits themselves for notifications), a page
 * pool memfd (page r backs grant ref r), and the socket DIR/hv-dom<N>.sock
 * whose connections act as domain N. Every connection is one library
 * handle; when it closes, everything it held is released.
 * See doc/xensim-hv.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/grant_table.h>

#include "../xsimd.h"
#include "hv_proto.h"

#define REF_FREE 0
#define REF_ACTIVE 1
#define REF_ZOMBIE 2

#define PORT_FREE 0
#define PORT_UNBOUND 1
#define PORT_INTER 2

struct hv_conn;

struct hv_ref {
	uint8_t state;
	uint8_t notify;     /* HV_F_NOTIFY_* at unshare */
	uint16_t notify_off;
	uint32_t notify_port;
	uint32_t owner;     /* connection slot + 1 (0: none) */
	uint32_t nmap_r, nmap_w;
};

struct hv_port {
	uint8_t state;
	uint16_t rdom;
	uint32_t rport;
	uint32_t owner;     /* connection slot + 1 */
};

struct hv_dom {
	uint32_t domid;
	uint64_t inc;       /* incarnation, to tell a re-created domain apart */
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int gnt_fd, pool_fd, evt_fd;
	struct hv_gnt_table *gt;
	struct hv_evt_area *ev;
	struct hv_ref *refs;
	uint32_t nr_grants;  /* refs not free */
	uint32_t nr_zombies;
	uint32_t hint;
	struct hv_port ports[HV_NR_PORTS];
	uint32_t nr_ports;
	uint32_t slot_owner[HV_NR_PIN_SLOTS]; /* connection slot + 1 */
	struct hv_dom *next;
};

struct hv_map {
	struct hv_map *next;
	uint32_t id;
	uint32_t domid;
	uint64_t inc;
	uint32_t flags;
	uint32_t notify_off, notify_port;
	uint32_t count;
	uint32_t refs[];
};

struct hv_conn {
	bool used;
	int fd;
	uint32_t domid;
	uint64_t dom_inc;
	struct hv_map *maps;
	uint32_t next_map_id;
	int evfd;           /* eventfd of an evtchn handle, or -1 */
};

static char g_dir[PATH_MAX];
static struct hv_dom *g_doms;
static uint64_t g_inc;
static struct hv_conn *g_conns;
static size_t g_nconns;
static int g_timer = -1;
static bool g_timer_armed;
static bool g_inited;

/* ------------------------------------------------------------------ */

static struct hv_dom *dom_find(uint32_t domid)
{
	for (struct hv_dom *d = g_doms; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

static struct hv_conn *conn_get(uint32_t id)
{
	if (id == 0 || id > g_nconns || !g_conns[id - 1].used)
		return NULL;
	return &g_conns[id - 1];
}

static bool pinned(struct hv_gnt_entry *e)
{
	return (atomic_load(&e->rpins) | atomic_load(&e->wpins)) != 0;
}

static void timer_arm(void)
{
	if (g_timer < 0 || g_timer_armed)
		return;
	struct itimerspec its = {
		.it_interval = { 0, 2000000 },
		.it_value = { 0, 2000000 },
	};
	if (timerfd_settime(g_timer, 0, &its, NULL) == 0)
		g_timer_armed = true;
}

static void evt_send(struct hv_dom *d, uint32_t port);

static void ref_free(struct hv_dom *d, uint32_t r)
{
	struct hv_ref *ref = &d->refs[r];

	atomic_store(&d->gt->e[r].hdr, 0);
	/* The next user of this frame gets a zeroed page, and memory goes back. */
	fallocate(d->pool_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)r * HV_PAGE_SIZE, HV_PAGE_SIZE);
	if (ref->state == REF_ZOMBIE)
		d->nr_zombies--;
	memset(ref, 0, sizeof(*ref));
	d->nr_grants--;
}

/* Revoke a grant: free now if nothing pins it, else keep it as a zombie. */
static void ref_revoke(struct hv_dom *d, uint32_t r)
{
	struct hv_gnt_entry *e = &d->gt->e[r];
	struct hv_ref *ref = &d->refs[r];

	if (ref->state != REF_ACTIVE)
		return;
	/* Unshare notification (gntalloc: when the sharer lets the page go). */
	if (ref->notify & HV_F_NOTIFY_BYTE) {
		uint8_t zero = 0;
		if (pwrite(d->pool_fd, &zero, 1,
			   (off_t)r * HV_PAGE_SIZE + ref->notify_off) != 1)
			xsimd_log("hv: dom%u ref %u: unshare notify byte failed", d->domid, r);
	}
	if (ref->notify & HV_F_NOTIFY_PORT)
		evt_send(d, ref->notify_port);
	ref->notify = 0;
	/* No new pin from here on (see hv_proto.h for the ordering). */
	atomic_fetch_and(&e->hdr, ~(uint32_t)GTF_type_mask);
	ref->owner = 0;
	if (!pinned(e)) {
		ref_free(d, r);
		return;
	}
	/* A copier may drop its pin between any two loads here, so the timer
	 * scan, not this one, decides when a zombie is free. It stops itself
	 * when no zombie is left pinned by a copy. */
	ref->state = REF_ZOMBIE;
	d->nr_zombies++;
	timer_arm();
}

static void zombie_check(struct hv_dom *d, uint32_t r)
{
	if (d->refs[r].state == REF_ZOMBIE && !pinned(&d->gt->e[r]))
		ref_free(d, r);
}

/* Returns true if some zombie is still pinned by a grant copy. */
static bool zombies_scan(struct hv_dom *d)
{
	bool copy_pinned = false;

	if (!d->nr_zombies)
		return false;
	for (uint32_t r = HV_GNT_RESERVED; r < HV_NR_GRANTS && d->nr_zombies; r++) {
		if (d->refs[r].state != REF_ZOMBIE)
			continue;
		zombie_check(d, r);
		if (d->refs[r].state == REF_ZOMBIE && HV_COPY_PINS(&d->gt->e[r]))
			copy_pinned = true;
	}
	return copy_pinned;
}

static void timer_cb(void *arg, uint32_t events)
{
	uint64_t n;
	bool again = false;

	(void)arg;
	(void)events;
	if (read(g_timer, &n, sizeof(n)) < 0)
		return;
	for (struct hv_dom *d = g_doms; d; d = d->next)
		again |= zombies_scan(d);
	if (!again) {
		struct itimerspec its = { 0 };
		timerfd_settime(g_timer, 0, &its, NULL);
		g_timer_armed = false;
	}
}

/* ------------------------------------------------------------------ */
/* grant operations */

static int alloc_refs(struct hv_dom *d, uint32_t count, uint32_t *refs)
{
	uint32_t n = HV_NR_GRANTS - HV_GNT_RESERVED;

	if (count == 0 || count > HV_NR_GRANTS - HV_GNT_RESERVED - d->nr_grants)
		return -ENOSPC;
	/* First a contiguous run, so the sharer maps it with one mmap. */
	for (uint32_t i = 0, run = 0; i < n; i++) {
		uint32_t r = HV_GNT_RESERVED + (d->hint + i) % n;
		if (r == HV_GNT_RESERVED)
			run = 0;
		run = d->refs[r].state == REF_FREE ? run + 1 : 0;
		if (run == count) {
			for (uint32_t k = 0; k < count; k++)
				refs[k] = r + 1 - count + k;
			d->hint = r + 1 - HV_GNT_RESERVED;
			return 0;
		}
	}
	for (uint32_t r = HV_GNT_RESERVED, k = 0; r < HV_NR_GRANTS && k < count; r++)
		if (d->refs[r].state == REF_FREE)
			refs[k++] = r;
	return 0;
}

static int op_share(struct hv_conn *c, uint32_t cid, struct hv_msg *q, struct hv_msg *p)
{
	struct hv_dom *d = dom_find(c->domid);
	uint32_t rdom = q->a, flags = q->b, count = q->count;

	if (!d)
		return -ESRCH;
	if (count == 0 || count > HV_MAX_REFS || rdom >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	int rc = alloc_refs(d, count, p->data);
	if (rc)
		return rc;
	for (uint32_t k = 0; k < count; k++) {
		uint32_t r = p->data[k];
		struct hv_ref *ref = &d->refs[r];
		memset(ref, 0, sizeof(*ref));
		ref->state = REF_ACTIVE;
		ref->owner = cid;
		if (count == 1 && (flags & (HV_F_NOTIFY_BYTE | HV_F_NOTIFY_PORT))) {
			ref->notify = flags & (HV_F_NOTIFY_BYTE | HV_F_NOTIFY_PORT);
			ref->notify_off = q->c & (HV_PAGE_SIZE - 1);
			ref->notify_port = q->d;
		}
		d->gt->e[r].frame = r;
		uint32_t h = GTF_permit_access | (rdom << 16);
		if (!(flags & HV_F_WRITABLE))
			h |= GTF_readonly;
		atomic_store(&d->gt->e[r].hdr, h);
		/* a late pinner that failed may still be clearing its bit */
		hv_fix_flags(&d->gt->e[r]);
		d->nr_grants++;
	}
	p->count = count;
	return 0;
}

static int op_unshare(struct hv_conn *c, uint32_t cid, struct hv_msg *q)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d)
		return -ESRCH;
	if (q->count > HV_MAX_REFS)
		return -EINVAL;
	for (uint32_t k = 0; k < q->count; k++) {
		uint32_t r = q->data[k];
		if (r >= HV_NR_GRANTS || d->refs[r].state != REF_ACTIVE ||
		    d->refs[r].owner != cid)
			return -EINVAL;
	}
	for (uint32_t k = 0; k < q->count; k++)
		ref_revoke(d, q->data[k]);
	return 0;
}

static void map_pin_release(struct hv_dom *rd, uint32_t r, bool writable)
{
	struct hv_ref *ref = &rd->refs[r];
	uint32_t *cnt = writable ? &ref->nmap_w : &ref->nmap_r;

	if (--*cnt == 0)
		hv_unpin(&rd->gt->e[r], HV_MAP_SLOT, writable);
	zombie_check(rd, r);
}

/* Xen's checks for mapping one grant; returns a GNTST_* code. */
static int map_pin(struct hv_dom *rd, uint32_t r, uint32_t ldom, bool writable)
{
	if (r >= HV_NR_GRANTS)
		return GNTST_bad_gntref;
	struct hv_gnt_entry *e = &rd->gt->e[r];
	struct hv_ref *ref = &rd->refs[r];
	uint32_t *cnt = writable ? &ref->nmap_w : &ref->nmap_r;

	if (*cnt == 0) {
		int st = hv_pin(e, HV_MAP_SLOT, writable, (uint16_t)ldom);
		if (st != GNTST_okay)
			return st;
	} else {
		/* slot 0 already holds it: the same checks, no new pin */
		uint32_t h = atomic_load(&e->hdr);
		if ((HV_HDR_FLAGS(h) & GTF_type_mask) != GTF_permit_access ||
		    HV_HDR_DOMID(h) != ldom || (writable && (HV_HDR_FLAGS(h) & GTF_readonly)))
			return GNTST_general_error;
	}
	(*cnt)++;
	return GNTST_okay;
}

static int op_map(struct hv_conn *c, struct hv_msg *q, struct hv_msg *p)
{
	uint32_t count = q->count;
	bool writable = q->b & HV_F_WRITABLE;
	struct hv_dom *rd;

	if (count == 0 || count > HV_MAX_REFS)
		return -EINVAL;
	rd = dom_find(q->a);
	if (!rd) {
		p->c = (uint32_t)GNTST_bad_domain;
		xsimd_log("hv: dom%u map of dom%u: GNTST_bad_domain", c->domid, q->a);
		return -EINVAL;
	}
	struct hv_map *m = malloc(sizeof(*m) + count * sizeof(uint32_t));
	if (!m)
		return -ENOMEM;
	for (uint32_t k = 0; k < count; k++) {
		int st = map_pin(rd, q->data[k], c->domid, writable);
		if (st != GNTST_okay) {
			uint32_t bad = k;

			while (k--)
				map_pin_release(rd, q->data[k], writable);
			free(m);
			p->c = (uint32_t)st;
			p->d = bad;
			xsimd_log("hv: dom%u map of dom%u ref %u: GNTST %d", c->domid,
				  q->a, q->data[bad], st);
			return -EINVAL;
		}
	}
	m->id = ++c->next_map_id;
	m->domid = rd->domid;
	m->inc = rd->inc;
	m->flags = q->b;
	m->notify_off = q->c;
	m->notify_port = q->d;
	m->count = count;
	memcpy(m->refs, q->data, count * sizeof(uint32_t));
	m->next = c->maps;
	c->maps = m;
	p->a = m->id;
	return 0;
}

static void map_release(struct hv_conn *c, struct hv_map *m)
{
	struct hv_dom *rd = dom_find(m->domid);
	struct hv_dom *ld = dom_find(c->domid);

	if (rd && rd->inc == m->inc) {
		if ((m->flags & HV_F_NOTIFY_BYTE) && (m->flags & HV_F_WRITABLE)) {
			uint8_t zero = 0;
			uint64_t off = (uint64_t)m->notify_off;
			uint32_t page = (uint32_t)(off / HV_PAGE_SIZE);
			if (page < m->count &&
			    pwrite(rd->pool_fd, &zero, 1,
				   (off_t)m->refs[page] * HV_PAGE_SIZE + off % HV_PAGE_SIZE) != 1)
				xsimd_log("hv: unmap notify byte failed");
		}
		for (uint32_t k = 0; k < m->count; k++)
			map_pin_release(rd, m->refs[k], m->flags & HV_F_WRITABLE);
	}
	if ((m->flags & HV_F_NOTIFY_PORT) && ld)
		evt_send(ld, m->notify_port);
	free(m);
}

static int op_unmap(struct hv_conn *c, struct hv_msg *q)
{
	for (struct hv_map **pm = &c->maps; *pm; pm = &(*pm)->next) {
		struct hv_map *m = *pm;
		if (m->id == q->a) {
			*pm = m->next;
			map_release(c, m);
			return 0;
		}
	}
	return -EINVAL;
}

static int op_attach(struct hv_msg *q, struct hv_msg *p, int *fds, int *nfds)
{
	struct hv_dom *rd = dom_find(q->a);

	if (!rd)
		return -ESRCH;
	fds[0] = rd->gnt_fd;
	fds[1] = rd->pool_fd;
	*nfds = 2;
	p->a = HV_NR_GRANTS;
	return 0;
}

static int op_slot(struct hv_conn *c, uint32_t cid, struct hv_msg *q, struct hv_msg *p)
{
	struct hv_dom *rd = dom_find(q->a);

	if (!rd)
		return -ESRCH;
	for (uint32_t s = 1; s < HV_NR_PIN_SLOTS; s++)
		if (rd->slot_owner[s] == cid) {
			p->a = s;
			return 0;
		}
	for (uint32_t s = 1; s < HV_NR_PIN_SLOTS; s++)
		if (!rd->slot_owner[s]) {
			rd->slot_owner[s] = cid;
			p->a = s;
			return 0;
		}
	xsimd_log("hv: dom%u: no free grant-copy slot on dom%u", c->domid, rd->domid);
	return -EBUSY;
}

static void slot_release(struct hv_dom *rd, uint32_t s)
{
	uint64_t bit = 1ull << s;

	rd->slot_owner[s] = 0;
	for (uint32_t r = 0; r < HV_NR_GRANTS; r++) {
		struct hv_gnt_entry *e = &rd->gt->e[r];
		if (!((atomic_load(&e->rpins) | atomic_load(&e->wpins)) & bit))
			continue;
		atomic_fetch_and(&e->rpins, ~bit);
		atomic_fetch_and(&e->wpins, ~bit);
		hv_fix_flags(e);
		zombie_check(rd, r);
	}
}

/* ------------------------------------------------------------------ */
/* event channels */

static void evt_kick(int evfd)
{
	uint64_t one = 1;
	if (evfd >= 0 && write(evfd, &one, sizeof(one)) < 0)
		xsimd_log("hv: eventfd write: %s", strerror(errno));
}

/* Mark port pending in dom d; wake its handle if it becomes deliverable. */
static void evt_raise(struct hv_dom *d, uint32_t port)
{
	uint32_t old = atomic_fetch_or(&d->ev->st[port], HV_EVT_PENDING);

	if (!(old & (HV_EVT_PENDING | HV_EVT_MASKED))) {
		struct hv_conn *o = conn_get(d->ports[port].owner);
		if (o)
			evt_kick(o->evfd);
	}
}

/* Send on local port of dom d (as EVTCHNOP_send). */
static void evt_send(struct hv_dom *d, uint32_t port)
{
	if (port == 0 || port >= HV_NR_PORTS || d->ports[port].state != PORT_INTER)
		return;
	struct hv_dom *rd = dom_find(d->ports[port].rdom);
	if (rd)
		evt_raise(rd, d->ports[port].rport);
}

static uint32_t port_alloc(struct hv_dom *d, uint32_t cid)
{
	for (uint32_t p = 1; p < HV_NR_PORTS; p++)
		if (d->ports[p].state == PORT_FREE) {
			d->ports[p].owner = cid;
			d->nr_ports++;
			/* New generation, neither pending nor masked. */
			uint32_t g = HV_EVT_GEN(atomic_load(&d->ev->st[p])) + 4;
			if (g == 0)
				g = 4;
			atomic_store(&d->ev->st[p], g);
			return p;
		}
	return 0;
}

static void port_close(struct hv_dom *d, uint32_t p)
{
	struct hv_port *pt = &d->ports[p];

	if (pt->state == PORT_FREE)
		return;
	if (pt->state == PORT_INTER) {
		struct hv_dom *rd = dom_find(pt->rdom);
		if (rd && rd->ports[pt->rport].state == PORT_INTER &&
		    rd->ports[pt->rport].rdom == d->domid &&
		    rd->ports[pt->rport].rport == p) {
			rd->ports[pt->rport].state = PORT_UNBOUND;
			rd->ports[pt->rport].rdom = (uint16_t)d->domid;
			rd->ports[pt->rport].rport = 0;
		}
	}
	/* Bump the generation so cached notifiers see the port went away. */
	uint32_t old = atomic_load(&d->ev->st[p]);
	uint32_t g = HV_EVT_GEN(old) + 4;
	if (g == 0)
		g = 4;
	/* If it was deliverable, its handle's eventfd keeps one count for
	 * it; the library treats a count without a port as spurious. */
	atomic_store(&d->ev->st[p], g);
	memset(pt, 0, sizeof(*pt));
	d->nr_ports--;
}

static int op_evt_unbound(struct hv_conn *c, uint32_t cid, struct hv_msg *q, struct hv_msg *p)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d || c->evfd < 0)
		return -EINVAL;
	uint32_t rdom = q->a == DOMID_SELF ? c->domid : q->a;
	if (rdom >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	uint32_t port = port_alloc(d, cid);
	if (!port)
		return -ENOSPC;
	d->ports[port].state = PORT_UNBOUND;
	d->ports[port].rdom = (uint16_t)rdom;
	p->a = port;
	p->b = HV_EVT_GEN(atomic_load(&d->ev->st[port]));
	return 0;
}

static int op_evt_bind(struct hv_conn *c, uint32_t cid, struct hv_msg *q, struct hv_msg *p)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d || c->evfd < 0)
		return -EINVAL;
	struct hv_dom *rd = dom_find(q->a == DOMID_SELF ? c->domid : q->a);
	if (!rd)
		return -ESRCH;
	uint32_t rp = q->b;
	if (rp == 0 || rp >= HV_NR_PORTS)
		return -EINVAL;
	struct hv_port *rpt = &rd->ports[rp];
	if (rpt->state != PORT_UNBOUND || rpt->rdom != c->domid)
		return -EINVAL;
	uint32_t port = port_alloc(d, cid);
	if (!port)
		return -ENOSPC;
	d->ports[port].state = PORT_INTER;
	d->ports[port].rdom = (uint16_t)rd->domid;
	d->ports[port].rport = rp;
	rpt->state = PORT_INTER;
	rpt->rdom = (uint16_t)d->domid;
	rpt->rport = port;
	p->a = port;
	p->b = HV_EVT_GEN(atomic_load(&d->ev->st[port]));
	/* As Xen: notifications sent to the unbound port may have been lost,
	 * so the new local port starts pending. */
	evt_raise(d, port);
	return 0;
}

static int op_evt_unbind(struct hv_conn *c, uint32_t cid, struct hv_msg *q)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d || q->a == 0 || q->a >= HV_NR_PORTS || d->ports[q->a].state == PORT_FREE ||
	    d->ports[q->a].owner != cid)
		return -ENOTCONN;
	port_close(d, q->a);
	return 0;
}

static int op_evt_peer(struct hv_conn *c, uint32_t cid, struct hv_msg *q, struct hv_msg *p,
		       int *fds, int *nfds)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d || q->a == 0 || q->a >= HV_NR_PORTS || d->ports[q->a].state == PORT_FREE ||
	    d->ports[q->a].owner != cid)
		return -ENOTCONN;
	struct hv_port *pt = &d->ports[q->a];
	p->c = 0;
	if (pt->state != PORT_INTER)
		return 0;
	struct hv_dom *rd = dom_find(pt->rdom);
	if (!rd)
		return 0;
	struct hv_conn *o = conn_get(rd->ports[pt->rport].owner);
	if (!o || o->evfd < 0)
		return 0;
	p->a = rd->domid;
	p->b = pt->rport;
	p->c = HV_EVT_GEN(atomic_load(&rd->ev->st[pt->rport]));
	fds[0] = rd->evt_fd;
	fds[1] = o->evfd;
	*nfds = 2;
	return 0;
}

static int op_notify(struct hv_conn *c, uint32_t cid, struct hv_msg *q)
{
	struct hv_dom *d = dom_find(c->domid);

	if (!d || q->a == 0 || q->a >= HV_NR_PORTS || d->ports[q->a].owner != cid)
		return -ENOTCONN;
	evt_send(d, q->a);
	return 0;
}

/* ------------------------------------------------------------------ */
/* connections */

static void conn_close(uint32_t cid)
{
	struct hv_conn *c = conn_get(cid);

	if (!c)
		return;
	xsimd_unwatch_fd(c->fd);
	close(c->fd);
	c->fd = -1;
	while (c->maps) {
		struct hv_map *m = c->maps;
		c->maps = m->next;
		map_release(c, m);
	}
	struct hv_dom *ld = dom_find(c->domid);
	if (ld && ld->inc == c->dom_inc) {
		for (uint32_t r = 0; r < HV_NR_GRANTS; r++)
			if (ld->refs[r].state == REF_ACTIVE && ld->refs[r].owner == cid)
				ref_revoke(ld, r);
		for (uint32_t p = 1; p < HV_NR_PORTS; p++)
			if (ld->ports[p].state != PORT_FREE && ld->ports[p].owner == cid)
				port_close(ld, p);
	}
	for (struct hv_dom *d = g_doms; d; d = d->next)
		for (uint32_t s = 1; s < HV_NR_PIN_SLOTS; s++)
			if (d->slot_owner[s] == cid)
				slot_release(d, s);
	if (c->evfd >= 0)
		close(c->evfd);
	c->evfd = -1;
	c->used = false;
}

static void conn_cb(void *arg, uint32_t events);

static int send_reply(int fd, struct hv_msg *p, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { p, sizeof(*p) + p->count * sizeof(uint32_t) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static void conn_cb(void *arg, uint32_t events)
{
	uint32_t cid = (uint32_t)(uintptr_t)arg;
	struct hv_conn *c = conn_get(cid);
	static uint32_t qbuf[HV_MSG_MAX / 4 + 1], pbuf[HV_MSG_MAX / 4 + 1];
	struct hv_msg *q = (struct hv_msg *)qbuf, *p = (struct hv_msg *)pbuf;
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	int rfd = -1, fds[2], nfds = 0;

	if (!c)
		return;
	struct iovec iov = { qbuf, HV_MSG_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(cid);
		return;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fp = (int *)CMSG_DATA(cm);
			for (int i = 0; i < k; i++) {
				if (rfd < 0)
					rfd = fp[i];
				else
					close(fp[i]);
			}
		}
	}
	(void)events;
	if ((size_t)n < sizeof(*q) || (mh.msg_flags & MSG_TRUNC) ||
	    (size_t)n != sizeof(*q) + (size_t)q->count * sizeof(uint32_t) ||
	    q->count > HV_MAX_REFS) {
		xsimd_log("hv: dom%u: malformed request, closing", c->domid);
		if (rfd >= 0)
			close(rfd);
		conn_close(cid);
		return;
	}
	memset(p, 0, sizeof(*p));
	p->op = q->op;
	int rc;
	switch (q->op) {
	case HV_OP_HELLO:
		p->a = c->domid;
		rc = 0;
		break;
	case HV_OP_ATTACH:
		rc = op_attach(q, p, fds, &nfds);
		break;
	case HV_OP_SLOT:
		rc = op_slot(c, cid, q, p);
		break;
	case HV_OP_SHARE:
		rc = op_share(c, cid, q, p);
		break;
	case HV_OP_UNSHARE:
		rc = op_unshare(c, cid, q);
		break;
	case HV_OP_MAP:
		rc = op_map(c, q, p);
		break;
	case HV_OP_UNMAP:
		rc = op_unmap(c, q);
		break;
	case HV_OP_EVT_OPEN: {
		struct hv_dom *d = dom_find(c->domid);
		if (rfd < 0 || c->evfd >= 0 || !d) {
			rc = -EINVAL;
			break;
		}
		c->evfd = rfd;
		rfd = -1;
		fds[0] = d->evt_fd;
		nfds = 1;
		rc = 0;
		break;
	}
	case HV_OP_EVT_UNBOUND:
		rc = op_evt_unbound(c, cid, q, p);
		break;
	case HV_OP_EVT_BIND:
		rc = op_evt_bind(c, cid, q, p);
		break;
	case HV_OP_EVT_UNBIND:
		rc = op_evt_unbind(c, cid, q);
		break;
	case HV_OP_EVT_PEER:
		rc = op_evt_peer(c, cid, q, p, fds, &nfds);
		break;
	case HV_OP_NOTIFY:
		rc = op_notify(c, cid, q);
		break;
	default:
		rc = -ENOSYS;
		break;
	}
	if (rfd >= 0)
		close(rfd);
	p->err = rc;
	if (rc)
		nfds = 0;
	c = conn_get(cid);
	if (c && send_reply(c->fd, p, fds, nfds) < 0)
		conn_close(cid);
}

static void listen_cb(void *arg, uint32_t events)
{
	uint32_t domid = (uint32_t)(uintptr_t)arg;
	struct hv_dom *d = dom_find(domid);

	(void)events;
	if (!d)
		return;
	int fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	size_t i;
	for (i = 0; i < g_nconns; i++)
		if (!g_conns[i].used)
			break;
	if (i == g_nconns) {
		size_t nn = g_nconns ? g_nconns * 2 : 64;
		struct hv_conn *nc = realloc(g_conns, nn * sizeof(*nc));
		if (!nc) {
			close(fd);
			return;
		}
		memset(nc + g_nconns, 0, (nn - g_nconns) * sizeof(*nc));
		g_conns = nc;
		g_nconns = nn;
	}
	struct hv_conn *c = &g_conns[i];
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->fd = fd;
	c->domid = d->domid;
	c->dom_inc = d->inc;
	c->evfd = -1;
	if (xsimd_watch_fd(fd, EPOLLIN, conn_cb, (void *)(uintptr_t)(i + 1)) < 0) {
		close(fd);
		c->used = false;
	}
}

/* ------------------------------------------------------------------ */
/* the interface of xsimd.h */

int hv_init(const char *dir)
{
	if (strlen(dir) >= sizeof(g_dir))
		return -ENAMETOOLONG;
	strcpy(g_dir, dir);
	g_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (g_timer < 0)
		return -errno;
	if (xsimd_watch_fd(g_timer, EPOLLIN, timer_cb, NULL) < 0) {
		close(g_timer);
		g_timer = -1;
		return -EIO;
	}
	g_inited = true;
	return 0;
}

static int make_memfd(const char *name, size_t size, void **map)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (map) {
		*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (*map == MAP_FAILED) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	return fd;
}

static void dom_free(struct hv_dom *d)
{
	if (d->lfd >= 0) {
		xsimd_unwatch_fd(d->lfd);
		close(d->lfd);
		unlink(d->path);
	}
	if (d->gt)
		munmap(d->gt, HV_GNT_TABLE_SIZE);
	if (d->ev)
		munmap(d->ev, HV_EVT_AREA_SIZE);
	if (d->gnt_fd >= 0)
		close(d->gnt_fd);
	if (d->pool_fd >= 0)
		close(d->pool_fd);
	if (d->evt_fd >= 0)
		close(d->evt_fd);
	free(d->refs);
	free(d);
}

int hv_domain_create(uint32_t domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	void *m;
	int rc;

	if (!g_inited)
		return -EINVAL;
	if (domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	if (dom_find(domid))
		return -EEXIST;
	struct hv_dom *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->domid = domid;
	d->inc = ++g_inc;
	d->lfd = d->gnt_fd = d->pool_fd = d->evt_fd = -1;
	d->refs = calloc(HV_NR_GRANTS, sizeof(*d->refs));
	if (!d->refs) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = make_memfd("xensim-gnttab", HV_GNT_TABLE_SIZE, &m);
	if (rc < 0)
		goto fail;
	d->gnt_fd = rc;
	d->gt = m;
	d->gt->magic = HV_GNT_MAGIC;
	d->gt->version = HV_GNT_VERSION;
	d->gt->domid = domid;
	d->gt->nr_entries = HV_NR_GRANTS;
	rc = make_memfd("xensim-pages", HV_POOL_SIZE, NULL);
	if (rc < 0)
		goto fail;
	d->pool_fd = rc;
	rc = make_memfd("xensim-evtchn", HV_EVT_AREA_SIZE, &m);
	if (rc < 0)
		goto fail;
	d->evt_fd = rc;
	d->ev = m;
	d->ev->magic = HV_EVT_MAGIC;
	d->ev->domid = domid;

	rc = snprintf(d->path, sizeof(d->path), "%s/hv-dom%u.sock", g_dir, domid);
	if (rc < 0 || (size_t)rc >= sizeof(d->path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	strcpy(sa.sun_path, d->path);
	d->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->lfd < 0) {
		rc = -errno;
		goto fail;
	}
	unlink(d->path);
	if (bind(d->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(d->lfd, 64) < 0) {
		rc = -errno;
		close(d->lfd);
		d->lfd = -1;
		goto fail;
	}
	if (xsimd_watch_fd(d->lfd, EPOLLIN, listen_cb, (void *)(uintptr_t)domid) < 0) {
		rc = -EIO;
		close(d->lfd);
		d->lfd = -1;
		unlink(d->path);
		goto fail;
	}
	d->next = g_doms;
	g_doms = d;
	xsimd_log("hv: domain %u created (%s)", domid, d->path);
	return 0;
fail:
	xsimd_log("hv: domain %u: create failed: %s", domid, strerror(-rc));
	dom_free(d);
	return rc;
}

void hv_domain_destroy(uint32_t domid)
{
	struct hv_dom *d = dom_find(domid);

	if (!d)
		return;
	/* Its handles go away (as the domain's processes would). */
	for (size_t i = 0; i < g_nconns; i++)
		if (g_conns[i].used && g_conns[i].domid == domid)
			conn_close((uint32_t)i + 1);
	/* Its grants are revoked. Mappings other domains hold keep their
	 * pages (the memfd lives on in their mappings) until they unmap. */
	for (uint32_t r = 0; r < HV_NR_GRANTS; r++)
		if (d->refs[r].state == REF_ACTIVE)
			ref_revoke(d, r);
	for (uint32_t p = 1; p < HV_NR_PORTS; p++)
		port_close(d, p);
	atomic_store(&d->gt->dead, 1);
	atomic_store(&d->ev->dead, 1);
	for (struct hv_dom **pd = &g_doms; *pd; pd = &(*pd)->next)
		if (*pd == d) {
			*pd = d->next;
			break;
		}
	/* Copy slots other handles held on this table die with it. */
	xsimd_log("hv: domain %u destroyed", domid);
	dom_free(d);
}

void hv_status(FILE *out)
{
	struct hv_dom *sorted[1024];
	size_t n = 0;

	for (struct hv_dom *d = g_doms; d && n < 1024; d = d->next)
		sorted[n++] = d;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && sorted[j - 1]->domid > sorted[j]->domid; j--) {
			struct hv_dom *t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		struct hv_dom *d = sorted[i];
		uint64_t maps = 0;
		for (size_t k = 0; k < g_nconns; k++) {
			if (!g_conns[k].used || g_conns[k].domid != d->domid)
				continue;
			for (struct hv_map *m = g_conns[k].maps; m; m = m->next)
				maps += m->count;
		}
		fprintf(out, "hv dom=%u grants=%u maps=%llu evtchns=%u\n", d->domid,
			d->nr_grants, (unsigned long long)maps, d->nr_ports);
	}
}

void hv_fini(void)
{
	while (g_doms)
		hv_domain_destroy(g_doms->domid);
	for (size_t i = 0; i < g_nconns; i++)
		if (g_conns[i].used)
			conn_close((uint32_t)i + 1);
	free(g_conns);
	g_conns = NULL;
	g_nconns = 0;
	if (g_timer >= 0) {
		xsimd_unwatch_fd(g_timer);
		close(g_timer);
		g_timer = -1;
	}
	g_inited = false;
}
