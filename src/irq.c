// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt delivery. The host driver programs MSI-X through the PCI core
 * as for any device; the emulator raises a vector by asking the interrupt
 * chip that backs the vector's Linux IRQ to retrigger it. On x86 the
 * hierarchy ends in the vector domain, which sends the vector to the CPU
 * the IRQ is affine to, exactly as a delivered MSI would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/pci.h>

#include "nvmev.h"

/* Called from config space writes (under the PCI config lock): never sleeps. */
void nvmev_irq_msix_changed(struct nvmev_dev *dev)
{
	WRITE_ONCE(dev->msix_gen, dev->msix_gen + 1);
}

/*
 * Linux IRQ number of @vector, cached until MSI-X is switched off or on
 * again. pci_irq_vector() may take a mutex, so only the thread that raises
 * interrupts calls it, and only once per vector and generation.
 */
static int vector_to_irq(struct nvmev_dev *dev, u16 vector)
{
	u32 gen = READ_ONCE(dev->msix_gen);
	u64 cached = READ_ONCE(dev->virq_cache[vector]);
	int irq;

	if ((u32)(cached >> 32) == gen + 1 && (u32)cached)
		return (int)(u32)cached;
	irq = pci_irq_vector(dev->pdev, vector);
	if (irq > 0)
		WRITE_ONCE(dev->virq_cache[vector], ((u64)(gen + 1) << 32) | (u32)irq);
	return irq;
}

void nvmev_irq_raise(struct nvmev_dev *dev, u16 vector)
{
	struct pci_dev *pdev = dev->pdev;
	struct irq_data *d;
	int irq;

	if (!pdev || !pdev->msix_enabled || vector >= NVMEV_NR_VECTORS)
		return;
	irq = vector_to_irq(dev, vector);
	if (irq <= 0)
		return;
	d = irq_get_irq_data(irq);
	if (d && d->chip && d->chip->irq_retrigger)
		d->chip->irq_retrigger(d);
}
