/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The backend's xenbus side: the vif's backend directory, the features it
 * advertises, the frontend's state watched on the EAL interrupt thread,
 * mapping the frontend's rings and binding its event channels, and tearing
 * all of it down when the frontend closes, dies or breaks the protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_cycles.h>

#include "netback.h"
#include "netback_logs.h"

/* ------------------------------------------------------------------ */
/* Link state */

void
netback_link_set(struct netback_adapter *nb, bool up)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	/* rte_eth_linkstatus_set returns 0 when the status changed. */
	if (rte_eth_linkstatus_set(nb->dev, &link) == 0 &&
	    nb->dev->data->dev_started)
		rte_eth_dev_callback_process(nb->dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static void
netback_set_state(struct netback_adapter *nb, enum xenbus_state st)
{
	int rc;

	/* Writing into a directory the toolstack removed would re-create it. */
	if (nb->be_gone) {
		nb->be_state = st;
		return;
	}
	rc = netif_xb_set_state(nb->xs, nb->be_path, st);

	if (rc != 0)
		PMD_DRV_LOG(ERR, "%s: cannot write %s/state=%d (%s)", nb->name,
			    nb->be_path, (int)st, strerror(-rc));
	else
		PMD_DRV_LOG(INFO, "%s: backend %s -> %s", nb->name, nb->be_path,
			    netif_xb_state_name(st));
	nb->be_state = st;
}

/* ------------------------------------------------------------------ */
/* Rings and channels of one queue */

static void
netback_queue_down(struct netback_queue *q)
{
	struct netback_adapter *nb = q->nb;
	unsigned int n;

	netback_gate_close(&q->gate);
	/* What the guest sent that we never read: its counters include it. */
	if (q->up && q->tx_page != NULL) {
		RING_IDX unread = __atomic_load_n(&q->txr.sring->req_prod,
						  __ATOMIC_ACQUIRE) - q->txr.req_cons;

		if (unread <= RING_SIZE(&q->txr))
			nb->cnt[NETBACK_GTX_UNREAD] += unread;
	}
	q->up = false;
	if (q->tx_page != NULL)
		xengnttab_unmap(nb->gt, q->tx_page, 1);
	if (q->rx_page != NULL)
		xengnttab_unmap(nb->gt, q->rx_page, 1);
	q->tx_page = q->rx_page = NULL;
	if (q->tx_bound)
		xenevtchn_unbind(nb->ev, q->tx_port);
	if (q->rx_bound && (!q->tx_bound || q->rx_port != q->tx_port))
		xenevtchn_unbind(nb->ev, q->rx_port);
	q->tx_bound = q->rx_bound = false;
	n = q->gmap.count;
	netback_gmap_release(q);
	nb->cnt[NETBACK_GREF_MAPPED] -= RTE_MIN(n, nb->cnt[NETBACK_GREF_MAPPED]);
	netback_gate_open(&q->gate);
}

struct netback_qkeys {
	unsigned long tx_ref, rx_ref;
	unsigned long tx_evtchn, rx_evtchn;
	bool split;
};

static int
netback_read_key(struct netback_adapter *nb, const char *dir, const char *key,
		 unsigned long max, unsigned long *v)
{
	int rc = netif_xs_read_uint(nb->xs, dir, key, max, v);

	if (rc != 0) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend key %s/%s: %s", nb->name, dir, key,
			    rc == -EPROTO ? "not a number in range" : strerror(-rc));
	}
	return rc;
}

static int
netback_read_qkeys(struct netback_adapter *nb, const char *dir,
		   struct netback_qkeys *k)
{
	unsigned long dummy;

