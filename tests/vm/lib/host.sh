# SPDX-License-Identifier: GPL-2.0-only
# Host-side helpers of the QEMU test suite, sourced (bash) by tests/vm/run and
# tests/vm/demo.  Everything lands in $VM_BUILD (build/vm/, gitignored):
#   kernel-$KVER/            linux-image-$KVER .deb unpacked with dpkg-deb -x
#   initramfs-$KVER.cpio     the one busybox initramfs every boot uses
#   logs/                    build log and one serial log per boot
#   qemu-nvme.img            backing file of QEMU's own NVMe (VM_CONTROL=qemu-nvme)
#
# Environment knobs:
#   KVER=6.1.0-56-amd64   guest kernel ABI (default: bookworm's current one)
#   VM_CONTROL=qemu-nvme  attach QEMU's emulated NVMe instead of loading nvmev
#                         (develops/validates the harness without the module)
#   VM_SMP, VM_MEM        guest CPUs / memory (default 3 / 2G)

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
VM_BUILD=$REPO/build/vm
VM_LOGS=$VM_BUILD/logs
VM_SMP=${VM_SMP:-3}
VM_MEM=${VM_MEM:-2G}
VM_CONTROL=${VM_CONTROL:-}
# Default reservation. Kept in a single-quoted variable: written as
# "memmap=256M$1G" bash would expand $1 and the kernel would get
# memmap=256MG ("limit RAM to 256M") without any error.
VM_MEMMAP_DEFAULT='256M$1G'

case $VM_CONTROL in
'' | qemu-nvme) ;;
*) echo "VM_CONTROL must be empty or qemu-nvme (got '$VM_CONTROL')" >&2; exit 2 ;;
esac

vm_now() { date +%s.%N; }

# One suite or demo at a time per work tree: they share build/vm/ (initramfs,
# logs, the QEMU NVMe image). The lock is held until the script exits.
vm_lock() {
	mkdir -p "$VM_BUILD"
	exec 9>"$VM_BUILD/.lock"
	if ! flock -n 9; then
		echo "waiting for another tests/vm run to finish (lock $VM_BUILD/.lock)"
		flock 9
	fi
}
vm_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}'; }

# Host packages. linux-headers-$KVER comes later (KVER needs apt lists).
VM_HOST_PKGS="qemu-system-x86 busybox-static nvme-cli fio kmod cpio pciutils
	e2fsprogs util-linux diffutils dash make gcc libc6-dev btrfs-progs f2fs-tools"

vm_ensure_base_pkgs() {
	# shellcheck disable=SC2086
	"$REPO/tests/lib/ensure-pkgs" $VM_HOST_PKGS
}

# Kernel ABI: $KVER, else the one linux-headers-amd64 depends on in the apt
# lists (old ABIs vanish from the mirror, so never hard-code it).
vm_kver() {
	[ -n "${KVER:-}" ] && return 0
	local try
	for try in 1 2; do
		KVER=$(apt-cache depends linux-headers-amd64 2>/dev/null |
			awk '/Depends: linux-headers-[0-9]/ { sub("linux-headers-", "", $2); print $2; exit }')
		[ -n "$KVER" ] && break
		[ "$try" = 1 ] && apt-get update -q >&2
	done
	[ -n "$KVER" ] || { echo "cannot work out the kernel ABI (set KVER=)" >&2; return 1; }
	export KVER
}

vm_ensure_headers() {
	[ -n "${VM_KO_PREBUILT:-}" ] && return 0	# built elsewhere (tests/vm/run-newest)
	"$REPO/tests/lib/ensure-pkgs" "linux-headers-$KVER"
}

