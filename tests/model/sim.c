// SPDX-License-Identifier: GPL-2.0-only
/*
 * The FTL simulator's engine: see sim.h.
 */
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include "sim.h"
#include "conv.h"

void sim_default_params(struct nvmev_ftl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dies = 32;		/* 8 channels x 4 dies */
	p->stripe_pages = 8;	/* 16 KiB pages on 2 planes */
	p->oneshot = 3;		/* one-shot TLC */
	p->pages_per_block = 1152;
	p->op_percent = 7;
	p->policy = NVMEV_FTL_GREEDY;
}

double sim_model_waf(double rho)
{
	double a = 1.0 + rho, x = -a * exp(-a), w = x;
	int i;

	/* W0(x) by Newton's method from x, on (-1, 0) */
	for (i = 0; i < 100; i++) {
		double ew = exp(w), f = w * ew - x, d = ew * (w + 1.0);

		if (fabs(f) < 1e-15)
			break;
		w -= f / d;
	}
	return a / (a + w);
}

static u64 rng_next(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static u64 rng_below(u64 *s, u64 n)
{
	return (u64)(((__uint128_t)rng_next(s) * n) >> 64);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static u64 next_lpn(const struct sim_config *c, u64 user, u64 span, u64 *rng, u64 *seq)
{
	u64 hot;

	switch (c->workload) {
	case SIM_SEQUENTIAL:
		*seq = (*seq + 1) % user;
		return *seq;
	case SIM_HOTCOLD:
		hot = NVMEV_MAX(1ull, user * c->hot_space_pct / 100);
		if (rng_below(rng, 100) < c->hot_pct)
			return rng_below(rng, hot);
		return hot + rng_below(rng, user - hot);
	default:
		return rng_below(rng, span);
	}
}

int sim_run(const struct sim_config *c, struct sim_result *r)
{
	struct nvmev_ftl f = { 0 };
	u64 user, span, writes, i, rng = c->seed ? c->seed : 0x9e3779b97f4a7c15ull, seq = ~0ull;
	u64 h0, m0, hl = 0, ml = 0;
	void *mem;
	double t0;

	memset(r, 0, sizeof(*r));
	if (nvmev_ftl_geometry(&c->p, c->bytes, &r->g))
		return -1;
	mem = aligned_alloc(4096, (r->g.meta_bytes + 4095) & ~4095ull);
	if (!mem)
		return -1;
	nvmev_ftl_format(&f, mem, &c->p, &r->g);
	user = r->g.user_pages;
	/* each command as the conventional media model runs it: a step of background GC after */
	if (!c->no_fill)
		for (i = 0; i < user; i += 32) {
			nvmev_ftl_write(&f, i, NVMEV_MIN(32ull, user - i));
			nvmev_ftl_gc_background(&f, NVMEV_CONV_BG_BUDGET);
		}
	span = c->span_pct ? NVMEV_MAX(1ull, user * c->span_pct / 100) : user;
	if (c->trim_pct)
		nvmev_ftl_trim(&f, user - user * c->trim_pct / 100, user * c->trim_pct / 100);
	h0 = f.s->n.host_pages;
	m0 = f.s->n.media_pages;
	writes = span * c->passes_x10 / 10;
	r->free_min = f.s->nr_free;
	t0 = cpu_seconds();
	for (i = 0; i < writes; i++) {
		if (i == (writes > span ? writes - span : 0)) {
			hl = f.s->n.host_pages;
			ml = f.s->n.media_pages;
		}
		nvmev_ftl_write(&f, next_lpn(c, user, span, &rng, &seq), 1);
		nvmev_ftl_gc_background(&f, NVMEV_CONV_BG_BUDGET);
		if (f.s->nr_free < r->free_min)
			r->free_min = f.s->nr_free;
	}
	r->seconds = cpu_seconds() - t0;
	r->writes = writes;
	r->n = f.s->n;
	if (f.s->n.host_pages > h0)
		r->waf = (double)(f.s->n.media_pages - m0) / (double)(f.s->n.host_pages - h0);
	if (f.s->n.host_pages > hl)
		r->waf_last = (double)(f.s->n.media_pages - ml) / (double)(f.s->n.host_pages - hl);
	free(mem);
	return 0;
}
