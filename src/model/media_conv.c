// SPDX-License-Identifier: GPL-2.0-only
/*
 * The conventional NAND SSD media model: an FTL (ftl.c) in each
 * namespace's extent decides where each 4 KiB page goes and what garbage
 * collection moves; the NAND timeline (nand.c) times the reads, programs
 * and erases on the dies and channels; a write buffer and the host link
 * sit in front.
 *
 * Reads: the host link carries the data after the dies have read every
 * mapped page (runs of consecutive pages share a page read); unmapped
 * pages and pages still in the write buffer cost no NAND time.
 * Writes: the host link carries the data in, then the write completes
 * once the buffer has room for the program units it fills; a unit leaves
 * the buffer when its die has programmed it. When the buffer is full the
 * host waits for NAND: the write-buffer cliff.
 * GC runs in bounded steps after each command below gc_bg_lines free
 * lines (background) and with each host page at or below gc_fg_lines
 * (foreground, the host waits): its reads, programs and erases occupy the
 * same dies and channels as the host's commands.
 * Deallocate (from a worker) and Write Zeroes unmap whole 4 KiB pages.
 *
 * The presets are drive classes, scaled to the emulator's capacities (the
 * FTL shrinks blocks to keep about a thousand lines); README.md gives the
 * source or the reasoning of each value.
 */
#include "conv.h"
#include "ctrl.h"

static u64 xfer_ns(u64 bytes, u64 mbps)
{
	return mbps ? (bytes * 1000 + mbps - 1) / mbps : 0;
}

void nvmev_conv_ftl_params(const struct nvmev_conv_timing *t, struct nvmev_ftl_params *p)
{
	const struct nvmev_nand *n = &t->nand;

	memset(p, 0, sizeof(*p));
	p->dies = (u32)(n->channels * n->dies_per_channel);
	p->stripe_pages = (u32)(n->page_kib * n->planes_per_die / 4);
	p->oneshot = (u32)n->oneshot_pages;
	p->pages_per_block = (u32)n->pages_per_block;
	p->op_percent = (u32)t->op_percent;
	p->policy = (u32)NVMEV_READ_ONCE(t->gc_policy);
	p->gc_bg_lines = (u32)NVMEV_READ_ONCE(t->gc_bg_lines);
	p->gc_fg_lines = (u32)NVMEV_READ_ONCE(t->gc_fg_lines);
}

/* ---- The FTL's NAND operations ---- */

static void wb_pop(struct nvmev_conv_timing *t)
{
	t->wb_head = t->wb_head + 1 < t->wb_units ? t->wb_head + 1 : 0;
	t->wb_len--;
}

static void conv_program(void *ctx, u64 ppn, bool gc)
{
	struct nvmev_conv_timing *t = ctx;
	struct nvmev_nand *n = &t->nand;
	u64 off = (ppn + 1 - t->geo.unit_pages) << NVMEV_FTL_PAGE_SHIFT;
	u32 die = (u32)((off / n->unit_bytes) % n->nr_dies);

	if (gc) {
		nvmev_nand_write(n, off, n->unit_bytes, NVMEV_MAX(t->sink_now, t->gc_ready));
		return;
	}
	/* a write larger than the buffer: its later units wait for the earlier ones */
	if (t->wb_len == t->wb_units) {
		t->sink_now = NVMEV_MAX(t->sink_now, t->wb_release[t->wb_head]);
		wb_pop(t);
	}
	nvmev_nand_write(n, off, n->unit_bytes, t->sink_now);
	t->wb_release[(t->wb_head + t->wb_len) % t->wb_units] = n->die_free[die];
	t->wb_len++;
}

static void conv_gc_read(void *ctx, u64 ppn)
{
	struct nvmev_conv_timing *t = ctx;
	u64 page = ppn / (t->nand.page_bytes >> NVMEV_FTL_PAGE_SHIFT);	/* over the planes */
	u64 done;

	if (page + 1 == t->gc_last_page)	/* in the die's register already */
		return;
	t->gc_last_page = page + 1;
	done = nvmev_nand_read(&t->nand, ppn << NVMEV_FTL_PAGE_SHIFT, NVMEV_FTL_PAGE, t->sink_now);
	t->gc_ready = NVMEV_MAX(t->gc_ready, done - NVMEV_READ_ONCE(t->nand.fw_ns));
}

