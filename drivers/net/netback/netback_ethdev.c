/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netback: a userspace Xen network backend as a DPDK port. One port
 * serves one vif of another domain: what the guest sends is received on
 * the port, what is sent on the port goes to the guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_malloc.h>

#include "netback.h"
#include "netback_logs.h"

RTE_LOG_REGISTER_DEFAULT(netback_logtype, NOTICE);

#define NETBACK_NAME(e, s) s,
static const char *const netback_qstat_names[] = { NETBACK_QSTATS(NETBACK_NAME) };
static const char *const netback_astat_names[] = { NETBACK_ASTATS(NETBACK_NAME) };
#undef NETBACK_NAME

#define NETBACK_NB_XSTATS (NETBACK_QSTAT_MAX + NETBACK_ASTAT_MAX)
/* Smallest mbuf data room (after headroom) the guest-TX copy accepts. */
#define NETBACK_MIN_ROOM 256
#define NETBACK_MAX_DESC 8192

static void
netback_queue_free(struct netback_queue *q)
{
	if (q == NULL)
		return;
	/* Disconnect released every mapping; only the table is left. */
	free(q->gmap.tab);
	q->gmap.tab = NULL;
	if (q->gt != NULL)
		xengnttab_close(q->gt);
	rte_free(q);
}

static struct netback_queue *
netback_queue_alloc(struct netback_adapter *nb, uint16_t qid)
{
	struct netback_queue *q;
	unsigned int cap = nb->args.copy == NETBACK_COPY_GRANT ? 0 :
			   nb->args.gref_map_size;

	q = rte_zmalloc_socket("netback_queue", sizeof(*q), RTE_CACHE_LINE_SIZE,
			       nb->dev->device->numa_node);
	if (q == NULL)
		return NULL;
	q->nb = nb;
	q->qid = qid;
	q->port_id = nb->dev->data->port_id;
	q->gt = xengnttab_open(NULL, 0);
	if (q->gt == NULL || netback_gmap_init(&q->gmap, cap) != 0) {
		PMD_DRV_LOG(ERR, "%s: queue %u: cannot open the grant device or "
			    "allocate its staging table (%s)", nb->name, qid,
			    strerror(errno));
		netback_queue_free(q);
		return NULL;
	}
	return q;
}

static int
netback_dev_configure(struct rte_eth_dev *dev)
{
	struct netback_adapter *nb = dev->data->dev_private;
	unsigned int n = dev->data->nb_rx_queues;

	if (dev->data->nb_rx_queues != dev->data->nb_tx_queues) {
		PMD_DRV_LOG(ERR, "%s: %u RX and %u TX queues: a vif queue is a pair, "
			    "ask for as many of each", nb->name,
			    dev->data->nb_rx_queues, dev->data->nb_tx_queues);
		return -EINVAL;
	}
	if (n == 0 || n > nb->args.queues) {
		PMD_DRV_LOG(ERR, "%s: %u queue pairs asked, devarg queues=%u allows "
			    "1 to that many", nb->name, n, nb->args.queues);
		return -EINVAL;
	}
	for (unsigned int i = n; i < NETBACK_MAX_QUEUES; i++) {
		netback_queue_free(nb->q[i]);
		nb->q[i] = NULL;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (nb->q[i] == NULL)
			nb->q[i] = netback_queue_alloc(nb, (uint16_t)i);
		if (nb->q[i] == NULL)
			return -ENOMEM;
	}
	nb->nr_queues = n;
	return 0;
}

