// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NVM command set: Read, Write, Flush, Write Zeroes and Dataset
 * Management. The dispatcher decodes and validates each command and asks
 * the timing model for its completion time; the worker moves its data.
 * Every access to the namespace is bounds-checked here, before any copy.
 *
 * Deallocated blocks (Dataset Management, Write Zeroes, and every block of
 * a new namespace) are marked in the namespace's deallocation map and read
 * as zeroes without looking at the data; a write clears their marks.
 */
#include "ctrl.h"
#include "prp.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))

static u16 io_check_range(const struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	if (slba >= ns->nr_blocks || nlb > ns->nr_blocks - slba)
		return NVME_DNR(NVME_SC_LBA_RANGE);
	return NVME_SC_SUCCESS;
}

/* ---- Deallocation map: one bit per block, set while deallocated ---- */

static u64 word_mask(u64 first, u64 end)	/* bits [first, end) of one word */
{
	u64 hi = end - first == 64 ? ~0ull : ((1ull << (end - first)) - 1);

	return hi << first;
}

/* Set (@set) or clear the marks of blocks [@slba, @slba + @nlb). */
static void dealloc_mark(const struct nvmev_ns *ns, u64 slba, u64 nlb, bool set)
{
	u64 end = slba + nlb;

	while (slba < end) {
		u64 w = slba / 64, first = slba % 64;
		u64 last = NVMEV_MIN(end - w * 64, 64ull);
		u64 m = word_mask(first, last);

		if (m == ~0ull)
			NVMEV_WRITE_ONCE(ns->dealloc[w], set ? ~0ull : 0);
		else if (set)
			nvmev_atomic_or64(&ns->dealloc[w], m);
		else
			nvmev_atomic_andnot64(&ns->dealloc[w], m);
		slba = w * 64 + last;
	}
}

/* Whether any block of [@slba, @slba + @nlb) is deallocated. */
static bool dealloc_any(const struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	u64 end = slba + nlb;

	while (slba < end) {
		u64 w = slba / 64, first = slba % 64;
		u64 last = NVMEV_MIN(end - w * 64, 64ull);

		if (NVMEV_READ_ONCE(ns->dealloc[w]) & word_mask(first, last))
			return true;
		slba = w * 64 + last;
	}
	return false;
}

static bool dealloc_test(const struct nvmev_ns *ns, u64 lba)
{
	return (NVMEV_READ_ONCE(ns->dealloc[lba / 64]) >> (lba % 64)) & 1;
}

/* PRP callback of a Read that covers deallocated blocks: zeroes for those. */
struct read_holes {
	void *plat;
	const struct nvmev_ns *ns;
	u64 slba;
	const u8 *data;
};

static bool read_holes_seg(void *arg, u64 addr, u32 len, u32 off)
{
	const struct read_holes *r = arg;
	u32 lbs = 1u << r->ns->lba_shift;

	while (len) {
		u64 lba = r->slba + (off >> r->ns->lba_shift);
		bool hole = dealloc_test(r->ns, lba);
		u32 n = NVMEV_MIN(len, lbs - (off & (lbs - 1)));

		/* extend over following blocks in the same state */
		while (n < len && dealloc_test(r->ns, lba + ((off & (lbs - 1)) + n) / lbs) == hole)
			n += NVMEV_MIN(len - n, lbs);
		if (hole ? !nvmev_plat_host_write(r->plat, addr, nvmev_zero_page, n) :
			   !nvmev_plat_host_write(r->plat, addr, r->data + off, n))
			return false;
		addr += n;
		off += n;
		len -= n;
	}
	return true;
}

static u16 io_read(struct nvmev_ctrl *c, const struct nvmev_req *req)
{
	const struct nvmev_ns *ns = &c->ns;
	const u8 *data = ns->data + (req->slba << ns->lba_shift);
	struct read_holes r = { .plat = c->plat, .ns = ns, .slba = req->slba, .data = data };

	if (!dealloc_any(ns, req->slba, req->nlb))
		return nvmev_prp_copy_to_host(c->plat, req->prp1, req->prp2, data, req->bytes);
	return nvmev_prp_walk(c->plat, req->prp1, req->prp2, req->bytes, read_holes_seg, &r);
}

static u16 io_write(struct nvmev_ctrl *c, const struct nvmev_req *req)
{
	const struct nvmev_ns *ns = &c->ns;
	u8 *data = ns->data + (req->slba << ns->lba_shift);
	u16 status;

	status = nvmev_prp_copy_from_host(c->plat, req->prp1, req->prp2, data, req->bytes);
	if (!status)
		dealloc_mark(ns, req->slba, req->nlb, false);	/* after the data */
	return status;
}

static u16 io_decode(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, struct nvmev_req *req)
{
	const struct nvmev_ns *ns = &c->ns;
	u32 nsid = nvme_sqe_nsid(cmd);

	if (nvme_sqe_fuse(cmd) || nvme_sqe_psdt(cmd))
		return NVME_DNR(NVME_SC_INVALID_FIELD);

	switch (req->opcode) {
	case NVME_CMD_FLUSH:
		if (nsid != ns->nsid && nsid != 0xffffffff)
			return NVME_DNR(NVME_SC_INVALID_NS);
		return NVME_SC_SUCCESS;
	case NVME_CMD_READ:
	case NVME_CMD_WRITE:
	case NVME_CMD_WRITE_ZEROES:
		break;
	case NVME_CMD_DSM:
		if (nsid != ns->nsid)
			return NVME_DNR(NVME_SC_INVALID_NS);
		req->nlb = (cmd->dw[10] & 0xff) + 1;	/* number of ranges */
		req->bytes = req->nlb * 16;
		return NVME_SC_SUCCESS;
	default:
		return NVME_DNR(NVME_SC_INVALID_OPCODE);
	}

	if (nsid != ns->nsid)
		return NVME_DNR(NVME_SC_INVALID_NS);
	req->slba = cmd->dw[10] | ((u64)cmd->dw[11] << 32);
	req->nlb = (cmd->dw[12] & 0xffff) + 1;
	if (req->opcode != NVME_CMD_WRITE_ZEROES) {
		if (((u64)req->nlb << ns->lba_shift) > NVMEV_MAX_XFER)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
		req->bytes = req->nlb << ns->lba_shift;
	}
	return io_check_range(ns, req->slba, req->nlb);
}

