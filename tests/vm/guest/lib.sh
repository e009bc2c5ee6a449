# SPDX-License-Identifier: GPL-2.0-only
# Guest library of the VM tests (busybox sh). Scenarios start with
#   . /vmtest/guest/lib.sh
#
# Results: one line per check, read by tests/vm/run:
#   pass NAME            -> RESULT: NAME PASS
#   fail NAME WHY...     -> RESULT: NAME FAIL WHY
#   skip NAME WHY...     -> RESULT: NAME SKIP WHY
#   check NAME CMD...    -> runs CMD, PASS if it exits 0
# Device: dev_load [nvmev params...] / dev_unload / wait_ns. With
# VM_CONTROL=qemu-nvme QEMU's own NVMe is the device and nvmev is not loaded.

KVER=$(uname -r)
CTRL=/dev/nvme0
NS=/dev/nvme0n1
# Under TCG on a small host a spinning emulator thread starves the vCPU that
# submits the I/O, so the suite uses the low-CPU polling mode; 07-sysfs
# covers the default busy mode and switching between the two.
NVMEV_ARGS="memmap_start=1G memmap_size=256M cpus=1,2 poll_mode=lowcpu"
RESULTS=/tmp/vmtest-results
: "${VM_CONTROL:=}"

log() { echo "### $*"; }

_result() {
	# one line, no control characters
	_r=$(printf '%s' "$*" | tr '\n\r\t' '   ' | cut -c1-400)
	printf 'RESULT: %s\n' "$_r"
	printf 'RESULT: %s\n' "$_r" >>"$RESULTS"
}
pass() { _result "$1 PASS"; }
fail() {
	_n=$1
	shift
	_result "$_n FAIL ${*:-failed}"
}
skip() {
	_n=$1
	shift
	_result "$_n SKIP ${*:-skipped}"
}
# check NAME CMD...: PASS when CMD exits 0 (its output goes to the log)
check() {
	_n=$1
	shift
	_t0=$(cut -d' ' -f1 /proc/uptime)
	echo "+ $*"
	if "$@"; then _rc=0; else _rc=$?; fi
	echo "  ($(awk -v a="$_t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')s)"
	if [ $_rc = 0 ]; then pass "$_n"; else fail "$_n" "rc=$_rc: $*"; fi
}
# expect NAME WANT GOT [what]: PASS when the two strings are equal
expect() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "${4:+$4: }want '$2' got '$3'"; fi
}

is_control() { [ "$VM_CONTROL" = qemu-nvme ]; }

# sleep_ms N
sleep_ms() { usleep $(($1 * 1000)); }

# wait_ns [SECS [DEV]]: until DEV (default $NS) is a block device with a size
wait_ns() {
	_w=$((${1:-30} * 10))
	_d=${2:-$NS}
	while [ $_w -gt 0 ]; do
		if [ -b "$_d" ]; then
			_s=$(cat "/sys/class/block/${_d#/dev/}/size" 2>/dev/null)
			[ -n "$_s" ] && [ "$_s" != 0 ] && return 0
		fi
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "wait_ns: no $_d after ${1:-30}s"
	ls /dev/nvme* /sys/class/nvme 2>&1
	return 1
}
# ns_blk CTRL NSID [SECS]: waits for and prints the block device (nvme0n2)
# of namespace NSID of controller CTRL (nvme0). The Y of nvmeXnY counts
# disks as the kernel adds them, which is not the NSID order once the scan
# runs in parallel (6.2 and later)
ns_blk() {
	_w=$((${3:-30} * 10))
	while [ $_w -gt 0 ]; do
		for _b in /sys/class/nvme/$1/$1n* /sys/class/nvme/$1/nvme*c*n*; do
			[ -f "$_b/nsid" ] && [ "$(cat "$_b/nsid")" = "$2" ] || continue
			_b=$(basename "$_b")
			[ -b "/dev/$_b" ] && [ "$(cat "/sys/class/block/$_b/size")" != 0 ] &&
				{ echo "$_b"; return 0; }
		done
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "ns_blk: no namespace $2 on $1 after ${3:-30}s" >&2
	return 1
}
# wait_gone [SECS [DEV]]
wait_gone() {
	_w=$((${1:-30} * 10))
	_d=${2:-$NS}
	while [ $_w -gt 0 ]; do
		[ -e "$_d" ] || return 0
		sleep_ms 100
		_w=$((_w - 1))
	done
	echo "wait_gone: $_d still there after ${1:-30}s"
	return 1
}

