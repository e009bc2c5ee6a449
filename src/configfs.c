// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/config/nvmev/: devices made at run time, as null_blk and
 * nvmet make theirs.
 *
 *   nvmev/<name>/                  a device: attributes named as the module
 *                                  parameters, "enable" and "features"
 *   nvmev/<name>/namespaces/<nsid>/  a namespace: type, size, lba_size and
 *                                  the media tunables of its type
 *
 * Writing 1 to enable checks everything (the same rules and messages as the
 * module parameters, each message prefixed with the device's name) and
 * creates the device; 0 or rmdir removes it. While it is enabled, the
 * attributes that shape it return -EBUSY; polling and the media tunables
 * that may change at run time take effect at once. Without any namespaces/
 * directory the device has one namespace of type nvm that fills it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/configfs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "nvmev.h"

struct nvmev_cfs_dev;

struct nvmev_cfs_ns {
	struct config_group group;
	struct nvmev_cfs_dev *cd;
	u32 nsid;
	struct nvmev_ns_params p;
};

struct nvmev_cfs_dev {
	struct config_group group;
	struct config_group ns_group;
	char name[NVMEV_NAME_LEN];
	char who[NVMEV_NAME_LEN + 2];		/* "<name>: " for messages */
	struct nvmev_params p;			/* p.ns[] comes from ns[] at enable */
	bool have_start, have_size, have_cpus;
	struct nvmev_cfs_ns *ns[NVMEV_MAX_NS];
	struct nvmev_dev *dev;			/* while enabled */
};

static struct nvmev_cfs_dev *to_cd(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_cfs_dev, group);
}

static struct nvmev_cfs_ns *to_cns(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_cfs_ns, group);
}

/* A size as the largest suffix that is exact, so that it reads back as written. */
static ssize_t show_size(char *page, u64 v)
{
	static const char sfx[] = "KMGT";
	int i = -1;

	while (i < 3 && v && !(v & (SZ_1K - 1))) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		return sprintf(page, "%llu\n", v);
	return sprintf(page, "%llu%c\n", v, sfx[i]);
}

static int busy(struct nvmev_cfs_dev *cd, const char *attr)
{
	if (!cd->dev)
		return 0;
	pr_warn("%s%s: cannot change while the device is enabled (write 0 to enable first)\n",
		cd->who, attr);
	return -EBUSY;
}

/* ---- the device ---- */

static ssize_t memmap_start_show(struct config_item *item, char *page)
{
	return show_size(page, to_cd(item)->p.start);
}

static ssize_t memmap_size_show(struct config_item *item, char *page)
{
	return show_size(page, to_cd(item)->p.size);
}

static ssize_t store_range(struct config_item *item, const char *page, size_t len, bool start)
{
	struct nvmev_cfs_dev *cd = to_cd(item);
	const char *name = start ? "memmap_start" : "memmap_size";
	char buf[32];
	u64 v;
	int ret;

	if (strscpy(buf, page, sizeof(buf)) < 0)
		return -EINVAL;
	mutex_lock(&nvmev_lock);
	ret = busy(cd, name) ?:
	      nvmev_parse_size(cd->who, name, strim(buf), start ? SZ_1G : SZ_1M, &v);
	if (!ret && start) {
		cd->p.start = v;
		cd->have_start = true;
	} else if (!ret) {
		cd->p.size = v;
		cd->have_size = true;
	}
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

static ssize_t memmap_start_store(struct config_item *item, const char *page, size_t len)
{
	return store_range(item, page, len, true);
}

static ssize_t memmap_size_store(struct config_item *item, const char *page, size_t len)
{
	return store_range(item, page, len, false);
}

static ssize_t cpus_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_dev *cd = to_cd(item);
	unsigned int i;
	int n = 0;

	for (i = 0; i < cd->p.nr_cpus; i++)
		n += sprintf(page + n, "%s%u", i ? "," : "", cd->p.cpus[i]);
	return n + sprintf(page + n, "\n");
}

