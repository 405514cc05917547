/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-ring server. It runs on the EAL interrupt thread, woken by
 * the control event channel (and by every xenstore event), under the
 * adapter lock. ADD/DEL change a queue's staging table with the queue's
 * gate closed, so a burst never sees a half-changed table and a
 * ref is never unmapped while a burst copies from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_alarm.h>
#include <rte_common.h>

#include "netback.h"
#include "netback_logs.h"

/* Requests served per wake-up; the rest after a short alarm. */
#define NETBACK_CTRL_BUDGET 64

/* What the Xen mapping callbacks of the staging table need. */
struct netback_gmap_ctx {
	struct netback_adapter *nb;
	grant_ref_t *busy;   /* refs named by unconsumed requests, sorted */
	unsigned int nr_busy;
};

static void *
netback_gmap_map(void *ctx, grant_ref_t ref, bool readonly)
{
	struct netback_gmap_ctx *c = ctx;

	return xengnttab_map_grant_ref(c->nb->gt, c->nb->args.domid, ref,
				       readonly ? PROT_READ : PROT_READ | PROT_WRITE);
}

static void
netback_gmap_unmap(void *ctx, void *addr)
{
	struct netback_gmap_ctx *c = ctx;

	xengnttab_unmap(c->nb->gt, addr, 1);
}

static int
ref_cmp(const void *a, const void *b)
{
	grant_ref_t x = *(const grant_ref_t *)a, y = *(const grant_ref_t *)b;

	return x < y ? -1 : x > y;
}

static bool
netback_gmap_in_use(void *ctx, grant_ref_t ref)
{
	struct netback_gmap_ctx *c = ctx;

	return c->nr_busy != 0 &&
	       bsearch(&ref, c->busy, c->nr_busy, sizeof(ref), ref_cmp) != NULL;
}

/*
 * Refs of requests the frontend posted and we have not consumed: the
 * frontend handed those pages to us, DEL of them is refused. Read with the
 * queue's gate closed (no burst runs); a frontend that scribbles
 * meanwhile only changes the answer it gets.
 */
static unsigned int
netback_busy_refs(struct netback_queue *q, grant_ref_t *out)
{
	unsigned int n = 0;
	RING_IDX prod;
	int avail;

	if (!q->up)
		return 0;
	avail = NETIF_BACK_REQ_AVAIL(&q->txr, &prod);
	for (int i = 0; i < avail; i++) {
		netif_tx_request_t r;

		RING_COPY_REQUEST(&q->txr, q->txr.req_cons + i, &r);
		out[n++] = r.gref;
	}
	avail = NETIF_BACK_REQ_AVAIL(&q->rxr, &prod);
	for (int i = 0; i < avail; i++) {
		netif_rx_request_t r;

		RING_COPY_REQUEST(&q->rxr, q->rxr.req_cons + i, &r);
		out[n++] = r.gref;
	}
	qsort(out, n, sizeof(*out), ref_cmp);
	return n;
}

static const struct netback_gmap_ops netback_gmap_ops_tmpl = {
	.map = netback_gmap_map,
	.unmap = netback_gmap_unmap,
	.in_use = netback_gmap_in_use,
};

void
netback_gmap_release(struct netback_queue *q)
{
	struct netback_gmap_ctx c = { .nb = q->nb };
	struct netback_gmap_ops ops = netback_gmap_ops_tmpl;

	ops.ctx = &c;
	netback_gmap_clear(&q->gmap, &ops);
}

static uint32_t
netback_ctrl_gref(struct netback_adapter *nb,
		  const struct xen_netif_ctrl_request *req, uint32_t *data)
{
	static struct xen_netif_gref list[NETIF_CTRL_GREF_MAX];
	grant_ref_t busy[NETIF_TX_RING_SIZE + NETIF_RX_RING_SIZE];
	struct netback_queue *q = nb->q[req->data[0]];
	struct netback_gmap_ctx c = { .nb = nb, .busy = busy };
	struct netback_gmap_ops ops = netback_gmap_ops_tmpl;
	struct xen_netif_gref *shared;
	struct netback_gmap_why why = { -1, NULL };
	unsigned int n = req->data[2], removed = 0, refused = 0;
	uint32_t st;

	ops.ctx = &c;
	shared = xengnttab_map_grant_ref(nb->gt, nb->args.domid, req->data[1],
					 PROT_READ | PROT_WRITE);
	if (shared == NULL) {
		PMD_DRV_LOG(NOTICE, "%s: %s: list page gref %u does not map (%s)",
			    nb->name, netif_ctrl_type_name(req->type),
			    req->data[1], strerror(errno));
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	}
	/* One copy of the list: the frontend cannot change it under us. */
	netif_ctrl_gref_copy(list, shared, n);

	netback_gate_close(&q->gate);
	if (req->type == XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING) {
		st = netback_gmap_add(&q->gmap, list, n, &ops, &why);
	} else {
		c.nr_busy = netback_busy_refs(q, busy);
		st = netback_gmap_del(&q->gmap, list, n, &ops, &removed, &refused);
	}
	netback_gate_open(&q->gate);

	for (unsigned int i = 0; i < n; i++)
		__atomic_store_n(&shared[i].status, list[i].status, __ATOMIC_RELAXED);
	xengnttab_unmap(nb->gt, shared, 1);

	if (req->type == XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING) {
		if (st == XEN_NETIF_CTRL_STATUS_SUCCESS) {
			nb->cnt[NETBACK_GREF_ADD_OK] += n;
			nb->cnt[NETBACK_GREF_MAPPED] += n;
		} else {
			nb->cnt[NETBACK_GREF_ADD_FAIL]++;
			PMD_DRV_LOG(NOTICE, "%s: ADD_GREF_MAPPING of %u refs on queue %u "
				    "refused: %s (entry %d)", nb->name, n, q->qid,
				    why.what, why.idx);
		}
		return st;
	}
	nb->cnt[NETBACK_GREF_DEL_OK] += removed;
	nb->cnt[NETBACK_GREF_MAPPED] -= RTE_MIN((uint64_t)removed,
						nb->cnt[NETBACK_GREF_MAPPED]);
	nb->cnt[NETBACK_GREF_DEL_REFUSED] += refused;
	nb->cnt[NETBACK_GREF_DEL_UNKNOWN] += n - removed - refused;
	if (removed != n)
		PMD_DRV_LOG(NOTICE, "%s: DEL_GREF_MAPPING on queue %u: %u of %u "
			    "removed, %u still in use, %u not mapped", nb->name,
			    q->qid, removed, n, refused, n - removed - refused);
	*data = removed;
	return st;
}

