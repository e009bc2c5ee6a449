# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2016 # literal $ in scripts written here
# Unit tests of the data safety of the persistence image (issue 8), against
# fake roots; sourced by tests/pkg/run after lib/unit.sh (mkroot, ctl,
# expect_eq).  Every fake root has a fake systemctl (NVMEVIRT_TEST_SYSTEMD)
# that logs its calls and answers is-system-running from a file.

# sroot NAME: a fake machine with a real NVMe disk (nvme0, a Samsung) and
# fake modprobe/udevadm/systemctl; "modprobe nvmev" creates controller
# nvme1 (model "nvmevirt NVM SSD") with an 8 MiB namespace nvme1n1 (259:1)
sroot() {
	local r
	r=$(mkroot "$1")
	mkdir -p "$r/sys/class/nvme/nvme0/nvme0n1" "$r/sys/block/nvme0n1" "$r/proc/self" "$r/run"
	echo "Samsung SSD 980 PRO 1TB" >"$r/sys/class/nvme/nvme0/model"
	echo 259:0 >"$r/sys/block/nvme0n1/dev"
	echo 2000 >"$r/sys/block/nvme0n1/size"
	head -c 1048576 /dev/zero >"$r/dev/nvme0n1"
	: >"$r/proc/self/mountinfo"
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' >"$r/proc/swaps"
	cat >"$r/bin/modprobe" <<'EOF'
#!/bin/sh
echo "modprobe $*" >>"$NVMEVIRT_ROOT/modprobe.log"
[ "$1" = nvme ] && exit 0
R=$NVMEVIRT_ROOT
if [ "$1" = -r ]; then
	[ ! -e "$R/modprobe.busy" ] || { echo "modprobe: FATAL: Module nvmev is in use." >&2; exit 1; }
	rm -rf "$R/sys/module/nvmev" "$R/sys/class/nvme/nvme1" "$R/sys/block/nvme1n1" "$R/dev/nvme1n1"
	exit 0
fi
mkdir -p "$R/sys/module/nvmev" "$R/sys/class/nvme/nvme1/nvme1n1" "$R/sys/block/nvme1n1/holders"
echo "nvmevirt NVM SSD" >"$R/sys/class/nvme/nvme1/model"
echo 259:1 >"$R/sys/block/nvme1n1/dev"
echo 16384 >"$R/sys/block/nvme1n1/size"
head -c 8388608 /dev/zero >"$R/dev/nvme1n1"
EOF
	printf '#!/bin/sh\nexit 0\n' >"$r/bin/udevadm"
	cat >"$r/bin/systemctl" <<'EOF'
#!/bin/sh
R=$NVMEVIRT_ROOT
echo "systemctl $*" >>"$R/systemctl.log"
case $1 in
is-system-running) cat "$R/system-state" 2>/dev/null || echo running ;;
list-units) cat "$R/mount-units" 2>/dev/null ;;
show)
	# like systemctl: a unit name that starts with "-" is an option
	# unless "--" came first
	for a in "$@"; do
		case $a in --) break ;; -.mount) echo "systemctl: invalid option -- '.'" >&2; exit 1 ;; esac
	done
	cat "$R/mount-show" 2>/dev/null ;;
esac
exit 0
EOF
	# dd that fails like a full disk when the image's target is *.saving
	# and $R/dd.fail exists
	cat >"$r/bin/dd" <<'EOF'
#!/bin/sh
for a in "$@"; do
	case $a in
	of=*.saving)
		if [ -e "$NVMEVIRT_ROOT/dd.fail" ]; then
			head -c 65536 /dev/urandom >"${a#of=}"
			echo "dd: error writing '${a#of=}': No space left on device" >&2
			exit 1
		fi ;;
	esac