# The guest kernel and its modules, from the .deb without installing it
# (no postinst, no update-initramfs): build/vm/kernel-$KVER/.
vm_fetch_kernel() {
	VM_KROOT=$VM_BUILD/kernel-$KVER
	VM_KERNEL=$VM_KROOT/boot/vmlinuz-$KVER
	[ -s "$VM_KERNEL" ] && [ -d "$VM_KROOT/lib/modules/$KVER/kernel" ] && return 0
	local dl=$VM_BUILD/deb
	rm -rf "$dl" "$VM_KROOT.tmp"
	mkdir -p "$dl" && chmod 777 "$dl" # apt-get download runs as _apt
	if [ -n "${VM_KERNEL_DEBS:-}" ]; then	# a kernel of another suite, fetched elsewhere
		# shellcheck disable=SC2086
		cp $VM_KERNEL_DEBS "$dl/" || return 1
	else
		(cd "$dl" && apt-get download -q "linux-image-$KVER") >&2
	fi || {
		apt-get update -q >&2
		(cd "$dl" && apt-get download -q "linux-image-$KVER") >&2
	} || { echo "apt-get download linux-image-$KVER failed" >&2; return 1; }
	local deb
	for deb in "$dl"/*.deb; do	# 7.x: the image, its kernel binary and its modules
		dpkg-deb -x "$deb" "$VM_KROOT.tmp" || return 1
	done
	# 7.x ships /usr/lib/modules/$KVER/{vmlinuz,kernel}: the layout of 6.x here
	local k=$VM_KROOT.tmp
	if [ -d "$k/usr/lib/modules/$KVER" ]; then
		mkdir -p "$k/lib/modules" "$k/boot"
		[ -f "$k/usr/lib/modules/$KVER/vmlinuz" ] &&
			mv "$k/usr/lib/modules/$KVER/vmlinuz" "$k/boot/vmlinuz-$KVER"
		mv "$k/usr/lib/modules/$KVER" "$k/lib/modules/$KVER" || return 1
	fi
	# the .deb ships no modules.dep (its postinst would run depmod)
	depmod -b "$VM_KROOT.tmp" "$KVER" || return 1
	rm -rf "$VM_KROOT" && mv "$VM_KROOT.tmp" "$VM_KROOT"
	rm -rf "$dl"
	[ -s "$VM_KERNEL" ]
}

# make -C <repo> KVER=$KVER -> src/nvmev.ko. Sets VM_KO (empty on failure).
vm_build_module() {
	VM_KO=
	if [ -n "${VM_KO_PREBUILT:-}" ]; then
		[ -f "$VM_KO_PREBUILT" ] && VM_KO=$VM_KO_PREBUILT
		[ -n "$VM_KO" ]
		return
	fi
	local log=$VM_LOGS/build.log
	mkdir -p "$VM_LOGS"
	# a second try: another build running in the same tree at the same time
	# (a developer's make, make clean) can break one attempt
	local try
	for try in 1 2; do
		if make -C "$REPO" KVER="$KVER" >"$log" 2>&1 && [ -f "$REPO/src/nvmev.ko" ]; then
			VM_KO=$REPO/src/nvmev.ko
			return 0
		fi
		[ $try = 1 ] && sleep 3
	done
	return 1
}

# --- initramfs ---------------------------------------------------------------
# Usrmerged layout (/bin, /sbin, /lib, /lib64 -> usr/...) so the library paths
# ldd prints on the host are valid in the guest. cmp is GNU diffutils' (-n,
# -i, and fast on whole devices) and dd is GNU coreutils' (it reports a failed
# close), not busybox's.
VM_GUEST_BINS="nvme fio lspci setpci mke2fs mkfs.ext4 e2fsck blkdiscard cmp dd blkzone
	mkfs.btrfs btrfs mkfs.f2fs fsck.f2fs"
VM_GUEST_MODS="nvme nvme-core ext4 crc32c_generic crc32c-intel configfs nvmet nvmet-tcp nvme-tcp
	btrfs f2fs"

_vm_copy_bin() { # ROOT /abs/path/on/host
	local root=$1 bin=$2 dst lib
	dst=$bin
	case $dst in /bin/* | /sbin/*) dst=/usr$dst ;; esac
	rm -f "$root$dst" # may be a busybox applet link
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$bin" "$root$dst"
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]*ld-linux/{print $1}'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# vm_mkinitramfs OUT: builds the cpio (uncompressed: compressing only costs
# boot time under TCG). Includes $VM_KO when set.
vm_mkinitramfs() {
	local out=$1 root a d n b p m ko rel kmod=$VM_KROOT/lib/modules/$KVER
	root=$(mktemp -d "${TMPDIR:-/tmp}/nvmev-initramfs.XXXXXX")
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{proc,sys,dev,tmp,run,etc,root,mnt,vmtest}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"

	b=$(command -v busybox) || { echo "busybox missing" >&2; rm -rf "$root"; return 1; }
	if ldd "$b" >/dev/null 2>&1; then
		echo "$b is not static: install busybox-static" >&2; rm -rf "$root"; return 1
	fi
	cp "$b" "$root/usr/bin/busybox"
	for a in $(busybox --list-full); do
		d=$(dirname "$a") n=$(basename "$a")
		case $d in bin) d=usr/bin ;; sbin) d=usr/sbin ;; esac
		[ -e "$root/$d/$n" ] || ln -s /usr/bin/busybox "$root/$d/$n"
	done

	for b in $VM_GUEST_BINS; do
		p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$b") ||
			{ echo "host binary $b missing" >&2; rm -rf "$root"; return 1; }
		_vm_copy_bin "$root" "$p"
	done
	# /bin/sh is dash: busybox-static's ash runs its own applets before
	# anything in PATH, so "modprobe" or "blkdiscard" in a script would never
	# reach kmod's or util-linux's binaries. Other commands stay busybox.
	_vm_copy_bin "$root" "$(PATH=/usr/bin:/bin command -v dash)" || { rm -rf "$root"; return 1; }
	rm -f "$root/usr/bin/sh"
	ln -s dash "$root/usr/bin/sh"
	# kmod's module tools, not busybox's: busybox insmod/modprobe retry a
	# failed finit_module() with init_module(), so a module whose init fails
	# would run (and log) twice
	_vm_copy_bin "$root" "$(PATH=/usr/bin:/bin command -v kmod)" || { rm -rf "$root"; return 1; }
	for n in modprobe insmod rmmod lsmod modinfo depmod; do
		rm -f "$root/usr/bin/$n" "$root/usr/sbin/$n"
		ln -s ../bin/kmod "$root/usr/sbin/$n"
	done
	[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
	[ -f /usr/share/misc/pci.ids ] && mkdir -p "$root/usr/share/misc" &&
		cp /usr/share/misc/pci.ids "$root/usr/share/misc/"

	# in-kernel modules and their dependencies, from the unpacked .deb
	for m in $VM_GUEST_MODS; do
		modprobe -d "$VM_KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" { print $2 }' |
			while read -r ko; do
				rel=${ko#"$VM_KROOT"}
				mkdir -p "$root$(dirname "$rel")"
				cp -n "$ko" "$root$rel"
			done
	done
	cp "$kmod"/modules.builtin "$kmod"/modules.builtin.modinfo "$kmod"/modules.order \
		"$root/lib/modules/$KVER/" 2>/dev/null
	mkdir -p "$root/lib/modules/$KVER/extra"
	[ -n "${VM_KO:-}" ] && cp "$VM_KO" "$root/lib/modules/$KVER/extra/nvmev.ko"
	depmod -b "$root" "$KVER" || { rm -rf "$root"; return 1; }

	# guest side of the suite
	mkdir -p "$root/vmtest/guest" "$root/vmtest/scenarios"
	cp "$VM_DIR"/guest/*.sh "$root/vmtest/guest/"
	cp "$VM_DIR"/scenarios/*.sh "$root/vmtest/scenarios/"
	# nvmevirtctl, for 13-ctl (it runs without systemd and udev)
	cp "$REPO/tools/nvmevirtctl" "$root/usr/sbin/nvmevirtctl"
	# kvcheck, the key-value passthrough check, for 14-kv (static: no libraries)
	gcc -O2 -Wall -Wextra -Werror -static -o "$root/usr/bin/kvcheck" "$REPO/tests/kv/kvcheck.c" ||
		{ echo "tests/kv/kvcheck.c does not build" >&2; rm -rf "$root"; return 1; }
	# ftlsim, the FTL simulator on the model's own FTL, for 17-conv's WAF check
	gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -static -I"$REPO/src/model" \
		-o "$root/usr/bin/ftlsim" "$REPO/tests/model/ftlsim.c" "$REPO/tests/model/sim.c" \
		"$REPO/src/model/ftl.c" -lm ||
		{ echo "tests/model/ftlsim.c does not build" >&2; rm -rf "$root"; return 1; }
	# a caller's own files (bench/run's zbench): HOST_PATH:GUEST_PATH ...
	for p in ${VM_GUEST_EXTRA:-}; do
		install -D -m 755 "${p%%:*}" "$root${p#*:}" || { rm -rf "$root"; return 1; }
	done
	cp "$VM_DIR/guest/init.sh" "$root/init"
	chmod 755 "$root/init"
	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"

	mkdir -p "$(dirname "$out")"
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp" &&
		mv "$out.tmp" "$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

# Everything a boot needs: packages, kernel, module (best effort), initramfs.
# Sets VM_KERNEL VM_INITRD VM_KO VM_BUILD_OK (1 when nvmev.ko was built).
vm_prepare() {
	mkdir -p "$VM_LOGS"
	vm_ensure_base_pkgs || return 1
	vm_kver || return 1
	vm_ensure_headers || return 1
	vm_fetch_kernel || return 1
	VM_BUILD_OK=0
	vm_build_module && VM_BUILD_OK=1
	VM_INITRD=$VM_BUILD/initramfs-$KVER.cpio
	vm_mkinitramfs "$VM_INITRD"
}

# vm_header FILE KEY: value of a "# vm-KEY: value" header line of a scenario
vm_header() {
	sed -n "s/^# vm-$2:[[:space:]]*//p" "$1" | head -1 | sed 's/[[:space:]]*$//'
}

