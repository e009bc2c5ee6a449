// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reserved memory behind a device: check that every byte of the range
 * is firmware-reserved (memmap=) and that nobody has claimed it, claim it,
 * and map it. The first MiB holds BAR0; the rest is the namespace.
 *
 * Resource tree while loaded:
 *   Reserved
 *     nvme                   (BAR0: the nvme driver's claim while it is bound)
 *     nvmevN header          (busy: the rest of the first MiB)
 *     nvmevN storage         (busy)
 * dev->res spans the whole range; it is the window of the device's PCI root
 * bus, kept out of the tree so that the host driver can claim BAR0.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
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

static int memmap_check(struct nvmev_dev *dev)
{
	u64 start = dev->p.start, size = dev->p.size, end = start + size - 1;
	struct reserved_walk w = { .covered_to = start };

	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("memmap_start: range 0x%llx-0x%llx includes System RAM; reserve it at boot with memmap=%lluM$0x%llx\n",
		       start, end, size >> 20, start);
		return -EINVAL;
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, start, end, &w, reserved_cb);
	if (w.gap || w.covered_to < end + 1) {
		pr_err("memmap_start: range 0x%llx-0x%llx is not all reserved memory; reserve it at boot with memmap=%lluM$0x%llx\n",
		       start, end, size >> 20, start);
		return -EINVAL;
	}
	return 0;
}

int nvmev_memmap_claim(struct nvmev_dev *dev)
{
	u64 start = dev->p.start, size = dev->p.size;
	u64 storage = start + NVMEV_HEADER_SIZE;
	struct resource *probe;
	int ret;

	ret = memmap_check(dev);
	if (ret)
		return ret;

	/* A busy claim of the whole range fails if anybody holds any of it. */
	probe = request_mem_region(start, size, dev->name);
	if (!probe) {
		pr_err("memmap_start: range 0x%llx-0x%llx is already claimed (see /proc/iomem)\n",
		       start, start + size - 1);
		return -EBUSY;
	}
	release_mem_region(start, size);

	dev->res.name = dev->name;
	dev->res.start = start;
	dev->res.end = start + size - 1;
	dev->res.flags = IORESOURCE_MEM;

	snprintf(dev->res_header_name, sizeof(dev->res_header_name), "%s header", dev->name);
	snprintf(dev->res_storage_name, sizeof(dev->res_storage_name), "%s storage", dev->name);
	dev->res_header = request_mem_region(start + NVMEV_BAR_SIZE,
					     NVMEV_HEADER_SIZE - NVMEV_BAR_SIZE,
					     dev->res_header_name);
	dev->res_storage = request_mem_region(storage, size - NVMEV_HEADER_SIZE,
					      dev->res_storage_name);
	if (!dev->res_header || !dev->res_storage) {
		pr_err("memmap_start: cannot claim 0x%llx-0x%llx\n", start, start + size - 1);
		ret = -EBUSY;
		goto err;
	}

	/*
	 * The host driver maps BAR0 uncached; a write-through mapping here is
	 * a type it may share. The storage is ordinary write-back memory.
	 */
	dev->bar = memremap(start, NVMEV_BAR_SIZE, MEMREMAP_WT);
	dev->storage = memremap(storage, size - NVMEV_HEADER_SIZE, MEMREMAP_WB);
	if (!dev->bar || !dev->storage) {
		pr_err("memmap_start: cannot map 0x%llx-0x%llx\n", start, start + size - 1);
		ret = -ENOMEM;
		goto err;
	}
	memset(dev->bar, 0, NVMEV_BAR_SIZE);
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
