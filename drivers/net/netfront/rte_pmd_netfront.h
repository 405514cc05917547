/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netfront: what an application can do beyond the ethdev API.
 *
 * An mbuf is sent zero copy only when its data lives in a page the port has
 * granted to its backend: the mbufs of the port's RX pools (io forwarding
 * sends them back out without a copy) and of pools made with
 * rte_pmd_netfront_pool_create(). Any other mbuf is copied into a granted
 * staging page of its TX slot.
 */
#ifndef RTE_PMD_NETFRONT_H
#define RTE_PMD_NETFRONT_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Create a pool of n mbufs whose data buffers are whole 4 KiB pages granted
 * to the backend of port_id (data room 4096 - RTE_PKTMBUF_HEADROOM bytes).
 * Create it before rte_eth_dev_start() so that its pages can be registered
 * as staging grants. It is freed by rte_pmd_netfront_pool_free() or when
 * the port is closed. Returns NULL with rte_errno set on failure (EINVAL:
 * not a netfront port; ENOSPC: no grants left, see the log).
 */
struct rte_mempool *rte_pmd_netfront_pool_create(uint16_t port_id,
						 const char *name,
						 unsigned int n, int socket_id);

/** Free a pool made by rte_pmd_netfront_pool_create(); the port must be stopped. */
int rte_pmd_netfront_pool_free(uint16_t port_id, struct rte_mempool *mp);

/**
 * 1 when every segment of m lives in a page granted by port_id (it will be
 * sent zero copy), 0 when not, -EINVAL when port_id is not a netfront port.
 */
int rte_pmd_netfront_mbuf_is_granted(uint16_t port_id, const struct rte_mbuf *m);

#ifdef __cplusplus
}
#endif

#endif
