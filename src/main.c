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
		 "Start of the reserved memory: a bare number is GiB, or use a K/M/G/T suffix; reserve it with memmap=SIZE$START. With memmap_size and cpus it makes device nvmev0; without all three no device (make them in configfs)");

static char *memmap_size;
module_param(memmap_size, charp, 0444);
MODULE_PARM_DESC(memmap_size,
		 "Size of the reserved memory: a bare number is MiB, or use a K/M/G/T suffix (at least 2 MiB)");

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPU list, e.g. 7,8: the first CPU runs the dispatcher, the others run I/O workers (at least two CPUs)");

static char *type = "nvm";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type,
		 "Type of the namespace of nvmev0: nvm (NVM command set, Optane-class), conv (NVM command set on a conventional NAND SSD with an FTL), kv (Key Value command set) or zns (Zoned Namespace command set) (default nvm)");

static char *preset;
module_param(preset, charp, 0444);
MODULE_PARM_DESC(preset,
		 "conv: drive class whose tunables nvmev0's namespace starts from: datacenter-tlc, client-tlc or qlc (default datacenter-tlc); the tunables given as parameters override it");

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

static unsigned long parallel_units = 8;
module_param(parallel_units, ulong, 0444);
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

static unsigned long zone_size = 64;
module_param(zone_size, ulong, 0444);
MODULE_PARM_DESC(zone_size, "zns: zone size in MiB, a power of two (default 64; 1..8192)");

static unsigned long zone_capacity;
module_param(zone_capacity, ulong, 0444);
MODULE_PARM_DESC(zone_capacity,
		 "zns: writable MiB of each zone, at most zone_size; 0 = zone_size (default 0)");

static unsigned long max_open_zones = 14;
module_param(max_open_zones, ulong, 0444);
MODULE_PARM_DESC(max_open_zones,
		 "zns: zones open at once, at most max_active_zones; 0 = no limit (default 14)");

static unsigned long max_active_zones = 14;
module_param(max_active_zones, ulong, 0444);
MODULE_PARM_DESC(max_active_zones, "zns: zones open or closed at once; 0 = no limit (default 14)");

static unsigned long zone_append_max_kib;
module_param(zone_append_max_kib, ulong, 0444);
MODULE_PARM_DESC(zone_append_max_kib,
		 "zns: largest Zone Append in KiB, a power of two from 4; 0 = the largest transfer, 2048 (default 0)");

static unsigned long op_percent = 7;
module_param(op_percent, ulong, 0444);
MODULE_PARM_DESC(op_percent,
		 "conv: spare NAND capacity in percent of the user capacity, so 7 means 7% more NAND than the host sees (default 7; 1..400)");

static char *gc_policy = "greedy";
module_param(gc_policy, charp, 0444);
MODULE_PARM_DESC(gc_policy, "conv: garbage collection victims: greedy or cost-benefit (default greedy)");

static unsigned long gc_bg_lines;
module_param(gc_bg_lines, ulong, 0444);
MODULE_PARM_DESC(gc_bg_lines,
		 "conv: free lines below which GC runs in the background; 0 = gc_fg_lines + 2 (default 0)");

static unsigned long gc_fg_lines = 2;
module_param(gc_fg_lines, ulong, 0444);
MODULE_PARM_DESC(gc_fg_lines,
		 "conv: free lines at or below which host writes wait for GC (default 2; at least 2)");

/*
 * Tunables whose default is the preset's (or, shared by the NAND types,
 * each type's own): a parameter left at NVMEV_UNSET is not given.
 */
#define NVMEV_UNSET ULONG_MAX
#define NVMEV_PRESET_PARAM(n, desc)							\
	static unsigned long n = NVMEV_UNSET;						\
	module_param(n, ulong, 0444);							\
	MODULE_PARM_DESC(n, desc " (default: the preset's, or the type's)")

