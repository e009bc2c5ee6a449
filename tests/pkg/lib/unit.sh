# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2016 # literal $ in expected output
# Unit tests of the GRUB snippet and of nvmevirtctl against fake roots
# (NVMEVIRT_ROOT); sourced by tests/pkg/run.

U=$B/unit
CTL=$TOP/tools/nvmevirtctl
SNIPPET=$TOP/etc/default/grub.d/nvmevirt.cfg

# memmap_entry ROOT N START END TYPE
memmap_entry() {
	mkdir -p "$1/sys/firmware/memmap/$2"
	echo "$3" >"$1/sys/firmware/memmap/$2/start"
	echo "$4" >"$1/sys/firmware/memmap/$2/end"
	echo "$5" >"$1/sys/firmware/memmap/$2/type"
}
# mkroot NAME [big]: a fake machine; QEMU q35 with 2 GiB and 4 CPUs, or
# "big": 16 GiB split at 2G/4G and 8 CPUs (all present CPUs online)
mkroot() {
	local r=$U/$1
	rm -rf "$r"
	mkdir -p "$r/etc/default" "$r/usr/sbin" "$r/proc" "$r/sys/devices/system/cpu" "$r/boot/grub" "$r/dev" "$r/bin"
	cp "$TOP/etc/default/nvmevirt" "$r/etc/default/nvmevirt"
	cp "$CTL" "$r/usr/sbin/nvmevirtctl"
	memmap_entry "$r" 0 0x0 0x9fbff "System RAM"
	memmap_entry "$r" 1 0x9fc00 0x9ffff Reserved
	memmap_entry "$r" 2 0xf0000 0xfffff Reserved
	if [ "${2:-}" = big ]; then
		memmap_entry "$r" 3 0x100000 0x7fffffff "System RAM"
		memmap_entry "$r" 4 0xb0000000 0xbfffffff Reserved
		memmap_entry "$r" 5 0x100000000 0x47fffffff "System RAM"
		echo 0-7 >"$r/sys/devices/system/cpu/present"
	else
		memmap_entry "$r" 3 0x100000 0x7ffd6fff "System RAM"
		memmap_entry "$r" 4 0x7ffd7000 0x7fffffff Reserved
		echo 0-3 >"$r/sys/devices/system/cpu/present"
	fi
	cp "$r/sys/devices/system/cpu/present" "$r/sys/devices/system/cpu/online"
	echo "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro quiet" >"$r/proc/cmdline"
	printf '00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-7ffd6fff : System RAM\n' >"$r/proc/iomem"
	echo "$r"
}
# ctl ROOT ARGS...: nvmevirtctl on a fake root, boot loader "none"
ctl() {
	local r=$1; shift
	NVMEVIRT_ROOT=$r NVMEVIRT_BOOTLOADER=${BL:-none} PATH=$r/bin:$PATH "$CTL" "$@"
}
# grub_render ROOT INITIAL: GRUB_CMDLINE_LINUX after the snippet, as
# grub-mkconfig computes it (the snippet is sourced by /bin/sh)
grub_render() {
	NVMEVIRT_ROOT=$1 GRUB_CMDLINE_LINUX=$2 sh -c ". '$SNIPPET'; printf '%s' \"\$GRUB_CMDLINE_LINUX\""
}

section "unit: GRUB snippet"
R1=$(mkroot grub)
expect_eq() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2"$'\n'"want: $3"; fi
}
expect_eq "snippet: unconfigured (fresh install) adds nothing" "$(grub_render "$R1" "quiet splash")" "quiet splash"
ctl "$R1" configure --size 256M >/dev/null 2>&1
expect_eq "snippet: 256M auto on 2 GiB/4 CPUs -> exact escaped arguments" "$(grub_render "$R1" "quiet splash")" \
	'quiet splash memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3'
expect_eq "snippet: empty GRUB_CMDLINE_LINUX gets no leading space" "$(grub_render "$R1" "")" \
	'memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3'
# the generated linux line, the way 10_linux writes it, read back by a
# GRUB-like unescape: the kernel must see memmap=256M$1G
line=$(printf 'linux /vmlinuz root=/dev/vda ro %s\n' "$(grub_render "$R1" "")")
expect_eq "snippet: grub.cfg linux line unescapes to memmap=256M\$1G" \
	"$(printf '%s\n' "$line" | tr ' ' '\n' | grep '^memmap=' | sed 's/\\\$/$/')" 'memmap=256M$1G'
ctl "$R1" configure --size 512M --start 0x40000000 --cpus 0,1,3 >/dev/null 2>&1
expect_eq "snippet: hex start, 3 CPUs" "$(grub_render "$R1" "")" \
	'memmap=512M\$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1,3'
ctl "$R1" configure --size 100M --start 1536M --cpus 1,2 >/dev/null 2>&1
expect_eq "snippet: MiB-granular start and size" "$(grub_render "$R1" "a=b")" \
	'a=b memmap=100M\$1536M nvmev.memmap_start=1536M nvmev.memmap_size=100M nvmev.cpus=1,2'
sed -i 's/^NVMEVIRT_SIZE=.*/NVMEVIRT_SIZE="lots"/' "$R1/etc/default/nvmevirt"
expect_eq "snippet: a hand-broken configuration adds nothing" "$(grub_render "$R1" "quiet" 2>/dev/null)" "quiet"
err=$(grub_render "$R1" "quiet" 2>&1 >/dev/null)
if printf '%s' "$err" | grep -q "not valid"; then pass "snippet: ... and says why on stderr"; else fail "snippet: ... and says why on stderr" "$err"; fi
ctl "$R1" configure --size 256M >/dev/null 2>&1
rm "$R1/usr/sbin/nvmevirtctl"
expect_eq "snippet: package removed (config kept, nvmevirtctl gone) adds nothing" "$(grub_render "$R1" "quiet")" "quiet"
R2=$(mkroot big big)
ctl "$R2" configure --size 8G >/dev/null 2>&1
expect_eq "snippet: 16 GiB machine, 8G auto -> above 4G, last two of 8 CPUs" "$(grub_render "$R2" "")" \
	'memmap=8G\$4G nvmev.memmap_start=4G nvmev.memmap_size=8G nvmev.cpus=6,7'
ctl "$R2" unconfigure >/dev/null 2>&1
expect_eq "snippet: after nvmevirtctl unconfigure adds nothing" "$(grub_render "$R2" "quiet")" "quiet"

section "unit: nvmevirtctl configure refuses bad arguments, changing nothing"
R3=$(mkroot refuse)
ctl "$R3" configure --size 256M --image /var/lib/nvmevirt/disk.img >/dev/null 2>&1
mkdir -p "$R3/var/lib/nvmevirt/adir"
cp "$R3/etc/default/nvmevirt" "$U/refuse.before"
# each: arguments | a word the message must contain
while IFS='|' read -r args word; do
	[ -n "$args" ] || continue
	rm -f "$R3/bin/update-grub.called"
	# shellcheck disable=SC2086 # the arguments are split on purpose
	msg=$(BL=grub ctl "$R3" configure $args 2>&1); rc=$?
	name="configure $args"
	if [ $rc -eq 0 ]; then fail "$name: accepted" "$msg"
	elif ! cmp -s "$R3/etc/default/nvmevirt" "$U/refuse.before"; then fail "$name: changed the file" "$msg"
	elif [ -e "$R3/bin/update-grub.called" ]; then fail "$name: ran update-grub" "$msg"
	elif ! printf '%s' "$msg" | grep -qi -- "$word"; then fail "$name: unclear message" "$msg"
	else pass "$name -> rc $rc: $(printf '%s' "$msg" | head -n 1 | cut -c1-90)"
	fi
