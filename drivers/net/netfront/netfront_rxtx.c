/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Busy-poll bursts. No grant operation and no system call per packet: RX
 * buffers and TX staging pages were granted at setup. The event index of
 * each ring is left disarmed (the backend never has to notify us); we notify
 * the backend at most once per burst, and only when it asked.
 */
#include <inttypes.h>

#include <ethdev_driver.h>
#include <rte_branch_prediction.h>
#include <rte_memcpy.h>

#include "netfront.h"
#include "netfront_logs.h"

#define NETFRONT_TX_FREE_MAX 64

static void
netfront_set_broken(struct netfront_adapter *nf, const char *why, unsigned int v)
{
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };

	if (nf->broken)
		return;
	nf->broken = true;
	rte_eth_linkstatus_set(nf->dev, &link);
	PMD_DRV_LOG(ERR, "%s: backend broke the protocol (%s: %u); device stopped",
		    nf->dev->data->name, why, v);
}

static inline void
netfront_kick(struct netfront_adapter *nf, uint16_t pair)
{
	xenevtchn_notify(nf->port_xce[pair], nf->port[pair]);
}

/* RX */

static inline grant_ref_t
rx_buf_ref(const struct netfront_rxq *q, const struct rte_mbuf *m)
{
	uintptr_t off = (uintptr_t)m->buf_addr - (uintptr_t)q->pool.pages.base;

	return q->pool.pages.refs[off >> NETIF_PAGE_SHIFT];
}

/* Post a request, with a pool buffer, in every free slot; one push. */
static void
rx_refill(struct netfront_rxq *q, bool force)
{
	netif_rx_front_ring_t *r = &q->ring;
	const unsigned int mask = RING_SIZE(r) - 1;
	struct rte_mbuf *m[NETIF_RX_RING_SIZE];
	unsigned int n = NETIF_FRONT_FREE(r);

	if (n == 0 || (!force && n < NETFRONT_RX_REFILL_THRESH))
		return;
	if (rte_pktmbuf_alloc_bulk(q->pool.mp, m, n) != 0) {
		/*
		 * The buffers may all sit in our TX ring: received packets
		 * forwarded zero copy wait there for their responses, which
		 * only tx_burst reclaims, and an application that receives
		 * nothing sends nothing. Reclaim here when the TX queue is
		 * free, then take what there is.
		 */
		struct netfront_txq *txq = q->nf->dev->data->tx_queues[q->id];

		if (txq != NULL && rte_spinlock_trylock(&txq->lock)) {
			netfront_tx_reclaim(txq);
			rte_spinlock_unlock(&txq->lock);
		}
		n = RTE_MIN(n, rte_mempool_avail_count(q->pool.mp));
		if (n == 0 || rte_pktmbuf_alloc_bulk(q->pool.mp, m, n) != 0) {
			q->nombuf++; /* not even after the reclaim */
			return;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		RING_IDX idx = r->req_prod_pvt++;
		netif_rx_request_t *req = RING_GET_REQUEST(r, idx);

		q->bufs[idx & mask] = m[i];
		req->id = (uint16_t)(idx & mask);
		req->gref = rx_buf_ref(q, m[i]);
	}
	if (NETIF_PUSH_REQUESTS(r)) {
		netfront_kick(q->nf, q->id);
		q->kicks++;
	}
}

static inline uint64_t
rx_offload_flags(uint16_t flags)
{
	if (flags & NETRXF_csum_blank)
		return RTE_MBUF_F_RX_L4_CKSUM_NONE;
	if (flags & NETRXF_data_validated)
		return RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return 0;
}

/* Chain the buffers of one validated packet; take them out of the ring. */
static struct rte_mbuf *
rx_assemble(struct netfront_rxq *q, const struct netif_rx_pkt *p)
{
	const unsigned int mask = RING_SIZE(&q->ring) - 1;
	struct rte_mbuf *head = NULL, *prev = NULL;

	for (unsigned int k = 0; k < p->nr_slots; k++) {
		struct rte_mbuf *m = q->bufs[p->idx[k] & mask];

		q->bufs[p->idx[k] & mask] = NULL;
		m->data_off = p->rsp[k].offset;
		m->data_len = (uint16_t)p->rsp[k].status;
		if (head == NULL) {
			head = m;
			head->nb_segs = 1;
			head->pkt_len = p->total;
			head->port = q->nf->dev->data->port_id;
			/* Keep RTE_MBUF_F_EXTERNAL: the buffer is a pinned page. */
			head->ol_flags = (head->ol_flags & RTE_MBUF_F_EXTERNAL) |
					 rx_offload_flags(p->rsp[0].flags);
			head->packet_type = 0;
		} else {
			prev->next = m;
			head->nb_segs++;
		}
		prev = m;
	}
	return head;
}

/* Return the buffers of ring entries [from, from + n) not handed out. */
static void
rx_recycle(struct netfront_rxq *q, RING_IDX from, unsigned int n)
{
	const unsigned int mask = RING_SIZE(&q->ring) - 1;

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf **slot = &q->bufs[(from + i) & mask];

		if (*slot != NULL) {
			rte_pktmbuf_free_seg(*slot);
			*slot = NULL;
		}
	}
}

