// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/nvmev/<device>/: what the device is, its run-time tunables
 * (polling, and the media tunables of all its namespaces at once), its
 * statistics (stats/), and nsN/ for each allocated namespace: its type,
 * size, media tunables and statistics. nsN/ follows Namespace Management:
 * the dispatcher reports a change and a work item adds or removes it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "nvmev.h"

#define to_nvmev(k) container_of(k, struct nvmev_dev, kobj)

struct nvmev_attr {
	struct attribute attr;
	ssize_t (*show)(struct nvmev_dev *dev, char *buf);
	ssize_t (*store)(struct nvmev_dev *dev, const char *buf, size_t len);
	const char *tunable;	/* a media tunable of every namespace that has it */
};

static ssize_t dev_tunable_show(struct nvmev_dev *dev, const char *name, char *buf);
static ssize_t dev_tunable_store(struct nvmev_dev *dev, const char *name, const char *buf,
				 size_t len);

static ssize_t nvmev_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct nvmev_attr *a = container_of(attr, struct nvmev_attr, attr);

	if (a->tunable)
		return dev_tunable_show(to_nvmev(kobj), a->tunable, buf);
	return a->show ? a->show(to_nvmev(kobj), buf) : -EIO;
}

static ssize_t nvmev_attr_store(struct kobject *kobj, struct attribute *attr, const char *buf,
				size_t len)
{
	struct nvmev_attr *a = container_of(attr, struct nvmev_attr, attr);

	if (a->tunable)
		return dev_tunable_store(to_nvmev(kobj), a->tunable, buf, len);
	return a->store ? a->store(to_nvmev(kobj), buf, len) : -EIO;
}

static const struct sysfs_ops nvmev_sysfs_ops = {
	.show = nvmev_attr_show,
	.store = nvmev_attr_store,
};

/* Parse a number for a tunable and check it against its bounds. */
static int parse_bounded(const char *buf, u64 lo, u64 hi, u64 *v)
{
	int ret = kstrtou64(buf, 0, v);

	if (ret)
		return ret;
	return *v < lo || *v > hi ? -ERANGE : 0;
}

static ssize_t store_u32(const char *buf, size_t len, u32 *dst, u32 lo, u32 hi)
{
	u64 v;
	int ret = parse_bounded(buf, lo, hi, &v);

	if (ret)
		return ret;
	WRITE_ONCE(*dst, (u32)v);
	return len;
}

#define NVMEV_RW_U32(name, field, lo, hi)						\
static ssize_t name##_show(struct nvmev_dev *dev, char *buf)				\
{											\
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev->field));			\
}											\
static ssize_t name##_store(struct nvmev_dev *dev, const char *buf, size_t len)	\
{											\
	return store_u32(buf, len, &dev->field, lo, hi);				\
}											\
static struct nvmev_attr attr_##name = __ATTR_RW(name)

NVMEV_RW_U32(idle_after_us, idle_after_us, 0, NVMEV_MAX_IDLE_AFTER_US);
NVMEV_RW_U32(idle_sleep_us, idle_sleep_us, 1, NVMEV_MAX_IDLE_SLEEP_US);

static ssize_t poll_mode_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "%s\n", nvmev_poll_mode_names[READ_ONCE(dev->poll_mode)]);
}

static ssize_t poll_mode_store(struct nvmev_dev *dev, const char *buf, size_t len)
{
	int m = sysfs_match_string(nvmev_poll_mode_names, buf);

	if (m < 0)
		return -EINVAL;
	WRITE_ONCE(dev->poll_mode, m);
	return len;
}
static struct nvmev_attr attr_poll_mode = __ATTR_RW(poll_mode);

/*
 * The composite temperature the controller reports, in kelvin (SMART /
 * Health log); the controller re-evaluates its thresholds when it changes.
 */
static ssize_t temperature_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(dev->ctrl->temperature_k));
}

static ssize_t temperature_store(struct nvmev_dev *dev, const char *buf, size_t len)
{
	u64 v;
	int ret = parse_bounded(buf, NVMEV_MIN_TEMPERATURE_K, NVMEV_MAX_TEMPERATURE_K, &v);

	if (ret)
		return ret;
	WRITE_ONCE(dev->ctrl->temperature_k, (u16)v);
	return len;
}
static struct nvmev_attr attr_temperature = __ATTR_RW(temperature);

