// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer entry point: the input is a little program of host operations
 * (register writes, admin and I/O commands, doorbells, bus mastering,
 * dispatcher and worker passes, clock steps, reaping), run against a fresh
 * model controller. See README.md for the encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh.h"

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
	if (!admin && opc == NVME_CMD_WRITE) {
		n = (u64)((cmd->dw[12] & 0xffff) + 1) << h->lba_shift;
		return n > NVMEV_MAX_XFER ? 0 : (u32)n;
	}
	if (!admin && opc == NVME_CMD_DSM)
		return ((cmd->dw[10] & 0xff) + 1) * 16;
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
	switch (kind % 8) {
	case 0:
	case 1:
	case 2:
		cmd.dw[0] = NVME_CMD_READ;
		break;
	case 3:
	case 4:
		cmd.dw[0] = NVME_CMD_WRITE;
		break;
	case 5:
		cmd.dw[0] = NVME_CMD_FLUSH;
		break;
	case 6:
		cmd.dw[0] = (kind & 0x80) ? NVME_CMD_DSM : NVME_CMD_WRITE_ZEROES;
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
	fh_begin(h, (cfg & 1) ? 12 : 9, 1 + (cfg >> 1) % FH_MAX_WORKERS);

	while (r.n && !h->gave_up) {
		u8 op = rd_u8(&r) % NR_OPS;
		u32 v;

		h->relax_calls = 0;
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