NVMEV_PRESET_PARAM(write_buffer_kib, "conv: write buffer in KiB; writes complete once in it");
NVMEV_PRESET_PARAM(host_mbps, "conv: host link in MB/s (10^6 bytes/s) each way; 0 = unlimited");
NVMEV_PRESET_PARAM(pe_cycles, "conv: rated program/erase cycles of a block, for SMART Percentage Used");
NVMEV_PRESET_PARAM(channels, "conv, zns: NAND channels");
NVMEV_PRESET_PARAM(dies_per_channel, "conv, zns: NAND dies on each channel (channels x dies at most 256)");
NVMEV_PRESET_PARAM(planes_per_die, "conv, zns: planes of a die (1..16)");
NVMEV_PRESET_PARAM(page_kib, "conv, zns: flash page in KiB (conv: a multiple of 4)");
NVMEV_PRESET_PARAM(oneshot_pages, "conv, zns: pages per plane one program writes (3 for one-shot TLC)");
NVMEV_PRESET_PARAM(pages_per_block, "conv, zns: pages per plane of an erase block (conv scales it down for small namespaces)");
NVMEV_PRESET_PARAM(page_read_ns, "conv, zns: tR, reading a page into the die's register, in ns");
NVMEV_PRESET_PARAM(program_ns, "conv, zns: tPROG of a program unit, in ns");
NVMEV_PRESET_PARAM(erase_ns, "conv, zns: tBERS of an erase block, in ns (at least 1: erases are never free)");
NVMEV_PRESET_PARAM(channel_mbps, "conv, zns: transfer rate of a NAND channel in MB/s");
NVMEV_PRESET_PARAM(fw_ns, "conv, zns: controller firmware time per command, in ns");
NVMEV_PRESET_PARAM(open_close_ns, "zns: an explicit zone open or close, in ns");

/* The media tunables that have module parameters, by name. */
static const struct {
	const char *name;
	unsigned long *val;
	bool unset_default;	/* NVMEV_UNSET: not given */
} modparam_tunables[] = {
	{ "read_latency_ns", &read_latency_ns },
	{ "write_latency_ns", &write_latency_ns },
	{ "bandwidth_mbps", &bandwidth_mbps },
	{ "parallel_units", &parallel_units },
	{ "zone_size", &zone_size },
	{ "zone_capacity", &zone_capacity },
	{ "max_open_zones", &max_open_zones },
	{ "max_active_zones", &max_active_zones },
	{ "zone_append_max_kib", &zone_append_max_kib },
	{ "op_percent", &op_percent },
	{ "gc_bg_lines", &gc_bg_lines },
	{ "gc_fg_lines", &gc_fg_lines },
	{ "write_buffer_kib", &write_buffer_kib, true },
	{ "host_mbps", &host_mbps, true },
	{ "pe_cycles", &pe_cycles, true },
	{ "channels", &channels, true },
	{ "dies_per_channel", &dies_per_channel, true },
	{ "planes_per_die", &planes_per_die, true },
	{ "page_kib", &page_kib, true },
	{ "oneshot_pages", &oneshot_pages, true },
	{ "pages_per_block", &pages_per_block, true },
	{ "page_read_ns", &page_read_ns, true },
	{ "program_ns", &program_ns, true },
	{ "erase_ns", &erase_ns, true },
	{ "channel_mbps", &channel_mbps, true },
	{ "fw_ns", &fw_ns, true },
	{ "open_close_ns", &open_close_ns, true },
};

/* The media tunables that have text module parameters (a name of the tunable's). */
static const struct {
	const char *name;
	char **val;
	const char *def;
} modparam_named_tunables[] = {
	{ "gc_policy", &gc_policy, "greedy" },
};

struct kobject *nvmev_kobj;
static struct nvmev_dev *nvmev_devs[NVMEV_MAX_DEVICES];
DEFINE_MUTEX(nvmev_lock);

const char * const nvmev_poll_mode_names[2] = {
	[NVMEV_POLL_BUSY] = "busy",
	[NVMEV_POLL_LOWCPU] = "lowcpu",
};

