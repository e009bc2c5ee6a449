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
		"$TOP/debian/nvmevirt-dkms.postinst" "$TOP/debian/nvmevirt-dkms.prerm" "$TOP/debian/nvmevirt-dkms.postrm" \
		"$TOP"/tests/pkg/run "$TOP"/tests/pkg/lib/*.sh "$S"/rpm-*.sh; do
		shellcheck -x "$f" || rc=1
	done
	shellcheck -s sh "$TOP/etc/default/grub.d/nvmevirt.cfg" || rc=1
	ls "$S"/rpm-*.sh >/dev/null 2>&1 || { echo "no RPM scriptlets extracted"; rc=1; }
	return $rc
}
check "shellcheck: nvmevirtctl, build-packages, maintainer scripts, RPM scriptlets, GRUB snippet, tests" shellcheck_all
# the Ansible role: Debian's ansible-lint (production profile, offline)
# and the example playbook's syntax with its inventory
ansible_lint() {
	cd "$TOP/contrib/ansible" || return 1
	ansible-lint --offline --nocolor -p roles/nvmevirt playbook.yml &&
		ANSIBLE_ROLES_PATH=roles ANSIBLE_NOCOLOR=1 ansible-playbook --syntax-check -i inventory.ini playbook.yml
}
check "ansible-lint (production profile) of contrib/ansible's role and playbook, ansible-playbook --syntax-check" ansible_lint

verify_unit() {
	# the unit as installed, with its ExecStart binary present
	local d=$S/verify o
	mkdir -p "$d"
	cp "$TOP/tools/nvmevirtctl" "$d/nvmevirtctl"
	sed "s|/usr/sbin/nvmevirtctl|$d/nvmevirtctl|" "$TOP/systemd/nvmevirt.service" >"$d/nvmevirt.service"
	# Documentation=man:nvmevirtctl(8) must resolve: the man page as installed
	mkdir -p "$d/man/man8"; cp "$TOP/tools/nvmevirtctl.8" "$d/man/man8/"
	sed "s|/usr/sbin/nvmevirtctl|$d/nvmevirtctl|" "$TOP/systemd/nvmevirt-metrics.service" >"$d/nvmevirt-metrics.service"
	cp "$TOP/systemd/nvmevirt-metrics.timer" "$d/"
	o=$(MANPATH=$d/man systemd-analyze verify "$d/nvmevirt.service" "$d/nvmevirt-metrics.service" \
		"$d/nvmevirt-metrics.timer" 2>&1) || { echo "$o"; return 1; }
	# unknown keys are only warnings: any output counts as a failure
	[ -z "$o" ] || { echo "$o"; return 1; }
}
check "systemd-analyze verify nvmevirt.service, nvmevirt-metrics.service and .timer: clean" verify_unit

# the stop (the image's save) must end before systemd forces the power-off:
# TimeoutStopSec= below the JobTimeoutSec= of every shutdown target
to_sec() { # systemd time span (30min, 20min 30s, 90s, 90) -> seconds
	local v=$1 t=0 n u
	while [ -n "$v" ]; do
		v=${v# }; n=${v%%[!0-9]*}; v=${v#"$n"}; u=${v%%[0-9 ]*}; v=${v#"$u"}
		case $u in min) n=$((n * 60)) ;; h) n=$((n * 3600)) ;; s|'') ;; *) echo "unit $u" >&2; return 1 ;; esac
		t=$((t + n))
	done
	echo $t
}
stop_timeout() {
	local stop job tg
	stop=$(sed -n 's/^TimeoutStopSec=//p' "$TOP/systemd/nvmevirt.service")
	stop=$(to_sec "$stop") || return 1
	[ "$stop" -ge 600 ] || { echo "TimeoutStopSec=${stop}s is too short for a save"; return 1; }
	for tg in poweroff reboot halt kexec; do
		[ -f "/lib/systemd/system/$tg.target" ] || continue
		job=$(sed -n 's/^JobTimeoutSec=//p' "/lib/systemd/system/$tg.target")
		[ -n "$job" ] || continue
		job=$(to_sec "$job") || return 1
		echo "$tg.target: JobTimeoutSec=${job}s, TimeoutStopSec=${stop}s"
		[ "$stop" -lt "$job" ] || { echo "the stop may be cut off by $tg.target"; return 1; }
	done
}
check "nvmevirt.service: TimeoutStopSec below the JobTimeoutSec of poweroff/reboot.target" stop_timeout
udev_rule() {
	local f=$TOP/udev/60-nvmevirt.rules
	grep -qx 'ATTRS{model}!="nvmevirt \*", GOTO="nvmevirt_end"' "$f" || { echo "model match"; return 1; }
	grep -qx 'TEST!="/run/nvmevirt/ready", ENV{SYSTEMD_READY}="0"' "$f" || { echo "readiness"; return 1; }
	grep -q 'ready' "$TOP/tools/nvmevirtctl" || return 1
	# every GOTO has its LABEL
	[ "$(grep -c 'GOTO="nvmevirt_end"' "$f")" -ge 1 ] && grep -qx 'LABEL="nvmevirt_end"' "$f"
}
check "udev rule: nvmevirt namespaces not ready for systemd until /run/nvmevirt/ready" udev_rule

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
	# CLEAN: the Makefile's modules_clean for the DKMS kernel, one line,
	# nothing of tests/ (not shipped) or the running kernel
	[ "$(grep '^CLEAN=' "$f")" = 'CLEAN="make modules_clean KVER=${kernelver} KDIR=${kernel_source_dir}"' ] ||
		{ echo "CLEAN:"; grep -n '^CLEAN' "$f"; return 1; }
	! grep '^CLEAN' "$f" | grep -n -e uname -e tests || { echo "CLEAN reaches tests/ or the running kernel"; return 1; }
	# the file must be valid bash, as dkms sources it
	bash -n "$f"
}
check "dkms.conf: nvmevirt/nvmev, updates/dkms, AUTOINSTALL, DKMS kernel, CLEAN, x86_64 only" dkms_conf
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
		./lib/systemd/system/nvmevirt.service ./lib/systemd/system/nvmevirt-metrics.service \
		./lib/systemd/system/nvmevirt-metrics.timer ./lib/udev/rules.d/60-nvmevirt.rules ./usr/sbin/nvmevirtctl ./usr/share/man/man8/nvmevirtctl.8.gz ./usr/share/nvmevirt/status.schema.json \
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
	# dh_installsystemd --no-enable: the unit's state is recorded (for purge),
	# it is re-enabled on upgrade only if it was enabled, never on install
	if ! grep -q "deb-systemd-helper debian-installed 'nvmevirt.service'" "$p/postinst" ||
	   ! grep -q "deb-systemd-helper update-state 'nvmevirt.service'" "$p/postinst" ||
	   grep -n 'new installations run enable' "$p/postinst"; then
		echo "postinst enables the unit on install"; return 1
	fi
	grep -q "deb-systemd-invoke start .*nvmevirt.service" "$p/postinst" || { echo "postinst: unit not started"; return 1; }
	# the metrics timer: recorded, off until the admin enables it, never started
	grep -q "deb-systemd-helper update-state 'nvmevirt-metrics.timer'" "$p/postinst" || { echo "postinst: no timer state"; return 1; }
	! grep -n "deb-systemd-invoke start .*nvmevirt-metrics" "$p/postinst" || { echo "postinst starts the metrics timer"; return 1; }
	! grep -n 'restart' "$p/postinst" || { echo "postinst restarts the unit on upgrade"; return 1; }
	grep -q 'update-grub' "$p/postinst" || { echo "postinst: no update-grub"; return 1; }
	grep -q 'update-grub' "$p/postrm" || { echo "postrm: no update-grub"; return 1; }
	grep -q 'rm -rf .*/var/lib/nvmevirt' "$p/postrm" || { echo "postrm: purge keeps /var/lib/nvmevirt"; return 1; }
	# prerm: on remove only, a stop whose failure fails the prerm, then the
	# disable, then dkms removes the module (run: "deb scriptlets run")
	local stop dis dk
	stop=$(grep -n '! deb-systemd-invoke stop nvmevirt.service' "$p/prerm" | head -n 1 | cut -d: -f1)
	dis=$(grep -n 'deb-systemd-helper disable nvmevirt.service' "$p/prerm" | head -n 1 | cut -d: -f1)
	dk=$(grep -n 'dkms remove -m' "$p/prerm" | head -n 1 | cut -d: -f1)
	if [ -z "$stop" ] || [ -z "$dis" ] || [ -z "$dk" ] || [ "$stop" -ge "$dis" ] || [ "$dis" -ge "$dk" ]; then
		echo "prerm order:"; cat "$p/prerm"; return 1
	fi
	grep -q '"$1" = remove' "$p/prerm" || { echo "prerm stops on upgrade too"; return 1; }
}
check "deb scripts: dkms build, unit not enabled but started (no restart on upgrade), stop before disable before dkms remove, update-grub, purge" deb_scripts

