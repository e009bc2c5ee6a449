/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Namespace types: what the "type" parameters and attributes name. A type
 * is an I/O command set with a media model; registry.c lists them.
 */
#ifndef NVMEV_TYPE_H
#define NVMEV_TYPE_H

#include "cmdset.h"
#include "timing.h"

struct nvmev_type {
	const char *name;
	const char *help;	/* one line, for the parameter description */
	const struct nvmev_cmd_set *cmd_set;
	const struct nvmev_media *media;
};

const struct nvmev_type *nvmev_type_by_name(const char *name);
/* The @i-th type (0 is the default), or NULL past the last. */
const struct nvmev_type *nvmev_type_at(u32 i);

#endif /* NVMEV_TYPE_H */
