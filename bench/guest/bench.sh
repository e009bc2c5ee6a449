# SPDX-License-Identifier: GPL-2.0-only
# Guest side of bench/run (dash, PID 1's child in the busybox initramfs of
# tests/vm). Loads nvmev, null_blk (memory_backed=1) and brd side by side and
# runs fio against each, interleaving the devices, BENCH_REPS times.
#
# Parameters come from the kernel command line (bench.KEY=VALUE):
#   reps runtime ramp idle smp nvcpus fiocpus quick perf sweep caps timer
# Output (serial console), one line per measurement, parsed by bench/run:
#   BENCH <test> <dev> <rep> key=value ...
#   LATE  <test> <dev> <rep> low:count,...      (nvmev lateness histogram delta)
#   IDLE  <mode> <rep> dispatcher_pct=.. worker_pct=..
#   INFO  key=value ...
#   PERF-BEGIN <name> / PERF-END <name>          (perf report text)
. /vmtest/guest/lib.sh
dmesg -n 1

REPS=5 RUNTIME=4 RAMP=1 IDLE=5 PERF=1 TIMER=1
NVCPUS=1,2 FIOCPUS=3,4
SWEEP="0 10 20 50 100 200 500"
CAPS="100 400 1600"
PHASES="qd1 qd32 seq sweep caps poll perf conv zns"
QUICK=0
for w in $(cat /proc/cmdline); do
	case $w in
	bench.reps=*) REPS=${w#*=} ;;
	bench.runtime=*) RUNTIME=${w#*=} ;;
	bench.ramp=*) RAMP=${w#*=} ;;
	bench.idle=*) IDLE=${w#*=} ;;
	bench.nvcpus=*) NVCPUS=${w#*=} ;;
	bench.fiocpus=*) FIOCPUS=${w#*=} ;;
	bench.perf=*) PERF=${w#*=} ;;
	bench.timer=*) TIMER=${w#*=} ;;
	bench.sweep=*) SWEEP=$(echo "${w#*=}" | tr , ' ') ;;
	bench.caps=*) CAPS=$(echo "${w#*=}" | tr , ' ') ;;
	bench.phases=*) PHASES=$(echo "${w#*=}" | tr , ' ') ;;
	bench.quick=*) QUICK=${w#*=} ;;
	esac
done
SYS=/sys/kernel/nvmev/nvmev0
NV=/dev/nvme0n1 NB=/dev/nullb0 RAM=/dev/ram0 NBT=/dev/nullb1
SIZE=256M
HZ_TICK_NS=$((1000000000 / $(getconf CLK_TCK 2>/dev/null || echo 100)))
nfio=$(echo "$FIOCPUS" | tr , '\n' | wc -l)

info() { echo "INFO $*"; }
die() { echo "BENCH-ERROR $*"; fail bench "$*"; exit 1; }

info kernel="$(uname -r)" cpus="$(nproc)" cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//; s/ /_/g')"
info mem_kb="$(awk '/MemTotal/ {print $2}' /proc/meminfo)" reps=$REPS runtime=$RUNTIME ramp=$RAMP \
	nvmev_cpus=$NVCPUS fio_cpus=$FIOCPUS clk_tck=$(getconf CLK_TCK 2>/dev/null)
info clocksource="$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# this script and its helpers on the housekeeping CPU 0 (fio pins itself)
taskset -p 1 $$ >/dev/null 2>&1 || info taskset=failed

# --- devices --------------------------------------------------------------------
modprobe nvme || die "modprobe nvme"
modprobe nvmev memmap_start=1G memmap_size=256M cpus=$NVCPUS lba_size=4096 \
	read_latency_ns=0 write_latency_ns=0 bandwidth_mbps=0 || die "modprobe nvmev"
wait_ns 30 || die "no $NV"
modprobe null_blk queue_mode=2 irqmode=1 memory_backed=1 bs=4096 gb=1 \
	submit_queues="$(nproc)" hw_queue_depth=1024 || die "modprobe null_blk"
modprobe brd rd_nr=1 rd_size=262144 max_part=0 || die "modprobe brd"
wait_ns 10 $NB || die "no $NB"
wait_ns 10 $RAM || die "no $RAM"
# null_blk with a per-command hrtimer (irqmode=2): the kernel's own known-delay
# device, the reference for the latency sweep (configfs, one extra device)
if [ "$TIMER" = 1 ]; then
	mkdir -p /sys/kernel/config
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
	d=/sys/kernel/config/nullb/nullb1
	if mkdir $d 2>/dev/null; then
		echo 2 >$d/queue_mode; echo 2 >$d/irqmode; echo 4096 >$d/blocksize
		echo 1 >$d/memory_backed; echo 256 >$d/size; echo 0 >$d/completion_nsec
		echo "$(nproc)" >$d/submit_queues; echo 1024 >$d/hw_queue_depth
		echo 1 >$d/power || TIMER=0
	else
		TIMER=0
	fi
	[ "$TIMER" = 1 ] && wait_ns 10 $NBT || TIMER=0
fi
for d in nvme0n1 nullb0 nullb1 ram0; do
	[ -w /sys/block/$d/queue/scheduler ] && echo none >/sys/block/$d/queue/scheduler 2>/dev/null
	[ -e /sys/block/$d ] && info dev=$d scheduler="$(cat /sys/block/$d/queue/scheduler 2>/dev/null | tr ' ' _)" \
		lbs=$(cat /sys/block/$d/queue/logical_block_size) nr_hw_queues=$(ls /sys/block/$d/mq 2>/dev/null | wc -l)
done
info nvmev_params="$(for p in cpus read_latency_ns write_latency_ns bandwidth_mbps parallel_units poll_mode idle_after_us idle_sleep_us; do printf '%s:%s,' $p "$(cat $SYS/$p)"; done)"
info null_blk="queue_mode=2,irqmode=1,memory_backed=1,bs=4096,submit_queues=$(nproc),hw_queue_depth=1024" \
	brd="rd_size=262144" nullb_timer=$TIMER

tid() { for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = "$1" ] && echo "${p#/proc/}" && return; done; }
DPID=$(tid nvmev0_dispatcher)
WPIDS=
for p in /proc/[0-9]*; do case $(cat $p/comm 2>/dev/null) in nvmev0_worker*) WPIDS="$WPIDS ${p#/proc/}" ;; esac; done
info dispatcher_pid=$DPID worker_pids="$(echo $WPIDS | tr ' ' ,)" \
	dispatcher_cpu="$(awk '{print $39}' /proc/$DPID/stat)"
