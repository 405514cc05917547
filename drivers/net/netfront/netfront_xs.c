/* SPDX-License-Identifier: BSD-3-Clause */
/* xenstore side of net_netfront: finding the vif, the handshake, the watch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_cycles.h>
#include <rte_interrupts.h>
#include <rte_pause.h>

#include "netfront.h"
#include "netfront_logs.h"

/* Keys an unbound kernel netfront leaves behind: Linux netback would use them. */
static const char *const stale_keys[] = {
	"tx-ring-ref", "rx-ring-ref", "ctrl-ring-ref", "event-channel*",
	"event-channel-ctrl", "multi-queue-num-queues", "queue-*",
	"xdp-headroom", "feature-*", "request-rx-copy", NULL,
};

static int
kernel_owns_vif(unsigned int vif)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/xen/devices/vif-%u/driver", vif);
	return access(path, F_OK) == 0;
}

int
netfront_xs_discover(struct netfront_adapter *nf, const char *name)
{
	char dom[32];
	unsigned long v;
	int rc;

	nf->xs = xs_open(0);
	if (nf->xs == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open xenstore (%s): run in a Xen guest, "
			    "or under xensim after 'eval \"$(xensim env DIR DOMID)\"'",
			    name, strerror(errno));
		return -ENODEV;
	}
	/* A relative path is relative to this domain's home, /local/domain/<id>. */
	rc = netif_xs_read_str(nf->xs, NULL, "domid", dom, sizeof(dom));
	if (rc != 0 || netif_parse_uint(dom, 0x7fef, &v) != 0) {
		PMD_DRV_LOG(ERR, "%s: cannot read this domain's id from xenstore key 'domid' (%s)",
			    name, rc ? strerror(-rc) : "not a number");
		return -ENODEV;
	}
	nf->domid = (unsigned int)v;
	snprintf(nf->fe_path, sizeof(nf->fe_path), "/local/domain/%u/device/vif/%u",
		 nf->domid, nf->args.vif);

	rc = netif_xs_read_str(nf->xs, nf->fe_path, "backend", nf->be_path,
			       sizeof(nf->be_path));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: no vif %u in this domain (%s/backend: %s); "
			    "attach one with 'xl network-attach' (or 'xensim vif add')",
			    name, nf->args.vif, nf->fe_path, strerror(-rc));
		return -ENODEV;
	}
	rc = netif_xs_read_uint(nf->xs, nf->fe_path, "backend-id", 0x7fef, &v);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: bad %s/backend-id (%s)", name, nf->fe_path,
			    strerror(-rc));
		return -ENODEV;
	}
	nf->backend_id = (unsigned int)v;
	rc = netif_xs_read_mac(nf->xs, nf->fe_path, "mac", nf->mac.addr_bytes);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: bad %s/mac (%s)", name, nf->fe_path, strerror(-rc));
		return -ENODEV;
	}
	if (kernel_owns_vif(nf->args.vif)) {
		PMD_DRV_LOG(ERR, "%s: vif-%u is bound to the kernel's xen-netfront; "
			    "release it first: echo vif-%u > /sys/bus/xen/drivers/vif/unbind",
			    name, nf->args.vif, nf->args.vif);
		return -EBUSY;
	}
	rc = netif_xs_rm_matching(nf->xs, nf->fe_path, stale_keys);
	if (rc > 0)
		PMD_DRV_LOG(INFO, "%s: removed %d stale keys from %s", name, rc,
			    nf->fe_path);
	PMD_DRV_LOG(INFO, "%s: domain %u vif %u, backend domain %u at %s, mac "
		    RTE_ETHER_ADDR_PRT_FMT, name, nf->domid, nf->args.vif,
		    nf->backend_id, nf->be_path, RTE_ETHER_ADDR_BYTES(&nf->mac));
	return 0;
}

/* The xenbus handshake (xen/io/netif.h, "Xenbus" section). */

#define STATE(s) NETIF_XB_STATE_BIT(XenbusState##s)