static int type_names(char *buf, size_t len)
{
	const struct nvmev_type *t;
	int i, n = 0;

	for (i = 0; (t = nvmev_type_at(i)); i++)
		n += scnprintf(buf + n, len - n, "%s%s", i ? ", " : "", t->name);
	return n;
}

/* An empty value ("memmap_start=") is no value: it overrides the boot's. */
static bool given(const char *s)
{
	return s && *s;
}

/*
 * A module parameter of another type's tunable, set to other than its
 * default, would be ignored: refuse it instead.
 */
static int check_foreign_tunables(const struct nvmev_type *t)
{
	const struct nvmev_tunable *tu;
	const struct nvmev_type *o;
	unsigned int i, j;

	for (j = 0; j < ARRAY_SIZE(modparam_tunables); j++) {
		if (nvmev_tunable_find(t->media, modparam_tunables[j].name))
			continue;
		for (i = 0; (o = nvmev_type_at(i)); i++) {
			tu = nvmev_tunable_find(o->media, modparam_tunables[j].name);
			if (tu && (modparam_tunables[j].unset_default ?
				   *modparam_tunables[j].val != NVMEV_UNSET :
				   *modparam_tunables[j].val != tu->def)) {
				pr_err("%s: is a tunable of type %s, not of type %s: load with type=%s or leave it out\n",
				       modparam_tunables[j].name, o->name, t->name, o->name);
				return -EINVAL;
			}
		}
	}
	for (j = 0; j < ARRAY_SIZE(modparam_named_tunables); j++) {
		if (nvmev_tunable_find(t->media, modparam_named_tunables[j].name) ||
		    !strcmp(*modparam_named_tunables[j].val, modparam_named_tunables[j].def))
			continue;
		for (i = 0; (o = nvmev_type_at(i)); i++)
			if (nvmev_tunable_find(o->media, modparam_named_tunables[j].name)) {
				pr_err("%s: is a tunable of type %s, not of type %s: load with type=%s or leave it out\n",
				       modparam_named_tunables[j].name, o->name, t->name, o->name);
				return -EINVAL;
			}
	}
	if (given(preset) && !t->media->nr_presets) {
		pr_err("preset: type %s has no presets (conv has)\n", t->name);
		return -EINVAL;
	}
	return 0;
}

/* nvmev0's namespace: the preset, then the tunables given as parameters. */
static int modparam_tunables_apply(struct nvmev_ns_params *ns, const struct nvmev_type *t)
{
	const struct nvmev_media *m = t->media;
	unsigned int i, j;
	int ret;

	if (given(preset) && m->nr_presets) {
		ret = nvmev_ns_apply_preset("", 1, ns, preset);
		if (ret)
			return ret;
	}
	for (i = 0; i < m->nr_tunables; i++) {
		for (j = 0; j < ARRAY_SIZE(modparam_tunables); j++)
			if (!strcmp(m->tunables[i].name, modparam_tunables[j].name) &&
			    !(modparam_tunables[j].unset_default &&
			      *modparam_tunables[j].val == NVMEV_UNSET))
				ns->tun[i] = *modparam_tunables[j].val;
		for (j = 0; j < ARRAY_SIZE(modparam_named_tunables); j++) {
			u64 v;

			if (strcmp(m->tunables[i].name, modparam_named_tunables[j].name))
				continue;
			if (nvmev_tunable_scan(&m->tunables[i], *modparam_named_tunables[j].val, &v) ||
			    v < m->tunables[i].min || v > m->tunables[i].max) {
				pr_err("%s: '%s' is not one of its values\n",
				       modparam_named_tunables[j].name,
				       *modparam_named_tunables[j].val);
				return -EINVAL;
			}
			ns->tun[i] = v;
		}
	}
	return 0;
}

/*
 * The device of the module parameters: none when no range is given at all,
 * a refusal when only part of it is.
 */