[ -n "$DPID" ] || die "no nvmev0_dispatcher thread"

# Precondition: write the 256 MiB every test uses on each device once, so reads
# copy real pages everywhere (null_blk and brd return zeroes for holes).
for d in $NV $NB $RAM; do
	fio --name=fill --filename=$d --rw=write --bs=1M --size=$SIZE --iodepth=8 --ioengine=libaio \
		--direct=1 --eta=never --output=/dev/null || die "fill $d"
done
info preconditioned=1

# --- measurement helpers --------------------------------------------------------
# thread CPU time in ns (schedstat's sum_exec_runtime, else utime+stime ticks)
tns() {
	if [ -r /proc/$1/schedstat ]; then cut -d' ' -f1 /proc/$1/schedstat
	else awk -v t=$HZ_TICK_NS '{print ($14 + $15) * t}' /proc/$1/stat; fi
}
emu_ns() { _s=$(tns $DPID); for _p in $WPIDS; do _s=$((_s + $(tns $_p))); done; echo $_s; }
# busy CPU time in ns of every CPU but the emulator's (/proc/schedstat rq_cpu_time:
# exact, where /proc/stat's tick sampling loses ticks under TCG); the emulator
# threads are added from their own schedstat. Without /proc/schedstat: all of
# /proc/stat (user nice system irq softirq steal), emulator included.
if [ -r /proc/schedstat ]; then
	busy_ns() {
		_e=$(emu_ns)
		awk -v nv=",$NVCPUS," -v e=$_e '$1 ~ /^cpu[0-9]/ { c = substr($1, 4); if (index(nv, "," c ",") == 0) s += $8 } END { printf "%.0f\n", s + e }' /proc/schedstat
	}