static int
wait_backend(struct netfront_adapter *nf, uint32_t want, const char *what)
{
	enum xenbus_state st;
	int rc = netif_xb_wait_state(nf->be_path, want, (int)nf->args.connect_timeout_ms,
				     &st);

	if (rc == -ETIMEDOUT)
		PMD_DRV_LOG(ERR, "%s: backend %s still %s after %u ms waiting for %s "
			    "(devarg connect_timeout_ms)", nf->dev->data->name,
			    nf->be_path, netif_xb_state_name(st),
			    nf->args.connect_timeout_ms, what);
	else if (rc != 0)
		PMD_DRV_LOG(ERR, "%s: reading backend state %s/state: %s",
			    nf->dev->data->name, nf->be_path, strerror(-rc));
	return rc;
}

static int
read_backend_features(struct netfront_adapter *nf)
{
	const char *name = nf->dev->data->name;
	bool rx_copy = false;
	unsigned long maxq = 1;
	int rc;

	rc = netif_xs_read_feature(nf->xs, nf->be_path, "feature-rx-copy", &rx_copy);
	rc = rc ?: netif_xs_read_feature(nf->xs, nf->be_path, "feature-sg", &nf->be_sg);
	rc = rc ?: netif_xs_read_feature(nf->xs, nf->be_path, "feature-ctrl-ring",
					 &nf->be_ctrl_ring);
	rc = rc ?: netif_xs_read_feature(nf->xs, nf->be_path, "feature-xdp-headroom",
					 &nf->be_xdp_headroom);
	rc = rc ?: netif_xs_read_feature(nf->xs, nf->be_path,
					 "feature-split-event-channels",
					 &nf->be_split_evtchn);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: backend %s has a feature-* key that is not 0 or 1",
			    name, nf->be_path);
		return rc;
	}
	rc = netif_xs_read_uint(nf->xs, nf->be_path, "multi-queue-max-queues", 4096,
				&maxq);
	if (rc == -ENOENT)
		maxq = 1;
	else if (rc != 0 || maxq == 0) {
		PMD_DRV_LOG(ERR, "%s: bad %s/multi-queue-max-queues", name, nf->be_path);
		return -EPROTO;
	}
	nf->be_max_queues = (unsigned int)maxq;
	if (!rx_copy) {
		PMD_DRV_LOG(ERR, "%s: backend does not offer feature-rx-copy, which "
			    "this driver needs", name);
		return -ENOTSUP;
	}
	if (nf->nr_queues > nf->be_max_queues) {
		PMD_DRV_LOG(ERR, "%s: %u queue pairs configured, backend offers %u",
			    name, nf->nr_queues, nf->be_max_queues);
		return -EINVAL;
	}
	return 0;
}

static int
bind_channels(struct netfront_adapter *nf)
{
	for (unsigned int i = 0; i < nf->nr_queues; i++) {
		xenevtchn_port_or_error_t p;

		nf->port_xce[i] = nf->xce;
		if (nf->args.intr) {
			if (nf->intr_xce[i] == NULL)
				nf->intr_xce[i] = xenevtchn_open(NULL, 0);
			if (nf->intr_xce[i] == NULL)
				return -errno;
			nf->port_xce[i] = nf->intr_xce[i];
		}
		p = xenevtchn_bind_unbound_port(nf->port_xce[i], nf->backend_id);

		if (p < 0) {
			PMD_DRV_LOG(ERR, "%s: cannot allocate an event channel for "
				    "domain %u: %s", nf->dev->data->name,
				    nf->backend_id, strerror(errno));
			return -errno;
		}
		nf->port[i] = (evtchn_port_t)p;
		nf->port_bound[i] = true;
	}
	return 0;
}

