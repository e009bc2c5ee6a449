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

# host_step NAME: the host runs the Ansible role now (system.sh): tell it
# the guest is ready (out/NAME.ready), wait until it says it is done
# (NAME.done); the host reports the playbook's results itself
host_step() {
	touch "$O/$1.ready"; sync
	echo "PKGTEST: waiting for the host's Ansible step $1"
	_i=0
	# (less than the boot's timeout in system.sh, so that a FAIL gets out)
	while [ ! -e "$S/$1.done" ] && [ $_i -lt 1200 ]; do sleep 1; _i=$((_i + 1)); done
	if [ -e "$S/$1.done" ]; then info "the host's Ansible step $1 ran (${_i}s)"
	else res "FAIL the host's Ansible step $1 never finished"; fi
}

# $P/ns1_of IMAGE OUT: namespace 1's data out of a module image (the layout
# of src/model/image.h: its data follows the header and its map and state
# sections, whose sizes are in the first descriptor at byte 64)
cat >$P/ns1_of <<'EOF'
#!/bin/sh
f() { od -An -tu8 -j "$1" -N8 "$IMG" | tr -d ' '; }
IMG=$1
[ "$(head -c 8 "$IMG")" = NVMEVIMG ] || { echo "ns1_of: $IMG is not a module image" >&2; exit 1; }
off=$((4096 + $(f 104) + $(f 112) + $(f 120)))
exec dd if="$IMG" of="$2" bs=1M iflag=skip_bytes,count_bytes skip=$off count="$(f 128)" conv=sparse status=none
EOF
chmod +x $P/ns1_of

# ---------------------------------------------------------------- stage 1
stage1() {
	t "this boot has no reservation" sh -c '! grep -q memmap= /proc/cmdline'
	t "test guest: systemd-udevd runs" systemctl is-active systemd-udevd
	snapshot >$P/before.list
	# the Ansible role installs the .deb (--tags nvmevirt_install: nothing configured)
	host_step install
	t "the role installed nvmevirt-dkms $V" sh -c "dpkg-query -W -f='\${Status} \${Version}' nvmevirt-dkms | grep -qx 'install ok installed $V'"
	t "dkms status: nvmevirt/$V installed for the guest kernel $K" \
		sh -c "dkms status nvmevirt | tee -a /dev/stderr | grep -q 'nvmevirt/$V, $K, x86_64: installed'"
	[ "$KVER2" = none ] || t "not built for the older kernel $KVER2 at install (stage 3 builds it through its hooks)" \
		sh -c "! dkms status nvmevirt | grep -F '$KVER2'"
	t "nvmev.ko in /lib/modules/$K/updates/dkms with vermagic $K" \
		sh -c "modinfo -F vermagic /lib/modules/$K/updates/dkms/nvmev.ko* | grep -q '^$K '"
	t "modinfo nvmev: version $V (or stub)" sh -c "v=\$(modinfo -F version nvmev); echo \$v; [ \"\$v\" = '$V' ] || [ \"\$v\" = stub ]"
	t "nvmevirt.service not enabled by the package (configure enables it)" \
		sh -c '[ "$(systemctl is-enabled nvmevirt.service)" = disabled ]'
	t "nvmevirt-metrics.timer installed, not enabled, not started" \
		sh -c 'systemctl cat nvmevirt-metrics.timer >/dev/null && [ "$(systemctl is-enabled nvmevirt-metrics.timer)" = disabled ] &&
			! systemctl is-active --quiet nvmevirt-metrics.timer'
	t "not started at install (disabled until configure): nothing loaded, not failed" \
		sh -c '! grep -q "^nvmev " /proc/modules && ! systemctl is-failed --quiet nvmevirt'
	t "fresh install is inert: no boot arguments, none in grub.cfg" \
		sh -c '[ -z "$(nvmevirtctl bootargs)" ] && ! grep -E "memmap=|nvmev\." /boot/grub/grub.cfg'
	t "configuration files are conffiles" sh -c 'dpkg-query -W -f="\${Conffiles}" nvmevirt-dkms | grep -c "/etc/" | grep -qx 3'
	cp /etc/default/nvmevirt $P/conf.before
	t "configure --size 1800M refused on a 2 GiB guest, nothing changed" \
		sh -c '! nvmevirtctl configure --size 1800M && cmp /etc/default/nvmevirt '$P'/conf.before'
	# the image lives on its own file system (the second disk, vdb),
	# mounted late: nofail, and a bounded device timeout for stage 4, which
	# boots without that disk
	t "image file system: ext4 on /dev/vdb, in fstab with nofail, mounted on /srv/img" sh -c '
		mkfs.ext4 -q -L nvimg /dev/vdb && udevadm trigger --settle /dev/vdb &&
		ls -l /dev/disk/by-label/ && test -e /dev/disk/by-label/nvimg &&
		mkdir -p /srv/img /srv/nv /mnt/hand &&
		echo "LABEL=nvimg /srv/img ext4 nofail,x-systemd.device-timeout=45s 0 2" >>/etc/fstab &&
		systemctl daemon-reload && mount /srv/img && mountpoint -q /srv/img'
	# the host runs the role now: it configures --size 256M --image
	# /srv/img/disk.img (auto start, auto CPUs) and an administrator's
	# tunable in its own modprobe.d file (threads that sleep when idle keep
	# this 3-vCPU TCG guest responsive), sees the new reservation and
	# reboots (stage 2 checks what it configured)
}

