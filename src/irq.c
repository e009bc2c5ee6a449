// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt delivery. The host driver programs MSI-X through the PCI core
 * as for any device; the emulator raises a vector by asking the interrupt
 * chip that backs the vector's Linux IRQ to retrigger it. On x86 the
 * hierarchy ends in the vector domain, which sends the vector to the CPU
 * the IRQ is affine to, exactly as a delivered MSI would.
 *
 * What the host wrote decides whether a vector may fire, as on a real
 * function: MSI-X Enable and Function Mask in config space, the vector's
 * mask bit in the MSI-X table, and Bus Master Enable (an MSI is a memory
 * write). A vector raised while masked sets its pending bit (in the PBA
 * too) and fires when the host unmasks it.
 *
 * The host driver may switch MSI-X off and free its IRQs at any moment. The
 * config write that clears MSI-X Enable (or sets Function Mask) waits for
 * raisers already past the gate, and no raiser passes the gate afterwards,
 * so an IRQ number is never used after the driver started to free it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/pci.h>

#include "nvmev.h"

#define MSIX_ENTRY_SIZE		16
#define MSIX_VECTOR_CTRL	12
#define MSIX_CTRL_MASKBIT	1u

/*
 * Called from config space writes (under the PCI config lock, interrupts
 * off): never sleeps. @live: MSI-X is enabled and not function-masked.
 */
void nvmev_irq_msix_changed(struct nvmev_dev *dev, bool live)
{
	if (live == READ_ONCE(dev->msix_live))
		return;
	WRITE_ONCE(dev->msix_live, live);
	WRITE_ONCE(dev->msix_gen, dev->msix_gen + 1);
	smp_mb();	/* the gate, before the raisers are counted */
	while (atomic_read(&dev->irq_raisers))
		cpu_relax();
	if (live)
		WRITE_ONCE(dev->irq_check_pending, 1);	/* unmasked: pending ones fire */
}

static bool vector_masked(struct nvmev_dev *dev, u16 vector)
{
	const u32 *ctrl = dev->bar + NVMEV_MSIX_TABLE_OFF + vector * MSIX_ENTRY_SIZE +
			  MSIX_VECTOR_CTRL;

	return READ_ONCE(*ctrl) & MSIX_CTRL_MASKBIT;
}

static void set_pending(struct nvmev_dev *dev, u16 vector)
{
	u32 *pba = dev->bar + NVMEV_MSIX_PBA_OFF;

	if (!test_and_set_bit(vector, dev->irq_pending)) {
		WRITE_ONCE(pba[vector / 32], READ_ONCE(pba[vector / 32]) | (1u << (vector % 32)));
		WRITE_ONCE(dev->irq_check_pending, 1);
	}
}

/*
 * Linux IRQ number of @vector, cached per MSI-X generation. Sleeps (the PCI
 * core's locks), so it is called outside the gate, from the threads only;
 * the gate checks that the generation did not change meanwhile.
 */
static int vector_to_irq(struct nvmev_dev *dev, u16 vector, u32 gen)
{
	u64 cached = READ_ONCE(dev->virq_cache[vector]);
	struct pci_dev *pdev;
	int irq;

	if ((u32)(cached >> 32) == gen + 1 && (u32)cached)
		return (int)(u32)cached;
	/* the function on our bus now (it may have been removed and found again) */
	pdev = pci_get_slot(dev->bus, 0);
	if (!pdev)
		return -ENODEV;
	irq = pdev->msix_enabled ? pci_irq_vector(pdev, vector) : -EINVAL;
	pci_dev_put(pdev);
	if (irq > 0)
		WRITE_ONCE(dev->virq_cache[vector], ((u64)(gen + 1) << 32) | (u32)irq);
	return irq;
}

static void fire(struct nvmev_dev *dev, u16 vector)
{
	u32 gen = READ_ONCE(dev->msix_gen);
	struct irq_data *d;
	int irq;

	if (!READ_ONCE(dev->msix_live))
		return;
	irq = vector_to_irq(dev, vector, gen);
	if (irq <= 0)
		return;

	atomic_inc(&dev->irq_raisers);
	smp_mb__after_atomic();	/* counted, before the gate is read */
	if (READ_ONCE(dev->msix_live) && READ_ONCE(dev->msix_gen) == gen) {
		d = irq_get_irq_data(irq);
		if (d && d->chip && d->chip->irq_retrigger)
			d->chip->irq_retrigger(d);
	}
	atomic_dec(&dev->irq_raisers);
}

void nvmev_irq_raise(struct nvmev_dev *dev, u16 vector)
{
	if (vector >= NVMEV_NR_VECTORS)
		return;
	/* owed, but not sendable now: it fires once the host allows it */
	if (!nvmev_pci_bus_master(dev) || !READ_ONCE(dev->msix_live) ||
	    vector_masked(dev, vector)) {
		set_pending(dev, vector);
		return;
	}
	fire(dev, vector);
}

/*
 * Dispatcher: fire the pending vectors that the host has unmasked since.
 * Runs only after a vector went pending or MSI-X was unmasked.
 */
void nvmev_irq_poll_pending(struct nvmev_dev *dev)
{
	u32 *pba = dev->bar + NVMEV_MSIX_PBA_OFF;
	bool left = false;
	unsigned int v;

	if (!READ_ONCE(dev->irq_check_pending))
		return;
	WRITE_ONCE(dev->irq_check_pending, 0);
	smp_mb();	/* cleared, before the bits are looked at */
	for_each_set_bit(v, dev->irq_pending, NVMEV_NR_VECTORS) {
		if (!READ_ONCE(dev->msix_live) || vector_masked(dev, v) ||
		    !nvmev_pci_bus_master(dev)) {
			left = true;
			continue;
		}
		if (!test_and_clear_bit(v, dev->irq_pending))
			continue;
		WRITE_ONCE(pba[v / 32], READ_ONCE(pba[v / 32]) & ~(1u << (v % 32)));
		fire(dev, (u16)v);
	}
	/* masked ones wait for the unmask, which the host writes into the table */
	if (left)
		WRITE_ONCE(dev->irq_check_pending, 1);
}

/* Reset state (creation, Function Level Reset): every vector masked, none pending. */
void nvmev_irq_reset(struct nvmev_dev *dev)
{
	unsigned int v;

	bitmap_zero(dev->irq_pending, NVMEV_NR_VECTORS);
	memset(dev->bar + NVMEV_MSIX_PBA_OFF, 0, DIV_ROUND_UP(NVMEV_NR_VECTORS, 32) * 4);
	memset(dev->bar + NVMEV_MSIX_TABLE_OFF, 0, NVMEV_NR_VECTORS * MSIX_ENTRY_SIZE);
	for (v = 0; v < NVMEV_NR_VECTORS; v++)
		WRITE_ONCE(*(u32 *)(dev->bar + NVMEV_MSIX_TABLE_OFF + v * MSIX_ENTRY_SIZE +
				    MSIX_VECTOR_CTRL), MSIX_CTRL_MASKBIT);
}