# vm_boot RUN LOG TIMEOUT MEMMAP APPEND_EXTRA
#   RUN: the guest script (scenario basename without .sh, or "demo")
#   MEMMAP: e.g. '256M$1G'; "none" for no memmap= at all
# Returns QEMU's exit status (33: guest reached the end, 124/137: timeout).
vm_boot() {
	local run=$1 log=$2 tmo=$3 memmap=$4 extra=$5 append dev=()
	append="console=ttyS0,115200 panic=-1 oops=panic"
	[ "$memmap" != none ] && append="$append memmap=$memmap"
	# dotted names: the kernel passes them to no one, /init reads /proc/cmdline
	append="$append vmtest.run=$run vmtest.timeout=$((tmo > 90 ? tmo - 30 : tmo / 2))"
	[ -n "$VM_CONTROL" ] && append="$append vmtest.control=$VM_CONTROL"
	[ -n "$extra" ] && append="$append $extra"
	if [ "$VM_CONTROL" = qemu-nvme ]; then
		local img=$VM_BUILD/qemu-nvme.img
		rm -f "$img" && truncate -s 256M "$img"
		dev=(-drive "file=$img,if=none,id=nv0,format=raw,cache=unsafe,discard=unmap"
			-device "nvme,serial=vmtest0,drive=nv0")
	fi
	mkdir -p "$(dirname "$log")"
	: >"$log"
	timeout -k 10 "$tmo" qemu-system-x86_64 \
		-machine q35 -accel tcg,thread=multi -cpu max -smp "$VM_SMP" -m "$VM_MEM" \
		-nic none -display none -monitor none -no-reboot \
		-serial "file:$log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		"${dev[@]}" \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" -append "$append" </dev/null
}