static void io_fetch(struct nvmev_ctrl *c, struct nvmev_sq *sq, struct nvmev_req *req, u64 now)
{
	struct nvme_sqe cmd;

	memcpy(&cmd, sq->ring + (u32)sq->head * NVME_SQE_SIZE, sizeof(cmd));
	memset(req, 0, sizeof(*req));
	req->opcode = nvme_sqe_opcode(&cmd);
	req->cid = nvme_sqe_cid(&cmd);
	req->nsid = nvme_sqe_nsid(&cmd);
	req->prp1 = nvme_sqe_prp1(&cmd);
	req->prp2 = nvme_sqe_prp2(&cmd);
	req->cdw10 = cmd.dw[10];
	req->cdw11 = cmd.dw[11];
	req->sqid = sq->qid;
	req->cqid = sq->cqid;
	req->epoch = c->epoch;
	req->fetch_ns = now;
	c->stats.cmds[req->opcode]++;

	req->status = io_decode(c, &cmd, req);
	if (req->status) {
		c->stats.errors++;
		nvmev_record_error(c, req->sqid, req->cid, req->status, req->nsid, req->slba);
		req->target_ns = now;
		return;
	}
	req->target_ns = NVMEV_READ_ONCE(c->hurry) ? now :
			 c->cfg.timing->ops->schedule(c->cfg.timing, req, now);
}

static bool ring_has_room(const struct nvmev_ring *r)
{
	return r->tail - NVMEV_READ_ONCE(r->head) < NVMEV_RING_SLOTS;
}

/* Dispatcher: fetch up to NVMEV_SQ_BUDGET new commands from @sq. */
bool nvmev_io_sq_poll(struct nvmev_ctrl *c, struct nvmev_sq *sq)
{
	struct nvmev_worker *w = c->workers[c->cqs[sq->cqid].owner];
	u32 tail = NVMEV_READ_ONCE(*sq->tail_db);
	struct nvmev_req req;
	u32 n = 0;
	u64 now;

	nvmev_plat_rmb();	/* the tail, before the entries it announces */
	if (tail >= sq->size) {
		if (tail != sq->bad_tail) {
			sq->bad_tail = tail;
			nvmev_admin_report_event(c, NVME_AER_TYPE_ERROR,
						 NVME_AER_ERROR_INVALID_DB_WRITE, NVME_LOG_ERROR);
			return true;
		}
		return false;
	}
	if (tail == sq->head)
		return false;

	now = nvmev_plat_now_ns(c->plat);
	while (sq->head != tail && n < NVMEV_SQ_BUDGET) {
		if (!ring_has_room(&w->in)) {
			c->stats.backpressure++;
			break;
		}
		io_fetch(c, sq, &req, now);
		nvmev_ring_push(&w->in, &req);
		sq->submitted++;
		NVMEV_WRITE_ONCE(sq->head, sq->head + 1 == sq->size ? 0 : sq->head + 1);
		n++;
	}
	if (n)
		nvmev_worker_kick(c, w);
	return n != 0;
}

/*
 * Deallocate: every range is checked first (in the namespace, at most
 * NVMEV_DMSL blocks in all, as Identify says), then marked. The cost is
 * bounded by NVMEV_DMSL / 64 map words, whatever the ranges.
 */
static u16 io_deallocate(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_req *req)
{
	const struct nvmev_ns *ns = &c->ns;
	u64 total = 0;
	u16 status;
	u32 i;

	status = nvmev_prp_copy_from_host(c->plat, req->prp1, req->prp2, w->scratch, req->bytes);
	if (status)
		return status;
	for (i = 0; i < req->nlb; i++) {
		u64 nlb = nvme_get32(w->scratch, i * 16 + 4);
		u64 slba = nvme_get64(w->scratch, i * 16 + 8);

		if (!nlb)
			continue;
		status = io_check_range(ns, slba, nlb);
		if (status)
			return status;
		total += nlb;
		if (nlb > NVMEV_DMSL || total > NVMEV_DMSL)
			return NVME_DNR(NVME_SC_INVALID_FIELD);
	}
	for (i = 0; i < req->nlb; i++) {
		u64 nlb = nvme_get32(w->scratch, i * 16 + 4);

		if (nlb)
			dealloc_mark(ns, nvme_get64(w->scratch, i * 16 + 8), nlb, true);
	}
	return NVME_SC_SUCCESS;
}

/* Worker: move the data of a validated command. */
void nvmev_io_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_req *req)
{
	if (req->status)
		return;		/* rejected by the dispatcher: its fields may be anything */
	switch (req->opcode) {
	case NVME_CMD_READ:
		req->status = io_read(c, req);
		break;
	case NVME_CMD_WRITE:
		req->status = io_write(c, req);
		break;
	case NVME_CMD_WRITE_ZEROES:
		dealloc_mark(&c->ns, req->slba, req->nlb, true);
		break;
	case NVME_CMD_DSM:
		if (req->cdw11 & NVME_DSM_AD)
			req->status = io_deallocate(c, w, req);
		break;
	default:
		break;
	}
	if (req->status)
		nvmev_worker_error(w, req);
}