Y=$S/rpm; mkdir -p "$Y/root"
(cd "$Y/root" && rpm2cpio "$RPM" | cpio -idm --quiet)
rpm_files() {
	local l f
	l=$(rpm -qpl "$RPM" 2>/dev/null)
	for f in /etc/sysconfig/nvmevirt /etc/modprobe.d/nvmevirt.conf /usr/lib/systemd/system/nvmevirt.service \
		/usr/lib/systemd/system/nvmevirt-metrics.service /usr/lib/systemd/system/nvmevirt-metrics.timer \
		/usr/lib/udev/rules.d/60-nvmevirt.rules \
		/usr/sbin/nvmevirtctl /usr/share/nvmevirt/status.schema.json "/usr/src/nvmevirt-$VERSION/dkms.conf" "/usr/src/nvmevirt-$VERSION/src/Kbuild"; do
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
		"preset nvmevirt.service" "disable --now nvmevirt.service" "nvmevirtctl remove-bootargs" \
		'for kdir in /lib/modules/*/; do' '-k "$kver"' "systemctl stop nvmevirt.service" "nvmevirtctl apply"; do
		printf '%s\n' "$s" | grep -qF -- "$w" || { echo "scriptlets lack: $w"; return 1; }
	done
	! printf '%s\n' "$s" | grep -E 'try-restart|restart nvmevirt' || { echo "restarts on upgrade"; return 1; }
	# %preun: the unit stops (a failure ends the scriptlet), is disabled,
	# then dkms removes the module (run: "rpm scriptlets run")
	printf '%s\n' "$s" | awk '/^preuninstall scriptlet/ { p = 1 } /^postuninstall scriptlet/ { p = 0 }
		p && /systemctl stop nvmevirt.service/ && !s { s = NR } p && /exit 1/ && !e { e = NR }
		p && /disable --now/ { d = NR } p && /dkms remove/ { r = NR }
		END { exit !(s && e && d && r && s < e && e < d && d < r) }' || { echo "%preun order"; return 1; }
}
check "rpm scriptlets: dkms add/build/install for each kernel, remove on uninstall, stop (or refuse) before disable before dkms remove, apply, no restart" rpm_scripts
one_version() {
	grep -q "^nvmevirt ($VERSION)" "$B/work/nvmevirt-$VERSION/debian/changelog" || { echo "changelog"; return 1; }
	[ "$(dpkg-deb -f "$DEB" Version)" = "$VERSION" ] || { echo "deb version"; return 1; }
	grep -qx "%global pkg_version $VERSION" "$OUT/nvmevirt-dkms.spec" || { echo "spec version"; return 1; }
	# no version number written anywhere else
	! grep -n -F "$VERSION" "$TOP/dkms.conf" "$TOP/rpm/nvmevirt-dkms.spec" "$TOP/tools/nvmevirtctl" "$TOP/debian/rules" |
		grep -v '%changelog' | grep -v '^.*nvmevirt-dkms.spec:.*> - '
}
check "version $VERSION comes from VERSION only (deb, rpm, dkms.conf, nvmevirtctl)" one_version

