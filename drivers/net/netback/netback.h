/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netback: private state of one port, the backend of one vif of
 * another domain.
 *
 * Locking. The control plane (xenstore watch, control ring, start/stop,
 * close) runs under adapter->lock, on the EAL interrupt thread or the
 * application's thread (one writer at a time). Each queue pair has a gate:
 * a burst enters it (one atomic add per burst, never waits; a closed gate
 * makes the burst return at once), the control plane closes it and waits
 * for the bursts inside to leave before it maps or unmaps rings or changes
 * the staging table. Nothing of a burst outlives the burst, so closing
 * waits at most one burst.
 */
#ifndef NETBACK_H
#define NETBACK_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_interrupts.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "netback_args.h"
#include "netback_gmap.h"
#include "netif_msg.h"
#include "netif_xenbus.h"

#define NETBACK_PATH_MAX 128
/* Copy segments one burst may batch into one grant-copy call. */
#define NETBACK_BURST_SEGS 1024
/* Packets one burst handles. */
#define NETBACK_BURST_PKTS 64
/* Largest xdp-headroom a frontend may ask for. */
#define NETBACK_MAX_HEADROOM 2048

/* Counters of one queue pair, summed into xstats. */
#define NETBACK_QSTATS(X)                                                    \
	X(GTX_PKTS, "guest_tx_packets")                                      \
	X(GTX_BYTES, "guest_tx_bytes")                                       \
	X(GTX_NOMBUF, "guest_tx_no_mbuf")                                    \
	X(GTX_BAD_ID, "guest_tx_bad_id")                                     \
	X(GTX_BAD_OFFSET, "guest_tx_bad_offset")                             \
	X(GTX_BAD_LEN, "guest_tx_bad_len")                                   \
	X(GTX_BAD_FLAGS, "guest_tx_bad_flags")                               \
	X(GTX_BAD_EXTRA, "guest_tx_bad_extra")                               \
	X(GTX_BAD_SLOTS, "guest_tx_too_many_slots")                          \
	X(GTX_BAD_INDEX, "guest_tx_bad_req_prod")                            \
	X(GTX_COPY_ERR, "guest_tx_copy_errors")                              \
	X(GTX_CSUM_FILLED, "guest_tx_csum_filled")                           \
	X(GTX_CSUM_UNPARSED, "guest_tx_csum_unparsed")                       \
	X(GTX_SLOTS_MAPPED, "guest_tx_slots_memcpy")                         \
	X(GTX_SLOTS_GCOPY, "guest_tx_slots_grant_copy")                      \
	X(GTX_NOTIFY, "guest_tx_notifications")                              \
	X(GRX_PKTS, "guest_rx_packets")                                      \
	X(GRX_BYTES, "guest_rx_bytes")                                       \
	X(GRX_RING_FULL, "guest_rx_ring_full")                               \
	X(GRX_DROP_SIZE, "guest_rx_drop_size")                               \
	X(GRX_DROP_DOWN, "guest_rx_drop_link_down")                          \
	X(GRX_BAD_INDEX, "guest_rx_bad_req_prod")                            \
	X(GRX_COPY_ERR, "guest_rx_copy_errors")                              \
	X(GRX_SLOTS_MAPPED, "guest_rx_slots_memcpy")                         \
	X(GRX_SLOTS_GCOPY, "guest_rx_slots_grant_copy")                      \
	X(GRX_NOTIFY, "guest_rx_notifications")                              \
	X(GCOPY_CALLS, "grant_copy_calls")                                   \
	X(GTX_LOCK_BUSY, "guest_tx_bursts_skipped")                          \
	X(GRX_LOCK_BUSY, "guest_rx_bursts_skipped")

/* Counters of the control plane. */
#define NETBACK_ASTATS(X)                                                    \
	X(CONNECTS, "connects")                                              \
	X(DISCONNECTS, "disconnects")                                        \
	X(GTX_UNREAD, "guest_tx_slots_unread_at_disconnect")                 \
	X(BROKEN, "protocol_breaks")                                         \
	X(XS_BAD_KEYS, "frontend_bad_xenstore_keys")                         \
	X(CTRL_REQS, "ctrl_requests")                                        \
	X(CTRL_BAD, "ctrl_bad_requests")                                     \
	X(CTRL_NOTSUP, "ctrl_not_supported")                                 \
	X(CTRL_BAD_INDEX, "ctrl_bad_req_prod")                               \
	X(GREF_ADD_OK, "gref_add_ok")                                        \
	X(GREF_ADD_FAIL, "gref_add_failed")                                  \
	X(GREF_DEL_OK, "gref_del_ok")                                        \
	X(GREF_DEL_REFUSED, "gref_del_refused_in_use")                       \
	X(GREF_DEL_UNKNOWN, "gref_del_not_mapped")                           \
	X(GREF_MAPPED, "gref_mapped")

#define NETBACK_ENUM(e, s) NETBACK_##e,
enum netback_qstat { NETBACK_QSTATS(NETBACK_ENUM) NETBACK_QSTAT_MAX };
enum netback_astat { NETBACK_ASTATS(NETBACK_ENUM) NETBACK_ASTAT_MAX };
#undef NETBACK_ENUM

struct netback_adapter;

/* Bursts inside a queue, and whether the control plane holds it. */
struct netback_gate {
	uint32_t users;
	uint32_t closed;
};

