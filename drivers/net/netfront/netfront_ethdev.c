/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netfront: ethdev side of the Xen netif guest driver: probe, queues
 * (where the granted memory is set up, once), start/stop (the xenbus
 * handshake, netfront_xs.c), stats. The bursts are in netfront_rxtx.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "netfront.h"
#include "netfront_logs.h"
#include "rte_pmd_netfront.h"

RTE_LOG_REGISTER_DEFAULT(netfront_logtype, NOTICE);

static int
netfront_link_set(struct rte_eth_dev *dev, uint16_t status)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = status,
	};

	return rte_eth_linkstatus_set(dev, &link);
}

/*
 * A link change seen on the interrupt thread, under ctl_lock: the status
 * now, the LSC event at netfront_lsc_flush, once the lock is released
 * (an application's callback may well stop the port).
 */
void
netfront_link_report(struct netfront_adapter *nf, bool up)
{
	struct rte_eth_link link;

	rte_eth_linkstatus_get(nf->dev, &link);
	if (link.link_status == (up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN))
		return;
	if (!up)
		nf->lost_tsc = rte_get_tsc_cycles();
	netfront_link_set(nf->dev, up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN);
	nf->lsc_pending++;
}

void
netfront_lsc_flush(struct netfront_adapter *nf)
{
	unsigned int n = __atomic_exchange_n(&nf->lsc_pending, 0, __ATOMIC_ACQ_REL);

	while (n-- > 0)
		rte_eth_dev_callback_process(nf->dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static int
netfront_dev_configure(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	if (dev->data->nb_rx_queues != dev->data->nb_tx_queues) {
		PMD_DRV_LOG(ERR, "%s: %u RX and %u TX queues: a vif queue is a pair, "
			    "ask for as many of each", dev->data->name,
			    dev->data->nb_rx_queues, dev->data->nb_tx_queues);
		return -EINVAL;
	}
	if (dev->data->dev_conf.intr_conf.rxq && !nf->args.intr) {
		PMD_DRV_LOG(ERR, "%s: RX interrupts asked for: load the port with "
			    "devarg notify=intr", dev->data->name);
		return -EINVAL;
	}
	if (dev->data->nb_rx_queues > nf->args.queues) {
		PMD_DRV_LOG(ERR, "%s: %u queue pairs asked, devarg queues=%u allows "
			    "at most that many", dev->data->name,
			    dev->data->nb_rx_queues, nf->args.queues);
		return -EINVAL;
	}
	return 0;
}

static int
netfront_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	info->max_rx_queues = (uint16_t)nf->args.queues;
	info->max_tx_queues = (uint16_t)nf->args.queues;
	info->max_mac_addrs = 1;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->max_rx_pktlen = NETIF_MAX_PKT_LEN;
	info->max_mtu = NETIF_MAX_PKT_LEN - RTE_ETHER_HDR_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	/* The rings have the protocol's fixed size; any descriptor count is taken. */
	info->rx_desc_lim = (struct rte_eth_desc_lim){ .nb_max = UINT16_MAX, .nb_align = 1 };
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = NETIF_RX_RING_SIZE;
	info->default_txportconf.ring_size = NETIF_TX_RING_SIZE;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}


/* Queues: granted memory is set up here, once, and revoked at release. */

static void
netfront_rxq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	struct netfront_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	netfront_rxq_stop(q);
	for (unsigned int i = 0; i < nf->nr_pools; i++)
		if (nf->pools[i] == &q->pool) {
			nf->pools[i] = nf->pools[--nf->nr_pools];
			break;
		}
	netfront_pool_free(nf, &q->pool);
	netfront_pages_unshare(nf, &q->ring_page);
	rte_free(q);
	dev->data->rx_queues[qid] = NULL;
}

static int
netfront_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct netfront_rxq *q;
	int rc;

	(void)nb_desc;
	(void)conf;
	(void)mp; /* RX buffers must be granted pages: the queue has its own pool */
	netfront_rxq_release(dev, qid);
	q = rte_zmalloc_socket("netfront_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->nf = nf;
	q->id = qid;
	rte_spinlock_init(&q->lock);
	snprintf(name, sizeof(name), "nf%u_rx%u", dev->data->port_id, qid);
	rc = netfront_pages_share(nf, &q->ring_page, 1, "an RX ring");
	if (rc == 0)
		rc = netfront_pool_create(nf, &q->pool, name, nf->args.rx_pool,
					  (int)socket);
	if (rc != 0) {
		netfront_pages_unshare(nf, &q->ring_page);
		rte_free(q);
		return rc;
	}
	q->pool.pages.writable_for_peer = true;
	nf->pools[nf->nr_pools++] = &q->pool;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static void
netfront_txq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	struct netfront_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return;
	netfront_txq_stop(q);
	netfront_pages_unshare(nf, &q->staging);
	netfront_pages_unshare(nf, &q->ring_page);
	rte_free(q);
	dev->data->tx_queues[qid] = NULL;
}