static ssize_t cpus_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_dev *cd = to_cd(item);
	struct nvmev_params *tmp;
	int ret;

	tmp = kzalloc(sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	mutex_lock(&nvmev_lock);
	ret = busy(cd, "cpus") ?: nvmev_parse_cpus(cd->who, page, tmp);
	if (!ret) {
		memcpy(cd->p.cpus, tmp->cpus, sizeof(cd->p.cpus));
		cd->p.nr_cpus = tmp->nr_cpus;
		cd->have_cpus = true;
	}
	mutex_unlock(&nvmev_lock);
	kfree(tmp);
	return ret ?: len;
}

static ssize_t poll_mode_show(struct config_item *item, char *page)
{
	return sprintf(page, "%s\n", nvmev_poll_mode_names[to_cd(item)->p.poll_mode]);
}

static ssize_t poll_mode_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_dev *cd = to_cd(item);
	int m = sysfs_match_string(nvmev_poll_mode_names, page);

	if (m < 0) {
		pr_warn("%spoll_mode: not a polling mode (busy or lowcpu)\n", cd->who);
		return -EINVAL;
	}
	mutex_lock(&nvmev_lock);
	cd->p.poll_mode = m;
	if (cd->dev)
		WRITE_ONCE(cd->dev->poll_mode, m);
	mutex_unlock(&nvmev_lock);
	return len;
}

/*
 * A number with bounds. @live: the offset of the running device's copy in
 * struct nvmev_dev, or -1 when it cannot change while enabled (-EBUSY).
 */