static int
netback_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct netback_adapter *nb = dev->data->dev_private;

	info->max_rx_queues = (uint16_t)nb->args.queues;
	info->max_tx_queues = (uint16_t)nb->args.queues;
	info->max_mac_addrs = 1;
	info->min_rx_bufsize = NETBACK_MIN_ROOM;
	info->max_rx_pktlen = NETIF_MAX_PKT_LEN;
	info->max_mtu = NETIF_MAX_PKT_LEN - RTE_ETHER_HDR_LEN;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	/*
	 * The rings belong to the frontend (256 slots each); the descriptor
	 * counts an application asks for size nothing here and are accepted.
	 */
	info->rx_desc_lim.nb_max = NETBACK_MAX_DESC;
	info->rx_desc_lim.nb_min = 1;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = NETBACK_MAX_DESC;
	info->tx_desc_lim.nb_min = 1;
	info->tx_desc_lim.nb_align = 1;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}

static int
netback_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_rxconf *conf,
		       struct rte_mempool *mp)
{
	struct netback_adapter *nb = dev->data->dev_private;
	uint32_t room = rte_pktmbuf_data_room_size(mp);

	(void)nb_desc;
	(void)socket;
	(void)conf;
	if (room < RTE_PKTMBUF_HEADROOM + NETBACK_MIN_ROOM) {
		PMD_DRV_LOG(ERR, "%s: RX queue %u: mbufs of pool %s have %u bytes "
			    "of data room, at least %u are needed", nb->name, qid,
			    mp->name, room, RTE_PKTMBUF_HEADROOM + NETBACK_MIN_ROOM);
		return -EINVAL;
	}
	nb->q[qid]->mp = mp;
	dev->data->rx_queues[qid] = nb->q[qid];
	return 0;
}

static int
netback_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		       unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct netback_adapter *nb = dev->data->dev_private;

	(void)nb_desc;
	(void)socket;
	(void)conf;
	dev->data->tx_queues[qid] = nb->q[qid];
	return 0;
}

/* Queues belong to the adapter (one pair each); freed at close. */
static void
netback_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	(void)dev;
	(void)qid;
}

static int
netback_dev_start(struct rte_eth_dev *dev)
{
	struct netback_adapter *nb = dev->data->dev_private;
	int rc;

	for (unsigned int i = 0; i < nb->nr_queues; i++) {
		if (nb->q[i] == NULL || nb->q[i]->mp == NULL) {
			PMD_DRV_LOG(ERR, "%s: RX queue %u is not set up", nb->name, i);
			return -EINVAL;
		}
	}
	rc = netback_xs_start(nb);
	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < nb->nr_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	return 0;
}

static int
netback_dev_stop(struct rte_eth_dev *dev)
{
	struct netback_adapter *nb = dev->data->dev_private;

	netback_xs_stop(nb);
	netback_link_set(nb, false);
	dev->data->dev_started = 0;
	for (unsigned int i = 0; i < nb->nr_queues; i++) {
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	return 0;
}

static int
netback_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct netback_adapter *nb = dev->data->dev_private;

	(void)wait_to_complete;
	netback_link_set(nb, __atomic_load_n(&nb->connected, __ATOMIC_ACQUIRE));
	return 0;
}

static void
netback_adapter_free(struct netback_adapter *nb)
{
	netback_xs_close(nb);
	for (unsigned int i = 0; i < NETBACK_MAX_QUEUES; i++) {
		netback_queue_free(nb->q[i]);
		nb->q[i] = NULL;
	}
	pthread_mutex_destroy(&nb->lock);
}

