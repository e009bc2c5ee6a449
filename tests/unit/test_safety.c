// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host safety: the device stops touching host memory when the host says
 * so (shutdown, Bus Master Enable), long operations are bounded (Delete
 * I/O SQ, shutdown with a backlog, big transfers in one worker pass), bad
 * doorbells are reported, and errors the workers find reach the logs.
 */
#include <string.h>

#include "th.h"

#define DNR NVME_STATUS_DNR
#define MiB (1u << 20)

static u32 csts(struct th *t)
{
	return nvme_get32(t->bar, NVME_REG_CSTS);
}

static void setup(struct th *t)
{
	th_init(t, 9, 16 * MiB);
	CHECK(th_enable(t));
	CHECK(th_create_io_pair(t, 1, 64));
	CHECK(th_create_io_pair(t, 2, 64));
}

static void db_write(struct th *t, u32 idx, u32 v)
{
	nvme_put32(t->bar, NVME_REG_DBS + idx * 4, v);
}

static u16 admin_cmd(struct th *t, u8 opc, u32 cdw10, u32 cdw11, u32 *dw0)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 9, 0);
	c.dw[10] = cdw10;
	c.dw[11] = cdw11;
	return th_admin(t, &c, dw0);
}

static void submit_read(struct th *t, u16 qid, u64 buf, u16 cid)
{
	struct nvme_sqe c;

	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	c.dw[0] = (c.dw[0] & 0xffff) | ((u32)cid << 16);
	th_submit(t, qid, &c);
}

static void submit_aer(struct th *t, u16 cid)
{
	struct nvme_sqe c;

	sqe_init(&c, NVME_ADMIN_ASYNC_EVENT, cid, 0);
	th_submit(t, 0, &c);
	th_run(t);
}

/* Snapshot of a CQ ring, to prove that nothing was written to it. */
static bool cq_unchanged(struct th *t, u16 qid, const u8 *snap)
{
	return !memcmp(host_ptr(t->q[qid].cq), snap, (size_t)t->q[qid].size * 16);
}

UNIT_TEST(safety_shutdown_fetches_nothing_new)
{
	struct th t;
	struct th_cqe cqe;
	u8 snap[64 * 16];
	u64 buf;
	unsigned int writes;

	setup(&t);
	buf = host_alloc(4096);
	t.timing.read_latency_ns = 1000;
	submit_read(&t, 1, buf, 1);
	nvmev_ctrl_poll(t.c);			/* fetched: the worker holds it */
	th_poll_workers(&t);
	/* rung just before the shutdown: must never be fetched */
	submit_read(&t, 2, buf, 2);
	nvme_put32(t.bar, NVME_REG_CC, nvme_get32(t.bar, NVME_REG_CC) | (1u << 14));
	writes = host_writes;
	nvmev_ctrl_poll(t.c);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_OCCUR);
	CHECK_EQ(t.c->sqs[2].submitted, 0);
	CHECK_EQ(host_writes, writes);		/* the same pass moved no data */
	/* the held command completes before its time, then shutdown completes */
	th_run(&t);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	CHECK(th_reap(&t, 1, &cqe));
	CHECK_EQ(cqe.cid, 1);
	CHECK_EQ(cqe.status, 0);
	CHECK_EQ(t.c->sqs[2].submitted, 0);
	/* after SHST = complete nothing touches the host, whatever it rings */
	memcpy(snap, host_ptr(t.q[2].cq), 64 * 16);
	writes = host_writes;
	submit_read(&t, 2, buf, 3);
	submit_aer(&t, 40);
	fake_now += 10000000;
	th_run(&t);
	CHECK(cq_unchanged(&t, 2, snap));
	CHECK_EQ(host_writes, writes);
	CHECK(!th_reap(&t, 0, &cqe));
	/* a reset brings it back */
	nvme_put32(t.bar, NVME_REG_CC, 0);
	th_run(&t);
	CHECK(th_enable(&t));
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, 0);
	th_fini(&t);
}

UNIT_TEST(safety_shutdown_is_bounded_with_a_backlog)
{
	struct th t;
	struct th_cqe cqe;
	u64 buf;
	u16 i, got = 0;

	setup(&t);
	buf = host_alloc(4096);
	t.timing.read_latency_ns = 3600ull * 1000000000ull;	/* an hour each */
	for (i = 0; i < 40; i++)
		submit_read(&t, 1, buf, i);
	th_run(&t);
	CHECK(nvmev_ctrl_has_inflight(t.c));
	nvme_put32(t.bar, NVME_REG_CC, nvme_get32(t.bar, NVME_REG_CC) | (1u << 14));
	th_run(&t);
	/* no waiting for the model's time: everything posted at once */
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	while (th_reap(&t, 1, &cqe))
		got++;
	CHECK_EQ(got, 40);
	th_fini(&t);
}

