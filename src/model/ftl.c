// SPDX-License-Identifier: GPL-2.0-only
/*
 * The page-mapping FTL of ftl.h: layout, host writes and deallocations,
 * the write points, garbage collection and the image check.
 */
#include "ftl.h"

#define FTL_VERSION	1
#define FTL_HOST	0
#define FTL_GC		1
#define FTL_NONE	0xffffffffu
/* GC work units: a page moved is one, this many pages passed over are one */
#define FTL_PASS_COST	16

static const u8 ftl_magic[8] = { 'N', 'V', 'M', 'E', 'V', 'F', 'T', 'L' };

/* ---- Layout ---- */

static u64 align8(u64 v)
{
	return (v + 7) & ~7ull;
}

/* Bytes of the state of a layout, and where each part starts. */
static u64 meta_layout(const struct nvmev_ftl_geo *g, u64 *l2p, u64 *p2l, u64 *lines, u64 *bkt)
{
	u64 at = NVMEV_FTL_HDR_BYTES;

	*l2p = at;
	at = align8(at + g->user_pages * 4);
	*p2l = at;
	at = align8(at + (u64)g->nr_lines * g->line_pages * 4);
	*lines = at;
	at = align8(at + (u64)g->nr_lines * sizeof(struct nvmev_ftl_line));
	*bkt = at;
	return align8(at + ((u64)g->line_pages + 1) * 4);
}

/*
 * The lines @user pages need with @p; false when they make no working FTL.
 * A line is a block on each die; blocks shrink (down to one program unit)
 * to give about NVMEV_FTL_TARGET_LINES lines, and below that a line spans
 * fewer dies (a divisor of them): consecutive lines take the next dies, so
 * the host's writes still go round all of them.
 */
static bool lines_for(const struct nvmev_ftl_params *p, u64 user, struct nvmev_ftl_geo *g)
{
	u64 unit = (u64)p->stripe_pages * p->oneshot;
	u64 phys = (user * (100 + p->op_percent) + 99) / 100;
	u64 rows_max = p->pages_per_block / p->oneshot, rows = 1, units, lp, n, used;
	u64 l2p, p2l, lines, bkt;

	if (!user)
		return false;
	units = phys / ((u64)NVMEV_FTL_TARGET_LINES * unit);
	if (units >= p->dies) {
		rows = NVMEV_MIN(units / p->dies, rows_max);
		units = p->dies * rows;
	} else {
		units = NVMEV_MAX(units, 1ull);
		while (p->dies % units)
			units--;
	}
	lp = unit * units;
	n = (phys + lp - 1) / lp;
	used = (user + lp - 1) / lp;
	if (n < NVMEV_FTL_MIN_LINES || n < used + NVMEV_FTL_MIN_SPARE || n * lp >= FTL_NONE ||
	    lp >= FTL_NONE)
		return false;
	g->user_pages = user;
	g->nr_lines = (u32)n;
	g->line_pages = (u32)lp;
	g->unit_pages = (u32)unit;
	g->line_dies = (u32)NVMEV_MIN(units, (u64)p->dies);
	g->pages_per_block = (u32)(rows * p->oneshot);
	g->meta_bytes = meta_layout(g, &l2p, &p2l, &lines, &bkt);
	return true;
}

static bool params_ok(const struct nvmev_ftl_params *p)
{
	return p->dies && p->stripe_pages && p->oneshot && p->pages_per_block >= p->oneshot &&
	       p->op_percent <= 400 && p->policy <= NVMEV_FTL_COST_BENEFIT;
}

int nvmev_ftl_geometry(const struct nvmev_ftl_params *p, u64 bytes, struct nvmev_ftl_geo *g)
{
	u64 user;
	u32 tries;

	memset(g, 0, sizeof(*g));
	if (!params_ok(p) || bytes < 2 * NVMEV_FTL_HDR_BYTES)
		return -1;
	/* about 4 + 4 (1 + op) bytes of state per page: start there, step down */
	user = (bytes - NVMEV_FTL_HDR_BYTES) /
	       (NVMEV_FTL_PAGE + 4 + 4 * (100 + p->op_percent) / 100 + 1);
	for (tries = 0; tries < 64 && user; tries++) {
		u64 need;

		if (!lines_for(p, user, g))
			return -1;
		need = (user << NVMEV_FTL_PAGE_SHIFT) + g->meta_bytes;
		if (need <= bytes)
			return 0;
		user -= NVMEV_MAX(1ull, (need - bytes + NVMEV_FTL_PAGE - 1) >> NVMEV_FTL_PAGE_SHIFT);
	}
	memset(g, 0, sizeof(*g));
	return -1;
}

