// SPDX-License-Identifier: GPL-2.0-only
/* The NVM command set through queues, workers and the timing model. */
#include <string.h>

#include "th.h"

#define DNR NVME_STATUS_DNR
#define MiB (1u << 20)

static void fill(u8 *p, u32 n, u32 seed)
{
	u32 i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 31 + (i >> 9));
}

static void io_setup(struct th *t, u32 lba_shift)
{
	th_init(t, lba_shift, 16 * MiB);
	CHECK(th_enable(t));
	CHECK(th_create_io_pair(t, 1, 64));
	CHECK(th_create_io_pair(t, 2, 64));
}

UNIT_TEST(io_write_read_roundtrip)
{
	struct th t;
	struct nvme_sqe c;
	u64 wbuf, rbuf;

	io_setup(&t, 9);
	wbuf = host_alloc(8192);
	rbuf = host_alloc(8192);
	fill(host_ptr(wbuf), 4096, 5);
	sqe_rw(&c, NVME_CMD_WRITE, 100, 8, wbuf);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(!memcmp(t.storage + 100 * 512, host_ptr(wbuf), 4096));
	sqe_rw(&c, NVME_CMD_READ, 100, 8, rbuf);
	CHECK_EQ(th_io(&t, 2, &c), 0);
	CHECK(!memcmp(host_ptr(rbuf), host_ptr(wbuf), 4096));
	CHECK_EQ(t.w[0]->stats.write_cmds + t.w[1]->stats.write_cmds, 1);
	CHECK_EQ(t.w[0]->stats.read_cmds + t.w[1]->stats.read_cmds, 1);
	CHECK_EQ(t.w[0]->stats.bytes_written + t.w[1]->stats.bytes_written, 4096);
	CHECK(irq_count[1] > 0 && irq_count[2] > 0);
	th_fini(&t);
}

UNIT_TEST(io_large_transfer_with_prp_list)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf, list;
	u64 *e;
	u32 i, pages = NVMEV_MAX_XFER / 4096;

	io_setup(&t, 12);
	buf = host_alloc(NVMEV_MAX_XFER);
	list = host_alloc(4096);
	e = host_ptr(list);
	for (i = 1; i < pages; i++)
		e[i - 1] = buf + (u64)i * 4096;
	fill(host_ptr(buf), NVMEV_MAX_XFER, 9);
	sqe_rw(&c, NVME_CMD_WRITE, 10, pages, buf);
	c.dw[8] = (u32)list;
	c.dw[9] = (u32)(list >> 32);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(!memcmp(t.storage + 10 * 4096, host_ptr(buf), NVMEV_MAX_XFER));
	/* one block more than MDTS */
	sqe_rw(&c, NVME_CMD_READ, 0, pages + 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	th_fini(&t);
}

UNIT_TEST(io_invalid_commands)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf;
	u64 blocks = 16 * MiB / 512;

	io_setup(&t, 9);
	buf = host_alloc(4096);
	sqe_init(&c, 0x7f, 1, 1);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_OPCODE | DNR);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	c.dw[1] = 99;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_NS | DNR);
	c.dw[1] = 0;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_NS | DNR);
	sqe_rw(&c, NVME_CMD_READ, blocks, 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	sqe_rw(&c, NVME_CMD_WRITE, blocks - 1, 2, buf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	sqe_rw(&c, NVME_CMD_READ, ~0ull - 1, 4, buf);		/* would wrap */
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	sqe_rw(&c, NVME_CMD_READ, blocks - 1, 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), 0);				/* the last block */
	sqe_rw(&c, NVME_CMD_READ, 0, 1, 0x2000);		/* not host memory */
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_DATA_XFER_ERROR);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf + 1);		/* not dword aligned */
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_PRP_OFFSET_INVALID);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	c.dw[0] |= 1u << 8;					/* fused */
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	sqe_init(&c, NVME_CMD_FLUSH, 2, 0xffffffff);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	sqe_init(&c, NVME_CMD_FLUSH, 3, 1);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	sqe_init(&c, NVME_CMD_FLUSH, 4, 7);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_NS | DNR);
	/* only the successful read counts */
	CHECK_EQ(t.w[0]->stats.bytes_read + t.w[1]->stats.bytes_read, 512);
	CHECK_EQ(t.w[0]->stats.read_cmds + t.w[1]->stats.read_cmds, 1);
	th_fini(&t);
}

