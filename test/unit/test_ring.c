/* SPDX-License-Identifier: BSD-3-Clause */
/* Ring index handling against a peer that writes any index it likes. */
#include <stdlib.h>

#include "check.h"
#include "netif_ring.h"

struct tx_rings {
	netif_tx_sring_t *s;
	netif_tx_front_ring_t f;
	netif_tx_back_ring_t b;
};

static void
rings_init(struct tx_rings *r, RING_IDX start)
{
	r->s = aligned_alloc(NETIF_PAGE_SIZE, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(r->s);
	FRONT_RING_ATTACH(&r->f, r->s, start, NETIF_PAGE_SIZE);
	BACK_RING_ATTACH(&r->b, r->s, start, NETIF_PAGE_SIZE);
	r->s->req_prod = r->s->rsp_prod = start;
	r->s->req_event = r->s->rsp_event = start + 1;
}

static void
post_requests(struct tx_rings *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		netif_tx_request_t *req = RING_GET_REQUEST(&r->f, r->f.req_prod_pvt);

		req->id = (uint16_t)(r->f.req_prod_pvt & (RING_SIZE(&r->f) - 1));
		r->f.req_prod_pvt++;
	}
	(void)NETIF_PUSH_REQUESTS(&r->f);
}

static void
test_normal_flow(RING_IDX start)
{
	struct tx_rings r;
	RING_IDX prod = 0;

	rings_init(&r, start);
	CHECK_EQ(RING_SIZE(&r.f), NETIF_TX_RING_SIZE);
	CHECK_EQ(NETIF_FRONT_FREE(&r.f), NETIF_TX_RING_SIZE);
	post_requests(&r, 5);
	CHECK_EQ(NETIF_FRONT_FREE(&r.f), NETIF_TX_RING_SIZE - 5);
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), 5);
	CHECK_EQ(prod, start + 5);
	r.b.req_cons = prod;
	r.b.rsp_prod_pvt += 5;
	(void)NETIF_PUSH_RESPONSES(&r.b);
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), 5);
	r.f.rsp_cons = prod;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), 0);
	CHECK_EQ(NETIF_FRONT_FREE(&r.f), NETIF_TX_RING_SIZE);
	free(r.s);
}

static void
test_hostile_rsp_prod(RING_IDX start)
{
	struct tx_rings r;
	RING_IDX prod = 0xdead;

	rings_init(&r, start);
	post_requests(&r, 5);
	/* More responses than requests posted. */
	r.s->rsp_prod = start + 6;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), -1);
	CHECK_EQ(prod, 0xdead);
	/* Behind what was consumed. */
	r.s->rsp_prod = start - 1;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), -1);
	/* A jump of half the index space. */
	r.s->rsp_prod = start + 0x80000000u;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), -1);
	/* Exactly what was posted is fine. */
	r.s->rsp_prod = start + 5;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), 5);
	/* Having consumed 3, a producer index back at 2 is rejected. */
	r.f.rsp_cons = start + 3;
	r.s->rsp_prod = start + 2;
	CHECK_EQ(NETIF_FRONT_RSP_AVAIL(&r.f, &prod), -1);
	free(r.s);
}

static void
test_hostile_req_prod(RING_IDX start)
{
	struct tx_rings r;
	const unsigned int size = NETIF_TX_RING_SIZE;
	RING_IDX prod = 0;

	rings_init(&r, start);
	r.s->req_prod = start + size;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), (int)size);
	r.s->req_prod = start + size + 1;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), -1);
	r.s->req_prod = start - 1;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), -1);
	r.s->req_prod = start + 0xffffff00u;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), -1);
	/* Consumed 10 but answered none: a producer index that went back. */
	r.b.req_cons = start + 10;
	r.s->req_prod = start + 4;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), -1);
	r.s->req_prod = start + 10;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), 0);
	/* Answered 10: the peer may now have a whole ring outstanding again. */
	r.b.rsp_prod_pvt = start + 10;
	r.s->req_prod = start + 10 + size;
	CHECK_EQ(NETIF_BACK_REQ_AVAIL(&r.b, &prod), (int)size);
	free(r.s);
}

static void
test_notify(RING_IDX start)
{
	struct tx_rings r;

	rings_init(&r, start);
	/* Fresh ring: event = start + 1, so the first push notifies. */
	r.f.req_prod_pvt = start + 1;
	CHECK(NETIF_PUSH_REQUESTS(&r.f));
	/* The back end did not re-arm: no notification. */
	r.f.req_prod_pvt = start + 3;
	CHECK(!NETIF_PUSH_REQUESTS(&r.f));
	/* Armed at the next index: notified. */
	r.b.req_cons = start + 3;
	NETIF_BACK_ARM(&r.b);
	r.f.req_prod_pvt = start + 6;
	CHECK(NETIF_PUSH_REQUESTS(&r.f));
	/* Event in the future beyond this push: not yet. */
	r.s->req_event = start + 10;
	r.f.req_prod_pvt = start + 9;
	CHECK(!NETIF_PUSH_REQUESTS(&r.f));
	r.f.req_prod_pvt = start + 10;
	CHECK(NETIF_PUSH_REQUESTS(&r.f));

	/* Busy polling front end: disarmed, never notified by responses. */
	r.f.rsp_cons = start;
	NETIF_FRONT_DISARM(&r.f);
	for (int i = 1; i <= 3; i++) {
		r.b.rsp_prod_pvt = start + (RING_IDX)i;
		CHECK(!NETIF_PUSH_RESPONSES(&r.b));
	}
	/* Interrupt mode: armed, the next response notifies. */
	r.f.rsp_cons = start + 3;
	NETIF_FRONT_ARM(&r.f);
	r.b.rsp_prod_pvt = start + 4;
	CHECK(NETIF_PUSH_RESPONSES(&r.b));
	/* A garbage event index costs at most one notification per push. */
	r.s->rsp_event = 0x12345678;
	r.b.rsp_prod_pvt = start + 5;
	(void)NETIF_PUSH_RESPONSES(&r.b);
	CHECK_EQ(r.s->rsp_prod, start + 5);
	free(r.s);
}

static void
test_disarm_due(void)
{
	CHECK(!netif_event_disarm_due(0, 1000));
	CHECK(!netif_event_disarm_due(0, (1u << 30) - 1));
	CHECK(netif_event_disarm_due(0, 1u << 30));
	CHECK(netif_event_disarm_due(0xfffffff0u, (1u << 30) + 0x10));
	CHECK(!netif_event_disarm_due(0xfffffff0u, 0x10));
}

int
main(void)
{
	/* Indices start anywhere: try 0 and just before the 32-bit wrap. */
	const RING_IDX starts[] = { 0, 0xfffffffeu, 0x7ffffff0u };

	for (unsigned int i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		test_normal_flow(starts[i]);
		test_hostile_rsp_prod(starts[i]);
		test_hostile_req_prod(starts[i]);
		test_notify(starts[i]);
	}
	test_disarm_due();
	return check_report("ring");
}