/* The control ring, when the backend offers one and staging is not off. */
static int
ctrl_connect(struct netfront_adapter *nf)
{
	struct netfront_ctrl *c = &nf->ctrl;
	xenevtchn_port_or_error_t p;
	int rc;

	c->active = false;
	if (nf->args.staging == NETFRONT_STAGING_OFF)
		return 0;
	if (!nf->be_ctrl_ring) {
		if (nf->args.staging == NETFRONT_STAGING_ON) {
			PMD_DRV_LOG(ERR, "%s: staging=on but the backend offers no "
				    "control ring (feature-ctrl-ring)", nf->dev->data->name);
			return -ENOTSUP;
		}
		return 0;
	}
	rc = netfront_ctrl_setup(nf);
	if (rc != 0)
		return rc;
	p = xenevtchn_bind_unbound_port(nf->xce, nf->backend_id);
	if (p < 0) {
		PMD_DRV_LOG(ERR, "%s: cannot allocate the control event channel: %s",
			    nf->dev->data->name, strerror(errno));
		return -errno;
	}
	c->port = (evtchn_port_t)p;
	c->port_bound = true;
	netfront_ctrl_start(nf);
	c->active = true;
	return 0;
}

static void
unbind_channels(struct netfront_adapter *nf)
{
	if (nf->ctrl.port_bound)
		xenevtchn_unbind(nf->xce, nf->ctrl.port);
	nf->ctrl.port_bound = false;
	nf->ctrl.active = false;
	for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES; i++) {
		if (nf->port_bound[i])
			xenevtchn_unbind(nf->port_xce[i], nf->port[i]);
		nf->port_bound[i] = false;
	}
}

static int
write_queue_keys(struct netfront_adapter *nf, xs_transaction_t t, unsigned int i)
{
	struct rte_eth_dev_data *d = nf->dev->data;
	const struct netfront_txq *txq = d->tx_queues[i];
	const struct netfront_rxq *rxq = d->rx_queues[i];
	char dir[NETFRONT_PATH_MAX + 32];
	int rc;

	if (nf->nr_queues == 1)
		snprintf(dir, sizeof(dir), "%s", nf->fe_path);
	else
		snprintf(dir, sizeof(dir), "%s/queue-%u", nf->fe_path, i);
	rc = netif_xs_write(nf->xs, t, dir, "tx-ring-ref", "%u", txq->ring_page.refs[0]);
	rc = rc ?: netif_xs_write(nf->xs, t, dir, "rx-ring-ref", "%u",
				  rxq->ring_page.refs[0]);
	rc = rc ?: netif_xs_write(nf->xs, t, dir, "event-channel", "%u", nf->port[i]);
	return rc;
}

static int
write_frontend_keys(struct netfront_adapter *nf)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		xs_transaction_t t = xs_transaction_start(nf->xs);
		int rc = 0;

		if (t == XBT_NULL)
			return -errno;
		for (unsigned int i = 0; i < nf->nr_queues && rc == 0; i++)
			rc = write_queue_keys(nf, t, i);
		if (nf->nr_queues > 1)
			rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path,
						  "multi-queue-num-queues", "%u",
						  nf->nr_queues);
		rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path, "request-rx-copy", "1");
		rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path, "feature-rx-notify", "1");
		rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path, "feature-sg", "1");
		/* Ask for complete checksums: DPDK applications expect them. */
		rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path,
					  "feature-no-csum-offload", "1");
		if (nf->ctrl.active) {
			rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path, "ctrl-ring-ref",
						  "%u", nf->ctrl.pages.refs[0]);
			rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path,
						  "event-channel-ctrl", "%u",
						  nf->ctrl.port);
		}
		if (nf->be_xdp_headroom)
			rc = rc ?: netif_xs_write(nf->xs, t, nf->fe_path, "xdp-headroom",
						  "%u", RTE_PKTMBUF_HEADROOM);
		if (rc != 0) {
			xs_transaction_end(nf->xs, t, true);
			return rc;
		}
		if (xs_transaction_end(nf->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * Bring a backend that is still connected from an earlier run back to
 * InitWait. With force, a backend already in InitWait is taken through
 * Closing too: after a backend restart, this is how it learns that this
 * frontend starts over (net_netback otherwise takes over the live rings of
 * a frontend that never does, as Linux netfront).
 */
static int
reset_backend(struct netfront_adapter *nf, bool force)
{
	enum xenbus_state st;
	int rc = netif_xb_read_state(nf->xs, nf->be_path, &st);

	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: backend %s/state: %s", nf->dev->data->name,
			    nf->be_path, strerror(-rc));
		return rc;
	}
	if (st == XenbusStateInitialising ||
	    (st == XenbusStateInitWait && !force))
		return 0;
	if (st == XenbusStateInitWait) {
		netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosing);
		rc = wait_backend(nf, STATE(Closing) | STATE(Closed), "Closing");
		if (rc != 0)
			return rc;
	}
	PMD_DRV_LOG(INFO, "%s: backend is %s; closing first", nf->dev->data->name,
		    netif_xb_state_name(st));
	netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosing);
	netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosed);
	return wait_backend(nf, STATE(Closed) | STATE(InitWait), "Closed");
}

