/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Granted memory: pages shared with the backend once, at setup.
 *
 * Only pages from xengntshr_share_pages can be granted (hugepage memory
 * cannot), so mbuf pools here are pinned-external-buffer pools: the mbuf
 * headers live in ordinary DPDK memory, each data buffer is one whole
 * granted page, and the backend, which may write any page granted to it,
 * never sees an mbuf header. Buffer i of a pool is page i of its shared
 * region, so an mbuf's grant reference is found by index.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "netfront.h"
#include "netfront_logs.h"

int
netfront_pages_share(struct netfront_adapter *nf, struct netfront_pages *p,
		     unsigned int count, const char *what)
{
	p->refs = rte_zmalloc("netfront_refs", count * sizeof(*p->refs), 0);
	p->registered = rte_zmalloc("netfront_reg", count, 0);
	if (p->refs == NULL || p->registered == NULL) {
		rte_free(p->refs);
		rte_free(p->registered);
		return -ENOMEM;
	}
	p->base = xengntshr_share_pages(nf->gs, nf->backend_id, (int)count,
					p->refs, 1);
	if (p->base == NULL) {
		int err = errno;

		PMD_DRV_LOG(ERR, "%s: cannot grant %u pages for %s to domain %u: %s. "
			    "A Linux guest limits grants with gntalloc's 'limit' "
			    "(1024 by default; raise it in "
			    "/sys/module/xen_gntalloc/parameters/limit) and Xen to "
			    "32768 per domain unless booted with a larger "
			    "gnttab_max_frames; or lower devarg rx_pool",
			    nf->dev->data->name, count, what, nf->backend_id,
			    strerror(err));
		rte_free(p->refs);
		rte_free(p->registered);
		p->refs = NULL;
		p->registered = NULL;
		return -ENOSPC;
	}
	p->count = count;
	return 0;
}

void
netfront_pages_unshare(struct netfront_adapter *nf, struct netfront_pages *p)
{
	if (p->base != NULL &&
	    xengntshr_unshare(nf->gs, p->base, p->count) != 0)
		PMD_DRV_LOG(WARNING, "%s: unshare of %u pages failed: %s",
			    nf->dev->data->name, p->count, strerror(errno));
	rte_free(p->refs);
	rte_free(p->registered);
	memset(p, 0, sizeof(*p));
}

int
netfront_pool_create(struct netfront_adapter *nf, struct netfront_pool *pool,
		     const char *name, unsigned int n, int socket)
{
	struct rte_pktmbuf_extmem ext;
	int rc;

	rc = netfront_pages_share(nf, &pool->pages, n, name);
	if (rc != 0)
		return rc;
	ext = (struct rte_pktmbuf_extmem){
		.buf_ptr = pool->pages.base,
		.buf_iova = rte_eal_iova_mode() == RTE_IOVA_VA ?
				    (rte_iova_t)(uintptr_t)pool->pages.base :
				    RTE_BAD_IOVA,
		.buf_len = (size_t)n * NETIF_PAGE_SIZE,
		.elt_size = NETIF_PAGE_SIZE,
	};
	pool->mp = rte_pktmbuf_pool_create_extbuf(name, n, 0, 0, NETIF_PAGE_SIZE,
						  socket, &ext, 1);
	if (pool->mp == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot create mbuf pool %s of %u: %s",
			    nf->dev->data->name, name, n, rte_strerror(rte_errno));
		netfront_pages_unshare(nf, &pool->pages);
		return -ENOMEM;
	}
	return 0;
}

void
netfront_pool_free(struct netfront_adapter *nf, struct netfront_pool *pool)
{
	if (pool->mp != NULL) {
		unsigned int avail = rte_mempool_avail_count(pool->mp);

		if (avail != pool->mp->size)
			PMD_DRV_LOG(WARNING, "%s: pool %s freed with %u of %u mbufs "
				    "still out", nf->dev->data->name, pool->mp->name,
				    pool->mp->size - avail, pool->mp->size);
		rte_mempool_free(pool->mp);
		pool->mp = NULL;
	}
	netfront_pages_unshare(nf, &pool->pages);
}

bool
netfront_mbuf_gref(const struct netfront_pool *pool, const struct rte_mbuf *m,
		   grant_ref_t *ref)
{
	uintptr_t off = (uintptr_t)m->buf_addr - (uintptr_t)pool->pages.base;

	if (m->pool != pool->mp || (off & NETIF_PAGE_MASK) ||
	    (off >> NETIF_PAGE_SHIFT) >= pool->pages.count)
		return false;
	*ref = pool->pages.refs[off >> NETIF_PAGE_SHIFT];
	return true;
}
