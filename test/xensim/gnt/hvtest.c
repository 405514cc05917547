/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the xensim grant tables and event channels through the drop-in
 * libxengnttab/libxenevtchn (this program links Debian's libraries and is
 * run with LD_LIBRARY_PATH pointing at <build>/lib/xensim).
 *
 *   hvtest XENSIMD SCENARIO       run one scenario (the meson tests)
 *   hvtest --child ROLE SCENARIO PEERFD CTLFD   (internal: one domain)
 *
 * Domain 1 runs role "a", domain 2 role "b".
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "harness.h"
#include "hv_proto.h"

#define PG 4096u
#define BIG 5000u /* pages: more than one daemon message (4096 refs) */

enum { T_REFS = 1, T_STEP, T_PORT, T_DONE, T_READY, T_GO };

static int peer = -1, ctl = -1;

static void step_send(int fd, uint32_t step)
{
	h_send1(fd, T_STEP, step);
}

static void step_wait(int fd, uint32_t step)
{
	uint32_t got = h_recv1(fd, T_STEP);
	if (got != step)
		FAIL("expected step %u, got %u", step, got);
}

static int copy1(xengnttab_handle *gt, xengnttab_grant_copy_segment_t *s)
{
	s->status = 99;
	if (xengnttab_grant_copy(gt, 1, s) != 0)
		FAIL("grant_copy call failed: %s", strerror(errno));
	return s->status;
}

static xengnttab_grant_copy_segment_t seg_from_gref(uint16_t dom, uint32_t ref, uint16_t off,
						    void *dst, uint16_t len)
{
	xengnttab_grant_copy_segment_t s = { 0 };
	s.source.foreign.domid = dom;
	s.source.foreign.ref = ref;
	s.source.foreign.offset = off;
	s.dest.virt = dst;
	s.len = len;
	s.flags = GNTCOPY_source_gref;
	return s;
}

static xengnttab_grant_copy_segment_t seg_to_gref(const void *src, uint16_t dom, uint32_t ref,
						  uint16_t off, uint16_t len)
{
	xengnttab_grant_copy_segment_t s = { 0 };
	s.source.virt = (void *)src;
	s.dest.foreign.domid = dom;
	s.dest.foreign.ref = ref;
	s.dest.foreign.offset = off;
	s.len = len;
	s.flags = GNTCOPY_dest_gref;
	return s;
}

static void wait_port(xenevtchn_handle *xe, evtchn_port_t want)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xe), .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, -1);
	while (n < 0 && errno == EINTR);
	CHECK(n == 1 && (pfd.revents & POLLIN));
	xenevtchn_port_or_error_t p = xenevtchn_pending(xe);
	if (p != (xenevtchn_port_or_error_t)want)
		FAIL("pending returned %d, expected %u", p, want);
	CHECK(xenevtchn_unmask(xe, want) == 0);
}

static bool fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 1;
}