/*
 * A line is a block on each of its dies. The FTL scales blocks down to
 * keep about a thousand lines, so tBERS scales with them: the erase time
 * per byte stays the drive's (at least 1 ns: erases are never free, but
 * for a tBERS of 0, which only the unit tests set).
 */
static void conv_erase(void *ctx, u32 line)
{
	struct nvmev_conv_timing *t = ctx;
	u64 bytes = (u64)t->geo.line_pages << NVMEV_FTL_PAGE_SHIFT;
	u64 tbers = NVMEV_READ_ONCE(t->nand.erase_ns);
	u64 ns = tbers * t->geo.pages_per_block / t->nand.pages_per_block;

	nvmev_nand_erase_for(&t->nand, line * bytes, bytes, tbers ? NVMEV_MAX(ns, 1ull) : 0,
			     t->sink_now);
}

static const struct nvmev_ftl_sink conv_sink = {
	.program = conv_program,
	.gc_read = conv_gc_read,
	.erase = conv_erase,
};

/* ---- Commands ---- */

/* Programmed units whose time has come leave the buffer (oldest first). */
static void wb_retire(struct nvmev_conv_timing *t, u64 now)
{
	while (t->wb_len && t->wb_release[t->wb_head] <= now)
		wb_pop(t);
}

/* @ppn's data is still in the write buffer: the host's unit being filled, or waiting. */
static bool in_buffer(const struct nvmev_conv_timing *t, u32 ppn)
{
	const struct nvmev_ftl_state *s = t->ftl.s;
	u64 start, off, unit = t->geo.unit_pages, held;

	if (!s->wp_line[0])
		return false;
	start = (u64)(s->wp_line[0] - 1) * s->line_pages;
	if (ppn < start || ppn >= start + s->wp_off[0])
		return false;
	off = ppn - start;
	held = s->wp_off[0] % unit + (u64)t->wb_len * unit;
	return off + held >= s->wp_off[0];
}

/* @len pages from @ppn, read at @now: the later of @done and when they are out of the dies. */
static u64 read_run(struct nvmev_conv_timing *t, u64 ppn, u64 len, u64 now, u64 done)
{
	u64 out = nvmev_nand_read(&t->nand, ppn << NVMEV_FTL_PAGE_SHIFT,
				  len << NVMEV_FTL_PAGE_SHIFT, now) - NVMEV_READ_ONCE(t->nand.fw_ns);

	return NVMEV_MAX(done, out);
}

static u64 conv_read(struct nvmev_conv_timing *t, u64 off, u64 len, u64 now, bool to_host)
{
	struct nvmev_ftl *f = &t->ftl;
	u64 lpn = off >> NVMEV_FTL_PAGE_SHIFT, last = (off + len - 1) >> NVMEV_FTL_PAGE_SHIFT;
	u64 fw = NVMEV_READ_ONCE(t->nand.fw_ns), done = now, run = 0, run_len = 0;

	for (; lpn <= last; lpn++) {
		u32 ppn = nvmev_ftl_lookup(f, lpn);

		if (ppn == NVMEV_FTL_UNMAPPED || in_buffer(t, ppn))
			continue;
		f->s->n.host_read_pages++;
		f->s->n.media_read_pages++;
		if (run_len && ppn == run + run_len) {
			run_len++;
			continue;
		}
		if (run_len)
			done = read_run(t, run, run_len, now, done);
		run = ppn;
		run_len = 1;
	}
	if (run_len)
		done = read_run(t, run, run_len, now, done);
	if (to_host) {
		done = NVMEV_MAX(done, t->link_rd_free) +
		       xfer_ns(len, NVMEV_READ_ONCE(t->host_mbps));
		t->link_rd_free = done;
	}
	return done + fw;
}

