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


def io(opkind, slba, nlb0=0, pick=0, sel=0, off=0, ring=True, extra=b'', nsid=None):
    """opkind: 0 read, 3 write, 5 flush, 6 write zeroes, 0x86 DSM."""
    v = nlb0 if nlb0 < 16 else 0x10
    if nsid is not None:
        v |= 0xc0
    b = u8(IO) + u8(pick if ring else pick | 0xc0) + u8(opkind | 0x60) + u8(v)
    if v & 0x10:
        b += u16(nlb0)
    if nsid is not None:
        b += u32(nsid)
    b += u16(slba) + prps(sel, off)
    return b + extra


def read(slba, nlb0=0, **kw): return io(0, slba, nlb0, **kw)
def write(slba, nlb0=0, **kw): return io(3, slba, nlb0, **kw)


def dsm(slba, nlb, nsid=None):
    # one range (nlb0 = 0), AD set; the range: rv = nlb & 0x1f, slba u16
    return io(0x86, 0, 0, extra=u8(nlb & 0x1f) + u16(slba), nsid=nsid)


def zeroes(slba, nlb0=0, **kw):
    """Write Zeroes, which deallocates (dsm() above never sets AD: kind has 0x20)."""
    return io(6, slba, nlb0, **kw)


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


def up(lba4k=False, workers=2, two_ns=False):
    """two_ns: the device with NSID 1 and NSID 3 (config byte 0xf0 and up)."""
    if two_ns:
        cfg = 0xf0 | (1 if lba4k else 0) | ((workers - 1) << 1)   # 0xf0 >> 1 = 120 = 0 mod 3
    else:
        cfg = (1 if lba4k else 0) | ((workers - 1) << 1)
    return u8(cfg) + enable() + settle()


# ---- namespace images: opcode bytes 0xf0..0xf6 save, 0xf7 race, 0xf8..0xff restore ----
IMG_SAVE, IMG_RACE, IMG_RESTORE = 0xf0, 0xf7, 0xf8
# where a mutation goes
HDR, TRAILER, ANY, SECTION = range(4)
# what it does
FLIP, BYTE, PUT32, ADD64, TRUNCATE, EXTEND, CUT, RAW = range(8)


def chunks(size):
    """Every call of one size (1..65536)."""
    return u8(0) + u16(size - 1)


def chunks_pages(shift=0, delta=0):
    """Calls of 4096 << shift (0..7) plus delta (-3..4) bytes."""
    return u8(1 | (shift << 2) | ((delta + 3) << 5))


def chunks_random(max_size, seed):
    return u8(2) + u16(max_size - 1) + u32(seed)


def chunks_whole():
    return u8(3)


def img_save(ch=None):
    return u8(IMG_SAVE) + (ch if ch is not None else chunks_whole())


def img_race(ch=None):
    """A save whose pause comes in the middle of the next dispatcher pass, once it fetched a command."""
    return u8(IMG_RACE) + (ch if ch is not None else chunks_whole())


def mut(kind, region, where, val=0, raw=b''):
    b = u8(kind | (region << 3)) + u32(where) + u32(val)
    if kind == RAW:
        assert len(raw) == 1 + (val & 63)
        b += raw
    return b


def img_restore(muts=(), ch=None, raw=None, fix_header=False, fix_trailer=False,
                keep_writing=False, paused_passes=False):
    """The last saved image (or raw input bytes), changed by muts, fed in chunks."""
    src = (3 if raw is not None else 0) | (4 if fix_header else 0) | (8 if fix_trailer else 0) | \
        (0x10 if keep_writing else 0) | (0x20 if paused_passes else 0)
    b = u8(IMG_RESTORE) + u8(src)
    if raw is not None:
        b += u16(len(raw)) + raw
    b += u8(len(muts)) + b''.join(muts)
    return b + (ch if ch is not None else chunks_whole())


def img_header(total, nsid=1, shift=9, size=512 << 10, nr=1):
    """The first bytes of an image header (the rest zero; the harness fixes the checksum)."""
    h = b'NVMEVIMG' + u32(1) + u32(4096) + struct.pack('<Q', total) + u32(nr) + u32(0) + \
        struct.pack('<Q', size) + bytes(24)
    words = ((size >> shift) + 63) // 64
    d = u32(nsid) + u8(0) + u8(shift) + u8(1) + u8(0) + b'nvm'.ljust(8, b'\0') + \
        b'optane'.ljust(16, b'\0') + struct.pack('<QQQQQQ', size, (words * 8 + 4095) // 4096 * 4096,
                                                  0, 0, size, 0)
    return h + d


