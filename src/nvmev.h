/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One virtual NVMe device: its reserved memory, its PCI function, its
 * threads, and the device model that they drive.
 */
#ifndef NVMEV_H
#define NVMEV_H

#include <linux/ioport.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>

#include <linux/workqueue.h>

#include "model/ctrl.h"
#include "model/type.h"

#define NVMEV_BAR_SIZE		0x4000		/* registers, doorbells, MSI-X */
#define NVMEV_MSIX_TABLE_OFF	0x2000
#define NVMEV_MSIX_PBA_OFF	0x3000
#define NVMEV_HEADER_SIZE	(1ull << 20)	/* BAR area before the storage */
#define NVMEV_ALIGN		(1ull << 20)
#define NVMEV_MIN_STORAGE	(1ull << 20)
#define NVMEV_MAX_CPUS		(NVMEV_MAX_WORKERS + 1)
#define NVMEV_PCI_VENDOR	0x0c51
#define NVMEV_PCI_DEVICE	0x0110
/* Bounds of the device's own tunables (media models bound theirs) */
#define NVMEV_MAX_IDLE_AFTER_US	10000000	/* 10 s */
#define NVMEV_MAX_IDLE_SLEEP_US	100000		/* 100 ms */
#define NVMEV_MIN_TEMPERATURE_K	173		/* -100 C */
#define NVMEV_MAX_TEMPERATURE_K	473		/* 200 C */
#define NVMEV_PCI_DOMAIN_BASE	0x4e560		/* above every ACPI segment (16 bits) */

#define NVMEV_MAX_DEVICES	8
#define NVMEV_NAME_LEN		16	/* with the NUL; "nvmev0" for the module parameters */
/* Tunable names over every type: configfs and sysfs attributes (params.c) */
#define NVMEV_MAX_ALL_TUNABLES	64
#define NVMEV_MAX_MEDIA_STATS	32	/* counters of a media model in nsN/stats/ */

enum nvmev_poll_mode {
	NVMEV_POLL_BUSY,
	NVMEV_POLL_LOWCPU,
};

extern const char * const nvmev_poll_mode_names[2];

/* One namespace as configured (module parameters or configfs). */
struct nvmev_ns_params {
	const struct nvmev_type *type;	/* NULL: the NSID is not configured */
	u64 size;			/* bytes; 0: what the others leave */
	u32 lba_size;
	u64 tun[NVMEV_MAX_TUNABLES];	/* type->media->tunables[i] */
	const struct nvmev_preset *preset;	/* applied last; NULL: the defaults */
	u64 offset;			/* in the storage: set by nvmev_params_check() */
};

/* Everything a device is made from. */
struct nvmev_params {
	u64 start;
	u64 size;
	unsigned int cpus[NVMEV_MAX_CPUS];
	unsigned int nr_cpus;
	u32 max_io_queues;
	u32 idle_after_us;
	u32 idle_sleep_us;
	enum nvmev_poll_mode poll_mode;
	struct nvmev_ns_params ns[NVMEV_MAX_NS];
};

/* The sysfs directory nsN/ of one NSID (sysfs.c). */
struct nvmev_ns_kobj {
	struct kobject kobj;
	struct nvmev_dev *dev;
	u32 nsid;
	bool added;
};

struct nvmev_dev {
	int index;
	char name[NVMEV_NAME_LEN];
	char who[NVMEV_NAME_LEN + 2];	/* "<name>: " for configfs devices, or "" */
	struct nvmev_params p;

	/* memmap.c */
	struct resource res;		/* the whole range: the PCI bus window */
	struct resource *res_header;	/* busy: the first MiB after BAR0 */
	struct resource *res_storage;	/* busy: the namespace */
	char res_header_name[32];
	char res_storage_name[32];
	void *bar;
	void *storage;
	u64 bar_phys;			/* BAR0: the header MiB */
	u64 storage_phys;		/* 2 MiB aligned */
	unsigned long storage_page_size;	/* how the kernel mapped the storage */

	/* pci.c */
	int domain;
	struct pci_sysdata sysdata;
	struct resource busn;
	struct pci_bus *bus;
	u32 flr_pending;		/* a Function Level Reset waits for the dispatcher */
	u8 cfg[PCI_CFG_SPACE_EXP_SIZE];
	u8 cfg_wmask[PCI_CFG_SPACE_EXP_SIZE];
	bool bar_sizing_lo;
	bool bar_sizing_hi;

	/* irq.c */
	u32 msix_gen;			/* bumped whenever the gate below switches */
	bool msix_live;			/* MSI-X enabled and not function-masked */
	atomic_t irq_raisers;		/* threads past the gate */
	u32 irq_check_pending;		/* the dispatcher looks at irq_pending */
	DECLARE_BITMAP(irq_pending, NVMEV_NR_VECTORS);
	u64 virq_cache[NVMEV_NR_VECTORS];

