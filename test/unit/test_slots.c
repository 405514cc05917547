/* SPDX-License-Identifier: BSD-3-Clause */
/* Slot accounting for chained buffers, no slot crossing a 4 KiB page. */
#include "check.h"
#include "netif_msg.h"
#include "netif_slots.h"

static void
test_buf(void)
{
	CHECK_EQ(netif_buf_slots(0, 0), 0);
	CHECK_EQ(netif_buf_slots(0x1000, 1), 1);
	CHECK_EQ(netif_buf_slots(0x1000, 4096), 1);
	CHECK_EQ(netif_buf_slots(0x1001, 4096), 2);
	CHECK_EQ(netif_buf_slots(0x1fff, 2), 2);
	CHECK_EQ(netif_buf_slots(0x1fff, 1), 1);
	CHECK_EQ(netif_buf_slots(0x1fa0, 8192), 3);
	CHECK_EQ(netif_buf_slots(0x2080, 65535), 17);
	/* Huge lengths do not overflow. */
	CHECK_EQ(netif_buf_slots(UINTPTR_MAX, UINT32_MAX), 1048577);
	CHECK_EQ(netif_linear_slots(0), 1);
	CHECK_EQ(netif_linear_slots(1), 1);
	CHECK_EQ(netif_linear_slots(4096), 1);
	CHECK_EQ(netif_linear_slots(4097), 2);
	CHECK_EQ(netif_linear_slots(65535), 16);
}

static void
test_chain(void)
{
	/* A DPDK-like chain: headroom-offset buffers in separate pages. */
	const struct netif_seg chain[] = {
		{ 0x10080, 1918 }, /* fits its page */
		{ 0x20080, 4000 }, /* crosses into the next page */
		{ 0x30000, 0 },    /* empty segment: no slot */
		{ 0x40ff0, 32 },   /* crosses */
	};
	uint32_t total;

	CHECK_EQ(netif_segs_slots(chain, 4, &total), 5);
	CHECK_EQ(total, 5950);
	CHECK_EQ(netif_segs_slots(chain, 0, &total), 0);
	CHECK_EQ(total, 0);
}

static void
test_plan(void)
{
	const unsigned int max = NETIF_MAX_SLOTS;

	CHECK_EQ(netif_tx_plan(1, 64, max), NETIF_TX_DIRECT);
	CHECK_EQ(netif_tx_plan(18, 9000, max), NETIF_TX_DIRECT);
	/* 40 small segments: too many slots as they lie, one page copied. */
	CHECK_EQ(netif_tx_plan(40, 40 * 64, max), NETIF_TX_LINEARIZE);
	/* The largest packet, fragmented: 16 pages when copied. */
	CHECK_EQ(netif_tx_plan(19, 65535, max), NETIF_TX_LINEARIZE);
	CHECK_EQ(netif_tx_plan(19, 65536, max), NETIF_TX_DROP);
	CHECK_EQ(netif_tx_plan(1, 0, max), NETIF_TX_DROP);
	/* A back end that takes fewer slots. */
	CHECK_EQ(netif_tx_plan(5, 9000, 4), NETIF_TX_LINEARIZE);
	CHECK_EQ(netif_tx_plan(5, 20000, 4), NETIF_TX_DROP);
}

int
main(void)
{
	test_buf();
	test_chain();
	test_plan();
	return check_report("slots");
}
