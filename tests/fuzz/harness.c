// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer entry point: the input is a little program of host operations
 * (register writes, admin and I/O commands, doorbells, bus mastering,
 * dispatcher and worker passes, clock steps, reaping), run against a fresh
 * model controller, and namespace image saves and restores of hostile
 * images. See README.md for the encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"
#include "kv.h"
#include "zns.h"
#include "image.h"

struct rd {
	const u8 *p;
	size_t n;
};

static u8 rd_u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static u16 rd_u16(struct rd *r)
{
	u16 lo = rd_u8(r);

	return lo | (u16)(rd_u8(r) << 8);
}

static u32 rd_u32(struct rd *r)
{
	u32 lo = rd_u16(r);

	return lo | ((u32)rd_u16(r) << 16);
}

static u64 rd_u64(struct rd *r)
{
	u64 lo = rd_u32(r);

	return lo | ((u64)rd_u32(r) << 32);
}

/* A small PRNG for bulk choices (PRP list entries), seeded from the input. */
static u32 rng_next(u32 *s)
{
	u32 x = *s ? *s : 0x9e3779b9;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

enum op {
	OP_ENABLE, OP_DISABLE, OP_SHUTDOWN, OP_RAW_CC, OP_ADMIN, OP_ADMIN2,
	OP_IO, OP_IO2, OP_IO3, OP_DOORBELL, OP_BME, OP_DISPATCH, OP_WORKER,
	OP_CLOCK, OP_REAP, OP_TIMING, OP_SETTLE, NR_OPS,
};

/* Opcode bytes from here on are image operations; below, the opcode is the byte mod NR_OPS. */
#define OP_IMAGE_SAVE		0xf0	/* 0xf0..0xf6 */
#define OP_IMAGE_RACE		0xf7
#define OP_IMAGE_RESTORE	0xf8	/* 0xf8..0xff */

static u64 data_page(u32 i)
{
	i %= FH_NR_DATA;
	return fh_page_addr(i < 32 ? FH_DATA_A + i : FH_DATA_B + i - 32);
}

/* An address the device must not reach: a guard page or outside host RAM. */
static u64 bad_addr(u32 v)
{
	switch (v % 4) {
	case 0:
		return fh_page_addr(FH_GUARD_PAGE) + (v >> 8 & 0xffc);
	case 1:
		return fh_page_addr(0);
	case 2:
		return FH_BASE + FH_SIZE + ((u64)(v >> 8) << 12);
	default:
		return 0xfffffffffffff000ull;
	}
}

/* A PRP entry for a data page: mostly a good one, sometimes not. */
static u64 data_entry(u32 v)
{
	switch (v >> 28) {
	case 0:
		return bad_addr(v);
	case 1:
		return data_page(v) + 8;	/* misaligned */
	default:
		return data_page(v);
	}
}

/*
 * PRP list for @remaining bytes at @list: entries for data pages, the last
 * slot of a full page chaining to a fresh list page.
 */
static void build_list(struct fh *h, u64 list, u32 remaining, u32 seed)
{
	while (remaining) {
		u32 off = list & (NVMEV_PAGE_SIZE - 1);
		u32 slots = (NVMEV_PAGE_SIZE - off) / 8;
		u32 needed = (remaining + NVMEV_PAGE_SIZE - 1) / NVMEV_PAGE_SIZE;
		bool chain = needed > slots;
		u32 usable = chain ? slots - 1 : needed;
		u64 *e = (u64 *)fh_ptr(h, list);
		u32 i, v;
		u64 next;

		for (i = 0; i < usable; i++) {
			v = rng_next(&seed);
			/* rarely a bad entry, so that long transfers mostly work */
			e[i] = (v & 0xff) == 0 ? data_entry(v >> 8) : data_page(v >> 8);
			remaining -= NVMEV_MIN(remaining, NVMEV_PAGE_SIZE);
		}
		if (!chain)
			return;
		next = fh_alloc_list(h);
		v = rng_next(&seed);
		if (!next || (v & 0x3f) == 0) {
			e[usable] = next && (v & 0x40) ? next + 8 : bad_addr(v >> 8);
			return;
		}
		e[usable] = next;
		list = next;
	}
}

/*
 * PRP1 and PRP2 for a transfer of @len bytes (0: none that could write).
 * They only ever lead to data pages, guard pages or outside host RAM, so a
 * device write anywhere else is the device's fault.
 */
static void gen_prps(struct fh *h, struct rd *r, u32 len, struct nvme_sqe *cmd)
{
	u8 sel = rd_u8(r);
	u16 off = rd_u16(r);
	u64 prp1, prp2 = 0, list;
	u32 seg, remaining;

	switch (sel & 7) {
	case 5:
		prp1 = data_page(off >> 12) + (off & 0xfff);	/* any offset */
		break;
	case 6:
		prp1 = bad_addr(off);
		break;
	case 7:
		prp1 = data_page(sel >> 3) + (off & 0xffc);
		break;
	default:
		prp1 = data_page(sel >> 3);
		break;
	}
	seg = NVMEV_PAGE_SIZE - (u32)(prp1 & (NVMEV_PAGE_SIZE - 1));
	remaining = len > seg ? len - seg : 0;
	if (remaining == 0 || remaining <= NVMEV_PAGE_SIZE) {
		prp2 = (sel & 0x30) == 0x30 ? data_entry((u32)off << 16 | off) : data_page(off >> 3);
	} else {
		list = fh_alloc_list(h);
		switch ((sel >> 6) & 3) {
		case 0:
			prp2 = bad_addr(off);
			break;
		case 1:
			if (list)
				list += off & 0xff8;	/* a list that starts inside its page */
			/* fall through */
		default:
			prp2 = list ? list : bad_addr(off);
			if (list)
				build_list(h, list, remaining, off * 2654435761u + sel);
			if (list && (sel & 0x38) == 0x38)
				prp2 |= 4;	/* misaligned list pointer */
			break;
		}
	}
	cmd->dw[6] = (u32)prp1;
	cmd->dw[7] = (u32)(prp1 >> 32);
	cmd->dw[8] = (u32)prp2;
	cmd->dw[9] = (u32)(prp2 >> 32);
}

/* Bytes the device may write to host memory for @cmd, from the spec. */
static u32 write_len(struct fh *h, bool admin, const struct nvme_sqe *cmd)
{
	u8 opc = nvme_sqe_opcode(cmd);
	u64 n;

	if (admin && opc == NVME_ADMIN_IDENTIFY)
		return NVMEV_PAGE_SIZE;
	if (admin && opc == NVME_ADMIN_GET_LOG_PAGE) {
		n = (((u64)(cmd->dw[11] & 0xffff) << 16 | (cmd->dw[10] >> 16)) + 1) * 4;
		return n > NVMEV_MAX_XFER ? 0 : (u32)n;
	}
	if (!admin && opc == NVME_CMD_READ) {
		n = (u64)((cmd->dw[12] & 0xffff) + 1) << h->lba_shift;
		return n > NVMEV_MAX_XFER ? 0 : (u32)n;
	}
	if (!admin && (opc == NVME_CMD_WRITE || opc == NVME_CMD_COMPARE || opc == NVME_ZNS_APPEND)) {
		n = (u64)((cmd->dw[12] & 0xffff) + 1) << h->lba_shift;
		return n > NVMEV_MAX_XFER ? 0 : (u32)n;
	}
	if (!admin && opc == NVME_CMD_DSM)
		return ((cmd->dw[10] & 0xff) + 1) * 16;
	if (!admin && opc == NVME_ZNS_MGMT_RECV) {
		n = ((u64)cmd->dw[12] + 1) * 4;
		return n > NVMEV_MAX_XFER ? 0 : (u32)n;
	}
	return 0;
}

/* ---- submission ---- */

static bool submit(struct fh *h, u16 qid, struct nvme_sqe *cmd, const struct fh_cmd *info,
		   bool ring)
{
	struct fh_sq *sq = &h->sq[qid];
	struct fh_cmd *o;
	u16 cid;

	if (!h->ready || h->shut || !sq->live || sq->deleting || sq->nr_out + 1 >= sq->size)
		return false;
	do {
		cid = h->next_cid++;
	} while (cid == 0xffff);
	cmd->dw[0] = (cmd->dw[0] & 0xffff) | ((u32)cid << 16);
	memcpy(fh_ptr(h, sq->base + (u64)sq->tail * NVME_SQE_SIZE), cmd, NVME_SQE_SIZE);
	o = &fh_out[qid][sq->nr_out++];
	*o = *info;
	o->cid = cid;
	o->slot = sq->tail;
	sq->tail = (u16)((sq->tail + 1) % sq->size);
	o->opc = nvme_sqe_opcode(cmd);
	if (ring)
		fh_db_write(h, 2 * qid, sq->tail);
	return true;
}

static void dispatch(struct fh *h)
{
	h->relax_calls = 0;
	nvmev_ctrl_poll(h->c);
	fh_after_step(h);
}

static void write_cc(struct fh *h, u32 v)
{
	u32 old = h->cc;
	bool rising = (v & NVME_CC_EN) && !(old & NVME_CC_EN);
	bool falling = !(v & NVME_CC_EN) && (old & NVME_CC_EN);

	if (rising) {
		h->shst_seen = false;
		h->shut = false;
		memset(h->mem + (u64)FH_ACQ_PAGE * NVMEV_PAGE_SIZE, 0, 4 * NVMEV_PAGE_SIZE);
	}
	if (NVME_CC_SHN(v) && !NVME_CC_SHN(old))
		h->shut = true;
	h->cc = v;
	fh_reg_write32(h, NVME_REG_CC, v);
	dispatch(h);
	if (h->gave_up)
		return;
	if (falling)
		fh_host_reset(h);
	if (rising && (fh_reg_read32(h, NVME_REG_CSTS) & NVME_CSTS_RDY)) {
		struct fh_sq *sq = &h->sq[0];
		struct fh_cq *cq = &h->cq[0];

		h->ready = true;
		sq->live = true;
		sq->size = (h->aqa & 0xfff) + 1;
		sq->base = h->asq;
		cq->live = true;
		cq->size = ((h->aqa >> 16) & 0xfff) + 1;
		cq->base = h->acq;
		cq->phase = 1;
	}
}

static void op_enable(struct fh *h, struct rd *r)
{
	u8 v = rd_u8(r);
	u8 sz = rd_u8(r);
	u32 sqs = 2 + (sz & 0xf) * 2, cqs = 2 + (sz >> 4) * 2;
	u32 cc = NVME_CC_EN | (NVME_SQES << 16) | (NVME_CQES << 20);

	if (v & 0x80) {
		sqs = 2 + rd_u16(r) % 1023;
		cqs = 2 + rd_u16(r) % 1023;
	}
	if (h->cc & NVME_CC_EN)
		write_cc(h, 0);
	if (h->gave_up)
		return;
	h->asq = fh_page_addr(FH_ASQ_PAGE);
	h->acq = fh_page_addr(FH_ACQ_PAGE);
	switch (v & 0xf) {
	case 10:
		h->asq = (v & 0x10) ? FH_BASE + FH_SIZE : 0x1000;	/* not host RAM */
		break;
	case 11:
		h->acq = (v & 0x10) ? FH_BASE + FH_SIZE : fh_page_addr(FH_GUARD_PAGE);
		break;
	case 12:
		h->asq += 0x40;
		break;
	case 13:
		sqs = (v & 0x10) ? 1 : 4096;
		break;
	case 14:
		cc |= (v & 0x10) ? (1u << 7) : (1u << 4);	/* MPS or CSS */
		break;
	case 15:
		cc = NVME_CC_EN;		/* IOSQES/IOCQES 0: I/O queues fail */
		break;
	}
	h->aqa = ((sqs - 1) & 0xfff) | (((cqs - 1) & 0xfff) << 16);
	fh_reg_write32(h, NVME_REG_AQA, h->aqa);
	fh_reg_write32(h, NVME_REG_ASQ, (u32)h->asq);
	fh_reg_write32(h, NVME_REG_ASQ + 4, (u32)(h->asq >> 32));
	fh_reg_write32(h, NVME_REG_ACQ, (u32)h->acq);
	fh_reg_write32(h, NVME_REG_ACQ + 4, (u32)(h->acq >> 32));
	write_cc(h, cc);
}

/* ---- admin commands ---- */

static u16 pick_qid(struct fh *h, u8 v, bool cq, bool want_live)
{
	u16 q, n = 0, list[FH_NR_QUEUES];

	for (q = 1; q <= FH_MAX_IO_QUEUES; q++) {
		bool live = cq ? h->cq[q].live : (h->sq[q].live && !h->sq[q].deleting);

		if (live == want_live)
			list[n++] = q;
	}
	if (!n)
		return 1 + v % FH_MAX_IO_QUEUES;
	return list[v % n];
}

static u16 ring_size(struct rd *r, u8 v)
{
	if ((v & 0xc0) == 0xc0)
		return (u16)(rd_u16(r) % 1100);	/* 0's based, some too big */
	return 1 + (v & 0x3f);
}

static void op_admin(struct fh *h, struct rd *r)
{
	u8 kind = rd_u8(r);
	u8 v = rd_u8(r);
	struct fh_cmd info = { 0 };
	struct nvme_sqe cmd;
	u64 base;
	u32 size0;
	u16 qid;

	memset(&cmd, 0, sizeof(cmd));
	switch (kind % 12) {
	case 0:		/* Create I/O CQ */
		qid = (v & 0x80) ? rd_u8(r) : pick_qid(h, v, true, false);
		size0 = ring_size(r, rd_u8(r));
		base = fh_alloc_ring(h, NVMEV_MIN(size0 + 1, 1024u) * NVME_CQE_SIZE, FH_CQ);
		if (!base || (v & 0x70) == 0x70)
			base = bad_addr(v);
		else if ((v & 0x70) == 0x60)
			base += 16;
		cmd.dw[0] = NVME_ADMIN_CREATE_CQ;
		cmd.dw[6] = (u32)base;
		cmd.dw[7] = (u32)(base >> 32);
		cmd.dw[10] = qid | (size0 << 16);
		cmd.dw[11] = ((v & 0x08) ? 0 : 1) | ((v & 0x04) ? 2 : 0) |
			     (u32)((v & 0x02) ? rd_u16(r) : qid) << 16;
		info.qid = qid;
		info.size = (u16)(size0 + 1);
		info.base = base;
		break;
	case 1:		/* Create I/O SQ */
		qid = (v & 0x80) ? rd_u8(r) : pick_qid(h, v, false, false);
		size0 = ring_size(r, rd_u8(r));
		base = fh_alloc_ring(h, NVMEV_MIN(size0 + 1, 1024u) * NVME_SQE_SIZE, FH_RO);
		if (!base || (v & 0x70) == 0x70)
			base = bad_addr(v);
		else if ((v & 0x70) == 0x60)
			base += 64;
		info.cqid = (v & 0x02) ? rd_u8(r) : pick_qid(h, rd_u8(r), true, true);
		cmd.dw[0] = NVME_ADMIN_CREATE_SQ;
		cmd.dw[6] = (u32)base;
		cmd.dw[7] = (u32)(base >> 32);
		cmd.dw[10] = qid | (size0 << 16);
		cmd.dw[11] = ((v & 0x08) ? 0 : 1) | ((u32)info.cqid << 16);
		info.qid = qid;
		info.size = (u16)(size0 + 1);
		info.base = base;
		break;
	case 2:		/* Delete I/O SQ */
		qid = (v & 0x80) ? rd_u16(r) : pick_qid(h, v, false, true);
		cmd.dw[0] = NVME_ADMIN_DELETE_SQ;
		cmd.dw[10] = qid;
		info.qid = qid;
		break;
	case 3:		/* Delete I/O CQ */
		qid = (v & 0x80) ? rd_u16(r) : pick_qid(h, v, true, true);
		cmd.dw[0] = NVME_ADMIN_DELETE_CQ;
		cmd.dw[10] = qid;
		info.qid = qid;
		break;
	case 4: {	/* Identify */
		static const u8 cns[] = { 0, 1, 2, 3, 5, 6, 7, 8 };

		cmd.dw[0] = NVME_ADMIN_IDENTIFY;
		cmd.dw[10] = (v & 0x80) ? rd_u8(r) : cns[v % 8];
		cmd.dw[1] = (v & 0x40) ? rd_u32(r) : (v & 0x20) ? 0 : 1;
		cmd.dw[11] = (v & 0x10) ? (u32)rd_u8(r) << 24 : 0;
		break;
	}
	case 5: {	/* Get Log Page */
		static const u8 lid[] = { 1, 2, 3, 5 };
		u32 numd = (v & 0x80) ? rd_u32(r) : (u32)(rd_u8(r) + 1) * 16 - 1;

		cmd.dw[0] = NVME_ADMIN_GET_LOG_PAGE;
		cmd.dw[10] = ((v & 0x40) ? rd_u8(r) : lid[v % 4]) | ((v & 0x20) ? 1u << 15 : 0) |
			     (numd << 16);
		cmd.dw[11] = numd >> 16;
		cmd.dw[12] = (v & 0x10) ? rd_u32(r) & ~((v & 0x08) ? 0u : 3u) : 0;
		cmd.dw[13] = (v & 0x04) ? rd_u32(r) : 0;
		cmd.dw[1] = (v & 0x02) ? 0xffffffff : 0;
		break;
	}
	case 6:		/* Get Features */
	case 7: {	/* Set Features */
		static const u8 fid[] = { 1, 2, 4, 5, 6, 7, 8, 0xb };

		cmd.dw[0] = kind % 12 == 6 ? NVME_ADMIN_GET_FEATURES : NVME_ADMIN_SET_FEATURES;
		cmd.dw[10] = ((v & 0x80) ? rd_u8(r) : fid[v % 8]) | (u32)(rd_u8(r) & 0x7) << 8 |
			     ((v & 0x40) ? 1u << 31 : 0);
		cmd.dw[11] = (v & 0x20) ? rd_u32(r) : rd_u8(r) | (u32)rd_u8(r) << 16;
		break;
	}
	case 8:
		cmd.dw[0] = NVME_ADMIN_ASYNC_EVENT;
		break;
	case 9:
		cmd.dw[0] = NVME_ADMIN_ABORT;
		cmd.dw[10] = rd_u32(r);
		break;
	case 10:
		cmd.dw[0] = NVME_ADMIN_KEEP_ALIVE;
		break;
	default: {	/* anything, except queue management with arbitrary rings */
		u8 opc = rd_u8(r);
		u32 i;

		if (opc == NVME_ADMIN_CREATE_SQ || opc == NVME_ADMIN_CREATE_CQ ||
		    opc == NVME_ADMIN_DELETE_SQ || opc == NVME_ADMIN_DELETE_CQ)
			opc |= 0x40;
		cmd.dw[0] = opc | (u32)(v & 0xc3) << 8;	/* sometimes fused or SGL */
		cmd.dw[1] = rd_u32(r);
		for (i = 10; i < 16; i++)
			cmd.dw[i] = (v & (1u << (i - 10))) ? rd_u32(r) : 0;
		break;
	}
	}
	if (!cmd.dw[6] && !cmd.dw[8] && nvme_sqe_opcode(&cmd) != NVME_ADMIN_CREATE_CQ &&
	    nvme_sqe_opcode(&cmd) != NVME_ADMIN_CREATE_SQ)
		gen_prps(h, r, write_len(h, true, &cmd), &cmd);
	if (submit(h, 0, &cmd, &info, (kind & 0x80) == 0) &&
	    nvme_sqe_opcode(&cmd) == NVME_ADMIN_DELETE_SQ && info.qid <= FH_MAX_IO_QUEUES)
		h->sq[info.qid].deleting = true;
}

/* ---- I/O commands ---- */

static u64 gen_slba(struct fh *h, struct rd *r, u8 v, u32 nlb)
{
	u64 slba;

	switch (v >> 5) {
	case 0:
		slba = rd_u64(r);
		if (!fh_enabled(AVOID_SLBA))
			slba &= 0xffffffff;
		return slba;
	case 1:
		slba = fh_enabled(AVOID_SLBA) ? 0xffffffffffffffffull - rd_u8(r) : rd_u8(r);
		return slba;
	case 2:
		return h->nr_blocks - (rd_u8(r) % 4);
	default:
		return nlb < h->nr_blocks ? rd_u16(r) % (h->nr_blocks - nlb) : 0;
	}
}

static void op_io(struct fh *h, struct rd *r)
{
	u8 pick = rd_u8(r);
	u8 kind = rd_u8(r);
	u8 v = rd_u8(r);
	struct fh_cmd info = { 0 };
	struct nvme_sqe cmd;
	u16 q, n = 0, list[FH_NR_QUEUES];
	u32 nlb, i;
	u64 slba;

	for (q = 1; q <= FH_MAX_IO_QUEUES; q++)
		if (h->sq[q].live && !h->sq[q].deleting)
			list[n++] = q;
	if (!n)
		return;
	q = list[pick % n];

	memset(&cmd, 0, sizeof(cmd));
	nlb = (v & 0x10) ? rd_u16(r) : v & 0xf;	/* 0's based */
	cmd.dw[1] = (v & 0x80) ? ((v & 0x40) ? rd_u32(r) : 0xffffffff) : 1;
	if (h->layout == FH_KV_NS && kind % 8 != 7) {
		/* a key-value command on few keys (overwrites, deletes, reinserts) */
		static const u8 kv_ops[] = { NVME_KV_STORE, NVME_KV_RETRIEVE, NVME_KV_LIST,
					     NVME_KV_DELETE, NVME_KV_EXIST, NVME_KV_STORE,
					     NVME_KV_RETRIEVE };
		u8 kb = rd_u8(r);

		cmd.dw[0] = kv_ops[kind % 7];
		cmd.dw[2] = kb & 0x1f;
		cmd.dw[3] = (kb & 0x20) ? rd_u32(r) : 0;
		/* a value of up to 64 KiB: few bytes, blocks, or any size */
		cmd.dw[10] = (v & 0x10) ? nlb : (nlb & 0xf) * 700;
		/* key length 1..16 (0 and 17 now and then), options */
		cmd.dw[11] = (kind & 0x80) ? (u32)rd_u8(r) % 18 : 1u + (kb >> 6) * 5;
		cmd.dw[11] |= (kind & 0x40) ? (u32)rd_u8(r) << 8 : 0;
		gen_prps(h, r, cmd.dw[10], &cmd);
		submit(h, q, &cmd, &info, (pick & 0xc0) != 0xc0);
		return;
	}
	switch (kind % 8) {
	case 0:
	case 1:
	case 2:
		/* kind 2 with bit 3: a Compare of the same shape */
		cmd.dw[0] = kind % 8 == 2 && (kind & 0x08) ? NVME_CMD_COMPARE : NVME_CMD_READ;
		break;
	case 3:
	case 4:
		/* zoned: kind 4 with bit 3 a Zone Append of the same shape */
		cmd.dw[0] = h->layout == FH_ZNS_NS && kind % 8 == 4 && (kind & 0x08) ?
			    NVME_ZNS_APPEND : NVME_CMD_WRITE;
		break;
	case 5:
		/* with bit 3: a Verify of the range that follows */
		cmd.dw[0] = (kind & 0x08) ? NVME_CMD_VERIFY : NVME_CMD_FLUSH;
		break;
	case 6:
		cmd.dw[0] = (kind & 0x80) ? NVME_CMD_DSM : NVME_CMD_WRITE_ZEROES;
		/* zoned: with bit 3, Zone Management Send (bit 7) or Receive instead */
		if (h->layout == FH_ZNS_NS && (kind & 0x08))
			cmd.dw[0] = (kind & 0x80) ? NVME_ZNS_MGMT_SEND : NVME_ZNS_MGMT_RECV;
		break;
	default:
		cmd.dw[0] = rd_u8(r) | (u32)(kind & 0xc0) << 8;	/* PSDT bits too */
		for (i = 10; i < 16; i++)
			cmd.dw[i] = rd_u32(r);
		break;
	}
	if (kind % 8 != 7) {
		slba = gen_slba(h, r, kind & 0xe0, nlb + 1);
		cmd.dw[10] = (u32)slba;
		cmd.dw[11] = (u32)(slba >> 32);
		cmd.dw[12] = nlb & 0xffff;
	}
	if (nvme_sqe_opcode(&cmd) == NVME_CMD_DSM) {
		cmd.dw[10] = nlb & 0xff;
		cmd.dw[11] = (kind & 0x20) ? 0 : NVME_DSM_AD;
	}
	if (h->layout == FH_ZNS_NS && kind % 8 != 7) {
		u8 opc = nvme_sqe_opcode(&cmd);
		u64 zone = FH_ZONE_BYTES >> h->lba_shift;

		/* mostly a zone's start: where writes to an empty zone and management go */
		if (opc != NVME_CMD_READ && !(v & 0x20)) {
			slba &= ~(zone - 1);
			cmd.dw[10] = (u32)slba;
			cmd.dw[11] = (u32)(slba >> 32);
		}
		if (opc == NVME_ZNS_MGMT_SEND) {
			u8 a = rd_u8(r);

			/* an action (0 and 6-7 invalid, 0x10 Set Zone Descriptor Extension), Select All */
			cmd.dw[12] = 0;
			cmd.dw[13] = ((a & 0x40) ? 0x10 : a % 8) | ((a & 0x80) ? NVME_ZSA_SELECT_ALL : 0);
		} else if (opc == NVME_ZNS_MGMT_RECV) {
			u8 a = rd_u8(r);

			/* a report of 16 bytes to 64 KiB: an action, its filter, Partial Report */
			cmd.dw[12] = (v & 0x10) ? nlb : (4u << (nlb & 0xf)) - 1;
			cmd.dw[13] = (a & 3) | (u32)((a >> 2) % 9) << 8 | ((a & 0x80) ? NVME_ZRA_PARTIAL : 0);
		}
	}
	gen_prps(h, r, write_len(h, false, &cmd), &cmd);
	if (nvme_sqe_opcode(&cmd) == NVME_CMD_DSM) {
		/* the range list, where PRP1 points if that is a data page */
		u64 prp1 = nvme_sqe_prp1(&cmd);
		int page = fh_page_of(prp1);
		u32 ranges = (cmd.dw[10] & 0xff) + 1;

		if (page >= 0 && h->perm[page] == FH_DATA && (prp1 & 3) == 0) {
			u32 room = (NVMEV_PAGE_SIZE - (prp1 & (NVMEV_PAGE_SIZE - 1))) / 16;
			u8 *p = fh_ptr(h, prp1);

			for (i = 0; i < NVMEV_MIN(ranges, room); i++) {
				u8 rv = rd_u8(r);

				nvme_put32(p, i * 16, 0);
				nvme_put32(p, i * 16 + 4, rv & 0x80 ? rd_u32(r) : rv & 0x1f);
				nvme_put64(p, i * 16 + 8, rv & 0x40 ? gen_slba(h, r, rv << 2, 32) :
					   rd_u16(r) % (h->nr_blocks - 32));
			}
		}
	}
	submit(h, q, &cmd, &info, (pick & 0xc0) != 0xc0);
}

/* ---- doorbells ---- */

static void op_doorbell(struct fh *h, struct rd *r)
{
	u8 kind = rd_u8(r);
	u8 v = rd_u8(r);
	u32 val = rd_u16(r);
	u16 q;

	switch (kind % 7) {
	case 0:		/* in-range SQ tail of an I/O SQ */
		q = pick_qid(h, v, false, true);
		if (!h->sq[q].live)
			return;
		val %= h->sq[q].size;
		if (val != h->sq[q].tail)
			h->sq[q].tainted = true;
		fh_db_write(h, 2 * q, val);
		break;
	case 1:		/* out-of-range SQ tail, the admin SQ too */
		q = (v & 1) ? 0 : pick_qid(h, v >> 1, false, true);
		if (!h->sq[q].live)
			return;
		fh_db_write(h, 2 * q, h->sq[q].size + val);
		break;
	case 2:		/* in-range CQ head of an I/O CQ */
		q = pick_qid(h, v, true, true);
		if (!h->cq[q].live)
			return;
		val %= h->cq[q].size;
		if (val != h->cq[q].head)
			h->cq[q].tainted = true;
		fh_db_write(h, 2 * q + 1, val);
		break;
	case 3:		/* out-of-range CQ head, the admin CQ too */
		q = (v & 1) ? 0 : pick_qid(h, v >> 1, true, true);
		if (!h->cq[q].live || !fh_enabled(AVOID_CQDB))
			return;
		fh_db_write(h, 2 * q + 1, h->cq[q].size + val);
		h->db_broken = true;
		break;
	case 4:		/* doorbell of a queue that can never exist */
		q = FH_MAX_IO_QUEUES + 1 + v % (NVMEV_PAGE_SIZE / 8 - FH_MAX_IO_QUEUES - 1);
		fh_db_write(h, 2 * q + (val & 1), rd_u32(r));
		break;
	case 5:		/* ring again with the host's tail */
		q = (v & 1) ? 0 : pick_qid(h, v >> 1, false, true);
		if (h->sq[q].live)
			fh_db_write(h, 2 * q, h->sq[q].tail);
		break;
	default:	/* write the host's CQ head again */
		q = (v & 1) ? 0 : pick_qid(h, v >> 1, true, true);
		if (h->cq[q].live)
			fh_db_write(h, 2 * q + 1, h->cq[q].head);
		break;
	}
}

static void op_timing(struct fh *h, struct rd *r)
{
	u8 v = rd_u8(r);
	u16 rl = rd_u16(r), wl = rd_u16(r);

	h->timing.read_latency_ns = (u64)rl << ((v & 1) ? 10 : 0);
	h->timing.write_latency_ns = (u64)wl << ((v & 2) ? 10 : 0);
	h->timing.bandwidth_mbps = (v & 4) ? 10 + rd_u16(r) : 0;
	h->timing.nr_units = (v & 8) ? rd_u16(r) % 300 : 1 + (v >> 4);
}

/* Run everything until nothing moves, reaping like an interrupt handler. */
static void settle(struct fh *h, u32 rounds, bool reap)
{
	u32 i, idle = 0;

	for (i = 0; i < rounds && !h->gave_up && idle < 3; i++) {
		bool did;
		u16 w;

		h->relax_calls = 0;
		did = nvmev_ctrl_poll(h->c);
		for (w = 0; w < h->nr_workers; w++)
			did |= nvmev_worker_poll(h->w[w]);
		fh_after_step(h);
		if (reap)
			fh_reap_all(h);
		idle = did ? 0 : idle + 1;
	}
}

/* ---- namespace images (model/image.c) ---- */

#define FH_IMG_MAX	(FH_STORAGE_MAX + (1u << 20))	/* bytes of an image the harness feeds at most */
#define FH_IMG_CHUNK	(1u << 20)	/* bytes per save_read/restore_write at most, as the chardev */
#define FH_IMG_CALLS	2048		/* calls per image at most, so that one execution stays fast */
#define FH_IMG_OPS	8		/* image operations per input; later ones only read their arguments */
#define FH_IMG_MUTS	8
#define FH_IMG_QUIESCE	64		/* passes to wait for the device to quiesce */

static struct nvmev_image img;
static u8 *img_saved;		/* FH_IMG_MAX bytes: the last image this input saved */
static u64 img_saved_len;	/* 0: none yet */
static u8 *img_again;		/* FH_IMG_MAX bytes: another save */
static u8 *img_chunk;		/* FH_IMG_CHUNK bytes: each chunk ends where the buffer ends */
static u8 *img_work;		/* FH_IMG_MAX bytes: the image a restore feeds */
static u8 *img_snap;		/* the storage before a restore */
static u64 *img_snap_map;	/* and its deallocation map */
static u32 img_ops;

static void img_setup(void)
{
	img_chunk = malloc(FH_IMG_CHUNK);
	img_work = malloc(FH_IMG_MAX);
	img_saved = malloc(FH_IMG_MAX);
	img_again = malloc(FH_IMG_MAX);
	img_snap = malloc(FH_STORAGE_MAX);
	img_snap_map = malloc(nvmev_storage_map_words(FH_STORAGE_MAX) * 8);
	if (!img_chunk || !img_work || !img_saved || !img_again || !img_snap || !img_snap_map)
		abort();
}

static void img_reset(void)
{
	img_saved_len = 0;
	img_ops = 0;
}

static u64 img_pad(u64 n)
{
	return (n + NVMEV_IMAGE_BLOCK - 1) / NVMEV_IMAGE_BLOCK * NVMEV_IMAGE_BLOCK;
}

/* Where a namespace's sections are, by the harness's own reading of image.h. */
struct img_sect {
	u32 nsid;
	u64 map_off;
	u64 map_len;
	u64 data_off;
	u64 data_len;
};

static u32 img_layout(struct fh *h, struct img_sect *s, u64 *total)
{
	u64 off = NVMEV_IMAGE_BLOCK;
	u32 nsid, nr = 0;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		const struct nvmev_ns *ns = nvmev_ns_allocated(h->c, nsid);

		if (!ns)
			continue;
		s[nr].nsid = nsid;
		s[nr].map_off = off;
		s[nr].map_len = nvmev_dealloc_words(ns->nr_blocks) * 8;
		off += img_pad(s[nr].map_len);
		s[nr].data_off = off;
		s[nr].data_len = ns->size;
		off += img_pad(ns->size);
		nr++;
	}
	*total = off + NVMEV_IMAGE_BLOCK;
	return nr;
}

