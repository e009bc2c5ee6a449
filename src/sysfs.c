// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/nvmev/nvmevN: what the device is, its run-time tunables
 * (timing and polling) and its statistics (stats/).
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
};

static ssize_t nvmev_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct nvmev_attr *a = container_of(attr, struct nvmev_attr, attr);

	return a->show ? a->show(to_nvmev(kobj), buf) : -EIO;
}

static ssize_t nvmev_attr_store(struct kobject *kobj, struct attribute *attr, const char *buf,
				size_t len)
{
	struct nvmev_attr *a = container_of(attr, struct nvmev_attr, attr);

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

static ssize_t store_u64(const char *buf, size_t len, u64 *dst, u64 lo, u64 hi)
{
	u64 v;
	int ret = parse_bounded(buf, lo, hi, &v);

	if (ret)
		return ret;
	WRITE_ONCE(*dst, v);
	return len;
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

#define NVMEV_RW_U64(name, field, lo, hi)						\
static ssize_t name##_show(struct nvmev_dev *dev, char *buf)				\
{											\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)READ_ONCE(dev->field));	\
}											\
static ssize_t name##_store(struct nvmev_dev *dev, const char *buf, size_t len)	\
{											\
	return store_u64(buf, len, &dev->field, lo, hi);				\
}											\
static struct nvmev_attr attr_##name = __ATTR_RW(name)

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

NVMEV_RW_U64(read_latency_ns, timing.read_latency_ns, 0, NVMEV_MAX_LATENCY_NS);
NVMEV_RW_U64(write_latency_ns, timing.write_latency_ns, 0, NVMEV_MAX_LATENCY_NS);
NVMEV_RW_U64(bandwidth_mbps, timing.bandwidth_mbps, 0, NVMEV_MAX_BANDWIDTH);
NVMEV_RW_U32(parallel_units, timing.nr_units, 1, NVMEV_MAX_PARALLEL_UNITS);
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

static ssize_t type_show(struct nvmev_dev *dev, char *buf)
{
	return sysfs_emit(buf, "nvm\n");
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
	&attr_read_latency_ns.attr,
	&attr_write_latency_ns.attr,
	&attr_bandwidth_mbps.attr,
	&attr_parallel_units.attr,
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

static const struct attribute_group *nvmev_groups[] = {
	&nvmev_group,
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

int nvmev_sysfs_add(struct nvmev_dev *dev)
{
	int ret;

	ret = kobject_init_and_add(&dev->kobj, &nvmev_ktype, nvmev_kobj, "%s", dev->name);
	dev->kobj_added = true;	/* from here on the kobject owns dev */
	if (ret)
		pr_err("%s: cannot create its sysfs directory (%d)\n", dev->name, ret);
	return ret;
}

void nvmev_sysfs_remove(struct nvmev_dev *dev)
{
	if (dev->kobj_added)
		kobject_del(&dev->kobj);
}