int
netfront_xs_connect(struct netfront_adapter *nf, bool reset)
{
	struct rte_eth_dev_data *d = nf->dev->data;
	int rc;

	nf->nr_queues = d->nb_rx_queues;
	rc = reset_backend(nf, reset);
	rc = rc ?: netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateInitialising);
	rc = rc ?: wait_backend(nf, STATE(InitWait), "InitWait");
	rc = rc ?: read_backend_features(nf);
	rc = rc ?: bind_channels(nf);
	rc = rc ?: ctrl_connect(nf);
	if (rc != 0)
		goto fail;
	for (unsigned int i = 0; i < nf->nr_queues; i++) {
		struct netfront_txq *txq = d->tx_queues[i];

		txq->port = nf->port[i];
		netfront_txq_start(txq);
		rc = netfront_rxq_start(d->rx_queues[i]);
		if (rc != 0) {
			PMD_DRV_LOG(ERR, "%s: RX queue %u: pool too small to fill the ring",
				    d->name, i);
			goto fail;
		}
	}
	rc = write_frontend_keys(nf);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: writing keys under %s: %s", d->name, nf->fe_path,
			    strerror(-rc));
		goto fail;
	}
	rc = netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateConnected);
	rc = rc ?: wait_backend(nf, STATE(Connected), "Connected");
	rc = rc ?: netfront_staging_register(nf);
	if (rc != 0)
		goto fail;
	nf->connected = true;
	nf->broken = false;
	nf->backend_lost = false;
	PMD_DRV_LOG(INFO, "%s: connected to backend domain %u (%u queue pairs, "
		    "sg %d, ctrl ring %d, xdp-headroom %d)", d->name, nf->backend_id,
		    nf->nr_queues, nf->be_sg, nf->be_ctrl_ring, nf->be_xdp_headroom);
	return 0;
fail:
	netfront_xs_disconnect(nf);
	return rc;
}

/*
 * Close the connection; once the backend is Closed it has unmapped the rings
 * and our pages, and every buffer it held is ours again.
 */
void
netfront_xs_disconnect(struct netfront_adapter *nf)
{
	struct rte_eth_dev_data *d = nf->dev->data;
	enum xenbus_state st = XenbusStateUnknown;

	/*
	 * A backend that never left InitWait has mapped nothing of ours; one
	 * that stopped answering (its process died) will not close either.
	 */
	netif_xb_read_state(nf->xs, nf->be_path, &st);
	if (st == XenbusStateInitialising || st == XenbusStateInitWait ||
	    st == XenbusStateUnknown || st == XenbusStateClosed || nf->stalled) {
		if (nf->stalled)
			PMD_DRV_LOG(WARNING, "%s: backend does not answer: closing "
				    "without waiting for it", d->name);
		netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosed);
		goto release;
	}
	if (st == XenbusStateConnected && nf->ctrl.active)
		netfront_staging_unregister(nf);
	netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosing);
	wait_backend(nf, STATE(Closing) | STATE(Closed) | STATE(InitWait) |
				 STATE(Unknown), "Closing");
	netif_xb_set_state(nf->xs, nf->fe_path, XenbusStateClosed);
	if (wait_backend(nf, STATE(Closed) | STATE(InitWait) | STATE(Unknown),
			 "Closed") != 0)
		PMD_DRV_LOG(WARNING, "%s: backend did not close; its mappings of our "
			    "pages stay until it does", d->name);