UNIT_TEST(safety_shutdown_gives_up_on_a_full_cq)
{
	struct th t;
	struct th_cqe cqe;
	u8 snap[64 * 16];
	u64 buf;
	u16 i, got = 0;

	setup(&t);
	buf = host_alloc(4096);
	for (i = 0; i < 63 + 10; i++) {		/* CQ 1 holds 63 */
		submit_read(&t, 1, buf, i);
		if (i == 60)
			th_run(&t);
	}
	th_run(&t);
	nvme_put32(t.bar, NVME_REG_CC, nvme_get32(t.bar, NVME_REG_CC) | (1u << 14));
	th_run(&t);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_OCCUR);
	fake_now += NVMEV_SHUTDOWN_NS;		/* the host never reaps */
	th_run(&t);
	CHECK_EQ(csts(&t) & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	/* the host reaps now: what was posted is there, nothing more comes */
	memcpy(snap, host_ptr(t.q[1].cq), 64 * 16);
	while (th_reap(&t, 1, &cqe))
		got++;
	CHECK_EQ(got, 63);
	memcpy(snap, host_ptr(t.q[1].cq), 64 * 16);
	th_run(&t);
	CHECK(cq_unchanged(&t, 1, snap));
	th_fini(&t);
}

UNIT_TEST(safety_delete_sq_aborts_its_backlog)
{
	struct th t;
	struct th_cqe cqe;
	struct nvme_sqe c;
	u64 buf;
	u16 i, aborted = 0, ok = 0;

	setup(&t);
	buf = host_alloc(4096);
	t.timing.read_latency_ns = 3600ull * 1000000000ull;
	for (i = 0; i < 20; i++)
		submit_read(&t, 1, buf, i);
	submit_read(&t, 2, buf, 99);		/* another SQ: not aborted */
	th_run(&t);
	sqe_init(&c, NVME_ADMIN_DELETE_SQ, 77, 0);
	c.dw[10] = 1;
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	/* every command of SQ 1 was completed, as aborted, before that */
	while (th_reap(&t, 1, &cqe)) {
		CHECK_EQ(cqe.sqid, 1);
		if (cqe.status == NVME_SC_ABORT_SQ_DELETED)
			aborted++;
		else
			ok++;
	}
	CHECK_EQ(aborted, 20);
	CHECK_EQ(ok, 0);
	CHECK(!t.c->sqs[1].valid);
	CHECK(!th_reap(&t, 2, &cqe));		/* SQ 2's command still waits */
	CHECK_EQ(t.c->sqs[2].completed, 0);
	th_fini(&t);
}

UNIT_TEST(safety_delete_sq_never_blocks_the_dispatcher)
{
	struct th t;
	struct th_cqe cqe;
	struct nvme_sqe c;
	u64 buf;
	u16 i;

	setup(&t);
	buf = host_alloc(4096);
	/* fill CQ 1 and then some: the host does not reap */
	for (i = 0; i < 63 + 5; i++) {
		submit_read(&t, 1, buf, i);
		if (i == 60)
			th_run(&t);
	}
	th_run(&t);
	sqe_init(&c, NVME_ADMIN_DELETE_SQ, 78, 0);
	c.dw[10] = 1;
	th_submit(&t, 0, &c);
	th_run(&t);				/* returns: nothing spins */
	CHECK(!th_reap(&t, 0, &cqe));		/* the deletion waits for room */
	CHECK(t.c->del_sqid == 1);
	/* a later admin command waits behind it */
	sqe_init(&c, NVME_ADMIN_KEEP_ALIVE, 79, 0);
	th_submit(&t, 0, &c);
	th_run(&t);
	CHECK(!th_reap(&t, 0, &cqe));
	/* the host reaps: the deletion, then the keep alive, complete in order */
	while (th_reap(&t, 1, &cqe))
		th_run(&t);
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 78);
	CHECK_EQ(cqe.status, 0);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 79);

	/* and a reset ends a deletion that waits */
	for (i = 0; i < 63 + 5; i++) {
		submit_read(&t, 2, buf, i);
		if (i == 60)
			th_run(&t);
	}
	th_run(&t);
	sqe_init(&c, NVME_ADMIN_DELETE_SQ, 80, 0);
	c.dw[10] = 2;
	th_submit(&t, 0, &c);
	th_run(&t);
	CHECK(t.c->del_sqid == 2);
	nvme_put32(t.bar, NVME_REG_CC, 0);
	th_run(&t);
	CHECK_EQ(csts(&t) & NVME_CSTS_RDY, 0);
	CHECK(t.c->del_sqid == 0);
	th_fini(&t);
}