	/* threads.c */
	struct task_struct *dispatcher;
	struct task_struct *workers[NVMEV_MAX_WORKERS];
	u32 idle_after_us;
	u32 idle_sleep_us;
	u32 poll_mode;
	u64 max_pass_ns[NVMEV_MAX_WORKERS];	/* longest worker pass with new input */

	/* the device model */
	struct nvmev_ctrl *ctrl;
	struct nvmev_worker *w[NVMEV_MAX_WORKERS];
	/* each NSID's type and media model instance (also for those unallocated) */
	const struct nvmev_type *ns_type[NVMEV_MAX_NS];
	struct nvmev_timing *ns_timing[NVMEV_MAX_NS];
	u64 *dealloc;			/* the storage's deallocation map */

	/* sysfs.c */
	struct kobject kobj;
	bool kobj_added;
	struct nvmev_ns_kobj *ns_kobj[NVMEV_MAX_NS];
	struct work_struct ns_work;	/* brings nsN/ in line with the namespaces */
	bool ns_work_live;

	/* chardev.c: /dev/nvmev/<name>, the namespaces' image */
	struct miscdevice misc;
	char misc_name[NVMEV_NAME_LEN + 8];
	char misc_node[NVMEV_NAME_LEN + 8];
	bool misc_added;
	struct mutex img_lock;		/* the image file against removal */
	bool img_open;
	bool dying;
	struct nvmev_img_file *img_file;	/* open, and not given up yet */
	struct delayed_work img_watch;		/* the host must not wait long */
	unsigned long img_waiting_since;	/* jiffies; 0: the host waits for nothing */
};

struct nvmev_img_file;

/* main.c */
extern struct kobject *nvmev_kobj;
struct nvmev_dev *nvmev_dev_create(const char *name, const char *who,
				   const struct nvmev_params *p);
void nvmev_dev_destroy(struct nvmev_dev *dev);
extern struct mutex nvmev_lock;		/* the device list, creation and removal */

/* params.c: parsing and checking, shared by module parameters and configfs */
int nvmev_parse_size(const char *who, const char *name, const char *s, u64 unit, u64 *out);
int nvmev_parse_cpus(const char *who, const char *s, struct nvmev_params *p);
int nvmev_check_range(const char *who, const char *name, u64 v, u64 lo, u64 hi);
void nvmev_ns_params_init(struct nvmev_ns_params *ns, const struct nvmev_type *type);
int nvmev_params_check(const char *who, struct nvmev_params *p);
int nvmev_tunable_print(const struct nvmev_tunable *tu, u64 v, char *buf);
int nvmev_tunable_scan(const struct nvmev_tunable *tu, const char *buf, u64 *v);
int nvmev_ns_apply_preset(const char *who, u32 nsid, struct nvmev_ns_params *ns,
			  const char *name);
const char *nvmev_ns_preset_name(const struct nvmev_ns_params *ns);
int nvmev_type_index(const struct nvmev_type *type);
extern const char *nvmev_all_tunables[NVMEV_MAX_ALL_TUNABLES];
extern unsigned int nvmev_nr_all_tunables;
int nvmev_params_init(void);

/* chardev.c */
int nvmev_chardev_add(struct nvmev_dev *dev);
void nvmev_chardev_remove(struct nvmev_dev *dev);

/* configfs.c */
int nvmev_configfs_init(void);
void nvmev_configfs_exit(void);

/* memmap.c */
int nvmev_memmap_claim(struct nvmev_dev *dev);
void nvmev_memmap_release(struct nvmev_dev *dev);

/* pci.c */
int nvmev_pci_init(void);
void nvmev_pci_exit(void);
int nvmev_pci_create(struct nvmev_dev *dev);
void nvmev_pci_add(struct nvmev_dev *dev);
void nvmev_pci_stop_locked(struct nvmev_dev *dev);
void nvmev_pci_remove_locked(struct nvmev_dev *dev);
void nvmev_pci_remove(struct nvmev_dev *dev);
bool nvmev_pci_bus_master(struct nvmev_dev *dev);

/* irq.c */
void nvmev_irq_msix_changed(struct nvmev_dev *dev, bool live);
void nvmev_irq_raise(struct nvmev_dev *dev, u16 vector);
void nvmev_irq_poll_pending(struct nvmev_dev *dev);
void nvmev_irq_reset(struct nvmev_dev *dev);

/* threads.c */
int nvmev_threads_start(struct nvmev_dev *dev);
void nvmev_threads_stop(struct nvmev_dev *dev);

/* sysfs.c */
int nvmev_sysfs_add(struct nvmev_dev *dev);
void nvmev_sysfs_remove(struct nvmev_dev *dev);
void nvmev_dev_release(struct nvmev_dev *dev);
void nvmev_sysfs_ns_changed(struct nvmev_dev *dev);
int nvmev_sysfs_init(void);

#endif /* NVMEV_H */