/* How an image is cut into calls: one size, near a power of two pages, random sizes, whole. */
struct chunker {
	u8 mode;
	u32 size;
	u32 seed;
};

static void chunker_read(struct rd *r, struct chunker *k)
{
	u8 v = rd_u8(r);

	k->mode = v & 3;
	k->seed = 0;
	switch (k->mode) {
	case 0:
		k->size = 1 + rd_u16(r);
		break;
	case 1:
		k->size = (NVMEV_IMAGE_BLOCK << ((v >> 2) & 7)) + (v >> 5) - 3;
		break;
	case 2:
		k->size = 1 + rd_u16(r);
		k->seed = rd_u32(r);
		break;
	default:
		k->size = FH_IMG_CHUNK;
		break;
	}
}

/* The next call's length, for @left bytes still to go of @total (at least one byte). */
static u32 chunk_next(struct chunker *k, u64 left, u64 total)
{
	u64 n = k->mode == 2 ? 1 + rng_next(&k->seed) % k->size : k->size;

	n = NVMEV_MAX(n, total / FH_IMG_CALLS);
	n = NVMEV_MIN(n, NVMEV_MAX(left, 1ull));
	return (u32)NVMEV_MIN(n, (u64)FH_IMG_CHUNK);
}

/*
 * Pause, and run dispatcher and worker passes (time passing, the host
 * reaping) until the device says it is quiesced. False when it does not
 * within FH_IMG_QUIESCE passes (bus mastering off, a shutdown, ...): the
 * caller unpauses.
 */
