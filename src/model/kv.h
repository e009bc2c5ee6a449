/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NVM Express Key Value Command Set (CSI 01h): its opcodes, status
 * codes and limits, shared by its command set (kv.c), its media model
 * (media_kv.c) and the tests.
 */
#ifndef NVMEV_KV_H
#define NVMEV_KV_H

#include "timing.h"
#include "cmdset.h"

#define NVME_CSI_KV		0x01

#define NVME_KV_STORE		0x01
#define NVME_KV_RETRIEVE	0x02
#define NVME_KV_LIST		0x06
#define NVME_KV_DELETE		0x10
#define NVME_KV_EXIST		0x14

/* Generic command status values of the Key Value Command Set */
#define NVME_SC_KV_INVALID_VALUE_SIZE	0x85
#define NVME_SC_KV_INVALID_KEY_SIZE	0x86
#define NVME_SC_KV_KEY_NOT_EXIST	0x87
#define NVME_SC_KV_KEY_EXISTS		0x89

/* Store options (CDW11 bits 15:8) */
#define NVME_KV_STORE_IF_EXISTS		0x01	/* only if the key exists */
#define NVME_KV_STORE_IF_NOT_EXISTS	0x02	/* only if it does not */
#define NVME_KV_STORE_NO_COMPRESS	0x04
/* Retrieve option: raw (no decompression) */
#define NVME_KV_RETRIEVE_RAW		0x01

/* Key Value Configuration feature; bit 0: Error on Delete of a Non-Existent Key */
#define NVME_FEAT_KV_CONFIG		0x20
#define NVME_KV_CONFIG_EDNEK		0x1

#define NVMEV_KV_MAX_KEY	16
#define NVMEV_KV_UNIT_SHIFT	9	/* values take blocks of 2^n units of 512 bytes */
#define NVMEV_KV_MAX_ORDER	12	/* 2 MiB, the largest transfer */
#define NVMEV_KV_BYTES_PER_KEY	4096	/* one index entry per 4 KiB of capacity */
#define NVMEV_KV_LIST_MAX	4096	/* bytes of keys one List returns at most */

/* The key-value media model: a latency per command kind plus the transfer. */
struct nvmev_kv_timing {
	struct nvmev_timing base;
	u64 store_ns;
	u64 retrieve_ns;
	u64 delete_ns;
	u64 exist_ns;
	u64 list_ns;
	u64 bandwidth_mbps;	/* 10^6 bytes per second; 0 = unlimited */
	u64 busy_until;		/* the transfer channel */
};

extern const struct nvmev_media nvmev_kv_media;
extern const struct nvmev_cmd_set nvmev_kv_cmd_set;

#endif /* NVMEV_KV_H */
