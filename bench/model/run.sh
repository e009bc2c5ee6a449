#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# bench/model/run.sh BIN OUT.md: commands per second on one core (median of
# MODEL_REPS=3 runs of MODEL_SECS=2 s) and instructions per command
# (valgrind --tool=callgrind, MODEL_CG_CMDS=20000 commands after 20000 of
# warm-up), 4 KiB reads and writes at QD1 and QD128, on one device and on
# four driven by the same thread (-d 4, QD per device, counts over all four);
# then key-value Store and Retrieve by value size (-k), and the NAND types
# (-T conv: writes with GC in its steady state; -T zns: writes, appends, resets).
set -uo pipefail
BIN=$1 OUT=$2
REPS=${MODEL_REPS:-3} SECS=${MODEL_SECS:-2} CGN=${MODEL_CG_CMDS:-20000}
"$(dirname "$0")/../../tests/lib/ensure-pkgs" valgrind >/dev/null 2>&1 || true
mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate() { # RW QD MiB DEVICES -> median commands/s
	for _ in $(seq "$REPS"); do
		"$BIN" -t "$SECS" -w "$1" -q "$2" -S "$3" -d "$4" | grep -o 'cmds_per_sec=[0-9]*' | cut -d= -f2
	done | median
}
ir() { # RW QD DEVICES FUNCS... -> instructions per command inside FUNCS
	local rw=$1 qd=$2 devs=$3 f args=()
	shift 3
	for f in "$@"; do args+=(--toggle-collect="$f"); done
	valgrind --tool=callgrind "${args[@]}" --callgrind-out-file="$tmp/cg.$rw.$qd.$devs.$1" \
		"$BIN" -c -n "$CGN" -w "$rw" -q "$qd" -d "$devs" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo NaN; return; }
	awk -v n=$((CGN + 20000)) '/Collected :/ { printf "%.0f\n", $NF / n }' "$tmp/err"
}
kvir() { # OP BYTES -> instructions per KV command in the model: the difference
	# between runs of CGN and 2 CGN commands, so the fill and the warm-up cancel out
	local n c=()
	for n in "$CGN" $((2 * CGN)); do
		valgrind --tool=callgrind --toggle-collect=nvmev_ctrl_poll --toggle-collect=nvmev_worker_poll \
			--callgrind-out-file="$tmp/cg.kv" "$BIN" -k -c -n "$n" -w "$1" -V "$2" \
			>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo NaN; return; }
		c+=("$(awk '/Collected :/ { print $NF }' "$tmp/err")")
	done
	awk -v a="${c[0]}" -v b="${c[1]}" -v n="$CGN" 'BEGIN { printf "%.0f\n", (b - a) / n }'
}
tir() { # TYPE OP QD -> instructions per command in the model: the difference
	# between runs of CGN and 2 CGN commands (the preconditioning cancels out)
	local n c=()
	for n in "$CGN" $((2 * CGN)); do
		valgrind --tool=callgrind --toggle-collect=nvmev_ctrl_poll --toggle-collect=nvmev_worker_poll \
			--callgrind-out-file="$tmp/cg.t" "$BIN" -T "$1" -c -n "$n" -w "$2" -q "$3" \
			>"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; echo NaN; return; }
		c+=("$(awk '/Collected :/ { print $NF }' "$tmp/err")")
	done
	awk -v a="${c[0]}" -v b="${c[1]}" -v n="$CGN" 'BEGIN { printf "%.0f\n", (b - a) / n }'
}
trate() { # TYPE OP QD -> "median commands/s, last run's measured WAF"
	local r w
	for _ in $(seq "$REPS"); do
		"$BIN" -T "$1" -t "$SECS" -w "$2" -q "$3" >"$tmp/tout" || { echo "NaN -"; return; }
		grep -o 'cmds_per_sec=[0-9]*' "$tmp/tout" | cut -d= -f2
	done | median >"$tmp/trate"
	r=$(cat "$tmp/trate")
	w=$(grep -o 'waf_measured=[0-9.]*' "$tmp/tout" | cut -d= -f2)
	echo "$r ${w:--}"
}
kvrate() { # OP BYTES QD -> median commands/s and ns per command
	for _ in $(seq "$REPS"); do
		"$BIN" -k -t "$SECS" -w "$1" -V "$2" -q "$3" | grep -o 'cmds_per_sec=[0-9]*' | cut -d= -f2
	done | median
}

