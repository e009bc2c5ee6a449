# SPDX-License-Identifier: GPL-2.0-only
# 12-image: namespace images through /dev/nvmev/<device>. Save two devices
# (one namespace with an ext4 file system; two namespaces, one with
# deallocated blocks), unload, load again, restore: the file system checks
# clean and its file compares, every byte of the other namespaces compares.
# Refused (nothing written, EINVAL): an image of another geometry, a file
# that is no image. Damaged (EBADMSG, namespaces left empty): a flipped
# byte, a short image. One open at a time; read-write refused. While an
# image is open the host's commands wait, but never longer than 10 s: then
# the save is abandoned and the device goes on. Namespaces made by nvme
# create-ns travel in the image: a new device's empty namespace makes way.
# vm-requires: nvmev
# vm-timeout: 480
. /vmtest/guest/lib.sh

CFS=/sys/kernel/config/nvmev
M=1048576

put() { (echo "$1" >"$2") 2>/dev/null; }
# ctrl_of NAME: the nvme controller (nvmeN) of device NAME
ctrl_of() { ls "/sys/bus/pci/devices/$(cat /sys/kernel/nvmev/$1/pci_address)/nvme" | head -1; }
# u64 FILE OFFSET: a little-endian 64-bit field
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }

load_all() {
	modprobe nvmev memmap_start=1G memmap_size=64M cpus=0,1 || return 1
	mkdir $CFS/two $CFS/two/namespaces/1 $CFS/two/namespaces/2 &&
		put 1088M $CFS/two/memmap_start && put 64M $CFS/two/memmap_size &&
		put 1,2 $CFS/two/cpus && put 16M $CFS/two/namespaces/1/size &&
		put 4096 $CFS/two/namespaces/2/lba_size && put 1 $CFS/two/enable || return 1
	wait_ns 30 /dev/nvme0n1 || return 1
	T=$(ctrl_of two)
	wait_ns 30 /dev/${T}n1 && wait_ns 30 /dev/${T}n2
}
unload_all() {
	rmdir $CFS/two/namespaces/1 $CFS/two/namespaces/2 $CFS/two && rmmod nvmev &&
		wait_gone 30 /dev/nvme0n1
}
# restore IMAGE DEV: restore IMAGE into /dev/nvmev/DEV, then drop the block
# devices' caches of what was read before it
# wait_size DEV SECTORS: until DEV has that size (a rescan after an event)
wait_size() {
	_w=300
	while [ $_w -gt 0 ]; do
		[ "$(cat /sys/class/block/${1#/dev/}/size 2>/dev/null)" = "$2" ] && return 0
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "wait_size: $1 is $(cat /sys/class/block/${1#/dev/}/size 2>/dev/null) sectors, not $2"
	return 1
}
restore() {
	dd if="$1" of="/dev/nvmev/$2" bs=1M 2>/tmp/dd.err
	_rc=$?
	cat /tmp/dd.err
	for _b in /dev/nvme*n*; do [ -b "$_b" ] && blockdev --flushbufs "$_b"; done
	return $_rc
}

# restore_fails NAME IMAGE ERRNO_TEXT MSG: restoring IMAGE into two fails, dd
# says ERRNO_TEXT (when not empty) and the kernel log says MSG
restore_fails() {
	kmsg_mark "$1"
	if restore "$2" two; then
		fail "$1" "restored"
	elif { [ -z "$3" ] || grep -q "$3" /tmp/dd.err; } && dmesg_since "$1" | grep -q "$4"; then
		pass "$1"
	else
		fail "$1" "$(cat /tmp/dd.err; dmesg_since "$1")"
	fi
}

modprobe nvme
modprobe ext4
check load load_all
T=$(ctrl_of two)
ls -l /dev/nvmev/
expect chardev-nvmev0 "crw-------" "$(ls -l /dev/nvmev/nvmev0 | cut -c1-10)"
expect chardev-two "crw-------" "$(ls -l /dev/nvmev/two | cut -c1-10)"

