// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a device is made from, parsed and checked: the same rules and the
 * same messages for the module parameters (main.c) and for configfs.
 * Every message names the parameter or attribute; @who prefixes it with
 * the configfs device ("" for the module parameters).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "nvmev.h"

const char *nvmev_all_tunables[NVMEV_MAX_ALL_TUNABLES];
unsigned int nvmev_nr_all_tunables;

/* A bare number is in @unit bytes; a K/M/G/T suffix is taken as written. */
int nvmev_parse_size(const char *who, const char *name, const char *s, u64 unit, u64 *out)
{
	char digits[24];
	size_t n;
	u64 v, mult = unit;

	if (!s || !*s) {
		pr_err("%s%s: missing: reserve memory at boot with memmap=SIZE$START (e.g. memmap=64G$128G) and pass memmap_start=START memmap_size=SIZE (bare numbers: start in GiB, size in MiB)\n",
		       who, name);
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
	pr_err("%s%s: '%s' is not a size: use a plain number (%s) or one with a K, M, G or T suffix\n",
	       who, name, s, unit == SZ_1G ? "GiB" : unit == SZ_1M ? "MiB" : "bytes");
	return -EINVAL;
}

int nvmev_parse_cpus(const char *who, const char *s, struct nvmev_params *p)
{
	char buf[256], *cur, *tok;
	unsigned int i;

	if (!s || !*s) {
		pr_err("%scpus: missing: give at least two CPUs, e.g. cpus=2,3 (the first dispatches, the rest run I/O workers)\n",
		       who);
		return -EINVAL;
	}
	if (strscpy(buf, s, sizeof(buf)) < 0) {
		pr_err("%scpus: list too long\n", who);
		return -EINVAL;
	}
	cur = strim(buf);
	p->nr_cpus = 0;
	while ((tok = strsep(&cur, ",")) != NULL) {
		unsigned int cpu;

		if (kstrtouint(tok, 10, &cpu)) {
			pr_err("%scpus: '%s' is not a CPU number\n", who, tok);
			return -EINVAL;
		}
		if (cpu >= nr_cpu_ids) {
			pr_err("%scpus: CPU %u is out of range (this system has CPUs 0-%u)\n",
			       who, cpu, nr_cpu_ids - 1);
			return -EINVAL;
		}
		for (i = 0; i < p->nr_cpus; i++) {
			if (p->cpus[i] == cpu) {
				pr_err("%scpus: CPU %u is listed twice\n", who, cpu);
				return -EINVAL;
			}
		}
		if (p->nr_cpus == NVMEV_MAX_CPUS) {
			pr_err("%scpus: more than %u CPUs\n", who, NVMEV_MAX_CPUS);
			return -EINVAL;
		}
		p->cpus[p->nr_cpus++] = cpu;
	}
	if (p->nr_cpus < 2) {
		pr_err("%scpus: needs at least two CPUs (one dispatcher and one or more workers), got %u\n",
		       who, p->nr_cpus);
		return -EINVAL;
	}
	return 0;
}

int nvmev_check_range(const char *who, const char *name, u64 v, u64 lo, u64 hi)
{
	if (v < lo || v > hi) {
		pr_err("%s%s: %llu is out of range (%llu..%llu)\n", who, name, v, lo, hi);
		return -EINVAL;
	}
	return 0;
}

/* @tu's value @v as sysfs and configfs show it: its name if it has one. */
int nvmev_tunable_print(const struct nvmev_tunable *tu, u64 v, char *buf)
{
	if (tu->names && v >= tu->min && v <= tu->max)
		return sprintf(buf, "%s\n", tu->names[v - tu->min]);
	return sprintf(buf, "%llu\n", v);
}

/* @buf as a value of @tu: one of its names, or a number; not checked against its range. */
int nvmev_tunable_scan(const struct nvmev_tunable *tu, const char *buf, u64 *v)
{
	char word[32];
	u64 i;

	if (tu->names) {
		if (strscpy(word, buf, sizeof(word)) < 0)
			return -EINVAL;
		strim(word);
		for (i = tu->min; i <= tu->max; i++)
			if (!strcmp(word, tu->names[i - tu->min])) {
				*v = i;
				return 0;
			}
	}
	return kstrtou64(buf, 0, v);
}

/* The name of the preset @ns was last given, or of its type's first one; "-": none. */
const char *nvmev_ns_preset_name(const struct nvmev_ns_params *ns)
{
	const struct nvmev_media *m = ns->type->media;

	if (ns->preset)
		return ns->preset->name;
	return m->nr_presets ? m->presets[0].name : "-";
}

/* Every tunable of preset @name of @ns's type; -EINVAL, with the names, if it has none such. */
int nvmev_ns_apply_preset(const char *who, u32 nsid, struct nvmev_ns_params *ns,
			  const char *name)
{
	const struct nvmev_media *m = ns->type->media;
	const struct nvmev_preset *p = nvmev_preset_find(m, name);
	char names[128];
	unsigned int i;
	int n = 0;

	if (!p) {
		for (i = 0; i < m->nr_presets; i++)
			n += scnprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				       m->presets[i].name);
		if (!m->nr_presets)
			pr_err("%spreset: namespace %u: type %s has no presets\n", who, nsid,
			       ns->type->name);
		else
			pr_err("%spreset: '%s' is not a preset of type %s (%s)\n", who, name,
			       ns->type->name, names);
		return -EINVAL;
	}
	for (i = 0; i < p->nr_values; i++) {
		const struct nvmev_tunable *tu = nvmev_tunable_find(m, p->values[i].name);

		if (tu)
			ns->tun[tu - m->tunables] = p->values[i].value;
	}
	ns->preset = p;
	return 0;
}

