/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-ring codec: both ends, hostile values. */
#include <stdlib.h>

#include "check.h"
#include "netif_ctrl.h"

static void
test_rsp_check(void)
{
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response rsp;

	netif_ctrl_req(&req, 7, XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, 0, 0, 0);
	netif_ctrl_rsp(&rsp, &req, XEN_NETIF_CTRL_STATUS_SUCCESS, 0xffffffffu);
	/* A huge size is a size: the caller clamps it. */
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_OK);
	rsp.id = 8;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_E_ID);
	rsp.id = 7;
	rsp.type = XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_E_ID);
	rsp.type = req.type;
	rsp.status = 4;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_E_STATUS);
	rsp.status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_OK);

	netif_ctrl_req(&req, 9, XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, 0, 55, 10);
	netif_ctrl_rsp(&rsp, &req, XEN_NETIF_CTRL_STATUS_SUCCESS, 10);
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_OK);
	rsp.data = 11;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_E_LEN);

	netif_ctrl_req(&req, 1, XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS, 0, 0, 0);
	netif_ctrl_rsp(&rsp, &req, XEN_NETIF_CTRL_STATUS_SUCCESS,
		       XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_OK);
	rsp.data |= 1u << 20;
	CHECK_EQ(netif_ctrl_rsp_check(&rsp, &req), NETIF_E_FLAGS);
}

static void
test_gref_done(void)
{
	struct xen_netif_gref list[4];
	const grant_ref_t refs[4] = { 10, 11, 12, 13 };
	uint8_t done[4];

	netif_ctrl_gref_fill(list, refs, 4, XEN_NETIF_CTRLF_GREF_readonly);
	CHECK_EQ(list[3].ref, 13);
	CHECK_EQ(list[3].flags, XEN_NETIF_CTRLF_GREF_readonly);
	CHECK_EQ(list[0].status, NETIF_CTRL_GREF_UNSET);
	/* Whole-message reading: entries untouched. */
	CHECK_EQ(netif_ctrl_gref_done(list, 4, XEN_NETIF_CTRL_STATUS_SUCCESS, done), 4);
	CHECK_EQ(netif_ctrl_gref_done(list, 4, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, done), 0);
	CHECK_EQ(done[0], 0);
	/* Per-entry reading: entry statuses decide, whatever the message says. */
	list[0].status = XEN_NETIF_CTRL_STATUS_SUCCESS;
	list[1].status = XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	list[2].status = XEN_NETIF_CTRL_STATUS_SUCCESS;
	list[3].status = 0x1234;
	CHECK_EQ(netif_ctrl_gref_done(list, 4, XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, done), 2);
	CHECK(done[0] == 1 && done[1] == 0 && done[2] == 1 && done[3] == 0);
	CHECK_EQ(netif_ctrl_gref_done(list, 4, XEN_NETIF_CTRL_STATUS_SUCCESS, done), 2);
}

static void
test_req_check(void)
{
	struct xen_netif_ctrl_request req;

	const uint16_t unknown[] = { XEN_NETIF_CTRL_TYPE_INVALID, 11, 99, 0xffff };
	for (unsigned int i = 0; i < 4; i++) {
		netif_ctrl_req(&req, 1, unknown[i], 0, 0, 0);
		CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	}
	netif_ctrl_req(&req, 1, XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, 0, 0, 0);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_SUCCESS);
	req.data[0] = 1;
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);

	netif_ctrl_req(&req, 2, XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, 0, 77, 512);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_SUCCESS);
	req.data[2] = 513;
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	req.data[2] = 0xffffffffu;
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	req.data[2] = 0;
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	netif_ctrl_req(&req, 2, XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, 4, 77, 1);
	CHECK_EQ(netif_ctrl_req_check(&req, 4), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK_EQ(netif_ctrl_req_check(&req, 5), XEN_NETIF_CTRL_STATUS_SUCCESS);

	netif_ctrl_req(&req, 3, XEN_NETIF_CTRL_TYPE_SET_HASH_KEY, 5, 41, 0);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	req.data[1] = 40;
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_SUCCESS);
	netif_ctrl_req(&req, 3, XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS, 1u << 9, 0, 0);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	netif_ctrl_req(&req, 3, XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING, 5, 1025, 0);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	netif_ctrl_req(&req, 3, XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 2, 0, 0);
	CHECK_EQ(netif_ctrl_req_check(&req, 1), XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	CHECK(strcmp(netif_ctrl_type_name(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING),
		     "ADD_GREF_MAPPING") == 0);
	CHECK(strcmp(netif_ctrl_type_name(4242), "UNKNOWN") == 0);
}

static void
test_gref_list(void)
{
	struct xen_netif_gref *page = calloc(NETIF_CTRL_GREF_MAX, sizeof(*page));
	struct xen_netif_gref copy[NETIF_CTRL_GREF_MAX];

	CHECK_EQ(NETIF_CTRL_GREF_MAX, 512);
	for (unsigned int i = 0; i < NETIF_CTRL_GREF_MAX; i++)
		page[i].ref = 1000 + i;
	netif_ctrl_gref_copy(copy, page, NETIF_CTRL_GREF_MAX);
	CHECK_EQ(copy[511].ref, 1511);
	CHECK_EQ(netif_ctrl_gref_find_dup(copy, NETIF_CTRL_GREF_MAX), -1);
	copy[300].ref = 1005;
	copy[400].ref = 1005;
	copy[200].ref = 1100; /* dup of 100, the earliest dup */
	CHECK_EQ(netif_ctrl_gref_find_dup(copy, NETIF_CTRL_GREF_MAX), 200);
	CHECK_EQ(netif_ctrl_gref_find_dup(copy, 100), -1);
	CHECK_EQ(netif_ctrl_gref_find_dup(copy, 0), -1);
	/* A count beyond the page is cut to the page. */
	CHECK_EQ(netif_ctrl_gref_find_dup(copy, 100000), 200);
	free(page);
}

int
main(void)
{
	test_rsp_check();
	test_gref_done();
	test_req_check();
	test_gref_list();
	return check_report("ctrl");
}