log "data: a file system, random data, deallocated blocks"
check mkfs mkfs.ext4 -q -F /dev/nvme0n1
mkdir -p /mnt
check mount mount /dev/nvme0n1 /mnt
head -c 5000000 /dev/urandom >/tmp/file
cp /tmp/file /mnt/file
check umount umount /mnt
head -c $((16 * M)) /dev/urandom >/tmp/t1
head -c $((47 * M)) /dev/urandom >/tmp/t2
check write-t1 dd if=/tmp/t1 of=/dev/${T}n1 bs=1M oflag=direct
check write-t2 dd if=/tmp/t2 of=/dev/${T}n2 bs=1M oflag=direct
# the middle 8 MiB of namespace 2 deallocated: it reads as zeroes
check discard blkdiscard -o $((20 * M)) -l $((8 * M)) /dev/${T}n2
dd if=/dev/zero of=/tmp/t2 bs=1M seek=20 count=8 conv=notrunc 2>/dev/null
check t2-as-expected cmp /tmp/t2 /dev/${T}n2

log "save"
check save-nvmev0 dd if=/dev/nvmev/nvmev0 of=/tmp/a.img bs=1M
check save-two dd if=/dev/nvmev/two of=/tmp/b.img bs=1M
ls -l /tmp/a.img /tmp/b.img
expect magic NVMEVIMG "$(head -c 8 /tmp/b.img)"
expect total-bytes "$(stat -c %s /tmp/b.img)" "$(u64 /tmp/b.img 16)"
expect trailer NVMEVEND "$(tail -c 4096 /tmp/b.img | head -c 8)"
expect nr-ns 2 "$(od -An -tu4 -j 24 -N4 /tmp/b.img | tr -d ' ')"
io_smoke io-after-save	# the device goes on after the image is closed
# the documented layout: namespace 1's data follows the header, its map and
# its two state sections (sizes in the first descriptor, at byte 64)
off=$((4096 + $(u64 /tmp/a.img 104) + $(u64 /tmp/a.img 112) + $(u64 /tmp/a.img 120)))
check layout-extract dd if=/tmp/a.img of=/tmp/a.ns1 bs=1M iflag=skip_bytes,count_bytes skip=$off count="$(u64 /tmp/a.img 128)"
check layout-fsck e2fsck -fn /tmp/a.ns1
rm -f /tmp/a.ns1

log "one open at a time, read-only or write-only"
exec 7</dev/nvmev/two
if dd if=/dev/nvmev/two of=/dev/null bs=1M count=1 2>/tmp/dd.err; then
	fail second-open "a second open succeeded"
elif grep -qi busy /tmp/dd.err; then pass second-open; else fail second-open "$(cat /tmp/dd.err)"; fi
exec 7<&-
if (exec 7<>/dev/nvmev/two) 2>/dev/null; then fail read-write "opened read-write"; else pass read-write; fi

log "unload, load again, restore"
check unload unload_all
check reload load_all
T=$(ctrl_of two)
check restore-nvmev0 restore /tmp/a.img nvmev0
check restore-two restore /tmp/b.img two
check fsck e2fsck -fn /dev/nvme0n1
check mount-2 mount /dev/nvme0n1 /mnt
check file-compares cmp /tmp/file /mnt/file
umount /mnt
check t1-compares cmp /tmp/t1 /dev/${T}n1
check t2-compares cmp /tmp/t2 /dev/${T}n2
w=$(cat /sys/kernel/nvmev/two/ns2/stats/bytes_written)
expect no-io-writes 0 "$w" "a restore is not host I/O"

log "refused: another geometry, not an image"
restore_fails refuse-geometry /tmp/a.img 'Invalid argument' \
	"two: image: refused: it holds 1 namespace(s) of another layout than the device's 2, and namespace 1 holds data; nothing was written"
check unchanged-after-refusal cmp /tmp/t1 /dev/${T}n1
head -c $((4 * M)) /dev/urandom >/tmp/junk
restore_fails refuse-junk /tmp/junk '' 'not an nvmevirt image'
check unchanged-after-junk cmp /tmp/t2 /dev/${T}n2

log "damaged: a flipped byte, a short image"
cp /tmp/b.img /tmp/bad.img
printf '\377' | dd of=/tmp/bad.img bs=1 seek=$((30 * M + 12345)) conv=notrunc 2>/dev/null
restore_fails damaged-flip /tmp/bad.img 'Bad message' \
	'two: image: damaged: checksum mismatch; the namespaces it was restoring are now empty'
check empty-after-damage cmp -n $((16 * M)) /dev/zero /dev/${T}n1
check restore-again restore /tmp/b.img two
check t1-again cmp /tmp/t1 /dev/${T}n1
head -c $(($(stat -c %s /tmp/b.img) - 8192)) /tmp/b.img >/tmp/short.img
restore_fails damaged-short /tmp/short.img 'Bad message' 'image: damaged: it ends after'
check empty-after-short cmp -n $((47 * M)) /dev/zero /dev/${T}n2

