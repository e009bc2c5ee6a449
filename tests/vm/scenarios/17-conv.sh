# SPDX-License-Identifier: GPL-2.0-only
# 17-conv: a conventional NAND SSD (type=conv): the FTL in the namespace,
# its write buffer and garbage collection. Every refused load names its
# parameter; the namespace is a regular block device a little smaller than
# its extent (the FTL's state follows the host's blocks); fio writes and
# verifies (crc32c) the whole device twice over in random order while GC
# runs; discards and Write Zeroes read back as zeroes and unmap the FTL's
# pages; the write amplification of uniform random 4 KiB writes of twice
# the capacity after a sequential fill, read from stats/ and from the OCP
# SMART extended log (nvme ocp smart-add-log), is the simulator's
# (tests/model/ftlsim on the same FTL code and geometry) within 10%; the
# FTL's state travels in the device's image; configfs takes a preset and
# the GC policy by name.
# vm-requires: nvmev
# vm-timeout: 1200
. /vmtest/guest/lib.sh

NS=/dev/nvme0n1
ARGS="memmap_start=1G memmap_size=256M cpus=1,2 poll_mode=lowcpu type=conv lba_size=4096"
N=/sys/kernel/nvmev/nvmev0/ns1
S=$N/stats

# refused NAME MSG ARGS...: the load fails and the kernel log says MSG
refused() {
	_n=$1 _msg=$2
	shift 2
	kmsg_mark "$_n"
	if modprobe nvmev "$@" 2>/dev/null; then
		fail "$_n" "loaded"
		rmmod nvmev
	elif dmesg_since "$_n" | grep -q -- "$_msg"; then
		pass "$_n"
	else
		fail "$_n" "$(dmesg_since "$_n" | tail -3)"
	fi
}
# ocp_pmuw: Physical Media Units Written (low 64 bits) of the OCP log
ocp_pmuw() {
	nvme ocp smart-add-log /dev/nvme0 -o json 2>/dev/null | tr -d '\n' |
		sed -n 's/.*"Physical media units written"[^}]*"lo"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p'
}
# within NAME WANT GOT: GOT (thousandths) is WANT's within 10 %
within() {
	if [ -n "$3" ] && [ "$3" -ge $(($2 * 9 / 10)) ] && [ "$3" -le $(($2 * 11 / 10)) ]; then
		pass "$1"
	else
		fail "$1" "want $2 (+-10%), got ${3:-nothing}"
	fi
}

log "refused loads name their parameter"
modprobe nvme
refused small-refused 'namespace 1: size: 3145728 bytes is too small for a conv namespace with these tunables: it needs at least' \
	memmap_start=1G memmap_size=4M cpus=1,2 type=conv
refused bad-preset "preset: 'slc' is not a preset of type conv (datacenter-tlc, client-tlc, qlc)" \
	$ARGS preset=slc
refused small-buffer 'write_buffer_kib is less than one program unit' $ARGS write_buffer_kib=4
refused bad-policy "gc_policy: 'lifo' is not one of its values" $ARGS gc_policy=lifo
refused bad-op 'op_percent: 0 is out of range (1..400)' $ARGS op_percent=0
refused foreign-op 'op_percent: is a tunable of type conv, not of type nvm' \
	memmap_start=1G memmap_size=256M cpus=1,2 type=nvm op_percent=10
refused foreign-preset 'preset: type nvm has no presets' \
	memmap_start=1G memmap_size=256M cpus=1,2 type=nvm preset=qlc

log "the device"
check load modprobe nvmev $ARGS
check ns wait_ns 30
expect type conv "$(cat $N/type)"
expect preset-program 1400000 "$(cat $N/program_ns)"
expect preset-buffer 16384 "$(cat $N/write_buffer_kib)"
expect policy greedy "$(cat $N/gc_policy)"
check policy-set sh -c "echo cost-benefit >$N/gc_policy"
expect policy-cb cost-benefit "$(cat $N/gc_policy)"
check policy-back sh -c "echo 0 >$N/gc_policy"
expect policy-greedy greedy "$(cat $N/gc_policy)"
if (echo lifo >$N/gc_policy) 2>/dev/null; then fail policy-bad "accepted"; else pass policy-bad; fi
BLOCKS=$(($(cat /sys/block/nvme0n1/size) / 8))
FTL=$(cat $S/ftl_bytes)
# the host's blocks and the FTL's state fill the 255 MiB extent, the state at most 0.3 %
if [ $((BLOCKS * 4096 + FTL)) -le $((255 << 20)) ] && [ $((FTL * 1000)) -le $((BLOCKS * 4096 * 3)) ] &&
	[ $((BLOCKS * 4096 + FTL + (1 << 20))) -gt $((255 << 20)) ]; then
	pass layout
else
	fail layout "$BLOCKS blocks, $FTL bytes of FTL state"
fi
expect nsze "$BLOCKS" "$(nvme id-ns $NS -o json | json_val nsze)"
expect waf-fresh 0.000 "$(cat $S/waf)"
expect free-fresh "$(cat $S/lines)" "$(cat $S/free_lines)"

