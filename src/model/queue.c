// SPDX-License-Identifier: GPL-2.0-only
/*
 * Queues: the host's completion queue rings (tail, phase, the head the host
 * reports through its doorbell) and the single-producer single-consumer
 * ring that carries requests from the dispatcher to a worker.
 */
#include "ctrl.h"

/*
 * Refresh the host's CQ head from its doorbell. A valid head lies between
 * the last valid head and the tail (it releases only posted entries); any
 * other value is an Invalid Doorbell Write Value: the last valid head is
 * kept, and the dispatcher reports the event once per bad value.
 */
void nvmev_cq_refresh_head(struct nvmev_ctrl *c, struct nvmev_cq *cq)
{
	u32 head = NVMEV_READ_ONCE(*cq->head_db);
	u32 used, moved;

	if (head == cq->head)
		return;
	used = (cq->tail + cq->size - cq->head) % cq->size;
	moved = head < cq->size ? (head + cq->size - cq->head) % cq->size : ~0u;
	if (moved <= used) {
		cq->head = (u16)head;
		return;
	}
	if (head != cq->bad_head) {
		cq->bad_head = head;
		NVMEV_WRITE_ONCE(c->db_error, 1);
	}
}

bool nvmev_cq_has_room(struct nvmev_ctrl *c, struct nvmev_cq *cq)
{
	u16 next = cq->tail + 1 == cq->size ? 0 : cq->tail + 1;

	nvmev_cq_refresh_head(c, cq);
	return next != cq->head;
}

/*
 * Post one completion entry. DW0..DW2 go first; the dword that holds the
 * phase tag and status is stored last, after a barrier, so a host that
 * polls the phase never sees a half-written entry.
 */
bool nvmev_cq_post(struct nvmev_ctrl *c, struct nvmev_cq *cq, u16 sqid, u16 cid,
		   u16 status, u32 dw0, u32 dw1)
{
	struct nvmev_sq *sq = &c->sqs[sqid];
	u32 *e;
	u16 sqhd;

	if (!nvmev_cq_has_room(c, cq))
		return false;

	sqhd = NVMEV_READ_ONCE(sq->head);
	e = (u32 *)(cq->ring + (u32)cq->tail * NVME_CQE_SIZE);
	NVMEV_WRITE_ONCE(e[0], dw0);
	NVMEV_WRITE_ONCE(e[1], dw1);
	NVMEV_WRITE_ONCE(e[2], (u32)sqhd | ((u32)sqid << 16));
	nvmev_plat_wmb();
	NVMEV_WRITE_ONCE(e[3], (u32)cid | ((((u32)status << 1) | cq->phase) << 16));

	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	if (cq->ien)
		cq->irq_pending = true;
	return true;
}

bool nvmev_ring_push(struct nvmev_ring *r, const struct nvmev_req *req)
{
	u32 tail = r->tail;

	if (tail - NVMEV_READ_ONCE(r->head) >= NVMEV_RING_SLOTS)
		return false;
	r->slots[tail & (NVMEV_RING_SLOTS - 1)] = *req;
	nvmev_plat_wmb();
	NVMEV_WRITE_ONCE(r->tail, tail + 1);
	return true;
}

bool nvmev_ring_pop(struct nvmev_ring *r, struct nvmev_req *out)
{
	u32 head = r->head;

	if (head == NVMEV_READ_ONCE(r->tail))
		return false;
	nvmev_plat_mb();
	*out = r->slots[head & (NVMEV_RING_SLOTS - 1)];
	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(r->head, head + 1);
	return true;
}

/* Whether every command fetched from @sq has been completed. */
bool nvmev_sq_idle(const struct nvmev_sq *sq)
{
	return NVMEV_READ_ONCE(sq->completed) == sq->submitted;
}

/*
 * Delete I/O SQ, first half: stop fetching from the SQ and have the
 * workers complete what they hold of it at once, as Command Aborted due
 * to SQ Deletion. The data of those commands has moved already (a worker
 * moves data when it takes a command); only the completion comes early
 * and says aborted. The dispatcher completes the deletion when
 * nvmev_sq_idle() says so, polling CC meanwhile.
 */
/* The dispatcher polls @qid no more. */
static void sq_deactivate(struct nvmev_ctrl *c, u16 qid)
{
	u16 i;

	for (i = 0; i < c->nr_active_sqs; i++) {
		if (c->active_sqs[i] == qid) {
			c->active_sqs[i] = c->active_sqs[--c->nr_active_sqs];
			break;
		}
	}
}

void nvmev_sq_start_delete(struct nvmev_ctrl *c, u16 qid)
{
	sq_deactivate(c, qid);
	NVMEV_WRITE_ONCE(c->sqs[qid].deleting, true);
	nvmev_plat_mb();	/* the flag, before the workers look at the new generation */
	NVMEV_WRITE_ONCE(c->abort_gen, c->abort_gen + 1);
	nvmev_workers_kick(c);
}

/* Delete I/O SQ, second half (or the admin SQ at reset): forget the queue. */
void nvmev_sq_delete(struct nvmev_ctrl *c, u16 qid)
{
	struct nvmev_sq *sq = &c->sqs[qid];

	sq_deactivate(c, qid);
	if (sq->ring)
		nvmev_plat_unmap_queue(c->plat, sq->ring, (u32)sq->size * NVME_SQE_SIZE);
	if (sq->valid && c->cqs[sq->cqid].nr_sqs)
		c->cqs[sq->cqid].nr_sqs--;
	NVMEV_WRITE_ONCE(sq->valid, false);
	NVMEV_WRITE_ONCE(sq->deleting, false);
	sq->ring = NULL;
}

void nvmev_cq_delete(struct nvmev_ctrl *c, u16 qid)
{
	struct nvmev_cq *cq = &c->cqs[qid];

	if (cq->ring)
		nvmev_plat_unmap_queue(c->plat, cq->ring, (u32)cq->size * NVME_CQE_SIZE);
	NVMEV_WRITE_ONCE(cq->valid, false);
	cq->ring = NULL;
}

/*
 * Make every worker forget the requests it holds (controller reset): bump
 * the epoch and wait until each worker has seen it. After this no worker
 * touches a queue of the old epoch.
 */
void nvmev_queues_drain(struct nvmev_ctrl *c)
{
	u32 epoch = c->epoch + 1;
	u16 i;

	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(c->epoch, epoch);
	for (i = 0; i < c->cfg.nr_workers; i++) {
		nvmev_worker_kick(c, c->workers[i]);
		while (NVMEV_READ_ONCE(c->workers[i]->seen_epoch) != epoch)
			if (!nvmev_plat_relax(c->plat))
				return;
	}
	nvmev_plat_mb();
}
