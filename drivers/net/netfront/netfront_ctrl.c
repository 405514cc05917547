/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control ring and staging grants.
 *
 * A backend that serves GET/ADD/DEL_GREF_MAPPING keeps the pages we register
 * mapped, so it copies packet data with memcpy instead of a grant copy
 * hypercall per slot. We register RX pool pages first (the backend writes
 * them), then TX staging pages and application pools (read only), as many as
 * GET_GREF_MAPPING_SIZE allows, and DEL them before we revoke them.
 *
 * Messages are sent one at a time from the control path (start, stop) and
 * the answer is polled for, with the connect timeout. The backend is
 * untrusted: answers are checked against the request they must answer; a
 * late answer to an earlier request is counted and skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "netfront.h"
#include "netfront_logs.h"
#include "netif_ctrl.h"

int
netfront_ctrl_setup(struct netfront_adapter *nf)
{
	struct netfront_ctrl *c = &nf->ctrl;
	int rc;

	if (c->pages.base != NULL)
		return 0;
	/* page 0: the ring; page 1: GREF lists */
	rc = netfront_pages_share(nf, &c->pages, 2, "the control ring");
	if (rc != 0)
		return rc;
	return 0;
}

void
netfront_ctrl_release(struct netfront_adapter *nf)
{
	netfront_pages_unshare(nf, &nf->ctrl.pages);
}

void
netfront_ctrl_start(struct netfront_adapter *nf)
{
	struct netfront_ctrl *c = &nf->ctrl;
	xen_netif_ctrl_sring_t *s = c->pages.base;

	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&c->ring, s, NETIF_PAGE_SIZE);
	NETIF_FRONT_DISARM(&c->ring);
}

/* Send one request and wait for its answer. */
static int
ctrl_call(struct netfront_adapter *nf, uint16_t type, uint32_t d0, uint32_t d1,
	  uint32_t d2, struct xen_netif_ctrl_response *rsp)
{
	struct netfront_ctrl *c = &nf->ctrl;
	xen_netif_ctrl_front_ring_t *r = &c->ring;
	struct xen_netif_ctrl_request sent;
	uint64_t deadline = rte_get_timer_cycles() +
			    rte_get_timer_hz() * nf->args.connect_timeout_ms / 1000;
	RING_IDX prod;

	if (NETIF_FRONT_FREE(r) == 0)
		return -ENOSPC;
	netif_ctrl_req(&sent, c->next_id++, type, d0, d1, d2);
	*RING_GET_REQUEST(r, r->req_prod_pvt) = sent;
	r->req_prod_pvt++;
	if (NETIF_PUSH_REQUESTS(r))
		xenevtchn_notify(nf->xce, c->port);

	while (rte_get_timer_cycles() < deadline) {
		int avail = NETIF_FRONT_RSP_AVAIL(r, &prod);
		enum netif_err e;

		if (avail < 0) {
			c->bad_rsp++;
			PMD_DRV_LOG(ERR, "%s: control ring response index out of range",
				    nf->dev->data->name);
			return -EPROTO;
		}
		if (avail == 0) {
			rte_delay_us_sleep(50);
			continue;
		}
		RING_COPY_RESPONSE(r, r->rsp_cons, rsp);
		r->rsp_cons++;
		e = netif_ctrl_rsp_check(rsp, &sent);
		if (e == NETIF_E_ID) {
			c->bad_rsp++; /* e.g. a late answer to a timed-out request */
			if (netfront_log_due(c->bad_rsp))
				PMD_DRV_LOG(NOTICE, "%s: control answer with id %u skipped "
					    "while waiting for %u (late or bogus) [#%" PRIu64 "]",
					    nf->dev->data->name, rsp->id, sent.id, c->bad_rsp);
			continue;
		}
		if (e != NETIF_OK) {
			c->bad_rsp++;
			PMD_DRV_LOG(ERR, "%s: bad answer to %s: %s", nf->dev->data->name,
				    netif_ctrl_type_name(type), netif_strerr(e));
			return -EPROTO;
		}
		return 0;
	}
	c->timeouts++;
	PMD_DRV_LOG(ERR, "%s: no answer to %s within %u ms", nf->dev->data->name,
		    netif_ctrl_type_name(type), nf->args.connect_timeout_ms);
	return -ETIMEDOUT;
}

/*
 * ADD or DEL the pages of p whose done-flag equals `want_done` (not yet
 * registered for ADD, registered for DEL), at most `budget` of them, in
 * lists of at most 512. Returns the number of pages whose flag changed.
 */
static int
gref_batch(struct netfront_adapter *nf, unsigned int queue,
	   struct netfront_pages *p, bool add, unsigned int budget)
{
	struct netfront_ctrl *c = &nf->ctrl;
	struct xen_netif_gref *list =
		(struct xen_netif_gref *)((char *)c->pages.base + NETIF_PAGE_SIZE);
	uint16_t flags = add && !p->writable_for_peer ? XEN_NETIF_CTRLF_GREF_readonly : 0;
	unsigned int idx[NETIF_CTRL_GREF_MAX];
	uint8_t done[NETIF_CTRL_GREF_MAX];
	struct xen_netif_ctrl_response rsp;
	unsigned int changed = 0, i = 0;
	int rc;

