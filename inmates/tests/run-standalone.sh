#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the inmate demos on QEMU without the hypervisor, to prove the
# inmate library on its own: real-mode entry, long mode, console, IDT,
# x2APIC and xAPIC timer paths, command line, comm-region protocol.
#
# A 64 KiB reset shim serves as the BIOS: its reset vector jumps to
# 0000:0000, where QEMU's loader device has put the demo, so the demo
# starts exactly as under brig (real mode at 0, reset state). The
# command line goes to 0x1000 and, for some cases, a hand-made comm region
# to 0x100000. The demo's console is COM2 (the fallback without a comm
# region, and what the fake comm region names), captured to com2.log.
#
# The machine running this is shared with other emulators: each QEMU run
# is short, and before each one we wait (up to $INMATE_TEST_WAIT seconds)
# until no other qemu-system or bochs process runs.
#
# Usage: tests/run-standalone.sh [case...]    (default: every case)
set -u
cd "$(dirname "$0")/.."

CC=${CC:-gcc}
QEMU=${QEMU:-qemu-system-x86_64}
WAIT_MAX=${INMATE_TEST_WAIT:-900}
OUT=tests/out
SHIM=tests/reset-shim.bin
failures=0

die() {
	echo "run-standalone: $*" >&2
	exit 1
}

build_shim() {
	$CC -c tests/reset-shim.S -o tests/reset-shim.o &&
		objcopy -O binary -j .text tests/reset-shim.o $SHIM ||
		die "cannot build the reset shim"
	[ "$(stat -c %s $SHIM)" = 65536 ] || die "reset shim is not 64 KiB"
}

wait_for_idle_machine() {
	local waited=0

	while pgrep -f 'qemu-system|bochs' >/dev/null; do
		if [ $waited -ge "$WAIT_MAX" ]; then
			echo "  (other emulators still running after ${waited}s, going ahead)"
			return
		fi
		[ $waited = 0 ] && echo "  (waiting for other emulators to finish)"
		sleep 2
		waited=$((waited + 2))
	done
}

# Little-endian bytes as printf escapes: le BYTES VALUE
le() {
	local n=$1 v=$2 i s=""

	for ((i = 0; i < n; i++)); do
		s+=$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))
	done
	printf '%s' "$s"
}

# struct brig_comm_region (include/brig/comm.h) with a shutdown request
# already pending, as the hypervisor would leave it.
make_comm_region() {
	{
		printf 'BRIGCOMM'
		printf "$(le 2 1)$(le 2 0)"           # revision, reserved0
		printf "$(le 4 1)$(le 4 0)$(le 4 0)"  # msg: SHUTDOWN_REQUEST, reply, state
		printf "$(le 4 1)$(le 4 7)"           # num_cpus, cell_id
		printf "$(le 8 2500000)$(le 8 1000000)" # tsc_khz, apic_khz
		printf "$(le 8 0)$(le 2 0)$(le 6 0)"  # mmconfig, pm_timer_port, reserved1
		printf "$(le 8 0x2f8)$(le 4 2)$(le 4 1)" # console: COM2, 8250, divider 1
		printf "$(le 8 0)$(le 8 0)$(le 8 0)$(le 8 0)"
		printf "$(le 8 0)$(le 8 0)$(le 8 0)$(le 8 0)"
	} >"$1"
	[ "$(stat -c %s "$1")" = 144 ] || die "fake comm region is not 144 bytes"
}

