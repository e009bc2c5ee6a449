# SPDX-License-Identifier: GPL-2.0-only
# 04-passthru: invalid commands sent with nvme io-passthru / admin-passthru
# get the right NVMe status (SCT<<8|SC, DNR/More dropped), nothing oopses,
# and the device still works afterwards; nvme compare (equal, different)
# and nvme verify (in range, past the end).
# vm-timeout: 240
. /vmtest/guest/lib.sh

check load dev_load
[ -b "$NS" ] || exit 1
lbs=$(cat /sys/block/nvme0n1/queue/logical_block_size)
nsze=$(($(cat /sys/block/nvme0n1/size) * 512 / lbs))
nvme id-ctrl "$CTRL" -o json >/tmp/idctrl.json
mdts=$(json_val mdts </tmp/idctrl.json)
nn=$(json_val nn </tmp/idctrl.json)
echo "nsze=$nsze lbs=$lbs mdts=$mdts nn=$nn"

# Known answers of QEMU 7.2's NVMe that differ from the spec (VM_CONTROL only)
QEMU_DIFFERS="get-log-unsupported-lid=0x2"

# status NAME WANT CMD...: the command must fail with NVMe status WANT
status() {
	_name=$1 _want=$2
	shift 2
	echo "+ $*"
	_got=$(nvme_sc "$@")
	if is_control && [ "$_got" != "$_want" ]; then
		case " $QEMU_DIFFERS " in *" $_name=$_got "*)
			skip "$_name" "QEMU's NVMe answers $_got (spec: $_want)"
			return ;;
		esac
	fi
	expect "$_name" "$_want" "$_got" "NVMe status"
}

log "I/O commands"
status io-unknown-opcode 0x1 nvme io-passthru "$NS" --opcode=0x3f --namespace-id=1
# Read (0x02) one block at SLBA = nsze (first LBA past the end)
status io-read-past-end 0x80 nvme io-passthru "$NS" --opcode=0x02 --namespace-id=1 \
	--cdw10=$((nsze & 0xffffffff)) --cdw11=$((nsze >> 32)) --cdw12=0 --data-len="$lbs" --read
# Read whose last block is past the end (starts in range)
status io-read-straddles-end 0x80 nvme io-passthru "$NS" --opcode=0x02 --namespace-id=1 \
	--cdw10=$(((nsze - 1) & 0xffffffff)) --cdw11=$(((nsze - 1) >> 32)) --cdw12=1 \
	--data-len=$((2 * lbs)) --read
status io-write-past-end 0x80 nvme io-passthru "$NS" --opcode=0x01 --namespace-id=1 \
	--cdw10=$((nsze & 0xffffffff)) --cdw11=$((nsze >> 32)) --cdw12=0 --data-len="$lbs" --write \
	--input-file=/dev/zero
# Read with NLB one block above MDTS (in units of the 4 KiB minimum page);
# the buffer is small on purpose: the kernel would refuse a larger one.
if [ -n "$mdts" ] && [ "$mdts" -gt 0 ]; then
	nlb=$(((1 << mdts) * 4096 / lbs + 1))
	if [ $nlb -le 65536 ]; then
		status io-read-above-mdts 0x2 nvme io-passthru "$NS" --opcode=0x02 --namespace-id=1 \
			--cdw10=0 --cdw12=$((nlb - 1)) --data-len=4096 --read
	else
		skip io-read-above-mdts "MDTS $mdts is beyond what a 16-bit NLB can exceed"
	fi
else
	skip io-read-above-mdts "MDTS is 0 (no limit)"
fi
# An I/O command for namespace 99 never reaches the device: Linux 6.1 checks
# the NSID of passthrough commands against the namespace (EINVAL).
echo "+ nvme io-passthru $NS --opcode=0x02 --namespace-id=99"
if nvme io-passthru "$NS" --opcode=0x02 --namespace-id=99 --data-len="$lbs" --read >/tmp/o 2>&1; then
	fail io-nsid-99-refused "succeeded"
else
	cat /tmp/o
	pass io-nsid-99-refused
fi