	if (netback_read_key(nb, dir, "tx-ring-ref", UINT32_MAX, &k->tx_ref) ||
	    netback_read_key(nb, dir, "rx-ring-ref", UINT32_MAX, &k->rx_ref))
		return -EPROTO;
	k->split = netif_xs_read_uint(nb->xs, dir, "event-channel-tx",
				      UINT32_MAX, &dummy) != -ENOENT;
	if (k->split)
		return netback_read_key(nb, dir, "event-channel-tx", UINT32_MAX,
					&k->tx_evtchn) ||
		       netback_read_key(nb, dir, "event-channel-rx", UINT32_MAX,
					&k->rx_evtchn) ? -EPROTO : 0;
	if (netback_read_key(nb, dir, "event-channel", UINT32_MAX, &k->tx_evtchn))
		return -EPROTO;
	k->rx_evtchn = k->tx_evtchn;
	return 0;
}

static void *
netback_map_ring(struct netback_adapter *nb, unsigned long ref, const char *what)
{
	void *p = xengnttab_map_grant_ref(nb->gt, nb->args.domid, (uint32_t)ref,
					  PROT_READ | PROT_WRITE);

	if (p == NULL)
		PMD_DRV_LOG(ERR, "%s: cannot map the frontend's %s (domain %u gref %lu): %s",
			    nb->name, what, nb->args.domid, ref, strerror(errno));
	return p;
}

static int
netback_bind(struct netback_adapter *nb, xenevtchn_handle *ev,
	     unsigned long remote, evtchn_port_t *local, const char *what)
{
	xenevtchn_port_or_error_t p =
		xenevtchn_bind_interdomain(ev, nb->args.domid, (evtchn_port_t)remote);

	if (p < 0) {
		PMD_DRV_LOG(ERR, "%s: cannot bind the frontend's %s event channel "
			    "(domain %u port %lu): %s", nb->name, what,
			    nb->args.domid, remote, strerror(errno));
		return -EIO;
	}
	*local = (evtchn_port_t)p;
	return 0;
}

/*
 * Attach to a ring the frontend initialised: start where its responses
 * end, and refuse a ring whose unanswered requests exceed its size.
 */
#define NETBACK_RING_ATTACH(_r, _s, _ok)                                     \
	do {                                                                 \
		RING_IDX rsp_ = __atomic_load_n(&(_s)->rsp_prod,             \
						__ATOMIC_ACQUIRE);           \
		RING_IDX req_ = __atomic_load_n(&(_s)->req_prod,             \
						__ATOMIC_ACQUIRE);           \
		BACK_RING_INIT(_r, _s, NETIF_PAGE_SIZE);                     \
		(_r)->req_cons = (_r)->rsp_prod_pvt = rsp_;                  \
		(_ok) = (RING_IDX)(req_ - rsp_) <= RING_SIZE(_r);            \
	} while (0)

static int
netback_queue_up(struct netback_queue *q, const struct netback_qkeys *k)
{
	struct netback_adapter *nb = q->nb;
	bool ok_tx, ok_rx;

	q->tx_page = netback_map_ring(nb, k->tx_ref, "TX ring");
	if (q->tx_page == NULL)
		return -EIO;
	q->rx_page = netback_map_ring(nb, k->rx_ref, "RX ring");
	if (q->rx_page == NULL)
		return -EIO;
	if (netback_bind(nb, nb->ev, k->tx_evtchn, &q->tx_port,
			 k->split ? "TX" : "") != 0)
		return -EIO;
	q->tx_bound = true;
	if (k->split) {
		if (netback_bind(nb, nb->ev, k->rx_evtchn, &q->rx_port, "RX") != 0)
			return -EIO;
	} else {
		q->rx_port = q->tx_port;
	}
	q->rx_bound = true;

	netback_gate_close(&q->gate);
	NETBACK_RING_ATTACH(&q->txr, (netif_tx_sring_t *)q->tx_page, ok_tx);
	NETBACK_RING_ATTACH(&q->rxr, (netif_rx_sring_t *)q->rx_page, ok_rx);
	if (ok_tx && ok_rx) {
		/* Busy poll: the frontend need not notify us. */
		NETIF_BACK_DISARM(&q->txr);
		NETIF_BACK_DISARM(&q->rxr);
		q->gtx.last_disarm = q->txr.req_cons;
		q->grx.last_disarm = q->rxr.req_cons;
		q->up = true;
	}
	netback_gate_open(&q->gate);
	if (!ok_tx || !ok_rx) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: queue %u: the frontend's %s ring holds more "
			    "unanswered requests than it has slots", nb->name,
			    q->qid, ok_tx ? "RX" : "TX");
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Control ring */