static bool img_quiesce(struct fh *h)
{
	u32 i;
	u16 w;

	nvmev_ctrl_pause(h->c, true);
	for (i = 0; i < FH_IMG_QUIESCE && !h->gave_up; i++) {
		if (fh_glue_quiesced(h))	/* first before a pass, as chardev.c asks */
			return true;
		h->relax_calls = 0;
		nvmev_ctrl_poll(h->c);
		fh_after_step(h);
		if (fh_glue_quiesced(h))
			return true;
		for (w = 0; w < h->nr_workers; w++)
			nvmev_worker_poll(h->w[w]);
		fh_after_step(h);
		fh_reap_all(h);
		h->now += 1000000ull << NVMEV_MIN(i, 30u);
	}
	return false;
}

/* The image of the quiesced device, read in @k's chunks into @out: its length (0: none). */
static u64 img_save(struct fh *h, struct chunker *k, u8 *out)
{
	u64 total, got = 0;

	nvmev_image_save_begin(&img, h->c);
	total = img.total;
	if (total < 2 * NVMEV_IMAGE_BLOCK || total > FH_IMG_MAX) {
		fh_finding(CHK_IMAGE, "an image of %llu bytes, of %llu bytes of storage",
			   (unsigned long long)total, (unsigned long long)h->storage_size);
		return 0;
	}
	for (;;) {
		u32 n = chunk_next(k, total - got, total);
		u8 *p = img_chunk + FH_IMG_CHUNK - n;
		u32 m = nvmev_image_save_read(&img, p, n);

		if (!m)
			break;
		if (m > n || got + m > total) {
			fh_finding(CHK_IMAGE, "save: %u bytes for a read of %u at %llu of %llu",
				   m, n, (unsigned long long)got, (unsigned long long)total);
			break;
		}
		memcpy(out + got, p, m);
		got += m;
	}
	if (got != total || !img.done)
		fh_finding(CHK_IMAGE, "save: %llu bytes of an image of %llu (done %d)",
			   (unsigned long long)got, (unsigned long long)total, img.done);
	return got;
}

