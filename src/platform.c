// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's side of src/model/platform.h: host memory by physical
 * address, time, interrupts, barriers and logging for the device model.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <asm/pgtable.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>

#include "nvmev.h"

/*
 * The host memory the device reaches, by physical address, through the
 * kernel's direct map: a page the direct map has present (for a write:
 * present and writable), outside the device's own reserved range. Pages
 * that are not in the direct map (holes, firmware tables, memory taken out
 * of it) and the read-only kernel text fail the access, and the command
 * fails with a Data Transfer Error; reserved RAM that the kernel maps, such
 * as swiotlb bounce buffers, works. No access touches an unmapped address.
 * Without Bus Master Enable no access is made at all.
 */
static void *host_va(struct nvmev_dev *dev, u64 addr, u32 len, bool write)
{
	unsigned int level;
	pte_t *pte;
	void *va;

	if (offset_in_page(addr) + len > PAGE_SIZE || !pfn_valid(PHYS_PFN(addr)))
		return NULL;
	if (addr < dev->p.start + dev->p.size && addr + len > dev->p.start)
		return NULL;
	if (!nvmev_pci_bus_master(dev))
		return NULL;
	va = page_address(pfn_to_page(PHYS_PFN(addr))) + offset_in_page(addr);
	pte = lookup_address((unsigned long)va, &level);
	if (!pte || !pte_present(*pte) || (write && !pte_write(*pte)))
		return NULL;
	return va;
}

bool nvmev_plat_host_read(void *plat, u64 addr, void *buf, u32 len)
{
	void *va = host_va(plat, addr, len, false);

	if (!va)
		return false;
	memcpy(buf, va, len);
	return true;
}

bool nvmev_plat_host_write(void *plat, u64 addr, const void *buf, u32 len)
{
	void *va = host_va(plat, addr, len, true);

	if (!va)
		return false;
	memcpy(va, buf, len);
	return true;
}

/* Queues are physically contiguous host RAM: use the kernel's direct map. */
void *nvmev_plat_map_queue(void *plat, u64 addr, u32 len)
{
	void *first = NULL;
	u64 a;

	if (!len || addr + len < addr)
		return NULL;
	for (a = addr & PAGE_MASK; a < addr + len; a += PAGE_SIZE) {
		void *va = host_va(plat, a, 1, true);

		if (!va || (first && va != first + (a - (addr & PAGE_MASK))))
			return NULL;
		if (!first)
			first = va;
	}
	return first + offset_in_page(addr);
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

void nvmev_plat_ns_changed(void *plat)
{
	nvmev_sysfs_ns_changed(plat);
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