uint16_t
netfront_rx_burst(void *arg, struct rte_mbuf **pkts, uint16_t nb)
{
	struct netfront_rxq *q = arg;
	netif_rx_front_ring_t *r = &q->ring;
	struct netif_rx_pkt p;
	RING_IDX prod, cons = r->rsp_cons;
	uint16_t n = 0;
	uint64_t bytes = 0;
	int avail;

	if (unlikely(q->nf->broken))
		return 0;
	/* Only the interrupt thread contends, to park the queue. */
	if (unlikely(!rte_spinlock_trylock(&q->lock)))
		return 0;
	if (unlikely(q->parked)) {
		rte_spinlock_unlock(&q->lock);
		return 0;
	}
	avail = NETIF_FRONT_RSP_AVAIL(r, &prod);
	if (unlikely(avail < 0)) {
		q->bad_rsp++;
		netfront_set_broken(q->nf, "RX response producer index",
				    r->sring->rsp_prod);
		rte_spinlock_unlock(&q->lock);
		return 0;
	}
	while (avail > 0 && n < nb) {
		unsigned int used = netif_front_rx_read_fast(r, cons, (unsigned int)avail,
							      &p);

		if (used == 0)
			break;
		if (likely(p.err == NETIF_OK)) {
			pkts[n++] = rx_assemble(q, &p);
			bytes += p.total;
		} else if (p.err == NETIF_E_PEER) {
			q->peer_err++;
		} else {
			q->bad_rsp++;
			if (netfront_log_due(q->bad_rsp))
				PMD_DRV_LOG(NOTICE, "%s: RX queue %u: packet dropped: %s "
					    "(ring index %u) [#%" PRIu64 "]",
					    q->nf->dev->data->name, q->id,
					    netif_strerr(p.err), cons, q->bad_rsp);
		}
		/* Buffers of extra-info slots and of dropped packets go back. */
		if (unlikely(used != p.nr_slots || p.err != NETIF_OK))
			rx_recycle(q, cons, used);
		cons += used;
		avail -= (int)used;
		if (unlikely(netif_err_fatal(p.err))) {
			netfront_set_broken(q->nf, netif_strerr(p.err), cons - used);
			break;
		}
	}
	r->rsp_cons = cons;
	q->packets += n;
	q->bytes += bytes;
	if (unlikely(netif_event_disarm_due(q->last_disarm, cons))) {
		NETIF_FRONT_DISARM(r);
		q->last_disarm = cons;
	}
	if (likely(!q->nf->broken))
		rx_refill(q, false);
	rte_spinlock_unlock(&q->lock);
	return n;
}

int
netfront_rxq_start(struct netfront_rxq *q)
{
	SHARED_RING_INIT((netif_rx_sring_t *)q->ring_page.base);
	FRONT_RING_INIT(&q->ring, (netif_rx_sring_t *)q->ring_page.base,
			NETIF_PAGE_SIZE);
	NETIF_FRONT_DISARM(&q->ring);
	q->last_disarm = q->ring.rsp_cons;
	rx_refill(q, true);
	return NETIF_FRONT_FREE(&q->ring) == 0 ? 0 : -ENOBUFS;
}

void
netfront_rxq_stop(struct netfront_rxq *q)
{
	rx_recycle(q, 0, NETIF_RX_RING_SIZE);
}

/* TX */

static inline void
tx_put_id(struct netfront_txq *q, uint16_t id)
{
	q->free_ids[q->nr_free_ids++] = id;
}