{
echo "## Device model in user space (bench/model)"
echo
echo "\`make -C bench/model run\`: src/model/*.c built with -O2, one thread playing host, dispatcher"
echo "(\`nvmev_ctrl_poll\`) and worker (\`nvmev_worker_poll\`) in turn; zero latency, unlimited bandwidth,"
echo "4 KiB commands on random LBAs, one I/O queue pair of 1024 entries per device. \"4 devices\": four"
echo "controllers, each with its worker and its own namespace (four of 4 MiB are 16 MiB of data), that"
echo "the same thread goes round in every pass (\`-d 4\`), QD commands outstanding on each; commands/s"
echo "and instructions per command count the commands of all four. Host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"
echo "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) when it ran; $(${CC:-cc} --version | head -1)."
echo
echo "| command | QD | cmds/s, 256 MiB namespace (cache-cold data) | cmds/s, 4 MiB namespace (cache-hot) | instructions/cmd (all) | of which in the model |"
echo "|---|---|---|---|---|---|"
for devs in 1 4; do
	label=
	[ "$devs" = 1 ] || label=", $devs devices"
	for rw in read write; do
		for qd in 1 128; do
			cold=$(rate $rw $qd 256 $devs) hot=$(rate $rw $qd 4 $devs)
			all=$(ir $rw $qd $devs bench_loop)
			mod=$(ir $rw $qd $devs nvmev_ctrl_poll nvmev_worker_poll)
			printf '| %s | %s | %.0f | %.0f | %s | %s |\n' "$rw$label" $qd "$cold" "$hot" "$all" "$mod"
		done
	done
done
echo
echo "\"all\" counts everything in the loop (the synthetic host writing SQEs and reaping CQEs too);"
echo "\"in the model\" only what runs under \`nvmev_ctrl_poll\` and \`nvmev_worker_poll\`, including the 4 KiB"
echo "memcpy (about 410 instructions with glibc's AVX copy) and \`clock_gettime\` (vDSO)."
echo "Instruction counts are exact and machine-independent (a regression check); commands/s depend"
echo "on the machine and its load."
echo
echo "### Key-value namespace (-k)"
echo
echo "Store and Retrieve on a 256 MiB \`kv\` namespace, 8-byte keys drawn at random from as many as"
echo "fill half of it (at most 65536), every key stored before the measurement, zero latency:"
echo "the cost of the hash lookup, the value allocator, the AVL tree (for new keys) and the copy."
echo
echo "| command | value bytes | QD | cmds/s | ns/cmd | instructions/cmd in the model |"
echo "|---|---|---|---|---|---|"
for op in store retrieve; do
	for v in 64 4096 65536; do
		r=$(kvrate $op $v 1)
		mod=$(kvir $op $v)
		printf '| %s | %s | 1 | %.0f | %.0f | %s |\n' "$op" "$v" "$r" "$(awk -v r="$r" 'BEGIN { print 1e9 / r }')" "$mod"
	done
done
echo
echo "### NAND types (-T conv, -T zns)"
echo
echo "A 256 MiB namespace of each type with its default tunables (\`conv\`: the \`datacenter-tlc\`"
echo "preset, 7 % spare; \`zns\`: 64 MiB zones, 14 open and active), 4 KiB commands. The clock"
echo "runs fast (1 ms per reading) so that the modelled NAND never holds the host back: the"
echo "figures are the model's own cost. \`conv\`: the namespace is written in order, then at random"
echo "twice over before the measurement, so every write pays its share of the GC it causes (the"
echo "WAF column: NAND pages programmed per host page during the measurement; GC's reads, moves,"
echo "programs and erases are all in the instruction count). \`zns\`: writes at each zone's write"
echo "pointer in turn, appends at the zone's start, and a Zone Reset ahead of a zone's reuse;"
echo "\"reset\" alternates a 4 KiB write at an empty zone's start with the zone's reset, and counts both."
echo
echo "| type | command | QD | cmds/s | instructions/cmd in the model | WAF |"
echo "|---|---|---|---|---|---|"
for spec in "conv write 1" "conv write 128" "conv read 1" "conv read 128" \
	"zns write 1" "zns write 128" "zns append 1" "zns append 128" "zns reset 1" "zns read 128"; do
	set -- $spec
	read -r r w <<<"$(trate "$1" "$2" "$3")"
	printf '| %s | %s | %s | %.0f | %s | %s |\n' "$1" "$2" "$3" "$r" "$(tir "$1" "$2" "$3")" "$w"
done
echo
echo "Where the instructions go, 4 KiB read at QD1 (callgrind, self cost per command):"
echo
echo '```'
callgrind_annotate "$tmp/cg.read.1.1.bench_loop" 2>/dev/null | awk '/file:function/ { on = 1; next } on && NF && !/PROGRAM TOTALS/ && !/^-+$/' |
	head -14 | awk -v n=$((CGN + 20000)) '{ g = $1; gsub(",", "", g); l = $0; sub(/^[^)]*\) +/, "", l); sub(/ \[.*\]$/, "", l); sub(/.*\//, "", l); printf "%7.1f  %s\n", g / n, l }'
echo '```'
} | tee "$OUT"