static int
netback_dev_close(struct rte_eth_dev *dev)
{
	struct netback_adapter *nb = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	netback_adapter_free(nb);
	for (unsigned int i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queues[i] = NULL;
	for (unsigned int i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queues[i] = NULL;
	dev->data->mac_addrs = NULL;
	return 0;
}

static uint64_t
netback_qsum(const struct netback_queue *q, unsigned int c)
{
	return q->gtx.cnt[c] + q->grx.cnt[c];
}

static int
netback_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct netback_adapter *nb = dev->data->dev_private;

	for (unsigned int i = 0; i < nb->nr_queues; i++) {
		const struct netback_queue *q = nb->q[i];
		uint64_t ierr = netback_qsum(q, NETBACK_GTX_BAD_ID) +
				netback_qsum(q, NETBACK_GTX_BAD_OFFSET) +
				netback_qsum(q, NETBACK_GTX_BAD_LEN) +
				netback_qsum(q, NETBACK_GTX_BAD_FLAGS) +
				netback_qsum(q, NETBACK_GTX_BAD_EXTRA) +
				netback_qsum(q, NETBACK_GTX_BAD_SLOTS) +
				netback_qsum(q, NETBACK_GTX_COPY_ERR);
		uint64_t oerr = netback_qsum(q, NETBACK_GRX_DROP_SIZE) +
				netback_qsum(q, NETBACK_GRX_DROP_DOWN) +
				netback_qsum(q, NETBACK_GRX_COPY_ERR);

		st->ipackets += q->gtx.cnt[NETBACK_GTX_PKTS];
		st->ibytes += q->gtx.cnt[NETBACK_GTX_BYTES];
		st->opackets += q->grx.cnt[NETBACK_GRX_PKTS];
		st->obytes += q->grx.cnt[NETBACK_GRX_BYTES];
		st->ierrors += ierr;
		st->oerrors += oerr;
		st->rx_nombuf += q->gtx.cnt[NETBACK_GTX_NOMBUF];
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = q->gtx.cnt[NETBACK_GTX_PKTS];
			st->q_ibytes[i] = q->gtx.cnt[NETBACK_GTX_BYTES];
			st->q_opackets[i] = q->grx.cnt[NETBACK_GRX_PKTS];
			st->q_obytes[i] = q->grx.cnt[NETBACK_GRX_BYTES];
			st->q_errors[i] = ierr;
		}
	}
	return 0;
}

static int
netback_stats_reset(struct rte_eth_dev *dev)
{
	struct netback_adapter *nb = dev->data->dev_private;

	for (unsigned int i = 0; i < nb->nr_queues; i++) {
		memset(nb->q[i]->gtx.cnt, 0, sizeof(nb->q[i]->gtx.cnt));
		memset(nb->q[i]->grx.cnt, 0, sizeof(nb->q[i]->grx.cnt));
	}
	pthread_mutex_lock(&nb->lock);
	for (unsigned int i = 0; i < NETBACK_ASTAT_MAX; i++)
		if (i != NETBACK_GREF_MAPPED) /* a gauge, not a counter */
			nb->cnt[i] = 0;
	pthread_mutex_unlock(&nb->lock);
	return 0;
}

static int
netback_xstats_get_names(struct rte_eth_dev *dev,
			 struct rte_eth_xstat_name *names, unsigned int size)
{
	(void)dev;
	if (names == NULL || size < NETBACK_NB_XSTATS)
		return NETBACK_NB_XSTATS;
	for (unsigned int i = 0; i < NETBACK_QSTAT_MAX; i++)
		strlcpy(names[i].name, netback_qstat_names[i], sizeof(names[i].name));
	for (unsigned int i = 0; i < NETBACK_ASTAT_MAX; i++)
		strlcpy(names[NETBACK_QSTAT_MAX + i].name, netback_astat_names[i],
			sizeof(names[i].name));
	return NETBACK_NB_XSTATS;
}

static int
netback_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		   unsigned int size)
{
	struct netback_adapter *nb = dev->data->dev_private;

	if (xs == NULL || size < NETBACK_NB_XSTATS)
		return NETBACK_NB_XSTATS;
	for (unsigned int i = 0; i < NETBACK_QSTAT_MAX; i++) {
		xs[i].id = i;
		xs[i].value = 0;
		for (unsigned int k = 0; k < nb->nr_queues; k++)
			xs[i].value += netback_qsum(nb->q[k], i);
	}
	for (unsigned int i = 0; i < NETBACK_ASTAT_MAX; i++) {
		xs[NETBACK_QSTAT_MAX + i].id = NETBACK_QSTAT_MAX + i;
		xs[NETBACK_QSTAT_MAX + i].value = nb->cnt[i];
	}
	return NETBACK_NB_XSTATS;
}

