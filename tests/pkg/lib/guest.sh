#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# shellcheck disable=SC2016 # sh -c scripts in single quotes
# Guest side of the package system test (see system.sh).  Run by
# pkgtest.service from the 9p share /mnt/host; the stage number comes from
# the kernel command line (pkgtest.stage=N).  Writes "RESULT PASS|FAIL|
# SKIP|INFO text" lines to out/stageN.results, the details of each check
# to out/stageN.log, and "RESULT DONE" last.  The unit powers off after.
S=/mnt/host
O=$S/out
stage=$(sed -n 's/.*pkgtest\.stage=\([0-9]*\).*/\1/p' /proc/cmdline)
RES=$O/stage$stage.results
LOG=$O/stage$stage.log
: >"$RES"; : >"$LOG"
MODE=$(cat $S/mode)
V=$(cat $S/version)
KVER2=$(cat $S/kver2)
K=$(uname -r)
P=/var/lib/pkgtest
mkdir -p $P
export DEBIAN_FRONTEND=noninteractive

res() { echo "RESULT $*" >>"$RES"; echo "PKGTEST: $*"; sync; }
# t NAME CMD...: one check; output goes to the log under "== NAME"
t() {
	name=$1; shift
	echo "== $name" >>"$LOG"
	if "$@" >>"$LOG" 2>&1; then res "PASS $name"; else res "FAIL $name"; fi
}
info() { res "INFO $*"; }
skip() { res "SKIP $*"; }
timed() { # CMD...: run it, its duration in seconds goes to DT
	_s=$(date +%s)
	"$@"; _rc=$?
	DT=$(( $(date +%s) - _s ))
	return $_rc
}

# files on the root file system, for the purge check
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
		-o -path /mnt -o -path $P \) -prune -o -print | sort
}

unit_prop() { systemctl show -P "$1" nvmevirt.service; }

# ---------------------------------------------------------------- stage 1
stage1() {
	t "this boot has no reservation" sh -c '! grep -q memmap= /proc/cmdline'
	snapshot >$P/before.list
	echo "== apt install" >>"$LOG"
	if timed apt-get install -y --no-install-recommends "$S/nvmevirt-dkms_${V}_all.deb" >>"$LOG" 2>&1; then
		res "PASS apt install ./nvmevirt-dkms_${V}_all.deb (${DT}s, DKMS build included)"
	else
		res "FAIL apt install ./nvmevirt-dkms_${V}_all.deb"
	fi
	t "dkms status: nvmevirt/$V installed for the guest kernel $K" \
		sh -c "dkms status nvmevirt | tee /dev/stderr | grep -q 'nvmevirt/$V, $K, x86_64: installed'"
	t "nvmev.ko in /lib/modules/$K/updates/dkms with vermagic $K" \
		sh -c "modinfo -F vermagic /lib/modules/$K/updates/dkms/nvmev.ko* | grep -q '^$K '"
	t "modinfo nvmev: version $V (or stub)" sh -c "v=\$(modinfo -F version nvmev); echo \$v; [ \"\$v\" = '$V' ] || [ \"\$v\" = stub ]"
	t "nvmevirt.service enabled by the package" systemctl is-enabled nvmevirt.service
	t "started at install without a reservation: condition failed, not failed" \
		sh -c '[ "$(systemctl show -P ConditionResult nvmevirt)" = no ] && ! systemctl is-failed --quiet nvmevirt'
	t "fresh install is inert: no boot arguments, none in grub.cfg" \
		sh -c '[ -z "$(nvmevirtctl bootargs)" ] && ! grep -E "memmap=|nvmev\." /boot/grub/grub.cfg'
	t "configuration files are conffiles" sh -c 'dpkg-query -W -f="\${Conffiles}" nvmevirt-dkms | grep -c "/etc/" | grep -qx 3'
	# an administrator's tunable in the modprobe.d conffile: threads that
	# sleep when idle keep this 3-vCPU TCG guest responsive
	echo "options nvmev poll_mode=lowcpu" >>/etc/modprobe.d/nvmevirt.conf
	cp /etc/default/nvmevirt $P/conf.before
	t "configure --size 1800M refused on a 2 GiB guest, nothing changed" \
		sh -c '! nvmevirtctl configure --size 1800M && cmp /etc/default/nvmevirt '$P'/conf.before'
	t "configure --size 256M --image ... (auto start, auto CPUs): says reboot" \
		sh -c 'nvmevirtctl configure --size 256M --image /var/lib/nvmevirt/disk.img | tee /dev/stderr | grep -q "Reboot"'
	t "status before the reboot: MISMATCH, exit 1" sh -c 'nvmevirtctl status; [ $? -eq 1 ] && nvmevirtctl status | grep -q MISMATCH'
	t "update-grub (run by configure) wrote the reservation into grub.cfg" \
		grep -F 'memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2' /boot/grub/grub.cfg
	t "grub-mkconfig output carries memmap=256M\\\$1G and the nvmev.* parameters" \
		sh -c 'grub-mkconfig -o /tmp/grub.cfg && grep -E "^\s*linux\s" /tmp/grub.cfg | grep -F "memmap=256M\\\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2"'
	cp /boot/grub/grub.cfg "$O/grub.cfg"
}

