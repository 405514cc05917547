/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-ring codec against a hostile peer.
 *
 * Input: u8 op, then
 *   op 0 (front end, answer): request (u16 id, u16 type, 3 x u32 data),
 *        response (u16 id, u16 type, u32 status, u32 data), u8 bit 0: the
 *        response copies the request's id and type -> netif_ctrl_rsp_check
 *   op 1 (front end, list after ADD/DEL): u16 n (mod 513), u32 message
 *        status, then the list page -> netif_ctrl_gref_done
 *   op 2 (back end, request): request, u8 queues, then the granted page the
 *        request names -> netif_ctrl_req_check, then served as a back end
 *        serves it (list copied and checked for duplicates, key and mapping
 *        copied out of the page)
 *   op 3 (back end, list): u16 n (mod 513), then the list page ->
 *        netif_ctrl_gref_copy + netif_ctrl_gref_find_dup
 *   op 4 (front end, ring): u32 rsp_cons, u16 next id, 3 x u32 data of
 *        the request sent, u8 type, u32 rsp_prod - rsp_cons, then the ring
 *        entries from rsp_cons on -> NETIF_FRONT_RSP_AVAIL and
 *        netif_ctrl_rsp_check as netfront waits for its answer
 *   op 5 (back end, ring): u32 req_cons, u8 queues, u32 req_prod -
 *        req_cons, then the ring entries -> NETIF_BACK_REQ_AVAIL,
 *        netif_ctrl_req_check and answers, as netback serves the ring
 */
#include "fuzz.h"
#include "netif_ctrl.h"

static void
read_req(struct fin *in, struct xen_netif_ctrl_request *req)
{
	req->id = fin_u16(in);
	req->type = fin_u16(in);
	for (int i = 0; i < 3; i++)
		req->data[i] = fin_u32(in);
}

/* A page granted by the peer, exactly one page long. */
static void *
read_page(struct fin *in)
{
	void *p = malloc(NETIF_PAGE_SIZE);

	fin_bytes(in, p, NETIF_PAGE_SIZE);
	return p;
}

static void
check_type_name(uint16_t type)
{
	const char *name = netif_ctrl_type_name(type);

	PROMISE(name != NULL);
	PROMISE((strcmp(name, "UNKNOWN") == 0) == (type > NETIF_CTRL_TYPE_LAST));
}

static void
fuzz_rsp_check(struct fin *in)
{
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response rsp;
	enum netif_err e;

	read_req(in, &req);
	rsp.id = fin_u16(in);
	rsp.type = fin_u16(in);
	rsp.status = fin_u32(in);
	rsp.data = fin_u32(in);
	if (fin_u8(in) & 1) {
		rsp.id = req.id;
		rsp.type = req.type;
	}
	check_type_name(req.type);
	check_type_name(rsp.type);

	e = netif_ctrl_rsp_check(&rsp, &req);
	PROMISE(e == NETIF_OK || e == NETIF_E_ID || e == NETIF_E_STATUS ||
		e == NETIF_E_FLAGS || e == NETIF_E_LEN);
	PROMISE(netif_ctrl_rsp_check(&rsp, &req) == e);
	if (e != NETIF_OK)
		return;
	PROMISE(rsp.id == req.id && rsp.type == req.type);
	PROMISE(rsp.status <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	if (rsp.status != XEN_NETIF_CTRL_STATUS_SUCCESS)
		return;
	if (req.type == XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS)
		PROMISE((rsp.data & ~NETIF_CTRL_HASH_TYPES) == 0);
	/* DEL: entries unmapped, out of those listed. */
	if (req.type == XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING)
		PROMISE(rsp.data <= req.data[2]);
}

static void
fuzz_gref_done(struct fin *in)
{
	unsigned int n = fin_u16(in) % (NETIF_CTRL_GREF_MAX + 1);
	uint32_t msg_status = fin_u32(in);
	struct xen_netif_gref *list = read_page(in);
	uint8_t *done = malloc(n ? n : 1);
	unsigned int count, sum = 0;

	memset(done, 0xa5, n ? n : 1);
	count = netif_ctrl_gref_done(list, n, msg_status, done);
	PROMISE(count <= n);
	for (unsigned int i = 0; i < n; i++) {
		bool want = list[i].status == NETIF_CTRL_GREF_UNSET ?
				    msg_status == XEN_NETIF_CTRL_STATUS_SUCCESS :
				    list[i].status == XEN_NETIF_CTRL_STATUS_SUCCESS;

		PROMISE(done[i] == 0 || done[i] == 1);
		PROMISE(done[i] == want);
		sum += done[i];
	}
	PROMISE(sum == count);
	free(done);
	free(list);
}

/* First entry whose ref appeared earlier, the slow way. */
static int
first_dup(const struct xen_netif_gref *l, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = 0; j < i; j++)
			if (l[j].ref == l[i].ref)
				return (int)i;
	return -1;
}

