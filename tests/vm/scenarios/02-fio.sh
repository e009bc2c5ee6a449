# SPDX-License-Identifier: GPL-2.0-only
# 02-fio: fio writes the WHOLE namespace and verifies it (crc32c), the device
# cut into slices, each written by its own job with its own block size
# (512 B .. 1 MiB) and queue depth (1 .. 128), all jobs at once (libaio,
# O_DIRECT). Then the SMART counters must have grown by what fio did.
# vm-timeout: 420
. /vmtest/guest/lib.sh

check load dev_load
[ -b "$NS" ] || exit 1

lbs=$(cat /sys/block/nvme0n1/queue/logical_block_size)
bytes=$(($(cat /sys/block/nvme0n1/size) * 512))
maxxfer=$(($(cat /sys/block/nvme0n1/queue/max_hw_sectors_kb) * 1024))
echo "namespace: $bytes bytes, logical block $lbs, max transfer $maxxfer"

# bs iodepth weight rw   (weights add up to 256: share of the device). The
# 512 B slice is last and takes what rounding left over; it is small and not
# at queue depth 1, as small commands are the slow ones under TCG.
plan="1m 1 64 write
512k 128 56 randwrite
128k 64 48 randwrite
64k 32 40 write
16k 16 24 randwrite
8k 8 14 write
4k 4 9 randwrite
512 16 1 randwrite"

tobytes() { case $1 in *k) echo $((${1%k} * 1024)) ;; *m) echo $((${1%m} * 1048576)) ;; *) echo "$1" ;; esac; }

# unit = 1/256 of the device; every slice is a whole number of its blocks
unit=$((bytes / 256))
[ $unit -ge 65536 ] || { fail plan "namespace too small ($bytes bytes)"; exit 1; }
jobfile=/tmp/slices.fio
cat >$jobfile <<EOF
[global]
filename=$NS
ioengine=libaio
direct=1
verify=crc32c
do_verify=1
verify_fatal=1
verify_dump=0
randrepeat=0
EOF
off=0 n=0 expect_bytes=0
nj=$(echo "$plan" | wc -l)
wlast=$(echo "$plan" | tail -n 1 | cut -d' ' -f3)
echo "$plan" | while read -r bs qd w rw; do
	n=$((n + 1))
	b=$(tobytes "$bs")
	[ "$b" -lt "$lbs" ] && b=$lbs
	if [ $n = "$nj" ]; then
		size=$((bytes - off))
	elif [ $n = $((nj - 1)) ]; then
		size=$(((bytes - off - wlast * unit) / b * b))
	else
		size=$((w * unit / b * b))
	fi
	printf '[s%d-bs%s-qd%s]\noffset=%d\nsize=%d\nbs=%d\niodepth=%d\nrw=%s\n' \
		$n "$b" "$qd" $off $size "$b" "$qd" "$rw" >>$jobfile
	off=$((off + size))
	echo "$off" >/tmp/slices.end
done
covered=$(cat /tmp/slices.end)
cat $jobfile
expect plan-covers-device "$bytes" "$covered" "bytes covered by the slices"

smart() { nvme smart-log "$CTRL" -o json >/tmp/smart.$1.json && cat /tmp/smart.$1.json | grep -E 'data_units|host_(read|write)_commands'; }
smart before

log "fio: write + verify the whole device"
t0=$(cut -d. -f1 /proc/uptime)
fio --eta=never --output-format=json --output=/tmp/fio.json $jobfile
rc=$?
t1=$(cut -d. -f1 /proc/uptime)
echo "fio rc=$rc in $((t1 - t0))s"
grep -E '"(jobname|error)"' /tmp/fio.json | paste - - 2>/dev/null || grep -E '"(jobname|error)"' /tmp/fio.json
expect fio-exit 0 "$rc" "fio exit status"
errs=$(grep '"error"' /tmp/fio.json | grep -vc ': 0,')
expect fio-job-errors 0 "$errs" "jobs with error != 0"
written=$(awk '/"write" : \{/ { w = 1; next } w && /"io_bytes"/ { gsub(/[^0-9]/, ""); s += $0; w = 0 } END { print s + 0 }' /tmp/fio.json)
readb=$(awk '/"read" : \{/ { r = 1; next } r && /"io_bytes"/ { gsub(/[^0-9]/, ""); s += $0; r = 0 } END { print s + 0 }' /tmp/fio.json)
echo "fio wrote $written bytes, read (verify) $readb bytes"
expect fio-wrote-whole-device "$bytes" "$written" "bytes written"
expect fio-verified-whole-device "$bytes" "$readb" "bytes read back for verify"

smart after
sv() { json_val "$2" </tmp/smart.$1.json; }
duw=$(($(sv after data_units_written) - $(sv before data_units_written)))
dur=$(($(sv after data_units_read) - $(sv before data_units_read)))
hwc=$(($(sv after host_write_commands) - $(sv before host_write_commands)))
hrc=$(($(sv after host_read_commands) - $(sv before host_read_commands)))
echo "SMART delta: data units written $duw read $dur, write commands $hwc, read commands $hrc"
# a data unit is 1000 * 512 bytes, rounded up: allow one unit either way
if [ $(((duw + 1) * 512000)) -ge "$written" ] && [ $(((duw - 1) * 512000)) -le "$written" ]; then
	pass smart-data-units-written
else
	fail smart-data-units-written "delta $duw units ($((duw * 512000)) bytes) for $written bytes written"
fi
if [ $(((dur + 1) * 512000)) -ge "$readb" ]; then
	pass smart-data-units-read
else
	fail smart-data-units-read "delta $dur units ($((dur * 512000)) bytes) for $readb bytes read"
fi
minw=$(((written + maxxfer - 1) / maxxfer))
if [ "$hwc" -ge "$minw" ]; then pass smart-host-write-commands; else fail smart-host-write-commands "delta $hwc < $minw"; fi
minr=$(((readb + maxxfer - 1) / maxxfer))
if [ "$hrc" -ge "$minr" ]; then pass smart-host-read-commands; else fail smart-host-read-commands "delta $hrc < $minr"; fi
