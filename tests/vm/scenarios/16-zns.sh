# SPDX-License-Identifier: GPL-2.0-only
# 16-zns: a zoned namespace (type=zns, the NVMe Zoned Namespace Command
# Set). The block layer sees a host-managed zoned disk of the configured
# zone size, count and open/active limits; blkzone reports, opens, closes,
# finishes and resets zones; nvme-cli's zns plugin shows the Identify
# structures, reports zones, appends (the LBA comes back) and manages
# zones; one open zone too many gets Too Many Open Zones through
# passthrough; fio --zonemode=zbd writes and verifies every zone at QD 1
# and QD 8 (mq-deadline); btrfs makes, mounts, writes, scrubs and checks a
# zoned file system; zone states, write pointers and data travel in the
# device's image; a namespace too small for one zone is refused with the
# minimum; faults injected through sysfs turn zones read only and offline;
# and an f2fs zoned file system on a ZNS namespace has an NVM
# namespace of the same controller as its regular device.
# vm-requires: nvmev
# vm-timeout: 900
. /vmtest/guest/lib.sh

NS=/dev/nvme0n1
Z=16384			# sectors of an 8 MiB zone
ZL=2048			# its 4 KiB blocks
ARGS="memmap_start=1G memmap_size=256M cpus=1,2 poll_mode=lowcpu type=zns zone_size=8 lba_size=4096
	max_active_zones=16"
Q=/sys/block/nvme0n1/queue

# zcond N: the condition of zone N as blkzone reports it (em, oi, oe, cl, fu, ...)
zcond() {
	blkzone report -o $(($1 * Z)) -c 1 $NS | sed -n 's/.*zcond: *[0-9]*(\([a-z]*\)).*/\1/p'
}
# zwp N: zone N's write pointer, in sectors from its start
zwp() {
	_v=$(blkzone report -o $(($1 * Z)) -c 1 $NS | sed -n 's/.*wptr \(0x[0-9a-f]*\).*/\1/p')
	_v=$((${_v:-0x7fffffff}))
	[ "$1" -gt 0 ] && [ $_v -ge $(($1 * Z)) ] && _v=$((_v - $1 * Z))
	echo $_v
}
# sc NAME WANT CMD...: the command's NVMe status (or ok) is WANT
sc() {
	_n=$1 _want=$2
	shift 2
	expect "$_n" "$_want" "$(nvme_sc "$@")"
}

log "refused: too small for one zone"
modprobe nvme
kmsg_mark small
if modprobe nvmev memmap_start=1G memmap_size=8M cpus=1,2 type=zns zone_size=16 2>/dev/null; then
	fail small-refused "loaded"
	rmmod nvmev
elif dmesg_since small | grep -q 'namespace 1: size: 7340032 bytes is too small for a zns namespace with these tunables: it needs at least 16785408 bytes (17 MiB)'; then
	pass small-refused
else
	fail small-refused "$(dmesg_since small | tail -3)"
fi
kmsg_mark badzone
if modprobe nvmev memmap_start=1G memmap_size=64M cpus=1,2 type=zns zone_size=3 2>/dev/null; then
	fail zone-size-pow2-refused "loaded"
	rmmod nvmev
elif dmesg_since badzone | grep -q 'zns tunables do not fit together: zone_size is not a power of two'; then
	pass zone-size-pow2-refused
else
	fail zone-size-pow2-refused "$(dmesg_since badzone | tail -3)"
fi

kmsg_mark foreign
if modprobe nvmev memmap_start=1G memmap_size=64M cpus=1,2 type=nvm zone_size=8 2>/dev/null; then
	fail foreign-tunable-refused "loaded"
	rmmod nvmev
elif dmesg_since foreign | grep -q 'zone_size: is a tunable of type zns, not of type nvm'; then
	pass foreign-tunable-refused
else
	fail foreign-tunable-refused "$(dmesg_since foreign | tail -3)"
fi

