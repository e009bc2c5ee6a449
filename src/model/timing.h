/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Timing models: given a validated command and the time it was picked up,
 * say when its completion may be posted. Each device type implements
 * struct nvmev_timing_ops; the NVM (Optane-class) model lives in timing.c.
 */
#ifndef NVMEV_TIMING_H
#define NVMEV_TIMING_H

#include "platform.h"

struct nvmev_req;
struct nvmev_timing;

struct nvmev_timing_ops {
	const char *name;
	/* Absolute completion time of @req, which was fetched at @now. */
	u64 (*schedule)(struct nvmev_timing *t, const struct nvmev_req *req, u64 now);
	/* Forget every reservation (controller reset). */
	void (*reset)(struct nvmev_timing *t);
};

struct nvmev_timing {
	const struct nvmev_timing_ops *ops;
};

#define NVMEV_MAX_PARALLEL_UNITS 256

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

void nvmev_nvm_timing_init(struct nvmev_nvm_timing *t, u64 read_ns, u64 write_ns,
			   u64 bandwidth_mbps, u32 nr_units);

/* Nanoseconds that @bytes take on one unit; exposed for the unit tests. */
u64 nvmev_nvm_xfer_ns(u64 bytes, u64 bandwidth_mbps, u32 nr_units);

#endif /* NVMEV_TIMING_H */
