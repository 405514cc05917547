/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netback_fe: a netif frontend in a few hundred lines, to test the netback
 * PMD over xensim without a second DPDK process. It runs as the guest
 * (domain 1, `eval "$(xensim env DIR 1)"`) against a netback port that
 * echoes (testpmd io forwarding), and either checks what the backend does
 * or breaks the protocol on purpose.
 *
 *   netback_fe MODE [packets]
 *     data     packets of 60 B .. 9000 B (up to 3 slots) with a pattern,
 *              half from staged pages, half grant-copied; every echoed byte
 *              compared
 *     csum     NETTXF_csum_blank: the backend fills TCP/UDP checksums of
 *              IPv4 and IPv6 frames, leaves others and unparseable ones
 *     ctrl     the control ring: GET/ADD/DEL happy paths, ADD over capacity,
 *              duplicate and bad refs (nothing stays mapped), DEL of refs in
 *              use and not mapped, bad queue, oversize lists, unknown types;
 *              expects gref_map_size=64 on the backend
 *     tx-bad-gref, tx-short       bad packets answered NETIF_RSP_ERROR, the
 *                                 vif stays up and carries data afterwards
 *     bad-keys, ring-overfull     a ring ref that is not a number, a TX
 *                                 ring with 1000 requests: connect refused
 *     tx-prod-jump, tx-offset, tx-slots, rx-prod-jump, ctrl-prod-jump
 *                                 fatal breaks: the backend must go Closing
 *     tx-foreign-gref             a TX slot, an RX buffer and an ADD_GREF_MAPPING
 *                                 entry whose page is granted to domain 2, not
 *                                 to the backend: each refused, the vif carries
 *                                 data afterwards
 *     close-midburst, exit-midburst
 *                                 a full TX ring and a full RX ring pushed, then
 *                                 state Closing and exit at once (close-), or
 *                                 exit leaving state Connected (exit-): no
 *                                 unshare, no unbind, no waiting
 *
 * Exit status 0 when the backend did what the protocol asks.
 */
#include <errno.h>
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
#include "netif_xenbus.h"

#define NR_TX_PAGES 256
#define NR_RX_PAGES 256
#define PG_TX_RING 0
#define PG_RX_RING 1
#define PG_CTRL_RING 2
#define PG_LIST 3 /* the list page shares the ring block's tail */
#define PG_TX0 4
#define PG_RX0 (PG_TX0 + NR_TX_PAGES)
#define NR_ALL (PG_RX0 + NR_RX_PAGES)

static struct fe {
	struct xs_handle *xs;
	xengntshr_handle *gs;
	xenevtchn_handle *ev;
	unsigned int domid, be_domid;
	char path[128], be_path[128];
	uint8_t *pages;
	uint32_t refs[NR_ALL];
	evtchn_port_t port, ctrl_port;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	xen_netif_ctrl_front_ring_t ctrl;
	uint16_t ctrl_id;
	const char *refuse; /* a mode the backend must refuse at connect */
	int fails;
} fe;

#define PAGE(i) (fe.pages + (size_t)(i) * NETIF_PAGE_SIZE)

static void
die(const char *what)
{
	fprintf(stderr, "netback_fe: %s: %s\n", what, strerror(errno));
	exit(2);
}

#define EXPECT(cond, ...)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "netback_fe: FAIL line %d: ", __LINE__); \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			fe.fails++;                                          \
		}                                                            \
	} while (0)

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fe_write(const char *key, const char *fmt, unsigned long v)
{
	if (netif_xs_write(fe.xs, XBT_NULL, fe.path, key, fmt, v) != 0)
		die(key);
}