/* Our domain's grant table, as the daemon hands it to the libraries. */
static const struct hv_gnt_table *own_table(void)
{
	static const struct hv_gnt_table *t;
	char path[108];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (t)
		return t;
	snprintf(path, sizeof(path), "%s/hv-dom%s.sock", getenv("XENSIM_DIR"),
		 getenv("XENSIM_DOMID"));
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	struct hv_msg q = { .op = HV_OP_ATTACH, .a = (uint32_t)atoi(getenv("XENSIM_DOMID")) }, r;
	CHECK(send(fd, &q, sizeof(q), 0) == sizeof(q));
	union {
		char b[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	CHECK(recvmsg(fd, &mh, 0) == sizeof(r) && r.err == 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm && cm->cmsg_type == SCM_RIGHTS);
	int fds[2];
	memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	t = mmap(NULL, HV_GNT_TABLE_SIZE, PROT_READ, MAP_SHARED, fds[0], 0);
	CHECK(t != MAP_FAILED);
	close(fds[0]);
	close(fds[1]);
	close(fd);
	return t;
}

/* ================================================================ */
/* share-map */

static void share_map_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(shr, "xengntshr_open: %s", strerror(errno));
	uint32_t refs[6];
	uint8_t *p = xengntshr_share_pages(shr, 2, 4, refs, 1);
	CHECK(p, "share_pages: %s", strerror(errno));
	for (unsigned i = 0; i < 4; i++) {
		CHECK(p[i * PG + 1] == 0, "fresh shared pages are zeroed");
		p[i * PG] = (uint8_t)(0xa0 + i);
	}
	uint8_t *ro = xengntshr_share_pages(shr, 2, 1, &refs[4], 0);
	CHECK(ro);
	ro[0] = 0x55;
	uint8_t *o = xengntshr_share_pages(shr, 0, 1, &refs[5], 1);
	CHECK(o);
	struct hv_line l = h_status(1);
	CHECK(l.present && l.grants == 6, "grants=%u", l.grants);
	h_send(peer, T_REFS, 6, refs);

	step_wait(peer, 1); /* b mapped and wrote */
	{
		const struct hv_gnt_table *t = own_table();
		uint16_t f = HV_HDR_FLAGS(atomic_load(&t->e[refs[0]].hdr));
		CHECK(f == (GTF_permit_access | GTF_reading | GTF_writing),
		      "flags 0x%x of a grant mapped writable", f);
		CHECK(HV_HDR_DOMID(atomic_load(&t->e[refs[0]].hdr)) == 2);
		f = HV_HDR_FLAGS(atomic_load(&t->e[refs[4]].hdr));
		CHECK(f == (GTF_permit_access | GTF_readonly), "flags 0x%x of an unmapped r/o grant", f);
	}
	for (unsigned i = 0; i < 4; i++)
		CHECK(p[i * PG + 1] == 0xb0 + i, "page %u: b's write is visible", i);
	p[2 * PG + 100] = 0x77;
	step_send(peer, 2);
	step_wait(peer, 3); /* b done and unmapped */
	{
		const struct hv_gnt_table *t = own_table();
		uint16_t f = HV_HDR_FLAGS(atomic_load(&t->e[refs[0]].hdr));
		CHECK(f == GTF_permit_access, "flags 0x%x after unmap", f);
	}

	/* more pages than one daemon message carries */
	static uint32_t big[BIG];
	uint8_t *bp = xengntshr_share_pages(shr, 2, BIG, big, 1);
	CHECK(bp, "share %u pages: %s", BIG, strerror(errno));
	for (unsigned i = 0; i < BIG; i++)
		memcpy(bp + (size_t)i * PG + 8, &i, sizeof(i));
	h_expect(1, 1, 6 + BIG, 0, 0);
	for (unsigned i = 0; i < BIG; i += 14)
		h_send(peer, T_REFS, BIG - i < 14 ? BIG - i : 14, big + i);
	step_wait(peer, 4);
	for (unsigned i = 0; i < BIG; i++)
		CHECK(bp[(size_t)i * PG] == (uint8_t)(i * 3), "b's write in big page %u", i);
	CHECK(xengntshr_unshare(shr, bp, BIG) == 0);

	errno = 0;
	CHECK(xengntshr_unshare(shr, p + 17, 1) == -1 && errno == EINVAL);
	CHECK(xengntshr_unshare(shr, ro, 1) == 0);
	CHECK(xengntshr_unshare(shr, o, 1) == 0);
	CHECK(xengntshr_unshare(shr, p + PG, 2) == 0, "partial unshare");
	h_expect(1, 1, 2, 0, 0);
	CHECK(p[0] == 0xa0 && p[3 * PG] == 0xa3, "the rest stays mapped");
	CHECK(xengntshr_unshare(shr, p, 1) == 0);
	CHECK(xengntshr_unshare(shr, p + 3 * PG, 1) == 0);
	h_expect(1, 1, 0, 0, 0);
	CHECK(xengntshr_close(shr) == 0);
}

static void share_map_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(gt, "xengnttab_open: %s", strerror(errno));
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	uint32_t *refs = m.v;

	uint8_t *map = xengnttab_map_domain_grant_refs(gt, 4, 1, refs, PROT_READ | PROT_WRITE);
	CHECK(map, "map_domain_grant_refs: %s", strerror(errno));
	for (unsigned i = 0; i < 4; i++) {
		CHECK(map[i * PG] == 0xa0 + i, "page %u has a's data", i);
		map[i * PG + 1] = (uint8_t)(0xb0 + i);
	}
	struct hv_line l = h_status(2);
	CHECK(l.maps == 4, "maps=%u", l.maps);
	step_send(peer, 1);
	step_wait(peer, 2);
	CHECK(map[2 * PG + 100] == 0x77, "a's write is visible");

	/* read-only grant: read mapping works, writable mapping is refused */
	uint8_t *r = xengnttab_map_grant_ref(gt, 1, refs[4], PROT_READ);
	CHECK(r && r[0] == 0x55);
	errno = 0;
	CHECK(!xengnttab_map_grant_ref(gt, 1, refs[4], PROT_READ | PROT_WRITE) && errno == EINVAL);
	/* granted to another domain */
	CHECK(!xengnttab_map_grant_ref(gt, 1, refs[5], PROT_READ));
	/* out of the table, never granted, no such domain */
	CHECK(!xengnttab_map_grant_ref(gt, 1, 40000, PROT_READ));
	CHECK(!xengnttab_map_grant_ref(gt, 1, 30000, PROT_READ));
	CHECK(!xengnttab_map_grant_ref(gt, 99, refs[0], PROT_READ));
	/* one bad ref fails the whole batch and leaves nothing mapped */
	uint32_t mixed[2] = { refs[0], 30000 };
	CHECK(!xengnttab_map_domain_grant_refs(gt, 2, 1, mixed, PROT_READ));
	l = h_status(2);
	CHECK(l.maps == 5, "maps=%u after failed maps", l.maps);

	/* per-ref domain ids, same page mapped twice */
	uint32_t doms[2] = { 1, 1 }, two[2] = { refs[3], refs[0] };
	uint8_t *m2 = xengnttab_map_grant_refs(gt, 2, doms, two, PROT_READ);
	CHECK(m2 && m2[0] == 0xa3 && m2[PG] == 0xa0);
	CHECK(m2[1] == 0xb3);

	errno = 0;
	CHECK(xengnttab_unmap(gt, map, 3) == -1 && errno == EINVAL, "unmap needs the whole count");
	CHECK(xengnttab_unmap(gt, map + PG, 3) == -1);
	CHECK(xengnttab_unmap(gt, map, 4) == 0);
	CHECK(xengnttab_unmap(gt, m2, 2) == 0);
	CHECK(xengnttab_unmap(gt, r, 1) == 0);
	h_expect(2, 1, 0, 0, 0);
	CHECK(xengnttab_set_max_grants(gt, 128) == 0);

	/* one mapping of refs from two domains: a's and our own */
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(shr);
	uint32_t own;
	uint8_t *op = xengntshr_share_pages(shr, 2, 1, &own, 1);
	CHECK(op);
	op[0] = 0x3c;
	uint32_t doms2[2] = { 2, 1 }, refs2[2] = { own, refs[1] };
	uint8_t *m3 = xengnttab_map_grant_refs(gt, 2, doms2, refs2, PROT_READ | PROT_WRITE);
	CHECK(m3 && m3[0] == 0x3c && m3[PG] == 0xa1);
	m3[1] = 0x3d;
	CHECK(op[1] == 0x3d);
	CHECK(xengnttab_unmap(gt, m3, 2) == 0);
	CHECK(xengntshr_unshare(shr, op, 1) == 0);
	CHECK(xengntshr_close(shr) == 0);
	step_send(peer, 3);

	/* a big mapping, split into several daemon requests */
	static uint32_t big[BIG];
	for (unsigned i = 0; i < BIG; i += 14) {
		struct hmsg bm;
		h_recv(peer, T_REFS, &bm);
		memcpy(big + i, bm.v, bm.n * sizeof(uint32_t));
	}
	uint8_t *bmap = xengnttab_map_domain_grant_refs(gt, BIG, 1, big, PROT_READ | PROT_WRITE);
	CHECK(bmap, "map %u refs: %s", BIG, strerror(errno));
	h_expect(2, 1, 0, BIG, 0);
	for (unsigned i = 0; i < BIG; i++) {
		uint32_t v;
		memcpy(&v, bmap + (size_t)i * PG + 8, sizeof(v));
		CHECK(v == i, "big page %u", i);
		bmap[(size_t)i * PG] = (uint8_t)(i * 3);
	}
	CHECK(xengnttab_unmap(gt, bmap, BIG) == 0);
	step_send(peer, 4);
	CHECK(xengnttab_close(gt) == 0);
}

