/* SPDX-License-Identifier: BSD-3-Clause */
#include "netif_msg.h"

static const char *const err_names[NETIF_E__MAX] = {
	[NETIF_OK] = "ok",
	[NETIF_E_ID] = "bad id",
	[NETIF_E_STATUS] = "bad status",
	[NETIF_E_OFFSET] = "offset + length past the page",
	[NETIF_E_LEN] = "bad length",
	[NETIF_E_FLAGS] = "unknown flags",
	[NETIF_E_EXTRA] = "bad extra info",
	[NETIF_E_SLOTS] = "too many slots",
	[NETIF_E_PEER] = "error reported by peer",
};

const char *
netif_strerr(enum netif_err e)
{
	if ((unsigned int)e >= NETIF_E__MAX)
		return "?";
	return err_names[e];
}

static enum netif_err
extra_check(const netif_extra_info_t *x)
{
	if (x->type == XEN_NETIF_EXTRA_TYPE_NONE ||
	    x->type >= NETIF_EXTRA_TYPE_MAX)
		return NETIF_E_EXTRA;
	if (x->flags & ~XEN_NETIF_EXTRA_FLAG_MORE)
		return NETIF_E_EXTRA;
	return NETIF_OK;
}

/*
 * Copy the chain of extra-info entries that follows entry `at`. Returns the
 * number of entries, or 0 with *more set when the chain is not complete.
 */
