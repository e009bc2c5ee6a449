/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fuzz host: simulated host memory with a per-page permission map, the
 * platform hooks the model calls, and the checks that turn a misbehaving
 * device into an abort() that libFuzzer reports.
 */
#ifndef NVMEV_FH_H
#define NVMEV_FH_H

#include "ctrl.h"
#include "prp.h"
#include "media_optane.h"

#define FH_BASE		0x10000000ull
#define FH_PAGES	1024u
#define FH_SIZE		((u64)FH_PAGES * NVMEV_PAGE_SIZE)
#define FH_MAX_WORKERS	3
#define FH_MAX_IO_QUEUES 16	/* higher qids never exist: their doorbells are fair game */
#define FH_STORAGE	(512u << 10)
/*
 * The two-namespace device (config byte 0xf0 and up): NSID 1 of
 * FH_STORAGE bytes at 0 and NSID 3 of FH_NS3_BLOCKS blocks of the other
 * block size at 1 MiB (NSID 2 unallocated), on a storage just big enough.
 */
#define FH_NS3_OFFSET	(1u << 20)
#define FH_NS3_BLOCKS(shift)	((shift) == 9 ? 105u : 13u)
#define FH_STORAGE_TWO	(FH_NS3_OFFSET + 105u * 512)
/*
 * A namespace of a NAND type (config bytes 0xd0 to 0xdf): conv with a
 * small geometry (one channel of two dies, 4 KiB pages, one plane, 16-page
 * blocks) or zns with 1 MiB zones, 2 open and 3 active at most, on a
 * storage of its own.
 */
#define FH_STORAGE_NAND	(4u << 20)
#define FH_STORAGE_MAX	FH_STORAGE_NAND
#define FH_ZONE_BYTES	(1u << 20)
#define FH_MAX_MAPS	512
#define FH_NR_QUEUES	(NVMEV_MAX_IO_QUEUES + 1)

/* Fixed layout, in pages; everything not listed is a guard page at start. */
#define FH_ASQ_PAGE	1	/* 16 pages: 1024 admin SQ entries */
#define FH_ACQ_PAGE	18	/* 4 pages: 1024 admin CQ entries */
#define FH_DATA_A	23	/* 32 data pages, a guard page, 32 more */
#define FH_DATA_B	56
#define FH_NR_DATA	64
#define FH_LIST_PAGE	89	/* 128 PRP list pages */
#define FH_NR_LISTS	128
#define FH_DYN_PAGE	218	/* queue rings, each followed by a guard page */
#define FH_GUARD_PAGE	55

enum fh_perm {
	FH_GUARD = 0,	/* not reachable: reads and writes fail */
	FH_DATA,	/* data buffers: the device may read and write */
	FH_RO,		/* SQ rings, PRP lists: the device may only read */
	FH_CQ,		/* CQ rings: written through the queue mapping only */
};

enum fh_check {
	CHK_PERM,	/* write to a read-only page, or a range across a page */
	CHK_UNMAP,	/* unmap that does not match a mapping, or a leak */
	CHK_CQE,	/* completion for a CID/SQ that is not outstanding */
	CHK_LOST,	/* completion never posted */
	CHK_DELSQ,	/* Delete I/O SQ completed with commands outstanding */
	CHK_PHASE,	/* phase tag flips, CQ overwritten past the host's head */
	CHK_SHUTDOWN,	/* host memory written after SHST = complete */
	CHK_BME,	/* host memory touched while bus mastering is off */
	CHK_RELAX,	/* a control-path wait that never ends */
	CHK_IRQ,	/* interrupt vector out of range */
	CHK_IMAGE,	/* image save/restore: out of its namespaces, half-restored, not a round trip */
	CHK_QUIESCE,	/* the device said quiesced with a command in flight */
	AVOID_SLBA,	/* not a check: never send an SLBA near 2^64 */
	AVOID_CQDB,	/* not a check: never write an out-of-range CQ head */
	NR_CHECKS,
};

struct fh_cmd {
	u16 cid;
	u16 slot;	/* SQ entry it was written to */
	u8 opc;
	u16 qid;	/* queue management: the queue concerned */
	u16 size;
	u16 cqid;
	u64 base;
};

