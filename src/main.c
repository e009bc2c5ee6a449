// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: a virtual PCIe NVMe controller in reserved memory.
 *
 * Module parameters, their validation, and the life of a device: claim the
 * memory, set up the model, start the threads, put the PCI function on its
 * own root bus for the stock nvme driver to bind; and the reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "nvmev.h"
#include "compat.h"

static char *memmap_start;
module_param(memmap_start, charp, 0444);
MODULE_PARM_DESC(memmap_start,
		 "Start of the reserved memory: a bare number is GiB, or use a K/M/G/T suffix (required; reserve it with memmap=SIZE$START)");

static char *memmap_size;
module_param(memmap_size, charp, 0444);
MODULE_PARM_DESC(memmap_size,
		 "Size of the reserved memory: a bare number is MiB, or use a K/M/G/T suffix (required; at least 2 MiB)");

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPU list, e.g. 7,8: the first CPU runs the dispatcher, the others run I/O workers (at least two CPUs)");

static char *type = "nvm";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "Device type: nvm (default nvm)");

static unsigned long read_latency_ns = 10000;
module_param(read_latency_ns, ulong, 0444);
MODULE_PARM_DESC(read_latency_ns, "NVM read latency in ns (default 10000; 0..10000000000)");

static unsigned long write_latency_ns = 10000;
module_param(write_latency_ns, ulong, 0444);
MODULE_PARM_DESC(write_latency_ns, "NVM write latency in ns (default 10000; 0..10000000000)");

static unsigned long bandwidth_mbps = 2500;
module_param(bandwidth_mbps, ulong, 0444);
MODULE_PARM_DESC(bandwidth_mbps,
		 "NVM bandwidth in MB/s (10^6 bytes/s) shared by the parallel units; 0 = unlimited (default 2500)");

static unsigned int parallel_units = 8;
module_param(parallel_units, uint, 0444);
MODULE_PARM_DESC(parallel_units, "NVM parallel units that share the bandwidth (default 8; 1..256)");

static unsigned int lba_size = 512;
module_param(lba_size, uint, 0444);
MODULE_PARM_DESC(lba_size, "Logical block size in bytes: 512 or 4096 (default 512)");

static unsigned int max_io_queues = 64;
module_param(max_io_queues, uint, 0444);
MODULE_PARM_DESC(max_io_queues, "I/O queue pairs offered to the host (default 64; 1..128)");

static char *poll_mode = "busy";
module_param(poll_mode, charp, 0444);
MODULE_PARM_DESC(poll_mode,
		 "busy: threads spin while there is work (lowest latency); lowcpu: they sleep when idle and wait for the next completion on a timer (default busy)");

static unsigned int idle_after_us = 1000;
module_param(idle_after_us, uint, 0444);
MODULE_PARM_DESC(idle_after_us,
		 "Microseconds without work after which the threads sleep between polls; 0 = always busy-poll (default 1000)");

static unsigned int idle_sleep_us = 20;
module_param(idle_sleep_us, uint, 0444);
MODULE_PARM_DESC(idle_sleep_us, "Microseconds an idle thread sleeps between polls (default 20; 1..100000)");


struct kobject *nvmev_kobj;
static struct nvmev_dev *nvmev_devs[1];
static DEFINE_MUTEX(nvmev_lock);

static const char * const nvmev_type_names[] = {
	[NVMEV_TYPE_NVM] = "nvm",
};

const char * const nvmev_poll_mode_names[2] = {
	[NVMEV_POLL_BUSY] = "busy",
	[NVMEV_POLL_LOWCPU] = "lowcpu",
};

/* A bare number is in @unit bytes; a K/M/G/T suffix is taken as written. */
static int parse_size(const char *name, const char *s, u64 unit, u64 *out)
{
	char digits[24];
	size_t n;
	u64 v, mult = unit;

	if (!s || !*s) {
		pr_err("%s: missing: reserve memory at boot with memmap=SIZE$START (e.g. memmap=64G$128G) and pass memmap_start=START memmap_size=SIZE (bare numbers: start in GiB, size in MiB)\n",
		       name);
		return -EINVAL;
	}
	n = strspn(s, "0123456789");
	if (!n || n >= sizeof(digits))
		goto bad;
	memcpy(digits, s, n);
	digits[n] = 0;
	if (kstrtou64(digits, 10, &v))
		goto bad;
	switch (s[n]) {
	case 0:
		break;
	case 'k': case 'K':
		mult = SZ_1K;
		break;
	case 'm': case 'M':
		mult = SZ_1M;
		break;
	case 'g': case 'G':
		mult = SZ_1G;
		break;
	case 't': case 'T':
		mult = SZ_1G * 1024ull;
		break;
	default:
		goto bad;
	}
	if (s[n] && s[n + 1])
		goto bad;
	if (check_mul_overflow(v, mult, out))
		goto bad;
	return 0;
bad:
	pr_err("%s: '%s' is not a size: use a plain number (start in GiB, size in MiB) or one with a K, M, G or T suffix\n",
	       name, s);
	return -EINVAL;
}

