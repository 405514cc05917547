/* SPDX-License-Identifier: BSD-3-Clause */
/* net_netfront: private state of one port (one vif of this domain). */
#ifndef NETFRONT_H
#define NETFRONT_H

#include <pthread.h>
#include <stdbool.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "netfront_args.h"
#include "netif_msg.h"
#include "netif_slots.h"
#include "netif_proto.h"
#include "netif_xenbus.h"

#define NETFRONT_PATH_MAX 128
#define NETFRONT_MAX_APP_POOLS 8
#define NETFRONT_MAX_POOLS (NETFRONT_MAX_QUEUES + NETFRONT_MAX_APP_POOLS)
#define NETFRONT_MAX_GRANTS 32768 /* Xen's default per-domain grant table */
#define NETFRONT_RX_REFILL_THRESH 32 /* refill RX when this many slots are empty */
#define NETFRONT_TX_RECLAIM_THRESH 64 /* reclaim TX when fewer slots are free */

/*
 * A set of pages shared with the backend by one xengntshr_share_pages call:
 * page i is at base + i * 4096 and has grant reference refs[i].
 */
struct netfront_pages {
	void *base;
	unsigned int count;
	grant_ref_t *refs;
	uint8_t *registered;    /* page i is in the backend's staging table */
	bool writable_for_peer; /* register writable (RX buffers) */
};

/* A pinned-external-buffer mbuf pool whose buffers are granted pages. */
struct netfront_pool {
	struct rte_mempool *mp;
	struct netfront_pages pages;
};

struct netfront_rxq {
	struct netfront_adapter *nf;
	uint16_t id;
	/*
	 * Taken (trylock) by rx_burst; held by the interrupt thread while it
	 * parks the queue for a reconnect (netfront_queues_park).
	 */
	rte_spinlock_t lock;
	bool parked; /* no I/O: the ring is being torn down or rebuilt */
	netif_rx_front_ring_t ring;
	struct netfront_pages ring_page;
	struct rte_mbuf *bufs[NETIF_RX_RING_SIZE]; /* by ring slot */
	struct netfront_pool pool;
	RING_IDX last_disarm;
	/* stats */
	uint64_t packets, bytes, errors, nombuf;
	uint64_t bad_rsp;   /* responses failing validation */
	uint64_t peer_err;  /* responses with an error status */
	uint64_t kicks;     /* notifications sent after a refill */
};

struct netfront_tx_slot {
	struct rte_mbuf *m; /* freed when this id's response arrives */
	bool inflight;
};

struct netfront_txq {
	struct netfront_adapter *nf;
	uint16_t id;
	/*
	 * Held by tx_burst; taken with trylock by the RX queue of the pair
	 * when its pool ran dry (see rx_refill).
	 */
	rte_spinlock_t lock;
	bool parked; /* as the RX queue's */
	netif_tx_front_ring_t ring;
	struct netfront_pages ring_page;
	evtchn_port_t port; /* the queue pair's event channel */
	struct netfront_tx_slot slot[NETIF_TX_RING_SIZE]; /* by request id */
	uint16_t free_ids[NETIF_TX_RING_SIZE];
	unsigned int nr_free_ids;
	struct netfront_pages staging; /* page i belongs to request id i */
	/* stats */
	uint64_t packets, bytes, errors;
	uint64_t zero_copy, copied, linearized, dropped;
	uint64_t bad_rsp, peer_err;
	uint64_t ring_full; /* bursts cut short for want of free slots */
	uint64_t kicks;     /* notifications sent */
};

/* The control ring: staging grants. */
struct netfront_ctrl {
	struct netfront_pages pages; /* page 0: ring, page 1: GREF list */
	xen_netif_ctrl_front_ring_t ring;
	evtchn_port_t port;
	bool port_bound;
	bool active;             /* ring offered to the backend this connection */
	uint16_t next_id;
	/* stats; xstats read them as uint64_t */
	uint64_t registered; /* pages in the backend's table */
	uint64_t refused, bad_rsp, timeouts;
};

struct netfront_adapter {
	struct rte_eth_dev *dev;
	struct netfront_args args;
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xenevtchn_handle *xce;
	unsigned int domid;                 /* this domain */
	unsigned int backend_id;            /* the backend's domain */
	char fe_path[NETFRONT_PATH_MAX];    /* /local/domain/<domid>/device/vif/<n> */
	char be_path[NETFRONT_PATH_MAX];    /* as the frontend's "backend" key says */
	struct rte_ether_addr mac;

	/* backend features */
	bool be_sg, be_ctrl_ring, be_xdp_headroom, be_split_evtchn;
	unsigned int be_max_queues;