static void
netback_ctrl_down(struct netback_adapter *nb)
{
	if (nb->ctrl_up)
		xenevtchn_unbind(nb->ev_ctrl, nb->ctrl_port);
	if (nb->ctrl_page != NULL)
		xengnttab_unmap(nb->gt, nb->ctrl_page, 1);
	nb->ctrl_page = NULL;
	nb->ctrl_up = false;
}

static int
netback_ctrl_up(struct netback_adapter *nb)
{
	unsigned long ref, evtchn;
	bool ok;
	int rc;

	rc = netif_xs_read_uint(nb->xs, nb->fe_path, "ctrl-ring-ref", UINT32_MAX, &ref);
	if (rc == -ENOENT)
		return 0; /* the frontend does not use a control ring */
	if (rc != 0 ||
	    netback_read_key(nb, nb->fe_path, "event-channel-ctrl", UINT32_MAX, &evtchn)) {
		if (rc != 0)
			netback_read_key(nb, nb->fe_path, "ctrl-ring-ref", UINT32_MAX, &ref);
		return -EPROTO;
	}
	nb->ctrl_page = netback_map_ring(nb, ref, "control ring");
	if (nb->ctrl_page == NULL)
		return -EIO;
	if (netback_bind(nb, nb->ev_ctrl, evtchn, &nb->ctrl_port, "control") != 0)
		return -EIO;
	nb->ctrl_up = true;
	NETBACK_RING_ATTACH(&nb->ctrl, (xen_netif_ctrl_sring_t *)nb->ctrl_page, ok);
	if (!ok) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: the frontend's control ring holds more "
			    "unanswered requests than it has slots", nb->name);
		return -EPROTO;
	}
	/* The control ring is served on notification: ask for one. */
	NETIF_BACK_ARM(&nb->ctrl);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Connect and disconnect */

void
netback_disconnect(struct netback_adapter *nb, const char *why)
{
	if (!nb->connected)
		return;
	for (unsigned int i = 0; i < nb->nr_queues; i++)
		if (nb->q[i] != NULL)
			netback_queue_down(nb->q[i]);
	netback_ctrl_down(nb);
	nb->connected = false;
	nb->cnt[NETBACK_DISCONNECTS]++;
	PMD_DRV_LOG(NOTICE, "%s: frontend domain %u vif %u disconnected: %s",
		    nb->name, nb->args.domid, nb->args.vif, why);
	netback_link_set(nb, false);
}

static int
netback_read_fe_features(struct netback_adapter *nb)
{
	unsigned long v;
	bool copy;
	int rc;

	rc = netif_xs_read_uint(nb->xs, nb->fe_path, "multi-queue-num-queues",
				NETBACK_MAX_QUEUES, &v);
	if (rc == -ENOENT)
		v = 1;
	else if (rc != 0 || v == 0 || v > nb->nr_queues) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend key %s/multi-queue-num-queues: "
			    "must be 1-%u (the queue pairs this port has)",
			    nb->name, nb->fe_path, nb->nr_queues);
		return -EPROTO;
	}
	nb->fe_queues = (unsigned int)v;
	rc = netif_xs_read_feature(nb->xs, nb->fe_path, "request-rx-copy", &copy);
	if (rc != 0 || !copy) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend key %s/request-rx-copy must be 1: "
			    "this backend only copies (no page flipping)",
			    nb->name, nb->fe_path);
		return -EPROTO;
	}
	if (netif_xs_read_feature(nb->xs, nb->fe_path, "feature-sg", &nb->fe_sg) ||
	    netif_xs_read_feature(nb->xs, nb->fe_path, "feature-rx-notify",
				  &nb->fe_rx_notify)) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend feature keys in %s must be 0 or 1",
			    nb->name, nb->fe_path);
		return -EPROTO;
	}
	rc = netif_xs_read_uint(nb->xs, nb->fe_path, "xdp-headroom",
				NETBACK_MAX_HEADROOM, &v);
	if (rc == -ENOENT)
		v = 0;
	else if (rc != 0) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend key %s/xdp-headroom: must be 0-%u",
			    nb->name, nb->fe_path, NETBACK_MAX_HEADROOM);
		return -EPROTO;
	}
	nb->headroom = (unsigned int)v;
	return 0;
}

