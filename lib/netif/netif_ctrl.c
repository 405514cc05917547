/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "netif_ctrl.h"

static const char *const type_names[] = {
	[XEN_NETIF_CTRL_TYPE_INVALID] = "INVALID",
	[XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS] = "GET_HASH_FLAGS",
	[XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS] = "SET_HASH_FLAGS",
	[XEN_NETIF_CTRL_TYPE_SET_HASH_KEY] = "SET_HASH_KEY",
	[XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE] = "GET_HASH_MAPPING_SIZE",
	[XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE] = "SET_HASH_MAPPING_SIZE",
	[XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING] = "SET_HASH_MAPPING",
	[XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM] = "SET_HASH_ALGORITHM",
	[XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE] = "GET_GREF_MAPPING_SIZE",
	[XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING] = "ADD_GREF_MAPPING",
	[XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING] = "DEL_GREF_MAPPING",
};

const char *
netif_ctrl_type_name(uint16_t type)
{
	if (type > NETIF_CTRL_TYPE_LAST)
		return "UNKNOWN";
	return type_names[type];
}

enum netif_err
netif_ctrl_rsp_check(const struct xen_netif_ctrl_response *rsp,
		     const struct xen_netif_ctrl_request *req)
{
	if (rsp->id != req->id || rsp->type != req->type)
		return NETIF_E_ID;
	if (rsp->status > XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW)
		return NETIF_E_STATUS;
	if (rsp->status != XEN_NETIF_CTRL_STATUS_SUCCESS)
		return NETIF_OK;

	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		if (rsp->data & ~NETIF_CTRL_HASH_TYPES)
			return NETIF_E_FLAGS;
		break;
	case XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING:
		/* data: entries unmapped; never more than were listed. */
		if (rsp->data > req->data[2])
			return NETIF_E_LEN;
		break;
	default:
		/*
		 * GET_*_SIZE answers are sizes the caller clamps to what it
		 * can use; the other types return no data.
		 */
		break;
	}
	return NETIF_OK;
}

void
netif_ctrl_gref_fill(struct xen_netif_gref *list, const grant_ref_t *refs,
		     unsigned int n, uint16_t flags)
{
	for (unsigned int i = 0; i < n; i++) {
		list[i].ref = refs[i];
		list[i].flags = flags;
		list[i].status = NETIF_CTRL_GREF_UNSET;
	}
}

unsigned int
netif_ctrl_gref_done(const struct xen_netif_gref *list, unsigned int n,
		     uint32_t msg_status, uint8_t *done)
{
	unsigned int count = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t st = __atomic_load_n(&list[i].status, __ATOMIC_RELAXED);

		if (st == NETIF_CTRL_GREF_UNSET)
			done[i] = msg_status == XEN_NETIF_CTRL_STATUS_SUCCESS;
		else
			done[i] = st == XEN_NETIF_CTRL_STATUS_SUCCESS;
		count += done[i];
	}
	return count;
}

uint32_t
netif_ctrl_req_check(const struct xen_netif_ctrl_request *req,
		     unsigned int nr_queues)
{
	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE:
		if (req->data[0] >= nr_queues)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		break;
	case XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING:
	case XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING:
		if (req->data[0] >= nr_queues || req->data[2] == 0)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		if (req->data[2] > NETIF_CTRL_GREF_MAX)
			return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		if (req->data[0] & ~NETIF_CTRL_HASH_TYPES)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		if (req->data[1] > NETIF_CTRL_HASH_KEY_MAX)
			return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		/* A (sub-)table lives in one page of 32-bit entries. */
		if (req->data[1] > NETIF_PAGE_SIZE / sizeof(uint32_t))
			return XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW;
		break;
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		if (req->data[0] > XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ)
			return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		break;
	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		break;
	default:
		return XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED;
	}
	return XEN_NETIF_CTRL_STATUS_SUCCESS;
}

void
netif_ctrl_gref_copy(struct xen_netif_gref *dst,
		     const struct xen_netif_gref *shared, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		dst[i] = *(const volatile struct xen_netif_gref *)&shared[i];
}

struct ref_pos {
	grant_ref_t ref;
	unsigned int pos;
};

static int
ref_pos_cmp(const void *a, const void *b)
{
	const struct ref_pos *x = a, *y = b;

	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int
netif_ctrl_gref_find_dup(const struct xen_netif_gref *list, unsigned int n)
{
	struct ref_pos v[NETIF_CTRL_GREF_MAX];
	int first = -1;

	if (n > NETIF_CTRL_GREF_MAX)
		n = NETIF_CTRL_GREF_MAX;
	for (unsigned int i = 0; i < n; i++) {
		v[i].ref = list[i].ref;
		v[i].pos = i;
	}
	qsort(v, n, sizeof(v[0]), ref_pos_cmp);
	for (unsigned int i = 1; i < n; i++)
		if (v[i].ref == v[i - 1].ref &&
		    (first < 0 || v[i].pos < (unsigned int)first))
			first = (int)v[i].pos;
	return first;
}
