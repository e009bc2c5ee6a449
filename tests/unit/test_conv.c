// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conventional media model (media_conv.c) with the NVM command set: the
 * namespace's layout (the host's blocks, the FTL after them), data through
 * writes, overwrites and garbage collection, deallocation and Write Zeroes
 * in the FTL, the presets over every size, the image state check, and the
 * timing: reads of mapped and unmapped pages, early write completion, the
 * write-buffer cliff, erases that cost time.
 */
#include <stdlib.h>
#include <string.h>
#include "th.h"
#include "conv.h"

#define MiB (1024ull * 1024)

static const struct nvmev_type *conv_type(void)
{
	return nvmev_type_by_name("conv");
}

static u64 stat(struct th *t, const char *name)
{
	const struct nvmev_media *m = &nvmev_conv_media;
	u64 v[32];
	u32 i;

	m->stats(t->c->ns[0].timing, v);
	for (i = 0; i < m->nr_stats; i++)
		if (!strcmp(m->stat_names[i].name, name))
			return v[i];
	fprintf(stderr, "no stat %s\n", name);
	abort();
}

/* NSID 1: @mib MiB of conv in 4 KiB blocks, with small lines (8 dies, 16 KiB pages). */
static void setup(struct th *t, u64 mib)
{
	u64 sizes[NVMEV_MAX_NS] = { mib * MiB };
	u32 shifts[NVMEV_MAX_NS] = { 12 };
	const struct nvmev_type *types[NVMEV_MAX_NS] = { conv_type(), conv_type() };

	th_tunable("channels", 4);
	th_tunable("dies_per_channel", 2);
	th_tunable("planes_per_die", 1);
	th_tunable("oneshot_pages", 1);
	th_tunable("write_buffer_kib", 256);
	th_init_types(t, sizes, shifts, types, NULL, 0xc0);
	CHECK(th_enable(t));
	CHECK(th_create_io_pair(t, 1, 64));
}

static u16 io(struct th *t, u8 opc, u64 slba, u32 nlb, u64 buf)
{
	struct nvme_sqe c;

	sqe_rw(&c, opc, slba, nlb, buf);
	if (nlb == 2) {
		c.dw[8] = (u32)(buf + 4096);
		c.dw[9] = (u32)((buf + 4096) >> 32);
	}
	return th_io(t, 1, &c);
}

static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

UNIT_TEST(conv_layout)
{
	struct th t;
	struct nvmev_ns *ns;
	u64 buf = host_alloc(4096);
	u8 *id = host_ptr(buf);
	struct nvme_sqe c;
	u64 nsze, meta;

	setup(&t, 64);
	ns = &t.c->ns[0];
	/* the host's blocks, then the FTL's state, inside the 64 MiB */
	CHECK_EQ(ns->size, 64 * MiB);
	CHECK(ns->nr_blocks < 64 * MiB / 4096);
	meta = stat(&t, "ftl_bytes");
	CHECK((ns->nr_blocks << 12) + meta <= 64 * MiB);
	CHECK(meta * 1000 <= (ns->nr_blocks << 12) * 3);
	CHECK(stat(&t, "lines") >= NVMEV_FTL_MIN_LINES);
	CHECK_EQ(stat(&t, "free_lines"), stat(&t, "lines"));
	sqe_init(&c, NVME_ADMIN_IDENTIFY, 3, 1);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = 0;
	CHECK_EQ(th_admin(&t, &c, NULL), 0);
	nsze = nvme_get64(id, 0);
	CHECK_EQ(nsze, ns->nr_blocks);
	CHECK_EQ(nvme_get64(id, 8), nsze);
	/* past the host's blocks: out of range */
	CHECK_EQ(io(&t, NVME_CMD_READ, nsze, 1, buf) & 0x7ff, NVME_SC_LBA_RANGE);
	CHECK_EQ(io(&t, NVME_CMD_READ, nsze - 1, 1, buf), 0);
	th_fini(&t);
}