static int
netback_connect(struct netback_adapter *nb)
{
	char dir[NETBACK_PATH_MAX + 32];
	struct netback_qkeys k;
	int rc;

	rc = netback_read_fe_features(nb);
	for (unsigned int i = 0; rc == 0 && i < nb->fe_queues; i++) {
		if (nb->fe_queues == 1)
			snprintf(dir, sizeof(dir), "%s", nb->fe_path);
		else
			snprintf(dir, sizeof(dir), "%s/queue-%u", nb->fe_path, i);
		rc = netback_read_qkeys(nb, dir, &k);
		if (rc == 0)
			rc = netback_queue_up(nb->q[i], &k);
	}
	if (rc == 0)
		rc = netback_ctrl_up(nb);
	nb->connected = true; /* so that disconnect undoes what is done */
	if (rc != 0) {
		netback_disconnect(nb, "connect failed");
		nb->cnt[NETBACK_DISCONNECTS]--;
		return rc;
	}
	__atomic_store_n(&nb->broken, 0, __ATOMIC_RELEASE);
	netif_xs_write(nb->xs, XBT_NULL, nb->be_path, "hotplug-status", "connected");
	netback_set_state(nb, XenbusStateConnected);
	nb->cnt[NETBACK_CONNECTS]++;
	PMD_DRV_LOG(NOTICE, "%s: frontend domain %u vif %u connected: %u queue(s), "
		    "sg %s, rx-notify %s, headroom %u, control ring %s, copy=%s",
		    nb->name, nb->args.domid, nb->args.vif, nb->fe_queues,
		    nb->fe_sg ? "on" : "off", nb->fe_rx_notify ? "on" : "off",
		    nb->headroom, nb->ctrl_up ? "yes" : "no",
		    nb->args.copy == NETBACK_COPY_GRANT ? "grant" : "auto");
	netback_link_set(nb, true);
	if (nb->ctrl_up)
		netback_ctrl_serve(nb);
	return 0;
}

static int
netback_write_features(struct netback_adapter *nb)
{
	const struct {
		const char *key;
		unsigned int val;
	} f[] = {
		{ "feature-sg", 1 },
		{ "feature-rx-copy", 1 },
		{ "feature-rx-flip", 0 },
		{ "feature-ctrl-ring", 1 },
		{ "feature-split-event-channels", 1 },
		{ "feature-xdp-headroom", 1 },
		{ "feature-ipv6-csum-offload", 1 },
		{ "multi-queue-max-queues", nb->nr_queues },
	};
	int rc;

	for (size_t i = 0; i < RTE_DIM(f); i++) {
		rc = netif_xs_write(nb->xs, XBT_NULL, nb->be_path, f[i].key, "%u",
				    f[i].val);
		if (rc != 0) {
			PMD_DRV_LOG(ERR, "%s: cannot write %s/%s (%s)", nb->name,
				    nb->be_path, f[i].key, strerror(-rc));
			return rc;
		}
	}
	return 0;
}


