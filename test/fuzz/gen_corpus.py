#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpus of the libFuzzer targets: test/fuzz/corpus/<target>/.

Each file is one input in the layout its target's header comment describes:
valid packets, multi-slot chains, extra-info, wrapping indices, full rings
and edge values, plus a few that must be rejected. Run it again after a
change of layout; the files are committed.

    test/fuzz/gen_corpus.py [OUTDIR]
"""
import os
import struct
import sys

PAGE = 4096
TX_RING = 256  # netif_tx: 12-byte entries
RX_RING = 256  # netif_rx: 8-byte entries

NETTXF_csum_blank, NETTXF_data_validated = 1, 2
NETTXF_more_data, NETTXF_extra_info = 4, 8
NETRXF_data_validated, NETRXF_csum_blank = 1, 2
NETRXF_more_data, NETRXF_extra_info, NETRXF_gso_prefix = 4, 8, 16
EXTRA_GSO, EXTRA_MCAST_ADD, EXTRA_MCAST_DEL, EXTRA_HASH = 1, 2, 3, 4
EXTRA_XDP = 5  # Linux netback with xdp-headroom; not in Xen 4.17's header
EXTRA_MORE = 1
RSP_DROPPED, RSP_ERROR, RSP_OKAY, RSP_NULL = -2, -1, 0, 1


def rounds(rs):
    """Up to 4 rounds of (producer - consumer, held back)."""
    rs = list(rs) + [(0, 0)] * (4 - len(rs))
    return b"".join(struct.pack("<IB", d & 0xFFFFFFFF, k) for d, k in rs)


# --- tx_back: u32 req_cons, u16 pending, u32 rsp_event, u8 rounds-1,
#     4 x (u32 req_prod - req_cons, u8 kept), ring entries from req_cons.

def txreq(size, flags=0, off=0, id_=0, gref=0x100):
    return struct.pack("<IHHHH", gref, off, flags, id_, size)


def txextra(type_, flags=0, body=b""):
    return struct.pack("<BB", type_, flags) + body.ljust(10, b"\0")


def gso(size=1448, gtype=1):
    return struct.pack("<HBBH", size, gtype, 0, 0)


def tx_back(cons, entries, rs, pending=0, rsp_event=0):
    return (struct.pack("<IHIB", cons & 0xFFFFFFFF, pending, rsp_event,
                        len(rs) - 1) + rounds(rs) + b"".join(entries))


def chain(total, sizes, first_flags=0, off=0):
    """A packet of len(sizes) + 1 slots: the first's size is the total."""
    e = [txreq(total, first_flags | (NETTXF_more_data if sizes else 0),
               off, 0)]
    for i, s in enumerate(sizes):
        last = i == len(sizes) - 1
        e.append(txreq(s, 0 if last else NETTXF_more_data, 0, i + 1))
    return e


def gen_tx_back():
    c = {}
    c["one_60"] = tx_back(0, [txreq(60, id_=7, off=64)], [(1, 0)])
    c["one_1514_csum"] = tx_back(
        1000, [txreq(1514, NETTXF_csum_blank | NETTXF_data_validated)],
        [(1, 0)])
    c["three_slots"] = tx_back(
        10, chain(5000, [2000, 1000], NETTXF_csum_blank), [(3, 0)])
    c["gso_extra"] = tx_back(
        20, [txreq(100, NETTXF_extra_info | NETTXF_more_data, 0, 1),
             txextra(EXTRA_GSO, 0, gso()), txreq(40, 0, 0, 2)], [(3, 0)])
    c["two_extras"] = tx_back(
        30, [txreq(60, NETTXF_extra_info, 0, 1),
             txextra(EXTRA_MCAST_ADD, EXTRA_MORE, bytes(range(1, 7))),
             txextra(EXTRA_HASH, 0, struct.pack("<BBI", 1, 0, 0x12345678))],
        [(3, 0)])
    c["max_18_slots"] = tx_back(
        40, chain(18 * 3000, [3000] * 17), [(18, 0)])
    c["too_many_19_slots"] = tx_back(
        50, chain(19 * 1000, [1000] * 18), [(19, 0)])
    c["page_edge"] = tx_back(
        60, chain(4096 + 1, [1], 0, 0) + [txreq(100, 0, 3996)], [(3, 0)])
    c["past_page"] = tx_back(70, [txreq(200, 0, 3900)], [(1, 0)])
    c["short_frame"] = tx_back(80, [txreq(13)], [(1, 0)])
    c["later_bigger"] = tx_back(90, chain(100, [200]), [(2, 0)])
    c["unknown_flag_later"] = tx_back(
        100, [txreq(100, NETTXF_more_data), txreq(40, 0x40)], [(2, 0)])
    c["wrap"] = tx_back(
        0xFFFFFFFE, chain(9000, [4000, 3000, 1000]), [(4, 0)])
    c["incomplete_then_done"] = tx_back(
        5, chain(3000, [1000, 1000]) + [txreq(60)], [(2, 0), (4, 0)])
    c["prod_past_ring"] = tx_back(0, [txreq(60)], [(TX_RING + 1, 0)])
    c["prod_back"] = tx_back(100, [txreq(60)], [(-1, 0)])
    c["pending_answers"] = tx_back(
        500, [txreq(60)] * 4, [(4, 2), (4, 0)], pending=TX_RING - 4)
    c["full_ring"] = tx_back(
        7, [txreq(60 + i, 0, 0, i) for i in range(TX_RING)],
        [(TX_RING, 0)])
    c["extra_bad_type"] = tx_back(
        110, [txreq(60, NETTXF_extra_info), txextra(9)], [(2, 0)])
    c["extras_endless"] = tx_back(
        120, [txreq(60, NETTXF_extra_info)] +
        [txextra(EXTRA_GSO, EXTRA_MORE, gso())] * 8, [(9, 0)])
    return c


