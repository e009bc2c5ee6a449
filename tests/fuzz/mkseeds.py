#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed corpus (corpus/) and the known-bug inputs (crashes/).

Each input is a program for harness.c: one config byte (bit 0: 4 KiB LBAs,
bits 1+: workers), then operations. The helpers below emit exactly the
bytes harness.c reads for each operation.
"""
import os
import struct
import sys

ENABLE, DISABLE, SHUTDOWN, RAW_CC, ADMIN, ADMIN2, IO, IO2, IO3, DOORBELL, BME, \
    DISPATCH, WORKER, CLOCK, REAP, TIMING, SETTLE = range(17)


def u8(v): return struct.pack('<B', v & 0xff)
def u16(v): return struct.pack('<H', v & 0xffff)
def u32(v): return struct.pack('<I', v & 0xffffffff)


def prps(sel=0, off=0):
    return u8(sel) + u16(off)


def enable(v=0, sz=0xff):
    return u8(ENABLE) + u8(v) + u8(sz)


def settle(reap=1):
    return u8(SETTLE) + u8(reap)


def create_cq(qid, size0, ien=True, ring=True):
    return u8(ADMIN) + u8(0 if ring else 0x80) + u8(0x80 | (4 if ien else 0)) + u8(qid) + u8(size0 - 2)


def create_sq(qid, size0, cqid, ring=True):
    return u8(ADMIN) + u8(1 if ring else 0x81) + u8(0x82) + u8(qid) + u8(size0 - 2) + u8(cqid)


def delete_sq(qid, ring=True):
    return u8(ADMIN) + u8(2 if ring else 0x82) + u8(0x80) + u16(qid)


def delete_cq(qid):
    return u8(ADMIN) + u8(3) + u8(0x80) + u16(qid)


def identify(cns=1, sel=0, off=0):
    return u8(ADMIN) + u8(4) + u8(0x80) + u8(cns) + prps(sel, off)


def get_log(lid=2, numd_byte=7, sel=0):
    return u8(ADMIN) + u8(5) + u8(0x40) + u8(numd_byte) + u8(lid) + prps(sel)


def set_nq(n=16):
    return u8(ADMIN) + u8(7) + u8(5) + u8(0) + u8(n - 1) + u8(n - 1) + prps()


def get_feat(fid_idx=5, sel=0):
    return u8(ADMIN) + u8(6) + u8(fid_idx) + u8(sel) + u8(0) + u8(0) + prps()


def aer():
    return u8(ADMIN) + u8(8) + u8(0) + prps()


def io(opkind, slba, nlb0=0, pick=0, sel=0, off=0, ring=True, extra=b''):
    """opkind: 0 read, 3 write, 5 flush, 6 write zeroes, 0x86 DSM."""
    v = nlb0 if nlb0 < 16 else 0x10
    b = u8(IO) + u8(pick if ring else pick | 0xc0) + u8(opkind | 0x60) + u8(v)
    if v & 0x10:
        b += u16(nlb0)
    b += u16(slba) + prps(sel, off)
    return b + extra


def read(slba, nlb0=0, **kw): return io(0, slba, nlb0, **kw)
def write(slba, nlb0=0, **kw): return io(3, slba, nlb0, **kw)


def dsm(slba, nlb):
    # one range (nlb0 = 0), AD set; the range: rv = nlb & 0x1f, slba u16
    return io(0x86, 0, 0, extra=u8(nlb & 0x1f) + u16(slba))


def reap(q_admin=False, n=16):
    return u8(REAP) + u8(1 if q_admin else 0) + u8(n - 1)


def reap_all():
    return u8(REAP) + u8(0x80)


def doorbell(kind, v=0, val=0):
    return u8(DOORBELL) + u8(kind) + u8(v) + u16(val)


def clock(v, shift=10):
    return u8(CLOCK) + u16(v) + u8(shift)


def timing(rl, wl, bw=None, units=None):
    v = 3 | (4 if bw is not None else 0) | (8 if units is not None else 0)
    b = u8(TIMING) + u8(v) + u16(rl) + u16(wl)
    if bw is not None:
        b += u16(bw)
    if units is not None:
        b += u16(units)
    return b


def shutdown(abrupt=False):
    return u8(SHUTDOWN) + u8(1 if abrupt else 0)


def pair(q, size=16):
    return create_cq(q, size) + settle() + create_sq(q, size, q) + settle()


def up(lba4k=False, workers=2):
    return u8((1 if lba4k else 0) | ((workers - 1) << 1)) + enable() + settle()


SEEDS = {
    'basic-rw': up() + identify(1) + settle() + set_nq() + settle() + pair(1) +
    write(8, 7) + read(8, 7) + io(5, 0) + io(6, 100, 3) + dsm(200, 8) + settle() +
    get_log(2) + get_feat() + get_log(1) + get_log(3) + get_log(5) + settle(),
    'identify-all': up() + b''.join(identify(c, sel=7, off=0x800) + settle() for c in (0, 1, 2, 3, 5, 6, 7, 8, 9)),
    'two-pairs-4k-timing': up(True, 3) + pair(1, 32) + pair(2, 8) +
    timing(20, 50, 1000, 4) + b''.join(read(i * 3, 2, pick=i) + write(i * 5, 1, pick=i + 1) for i in range(10)) +
    u8(DISPATCH) + u8(WORKER) + u8(0) + u8(WORKER) + u8(1) + clock(100) + u8(WORKER) + u8(0) +
    u8(WORKER) + u8(1) + reap(n=4) + clock(1000) + settle(),
    'prp-list': up(True) + pair(1) + read(0, 63) + write(64, 127, sel=0x45, off=0x100) +
    read(0, 511, sel=0x47, off=0xf00) + read(0, 511, sel=0x40, off=0xf00) + settle(),
    'prp-misc': up() + pair(1) + read(0, 15, sel=5, off=0x0ffd) + read(0, 15, sel=6) +
    read(0, 15, sel=0x30) + write(0, 8, sel=0x80 | 7, off=0xff0) + identify(1, sel=7, off=0x10) + settle(),
    'bad-enables': u8(0) + enable(12) + enable(13) + enable(14) +
    enable(0x1d) + enable(15) + settle() + create_cq(1, 4) + settle() + enable() + settle() + identify() + settle(),
    'shutdown-clean': up() + pair(1) + write(0, 3) + read(0, 3) + settle() + shutdown() + settle() +
    u8(DISABLE) + enable() + settle() + identify() + settle() + shutdown(True) + u8(DISABLE),
    'delete-queues': up() + pair(1) + pair(2) + write(0, 3, pick=0) + read(0, 3, pick=1) + settle() +
    delete_sq(1) + settle() + delete_cq(1) + settle() + delete_cq(2) + settle() + delete_sq(2) + settle() +
    delete_cq(2) + settle() + pair(1) + read(1, 1) + settle(),
    'aer-doorbells': up() + aer() + aer() + settle() + pair(1) + doorbell(1, 1, 7) + settle() +
    get_log(1) + settle() + doorbell(1, 0, 100) + settle() + doorbell(4, 3, 0x55) +
    doorbell(5, 0) + doorbell(6, 1) + read(0) + settle() + get_log(1, sel=0) + settle(),
    'bme-toggle': up() + pair(1) + u8(BME) + u8(BME) + read(0, 3) + settle(),
    'sq-taint': up() + pair(1, 8) + read(0) + doorbell(0, 0, 5) + settle() + doorbell(2, 0, 3) +
    read(1) + settle(),
    'cq-full': up() + create_cq(1, 4) + settle() + create_sq(1, 16, 1) + settle() +
    b''.join(read(i) for i in range(8)) + u8(DISPATCH) + u8(WORKER) + u8(0) + u8(WORKER) + u8(1) +
    reap(n=2) + u8(WORKER) + u8(0) + u8(WORKER) + u8(1) + settle(),
    'raw-cc': up() + u8(RAW_CC) + u32(0) + u8(RAW_CC) + u32(0x00460001) + settle() + identify() + settle() +
    u8(RAW_CC) + u32(0x00464001) + settle(),
}

# Known model bugs (see README.md): each trips one check.
CRASHES = {
    # CC.SHN while an admin command waits: the same pass fetches it after SHST
    'shutdown-same-pass': up() + identify() + shutdown(),
    # out-of-range CQ head after a valid one: the CQ stays full, Delete SQ spins
    'cq-head-hidden': up() + create_cq(1, 4) + settle() + create_sq(1, 8, 1) + settle() +
    read(0) + read(1) + read(2) + u8(DISPATCH) + u8(WORKER) + u8(0) + u8(WORKER) + u8(1) +
    reap(n=3) + doorbell(3, 0, 1) + read(3) + u8(DISPATCH) + u8(WORKER) + u8(0) + u8(WORKER) + u8(1) +
    delete_sq(1) + u8(DISPATCH),
    # SLBA near 2^64: pointer overflow before the status is looked at
    'slba-overflow': up() + pair(1) + u8(IO) + u8(0) + u8(0x20) + u8(0) + u8(3) + prps() + settle(),
    # failed enable (ASQ not in host RAM): the admin CQ is unmapped with length 0
    'enable-unmap-len0': u8(0) + enable(10) + settle(),
    # bus master enable cleared: the model still fetches, writes host memory, posts
    'bme-ignored': up() + u8(BME) + identify() + u8(DISPATCH),
    # Delete I/O SQ with a command rung but not yet fetched: it is never completed
    'delete-sq-unfetched': up() + pair(1) + read(0) + delete_sq(1) + u8(DISPATCH) + settle(),
}


def main():
    d = os.path.dirname(os.path.abspath(__file__))
    extra = sys.argv[1:]
    for sub, table in (('corpus', SEEDS), ('crashes', CRASHES)):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
        for name, data in table.items():
            if extra and name not in extra:
                continue
            with open(os.path.join(d, sub, ('seed-' if sub == 'corpus' else 'crash-') + name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
