/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A front end reading responses from ring pages a hostile back end wrote,
 * as the netfront PMD runs them, for a few rounds of rsp_prod:
 * NETIF_FRONT_RSP_AVAIL, then (RX) netif_front_rx_read_fast() in a loop,
 * checked against netif_front_rx_read() on the same entries, with RX
 * buffers recycled and reposted, or (TX) netif_tx_rsp_check() on each
 * response, with the id used as an index.
 *
 * Input: u8 mode (bit 0: TX), u32 rsp_cons, u16 requests outstanding
 * (req_prod_pvt - rsp_cons, mod ring size + 1), u8 rounds, then per round
 * (at most 4) u32 rsp_prod - rsp_cons and u8 requests not reposted; the
 * rest fills the ring entries from slot rsp_cons on, wrapping.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "netif_msg.h"

#define NR_ROUNDS_MAX 4
#define EXTRA_TYPES_VALID                                                    \
	(((1u << NETIF_EXTRA_TYPE_MAX) - 1) &                                \
	 ~(1u << XEN_NETIF_EXTRA_TYPE_NONE))
#define MAX_PENDING_ENTRIES (NETIF_MAX_SLOTS + NETIF_EXTRA_TYPE_MAX)

struct hdr {
	bool tx;
	RING_IDX cons;
	unsigned int outstanding;
	unsigned int nr_rounds;
	uint32_t prod[NR_ROUNDS_MAX];
	uint8_t hold[NR_ROUNDS_MAX];
};

/* The index check, said independently: valid iff no more responses than
 * requests outstanding, and not behind what was consumed. */
static void
check_avail(int avail, RING_IDX got, RING_IDX shared, RING_IDX cons,
	    RING_IDX req_prod_pvt)
{
	if ((RING_IDX)(shared - cons) > (RING_IDX)(req_prod_pvt - cons)) {
		PROMISE(avail < 0);
		PROMISE(got == 0xdeadbeef);
		return;
	}
	PROMISE(avail >= 0);
	PROMISE(got == shared);
	PROMISE((RING_IDX)avail == shared - cons);
}

