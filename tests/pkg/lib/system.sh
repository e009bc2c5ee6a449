# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2016,SC2153 # literal $; DEB comes from run
# System test of the .deb in a debootstrap'd Debian 12 guest under QEMU
# (TCG); sourced by tests/pkg/run.  One guest disk (a qcow2 overlay on the
# cached base image) boots six times, with a second disk (vdb) for the
# file system of the persistence image; each boot runs one stage of
# lib/guest.sh (shared over 9p with the .deb and the results):
#   1 no reservation: the Ansible role installs the .deb (DKMS build),
#     then configures (image on vdb, mounted late: nofail), updates GRUB
#     and reboots
#   2 the command line of grub.cfg: the role verifies, a second run
#     changes nothing; unit active, ext4 on /dev/nvme0n1;
#     stop and restart refused while mounted or open, start picks the
#     device up; the clean shutdown unmounts, then saves the image
#   3 no reservation: the unit is skipped, not failed; the saved image (the
#     module's format) holds a clean file system with the data; a second
#     kernel's headers
#     trigger a DKMS build
#   4 the reservation but no vdb: the unit waits for the image's mount,
#     which fails: no empty device; nvmevirtctl start refuses too
#   5 the reservation and vdb: the data reads back, fstab mounted it only
#     after the restore; apt remove refused while mounted; stop saves;
#     configure two devices in the same reservation (nvmev0 with two
#     namespaces, nvmev1 with one), start, data on each namespace
#   6 the same: every namespace of both devices reads back; the role
#     removes the package (which saves both images first); apt purge (no
#     file left)

SYS=$B/sys
SHARE=$SYS/share
IMGDIR=$B/image
SMP=3

