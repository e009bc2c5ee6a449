// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI side of a device: a root bus of its own in a PCI domain above
 * every ACPI segment, holding one function with class NVMe, a 64-bit BAR0
 * backed by the reserved memory, and power management, MSI-X and PCI
 * Express capabilities. Configuration space is an array with a mask of
 * writable bits.
 *
 * The host's writes that matter to the device: Bus Master Enable (read by
 * the threads, see nvmev_pci_bus_master()), MSI-X Enable and Function Mask
 * (irq.c), and Function Level Reset (PCIe Device Control): the function's
 * config space returns to its reset state at once, and config reads return
 * all ones, as from a function that is still resetting, until the
 * dispatcher has reset the controller. The function may be removed and
 * found again on its bus (sysfs remove and rescan): a bus notifier claims
 * BAR0 for every function that appears there, at the address it decodes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kmod.h>
#include <linux/pci.h>
#include <linux/pci_regs.h>

#include "nvmev.h"
#include "compat.h"

#define CAP_PM		0x40
#define CAP_MSIX	0x50
#define CAP_EXP		0x60

static struct nvmev_dev *bus_to_dev(struct pci_bus *bus)
{
	return container_of(nvmev_bus_sysdata(bus), struct nvmev_dev, sysdata);
}

static void cfg_put(struct nvmev_dev *dev, int where, u32 v, int size, u32 wmask)
{
	int i;

	for (i = 0; i < size; i++) {
		dev->cfg[where + i] = (u8)(v >> (8 * i));
		dev->cfg_wmask[where + i] = (u8)(wmask >> (8 * i));
	}
}

static u32 cfg_get(const struct nvmev_dev *dev, int where, int size)
{
	u32 v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (u32)dev->cfg[where + i] << (8 * i);
	return v;
}

/* Bus Master Enable as the host last wrote it; read without the config lock. */
bool nvmev_pci_bus_master(struct nvmev_dev *dev)
{
	return READ_ONCE(dev->cfg[PCI_COMMAND]) & PCI_COMMAND_MASTER;
}

static int nvmev_pci_read(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 *val)
{
	struct nvmev_dev *dev = bus_to_dev(bus);

	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0u;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	if (READ_ONCE(dev->flr_pending)) {
		*val = ~0u >> (32 - 8 * size);	/* still in reset */
		return PCIBIOS_SUCCESSFUL;
	}
	*val = cfg_get(dev, where, size);
	if (where <= PCI_BASE_ADDRESS_0 && where + size > PCI_BASE_ADDRESS_0 && dev->bar_sizing_lo)
		*val = (u32)(~(NVMEV_BAR_SIZE - 1) | PCI_BASE_ADDRESS_MEM_TYPE_64) >>
		       (8 * (PCI_BASE_ADDRESS_0 - where));
	if (where == PCI_BASE_ADDRESS_1 && dev->bar_sizing_hi)
		*val = ~0u;
	return PCIBIOS_SUCCESSFUL;
}

static void cfg_init(struct nvmev_dev *dev);

static bool msix_live(const struct nvmev_dev *dev)
{
	u16 flags = cfg_get(dev, CAP_MSIX + PCI_MSIX_FLAGS, 2);

	return (flags & PCI_MSIX_FLAGS_ENABLE) && !(flags & PCI_MSIX_FLAGS_MASKALL);
}

/* Function Level Reset, from a config write: the dispatcher finishes it. */
static void function_reset(struct nvmev_dev *dev)
{
	WRITE_ONCE(dev->flr_pending, 1);
	cfg_init(dev);
	nvmev_irq_msix_changed(dev, false);
	smp_mb();	/* config space reset, before the dispatcher looks */
	if (dev->dispatcher)
		wake_up_process(dev->dispatcher);
}