/* ================================================================ */
/* copy */

static void copy_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(shr && gt);
	uint32_t refs[3];
	uint8_t *rw = xengntshr_share_pages(shr, 2, 1, &refs[0], 1);
	uint8_t *ro = xengntshr_share_pages(shr, 2, 1, &refs[1], 0);
	uint8_t *o = xengntshr_share_pages(shr, 0, 1, &refs[2], 1);
	CHECK(rw && ro && o);
	for (unsigned i = 0; i < PG; i++) {
		rw[i] = (uint8_t)(i * 7);
		ro[i] = (uint8_t)(i * 3);
	}
	h_send(peer, T_REFS, 3, refs);

	step_wait(peer, 1);
	for (unsigned i = 0; i < 64; i++)
		CHECK(rw[200 + i] == 'B', "b's copy into a's page");
	CHECK(ro[0] == 0, "read-only page untouched");
	/* the other direction: a copies from and to b's grant */
	uint32_t bref = h_recv1(peer, T_REFS);
	uint8_t buf[128];
	xengnttab_grant_copy_segment_t s = seg_from_gref(2, bref, 0, buf, 128);
	CHECK(copy1(gt, &s) == GNTST_okay);
	for (unsigned i = 0; i < 128; i++)
		CHECK(buf[i] == (uint8_t)(i ^ 0x5a), "b's data at %u", i);
	memset(buf, 'A', sizeof(buf));
	s = seg_to_gref(buf, 2, bref, 1000, 100);
	CHECK(copy1(gt, &s) == GNTST_okay);
	step_send(peer, 2);
	step_wait(peer, 3);
	CHECK(xengnttab_close(gt) == 0);
	CHECK(xengntshr_close(shr) == 0);
	h_expect(1, 1, 0, 0, 0);
}

static void copy_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(gt && shr);
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	uint32_t rw = m.v[0], ro = m.v[1], other = m.v[2];
	uint8_t buf[PG], src[PG];
	xengnttab_grant_copy_segment_t s;

	/* gref -> local */
	s = seg_from_gref(1, rw, 100, buf, 64);
	CHECK(copy1(gt, &s) == GNTST_okay);
	for (unsigned i = 0; i < 64; i++)
		CHECK(buf[i] == (uint8_t)((100 + i) * 7));
	s = seg_from_gref(1, ro, 4000, buf, 96);
	CHECK(copy1(gt, &s) == GNTST_okay, "reading a read-only grant");
	CHECK(buf[0] == (uint8_t)(4000 * 3));
	/* local -> gref */
	memset(src, 'B', sizeof(src));
	s = seg_to_gref(src, 1, rw, 200, 64);
	CHECK(copy1(gt, &s) == GNTST_okay);
	/* a local buffer crossing a page boundary is fine */
	uint8_t *two = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	s = seg_from_gref(1, rw, 0, two + PG - 10, 20);
	CHECK(copy1(gt, &s) == GNTST_okay && two[PG - 10] == 0 && two[PG + 9] == (uint8_t)(19 * 7));
	/* zero length */
	s = seg_from_gref(1, rw, 0, buf, 0);
	CHECK(copy1(gt, &s) == GNTST_okay);

	/* the errors */
	s = seg_to_gref(src, 1, ro, 0, 16);
	CHECK(copy1(gt, &s) == GNTST_general_error, "writing a read-only grant");
	s = seg_from_gref(1, other, 0, buf, 16);
	CHECK(copy1(gt, &s) == GNTST_general_error, "grant for another domain");
	s = seg_from_gref(1, 30000, 0, buf, 16);
	CHECK(copy1(gt, &s) == GNTST_general_error, "ref not in use");
	s = seg_from_gref(1, 40000, 0, buf, 16);
	CHECK(copy1(gt, &s) == GNTST_bad_gntref, "ref beyond the table");
	s = seg_from_gref(99, rw, 0, buf, 16);
	CHECK(copy1(gt, &s) == GNTST_bad_domain, "no such domain");
	s = seg_to_gref(src, 99, rw, 0, 16);
	CHECK(copy1(gt, &s) == GNTST_bad_domain, "no such destination domain");
	s = seg_from_gref(1, rw, 4090, buf, 64);
	CHECK(copy1(gt, &s) == GNTST_bad_copy_arg, "source beyond the page");
	s = seg_to_gref(src, 1, rw, 4033, 64);
	CHECK(copy1(gt, &s) == GNTST_bad_copy_arg, "dest beyond the page");
	s = seg_to_gref(src, 1, rw, 4032, 64);
	CHECK(copy1(gt, &s) == GNTST_okay, "up to the page end");
	/* local -> local is refused as a whole */
	s.flags = 0;
	s.source.virt = src;
	s.dest.virt = buf;
	errno = 0;
	CHECK(xengnttab_grant_copy(gt, 1, &s) == -1 && errno == EINVAL);

	/* gref -> gref, across two domains: a's page into b's own grant */
	uint32_t self_ref;
	uint8_t *mine = xengntshr_share_pages(shr, 2, 1, &self_ref, 1);
	CHECK(mine);
	s.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
	s.source.foreign.domid = 1;
	s.source.foreign.ref = rw;
	s.source.foreign.offset = 8;
	s.dest.foreign.domid = 2;
	s.dest.foreign.ref = self_ref;
	s.dest.foreign.offset = 16;
	s.len = 32;
	CHECK(copy1(gt, &s) == GNTST_okay);
	CHECK(mine[16] == (uint8_t)(8 * 7) && mine[47] == (uint8_t)(39 * 7) && mine[48] == 0);

	/* a batch with mixed results: each segment has its own status */
	static uint8_t whole[PG];
	s = seg_from_gref(1, rw, 0, whole, PG);
	CHECK(copy1(gt, &s) == GNTST_okay, "a whole page");
	CHECK(whole[0] == 0 && whole[7] == 49 && whole[200] == 'B' && whole[4095] == 'B');
	static xengnttab_grant_copy_segment_t batch[256];
	static uint8_t out[256][64];
	for (unsigned i = 0; i < 256; i++) {
		batch[i] = seg_from_gref(1, (i % 3 == 1) ? 40000 : rw, (uint16_t)(i * 8), out[i], 64);
		if (i % 3 == 2)
			batch[i].source.foreign.offset = 4095;
		batch[i].status = 99;
	}
	CHECK(xengnttab_grant_copy(gt, 256, batch) == 0);
	for (unsigned i = 0; i < 256; i++) {
		int16_t want = i % 3 == 0 ? GNTST_okay : i % 3 == 1 ? GNTST_bad_gntref
								    : GNTST_bad_copy_arg;
		CHECK(batch[i].status == want, "segment %u status %d", i, batch[i].status);
		if (want == GNTST_okay)
			CHECK(!memcmp(out[i], whole + i * 8, 64), "segment %u data", i);
	}

	/* pin slots: 63 handles may copy with one domain at a time */
	static xengnttab_handle *more[63];
	for (unsigned i = 0; i < 63; i++) {
		more[i] = xengnttab_open(NULL, 0);
		CHECK(more[i]);
		s = seg_from_gref(1, rw, 0, buf, 8);
		int16_t want = i < 62 ? GNTST_okay : GNTST_no_space;
		CHECK(copy1(more[i], &s) == want, "handle %u", i + 2);
	}
	CHECK(xengnttab_close(more[0]) == 0);
	h_expect(2, 1, 1, 0, 0); /* a round trip: xensimd has seen the close */
	s = seg_from_gref(1, rw, 0, buf, 8);
	CHECK(copy1(more[62], &s) == GNTST_okay, "a closed handle's slot is free again");
	for (unsigned i = 1; i < 63; i++)
		CHECK(xengnttab_close(more[i]) == 0);

	/* now a copies from and into a page b grants it */
	uint32_t bref;
	uint8_t *bp = xengntshr_share_pages(shr, 1, 1, &bref, 1);
	CHECK(bp);
	for (unsigned i = 0; i < PG; i++)
		bp[i] = (uint8_t)(i ^ 0x5a);
	step_send(peer, 1);
	h_send1(peer, T_REFS, bref);
	step_wait(peer, 2);
	CHECK(bp[1000] == 'A' && bp[1099] == 'A' && bp[1100] == (uint8_t)(1100 ^ 0x5a));
	CHECK(xengntshr_unshare(shr, bp, 1) == 0);
	CHECK(xengntshr_unshare(shr, mine, 1) == 0);
	munmap(two, 2 * PG);
	CHECK(xengnttab_close(gt) == 0);
	CHECK(xengntshr_close(shr) == 0);
	h_expect(2, 1, 0, 0, 0);
	step_send(peer, 3);
}

