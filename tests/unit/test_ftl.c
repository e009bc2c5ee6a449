// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conventional type's FTL (src/model/ftl.c) through the simulator's
 * engine (tests/model/sim.c): steady-state write amplification against the
 * greedy model, sequential overwrites, cost-benefit on a hot/cold mix,
 * deallocation, the worst case of a device full of valid data, the
 * metadata budget, and the image check.
 */
#include <math.h>
#include <stdlib.h>
#include "th.h"
#include "../model/sim.h"

/* Small lines (256 pages) so that 1 GiB has about 1100 of them. */
static void small_lines(struct sim_config *c, u32 op)
{
	memset(c, 0, sizeof(*c));
	sim_default_params(&c->p);
	c->p.dies = 8;
	c->p.stripe_pages = 4;
	c->p.oneshot = 1;
	c->p.pages_per_block = 256;
	c->p.op_percent = op;
	c->bytes = 1024ull << 20;
	c->passes_x10 = 30;
}

static bool within(double v, double want, double tol)
{
	return fabs(v - want) <= want * tol;
}

UNIT_TEST(ftl_random_waf_matches_the_greedy_model)
{
	static const u32 ops[] = { 7, 14, 28 };
	static const double model[] = { 7.82, 4.25, 2.48 };
	u32 i;

	for (i = 0; i < 3; i++) {
		struct sim_config c;
		struct sim_result r;

		small_lines(&c, ops[i]);
		CHECK_EQ(sim_run(&c, &r), 0);
		CHECK(within(sim_model_waf(ops[i] / 100.0), model[i], 0.005));
		if (!within(r.waf_last, model[i], 0.10))
			fprintf(stderr, "op %u: waf %.3f, model %.2f\n", ops[i], r.waf_last, model[i]);
		CHECK(within(r.waf_last, model[i], 0.10));
		CHECK_EQ(r.n.stuck, 0);
		CHECK(r.n.gc_runs > 0);
		CHECK_EQ(r.n.erases, r.n.gc_runs);
		CHECK_EQ(r.n.media_pages, r.n.host_pages + r.n.gc_pages);
	}
}

/* The preset-like geometry (3 MiB lines over 32 dies) at 4 GiB, too. */
UNIT_TEST(ftl_random_waf_datacenter_geometry)
{
	struct sim_config c = { .bytes = 4096ull << 20, .passes_x10 = 30 };
	struct sim_result r;

	sim_default_params(&c.p);
	CHECK_EQ(sim_run(&c, &r), 0);
	CHECK(within(r.waf_last, 7.82, 0.10));
	CHECK_EQ(r.n.stuck, 0);
}

UNIT_TEST(ftl_sequential_overwrites)
{
	struct sim_config c;
	struct sim_result r;

	small_lines(&c, 7);
	c.workload = SIM_SEQUENTIAL;
	CHECK_EQ(sim_run(&c, &r), 0);
	CHECK(r.waf < 1.05);
	CHECK(r.n.gc_runs > 0);
	CHECK_EQ(r.n.stuck, 0);
}

UNIT_TEST(ftl_cost_benefit_beats_greedy_on_hot_cold)
{
	static const u32 mix[][2] = { { 90, 10 }, { 80, 20 } };
	u32 i;

	for (i = 0; i < 2; i++) {
		struct sim_config c;
		struct sim_result g, cb;

		small_lines(&c, 7);
		c.workload = SIM_HOTCOLD;
		c.hot_pct = mix[i][0];
		c.hot_space_pct = mix[i][1];
		c.passes_x10 = 50;
		CHECK_EQ(sim_run(&c, &g), 0);
		c.p.policy = NVMEV_FTL_COST_BENEFIT;
		CHECK_EQ(sim_run(&c, &cb), 0);
		CHECK(cb.waf_last < g.waf_last * 0.95);
		CHECK_EQ(g.n.stuck + cb.n.stuck, 0);
	}
}

/* Half the device deallocated: the live half has the spare of rho' = 2(1 + rho) - 1. */
UNIT_TEST(ftl_trim_lowers_waf_as_the_model_says)
{
	struct sim_config c;
	struct sim_result r, full;
	double want = sim_model_waf(2 * 1.07 - 1);

	small_lines(&c, 7);
	c.trim_pct = 50;
	c.span_pct = 50;
	c.passes_x10 = 40;
	CHECK_EQ(sim_run(&c, &r), 0);
	CHECK(within(r.waf_last, want, 0.10));
	CHECK(r.n.trimmed >= r.g.user_pages / 2 - 1);
	small_lines(&c, 7);
	c.span_pct = 50;
	c.passes_x10 = 40;
	CHECK_EQ(sim_run(&c, &full), 0);	/* the same writes, nothing trimmed */
	CHECK(full.waf_last > 2 * r.waf_last);
}

