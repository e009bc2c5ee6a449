// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registration tables of the I/O command sets, the media models and
 * the namespace types made of them: the one place besides each one's own
 * file that names them. Adding a device type adds its files and lines here.
 */
#include "type.h"
#include "media_optane.h"
#include "nvm.h"
#include "kv.h"
#include "zns.h"
#include "conv.h"

static const struct nvmev_cmd_set *const cmd_sets[] = {
	&nvmev_nvm_cmd_set,
	&nvmev_kv_cmd_set,
	&nvmev_zns_cmd_set,
};

const struct nvmev_cmd_set *nvmev_cmd_set_by_csi(u8 csi)
{
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(cmd_sets); i++)
		if (cmd_sets[i]->csi == csi)
			return cmd_sets[i];
	return NULL;
}

const struct nvmev_cmd_set *nvmev_cmd_set_by_name(const char *name)
{
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(cmd_sets); i++)
		if (nvmev_str_eq(cmd_sets[i]->name, name))
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

static const struct nvmev_type types[] = {
	{
		.name = "nvm",
		.help = "NVM command set, Optane-class latency and bandwidth",
		.cmd_set = &nvmev_nvm_cmd_set,
		.media = &nvmev_optane_media,
	},
	{
		.name = "kv",
		.help = "Key Value command set (CSI 01h), KV SSD latencies",
		.cmd_set = &nvmev_kv_cmd_set,
		.media = &nvmev_kv_media,
	},
	{
		.name = "conv",
		.help = "NVM command set on a conventional NAND SSD: FTL, write buffer, GC, die/channel timing",
		.cmd_set = &nvmev_nvm_cmd_set,
		.media = &nvmev_conv_media,
	},
	{
		.name = "zns",
		.help = "Zoned Namespace command set (CSI 02h) on a NAND die/channel timeline",
		.cmd_set = &nvmev_zns_cmd_set,
		.media = &nvmev_zns_media,
	},
};

const struct nvmev_type *nvmev_type_by_name(const char *name)
{
	u32 i;

	for (i = 0; i < NVMEV_ARRAY_SIZE(types); i++)
		if (nvmev_str_eq(types[i].name, name))
			return &types[i];
	return NULL;
}

const struct nvmev_type *nvmev_type_at(u32 i)
{
	return i < NVMEV_ARRAY_SIZE(types) ? &types[i] : NULL;
}
