/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xb_peer: a small netif backend for tests, run as a backend domain (e.g.
 * under `xensim env DIR 0`). It serves one vif with the plain protocol
 * (grant copy, no staging grants) and reflects every packet the frontend
 * sends back to it. Hostile modes break one rule of the protocol on purpose
 * so tests can check that the frontend survives.
 *
 *   xb_peer --frontend DOMID [--devid N] [--mode MODE] [--seconds S]
 *           [--connections N] [--ctrl CTRL]
 *
 * Modes: echo (default), rsp-prod-jump (TX response producer far beyond the
 * requests), rx-offset (an RX response running past its page), tx-dup-id
 * (TX responses replay the id of the previous request), rx-garbage (RX
 * responses filled with a byte pattern), rx-len (an RX status, at offset 0,
 * longer than the page), rx-flags (the first 16 packets carry an RX flag the
 * protocol does not define; the rest are echoed), rx-extra-type (an RX
 * response announcing extra info whose type is unknown), rx-rewrite and
 * rx-rewrite-garbage (no echo: xb_peer sends its own 4096-byte packets of a
 * 64-byte period and, after publishing each response, rewrites it in place
 * many times (each rewrite one 8-byte store) between two valid shapes, offset 0 + 4096 bytes and offset
 * 4032 + 64 bytes, plus, in the -garbage mode, an invalid one (offset 4000,
 * 96 bytes, a flag the protocol does not define); what comes back on TX
 * must be one of the valid shapes with the right bytes, else it counts
 * bad_echo), silent (maps the rings and the channel, then never answers,
 * never consumes, never changes its xenstore state; exits, mapping, once
 * the frontend is Closed), xs-early-connected (state Connected at once,
 * before the frontend wrote anything, and nothing mapped), xs-garbage-state
 * (after 2000 echoed packets its state node becomes "banana"; it goes on
 * serving until the frontend closes).
 *
 * With --ctrl it offers a control ring and answers the staging-grant
 * messages without mapping anything (the frontend cannot tell): ok (room
 * for 4096 refs, every ADD succeeds), per-entry (ADD fails as a message but
 * accepts every other entry by its status), notsup (NOT_SUPPORTED, as Linux
 * netback), huge (room for 2^32-1 refs), wrong-id (answers carry another
 * id), late-get (the answer to the first request, GET_GREF_MAPPING_SIZE,
 * comes --late-ms after it, default 1500), late-add (the same for the third
 * request: the second ADD). It prints "xb_peer: ... added=N deleted=N" for
 * the refs it took.
 *
 * It serves N connections (default 1: after the frontend closes, it goes
 * back to InitWait for the next), or stops after S seconds (default 60);
 * it prints "xb_peer: tx=N rx=N dropped=N connections=N" and exits 0 when
 * each connection was made and closed in order.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "netif_ctrl.h"
#include "netif_msg.h"
#include "netif_slots.h"
#include "netif_xenbus.h"

enum mode {
	ECHO, RSP_PROD_JUMP, RX_OFFSET, TX_DUP_ID, RX_GARBAGE, RX_LEN, RX_FLAGS,
	RX_EXTRA_TYPE, RX_REWRITE, RX_REWRITE_GARBAGE, SILENT, XS_EARLY_CONNECTED,
	XS_GARBAGE_STATE,
};
enum ctrl_mode {
	CTRL_NONE, CTRL_OK, CTRL_PER_ENTRY, CTRL_NOTSUP, CTRL_HUGE, CTRL_WRONG_ID,
	CTRL_LATE_GET, CTRL_LATE_ADD,
};

static const char *const ctrl_names[] = {
	"none", "ok", "per-entry", "notsup", "huge", "wrong-id", "late-get", "late-add",
};

static const char *const mode_names[] = {
	"echo", "rsp-prod-jump", "rx-offset", "tx-dup-id", "rx-garbage", "rx-len",
	"rx-flags", "rx-extra-type", "rx-rewrite", "rx-rewrite-garbage", "silent",
	"xs-early-connected", "xs-garbage-state",
};

