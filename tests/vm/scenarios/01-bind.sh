# SPDX-License-Identifier: GPL-2.0-only
# 01-bind: nvmev loads on the memmap= reservation, the stock nvme driver binds
# and the controller answers the basic admin commands sanely.
# vm-timeout: 240
. /vmtest/guest/lib.sh

log "memmap reservation"
if grep -q 'memmap=256M\$1G' /proc/cmdline && grep -qi '^40000000-4fffffff : reserved' /proc/iomem; then
	pass memmap-reserved
else
	fail memmap-reserved "no 40000000-4fffffff reserved range (cmdline: $(cat /proc/cmdline))"
fi

log "load"
if is_control; then
	echo "VM_CONTROL=$VM_CONTROL: QEMU's NVMe, nvmev not loaded"
else
	check modprobe-nvmev modprobe nvmev $NVMEV_ARGS
	if mod_loaded nvmev; then pass module-listed; else fail module-listed "nvmev not in /proc/modules"; fi
	if grep -q ' : nvmev' /proc/iomem; then pass iomem-claimed; else fail iomem-claimed "no nvmev range in /proc/iomem"; fi
	grep -i -B1 nvmev /proc/iomem
	dmesg | grep -i nvmev | tail -n 20
fi
if ! is_control; then
	# nvmev loads the driver for its function by modalias, as udev would
	if mod_loaded nvme; then pass driver-autoloaded; else fail driver-autoloaded "nvme not loaded by nvmev"; fi
fi
check driver-loaded modprobe nvme
check namespace-appears wait_ns 30
[ -b "$NS" ] || { fail namespace "no $NS, giving up"; exit 1; }

log "PCI"
lspci -nn
if lspci -n | grep -q ' 0108: '; then pass lspci-class-0108; else fail lspci-class-0108 "no class 0108 function in lspci -n"; fi
bdf=$(ctrl_bdf)
echo "controller at $bdf"
if [ -n "$bdf" ] && [ -e "/sys/bus/pci/devices/$bdf" ]; then
	cls=$(cat "/sys/bus/pci/devices/$bdf/class")
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/driver")")
	echo "sysfs: vendor=$(cat "/sys/bus/pci/devices/$bdf/vendor") device=$(cat "/sys/bus/pci/devices/$bdf/device") class=$cls driver=$drv"
	case $cls in 0x0108*) pass sysfs-class ;; *) fail sysfs-class "class $cls" ;; esac
	expect sysfs-driver nvme "$drv" "driver bound to $bdf"
else
	fail sysfs-device "no /sys/bus/pci/devices entry behind /sys/class/nvme/nvme0"
fi

log "nvme list"
nvme list
if nvme list -o json | grep -q "\"DevicePath\" *: *\"$NS\""; then pass nvme-list; else fail nvme-list "$NS not in nvme list"; fi

log "id-ctrl"
nvme id-ctrl "$CTRL" >/tmp/idctrl.txt && nvme id-ctrl "$CTRL" -o json >/tmp/idctrl.json
check id-ctrl test -s /tmp/idctrl.json
head -n 16 /tmp/idctrl.txt
vid=$(json_val vid </tmp/idctrl.json)
sn=$(json_val sn </tmp/idctrl.json | tr -d ' ')
mn=$(json_val mn </tmp/idctrl.json | tr -d ' ')
mdts=$(json_val mdts </tmp/idctrl.json)
nn=$(json_val nn </tmp/idctrl.json)
ver=$(json_val ver </tmp/idctrl.json)
echo "vid=$vid sn='$sn' mn='$mn' mdts=$mdts nn=$nn ver=$ver"
if [ -n "$vid" ] && [ "$vid" -ne 0 ]; then pass id-ctrl-vid; else fail id-ctrl-vid "vid '$vid'"; fi
if [ -n "$sn" ]; then pass id-ctrl-sn; else fail id-ctrl-sn "empty serial number"; fi
if [ -n "$mn" ]; then pass id-ctrl-mn; else fail id-ctrl-mn "empty model number"; fi
# MDTS 0 means "no limit"; anything below 12 (16 MiB with 4K pages) is sane
if [ -n "$mdts" ] && [ "$mdts" -le 12 ]; then pass id-ctrl-mdts; else fail id-ctrl-mdts "mdts '$mdts'"; fi
if [ -n "$nn" ] && [ "$nn" -ge 1 ]; then pass id-ctrl-nn; else fail id-ctrl-nn "nn '$nn'"; fi
if [ -n "$ver" ] && [ "$ver" -ge $((0x10400)) ]; then pass id-ctrl-ver; else fail id-ctrl-ver "ver '$ver' < 0x10400"; fi

log "id-ns"
nvme id-ns "$NS" >/tmp/idns.txt
check id-ns test -s /tmp/idns.txt
head -n 8 /tmp/idns.txt
grep '^lbaf' /tmp/idns.txt
nsze=$(nvme id-ns "$NS" -o json | json_val nsze)
if [ -n "$nsze" ] && [ "$nsze" -gt 0 ]; then pass id-ns-nsze; else fail id-ns-nsze "nsze '$nsze'"; fi
inuse=$(grep '^lbaf.*in use' /tmp/idns.txt)
if [ -n "$inuse" ]; then pass id-ns-lbaf-in-use; else fail id-ns-lbaf-in-use "no LBA format marked in use"; fi
lbads=$(echo "$inuse" | sed -n 's/.*lbads:\([0-9]*\).*/\1/p')
lbs=$(cat /sys/block/nvme0n1/queue/logical_block_size)
expect id-ns-lbads-matches-kernel "$lbs" "$((1 << ${lbads:-0}))" "logical block size"
bytes=$(($(cat /sys/block/nvme0n1/size) * 512))
expect id-ns-size-matches-kernel "$bytes" "$((nsze * lbs))" "namespace bytes (kernel vs nsze*lbs)"

log "logs and features"
check smart-log nvme smart-log "$CTRL"
check error-log nvme error-log "$CTRL" -e 4
nvme get-feature "$CTRL" -f 7 -H >/tmp/feat7.txt 2>&1
rc=$?
cat /tmp/feat7.txt
if [ $rc = 0 ] && grep -q 'Current value:0x' /tmp/feat7.txt; then pass get-feature-nqueues; else fail get-feature-nqueues "rc=$rc"; fi
nq=$(sed -n 's/.*Current value:\(0x[0-9a-fA-F]*\).*/\1/p' /tmp/feat7.txt | head -1)
nqueues=$(ls -d /sys/block/nvme0n1/mq/* 2>/dev/null | wc -l)
echo "feature 7 = $nq, blk-mq hardware queues: $nqueues"
if [ -n "$nq" ] && [ $(((nq & 0xffff) + 1)) -ge "$nqueues" ] && [ $(((nq >> 16) + 1)) -ge "$nqueues" ]; then
	pass nqueues-cover-blk-mq
else
	fail nqueues-cover-blk-mq "feature 7 '$nq' vs $nqueues hardware queues"
fi
nvme list-ns "$CTRL"
nsl=$(nvme list-ns "$CTRL" -o json | grep -c '"nsid"')
expect list-ns-one "1" "$nsl" "active namespaces"

log "small I/O"
io_smoke io-smoke