UNIT_TEST(safety_cq_head_doorbell_validated)
{
	struct th t;
	struct th_cqe cqe;
	struct nvme_sqe g;
	u64 buf;
	u16 i, got = 0;

	setup(&t);
	buf = host_alloc(4096);
	submit_aer(&t, 40);
	for (i = 0; i < 63; i++)		/* CQ 1 full */
		submit_read(&t, 1, buf, i);
	th_run(&t);
	/* the host consumes 10 entries, writes that head, then a bad value */
	for (i = 0; i < 10; i++)
		th_reap(&t, 1, &cqe);
	th_run(&t);				/* the valid head is picked up */
	db_write(&t, 3, 64);			/* out of range */
	for (i = 0; i < 10; i++)
		submit_read(&t, 1, buf, (u16)(100 + i));
	th_run(&t);
	/* the event is reported, and the last valid head is kept: no stall */
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 40);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_ERROR);
	CHECK_EQ((cqe.dw0 >> 8) & 0xff, NVME_AER_ERROR_INVALID_DB_WRITE);
	CHECK_EQ(t.c->cqs[1].head, 10);
	/* a head past the tail (releasing entries never posted) is invalid too */
	t.q[1].cq_head = 10;
	while (th_reap(&t, 1, &cqe))
		got++;
	th_run(&t);
	while (th_reap(&t, 1, &cqe))
		got++;
	CHECK_EQ(got, 63);			/* 53 + the 10 that waited */
	/* reading the error log unmasks the event type */
	sqe_init(&g, NVME_ADMIN_GET_LOG_PAGE, 8, 0);
	g.dw[6] = (u32)buf;
	g.dw[7] = (u32)(buf >> 32);
	g.dw[10] = NVME_LOG_ERROR | ((64 / 4 - 1) << 16);
	CHECK_EQ(th_admin(&t, &g, NULL), 0);
	submit_aer(&t, 41);
	db_write(&t, 3, (t.c->cqs[1].tail + 5) % 64);
	submit_read(&t, 1, buf, 200);
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 41);
	CHECK_EQ((cqe.dw0 >> 8) & 0xff, NVME_AER_ERROR_INVALID_DB_WRITE);
	th_fini(&t);
}

UNIT_TEST(safety_doorbell_of_missing_queue_reported)
{
	struct th t;
	struct th_cqe cqe;
	int i;

	setup(&t);
	submit_aer(&t, 40);
	db_write(&t, 2 * 7, 3);			/* SQ 7 does not exist */
	for (i = 0; i < 64; i++)		/* a few queues are checked per pass */
		nvmev_ctrl_poll(t.c);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 40);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_ERROR);
	CHECK_EQ((cqe.dw0 >> 8) & 0xff, NVME_AER_ERROR_INVALID_DB);
	CHECK_EQ(nvme_get32(t.bar, NVME_REG_DBS + 2 * 7 * 4), 0);	/* ignored */
	th_fini(&t);
}

UNIT_TEST(safety_rejected_command_with_huge_slba)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf;

	setup(&t);
	buf = host_alloc(4096);
	/* UBSan would report the pointer arithmetic of a rejected command */
	sqe_rw(&c, NVME_CMD_READ, ~0ull - 3, 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	sqe_rw(&c, NVME_CMD_WRITE_ZEROES, ~0ull >> 1, 8, 0);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	th_fini(&t);
}

