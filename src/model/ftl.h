/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A page-mapping flash translation layer, as the conventional media model
 * (media_conv.c) and the FTL simulator (tests/model/) run it. It models
 * where the host's data would sit on NAND and what keeping it there
 * costs; the data itself stays at its logical place in the namespace.
 *
 * Mapping unit: a 4 KiB logical page (LPN) maps to a 4 KiB physical page
 * (PPN). Physical pages form lines (superblocks): one erase block on every
 * die (on a share of the dies in a small namespace), written program unit
 * by program unit, consecutive units on consecutive dies. Two write points, one for the host's data and one for
 * what garbage collection moves, each fill a line of their own.
 *
 * Garbage collection picks a victim among the full lines (greedy: the
 * fewest valid pages, from buckets by valid count; cost-benefit: the best
 * (1 - u) / 2u x age among the greedy pick and a rotating sample), moves
 * its valid pages to the GC write point and erases it. It runs in bounded
 * steps: in the background when free lines fall below gc_bg_lines, paced
 * with each host write (the host waits for it) below gc_fg_lines, and to
 * the end of a victim when the host needs a line and only the reserve is
 * left. The reserve (NVMEV_FTL_GC_RESERVE lines) is GC's own: the host
 * never takes it, so GC always has somewhere to move a victim's pages.
 *
 * State: a header, the logical-to-physical table (4 bytes per LPN), the
 * reverse map (4 bytes per PPN), a record per line and the buckets, in
 * the namespace's extent after the host's blocks, so that images carry
 * it; nvmev_ftl_attach() checks and rebuilds what an image brings. About
 * 8.3 bytes per 4 KiB of capacity (0.2 %) at 7 % over-provisioning.
 *
 * Cost: a host page written, trimmed or read is O(1); GC costs O(1) per
 * page it moves or passes over; no operation looks at more than one
 * victim, a bounded sample of lines and the buckets between two victims'
 * valid counts (amortized O(1) per write).
 */
#ifndef NVMEV_FTL_H
#define NVMEV_FTL_H

#include "platform.h"

#define NVMEV_FTL_PAGE_SHIFT	12
#define NVMEV_FTL_PAGE		(1u << NVMEV_FTL_PAGE_SHIFT)
#define NVMEV_FTL_UNMAPPED	0xffffffffu
#define NVMEV_FTL_TARGET_LINES	1024	/* blocks and lines shrink to give about this many */
#define NVMEV_FTL_MIN_LINES	16
#define NVMEV_FTL_MIN_SPARE	8	/* lines beyond the host's data, at least */
#define NVMEV_FTL_GC_RESERVE	1	/* free lines only GC takes */
#define NVMEV_FTL_CB_SAMPLE	32	/* lines a cost-benefit pick looks at besides greedy's */
#define NVMEV_FTL_HDR_BYTES	4096

enum nvmev_ftl_policy {
	NVMEV_FTL_GREEDY,
	NVMEV_FTL_COST_BENEFIT,
};

/* What the FTL is built from (the media model's tunables). */
struct nvmev_ftl_params {
	u32 dies;		/* channels x dies per channel */
	u32 stripe_pages;	/* 4 KiB pages a die's flash page holds over its planes */
	u32 oneshot;		/* flash pages per plane a program writes */
	u32 pages_per_block;	/* the preset's flash pages per plane in a block (at most) */
	u32 op_percent;		/* spare capacity, percent of the user capacity */
	u32 policy;		/* enum nvmev_ftl_policy */
	u32 gc_bg_lines;	/* background GC below this many free lines; 0: gc_fg_lines + 2 */
	u32 gc_fg_lines;	/* the host waits for GC at or below this many */
};

/* The layout a namespace gets (nvmev_ftl_geometry). */
struct nvmev_ftl_geo {
	u64 user_pages;		/* 4 KiB pages the host sees */
	u64 meta_bytes;		/* the FTL's state after them */
	u32 nr_lines;
	u32 line_pages;		/* 4 KiB pages of a line */
	u32 unit_pages;		/* of a program unit of one die */
	u32 line_dies;		/* dies a line spans */
	u32 pages_per_block;	/* flash pages per plane of a block, after scaling */
};

/* One line (superblock). */
struct nvmev_ftl_line {
	u32 valid;		/* pages holding the current copy of an LPN */
	u32 erases;
	u32 prev;		/* bucket or free list: index + 1, 0: none */
	u32 next;
	u64 sealed;		/* the clock when it was filled (cost-benefit's age) */
	u32 state;		/* NVMEV_FTL_LINE_* */
	u32 rsvd;
};

#define NVMEV_FTL_LINE_FREE	0
#define NVMEV_FTL_LINE_HOST	1	/* the host write point */
#define NVMEV_FTL_LINE_GC	2	/* the GC write point */
#define NVMEV_FTL_LINE_FULL	3	/* in a bucket */
#define NVMEV_FTL_LINE_VICTIM	4	/* being collected */

