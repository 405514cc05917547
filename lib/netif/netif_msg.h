/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading packets out of the data rings, with every field the peer wrote
 * checked. Each ring entry is copied out of the shared page once; what the
 * caller gets is a private, validated description of one packet.
 */
#ifndef NETIF_MSG_H
#define NETIF_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "netif_ring.h"

/* What can be wrong with what a peer wrote. */
enum netif_err {
	NETIF_OK = 0,
	NETIF_E_ID,      /* id out of range, or not the one expected */
	NETIF_E_STATUS,  /* status value the protocol does not define */
	NETIF_E_OFFSET,  /* offset + length runs past the 4 KiB page */
	NETIF_E_LEN,     /* lengths too short, or disagreeing between slots */
	NETIF_E_FLAGS,   /* flag bits the protocol does not define */
	NETIF_E_EXTRA,   /* extra-info slot of unknown type */
	NETIF_E_SLOTS,   /* more slots than a packet may use */
	NETIF_E_PEER,    /* the peer reported an error for this packet */
	NETIF_E__MAX
};

const char *netif_strerr(enum netif_err e);

/*
 * A fatal error means the peer broke the protocol in a way that leaves the
 * ring state unknowable (the device must be marked broken); the others drop
 * one packet and go on.
 */
static inline bool
netif_err_fatal(enum netif_err e)
{
	return e == NETIF_E_OFFSET || e == NETIF_E_EXTRA || e == NETIF_E_SLOTS;
}

/* Slots one packet may use, extras not counted. */
#define NETIF_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
#define NETIF_MIN_FRAME 14 /* an Ethernet header */

#define NETIF_TXF_KNOWN                                                      \
	(NETTXF_csum_blank | NETTXF_data_validated | NETTXF_more_data |      \
	 NETTXF_extra_info)
#define NETIF_RXF_KNOWN                                                      \
	(NETRXF_data_validated | NETRXF_csum_blank | NETRXF_more_data |      \
	 NETRXF_extra_info | NETRXF_gso_prefix)

/* One packet a front end sent, as a back end reads it from the TX ring. */
struct netif_tx_pkt {
	netif_tx_request_t req[NETIF_MAX_SLOTS]; /* data slots */
	uint16_t len[NETIF_MAX_SLOTS];  /* bytes in each data slot */
	unsigned int nr_slots;          /* data slots */
	unsigned int nr_ring;           /* ring entries used, extras included */
	uint32_t extra_mask;            /* 1 << type for each extra present */
	netif_extra_info_t extra[NETIF_EXTRA_TYPE_MAX];
	uint16_t first_flags;
	uint32_t total;                 /* packet length */
	enum netif_err err;
};

/*
 * Read one packet starting at ring index `cons`, of which `avail` entries
 * are published. Returns the ring entries the packet uses (> 0; pkt->err
 * says whether it is valid), or 0 when the packet is not complete yet.
 * On a non-fatal error every data slot's id is still in pkt->req[] so that
 * each gets its error response; extras get NETIF_RSP_NULL.
 */
unsigned int netif_back_tx_read(netif_tx_back_ring_t *r, RING_IDX cons,
				unsigned int avail, struct netif_tx_pkt *pkt);

/*
 * Whether a TX request (copied out of the ring) is a whole valid packet on
 * its own: one slot, no extra info, known flags, at least an Ethernet
 * header, inside its page. For such a request netif_back_tx_read() gives a
 * one-slot NETIF_OK packet of req->size bytes, so a back end may take it
 * without the full reader (the fuzz target fuzz_tx_back checks that).
 */
static inline bool
netif_tx_req_simple(const netif_tx_request_t *req)
{
	return (req->flags & ~(NETTXF_csum_blank | NETTXF_data_validated)) == 0 &&
	       req->size >= NETIF_MIN_FRAME &&
	       (uint32_t)req->offset + req->size <= NETIF_PAGE_SIZE;
}