static unsigned int
extras_read(const void *ring_base, size_t entry_size, unsigned int mask,
	    RING_IDX at, unsigned int avail, uint32_t *extra_mask,
	    netif_extra_info_t *extra, enum netif_err *err, bool *incomplete)
{
	unsigned int n = 0;
	netif_extra_info_t x;

	do {
		if (n >= avail) {
			*incomplete = true;
			return 0;
		}
		if (n >= NETIF_EXTRA_TYPE_MAX) {
			*err = NETIF_E_EXTRA;
			return n;
		}
		x = *(const volatile netif_extra_info_t *)((const char *)ring_base +
							   ((at + n) & mask) *
								   entry_size);
		n++;
		if (extra_check(&x) != NETIF_OK) {
			*err = NETIF_E_EXTRA;
			return n;
		}
		extra[x.type] = x;
		*extra_mask |= 1u << x.type;
	} while (x.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return n;
}

unsigned int
netif_back_tx_read(netif_tx_back_ring_t *r, RING_IDX cons, unsigned int avail,
		   struct netif_tx_pkt *pkt)
{
	const unsigned int mask = RING_SIZE(r) - 1;
	netif_tx_request_t req;
	unsigned int used = 0;
	uint32_t rest = 0;
	bool incomplete = false;
	uint16_t flags, unknown;

	pkt->nr_slots = 0;
	pkt->extra_mask = 0;
	pkt->err = NETIF_OK;

	if (avail == 0)
		return 0;
	RING_COPY_REQUEST(r, cons, &req);
	used = 1;
	pkt->req[0] = req;
	pkt->nr_slots = 1;
	pkt->first_flags = req.flags;
	pkt->total = req.size;
	flags = req.flags;
	unknown = flags & ~NETIF_TXF_KNOWN;

	if (flags & NETTXF_extra_info) {
		used += extras_read(r->sring->ring, sizeof(r->sring->ring[0]),
				    mask, cons + 1, avail - 1, &pkt->extra_mask,
				    pkt->extra, &pkt->err, &incomplete);
		if (incomplete)
			return 0;
		if (pkt->err != NETIF_OK)
			goto out;
	}

	while (flags & NETTXF_more_data) {
		if (used >= avail)
			return 0;
		if (pkt->nr_slots >= NETIF_MAX_SLOTS) {
			pkt->err = NETIF_E_SLOTS;
			goto out;
		}
		RING_COPY_REQUEST(r, cons + used, &req);
		used++;
		pkt->req[pkt->nr_slots] = req;
		pkt->len[pkt->nr_slots] = req.size;
		pkt->nr_slots++;
		flags = req.flags;
		unknown |= flags & ~NETIF_TXF_KNOWN;
		rest += req.size;
		if ((uint32_t)req.offset + req.size > NETIF_PAGE_SIZE)
			pkt->err = NETIF_E_OFFSET;
	}
	if (pkt->err != NETIF_OK)
		goto out;

	/* The first slot's size is the packet's; its own data is what is left. */
	if (pkt->total < NETIF_MIN_FRAME || rest > pkt->total) {
		pkt->err = NETIF_E_LEN;
		goto out;
	}
	pkt->len[0] = pkt->total - rest;
	if ((uint32_t)pkt->req[0].offset + pkt->len[0] > NETIF_PAGE_SIZE)
		pkt->err = NETIF_E_OFFSET;
	else if (unknown) /* in any slot */
		pkt->err = NETIF_E_FLAGS;
out:
	pkt->nr_ring = used;
	return used;
}

static enum netif_err
rx_rsp_check(const netif_rx_response_t *rsp, uint16_t expect_id)
{
	if (rsp->id != expect_id)
		return NETIF_E_ID;
	if (rsp->status < 0)
		return rsp->status == NETIF_RSP_ERROR ||
				       rsp->status == NETIF_RSP_DROPPED ?
			       NETIF_E_PEER :
			       NETIF_E_STATUS;
	if (rsp->offset >= NETIF_PAGE_SIZE ||
	    (uint32_t)rsp->offset + (uint32_t)rsp->status > NETIF_PAGE_SIZE)
		return NETIF_E_OFFSET;
	return NETIF_OK;
}

unsigned int
netif_front_rx_read(netif_rx_front_ring_t *r, RING_IDX cons, unsigned int avail,
		    struct netif_rx_pkt *pkt)
{
	const unsigned int mask = RING_SIZE(r) - 1;
	netif_rx_response_t rsp;
	unsigned int used = 0;
	bool incomplete = false;
	enum netif_err e;
	uint16_t flags;

	pkt->nr_slots = 0;
	pkt->extra_mask = 0;
	pkt->total = 0;
	pkt->err = NETIF_OK;

	do {
		if (used >= avail)
			return 0;
		if (pkt->nr_slots >= NETIF_MAX_SLOTS) {
			pkt->err = NETIF_E_SLOTS;
			break;
		}
		netif_rx_rsp_copy(r, cons + used, &rsp);
		pkt->idx[pkt->nr_slots] = cons + used;
		pkt->rsp[pkt->nr_slots++] = rsp;
		e = rx_rsp_check(&rsp, (cons + used) & mask);
		used++;
		flags = rsp.flags;
		if (e != NETIF_OK && pkt->err == NETIF_OK)
			pkt->err = e;
		else if ((flags & ~NETIF_RXF_KNOWN) && pkt->err == NETIF_OK)
			pkt->err = NETIF_E_FLAGS;
		if (e == NETIF_OK)
			pkt->total += (uint32_t)rsp.status;
		/* Extra info may only follow the first response. */
		if (pkt->nr_slots == 1 && (flags & NETRXF_extra_info)) {
			enum netif_err xe = NETIF_OK;

			used += extras_read(r->sring->ring,
					    sizeof(r->sring->ring[0]), mask,
					    cons + used, avail - used,
					    &pkt->extra_mask, pkt->extra, &xe,
					    &incomplete);
			if (incomplete)
				return 0;
			if (xe != NETIF_OK) {
				pkt->err = xe;
				break;
			}
		}
	} while (flags & NETRXF_more_data);

	/*
	 * Linux netback, once "xdp-headroom" is negotiated, writes the first
	 * slot's data that far into the page but answers offset 0 with the
	 * headroom counted in status, and sends an XDP extra holding the
	 * headroom. Turn that into a plain offset and length.
	 */
	uint16_t h = 0;

	if (pkt->err == NETIF_OK && (pkt->extra_mask & (1u << NETIF_EXTRA_TYPE_XDP)) &&
	    pkt->rsp[0].offset == 0) {
		h = pkt->extra[NETIF_EXTRA_TYPE_XDP].u.pad[0];
		if (h > pkt->rsp[0].status)
			pkt->err = NETIF_E_LEN;
	}
	if (pkt->err == NETIF_OK &&
	    (pkt->total - h > NETIF_MAX_PKT_LEN || pkt->total - h < NETIF_MIN_FRAME))
		pkt->err = NETIF_E_LEN;
	/* A dropped packet keeps its responses as the ring had them. */
	if (pkt->err == NETIF_OK && h) {
		pkt->rsp[0].offset = h;
		pkt->rsp[0].status = (int16_t)(pkt->rsp[0].status - h);
		pkt->total -= h;
	}
	pkt->nr_ring = used;
	return used;
}