static void op_image_save(struct fh *h, struct rd *r)
{
	struct chunker k, whole = { .mode = 3, .size = FH_IMG_CHUNK };
	u64 len2;

	chunker_read(r, &k);
	if (img_ops++ >= FH_IMG_OPS)
		return;
	if (img_quiesce(h)) {
		img_saved_len = img_save(h, &k, img_saved);
		/* the same bytes in one piece: the chunks do not matter */
		len2 = img_save(h, &whole, img_again);
		if (len2 != img_saved_len || memcmp(img_again, img_saved, len2))
			fh_finding(CHK_IMAGE, "two saves of a quiesced device differ (%llu and %llu bytes)",
				   (unsigned long long)img_saved_len, (unsigned long long)len2);
	}
	nvmev_ctrl_pause(h->c, false);
}

/*
 * A save whose pause comes from another CPU in the middle of a dispatcher
 * pass, once the pass has fetched a command (host.c, race_pause).
 */
static void op_image_race(struct fh *h, struct rd *r)
{
	struct chunker k;

	chunker_read(r, &k);
	if (img_ops++ >= FH_IMG_OPS)
		return;
	h->race_armed = true;
	dispatch(h);
	h->race_armed = false;
	if (!h->gave_up && img_quiesce(h))
		img_saved_len = img_save(h, &k, img_saved);
	nvmev_ctrl_pause(h->c, false);
}

