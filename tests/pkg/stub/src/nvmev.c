// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-in for the real nvmev module in the package tests, used only while
 * src/ does not build yet: same name and parameters, creates no device.
 * It lets the packaging (DKMS builds, unit conditions, remove and purge)
 * be tested; the checks that need a device are skipped in that mode.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *memmap_start = "";
static char *memmap_size = "";
static char *cpus = "";
static char *type = "nvm";
static unsigned int read_latency_ns, write_latency_ns, bandwidth_mbps;
static unsigned int parallel_units, lba_size = 512;
module_param(memmap_start, charp, 0444);
module_param(memmap_size, charp, 0444);
module_param(cpus, charp, 0444);
module_param(type, charp, 0444);
module_param(read_latency_ns, uint, 0444);
module_param(write_latency_ns, uint, 0444);
module_param(bandwidth_mbps, uint, 0444);
module_param(parallel_units, uint, 0444);
module_param(lba_size, uint, 0444);

static int __init nvmev_stub_init(void)
{
	pr_info("nvmev: stub loaded start=%s size=%s cpus=%s type=%s\n",
		memmap_start, memmap_size, cpus, type);
	return 0;
}

static void __exit nvmev_stub_exit(void)
{
	pr_info("nvmev: stub unloaded\n");
}

module_init(nvmev_stub_init);
module_exit(nvmev_stub_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION("stub");
MODULE_DESCRIPTION("nvmev test stub");
