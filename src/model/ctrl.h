/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NVMe controller model: registers, queues, namespaces, and the
 * hand-off between the dispatcher (which fetches and decodes commands) and
 * the workers (which move data and post completions at their target time).
 *
 * Threads: one dispatcher calls nvmev_ctrl_poll(); each worker calls
 * nvmev_worker_poll() on its own struct nvmev_worker. Every field below
 * says who writes it. Nothing here allocates after nvmev_ctrl_init().
 */
#ifndef NVMEV_CTRL_H
#define NVMEV_CTRL_H

#include "nvme.h"
#include "timing.h"
#include "cmdset.h"

#define NVMEV_PAGE_SHIFT	12
#define NVMEV_PAGE_SIZE		(1u << NVMEV_PAGE_SHIFT)

/* BAR0: registers in the first page, doorbells in the second. */
#define NVMEV_BAR_REGS_SIZE	0x2000
#define NVMEV_MAX_IO_QUEUES	128
#define NVMEV_NR_VECTORS	(NVMEV_MAX_IO_QUEUES + 1)
#define NVMEV_MAX_QUEUE_ENTRIES	1024	/* CAP.MQES + 1 */
#define NVMEV_MAX_WORKERS	64
#define NVMEV_MDTS		9	/* 2^9 pages: 2 MiB per command */
#define NVMEV_MAX_XFER		(NVMEV_PAGE_SIZE << NVMEV_MDTS)
#define NVMEV_AERL		3	/* four outstanding AERs (0's based) */
#define NVMEV_ERROR_LOG_ENTRIES	64
#define NVMEV_SQ_BUDGET		64	/* commands per SQ per dispatcher pass */
#define NVMEV_WORKER_SLOTS	4096	/* commands a worker holds at once */
#define NVMEV_RING_SLOTS	1024	/* dispatcher -> worker ring, power of 2 */
#define NVMEV_LATENESS_BUCKETS	32	/* log2 buckets of ns */
#define NVMEV_OWNER_DISPATCHER	0xffff
/* Bytes a worker copies in one pass before it posts what is due (~1 ms). */
#define NVMEV_WORKER_PASS_BYTES	(4u << 20)
#define NVMEV_WORKER_ERRORS	16	/* worker -> dispatcher error entries */
/*
 * Dataset Management and Write Zeroes limits (Identify CNS 06h, CSI 0):
 * one command deallocates at most NVMEV_DMSL blocks, which bounds the
 * deallocation map update a worker makes for it.
 */
#define NVMEV_DMRL		255	/* ranges per command (the largest DMRL value) */
#define NVMEV_DMSL		(1u << 22)	/* blocks per range and per command */
/* Shutdown: how long fetched commands may take to complete (< CAP.TO). */
#define NVMEV_SHUTDOWN_NS	1000000000ull
/* Namespaces per controller: NSIDs 1..NVMEV_MAX_NS (Identify NN). */
#define NVMEV_MAX_NS		16
#define NVMEV_NO_NS		0xff	/* nvmev_req.ns_idx of a command without one */
/* LBA formats every namespace offers: 0 = 512 bytes, 1 = 4096 bytes */
#define NVMEV_NR_LBAF		2
#define NVMEV_ADMIN_DEFERRED	0xffff	/* an admin command that completes later */

struct nvmev_ctrl;

/* A decoded command on its way from the dispatcher to a worker. */
struct nvmev_req {
	u64 target_ns;
	u64 fetch_ns;
	u64 slba;
	u64 prp1;
	u64 prp2;
	u32 nsid;
	u32 nlb;		/* blocks, 1's based */
	u32 bytes;		/* data length */
	u32 cdw10;
	u32 cdw11;
	u32 result;		/* completion DW0 */
	u32 result1;		/* completion DW1 */
	u32 csd[4];		/* command dwords a command set's decoder keeps for its worker */
	u32 epoch;
	u16 sqid;
	u16 cqid;
	u16 cid;
	u16 status;
	u8 opcode;
	u8 ns_idx;		/* c->ns[ns_idx], or NVMEV_NO_NS */
	u8 dir;			/* enum nvmev_dir, for the statistics */
	u8 lba_shift;		/* of the namespace (for the media model) */
};

struct nvmev_cq {
	bool valid;		/* dispatcher */
	bool ien;
	u16 qid;
	u16 size;
	u16 vector;
	u16 owner;		/* worker index, or NVMEV_OWNER_DISPATCHER */
	u16 nr_sqs;		/* SQs attached; dispatcher */
	u64 base;
	u8 *ring;
	u32 *head_db;
	/* Owner thread only: */
	u16 tail;
	u16 head;		/* last valid head the host wrote */
	u8 phase;
	bool irq_pending;
	u32 bad_head;		/* last out-of-range head reported */
};