static ssize_t store_u32(struct nvmev_cfs_dev *cd, const char *name, const char *page,
			 size_t len, u32 *dst, u32 lo, u32 hi, long live)
{
	u64 v;
	int ret = kstrtou64(page, 0, &v);

	if (ret) {
		pr_warn("%s%s: not a number\n", cd->who, name);
		return ret;
	}
	ret = nvmev_check_range(cd->who, name, v, lo, hi);
	if (ret)
		return ret;
	mutex_lock(&nvmev_lock);
	ret = live >= 0 ? 0 : busy(cd, name);
	if (!ret) {
		*dst = v;
		if (live >= 0 && cd->dev)
			WRITE_ONCE(*(u32 *)((u8 *)cd->dev + live), (u32)v);
	}
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

#define CFS_DEV_U32(name, lo, hi, live)						\
static ssize_t name##_show(struct config_item *item, char *page)		\
{										\
	return sprintf(page, "%u\n", to_cd(item)->p.name);			\
}										\
static ssize_t name##_store(struct config_item *item, const char *page, size_t len) \
{										\
	struct nvmev_cfs_dev *cd = to_cd(item);					\
										\
	return store_u32(cd, #name, page, len, &cd->p.name, lo, hi, live);	\
}

CFS_DEV_U32(max_io_queues, 1, NVMEV_MAX_IO_QUEUES, -1)
CFS_DEV_U32(idle_after_us, 0, NVMEV_MAX_IDLE_AFTER_US, offsetof(struct nvmev_dev, idle_after_us))
CFS_DEV_U32(idle_sleep_us, 1, NVMEV_MAX_IDLE_SLEEP_US, offsetof(struct nvmev_dev, idle_sleep_us))

static ssize_t enable_show(struct config_item *item, char *page)
{
	return sprintf(page, "%d\n", !!to_cd(item)->dev);
}

static int cd_enable(struct nvmev_cfs_dev *cd)
{
	struct nvmev_params *p;
	struct nvmev_dev *dev;
	unsigned int i;
	int ret = -EINVAL;

	if (!cd->have_start || !cd->have_size || !cd->have_cpus) {
		pr_err("%s%s: missing: write memmap_start, memmap_size and cpus before enable\n",
		       cd->who, !cd->have_start ? "memmap_start" :
		       !cd->have_size ? "memmap_size" : "cpus");
		return -EINVAL;
	}
	p = kmemdup(&cd->p, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memset(p->ns, 0, sizeof(p->ns));
	for (i = 0; i < NVMEV_MAX_NS; i++)
		if (cd->ns[i])
			p->ns[i] = cd->ns[i]->p;
	for (i = 0; i < NVMEV_MAX_NS && !p->ns[i].type; i++)
		;
	if (i == NVMEV_MAX_NS)		/* no namespaces/: one nvm namespace fills it */
		nvmev_ns_params_init(&p->ns[0], nvmev_type_at(0));
	ret = nvmev_params_check(cd->who, p);
	if (ret)
		goto out;
	dev = nvmev_dev_create(cd->name, cd->who, p);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto out;
	}
	cd->dev = dev;
out:
	kfree(p);
	return ret;
}

static ssize_t enable_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_dev *cd = to_cd(item);
	bool on;
	int ret = kstrtobool(page, &on);

	if (ret) {
		pr_warn("%senable: write 1 or 0\n", cd->who);
		return ret;
	}
	mutex_lock(&nvmev_lock);
	if (on && !cd->dev) {
		ret = cd_enable(cd);
	} else if (!on && cd->dev) {
		nvmev_dev_destroy(cd->dev);
		cd->dev = NULL;
	}
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

static ssize_t features_show(struct config_item *item, char *page);

CONFIGFS_ATTR(, memmap_start);
CONFIGFS_ATTR(, memmap_size);
CONFIGFS_ATTR(, cpus);
CONFIGFS_ATTR(, poll_mode);
CONFIGFS_ATTR(, max_io_queues);
CONFIGFS_ATTR(, idle_after_us);
CONFIGFS_ATTR(, idle_sleep_us);
CONFIGFS_ATTR(, enable);
CONFIGFS_ATTR_RO(, features);

static struct configfs_attribute *cd_attrs[] = {
	&attr_memmap_start,
	&attr_memmap_size,
	&attr_cpus,
	&attr_poll_mode,
	&attr_max_io_queues,
	&attr_idle_after_us,
	&attr_idle_sleep_us,
	&attr_enable,
	&attr_features,
	NULL,
};

/* ---- a namespace ---- */

static struct nvmev_dev *cns_dev(struct nvmev_cfs_ns *cns)
{
	return cns->cd ? cns->cd->dev : NULL;
}

static int cns_busy(struct nvmev_cfs_ns *cns, const char *attr)
{
	if (!cns_dev(cns))
		return 0;
	pr_warn("%snamespaces/%u/%s: cannot change while the device is enabled\n",
		cns->cd->who, cns->nsid, attr);
	return -EBUSY;
}

static ssize_t type_show(struct config_item *item, char *page)
{
	return sprintf(page, "%s\n", to_cns(item)->p.type->name);
}

static ssize_t type_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	const struct nvmev_type *t;
	char buf[32];
	int ret;

	if (strscpy(buf, page, sizeof(buf)) < 0)
		return -EINVAL;
	t = nvmev_type_by_name(strim(buf));
	if (!t) {
		pr_warn("%snamespaces/%u/type: '%s' is not a type\n", cns->cd->who, cns->nsid,
			strim(buf));
		return -EINVAL;
	}
	mutex_lock(&nvmev_lock);
	ret = cns_busy(cns, "type");
	if (!ret && t != cns->p.type) {
		u64 size = cns->p.size;
		u32 lba = cns->p.lba_size;

		nvmev_ns_params_init(&cns->p, t);	/* the new type's tunables */
		cns->p.size = size;
		cns->p.lba_size = lba;
	}
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

static ssize_t size_show(struct config_item *item, char *page)
{
	return show_size(page, to_cns(item)->p.size);
}

static ssize_t size_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	char buf[32];
	u64 v;
	int ret;

	if (strscpy(buf, page, sizeof(buf)) < 0)
		return -EINVAL;
	mutex_lock(&nvmev_lock);
	ret = cns_busy(cns, "size") ?: nvmev_parse_size(cns->cd->who, "size", strim(buf), SZ_1M, &v);
	if (!ret)
		cns->p.size = v;
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

static ssize_t lba_size_show(struct config_item *item, char *page)
{
	return sprintf(page, "%u\n", to_cns(item)->p.lba_size);
}

static ssize_t lba_size_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	u32 v;
	int ret = kstrtou32(page, 0, &v);

	if (ret || (v != 512 && v != 4096)) {
		pr_warn("%snamespaces/%u/lba_size: 512 or 4096\n", cns->cd->who, cns->nsid);
		return -EINVAL;
	}
	mutex_lock(&nvmev_lock);
	ret = cns_busy(cns, "lba_size");
	if (!ret)
		cns->p.lba_size = v;
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

/*
 * The media tunables: one attribute per name over every type
 * (nvmev_all_tunables[n]); the namespace's type says whether it has it.
 */
static ssize_t tunable_show(struct config_item *item, char *page, unsigned int n)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	const struct nvmev_media *m = cns->p.type->media;
	const struct nvmev_tunable *tu = nvmev_tunable_find(m, nvmev_all_tunables[n]);
	struct nvmev_dev *dev;
	ssize_t ret;

	if (!tu)
		return sprintf(page, "-\n");	/* not a tunable of this type */
	mutex_lock(&nvmev_lock);
	dev = cns_dev(cns);
	if (dev && dev->ns_type[cns->nsid - 1] == cns->p.type)
		ret = nvmev_tunable_print(tu, nvmev_tunable_get(dev->ns_timing[cns->nsid - 1], tu),
					  page);
	else
		ret = nvmev_tunable_print(tu, cns->p.tun[tu - m->tunables], page);
	mutex_unlock(&nvmev_lock);
	return ret;
}

static ssize_t tunable_store(struct config_item *item, const char *page, size_t len,
			     unsigned int n)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	const char *name = nvmev_all_tunables[n];
	const struct nvmev_media *m = cns->p.type->media;
	const struct nvmev_tunable *tu = nvmev_tunable_find(m, name);
	struct nvmev_dev *dev;
	char who[48];
	u64 v;
	int ret;

	if (!tu) {
		pr_warn("%snamespaces/%u/%s: not a tunable of type %s\n", cns->cd->who, cns->nsid,
			name, cns->p.type->name);
		return -EINVAL;
	}
	ret = nvmev_tunable_scan(tu, page, &v);
	if (ret) {
		pr_warn("%snamespaces/%u/%s: not a number%s\n", cns->cd->who, cns->nsid, name,
			tu->names ? " or one of its names" : "");
		return ret;
	}
	snprintf(who, sizeof(who), "%snamespaces/%u/", cns->cd->who, cns->nsid);
	ret = nvmev_check_range(who, name, v, tu->min, tu->max);
	if (ret)
		return ret;
	mutex_lock(&nvmev_lock);
	dev = cns_dev(cns);
	if (dev && !(tu->flags & NVMEV_TUNABLE_RUNTIME))
		ret = cns_busy(cns, name);
	if (!ret) {
		cns->p.tun[tu - m->tunables] = v;
		if (dev && dev->ns_type[cns->nsid - 1] == cns->p.type)
			nvmev_tunable_set(dev->ns_timing[cns->nsid - 1], tu, v);
	}
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

#define NVMEV_CFS_TUNABLES 48

#define CFS_TUNABLE(n)								\
static ssize_t tunable##n##_show(struct config_item *item, char *page)		\
{										\
	return tunable_show(item, page, n);					\
}										\
static ssize_t tunable##n##_store(struct config_item *item, const char *page,	\
				  size_t len)					\
{										\
	return tunable_store(item, page, len, n);				\
}
CFS_TUNABLE(0)
CFS_TUNABLE(1)
CFS_TUNABLE(2)
CFS_TUNABLE(3)
CFS_TUNABLE(4)
CFS_TUNABLE(5)
CFS_TUNABLE(6)
CFS_TUNABLE(7)
CFS_TUNABLE(8)
CFS_TUNABLE(9)
CFS_TUNABLE(10)
CFS_TUNABLE(11)
CFS_TUNABLE(12)
CFS_TUNABLE(13)
CFS_TUNABLE(14)
CFS_TUNABLE(15)
CFS_TUNABLE(16)
CFS_TUNABLE(17)
CFS_TUNABLE(18)
CFS_TUNABLE(19)
CFS_TUNABLE(20)
CFS_TUNABLE(21)
CFS_TUNABLE(22)
CFS_TUNABLE(23)
CFS_TUNABLE(24)
CFS_TUNABLE(25)
CFS_TUNABLE(26)
CFS_TUNABLE(27)
CFS_TUNABLE(28)
CFS_TUNABLE(29)
CFS_TUNABLE(30)
CFS_TUNABLE(31)
CFS_TUNABLE(32)
CFS_TUNABLE(33)
CFS_TUNABLE(34)
CFS_TUNABLE(35)
CFS_TUNABLE(36)
CFS_TUNABLE(37)
CFS_TUNABLE(38)
CFS_TUNABLE(39)
CFS_TUNABLE(40)
CFS_TUNABLE(41)
CFS_TUNABLE(42)
CFS_TUNABLE(43)
CFS_TUNABLE(44)
CFS_TUNABLE(45)
CFS_TUNABLE(46)
CFS_TUNABLE(47)