/* PRP2 for a page-aligned buffer of @bytes: the next page, or a PRP list. */
static void sqe_prps(struct nvme_sqe *c, u64 buf, u32 bytes)
{
	u32 pages = (bytes + 4095) / 4096, i;
	u64 list;

	if (pages <= 1)
		return;
	if (pages == 2) {
		c->dw[8] = (u32)(buf + 4096);
		c->dw[9] = (u32)((buf + 4096) >> 32);
		return;
	}
	list = host_alloc(4096);
	for (i = 1; i < pages; i++)
		nvme_put64(host_ptr(list), (i - 1) * 8, buf + (u64)i * 4096);
	c->dw[8] = (u32)list;
	c->dw[9] = (u32)(list >> 32);
}

/* Write @nlb blocks of @byte at @slba through queue 1. */
static void write_pattern(struct th *t, u64 slba, u32 nlb, u8 byte)
{
	u32 bytes = nlb << t->c->ns[0].lba_shift;
	u64 buf = host_alloc(bytes);
	struct nvme_sqe c;

	memset(host_ptr(buf), byte, bytes);
	sqe_rw(&c, NVME_CMD_WRITE, slba, nlb, buf);
	sqe_prps(&c, buf, bytes);
	CHECK_EQ(th_io(t, 1, &c), 0);
}

/* Read @nlb blocks at @slba; returns the host buffer. */
static u8 *read_back(struct th *t, u64 slba, u32 nlb)
{
	u64 buf = host_alloc(nlb << t->c->ns[0].lba_shift);
	struct nvme_sqe c;

	memset(host_ptr(buf), 0x77, nlb << t->c->ns[0].lba_shift);
	sqe_rw(&c, NVME_CMD_READ, slba, nlb, buf);
	sqe_prps(&c, buf, nlb << t->c->ns[0].lba_shift);
	CHECK_EQ(th_io(t, 2, &c), 0);
	return host_ptr(buf);
}

static bool all_bytes(const u8 *p, u32 n, u8 v)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

UNIT_TEST(io_new_namespace_reads_zeroes)
{
	struct th t;
	u8 *r;

	th_init(&t, 9, 16 * MiB);
	memset(t.storage, 0xee, 16 * MiB);	/* what the RAM held before */
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 64));
	CHECK(th_create_io_pair(&t, 2, 64));
	r = read_back(&t, 0, 256);
	CHECK(all_bytes(r, 256 * 512, 0));
	r = read_back(&t, 16 * MiB / 512 - 8, 8);
	CHECK(all_bytes(r, 8 * 512, 0));
	/* written blocks read back; their neighbours still read zeroes */
	write_pattern(&t, 10, 3, 0x5c);
	r = read_back(&t, 8, 8);
	CHECK(all_bytes(r, 2 * 512, 0));
	CHECK(all_bytes(r + 2 * 512, 3 * 512, 0x5c));
	CHECK(all_bytes(r + 5 * 512, 3 * 512, 0));
	th_fini(&t);
}