# ---------------------------------------------------------------- stage 2
stage2() {
	t "booted with memmap=256M\$1G and nvmev.* from grub.cfg" \
		sh -c 'grep -qF "memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2" /proc/cmdline'
	t "/proc/iomem: 40000000-4fffffff reserved" grep -qi '^40000000-4fffffff : reserved' /proc/iomem
	systemctl status nvmevirt --no-pager >>"$LOG" 2>&1
	journalctl -b -u nvmevirt --no-pager >>"$LOG" 2>&1
	# the role rebooted the guest into this boot and verified it; then a
	# second run changed nothing (the host checks both)
	host_step verify
	# what the role configured before its reboot
	t "the role's configuration: 256M, auto start and CPUs, the image; poll_mode=lowcpu in modprobe.d" sh -c '
		grep -E "^NVMEVIRT_(SIZE|START|CPUS|IMAGE)=" /etc/default/nvmevirt | tee -a /dev/stderr | tr "\n" " " |
			grep -qx "NVMEVIRT_SIZE=\"256M\" NVMEVIRT_START=\"auto\" NVMEVIRT_CPUS=\"auto\" NVMEVIRT_IMAGE=\"/srv/img/disk.img\" " &&
		grep -qx "options nvmev poll_mode=lowcpu" /etc/modprobe.d/nvmevirt-local.conf'
	t "configure enabled nvmevirt.service" systemctl is-enabled nvmevirt.service
	t "configure wrote the drop-in: RequiresMountsFor=/srv/img, and systemd has it" sh -c '
		cat /etc/systemd/system/nvmevirt.service.d/50-image.conf &&
		grep -qx "RequiresMountsFor=/srv/img" /etc/systemd/system/nvmevirt.service.d/50-image.conf &&
		systemctl show -P RequiresMountsFor nvmevirt.service | tee -a /dev/stderr | grep -qw /srv/img &&
		systemctl show -P After nvmevirt.service | grep -qw srv-img.mount'
	t "update-grub (run by configure) wrote the reservation into grub.cfg" \
		grep -F 'memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2' /boot/grub/grub.cfg
	t "grub-mkconfig output carries memmap=256M\\\$1G and the nvmev.* parameters" \
		sh -c 'grub-mkconfig -o /tmp/grub.cfg && grep -E "^\s*linux\s" /tmp/grub.cfg | grep -F "memmap=256M\\\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2"'
	if [ "$MODE" = stub ]; then
		t "unit ran: check-boot passed, modprobe nvmev loaded the (stub) module" \
			sh -c 'journalctl -b -u nvmevirt --no-pager | grep -q "no new NVMe namespace"'
		skip "unit active, /dev/nvme0n1, status OK, data written (stub module: no device)"
		return
	fi
	t "nvmevirt.service active" systemctl is-active nvmevirt.service
	t "/dev/nvme0n1 exists" test -b /dev/nvme0n1
	t "the module took the role's modprobe.d tunable: poll_mode lowcpu" sh -c 'grep -qx lowcpu /sys/kernel/nvmev/nvmev0/poll_mode'
	t "nvmevirtctl status: OK" sh -c 'nvmevirtctl status'
	# validated against the schema on the host (system.sh): no jsonschema here
	t "nvmevirtctl status --json: exit 0" sh -c "nvmevirtctl status --json >$O/status2.json"
	t "nvmevirt-metrics.service writes node_exporter's file; the timer enabled" sh -c '
		mkdir -p /var/lib/prometheus/node-exporter && systemctl start nvmevirt-metrics.service &&
		f=/var/lib/prometheus/node-exporter/nvmevirt.prom && cat "$f" | head -n 12 &&
		grep -qx "nvmevirt_up 1" "$f" && grep -q "^nvmevirt_namespace_info{device=\"nvmev0\",nsid=\"1\",type=\"nvm\"} 1$" "$f" &&
		systemctl enable --now nvmevirt-metrics.timer && systemctl is-active nvmevirt-metrics.timer'
	t "udev: the namespace is ready for systemd (no SYSTEMD_READY=0 after start)" sh -c '
		test -e /run/nvmevirt/ready && udevadm info -q property /dev/nvme0n1 | tee -a /dev/stderr | grep -q "^ID_MODEL=nvmevirt" &&
		! udevadm info -q property /dev/nvme0n1 | grep -q "^SYSTEMD_READY=0"'
	t "ext4 on /dev/nvme0n1 in fstab (nofail), mounted on /srv/nv and by hand on /mnt/hand; 64 MiB file" sh -c "
		mkfs.ext4 -q -L nvdata /dev/nvme0n1 && udevadm trigger --settle /dev/nvme0n1 &&
		test -e /dev/disk/by-label/nvdata &&
		echo 'LABEL=nvdata /srv/nv ext4 nofail 0 2' >>/etc/fstab && systemctl daemon-reload &&
		mount /srv/nv && mount /dev/nvme0n1 /mnt/hand &&
		head -c 67108864 /dev/urandom >/srv/nv/data.bin && sha256sum </srv/nv/data.bin >$P/data.sha && sync"
	refused_stop() { # how: what the refusal must name
		echo "== $1" >>"$LOG"
		j0=$(journalctl -u nvmevirt --no-pager -q | wc -l)
		# systemctl stop exits 0 even when ExecStop fails (systemd issue
		# 8601): the unit's failed state is what reports the refusal
		systemctl stop nvmevirt.service >>"$LOG" 2>&1
		info "$1: systemctl stop exited $?"
		jn=$(journalctl -u nvmevirt --no-pager -q | tail -n +$((j0 + 1)))
		echo "$jn" >>"$LOG"
		if [ "$(systemctl show -P ActiveState nvmevirt.service)" = failed ] && grep -q "^nvmev " /proc/modules &&
		   test -b /dev/nvme0n1 && echo "$jn" | grep -q "not stopping: .*$2" && ! test -e /srv/img/disk.img &&
		   ! test -e /srv/img/disk.img.saving; then
			res "PASS $1: stop refused, unit failed, module and device kept, nothing saved"
		else
			res "FAIL $1"
		fi
	}
	refused_stop "systemctl stop while mounted" "mounted on /srv/nv"
	t "... the file system is still mounted and its data intact" sh -c "mountpoint -q /srv/nv && sha256sum </srv/nv/data.bin | cmp - $P/data.sha"
	t "nvmevirtctl status: STOP REFUSED, not saved at shutdown, exit 1" sh -c 'nvmevirtctl status; [ $? -eq 1 ] && nvmevirtctl status | grep -q "STOP REFUSED"'
	t "systemctl start after the refused stop: active again, not reloaded (still mounted, data intact)" sh -c "
		systemctl start nvmevirt.service && systemctl is-active nvmevirt.service &&
		journalctl -u nvmevirt --no-pager | grep -q 'picked it up again' &&
		mountpoint -q /srv/nv && sha256sum </srv/nv/data.bin | cmp - $P/data.sha"
	t "... but not the hand mount, which local-fs.target waits for (After= would be a cycle)" \
		sh -c '! test -e /run/systemd/system/mnt-hand.mount.d'
	t "the adopting start ordered srv-nv.mount after nvmevirt.service (runtime drop-in)" sh -c '
		cat /run/systemd/system/srv-nv.mount.d/50-nvmevirt.conf && systemctl show -P After srv-nv.mount | tee -a /dev/stderr | grep -qw nvmevirt.service'
	echo "== restart while mounted" >>"$LOG"
	systemctl restart nvmevirt.service >>"$LOG" 2>&1; rc=$?
	if systemctl is-active --quiet nvmevirt.service && mountpoint -q /srv/nv && sha256sum </srv/nv/data.bin | cmp -s - $P/data.sha &&
	   [ "$(journalctl -u nvmevirt --no-pager | grep -c 'not stopping: ')" -ge 2 ]; then
		res "PASS systemctl restart while mounted: stop refused, start picks the device up (rc $rc), data intact"
	else
		res "FAIL systemctl restart while mounted"
	fi
	sh -c 'umount /srv/nv /mnt/hand' >>"$LOG" 2>&1
	sh -c 'exec 3</dev/ng0n1; exec sleep 600' &
	holder=$!
	sleep 1
	refused_stop "systemctl stop while /dev/ng0n1 is open" "open by PID $holder (sleep): /dev/ng0n1"
	kill $holder; wait $holder 2>/dev/null
	t "start again; mount both again for the shutdown" sh -c 'systemctl start nvmevirt.service && mount /srv/nv && mount /dev/nvme0n1 /mnt/hand && mountpoint -q /mnt/hand'
	# the clean shutdown at the end of this stage unmounts /srv/nv before
	# the unit stops (ordered), and /mnt/hand while the stop waits for it
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
		t "the clean shutdown saved the image atomically (no temporary left), recorded it" \
			sh -c 'ls -ls /srv/img; test -s /srv/img/disk.img && ! test -e /srv/img/disk.img.saving && grep -qx /srv/img/disk.img /var/lib/nvmevirt/saved-images'
		t "the saved image is the module's (NVMEVIMG), one namespace" \
			sh -c '[ "$(head -c 8 /srv/img/disk.img)" = NVMEVIMG ] && [ "$(od -An -tu4 -j24 -N4 /srv/img/disk.img | tr -d " ")" = 1 ]'
		t "its namespace 1 is a clean file system (saved after the unmounts): e2fsck -fn" \
			sh -c '$0 /srv/img/disk.img /srv/img/ns1.raw && e2fsck -fn /srv/img/ns1.raw' $P/ns1_of
		t "its namespace 1 holds the 64 MiB file written before the shutdown" \
			sh -c "debugfs -R 'cat /data.bin' /srv/img/ns1.raw 2>/dev/null | sha256sum | cmp - $P/data.sha"
		rm -f /srv/img/ns1.raw
		if journalctl -b -1 -u nvmevirt --no-pager >$P/prev.journal 2>/dev/null && [ -s $P/prev.journal ]; then
			cat $P/prev.journal >>"$LOG"
			info "last shutdown: $(grep -o 'waiting up to .*' $P/prev.journal | head -n 1 | cut -c1-120)"
			info "last shutdown: $(grep -o 'saved [0-9].*' $P/prev.journal | tail -n 1)"
			t "last shutdown: the stop saved (its last word is a save, not a refusal)" \
				sh -c "grep -E 'not stopping|nvmevirt: saved [0-9]' $P/prev.journal | tail -n 1 | grep -q 'nvmevirt: saved'"
		else
			info "no journal of the previous boot (volatile journal): shutdown messages not checked"
		fi
	fi
	t "nvmevirtctl status: configured but no reservation -> MISMATCH, exit 1" \
		sh -c 'nvmevirtctl status; [ $? -eq 1 ]'
	# a new kernel's headers: their postinst hooks (/etc/kernel/header_postinst.d,
	# as installing them runs them) make DKMS build the module for it; the
	# image holds them already, unpacked natively (under TCG that took a minute)
	if [ "$KVER2" != none ]; then
		echo "== second kernel headers" >>"$LOG"
		if timed dpkg-reconfigure -f noninteractive "linux-headers-$KVER2" >>"$LOG" 2>&1; then
			res "PASS configured linux-headers-$KVER2 again: its postinst hooks ran (${DT}s)"
		else
			res "FAIL configured linux-headers-$KVER2 again"
		fi
		t "DKMS built and installed nvmev for $KVER2 on its own" \
			sh -c "dkms status nvmevirt | tee -a /dev/stderr | grep -q 'nvmevirt/$V, $KVER2, x86_64: installed' && modinfo -F vermagic /lib/modules/$KVER2/updates/dkms/nvmev.ko* | grep -q '^$KVER2 '"
	else
		res "FAIL no second kernel headers in the image"
	fi
}

