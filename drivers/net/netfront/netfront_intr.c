/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RX interrupts (devarg notify=intr): each queue pair's event channel is
 * bound on a handle of its own, whose fd is the queue's interrupt fd. To
 * sleep, the application enables the interrupt: we arm rsp_event, so the
 * backend notifies on its next RX response; when it wakes up it disables it
 * and we disarm again, back to busy polling.
 */
#include <errno.h>
#include <poll.h>

#include <ethdev_driver.h>
#include <rte_interrupts.h>

#include "netfront.h"
#include "netfront_logs.h"

/* Take every pending event of the handle, and unmask the ports again. */
static void
intr_drain(xenevtchn_handle *h)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(h), .events = POLLIN };

	while (poll(&pfd, 1, 0) > 0) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(h);

		if (p < 0)
			break;
		xenevtchn_unmask(h, (evtchn_port_t)p);
	}
}

int
netfront_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	struct netfront_rxq *q = dev->data->rx_queues[qid];

	if (nf->intr_xce[qid] == NULL || !nf->connected)
		return -EINVAL;
	intr_drain(nf->intr_xce[qid]);
	/*
	 * Responses that arrived before the event index was armed raise no
	 * event: the application polls once more after enabling (as it must
	 * with any PMD) and finds them.
	 */
	NETIF_FRONT_ARM(&q->ring);
	return 0;
}

int
netfront_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	struct netfront_rxq *q = dev->data->rx_queues[qid];

	if (nf->intr_xce[qid] == NULL)
		return -EINVAL;
	NETIF_FRONT_DISARM(&q->ring);
	q->last_disarm = q->ring.rsp_cons;
	intr_drain(nf->intr_xce[qid]);
	return 0;
}

int
netfront_rx_intr_install(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;
	unsigned int n = dev->data->nb_rx_queues;
	struct rte_intr_handle *h;

	if (nf->rx_intr == NULL)
		nf->rx_intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	h = nf->rx_intr;
	if (h == NULL ||
	    rte_intr_type_set(h, RTE_INTR_HANDLE_VDEV) != 0 ||
	    /* EAL must not read the fd: the pending ports are ours to take. */
	    rte_intr_efd_counter_size_set(h, 0) != 0 ||
	    rte_intr_vec_list_alloc(h, NULL, (int)n) != 0)
		goto fail;
	for (unsigned int i = 0; i < n; i++)
		if (rte_intr_vec_list_index_set(h, (int)i, RTE_INTR_VEC_RXTX_OFFSET + (int)i) ||
		    rte_intr_efds_index_set(h, (int)i, xenevtchn_fd(nf->intr_xce[i])))
			goto fail;
	if (rte_intr_nb_efd_set(h, (int)n) || rte_intr_max_intr_set(h, (int)n + 1))
		goto fail;
	dev->intr_handle = h;
	return 0;
fail:
	PMD_DRV_LOG(ERR, "%s: cannot set up RX interrupts", dev->data->name);
	netfront_rx_intr_uninstall(dev);
	return -ENOMEM;
}

void
netfront_rx_intr_uninstall(struct rte_eth_dev *dev)
{
	struct netfront_adapter *nf = dev->data->dev_private;

	if (nf->rx_intr == NULL)
		return;
	rte_intr_free_epoll_fd(nf->rx_intr);
	rte_intr_vec_list_free(nf->rx_intr);
	rte_intr_nb_efd_set(nf->rx_intr, 0);
}
