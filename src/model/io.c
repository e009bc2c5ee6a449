// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O queues' command path, common to every command set: the
 * dispatcher fetches a command, finds its namespace, lets the namespace's
 * command set decode and validate it and its media model time it, and
 * hands it to the worker that owns the completion queue; the worker lets
 * the command set execute it. Nothing here depends on the number of
 * namespaces: a namespace is found by its NSID in a fixed table.
 */
#include "ctrl.h"

#define NVME_DNR(sc)	((u16)((sc) | NVME_STATUS_DNR))

/* The namespace a command addresses, or the set deciding a broadcast. */
static u16 io_decode(struct nvmev_ctrl *c, const struct nvme_sqe *cmd, struct nvmev_req *req)
{
	struct nvmev_ns *ns;
	u32 i;

	if (req->nsid == 0xffffffff) {
		/* a broadcast: the set of the lowest active NSID decides */
		for (i = 0; i < NVMEV_MAX_NS; i++)
			if (c->ns[i].cmd_set)
				return c->ns[i].cmd_set->decode(c, NULL, cmd, req);
		return NVME_DNR(NVME_SC_INVALID_NS);
	}
	ns = nvmev_ns_get(c, req->nsid);
	if (!ns)
		return NVME_DNR(NVME_SC_INVALID_NS);
	req->ns_idx = (u8)(req->nsid - 1);
	req->lba_shift = (u8)ns->lba_shift;
	return ns->cmd_set->decode(c, ns, cmd, req);
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
	req->ns_idx = NVMEV_NO_NS;
	c->stats.cmds[req->opcode]++;

	req->status = io_decode(c, &cmd, req);
	if (req->status) {
		c->stats.errors++;
		nvmev_record_error(c, req->sqid, req->cid, req->status, req->nsid, req->slba);
		req->target_ns = now;
		return;
	}
	if (req->ns_idx == NVMEV_NO_NS) {
		req->target_ns = now;
		return;
	}
	/* in a hurry too: a media model with a mapping (an FTL) follows every write */
	req->target_ns = c->ns[req->ns_idx].timing->ops->schedule(c->ns[req->ns_idx].timing,
								  req, now);
	if (NVMEV_READ_ONCE(c->hurry))
		req->target_ns = now;
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

/* Worker: execute a validated command through its namespace's command set. */
void nvmev_io_execute(struct nvmev_ctrl *c, struct nvmev_worker *w, struct nvmev_req *req)
{
	struct nvmev_ns *ns;

	if (req->status || req->ns_idx == NVMEV_NO_NS)
		return;		/* rejected by the dispatcher, or nothing to move */
	ns = &c->ns[req->ns_idx];
	req->status = ns->cmd_set->execute(c, w, ns, req);
	if (req->status)
		nvmev_worker_error(w, req);
}
