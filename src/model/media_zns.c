// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zoned media model: the zone layout and limits that zns.c lays a
 * namespace out with, and the NAND timeline (nand.c) that times its
 * commands. Reads, writes and appends go through the dies and channels
 * that hold their bytes; a zone reset erases the zone's blocks on every
 * die that holds part of it; a finish programs the unit its write pointer
 * left half full; an explicit open or close costs open_close_ns.
 *
 * The defaults follow a current datacenter ZNS drive (Western Digital
 * Ultrastar DC ZN540-like, as upstream NVMeVirt's preset: 8 channels of
 * 4 dies, 32 KiB TLC pages programmed three at a time in 561 us, 14 open
 * and active zones); the zone is 64 MiB so that small reservations hold
 * several (the ZN540's is 2 GiB: set zone_size=2048 for it).
 */
#include "zns.h"
#include "ctrl.h"

static u64 zns_schedule(struct nvmev_timing *base, const struct nvmev_req *req, u64 now)
{
	struct nvmev_zns_timing *t = (struct nvmev_zns_timing *)base;
	struct nvmev_nand *n = &t->nand;
	u64 off = req->slba << req->lba_shift, len = (u64)req->nlb << req->lba_shift;

	switch (req->opcode) {
	case NVME_CMD_READ:
	case NVME_CMD_COMPARE:
	case NVME_CMD_VERIFY:
		return nvmev_nand_read(n, off, len, now);
	case NVME_CMD_WRITE:
	case NVME_CMD_WRITE_ZEROES:
	case NVME_ZNS_APPEND:
		return nvmev_nand_write(n, off, len, now);
	case NVME_ZNS_MGMT_SEND:
		switch (req->csd[0]) {
		case NVME_ZSA_RESET:
			return nvmev_nand_erase(n, off, (u64)req->nlb * (t->zone_size_mib << 20), now);
		case NVME_ZSA_FINISH:
			return req->nlb ? nvmev_nand_flush(n, off, now) : now + n->fw_ns;
		case NVME_ZSA_OPEN:
		case NVME_ZSA_CLOSE:
			return now + NVMEV_READ_ONCE(t->open_close_ns);
		default:
			return now + NVMEV_READ_ONCE(n->fw_ns);
		}
	default:	/* report zones, flush, dataset management */
		return now + NVMEV_READ_ONCE(n->fw_ns);
	}
}

static void zns_reset(struct nvmev_timing *base)
{
	nvmev_nand_reset(&((struct nvmev_zns_timing *)base)->nand);
}

static const struct nvmev_timing_ops zns_timing_ops = {
	.name = "zns",
	.schedule = zns_schedule,
	.reset = zns_reset,
};

static bool pow2(u64 v)
{
	return v && !(v & (v - 1));
}

/* Which zone tunable of @t does not fit, and why; NULL when they all do. */
static const char *zone_misfit(const struct nvmev_zns_timing *t)
{
	if (!pow2(t->zone_size_mib) || t->zone_size_mib > NVMEV_ZNS_MAX_ZONE_MIB)
		return "zone_size is not a power of two of at most 8192 MiB";
	if (t->zone_cap_mib > t->zone_size_mib)
		return "zone_capacity is more than zone_size";
	if (t->max_active && t->max_open > t->max_active)
		return "max_open_zones is more than max_active_zones (active zones include the open ones)";
	if (t->append_max_kib && (!pow2(t->append_max_kib) || t->append_max_kib < 4 ||
				  t->append_max_kib > NVMEV_MAX_XFER / 1024))
		return "zone_append_max_kib is not a power of two from 4 to 2048";
	return NULL;
}

static int zns_media_init(struct nvmev_timing *base)
{
	struct nvmev_zns_timing *t = (struct nvmev_zns_timing *)base;

	base->ops = &zns_timing_ops;
	if (zone_misfit(t))
		return -1;
	return nvmev_nand_init(&t->nand);
}

/* After zns_media_init() refused @base: which tunable, and why. */
static const char *zns_misfit(const struct nvmev_timing *base)
{
	const char *why = zone_misfit((const struct nvmev_zns_timing *)base);

	return why ? why : "the NAND geometry does not fit (channels x dies_per_channel at most 256, pages_per_block at least oneshot_pages, channel_mbps above 0)";
}

#define ZNS_TUNABLE(n, field, h, lo, hi, d, fl)					\
	{ .name = n, .help = h, .offset = offsetof(struct nvmev_zns_timing, field),	\
	  .size = sizeof(((struct nvmev_zns_timing *)0)->field),			\
	  .flags = fl, .min = lo, .max = hi, .def = d }

static const struct nvmev_tunable zns_tunables[] = {
	ZNS_TUNABLE("zone_size", zone_size_mib, "zone size in MiB, a power of two",
		    1, NVMEV_ZNS_MAX_ZONE_MIB, 64, 0),
	ZNS_TUNABLE("zone_capacity", zone_cap_mib,
		    "writable MiB of each zone, at most the zone size; 0 = the zone size",
		    0, NVMEV_ZNS_MAX_ZONE_MIB, 0, 0),
	ZNS_TUNABLE("max_open_zones", max_open,
		    "zones open at once (implicitly or explicitly); 0 = no limit",
		    0, 0xfffffffeull, 14, 0),
	ZNS_TUNABLE("max_active_zones", max_active,
		    "zones open or closed at once; 0 = no limit", 0, 0xfffffffeull, 14, 0),
	ZNS_TUNABLE("zone_append_max_kib", append_max_kib,
		    "largest Zone Append in KiB, a power of two from 4; 0 = the largest transfer (2048)",
		    0, NVMEV_MAX_XFER / 1024, 0, 0),
	ZNS_TUNABLE("open_close_ns", open_close_ns, "an explicit zone open or close, in ns",
		    0, NVMEV_NAND_MAX_NS, 5000, NVMEV_TUNABLE_RUNTIME),
	NVMEV_NAND_CHANNELS(struct nvmev_zns_timing, nand, 8),
	NVMEV_NAND_DIES(struct nvmev_zns_timing, nand, 4),
	NVMEV_NAND_PLANES(struct nvmev_zns_timing, nand, 1),
	NVMEV_NAND_PAGE(struct nvmev_zns_timing, nand, 32),
	NVMEV_NAND_ONESHOT(struct nvmev_zns_timing, nand, 3),
	NVMEV_NAND_PPB(struct nvmev_zns_timing, nand, 768),
	NVMEV_NAND_TR(struct nvmev_zns_timing, nand, 50000),
	NVMEV_NAND_TPROG(struct nvmev_zns_timing, nand, 561000),
	NVMEV_NAND_TBERS(struct nvmev_zns_timing, nand, 3500000),
	NVMEV_NAND_CHANNEL_MBPS(struct nvmev_zns_timing, nand, 800),
	NVMEV_NAND_FW(struct nvmev_zns_timing, nand, 5000),
};

const struct nvmev_media nvmev_zns_media = {
	.name = "zns",
	.size = sizeof(struct nvmev_zns_timing),
	.tunables = zns_tunables,
	.nr_tunables = NVMEV_ARRAY_SIZE(zns_tunables),
	.init = zns_media_init,
	.misfit = zns_misfit,
};
