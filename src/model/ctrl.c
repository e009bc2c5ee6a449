// SPDX-License-Identifier: GPL-2.0-only
/*
 * Controller registers and state: CAP/VS at start, the CC.EN enable and
 * disable handshake (a disable is a full controller reset), shutdown
 * notification, and the dispatcher's polling pass.
 */
#include "ctrl.h"
#include "image.h"

#define CAP_TO_500MS	30	/* 15 s: generous for emulated guests */

const u8 nvmev_zero_page[NVMEV_PAGE_SIZE];

static void ctrl_set_csts(struct nvmev_ctrl *c, u32 csts)
{
	nvmev_set_reg32(c, NVME_REG_CSTS, csts);
}

u64 nvmev_power_on_hours(struct nvmev_ctrl *c)
{
	return (nvmev_plat_now_ns(c->plat) - c->power_on_ns_base) / 3600000000000ull;
}

void nvmev_record_error(struct nvmev_ctrl *c, u16 sqid, u16 cid, u16 status, u32 nsid, u64 lba)
{
	struct nvmev_error_entry *e = &c->errors[c->next_error];

	e->count = ++c->error_count;
	e->sqid = sqid;
	e->cid = cid;
	e->status = status;
	e->nsid = nsid;
	e->lba = lba;
	c->next_error = (c->next_error + 1) % NVMEV_ERROR_LOG_ENTRIES;
}

static void ctrl_teardown_queues(struct nvmev_ctrl *c)
{
	u16 qid;

	for (qid = 0; qid <= NVMEV_MAX_IO_QUEUES; qid++) {
		struct nvmev_sq *sq = &c->sqs[qid];
		struct nvmev_cq *cq = &c->cqs[qid];

		if (sq->ring)
			nvmev_plat_unmap_queue(c->plat, sq->ring, (u32)sq->size * NVME_SQE_SIZE);
		if (cq->ring)
			nvmev_plat_unmap_queue(c->plat, cq->ring, (u32)cq->size * NVME_CQE_SIZE);
		memset(sq, 0, sizeof(*sq));
		memset(cq, 0, sizeof(*cq));
	}
	c->nr_active_sqs = 0;
}

/*
 * Controller reset: every queue goes, every outstanding command is
 * forgotten (the workers drop what they hold), features return to their
 * defaults and the doorbells read zero.
 */
void nvmev_ctrl_reset(struct nvmev_ctrl *c)
{
	u32 i;

	c->ready = false;
	nvmev_queues_drain(c);
	ctrl_teardown_queues(c);
	c->shn = NVMEV_SHN_NONE;
	c->del_sqid = 0;
	c->db_error = 0;
	c->nr_aers = 0;
	c->aer_pending = 0;
	c->aer_masked = 0;
	nvmev_ns_delete_abandon(c);
	nvmev_admin_init(c);
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_timing *t = c->ns[i].timing;

		if (c->ns[i].cmd_set && t->ops->reset)
			t->ops->reset(t);
		NVMEV_WRITE_ONCE(c->ns[i].cs_feature, 0);
	}
	memset(c->dbs, 0, NVMEV_BAR_REGS_SIZE - NVME_REG_DBS);
}

void nvmev_ctrl_hurry(struct nvmev_ctrl *c)
{
	NVMEV_WRITE_ONCE(c->hurry, 1);
	nvmev_workers_kick(c);
}

/*
 * Function Level Reset (the host glue calls it on the dispatcher's thread):
 * a controller reset, and every register the host can write back to its
 * power-on value.
 */
void nvmev_ctrl_function_reset(struct nvmev_ctrl *c)
{
	nvmev_ctrl_reset(c);
	c->cc = 0;
	memset(c->bar + NVME_REG_INTMS, 0, NVME_REG_DBS - NVME_REG_INTMS);
}