else
	busy_ns() { awk -v t=$HZ_TICK_NS '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) * t; exit}' /proc/stat; }
fi
# completed I/Os of a block device
ios() { awk '{print $1 + $5}' /sys/block/$1/stat; }
up_ns() { awk '{printf "%.0f\n", $1 * 1000000000}' /proc/uptime; }
lateness() { cat $SYS/stats/lateness 2>/dev/null | awk '{printf "%s:%s,", $1, $3}'; }
late_delta() { # BEFORE AFTER -> low:count,... of the difference
	echo "$1|$2" | awk -F'|' '{ n = split($1, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") { split(a[i], x, ":"); b[x[1]] = x[2] }
		n = split($2, a, ","); s = ""; for (i = 1; i <= n; i++) if (a[i] != "") { split(a[i], x, ":"); d = x[2] - b[x[1]]; if (d > 0) s = s x[1] ":" d "," }
		print s }'
}
# fio JSON (pretty-printed) -> path=value lines
flat() {
	awk '{ l = $0; sub(/^[ \t]+/, "", l) }
	match(l, /^"[^"]*" : /) {
		k = substr(l, 2, RLENGTH - 5); r = substr(l, RLENGTH + 1)
		if (substr(r, 1, 2) == "{}" || substr(r, 1, 2) == "[]") next
		if (r ~ /^[[{]/) { p[++d] = k; next }
		sub(/,$/, "", r); gsub(/"/, "", r); s = ""
		for (i = 1; i <= d; i++) if (p[i] != "") s = s p[i] "."
		print s k "=" r; next }
	l ~ /^[[{]/ { p[++d] = ""; next }
	l ~ /^[]}]/ { d--; next }' "$1"
}
fv() { grep -m1 "^jobs\.$1=" /tmp/flat | cut -d= -f2; }
devname() { case $1 in $NV) echo nvmev ;; $NB) echo null_blk ;; $RAM) echo brd ;; $NBT) echo nullb_timer ;; esac; }