log "the zoned block device"
# shellcheck disable=SC2086
check load modprobe nvmev $ARGS
check ns-appears wait_ns 30
dmesg | grep -i 'nvme0' | tail -5
expect sysfs-zoned host-managed "$(cat $Q/zoned 2>/dev/null)"
expect sysfs-chunk-sectors $Z "$(cat $Q/chunk_sectors 2>/dev/null)"
expect sysfs-nr-zones 31 "$(cat /sys/block/nvme0n1/queue/nr_zones 2>/dev/null)"
expect sysfs-max-open 14 "$(cat $Q/max_open_zones 2>/dev/null)"
expect sysfs-max-active 16 "$(cat $Q/max_active_zones 2>/dev/null)"
expect sysfs-size $((31 * Z)) "$(cat /sys/block/nvme0n1/size)"
expect sysfs-append-max $((2048 * 1024)) "$(cat $Q/zone_append_max_bytes 2>/dev/null)"
expect sysfs-lbs 4096 "$(cat $Q/logical_block_size)"

log "blkzone"
blkzone report $NS >/tmp/rep 2>&1
head -3 /tmp/rep
expect blkzone-report-zones 31 "$(grep -c 'start:' /tmp/rep)"
expect blkzone-report-empty 31 "$(grep -c '(em)' /tmp/rep)"
last=$(tail -1 /tmp/rep | sed -n 's/.*start: \(0x[0-9a-f]*\),.*/\1/p')
expect blkzone-report-last $((30 * Z)) "$((${last:-0}))"
dd if=/dev/urandom of=/tmp/w1 bs=1M count=1 2>/dev/null
check write-zone1 dd if=/tmp/w1 of=$NS bs=1M seek=8 oflag=direct conv=fsync
expect zone1-implicit-open oi "$(zcond 1)"
expect zone1-wp 2048 "$(zwp 1)"
check read-zone1 sh -c "dd if=$NS bs=1M skip=8 count=1 iflag=direct 2>/dev/null | cmp - /tmp/w1"
check above-wp-zeroes sh -c "dd if=$NS bs=1M skip=9 count=1 iflag=direct 2>/dev/null | cmp -n 1048576 - /dev/zero"
# not at the write pointer: the block layer refuses or the device does
if dd if=/tmp/w1 of=$NS bs=1M seek=10 count=1 oflag=direct conv=fsync 2>/dev/null; then
	fail write-not-at-wp "accepted"
else
	pass write-not-at-wp
fi
check blkzone-open blkzone open -o $((2 * Z)) -c 1 $NS
expect zone2-explicit-open oe "$(zcond 2)"
check blkzone-close blkzone close -o $((2 * Z)) -c 1 $NS
expect zone2-closed cl "$(zcond 2)"
check blkzone-finish blkzone finish -o $((2 * Z)) -c 1 $NS
expect zone2-full fu "$(zcond 2)"
check blkzone-reset blkzone reset -o $((1 * Z)) -c 2 $NS
expect zone1-empty em "$(zcond 1)"
expect zone1-wp-0 0 "$(zwp 1)"
expect zone2-empty em "$(zcond 2)"
check zone1-reads-zeroes sh -c "dd if=$NS bs=1M skip=8 count=1 iflag=direct 2>/dev/null | cmp -n 1048576 - /dev/zero"