/* A change to the image a restore feeds. */
struct img_mut {
	u8 kind;
	u32 where;
	u32 val;
	u8 nraw;
	u8 raw[64];
};

static void img_mut_read(struct rd *r, struct img_mut *m)
{
	u32 i;

	m->kind = rd_u8(r);
	m->where = rd_u32(r);
	m->val = rd_u32(r);
	m->nraw = 0;
	if ((m->kind & 7) == 7) {
		m->nraw = 1 + (m->val & 63);
		for (i = 0; i < m->nraw; i++)
			m->raw[i] = rd_u8(r);
	}
}

/* Where a mutation goes: the header, the trailer, anywhere, or near a section's start. */
static u64 img_mut_pos(struct fh *h, const struct img_mut *m, u64 n)
{
	struct img_sect s[NVMEV_MAX_NS];
	u64 at[2 * NVMEV_MAX_NS + 1], total;
	u32 nr, nb = 0, i;
	s64 pos;

	switch ((m->kind >> 3) & 3) {
	case 0:
		return m->where % NVMEV_IMAGE_BLOCK;
	case 1:
		return n >= NVMEV_IMAGE_BLOCK ? n - NVMEV_IMAGE_BLOCK + m->where % NVMEV_IMAGE_BLOCK :
		       m->where % (n + 1);
	case 2:
		return m->where % (n + 1);
	default:
		nr = img_layout(h, s, &total);
		for (i = 0; i < nr; i++) {
			at[nb++] = s[i].map_off;
			at[nb++] = s[i].data_off;
		}
		at[nb++] = total - NVMEV_IMAGE_BLOCK;
		pos = (s64)at[m->where % nb] + (int8_t)(m->where >> 8);
		return pos < 0 ? 0 : (u64)pos;
	}
}

