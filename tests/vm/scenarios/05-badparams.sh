# SPDX-License-Identifier: GPL-2.0-only
# 05-badparams: every bad module parameter makes the load fail (non-zero exit
# of modprobe / insmod) with exactly one kernel log line
#   nvmev: <param>: <reason>
# naming the parameter, and leaves nothing behind (no iomem claim, no
# controller). Then a good load claims the reserved range in /proc/iomem and
# rmmod frees it.
# vm-requires: nvmev
# vm-timeout: 240
. /vmtest/guest/lib.sh

KO=/lib/modules/$KVER/extra/nvmev.ko
modprobe nvme
check modinfo modinfo nvmev
modinfo nvmev | grep -E '^(parm|version|license)'

# bad NAME PARAMS EXTRA_RE CMD...: CMD must fail and log exactly one
# "nvmev: <p>: <reason>" line, <p> matching PARAMS (an ERE); EXTRA_RE (if
# not empty) must match that line too.
bad() {
	_name=$1 _param=$2 _extra=$3
	shift 3
	kmsg_mark "$_name"
	echo "+ $*"
	"$@" >/tmp/bad.out 2>&1
	_rc=$?
	sed 's/^/    /' /tmp/bad.out
	_all=$(dmesg_since "$_name" | grep '^nvmev: ')
	echo "$_all" | sed 's/^/    dmesg: /'
	_lines=$(echo "$_all" | grep -E '^nvmev: [A-Za-z0-9_]+: .')
	_n=$(echo "$_lines" | grep -c .)
	_why=
	[ $_rc = 0 ] && _why="load succeeded;"
	if mod_loaded nvmev; then
		_why="$_why module still loaded;"
		rmmod nvmev
	fi
	if [ "$_n" != 1 ]; then
		_why="$_why $_n 'nvmev: <param>: <reason>' lines (want 1);"
	elif ! echo "$_lines" | grep -Eq "^nvmev: ($_param): "; then
		_why="$_why message does not name $_param: '$_lines';"
	elif [ -n "$_extra" ] && ! echo "$_lines" | grep -Eq "$_extra"; then
		_why="$_why message lacks /$_extra/: '$_lines';"
	fi
	grep -q nvmev /proc/iomem && _why="$_why /proc/iomem still claimed;"
	[ -n "$(ls /sys/class/nvme 2>/dev/null)" ] && _why="$_why an nvme controller appeared;"
	if [ -z "$_why" ]; then pass "$_name"; else fail "$_name" "$_why"; fi
}

R="memmap_start=1G memmap_size=256M"
log "bad parameters"
bad no-memmap-start memmap_start 'memmap=' modprobe nvmev memmap_size=256M cpus=1,2
bad no-memmap-size memmap_size '' modprobe nvmev memmap_start=1G cpus=1,2
bad no-memmap-start-insmod memmap_start 'memmap=' insmod $KO memmap_size=256M cpus=1,2
bad overlaps-system-ram 'memmap_start|memmap_size' '' modprobe nvmev memmap_start=0 memmap_size=64 cpus=1,2
bad overlaps-system-ram-2 'memmap_start|memmap_size' '' modprobe nvmev memmap_start=512M memmap_size=64M cpus=1,2
bad not-reserved 'memmap_start|memmap_size' '' modprobe nvmev memmap_start=1G memmap_size=512M cpus=1,2
bad not-reserved-below 'memmap_start|memmap_size' '' modprobe nvmev memmap_start=1022M memmap_size=64M cpus=1,2
bad size-too-small memmap_size '' modprobe nvmev memmap_start=1G memmap_size=1 cpus=1,2
bad start-misaligned memmap_start '' modprobe nvmev memmap_start=1048580K memmap_size=128M cpus=1,2
bad start-misaligned-insmod memmap_start '' insmod $KO memmap_start=1048580K memmap_size=128M cpus=1,2
bad cpus-out-of-range cpus '' modprobe nvmev $R cpus=1,99
bad cpus-repeated cpus '' modprobe nvmev $R cpus=1,1
bad cpus-too-few cpus '' modprobe nvmev $R cpus=1
if [ -w /sys/devices/system/cpu/cpu2/online ] && echo 0 >/sys/devices/system/cpu/cpu2/online; then
	bad cpus-offline cpus '' modprobe nvmev $R cpus=1,2
	echo 1 >/sys/devices/system/cpu/cpu2/online
else
	skip cpus-offline "cannot offline cpu2"
fi
bad type-unknown type 'nvm' modprobe nvmev $R cpus=1,2 type=foo
bad lba-size-1000 lba_size '' modprobe nvmev $R cpus=1,2 lba_size=1000
bad lba-size-1000-insmod lba_size '' insmod $KO $R cpus=1,2 lba_size=1000
bad parallel-units-0 parallel_units '' modprobe nvmev $R cpus=1,2 parallel_units=0
bad poll-mode-unknown poll_mode 'lowcpu' modprobe nvmev $R cpus=1,2 poll_mode=fast
bad memmap-size-garbage memmap_size '' modprobe nvmev memmap_start=1G memmap_size=12Q cpus=1,2
# Reserved in the kernel's map, but by the firmware (QEMU's HyperTransport
# hole), not RAM that memmap= reserved: the device must never use it
if grep -qi '^fd00000000-ffffffffff : Reserved' /proc/iomem; then
	bad firmware-reserved memmap_start 'firmware' modprobe nvmev memmap_start=1012G memmap_size=2M cpus=1,2
else
	skip firmware-reserved "no firmware-reserved range at fd00000000 in this guest"
fi

log "a good load claims the range, rmmod frees it"
check good-load dev_load
# the lines nested under the reservation (0x40000000-0x4fffffff)
claims=$(awk '/^40000000-4fffffff /{ on = 1; print; next } on && /^ /{ print; next } { on = 0 }' /proc/iomem)
echo "$claims"
# nvmev claims (part of) the range under its name, inside the reservation
inside=$(echo "$claims" | awk -F' : ' '$2 ~ /nvmev/ { split($1, r, "-"); gsub(/ /, "", r[1]); print r[1] "-" r[2] }')
if [ -n "$inside" ]; then pass iomem-claimed; else fail iomem-claimed "no nvmev range under 40000000-4fffffff: $(echo "$claims" | tr '\n' ' ')"; fi
check unload dev_unload
if grep -q nvmev /proc/iomem; then fail iomem-freed "still in /proc/iomem after rmmod"; else pass iomem-freed; fi
check reload dev_load
io_smoke io-after-reload
check unload-2 dev_unload