log "nvme zns"
nvme zns id-ns $NS >/tmp/idns 2>&1
head -8 /tmp/idns
expect zns-id-ns-zoc 0 "$(($(field_val zoc </tmp/idns)))"
expect zns-id-ns-ozcs 1 "$(($(field_val ozcs </tmp/idns)))"
expect zns-id-ns-mar 15 "$(($(field_val mar </tmp/idns)))"
expect zns-id-ns-mor 13 "$(($(field_val mor </tmp/idns)))"
if grep -q "zsze:0x800" /tmp/idns; then pass zns-id-ns-zsze; else fail zns-id-ns-zsze "$(grep -i zsze /tmp/idns | head -3)"; fi
nvme zns id-ctrl /dev/nvme0 >/tmp/idctrl 2>&1
cat /tmp/idctrl
expect zns-id-ctrl-zasl 9 "$(($(field_val zasl </tmp/idctrl)))"
nvme zns report-zones $NS -d 4 >/tmp/zr 2>&1
head -3 /tmp/zr
expect zns-report-nr-zones 31 "$(sed -n 's/.*nr_zones: *\([0-9]*\).*/\1/p' /tmp/zr | head -1)"
dd if=/dev/urandom of=/tmp/a1 bs=4096 count=2 2>/dev/null
nvme zns zone-append $NS -s $((3 * ZL)) -z 8192 -d /tmp/a1 >/tmp/ap1 2>&1
nvme zns zone-append $NS -s $((3 * ZL)) -z 8192 -d /tmp/a1 >/tmp/ap2 2>&1
cat /tmp/ap1 /tmp/ap2
# the LBA each append went to, as nvme-cli prints it (hex)
ap_lba() { _l=$(sed -n 's/.*LBA *\(0x\)\{0,1\}\([0-9a-fA-F]*\).*/\2/p' "$1" | tail -1); echo $((0x${_l:-ffffffff})); }
expect zns-append-lba $((3 * ZL)) "$(ap_lba /tmp/ap1)"
expect zns-append-lba-next $((3 * ZL + 2)) "$(ap_lba /tmp/ap2)"
expect zns-append-wp 32 "$(zwp 3)"
check zns-append-data sh -c "dd if=$NS bs=4096 skip=$((3 * ZL + 2)) count=2 iflag=direct 2>/dev/null | cmp - /tmp/a1"
check zns-open nvme zns open-zone $NS -s $((4 * ZL))
expect zns-open-state oe "$(zcond 4)"
check zns-close nvme zns close-zone $NS -s $((4 * ZL))
expect zns-close-state cl "$(zcond 4)"
check zns-finish nvme zns finish-zone $NS -s $((4 * ZL))
expect zns-finish-state fu "$(zcond 4)"
check zns-reset nvme zns reset-zone $NS -s $((4 * ZL))
expect zns-reset-state em "$(zcond 4)"
# a write through passthrough not at the write pointer: Zone Invalid Write
sc passthru-invalid-write 0x1bc nvme io-passthru $NS --opcode=0x01 --namespace-id=1 \
	--cdw10=$((5 * ZL + 1)) --cdw12=0 --data-len=4096 --write --input-file=/tmp/a1

log "open and active limits"
check reset-all blkzone reset $NS
i=0
ok=1
while [ $i -lt 14 ]; do
	nvme zns open-zone $NS -s $((i * ZL)) >/dev/null 2>&1 || ok=0
	i=$((i + 1))
done
if [ $ok = 1 ]; then pass open-14-zones; else fail open-14-zones "an open failed"; fi
expect explicit-open-14 14 "$(blkzone report $NS | grep -c '(oe)')"
sc too-many-open 0x1be nvme io-passthru $NS --opcode=0x79 --namespace-id=1 \
	--cdw10=$((14 * ZL)) --cdw13=3
sc too-many-open-write 0x1be nvme io-passthru $NS --opcode=0x01 --namespace-id=1 \
	--cdw10=$((14 * ZL)) --cdw12=0 --data-len=4096 --write --input-file=/tmp/a1
check close-all nvme zns close-zone $NS -a
expect closed-14 14 "$(blkzone report $NS | grep -c '(cl)')"
# 14 closed and 2 open zones hold every active resource
check open-15th nvme zns open-zone $NS -s $((14 * ZL))
check write-16th dd if=/tmp/a1 of=$NS bs=4096 count=1 seek=$((15 * ZL)) oflag=direct
expect implicit-open-16th oi "$(zcond 15)"
sc too-many-active 0x1bd nvme io-passthru $NS --opcode=0x79 --namespace-id=1 \
	--cdw10=$((16 * ZL)) --cdw13=3
sc too-many-active-write 0x1bd nvme io-passthru $NS --opcode=0x01 --namespace-id=1 \
	--cdw10=$((16 * ZL)) --cdw12=0 --data-len=4096 --write --input-file=/tmp/a1
check reset-all-again blkzone reset $NS
expect all-empty 31 "$(blkzone report $NS | grep -c '(em)')"

