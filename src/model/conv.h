/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The conventional NAND SSD media model (media_conv.c): its instance, for
 * the tests, the simulator and the benchmarks. Its namespaces take the NVM
 * command set; the model keeps an FTL (ftl.c) in each namespace's extent
 * and times every command on the NAND timeline (nand.c) through a write
 * buffer and a host link.
 */
#ifndef NVMEV_CONV_H
#define NVMEV_CONV_H

#include "ftl.h"
#include "nand.h"

#define NVMEV_CONV_WB_MAX_UNITS	16384	/* program units the write buffer holds, at most */
#define NVMEV_CONV_BG_BUDGET	16	/* background GC work per command */

struct nvmev_conv_timing {
	struct nvmev_timing base;
	/* tunables */
	u64 op_percent;
	u64 gc_policy;		/* enum nvmev_ftl_policy */
	u64 gc_bg_lines;
	u64 gc_fg_lines;
	u64 write_buffer_kib;
	u64 host_mbps;		/* the host link, each direction; 0: unlimited */
	u64 pe_cycles;		/* rated program/erase cycles (SMART Percentage Used) */
	struct nvmev_nand nand;
	/* the namespace's FTL (format or load), under @lock */
	u32 lock;
	bool ready;
	struct nvmev_ftl ftl;
	struct nvmev_ftl_geo geo;
	/* timeline of the commands being scheduled (under @lock) */
	u64 link_rd_free;
	u64 link_wr_free;
	u64 sink_now;		/* when the FTL's operations may start */
	u64 gc_ready;		/* GC's reads done: its programs may start */
	u64 gc_last_page;	/* the flash page GC read last, + 1 */
	u32 wb_units;		/* the write buffer, in program units */
	u32 wb_head;
	u32 wb_len;
	u64 wb_release[NVMEV_CONV_WB_MAX_UNITS];	/* when each buffered unit is programmed */
};

extern const struct nvmev_media nvmev_conv_media;

/* The FTL parameters the tunables of @t make. */
void nvmev_conv_ftl_params(const struct nvmev_conv_timing *t, struct nvmev_ftl_params *p);

#endif /* NVMEV_CONV_H */