struct nvmev_sq {
	bool valid;
	u16 qid;
	u16 size;
	u16 cqid;
	u64 base;
	u8 *ring;
	u32 *tail_db;
	u16 head;		/* dispatcher writes; the CQ owner reads for SQHD */
	u32 bad_tail;		/* last out-of-range tail reported */
	bool deleting;		/* Delete I/O SQ waits for its commands (dispatcher) */
	u64 submitted;		/* dispatcher */
	u64 completed;		/* the owner of the SQ's CQ */
};

/*
 * A namespace, of one I/O command set (@cmd_set) with its media model
 * (@timing). Every namespace is an extent of the device's storage: its data
 * sits at its logical place in @data (storage + @offset); @dealloc has a
 * bit per block, set while the block is deallocated (reads return zeroes
 * without looking at @data). A new namespace is all deallocated.
 * A slot whose @cmd_set is NULL is an unallocated NSID; an allocated one
 * that is not @attached is inactive for this controller.
 */
struct nvmev_ns {
	const struct nvmev_cmd_set *cmd_set;
	struct nvmev_timing *timing;
	u32 nsid;
	u32 lba_shift;
	u64 nr_blocks;
	u8 *data;
	u64 *dealloc;
	u64 size;
	u64 offset;		/* in the storage */
	u64 extent;		/* bytes of storage it holds (size rounded up to the granule) */
	u32 gen;		/* creation number: identifiers are never reused */
	bool attached;
	u32 lock;		/* a command set that serializes its workers (nvmev_spin_lock) */
	u32 cs_feature;		/* the command set's feature value; a controller reset clears it */
	u64 fault;		/* the command set's injected fault, not yet applied (any thread) */
};

/*
 * Namespaces are carved from the storage in extents of this granule, so
 * that each one's deallocation map starts on a word of the storage's map
 * (one bit per 512 bytes).
 */
#define NVMEV_NS_GRANULE	(1ull << 20)

/* One namespace as the host glue sets it up at start (nvmev_config.ns). */
struct nvmev_ns_config {
	const struct nvmev_cmd_set *cmd_set;	/* NULL: the NSID is not allocated */
	u64 offset;		/* in the storage, a multiple of NVMEV_NS_GRANULE */
	u64 size;		/* bytes */
	u32 lba_shift;		/* 9 or 12 */
};

static inline u32 nvmev_lbaf_shift(u32 lbaf)
{
	return lbaf ? 12 : 9;
}

/* Words of the deallocation map of @nr_blocks blocks. */
static inline u64 nvmev_dealloc_words(u64 nr_blocks)
{
	return (nr_blocks + 63) / 64;
}

/* Bits [@first, @end) of one word of a deallocation map. */
static inline u64 nvmev_dealloc_word_mask(u64 first, u64 end)
{
	u64 hi = end - first == 64 ? ~0ull : ((1ull << (end - first)) - 1);

	return hi << first;
}

/* Words of the storage's deallocation map: a bit per 512 bytes. */
static inline u64 nvmev_storage_map_words(u64 storage_size)
{
	return nvmev_dealloc_words(storage_size >> 9);
}

/* A namespace's share of a thread's statistics (by NSID slot). */
struct nvmev_ns_stats {
	u64 read_cmds;
	u64 write_cmds;
	u64 bytes_read;
	u64 bytes_written;
};

/* Statistics one thread writes; sysfs adds them up. */
struct nvmev_stats {
	u64 cmds[256];		/* I/O commands by opcode (dispatcher) */
	u64 admin_cmds[256];	/* admin commands by opcode (dispatcher) */
	u64 errors;
	u64 bytes_read;		/* worker: completed reads and writes */
	u64 bytes_written;
	u64 read_cmds;
	u64 write_cmds;
	u64 backpressure;	/* times an SQ or the admin CQ had to wait */
	u64 completions;	/* worker */
	u64 cq_full_waits;	/* worker */
	u64 lateness[NVMEV_LATENESS_BUCKETS];	/* worker */
	u64 aborted;		/* worker: completed as aborted by SQ deletion */
	struct nvmev_ns_stats ns[NVMEV_MAX_NS];	/* worker */
};

struct nvmev_error_entry {
	u64 count;
	u64 lba;
	u32 nsid;
	u16 sqid;
	u16 cid;
	u16 status;
};