/* Advertise what this backend does, then wait for the frontend. */
static int
netback_go_initwait(struct netback_adapter *nb)
{
	int rc = netback_write_features(nb);

	if (rc == 0)
		netback_set_state(nb, XenbusStateInitWait);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The state machine */

/*
 * What the toolstack did to the backend directory: a state we did not
 * write is its request. Returns false when the vif is not to be served.
 */
static bool
netback_toolstack(struct netback_adapter *nb)
{
	enum xenbus_state cur;
	unsigned long online = 1;
	char buf[8];

	if (netif_xs_read_str(nb->xs, nb->be_path, "frontend", buf, 1) == -ENOENT) {
		/* Removed (xl network-detach, domain destroyed): nothing to write. */
		if (!nb->be_gone)
			PMD_DRV_LOG(NOTICE, "%s: %s removed by the toolstack; waiting for "
				    "it to come back", nb->name, nb->be_path);
		nb->be_gone = true;
		netback_disconnect(nb, "vif removed");
		nb->be_state = XenbusStateUnknown;
		return false;
	}
	if (nb->be_gone) {
		PMD_DRV_LOG(NOTICE, "%s: %s re-created", nb->name, nb->be_path);
		nb->be_gone = false;
	}
	if (netif_xb_read_state(nb->xs, nb->be_path, &cur) != 0)
		cur = nb->be_state;
	netif_xs_read_uint(nb->xs, nb->be_path, "online", 1, &online);
	if (cur != nb->be_state) {
		PMD_DRV_LOG(INFO, "%s: toolstack set %s/state to %s", nb->name,
			    nb->be_path, netif_xb_state_name(cur));
		nb->be_state = cur;
	}
	if (online == 0 || cur == XenbusStateClosing || cur == XenbusStateClosed) {
		/* libxl's device removal: online=0, state=Closing; answer Closed. */
		netback_disconnect(nb, "closed by the toolstack");
		if (cur == XenbusStateClosing || online == 0)
			if (nb->be_state != XenbusStateClosed)
				netback_set_state(nb, XenbusStateClosed);
		return online != 0;
	}
	return true;
}

/* The state machine, run on every watch event (under nb->lock). */
static void
netback_xs_changed(struct netback_adapter *nb)
{
	enum xenbus_state fe;
	int rc;

	if (!nb->started || !netback_toolstack(nb))
		return;
	rc = netif_xb_read_state(nb->xs, nb->fe_path, &fe);
	if (rc != 0) {
		nb->cnt[NETBACK_XS_BAD_KEYS]++;
		PMD_DRV_LOG(ERR, "%s: frontend %s/state is not a xenbus state (%s)",
			    nb->name, nb->fe_path, strerror(-rc));
		fe = XenbusStateClosing;
	}
	if (fe != XenbusStateInitialised && fe != XenbusStateConnected)
		nb->adopt_pending = false; /* it starts over: the normal way */
	switch (fe) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		/* A new frontend, or one that restarted without closing. */
		netback_disconnect(nb, "frontend restarted");
		if (nb->be_state != XenbusStateInitWait)
			netback_go_initwait(nb);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (nb->adopt_pending)
			break; /* netback_adopt_alarm decides */
		if (nb->be_state == XenbusStateInitialising)
			netback_go_initwait(nb);
		if (!nb->connected && nb->be_state == XenbusStateInitWait &&
		    netback_connect(nb) != 0)
			netback_set_state(nb, XenbusStateClosing);
		break;
	case XenbusStateClosing:
		netback_disconnect(nb, "frontend closing");
		if (nb->be_state != XenbusStateClosed &&
		    nb->be_state != XenbusStateClosing)
			netback_set_state(nb, XenbusStateClosing);
		break;
	case XenbusStateUnknown:
	case XenbusStateClosed:
		netback_disconnect(nb, fe == XenbusStateUnknown ?
				   "frontend gone" : "frontend closed");
		if (nb->be_state == XenbusStateConnected ||
		    nb->be_state == XenbusStateClosing)
			netback_set_state(nb, XenbusStateClosed);
		break;
	default:
		break;
	}
}

static void
netback_xs_intr(void *arg)
{
	struct netback_adapter *nb = arg;
	char **ev;

	while ((ev = xs_check_watch(nb->xs)) != NULL)
		free(ev);
	pthread_mutex_lock(&nb->lock);
	netback_xs_changed(nb);
	/* A frontend may also post control requests without notifying. */
	if (nb->ctrl_up)
		netback_ctrl_serve(nb);
	pthread_mutex_unlock(&nb->lock);
}