/* The type of the first namespace (each nsN/ has its own). */
static ssize_t type_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "%s\n", dev->ns_type[0]->name);
}
static struct nvmev_attr attr_type = __ATTR_RO(type);

static ssize_t memmap_start_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", dev->p.start);
}
static struct nvmev_attr attr_memmap_start = __ATTR_RO(memmap_start);

static ssize_t memmap_size_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev->p.size);
}
static struct nvmev_attr attr_memmap_size = __ATTR_RO(memmap_size);

static ssize_t cpus_show(struct nvmev_dev *dev, char *buf)
{
	int n = 0;
	unsigned int i;

	for (i = 0; i < dev->p.nr_cpus; i++)
		n += sysfs_emit_at(buf, n, "%s%u", i ? "," : "", dev->p.cpus[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}
static struct nvmev_attr attr_cpus = __ATTR_RO(cpus);

static ssize_t pci_address_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "%04x:00:00.0\n", dev->domain);
}
static struct nvmev_attr attr_pci_address = __ATTR_RO(pci_address);

static struct attribute *nvmev_attrs[] = {
	&attr_type.attr,
	&attr_memmap_start.attr,
	&attr_memmap_size.attr,
	&attr_cpus.attr,
	&attr_pci_address.attr,
	&attr_idle_after_us.attr,
	&attr_idle_sleep_us.attr,
	&attr_poll_mode.attr,
	&attr_temperature.attr,
	NULL,
};

static const struct attribute_group nvmev_group = {
	.attrs = nvmev_attrs,
};

/* ---- stats/ ---- */

static struct nvmev_stats *thread_stats(struct nvmev_dev *dev, unsigned int i)
{
	if (i == 0)
		return &dev->ctrl->stats;
	return i < dev->p.nr_cpus ? &dev->w[i - 1]->stats : NULL;
}

static u64 sum_stat(struct nvmev_dev *dev, size_t off)
{
	struct nvmev_stats *s;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; (s = thread_stats(dev, i)); i++)
		sum += READ_ONCE(*(u64 *)((u8 *)s + off));
	return sum;
}

#define NVMEV_STAT(name, expr)						\
static ssize_t name##_show(struct nvmev_dev *dev, char *buf)		\
{									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));	\
}									\
static struct nvmev_attr attr_##name = __ATTR_RO(name)

#define STAT_SUM(field) sum_stat(dev, offsetof(struct nvmev_stats, field))

NVMEV_STAT(read_cmds, STAT_SUM(cmds[NVME_CMD_READ]));
NVMEV_STAT(write_cmds, STAT_SUM(cmds[NVME_CMD_WRITE]));
NVMEV_STAT(flush_cmds, STAT_SUM(cmds[NVME_CMD_FLUSH]));
NVMEV_STAT(write_zeroes_cmds, STAT_SUM(cmds[NVME_CMD_WRITE_ZEROES]));
NVMEV_STAT(dsm_cmds, STAT_SUM(cmds[NVME_CMD_DSM]));
NVMEV_STAT(bytes_read, STAT_SUM(bytes_read));
NVMEV_STAT(bytes_written, STAT_SUM(bytes_written));
NVMEV_STAT(errors, STAT_SUM(errors));
NVMEV_STAT(aborted, STAT_SUM(aborted));
NVMEV_STAT(backpressure_waits, STAT_SUM(backpressure));
NVMEV_STAT(cq_full_waits, STAT_SUM(cq_full_waits));
NVMEV_STAT(completions, STAT_SUM(completions));

/* "0xOP count" for every opcode counted in the array at @off of the stats */
static ssize_t show_opcode_counts(struct nvmev_dev *dev, char *buf, size_t off)
{
	int n = 0;
	unsigned int op;

	for (op = 0; op < 256; op++) {
		u64 v = sum_stat(dev, off + op * sizeof(u64));

		if (v)
			n += sysfs_emit_at(buf, n, "0x%02x %llu\n", op, v);
	}
	return n;
}

static ssize_t io_cmds_show(struct nvmev_dev *dev, char *buf)
{
	return show_opcode_counts(dev, buf, offsetof(struct nvmev_stats, cmds));
}
static struct nvmev_attr attr_io_cmds = __ATTR_RO(io_cmds);

