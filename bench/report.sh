#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/report.sh RAW OUTDIR: medians, tables, ratios, targets and gnuplot
# charts from the lines bench/guest/bench.sh printed (see bench/run).
set -uo pipefail
RAW=$1 OUT=$2
MED=$OUT/medians.txt
R=$OUT/report.md
mkdir -p "$OUT"

# --- medians: "test dev key median n" -------------------------------------------
awk '$1 == "BENCH" && NF > 4 { for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[2] != "") print $2, $3, kv[1], kv[2] } }
     $1 == "IDLE" { for (i = 4; i <= NF; i++) { split($i, kv, "="); print "idle", $2, kv[1], kv[2] } }' "$RAW" |
	sort -k1,1 -k2,2 -k3,3 -k4,4g |
	awk 'function out() { if (n) { m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2; print key, m, n } }
	     { k = $1 " " $2 " " $3; if (k != key) { out(); key = k; n = 0 } v[++n] = $4 }
	     END { out() }' >"$MED"

m() { awk -v t="$1" -v d="$2" -v k="$3" '$1 == t && $2 == d && $3 == k { print $4; f = 1; exit } END { if (!f) print "" }' "$MED"; }
nrep() { awk -v t="$1" -v d="$2" '$1 == t && $2 == d { print $5; exit }' "$MED"; }
calc() { awk "BEGIN { $1 }" </dev/null 2>/dev/null || echo –; }
us() { [ -n "$1" ] && calc "printf \"%.1f\", $1 / 1000" || echo "–"; }
num() { [ -n "$1" ] && calc "printf \"%.0f\", $1" || echo "–"; }
mbs() { [ -n "$1" ] && calc "printf \"%.0f\", $1 / 1000000" || echo "–"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && calc "if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"–\"" || echo "–"; }
pct() { [ -n "$1" ] && [ -n "$2" ] && calc "if ($2 != 0) printf \"%+.1f\", 100 * ($1 - $2) / $2; else print \"–\"" || echo "–"; }
info() { grep -h -o "$1=[^ ]*" "$RAW" | head -1 | cut -d= -f2-; }
DEVS="nvmev null_blk brd"
LIST() { grep -o "$1=[^ ]*" "$RAW" | head -1 | cut -d= -f2 | tr , ' '; }
SWEEP=$(awk '$1 == "BENCH" && $2 ~ /^lat-read-/ { sub("lat-read-", "", $2); print $2 }' "$RAW" | sort -nu | tr '\n' ' ')
CAPS=$(awk '$1 == "BENCH" && $2 ~ /^bwcap-read-/ { sub("bwcap-read-", "", $2); print $2 }' "$RAW" | sort -nu | tr '\n' ' ')
REPS=$(awk '$1 == "BENCH" { if ($4 > r) r = $4 } END { print r + 0 }' "$RAW")

# targets: lines "name|measured|target|status" collected while writing tables
TGT=$OUT/.targets
: >"$TGT"
target() { echo "$1|$2|$3|$4" >>"$TGT"; }
verdict() { case $1 in *–*) echo "no data" ;; *) calc "print ($1) ? \"met\" : \"missed\"" ;; esac; }

