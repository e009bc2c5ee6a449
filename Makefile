# SPDX-License-Identifier: GPL-2.0-only
# Top-level Makefile of nvmevirt.
#
#   make                      build src/nvmev.ko for the running kernel
#   make KVER=6.1.0-56-amd64  build for an installed header set
#   make KDIR=/path/to/build  build against any kernel build tree
#   make unit                 run the user-space unit tests (ASan + UBSan)
#   make fuzz                 fuzz the model for FUZZ_SECONDS (600) seconds (tests/fuzz)
#   make test                 run every test suite (unit tests and the QEMU suite)
#   make demo                 boot a VM, load nvmev and show it working
#   make bench                benchmarks: nvmev next to null_blk and brd (bench/)
#   make deb / make rpm       the nvmevirt-dkms packages (tools/build-packages)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell cat $(CURDIR)/VERSION)

.PHONY: all modules clean unit fuzz test vmtest demo bench deb rpm pkgtest

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src NVMEV_VERSION=$(VERSION) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src clean 2>/dev/null || true
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