static ssize_t admin_cmds_show(struct nvmev_dev *dev, char *buf)
{
	return show_opcode_counts(dev, buf, offsetof(struct nvmev_stats, admin_cmds));
}
static struct nvmev_attr attr_admin_cmds = __ATTR_RO(admin_cmds);

static ssize_t inflight_show(struct nvmev_dev *dev, char *buf)
{
	struct nvmev_ctrl *c = dev->ctrl;
	u64 n = 0;
	unsigned int q;

	for (q = 1; q <= NVMEV_MAX_IO_QUEUES; q++)
		n += READ_ONCE(c->sqs[q].submitted) - READ_ONCE(c->sqs[q].completed);
	return sysfs_emit(buf, "%llu\n", n);
}
static struct nvmev_attr attr_inflight = __ATTR_RO(inflight);

/* "low_ns high_ns count" per bucket: completion posted minus target time */
static ssize_t lateness_show(struct nvmev_dev *dev, char *buf)
{
	int n = 0;
	unsigned int b;

	for (b = 0; b < NVMEV_LATENESS_BUCKETS; b++) {
		u64 v = STAT_SUM(lateness[b]);
		u64 lo = b ? 1ull << b : 0, hi = (2ull << b) - 1;

		if (v)
			n += sysfs_emit_at(buf, n, "%llu %llu %llu\n", lo, hi, v);
	}
	return n;
}
static struct nvmev_attr attr_lateness = __ATTR_RO(lateness);

/* Longest worker pass that took new commands, in µs; writing 0 resets it. */
static ssize_t max_worker_pass_us_show(struct nvmev_dev *dev, char *buf)
{
	u64 m = 0;
	unsigned int i;

	for (i = 0; i + 1 < dev->p.nr_cpus; i++)
		m = max(m, READ_ONCE(dev->max_pass_ns[i]));
	return sysfs_emit(buf, "%llu\n", m / NSEC_PER_USEC);
}

static ssize_t max_worker_pass_us_store(struct nvmev_dev *dev, const char *buf, size_t len)
{
	u64 v;
	unsigned int i;
	int ret = parse_bounded(buf, 0, 0, &v);

	if (ret)
		return ret;
	for (i = 0; i < NVMEV_MAX_WORKERS; i++)
		WRITE_ONCE(dev->max_pass_ns[i], 0);
	return len;
}
static struct nvmev_attr attr_max_worker_pass_us = __ATTR_RW(max_worker_pass_us);

static struct attribute *nvmev_stat_attrs[] = {
	&attr_read_cmds.attr,
	&attr_write_cmds.attr,
	&attr_flush_cmds.attr,
	&attr_write_zeroes_cmds.attr,
	&attr_dsm_cmds.attr,
	&attr_io_cmds.attr,
	&attr_admin_cmds.attr,
	&attr_bytes_read.attr,
	&attr_bytes_written.attr,
	&attr_errors.attr,
	&attr_aborted.attr,
	&attr_backpressure_waits.attr,
	&attr_cq_full_waits.attr,
	&attr_completions.attr,
	&attr_inflight.attr,
	&attr_lateness.attr,
	&attr_max_worker_pass_us.attr,
	NULL,
};

static const struct attribute_group nvmev_stat_group = {
	.name = "stats",
	.attrs = nvmev_stat_attrs,
};

/* ---- media tunables of the whole device ---- */

/* NSID slot @i's instance and its tunable @name, or NULL. */
static const struct nvmev_tunable *slot_tunable(struct nvmev_dev *dev, unsigned int i,
						const char *name)
{
	return nvmev_tunable_find(dev->ns_type[i]->media, name);
}

/* The value of the first namespace that has @name. */
static ssize_t dev_tunable_show(struct nvmev_dev *dev, const char *name, char *buf)
{
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_tunable *tu = slot_tunable(dev, i, name);

		if (tu)
			return nvmev_tunable_print(tu, nvmev_tunable_get(dev->ns_timing[i], tu), buf);
	}
	return -EIO;
}

/* A number in range, or one of the tunable's names. */
static int tunable_parse(const struct nvmev_tunable *tu, const char *buf, u64 *v)
{
	int ret;

	if (!(tu->flags & NVMEV_TUNABLE_RUNTIME))
		return -EBUSY;
	ret = nvmev_tunable_scan(tu, buf, v);
	if (ret)
		return ret;
	return *v < tu->min || *v > tu->max ? -ERANGE : 0;
}