# run TEST REP DEV RW BS QD JOBS [extra fio args]: one fio run, one BENCH line
run() {
	_t=$1 _r=$2 _d=$3 _rw=$4 _bs=$5 _qd=$6 _j=$7
	shift 7
	_dn=$(devname $_d) _b=${_d#/dev/}
	case $_rw in *read*) _dir=read ;; *) _dir=write ;; esac
	_l0=
	[ "$_dn" = nvmev ] && _l0=$(lateness)
	fio --name="$_t" --filename=$_d --rw=$_rw --bs=$_bs --iodepth=$_qd --numjobs=$_j \
		--ioengine=libaio --direct=1 --size=$SIZE --norandommap --randrepeat=0 \
		--time_based --runtime=$RUNTIME --ramp_time=$RAMP --group_reporting \
		--cpus_allowed=$FIOCPUS --cpus_allowed_policy=split \
		--lat_percentiles=1 --clat_percentiles=0 --percentile_list=50:99:99.9 \
		--output-format=json --output=/tmp/fio.json --eta=never "$@" >/tmp/fio.err 2>&1 &
	_fp=$!
	# CPU window: from the end of the ramp (counted from the first completed
	# I/O: fio starts slowly under TCG) to shortly before the run ends
	_i0=$(ios $_b) _w=0
	while [ "$(ios $_b)" = "$_i0" ] && [ $_w -lt 600 ] && kill -0 $_fp 2>/dev/null; do
		sleep 0.05
		_w=$((_w + 1))
	done
	sleep "$RAMP"
	_c0=$(busy_ns) _e0=$(emu_ns) _i0=$(ios $_b) _u0=$(up_ns)
	sleep "$(awk -v r=$RUNTIME 'BEGIN { print (r > 1.5 ? r - 0.6 : r / 2) }')"
	_c1=$(busy_ns) _e1=$(emu_ns) _i1=$(ios $_b) _u1=$(up_ns)
	wait $_fp
	_rc=$?
	if [ $_rc != 0 ]; then
		echo "BENCH-ERROR fio rc=$_rc test=$_t dev=$_dn: $(tr '\n' ' ' </tmp/fio.err | cut -c1-300)"
		return 1
	fi
	flat /tmp/fio.json >/tmp/flat
	_n=$((_i1 - _i0))
	[ $_n -gt 0 ] || _n=1
	_iops=$(awk -v a="$(fv read.iops)" -v b="$(fv write.iops)" 'BEGIN { printf "%.0f", a + b }')
	_bw=$(awk -v a="$(fv read.bw_bytes)" -v b="$(fv write.bw_bytes)" 'BEGIN { printf "%.0f", a + b }')
	echo "BENCH $_t $_dn $_r iops=$_iops bw=$_bw lat_mean=$(fv $_dir.lat_ns.mean | cut -d. -f1)" \
		"p50=$(fv $_dir.lat_ns.percentile.50.000000) p99=$(fv $_dir.lat_ns.percentile.99.000000)" \
		"p999=$(fv $_dir.lat_ns.percentile.99.900000) lat_max=$(fv $_dir.lat_ns.max)" \
		"cpu_ns_per_io=$(((_c1 - _c0) / _n)) emu_ns_per_io=$(((_e1 - _e0) / _n))" \
		"cpus_busy=$(awk -v c=$((_c1 - _c0)) -v u=$((_u1 - _u0)) 'BEGIN { printf "%.2f", c / u }')" \
		"emu_cores=$(awk -v c=$((_e1 - _e0)) -v u=$((_u1 - _u0)) 'BEGIN { printf "%.2f", c / u }')" \
		"fio_usr=$(fv usr_cpu) fio_sys=$(fv sys_cpu) errors=$(fv error)"
	if [ "$_dn" = nvmev ]; then
		echo "LATE $_t $_dn $_r $(late_delta "$_l0" "$(lateness)")"
	fi
}
nvset() { echo "$2" >$SYS/$1 || echo "BENCH-ERROR cannot set $1=$2"; }
nvzero() { nvset read_latency_ns 0; nvset write_latency_ns 0; nvset bandwidth_mbps 0; nvset poll_mode busy; }

idle_measure() { # MODE REP
	sleep 1
	_d0=$(tns $DPID) _w0=0
	for _p in $WPIDS; do _w0=$((_w0 + $(tns $_p))); done
	_u0=$(up_ns)
	sleep "$IDLE"
	_d1=$(tns $DPID) _w1=0
	for _p in $WPIDS; do _w1=$((_w1 + $(tns $_p))); done
	_u1=$(up_ns)
	_nw=$(echo $WPIDS | wc -w)
	echo "IDLE $1 $2 dispatcher_pct=$(awk -v c=$((_d1 - _d0)) -v u=$((_u1 - _u0)) 'BEGIN { printf "%.2f", 100 * c / u }')" \
		"worker_pct=$(awk -v c=$((_w1 - _w0)) -v u=$((_u1 - _u0)) -v n=$_nw 'BEGIN { printf "%.2f", 100 * c / u / n }')"
}

T0=$(cut -d. -f1 /proc/uptime)
RLIST=$(seq 1 "$REPS")
DEVS="$NV $NB $RAM"
phase() { echo "PHASE $* at $(($(cut -d. -f1 /proc/uptime) - T0))s"; }
# want PHASE: whether bench.phases selects it
want() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }

# --- 1. QD1 latency, 2. QD32 IOPS, 3. sequential bandwidth -----------------------
nvzero
want qd1 && phase qd1 && for r in $RLIST; do
	for d in $DEVS; do run qd1-randread $r $d randread 4k 1 1; done
	for d in $DEVS; do run qd1-randwrite $r $d randwrite 4k 1 1; done