# ---------------------------------------------------------------- stage 4
# the reservation, but the disk of the image's file system is missing
stage4() {
	t "the image's file system is not there (no /dev/vdb)" sh -c '! test -b /dev/vdb && ! mountpoint -q /srv/img'
	if [ "$MODE" = stub ]; then skip "device checks (stub module)"; return; fi
	systemctl status nvmevirt --no-pager >>"$LOG" 2>&1
	t "nvmevirt.service did not start (its image mount failed): no empty device" sh -c '
		! systemctl is-active --quiet nvmevirt.service && ! grep -q "^nvmev " /proc/modules && ! test -e /dev/nvme0n1 &&
		journalctl -b -u nvmevirt --no-pager | tee -a /dev/stderr | grep -q "Dependency failed"'
	t "nvmevirtctl start by hand refuses too: the image was saved before; nothing loaded" sh -c '
		! nvmevirtctl start 2>&1 | tee -a /dev/stderr | grep -q "ready" && nvmevirtctl start 2>&1 | grep -q "was saved before" &&
		! grep -q "^nvmev " /proc/modules && ! test -e /srv/img/disk.img'
}

# ---------------------------------------------------------------- stage 5
stage5() {
	if [ "$MODE" = stub ]; then
		skip "data written before the reboots reads back (stub module: no device)"
	else
		t "nvmevirt.service active again, after srv-img.mount" sh -c 'systemctl is-active nvmevirt.service && mountpoint -q /srv/img'
		# fstab's nofail mount of the device waits for udev readiness
		i=0; while ! mountpoint -q /srv/nv && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
		t "fstab mounted /srv/nv, only after the restore finished" sh -c '
			mountpoint -q /srv/nv && j=$(journalctl -b -o short-monotonic --no-pager) &&
			r=$(echo "$j" | grep -n "nvmevirt: restored" | head -n 1 | cut -d: -f1) &&
			m=$(echo "$j" | grep -n "Mounting srv-nv.mount\|Mounting /srv/nv\|Mounting .*/srv/nv" | head -n 1 | cut -d: -f1) &&
			echo "restored at line $r, mount at line $m" && [ -n "$r" ] && [ -n "$m" ] && [ "$r" -lt "$m" ]'
		t "the 64 MiB file written three boots ago reads back; e2fsck clean before" sh -c "sha256sum </srv/nv/data.bin | cmp - $P/data.sha"
		t "srv-nv.mount ordered after nvmevirt.service by start" sh -c 'systemctl show -P After srv-nv.mount | grep -qw nvmevirt.service'
		head -c 1048576 /dev/urandom >/srv/nv/new.bin && sha256sum </srv/nv/new.bin >$P/new.sha && sync
		echo "== apt remove while mounted" >>"$LOG"
		if apt-get remove -y nvmevirt-dkms >>"$LOG" 2>&1; then
			res "FAIL apt remove while /srv/nv is mounted: it succeeded"
		elif dpkg-query -W -f='${Status}' nvmevirt-dkms | grep -q "ok installed" && grep -q "^nvmev " /proc/modules &&
		     mountpoint -q /srv/nv && sha256sum </srv/nv/new.bin | cmp -s - $P/new.sha; then
			res "PASS apt remove while /srv/nv is mounted: refused (prerm failed), package, device and data kept"
		else
			res "FAIL apt remove while /srv/nv is mounted"
		fi
		t "umount, start (picks the device up) again" sh -c 'umount /srv/nv && systemctl start nvmevirt.service && systemctl is-active nvmevirt.service'
		t "systemctl stop saves the image: a clean file system holding the newest file" sh -c "
			systemctl stop nvmevirt.service && ! grep -q '^nvmev ' /proc/modules &&
			$P/ns1_of /srv/img/disk.img /srv/img/ns1.raw && e2fsck -fn /srv/img/ns1.raw &&
			debugfs -R 'cat /new.bin' /srv/img/ns1.raw 2>/dev/null | sha256sum | cmp - $P/new.sha"
		rm -f /srv/img/ns1.raw
		several_devices
	fi
}