static void
fe_connect(void)
{
	char dom[16];
	unsigned long v;
	enum xenbus_state st;

	fe.xs = xs_open(0);
	if (fe.xs == NULL)
		die("xs_open");
	if (netif_xs_read_str(fe.xs, NULL, "domid", dom, sizeof(dom)) ||
	    netif_parse_uint(dom, 0x7fef, &v))
		die("domid");
	fe.domid = (unsigned int)v;
	snprintf(fe.path, sizeof(fe.path), "/local/domain/%u/device/vif/0", fe.domid);
	if (netif_xs_read_str(fe.xs, fe.path, "backend", fe.be_path, sizeof(fe.be_path)) ||
	    netif_xs_read_uint(fe.xs, fe.path, "backend-id", 0x7fef, &v))
		die("backend");
	fe.be_domid = (unsigned int)v;
	netif_xb_set_state(fe.xs, fe.path, XenbusStateInitialising);
	if (netif_xb_wait_state(fe.be_path, NETIF_XB_STATE_BIT(XenbusStateInitWait),
				10000, &st) != 0)
		die("backend InitWait");

	fe.gs = xengntshr_open(NULL, 0);
	fe.ev = xenevtchn_open(NULL, 0);
	if (fe.gs == NULL || fe.ev == NULL)
		die("open gntshr/evtchn");
	fe.pages = xengntshr_share_pages(fe.gs, fe.be_domid, NR_ALL, fe.refs, 1);
	if (fe.pages == NULL)
		die("share pages");
	memset(fe.pages, 0, (size_t)NR_ALL * NETIF_PAGE_SIZE);
	SHARED_RING_INIT((netif_tx_sring_t *)PAGE(PG_TX_RING));
	SHARED_RING_INIT((netif_rx_sring_t *)PAGE(PG_RX_RING));
	SHARED_RING_INIT((xen_netif_ctrl_sring_t *)PAGE(PG_CTRL_RING));
	FRONT_RING_INIT(&fe.tx, (netif_tx_sring_t *)PAGE(PG_TX_RING), NETIF_PAGE_SIZE);
	FRONT_RING_INIT(&fe.rx, (netif_rx_sring_t *)PAGE(PG_RX_RING), NETIF_PAGE_SIZE);
	FRONT_RING_INIT(&fe.ctrl, (xen_netif_ctrl_sring_t *)PAGE(PG_CTRL_RING),
			NETIF_PAGE_SIZE);
	int p = xenevtchn_bind_unbound_port(fe.ev, fe.be_domid);
	int c = xenevtchn_bind_unbound_port(fe.ev, fe.be_domid);
	if (p < 0 || c < 0)
		die("evtchn");
	fe.port = (evtchn_port_t)p;
	fe.ctrl_port = (evtchn_port_t)c;

	fe_write("tx-ring-ref", "%lu", fe.refs[PG_TX_RING]);
	fe_write("rx-ring-ref", "%lu", fe.refs[PG_RX_RING]);
	fe_write("event-channel", "%lu", fe.port);
	fe_write("ctrl-ring-ref", "%lu", fe.refs[PG_CTRL_RING]);
	fe_write("event-channel-ctrl", "%lu", fe.ctrl_port);
	fe_write("request-rx-copy", "%lu", 1);
	fe_write("feature-sg", "%lu", 1);
	fe_write("feature-rx-notify", "%lu", 1);
	if (fe.refuse != NULL) {
		/* Garbage the backend must refuse to connect with. */
		if (strcmp(fe.refuse, "bad-keys") == 0)
			netif_xs_write(fe.xs, XBT_NULL, fe.path, "tx-ring-ref", "%s", "x1");
		else /* ring-overfull: more requests than the ring has slots */
			fe.tx.sring->req_prod = 1000;
	}
	netif_xb_set_state(fe.xs, fe.path, XenbusStateConnected);
	if (fe.refuse != NULL) {
		EXPECT(netif_xb_wait_state(fe.be_path,
					   NETIF_XB_STATE_BIT(XenbusStateClosing) |
					   NETIF_XB_STATE_BIT(XenbusStateClosed),
					   10000, &st) == 0,
		       "%s: backend did not refuse (state %s)", fe.refuse,
		       netif_xb_state_name(st));
		return;
	}
	if (netif_xb_wait_state(fe.be_path, NETIF_XB_STATE_BIT(XenbusStateConnected),
				10000, &st) != 0)
		die("backend Connected");
}

static void
fe_close(void)
{
	enum xenbus_state st;

	netif_xb_set_state(fe.xs, fe.path, XenbusStateClosing);
	netif_xb_wait_state(fe.be_path, NETIF_XB_STATE_BIT(XenbusStateClosing) |
			    NETIF_XB_STATE_BIT(XenbusStateClosed), 5000, &st);
	netif_xb_set_state(fe.xs, fe.path, XenbusStateClosed);
	netif_xb_wait_state(fe.be_path, NETIF_XB_STATE_BIT(XenbusStateClosed), 5000, &st);
	xengntshr_unshare(fe.gs, fe.pages, NR_ALL);
	xenevtchn_close(fe.ev);
	xengntshr_close(fe.gs);
	xs_close(fe.xs);
}