static u64 conv_write(struct nvmev_conv_timing *t, u64 off, u64 len, u64 now)
{
	u64 lpn = off >> NVMEV_FTL_PAGE_SHIFT, last = (off + len - 1) >> NVMEV_FTL_PAGE_SHIFT;
	u64 pages = last - lpn + 1, unit = t->geo.unit_pages;
	u64 need = NVMEV_MIN((pages + unit - 1) / unit + 1, (u64)t->wb_units);
	u64 in = NVMEV_MAX(now, t->link_wr_free) + xfer_ns(len, NVMEV_READ_ONCE(t->host_mbps));
	u64 adm = in;

	t->link_wr_free = in;
	/* room for the units this write fills */
	while (t->wb_len && t->wb_len + need > t->wb_units) {
		adm = NVMEV_MAX(adm, t->wb_release[t->wb_head]);
		wb_pop(t);
	}
	t->sink_now = adm;
	nvmev_ftl_write(&t->ftl, lpn, pages);
	if (t->sink_now > in)
		t->ftl.s->n.wb_waits++;
	return t->sink_now + NVMEV_READ_ONCE(t->nand.fw_ns);
}

/* The whole 4 KiB pages of [@off, @off + @len). */
static void conv_trim(struct nvmev_conv_timing *t, u64 off, u64 len)
{
	u64 first = (off + NVMEV_FTL_PAGE - 1) >> NVMEV_FTL_PAGE_SHIFT;
	u64 end = (off + len) >> NVMEV_FTL_PAGE_SHIFT;

	if (end > first)
		nvmev_ftl_trim(&t->ftl, first, end - first);
}

static u64 conv_schedule(struct nvmev_timing *base, const struct nvmev_req *req, u64 now)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;
	u64 off = req->slba << req->lba_shift, len = (u64)req->nlb << req->lba_shift;
	u64 done = now + NVMEV_READ_ONCE(t->nand.fw_ns);

	if (!t->ready)
		return done;
	nvmev_spin_lock(&t->lock);
	wb_retire(t, now);
	switch (req->opcode) {
	case NVME_CMD_READ:
	case NVME_CMD_COMPARE:
		done = conv_read(t, off, len, now, true);
		break;
	case NVME_CMD_VERIFY:
		done = conv_read(t, off, len, now, false);
		break;
	case NVME_CMD_WRITE:
		done = conv_write(t, off, len, now);
		break;
	case NVME_CMD_WRITE_ZEROES:
		conv_trim(t, off, len);
		break;
	default:	/* flush (the buffer is power-loss protected), DSM (a worker deallocates) */
		break;
	}
	/* a bounded step of background GC, on the dies the host leaves */
	t->sink_now = now;
	nvmev_ftl_gc_background(&t->ftl, NVMEV_CONV_BG_BUDGET);
	nvmev_spin_unlock(&t->lock);
	return done;
}

static void conv_reset(struct nvmev_timing *base)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;

	nvmev_spin_lock(&t->lock);
	nvmev_nand_reset(&t->nand);
	t->link_rd_free = 0;
	t->link_wr_free = 0;
	t->gc_ready = 0;
	t->gc_last_page = 0;
	t->wb_head = 0;
	t->wb_len = 0;
	nvmev_spin_unlock(&t->lock);
}

/* ---- Namespaces ---- */

/*
 * The FTL of a namespace of @size bytes at @mem, after its host's blocks:
 * a new one, or (@load) the one an image brought, checked. 0, or -1.
 */
static int conv_bind(struct nvmev_conv_timing *t, u8 *mem, u64 size, bool load)
{
	struct nvmev_ftl_params p;
	struct nvmev_ftl_geo g;
	u8 *state;
	int ret = 0;

	nvmev_conv_ftl_params(t, &p);
	if (nvmev_ftl_geometry(&p, size, &g))
		return -1;
	state = mem + (g.user_pages << NVMEV_FTL_PAGE_SHIFT);
	nvmev_spin_lock(&t->lock);
	t->geo = g;
	t->ftl.sink = &conv_sink;
	t->ftl.ctx = t;
	if (load)
		ret = nvmev_ftl_attach(&t->ftl, state, &p, &g);
	else
		nvmev_ftl_format(&t->ftl, state, &p, &g);
	t->ready = !ret;
	nvmev_spin_unlock(&t->lock);
	return ret;
}

static u64 conv_format(struct nvmev_timing *base, u8 *mem, u64 size)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;

	if (conv_bind(t, mem, size, false))
		return 0;
	return t->geo.user_pages << NVMEV_FTL_PAGE_SHIFT;
}

