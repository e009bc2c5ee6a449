// SPDX-License-Identifier: GPL-2.0-only
/* PRP walking: offsets, PRP2 as data pointer, lists, chained lists, errors. */
#include <string.h>

#include "th.h"

struct seg_log {
	u64 addr[1100];
	u32 len[1100];
	u32 off[1100];
	int n;
};

static bool log_seg(void *arg, u64 addr, u32 len, u32 off)
{
	struct seg_log *l = arg;

	l->addr[l->n] = addr;
	l->len[l->n] = len;
	l->off[l->n] = off;
	l->n++;
	return true;
}

static struct seg_log segs;

static u16 walk(u64 prp1, u64 prp2, u32 len)
{
	memset(&segs, 0, sizeof(segs));
	return nvmev_prp_walk(NULL, prp1, prp2, len, log_seg, &segs);
}

UNIT_TEST(prp_single_page_with_offset)
{
	host_reset();
	CHECK_EQ(walk(HOST_BASE + 0x100, 0, 512), 0);
	CHECK_EQ(segs.n, 1);
	CHECK_EQ(segs.addr[0], HOST_BASE + 0x100);
	CHECK_EQ(segs.len[0], 512);
}

UNIT_TEST(prp_two_pages_prp2_is_data)
{
	host_reset();
	CHECK_EQ(walk(HOST_BASE + 0x800, HOST_BASE + 0x5000, 4096), 0);
	CHECK_EQ(segs.n, 2);
	CHECK_EQ(segs.len[0], 0x800);
	CHECK_EQ(segs.addr[1], HOST_BASE + 0x5000);
	CHECK_EQ(segs.len[1], 0x800);
	CHECK_EQ(segs.off[1], 0x800);
	/* PRP2 used as a data pointer must be page aligned */
	CHECK_EQ(walk(HOST_BASE + 0x800, HOST_BASE + 0x5010, 4096), NVME_SC_PRP_OFFSET_INVALID);
}

UNIT_TEST(prp_dword_alignment)
{
	host_reset();
	CHECK_EQ(walk(HOST_BASE + 2, 0, 16), NVME_SC_PRP_OFFSET_INVALID);
	CHECK_EQ(walk(HOST_BASE + 4, 0, 16), 0);
	CHECK_EQ(walk(HOST_BASE, 0, 0), 0);
	CHECK_EQ(segs.n, 0);
}

static u64 make_list(u32 entries, u64 first_data)
{
	u64 list = host_alloc(4096);
	u64 *e = host_ptr(list);
	u32 i;

	for (i = 0; i < entries && i < 512; i++)
		e[i] = first_data + (u64)i * 4096;
	return list;
}

UNIT_TEST(prp_list_of_pages)
{
	u64 data, list;

	host_reset();
	data = host_alloc(64 * 4096);
	list = make_list(63, data + 4096);
	CHECK_EQ(walk(data, list, 64 * 4096), 0);
	CHECK_EQ(segs.n, 64);
	CHECK_EQ(segs.addr[63], data + 63 * 4096);
	CHECK_EQ(segs.off[63], 63 * 4096);
	CHECK_EQ(segs.len[63], 4096);
}

UNIT_TEST(prp_list_partial_last_page_and_offset_prp1)
{
	u64 data, list;

	host_reset();
	data = host_alloc(8 * 4096);
	list = make_list(7, data + 4096);
	/* starts 0x200 into the first page: 3.5 KiB there, then 3 pages and a bit */
	CHECK_EQ(walk(data + 0x200, list, 0xe00 + 3 * 4096 + 100), 0);
	CHECK_EQ(segs.n, 5);
	CHECK_EQ(segs.len[0], 0xe00);
	CHECK_EQ(segs.len[4], 100);
}

UNIT_TEST(prp_list_pointer_with_offset)
{
	u64 data, page, list;
	u64 *e;

	host_reset();
	data = host_alloc(4 * 4096);
	page = host_alloc(4096);
	list = page + 4096 - 3 * 8;	/* the last three slots of the page */
	e = host_ptr(list);
	e[0] = data + 4096;
	e[1] = data + 2 * 4096;
	e[2] = data + 3 * 4096;
	CHECK_EQ(walk(data, list, 4 * 4096), 0);
	CHECK_EQ(segs.n, 4);
	CHECK_EQ(segs.addr[3], data + 3 * 4096);
	/* a list pointer must be qword aligned */
	CHECK_EQ(walk(data, list + 4, 4 * 4096), NVME_SC_PRP_OFFSET_INVALID);
}