log "namespaces made by nvme create-ns travel in the image"
check delete-ns nvme delete-ns /dev/nvme0 -n 1
check ns1-gone wait_gone 30 /dev/nvme0n1
cntlid=$(nvme id-ctrl /dev/nvme0 -o json | json_val cntlid)
check create-1 nvme create-ns /dev/nvme0 --nsze=$((16 * M / 512)) --ncap=$((16 * M / 512)) --flbas=0 --csi=0
check create-2 nvme create-ns /dev/nvme0 --nsze=$((32 * M / 4096)) --ncap=$((32 * M / 4096)) --flbas=1 --csi=0
check attach-1 nvme attach-ns /dev/nvme0 -n 1 -c "$cntlid"
check attach-2 nvme attach-ns /dev/nvme0 -n 2 -c "$cntlid"
check ns1-back wait_ns 30 /dev/nvme0n1
check ns2-back wait_ns 30 /dev/nvme0n2
uuid2=$(nvme ns-descs /dev/nvme0n2 -o json | json_val uuid)
head -c $((32 * M)) /dev/urandom >/tmp/n2
check write-n2 dd if=/tmp/n2 of=/dev/nvme0n2 bs=1M oflag=direct
check save-layout dd if=/dev/nvmev/nvmev0 of=/tmp/c.img bs=1M
check unload-3 unload_all
check reload-3 load_all
expect one-ns-at-load "nvme0n1" "$(cd /sys/block && echo nvme0n*)"
kmsg_mark layout
check restore-layout restore /tmp/c.img nvmev0
dmesg_since layout | grep nvmev
check n2-appears wait_ns 30 /dev/nvme0n2
check n1-size-now wait_size /dev/nvme0n1 $((16 * M / 512))
expect n2-lbs 4096 "$(cat /sys/block/nvme0n2/queue/logical_block_size)"
expect n2-uuid "$uuid2" "$(nvme ns-descs /dev/nvme0n2 -o json | json_val uuid)"
blockdev --flushbufs /dev/nvme0n2
check n2-compares cmp /tmp/n2 /dev/nvme0n2
expect sysfs-layout "ns1 ns2" "$(cd /sys/kernel/nvmev/nvmev0 && echo ns*)"
T=$(ctrl_of two)
check restore-two-3 restore /tmp/b.img two

log "the host never waits long for a paused device"
exec 7</dev/nvmev/two
kmsg_mark hold
t0=$(cut -d. -f1 /proc/uptime)
check io-while-open dd if=/dev/${T}n1 of=/dev/null bs=4k count=1 iflag=direct
t1=$(cut -d. -f1 /proc/uptime)
echo "waited $((t1 - t0)) s"
if [ $((t1 - t0)) -ge 9 ] && [ $((t1 - t0)) -le 20 ]; then pass io-waited-hold; else fail io-waited-hold "$((t1 - t0)) s"; fi
if dmesg_since hold | grep -q 'two: image: the host waited 10 s for the device: save abandoned'; then
	pass hold-message
else
	fail hold-message "$(dmesg_since hold)"
fi
if dd bs=1M count=1 <&7 >/dev/null 2>/tmp/dd.err; then fail save-abandoned "read succeeded"; else
	if grep -q busy /tmp/dd.err; then pass save-abandoned; else fail save-abandoned "$(cat /tmp/dd.err)"; fi
fi
exec 7<&-
if dmesg_since hold | grep -q 'nvme.*timeout\|reset controller'; then fail no-host-timeout "$(dmesg_since hold)"; else pass no-host-timeout; fi
NS=/dev/${T}n1 io_smoke io-after-hold

log "the device goes away while its image is open"
exec 7</dev/nvmev/two
if rmmod nvmev 2>/dev/null; then fail rmmod-while-open "rmmod succeeded"; else pass rmmod-while-open; fi
check rmdir-open rmdir $CFS/two/namespaces/1 $CFS/two/namespaces/2 $CFS/two
check two-gone wait_gone 30 /dev/${T}n1
if dd bs=1M count=1 <&7 >/dev/null 2>/tmp/dd.err; then fail read-after-removal "read succeeded"; else pass read-after-removal; fi
cat /tmp/dd.err
exec 7<&-
check rmmod rmmod nvmev
if grep -q nvmev /proc/iomem; then fail iomem-freed "$(grep nvmev /proc/iomem)"; else pass iomem-freed; fi