static void
check_rx_pkt(netif_rx_front_ring_t *r, RING_IDX cons, unsigned int used,
	     const struct netif_rx_pkt *p)
{
	const unsigned int mask = RING_SIZE(r) - 1;
	unsigned int nx = used - p->nr_slots;
	uint32_t sum = 0;

	PROMISE(nx <= NETIF_EXTRA_TYPE_MAX);
	PROMISE((p->extra_mask & ~EXTRA_TYPES_VALID) == 0);
	PROMISE((p->extra_mask != 0) == (nx != 0));
	PROMISE(nx == 0 || (p->rsp[0].flags & NETRXF_extra_info));
	for (unsigned int t = 0; t < NETIF_EXTRA_TYPE_MAX; t++)
		if (p->extra_mask & (1u << t)) {
			PROMISE(p->extra[t].type == t);
			PROMISE((p->extra[t].flags & ~XEN_NETIF_EXTRA_FLAG_MORE) == 0);
		}
	/* Linux netback's XDP headroom, folded into the first slot's offset. */
	bool xdp_fold = (p->extra_mask & (1u << NETIF_EXTRA_TYPE_XDP)) &&
			RING_GET_RESPONSE(r, cons)->offset == 0;
	uint16_t xdp_h = xdp_fold ? p->extra[NETIF_EXTRA_TYPE_XDP].u.pad[0] : 0;

	for (unsigned int i = 0; i < p->nr_slots; i++) {
		const netif_rx_response_t *q = &p->rsp[i];
		RING_IDX at = i == 0 ? cons : cons + nx + i;

		/* Each data slot is the ring entry it says, copied. */
		PROMISE(p->idx[i] == at);
		if (i == 0 && xdp_fold && p->err == NETIF_OK) {
			const netif_rx_response_t *o = RING_GET_RESPONSE(r, at);

			PROMISE(q->offset == xdp_h && q->status == o->status - xdp_h &&
				q->id == o->id && q->flags == o->flags);
		} else {
			PROMISE(memcmp(q, RING_GET_RESPONSE(r, at), sizeof(*q)) == 0);
		}
		if (p->err != NETIF_OK)
			continue;
		PROMISE(q->id == (at & mask));
		PROMISE(q->status >= 0);
		PROMISE((uint32_t)q->offset + (uint32_t)q->status <= NETIF_PAGE_SIZE);
		PROMISE((q->flags & ~NETIF_RXF_KNOWN) == 0);
		PROMISE(!!(q->flags & NETRXF_more_data) == (i + 1 < p->nr_slots));
		sum += (uint32_t)q->status;
	}
	if (p->err == NETIF_OK) {
		PROMISE(sum == p->total);
		PROMISE(p->total <= NETIF_MAX_PKT_LEN && p->total >= NETIF_MIN_FRAME);
	} else if (!netif_err_fatal(p->err)) {
		/* Dropped whole: the chain ended, every buffer comes back. */
		PROMISE(!(p->rsp[p->nr_slots - 1].flags & NETRXF_more_data));
		/* ... and for a reason one of its responses gives. */
		bool bad_id = false, peer = false, undef = false, flags = false;

		sum = 0;
		for (unsigned int i = 0; i < p->nr_slots; i++) {
			const netif_rx_response_t *q = &p->rsp[i];

			bad_id |= q->id != (p->idx[i] & mask);
			peer |= q->status == NETIF_RSP_ERROR ||
				q->status == NETIF_RSP_DROPPED;
			undef |= q->status < NETIF_RSP_DROPPED;
			flags |= (q->flags & ~NETIF_RXF_KNOWN) != 0;
			sum += q->status > 0 ? (uint32_t)q->status : 0;
		}
		switch (p->err) {
		case NETIF_E_ID:
			PROMISE(bad_id);
			break;
		case NETIF_E_PEER:
			PROMISE(peer);
			break;
		case NETIF_E_STATUS:
			PROMISE(undef);
			break;
		case NETIF_E_FLAGS:
			PROMISE(flags);
			break;
		case NETIF_E_LEN:
			if (xdp_fold && xdp_h > p->rsp[0].status)
				break;
			sum -= xdp_h; /* the length it would have had, folded */
			PROMISE(sum > NETIF_MAX_PKT_LEN || sum < NETIF_MIN_FRAME);
			break;
		default:
			PROMISE(!"non-fatal error of an unexpected kind");
		}
	}
}

static void
check_same(const struct netif_rx_pkt *a, const struct netif_rx_pkt *b)
{
	PROMISE(a->err == b->err);
	PROMISE(a->nr_slots == b->nr_slots);
	PROMISE(a->nr_ring == b->nr_ring);
	PROMISE(a->extra_mask == b->extra_mask);
	PROMISE(a->total == b->total);
	for (unsigned int i = 0; i < a->nr_slots && i < NETIF_MAX_SLOTS; i++) {
		PROMISE(memcmp(&a->rsp[i], &b->rsp[i], sizeof(a->rsp[i])) == 0);
		PROMISE(a->idx[i] == b->idx[i]);
	}
	for (unsigned int t = 0; t < NETIF_EXTRA_TYPE_MAX; t++)
		if (a->extra_mask & (1u << t))
			PROMISE(memcmp(&a->extra[t], &b->extra[t],
				       sizeof(a->extra[t])) == 0);
}