/* Every namespace (and NSID to come) that has @name takes the value. */
static ssize_t dev_tunable_store(struct nvmev_dev *dev, const char *name, const char *buf,
				 size_t len)
{
	unsigned int i;
	int ret = -EIO;
	u64 v;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_tunable *tu = slot_tunable(dev, i, name);

		if (!tu)
			continue;
		ret = tunable_parse(tu, buf, &v);
		if (ret)
			return ret;
		nvmev_tunable_set(dev->ns_timing[i], tu, v);
	}
	return ret ? ret : len;
}

static struct nvmev_attr dev_tunable_attrs[NVMEV_MAX_ALL_TUNABLES];
static struct attribute *dev_tunable_ptrs[NVMEV_MAX_ALL_TUNABLES + 1];

/* Shown when a namespace has it; writable when it may change at run time. */
static umode_t dev_tunable_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	struct nvmev_dev *dev = to_nvmev(kobj);
	umode_t mode = 0;
	unsigned int i;

	for (i = 0; i < NVMEV_MAX_NS; i++) {
		const struct nvmev_tunable *tu = slot_tunable(dev, i, nvmev_all_tunables[n]);

		if (tu)
			mode |= tu->flags & NVMEV_TUNABLE_RUNTIME ? 0644 : 0444;
	}
	return mode & 0200 ? 0644 : mode;
}

static const struct attribute_group nvmev_tunable_group = {
	.attrs = dev_tunable_ptrs,
	.is_visible = dev_tunable_visible,
};

static const struct attribute_group *nvmev_groups[] = {
	&nvmev_group,
	&nvmev_tunable_group,
	&nvmev_stat_group,
	NULL,
};

static void nvmev_kobj_release(struct kobject *kobj)
{
	nvmev_dev_release(to_nvmev(kobj));
}

static const struct kobj_type nvmev_ktype = {
	.release = nvmev_kobj_release,
	.sysfs_ops = &nvmev_sysfs_ops,
	.default_groups = nvmev_groups,
};

/* ---- nsN/ ---- */

#define to_ns_kobj(k) container_of(k, struct nvmev_ns_kobj, kobj)

struct nvmev_ns_attr {
	struct attribute attr;
	ssize_t (*show)(struct nvmev_ns_kobj *nk, char *buf);
	const struct nvmev_tunable *tunable;
	bool fault;		/* the command set's fault injection */
	u32 stat;		/* the media model's counter stat - 1 */
};

static struct nvmev_ns *nk_ns(struct nvmev_ns_kobj *nk)
{
	return &nk->dev->ctrl->ns[nk->nsid - 1];
}

static struct nvmev_timing *nk_timing(struct nvmev_ns_kobj *nk)
{
	return nk->dev->ns_timing[nk->nsid - 1];
}

/* Counter @i of the namespace's media model (stats/), thousandths as 7.823. */
static ssize_t ns_media_stat_show(struct nvmev_ns_kobj *nk, u32 i, char *buf)
{
	const struct nvmev_media *m = nk->dev->ns_type[nk->nsid - 1]->media;
	u64 v[NVMEV_MAX_MEDIA_STATS];

	if (!m->stats || i >= m->nr_stats || m->nr_stats > NVMEV_MAX_MEDIA_STATS)
		return -EIO;
	m->stats(nk_timing(nk), v);
	if (m->stat_names[i].milli)
		return sysfs_emit(buf, "%llu.%03llu\n", v[i] / 1000, v[i] % 1000);
	return sysfs_emit(buf, "%llu\n", v[i]);
}

static ssize_t ns_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct nvmev_ns_attr *a = container_of(attr, struct nvmev_ns_attr, attr);
	struct nvmev_ns_kobj *nk = to_ns_kobj(kobj);

	if (a->tunable)
		return nvmev_tunable_print(a->tunable, nvmev_tunable_get(nk_timing(nk), a->tunable),
					   buf);
	if (a->stat)
		return ns_media_stat_show(nk, a->stat - 1, buf);
	if (a->fault)
		return -EACCES;
	return a->show(nk, buf);
}