/* Overwrites of twice the capacity: GC runs, every block reads what was last written. */
UNIT_TEST(conv_data_through_gc)
{
	struct th t;
	u64 buf = host_alloc(4096), rng = 7, n, i, bad = 0;
	u32 *gen;

	setup(&t, 32);
	n = t.c->ns[0].nr_blocks;
	gen = calloc(n, sizeof(*gen));
	for (i = 0; i < n; i++) {
		memset(host_ptr(buf), 0, 4096);
		nvme_put64(host_ptr(buf), 0, i);
		nvme_put32(host_ptr(buf), 8, ++gen[i]);
		CHECK_EQ(io(&t, NVME_CMD_WRITE, i, 1, buf), 0);
	}
	for (i = 0; i < 2 * n; i++) {
		u64 b = rng_next(&rng) % n;

		nvme_put64(host_ptr(buf), 0, b);
		nvme_put32(host_ptr(buf), 8, ++gen[b]);
		if (io(&t, NVME_CMD_WRITE, b, 1, buf))
			bad++;
	}
	CHECK_EQ(bad, 0);
	for (i = 0; i < n; i++) {
		memset(host_ptr(buf), 0xee, 4096);
		if (io(&t, NVME_CMD_READ, i, 1, buf) || nvme_get64(host_ptr(buf), 0) != i ||
		    nvme_get32(host_ptr(buf), 8) != gen[i])
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(stat(&t, "host_pages_written"), 3 * n);
	CHECK(stat(&t, "gc_runs") > 0);
	CHECK_EQ(stat(&t, "erases"), stat(&t, "gc_runs"));
	CHECK_EQ(stat(&t, "media_pages_written"),
		 stat(&t, "host_pages_written") + stat(&t, "gc_pages_moved"));
	CHECK(stat(&t, "waf") > 1000);
	CHECK_EQ(stat(&t, "gc_stuck"), 0);
	CHECK(stat(&t, "free_lines") >= NVMEV_FTL_GC_RESERVE);
	free(gen);
	th_fini(&t);
}

UNIT_TEST(conv_deallocate_and_write_zeroes)
{
	struct th t;
	u64 buf = host_alloc(8192), dsm = host_alloc(4096);
	struct nvme_sqe c;
	u8 zero[4096] = { 0 };

	setup(&t, 32);
	memset(host_ptr(buf), 0x5a, 8192);
	CHECK_EQ(io(&t, NVME_CMD_WRITE, 10, 2, buf), 0);
	CHECK_EQ(io(&t, NVME_CMD_WRITE, 20, 2, buf), 0);
	CHECK_EQ(stat(&t, "host_pages_written"), 4);
	/* Deallocate 10..11: reads zeroes, the FTL unmapped them */
	nvme_put32(host_ptr(dsm), 4, 2);
	nvme_put64(host_ptr(dsm), 8, 10);
	sqe_init(&c, NVME_CMD_DSM, 5, 1);
	c.dw[6] = (u32)dsm;
	c.dw[7] = (u32)(dsm >> 32);
	c.dw[10] = 0;
	c.dw[11] = NVME_DSM_AD;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK_EQ(stat(&t, "trimmed_pages"), 2);
	CHECK_EQ(io(&t, NVME_CMD_READ, 10, 2, buf), 0);
	CHECK(!memcmp(host_ptr(buf), zero, 4096) && !memcmp(host_ptr(buf) + 4096, zero, 4096));
	/* Write Zeroes 20..21 too */
	sqe_init(&c, NVME_CMD_WRITE_ZEROES, 6, 1);
	c.dw[10] = 20;
	c.dw[12] = 1;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK_EQ(stat(&t, "trimmed_pages"), 4);
	CHECK_EQ(nvmev_ftl_lookup(&((struct nvmev_conv_timing *)t.c->ns[0].timing)->ftl, 20),
		 NVMEV_FTL_UNMAPPED);
	th_fini(&t);
}

/* 512-byte blocks: a partial page maps the page; only whole pages are unmapped. */
UNIT_TEST(conv_small_blocks)
{
	struct th t;
	u64 sizes[NVMEV_MAX_NS] = { 32 * MiB };
	u32 shifts[NVMEV_MAX_NS] = { 9 };
	const struct nvmev_type *types[NVMEV_MAX_NS] = { conv_type() };
	struct nvmev_conv_timing *m;
	u64 buf = host_alloc(4096);
	struct nvme_sqe c;

	th_tunable("channels", 4);
	th_tunable("dies_per_channel", 2);
	th_init_types(&t, sizes, shifts, types, NULL, 0xc1);
	CHECK(th_enable(&t));
	CHECK(th_create_io_pair(&t, 1, 64));
	m = (struct nvmev_conv_timing *)t.c->ns[0].timing;
	CHECK_EQ(io(&t, NVME_CMD_WRITE, 9, 1, buf), 0);	/* in page 1 */
	CHECK(nvmev_ftl_lookup(&m->ftl, 1) != NVMEV_FTL_UNMAPPED);
	CHECK_EQ(nvmev_ftl_lookup(&m->ftl, 0), NVMEV_FTL_UNMAPPED);
	sqe_init(&c, NVME_CMD_WRITE_ZEROES, 6, 1);
	c.dw[10] = 9;		/* one sector of page 1: it stays mapped */
	c.dw[12] = 0;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK(nvmev_ftl_lookup(&m->ftl, 1) != NVMEV_FTL_UNMAPPED);
	c.dw[10] = 8;		/* all of page 1 */
	c.dw[12] = 7;
	CHECK_EQ(th_io(&t, 1, &c), 0);
	CHECK_EQ(nvmev_ftl_lookup(&m->ftl, 1), NVMEV_FTL_UNMAPPED);
	th_fini(&t);
}

/* A namespace too small for a working GC is refused; the minimum is the model's. */
UNIT_TEST(conv_too_small_refused)
{
	struct th t;
	u64 buf = host_alloc(4096), min;
	u8 *d = host_ptr(buf);
	struct nvme_sqe c;
	u32 nsid = 0;

	setup(&t, 32);
	min = t.c->ns[0].timing->ops->min_size(t.c->ns[0].timing);
	CHECK(min > 1 * MiB && min < 32 * MiB);
	/* Namespace Management: a namespace below the minimum, Invalid Field */
	memset(d, 0, 4096);
	nvme_put64(d, 0, min / 4096 - 1);
	nvme_put64(d, 8, min / 4096 - 1);
	d[26] = 1;
	sqe_init(&c, NVME_ADMIN_NS_MGMT, 8, 0);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = 0;
	CHECK_EQ(th_admin(&t, &c, &nsid) & 0x7ff, NVME_SC_INVALID_FIELD);
	nvme_put64(d, 0, (min + 4095) / 4096);
	nvme_put64(d, 8, (min + 4095) / 4096);
	CHECK_EQ(th_admin(&t, &c, &nsid), 0);
	CHECK_EQ(nsid, 2);
	CHECK(t.c->ns[1].nr_blocks > 0);
	th_fini(&t);
}

/* Every preset makes a working FTL for every size from 256 MiB to 1 TiB. */
UNIT_TEST(conv_presets_all_sizes)
{
	const struct nvmev_media *m = &nvmev_conv_media;
	struct nvmev_conv_timing *z = calloc(1, m->size);
	u32 i, j;
	u64 mib;

	CHECK(m->nr_presets >= 3);
	CHECK(nvmev_preset_find(m, "datacenter-tlc") == &m->presets[0]);
	CHECK(nvmev_preset_find(m, "client-tlc") != NULL);
	CHECK(nvmev_preset_find(m, "qlc") != NULL);
	CHECK(nvmev_preset_find(m, "slc") == NULL);
	for (i = 0; i < m->nr_presets; i++) {
		const struct nvmev_preset *p = &m->presets[i];

		nvmev_media_init_defaults(m, &z->base);
		for (j = 0; j < p->nr_values; j++) {
			const struct nvmev_tunable *tu = nvmev_tunable_find(m, p->values[j].name);

			CHECK(tu != NULL);
			if (!tu)
				continue;
			CHECK(p->values[j].value >= tu->min && p->values[j].value <= tu->max);
			/* the first preset is the defaults */
			if (!i)
				CHECK_EQ(tu->def, p->values[j].value);
			nvmev_tunable_set(&z->base, tu, p->values[j].value);
		}
		CHECK_EQ(m->init(&z->base), 0);
		for (mib = 256; mib <= 1024 * 1024; mib *= 2) {
			struct nvmev_ftl_params fp;
			struct nvmev_ftl_geo g;

			nvmev_conv_ftl_params(z, &fp);
			CHECK_EQ(nvmev_ftl_geometry(&fp, mib * MiB, &g), 0);
			CHECK(g.meta_bytes * 1000 <= (g.user_pages << 12) * 3);
			CHECK(g.nr_lines >= 512);
		}
		CHECK(z->base.ops->min_size(&z->base) < 256 * MiB);
	}
	free(z);
}

/* What a restore brings: the same FTL is taken, a damaged one refused. */
UNIT_TEST(conv_load_checks_the_state)
{
	const struct nvmev_media *m = &nvmev_conv_media;
	struct nvmev_conv_timing *z = calloc(1, m->size);
	u64 size = 64 * MiB, host, i;
	u8 *mem = aligned_alloc(4096, size), *copy = aligned_alloc(4096, size);
	struct nvmev_req req;

	CHECK_EQ(nvmev_media_init_defaults(m, &z->base), 0);
	host = z->base.ops->format(&z->base, mem, size);
	CHECK(host > 0 && host < size);
	memset(&req, 0, sizeof(req));
	req.lba_shift = 12;
	req.opcode = NVME_CMD_WRITE;
	req.nlb = 16;
	for (i = 0; i < host / 4096 / 16; i++) {
		req.slba = i * 16;
		z->base.ops->schedule(&z->base, &req, 1000);
	}
	memcpy(copy, mem, size);
	CHECK_EQ(z->base.ops->load(&z->base, copy, size), 0);
	CHECK_EQ(z->ftl.s->n.host_pages, host / 4096 / 16 * 16);
	memset(copy + host, 0x5a, 4096);	/* the FTL's header */
	CHECK_EQ(z->base.ops->load(&z->base, copy, size), -1);
	CHECK(!z->ready);
	/* a namespace of another size: another layout */
	memcpy(copy, mem, size);
	CHECK_EQ(z->base.ops->load(&z->base, copy, size - 4 * MiB), -1);
	CHECK_EQ(z->base.ops->load(&z->base, copy, size), 0);
	free(mem);
	free(copy);
	free(z);
}

/* The timeline: tR, transfers, early completion, the buffer cliff, erases. */
UNIT_TEST(conv_timing)
{
	const struct nvmev_media *m = &nvmev_conv_media;
	struct nvmev_conv_timing *z = calloc(1, m->size);
	u64 size = 256 * MiB, t0 = 1000000, done, i, first_wait = 0, unit;
	u8 *mem = aligned_alloc(4096, size);
	struct nvmev_req req;

	CHECK_EQ(nvmev_media_init_defaults(m, &z->base), 0);
	CHECK(z->base.ops->format(&z->base, mem, size) > 0);
	unit = z->nand.unit_bytes;
	CHECK_EQ(unit, 16 * 1024 * 4 * 3);
	memset(&req, 0, sizeof(req));
	req.lba_shift = 12;
	req.nlb = 1;
	/* an unmapped read: the firmware and the link only */
	req.opcode = NVME_CMD_READ;
	done = z->base.ops->schedule(&z->base, &req, t0);
	CHECK(done < t0 + 10000);
	/* a write completes once buffered, well before tPROG */
	req.opcode = NVME_CMD_WRITE;
	done = z->base.ops->schedule(&z->base, &req, t0);
	CHECK(done < t0 + 10000);
	/* still in the buffer: a read of it costs no tR */
	req.opcode = NVME_CMD_READ;
	done = z->base.ops->schedule(&z->base, &req, t0);
	CHECK(done < t0 + 10000);
	/*
	 * Fill the 16 MiB buffer and more, all at once over an unlimited
	 * link: writes complete at once until it is full, then wait for NAND.
	 */
	z->host_mbps = 0;
	req.opcode = NVME_CMD_WRITE;
	req.nlb = 64;	/* 256 KiB */
	for (i = 0; i < 200; i++) {
		req.slba = 1 + i * 64;
		done = z->base.ops->schedule(&z->base, &req, t0);
		if (!first_wait && done > t0 + 1400000)
			first_wait = (i + 1) * 64 * 4096;
		if (!first_wait)
			CHECK(done < t0 + 10000);
	}
	z->host_mbps = 7000;
	if (!(first_wait >= 12 * MiB && first_wait <= 20 * MiB))
		fprintf(stderr, "first wait after %llu bytes\n", (unsigned long long)first_wait);
	CHECK(first_wait >= 12 * MiB && first_wait <= 20 * MiB);
	CHECK(z->ftl.s->n.wb_waits > 0);
	/* a mapped, programmed page: tR and the transfers */
	z->base.ops->reset(&z->base);
	req.opcode = NVME_CMD_READ;
	req.slba = 2;
	req.nlb = 1;
	done = z->base.ops->schedule(&z->base, &req, t0);
	CHECK(done >= t0 + 50000 + 4096 * 1000 / 1200);
	if (done >= t0 + 70000)
		fprintf(stderr, "read took %llu\n", (unsigned long long)(done - t0));
	CHECK(done < t0 + 70000);
	/* erases are never free: tBERS is at least 1 ns and the default is 5 ms */
	CHECK(nvmev_tunable_find(m, "erase_ns")->min >= 1);
	CHECK_EQ(z->nand.erase_ns, 5000000);
	z->base.ops->reset(&z->base);
	nvmev_nand_erase(&z->nand, 0, z->geo.line_pages * 4096ull, t0);
	CHECK(z->nand.die_free[0] >= t0 + 5000000);
	/*
	 * The FTL's erase of a line: its blocks are scaled down from the
	 * preset's (2304 pages), and tBERS with them, on every die of the line
	 */
	CHECK(z->geo.pages_per_block < z->nand.pages_per_block);
	z->base.ops->reset(&z->base);
	z->sink_now = t0;
	z->ftl.sink->erase(z->ftl.ctx, 0);
	CHECK_EQ(z->nand.die_free[0] - t0,
		 NVMEV_MAX(5000000ull * z->geo.pages_per_block / z->nand.pages_per_block, 1ull));
	CHECK_EQ(z->nand.die_free[z->geo.line_dies - 1], z->nand.die_free[0]);
	free(mem);
	free(z);
}

static u16 get_log(struct th *t, u8 lid, u32 nsid, u64 buf, u32 len)
{
	struct nvme_sqe c;

	memset(host_ptr(buf), 0xee, len);
	sqe_init(&c, NVME_ADMIN_GET_LOG_PAGE, 11, nsid);
	c.dw[6] = (u32)buf;
	c.dw[7] = (u32)(buf >> 32);
	c.dw[10] = lid | ((len / 4 - 1) << 16);
	return th_admin(t, &c, NULL);
}

/* The OCP SMART extended log and SMART carry the media's counts. */
UNIT_TEST(conv_ocp_smart_log)
{
	static const u8 guid[16] = { 0xc5, 0xaf, 0x10, 0x28, 0xea, 0xbf, 0xf2, 0xa4,
				     0x9c, 0x4f, 0x6f, 0x7c, 0xc9, 0x14, 0xd5, 0xaf };
	struct th t;
	u64 buf = host_alloc(4096), log = host_alloc(4096), rng = 3, n, i;
	u8 *p = host_ptr(log);

	setup(&t, 32);
	n = t.c->ns[0].nr_blocks;
	for (i = 0; i < 3 * n; i++)
		CHECK_EQ(io(&t, NVME_CMD_WRITE, i < n ? i : rng_next(&rng) % n, 1, buf), 0);
	CHECK_EQ(get_log(&t, NVME_LOG_OCP_SMART, 0xffffffff, log, 512), 0);
	CHECK(!memcmp(p + 496, guid, 16));
	CHECK_EQ(nvme_get16(p, 494), 3);
	CHECK_EQ(p[103], 2);
	CHECK_EQ(nvme_get64(p, 0), stat(&t, "media_pages_written") * 4096);
	CHECK_EQ(nvme_get64(p, 8), 0);
	CHECK(nvme_get64(p, 0) > 3 * n * 4096);
	CHECK(nvme_get32(p, 88) >= nvme_get32(p, 92));
	CHECK(nvme_get32(p, 88) > 0);
	/* what the host wrote, in SMART's units of 1000 x 512 bytes */
	CHECK_EQ(get_log(&t, NVME_LOG_SMART, 0xffffffff, log, 512), 0);
	CHECK_EQ(nvme_get64(p, 48), (3 * n * 4096 / 512 + 999) / 1000);
	CHECK(p[5] <= 100);
	/* a namespace's NSID is not one of this log's */
	CHECK_EQ(get_log(&t, NVME_LOG_OCP_SMART, 1, log, 512) & 0x7ff, NVME_SC_INVALID_FIELD);
	th_fini(&t);
}