section "system: guest image and packages"
KVER=$(apt-cache depends linux-headers-amd64 2>/dev/null | sed -n 's/.*Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1)
if [ -z "$KVER" ]; then
	fail "system: guest kernel ABI from apt-cache depends linux-headers-amd64"
	return 0
fi
# a second kernel's headers (older: DKMS's install leaves it alone) for stage 3
KVER2=$(apt-cache search '^linux-headers-6\.1\.0-[0-9]+-amd64$' 2>/dev/null | awk '{print $1}' |
	sed 's/^linux-headers-//' | grep -vx "$KVER" | sort -V | tail -n 1)
t=$(date +%s)
if out=$(OUT=$IMGDIR "$HERE/lib/mkimage.sh" "$KVER" "$KVER2" 2>&1); then
	pass "guest image: Debian 12, systemd, dkms, $KVER ($(printf '%s' "$out" | tail -n 1 | cut -c1-60); $(( $(date +%s) - t ))s)"
else
	fail "guest image" "$out"
	return 0
fi

# the module: the real one once src/ builds, a stub until then
MODE=real
mc=$SYS/modcheck
rm -rf "$mc"; mkdir -p "$mc"
cp -a "$TOP/Makefile" "$TOP/VERSION" "$TOP/src" "$mc/"
if out=$(make -C "$mc" KVER="$KVER" 2>&1) && [ -f "$mc/src/nvmev.ko" ]; then
	pass "src/ builds for $KVER: the system test uses the real module"
	SYSDEB=$DEB
else
	MODE=stub
	skip "src/ does not build for $KVER yet: the system test packages the stub module (device checks skipped)"
	printf '%s\n' "$out" | tail -n 5 | sed 's/^/      | /'
	st=$SYS/stubtree
	rm -rf "$st"; mkdir -p "$st"
	for f in Makefile VERSION dkms.conf debian rpm systemd udev etc modprobe.d tools docs; do cp -a "$TOP/$f" "$st/"; done
	cp -a "$HERE/stub/src" "$st/src"
	if out=$("$TOP/tools/build-packages" --tree "$st" --out "$SYS/stub-out" deb 2>&1); then
		SYSDEB=$SYS/stub-out/$(basename "$DEB")
	else
		fail "building the .deb with the stub module" "$out"
		return 0
	fi
fi

# a second kernel's headers, in the image; stage 3 runs their hooks
if [ "$(cat "$IMGDIR/kver2" 2>/dev/null)" = "${KVER2:-x}" ]; then
	pass "second kernel's headers in the guest image: $KVER2"
else
	fail "second kernel's headers ($KVER2) in the guest image" "$(tail -n 5 "$IMGDIR/mkimage.log" 2>/dev/null)"
fi

rm -rf "$SHARE" "$SYS"/stage*.serial; mkdir -p "$SHARE/out"
cp "$HERE/lib/guest.sh" "$SHARE/guest.sh"
cp "$SYSDEB" "$SHARE/"
echo "$MODE" >"$SHARE/mode"; echo "$VERSION" >"$SHARE/version"; cp "$IMGDIR/kver2" "$SHARE/kver2"
qemu-img create -q -f qcow2 -F raw -b "$IMGDIR/base.img" "$SYS/disk.qcow2"
qemu-img create -q -f qcow2 "$SYS/imgdisk.qcow2" 1G

# the guest's network: QEMU's user network with restrict=on (nothing
# leaves the VM) and only its SSH port forwarded, from 127.0.0.1, for
# Ansible
PORT=$(( 20000 + RANDOM % 20000 ))
NIC=(-nic "user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:22")

# boot STAGE TIMEOUT EXTRA-ARGS: one boot of the guest running that stage
boot() {
	local stage=$1 tmo=$2 extra=$3 log=$SYS/stage$1.serial t rc
	# the image's disk, absent in stage 4
	local -a vdb=(-drive "file=$SYS/imgdisk.qcow2,if=virtio,format=qcow2,cache=unsafe")
	[ "$stage" != 4 ] || vdb=()
	t=$(date +%s)
	# -cpu Haswell-v4, not max: with "max", QEMU 7.2's TCG garbles the
	# guest kernel's /proc/self/mountinfo (mount points read "xxx"), so
	# systemd loses track of mounts and systemd-udevd cannot start
	timeout -k 10 "$tmo" qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu Haswell-v4 \
		-smp $SMP -m 2G -display none -monitor none -serial "file:$log" -no-reboot "${NIC[@]}" \
		-drive "file=$SYS/disk.qcow2,if=virtio,format=qcow2,cache=unsafe" "${vdb[@]}" \
		-fsdev "local,id=fs0,path=$SHARE,security_model=none" -device virtio-9p-pci,fsdev=fs0,mount_tag=host \
		-kernel "$IMGDIR/vmlinuz" -initrd "$IMGDIR/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0,115200 panic=-1 pkgtest.stage=$stage $extra" </dev/null
	rc=$?
	BOOT_TIME=$(( $(date +%s) - t ))
	return $rc
}
# collect STAGE: turn the guest's RESULT lines into PASS/FAIL/SKIP
collect() {
	local stage=$1 r=$SHARE/out/stage$1.results line
	if [ ! -f "$r" ] || ! grep -q '^RESULT DONE' "$r"; then
		fail "stage $stage: the guest did not finish (${BOOT_TIME}s; serial log $SYS/stage$stage.serial)" \
			"$(tail -n 25 "$SYS/stage$stage.serial" 2>/dev/null | tr -d '\r')"
	fi
	[ -f "$r" ] || return 0
	while IFS= read -r line; do
		case $line in
		"RESULT PASS "*) pass "guest $stage: ${line#RESULT PASS }" ;;
		"RESULT FAIL "*) fail "guest $stage: ${line#RESULT FAIL }" "$(sed -n "/^== ${line#RESULT FAIL }/,/^== /p" "$SHARE/out/stage$stage.log" 2>/dev/null | tail -n 20)" ;;
		"RESULT SKIP "*) skip "guest $stage: ${line#RESULT SKIP }" ;;
		"RESULT INFO "*) printf 'INFO  guest %s: %s\n' "$stage" "${line#RESULT INFO }" ;;
		esac
	done <"$r"
	printf 'INFO  stage %s: boot to power-off %ss\n' "$stage" "$BOOT_TIME"
}

# The Ansible role (contrib/ansible) drives the guest over SSH: it installs
# (stage 1), configures (stage 1), reboots into stage 2 and verifies, runs
# again changing nothing, and removes (stage 6).  The guest asks for each
# step (out/STEP.ready, lib/guest.sh host_step) and waits for STEP.done.
ANS=$SYS/ansible
rm -rf "$ANS"; mkdir -p "$ANS/tmp"
cat >"$ANS/inventory.ini" <<EOF
[nvmevirt]
pkgtest-guest ansible_host=127.0.0.1 ansible_port=$PORT ansible_user=root ansible_become=false ansible_python_interpreter=/usr/bin/python3 ansible_ssh_private_key_file=$IMGDIR/id_ed25519 ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=20'
EOF
cat >"$ANS/vars.yml" <<EOF
nvmevirt_package_file: $SYSDEB
nvmevirt_size: 256M
nvmevirt_image: /srv/img/disk.img
nvmevirt_reboot_timeout: 600
nvmevirt_module_options:
  poll_mode: lowcpu