done <<'EOF'
|--size is required
--size|needs a value
--size 3G|too large
--size 1.5G|not a size
--size 256|with a unit
--size 0M|more than zero
--size 1000K|whole number of MiB
--size -5M|not a size
--size 256M --start 3G|not inside one usable RAM region
--size 256M --start 0|not an address
--size 256M --start 1G1|not an address
--size 256M --start 0x40000001|aligned
--size 256M --start 0xfffffffffffffffff|not an address
--size 1600M --start auto|too large
--size 256M --cpus 0|at least two
--size 256M --cpus 0,4|does not exist
--size 256M --cpus 1,1|listed twice
--size 256M --cpus a,b|not a list
--size 256M --cpus 0,,1|not a list
--size 256M --cpus 01,2|leading zero
--size 256M --type slc|unknown
--size 256M --preset turbo|unknown
--size 256M --preset qlc|choose one of: default nand optane
--size 256M --type conv --preset nand|choose one of: default datacenter-tlc client-tlc qlc
--size 256M --type zns --preset optane|choose one of: default
--size 256M --image rel/x.img|absolute path
--size 256M --image /tmp/x.img|persistent
--size 256M --image /var/lib/nvmevirt/adir|directory
--size 256M --image /var/lib/a:b|only letters
--size 256M --bogus|unknown argument
--size 256M extra|unknown argument
--device|needs a value
--device 128M:128M|the namespaces need 128M
--device 128M:rest,rest|only one namespace
--device 128M:ssd=64M|type 'ssd' is unknown
--device 128M:10K|whole number of MiB
--device 128M:64M,nvm=0M|whole number of MiB, more than 0
--device 1M|at least 2M
--device 1.5G|not a size
--device 128M:,1M|empty namespace
--device 128M@rel.img|absolute path
--device 128M@/tmp/a.img|persistent
--device 128M@/var/lib/a.img --device 64M@/var/lib/a.img|another device's too
--device 128M --size 256M|not --size 256M
--device 128M --image /var/lib/x.img|each device's image
--device 1G!x|use only
--device 3G|too large
--device 64M --device 64M --device 64M --device 64M --device 64M --device 64M --device 64M --device 64M --device 64M|more than 8 devices
--device 64M:1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M,1M|more than 16 namespaces
EOF
msg=$(ctl "$R3" frobnicate 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$msg" | grep -q "unknown command"; then pass "unknown command -> rc 2"; else fail "unknown command" "$msg"; fi
msg=$(ctl "$R3" 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$msg" | grep -q "Usage"; then pass "no command -> usage, rc 2"; else fail "no command" "$msg"; fi
for c in "status x" "apply x" "bootargs --x" "unconfigure --x"; do
	# shellcheck disable=SC2086
	msg=$(ctl "$R3" $c 2>&1); rc=$?
	if [ $rc -eq 2 ] && cmp -s "$R3/etc/default/nvmevirt" "$U/refuse.before"; then pass "$c -> rc 2, nothing changed"
	else fail "$c" "rc=$rc $msg"; fi
done
R4=$(mkroot nomem)
rm -rf "$R4/sys/firmware" "$R4/proc/iomem"
msg=$(ctl "$R4" configure --size 256M 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "memory map"; then pass "configure without a readable memory map -> refused"; else fail "configure without a memory map" "$msg"; fi
echo 0 >"$R4/sys/devices/system/cpu/present"
R5=$(mkroot onecpu); echo 0 >"$R5/sys/devices/system/cpu/present"
msg=$(ctl "$R5" configure --size 256M 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "fewer than two CPUs"; then pass "configure --cpus auto on one CPU -> refused"; else fail "configure on one CPU" "$msg"; fi

section "unit: nvmevirtctl boot loaders"
R6=$(mkroot grubcall)
printf '#!/bin/sh\ntouch "$(dirname "$0")/update-grub.called"\n' >"$R6/bin/update-grub"; chmod +x "$R6/bin/update-grub"
touch "$R6/boot/grub/grub.cfg"
msg=$(BL=grub ctl "$R6" configure --size 256M 2>&1)
if [ -e "$R6/bin/update-grub.called" ] && printf '%s' "$msg" | grep -q "Reboot"; then pass "configure runs update-grub and says to reboot"; else fail "configure runs update-grub" "$msg"; fi
rm -f "$R6/bin/update-grub.called" "$R6/boot/grub/grub.cfg"
msg=$(BL=grub ctl "$R6" configure --size 256M 2>&1)
if [ ! -e "$R6/bin/update-grub.called" ]; then pass "configure skips update-grub without /boot/grub/grub.cfg"; else fail "update-grub without grub.cfg" "$msg"; fi
touch "$R6/boot/grub/grub.cfg"
msg=$(BL=grub ctl "$R6" unconfigure 2>&1)
if [ -e "$R6/bin/update-grub.called" ] && grep -qx 'NVMEVIRT_SIZE=""' "$R6/etc/default/nvmevirt"; then pass "unconfigure empties the size and runs update-grub"; else fail "unconfigure" "$msg"; fi
grep -v '^#' "$TOP/etc/default/nvmevirt" | grep . >"$U/defaults"
grep -v '^#' "$R6/etc/default/nvmevirt" | grep . >"$U/after-unconfigure"
if cmp -s "$U/defaults" "$U/after-unconfigure"; then pass "unconfigure restores the shipped defaults"; else fail "unconfigure restores defaults" "$(diff "$U/defaults" "$U/after-unconfigure")"; fi

# grubby (BLS entries) and /etc/kernel/cmdline take memmap=SIZE$START as it
# is: a backslash reaching the kernel makes memmap= a memory limit
R7=$(mkroot grubby)
mkdir -p "$R7/etc/kernel"
echo "root=/dev/sda3 ro quiet" >"$R7/etc/kernel/cmdline"
printf '#!/bin/sh\necho "$*" >>"$(dirname "$0")/grubby.log"\n' >"$R7/bin/grubby"; chmod +x "$R7/bin/grubby"
BL=grubby ctl "$R7" configure --size 256M >/dev/null 2>&1
BL=grubby ctl "$R7" configure --size 512M --cpus 0,1 >/dev/null 2>&1
expect_eq "grubby: args added with a plain \$, then replaced (old ones removed first, in both spellings)" "$(cat "$R7/bin/grubby.log")" \
'--update-kernel=ALL --args=memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3
--update-kernel=ALL --remove-args=memmap=256M$1G memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3
--update-kernel=ALL --args=memmap=512M$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1'
expect_eq "grubby: /etc/kernel/cmdline for new kernels carries the current args only, plain \$" "$(cat "$R7/etc/kernel/cmdline")" \
	'root=/dev/sda3 ro quiet memmap=512M$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1'
expect_eq "grubby: the record of what was added is plain" "$(cat "$R7/var/lib/nvmevirt/grubby-args")" \
	'memmap=512M$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1'
: >"$R7/bin/grubby.log"
BL=grubby ctl "$R7" remove-bootargs >/dev/null 2>&1
expect_eq "grubby: remove-bootargs (RPM erase) takes them off, config kept" \
	"$(cat "$R7/bin/grubby.log"; cat "$R7/etc/kernel/cmdline"; grep '^NVMEVIRT_SIZE' "$R7/etc/default/nvmevirt")" \
'--update-kernel=ALL --remove-args=memmap=512M$1G memmap=512M\$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1
root=/dev/sda3 ro quiet
NVMEVIRT_SIZE="512M"'
if [ ! -e "$R7/var/lib/nvmevirt/grubby-args" ]; then pass "grubby: remove-bootargs drops the record"; else fail "grubby: record after remove-bootargs" "$(cat "$R7/var/lib/nvmevirt/grubby-args")"; fi

# an older nvmevirtctl recorded (and added) the escaped spelling: switching
# removes both spellings, from the entries and from /etc/kernel/cmdline
R7b=$(mkroot grubby-upgrade)
mkdir -p "$R7b/etc/kernel" "$R7b/var/lib/nvmevirt"
cp "$R7/bin/grubby" "$R7b/bin/grubby"
echo 'memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3' >"$R7b/var/lib/nvmevirt/grubby-args"
echo 'root=/dev/sda3 ro memmap=256M\$1G memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3 quiet' >"$R7b/etc/kernel/cmdline"
BL=grubby ctl "$R7b" configure --size 512M --cpus 0,1 >/dev/null 2>&1
expect_eq "grubby: an old escaped record is removed in both spellings, the new args are plain" "$(cat "$R7b/bin/grubby.log")" \
'--update-kernel=ALL --remove-args=memmap=256M$1G memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3
--update-kernel=ALL --args=memmap=512M$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1'
expect_eq "grubby: /etc/kernel/cmdline loses the escaped and the plain old memmap=" "$(cat "$R7b/etc/kernel/cmdline")" \
	'root=/dev/sda3 ro quiet memmap=512M$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1'
: >"$R7b/bin/grubby.log"
echo 'memmap=512M\$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1' >"$R7b/var/lib/nvmevirt/grubby-args"
BL=grubby ctl "$R7b" unconfigure >/dev/null 2>&1
expect_eq "grubby: unconfigure after an upgrade removes both spellings of the old record" \
	"$(cat "$R7b/bin/grubby.log"; cat "$R7b/etc/kernel/cmdline")" \
'--update-kernel=ALL --remove-args=memmap=512M$1G memmap=512M\$1G nvmev.memmap_start=1G nvmev.memmap_size=512M nvmev.cpus=0,1
root=/dev/sda3 ro quiet'

# RHEL 8 style entries ("options $kernelopts"): grubby keeps the arguments in
# grubenv and GRUB expands them into the entry's script, where $ needs \
R7c=$(mkroot grubby-kernelopts)
mkdir -p "$R7c/etc/kernel" "$R7c/boot/loader/entries"
cp "$R7/bin/grubby" "$R7c/bin/grubby"
echo "root=/dev/sda3 ro quiet" >"$R7c/etc/kernel/cmdline"
printf 'title RHEL\nlinux /vmlinuz-4.18.0\noptions $kernelopts $tuned_params\n' >"$R7c/boot/loader/entries/x-4.18.0.conf"
BL=grubby ctl "$R7c" configure --size 256M >/dev/null 2>&1
expect_eq "grubby: entries using \$kernelopts (grubenv) get \\\$, /etc/kernel/cmdline a plain \$" \
	"$(cat "$R7c/bin/grubby.log"; cat "$R7c/etc/kernel/cmdline")" \
'--update-kernel=ALL --args=memmap=256M\$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3
root=/dev/sda3 ro quiet memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3'

section "unit: nvmevirtctl boot loader detection; systemd-boot and UKI are left alone"
# blroot NAME: a fake machine with every boot loader tool (fakes that leave
# traces) and BLS entries; what nvmevirtctl does depends on the markers added
blroot() {
	local r; r=$(mkroot "$1")
	mkdir -p "$r/boot/loader/entries" "$r/etc/kernel"
	echo "root=/dev/sda3 ro quiet" >"$r/etc/kernel/cmdline"
	printf 'title Fedora\nlinux /vmlinuz-6.8\noptions root=/dev/sda3 ro quiet\n' >"$r/boot/loader/entries/x-6.8.conf"
	printf '#!/bin/sh\necho "$*" >>"$(dirname "$0")/grubby.log"\n' >"$r/bin/grubby"
	printf '#!/bin/sh\ntouch "$(dirname "$0")/update-grub.called"\n' >"$r/bin/update-grub"
	printf '#!/bin/sh\n[ "$1" = is-installed ] || exit 1\necho no\nexit 1\n' >"$r/bin/bootctl"
	chmod +x "$r/bin/grubby" "$r/bin/update-grub" "$r/bin/bootctl"
	touch "$r/boot/grub/grub.cfg"
	echo "$r"
}
# dctl ROOT ARGS...: nvmevirtctl detecting the boot loader (no override)
dctl() {
	local r=$1; shift
	NVMEVIRT_ROOT=$r NVMEVIRT_BOOTLOADER='' PATH=$r/bin:$PATH "$CTL" "$@"
}
# snap ROOT: every path and file checksum under ROOT but the configuration
snap() {
	(cd "$1" && find . ! -path ./etc/default/nvmevirt | LC_ALL=C sort &&
		find . -type f ! -path ./etc/default/nvmevirt -exec md5sum {} + | LC_ALL=C sort)
}
ARGS256='memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3'
SDB="nvmevirtctl: systemd-boot detected: the boot loader is not configured automatically"
UKI="nvmevirtctl: a unified kernel image (UKI) detected: the boot loader is not configured automatically"
# each: name | marker: a file to create in the root (PATH=CONTENT for one
# with content), "bootctl" (is-installed says yes), "nobls" (no entries, no
# grubby), "nogrubby" or "-" | what configure must do
while IFS='|' read -r name marker want; do
	[ -n "$name" ] || continue
	r=$(blroot "bl-$(echo "$name" | tr -c 'a-z0-9\n' -)")
	case $marker in
	bootctl) printf '#!/bin/sh\necho yes\n' >"${r:?}/bin/bootctl" ;;
	nobls) rm -rf "${r:?}/boot/loader" "$r/bin/grubby" ;;
	nogrubby) rm "${r:?}/bin/grubby" ;;
	-) ;;
	*=*) mkdir -p "$(dirname "${r:?}/${marker%%=*}")"; printf '%s\n' "${marker#*=}" >"$r/${marker%%=*}" ;;
	*) mkdir -p "$(dirname "${r:?}/$marker")"; touch "$r/$marker" ;;
	esac
	before=$(snap "$r")
	err=$(dctl "$r" configure --size 256M 2>&1 >/dev/null); rc=$?
	case $want in
	sdboot|uki)
		if [ "$want" = sdboot ]; then line="$SDB; add these kernel arguments yourself: $ARGS256"
		else line="$UKI; add these kernel arguments yourself: $ARGS256"; fi
		if [ $rc -ne 0 ]; then fail "detect $name: configure failed" "$err"
		elif [ "$err" != "$line" ]; then fail "detect $name: message" "got:  $err"$'\n'"want: $line"
		elif [ "$before" != "$(snap "$r")" ]; then fail "detect $name: a file changed" "$(diff <(echo "$before") <(snap "$r"))"
		elif ! grep -qx 'NVMEVIRT_SIZE="256M"' "$r/etc/default/nvmevirt"; then fail "detect $name: configuration not written"
		else pass "detect $name -> $want: exact message, configuration written, no other file touched"
		fi ;;
	grubby)
		if [ $rc -eq 0 ] && [ "$(cat "$r/bin/grubby.log" 2>/dev/null)" = "--update-kernel=ALL --args=$ARGS256" ] && [ ! -e "$r/bin/update-grub.called" ]; then
			pass "detect $name -> grubby"
		else fail "detect $name -> grubby" "$err"; fi ;;
	grub)
		if [ $rc -eq 0 ] && [ -e "$r/bin/update-grub.called" ] && [ ! -e "$r/bin/grubby.log" ]; then pass "detect $name -> update-grub"
		else fail "detect $name -> update-grub" "$err"; fi ;;
	esac