UNIT_TEST(prp_chained_lists)
{
	u64 data, l1, l2;
	u64 *e;
	u32 i, pages = 600;

	host_reset();
	data = host_alloc(pages * 4096);
	l1 = host_alloc(4096);
	l2 = host_alloc(4096);
	e = host_ptr(l1);
	for (i = 0; i < 511; i++)
		e[i] = data + (u64)(i + 1) * 4096;
	e[511] = l2;		/* chain */
	e = host_ptr(l2);
	for (i = 0; i < pages - 512; i++)
		e[i] = data + (u64)(i + 512) * 4096;
	CHECK_EQ(walk(data, l1, pages * 4096), 0);
	CHECK_EQ(segs.n, (int)pages);
	for (i = 0; i < pages; i++)
		if (segs.addr[i] != data + (u64)i * 4096)
			break;
	CHECK_EQ(i, pages);
	/* exactly 512 pages: the last list entry is data, not a chain */
	e = host_ptr(l1);
	e[511] = data + 512 * 4096;
	CHECK_EQ(walk(data, l1, 513 * 4096), 0);
	CHECK_EQ(segs.n, 513);
	CHECK_EQ(segs.addr[512], data + 512 * 4096);
}

UNIT_TEST(prp_list_entry_with_offset_is_invalid)
{
	u64 data, list;
	u64 *e;

	host_reset();
	data = host_alloc(4 * 4096);
	list = make_list(3, data + 4096);
	e = host_ptr(list);
	e[1] += 8;
	CHECK_EQ(walk(data, list, 4 * 4096), NVME_SC_PRP_OFFSET_INVALID);
}

UNIT_TEST(prp_chain_pointer_with_offset_is_invalid)
{
	u64 data, l1;
	u64 *e;
	u32 i;

	host_reset();
	data = host_alloc(600 * 4096);
	l1 = host_alloc(4096);
	e = host_ptr(l1);
	for (i = 0; i < 511; i++)
		e[i] = data + (u64)(i + 1) * 4096;
	e[511] = host_alloc(4096) + 8;
	CHECK_EQ(walk(data, l1, 600 * 4096), NVME_SC_PRP_OFFSET_INVALID);
}

UNIT_TEST(prp_bad_addresses_are_transfer_errors)
{
	static u8 buf[3 * 4096];
	u64 list;

	host_reset();
	/* PRP1 outside host memory */
	CHECK_EQ(nvmev_prp_copy_to_host(NULL, 0x1000, 0, buf, 512), NVME_SC_DATA_XFER_ERROR);
	/* PRP2 as a data pointer outside host memory */
	CHECK_EQ(nvmev_prp_copy_to_host(NULL, HOST_BASE, 0x2000, buf, 8192),
		 NVME_SC_DATA_XFER_ERROR);
	/* a PRP list that lives outside host memory */
	CHECK_EQ(nvmev_prp_copy_to_host(NULL, HOST_BASE, 0x8000, buf, sizeof(buf)),
		 NVME_SC_DATA_XFER_ERROR);
	/* list entries that point outside host memory */
	list = make_list(2, 0x40000000ull);
	CHECK_EQ(nvmev_prp_copy_from_host(NULL, HOST_BASE, list, buf, sizeof(buf)),
		 NVME_SC_DATA_XFER_ERROR);
	CHECK_EQ(host_accesses_crossing_pages, 0);
}

UNIT_TEST(prp_copy_roundtrip)
{
	u8 out[3 * 4096], in[3 * 4096];
	u64 data, list;
	u32 i;

	host_reset();
	for (i = 0; i < sizeof(out); i++)
		out[i] = (u8)(i * 7 + 3);
	data = host_alloc(4 * 4096);
	list = make_list(3, data + 4096);
	CHECK_EQ(nvmev_prp_copy_to_host(NULL, data + 0x400, list, out, sizeof(out)), 0);
	CHECK_EQ(nvmev_prp_copy_from_host(NULL, data + 0x400, list, in, sizeof(in)), 0);
	CHECK(!memcmp(in, out, sizeof(in)));
	CHECK(!memcmp(host_ptr(data + 0x400), out, 4096 - 0x400));
	CHECK_EQ(host_accesses_crossing_pages, 0);
}
