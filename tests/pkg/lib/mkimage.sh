#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (or reuse) the guest image of the package system test:
# a debootstrap'd Debian 12 with systemd, udev, dkms, GRUB's config tools,
# sshd, D-Bus (shutdown -r asks logind) and Python for Ansible (and its
# SSH key in $OUT/id_ed25519), and
# one kernel (image + headers), as a raw ext4 file plus its kernel
# and initrd, in $OUT (default build/pkg/image).  The image is rebuilt only
# when this script or the kernel ABI changes (stamp file).
# A second kernel's headers (KVER2, older than KVER: DKMS's install
# builds for the running and the newest kernel only) are in the image too,
# for stage 3, which runs their postinst hooks as a new kernel's install
# does; $OUT/kver2 says which (none if the archive has no such package).
# Usage: mkimage.sh KVER [KVER2]
set -euo pipefail
KVER=$1
KVER2=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$(cd "$HERE/../../.." && pwd)/build/pkg/image}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=${SECURITY:-http://deb.debian.org/debian-security}
R=$OUT/rootfs
stamp="$KVER ${KVER2:-none} $(cat "$0" "$HERE/pkgtest.service" | sha256sum | cut -c1-16)"
if [ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$stamp" ] &&
   [ -f "$OUT/base.img" ] && [ -f "$OUT/vmlinuz" ] && [ -f "$OUT/initrd.img" ]; then
	echo "mkimage: reusing $OUT/base.img ($stamp)"
	exit 0
fi
mkdir -p "$OUT"
rm -f "$OUT/stamp" "$OUT/base.img"
umount_chroot() {
	for m in dev/pts dev sys proc; do umount "$R/$m" 2>/dev/null || true; done
}
umount_chroot
rm -rf "$R"
log=$OUT/mkimage.log
: >"$log"
echo "mkimage: debootstrap bookworm (log: $log)"
debootstrap --variant=minbase \
	--include=systemd-sysv,udev,kmod,procps,e2fsprogs,ca-certificates \
	bookworm "$R" "$MIRROR" >>"$log" 2>&1
cat >"$R/etc/apt/sources.list" <<EOS
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOS
trap umount_chroot EXIT
mount -t proc proc "$R/proc"; mount -t sysfs sysfs "$R/sys"
mount --bind /dev "$R/dev"; mount --bind /dev/pts "$R/dev/pts"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
echo "mkimage: kernel $KVER, headers, dkms, grub2-common"
chroot "$R" apt-get update -q >>"$log" 2>&1
chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "linux-image-$KVER" "linux-headers-$KVER" \
	dkms grub2-common dbus openssh-server python3 python3-apt >>"$log" 2>&1
echo none >"$OUT/kver2"
if [ -n "$KVER2" ] && chroot "$R" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "linux-headers-$KVER2" >>"$log" 2>&1; then
	echo "$KVER2" >"$OUT/kver2"
fi
chroot "$R" apt-get clean
rm -f "$R/usr/sbin/policy-rc.d"
umount_chroot
trap - EXIT

# the Ansible role's test (system.sh) logs in over SSH, forwarded from
# 127.0.0.1 by QEMU's user network (restrict=on: nothing else leaves);
# the key is this image's, made with it
rm -f "$OUT/id_ed25519" "$OUT/id_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C pkgtest -f "$OUT/id_ed25519"
install -d -m 700 "$R/root/.ssh"
install -m 600 "$OUT/id_ed25519.pub" "$R/root/.ssh/authorized_keys"
printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' >"$R/etc/systemd/network/80-pkgtest.network"
chroot "$R" systemctl enable systemd-networkd.service >>"$log" 2>&1
chroot "$R" systemctl mask systemd-networkd-wait-online.service >>"$log" 2>&1
echo pkgtest-guest >"$R/etc/hostname"
echo "/dev/vda / ext4 defaults,noatime 0 1" >"$R/etc/fstab"
chroot "$R" passwd -d root >/dev/null
# update-grub runs only where a grub.cfg exists, as on a real machine
mkdir -p "$R/boot/grub"
: >"$R/boot/grub/grub.cfg"
# the guest side of the test: a unit that runs the stage named on the
# kernel command line from the 9p share, then powers off cleanly
install -m 644 "$HERE/pkgtest.service" "$R/etc/systemd/system/pkgtest.service"
ln -sf /etc/systemd/system/pkgtest.service \
	"$R/etc/systemd/system/multi-user.target.wants/pkgtest.service"
# no SVM in the guest CPU model makes kvm_amd noise; keep the journal small
mkdir -p "$R/etc/systemd/journald.conf.d"
printf '[Journal]\nSystemMaxUse=32M\n' >"$R/etc/systemd/journald.conf.d/size.conf"
cp "$R/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
cp "$R/boot/initrd.img-$KVER" "$OUT/initrd.img"
mkfs.ext4 -q -F -L root -d "$R" "$OUT/base.img.tmp" 4G >>"$log" 2>&1
mv "$OUT/base.img.tmp" "$OUT/base.img"
rm -rf "$R"
echo "$stamp" >"$OUT/stamp"
echo "mkimage: built $OUT/base.img"