done <<'EOF'
BLS entries and grubby|-|grubby
no BLS entries, update-grub|nobls|grub
BLS entries without grubby, update-grub|nogrubby|grub
bootctl is-installed says yes|bootctl|sdboot
/boot/efi/loader/loader.conf|boot/efi/loader/loader.conf|sdboot
/efi/loader/loader.conf|efi/loader/loader.conf|sdboot
/boot/loader/loader.conf|boot/loader/loader.conf|sdboot
/etc/kernel/install.conf layout=uki|etc/kernel/install.conf=layout=uki|uki
/etc/kernel/install.conf layout=bls|etc/kernel/install.conf=layout=bls|grubby
/etc/kernel/uki.conf|etc/kernel/uki.conf|uki
/boot/efi/EFI/Linux/*.efi|boot/efi/EFI/Linux/fedora-6.8.efi|uki
/efi/EFI/Linux/*.efi|efi/EFI/Linux/arch-linux.efi|uki
EOF
r=$(blroot bl-both)
mkdir -p "${r:?}/efi/loader" "$r/efi/EFI/Linux"; touch "$r/efi/loader/loader.conf" "$r/efi/EFI/Linux/a.efi"
err=$(dctl "$r" configure --size 256M 2>&1 >/dev/null)
expect_eq "detect: systemd-boot with a UKI -> the UKI message" "$err" "$UKI; add these kernel arguments yourself: $ARGS256"
r=$(blroot bl-override)
mkdir -p "${r:?}/boot/efi/loader"; touch "$r/boot/efi/loader/loader.conf"
NVMEVIRT_ROOT=$r NVMEVIRT_BOOTLOADER=grubby PATH=$r/bin:$PATH "$CTL" configure --size 256M >/dev/null 2>&1
expect_eq "detect: NVMEVIRT_BOOTLOADER=grubby overrides a systemd-boot marker" "$(cat "$r/bin/grubby.log" 2>/dev/null)" "--update-kernel=ALL --args=$ARGS256"
# unconfigure, apply and remove-bootargs with systemd-boot or a UKI
r=$(blroot bl-sd-unconfigure)
mkdir -p "${r:?}/boot/efi/loader"; touch "$r/boot/efi/loader/loader.conf"
dctl "$r" configure --size 256M >/dev/null 2>&1
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda3 ro $ARGS256" >"$r/proc/cmdline"
before=$(snap "$r")
err=$(dctl "$r" unconfigure 2>&1 >/dev/null)
if [ "$err" = "$SDB; remove these kernel arguments: $ARGS256" ] && [ "$before" = "$(snap "$r")" ] && grep -qx 'NVMEVIRT_SIZE=""' "$r/etc/default/nvmevirt"; then
	pass "systemd-boot: unconfigure writes the configuration, names this boot's arguments to remove, touches nothing else"
else fail "systemd-boot: unconfigure" "$err"; fi
err=$(dctl "$r" remove-bootargs 2>&1 >/dev/null)
expect_eq "systemd-boot: remove-bootargs says what to remove" "$err" "$SDB; remove these kernel arguments: $ARGS256"
r=$(blroot bl-uki-apply)
printf 'layout=uki\n' >"${r:?}/etc/kernel/install.conf"
sed -i 's/^NVMEVIRT_SIZE=.*/NVMEVIRT_SIZE="256M"/' "$r/etc/default/nvmevirt"
before=$(snap "$r")
err=$(dctl "$r" apply 2>&1 >/dev/null)
if [ "$err" = "$UKI; add these kernel arguments yourself: $ARGS256" ] && [ "$before" = "$(snap "$r")" ]; then
	pass "UKI: apply names the arguments to add, touches no file"