UNIT_TEST(io_write_zeroes_and_deallocate)
{
	struct th t;
	struct nvme_sqe c;
	u64 ranges;
	u8 *r, *p;
	u32 i;

	io_setup(&t, 9);
	write_pattern(&t, 0, 512, 0xab);
	sqe_rw(&c, NVME_CMD_WRITE_ZEROES, 8, 8, 0);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	p = read_back(&t, 0, 24);
	CHECK(all_bytes(p, 8 * 512, 0xab));
	CHECK(all_bytes(p + 8 * 512, 8 * 512, 0));
	CHECK(all_bytes(p + 16 * 512, 8 * 512, 0xab));
	/* lazily: the data itself was not touched, only the map */
	CHECK_EQ(t.storage[8 * 512], 0xab);

	ranges = host_alloc(4096);
	r = host_ptr(ranges);
	nvme_put32(r, 4, 4);		/* range 0: 4 blocks at 100 */
	nvme_put64(r, 8, 100);
	nvme_put32(r, 16 + 4, 2);	/* range 1: 2 blocks at 200 */
	nvme_put64(r, 16 + 8, 200);
	sqe_init(&c, NVME_CMD_DSM, 5, 1);
	c.dw[6] = (u32)ranges;
	c.dw[7] = (u32)(ranges >> 32);
	c.dw[10] = 1;			/* two ranges */
	c.dw[11] = NVME_DSM_AD;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	p = read_back(&t, 99, 6);
	CHECK(all_bytes(p, 512, 0xab));
	CHECK(all_bytes(p + 512, 4 * 512, 0));
	CHECK(all_bytes(p + 5 * 512, 512, 0xab));
	p = read_back(&t, 199, 4);
	CHECK(all_bytes(p, 512, 0xab));
	CHECK(all_bytes(p + 512, 2 * 512, 0));
	CHECK(all_bytes(p + 3 * 512, 512, 0xab));
	/* a write makes deallocated blocks readable again */
	write_pattern(&t, 101, 1, 0x12);
	p = read_back(&t, 100, 3);
	CHECK(all_bytes(p, 512, 0));
	CHECK(all_bytes(p + 512, 512, 0x12));
	CHECK(all_bytes(p + 1024, 512, 0));

	/* without the deallocate attribute nothing changes */
	nvme_put64(r, 8, 300);
	c.dw[10] = 0;
	c.dw[11] = 0;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(all_bytes(read_back(&t, 300, 4), 4 * 512, 0xab));
	/* a range past the end */
	nvme_put64(r, 8, 16 * MiB / 512 - 1);
	c.dw[11] = NVME_DSM_AD;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	/* more than DMSL blocks in all (overlapping ranges): refused, nothing marked */
	for (i = 0; i < 256; i++) {
		nvme_put32(r, i * 16 + 4, 16 * MiB / 512);
		nvme_put64(r, i * 16 + 8, 0);
	}
	c.dw[10] = 255;
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	CHECK(all_bytes(read_back(&t, 0, 8), 8 * 512, 0xab));
	th_fini(&t);
}

UNIT_TEST(io_completion_waits_for_target_time)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	io_setup(&t, 9);
	t.timing.read_latency_ns = 50000;
	buf = host_alloc(4096);
	sqe_rw(&c, NVME_CMD_READ, 0, 8, buf);
	th_submit(&t, 1, &c);
	th_run(&t);
	CHECK(!th_reap(&t, 1, &cqe));		/* not yet due */
	fake_now += 49999;
	th_run(&t);
	CHECK(!th_reap(&t, 1, &cqe));
	fake_now += 1;
	th_run(&t);
	CHECK(th_reap(&t, 1, &cqe));
	CHECK_EQ(cqe.status, 0);
	CHECK_EQ(cqe.sqid, 1);
	CHECK_EQ(cqe.sqhd, 1);
	CHECK_EQ(t.w[0]->stats.lateness[0], 1);	/* posted on time */
	th_fini(&t);
}

UNIT_TEST(io_completions_in_target_order)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;

	io_setup(&t, 9);
	t.timing.read_latency_ns = 30000;
	t.timing.write_latency_ns = 10000;
	buf = host_alloc(4096);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	c.dw[0] = (c.dw[0] & 0xffff) | (1u << 16);
	th_submit(&t, 1, &c);
	sqe_rw(&c, NVME_CMD_WRITE, 0, 1, buf);
	c.dw[0] = (c.dw[0] & 0xffff) | (2u << 16);
	th_submit(&t, 1, &c);
	th_run(&t);
	fake_now += 100000;
	th_run(&t);
	CHECK(th_reap(&t, 1, &cqe));
	CHECK_EQ(cqe.cid, 2);			/* the write was due first */
	CHECK(th_reap(&t, 1, &cqe));
	CHECK_EQ(cqe.cid, 1);
	th_fini(&t);
}