static void img_mutate(struct fh *h, u8 *b, u64 *len, const struct img_mut *m)
{
	u64 n = *len, pos = img_mut_pos(h, m, n), cnt, i;

	switch (m->kind & 7) {
	case 0:		/* flip a bit */
		if (pos < n)
			b[pos] ^= 1u << (m->val & 7);
		break;
	case 1:		/* a byte */
		if (pos < n)
			b[pos] = (u8)m->val;
		break;
	case 2:		/* a 32-bit field */
		for (i = 0; i < 4 && pos + i < n; i++)
			b[pos + i] = (u8)(m->val >> (8 * i));
		break;
	case 3:		/* a 64-bit field, plus or minus a little */
		if (pos + 8 <= n)
			nvme_put64(b, (u32)pos, nvme_get64(b, (u32)pos) + (u64)(s64)(int32_t)m->val);
		break;
	case 4:		/* truncate */
		if (pos < n)
			n = pos;
		break;
	case 5:		/* extend */
		cnt = NVMEV_MIN(1 + (u64)(m->val & 0xffff), FH_IMG_MAX - n);
		memset(b + n, (u8)(m->val >> 16), cnt);
		n += cnt;
		break;
	case 6:		/* cut bytes out */
		if (pos >= n)
			break;
		cnt = NVMEV_MIN(1 + (u64)(m->val & 0xfff), n - pos);
		memmove(b + pos, b + pos + cnt, n - pos - cnt);
		n -= cnt;
		break;
	default:	/* bytes from the input */
		for (i = 0; i < m->nraw && pos + i < n; i++)
			b[pos + i] = m->raw[i];
		break;
	}
	*len = n;
}

/* Make the checksums right again, so that a change gets past them. */
static void img_fix(u8 *b, u64 n, bool header, bool trailer)
{
	if (header && n >= NVMEV_IMAGE_BLOCK) {
		nvme_put32(b, 28, 0);
		nvme_put32(b, 28, nvmev_crc32c(0, b, NVMEV_IMAGE_BLOCK));
	}
	if (trailer && n >= 2 * NVMEV_IMAGE_BLOCK) {
		u64 t = nvme_get64(b, 16);
		u64 at = t >= 2 * NVMEV_IMAGE_BLOCK && t <= n ? t - NVMEV_IMAGE_BLOCK :
			 n - NVMEV_IMAGE_BLOCK;

		nvme_put32(b, (u32)(at + 12), nvmev_crc32c(0, b, at));
	}
}

static bool bit_set(const u64 *map, u64 i)
{
	return (map[i / 64] >> (i % 64)) & 1;
}

/* Storage and map outside every namespace: the same as before the restore. */
static void img_check_outside(struct fh *h)
{
	u64 words = nvmev_storage_map_words(h->storage_size), pos, w;
	u32 i;

	for (pos = 0; pos < h->storage_size;) {
		u64 next = h->storage_size, skip = 0;

		for (i = 0; i < NVMEV_MAX_NS; i++) {
			const struct nvmev_ns *ns = &h->c->ns[i];

			if (!ns->cmd_set || ns->offset + ns->size <= pos)
				continue;
			if (ns->offset <= pos)
				skip = NVMEV_MAX(skip, ns->offset + ns->size);
			else
				next = NVMEV_MIN(next, ns->offset);
		}
		if (skip) {
			pos = skip;
			continue;
		}
		if (memcmp(h->storage + pos, img_snap + pos, next - pos))
			fh_finding(CHK_IMAGE, "restore changed storage at 0x%llx..0x%llx, outside every namespace",
				   (unsigned long long)pos, (unsigned long long)next);
		pos = next;
	}
	for (w = 0; w < words; w++) {
		bool mine = false;

		for (i = 0; i < NVMEV_MAX_NS; i++) {
			const struct nvmev_ns *ns = &h->c->ns[i];
			u64 first = (u64)(ns->dealloc - h->dealloc);

			if (ns->cmd_set && w >= first && w < first + nvmev_dealloc_words(ns->nr_blocks))
				mine = true;
		}
		if (!mine && h->dealloc[w] != img_snap_map[w])
			fh_finding(CHK_IMAGE, "restore changed deallocation map word %llu, outside every namespace",
				   (unsigned long long)w);
	}
}

