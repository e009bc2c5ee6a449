# SPDX-License-Identifier: GPL-2.0-only
# 11-devices: several devices at once, made in configfs. A load without a
# range makes no device and says how; four devices (1, 2, 3 and 1
# namespaces) share the 3 CPUs, each with its own controller identity,
# each namespace verified with fio; sysfs shows nsN/ per namespace and
# follows Namespace Management; per-namespace media tunables; every
# misuse gets an errno and a message; rmmod is refused while configfs has
# devices; removal frees every claim.
# vm-requires: nvmev
# vm-timeout: 600
. /vmtest/guest/lib.sh

CFS=/sys/kernel/config/nvmev
SYS=/sys/kernel/nvmev
M=1048576
G=1073741824

# put VALUE FILE: write, the exit status tells (the shell's own message hidden)
put() { (echo "$1" >"$2") 2>/dev/null; }
# bad_put NAME VALUE FILE ERRNO_TEXT MSG_RE: the write fails with that errno
# text (busybox echo names it; dash's says "I/O error" for any) and the
# kernel log says MSG_RE
bad_put() {
	kmsg_mark "$1"
	_e=$( (busybox echo "$2" >"$3") 2>&1)
	_rc=$?
	_m=$(dmesg_since "$1" | grep '^nvmev: ')
	echo "  $3 <- '$2': rc=$_rc $_e"
	echo "$_m" | sed 's/^/    dmesg: /'
	if [ $_rc = 0 ]; then
		fail "$1" "the write succeeded"
	elif [ -n "$4" ] && ! echo "$_e" | grep -qi "$4"; then
		fail "$1" "errno: want '$4' got '$_e'"
	elif ! echo "$_m" | grep -Eq "$5"; then
		fail "$1" "no kernel message /$5/: '$_m'"
	else
		pass "$1"
	fi
}
# ctrl_of NAME: the nvme controller (nvmeN) of device NAME
ctrl_of() {
	_a=$(cat "$SYS/$1/pci_address" 2>/dev/null) || return 1
	ls "/sys/bus/pci/devices/$_a/nvme" 2>/dev/null | head -1
}
# wait_ctrl NAME COUNT: until device NAME's controller has COUNT namespaces
wait_ctrl() {
	_w=300
	while [ $_w -gt 0 ]; do
		_c=$(ctrl_of "$1")
		if [ -n "$_c" ]; then
			_n=0
			for _b in /sys/class/nvme/"$_c"/"$_c"n*; do
				[ -e "$_b" ] || continue
				[ "$(cat "$_b/size" 2>/dev/null)" != 0 ] && _n=$((_n + 1))
			done
			[ $_n = "$2" ] && return 0
		fi
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "wait_ctrl: $1 (${_c:-no controller}) has not $2 namespaces"
	return 1
}
# mkdev NAME START_MIB SIZE_MIB CPUS: a device directory with its range and CPUs
mkdev() {
	mkdir "$CFS/$1" && put "$2M" "$CFS/$1/memmap_start" &&
		put "$3M" "$CFS/$1/memmap_size" && put "$4" "$CFS/$1/cpus"
}
# mkns DEV NSID SIZE [LBA]: a namespace directory
mkns() {
	mkdir "$CFS/$1/namespaces/$2" && { [ -z "$3" ] || put "$3" "$CFS/$1/namespaces/$2/size"; } &&
		{ [ -z "$4" ] || put "$4" "$CFS/$1/namespaces/$2/lba_size"; }
}

modprobe nvme

log "a load without a range: no device, one line that says how"
kmsg_mark noparams
check load-no-device modprobe nvmev
msg=$(dmesg_since noparams | grep '^nvmev: ')
echo "$msg"
if echo "$msg" | grep -q 'no device: .*memmap_start.*configfs\|no device: .*config/nvmev'; then
	pass no-device-message
else
	fail no-device-message "$msg"
fi
expect no-controller "" "$(ls /sys/class/nvme 2>/dev/null)"
expect no-sysfs-device "" "$(ls $SYS 2>/dev/null)"
if [ -d $CFS ]; then pass configfs-dir; else fail configfs-dir "no $CFS"; fi
feat=$(mkdir $CFS/probe && cat $CFS/probe/features; rmdir $CFS/probe)
echo "$feat"
for a in memmap_start memmap_size cpus poll_mode enable; do
	echo "$feat" | head -1 | tr ',' '\n' | grep -qx "$a" || fail features-$a "not in features"