	while (i < p->count && changed < budget) {
		unsigned int n = 0, got;

		for (; i < p->count && n < NETIF_CTRL_GREF_MAX &&
		       changed + n < budget; i++) {
			if (p->registered[i] == add)
				continue;
			idx[n] = i;
			netif_ctrl_gref_fill(&list[n], &p->refs[i], 1, flags);
			n++;
		}
		if (n == 0)
			break;
		rc = ctrl_call(nf, add ? XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING :
					 XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING,
			       queue, c->pages.refs[1], n, &rsp);
		if (rc != 0)
			return rc;
		if (rsp.status == XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED)
			return -ENOTSUP;
		got = netif_ctrl_gref_done(list, n, rsp.status, done);
		for (unsigned int k = 0; k < n; k++)
			if (done[k])
				p->registered[idx[k]] = add;
		changed += got;
		c->registered = add ? c->registered + got : c->registered - got;
		if (got < n) {
			c->refused += n - got;
			if (add)
				break; /* the backend is full, or refuses these */
		}
	}
	return (int)changed;
}

/*
 * The page sets registered with queue q's table, in order: its RX pool, its
 * TX staging pages, and (queue 0 only) the application pools. The backend
 * keeps one table per queue and looks a slot's gref up in the table of the
 * queue the slot came on.
 */
static struct netfront_pages *
next_page_set(struct netfront_adapter *nf, unsigned int q, unsigned int *it)
{
	struct rte_eth_dev_data *d = nf->dev->data;

	while (*it < 2 + NETFRONT_MAX_APP_POOLS) {
		unsigned int k = (*it)++;

		if (k == 0 && q < d->nb_rx_queues && d->rx_queues[q] != NULL)
			return &((struct netfront_rxq *)d->rx_queues[q])->pool.pages;
		if (k == 1 && q < d->nb_tx_queues && d->tx_queues[q] != NULL)
			return &((struct netfront_txq *)d->tx_queues[q])->staging;
		if (k >= 2 && q == 0 && k - 2 < nf->nr_app_pools)
			return &nf->app_pools[k - 2]->pages;
	}
	return NULL;
}

/* Register what queue q's table has room for. */
static int
staging_register_queue(struct netfront_adapter *nf, unsigned int q)
{
	struct xen_netif_ctrl_response rsp;
	struct netfront_pages *p;
	unsigned int it = 0, room;
	int rc;

	rc = ctrl_call(nf, XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, q, 0, 0, &rsp);
	if (rc != 0)
		return rc;
	if (rsp.status != XEN_NETIF_CTRL_STATUS_SUCCESS)
		return -ENOTSUP;
	room = RTE_MIN(rsp.data, (uint32_t)NETFRONT_MAX_GRANTS);
	while (room > 0 && (p = next_page_set(nf, q, &it)) != NULL) {
		rc = gref_batch(nf, q, p, true, room);
		if (rc == -ENOTSUP)
			return rc;
		if (rc < 0)
			break;
		room -= (unsigned int)rc;
	}
	return 0;
}

/* After the backend is Connected: register what it has room for. */
int
netfront_staging_register(struct netfront_adapter *nf)
{
	const char *name = nf->dev->data->name;
	int rc = -ENOTSUP;

	if (nf->ctrl.active) {
		for (unsigned int q = 0; q < nf->nr_queues; q++) {
			rc = staging_register_queue(nf, q);
			if (rc != 0)
				break;
		}
	}
	if (rc == 0 || nf->ctrl.registered > 0) {
		PMD_DRV_LOG(INFO, "%s: staging grants: %" PRIu64 " pages registered "
			    "with the backend", name, nf->ctrl.registered);
		return 0;
	}
	if (nf->args.staging == NETFRONT_STAGING_ON) {
		PMD_DRV_LOG(ERR, "%s: staging=on but the backend does not serve "
			    "GREF mappings on a control ring", name);
		return -ENOTSUP;
	}
	PMD_DRV_LOG(INFO, "%s: backend without staging grants: plain protocol "
		    "(grant copy)", name);
	return 0;
}

/* Before the pages are revoked, while the backend is still connected. */
void
netfront_staging_unregister(struct netfront_adapter *nf)
{
	for (unsigned int q = 0; q < nf->nr_queues && nf->ctrl.registered > 0; q++) {
		struct netfront_pages *p;
		unsigned int it = 0;

		while ((p = next_page_set(nf, q, &it)) != NULL)
			if (gref_batch(nf, q, p, false, UINT32_MAX) < 0)
				break;
	}
	if (nf->ctrl.registered > 0)
		PMD_DRV_LOG(WARNING, "%s: %" PRIu64 " pages still registered; the "
			    "backend drops them when it disconnects",
			    nf->dev->data->name, nf->ctrl.registered);
}

/* When the connection is gone, the backend holds no mapping any more. */
void
netfront_staging_forget(struct netfront_adapter *nf)
{
	for (unsigned int q = 0; q < NETFRONT_MAX_QUEUES; q++) {
		struct netfront_pages *p;
		unsigned int it = 0;

		while ((p = next_page_set(nf, q, &it)) != NULL)
			if (p->registered != NULL)
				memset(p->registered, 0, p->count);
	}
	nf->ctrl.registered = 0;
}