/* ================================================================ */
/* revoke while mapped */

static void revoke_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(shr);
	uint32_t ref;
	uint8_t *p = xengntshr_share_pages(shr, 2, 1, &ref, 1);
	CHECK(p);
	p[0] = 0x11;
	h_send1(peer, T_REFS, ref);
	step_wait(peer, 1); /* mapped */
	CHECK(xengntshr_unshare(shr, p, 1) == 0);
	/* still in use by b's mapping: the grant lives on until b unmaps */
	h_expect(1, 1, 1, 0, 0);
	step_send(peer, 2);
	step_wait(peer, 3);
	h_expect(1, 1, 0, 0, 0);
	/* its page is zeroed for the next user */
	uint32_t ref2;
	uint8_t *q = xengntshr_share_pages(shr, 2, 1, &ref2, 1);
	CHECK(q && q[0] == 0 && q[1] == 0);
	CHECK(xengntshr_close(shr) == 0);
	h_expect(1, 1, 0, 0, 0);
}

static void revoke_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(gt);
	uint32_t ref = h_recv1(peer, T_REFS);
	uint8_t *m = xengnttab_map_grant_ref(gt, 1, ref, PROT_READ | PROT_WRITE);
	CHECK(m && m[0] == 0x11);
	step_send(peer, 1);
	step_wait(peer, 2); /* revoked */
	CHECK(m[0] == 0x11, "the mapping survives the revocation");
	m[1] = 0x22;
	CHECK(!xengnttab_map_grant_ref(gt, 1, ref, PROT_READ), "no new mapping of a revoked grant");
	uint8_t buf[8];
	xengnttab_grant_copy_segment_t s = seg_from_gref(1, ref, 0, buf, 8);
	CHECK(copy1(gt, &s) == GNTST_general_error, "no copy from a revoked grant");
	CHECK(xengnttab_unmap(gt, m, 1) == 0);
	step_send(peer, 3);
	CHECK(xengnttab_close(gt) == 0);
}

/* ================================================================ */
/* event channels */

#define PINGS 100000u

static void evtchn_a(void)
{
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(xe, "xenevtchn_open: %s", strerror(errno));
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(port > 0, "bind_unbound_port: %s", strerror(errno));
	errno = 0;
	CHECK(xenevtchn_notify(xe, port + 100) == -1 && errno == ENOTCONN);
	CHECK(xenevtchn_notify(xe, port) == 0, "notify on an unconnected port is dropped");
	errno = 0;
	CHECK(xenevtchn_bind_virq(xe, 1) == -1 && (errno == EOPNOTSUPP || errno == ENOSYS));
	h_send1(peer, T_PORT, (uint32_t)port);
	step_wait(peer, 1); /* b bound and drained its first event */
	h_expect(1, 1, 0, 0, 1);

	/* no storm: while b has not unmasked, more notifications coalesce */
	step_wait(peer, 2);
	for (int i = 0; i < 5; i++)
		CHECK(xenevtchn_notify(xe, port) == 0);
	step_send(peer, 3);
	/* an event sent while the port is masked comes after unmask */
	step_wait(peer, 40);
	CHECK(xenevtchn_notify(xe, port) == 0);
	step_send(peer, 41);
	step_wait(peer, 42);
	CHECK(xenevtchn_notify(xe, port) == 0);
	step_send(peer, 43);
	step_wait(peer, 4);

	/* ping-pong */
	for (uint32_t i = 0; i < PINGS; i++) {
		CHECK(xenevtchn_notify(xe, port) == 0);
		wait_port(xe, port);
	}
	CHECK(!fd_readable(xenevtchn_fd(xe)), "nothing left pending");
	step_send(peer, 5);
	step_wait(peer, 6);
	CHECK(xenevtchn_unbind(xe, port) == 0);
	h_expect(1, 1, 0, 0, 0);
	step_send(peer, 7);
	step_wait(peer, 8);
	CHECK(xenevtchn_close(xe) == 0);
}

