# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2016 # literal $ in patterns
# Static checks of the packages; sourced by tests/pkg/run (pass/fail/check,
# TOP HERE B OUT DEB RPM VERSION).

section "static: lint"
S=$B/static
rm -rf "$S"; mkdir -p "$S"

lint_deb() {
	local o
	o=$(lintian --pedantic -I --fail-on error,warning "$DEB" 2>&1) || { echo "$o"; return 1; }
	# only I: and P: (pedantic) lines may remain
	! printf '%s\n' "$o" | grep -E '^[EW]: '
}
check "lintian: no errors or warnings ($(basename "$DEB"))" lint_deb

lint_rpm() {
	local o
	o=$(rpmlint -r "$TOP/rpm/rpmlintrc" "$RPM" "$OUT/nvmevirt-dkms.spec" 2>&1)
	printf '%s\n' "$o" | grep -q ' 0 errors, 0 warnings' || { echo "$o"; return 1; }
}
check "rpmlint: 0 errors, 0 warnings (rpm and spec)" lint_rpm

# every shell script we ship or run, including the RPM scriptlets
rpm -qp --scripts "$RPM" 2>/dev/null | awk -v d="$S" '
	/^[a-z]+ scriptlet \(using \/bin\/sh\):$/ { f = d "/rpm-" $1 ".sh"; print "#!/bin/sh" > f; next }
	f { print >> f }'
