# SPDX-License-Identifier: GPL-2.0-only
# 07-sysfs: modinfo documents every parameter; /sys/kernel/nvmev/nvmev0 shows
# the device, its statistics follow the I/O, and timing and polling can be
# changed while the device runs (latency is measured before and after).
# vm-timeout: 300
# vm-requires: nvmev
. /vmtest/guest/lib.sh
D=/sys/kernel/nvmev/nvmev0

log "modinfo"
mi=$(modinfo nvmev)
echo "$mi" | grep -E '^(version|parm):'
for p in memmap_start memmap_size cpus type read_latency_ns write_latency_ns bandwidth_mbps \
	parallel_units lba_size max_io_queues poll_mode idle_after_us idle_sleep_us; do
	if echo "$mi" | grep -q "^parm: *$p:"; then pass "modinfo-$p"; else fail "modinfo-$p" "not in modinfo"; fi
done
if echo "$mi" | grep -q '^version: *[0-9]'; then pass modinfo-version; else fail modinfo-version "no version"; fi

log "load with zero latency"
check load dev_load read_latency_ns=0 write_latency_ns=0 bandwidth_mbps=0 poll_mode=busy
[ -d $D ] || { fail sysfs-dir "no $D"; exit 1; }
ls $D $D/stats
expect sysfs-type nvm "$(cat $D/type)"
expect sysfs-memmap-start 0x40000000 "$(cat $D/memmap_start)"
expect sysfs-memmap-size 268435456 "$(cat $D/memmap_size)"
expect sysfs-cpus 1,2 "$(cat $D/cpus)"
expect sysfs-read-latency 0 "$(cat $D/read_latency_ns)"
expect sysfs-poll-mode busy "$(cat $D/poll_mode)"
bdf=$(cat $D/pci_address)
if [ -e "/sys/bus/pci/devices/$bdf" ]; then pass sysfs-pci-address; else fail sysfs-pci-address "$bdf"; fi

log "statistics follow the I/O"
r0=$(cat $D/stats/read_cmds)
b0=$(cat $D/stats/bytes_read)
w0=$(cat $D/stats/bytes_written)
check dd-read dd if=$NS of=/dev/null bs=4096 count=100 iflag=direct
check dd-write dd if=/dev/zero of=$NS bs=4096 count=50 oflag=direct
r1=$(cat $D/stats/read_cmds)
b1=$(cat $D/stats/bytes_read)
w1=$(cat $D/stats/bytes_written)
if [ $((r1 - r0)) -ge 100 ]; then pass stats-read-cmds; else fail stats-read-cmds "$r0 -> $r1"; fi
if [ $((b1 - b0)) -ge 409600 ]; then pass stats-bytes-read; else fail stats-bytes-read "$b0 -> $b1"; fi
if [ $((w1 - w0)) -ge 204800 ]; then pass stats-bytes-written; else fail stats-bytes-written "$w0 -> $w1"; fi
expect stats-inflight-idle 0 "$(cat $D/stats/inflight)"
cat $D/stats/lateness
if [ -s $D/stats/lateness ]; then pass stats-lateness; else fail stats-lateness "empty histogram"; fi
grep -q '^0x06 ' $D/stats/admin_cmds && pass stats-admin-identify || fail stats-admin-identify "$(cat $D/stats/admin_cmds)"
grep -q '^0x02 ' $D/stats/io_cmds && pass stats-io-read || fail stats-io-read "$(cat $D/stats/io_cmds)"

# elapsed_cs CMD...: centiseconds CMD took (from /proc/uptime)
elapsed_cs() {
	_a=$(cut -d' ' -f1 /proc/uptime | tr -d .)
	"$@" >/dev/null 2>&1
	_b=$(cut -d' ' -f1 /proc/uptime | tr -d .)
	echo $((_b - _a))
}

log "latency changed at run time"
fast=$(elapsed_cs dd if=$NS of=/dev/null bs=4096 count=40 iflag=direct)
echo 25000000 >$D/read_latency_ns
expect sysfs-set-latency 25000000 "$(cat $D/read_latency_ns)"
slow=$(elapsed_cs dd if=$NS of=/dev/null bs=4096 count=40 iflag=direct)
echo "40 reads: ${fast}0 ms at 0 ns, ${slow}0 ms at 25 ms each"
# 40 x 25 ms = 1 s at least
if [ "$slow" -ge 100 ] && [ "$slow" -gt "$fast" ]; then pass latency-applied; else fail latency-applied "fast ${fast}cs slow ${slow}cs"; fi
echo 0 >$D/read_latency_ns

log "bandwidth cap at run time"
echo 2 >$D/bandwidth_mbps
echo 1 >$D/parallel_units
capped=$(elapsed_cs dd if=$NS of=/dev/null bs=1M count=2 iflag=direct)
echo "2 MiB at 2 MB/s: ${capped}0 ms"
if [ "$capped" -ge 90 ]; then pass bandwidth-applied; else fail bandwidth-applied "${capped}cs for 2 MiB at 2 MB/s"; fi
echo 0 >$D/bandwidth_mbps

log "bad values are refused"
for kv in parallel_units=0 parallel_units=999 read_latency_ns=abc poll_mode=fast idle_sleep_us=0; do
	k=${kv%%=*}
	v=${kv#*=}
	before=$(cat $D/$k)
	if echo "$v" >$D/$k 2>/dev/null; then
		fail "refuse-$k-$v" "accepted"
	else
		expect "refuse-$k-$v" "$before" "$(cat $D/$k)"
	fi
done

log "low-CPU polling mode"
echo lowcpu >$D/poll_mode
expect sysfs-poll-lowcpu lowcpu "$(cat $D/poll_mode)"
check lowcpu-io sh -c "dd if=/dev/urandom of=/tmp/blk bs=64k count=16 2>/dev/null &&
	dd if=/tmp/blk of=$NS bs=64k seek=100 oflag=direct 2>/dev/null &&
	dd if=$NS of=/tmp/back bs=64k skip=100 count=16 iflag=direct 2>/dev/null && cmp /tmp/blk /tmp/back"
echo 5000000 >$D/read_latency_ns
lc=$(elapsed_cs dd if=$NS of=/dev/null bs=4096 count=20 iflag=direct)
echo "20 reads at 5 ms in lowcpu mode: ${lc}0 ms"
# the worker sleeps on a timer until each read is due: 20 x 5 ms at least
if [ "$lc" -ge 10 ]; then pass lowcpu-timed-io; else fail lowcpu-timed-io "${lc}cs"; fi
echo 0 >$D/read_latency_ns
echo busy >$D/poll_mode
check unload dev_unload
if [ -d $D ]; then fail sysfs-gone "$D still there"; else pass sysfs-gone; fi

log "load in lowcpu mode"
check load-lowcpu dev_load poll_mode=lowcpu
expect lowcpu-at-load lowcpu "$(cat $D/poll_mode)"
check lowcpu-fio fio --name=v --filename=$NS --rw=randwrite --bs=4k --size=8M --direct=1 \
	--ioengine=libaio --iodepth=16 --verify=crc32c --do_verify=1 --output=/tmp/fio.txt
check unload-2 dev_unload