static void evtchn_b(void)
{
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(xe);
	uint32_t rport = h_recv1(peer, T_PORT);
	errno = 0;
	CHECK(xenevtchn_bind_interdomain(xe, 99, rport) == -1 && errno == ESRCH);
	CHECK(xenevtchn_bind_interdomain(xe, 1, rport + 1) == -1 && errno == EINVAL);
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, rport);
	CHECK(port > 0, "bind_interdomain: %s", strerror(errno));
	CHECK(xenevtchn_bind_interdomain(xe, 1, rport) == -1 && errno == EINVAL,
	      "a connected port cannot be bound again");
	/* as Xen, a freshly bound port starts pending */
	wait_port(xe, port);
	CHECK(!fd_readable(xenevtchn_fd(xe)));
	step_send(peer, 1);

	step_send(peer, 2);
	step_wait(peer, 3);
	int fd = xenevtchn_fd(xe);
	CHECK(fd_readable(fd));
	CHECK(xenevtchn_pending(xe) == port);
	CHECK(!fd_readable(fd), "masked: no second delivery");
	CHECK(xenevtchn_unmask(xe, port) == 0);
	CHECK(!fd_readable(fd), "the five notifications were one event");
	step_send(peer, 40);
	step_wait(peer, 41);
	CHECK(fd_readable(fd));
	CHECK(xenevtchn_pending(xe) == port);
	step_send(peer, 42);
	step_wait(peer, 43);
	CHECK(!fd_readable(fd), "masked");
	CHECK(xenevtchn_unmask(xe, port) == 0);
	CHECK(fd_readable(fd), "the event sent while masked is delivered at unmask");
	CHECK(xenevtchn_pending(xe) == port);
	CHECK(!fd_readable(fd));
	CHECK(xenevtchn_unmask(xe, port) == 0);
	CHECK(!fd_readable(fd));
	step_send(peer, 4);

	for (uint32_t i = 0; i < PINGS; i++) {
		wait_port(xe, port);
		CHECK(xenevtchn_notify(xe, port) == 0);
	}
	step_wait(peer, 5);
	CHECK(!fd_readable(fd));
	h_expect(2, 1, 0, 0, 1);
	step_send(peer, 6);
	step_wait(peer, 7);
	/* a closed its end: ours is unbound again, notify is dropped */
	CHECK(xenevtchn_notify(xe, port) == 0);
	h_expect(2, 1, 0, 0, 1);
	CHECK(xenevtchn_unbind(xe, port) == 0);
	errno = 0;
	CHECK(xenevtchn_unbind(xe, port) == -1 && errno == ENOTCONN);
	h_expect(2, 1, 0, 0, 0);

	/* a loopback channel inside one domain and one handle */
	xenevtchn_port_or_error_t p1 = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(p1 > 0);
	xenevtchn_port_or_error_t p2 = xenevtchn_bind_interdomain(xe, 2, p1);
	CHECK(p2 > 0 && p2 != p1);
	wait_port(xe, p2); /* pending from the bind */
	CHECK(xenevtchn_notify(xe, p1) == 0);
	wait_port(xe, p2);
	CHECK(xenevtchn_notify(xe, p2) == 0);
	wait_port(xe, p1);
	CHECK(!fd_readable(fd));
	/* unbinding a port with an event not taken yet: the fd may wake once,
	 * pending() then says EAGAIN instead of blocking */
	CHECK(xenevtchn_notify(xe, p1) == 0);
	CHECK(fd_readable(fd));
	CHECK(xenevtchn_unbind(xe, p2) == 0);
	if (fd_readable(fd)) {
		errno = 0;
		CHECK(xenevtchn_pending(xe) == -1 && errno == EAGAIN);
	}
	CHECK(!fd_readable(fd));
	CHECK(xenevtchn_unbind(xe, p1) == 0);
	/* restrict: binding to another domain is refused */
	CHECK(xenevtchn_restrict(xe, 2) == 0);
	errno = 0;
	CHECK(xenevtchn_bind_unbound_port(xe, 1) == -1 && errno == EPERM);
	h_expect(2, 1, 0, 0, 0);
	CHECK(xenevtchn_close(xe) == 0);
	step_send(peer, 8);
}

/* ================================================================ */
/* destroy a domain */

static void destroy_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(shr && xe);
	uint32_t v[3];
	uint8_t *p = xengntshr_share_pages(shr, 2, 2, v, 1);
	CHECK(p);
	p[0] = 0x42;
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(port > 0);
	v[2] = (uint32_t)port;
	h_send(peer, T_REFS, 3, v);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(gt);
	uint8_t buf[16];
	xengnttab_grant_copy_segment_t s = seg_from_gref(1, v[0], 0, buf, 16);
	s.source.foreign.domid = 1;
	CHECK(xengnttab_grant_copy(gt, 1, &s) == 0);
	/* wait until main says our domain is gone */
	h_recv1(ctl, T_DONE);
	/* a process of a destroyed domain can no longer copy or notify */
	errno = 0;
	CHECK(xengnttab_grant_copy(gt, 1, &s) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(xenevtchn_notify(xe, (evtchn_port_t)port) == -1 && errno == ESRCH);
	xengnttab_close(gt);
	xenevtchn_close(xe);
	xengntshr_close(shr);
}

