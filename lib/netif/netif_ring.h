/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared-ring access for a peer that is not trusted.
 *
 * The macros take Xen's front or back ring structures (DEFINE_RING_TYPES in
 * xen/io/ring.h); only the private indices of those structures are trusted.
 * Every index the peer writes is read once, into a local, and checked before
 * it is used. Entries are copied out of the shared page once
 * (RING_COPY_REQUEST / RING_COPY_RESPONSE) and validated on the copy.
 */
#ifndef NETIF_RING_H
#define NETIF_RING_H

#include <stdbool.h>

#include "netif_proto.h"

static inline RING_IDX
netif_load_idx(const RING_IDX *shared)
{
	/* Acquire: entries written before the index are visible after it. */
	return __atomic_load_n(shared, __ATOMIC_ACQUIRE);
}

/*
 * Front end: responses the peer published that are not consumed yet.
 * A peer cannot answer more requests than were posted: a producer index
 * beyond that (or behind rsp_cons) returns -1 and leaves *prod untouched.
 */
static inline int
netif_front_rsp_avail(const RING_IDX *shared_rsp_prod, RING_IDX rsp_cons,
		      RING_IDX req_prod_pvt, RING_IDX *prod)
{
	RING_IDX p = netif_load_idx(shared_rsp_prod);

	if ((RING_IDX)(p - rsp_cons) > (RING_IDX)(req_prod_pvt - rsp_cons))
		return -1;
	*prod = p;
	return (int)(p - rsp_cons);
}

#define NETIF_FRONT_RSP_AVAIL(_r, _prod)                                     \
	netif_front_rsp_avail(&(_r)->sring->rsp_prod, (_r)->rsp_cons,        \
			      (_r)->req_prod_pvt, (_prod))

/*
 * Back end: requests the peer published that are not consumed yet.
 * The peer may have at most ring-size requests unanswered; a producer index
 * further ahead, or behind req_cons, returns -1.
 */
static inline int
netif_back_req_avail(const RING_IDX *shared_req_prod, RING_IDX req_cons,
		     RING_IDX rsp_prod_pvt, unsigned int ring_size,
		     RING_IDX *prod)
{
	RING_IDX p = netif_load_idx(shared_req_prod);
	RING_IDX outstanding = p - rsp_prod_pvt;

	if (outstanding > ring_size ||
	    (RING_IDX)(req_cons - rsp_prod_pvt) > outstanding)
		return -1;
	*prod = p;
	return (int)(p - req_cons);
}

#define NETIF_BACK_REQ_AVAIL(_r, _prod)                                      \
	netif_back_req_avail(&(_r)->sring->req_prod, (_r)->req_cons,         \
			     (_r)->rsp_prod_pvt, RING_SIZE(_r), (_prod))

/* Free request slots of a front ring: depends on private indices only. */
#define NETIF_FRONT_FREE(_r)                                                 \
	(RING_SIZE(_r) - ((_r)->req_prod_pvt - (_r)->rsp_cons))

/*
 * Publish a producer index, then tell whether the peer asked to be notified
 * (its event index lies in (old, new]), as RING_PUSH_*_AND_CHECK_NOTIFY.
 * `old` is read back from the shared page: a peer that scribbles on it can
 * only earn itself one notification more or less per push.
 */
static inline bool
netif_push_check_notify(RING_IDX *shared_prod, const RING_IDX *shared_event,
			RING_IDX new_prod)
{
	RING_IDX old = __atomic_load_n(shared_prod, __ATOMIC_RELAXED);
	RING_IDX event;

	__atomic_store_n(shared_prod, new_prod, __ATOMIC_RELEASE);
	/* The peer must see the new index before we look at its event index. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	event = __atomic_load_n(shared_event, __ATOMIC_RELAXED);
	return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old);
}

#define NETIF_PUSH_REQUESTS(_r)                                              \
	netif_push_check_notify(&(_r)->sring->req_prod,                      \
				&(_r)->sring->req_event, (_r)->req_prod_pvt)
#define NETIF_PUSH_RESPONSES(_r)                                             \
	netif_push_check_notify(&(_r)->sring->rsp_prod,                      \
				&(_r)->sring->rsp_event, (_r)->rsp_prod_pvt)

/*
 * Event indices for busy polling.
 *
 * A peer notifies when its producer index passes our event index. An event
 * index at what we have consumed is never passed again until the 32-bit
 * indices wrap, so a busy poller disarms once at connect and again whenever
 * netif_event_disarm_due() says 2^30 entries went by since.
 */
static inline void
netif_event_disarm(RING_IDX *shared_event, RING_IDX cons)
{
	__atomic_store_n(shared_event, cons, __ATOMIC_RELAXED);
}

static inline bool
netif_event_disarm_due(RING_IDX last_disarm, RING_IDX cons)
{
	return (RING_IDX)(cons - last_disarm) >= (1u << 30);
}

/*
 * Interrupt mode: ask for a notification on the next entry. The caller must
 * poll the ring once more after this before it sleeps (an entry may have
 * arrived before the peer could see the new event index).
 */
static inline void
netif_event_arm(RING_IDX *shared_event, RING_IDX cons)
{
	__atomic_store_n(shared_event, cons + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#define NETIF_FRONT_DISARM(_r)                                               \
	netif_event_disarm(&(_r)->sring->rsp_event, (_r)->rsp_cons)
#define NETIF_BACK_DISARM(_r)                                                \
	netif_event_disarm(&(_r)->sring->req_event, (_r)->req_cons)
#define NETIF_FRONT_ARM(_r)                                                  \
	netif_event_arm(&(_r)->sring->rsp_event, (_r)->rsp_cons)
#define NETIF_BACK_ARM(_r)                                                   \
	netif_event_arm(&(_r)->sring->req_event, (_r)->req_cons)

#endif
