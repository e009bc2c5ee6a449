// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reserved memory behind a device: check that every byte of the range
 * is RAM that memmap= reserved (the firmware's memory map says RAM, the
 * kernel's says Reserved) and that nobody has claimed it, claim it, and
 * map it. One MiB holds BAR0 (the "header"); the rest is the namespace,
 * which starts 2 MiB aligned so that it can be mapped with huge pages: the
 * header comes last when the range starts 2 MiB aligned, first otherwise.
 *
 * Resource tree while loaded:
 *   Reserved
 *     nvme                   (BAR0: the nvme driver's claim while it is bound)
 *     nvmevN header          (busy: the rest of the header MiB)
 *     nvmevN storage         (busy)
 * dev->res spans the whole range; it is the window of the device's PCI root
 * bus, kept out of the tree so that the host driver can claim BAR0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <asm/pgtable.h>
#include <linux/ioport.h>
#include <linux/mm.h>

#include "nvmev.h"

struct reserved_walk {
	u64 covered_to;		/* every byte below this is Reserved */
	bool gap;
};

static int reserved_cb(struct resource *r, void *arg)
{
	struct reserved_walk *w = arg;

	if (r->start > w->covered_to)
		w->gap = true;
	if (r->end + 1 > w->covered_to)
		w->covered_to = r->end + 1;
	return 0;
}

/*
 * The firmware's own memory map (e820 as the firmware gave it, before
 * memmap= changed the kernel's copy), from /sys/firmware/memmap/N/: the
 * one interface to it that every kernel offers to modules.
 */
#define FW_MAP_MAX_ENTRIES	4096

static int fw_map_attr(unsigned int n, const char *attr, char *buf, size_t len)
{
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/%s", n, attr);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	r = kernel_read(f, buf, len - 1, &pos);
	filp_close(f, NULL);
	if (r < 0)
		return r;
	buf[r] = 0;
	strim(buf);
	return 0;
}

/* 1: every byte of [@start, @end] is RAM in the firmware map; 0: not; <0: no map. */
static int fw_map_all_ram(u64 start, u64 end)
{
	u64 covered = 0;
	unsigned int n;

	for (n = 0; n < FW_MAP_MAX_ENTRIES; n++) {
		char type[32], num[24];
		u64 s, e;
		int ret;

		ret = fw_map_attr(n, "start", num, sizeof(num));
		if (ret)
			return n ? (covered == end - start + 1) : ret;
		if (kstrtou64(num, 0, &s) || fw_map_attr(n, "end", num, sizeof(num)) ||
		    kstrtou64(num, 0, &e) || fw_map_attr(n, "type", type, sizeof(type)))
			return -EINVAL;
		if (e < start || s > end)
			continue;
		if (strcmp(type, "System RAM"))
			return 0;	/* firmware-reserved, ACPI, ... */
		covered += min(e, end) - max(s, start) + 1;	/* entries do not overlap */
	}
	return -E2BIG;
}

static int memmap_check(struct nvmev_dev *dev)
{
	u64 start = dev->p.start, size = dev->p.size, end = start + size - 1;
	struct reserved_walk w = { .covered_to = start };
	int ret;

	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("%smemmap_start: range 0x%llx-0x%llx includes System RAM; reserve it at boot with memmap=%lluM$0x%llx\n",
		       dev->who, start, end, size >> 20, start);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end, &w, reserved_cb);
	if (w.gap || w.covered_to < end + 1) {
		pr_err("%smemmap_start: range 0x%llx-0x%llx is not all reserved memory; reserve it at boot with memmap=%lluM$0x%llx\n",
		       dev->who, start, end, size >> 20, start);
		return -EINVAL;
	}
	/*
	 * Every byte is Reserved in the kernel's map; memmap=SIZE$START only
	 * turns RAM into Reserved. The firmware's map must say RAM for all of
	 * it: not firmware-reserved memory, MMIO windows or holes.
	 */
	ret = fw_map_all_ram(start, end);
	if (ret < 0) {
		pr_warn("%s: cannot read the firmware memory map (/sys/firmware/memmap: %d); relying on the kernel's\n",
			dev->name, ret);
	} else if (!ret) {
		pr_err("%smemmap_start: range 0x%llx-0x%llx is not RAM in the firmware memory map (it is firmware-reserved or a hole); pick a range of usable RAM (see the e820 lines of dmesg)\n",
		       dev->who, start, end);
		return -EINVAL;
	}
	return 0;
}

/* The page size the kernel mapped @va with (4 KiB, 2 MiB or 1 GiB). */
static unsigned long mapped_page_size(void *va)
{
	unsigned int level;

	if (!lookup_address((unsigned long)va, &level))
		return 0;
	return level == PG_LEVEL_1G ? SZ_1G : level == PG_LEVEL_2M ? SZ_2M : SZ_4K;
}

int nvmev_memmap_claim(struct nvmev_dev *dev)
{
	u64 start = dev->p.start, size = dev->p.size;
	u64 storage, header;
	struct resource *probe;
	int ret;

	if (IS_ALIGNED(start, SZ_2M)) {
		storage = start;
		header = start + size - NVMEV_HEADER_SIZE;
	} else {
		header = start;
		storage = start + NVMEV_HEADER_SIZE;
	}
	dev->bar_phys = header;
	dev->storage_phys = storage;

	ret = memmap_check(dev);
	if (ret)
		return ret;

	/* A busy claim of the whole range fails if anybody holds any of it. */
	probe = request_mem_region(start, size, dev->name);
	if (!probe) {
		pr_err("%smemmap_start: range 0x%llx-0x%llx is already claimed (see /proc/iomem)\n",
		       dev->who, start, start + size - 1);
		return -EBUSY;
	}
	release_mem_region(start, size);

	dev->res.name = dev->name;
	dev->res.start = start;
	dev->res.end = start + size - 1;
	dev->res.flags = IORESOURCE_MEM;

	snprintf(dev->res_header_name, sizeof(dev->res_header_name), "%s header", dev->name);
	snprintf(dev->res_storage_name, sizeof(dev->res_storage_name), "%s storage", dev->name);
	dev->res_header = request_mem_region(header + NVMEV_BAR_SIZE,
					     NVMEV_HEADER_SIZE - NVMEV_BAR_SIZE,
					     dev->res_header_name);
	dev->res_storage = request_mem_region(storage, size - NVMEV_HEADER_SIZE,
					      dev->res_storage_name);
	if (!dev->res_header || !dev->res_storage) {
		pr_err("%smemmap_start: cannot claim 0x%llx-0x%llx\n", dev->who, start, start + size - 1);
		ret = -EBUSY;
		goto err;
	}

	/*
	 * The host driver maps BAR0 uncached; a write-through mapping here is
	 * a type it may share. The storage is ordinary write-back memory.
	 */
	dev->bar = memremap(header, NVMEV_BAR_SIZE, MEMREMAP_WT);
	dev->storage = memremap(storage, size - NVMEV_HEADER_SIZE, MEMREMAP_WB);
	if (!dev->bar || !dev->storage) {
		pr_err("%smemmap_start: cannot map 0x%llx-0x%llx\n", dev->who, start, start + size - 1);
		ret = -ENOMEM;
		goto err;
	}
	memset(dev->bar, 0, NVMEV_BAR_SIZE);
	dev->storage_page_size = mapped_page_size(dev->storage);
	return 0;
err:
	nvmev_memmap_release(dev);
	return ret;
}

void nvmev_memmap_release(struct nvmev_dev *dev)
{
	if (dev->storage)
		memunmap(dev->storage);
	if (dev->bar)
		memunmap(dev->bar);
	dev->storage = NULL;
	dev->bar = NULL;
	if (dev->res_storage)
		release_mem_region(dev->res_storage->start, resource_size(dev->res_storage));
	dev->res_storage = NULL;
	if (dev->res_header)
		release_mem_region(dev->res_header->start, resource_size(dev->res_header));
	dev->res_header = NULL;
}