UNIT_TEST(safety_failed_enable_unmaps_what_it_mapped)
{
	struct th t;
	u64 cq = host_alloc(4096);

	th_init(&t, 9, 4 * MiB);
	nvme_put32(t.bar, NVME_REG_AQA, 31 | (31u << 16));
	nvme_put32(t.bar, NVME_REG_ASQ, 0x1000);	/* not host RAM */
	nvme_put32(t.bar, NVME_REG_ACQ, (u32)cq);
	nvme_put32(t.bar, NVME_REG_ACQ + 4, (u32)(cq >> 32));
	nvme_put32(t.bar, NVME_REG_CC, NVME_CC_EN | (6u << 16) | (4u << 20));
	th_run(&t);
	CHECK(csts(&t) & NVME_CSTS_CFS);
	CHECK_EQ(unmap_errors, 0);
	CHECK(!t.c->cqs[0].ring && !t.c->sqs[0].ring);
	th_fini(&t);
	CHECK_EQ(unmap_errors, 0);
}

UNIT_TEST(safety_worker_errors_reach_the_logs)
{
	struct th t;
	struct nvme_sqe c;
	u64 log = host_alloc(8192);
	u8 *e = host_ptr(log);
	struct nvme_sqe g;

	setup(&t);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, 0x2000);	/* PRP outside host RAM */
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_DATA_XFER_ERROR);
	th_run(&t);
	sqe_init(&g, NVME_ADMIN_GET_LOG_PAGE, 8, 0);
	g.dw[6] = (u32)log;
	g.dw[7] = (u32)(log >> 32);
	g.dw[10] = NVME_LOG_ERROR | ((64 / 4 - 1) << 16);
	CHECK_EQ(th_admin(&t, &g, NULL), 0);
	CHECK_EQ(nvme_get64(e, 0), 1);			/* error count */
	CHECK_EQ(nvme_get16(e, 8), 1);			/* SQID */
	CHECK_EQ(nvme_get16(e, 10), nvme_sqe_cid(&c));
	CHECK_EQ(nvme_get16(e, 12) >> 1, NVME_SC_DATA_XFER_ERROR);
	g.dw[10] = NVME_LOG_SMART | ((512 / 4 - 1) << 16);
	g.dw[1] = 0xffffffff;
	CHECK_EQ(th_admin(&t, &g, NULL), 0);
	CHECK_EQ(nvme_get64(e, 176), 1);		/* media and data integrity errors */
	th_fini(&t);
}

UNIT_TEST(safety_bus_master_enable_gates_everything)
{
	struct th t;
	struct th_cqe cqe;
	u8 snap[64 * 16];
	u64 buf;
	unsigned int writes;

	setup(&t);
	buf = host_alloc(4096);
	t.timing.read_latency_ns = 1000;
	submit_read(&t, 1, buf, 1);
	nvmev_ctrl_poll(t.c);				/* fetched, on the worker's ring */
	host_bme = false;
	submit_read(&t, 2, buf, 2);
	memcpy(snap, host_ptr(t.q[1].cq), 64 * 16);
	writes = host_writes;
	fake_now += 10000;
	th_run(&t);
	CHECK_EQ(host_writes, writes);			/* no data moved */
	CHECK(cq_unchanged(&t, 1, snap));		/* nothing posted */
	CHECK_EQ(t.c->sqs[2].submitted, 0);		/* nothing fetched */
	CHECK_EQ(irq_count[1] + irq_count[2], 0);
	host_bme = true;
	th_run(&t);
	fake_now += 10000;
	th_run(&t);
	CHECK(th_reap(&t, 1, &cqe));
	CHECK_EQ(cqe.status, 0);
	CHECK(th_reap(&t, 2, &cqe));
	CHECK_EQ(cqe.status, 0);
	th_fini(&t);
}

UNIT_TEST(safety_worker_pass_is_bounded)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf, list;
	u32 i, n = 8;

	th_init(&t, 12, 24 * MiB);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 64));
	t.timing.write_latency_ns = 1000;
	buf = host_alloc(2 * MiB);
	list = host_alloc(4096);
	for (i = 1; i < 512; i++)
		nvme_put64(host_ptr(list), (i - 1) * 8, buf + (u64)i * 4096);
	for (i = 0; i < n; i++) {
		sqe_rw(&c, NVME_CMD_WRITE, (u64)i * 512, 512, buf);	/* 2 MiB each */
		c.dw[8] = (u32)list;
		c.dw[9] = (u32)(list >> 32);
		th_submit(&t, 1, &c);
	}
	nvmev_ctrl_poll(t.c);
	CHECK_EQ(t.c->sqs[1].submitted, n);
	nvmev_worker_poll(t.w[0]);			/* CQ 1 belongs to worker 0 */
	CHECK_EQ(t.w[0]->heap_len, NVMEV_WORKER_PASS_BYTES / (2 * MiB));
	fake_now += 1000;
	th_run(&t);
	CHECK_EQ(t.c->sqs[1].completed, n);
	th_fini(&t);
}