static int
netfront_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	struct netfront_txq *q;
	int rc;

	(void)nb_desc;
	(void)conf;
	netfront_txq_release(dev, qid);
	q = rte_zmalloc_socket("netfront_txq", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->nf = nf;
	q->id = qid;
	rte_spinlock_init(&q->lock);
	rc = netfront_pages_share(nf, &q->ring_page, 1, "a TX ring");
	if (rc == 0)
		rc = netfront_pages_share(nf, &q->staging, NETIF_TX_RING_SIZE,
					  "TX staging");
	if (rc != 0) {
		netfront_pages_unshare(nf, &q->ring_page);
		rte_free(q);
		return rc;
	}
	dev->data->tx_queues[qid] = q;
	return 0;
}

static int
netfront_dev_start(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	int rc;

	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] == NULL || dev->data->tx_queues[i] == NULL) {
			PMD_DRV_LOG(ERR, "%s: queue pair %u not set up", dev->data->name, i);
			return -EINVAL;
		}
	pthread_mutex_lock(&nf->ctl_lock);
	rc = netfront_xs_connect(nf, false);
	if (rc == 0 && dev->data->dev_conf.intr_conf.rxq) {
		rc = netfront_rx_intr_install(dev);
		if (rc != 0)
			netfront_xs_disconnect(nf);
	}
	if (rc != 0) {
		pthread_mutex_unlock(&nf->ctl_lock);
		return rc;
	}
	nf->backend_lost = false;
	nf->stalled = false;
	netfront_queues_park(nf, false);
	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	dev->rx_pkt_burst = netfront_rx_burst;
	dev->tx_pkt_burst = netfront_tx_burst;
	netfront_link_set(dev, RTE_ETH_LINK_UP);
	netfront_stall_check_start(nf);
	pthread_mutex_unlock(&nf->ctl_lock);
	return 0;
}

static int
netfront_dev_stop(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	netfront_stall_check_stop(nf);
	pthread_mutex_lock(&nf->ctl_lock);
	dev->data->dev_started = 0;
	netfront_link_set(dev, RTE_ETH_LINK_DOWN);
	netfront_rx_intr_uninstall(dev);
	if (nf->connected)
		netfront_xs_disconnect(nf);
	nf->backend_lost = false;
	nf->stalled = false;
	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	pthread_mutex_unlock(&nf->ctl_lock);
	return 0;
}

static int
netfront_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	bool up = nf->connected && !nf->broken && !nf->backend_lost &&
		  !nf->stalled && dev->data->dev_started;

	(void)wait_to_complete;
	return netfront_link_set(dev, up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN);
}

static int
netfront_tx_done_cleanup(void *txq, uint32_t free_cnt)
{
	struct netfront_txq *q = txq;
	unsigned int n;

	(void)free_cnt;
	rte_spinlock_lock(&q->lock);
	n = netfront_tx_reclaim(q);
	rte_spinlock_unlock(&q->lock);
	return (int)n;
}

static int
netfront_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct netfront_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		st->ipackets += q->packets;
		st->ibytes += q->bytes;
		st->ierrors += q->bad_rsp + q->peer_err;
		st->rx_nombuf += q->nombuf;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = q->packets;
			st->q_ibytes[i] = q->bytes;
			st->q_errors[i] = q->bad_rsp + q->peer_err;
		}
	}
	for (unsigned int i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct netfront_txq *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		st->opackets += q->packets;
		st->obytes += q->bytes;
		st->oerrors += q->bad_rsp + q->peer_err + q->dropped;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = q->packets;
			st->q_obytes[i] = q->bytes;
		}
	}
	return 0;
}

static int
netfront_stats_reset(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	memset(&nf->st, 0, sizeof(nf->st));
	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++) {
		struct netfront_rxq *q = dev->data->rx_queues[i];

		if (q != NULL)
			q->packets = q->bytes = q->nombuf = q->bad_rsp = q->peer_err =
				q->kicks = 0;
	}
	for (unsigned int i = 0; i < dev->data->nb_tx_queues; i++) {
		struct netfront_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			q->packets = q->bytes = q->zero_copy = q->copied =
				q->linearized = q->dropped = q->bad_rsp = q->peer_err =
				q->ring_full = q->kicks = 0;
	}
	return 0;
}