/* ---------------- control ring ---------------- */

static struct xen_netif_ctrl_response
ctrl_call(uint16_t type, uint32_t d0, uint32_t d1, uint32_t d2)
{
	struct xen_netif_ctrl_request req;
	struct xen_netif_ctrl_response rsp = { .status = 0xdead };
	double until = now() + 5;
	RING_IDX prod;

	netif_ctrl_req(&req, fe.ctrl_id++, type, d0, d1, d2);
	*RING_GET_REQUEST(&fe.ctrl, fe.ctrl.req_prod_pvt) = req;
	fe.ctrl.req_prod_pvt++;
	if (NETIF_PUSH_REQUESTS(&fe.ctrl))
		xenevtchn_notify(fe.ev, fe.ctrl_port);
	while (now() < until) {
		int n = NETIF_FRONT_RSP_AVAIL(&fe.ctrl, &prod);

		if (n < 0) {
			EXPECT(0, "control ring: bad rsp_prod");
			return rsp;
		}
		if (n > 0) {
			RING_COPY_RESPONSE(&fe.ctrl, fe.ctrl.rsp_cons, &rsp);
			fe.ctrl.rsp_cons++;
			EXPECT(netif_ctrl_rsp_check(&rsp, &req) == NETIF_OK,
			       "bad control response to %s", netif_ctrl_type_name(type));
			return rsp;
		}
		usleep(200);
	}
	EXPECT(0, "no control response to %s", netif_ctrl_type_name(type));
	return rsp;
}

/* ADD or DEL the refs of pages [first, first+n); ref `bad` replaces entry `at`. */
static struct xen_netif_ctrl_response
gref_msg(uint16_t type, unsigned int first, unsigned int n, int at, uint32_t bad)
{
	struct xen_netif_gref *l = (struct xen_netif_gref *)PAGE(PG_LIST);

	netif_ctrl_gref_fill(l, &fe.refs[first], n, 0);
	if (at >= 0)
		l[at].ref = bad;
	return ctrl_call(type, 0, fe.refs[PG_LIST], n);
}

static uint32_t
gref_free(void)
{
	return ctrl_call(XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, 0, 0, 0).data;
}

/* ---------------- data path ---------------- */

static void
rx_post(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		RING_IDX idx = fe.rx.req_prod_pvt++;
		netif_rx_request_t *r = RING_GET_REQUEST(&fe.rx, idx);

		r->id = (uint16_t)(idx & (NETIF_RX_RING_SIZE - 1));
		r->gref = fe.refs[PG_RX0 + r->id];
	}
	NETIF_PUSH_REQUESTS(&fe.rx);
}

static uint8_t
pattern(unsigned int k, unsigned int i)
{
	return (uint8_t)(k * 31 + i * 7 + (i >> 8));
}

/* Queue one packet of `len` bytes: slots of at most 4096 - off bytes. */
static void
tx_queue(unsigned int k, uint32_t len, unsigned int page0, uint16_t off)
{
	uint32_t done = 0;
	unsigned int s = 0;

	while (done < len) {
		uint16_t o = s == 0 ? off : 0;
		uint32_t n = len - done < NETIF_PAGE_SIZE - o ? len - done : NETIF_PAGE_SIZE - o;
		unsigned int pg = PG_TX0 + (page0 + s) % NR_TX_PAGES;
		RING_IDX idx = fe.tx.req_prod_pvt++;
		netif_tx_request_t *r = RING_GET_REQUEST(&fe.tx, idx);

		for (uint32_t i = 0; i < n; i++)
			PAGE(pg)[o + i] = pattern(k, done + i);
		r->gref = fe.refs[pg];
		r->offset = o;
		r->id = (uint16_t)(idx & (NETIF_TX_RING_SIZE - 1));
		r->size = (uint16_t)(s == 0 ? len : n);
		r->flags = done + n < len ? NETTXF_more_data : 0;
		done += n;
		s++;
	}
}

/* Collect TX responses; returns how many were errors. */
static int
tx_reap(unsigned int *reaped)
{
	RING_IDX prod;
	int n = NETIF_FRONT_RSP_AVAIL(&fe.tx, &prod), errs = 0;

	EXPECT(n >= 0, "TX rsp_prod beyond the requests");
	for (int i = 0; i < n; i++) {
		netif_tx_response_t r;

		RING_COPY_RESPONSE(&fe.tx, fe.tx.rsp_cons + i, &r);
		EXPECT(netif_tx_rsp_check(&r, NETIF_TX_RING_SIZE) == NETIF_OK,
		       "bad TX response");
		errs += r.status != NETIF_RSP_OKAY;
	}
	if (n > 0)
		fe.tx.rsp_cons += (RING_IDX)n;
	*reaped += n > 0 ? (unsigned int)n : 0;
	return errs;
}