shellcheck_all() {
	local rc=0 f
	cd "$TOP" || return 1
	for f in "$TOP/tools/nvmevirtctl" "$TOP/tools/build-packages" \
		"$TOP/debian/nvmevirt-dkms.postinst" "$TOP/debian/nvmevirt-dkms.postrm" \
		"$TOP"/tests/pkg/run "$TOP"/tests/pkg/lib/*.sh "$S"/rpm-*.sh; do
		shellcheck -x "$f" || rc=1
	done
	shellcheck -s sh "$TOP/etc/default/grub.d/nvmevirt.cfg" || rc=1
	ls "$S"/rpm-*.sh >/dev/null 2>&1 || { echo "no RPM scriptlets extracted"; rc=1; }
	return $rc
}
check "shellcheck: nvmevirtctl, build-packages, maintainer scripts, RPM scriptlets, GRUB snippet, tests" shellcheck_all

verify_unit() {
	# the unit as installed, with its ExecStart binary present
	local d=$S/verify o
	mkdir -p "$d"
	cp "$TOP/tools/nvmevirtctl" "$d/nvmevirtctl"
	sed "s|/usr/sbin/nvmevirtctl|$d/nvmevirtctl|" "$TOP/systemd/nvmevirt.service" >"$d/nvmevirt.service"
	# Documentation=man:nvmevirtctl(8) must resolve: the man page as installed
	mkdir -p "$d/man/man8"; cp "$TOP/tools/nvmevirtctl.8" "$d/man/man8/"
	o=$(MANPATH=$d/man systemd-analyze verify "$d/nvmevirt.service" 2>&1) || { echo "$o"; return 1; }
	# unknown keys are only warnings: any output counts as a failure
	[ -z "$o" ] || { echo "$o"; return 1; }
}
check "systemd-analyze verify nvmevirt.service: clean" verify_unit

section "static: dkms.conf"
dkms_conf() {
	local f=$TOP/dkms.conf
	grep -qx 'PACKAGE_NAME="nvmevirt"' "$f" || { echo "PACKAGE_NAME"; return 1; }
	grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$f" || { echo "PACKAGE_VERSION placeholder"; return 1; }
	grep -qx 'BUILT_MODULE_NAME\[0\]="nvmev"' "$f" || { echo "BUILT_MODULE_NAME"; return 1; }
	grep -qx 'DEST_MODULE_LOCATION\[0\]="/updates/dkms"' "$f" || { echo "DEST_MODULE_LOCATION"; return 1; }
	grep -qx 'AUTOINSTALL="yes"' "$f" || { echo "AUTOINSTALL"; return 1; }
	grep -q '^MAKE\[0\]=.*KVER=\${kernelver}.*KDIR=\${kernel_source_dir}' "$f" || { echo "MAKE must pass the DKMS kernel"; return 1; }
	grep -q '^BUILD_EXCLUSIVE_ARCH="^x86_64\$"' "$f" || { echo "BUILD_EXCLUSIVE_ARCH"; return 1; }
	! grep -n 'uname' "$f" || { echo "uname in dkms.conf"; return 1; }
	! grep -n '^CLEAN' "$f" || { echo "CLEAN is deprecated"; return 1; }
	# the file must be valid bash, as dkms sources it
	bash -n "$f"
}
check "dkms.conf: nvmevirt/nvmev, updates/dkms, AUTOINSTALL, DKMS kernel, x86_64 only" dkms_conf
kernel_regex() {
	local re k
	re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' "$TOP/dkms.conf")
	for k in 6.1.0-56-amd64 6.12.57+deb13-amd64 6.12.95+deb12-cloud-amd64 7.0.0-1-amd64 6.17.8-300.fc43.x86_64; do
		[[ $k =~ $re ]] || { echo "$k should build"; return 1; }
	done
	for k in 5.15.0-91-generic 6.0.12-1-amd64 4.19.0-27-amd64; do
		[[ $k =~ $re ]] && { echo "$k should be skipped"; return 1; }
	done
	return 0
}
check "dkms.conf: BUILD_EXCLUSIVE_KERNEL takes 6.1 .. 7.x, skips older" kernel_regex

section "static: package contents"
X=$S/deb; mkdir -p "$X"
dpkg-deb -x "$DEB" "$X/root"; dpkg-deb -e "$DEB" "$X/DEBIAN"
deb_files() {
	local l f
	l=$(dpkg-deb -c "$DEB" | awk '{print $6}')
	for f in ./etc/default/nvmevirt ./etc/default/grub.d/nvmevirt.cfg ./etc/modprobe.d/nvmevirt.conf \
		./lib/systemd/system/nvmevirt.service ./usr/sbin/nvmevirtctl ./usr/share/man/man8/nvmevirtctl.8.gz \
		"./usr/src/nvmevirt-$VERSION/dkms.conf" "./usr/src/nvmevirt-$VERSION/Makefile" \
		"./usr/src/nvmevirt-$VERSION/VERSION" "./usr/src/nvmevirt-$VERSION/src/Kbuild" \
		./usr/share/doc/nvmevirt-dkms/copyright; do
		printf '%s\n' "$l" | grep -qxF "$f" || { echo "missing $f"; return 1; }
	done
	! printf '%s\n' "$l" | grep -E '\.(o|ko|cmd|mod|mod\.c)$|/\.git|/tests/|/debian/|/build/' || { echo "build products or tests in the package"; return 1; }
	[ "$(cat "$X/DEBIAN/conffiles")" = "$(printf '/etc/default/grub.d/nvmevirt.cfg\n/etc/default/nvmevirt\n/etc/modprobe.d/nvmevirt.conf')" ] ||
		{ echo "conffiles:"; cat "$X/DEBIAN/conffiles"; return 1; }
}
check "deb: sources under /usr/src/nvmevirt-$VERSION, config, snippet, modprobe.d, unit, helper, man page; 3 conffiles" deb_files
deb_meta() {
	local f
	[ "$(dpkg-deb -f "$DEB" Architecture)" = all ] || { echo "not Architecture: all"; return 1; }
	# what nvmevirtctl, the unit and the maintainer scripts run, beyond the
	# Essential packages (coreutils, findutils, grep, sed, util-linux, dash,
	# init-system-helpers) and awk (de facto essential: lintian's
	# needlessly-depends-on-awk): modprobe, systemctl/systemd-escape/
	# systemd-detect-virt, udevadm; dkms from dh_dkms
	[ "$(dpkg-deb -f "$DEB" Depends)" = 'kmod, systemd, udev, dkms (>= 2.1.0.0)' ] ||
		{ echo "Depends: $(dpkg-deb -f "$DEB" Depends)"; return 1; }
	f=$X/root/usr/src/nvmevirt-$VERSION/dkms.conf
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$f" || { echo "version not filled in dkms.conf"; return 1; }
	[ "$("$X/root/usr/sbin/nvmevirtctl" --version)" = "nvmevirtctl $VERSION" ] || { echo "nvmevirtctl --version"; return 1; }
}
check "deb: Architecture all, Depends kmod systemd udev dkms, dkms.conf and nvmevirtctl carry $VERSION" deb_meta
deb_scripts() {
	local p=$X/DEBIAN
	if ! grep -q '^DKMS_NAME=nvmevirt$' "$p/postinst" || ! grep -q '/usr/lib/dkms/common.postinst' "$p/postinst"; then
		echo "postinst: no dkms build"; return 1
	fi
	grep -q 'deb-systemd-helper.*enable.*nvmevirt.service' "$p/postinst" || { echo "postinst: unit not enabled"; return 1; }
	grep -q "deb-systemd-invoke start .*nvmevirt.service" "$p/postinst" || { echo "postinst: unit not started"; return 1; }
	! grep -n 'restart' "$p/postinst" || { echo "postinst restarts the unit on upgrade"; return 1; }
	grep -q 'update-grub' "$p/postinst" || { echo "postinst: no update-grub"; return 1; }
	grep -q 'update-grub' "$p/postrm" || { echo "postrm: no update-grub"; return 1; }
	grep -q 'rm -rf .*/var/lib/nvmevirt' "$p/postrm" || { echo "postrm: purge keeps /var/lib/nvmevirt"; return 1; }
	# prerm: the unit stops (only on remove) before dkms removes the module
	local stop dk
	stop=$(grep -n 'deb-systemd-invoke stop .*nvmevirt.service' "$p/prerm" | cut -d: -f1)
	dk=$(grep -n 'dkms remove' "$p/prerm" | head -n 1 | cut -d: -f1)
	if [ -z "$stop" ] || [ -z "$dk" ] || [ "$stop" -ge "$dk" ]; then echo "prerm order:"; cat "$p/prerm"; return 1; fi
	grep -q '"$1" = remove' "$p/prerm" || { echo "prerm stops on upgrade too"; return 1; }
}
check "deb scripts: dkms build, unit enabled+started (no restart on upgrade), stop before dkms remove, update-grub, purge" deb_scripts