else fail "UKI: apply" "$err"; fi
err=$(BL=uki ctl "$(mkroot bl-uki-env)" configure --size 256M 2>&1 >/dev/null)
expect_eq "NVMEVIRT_BOOTLOADER=uki -> the UKI message" "$err" "$UKI; add these kernel arguments yourself: $ARGS256"
r=$(mkroot bl-sd-env)
err=$(BL=sdboot ctl "$r" configure --size 256M 2>&1 >/dev/null)
expect_eq "NVMEVIRT_BOOTLOADER=sdboot -> the systemd-boot message" "$err" "$SDB; add these kernel arguments yourself: $ARGS256"
err=$(BL=sdboot ctl "$r" unconfigure 2>&1 >/dev/null)
expect_eq "systemd-boot: unconfigure, no arguments in this boot -> names them generically" "$err" \
	"$SDB; remove these kernel arguments if you added them: memmap=SIZE\$START nvmev.memmap_start= nvmev.memmap_size= nvmev.cpus="

section "unit: nvmevirtctl --cpus: online, isolated and tickless CPUs"
# cpu_root NAME PRESENT ONLINE ISOLATED NOHZ_FULL: an 8-CPU fake machine with
# these files in /sys/devices/system/cpu ("-": the file is absent)
cpu_root() {
	local r d f v; r=$(mkroot "$1" big); d=${r:?}/sys/devices/system/cpu; shift
	for f in present online isolated nohz_full; do
		v=$1; shift
		if [ "$v" = - ]; then rm -f "$d/$f"; else printf '%s\n' "$v" >"$d/$f"; fi
	done
	echo "$r"
}
# cpus_auto ROOT: the CPUs configure --cpus auto chooses there
cpus_auto() {
	ctl "$1" configure --size 256M >/dev/null 2>&1 || { echo "configure failed"; return; }
	ctl "$1" bootargs | tr ' ' '\n' | sed -n 's/^nvmev\.cpus=//p'
}
# each: name | present | online | isolated | nohz_full | --cpus auto
n=0
while IFS='|' read -r name present online isolated nohz want; do
	[ -n "$name" ] || continue
	n=$((n + 1))
	r=$(cpu_root "cpus-$n" "$present" "$online" "$isolated" "$nohz")
	expect_eq "--cpus auto: $name -> $want" "$(cpus_auto "$r")" "$want"