/* Single producer, single consumer ring of requests. */
struct nvmev_ring {
	u32 head;		/* consumer */
	u32 tail;		/* producer */
	struct nvmev_req slots[NVMEV_RING_SLOTS];
};

struct nvmev_worker {
	struct nvmev_ctrl *ctrl;
	u16 id;
	u32 seen_epoch;
	u32 seen_abort_gen;	/* SQ deletions already applied to held requests */
	u32 seen_flush_gen;	/* shutdown: post everything held now */
	u32 seen_hurry;
	u32 sleeping;		/* the worker waits for a kick (set by its thread) */
	struct nvmev_ring in;
	struct nvmev_req pool[NVMEV_WORKER_SLOTS];
	u32 free_list[NVMEV_WORKER_SLOTS];
	u32 nr_free;
	u32 heap[NVMEV_WORKER_SLOTS];	/* min-heap on target_ns */
	u32 heap_len;
	u32 waitq[NVMEV_WORKER_SLOTS];	/* due, but their CQ is full */
	u32 waitq_head;
	u32 waitq_len;
	u16 irq_cqs[NVMEV_MAX_IO_QUEUES + 1];
	/* CQs with posted entries the host has not released: heads followed */
	u16 open_cqs[NVMEV_MAX_IO_QUEUES + 1];
	u16 nr_open_cqs;
	u8 cq_open[NVMEV_MAX_IO_QUEUES + 1];
	u8 scratch[4096];	/* Dataset Management range list */
	u32 nr_irq_cqs;
	/* Errors for the Error Information log; the dispatcher records them. */
	struct nvmev_error_entry errs[NVMEV_WORKER_ERRORS];
	u32 err_head;		/* dispatcher */
	u32 err_tail;		/* worker */
	struct nvmev_stats stats;
};

struct nvmev_config {
	u8 *bar;		/* NVMEV_BAR_REGS_SIZE bytes of BAR0 */
	/* the device's storage: every namespace is an extent of it */
	u8 *storage;
	u64 storage_size;
	u64 *dealloc;		/* nvmev_storage_map_words(storage_size) words */
	/*
	 * The namespaces at start: ns[i] is NSID i + 1. When none is
	 * allocated, NSID 1 of the default command set fills the storage,
	 * with blocks of 2^@lba_shift bytes.
	 */
	struct nvmev_ns_config ns[NVMEV_MAX_NS];
	u32 lba_shift;
	/* media model instance of each NSID; NULL: @timing, shared */
	struct nvmev_timing *ns_timing[NVMEV_MAX_NS];
	struct nvmev_timing *timing;
	u16 max_io_queues;
	u16 nr_workers;
	u16 cntlid;
	u64 uid;		/* makes serial, NGUID and NQN unique */
	u16 vid;
	u16 ssvid;
	char serial[21];
	char model[41];
	char firmware[9];
	void *plat;
};

struct nvmev_features {
	u32 arbitration;
	u32 power_mgmt;
	u16 temp_over;
	u16 temp_under;
	u32 err_recovery;
	u32 vwc;
	u32 irq_coalesce;
	u32 async_event;
	u16 nr_io_sq;		/* granted, 1's based; 0 before Set Features */
	u16 nr_io_cq;
	u32 write_atomicity;
	u32 iocs_profile;	/* I/O Command Set Profile: combination index */
	u32 iv_cd[(NVMEV_NR_VECTORS + 31) / 32];	/* coalescing disabled, per vector */
};

enum nvmev_shutdown {
	NVMEV_SHN_NONE,
	NVMEV_SHN_FLUSH,	/* SHST = occurring: fetched commands complete */
	NVMEV_SHN_DONE,		/* SHST = complete: nothing touches the host */
};

struct nvmev_ctrl {
	struct nvmev_config cfg;
	void *plat;
	u8 *bar;
	u32 *dbs;