Y=$S/rpm; mkdir -p "$Y/root"
(cd "$Y/root" && rpm2cpio "$RPM" | cpio -idm --quiet)
rpm_files() {
	local l f
	l=$(rpm -qpl "$RPM" 2>/dev/null)
	for f in /etc/sysconfig/nvmevirt /etc/modprobe.d/nvmevirt.conf /usr/lib/systemd/system/nvmevirt.service \
		/usr/sbin/nvmevirtctl "/usr/src/nvmevirt-$VERSION/dkms.conf" "/usr/src/nvmevirt-$VERSION/src/Kbuild"; do
		printf '%s\n' "$l" | grep -qxF "$f" || { echo "missing $f"; return 1; }
	done
	! printf '%s\n' "$l" | grep -E '\.(o|ko|cmd)$|/tests/|/debian/|grub.d' || { echo "unexpected files"; return 1; }
	# no preset (Fedora: only the distribution's presets enable units);
	# nvmevirtctl configure enables the unit
	! printf '%s\n' "$l" | grep -n -e 'system-preset' -e '\.preset$' || { echo "a preset in the package"; return 1; }
	[ "$(rpm -qp --qf '%{ARCH}' "$RPM" 2>/dev/null)" = noarch ] || { echo "not noarch"; return 1; }
	[ "$(rpm -qp --qf '%{VERSION}' "$RPM" 2>/dev/null)" = "$VERSION" ] || { echo "version"; return 1; }
	# %config(noreplace): flags "cn"
	for f in /etc/sysconfig/nvmevirt /etc/modprobe.d/nvmevirt.conf; do
		rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM" 2>/dev/null | grep -qx "cn $f" ||
			{ echo "$f is not %config(noreplace)"; return 1; }
	done
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$Y/root/usr/src/nvmevirt-$VERSION/dkms.conf" || { echo "dkms.conf version"; return 1; }
	grep -q '^CONFIG_PATH="/etc/sysconfig/nvmevirt"' "$Y/root/usr/sbin/nvmevirtctl" || { echo "nvmevirtctl config path"; return 1; }
	! grep -rn '/etc/default/nvmevirt' "$Y/root/etc" "$Y/root/usr/sbin" || { echo "Debian path left in the RPM"; return 1; }
}
check "rpm: noarch, $VERSION, files, %config(noreplace), /etc/sysconfig paths, no preset" rpm_files
rpm_meta() {
	local r
	# what nvmevirtctl, the unit and the scriptlets run: package names where
	# they are the same on every RPM distribution, paths where they differ
	# (udevadm: systemd-udev on Fedora, awk: gawk, dmesg: util-linux-core)
	r=$(rpm -qp --qf '[%{REQUIREFLAGS:deptype} %{REQUIRENAME}\n]' "$RPM" 2>/dev/null | sed -n 's/^manual //p' | sort | tr '\n' ' ')
	[ "$r" = '/usr/bin/awk /usr/bin/dmesg /usr/bin/udevadm coreutils dkms findutils grep kmod sed systemd ' ] ||
		{ echo "Requires: $r"; return 1; }
	# the %systemd_* scriptlet macros come from systemd-rpm-macros
	grep -qx 'BuildRequires:  systemd-rpm-macros' "$OUT/nvmevirt-dkms.spec" || { echo "no BuildRequires: systemd-rpm-macros"; return 1; }
}
check "rpm: Requires dkms kmod systemd udevadm awk dmesg coreutils findutils grep sed; BuildRequires systemd-rpm-macros" rpm_meta
rpm_scripts() {
	local s
	s=$(rpm -qp --scripts "$RPM" 2>/dev/null)
	for w in "dkms add -m nvmevirt -v $VERSION --rpm_safe_upgrade" "dkms build -m nvmevirt -v $VERSION" \
		"dkms install -m nvmevirt -v $VERSION" "dkms remove -m nvmevirt -v $VERSION --all --rpm_safe_upgrade" \
		"preset nvmevirt.service" "disable --now nvmevirt.service" "nvmevirtctl remove-bootargs"; do
		printf '%s\n' "$s" | grep -qF -- "$w" || { echo "scriptlets lack: $w"; return 1; }
	done
	! printf '%s\n' "$s" | grep -E 'try-restart|restart nvmevirt' || { echo "restarts on upgrade"; return 1; }
	# the unit stops before dkms removes the module
	printf '%s\n' "$s" | awk '/disable --now/ { d = NR } /dkms remove/ { r = NR } END { exit !(d && r && d < r) }'
}
check "rpm scriptlets: dkms add/build/install, remove on uninstall, systemd preset/stop, no restart" rpm_scripts
one_version() {
	grep -q "^nvmevirt ($VERSION)" "$B/work/nvmevirt-$VERSION/debian/changelog" || { echo "changelog"; return 1; }
	[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || { echo "deb version"; return 1; }
	grep -qx "%global pkg_version $VERSION" "$OUT/nvmevirt-dkms.spec" || { echo "spec version"; return 1; }
	# no version number written anywhere else
	! grep -n -F "$VERSION" "$TOP/dkms.conf" "$TOP/rpm/nvmevirt-dkms.spec" "$TOP/tools/nvmevirtctl" "$TOP/debian/rules" |
		grep -v '%changelog' | grep -v '^.*nvmevirt-dkms.spec:.*> - '
}
check "version $VERSION comes from VERSION only (deb, rpm, dkms.conf, nvmevirtctl)" one_version
