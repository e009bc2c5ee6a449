// SPDX-License-Identifier: GPL-2.0-only
/*
 * ftlsim: the conventional type's FTL (src/model/ftl.c) in user space.
 *
 *   ftlsim [-s MiB] [-o op_percent] [-p greedy|cost-benefit] [-w random|seq|hotcold]
 *          [-x passes] [-t trim_percent] [-r span_percent] [-H hot%/space%] [-S seed]
 *          [-g dies,stripe_pages,oneshot,pages_per_block]
 *
 * Fills the namespace sequentially, optionally deallocates a share at its
 * end (-t), then writes 4 KiB pages (-x times the capacity, or the first
 * -r percent of it, default 3) and prints the
 * geometry, the write amplification (overall and over the last capacity's
 * worth of writes, next to the greedy model's figure), GC counts and the
 * simulated writes per second of CPU time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include "sim.h"

static void usage(void)
{
	fprintf(stderr, "usage: ftlsim [-s MiB] [-o op_percent] [-p greedy|cost-benefit]\n"
			"              [-w random|seq|hotcold] [-x passes] [-t trim_percent]\n"
			"              [-r span_percent]\n"
			"              [-H hot_pct/space_pct] [-S seed]\n"
			"              [-g dies,stripe_pages,oneshot,pages_per_block]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sim_config c = { .bytes = 1024ull << 20, .passes_x10 = 30,
				.hot_pct = 90, .hot_space_pct = 10 };
	struct sim_result r;
	double rho;
	int o;

	sim_default_params(&c.p);
	while ((o = getopt(argc, argv, "s:o:p:w:x:t:r:H:S:g:")) != -1) {
		switch (o) {
		case 's':
			c.bytes = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'o':
			c.p.op_percent = (u32)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			if (!strcmp(optarg, "greedy"))
				c.p.policy = NVMEV_FTL_GREEDY;
			else if (!strcmp(optarg, "cost-benefit"))
				c.p.policy = NVMEV_FTL_COST_BENEFIT;
			else
				usage();
			break;
		case 'w':
			if (!strcmp(optarg, "random"))
				c.workload = SIM_RANDOM;
			else if (!strcmp(optarg, "seq"))
				c.workload = SIM_SEQUENTIAL;
			else if (!strcmp(optarg, "hotcold"))
				c.workload = SIM_HOTCOLD;
			else
				usage();
			break;
		case 'x':
			c.passes_x10 = (u32)(strtod(optarg, NULL) * 10);
			break;
		case 't':
			c.trim_pct = (u32)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			c.span_pct = (u32)strtoul(optarg, NULL, 0);
			break;
		case 'H':
			if (sscanf(optarg, "%u/%u", &c.hot_pct, &c.hot_space_pct) != 2)
				usage();
			break;
		case 'S':
			c.seed = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			if (sscanf(optarg, "%u,%u,%u,%u", &c.p.dies, &c.p.stripe_pages, &c.p.oneshot,
				   &c.p.pages_per_block) != 4)
				usage();
			break;
		default:
			usage();
		}
	}
	if (sim_run(&c, &r)) {
		fprintf(stderr, "ftlsim: %llu MiB with %u%% spare makes no working FTL (at least %llu bytes)\n",
			(unsigned long long)(c.bytes >> 20), c.p.op_percent,
			(unsigned long long)nvmev_ftl_min_bytes(&c.p));
		return 1;
	}
	rho = (double)nvmev_ftl_spare_permille(&r.g) / 1000.0;
	printf("geometry: %llu user pages, %u lines of %u pages over %u dies (%u pages per block), "
	       "spare %.3f, state %llu bytes (%.3f%% of the capacity)\n",
	       (unsigned long long)r.g.user_pages, r.g.nr_lines, r.g.line_pages, r.g.line_dies,
	       r.g.pages_per_block, rho, (unsigned long long)r.g.meta_bytes,
	       100.0 * (double)r.g.meta_bytes / (double)(r.g.user_pages << 12));
	printf("writes: %llu pages after the fill, %.0f per second of CPU\n",
	       (unsigned long long)r.writes, r.seconds > 0 ? (double)r.writes / r.seconds : 0.0);
	printf("waf: %.3f overall, %.3f over the last capacity (greedy model at op %u%%: %.3f)\n",
	       r.waf, r.waf_last, c.p.op_percent, sim_model_waf(c.p.op_percent / 100.0));
	printf("gc: %llu runs, %llu pages moved, %llu erases, %llu foreground waits, "
	       "fewest free lines %llu, stuck %llu\n",
	       (unsigned long long)r.n.gc_runs, (unsigned long long)r.n.gc_pages,
	       (unsigned long long)r.n.erases, (unsigned long long)r.n.fg_waits,
	       (unsigned long long)r.free_min, (unsigned long long)r.n.stuck);
	return r.n.stuck ? 1 : 0;
}
