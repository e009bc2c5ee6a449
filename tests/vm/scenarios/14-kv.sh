# SPDX-License-Identifier: GPL-2.0-only
# 14-kv: a key-value namespace (type=kv, the NVMe Key Value Command Set).
# Linux shows it as the generic char device /dev/ng0n1 only (no block
# device); kvcheck (tests/kv/kvcheck.c, NVME_IOCTL_IO64_CMD) stores,
# retrieves, checks, lists, deletes and stores again 400 keys with values of
# up to 64 KiB, every byte compared; nvme io-passthru does the same for 40
# keys, with the statuses of missing and existing keys, bad key and value
# sizes; Identify's KV format; the index and the values travel in the
# device's image across an unload and reload (kvcheck verify, compares);
# a configfs device with an NVM and a KV namespace side by side.
# vm-requires: nvmev
# vm-timeout: 240
. /vmtest/guest/lib.sh

NG=/dev/ng0n1
ARGS="memmap_start=1G memmap_size=64M cpus=1,2 poll_mode=lowcpu type=kv"

# wait_ng: until the generic namespace device is there
wait_ng() {
	_w=300
	while [ $_w -gt 0 ]; do
		[ -c $NG ] && return 0
		sleep_ms 100
		_w=$((_w - 1))
	done
	ls -l /dev/nvme* /dev/ng* 2>&1
	return 1
}

# kv_key KEY: KL and the key's four dwords D2 D3 D14 D15 (bytes little-endian)
kv_key() {
	KL=$(($(printf '%s' "$1" | wc -c)))
	D2=0 D3=0 D14=0 D15=0
	_ki=0
	for _kc in $(printf '%s' "$1" | od -An -tu1); do
		[ $_ki -lt 16 ] || break
		_ks=$((8 * (_ki % 4)))
		case $((_ki / 4)) in
		0) D2=$((D2 | (_kc << _ks))) ;;
		1) D3=$((D3 | (_kc << _ks))) ;;
		2) D14=$((D14 | (_kc << _ks))) ;;
		3) D15=$((D15 | (_kc << _ks))) ;;
		esac
		_ki=$((_ki + 1))
	done
}

# kv OPCODE KEY [ARGS...]: nvme io-passthru of a KV command with KEY
kv() {
	_op=$1
	kv_key "$2"
	shift 2
	nvme io-passthru $NG --opcode="$_op" --namespace-id=1 --cdw2=$D2 --cdw3=$D3 \
		--cdw14=$D14 --cdw15=$D15 "$@"
}
# kv_store KEY FILE [OPTIONS]: store FILE's bytes under KEY (KL is set first:
# the arguments are expanded before kv runs)
kv_store() {
	_sz=$(stat -c %s "$2")
	kv_key "$1"
	kv 0x01 "$1" --cdw10="$_sz" --cdw11=$((KL | (${3:-0} << 8))) --data-len="$_sz" \
		--write --input-file="$2"
}
# kv_get KEY BYTES OUT: retrieve into OUT (raw)
kv_get() {
	kv_key "$1"
	kv 0x02 "$1" --cdw10="$2" --cdw11="$KL" --data-len="$2" --read --raw-binary >"$3"
}
# sc NAME WANT CMD...: the command's NVMe status (or ok) is WANT
sc() {
	_n=$1 _want=$2
	shift 2
	_got=$(nvme_sc "$@")
	expect "$_n" "$_want" "$_got"
}

modprobe nvme
# shellcheck disable=SC2086
check load modprobe nvmev $ARGS
check ng-appears wait_ng
ls -l /dev/nvme* /dev/ng* 2>&1
if [ -b /dev/nvme0n1 ]; then fail no-block-device "/dev/nvme0n1 exists"; else pass no-block-device; fi
dmesg | grep -i 'nvme0' | tail -5

# Identify CNS 05h, CSI 01h: KVF0
nvme admin-passthru /dev/nvme0 --opcode=0x06 --namespace-id=1 --cdw10=5 --cdw11=0x01000000 \
	--data-len=4096 --read --raw-binary >/tmp/idns 2>/dev/null