#define TUNABLE_OPS(n) { tunable##n##_show, tunable##n##_store }
static const struct {
	ssize_t (*show)(struct config_item *item, char *page);
	ssize_t (*store)(struct config_item *item, const char *page, size_t len);
} tunable_ops[NVMEV_CFS_TUNABLES] = {
	TUNABLE_OPS(0),
	TUNABLE_OPS(1),
	TUNABLE_OPS(2),
	TUNABLE_OPS(3),
	TUNABLE_OPS(4),
	TUNABLE_OPS(5),
	TUNABLE_OPS(6),
	TUNABLE_OPS(7),
	TUNABLE_OPS(8),
	TUNABLE_OPS(9),
	TUNABLE_OPS(10),
	TUNABLE_OPS(11),
	TUNABLE_OPS(12),
	TUNABLE_OPS(13),
	TUNABLE_OPS(14),
	TUNABLE_OPS(15),
	TUNABLE_OPS(16),
	TUNABLE_OPS(17),
	TUNABLE_OPS(18),
	TUNABLE_OPS(19),
	TUNABLE_OPS(20),
	TUNABLE_OPS(21),
	TUNABLE_OPS(22),
	TUNABLE_OPS(23),
	TUNABLE_OPS(24),
	TUNABLE_OPS(25),
	TUNABLE_OPS(26),
	TUNABLE_OPS(27),
	TUNABLE_OPS(28),
	TUNABLE_OPS(29),
	TUNABLE_OPS(30),
	TUNABLE_OPS(31),
	TUNABLE_OPS(32),
	TUNABLE_OPS(33),
	TUNABLE_OPS(34),
	TUNABLE_OPS(35),
	TUNABLE_OPS(36),
	TUNABLE_OPS(37),
	TUNABLE_OPS(38),
	TUNABLE_OPS(39),
	TUNABLE_OPS(40),
	TUNABLE_OPS(41),
	TUNABLE_OPS(42),
	TUNABLE_OPS(43),
	TUNABLE_OPS(44),
	TUNABLE_OPS(45),
	TUNABLE_OPS(46),
	TUNABLE_OPS(47),
};

