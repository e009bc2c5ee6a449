/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A NAND flash timeline: channels of dies, each die busy with its reads,
 * programs and erases, each channel busy with the transfers between its
 * dies and the controller. A media model embeds struct nvmev_nand in its
 * instance and lists the NVMEV_NAND_*() tunables among its own; the zoned
 * type uses it now, the conventional type will share it.
 *
 * Placement: the byte offset in the namespace is cut into program units
 * (the pages one program writes: page_kib x planes_per_die x
 * oneshot_pages), dealt round-robin over the dies, die d on channel
 * d % channels, so that consecutive units go to different channels first.
 * Writes complete once their data is in the die's page buffer (early
 * completion, as drives with a power-loss-protected buffer do); the die
 * programs when its unit is full and takes no new data until then.
 */
#ifndef NVMEV_NAND_H
#define NVMEV_NAND_H

#include "timing.h"

#define NVMEV_NAND_MAX_CHANNELS	32
#define NVMEV_NAND_MAX_DIES	256
#define NVMEV_NAND_MAX_NS	10000000000ull	/* 10 s, the largest time tunable */

struct nvmev_nand {
	/* tunables */
	u64 channels;
	u64 dies_per_channel;
	u64 planes_per_die;
	u64 page_kib;		/* flash page */
	u64 oneshot_pages;	/* pages per plane one program writes */
	u64 pages_per_block;	/* pages per plane in an erase block */
	u64 read_ns;		/* tR: a page (all planes at once) into the die's register */
	u64 program_ns;		/* tPROG of a program unit */
	u64 erase_ns;		/* tBERS of a (multi-plane) block */
	u64 channel_mbps;	/* 10^6 bytes/s of a channel */
	u64 fw_ns;		/* controller firmware time per command */
	/* derived by nvmev_nand_init() */
	u32 nr_dies;
	u64 unit_bytes;		/* program unit */
	u64 page_bytes;		/* a page over every plane: what one tR reads */
	u64 block_bytes;	/* erase block over every plane of a die */
	/* timeline: when each die and channel is next free */
	u64 die_free[NVMEV_NAND_MAX_DIES];
	u64 ch_free[NVMEV_NAND_MAX_CHANNELS];
};

/* 0, or -1 when the geometry does not fit the limits above. */
int nvmev_nand_init(struct nvmev_nand *n);
void nvmev_nand_reset(struct nvmev_nand *n);
/* Completion time of a read / write of @len bytes at byte @off, picked up at @now. */
u64 nvmev_nand_read(struct nvmev_nand *n, u64 off, u64 len, u64 now);
u64 nvmev_nand_write(struct nvmev_nand *n, u64 off, u64 len, u64 now);
/*
 * Erase the blocks that hold @len bytes from @off (at least one block on
 * each die they span); the time the last die is done.
 */
u64 nvmev_nand_erase(struct nvmev_nand *n, u64 off, u64 len, u64 now);
/*
 * Erase @len bytes from @off, each die they span busy for @ns (an FTL that
 * scaled its blocks down scales tBERS with them); the time the last die is done.
 */
u64 nvmev_nand_erase_for(struct nvmev_nand *n, u64 off, u64 len, u64 ns, u64 now);
/* Program the partly written unit that holds byte @off (a zone finish). */
u64 nvmev_nand_flush(struct nvmev_nand *n, u64 off, u64 now);

#define NVMEV_NAND_TUNABLE(type, member, n, field, h, lo, hi, d, fl)		\
	{ .name = n, .help = h, .offset = offsetof(type, member.field),		\
	  .size = sizeof(((type *)0)->member.field),				\
	  .flags = fl, .min = lo, .max = hi, .def = d }

/*
 * The NAND tunables of a media model whose instance @type has a struct
 * nvmev_nand @member, one initializer each, with the model's default @d.
 */
#define NVMEV_NAND_CHANNELS(type, member, d)						\
	NVMEV_NAND_TUNABLE(type, member, "channels", channels, "NAND channels",		\
			   1, NVMEV_NAND_MAX_CHANNELS, d, 0)
#define NVMEV_NAND_DIES(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "dies_per_channel", dies_per_channel,		\
			   "NAND dies on each channel (channels x dies at most 256)",		\
			   1, NVMEV_NAND_MAX_DIES, d, 0)
#define NVMEV_NAND_PLANES(type, member, d)						\
	NVMEV_NAND_TUNABLE(type, member, "planes_per_die", planes_per_die,			\
			   "planes of a die (a program and an erase take them all)", 1, 16, d, 0)
#define NVMEV_NAND_PAGE(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "page_kib", page_kib, "flash page in KiB", 4, 256, d, 0)
#define NVMEV_NAND_ONESHOT(type, member, d)						\
	NVMEV_NAND_TUNABLE(type, member, "oneshot_pages", oneshot_pages,			\
			   "pages per plane one program writes (3 for one-shot TLC)", 1, 8, d, 0)
#define NVMEV_NAND_PPB(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "pages_per_block", pages_per_block,		\
			   "pages per plane in an erase block", 1, 65536, d, 0)
#define NVMEV_NAND_TR(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "page_read_ns", read_ns,				\
			   "tR: reading a page into the die's register, in ns",		\
			   0, NVMEV_NAND_MAX_NS, d, NVMEV_TUNABLE_RUNTIME)
#define NVMEV_NAND_TPROG(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "program_ns", program_ns,				\
			   "tPROG of a program unit, in ns", 0, NVMEV_NAND_MAX_NS, d,		\
			   NVMEV_TUNABLE_RUNTIME)
#define NVMEV_NAND_TBERS(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "erase_ns", erase_ns,				\
			   "tBERS of an erase block, in ns (never free: at least 1)",		\
			   1, NVMEV_NAND_MAX_NS, d, NVMEV_TUNABLE_RUNTIME)
#define NVMEV_NAND_CHANNEL_MBPS(type, member, d)						\
	NVMEV_NAND_TUNABLE(type, member, "channel_mbps", channel_mbps,			\
			   "transfer rate of a channel in MB/s (10^6 bytes/s)", 1, 100000, d,	\
			   NVMEV_TUNABLE_RUNTIME)
#define NVMEV_NAND_FW(type, member, d)							\
	NVMEV_NAND_TUNABLE(type, member, "fw_ns", fw_ns,					\
			   "controller firmware time per command, in ns", 0, NVMEV_NAND_MAX_NS, d,	\
			   NVMEV_TUNABLE_RUNTIME)

#endif /* NVMEV_NAND_H */