done
if echo "$feat" | grep -q '^namespaces/NSID: type,size,lba_size,.*read_latency_ns' &&
	echo "$feat" | grep -q '^types: nvm'; then
	pass features
else
	fail features "$feat"
fi

log "four devices: 64 MiB each, sharing CPUs 0-2"
check mk-a mkdev a 1024 64 0,1
check mk-b mkdev b 1088 64 1,2
check mkns-b1 mkns b 1 16M
check mkns-b2 mkns b 2 "" 4096
check mk-c mkdev c 1152 64 2,0
check mkns-c1 mkns c 1 8M
check mkns-c2 mkns c 2 8M 4096
check mkns-c3 mkns c 3 ""
check mk-d mkdev d 1216 64 0,1,2
put lowcpu $CFS/d/poll_mode
put 5000 $CFS/c/namespaces/1/read_latency_ns
for d in a b c d; do
	check enable-$d put 1 $CFS/$d/enable
done
check a-ns wait_ctrl a 1
check b-ns wait_ctrl b 2
check c-ns wait_ctrl c 3
check d-ns wait_ctrl d 1
ls /sys/class/nvme
nvme list

log "each controller its own identity"
ids=
for d in a b c d; do
	c=$(ctrl_of $d)
	j=$(nvme id-ctrl /dev/$c -o json)
	ids="$ids
$(echo "$j" | json_val cntlid) $(echo "$j" | json_val sn) $(echo "$j" | json_val subnqn)"
	expect cmic-$d 0 "$(echo "$j" | json_val cmic)"
done
echo "$ids"
n=$(echo "$ids" | grep -c .)
expect identities 4 "$n"
for f in 1 2 3; do
	expect unique-field$f 4 "$(echo "$ids" | grep . | awk -v f=$f '{ print $f }' | sort -u | wc -l)"
done
expect subsystems 4 "$(ls -d /sys/class/nvme-subsystem/nvme-subsys* | wc -l)"
uu=$(for c in /dev/nvme*n*; do [ -b "$c" ] && nvme ns-descs "$c" -o json | json_val uuid; done)
echo "$uu"
expect uuids-unique "$(echo "$uu" | grep -c .)" "$(echo "$uu" | sort -u | grep -c .)"
expect uuids-count 7 "$(echo "$uu" | grep -c .)"

log "the namespaces as configured"
cb=$(ctrl_of b)
cc=$(ctrl_of c)
expect b1-size $((16 * M / 512)) "$(cat /sys/block/${cb}n1/size)"
expect b2-lbs 4096 "$(cat /sys/block/${cb}n2/queue/logical_block_size)"
# 63 MiB of storage: 16 MiB for ns1, the rest for ns2
expect b2-size $((47 * M / 512)) "$(cat /sys/block/${cb}n2/size)"
expect c3-size $((47 * M / 512)) "$(cat /sys/block/${cc}n3/size)"
expect sysfs-b-ns "ns1 ns2" "$(cd $SYS/b && echo ns*)"
expect sysfs-b2-type nvm "$(cat $SYS/b/ns2/type)"
expect sysfs-b2-lba 4096 "$(cat $SYS/b/ns2/lba_size)"
expect sysfs-b2-size $((47 * M)) "$(cat $SYS/b/ns2/size)"
expect sysfs-c1-latency 5000 "$(cat $SYS/c/ns1/read_latency_ns)"
expect sysfs-c2-latency 10000 "$(cat $SYS/c/ns2/read_latency_ns)"
expect cfs-c1-size 8M "$(cat $CFS/c/namespaces/1/size)"
expect sysfs-d-poll lowcpu "$(cat $SYS/d/poll_mode)"

log "fio verify on all seven namespaces at once"
jobs=
for b in /dev/nvme*n*; do
	[ -b "$b" ] || continue
	jobs="$jobs --name=${b#/dev/} --filename=$b"
done
# shellcheck disable=SC2086
check fio-all fio --ioengine=psync --direct=1 --rw=randwrite --bs=4k --size=4M --verify=crc32c \
	--do_verify=1 --iodepth=1 --output-format=terse $jobs
for d in a b c d; do
	w=0
	for f in $SYS/$d/ns*/stats/bytes_written; do w=$((w + $(cat $f))); done
	expect stats-$d "$(cat $SYS/$d/stats/bytes_written)" "$w" "ns stats add up to the device's"
done
if [ "$(cat $SYS/c/ns3/stats/bytes_written)" -ge $((4 * M)) ]; then pass stats-c3; else fail stats-c3 "$(cat $SYS/c/ns3/stats/bytes_written)"; fi