release:
	netfront_staging_forget(nf);
	unbind_channels(nf);
	for (unsigned int i = 0; i < d->nb_rx_queues; i++)
		if (d->rx_queues[i] != NULL)
			netfront_rxq_stop(d->rx_queues[i]);
	for (unsigned int i = 0; i < d->nb_tx_queues; i++)
		if (d->tx_queues[i] != NULL)
			netfront_txq_stop(d->tx_queues[i]);
	nf->connected = false;
}

/* Backend state changes, watched on the EAL interrupt thread. */

static double
ms_since(uint64_t tsc)
{
	return (double)(rte_get_tsc_cycles() - tsc) * 1e3 / (double)rte_get_tsc_hz();
}

/*
 * The backend left Connected: park the queues, give back what it held and
 * close our side. The port stays started, its link down.
 */
static void
backend_lost(struct netfront_adapter *nf, enum xenbus_state st)
{
	PMD_DRV_LOG(WARNING, "%s: backend went %s: link down; reconnecting when "
		    "it is back", nf->dev->data->name, netif_xb_state_name(st));
	nf->st.backend_losses++;
	netfront_link_report(nf, false);
	netfront_queues_park(nf, true);
	netfront_xs_disconnect(nf);
	nf->backend_lost = true;
}

/* A backend is ready again (Initialising or InitWait): connect anew. */
static void
backend_back(struct netfront_adapter *nf)
{
	int rc = netfront_xs_connect(nf, true);

	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: reconnecting failed (%s); trying again at the "
			    "backend's next state change", nf->dev->data->name,
			    strerror(-rc));
		return;
	}
	nf->backend_lost = false;
	nf->stalled = false;
	memset(nf->stall_ms, 0, sizeof(nf->stall_ms));
	nf->st.reconnects++;
	netfront_queues_park(nf, false);
	PMD_DRV_LOG(NOTICE, "%s: reconnected to backend domain %u, %.0f ms after "
		    "the link went down", nf->dev->data->name, nf->backend_id,
		    ms_since(nf->lost_tsc));
	netfront_link_report(nf, true);
}

static void
netfront_watch_cb(void *arg)
{
	struct netfront_adapter *nf = arg;
	enum xenbus_state st;
	char **ev;

	while ((ev = xs_check_watch(nf->watch_xs)) != NULL)
		free(ev);
	pthread_mutex_lock(&nf->ctl_lock);
	if (nf->dev->data->dev_started && nf->connected) {
		if (netif_xb_read_state(nf->watch_xs, nf->be_path, &st) != 0)
			st = XenbusStateUnknown;
		if (st != XenbusStateConnected)
			backend_lost(nf, st);
	}
	pthread_mutex_unlock(&nf->ctl_lock);
	/* The application hears of the loss before the reconnect starts. */
	netfront_lsc_flush(nf);

	pthread_mutex_lock(&nf->ctl_lock);
	if (nf->dev->data->dev_started && nf->backend_lost) {
		if (netif_xb_read_state(nf->watch_xs, nf->be_path, &st) != 0)
			st = XenbusStateUnknown;
		if (st == XenbusStateInitialising || st == XenbusStateInitWait)
			backend_back(nf);
	}
	pthread_mutex_unlock(&nf->ctl_lock);
	netfront_lsc_flush(nf);
}

/*
 * A backend process that died leaves its state Connected: the sign is TX
 * requests no response answers. The link goes down until one does, or
 * until a new backend makes the watch above reconnect.
 */
#define NETFRONT_STALL_PERIOD_MS 100

