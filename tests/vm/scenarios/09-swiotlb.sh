# SPDX-License-Identifier: GPL-2.0-only
# 09-swiotlb: with swiotlb=force every DMA buffer of the nvme driver is a
# swiotlb bounce buffer: reserved RAM that the kernel maps. The device must
# read and write it (a write/read-back and a fio verify), and its queues
# work from there too.
# vm-requires: nvmev
# vm-append: swiotlb=force
# vm-timeout: 240
. /vmtest/guest/lib.sh

dmesg | grep -i -m3 'swiotlb\|software io tlb'
check load dev_load
io_smoke io-through-bounce-buffers
check fio-verify fio --name=bounce --filename="$NS" --ioengine=libaio --direct=1 --rw=randwrite \
	--bs=64k --iodepth=8 --size=32M --verify=crc32c --do_verify=1 --verify_fatal=1 --eta=never
expect no-transfer-errors 0 "$(cat /sys/kernel/nvmev/nvmev0/stats/errors)" "commands failed by the device"
check unload dev_unload