def kv(op, key=0, size=0, klen=None, opt=None, pick=0, sel=0, off=0):
    """A key-value command (device config 0xe0-0xef): op 0 store, 1 retrieve,
    2 list, 3 delete, 4 exist; key 0-31 (length 1, 6, 11 or 16 by key >> 5)."""
    kind = op | (0x80 if klen is not None else 0) | (0x40 if opt is not None else 0)
    if size % 700 == 0 and size // 700 < 16:
        b = u8(IO) + u8(pick) + u8(kind) + u8(size // 700)
    else:
        b = u8(IO) + u8(pick) + u8(kind) + u8(0x10) + u16(size)
    b += u8((key & 0x1f) | ((key >> 5) & 3) << 6)
    if klen is not None:
        b += u8(klen)
    if opt is not None:
        b += u8(opt)
    return b + prps(sel, off)


def up_kv(lba4k=False):
    return u8(0xe0 | (1 if lba4k else 0)) + enable() + settle()


def up_conv(lba4k=False):
    """A conv namespace (config 0xd0-0xd7) of the small geometry in fh.h."""
    return u8(0xd0 | (1 if lba4k else 0)) + enable() + settle()


def up_zns(lba4k=False):
    """A zns namespace (config 0xd8-0xdf): 1 MiB zones, 2 open and 3 active at most."""
    return u8(0xd8 | (1 if lba4k else 0)) + enable() + settle()


def zio(opkind, slba, nlb0=0, act=0, pick=0, sel=0, off=0):
    """A zoned command: opkind 0x0c append, 0x8e management send (act: action | 0x80
    Select All), 0x0e management receive (act: action, filter << 2, 0x80 partial;
    nlb0 & 0xf: 4 << nlb0 bytes). SLBA in range, a zone's start (v bit 5 clear)."""
    b = u8(IO) + u8(pick) + u8(opkind | 0x60) + u8(nlb0 & 0xf) + u16(slba)
    if opkind & 7 == 6:
        b += u8(act)
    return b + prps(sel, off)


SEEDS = {
    'compare-verify': up() + pair(1) + write(8, 7) + io(2 | 0x08, 8, 7) +
    io(2 | 0x08, 8, 7, sel=0x45, off=0x100) + io(2 | 0x08, 4000, 3) + write(64, 63) +
    io(2 | 0x08, 64, 63, sel=0x47, off=0xf00) + io(5 | 0x08, 0, 7) + io(5 | 0x08, 1020, 7) +
    settle(),
    'kv-basic': up_kv() + identify(1) + settle() + set_nq() + settle() + pair(1) +
    b''.join(kv(0, k, 700 * (k % 6)) for k in range(12)) + settle() +
    b''.join(kv(1, k, 4096) for k in range(12)) + kv(2, 0, 4096) + settle() +
    b''.join(kv(3, k) for k in range(0, 12, 2)) + kv(4, 3) + kv(4, 2) +
    kv(0, 5, 1234, opt=1) + kv(0, 40, 100, opt=2) + kv(0, 1, 10, klen=17) +
    kv(1, 70, 5000, sel=0x45, off=0x100) + kv(0, 90, 9000, sel=0x47, off=0xf00) + settle() +
    img_save() + kv(0, 3, 700) + img_restore() + kv(2, 0, 512) + settle(),
    # conv: GC in a small geometry (writes of three capacities), trims, the FTL in an image, and
    # a restore that fails after its header (a new FTL)
    # (sel=0x80: a PRP list for transfers of more than two pages; 67 ms after each write, so
    # that the NAND drains the 64 KiB buffer)
    'conv-gc': up_conv(True) + identify(1) + settle() + pair(1) +
    b''.join(write((i * 389) % 900, 63, sel=0x80) + clock(1, 26) + (settle() if i % 4 == 3 else b'')
             for i in range(48)) +
    read(0, 63, sel=0x80) + zeroes(64, 63) + dsm(128, 16) + io(5 | 0x08, 0, 7) + settle() +
    get_log(2) + get_log(0xc0) + settle() + img_save() + write(0, 7, sel=0x80) + img_restore() +
    read(0, 7, sel=0x80) + settle() + img_restore([mut(FLIP, ANY, 300000, 3)]) + write(0, 7, sel=0x80) +
    read(0, 7, sel=0x80) + settle(),
    # zns: writes at the write pointer and off it, appends, every management action, reports,
    # an image round trip and a restore that fails after its header (a new zoned namespace)
    'zns-zones': up_zns(True) + identify(5) + identify(6) + settle() + pair(1) +
    write(0, 7, sel=0x80) + write(8, 7, sel=0x80) + zio(0x0c, 0, 1, sel=0x80) + zio(0x0c, 0, 7, sel=0x80) + read(0, 15, sel=0x80) +
    read(40, 7, sel=0x80) + settle() +
    zio(0x0e, 0, 10, 0) + zio(0x0e, 0, 2, 0x80) + zio(0x0e, 0, 10, 1 | (2 << 2)) +
    zio(0x8e, 0, 0, 1) + zio(0x8e, 0, 0, 3) + zio(0x8e, 0, 0, 2) + write(0, 0) +
    zio(0x8e, 0, 0, 4) + write(256, 3, sel=0x80) + write(512, 3, sel=0x80) + write(768, 3, sel=0x80) +
    zio(0x8e, 0, 0, 3 | 0x80) + zio(0x8e, 256, 0, 5) + zio(0x8e, 0, 0, 4 | 0x80) + zio(0x8e, 0, 0, 0x40) +
    settle() + zio(0x0c, 256, 1, sel=0x80) + zio(0x0c, 512, 0) + settle() + img_save() +
    zio(0x8e, 0, 0, 4 | 0x80) + img_restore() + zio(0x0e, 0, 10, 0) + settle() +
    img_restore([mut(FLIP, ANY, 300000, 3)]) + zio(0x0e, 0, 10, 0) + write(0, 0) + settle(),
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
    # images: a round trip in odd chunks, then one over changed data
    'image-round-trip': up() + pair(1) + write(8, 7) + write(100, 3) + zeroes(8, 3) + settle() +
    img_save(chunks(4093)) + write(8, 7, sel=1) + write(300, 15) + settle() +
    img_restore(ch=chunks_random(5000, 0x1234)) + read(8, 7) + read(300, 15) + settle() +
    img_save(chunks_pages(0, -3)) + img_restore(ch=chunks_pages(3, 1), paused_passes=True) + settle(),
    # damaged images: each refused or failed, the namespace unchanged or empty
    'image-damaged': up() + pair(1) + write(0, 15) + settle() + img_save() +
    img_restore([mut(FLIP, ANY, 300000, 3)]) +                       # data: the trailer's CRC
    write(0, 15) + settle() +
    img_restore([mut(ADD64, HDR, 64 + 32, 512)], fix_header=True) +  # size: refused
    img_restore([mut(FLIP, HDR, 33, 0)]) +                           # header CRC
    img_restore([mut(BYTE, HDR, 0, 0x41)], fix_header=True) +        # magic: refused
    img_restore([mut(TRUNCATE, TRAILER, 100)], ch=chunks(65536)) +  # short
    img_restore([mut(EXTEND, ANY, 0, 9)], keep_writing=True) +       # long
    img_restore([mut(PUT32, HDR, 24, 0)], fix_header=True) +         # no namespaces: refused
    img_restore([mut(CUT, SECTION, 1, 16)], fix_header=True, fix_trailer=True) +  # shifted
    img_restore([mut(BYTE, TRAILER, 0, 0)], fix_trailer=True) + read(0, 15) + settle(),
    # raw bytes: a header the input spells out, made long enough by extension
    'image-raw': u8(0) + enable() + settle() +
    img_restore(raw=img_header(4096 + 4096 + (512 << 10) + 4096),
                muts=[mut(EXTEND, ANY, 0, 4095), mut(EXTEND, ANY, 0, 0xffff)], fix_header=True,
                ch=chunks(700)) +
    img_restore(raw=b'NVMEVIMG' + u32(1) + u32(4096)) +
    img_restore(raw=img_header(8192, nr=0), muts=[mut(EXTEND, ANY, 0, 8192 - 144 - 1)],
                fix_header=True, fix_trailer=True) + settle(),
    # two namespaces (NSID 1 and 3, other block sizes): changed maps and data that check out
    'image-two-ns': up(two_ns=True) + pair(1) + write(0, 7) + write(64, 3, nsid=3) +
    write(100, 0, nsid=3) + zeroes(65, 1, nsid=3) + settle() + img_save(chunks_random(9000, 77)) +
    write(0, 7, nsid=3) + settle() + img_restore(ch=chunks_pages(1, -1)) + read(64, 3, nsid=3) +
    img_restore([mut(FLIP, SECTION, 2, 0)], fix_trailer=True) +
    img_restore([mut(BYTE, SECTION, 3 | (0x10 << 8), 0x5a)], fix_trailer=True, ch=chunks(4097)) +
    img_restore([mut(ADD64, HDR, 64 + 80 + 32, 4096)], fix_header=True) +
    img_restore([mut(PUT32, HDR, 64, 2)], fix_header=True) + read(0, 7) + settle(),
    # commands in flight with long latencies: the save waits for them
    'image-busy': up(workers=3) + pair(1) + pair(2) + timing(60000, 60000, 20, 2) +
    b''.join(write(i * 16, 15, pick=i) for i in range(6)) + img_save(chunks(60000)) +
    b''.join(read(i * 16, 15, pick=i) for i in range(6)) +
    img_restore(paused_passes=True) + settle(),
    # a controller never enabled: images still work
    'image-disabled': u8(1) + img_save() + img_restore([mut(FLIP, ANY, 7000, 1)], keep_writing=True) +
    img_restore() + enable() + settle(),
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
    # an image closed (unpaused), a write rung, the next open pauses while a dispatcher pass
    # fetches it: the quiesced flag of the last image still says yes
    'image-quiesce-stale': up() + pair(1) + img_save() + write(0, 7) + img_race() + settle(),
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