done <<'EOF'
all 8 online, nothing isolated|0-7|0-7||(null)|6,7
nosmt (odd siblings offline)|0-7|0,2,4,6||(null)|4,6
maxcpus=2|0-7|0-1||(null)|0,1
isolcpus=2-3|0-7|0-7|2-3|(null)|2,3
nohz_full=5-7|0-7|0-7||5-7|6,7
nohz_full=1-2|0-7|0-7||1-2|1,2
isolcpus=3 nohz_full=5 (the union counts)|0-7|0-7|3|5|3,5
isolcpus=1 (a single CPU: last two online)|0-7|0-7|1|(null)|6,7
isolcpus=3,5,6 with nosmt (only 6 is online)|0-7|0,2,4,6|3,5-6|(null)|4,6
no online, isolated, nohz_full files (present)|0-5|-|-|-|4,5
ranges and commas|0-3,8-11|0-2,8,10|-|-|8,10
EOF
R10=$(cpu_root cpus-offline 0-7 0,2,4,6 "" "(null)")
ctl "$R10" configure --size 256M --cpus 4,6 >/dev/null 2>&1
cp "$R10/etc/default/nvmevirt" "$U/offline.before"
msg=$(ctl "$R10" configure --size 256M --cpus 2,3 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$msg" | grep -qF "CPU 3 is offline (nosmt, maxcpus= or hot-unplugged)" && cmp -s "$R10/etc/default/nvmevirt" "$U/offline.before"; then
	pass "configure --cpus 2,3 with CPU 3 offline -> refused, says offline, nothing changed"
else fail "configure --cpus with an offline CPU" "rc=$rc $msg"; fi
msg=$(ctl "$R10" configure --size 256M --cpus 2,9 2>&1)
if printf '%s' "$msg" | grep -q "CPU 9 does not exist"; then pass "configure --cpus 2,9: a CPU that is not present does not exist"; else fail "absent CPU" "$msg"; fi
R11=$(cpu_root cpus-ranges 0-3,8-11 0-3,8-11 - -)
msg=$(ctl "$R11" configure --size 256M --cpus 11,2,8 2>&1); rc=$?
if [ $rc -eq 0 ] && ctl "$R11" bootargs | grep -q 'nvmev.cpus=11,2,8$'; then pass "configure --cpus 11,2,8 on CPUs 0-3,8-11 -> accepted as given"; else fail "cpus on a sparse machine" "$msg"; fi
msg=$(ctl "$R11" configure --size 256M --cpus 2,5 2>&1)
if printf '%s' "$msg" | grep -q "CPU 5 does not exist"; then pass "configure --cpus 2,5 on CPUs 0-3,8-11 -> CPU 5 does not exist"; else fail "cpu in a hole" "$msg"; fi
# status: this boot's nvmev.cpus= names a CPU that is offline now
echo 'BOOT_IMAGE=/vmlinuz ro memmap=256M$4G nvmev.memmap_start=4G nvmev.memmap_size=256M nvmev.cpus=2,3' >"$R10/proc/cmdline"
msg=$(ctl "$R10" status 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s\n' "$msg" | grep -qxF '  cpus:        CPU 3 of nvmev.cpus= is offline (nosmt, maxcpus= or hot-unplugged): nvmev refuses to load; configure --cpus again, then reboot'; then
	pass "status: this boot's nvmev.cpus= names offline CPU 3 -> flagged, rc 1"
else fail "status with an offline boot CPU" "rc=$rc $msg"; fi
echo 'BOOT_IMAGE=/vmlinuz ro memmap=256M$4G nvmev.memmap_start=4G nvmev.memmap_size=256M nvmev.cpus=4,6' >"$R10/proc/cmdline"
msg=$(ctl "$R10" status 2>&1)
if ! printf '%s' "$msg" | grep -q offline; then pass "status: online boot CPUs -> no offline line"; else fail "status online CPUs" "$msg"; fi

section "unit: nvmevirtctl several devices (configure --device, NVMEVIRT_DEVICES)"
RD=$(mkroot devices)
msg=$(ctl "$RD" configure --device 128M:32M,nvm=rest@/var/lib/nvmevirt/a.img --device 128M@/srv/b.img --cpus 2,3 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$msg" | grep -q "Configured: 256M at 1G (0x40000000), CPUs 2,3 (shared), preset default, 2 devices:" &&
   printf '%s' "$msg" | grep -qx "  nvmev0 128M: 32M nvm, rest nvm; image /var/lib/nvmevirt/a.img" &&
   printf '%s' "$msg" | grep -qx "  nvmev1 128M: rest nvm; image /srv/b.img"; then
	pass "configure --device x2: the size is their sum, each device and namespace listed"
else fail "configure --device x2" "$msg"; fi
expect_eq "... the file: NVMEVIRT_DEVICES as given, NVMEVIRT_SIZE the sum, NVMEVIRT_IMAGE empty" \
	"$(grep -E '^NVMEVIRT_(SIZE|IMAGE|DEVICES)=' "$RD/etc/default/nvmevirt" | tr '\n' ' ')" \
	'NVMEVIRT_SIZE="256M" NVMEVIRT_IMAGE="" NVMEVIRT_DEVICES="128M:32M,nvm=rest@/var/lib/nvmevirt/a.img 128M@/srv/b.img" '
expect_eq "... the kernel arguments describe the whole reservation" "$(ctl "$RD" bootargs)" \
	'memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3'
expect_eq "... the drop-in waits for both images' file systems" \
	"$(grep '^RequiresMountsFor=' "$RD/etc/systemd/system/nvmevirt.service.d/50-image.conf")" \
	"RequiresMountsFor=/var/lib/nvmevirt /srv"
msg=$(ctl "$RD" status 2>&1)
if printf '%s' "$msg" | grep -q "devices: 2, sharing the CPUs" && printf '%s' "$msg" | grep -qx "    nvmev0 128M: 32M nvm, rest nvm" &&
   printf '%s' "$msg" | grep -qx "      image: /srv/b.img (not saved yet)"; then
	pass "status: the configured devices and their images"
else fail "status of several devices" "$msg"; fi
msg=$(ctl "$RD" forget-image /srv/c.img 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$msg" | grep -q "not an image of the configuration"; then pass "forget-image IMAGE: only an image of the configuration"; else fail "forget-image other" "$msg"; fi
mkdir -p "$RD/var/lib/nvmevirt"; printf '/var/lib/nvmevirt/a.img\n/srv/b.img\n/x.img\n' >"$RD/var/lib/nvmevirt/saved-images"
msg=$(ctl "$RD" forget-image /srv/b.img 2>&1); rc=$?
expect_eq "forget-image /srv/b.img: that one only" "$rc $(tr '\n' ' ' <"$RD/var/lib/nvmevirt/saved-images")" "0 /var/lib/nvmevirt/a.img /x.img "
ctl "$RD" forget-image >/dev/null 2>&1
expect_eq "forget-image: every image of the configuration" "$(tr '\n' ' ' <"$RD/var/lib/nvmevirt/saved-images")" "/x.img "
# hand edits that do not hold together: status says INVALID, apply refuses
cp "$RD/etc/default/nvmevirt" "$U/devices.good"
while IFS='|' read -r sedexpr word; do
	[ -n "$sedexpr" ] || continue
	cp "$U/devices.good" "$RD/etc/default/nvmevirt"
	sed -i "$sedexpr" "$RD/etc/default/nvmevirt"
	st=$(ctl "$RD" status 2>&1); src=$?
	ap=$(ctl "$RD" apply 2>&1); arc=$?
	if [ $src -eq 1 ] && [ $arc -ne 0 ] && printf '%s' "$st" | grep -q INVALID && printf '%s' "$st$ap" | grep -q -- "$word"; then
		pass "edited by hand ($sedexpr): status INVALID, apply refused: $(printf '%s' "$ap" | head -n 1 | cut -c1-80)"
	else fail "edited by hand ($sedexpr)" "$st / $ap"; fi
done <<'EOF'
s/^NVMEVIRT_SIZE=.*/NVMEVIRT_SIZE="512M"/|take 256M together
s#^NVMEVIRT_IMAGE=.*#NVMEVIRT_IMAGE="/var/lib/nvmevirt/disk.img"#|leave NVMEVIRT_IMAGE empty
s/128M@/100K@/|whole number of MiB
s/32M,nvm=rest/200M/|the namespaces need 200M
EOF
cp "$U/devices.good" "$RD/etc/default/nvmevirt"
ctl "$RD" configure --size 256M --cpus 2,3 >/dev/null 2>&1
expect_eq "configure without --device: one device again (NVMEVIRT_DEVICES emptied)" \
	"$(grep -E '^NVMEVIRT_DEVICES=' "$RD/etc/default/nvmevirt")" 'NVMEVIRT_DEVICES=""'
echo 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3' >"$RD/proc/cmdline"
msg=$(ctl "$RD" configure --device 64M --device 192M --cpus 2,3 2>&1)
if printf '%s' "$msg" | grep -q "This boot already has this reservation: 'systemctl restart nvmevirt' applies"; then
	pass "configure with the reservation this boot has: restart applies it, no reboot"
else fail "configure, same reservation" "$msg"; fi
# start refuses devices that do not add up to this boot's reservation,
# before it loads anything
printf '#!/bin/sh\necho "modprobe $*" >>"$NVMEVIRT_ROOT/modprobe.log"\n' >"$RD/bin/modprobe"; chmod +x "$RD/bin/modprobe"
sed -i 's/nvmev.memmap_size=256M/nvmev.memmap_size=128M/' "$RD/proc/cmdline"
msg=$(ctl "$RD" start 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "take 256M, this boot reserved 128M" && [ ! -e "$RD/modprobe.log" ]; then
	pass "start: devices that do not add up to this boot's reservation -> refused, nothing loaded"
else fail "start with another reservation" "$msg"; fi

section "unit: nvmevirtctl status and check-boot"
R8=$(mkroot status)
msg=$(ctl "$R8" status 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$msg" | grep -q "not configured" && printf '%s' "$msg" | grep -qx OK; then pass "status: fresh install -> not configured, OK, rc 0"; else fail "status fresh" "$msg"; fi
ctl "$R8" configure --size 256M >/dev/null 2>&1
msg=$(ctl "$R8" status 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$msg" | grep -q "MISMATCH.*reboot"; then pass "status: configured, not rebooted -> MISMATCH, rc 1"; else fail "status not rebooted" "$msg"; fi
msg=$(ctl "$R8" check-boot 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$msg" | grep -q "no memory reservation.*skipping"; then pass "check-boot: no reservation -> rc 1 (unit skipped)"; else fail "check-boot none" "$msg"; fi
echo 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3' >"$R8/proc/cmdline"
msg=$(ctl "$R8" check-boot 2>&1); rc=$?
if [ $rc -eq 1 ]; then pass "check-boot: arguments but range still System RAM in /proc/iomem -> rc 1"; else fail "check-boot not reserved" "$msg"; fi
printf '00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n00100000-3fffffff : System RAM\n40000000-4fffffff : Reserved\n50000000-7ffd6fff : System RAM\n' >"$R8/proc/iomem"
msg=$(ctl "$R8" check-boot 2>&1); rc=$?
if [ $rc -eq 0 ]; then pass "check-boot: reserved in /proc/iomem -> rc 0"; else fail "check-boot reserved" "$msg"; fi
msg=$(ctl "$R8" status 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$msg" | grep -q "NOT RUNNING"; then pass "status: reservation but no module -> NOT RUNNING, rc 1"; else fail "status not running" "$msg"; fi

section "unit: nvmevirtctl start/stop, persistence image"
R9=$(mkroot persist)
# a real NVMe disk already present: nvme0; nvmev will add nvme1
mkdir -p "$R9/sys/class/nvme/nvme0/nvme0n1" "$R9/sys/block/nvme0n1"
head -c 1048576 /dev/urandom >"$R9/dev/nvme0n1"; cp "$R9/dev/nvme0n1" "$U/real-disk"
cat >"$R9/bin/modprobe" <<'EOF'
#!/bin/sh
# fake modprobe: nvmev creates controller nvme1 with an 8 MiB namespace
echo "modprobe $*" >>"$NVMEVIRT_ROOT/modprobe.log"
[ "$1" = nvme ] && exit 0
if [ "$1" = -r ]; then
	rm -rf "$NVMEVIRT_ROOT/sys/module/nvmev" "$NVMEVIRT_ROOT/sys/class/nvme/nvme1" "$NVMEVIRT_ROOT/sys/block/nvme1n1" "$NVMEVIRT_ROOT/dev/nvme1n1"
	exit 0
fi
mkdir -p "$NVMEVIRT_ROOT/sys/module/nvmev" "$NVMEVIRT_ROOT/sys/class/nvme/nvme1/nvme1n1" "$NVMEVIRT_ROOT/sys/block/nvme1n1"
echo 16384 >"$NVMEVIRT_ROOT/sys/block/nvme1n1/size"
head -c 8388608 /dev/zero >"$NVMEVIRT_ROOT/dev/nvme1n1"
EOF
chmod +x "$R9/bin/modprobe"
printf '#!/bin/sh\nexit 0\n' >"$R9/bin/udevadm"; chmod +x "$R9/bin/udevadm"
ctl "$R9" configure --size 256M --preset nand --image /var/lib/nvmevirt/disk.img >/dev/null 2>&1
msg=$(ctl "$R9" start 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(cat "$R9/run/nvmevirt/device")" = "nvme1 nvme1n1" ] && printf '%s' "$msg" | grep -q "no image"; then
	pass "start: loads nvmev, finds the new namespace (not the real nvme0n1), no image yet"
else fail "start first" "$msg"; fi
if grep -qx "modprobe nvmev type=nvm read_latency_ns=80000 write_latency_ns=20000 bandwidth_mbps=3000 parallel_units=16" "$R9/modprobe.log"; then
	pass "start: modprobe nvmev with the type and the preset's tunables only (range from the cmdline)"
else fail "start modprobe args" "$(cat "$R9/modprobe.log")"; fi
head -c 8388608 /dev/urandom >"$U/pattern"; cp "$U/pattern" "$R9/dev/nvme1n1"
msg=$(ctl "$R9" stop 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/pattern" "$R9/var/lib/nvmevirt/disk.img" && [ ! -e "$R9/var/lib/nvmevirt/disk.img.saving" ] && [ ! -d "$R9/sys/module/nvmev" ]; then
	pass "stop: saves the device to the image (no temporary left), unloads nvmev"
else fail "stop save" "$msg"; fi
if [ "$(stat -c %a "$R9/var/lib/nvmevirt/disk.img")" = 600 ]; then pass "stop: the image is private (mode 600)"; else fail "image mode" "$(stat -c %a "$R9/var/lib/nvmevirt/disk.img")"; fi
msg=$(ctl "$R9" start 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/pattern" "$R9/dev/nvme1n1" && printf '%s' "$msg" | grep -q restored; then
	pass "start: restores the image into the new device before returning"
else fail "start restore" "$msg"; fi
if cmp -s "$U/real-disk" "$R9/dev/nvme0n1"; then pass "start/stop never touch the other NVMe disk"; else fail "real disk changed"; fi
# a save that fails halfway must leave the last good image in place
rm "$R9/dev/nvme1n1"; mkdir "$R9/dev/nvme1n1"
msg=$(ctl "$R9" save 2>&1); rc=$?
if [ $rc -ne 0 ] && cmp -s "$U/pattern" "$R9/var/lib/nvmevirt/disk.img" && [ ! -e "$R9/var/lib/nvmevirt/disk.img.saving" ]; then
	pass "save: a failed save keeps the previous image intact"
else fail "failed save" "$msg"; fi
rmdir "$R9/dev/nvme1n1"; ctl "$R9" stop --no-save >/dev/null 2>&1
head -c 9437184 /dev/urandom >"$R9/var/lib/nvmevirt/disk.img"; cp "$R9/var/lib/nvmevirt/disk.img" "$U/big.img"
msg=$(ctl "$R9" start 2>&1); rc=$?
ctl "$R9" stop >/dev/null 2>&1
if [ $rc -ne 0 ] && printf '%s' "$msg" | grep -q "larger than" && cmp -s "$U/big.img" "$R9/var/lib/nvmevirt/disk.img"; then
	pass "start: an image larger than the device is refused, and not overwritten at stop"
else fail "image too large" "$msg"; fi

# the other types: conv with its preset as the module's parameter, zns and kv with none
for tp in "conv qlc|type=conv preset=qlc" "conv default|type=conv" "zns default|type=zns" "kv default|type=kv"; do
	read -r ty pr <<<"${tp%%|*}"
	rm -f "$R9/modprobe.log"
	ctl "$R9" configure --size 256M --type "$ty" --preset "$pr" --image none >/dev/null 2>&1
	msg=$(ctl "$R9" start 2>&1); rc=$?
	ctl "$R9" stop --no-save >/dev/null 2>&1
	if [ $rc -eq 0 ] && grep -qx "modprobe nvmev ${tp#*|}" "$R9/modprobe.log"; then
		pass "start: --type $ty --preset $pr -> modprobe nvmev ${tp#*|}"
	else fail "start --type $ty --preset $pr" "$msg $(cat "$R9/modprobe.log" 2>/dev/null)"; fi
done

section "unit: nvmevirtctl images through /dev/nvmev/nvmev0"
RI=$(mkroot image)
# fake modprobe: nvmev makes nvme1n1 and its image file /dev/nvmev/nvmev0,
# here a regular file whose contents stand for the module's image
cat >"$RI/bin/modprobe" <<'EOF'
#!/bin/sh
echo "modprobe $*" >>"$NVMEVIRT_ROOT/modprobe.log"
[ "$1" = nvme ] && exit 0
if [ "$1" = -r ]; then
	rm -rf "$NVMEVIRT_ROOT/sys/module/nvmev" "$NVMEVIRT_ROOT/sys/class/nvme/nvme1" "$NVMEVIRT_ROOT/sys/block/nvme1n1" "$NVMEVIRT_ROOT/dev/nvme1n1" "$NVMEVIRT_ROOT/dev/nvmev"
	exit 0
fi
mkdir -p "$NVMEVIRT_ROOT/sys/module/nvmev" "$NVMEVIRT_ROOT/sys/class/nvme/nvme1/nvme1n1" "$NVMEVIRT_ROOT/sys/block/nvme1n1" "$NVMEVIRT_ROOT/dev/nvmev"
echo 16384 >"$NVMEVIRT_ROOT/sys/block/nvme1n1/size"
head -c 8388608 /dev/zero >"$NVMEVIRT_ROOT/dev/nvme1n1"
[ -e "$NVMEVIRT_ROOT/no-image-dev" ] && rmdir "$NVMEVIRT_ROOT/dev/nvmev"
{ printf NVMEVIMG; head -c 65528 /dev/zero; } >"$NVMEVIRT_ROOT/dev/nvmev/nvmev0" 2>/dev/null || true
EOF
chmod +x "$RI/bin/modprobe"
printf '#!/bin/sh\nexit 0\n' >"$RI/bin/udevadm"; chmod +x "$RI/bin/udevadm"
ctl "$RI" configure --size 256M --image /var/lib/nvmevirt/disk.img >/dev/null 2>&1
ctl "$RI" start >/dev/null 2>&1
{ printf NVMEVIMG; head -c 1048568 /dev/urandom; } >"$U/img-state"
cp "$U/img-state" "$RI/dev/nvmev/nvmev0"
head -c 8388608 /dev/urandom >"$U/bdev-state"; cp "$U/bdev-state" "$RI/dev/nvme1n1"
msg=$(ctl "$RI" stop 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/img-state" "$RI/var/lib/nvmevirt/disk.img"; then
	pass "stop: saves /dev/nvmev/nvmev0 (every namespace), not the block device"
else fail "stop via image device" "rc=$rc $msg"; fi
msg=$(ctl "$RI" start 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/img-state" "$RI/dev/nvmev/nvmev0" &&
	cmp -s -n 8388608 /dev/zero "$RI/dev/nvme1n1" && printf '%s' "$msg" | grep -q "restoring /dev/nvmev/nvmev0"; then
	pass "start: restores an NVMEVIMG image through /dev/nvmev/nvmev0, the block device untouched"
else fail "start via image device" "rc=$rc $msg"; fi
ctl "$RI" stop --no-save >/dev/null 2>&1
# a raw copy of the block device, as nvmevirt 0.1.0 saved it
head -c 4194304 /dev/urandom >"$RI/var/lib/nvmevirt/disk.img"; cp "$RI/var/lib/nvmevirt/disk.img" "$U/raw.img"
msg=$(ctl "$RI" start 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s -n 4194304 "$U/raw.img" "$RI/dev/nvme1n1" && printf '%s' "$msg" | grep -q "raw image"; then
	pass "start: a raw 0.1.0 image still restores, through the block device"
else fail "raw image" "rc=$rc $msg"; fi
ctl "$RI" stop --no-save >/dev/null 2>&1
# the module refuses the image (another geometry, damaged): nothing runs
cp "$U/img-state" "$RI/var/lib/nvmevirt/disk.img"
cat >"$RI/bin/dd" <<'EOF'
#!/bin/sh
case "$*" in *of=*/dev/nvmev/nvmev0*) echo "dd: error writing '/dev/nvmev/nvmev0': Invalid argument" >&2; exit 1 ;; esac
exec /bin/dd "$@"
EOF
chmod +x "$RI/bin/dd"
printf '#!/bin/sh\necho "[    5.1] nvmev: nvmev0: image: refused: namespace 1: the image has 268435456 bytes in 512-byte blocks, the namespace 134217728 bytes in 512-byte blocks; nothing was written"\n' >"$RI/bin/dmesg"
chmod +x "$RI/bin/dmesg"
msg=$(ctl "$RI" start 2>&1); rc=$?
if [ $rc -ne 0 ] && [ ! -d "$RI/sys/module/nvmev" ] && printf '%s' "$msg" | grep -q "refused: namespace 1: the image has 268435456 bytes" &&
	cmp -s "$U/img-state" "$RI/var/lib/nvmevirt/disk.img"; then
	pass "start: an image the module refuses -> unloaded, the kernel's reason shown, image kept"
else fail "refused image" "rc=$rc $msg"; fi
rm -f "$RI/bin/dd" "$RI/bin/dmesg"
# an image of the module's format, but a module without image files
touch "$RI/no-image-dev"
msg=$(ctl "$RI" start 2>&1); rc=$?
if [ $rc -ne 0 ] && [ ! -d "$RI/sys/module/nvmev" ] && printf '%s' "$msg" | grep -q "in the module's format but /dev/nvmev/nvmev0 is missing"; then
	pass "start: an NVMEVIMG image and no /dev/nvmev/nvmev0 -> not restored into the block device"
else fail "no image device" "rc=$rc $msg"; fi
rm -f "$RI/no-image-dev"

section "unit: nvmevirtctl metrics (Prometheus text format, promtool check metrics)"
RM=$(mkroot metrics)
msg=$(ctl "$RM" metrics 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$msg" | grep -v '^#')" = "nvmevirt_up 0" ]; then
	pass "metrics: no module -> nvmevirt_up 0 only"
else fail "metrics without module" "rc=$rc $msg"; fi
# two devices as the module's sysfs shows them: a conv namespace with its media
# counters and a kv one with its usage on nvmev0, an nvm one on nvmev1
mkdir -p "$RM/sys/module/nvmev"
for dv in nvmev0 nvmev1; do
	d=$RM/sys/kernel/nvmev/$dv
	mkdir -p "$d/stats" "$d/ns1/stats"
	echo 0000:00:0${dv#nvmev}.0 >"$d/pci_address"; echo 1,2 >"$d/cpus"
	echo 1073741824 >"$d/memmap_start"; echo 134217728 >"$d/memmap_size"
	n=100
	for f in read_cmds write_cmds flush_cmds write_zeroes_cmds dsm_cmds completions bytes_read bytes_written \
		errors aborted backpressure_waits cq_full_waits inflight; do
		echo $n >"$d/stats/$f"; n=$((n + 1))
	done
	printf '0x02 100\n0x01 101\n' >"$d/stats/io_cmds"
	printf '0 1 40\n1024 2047 7\n1048576 2097151 2\n' >"$d/stats/lateness"
	for f in read_cmds write_cmds bytes_read bytes_written; do echo 9 >"$d/ns1/stats/$f"; done
	echo 131072 >"$d/ns1/size"; echo 4096 >"$d/ns1/lba_size"; echo 1 >"$d/ns1/attached"
done
d=$RM/sys/kernel/nvmev/nvmev0
echo conv >"$d/ns1/type"; echo nvm >"$RM/sys/kernel/nvmev/nvmev1/ns1/type"
for f in host_pages_written media_pages_written gc_runs gc_pages_moved erases free_lines lines ftl_bytes gc_stuck; do
	echo 77 >"$d/ns1/stats/$f"
done
echo 7.823 >"$d/ns1/stats/waf"
mkdir -p "$d/ns2/stats" "$d/ns2/usage"; echo kv >"$d/ns2/type"; echo 4096 >"$d/ns2/lba_size"
echo 12 >"$d/ns2/stats/read_cmds"; echo 500 >"$d/ns2/usage/keys"; echo 65536 >"$d/ns2/usage/max_keys"
msg=$(ctl "$RM" metrics 2>&1); rc=$?
printf '%s\n' "$msg" >"$U/metrics.prom"
if [ $rc -eq 0 ] && out=$(promtool check metrics <"$U/metrics.prom" 2>&1); then
	pass "metrics: promtool check metrics accepts the output ($(grep -vc '^#' "$U/metrics.prom") samples)"
else fail "metrics: promtool check metrics" "rc=$rc ${out:-} $(head -n 20 "$U/metrics.prom")"; fi
want() { # NAME SAMPLE: the sample is in the output, exactly
	if grep -qxF "$2" "$U/metrics.prom"; then pass "metrics: $1"; else fail "metrics: $1" "no line '$2'"; fi
}
want up 'nvmevirt_up 1'
want device-info 'nvmevirt_device_info{device="nvmev1",pci_address="0000:00:01.0",cpus="1,2",memmap_start="1073741824",memmap_size="134217728"} 1'
want device-counter 'nvmevirt_device_read_bytes_total{device="nvmev0"} 106'
want device-errors 'nvmevirt_device_errors_total{device="nvmev1"} 108'
want inflight-gauge 'nvmevirt_device_inflight_commands{device="nvmev0"} 112'
want lateness-cumulative 'nvmevirt_device_lateness_seconds_bucket{device="nvmev0",le="2.047e-06"} 47'
want lateness-inf 'nvmevirt_device_lateness_seconds_bucket{device="nvmev0",le="+Inf"} 49'
want lateness-count 'nvmevirt_device_lateness_seconds_count{device="nvmev1"} 49'
want ns-info 'nvmevirt_namespace_info{device="nvmev0",nsid="1",type="conv"} 1'
want ns-waf 'nvmevirt_namespace_waf{device="nvmev0",nsid="1"} 7.823'
want ns-gc-counter 'nvmevirt_namespace_gc_pages_moved_total{device="nvmev0",nsid="1"} 77'
want ns-free-lines-gauge 'nvmevirt_namespace_free_lines{device="nvmev0",nsid="1"} 77'
want ns-kv-keys 'nvmevirt_namespace_keys{device="nvmev0",nsid="2"} 500'
want ns-nvm 'nvmevirt_namespace_written_bytes_total{device="nvmev1",nsid="1"} 9'
if [ "$(grep -c '^# TYPE nvmevirt_namespace_read_commands_total ' "$U/metrics.prom")" = 1 ]; then
	pass "metrics: one HELP/TYPE per family, its samples together"
else fail "metrics: families" "$(grep '^# TYPE' "$U/metrics.prom")"; fi
mkdir -p "$RM/var/lib/prometheus/node-exporter"
msg=$(ctl "$RM" metrics --output /var/lib/prometheus/node-exporter/nvmevirt.prom 2>&1); rc=$?
if [ $rc -eq 0 ] && cmp -s "$U/metrics.prom" "$RM/var/lib/prometheus/node-exporter/nvmevirt.prom" &&
	[ -z "$(find "$RM/var/lib/prometheus/node-exporter" -name '*.tmp')" ]; then
	pass "metrics --output: the same text in FILE.prom, no temporary left"
else fail "metrics --output" "rc=$rc $msg"; fi
msg=$(ctl "$RM" metrics --output /tmp/nvmevirt.txt 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$msg" | grep -q 'ending in .prom'; then pass "metrics --output not *.prom -> rc 2"; else fail "metrics --output bad name" "rc=$rc $msg"; fi

section "unit: nvmevirtctl status --json (schema 1, validated with python3-jsonschema)"
SCHEMA=$TOP/tools/status.schema.json
# sj NAME ROOT WANT-RC EXPR=JSON...: status --json on ROOT exits WANT-RC,
# its output validates against the schema and each EXPR holds
sj() {
	local name=$1 r=$2 want=$3 rc out; shift 3
	ctl "$r" status --json >"$U/status.json" 2>"$U/status.err"; rc=$?
	if out=$("$HERE/lib/jcheck" "$SCHEMA" "$U/status.json" "$@" 2>&1) && [ $rc -eq "$want" ] && [ ! -s "$U/status.err" ]; then
		pass "status --json: $name"
	else fail "status --json: $name" "rc=$rc (want $want) $out $(cat "$U/status.err") $(head -c 1500 "$U/status.json")"; fi
}
RJ=$(mkroot json)
sj "fresh install: not configured, ok, rc 0" "$RJ" 0 'd["ok"]=true' 'd["problems"]=[]' \
	'd["configuration"]["state"]="not_configured"' 'd["boot"]["reservation"]="none"' 'd["module"]["loaded"]=false' 'd["devices"]=[]'
ctl "$RJ" configure --device 128M:32M,zns=rest@/srv/a.img --device 128M:kv=rest --cpus 2,3 >/dev/null 2>&1
sj "configured, not rebooted: MISMATCH, rc 1, both configured devices and their namespaces" "$RJ" 1 'd["ok"]=false' \
	'[p["code"] for p in d["problems"]]=["MISMATCH"]' 'd["configuration"]["size_bytes"]=268435456' \
	'd["configuration"]["start_bytes"]=1073741824' 'd["configuration"]["cpus"]="2,3"' \
	'd["configuration"]["devices"][0]["namespaces"]=[{"nsid":1,"type":"nvm","size_bytes":33554432},{"nsid":2,"type":"zns","size_bytes":null}]' \
	'd["configuration"]["devices"][1]["namespaces"][0]["type"]="kv"' 'd["configuration"]["devices"][0]["image"]="/srv/a.img"' \
	'd["configuration"]["devices"][0]["image_saved"]=false' 'd["configuration"]["devices"][1]["image"]=null' \
	'd["boot"]["configured_arguments"]="memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3"'
mkdir -p "$RJ/srv"; head -c 12345 /dev/zero >"$RJ/srv/a.img"
sj "a saved image: its size and time" "$RJ" 1 'd["configuration"]["devices"][0]["image_saved"]=true' \
	'd["configuration"]["devices"][0]["image_bytes"]=12345' 'len(d["configuration"]["devices"][0]["image_saved_at"])=20'
# this boot has the reservation; the module runs both devices: nvmev0 on
# nvme1 (nvme0 is another disk) with a zns block device and an nvm one,
# nvmev1 not bound to the driver
echo 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro memmap=256M$1G nvmev.memmap_start=1G nvmev.memmap_size=256M nvmev.cpus=2,3' >"$RJ/proc/cmdline"
printf '00000000-00000fff : Reserved\n00100000-3fffffff : System RAM\n40000000-4fffffff : Reserved\n50000000-7ffd6fff : System RAM\n' >"$RJ/proc/iomem"
mkdir -p "$RJ/sys/module/nvmev" "$RJ/run/nvmevirt"; echo 9.9.9 >"$RJ/sys/module/nvmev/version"
printf 'nvmev0 ok /srv/a.img\nnvmev1 ok\n' >"$RJ/run/nvmevirt/devices"
for dv in 0 1; do
	d=$RJ/sys/kernel/nvmev/nvmev$dv
	mkdir -p "$d/stats" "$d/ns1"
	echo "1000$dv:00:00.0" >"$d/pci_address"; echo 2,3 >"$d/cpus"; echo nvm >"$d/type"
	printf '0x%x\n' $((1073741824 + dv * 134217728)) >"$d/memmap_start"; echo 134217728 >"$d/memmap_size"; echo $((dv * 3)) >"$d/stats/errors"
	echo 33554432 >"$d/ns1/size"; echo 4096 >"$d/ns1/lba_size"; echo 1 >"$d/ns1/attached"
done
echo nvm >"$RJ/sys/kernel/nvmev/nvmev0/ns1/type"; echo kv >"$RJ/sys/kernel/nvmev/nvmev1/ns1/type"
d=$RJ/sys/kernel/nvmev/nvmev0/ns2; mkdir -p "$d"; echo zns >"$d/type"; echo 99614720 >"$d/size"; echo 4096 >"$d/lba_size"; echo 1 >"$d/attached"
mkdir -p "$RJ/sys/class/nvme/nvme0/nvme0n1" "$RJ/sys/bus/pci/devices/10000:00:00.0/nvme/nvme1" \
	"$RJ/sys/class/nvme/nvme1/nvme1n1" "$RJ/sys/class/nvme/nvme1/nvme1n2" "$RJ/sys/class/nvme/nvme1/ng1n1"
echo live >"$RJ/sys/class/nvme/nvme1/state"; echo 1 >"$RJ/sys/class/nvme/nvme0/nvme0n1/nsid"
# the driver numbers its block devices in its own order: nvme1n1 is NSID 2
echo 2 >"$RJ/sys/class/nvme/nvme1/nvme1n1/nsid"; echo 1 >"$RJ/sys/class/nvme/nvme1/nvme1n2/nsid"
sj "running, nvmev1 without a controller: DEVICE_FAILED, rc 1" "$RJ" 1 \
	'[p["code"] for p in d["problems"]]=["DEVICE_FAILED"]' 'd["boot"]["reservation"]="present"' \
	'd["module"]={"name":"nvmev","loaded":true,"version":"9.9.9"}' '[x["name"] for x in d["devices"]]=["nvmev0","nvmev1"]' \
	'd["devices"][1]["health"]="failed"' 'd["devices"][1]["controller"]=null' 'd["devices"][1]["errors"]=3' \
	'd["devices"][0]["controller"]="nvme1"' 'd["devices"][0]["controller_state"]="live"' 'd["devices"][0]["image"]="/srv/a.img"' \
	'[[n["nsid"],n["type"],n["block_device"]] for n in d["devices"][0]["namespaces"]]=[[1,"nvm","nvme1n2"],[2,"zns","nvme1n1"]]' \
	'd["devices"][0]["namespaces"][1]["size_bytes"]=99614720' 'd["devices"][0]["health"]="ok"' \
	'd["devices"][0]["memmap_start"]=1073741824' 'd["devices"][1]["memmap_start"]=1207959552' 'd["devices"][0]["pci_address"]="10000:00:00.0"'
mkdir -p "$RJ/sys/bus/pci/devices/10001:00:00.0/nvme/nvme2" "$RJ/sys/class/nvme/nvme2"; echo live >"$RJ/sys/class/nvme/nvme2/state"
sj "both bound, a kv namespace without a block device is healthy: ok, rc 0" "$RJ" 0 'd["ok"]=true' 'd["problems"]=[]' \
	'd["devices"][1]["namespaces"][0]["block_device"]=null' 'd["devices"][1]["namespaces"][0]["health"]="ok"'
echo 0 >"$RJ/sys/kernel/nvmev/nvmev0/ns2/attached"; echo resetting >"$RJ/sys/class/nvme/nvme2/state"
sj "a detached namespace and a resetting controller: warnings with reasons, still ok" "$RJ" 0 \
	'd["devices"][0]["namespaces"][1]["health"]="warning"' 'd["devices"][0]["namespaces"][1]["attached"]=false' \
	'd["devices"][0]["namespaces"][1]["health_reasons"]=["detached from its controller"]' \
	'd["devices"][1]["health"]="warning"' 'd["devices"][1]["health_reasons"]=["controller resetting"]'
printf '%s\n' 'device busy: /dev/nvme1n2 is mounted on "/mnt/a\040b"	(tab)' >"$RJ/run/nvmevirt/refused"
sj "a refused stop (quotes, a backslash and a tab in its message escaped): STOP_REFUSED, rc 1" "$RJ" 1 \
	'[p["code"] for p in d["problems"]]=["STOP_REFUSED"]' '"\"/mnt/a\\040b\"\t(tab)" in d["problems"][0]["message"]=true'
rm -f "$RJ/run/nvmevirt/refused"
printf 'nvmev0 ok /srv/a.img\nnvmev1 ok\nnvmev2 ok\n' >"$RJ/run/nvmevirt/devices"
sj "a started device the module does not have: failed, DEVICE_FAILED, rc 1" "$RJ" 1 \
	'[p["code"] for p in d["problems"]]=["DEVICE_FAILED"]' '[x["name"] for x in d["devices"]]=["nvmev0","nvmev1","nvmev2"]' \
	'd["devices"][2]["health"]="failed"' 'd["devices"][2]["namespaces"]=[]'
printf 'nvmev0 ok /srv/a.img\nnvmev1 ok\n' >"$RJ/run/nvmevirt/devices"
sed -i 's/^NVMEVIRT_SIZE=.*/NVMEVIRT_SIZE="512M"/' "$RJ/etc/default/nvmevirt"
sj "a hand edit that does not add up: INVALID with the reason, rc 1" "$RJ" 1 'd["configuration"]["state"]="invalid"' \
	'd["problems"][0]["code"]="INVALID"' '"take 256M together" in d["problems"][0]["message"]=true' 'd["configuration"]["devices"]=[]'
rm -rf "$RJ/sys/module/nvmev"
sed -i 's/^NVMEVIRT_SIZE=.*/NVMEVIRT_SIZE="256M"/' "$RJ/etc/default/nvmevirt"
sj "reserved, module not loaded: NOT_RUNNING, no devices" "$RJ" 1 '[p["code"] for p in d["problems"]]=["NOT_RUNNING"]' 'd["devices"]=[]'
msg=$(ctl "$RJ" status --yaml 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$msg" | grep -q "unknown argument '--yaml'"; then pass "status --yaml -> rc 2"; else fail "status bad argument" "rc=$rc $msg"; fi

section "unit: nvmevirtctl configure, the same configuration twice (configuration management)"
RI=$(mkroot idem)
# update-grub renders the linux line through the snippet, as grub-mkconfig does
printf '#!/bin/sh\necho called >>"$NVMEVIRT_ROOT/update-grub.log"\nprintf "linux /vmlinuz root=/dev/vda %%s\\n" "$(NVMEVIRT_ROOT=$NVMEVIRT_ROOT GRUB_CMDLINE_LINUX= sh -c ". %s; printf %%s \\"\\$GRUB_CMDLINE_LINUX\\"")" >"$NVMEVIRT_ROOT/boot/grub/grub.cfg"\n' \
	"$SNIPPET" >"$RI/bin/update-grub"
chmod +x "$RI/bin/update-grub"; : >"$RI/boot/grub/grub.cfg"
BL=grub ctl "$RI" configure --device 128M:64M,rest --device 128M:kv=rest --cpus 2,3 >"$U/idem1.out" 2>&1; rc1=$?
cp -p "$RI/etc/default/nvmevirt" "$U/idem.conf"
msg=$(BL=grub ctl "$RI" configure --device 128M:64M,rest --device 128M:kv=rest --cpus 2,3 2>&1); rc=$?
if [ $rc1 -eq 0 ] && grep -q '^Written:' "$U/idem1.out" && [ "$(grep -c called "$RI/update-grub.log")" = 1 ] &&
   grep -qF 'memmap=256M\$1G' "$RI/boot/grub/grub.cfg" && [ $rc -eq 0 ] &&
   printf '%s' "$msg" | grep -qx "Unchanged: /etc/default/nvmevirt already holds this configuration, and the boot loader has its arguments" &&
   ! printf '%s' "$msg" | grep -q '^Written:' && [ "$(grep -c called "$RI/update-grub.log")" = 1 ] &&
   cmp -s "$RI/etc/default/nvmevirt" "$U/idem.conf" && [ ! "$RI/etc/default/nvmevirt" -nt "$U/idem.conf" ]; then
	pass "configure twice: the second says Unchanged, rewrites nothing, runs no update-grub"
else fail "configure twice" "rc=$rc1/$rc $(cat "$U/idem1.out") / $msg / $(cat "$RI/update-grub.log") / $(cat "$RI/boot/grub/grub.cfg")"; fi
: >"$RI/boot/grub/grub.cfg"
msg=$(BL=grub ctl "$RI" configure --device 128M:64M,rest --device 128M:kv=rest --cpus 2,3 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$msg" | grep -q '^Written:' && [ "$(grep -c called "$RI/update-grub.log")" = 2 ]; then
	pass "configure again after grub.cfg lost the arguments: runs update-grub again"
else fail "configure, grub.cfg without the arguments" "rc=$rc $msg"; fi
msg=$(BL=grub ctl "$RI" configure --device 128M:32M,rest --device 128M:kv=rest --cpus 2,3 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$msg" | grep -q '^Written:' && [ "$(grep -c called "$RI/update-grub.log")" = 3 ] &&
   grep -q '^NVMEVIRT_DEVICES="128M:32M,rest 128M:kv=rest"' "$RI/etc/default/nvmevirt"; then
	pass "configure with another layout: Written, update-grub"
else fail "configure, another layout" "rc=$rc $msg"; fi