log "fio --zonemode=zbd, every zone"
zfio() { # NAME ENGINE DEPTH
	blkzone reset $NS
	fio --name="$1" --filename=$NS --direct=1 --zonemode=zbd --rw=write --bs=128k \
		--ioengine="$2" --iodepth="$3" --size=100% --verify=crc32c --do_verify=1 \
		--verify_fatal=1 >/tmp/fio.out 2>&1
	_rc=$?
	grep -E 'err=|WRITE:|READ:' /tmp/fio.out
	[ $_rc = 0 ] && grep -q 'err= 0' /tmp/fio.out && ! grep -qi 'verify.*bad\|crc32c.*fail' /tmp/fio.out
}
check fio-zbd-qd1 zfio qd1 psync 1
expect fio-qd1-all-full 31 "$(blkzone report $NS | grep -c '(fu)')"
echo mq-deadline >$Q/scheduler
expect scheduler-mq-deadline "[mq-deadline]" "$(grep -o '\[mq-deadline\]' $Q/scheduler)"
check fio-zbd-qd8 zfio qd8 libaio 8
expect fio-qd8-all-full 31 "$(blkzone report $NS | grep -c '(fu)')"

log "btrfs, zoned"
check mkfs-btrfs mkfs.btrfs -f $NS
mkdir -p /mnt
check mount-btrfs mount -t btrfs $NS /mnt
dd if=/dev/urandom of=/tmp/f1 bs=1M count=24 2>/dev/null
check btrfs-write sh -c "cp /tmp/f1 /mnt/f1 && cp /tmp/f1 /mnt/f2 && sync"
check umount-btrfs umount /mnt
check remount-btrfs mount -t btrfs $NS /mnt
check btrfs-read sh -c "cmp /tmp/f1 /mnt/f1 && cmp /tmp/f1 /mnt/f2"
btrfs scrub start -B /mnt >/tmp/scrub 2>&1
scrc=$?
cat /tmp/scrub
if [ $scrc = 0 ] && grep -q 'no errors found' /tmp/scrub; then pass btrfs-scrub; else fail btrfs-scrub "rc=$scrc"; fi
check umount-btrfs-2 umount /mnt
check btrfs-check btrfs check $NS

log "the image carries the zones"
check img-reset blkzone reset $NS
dd if=/dev/urandom of=/tmp/w5 bs=1M count=3 2>/dev/null
check img-write-zone5 dd if=/tmp/w5 of=$NS bs=1M seek=40 oflag=direct conv=fsync
check img-open-zone6 blkzone open -o $((6 * Z)) -c 1 $NS
check img-finish-zone7 blkzone finish -o $((7 * Z)) -c 1 $NS
blkzone report -o $((5 * Z)) -c 3 $NS >/tmp/before
check img-save dd if=/dev/nvmev/nvmev0 of=/tmp/z.img bs=1M
check img-change blkzone reset $NS
check img-restore dd if=/tmp/z.img of=/dev/nvmev/nvmev0 bs=1M
blockdev --flushbufs $NS
blkzone report -o $((5 * Z)) -c 3 $NS >/tmp/after
cat /tmp/after
check img-zones-restored cmp /tmp/before /tmp/after
check img-data-restored sh -c "dd if=$NS bs=1M skip=40 count=3 iflag=direct 2>/dev/null | cmp - /tmp/w5"
check img-write-at-wp dd if=/tmp/w5 of=$NS bs=1M seek=43 count=1 oflag=direct conv=fsync
rm -f /tmp/z.img

log "fault injection: a zone read only, a zone offline"
F=/sys/kernel/nvmev/nvmev0/ns1/zone_fault
zcnum() { blkzone report -o $(($1 * Z)) -c 1 $NS | sed -n 's/.*zcond: *\([0-9]*\)(.*/\1/p'; }
check fault-write-zone8 dd if=/tmp/w5 of=$NS bs=1M seek=64 count=1 oflag=direct conv=fsync
check fault-read-only sh -c "echo read_only $((8 * ZL)) >$F"
expect fault-read-only-state 13 "$(zcnum 8)"
check fault-read-only-reads sh -c "dd if=$NS bs=1M skip=64 count=1 iflag=direct 2>/dev/null | cmp -n 1048576 - /tmp/w5"
sc fault-read-only-write 0x1ba nvme io-passthru $NS --opcode=0x01 --namespace-id=1 \
	--cdw10=$((8 * ZL + 256)) --cdw12=0 --data-len=4096 --write --input-file=/tmp/a1
