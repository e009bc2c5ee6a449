// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz host: the platform hooks over simulated host memory, and the
 * checks on everything the device does to that memory and to the CQs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
#include "type.h"

struct fh fh;
struct fh_cmd fh_out[FH_NR_QUEUES][NVMEV_MAX_QUEUE_ENTRIES];
static u8 cq_shadow[FH_NR_QUEUES][NVMEV_MAX_QUEUE_ENTRIES][NVME_CQE_SIZE];

#define RELAX_ENDLESS	1000000	/* calls: clearly an endless wait */
#define RELAX_GIVE_UP	20000	/* calls, when CHK_RELAX is off */

static const char *const check_names[NR_CHECKS] = {
	[CHK_PERM] = "perm",
	[CHK_UNMAP] = "unmap",
	[CHK_CQE] = "cqe",
	[CHK_LOST] = "lost",
	[CHK_DELSQ] = "delsq",
	[CHK_PHASE] = "phase",
	[CHK_SHUTDOWN] = "shutdown",
	[CHK_BME] = "bme",
	[CHK_RELAX] = "relax",
	[CHK_IRQ] = "irq",
	[CHK_IMAGE] = "image",
	[CHK_QUIESCE] = "quiesce",
	[AVOID_SLBA] = "slba",
	[AVOID_CQDB] = "cqdb",
};

static bool skip[NR_CHECKS];

/* NVMEV_FUZZ_SKIP=name,name,...: checks to turn off, avoidances to turn on. */
static void parse_skip(void)
{
	const char *env = getenv("NVMEV_FUZZ_SKIP");
	int i;

	if (!env)
		return;
	for (i = 0; i < NR_CHECKS; i++) {
		const char *p = env;
		size_t n = strlen(check_names[i]);

		while ((p = strstr(p, check_names[i]))) {
			bool start = p == env || p[-1] == ',' || p[-1] == ' ';
			bool end = p[n] == 0 || p[n] == ',' || p[n] == ' ';

			if (start && end)
				skip[i] = true;
			p += n;
		}
	}
}

bool fh_enabled(enum fh_check chk)
{
	return !skip[chk];
}

void fh_finding(enum fh_check chk, const char *fmt, ...)
{
	va_list ap;

	if (skip[chk])
		return;
	fprintf(stderr, "==nvmev-fuzz== FINDING [%s]: ", check_names[chk]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n==nvmev-fuzz== (NVMEV_FUZZ_SKIP=%s turns this check off)\n",
		check_names[chk]);
	abort();
}

/* ---- host memory ---- */

u64 fh_page_addr(u32 page)
{
	return FH_BASE + (u64)page * NVMEV_PAGE_SIZE;
}

int fh_page_of(u64 addr)
{
	if (addr < FH_BASE || addr >= FH_BASE + FH_SIZE)
		return -1;
	return (int)((addr - FH_BASE) >> NVMEV_PAGE_SHIFT);
}

u8 *fh_ptr(struct fh *h, u64 addr)
{
	return h->mem + (addr - FH_BASE);
}

static void set_perm(struct fh *h, u32 first, u32 n, enum fh_perm perm)
{
	memset(h->perm + first, perm, n);
}

u64 fh_alloc_ring(struct fh *h, u32 bytes, enum fh_perm perm)
{
	u32 pages = (bytes + NVMEV_PAGE_SIZE - 1) / NVMEV_PAGE_SIZE;
	u32 first = h->next_page;

	if (!pages || first + pages + 1 > FH_PAGES)
		return 0;
	h->next_page += pages + 1;	/* and a guard page */
	set_perm(h, first, pages, perm);
	memset(h->mem + (u64)first * NVMEV_PAGE_SIZE, 0, (u64)pages * NVMEV_PAGE_SIZE);
	if (h->shst_seen)	/* the host's own write: not the device's */
		memcpy(h->snap + (u64)first * NVMEV_PAGE_SIZE, h->mem + (u64)first * NVMEV_PAGE_SIZE,
		       (u64)pages * NVMEV_PAGE_SIZE);
	return fh_page_addr(first);
}

