// SPDX-License-Identifier: GPL-2.0-only
/*
 * Emulator cost without a kernel: the plain-C device model (src/model/)
 * driven by a synthetic host on one core. Host memory is a user buffer at
 * a fake bus address; queues, PRPs and data buffers live in it. One thread
 * plays host, dispatcher and worker in turn:
 *
 *   host: write SQEs, ring the SQ doorbell
 *   dispatcher: nvmev_ctrl_poll()   (fetch, decode, schedule, hand over)
 *   worker: nvmev_worker_poll()     (copy the data, post completions, IRQ)
 *   host: reap CQEs, ring the CQ doorbell
 *
 * Zero configured latency and unlimited bandwidth, so every command is due
 * at once: what is measured is the model's own cost per command.
 *
 * With -d N the same thread drives N devices, each with its own controller,
 * worker, BAR, storage and one I/O queue pair; every pass of the loop goes
 * round the devices and does the four steps above on each, keeping QD
 * commands outstanding on every device. Counts are totals over the devices.
 *
 *   model_bench [-n COMMANDS] [-t SECONDS] [-q QD] [-w read|write] [-S MiB]
 *               [-d DEVICES] [-c]
 *   model_bench -k [-w store|retrieve] [-V BYTES] [-K KEYS] [other options]
 *   model_bench -T conv|zns [-w read|write|append|reset] [other options]
 *     -S   namespace size in MiB, per device (default 256: reads and writes
 *          miss the caches)
 *     -d   number of devices, 1..8 (default 1)
 *     -c   callgrind mode: a fixed number of commands, no timing output
 *     -k   a key-value namespace (type kv) instead: Store or Retrieve of
 *          values of -V bytes (default 4096, at most 65536) under 8-byte
 *          keys drawn from -K keys (default: as many as fill half the
 *          namespace, at most 65536), all stored first
 *   -T   the namespace's type: nvm (default), conv or zns, with the
 *        type's default media tunables (a NAND drive's timing). The clock
 *        runs fast (every reading 1 ms later than the last), so that the
 *        NAND never makes the host wait: what is measured is still the
 *        model's cost. conv: the namespace is written sequentially, then
 *        at random twice over before the measurement, so that GC runs in
 *        its steady state and its cost is in every write's count. zns:
 *        writes go to each zone's write pointer in turn (append: to the
 *        zone's start); before a full zone is written again a Zone Reset
 *        goes ahead of the write in the same queue; -w reset alternates a
 *        4 KiB write at an empty zone's start with that zone's reset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conv.h"
#include "ctrl.h"
#include "media_optane.h"
#include "kv.h"
#include "type.h"
#include "zns.h"

#define HOST_BASE	0x100000000ull	/* fake bus address of host memory */
#define HOST_SIZE	(64u << 20)	/* queues and MAX_QD buffers of MAX_DEVS devices */
static u64 storage_size = 256u << 20;	/* -S MiB, per device */
#define QSIZE		1024
#define MAX_QD		1023
#define MAX_DEVS	8

static u8 *host_mem;
static u64 host_next = HOST_BASE;

/* The host's view of one queue pair. */
struct hq {
	u64 sq, cq;
	u16 size, sq_tail, cq_head;
	u8 phase;
};

/* One emulated device and what the synthetic host keeps for it. */
struct bench_dev {
	u8 bar[NVMEV_BAR_REGS_SIZE];
	struct nvmev_ctrl *ctrl;
	struct nvmev_worker *worker;
	struct nvmev_nvm_timing timing;
	u8 *storage;
	u64 *dealloc;
	struct hq q[2];		/* admin, the I/O queue pair */
	u64 bufs[MAX_QD];	/* data buffers in host memory, one per slot */
	/* bench_loop() with several devices: this call's commands on this one */
	u64 submitted, quota;
	unsigned int outstanding;
	u64 irqs;
	struct nvmev_timing *media;	/* -T */
	u64 nr_blocks;			/* the host's blocks */
	u64 next_lba;			/* -T conv: the sequential fill's next block */
	u64 zone_blocks, nr_zones;	/* zns */
	u64 zone_wp;			/* zns: the next block to write, in zone units */
	/* zns: 1 once a reused zone had its reset; -w reset: the commands so far (odd: resets) */
	u64 zone_step;
};