sc fault-read-only-reset 0x1bf nvme zns reset-zone $NS -s $((8 * ZL))
check fault-offline sh -c "echo offline $((9 * ZL)) >$F"
expect fault-offline-state 15 "$(zcnum 9)"
sc fault-offline-read 0x1bb nvme io-passthru $NS --opcode=0x02 --namespace-id=1 \
	--cdw10=$((9 * ZL)) --cdw12=0 --data-len=4096 --read
check fault-offline-from-read-only nvme zns offline-zone $NS -s $((8 * ZL))
expect fault-offline-state-8 15 "$(zcnum 8)"
kmsg_mark fault
if (echo offline 5 >$F) 2>/dev/null; then fail fault-bad-refused "accepted"
elif dmesg_since fault | grep -q "ns1: zone_fault: 'offline 5': not a fault"; then pass fault-bad-refused
else fail fault-bad-refused "$(dmesg_since fault | tail -2)"; fi
if (echo melt 0 >$F) 2>/dev/null; then fail fault-unknown-refused "accepted"; else pass fault-unknown-refused; fi
check unload rmmod nvmev
check gone wait_gone 30

log "f2fs: a ZNS namespace with an NVM namespace of the same controller"
CFS=/sys/kernel/config/nvmev
check load-bare modprobe nvmev
[ -d $CFS ] || mount -t configfs configfs /sys/kernel/config
mkdir $CFS/mix $CFS/mix/namespaces/1 $CFS/mix/namespaces/2
echo 1G >$CFS/mix/memmap_start
echo 256M >$CFS/mix/memmap_size
echo 1,2 >$CFS/mix/cpus
echo lowcpu >$CFS/mix/poll_mode
echo 64M >$CFS/mix/namespaces/1/size
echo zns >$CFS/mix/namespaces/2/type
expect cfs-zone-size-default 64 "$(cat $CFS/mix/namespaces/2/zone_size)"
check cfs-zone-size sh -c "echo 4 >$CFS/mix/namespaces/2/zone_size"
check cfs-enable sh -c "echo 1 >$CFS/mix/enable"
C=$(ls "/sys/bus/pci/devices/$(cat /sys/kernel/nvmev/mix/pci_address)/nvme" | head -1)
if R=$(ns_blk "$C" 1); then pass cfs-nvm-ns; else fail cfs-nvm-ns "no namespace 1"; fi
if Zd=$(ns_blk "$C" 2); then pass cfs-zns-ns; else fail cfs-zns-ns "no namespace 2"; fi
expect cfs-regular none "$(cat /sys/block/$R/queue/zoned)"
expect cfs-zoned host-managed "$(cat /sys/block/$Zd/queue/zoned)"
expect cfs-nr-zones 47 "$(cat /sys/block/$Zd/queue/nr_zones)"
echo mq-deadline >/sys/block/$Zd/queue/scheduler
mkfs.f2fs -f -m -c /dev/$Zd /dev/$R >/tmp/mkf2fs 2>&1
mkrc=$?
tail -5 /tmp/mkf2fs
if [ $mkrc = 0 ]; then pass mkfs-f2fs; else fail mkfs-f2fs "rc=$mkrc"; fi
check mount-f2fs mount -t f2fs /dev/$R /mnt
check f2fs-write sh -c "cp /tmp/f1 /mnt/f1 && cp /tmp/w5 /mnt/w5 && sync"
check umount-f2fs umount /mnt
check remount-f2fs mount -t f2fs /dev/$R /mnt
check f2fs-read sh -c "cmp /tmp/f1 /mnt/f1 && cmp /tmp/w5 /mnt/w5"
check umount-f2fs-2 umount /mnt
check fsck-f2fs fsck.f2fs /dev/$R
rmdir $CFS/mix/namespaces/1 $CFS/mix/namespaces/2
check cfs-remove rmdir $CFS/mix
check unload-bare rmmod nvmev
