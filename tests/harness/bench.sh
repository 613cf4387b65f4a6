#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the latency and cost figures of brig on an emulated board,
# measured side by side in one invocation (docs/benchmarking.md):
#
#   1. bare metal: the latency inmate alone on the board, no Linux, no brig,
#      under QEMU's -icount with the same -smp as the boots below;
#   2. the icount boot (tests/scenarios/bench.sh, brigtest.bench=icount):
#      the same inmate in a cell with the root idle, the cell's start by
#      phase, the hypervisor's pool;
#   3. the load boot (brigtest.bench=load, no -icount): cyclictest natively
#      and with brig, hackbench and stress-ng timed natively and with brig
#      with the root's exits by reason, the cell with the root idle and
#      under each load, ivshmem ping-pong root <-> cell and cell <-> cell;
#   4. two footprint boots (2 and 4 CPUs, the board's plain system
#      description): the pool after enable, a CPU's share by difference;
#
# then tests/harness/bench-report.py writes build/bench/report.md,
# report.json and the SVG charts (gnuplot).
#
# Usage: bench.sh [--board qemu-vtd|qemu-amdvi] [--kernel 6.1|6.12]
#                 [--secs S] [--shift N] [--out DIR] [--no-build]
#   --secs   length of each measurement (default 10)
#   --shift  -icount shift: 2^N emulated ns per instruction (default 3)
set -eu
. "$(dirname "$0")/common.sh"

board=qemu-vtd
kernel=6.12
secs=10
shift_=3
out=$BRIG_ROOT/build/bench
build=()
cpus=4

usage() {
	sed -n '20,23s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--shift) shift_=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--no-build) build=(--no-build); shift ;;
	-h|--help) usage ;;
	*) die "unknown argument $1" ;;
	esac
done
case $board in
qemu-vtd) append=no5lvl ;;
qemu-amdvi) append= ;;
*) die "make bench runs on qemu-vtd or qemu-amdvi (-icount is QEMU's), not '$board'" ;;
esac
[ "$secs" -gt 0 ] 2>/dev/null || die "--secs wants a positive number, not '$secs'"
[ "$shift_" -ge 0 ] 2>/dev/null && [ "$shift_" -le 10 ] ||
	die "--shift wants 0..10, not '$shift_'"
command -v gnuplot >/dev/null ||
	die "gnuplot is not installed: make deps (scripts/setup-deps.sh) installs gnuplot-nox"

start=$SECONDS
mkdir -p "$out"
rm -f "$out"/*.svg "$out"/report.*
bare=$LOG_ROOT/bench-bare
rm -rf "$bare"
mkdir -p "$bare"

# 1. The latency inmate on the bare board: the reset shim of the inmate
# tests jumps to it in real mode at 0, as brig starts a cell; its command
# line at 0x1000. It reports its cumulative histogram on COM2 every second
# of emulated time; the run ends once a report covers secs seconds.
bare_metal() {
	local img=$BRIG_ROOT/inmates/demos/latency.bin
	local shim=$BRIG_ROOT/inmates/tests/reset-shim.bin
	local want=$((secs * 1000)) t=0
	[ -f "$shim" ] || make -s -C "$BRIG_ROOT/inmates" tests/reset-shim.bin ||
		die "cannot build the reset shim"
	head -c 4096 "$img" >"$bare/image-low.bin"
	tail -c +8193 "$img" >"$bare/image-high.bin"
	# apic-khz: QEMU's APIC timer rate; under -icount QEMU aborts on the
	# x2APIC current-count read the inmate would calibrate with.
	printf 'period-us=1000 report-ms=1000 report-buckets=1 apic-khz=1000000\0' \
		>"$bare/cmdline.bin"
	echo "== bench: the latency inmate bare on $board's machine, -smp $cpus -icount shift=$shift_"
	qemu-system-x86_64 -M q35 -cpu max -smp "$cpus" -m 64M -nodefaults \
		-display none -monitor none -no-reboot -icount "shift=$shift_" \
		-bios "$shim" \
		-device "loader,file=$bare/image-low.bin,addr=0x0" \
		-device "loader,file=$bare/image-high.bin,addr=0x2000" \
		-device "loader,file=$bare/cmdline.bin,addr=0x1000" \
		-serial "file:$bare/com1.log" -serial "file:$bare/com2.log" \
		2>"$bare/qemu.err" &
	local pid=$!
	while kill -0 $pid 2>/dev/null && [ $t -lt 600 ]; do
		sleep 2
		t=$((t + 2))
		local n
		n=$(sed -n 's/^latency: ticks=\([0-9]*\).*/\1/p' "$bare/com2.log" |
			tail -n 1)
		[ "${n:-0}" -ge $want ] && break
	done
	kill $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	grep -q '^latency: hist(ns)' "$bare/com2.log" || {
		tail -n 20 "$bare/com2.log" "$bare/qemu.err"
		die "the bare-metal inmate printed no histogram"
	}
}

# boot PHASE [QEMU ARGS [KERNEL ARGS [CPUS]]]: one run of the guest's
# bench scenario.
boot() {
	"$BRIG_ROOT/tests/harness/run.sh" "${build[@]}" --board "$board" \
		--kernel "$kernel" --cpus "${4:-$cpus}" --timeout 1800 \
		--name "bench-$1" \
		--append "$append brigtest.bench=$1 brigtest.bench_secs=$secs ${3:-}" \
		--qemu-args "$scenario_qemu_args ${2:-}" bench
}

# What the scenario's board needs of QEMU (the root ports its ivshmem
# functions sit behind on VT-d).
scenario_qemu_args=$(sed -n 's/^# qemu-args: *//p' "$BRIG_ROOT/tests/scenarios/bench.sh")

rc=0
bare_metal
# noapictimer: Linux would calibrate its APIC timer by reading the x2APIC
# current count, on which QEMU aborts under -icount; the root keeps time
# with the HPET instead (its CPUs idle in HLT, as the comparison wants).
boot icount "-icount shift=$shift_" "noapictimer brigtest.bench_apic_khz=1000000" || rc=1
build=(--no-build)
boot load || rc=1
boot footprint2 "" "" 2 || rc=1
boot footprint4 "" "" 4 || rc=1
python3 "$BRIG_ROOT/tests/harness/bench-report.py" --logs "$LOG_ROOT" \
	--out "$out" --shift "$shift_" --board "$board" --kernel "$kernel" \
	--root "$BRIG_ROOT" || rc=1
echo "bench: $((SECONDS - start)) s of wall time; report in $out/report.md"
exit $rc