/* "WHAT LBA": the command set's fault WHAT at block LBA, before the next command. */
static ssize_t ns_fault_store(struct nvmev_ns_kobj *nk, const char *attr, const char *buf,
			      size_t len)
{
	struct nvmev_ns *ns = nk_ns(nk);
	const struct nvmev_cmd_set *set;
	char what[16];
	u64 lba;
	int ret;

	if (sscanf(buf, "%15s %llu", what, &lba) != 2) {
		pr_err("%s: ns%u: %s: '%.*s' is not WHAT LBA (e.g. read_only 0)\n",
		       nk->dev->name, nk->nsid, attr, (int)min_t(size_t, len, 40), buf);
		return -EINVAL;
	}
	set = READ_ONCE(ns->cmd_set);
	if (!set || !set->fault) {
		pr_err("%s: ns%u: %s: the namespace's command set has no faults to inject\n",
		       nk->dev->name, nk->nsid, attr);
		return -EINVAL;
	}
	ret = set->fault(ns, what, lba);
	if (ret == -2)
		return -EBUSY;	/* the last one waits for a command */
	if (ret) {
		pr_err("%s: ns%u: %s: '%s %llu': not a fault of the namespace's type or not the start of one of its units\n",
		       nk->dev->name, nk->nsid, attr, what, lba);
		return -EINVAL;
	}
	return len;
}

static ssize_t ns_attr_store(struct kobject *kobj, struct attribute *attr, const char *buf,
			     size_t len)
{
	struct nvmev_ns_attr *a = container_of(attr, struct nvmev_ns_attr, attr);
	u64 v;
	int ret;

	if (a->fault)
		return ns_fault_store(to_ns_kobj(kobj), attr->name, buf, len);
	if (!a->tunable)
		return -EIO;
	ret = tunable_parse(a->tunable, buf, &v);
	if (ret)
		return ret;
	nvmev_tunable_set(nk_timing(to_ns_kobj(kobj)), a->tunable, v);
	return len;
}

static const struct sysfs_ops nvmev_ns_sysfs_ops = {
	.show = ns_attr_show,
	.store = ns_attr_store,
};

#define NVMEV_NS_RO(n, fmt, expr)						\
static ssize_t ns_##n##_show(struct nvmev_ns_kobj *nk, char *buf)		\
{										\
	return sysfs_emit(buf, fmt "\n", expr);					\
}										\
static struct nvmev_ns_attr ns_attr_##n = {					\
	.attr = { .name = #n, .mode = 0444 }, .show = ns_##n##_show,		\
}

NVMEV_NS_RO(type, "%s", nk->dev->ns_type[nk->nsid - 1]->name);
NVMEV_NS_RO(size, "%llu", READ_ONCE(nk_ns(nk)->size));
NVMEV_NS_RO(lba_size, "%u", 1u << READ_ONCE(nk_ns(nk)->lba_shift));
NVMEV_NS_RO(attached, "%d", READ_ONCE(nk_ns(nk)->attached));

static u64 ns_stat(struct nvmev_ns_kobj *nk, size_t off)
{
	struct nvmev_dev *dev = nk->dev;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i + 1 < dev->p.nr_cpus; i++)
		sum += READ_ONCE(*(u64 *)((u8 *)&dev->w[i]->stats.ns[nk->nsid - 1] + off));
	return sum;
}

#define NS_STAT(field) ns_stat(nk, offsetof(struct nvmev_ns_stats, field))
NVMEV_NS_RO(read_cmds, "%llu", NS_STAT(read_cmds));
NVMEV_NS_RO(write_cmds, "%llu", NS_STAT(write_cmds));
NVMEV_NS_RO(bytes_read, "%llu", NS_STAT(bytes_read));
NVMEV_NS_RO(bytes_written, "%llu", NS_STAT(bytes_written));

/* usage/: what a namespace of a set that stores items holds */
static u64 ns_usage(struct nvmev_ns_kobj *nk, size_t off)
{
	struct nvmev_ns *ns = nk_ns(nk);
	const struct nvmev_cmd_set *set = READ_ONCE(ns->cmd_set);
	struct nvmev_ns_usage u = { 0 };

	if (set && set->usage)
		set->usage(ns, &u);
	return *(u64 *)((u8 *)&u + off);
}

