# SPDX-License-Identifier: GPL-2.0-only
# Top-level Makefile of nvmevirt.
#
#   make                      build src/nvmev.ko for the running kernel
#   make KVER=6.1.0-56-amd64  build for an installed header set
#   make KDIR=/path/to/build  build against any kernel build tree
#   make modules_clean        remove src/'s build products only (dkms.conf CLEAN)
#   make unit                 run the user-space unit tests (ASan + UBSan)
#   make fuzz                 fuzz the model for FUZZ_SECONDS (600) seconds (tests/fuzz)
#   make test                 run every test suite (unit tests and the QEMU suite)
#   make demo                 boot a VM, load nvmev and show it working
#   make bench                benchmarks: nvmev next to null_blk and brd (bench/)
#   make deb / make rpm       the nvmevirt-dkms packages (tools/build-packages)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell cat $(CURDIR)/VERSION)

.PHONY: all modules modules_clean clean unit fuzz test vmtest demo bench deb rpm pkgtest

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src NVMEV_VERSION=$(VERSION) modules

# What dkms.conf's CLEAN runs in the DKMS build directory, which holds
# Makefile, VERSION and src/ only: kbuild's clean of src/ with the kernel
# DKMS names (KVER/KDIR as MAKE[0] passes them); without that kernel's
# build tree, the same products are removed directly.  Never tests/.
MODULE_PRODUCTS := -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name '.*.d' -o -name '*.order' -o -name Module.symvers -o -name '*.a'
modules_clean:
	if [ -f $(KDIR)/Makefile ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean; \
	else \
		find $(CURDIR)/src \( $(MODULE_PRODUCTS) \) -type f -delete; \
	fi

clean: modules_clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean

unit:
	$(MAKE) -C tests/unit run

FUZZ_SECONDS ?= 600
fuzz:
	$(MAKE) -C tests/fuzz fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

vmtest:
	tests/vm/run

test:
	tests/run-all

demo:
	tests/vm/demo

bench:
	bench/run

deb:
	tools/build-packages deb

rpm:
	tools/build-packages rpm

pkgtest:
	tests/pkg/run