done
exec /bin/dd "$@"
EOF
	chmod +x "$r/bin/modprobe" "$r/bin/udevadm" "$r/bin/systemctl" "$r/bin/dd"
	echo "$r"
}
sctl() { local r=$1; shift; NVMEVIRT_TEST_SYSTEMD=1 ctl "$r" "$@"; }
loaded() { [ -d "$1/sys/module/nvmev" ]; }
# refused NAME ROOT WORD: stop must fail naming WORD, keep the module,
# the device's data and the image, and leave no temporary file
refused() {
	local name=$1 r=$2 word=$3 msg rc
	cp "$r/dev/nvme1n1" "$U/dev.before"
	cp "$r/var/lib/nvmevirt/disk.img" "$U/img.before" 2>/dev/null || rm -f "$U/img.before"
	msg=$(sctl "$r" stop 2>&1); rc=$?
	if [ $rc -eq 0 ]; then fail "$name: stop succeeded" "$msg"
	elif ! loaded "$r" || ! cmp -s "$U/dev.before" "$r/dev/nvme1n1"; then fail "$name: device removed or changed" "$msg"
	elif [ -e "$U/img.before" ] && ! cmp -s "$U/img.before" "$r/var/lib/nvmevirt/disk.img"; then fail "$name: image changed" "$msg"
	elif [ -e "$r/var/lib/nvmevirt/disk.img.saving" ]; then fail "$name: temporary left" "$msg"
	elif ! printf '%s' "$msg" | grep -q -- "$word"; then fail "$name: message does not say '$word'" "$msg"
	else pass "$name -> rc $rc: $(printf '%s' "$msg" | head -n 1 | cut -c1-100)"
	fi
}

section "unit: data safety, stop while the device is in use"
S1=$(sroot busy)
sctl "$S1" configure --size 256M --image /var/lib/nvmevirt/disk.img >/dev/null 2>&1
sctl "$S1" start >/dev/null 2>&1
head -c 8388608 /dev/urandom >"$S1/dev/nvme1n1"
sctl "$S1" save >/dev/null 2>&1
head -c 8388608 /dev/urandom >"$S1/dev/nvme1n1"
echo '36 25 259:1 / /srv/nv rw,relatime shared:1 - ext4 /dev/nvme1n1 rw' >"$S1/proc/self/mountinfo"
refused "stop while mounted: refused, nothing saved or removed" "$S1" "mounted on /srv/nv"
if [ "$(cat "$S1/run/nvmevirt/refused" 2>/dev/null)" != "" ] && msg=$(sctl "$S1" status 2>&1; echo "rc=$?") &&
   printf '%s' "$msg" | grep -q "STOP REFUSED" && printf '%s' "$msg" | grep -q 'NOT saved at shutdown' && printf '%s' "$msg" | grep -q 'rc=1'; then
	pass "status after a refused stop: STOP REFUSED, not saved at shutdown, rc 1"
else fail "status after a refused stop" "$msg"; fi
n=$(grep -c '^modprobe nvmev' "$S1/modprobe.log")
msg=$(sctl "$S1" start 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '^modprobe nvmev' "$S1/modprobe.log")" = "$n" ] && cmp -s "$U/dev.before" "$S1/dev/nvme1n1" &&
   printf '%s' "$msg" | grep -q "picked it up again" && [ ! -e "$S1/run/nvmevirt/refused" ]; then
	pass "start after a refused stop: picks the running device up, not reloaded, contents kept"
else fail "start after a refused stop" "$msg"; fi
echo '36 25 259:2 / /srv/p1 rw - ext4 /dev/nvme1n1p1 rw' >"$S1/proc/self/mountinfo"
mkdir -p "$S1/sys/block/nvme1n1/nvme1n1p1"; echo 259:2 >"$S1/sys/block/nvme1n1/nvme1n1p1/dev"
refused "stop while a partition is mounted: refused" "$S1" "mounted on /srv/p1"
: >"$S1/proc/self/mountinfo"
printf '/dev/nvme1n1p1                          partition\t8388604\t\t0\t\t-2\n' >>"$S1/proc/swaps"
refused "stop while a partition is swap: refused" "$S1" "swap on /dev/nvme1n1p1"
sed -i '2,$d' "$S1/proc/swaps"
rm -rf "$S1/sys/block/nvme1n1/nvme1n1p1"
mkdir -p "$S1/sys/block/nvme1n1/holders/dm-0"
refused "stop while held by device mapper: refused" "$S1" "held by dm-0"
rmdir "$S1/sys/block/nvme1n1/holders/dm-0"
mkdir -p "$S1/proc/4242/fd"; echo fio >"$S1/proc/4242/comm"; ln -s /dev/ng1n1 "$S1/proc/4242/fd/3"
refused "stop while the generic char device is open: refused, names the process" "$S1" "open by PID 4242 (fio): /dev/ng1n1"
rm "$S1/proc/4242/fd/3"; ln -s /dev/nvme1 "$S1/proc/4242/fd/5"
refused "stop while the controller char device is open: refused" "$S1" "PID 4242 (fio): /dev/nvme1"
rm -rf "$S1/proc/4242"
# the other NVMe disk's users are none of our business
echo '30 25 259:0 / / rw - ext4 /dev/nvme0n1 rw' >"$S1/proc/self/mountinfo"
mkdir -p "$S1/proc/77/fd"; ln -s /dev/nvme0n1 "$S1/proc/77/fd/0"; ln -s /dev/nvme10n1 "$S1/proc/77/fd/1"
cp "$S1/dev/nvme1n1" "$U/dev.before"
msg=$(sctl "$S1" stop 2>&1); rc=$?
if [ $rc -eq 0 ] && ! loaded "$S1" && cmp -s "$U/dev.before" "$S1/var/lib/nvmevirt/disk.img"; then
	pass "stop with only the other disk (nvme0n1, nvme10n1) in use: saves and unloads"
