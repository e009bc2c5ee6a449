# SPDX-License-Identifier: GPL-2.0-only
# 10-nsmgmt: namespace management and attachment with nvme-cli: the default
# namespace deleted, two created (512 B and 4 KiB blocks), attached (their
# block devices appear at once), data on each, detached (gone), deleted;
# every status of a misuse; the I/O command set combinations (CNS 1Ch).
# vm-timeout: 300
# vm-requires: nvmev
. /vmtest/guest/lib.sh

check load dev_load
[ -b "$NS" ] || exit 1
nvme id-ctrl "$CTRL" -o json >/tmp/idctrl.json
cntlid=$(json_val cntlid </tmp/idctrl.json)
expect nn 16 "$(json_val nn </tmp/idctrl.json)"
oacs=$(json_val oacs </tmp/idctrl.json)
expect oacs-ns-mgmt 8 $((oacs & 8))
tnvmcap=$(json_val tnvmcap </tmp/idctrl.json)
expect unvmcap-full 0 "$(json_val unvmcap </tmp/idctrl.json)"
echo "cntlid=$cntlid tnvmcap=$tnvmcap"
out=$(nvme id-iocs "$CTRL" 2>&1)
echo "$out"
# the NVM (bit 0) and Key Value (bit 1) command sets
if echo "$out" | grep -q 'Combination\[0\]:7$'; then pass id-iocs-nvm-kv-zns; else fail id-iocs-nvm-kv-zns "$out"; fi
expect list-ns-allocated "[   0]:0x1" "$(nvme list-ns "$CTRL" --all | head -1)"

log "delete the default namespace"
check delete-ns-1 nvme delete-ns "$CTRL" -n 1
check ns1-gone wait_gone 30 /dev/nvme0n1
expect list-ns-empty "" "$(nvme list-ns "$CTRL" --all)"
expect unvmcap-all "$tnvmcap" "$(nvme id-ctrl "$CTRL" -o json | json_val unvmcap)"

log "create two namespaces"
# whole MiB: namespaces take whole 1 MiB granules of the storage
half=$((tnvmcap / 2 / 1048576 * 1048576))
out=$(nvme create-ns "$CTRL" --nsze=$((half / 512)) --ncap=$((half / 512)) --flbas=0 --csi=0 2>&1)
echo "$out"
expect create-512 "create-ns: Success, created nsid:1" "$out"
q=$((half / 2 / 1048576 * 1048576))
out=$(nvme create-ns "$CTRL" --nsze=$((q / 4096)) --ncap=$((q / 4096)) --flbas=1 --csi=0 2>&1)
echo "$out"
expect create-4k "create-ns: Success, created nsid:2" "$out"
expect unvmcap-left $((tnvmcap - half - q)) "$(nvme id-ctrl "$CTRL" -o json | json_val unvmcap)"
if [ ! -e /dev/nvme0n1 ] && [ ! -e /dev/nvme0n2 ]; then pass created-not-attached; else fail created-not-attached "$(ls /dev/nvme0n*)"; fi

log "attach: the block devices appear"
check attach-1 nvme attach-ns "$CTRL" -n 1 -c "$cntlid"
check attach-2 nvme attach-ns "$CTRL" -n 2 -c "$cntlid"
check ns1-appears wait_ns 30 /dev/nvme0n1
check ns2-appears wait_ns 30 /dev/nvme0n2
expect ns1-lbs 512 "$(cat /sys/block/nvme0n1/queue/logical_block_size)"
expect ns2-lbs 4096 "$(cat /sys/block/nvme0n2/queue/logical_block_size)"
expect ns1-size $((half / 512)) "$(cat /sys/block/nvme0n1/size)"
expect ns2-size $((q / 512)) "$(cat /sys/block/nvme0n2/size)"
u1=$(nvme ns-descs /dev/nvme0n1 -o json | json_val uuid)
u2=$(nvme ns-descs /dev/nvme0n2 -o json | json_val uuid)
echo "uuid1=$u1 uuid2=$u2"
if [ -n "$u1" ] && [ "$u1" != "$u2" ]; then pass uuids-differ; else fail uuids-differ "$u1 / $u2"; fi

log "data on each, independent"
head -c 4194304 /dev/urandom >/tmp/a
head -c 4194304 /dev/urandom >/tmp/b
check write-1 dd if=/tmp/a of=/dev/nvme0n1 bs=1M oflag=direct conv=fsync
check write-2 dd if=/tmp/b of=/dev/nvme0n2 bs=1M oflag=direct conv=fsync
check read-1 cmp -n 4194304 /tmp/a /dev/nvme0n1
check read-2 cmp -n 4194304 /tmp/b /dev/nvme0n2
check fio-2 fio --name=v --filename=/dev/nvme0n2 --direct=1 --rw=randwrite --bs=4k --size=8M \
	--verify=crc32c --iodepth=16 --ioengine=libaio --output-format=terse

log "misuse gets its status"
st() { _n=$1 _w=$2; shift 2; echo "+ $*"; expect "$_n" "$_w" "$(nvme_sc "$@")" "NVMe status"; }
st create-too-big 0x115 nvme create-ns "$CTRL" --nsze=$((tnvmcap / 512)) --ncap=$((tnvmcap / 512)) --flbas=0
st create-thin 0x2 nvme create-ns "$CTRL" --nsze=16 --ncap=8 --flbas=0
st create-bad-format 0x10a nvme create-ns "$CTRL" --nsze=16 --ncap=16 --flbas=5
st create-zns-unsupported 0x29 nvme create-ns "$CTRL" --nsze=16 --ncap=16 --flbas=0 --csi=2
st attach-again 0x118 nvme attach-ns "$CTRL" -n 1 -c "$cntlid"
st attach-other-ctrl 0x11c nvme attach-ns "$CTRL" -n 1 -c $((cntlid + 1))
st attach-unallocated 0xb nvme attach-ns "$CTRL" -n 9 -c "$cntlid"
st delete-unallocated 0xb nvme delete-ns "$CTRL" -n 9
check still-works cmp -n 4194304 /tmp/a /dev/nvme0n1

log "detach and delete"
check detach-2 nvme detach-ns "$CTRL" -n 2 -c "$cntlid"
check ns2-gone wait_gone 30 /dev/nvme0n2
st detach-again 0x11a nvme detach-ns "$CTRL" -n 2 -c "$cntlid"
check delete-2 nvme delete-ns "$CTRL" -n 2
expect list-ns-after "[   0]:0x1" "$(nvme list-ns "$CTRL" --all)"
# NSID 1 stays attached while NSID 2's deletion happened
check ns1-kept cmp -n 4194304 /tmp/a /dev/nvme0n1
check delete-all nvme delete-ns "$CTRL" -n 0xffffffff
check ns1-gone-again wait_gone 30 /dev/nvme0n1
check unload dev_unload