static bool ctrl_enable(struct nvmev_ctrl *c, u32 cc)
{
	u32 aqa = nvmev_reg32(c, NVME_REG_AQA);
	u64 asq = nvmev_reg64(c, NVME_REG_ASQ);
	u64 acq = nvmev_reg64(c, NVME_REG_ACQ);
	u32 sqs = (aqa & 0xfff) + 1, cqs = ((aqa >> 16) & 0xfff) + 1;
	struct nvmev_sq *sq = &c->sqs[0];
	struct nvmev_cq *cq = &c->cqs[0];

	if (NVME_CC_MPS(cc) != 0 || NVME_CC_AMS(cc) != 0 ||
	    (NVME_CC_CSS(cc) != NVME_CC_CSS_NVM && NVME_CC_CSS(cc) != NVME_CC_CSS_CSI)) {
		nvmev_plat_log(c->plat, NVMEV_LOG_WARN,
			       "enable with unsupported CC 0x%x (MPS, AMS or CSS)", cc);
		return false;
	}
	if (sqs < 2 || cqs < 2 || sqs > NVMEV_MAX_QUEUE_ENTRIES || cqs > NVMEV_MAX_QUEUE_ENTRIES ||
	    asq & (NVMEV_PAGE_SIZE - 1) || acq & (NVMEV_PAGE_SIZE - 1)) {
		nvmev_plat_log(c->plat, NVMEV_LOG_WARN,
			       "enable with invalid admin queue: AQA 0x%x ASQ 0x%llx ACQ 0x%llx",
			       aqa, (unsigned long long)asq, (unsigned long long)acq);
		return false;
	}

	/* sizes first: the teardown unmaps each ring with the size it was mapped with */
	sq->size = (u16)sqs;
	cq->size = (u16)cqs;
	sq->ring = nvmev_plat_map_queue(c->plat, asq, sqs * NVME_SQE_SIZE);
	cq->ring = nvmev_plat_map_queue(c->plat, acq, cqs * NVME_CQE_SIZE);
	if (!sq->ring || !cq->ring) {
		nvmev_plat_log(c->plat, NVMEV_LOG_WARN, "admin queues are not in host RAM");
		ctrl_teardown_queues(c);
		return false;
	}
	memset(c->dbs, 0, NVMEV_BAR_REGS_SIZE - NVME_REG_DBS);
	sq->valid = true;
	sq->base = asq;
	sq->tail_db = &c->dbs[0];
	cq->valid = true;
	cq->ien = true;
	cq->base = acq;
	cq->owner = NVMEV_OWNER_DISPATCHER;
	cq->head_db = &c->dbs[1];
	cq->phase = 1;
	cq->nr_sqs = 1;
	cq->bad_head = ~0u;
	c->shn = NVMEV_SHN_NONE;
	c->ready = true;
	return true;
}

/*
 * Shutdown: fetch nothing more; the workers post what they hold at once
 * (the data has moved already). When every fetched command is complete,
 * or NVMEV_SHUTDOWN_NS has passed because the host does not reap its
 * completion queues, the workers forget what is left and the host is told
 * that shutdown is complete: from then on nothing touches host memory
 * until the controller is reset.
 */
static void ctrl_shutdown_start(struct nvmev_ctrl *c)
{
	c->shn = NVMEV_SHN_FLUSH;
	c->shn_deadline_ns = nvmev_plat_now_ns(c->plat) + NVMEV_SHUTDOWN_NS;
	nvmev_plat_mb();
	NVMEV_WRITE_ONCE(c->flush_gen, c->flush_gen + 1);
	nvmev_workers_kick(c);
}

