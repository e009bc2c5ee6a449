#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the VM test initramfs (busybox sh, PID 1; never exits).
#
# Kernel command line (set by tests/vm/lib/host.sh):
#   vmtest.run=NAME        run /vmtest/scenarios/NAME.sh (or /vmtest/guest/NAME.sh)
#   vmtest.timeout=SECS    guest-side watchdog for that script
#   vmtest.control=qemu-nvme  QEMU's own NVMe is attached, don't load nvmev
#
# Serial log protocol (parsed by tests/vm/run):
#   VMTEST-BEGIN NAME ...          the script starts
#   RESULT: <check> PASS|FAIL <why>|SKIP <why>   (live, from guest/lib.sh)
#   VMTEST-RESULTS-BEGIN / -END    the same RESULT lines again, printed with
#                                  the console quiet so printk can't split them
#   VMTEST-DMESG-BEGIN / -END      full dmesg
#   VMTEST-END NAME rc=N           the end marker; missing = crash or hang
# Then the VM is ended through isa-debug-exit (QEMU exit status 33).
export PATH=/usr/sbin:/usr/bin
export HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# as systemd does at boot (sys-kernel-config.mount): nvmev needs configfs
modprobe configfs 2>/dev/null && mount -t configfs configfs /sys/kernel/config
exec </dev/console >/dev/console 2>&1

up() { cut -d' ' -f1 /proc/uptime; }

RUN= TMO=600
VM_CONTROL=
for w in $(cat /proc/cmdline); do
	case $w in
	vmtest.run=*) RUN=${w#*=} ;;
	vmtest.timeout=*) TMO=${w#*=} ;;
	vmtest.control=*) VM_CONTROL=${w#*=} ;;
	esac
done
export VM_CONTROL

# Only err and worse reach the console while the script runs (oops and panic
# force themselves through); everything is in the dmesg dump at the end.
dmesg -n 4
# Report a stuck task while the VM is still alive (default is 120 s).
[ -w /proc/sys/kernel/hung_task_timeout_secs ] && echo 20 >/proc/sys/kernel/hung_task_timeout_secs

script=/vmtest/scenarios/$RUN.sh
[ -f "$script" ] || script=/vmtest/guest/$RUN.sh
echo "VMTEST-BEGIN $RUN control=${VM_CONTROL:-none} kernel=$(uname -r) uptime=$(up)"
echo "VMTEST-CMDLINE $(cat /proc/cmdline)"
: >/tmp/vmtest-results
cd /tmp
t0=$(cut -d. -f1 /proc/uptime)
if [ -f "$script" ]; then
	# full path: busybox's timeout would start its own ash applet for "sh"
	timeout -s KILL "$TMO" /usr/bin/dash "$script"
	rc=$?
else
	echo "RESULT: $RUN FAIL no such script" | tee -a /tmp/vmtest-results
	rc=127
fi
t1=$(cut -d. -f1 /proc/uptime)
if [ "$rc" -ge 128 ] && [ $((t1 - t0)) -ge "$TMO" ]; then
	echo "RESULT: guest-timeout FAIL $RUN still running after ${TMO}s (killed)" |
		tee -a /tmp/vmtest-results
fi

dmesg -n 1
echo "VMTEST-RESULTS-BEGIN"
cat /tmp/vmtest-results
echo "VMTEST-RESULTS-END"
echo "VMTEST-DMESG-BEGIN"
dmesg
echo "VMTEST-DMESG-END"
echo "VMTEST-END $RUN rc=$rc uptime=$(up)"
sync
# isa-debug-exit at 0xf4: QEMU exits with (0x10 << 1) | 1 = 33
printf '\020' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f
sleep 1000000