u64 nvmev_ftl_min_bytes(const struct nvmev_ftl_params *p)
{
	struct nvmev_ftl_geo g;
	u64 lo = 2 * NVMEV_FTL_HDR_BYTES, hi = lo;

	if (!params_ok(p))
		return 0;
	while (nvmev_ftl_geometry(p, hi, &g)) {
		lo = hi;
		hi *= 2;
		if (hi > (1ull << 50))
			return 0;
	}
	/* the smallest that works, in 4 KiB steps */
	while (hi - lo > NVMEV_FTL_PAGE) {
		u64 mid = (lo + (hi - lo) / 2) & ~(u64)(NVMEV_FTL_PAGE - 1);

		if (mid <= lo)
			break;
		if (nvmev_ftl_geometry(p, mid, &g))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

u64 nvmev_ftl_spare_permille(const struct nvmev_ftl_geo *g)
{
	u64 phys = (u64)g->nr_lines * g->line_pages;

	return g->user_pages ? (phys - g->user_pages) * 1000 / g->user_pages : 0;
}

static void ftl_bind(struct nvmev_ftl *f, void *mem, const struct nvmev_ftl_geo *g)
{
	u64 l2p, p2l, lines, bkt;
	u8 *m = mem;

	meta_layout(g, &l2p, &p2l, &lines, &bkt);
	f->s = (struct nvmev_ftl_state *)m;
	f->l2p = (u32 *)(m + l2p);
	f->p2l = (u32 *)(m + p2l);
	f->lines = (struct nvmev_ftl_line *)(m + lines);
	f->buckets = (u32 *)(m + bkt);
}

/* ---- Lists ---- */

static void free_push(struct nvmev_ftl *f, u32 i)
{
	struct nvmev_ftl_state *s = f->s;
	struct nvmev_ftl_line *ln = &f->lines[i];

	ln->state = NVMEV_FTL_LINE_FREE;
	ln->valid = 0;
	ln->prev = 0;
	ln->next = 0;
	if (s->free_tail)
		f->lines[s->free_tail - 1].next = i + 1;
	else
		s->free_head = i + 1;
	s->free_tail = i + 1;
	s->nr_free++;
}

static u32 free_pop(struct nvmev_ftl *f)
{
	struct nvmev_ftl_state *s = f->s;
	u32 i;

	if (!s->free_head)
		return FTL_NONE;
	i = s->free_head - 1;
	s->free_head = f->lines[i].next;
	if (!s->free_head)
		s->free_tail = 0;
	f->lines[i].next = 0;
	s->nr_free--;
	return i;
}

static void bucket_add(struct nvmev_ftl *f, u32 i)
{
	struct nvmev_ftl_line *ln = &f->lines[i];
	u32 v = ln->valid;

	ln->prev = 0;
	ln->next = f->buckets[v];
	if (ln->next)
		f->lines[ln->next - 1].prev = i + 1;
	f->buckets[v] = i + 1;
	if (v < f->s->min_bucket)
		f->s->min_bucket = v;
}

static void bucket_del(struct nvmev_ftl *f, u32 i)
{
	struct nvmev_ftl_line *ln = &f->lines[i];

	if (ln->prev)
		f->lines[ln->prev - 1].next = ln->next;
	else
		f->buckets[ln->valid] = ln->next;
	if (ln->next)
		f->lines[ln->next - 1].prev = ln->prev;
	ln->prev = 0;
	ln->next = 0;
}

/* ---- Formatting and images ---- */

static void ftl_set_params(struct nvmev_ftl_state *s, const struct nvmev_ftl_params *p)
{
	s->policy = p->policy;
	s->op_percent = p->op_percent;
	s->gc_fg_lines = NVMEV_MAX(p->gc_fg_lines, (u32)NVMEV_FTL_GC_RESERVE + 1);
	s->gc_bg_lines = p->gc_bg_lines;
	s->victim_credit = 1;
}

void nvmev_ftl_format(struct nvmev_ftl *f, void *mem, const struct nvmev_ftl_params *p,
		      const struct nvmev_ftl_geo *g)
{
	struct nvmev_ftl_state *s;
	u32 i;

	ftl_bind(f, mem, g);
	s = f->s;
	memset(s, 0, NVMEV_FTL_HDR_BYTES);
	memcpy(s->magic, ftl_magic, sizeof(ftl_magic));
	s->version = FTL_VERSION;
	s->user_pages = g->user_pages;
	s->nr_lines = g->nr_lines;
	s->line_pages = g->line_pages;
	s->unit_pages = g->unit_pages;
	s->pages_per_block = g->pages_per_block;
	ftl_set_params(s, p);
	s->min_bucket = g->line_pages + 1;
	memset(f->l2p, 0xff, g->user_pages * 4);
	memset(f->p2l, 0xff, (u64)g->nr_lines * g->line_pages * 4);
	memset(f->lines, 0, (u64)g->nr_lines * sizeof(struct nvmev_ftl_line));
	memset(f->buckets, 0, ((u64)g->line_pages + 1) * 4);
	for (i = 0; i < g->nr_lines; i++)
		free_push(f, i);
}

int nvmev_ftl_attach(struct nvmev_ftl *f, void *mem, const struct nvmev_ftl_params *p,
		     const struct nvmev_ftl_geo *g)
{
	struct nvmev_ftl_state *s = mem;
	u64 lpn, nr_ppn = (u64)g->nr_lines * g->line_pages;
	u32 i, w;

	if (memcmp(s->magic, ftl_magic, sizeof(ftl_magic)) || s->version != FTL_VERSION ||
	    s->user_pages != g->user_pages || s->nr_lines != g->nr_lines ||
	    s->line_pages != g->line_pages || s->unit_pages != g->unit_pages ||
	    s->pages_per_block != g->pages_per_block)
		return -1;
	ftl_bind(f, mem, g);
	ftl_set_params(s, p);
	/* the write points: a line in that state, an offset in the line */
	for (w = FTL_HOST; w <= FTL_GC; w++) {
		u32 want = w == FTL_HOST ? NVMEV_FTL_LINE_HOST : NVMEV_FTL_LINE_GC;

		if (s->wp_line[w] > g->nr_lines || s->wp_off[w] > g->line_pages)
			return -1;
		if (s->wp_line[w] && f->lines[s->wp_line[w] - 1].state != want)
			return -1;
	}
	if (s->wp_line[FTL_HOST] && s->wp_line[FTL_HOST] == s->wp_line[FTL_GC])
		return -1;
	for (i = 0; i < g->nr_lines; i++) {
		struct nvmev_ftl_line *ln = &f->lines[i];

		if (ln->state > NVMEV_FTL_LINE_VICTIM)
			return -1;
		/* a victim half collected, or a write point the header forgot: full */
		if (ln->state == NVMEV_FTL_LINE_VICTIM ||
		    (ln->state == NVMEV_FTL_LINE_HOST && s->wp_line[FTL_HOST] != i + 1) ||
		    (ln->state == NVMEV_FTL_LINE_GC && s->wp_line[FTL_GC] != i + 1))
			ln->state = NVMEV_FTL_LINE_FULL;
		ln->valid = 0;
	}
	memset(f->p2l, 0xff, nr_ppn * 4);
	for (lpn = 0; lpn < g->user_pages; lpn++) {
		u32 ppn = f->l2p[lpn], line;
		struct nvmev_ftl_line *ln;

		if (ppn == NVMEV_FTL_UNMAPPED)
			continue;
		if (ppn >= nr_ppn || f->p2l[ppn] != NVMEV_FTL_UNMAPPED)
			return -1;
		line = ppn / g->line_pages;
		ln = &f->lines[line];
		if (ln->state == NVMEV_FTL_LINE_FREE)
			return -1;
		if (ln->state != NVMEV_FTL_LINE_FULL &&
		    ppn % g->line_pages >= s->wp_off[ln->state == NVMEV_FTL_LINE_GC])
			return -1;
		f->p2l[ppn] = (u32)lpn;
		ln->valid++;
	}
	/* the lists and buckets, again */
	s->nr_free = 0;
	s->free_head = 0;
	s->free_tail = 0;
	s->victim = 0;
	s->victim_off = 0;
	s->cb_cursor = 0;
	s->min_bucket = g->line_pages + 1;
	memset(f->buckets, 0, ((u64)g->line_pages + 1) * 4);
	for (i = 0; i < g->nr_lines; i++) {
		if (f->lines[i].state == NVMEV_FTL_LINE_FREE)
			free_push(f, i);
		else if (f->lines[i].state == NVMEV_FTL_LINE_FULL)
			bucket_add(f, i);
	}
	return 0;
}

/* ---- Pages ---- */

static void invalidate(struct nvmev_ftl *f, u32 ppn)
{
	u32 i = ppn / f->s->line_pages;
	struct nvmev_ftl_line *ln = &f->lines[i];

	f->p2l[ppn] = NVMEV_FTL_UNMAPPED;
	if (ln->state == NVMEV_FTL_LINE_FULL) {
		bucket_del(f, i);
		ln->valid--;
		bucket_add(f, i);
	} else {
		ln->valid--;
	}
}

static void seal(struct nvmev_ftl *f, u32 i)
{
	f->lines[i].state = NVMEV_FTL_LINE_FULL;
	f->lines[i].sealed = f->s->clock;
	bucket_add(f, i);
}

static u32 cb_score_age(u64 age)
{
	return (u32)NVMEV_MIN(age >> 10, (1ull << 29) - 1);
}

/* Cost-benefit: (1 - u) / 2u x age, u the valid fraction (monotone, scaled). */
static u64 cb_score(const struct nvmev_ftl *f, u32 i)
{
	const struct nvmev_ftl_line *ln = &f->lines[i];
	u64 lp = f->s->line_pages;
	u64 gain = (lp - ln->valid) * 4096 / (2 * (u64)ln->valid + 1);

	return gain * (cb_score_age(f->s->clock - ln->sealed) + 1);
}

/* A victim among the full lines, or FTL_NONE. */
static u32 pick_victim(struct nvmev_ftl *f)
{
	struct nvmev_ftl_state *s = f->s;
	u32 b, best = FTL_NONE, n;
	u64 best_score = 0;

	for (b = s->min_bucket; b <= s->line_pages; b++)
		if (f->buckets[b])
			break;
	s->min_bucket = b;
	if (b > s->line_pages)
		return FTL_NONE;
	best = f->buckets[b] - 1;
	if (s->policy != NVMEV_FTL_COST_BENEFIT || !b)
		return best;
	best_score = cb_score(f, best);
	for (n = 0; n < NVMEV_FTL_CB_SAMPLE; n++) {
		u32 i = s->cb_cursor;

		s->cb_cursor = i + 1 < s->nr_lines ? i + 1 : 0;
		if (f->lines[i].state == NVMEV_FTL_LINE_FULL && cb_score(f, i) > best_score) {
			best = i;
			best_score = cb_score(f, i);
		}
	}
	return best;
}

static u32 page_alloc(struct nvmev_ftl *f, u32 w);

/*
 * Collect: at most @budget work units, finishing the victim in progress
 * and taking new ones while fewer than @want lines are free; with
 * @to_free, only until a victim is freed. True when it did anything.
 */
static bool gc_run(struct nvmev_ftl *f, u32 budget, u32 want, bool to_free)
{
	struct nvmev_ftl_state *s = f->s;
	bool did = false;
	u32 pass = 0;

	while (budget) {
		struct nvmev_ftl_line *ln;
		u32 v, lp = s->line_pages;
		u64 base;

		if (!s->victim) {
			if (s->nr_free >= want)
				return did;
			v = pick_victim(f);
			if (v == FTL_NONE)
				return did;
			bucket_del(f, v);
			f->lines[v].state = NVMEV_FTL_LINE_VICTIM;
			s->victim = v + 1;
			s->victim_off = 0;
			/* to keep pace: valid / (line - valid) pages moved per host page */
			s->victim_credit = f->lines[v].valid >= lp ? lp :
					   (f->lines[v].valid + (lp - f->lines[v].valid) - 1) /
					   (lp - f->lines[v].valid) + 1;
		}
		v = s->victim - 1;
		ln = &f->lines[v];
		base = (u64)v * lp;
		while (s->victim_off < lp && budget) {
			u32 ppn = (u32)(base + s->victim_off), lpn = f->p2l[ppn], to;

			s->victim_off++;
			if (lpn == NVMEV_FTL_UNMAPPED) {
				if (++pass == FTL_PASS_COST) {
					pass = 0;
					budget--;
				}
				continue;
			}
			to = page_alloc(f, FTL_GC);
			if (to == FTL_NONE) {	/* cannot happen with the reserve: never hang */
				s->n.stuck++;
				s->victim_off--;
				return did;
			}
			if (f->sink && f->sink->gc_read)
				f->sink->gc_read(f->ctx, ppn);
			f->p2l[ppn] = NVMEV_FTL_UNMAPPED;
			ln->valid--;
			f->l2p[lpn] = to;
			f->p2l[to] = lpn;
			f->lines[to / lp].valid++;
			s->n.gc_pages++;
			s->n.media_pages++;
			s->n.media_read_pages++;
			if ((to + 1) % s->unit_pages == 0 && f->sink && f->sink->program)
				f->sink->program(f->ctx, to, true);
			budget--;
			did = true;
		}
		if (s->victim_off < lp)
			return true;
		/* every page moved or dead: erase it */
		if (f->sink && f->sink->erase)
			f->sink->erase(f->ctx, v);
		ln->erases++;
		s->n.erases++;
		s->n.gc_runs++;
		s->victim = 0;
		free_push(f, v);
		did = true;
		if (to_free)
			return true;
	}
	return did;
}

/* A free line for write point @w; the host leaves GC its reserve. */
static u32 take_line(struct nvmev_ftl *f, u32 w)
{
	struct nvmev_ftl_state *s = f->s;
	u32 tries;

	if (w == FTL_HOST) {
		/* each run frees a victim; a bound, so that a bug cannot hang the caller */
		for (tries = 0; s->nr_free <= NVMEV_FTL_GC_RESERVE && tries < s->nr_lines; tries++)
			if (!gc_run(f, FTL_NONE, FTL_NONE, true)) {
				s->n.stuck++;
				break;
			}
		if (s->nr_free <= NVMEV_FTL_GC_RESERVE)
			return FTL_NONE;
	}
	return free_pop(f);
}

/* The next page of write point @w, or FTL_NONE when there is no line at all. */
static u32 page_alloc(struct nvmev_ftl *f, u32 w)
{
	struct nvmev_ftl_state *s = f->s;

	if (!s->wp_line[w] || s->wp_off[w] == s->line_pages) {
		u32 i;

		if (s->wp_line[w]) {
			seal(f, s->wp_line[w] - 1);
			s->wp_line[w] = 0;
		}
		i = take_line(f, w);
		if (i == FTL_NONE)
			return FTL_NONE;
		f->lines[i].state = w == FTL_HOST ? NVMEV_FTL_LINE_HOST : NVMEV_FTL_LINE_GC;
		s->wp_line[w] = i + 1;
		s->wp_off[w] = 0;
	}
	return (s->wp_line[w] - 1) * s->line_pages + s->wp_off[w]++;
}

void nvmev_ftl_write(struct nvmev_ftl *f, u64 lpn, u64 n)
{
	struct nvmev_ftl_state *s = f->s;
	bool waited = false;

	for (; n; n--, lpn++) {
		u32 old = f->l2p[lpn], to;

		s->clock++;
		s->n.host_pages++;
		if (old != NVMEV_FTL_UNMAPPED)
			invalidate(f, old);
		/* few free lines: GC keeps pace with the host, which waits for it */
		if (s->nr_free <= s->gc_fg_lines) {
			gc_run(f, s->victim_credit, s->gc_fg_lines + 1, false);
			waited = true;
		}
		to = page_alloc(f, FTL_HOST);
		if (to == FTL_NONE) {
			f->l2p[lpn] = NVMEV_FTL_UNMAPPED;
			continue;
		}
		f->l2p[lpn] = to;
		f->p2l[to] = (u32)lpn;
		f->lines[to / s->line_pages].valid++;
		s->n.media_pages++;
		if ((to + 1) % s->unit_pages == 0 && f->sink && f->sink->program)
			f->sink->program(f->ctx, to, false);
	}
	if (waited)
		s->n.fg_waits++;
}

void nvmev_ftl_trim(struct nvmev_ftl *f, u64 lpn, u64 n)
{
	for (; n; n--, lpn++) {
		u32 old = f->l2p[lpn];

		if (old == NVMEV_FTL_UNMAPPED)
			continue;
		invalidate(f, old);
		f->l2p[lpn] = NVMEV_FTL_UNMAPPED;
		f->s->n.trimmed++;
	}
}

/*
 * Free lines below which GC runs in the background: gc_bg_lines, or two
 * above the foreground threshold. Free lines GC keeps ready are spare the
 * data cannot use, so the default keeps few (a drive that collects ahead
 * of bursts trades write amplification for them: raise gc_bg_lines).
 */
u32 nvmev_ftl_bg_lines(const struct nvmev_ftl *f)
{
	const struct nvmev_ftl_state *s = f->s;

	if (s->gc_bg_lines)
		return NVMEV_MAX(s->gc_bg_lines, s->gc_fg_lines + 1);
	return s->gc_fg_lines + 2;
}

bool nvmev_ftl_gc_background(struct nvmev_ftl *f, u32 budget)
{
	return gc_run(f, budget, nvmev_ftl_bg_lines(f), false);
}