static bool ctrl_shutdown_poll(struct nvmev_ctrl *c)
{
	u32 csts;

	if (c->shn != NVMEV_SHN_FLUSH)
		return false;
	if (c->ready && nvmev_ctrl_has_inflight(c) &&
	    nvmev_plat_now_ns(c->plat) < c->shn_deadline_ns)
		return false;
	nvmev_queues_drain(c);
	c->shn = NVMEV_SHN_DONE;
	c->del_sqid = 0;
	csts = nvmev_reg32(c, NVME_REG_CSTS);
	ctrl_set_csts(c, (csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_CMPLT);
	return true;
}

/* Follow CC: enable, disable (reset) and shutdown notifications. */
static bool ctrl_poll_cc(struct nvmev_ctrl *c)
{
	u32 cc = nvmev_reg32(c, NVME_REG_CC);
	u32 old = c->cc;
	u32 csts = nvmev_reg32(c, NVME_REG_CSTS);

	if (cc == old)
		return false;
	c->cc = cc;

	if ((cc & NVME_CC_EN) && !(old & NVME_CC_EN)) {
		csts &= ~(NVME_CSTS_SHST_MASK | NVME_CSTS_CFS);
		if (ctrl_enable(c, cc))
			csts |= NVME_CSTS_RDY;
		else
			csts |= NVME_CSTS_CFS;
	} else if (!(cc & NVME_CC_EN) && (old & NVME_CC_EN)) {
		nvmev_ctrl_reset(c);
		csts &= ~(NVME_CSTS_RDY | NVME_CSTS_CFS);
	}

	if (NVME_CC_SHN(cc) && !NVME_CC_SHN(old) && c->shn == NVMEV_SHN_NONE) {
		/* normal or abrupt: the same, bounded, sequence */
		csts = (csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_OCCUR;
		ctrl_shutdown_start(c);
	}
	ctrl_set_csts(c, csts);
	return true;
}

/* Errors the workers found, into the Error Information log and SMART. */
static void ctrl_collect_errors(struct nvmev_ctrl *c)
{
	u16 i;

	for (i = 0; i < c->cfg.nr_workers; i++) {
		struct nvmev_worker *w = c->workers[i];
		u32 tail = NVMEV_READ_ONCE(w->err_tail);

		if (w->err_head == tail)
			continue;
		nvmev_plat_rmb();
		while (w->err_head != tail) {
			const struct nvmev_error_entry *e =
				&w->errs[w->err_head % NVMEV_WORKER_ERRORS];

			nvmev_record_error(c, e->sqid, e->cid, e->status, e->nsid, e->lba);
			w->err_head++;
		}
		nvmev_plat_mb();
	}
}

/*
 * Doorbells of queues that do not exist must stay zero: a write to one is
 * reported as an Invalid Doorbell Register write and ignored. A few queues
 * are checked per pass, so the cost does not grow with the queue count.
 */
#define DB_SCAN_PER_PASS	8
#define DB_QUEUES		((NVMEV_BAR_REGS_SIZE - NVME_REG_DBS) / 8)

static void ctrl_scan_doorbells(struct nvmev_ctrl *c)
{
	u16 n;

	if (NVMEV_READ_ONCE(c->db_error) && nvmev_atomic_xchg32(&c->db_error, 0))
		nvmev_admin_report_event(c, NVME_AER_TYPE_ERROR,
					 NVME_AER_ERROR_INVALID_DB_WRITE, NVME_LOG_ERROR);
	for (n = 0; n < DB_SCAN_PER_PASS; n++) {
		u16 qid = c->db_scan;
		bool sq_ok = qid <= NVMEV_MAX_IO_QUEUES && c->sqs[qid].valid;
		bool cq_ok = qid <= NVMEV_MAX_IO_QUEUES && c->cqs[qid].valid;

		c->db_scan = (u16)((qid + 1) % DB_QUEUES);
		if ((!sq_ok && NVMEV_READ_ONCE(c->dbs[2 * qid])) ||
		    (!cq_ok && NVMEV_READ_ONCE(c->dbs[2 * qid + 1]))) {
			if (!sq_ok)
				NVMEV_WRITE_ONCE(c->dbs[2 * qid], 0);
			if (!cq_ok)
				NVMEV_WRITE_ONCE(c->dbs[2 * qid + 1], 0);
			nvmev_admin_report_event(c, NVME_AER_TYPE_ERROR,
						 NVME_AER_ERROR_INVALID_DB, NVME_LOG_ERROR);
		}
	}
}

/* Paused: has the host rung a doorbell for a command not fetched yet? */
static bool ctrl_host_waits(const struct nvmev_ctrl *c)
{
	u16 i;

	if (!c->ready)
		return false;
	if (c->sqs[0].valid && NVMEV_READ_ONCE(*c->sqs[0].tail_db) != c->sqs[0].head)
		return true;
	for (i = 0; i < c->nr_active_sqs; i++) {
		const struct nvmev_sq *sq = &c->sqs[c->active_sqs[i]];

		if (NVMEV_READ_ONCE(*sq->tail_db) != sq->head)
			return true;
	}
	return false;
}

static bool ctrl_poll_pass(struct nvmev_ctrl *c)
{
	bool did = ctrl_poll_cc(c);
	u16 i;

	did |= ctrl_shutdown_poll(c);
	if (!c->ready)
		return did;
	ctrl_collect_errors(c);
	if (NVMEV_READ_ONCE(c->temperature_k) != c->temp_seen_k)
		nvmev_admin_check_temperature(c);
	ctrl_scan_doorbells(c);
	/*
	 * Once shutdown is requested nothing new is fetched; without Bus
	 * Master Enable nothing touches host memory.
	 */
	if (c->shn != NVMEV_SHN_NONE || !nvmev_plat_bus_master(c->plat))
		return did;
	did |= nvmev_admin_poll(c);
	if (NVMEV_READ_ONCE(c->paused))
		return did;
	nvmev_ns_event_poll(c);
	for (i = 0; i < c->nr_active_sqs; i++)
		did |= nvmev_io_sq_poll(c, &c->sqs[c->active_sqs[i]]);
	return did;
}

bool nvmev_ctrl_poll(struct nvmev_ctrl *c)
{
	bool did = ctrl_poll_pass(c);
	bool paused = NVMEV_READ_ONCE(c->paused);
	bool quiet = paused &&
		     (!c->ready || (!nvmev_ctrl_has_inflight(c) && !c->nsdel_mask && !c->del_sqid));

	if (quiet != NVMEV_READ_ONCE(c->quiesced)) {
		nvmev_plat_mb();	/* the workers' last writes, before the flag */
		NVMEV_WRITE_ONCE(c->quiesced, quiet);
	}
	if (paused || c->host_waiting)
		NVMEV_WRITE_ONCE(c->host_waiting, paused && ctrl_host_waits(c));
	return did;
}

bool nvmev_ctrl_host_waiting(const struct nvmev_ctrl *c)
{
	return NVMEV_READ_ONCE(c->host_waiting);
}

void nvmev_ctrl_pause(struct nvmev_ctrl *c, bool pause)
{
	NVMEV_WRITE_ONCE(c->paused, pause);
	/*
	 * The flag may still say quiesced from the last pause: a dispatcher
	 * pass that began before this one may be fetching now. Only a pass
	 * that ends after the pause may say it again.
	 */
	if (pause)
		NVMEV_WRITE_ONCE(c->quiesced, false);
}

bool nvmev_ctrl_quiesced(const struct nvmev_ctrl *c)
{
	bool q = NVMEV_READ_ONCE(c->quiesced);

	nvmev_plat_mb();	/* the flag, before the caller reads the namespaces */
	return q;
}

bool nvmev_ctrl_has_inflight(const struct nvmev_ctrl *c)
{
	u16 i;

	for (i = 0; i < c->nr_active_sqs; i++)
		if (!nvmev_sq_idle(&c->sqs[c->active_sqs[i]]))
			return true;
	return c->del_sqid && !nvmev_sq_idle(&c->sqs[c->del_sqid]);
}

int nvmev_ctrl_init(struct nvmev_ctrl *c, const struct nvmev_config *cfg,
		    struct nvmev_worker **workers)
{
	u16 i;

	if (!cfg->nr_workers || cfg->nr_workers > NVMEV_MAX_WORKERS ||
	    !cfg->max_io_queues || cfg->max_io_queues > NVMEV_MAX_IO_QUEUES ||
	    !cfg->storage || !cfg->dealloc)
		return -1;

	nvmev_image_init();
	memset(c, 0, sizeof(*c));
	c->cfg = *cfg;
	c->plat = cfg->plat;
	c->bar = cfg->bar;
	c->dbs = (u32 *)(cfg->bar + NVME_REG_DBS);

	/* the namespaces at start: attached, and they must not overlap */
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_ns_config *n = &cfg->ns[i];
		u16 j;

		if (!n->cmd_set)
			continue;
		for (j = 0; j < i; j++)
			if (c->ns[j].cmd_set && n->offset < c->ns[j].offset + c->ns[j].extent &&
			    c->ns[j].offset < n->offset + n->size)
				return -1;
		if (nvmev_ns_setup(c, i + 1u, n->cmd_set, n->offset, n->size, n->lba_shift))
			return -1;
		c->ns[i].attached = true;
	}
	if (!c->nr_ns) {
		if (nvmev_ns_setup(c, 1, nvmev_cmd_set_default(), 0, cfg->storage_size,
				   cfg->lba_shift))
			return -1;
		c->ns[0].attached = true;
	}

	for (i = 0; i < cfg->nr_workers; i++) {
		struct nvmev_worker *w = workers[i];
		u32 s;

		w->ctrl = c;
		w->id = i;
		w->seen_epoch = 0;
		w->nr_free = 0;
		for (s = 0; s < NVMEV_WORKER_SLOTS; s++)
			w->free_list[w->nr_free++] = NVMEV_WORKER_SLOTS - 1 - s;
		c->workers[i] = w;
	}

	nvmev_admin_init(c);
	c->power_cycles = 1;
	c->power_on_ns_base = nvmev_plat_now_ns(c->plat);

	memset(c->bar, 0, NVMEV_BAR_REGS_SIZE);
	nvmev_set_reg32(c, NVME_REG_CAP,
			(u32)(NVME_CAP_MQES(NVMEV_MAX_QUEUE_ENTRIES - 1) | NVME_CAP_CQR |
			      NVME_CAP_TO(CAP_TO_500MS)));
	nvmev_set_reg32(c, NVME_REG_CAP + 4,
			(u32)((NVME_CAP_DSTRD(0) | NVME_CAP_CSS_NVM | NVME_CAP_CSS_CSI | NVME_CAP_MPSMIN(0) |
			       NVME_CAP_MPSMAX(0)) >> 32));
	nvmev_set_reg32(c, NVME_REG_VS, NVME_VS(1, 4, 0));
	return 0;
}

void nvmev_ctrl_fini(struct nvmev_ctrl *c)
{
	ctrl_teardown_queues(c);
	c->ready = false;
}