static void
netback_ctrl_one(struct netback_adapter *nb,
		 const struct xen_netif_ctrl_request *req,
		 struct xen_netif_ctrl_response *rsp)
{
	bool staging = nb->args.copy != NETBACK_COPY_GRANT &&
		       nb->args.gref_map_size != 0;
	uint32_t st = netif_ctrl_req_check(req, nb->fe_queues);
	uint32_t data = 0;

	nb->cnt[NETBACK_CTRL_REQS]++;
	if (st == XEN_NETIF_CTRL_STATUS_SUCCESS) {
		switch (req->type) {
		case XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE:
			if (staging)
				data = netback_gmap_free(&nb->q[req->data[0]]->gmap);
			else
				st = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
			break;
		case XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING:
		case XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING:
			if (staging)
				st = netback_ctrl_gref(nb, req, &data);
			else
				st = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
			break;
		default:
			/* Hashing: packets are not steered by hash here. */
			st = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
			break;
		}
	} else if (st != XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED) {
		nb->cnt[NETBACK_CTRL_BAD]++;
		if (netback_log_due(nb->cnt[NETBACK_CTRL_BAD]))
			PMD_DRV_LOG(NOTICE, "%s: malformed control request %s "
				    "(data %u %u %u): status %u", nb->name,
				    netif_ctrl_type_name(req->type), req->data[0],
				    req->data[1], req->data[2], st);
	}
	if (st == XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED)
		nb->cnt[NETBACK_CTRL_NOTSUP]++;
	netif_ctrl_rsp(rsp, req, st, data);
}

static void
netback_ctrl_alarm(void *arg)
{
	struct netback_adapter *nb = arg;

	pthread_mutex_lock(&nb->lock);
	if (nb->ctrl_up)
		netback_ctrl_serve(nb);
	pthread_mutex_unlock(&nb->lock);
}

/* Serve what the control ring holds (under nb->lock). */
void
netback_ctrl_serve(struct netback_adapter *nb)
{
	xen_netif_ctrl_back_ring_t *r = &nb->ctrl;
	unsigned int done = 0;
	RING_IDX prod = 0;
	int avail;

	if (__atomic_load_n(&nb->broken, __ATOMIC_ACQUIRE))
		return;
	for (;;) {
		avail = NETIF_BACK_REQ_AVAIL(r, &prod);
		if (avail < 0) {
			nb->cnt[NETBACK_CTRL_BAD_INDEX]++;
			if (netback_break(nb))
				PMD_DRV_LOG(ERR, "%s: control ring: req_prod %u is more "
					    "than a ring ahead of %u: the frontend broke "
					    "the protocol, vif marked broken", nb->name,
					    __atomic_load_n(&r->sring->req_prod,
							    __ATOMIC_RELAXED),
					    r->rsp_prod_pvt);
			return;
		}
		if (avail == 0) {
			/* Ask for a notification, then look once more. */
			NETIF_BACK_ARM(r);
			if (NETIF_BACK_REQ_AVAIL(r, &prod) == 0)
				break;
			continue;
		}
		if (done >= NETBACK_CTRL_BUDGET) {
			rte_eal_alarm_set(1000, netback_ctrl_alarm, nb);
			break;
		}
		while (avail-- > 0 && done < NETBACK_CTRL_BUDGET) {
			struct xen_netif_ctrl_request req;
			struct xen_netif_ctrl_response rsp;

			RING_COPY_REQUEST(r, r->req_cons, &req);
			r->req_cons++;
			netback_ctrl_one(nb, &req, &rsp);
			*RING_GET_RESPONSE(r, r->rsp_prod_pvt) = rsp;
			r->rsp_prod_pvt++;
			done++;
		}
		if (NETIF_PUSH_RESPONSES(r))
			xenevtchn_notify(nb->ev_ctrl, nb->ctrl_port);
	}
}

/* Close: no deferred control-ring pass may run after this. */
void
netback_ctrl_cancel(struct netback_adapter *nb)
{
	rte_eal_alarm_cancel(netback_ctrl_alarm, nb);
}

void
netback_ctrl_intr(void *arg)
{
	struct netback_adapter *nb = arg;
	xenevtchn_port_or_error_t port = xenevtchn_pending(nb->ev_ctrl);

	if (port >= 0)
		xenevtchn_unmask(nb->ev_ctrl, (evtchn_port_t)port);
	pthread_mutex_lock(&nb->lock);
	if (nb->ctrl_up)
		netback_ctrl_serve(nb);
	pthread_mutex_unlock(&nb->lock);
}