static int parse_cpus(const char *s, struct nvmev_params *p)
{
	char buf[256], *cur, *tok;
	unsigned int i;

	if (!s || !*s) {
		pr_err("cpus: missing: give at least two CPUs, e.g. cpus=2,3 (the first dispatches, the rest run I/O workers)\n");
		return -EINVAL;
	}
	if (strscpy(buf, s, sizeof(buf)) < 0) {
		pr_err("cpus: list too long\n");
		return -EINVAL;
	}
	cur = strim(buf);
	p->nr_cpus = 0;
	while ((tok = strsep(&cur, ",")) != NULL) {
		unsigned int cpu;

		if (kstrtouint(tok, 10, &cpu)) {
			pr_err("cpus: '%s' is not a CPU number\n", tok);
			return -EINVAL;
		}
		if (cpu >= nr_cpu_ids) {
			pr_err("cpus: CPU %u is out of range (this system has CPUs 0-%u)\n",
			       cpu, nr_cpu_ids - 1);
			return -EINVAL;
		}
		if (!cpu_online(cpu)) {
			pr_err("cpus: CPU %u is offline\n", cpu);
			return -EINVAL;
		}
		for (i = 0; i < p->nr_cpus; i++) {
			if (p->cpus[i] == cpu) {
				pr_err("cpus: CPU %u is listed twice\n", cpu);
				return -EINVAL;
			}
		}
		if (p->nr_cpus == NVMEV_MAX_CPUS) {
			pr_err("cpus: more than %u CPUs\n", NVMEV_MAX_CPUS);
			return -EINVAL;
		}
		p->cpus[p->nr_cpus++] = cpu;
	}
	if (p->nr_cpus < 2) {
		pr_err("cpus: needs at least two CPUs (one dispatcher and one or more workers), got %u\n",
		       p->nr_cpus);
		return -EINVAL;
	}
	return 0;
}

static int check_range(const char *name, u64 v, u64 lo, u64 hi)
{
	if (v < lo || v > hi) {
		pr_err("%s: %llu is out of range (%llu..%llu)\n", name, v, lo, hi);
		return -EINVAL;
	}
	return 0;
}

static int parse_params(struct nvmev_params *p)
{
	int ret;
	int t;

	memset(p, 0, sizeof(*p));
	ret = parse_size("memmap_start", memmap_start, SZ_1G, &p->start);
	if (ret)
		return ret;
	ret = parse_size("memmap_size", memmap_size, SZ_1M, &p->size);
	if (ret)
		return ret;
	if (!IS_ALIGNED(p->start, NVMEV_ALIGN)) {
		pr_err("memmap_start: 0x%llx is not aligned to 1 MiB\n", p->start);
		return -EINVAL;
	}
	if (!IS_ALIGNED(p->size, NVMEV_ALIGN)) {
		pr_err("memmap_size: 0x%llx is not a multiple of 1 MiB\n", p->size);
		return -EINVAL;
	}
	if (p->size < NVMEV_HEADER_SIZE + NVMEV_MIN_STORAGE) {
		pr_err("memmap_size: %llu bytes is too small: the controller takes 1 MiB and the namespace needs at least 1 MiB more\n",
		       p->size);
		return -EINVAL;
	}
	if (p->start + p->size < p->start) {
		pr_err("memmap_size: range wraps around the address space\n");
		return -EINVAL;
	}

	t = match_string(nvmev_type_names, ARRAY_SIZE(nvmev_type_names), type);
	if (t < 0) {
		pr_err("type: '%s' is not a device type (supported: nvm)\n", type);
		return -EINVAL;
	}
	p->type = t;

	t = match_string(nvmev_poll_mode_names, ARRAY_SIZE(nvmev_poll_mode_names), poll_mode);
	if (t < 0) {
		pr_err("poll_mode: '%s' is not a polling mode (busy or lowcpu)\n", poll_mode);
		return -EINVAL;
	}
	p->poll_mode = t;

	ret = parse_cpus(cpus, p);
	if (ret)
		return ret;

	ret = check_range("read_latency_ns", read_latency_ns, 0, NVMEV_MAX_LATENCY_NS) ?:
	      check_range("write_latency_ns", write_latency_ns, 0, NVMEV_MAX_LATENCY_NS) ?:
	      check_range("bandwidth_mbps", bandwidth_mbps, 0, NVMEV_MAX_BANDWIDTH) ?:
	      check_range("parallel_units", parallel_units, 1, NVMEV_MAX_PARALLEL_UNITS) ?:
	      check_range("max_io_queues", max_io_queues, 1, NVMEV_MAX_IO_QUEUES) ?:
	      check_range("idle_after_us", idle_after_us, 0, NVMEV_MAX_IDLE_AFTER_US) ?:
	      check_range("idle_sleep_us", idle_sleep_us, 1, NVMEV_MAX_IDLE_SLEEP_US);
	if (ret)
		return ret;
	if (lba_size != 512 && lba_size != 4096) {
		pr_err("lba_size: %u is not supported (512 or 4096)\n", lba_size);
		return -EINVAL;
	}
	p->read_latency_ns = read_latency_ns;
	p->write_latency_ns = write_latency_ns;
	p->bandwidth_mbps = bandwidth_mbps;
	p->parallel_units = parallel_units;
	p->lba_size = lba_size;
	p->max_io_queues = max_io_queues;
	p->idle_after_us = idle_after_us;
	p->idle_sleep_us = idle_sleep_us;
	return 0;
}