/* Receive one echoed packet and compare it with packet k; -1: none yet. */
static int
rx_one(unsigned int k, uint32_t len)
{
	struct netif_rx_pkt pkt;
	RING_IDX prod;
	int n = NETIF_FRONT_RSP_AVAIL(&fe.rx, &prod);
	unsigned int used;
	uint32_t at = 0;
	int bad = 0;

	if (n <= 0)
		return -1;
	used = netif_front_rx_read(&fe.rx, fe.rx.rsp_cons, (unsigned int)n, &pkt);
	if (used == 0)
		return -1;
	EXPECT(pkt.err == NETIF_OK, "RX packet %u: %s", k, netif_strerr(pkt.err));
	EXPECT(pkt.total == len, "RX packet %u: %u bytes, sent %u", k, pkt.total, len);
	for (unsigned int s = 0; s < pkt.nr_slots && pkt.err == NETIF_OK; s++) {
		const uint8_t *p = PAGE(PG_RX0 + pkt.rsp[s].id) + pkt.rsp[s].offset;

		for (int i = 0; i < pkt.rsp[s].status; i++, at++)
			bad += p[i] != pattern(k, at);
	}
	EXPECT(bad == 0, "RX packet %u: %d bytes differ", k, bad);
	fe.rx.rsp_cons += used;
	rx_post(used);
	return bad != 0 || pkt.err != NETIF_OK;
}

static const uint32_t sizes[] = { 60, 64, 100, 1514, 4000, 4096, 5000, 9000, 1000, 2000 };

/* Send `count` packets, 8 at a time, and check each echo. */
static unsigned int
data_run(unsigned int count, unsigned int base)
{
	unsigned int sent = 0, got = 0, reaped = 0, queued_slots = 0, bad = 0;
	double until = now() + 20;

	while (got < count && now() < until) {
		unsigned int batch = 0;

		while (sent < count && batch < 8 && queued_slots + 3 <= NETIF_TX_RING_SIZE) {
			unsigned int k = base + sent;
			uint32_t len = sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
			RING_IDX before = fe.tx.req_prod_pvt;

			/* Pages cycle through the ring: half staged, half not. */
			tx_queue(k, len, (k * 3) % NR_TX_PAGES, (uint16_t)(len < 2000 ? 64 : 0));
			queued_slots += fe.tx.req_prod_pvt - before;
			sent++;
			batch++;
		}
		if (batch > 0)
			NETIF_PUSH_REQUESTS(&fe.tx);
		for (int spin = 0; spin < 1000 && got < sent; spin++) {
			unsigned int k = base + got;
			int r = rx_one(k, sizes[k % (sizeof(sizes) / sizeof(sizes[0]))]);

			if (r < 0) {
				usleep(50);
				continue;
			}
			bad += (unsigned int)r;
			got++;
		}
		bad += (unsigned int)tx_reap(&reaped);
		queued_slots = fe.tx.req_prod_pvt - fe.tx.rsp_cons;
	}
	EXPECT(got == count, "only %u of %u packets echoed", got, count);
	EXPECT(bad == 0, "%u packets bad", bad);
	return got;
}

/* ---------------- checksums ---------------- */

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* One's complement sum over pseudo header + L4 is 0xffff when valid. */
static int
l4_csum_ok(const uint8_t *f, uint32_t len)
{
	uint32_t s = 0;

	if (f[12] == 0x08 && f[13] == 0x00) {
		uint32_t ihl = (f[14] & 0xf) * 4u, l4len = len - 14 - ihl;

		s = sum16(f + 26, 8, 0) + f[23] + l4len;
		return fold(sum16(f + 14 + ihl, l4len, s)) == 0xffff;
	}
	s = sum16(f + 22, 32, 0) + f[20] + (uint32_t)(len - 54);
	return fold(sum16(f + 54, len - 54, s)) == 0xffff;
}