/*
 * After a restore of @b (@n bytes) that returned @err: a refusal changed
 * nothing; a failure left each namespace empty, or unchanged if the header
 * may have been the cause (@in_header: the failing write began in it); a
 * success left each exactly as the image says, and a new save says the same.
 */
/* The blocks the host sees of @ns: NSZE of its Identify Namespace. */
static u64 host_blocks(struct fh *h, const struct nvmev_ns *ns)
{
	static u8 id[NVMEV_PAGE_SIZE];

	if (!ns->cmd_set->identify_ns)
		return ns->nr_blocks;
	memset(id, 0, sizeof(id));
	ns->cmd_set->identify_ns(h->c, ns, id);
	return NVMEV_MIN(nvme_get64(id, 0), ns->nr_blocks);
}

static void img_check(struct fh *h, int err, bool in_header, const u8 *b, u64 n, bool pristine)
{
	struct chunker whole = { .mode = 3, .size = FH_IMG_CHUNK };
	struct img_sect s[NVMEV_MAX_NS];
	u64 skip[3 + 2 * NVMEV_MAX_NS][2], total, len, blk, i;
	bool rebuilt = false;
	u32 nr = img_layout(h, s, &total), k, nskip;
	u8 *again = img_again;

	img_check_outside(h);
	for (k = 0; k < nr; k++) {
		const struct nvmev_ns *ns = &h->c->ns[s[k].nsid - 1];
		u64 words = nvmev_dealloc_words(ns->nr_blocks);
		bool same = !memcmp(ns->data, img_snap + ns->offset, ns->size) &&
			    !memcmp(ns->dealloc, img_snap_map + (ns->dealloc - h->dealloc), words * 8);

		if (err == NVMEV_IMAGE_EINVAL || (!err && !n)) {
			if (!same)
				fh_finding(CHK_IMAGE, "restore %s (%d) but namespace %u changed",
					   err ? "refused" : "of nothing", err, s[k].nsid);
			continue;
		}
		if (!err || (same && in_header))
			continue;
		/* the host's blocks (NSZE) empty; a media model's state after them is its own */
		for (blk = 0; blk < host_blocks(h, ns); blk++) {
			if (!bit_set(ns->dealloc, blk)) {
				fh_finding(CHK_IMAGE, "restore failed (%d) after its header and left namespace %u %s: block %llu allocated",
					   err, s[k].nsid, same ? "as it was" : "half-restored",
					   (unsigned long long)blk);
				break;
			}
		}
	}
	if (err || !n)
		return;
	if (n != total) {
		fh_finding(CHK_IMAGE, "a restore of %llu bytes succeeded; an image of these namespaces has %llu",
			   (unsigned long long)n, (unsigned long long)total);
		return;
	}
	/* the namespaces hold what the image says; a new save says it too */
	len = img_save(h, &whole, again);
	if (len != total)
		return;
	for (k = 0; k < nr; k++) {
		const struct nvmev_ns *ns = &h->c->ns[s[k].nsid - 1];
		const u64 *map = (const u64 *)(b + s[k].map_off);
		u64 bs = 1ull << ns->lba_shift;

		if (memcmp(ns->dealloc, map, s[k].map_len) ||
		    memcmp(again + s[k].map_off, map, s[k].map_len))
			fh_finding(CHK_IMAGE, "namespace %u: the deallocation map is not the image's",
				   s[k].nsid);
		for (blk = 0; blk < ns->nr_blocks; blk++) {
			const u8 *want = b + s[k].data_off + blk * bs;
			const u8 *saved = again + s[k].data_off + blk * bs;

			if (bit_set(map, blk)) {
				if (memcmp(saved, nvmev_zero_page, bs))
					fh_finding(CHK_IMAGE, "namespace %u: block %llu deallocated, saved as data",
						   s[k].nsid, (unsigned long long)blk);
			} else if (memcmp(ns->data + blk * bs, want, bs) || memcmp(saved, want, bs)) {
				fh_finding(CHK_IMAGE, "namespace %u: block %llu is not the image's",
					   s[k].nsid, (unsigned long long)blk);
			}
		}
	}
	/*
	 * All of it, but the header checksum and the attached flags (not
	 * restored) and, where a media model keeps state after the host's
	 * blocks and rebuilds it as it loads it (the conv FTL's lists, its
	 * reverse map), that state and so the trailer's checksum: the per-block
	 * check above covers the host's blocks, the media its own.
	 */
	nskip = 0;
	skip[nskip][0] = 28;
	skip[nskip++][1] = 32;
	for (k = 0; k < nr; k++) {
		skip[nskip][0] = 64 + k * NVMEV_IMAGE_DESC + 6;
		skip[nskip][1] = skip[nskip][0] + 1;
		nskip++;
	}
	for (k = 0; k < nr; k++) {	/* in the order of the sections */
		const struct nvmev_ns *ns = &h->c->ns[s[k].nsid - 1];
		u64 host = host_blocks(h, ns) << ns->lba_shift;

		if (ns->timing->ops->load && host < ns->size) {
			skip[nskip][0] = s[k].data_off + host;
			skip[nskip++][1] = s[k].data_off + ns->size;
			rebuilt = true;
		}
	}
	if (rebuilt) {
		skip[nskip][0] = total - NVMEV_IMAGE_BLOCK + 12;
		skip[nskip++][1] = total - NVMEV_IMAGE_BLOCK + 16;
	}
	skip[nskip][0] = total;
	skip[nskip++][1] = total;
	for (k = 0, i = 0; pristine && k < nskip; i = skip[k++][1]) {
		if (memcmp(again + i, b + i, skip[k][0] - i)) {
			fh_finding(CHK_IMAGE, "the save after a restore of a saved image differs in bytes %llu..%llu of %llu",
				   (unsigned long long)i, (unsigned long long)skip[k][0],
				   (unsigned long long)total);
			break;
		}
	}
}