static int conv_load(struct nvmev_timing *base, u8 *mem, u64 size)
{
	return conv_bind((struct nvmev_conv_timing *)base, mem, size, true);
}

static void conv_deallocate(struct nvmev_timing *base, u64 off, u64 len)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;

	nvmev_spin_lock(&t->lock);
	if (t->ready && off < t->geo.user_pages << NVMEV_FTL_PAGE_SHIFT)
		conv_trim(t, off, NVMEV_MIN(len, (t->geo.user_pages << NVMEV_FTL_PAGE_SHIFT) - off));
	nvmev_spin_unlock(&t->lock);
}

static u64 conv_min_size(const struct nvmev_timing *base)
{
	const struct nvmev_conv_timing *t = (const struct nvmev_conv_timing *)base;
	struct nvmev_ftl_params p;

	nvmev_conv_ftl_params(t, &p);
	return nvmev_ftl_min_bytes(&p);
}

static void conv_health(struct nvmev_timing *base, struct nvmev_media_health *h)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;
	const struct nvmev_ftl_state *s;
	u32 i, spare;

	memset(h, 0, sizeof(*h));
	h->pe_cycles = (u32)t->pe_cycles;
	if (!NVMEV_READ_ONCE(t->ready))
		return;
	/* counters read as they are: the dispatcher may be counting */
	s = t->ftl.s;
	h->media_bytes_written = s->n.media_pages << NVMEV_FTL_PAGE_SHIFT;
	h->media_bytes_read = s->n.media_read_pages << NVMEV_FTL_PAGE_SHIFT;
	h->erases_min = ~0u;
	for (i = 0; i < s->nr_lines; i++) {	/* not on the I/O path: a log page */
		h->erases_max = NVMEV_MAX(h->erases_max, t->ftl.lines[i].erases);
		h->erases_min = NVMEV_MIN(h->erases_min, t->ftl.lines[i].erases);
	}
	/* the mean erase count against the rated cycles */
	if (t->pe_cycles)
		h->percent_used = (u32)NVMEV_MIN(s->n.erases * 100 / s->nr_lines / t->pe_cycles,
						 255ull);
	spare = s->nr_lines - (u32)((s->user_pages + s->line_pages - 1) / s->line_pages);
	h->spare_percent = (u32)NVMEV_MIN(100ull, (u64)s->nr_free * 100 / NVMEV_MAX(spare, 1u));
}

static const struct nvmev_timing_ops conv_timing_ops = {
	.name = "conv",
	.schedule = conv_schedule,
	.reset = conv_reset,
	.format = conv_format,
	.load = conv_load,
	.deallocate = conv_deallocate,
	.min_size = conv_min_size,
	.health = conv_health,
};

static int conv_media_init(struct nvmev_timing *base)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;
	u64 units;

	base->ops = &conv_timing_ops;
	t->ready = false;
	if (nvmev_nand_init(&t->nand) || t->nand.page_kib % 4 || t->op_percent < 1 ||
	    t->gc_policy > NVMEV_FTL_COST_BENEFIT)
		return -1;
	units = (t->write_buffer_kib << 10) / t->nand.unit_bytes;
	if (!units || units > NVMEV_CONV_WB_MAX_UNITS)
		return -1;
	t->wb_units = (u32)units;
	if (t->gc_bg_lines && t->gc_bg_lines <= NVMEV_MAX(t->gc_fg_lines, 2ull))
		return -1;
	return 0;
}

static const char *conv_misfit(const struct nvmev_timing *base)
{
	const struct nvmev_conv_timing *t = (const struct nvmev_conv_timing *)base;
	const struct nvmev_nand *n = &t->nand;
	u64 unit = (n->page_kib << 10) * n->planes_per_die * n->oneshot_pages;

	if (n->channels * n->dies_per_channel > NVMEV_NAND_MAX_DIES ||
	    n->pages_per_block < n->oneshot_pages)
		return "the NAND geometry does not fit (channels x dies_per_channel at most 256, pages_per_block at least oneshot_pages)";
	if (n->page_kib % 4)
		return "page_kib is not a multiple of 4 (the FTL maps 4 KiB pages)";
	if ((t->write_buffer_kib << 10) < unit)
		return "write_buffer_kib is less than one program unit (page_kib x planes_per_die x oneshot_pages)";
	if ((t->write_buffer_kib << 10) / unit > NVMEV_CONV_WB_MAX_UNITS)
		return "write_buffer_kib holds more than 16384 program units";
	if (t->gc_bg_lines && t->gc_bg_lines <= NVMEV_MAX(t->gc_fg_lines, 2ull))
		return "gc_bg_lines is not above gc_fg_lines";
	return "op_percent or gc_policy is out of range";
}