static void
run_rx(struct fin *in, const struct hdr *h)
{
	netif_rx_sring_t *s = malloc(NETIF_PAGE_SIZE);
	netif_rx_front_ring_t r;
	struct netif_rx_pkt pkt, full;
	unsigned int ring_size;
	bool *posted;

	memset(s, 0, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&r, s, NETIF_PAGE_SIZE);
	ring_size = RING_SIZE(&r);
	PROMISE(ring_size == NETIF_RX_RING_SIZE);
	posted = calloc(ring_size, sizeof(*posted));

	r.rsp_cons = h->cons;
	r.req_prod_pvt = h->cons + h->outstanding % (ring_size + 1);
	s->req_prod = r.req_prod_pvt;
	for (RING_IDX i = r.rsp_cons; i != r.req_prod_pvt; i++)
		posted[i & (ring_size - 1)] = true;
	for (unsigned int i = 0; i < ring_size && in->n > 0; i++)
		fin_bytes(in, &s->ring[(h->cons + i) & (ring_size - 1)],
			  sizeof(s->ring[0]));

	for (unsigned int round = 0; round < h->nr_rounds; round++) {
		RING_IDX prod = 0xdeadbeef, cons = r.rsp_cons;
		bool broken = false;
		unsigned int refill;
		int avail;

		s->rsp_prod = r.rsp_cons + h->prod[round];
		avail = NETIF_FRONT_RSP_AVAIL(&r, &prod);
		TRACE("rx round %u: rsp_prod %u avail %d\n", round, s->rsp_prod, avail);
		check_avail(avail, prod, s->rsp_prod, r.rsp_cons, r.req_prod_pvt);
		if (avail < 0)
			break;
		while (avail > 0) {
			unsigned int used;

			/* The driver's reader, and the full one it stands for:
			 * same packet, same verdict. */
			memset(&pkt, 0xa5, sizeof(pkt));
			memset(&full, 0x5a, sizeof(full));
			used = netif_front_rx_read_fast(&r, cons, (unsigned int)avail, &pkt);
			PROMISE(netif_front_rx_read(&r, cons, (unsigned int)avail, &full) ==
				used);
			if (used > 0)
				check_same(&pkt, &full);
			TRACE("  at %u: used %u slots %u total %u extras %#x: %s\n",
			      cons, used, used ? pkt.nr_slots : 0,
			      used ? pkt.total : 0, used ? pkt.extra_mask : 0,
			      used ? netif_strerr(pkt.err) : "incomplete");
			if (used == 0) {
				PROMISE((unsigned int)avail <= MAX_PENDING_ENTRIES);
				break;
			}
			PROMISE(used <= (unsigned int)avail);
			PROMISE(used == pkt.nr_ring);
			PROMISE(pkt.nr_slots >= 1 && pkt.nr_slots <= NETIF_MAX_SLOTS);
			PROMISE(pkt.nr_slots <= used);
			PROMISE((unsigned int)pkt.err < NETIF_E__MAX);
			PROMISE(strcmp(netif_strerr(pkt.err), "?") != 0);
			if (!netif_err_fatal(pkt.err))
				check_rx_pkt(&r, cons, used, &pkt);
			/* Every ring entry of the packet returns its buffer,
			 * and only a buffer that was posted. */
			for (RING_IDX i = cons; i != cons + used; i++) {
				PROMISE(posted[i & (ring_size - 1)]);
				posted[i & (ring_size - 1)] = false;
			}
			cons += used;
			avail -= (int)used;
			if (netif_err_fatal(pkt.err)) {
				broken = true;
				break;
			}
		}
		r.rsp_cons = cons;
		if (broken)
			break;
		/* Repost buffers, maybe not all of them. */
		refill = ring_size - (r.req_prod_pvt - r.rsp_cons);
		PROMISE(refill <= ring_size);
		refill -= h->hold[round] % (refill + 1);
		while (refill--) {
			netif_rx_request_t *q = RING_GET_REQUEST(&r, r.req_prod_pvt);

			PROMISE(!posted[r.req_prod_pvt & (ring_size - 1)]);
			posted[r.req_prod_pvt & (ring_size - 1)] = true;
			q->id = (uint16_t)(r.req_prod_pvt & (ring_size - 1));
			q->gref = 1000 + q->id;
			r.req_prod_pvt++;
		}
		(void)NETIF_PUSH_REQUESTS(&r);
		PROMISE(NETIF_FRONT_FREE(&r) <= ring_size);
	}
	free(posted);
	free(s);
}

