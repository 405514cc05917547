/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim hypervisor part: what xensimd (app/xensim/hv) and the drop-in
 * libxengnttab/libxenevtchn (lib/xensim) share: the layout of the shared
 * memory areas and the messages on DIR/hv-dom<N>.sock.
 * See doc/xensim-hv.md.
 */
#ifndef XENSIM_HV_PROTO_H
#define XENSIM_HV_PROTO_H

#include <stdatomic.h>
#include <stdint.h>

#define HV_PAGE_SIZE 4096u
#define HV_PAGE_SHIFT 12

/* ---- grant table: one memfd per domain ---- */

#define HV_GNT_MAGIC 0x54474d58u /* "XMGT" */
#define HV_GNT_VERSION 1u
#define HV_NR_GRANTS 32768u      /* as Xen's default 64 v1 grant frames */
#define HV_GNT_RESERVED 8u       /* refs 0..7 are never handed out (Xen's reserved entries) */

/*
 * One entry. The low 32 bits of w are Xen's v1 header (flags, domid) with
 * Xen's GTF_* flags; the high 32 bits are the pins of the entry: bit s of
 * the read half / write half is set while "pin slot" s holds the entry for
 * reading / writing. Slot 0 belongs to the daemon (grant mappings), slots
 * 1..15 to gnttab handles doing grant copies. GTF_reading is set while any
 * pin is held, GTF_writing while any write pin is held, as Xen does.
 * The frame of ref r is always page r of the domain's page memfd.
 */
struct hv_gnt_entry {
	_Atomic uint64_t w;
	uint32_t frame;
	uint32_t pad;
};

#define HV_W_FLAGS(w) ((uint16_t)((w) & 0xffffu))
#define HV_W_DOMID(w) ((uint16_t)(((w) >> 16) & 0xffffu))
#define HV_W_RPINS(w) ((uint16_t)(((w) >> 32) & 0xffffu))
#define HV_W_WPINS(w) ((uint16_t)(((w) >> 48) & 0xffffu))
#define HV_W_PINS(w) ((uint32_t)((w) >> 32))
#define HV_W_RBIT(s) (1ull << (32 + (s)))
#define HV_W_WBIT(s) (1ull << (48 + (s)))
#define HV_NR_PIN_SLOTS 16u
#define HV_MAP_SLOT 0u

struct hv_gnt_table {
	uint32_t magic;
	uint32_t version;
	uint32_t domid;
	uint32_t nr_entries;
	_Atomic uint32_t dead; /* set when the domain is destroyed */
	uint32_t pad[1019];    /* header is one page */
	struct hv_gnt_entry e[HV_NR_GRANTS];
};

#define HV_GNT_TABLE_SIZE (sizeof(struct hv_gnt_table))
#define HV_POOL_SIZE ((uint64_t)HV_NR_GRANTS * HV_PAGE_SIZE)

/* ---- event channels: one memfd per domain, one word per port ---- */

#define HV_NR_PORTS 4096u /* as Xen's 2-level ABI for 64-bit guests */
/*
 * Port word: generation (bits 2..31, changes at every bind/close) | MASKED |
 * PENDING. PENDING is Xen's pending bit; MASKED is the Linux evtchn device's
 * "delivered, not yet unmasked" state.
 */
#define HV_EVT_PENDING 1u
#define HV_EVT_MASKED 2u
#define HV_EVT_GEN(w) ((w) & ~3u)

struct hv_evt_area {
	uint32_t magic;
	uint32_t domid;
	_Atomic uint32_t dead;
	uint32_t pad[1021];
	_Atomic uint32_t st[HV_NR_PORTS];
};
#define HV_EVT_MAGIC 0x54454d58u /* "XMET" */
#define HV_EVT_AREA_SIZE (sizeof(struct hv_evt_area))

/* ---- messages (SOCK_SEQPACKET) ---- */

enum hv_op {
	HV_OP_HELLO = 1,     /* -> a = domid of the connection */
	HV_OP_ATTACH,        /* a = domid -> fds [table, pool], a = nr_entries */
	HV_OP_SLOT,          /* a = domid -> a = copy pin slot (1..15) */
	HV_OP_SHARE,         /* a = domid, b = writable, count -> data = refs */
	HV_OP_UNSHARE,       /* count, data = refs */
	HV_OP_MAP,           /* a = domid, b = writable, count, data = refs -> a = map id */
	HV_OP_UNMAP,         /* a = map id */
	HV_OP_EVT_OPEN,      /* fd = eventfd of the handle -> fd = own event area */
	HV_OP_EVT_UNBOUND,   /* a = remote domid -> a = port, b = gen */
	HV_OP_EVT_BIND,      /* a = remote domid, b = remote port -> a = port, b = gen */
	HV_OP_EVT_UNBIND,    /* a = port */
	HV_OP_EVT_PEER,      /* a = local port -> a = remote domid, b = remote port,
				c = remote gen (0: not connected), fds [area, eventfd] */
	HV_OP_NOTIFY,        /* a = local port: notify through the daemon (unmap notify) */
};

/* flags of SHARE and MAP (b) */
#define HV_F_WRITABLE 1u
#define HV_F_NOTIFY_BYTE 2u  /* clear byte c (offset) at unshare/unmap */
#define HV_F_NOTIFY_PORT 4u  /* send on port d at unshare/unmap */

#define HV_MAX_REFS 4096u /* refs in one message; the libraries split bigger requests */

struct hv_msg {
	uint32_t op;
	int32_t err;   /* reply: 0 or a negative errno */
	uint32_t a, b, c, d;
	uint32_t count;
	uint32_t data[];
};

#define HV_MSG_MAX (sizeof(struct hv_msg) + HV_MAX_REFS * sizeof(uint32_t))

#endif