/* Named per-queue counters, for what stats_get cannot tell apart. */
struct netfront_xstat {
	const char *name;
	size_t off;
};

static const struct netfront_xstat rx_xstats[] = {
	{ "bad_responses", offsetof(struct netfront_rxq, bad_rsp) },
	{ "peer_errors", offsetof(struct netfront_rxq, peer_err) },
	{ "no_mbufs", offsetof(struct netfront_rxq, nombuf) },
	{ "notifications", offsetof(struct netfront_rxq, kicks) },
};

static const struct netfront_xstat tx_xstats[] = {
	{ "zero_copy_packets", offsetof(struct netfront_txq, zero_copy) },
	{ "copied_packets", offsetof(struct netfront_txq, copied) },
	{ "linearized_packets", offsetof(struct netfront_txq, linearized) },
	{ "dropped_packets", offsetof(struct netfront_txq, dropped) },
	{ "bad_responses", offsetof(struct netfront_txq, bad_rsp) },
	{ "peer_errors", offsetof(struct netfront_txq, peer_err) },
	{ "ring_full", offsetof(struct netfront_txq, ring_full) },
	{ "notifications", offsetof(struct netfront_txq, kicks) },
};

static const struct netfront_xstat ctrl_xstats[] = {
	{ "staging_registered_pages", offsetof(struct netfront_ctrl, registered) },
	{ "staging_refused_pages", offsetof(struct netfront_ctrl, refused) },
	{ "ctrl_bad_responses", offsetof(struct netfront_ctrl, bad_rsp) },
	{ "ctrl_timeouts", offsetof(struct netfront_ctrl, timeouts) },
};

static const struct netfront_xstat port_xstats[] = {
	{ "backend_losses", offsetof(struct netfront_adapter, st.backend_losses) },
	{ "backend_stalls", offsetof(struct netfront_adapter, st.stalls) },
	{ "reconnects", offsetof(struct netfront_adapter, st.reconnects) },
};

static unsigned int
netfront_nr_xstats(const struct rte_eth_dev *dev)
{
	return RTE_DIM(port_xstats) + RTE_DIM(ctrl_xstats) +
	       dev->data->nb_rx_queues * RTE_DIM(rx_xstats) +
	       dev->data->nb_tx_queues * RTE_DIM(tx_xstats);
}

static int
netfront_xstats_get_names(struct rte_eth_dev *dev,
			  struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int n = netfront_nr_xstats(dev), k = 0;

	if (names == NULL || size < n)
		return (int)n;
	for (unsigned int i = 0; i < RTE_DIM(port_xstats); i++)
		snprintf(names[k++].name, sizeof(names[0].name), "%s",
			 port_xstats[i].name);
	for (unsigned int i = 0; i < RTE_DIM(ctrl_xstats); i++)
		snprintf(names[k++].name, sizeof(names[0].name), "%s",
			 ctrl_xstats[i].name);
	for (unsigned int q = 0; q < dev->data->nb_rx_queues; q++)
		for (unsigned int i = 0; i < RTE_DIM(rx_xstats); i++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "rx_q%u_%s", q, rx_xstats[i].name);
	for (unsigned int q = 0; q < dev->data->nb_tx_queues; q++)
		for (unsigned int i = 0; i < RTE_DIM(tx_xstats); i++)
			snprintf(names[k++].name, sizeof(names[0].name),
				 "tx_q%u_%s", q, tx_xstats[i].name);
	return (int)n;
}

static unsigned int
xstats_fill(struct rte_eth_xstat *xs, unsigned int k, const void *q,
	    const struct netfront_xstat *def, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++, k++) {
		xs[k].id = k;
		xs[k].value = q == NULL ? 0 :
			*(const uint64_t *)((const char *)q + def[i].off);
	}
	return k;
}

static int
netfront_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		    unsigned int size)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	unsigned int n = netfront_nr_xstats(dev), k = 0;

	if (xs == NULL || size < n)
		return (int)n;
	k = xstats_fill(xs, k, nf, port_xstats, RTE_DIM(port_xstats));
	k = xstats_fill(xs, k, &nf->ctrl, ctrl_xstats, RTE_DIM(ctrl_xstats));
	for (unsigned int q = 0; q < dev->data->nb_rx_queues; q++)
		k = xstats_fill(xs, k, dev->data->rx_queues[q], rx_xstats,
				RTE_DIM(rx_xstats));
	for (unsigned int q = 0; q < dev->data->nb_tx_queues; q++)
		k = xstats_fill(xs, k, dev->data->tx_queues[q], tx_xstats,
				RTE_DIM(tx_xstats));
	return (int)n;
}