/* Consume the backend's responses; free what they complete. */
unsigned int
netfront_tx_reclaim(struct netfront_txq *q)
{
	netif_tx_front_ring_t *r = &q->ring;
	struct rte_mbuf *done[NETIF_TX_RING_SIZE];
	unsigned int nr_done = 0;
	netif_tx_response_t rsp;
	RING_IDX prod, cons;

	if (unlikely(q->parked))
		return 0;
	if (NETIF_FRONT_RSP_AVAIL(r, &prod) < 0) {
		q->bad_rsp++;
		netfront_set_broken(q->nf, "TX response producer index",
				    r->sring->rsp_prod);
		return 0;
	}
	for (cons = r->rsp_cons; cons != prod; cons++) {
		struct netfront_tx_slot *s;

		RING_COPY_RESPONSE(r, cons, &rsp);
		if (unlikely(netif_tx_rsp_check(&rsp, RING_SIZE(r)) != NETIF_OK)) {
			q->bad_rsp++;
			netfront_set_broken(q->nf, "TX response", rsp.id);
			break;
		}
		if (rsp.status == NETIF_RSP_NULL)
			continue;
		s = &q->slot[rsp.id];
		if (unlikely(!s->inflight)) {
			q->bad_rsp++;
			netfront_set_broken(q->nf, "TX response for an id not in flight",
					    rsp.id);
			break;
		}
		s->inflight = false;
		tx_put_id(q, rsp.id);
		if (unlikely(rsp.status != NETIF_RSP_OKAY))
			q->peer_err++;
		if (s->m != NULL) {
			done[nr_done++] = s->m;
			s->m = NULL;
		}
	}
	r->rsp_cons = cons;
	NETIF_FRONT_DISARM(r);
	if (nr_done)
		rte_pktmbuf_free_bulk(done, nr_done);
	return nr_done;
}

static inline void
tx_req(struct netfront_txq *q, uint16_t id, grant_ref_t ref, uint16_t off,
       uint16_t flags, uint16_t size)
{
	netif_tx_request_t *req = RING_GET_REQUEST(&q->ring, q->ring.req_prod_pvt++);

	req->gref = ref;
	req->offset = off;
	req->flags = flags;
	req->id = id;
	req->size = size;
	q->slot[id].inflight = true;
	q->slot[id].m = NULL;
}

/*
 * Zero copy: every segment's buffer is a page of one of this port's pools;
 * their grant references go to refs[].
 */
bool
netfront_mbuf_refs(const struct netfront_adapter *nf, const struct rte_mbuf *m,
		   grant_ref_t *refs)
{
	unsigned int k = 0;

	/* Our pools' mbufs all have pinned external buffers: others leave here. */
	if (!(m->ol_flags & RTE_MBUF_F_EXTERNAL) || m->nb_segs > NETIF_MAX_SLOTS)
		return false;
	for (; m != NULL; m = m->next, k++) {
		unsigned int i;

		for (i = 0; i < nf->nr_pools; i++)
			if (netfront_mbuf_gref(nf->pools[i], m, &refs[k]))
				break;
		if (i == nf->nr_pools)
			return false;
	}
	return true;
}

/*
 * Send each segment from the page it lives in. The mbuf is freed when the
 * response of its last request arrives: a backend answers a packet's
 * requests once it has read the packet. One that answers early can only
 * corrupt its own traffic: it could write these pages at any time anyway.
 */
static void
tx_send_zero_copy(struct netfront_txq *q, struct rte_mbuf *m,
		  const grant_ref_t *refs)
{
	uint16_t id = 0;
	unsigned int k = 0;

	for (struct rte_mbuf *s = m; s != NULL; s = s->next, k++) {
		id = q->free_ids[--q->nr_free_ids];
		tx_req(q, id, refs[k], s->data_off,
		       s->next != NULL ? NETTXF_more_data : 0,
		       s == m ? (uint16_t)m->pkt_len : s->data_len);
	}
	q->slot[id].m = m;
	q->zero_copy++;
}

/* Copy into the staging pages of the request ids, 4 KiB a slot. */
static void
tx_send_copy(struct netfront_txq *q, struct rte_mbuf *m, unsigned int slots)
{
	uint32_t off = 0, len = m->pkt_len;

	for (unsigned int k = 0; k < slots; k++) {
		uint16_t id = q->free_ids[--q->nr_free_ids];
		uint32_t n = RTE_MIN(len - off, (uint32_t)NETIF_PAGE_SIZE);
		void *dst = (char *)q->staging.base + ((size_t)id << NETIF_PAGE_SHIFT);
		const void *src = rte_pktmbuf_read(m, off, n, dst);

		if (src != dst)
			rte_memcpy(dst, src, n);
		tx_req(q, id, q->staging.refs[id], 0,
		       k + 1 < slots ? NETTXF_more_data : 0,
		       k == 0 ? (uint16_t)len : (uint16_t)n);
		off += n;
	}
	q->copied++;
	if (slots > 1 && m->nb_segs > NETIF_MAX_SLOTS)
		q->linearized++;
}

