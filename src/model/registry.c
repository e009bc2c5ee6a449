// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registration table of the I/O command sets: the one place besides
 * each set's own file that names them. Adding a device type adds its file
 * and a line here.
 */
#include "cmdset.h"

extern const struct nvmev_cmd_set nvmev_nvm_cmd_set;

static const struct nvmev_cmd_set *const cmd_sets[] = {
	&nvmev_nvm_cmd_set,
};

const struct nvmev_cmd_set *nvmev_cmd_set_by_csi(u8 csi)
{
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(cmd_sets); i++)
		if (cmd_sets[i]->csi == csi)
			return cmd_sets[i];
	return NULL;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct nvmev_cmd_set *nvmev_cmd_set_by_name(const char *name)
{
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(cmd_sets); i++)
		if (str_eq(cmd_sets[i]->name, name))
			return cmd_sets[i];
	return NULL;
}

const struct nvmev_cmd_set *nvmev_cmd_set_default(void)
{
	return cmd_sets[0];
}

u64 nvmev_cmd_sets_vector(void)
{
	u64 v = 0;
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(cmd_sets); i++)
		v |= 1ull << cmd_sets[i]->csi;
	return v;
}