static void destroy_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(gt && xe);
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	uint8_t *map = xengnttab_map_grant_ref(gt, 1, m.v[0], PROT_READ | PROT_WRITE);
	CHECK(map && map[0] == 0x42);
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, m.v[2]);
	CHECK(port > 0);
	uint8_t buf[16];
	xengnttab_grant_copy_segment_t s = seg_from_gref(1, m.v[1], 0, buf, 16);
	CHECK(copy1(gt, &s) == GNTST_okay);
	h_expect(1, 1, 2, 0, 1);
	h_expect(2, 1, 0, 1, 1);
	h_send1(ctl, T_READY, 0);
	h_recv1(ctl, T_GO); /* domain 1 destroyed */
	CHECK(copy1(gt, &s) == GNTST_bad_domain, "copy from a destroyed domain");
	CHECK(!xengnttab_map_grant_ref(gt, 1, m.v[1], PROT_READ));
	CHECK(map[0] == 0x42, "our mapping keeps its page");
	CHECK(xenevtchn_notify(xe, port) == 0, "notify to a dead peer is dropped");
	h_expect(2, 1, 0, 1, 1);
	CHECK(xengnttab_unmap(gt, map, 1) == 0);
	h_expect(2, 1, 0, 0, 1);
	CHECK(xenevtchn_unbind(xe, port) == 0);
	h_expect(2, 1, 0, 0, 0);
	xenevtchn_close(xe);
	xengnttab_close(gt);
}

/* ================================================================ */
/* a client killed with SIGKILL */

static void crash_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(shr && gt && xe);
	uint32_t v[3];
	uint8_t *p = xengntshr_share_pages(shr, 2, 2, v, 1);
	CHECK(p);
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(port > 0);
	v[2] = (uint32_t)port;
	h_send(peer, T_REFS, 3, v);
	struct hmsg m;
	h_recv(peer, T_REFS, &m); /* b's grant to us */
	uint8_t *bm = xengnttab_map_grant_ref(gt, 2, m.v[0], PROT_READ);
	CHECK(bm);
	static uint8_t buf[PG];
	xengnttab_grant_copy_segment_t s = seg_from_gref(2, m.v[1], 0, buf, PG);
	CHECK(copy1(gt, &s) == GNTST_okay);
	h_send1(ctl, T_READY, 0);
	/* copy until killed: most of the time b's entry is pinned by us */
	for (;;)
		xengnttab_grant_copy(gt, 1, &s);
}

static void crash_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(gt && shr && xe);
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	uint32_t mine[2];
	uint8_t *bp = xengntshr_share_pages(shr, 1, 2, mine, 0);
	CHECK(bp);
	h_send(peer, T_REFS, 2, mine);
	uint8_t *map = xengnttab_map_grant_ref(gt, 1, m.v[0], PROT_READ | PROT_WRITE);
	CHECK(map);
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, m.v[2]);
	CHECK(port > 0);
	h_send1(ctl, T_READY, 0);
	h_recv1(ctl, T_GO); /* a was killed */
	/* a's grant we map stays until we unmap; its other one is gone */
	h_expect(1, 1, 1, 0, 0);
	/* a's pins on our grants were released: revoking frees them at once */
	CHECK(xengntshr_unshare(shr, bp, 2) == 0);
	h_expect(2, 1, 0, 1, 1);
	map[0] = 1;
	CHECK(xengnttab_unmap(gt, map, 1) == 0);
	h_expect(1, 1, 0, 0, 0);
	CHECK(xenevtchn_notify(xe, port) == 0);
	CHECK(xenevtchn_unbind(xe, port) == 0);
	h_expect(2, 1, 0, 0, 0);
	xenevtchn_close(xe);
	xengntshr_close(shr);
	xengnttab_close(gt);
}

/* ================================================================ */
/* the data path with the daemon stopped */

#define STOPPED_ROUNDS 2000u

static void sigstop_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(shr && xe && gt);
	uint32_t v[2];
	uint8_t *p = xengntshr_share_pages(shr, 2, 1, v, 1);
	CHECK(p);
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(port > 0);
	v[1] = (uint32_t)port;
	h_send(peer, T_REFS, 2, v);
	uint32_t bref = h_recv1(peer, T_REFS);
	/* one round of everything while the daemon runs */
	wait_port(xe, port);
	CHECK(xenevtchn_notify(xe, port) == 0);
	uint8_t buf[64];
	xengnttab_grant_copy_segment_t s = seg_from_gref(2, bref, 0, buf, 64);
	CHECK(copy1(gt, &s) == GNTST_okay);
	h_send1(ctl, T_READY, 0);
	h_recv1(ctl, T_GO); /* daemon stopped */
	for (uint32_t i = 1; i <= STOPPED_ROUNDS; i++) {
		wait_port(xe, port);
		CHECK(*(volatile uint32_t *)p == i, "b's write %u through the mapping", i);
		s = seg_from_gref(2, bref, 0, buf, 64);
		CHECK(copy1(gt, &s) == GNTST_okay);
		CHECK(*(uint32_t *)buf == i, "grant copy sees b's value %u", i);
		*(volatile uint32_t *)(p + 64) = i;
		CHECK(xenevtchn_notify(xe, port) == 0);
	}
	h_send1(ctl, T_DONE, 0);
	h_recv1(ctl, T_GO); /* daemon running again */
	xengnttab_close(gt);
	xenevtchn_close(xe);
	xengntshr_close(shr);
}

static void sigstop_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(gt && xe && shr);
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	uint8_t *map = xengnttab_map_grant_ref(gt, 1, m.v[0], PROT_READ | PROT_WRITE);
	CHECK(map);
	uint32_t bref;
	uint8_t *bp = xengntshr_share_pages(shr, 1, 1, &bref, 1);
	CHECK(bp);
	h_send1(peer, T_REFS, bref);
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, m.v[1]);
	CHECK(port > 0);
	wait_port(xe, port); /* the pending bit set at bind */
	CHECK(xenevtchn_notify(xe, port) == 0);
	wait_port(xe, port);
	uint8_t buf[64];
	xengnttab_grant_copy_segment_t s = seg_to_gref(buf, 1, m.v[0], 128, 64);
	CHECK(copy1(gt, &s) == GNTST_okay);
	h_send1(ctl, T_READY, 0);
	h_recv1(ctl, T_GO);
	for (uint32_t i = 1; i <= STOPPED_ROUNDS; i++) {
		*(volatile uint32_t *)map = i;
		*(uint32_t *)bp = i;
		memcpy(buf, &i, sizeof(i));
		s = seg_to_gref(buf, 1, m.v[0], 128, 64);
		CHECK(copy1(gt, &s) == GNTST_okay);
		CHECK(xenevtchn_notify(xe, port) == 0);
		wait_port(xe, port);
		CHECK(*(volatile uint32_t *)(map + 64) == i, "a's write %u", i);
		CHECK(*(volatile uint32_t *)(map + 128) == i, "our grant copy %u", i);
	}
	h_send1(ctl, T_DONE, 0);
	h_recv1(ctl, T_GO);
	xengntshr_close(shr);
	xenevtchn_close(xe);
	xengnttab_close(gt);
}