{
echo "# nvmevirt benchmark: nvmev next to null_blk and brd"
echo
echo "Produced by \`make bench\` (\`bench/run\`) in one QEMU boot; every number is the median of"
echo "$REPS repetition(s), devices interleaved (nvmev, null_blk, brd, nvmev, ...). Raw lines:"
echo "[raw.txt](raw.txt), medians: [medians.txt](medians.txt)."
echo
echo "## Setup"
echo
echo "| what | value |"
echo "|---|---|"
echo "| host CPU | $(info cpu_model | tr _ ' ') ($(info cores) cores; load average before/after the boot: $(info load_before) / $(info load_after)) |"
echo "| accelerator | QEMU $(info qemu) **TCG** (\`-accel $(info accel)\`), no KVM on this machine: every guest instruction is translated |"
echo "| guest | Linux $(grep -m1 -o 'kernel=[^ ]*' "$RAW" | cut -d= -f2), $(info smp) vCPUs ($(grep -m1 -o ' cpus=[0-9]*' "$RAW" | cut -d= -f2) online), $(info mem), clocksource $(info clocksource) |"
echo "| pinning | vCPU 0 housekeeping; nvmev \`cpus=$(info nvmev_cpus)\` (dispatcher on the first, worker(s) on the rest); fio \`--cpus_allowed=$(info fio_cpus) --cpus_allowed_policy=split\` for every device. vCPU threads are not pinned on the host (2 host cores for $(info smp) vCPUs) |"
echo "| nvmev | \`lba_size=4096\`, zero latency and unlimited bandwidth unless a section says otherwise; $(info nvmev_params | tr , ' ') |"
echo "| null_blk | \`$(info null_blk)\` (/dev/nullb0); known-delay reference: a configfs nullb with \`irqmode=2 completion_nsec=L\` |"
echo "| brd | \`rd_nr=1 rd_size=262144\` (/dev/ram0) |"
echo "| fio | 3.33, libaio, O_DIRECT, first 256 MiB of each device (written once before the runs), \`--norandommap --randrepeat=0\`, ${RUNTIME_S:-$(info runtime)} s after $(info ramp) s ramp; latency = slat+clat (\`lat_ns\`) |"
echo "| CPU per I/O | busy vCPUs (/proc/stat: all guest CPUs; /proc/PID/schedstat: the nvmev threads) over a window inside the measured part of the run, divided by fio's IOPS; for null_blk and brd the nvmev threads' own (idle-polling) time is subtracted |"
echo "| run | $(info bench_env), VM time $(info boot_secs) s |"
echo
echo "Absolute numbers mean little under TCG (a guest instruction costs 10-50x a native one and"
echo "the vCPUs share 2 host cores with whatever else runs on the machine); the ratios between"
echo "devices measured in the same boot are what this report is for."
echo

# --- 1. QD1 latency ------------------------------------------------------------------
echo "## 1. 4 KiB random read and write at QD1 (nvmev with zero configured latency)"
echo
echo "| test | device | mean µs | p50 µs | p99 µs | p99.9 µs | IOPS | mean vs null_blk |"
echo "|---|---|---|---|---|---|---|---|"
for t in qd1-randread qd1-randwrite; do
	for d in $DEVS; do
		echo "| ${t#qd1-} | $d | $(us "$(m $t $d lat_mean)") | $(us "$(m $t $d p50)") | $(us "$(m $t $d p99)") | $(us "$(m $t $d p999)") | $(num "$(m $t $d iops)") | $(ratio "$(m $t $d lat_mean)" "$(m $t null_blk lat_mean)")x |"
	done
done
echo
r1=$(ratio "$(m qd1-randread nvmev lat_mean)" "$(m qd1-randread null_blk lat_mean)")
target "QD1 4 KiB read latency, nvmev / null_blk (mean)" "${r1}x" "≤ 1.5x" "$(verdict "$r1 <= 1.5")"
d1=$(calc "printf \"%.1f\", ($(m qd1-randread nvmev lat_mean) - $(m qd1-randread null_blk lat_mean)) / 1000")
echo "nvmev adds **$d1 µs** to null_blk's mean QD1 read latency (ratio ${r1}x); brd is $(ratio "$(m qd1-randread brd lat_mean)" "$(m qd1-randread null_blk lat_mean)")x null_blk."
echo

# --- 2. QD32 IOPS --------------------------------------------------------------------
echo "## 2. 4 KiB random read at QD32: IOPS and CPU per I/O"
echo
echo "| jobs | device | IOPS | vs null_blk | CPU µs per I/O (all) | of which nvmev threads | busy vCPUs | p99 µs |"
echo "|---|---|---|---|---|---|---|---|"
for j in 1 2 4; do
	t=qd32-randread-j$j
	for d in $DEVS; do
		# CPU per I/O from busy vCPUs and fio's IOPS (brd keeps no /sys/block stat);
		# for null_blk and brd the nvmev threads' idle polling is taken out
		io=$(m $t $d iops) cb=$(m $t $d cpus_busy) ec=$(m $t $d emu_cores)
		if [ $d = nvmev ]; then
			busy=$cb emu=$(calc "printf \"%.1f\", $ec / $io * 1e6")
		else
			busy=$(calc "printf \"%.2f\", $cb - $ec") emu=–
		fi
		cpu=$(calc "print $busy / $io * 1e9")
		echo "| $j | $d | $(num "$(m $t $d iops)") | $(ratio "$(m $t $d iops)" "$(m $t null_blk iops)")x | $(us "$cpu") | $emu | $busy | $(us "$(m $t $d p99)") |"
	done
done
echo
best=0 bestj=1
for j in 1 2 4; do
	r=$(ratio "$(m qd32-randread-j$j nvmev iops)" "$(m qd32-randread-j$j null_blk iops)")
	[ "$r" != "–" ] && [ "$(calc "print ($r > $best)")" = 1 ] && best=$r bestj=$j
done
pk_nv=0 pk_nb=0 pkj=1
for j in 1 2 4; do
	v=$(m qd32-randread-j$j nvmev iops)
	[ -n "$v" ] && [ "$(calc "print ($v > $pk_nv)")" = 1 ] && pk_nv=$v pkj=$j
done
rpk=$(ratio "$pk_nv" "$(m qd32-randread-j$pkj null_blk iops)")
target "peak 4 KiB QD32 random-read IOPS, nvmev / null_blk (same jobs)" "${rpk}x (nvmev's peak at $pkj job(s): $(num "$pk_nv") IOPS)" "≥ 0.5x" "$(verdict "$rpk >= 0.5")"
echo "nvmev peaks at $(num "$pk_nv") IOPS with $pkj job(s), ${rpk}x null_blk with the same jobs (best ratio ${best}x at $bestj job(s))."
echo "IOPS per busy vCPU at 4 jobs: nvmev $(calc "printf \"%.0f\", $(m qd32-randread-j4 nvmev iops) / $(m qd32-randread-j4 nvmev cpus_busy)"),"
echo "null_blk $(calc "printf \"%.0f\", $(m qd32-randread-j4 null_blk iops) / ($(m qd32-randread-j4 null_blk cpus_busy) - $(m qd32-randread-j4 null_blk emu_cores))"),"
echo "brd $(calc "printf \"%.0f\", $(m qd32-randread-j4 brd iops) / ($(m qd32-randread-j4 brd cpus_busy) - $(m qd32-randread-j4 brd emu_cores))")."
echo
echo "![IOPS against jobs](iops_vs_jobs.png)"
echo

