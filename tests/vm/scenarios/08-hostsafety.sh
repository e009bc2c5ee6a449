# SPDX-License-Identifier: GPL-2.0-only
# 08-hostsafety: the host can always stop the device and reset it, and long
# operations are bounded. Storage layout and huge-page mapping; a new device
# reads zeroes; Bus Master Enable cleared under fio (nothing completes while
# it is clear, work resumes after); Function Level Reset through sysfs;
# remove + rescan of the function under fio; reset, rescan and the driver's
# rescan_controller in a loop under a verifying fio; nvme reset and rmmod
# with a backlog of minutes (bounded by CAP.TO); whole-device discards
# beside fio on another queue; idle threads not in D state.
# vm-requires: nvmev
# vm-timeout: 600
. /vmtest/guest/lib.sh

D=/sys/kernel/nvmev/nvmev0
[ -w /proc/sys/kernel/hung_task_timeout_secs ] && echo 30 >/proc/sys/kernel/hung_task_timeout_secs

uptime_s() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }'; }
# wait_pid PID SECS: until PID exits; 1 if it is still running
wait_pid() {
	_w=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null && [ $_w -gt 0 ]; do
		sleep_ms 100
		_w=$((_w - 1))
	done
	! kill -0 "$1" 2>/dev/null
}
stop_pid() {
	kill "$1" 2>/dev/null
	wait_pid "$1" 30 || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

log "layout: storage 2 MiB aligned and mapped with huge pages; a new device reads zeroes"
kmsg_mark layout
check load dev_load
line=$(dmesg_since layout | grep 'nvmev0: storage at')
echo "$line"
pgkb=$(echo "$line" | sed -n 's/.*mapped with \([0-9]*\) KiB pages.*/\1/p')
expect storage-at-start 0x40000000 "$(echo "$line" | sed -n 's/.*storage at \(0x[0-9a-f]*\) .*/\1/p')"
if [ -n "$pgkb" ] && [ "$pgkb" -ge 2048 ]; then pass storage-huge-pages; else fail storage-huge-pages "$line"; fi
grep -i -A3 '^40000000-4fffffff' /proc/iomem
# write a pattern, reload: the new device must not show it
dd if=/dev/urandom of=/tmp/pat bs=1M count=4 2>/dev/null
dd if=/tmp/pat of="$NS" bs=1M count=4 oflag=direct conv=fsync 2>/dev/null
check unload-1 dev_unload
check reload-1 dev_load
if cmp -n 4194304 "$NS" /dev/zero >/dev/null 2>&1; then pass new-device-reads-zeroes; else fail new-device-reads-zeroes "old data visible after reload"; fi
check whole-device-zero cmp -n "$(($(cat /sys/block/nvme0n1/size) * 512))" "$NS" /dev/zero

log "idle threads sleep as idle, not in D state"
sleep 2
dstates=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	for f in /proc/[0-9]*/comm; do
		case $(cat "$f" 2>/dev/null) in nvmev0_*) ;; *) continue ;; esac
		st=$(awk '{ print $3 }' "${f%/comm}/stat" 2>/dev/null)
		[ "$st" = D ] && dstates=$((dstates + 1))
	done
	sleep_ms 100
done
ps -o pid,stat,comm 2>/dev/null | grep nvmev0_ || grep -h State /proc/[0-9]*/status 2>/dev/null | sort | uniq -c
expect idle-not-in-d-state 0 "$dstates" "samples of an nvmev thread in D state"

log "temperature: a change is checked against the thresholds"
check temp-hot sh -c "echo 360 >$D/temperature"
sleep 1
nvme smart-log "$CTRL" -o json >/tmp/smart.json
expect smart-temperature 360 "$(json_val temperature </tmp/smart.json)"
expect smart-critical-warning 2 "$(json_val critical_warning </tmp/smart.json)"
check temp-normal sh -c "echo 313 >$D/temperature"
sleep 1
expect smart-warning-clears 0 "$(nvme smart-log "$CTRL" -o json | json_val critical_warning)"
check temp-out-of-range sh -c "! echo 1000 >$D/temperature"