u64 fh_alloc_list(struct fh *h)
{
	u32 page;

	if (h->next_list >= FH_NR_LISTS)
		return 0;
	page = FH_LIST_PAGE + h->next_list++;
	memset(h->mem + (u64)page * NVMEV_PAGE_SIZE, 0, NVMEV_PAGE_SIZE);
	return fh_page_addr(page);
}

/* ---- registers ---- */

void fh_reg_write32(struct fh *h, u32 off, u32 v)
{
	memcpy(h->bar + off, &v, 4);
}

u32 fh_reg_read32(struct fh *h, u32 off)
{
	u32 v;

	memcpy(&v, h->bar + off, 4);
	return v;
}

void fh_db_write(struct fh *h, u32 idx, u32 v)
{
	fh_reg_write32(h, NVME_REG_DBS + idx * 4, v);
}

/* ---- image quiesce: the host glue's view ---- */

/* The glue asks whether the device is quiesced: if it is, nothing may be in flight. */
bool fh_glue_quiesced(struct fh *h)
{
	bool q = nvmev_ctrl_quiesced(h->c);

	if (q && nvmev_ctrl_has_inflight(h->c))
		fh_finding(CHK_QUIESCE, "paused, the device says it is quiesced with a command in flight");
	return q;
}

/*
 * op_image_race: the glue, on another CPU, pauses the device in the middle
 * of a dispatcher pass, as soon as that pass has fetched a command, and
 * asks at once whether it is quiesced (as chardev.c's quiesce() does).
 */
static void race_pause(struct fh *h)
{
	if (!nvmev_ctrl_has_inflight(h->c))
		return;
	h->race_armed = false;
	nvmev_ctrl_pause(h->c, true);
	fh_glue_quiesced(h);
}

/* ---- shutdown: nothing may change after SHST = complete ---- */

void fh_watch_csts(struct fh *h)
{
	u32 p;

	if (h->race_armed && h->c)
		race_pause(h);
	if (h->shst_seen || !h->c)
		return;
	if ((fh_reg_read32(h, NVME_REG_CSTS) & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_CMPLT)
		return;
	h->shst_seen = true;
	for (p = 0; p < FH_PAGES; p++)
		if (h->perm[p] == FH_CQ)
			memcpy(h->snap + (u64)p * NVMEV_PAGE_SIZE, h->mem + (u64)p * NVMEV_PAGE_SIZE,
			       NVMEV_PAGE_SIZE);
}

static void check_snapshot(struct fh *h)
{
	u32 p;

	if (!h->shst_seen)
		return;
	for (p = 0; p < FH_PAGES; p++) {
		u8 *cur = h->mem + (u64)p * NVMEV_PAGE_SIZE;
		u8 *old = h->snap + (u64)p * NVMEV_PAGE_SIZE;

		if (h->perm[p] != FH_CQ || !memcmp(cur, old, NVMEV_PAGE_SIZE))
			continue;
		fh_finding(CHK_SHUTDOWN,
			   "CQ ring page 0x%llx written after CSTS.SHST said shutdown complete",
			   (unsigned long long)fh_page_addr(p));
		memcpy(old, cur, NVMEV_PAGE_SIZE);
	}
}

/* ---- platform hooks ---- */

static bool range_in_host(u64 addr, u32 len)
{
	if (addr < FH_BASE || addr + len < addr || addr + len > FH_BASE + FH_SIZE)
		return false;
	return true;
}

static bool range_one_page(u64 addr, u32 len)
{
	return len && (addr & (NVMEV_PAGE_SIZE - 1)) + len <= NVMEV_PAGE_SIZE;
}

bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len)
{
	struct fh *h = plat;

	fh_watch_csts(h);
	if (!h->bme)
		fh_finding(CHK_BME, "host read of 0x%llx+%u while bus mastering is off",
			   (unsigned long long)addr, len);
	if (!range_in_host(addr, len))
		return false;
	if (!range_one_page(addr, len))
		fh_finding(CHK_PERM, "host read 0x%llx+%u crosses a page",
			   (unsigned long long)addr, len);
	if (h->perm[fh_page_of(addr)] == FH_GUARD)
		return false;
	memcpy(buf, fh_ptr(h, addr), len);
	return true;
}

bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len)
{
	struct fh *h = plat;
	int page;

	fh_watch_csts(h);
	if (!h->bme)
		fh_finding(CHK_BME, "host write of 0x%llx+%u while bus mastering is off",
			   (unsigned long long)addr, len);
	if (h->shst_seen)
		fh_finding(CHK_SHUTDOWN,
			   "host write of 0x%llx+%u after CSTS.SHST said shutdown complete",
			   (unsigned long long)addr, len);
	if (!range_in_host(addr, len))
		return false;
	if (!range_one_page(addr, len))
		fh_finding(CHK_PERM, "host write 0x%llx+%u crosses a page",
			   (unsigned long long)addr, len);
	page = fh_page_of(addr);
	switch (h->perm[page]) {
	case FH_GUARD:
		return false;
	case FH_DATA:
		break;
	default:
		fh_finding(CHK_PERM, "device wrote 0x%llx+%u, a read-only %s page",
			   (unsigned long long)addr, len,
			   h->perm[page] == FH_CQ ? "CQ ring" : "SQ ring / PRP list");
		return false;
	}
	memcpy(fh_ptr(h, addr), buf, len);
	return true;
}

void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len)
{
	struct fh *h = plat;
	u64 a;

	if (!len || !range_in_host(addr, len))
		return NULL;
	for (a = addr & ~(u64)(NVMEV_PAGE_SIZE - 1); a < addr + len; a += NVMEV_PAGE_SIZE)
		if (h->perm[fh_page_of(a)] == FH_GUARD)
			return NULL;
	if (h->nr_maps == FH_MAX_MAPS) {
		fprintf(stderr, "fuzz host: mapping table full\n");
		abort();
	}
	h->maps[h->nr_maps].va = fh_ptr(h, addr);
	h->maps[h->nr_maps].len = len;
	h->maps[h->nr_maps].addr = addr;
	h->nr_maps++;
	return fh_ptr(h, addr);
}

void nvmev_plat_unmap_queue(void *plat, void *va, u32 len)
{
	struct fh *h = plat;
	u32 i;

	for (i = 0; i < h->nr_maps; i++) {
		if (h->maps[i].va != va)
			continue;
		if (h->maps[i].len != len)
			fh_finding(CHK_UNMAP, "unmap of 0x%llx with length %u, mapped with %u",
				   (unsigned long long)h->maps[i].addr, len, h->maps[i].len);
		h->maps[i] = h->maps[--h->nr_maps];
		return;
	}
	fh_finding(CHK_UNMAP, "unmap of %p (length %u), which is not mapped", va, len);
}

u64 nvmev_plat_now_ns(void *plat)
{
	struct fh *h = plat;

	fh_watch_csts(h);
	return h->now;
}

void nvmev_plat_raise_irq(void *plat, u16 vector)
{
	struct fh *h = plat;

	fh_watch_csts(h);
	if (vector >= NVMEV_NR_VECTORS)
		fh_finding(CHK_IRQ, "interrupt vector %u out of range", vector);
}

void nvmev_plat_kick_worker(void *plat, u16 worker)
{
	struct fh *h = plat;

	fh_watch_csts(h);
	if (worker >= h->nr_workers)
		fh_finding(CHK_IRQ, "kick of worker %u of %u", worker, h->nr_workers);
}

void nvmev_plat_mb(void)
{
	fh_watch_csts(&fh);
}

void nvmev_plat_wmb(void)
{
	fh_watch_csts(&fh);
}

void nvmev_plat_rmb(void)
{
	fh_watch_csts(&fh);
}

bool nvmev_plat_bus_master(void *plat)
{
	struct fh *h = plat;

	return h->bme;
}

void fh_run_workers(struct fh *h)
{
	u16 i;

	for (i = 0; i < h->nr_workers; i++)
		nvmev_worker_poll(h->w[i]);
}

/*
 * The dispatcher waits (Delete I/O SQ, shutdown, reset): the workers run,
 * time passes (faster the longer it waits), and the host's interrupt
 * handler reaps, as it would on another CPU.
 */
void nvmev_plat_ns_changed(void *plat)
{
}

bool nvmev_plat_relax(void *plat)
{
	struct fh *h = plat;
	u64 n = ++h->relax_calls;
	u64 limit = fh_enabled(CHK_RELAX) ? RELAX_ENDLESS : RELAX_GIVE_UP;

	if (n >= limit) {
		fh_finding(CHK_RELAX, "a control-path wait still waits after %llu relax calls",
			   (unsigned long long)n);
		h->gave_up = true;
		return false;
	}
	h->now += 1000ull << NVMEV_MIN(n / 64, 30ull);
	fh_run_workers(h);
	fh_reap_all(h);
	return true;
}

