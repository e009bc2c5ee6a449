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

static u32 heap_pop(struct nvmev_worker *w)
{
	u32 top = w->heap[0];
	u32 i = 0;

	w->heap[0] = w->heap[--w->heap_len];
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
	return top;
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

	if (!nvmev_cq_post(c, cq, req->sqid, req->cid, req->status, req->result)) {
		w->stats.cq_full_waits++;
		return false;
	}
	record_lateness(w, now, req->target_ns);
	w->stats.completions++;
	if (!req->status && req->opcode == NVME_CMD_READ) {
		w->stats.read_cmds++;
		w->stats.bytes_read += req->bytes;
	} else if (!req->status && req->opcode == NVME_CMD_WRITE) {
		w->stats.write_cmds++;
		w->stats.bytes_written += req->bytes;
	}
	NVMEV_WRITE_ONCE(sq->completed, sq->completed + 1);
	/* each CQ is listed once per pass: only on the flag's rising edge */
	if (cq->irq_pending && !irq_was_pending)
		w->irq_cqs[w->nr_irq_cqs++] = cq->qid;
	w->free_list[w->nr_free++] = slot;
	return true;
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
	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(w->seen_epoch, epoch);
}

bool nvmev_worker_poll(struct nvmev_worker *w)
{
	struct nvmev_ctrl *c = w->ctrl;
	u32 epoch = NVMEV_READ_ONCE(c->epoch);
	bool did = false;
	u32 n, i;
	u64 now;

	if (epoch != w->seen_epoch) {
		worker_sync_epoch(w, epoch);
		return true;
	}

	/* Intake: move the data of new requests now, complete them later. */
	while (w->nr_free) {
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
		heap_push(w, slot);
		did = true;
	}

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
