/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every difference between the kernels nvmev builds for, each behind a
 * small named helper. Nothing else in the module tests kernel versions.
 */
#ifndef NVMEV_COMPAT_H
#define NVMEV_COMPAT_H

#include <linux/pci.h>
#include <linux/version.h>

/* x86 keeps the PCI domain and NUMA node of a root bus in struct pci_sysdata. */
static inline void nvmev_sysdata_init(struct pci_sysdata *sd, int domain, int node)
{
	memset(sd, 0, sizeof(*sd));
	sd->domain = domain;
	sd->node = node;
}

static inline struct pci_sysdata *nvmev_bus_sysdata(struct pci_bus *bus)
{
	return bus->sysdata;
}

#endif /* NVMEV_COMPAT_H */