log "fio verify over the whole device, twice over in random order, while GC moves data"
check fio-verify fio --name=v --filename=$NS --direct=1 --ioengine=libaio --iodepth=16 \
	--rw=randwrite --bs=16k --loops=2 --randrepeat=0 --verify=crc32c --verify_fatal=1 \
	--output=/tmp/fio.out
grep -E 'err=|WRITE:|READ:' /tmp/fio.out
if [ "$(cat $S/gc_pages_moved)" -gt 0 ]; then pass gc-moved; else fail gc-moved "nothing moved"; fi
expect gc-not-stuck 0 "$(cat $S/gc_stuck)"
echo "waf $(cat $S/waf), gc_runs $(cat $S/gc_runs), moved $(cat $S/gc_pages_moved), erases $(cat $S/erases), free $(cat $S/free_lines)/$(cat $S/lines), waits $(cat $S/gc_foreground_waits)"
if [ "$(cat $S/erases)" = "$(cat $S/gc_runs)" ]; then pass erases; else fail erases "$(cat $S/erases) erases"; fi

log "discard and write zeroes: zeroes, and unmapped"
t0=$(cat $S/trimmed_pages)
check discard blkdiscard -o 0 -l 16777216 $NS
check discard-zeroes cmp -n 16777216 /dev/zero $NS
t1=$(cat $S/trimmed_pages)
expect discard-unmapped 4096 $((t1 - t0))
check zeroout blkdiscard -z -o 16777216 -l 4194304 $NS
check zeroout-zeroes sh -c "dd if=$NS bs=1M skip=16 count=4 iflag=direct 2>/dev/null | cmp -n 4194304 /dev/zero -"
t2=$(cat $S/trimmed_pages)
expect zeroout-unmapped 1024 $((t2 - t1))

log "image: the FTL's state travels with the data"
io_smoke io-before-save
h=$(cat $S/host_pages_written)
check save dd if=/dev/nvmev/nvmev0 of=/tmp/c.img bs=1M
check unload-save rmmod nvmev
check gone-save wait_gone 30
check load-restore modprobe nvmev $ARGS
check ns-restore wait_ns 30
check restore sh -c "dd if=/tmp/c.img of=/dev/nvmev/nvmev0 bs=1M 2>/dev/null"
blockdev --flushbufs $NS
rm -f /tmp/c.img
expect restored-counts "$h" "$(cat $S/host_pages_written)"
check restored-zeroes sh -c "dd if=$NS bs=1M skip=1 count=15 iflag=direct 2>/dev/null | cmp -n 15728640 /dev/zero -"
check fio-verify-restored fio --name=v --filename=$NS --direct=1 --ioengine=libaio --iodepth=8 \
	--rw=randwrite --bs=4k --size=32M --offset=64M --verify=crc32c --verify_fatal=1 --output=/tmp/fio.out
check unload-image rmmod nvmev
check gone-image wait_gone 30

log "write amplification: sysfs and the OCP log against the simulator"
check load-waf modprobe nvmev memmap_start=1G memmap_size=128M cpus=1,2 poll_mode=lowcpu type=conv \
	lba_size=4096
check ns-waf wait_ns 30
BLOCKS=$(($(cat /sys/block/nvme0n1/size) / 8))
check fill fio --name=f --filename=$NS --direct=1 --ioengine=libaio --iodepth=4 --rw=write --bs=1M \
	--output=/tmp/fio.out
h0=$(cat $S/host_pages_written) m0=$(cat $S/media_pages_written) o0=$(ocp_pmuw)
check random fio --name=r --filename=$NS --direct=1 --ioengine=libaio --iodepth=16 --rw=randwrite \
	--bs=4k --norandommap --randrepeat=0 --io_size=$((BLOCKS * 4096 * 2)) --output=/tmp/fio.out
h1=$(cat $S/host_pages_written) m1=$(cat $S/media_pages_written) o1=$(ocp_pmuw)
expect random-pages $((BLOCKS * 2)) $((h1 - h0))
waf_sys=$(((m1 - m0) * 1000 / (h1 - h0)))
waf_ocp=$(((o1 - o0) / 4096 * 1000 / (h1 - h0)))
ftlsim -s 127 -o 7 -g 32,16,3,2304 -x 2 >/tmp/sim.out
cat /tmp/sim.out
waf_sim=$(sed -n 's/^waf: \([0-9]*\)\.\([0-9]*\) overall.*/\1\2/p' /tmp/sim.out)
echo "waf: sysfs $waf_sys, OCP log $waf_ocp, simulator $waf_sim (thousandths)"
if grep -q "^geometry: $BLOCKS user pages" /tmp/sim.out; then pass sim-geometry; else fail sim-geometry "not $BLOCKS pages"; fi
within waf-sysfs "${waf_sim:-0}" "$waf_sys"
within waf-ocp "${waf_sim:-0}" "$waf_ocp"
if [ "$waf_sys" -gt 3000 ]; then pass waf-high; else fail waf-high "$waf_sys"; fi
nvme ocp smart-add-log /dev/nvme0 >/tmp/ocp.out 2>&1
cat /tmp/ocp.out
if grep -q 'Log page GUID.*0xafd514c97c6f4f9ca4f2bfea2810afc5' /tmp/ocp.out; then pass ocp-guid; else fail ocp-guid "no GUID"; fi
expect ocp-version 3 "$(sed -n 's/^ *Log page version[[:space:]]*\([0-9]*\)$/\1/p' /tmp/ocp.out)"
pu=$(nvme smart-log /dev/nvme0 -o json | json_val percent_used)
if [ -n "$pu" ] && [ "$pu" -le 100 ]; then pass smart-percent-used; else fail smart-percent-used "${pu:-none}"; fi
# the same counters through nvmevirtctl metrics (the Prometheus text format)
nvmevirtctl metrics >/tmp/metrics.prom 2>&1
grep -E 'nvmevirt_namespace_(waf|gc_pages_moved_total|media_pages_written_total)|lateness_seconds_count' /tmp/metrics.prom
expect metrics-waf "$(cat $S/waf)" "$(sed -n 's/^nvmevirt_namespace_waf{device="nvmev0",nsid="1"} //p' /tmp/metrics.prom)"
expect metrics-moved "$(cat $S/gc_pages_moved)" \
	"$(sed -n 's/^nvmevirt_namespace_gc_pages_moved_total{device="nvmev0",nsid="1"} //p' /tmp/metrics.prom)"
