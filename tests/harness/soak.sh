#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The soak: one run.sh boot of tests/scenarios/soak-stress.sh, which runs
# the whole stress-ng cpu class in the root with brig enabled, RUNS times,
# so that a hang too rare for the suites shows (docs/testing.md). Not part
# of make check: `make soak`, or `make slow` with the other slow runs.
#
# Usage: soak.sh [--board qemu-vtd|qemu-amdvi] [--kernel 6.12|6.1|ABI]
#                [--cpus N] [--runs N] [--hang S] [--timeout S] [--no-build]
#                [--stressors NAME,NAME...]
#
# Defaults: the VT-d board, the 6.12 kernel, 2 CPUs, 100 runs, a run that
# takes 60 s or more counts as a hang, the whole cpu class (--stressors
# names some stressors instead, one instance each, to narrow a hang down).
# The boot's timeout is computed from the runs (see below) unless given. Prints run.sh's verdict, the scenario's
# "soak: N runs, H hangs, T seconds" line and the wall time of the boot;
# the exit status is run.sh's.
set -eu
. "$(dirname "$0")/common.sh"

board=qemu-vtd
kernel=6.12
cpus=2
runs=100
hang=60
timeout=
stressors=
build=()

usage() {
	sed -n '9,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--board) board=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--hang) hang=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--stressors) stressors=$2; shift 2 ;;
	--no-build) build=(--no-build); shift ;;
	-h|--help) usage ;;
	*) die "unknown argument $1" ;;
	esac
done
case $board in
qemu-vtd|qemu-amdvi) ;;
# Bochs emulates a guest second in about a wall second and a half: one
# run of the class would take minutes. Not a soak board.
*) die "the soak runs on qemu-vtd or qemu-amdvi, not '$board'" ;;
esac
[ "$runs" -gt 0 ] 2>/dev/null || die "--runs wants a positive number, not '$runs'"
case $stressors in
*[!a-z0-9,-]*) die "--stressors wants stress-ng stressor names separated by commas, not '$stressors'" ;;
esac
command -v stress-ng >/dev/null ||
	die "stress-ng is not installed: make deps (scripts/setup-deps.sh) installs it"

# The guest stops a run after the hang limit and goes on, so the boot ends
# by itself unless the guest as a whole is stuck: allow the boot and the
# enable (about 60 s), and each run its hang limit plus its checks. Only a
# stuck guest waits that long; a passing soak ends well before.
timeout=${timeout:-$((120 + runs * (hang + 30)))}

name=soak-$board-$kernel
start=$SECONDS
rc=0

# watch LOGDIR: a wedged guest cannot finish its own runs, and would sit
# out the boot timeout (hours for 100 runs). Stop its emulator once the
# hypervisor says it stopped a root CPU or panicked, or once no run has
# ended for a while; run.sh then fails the boot and prints every log.
watch() {
	local dir=$1 last=0 seen=$SECONDS n
	while sleep 20; do
		[ -f "$dir/hv.log" ] || continue
		if grep -qE 'cannot run on|repeats without progress|PANIC' "$dir/hv.log"; then
			echo "soak: the hypervisor stopped a CPU (hv.log): stopping the emulator"
			break
		fi
		n=$(grep -c 'soak: run [0-9]' "$dir/com1.log" 2>/dev/null || true)
		[ "${n:-0}" != "$last" ] && { last=${n:-0}; seen=$SECONDS; }
		if [ "$last" -gt 0 ] && [ $((SECONDS - seen)) -gt $((hang * 4 + 120)) ]; then
			echo "soak: no run ended for $((SECONDS - seen)) s: stopping the emulator"
			break
		fi
	done
	pkill -f -- "$dir/com1.log" || true
}
rm -rf "${LOG_ROOT:?}/$name" # no earlier boot's hv.log for the watcher
watch "$LOG_ROOT/$name" &
watcher=$!
"$BRIG_ROOT/tests/harness/run.sh" "${build[@]}" --board "$board" \
	--kernel "$kernel" --cpus "$cpus" --timeout "$timeout" --name "$name" \
	--append "brigtest.soak_runs=$runs brigtest.soak_hang=$hang${stressors:+ brigtest.soak_stressors=$stressors}" \
	boot soak-stress || rc=$?
kill "$watcher" 2>/dev/null || true
line=$(grep -ao 'soak: [0-9]* runs, [0-9]* hangs, [0-9]* seconds' \
	"$LOG_ROOT/$name/com1.log" | tail -n 1 || true)
echo "${line:-soak: the guest printed no summary (stuck? see $LOG_ROOT/$name)}"
echo "soak took $((SECONDS - start)) s of wall time (board $board, kernel $kernel, $cpus CPUs, $runs runs)"
exit $rc