/*
 * preset: a named set of the type's tunables (a drive class); writing one
 * sets them all, and later writes of single tunables change what it set.
 */
static ssize_t preset_show(struct config_item *item, char *page)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	ssize_t ret;

	mutex_lock(&nvmev_lock);
	ret = sprintf(page, "%s\n", nvmev_ns_preset_name(&cns->p));
	mutex_unlock(&nvmev_lock);
	return ret;
}

static ssize_t preset_store(struct config_item *item, const char *page, size_t len)
{
	struct nvmev_cfs_ns *cns = to_cns(item);
	char buf[32], who[48];
	int ret;

	if (strscpy(buf, page, sizeof(buf)) < 0)
		return -EINVAL;
	snprintf(who, sizeof(who), "%snamespaces/%u/", cns->cd->who, cns->nsid);
	mutex_lock(&nvmev_lock);
	ret = cns_busy(cns, "preset") ?: nvmev_ns_apply_preset(who, cns->nsid, &cns->p, strim(buf));
	mutex_unlock(&nvmev_lock);
	return ret ?: len;
}

CONFIGFS_ATTR(, type);
CONFIGFS_ATTR(, size);
CONFIGFS_ATTR(, lba_size);
CONFIGFS_ATTR(, preset);

static struct configfs_attribute cns_tunable_attrs[NVMEV_CFS_TUNABLES];
static struct configfs_attribute *cns_attrs[4 + NVMEV_CFS_TUNABLES + 1] = {
	&attr_type,
	&attr_size,
	&attr_lba_size,
	&attr_preset,
};