	/* pools whose mbufs are sent zero-copy: RX pools, application pools */
	struct netfront_pool *pools[NETFRONT_MAX_POOLS];
	unsigned int nr_pools;
	struct netfront_pool *app_pools[NETFRONT_MAX_APP_POOLS];
	unsigned int nr_app_pools;

	struct netfront_ctrl ctrl;

	unsigned int nr_queues;
	evtchn_port_t port[NETFRONT_MAX_QUEUES]; /* one channel per queue pair */
	bool port_bound[NETFRONT_MAX_QUEUES];
	/*
	 * The handle each pair's channel is bound on: the shared one when
	 * polling; with notify=intr, one per pair, whose fd is that RX
	 * queue's interrupt.
	 */
	xenevtchn_handle *port_xce[NETFRONT_MAX_QUEUES];
	xenevtchn_handle *intr_xce[NETFRONT_MAX_QUEUES];
	struct rte_intr_handle *rx_intr;
	bool connected;
	bool broken;       /* the backend broke the protocol: no more I/O */
	/*
	 * The backend left Connected while the port was started: the queues
	 * are parked and the port reconnects when a backend is back.
	 */
	bool backend_lost;
	bool stalled;      /* TX requests unanswered for backend_timeout_ms */
	bool stall_check_on;
	unsigned int lsc_pending; /* LSC events to raise once ctl_lock is free */
	uint64_t lost_tsc; /* when the link went down for either reason */
	/* Serialises start/stop/close with the interrupt thread's reconnect. */
	pthread_mutex_t ctl_lock;
	RING_IDX stall_rsp[NETFRONT_MAX_QUEUES]; /* TX rsp_prod at the last check */
	unsigned int stall_ms[NETFRONT_MAX_QUEUES];
	/* port-wide stats; xstats read them as uint64_t */
	struct {
		uint64_t reconnects, backend_losses, stalls;
	} st;

	/* backend state watch on the interrupt thread */
	struct xs_handle *watch_xs;
	struct rte_intr_handle *watch_intr;
};

/* Log the 1st, 2nd, 4th, 8th... occurrence of what a counter counts. */
static inline bool
netfront_log_due(uint64_t count)
{
	return (count & (count - 1)) == 0;
}

int netfront_xs_discover(struct netfront_adapter *nf, const char *name);
int netfront_xs_connect(struct netfront_adapter *nf, bool reset);
void netfront_xs_disconnect(struct netfront_adapter *nf);
int netfront_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid);
int netfront_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid);
int netfront_rx_intr_install(struct rte_eth_dev *dev);
void netfront_rx_intr_uninstall(struct rte_eth_dev *dev);
int netfront_watch_start(struct netfront_adapter *nf);
void netfront_watch_stop(struct netfront_adapter *nf);
void netfront_stall_check_start(struct netfront_adapter *nf);
void netfront_stall_check_stop(struct netfront_adapter *nf);
void netfront_link_report(struct netfront_adapter *nf, bool up);
void netfront_lsc_flush(struct netfront_adapter *nf);

int netfront_pages_share(struct netfront_adapter *nf, struct netfront_pages *p,
			 unsigned int count, const char *what);
void netfront_pages_unshare(struct netfront_adapter *nf, struct netfront_pages *p);
int netfront_pool_create(struct netfront_adapter *nf, struct netfront_pool *pool,
			 const char *name, unsigned int n, int socket);
void netfront_pool_free(struct netfront_adapter *nf, struct netfront_pool *pool);
bool netfront_mbuf_gref(const struct netfront_pool *pool,
			const struct rte_mbuf *m, grant_ref_t *ref);

int netfront_ctrl_setup(struct netfront_adapter *nf);
void netfront_ctrl_release(struct netfront_adapter *nf);
void netfront_ctrl_start(struct netfront_adapter *nf);
int netfront_staging_register(struct netfront_adapter *nf);
void netfront_staging_unregister(struct netfront_adapter *nf);
void netfront_staging_forget(struct netfront_adapter *nf);

/* Grant refs of every segment of m when all live in this port's pools. */
bool netfront_mbuf_refs(const struct netfront_adapter *nf, const struct rte_mbuf *m,
			grant_ref_t *refs);
uint16_t netfront_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n);
unsigned int netfront_tx_reclaim(struct netfront_txq *q);
uint16_t netfront_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);
int netfront_rxq_start(struct netfront_rxq *q);
void netfront_rxq_stop(struct netfront_rxq *q);
void netfront_txq_start(struct netfront_txq *q);
void netfront_txq_stop(struct netfront_txq *q);
void netfront_queues_park(struct netfront_adapter *nf, bool parked);

#endif