#define NS_USAGE(field) ns_usage(nk, offsetof(struct nvmev_ns_usage, field))
NVMEV_NS_RO(used_bytes, "%llu", NS_USAGE(used_bytes));
NVMEV_NS_RO(free_bytes, "%llu", NS_USAGE(free_bytes));
NVMEV_NS_RO(keys, "%llu", NS_USAGE(items));
NVMEV_NS_RO(max_keys, "%llu", NS_USAGE(max_items));

static struct attribute *nvmev_ns_usage_attrs[] = {
	&ns_attr_used_bytes.attr,
	&ns_attr_free_bytes.attr,
	&ns_attr_keys.attr,
	&ns_attr_max_keys.attr,
	NULL,
};

static struct attribute *nvmev_ns_attrs[] = {
	&ns_attr_type.attr,
	&ns_attr_size.attr,
	&ns_attr_lba_size.attr,
	&ns_attr_attached.attr,
	NULL,
};

static struct attribute *nvmev_ns_stat_attrs[] = {
	&ns_attr_read_cmds.attr,
	&ns_attr_write_cmds.attr,
	&ns_attr_bytes_read.attr,
	&ns_attr_bytes_written.attr,
	NULL,
};

static const struct attribute_group nvmev_ns_group = {
	.attrs = nvmev_ns_attrs,
};

static const struct attribute_group nvmev_ns_stat_group = {
	.name = "stats",
	.attrs = nvmev_ns_stat_attrs,
};

/* only for a namespace whose command set reports usage */
static const struct attribute_group nvmev_ns_usage_group = {
	.name = "usage",
	.attrs = nvmev_ns_usage_attrs,
};

static const struct attribute_group *nvmev_ns_groups[] = {
	&nvmev_ns_group,
	&nvmev_ns_stat_group,
	NULL,
};

/* Each type's tunables as nsN/ attributes. */
#define NVMEV_MAX_TYPES	8
static struct nvmev_ns_attr type_tunable_attrs[NVMEV_MAX_TYPES][NVMEV_MAX_TUNABLES];
static struct nvmev_ns_attr type_fault_attrs[NVMEV_MAX_TYPES];
/* and each type's media counters, merged into nsN/stats/ */
static struct nvmev_ns_attr type_stat_attrs[NVMEV_MAX_TYPES][NVMEV_MAX_MEDIA_STATS];
static struct attribute *type_stat_ptrs[NVMEV_MAX_TYPES][NVMEV_MAX_MEDIA_STATS + 1];
static struct attribute_group type_stat_groups[NVMEV_MAX_TYPES];
static struct attribute *type_tunable_ptrs[NVMEV_MAX_TYPES][NVMEV_MAX_TUNABLES + 2];
static struct attribute_group type_tunable_groups[NVMEV_MAX_TYPES];

static void nvmev_ns_kobj_release(struct kobject *kobj)
{
	kfree(to_ns_kobj(kobj));
}

static const struct kobj_type nvmev_ns_ktype = {
	.release = nvmev_ns_kobj_release,
	.sysfs_ops = &nvmev_ns_sysfs_ops,
	.default_groups = nvmev_ns_groups,
};

static void ns_kobj_add(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_ns_kobj *nk = kzalloc(sizeof(*nk), GFP_KERNEL);
	int ti = nvmev_type_index(dev->ns_type[nsid - 1]);

	if (!nk)
		return;
	nk->dev = dev;
	nk->nsid = nsid;
	if (kobject_init_and_add(&nk->kobj, &nvmev_ns_ktype, &dev->kobj, "ns%u", nsid) ||
	    (ti >= 0 && ti < NVMEV_MAX_TYPES &&
	     sysfs_create_group(&nk->kobj, &type_tunable_groups[ti])) ||
	    (dev->ns_type[nsid - 1]->cmd_set->usage &&
	     sysfs_create_group(&nk->kobj, &nvmev_ns_usage_group)) ||
	    (ti >= 0 && ti < NVMEV_MAX_TYPES && type_stat_ptrs[ti][0] &&
	     sysfs_merge_group(&nk->kobj, &type_stat_groups[ti]))) {
		pr_err("%s: cannot create ns%u in sysfs\n", dev->name, nsid);
		kobject_put(&nk->kobj);
		return;
	}
	dev->ns_kobj[nsid - 1] = nk;
}