log "run-time tunables: one namespace, or the whole device"
check tune-c2 put 7000 $CFS/c/namespaces/2/read_latency_ns
expect tune-c2-live 7000 "$(cat $SYS/c/ns2/read_latency_ns)"
expect tune-c1-kept 5000 "$(cat $SYS/c/ns1/read_latency_ns)"
check tune-sysfs-ns put 6000 $SYS/c/ns3/read_latency_ns
expect tune-sysfs-ns-cfs 6000 "$(cat $CFS/c/namespaces/3/read_latency_ns)"
check tune-dev put 3000 $SYS/b/write_latency_ns
expect tune-dev-b1 3000 "$(cat $SYS/b/ns1/write_latency_ns)"
expect tune-dev-b2 3000 "$(cat $SYS/b/ns2/write_latency_ns)"
check idle-live put 50 $CFS/a/idle_sleep_us
expect idle-live-sysfs 50 "$(cat $SYS/a/idle_sleep_us)"

log "misuse: errno and a message"
bad_put busy-size 32M $CFS/a/memmap_size busy 'a: memmap_size: cannot change while the device is enabled'
bad_put busy-cpus 0,2 $CFS/a/cpus busy 'a: cpus: cannot change'
bad_put busy-queues 8 $CFS/a/max_io_queues busy 'a: max_io_queues: cannot change'
bad_put busy-type nvm $CFS/b/namespaces/1/type busy 'b: namespaces/1/type: cannot change'
bad_put busy-ns-size 8M $CFS/b/namespaces/1/size busy 'b: namespaces/1/size: cannot change'
kmsg_mark busy-mkdir
if mkdir $CFS/b/namespaces/3 2>/dev/null; then
	fail busy-mkdir "mkdir of a namespace of an enabled device succeeded"
	rmdir $CFS/b/namespaces/3
elif dmesg_since busy-mkdir | grep -q 'b: namespaces/3: cannot add while the device is enabled'; then
	pass busy-mkdir
else
	fail busy-mkdir "no message"
fi
bad_put tunable-range 20000000000 $CFS/c/namespaces/1/read_latency_ns invalid 'c: namespaces/1/read_latency_ns: 20000000000 is out of range'
bad_put tunable-nan fast $CFS/c/namespaces/1/read_latency_ns invalid 'namespaces/1/read_latency_ns: not a number'
bad_put sysfs-range 0 $SYS/c/ns1/parallel_units 'out of range\|invalid' '.|^$'

mkdir $CFS/e
bad_put bad-start 12Q $CFS/e/memmap_start invalid "e: memmap_start: '12Q' is not a size"
bad_put bad-cpus 1,99 $CFS/e/cpus invalid 'e: cpus: CPU 99 is out of range'
bad_put bad-cpus-dup 1,1 $CFS/e/cpus invalid 'e: cpus: CPU 1 is listed twice'
bad_put bad-poll fast $CFS/e/poll_mode invalid 'e: poll_mode: not a polling mode'
bad_put bad-queues 0 $CFS/e/max_io_queues invalid 'e: max_io_queues: 0 is out of range'
bad_put enable-missing 1 $CFS/e/enable invalid 'e: memmap_start: missing'
put 1056M $CFS/e/memmap_start
put 64M $CFS/e/memmap_size
put 1,2 $CFS/e/cpus
bad_put overlap 1 $CFS/e/enable busy 'e: memmap_start: range 0x42000000-0x45ffffff overlaps device a'
put 1280M $CFS/e/memmap_start
bad_put system-ram 1 $CFS/e/enable invalid 'e: memmap_start: range 0x50000000-0x53ffffff includes System RAM'
put 2048M $CFS/e/memmap_start
bad_put not-reserved 1 $CFS/e/enable invalid 'e: memmap_start: range 0x80000000-0x83ffffff (is not all reserved|is not RAM)'
put 3M $CFS/e/memmap_size
put 1049088K $CFS/e/memmap_start
bad_put misaligned 1 $CFS/e/enable invalid 'e: memmap_start: 0x40080000 is not aligned to 1 MiB'
put 4000M $CFS/e/memmap_start
mkdir $CFS/e/namespaces/1 $CFS/e/namespaces/2
put 2M $CFS/e/namespaces/1/size
bad_put too-big 1 $CFS/e/enable invalid 'e: size: the namespaces need 2 MiB and 1 MiB for the one without a size, the device has 2 MiB'
bad_put bad-lba 1000 $CFS/e/namespaces/1/lba_size invalid 'e: namespaces/1/lba_size: 512 or 4096'
bad_put bad-type foo $CFS/e/namespaces/1/type invalid "e: namespaces/1/type: 'foo' is not a type"
put 1M $CFS/e/namespaces/2/size
put 4096 $CFS/e/namespaces/2/lba_size
put 1001K $CFS/e/namespaces/2/size
bad_put ns-size-blocks 1 $CFS/e/enable invalid 'e: size: 1025024 bytes of namespace 2 is not a multiple of its 4096-byte blocks'
rmdir $CFS/e/namespaces/1 $CFS/e/namespaces/2
kmsg_mark bad-nsid
if mkdir $CFS/e/namespaces/17 2>/dev/null || mkdir $CFS/e/namespaces/x 2>/dev/null; then
	fail bad-nsid "mkdir of namespace 17 or x succeeded"