nsze=$(od -An -tu8 -j0 -N8 /tmp/idns | tr -d ' ')
kml=$(od -An -tu2 -j72 -N2 /tmp/idns | tr -d ' ')
vml=$(od -An -tu4 -j76 -N4 /tmp/idns | tr -d ' ')
mnk=$(od -An -tu4 -j80 -N4 /tmp/idns | tr -d ' ')
echo "nsze=$nsze kml=$kml vml=$vml mnk=$mnk"
expect id-nsze $((63 * 1048576)) "$nsze"
expect id-kml 16 "$kml"
expect id-vml 2097152 "$vml"
expect id-mnk $((63 * 256)) "$mnk"
# CNS 08h: ready
nvme admin-passthru /dev/nvme0 --opcode=0x06 --namespace-id=1 --cdw10=8 --data-len=4096 \
	--read --raw-binary >/tmp/indep 2>/dev/null
expect id-ready 1 "$(($(od -An -tu1 -j14 -N1 /tmp/indep | tr -d ' ') & 1))"

# kvcheck: 400 keys through the passthrough ioctl
kvcheck $NG 400 7 fill >/tmp/kvcheck.out 2>&1
kvrc=$?
cat /tmp/kvcheck.out
if [ $kvrc = 0 ] && grep -q 'kvcheck: fill 400 keys, seed 7: ok' /tmp/kvcheck.out; then
	pass kvcheck-fill
else
	fail kvcheck-fill "rc=$kvrc: $(tail -3 /tmp/kvcheck.out)"
fi
ls /sys/kernel/nvmev/nvmev0/ns1/usage/ 2>&1
keys=$(cat /sys/kernel/nvmev/nvmev0/ns1/usage/keys 2>/dev/null)
expect sysfs-usage-keys 400 "$keys"
expect sysfs-max-keys $((63 * 256)) "$(cat /sys/kernel/nvmev/nvmev0/ns1/usage/max_keys 2>/dev/null)"

# N keys with values of many sizes, each compared byte for byte (nvme-cli)
N=40
i=0
ok=1
while [ $i -lt $N ]; do
	sz=$(((i * 7919) % 20000 + 1))
	dd if=/dev/urandom of=/tmp/v$i bs=$sz count=1 2>/dev/null
	kv_store "key-$i" /tmp/v$i >/dev/null 2>&1 || { ok=0; echo "store key-$i failed"; }
	i=$((i + 1))
done
if [ $ok = 1 ]; then pass store-all; else fail store-all "a store failed"; fi
# compare KEY FILE: retrieve KEY and compare with FILE
compare() {
	_sz=$(stat -c %s "$2")
	kv_get "$1" "$_sz" /tmp/r 2>/dev/null && cmp -s /tmp/r "$2"
}
compare_all() {
	_i=0
	_ok=1
	while [ $_i -lt $N ]; do
		compare "key-$_i" /tmp/v$_i || { _ok=0; echo "key-$_i differs"; }
		_i=$((_i + 1))
	done
	[ $_ok = 1 ]
}
check retrieve-all compare_all
# a short buffer gets the value's start, and the whole size in DW0
kv_get key-5 100 /tmp/r 2>/dev/null
head -c 100 /tmp/v5 >/tmp/v5.head
check retrieve-short cmp /tmp/r /tmp/v5.head
out=$(kv 0x02 key-5 --cdw10=100 --cdw11=5 --data-len=100 --read 2>&1 | head -3)
echo "$out"
res=$(echo "$out" | sed -n 's/.*result:[ ]*\(0x\)\{0,1\}\([0-9a-fA-F][0-9a-fA-F]*\).*/\2/p' | head -1)
expect retrieve-size-in-dw0 "$(stat -c %s /tmp/v5)" "$((0x${res:-0}))"

# statuses
sc exist-present ok kv 0x14 key-3 --cdw11=5
sc exist-missing 0x87 kv 0x14 nothere --cdw11=7
sc retrieve-missing 0x87 kv 0x02 nothere --cdw10=512 --cdw11=7 --data-len=512 --read
printf 'x' >/tmp/one
sc store-only-if-absent 0x89 kv_store key-3 /tmp/one 2
sc store-only-if-present 0x87 kv_store absent-key /tmp/one 1
sc key-size-0 0x86 kv 0x14 "" --cdw11=0
sc key-size-17 0x86 kv 0x14 abcdefghijklmnopq --cdw11=17
sc value-too-large 0x85 kv 0x01 big --cdw10=2097153 --cdw11=3
sc reserved-field 0x2 kv 0x14 key-3 --cdw11=5 --cdw12=1
sc delete-missing ok kv 0x10 nothere --cdw11=7