static void
netfront_adapter_free(struct netfront_adapter *nf)
{
	netfront_watch_stop(nf);
	for (unsigned int i = 0; i < NETFRONT_MAX_QUEUES; i++)
		if (nf->intr_xce[i] != NULL) {
			xenevtchn_close(nf->intr_xce[i]);
			nf->intr_xce[i] = NULL;
		}
	if (nf->rx_intr != NULL) {
		rte_intr_instance_free(nf->rx_intr);
		nf->rx_intr = NULL;
		nf->dev->intr_handle = NULL;
	}
	if (nf->xce != NULL) {
		xenevtchn_close(nf->xce);
		nf->xce = NULL;
	}
	if (nf->gs != NULL) {
		xengntshr_close(nf->gs);
		nf->gs = NULL;
	}
	if (nf->xs != NULL) {
		xs_close(nf->xs);
		nf->xs = NULL;
	}
}

static void netfront_app_pool_drop(struct netfront_adapter *nf, unsigned int i);

static int
netfront_dev_close(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	netfront_stall_check_stop(nf);
	pthread_mutex_lock(&nf->ctl_lock);
	if (nf->connected)
		netfront_xs_disconnect(nf);
	nf->backend_lost = false;
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++)
		netfront_rxq_release(dev, i);
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++)
		netfront_txq_release(dev, i);
	netfront_ctrl_release(nf);
	while (nf->nr_app_pools > 0)
		netfront_app_pool_drop(nf, nf->nr_app_pools - 1);
	pthread_mutex_unlock(&nf->ctl_lock);
	/* The watch callback, if running, sees nothing to do and returns. */
	netfront_adapter_free(nf);
	pthread_mutex_destroy(&nf->ctl_lock);
	/* The MAC lives in the private data: ethdev must not free it. */
	dev->data->mac_addrs = NULL;
	return 0;
}

/*
 * Frames up to 1514 bytes fit the one-slot packets every backend takes;
 * larger ones need several slots, which a backend accepts when it offers
 * feature-sg.
 */
static int
netfront_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	bool sg = false;

	if (mtu <= RTE_ETHER_MTU)
		return 0;
	if (netif_xs_read_feature(nf->xs, nf->be_path, "feature-sg", &sg) != 0 || !sg) {
		PMD_DRV_LOG(ERR, "%s: MTU %u needs a backend with feature-sg, and %s "
			    "does not offer it", dev->data->name, mtu, nf->be_path);
		return -EINVAL;
	}
	return 0;
}

/*
 * A vif has no receive filter: the backend delivers whatever its bridge or
 * switch sends it, so these modes are always on.
 */
static int
netfront_filter_noop(struct rte_eth_dev *dev)
{
	(void)dev;
	return 0;
}

static const struct eth_dev_ops netfront_ops = {
	.mtu_set = netfront_mtu_set,
	.promiscuous_enable = netfront_filter_noop,
	.promiscuous_disable = netfront_filter_noop,
	.allmulticast_enable = netfront_filter_noop,
	.allmulticast_disable = netfront_filter_noop,
	.dev_configure = netfront_dev_configure,
	.dev_infos_get = netfront_dev_infos_get,
	.dev_start = netfront_dev_start,
	.dev_stop = netfront_dev_stop,
	.dev_close = netfront_dev_close,
	.link_update = netfront_link_update,
	.rx_queue_setup = netfront_rx_queue_setup,
	.rx_queue_release = netfront_rxq_release,
	.tx_queue_setup = netfront_tx_queue_setup,
	.tx_queue_release = netfront_txq_release,
	.tx_done_cleanup = netfront_tx_done_cleanup,
	.rx_queue_intr_enable = netfront_rx_intr_enable,
	.rx_queue_intr_disable = netfront_rx_intr_disable,
	.stats_get = netfront_stats_get,
	.stats_reset = netfront_stats_reset,
	.xstats_get = netfront_xstats_get,
	.xstats_get_names = netfront_xstats_get_names,
	.xstats_reset = netfront_stats_reset,
};

/* Handles to the grant and event channel devices, and the backend watch. */
static int
netfront_open_xen(struct netfront_adapter *nf, const char *name)
{
	nf->gs = xengntshr_open(NULL, 0);
	if (nf->gs == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open the grant sharing device "
			    "(/dev/xen/gntalloc; modprobe xen_gntalloc): %s",
			    name, strerror(errno));
		return -ENODEV;
	}
	nf->xce = xenevtchn_open(NULL, 0);
	if (nf->xce == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot open the event channel device "
			    "(/dev/xen/evtchn): %s", name, strerror(errno));
		return -ENODEV;
	}
	return netfront_watch_start(nf);
}

