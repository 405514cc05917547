/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control ring messages (xen/io/netif.h, "Control requests"): building them,
 * and checking every field the peer sends. The GREF messages carry their
 * list of struct xen_netif_gref in a separate granted page.
 */
#ifndef NETIF_CTRL_H
#define NETIF_CTRL_H

#include <stdbool.h>

#include "netif_msg.h"

/* Entries of a GREF list: one page's worth. */
#define NETIF_CTRL_GREF_MAX (NETIF_PAGE_SIZE / sizeof(struct xen_netif_gref))
/* Status the front end writes into a list entry before sending it. */
#define NETIF_CTRL_GREF_UNSET 0xffffu

#define NETIF_CTRL_HASH_TYPES                                                \
	(XEN_NETIF_CTRL_HASH_TYPE_IPV4 | XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP | \
	 XEN_NETIF_CTRL_HASH_TYPE_IPV6 | XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

/* Toeplitz keys are 40 octets; xen/io/netif.h leaves the limit to back ends. */
#define NETIF_CTRL_HASH_KEY_MAX 40

/* Largest message type of xen/io/netif.h. */
#define NETIF_CTRL_TYPE_LAST XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING

const char *netif_ctrl_type_name(uint16_t type);

/* Front end. */

static inline void
netif_ctrl_req(struct xen_netif_ctrl_request *req, uint16_t id, uint16_t type,
	       uint32_t d0, uint32_t d1, uint32_t d2)
{
	req->id = id;
	req->type = type;
	req->data[0] = d0;
	req->data[1] = d1;
	req->data[2] = d2;
}

/*
 * Check a response (copied out of the ring) against the request it must
 * answer: id, type, a defined status, and data that fits the request.
 */
enum netif_err netif_ctrl_rsp_check(const struct xen_netif_ctrl_response *rsp,
				    const struct xen_netif_ctrl_request *req);

/* Fill a list page for ADD/DEL; statuses are set to NETIF_CTRL_GREF_UNSET. */
void netif_ctrl_gref_fill(struct xen_netif_gref *list, const grant_ref_t *refs,
			  unsigned int n, uint16_t flags);

/*
 * After the answer to ADD (or DEL) arrived: which entries did the back end
 * take? The protocol text has the message status decide for ADD and the
 * entry status for DEL; back ends differ, so both readings are accepted:
 * an entry whose status the back end set counts by that status, one it left
 * unset counts by the message status. done[i] is set to 0 or 1; returns the
 * count of 1s. `list` is the shared page: each status is read once.
 */
unsigned int netif_ctrl_gref_done(const struct xen_netif_gref *list,
				  unsigned int n, uint32_t msg_status,
				  uint8_t *done);

/* Back end. */

/*
 * Check a request (copied out of the ring). Returns the status to answer
 * with when it is malformed or of an unknown type, or
 * XEN_NETIF_CTRL_STATUS_SUCCESS when it may be served.
 */
uint32_t netif_ctrl_req_check(const struct xen_netif_ctrl_request *req,
			      unsigned int nr_queues);

static inline void
netif_ctrl_rsp(struct xen_netif_ctrl_response *rsp,
	       const struct xen_netif_ctrl_request *req, uint32_t status,
	       uint32_t data)
{
	rsp->id = req->id;
	rsp->type = req->type;
	rsp->status = status;
	rsp->data = data;
}

/* Copy n list entries out of the shared list page, each read once. */
void netif_ctrl_gref_copy(struct xen_netif_gref *dst,
			  const struct xen_netif_gref *shared, unsigned int n);

/* Index of the first entry whose ref appeared earlier in the list, or -1. */
int netif_ctrl_gref_find_dup(const struct xen_netif_gref *list, unsigned int n);

#endif
