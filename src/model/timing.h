/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Media models, as the core sees them: given a validated command and the
 * time it was picked up, say when its completion may be posted. Each media
 * model (media_*.c) implements struct nvmev_timing_ops; every namespace has
 * its own instance (nvmev_ns.timing), which may carry background work.
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

#endif /* NVMEV_TIMING_H */
