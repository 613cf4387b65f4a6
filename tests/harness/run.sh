#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a stock Debian kernel on an emulated board with the test initramfs,
# run scenario scripts as its /init, and decide the verdict from the markers
# that tests/scenarios/lib.sh writes to the kernel log (see there).
#
# Usage: run.sh --board qemu-vtd|qemu-amdvi|bochs --kernel 6.1|6.12|ABI
#               [--cpus N] [--append "kernel args"] [--timeout S] [--name NAME]
#               [--qemu-args "extra QEMU options"] [--gdb] [--no-build]
#               SCENARIO...
#
# Every run gets build/test-logs/<NAME>/ holding com1.log..com4.log (the four
# UARTs: root console, then cell consoles), hv.log (port 0xE9, the hypervisor
# console), the emulator's own output, the initramfs, and summary (one line
# "passed=N failed=M"). Exit status 0 only if the guest reported DONE with
# failed=0 and at least one PASS.
set -eu
. "$(dirname "$0")/common.sh"

board=
kernel=
cpus=2
append=
timeout=
name=
qemu_extra=
gdb=0
build=1
# Emulated instructions per emulated second on Bochs (see board_setup).
BOCHS_IPS=50000000

usage() {
	sed -n '8,12s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--board) board=$2; shift 2 ;;
		--kernel) kernel=$2; shift 2 ;;
		--cpus) cpus=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--name) name=$2; shift 2 ;;
		--qemu-args) qemu_extra=$2; shift 2 ;;
		--gdb) gdb=1; shift ;;
		--no-build) build=0; shift ;;
		-h|--help) usage ;;
		--) shift; break ;;
		-*) die "unknown option $1" ;;
		*) break ;;
		esac
	done
	[ -n "$board" ] && [ -n "$kernel" ] && [ $# -gt 0 ] || usage
	scenarios=("$@")
}

# board_setup: everything that differs between boards, in one place.
#   guest_board   brigtest.board= for the guest (selects /etc/brig files)
#   board_cmdline kernel arguments the board needs
#   def_timeout   seconds before a hung run is stopped
#   grace         seconds the emulator gets to power off after DONE
# All boards: root console on ttyS0; a 96 MiB hole at 0x3a000000 that Linux
# leaves alone for the hypervisor and the inmates' cells, and 160 MiB below
# it for a Linux cell (QEMU's descriptions give it to cells; Bochs's do
# not); user writes to /dev/kmsg not rate-limited (they carry the markers);
# a panic reboots, which ends the run at once.
board_setup() {
	local common='console=ttyS0,115200 memmap=96M$0x3a000000 memmap=160M$0x30000000 printk.devkmsg=on panic=-1'
	case $board in
	qemu-vtd)
		guest_board=qemu-x86
		board_cmdline="$common intel_iommu=off brigtest.iommu=intel-iommu"
		def_timeout=180 grace=10 ;;
	qemu-amdvi)
		# No IO-APIC interrupt arrives on this board (docs/testing.md):
		# user-space output to ttyS0 would block, so it goes to kmsg.
		guest_board=qemu-x86
		board_cmdline="$common amd_iommu=off brigtest.iommu=amd-iommu brigtest.ttyout=kmsg"
		def_timeout=180 grace=10 ;;
	bochs)
		guest_board=bochs-x86
		# Bochs's TSC ticks once per instruction, BOCHS_IPS times per
		# emulated second (the PIT, PM timer and HPET run on the same
		# clock), but CPUID leaf 0x16 of the Skylake-X model claims
		# 3.5 GHz and Linux believes it: a guest second then costs
		# 3.5e9 emulated instructions, about 2 minutes of wall time.
		# Telling Linux the true rate makes its clock (and the cells'
		# tsc_khz) agree with the board's timers; Linux's refined
		# calibration against the HPET confirms it. 50 M instructions
		# per second gave the shortest boots (20 M and 200 M were
		# slower). Stop Bochs soon after DONE rather than waiting for
		# the guest's poweroff.
		# idle=halt: Linux's default idle on this CPU model is MWAIT,
		# which Bochs emulates slowly (the 4-CPU hostile run: 1727 s
		# with it, 631 s with HLT and maxcpus=2), and a remote write
		# to the monitored line once failed to wake a CPU that a cell
		# had left in x2APIC mode (no IPI sent, the CPU idle from then
		# on in bochs.log; CPU offlining hung). With HLT, Linux wakes
		# idle CPUs with IPIs, which go through brig's ICR checks.
		board_cmdline="$common brigtest.iommu=none tsc_early_khz=$((BOCHS_IPS / 1000)) idle=halt"
		# Linux booting on 4 CPUs is slower still: boot on 2 of them,
		# init.sh brings the others up before any scenario.
		[ "$cpus" -le 2 ] || board_cmdline="$board_cmdline maxcpus=2"
		def_timeout=900 grace=15 ;;
	*) die "unknown board '$board' (qemu-vtd, qemu-amdvi, bochs)" ;;
	esac
	cmdline="$board_cmdline brigtest.board=$guest_board brigtest.cpus=$cpus $append"
	timeout=${timeout:-$def_timeout}
}