static const char *const conv_policies[] = { "greedy", "cost-benefit" };

#define CONV_TUNABLE(n, field, h, lo, hi, d, fl)					\
	{ .name = n, .help = h, .offset = offsetof(struct nvmev_conv_timing, field),	\
	  .size = sizeof(((struct nvmev_conv_timing *)0)->field),			\
	  .flags = fl, .min = lo, .max = hi, .def = d }

/* The defaults are the datacenter-tlc preset's. */
static const struct nvmev_tunable conv_tunables[] = {
	CONV_TUNABLE("op_percent", op_percent,
		     "spare NAND capacity, in percent of the user capacity (7: 7 % more NAND than the host sees)",
		     1, 400, 7, 0),
	{ .name = "gc_policy", .help = "garbage collection victims: greedy or cost-benefit",
	  .offset = offsetof(struct nvmev_conv_timing, gc_policy), .size = 8,
	  .flags = NVMEV_TUNABLE_RUNTIME, .min = 0, .max = 1, .def = 0, .names = conv_policies },
	CONV_TUNABLE("gc_bg_lines", gc_bg_lines,
		     "free lines below which GC runs in the background; 0 = gc_fg_lines + 2",
		     0, 1000000, 0, NVMEV_TUNABLE_RUNTIME),
	CONV_TUNABLE("gc_fg_lines", gc_fg_lines,
		     "free lines at or below which host writes wait for GC (at least 2)",
		     2, 1000000, 2, NVMEV_TUNABLE_RUNTIME),
	CONV_TUNABLE("write_buffer_kib", write_buffer_kib,
		     "write buffer in KiB: writes complete once in it (at least one program unit)",
		     4, 4ull << 20, 16384, 0),
	CONV_TUNABLE("host_mbps", host_mbps,
		     "host link in MB/s (10^6 bytes/s) each way; 0 = unlimited",
		     0, 1000000, 7000, NVMEV_TUNABLE_RUNTIME),
	CONV_TUNABLE("pe_cycles", pe_cycles,
		     "rated program/erase cycles of a block (SMART Percentage Used); 0 = not rated",
		     0, 1000000, 3000, NVMEV_TUNABLE_RUNTIME),
	NVMEV_NAND_CHANNELS(struct nvmev_conv_timing, nand, 8),
	NVMEV_NAND_DIES(struct nvmev_conv_timing, nand, 4),
	NVMEV_NAND_PLANES(struct nvmev_conv_timing, nand, 4),
	NVMEV_NAND_PAGE(struct nvmev_conv_timing, nand, 16),
	NVMEV_NAND_ONESHOT(struct nvmev_conv_timing, nand, 3),
	NVMEV_NAND_PPB(struct nvmev_conv_timing, nand, 2304),
	NVMEV_NAND_TR(struct nvmev_conv_timing, nand, 50000),
	NVMEV_NAND_TPROG(struct nvmev_conv_timing, nand, 1400000),
	NVMEV_NAND_TBERS(struct nvmev_conv_timing, nand, 5000000),
	NVMEV_NAND_CHANNEL_MBPS(struct nvmev_conv_timing, nand, 1200),
	NVMEV_NAND_FW(struct nvmev_conv_timing, nand, 4000),
};

#define PV(n, v) { .name = n, .value = v }

static const struct nvmev_preset_value dc_tlc[] = {
	PV("channels", 8), PV("dies_per_channel", 4), PV("planes_per_die", 4), PV("page_kib", 16),
	PV("oneshot_pages", 3), PV("pages_per_block", 2304), PV("page_read_ns", 50000),
	PV("program_ns", 1400000), PV("erase_ns", 5000000), PV("channel_mbps", 1200),
	PV("fw_ns", 4000), PV("write_buffer_kib", 16384), PV("host_mbps", 7000),
	PV("pe_cycles", 3000),
};