# --- 3. sequential bandwidth ---------------------------------------------------------
echo "## 3. Sequential bandwidth (QD16, 1 job)"
echo
echo "| test | nvmev MB/s | null_blk MB/s | brd MB/s | nvmev / null_blk | nvmev / brd |"
echo "|---|---|---|---|---|---|"
for t in seq-read-128k seq-write-128k seq-read-1m seq-write-1m; do
	echo "| ${t#seq-} | $(mbs "$(m $t nvmev bw)") | $(mbs "$(m $t null_blk bw)") | $(mbs "$(m $t brd bw)") | $(ratio "$(m $t nvmev bw)" "$(m $t null_blk bw)")x | $(ratio "$(m $t nvmev bw)" "$(m $t brd bw)")x |"
done
echo

# --- 4. fidelity -----------------------------------------------------------------------
echo "## 4. Fidelity: configured read latency (4 KiB random read, QD1)"
echo
f_mean=$(m lat-read-0 nvmev lat_mean) f_p99=$(m lat-read-0 nvmev p99)
t_mean=$(m lat-read-0 nullb_timer lat_mean) t_p99=$(m lat-read-0 nullb_timer p99)
echo "Floor (configured 0): nvmev mean $(us "$f_mean") µs, p99 $(us "$f_p99") µs. Error = (measured − floor − L) / L,"
echo "with the floor's mean subtracted from the mean and the floor's p99 from the p99. The reference is"
echo "null_blk with a per-command hrtimer (irqmode=2, completion_nsec=L), its own floor subtracted the same way."
echo
echo "| L µs | nvmev mean µs | mean − floor | error | p99 µs | p99 − floor p99 | p99 error | null_blk timer mean µs | its error |"
echo "|---|---|---|---|---|---|---|---|---|"
: >"$OUT/.sweep"
worst_mean=0 worst_p99=0 ok_mean=1 ok_p99=1 nchk=0
for L in $SWEEP; do
	mm=$(m lat-read-$L nvmev lat_mean) pp=$(m lat-read-$L nvmev p99) tm=$(m lat-read-$L nullb_timer lat_mean)
	[ -n "$mm" ] || continue
	Lns=$((L * 1000))
	if [ "$L" -gt 0 ]; then
		em=$(calc "printf \"%+.1f%%\", 100 * ($mm - $f_mean - $Lns) / $Lns")
		ep=$(calc "printf \"%+.1f%%\", 100 * ($pp - $f_p99 - $Lns) / $Lns")
		et=$([ -n "$tm" ] && calc "printf \"%+.1f%%\", 100 * ($tm - $t_mean - $Lns) / $Lns" || echo –)
		if [ "$L" -ge 20 ]; then
			nchk=$((nchk + 1))
			[ "$(calc "x = ($mm - $f_mean - $Lns) / $Lns; print (x < 0 ? -x : x) <= 0.05")" = 1 ] || ok_mean=0
			[ "$(calc "print ($pp <= 1.10 * $Lns + $f_p99)")" = 1 ] || ok_p99=0
			worst_mean=$(calc "x = 100 * ($mm - $f_mean - $Lns) / $Lns; w = $worst_mean; print ((x < 0 ? -x : x) > (w < 0 ? -w : w)) ? x : w")
			worst_p99=$(calc "x = 100 * ($pp - $f_p99 - $Lns) / $Lns; w = $worst_p99; print (x > w) ? x : w")
		fi
	else
		em=– ep=– et=–
	fi
	echo "| $L | $(us "$mm") | $(us "$(calc "print $mm - $f_mean")") | $em | $(us "$pp") | $(us "$(calc "print $pp - $f_p99")") | $ep | $(us "$tm") | $et |"
	echo "$L $(calc "print $mm / 1000") $(calc "print $pp / 1000") $([ -n "$tm" ] && calc "print $tm / 1000" || echo NaN) $(calc "print ($f_mean + $Lns) / 1000")" >>"$OUT/.sweep"