uint16_t
netfront_tx_burst(void *arg, struct rte_mbuf **pkts, uint16_t nb)
{
	struct netfront_txq *q = arg;
	netif_tx_front_ring_t *r = &q->ring;
	struct rte_mbuf *copied[NETFRONT_TX_FREE_MAX];
	grant_ref_t refs[NETIF_MAX_SLOTS];
	unsigned int nr_copied = 0, sent = 0;
	uint64_t bytes = 0;
	uint16_t i;

	if (unlikely(q->nf->broken))
		return 0;
	rte_spinlock_lock(&q->lock);
	if (unlikely(q->parked)) {
		rte_spinlock_unlock(&q->lock);
		return 0;
	}
	if (NETIF_FRONT_FREE(r) < NETFRONT_TX_RECLAIM_THRESH ||
	    q->nr_free_ids < NETFRONT_TX_RECLAIM_THRESH)
		netfront_tx_reclaim(q);

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		unsigned int room = RTE_MIN(NETIF_FRONT_FREE(r), q->nr_free_ids);
		bool zc;
		unsigned int slots;

		if (unlikely(m->pkt_len == 0 || m->pkt_len > NETIF_MAX_PKT_LEN)) {
			q->dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		zc = netfront_mbuf_refs(q->nf, m, refs);
		slots = zc ? m->nb_segs : netif_linear_slots(m->pkt_len);
		if (slots > room) {
			q->ring_full++;
			break;
		}
		if (!zc && nr_copied == NETFRONT_TX_FREE_MAX)
			break;
		bytes += m->pkt_len;
		sent++;
		if (zc) {
			tx_send_zero_copy(q, m, refs);
		} else {
			tx_send_copy(q, m, slots);
			copied[nr_copied++] = m;
		}
	}
	if (sent > 0 && NETIF_PUSH_REQUESTS(r)) {
		netfront_kick(q->nf, q->id);
		q->kicks++;
	}
	rte_spinlock_unlock(&q->lock);
	if (nr_copied)
		rte_pktmbuf_free_bulk(copied, nr_copied);
	q->packets += sent;
	q->bytes += bytes;
	return i;
}

void
netfront_txq_start(struct netfront_txq *q)
{
	SHARED_RING_INIT((netif_tx_sring_t *)q->ring_page.base);
	FRONT_RING_INIT(&q->ring, (netif_tx_sring_t *)q->ring_page.base,
			NETIF_PAGE_SIZE);
	NETIF_FRONT_DISARM(&q->ring);
	q->nr_free_ids = 0;
	for (unsigned int id = NETIF_TX_RING_SIZE; id-- > 0;) {
		q->slot[id].inflight = false;
		q->slot[id].m = NULL;
		tx_put_id(q, (uint16_t)id);
	}
}

/* After the backend disconnected: what it never answered is ours again. */
void
netfront_txq_stop(struct netfront_txq *q)
{
	for (unsigned int id = 0; id < NETIF_TX_RING_SIZE; id++) {
		if (q->slot[id].m != NULL)
			rte_pktmbuf_free(q->slot[id].m);
		q->slot[id].m = NULL;
		q->slot[id].inflight = false;
	}
}

/*
 * Park (or unpark) every queue: once this returns, no burst is inside a
 * queue and none will touch its ring or buffers until it is unparked. The
 * lock hand-over also publishes what the caller changed meanwhile.
 */
void
netfront_queues_park(struct netfront_adapter *nf, bool parked)
{
	struct rte_eth_dev_data *d = nf->dev->data;

	for (unsigned int i = 0; i < d->nb_rx_queues; i++) {
		struct netfront_rxq *q = d->rx_queues[i];

		if (q == NULL)
			continue;
		rte_spinlock_lock(&q->lock);
		q->parked = parked;
		rte_spinlock_unlock(&q->lock);
	}
	for (unsigned int i = 0; i < d->nb_tx_queues; i++) {
		struct netfront_txq *q = d->tx_queues[i];

		if (q == NULL)
			continue;
		rte_spinlock_lock(&q->lock);
		q->parked = parked;
		rte_spinlock_unlock(&q->lock);
	}
}