static inline bool
netback_gate_enter(struct netback_gate *g)
{
	if (__atomic_load_n(&g->closed, __ATOMIC_RELAXED))
		return false;
	/* Store users, then load closed: pairs with netback_gate_close. */
	__atomic_fetch_add(&g->users, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&g->closed, __ATOMIC_SEQ_CST)) {
		__atomic_fetch_sub(&g->users, 1, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

static inline void
netback_gate_leave(struct netback_gate *g)
{
	__atomic_fetch_sub(&g->users, 1, __ATOMIC_RELEASE);
}

/* Control plane only (under the adapter lock): wait for bursts to leave. */
static inline void
netback_gate_close(struct netback_gate *g)
{
	unsigned int spins = 0;

	__atomic_store_n(&g->closed, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&g->users, __ATOMIC_SEQ_CST) != 0) {
		/* A burst preempted on this core needs the CPU to leave. */
		if (++spins < 1000)
			rte_pause();
		else
			sched_yield();
	}
}

static inline void
netback_gate_open(struct netback_gate *g)
{
	__atomic_store_n(&g->closed, 0, __ATOMIC_RELEASE);
}

/* A packet of a burst waiting for the batched grant copy. */
struct netback_pend {
	struct rte_mbuf *m;
	uint16_t seg_first, seg_count;   /* grant-copy segments */
	uint16_t nr_ring;                /* ring entries (guest TX) or slots */
	uint16_t nr_data;                /* data slots */
	RING_IDX first;                  /* first ring index (guest RX) */
	uint16_t id[NETIF_MAX_SLOTS];
	uint16_t len[NETIF_MAX_SLOTS];   /* guest RX: bytes per slot */
	uint16_t off0;                   /* guest RX: offset of the first slot */
	bool csum_blank;                 /* guest TX: checksum left to us */
};

/* One direction's scratch space and counters (one lcore at a time). */
struct netback_dir {
	uint64_t cnt[NETBACK_QSTAT_MAX];
	xengnttab_grant_copy_segment_t seg[NETBACK_BURST_SEGS];
	struct netback_pend pend[NETBACK_BURST_PKTS];
	RING_IDX last_disarm;
};

/* One queue pair: a TX and an RX ring of the vif. */
struct netback_queue {
	struct netback_adapter *nb;
	uint16_t qid;
	uint16_t port_id;
	struct netback_gate gate;
	bool up;                       /* rings mapped; under lock */
	netif_tx_back_ring_t txr;      /* guest TX: our RX */
	netif_rx_back_ring_t rxr;      /* guest RX: our TX */
	void *tx_page, *rx_page;
	evtchn_port_t tx_port, rx_port; /* local ports; equal when not split */
	bool tx_bound, rx_bound;
	struct netback_gmap gmap;
	struct rte_mempool *mp;        /* from rx_queue_setup */
	xengnttab_handle *gt;          /* grant copies of this queue */
	struct netback_dir grx __rte_cache_aligned; /* tx_burst */
	struct netback_dir gtx __rte_cache_aligned; /* rx_burst */
};

struct netback_adapter {
	struct netback_args args;
	struct rte_eth_dev *dev;
	char name[RTE_ETH_NAME_MAX_LEN];
	pthread_mutex_t lock;
	struct xs_handle *xs;
	xengnttab_handle *gt;          /* ring, list and staging mappings */
	xenevtchn_handle *ev;          /* data channels, never waited on */
	xenevtchn_handle *ev_ctrl;     /* control channel, interrupt thread */
	struct rte_intr_handle *xs_intr, *ctrl_intr;
	bool xs_cb, ctrl_cb, watching;
	unsigned int own_domid;
	char be_path[NETBACK_PATH_MAX];
	char fe_path[NETBACK_PATH_MAX];
	char token[48];
	enum xenbus_state be_state;
	bool started, connected;
	bool be_gone;                  /* the toolstack removed be_path */
	bool adopt_pending;            /* frontend Connected to an earlier backend */
	int broken;                    /* set by a burst, cleared at connect */
	/* What the connected frontend asked for. */
	unsigned int fe_queues;
	bool fe_sg, fe_rx_notify;
	unsigned int headroom;
	/* Control ring. */
	xen_netif_ctrl_back_ring_t ctrl;
	void *ctrl_page;
	evtchn_port_t ctrl_port;
	bool ctrl_up;
	unsigned int nr_queues;        /* configured */
	struct netback_queue *q[NETBACK_MAX_QUEUES];
	uint64_t cnt[NETBACK_ASTAT_MAX];
	struct rte_ether_addr mac;
};

/* netback_xs.c */
int netback_xs_probe(struct netback_adapter *nb);
int netback_xs_start(struct netback_adapter *nb);
void netback_xs_stop(struct netback_adapter *nb);
void netback_xs_close(struct netback_adapter *nb);
void netback_disconnect(struct netback_adapter *nb, const char *why);
void netback_link_set(struct netback_adapter *nb, bool up);
void netback_broken_alarm(void *arg);

/* netback_ctrl.c */
void netback_ctrl_serve(struct netback_adapter *nb);
void netback_ctrl_intr(void *arg);
void netback_ctrl_cancel(struct netback_adapter *nb);
void netback_gmap_release(struct netback_queue *q);

/* netback_rxtx.c */
uint16_t netback_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n);
uint16_t netback_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n);
void netback_mark_broken(struct netback_queue *q, const char *what);
/* Mark the vif broken; true for the caller that did (it logs why). */
bool netback_break(struct netback_adapter *nb);

/*
 * Log a frontend's bad input: the 1st, 2nd, 4th, 8th... occurrence of each
 * counter, so a hostile frontend cannot flood the log.
 */
static inline bool
netback_log_due(uint64_t count)
{
	return (count & (count - 1)) == 0;
}

#endif