static const struct nvmev_preset_value client_tlc[] = {
	PV("channels", 4), PV("dies_per_channel", 4), PV("planes_per_die", 4), PV("page_kib", 16),
	PV("oneshot_pages", 3), PV("pages_per_block", 2304), PV("page_read_ns", 60000),
	PV("program_ns", 1400000), PV("erase_ns", 5000000), PV("channel_mbps", 1200),
	PV("fw_ns", 6000), PV("write_buffer_kib", 262144), PV("host_mbps", 3500),
	PV("pe_cycles", 1500),
};

static const struct nvmev_preset_value qlc[] = {
	PV("channels", 8), PV("dies_per_channel", 4), PV("planes_per_die", 4), PV("page_kib", 16),
	PV("oneshot_pages", 4), PV("pages_per_block", 1536), PV("page_read_ns", 120000),
	PV("program_ns", 3000000), PV("erase_ns", 15000000), PV("channel_mbps", 1200),
	PV("fw_ns", 5000), PV("write_buffer_kib", 65536), PV("host_mbps", 7000),
	PV("pe_cycles", 1000),
};

static const struct nvmev_preset conv_presets[] = {
	{ "datacenter-tlc", "a datacenter TLC drive: 32 dies, PCIe 4.0 x4, a power-loss protected 16 MiB buffer",
	  dc_tlc, NVMEV_ARRAY_SIZE(dc_tlc) },
	{ "client-tlc", "a client TLC drive: 16 dies, PCIe 3.0 x4, an SLC-like 256 MiB write buffer",
	  client_tlc, NVMEV_ARRAY_SIZE(client_tlc) },
	{ "qlc", "a QLC drive: 32 dies, four-page programs of 3 ms, 15 ms erases",
	  qlc, NVMEV_ARRAY_SIZE(qlc) },
};

static const struct nvmev_media_stat conv_stats[] = {
	{ .name = "host_pages_written" },
	{ .name = "media_pages_written" },
	{ .name = "waf", .milli = true },
	{ .name = "gc_runs" },
	{ .name = "gc_pages_moved" },
	{ .name = "erases" },
	{ .name = "free_lines" },
	{ .name = "lines" },
	{ .name = "line_pages" },
	{ .name = "write_buffer_waits" },
	{ .name = "gc_foreground_waits" },
	{ .name = "trimmed_pages" },
	{ .name = "host_pages_read" },
	{ .name = "media_pages_read" },
	{ .name = "ftl_bytes" },
	{ .name = "gc_stuck" },
};

static void conv_stats_get(struct nvmev_timing *base, u64 *v)
{
	struct nvmev_conv_timing *t = (struct nvmev_conv_timing *)base;
	const struct nvmev_ftl_state *s;
	struct nvmev_ftl_counters n;

	memset(v, 0, sizeof(*v) * NVMEV_ARRAY_SIZE(conv_stats));
	if (!NVMEV_READ_ONCE(t->ready))
		return;
	/* as they are: the dispatcher may be counting */
	s = t->ftl.s;
	n = s->n;
	v[0] = n.host_pages;
	v[1] = n.media_pages;
	v[2] = n.host_pages ? n.media_pages * 1000 / n.host_pages : 0;
	v[3] = n.gc_runs;
	v[4] = n.gc_pages;
	v[5] = n.erases;
	v[6] = s->nr_free;
	v[7] = s->nr_lines;
	v[8] = s->line_pages;
	v[9] = n.wb_waits;
	v[10] = n.fg_waits;
	v[11] = n.trimmed;
	v[12] = n.host_read_pages;
	v[13] = n.media_read_pages;
	v[14] = t->geo.meta_bytes;
	v[15] = n.stuck;
}

const struct nvmev_media nvmev_conv_media = {
	.name = "conv",
	.size = sizeof(struct nvmev_conv_timing),
	.tunables = conv_tunables,
	.nr_tunables = NVMEV_ARRAY_SIZE(conv_tunables),
	.init = conv_media_init,
	.misfit = conv_misfit,
	.presets = conv_presets,
	.nr_presets = NVMEV_ARRAY_SIZE(conv_presets),
	.stat_names = conv_stats,
	.nr_stats = NVMEV_ARRAY_SIZE(conv_stats),
	.stats = conv_stats_get,
};