UNIT_TEST(io_queue_wraparound_and_phase)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;
	int i, ok = 0;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 4));
	buf = host_alloc(4096);
	for (i = 0; i < 50; i++) {
		sqe_rw(&c, NVME_CMD_WRITE, (u64)i, 1, buf);
		c.dw[0] = (c.dw[0] & 0xffff) | ((u32)i << 16);
		th_submit(&t, 1, &c);
		th_run(&t);
		if (th_reap(&t, 1, &cqe) && cqe.cid == i && cqe.status == 0 &&
		    cqe.sqhd == (i + 1) % 4)
			ok++;
	}
	CHECK_EQ(ok, 50);
	th_fini(&t);
}

static u16 create_queue(struct th *t, u8 opc, u16 qid, u16 size, u32 cdw11, u64 base)
{
	struct nvme_sqe c;

	sqe_init(&c, opc, 20, 0);
	c.dw[6] = (u32)base;
	c.dw[7] = (u32)(base >> 32);
	c.dw[10] = qid | ((u32)(size - 1) << 16);
	c.dw[11] = cdw11;
	return th_admin(t, &c, NULL);
}

UNIT_TEST(io_full_cq_makes_completions_wait)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;
	int i, got = 0;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	/* two SQs share one 4-entry CQ (3 completions fit) */
	t.q[1].size = 4;
	t.q[1].cq = host_alloc(4096);
	t.q[1].phase = 1;
	t.q[1].sq = host_alloc(4096);
	t.q[2].size = 8;
	t.q[2].sq = host_alloc(4096);
	CHECK_EQ(create_queue(&t, NVME_ADMIN_CREATE_CQ, 1, 4, 3 | (1u << 16), t.q[1].cq), 0);
	CHECK_EQ(create_queue(&t, NVME_ADMIN_CREATE_SQ, 1, 4, 1 | (1u << 16), t.q[1].sq), 0);
	CHECK_EQ(create_queue(&t, NVME_ADMIN_CREATE_SQ, 2, 8, 1 | (1u << 16), t.q[2].sq), 0);
	buf = host_alloc(4096);
	for (i = 0; i < 6; i++) {
		sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
		c.dw[0] = (c.dw[0] & 0xffff) | ((u32)i << 16);
		th_submit(&t, i < 3 ? 1 : 2, &c);
	}
	th_run(&t);
	CHECK(t.w[0]->stats.cq_full_waits > 0);	/* CQ 1 belongs to worker 0 */
	CHECK_EQ(t.w[0]->waitq_len, 3);
	while (th_reap(&t, 1, &cqe)) {
		CHECK_EQ(cqe.status, 0);
		got++;
		th_run(&t);
	}
	CHECK_EQ(got, 6);			/* nothing lost */
	th_fini(&t);
}

static void submit_read(struct th *t, u16 qid, u64 buf, u32 tag)
{
	struct nvme_sqe c;

	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	c.dw[0] = (c.dw[0] & 0xffff) | ((tag & 0xffff) << 16);
	th_submit(t, qid, &c);
}

UNIT_TEST(io_backpressure_never_drops)
{
	struct th t;
	struct th_cqe cqe;
	u64 buf;
	u32 i, n = 0, qsize = 1024, total = 6000;
	u32 submitted = 0;
	u16 qids[2] = { 1, 3 };		/* both completed by worker 0 */
	bool bad = false;

	th_init(&t, 9, 4 * MiB);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, (u16)qsize));
	CHECK(th_create_io_pair(&t, 3, (u16)qsize));
	t.timing.read_latency_ns = 1000000;	/* everything stays in flight */
	buf = host_alloc(4096);
	/* two full SQs, dispatcher only: the worker's ring fills, the SQs wait */
	for (i = 0; i < 2 * (qsize - 1); i++)
		submit_read(&t, qids[i & 1], buf, submitted++);
	for (i = 0; i < 100; i++)
		nvmev_ctrl_poll(t.c);
	CHECK_EQ(t.w[0]->in.tail - t.w[0]->in.head, NVMEV_RING_SLOTS);
	CHECK(t.c->stats.backpressure > 0);
	/* now let everything run, keep both SQs full, and count completions */
	while (n < total && !bad) {
		th_run(&t);
		fake_now += 2000000;
		th_run(&t);
		for (i = 0; i < 2; i++) {
			while (th_reap(&t, qids[i], &cqe)) {
				bad |= cqe.status != 0;
				n++;
				if (submitted < total)
					submit_read(&t, qids[i], buf, submitted++);
			}
		}
	}
	CHECK(!bad);
	CHECK_EQ(n, total);
	CHECK_EQ(t.c->sqs[1].completed + t.c->sqs[3].completed, total);
	th_fini(&t);
}