static int nvmev_model_init(struct nvmev_dev *dev)
{
	struct nvmev_params *p = &dev->p;
	struct nvmev_config cfg = {};
	unsigned int i, nr_workers = p->nr_cpus - 1;

	dev->ctrl = kvzalloc(sizeof(*dev->ctrl), GFP_KERNEL);
	if (!dev->ctrl)
		return -ENOMEM;
	for (i = 0; i < nr_workers; i++) {
		dev->w[i] = kvzalloc(sizeof(*dev->w[i]), GFP_KERNEL);
		if (!dev->w[i])
			return -ENOMEM;
	}

	nvmev_nvm_timing_init(&dev->timing, p->read_latency_ns, p->write_latency_ns,
			      p->bandwidth_mbps, p->parallel_units);

	/*
	 * One bit per 512 bytes of storage (1/4096 of it): every namespace,
	 * of either block size, keeps its deallocation map in its extent's
	 * share of it.
	 */
	dev->dealloc = kvmalloc_array(nvmev_storage_map_words(p->size - NVMEV_HEADER_SIZE),
				      sizeof(u64), GFP_KERNEL);
	if (!dev->dealloc)
		return -ENOMEM;

	cfg.bar = dev->bar;
	cfg.storage = dev->storage;
	cfg.storage_size = p->size - NVMEV_HEADER_SIZE;
	cfg.dealloc = dev->dealloc;
	cfg.lba_shift = ilog2(p->lba_size);
	cfg.max_io_queues = p->max_io_queues;
	cfg.nr_workers = nr_workers;
	cfg.cntlid = 1;
	cfg.uid = p->start;
	cfg.vid = NVMEV_PCI_VENDOR;
	cfg.ssvid = NVMEV_PCI_VENDOR;
	snprintf(cfg.serial, sizeof(cfg.serial), "NVMEV%011llx", p->start >> 20);
	strscpy(cfg.model, "nvmevirt NVM SSD", sizeof(cfg.model));
	strscpy(cfg.firmware, NVMEV_VERSION, sizeof(cfg.firmware));
	cfg.timing = &dev->timing.base;
	cfg.plat = dev;

	if (nvmev_ctrl_init(dev->ctrl, &cfg, dev->w)) {
		pr_err("%s: device model rejected its configuration\n", dev->name);
		return -EINVAL;
	}
	return 0;
}

static void nvmev_model_free(struct nvmev_dev *dev)
{
	unsigned int i;

	if (dev->ctrl)
		nvmev_ctrl_fini(dev->ctrl);
	for (i = 0; i < NVMEV_MAX_WORKERS; i++) {
		kvfree(dev->w[i]);
		dev->w[i] = NULL;
	}
	kvfree(dev->ctrl);
	dev->ctrl = NULL;
	kvfree(dev->dealloc);
	dev->dealloc = NULL;
}

void nvmev_dev_release(struct nvmev_dev *dev)
{
	kvfree(dev);
}