static int
netback_promisc_noop(struct rte_eth_dev *dev)
{
	/* A vif has no filter: the guest's packets all arrive. */
	(void)dev;
	return 0;
}

static int
netback_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct netback_adapter *nb = dev->data->dev_private;

	if (mtu > NETIF_MAX_PKT_LEN - RTE_ETHER_HDR_LEN) {
		PMD_DRV_LOG(ERR, "%s: MTU %u: a netif packet is at most %u bytes",
			    nb->name, mtu, NETIF_MAX_PKT_LEN);
		return -EINVAL;
	}
	return 0;
}

static const struct eth_dev_ops netback_ops = {
	.dev_configure = netback_dev_configure,
	.dev_infos_get = netback_dev_infos_get,
	.dev_start = netback_dev_start,
	.dev_stop = netback_dev_stop,
	.dev_close = netback_dev_close,
	.link_update = netback_link_update,
	.rx_queue_setup = netback_rx_queue_setup,
	.tx_queue_setup = netback_tx_queue_setup,
	.rx_queue_release = netback_queue_release,
	.tx_queue_release = netback_queue_release,
	.stats_get = netback_stats_get,
	.stats_reset = netback_stats_reset,
	.xstats_get = netback_xstats_get,
	.xstats_get_names = netback_xstats_get_names,
	.xstats_reset = netback_stats_reset,
	.promiscuous_enable = netback_promisc_noop,
	.promiscuous_disable = netback_promisc_noop,
	.allmulticast_enable = netback_promisc_noop,
	.allmulticast_disable = netback_promisc_noop,
	.mtu_set = netback_mtu_set,
};

static int
netback_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct netback_adapter *nb;
	struct rte_eth_dev *dev;
	char err[256];
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		PMD_DRV_LOG(ERR, "%s: secondary processes are not supported", name);
		return -ENOTSUP;
	}
	dev = rte_eth_vdev_allocate(vdev, sizeof(*nb));
	if (dev == NULL)
		return -ENOMEM;
	nb = dev->data->dev_private;
	nb->dev = dev;
	strlcpy(nb->name, name, sizeof(nb->name));
	pthread_mutex_init(&nb->lock, NULL);
	rc = netback_args_parse(rte_vdev_device_args(vdev), &nb->args, err,
				sizeof(err));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: %s", name, err);
		goto fail;
	}
	rc = netback_xs_probe(nb);
	if (rc != 0)
		goto fail;

	dev->dev_ops = &netback_ops;
	dev->rx_pkt_burst = netback_rx_burst;
	dev->tx_pkt_burst = netback_tx_burst;
	dev->data->mac_addrs = &nb->mac;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS |
				RTE_ETH_DEV_INTR_LSC;
	rte_eth_dev_probing_finish(dev);
	PMD_DRV_LOG(INFO, "%s: serving vif %u of domain %u (%s)", name,
		    nb->args.vif, nb->args.domid, nb->be_path);
	return 0;
fail:
	netback_adapter_free(nb);
	dev->data->mac_addrs = NULL;
	rte_eth_dev_release_port(dev);
	return rc;
}

static int
netback_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev =
		rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	netback_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver netback_vdev_drv = {
	.probe = netback_probe,
	.remove = netback_remove,
};

RTE_PMD_REGISTER_VDEV(net_netback, netback_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_netback,
	NETBACK_ARG_DOMID "=<frontend domid> "
	NETBACK_ARG_VIF "=<devid> "
	NETBACK_ARG_GREF_MAP_SIZE "=<entries per queue> "
	NETBACK_ARG_QUEUES "=<1-" RTE_STR(NETBACK_MAX_QUEUES) "> "
	NETBACK_ARG_COPY "=auto|grant "
	NETBACK_ARG_TIMEOUT "=<ms>");
