# SPDX-License-Identifier: GPL-2.0-only
# 15-fabrics: an nvmev namespace exported over NVMe-oF with the kernel's
# NVMe target (nvmet, TCP transport on the loopback address) and connected
# to with nvme-cli in the same guest: the fabric namespace has the size of
# the local one, fio writes and verifies through the fabric, the data is on
# the local namespace, disconnect and unload clean.
# vm-requires: nvmev
# vm-timeout: 300
. /vmtest/guest/lib.sh

CFG=/sys/kernel/config/nvmet
SUB=nqn.2026-12.org.nvmevirt:fabrics-test
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:6e766d65-7669-7274-0000-000000000001
FNS=/dev/nvme1n1

check load dev_load
ip link set lo up
ip addr add 127.0.0.1/8 dev lo 2>/dev/null
check target-modules modprobe -a nvmet nvmet-tcp nvme-tcp
[ -d $CFG ] || mount -t configfs configfs /sys/kernel/config

# the target: one subsystem with the nvmev namespace, one TCP port
export_ns() {
	mkdir $CFG/subsystems/$SUB &&
		echo 1 >$CFG/subsystems/$SUB/attr_allow_any_host &&
		mkdir $CFG/subsystems/$SUB/namespaces/1 &&
		printf '%s' "$NS" >$CFG/subsystems/$SUB/namespaces/1/device_path &&
		echo 1 >$CFG/subsystems/$SUB/namespaces/1/enable &&
		mkdir $CFG/ports/1 &&
		echo tcp >$CFG/ports/1/addr_trtype &&
		echo ipv4 >$CFG/ports/1/addr_adrfam &&
		echo 127.0.0.1 >$CFG/ports/1/addr_traddr &&
		echo 4420 >$CFG/ports/1/addr_trsvcid &&
		ln -s $CFG/subsystems/$SUB $CFG/ports/1/subsystems/$SUB
}
check export export_ns
check connect nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $SUB --hostnqn=$HOSTNQN
check fabric-ns-appears wait_ns 30 $FNS
nvme list 2>&1 | head -5
expect fabric-size "$(cat /sys/class/block/nvme0n1/size)" "$(cat /sys/class/block/nvme1n1/size 2>/dev/null)"
expect fabric-transport tcp "$(cat /sys/class/nvme/nvme1/transport 2>/dev/null)"
expect fabric-subsysnqn $SUB "$(cat /sys/class/nvme/nvme1/subsysnqn 2>/dev/null)"

check fio-verify-over-fabric fio --name=fabric --filename=$FNS --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=8 --size=16M --verify=crc32c --do_verify=1 \
	--verify_fatal=1 --output=/tmp/fio.out
grep -E 'write:|READ:|WRITE:|err=' /tmp/fio.out | head -4
# what the fabric wrote is on the local namespace
dd if=/dev/urandom of=/tmp/f.w bs=4096 count=64 2>/dev/null
dd if=/tmp/f.w of=$FNS bs=4096 seek=2000 count=64 oflag=direct conv=fsync 2>/dev/null
check fabric-data-local sh -c "dd if=$NS bs=4096 skip=2000 count=64 iflag=direct 2>/dev/null | cmp - /tmp/f.w"

check disconnect nvme disconnect -n $SUB
wait_gone 30 $FNS
unexport() {
	rm $CFG/ports/1/subsystems/$SUB &&
		rmdir $CFG/ports/1 &&
		echo 0 >$CFG/subsystems/$SUB/namespaces/1/enable &&
		rmdir $CFG/subsystems/$SUB/namespaces/1 &&
		rmdir $CFG/subsystems/$SUB
}
check unexport unexport
check target-unload modprobe -r nvme-tcp nvmet-tcp nvmet
check unload dev_unload
