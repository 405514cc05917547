/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A back end reading guest TX packets from a ring page a hostile front end
 * wrote: NETIF_BACK_REQ_AVAIL, then netif_back_tx_read() in a loop, then
 * responses, as the netback PMD runs them, for a few rounds of req_prod.
 *
 * Input: u32 req_cons, u16 answers pending (req_cons - rsp_prod_pvt, mod
 * ring size + 1), u32 rsp_event, u8 rounds, then per round (at most 4)
 * u32 req_prod - req_cons and u8 answers kept back; the rest fills the ring
 * entries from slot req_cons on, wrapping.
 */
#include "fuzz.h"
#include "netif_msg.h"

#define NR_ROUNDS_MAX 4
#define EXTRA_TYPES_VALID                                                    \
	(((1u << NETIF_EXTRA_TYPE_MAX) - 1) &                                \
	 ~(1u << XEN_NETIF_EXTRA_TYPE_NONE))
/* A chain of more ring entries than this is always complete or invalid. */
#define MAX_PENDING_ENTRIES (NETIF_MAX_SLOTS + NETIF_EXTRA_TYPE_MAX)

static const netif_tx_request_t *
entry(netif_tx_back_ring_t *r, RING_IDX i)
{
	return RING_GET_REQUEST(r, i);
}

static void
check_extras(const struct netif_tx_pkt *p, unsigned int nx)
{
	PROMISE(nx <= NETIF_EXTRA_TYPE_MAX);
	PROMISE((p->extra_mask & ~EXTRA_TYPES_VALID) == 0);
	PROMISE((p->extra_mask != 0) == (nx != 0));
	for (unsigned int t = 0; t < NETIF_EXTRA_TYPE_MAX; t++) {
		if (!(p->extra_mask & (1u << t)))
			continue;
		PROMISE(p->extra[t].type == t);
		PROMISE((p->extra[t].flags & ~XEN_NETIF_EXTRA_FLAG_MORE) == 0);
	}
}

/* Everything a packet the reader calls valid must satisfy. */
static void
check_valid(netif_tx_back_ring_t *r, RING_IDX cons, const struct netif_tx_pkt *p,
	    unsigned int nx)
{
	uint32_t sum = 0;

	PROMISE(p->total == p->req[0].size);
	PROMISE(p->total >= NETIF_MIN_FRAME);
	PROMISE(p->total <= NETIF_MAX_PKT_LEN);
	PROMISE(p->first_flags == p->req[0].flags);
	PROMISE(!!(p->first_flags & NETTXF_extra_info) == (nx != 0));
	for (unsigned int i = 0; i < p->nr_slots; i++) {
		const netif_tx_request_t *q = &p->req[i];
		/* Copied from the right ring entry: extras follow the first. */
		const netif_tx_request_t *e = entry(r, i == 0 ? cons : cons + nx + i);

		PROMISE(memcmp(q, e, sizeof(*q)) == 0);
		PROMISE((uint32_t)q->offset + p->len[i] <= NETIF_PAGE_SIZE);
		PROMISE((q->flags & ~NETIF_TXF_KNOWN) == 0);
		PROMISE(!!(q->flags & NETTXF_more_data) == (i + 1 < p->nr_slots));
		if (i > 0)
			PROMISE(p->len[i] == q->size);
		sum += p->len[i];
	}
	PROMISE(sum == p->total);
	/* The first slot holds what the later ones leave of the packet. */
	PROMISE(p->len[0] == p->req[0].size - (sum - p->len[0]));
}