# prepare: kernel, payload and initramfs for this run.
prepare() {
	abi=$(resolve_kernel "$kernel")
	"$BRIG_ROOT/tests/harness/fetch-kernels.sh" "$abi" >/dev/null
	vmlinuz=$(kernel_image "$abi")
	if [ $build = 1 ]; then
		"$BRIG_ROOT/tests/harness/build-payload.sh" "$abi" >/dev/null
	fi
	local series
	series=$(echo "$abi" | cut -d. -f1-2)
	name=${name:-$board-$series-$(IFS=+; echo "${scenarios[*]%.sh}" | tr / _)}
	logdir=$LOG_ROOT/$name
	rm -rf "$logdir"
	mkdir -p "$logdir"
	: >"$logdir/com1.log"; : >"$logdir/com2.log"
	: >"$logdir/com3.log"; : >"$logdir/com4.log"; : >"$logdir/hv.log"
	"$BRIG_ROOT/tests/harness/mkinitramfs.sh" --kernel "$abi" \
		--out "$logdir/initrd.gz" "${scenarios[@]}" >/dev/null
	echo "$cmdline" >"$logdir/cmdline"
}

launch_qemu() {
	local machine
	case $board in
	qemu-vtd) machine=(-M q35,kernel-irqchip=split -device intel-iommu,intremap=on,eim=on) ;;
	qemu-amdvi) machine=(-M q35 -device amd-iommu,intremap=on,pt=off) ;;
	esac
	local dbg=()
	[ $gdb = 1 ] && dbg=(-s -S)
	# shellcheck disable=SC2206 # --qemu-args is split on purpose
	local extra=($qemu_extra)
	emu_cmd=(qemu-system-x86_64 "${machine[@]}" -cpu max -m 1G -smp "$cpus"
		-display none -monitor none -no-reboot
		-serial "file:$logdir/com1.log" -serial "file:$logdir/com2.log"
		-serial "file:$logdir/com3.log" -serial "file:$logdir/com4.log"
		-debugcon "file:$logdir/hv.log"
		-kernel "$vmlinuz" -initrd "$logdir/initrd.gz" -append "$cmdline"
		"${dbg[@]}" "${extra[@]}")
	printf '%q ' "${emu_cmd[@]}" >"$logdir/emulator-cmd"
	"${emu_cmd[@]}" </dev/null >"$logdir/qemu.out" 2>&1 &
	emu_pid=$!
}

# make_iso: isolinux + kernel + initramfs on a CD image for Bochs.
make_iso() {
	local iso=$logdir/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$iso/isolinux/"
	cp "$vmlinuz" "$iso/vmlinuz"
	cp "$logdir/initrd.gz" "$iso/initrd.gz"
	# '|' as the sed separator and '&' escaped: the cmdline holds '$'.
	sed "s|@APPEND@|$(echo "$cmdline" | sed 's/[&|]/\\&/g')|" \
		"$BRIG_ROOT/tests/harness/isolinux.cfg.in" >"$iso/isolinux/isolinux.cfg"
	xorriso -as mkisofs -quiet -o "$logdir/boot.iso" \
		-b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$iso" \
		>"$logdir/xorriso.log" 2>&1 || { cat "$logdir/xorriso.log" >&2; die "xorriso failed"; }
	rm -rf "$iso"
}

