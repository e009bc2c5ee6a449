/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Media models, as the core sees them: given a validated command and the
 * time it was picked up, say when its completion may be posted. Each media
 * model (media_*.c) implements struct nvmev_timing_ops; every namespace has
 * its own instance (nvmev_ns.timing), which may carry background work.
 *
 * A model describes its instance (struct nvmev_media) and its tunables
 * (struct nvmev_tunable): the host glue makes module parameters, configfs
 * and sysfs attributes of them by name, without knowing the model.
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

/* A tunable may change while the namespace runs (read once per command). */
#define NVMEV_TUNABLE_RUNTIME	0x1

/* One number of a media model's instance, at @offset, of @size 4 or 8 bytes. */
struct nvmev_tunable {
	const char *name;	/* as module parameter, configfs and sysfs name it */
	const char *help;	/* unit and meaning, for the parameter description */
	u32 offset;
	u8 size;
	u8 flags;
	u64 min;
	u64 max;
	u64 def;
};

#define NVMEV_MAX_TUNABLES	32	/* per media model */

struct nvmev_media {
	const char *name;
	u32 size;		/* bytes of an instance (it starts with struct nvmev_timing) */
	const struct nvmev_tunable *tunables;
	u32 nr_tunables;
	/*
	 * Make @t, whose tunables are set, a working instance with no
	 * history; 0, or -1 when the tunables do not fit together.
	 */
	int (*init)(struct nvmev_timing *t);
};

/* The tunable of @m named @name, or NULL. */
const struct nvmev_tunable *nvmev_tunable_find(const struct nvmev_media *m, const char *name);
u64 nvmev_tunable_get(const struct nvmev_timing *t, const struct nvmev_tunable *tu);
void nvmev_tunable_set(struct nvmev_timing *t, const struct nvmev_tunable *tu, u64 v);
/* Every tunable of @m at its default in the instance @t, then @m->init. */
int nvmev_media_init_defaults(const struct nvmev_media *m, struct nvmev_timing *t);

#endif /* NVMEV_TIMING_H */