static void cns_release(struct config_item *item)
{
	kfree(to_cns(item));
}

static struct configfs_item_operations cns_item_ops = {
	.release = cns_release,
};

static const struct config_item_type cns_type = {
	.ct_item_ops = &cns_item_ops,
	.ct_attrs = cns_attrs,
	.ct_owner = THIS_MODULE,
};

static ssize_t features_show(struct config_item *item, char *page)
{
	const struct nvmev_type *t;
	unsigned int i;
	int n = 0;

	for (i = 0; cd_attrs[i]; i++)
		n += sprintf(page + n, "%s%s", i ? "," : "", cd_attrs[i]->ca_name);
	n += sprintf(page + n, "\nnamespaces/NSID:");
	for (i = 0; cns_attrs[i]; i++)
		n += sprintf(page + n, "%s%s", i ? "," : " ", cns_attrs[i]->ca_name);
	n += sprintf(page + n, "\ntypes:");
	for (i = 0; (t = nvmev_type_at(i)); i++)
		n += sprintf(page + n, "%s%s", i ? "," : " ", t->name);
	return n + sprintf(page + n, "\n");
}

/* ---- namespaces/ ---- */

static struct config_group *ns_make_group(struct config_group *group, const char *name)
{
	struct nvmev_cfs_dev *cd = container_of(group, struct nvmev_cfs_dev, ns_group);
	struct nvmev_cfs_ns *cns;
	u32 nsid;
	int ret = 0;

	if (kstrtou32(name, 10, &nsid) || nsid < 1 || nsid > NVMEV_MAX_NS) {
		pr_warn("%snamespaces/%s: a namespace directory is its NSID, 1 to %u\n", cd->who,
			name, NVMEV_MAX_NS);
		return ERR_PTR(-EINVAL);
	}
	cns = kzalloc(sizeof(*cns), GFP_KERNEL);
	if (!cns)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&nvmev_lock);
	if (cd->dev) {
		pr_warn("%snamespaces/%u: cannot add while the device is enabled\n", cd->who, nsid);
		ret = -EBUSY;
	} else if (cd->ns[nsid - 1]) {
		ret = -EEXIST;
	} else {
		cns->cd = cd;
		cns->nsid = nsid;
		nvmev_ns_params_init(&cns->p, nvmev_type_at(0));
		cd->ns[nsid - 1] = cns;
	}
	mutex_unlock(&nvmev_lock);
	if (ret) {
		kfree(cns);
		return ERR_PTR(ret);
	}
	config_group_init_type_name(&cns->group, name, &cns_type);
	return &cns->group;
}

/* A running device keeps its namespace; the directory only goes. */
static void ns_drop_item(struct config_group *group, struct config_item *item)
{
	struct nvmev_cfs_ns *cns = to_cns(item);

	mutex_lock(&nvmev_lock);
	cns->cd->ns[cns->nsid - 1] = NULL;
	cns->cd = NULL;
	mutex_unlock(&nvmev_lock);
	config_item_put(item);
}