section "static: scriptlets run (stubbed commands)"
# Each scriptlet runs as packaged, with the system paths it tests (systemd
# running, grub.cfg, /lib/modules, the dkms hook, nvmevirtctl) pointed into
# $R and the commands it runs replaced by stubs that log "NAME ARGS" to
# $R/log.  A stub prints $R/out.NAME.ARG1 and exits with $R/rc.NAME.ARG1
# (or $R/rc.NAME.ARG1.LASTARG) when those files exist.
R=$S/run
rm -rf "$R"; mkdir -p "$R/stubs" "$R/systemd-running"
cat >"$R/stubs/.stub" <<'STUB'
#!/bin/sh
n=${0##*/}
for last in "$@"; do :; done
echo "$n $*" >>"$STUB_DIR/log"
[ ! -f "$STUB_DIR/out.$n.${1:-}" ] || cat "$STUB_DIR/out.$n.${1:-}"
[ ! -f "$STUB_DIR/rc.$n.${1:-}.${last:-}" ] || exit "$(cat "$STUB_DIR/rc.$n.${1:-}.${last:-}")"
[ ! -f "$STUB_DIR/rc.$n.${1:-}" ] || exit "$(cat "$STUB_DIR/rc.$n.${1:-}")"
exit 0
STUB
chmod +x "$R/stubs/.stub"
for c in nvmevirtctl update-grub systemd-detect-virt deb-systemd-helper deb-systemd-invoke systemctl dkms \
	common.postinst uname; do
	ln -s .stub "$R/stubs/$c"
done
echo 1 >"$R/rc.systemd-detect-virt.--quiet" # not in a container
# script NAME FILE: FILE with its system paths pointed into $R, as $R/NAME
script() {
	sed -e "s|/run/systemd/system|$R/systemd-running|g" -e "s|/boot/grub/grub.cfg|$R/grub.cfg|g" \
		-e "s|/usr/lib/dkms/common.postinst|$R/stubs/common.postinst|g" -e "s|/lib/modules/|$R/modules/|g" \
		-e "s|/usr/sbin/nvmevirtctl|$R/stubs/nvmevirtctl|g" -e "s|/usr/bin/systemctl|$R/stubs/systemctl|g" \
		-e "s|/sys/module/nvmev|$R/sys/module/nvmev|g" "$2" >"$R/$1"
}
# run SCRIPT ARGS...: a clean log and clean results, then SCRIPT's status
run() {
	local f=$1; shift
	: >"$R/log"
	env -u DPKG_ROOT STUB_DIR="$R" PATH="$R/stubs:$PATH" DPKG_MAINTSCRIPT_PACKAGE=nvmevirt-dkms \
		sh "$R/$f" "$@" >"$R/stdout" 2>"$R/stderr"
}
reset_stubs() { rm -rf "$R"/rc.* "$R"/out.* "$R/sys"; echo 1 >"$R/rc.systemd-detect-virt.--quiet"; }
# in_order PATTERN...: each fixed string is on a log line after the previous
in_order() {
	awk -v pats="$(printf '%s\n' "$@")" 'BEGIN { n = split(pats, p, "\n") }
		i < n && index($0, p[i + 1]) { i++ } END { exit !(i == n) }' "$R/log" ||
		{ echo "log, not in the order $*:"; cat "$R/log"; return 1; }
}
not_in_log() { ! grep -nF -- "$1" "$R/log" || { echo "unexpected: $1"; cat "$R/log"; return 1; }; }

script deb-prerm "$X/DEBIAN/prerm"
deb_prerm_run() {
	reset_stubs
	echo "nvmevirt/$VERSION: added" >"$R/out.dkms.status"
	# the unit does not stop (device in use, image not saved): prerm fails
	echo 1 >"$R/rc.deb-systemd-invoke.stop"
	if run deb-prerm remove; then echo "prerm remove succeeded although the stop failed"; return 1; fi
	grep -q 'did not stop.*not removing' "$R/stderr" || { echo "no message:"; cat "$R/stderr"; return 1; }
	not_in_log "deb-systemd-helper disable" && not_in_log "dkms remove" || return 1
	# the stop "succeeds" (systemctl does not report a failed ExecStop) but
	# nvmev is still loaded: prerm fails
	rm -f "$R/rc.deb-systemd-invoke.stop"; mkdir -p "$R/sys/module/nvmev"
	if run deb-prerm remove; then echo "prerm remove succeeded with nvmev still loaded"; return 1; fi
	not_in_log "deb-systemd-helper disable" && not_in_log "dkms remove" || return 1
	# it stops: stop, disable, dkms remove
	rm -rf "$R/sys"
	run deb-prerm remove || { echo "prerm remove failed"; cat "$R/stderr"; return 1; }
	in_order "deb-systemd-invoke stop nvmevirt.service" "deb-systemd-helper disable nvmevirt.service" \
		"dkms remove -m nvmevirt -v $VERSION --all" || return 1
	# upgrade: neither stopped nor disabled
	run deb-prerm upgrade 99.0 || { echo "prerm upgrade failed"; return 1; }
	not_in_log "deb-systemd-invoke stop" && not_in_log "disable" && in_order "dkms remove"
}
check "deb prerm: a failed stop, or nvmev still loaded after it, fails the removal (nothing removed); else stop, disable, dkms remove; upgrade neither" deb_prerm_run

script deb-postinst "$X/DEBIAN/postinst"
deb_postinst_run() {
	reset_stubs
	touch "$R/grub.cfg"
	# configured before the install: apply (boot loader, enable) before the start
	echo 'memmap=1G$4G nvmev.memmap_start=4G nvmev.memmap_size=1G nvmev.cpus=2,3' >"$R/out.nvmevirtctl.bootargs"
	run deb-postinst configure || { echo "postinst failed"; cat "$R/stderr"; return 1; }
	in_order "nvmevirtctl bootargs" "nvmevirtctl apply" "common.postinst nvmevirt $VERSION" \
		"deb-systemd-invoke start" || return 1
	not_in_log "update-grub" || return 1
	# a failed apply is reported, the installation goes on
	echo 1 >"$R/rc.nvmevirtctl.apply"
	run deb-postinst configure || { echo "postinst failed with a failed apply"; return 1; }
	grep -q 'apply failed' "$R/stderr" || { echo "no message for a failed apply"; return 1; }
	# not configured: update-grub only
	rm -f "$R/out.nvmevirtctl.bootargs" "$R/rc.nvmevirtctl.apply"
	run deb-postinst configure || { echo "postinst failed"; cat "$R/stderr"; return 1; }
	in_order "nvmevirtctl bootargs" "update-grub" && not_in_log "nvmevirtctl apply"
}
check "deb postinst: a configured size -> nvmevirtctl apply before the unit starts; otherwise update-grub only" deb_postinst_run

# the real deb-systemd-helper and systemctl on a root of their own
deb_enablement() {
	local r=$R/root wants
	wants=$r/etc/systemd/system/multi-user.target.wants/nvmevirt.service
	rm -rf "$r"; mkdir -p "$r/lib/systemd/system" "$r/etc/systemd/system" "$R/real"
	cp "$X/root/lib/systemd/system/nvmevirt.service" "$r/lib/systemd/system/"
	# postinst with every stub but deb-systemd-helper and systemctl
	for c in "$R"/stubs/*; do case ${c##*/} in deb-systemd-helper|systemctl) ;; *) ln -sf "$c" "$R/real/" ;; esac; done
	cp -a "$R/stubs/.stub" "$R/real/"
	rrun() {
		local f=$1; shift
		: >"$R/log"
		env DPKG_ROOT="$r" STUB_DIR="$R" PATH="$R/real:$PATH" DPKG_MAINTSCRIPT_PACKAGE=nvmevirt-dkms \
			sh "$R/$f" "$@" >"$R/stdout" 2>"$R/stderr" || { echo "$f $* failed:"; cat "$R/stderr"; return 1; }
	}
	reset_stubs
	echo "nvmevirt/$VERSION: added" >"$R/out.dkms.status"
	rrun deb-postinst configure || return 1
	if [ -e "$wants" ] || [ -L "$wants" ]; then echo "the install enabled the unit"; return 1; fi
	grep -qx /etc/systemd/system/multi-user.target.wants/nvmevirt.service \
		"$r/var/lib/systemd/deb-systemd-helper-enabled/nvmevirt.service.dsh-also" ||
		{ echo "no deb-systemd-helper state (purge would leave the symlink)"; return 1; }
	# what nvmevirtctl configure does
	systemctl --root="$r" --quiet enable nvmevirt.service 2>/dev/null || { echo "systemctl --root enable failed"; return 1; }
	[ -L "$wants" ] || { echo "systemctl enable made no symlink"; return 1; }
	# an upgrade keeps it enabled, the removal takes the symlink away
	rrun deb-postinst configure 0.0.1 || return 1
	[ -L "$wants" ] || { echo "the upgrade disabled the unit"; return 1; }
	rrun deb-prerm remove || return 1
	[ ! -L "$wants" ] || { echo "the removal left $wants"; return 1; }
}
check "deb: installing does not enable the unit; systemctl enable's symlink survives an upgrade, goes on removal (deb-systemd-helper)" deb_enablement