/* Build an Ethernet + IPv4/UDP (v6 = 0) or IPv6/TCP (v6 = 1) frame. */
static uint32_t
frame(uint8_t *f, int v6, uint32_t payload)
{
	uint32_t l4len = (v6 ? 20 : 8) + payload, len;

	memset(f, 0, 14 + 40 + l4len);
	memset(f, 0xff, 6);
	f[6] = 0x02;
	if (!v6) {
		f[12] = 0x08, f[13] = 0x00;
		f[14] = 0x45;
		f[16] = (uint8_t)((20 + l4len) >> 8), f[17] = (uint8_t)(20 + l4len);
		f[22] = 64, f[23] = 17; /* UDP */
		f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
		f[34] = 0x12, f[35] = 0x34, f[36] = 0x00, f[37] = 0x35;
		f[38] = (uint8_t)(l4len >> 8), f[39] = (uint8_t)l4len;
		f[40] = 0xde, f[41] = 0xad; /* checksum: left to the backend */
		for (uint32_t i = 0; i < payload; i++)
			f[42 + i] = (uint8_t)(i * 13);
		len = 42 + payload;
	} else {
		f[12] = 0x86, f[13] = 0xdd;
		f[14] = 0x60;
		f[18] = (uint8_t)(l4len >> 8), f[19] = (uint8_t)l4len;
		f[20] = 6, f[21] = 64; /* TCP */
		f[22] = 0xfd, f[37] = 1, f[38] = 0xfd, f[53] = 2;
		f[54] = 0x30, f[55] = 0x39, f[56] = 0x00, f[57] = 0x50;
		f[66] = 0x50, f[67] = 0x18; /* data offset 5, PSH ACK */
		f[70] = 0xbe, f[71] = 0xef; /* checksum: left to the backend */
		for (uint32_t i = 0; i < payload; i++)
			f[74 + i] = (uint8_t)(i * 7);
		len = 74 + payload;
	}
	return len;
}

/* Send one frame in one slot with `flags`; return the echo's bytes in out. */
static int
echo_frame(const uint8_t *f, uint32_t len, uint16_t flags, uint8_t *out)
{
	RING_IDX idx = fe.tx.req_prod_pvt++;
	netif_tx_request_t *r = RING_GET_REQUEST(&fe.tx, idx);
	unsigned int pg = PG_TX0 + (idx & (NR_TX_PAGES - 1)), reaped = 0;
	double until = now() + 5;

	memcpy(PAGE(pg), f, len);
	r->gref = fe.refs[pg];
	r->offset = 0;
	r->id = (uint16_t)(idx & (NETIF_TX_RING_SIZE - 1));
	r->size = (uint16_t)len;
	r->flags = flags;
	NETIF_PUSH_REQUESTS(&fe.tx);
	while (now() < until) {
		struct netif_rx_pkt pkt;
		RING_IDX prod;
		int n = NETIF_FRONT_RSP_AVAIL(&fe.rx, &prod);
		unsigned int used;
		uint32_t at = 0;

		tx_reap(&reaped);
		if (n <= 0 || (used = netif_front_rx_read(&fe.rx, fe.rx.rsp_cons,
							   (unsigned int)n, &pkt)) == 0) {
			usleep(100);
			continue;
		}
		for (unsigned int s = 0; s < pkt.nr_slots && pkt.err == NETIF_OK; s++) {
			memcpy(out + at, PAGE(PG_RX0 + pkt.rsp[s].id) + pkt.rsp[s].offset,
			       (size_t)pkt.rsp[s].status);
			at += (uint32_t)pkt.rsp[s].status;
		}
		fe.rx.rsp_cons += used;
		rx_post(used);
		return pkt.err == NETIF_OK ? (int)at : -1;
	}
	return -1;
}

static void
mode_csum(void)
{
	static uint8_t f[9100], out[9100];
	const struct {
		int v6;
		uint32_t payload;
		uint16_t flags;
		int expect_ok;
	} t[] = {
		{ 0, 100, NETTXF_csum_blank, 1 },
		{ 1, 200, NETTXF_csum_blank, 1 },
		{ 0, 1, NETTXF_csum_blank, 1 },
		{ 0, 3000, NETTXF_csum_blank | NETTXF_data_validated, 1 },
		{ 0, 100, 0, 0 }, /* not asked: left as sent (wrong) */
	};

	rx_post(NETIF_RX_RING_SIZE);
	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint32_t len = frame(f, t[i].v6, t[i].payload);
		int got = echo_frame(f, len, t[i].flags, out);

		EXPECT(got == (int)len, "csum %u: echoed %d bytes of %u", i, got, len);
		if (got == (int)len)
			EXPECT(l4_csum_ok(out, len) == t[i].expect_ok,
			       "csum %u: checksum %s", i, t[i].expect_ok ? "wrong" : "fixed unasked");
	}
	/* An IPv4 total length past the packet: delivered as it is. */
	{
		uint32_t len = frame(f, 0, 100);
		int got;

		f[16] = 0x40;
		got = echo_frame(f, len, NETTXF_csum_blank, out);
		EXPECT(got == (int)len && memcmp(f, out, len) == 0,
		       "bad IPv4 length: not delivered unchanged");
	}
	printf("csum: checksums filled for IPv4/UDP and IPv6/TCP\n");
}

