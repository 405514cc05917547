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
 * responses filled with a byte pattern).
 *
 * With --ctrl it offers a control ring and answers the staging-grant
 * messages without mapping anything (the frontend cannot tell): ok (room
 * for 4096 refs, every ADD succeeds), per-entry (ADD fails as a message but
 * accepts every other entry by its status), notsup (NOT_SUPPORTED, as Linux
 * netback), huge (room for 2^32-1 refs), wrong-id (answers carry another
 * id). It prints "xb_peer: ... added=N deleted=N" for the refs it took.
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

#include <xenevtchn.h>
#include <xengnttab.h>

#include "netif_ctrl.h"
#include "netif_msg.h"
#include "netif_slots.h"
#include "netif_xenbus.h"

enum mode { ECHO, RSP_PROD_JUMP, RX_OFFSET, TX_DUP_ID, RX_GARBAGE };
enum ctrl_mode { CTRL_NONE, CTRL_OK, CTRL_PER_ENTRY, CTRL_NOTSUP, CTRL_HUGE, CTRL_WRONG_ID };

static const char *const ctrl_names[] = {
	"none", "ok", "per-entry", "notsup", "huge", "wrong-id",
};

static const char *const mode_names[] = {
	"echo", "rsp-prod-jump", "rx-offset", "tx-dup-id", "rx-garbage",
};

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
	uint64_t tx_pkts, rx_pkts, dropped;
	uint16_t last_id;
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

static void
ctrl_serve(struct peer *p)
{
	struct xen_netif_ctrl_request req;
	RING_IDX prod;
	int avail = NETIF_BACK_REQ_AVAIL(&p->cr, &prod);

	for (; avail > 0; avail--) {
		uint32_t status = XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, data = 0;
		struct xen_netif_ctrl_response *rsp;

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
		rsp = RING_GET_RESPONSE(&p->cr, p->cr.rsp_prod_pvt++);
		netif_ctrl_rsp(rsp, &req, status, data);
		if (p->ctrl == CTRL_WRONG_ID)
			rsp->id = (uint16_t)(req.id + 7);
	}
	if (NETIF_PUSH_RESPONSES(&p->cr))
		xenevtchn_notify(p->xce, p->ctrl_port);
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
	xengnttab_grant_copy_segment_t seg[NETIF_MAX_SLOTS];
	netif_rx_request_t req[NETIF_MAX_SLOTS];
	RING_IDX prod;
	int avail = NETIF_BACK_REQ_AVAIL(&p->rx, &prod);
	uint32_t off = 0;

	if (avail < (int)slots) {
		p->dropped++;
		return;
	}
	for (unsigned int k = 0; k < slots; k++) {
		uint32_t n = len - off < NETIF_PAGE_SIZE ? len - off : NETIF_PAGE_SIZE;

		RING_COPY_REQUEST(&p->rx, p->rx.req_cons + k, &req[k]);
		seg[k] = (xengnttab_grant_copy_segment_t){
			.source.virt = p->buf + off,
			.dest.foreign = { .ref = req[k].gref, .offset = 0,
					  .domid = (uint16_t)p->fe_domid },
			.len = (uint16_t)n,
			.flags = GNTCOPY_dest_gref,
		};
		off += n;
	}
	p->rx.req_cons += slots;
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
	}
	p->rx_pkts++;
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
			rx_deliver(p, pkt.total);
		}
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
	while ((c = getopt_long(argc, argv, "", (const struct option[]){
			{ "frontend", required_argument, NULL, 'f' },
			{ "devid", required_argument, NULL, 'd' },
			{ "mode", required_argument, NULL, 'm' },
			{ "seconds", required_argument, NULL, 's' },
			{ "connections", required_argument, NULL, 'n' },
			{ "ctrl", required_argument, NULL, 'c' },
			{ 0 } }, NULL)) != -1) {
		switch (c) {
		case 'f': p->fe_domid = (unsigned int)atoi(optarg); break;
		case 'd': devid = (unsigned int)atoi(optarg); break;
		case 's': seconds = (unsigned int)atoi(optarg); break;
		case 'n': connections = (unsigned int)atoi(optarg); break;
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
	while (done < connections && now_s() < end) {
		connect_peer(p, (int)((end - now_s()) * 1000));
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
	       "deleted=%llu\n",
	       (unsigned long long)p->tx_pkts, (unsigned long long)p->rx_pkts,
	       (unsigned long long)p->dropped, done, (unsigned long long)p->added,
	       (unsigned long long)p->deleted);
	xenevtchn_close(p->xce);
	xengnttab_close(p->xgt);
	xs_close(p->xs);
	return 0;
}
