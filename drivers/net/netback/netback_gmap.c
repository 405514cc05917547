/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include "netback_gmap.h"

int
netback_gmap_init(struct netback_gmap *g, unsigned int cap)
{
	unsigned int bits = 4;

	/* At most half full: short probe sequences. */
	while ((1u << bits) < 2 * cap)
		bits++;
	g->tab = calloc(1u << bits, sizeof(*g->tab));
	if (g->tab == NULL)
		return -ENOMEM;
	g->cap = cap;
	g->count = 0;
	g->bits = bits;
	return 0;
}

static void
gmap_insert(struct netback_gmap *g, grant_ref_t ref, void *addr, bool ro)
{
	unsigned int mask = (1u << g->bits) - 1;
	unsigned int i = netback_gmap_slot(g, ref);

	while (g->tab[i].used)
		i = (i + 1) & mask;
	g->tab[i] = (struct netback_gmap_ent){
		.ref = ref, .used = true, .readonly = ro, .addr = addr,
	};
	g->count++;
}

/* Remove the entry at slot i, shifting later entries of its run back. */
static void
gmap_remove_at(struct netback_gmap *g, unsigned int i)
{
	unsigned int mask = (1u << g->bits) - 1;
	unsigned int j = i;

	g->tab[i].used = false;
	for (;;) {
		unsigned int home;

		j = (j + 1) & mask;
		if (!g->tab[j].used)
			break;
		home = netback_gmap_slot(g, g->tab[j].ref);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			g->tab[i] = g->tab[j];
			g->tab[j].used = false;
			i = j;
		}
	}
	g->count--;
}

unsigned int
netback_gmap_clear(struct netback_gmap *g, const struct netback_gmap_ops *ops)
{
	unsigned int n = 0;

	if (g->tab == NULL)
		return 0;
	for (unsigned int i = 0; i < (1u << g->bits); i++) {
		if (!g->tab[i].used)
			continue;
		ops->unmap(ops->ctx, g->tab[i].addr);
		g->tab[i].used = false;
		n++;
	}
	g->count = 0;
	return n;
}

void
netback_gmap_fini(struct netback_gmap *g, const struct netback_gmap_ops *ops)
{
	netback_gmap_clear(g, ops);
	free(g->tab);
	g->tab = NULL;
	g->cap = 0;
}

static uint32_t
gmap_fail_all(struct xen_netif_gref *list, unsigned int n, uint32_t st)
{
	for (unsigned int i = 0; i < n; i++)
		list[i].status = (uint16_t)st;
	return st;
}

static uint32_t
gmap_reject(struct xen_netif_gref *list, unsigned int n, uint32_t st,
	    struct netback_gmap_why *why, int idx, const char *what)
{
	why->idx = idx;
	why->what = what;
	return gmap_fail_all(list, n, st);
}

uint32_t
netback_gmap_add(struct netback_gmap *g, struct xen_netif_gref *list,
		 unsigned int n, const struct netback_gmap_ops *ops,
		 struct netback_gmap_why *why)
{
	void *addr[NETIF_CTRL_GREF_MAX];
	unsigned int i;
	int dup;

	if (n == 0 || n > NETIF_CTRL_GREF_MAX)
		return gmap_reject(list, 0, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
				   why, -1, "bad list size");
	if (n > netback_gmap_free(g))
		return gmap_reject(list, n, XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW,
				   why, -1, "more entries than the table has free");
	dup = netif_ctrl_gref_find_dup(list, n);
	if (dup >= 0)
		return gmap_reject(list, n, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
				   why, dup, "ref listed twice");
	for (i = 0; i < n; i++) {
		if (list[i].flags & ~XEN_NETIF_CTRLF_GREF_readonly)
			return gmap_reject(list, n,
					   XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
					   why, (int)i, "unknown flags");
		if (netback_gmap_find(g, list[i].ref) != NULL)
			return gmap_reject(list, n,
					   XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
					   why, (int)i, "ref already mapped");
	}
	for (i = 0; i < n; i++) {
		addr[i] = ops->map(ops->ctx, list[i].ref,
				   list[i].flags & XEN_NETIF_CTRLF_GREF_readonly);
		if (addr[i] == NULL)
			break;
	}
	if (i < n) {
		for (unsigned int j = 0; j < i; j++)
			ops->unmap(ops->ctx, addr[j]);
		return gmap_reject(list, n, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
				   why, (int)i, "ref does not map");
	}
	for (i = 0; i < n; i++)
		gmap_insert(g, list[i].ref, addr[i],
			    list[i].flags & XEN_NETIF_CTRLF_GREF_readonly);
	why->idx = -1;
	why->what = NULL;
	return gmap_fail_all(list, n, XEN_NETIF_CTRL_STATUS_SUCCESS);
}

static int
gmap_index(const struct netback_gmap *g, grant_ref_t ref)
{
	const struct netback_gmap_ent *e = netback_gmap_find(g, ref);

	return e == NULL ? -1 : (int)(e - g->tab);
}

uint32_t
netback_gmap_del(struct netback_gmap *g, struct xen_netif_gref *list,
		 unsigned int n, const struct netback_gmap_ops *ops,
		 unsigned int *removed, unsigned int *refused)
{
	*removed = 0;
	*refused = 0;
	for (unsigned int i = 0; i < n; i++) {
		int at = gmap_index(g, list[i].ref);

		if (at < 0) {
			list[i].status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			continue;
		}
		if (ops->in_use != NULL && ops->in_use(ops->ctx, list[i].ref)) {
			list[i].status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
			(*refused)++;
			continue;
		}
		ops->unmap(ops->ctx, g->tab[at].addr);
		gmap_remove_at(g, (unsigned int)at);
		list[i].status = XEN_NETIF_CTRL_STATUS_SUCCESS;
		(*removed)++;
	}
	return *removed == n ? XEN_NETIF_CTRL_STATUS_SUCCESS :
			       XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
}
