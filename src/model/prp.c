// SPDX-License-Identifier: GPL-2.0-only
/*
 * PRP walking, from the NVM Express Base Specification: PRP1 may start at
 * any dword inside a page; if the rest of the transfer fits in one more
 * page PRP2 points at it, otherwise PRP2 points at a PRP list whose entries
 * are page aligned and whose last entry chains to the next list page when
 * more entries are needed than the page holds.
 */
#include "prp.h"
#include "nvme.h"
#include "ctrl.h"

#define PRP_BATCH 32

static bool prp_aligned(u64 addr)
{
	return !(addr & (NVMEV_PAGE_SIZE - 1));
}

u16 nvmev_prp_walk(void *plat, u64 prp1, u64 prp2, u32 len, nvmev_prp_fn fn, void *arg)
{
	u64 entries[PRP_BATCH];
	u32 page = NVMEV_PAGE_SIZE;
	u32 off, seg, remaining;
	u64 list;

	if (!len)
		return NVME_SC_SUCCESS;
	if (prp1 & 3)
		return NVME_SC_PRP_OFFSET_INVALID;

	seg = page - (u32)(prp1 & (page - 1));
	seg = NVMEV_MIN(seg, len);
	if (!fn(arg, prp1, seg, 0))
		return NVME_SC_DATA_XFER_ERROR;
	off = seg;
	remaining = len - seg;
	if (!remaining)
		return NVME_SC_SUCCESS;

	if (remaining <= page) {
		if (!prp_aligned(prp2))
			return NVME_SC_PRP_OFFSET_INVALID;
		if (!fn(arg, prp2, remaining, off))
			return NVME_SC_DATA_XFER_ERROR;
		return NVME_SC_SUCCESS;
	}

	list = prp2;
	if (list & 7)
		return NVME_SC_PRP_OFFSET_INVALID;

	while (remaining) {
		u32 slots = (page - (u32)(list & (page - 1))) / 8;
		u32 needed = (remaining + page - 1) / page;
		bool chain = needed > slots;
		u32 usable = chain ? slots - 1 : needed;
		u32 i = 0;

		while (i < usable) {
			u32 n = NVMEV_MIN(usable - i, (u32)PRP_BATCH);
			u32 j;

			if (!nvmev_plat_host_read(plat, list + (u64)i * 8, entries, n * 8))
				return NVME_SC_DATA_XFER_ERROR;
			for (j = 0; j < n; j++) {
				u64 e = entries[j];

				if (!prp_aligned(e))
					return NVME_SC_PRP_OFFSET_INVALID;
				seg = NVMEV_MIN(remaining, page);
				if (!fn(arg, e, seg, off))
					return NVME_SC_DATA_XFER_ERROR;
				off += seg;
				remaining -= seg;
			}
			i += n;
		}
		if (!chain)
			break;
		if (!nvmev_plat_host_read(plat, list + (u64)usable * 8, entries, 8))
			return NVME_SC_DATA_XFER_ERROR;
		list = entries[0];
		if (!prp_aligned(list))
			return NVME_SC_PRP_OFFSET_INVALID;
	}
	return NVME_SC_SUCCESS;
}

struct prp_copy {
	void *plat;
	u8 *buf;
	u32 n;		/* bytes to move (the rest of the transfer is left alone) */
};

static bool prp_to_host(void *arg, u64 addr, u32 len, u32 off)
{
	struct prp_copy *pc = arg;

	return nvmev_plat_host_write(pc->plat, addr, pc->buf + off, len);
}

static bool prp_from_host(void *arg, u64 addr, u32 len, u32 off)
{
	struct prp_copy *pc = arg;

	return nvmev_plat_host_read(pc->plat, addr, pc->buf + off, len);
}

u16 nvmev_prp_copy_to_host(void *plat, u64 prp1, u64 prp2, const void *buf, u32 len)
{
	struct prp_copy pc = { .plat = plat, .buf = (u8 *)buf };

	return nvmev_prp_walk(plat, prp1, prp2, len, prp_to_host, &pc);
}

static bool prp_to_host_part(void *arg, u64 addr, u32 len, u32 off)
{
	struct prp_copy *pc = arg;

	if (off >= pc->n)
		return true;
	return nvmev_plat_host_write(pc->plat, addr, pc->buf + off, NVMEV_MIN(len, pc->n - off));
}

u16 nvmev_prp_copy_to_host_part(void *plat, u64 prp1, u64 prp2, u32 len, const void *buf, u32 n)
{
	struct prp_copy pc = { .plat = plat, .buf = (u8 *)buf, .n = n };

	if (!n)
		return NVME_SC_SUCCESS;
	return nvmev_prp_walk(plat, prp1, prp2, len, prp_to_host_part, &pc);
}

u16 nvmev_prp_copy_from_host(void *plat, u64 prp1, u64 prp2, void *buf, u32 len)
{
	struct prp_copy pc = { .plat = plat, .buf = buf };

	return nvmev_prp_walk(plat, prp1, prp2, len, prp_from_host, &pc);
}
