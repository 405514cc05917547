/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet readers against every kind of bad ring entry. */
#include <stdlib.h>

#include "check.h"
#include "netif_msg.h"

static netif_tx_sring_t *txs;
static netif_tx_back_ring_t txb;
static netif_rx_sring_t *rxs;
static netif_rx_front_ring_t rxf;

static void
setup(void)
{
	txs = aligned_alloc(NETIF_PAGE_SIZE, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(txs);
	BACK_RING_INIT(&txb, txs, NETIF_PAGE_SIZE);
	rxs = aligned_alloc(NETIF_PAGE_SIZE, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&rxf, rxs, NETIF_PAGE_SIZE);
}

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

static void
tx_put_extra(RING_IDX i, uint8_t type, uint8_t flags)
{
	netif_extra_info_t *x = (netif_extra_info_t *)RING_GET_REQUEST(&txb, i);

	memset(x, 0, sizeof(*x));
	x->type = type;
	x->flags = flags;
}

static void
test_tx_good(void)
{
	struct netif_tx_pkt p;

	tx_put(0, 64, 0, 7, 60);
	CHECK_EQ(netif_back_tx_read(&txb, 0, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.nr_slots, 1);
	CHECK_EQ(p.len[0], 60);
	CHECK_EQ(p.req[0].id, 7);
	CHECK_EQ(p.total, 60);

	/* Three slots: the first's size is the whole packet. */
	tx_put(10, 0, NETTXF_more_data | NETTXF_csum_blank, 1, 5000);
	tx_put(11, 0, NETTXF_more_data, 2, 2000);
	tx_put(12, 100, 0, 3, 1000);
	CHECK_EQ(netif_back_tx_read(&txb, 10, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.nr_slots, 3);
	CHECK_EQ(p.len[0], 2000);
	CHECK_EQ(p.len[1], 2000);
	CHECK_EQ(p.len[2], 1000);
	CHECK_EQ(p.req[2].id, 3);

	/* With a GSO extra: 3 ring entries, 2 data slots. */
	tx_put(20, 0, NETTXF_extra_info | NETTXF_more_data, 1, 100);
	tx_put_extra(21, XEN_NETIF_EXTRA_TYPE_GSO, 0);
	tx_put(22, 0, 0, 2, 40);
	CHECK_EQ(netif_back_tx_read(&txb, 20, 5, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.nr_slots, 2);
	CHECK_EQ(p.nr_ring, 3);
	CHECK_EQ(p.extra_mask, 1u << XEN_NETIF_EXTRA_TYPE_GSO);
	CHECK_EQ(p.len[0], 60);

	/* Wraps around the end of the ring. */
	RING_IDX w = NETIF_TX_RING_SIZE - 1;
	tx_put(w, 0, NETTXF_more_data, 1, 100);
	tx_put(w + 1, 0, 0, 2, 50);
	CHECK_EQ(netif_back_tx_read(&txb, w, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.len[1], 50);
}

static void
test_tx_incomplete(void)
{
	struct netif_tx_pkt p;

	CHECK_EQ(netif_back_tx_read(&txb, 0, 0, &p), 0);
	tx_put(30, 0, NETTXF_more_data, 1, 100);
	tx_put(31, 0, NETTXF_more_data, 2, 10);
	CHECK_EQ(netif_back_tx_read(&txb, 30, 2, &p), 0);
	tx_put(40, 0, NETTXF_extra_info, 1, 100);
	tx_put_extra(41, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE);
	CHECK_EQ(netif_back_tx_read(&txb, 40, 2, &p), 0);
}

static void
test_tx_hostile(void)
{
	struct netif_tx_pkt p;

	/* 19 data slots: more than any packet may have. */
	for (RING_IDX i = 0; i < 19; i++)
		tx_put(50 + i, 0, i < 18 ? NETTXF_more_data : 0, (uint16_t)i, 100);
	CHECK_EQ(netif_back_tx_read(&txb, 50, 19, &p), 18);
	CHECK_EQ(p.err, NETIF_E_SLOTS);
	CHECK(netif_err_fatal(p.err));
	/* 18 is allowed. */
	tx_put(50, 0, NETTXF_more_data, 0, 1800);
	tx_put(67, 0, 0, 17, 100);
	CHECK_EQ(netif_back_tx_read(&txb, 50, 18, &p), 18);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.len[0], 100);

	/* A slot that crosses the page. */
	tx_put(80, 4000, 0, 1, 200);
	CHECK_EQ(netif_back_tx_read(&txb, 80, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	tx_put(80, 0, NETTXF_more_data, 1, 300);
	tx_put(81, 4095, 0, 2, 2);
	CHECK_EQ(netif_back_tx_read(&txb, 80, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	/* First slot's own share crossing the page. */
	tx_put(80, 4000, NETTXF_more_data, 1, 300);
	tx_put(81, 0, 0, 2, 100);
	CHECK_EQ(netif_back_tx_read(&txb, 80, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_OFFSET);

	/* Later slots larger than the packet. */
	tx_put(90, 0, NETTXF_more_data, 1, 100);
	tx_put(91, 0, 0, 2, 101);
	CHECK_EQ(netif_back_tx_read(&txb, 90, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_LEN);
	CHECK(!netif_err_fatal(p.err));
	CHECK_EQ(p.nr_slots, 2); /* both ids kept, to answer both */
	/* Shorter than an Ethernet header. */
	tx_put(90, 0, 0, 1, 13);
	CHECK_EQ(netif_back_tx_read(&txb, 90, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_LEN);
	/* Flags the protocol does not define. */
	tx_put(90, 0, 0x40, 1, 60);
	CHECK_EQ(netif_back_tx_read(&txb, 90, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_FLAGS);
	/* Extra of unknown type, of type NONE, with unknown flags. */
	const uint8_t bad_types[] = { 0, NETIF_EXTRA_TYPE_MAX, 200 };
	for (unsigned int i = 0; i < sizeof(bad_types); i++) {
		tx_put(100, 0, NETTXF_extra_info, 1, 60);
		tx_put_extra(101, bad_types[i], 0);
		CHECK_EQ(netif_back_tx_read(&txb, 100, 4, &p), 2);
		CHECK_EQ(p.err, NETIF_E_EXTRA);
	}
	tx_put(100, 0, NETTXF_extra_info, 1, 60);
	tx_put_extra(101, XEN_NETIF_EXTRA_TYPE_GSO, 0x80);
	CHECK_EQ(netif_back_tx_read(&txb, 100, 4, &p), 2);
	CHECK_EQ(p.err, NETIF_E_EXTRA);
	/* An endless chain of extras stops after one of each type. */
	tx_put(110, 0, NETTXF_extra_info, 1, 60);
	for (RING_IDX i = 111; i < 120; i++)
		tx_put_extra(i, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE);
	CHECK(netif_back_tx_read(&txb, 110, 10, &p) <= 1 + NETIF_EXTRA_TYPE_MAX);
	CHECK_EQ(p.err, NETIF_E_EXTRA);
}

static void
rx_post(RING_IDX i)
{
	netif_rx_request_t *r = RING_GET_REQUEST(&rxf, i);

	r->id = (uint16_t)(i & (NETIF_RX_RING_SIZE - 1));
}

static void
rx_put(RING_IDX i, int id_delta, uint16_t off, uint16_t flags, int16_t status)
{
	netif_rx_response_t *r = RING_GET_RESPONSE(&rxf, i);

	r->id = (uint16_t)((i + id_delta) & (NETIF_RX_RING_SIZE - 1));
	r->offset = off;
	r->flags = flags;
	r->status = status;
}

/* The inline fast path must agree with the full reader on every input. */
static unsigned int
rx_read_both(netif_rx_front_ring_t *r, RING_IDX cons, unsigned int avail,
	     struct netif_rx_pkt *p)
{
	struct netif_rx_pkt q;
	unsigned int slow = netif_front_rx_read(r, cons, avail, p);
	unsigned int fast = netif_front_rx_read_fast(r, cons, avail, &q);

	CHECK_EQ(fast, slow);
	if (fast == slow && slow > 0) {
		CHECK_EQ(q.err, p->err);
		CHECK_EQ(q.nr_slots, p->nr_slots);
		CHECK_EQ(q.nr_ring, p->nr_ring);
		if (p->err == NETIF_OK)
			CHECK_EQ(q.total, p->total);
	}
	return slow;
}

static void
test_rx(void)
{
	struct netif_rx_pkt p;

	for (RING_IDX i = 0; i < 40; i++)
		rx_post(i);
	rx_put(0, 0, 128, NETRXF_data_validated, 60);
	CHECK_EQ(rx_read_both(&rxf, 0, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.total, 60);
	CHECK_EQ(p.rsp[0].offset, 128);

	rx_put(1, 0, 0, NETRXF_more_data, 4096);
	rx_put(2, 0, 0, NETRXF_more_data, 4096);
	rx_put(3, 0, 0, 0, 100);
	CHECK_EQ(rx_read_both(&rxf, 1, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.total, 8292);
	CHECK_EQ(p.idx[2], 3);
	/* Not complete yet. */
	CHECK_EQ(rx_read_both(&rxf, 1, 2, &p), 0);

	/* Extra info after the first response. */
	rx_put(4, 0, 0, NETRXF_extra_info | NETRXF_more_data, 1000);
	netif_extra_info_t *x = (netif_extra_info_t *)RING_GET_RESPONSE(&rxf, 5);
	memset(x, 0, sizeof(*x));
	x->type = XEN_NETIF_EXTRA_TYPE_HASH;
	rx_put(6, 0, 0, 0, 24);
	CHECK_EQ(rx_read_both(&rxf, 4, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.nr_slots, 2);
	CHECK_EQ(p.total, 1024);
	CHECK_EQ(p.extra_mask, 1u << XEN_NETIF_EXTRA_TYPE_HASH);
	/* Linux netback's XDP extra (the headroom), once xdp-headroom is on. */
	x->type = NETIF_EXTRA_TYPE_XDP;
	CHECK_EQ(rx_read_both(&rxf, 4, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.extra_mask, 1u << NETIF_EXTRA_TYPE_XDP);
	/* Linux netback's reading of it: offset 0, headroom counted in status. */
	rx_put(4, 0, 0, NETRXF_extra_info, 128 + 60);
	x->u.pad[0] = 128;
	CHECK_EQ(rx_read_both(&rxf, 4, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_OK);
	CHECK_EQ(p.rsp[0].offset, 128);
	CHECK_EQ(p.rsp[0].status, 60);
	CHECK_EQ(p.total, 60);
	/* A response that already says where the data is stays as it is. */
	rx_put(4, 0, 128, NETRXF_extra_info, 60);
	CHECK_EQ(rx_read_both(&rxf, 4, 2, &p), 2);
	CHECK_EQ(p.rsp[0].offset, 128);
	CHECK_EQ(p.total, 60);
	/* A headroom larger than the slot's data. */
	rx_put(4, 0, 0, NETRXF_extra_info, 100);
	x->u.pad[0] = 101;
	CHECK_EQ(rx_read_both(&rxf, 4, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_LEN);
	/* Found by fuzz_front_rsp: too short once folded. The drop must leave
	 * the response as the ring had it (it was half folded). */
	rx_put(4, 0, 0, NETRXF_extra_info, 20);
	x->u.pad[0] = 10;
	CHECK_EQ(rx_read_both(&rxf, 4, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_LEN);
	CHECK_EQ(p.rsp[0].offset, 0);
	CHECK_EQ(p.rsp[0].status, 20);
	rx_put(4, 0, 0, NETRXF_extra_info | NETRXF_more_data, 1000);
	x->u.pad[0] = 0;
	x->type = 77;
	CHECK_EQ(rx_read_both(&rxf, 4, 3, &p), 2);
	CHECK_EQ(p.err, NETIF_E_EXTRA);

	/* Shorter than an Ethernet header, alone or as a whole chain. */
	rx_put(10, 0, 0, 0, 13);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_LEN);
	CHECK(!netif_err_fatal(p.err));
	rx_put(10, 0, 0, NETRXF_more_data, 0);
	rx_put(11, 0, 0, 0, 0);
	CHECK_EQ(rx_read_both(&rxf, 10, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_E_LEN);
	rx_put(10, 0, 0, NETRXF_more_data, 10);
	rx_put(11, 0, 0, 0, 4);
	CHECK_EQ(rx_read_both(&rxf, 10, 2, &p), 2);
	CHECK_EQ(p.err, NETIF_OK);

	/* Response in the wrong slot (id of another request). */
	rx_put(10, 1, 0, 0, 60);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_ID);
	/* Errors the peer reports, and statuses nobody defined. */
	rx_put(10, 0, 0, 0, NETIF_RSP_ERROR);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_PEER);
	rx_put(10, 0, 0, 0, -7);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_STATUS);
	/* Past the page: offset + length, offset alone, length alone. */
	rx_put(10, 0, 4000, 0, 97);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	rx_put(10, 0, 4096, 0, 0);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	rx_put(10, 0, 0, 0, 4097);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	rx_put(10, 0, 0, 0, 0x7fff);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_OFFSET);
	/* Unknown flags. */
	rx_put(10, 0, 0, 0x100, 60);
	CHECK_EQ(rx_read_both(&rxf, 10, 1, &p), 1);
	CHECK_EQ(p.err, NETIF_E_FLAGS);
	/* A bad slot in the middle of a chain spoils the packet, and the
	 * chain is still consumed whole. */
	rx_put(11, 0, 0, NETRXF_more_data, 100);
	rx_put(12, 0, 4000, NETRXF_more_data, 200);
	rx_put(13, 0, 0, 0, 100);
	CHECK_EQ(rx_read_both(&rxf, 11, 3, &p), 3);
	CHECK_EQ(p.err, NETIF_E_OFFSET);

	/* 19 slots: too many. 17 full pages: longer than a packet may be. */
	for (RING_IDX i = 20; i < 39; i++)
		rx_put(i, 0, 0, NETRXF_more_data, 4096);
	CHECK_EQ(rx_read_both(&rxf, 20, 19, &p), 18);
	CHECK_EQ(p.err, NETIF_E_SLOTS);
	rx_put(36, 0, 0, 0, 4096);
	CHECK_EQ(rx_read_both(&rxf, 20, 19, &p), 17);
	CHECK_EQ(p.err, NETIF_E_LEN);
}

static void
test_tx_rsp(void)
{
	netif_tx_response_t r = { .id = 3, .status = NETIF_RSP_OKAY };

	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_OK);
	r.status = NETIF_RSP_DROPPED;
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_OK);
	r.status = 2;
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_E_STATUS);
	r.status = -3;
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_E_STATUS);
	r.status = NETIF_RSP_ERROR;
	r.id = 256;
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_E_ID);
	r.id = 0xffff;
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_E_ID);
	r.status = NETIF_RSP_NULL; /* extra-info slot: no id */
	CHECK_EQ(netif_tx_rsp_check(&r, 256), NETIF_OK);
	CHECK(netif_strerr(NETIF_E_ID)[0] != '?');
	CHECK(netif_strerr((enum netif_err)99)[0] == '?');
}

int
main(void)
{
	setup();
	test_tx_good();
	test_tx_incomplete();
	test_tx_hostile();
	test_rx();
	test_tx_rsp();
	free(txs);
	free(rxs);
	return check_report("msg");
}
