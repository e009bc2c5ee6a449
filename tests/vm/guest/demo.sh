# SPDX-License-Identifier: GPL-2.0-only
# Guest side of tests/vm/demo: load nvmev with its defaults and show it off.
. /vmtest/guest/lib.sh
dmesg -n 1
say() { printf '\n== %s\n' "$*"; }
ok=1

say "guest: Linux $(uname -r), $(nproc) CPUs, memmap reservation:"
grep -i -B1 -A1 '^40000000-4fffffff' /proc/iomem
modprobe nvme
if is_control; then
	say "VM_CONTROL=$VM_CONTROL: using QEMU's emulated NVMe, not nvmev"
else
	say "modprobe nvmev $NVMEV_ARGS"
	modprobe nvmev $NVMEV_ARGS || ok=0
fi
wait_ns 30 || ok=0
dmesg | grep -E 'nvmev|nvme nvme' | grep -v 'ommand line' | sed 's/^/  /'
say "/proc/iomem: the reservation and what claims it"
awk '/^40000000-4fffffff /{ on = 1; print; next } on && /^ /{ print; next } { on = 0 }' /proc/iomem

say "lspci -nn | grep 0108"
lspci -nn | grep '0108' || ok=0

say "nvme list"
nvme list || ok=0

say "nvme id-ctrl /dev/nvme0 | head -n 25"
nvme id-ctrl "$CTRL" | head -n 25

say "nvme id-ns /dev/nvme0n1 (size, formats)"
nvme id-ns "$NS" | grep -E '^(nsze|ncap|nuse|flbas|lbaf)'

say "fio: 4k random read/write, 70/30, queue depth 16, 10 s"
fio --name=demo --filename="$NS" --ioengine=libaio --direct=1 --rw=randrw --rwmixread=70 \
	--bs=4k --iodepth=16 --runtime=10 --time_based --eta=never --group_reporting || ok=0

say "nvme smart-log /dev/nvme0"
nvme smart-log "$CTRL" | grep -i -E 'data units|host_(read|write)_commands|temperature'

if [ $ok = 1 ]; then echo "DEMO-RESULT: OK"; else echo "DEMO-RESULT: FAILED"; fi
