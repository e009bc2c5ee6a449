// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tunables of media models, by name: what the host glue needs to make
 * parameters and attributes of them without knowing any model.
 */
#include "timing.h"

const struct nvmev_tunable *nvmev_tunable_find(const struct nvmev_media *m, const char *name)
{
	u32 i;

	for (i = 0; i < m->nr_tunables; i++)
		if (nvmev_str_eq(m->tunables[i].name, name))
			return &m->tunables[i];
	return NULL;
}

const struct nvmev_preset *nvmev_preset_find(const struct nvmev_media *m, const char *name)
{
	u32 i;

	for (i = 0; i < m->nr_presets; i++)
		if (nvmev_str_eq(m->presets[i].name, name))
			return &m->presets[i];
	return NULL;
}

u64 nvmev_tunable_get(const struct nvmev_timing *t, const struct nvmev_tunable *tu)
{
	const u8 *p = (const u8 *)t + tu->offset;

	if (tu->size == 4)
		return NVMEV_READ_ONCE(*(const u32 *)p);
	return NVMEV_READ_ONCE(*(const u64 *)p);
}

void nvmev_tunable_set(struct nvmev_timing *t, const struct nvmev_tunable *tu, u64 v)
{
	u8 *p = (u8 *)t + tu->offset;

	if (tu->size == 4)
		NVMEV_WRITE_ONCE(*(u32 *)p, (u32)v);
	else
		NVMEV_WRITE_ONCE(*(u64 *)p, v);
}

int nvmev_media_init_defaults(const struct nvmev_media *m, struct nvmev_timing *t)
{
	u32 i;

	memset(t, 0, m->size);
	for (i = 0; i < m->nr_tunables; i++)
		nvmev_tunable_set(t, &m->tunables[i], m->tunables[i].def);
	return m->init(t);
}