/* rx-rewrite: the period of the packet bytes, and the two valid shapes. */
#define REWRITE_PERIOD 64
#define REWRITE_B_OFFSET (NETIF_PAGE_SIZE - REWRITE_PERIOD)

struct peer {
	enum mode mode;
	unsigned int fe_domid;
	char be[128], fe[128];
	struct xs_handle *xs;
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	void *rings;
	evtchn_port_t port;
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	enum ctrl_mode ctrl;
	void *ctrl_page;
	xen_netif_ctrl_back_ring_t cr;
	evtchn_port_t ctrl_port;
	uint64_t added, deleted;
	uint64_t tx_pkts, rx_pkts, dropped, bad_echo;
	uint16_t last_id;
	/* late-get, late-add: one answer held back until late_due */
	unsigned int late_ms, ctrl_seen;
	bool late_pending;
	double late_due;
	struct xen_netif_ctrl_response late_rsp;
	bool garbage_written;
	uint8_t buf[65536];
};

static void
die(const char *what)
{
	fprintf(stderr, "xb_peer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long
read_fe_uint(struct peer *p, const char *key)
{
	unsigned long v;
	int rc = netif_xs_read_uint(p->xs, p->fe, key, 0xffffffffUL, &v);

	if (rc != 0) {
		fprintf(stderr, "xb_peer: %s/%s: %s\n", p->fe, key, strerror(-rc));
		exit(1);
	}
	return v;
}

static void
ctrl_connect(struct peer *p)
{
	uint32_t ref = (uint32_t)read_fe_uint(p, "ctrl-ring-ref");
	xenevtchn_port_or_error_t lp;

	p->ctrl_page = xengnttab_map_grant_ref(p->xgt, p->fe_domid, ref,
					       PROT_READ | PROT_WRITE);
	if (p->ctrl_page == NULL)
		die("mapping the control ring");
	BACK_RING_INIT(&p->cr, (xen_netif_ctrl_sring_t *)p->ctrl_page, NETIF_PAGE_SIZE);
	lp = xenevtchn_bind_interdomain(p->xce, p->fe_domid,
					(evtchn_port_t)read_fe_uint(p, "event-channel-ctrl"));
	if (lp < 0)
		die("binding the control event channel");
	p->ctrl_port = (evtchn_port_t)lp;
}

/* ADD or DEL: read the list page, decide, write entry statuses back. */
static uint32_t
ctrl_gref_list(struct peer *p, const struct xen_netif_ctrl_request *req,
	       uint32_t *data)
{
	bool add = req->type == XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING;
	struct xen_netif_gref *list;
	uint32_t n = req->data[2], took = 0;

	if (n == 0 || n > NETIF_CTRL_GREF_MAX)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	list = xengnttab_map_grant_ref(p->xgt, p->fe_domid, req->data[1],
				       PROT_READ | PROT_WRITE);
	if (list == NULL)
		return XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < n; i++) {
		bool ok = p->ctrl != CTRL_PER_ENTRY || !add || (i % 2) == 0;

		if (p->ctrl == CTRL_PER_ENTRY || !add)
			list[i].status = ok ? XEN_NETIF_CTRL_STATUS_SUCCESS :
					      XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER;
		took += ok;
	}
	xengnttab_unmap(p->xgt, list, 1);
	if (add)
		p->added += took;
	else
		p->deleted += took;
	*data = add ? 0 : took;
	return p->ctrl == CTRL_PER_ENTRY && add ?
		       XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER :
		       XEN_NETIF_CTRL_STATUS_SUCCESS;
}

static double now_s(void);

static void
ctrl_push(struct peer *p)
{
	if (NETIF_PUSH_RESPONSES(&p->cr))
		xenevtchn_notify(p->xce, p->ctrl_port);
}

static void
ctrl_serve(struct peer *p)
{
	struct xen_netif_ctrl_request req;
	RING_IDX prod;
	int avail;

	if (p->late_pending) {
		/* Answers go in order: nothing after the late one before it. */
		if (now_s() < p->late_due)
			return;
		*RING_GET_RESPONSE(&p->cr, p->cr.rsp_prod_pvt++) = p->late_rsp;
		p->late_pending = false;
		ctrl_push(p);
	}
	avail = NETIF_BACK_REQ_AVAIL(&p->cr, &prod);
	for (; avail > 0; avail--) {
		uint32_t status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, data = 0;
		struct xen_netif_ctrl_response rsp;
		unsigned int nth = p->ctrl_seen++;

		RING_COPY_REQUEST(&p->cr, p->cr.req_cons, &req);
		p->cr.req_cons++;
		if (p->ctrl != CTRL_NOTSUP) {
			switch (req.type) {
			case XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE:
				status = XEN_NETIF_CTRL_STATUS_SUCCESS;
				data = p->ctrl == CTRL_HUGE ? 0xffffffffu : 4096;
				break;
			case XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING:
			case XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING:
				status = ctrl_gref_list(p, &req, &data);
				break;
			}
		}
		netif_ctrl_rsp(&rsp, &req, status, data);
		if (p->ctrl == CTRL_WRONG_ID)
			rsp.id = (uint16_t)(req.id + 7);
		if ((p->ctrl == CTRL_LATE_GET && nth == 0) ||
		    (p->ctrl == CTRL_LATE_ADD && nth == 2)) {
			p->late_rsp = rsp;
			p->late_pending = true;
			p->late_due = now_s() + p->late_ms / 1000.0;
			break;
		}
		*RING_GET_RESPONSE(&p->cr, p->cr.rsp_prod_pvt++) = rsp;
	}
	ctrl_push(p);
}

static void
connect_peer(struct peer *p, int timeout_ms)
{
	enum xenbus_state st;
	uint32_t refs[2];
	xenevtchn_port_or_error_t lp;

	netif_xs_write(p->xs, XBT_NULL, p->be, "feature-rx-copy", "1");
	netif_xs_write(p->xs, XBT_NULL, p->be, "feature-sg", "1");
	netif_xs_write(p->xs, XBT_NULL, p->be, "feature-ctrl-ring", "%d",
		       p->ctrl != CTRL_NONE);
	if (p->mode == XS_EARLY_CONNECTED) {
		/* Connected before the frontend wrote a key: nothing to map. */
		netif_xb_set_state(p->xs, p->be, XenbusStateConnected);
		return;
	}
	netif_xb_set_state(p->xs, p->be, XenbusStateInitWait);
	if (netif_xb_wait_state(p->fe, NETIF_XB_STATE_BIT(XenbusStateConnected),
				timeout_ms, &st) != 0) {
		fprintf(stderr, "xb_peer: frontend did not connect (state %s)\n",
			netif_xb_state_name(st));
		exit(1);
	}
	refs[0] = (uint32_t)read_fe_uint(p, "tx-ring-ref");
	refs[1] = (uint32_t)read_fe_uint(p, "rx-ring-ref");
	p->rings = xengnttab_map_domain_grant_refs(p->xgt, 2, p->fe_domid, refs,
						   PROT_READ | PROT_WRITE);
	if (p->rings == NULL)
		die("mapping the rings");
	BACK_RING_INIT(&p->tx, (netif_tx_sring_t *)p->rings, NETIF_PAGE_SIZE);
	BACK_RING_INIT(&p->rx, (netif_rx_sring_t *)((char *)p->rings + NETIF_PAGE_SIZE),
		       NETIF_PAGE_SIZE);
	lp = xenevtchn_bind_interdomain(p->xce, p->fe_domid,
					(evtchn_port_t)read_fe_uint(p, "event-channel"));
	if (lp < 0)
		die("binding the event channel");
	p->port = (evtchn_port_t)lp;
	if (p->ctrl != CTRL_NONE)
		ctrl_connect(p);
	netif_xs_write(p->xs, XBT_NULL, p->be, "hotplug-status", "connected");
	netif_xb_set_state(p->xs, p->be, XenbusStateConnected);
}

static void
disconnect_peer(struct peer *p)
{
	netif_xb_set_state(p->xs, p->be, XenbusStateClosing);
	p->late_pending = false;
	if (p->ctrl_page != NULL) {
		/* What the frontend left registered is dropped with the connection. */
		xenevtchn_unbind(p->xce, p->ctrl_port);
		xengnttab_unmap(p->xgt, p->ctrl_page, 1);
		p->ctrl_page = NULL;
	}
	xenevtchn_unbind(p->xce, p->port);
	xengnttab_unmap(p->xgt, p->rings, 2);
	netif_xb_set_state(p->xs, p->be, XenbusStateClosed);
}

/* Copy the data of a validated TX packet into p->buf. */
static int
tx_fetch(struct peer *p, const struct netif_tx_pkt *pkt)
{
	xengnttab_grant_copy_segment_t seg[NETIF_MAX_SLOTS];
	uint32_t off = 0;

	for (unsigned int k = 0; k < pkt->nr_slots; k++) {
		seg[k] = (xengnttab_grant_copy_segment_t){
			.source.foreign = { .ref = pkt->req[k].gref,
					    .offset = pkt->req[k].offset,
					    .domid = (uint16_t)p->fe_domid },
			.dest.virt = p->buf + off,
			.len = pkt->len[k],
			.flags = GNTCOPY_source_gref,
		};
		off += pkt->len[k];
	}
	if (xengnttab_grant_copy(p->xgt, pkt->nr_slots, seg) != 0)
		return -1;
	for (unsigned int k = 0; k < pkt->nr_slots; k++)
		if (seg[k].status != GNTST_okay)
			return -1;
	return 0;
}

static void
tx_respond(struct peer *p, uint16_t id, int16_t status)
{
	netif_tx_response_t *r = RING_GET_RESPONSE(&p->tx, p->tx.rsp_prod_pvt++);

	r->id = id;
	r->status = status;
	if (p->mode == TX_DUP_ID && p->tx_pkts > 0)
		r->id = p->last_id;
	p->last_id = id;
}

/* Deliver len bytes of p->buf into the frontend's posted RX buffers. */
static void
rx_deliver(struct peer *p, uint32_t len)
{
	unsigned int slots = netif_linear_slots(len);
	/* rx-extra-type: an extra-info entry after the first response */
	unsigned int extra = p->mode == RX_EXTRA_TYPE;
	xengnttab_grant_copy_segment_t seg[NETIF_MAX_SLOTS];
	netif_rx_request_t req[NETIF_MAX_SLOTS];
	RING_IDX prod;
	int avail = NETIF_BACK_REQ_AVAIL(&p->rx, &prod);
	uint32_t off = 0;

	if (avail < (int)(slots + extra)) {
		p->dropped++;
		return;
	}
	for (unsigned int k = 0; k < slots; k++) {
		uint32_t n = len - off < NETIF_PAGE_SIZE ? len - off : NETIF_PAGE_SIZE;

		RING_COPY_REQUEST(&p->rx, p->rx.req_cons + (k == 0 ? 0 : k + extra), &req[k]);
		seg[k] = (xengnttab_grant_copy_segment_t){
			.source.virt = p->buf + off,
			.dest.foreign = { .ref = req[k].gref, .offset = 0,
					  .domid = (uint16_t)p->fe_domid },
			.len = (uint16_t)n,
			.flags = GNTCOPY_dest_gref,
		};
		off += n;
	}
	p->rx.req_cons += slots + extra;
	if (xengnttab_grant_copy(p->xgt, slots, seg) != 0)
		die("grant copy to RX buffers");
	for (unsigned int k = 0; k < slots; k++) {
		netif_rx_response_t *r = RING_GET_RESPONSE(&p->rx, p->rx.rsp_prod_pvt++);

		r->id = req[k].id;
		r->offset = 0;
		r->flags = k + 1 < slots ? NETRXF_more_data : 0;
		r->status = seg[k].status == GNTST_okay ? (int16_t)seg[k].len :
							   NETIF_RSP_ERROR;
		if (p->mode == RX_OFFSET)
			r->offset = NETIF_PAGE_SIZE - 1;
		if (p->mode == RX_GARBAGE)
			memset(r, 0xa5 ^ (int)k, sizeof(*r));
		if (p->mode == RX_LEN && k == 0)
			r->status = NETIF_PAGE_SIZE + 100;
		if (p->mode == RX_FLAGS && p->rx_pkts < 16)
			r->flags |= 0x8000;
		if (extra && k == 0) {
			netif_extra_info_t *x = (netif_extra_info_t *)RING_GET_RESPONSE(
				&p->rx, p->rx.rsp_prod_pvt++);

			r->flags |= NETRXF_extra_info;
			memset(x, 0, sizeof(*x));
			x->type = 0x33; /* no such type */
		}
	}
	p->rx_pkts++;
}

static uint8_t rewrite_page[NETIF_PAGE_SIZE];

static inline uint8_t
rewrite_byte(uint32_t i)
{
	return (uint8_t)((i % REWRITE_PERIOD) * 3 + 1);
}

/*
 * rx-rewrite: a packet in each posted buffer (at most 32), the responses
 * published, then rewritten in place while the frontend may be copying
 * them: valid shapes A (offset 0, 4096 bytes) and B (offset 4032, 64
 * bytes), and in the -garbage mode an invalid one. The buffer holds the
 * same bytes at both places, so either valid reading is a right packet;
 * a mix of two (offset 4032 with 4096 bytes) runs past the page.
 */
static void
rx_rewrite(struct peer *p)
{
	xengnttab_grant_copy_segment_t seg[32];
	netif_rx_request_t req[32];
	unsigned int kinds = p->mode == RX_REWRITE_GARBAGE ? 3 : 2;
	RING_IDX prod, first;
	int avail = NETIF_BACK_REQ_AVAIL(&p->rx, &prod);
	unsigned int n;

	if (avail <= 0)
		return;
	n = avail > 32 ? 32 : (unsigned int)avail;
	for (unsigned int k = 0; k < n; k++) {
		RING_COPY_REQUEST(&p->rx, p->rx.req_cons + k, &req[k]);
		seg[k] = (xengnttab_grant_copy_segment_t){
			.source.virt = rewrite_page,
			.dest.foreign = { .ref = req[k].gref, .offset = 0,
					  .domid = (uint16_t)p->fe_domid },
			.len = NETIF_PAGE_SIZE,
			.flags = GNTCOPY_dest_gref,
		};
	}
	p->rx.req_cons += n;
	if (xengnttab_grant_copy(p->xgt, n, seg) != 0)
		die("grant copy to RX buffers");
	first = p->rx.rsp_prod_pvt;
	for (unsigned int round = 0; round < 64; round++) {
		for (unsigned int k = 0; k < n; k++) {
			netif_rx_response_t v = { .id = req[k].id };
			unsigned int shape = (round + k) % kinds;
			uint64_t w;

			if (round == 63)
				shape = k % 2; /* what stays: a valid shape */
			if (seg[k].status != GNTST_okay) {
				v.status = NETIF_RSP_ERROR;
			} else if (shape == 0) {
				v.status = NETIF_PAGE_SIZE;
			} else if (shape == 1) {
				v.offset = REWRITE_B_OFFSET;
				v.status = REWRITE_PERIOD;
			} else {
				/*
				 * Invalid by a flag alone: its id stays right even
				 * when a clobbered request gave us a wrong one.
				 */
				v.offset = 4000;
				v.flags = 0x4000;
				v.status = 96;
			}
			/*
			 * Once the frontend posted the next request of this
			 * slot, it has read the response: stop there (the
			 * store would only garble that request, for us).
			 */
			if (__atomic_load_n(&p->rx.sring->req_prod, __ATOMIC_ACQUIRE) -
				    (first + k) > NETIF_RX_RING_SIZE)
				continue;
			/* One store: a reader sees a whole entry, old or new. */
			memcpy(&w, &v, sizeof(w));
			__atomic_store_n((uint64_t *)RING_GET_RESPONSE(&p->rx, first + k), w,
					 __ATOMIC_RELAXED);
		}
		if (round == 0) {
			p->rx.rsp_prod_pvt += n;
			if (NETIF_PUSH_RESPONSES(&p->rx))
				xenevtchn_notify(p->xce, p->port);
		}
	}
	p->rx_pkts += n;
}

/* rx-rewrite: what the frontend forwards back is one of the valid shapes. */
static void
rewrite_check(struct peer *p, const struct netif_tx_pkt *pkt)
{
	uint16_t off = pkt->req[0].offset;
	bool ok = pkt->nr_slots == 1 &&
		  ((off == 0 && pkt->total == NETIF_PAGE_SIZE) ||
		   (off == REWRITE_B_OFFSET && pkt->total == REWRITE_PERIOD) ||
		   (off == 0 && pkt->total == REWRITE_PERIOD));

	for (uint32_t i = 0; ok && i < pkt->total; i++)
		ok = p->buf[i] == rewrite_byte(i);
	if (!ok && p->bad_echo++ == 0)
		fprintf(stderr, "xb_peer: bad echo: %u slots, offset %u, %u bytes\n",
			pkt->nr_slots, off, pkt->total);
}

/* One pass over the TX ring. */
static void
serve(struct peer *p)
{
	struct netif_tx_pkt pkt;
	RING_IDX prod;
	int avail = NETIF_BACK_REQ_AVAIL(&p->tx, &prod);

	if (avail < 0) {
		fprintf(stderr, "xb_peer: frontend request index out of range\n");
		exit(1);
	}
	while (avail > 0) {
		unsigned int used = netif_back_tx_read(&p->tx, p->tx.req_cons,
						       (unsigned int)avail, &pkt);
		int16_t st = NETIF_RSP_OKAY;

		if (used == 0)
			break;
		if (pkt.err != NETIF_OK) {
			fprintf(stderr, "xb_peer: bad TX packet: %s\n",
				netif_strerr(pkt.err));
			st = NETIF_RSP_ERROR;
			p->bad_echo++;
		} else if (tx_fetch(p, &pkt) != 0) {
			st = NETIF_RSP_ERROR;
		}
		p->tx.req_cons += used;
		avail -= (int)used;
		for (unsigned int k = 0; k < pkt.nr_slots; k++)
			tx_respond(p, pkt.req[k].id, st);
		for (unsigned int k = pkt.nr_slots; k < used; k++)
			tx_respond(p, 0, NETIF_RSP_NULL);
		if (st == NETIF_RSP_OKAY) {
			p->tx_pkts++;
			if (p->mode == RX_REWRITE || p->mode == RX_REWRITE_GARBAGE)
				rewrite_check(p, &pkt);
			else
				rx_deliver(p, pkt.total);
		}
	}
	if (p->mode == RX_REWRITE || p->mode == RX_REWRITE_GARBAGE)
		rx_rewrite(p);
	if (p->mode == XS_GARBAGE_STATE && p->tx_pkts >= 2000 && !p->garbage_written) {
		netif_xs_write(p->xs, XBT_NULL, p->be, "state", "%s", "banana");
		p->garbage_written = true;
	}
	if (NETIF_PUSH_RESPONSES(&p->tx) | NETIF_PUSH_RESPONSES(&p->rx))
		xenevtchn_notify(p->xce, p->port);
	if (p->mode == RSP_PROD_JUMP && p->tx_pkts > 0)
		p->tx.sring->rsp_prod = p->tx.rsp_prod_pvt + 100000;
	NETIF_BACK_DISARM(&p->tx);
	NETIF_BACK_DISARM(&p->rx);
	if (p->ctrl_page != NULL)
		ctrl_serve(p);
}

/*
 * silent, xs-early-connected: answer nothing, change no state; leave (the
 * process exit drops what it mapped) once the frontend is Closed or the
 * time is up.
 */
static void
stay_silent(struct peer *p, double end)
{
	enum xenbus_state st;

	while (now_s() < end) {
		usleep(10000);
		if (netif_xb_read_state(p->xs, p->fe, &st) == 0 &&
		    st == XenbusStateClosed)
			break;
	}
	usleep(500000);
	printf("xb_peer: tx=0 rx=0 dropped=0 connections=0 added=0 deleted=0 "
	       "bad_echo=0\n");
	fflush(stdout);
	_exit(0);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	static struct peer peer;
	struct peer *p = &peer;
	unsigned int devid = 0, seconds = 60, connections = 1, done = 0;
	enum xenbus_state st;
	char dom[16];
	unsigned long own;
	double end;
	int c;

	p->fe_domid = ~0u;
	p->late_ms = 1500;
	while ((c = getopt_long(argc, argv, "", (const struct option[]){
			{ "frontend", required_argument, NULL, 'f' },
			{ "devid", required_argument, NULL, 'd' },
			{ "mode", required_argument, NULL, 'm' },
			{ "seconds", required_argument, NULL, 's' },
			{ "connections", required_argument, NULL, 'n' },
			{ "ctrl", required_argument, NULL, 'c' },
			{ "late-ms", required_argument, NULL, 'l' },
			{ 0 } }, NULL)) != -1) {
		switch (c) {
		case 'f': p->fe_domid = (unsigned int)atoi(optarg); break;
		case 'd': devid = (unsigned int)atoi(optarg); break;
		case 's': seconds = (unsigned int)atoi(optarg); break;
		case 'n': connections = (unsigned int)atoi(optarg); break;
		case 'l': p->late_ms = (unsigned int)atoi(optarg); break;
		case 'c':
			for (c = 0; c < (int)(sizeof(ctrl_names) / sizeof(ctrl_names[0])); c++)
				if (strcmp(optarg, ctrl_names[c]) == 0)
					break;
			if (c == (int)(sizeof(ctrl_names) / sizeof(ctrl_names[0]))) {
				fprintf(stderr, "xb_peer: unknown ctrl mode %s\n", optarg);
				return 2;
			}
			p->ctrl = (enum ctrl_mode)c;
			break;
		case 'm':
			for (c = 0; c < (int)(sizeof(mode_names) / sizeof(mode_names[0])); c++)
				if (strcmp(optarg, mode_names[c]) == 0)
					break;
			if (c == (int)(sizeof(mode_names) / sizeof(mode_names[0]))) {
				fprintf(stderr, "xb_peer: unknown mode %s\n", optarg);
				return 2;
			}
			p->mode = (enum mode)c;
			break;
		default:
			return 2;
		}
	}
	if (p->fe_domid == ~0u) {
		fprintf(stderr, "usage: xb_peer --frontend DOMID [--devid N] "
			"[--mode MODE] [--seconds S]\n");
		return 2;
	}
	p->xs = xs_open(0);
	p->xgt = xengnttab_open(NULL, 0);
	p->xce = xenevtchn_open(NULL, 0);
	if (p->xs == NULL || p->xgt == NULL || p->xce == NULL)
		die("opening xenstore, gnttab or evtchn");
	if (netif_xs_read_str(p->xs, NULL, "domid", dom, sizeof(dom)) != 0 ||
	    netif_parse_uint(dom, 0x7fef, &own) != 0)
		die("reading own domid");
	snprintf(p->be, sizeof(p->be), "/local/domain/%lu/backend/vif/%u/%u", own,
		 p->fe_domid, devid);
	if (netif_xs_read_str(p->xs, p->be, "frontend", p->fe, sizeof(p->fe)) != 0)
		die("reading the frontend path");

	end = now_s() + seconds;
	for (uint32_t i = 0; i < NETIF_PAGE_SIZE; i++)
		rewrite_page[i] = rewrite_byte(i);
	while (done < connections && now_s() < end) {
		connect_peer(p, (int)((end - now_s()) * 1000));
		if (p->mode == SILENT || p->mode == XS_EARLY_CONNECTED)
			stay_silent(p, end);
		for (unsigned long it = 1;; it++) {
			serve(p);
			if ((it & 1023) == 0) {
				if (now_s() > end)
					break;
				if (netif_xb_read_state(p->xs, p->fe, &st) == 0 &&
				    st != XenbusStateConnected) {
					/* Requests made before it closed are answered. */
					serve(p);
					break;
				}
			}
		}
		disconnect_peer(p);
		done++;
	}
	printf("xb_peer: tx=%llu rx=%llu dropped=%llu connections=%u added=%llu "
	       "deleted=%llu bad_echo=%llu\n",
	       (unsigned long long)p->tx_pkts, (unsigned long long)p->rx_pkts,
	       (unsigned long long)p->dropped, done, (unsigned long long)p->added,
	       (unsigned long long)p->deleted, (unsigned long long)p->bad_echo);
	xenevtchn_close(p->xce);
	xengnttab_close(p->xgt);
	xs_close(p->xs);
	return 0;
}