UNIT_TEST(io_reset_drops_inflight_and_queues)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf;
	int i;

	io_setup(&t, 9);
	t.timing.read_latency_ns = 1000000;
	buf = host_alloc(4096);
	for (i = 0; i < 10; i++) {
		sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
		th_submit(&t, 1, &c);
	}
	th_run(&t);
	CHECK_EQ(t.w[0]->heap_len, 10);
	CHECK(nvmev_ctrl_has_inflight(t.c));
	nvme_put32(t.bar, NVME_REG_CC, 0);
	th_run(&t);
	CHECK_EQ(t.w[0]->heap_len, 0);
	CHECK(!t.c->sqs[1].valid && !t.c->cqs[1].valid && !t.c->cqs[2].valid);
	CHECK_EQ(t.c->nr_active_sqs, 0);
	CHECK_EQ(nvme_get32(t.bar, NVME_REG_DBS + 8), 0);	/* doorbells read zero */
	/* and it comes back */
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 16));
	t.timing.read_latency_ns = 0;
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(!nvmev_ctrl_has_inflight(t.c));
	th_fini(&t);
}

UNIT_TEST(io_delete_sq_waits_for_its_commands)
{
	struct th t;
	struct nvme_sqe c;
	struct th_cqe cqe;
	u64 buf;
	u32 dw0;

	io_setup(&t, 9);
	buf = host_alloc(4096);
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	th_submit(&t, 1, &c);
	th_run(&t);
	CHECK_EQ(t.c->sqs[1].submitted - t.c->sqs[1].completed, 0);
	sqe_init(&c, NVME_ADMIN_DELETE_SQ, 70, 0);
	c.dw[10] = 1;
	CHECK_EQ(th_admin(&t, &c, &dw0), 0);
	CHECK(th_reap(&t, 1, &cqe));		/* its read completed first */
	th_fini(&t);
}

UNIT_TEST(io_sleeping_worker_is_kicked)
{
	struct th t;
	struct nvme_sqe c;
	u64 buf;
	unsigned int before;

	io_setup(&t, 9);
	buf = host_alloc(4096);
	before = kicks;
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK_EQ(kicks, before);		/* awake: no kick */
	t.w[0]->sleeping = 1;			/* CQ 1 belongs to worker 0 */
	sqe_rw(&c, NVME_CMD_READ, 0, 1, buf);
	th_submit(&t, 1, &c);
	nvmev_ctrl_poll(t.c);
	CHECK_EQ(kicks, before + 1);
	CHECK(nvmev_worker_has_input(t.w[0]));
	t.w[0]->sleeping = 0;
	th_run(&t);
	CHECK(!nvmev_worker_has_input(t.w[0]));
	/* a reset kicks sleeping workers so that they see the new epoch */
	t.w[1]->sleeping = 1;
	nvme_put32(t.bar, NVME_REG_CC, 0);
	th_run(&t);
	CHECK_EQ(kicks, before + 2);
	th_fini(&t);
}