/* The counters of struct nvmev_ftl_state: what stats/ shows. */
struct nvmev_ftl_counters {
	u64 host_pages;		/* 4 KiB pages the host wrote */
	u64 media_pages;	/* pages programmed: the host's and GC's */
	u64 gc_runs;		/* victims collected */
	u64 gc_pages;		/* pages GC moved */
	u64 erases;
	u64 trimmed;		/* pages deallocated while mapped */
	u64 fg_waits;		/* host writes that waited for GC */
	u64 wb_waits;		/* host writes that waited for the write buffer (media) */
	u64 host_read_pages;	/* mapped pages the host read from NAND */
	u64 media_read_pages;	/* pages read from NAND: the host's and GC's */
	u64 stuck;		/* GC found no victim when it needed one (never, if sound) */
};

/* The header in the namespace (little-endian, as the rest of the model). */
struct nvmev_ftl_state {
	u8 magic[8];
	u32 version;
	u32 policy;
	/* geometry */
	u64 user_pages;
	u32 nr_lines;
	u32 line_pages;
	u32 unit_pages;
	u32 pages_per_block;
	u32 op_percent;
	u32 gc_bg_lines;
	u32 gc_fg_lines;
	/* lines */
	u32 nr_free;
	u32 free_head;		/* index + 1: FIFO, the longest free first */
	u32 free_tail;
	u32 wp_line[2];		/* host, GC: index + 1 */
	u32 wp_off[2];		/* next page in it */
	u32 victim;		/* index + 1 */
	u32 victim_off;		/* next page of it to look at */
	u32 victim_credit;	/* pages to move per host page in the foreground */
	u32 min_bucket;		/* no full line has fewer valid pages */
	u32 cb_cursor;
	u32 rsvd;
	u64 clock;		/* host pages written, ever: the age of data */
	struct nvmev_ftl_counters n;
};

/* NAND operations the FTL asks for (timing, counting); any may be NULL. */
struct nvmev_ftl_sink {
	/* the program unit that ends with @ppn is full; @gc: of the GC write point */
	void (*program)(void *ctx, u64 ppn, bool gc);
	/* GC reads @ppn to move it */
	void (*gc_read)(void *ctx, u64 ppn);
	void (*erase)(void *ctx, u32 line);
};

/* A namespace's FTL, as its media model instance keeps it. */
struct nvmev_ftl {
	struct nvmev_ftl_state *s;
	u32 *l2p;
	u32 *p2l;
	struct nvmev_ftl_line *lines;
	u32 *buckets;		/* line_pages + 1 list heads: index + 1 */
	const struct nvmev_ftl_sink *sink;
	void *ctx;
};

/* Geometry: 0, or -1 when @bytes cannot hold a working FTL with @p. */
int nvmev_ftl_geometry(const struct nvmev_ftl_params *p, u64 bytes, struct nvmev_ftl_geo *g);
/* The smallest @bytes nvmev_ftl_geometry() takes. */
u64 nvmev_ftl_min_bytes(const struct nvmev_ftl_params *p);
/* A new, empty FTL in @mem (geo->meta_bytes, 8-byte aligned). */
void nvmev_ftl_format(struct nvmev_ftl *f, void *mem, const struct nvmev_ftl_params *p,
		      const struct nvmev_ftl_geo *g);
/*
 * The FTL an image brought in @mem: 0 when it is one of @g's layout
 * (then its maps, counts, lists and buckets are rebuilt from the
 * logical-to-physical table and checked), -1 when not.
 */
int nvmev_ftl_attach(struct nvmev_ftl *f, void *mem, const struct nvmev_ftl_params *p,
		     const struct nvmev_ftl_geo *g);

/* The host writes / deallocates @n pages from @lpn (in range). */
void nvmev_ftl_write(struct nvmev_ftl *f, u64 lpn, u64 n);
void nvmev_ftl_trim(struct nvmev_ftl *f, u64 lpn, u64 n);
/* Where @lpn is, or NVMEV_FTL_UNMAPPED. */
static inline u32 nvmev_ftl_lookup(const struct nvmev_ftl *f, u64 lpn)
{
	return f->l2p[lpn];
}

/* Background GC: move at most @budget pages if free lines are low; true if it did work. */
bool nvmev_ftl_gc_background(struct nvmev_ftl *f, u32 budget);
/* The free lines below which background GC runs. */
u32 nvmev_ftl_bg_lines(const struct nvmev_ftl *f);

/* Spare capacity the layout gives, in thousandths of the user capacity. */
u64 nvmev_ftl_spare_permille(const struct nvmev_ftl_geo *g);

#endif /* NVMEV_FTL_H */