/* ---------------- modes ---------------- */

static void
mode_ctrl(void)
{
	struct xen_netif_ctrl_response r;
	struct xen_netif_gref *l = (struct xen_netif_gref *)PAGE(PG_LIST);
	uint32_t cap = gref_free();

	EXPECT(cap == 64, "GET_GREF_MAPPING_SIZE = %u, backend runs gref_map_size=64", cap);
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0, 32, -1, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_SUCCESS, "ADD 32: status %u", r.status);
	EXPECT(l[0].status == 0 && l[31].status == 0, "ADD 32: entry statuses not SUCCESS");
	EXPECT(gref_free() == 32, "after ADD 32: %u free", gref_free());
	/* Over capacity: nothing added. */
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0 + 32, 40, -1, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW, "ADD over capacity: %u", r.status);
	EXPECT(gref_free() == 32, "over-capacity ADD changed the table");
	/* A duplicate, then a ref never granted: whole message fails. */
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0 + 32, 8, 5, fe.refs[PG_TX0 + 33]);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "ADD dup: %u", r.status);
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0 + 32, 8, 6, 999999);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "ADD bad ref: %u", r.status);
	for (int i = 0; i < 8; i++)
		EXPECT(l[i].status != 0, "ADD bad ref: entry %d says SUCCESS", i);
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0, 1, -1, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "ADD of a mapped ref: %u", r.status);
	EXPECT(gref_free() == 32, "failed ADDs left entries: %u free", gref_free());
	/* RX pages: staged, then posted; DEL of a posted one is refused. */
	r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_RX0, 4, -1, 0);
	EXPECT(r.status == 0, "ADD RX pages: %u", r.status);
	rx_post(2); /* pages PG_RX0 + 0, + 1 now in the backend's hands */
	r = gref_msg(XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, PG_RX0, 4, -1, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER && r.data == 2,
	       "DEL with 2 in use: status %u data %u", r.status, r.data);
	EXPECT(l[0].status != 0 && l[1].status != 0 && l[2].status == 0 && l[3].status == 0,
	       "DEL in use: entry statuses %u %u %u %u", l[0].status, l[1].status,
	       l[2].status, l[3].status);
	/* DEL of what was added, with one never mapped. */
	r = gref_msg(XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, PG_TX0, 33, -1, 0);
	EXPECT(r.data == 32 && l[32].status != 0, "DEL 32 + 1 unknown: data %u", r.data);
	EXPECT(gref_free() == 62, "after DEL: %u free", gref_free());
	/* Malformed and unsupported. */
	r = ctrl_call(XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE, 7, 0, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "bad queue: %u", r.status);
	r = ctrl_call(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, 0, fe.refs[PG_LIST], 513);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW, "513 entries: %u", r.status);
	r = ctrl_call(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, 0, fe.refs[PG_LIST], 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "0 entries: %u", r.status);
	r = ctrl_call(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, 0, 999999, 4);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER, "list page unmappable: %u", r.status);
	r = ctrl_call(99, 0, 0, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, "type 99: %u", r.status);
	r = ctrl_call(XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 1, 0, 0);
	EXPECT(r.status == XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED, "hash: %u", r.status);
	/* The vif still carries data (the 2 staged RX pages are posted). */
	rx_post(NETIF_RX_RING_SIZE - 2);
	data_run(50, 0);
}