launch_bochs() {
	make_iso
	sed -e "s|@CPUS@|$cpus|" -e "s|@IPS@|$BOCHS_IPS|" -e "s|@ISO@|$logdir/boot.iso|" -e "s|@LOGDIR@|$logdir|g" \
		"$BRIG_ROOT/tests/harness/bochsrc.in" >"$logdir/bochsrc"
	# Debian's Bochs has its debugger built in and waits at a prompt:
	# the rc file continues at once. With --gdb, stop at the prompt.
	if [ $gdb = 1 ]; then
		: >"$logdir/bochs.rc"
	else
		echo c >"$logdir/bochs.rc"
	fi
	emu_cmd=(bochs -q -f "$logdir/bochsrc" -rc "$logdir/bochs.rc")
	printf '%q ' "${emu_cmd[@]}" >"$logdir/emulator-cmd"
	if [ $gdb = 1 ]; then
		"${emu_cmd[@]}" 2>"$logdir/bochs.out"
		emu_pid=
		return
	fi
	# Port 0xE9 output goes to Bochs's stdout, mixed with its banner and
	# debugger lines: hv.log is filtered from it when the run ends.
	"${emu_cmd[@]}" </dev/null >"$logdir/bochs.stdout" 2>"$logdir/bochs.out" &
	emu_pid=$!
}

# bochs_hv_log: port 0xE9 output from Bochs's stdout, minus Bochs's own lines.
bochs_hv_log() {
	[ -f "$logdir/bochs.stdout" ] || return 0
	sed -E -e '/^=+$/d' -e '/^ +(Bochs x86 Emulator|Built from SVN|Timestamp:)/d' \
		-e '/^Next at t=/d' -e '/^\([0-9]+\) \[0x[0-9a-f]+\]/d' \
		-e 's/^<bochs:[0-9]+> *//' "$logdir/bochs.stdout" >"$logdir/hv.log"
}

# stop_emulator: TERM, then KILL, the emulator this script started.
stop_emulator() {
	[ -n "${emu_pid:-}" ] || return 0
	kill -0 "$emu_pid" 2>/dev/null || return 0
	kill -TERM "$emu_pid" 2>/dev/null || true
	for _ in 1 2 3 4 5; do
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 1
	done
	kill -KILL "$emu_pid" 2>/dev/null || true
	wait "$emu_pid" 2>/dev/null || true
}

# watch: wait for the emulator to end by itself (QEMU ends on poweroff and,
# with panic=-1 and -no-reboot, on a panic). Stop it when the guest is done
# but the emulator lingers (Bochs may not power off), after a panic, or at
# the timeout. Sets end_reason.
watch() {
	local start=$SECONDS stop_at=
	end_reason=
	while kill -0 "$emu_pid" 2>/dev/null; do
		if [ $((SECONDS - start)) -ge "$timeout" ]; then
			end_reason="timeout after ${timeout}s"
			break
		fi
		if [ -z "$stop_at" ] && grep -qE 'BRIG-TEST: DONE|Kernel panic - not syncing' "$logdir/com1.log"; then
			stop_at=$((SECONDS + grace))
		fi
		if [ -n "$stop_at" ] && [ $SECONDS -ge "$stop_at" ]; then
			end_reason="stopped ${grace}s after the guest finished"
			break
		fi
		sleep 1
	done
	stop_emulator
	trap - EXIT INT TERM
}

# markers: the BRIG-TEST lines of com1.log, kernel timestamps stripped.
markers() {
	sed -n 's/.*BRIG-TEST: //p' "$logdir/com1.log" | tr -d '\r'
}