done
echo
target "configured latency ≥ 20 µs, mean after subtracting the floor" "worst $(calc "printf \"%+.1f\", $worst_mean")%" "±5%" "$([ $nchk = 0 ] && echo "no data" || { [ $ok_mean = 1 ] && echo met || echo missed; })"
target "configured latency ≥ 20 µs, p99 ≤ 1.1·L + floor p99" "worst p99 − floor p99 − L = $(calc "printf \"%+.1f\", $worst_p99")% of L" "≤ +10%" "$([ $nchk = 0 ] && echo "no data" || { [ $ok_p99 = 1 ] && echo met || echo missed; })"
echo "![latency against configured latency](latency_vs_configured.png)"
echo
echo "### Bandwidth caps (1 MiB sequential, QD16, zero latency)"
echo
echo "| cap MB/s | read MB/s | error | write MB/s | error |"
echo "|---|---|---|---|---|"
: >"$OUT/.caps"
ok_bw=1 worst_bw=0 ncap=0
for M in $CAPS; do
	rb=$(m bwcap-read-$M nvmev bw) wb=$(m bwcap-write-$M nvmev bw)
	[ -n "$rb" ] || continue
	er=$(pct "$rb" "$((M * 1000000))") ew=$(pct "$wb" "$((M * 1000000))")
	echo "| $M | $(mbs "$rb") | $er% | $(mbs "$wb") | $ew% |"
	echo "$M $(calc "print $rb / 1e6") $(calc "print $wb / 1e6")" >>"$OUT/.caps"
	ncap=$((ncap + 1))
	for e in $er $ew; do
		[ "$(calc "x = $e; print (x < 0 ? -x : x) <= 5")" = 1 ] || ok_bw=0
		worst_bw=$(calc "x = $e; w = $worst_bw; print ((x < 0 ? -x : x) > (w < 0 ? -w : w)) ? x : w")
	done
done
echo
echo "Unlimited bandwidth for comparison (section 3): 1 MiB read $(mbs "$(m seq-read-1m nvmev bw)") MB/s, write $(mbs "$(m seq-write-1m nvmev bw)") MB/s."
echo
target "bandwidth caps" "worst $(calc "printf \"%+.1f\", $worst_bw")%" "±5%" "$([ $ncap = 0 ] && echo "no data" || { [ $ok_bw = 1 ] && echo met || echo missed; })"
echo "![bandwidth caps](bandwidth_caps.png)"
echo

