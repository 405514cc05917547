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
#include <stdbool.h>
#include <stdint.h>

#include <xen/grant_table.h>

#define HV_PAGE_SIZE 4096u
#define HV_PAGE_SHIFT 12

/* ---- grant table: one memfd per domain ---- */

#define HV_GNT_MAGIC 0x54474d58u /* "XMGT" */
#define HV_GNT_VERSION 1u
#define HV_NR_GRANTS 32768u      /* as Xen's default 64 v1 grant frames */
#define HV_GNT_RESERVED 8u       /* refs 0..7 are never handed out (Xen's reserved entries) */

/*
 * One entry. hdr is Xen's v1 entry header (flags in bits 0-15 with Xen's
 * GTF_* values, domid in bits 16-31); the frame of ref r is always page r of
 * the domain's page memfd. rpins/wpins replace Xen's private "active entry"
 * pin counts: bit s is set while pin slot s holds the entry for reading /
 * writing. Slot 0 belongs to the daemon (grant mappings, counted there),
 * slots 1..63 to gnttab handles doing grant copies (one slot per handle and
 * granting domain). GTF_reading is kept set while any pin is held and
 * GTF_writing while a write pin is held, as Xen does.
 *
 * Pinning sets the slot bit first, then reads hdr and checks it; revoking
 * clears GTF_permit_access in hdr first, then reads the pins. Both steps are
 * sequentially consistent, so either the pinner sees the revocation (and
 * backs off) or the revoker sees the pin (and keeps the entry as a zombie
 * until the pins are gone).
 */
struct hv_gnt_entry {
	_Atomic uint32_t hdr;
	uint32_t frame;
	_Atomic uint64_t rpins;
	_Atomic uint64_t wpins;
	uint64_t pad;
};

#define HV_HDR_FLAGS(h) ((uint16_t)((h) & 0xffffu))
#define HV_HDR_DOMID(h) ((uint16_t)((h) >> 16))
#define HV_NR_PIN_SLOTS 64u
#define HV_MAP_SLOT 0u
#define HV_COPY_PINS(e) \
	((atomic_load(&(e)->rpins) | atomic_load(&(e)->wpins)) & ~(1ull << HV_MAP_SLOT))

/* Make GTF_reading/GTF_writing of hdr follow the pins (after any change). */
static inline void hv_fix_flags(struct hv_gnt_entry *e)
{
	for (;;) {
		uint64_t r = atomic_load(&e->rpins), w = atomic_load(&e->wpins);
		uint32_t want = ((r | w) ? GTF_reading : 0) | (w ? GTF_writing : 0);
		uint32_t h = atomic_load(&e->hdr);
		if ((h & (GTF_reading | GTF_writing)) != want) {
			uint32_t nh = (h & ~(uint32_t)(GTF_reading | GTF_writing)) | want;
			if (!atomic_compare_exchange_strong(&e->hdr, &h, nh))
				continue;
		}
		if (atomic_load(&e->rpins) == r && atomic_load(&e->wpins) == w)
			return;
	}
}

/*
 * Xen's checks for using an entry (_set_status, v1), then pin it in slot.
 * The caller must not already hold this slot's bit of the same kind.
 * Returns GNTST_okay or GNTST_general_error.
 */
static inline int16_t hv_pin(struct hv_gnt_entry *e, unsigned slot, bool write, uint16_t ldom)
{
	uint64_t bit = 1ull << slot;
	_Atomic uint64_t *pins = write ? &e->wpins : &e->rpins;

	atomic_fetch_or(pins, bit);
	uint32_t h = atomic_load(&e->hdr);
	if ((HV_HDR_FLAGS(h) & GTF_type_mask) != GTF_permit_access || HV_HDR_DOMID(h) != ldom ||
	    (write && (HV_HDR_FLAGS(h) & GTF_readonly))) {
		atomic_fetch_and(pins, ~bit);
		hv_fix_flags(e);
		return GNTST_general_error;
	}
	/* We hold a pin: the flags may only be missing, never extra. An
	 * unpinner clearing them concurrently re-reads the pins and puts
	 * them back (hv_fix_flags). */
	uint32_t want = GTF_reading | (write ? GTF_writing : 0);
	if ((atomic_load(&e->hdr) & want) != want)
		atomic_fetch_or(&e->hdr, want);
	return GNTST_okay;
}

static inline void hv_unpin(struct hv_gnt_entry *e, unsigned slot, bool write)
{
	atomic_fetch_and(write ? &e->wpins : &e->rpins, ~(1ull << slot));
	hv_fix_flags(e);
}

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