static int
netfront_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct netfront_adapter *nf;
	struct rte_eth_dev *dev;
	char err[256];
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		PMD_DRV_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(*nf));
	if (dev == NULL)
		return -ENOMEM;
	nf = dev->data->dev_private;
	pthread_mutex_init(&nf->ctl_lock, NULL);
	rc = netfront_args_parse(rte_vdev_device_args(vdev), &nf->args, err,
				 sizeof(err));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: %s", name, err);
		goto fail;
	}
	nf->dev = dev;
	rc = netfront_xs_discover(nf, name);
	if (rc == 0)
		rc = netfront_open_xen(nf, name);
	if (rc != 0)
		goto fail;

	dev->dev_ops = &netfront_ops;
	dev->data->mac_addrs = &nf->mac;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS |
				RTE_ETH_DEV_INTR_LSC;
	rte_eth_dev_probing_finish(dev);
	return 0;
fail:
	netfront_adapter_free(nf);
	pthread_mutex_destroy(&nf->ctl_lock);
	dev->data->mac_addrs = NULL;
	rte_eth_dev_release_port(dev);
	return rc;
}

static int
netfront_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev =
		rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	netfront_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver netfront_vdev_drv = {
	.probe = netfront_probe,
	.remove = netfront_remove,
};

RTE_PMD_REGISTER_VDEV(net_netfront, netfront_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_netfront,
	NETFRONT_ARG_VIF "=<devid> "
	NETFRONT_ARG_QUEUES "=<1-" RTE_STR(NETFRONT_MAX_QUEUES) "> "
	NETFRONT_ARG_STAGING "=auto|on|off "
	NETFRONT_ARG_RX_POOL "=<mbufs per queue> "
	NETFRONT_ARG_NOTIFY "=poll|intr "
	NETFRONT_ARG_TIMEOUT "=<ms> "
	NETFRONT_ARG_BE_TIMEOUT "=<ms>");

/* rte_pmd_netfront.h */

static struct netfront_adapter *
netfront_port(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	if (dev->dev_ops != &netfront_ops)
		return NULL;
	return dev->data->dev_private;
}

struct rte_mempool *
rte_pmd_netfront_pool_create(uint16_t port_id, const char *name, unsigned int n,
			     int socket_id)
{
	struct netfront_adapter *nf = netfront_port(port_id);
	struct netfront_pool *pool;
	int rc;

	if (nf == NULL || n == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (nf->nr_app_pools == NETFRONT_MAX_APP_POOLS) {
		PMD_DRV_LOG(ERR, "%s: at most %d application pools", nf->dev->data->name,
			    NETFRONT_MAX_APP_POOLS);
		rte_errno = ENOSPC;
		return NULL;
	}
	pool = rte_zmalloc("netfront_app_pool", sizeof(*pool), 0);
	if (pool == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rc = netfront_pool_create(nf, pool, name, n, socket_id);
	if (rc != 0) {
		rte_free(pool);
		rte_errno = -rc;
		return NULL;
	}
	nf->app_pools[nf->nr_app_pools++] = pool;
	nf->pools[nf->nr_pools++] = pool;
	return pool->mp;
}

static void
netfront_app_pool_drop(struct netfront_adapter *nf, unsigned int i)
{
	struct netfront_pool *pool = nf->app_pools[i];

	for (unsigned int k = 0; k < nf->nr_pools; k++)
		if (nf->pools[k] == pool) {
			nf->pools[k] = nf->pools[--nf->nr_pools];
			break;
		}
	nf->app_pools[i] = nf->app_pools[--nf->nr_app_pools];
	netfront_pool_free(nf, pool);
	rte_free(pool);
}

int
rte_pmd_netfront_pool_free(uint16_t port_id, struct rte_mempool *mp)
{
	struct netfront_adapter *nf = netfront_port(port_id);

	if (nf == NULL || mp == NULL)
		return -EINVAL;
	if (nf->dev->data->dev_started)
		return -EBUSY;
	for (unsigned int i = 0; i < nf->nr_app_pools; i++)
		if (nf->app_pools[i]->mp == mp) {
			netfront_app_pool_drop(nf, i);
			return 0;
		}
	return -ENOENT;
}

int
rte_pmd_netfront_mbuf_is_granted(uint16_t port_id, const struct rte_mbuf *m)
{
	struct netfront_adapter *nf = netfront_port(port_id);
	grant_ref_t refs[NETIF_MAX_SLOTS];

	if (nf == NULL)
		return -EINVAL;
	return netfront_mbuf_refs(nf, m, refs);
}