/* ================================================================ */
/* unmap and unshare notifications */

static void notify_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(shr && xe);
	xenevtchn_port_or_error_t port = xenevtchn_bind_unbound_port(xe, 2);
	CHECK(port > 0);
	uint32_t v[3];
	uint8_t *p = xengntshr_share_page_notify(shr, 2, &v[0], 1, 20, (evtchn_port_t)port);
	CHECK(p, "share_page_notify: %s", strerror(errno));
	p[20] = 0x99;
	p[21] = 0x98;
	uint8_t *p2 = xengntshr_share_pages(shr, 2, 1, &v[1], 1);
	CHECK(p2);
	p2[30] = 0x77;
	p2[31] = 0x76;
	v[2] = (uint32_t)port;
	h_send(peer, T_REFS, 3, v);
	step_wait(peer, 1);
	CHECK(xengntshr_unshare(shr, p, 1) == 0);
	step_send(peer, 2);
	wait_port(xe, (evtchn_port_t)port); /* from b's unmap notification */
	step_wait(peer, 3);
	CHECK(p2[30] == 0 && p2[31] == 0x76, "unmap cleared the notify byte only");
	CHECK(xengntshr_unshare(shr, p2, 1) == 0);
	xenevtchn_close(xe);
	xengntshr_close(shr);
}

static void notify_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *xe = xenevtchn_open(NULL, 0);
	CHECK(gt && xe);
	struct hmsg m;
	h_recv(peer, T_REFS, &m);
	xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(xe, 1, m.v[2]);
	CHECK(port > 0);
	wait_port(xe, (evtchn_port_t)port);
	uint8_t *m1 = xengnttab_map_grant_ref(gt, 1, m.v[0], PROT_READ | PROT_WRITE);
	CHECK(m1 && m1[20] == 0x99);
	errno = 0;
	CHECK(!xengnttab_map_grant_ref_notify(gt, 1, m.v[1], PROT_READ, 30, (evtchn_port_t)-1) &&
	      errno == EINVAL, "a notify byte needs a writable mapping");
	uint8_t *m2 = xengnttab_map_grant_ref_notify(gt, 1, m.v[1], PROT_READ | PROT_WRITE, 30,
						     (evtchn_port_t)port);
	CHECK(m2 && m2[30] == 0x77);
	step_send(peer, 1);
	step_wait(peer, 2);
	wait_port(xe, (evtchn_port_t)port); /* a unshared the notify page */
	CHECK(m1[20] == 0 && m1[21] == 0x98, "unshare cleared the notify byte only");
	CHECK(xengnttab_unmap(gt, m1, 1) == 0);
	CHECK(xengnttab_unmap(gt, m2, 1) == 0);
	step_send(peer, 3);
	xenevtchn_close(xe);
	xengnttab_close(gt);
}

/* ================================================================ */
/* revocation racing with grant copies never tears a page */

#define RACE_ROUNDS 3000u

static void race_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(shr);
	for (uint32_t k = 1; k <= RACE_ROUNDS; k++) {
		uint32_t ref;
		uint8_t *p = xengntshr_share_pages(shr, 2, 1, &ref, 0);
		CHECK(p);
		memset(p, (int)(k & 0xff), PG);
		uint32_t v[2] = { ref, k };
		h_send(peer, T_REFS, 2, v);
		step_wait(peer, k); /* b is copying it */
		CHECK(xengntshr_unshare(shr, p, 1) == 0);
	}
	step_wait(peer, 0);
	/* zombies pinned by copies are freed once the copies are over */
	h_expect(1, 1, 0, 0, 0);
	xengntshr_close(shr);
}

static void race_b(void)
{
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	CHECK(gt);
	static uint8_t buf[PG];
	unsigned ok = 0, revoked = 0;
	for (uint32_t k = 1; k <= RACE_ROUNDS; k++) {
		struct hmsg m;
		h_recv(peer, T_REFS, &m);
		CHECK(m.v[1] == k);
		xengnttab_grant_copy_segment_t s = seg_from_gref(1, m.v[0], 0, buf, PG);
		CHECK(copy1(gt, &s) == GNTST_okay);
		step_send(peer, k);
		for (int i = 0; i < 64; i++) {
			memset(buf, 0xee, PG);
			int st = copy1(gt, &s);
			if (st == GNTST_general_error) {
				revoked++;
				break;
			}
			CHECK(st == GNTST_okay, "status %d", st);
			ok++;
			for (unsigned j = 0; j < PG; j++)
				if (buf[j] != (uint8_t)(k & 0xff))
					FAIL("round %u: byte %u is 0x%x: a torn or recycled page", k,
					     j, buf[j]);
		}
	}
	printf("race: %u full copies, %u refused after revocation\n", ok, revoked);
	step_send(peer, 0);
	xengnttab_close(gt);
}

/* ================================================================ */
/* threads: several handles copying at once, one handle shared by threads */

#define TPAGES 64u
#define TTHREADS 4

struct tcopy {
	xengnttab_handle *gt;
	const uint32_t *refs;
	unsigned seed;
	unsigned iters;
	unsigned errors;
};

static void *tcopy_run(void *arg)
{
	struct tcopy *t = arg;
	xengnttab_grant_copy_segment_t segs[16];
	uint8_t out[16][256];

	for (unsigned it = 0; it < t->iters; it++) {
		unsigned pg[16];
		for (unsigned i = 0; i < 16; i++) {
			t->seed = t->seed * 1103515245u + 12345u;
			pg[i] = (t->seed >> 8) % TPAGES;
			segs[i] = seg_from_gref(1, t->refs[pg[i]], (uint16_t)((t->seed >> 4) % 3840),
						out[i], 256);
		}
		if (xengnttab_grant_copy(t->gt, 16, segs) != 0) {
			t->errors++;
			continue;
		}
		for (unsigned i = 0; i < 16; i++)
			if (segs[i].status != GNTST_okay || out[i][0] != pg[i] || out[i][255] != pg[i])
				t->errors++;
	}
	return NULL;
}