static void op_image_restore(struct fh *h, struct rd *r)
{
	struct chunker k, whole = { .mode = 3, .size = FH_IMG_CHUNK };
	struct img_mut muts[FH_IMG_MUTS];
	u8 src = rd_u8(r);
	const u8 *raw = NULL;
	u64 raw_len = 0, n = 0, off, werr_at = 0;
	u32 nm, i;
	int werr = 0, err;
	bool pristine;

	if ((src & 3) == 3) {	/* bytes of the input */
		raw_len = rd_u16(r);
		raw_len = NVMEV_MIN(raw_len, (u64)r->n);
		raw = r->p;
		r->p += raw_len;
		r->n -= raw_len;
	}
	nm = rd_u8(r) % FH_IMG_MUTS;
	for (i = 0; i < nm; i++)
		img_mut_read(r, &muts[i]);
	chunker_read(r, &k);
	if (img_ops++ >= FH_IMG_OPS)
		return;
	if (!img_quiesce(h))
		goto out;

	/* the image: the last one saved (one of the device now if none), or the input's */
	if (raw) {
		memcpy(img_work, raw, raw_len);
		n = raw_len;
	} else {
		if (!img_saved_len)
			img_saved_len = img_save(h, &whole, img_saved);
		if (!img_saved_len)
			goto out;
		memcpy(img_work, img_saved, img_saved_len);
		n = img_saved_len;
	}
	for (i = 0; i < nm; i++)
		img_mutate(h, img_work, &n, &muts[i]);
	img_fix(img_work, n, src & 4, src & 8);
	pristine = img_saved_len && n == img_saved_len && !memcmp(img_work, img_saved, n);

	memcpy(img_snap, h->storage, h->storage_size);
	memcpy(img_snap_map, h->dealloc, nvmev_storage_map_words(h->storage_size) * 8);
	nvmev_image_restore_begin(&img, h->c);
	for (off = 0; off < n;) {
		u32 c = chunk_next(&k, n - off, n);
		u8 *p = img_chunk + FH_IMG_CHUNK - c;
		int ret;

		memcpy(p, img_work + off, c);
		ret = nvmev_image_restore_write(&img, p, c);
		off += c;
		if (ret != 0 && ret != NVMEV_IMAGE_EINVAL && ret != NVMEV_IMAGE_ECRC)
			fh_finding(CHK_IMAGE, "restore write returned %d", ret);
		if (werr && ret != werr)
			fh_finding(CHK_IMAGE, "restore write returned %d after an error %d", ret, werr);
		if (ret && !werr) {
			werr = ret;
			werr_at = off - c;
			if (!(src & 0x10))	/* else keep writing, as a writer that ignores errors */
				break;
		}
	}
	err = nvmev_image_restore_end(&img);
	if (werr && err != werr)
		fh_finding(CHK_IMAGE, "restore end returned %d after a write error %d", err, werr);
	if (err != 0 && err != NVMEV_IMAGE_EINVAL && err != NVMEV_IMAGE_ECRC)
		fh_finding(CHK_IMAGE, "restore end returned %d", err);
	if (src & 0x20) {	/* time passes while paused: nothing may move */
		for (i = 0; i < 4 && !h->gave_up; i++) {
			u16 w;

			h->relax_calls = 0;
			nvmev_ctrl_poll(h->c);
			for (w = 0; w < h->nr_workers; w++)
				nvmev_worker_poll(h->w[w]);
			fh_after_step(h);
			fh_reap_all(h);
			h->now += 1000000000ull;
		}
		if (!h->gave_up && !fh_glue_quiesced(h))
			fh_finding(CHK_IMAGE, "the device was quiesced, and while still paused it is not");
	}
	if (getenv("NVMEV_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: image restore of %llu bytes%s: %d\n", (unsigned long long)n,
			pristine ? " (as saved)" : "", werr ? werr : err);
	img_check(h, werr ? werr : err, werr && werr_at < NVMEV_IMAGE_BLOCK, img_work, n, pristine);
out:
	nvmev_ctrl_pause(h->c, false);
}

/* ---- the end: everything submitted must have completed ---- */

static void final_checks(struct fh *h)
{
	u16 q, i;

	h->in_final = true;
	h->bme = true;
	for (q = 0; q < FH_NR_QUEUES; q++)
		if (h->sq[q].live)
			fh_db_write(h, 2 * q, h->sq[q].tail);
	for (i = 0; i < 8 && !h->gave_up; i++) {
		h->now += 1000000000000ull;	/* 1000 s */
		settle(h, 64, true);
	}
	if (h->gave_up || !h->ready || h->shut)
		return;
	for (q = 0; q < FH_NR_QUEUES; q++) {
		struct fh_sq *sq = &h->sq[q];

		if (!sq->live || sq->tainted || h->cq[sq->cqid].tainted || h->db_broken)
			continue;
		for (i = 0; i < sq->nr_out; i++) {
			if (q == 0 && fh_out[q][i].opc == NVME_ADMIN_ASYNC_EVENT)
				continue;
			fh_finding(CHK_LOST, "SQ %u: CID %u (opcode 0x%x) never completed",
				   q, fh_out[q][i].cid, fh_out[q][i].opc);
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static bool setup;
	struct fh *h = &fh;
	struct rd r = { data, size };
	u8 cfg;

	if (!setup) {
		fh_setup();
		img_setup();
		setup = true;
	}
	if (getenv("NVMEV_FUZZ_TRACE")) {	/* which input runs: for replays in sequence */
		u32 sum = 2166136261u;
		size_t i;

		for (i = 0; i < size; i++)
			sum = (sum ^ data[i]) * 16777619u;
		fprintf(stderr, "input %zu bytes fnv %08x\n", size, sum);
	}
	cfg = rd_u8(&r);
	/*
	 * config byte 0xf0 and up: two namespaces; 0xe0 to 0xef: a key-value
	 * one; 0xd8 to 0xdf: zns; 0xd0 to 0xd7: conv
	 */
	fh_begin(h, (cfg & 1) ? 12 : 9, 1 + (cfg >> 1) % FH_MAX_WORKERS,
		 cfg >= 0xf0 ? FH_TWO_NS : cfg >= 0xe0 ? FH_KV_NS :
		 cfg >= 0xd8 ? FH_ZNS_NS : cfg >= 0xd0 ? FH_CONV_NS : FH_ONE_NS);
	img_reset();

	while (r.n && !h->gave_up) {
		u8 b = rd_u8(&r);
		u8 op = b % NR_OPS;
		u32 v;

		h->relax_calls = 0;
		if (b >= OP_IMAGE_RESTORE) {
			op_image_restore(h, &r);
			continue;
		}
		if (b == OP_IMAGE_RACE) {
			op_image_race(h, &r);
			continue;
		}
		if (b >= OP_IMAGE_SAVE) {
			op_image_save(h, &r);
			continue;
		}
		switch (op) {
		case OP_ENABLE:
			op_enable(h, &r);
			break;
		case OP_DISABLE:
			write_cc(h, h->cc & ~NVME_CC_EN);
			break;
		case OP_SHUTDOWN:
			write_cc(h, (h->cc & ~(3u << 14)) | ((rd_u8(&r) & 1) ? 2u : 1u) << 14);
			break;
		case OP_RAW_CC:
			write_cc(h, rd_u32(&r));
			break;
		case OP_ADMIN:
		case OP_ADMIN2:
			op_admin(h, &r);
			break;
		case OP_IO:
		case OP_IO2:
		case OP_IO3:
			op_io(h, &r);
			break;
		case OP_DOORBELL:
			op_doorbell(h, &r);
			break;
		case OP_BME:
			h->bme = !h->bme;
			break;
		case OP_DISPATCH:
			dispatch(h);
			break;
		case OP_WORKER:
			nvmev_worker_poll(h->w[rd_u8(&r) % h->nr_workers]);
			fh_after_step(h);
			break;
		case OP_CLOCK:
			v = rd_u16(&r);
			h->now += (u64)v << (rd_u8(&r) % 40);
			break;
		case OP_REAP:
			v = rd_u8(&r);
			if (v & 0x80) {
				fh_reap_all(h);
			} else {
				u16 q = (v & 1) ? 0 : pick_qid(h, v >> 1, true, true);

				if (h->cq[q].live)
					fh_cq_reap(h, q, 1 + rd_u8(&r) % 16);
			}
			break;
		case OP_TIMING:
			op_timing(h, &r);
			break;
		case OP_SETTLE:
			settle(h, 32, rd_u8(&r) & 1);
			break;
		}
	}
	final_checks(h);
	fh_end(h);
	return 0;
}