script rpm-preun "$S/rpm-preuninstall.sh"
rpm_preun_run() {
	reset_stubs
	echo 1 >"$R/rc.systemctl.stop"
	if run rpm-preun 0; then echo "%preun succeeded although the stop failed"; return 1; fi
	grep -q 'did not stop.*not removing' "$R/stderr" || { echo "no message:"; cat "$R/stderr"; return 1; }
	not_in_log "disable" && not_in_log "dkms remove" && not_in_log "remove-bootargs" || return 1
	# systemctl stop succeeds, but nvmev is still loaded
	rm -f "$R/rc.systemctl.stop"; mkdir -p "$R/sys/module/nvmev"
	if run rpm-preun 0; then echo "%preun succeeded with nvmev still loaded"; return 1; fi
	not_in_log "disable" && not_in_log "dkms remove" && not_in_log "remove-bootargs" || return 1
	rm -rf "$R/sys"
	run rpm-preun 0 || { echo "%preun failed"; cat "$R/stderr"; return 1; }
	in_order "systemctl stop nvmevirt.service" "disable --now nvmevirt.service" "nvmevirtctl remove-bootargs" \
		"dkms remove -m nvmevirt -v $VERSION --all --rpm_safe_upgrade" || return 1
	run rpm-preun 1 || { echo "%preun on upgrade failed"; return 1; }
	not_in_log "stop" && not_in_log "disable" && in_order "dkms remove"
}
check "rpm %preun: a failed stop, or nvmev still loaded after it, refuses the erase (nothing removed); else stop, disable, remove-bootargs, dkms remove; upgrade neither" rpm_preun_run

