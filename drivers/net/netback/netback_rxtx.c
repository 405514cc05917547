/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Busy-poll data path.
 *
 * rx_burst takes the packets the guest sent (its TX ring): each request is
 * copied out of the ring once and validated by netif_back_tx_read(), the
 * data is copied into mbufs of the application's mempool — by memcpy when
 * the gref is in the queue's staging table, otherwise by one batched grant
 * copy per burst — and every ring entry gets its response.
 *
 * tx_burst gives packets to the guest (its RX ring): each packet takes as
 * many of the guest's RX requests as it needs pages, is copied into them
 * the same two ways, and each request is answered in its own ring slot with
 * the offset, the length and NETRXF_more_data on all but the last.
 *
 * Neither direction waits for anything; each publishes its responses once
 * per burst and notifies the frontend only when it asked (rsp_event).
 */
#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_alarm.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "netback.h"
#include "netback_logs.h"

bool
netback_break(struct netback_adapter *nb)
{
	int zero = 0;

	if (!__atomic_compare_exchange_n(&nb->broken, &zero, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	/* Disconnecting uses xenstore and closes the gates: not on this lcore. */
	rte_eal_alarm_set(1, netback_broken_alarm, nb);
	return true;
}

void
netback_mark_broken(struct netback_queue *q, const char *what)
{
	if (netback_break(q->nb))
		PMD_DRV_LOG(ERR, "%s: queue %u: %s: the frontend broke the protocol, "
			    "vif marked broken, disconnecting", q->nb->name, q->qid,
			    what);
}

static inline bool
netback_q_usable(const struct netback_queue *q)
{
	return q->up && !__atomic_load_n(&q->nb->broken, __ATOMIC_RELAXED);
}

static inline bool
netback_staging(const struct netback_queue *q)
{
	return q->gmap.count != 0;
}

/* Look up a ref in the staging table: its page, or NULL. */
static inline uint8_t *
netback_staged(const struct netback_queue *q, grant_ref_t ref, bool write)
{
	const struct netback_gmap_ent *e;

	if (!netback_staging(q))
		return NULL;
	e = netback_gmap_find(&q->gmap, ref);
	if (e == NULL || (write && e->readonly))
		return NULL;
	return e->addr;
}

/* Run the burst's batched grant copy; a failed call fails every segment. */
static void
netback_grant_copy(struct netback_queue *q, struct netback_dir *d,
		   unsigned int nseg)
{
	if (nseg == 0)
		return;
	d->cnt[NETBACK_GCOPY_CALLS]++;
	if (xengnttab_grant_copy(q->gt, nseg, d->seg) != 0)
		for (unsigned int i = 0; i < nseg; i++)
			d->seg[i].status = GNTST_general_error;
}

static bool
netback_segs_ok(const struct netback_dir *d, unsigned int first, unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++)
		if (d->seg[i].status != GNTST_okay)
			return false;
	return true;
}

/*
 * A free on an error path. Out of line on purpose: inlined, the mbuf free
 * makes the compiler spill the burst loop's registers (measured: 6
 * instructions more per rx_burst call and 7 per packet).
 */
static __rte_noinline __rte_cold void
netback_free_cold(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

static inline void
netback_disarm_maybe(RING_IDX *shared_event, struct netback_dir *d, RING_IDX cons)
{
	if (netif_event_disarm_due(d->last_disarm, cons)) {
		netif_event_disarm(shared_event, cons);
		d->last_disarm = cons;
	}
}

/* ------------------------------------------------------------------ */
/* Guest TX -> rx_burst */

static inline void
netback_tx_rsp(struct netback_queue *q, uint16_t id, int16_t status)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&q->txr, q->txr.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	q->txr.rsp_prod_pvt++;
}

/* Answer one packet: its data slots with `status`, its extras with NULL. */
static void
netback_tx_answer(struct netback_queue *q, const uint16_t *id,
		  unsigned int nr_data, unsigned int nr_ring, int16_t status)
{
	netback_tx_rsp(q, id[0], status);
	for (unsigned int i = nr_data; i < nr_ring; i++)
		netback_tx_rsp(q, id[0], NETIF_RSP_NULL);
	for (unsigned int i = 1; i < nr_data; i++)
		netback_tx_rsp(q, id[i], status);
}

static const uint8_t netback_err_cnt[NETIF_E__MAX] = {
	[NETIF_OK] = NETBACK_GTX_BAD_LEN,
	[NETIF_E_ID] = NETBACK_GTX_BAD_ID,
	[NETIF_E_STATUS] = NETBACK_GTX_BAD_FLAGS,
	[NETIF_E_OFFSET] = NETBACK_GTX_BAD_OFFSET,
	[NETIF_E_LEN] = NETBACK_GTX_BAD_LEN,
	[NETIF_E_FLAGS] = NETBACK_GTX_BAD_FLAGS,
	[NETIF_E_EXTRA] = NETBACK_GTX_BAD_EXTRA,
	[NETIF_E_SLOTS] = NETBACK_GTX_BAD_SLOTS,
	[NETIF_E_PEER] = NETBACK_GTX_BAD_FLAGS,
};

/* A packet the guest got wrong: count, log (rate-limited), answer. */
static void
netback_tx_drop(struct netback_queue *q, const struct netif_tx_pkt *pkt,
		unsigned int c, const char *why, bool fatal)
{
	struct netback_dir *d = &q->gtx;
	uint16_t id[NETIF_MAX_SLOTS];

	d->cnt[c]++;
	if (netback_log_due(d->cnt[c]))
		PMD_DRV_LOG(NOTICE, "%s: queue %u: guest TX packet dropped: %s "
			    "(%u slots, size %u, first offset %u) [#%" PRIu64 "]",
			    q->nb->name, q->qid, why, pkt->nr_slots,
			    pkt->total, pkt->req[0].offset, d->cnt[c]);
	if (fatal) {
		netback_mark_broken(q, why);
		return;
	}
	for (unsigned int i = 0; i < pkt->nr_slots; i++)
		id[i] = pkt->req[i].id;
	netback_tx_answer(q, id, pkt->nr_slots, pkt->nr_ring, NETIF_RSP_ERROR);
}

/*
 * Plan the copies of one packet into the chain mb[0..nm): memcpy from
 * staged pages now, grant-copy segments for the rest. Returns the number of
 * segments added at d->seg[nseg]; *gslots counts the slots not staged.
 */
static unsigned int
netback_tx_fill(struct netback_queue *q, const struct netif_tx_pkt *pkt,
		struct rte_mbuf **mb, uint16_t room, unsigned int nseg,
		unsigned int *gslots)
{
	struct netback_dir *d = &q->gtx;
	unsigned int cur = 0, added = 0;
	uint16_t coff = 0;

	for (unsigned int s = 0; s < pkt->nr_slots; s++) {
		grant_ref_t ref = pkt->req[s].gref;
		uint16_t src = pkt->req[s].offset, left = pkt->len[s];
		const uint8_t *page = netback_staged(q, ref, false);

		*gslots += page == NULL; /* counted once per burst */
		while (left > 0) {
			uint16_t chunk;
			uint8_t *dst;

			if (coff == room) {
				cur++;
				coff = 0;
			}
			chunk = RTE_MIN(left, (uint16_t)(room - coff));
			dst = rte_pktmbuf_mtod_offset(mb[cur], uint8_t *, coff);
			if (page != NULL) {
				memcpy(dst, page + src, chunk);
			} else {
				xengnttab_grant_copy_segment_t *g = &d->seg[nseg + added++];

				g->source.foreign.ref = ref;
				g->source.foreign.offset = src;
				g->source.foreign.domid = (uint16_t)q->nb->args.domid;
				g->dest.virt = dst;
				g->len = chunk;
				g->flags = GNTCOPY_source_gref;
				g->status = GNTST_okay;
			}
			coff += chunk;
			mb[cur]->data_len = coff;
			src += chunk;
			left -= chunk;
		}
	}
	return added;
}

static void
netback_tx_chain(struct rte_mbuf **mb, unsigned int nm, uint32_t total,
		 uint16_t port, uint16_t first_flags)
{
	for (unsigned int i = 0; i + 1 < nm; i++)
		mb[i]->next = mb[i + 1];
	mb[0]->nb_segs = (uint16_t)nm;
	mb[0]->pkt_len = total;
	mb[0]->port = port;
	if (first_flags & NETTXF_data_validated)
		mb[0]->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

/*
 * NETTXF_csum_blank: the guest left the TCP/UDP checksum to the backend
 * (Linux netfront does for CHECKSUM_PARTIAL packets). Compute it, trusting
 * no length the guest wrote: every header must lie in the first segment,
 * every length inside the packet. Returns false for what cannot be parsed
 * (delivered as it is, and counted).
 */
static bool
netback_csum_fill(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t hlen = m->data_len, off = RTE_ETHER_HDR_LEN, l4, end;
	uint16_t etype, field;
	uint8_t proto;
	uint16_t *ck;

	if (hlen < off)
		return false;
	etype = rte_be_to_cpu_16(((const struct rte_ether_hdr *)p)->ether_type);
	if (etype == RTE_ETHER_TYPE_VLAN) {
		if (hlen < off + 4)
			return false;
		etype = rte_be_to_cpu_16(*(const rte_be16_t *)(p + off + 2));
		off += 4;
	}
	if (etype == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const void *)(p + off);
		uint32_t ihl;

		if (hlen < off + sizeof(*ip) || (ip->version_ihl >> 4) != 4)
			return false;
		ihl = (ip->version_ihl & 0xf) * 4u;
		end = off + rte_be_to_cpu_16(ip->total_length);
		if (ihl < sizeof(*ip) || hlen < off + ihl || end < off + ihl ||
		    end > m->pkt_len ||
		    (rte_be_to_cpu_16(ip->fragment_offset) &
		     (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
			return false;
		proto = ip->next_proto_id;
		l4 = off + ihl;
	} else if (etype == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip = (const void *)(p + off);

		if (hlen < off + sizeof(*ip))
			return false;
		l4 = off + (uint32_t)sizeof(*ip);
		end = l4 + rte_be_to_cpu_16(ip->payload_len);
		if (end > m->pkt_len)
			return false;
		proto = ip->proto; /* extension headers: not parsed */
	} else {
		return false;
	}
	if (proto == IPPROTO_TCP)
		field = 16;
	else if (proto == IPPROTO_UDP)
		field = 6;
	else
		return false;
	if (hlen < l4 + field + 2 || end < l4 + field + 2 || l4 > UINT16_MAX)
		return false;
	ck = (uint16_t *)(p + l4 + field);
	*ck = 0;
	if (etype == RTE_ETHER_TYPE_IPV4)
		*ck = rte_ipv4_udptcp_cksum_mbuf(m, (const void *)(p + off), (uint16_t)l4);
	else
		*ck = rte_ipv6_udptcp_cksum_mbuf(m, (const void *)(p + off), (uint16_t)l4);
	m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return true;
}

/*
 * Take nm mbufs for one packet: from the burst's stash (one mempool get per
 * burst) while it lasts, else from the pool. 0 on success.
 */
static inline int
netback_tx_mbufs(struct rte_mempool *mp, struct rte_mbuf **stash,
		 unsigned int *taken, unsigned int nstash, struct rte_mbuf **mb,
		 unsigned int nm)
{
	if (likely(nm <= nstash - *taken)) {
		for (unsigned int j = 0; j < nm; j++) {
			struct rte_mbuf *m = stash[(*taken)++];

			__rte_mbuf_raw_sanity_check(m);
			rte_pktmbuf_reset(m);
			mb[j] = m;
		}
		return 0;
	}
	return rte_pktmbuf_alloc_bulk(mp, mb, nm);
}

/* A packet whose copy is done: its checksum if left to us, counted. */
static inline void
netback_tx_csum(struct netback_dir *d, struct rte_mbuf *m)
{
	d->cnt[netback_csum_fill(m) ? NETBACK_GTX_CSUM_FILLED :
	       NETBACK_GTX_CSUM_UNPARSED]++;
}

uint16_t
netback_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t n)
{
	struct netback_queue *q = rxq;
	struct netback_dir *d = &q->gtx;
	struct rte_mbuf *mb[NETIF_MAX_PKT_LEN / 64 + 2];
	struct rte_mbuf *stash[NETBACK_BURST_PKTS];
	struct netif_tx_pkt pkt;
	unsigned int np = 0, nseg = 0, nrx = 0, nread = 0, nstash, taken = 0;
	unsigned int slots = 0, gslots = 0;
	uint64_t bytes = 0;
	uint16_t room;
	RING_IDX cons, prod;
	int avail;

	if (!netback_gate_enter(&q->gate)) {
		d->cnt[NETBACK_GTX_LOCK_BUSY]++; /* the control plane is busy */
		return 0;
	}
	if (!netback_q_usable(q) || q->mp == NULL)
		goto out;
	avail = NETIF_BACK_REQ_AVAIL(&q->txr, &prod);
	if (avail < 0) {
		d->cnt[NETBACK_GTX_BAD_INDEX]++;
		netback_mark_broken(q, "TX ring req_prod more than a ring ahead");
		goto out;
	}
	/* Nothing to read, answer or push; the event index was disarmed at
	 * this cons by the burst that reached it (or at connect). */
	if (avail == 0)
		goto out;
	room = (uint16_t)(rte_pktmbuf_data_room_size(q->mp) - RTE_PKTMBUF_HEADROOM);
	cons = q->txr.req_cons;
	n = RTE_MIN(n, NETBACK_BURST_PKTS);
	/*
	 * One mbuf per packet in the common case, and at most one packet per
	 * ring entry: take that many from the pool at once, give back what the
	 * burst did not use. A pool too low for all of them: one packet at a
	 * time, as many as it has.
	 */
	nstash = RTE_MIN((unsigned int)n, (unsigned int)avail);
	if (rte_mempool_get_bulk(q->mp, (void **)stash, nstash) != 0)
		nstash = 0;
	/*
	 * Packets are answered and delivered in ring order. While no packet
	 * waits for the grant copy (np == 0), one copied from a staged page
	 * is answered and delivered at once; the others go to d->pend.
	 */
	while (nread < n && avail > 0) {
		struct netback_pend *p;
		netif_tx_request_t req;
		unsigned int used, nm;

		RING_COPY_REQUEST(&q->txr, cons, &req);
		if (likely(netif_tx_req_simple(&req) && req.size <= room &&
			   taken < nstash && nseg < NETBACK_BURST_SEGS)) {
			struct rte_mbuf *m = stash[taken++];
			const uint8_t *page = netback_staged(q, req.gref, false);
			uint8_t *dst;

			__rte_mbuf_raw_sanity_check(m);
			rte_pktmbuf_reset(m);
			dst = rte_pktmbuf_mtod(m, uint8_t *);
			m->data_len = req.size;
			m->pkt_len = req.size;
			m->port = q->port_id;
			if (req.flags & NETTXF_data_validated)
				m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
			cons++;
			avail--;
			nread++;
			slots++;
			if (page != NULL) {
				memcpy(dst, page + req.offset, req.size);
				if (np == 0) {
					if (req.flags & NETTXF_csum_blank)
						netback_tx_csum(d, m);
					netback_tx_rsp(q, req.id, NETIF_RSP_OKAY);
					bytes += req.size;
					pkts[nrx++] = m;
					continue;
				}
			}
			p = &d->pend[np++];
			p->m = m;
			p->seg_first = (uint16_t)nseg;
			p->seg_count = 0;
			if (page == NULL) {
				xengnttab_grant_copy_segment_t *g = &d->seg[nseg++];

				g->source.foreign.ref = req.gref;
				g->source.foreign.offset = req.offset;
				g->source.foreign.domid = (uint16_t)q->nb->args.domid;
				g->dest.virt = dst;
				g->len = req.size;
				g->flags = GNTCOPY_source_gref;
				g->status = GNTST_okay;
				p->seg_count = 1;
				gslots++;
			}
			p->nr_ring = 1;
			p->nr_data = 1;
			p->csum_blank = (req.flags & NETTXF_csum_blank) != 0;
			p->id[0] = req.id;
			continue;
		}

		used = netif_back_tx_read(&q->txr, cons, (unsigned int)avail, &pkt);
		if (used == 0)
			break; /* the rest of the packet is not posted yet */
		if (pkt.err != NETIF_OK) {
			bool fatal = netif_err_fatal(pkt.err);

			netback_tx_drop(q, &pkt, netback_err_cnt[pkt.err],
					netif_strerr(pkt.err), fatal);
			if (fatal)
				break;
			cons += used;
			avail -= (int)used;
			continue;
		}
		if (pkt.extra_mask & (1u << XEN_NETIF_EXTRA_TYPE_GSO)) {
			/* feature-gso-* is not offered. */
			netback_tx_drop(q, &pkt, NETBACK_GTX_BAD_EXTRA,
					"GSO extra info, GSO not offered", false);
			cons += used;
			avail -= (int)used;
			continue;
		}
		nm = (pkt.total + room - 1) / room;
		if (nseg + pkt.nr_slots + nm > NETBACK_BURST_SEGS)
			break;
		if (netback_tx_mbufs(q->mp, stash, &taken, nstash, mb, nm) != 0) {
			d->cnt[NETBACK_GTX_NOMBUF]++;
			break; /* leave it on the ring: backpressure */
		}
		p = &d->pend[np++];
		p->m = mb[0];
		p->seg_first = (uint16_t)nseg;
		p->seg_count = (uint16_t)netback_tx_fill(q, &pkt, mb, room, nseg, &gslots);
		nseg += p->seg_count;
		slots += pkt.nr_slots;
		p->nr_ring = (uint16_t)pkt.nr_ring;
		p->nr_data = (uint16_t)pkt.nr_slots;
		p->csum_blank = (pkt.first_flags & NETTXF_csum_blank) != 0;
		for (unsigned int i = 0; i < pkt.nr_slots; i++)
			p->id[i] = pkt.req[i].id;
		netback_tx_chain(mb, nm, pkt.total, q->port_id, pkt.first_flags);
		cons += used;
		avail -= (int)used;
		nread++;
	}
	if (taken < nstash) /* still raw mbufs, as the pool had them */
		rte_mempool_put_bulk(q->mp, (void **)&stash[taken], nstash - taken);

	netback_grant_copy(q, d, nseg);
	for (unsigned int i = 0; i < np; i++) {
		struct netback_pend *p = &d->pend[i];

		if (netback_segs_ok(d, p->seg_first, p->seg_count)) {
			if (p->csum_blank)
				netback_tx_csum(d, p->m);
			netback_tx_answer(q, p->id, p->nr_data, p->nr_ring, NETIF_RSP_OKAY);
			bytes += p->m->pkt_len;
			pkts[nrx++] = p->m;
			continue;
		}
		d->cnt[NETBACK_GTX_COPY_ERR]++;
		if (netback_log_due(d->cnt[NETBACK_GTX_COPY_ERR]))
			PMD_DRV_LOG(NOTICE, "%s: queue %u: grant copy of a guest TX "
				    "packet failed (bad or revoked gref) [#%" PRIu64 "]",
				    q->nb->name, q->qid, d->cnt[NETBACK_GTX_COPY_ERR]);
		netback_tx_answer(q, p->id, p->nr_data, p->nr_ring, NETIF_RSP_ERROR);
		netback_free_cold(p->m);
	}
	/* Counters once per burst, not per packet or slot. */
	d->cnt[NETBACK_GTX_PKTS] += nrx;
	d->cnt[NETBACK_GTX_BYTES] += bytes;
	d->cnt[NETBACK_GTX_SLOTS_MAPPED] += slots - gslots;
	d->cnt[NETBACK_GTX_SLOTS_GCOPY] += gslots;
	q->txr.req_cons = cons;
	if (NETIF_PUSH_RESPONSES(&q->txr)) {
		xenevtchn_notify(q->nb->ev, q->tx_port);
		d->cnt[NETBACK_GTX_NOTIFY]++;
	}
	netback_disarm_maybe(&q->txr.sring->req_event, d, cons);
out:
	netback_gate_leave(&q->gate);
	return (uint16_t)nrx;
}

/* ------------------------------------------------------------------ */
/* tx_burst -> guest RX */

/* Pages a packet of `len` bytes takes when the first starts at `headroom`. */
static inline unsigned int
netback_rx_slots(uint32_t len, unsigned int headroom)
{
	uint32_t first = NETIF_PAGE_SIZE - headroom;

	if (len <= first)
		return 1;
	return 1 + (len - first + NETIF_PAGE_SIZE - 1) / NETIF_PAGE_SIZE;
}

/*
 * Take `slots` RX requests at `cons` for packet m and plan its copies.
 * Returns false when the mbuf chain is shorter than its pkt_len.
 */
static bool
netback_rx_fill(struct netback_queue *q, struct netback_pend *p,
		struct rte_mbuf *m, RING_IDX cons, unsigned int slots,
		unsigned int *nseg)
{
	struct netback_dir *d = &q->grx;
	uint32_t left = m->pkt_len;
	struct rte_mbuf *ms = m;
	uint16_t moff = 0;
	bool ok = true;

	p->off0 = (uint16_t)q->nb->headroom;
	for (unsigned int s = 0; s < slots; s++) {
		netif_rx_request_t req;
		uint16_t off = s == 0 ? p->off0 : 0;
		uint16_t want = (uint16_t)RTE_MIN(left, NETIF_PAGE_SIZE - off);
		uint8_t *page;

		RING_COPY_REQUEST(&q->rxr, cons + s, &req);
		p->id[s] = req.id;
		p->len[s] = want;
		left -= want;
		page = netback_staged(q, req.gref, true);
		d->cnt[page ? NETBACK_GRX_SLOTS_MAPPED : NETBACK_GRX_SLOTS_GCOPY]++;
		while (want > 0 && ok) {
			uint16_t chunk;
			uint8_t *src;

			while (ms != NULL && moff == ms->data_len) {
				ms = ms->next;
				moff = 0;
			}
			if (ms == NULL) {
				ok = false;
				break;
			}
			chunk = RTE_MIN(want, (uint16_t)(ms->data_len - moff));
			src = rte_pktmbuf_mtod_offset(ms, uint8_t *, moff);
			if (page != NULL) {
				memcpy(page + off, src, chunk);
			} else {
				xengnttab_grant_copy_segment_t *g = &d->seg[(*nseg)++];

				g->source.virt = src;
				g->dest.foreign.ref = req.gref;
				g->dest.foreign.offset = off;
				g->dest.foreign.domid = (uint16_t)q->nb->args.domid;
				g->len = chunk;
				g->flags = GNTCOPY_dest_gref;
				g->status = GNTST_okay;
			}
			moff += chunk;
			off += chunk;
			want -= chunk;
		}
	}
	return ok;
}

static void
netback_rx_answer(struct netback_queue *q, const struct netback_pend *p, bool ok)
{
	uint16_t csum = 0;

	if ((p->m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		csum = NETRXF_data_validated;
	for (unsigned int s = 0; s < p->nr_data; s++) {
		netif_rx_response_t *rsp = RING_GET_RESPONSE(&q->rxr, p->first + s);

		rsp->id = p->id[s];
		rsp->offset = s == 0 ? p->off0 : 0;
		rsp->flags = (s + 1 < p->nr_data ? NETRXF_more_data : 0) |
			     (s == 0 ? csum : 0);
		rsp->status = ok ? (int16_t)p->len[s] : NETIF_RSP_ERROR;
	}
}

static uint16_t
netback_tx_drop_all(struct netback_queue *q, struct rte_mbuf **pkts, uint16_t n)
{
	q->grx.cnt[NETBACK_GRX_DROP_DOWN] += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

uint16_t
netback_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	struct netback_queue *q = txq;
	struct netback_dir *d = &q->grx;
	unsigned int np = 0, nseg = 0, i;
	unsigned int max_slots;
	RING_IDX cons, prod;
	int avail;

	if (!netback_gate_enter(&q->gate)) {
		d->cnt[NETBACK_GRX_LOCK_BUSY]++;
		return 0;
	}
	if (!netback_q_usable(q)) {
		n = netback_tx_drop_all(q, pkts, n);
		goto out;
	}
	avail = NETIF_BACK_REQ_AVAIL(&q->rxr, &prod);
	if (avail < 0) {
		d->cnt[NETBACK_GRX_BAD_INDEX]++;
		netback_mark_broken(q, "RX ring req_prod more than a ring ahead");
		n = 0;
		goto out;
	}
	max_slots = q->nb->fe_sg ? NETIF_MAX_SLOTS : 1;
	cons = q->rxr.req_cons;
	for (i = 0; i < n && np < NETBACK_BURST_PKTS; i++) {
		struct rte_mbuf *m = pkts[i];
		struct netback_pend *p = &d->pend[np];
		unsigned int slots = netback_rx_slots(m->pkt_len, q->nb->headroom);
		bool ok;

		if (m->pkt_len == 0 || m->pkt_len > NETIF_MAX_PKT_LEN ||
		    slots > max_slots) {
			d->cnt[NETBACK_GRX_DROP_SIZE]++;
			continue; /* freed with the others below */
		}
		if (slots > (unsigned int)avail) {
			d->cnt[NETBACK_GRX_RING_FULL]++;
			break;
		}
		if (nseg + slots + m->nb_segs > NETBACK_BURST_SEGS)
			break;
		p->m = m;
		p->first = cons;
		p->nr_data = (uint16_t)slots;
		p->seg_first = (uint16_t)nseg;
		ok = netback_rx_fill(q, p, m, cons, slots, &nseg);
		p->seg_count = (uint16_t)(nseg - p->seg_first);
		/* A chain shorter than its pkt_len: answered as an error. */
		p->nr_ring = ok;
		cons += slots;
		avail -= (int)slots;
		np++;
	}
	n = (uint16_t)i;

	netback_grant_copy(q, d, nseg);
	for (unsigned int k = 0; k < np; k++) {
		struct netback_pend *p = &d->pend[k];
		bool ok = p->nr_ring && netback_segs_ok(d, p->seg_first, p->seg_count);

		netback_rx_answer(q, p, ok);
		if (ok) {
			d->cnt[NETBACK_GRX_PKTS]++;
			d->cnt[NETBACK_GRX_BYTES] += p->m->pkt_len;
		} else {
			d->cnt[NETBACK_GRX_COPY_ERR]++;
			if (netback_log_due(d->cnt[NETBACK_GRX_COPY_ERR]))
				PMD_DRV_LOG(NOTICE, "%s: queue %u: copy into a guest RX "
					    "buffer failed (bad or revoked gref) [#%" PRIu64 "]",
					    q->nb->name, q->qid, d->cnt[NETBACK_GRX_COPY_ERR]);
		}
	}
	/* Every packet taken, copied or dropped, freed in one call: a free per
	 * packet (a mempool put with its own lcore lookup) cost several times
	 * more. */
	if (n > 0)
		rte_pktmbuf_free_bulk(pkts, n);
	q->rxr.req_cons = cons;
	q->rxr.rsp_prod_pvt = cons;
	if (np > 0 && NETIF_PUSH_RESPONSES(&q->rxr)) {
		xenevtchn_notify(q->nb->ev, q->rx_port);
		d->cnt[NETBACK_GRX_NOTIFY]++;
	}
	netback_disarm_maybe(&q->rxr.sring->req_event, d, cons);
out:
	netback_gate_leave(&q->gate);
	return n;
}