# --- 5. lateness -----------------------------------------------------------------------
echo "## 5. The emulator's lateness histogram (completion posted − target time)"
echo
echo "From \`/sys/kernel/nvmev/nvmev0/stats/lateness\`, the difference over each run, summed over the repetitions."
echo
LT="qd1-randread lat-read-100 qd32-randread-j4 poll-lowcpu-qd1 poll-lowcpu-lat100"
: >"$OUT/.late"
hdr="| bucket (ns) |" sep="|---|"
for t in $LT; do hdr="$hdr $t |"; sep="$sep---|"; done
echo "$hdr"
echo "$sep"
awk -v tests="$LT" '
	BEGIN { nt = split(tests, T, " ") }
	$1 == "LATE" { n = split($5, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") { split(a[i], x, ":"); c[$2, x[1]] += x[2]; tot[$2] += x[2]; if (!(x[1] in seen)) { seen[x[1]] = 1; L[++nl] = x[1] } } }
	END {
		# buckets in ascending order
		for (i = 1; i <= nl; i++) for (j = i + 1; j <= nl; j++) if (L[j] + 0 < L[i] + 0) { t = L[i]; L[i] = L[j]; L[j] = t }
		for (i = 1; i <= nl; i++) {
			lo = L[i]; hi = lo ? 2 * lo - 1 : 1
			line = sprintf("| %s–%s |", lo, hi); any = 0
			for (k = 1; k <= nt; k++) {
				v = c[T[k], lo]; if (v) any = 1
				line = line sprintf(" %s |", tot[T[k]] ? sprintf("%.2f%%", 100 * v / tot[T[k]]) : "–")
			}
			if (any) print line
			printf "%s", lo >> late
			for (k = 1; k <= nt; k++) printf " %g", tot[T[k]] ? 100 * c[T[k], lo] / tot[T[k]] : 0 >> late
			printf "\n" >> late
		}
		line = "| completions |"
		for (k = 1; k <= nt; k++) line = line " " tot[T[k]] + 0 " |"
		print line
	}' late="$OUT/.late" "$RAW"
echo
# share of completions posted within 2 µs / 10 µs of their target
for t in $LT; do
	awk -v t="$t" '$1 == "LATE" && $2 == t { n = split($5, a, ","); for (i = 1; i <= n; i++) if (a[i] != "") { split(a[i], x, ":"); s += x[2]; if (x[1] < 2048) w2 += x[2]; if (x[1] < 8192) w8 += x[2] } }
		END { if (s) printf "- %s: %.1f%% of completions posted less than 2 µs late, %.1f%% less than 8 µs late\n", t, 100 * w2 / s, 100 * w8 / s }' "$RAW"
done
echo
echo "![lateness histogram](lateness.png)"
echo

# --- 6. polling modes -------------------------------------------------------------------
echo "## 6. Polling modes"
echo
echo "\`spin\`: poll_mode=busy idle_after_us=0 (never sleeps); \`busy\`: poll_mode=busy with the default"
echo "idle_after_us=1000 (sleeps idle_sleep_us=20 between polls after 1 ms without work); \`lowcpu\`:"
echo "poll_mode=lowcpu (idle dispatcher sleeps between polls, worker sleeps on an hrtimer until its next due completion)."
echo "Idle CPU is per thread, in % of one vCPU, measured with nothing submitted."
echo
echo "| mode | idle dispatcher % | idle worker % | QD1 mean µs | QD1 p99 µs | L=100 µs mean µs | L=100 µs p99 µs | QD32×4 IOPS | QD32×4 nvmev vCPUs busy |"
echo "|---|---|---|---|---|---|---|---|---|"
for md in spin busy lowcpu; do
	echo "| $md | $(m idle $md dispatcher_pct) | $(m idle $md worker_pct) | $(us "$(m poll-$md-qd1 nvmev lat_mean)") | $(us "$(m poll-$md-qd1 nvmev p99)") | $(us "$(m poll-$md-lat100 nvmev lat_mean)") | $(us "$(m poll-$md-lat100 nvmev p99)") | $(num "$(m poll-$md-qd32j4 nvmev iops)") | $(m poll-$md-qd32j4 nvmev emu_cores) |"
done
echo
li=$(calc "a = $(m idle lowcpu dispatcher_pct); b = $(m idle lowcpu worker_pct); print (a > b) ? a : b")
target "idle CPU in lowcpu mode, per emulator thread" "$li% of a vCPU (dispatcher $(m idle lowcpu dispatcher_pct)%, worker $(m idle lowcpu worker_pct)%)" "< 2%" "$(verdict "$li < 2")"
echo

# --- 7. conventional NAND ------------------------------------------------------------------
if grep -q '^CONV-' "$RAW"; then
echo "## 7. Conventional NAND (type=conv): GC, reads beside it, the write-buffer cliff"
echo
echo "\`$(info conv_args | tr , ' ')\`: the \`datacenter-tlc\` preset on one die of one plane"
echo "($(info conv_lines) lines of $(info conv_line_pages) pages, FTL state $(info conv_ftl_bytes) bytes), so that the modelled"
echo "drive (about 34 MB/s of programs) and not the emulator under TCG sets the pace, with the"
echo "write buffer scaled down with the dies (16 MiB / 32) so that what it holds takes the time it"
echo "takes on the whole drive: the shapes are what this section shows; a real configuration's"
echo "bandwidths scale with its dies."
echo
# bandwidth over time and free lines
awk '$1 == "CONV-BW" { printf "%.1f %.3f\n", $2 / 1000, $3 * 1024 / 1e6 }' "$RAW" >"$OUT/.cbw"
awk '$1 == "CONV-FREE" { printf "%.1f %s\n", $2 / 1000, $3 }' "$RAW" >"$OUT/.cfree"
cend=$(grep -m1 '^CONV-END ' "$RAW")
cv() { echo "$cend" | grep -o "$1=[^ ]*" | cut -d= -f2; }
# WAF over the last third of the run, from the counters sampled each second
waf_last=$(awk '$1 == "CONV-FREE" { n++; h[n] = $4; m[n] = $5 } END { if (n < 3) { print "–"; exit }
	a = n - int(n / 3); if (h[n] > h[a]) printf "%.2f\n", (m[n] - m[a]) / (h[n] - h[a]); else print "–" }' "$RAW")
bgl=$(info gc_bg_lines) fgl=$(info gc_fg_lines)
cmib=$(($(info conv_bytes) / 1048576))
[ "${bgl:-0}" != 0 ] || bgl=$((${fgl:-0} + 2))
read -r bw_first bw_last <<<"$(awk '{ v[NR] = $2 } END { n = NR; if (!n) { print "– –"; exit }
	a = 0; k = int(n / 10); if (k < 1) k = 1; for (i = 1; i <= k; i++) a += v[i]
	b = 0; m = int(n / 3); if (m < 1) m = 1; for (i = n - m + 1; i <= n; i++) b += v[i]
	printf "%.1f %.1f\n", a / k, b / m }' "$OUT/.cbw")"
echo "### Bandwidth over time: 4 KiB random writes (QD16) on a new drive"
echo
echo "| first tenth of the run MB/s | last third MB/s | WAF of the last third | WAF of the run | GC runs | pages moved | erases | write-buffer waits | foreground GC waits |"
echo "|---|---|---|---|---|---|---|---|---|"
echo "| $bw_first | $bw_last | $waf_last | $(cv waf) | $(cv gc_runs) | $(cv moved) | $(cv erases) | $(cv wb_waits) | $(cv fg_waits) |"
echo
echo "The drive is fast while free lines last, then falls to what the die sustains once every"
echo "host page costs WAF NAND pages (background GC starts below $bgl free lines, the host waits"
echo "for it at $fgl). The WAF still climbs at the end of the run: the greedy model's 7.82 at 7 %"
echo "spare is the steady state after many overwrites of the whole drive (\`tests/model/ftlsim\`"
echo "reaches it; this run writes its $((${cmib:-0})) MiB two or three times over)."
echo
echo "![bandwidth and free lines over time](conv_bandwidth.png)"
echo
echo "### 4 KiB random reads at QD1: GC idle and GC active (random writes at QD4 beside them)"
echo
echo "| GC | IOPS | mean µs | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | pages GC moved during the run | host pages written |"
echo "|---|---|---|---|---|---|---|---|---|---|"
: >"$OUT/.crd"
for c in idle gc; do
	t=conv-read-$c
	echo "| $c | $(num "$(m $t nvmev iops)") | $(us "$(m $t nvmev lat_mean)") | $(us "$(m $t nvmev p50)") | $(us "$(m $t nvmev p90)") | $(us "$(m $t nvmev p99)") | $(us "$(m $t nvmev p999)") | $(us "$(m $t nvmev lat_max)") | $(num "$(m $t nvmev moved)") | $(num "$(m $t nvmev host_written)") |"
	echo "$c $(for k in p50 p90 p99 p999; do v=$(m $t nvmev $k); calc "printf \"%.1f \", ${v:-0} / 1000"; done)" >>"$OUT/.crd"