bdf=$(ctrl_bdf)
echo "function at $bdf"

log "Bus Master Enable cleared under fio"
fio --name=bme --filename="$NS" --ioengine=libaio --direct=1 --rw=randrw --bs=4k --iodepth=16 \
	--time_based --runtime=60 --eta=never >/tmp/bme.out 2>&1 &
fpid=$!
sleep 2
cmd=$(setpci -s "$bdf" COMMAND)
echo "COMMAND=$cmd"
check bme-clear setpci -s "$bdf" COMMAND=$(printf '%x' $((0x$cmd & ~4)))
sleep_ms 300
c0=$(cat $D/stats/completions)
sleep 2
c1=$(cat $D/stats/completions)
expect bme-nothing-completes "$c0" "$c1" "completions while Bus Master Enable was clear"
check bme-set setpci -s "$bdf" COMMAND=$cmd
sleep 3
c2=$(cat $D/stats/completions)
if [ "$c2" -gt "$c1" ]; then pass bme-resumes; else fail bme-resumes "completions $c1 -> $c2 after BME was set again"; fi
stop_pid $fpid
tail -n 3 /tmp/bme.out
io_smoke io-after-bme

log "Function Level Reset"
cat /sys/bus/pci/devices/$bdf/reset_method 2>/dev/null
expect reset-method flr "$(cat /sys/bus/pci/devices/$bdf/reset_method 2>/dev/null)"
kmsg_mark flr
check flr-reset sh -c "echo 1 >/sys/bus/pci/devices/$bdf/reset"
dmesg_since flr | grep -q 'nvmev0: function level reset' && pass flr-seen || fail flr-seen "no reset in dmesg"
check ns-after-flr wait_ns 30
io_smoke io-after-flr

log "remove and rescan the function while fio runs"
fio --name=rm --filename="$NS" --ioengine=libaio --direct=1 --rw=randwrite --bs=64k --iodepth=8 \
	--time_based --runtime=60 --eta=never >/tmp/rm.out 2>&1 &
fpid=$!
sleep 2
check pci-remove sh -c "echo 1 >/sys/bus/pci/devices/$bdf/remove"
check ns-gone-after-remove wait_gone 30
wait_pid $fpid 30 && pass fio-ends-after-remove || { fail fio-ends-after-remove "fio still running"; stop_pid $fpid; }
kmsg_mark rescan
check pci-rescan sh -c "echo 1 >/sys/bus/pci/rescan"
check ns-after-rescan wait_ns 30
dmesg_since rescan | grep -E "can't assign|no space|failed to assign|cannot claim" && fail bar-assigned "BAR0 not placed" || pass bar-assigned
io_smoke io-after-rescan
bdf=$(ctrl_bdf)

log "reset, rescan and rescan_controller in a loop under a verifying fio"
fio --name=loop --filename="$NS" --ioengine=libaio --direct=1 --rw=randwrite --bs=16k --iodepth=16 \
	--size=64M --verify=crc32c --verify_backlog=128 --verify_fatal=1 --time_based --runtime=30 \
	--eta=never >/tmp/loop.out 2>&1 &
fpid=$!
sleep 2
errs=
for i in 1 2 3; do
	echo 1 >/sys/bus/pci/devices/$bdf/reset || errs="$errs reset#$i"
	sleep 1
	echo 1 >/sys/bus/pci/devices/$bdf/rescan || errs="$errs rescan#$i"
	sleep 1
	echo 1 >/sys/class/nvme/nvme0/rescan_controller || errs="$errs rescan_controller#$i"
	sleep 1
done
if [ -z "$errs" ]; then pass reset-rescan-loop; else fail reset-rescan-loop "failed:$errs"; fi
wait_pid $fpid 90 || stop_pid $fpid
wait $fpid
frc=$?
tail -n 4 /tmp/loop.out
grep -E 'verify|err=' /tmp/loop.out | head -5
expect fio-verify-under-resets 0 "$frc" "fio exit status"