/* A packet dropped for a non-fatal reason has that reason. */
static void
check_dropped(const struct netif_tx_pkt *p)
{
	uint32_t rest = 0;
	uint16_t flags = 0;

	for (unsigned int i = 0; i < p->nr_slots; i++) {
		flags |= p->req[i].flags;
		if (i > 0)
			rest += p->req[i].size;
	}
	if (p->err == NETIF_E_LEN)
		PROMISE(p->req[0].size < NETIF_MIN_FRAME || rest > p->req[0].size);
	else if (p->err == NETIF_E_FLAGS)
		PROMISE(flags & ~NETIF_TXF_KNOWN);
	else
		PROMISE(!"non-fatal error of an unexpected kind");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	netif_tx_sring_t *s = malloc(NETIF_PAGE_SIZE);
	netif_tx_back_ring_t r;
	uint32_t round_prod[NR_ROUNDS_MAX];
	uint8_t round_keep[NR_ROUNDS_MAX];
	unsigned int nr_rounds, ring_size;
	struct netif_tx_pkt pkt;
	bool broken = false;
	RING_IDX cons0;

	memset(s, 0, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(s);
	BACK_RING_INIT(&r, s, NETIF_PAGE_SIZE);
	ring_size = RING_SIZE(&r);
	PROMISE(ring_size == NETIF_TX_RING_SIZE);

	/* Private indices are the back end's own: consistent by construction. */
	cons0 = fin_u32(&in);
	r.req_cons = cons0;
	r.rsp_prod_pvt = cons0 - fin_u16(&in) % (ring_size + 1);
	r.sring->rsp_prod = r.rsp_prod_pvt;
	s->rsp_event = fin_u32(&in);
	nr_rounds = 1 + fin_u8(&in) % NR_ROUNDS_MAX;
	for (unsigned int i = 0; i < NR_ROUNDS_MAX; i++) {
		round_prod[i] = fin_u32(&in);
		round_keep[i] = fin_u8(&in);
	}
	for (unsigned int i = 0; i < ring_size && in.n > 0; i++)
		fin_bytes(&in, &s->ring[(cons0 + i) & (ring_size - 1)],
			  sizeof(s->ring[0]));

	for (unsigned int round = 0; round < nr_rounds && !broken; round++) {
		RING_IDX prod = 0xdeadbeef, cons, pending;
		uint32_t d;
		int avail;

		s->req_prod = r.req_cons + round_prod[round];
		d = s->req_prod - r.rsp_prod_pvt;
		avail = NETIF_BACK_REQ_AVAIL(&r, &prod);
		TRACE("round %u: req_prod %u avail %d\n", round, s->req_prod, avail);
		/* Valid exactly when no more than a ring is unanswered and
		 * the index did not go back behind what was consumed. */
		if (d > ring_size || d < (RING_IDX)(r.req_cons - r.rsp_prod_pvt)) {
			PROMISE(avail < 0);
			PROMISE(prod == 0xdeadbeef);
			break;
		}
		PROMISE(avail >= 0);
		PROMISE(prod == s->req_prod);
		PROMISE((RING_IDX)avail == prod - r.req_cons);
		PROMISE((unsigned int)avail <= ring_size);

		cons = r.req_cons;
		while (avail > 0) {
			unsigned int used, nx;

			netif_tx_request_t first = *RING_GET_REQUEST(&r, cons);

			memset(&pkt, 0xa5, sizeof(pkt));
			used = netif_back_tx_read(&r, cons, (unsigned int)avail, &pkt);
			/* What a back end may take without the reader. */
			if (netif_tx_req_simple(&first))
				PROMISE(used == 1 && pkt.err == NETIF_OK &&
					pkt.nr_slots == 1 && pkt.len[0] == first.size &&
					pkt.total == first.size);
			TRACE("  at %u: used %u slots %u total %u extras %#x: %s\n",
			      cons, used, used ? pkt.nr_slots : 0,
			      used ? pkt.total : 0, used ? pkt.extra_mask : 0,
			      used ? netif_strerr(pkt.err) : "incomplete");
			if (used == 0) {
				/* Incomplete: only a chain a full packet could
				 * still complete may hold the ring. */
				PROMISE((unsigned int)avail <= MAX_PENDING_ENTRIES);
				break;
			}
			PROMISE(used <= (unsigned int)avail);
			PROMISE(used == pkt.nr_ring);
			PROMISE(pkt.nr_slots >= 1 && pkt.nr_slots <= NETIF_MAX_SLOTS);
			PROMISE(pkt.nr_slots <= used);
			PROMISE((unsigned int)pkt.err < NETIF_E__MAX);
			PROMISE(strcmp(netif_strerr(pkt.err), "?") != 0);
			PROMISE(pkt.err != NETIF_E_ID && pkt.err != NETIF_E_STATUS &&
				pkt.err != NETIF_E_PEER);
			nx = used - pkt.nr_slots;
			if (pkt.err == NETIF_OK) {
				check_extras(&pkt, nx);
				check_valid(&r, cons, &pkt, nx);
			} else if (!netif_err_fatal(pkt.err)) {
				/* Dropped whole: every slot is there to answer,
				 * and the chain ended. */
				check_extras(&pkt, nx);
				PROMISE(!(pkt.req[pkt.nr_slots - 1].flags &
					  NETTXF_more_data));
				check_dropped(&pkt);
			} else {
				broken = true;
				break;
			}
			cons += used;
			avail -= (int)used;
		}
		r.req_cons = cons;

		/* Answer what was consumed, but maybe not all of it yet. */
		pending = r.req_cons - r.rsp_prod_pvt;
		PROMISE(pending <= ring_size);
		pending -= round_keep[round] % (pending + 1);
		while (pending--) {
			netif_tx_response_t *rsp = RING_GET_RESPONSE(&r, r.rsp_prod_pvt);

			rsp->id = (uint16_t)r.rsp_prod_pvt;
			rsp->status = NETIF_RSP_OKAY;
			r.rsp_prod_pvt++;
		}
		{
			RING_IDX old = s->rsp_prod, ev = s->rsp_event;
			bool notify = NETIF_PUSH_RESPONSES(&r);

			/* Notify exactly when the peer's event index was
			 * passed: old < event <= new, modulo 2^32. */
			PROMISE(s->rsp_prod == r.rsp_prod_pvt);
			PROMISE(notify == ((RING_IDX)(ev - old - 1) <
					   (RING_IDX)(r.rsp_prod_pvt - old)));
		}
	}
	free(s);
	return 0;
}