log "admin commands"
status admin-unknown-opcode 0x1 nvme admin-passthru "$CTRL" --opcode=0x3f
# Identify Namespace (CNS 0) of a namespace ID above NN: Invalid Namespace or Format
bad_nsid=99
[ -n "$nn" ] && [ "$nn" -ge 99 ] && bad_nsid=$((nn + 1))
status identify-ns-$bad_nsid 0xb nvme admin-passthru "$CTRL" --opcode=0x06 --namespace-id=$bad_nsid \
	--cdw10=0 --data-len=4096 --read
status identify-cns-0x55 0x2 nvme admin-passthru "$CTRL" --opcode=0x06 --cdw10=0x55 \
	--data-len=4096 --read
# Get Log Page, LID 0x7f (reserved), 512 bytes: NUMDL = 127
status get-log-unsupported-lid 0x109 nvme admin-passthru "$CTRL" --opcode=0x02 --namespace-id=0xffffffff \
	--cdw10=$(((127 << 16) | 0x7f)) --data-len=512 --read
status get-features-unknown-fid 0x2 nvme admin-passthru "$CTRL" --opcode=0x0a --cdw10=0x7e
status set-features-unknown-fid 0x2 nvme admin-passthru "$CTRL" --opcode=0x09 --cdw10=0x7e --cdw11=1
# Delete I/O CQ 1 while the driver's SQ 1 still uses it
status delete-cq1-with-sq 0x10c nvme admin-passthru "$CTRL" --opcode=0x04 --cdw10=1
# Create I/O SQ with QID 0 (CQ 1, 64 entries, physically contiguous)
status create-sq-qid0 0x101 nvme admin-passthru "$CTRL" --opcode=0x01 \
	--cdw10=$(((63 << 16) | 0)) --cdw11=$(((1 << 16) | 1))
# Create I/O CQ with QID 0
status create-cq-qid0 0x101 nvme admin-passthru "$CTRL" --opcode=0x05 \
	--cdw10=$(((63 << 16) | 0)) --cdw11=1
# Delete I/O SQ 0 (the admin queue can't be deleted)
status delete-sq-qid0 0x101 nvme admin-passthru "$CTRL" --opcode=0x00 --cdw10=0

log "Compare and Verify (ONCS bits 0 and 7)"
oncs=$(json_val oncs </tmp/idctrl.json)
expect oncs-compare-verify $((0x81)) $((oncs & 0x81))
dd if=/dev/urandom of=/tmp/cmp bs=4096 count=2 2>/dev/null
check cmp-write dd if=/tmp/cmp of="$NS" bs=4096 seek=256 count=2 oflag=direct conv=fsync
slba=$((256 * 4096 / lbs)) nlb0=$((8192 / lbs - 1))
status compare-equal ok nvme compare "$NS" --start-block=$slba --block-count=$nlb0 \
	--data-size=8192 --data=/tmp/cmp
cp /tmp/cmp /tmp/cmp2
printf 'Z' | dd of=/tmp/cmp2 bs=1 seek=8191 conv=notrunc 2>/dev/null
status compare-differs 0x285 nvme compare "$NS" --start-block=$slba --block-count=$nlb0 \
	--data-size=8192 --data=/tmp/cmp2
check compare-wrote-nothing sh -c "dd if=$NS bs=4096 skip=256 count=2 iflag=direct 2>/dev/null | cmp - /tmp/cmp"
status verify-range ok nvme verify "$NS" --start-block=0 --block-count=1023
status verify-past-end 0x80 nvme verify "$NS" --start-block=$((nsze - 1)) --block-count=1

log "the device still works"
check id-ctrl-after nvme id-ctrl "$CTRL" -o json >/dev/null
io_smoke io-after
dd if=/dev/urandom of=/tmp/a bs=1M count=4 2>/dev/null
check dd-write dd if=/tmp/a of="$NS" bs=1M seek=16 oflag=direct conv=fsync
check dd-read dd if="$NS" of=/tmp/b bs=1M skip=16 count=4 iflag=direct
check cmp cmp /tmp/a /tmp/b
check smart-after nvme smart-log "$CTRL"
nvme error-log "$CTRL" -e 4 | head -n 30