# List from "key-": every such key, in order ("key-0" "key-1" "key-10" ...)
# (kvcheck's keys start with a zero byte: they come before)
kv_key key-
kv 0x06 key- --cdw10=4096 --cdw11="$KL" --data-len=4096 --read --raw-binary >/tmp/list 2>/dev/null
cnt=$(od -An -tu4 -j0 -N4 /tmp/list | tr -d ' ')
expect list-count $N "$cnt"
first=$(dd if=/tmp/list bs=1 skip=6 count=5 2>/dev/null)
expect list-first key-0 "$first"
second=$(dd if=/tmp/list bs=1 skip=14 count=5 2>/dev/null)
expect list-order key-1 "$second"

# delete one: it is gone, the others stay
sc delete-present ok kv 0x10 key-7 --cdw11=5
sc deleted-gone 0x87 kv 0x14 key-7 --cdw11=5
kv_store key-7 /tmp/v7 >/dev/null 2>&1
check retrieve-after-reinsert compare key-7 /tmp/v7

# the image: save, unload, reload empty, restore, every key back
check save dd if=/dev/nvmev/nvmev0 of=/tmp/kv.img bs=1M
check unload rmmod nvmev
wait_gone 30 $NG
# shellcheck disable=SC2086
check reload modprobe nvmev $ARGS
wait_ng
sc empty-after-reload 0x87 kv 0x14 key-3 --cdw11=5
check restore dd if=/tmp/kv.img of=/dev/nvmev/nvmev0 bs=1M
check retrieve-after-restore compare_all
kvcheck $NG 400 7 verify >/tmp/kvcheck.out 2>&1
kvrc=$?
cat /tmp/kvcheck.out
if [ $kvrc = 0 ] && grep -q 'kvcheck: verify 400 keys, seed 7: ok' /tmp/kvcheck.out; then
	pass kvcheck-verify-after-restore
else
	fail kvcheck-verify-after-restore "rc=$kvrc: $(tail -3 /tmp/kvcheck.out)"
fi
expect sysfs-usage-keys-restored $((400 + N)) "$(cat /sys/kernel/nvmev/nvmev0/ns1/usage/keys)"
check unload-end rmmod nvmev
wait_gone 30 $NG

# a mixed device from configfs: an NVM namespace (a block device) and a KV
# one (/dev/ng0n2 only) side by side, the KV one with its own latencies
CFS=/sys/kernel/config/nvmev
check mixed-load modprobe nvmev
[ -d $CFS ] || mount -t configfs configfs /sys/kernel/config
mkdir $CFS/mix $CFS/mix/namespaces/1 $CFS/mix/namespaces/2
echo 1G >$CFS/mix/memmap_start
echo 64M >$CFS/mix/memmap_size
echo 1,2 >$CFS/mix/cpus
echo lowcpu >$CFS/mix/poll_mode
echo 16M >$CFS/mix/namespaces/1/size
echo kv >$CFS/mix/namespaces/2/type
expect mixed-kv-tunable-default 20000 "$(cat $CFS/mix/namespaces/2/store_latency_ns)"
expect mixed-nvm-has-no-kv-tunable - "$(cat $CFS/mix/namespaces/1/store_latency_ns)"
echo 30000 >$CFS/mix/namespaces/2/store_latency_ns
check mixed-enable sh -c "echo 1 >$CFS/mix/enable"
check mixed-block-ns1 wait_ns 30 /dev/nvme0n1
NG=/dev/ng0n2
check mixed-ng-ns2 wait_ng
if [ -b /dev/nvme0n2 ]; then fail mixed-no-block-ns2 "/dev/nvme0n2 exists"; else pass mixed-no-block-ns2; fi
ls /sys/class/nvme/nvme0/ /sys/class/nvme-generic/ 2>&1 | tr '\n' ' '; echo
expect mixed-sysfs-type kv "$(cat /sys/kernel/nvmev/mix/ns2/type)"
expect mixed-sysfs-tunable 30000 "$(cat /sys/kernel/nvmev/mix/ns2/store_latency_ns)"
kvcheck $NG 100 11 fill >/tmp/kvcheck.out 2>&1
kvrc=$?
cat /tmp/kvcheck.out
expect mixed-kvcheck 0 "$kvrc"
io_smoke mixed-nvm-io
rmdir $CFS/mix/namespaces/1 $CFS/mix/namespaces/2
check mixed-remove rmdir $CFS/mix
check mixed-unload rmmod nvmev