/* One packet a back end delivered, as a front end reads it from the RX ring. */
struct netif_rx_pkt {
	netif_rx_response_t rsp[NETIF_MAX_SLOTS]; /* data slots */
	RING_IDX idx[NETIF_MAX_SLOTS];  /* ring index of each data slot */
	unsigned int nr_slots;
	unsigned int nr_ring;           /* ring entries used, extras included */
	uint32_t extra_mask;
	netif_extra_info_t extra[NETIF_EXTRA_TYPE_MAX];
	uint32_t total;
	enum netif_err err;
};

/*
 * Read one packet of responses starting at `cons`. The front end posts RX
 * request i with id (i & (ring size - 1)), and the protocol puts each
 * response in the slot of its request: a response with another id is a
 * protocol error; a packet shorter than an Ethernet header or longer than
 * 65535 bytes is dropped (NETIF_E_LEN). Returns as netif_back_tx_read(). Every ring entry of the
 * packet holds a buffer the caller gets back, whatever pkt->err says.
 */
unsigned int netif_front_rx_read(netif_rx_front_ring_t *r, RING_IDX cons,
				 unsigned int avail, struct netif_rx_pkt *pkt);

/*
 * Copy RX response `idx` out of the ring in one 8-byte load. RING_COPY_RESPONSE
 * reads each field once but may split the entry into several loads: a backend
 * rewriting a published response would then be seen as a mix of two versions
 * (one's offset, another's length), a response it never wrote.
 */
static inline void
netif_rx_rsp_copy(const netif_rx_front_ring_t *r, RING_IDX idx, netif_rx_response_t *rsp)
{
	_Static_assert(sizeof(*rsp) == sizeof(uint64_t), "RX response is 8 bytes");
	uint64_t w = __atomic_load_n((const uint64_t *)(const void *)RING_GET_RESPONSE(r, idx),
				     __ATOMIC_RELAXED);

	memcpy(rsp, &w, sizeof(*rsp));
}

/*
 * netif_front_rx_read() with the common case inline: one response, no
 * chain, no extra info. Anything else (or anything wrong) takes the full
 * reader, which copies the entry out afresh and checks all of it.
 */
static inline unsigned int
netif_front_rx_read_fast(netif_rx_front_ring_t *r, RING_IDX cons,
			 unsigned int avail, struct netif_rx_pkt *pkt)
{
	const unsigned int mask = RING_SIZE(r) - 1;
	netif_rx_response_t rsp;

	if (avail == 0)
		return 0;
	netif_rx_rsp_copy(r, cons, &rsp);
	if (__builtin_expect((rsp.flags & ~(NETRXF_data_validated |
					    NETRXF_csum_blank)) == 0 &&
			     rsp.id == (cons & mask) &&
			     rsp.status >= NETIF_MIN_FRAME &&
			     (uint32_t)rsp.offset + (uint32_t)rsp.status <=
				     NETIF_PAGE_SIZE &&
			     rsp.offset < NETIF_PAGE_SIZE, 1)) {
		pkt->rsp[0] = rsp;
		pkt->idx[0] = cons;
		pkt->nr_slots = 1;
		pkt->nr_ring = 1;
		pkt->extra_mask = 0;
		pkt->total = (uint32_t)rsp.status;
		pkt->err = NETIF_OK;
		return 1;
	}
	return netif_front_rx_read(r, cons, avail, pkt);
}

/*
 * Check one TX response copied out of the ring. Extra-info slots are
 * answered with NETIF_RSP_NULL and carry the id of no request.
 */
static inline enum netif_err
netif_tx_rsp_check(const netif_tx_response_t *rsp, unsigned int ring_size)
{
	switch (rsp->status) {
	case NETIF_RSP_NULL:
		return NETIF_OK;
	case NETIF_RSP_OKAY:
	case NETIF_RSP_ERROR:
	case NETIF_RSP_DROPPED:
		break;
	default:
		return NETIF_E_STATUS;
	}
	return rsp->id >= ring_size ? NETIF_E_ID : NETIF_OK;
}

#endif