script rpm-post "$S/rpm-postinstall.sh"
rpm_post_run() {
	reset_stubs
	rm -rf "$R/modules"
	mkdir -p "$R/modules/6.1.0-9-amd64/build" "$R/modules/6.12.0-1-amd64/build" \
		"$R/modules/5.10.0-3-amd64/build" "$R/modules/6.2.0-4-noheaders"
	echo 10 >"$R/rc.dkms.build.6.12.0-1-amd64"
	echo 77 >"$R/rc.dkms.build.5.10.0-3-amd64"
	run rpm-post 1 || { echo "%post failed"; cat "$R/stderr"; return 1; }
	in_order "dkms add -m nvmevirt -v $VERSION --rpm_safe_upgrade" "dkms build -m nvmevirt -v $VERSION -k 5.10.0-3-amd64" || return 1
	in_order "dkms build -m nvmevirt -v $VERSION -k 6.1.0-9-amd64" "dkms install -m nvmevirt -v $VERSION -k 6.1.0-9-amd64" || return 1
	in_order "dkms build -m nvmevirt -v $VERSION -k 6.12.0-1-amd64" || return 1
	not_in_log "6.2.0-4-noheaders" && not_in_log "install -m nvmevirt -v $VERSION -k 6.12.0-1-amd64" &&
		not_in_log "install -m nvmevirt -v $VERSION -k 5.10.0-3-amd64" || return 1
	if ! grep -q 'not built for kernel 6.12.0-1-amd64' "$R/stderr" ||
	   ! grep -q 'kernel 5.10.0-3-amd64 is not supported' "$R/stderr"; then
		echo "messages:"; cat "$R/stderr"; return 1
	fi
}
check "rpm %post: dkms build+install -k for every kernel with a build tree; a failure is reported, not fatal" rpm_post_run