static int parse_params(struct nvmev_params *p)
{
	struct nvmev_ns_params *ns = &p->ns[0];
	const struct nvmev_type *t;
	char names[128];
	int ret;

	memset(p, 0, sizeof(*p));
	if (!given(memmap_start) && !given(memmap_size) && !given(cpus)) {
		pr_info("no device: load with memmap_start=START memmap_size=SIZE cpus=LIST (reserve the memory with memmap=SIZE$START at boot), or make devices in /sys/kernel/config/nvmev/\n");
		return 1;
	}
	ret = nvmev_parse_size("", "memmap_start", memmap_start, SZ_1G, &p->start) ?:
	      nvmev_parse_size("", "memmap_size", memmap_size, SZ_1M, &p->size);
	if (ret)
		return ret;

	t = nvmev_type_by_name(type);
	if (!t) {
		type_names(names, sizeof(names));
		pr_err("type: '%s' is not a device type (supported: %s)\n", type, names);
		return -EINVAL;
	}
	nvmev_ns_params_init(ns, t);
	ns->lba_size = lba_size;
	ret = check_foreign_tunables(t) ?: modparam_tunables_apply(ns, t);
	if (ret)
		return ret;

	ret = match_string(nvmev_poll_mode_names, ARRAY_SIZE(nvmev_poll_mode_names), poll_mode);
	if (ret < 0) {
		pr_err("poll_mode: '%s' is not a polling mode (busy or lowcpu)\n", poll_mode);
		return -EINVAL;
	}
	p->poll_mode = ret;

	ret = nvmev_parse_cpus("", cpus, p);
	if (ret)
		return ret;
	p->max_io_queues = max_io_queues;
	p->idle_after_us = idle_after_us;
	p->idle_sleep_us = idle_sleep_us;
	return nvmev_params_check("", p);
}

/* Each NSID's media model instance, with its namespace's tunables. */
static int nvmev_media_init(struct nvmev_dev *dev)
{
	const struct nvmev_ns_params *first = NULL;
	unsigned int i, j;
	u64 min;

	for (i = 0; i < NVMEV_MAX_NS && !first; i++)
		if (dev->p.ns[i].type)
			first = &dev->p.ns[i];
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		/* an NSID that Namespace Management may create is like the first */
		const struct nvmev_ns_params *ns = dev->p.ns[i].type ? &dev->p.ns[i] : first;
		const struct nvmev_media *m = ns->type->media;
		struct nvmev_timing *t;

		t = kvzalloc(m->size, GFP_KERNEL);
		if (!t)
			return -ENOMEM;
		dev->ns_timing[i] = t;
		dev->ns_type[i] = ns->type;
		for (j = 0; j < m->nr_tunables; j++)
			nvmev_tunable_set(t, &m->tunables[j], ns->tun[j]);
		if (m->init(t)) {
			pr_err("%s: namespace %u: its %s tunables do not fit together%s%s\n",
			       dev->name, i + 1, ns->type->name, m->misfit ? ": " : "",
			       m->misfit ? m->misfit(t) : "");
			return -EINVAL;
		}
		/* a set or a model that lays itself out in the namespace needs room for it */
		min = ns->type->cmd_set->min_size ?
		      ns->type->cmd_set->min_size(t, ilog2(ns->lba_size)) : 0;
		if (t->ops->min_size)
			min = max(min, t->ops->min_size(t));
		if (dev->p.ns[i].type && ns->size < min) {
			pr_err("%s: namespace %u: size: %llu bytes is too small for a %s namespace with these tunables: it needs at least %llu bytes (%llu MiB)\n",
			       dev->name, i + 1, ns->size, ns->type->name, min,
			       DIV_ROUND_UP(min, SZ_1M));
			return -EINVAL;
		}
	}
	return 0;
}