done
echo
echo "A read waits for its die when a program (1.4 ms) or an erase (5 ms) holds it, and behind"
echo "the programs already booked on it (the model has no program or erase suspend): with GC"
echo "moving pages the die is busy for WAF programs per host write, and the tail shows it."
echo
echo "![read latency with GC idle and active](conv_read_latency.png)"
echo
echo "### The write-buffer cliff: 128 KiB sequential writes at QD1 on a new drive"
echo
wbk=$(info conv_write_buffer_kib)
awk '$1 == "CONV-CLIFF" && $4 != "" { printf "%.3f %.3f\n", $4 / 1048576, $3 / 1e6 }' "$RAW" >"$OUT/.ccl"
# the mean of each MiB
awk '{ b = int($1); s[b] += $2; n[b]++; if (b > m) m = b } END { for (i = 0; i <= m; i++) if (n[i]) printf "%.1f %.3f\n", i + 0.5, s[i] / n[i] }' \
	"$OUT/.ccl" >"$OUT/.cclm"
read -r cl_in cl_out <<<"$(awk -v b="${wbk:-0}" 'BEGIN { b /= 1024 } { if ($1 < 0.75 * b) { a += $2; na++ } else if ($1 > 1.25 * b) { c += $2; nc++ } }
	END { printf "%s %s\n", na ? sprintf("%.2f", a / na) : "–", nc ? sprintf("%.2f", c / nc) : "–" }' "$OUT/.ccl")"
echo "| write buffer | mean latency while it has room | mean latency once full | MB/s then (128 KiB / latency) |"
echo "|---|---|---|---|"
echo "| $((${wbk:-0} / 1024)) MiB | $cl_in ms | $cl_out ms | $(calc "printf \"%.1f\", 0.131072 / $cl_out * 1000") |"
echo
echo "Writes complete when buffered; once the buffer is full each one waits for a program unit"
echo "to leave it, at the dies' pace. The cliff comes somewhat after the buffer's size: the die"
echo "drains it while the host fills it."
echo
echo "![write-buffer cliff](conv_cliff.png)"
echo
fi