EOF
# boot_bg STAGE TIMEOUT EXTRA-ARGS: boot in the background (QPID); boot_wait
# waits for the guest to power off and sets BOOT_TIME
boot_bg() { QT0=$(date +%s); boot "$@" & QPID=$!; }
boot_wait() { wait "$QPID"; BOOT_TIME=$(( $(date +%s) - QT0 )); }
# ready STEP: wait for the guest to ask for STEP while it runs
ready() {
	while [ ! -e "$SHARE/out/$1.ready" ]; do
		kill -0 "$QPID" 2>/dev/null || { fail "ansible: the guest stopped before asking for step $1"; return 1; }
		sleep 2
	done
}
# play NAME ARGS...: the example playbook with the test's inventory and
# variables; PLAY_RC, the log $ANS/NAME.log and PLAY_CHANGED (the recap's)
play() {
	local name=$1 t; shift
	t=$(date +%s)
	ANSIBLE_ROLES_PATH=$TOP/contrib/ansible/roles ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=True \
		ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCAL_TEMP=$ANS/tmp ANSIBLE_SSH_RETRIES=3 \
		ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
		timeout -k 10 2400 ansible-playbook -i "$ANS/inventory.ini" -e "@$ANS/vars.yml" "$@" \
		"$TOP/contrib/ansible/playbook.yml" >"$ANS/$name.log" 2>&1
	PLAY_RC=$?
	PLAY_TIME=$(( $(date +%s) - t ))
	PLAY_CHANGED=$(sed -n 's/^pkgtest-guest *: .*changed=\([0-9]*\).*/\1/p' "$ANS/$name.log" | tail -n 1)
	echo "$PLAY_RC ${PLAY_CHANGED:-?} $PLAY_TIME" >"$ANS/$name.rc"
}
# played NAME WHAT CHANGED [PATTERN]: the run NAME succeeded with CHANGED
# changes (+: some) and its output has PATTERN
played() {
	local rc ch tm
	read -r rc ch tm <"$ANS/$1.rc" 2>/dev/null || { fail "ansible $1: $2" "no result"; return; }
	if [ "$rc" = 0 ] && { [ "$3" = + ] && [ "${ch:-0}" -gt 0 ] 2>/dev/null || [ "$ch" = "$3" ]; } &&
	   { [ -z "${4:-}" ] || grep -q -- "$4" "$ANS/$1.log"; }; then
		pass "ansible $1: $2 (changed=$ch, ${tm}s)"
	else fail "ansible $1: $2" "rc=$rc changed=$ch; $(grep -E 'fatal|FAILED|msg|changed=' "$ANS/$1.log" | tail -n 15)"; fi
}

section "system: stage 1, no reservation: the Ansible role installs (DKMS) and configures; GRUB"
# timeouts are for hangs only: under TCG on a busy 2-core host a DKMS
# build in the guest has taken 4 to 9 minutes
boot_bg 1 2400 ""
if ready install; then
	play install --tags nvmevirt_install
	played install "--tags nvmevirt_install: copies and installs the .deb (DKMS build), configures nothing" +
	touch "$SHARE/install.done"
fi
# the full run: it configures, sees the new reservation and reboots; the
# guest goes down (QEMU exits, -no-reboot) and comes back below with the
# command line of its grub.cfg, as GRUB would boot it; the role waits for
# it, then verifies
RPID=
if ready reboot; then
	play reboot -e nvmevirt_reboot=true & RPID=$!
	# a run that ends while the guest is still up did not reboot it
	while kill -0 "$QPID" 2>/dev/null; do
		if ! kill -0 "$RPID" 2>/dev/null; then
			sleep 30
			# (QPID is the subshell of boot: its timeout stops QEMU)
			pkill -TERM -P "$QPID" 2>/dev/null && fail "ansible reboot: the run ended, the guest did not go down" \
				"$(grep -E 'fatal|msg' "$ANS/reboot.log" | tail -n 5)"
			break
		fi
		sleep 2
	done
