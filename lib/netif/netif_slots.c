/* SPDX-License-Identifier: BSD-3-Clause */
#include "netif_slots.h"

unsigned int
netif_segs_slots(const struct netif_seg *segs, unsigned int n, uint32_t *total)
{
	unsigned int slots = 0;
	uint64_t len = 0;

	for (unsigned int i = 0; i < n; i++) {
		slots += netif_buf_slots(segs[i].addr, segs[i].len);
		len += segs[i].len;
	}
	*total = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	return slots;
}