script rpm-posttrans "$S/rpm-posttrans.sh"
rpm_posttrans_run() {
	reset_stubs
	echo 'memmap=1G$4G nvmev.memmap_start=4G nvmev.memmap_size=1G nvmev.cpus=2,3' >"$R/out.nvmevirtctl.bootargs"
	run rpm-posttrans || { echo "%posttrans failed"; return 1; }
	in_order "nvmevirtctl bootargs" "nvmevirtctl apply" || return 1
	rm -f "$R/out.nvmevirtctl.bootargs"
	run rpm-posttrans || { echo "%posttrans failed"; return 1; }
	not_in_log "nvmevirtctl apply"
}
check "rpm %posttrans: a configured size -> nvmevirtctl apply; otherwise nothing" rpm_posttrans_run

# dkms.conf's CLEAN as dkms runs it: sourced with the kernel's variables,
# evaluated in a build directory that holds what the package ships
dkms_clean_run() {
	local d=$R/dkms-build k=$R/kernel f
	rm -rf "$d" "$k"; cp -a "$X/root/usr/src/nvmevirt-$VERSION" "$d"
	products() {
		mkdir -p "$d/src/model"
		for f in main.o .main.o.cmd nvmev.ko nvmev.mod nvmev.mod.c nvmev.mod.o modules.order Module.symvers \
			model/ctrl.o model/.ctrl.o.cmd; do
			: >"$d/src/$f"
		done
	}
	clean() {
		(cd "$d" && kernelver=9.9.9-test kernel_source_dir=$1 && . ./dkms.conf &&
			export PATH="$R/stubs:$PATH" STUB_DIR="$R" && eval "$CLEAN") >"$R/stdout" 2>&1 ||
			{ echo "CLEAN failed:"; cat "$R/stdout"; return 1; }
	}
	reset_stubs; : >"$R/log"
	# with the kernel's build tree: kbuild's clean of src/ there
	mkdir -p "$k"
	printf 'clean:\n\t@echo "kbuild clean M=$(M)" >>"$(STUB_DIR)/log"\n' >"$k/Makefile"
	clean "$k" || return 1
	grep -qx "kbuild clean M=$d/src" "$R/log" || { echo "no kbuild clean of src/ in $k:"; cat "$R/log"; return 1; }
	# without it: the products go, the sources stay
	products
	clean "$R/no-such-kernel" || return 1
	diff <(cd "$X/root/usr/src/nvmevirt-$VERSION" && find . | sort) <(cd "$d" && find . | sort) ||
		{ echo "left after CLEAN (or sources removed)"; return 1; }
	not_in_log "uname" || return 1
}
check "dkms.conf CLEAN: make modules_clean for the DKMS kernel (kbuild clean of src/, or the products removed), no uname" dkms_clean_run