static void threads_a(void)
{
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	CHECK(shr);
	uint32_t refs[TPAGES];
	uint8_t *p = xengntshr_share_pages(shr, 2, TPAGES, refs, 0);
	CHECK(p);
	for (unsigned i = 0; i < TPAGES; i++)
		memset(p + (size_t)i * PG, (int)i, PG);
	for (unsigned i = 0; i < TPAGES; i += 14)
		h_send(peer, T_REFS, TPAGES - i < 14 ? TPAGES - i : 14, refs + i);
	step_wait(peer, 1);
	CHECK(xengntshr_close(shr) == 0);
	h_expect(1, 1, 0, 0, 0);
}

static void threads_b(void)
{
	uint32_t refs[TPAGES];
	for (unsigned i = 0; i < TPAGES; i += 14) {
		struct hmsg m;
		h_recv(peer, T_REFS, &m);
		memcpy(refs + i, m.v, m.n * sizeof(uint32_t));
	}
	pthread_t th[TTHREADS + 2];
	struct tcopy tc[TTHREADS + 2];
	xengnttab_handle *shared = xengnttab_open(NULL, 0);
	CHECK(shared);
	for (unsigned i = 0; i < TTHREADS + 2; i++) {
		tc[i].gt = i < TTHREADS ? xengnttab_open(NULL, 0) : shared;
		CHECK(tc[i].gt);
		tc[i].refs = refs;
		tc[i].seed = i * 7919u + 1;
		tc[i].iters = 5000;
		tc[i].errors = 0;
		CHECK(pthread_create(&th[i], NULL, tcopy_run, &tc[i]) == 0);
	}
	/* meanwhile, mappings come and go through the shared handle */
	for (unsigned k = 0; k < 300; k++) {
		uint8_t *m = xengnttab_map_domain_grant_refs(shared, 8, 1, refs + (k % 8) * 8, PROT_READ);
		CHECK(m && m[0] == (k % 8) * 8 && m[7 * PG] == (k % 8) * 8 + 7);
		CHECK(xengnttab_unmap(shared, m, 8) == 0);
	}
	for (unsigned i = 0; i < TTHREADS + 2; i++) {
		pthread_join(th[i], NULL);
		CHECK(tc[i].errors == 0, "thread %u: %u bad copies", i, tc[i].errors);
		if (i < TTHREADS)
			CHECK(xengnttab_close(tc[i].gt) == 0);
	}
	CHECK(xengnttab_close(shared) == 0);
	h_expect(2, 1, 0, 0, 0);
	step_send(peer, 1);
}

/* ================================================================ */

struct scenario {
	const char *name;
	void (*a)(void);
	void (*b)(void);
};

static const struct scenario scenarios[] = {
	{ "share-map", share_map_a, share_map_b },
	{ "copy", copy_a, copy_b },
	{ "revoke", revoke_a, revoke_b },
	{ "evtchn", evtchn_a, evtchn_b },
	{ "destroy", destroy_a, destroy_b },
	{ "crash", crash_a, crash_b },
	{ "sigstop", sigstop_a, sigstop_b },
	{ "notify", notify_a, notify_b },
	{ "race", race_a, race_b },
	{ "threads", threads_a, threads_b },
};

static const struct scenario *find(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	fprintf(stderr, "unknown scenario %s\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "--child")) {
		const struct scenario *sc = find(argv[3]);
		h_role = argv[2];
		peer = atoi(argv[4]);
		ctl = atoi(argv[5]);
		alarm(600); /* a lost wake-up shows up as a hang: fail instead */
		if (!strcmp(h_role, "a"))
			sc->a();
		else
			sc->b();
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s XENSIMD SCENARIO\n", argv[0]);
		return 2;
	}
	const struct scenario *sc = find(argv[2]);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		FAIL("readlink");
	self[n] = 0;
	alarm(900);
	h_start(argv[1]);
	h_ctl("domain create 1");
	h_ctl("domain create 2");
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0)
		FAIL("socketpair");
	int ca, cb;
	pid_t pa = h_spawn(self, "a", sc->name, 1, sp[0], &ca);
	pid_t pb = h_spawn(self, "b", sc->name, 2, sp[1], &cb);
	close(sp[0]);
	close(sp[1]);

	if (!strcmp(sc->name, "destroy")) {
		h_recv1(cb, T_READY);
		h_ctl("domain destroy 1");
		h_expect(1, 0, 0, 0, 0);
		h_send1(cb, T_GO, 0);
		h_send1(ca, T_DONE, 0);
		h_wait_both(pa, pb);
		h_ctl("domain create 1");
		h_expect(1, 1, 0, 0, 0);
	} else if (!strcmp(sc->name, "crash")) {
		h_recv1(ca, T_READY);
		h_recv1(cb, T_READY);
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL); /* let a copy for a while */
		kill(pa, SIGKILL);
		int st;
		waitpid(pa, &st, 0);
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "a died of SIGKILL");
		h_send1(cb, T_GO, 0);
		h_wait_ok(pb, "domain 2");
	} else if (!strcmp(sc->name, "sigstop")) {
		h_recv1(ca, T_READY);
		h_recv1(cb, T_READY);
		CHECK(kill(h_daemon_pid(), SIGSTOP) == 0);
		h_send1(ca, T_GO, 0);
		h_send1(cb, T_GO, 0);
		h_recv1(ca, T_DONE);
		h_recv1(cb, T_DONE);
		CHECK(kill(h_daemon_pid(), SIGCONT) == 0);
		h_send1(ca, T_GO, 0);
		h_send1(cb, T_GO, 0);
		h_wait_both(pa, pb);
	} else {
		h_wait_both(pa, pb);
	}
	/* whatever happened, nothing is left held */
	h_expect(0, 1, 0, 0, 0);
	h_expect(1, 1, 0, 0, 0);
	h_expect(2, 1, 0, 0, 0);
	h_stop();
	printf("ok %s\n", sc->name);
	return 0;
}