# --- front_rsp: u8 mode (1: TX), u32 rsp_cons, u16 outstanding, u8 rounds-1,
#     4 x (u32 rsp_prod - rsp_cons, u8 not reposted), ring entries.

def front(tx, cons, outstanding, entries, rs):
    return (struct.pack("<BIHB", 1 if tx else 0, cons & 0xFFFFFFFF,
                        outstanding, len(rs) - 1) + rounds(rs) +
            b"".join(entries))


def rxrsp(idx, status, flags=0, off=0, id_=None):
    if id_ is None:
        id_ = idx & (RX_RING - 1)
    return struct.pack("<HHHh", id_, off, flags, status)


def rxextra(type_, flags=0, body=b""):
    return struct.pack("<BB", type_, flags) + body.ljust(6, b"\0")


def rx_chain(cons, lens, first_flags=0, off=0):
    e = []
    for i, n in enumerate(lens):
        f = (first_flags if i == 0 else 0) | (
            NETRXF_more_data if i < len(lens) - 1 else 0)
        e.append(rxrsp(cons + i, n, f, off if i == 0 else 0))
    return e


def txrsp(id_, status):
    return struct.pack("<Hh", id_, status).ljust(12, b"\0")


def gen_front_rsp():
    c = {}
    c["rx_one"] = front(0, 0, RX_RING, [rxrsp(0, 60)], [(1, 0)])
    c["rx_headroom"] = front(0, 3, RX_RING, [rxrsp(3, 1514, 0, 128)],
                             [(1, 0)])
    c["rx_three"] = front(0, 40, RX_RING, rx_chain(40, [4096, 4096, 100],
                          NETRXF_data_validated), [(3, 0)])
    c["rx_gso_extra"] = front(
        0, 10, RX_RING, [rxrsp(10, 4096, NETRXF_extra_info | NETRXF_more_data),
                         rxextra(EXTRA_GSO, 0, gso()), rxrsp(12, 500)],
        [(3, 0)])
    c["rx_xdp_extra"] = front(
        0, 20, RX_RING, [rxrsp(20, 1000, NETRXF_extra_info, 256),
                         rxextra(EXTRA_XDP, 0, struct.pack("<H", 256))],
        [(2, 0)])
    c["rx_max_65520"] = front(0, 100, RX_RING,
                              rx_chain(100, [3640] * 18), [(18, 0)])
    c["rx_too_long"] = front(0, 100, RX_RING,
                             rx_chain(100, [4096] * 17), [(17, 0)])
    c["rx_19_slots"] = front(0, 100, RX_RING,
                             rx_chain(100, [100] * 19), [(19, 0)])
    c["rx_peer_error"] = front(0, 5, RX_RING, [rxrsp(5, RSP_ERROR),
                               rxrsp(6, RSP_DROPPED), rxrsp(7, -3)],
                               [(3, 0)])
    c["rx_bad_id"] = front(0, 5, RX_RING, [rxrsp(5, 60, id_=6)], [(1, 0)])
    c["rx_past_page"] = front(0, 5, RX_RING, [rxrsp(5, 100, 0, 4000)],
                              [(1, 0)])
    c["rx_wrap"] = front(0, 0xFFFFFFFF, RX_RING,
                         rx_chain(0xFFFFFFFF, [2000, 2000, 2000]), [(3, 0)])
    c["rx_full_ring"] = front(
        0, 9, RX_RING, [rxrsp(9 + i, 60 + i) for i in range(RX_RING)],
        [(RX_RING, 0), (RX_RING, 5)])
    c["rx_incomplete"] = front(0, 0, RX_RING,
                               rx_chain(0, [1000, 1000, 1000]),
                               [(2, 0), (3, 0)])
    c["rx_prod_past"] = front(0, 0, 10, [rxrsp(0, 60)], [(11, 0)])
    c["tx_ok"] = front(1, 0, 4, [txrsp(0, RSP_OKAY), txrsp(1, RSP_NULL),
                       txrsp(2, RSP_ERROR), txrsp(3, RSP_DROPPED)], [(4, 0)])
    c["tx_bad_id"] = front(1, 200, 2, [txrsp(255, RSP_OKAY),
                           txrsp(256, RSP_OKAY)], [(2, 0)])
    c["tx_bad_status"] = front(1, 0, 1, [txrsp(0, 7)], [(1, 0)])
    c["tx_wrap_refill"] = front(
        1, 0xFFFFFF00, TX_RING, [txrsp(i, RSP_OKAY) for i in range(TX_RING)],
        [(100, 0), (200, 3), (TX_RING, 0)])
    return c


