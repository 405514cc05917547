/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The staging table of one queue: grant refs a frontend registered with
 * ADD_GREF_MAPPING, mapped persistently, found by ref in O(1) on the data
 * path. Plain C (no DPDK) so that the unit tests drive it with fake
 * map/unmap functions.
 *
 * Concurrency is the caller's: the table is changed only with the queue's
 * lock held for writing, the data path looks up with it held for reading.
 */
#ifndef NETBACK_GMAP_H
#define NETBACK_GMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "netif_ctrl.h"

struct netback_gmap_ent {
	grant_ref_t ref;
	bool used;
	bool readonly;
	void *addr;
};

struct netback_gmap {
	unsigned int cap;    /* entries allowed: the gref_map_size devarg */
	unsigned int count;  /* entries mapped */
	unsigned int bits;   /* log2 of the hash table size */
	struct netback_gmap_ent *tab;
};

/* How entries get mapped; in_use may be NULL (nothing is ever in use). */
struct netback_gmap_ops {
	void *(*map)(void *ctx, grant_ref_t ref, bool readonly);
	void (*unmap)(void *ctx, void *addr);
	bool (*in_use)(void *ctx, grant_ref_t ref);
	void *ctx;
};

/* Why a message failed, for the log line of the caller. */
struct netback_gmap_why {
	int idx;             /* list entry at fault, or -1 */
	const char *what;
};

int netback_gmap_init(struct netback_gmap *g, unsigned int cap);
/* Unmap every entry (disconnect), keep the table. Returns entries unmapped. */
unsigned int netback_gmap_clear(struct netback_gmap *g,
				const struct netback_gmap_ops *ops);
/* Clear and free the table. */
void netback_gmap_fini(struct netback_gmap *g, const struct netback_gmap_ops *ops);

static inline unsigned int
netback_gmap_free(const struct netback_gmap *g)
{
	return g->cap - g->count;
}

static inline unsigned int
netback_gmap_slot(const struct netback_gmap *g, grant_ref_t ref)
{
	return (uint32_t)(ref * 2654435761u) >> (32 - g->bits);
}

/* The entry of `ref`, or NULL. */
static inline const struct netback_gmap_ent *
netback_gmap_find(const struct netback_gmap *g, grant_ref_t ref)
{
	unsigned int mask = (1u << g->bits) - 1;
	unsigned int i;

	if (g->count == 0)
		return NULL;
	for (i = netback_gmap_slot(g, ref);; i = (i + 1) & mask) {
		const struct netback_gmap_ent *e = &g->tab[i];

		if (!e->used)
			return NULL;
		if (e->ref == ref)
			return e;
	}
}

/*
 * ADD_GREF_MAPPING of n entries (a private copy of the list, n <= 512):
 * all or nothing. Sets every entry's status and returns the message
 * status: SUCCESS with all mapped, BUFFER_OVERFLOW when the table has not
 * room for all, INVALID_PARAMETER for a duplicate, an already mapped ref,
 * unknown flags or a ref that does not map — with nothing of this message
 * left mapped.
 */
uint32_t netback_gmap_add(struct netback_gmap *g, struct xen_netif_gref *list,
			  unsigned int n, const struct netback_gmap_ops *ops,
			  struct netback_gmap_why *why);

/*
 * DEL_GREF_MAPPING: each entry is unmapped (status SUCCESS), or left alone
 * with status INVALID_PARAMETER when it is not mapped or still in use.
 * Returns SUCCESS when all were removed, else INVALID_PARAMETER; *removed
 * counts the entries unmapped.
 */
uint32_t netback_gmap_del(struct netback_gmap *g, struct xen_netif_gref *list,
			  unsigned int n, const struct netback_gmap_ops *ops,
			  unsigned int *removed, unsigned int *refused);

#endif