# ---------------------------------------------------------------- stage 2
stage2() {
	t "booted with memmap=256M\$1G and nvmev.* from grub.cfg" \
		sh -c 'grep -qF "memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2" /proc/cmdline'
	t "/proc/iomem: 40000000-4fffffff reserved" grep -qi '^40000000-4fffffff : reserved' /proc/iomem
	systemctl status nvmevirt --no-pager >>"$LOG" 2>&1
	journalctl -b -u nvmevirt --no-pager >>"$LOG" 2>&1
	if [ "$MODE" = stub ]; then
		t "unit ran: check-boot passed, modprobe nvmev loaded the (stub) module" \
			sh -c 'journalctl -b -u nvmevirt --no-pager | grep -q "no new NVMe namespace"'
		skip "unit active, /dev/nvme0n1, status OK, data written (stub module: no device)"
		return
	fi
	t "nvmevirt.service active" systemctl is-active nvmevirt.service
	t "/dev/nvme0n1 exists" test -b /dev/nvme0n1
	t "nvmevirtctl status: OK" sh -c 'nvmevirtctl status'
	t "write 64 MiB of random data to /dev/nvme0n1" sh -c "head -c 67108864 /dev/urandom >$P/pattern && dd if=$P/pattern of=/dev/nvme0n1 bs=1M oflag=direct conv=fsync status=none && cmp $P/pattern /dev/nvme0n1 -n 67108864"
}