static struct bench_dev devs[MAX_DEVS];
static unsigned int nr_devs = 1;	/* -d */
static bool kv_mode;			/* -k */
static const struct nvmev_type *ns_type;	/* -T: conv, zns; NULL: nvm */
static bool zns_mode;
static u64 warp_ns;			/* the fast clock of -T */
static u32 kv_vsize = 4096;		/* -V */
static u32 kv_keys;			/* -K; 0: what half the namespace holds, at most 65536 */
static struct nvmev_kv_timing kv_timing[MAX_DEVS];
static u64 buf_lists[MAX_DEVS][MAX_QD];	/* PRP lists of values above 8 KiB */

static void *hp(u64 a) { return host_mem + (a - HOST_BASE); }

static u64 halloc(u32 bytes)
{
	u64 a = host_next;

	host_next += (bytes + 4095u) & ~4095u;
	if (host_next > HOST_BASE + HOST_SIZE) {
		fprintf(stderr, "host memory exhausted\n");
		exit(2);
	}
	return a;
}

static bool in_host(u64 a, u32 len)
{
	return a >= HOST_BASE && a + len <= HOST_BASE + HOST_SIZE && a + len >= a;
}

/* ---- platform.h ---------------------------------------------------------- */
bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len)
{
	if (!in_host(addr, len))
		return false;
	memcpy(buf, hp(addr), len);
	return true;
}

bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len)
{
	if (!in_host(addr, len))
		return false;
	memcpy(hp(addr), buf, len);
	return true;
}

void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len)
{
	return in_host(addr, len) ? hp(addr) : NULL;
}

void nvmev_plat_unmap_queue(void *plat, void *va, u32 len) { }

u64 nvmev_plat_now_ns(void *plat)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ns_type)
		warp_ns += 1000000;
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec + warp_ns;
}