done
want qd32 && phase qd32 && for r in $RLIST; do
	for j in 1 2 4; do
		for d in $DEVS; do run qd32-randread-j$j $r $d randread 4k 32 $j; done
	done
done
want seq && phase seq && for r in $RLIST; do
	for bs in 128k 1m; do
		for d in $DEVS; do run seq-read-$bs $r $d read $bs 16 1; done
		for d in $DEVS; do run seq-write-$bs $r $d write $bs 16 1; done
	done
done

# --- 4. fidelity: configured read latency, bandwidth caps ------------------------
want sweep && phase sweep && for r in $RLIST; do
	for L in $SWEEP; do
		nvset read_latency_ns $((L * 1000))
		run lat-read-$L $r $NV randread 4k 1 1
		if [ "$TIMER" = 1 ]; then
			d=/sys/kernel/config/nullb/nullb1
			echo 0 >$d/power && echo $((L * 1000)) >$d/completion_nsec && echo 1 >$d/power &&
				wait_ns 10 $NBT >/dev/null && run lat-read-$L $r $NBT randread 4k 1 1
		fi
	done
done
nvzero
want caps && phase caps && for r in $RLIST; do
	for M in $CAPS; do
		nvset bandwidth_mbps "$M"
		run bwcap-read-$M $r $NV read 1m 16 1
		run bwcap-write-$M $r $NV write 1m 16 1
	done
done
nvzero

# --- 5. polling modes -------------------------------------------------------------
want poll && phase poll && for r in $RLIST; do
	for m in spin busy lowcpu; do
		case $m in
		spin) nvset poll_mode busy; nvset idle_after_us 0 ;;
		busy) nvset poll_mode busy; nvset idle_after_us 1000 ;;
		lowcpu) nvset poll_mode lowcpu; nvset idle_after_us 1000 ;;
		esac
		idle_measure $m $r
		nvset read_latency_ns 0
		run poll-$m-qd1 $r $NV randread 4k 1 1
		nvset read_latency_ns 100000
		run poll-$m-lat100 $r $NV randread 4k 1 1
		nvset read_latency_ns 0
		run poll-$m-qd32j4 $r $NV randread 4k 32 4
	done
done
nvzero
nvset idle_after_us 1000