/* @ns configured as a namespace of @type, every tunable at its default. */
void nvmev_ns_params_init(struct nvmev_ns_params *ns, const struct nvmev_type *type)
{
	const struct nvmev_media *m = type->media;
	unsigned int i;

	memset(ns, 0, sizeof(*ns));
	ns->type = type;
	ns->lba_size = 512;
	for (i = 0; i < m->nr_tunables; i++)
		ns->tun[i] = m->tunables[i].def;
}

int nvmev_type_index(const struct nvmev_type *type)
{
	const struct nvmev_type *t;
	int i;

	for (i = 0; (t = nvmev_type_at(i)); i++)
		if (t == type)
			return i;
	return -1;
}

static int check_ns(const char *who, u32 nsid, struct nvmev_ns_params *ns)
{
	const struct nvmev_media *m = ns->type->media;
	unsigned int i;

	if (ns->lba_size != 512 && ns->lba_size != 4096) {
		pr_err("%slba_size: %u is not supported (512 or 4096) for namespace %u\n",
		       who, ns->lba_size, nsid);
		return -EINVAL;
	}
	if (ns->size % ns->lba_size) {
		pr_err("%ssize: %llu bytes of namespace %u is not a multiple of its %u-byte blocks\n",
		       who, ns->size, nsid, ns->lba_size);
		return -EINVAL;
	}
	for (i = 0; i < m->nr_tunables; i++) {
		const struct nvmev_tunable *tu = &m->tunables[i];

		if (nvmev_check_range(who, tu->name, ns->tun[i], tu->min, tu->max))
			return -EINVAL;
	}
	return 0;
}

/*
 * The device as a whole: its range, its CPUs and its namespaces, which are
 * laid out one after the other in NSID order, each in whole granules; the
 * one of size 0 (at most one) takes what the others leave.
 */