# nsdev NAME NSID: the block device of namespace NSID of device NAME, from
# what nvmevirtctl start recorded ("CTRL NS NAME" lines)
nsdev() {
	while read -r _c _n _d; do
		[ "$_d" = "$1" ] && [ "$(cat "/sys/block/$_n/nsid")" = "$2" ] && { echo "$_n"; return 0; }
	done </run/nvmevirt/device
	return 1
}

# the same reservation, now two devices: nvmev0 with two namespaces (ext4
# on the first, in fstab as before), nvmev1 with one; raw data on the two
# others; the shutdown saves both images
several_devices() {
	t "configure --device 128M:64M,rest@/srv/img/a.img --device 128M@/srv/img/b.img: same reservation, says restart" sh -c '
		nvmevirtctl configure --device 128M:64M,rest@/srv/img/a.img --device 128M@/srv/img/b.img | tee -a /dev/stderr |
		grep -q "systemctl restart nvmevirt" && grep -F "memmap=256M\\\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2" /boot/grub/grub.cfg'
	t "systemctl start: two controllers, three namespaces (64, 63, 127 MiB)" sh -c '
		systemctl start nvmevirt.service && systemctl is-active nvmevirt.service && cat /run/nvmevirt/device &&
		[ "$(wc -l </run/nvmevirt/device)" = 3 ] && [ "$(ls /sys/kernel/nvmev | grep -c "^nvmev[01]$")" = 2 ] &&
		s=$(while read -r c n d; do echo "$d:$(cat /sys/block/$n/nsid):$(( $(cat /sys/block/$n/size) / 2048 ))"; done </run/nvmevirt/device | sort | tr "\n" " ") &&
		echo "$s" && [ "$s" = "nvmev0:1:64 nvmev0:2:63 nvmev1:1:127 " ]'
	t "nvmevirtctl status: OK, both devices" sh -c 'nvmevirtctl status; nvmevirtctl status | grep -q "devices: 2" &&
		[ "$(nvmevirtctl status | grep -c "device: *nvmev[01]: /dev/nvme")" = 2 ] && nvmevirtctl status | tail -n 1 | grep -qx OK'
	t "nvmevirtctl status --json: exit 0, both devices" sh -c "nvmevirtctl status --json >$O/status5.json"
	n1=$(nsdev nvmev0 1); n2=$(nsdev nvmev0 2); n3=$(nsdev nvmev1 1)
	echo "$n1 $n2 $n3" >$P/nsdevs
	t "ext4 labelled nvdata on nvmev0 namespace 1 (/dev/$n1), mounted by fstab's line; raw data on /dev/$n2 and /dev/$n3" sh -c "
		mkfs.ext4 -q -F -L nvdata /dev/$n1 && udevadm trigger --settle /dev/$n1 && mount /srv/nv &&
		head -c 16777216 /dev/urandom >/srv/nv/multi.bin && sha256sum </srv/nv/multi.bin >$P/multi.sha &&
		head -c 8388608 /dev/urandom >$P/raw2 && dd if=$P/raw2 of=/dev/$n2 bs=1M seek=4 oflag=direct status=none &&
		head -c 8388608 /dev/urandom >$P/raw3 && dd if=$P/raw3 of=/dev/$n3 bs=1M seek=100 oflag=direct status=none && sync"
	# the clean shutdown at the end of this stage unmounts /srv/nv and
	# saves both images
}

