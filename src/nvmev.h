/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One virtual NVMe device: its reserved memory, its PCI function, its
 * threads, and the device model that they drive.
 */
#ifndef NVMEV_H
#define NVMEV_H

#include <linux/ioport.h>
#include <linux/kobject.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "model/ctrl.h"
#include "model/media_optane.h"

#define NVMEV_BAR_SIZE		0x4000		/* registers, doorbells, MSI-X */
#define NVMEV_MSIX_TABLE_OFF	0x2000
#define NVMEV_MSIX_PBA_OFF	0x3000
#define NVMEV_HEADER_SIZE	(1ull << 20)	/* BAR area before the storage */
#define NVMEV_ALIGN		(1ull << 20)
#define NVMEV_MIN_STORAGE	(1ull << 20)
#define NVMEV_MAX_CPUS		(NVMEV_MAX_WORKERS + 1)
#define NVMEV_PCI_VENDOR	0x0c51
#define NVMEV_PCI_DEVICE	0x0110
/* Bounds of the tunables, at load (main.c) and at run time (sysfs.c) */
#define NVMEV_MAX_LATENCY_NS	10000000000ull	/* 10 s */
#define NVMEV_MAX_BANDWIDTH	1000000ull	/* MB/s: 1 TB/s */
#define NVMEV_MAX_IDLE_AFTER_US	10000000	/* 10 s */
#define NVMEV_MAX_IDLE_SLEEP_US	100000		/* 100 ms */
#define NVMEV_MIN_TEMPERATURE_K	173		/* -100 C */
#define NVMEV_MAX_TEMPERATURE_K	473		/* 200 C */
#define NVMEV_PCI_DOMAIN_BASE	0x4e560		/* above every ACPI segment (16 bits) */

enum nvmev_type {
	NVMEV_TYPE_NVM,
};

enum nvmev_poll_mode {
	NVMEV_POLL_BUSY,
	NVMEV_POLL_LOWCPU,
};

extern const char * const nvmev_poll_mode_names[2];

/* Everything a device is made from, parsed and validated from parameters. */
struct nvmev_params {
	u64 start;
	u64 size;
	unsigned int cpus[NVMEV_MAX_CPUS];
	unsigned int nr_cpus;
	enum nvmev_type type;
	u64 read_latency_ns;
	u64 write_latency_ns;
	u64 bandwidth_mbps;
	u32 parallel_units;
	u32 lba_size;
	u32 max_io_queues;
	u32 idle_after_us;
	u32 idle_sleep_us;
	enum nvmev_poll_mode poll_mode;
};

struct nvmev_dev {
	int index;
	char name[16];
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
	struct nvmev_nvm_timing timing;
	u64 *dealloc;			/* the namespace's deallocation map */

	/* sysfs.c */
	struct kobject kobj;
	bool kobj_added;
};

/* main.c */
extern struct kobject *nvmev_kobj;

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

#endif /* NVMEV_H */