static struct configfs_group_operations ns_group_ops = {
	.make_group = ns_make_group,
	.drop_item = ns_drop_item,
};

static const struct config_item_type ns_group_type = {
	.ct_group_ops = &ns_group_ops,
	.ct_owner = THIS_MODULE,
};

/* ---- nvmev/ ---- */

static void cd_release(struct config_item *item)
{
	kfree(to_cd(item));
}

static struct configfs_item_operations cd_item_ops = {
	.release = cd_release,
};

static const struct config_item_type cd_type = {
	.ct_item_ops = &cd_item_ops,
	.ct_attrs = cd_attrs,
	.ct_owner = THIS_MODULE,
};

static bool good_name(const char *name)
{
	size_t n = strlen(name);

	return n && n < NVMEV_NAME_LEN &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static struct config_group *dev_make_group(struct config_group *group, const char *name)
{
	struct nvmev_cfs_dev *cd;

	if (!good_name(name)) {
		pr_warn("%s: a device name has 1 to %u letters, digits, '_' or '-'\n", name,
			NVMEV_NAME_LEN - 1);
		return ERR_PTR(-EINVAL);
	}
	cd = kzalloc(sizeof(*cd), GFP_KERNEL);
	if (!cd)
		return ERR_PTR(-ENOMEM);
	strscpy(cd->name, name, sizeof(cd->name));
	snprintf(cd->who, sizeof(cd->who), "%s: ", name);
	cd->p.max_io_queues = 64;
	cd->p.idle_after_us = 1000;
	cd->p.idle_sleep_us = 20;
	cd->p.poll_mode = NVMEV_POLL_BUSY;
	config_group_init_type_name(&cd->group, name, &cd_type);
	config_group_init_type_name(&cd->ns_group, "namespaces", &ns_group_type);
	configfs_add_default_group(&cd->ns_group, &cd->group);
	return &cd->group;
}

/* rmdir: an enabled device is removed first. */
static void dev_drop_item(struct config_group *group, struct config_item *item)
{
	struct nvmev_cfs_dev *cd = to_cd(item);

	mutex_lock(&nvmev_lock);
	if (cd->dev)
		nvmev_dev_destroy(cd->dev);
	cd->dev = NULL;
	mutex_unlock(&nvmev_lock);
	config_item_put(item);
}

static struct configfs_group_operations dev_group_ops = {
	.make_group = dev_make_group,
	.drop_item = dev_drop_item,
};

static const struct config_item_type nvmev_subsys_type = {
	.ct_group_ops = &dev_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem nvmev_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "nvmev",
			.ci_type = &nvmev_subsys_type,
		},
	},
};

int nvmev_configfs_init(void)
{
	unsigned int i;
	int ret;

	if (nvmev_nr_all_tunables > NVMEV_CFS_TUNABLES) {
		pr_err("configfs: %u media tunables, room for %u\n", nvmev_nr_all_tunables,
		       NVMEV_CFS_TUNABLES);
		return -E2BIG;
	}
	for (i = 0; i < nvmev_nr_all_tunables; i++) {
		struct configfs_attribute *a = &cns_tunable_attrs[i];

		a->ca_name = nvmev_all_tunables[i];
		a->ca_owner = THIS_MODULE;
		a->ca_mode = 0644;
		a->show = tunable_ops[i].show;
		a->store = tunable_ops[i].store;
		cns_attrs[4 + i] = a;
	}
	config_group_init(&nvmev_subsys.su_group);
	mutex_init(&nvmev_subsys.su_mutex);
	ret = configfs_register_subsystem(&nvmev_subsys);
	if (ret)
		pr_err("configfs: cannot register /sys/kernel/config/nvmev (%d)\n", ret);
	return ret;
}

void nvmev_configfs_exit(void)
{
	configfs_unregister_subsystem(&nvmev_subsys);
}