# tail_logs: the end of every log of this run, for a failure report.
tail_logs() {
	local f
	for f in "$logdir"/*.log "$logdir"/*.out; do
		[ -f "$f" ] || continue
		echo "---- last 40 lines of $f ----"
		tail -n 40 "$f" | tr -d '\r'
	done
}

# expect_checks: host-side checks declared by the scenarios' header lines,
# for what the guest cannot see itself (a cell's own UART, a hypervisor
# console a stuck guest can no longer read):
#   # expect: LOG REGEX     LOG (com2.log, hv.log, ...) of this run must
#                           contain a line matching the extended regex
#   # forbid: LOG REGEX     ... must contain no such line
#   # max-lines: LOG N      ... must hold at most N lines (a flood fails)
# Prints a PASS/FAIL line each; sets expect_pass and expect_fail.
expect_checks() {
	local s f line log re match n
	expect_pass=0 expect_fail=0
	for s in "${scenarios[@]}"; do
		f=$BRIG_ROOT/tests/scenarios/${s%.sh}.sh
		[ -f "$f" ] || f=$s
		[ -f "$f" ] || continue
		while IFS= read -r line; do
			log=${line%% *}
			re=${line#* }
			# The first matching line is shown: it often carries a figure.
			if match=$(grep -Em1 -- "$re" "$logdir/$log" 2>/dev/null); then
				echo "  PASS expect $log: $re"
				echo "       $(echo "$match" | tr -d '\r' | cut -c1-160)"
				expect_pass=$((expect_pass + 1))
			else
				echo "  FAIL expect $log: no line matches '$re'"
				expect_fail=$((expect_fail + 1))
			fi
		done < <(sed -n 's/^# expect: *//p' "$f")
		while IFS= read -r line; do
			log=${line%% *}
			re=${line#* }
			n=$(LC_ALL=C grep -acE -- "$re" "$logdir/$log" 2>/dev/null || true)
			if [ "${n:-0}" = 0 ]; then
				echo "  PASS forbid $log: $re"
				expect_pass=$((expect_pass + 1))
			else
				echo "  FAIL forbid $log: $n lines match '$re', the first:"
				echo "       $(LC_ALL=C grep -aEm1 -- "$re" "$logdir/$log" | tr -d '\r' | cut -c1-160)"
				expect_fail=$((expect_fail + 1))
			fi
		done < <(sed -n 's/^# forbid: *//p' "$f")
		while IFS= read -r line; do
			log=${line%% *}
			re=${line#* }
			n=$(wc -l <"$logdir/$log" 2>/dev/null || echo 0)
			if [ "$n" -le "$re" ]; then
				echo "  PASS max-lines $log: $n of at most $re"
				expect_pass=$((expect_pass + 1))
			else
				echo "  FAIL max-lines $log: $n lines, at most $re allowed; the most repeated:"
				tr -d '\r' <"$logdir/$log" | sort | uniq -c | sort -rn | head -n 3 |
					cut -c1-160 | sed 's/^/       /'
				expect_fail=$((expect_fail + 1))
			fi
		done < <(sed -n 's/^# max-lines: *//p' "$f")
	done
}

# Kernel warnings a board is known to print whatever brig does, as an
# extended regular expression matched against the WARNING line (which
# names the function). Debian's kernel warns in fpu__init_system_xstate
# under Bochs's CPU model, at boot, before brig is loaded.
known_kernel_warnings() {
	case $board in
	bochs) echo 'fpu__init_system_xstate' ;;
	*) echo '^$' ;; # nothing: an empty line is never a warning
	esac
}

# kernel_log_check: the root kernel logged no WARNING, BUG, Oops or RCU
# stall (the test's own output, echoed to the console, aside) but the
# board's known ones. Sets kernel_log_ok.
kernel_log_check() {
	local bad
	bad=$(tr -d '\r' <"$logdir/com1.log" | LC_ALL=C grep -avE 'BRIG-TEST|brig-out:|^(not )?ok |^#' |
		LC_ALL=C grep -aE 'WARNING: CPU:|BUG:|Oops|kernel BUG at|: [0-9a-f]{4} \[#[0-9]+\]|rcu: INFO: .*stall|self-detected stall' |
		grep -vE "$(known_kernel_warnings)" || true)
	kernel_log_ok=1
	if [ -n "$bad" ]; then
		kernel_log_ok=0
		echo "  FAIL kernel log: a warning, bug or stall the board does not explain:"
		echo "$bad" | head -n 5 | sed 's/^/       /'
	else
		echo "  PASS kernel log: no warning, bug or stall (known for $board: $(known_kernel_warnings))"
	fi
}