void nvmev_plat_raise_irq(void *plat, u16 vector) { ((struct bench_dev *)plat)->irqs++; }
void nvmev_plat_kick_worker(void *plat, u16 worker) { }
void nvmev_plat_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void nvmev_plat_wmb(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
void nvmev_plat_rmb(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
bool nvmev_plat_bus_master(void *plat) { return true; }

bool nvmev_plat_relax(void *plat)
{
	struct bench_dev *d = plat;

	nvmev_worker_poll(d->worker);
	return true;
}

void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...) { }
void nvmev_plat_ns_changed(void *plat) { }

/* ---- synthetic host driver ------------------------------------------------ */
static void wr32(struct bench_dev *d, u32 off, u32 v)
{
	NVMEV_WRITE_ONCE(*(u32 *)(d->bar + off), v);
}

static u32 rd32(struct bench_dev *d, u32 off)
{
	return NVMEV_READ_ONCE(*(u32 *)(d->bar + off));
}

static void run_until_idle(struct bench_dev *d)
{
	int i;

	for (i = 0; i < 100000; i++)
		if (!(nvmev_ctrl_poll(d->ctrl) | nvmev_worker_poll(d->worker)))
			return;
}

static void submit(struct hq *h, const u32 *dw)
{
	memcpy(hp(h->sq + (u64)h->sq_tail * 64), dw, 64);
	h->sq_tail = (u16)((h->sq_tail + 1) % h->size);
}

static void ring_sq(struct bench_dev *d, int qid)
{
	wr32(d, NVME_REG_DBS + 8 * qid, d->q[qid].sq_tail);
}

/* Reap every posted CQE of @qid on @d; returns how many, counts errors. */
static unsigned int reap(struct bench_dev *d, int qid, unsigned int *errors)
{
	struct hq *h = &d->q[qid];
	/* a local: *@errors might alias @d, so h->cq_head would be stored per CQE */
	u16 head = h->cq_head;
	unsigned int n = 0;

	for (;;) {
		u32 dw3 = NVMEV_READ_ONCE(*(u32 *)hp(h->cq + (u64)head * 16 + 12));

		if (((dw3 >> 16) & 1) != h->phase)
			break;
		if (dw3 >> 17)
			(*errors)++;
		if (++head == h->size) {
			head = 0;
			h->phase ^= 1;
		}
		n++;
	}
	if (n) {
		h->cq_head = head;
		wr32(d, NVME_REG_DBS + 8 * qid + 4, head);
	}
	return n;
}

static u16 admin(struct bench_dev *d, u32 *dw)
{
	unsigned int e = 0;

	submit(&d->q[0], dw);
	ring_sq(d, 0);
	run_until_idle(d);
	if (reap(d, 0, &e) != 1)
		return 0xffff;
	return e ? 1 : 0;
}

/* Device @i: a controller and its worker, enabled, with one I/O queue pair. */
static void setup_dev(struct bench_dev *d, unsigned int i)
{
	struct nvmev_config cfg = { 0 };
	struct hq *q = d->q;
	u32 dw[16];

	d->ctrl = calloc(1, sizeof(*d->ctrl));
	d->worker = calloc(1, sizeof(*d->worker));
	nvmev_nvm_timing_init(&d->timing, 0, 0, 0, 8);
	d->storage = aligned_alloc(4096, storage_size);
	d->dealloc = calloc(nvmev_storage_map_words(storage_size), 8);
	if (!d->ctrl || !d->worker || !d->storage || !d->dealloc) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(d->storage, 0x5a, storage_size);
	cfg.bar = d->bar;
	cfg.storage = d->storage;
	cfg.storage_size = storage_size;
	cfg.dealloc = d->dealloc;
	cfg.lba_shift = 12;
	cfg.max_io_queues = 4;
	cfg.nr_workers = 1;
	cfg.cntlid = 1;
	cfg.uid = i;
	snprintf(cfg.serial, sizeof(cfg.serial), "BENCH%u", i);
	strcpy(cfg.model, "nvmevirt model bench");
	strcpy(cfg.firmware, "0");
	cfg.timing = &d->timing.base;
	cfg.plat = d;
	if (kv_mode) {
		const struct nvmev_type *kv = nvmev_type_by_name("kv");
		u32 j;

		nvmev_media_init_defaults(kv->media, &kv_timing[i].base);
		for (j = 0; j < kv->media->nr_tunables; j++)
			nvmev_tunable_set(&kv_timing[i].base, &kv->media->tunables[j], 0);
		cfg.ns[0].cmd_set = kv->cmd_set;
		cfg.ns[0].size = storage_size;
		cfg.ns[0].lba_shift = 12;
		cfg.ns_timing[0] = &kv_timing[i].base;
	}
	if (ns_type) {
		d->media = calloc(1, ns_type->media->size);
		if (!d->media || nvmev_media_init_defaults(ns_type->media, d->media)) {
			fprintf(stderr, "%s media init failed\n", ns_type->name);
			exit(2);
		}
		cfg.ns[0].cmd_set = ns_type->cmd_set;
		cfg.ns[0].size = storage_size;
		cfg.ns[0].lba_shift = 12;
		cfg.ns_timing[0] = d->media;
	}
	if (nvmev_ctrl_init(d->ctrl, &cfg, &d->worker)) {
		fprintf(stderr, "model init failed\n");
		exit(2);
	}
	/* as if the whole device had been written: reads copy real data */
	if (!kv_mode && !ns_type)
		memset(d->dealloc, 0, nvmev_storage_map_words(storage_size) * 8);
	q[0].size = 32;
	q[0].sq = halloc(32 * 64);
	q[0].cq = halloc(32 * 16);
	q[0].phase = 1;
	wr32(d, NVME_REG_AQA, 31 | (31u << 16));
	wr32(d, NVME_REG_ASQ, (u32)q[0].sq);
	wr32(d, NVME_REG_ASQ + 4, (u32)(q[0].sq >> 32));
	wr32(d, NVME_REG_ACQ, (u32)q[0].cq);
	wr32(d, NVME_REG_ACQ + 4, (u32)(q[0].cq >> 32));
	wr32(d, NVME_REG_CC, NVME_CC_EN | (6u << 16) | (4u << 20));
	run_until_idle(d);
	if (!(rd32(d, NVME_REG_CSTS) & NVME_CSTS_RDY)) {
		fprintf(stderr, "controller did not become ready\n");
		exit(2);
	}

	q[1].size = QSIZE;
	q[1].sq = halloc(QSIZE * 64);
	q[1].cq = halloc(QSIZE * 16);
	q[1].phase = 1;
	memset(dw, 0, sizeof(dw));
	dw[0] = NVME_ADMIN_CREATE_CQ | (1u << 16);
	dw[6] = (u32)q[1].cq;
	dw[7] = (u32)(q[1].cq >> 32);
	dw[10] = 1 | ((u32)(QSIZE - 1) << 16);
	dw[11] = 1 | 2;	/* physically contiguous, interrupts enabled, vector 0 */
	if (admin(d, dw)) {
		fprintf(stderr, "create I/O CQ failed\n");
		exit(2);
	}
	memset(dw, 0, sizeof(dw));
	dw[0] = NVME_ADMIN_CREATE_SQ | (2u << 16);
	dw[6] = (u32)q[1].sq;
	dw[7] = (u32)(q[1].sq >> 32);
	dw[10] = 1 | ((u32)(QSIZE - 1) << 16);
	dw[11] = 1 | (1u << 16);
	if (admin(d, dw)) {
		fprintf(stderr, "create I/O SQ failed\n");
		exit(2);
	}
	d->nr_blocks = storage_size / 4096;
	if (ns_type) {
		/* the host's blocks: NSZE of Identify Namespace */
		u64 id = halloc(4096);

		memset(dw, 0, sizeof(dw));
		dw[0] = NVME_ADMIN_IDENTIFY | (3u << 16);
		dw[1] = 1;
		dw[6] = (u32)id;
		dw[7] = (u32)(id >> 32);
		if (admin(d, dw)) {
			fprintf(stderr, "identify namespace failed\n");
			exit(2);
		}
		memcpy(&d->nr_blocks, hp(id), 8);
	}
	if (zns_mode) {
		d->zone_blocks = ((struct nvmev_zns_timing *)d->media)->zone_size_mib << 8;
		d->nr_zones = d->nr_blocks / d->zone_blocks;
	}
}

/* Shared host memory, then @nr_devs devices, then @qd data buffers for each. */
static void setup(unsigned int qd)
{
	unsigned int i, j;

	host_mem = aligned_alloc(4096, HOST_SIZE);
	if (!host_mem) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(host_mem, 0, HOST_SIZE);
	for (i = 0; i < nr_devs; i++)
		setup_dev(&devs[i], i);
	for (i = 0; i < nr_devs; i++) {
		for (j = 0; j < qd; j++) {
			u32 len = kv_mode ? kv_vsize : 4096, p;

			devs[i].bufs[j] = halloc(len);
			memset(hp(devs[i].bufs[j]), (int)j, len);
			if (len <= 8192)
				continue;
			buf_lists[i][j] = halloc(4096);
			for (p = 1; p * 4096u < len; p++)
				*(u64 *)hp(buf_lists[i][j] + (p - 1) * 8) = devs[i].bufs[j] + p * 4096ull;
		}
	}
}

/* ---- the measured loop ------------------------------------------------------ */
static u64 lcg = 88172645463325252ull;

/* A Store or Retrieve of one of kv_keys keys (or, with @seq, key @cid). */
static void make_kv(u32 *dw, u8 opc, u16 cid, u64 buf, u64 list, u64 seq)
{
	u64 key;

	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	key = seq ? seq - 1 : (lcg >> 33) % kv_keys;
	memset(dw, 0, 64);
	dw[0] = opc | ((u32)cid << 16);
	dw[1] = 1;
	dw[2] = (u32)key;
	dw[3] = 0x2d564b00;		/* 8-byte keys */
	dw[6] = (u32)buf;
	dw[7] = (u32)(buf >> 32);
	if (kv_vsize > 8192) {
		dw[8] = (u32)list;
		dw[9] = (u32)(list >> 32);
	} else if (kv_vsize > 4096) {
		dw[8] = (u32)(buf + 4096);
		dw[9] = (u32)((buf + 4096) >> 32);
	}
	dw[10] = kv_vsize;
	dw[11] = 8;
}

static u64 kv_fill_next;	/* fill phase: the next key + 1; 0 = random keys */

static bool seq_writes;	/* -T conv: the sequential fill */
static u8 zns_op;	/* -T zns: the command the loop was asked for */

static void make_rw(struct bench_dev *d, u32 *dw, u8 opc, u16 cid, u64 buf)
{
	u64 slba;

	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	slba = (lcg >> 33) % d->nr_blocks;
	if (seq_writes)
		slba = d->next_lba++ % d->nr_blocks;
	memset(dw, 0, 64);
	dw[0] = opc | ((u32)cid << 16);
	dw[1] = 1;
	dw[6] = (u32)buf;
	dw[7] = (u32)(buf >> 32);
	dw[10] = (u32)slba;
	dw[11] = (u32)(slba >> 32);
	dw[12] = 0;	/* one 4 KiB block */
}

static void make_zone_mgmt(u32 *dw, u16 cid, u64 zslba, u32 action)
{
	memset(dw, 0, 64);
	dw[0] = NVME_ZNS_MGMT_SEND | ((u32)cid << 16);
	dw[1] = 1;
	dw[10] = (u32)zslba;
	dw[11] = (u32)(zslba >> 32);
	dw[13] = action;
}

/*
 * -T zns: the next command on @d. Writes and appends fill the zones in
 * turn; a zone about to be written from its start again is reset first,
 * by a command of its own (counted as one). -w reset: a 4 KiB write at a
 * zone's start, then that zone's reset.
 */
static void make_zns(struct bench_dev *d, u32 *dw, u16 cid, u64 buf)
{
	u64 zone = d->zone_wp / d->zone_blocks % d->nr_zones, off = d->zone_wp % d->zone_blocks;
	u64 zslba = zone * d->zone_blocks;

	if (zns_op == NVME_ZNS_MGMT_SEND) {
		if (d->zone_step++ & 1) {
			make_zone_mgmt(dw, cid, zslba, NVME_ZSA_RESET);
			d->zone_wp += d->zone_blocks;
			return;
		}
		off = 0;
	} else {
		if (!off && d->zone_wp >= d->nr_zones * d->zone_blocks && !d->zone_step) {
			/* the zone is full from the last round */
			d->zone_step = 1;
			make_zone_mgmt(dw, cid, zslba, NVME_ZSA_RESET);
			return;
		}
		d->zone_step = 0;
		d->zone_wp++;
	}
	memset(dw, 0, 64);
	dw[0] = (zns_op == NVME_ZNS_APPEND ? NVME_ZNS_APPEND : NVME_CMD_WRITE) | ((u32)cid << 16);
	dw[1] = 1;
	dw[6] = (u32)buf;
	dw[7] = (u32)(buf >> 32);
	if (zns_op != NVME_ZNS_APPEND)
		zslba += off;
	dw[10] = (u32)zslba;
	dw[11] = (u32)(zslba >> 32);
}

/*
 * One pass over @d: submit commands of @opc until @qd are outstanding on it
 * or *@submitted reaches @quota, ring the SQ doorbell, run the dispatcher and
 * the worker once, reap. *@submitted picks the command identifier and the
 * buffer slot. Returns the completions. Always inlined: with one device the
 * counters are locals of bench_loop() and stay in registers.
 *
 * The SQ state is a local copy: host memory might alias @d (its address went
 * to the model as cfg.plat), so through d->q[1] every SQE copy would reload
 * it. A pass submits fewer than QSIZE commands (@qd <= MAX_QD), so the tail
 * moved if and only if something was submitted.
 */
static inline __attribute__((always_inline)) unsigned int
dev_pass(struct bench_dev *d, u8 opc, unsigned int qd, unsigned int *outstanding,
	 u64 *submitted, u64 quota, unsigned int *errors)
{
	struct hq sq = d->q[1];
	unsigned int n;
	u32 dw[16];

	while (*outstanding < qd && *submitted < quota) {
		if (kv_mode)
			make_kv(dw, opc, (u16)(*submitted % MAX_QD), d->bufs[*submitted % qd],
				buf_lists[d - devs][*submitted % qd], kv_fill_next ? kv_fill_next++ : 0);
		else if (zns_mode && opc != NVME_CMD_READ)
			make_zns(d, dw, (u16)(*submitted % MAX_QD), d->bufs[*submitted % qd]);
		else
			make_rw(d, dw, opc, (u16)(*submitted % MAX_QD), d->bufs[*submitted % qd]);
		submit(&sq, dw);
		(*submitted)++;
		(*outstanding)++;
	}
	if (sq.sq_tail != d->q[1].sq_tail) {
		d->q[1].sq_tail = sq.sq_tail;
		ring_sq(d, 1);
	}
	nvmev_ctrl_poll(d->ctrl);
	nvmev_worker_poll(d->worker);
	n = reap(d, 1, errors);
	*outstanding -= n;
	return n;
}

/*
 * Keep @qd commands of @opc outstanding on each device until @total have
 * completed over all of them (@total / nr_devs each, the remainder on the
 * first devices); every pass goes round the devices.
 * noinline: callgrind --toggle-collect names it.
 */
__attribute__((noinline)) u64 bench_loop(u8 opc, unsigned int qd, u64 total, unsigned int *errors)
{
	struct bench_dev *d, *end = devs + nr_devs;
	u64 done = 0;

	if (nr_devs == 1) {
		/* the counters in registers: the cost of one device stays as it was */
		unsigned int outstanding = 0;
		u64 submitted = 0;

		while (done < total)
			done += dev_pass(&devs[0], opc, qd, &outstanding, &submitted, total, errors);
		return done;
	}
	for (d = devs; d < end; d++) {
		d->submitted = 0;
		d->quota = total / nr_devs + ((u64)(d - devs) < total % nr_devs);
	}
	while (done < total)
		for (d = devs; d < end; d++)
			done += dev_pass(d, opc, qd, &d->outstanding, &d->submitted, d->quota, errors);
	return done;
}

#define MAX_STATS	64

/* The first device's media counters in @v (MAX_STATS): how many (0: none). */
static u32 media_stats(u64 *v)
{
	const struct nvmev_media *m = ns_type->media;

	if (!m->stats || m->nr_stats > MAX_STATS)
		return 0;
	m->stats(devs[0].media, v);
	return m->nr_stats;
}

/* Where the media's counter @name is in media_stats(), or -1. */
static int stat_index(const char *name)
{
	const struct nvmev_media *m = ns_type->media;
	u32 i;

	for (i = 0; i < m->nr_stats; i++)
		if (!strcmp(m->stat_names[i].name, name))
			return (int)i;
	return -1;
}

/* The first device's media counter @name (0 if it has none). */
static u64 media_stat(const char *name)
{
	u64 v[MAX_STATS];
	int i = stat_index(name);

	return i >= 0 && media_stats(v) ? v[i] : 0;
}

static u64 host0, media0;	/* the counters when the measurement began */

/* The counters of the first device's media, name=value, and the measured WAF. */
static void print_media_stats(void)
{
	const struct nvmev_media *m = ns_type->media;
	int h = stat_index("host_pages_written"), p = stat_index("media_pages_written");
	u64 v[MAX_STATS];
	u32 i, n = media_stats(v);

	for (i = 0; i < n; i++) {
		if (m->stat_names[i].milli)
			printf(" %s=%llu.%03llu", m->stat_names[i].name,
			       (unsigned long long)(v[i] / 1000), (unsigned long long)(v[i] % 1000));
		else
			printf(" %s=%llu", m->stat_names[i].name, (unsigned long long)v[i]);
	}
	if (n && h >= 0 && p >= 0 && v[h] > host0)
		printf(" waf_measured=%.3f", (double)(v[p] - media0) / (double)(v[h] - host0));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned int qd = 1, errors = 0, i;
	u64 n = 200000, done = 0, irqs = 0;
	double secs = 2, t0, t;
	int cg = 0, opt;
	u8 opc = NVME_CMD_READ;

	while ((opt = getopt(argc, argv, "n:t:q:w:cS:d:kV:K:T:")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'q': qd = (unsigned int)atoi(optarg); break;
		case 'w':
			opc = !strcmp(optarg, "write") || !strcmp(optarg, "store") ?
			      NVME_CMD_WRITE : NVME_CMD_READ;	/* = NVME_KV_STORE, RETRIEVE */
			if (!strcmp(optarg, "append"))
				opc = NVME_ZNS_APPEND;
			if (!strcmp(optarg, "reset"))
				opc = NVME_ZNS_MGMT_SEND;
			break;
		case 'T':
			ns_type = strcmp(optarg, "nvm") ? nvmev_type_by_name(optarg) : NULL;
			if (!strcmp(optarg, "kv") || (strcmp(optarg, "nvm") && !ns_type)) {
				fprintf(stderr, "-T takes nvm, conv or zns (-k for kv)\n");
				return 2;
			}
			zns_mode = ns_type && ns_type->media == &nvmev_zns_media;
			break;
		case 'k': kv_mode = true; break;
		case 'V': kv_vsize = (u32)strtoul(optarg, NULL, 0); break;
		case 'K': kv_keys = (u32)strtoul(optarg, NULL, 0); break;
		case 'c': cg = 1; break;
		case 'S': storage_size = strtoull(optarg, NULL, 0) << 20; break;
		case 'd': nr_devs = (unsigned int)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n N] [-t SECS] [-q QD] [-w read|write|append|reset] [-S MiB] [-d DEVICES] [-c] [-k] [-T nvm|conv|zns]\n",
				argv[0]);
			return 2;
		}
	}
	if (qd < 1 || qd > MAX_QD) {
		fprintf(stderr, "qd must be 1..%d\n", MAX_QD);
		return 2;
	}
	if (nr_devs < 1 || nr_devs > MAX_DEVS) {
		fprintf(stderr, "devices must be 1..%d\n", MAX_DEVS);
		return 2;
	}
	if (kv_mode && !kv_keys)
		kv_keys = (u32)NVMEV_MIN(65536ull, storage_size / 2 / NVMEV_MAX(kv_vsize, 512u));
	if (kv_mode && (kv_vsize > 65536 || !kv_keys || (u64)qd * kv_vsize > (48u << 20))) {
		fprintf(stderr, "-V is at most 65536 bytes, QD * -V at most 48 MiB, -K at least 1\n");
		return 2;
	}
	if ((opc == NVME_ZNS_APPEND || opc == NVME_ZNS_MGMT_SEND) && !zns_mode) {
		fprintf(stderr, "-w append and -w reset need -T zns\n");
		return 2;
	}
	if (kv_mode && ns_type) {
		fprintf(stderr, "-k and -T exclude each other\n");
		return 2;
	}
	zns_op = opc;
	if (zns_mode)	/* the loop's commands are the zoned ones; the counting is the same */
		opc = opc == NVME_CMD_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
	setup(qd);
	if (ns_type && !zns_mode) {
		/* conv: every block written once in order, then at random twice over */
		u64 blocks = devs[0].nr_blocks * nr_devs;

		seq_writes = true;
		bench_loop(NVME_CMD_WRITE, qd, blocks, &errors);
		seq_writes = false;
		bench_loop(NVME_CMD_WRITE, qd, 2 * blocks, &errors);
	}
	if (zns_mode && opc == NVME_CMD_READ) {
		/* every zone written, so that reads find data */
		zns_op = NVME_CMD_WRITE;
		bench_loop(NVME_CMD_WRITE, qd, devs[0].nr_zones * devs[0].zone_blocks * nr_devs, &errors);
	}
	if (kv_mode) {
		/* every key stored once, so that a Retrieve finds its value */
		kv_fill_next = 1;
		bench_loop(NVME_KV_STORE, qd, (u64)kv_keys * nr_devs, &errors);
		kv_fill_next = 0;
	}
	/* warm up: caches, the worker's free list, the page tables of storage */
	bench_loop(opc, qd, 20000, &errors);

	if (ns_type) {
		host0 = media_stat("host_pages_written");
		media0 = media_stat("media_pages_written");
	}
	if (cg) {
		/* callgrind counts every bench_loop() call: the warm-up is included */
		done = 20000 + bench_loop(opc, qd, n, &errors);
		printf("commands=%llu errors=%u\n", (unsigned long long)done, errors);
		return errors ? 1 : 0;
	}
	t0 = now_s();
	do {
		done += bench_loop(opc, qd, n, &errors);
		t = now_s() - t0;
	} while (t < secs);
	for (i = 0; i < nr_devs; i++)
		irqs += devs[i].irqs;
	printf("%s devices=%u qd=%u storage_mib=%llu commands=%llu seconds=%.3f cmds_per_sec=%.0f ns_per_cmd=%.1f irqs=%llu errors=%u",
	       kv_mode ? (opc == NVME_KV_STORE ? "store" : "retrieve") :
	       zns_op == NVME_ZNS_APPEND ? "append" : zns_op == NVME_ZNS_MGMT_SEND ? "reset" :
	       opc == NVME_CMD_READ ? "read" : "write", nr_devs, qd,
	       (unsigned long long)(storage_size >> 20), (unsigned long long)done, t, done / t,
	       t * 1e9 / done, (unsigned long long)irqs, errors);
	if (ns_type)
		print_media_stats();
	printf("\n");
	return errors ? 1 : 0;
}