# --- 6. profiles ------------------------------------------------------------------
if want perf && [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	phase perf
	echo 0 >/proc/sys/kernel/kptr_restrict 2>/dev/null
	echo -1 >/proc/sys/kernel/perf_event_paranoid 2>/dev/null
	prof() { # NAME DEV QD JOBS
		fio --name=prof --filename=$2 --rw=randread --bs=4k --iodepth=$3 --numjobs=$4 --ioengine=libaio \
			--direct=1 --size=$SIZE --norandommap --time_based --runtime=$((RUNTIME + 4)) \
			--cpus_allowed=$FIOCPUS --cpus_allowed_policy=split --group_reporting --eta=never \
			--output=/dev/null &
		_fp=$!
		sleep 1
		perf record -e cpu-clock -a -g -o /tmp/perf.$1 -- sleep "$RUNTIME" >/dev/null 2>/tmp/perf.err ||
			echo "perf record failed: $(head -3 /tmp/perf.err)"
		wait $_fp
		echo "PERF-BEGIN $1"
		perf report -i /tmp/perf.$1 --stdio --no-children --sort cpu,comm,sym 2>/dev/null |
			grep -v '^#' | grep -E '^ +[0-9.]+%' | head -40
		echo "PERF-END $1"
	}
	prof nvmev-qd1 $NV 1 1
	prof null_blk-qd1 $NB 1 1
	prof nvmev-qd32j4 $NV 32 4
	prof null_blk-qd32j4 $NB 32 4
fi

echo "STATS $(for f in $SYS/stats/*; do [ "${f##*/}" = lateness ] || printf '%s=%s ' "${f##*/}" "$(cat $f)"; done)"
rmmod nvmev || fail unload "rmmod nvmev"
wait_gone 30 >/dev/null
# nv_unload WHAT: unload the device of a section and wait for its disk to go
nv_unload() {
	rmmod nvmev || echo "BENCH-ERROR rmmod nvmev ($1)"
	wait_gone 30 >/dev/null
}

# --- 7. conventional NAND (type=conv) -----------------------------------------------
# One die of one plane (48 KiB program units, ~34 MB/s of programs) of the
# datacenter-tlc preset on 128 MiB, so that the modelled drive, not the
# emulator under TCG, sets the pace; the shapes are what the section shows.
# Parts a and b scale the write buffer down with the dies (16 MiB / 32), so
# that the programs it holds take the time they take on the whole drive;
# part c keeps the preset's 16 MiB, to show the cliff.
CONV="memmap_start=1G memmap_size=128M cpus=$NVCPUS lba_size=4096 type=conv preset=datacenter-tlc channels=1 dies_per_channel=1 planes_per_die=1"
CS=$SYS/ns1/stats
# fio's log FILE as "TAG t_ms value offset" lines
fio_log() { awk -F', *' -v tag="$1" '{ print tag, $1, $2, $5 }' "$2"; }
conv_load() {
	modprobe nvmev $CONV "$@" || { echo "BENCH-ERROR modprobe nvmev $CONV $*"; return 1; }
	wait_ns 30 $NV >/dev/null || { echo "BENCH-ERROR no $NV (conv)"; return 1; }
	echo none >/sys/block/nvme0n1/queue/scheduler 2>/dev/null
	return 0
}
if want conv && conv_load write_buffer_kib=512; then
	phase conv
	cap=$(($(cat /sys/block/nvme0n1/size) * 512))
	info conv_args="$(echo "$CONV write_buffer_kib=512" | tr ' ' ,)" conv_bytes=$cap conv_lines=$(cat $CS/lines) conv_line_pages=$(cat $CS/line_pages) \
		conv_ftl_bytes=$(cat $CS/ftl_bytes) gc_bg_lines=$(cat $SYS/ns1/gc_bg_lines) gc_fg_lines=$(cat $SYS/ns1/gc_fg_lines)
	# a. bandwidth over time: 4 KiB random writes of 3 capacities (2 when quick) on the new drive
	times=3
	[ "$QUICK" = 1 ] && times=2
	fio --name=cbw --filename=$NV --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio --direct=1 \
		--norandommap --randrepeat=0 --io_size=$((cap * times)) --cpus_allowed=$FIOCPUS \
		--write_bw_log=/tmp/cbw --log_avg_msec=1000 --eta=never --output=/tmp/fio.out &
	fp=$!
	t0=$(up_ns)
	while kill -0 $fp 2>/dev/null; do
		echo "CONV-FREE $((($(up_ns) - t0) / 1000000)) $(cat $CS/free_lines) $(cat $CS/host_pages_written) $(cat $CS/media_pages_written)"
		sleep 1
	done
	wait $fp || echo "BENCH-ERROR conv random writes: $(tail -3 /tmp/fio.out | tr '\n' ' ')"
	fio_log CONV-BW /tmp/cbw_bw.1.log
	echo "CONV-END waf=$(cat $CS/waf) gc_runs=$(cat $CS/gc_runs) moved=$(cat $CS/gc_pages_moved) erases=$(cat $CS/erases) wb_waits=$(cat $CS/write_buffer_waits) fg_waits=$(cat $CS/gc_foreground_waits)"

	# b. 4 KiB random reads at QD1 with GC idle, then beside random writes that keep GC busy
	crun() { # NAME [a second job's options]
		_n=$1
		shift
		_m0=$(cat $CS/gc_pages_moved) _h0=$(cat $CS/host_pages_written)
		fio --filename=$NV --bs=4k --ioengine=libaio --direct=1 --norandommap --randrepeat=0 \
			--time_based --runtime=$((RUNTIME * 3)) --ramp_time=$RAMP --cpus_allowed=$FIOCPUS \
			--lat_percentiles=1 --clat_percentiles=0 --percentile_list=50:90:99:99.9 \
			--name=r --rw=randread --iodepth=1 "$@" --output-format=json --output=/tmp/fio.json \
			--eta=never >/tmp/fio.err 2>&1 || { echo "BENCH-ERROR conv $_n: $(head -c 300 /tmp/fio.err)"; return; }
		flat /tmp/fio.json >/tmp/flat
		echo "BENCH conv-read-$_n nvmev $r iops=$(fv read.iops | cut -d. -f1) lat_mean=$(fv read.lat_ns.mean | cut -d. -f1)" \
			"p50=$(fv read.lat_ns.percentile.50.000000) p90=$(fv read.lat_ns.percentile.90.000000)" \
			"p99=$(fv read.lat_ns.percentile.99.000000) p999=$(fv read.lat_ns.percentile.99.900000)" \
			"lat_max=$(fv read.lat_ns.max) moved=$(($(cat $CS/gc_pages_moved) - _m0))" \
			"host_written=$(($(cat $CS/host_pages_written) - _h0))"
	}
	for r in $RLIST; do
		# reads drive background GC's steps: let it reach its threshold first
		fio --name=settle --filename=$NV --rw=randread --bs=4k --iodepth=4 --ioengine=libaio \
			--direct=1 --time_based --runtime=2 --eta=never --output=/dev/null
		crun idle
		crun gc --name=w --rw=randwrite --iodepth=4
	done
	nv_unload conv

	# c. the write-buffer cliff: 128 KiB sequential writes at QD1 on a new drive,
	# every latency logged against its offset
	if conv_load; then
		info conv_write_buffer_kib=$(cat $SYS/ns1/write_buffer_kib)
		fio --name=cliff --filename=$NV --rw=write --bs=128k --iodepth=1 --ioengine=libaio --direct=1 \
			--size=$(($(cat $SYS/ns1/write_buffer_kib) * 1024 * 3)) --cpus_allowed=$FIOCPUS \
			--write_lat_log=/tmp/cliff --log_offset=1 --eta=never --output=/tmp/fio.out ||
			echo "BENCH-ERROR conv cliff: $(tail -3 /tmp/fio.out | tr '\n' ' ')"
		fio_log CONV-CLIFF /tmp/cliff_lat.1.log
		echo "CONV-CLIFF-END wb_waits=$(cat $CS/write_buffer_waits)"
		nv_unload conv-cliff
	fi
fi

# --- 8. zoned (type=zns) ------------------------------------------------------------
if want zns; then
	phase zns
	if modprobe nvmev memmap_start=1G memmap_size=256M cpus=$NVCPUS lba_size=4096 type=zns zone_size=16 &&
		wait_ns 30 $NV >/dev/null; then
		zb=$(($(cat /sys/block/nvme0n1/queue/chunk_sectors) / 8)) nz=$(cat /sys/block/nvme0n1/queue/nr_zones)
		info zns_zone_blocks=$zb zns_zones=$nz zns_max_open=$(cat /sys/block/nvme0n1/queue/max_open_zones)
		for r in $RLIST; do
			for bs in 4096 65536; do
				zbench /dev/ng0n1 $zb $nz write $bs $RUNTIME | sed "s/^ZB /ZB bs=$bs rep=$r /"
				for t in 1 2 4 8; do
					zbench /dev/ng0n1 $zb $nz append $bs $RUNTIME $t | sed "s/^ZB /ZB bs=$bs rep=$r /"
				done
			done
			for m in "reset 0" "reset 50" "reset 100" "finish 0" "finish 50" "open 50" "close 50"; do
				zbench /dev/ng0n1 $zb $nz mgmt $m | sed "s/^ZB /ZB rep=$r /"
			done
		done
		nv_unload zns
	else
		echo "BENCH-ERROR modprobe nvmev type=zns"
	fi
fi

phase done
echo "BENCH-DONE $(($(cut -d. -f1 /proc/uptime) - T0))s"
pass bench