static void
run_tx(struct fin *in, const struct hdr *h)
{
	netif_tx_sring_t *s = malloc(NETIF_PAGE_SIZE);
	netif_tx_front_ring_t r;
	unsigned int ring_size;
	uint8_t *answered;

	memset(s, 0, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&r, s, NETIF_PAGE_SIZE);
	ring_size = RING_SIZE(&r);
	PROMISE(ring_size == NETIF_TX_RING_SIZE);
	/* Indexed by response id, exactly ring-size long. */
	answered = calloc(ring_size, 1);

	r.rsp_cons = h->cons;
	r.req_prod_pvt = h->cons + h->outstanding % (ring_size + 1);
	s->req_prod = r.req_prod_pvt;
	for (unsigned int i = 0; i < ring_size && in->n > 0; i++)
		fin_bytes(in, &s->ring[(h->cons + i) & (ring_size - 1)],
			  sizeof(s->ring[0]));

	for (unsigned int round = 0; round < h->nr_rounds; round++) {
		RING_IDX prod = 0xdeadbeef, cons;
		bool broken = false;
		int avail;

		s->rsp_prod = r.rsp_cons + h->prod[round];
		avail = NETIF_FRONT_RSP_AVAIL(&r, &prod);
		TRACE("tx round %u: rsp_prod %u avail %d\n", round, s->rsp_prod, avail);
		check_avail(avail, prod, s->rsp_prod, r.rsp_cons, r.req_prod_pvt);
		if (avail < 0)
			break;
		PROMISE((unsigned int)avail <= ring_size);
		for (cons = r.rsp_cons; cons != prod; cons++) {
			netif_tx_response_t rsp;
			enum netif_err e;
			bool defined;

			RING_COPY_RESPONSE(&r, cons, &rsp);
			e = netif_tx_rsp_check(&rsp, ring_size);
			TRACE("  at %u: id %u status %d: %s\n", cons, rsp.id,
			      rsp.status, netif_strerr(e));
			defined = rsp.status == NETIF_RSP_NULL ||
				  rsp.status == NETIF_RSP_OKAY ||
				  rsp.status == NETIF_RSP_ERROR ||
				  rsp.status == NETIF_RSP_DROPPED;
			PROMISE((e == NETIF_OK) ==
				(defined && (rsp.status == NETIF_RSP_NULL ||
					     rsp.id < ring_size)));
			PROMISE(e == NETIF_OK || e == NETIF_E_ID || e == NETIF_E_STATUS);
			if (e != NETIF_OK) {
				broken = true;
				break;
			}
			if (rsp.status != NETIF_RSP_NULL)
				answered[rsp.id]++;
		}
		r.rsp_cons = cons;
		if (broken)
			break;
		/* Send more: the ring may fill up again. */
		{
			unsigned int more = NETIF_FRONT_FREE(&r);

			PROMISE(more <= ring_size);
			more -= h->hold[round] % (more + 1);
			r.req_prod_pvt += more;
			(void)NETIF_PUSH_REQUESTS(&r);
		}
	}
	free(answered);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct hdr h;

	h.tx = fin_u8(&in) & 1;
	h.cons = fin_u32(&in);
	h.outstanding = fin_u16(&in);
	h.nr_rounds = 1 + fin_u8(&in) % NR_ROUNDS_MAX;
	for (unsigned int i = 0; i < NR_ROUNDS_MAX; i++) {
		h.prod[i] = fin_u32(&in);
		h.hold[i] = fin_u8(&in);
	}
	if (h.tx)
		run_tx(&in, &h);
	else
		run_rx(&in, &h);
	return 0;
}