elif dmesg_since bad-nsid | grep -q 'e: namespaces/17: a namespace directory is its NSID, 1 to 16'; then
	pass bad-nsid
else
	fail bad-nsid "no message"
fi
kmsg_mark bad-name
if mkdir "$CFS/a.b" 2>/dev/null || mkdir "$CFS/abcdefghijklmnop" 2>/dev/null; then
	fail bad-name "mkdir of a bad device name succeeded"
elif dmesg_since bad-name | grep -q "a.b: a device name has 1 to 15 letters"; then
	pass bad-name
else
	fail bad-name "no message"
fi
rmdir $CFS/e
expect after-misuse-devices "a b c d" "$(cd $SYS && echo *)"

log "rmmod is refused while configfs has devices"
if rmmod nvmev 2>/dev/null; then fail rmmod-refused "rmmod succeeded"; else pass rmmod-refused; fi
check still-works wait_ctrl a 1
NS=/dev/$(ctrl_of a)n1 io_smoke a-after-rmmod

log "sysfs follows Namespace Management"
ca=$(ctrl_of a)
check delete-ns nvme delete-ns /dev/$ca -n 1
check ns1-gone wait_gone 30 /dev/${ca}n1
sleep 1
expect sysfs-ns1-gone "" "$(cd $SYS/a && ls -d ns* 2>/dev/null)"
check create-ns nvme create-ns /dev/$ca --nsze=8192 --ncap=8192 --flbas=0 --csi=0
sleep 1
expect sysfs-ns1-back "ns1" "$(cd $SYS/a && ls -d ns* 2>/dev/null)"
expect sysfs-ns1-attached 0 "$(cat $SYS/a/ns1/attached)"
expect sysfs-ns1-new-size $((8192 * 512)) "$(cat $SYS/a/ns1/size)"

log "disable, enable again, rmdir while enabled"
check disable-b put 0 $CFS/b/enable
check b-gone wait_gone 30 /dev/${cb}n1
expect b-sysfs-gone "" "$(ls -d $SYS/b 2>/dev/null)"
check enable-b put 1 $CFS/b/enable
check b-back wait_ctrl b 2
cb=$(ctrl_of b)
NS=/dev/${cb}n2 io_smoke b-after-reenable
for d in a b c d; do
	c=$(ctrl_of $d)
	for n in $CFS/$d/namespaces/*; do [ -d "$n" ] && rmdir "$n"; done
	check rmdir-$d rmdir $CFS/$d
	check gone-$d wait_gone 30 /dev/$c
done
expect no-devices "" "$(ls $SYS 2>/dev/null)"
if grep -q nvmev /proc/iomem; then fail iomem-freed "$(grep nvmev /proc/iomem)"; else pass iomem-freed; fi
check rmmod rmmod nvmev

log "the module parameters' device next to a configfs one"
check load-params modprobe nvmev memmap_start=1G memmap_size=128M cpus=0,1
check params-ns wait_ctrl nvmev0 1
check mk-x mkdev x 1152 128 1,2
check enable-x put 1 $CFS/x/enable
check x-ns wait_ctrl x 1
NS=/dev/$(ctrl_of x)n1 io_smoke x-io
NS=/dev/$(ctrl_of nvmev0)n1 io_smoke nvmev0-io
check rmdir-x rmdir $CFS/x
check rmmod-2 rmmod nvmev
if grep -q nvmev /proc/iomem; then fail iomem-freed-2 "$(grep nvmev /proc/iomem)"; else pass iomem-freed-2; fi
