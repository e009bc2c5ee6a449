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
struct nvmev_media_health;

struct nvmev_timing_ops {
	const char *name;
	/* Absolute completion time of @req, which was fetched at @now. */
	u64 (*schedule)(struct nvmev_timing *t, const struct nvmev_req *req, u64 now);
	/* Forget every reservation (controller reset). */
	void (*reset)(struct nvmev_timing *t);
	/*
	 * Optional, for a model that keeps state in its namespace (an FTL):
	 * @format lays a new namespace of @size bytes at @mem out and returns
	 * the bytes the host gets, from the start (0: it does not fit); the
	 * state goes after them, so that images carry it. @load adopts the
	 * state an image brought: 0, or -1 when it does not fit the tunables.
	 * @deallocate: the host deallocated @len bytes at @off (a worker, at
	 * any time). @min_size: the smallest @size @format takes.
	 */
	u64 (*format)(struct nvmev_timing *t, u8 *mem, u64 size);
	int (*load)(struct nvmev_timing *t, u8 *mem, u64 size);
	void (*deallocate)(struct nvmev_timing *t, u64 off, u64 len);
	u64 (*min_size)(const struct nvmev_timing *t);
	/* Optional: what the drive reports of its media (SMART, OCP log). */
	void (*health)(struct nvmev_timing *t, struct nvmev_media_health *h);
};

/* A media model's view of its wear and traffic (timing ops @health). */
struct nvmev_media_health {
	u64 media_bytes_written;	/* programmed on the media, the host's and GC's */
	u64 media_bytes_read;
	u32 percent_used;		/* of the rated endurance, may exceed 100 */
	u32 pe_cycles;			/* the rated program/erase cycles */
	u32 erases_max;			/* of one block (line) */
	u32 erases_min;
	u32 spare_percent;		/* free lines over the spare lines, 0..100 */
	u32 rsvd;
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
	/* Optional: a name for each value min..max, which the glue shows and takes */
	const char *const *names;
};

#define NVMEV_MAX_TUNABLES	32	/* per media model */

/* A counter of a media model's instance; @milli: in thousandths (shown as 7.823) */
struct nvmev_media_stat {
	const char *name;
	bool milli;
};

/* A named set of tunable values (a drive class) that a media model offers. */
struct nvmev_preset_value {
	const char *name;	/* a tunable of the model */
	u64 value;
};

struct nvmev_preset {
	const char *name;
	const char *help;
	const struct nvmev_preset_value *values;
	u32 nr_values;
};

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
	/* Optional: after @init refused @t, which tunable is wrong and why (a phrase) */
	const char *(*misfit)(const struct nvmev_timing *t);
	/* Optional: presets (the first one is the tunables' defaults). */
	const struct nvmev_preset *presets;
	u32 nr_presets;
	/*
	 * Optional: counters of an instance, by name, for the namespace's
	 * stats/ (any thread): @stats fills @nr_stats values in @v.
	 */
	const struct nvmev_media_stat *stat_names;
	u32 nr_stats;
	void (*stats)(struct nvmev_timing *t, u64 *v);
};

/* The tunable of @m named @name, or NULL. */
const struct nvmev_tunable *nvmev_tunable_find(const struct nvmev_media *m, const char *name);
u64 nvmev_tunable_get(const struct nvmev_timing *t, const struct nvmev_tunable *tu);
void nvmev_tunable_set(struct nvmev_timing *t, const struct nvmev_tunable *tu, u64 v);
/* The preset of @m named @name, or NULL. */
const struct nvmev_preset *nvmev_preset_find(const struct nvmev_media *m, const char *name);
/* Every tunable of @m at its default in the instance @t, then @m->init. */
int nvmev_media_init_defaults(const struct nvmev_media *m, struct nvmev_timing *t);

#endif /* NVMEV_TIMING_H */