static void
mode_data(unsigned int count)
{
	struct xen_netif_ctrl_response r;
	unsigned int n = gref_free() / 2; /* 0 when staging is not offered */

	/* Stage up to the first half of the TX pages and of the RX pages. */
	if (n > NR_TX_PAGES / 2)
		n = NR_TX_PAGES / 2;
	if (n > 0) {
		r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0, n, -1, 0);
		EXPECT(r.status == 0, "ADD TX pages: %u", r.status);
		r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_RX0, n, -1, 0);
		EXPECT(r.status == 0, "ADD RX pages: %u", r.status);
	}
	rx_post(NETIF_RX_RING_SIZE);
	printf("data: %u packets echoed and compared, %u pages of each ring staged\n",
	       data_run(count, 0), n);
}

/* A bad packet answered with an error; then good traffic still flows. */
static void
mode_nonfatal(const char *m)
{
	unsigned int reaped = 0;
	double until = now() + 5;
	int errs = 0;

	rx_post(NETIF_RX_RING_SIZE);
	tx_queue(1, 100, 0, 0);
	if (strcmp(m, "tx-bad-gref") == 0)
		RING_GET_REQUEST(&fe.tx, fe.tx.req_prod_pvt - 1)->gref = 999999;
	else /* tx-short */
		RING_GET_REQUEST(&fe.tx, fe.tx.req_prod_pvt - 1)->size = 10;
	NETIF_PUSH_REQUESTS(&fe.tx);
	while (reaped == 0 && now() < until) {
		errs += tx_reap(&reaped);
		usleep(1000);
	}
	EXPECT(reaped == 1 && errs == 1, "%s: %u responses, %d errors", m, reaped, errs);
	data_run(20, 100);
}

static void
mode_fatal(const char *m)
{
	enum xenbus_state st;

	rx_post(16);
	if (strcmp(m, "tx-prod-jump") == 0) {
		__atomic_store_n(&fe.tx.sring->req_prod, fe.tx.req_prod_pvt + 1000,
				 __ATOMIC_RELEASE);
	} else if (strcmp(m, "tx-offset") == 0) {
		tx_queue(1, 100, 0, 0);
		RING_GET_REQUEST(&fe.tx, fe.tx.req_prod_pvt - 1)->offset = 4090;
		NETIF_PUSH_REQUESTS(&fe.tx);
	} else if (strcmp(m, "tx-slots") == 0) {
		tx_queue(1, 19 * 100, 0, 0);
		/* 19 slots of 100 bytes, each its own page. */
		fe.tx.req_prod_pvt -= 1;
		for (unsigned int s = 0; s < 19; s++) {
			netif_tx_request_t *r = RING_GET_REQUEST(&fe.tx, fe.tx.req_prod_pvt);

			r->gref = fe.refs[PG_TX0 + s];
			r->offset = 0;
			r->id = (uint16_t)(fe.tx.req_prod_pvt & (NETIF_TX_RING_SIZE - 1));
			r->size = s == 0 ? 1900 : 100;
			r->flags = s < 18 ? NETTXF_more_data : 0;
			fe.tx.req_prod_pvt++;
		}
		NETIF_PUSH_REQUESTS(&fe.tx);
	} else if (strcmp(m, "rx-prod-jump") == 0) {
		__atomic_store_n(&fe.rx.sring->req_prod, fe.rx.req_prod_pvt + 5000,
				 __ATOMIC_RELEASE);
		/* The backend looks at the RX ring when it has a packet for us. */
		tx_queue(1, 100, 0, 0);
		NETIF_PUSH_REQUESTS(&fe.tx);
	} else if (strcmp(m, "ctrl-prod-jump") == 0) {
		__atomic_store_n(&fe.ctrl.sring->req_prod, 4000, __ATOMIC_RELEASE);
		xenevtchn_notify(fe.ev, fe.ctrl_port);
	} else {
		fprintf(stderr, "netback_fe: unknown mode %s\n", m);
		exit(2);
	}
	EXPECT(netif_xb_wait_state(fe.be_path, NETIF_XB_STATE_BIT(XenbusStateClosing) |
				   NETIF_XB_STATE_BIT(XenbusStateClosed), 5000, &st) == 0,
	       "%s: backend still %s after 5 s", m, netif_xb_state_name(st));
}

