/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression tests for what the libFuzzer targets (test/fuzz/) found in
 * lib/netif, one function per finding.
 */
#include <stdlib.h>

#include "check.h"
#include "netif_msg.h"

static netif_tx_sring_t *txs;
static netif_tx_back_ring_t txb;

static void
tx_put(RING_IDX i, uint16_t off, uint16_t flags, uint16_t id, uint16_t size)
{
	netif_tx_request_t *r = RING_GET_REQUEST(&txb, i);

	r->gref = 100 + i;
	r->offset = off;
	r->flags = flags;
	r->id = id;
	r->size = size;
}

/*
 * fuzz_tx_back: a guest-TX packet whose later slot carried a flag bit the
 * protocol does not define was reported valid; only the first slot's flags
 * were checked. Now any slot's unknown bits drop the packet (non-fatal).
 */
static void
test_tx_unknown_flag_later_slot(void)
{
	struct netif_tx_pkt p;

	tx_put(0, 0, NETTXF_more_data, 1, 100);
	tx_put(1, 0, 0x40, 2, 40);
	CHECK_EQ(netif_back_tx_read(&txb, 0, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_FLAGS);
	CHECK(!netif_err_fatal(p.err));
	CHECK_EQ(p.nr_slots, 2);
	CHECK_EQ(p.req[1].id, 2);

	/* In a middle slot, next to more_data. */
	tx_put(10, 0, NETTXF_more_data, 1, 300);
	tx_put(11, 0, NETTXF_more_data | 0x8000, 2, 100);
	tx_put(12, 0, 0, 3, 100);
	CHECK_EQ(netif_back_tx_read(&txb, 10, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_E_FLAGS);
	CHECK_EQ(p.nr_slots, 3);

	/* Known flags in later slots are still fine. */
	tx_put(20, 0, NETTXF_more_data | NETTXF_csum_blank, 1, 300);
	tx_put(21, 0, NETTXF_more_data | NETTXF_data_validated, 2, 100);
	tx_put(22, 0, 0, 3, 100);
	CHECK_EQ(netif_back_tx_read(&txb, 20, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.len[0], 100);
}

int
main(void)
{
	txs = aligned_alloc(NETIF_PAGE_SIZE, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(txs);
	BACK_RING_INIT(&txb, txs, NETIF_PAGE_SIZE);

	test_tx_unknown_flag_later_slot();
	free(txs);
	return check_report("fuzz_found");
}