# ---------------------------------------------------------------- stage 6
# the reservation again, two devices: every namespace read back; removal
stage6() {
	if [ "$MODE" = stub ]; then
		skip "two devices read back after the reboot (stub module: no device)"
	else
		t "nvmevirt.service active, two devices, three namespaces" sh -c '
			systemctl is-active nvmevirt.service && cat /run/nvmevirt/device && [ "$(wc -l </run/nvmevirt/device)" = 3 ]'
		t "the shutdown saved both images (2 and 1 namespaces), recorded" sh -c '
			ls -l /srv/img; [ "$(od -An -tu4 -j24 -N4 /srv/img/a.img | tr -d " ")" = 2 ] &&
			[ "$(od -An -tu4 -j24 -N4 /srv/img/b.img | tr -d " ")" = 1 ] &&
			grep -qx /srv/img/a.img /var/lib/nvmevirt/saved-images && grep -qx /srv/img/b.img /var/lib/nvmevirt/saved-images'
		i=0; while ! mountpoint -q /srv/nv && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
		t "fstab mounted /srv/nv (nvmev0 namespace 1) after the restores; its file reads back" sh -c "
			mountpoint -q /srv/nv && sha256sum </srv/nv/multi.bin | cmp - $P/multi.sha &&
			j=\$(journalctl -b -o short-monotonic --no-pager) &&
			r=\$(echo \"\$j\" | grep -n 'nvmevirt: nvmev1: restored' | head -n 1 | cut -d: -f1) &&
			m=\$(echo \"\$j\" | grep -n 'Mounting srv-nv.mount\\|Mounting /srv/nv\\|Mounting .*/srv/nv' | head -n 1 | cut -d: -f1) &&
			echo \"restored at line \$r, mount at line \$m\" && [ -n \"\$r\" ] && [ -n \"\$m\" ] && [ \"\$r\" -lt \"\$m\" ]"
		n2=$(nsdev nvmev0 2); n3=$(nsdev nvmev1 1)
		t "nvmev0 namespace 2 (/dev/$n2) and nvmev1 namespace 1 (/dev/$n3) hold their data" sh -c "
			dd if=/dev/$n2 bs=1M skip=4 count=8 iflag=direct status=none | cmp - $P/raw2 &&
			dd if=/dev/$n3 bs=1M skip=100 count=8 iflag=direct status=none | cmp - $P/raw3"
		t "nvmevirtctl status: OK" sh -c 'nvmevirtctl status; nvmevirtctl status | tail -n 1 | grep -qx OK'
		head -c 1048576 /dev/urandom >/srv/nv/new.bin && sha256sum </srv/nv/new.bin >$P/new.sha && sync
		t "umount for the removal" umount /srv/nv
	fi
	# the role removes the package (nvmevirt_state=absent)
	host_step remove
	t "after the role's removal: nvmevirt-dkms removed, its configuration kept, the role's files gone" sh -c '
		dpkg-query -W -f="\${Status}" nvmevirt-dkms | tee -a /dev/stderr | grep -qx "deinstall ok config-files" &&
		! test -e /etc/modprobe.d/nvmevirt-local.conf && ! test -e /var/cache/nvmevirt-ansible'
	if [ "$MODE" != stub ]; then
		t "apt remove saved the images first: nvmev0's namespace 1 a clean file system holding the newest file" sh -c "
			$P/ns1_of /srv/img/a.img /srv/img/ns1.raw && e2fsck -fn /srv/img/ns1.raw &&
			debugfs -R 'cat /new.bin' /srv/img/ns1.raw 2>/dev/null | sha256sum | cmp - $P/new.sha"
		rm -f /srv/img/ns1.raw
		info "$(journalctl -u nvmevirt --no-pager | grep -o 'saved [0-9].*' | tail -n 1)"
	fi
	t "after remove: nvmev not loaded, unit inactive, not enabled any more" \
		sh -c '! grep -q "^nvmev " /proc/modules && ! systemctl is-active --quiet nvmevirt && ! test -e /etc/systemd/system/multi-user.target.wants/nvmevirt.service'
	t "after remove: the metrics timer stopped and not enabled any more, its file gone" \
		sh -c '! systemctl is-active --quiet nvmevirt-metrics.timer && ! test -e /etc/systemd/system/timers.target.wants/nvmevirt-metrics.timer &&
			! test -e /var/lib/prometheus/node-exporter/nvmevirt.prom'
	# the directory stage 2 made for it stands for node_exporter's: not the package's
	rmdir /var/lib/prometheus/node-exporter /var/lib/prometheus 2>/dev/null || true
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
	t "after purge: the images outside /var/lib/nvmevirt are the user's and stay" sh -c 'test -s /srv/img/disk.img && { [ "$0" = stub ] || { test -s /srv/img/a.img && test -s /srv/img/b.img; }; }' "$MODE"
	snapshot >$P/after.list
	# new files that are not the package's: the second kernel's headers,
	# dpkg/apt/journal state, dkms's own signing key, depmod output, the
	# test's own mount points
	abi=$(echo "${KVER2%-amd64}" | sed 's/\./\\./g')
	comm -13 $P/before.list $P/after.list | grep -v -E \
		"^/usr/src/linux-headers-$abi-|^/usr/share/doc/linux-headers-$abi-|^(/usr)?/lib/modules/$abi-amd64(/build|/source|/updates|/updates/dkms)?\$|^(/usr)?/lib/modules/[^/]+/modules\.|^/var/lib/(dpkg|apt|systemd)/|^/var/lib/dkms/mok\.(key|pub)\$|^/var/cache/|^/var/log/|^/etc/ld\.so\.cache\$|^/root/|^/var/tmp/|^/boot/grub/grub\.cfg|^/srv/(img|nv)\$|^/etc/fstab\$" >$P/leftover
	t "after purge: nothing new on the disk but unrelated state (dpkg, logs, headers)" sh -c "cat $P/leftover; [ ! -s $P/leftover ]"
}

echo "PKGTEST: stage $stage start ($MODE module)"
case $stage in
1) stage1 ;; 2) stage2 ;; 3) stage3 ;; 4) stage4 ;; 5) stage5 ;; 6) stage6 ;;
*) res "FAIL unknown stage '$stage'" ;;
esac
res "DONE"
sync
# stage 1 ends with the role's run that configures and reboots (the host
# runs it now): until the reboot stops this, grub.cfg goes to the host,
# which boots the next stage with its command line as GRUB would
if [ "$stage" = 1 ]; then
	touch "$O/reboot.ready"; sync
	_i=0
	while [ $_i -lt 900 ]; do
		cp /boot/grub/grub.cfg "$O/grub.cfg.tmp" && mv -f "$O/grub.cfg.tmp" "$O/grub.cfg"; sync
		sleep 2; _i=$((_i + 2))
	done
fi