static void ns_kobj_del(struct nvmev_dev *dev, u32 nsid)
{
	struct nvmev_ns_kobj *nk = dev->ns_kobj[nsid - 1];

	dev->ns_kobj[nsid - 1] = NULL;
	kobject_del(&nk->kobj);
	kobject_put(&nk->kobj);
}

/* nsN/ for every allocated namespace, and for no other. */
static void ns_kobjs_sync(struct nvmev_dev *dev)
{
	u32 nsid;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		bool allocated = READ_ONCE(dev->ctrl->ns[nsid - 1].cmd_set);

		if (allocated && !dev->ns_kobj[nsid - 1])
			ns_kobj_add(dev, nsid);
		else if (!allocated && dev->ns_kobj[nsid - 1])
			ns_kobj_del(dev, nsid);
	}
}

static void ns_work_fn(struct work_struct *work)
{
	ns_kobjs_sync(container_of(work, struct nvmev_dev, ns_work));
}

/* Dispatcher: Namespace Management changed the namespaces. */
void nvmev_sysfs_ns_changed(struct nvmev_dev *dev)
{
	if (READ_ONCE(dev->ns_work_live))
		schedule_work(&dev->ns_work);
}

int nvmev_sysfs_init(void)
{
	const struct nvmev_type *t;
	unsigned int i, j;

	for (i = 0; i < nvmev_nr_all_tunables; i++) {
		struct nvmev_attr *a = &dev_tunable_attrs[i];

		a->attr.name = nvmev_all_tunables[i];
		a->attr.mode = 0644;
		a->tunable = nvmev_all_tunables[i];
		dev_tunable_ptrs[i] = &a->attr;
	}
	for (i = 0; (t = nvmev_type_at(i)); i++) {
		if (i == NVMEV_MAX_TYPES)
			return -E2BIG;
		for (j = 0; j < t->media->nr_tunables; j++) {
			const struct nvmev_tunable *tu = &t->media->tunables[j];
			struct nvmev_ns_attr *a = &type_tunable_attrs[i][j];

			a->attr.name = tu->name;
			a->attr.mode = tu->flags & NVMEV_TUNABLE_RUNTIME ? 0644 : 0444;
			a->tunable = tu;
			type_tunable_ptrs[i][j] = &a->attr;
		}
		if (t->cmd_set->fault_name) {
			type_fault_attrs[i].attr.name = t->cmd_set->fault_name;
			type_fault_attrs[i].attr.mode = 0200;
			type_fault_attrs[i].fault = true;
			type_tunable_ptrs[i][j] = &type_fault_attrs[i].attr;
		}
		type_tunable_groups[i].attrs = type_tunable_ptrs[i];
		if (t->media->nr_stats > NVMEV_MAX_MEDIA_STATS)
			return -E2BIG;
		for (j = 0; t->media->stats && j < t->media->nr_stats; j++) {
			struct nvmev_ns_attr *a = &type_stat_attrs[i][j];

			a->attr.name = t->media->stat_names[j].name;
			a->attr.mode = 0444;
			a->stat = j + 1;
			type_stat_ptrs[i][j] = &a->attr;
		}
		type_stat_groups[i].name = "stats";
		type_stat_groups[i].attrs = type_stat_ptrs[i];
	}
	return 0;
}

int nvmev_sysfs_add(struct nvmev_dev *dev)
{
	int ret;

	ret = kobject_init_and_add(&dev->kobj, &nvmev_ktype, nvmev_kobj, "%s", dev->name);
	dev->kobj_added = true;	/* from here on the kobject owns dev */
	if (ret) {
		pr_err("%s: cannot create its sysfs directory (%d)\n", dev->name, ret);
		return ret;
	}
	INIT_WORK(&dev->ns_work, ns_work_fn);
	ns_kobjs_sync(dev);
	WRITE_ONCE(dev->ns_work_live, true);
	return 0;
}

/* After the threads have stopped: nothing reports a change any more. */
void nvmev_sysfs_remove(struct nvmev_dev *dev)
{
	u32 nsid;

	if (!dev->kobj_added)
		return;
	if (READ_ONCE(dev->ns_work_live)) {
		WRITE_ONCE(dev->ns_work_live, false);
		cancel_work_sync(&dev->ns_work);
	}
	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++)
		if (dev->ns_kobj[nsid - 1])
			ns_kobj_del(dev, nsid);
	kobject_del(&dev->kobj);
}