int nvmev_params_check(const char *who, struct nvmev_params *p)
{
	u64 storage, used = 0, at = 0;
	unsigned int i, nr = 0, fill = 0;
	int ret;

	if (!IS_ALIGNED(p->start, NVMEV_ALIGN)) {
		pr_err("%smemmap_start: 0x%llx is not aligned to 1 MiB\n", who, p->start);
		return -EINVAL;
	}
	if (!IS_ALIGNED(p->size, NVMEV_ALIGN)) {
		pr_err("%smemmap_size: 0x%llx is not a multiple of 1 MiB\n", who, p->size);
		return -EINVAL;
	}
	if (p->size < NVMEV_HEADER_SIZE + NVMEV_MIN_STORAGE) {
		pr_err("%smemmap_size: %llu bytes is too small: the controller takes 1 MiB and the namespace needs at least 1 MiB more\n",
		       who, p->size);
		return -EINVAL;
	}
	if (p->start + p->size < p->start) {
		pr_err("%smemmap_size: range wraps around the address space\n", who);
		return -EINVAL;
	}
	if (p->nr_cpus < 2) {
		pr_err("%scpus: missing: give at least two CPUs, e.g. 2,3 (the first dispatches, the rest run I/O workers)\n",
		       who);
		return -EINVAL;
	}
	for (i = 0; i < p->nr_cpus; i++) {
		if (!cpu_online(p->cpus[i])) {
			pr_err("%scpus: CPU %u is offline\n", who, p->cpus[i]);
			return -EINVAL;
		}
	}
	ret = nvmev_check_range(who, "max_io_queues", p->max_io_queues, 1, NVMEV_MAX_IO_QUEUES) ?:
	      nvmev_check_range(who, "idle_after_us", p->idle_after_us, 0, NVMEV_MAX_IDLE_AFTER_US) ?:
	      nvmev_check_range(who, "idle_sleep_us", p->idle_sleep_us, 1, NVMEV_MAX_IDLE_SLEEP_US);
	if (ret)
		return ret;

	storage = p->size - NVMEV_HEADER_SIZE;
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns_params *ns = &p->ns[i];

		if (!ns->type)
			continue;
		ret = check_ns(who, i + 1, ns);
		if (ret)
			return ret;
		nr++;
		if (!ns->size) {
			if (fill) {
				pr_err("%ssize: namespaces %u and %u both take what is left of the device: give all but one a size\n",
				       who, fill, i + 1);
				return -EINVAL;
			}
			fill = i + 1;
			continue;
		}
		used += round_up(ns->size, NVMEV_NS_GRANULE);
	}
	if (!nr) {
		pr_err("%snamespaces: none configured\n", who);
		return -EINVAL;
	}
	if (used > storage || (fill && storage - used < NVMEV_NS_GRANULE)) {
		pr_err("%ssize: the namespaces need %llu MiB%s, the device has %llu MiB of storage (memmap_size less 1 MiB)\n",
		       who, DIV_ROUND_UP(used, SZ_1M), fill ? " and 1 MiB for the one without a size" : "",
		       storage >> 20);
		return -EINVAL;
	}
	for (i = 0; i < NVMEV_MAX_NS; i++) {
		struct nvmev_ns_params *ns = &p->ns[i];

		if (!ns->type)
			continue;
		ns->offset = at;
		if (!ns->size)
			ns->size = rounddown(storage - used, ns->lba_size);
		at += min(round_up(ns->size, NVMEV_NS_GRANULE), storage - at);
	}
	return 0;
}

/* The names of every type's tunables, each once: configfs and sysfs attributes. */
int nvmev_params_init(void)
{
	const struct nvmev_type *t;
	unsigned int i, j, k;

	for (i = 0; (t = nvmev_type_at(i)); i++) {
		for (j = 0; j < t->media->nr_tunables; j++) {
			const char *name = t->media->tunables[j].name;

			for (k = 0; k < nvmev_nr_all_tunables; k++)
				if (!strcmp(nvmev_all_tunables[k], name))
					break;
			if (k < nvmev_nr_all_tunables)
				continue;
			if (nvmev_nr_all_tunables == NVMEV_MAX_ALL_TUNABLES)
				return -E2BIG;
			nvmev_all_tunables[nvmev_nr_all_tunables++] = name;
		}
	}
	return 0;
}
