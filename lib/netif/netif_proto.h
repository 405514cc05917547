/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netif protocol as Xen's public headers define it, made usable from
 * user space: ring.h expects the includer to provide memory barriers.
 */
#ifndef NETIF_PROTO_H
#define NETIF_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

/* Xen grants whole 4 KiB frames, whatever the guest's page size. */
#define NETIF_PAGE_SHIFT 12
#define NETIF_PAGE_SIZE (1u << NETIF_PAGE_SHIFT)
#define NETIF_PAGE_MASK (NETIF_PAGE_SIZE - 1)

/* Ring sizes when each shared ring occupies one page. */
#define NETIF_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, NETIF_PAGE_SIZE)
#define NETIF_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, NETIF_PAGE_SIZE)
#define NETIF_CTRL_RING_SIZE __CONST_RING_SIZE(xen_netif_ctrl, NETIF_PAGE_SIZE)

/*
 * Extra-info types. Xen 4.17's header stops at HASH (4); Linux netback also
 * sends XDP (5), carrying the RX headroom, in the first RX response of every
 * packet once the frontend asked for "xdp-headroom".
 */
#define NETIF_EXTRA_TYPE_XDP 5
#define NETIF_EXTRA_TYPE_MAX 6

/* Largest packet one netif request chain can describe (its size is 16 bits). */
#define NETIF_MAX_PKT_LEN XEN_NETIF_MAX_TX_SIZE

#endif
