/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The staging table behind the control-ring server: ADD all or nothing,
 * capacity, duplicates, refs that do not map (nothing left mapped), DEL of
 * refs in use or never added, and lookups that survive many deletions.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "netback_gmap.h"

/* A fake grant table: refs >= 1000 do not map; counts live mappings. */
static int live;
static grant_ref_t busy_ref = 0xffffffffu;
static char pages[4096];

static void *
fake_map(void *ctx, grant_ref_t ref, bool ro)
{
	(void)ctx;
	(void)ro;
	if (ref >= 1000)
		return NULL;
	live++;
	return &pages[ref];
}

static void
fake_unmap(void *ctx, void *addr)
{
	(void)ctx;
	(void)addr;
	live--;
}

static bool
fake_in_use(void *ctx, grant_ref_t ref)
{
	(void)ctx;
	return ref == busy_ref;
}

static const struct netback_gmap_ops ops = {
	fake_map, fake_unmap, fake_in_use, NULL,
};

static void
fill(struct xen_netif_gref *l, unsigned int n, grant_ref_t first)
{
	for (unsigned int i = 0; i < n; i++)
		l[i] = (struct xen_netif_gref){ first + i, 0, 0xffff };
}

static int
all_status(const struct xen_netif_gref *l, unsigned int n, uint16_t st)
{
	for (unsigned int i = 0; i < n; i++)
		if (l[i].status != st)
			return 0;
	return 1;
}

int
main(void)
{
	struct xen_netif_gref l[NETIF_CTRL_GREF_MAX];
	struct netback_gmap g;
	struct netback_gmap_why why;
	unsigned int rm, refused;

	CHECK_EQ(netback_gmap_init(&g, 600), 0);
	CHECK_EQ(netback_gmap_free(&g), 600);
	CHECK(netback_gmap_find(&g, 1) == NULL);

	/* Happy path: 512 refs. */
	fill(l, 512, 0);
	CHECK_EQ(netback_gmap_add(&g, l, 512, &ops, &why), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CHECK(all_status(l, 512, XEN_NETIF_CTRL_STATUS_SUCCESS));
	CHECK_EQ(live, 512);
	CHECK_EQ(netback_gmap_free(&g), 88);
	CHECK(netback_gmap_find(&g, 0) != NULL);
	CHECK(netback_gmap_find(&g, 511) != NULL);
	CHECK(netback_gmap_find(&g, 511)->addr == &pages[511]);
	CHECK(netback_gmap_find(&g, 512) == NULL);

	/* Over capacity: nothing mapped. */
	fill(l, 100, 512);
	CHECK_EQ(netback_gmap_add(&g, l, 100, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	CHECK(all_status(l, 100, XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW));
	CHECK_EQ(live, 512);

	/* Duplicate within the list, and a ref already mapped. */
	fill(l, 10, 520);
	l[7].ref = 522;
	CHECK_EQ(netback_gmap_add(&g, l, 10, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(why.idx, 7);
	CHECK(all_status(l, 10, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER));
	fill(l, 10, 505);
	CHECK_EQ(netback_gmap_add(&g, l, 10, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(why.idx, 0);
	CHECK_EQ(live, 512);

	/* Unknown flags. */
	fill(l, 3, 700);
	l[2].flags = 0x8;
	CHECK_EQ(netback_gmap_add(&g, l, 3, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(why.idx, 2);

	/* A bad ref in the middle: what this message mapped is unmapped. */
	fill(l, 20, 990);
	CHECK_EQ(netback_gmap_add(&g, l, 20, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(why.idx, 10);
	CHECK_EQ(live, 512);
	CHECK_EQ(netback_gmap_free(&g), 88);
	CHECK(netback_gmap_find(&g, 990) == NULL);

	/* Read-only entries. */
	fill(l, 2, 800);
	l[1].flags = XEN_NETIF_CTRLF_GREF_readonly;
	CHECK_EQ(netback_gmap_add(&g, l, 2, &ops, &why), XEN_NETIF_CTRL_STATUS_SUCCESS);
	CHECK(!netback_gmap_find(&g, 800)->readonly);
	CHECK(netback_gmap_find(&g, 801)->readonly);

	/* DEL: one in use, one never added, the rest go. */
	busy_ref = 3;
	fill(l, 6, 0);
	l[5].ref = 900;
	CHECK_EQ(netback_gmap_del(&g, l, 6, &ops, &rm, &refused),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(rm, 4);
	CHECK_EQ(refused, 1);
	CHECK_EQ(l[0].status, XEN_NETIF_CTRL_STATUS_SUCCESS);
	CHECK_EQ(l[3].status, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(l[5].status, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK(netback_gmap_find(&g, 3) != NULL);
	CHECK(netback_gmap_find(&g, 0) == NULL);
	CHECK_EQ(live, 514 - 4);

	/* Deleting every other entry keeps every remaining one findable. */
	busy_ref = 0xffffffffu;
	for (grant_ref_t r = 6; r < 512; r += 2) {
		l[0] = (struct xen_netif_gref){ r, 0, 0 };
		CHECK_EQ(netback_gmap_del(&g, l, 1, &ops, &rm, &refused),
			 XEN_NETIF_CTRL_STATUS_SUCCESS);
	}
	{
		int missing = 0, stale = 0;

		for (grant_ref_t r = 4; r < 512; r++) {
			const struct netback_gmap_ent *e = netback_gmap_find(&g, r);

			if (r % 2 == 1)
				missing += e == NULL || e->addr != &pages[r];
			else
				stale += e != NULL;
		}
		CHECK_EQ(missing, 0);
		CHECK_EQ(stale, 0);
	}
	/* DEL of a ref twice in one list: the second is not mapped any more. */
	l[0] = (struct xen_netif_gref){ 5, 0, 0 };
	l[1] = (struct xen_netif_gref){ 5, 0, 0 };
	CHECK_EQ(netback_gmap_del(&g, l, 2, &ops, &rm, &refused),
		 XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(rm, 1);

	/* Disconnect: everything unmapped. */
	netback_gmap_fini(&g, &ops);
	CHECK_EQ(live, 0);

	/* A table of size 0 refuses everything. */
	CHECK_EQ(netback_gmap_init(&g, 0), 0);
	fill(l, 1, 1);
	CHECK_EQ(netback_gmap_add(&g, l, 1, &ops, &why),
		 XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	netback_gmap_fini(&g, &ops);
	CHECK_EQ(live, 0);
	return check_report("netback_gmap");
}