mod_loaded() { grep -q "^$1 " /proc/modules; }

# dev_load [PARAMS...]: nvme driver + the device (nvmev with $NVMEV_ARGS and
# PARAMS appended, or QEMU's NVMe), then wait for the namespace.
dev_load() {
	modprobe nvme || return 1
	if ! is_control; then
		# shellcheck disable=SC2086
		modprobe nvmev $NVMEV_ARGS "$@" || return 1
	fi
	wait_ns 30
}
# dev_unload: removes the device (rmmod nvmev; for QEMU's NVMe rmmod nvme)
dev_unload() {
	if is_control; then rmmod nvme; else rmmod nvmev; fi || return 1
	wait_gone 30
}

# kmsg_mark TAG: write a marker line into the kernel log
kmsg_mark() { echo "vmtest-mark: $1" >/dev/kmsg; }
# dmesg_since TAG: kernel log lines after the (last) marker TAG, no timestamps
dmesg_since() {
	dmesg | sed 's/^\[[ 0-9.]*\] //' |
		awk -v m="vmtest-mark: $1" '$0 == m { n = NR; delete l; c = 0; next } n { l[++c] = $0 }
			END { for (i = 1; i <= c; i++) print l[i] }'
}

# json_val KEY < json: first value of "KEY" (number or string, quotes removed)
json_val() {
	grep -o "\"$1\"[[:space:]]*:[[:space:]]*\(\"[^\"]*\"\|[-0-9.xa-fA-F]*\)" | head -1 |
		sed 's/^[^:]*:[[:space:]]*//; s/"//g'
}

# field_val KEY < "key : value" text (nvme-cli normal output)
field_val() {
	awk -v k="$1" -F: '{ x = $1; gsub(/[ \t]+/, "", x) } x == k { v = $0; sub(/^[^:]*:[ \t]*/, "", v); print v; exit }'
}

# nvme_sc CMD...: run an nvme-cli command that is expected to fail; print the
# NVMe status as SCT<<8|SC in hex (e.g. 0x109; DNR/More bits dropped), or
# "ok" when it succeeded, or "none(rc=N)" when no status was reported.
nvme_sc() {
	_o=$("$@" 2>&1)
	_rc=$?
	echo "$_o" | sed 's/^/    /' | head -5 >&2
	if [ $_rc = 0 ]; then
		echo ok
		return 0
	fi
	_h=$(echo "$_o" | grep -o 'NVMe status:.*(0x[0-9a-fA-F]*)' | tail -1 | sed 's/.*(\(0x[0-9a-fA-F]*\))$/\1/')
	if [ -z "$_h" ]; then
		echo "none(rc=$_rc)"
		return 0
	fi
	printf '0x%x\n' $((_h & 0x7ff))
}

# bdf of the controller behind /dev/nvme0 (e.g. 0000:00:02.0 or 10000:00:00.0)
ctrl_bdf() { basename "$(readlink -f /sys/class/nvme/nvme0/device)"; }

# io_smoke NAME: small write + read back + compare through the page cache-free path
io_smoke() {
	_tag=$1
	dd if=/dev/urandom of=/tmp/smoke.w bs=4096 count=64 2>/dev/null
	if dd if=/tmp/smoke.w of="$NS" bs=4096 seek=100 count=64 oflag=direct conv=fsync 2>/dev/null &&
		dd if="$NS" of=/tmp/smoke.r bs=4096 skip=100 count=64 iflag=direct 2>/dev/null &&
		cmp /tmp/smoke.w /tmp/smoke.r; then
		pass "$_tag"
	else
		fail "$_tag" "write/read-back of 256 KiB at 400 KiB did not compare equal"
	fi
	rm -f /tmp/smoke.w /tmp/smoke.r
}
