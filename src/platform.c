// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's side of src/model/platform.h: host memory by physical
 * address, time, interrupts, barriers and logging for the device model.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "nvmev.h"

/*
 * A page the device may read: any RAM page. A page it may write: RAM that
 * the kernel does not reserve for itself (its image, firmware tables, and
 * the memmap= range all are PageReserved).
 */
static struct page *host_page(u64 addr, bool write)
{
	unsigned long pfn = PHYS_PFN(addr);
	struct page *page;

	if (!pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	if (write && PageReserved(page))
		return NULL;
	return page;
}

bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len)
{
	struct page *page = host_page(addr, false);
	void *va;

	if (!page || offset_in_page(addr) + len > PAGE_SIZE)
		return false;
	va = kmap_local_page(page);
	memcpy(buf, va + offset_in_page(addr), len);
	kunmap_local(va);
	return true;
}

bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len)
{
	struct page *page = host_page(addr, true);
	void *va;

	if (!page || offset_in_page(addr) + len > PAGE_SIZE)
		return false;
	va = kmap_local_page(page);
	memcpy(va + offset_in_page(addr), buf, len);
	kunmap_local(va);
	return true;
}

/* Queues are physically contiguous host RAM: use the kernel's direct map. */
void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len)
{
	u64 a;

	if (!len || addr + len < addr)
		return NULL;
	for (a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE)
		if (!host_page(a, true))
			return NULL;
	return page_address(pfn_to_page(PHYS_PFN(addr))) + offset_in_page(addr);
}

void nvmev_plat_unmap_queue(void *plat, void *va, u32 len)
{
}

u64 nvmev_plat_now_ns(void *plat)
{
	return ktime_get_ns();
}

void nvmev_plat_raise_irq(void *plat, u16 vector)
{
	nvmev_irq_raise(plat, vector);
}

void nvmev_plat_kick_worker(void *plat, u16 worker)
{
	struct nvmev_dev *dev = plat;

	if (worker < NVMEV_MAX_WORKERS && dev->workers[worker])
		wake_up_process(dev->workers[worker]);
}

void nvmev_plat_mb(void)
{
	smp_mb();	/* ring and queue hand-off between dispatcher and workers */
}

void nvmev_plat_wmb(void)
{
	smp_wmb();	/* a completion entry's body before its phase/status dword */
}

void nvmev_plat_rmb(void)
{
	smp_rmb();	/* a doorbell value before the entries it announces */
}

bool nvmev_plat_bus_master(void *plat)
{
	return nvmev_pci_bus_master(plat);
}

bool nvmev_plat_relax(void *plat)
{
	if (kthread_should_stop())
		return false;
	cond_resched();
	cpu_relax();
	return true;
}

void nvmev_plat_log(void *plat, enum nvmev_log_level level, const char *fmt, ...)
{
	struct nvmev_dev *dev = plat;
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	switch (level) {
	case NVMEV_LOG_ERR:
		pr_err("%s: %pV\n", dev->name, &vaf);
		break;
	case NVMEV_LOG_WARN:
		pr_warn("%s: %pV\n", dev->name, &vaf);
		break;
	case NVMEV_LOG_INFO:
		pr_info("%s: %pV\n", dev->name, &vaf);
		break;
	default:
		pr_debug("%s: %pV\n", dev->name, &vaf);
		break;
	}
	va_end(args);
}