else fail "stop, other disk busy" "$msg"; fi
rm -rf "$S1/proc/77"; : >"$S1/proc/self/mountinfo"

section "unit: data safety, stop at shutdown"
sctl "$S1" start >/dev/null 2>&1
head -c 8388608 /dev/urandom >"$S1/dev/nvme1n1"; cp "$S1/dev/nvme1n1" "$U/dev.before"
echo stopping >"$S1/system-state"
# a fake umount: drops the mount point's line from the fake mountinfo,
# unless $R/umount.busy names it
cat >"$S1/bin/umount" <<'EOF'
#!/bin/sh
[ "$1" = -- ] && shift
mp=${1#"$NVMEVIRT_ROOT"}
echo "umount $mp" >>"$NVMEVIRT_ROOT/umount.log"
grep -qxF "$mp" "$NVMEVIRT_ROOT/umount.busy" 2>/dev/null && { echo "umount: $mp: target is busy." >&2; exit 32; }
esc=$(printf '%s' "$mp" | sed 's/ /\\040/g')
grep -v -F " $esc " "$NVMEVIRT_ROOT/proc/self/mountinfo" >"$NVMEVIRT_ROOT/mi.tmp"
mv "$NVMEVIRT_ROOT/mi.tmp" "$NVMEVIRT_ROOT/proc/self/mountinfo"
EOF
chmod +x "$S1/bin/umount"
printf '%s\n' '36 25 259:1 / /srv/nv rw - ext4 /dev/nvme1n1 rw' '37 36 259:1 / /srv/nv/in\040side rw - ext4 /dev/nvme1n1 rw' \
	'38 25 259:0 / /home rw - ext4 /dev/nvme0n1 rw' >"$S1/proc/self/mountinfo"
: >"$S1/umount.log"
msg=$(NVMEVIRT_BUSY_WAIT=30 sctl "$S1" stop 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/dev.before" "$S1/var/lib/nvmevirt/disk.img" && ! loaded "$S1" &&
   [ "$(cat "$S1/umount.log")" = "$(printf 'umount /srv/nv/in side\numount /srv/nv')" ]; then
	pass "shutdown: unmounts the file systems on the device (innermost first, not the other disk's), then saves"
else fail "shutdown unmount" "$msg"$'\n'"$(cat "$S1/umount.log")"; fi
sctl "$S1" start >/dev/null 2>&1
echo '36 25 259:1 / /srv/nv rw - ext4 /dev/nvme1n1 rw' >"$S1/proc/self/mountinfo"
echo /srv/nv >"$S1/umount.busy"
# the process that keeps it busy goes away 2 s later
(sleep 2; rm -f "$S1/umount.busy") &
msg=$(NVMEVIRT_BUSY_WAIT=30 sctl "$S1" stop 2>&1); rc=$?
wait
if [ $rc -eq 0 ] && printf '%s' "$msg" | grep -q "waiting up to 30 s" && ! loaded "$S1"; then
	pass "shutdown: a busy file system is retried until its users go, then saved"
else fail "shutdown wait" "$msg"; fi
sctl "$S1" start >/dev/null 2>&1
echo '36 25 259:1 / /srv/nv rw - ext4 /dev/nvme1n1 rw' >"$S1/proc/self/mountinfo"
echo /srv/nv >"$S1/umount.busy"
t=$(date +%s)
NVMEVIRT_BUSY_WAIT=2 refused "shutdown: still busy after the wait: refused" "$S1" "mounted on /srv/nv"
expect_eq "shutdown: the wait is bounded by NVMEVIRT_BUSY_WAIT" "$(( $(date +%s) - t <= 6 ))" 1
echo running >"$S1/system-state"; : >"$S1/proc/self/mountinfo"; rm -f "$S1/umount.busy"

section "unit: data safety, failed save"
touch "$S1/dd.fail"
cp "$S1/var/lib/nvmevirt/disk.img" "$U/img.good"
refused "stop whose save fails (disk full): refused with the reason, module kept" "$S1" "No space left on device"
if cmp -s "$U/img.good" "$S1/var/lib/nvmevirt/disk.img"; then pass "failed save: the previous image is intact"; else fail "failed save: image changed"; fi
msg=$(sctl "$S1" save 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "No space left" && cmp -s "$U/img.good" "$S1/var/lib/nvmevirt/disk.img"; then
	pass "save (checkpoint) that fails: rc $rc, reason shown, image intact"
else fail "failed checkpoint" "$msg"; fi
rm "$S1/dd.fail"
touch "$S1/modprobe.busy"
msg=$(sctl "$S1" stop 2>&1); rc=$?
if [ $rc -ne 0 ] && loaded "$S1" && printf '%s' "$msg" | grep -q "unloading nvmev failed"; then
	pass "stop whose unload fails: rc $rc, says so"
else fail "unload failure" "$msg"; fi
rm "$S1/modprobe.busy"
sctl "$S1" start >/dev/null 2>&1
msg=$(sctl "$S1" stop --no-save 2>&1); rc=$?
if [ $rc -eq 0 ] && ! loaded "$S1" && cmp -s "$U/dev.before" "$S1/var/lib/nvmevirt/disk.img"; then
	pass "stop --no-save: unloads without touching the image"
else fail "stop --no-save" "$msg"; fi

section "unit: data safety, an image that cannot be read at start"
: >"$S1/modprobe.log"
mv "$S1/var/lib/nvmevirt/disk.img" "$U/img.away"
msg=$(sctl "$S1" start 2>&1); rc=$?
if [ $rc -ne 0 ] && ! loaded "$S1" && [ ! -s "$S1/modprobe.log" ] && printf '%s' "$msg" | grep -q "was saved before.*is its file system mounted"; then
	pass "start: a saved image that is missing (file system not mounted) -> refused, nothing loaded"
else fail "start with the image missing" "$msg"; fi
if grep -qxF /var/lib/nvmevirt/disk.img "$S1/var/lib/nvmevirt/saved-images"; then pass "the save is recorded in /var/lib/nvmevirt/saved-images"; else fail "no record"; fi
mkdir -p "$S1/var/lib/nvmevirt/disk.img"
msg=$(sctl "$S1" start 2>&1); rc=$?
if [ $rc -ne 0 ] && ! loaded "$S1" && printf '%s' "$msg" | grep -q "not a readable file"; then pass "start: an image path that is not a file -> refused"; else fail "image is a dir" "$msg"; fi
rmdir "$S1/var/lib/nvmevirt/disk.img"
msg=$(sctl "$S1" forget-image 2>&1)
msg=$msg$(sctl "$S1" start 2>&1); rc=$?
if [ $rc -eq 0 ] && loaded "$S1" && printf '%s' "$msg" | grep -q "Forgot" && printf '%s' "$msg" | grep -q "starts empty"; then
	pass "forget-image, then start: an empty device"
else fail "forget-image" "$msg"; fi
sctl "$S1" stop --no-save >/dev/null 2>&1
mv "$U/img.away" "$S1/var/lib/nvmevirt/disk.img"
# an image saved by an older version (no record) is recorded when restored
: >"$S1/var/lib/nvmevirt/saved-images"
sctl "$S1" start >/dev/null 2>&1
if grep -qxF /var/lib/nvmevirt/disk.img "$S1/var/lib/nvmevirt/saved-images" && cmp -s "$U/img.good" "$S1/var/lib/nvmevirt/disk.img"; then
	pass "start: restoring an unrecorded image records it"
else fail "record at restore"; fi
sctl "$S1" stop >/dev/null 2>&1

section "unit: data safety, systemd drop-ins and enablement"
S2=$(sroot dropin)
: >"$S2/systemctl.log"
sctl "$S2" configure --size 256M --image /srv/img/disk.img >/dev/null 2>&1
expect_eq "configure --image: drop-in RequiresMountsFor= the image's directory" \
	"$(grep -v '^#' "$S2/etc/systemd/system/nvmevirt.service.d/50-image.conf")" \
	"$(printf '[Unit]\nRequiresMountsFor=/srv/img')"
if grep -qx 'systemctl --quiet enable nvmevirt.service' "$S2/systemctl.log"; then pass "configure enables nvmevirt.service"; else fail "configure enables" "$(cat "$S2/systemctl.log")"; fi
sctl "$S2" configure --size 256M --image none >/dev/null 2>&1
if [ ! -e "$S2/etc/systemd/system/nvmevirt.service.d" ]; then pass "configure --image none: drop-in (and its directory) removed"; else fail "drop-in kept"; fi
sctl "$S2" configure --size 256M --image /var/lib/nvmevirt/disk.img >/dev/null 2>&1
sed -i 's/^NVMEVIRT_IMAGE=.*/NVMEVIRT_IMAGE="\/data\/nv\/x.img"/' "$S2/etc/default/nvmevirt"
sctl "$S2" apply >/dev/null 2>&1
if grep -qx 'RequiresMountsFor=/data/nv' "$S2/etc/systemd/system/nvmevirt.service.d/50-image.conf"; then pass "apply after a hand edit rewrites the drop-in"; else fail "apply drop-in"; fi
: >"$S2/systemctl.log"
sctl "$S2" unconfigure >/dev/null 2>&1
if [ ! -e "$S2/etc/systemd/system/nvmevirt.service.d" ] && grep -qx 'systemctl --quiet disable nvmevirt.service' "$S2/systemctl.log"; then
	pass "unconfigure: drop-in removed, unit disabled"
else fail "unconfigure drop-in/disable" "$(cat "$S2/systemctl.log")"; fi
# start: fstab mount units on the namespace get After=nvmevirt.service
sctl "$S2" configure --size 256M --image none >/dev/null 2>&1
mkdir -p "$S2/dev/disk/by-uuid" "$S2/sys/class/block/nvme1n1" "$S2/sys/class/block/nvme0n1"
ln -s ../../nvme1n1 "$S2/dev/disk/by-uuid/1111"; ln -s ../../nvme0n1 "$S2/dev/disk/by-uuid/0000"
echo 259:1 >"$S2/sys/class/block/nvme1n1/dev"; echo 259:0 >"$S2/sys/class/block/nvme0n1/dev"
printf -- '-.mount loaded active mounted /\nsrv-nv.mount loaded inactive dead /srv/nv\nhome.mount loaded active mounted /home\nsrv-done.mount loaded inactive dead /srv/done\nmnt-hand.mount loaded active mounted /mnt/hand\n' >"$S2/mount-units"
printf 'Id=srv-nv.mount\nWhat=/dev/disk/by-uuid/1111\nAfter=local-fs-pre.target\nBefore=umount.target\n\nId=home.mount\nWhat=/dev/disk/by-uuid/0000\nAfter=local-fs-pre.target\n\nId=srv-done.mount\nWhat=/dev/nvme1n1\nAfter=nvmevirt.service local-fs-pre.target\n\nId=mnt-hand.mount\nWhat=/dev/nvme1n1\nAfter=local-fs-pre.target\nBefore=umount.target local-fs.target\n' >"$S2/mount-show"
msg=$(sctl "$S2" start 2>&1)
expect_eq "start: the fstab mount of the namespace (by UUID) is ordered after nvmevirt.service" \
	"$(grep -v "^#" "$S2/run/systemd/system/srv-nv.mount.d/50-nvmevirt.conf" 2>/dev/null)" "$(printf '[Unit]\nAfter=nvmevirt.service')"
if [ ! -e "$S2/run/systemd/system/home.mount.d" ] && [ ! -e "$S2/run/systemd/system/srv-done.mount.d" ] &&
   [ ! -e "$S2/run/systemd/system/mnt-hand.mount.d" ]; then
	pass "start: mounts of other disks, ones already ordered, and ones before local-fs.target (a cycle) are left alone"
else fail "order_mounts touched other units" "$msg"; fi
if [ -e "$S2/run/nvmevirt/ready" ]; then pass "start: marks the device ready for udev/systemd (/run/nvmevirt/ready) at the end"; else fail "no ready flag" "$msg"; fi
sctl "$S2" stop >/dev/null 2>&1
if [ ! -e "$S2/run/nvmevirt/ready" ]; then pass "stop: clears the ready flag"; else fail "ready flag kept"; fi
