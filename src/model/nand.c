// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NAND timeline of nand.h: per die and per channel, the time each is
 * next free. Every operation costs at most one step per program unit it
 * touches (a transfer is at most NVMEV_MAX_XFER bytes) or one per die
 * (an erase), never one per block of the device.
 */
#include "nand.h"

int nvmev_nand_init(struct nvmev_nand *n)
{
	if (n->channels < 1 || n->channels > NVMEV_NAND_MAX_CHANNELS || n->dies_per_channel < 1 ||
	    n->channels * n->dies_per_channel > NVMEV_NAND_MAX_DIES || n->planes_per_die < 1 ||
	    n->planes_per_die > 16 || n->page_kib < 4 || n->page_kib > 256 ||
	    n->oneshot_pages < 1 || n->oneshot_pages > 8 || n->pages_per_block < n->oneshot_pages ||
	    n->pages_per_block > 65536 || !n->channel_mbps)
		return -1;
	n->nr_dies = (u32)(n->channels * n->dies_per_channel);
	n->page_bytes = (n->page_kib << 10) * n->planes_per_die;
	n->unit_bytes = n->page_bytes * n->oneshot_pages;
	n->block_bytes = n->page_bytes * n->pages_per_block;
	nvmev_nand_reset(n);
	return 0;
}

void nvmev_nand_reset(struct nvmev_nand *n)
{
	memset(n->die_free, 0, sizeof(n->die_free));
	memset(n->ch_free, 0, sizeof(n->ch_free));
}

static u64 xfer_ns(const struct nvmev_nand *n, u64 bytes)
{
	u64 mbps = NVMEV_READ_ONCE(n->channel_mbps);

	return mbps ? (bytes * 1000 + mbps - 1) / mbps : 0;
}

/* The bytes of [@off, @end) in unit @u, and the unit's die. */
static u64 in_unit(const struct nvmev_nand *n, u64 u, u64 off, u64 end, u32 *die)
{
	u64 lo = NVMEV_MAX(off, u * n->unit_bytes), hi = NVMEV_MIN(end, (u + 1) * n->unit_bytes);

	*die = (u32)(u % n->nr_dies);
	return hi - lo;
}

u64 nvmev_nand_read(struct nvmev_nand *n, u64 off, u64 len, u64 now)
{
	u64 tr = NVMEV_READ_ONCE(n->read_ns), done = now, end = off + len, u;

	for (u = off / n->unit_bytes; len && u * n->unit_bytes < end; u++) {
		u32 d;
		u64 bytes = in_unit(n, u, off, end, &d);
		u64 pages = (bytes + n->page_bytes - 1) / n->page_bytes;
		u32 ch = (u32)(d % n->channels);
		u64 t = NVMEV_MAX(now, n->die_free[d]) + pages * tr;

		/* the die holds the data until its channel has moved it out */
		t = NVMEV_MAX(t, n->ch_free[ch]) + xfer_ns(n, bytes);
		n->ch_free[ch] = t;
		n->die_free[d] = t;
		done = NVMEV_MAX(done, t);
	}
	return done + NVMEV_READ_ONCE(n->fw_ns);
}

u64 nvmev_nand_write(struct nvmev_nand *n, u64 off, u64 len, u64 now)
{
	u64 tprog = NVMEV_READ_ONCE(n->program_ns), done = now, end = off + len, u;

	for (u = off / n->unit_bytes; len && u * n->unit_bytes < end; u++) {
		u32 d;
		u64 bytes = in_unit(n, u, off, end, &d);
		u32 ch = (u32)(d % n->channels);
		/* into the die's buffer once the die has programmed what it held */
		u64 t = NVMEV_MAX(NVMEV_MAX(now, n->die_free[d]), n->ch_free[ch]) + xfer_ns(n, bytes);

		n->ch_free[ch] = t;
		/* the unit is full: the die programs it and takes nothing meanwhile */
		n->die_free[d] = NVMEV_MIN(end, (u + 1) * n->unit_bytes) == (u + 1) * n->unit_bytes ?
				 t + tprog : t;
		done = NVMEV_MAX(done, t);
	}
	return done + NVMEV_READ_ONCE(n->fw_ns);
}

/* The dies @len bytes from @off span (striped in program units). */
static u64 dies_of(const struct nvmev_nand *n, u64 off, u64 len)
{
	u64 units = len ? (off + len - 1) / n->unit_bytes - off / n->unit_bytes + 1 : 0;

	return NVMEV_MIN(units, (u64)n->nr_dies);
}

u64 nvmev_nand_erase(struct nvmev_nand *n, u64 off, u64 len, u64 now)
{
	u64 dies = dies_of(n, off, len);
	u64 per_die = dies ? (len + dies - 1) / dies : 0;
	u64 blocks = per_die ? (per_die + n->block_bytes - 1) / n->block_bytes : 0;

	return nvmev_nand_erase_for(n, off, len, blocks * NVMEV_READ_ONCE(n->erase_ns), now);
}

u64 nvmev_nand_erase_for(struct nvmev_nand *n, u64 off, u64 len, u64 ns, u64 now)
{
	u64 dies = dies_of(n, off, len), first = off / n->unit_bytes, i, done = now;

	for (i = 0; i < dies; i++) {
		u32 d = (u32)((first + i) % n->nr_dies);
		u64 t = NVMEV_MAX(now, n->die_free[d]) + ns;

		n->die_free[d] = t;
		done = NVMEV_MAX(done, t);
	}
	return done + NVMEV_READ_ONCE(n->fw_ns);
}

u64 nvmev_nand_flush(struct nvmev_nand *n, u64 off, u64 now)
{
	u32 d = (u32)((off / n->unit_bytes) % n->nr_dies);
	u64 t = now;

	if (off % n->unit_bytes) {	/* a partly written unit: pad and program it */
		t = NVMEV_MAX(now, n->die_free[d]) + NVMEV_READ_ONCE(n->program_ns);
		n->die_free[d] = t;
	}
	return t + NVMEV_READ_ONCE(n->fw_ns);
}