	/* Dispatcher state */
	u32 cc;
	bool ready;
	u32 epoch;		/* bumped on reset; workers drop older requests */
	u32 abort_gen;		/* bumped when an SQ deletion starts */
	u32 flush_gen;		/* bumped when a shutdown starts */
	u32 hurry;		/* the device is going away: no modeled delays (any thread) */
	enum nvmev_shutdown shn;
	u64 shn_deadline_ns;
	u16 del_sqid;		/* Delete I/O SQ in progress (0: none) */
	u16 del_cid;
	u32 db_error;		/* a worker saw an invalid CQ head doorbell */
	u16 db_scan;		/* next queue whose unused doorbells are checked */
	u16 temp_seen_k;	/* temperature last checked against thresholds */
	struct nvmev_features feat;
	struct nvmev_sq sqs[NVMEV_MAX_IO_QUEUES + 1];
	struct nvmev_cq cqs[NVMEV_MAX_IO_QUEUES + 1];
	u16 active_sqs[NVMEV_MAX_IO_QUEUES];
	u16 nr_active_sqs;
	u16 aer_cids[NVMEV_AERL + 1];
	u16 nr_aers;
	u32 aer_pending;	/* events not yet reported, one bit per event */
	u32 aer_masked;		/* reported, not yet cleared by a log read */
	u8 aer_info[8];
	u8 aer_log[8];
	u64 power_on_ns_base;
	u64 power_cycles;
	u64 error_count;
	struct nvmev_error_entry errors[NVMEV_ERROR_LOG_ENTRIES];
	u32 next_error;
	u16 temperature_k;	/* written by the host glue at any time */
	struct nvmev_ns ns[NVMEV_MAX_NS];
	u8 nr_ns;		/* allocated namespaces */
	/* Namespace Management delete in progress: waits for the I/O fetched before it */
	u32 nsdel_mask;		/* NSIDs (bit nsid - 1) being deleted; 0: none */
	u16 nsdel_cid;
	u64 nsdel_mark[NVMEV_MAX_IO_QUEUES + 1];	/* sq->submitted when it began */
	u32 ns_changed;		/* Changed Namespace List: NSIDs (bit nsid - 1) */
	u32 ns_created;		/* namespaces created by Namespace Management */
	struct nvmev_stats stats;	/* dispatcher's share */
	u8 scratch[4096];
	u32 paused;		/* host glue: fetch no command (image save and restore) */
	u32 quiesced;		/* dispatcher: paused, and nothing in flight; a pause clears it */
	u32 host_waiting;	/* dispatcher: paused, and the host has rung a doorbell */
	u32 ns_event_pending;	/* a restore changed the namespaces: report it */

	struct nvmev_worker *workers[NVMEV_MAX_WORKERS];
};

extern const u8 nvmev_zero_page[NVMEV_PAGE_SIZE];

/* Set up the model; @workers are zeroed arrays of cfg->nr_workers. */
int nvmev_ctrl_init(struct nvmev_ctrl *c, const struct nvmev_config *cfg,
		    struct nvmev_worker **workers);
/* Tear down every queue mapping (after the threads have stopped). */
void nvmev_ctrl_fini(struct nvmev_ctrl *c);

/*
 * The device is about to go away (any thread): from now on every command
 * completes as soon as its data has moved, without its modeled delay, so
 * that a host driver that waits for its commands before it lets go of the
 * device does not wait for minutes of modeled backlog.
 */
void nvmev_ctrl_hurry(struct nvmev_ctrl *c);
/* Function Level Reset, on the dispatcher's thread. */
void nvmev_ctrl_function_reset(struct nvmev_ctrl *c);
/* Dispatcher: one pass over registers, admin queue and I/O SQs. */
bool nvmev_ctrl_poll(struct nvmev_ctrl *c);
/*
 * Pause (any thread): the dispatcher fetches no admin or I/O command, the
 * commands in flight complete, and the namespaces hold still once
 * nvmev_ctrl_quiesced() says so (only a dispatcher pass that ends after
 * the pause says so); registers and resets still work.
 */
void nvmev_ctrl_pause(struct nvmev_ctrl *c, bool pause);
bool nvmev_ctrl_quiesced(const struct nvmev_ctrl *c);
/* Paused, and the host has submitted a command that waits for the pause's end. */
bool nvmev_ctrl_host_waiting(const struct nvmev_ctrl *c);
/* Whether any I/O command has been fetched and not yet completed. */
bool nvmev_ctrl_has_inflight(const struct nvmev_ctrl *c);
/* Worker: take new requests, move data, post what is due. */
bool nvmev_worker_poll(struct nvmev_worker *w);
/* Earliest target time a worker holds, 0 if one is overdue, ~0 if it holds nothing. */
u64 nvmev_worker_next_due(const struct nvmev_worker *w);
/* Whether requests wait on the worker's ring. */
bool nvmev_worker_has_input(const struct nvmev_worker *w);
/* Wake @w if it sleeps (after new input or a new epoch). */
void nvmev_worker_kick(struct nvmev_ctrl *c, struct nvmev_worker *w);
void nvmev_workers_kick(struct nvmev_ctrl *c);