# files_check: the files the guest exported (t_export) into $logdir/files/,
# each checked whole and parsed (files.py). Sets files_pass, files_fail.
files_check() {
	local out
	files_pass=0 files_fail=0
	grep -q 'BRIG-TEST: FILE-BEGIN' "$logdir/com1.log" 2>/dev/null || return 0
	local frc=0
	out=$(python3 "$BRIG_ROOT/tests/harness/files.py" "$logdir/com1.log" \
		"$logdir/files" 2>&1) || frc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	files_pass=$(printf '%s\n' "$out" | grep -c '^PASS' || true)
	files_fail=$(printf '%s\n' "$out" | grep -c '^FAIL' || true)
	# files.py itself failing (a crash, no python3) fails the run too.
	if [ $frc != 0 ] && [ "$files_fail" = 0 ]; then
		echo "  FAIL files: tests/harness/files.py ended with status $frc"
		files_fail=1
	fi
}

# verdict: print results and decide. Sets rc and writes $logdir/summary.
verdict() {
	local pass fail done_line ok=1
	pass=$(markers | grep -c '^PASS ' || true)
	fail=$(markers | grep -c '^FAIL ' || true)
	done_line=$(markers | grep '^DONE ' | tail -n1 || true)
	markers | grep -E '^(PASS|FAIL|SKIP) ' | sed 's/^/  /'
	[ -n "$done_line" ] || { ok=0; echo "  no DONE marker: the guest did not finish"; }
	case $done_line in *" failed=0"*) ;; *) ok=0 ;; esac
	[ "$pass" -gt 0 ] || { ok=0; echo "  no PASS marker"; }
	if grep -q 'Kernel panic - not syncing' "$logdir/com1.log"; then
		ok=0
		echo "  the kernel panicked"
	fi
	expect_checks
	pass=$((pass + expect_pass))
	fail=$((fail + expect_fail))
	[ "$expect_fail" = 0 ] || ok=0
	files_check
	pass=$((pass + files_pass))
	fail=$((fail + files_fail))
	[ "$files_fail" = 0 ] || ok=0
	kernel_log_check
	if [ $kernel_log_ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		ok=0
	fi
	# A run that failed without a FAIL marker still counts as one failure.
	[ $ok = 1 ] || [ "$fail" -gt 0 ] || fail=1
	echo "passed=$pass failed=$fail" >"$logdir/summary"
	rc=$((1 - ok))
}

main() {
	parse_args "$@"
	board_setup
	prepare
	echo "== $name: $board, kernel $abi, $cpus CPUs, timeout ${timeout}s"
	echo "   scenarios: ${scenarios[*]}"
	echo "   logs: $logdir"
	# One emulator at a time on this machine (2 cores): wait for others.
	exec 9>"${BRIG_EMULATOR_LOCK:-/tmp/brig-emulator.lock}"
	flock 9
	local t0=$SECONDS
	trap stop_emulator EXIT INT TERM
	case $board in
	qemu-*) launch_qemu ;;
	bochs) launch_bochs ;;
	esac
	if [ -z "${emu_pid:-}" ]; then	# interactive debugger session
		exit 0
	fi
	[ $gdb = 1 ] && echo "   QEMU waits for gdb on :1234 (target remote :1234)"
	watch
	# `make distclean` elsewhere in the tree removes build/ mid-run.
	[ -d "$logdir" ] || die "$logdir was removed during the run (make clean?)"
	[ "$board" != bochs ] || bochs_hv_log
	local secs=$((SECONDS - t0))
	echo "$secs" >"$logdir/seconds"
	verdict
	if [ $rc = 0 ]; then
		echo "== PASS $name ($(cat "$logdir/summary"), ${secs}s)"
	else
		echo "== FAIL $name ($(cat "$logdir/summary"), ${secs}s${end_reason:+, $end_reason})"
		tail_logs
	fi
	exit $rc
}

main "$@"