static int nvmev_pci_write(struct pci_bus *bus, unsigned int devfn, int where, int size, u32 val)
{
	struct nvmev_dev *dev = bus_to_dev(bus);
	int i;

	if (devfn != 0 || where < 0 || where + size > PCI_CFG_SPACE_EXP_SIZE)
		return PCIBIOS_DEVICE_NOT_FOUND;
	if (READ_ONCE(dev->flr_pending))
		return PCIBIOS_SUCCESSFUL;	/* ignored while resetting */
	if (where <= CAP_EXP + PCI_EXP_DEVCTL + 1 && where + size > CAP_EXP + PCI_EXP_DEVCTL + 1 &&
	    ((val >> (8 * (CAP_EXP + PCI_EXP_DEVCTL + 1 - where))) & (PCI_EXP_DEVCTL_BCR_FLR >> 8))) {
		function_reset(dev);
		return PCIBIOS_SUCCESSFUL;
	}

	/*
	 * BAR0 sits where the memory is and cannot move: an all-ones write
	 * starts a size probe, any other write ends it.
	 */
	if (where == PCI_BASE_ADDRESS_0 && size == 4) {
		dev->bar_sizing_lo = val == ~0u;
		return PCIBIOS_SUCCESSFUL;
	}
	if (where == PCI_BASE_ADDRESS_1 && size == 4) {
		dev->bar_sizing_hi = val == ~0u;
		return PCIBIOS_SUCCESSFUL;
	}

	for (i = 0; i < size; i++) {
		u8 m = dev->cfg_wmask[where + i];
		u8 b = (u8)(val >> (8 * i));

		WRITE_ONCE(dev->cfg[where + i], (dev->cfg[where + i] & ~m) | (b & m));
	}
	nvmev_irq_msix_changed(dev, msix_live(dev));
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops nvmev_pci_ops = {
	.read = nvmev_pci_read,
	.write = nvmev_pci_write,
};

static void cfg_init(struct nvmev_dev *dev)
{
	u64 bar = dev->bar_phys;

	memset(dev->cfg, 0, sizeof(dev->cfg));
	memset(dev->cfg_wmask, 0, sizeof(dev->cfg_wmask));

	cfg_put(dev, PCI_VENDOR_ID, NVMEV_PCI_VENDOR, 2, 0);
	cfg_put(dev, PCI_DEVICE_ID, NVMEV_PCI_DEVICE, 2, 0);
	cfg_put(dev, PCI_COMMAND, 0, 2,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	cfg_put(dev, PCI_STATUS, PCI_STATUS_CAP_LIST, 2, 0);
	cfg_put(dev, PCI_REVISION_ID, 1, 1, 0);
	cfg_put(dev, PCI_CLASS_PROG, 0x02, 1, 0);		/* NVM Express */
	cfg_put(dev, PCI_CLASS_DEVICE, PCI_CLASS_STORAGE_EXPRESS >> 8, 2, 0);
	cfg_put(dev, PCI_CACHE_LINE_SIZE, 0, 1, 0xff);
	cfg_put(dev, PCI_LATENCY_TIMER, 0, 1, 0xff);
	cfg_put(dev, PCI_BASE_ADDRESS_0, (u32)bar | PCI_BASE_ADDRESS_MEM_TYPE_64, 4, 0);
	cfg_put(dev, PCI_BASE_ADDRESS_1, (u32)(bar >> 32), 4, 0);
	cfg_put(dev, PCI_SUBSYSTEM_VENDOR_ID, NVMEV_PCI_VENDOR, 2, 0);
	cfg_put(dev, PCI_SUBSYSTEM_ID, NVMEV_PCI_DEVICE, 2, 0);
	cfg_put(dev, PCI_CAPABILITY_LIST, CAP_PM, 1, 0);
	cfg_put(dev, PCI_INTERRUPT_LINE, 0, 1, 0xff);
	cfg_put(dev, PCI_INTERRUPT_PIN, 0, 1, 0);

	/* Power management: version 3, D0 only, no soft reset on D3hot->D0 */
	cfg_put(dev, CAP_PM + PCI_CAP_LIST_ID, PCI_CAP_ID_PM, 1, 0);
	cfg_put(dev, CAP_PM + PCI_CAP_LIST_NEXT, CAP_MSIX, 1, 0);
	cfg_put(dev, CAP_PM + PCI_PM_PMC, 3, 2, 0);
	cfg_put(dev, CAP_PM + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET, 2,
		PCI_PM_CTRL_STATE_MASK);

	/* MSI-X: one vector per queue, table and PBA in BAR0 */
	cfg_put(dev, CAP_MSIX + PCI_CAP_LIST_ID, PCI_CAP_ID_MSIX, 1, 0);
	cfg_put(dev, CAP_MSIX + PCI_CAP_LIST_NEXT, CAP_EXP, 1, 0);
	cfg_put(dev, CAP_MSIX + PCI_MSIX_FLAGS, NVMEV_NR_VECTORS - 1, 2,
		PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	cfg_put(dev, CAP_MSIX + PCI_MSIX_TABLE, NVMEV_MSIX_TABLE_OFF, 4, 0);
	cfg_put(dev, CAP_MSIX + PCI_MSIX_PBA, NVMEV_MSIX_PBA_OFF, 4, 0);

	/* PCI Express v2 endpoint, 256-byte payloads, Gen3 x4 link */
	cfg_put(dev, CAP_EXP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP, 1, 0);
	cfg_put(dev, CAP_EXP + PCI_CAP_LIST_NEXT, 0, 1, 0);
	cfg_put(dev, CAP_EXP + PCI_EXP_FLAGS, 2 | (PCI_EXP_TYPE_ENDPOINT << 4), 2, 0);
	cfg_put(dev, CAP_EXP + PCI_EXP_DEVCAP, 1 | PCI_EXP_DEVCAP_FLR, 4, 0);
	cfg_put(dev, CAP_EXP + PCI_EXP_DEVCTL, 0x2810, 2, 0x7fff);	/* BCR_FLR reads 0 */
	cfg_put(dev, CAP_EXP + PCI_EXP_LNKCAP, 0x43, 4, 0);
	cfg_put(dev, CAP_EXP + PCI_EXP_LNKCTL, 0, 2, 0xffff);
	cfg_put(dev, CAP_EXP + PCI_EXP_LNKSTA, 0x43, 2, 0);
	cfg_put(dev, CAP_EXP + PCI_EXP_DEVCTL2, 0, 2, 0xffff);
}

static int pick_domain(void)
{
	int d;

	for (d = NVMEV_PCI_DOMAIN_BASE; d < NVMEV_PCI_DOMAIN_BASE + 0x100; d++)
		if (!pci_find_bus(d, 0))
			return d;
	return -EBUSY;
}

int nvmev_pci_create(struct nvmev_dev *dev)
{
	LIST_HEAD(resources);
	struct pci_dev *pdev;
	struct pci_bus *bus;
	int ret;

	cfg_init(dev);
	dev->domain = pick_domain();
	if (dev->domain < 0) {
		pr_err("%s: no free PCI domain\n", dev->name);
		return dev->domain;
	}
	nvmev_sysdata_init(&dev->sysdata, dev->domain, cpu_to_node(dev->p.cpus[0]));

	dev->busn.name = dev->name;
	dev->busn.start = 0;
	dev->busn.end = 0;
	dev->busn.flags = IORESOURCE_BUS;
	pci_add_resource(&resources, &dev->busn);
	pci_add_resource(&resources, &dev->res);

	pci_lock_rescan_remove();
	bus = pci_create_root_bus(NULL, 0, &nvmev_pci_ops, &dev->sysdata, &resources);
	if (!bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&resources);
		pr_err("%s: cannot create the PCI root bus\n", dev->name);
		return -ENODEV;
	}
	dev->bus = bus;
	pci_scan_child_bus(bus);	/* nvmev_pci_notify() claims BAR0 */
	pdev = pci_get_slot(bus, 0);
	ret = !pdev ? -ENODEV : !pdev->resource[0].parent ? -EBUSY : 0;
	pci_dev_put(pdev);
	pci_unlock_rescan_remove();
	if (ret) {
		pr_err("%s: the PCI function did not show up on its bus with its BAR0 (%d)\n",
		       dev->name, ret);
		nvmev_pci_remove(dev);
	}
	return ret;
}

/*
 * Announce the function: the nvme driver probes it from here on. Make sure
 * that driver is loaded, so that a machine without other NVMe drives gets
 * one too.
 */
void nvmev_pci_add(struct nvmev_dev *dev)
{
	int ret;

	pci_lock_rescan_remove();
	pci_bus_add_devices(dev->bus);
	pci_unlock_rescan_remove();
	ret = request_module("nvme");
	if (ret)
		pr_info("%s: could not load the nvme driver (%d); load it to use the device\n",
			dev->name, ret);
}

/*
 * Unbind the host driver: it deletes its queues, shuts the controller down
 * and frees its interrupts. The caller holds the rescan/remove lock until
 * nvmev_pci_remove_locked(), so that nobody finds the function again in
 * between.
 */
void nvmev_pci_stop_locked(struct nvmev_dev *dev)
{
	if (dev->bus)
		pci_stop_root_bus(dev->bus);
}

void nvmev_pci_remove_locked(struct nvmev_dev *dev)
{
	if (!dev->bus)
		return;
	pci_stop_root_bus(dev->bus);
	pci_remove_root_bus(dev->bus);
	dev->bus = NULL;
}

void nvmev_pci_remove(struct nvmev_dev *dev)
{
	pci_lock_rescan_remove();
	nvmev_pci_remove_locked(dev);
	pci_unlock_rescan_remove();
}

/*
 * Every function that appears on one of our buses (at creation, or found
 * again by a rescan after a remove) gets its BAR0 claimed where the memory
 * is, before the PCI core tries to assign it an address of its own.
 */
static int nvmev_pci_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	int ret;

	if (action != BUS_NOTIFY_ADD_DEVICE || pdev->bus->ops != &nvmev_pci_ops)
		return NOTIFY_DONE;
	ret = pci_claim_resource(pdev, 0);
	if (ret)
		pci_err(pdev, "cannot claim BAR0 (%d)\n", ret);
	return NOTIFY_OK;
}

static struct notifier_block nvmev_pci_nb = {
	.notifier_call = nvmev_pci_notify,
};

int nvmev_pci_init(void)
{
	return bus_register_notifier(&pci_bus_type, &nvmev_pci_nb);
}

void nvmev_pci_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &nvmev_pci_nb);
}