/* internal, shared between the model's files */
void nvmev_ctrl_reset(struct nvmev_ctrl *c);
bool nvmev_admin_poll(struct nvmev_ctrl *c);
void nvmev_admin_init(struct nvmev_ctrl *c);
void nvmev_admin_report_event(struct nvmev_ctrl *c, u8 type, u8 info, u8 log_page);
void nvmev_record_error(struct nvmev_ctrl *c, u16 sqid, u16 cid, u16 status, u32 nsid, u64 lba);
bool nvmev_io_sq_poll(struct nvmev_ctrl *c, struct nvmev_sq *sq);
void nvmev_io_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_req *req);
bool nvmev_cq_post(struct nvmev_ctrl *c, struct nvmev_cq *cq, u16 sqid, u16 cid,
		   u16 status, u32 dw0, u32 dw1);
bool nvmev_cq_has_room(struct nvmev_ctrl *c, struct nvmev_cq *cq);
void nvmev_cq_refresh_head(struct nvmev_ctrl *c, struct nvmev_cq *cq);
bool nvmev_ring_push(struct nvmev_ring *r, const struct nvmev_req *req);
bool nvmev_ring_pop(struct nvmev_ring *r, struct nvmev_req *out);
void nvmev_queues_drain(struct nvmev_ctrl *c);
bool nvmev_sq_idle(const struct nvmev_sq *sq);
void nvmev_sq_start_delete(struct nvmev_ctrl *c, u16 qid);
void nvmev_sq_delete(struct nvmev_ctrl *c, u16 qid);
void nvmev_worker_error(struct nvmev_worker *w, const struct nvmev_req *req);
void nvmev_admin_check_temperature(struct nvmev_ctrl *c);
void nvmev_cq_delete(struct nvmev_ctrl *c, u16 qid);
u64 nvmev_power_on_hours(struct nvmev_ctrl *c);
/* ns.c */
/* Set (@set) or clear the deallocation marks of [@slba, @slba + @nlb) (atomic per word). */
void nvmev_dealloc_mark(const struct nvmev_ns *ns, u64 slba, u64 nlb, bool set);
/* @ns (allocated) as after a format; 0, or -1 when its media cannot lay it out. */
int nvmev_ns_format(struct nvmev_ns *ns);
int nvmev_ns_setup(struct nvmev_ctrl *c, u32 nsid, const struct nvmev_cmd_set *set,
		   u64 offset, u64 size, u32 lba_shift);
u64 nvmev_ns_allocated_bytes(const struct nvmev_ctrl *c);
u16 nvmev_ns_mgmt(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, u32 *dw0);
u16 nvmev_ns_attach(struct nvmev_ctrl *c, const struct nvme_sqe *cmd);
bool nvmev_ns_delete_poll(struct nvmev_ctrl *c);
void nvmev_ns_delete_abandon(struct nvmev_ctrl *c);
u32 nvmev_ns_changed_log(const struct nvmev_ctrl *c, u8 *p);
void nvmev_ns_changed_deferred(struct nvmev_ctrl *c, u32 nsid);
void nvmev_ns_event_poll(struct nvmev_ctrl *c);

/* The active namespace @nsid, or NULL (inactive or out of range). */
static inline struct nvmev_ns *nvmev_ns_get(struct nvmev_ctrl *c, u32 nsid)
{
	if (nsid == 0 || nsid > NVMEV_MAX_NS || !c->ns[nsid - 1].attached)
		return NULL;
	return &c->ns[nsid - 1];
}

/* The allocated namespace @nsid, attached or not, or NULL. */
static inline struct nvmev_ns *nvmev_ns_allocated(struct nvmev_ctrl *c, u32 nsid)
{
	if (nsid == 0 || nsid > NVMEV_MAX_NS || !c->ns[nsid - 1].cmd_set)
		return NULL;
	return &c->ns[nsid - 1];
}

/* Read a controller register / doorbell as the host left it. */
static inline u32 nvmev_reg32(const struct nvmev_ctrl *c, u32 off)
{
	return NVMEV_READ_ONCE(*(const u32 *)(c->bar + off));
}

static inline u64 nvmev_reg64(const struct nvmev_ctrl *c, u32 off)
{
	return nvmev_reg32(c, off) | ((u64)nvmev_reg32(c, off + 4) << 32);
}

static inline void nvmev_set_reg32(struct nvmev_ctrl *c, u32 off, u32 v)
{
	NVMEV_WRITE_ONCE(*(u32 *)(c->bar + off), v);
}

#endif /* NVMEV_CTRL_H */