static void nvmev_dev_put(struct nvmev_dev *dev)
{
	if (dev->kobj_added)
		kobject_put(&dev->kobj);
	else
		nvmev_dev_release(dev);
}

static struct nvmev_dev *nvmev_dev_create(int index, const struct nvmev_params *p)
{
	struct nvmev_dev *dev;
	int ret;

	dev = kvzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->index = index;
	dev->p = *p;
	dev->idle_after_us = p->idle_after_us;
	dev->idle_sleep_us = p->idle_sleep_us;
	dev->poll_mode = p->poll_mode;
	snprintf(dev->name, sizeof(dev->name), "nvmev%d", index);

	ret = nvmev_memmap_claim(dev);
	if (ret)
		goto err_free;
	ret = nvmev_model_init(dev);
	if (ret)
		goto err_model;
	nvmev_irq_reset(dev);
	ret = nvmev_pci_create(dev);
	if (ret)
		goto err_model;
	ret = nvmev_threads_start(dev);
	if (ret)
		goto err_pci;
	ret = nvmev_sysfs_add(dev);
	if (ret)
		goto err_threads;
	nvmev_pci_add(dev);

	pr_info("%s: %s device, %llu MiB at 0x%llx, %llu MiB namespace, PCI %04x:00:00.0, dispatcher on CPU %u, %u worker(s)\n",
		dev->name, nvmev_type_names[p->type], p->size >> 20, p->start,
		(p->size - NVMEV_HEADER_SIZE) >> 20, dev->domain, p->cpus[0], p->nr_cpus - 1);
	pr_info("%s: storage at 0x%llx mapped with %lu KiB pages (%llu KiB of page tables), BAR0 at 0x%llx\n",
		dev->name, dev->storage_phys, dev->storage_page_size >> 10,
		dev->storage_page_size ?
		DIV_ROUND_UP((p->size - NVMEV_HEADER_SIZE) / dev->storage_page_size * 8, SZ_1K) : 0,
		dev->bar_phys);
	return dev;

err_threads:
	nvmev_threads_stop(dev);
err_pci:
	nvmev_pci_remove(dev);
err_model:
	nvmev_model_free(dev);
	nvmev_memmap_release(dev);
err_free:
	nvmev_dev_put(dev);
	return ERR_PTR(ret);
}

/*
 * Teardown order: the host driver goes first (it deletes its queues, shuts
 * the controller down and frees its interrupts, with the threads still
 * answering), then the threads stop, and only then does the bus go. No
 * rescan can find the function again in between.
 */
static void nvmev_dev_destroy(struct nvmev_dev *dev)
{
	nvmev_ctrl_hurry(dev->ctrl);	/* the driver waits for its commands */
	pci_lock_rescan_remove();
	nvmev_pci_stop_locked(dev);
	nvmev_sysfs_remove(dev);
	nvmev_threads_stop(dev);
	nvmev_pci_remove_locked(dev);
	pci_unlock_rescan_remove();
	nvmev_model_free(dev);
	nvmev_memmap_release(dev);
	pr_info("%s: removed\n", dev->name);
	nvmev_dev_put(dev);
}

static int __init nvmev_init(void)
{
	struct nvmev_params *p;
	struct nvmev_dev *dev;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = parse_params(p);
	if (ret)
		goto out;

	nvmev_kobj = kobject_create_and_add("nvmev", kernel_kobj);
	if (!nvmev_kobj) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nvmev_pci_init();
	if (ret) {
		kobject_put(nvmev_kobj);
		goto out;
	}

	mutex_lock(&nvmev_lock);
	dev = nvmev_dev_create(0, p);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		mutex_unlock(&nvmev_lock);
		nvmev_pci_exit();
		kobject_put(nvmev_kobj);
		goto out;
	}
	nvmev_devs[0] = dev;
	mutex_unlock(&nvmev_lock);
	ret = 0;
out:
	kfree(p);
	return ret;
}

static void __exit nvmev_exit(void)
{
	unsigned int i;

	mutex_lock(&nvmev_lock);
	for (i = 0; i < ARRAY_SIZE(nvmev_devs); i++) {
		if (nvmev_devs[i])
			nvmev_dev_destroy(nvmev_devs[i]);
		nvmev_devs[i] = NULL;
	}
	mutex_unlock(&nvmev_lock);
	nvmev_pci_exit();
	kobject_put(nvmev_kobj);
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_DESCRIPTION("nvmevirt: a virtual PCIe NVMe SSD in reserved memory");
MODULE_AUTHOR("The nvmevirt developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(NVMEV_VERSION);