static void
stall_check(struct netfront_adapter *nf)
{
	struct rte_eth_dev_data *d = nf->dev->data;
	unsigned int worst = 0, worst_q = 0;

	for (unsigned int i = 0; i < nf->nr_queues; i++) {
		const struct netfront_txq *q = d->tx_queues[i];
		RING_IDX rsp = __atomic_load_n(&q->ring.sring->rsp_prod, __ATOMIC_ACQUIRE);
		RING_IDX req = __atomic_load_n(&q->ring.sring->req_prod, __ATOMIC_RELAXED);

		if (rsp == req || rsp != nf->stall_rsp[i])
			nf->stall_ms[i] = 0;
		else
			nf->stall_ms[i] += NETFRONT_STALL_PERIOD_MS;
		nf->stall_rsp[i] = rsp;
		if (nf->stall_ms[i] > worst) {
			worst = nf->stall_ms[i];
			worst_q = i;
		}
	}
	if (!nf->stalled && worst >= nf->args.backend_timeout_ms) {
		nf->stalled = true;
		nf->st.stalls++;
		PMD_DRV_LOG(WARNING, "%s: backend answered none of TX queue %u's requests "
			    "for %u ms: link down (devarg backend_timeout_ms)",
			    d->name, worst_q, worst);
		netfront_link_report(nf, false);
	} else if (nf->stalled && worst == 0) {
		nf->stalled = false;
		PMD_DRV_LOG(NOTICE, "%s: backend answers again after %.0f ms: link up",
			    d->name, ms_since(nf->lost_tsc));
		netfront_link_report(nf, true);
	}
}

static void
stall_alarm(void *arg)
{
	struct netfront_adapter *nf = arg;

	pthread_mutex_lock(&nf->ctl_lock);
	if (nf->stall_check_on) {
		if (nf->connected && !nf->backend_lost && !nf->broken)
			stall_check(nf);
		rte_eal_alarm_set(NETFRONT_STALL_PERIOD_MS * 1000, stall_alarm, nf);
	}
	pthread_mutex_unlock(&nf->ctl_lock);
	netfront_lsc_flush(nf);
}

/* Under ctl_lock. */
void
netfront_stall_check_start(struct netfront_adapter *nf)
{
	if (nf->args.backend_timeout_ms == 0 || nf->stall_check_on)
		return;
	memset(nf->stall_ms, 0, sizeof(nf->stall_ms));
	memset(nf->stall_rsp, 0, sizeof(nf->stall_rsp));
	nf->stall_check_on = true;
	rte_eal_alarm_set(NETFRONT_STALL_PERIOD_MS * 1000, stall_alarm, nf);
}

/* Not under ctl_lock: the alarm may be waiting for it. */
void
netfront_stall_check_stop(struct netfront_adapter *nf)
{
	pthread_mutex_lock(&nf->ctl_lock);
	nf->stall_check_on = false;
	pthread_mutex_unlock(&nf->ctl_lock);
	rte_eal_alarm_cancel(stall_alarm, nf);
}

int
netfront_watch_start(struct netfront_adapter *nf)
{
	char path[NETFRONT_PATH_MAX + 8];

	nf->watch_xs = xs_open(0);
	if (nf->watch_xs == NULL)
		return -errno;
	snprintf(path, sizeof(path), "%s/state", nf->be_path);
	if (!xs_watch(nf->watch_xs, path, "backend-state"))
		goto fail;
	nf->watch_intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (nf->watch_intr == NULL ||
	    rte_intr_fd_set(nf->watch_intr, xs_fileno(nf->watch_xs)) != 0 ||
	    rte_intr_type_set(nf->watch_intr, RTE_INTR_HANDLE_EXT) != 0 ||
	    rte_intr_callback_register(nf->watch_intr, netfront_watch_cb, nf) != 0)
		goto fail;
	return 0;
fail:
	PMD_DRV_LOG(ERR, "%s: cannot watch %s", nf->dev->data->name, path);
	netfront_watch_stop(nf);
	return -EIO;
}

void
netfront_watch_stop(struct netfront_adapter *nf)
{
	if (nf->watch_intr != NULL) {
		while (rte_intr_callback_unregister(nf->watch_intr, netfront_watch_cb,
						    nf) == -EAGAIN)
			rte_pause();
		rte_intr_instance_free(nf->watch_intr);
		nf->watch_intr = NULL;
	}
	if (nf->watch_xs != NULL) {
		xs_close(nf->watch_xs);
		nf->watch_xs = NULL;
	}
}