UNIT_TEST(io_compare_and_verify)
{
	struct th t;
	struct nvme_sqe c;
	u64 wbuf, cbuf, id;
	u32 i;

	io_setup(&t, 9);
	wbuf = host_alloc(8192);
	cbuf = host_alloc(8192);
	id = host_alloc(4096);
	fill(host_ptr(wbuf), 8192, 9);
	sqe_rw(&c, NVME_CMD_WRITE, 64, 16, wbuf);
	c.dw[8] = (u32)(wbuf + 4096);
	c.dw[9] = (u32)((wbuf + 4096) >> 32);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	/* the same data compares equal, over two pages */
	memcpy(host_ptr(cbuf), host_ptr(wbuf), 8192);
	sqe_rw(&c, NVME_CMD_COMPARE, 64, 16, cbuf);
	c.dw[8] = (u32)(cbuf + 4096);
	c.dw[9] = (u32)((cbuf + 4096) >> 32);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	/* one byte off, in the last block: Compare Failure, nothing written */
	((u8 *)host_ptr(cbuf))[8191] ^= 1;
	sqe_rw(&c, NVME_CMD_COMPARE, 64, 16, cbuf);
	c.dw[8] = (u32)(cbuf + 4096);
	c.dw[9] = (u32)((cbuf + 4096) >> 32);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_COMPARE_FAILED | DNR);
	CHECK(!memcmp(t.storage + 64 * 512, host_ptr(wbuf), 8192));
	/* deallocated blocks compare as zeroes */
	memset(host_ptr(cbuf), 0, 4096);
	sqe_rw(&c, NVME_CMD_COMPARE, 1000, 8, cbuf);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	((u8 *)host_ptr(cbuf))[100] = 1;
	sqe_rw(&c, NVME_CMD_COMPARE, 1000, 8, cbuf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_COMPARE_FAILED | DNR);
	/* a range that straddles written and deallocated blocks */
	memcpy(host_ptr(cbuf), (u8 *)host_ptr(wbuf) + 15 * 512, 512);
	memset((u8 *)host_ptr(cbuf) + 512, 0, 512);
	sqe_rw(&c, NVME_CMD_COMPARE, 79, 2, cbuf);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	/* out of range, above MDTS, host memory it cannot read */
	sqe_rw(&c, NVME_CMD_COMPARE, 16 * MiB / 512 - 1, 2, cbuf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	sqe_rw(&c, NVME_CMD_COMPARE, 0, NVMEV_MAX_XFER / 512 + 1, cbuf);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_INVALID_FIELD | DNR);
	sqe_rw(&c, NVME_CMD_COMPARE, 64, 1, 0x1000);
	CHECK_EQ(th_io(&t, 1, &c) & 0x7ff, NVME_SC_DATA_XFER_ERROR);
	/* Verify: any range inside the namespace (here all of it), no data moved */
	i = host_writes;
	sqe_rw(&c, NVME_CMD_VERIFY, 0, 16 * MiB / 512, 0);
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK_EQ(host_writes, i);		/* completions go through the mapped CQ */
	sqe_rw(&c, NVME_CMD_VERIFY, 16 * MiB / 512 - 1, 2, 0);
	CHECK_EQ(th_io(&t, 1, &c), NVME_SC_LBA_RANGE | DNR);
	/* ONCS says so, and the effects log */
	sqe_init(&c, NVME_ADMIN_IDENTIFY, 3, 0);
	c.dw[6] = (u32)id;
	c.dw[7] = (u32)(id >> 32);
	c.dw[10] = NVME_CNS_CTRL;
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	CHECK_EQ(nvme_get16(host_ptr(id), 520) & (NVME_ONCS_COMPARE | NVME_ONCS_VERIFY),
		 NVME_ONCS_COMPARE | NVME_ONCS_VERIFY);
	sqe_init(&c, NVME_ADMIN_GET_LOG_PAGE, 4, 0);
	c.dw[6] = (u32)id;
	c.dw[7] = (u32)(id >> 32);
	c.dw[10] = NVME_LOG_CMD_EFFECTS | (1023u << 16);
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	CHECK_EQ(nvme_get32(host_ptr(id), 1024 + NVME_CMD_COMPARE * 4), NVME_CSE_CSUPP);
	CHECK_EQ(nvme_get32(host_ptr(id), 1024 + NVME_CMD_VERIFY * 4), NVME_CSE_CSUPP);
	th_fini(&t);
}
