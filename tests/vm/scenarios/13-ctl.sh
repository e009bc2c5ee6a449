# SPDX-License-Identifier: GPL-2.0-only
# 13-ctl: nvmevirtctl runs several devices carved from one reservation
# (NVMEVIRT_DEVICES), as nvmevirt.service does but without systemd: the
# boot's nvmev.* arguments describe the whole reservation, an empty
# memmap_start= overrides them, start makes two devices (one with two
# namespaces) in configfs with the module's parameters (modprobe.d), stop
# saves each device's image and unloads, the next start restores every
# namespace byte for byte; save while running; a busy namespace refuses the
# stop; refused: devices that do not add up to the boot's reservation, an
# image of another size (nothing loaded, the images untouched). Then every
# type: a conv namespace with a preset and a modprobe.d tunable after it, a
# zoned one and an nvm one, the conv FTL and the zones through an image.
# vm-requires: nvmev
# vm-timeout: 600
# vm-append: nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2
. /vmtest/guest/lib.sh

CFS=/sys/kernel/config/nvmev
IMG=/var/lib/nvmevirt
CONF=/etc/default/nvmevirt
M=1048576

# conf DEVICES [SIZE [TYPE PRESET]]: the configuration file
conf() {
	mkdir -p /etc/default
	cat >$CONF <<CONF
NVMEVIRT_SIZE="${2:-256M}"
NVMEVIRT_START="1G"
NVMEVIRT_CPUS="1,2"
NVMEVIRT_TYPE="${3:-nvm}"
NVMEVIRT_PRESET="${4:-default}"
NVMEVIRT_DEVICES="$1"
CONF
}
# ns_of NAME NSID: the block device of namespace NSID of device NAME, from
# what start recorded ("CTRL NS NAME")
ns_of() {
	while read -r _c _n _d; do
		[ "$_d" = "$1" ] && [ "$(cat /sys/block/$_n/nsid)" = "$2" ] && { echo "$_n"; return 0; }
	done </run/nvmevirt/device
	return 1
}
# the three namespaces: device, NSID, expected size in MiB
NSS="nvmev0:1:32 nvmev0:2:95 nvmev1:1:127"
# fill: 4 MiB of random data at 1 MiB into each, checksums in /tmp/sum.*
fill() {
	for x in $NSS; do
		n=$(ns_of "${x%%:*}" "$(echo "$x" | cut -d: -f2)") || return 1
		head -c 4194304 /dev/urandom >/tmp/data
		dd if=/tmp/data of=/dev/$n bs=1M seek=1 oflag=direct status=none || return 1
		sha256sum </tmp/data >"/tmp/sum.$x"
	done
}
# same: every namespace holds what fill wrote
same() {
	for x in $NSS; do
		n=$(ns_of "${x%%:*}" "$(echo "$x" | cut -d: -f2)") || { echo "no namespace $x"; return 1; }
		dd if=/dev/$n bs=1M skip=1 count=4 iflag=direct status=none | sha256sum | cmp - "/tmp/sum.$x" ||
			{ echo "$x (/dev/$n) differs"; return 1; }
	done
}
sizes() {
	for x in $NSS; do
		n=$(ns_of "${x%%:*}" "$(echo "$x" | cut -d: -f2)") || { echo "no namespace $x"; return 1; }
		[ $(( $(cat /sys/block/$n/size) * 512 )) -eq $(( ${x##*:} * M )) ] || { echo "$x: /dev/$n has $(cat /sys/block/$n/size) sectors"; return 1; }
	done
}
nothing_loaded() { ! mod_loaded nvmev && [ ! -e /run/nvmevirt/device ]; }

modprobe nvme
log "an empty range argument overrides the boot's"
check empty-args-no-device sh -c 'modprobe nvmev memmap_start= memmap_size= cpus= &&
	[ -z "$(ls /sys/kernel/nvmev 2>/dev/null)" ] && dmesg | tail -n 5 | grep -q "nvmev: no device" && rmmod nvmev'

mkdir -p /etc/modprobe.d
echo "options nvmev poll_mode=lowcpu read_latency_ns=20000 lba_size=4096" >/etc/modprobe.d/nvmevirt.conf
conf "128M:32M,nvm=rest@$IMG/a.img 128M@$IMG/b.img"

log "start: two devices from the configuration"
check status-configured sh -c 'nvmevirtctl status; nvmevirtctl status | grep -q "devices: 2"'
check start nvmevirtctl start
check three-namespaces sh -c 'cat /run/nvmevirt/device; [ "$(wc -l </run/nvmevirt/device)" = 3 ]'
check sizes sizes
expect ranges "1G 128M 1,2 | 1152M 128M 1,2" \
	"$(cat $CFS/nvmev0/memmap_start $CFS/nvmev0/memmap_size $CFS/nvmev0/cpus | tr '\n' ' ')| $(cat $CFS/nvmev1/memmap_start $CFS/nvmev1/memmap_size $CFS/nvmev1/cpus | tr '\n' ' ' | sed 's/ $//')"
expect modprobe-d-poll lowcpu "$(cat /sys/kernel/nvmev/nvmev1/poll_mode)"
expect modprobe-d-tunable "20000 20000 20000" \
	"$(cat $CFS/nvmev0/namespaces/1/read_latency_ns $CFS/nvmev0/namespaces/2/read_latency_ns $CFS/nvmev1/namespaces/1/read_latency_ns | tr '\n' ' ' | sed 's/ $//')"
expect modprobe-d-lba 4096 "$(cat /sys/block/$(ns_of nvmev1 1)/queue/logical_block_size)"
check status-ok sh -c 'nvmevirtctl status; nvmevirtctl status | grep -q "nvmev0: /dev/nvme.*/dev/nvme.*/dev/nvme" && nvmevirtctl status | tail -n 1 | grep -qx OK'
check fill fill

log "stop saves every device, start restores every namespace"
check stop nvmevirtctl stop
check stop-unloaded nothing_loaded
check images sh -c '[ "$(head -c 8 '$IMG'/a.img)" = NVMEVIMG ] && [ "$(od -An -tu4 -j24 -N4 '$IMG'/a.img | tr -d " ")" = 2 ] &&
	[ "$(od -An -tu4 -j24 -N4 '$IMG'/b.img | tr -d " ")" = 1 ] && grep -c . '$IMG'/saved-images | grep -qx 2'
check start-restores sh -c 'nvmevirtctl start | tee /tmp/start.out; grep -c "restored" /tmp/start.out | grep -qx 2'
check restored-same same
check restored-sizes sizes

log "save while running"
n=$(ns_of nvmev1 1)
check save-running sh -c "head -c 1048576 /dev/urandom >/tmp/d2 && dd if=/tmp/d2 of=/dev/$n bs=1M seek=8 oflag=direct status=none &&
	nvmevirtctl save && nvmevirtctl stop --no-save && nvmevirtctl start && n=\$(grep ' nvmev1\$' /run/nvmevirt/device | cut -d' ' -f2) &&
	dd if=/dev/\$n bs=1M skip=8 count=1 iflag=direct status=none | cmp - /tmp/d2"

log "a busy namespace refuses the stop"
n=$(ns_of nvmev0 2)
modprobe ext4
mkfs.ext4 -q -F /dev/$n && mkdir -p /mnt/x && mount /dev/$n /mnt/x
check stop-refused-mounted sh -c "! nvmevirtctl stop 2>/tmp/err; cat /tmp/err; grep -q 'not stopping: .*mounted on /mnt/x' /tmp/err && grep -q '^nvmev ' /proc/modules"
check status-refused sh -c 'nvmevirtctl status | grep -q "STOP REFUSED"'
check start-picks-up sh -c 'nvmevirtctl start | grep -q "picked it up again"'
umount /mnt/x
check fill-again fill
check stop-after-umount nvmevirtctl stop
check stop-after-umount-unloaded nothing_loaded

log "refusals change nothing"
sha256sum $IMG/a.img $IMG/b.img >/tmp/imgs.sum
conf "128M 64M" 192M
check refused-other-total sh -c '! nvmevirtctl start 2>/tmp/err; cat /tmp/err; grep -q "this boot reserved 256M" /tmp/err'
check refused-other-total-nothing nothing_loaded
conf "64M@$IMG/a.img 192M@$IMG/b.img"
check refused-image-size sh -c '! nvmevirtctl start 2>/tmp/err; cat /tmp/err; grep -q "nvmev0: restoring from .*a.img failed: .*image" /tmp/err'
check refused-image-size-nothing sh -c '! grep -q "^nvmev " /proc/modules && [ -z "$(ls /sys/kernel/config/nvmev 2>/dev/null)" ]'
check images-untouched sha256sum -c /tmp/imgs.sum

log "types: conv (preset qlc), zns and nvm namespaces; their images"
echo "options nvmev lba_size=4096 op_percent=20 erase_ns=10000000" >/etc/modprobe.d/nvmevirt.conf
rm -f $IMG/a.img $IMG/b.img
conf "160M:64M,zns=rest@$IMG/t.img 96M:nvm=rest" 256M conv qlc
check types-start nvmevirtctl start
expect types-conv conv "$(cat $CFS/nvmev0/namespaces/1/type)"
expect types-preset qlc "$(cat $CFS/nvmev0/namespaces/1/preset)"
# qlc's tPROG from the preset; erase_ns, which qlc sets too (and which sorts
# before "preset" in configfs), from modprobe.d after it
expect types-preset-program 3000000 "$(cat $CFS/nvmev0/namespaces/1/program_ns)"
expect types-tunable-after-preset 10000000 "$(cat $CFS/nvmev0/namespaces/1/erase_ns)"
expect types-tunable 20 "$(cat $CFS/nvmev0/namespaces/1/op_percent)"
expect types-zns zns "$(cat $CFS/nvmev0/namespaces/2/type)"
expect types-nvm nvm "$(cat $CFS/nvmev1/namespaces/1/type)"
zn=$(ns_of nvmev0 2) cn=$(ns_of nvmev0 1)
expect types-zoned host-managed "$(cat /sys/block/$zn/queue/zoned 2>/dev/null)"
check types-conv-write sh -c "head -c 4194304 /dev/urandom >/tmp/c && dd if=/tmp/c of=/dev/$cn bs=1M seek=2 oflag=direct status=none"
check types-zone-write sh -c "head -c 1048576 /dev/urandom >/tmp/z && dd if=/tmp/z of=/dev/$zn bs=1M oflag=direct status=none"
wp0=$(blkzone report -c 1 /dev/$zn 2>/dev/null | sed -n 's/.*wptr 0x\([0-9a-f]*\).*/\1/p')
expect types-zone-wp 2048 "$((0x${wp0:-0}))"
check types-stop nvmevirtctl stop
check types-stop-unloaded nothing_loaded
check types-restart sh -c 'nvmevirtctl start | tee /tmp/start.out; grep -q restored /tmp/start.out'
zn=$(ns_of nvmev0 2) cn=$(ns_of nvmev0 1)
check types-conv-same sh -c "dd if=/dev/$cn bs=1M skip=2 count=4 iflag=direct status=none | cmp - /tmp/c"
check types-zone-same sh -c "dd if=/dev/$zn bs=1M count=1 iflag=direct status=none | cmp - /tmp/z"
expect types-zone-wp-restored "$wp0" "$(blkzone report -c 1 /dev/$zn 2>/dev/null | sed -n 's/.*wptr 0x\([0-9a-f]*\).*/\1/p')"
check types-ftl-restored sh -c "[ \"\$(cat /sys/kernel/nvmev/nvmev0/ns1/stats/host_pages_written)\" -ge 1024 ]"
check types-stop-again nvmevirtctl stop
refused_load() {
	conf "$1" 256M "$2" "$3"
	! nvmevirtctl start 2>/tmp/err && cat /tmp/err && grep -q "$4" /tmp/err && nothing_loaded
}
check types-refused-nvm-preset refused_load "256M" nvm qlc "unknown; choose one of: default nand optane"
check types-refused-conv-preset refused_load "256M" conv optane "unknown; choose one of: default datacenter-tlc client-tlc qlc"
# one device (the boot's range): modprobe.d's conv tunable is refused for an nvm one
check types-refused-foreign-tunable refused_load "" nvm default "loading nvmev failed"
rm -f /etc/modprobe.d/nvmevirt.conf
