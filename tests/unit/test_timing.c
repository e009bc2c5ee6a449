// SPDX-License-Identifier: GPL-2.0-only
/* The NVM timing model's arithmetic. */
#include "th.h"

static u64 sched(struct nvmev_nvm_timing *t, u8 opc, u32 bytes, u64 now)
{
	struct nvmev_req r = { .opcode = opc, .bytes = bytes };

	return t->base.ops->schedule(&t->base, &r, now);
}

UNIT_TEST(timing_xfer_arithmetic)
{
	CHECK_EQ(nvmev_nvm_xfer_ns(4096, 0, 1), 0);		/* unlimited */
	CHECK_EQ(nvmev_nvm_xfer_ns(1000000, 1000, 1), 1000000);	/* 1 MB at 1000 MB/s: 1 ms */
	CHECK_EQ(nvmev_nvm_xfer_ns(4096, 4096, 1), 1000);
	CHECK_EQ(nvmev_nvm_xfer_ns(4096, 4096, 4), 4000);	/* a unit has 1/4 of it */
	CHECK_EQ(nvmev_nvm_xfer_ns(1, 3000, 1), 1);		/* rounds up */
	CHECK_EQ(nvmev_nvm_xfer_ns(2u << 20, 1, 256), 536870912000ull); /* no overflow */
}

UNIT_TEST(timing_zero_latency_is_immediate)
{
	struct nvmev_nvm_timing t;

	nvmev_nvm_timing_init(&t, 0, 0, 0, 4);
	CHECK_EQ(sched(&t, NVME_CMD_READ, 131072, 5000), 5000);
	CHECK_EQ(sched(&t, NVME_CMD_WRITE, 4096, 5000), 5000);
	CHECK_EQ(sched(&t, NVME_CMD_FLUSH, 0, 5000), 5000);
}

UNIT_TEST(timing_latency_per_direction)
{
	struct nvmev_nvm_timing t;

	nvmev_nvm_timing_init(&t, 7000, 12000, 0, 1);
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 100), 7100);
	CHECK_EQ(sched(&t, NVME_CMD_WRITE, 4096, 100), 12100);
	CHECK_EQ(sched(&t, NVME_CMD_WRITE_ZEROES, 0, 100), 12100);
	CHECK_EQ(sched(&t, NVME_CMD_DSM, 16, 100), 100);
	/* changed at run time: the next command sees the new value */
	t.read_latency_ns = 20000;
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 100), 20100);
}

UNIT_TEST(timing_bandwidth_and_units)
{
	struct nvmev_nvm_timing t;

	/* 2 units sharing 4096 MB/s: a 4 KB transfer takes 2000 ns on one unit */
	nvmev_nvm_timing_init(&t, 1000, 1000, 4096, 2);
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 0), 3000);	/* unit 0 */
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 0), 3000);	/* unit 1, in parallel */
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 0), 5000);	/* unit 0 again: queued */
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 10000), 13000);	/* idle by then */
	t.base.ops->reset(&t.base);
	CHECK_EQ(sched(&t, NVME_CMD_READ, 4096, 0), 3000);
}

UNIT_TEST(timing_sustained_bandwidth)
{
	struct nvmev_nvm_timing t;
	u64 last = 0;
	int i;

	/* 1000 x 128 KiB at 1600 MB/s over 4 units: 131072000 / 1.6e9 s */
	nvmev_nvm_timing_init(&t, 0, 0, 1600, 4);
	for (i = 0; i < 1000; i++) {
		u64 done = sched(&t, NVME_CMD_READ, 131072, 0);

		last = NVMEV_MAX(last, done);
	}
	CHECK(last >= 81920000 && last <= 81920000 + 4);
}

/* The model's tunables by name, as the host glue uses them. */
UNIT_TEST(timing_tunables_by_name)
{
	const struct nvmev_media *m = &nvmev_optane_media;
	const struct nvmev_tunable *rd, *pu;
	struct nvmev_nvm_timing t;
	u32 i;

	CHECK(m->size == sizeof(t) && m->nr_tunables <= NVMEV_MAX_TUNABLES);
	rd = nvmev_tunable_find(m, "read_latency_ns");
	pu = nvmev_tunable_find(m, "parallel_units");
	CHECK(rd && pu && rd->size == 8 && pu->size == 4);
	CHECK(nvmev_tunable_find(m, "read_latency") == NULL);
	CHECK(nvmev_tunable_find(m, "") == NULL);
	if (!rd || !pu)
		return;
	CHECK_EQ(nvmev_media_init_defaults(m, &t.base), 0);
	CHECK_EQ(t.read_latency_ns, 10000);
	CHECK_EQ(t.write_latency_ns, 10000);
	CHECK_EQ(t.bandwidth_mbps, 2500);
	CHECK_EQ(t.nr_units, 8);
	CHECK(t.base.ops && t.base.ops->schedule);
	nvmev_tunable_set(&t.base, rd, 1234);
	nvmev_tunable_set(&t.base, pu, 3);
	CHECK_EQ(t.read_latency_ns, 1234);
	CHECK_EQ(t.nr_units, 3);
	CHECK_EQ(t.write_latency_ns, 10000);	/* its neighbour untouched */
	CHECK_EQ(nvmev_tunable_get(&t.base, rd), 1234);
	CHECK_EQ(nvmev_tunable_get(&t.base, pu), 3);
	/* every default is within its bounds, and every name is distinct */
	for (i = 0; i < m->nr_tunables; i++) {
		const struct nvmev_tunable *a = &m->tunables[i];

		CHECK(a->min <= a->def && a->def <= a->max);
		CHECK(nvmev_tunable_find(m, a->name) == a);
		CHECK(a->offset + a->size <= m->size);
	}
	/* init refuses what the model cannot run with */
	t.nr_units = 0;
	CHECK(m->init(&t.base) < 0);
	t.nr_units = NVMEV_MAX_PARALLEL_UNITS + 1;
	CHECK(m->init(&t.base) < 0);
	t.nr_units = NVMEV_MAX_PARALLEL_UNITS;
	CHECK_EQ(m->init(&t.base), 0);
}

UNIT_TEST(timing_types_registry)
{
	const struct nvmev_type *nvm = nvmev_type_by_name("nvm");
	u32 i;

	CHECK(nvm != NULL && nvmev_type_at(0) == nvm);
	CHECK(nvmev_type_by_name("NVM") == NULL && nvmev_type_by_name("nv") == NULL);
	for (i = 0; nvmev_type_at(i); i++) {
		const struct nvmev_type *ty = nvmev_type_at(i);

		CHECK(ty->cmd_set && ty->media && ty->media->init && ty->help);
		CHECK(nvmev_cmd_set_by_csi(ty->cmd_set->csi) == ty->cmd_set);
		CHECK(nvmev_type_by_name(ty->name) == ty);
	}
	CHECK(i >= 1 && i < 16);
}