UNIT_TEST(safety_features_mandatory_and_capabilities)
{
	struct th t;
	u32 dw0 = 0;
	u8 fid;

	setup(&t);
	/* Arbitration Burst 7 means "no limit" */
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ARBITRATION, 7, NULL), 0);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_ARBITRATION, 0, &dw0), 0);
	CHECK_EQ(dw0 & 7, 7);
	/* Interrupt Vector Configuration: per vector, validated */
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_IRQ_CONFIG, 5 | (1u << 16),
			   NULL), 0);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_IRQ_CONFIG, 5, &dw0), 0);
	CHECK_EQ(dw0, 5 | (1u << 16));
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_IRQ_CONFIG, 6, &dw0), 0);
	CHECK_EQ(dw0, 6);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_IRQ_CONFIG, NVMEV_NR_VECTORS,
			   NULL), NVME_SC_INVALID_FIELD | DNR);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_IRQ_CONFIG, 0xffff, &dw0),
		 NVME_SC_INVALID_FIELD | DNR);
	/* Write Atomicity Normal */
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_WRITE_ATOMIC, 1, NULL), 0);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, NVME_FEAT_WRITE_ATOMIC, 0, &dw0), 0);
	CHECK_EQ(dw0, 1);
	/* SEL=3: changeable, not saveable, not namespace specific; unknown: error */
	for (fid = 1; fid <= NVME_FEAT_ASYNC_EVENT; fid++) {
		if (fid == 3)			/* LBA Range Type: not supported */
			continue;
		CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, fid | (3u << 8), 0, &dw0), 0);
		CHECK_EQ(dw0, 0x4);
	}
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_GET_FEATURES, 3 | (3u << 8), 0, &dw0),
		 NVME_SC_INVALID_FIELD | DNR);
	th_fini(&t);
}

UNIT_TEST(safety_temperature_change_raises_event)
{
	struct th t;
	struct th_cqe cqe;

	setup(&t);
	CHECK_EQ(admin_cmd(&t, NVME_ADMIN_SET_FEATURES, NVME_FEAT_ASYNC_EVENT, 0x2, NULL), 0);
	submit_aer(&t, 40);
	CHECK(!th_reap(&t, 0, &cqe));			/* 40 C: below the threshold */
	t.c->temperature_k = 360;			/* the host glue changes it */
	th_run(&t);
	CHECK(th_reap(&t, 0, &cqe));
	CHECK_EQ(cqe.cid, 40);
	CHECK_EQ(cqe.dw0 & 7, NVME_AER_TYPE_SMART);
	th_fini(&t);
}

UNIT_TEST(safety_identify_nvm_limits)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf = host_alloc(4096);
	u8 *id = host_ptr(buf);

	setup(&t);
	sqe_init(&c, NVME_ADMIN_IDENTIFY, 7, 0);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = NVME_CNS_CS_CTRL;
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	CHECK_EQ(id[1], 13);				/* WZSL: 32 MiB at 512 B blocks */
	CHECK_EQ(id[3], NVMEV_DMRL);
	CHECK_EQ(nvme_get32(id, 4), NVMEV_DMSL);	/* DMRSL */
	CHECK_EQ(nvme_get64(id, 8), NVMEV_DMSL);	/* DMSL */
	th_fini(&t);
}

UNIT_TEST(safety_hurry_completes_the_backlog_at_once)
{
	struct th t;
	struct th_cqe cqe;
	u64 buf;
	u16 i, got = 0;

	setup(&t);
	buf = host_alloc(4096);
	t.timing.read_latency_ns = 3600ull * 1000000000ull;
	for (i = 0; i < 30; i++)
		submit_read(&t, 1, buf, i);
	th_run(&t);
	CHECK(!th_reap(&t, 1, &cqe));
	nvmev_ctrl_hurry(t.c);			/* the device is going away */
	th_run(&t);
	while (th_reap(&t, 1, &cqe)) {
		CHECK_EQ(cqe.status, 0);
		got++;
	}
	CHECK_EQ(got, 30);
	submit_read(&t, 2, buf, 99);		/* new ones do not wait either */
	th_run(&t);
	CHECK(th_reap(&t, 2, &cqe));
	CHECK_EQ(cqe.cid, 99);
	th_fini(&t);
}
