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
 *   model_bench [-n COMMANDS] [-t SECONDS] [-q QD] [-w read|write] [-c]
 *     -S   namespace size in MiB (default 256: reads and writes miss the caches)
 *     -c   callgrind mode: a fixed number of commands, no timing output
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctrl.h"
#include "media_optane.h"

#define HOST_BASE	0x100000000ull	/* fake bus address of host memory */
#define HOST_SIZE	(16u << 20)
static u64 storage_size = 256u << 20;	/* -S MiB */
#define QSIZE		1024
#define MAX_QD		1023

static u8 *host_mem;
static u64 host_next = HOST_BASE;
static u64 irqs;

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
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

void nvmev_plat_raise_irq(void *plat, u16 vector) { irqs++; }
void nvmev_plat_kick_worker(void *plat, u16 worker) { }
void nvmev_plat_mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void nvmev_plat_wmb(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
void nvmev_plat_rmb(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
bool nvmev_plat_bus_master(void *plat) { return true; }

static struct nvmev_ctrl *ctrl;
static struct nvmev_worker *worker;

bool nvmev_plat_relax(void *plat)
{
	nvmev_worker_poll(worker);
	return true;
}

void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...) { }
void nvmev_plat_ns_changed(void *plat) { }

/* ---- synthetic host driver ------------------------------------------------ */
static u8 bar[NVMEV_BAR_REGS_SIZE];

struct hq {
	u64 sq, cq;
	u16 size, sq_tail, cq_head;
	u8 phase;
};
static struct hq q[2];

static void wr32(u32 off, u32 v) { NVMEV_WRITE_ONCE(*(u32 *)(bar + off), v); }
static u32 rd32(u32 off) { return NVMEV_READ_ONCE(*(u32 *)(bar + off)); }

static void run_until_idle(void)
{
	int i;

	for (i = 0; i < 100000; i++)
		if (!(nvmev_ctrl_poll(ctrl) | nvmev_worker_poll(worker)))
			return;
}

static void submit(int qid, const u32 *dw)
{
	struct hq *h = &q[qid];

	memcpy(hp(h->sq + (u64)h->sq_tail * 64), dw, 64);
	h->sq_tail = (u16)((h->sq_tail + 1) % h->size);
}

static void ring_sq(int qid) { wr32(NVME_REG_DBS + 8 * qid, q[qid].sq_tail); }

/* Reap every posted CQE of @qid; returns how many, counts errors. */
static unsigned int reap(int qid, unsigned int *errors)
{
	struct hq *h = &q[qid];
	unsigned int n = 0;

	for (;;) {
		u32 dw3 = NVMEV_READ_ONCE(*(u32 *)hp(h->cq + (u64)h->cq_head * 16 + 12));

		if (((dw3 >> 16) & 1) != h->phase)
			break;
		if (dw3 >> 17)
			(*errors)++;
		if (++h->cq_head == h->size) {
			h->cq_head = 0;
			h->phase ^= 1;
		}
		n++;
	}
	if (n)
		wr32(NVME_REG_DBS + 8 * qid + 4, h->cq_head);
	return n;
}

static u16 admin(u32 *dw)
{
	unsigned int e = 0;

	submit(0, dw);
	ring_sq(0);
	run_until_idle();
	if (reap(0, &e) != 1)
		return 0xffff;
	return e ? 1 : 0;
}

static void setup(void)
{
	static struct nvmev_nvm_timing timing;
	struct nvmev_config cfg = { 0 };
	u32 dw[16];

	host_mem = aligned_alloc(4096, HOST_SIZE);
	memset(host_mem, 0, HOST_SIZE);
	ctrl = calloc(1, sizeof(*ctrl));
	worker = calloc(1, sizeof(*worker));
	nvmev_nvm_timing_init(&timing, 0, 0, 0, 8);
	cfg.bar = bar;
	cfg.storage = aligned_alloc(4096, storage_size);
	memset(cfg.storage, 0x5a, storage_size);
	cfg.storage_size = storage_size;
	cfg.dealloc = calloc(nvmev_storage_map_words(storage_size), 8);
	cfg.lba_shift = 12;
	cfg.max_io_queues = 4;
	cfg.nr_workers = 1;
	cfg.cntlid = 1;
	strcpy(cfg.serial, "BENCH");
	strcpy(cfg.model, "nvmevirt model bench");
	strcpy(cfg.firmware, "0");
	cfg.timing = &timing.base;
	if (!ctrl || !worker || !host_mem || !cfg.storage || !cfg.dealloc ||
	    nvmev_ctrl_init(ctrl, &cfg, &worker)) {
		fprintf(stderr, "model init failed\n");
		exit(2);
	}
	/* as if the whole device had been written: reads copy real data */
	memset(cfg.dealloc, 0, nvmev_storage_map_words(storage_size) * 8);

	q[0].size = 32;
	q[0].sq = halloc(32 * 64);
	q[0].cq = halloc(32 * 16);
	q[0].phase = 1;
	wr32(NVME_REG_AQA, 31 | (31u << 16));
	wr32(NVME_REG_ASQ, (u32)q[0].sq);
	wr32(NVME_REG_ASQ + 4, (u32)(q[0].sq >> 32));
	wr32(NVME_REG_ACQ, (u32)q[0].cq);
	wr32(NVME_REG_ACQ + 4, (u32)(q[0].cq >> 32));
	wr32(NVME_REG_CC, NVME_CC_EN | (6u << 16) | (4u << 20));
	run_until_idle();
	if (!(rd32(NVME_REG_CSTS) & NVME_CSTS_RDY)) {
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
	if (admin(dw)) {
		fprintf(stderr, "create I/O CQ failed\n");
		exit(2);
	}
	memset(dw, 0, sizeof(dw));
	dw[0] = NVME_ADMIN_CREATE_SQ | (2u << 16);
	dw[6] = (u32)q[1].sq;
	dw[7] = (u32)(q[1].sq >> 32);
	dw[10] = 1 | ((u32)(QSIZE - 1) << 16);
	dw[11] = 1 | (1u << 16);
	if (admin(dw)) {
		fprintf(stderr, "create I/O SQ failed\n");
		exit(2);
	}
}

/* ---- the measured loop ------------------------------------------------------ */
static u64 lcg = 88172645463325252ull;
static u64 bufs[MAX_QD];

static void make_rw(u32 *dw, u8 opc, u16 cid, u64 buf)
{
	u64 slba;

	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	slba = (lcg >> 33) % (storage_size / 4096);
	memset(dw, 0, 64);
	dw[0] = opc | ((u32)cid << 16);
	dw[1] = 1;
	dw[6] = (u32)buf;
	dw[7] = (u32)(buf >> 32);
	dw[10] = (u32)slba;
	dw[11] = (u32)(slba >> 32);
	dw[12] = 0;	/* one 4 KiB block */
}

/*
 * Keep @qd commands of @opc outstanding until @total have completed.
 * noinline: callgrind --toggle-collect names it.
 */
__attribute__((noinline)) u64 bench_loop(u8 opc, unsigned int qd, u64 total, unsigned int *errors)
{
	u64 submitted = 0, done = 0;
	unsigned int outstanding = 0;
	u32 dw[16];

	while (done < total) {
		unsigned int n = 0;

		while (outstanding < qd && submitted < total) {
			make_rw(dw, opc, (u16)(submitted % MAX_QD), bufs[submitted % qd]);
			submit(1, dw);
			submitted++;
			outstanding++;
			n++;
		}
		if (n)
			ring_sq(1);
		nvmev_ctrl_poll(ctrl);
		nvmev_worker_poll(worker);
		n = reap(1, errors);
		outstanding -= n;
		done += n;
	}
	return done;
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
	u64 n = 200000, done = 0;
	double secs = 2, t0, t;
	int cg = 0, opt;
	u8 opc = NVME_CMD_READ;

	while ((opt = getopt(argc, argv, "n:t:q:w:cS:")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'q': qd = (unsigned int)atoi(optarg); break;
		case 'w': opc = !strcmp(optarg, "write") ? NVME_CMD_WRITE : NVME_CMD_READ; break;
		case 'c': cg = 1; break;
		case 'S': storage_size = strtoull(optarg, NULL, 0) << 20; break;
		default:
			fprintf(stderr, "usage: %s [-n N] [-t SECS] [-q QD] [-w read|write] [-S MiB] [-c]\n", argv[0]);
			return 2;
		}
	}
	if (qd < 1 || qd > MAX_QD) {
		fprintf(stderr, "qd must be 1..%d\n", MAX_QD);
		return 2;
	}
	setup();
	for (i = 0; i < qd; i++) {
		bufs[i] = halloc(4096);
		memset(hp(bufs[i]), (int)i, 4096);
	}
	/* warm up: caches, the worker's free list, the page tables of storage */
	bench_loop(opc, qd, 20000, &errors);

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
	printf("%s qd=%u storage_mib=%llu commands=%llu seconds=%.3f cmds_per_sec=%.0f ns_per_cmd=%.1f irqs=%llu errors=%u\n",
	       opc == NVME_CMD_READ ? "read" : "write", qd, (unsigned long long)(storage_size >> 20),
	       (unsigned long long)done, t, done / t,
	       t * 1e9 / done, (unsigned long long)irqs, errors);
	return errors ? 1 : 0;
}