/*
 * A frontend found Connected when this backend starts was connected to an
 * earlier one (a backend process that died or was restarted). Seeing our
 * InitWait, a frontend that reconnects by itself (net_netfront) goes
 * through Closing; one that never does (Linux netfront) keeps its rings
 * live, so after NETBACK_ADOPT_MS we take them over where they are.
 */
#define NETBACK_ADOPT_MS 2000

static void
netback_adopt_alarm(void *arg)
{
	struct netback_adapter *nb = arg;
	enum xenbus_state fe;

	pthread_mutex_lock(&nb->lock);
	if (nb->started && nb->adopt_pending) {
		nb->adopt_pending = false;
		if (netif_xb_read_state(nb->xs, nb->fe_path, &fe) == 0 &&
		    (fe == XenbusStateConnected || fe == XenbusStateInitialised) &&
		    !nb->connected && nb->be_state == XenbusStateInitWait) {
			PMD_DRV_LOG(NOTICE, "%s: frontend stayed %s for %u ms: taking "
				    "over its rings", nb->name, netif_xb_state_name(fe),
				    NETBACK_ADOPT_MS);
			if (netback_connect(nb) != 0)
				netback_set_state(nb, XenbusStateClosing);
		}
	}
	pthread_mutex_unlock(&nb->lock);
}

void
netback_broken_alarm(void *arg)
{
	struct netback_adapter *nb = arg;

	pthread_mutex_lock(&nb->lock);
	if (nb->connected && __atomic_load_n(&nb->broken, __ATOMIC_ACQUIRE)) {
		nb->cnt[NETBACK_BROKEN]++;
		netback_disconnect(nb, "protocol error: vif marked broken");
		netback_set_state(nb, XenbusStateClosing);
	}
	pthread_mutex_unlock(&nb->lock);
}

/* ------------------------------------------------------------------ */
/* Probe, start, stop, close */

static int
kernel_owns_vif(unsigned int domid, unsigned int vif)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/xen-backend/devices/vif-%u-%u/driver",
		 domid, vif);
	return access(path, F_OK) == 0;
}

static int
netback_intr_register(struct netback_adapter *nb, struct rte_intr_handle **h,
		      int fd, rte_intr_callback_fn cb, bool *registered)
{
	int rc;

	*h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (*h == NULL)
		return -ENOMEM;
	if (rte_intr_fd_set(*h, fd) != 0 ||
	    rte_intr_type_set(*h, RTE_INTR_HANDLE_EXT) != 0)
		return -EINVAL;
	rc = rte_intr_callback_register(*h, cb, nb);
	if (rc != 0)
		return rc;
	*registered = true;
	return 0;
}

static int
netback_xs_find_vif(struct netback_adapter *nb)
{
	char dom[32], fe_prefix[64];
	unsigned long v;
	int rc;

	rc = netif_xs_read_str(nb->xs, NULL, "domid", dom, sizeof(dom));
	if (rc != 0 || netif_parse_uint(dom, NETBACK_MAX_DOMID, &v) != 0) {
		PMD_DRV_LOG(ERR, "%s: cannot read this domain's id from xenstore key "
			    "'domid' (%s)", nb->name, rc ? strerror(-rc) : "not a number");
		return -ENODEV;
	}
	nb->own_domid = (unsigned int)v;
	snprintf(nb->be_path, sizeof(nb->be_path), "/local/domain/%u/backend/vif/%u/%u",
		 nb->own_domid, nb->args.domid, nb->args.vif);
	rc = netif_xs_read_str(nb->xs, nb->be_path, "frontend", nb->fe_path,
			       sizeof(nb->fe_path));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: no vif %u of domain %u served by this domain "
			    "(%s/frontend: %s); create it with 'xl network-attach' "
			    "(or 'xensim vif add')", nb->name, nb->args.vif,
			    nb->args.domid, nb->be_path, strerror(-rc));
		return -ENODEV;
	}
	/* The toolstack wrote it, but check: it names whose pages we map. */
	snprintf(fe_prefix, sizeof(fe_prefix), "/local/domain/%u/", nb->args.domid);
	rc = netif_xs_read_uint(nb->xs, nb->be_path, "frontend-id", NETBACK_MAX_DOMID, &v);
	if (rc != 0 || v != nb->args.domid ||
	    strncmp(nb->fe_path, fe_prefix, strlen(fe_prefix)) != 0) {
		PMD_DRV_LOG(ERR, "%s: %s does not belong to domain %u (frontend-id, "
			    "frontend=%s)", nb->name, nb->be_path, nb->args.domid,
			    nb->fe_path);
		return -ENODEV;
	}
	if (kernel_owns_vif(nb->args.domid, nb->args.vif)) {
		PMD_DRV_LOG(ERR, "%s: vif-%u-%u is bound to the kernel's xen-netback; "
			    "release it first: echo vif-%u-%u > "
			    "/sys/bus/xen-backend/drivers/vif/unbind", nb->name,
			    nb->args.domid, nb->args.vif, nb->args.domid, nb->args.vif);
		return -EBUSY;
	}
	return 0;
}