# --- ctrl: u8 op, then per op (see fuzz_ctrl.c).

GET_HASH_FLAGS, SET_HASH_FLAGS, SET_HASH_KEY = 1, 2, 3
GET_HASH_MAPPING_SIZE, SET_HASH_MAPPING_SIZE, SET_HASH_MAPPING = 4, 5, 6
SET_HASH_ALGORITHM, GET_GREF_MAPPING_SIZE = 7, 8
ADD_GREF_MAPPING, DEL_GREF_MAPPING = 9, 10
ST_OK, ST_NOTSUP, ST_INVAL, ST_OVERFLOW = 0, 1, 2, 3
UNSET = 0xFFFF


def creq(id_, type_, d0=0, d1=0, d2=0):
    return struct.pack("<HHIII", id_, type_, d0, d1, d2)


def crsp(id_, type_, status, data=0):
    return struct.pack("<HHII", id_, type_, status, data)


def grefs(refs, status=UNSET, flags=0):
    if isinstance(status, int):
        status = [status] * len(refs)
    return b"".join(struct.pack("<IHH", r, flags, s)
                    for r, s in zip(refs, status))


def gen_ctrl():
    c = {}
    r = creq(1, GET_GREF_MAPPING_SIZE)
    c["rsp_gref_size"] = b"\0" + r + crsp(1, GET_GREF_MAPPING_SIZE, ST_OK,
                                          4096) + b"\0"
    r = creq(2, DEL_GREF_MAPPING, 0, 77, 3)
    c["rsp_del_3"] = b"\0" + r + crsp(2, DEL_GREF_MAPPING, ST_OK, 3) + b"\0"
    c["rsp_del_more"] = b"\0" + r + crsp(2, DEL_GREF_MAPPING, ST_OK, 4) + b"\0"
    r = creq(3, GET_HASH_FLAGS)
    c["rsp_hash_flags"] = b"\0" + r + crsp(3, GET_HASH_FLAGS, ST_OK,
                                           0xF) + b"\0"
    c["rsp_hash_flags_bad"] = b"\0" + r + crsp(3, GET_HASH_FLAGS, ST_OK,
                                               0x10) + b"\0"
    c["rsp_notsup"] = b"\0" + r + crsp(3, GET_HASH_FLAGS, ST_NOTSUP) + b"\0"
    c["rsp_bad_status"] = b"\0" + r + crsp(3, GET_HASH_FLAGS, 4) + b"\0"
    c["rsp_wrong_id"] = b"\0" + r + crsp(4, GET_HASH_FLAGS, ST_OK) + b"\0"
    c["done_all_unset_ok"] = b"\1" + struct.pack("<HI", 4, ST_OK) + grefs(
        [10, 11, 12, 13])
    c["done_per_entry"] = b"\1" + struct.pack("<HI", 4, ST_INVAL) + grefs(
        [10, 11, 12, 13], [ST_OK, UNSET, ST_INVAL, ST_OK])
    c["done_512"] = b"\1" + struct.pack("<HI", 512, ST_OK) + grefs(
        range(1000, 1512), [ST_OK if i % 3 else UNSET for i in range(512)])
    page = grefs([5, 6, 7])
    c["req_add_3"] = b"\2" + creq(1, ADD_GREF_MAPPING, 0, 99, 3) + b"\1" + page
    c["req_del_q1"] = b"\2" + creq(1, DEL_GREF_MAPPING, 1, 99, 3) + b"\2" + page
    c["req_add_513"] = b"\2" + creq(1, ADD_GREF_MAPPING, 0, 99, 513) + b"\1"
    c["req_add_0"] = b"\2" + creq(1, ADD_GREF_MAPPING, 0, 99, 0) + b"\1"
    c["req_add_bad_queue"] = b"\2" + creq(1, ADD_GREF_MAPPING, 4, 9, 1) + b"\4"
    c["req_gref_size"] = b"\2" + creq(1, GET_GREF_MAPPING_SIZE, 0) + b"\1"
    c["req_hash_key_40"] = b"\2" + creq(1, SET_HASH_KEY, 9, 40) + b"\1" + \
        bytes(range(40))
    c["req_hash_key_41"] = b"\2" + creq(1, SET_HASH_KEY, 9, 41) + b"\1"
    c["req_hash_mapping"] = b"\2" + creq(1, SET_HASH_MAPPING, 9, 1024,
                                         0) + b"\1"
    c["req_hash_flags"] = b"\2" + creq(1, SET_HASH_FLAGS, 0xF) + b"\1"
    c["req_hash_alg"] = b"\2" + creq(1, SET_HASH_ALGORITHM, 1) + b"\1"
    c["req_unknown"] = b"\2" + creq(1, 11) + b"\1"
    c["list_no_dup"] = b"\3" + struct.pack("<H", 512) + grefs(range(512))
    c["list_dup_last"] = b"\3" + struct.pack("<H", 5) + grefs([1, 2, 3, 4, 2])
    c["list_dups"] = b"\3" + struct.pack("<H", 6) + grefs([9, 8, 9, 8, 8, 9])
    c["list_empty"] = b"\3" + struct.pack("<H", 0)
    # op 4: u32 rsp_cons, u16 id, 3 x u32 data, u8 type, u32 rsp_prod delta
    c["ring_front_answer"] = b"\4" + struct.pack(
        "<IHIIIBI", 0xFFFFFFFF, 7, 0, 0, 0, GET_GREF_MAPPING_SIZE, 1) + \
        crsp(7, GET_GREF_MAPPING_SIZE, ST_OK, 2048)
    c["ring_front_past"] = b"\4" + struct.pack(
        "<IHIIIBI", 5, 7, 0, 0, 0, GET_GREF_MAPPING_SIZE, 2) + \
        crsp(7, GET_GREF_MAPPING_SIZE, ST_OK, 2048) * 2
    # op 5: u32 req_cons, u8 queues, u32 req_prod delta, requests
    c["ring_back_serve"] = b"\5" + struct.pack("<IBI", 100, 1, 4) + \
        creq(1, GET_GREF_MAPPING_SIZE) + creq(2, ADD_GREF_MAPPING, 0, 9, 2) + \
        creq(3, DEL_GREF_MAPPING, 0, 9, 2) + creq(4, 99)
    c["ring_back_full"] = b"\5" + struct.pack("<IBI", 0xFFFFFFF0, 1, 128) + \
        b"".join(creq(i, GET_HASH_FLAGS) for i in range(128))
    c["ring_back_past"] = b"\5" + struct.pack("<IBI", 0, 1, 129)
    return c


