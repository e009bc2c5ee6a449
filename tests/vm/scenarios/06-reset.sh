# SPDX-License-Identifier: GPL-2.0-only
# 06-reset: controller reset, driver unbind/rebind, 20 load/unload cycles and
# rmmod while fio is hammering the device. I/O must work after each step and
# nothing may oops or hang (the kernel-log check is done by tests/vm/run).
# vm-timeout: 480
. /vmtest/guest/lib.sh

check load dev_load
[ -b "$NS" ] || exit 1
io_smoke io-initial

log "controller reset"
check nvme-reset nvme reset "$CTRL"
check ns-after-reset wait_ns 30
io_smoke io-after-reset
check id-ctrl-after-reset nvme id-ctrl "$CTRL" -o json >/dev/null

log "driver unbind / rebind"
bdf=$(ctrl_bdf)
echo "controller at $bdf"
check unbind sh -c "echo $bdf >/sys/bus/pci/drivers/nvme/unbind"
check ns-gone-after-unbind wait_gone 30
[ -e "/sys/bus/pci/devices/$bdf/driver" ] && fail unbound "$bdf still has a driver" || pass unbound
check bind sh -c "echo $bdf >/sys/bus/pci/drivers/nvme/bind"
check ns-after-rebind wait_ns 30
io_smoke io-after-rebind

log "20 load/unload cycles"
check unload dev_unload
i=1 errs=
t0=$(cut -d' ' -f1 /proc/uptime)
while [ $i -le 20 ]; do
	if ! dev_load >/tmp/cycle.out 2>&1; then
		errs="$errs load#$i"
		cat /tmp/cycle.out
	elif ! dd if="$NS" of=/dev/null bs=4k count=64 iflag=direct 2>/dev/null; then
		errs="$errs read#$i"
	fi
	if ! dev_unload >/tmp/cycle.out 2>&1; then
		errs="$errs unload#$i"
		cat /tmp/cycle.out
		break
	fi
	i=$((i + 1))
done
echo "cycles done in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { print b - a }')s"
if [ -z "$errs" ]; then pass load-unload-x20; else fail load-unload-x20 "failed:$errs"; fi
if is_control; then
	[ -z "$(ls /sys/class/nvme 2>/dev/null)" ] && pass no-controller-left || fail no-controller-left "$(ls /sys/class/nvme)"
else
	grep -q nvmev /proc/iomem && fail iomem-freed "nvmev still in /proc/iomem" || pass iomem-freed
fi

log "rmmod while fio runs"
# a blocked rmmod may take up to 60 s here: report hung tasks only after that
[ -w /proc/sys/kernel/hung_task_timeout_secs ] && echo 60 >/proc/sys/kernel/hung_task_timeout_secs
check load-for-fio dev_load
fio --name=busy --filename="$NS" --ioengine=libaio --direct=1 --rw=randrw --bs=4k \
	--iodepth=32 --numjobs=2 --time_based --runtime=300 --eta=never >/tmp/busy.out 2>&1 &
fpid=$!
sleep 4
kill -0 $fpid 2>/dev/null && pass fio-running || fail fio-running "fio ended early: $(tail -3 /tmp/busy.out)"
if is_control; then mod=nvme; else mod=nvmev; fi
echo "+ rmmod $mod (fio pid $fpid)"
rmmod $mod &
rpid=$!
w=0
while kill -0 $rpid 2>/dev/null && [ $w -lt 600 ]; do
	sleep_ms 100
	w=$((w + 1))
done
if kill -0 $rpid 2>/dev/null; then
	fail rmmod-returns "rmmod $mod still running after 60s"
	ps
	cat /proc/$rpid/stack 2>/dev/null
else
	wait $rpid
	rrc=$?
	echo "rmmod returned $rrc after $((w / 10)).$((w % 10))s"
	pass rmmod-returns
fi
kill $fpid 2>/dev/null
w=0
while kill -0 $fpid 2>/dev/null && [ $w -lt 300 ]; do
	sleep_ms 100
	w=$((w + 1))
done
if kill -0 $fpid 2>/dev/null; then
	fail fio-exits "fio still running 30s after SIGTERM"
	kill -9 $fpid 2>/dev/null
else
	wait $fpid
	pass fio-exits
fi
tail -n 5 /tmp/busy.out
if mod_loaded $mod; then
	echo "rmmod was refused while busy; unloading now"
	check unload-after-fio dev_unload
fi
check reload-after-busy-rmmod dev_load
io_smoke io-after-reload
check final-unload dev_unload