struct fh_sq {
	bool live;
	bool deleting;	/* Delete I/O SQ submitted: no new commands */
	bool tainted;	/* the host wrote a tail it did not fill: no CID checks */
	u16 size;
	u16 cqid;
	u16 tail;
	u16 nr_out;
	u64 base;
};

struct fh_cq {
	bool live;
	bool tainted;	/* the host wrote a head it had not reaped: no CQ checks */
	u16 size;
	u16 head;
	u16 seen;	/* entries from head on that the host has seen valid */
	u8 phase;
	u64 base;
};

struct fh_map {
	void *va;
	u32 len;
	u64 addr;
};

struct fh {
	struct nvmev_ctrl *c;
	struct nvmev_worker *w[FH_MAX_WORKERS];
	struct nvmev_nvm_timing timing;
	u8 bar[NVMEV_BAR_REGS_SIZE];
	u8 *storage;		/* the one in use: exactly storage_size bytes */
	u64 *dealloc;		/* exactly nvmev_storage_map_words(storage_size) words */
	u64 storage_size;
	u8 *storage_one, *storage_two;	/* one namespace; two (FH_STORAGE_TWO) */
	u64 *dealloc_one, *dealloc_two;
	u8 *storage_nand;		/* FH_STORAGE_NAND */
	u64 *dealloc_nand;
	struct nvmev_timing *media;	/* the NAND layouts' media instance */
	u8 *mem;
	u8 *snap;		/* CQ pages as they were at SHST = complete */
	u8 perm[FH_PAGES];
	u32 next_page;		/* bump allocator for queue rings */
	u32 next_list;
	u64 now;
	u16 nr_workers;
	u32 lba_shift;
	u64 nr_blocks;
	u8 layout;		/* enum fh_layout */
	bool bme;
	u32 cc;			/* CC as the host last wrote it */
	u32 aqa;
	u64 asq, acq;
	bool ready;		/* the host saw RDY after its enable */
	bool shut;		/* the host wrote CC.SHN since its enable */
	bool shst_seen;		/* the device said shutdown complete */
	bool gave_up;		/* relax returned false: stop here */
	bool db_broken;		/* an invalid CQ head was written: the device may wait for a
				 * valid one (it reports the event), so nothing counts as lost */
	bool in_final;
	bool race_armed;	/* the glue pauses from another CPU once a command is in flight */
	u64 relax_calls;
	u16 next_cid;
	u32 nr_maps;
	struct fh_map maps[FH_MAX_MAPS];
	struct fh_sq sq[FH_NR_QUEUES];
	struct fh_cq cq[FH_NR_QUEUES];
};

extern struct fh fh;
extern struct fh_cmd fh_out[FH_NR_QUEUES][NVMEV_MAX_QUEUE_ENTRIES];

bool fh_enabled(enum fh_check chk);
void fh_finding(enum fh_check chk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fh_setup(void);
/* Device layouts: one NVM namespace, two (see FH_NS3_*), one key-value namespace, conv, zns */
enum fh_layout { FH_ONE_NS, FH_TWO_NS, FH_KV_NS, FH_CONV_NS, FH_ZNS_NS };
void fh_begin(struct fh *h, u32 lba_shift, u16 nr_workers, enum fh_layout layout);
void fh_end(struct fh *h);

u8 *fh_ptr(struct fh *h, u64 addr);
u64 fh_page_addr(u32 page);
int fh_page_of(u64 addr);	/* -1 outside host memory */
u64 fh_alloc_ring(struct fh *h, u32 bytes, enum fh_perm perm);	/* 0 when full */
u64 fh_alloc_list(struct fh *h);	/* 0 when none is left */

void fh_reg_write32(struct fh *h, u32 off, u32 v);
u32 fh_reg_read32(struct fh *h, u32 off);
void fh_db_write(struct fh *h, u32 idx, u32 v);

/* After every device step: shutdown snapshot, CQ scans. */
void fh_after_step(struct fh *h);
void fh_watch_csts(struct fh *h);
void fh_cq_scan(struct fh *h, u16 qid);
u32 fh_cq_reap(struct fh *h, u16 qid, u32 max);
void fh_reap_all(struct fh *h);
void fh_run_workers(struct fh *h);
void fh_host_reset(struct fh *h);
bool fh_glue_quiesced(struct fh *h);

#endif /* NVMEV_FH_H */