/* A page granted to a domain that is not the backend: refused everywhere. */
static void
mode_foreign(void)
{
	const uint16_t other = (uint16_t)(fe.be_domid + 2);
	struct xen_netif_ctrl_response r;
	struct netif_rx_pkt pkt;
	unsigned int reaped = 0;
	uint32_t ref, cap;
	uint8_t *pg;
	double until;
	int errs = 0, used = 0;
	RING_IDX prod;

	pg = xengntshr_share_pages(fe.gs, other, 1, &ref, 1);
	if (pg == NULL)
		die("granting a page to another domain");
	memset(pg, 0x5a, NETIF_PAGE_SIZE);
	/* The one RX buffer posted is that page. */
	rx_post(1);
	RING_GET_REQUEST(&fe.rx, fe.rx.req_prod_pvt - 1)->gref = ref;
	/* A TX packet read from it: answered with an error. */
	tx_queue(1, 100, 0, 0);
	RING_GET_REQUEST(&fe.tx, fe.tx.req_prod_pvt - 1)->gref = ref;
	NETIF_PUSH_REQUESTS(&fe.tx);
	for (until = now() + 5; reaped == 0 && now() < until; usleep(1000))
		errs += tx_reap(&reaped);
	EXPECT(reaped == 1 && errs == 1, "foreign TX gref: %u responses, %d errors",
	       reaped, errs);
	/* A good packet, echoed into that page: the copy fails, the slot says so. */
	tx_queue(2, 100, 1, 0);
	NETIF_PUSH_REQUESTS(&fe.tx);
	for (until = now() + 5; used == 0 && now() < until; usleep(1000)) {
		int n = NETIF_FRONT_RSP_AVAIL(&fe.rx, &prod);

		tx_reap(&reaped);
		if (n > 0)
			used = (int)netif_front_rx_read(&fe.rx, fe.rx.rsp_cons,
							(unsigned int)n, &pkt);
	}
	EXPECT(used == 1 && pkt.err == NETIF_E_PEER,
	       "echo into a foreign RX gref: %d entries, %s", used,
	       used ? netif_strerr(pkt.err) : "none");
	for (unsigned int i = 0; i < NETIF_PAGE_SIZE; i++)
		if (pg[i] != 0x5a) {
			EXPECT(0, "the page granted to domain %u was written", other);
			break;
		}
	fe.rx.rsp_cons += (RING_IDX)used;
	/* Staging: the foreign ref in a list of good ones fails the message. */
	cap = gref_free();
	if (cap > 0) {
		r = gref_msg(XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING, PG_TX0, 4, 2, ref);
		EXPECT(r.status == XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER,
		       "ADD of a foreign ref: status %u", r.status);
		EXPECT(gref_free() == cap, "a failed ADD changed the table");
	}
	rx_post(NETIF_RX_RING_SIZE);
	data_run(20, 100);
	xengntshr_unshare(fe.gs, pg, 1);
}

/* Both rings full, then gone: the backend must let go of everything. */
static void
mode_midburst(const char *m)
{
	unsigned int k = 0;

	rx_post(NETIF_RX_RING_SIZE);
	while (NETIF_TX_RING_SIZE - (fe.tx.req_prod_pvt - fe.tx.rsp_cons) >= 3) {
		tx_queue(k, sizes[k % (sizeof(sizes) / sizeof(sizes[0]))],
			 (k * 3) % NR_TX_PAGES, 0);
		k++;
	}
	NETIF_PUSH_REQUESTS(&fe.tx);
	xenevtchn_notify(fe.ev, fe.port);
	if (strcmp(m, "close-midburst") == 0)
		netif_xb_set_state(fe.xs, fe.path, XenbusStateClosing);
	printf("netback_fe %s: %u packets pushed, gone\n", m, k);
	fflush(stdout);
	_exit(0);
}

int
main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "data";

	if (strcmp(m, "bad-keys") == 0 || strcmp(m, "ring-overfull") == 0)
		fe.refuse = m;
	fe_connect();
	if (fe.refuse != NULL)
		;
	else if (strcmp(m, "data") == 0)
		mode_data(argc > 2 ? (unsigned int)atoi(argv[2]) : 2000);
	else if (strcmp(m, "ctrl") == 0)
		mode_ctrl();
	else if (strcmp(m, "csum") == 0)
		mode_csum();
	else if (strcmp(m, "tx-bad-gref") == 0 || strcmp(m, "tx-short") == 0)
		mode_nonfatal(m);
	else if (strcmp(m, "tx-foreign-gref") == 0)
		mode_foreign();
	else if (strcmp(m, "close-midburst") == 0 || strcmp(m, "exit-midburst") == 0)
		mode_midburst(m);
	else
		mode_fatal(m);
	fe_close();
	printf("netback_fe %s: %s\n", m, fe.fails ? "FAIL" : "ok");
	return fe.fails ? 1 : 0;
}
