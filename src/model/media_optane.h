/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Optane-class media model (media_optane.c): what the host glue, the
 * tests and the benchmarks set up for an NVM namespace.
 */
#ifndef NVMEV_MEDIA_OPTANE_H
#define NVMEV_MEDIA_OPTANE_H

#include "timing.h"

#define NVMEV_MAX_PARALLEL_UNITS 256
#define NVMEV_MAX_LATENCY_NS	10000000000ull	/* 10 s */
#define NVMEV_MAX_BANDWIDTH	1000000ull	/* MB/s: 1 TB/s */

/*
 * NVM model: a fixed latency per direction plus the transfer time at the
 * configured bandwidth, spread round-robin over @nr_units independent units
 * that each carry 1/nr_units of the bandwidth. Values may be changed while
 * the device runs: each is read once per command.
 */
struct nvmev_nvm_timing {
	struct nvmev_timing base;
	u64 read_latency_ns;
	u64 write_latency_ns;
	u64 bandwidth_mbps;	/* 10^6 bytes per second; 0 = unlimited */
	u32 nr_units;
	u32 next_unit;
	u64 unit_free_ns[NVMEV_MAX_PARALLEL_UNITS];
};

extern const struct nvmev_media nvmev_optane_media;

void nvmev_nvm_timing_init(struct nvmev_nvm_timing *t, u64 read_ns, u64 write_ns,
			   u64 bandwidth_mbps, u32 nr_units);

/* Nanoseconds that @bytes take on one unit; exposed for the unit tests. */
u64 nvmev_nvm_xfer_ns(u64 bytes, u64 bandwidth_mbps, u32 nr_units);

#endif /* NVMEV_MEDIA_OPTANE_H */