# --- 8. zoned ----------------------------------------------------------------------------
if grep -q '^ZB ' "$RAW"; then
# zb FIELD KEY=VALUE...: the median of FIELD over the ZB lines with every KEY=VALUE
zb() {
	local f=$1
	shift
	awk -v f="$f" -v want="$*" 'BEGIN { nw = split(want, W, " ") }
		$1 == "ZB" { for (i = 1; i <= nw; i++) { ok = 0; for (j = 2; j <= NF; j++) if ($j == W[i]) ok = 1; if (!ok) next }
			for (j = 2; j <= NF; j++) { split($j, kv, "="); if (kv[1] == f) print kv[2] } }' "$RAW" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "## 8. Zoned (type=zns): Zone Append against writes, zone management latency"
echo
echo "\`type=zns zone_size=16\` on 256 MiB ($(info zns_zones) zones of $(info zns_zone_blocks) blocks, $(info zns_max_open) open at most),"
echo "the type's default NAND timeline, through \`/dev/ng0n1\` passthrough"
echo "(\`bench/guest/zbench.c\`): writes at the write pointer one at a time, as a zone allows;"
echo "Zone Appends to one zone from 1-8 threads, each with one command in flight."
echo
echo "| I/O size | command | in flight | MB/s | IOPS | mean µs | p50 µs | p99 µs | vs write |"
echo "|---|---|---|---|---|---|---|---|---|"
: >"$OUT/.zap"
for bs in 4096 65536; do
	w=$(zb mbps bs=$bs mode=write)
	echo "| $((bs / 1024)) KiB | write | 1 | $w | $(zb iops bs=$bs mode=write) | $(zb lat_mean_us bs=$bs mode=write) | $(zb p50_us bs=$bs mode=write) | $(zb p99_us bs=$bs mode=write) | 1.00x |"
	for t in 1 2 4 8; do
		a=$(zb mbps bs=$bs mode=append threads=$t)
		echo "| $((bs / 1024)) KiB | append | $t | $a | $(zb iops bs=$bs mode=append threads=$t) | $(zb lat_mean_us bs=$bs mode=append threads=$t) | $(zb p50_us bs=$bs mode=append threads=$t) | $(zb p99_us bs=$bs mode=append threads=$t) | $(ratio "$a" "$w")x |"
		echo "$bs $t ${a:-NaN} ${w:-NaN}" >>"$OUT/.zap"
	done
done
echo
ze=$(zb errors mode=append threads=8) zm=$(zb misplaced mode=append threads=8)
echo "Every assigned LBA was checked to lie in its zone (misplaced at 8 threads: ${zm:-–}, errors: ${ze:-–})."
echo
echo "![zone append against write](zns_append.png)"
echo
echo "### Zone management latency (Zone Management Send, one zone at a time, after writing part of it)"
echo
echo "| action | zone written | min µs | p50 µs | mean µs | max µs | commands |"
echo "|---|---|---|---|---|---|---|"
for a in "reset 0" "reset 50" "reset 100" "finish 0" "finish 50" "open 50" "close 50"; do
	set -- $a
	echo "| $1 | $2 % | $(zb min_us mode=mgmt action=$1 fill=$2) | $(zb p50_us mode=mgmt action=$1 fill=$2) | $(zb lat_mean_us mode=mgmt action=$1 fill=$2) | $(zb max_us mode=mgmt action=$1 fill=$2) | $(zb ops mode=mgmt action=$1 fill=$2) |"
done
echo
echo "A reset erases the zone's blocks on every die that holds part of it (tBERS); a finish"
echo "programs the unit the write pointer left partly filled; an explicit open or close costs"
echo "\`open_close_ns\` (5 µs); a reset of an empty zone and a finish at a unit's boundary cost"
echo "the firmware time only. The minimum is the closest to the model's figure: the passthrough"
echo "ioctl under TCG adds from tens of µs to milliseconds of noise."
echo
fi

# --- targets ----------------------------------------------------------------------------
echo "## Targets (issue 4)"
echo
echo "| target | measured | wanted | status |"
echo "|---|---|---|---|"
while IFS='|' read -r a b c d; do
	case $d in met) d="**met**" ;; missed) d="**MISSED**" ;; esac
	echo "| $a | $b | $c | $d |"
done <"$TGT"
echo
[ -f "$OUT/analysis.md" ] && cat "$OUT/analysis.md" && echo
[ -f "$OUT/model.md" ] && cat "$OUT/model.md" && echo

# --- profiles ---------------------------------------------------------------------------
if grep -q '^PERF-BEGIN' "$RAW"; then
	echo "## Profiles (perf in the guest, cpu-clock, all vCPUs, top entries by cpu, comm, symbol)"
	echo
	for p in $(awk '$1 == "PERF-BEGIN" { print $2 }' "$RAW"); do
		echo "### $p"
		echo
		echo '```'
		awk -v p="$p" '$1 == "PERF-BEGIN" && $2 == p { on = 1; next } $1 == "PERF-END" { on = 0 } on' "$RAW" | head -25
		echo '```'
		echo
	done
fi
if grep -q '^BENCH-ERROR' "$RAW"; then
	echo "## Errors during the run"
	echo
	echo '```'
	grep '^BENCH-ERROR' "$RAW" | head -20
	echo '```'
fi
} >"$R"

# --- charts -----------------------------------------------------------------------------
command -v gnuplot >/dev/null || { echo "report.sh: gnuplot missing, no charts" >&2; exit 0; }
: >"$OUT/.iops"
for j in 1 2 4; do
	echo "$j $(m qd32-randread-j$j nvmev iops) $(m qd32-randread-j$j null_blk iops) $(m qd32-randread-j$j brd iops)" >>"$OUT/.iops"
done
GP="set terminal pngcairo size 800,500 font 'sans,10'; set grid; set key top left"
[ -n "$(m qd32-randread-j1 nvmev iops)" ] && gnuplot -e "$GP; set output '$OUT/iops_vs_jobs.png'; set title '4 KiB random read, QD32 per job (TCG guest)';
	set xlabel 'fio jobs'; set ylabel 'IOPS'; set xtics (1, 2, 4); set yrange [0:*];
	plot '$OUT/.iops' u 1:2 w lp lw 2 pt 7 t 'nvmev', '' u 1:3 w lp lw 2 pt 5 t 'null\_blk (memory\_backed)', '' u 1:4 w lp lw 2 pt 9 t 'brd'" 2>&1 | grep -v '^$'