# ---------------------------------------------------------------- stage 3
stage3() {
	t "this boot has no reservation" sh -c '! grep -q memmap= /proc/cmdline'
	systemctl status nvmevirt --no-pager >>"$LOG" 2>&1
	t "nvmevirt.service skipped (condition failed), not failed" \
		sh -c '[ "$(systemctl show -P ConditionResult nvmevirt)" = no ] && [ "$(systemctl show -P ActiveState nvmevirt)" = inactive ] && ! systemctl is-failed --quiet nvmevirt'
	# (under TCG on a busy host early mounts may fail with 'protocol': not ours)
	t "systemctl --failed does not list nvmevirt.service" \
		sh -c 'f=$(systemctl list-units --failed --plain --no-legend); echo "$f"; ! echo "$f" | grep -q nvmevirt'
	t "nvmev not loaded" sh -c '! grep -q "^nvmev " /proc/modules'
	if [ "$MODE" = stub ]; then
		skip "image saved at the clean shutdown (stub module: no device)"
	else
		t "the clean shutdown saved the image atomically (no temporary left)" \
			sh -c 'ls -l /var/lib/nvmevirt; test -s /var/lib/nvmevirt/disk.img && ! test -e /var/lib/nvmevirt/disk.img.saving'
	fi
	t "nvmevirtctl status: configured but no reservation -> MISMATCH, exit 1" \
		sh -c 'nvmevirtctl status; [ $? -eq 1 ]'
	# a new kernel's headers: DKMS builds the module for it on its own
	if [ "$KVER2" != none ] && ls "$S"/debs/*.deb >/dev/null 2>&1; then
		echo "== second kernel headers" >>"$LOG"
		if timed apt-get install -y --no-install-recommends "$S"/debs/*.deb >>"$LOG" 2>&1; then
			res "PASS installed linux-headers-$KVER2 (${DT}s)"
		else
			res "FAIL installed linux-headers-$KVER2"
		fi
		t "DKMS built and installed nvmev for $KVER2 on its own" \
			sh -c "dkms status nvmevirt | tee /dev/stderr | grep -q 'nvmevirt/$V, $KVER2, x86_64: installed' && modinfo -F vermagic /lib/modules/$KVER2/updates/dkms/nvmev.ko* | grep -q '^$KVER2 '"
	else
		res "FAIL no second kernel headers to install"
	fi
}

# ---------------------------------------------------------------- stage 4
stage4() {
	if [ "$MODE" = stub ]; then
		skip "data written before the reboots reads back (stub module: no device)"
	else
		t "nvmevirt.service active again" systemctl is-active nvmevirt.service
		t "data written two boots ago reads back from /dev/nvme0n1" cmp -n 67108864 $P/pattern /dev/nvme0n1
	fi
	echo "== apt remove" >>"$LOG"
	if timed apt-get remove -y nvmevirt-dkms >>"$LOG" 2>&1; then res "PASS apt remove nvmevirt-dkms (${DT}s)"; else res "FAIL apt remove nvmevirt-dkms"; fi
	t "after remove: nvmev not loaded, unit inactive" \
		sh -c '! grep -q "^nvmev " /proc/modules && ! systemctl is-active --quiet nvmevirt'
	t "after remove: no nvmev.ko for any kernel, DKMS knows no nvmevirt" \
		sh -c '! ls /lib/modules/*/updates/dkms/nvmev.ko* 2>/dev/null && [ -z "$(dkms status nvmevirt)" ] && ! test -e /var/lib/dkms/nvmevirt'
	t "after remove: configuration kept (conffiles)" \
		sh -c 'grep -qx "NVMEVIRT_SIZE=\"256M\"" /etc/default/nvmevirt && test -f /etc/default/grub.d/nvmevirt.cfg'
	t "after remove: grub.cfg regenerated by postrm has no reservation" \
		sh -c '! grep -E "memmap=|nvmev\." /boot/grub/grub.cfg'
	t "after remove: a fresh grub-mkconfig has no reservation either" \
		sh -c 'grub-mkconfig -o /tmp/grub.cfg && ! grep -E "memmap=|nvmev\." /tmp/grub.cfg'
	echo "== apt purge" >>"$LOG"
	if timed apt-get purge -y nvmevirt-dkms >>"$LOG" 2>&1; then res "PASS apt purge nvmevirt-dkms (${DT}s)"; else res "FAIL apt purge nvmevirt-dkms"; fi
	t "after purge: no file named *nvmev* left anywhere" \
		sh -c 'f=$(find / -xdev \( -path /proc -o -path /sys -o -path /mnt -o -path '$P' \) -prune -o -iname "*nvmev*" -print); echo "$f"; [ -z "$f" ]'
	snapshot >$P/after.list
	# new files that are not the package's: the second kernel's headers,
	# dpkg/apt/journal state, dkms's own signing key, depmod output
	abi=$(echo "${KVER2%-amd64}" | sed 's/\./\\./g')
	comm -13 $P/before.list $P/after.list | grep -v -E \
		"^/usr/src/linux-headers-$abi-|^/usr/share/doc/linux-headers-$abi-|^(/usr)?/lib/modules/$abi-amd64(/build|/source|/updates|/updates/dkms)?\$|^(/usr)?/lib/modules/[^/]+/modules\.|^/var/lib/(dpkg|apt|systemd)/|^/var/lib/dkms/mok\.(key|pub)\$|^/var/cache/|^/var/log/|^/etc/ld\.so\.cache\$|^/root/|^/var/tmp/|^/boot/grub/grub\.cfg" >$P/leftover
	t "after purge: nothing new on the disk but unrelated state (dpkg, logs, headers)" sh -c "cat $P/leftover; [ ! -s $P/leftover ]"
}

echo "PKGTEST: stage $stage start ($MODE module)"
case $stage in
1) stage1 ;; 2) stage2 ;; 3) stage3 ;; 4) stage4 ;;
*) res "FAIL unknown stage '$stage'" ;;
esac
res "DONE"
sync