static int nvmev_model_init(struct nvmev_dev *dev)
{
	struct nvmev_params *p = &dev->p;
	struct nvmev_config *cfg;
	unsigned int i, nr_workers = p->nr_cpus - 1;
	int ret;

	dev->ctrl = kvzalloc(sizeof(*dev->ctrl), GFP_KERNEL);
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!dev->ctrl || !cfg) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nr_workers; i++) {
		dev->w[i] = kvzalloc(sizeof(*dev->w[i]), GFP_KERNEL);
		if (!dev->w[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = nvmev_media_init(dev);
	if (ret)
		goto out;

	/*
	 * One bit per 512 bytes of storage (1/4096 of it): every namespace,
	 * of either block size, keeps its deallocation map in its extent's
	 * share of it.
	 */
	dev->dealloc = kvmalloc_array(nvmev_storage_map_words(p->size - NVMEV_HEADER_SIZE),
				      sizeof(u64), GFP_KERNEL);
	if (!dev->dealloc) {
		ret = -ENOMEM;
		goto out;
	}

	cfg->bar = dev->bar;
	cfg->storage = dev->storage;
	cfg->storage_size = p->size - NVMEV_HEADER_SIZE;
	cfg->dealloc = dev->dealloc;
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_ns_params *ns = &p->ns[i];

		cfg->ns_timing[i] = dev->ns_timing[i];
		if (!ns->type)
			continue;
		cfg->ns[i].cmd_set = ns->type->cmd_set;
		cfg->ns[i].offset = ns->offset;
		cfg->ns[i].size = ns->size;
		cfg->ns[i].lba_shift = ilog2(ns->lba_size);
	}
	cfg->lba_shift = 9;
	cfg->timing = dev->ns_timing[0];
	cfg->max_io_queues = p->max_io_queues;
	cfg->nr_workers = nr_workers;
	cfg->cntlid = dev->index + 1;
	cfg->uid = p->start;
	cfg->vid = NVMEV_PCI_VENDOR;
	cfg->ssvid = NVMEV_PCI_VENDOR;
	/* unique: the ranges of two devices are disjoint and at least 2 MiB long */
	snprintf(cfg->serial, sizeof(cfg->serial), "NVMEV%011llx", p->start >> 20);
	strscpy(cfg->model, "nvmevirt NVM SSD", sizeof(cfg->model));
	strscpy(cfg->firmware, NVMEV_VERSION, sizeof(cfg->firmware));
	cfg->plat = dev;

	if (nvmev_ctrl_init(dev->ctrl, cfg, dev->w)) {
		pr_err("%s: device model rejected its configuration\n", dev->name);
		ret = -EINVAL;
	}
out:
	kfree(cfg);
	return ret;
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
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		kvfree(dev->ns_timing[i]);
		dev->ns_timing[i] = NULL;
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

/* Another device's name or range in the way of @p (under nvmev_lock)? */
static int check_clash(const char *name, const struct nvmev_params *p)
{
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_DEVICES; i++) {
		const struct nvmev_dev *o = nvmev_devs[i];

		if (!o)
			continue;
		if (!strcmp(o->name, name)) {
			pr_err("%s: a device of that name exists\n", name);
			return -EEXIST;
		}
		if (p->start < o->p.start + o->p.size && o->p.start < p->start + p->size) {
			pr_err("%s: memmap_start: range 0x%llx-0x%llx overlaps device %s (0x%llx-0x%llx)\n",
			       name, p->start, p->start + p->size - 1, o->name, o->p.start,
			       o->p.start + o->p.size - 1);
			return -EBUSY;
		}
	}
	return 0;
}

static void log_created(const struct nvmev_dev *dev)
{
	const struct nvmev_params *p = &dev->p;
	unsigned int i;

	pr_info("%s: %llu MiB at 0x%llx, PCI %04x:00:00.0, controller %d, dispatcher on CPU %u, %u worker(s)\n",
		dev->name, p->size >> 20, p->start, dev->domain, dev->index + 1, p->cpus[0],
		p->nr_cpus - 1);
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (p->ns[i].type)
			pr_info("%s: namespace %u: %s, %llu MiB, %u-byte blocks\n", dev->name, i + 1,
				p->ns[i].type->name, p->ns[i].size >> 20, p->ns[i].lba_size);
	pr_info("%s: storage at 0x%llx mapped with %lu KiB pages (%llu KiB of page tables), BAR0 at 0x%llx\n",
		dev->name, dev->storage_phys, dev->storage_page_size >> 10,
		dev->storage_page_size ?
		DIV_ROUND_UP((p->size - NVMEV_HEADER_SIZE) / dev->storage_page_size * 8, SZ_1K) : 0,
		dev->bar_phys);
}

/*
 * A device from checked parameters (nvmev_params_check()), under
 * nvmev_lock: claim its memory, set up the model, start the threads, and
 * put the function on its bus.
 */
struct nvmev_dev *nvmev_dev_create(const char *name, const char *who,
				   const struct nvmev_params *p)
{
	struct nvmev_dev *dev;
	int index, ret;

	lockdep_assert_held(&nvmev_lock);
	ret = check_clash(name, p);
	if (ret)
		return ERR_PTR(ret);
	for (index = 0; index < NVMEV_MAX_DEVICES && nvmev_devs[index]; index++)
		;
	if (index == NVMEV_MAX_DEVICES) {
		pr_err("%s: there are %u devices already, the most one load makes\n", name,
		       NVMEV_MAX_DEVICES);
		return ERR_PTR(-ENOSPC);
	}

	dev = kvzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->index = index;
	dev->p = *p;
	dev->idle_after_us = p->idle_after_us;
	dev->idle_sleep_us = p->idle_sleep_us;
	dev->poll_mode = p->poll_mode;
	strscpy(dev->name, name, sizeof(dev->name));
	strscpy(dev->who, who, sizeof(dev->who));

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
	ret = nvmev_chardev_add(dev);
	if (ret)
		goto err_sysfs;
	nvmev_pci_add(dev);
	nvmev_devs[index] = dev;
	log_created(dev);
	return dev;

err_sysfs:
	nvmev_threads_stop(dev);
	nvmev_sysfs_remove(dev);
	goto err_pci;
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
void nvmev_dev_destroy(struct nvmev_dev *dev)
{
	lockdep_assert_held(&nvmev_lock);
	nvmev_devs[dev->index] = NULL;
	nvmev_chardev_remove(dev);	/* and an image file open now lets go */
	nvmev_ctrl_pause(dev->ctrl, false);
	nvmev_ctrl_hurry(dev->ctrl);	/* the driver waits for its commands */
	pci_lock_rescan_remove();
	nvmev_pci_stop_locked(dev);
	nvmev_threads_stop(dev);
	nvmev_sysfs_remove(dev);
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

	ret = nvmev_params_init() ?: nvmev_sysfs_init();
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = parse_params(p);
	if (ret < 0)
		goto out;

	nvmev_kobj = kobject_create_and_add("nvmev", kernel_kobj);
	if (!nvmev_kobj) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nvmev_pci_init();
	if (ret)
		goto err_kobj;

	if (p->ns[0].type) {	/* the module parameters name a device */
		mutex_lock(&nvmev_lock);
		dev = nvmev_dev_create("nvmev0", "", p);
		mutex_unlock(&nvmev_lock);
		if (IS_ERR(dev)) {
			ret = PTR_ERR(dev);
			goto err_pci;
		}
	}
	ret = nvmev_configfs_init();
	if (ret)
		goto err_devs;
	goto out;

err_devs:
	mutex_lock(&nvmev_lock);
	if (nvmev_devs[0])
		nvmev_dev_destroy(nvmev_devs[0]);
	mutex_unlock(&nvmev_lock);
err_pci:
	nvmev_pci_exit();
err_kobj:
	kobject_put(nvmev_kobj);
out:
	kfree(p);
	return ret;
}

/* configfs goes first: it holds the module while it has devices. */
static void __exit nvmev_exit(void)
{
	unsigned int i;

	nvmev_configfs_exit();
	mutex_lock(&nvmev_lock);
	for (i = 0; i < ARRAY_SIZE(nvmev_devs); i++)
		if (nvmev_devs[i])
			nvmev_dev_destroy(nvmev_devs[i]);
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