expect metrics-type conv "$(sed -n 's/^nvmevirt_namespace_info{device="nvmev0",nsid="1",type="\([a-z]*\)"} 1$/\1/p' /tmp/metrics.prom)"
lc=$(sed -n 's/^nvmevirt_device_lateness_seconds_count{device="nvmev0"} //p' /tmp/metrics.prom)
if [ "${lc:-0}" -gt "$((BLOCKS * 2))" ]; then pass metrics-lateness; else fail metrics-lateness "${lc:-none}"; fi
check unload-waf rmmod nvmev
check gone-waf wait_gone 30

log "configfs: a qlc namespace with cost-benefit GC beside an nvm one"
check load-bare modprobe nvmev
CFS=/sys/kernel/config/nvmev
[ -d $CFS ] || mount -t configfs configfs /sys/kernel/config
mkdir $CFS/q $CFS/q/namespaces/1 $CFS/q/namespaces/2
echo 1G >$CFS/q/memmap_start
echo 256M >$CFS/q/memmap_size
echo 1,2 >$CFS/q/cpus
echo lowcpu >$CFS/q/poll_mode
echo 64M >$CFS/q/namespaces/1/size
echo conv >$CFS/q/namespaces/2/type
echo 64M >$CFS/q/namespaces/2/size
expect cfs-preset-default datacenter-tlc "$(cat $CFS/q/namespaces/2/preset)"
check cfs-preset sh -c "echo qlc >$CFS/q/namespaces/2/preset"
expect cfs-preset-qlc qlc "$(cat $CFS/q/namespaces/2/preset)"
expect cfs-qlc-program 3000000 "$(cat $CFS/q/namespaces/2/program_ns)"
expect cfs-qlc-oneshot 4 "$(cat $CFS/q/namespaces/2/oneshot_pages)"
check cfs-program sh -c "echo 2500000 >$CFS/q/namespaces/2/program_ns"
check cfs-policy sh -c "echo cost-benefit >$CFS/q/namespaces/2/gc_policy"
expect cfs-policy-read cost-benefit "$(cat $CFS/q/namespaces/2/gc_policy)"
if (echo mlc >$CFS/q/namespaces/2/preset) 2>/dev/null; then fail cfs-bad-preset "accepted"; else pass cfs-bad-preset; fi
if (echo qlc >$CFS/q/namespaces/1/preset) 2>/dev/null; then fail cfs-nvm-preset "accepted"; else pass cfs-nvm-preset; fi
check cfs-enable sh -c "echo 1 >$CFS/q/enable"
if (echo client-tlc >$CFS/q/namespaces/2/preset) 2>/dev/null; then fail cfs-preset-busy "accepted"; else pass cfs-preset-busy; fi
C=$(ls "/sys/bus/pci/devices/$(cat /sys/kernel/nvmev/q/pci_address)/nvme" | head -1)
if Q=$(ns_blk "$C" 2); then pass cfs-conv-ns; else fail cfs-conv-ns "no namespace 2"; fi
expect cfs-conv-program 2500000 "$(cat /sys/kernel/nvmev/q/ns2/program_ns)"
expect cfs-conv-policy cost-benefit "$(cat /sys/kernel/nvmev/q/ns2/gc_policy)"
check cfs-fio fio --name=c --filename=/dev/$Q --direct=1 --ioengine=libaio --iodepth=8 --rw=randwrite \
	--bs=64k --loops=2 --verify=crc32c --verify_fatal=1 --output=/tmp/fio.out
if [ "$(cat /sys/kernel/nvmev/q/ns2/stats/gc_runs)" -gt 0 ]; then pass cfs-gc; else fail cfs-gc "no GC"; fi
rmdir $CFS/q/namespaces/1 $CFS/q/namespaces/2
check cfs-remove rmdir $CFS/q
check unload-bare rmmod nvmev