/* What a back end does with a list it accepted: copy it out, reject dups. */
static void
serve_list(const struct xen_netif_gref *page, unsigned int n)
{
	struct xen_netif_gref *list = malloc((n ? n : 1) * sizeof(*list));
	int dup;

	netif_ctrl_gref_copy(list, page, n);
	PROMISE(n == 0 || memcmp(list, page, n * sizeof(*list)) == 0);
	dup = netif_ctrl_gref_find_dup(list, n);
	PROMISE(dup == first_dup(list, n));
	PROMISE(dup < (int)n);
	free(list);
}

static void
fuzz_req_check(struct fin *in)
{
	struct xen_netif_ctrl_request req;
	unsigned int nr_queues;
	uint32_t st;
	void *page;

	read_req(in, &req);
	nr_queues = fin_u8(in);
	page = read_page(in);
	check_type_name(req.type);

	st = netif_ctrl_req_check(&req, nr_queues);
	PROMISE(st <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	PROMISE(netif_ctrl_req_check(&req, nr_queues) == st);
	if (req.type == XEN_NETIF_CTRL_TYPE_INVALID || req.type > NETIF_CTRL_TYPE_LAST)
		PROMISE(st == XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	if (st != XEN_NETIF_CTRL_STATUS_SUCCESS)
		goto out;

	/* Serve it, with per-queue state exactly nr_queues long. */
	switch (req.type) {
	case XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE:
	case XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING:
	case XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING: {
		unsigned int *queue = calloc(nr_queues ? nr_queues : 1,
					     sizeof(*queue));

		PROMISE(req.data[0] < nr_queues);
		queue[req.data[0]]++;
		free(queue);
		if (req.type == XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE)
			break;
		PROMISE(req.data[2] >= 1 && req.data[2] <= NETIF_CTRL_GREF_MAX);
		serve_list(page, req.data[2]);
		break;
	}
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		PROMISE((req.data[0] & ~NETIF_CTRL_HASH_TYPES) == 0);
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY: {
		uint8_t *key = malloc(NETIF_CTRL_HASH_KEY_MAX);

		PROMISE(req.data[1] <= NETIF_CTRL_HASH_KEY_MAX);
		memcpy(key, page, req.data[1]);
		free(key);
		break;
	}
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING: {
		uint32_t *map = malloc(NETIF_PAGE_SIZE);

		PROMISE(req.data[1] <= NETIF_PAGE_SIZE / sizeof(uint32_t));
		memcpy(map, page, req.data[1] * sizeof(uint32_t));
		free(map);
		break;
	}
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		PROMISE(req.data[0] <= XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		break;
	default:
		PROMISE(!"unknown type accepted");
	}
out:
	free(page);
}

static void
fuzz_gref_list(struct fin *in)
{
	unsigned int n = fin_u16(in) % (NETIF_CTRL_GREF_MAX + 1);
	void *page = read_page(in);

	serve_list(page, n);
	free(page);
}

/* The control ring is smaller than the data rings: its own index checks. */
static void
fuzz_front_ring(struct fin *in)
{
	xen_netif_ctrl_sring_t *s = malloc(NETIF_PAGE_SIZE);
	struct xen_netif_ctrl_request sent;
	xen_netif_ctrl_front_ring_t r;
	RING_IDX prod = 0xdeadbeef;
	unsigned int ring_size;
	uint32_t d[3];
	uint16_t id;
	int avail;

	memset(s, 0, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&r, s, NETIF_PAGE_SIZE);
	ring_size = RING_SIZE(&r);
	PROMISE(ring_size == NETIF_CTRL_RING_SIZE);
	r.rsp_cons = r.req_prod_pvt = fin_u32(in);
	s->req_prod = s->rsp_prod = r.rsp_cons;
	id = fin_u16(in);
	for (int i = 0; i < 3; i++)
		d[i] = fin_u32(in);
	/* Send one request, as netfront does, then read answers. */
	netif_ctrl_req(&sent, id, fin_u8(in) % (NETIF_CTRL_TYPE_LAST + 2), d[0],
		       d[1], d[2]);
	*RING_GET_REQUEST(&r, r.req_prod_pvt) = sent;
	r.req_prod_pvt++;
	(void)NETIF_PUSH_REQUESTS(&r);
	s->rsp_prod = r.rsp_cons + fin_u32(in);
	for (unsigned int i = 0; i < ring_size && in->n > 0; i++)
		fin_bytes(in, &s->ring[(r.rsp_cons + i) & (ring_size - 1)].rsp,
			  sizeof(s->ring[0].rsp));

	avail = NETIF_FRONT_RSP_AVAIL(&r, &prod);
	if ((RING_IDX)(s->rsp_prod - r.rsp_cons) > 1) {
		PROMISE(avail < 0 && prod == 0xdeadbeef);
	} else {
		PROMISE(avail == (int)(s->rsp_prod - r.rsp_cons));
		PROMISE(prod == s->rsp_prod);
	}
	while (avail-- > 0) {
		struct xen_netif_ctrl_response rsp;
		enum netif_err e;

		RING_COPY_RESPONSE(&r, r.rsp_cons, &rsp);
		r.rsp_cons++;
		e = netif_ctrl_rsp_check(&rsp, &sent);
		if (e == NETIF_OK)
			PROMISE(rsp.id == sent.id && rsp.type == sent.type &&
				rsp.status <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	}
	PROMISE(NETIF_FRONT_FREE(&r) <= ring_size);
	free(s);
}

#define CTRL_BUDGET 64 /* requests served per call, as netback */

static void
fuzz_back_ring(struct fin *in)
{
	xen_netif_ctrl_sring_t *s = malloc(NETIF_PAGE_SIZE);
	xen_netif_ctrl_back_ring_t r;
	unsigned int ring_size, nr_queues, done = 0;
	RING_IDX prod = 0xdeadbeef;
	int avail;

	memset(s, 0, NETIF_PAGE_SIZE);
	SHARED_RING_INIT(s);
	BACK_RING_INIT(&r, s, NETIF_PAGE_SIZE);
	ring_size = RING_SIZE(&r);
	r.req_cons = r.rsp_prod_pvt = fin_u32(in);
	s->rsp_prod = r.rsp_prod_pvt;
	nr_queues = fin_u8(in);
	s->req_prod = r.req_cons + fin_u32(in);
	for (unsigned int i = 0; i < ring_size && in->n > 0; i++)
		fin_bytes(in, &s->ring[(r.req_cons + i) & (ring_size - 1)].req,
			  sizeof(s->ring[0].req));

	avail = NETIF_BACK_REQ_AVAIL(&r, &prod);
	if ((RING_IDX)(s->req_prod - r.req_cons) > ring_size) {
		PROMISE(avail < 0 && prod == 0xdeadbeef);
		goto out;
	}
	PROMISE(avail == (int)(s->req_prod - r.req_cons));
	while (avail-- > 0 && done < CTRL_BUDGET) {
		struct xen_netif_ctrl_request req;
		struct xen_netif_ctrl_response rsp;
		uint32_t st;

		RING_COPY_REQUEST(&r, r.req_cons, &req);
		r.req_cons++;
		st = netif_ctrl_req_check(&req, nr_queues);
		PROMISE(st <= XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
		netif_ctrl_rsp(&rsp, &req, st, 0);
		PROMISE(rsp.id == req.id && rsp.type == req.type);
		*RING_GET_RESPONSE(&r, r.rsp_prod_pvt) = rsp;
		r.rsp_prod_pvt++;
		done++;
	}
	(void)NETIF_PUSH_RESPONSES(&r);
	PROMISE(s->rsp_prod == r.req_cons);
out:
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };

	switch (fin_u8(&in) % 6) {
	case 0:
		fuzz_rsp_check(&in);
		break;
	case 1:
		fuzz_gref_done(&in);
		break;
	case 2:
		fuzz_req_check(&in);
		break;
	case 3:
		fuzz_gref_list(&in);
		break;
	case 4:
		fuzz_front_ring(&in);
		break;
	case 5:
		fuzz_back_ring(&in);
		break;
	}
	return 0;
}