# --- xb_parse: u8 choice of max (index, or >= 14 and a u64), u8 missing,
#     value.

def xb(sel, s, mx=None, missing=False):
    b = bytes([sel])
    if mx is not None:
        b += struct.pack("<Q", mx)
    return b + bytes([1 if missing else 0]) + s.encode()


def gen_xb_parse():
    c = {}
    u32max, ulmax = 9, 13
    c["uint_zero"] = xb(u32max, "0")
    c["uint_u32max"] = xb(u32max, "4294967295")
    c["uint_u32max_plus1"] = xb(u32max, "4294967296")
    c["uint_u64max"] = xb(ulmax, "18446744073709551615")
    c["uint_u64max_plus1"] = xb(ulmax, "18446744073709551616")
    c["uint_leading_zero"] = xb(ulmax, "007")
    c["uint_sign"] = xb(ulmax, "+1")
    c["uint_minus"] = xb(ulmax, "-1")
    c["uint_space"] = xb(ulmax, " 1")
    c["uint_trailing"] = xb(ulmax, "1\n")
    c["uint_custom_max"] = xb(255, "1234", 1234)
    c["state_4"] = xb(2, "4")
    c["state_8"] = xb(2, "8")
    c["state_9"] = xb(2, "9")
    c["empty"] = xb(0, "")
    c["mac"] = xb(0, "00:16:3e:aa:bb:cc")
    c["mac_upper"] = xb(0, "00:16:3E:AA:BB:CC")
    c["mac_short"] = xb(0, "00:16:3e:aa:bb:c")
    c["mac_long"] = xb(0, "00:16:3e:aa:bb:cc:")
    c["mac_dash"] = xb(0, "00-16-3e-aa-bb-cc")
    c["feature_on"] = xb(1, "1")
    c["missing"] = xb(1, "", missing=True)
    c["embedded_nul"] = xb(1, "1\0")
    c["long_value"] = xb(13, "1" * 40)
    return c


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for target, gen in (("tx_back", gen_tx_back),
                        ("front_rsp", gen_front_rsp),
                        ("ctrl", gen_ctrl), ("xb_parse", gen_xb_parse)):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)  # other files there are kept
        for name, data in gen().items():
            assert len(data) <= 8192, name
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