if [ -s "$OUT/.sweep" ]; then
	gnuplot -e "$GP; set output '$OUT/latency_vs_configured.png'; set title '4 KiB random read QD1: measured against configured latency';
		set xlabel 'configured read latency (us)'; set ylabel 'measured latency (us)'; set yrange [0:*];
		plot '$OUT/.sweep' u 1:5 w l lw 1 dt 2 lc rgb 'black' t 'ideal: floor + L', '' u 1:2 w lp lw 2 pt 7 t 'nvmev mean', '' u 1:3 w lp lw 2 pt 6 t 'nvmev p99', '' u 1:4 w lp lw 2 pt 5 t 'null\_blk irqmode=2 mean'" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.caps" ]; then
	gnuplot -e "$GP; set output '$OUT/bandwidth_caps.png'; set title 'nvmev bandwidth caps, 1 MiB sequential QD16';
		set xlabel 'configured MB/s'; set ylabel 'measured MB/s'; set logscale xy;
		plot '$OUT/.caps' u 1:1 w l dt 2 lc rgb 'black' t 'configured', '' u 1:2 w lp lw 2 pt 7 t 'read', '' u 1:3 w lp lw 2 pt 5 t 'write'" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.late" ]; then
	set -- $LT
	gnuplot -e "$GP; set output '$OUT/lateness.png'; set title 'nvmev lateness: completion posted minus target time';
		set xlabel 'lateness bucket lower bound (ns)'; set ylabel '% of completions'; set logscale x 2; set format x '2^{%L}';
		set key top right; set yrange [0:*];
		plot for [i=2:$(($# + 1))] '$OUT/.late' u (\$1 > 0 ? \$1 : 0.5):i w lp lw 2 t word('$LT', i - 1)" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.cbw" ]; then
	gnuplot -e "$GP; set output '$OUT/conv_bandwidth.png'; set title 'type=conv: 4 KiB random writes on a new drive (1 die, 7 % spare)';
		set xlabel 'time (s)'; set ylabel 'MB/s'; set y2label 'free lines'; set y2tics; set ytics nomirror; set yrange [0:*]; set y2range [0:*]; set key top right;
		plot '$OUT/.cbw' u 1:2 w l lw 2 t 'host write bandwidth', '$OUT/.cfree' u 1:2 axes x1y2 w l lw 2 dt 2 t 'free lines'" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.crd" ]; then
	gnuplot -e "$GP; set output '$OUT/conv_read_latency.png'; set title 'type=conv: 4 KiB random read latency at QD1';
		set style data histogram; set style histogram cluster gap 1; set style fill solid 0.8 border -1; set boxwidth 0.9;
		set ylabel 'latency (us)'; set logscale y; set key top left;
		plot '$OUT/.crd' u 2:xtic(1) t 'p50', '' u 3 t 'p90', '' u 4 t 'p99', '' u 5 t 'p99.9'" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.ccl" ]; then
	gnuplot -e "$GP; set output '$OUT/conv_cliff.png'; set title 'type=conv: the write-buffer cliff, 128 KiB sequential writes at QD1';
		set xlabel 'MiB written'; set ylabel 'latency (ms)'; set yrange [0:*]; set arrow from $((${wbk:-0} / 1024)), graph 0 to $((${wbk:-0} / 1024)), graph 1 nohead dt 2;
		plot '$OUT/.ccl' u 1:2 w p pt 7 ps 0.4 lc rgb '#a0a0ff' t 'each write (dashed: the buffer size)', '$OUT/.cclm' u 1:2 w l lw 2 lc rgb 'black' t 'mean of each MiB'" 2>&1 | grep -v '^$'
fi
if [ -s "$OUT/.zap" ]; then
	gnuplot -e "$GP; set output '$OUT/zns_append.png'; set title 'type=zns: Zone Append to one zone against writes at the write pointer';
		set xlabel 'appends in flight (threads)'; set ylabel 'MB/s'; set xtics (1, 2, 4, 8); set yrange [0:*];
		plot '< grep ^4096 $OUT/.zap' u 2:3 w lp lw 2 pt 7 t 'append 4 KiB', '' u 2:4 w l dt 2 lw 2 t 'write 4 KiB (QD1)',
		     '< grep ^65536 $OUT/.zap' u 2:3 w lp lw 2 pt 5 t 'append 64 KiB', '' u 2:4 w l dt 2 lw 2 t 'write 64 KiB (QD1)'" 2>&1 | grep -v '^$'
fi
rm -f "$OUT"/.iops "$OUT"/.sweep "$OUT"/.caps "$OUT"/.late "$OUT"/.targets "$OUT"/.cbw "$OUT"/.cfree "$OUT"/.crd "$OUT"/.ccl "$OUT"/.cclm "$OUT"/.zap
exit 0
