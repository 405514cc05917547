/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Slot accounting: how many netif slots a packet needs.
 *
 * A slot describes bytes inside one granted 4 KiB frame, so a buffer that
 * crosses a frame boundary takes one slot per frame it touches. A packet may
 * use at most NETIF_MAX_SLOTS (XEN_NETIF_NR_SLOTS_MIN, 18) data slots: every
 * backend accepts that many, Linux netback treats more as a fatal error.
 * A packet that needs more as it lies is linearized: copied into whole
 * staging pages, ceil(len / 4096) slots, which is at most 16 for the largest
 * packet the 16-bit size field allows.
 */
#ifndef NETIF_SLOTS_H
#define NETIF_SLOTS_H

#include <stdint.h>

#include "netif_proto.h"

/* One segment of a packet: data at a (virtual or guest-physical) address. */
struct netif_seg {
	uintptr_t addr;
	uint32_t len;
};

/* Slots for one buffer; an empty buffer needs none. */
static inline unsigned int
netif_buf_slots(uintptr_t addr, uint32_t len)
{
	if (len == 0)
		return 0;
	return (unsigned int)(((addr & NETIF_PAGE_MASK) + (uint64_t)len +
			       NETIF_PAGE_MASK) >> NETIF_PAGE_SHIFT);
}

/* Slots for `len` bytes copied to the start of whole pages. */
static inline unsigned int
netif_linear_slots(uint32_t len)
{
	return len == 0 ? 1 : (len + NETIF_PAGE_MASK) >> NETIF_PAGE_SHIFT;
}

unsigned int netif_segs_slots(const struct netif_seg *segs, unsigned int n,
			      uint32_t *total);

enum netif_tx_plan {
	NETIF_TX_DIRECT,    /* send the segments as they are */
	NETIF_TX_LINEARIZE, /* copy into staging pages first */
	NETIF_TX_DROP,      /* no way to send it: empty or too long */
};

/*
 * Decide how to send a packet that needs `slots` slots as it lies and is
 * `total` bytes long, when at most `max_slots` (<= NETIF_MAX_SLOTS) may be
 * used.
 */
static inline enum netif_tx_plan
netif_tx_plan(unsigned int slots, uint32_t total, unsigned int max_slots)
{
	if (total == 0 || total > XEN_NETIF_MAX_TX_SIZE)
		return NETIF_TX_DROP;
	if (slots <= max_slots)
		return NETIF_TX_DIRECT;
	if (netif_linear_slots(total) <= max_slots)
		return NETIF_TX_LINEARIZE;
	return NETIF_TX_DROP;
}

#endif