int
netback_xs_probe(struct netback_adapter *nb)
{
	char path[NETBACK_PATH_MAX + 16];
	int rc;

	nb->xs = xs_open(0);
	if (nb->xs == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open xenstore (%s): run in dom0 or a "
			    "driver domain, or under xensim after "
			    "'eval \"$(xensim env DIR 0)\"'", nb->name, strerror(errno));
		return -ENODEV;
	}
	rc = netback_xs_find_vif(nb);
	if (rc != 0)
		return rc;
	nb->gt = xengnttab_open(NULL, 0);
	nb->ev = xenevtchn_open(NULL, 0);
	nb->ev_ctrl = xenevtchn_open(NULL, 0);
	if (nb->gt == NULL || nb->ev == NULL || nb->ev_ctrl == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open the %s device (%s): needs "
			    "xen-gntdev and xen-evtchn (or xensim's libraries on "
			    "LD_LIBRARY_PATH)", nb->name,
			    nb->gt == NULL ? "grant table" : "event channel",
			    strerror(errno));
		return -ENODEV;
	}
	/* Start in a known state: not serving until dev_start. */
	netback_set_state(nb, XenbusStateInitialising);
	snprintf(nb->token, sizeof(nb->token), "netback-%p", (void *)nb);
	snprintf(path, sizeof(path), "%s/state", nb->fe_path);
	if (!xs_watch(nb->xs, path, nb->token)) {
		PMD_DRV_LOG(ERR, "%s: cannot watch %s (%s)", nb->name, path,
			    strerror(errno));
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/state", nb->be_path);
	if (!xs_watch(nb->xs, path, nb->token)) {
		PMD_DRV_LOG(ERR, "%s: cannot watch %s (%s)", nb->name, path,
			    strerror(errno));
		return -EIO;
	}
	nb->watching = true;
	rc = netback_intr_register(nb, &nb->xs_intr, xs_fileno(nb->xs),
				   netback_xs_intr, &nb->xs_cb);
	if (rc == 0)
		rc = netback_intr_register(nb, &nb->ctrl_intr,
					   xenevtchn_fd(nb->ev_ctrl),
					   netback_ctrl_intr, &nb->ctrl_cb);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: cannot register interrupt callbacks (%s)",
			    nb->name, strerror(-rc));
		return rc;
	}
	rc = netif_xs_read_mac(nb->xs, nb->be_path, "mac", nb->mac.addr_bytes);
	PMD_DRV_LOG(INFO, "%s: backend %s for frontend %s (guest mac %s)",
		    nb->name, nb->be_path, nb->fe_path, rc == 0 ? "known" : "unset");
	/* The port's own address, as Linux gives its vif interfaces. */
	memset(nb->mac.addr_bytes, 0xff, RTE_ETHER_ADDR_LEN);
	nb->mac.addr_bytes[0] = 0xfe;
	return 0;
}

