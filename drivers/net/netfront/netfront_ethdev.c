/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netfront: ethdev side of the Xen netif guest driver.
 *
 * Status: probe, devargs and vif discovery. The xenbus handshake, the
 * pregranted pools and the RX/TX bursts are not written yet: dev_start
 * says so and fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_malloc.h>

#include "netfront.h"
#include "netfront_logs.h"

RTE_LOG_REGISTER_DEFAULT(netfront_logtype, NOTICE);

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
	info->rx_desc_lim.nb_max = NETIF_RX_RING_SIZE;
	info->tx_desc_lim.nb_max = NETIF_TX_RING_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	return 0;
}

static int
netfront_dev_start(struct rte_eth_dev *dev)
{
	PMD_DRV_LOG(ERR, "%s: the netfront data path is not implemented yet",
		    dev->data->name);
	return -ENOTSUP;
}

static int
netfront_dev_stop(struct rte_eth_dev *dev)
{
	dev->data->dev_started = 0;
	return 0;
}

static int
netfront_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = RTE_ETH_LINK_DOWN,
	};

	(void)wait_to_complete;
	return rte_eth_linkstatus_set(dev, &link);
}

static void
netfront_adapter_free(struct netfront_adapter *nf)
{
	if (nf->xs != NULL) {
		xs_close(nf->xs);
		nf->xs = NULL;
	}
}

static int
netfront_dev_close(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	netfront_adapter_free(dev->data->dev_private);
	/* The MAC lives in the private data: ethdev must not free it. */
	dev->data->mac_addrs = NULL;
	return 0;
}

static const struct eth_dev_ops netfront_ops = {
	.dev_configure = netfront_dev_configure,
	.dev_infos_get = netfront_dev_infos_get,
	.dev_start = netfront_dev_start,
	.dev_stop = netfront_dev_stop,
	.dev_close = netfront_dev_close,
	.link_update = netfront_link_update,
};

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
	rc = netfront_args_parse(rte_vdev_device_args(vdev), &nf->args, err,
				 sizeof(err));
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "%s: %s", name, err);
		goto fail;
	}
	rc = netfront_xs_discover(nf, name);
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
	NETFRONT_ARG_TIMEOUT "=<ms>");
