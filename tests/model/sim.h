/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The FTL simulator's engine (tests/model/): synthetic workloads on the
 * FTL of src/model/ftl.c, in user space, with the write amplification
 * they cause. ftlsim.c is its command line; the unit tests use it too.
 */
#ifndef NVMEV_SIM_H
#define NVMEV_SIM_H

#include "ftl.h"

enum sim_workload {
	SIM_RANDOM,		/* uniform random 4 KiB overwrites */
	SIM_SEQUENTIAL,		/* sequential overwrites, wrapping */
	SIM_HOTCOLD,		/* hot_pct % of the writes to hot_space_pct % of the space */
};

struct sim_config {
	struct nvmev_ftl_params p;
	u64 bytes;		/* the namespace's extent */
	u32 workload;		/* enum sim_workload */
	u32 passes_x10;		/* writes after the fill, in tenths of the capacity */
	u32 trim_pct;		/* deallocate this share of the space, at its end, after the fill */
	u32 span_pct;		/* SIM_RANDOM: write only the first span_pct % (0: all) */
	u32 hot_pct;		/* SIM_HOTCOLD */
	u32 hot_space_pct;
	bool no_fill;		/* skip the sequential fill */
	u64 seed;
};

struct sim_result {
	struct nvmev_ftl_geo g;
	struct nvmev_ftl_counters n;
	double waf;		/* over everything after the fill */
	double waf_last;	/* over the last capacity's (or span's) worth of writes */
	u64 writes;		/* host pages written after the fill */
	u64 free_min;		/* fewest free lines seen */
	double seconds;		/* CPU time of the writes */
};

/* Run @c; 0, or -1 when its geometry does not work (then @r->g is zero). */
int sim_run(const struct sim_config *c, struct sim_result *r);
/* Default parameters: a small datacenter TLC-like geometry. */
void sim_default_params(struct nvmev_ftl_params *p);
/* The greedy model's write amplification for spare/user @rho. */
double sim_model_waf(double rho);

#endif /* NVMEV_SIM_H */