int
netback_xs_start(struct netback_adapter *nb)
{
	enum xenbus_state fe;
	uint64_t deadline;
	int rc;

	pthread_mutex_lock(&nb->lock);
	nb->started = true;
	nb->adopt_pending = false;
	if (!nb->connected && netif_xb_read_state(nb->xs, nb->fe_path, &fe) == 0 &&
	    (fe == XenbusStateConnected || fe == XenbusStateInitialised)) {
		PMD_DRV_LOG(INFO, "%s: frontend is already %s: waiting %u ms for it "
			    "to start over", nb->name, netif_xb_state_name(fe),
			    NETBACK_ADOPT_MS);
		nb->adopt_pending = true;
		rte_eal_alarm_set(NETBACK_ADOPT_MS * 1000, netback_adopt_alarm, nb);
	}
	rc = netback_go_initwait(nb);
	if (rc == 0)
		netback_xs_changed(nb);
	else
		nb->started = false;
	pthread_mutex_unlock(&nb->lock);
	if (rc != 0 || nb->args.connect_timeout_ms == 0)
		return rc;
	deadline = rte_get_timer_cycles() +
		   rte_get_timer_hz() * nb->args.connect_timeout_ms / 1000;
	while (!__atomic_load_n(&nb->connected, __ATOMIC_ACQUIRE) &&
	       rte_get_timer_cycles() < deadline)
		rte_delay_us_sleep(10000);
	if (!__atomic_load_n(&nb->connected, __ATOMIC_ACQUIRE))
		PMD_DRV_LOG(NOTICE, "%s: no frontend connected within %u ms "
			    "(connect_timeout_ms); the link comes up when one does",
			    nb->name, nb->args.connect_timeout_ms);
	return 0;
}

void
netback_xs_stop(struct netback_adapter *nb)
{
	pthread_mutex_lock(&nb->lock);
	if (nb->started) {
		nb->started = false;
		netback_disconnect(nb, "port stopped");
		if (nb->be_state != XenbusStateClosed) {
			netback_set_state(nb, XenbusStateClosing);
			netback_set_state(nb, XenbusStateClosed);
		}
	}
	pthread_mutex_unlock(&nb->lock);
}

void
netback_xs_close(struct netback_adapter *nb)
{
	char path[NETBACK_PATH_MAX + 16];

	if (nb->xs_cb)
		rte_intr_callback_unregister_sync(nb->xs_intr, netback_xs_intr, nb);
	if (nb->ctrl_cb)
		rte_intr_callback_unregister_sync(nb->ctrl_intr, netback_ctrl_intr, nb);
	nb->xs_cb = nb->ctrl_cb = false;
	netback_xs_stop(nb);
	/* After the callbacks are gone and the vif is down: nothing re-arms. */
	rte_eal_alarm_cancel(netback_broken_alarm, nb);
	rte_eal_alarm_cancel(netback_adopt_alarm, nb);
	netback_ctrl_cancel(nb);
	rte_intr_instance_free(nb->xs_intr);
	rte_intr_instance_free(nb->ctrl_intr);
	nb->xs_intr = nb->ctrl_intr = NULL;
	if (nb->watching) {
		snprintf(path, sizeof(path), "%s/state", nb->fe_path);
		xs_unwatch(nb->xs, path, nb->token);
		snprintf(path, sizeof(path), "%s/state", nb->be_path);
		xs_unwatch(nb->xs, path, nb->token);
		nb->watching = false;
	}
	if (nb->ev_ctrl != NULL)
		xenevtchn_close(nb->ev_ctrl);
	if (nb->ev != NULL)
		xenevtchn_close(nb->ev);
	if (nb->gt != NULL)
		xengnttab_close(nb->gt);
	if (nb->xs != NULL)
		xs_close(nb->xs);
	nb->ev_ctrl = nb->ev = NULL;
	nb->gt = NULL;
	nb->xs = NULL;
}