log "whole-device discards beside fio on another queue"
echo 0 >$D/stats/max_worker_pass_us
fio --name=lat --filename="$NS" --ioengine=libaio --direct=1 --rw=randread --bs=4k --iodepth=1 \
	--time_based --runtime=15 --eta=never --output-format=json --output=/tmp/lat.json >/dev/null 2>&1 &
fpid=$!
sleep 2
t0=$(uptime_s)
check blkdiscard-whole blkdiscard -f "$NS"
check blkdiscard-zeroout blkdiscard -f -z "$NS"
echo "discards took $(elapsed "$t0")s"
wait_pid $fpid 60 || stop_pid $fpid
maxlat=$(grep -A 8 '"clat_ns"' /tmp/lat.json | grep -m1 '"max"' | grep -o '[0-9]*')
echo "fio 4k QD1 read beside the discards: max completion latency ${maxlat:-?} ns"
echo "longest worker pass with new commands: $(cat $D/stats/max_worker_pass_us) us"
if [ -n "$maxlat" ] && [ "$maxlat" -lt 2000000000 ]; then pass discard-latency-bounded; else fail discard-latency-bounded "max clat ${maxlat:-none} ns"; fi
check zero-after-discard cmp -n 67108864 "$NS" /dev/zero
check unload-2 dev_unload

log "a backlog of minutes: nvme reset and rmmod finish within CAP.TO"
check load-slow dev_load bandwidth_mbps=5 parallel_units=1
capto=15000	# CAP.TO = 30 (x 500 ms), as src/model/ctrl.c sets it
fio --name=slow --filename="$NS" --ioengine=libaio --direct=1 --rw=randwrite --bs=512k --iodepth=256 \
	--time_based --runtime=300 --eta=never >/tmp/slow.out 2>&1 &
fpid=$!
# wait_backlog: until at least 200 commands of 512 KiB are in flight (~20 s at 5 MB/s)
wait_backlog() {
	_w=300
	while [ "$(cat $D/stats/inflight)" -lt 200 ] && [ $_w -gt 0 ]; do
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "in flight: $(cat $D/stats/inflight) commands of 512 KiB at 5 MB/s"
	[ $_w -gt 0 ]
}
check backlog-before-reset wait_backlog
# The controller reset proper (disable: delete the queues, which aborts
# their backlog; enable; queues again) is timed from the kernel log. nvme-cli
# returns later: Linux resubmits the aborted commands (Command Aborted due to
# SQ Deletion says "retry") and waits for them before it unfreezes, and at
# 5 MB/s they take what they take.
kmsg_mark backlog-reset
t0=$(uptime_s)
check reset-with-backlog nvme reset "$CTRL"
echo "nvme reset returned after $(elapsed "$t0")s"
t=$(dmesg | sed 's/^\[ *\([0-9.]*\)\] /\1 /' | awk '/vmtest-mark: backlog-reset/ { on = 1 }
	on && /resetting controller/ { a = $1 } on && a && /default\/read\/poll queues/ { print $1 - a; exit }')
echo "controller reset (kernel log): ${t:-?}s"
[ -n "$t" ] && awk -v t="$t" -v c="$capto" 'BEGIN { exit !(t * 1000 < c) }' &&
	pass reset-within-cap-to || fail reset-within-cap-to "${t:-no reset in the kernel log}s"
echo "aborted by SQ deletion: $(cat $D/stats/aborted)"
check backlog-before-rmmod wait_backlog
t0=$(uptime_s)
rmmod nvmev &
rpid=$!
wait_pid $rpid 60
t=$(elapsed "$t0")
echo "rmmod took ${t}s"
awk -v t="$t" -v c="$capto" 'BEGIN { exit !(t * 1000 < c) }' && pass rmmod-within-cap-to ||
	fail rmmod-within-cap-to "${t}s"
wait $rpid
stop_pid $fpid
mod_loaded nvmev && dev_unload
check reload-after-backlog dev_load
io_smoke io-after-backlog
check final-unload dev_unload