# run NAME DEMO SECONDS CPU CMDLINE [comm] [-- extra QEMU arguments]
run() {
	local name=$1 demo_name=$2 secs=$3 cpu=$4 cmdline=$5 comm=${6:-}
	local demo=demos/$2.bin extra=()
	local dir=$OUT/$name
	local args=()

	shift 5
	[ $# -gt 0 ] && [ "$1" != -- ] && shift
	[ $# -gt 0 ] && [ "$1" = -- ] && shift && extra=("$@")

	rm -rf "$dir" && mkdir -p "$dir"
	# The image minus its cmdline page, so that the loaders do not overlap.
	head -c 4096 "$demo" >"$dir/image-low.bin"
	tail -c +8193 "$demo" >"$dir/image-high.bin"
	args+=(-device "loader,file=$dir/image-low.bin,addr=0x0")
	args+=(-device "loader,file=$dir/image-high.bin,addr=0x2000")
	if [ -n "$cmdline" ]; then
		printf '%s\0' "$cmdline" >"$dir/cmdline.bin"
		args+=(-device "loader,file=$dir/cmdline.bin,addr=0x1000")
	fi
	if [ -n "$comm" ]; then
		make_comm_region "$dir/comm.bin"
		args+=(-device "loader,file=$dir/comm.bin,addr=0x100000")
	fi

	echo "== $name: $demo_name on -cpu $cpu, ${secs}s, cmdline \"$cmdline\""
	wait_for_idle_machine
	timeout "$secs" $QEMU -M q35 -cpu "$cpu" -m 64M -nodefaults \
		-display none -bios $SHIM "${args[@]}" "${extra[@]}" \
		-serial "file:$dir/com1.log" -serial "file:$dir/com2.log" \
		-monitor none -no-reboot 2>"$dir/qemu.err"
	# 124: stopped by timeout, the normal end of a run
	local rc=$?
	if [ $rc != 124 ]; then
		echo "  (QEMU ended by itself with status $rc before ${secs}s)"
		sed 's/^/    qemu: /' "$dir/qemu.err"
	fi
	LOG=$dir/com2.log
	sed 's/^/    /' "$LOG" | tr -d '\r'
}

pass() { echo "  ok: $*"; }
fail() {
	echo "  FAIL: $*"
	failures=$((failures + 1))
}

expect() { # PATTERN DESCRIPTION
	if tr -d '\r' <"$LOG" | grep -Eq -- "$1"; then
		pass "$2"
	else
		fail "$2 (no line matching '$1' in $LOG)"
	fi
}

# At least two summary lines of PREFIX whose tick counts rise.
expect_rising_ticks() {
	local prefix=$1 ticks prev=-1 n=0 t

	ticks=$(tr -d '\r' <"$LOG" | sed -n "s/^$prefix: ticks=\([0-9]*\) .*/\1/p")
	for t in $ticks; do
		if [ "$t" -le "$prev" ]; then
			fail "$prefix tick count fell from $prev to $t"
			return
		fi
		prev=$t
		n=$((n + 1))
	done
	if [ $n -ge 2 ] && [ "$prev" -gt 0 ]; then
		pass "$prefix printed $n summaries, ticks rising to $prev"
	else
		fail "$prefix printed $n summaries (ticks: ${ticks:-none}), want 2 rising"
	fi
}

case_hello() {
	run hello hello 3 max "greeting=standalone answer=42"
	expect 'Hello from a brig inmate' "greeting"
	expect '^hello: cmdline: "greeting=standalone answer=42"$' "cmdline echo"
	expect 'no comm region, using fallbacks' "fallback without comm region"
	expect 'in x2APIC mode' "x2APIC chosen when CPUID offers it"
	expect 'tsc [1-9][0-9]* kHz \((PM timer|PIT)\)' "TSC calibrated"
}

case_hello_xapic() {
	run hello-xapic hello 3 max,-x2apic ""
	expect 'in xAPIC mode' "xAPIC chosen without x2APIC"
	expect '^hello: cmdline: ""$' "absent cmdline reads as empty"
}

case_hello_comm() {
	run hello-comm hello 3 max "" comm
	expect 'comm region rev 1: cell 7, cpus=1 tsc_khz=2500000 apic_khz=1000000 pm_timer_port=0x0' \
		"comm region facts"
	expect 'tsc 2500000 kHz \(comm region\), apic timer 1000000 kHz' \
		"frequencies taken from the comm region"
	expect '^comm: shutdown request approved' "pending shutdown request approved"
}

case_hello_deny() {
	run hello-deny hello 3 max "deny-shutdown=1" comm
	expect '^comm: shutdown request denied' "shutdown denied with deny-shutdown=1"
}

case_hello_crash() {
	run hello-crash hello 3 max "crash=pf"
	expect 'FATAL: exception 14 \(#PF page fault\) at rip=0x[0-9a-f]+ error=0x' \
		"page fault reported"
	expect 'cr2=0x100000000' "fault address beyond the 4 GiB map"
}

case_latency() {
	run latency latency 6 max ""
	expect 'latency: period 1000 us, .* timer, x2APIC' "x2APIC timer set-up"
	expect_rising_ticks latency
	expect '^latency: hist\(ns\) <250:' "histogram"
}

case_latency_xapic() {
	run latency-xapic latency 6 max,-x2apic "period-us=500 mode=periodic"
	expect 'latency: period 500 us, periodic timer, xAPIC' "xAPIC periodic set-up"
	expect_rising_ticks latency
}

# The first due time passes before the timer is armed (a stall of 5 ms
# against a 1 ms period): the inmate must arm it anyway and tick.
case_latency_late() {
	run latency-late latency 6 max "start-late-us=5000"
	expect 'latency: period 1000 us, .* timer, x2APIC' "x2APIC timer set-up"
	expect_rising_ticks latency
}

case_control() {
	run control control 6 max "mode=oneshot"
	expect 'control: period 1000 us, one-shot timer, x2APIC.*CPUID on every tick' \
		"control set-up"
	expect_rising_ticks control
}

# QEMU's edu device: no firmware has placed its BAR, so the demo does; the
# DMA mask is widened as it would be for the isolation tests. Without an
# IOMMU, cell addresses are host addresses here.
case_edu() {
	run edu edu 6 max "loops=2" "" -- -device edu,dma_mask=0xffffffffffff
	expect '^edu: found at 00:[0-9a-f]{2}\.0 .*BAR0 0x[0-9a-f]+ size 0x100000$' \
		"edu found, BAR0 sized 1 MiB"
	expect '^edu: id 0x010000ed, liveness 0x12345678 -> 0xedcba987: alive$' \
		"edu registers answer"
	expect '^edu: dma ok, 4096 bytes, [1-9][0-9]* MSIs, 2 loops$' \
		"DMA round trips checked, completion MSIs taken"
}

case_edu_xapic() {
	run edu-xapic edu 5 max,-x2apic "" "" -- -device edu,dma_mask=0xffffffffffff
	expect '^edu: dma ok, 4096 bytes, 2 MSIs$' "DMA and both MSIs in xAPIC mode"
}

# MSIs aimed at an APIC id nobody has arrive nowhere; dma-to aims the
# device buffer elsewhere (here at RAM past the image) and reports.
case_edu_options() {
	run edu-options edu 5 max "msi-dest=5 dma-to=0x200000" "" -- -device edu,dma_mask=0xffffffffffff
	expect '^edu: MSI vector 0x40 to APIC id 5 \(this CPU: 0\)$' "MSI aimed at APIC id 5"
	expect '^edu: dma-to 0x200000: completion came, cmd 0x[0-9a-f]+, 0 MSI\(s\) for it, 0 MSIs in all$' \
		"dma-to completes by polling, no MSI here"
}

# Three CPUs: the boot CPU starts the others with INIT/SIPI (the reset
# shim leaves them waiting for it, as firmware would), then IPIs of every
# kind go round, and the last CPU is stopped with INIT and started again.
case_smp() {
	run smp smp 8 max "cpus=3 rounds=20" "" -- -smp 3
	expect '^smp: boot CPU \(APIC id 0\), x2APIC, starting 2 more' "boot CPU"
	expect '^smp: CPU 1 \(APIC id [12]\) up, work done' "CPU 1 reports"
	expect '^smp: CPU 2 \(APIC id [12]\) up, work done' "CPU 2 reports"
	expect '^smp: CPU 2 \(APIC id [12]\) up again' "CPU 2 restarted"
	expect '^smp: all 3 CPUs report, every IPI arrived \(20 per kind and CPU, x2APIC, NMIs delivered\), restart done' \
		"every IPI arrived"
}

case_smp_xapic() {
	run smp-xapic smp 8 max,-x2apic "cpus=3 rounds=20" "" -- -smp 3
	expect '^smp: boot CPU \(APIC id 0\), xAPIC, starting 2 more' "boot CPU in xAPIC mode"
	expect '^smp: all 3 CPUs report, every IPI arrived \(20 per kind and CPU, xAPIC, NMIs delivered\), restart done' \
		"every IPI arrived in xAPIC mode"
}

ALL_CASES="hello hello_xapic hello_comm hello_deny hello_crash latency latency_xapic latency_late control edu edu_xapic edu_options smp smp_xapic"

command -v $QEMU >/dev/null || die "$QEMU not found"
for f in demos/hello.bin demos/latency.bin demos/control.bin demos/edu.bin demos/smp.bin; do
	[ -f $f ] || die "$f missing: run make first"
done
build_shim
for c in ${*:-$ALL_CASES}; do
	case_${c//-/_}
done
if [ $failures = 0 ]; then
	echo "standalone: all checks passed"
else
	echo "standalone: $failures check(s) failed"
fi
[ $failures = 0 ]