void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!getenv("NVMEV_FUZZ_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- the host's view of the queues ---- */

void fh_host_reset(struct fh *h)
{
	memset(h->sq, 0, sizeof(h->sq));
	memset(h->cq, 0, sizeof(h->cq));
	h->ready = false;
	h->db_broken = false;
}

static int find_out(struct fh *h, u16 sqid, u16 cid)
{
	u16 i;

	for (i = 0; i < h->sq[sqid].nr_out; i++)
		if (fh_out[sqid][i].cid == cid)
			return i;
	return -1;
}

static void admin_completed(struct fh *h, const struct fh_cmd *cmd, u16 status)
{
	struct fh_sq *sq;
	struct fh_cq *cq;
	u16 i;

	switch (cmd->opc) {
	case NVME_ADMIN_CREATE_CQ:
		if (status || cmd->qid == 0 || cmd->qid > NVMEV_MAX_IO_QUEUES)
			return;
		cq = &h->cq[cmd->qid];
		memset(cq, 0, sizeof(*cq));
		cq->live = true;
		cq->size = cmd->size;
		cq->base = cmd->base;
		cq->phase = 1;
		break;
	case NVME_ADMIN_CREATE_SQ:
		if (status || cmd->qid == 0 || cmd->qid > NVMEV_MAX_IO_QUEUES)
			return;
		sq = &h->sq[cmd->qid];
		memset(sq, 0, sizeof(*sq));
		sq->live = true;
		sq->size = cmd->size;
		sq->cqid = cmd->cqid;
		sq->base = cmd->base;
		break;
	case NVME_ADMIN_DELETE_SQ:
		if (cmd->qid == 0 || cmd->qid > NVMEV_MAX_IO_QUEUES)
			return;
		sq = &h->sq[cmd->qid];
		if (status) {
			sq->deleting = false;
			return;
		}
		if (!sq->live)
			return;
		cq = &h->cq[sq->cqid];
		if (cq->live)
			fh_cq_reap(h, sq->cqid, ~0u);
		/*
		 * Commands the controller fetched must all be completed (or
		 * aborted) before the deletion completes; those it never
		 * fetched (from its SQ head on) are implicitly aborted, which
		 * the specification allows.
		 */
		for (i = 0; i < sq->nr_out && !sq->tainted && !cq->tainted && !h->db_broken; i++) {
			const struct fh_cmd *o = &fh_out[cmd->qid][i];
			u16 head = h->c->sqs[cmd->qid].head;

			if ((u16)((o->slot + sq->size - head) % sq->size) <
			    (u16)((sq->tail + sq->size - head) % sq->size))
				continue;	/* never fetched */
			fh_finding(CHK_DELSQ,
				   "Delete I/O SQ %u completed with fetched command CID %u (opcode 0x%x) outstanding",
				   cmd->qid, o->cid, o->opc);
		}
		memset(sq, 0, sizeof(*sq));
		break;
	case NVME_ADMIN_DELETE_CQ:
		if (status || cmd->qid == 0 || cmd->qid > NVMEV_MAX_IO_QUEUES)
			return;
		memset(&h->cq[cmd->qid], 0, sizeof(h->cq[0]));
		break;
	}
}

/* Validate one CQ entry as the host reaps it. */
static void cqe_check(struct fh *h, u16 cqid, const u8 *e)
{
	u32 dw2 = nvme_get32(e, 8), dw3 = nvme_get32(e, 12);
	u16 sqid = dw2 >> 16, sqhd = dw2 & 0xffff, cid = dw3 & 0xffff;
	u16 status = (u16)(dw3 >> 17) & 0x7fff;
	struct fh_cq *cq = &h->cq[cqid];
	struct fh_sq *sq;
	struct fh_cmd cmd;
	int i;

	if (sqid >= FH_NR_QUEUES || !h->sq[sqid].live || h->sq[sqid].cqid != cqid) {
		if (!cq->tainted)
			fh_finding(CHK_CQE, "CQ %u: completion with SQID %u, which is not an SQ of this CQ (CID %u)",
				   cqid, sqid, cid);
		return;
	}
	sq = &h->sq[sqid];
	if (sqhd >= sq->size && !cq->tainted && !sq->tainted)
		fh_finding(CHK_CQE, "CQ %u: SQ head %u beyond SQ %u of size %u",
			   cqid, sqhd, sqid, sq->size);
	i = find_out(h, sqid, cid);
	if (i < 0) {
		if (!cq->tainted && !sq->tainted)
			fh_finding(CHK_CQE, "CQ %u: completion for CID %u, not outstanding on SQ %u (posted twice?)",
				   cqid, cid, sqid);
		return;
	}
	cmd = fh_out[sqid][i];
	fh_out[sqid][i] = fh_out[sqid][--sq->nr_out];
	if (sqid == 0)
		admin_completed(h, &cmd, status);
}

static u8 *cq_entry(struct fh *h, struct fh_cq *cq, u32 pos)
{
	return fh_ptr(h, cq->base + (u64)pos * NVME_CQE_SIZE);
}

/* Find the entries the device posted since the last look, and check the old ones. */
void fh_cq_scan(struct fh *h, u16 qid)
{
	struct fh_cq *cq = &h->cq[qid];
	u32 i;

	if (!cq->live)
		return;
	for (i = 0; i < cq->seen; i++) {
		u32 pos = (cq->head + i) % cq->size;

		if (cq->tainted || !memcmp(cq_entry(h, cq, pos), cq_shadow[qid][pos], NVME_CQE_SIZE))
			continue;
		fh_finding(CHK_PHASE, "CQ %u entry %u changed before the host reaped it (phase 0x%x)",
			   qid, pos, (nvme_get32(cq_entry(h, cq, pos), 12) >> 16) & 1);
		memcpy(cq_shadow[qid][pos], cq_entry(h, cq, pos), NVME_CQE_SIZE);
	}
	while (cq->seen < cq->size) {
		u32 rel = cq->head + cq->seen;
		u32 pos = rel % cq->size;
		u8 phase = rel < cq->size ? cq->phase : !cq->phase;
		u8 *e = cq_entry(h, cq, pos);

		if (((nvme_get32(e, 12) >> 16) & 1) != phase)
			break;
		if (!h->bme && !cq->tainted)
			fh_finding(CHK_BME, "CQ %u entry %u posted while bus mastering is off", qid, pos);
		memcpy(cq_shadow[qid][pos], e, NVME_CQE_SIZE);
		cq->seen++;
	}
	if (cq->seen == cq->size && !cq->tainted) {
		fh_finding(CHK_PHASE, "CQ %u: all %u entries valid, the device wrote past the host's head %u",
			   qid, cq->size, cq->head);
		cq->tainted = true;
	}
}

u32 fh_cq_reap(struct fh *h, u16 qid, u32 max)
{
	struct fh_cq *cq = &h->cq[qid];
	u32 n = 0;

	fh_cq_scan(h, qid);
	while (cq->live && cq->seen && n < max) {
		u8 e[NVME_CQE_SIZE];

		memcpy(e, cq_entry(h, cq, cq->head), NVME_CQE_SIZE);
		cq->seen--;
		if (++cq->head == cq->size) {
			cq->head = 0;
			cq->phase ^= 1;
		}
		n++;
		cqe_check(h, qid, e);	/* may delete queues: cq->live is rechecked */
	}
	if (n && cq->live)
		fh_db_write(h, 2 * qid + 1, cq->head);
	return n;
}

void fh_reap_all(struct fh *h)
{
	u16 q;

	for (q = 0; q < FH_NR_QUEUES; q++)
		if (h->cq[q].live)
			fh_cq_reap(h, q, ~0u);
}

void fh_after_step(struct fh *h)
{
	u16 q;

	fh_watch_csts(h);
	check_snapshot(h);
	for (q = 0; q < FH_NR_QUEUES; q++)
		fh_cq_scan(h, q);
}

/* ---- per-input set-up ---- */

void fh_setup(void)
{
	u16 i;

	parse_skip();
	fh.mem = aligned_alloc(NVMEV_PAGE_SIZE, FH_SIZE);
	fh.snap = aligned_alloc(NVMEV_PAGE_SIZE, FH_SIZE);
	/* exactly sized, so that AddressSanitizer sees any access past them */
	fh.storage_one = aligned_alloc(NVMEV_PAGE_SIZE, FH_STORAGE);
	fh.dealloc_one = calloc(nvmev_storage_map_words(FH_STORAGE), 8);
	fh.storage_two = malloc(FH_STORAGE_TWO);
	fh.dealloc_two = calloc(nvmev_storage_map_words(FH_STORAGE_TWO), 8);
	fh.storage_nand = aligned_alloc(NVMEV_PAGE_SIZE, FH_STORAGE_NAND);
	fh.dealloc_nand = calloc(nvmev_storage_map_words(FH_STORAGE_NAND), 8);
	fh.media = calloc(1, NVMEV_MAX(nvmev_type_by_name("conv")->media->size,
				       nvmev_type_by_name("zns")->media->size));
	fh.c = aligned_alloc(64, (sizeof(*fh.c) + 63) & ~(size_t)63);
	for (i = 0; i < FH_MAX_WORKERS; i++)
		fh.w[i] = aligned_alloc(64, (sizeof(*fh.w[i]) + 63) & ~(size_t)63);
	if (!fh.mem || !fh.snap || !fh.storage_one || !fh.dealloc_one || !fh.storage_two ||
	    !fh.dealloc_two || !fh.storage_nand || !fh.dealloc_nand || !fh.media || !fh.c ||
	    !fh.w[FH_MAX_WORKERS - 1])
		abort();
	memset(fh.mem, 0, FH_SIZE);
}

/* @m's instance at @t: its defaults with a small geometry (see FH_STORAGE_NAND). */
static void nand_media(struct nvmev_timing *t, const struct nvmev_media *m, bool conv)
{
	static const struct {
		const char *name;
		u64 conv, zns;	/* ~0: leave it */
	} v[] = {
		{ "channels", 1, 1 },
		{ "dies_per_channel", 2, 2 },
		{ "planes_per_die", 1, 1 },
		{ "page_kib", 4, 4 },
		{ "oneshot_pages", 1, 1 },
		{ "pages_per_block", 16, 16 },
		{ "write_buffer_kib", 64, ~0ull },
		{ "zone_size", ~0ull, 1 },
		{ "max_open_zones", ~0ull, 2 },
		{ "max_active_zones", ~0ull, 3 },
		{ "zone_append_max_kib", ~0ull, 8 },
	};
	u32 i;

	memset(t, 0, m->size);
	nvmev_media_init_defaults(m, t);
	for (i = 0; i < NVMEV_ARRAY_SIZE(v); i++) {
		u64 x = conv ? v[i].conv : v[i].zns;

		if (x != ~0ull)
			nvmev_tunable_set(t, nvmev_tunable_find(m, v[i].name), x);
	}
	if (m->init(t)) {
		fprintf(stderr, "fuzz host: %s media tunables refused\n", m->name);
		abort();
	}
}

void fh_begin(struct fh *h, u32 lba_shift, u16 nr_workers, enum fh_layout layout)
{
	bool two_ns = layout == FH_TWO_NS;
	bool nand = layout == FH_CONV_NS || layout == FH_ZNS_NS;

	h->layout = (u8)layout;
	struct nvmev_config cfg = { 0 };
	u16 i;

	h->nr_workers = nr_workers;
	h->lba_shift = lba_shift;
	h->nr_blocks = FH_STORAGE >> lba_shift;
	h->now = 1000000;
	h->bme = true;
	h->cc = 0;
	h->aqa = 0;
	h->asq = 0;
	h->acq = 0;
	h->shut = false;
	h->shst_seen = false;
	h->gave_up = false;
	h->in_final = false;
	h->race_armed = false;
	h->relax_calls = 0;
	h->next_cid = 1;
	h->nr_maps = 0;
	h->next_page = FH_DYN_PAGE;
	h->next_list = 0;
	fh_host_reset(h);

	memset(h->perm, FH_GUARD, sizeof(h->perm));
	set_perm(h, FH_ASQ_PAGE, 16, FH_RO);
	set_perm(h, FH_ACQ_PAGE, 4, FH_CQ);
	set_perm(h, FH_DATA_A, 32, FH_DATA);
	set_perm(h, FH_DATA_B, 32, FH_DATA);
	set_perm(h, FH_LIST_PAGE, FH_NR_LISTS, FH_RO);
	memset(h->mem + (u64)FH_ASQ_PAGE * NVMEV_PAGE_SIZE, 0, 21 * NVMEV_PAGE_SIZE);
	for (i = 0; i < FH_NR_DATA; i++) {
		u32 p = i < 32 ? FH_DATA_A + i : FH_DATA_B + i - 32;

		memset(h->mem + (u64)p * NVMEV_PAGE_SIZE, (u8)(0x40 + i), NVMEV_PAGE_SIZE);
	}
	h->storage = two_ns ? h->storage_two : h->storage_one;
	h->dealloc = two_ns ? h->dealloc_two : h->dealloc_one;
	h->storage_size = two_ns ? FH_STORAGE_TWO : FH_STORAGE;
	if (nand) {
		h->storage = h->storage_nand;
		h->dealloc = h->dealloc_nand;
		h->storage_size = FH_STORAGE_NAND;
	}
	memset(h->storage, 0, h->storage_size);
	memset(h->dealloc, 0, nvmev_storage_map_words(h->storage_size) * 8);
	for (i = 0; i < nr_workers; i++)
		memset(h->w[i], 0, sizeof(*h->w[i]));
	nvmev_nvm_timing_init(&h->timing, 0, 0, 0, 1);

	cfg.bar = h->bar;
	cfg.storage = h->storage;
	cfg.storage_size = h->storage_size;
	cfg.dealloc = h->dealloc;
	cfg.lba_shift = lba_shift;
	if (two_ns) {
		u32 shift3 = lba_shift == 9 ? 12 : 9;

		cfg.ns[0].cmd_set = nvmev_cmd_set_default();
		cfg.ns[0].offset = 0;
		cfg.ns[0].size = FH_STORAGE;
		cfg.ns[0].lba_shift = lba_shift;
		cfg.ns[2].cmd_set = nvmev_cmd_set_default();
		cfg.ns[2].offset = FH_NS3_OFFSET;
		cfg.ns[2].size = (u64)FH_NS3_BLOCKS(shift3) << shift3;
		cfg.ns[2].lba_shift = shift3;
	} else if (layout == FH_KV_NS) {
		cfg.ns[0].cmd_set = nvmev_type_by_name("kv")->cmd_set;
		cfg.ns[0].offset = 0;
		cfg.ns[0].size = FH_STORAGE;
		cfg.ns[0].lba_shift = lba_shift;
	} else if (nand) {
		const struct nvmev_type *ty = nvmev_type_by_name(layout == FH_CONV_NS ? "conv" : "zns");

		nand_media(h->media, ty->media, layout == FH_CONV_NS);
		cfg.ns[0].cmd_set = ty->cmd_set;
		cfg.ns[0].offset = 0;
		cfg.ns[0].size = FH_STORAGE_NAND;
		cfg.ns[0].lba_shift = lba_shift;
		cfg.ns_timing[0] = h->media;
	}
	cfg.max_io_queues = FH_MAX_IO_QUEUES;
	cfg.nr_workers = nr_workers;
	cfg.cntlid = 1;
	cfg.uid = 0x1234;
	cfg.vid = 0x0c51;
	cfg.ssvid = 0x0c51;
	strcpy(cfg.serial, "NVMEVFUZZ");
	strcpy(cfg.model, "nvmevirt fuzz");
	strcpy(cfg.firmware, "0.1.0");
	cfg.timing = &h->timing.base;
	cfg.plat = h;
	if (nvmev_ctrl_init(h->c, &cfg, h->w)) {
		fprintf(stderr, "fuzz host: nvmev_ctrl_init failed\n");
		abort();
	}
	if (layout == FH_CONV_NS)	/* the FTL's state follows the host's blocks */
		h->nr_blocks = h->c->ns[0].nr_blocks;
}

void fh_end(struct fh *h)
{
	nvmev_ctrl_fini(h->c);
	if (h->nr_maps && !h->gave_up)
		fh_finding(CHK_UNMAP, "%u queue mappings left after nvmev_ctrl_fini (first 0x%llx+%u)",
			   h->nr_maps, (unsigned long long)h->maps[0].addr, h->maps[0].len);
}