/* The FTL's own consistency: maps inverse, counts right, lists whole. */
static void check_consistent(const struct nvmev_ftl *f)
{
	const struct nvmev_ftl_state *s = f->s;
	u64 nr_ppn = (u64)s->nr_lines * s->line_pages, lpn, mapped = 0, valid = 0, i;
	u32 nfree = 0, l, bad = 0;

	for (lpn = 0; lpn < s->user_pages; lpn++) {
		u32 p = f->l2p[lpn];

		if (p == NVMEV_FTL_UNMAPPED)
			continue;
		mapped++;
		if (p >= nr_ppn || f->p2l[p] != lpn)
			bad++;
	}
	for (i = 0; i < nr_ppn; i++)
		if (f->p2l[i] != NVMEV_FTL_UNMAPPED && f->l2p[f->p2l[i]] != i)
			bad++;
	for (l = 0; l < s->nr_lines; l++) {
		valid += f->lines[l].valid;
		nfree += f->lines[l].state == NVMEV_FTL_LINE_FREE;
		if (f->lines[l].state == NVMEV_FTL_LINE_FREE && f->lines[l].valid)
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(valid, mapped);
	CHECK_EQ(nfree, s->nr_free);
}

static void *ftl_new(struct nvmev_ftl *f, const struct nvmev_ftl_params *p, u64 bytes,
		     struct nvmev_ftl_geo *g)
{
	void *mem;

	if (nvmev_ftl_geometry(p, bytes, g))
		return NULL;
	mem = aligned_alloc(4096, (g->meta_bytes + 4095) & ~4095ull);
	if (mem)
		nvmev_ftl_format(f, mem, p, g);
	return mem;
}

/*
 * The worst case: the smallest namespace the geometry takes (the fewest
 * spare lines), full of valid data, every line losing the same few pages
 * (so that every victim is nearly full), then random overwrites: every
 * write lands, GC never runs out of lines.
 */
UNIT_TEST(ftl_worst_case_full_of_valid_data)
{
	struct sim_config c;
	struct nvmev_ftl f = { 0 };
	struct nvmev_ftl_geo g;
	u64 min, user, i, rng = 12345, unmapped = 0;
	void *mem;

	small_lines(&c, 1);
	min = nvmev_ftl_min_bytes(&c.p);
	CHECK(min > 0);
	CHECK(nvmev_ftl_geometry(&c.p, min - 4096, &g) != 0);
	mem = ftl_new(&f, &c.p, min, &g);
	CHECK(mem != NULL);
	if (!mem)
		return;
	CHECK_EQ(g.nr_lines - (g.user_pages + g.line_pages - 1) / g.line_pages,
		 NVMEV_FTL_MIN_SPARE);
	user = g.user_pages;
	nvmev_ftl_write(&f, 0, user);
	/* every line loses one page in 64, evenly */
	for (i = 0; i < user; i += 64)
		nvmev_ftl_write(&f, i, 1);
	for (i = 0; i < 4 * user; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		nvmev_ftl_write(&f, rng % user, 1);
	}
	for (i = 0; i < user; i++)
		unmapped += nvmev_ftl_lookup(&f, i) == NVMEV_FTL_UNMAPPED;
	CHECK_EQ(unmapped, 0);
	CHECK_EQ(f.s->n.stuck, 0);
	CHECK(f.s->nr_free >= NVMEV_FTL_GC_RESERVE);
	check_consistent(&f);
	free(mem);
}

/* At most 0.3 % of the capacity goes to the FTL's state, over sizes and spares. */
UNIT_TEST(ftl_metadata_budget)
{
	static const u32 ops[] = { 7, 14, 28, 50 };
	u64 mib;
	u32 i;

	for (i = 0; i < 4; i++)
		for (mib = 256; mib <= 256 * 1024; mib *= 4) {
			struct nvmev_ftl_params p;
			struct nvmev_ftl_geo g;

			sim_default_params(&p);
			p.op_percent = ops[i];
			CHECK_EQ(nvmev_ftl_geometry(&p, mib << 20, &g), 0);
			CHECK(g.meta_bytes * 1000 <= (g.user_pages << 12) * 3);
			CHECK((g.user_pages << 12) + g.meta_bytes <= mib << 20);
			/* the spare is what op_percent asks, to a line */
			CHECK(nvmev_ftl_spare_permille(&g) >= ops[i] * 10);
			CHECK(nvmev_ftl_spare_permille(&g) <= ops[i] * 10 + 1000ull *
			      g.line_pages / g.user_pages + 1);
			CHECK(g.nr_lines >= NVMEV_FTL_MIN_LINES);
		}
}

static u64 total_valid(const struct nvmev_ftl *f)
{
	u64 v = 0;
	u32 l;

	for (l = 0; l < f->s->nr_lines; l++)
		v += f->lines[l].valid;
	return v;
}

UNIT_TEST(ftl_deallocate_and_policy_steps)
{
	struct sim_config c;
	struct nvmev_ftl f = { 0 };
	struct nvmev_ftl_geo g;
	void *mem;

	small_lines(&c, 7);
	mem = ftl_new(&f, &c.p, 64ull << 20, &g);
	CHECK(mem != NULL);
	if (!mem)
		return;
	CHECK_EQ(nvmev_ftl_lookup(&f, 5), NVMEV_FTL_UNMAPPED);
	nvmev_ftl_write(&f, 0, 100);
	CHECK(nvmev_ftl_lookup(&f, 5) != NVMEV_FTL_UNMAPPED);
	CHECK_EQ(total_valid(&f), 100);
	nvmev_ftl_trim(&f, 0, 10);
	CHECK_EQ(nvmev_ftl_lookup(&f, 5), NVMEV_FTL_UNMAPPED);
	CHECK_EQ(f.s->n.trimmed, 10);
	nvmev_ftl_trim(&f, 0, 10);	/* unmapped: nothing more */
	CHECK_EQ(f.s->n.trimmed, 10);
	CHECK_EQ(total_valid(&f), 90);
	check_consistent(&f);
	/* background GC does nothing while lines are plenty */
	CHECK(!nvmev_ftl_gc_background(&f, 64));
	free(mem);
}

/* An image's FTL: rebuilt and checked; damage refused. */
UNIT_TEST(ftl_attach_checks_an_image)
{
	struct sim_config c;
	struct nvmev_ftl f = { 0 }, f2 = { 0 };
	struct nvmev_ftl_geo g, g2;
	u64 i, rng = 99, bytes;
	void *mem, *copy;
	u32 valid0;

	small_lines(&c, 7);
	mem = ftl_new(&f, &c.p, 64ull << 20, &g);
	CHECK(mem != NULL);
	if (!mem)
		return;
	for (i = 0; i < 3 * g.user_pages; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		nvmev_ftl_write(&f, rng % g.user_pages, 1);
	}
	bytes = g.meta_bytes;
	copy = aligned_alloc(4096, (bytes + 4095) & ~4095ull);
	CHECK(copy != NULL);
	if (!copy) {
		free(mem);
		return;
	}
	memcpy(copy, mem, bytes);
	CHECK_EQ(nvmev_ftl_attach(&f2, copy, &c.p, &g), 0);
	check_consistent(&f2);
	CHECK_EQ(f2.s->n.host_pages, f.s->n.host_pages);
	valid0 = f.lines[0].valid;
	CHECK_EQ(f2.lines[0].valid, valid0);
	/* it runs on */
	nvmev_ftl_write(&f2, 0, g.user_pages);
	check_consistent(&f2);
	CHECK_EQ(f2.s->n.stuck, 0);

	/* a page mapped twice */
	memcpy(copy, mem, bytes);
	f2.l2p = (u32 *)((u8 *)copy + ((u8 *)f.l2p - (u8 *)mem));
	f2.l2p[1] = f2.l2p[2];
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	/* a page past the lines */
	memcpy(copy, mem, bytes);
	f2.l2p[1] = g.nr_lines * g.line_pages;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	/* a page in a free line */
	memcpy(copy, mem, bytes);
	f2.l2p[1] = f.s->free_head ? (f.s->free_head - 1) * g.line_pages : f2.l2p[1] + 1;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	/* another layout, a bad magic, a bad line state */
	memcpy(copy, mem, bytes);
	g2 = g;
	g2.nr_lines++;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g2) != 0);
	((u8 *)copy)[0] ^= 1;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	memcpy(copy, mem, bytes);
	f2.lines = (struct nvmev_ftl_line *)((u8 *)copy + ((u8 *)f.lines - (u8 *)mem));
	f2.lines[3].state = 77;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	/* a write point beyond its line */
	memcpy(copy, mem, bytes);
	((struct nvmev_ftl_state *)copy)->wp_off[0] = g.line_pages + 1;
	CHECK(nvmev_ftl_attach(&f2, copy, &c.p, &g) != 0);
	free(copy);
	free(mem);
}

UNIT_TEST(ftl_refuses_what_cannot_work)
{
	struct nvmev_ftl_params p;
	struct nvmev_ftl_geo g;

	sim_default_params(&p);
	CHECK(nvmev_ftl_geometry(&p, 1ull << 20, &g) != 0);
	CHECK_EQ(g.user_pages, 0);
	p.op_percent = 0;	/* no spare: no GC */
	CHECK(nvmev_ftl_geometry(&p, 1ull << 30, &g) != 0);
	CHECK_EQ(nvmev_ftl_min_bytes(&p), 0);
	sim_default_params(&p);
	p.oneshot = 0;
	CHECK(nvmev_ftl_geometry(&p, 1ull << 30, &g) != 0);
	sim_default_params(&p);
	CHECK(nvmev_ftl_min_bytes(&p) > (1ull << 20));
	CHECK(nvmev_ftl_min_bytes(&p) < (256ull << 20));
}
