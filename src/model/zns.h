/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NVMe Zoned Namespace Command Set (CSI 02h): its opcodes, status
 * codes, zone states and the zoned media model's instance, shared by the
 * command set (zns.c), its media model (media_zns.c) and the tests.
 */
#ifndef NVMEV_ZNS_H
#define NVMEV_ZNS_H

#include "nand.h"
#include "cmdset.h"

#define NVME_CSI_ZNS		0x02

#define NVME_ZNS_MGMT_SEND	0x79
#define NVME_ZNS_MGMT_RECV	0x7a
#define NVME_ZNS_APPEND		0x7d

/* Zone Send Action (Zone Management Send CDW13 bits 7:0); bit 8: Select All */
#define NVME_ZSA_CLOSE		0x01
#define NVME_ZSA_FINISH		0x02
#define NVME_ZSA_OPEN		0x03
#define NVME_ZSA_RESET		0x04
#define NVME_ZSA_OFFLINE	0x05
#define NVME_ZSA_SET_DESC_EXT	0x10
#define NVME_ZSA_SELECT_ALL	(1u << 8)

/* Zone Receive Action (CDW13 bits 7:0), its filter (bits 15:8), Partial Report (bit 16) */
#define NVME_ZRA_REPORT		0x00
#define NVME_ZRA_EXT_REPORT	0x01
#define NVME_ZRASF_ALL		0x00
#define NVME_ZRASF_MAX		0x07
#define NVME_ZRA_PARTIAL	(1u << 16)

/* Zone states: the ZS codes of a zone descriptor (byte 1 bits 7:4) */
#define NVME_ZS_EMPTY		0x1
#define NVME_ZS_IMP_OPEN	0x2
#define NVME_ZS_EXP_OPEN	0x3
#define NVME_ZS_CLOSED		0x4
#define NVME_ZS_READ_ONLY	0xd
#define NVME_ZS_FULL		0xe
#define NVME_ZS_OFFLINE		0xf

#define NVME_ZONE_TYPE_SEQ	0x2	/* sequential write required */

/* Command specific status values of the Zoned Namespace Command Set */
#define NVME_SC_ZONE_BOUNDARY		0x1b8
#define NVME_SC_ZONE_FULL		0x1b9
#define NVME_SC_ZONE_READ_ONLY		0x1ba
#define NVME_SC_ZONE_OFFLINE		0x1bb
#define NVME_SC_ZONE_INVALID_WRITE	0x1bc
#define NVME_SC_ZONE_TOO_MANY_ACTIVE	0x1bd
#define NVME_SC_ZONE_TOO_MANY_OPEN	0x1be
#define NVME_SC_ZONE_INVALID_TRANSITION	0x1bf

#define NVMEV_ZNS_MAX_ZONE_MIB	8192	/* the largest zone btrfs takes */
#define NVMEV_ZNS_ZONE_BYTES	16	/* state kept per zone */
#define NVMEV_ZNS_HDR_BYTES	4096

/*
 * The zoned media model: the zone layout of the namespace and its limits
 * (read by zns.c when it lays out a new namespace) and the NAND timeline.
 */
struct nvmev_zns_timing {
	struct nvmev_timing base;
	u64 zone_size_mib;	/* a power of two */
	u64 zone_cap_mib;	/* 0: the zone size */
	u64 max_open;		/* 0: no limit */
	u64 max_active;		/* 0: no limit */
	u64 append_max_kib;	/* Zone Append Size Limit; 0: the largest transfer */
	u64 open_close_ns;	/* an explicit open or close */
	struct nvmev_nand nand;
};

extern const struct nvmev_media nvmev_zns_media;
extern const struct nvmev_cmd_set nvmev_zns_cmd_set;

/*
 * What the zoned decoder leaves the media model in a Zone Management Send
 * (struct nvmev_req): csd[0] the action, nlb the zones it changed, slba the
 * first one's start (its write pointer for a finish).
 */

#endif /* NVMEV_ZNS_H */
