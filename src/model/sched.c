// SPDX-License-Identifier: GPL-2.0-only
/*
 * A worker's side of the I/O path. Requests arrive on the ring from the
 * dispatcher; the worker moves their data at once and keeps them in a
 * min-heap ordered by target time; when one is due it posts its
 * completion. Completions whose queue is full wait in a FIFO and are
 * retried first on the next pass. Fixed-size arrays, O(log n) per command.
 */
#include "ctrl.h"

static bool heap_less(const struct nvmev_worker *w, u32 a, u32 b)
{
	return w->pool[w->heap[a]].target_ns < w->pool[w->heap[b]].target_ns;
}

static void heap_swap(struct nvmev_worker *w, u32 a, u32 b)
{
	u32 t = w->heap[a];

	w->heap[a] = w->heap[b];
	w->heap[b] = t;
}

static void heap_push(struct nvmev_worker *w, u32 slot)
{
	u32 i = w->heap_len++;

	w->heap[i] = slot;
	while (i && heap_less(w, i, (i - 1) / 2)) {
		heap_swap(w, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_sift_down(struct nvmev_worker *w, u32 i)
{
	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;

		if (l < w->heap_len && heap_less(w, l, m))
			m = l;
		if (r < w->heap_len && heap_less(w, r, m))
			m = r;
		if (m == i)
			break;
		heap_swap(w, i, m);
		i = m;
	}
}

static u32 heap_pop(struct nvmev_worker *w)
{
	u32 top = w->heap[0];

	w->heap[0] = w->heap[--w->heap_len];
	heap_sift_down(w, 0);
	return top;
}

static void heap_rebuild(struct nvmev_worker *w)
{
	u32 i = w->heap_len / 2;

	while (i--)
		heap_sift_down(w, i);
}

u64 nvmev_worker_next_due(const struct nvmev_worker *w)
{
	if (w->waitq_len)
		return 0;
	return w->heap_len ? w->pool[w->heap[0]].target_ns : ~0ull;
}

bool nvmev_worker_has_input(const struct nvmev_worker *w)
{
	return w->in.head != NVMEV_READ_ONCE(w->in.tail);
}

void nvmev_worker_kick(struct nvmev_ctrl *c, struct nvmev_worker *w)
{
	nvmev_plat_mb();	/* the new input or epoch, before the flag is read */
	if (NVMEV_READ_ONCE(w->sleeping))
		nvmev_plat_kick_worker(c->plat, w->id);
}

/* Wake every worker that sleeps (after a new epoch, generation or flag). */
void nvmev_workers_kick(struct nvmev_ctrl *c)
{
	u16 i;

	for (i = 0; i < c->cfg.nr_workers; i++)
		nvmev_worker_kick(c, c->workers[i]);
}

static void record_lateness(struct nvmev_worker *w, u64 now, u64 target)
{
	u64 late = now > target ? now - target : 0;
	u32 b = 0;

	while (late > 1 && b < NVMEV_LATENESS_BUCKETS - 1) {
		late >>= 1;
		b++;
	}
	w->stats.lateness[b]++;
}

/* Post @slot's completion; false when its CQ is full. */
static bool worker_complete(struct nvmev_worker *w, u32 slot, u64 now)
{
	struct nvmev_ctrl *c = w->ctrl;
	struct nvmev_req *req = &w->pool[slot];
	struct nvmev_cq *cq = &c->cqs[req->cqid];
	struct nvmev_sq *sq = &c->sqs[req->sqid];
	bool irq_was_pending = cq->irq_pending;

	if (!nvmev_cq_post(c, cq, req->sqid, req->cid, req->status, req->result, req->result1)) {
		w->stats.cq_full_waits++;
		return false;
	}
	record_lateness(w, now, req->target_ns);
	w->stats.completions++;
	if (!req->status && req->dir != NVMEV_DIR_NONE && req->ns_idx < NVMEV_MAX_NS) {
		struct nvmev_ns_stats *ns = &w->stats.ns[req->ns_idx];

		if (req->dir == NVMEV_DIR_READ) {
			w->stats.read_cmds++;
			w->stats.bytes_read += req->bytes;
			ns->read_cmds++;
			ns->bytes_read += req->bytes;
		} else {
			w->stats.write_cmds++;
			w->stats.bytes_written += req->bytes;
			ns->write_cmds++;
			ns->bytes_written += req->bytes;
		}
	}
	NVMEV_WRITE_ONCE(sq->completed, sq->completed + 1);
	if (!w->cq_open[cq->qid]) {
		w->cq_open[cq->qid] = 1;
		w->open_cqs[w->nr_open_cqs++] = cq->qid;
	}
	/* each CQ is listed once per pass: only on the flag's rising edge */
	if (cq->irq_pending && !irq_was_pending)
		w->irq_cqs[w->nr_irq_cqs++] = cq->qid;
	w->free_list[w->nr_free++] = slot;
	return true;
}

/* Queue an error for the dispatcher's Error Information log (worker). */
void nvmev_worker_error(struct nvmev_worker *w, const struct nvmev_req *req)
{
	struct nvmev_error_entry *e;

	w->stats.errors++;
	if (w->err_tail - NVMEV_READ_ONCE(w->err_head) >= NVMEV_WORKER_ERRORS)
		return;		/* counted; the log has plenty of recent entries */
	e = &w->errs[w->err_tail % NVMEV_WORKER_ERRORS];
	e->sqid = req->sqid;
	e->cid = req->cid;
	e->status = req->status;
	e->nsid = req->nsid;
	e->lba = req->slba;
	nvmev_plat_wmb();
	NVMEV_WRITE_ONCE(w->err_tail, w->err_tail + 1);
}

/* Make @req complete now, as aborted when its SQ is being deleted. */
static bool worker_hurry(struct nvmev_worker *w, struct nvmev_req *req, bool flush)
{
	if (NVMEV_READ_ONCE(w->ctrl->sqs[req->sqid].deleting)) {
		req->status = NVME_SC_ABORT_SQ_DELETED;
		req->target_ns = 0;
		w->stats.aborted++;
		return true;
	}
	if (flush) {
		req->target_ns = 0;
		return true;
	}
	return false;
}

/*
 * An SQ deletion or a shutdown started: what the worker holds for it
 * completes at once. Runs once per such event, over what the worker holds.
 */
static void worker_hurry_all(struct nvmev_worker *w, bool flush)
{
	bool moved = false;
	u32 i;

	for (i = 0; i < w->heap_len; i++)
		moved |= worker_hurry(w, &w->pool[w->heap[i]], flush);
	for (i = 0; i < w->waitq_len; i++)
		worker_hurry(w, &w->pool[w->waitq[(w->waitq_head + i) % NVMEV_WORKER_SLOTS]],
			     flush);
	if (moved)
		heap_rebuild(w);
}

/*
 * Follow the head doorbells of the CQs that hold unreleased entries, every
 * pass: a valid head is taken as soon as the host writes it, so a bad value
 * written after it cannot hide it.
 */
static void worker_follow_heads(struct nvmev_worker *w)
{
	struct nvmev_ctrl *c = w->ctrl;
	u16 i = 0;

	while (i < w->nr_open_cqs) {
		u16 qid = w->open_cqs[i];
		struct nvmev_cq *cq = &c->cqs[qid];

		if (NVMEV_READ_ONCE(cq->valid))
			nvmev_cq_refresh_head(c, cq);
		if (!NVMEV_READ_ONCE(cq->valid) || cq->head == cq->tail) {
			w->cq_open[qid] = 0;
			w->open_cqs[i] = w->open_cqs[--w->nr_open_cqs];
		} else {
			i++;
		}
	}
}

/* Forget everything from an older epoch: the controller was reset. */
static void worker_sync_epoch(struct nvmev_worker *w, u32 epoch)
{
	struct nvmev_req dropped;
	u32 i;

	while (nvmev_ring_pop(&w->in, &dropped))
		;
	w->nr_free = 0;
	for (i = 0; i < NVMEV_WORKER_SLOTS; i++)
		w->free_list[w->nr_free++] = NVMEV_WORKER_SLOTS - 1 - i;
	w->heap_len = 0;
	w->waitq_head = 0;
	w->waitq_len = 0;
	w->nr_irq_cqs = 0;
	w->nr_open_cqs = 0;
	memset(w->cq_open, 0, sizeof(w->cq_open));
	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(w->seen_epoch, epoch);
}

bool nvmev_worker_poll(struct nvmev_worker *w)
{
	struct nvmev_ctrl *c = w->ctrl;
	u32 epoch = NVMEV_READ_ONCE(c->epoch);
	u32 abort_gen = NVMEV_READ_ONCE(c->abort_gen);
	u32 flush_gen = NVMEV_READ_ONCE(c->flush_gen);
	u32 hurry = NVMEV_READ_ONCE(c->hurry);
	bool flush = flush_gen != w->seen_flush_gen || hurry != w->seen_hurry;
	u32 n, i, budget = NVMEV_WORKER_PASS_BYTES;
	bool did = false;
	u64 now;

	if (epoch != w->seen_epoch) {
		worker_sync_epoch(w, epoch);
		return true;
	}
	/* Without Bus Master Enable the worker neither moves data nor posts. */
	if (!nvmev_plat_bus_master(c->plat))
		return false;
	nvmev_plat_mb();	/* the generations, before the flags they announce */
	if (abort_gen != w->seen_abort_gen || flush) {
		w->seen_abort_gen = abort_gen;
		w->seen_flush_gen = flush_gen;
		w->seen_hurry = hurry;
		worker_hurry_all(w, flush);
		did = true;
	}

	/*
	 * Intake: move the data of new requests now, complete them later; at
	 * most NVMEV_WORKER_PASS_BYTES per pass, so that what is due gets
	 * posted in between.
	 */
	while (w->nr_free && budget) {
		u32 slot = w->free_list[w->nr_free - 1];
		struct nvmev_req *req = &w->pool[slot];

		if (!nvmev_ring_pop(&w->in, req))
			break;
		w->nr_free--;
		if (req->epoch != epoch) {
			w->free_list[w->nr_free++] = slot;
			continue;
		}
		nvmev_io_execute(c, w, req);
		worker_hurry(w, req, hurry || NVMEV_READ_ONCE(c->shn) != NVMEV_SHN_NONE);
		heap_push(w, slot);
		budget -= NVMEV_MIN(budget, req->bytes);
		did = true;
	}

	if (w->nr_open_cqs)
		worker_follow_heads(w);
	if (!w->heap_len && !w->waitq_len)
		return did;	/* nothing to complete: no need for the clock */
	now = nvmev_plat_now_ns(c->plat);

	/* Completions that found their CQ full go first, in order. */
	n = w->waitq_len;
	for (i = 0; i < n; i++) {
		u32 slot = w->waitq[w->waitq_head];

		w->waitq_head = (w->waitq_head + 1) % NVMEV_WORKER_SLOTS;
		w->waitq_len--;
		if (worker_complete(w, slot, now)) {
			did = true;
		} else {
			w->waitq[(w->waitq_head + w->waitq_len) % NVMEV_WORKER_SLOTS] = slot;
			w->waitq_len++;
		}
	}

	while (w->heap_len && w->pool[w->heap[0]].target_ns <= now) {
		u32 slot = heap_pop(w);

		did = true;
		if (!worker_complete(w, slot, now)) {
			w->waitq[(w->waitq_head + w->waitq_len) % NVMEV_WORKER_SLOTS] = slot;
			w->waitq_len++;
		}
	}

	for (i = 0; i < w->nr_irq_cqs; i++) {
		struct nvmev_cq *cq = &c->cqs[w->irq_cqs[i]];

		cq->irq_pending = false;
		nvmev_plat_raise_irq(c->plat, cq->vector);
	}
	w->nr_irq_cqs = 0;
	return did;
}
