# SPDX-License-Identifier: GPL-2.0-only
# 03-fs: ext4 on the namespace (mkfs, files + md5sum, umount, e2fsck clean,
# remount, verify), then discard: a range and the whole device read back as
# zeroes while the data around the range stays intact.
# vm-timeout: 300
. /vmtest/guest/lib.sh

check load dev_load
[ -b "$NS" ] || exit 1
bytes=$(($(cat /sys/block/nvme0n1/size) * 512))
MiB=1048576

log "ext4"
check modprobe-ext4 modprobe ext4
check mkfs mkfs.ext4 -q -F "$NS"
mkdir -p /mnt/fs
check mount mount -t ext4 "$NS" /mnt/fs
mkdir -p /mnt/fs/dir/sub
dd if=/dev/urandom of=/mnt/fs/big.bin bs=1M count=32 2>/dev/null
dd if=/dev/urandom of=/mnt/fs/mid.bin bs=64k count=17 2>/dev/null
i=0
while [ $i -lt 200 ]; do
	head -c $((i * 37 + 1)) /dev/urandom >/mnt/fs/dir/sub/f$i
	i=$((i + 1))
done
cp /vmtest/guest/lib.sh /mnt/fs/dir/lib.sh
(cd /mnt/fs && find . -type f ! -path './lost+found/*' | sort | xargs md5sum) >/tmp/sums
echo "$(wc -l </tmp/sums) files, $(du -sk /mnt/fs | cut -f1) KiB"
check sync sync
check umount umount /mnt/fs
check e2fsck-clean e2fsck -fn "$NS"
# drop every cached page so the verify below really reads the device
echo 3 >/proc/sys/vm/drop_caches
check remount mount -t ext4 "$NS" /mnt/fs
check md5-verify sh -c 'cd /mnt/fs && md5sum -c -s /tmp/sums'
check fs-usable sh -c 'dd if=/dev/zero of=/mnt/fs/more bs=1M count=8 2>/dev/null && sync && rm /mnt/fs/more'
check umount-2 umount /mnt/fs
check e2fsck-clean-2 e2fsck -fn "$NS"

log "discard ($(cut -d' ' -f1 /proc/uptime)s)"
dgran=$(cat /sys/block/nvme0n1/queue/discard_granularity)
dmax=$(cat /sys/block/nvme0n1/queue/discard_max_bytes)
echo "discard_granularity=$dgran discard_max_bytes=$dmax"
if [ "$dmax" = 0 ]; then
	fail discard-supported "the namespace does not advertise discard (DSM)"
	exit 0
fi
pass discard-supported
# sum of N MiB of the device starting at MiB offset O (O_DIRECT reads)
dsum() { dd if="$NS" bs=1M skip="$1" count="$2" iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1; }
# zeroes NAME OFFSET LENGTH (bytes): PASS when that span reads as zeroes
zeroes() {
	echo 3 >/proc/sys/vm/drop_caches
	if _o=$(cmp -n "$3" -i "$2":0 "$NS" /dev/zero 2>&1); then
		pass "$1"
	else
		fail "$1" "$3 bytes at $2 are not all zero: $_o"
	fi
}
# known non-zero content in MiB 60..104
check fill dd if=/dev/urandom of="$NS" bs=1M seek=60 count=44 oflag=direct conv=fsync
before=$(dsum 60 4)
after=$(dsum 100 4)
check blkdiscard-range blkdiscard -f -o $((64 * MiB)) -l $((36 * MiB)) "$NS"
zeroes range-reads-zero $((64 * MiB)) $((36 * MiB))
expect range-before-intact "$before" "$(dsum 60 4)" "md5 of the 4 MiB before the range"
expect range-after-intact "$after" "$(dsum 100 4)" "md5 of the 4 MiB after the range"
# a range that is not 1 MiB aligned (but block aligned)
lbs=$(cat /sys/block/nvme0n1/queue/logical_block_size)
check fill-2 dd if=/dev/urandom of="$NS" bs=1M seek=8 count=2 oflag=direct conv=fsync
check blkdiscard-unaligned blkdiscard -f -o $((8 * MiB + 4096)) -l $((MiB - 4096 - lbs)) "$NS"
zeroes unaligned-range-reads-zero $((8 * MiB + 4096)) $((MiB - 4096 - lbs))
# ... and the blocks just outside it were not discarded
before=$(dd if="$NS" bs=4096 skip=$((8 * 256)) count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
zero4k=$(dd if=/dev/zero bs=4096 count=1 2>/dev/null | md5sum | cut -d' ' -f1)
[ "$before" != "$zero4k" ] && pass unaligned-head-intact || fail unaligned-head-intact "the 4 KiB before the span read as zeroes"
tail=$(dd if="$NS" bs="$lbs" skip=$((9 * MiB / lbs - 1)) count=1 iflag=direct 2>/dev/null | tr -d '\000' | wc -c)
[ "$tail" -gt 0 ] && pass unaligned-tail-intact || fail unaligned-tail-intact "the block after the span reads as zeroes"

log "discard the whole device ($(cut -d' ' -f1 /proc/uptime)s)"
check blkdiscard-all blkdiscard -f "$NS"
zeroes device-reads-zero 0 "$bytes"
check e2fsck-finds-no-fs sh -c "! e2fsck -fn $NS >/dev/null 2>&1"