fi
boot_wait
collect 1
# the kernel command line GRUB would pass: the linux line of the guest's
# grub.cfg, its \$ unescaped as GRUB does
ARGS=
if [ -f "$SHARE/out/grub.cfg" ]; then
	ARGS=$(grep -m 1 -E '^\s*linux\s' "$SHARE/out/grub.cfg" | tr -s ' \t' '\n' |
		grep -E '^(memmap=|nvmev\.)' | sed 's/\\\$/$/g' | tr '\n' ' ')
fi
if printf '%s' "$ARGS" | grep -qF 'memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2'; then
	pass "grub.cfg linux line -> kernel arguments: $ARGS"
else
	fail "grub.cfg linux line carries the reservation" "got: $ARGS"
fi

section "system: stage 2, booted with that command line: unit active, stop refused while in use"
boot_bg 2 1500 "$ARGS"
if [ -n "$RPID" ]; then
	# the role waits for the guest; a guest that died does not come back
	while kill -0 "$RPID" 2>/dev/null; do
		kill -0 "$QPID" 2>/dev/null || { pkill -TERM -P "$RPID" 2>/dev/null; break; }
		sleep 2
	done
	wait "$RPID"
	played reboot "configures, writes modprobe.d, reboots for the new reservation, waits, verifies with status --json" + \
		'nvmevirt: 1 device(s), 1 namespace(s), ok'
	if grep -q 'the reservation changed (memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=1,2,' "$ANS/reboot.log" &&
	   grep -q 'this boot has none); rebooting' "$ANS/reboot.log"; then
		pass "ansible reboot: says why it reboots (the configured arguments, none this boot)"
	else fail "ansible reboot: the reason of the reboot" "$(grep -n 'reservation' "$ANS/reboot.log")"; fi
	if ready verify; then
		play again -e nvmevirt_reboot=true
		played again "the same run again: changes nothing (changed=0), verifies" 0 'nvmevirt: 1 device(s), 1 namespace(s), ok'
	fi
fi
touch "$SHARE/verify.done"
boot_wait
collect 2
# status_json STAGE NAME EXPR=JSON...: the guest's status --json of that
# stage against the schema (jsonschema runs here, not in the guest)
status_json() {
	local f=$SHARE/out/status$1.json name=$2 out; shift 2
	if [ ! -f "$f" ]; then fail "$name" "no $f"; return; fi
	if out=$("$HERE/lib/jcheck" "$TOP/tools/status.schema.json" "$f" "$@" 2>&1); then pass "$name"
	else fail "$name" "$out $(head -c 1000 "$f")"; fi
}
status_json 2 "stage 2: status --json validates: ok, nvmev0 on a live controller, its namespace's block device" \
	'd["ok"]=true' 'd["configuration"]["devices"][0]["image"]="/srv/img/disk.img"' 'd["boot"]["reservation"]="present"' \
	'd["devices"][0]["image"]="/srv/img/disk.img"' 'd["devices"][0]["memmap_start"]=1073741824' \
	'[x["name"] for x in d["devices"]]=["nvmev0"]' 'd["devices"][0]["controller_state"]="live"' 'd["devices"][0]["health"]="ok"' \
	'[n["block_device"] is not None for n in d["devices"][0]["namespaces"]]=[true]' 'd["devices"][0]["namespaces"][0]["size_bytes"]>0=true'

section "system: stage 3, no reservation: unit skipped, not failed; image saved clean; second kernel's headers"
boot 3 2400 ""
collect 3
section "system: stage 4, reservation, image's disk missing: no empty device"
boot 4 900 "$ARGS"
collect 4
section "system: stage 5, reservation again: data persisted; apt remove refused while mounted; two devices"
boot 5 1800 "$ARGS"
collect 5
status_json 5 "stage 5: status --json validates: two configured and two running devices, three namespaces with block devices" \
	'd["ok"]=true' 'len(d["configuration"]["devices"])=2' '[x["name"] for x in d["devices"]]=["nvmev0","nvmev1"]' \
	'[x["health"] for x in d["devices"]]=["ok","ok"]' 'sum(len(x["namespaces"]) for x in d["devices"])=3' \
	'all(n["block_device"] for x in d["devices"] for n in x["namespaces"])=true'

section "system: stage 6, two devices persisted across the reboot; remove; purge"
boot_bg 6 1800 "$ARGS"
if ready remove; then
	play remove -e nvmevirt_state=absent
	played remove "nvmevirt_state=absent: removes the package (saving the images) and the role's files" +
fi
touch "$SHARE/remove.done"
boot_wait
collect 6
