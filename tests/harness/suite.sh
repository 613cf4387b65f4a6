#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a set of end-to-end boots and count the scenario tests over all of them.
#
#   suite.sh qemu      every scenario tagged for qemu-vtd / qemu-amdvi, on both
#                      boards, with the 6.1 and with the 6.12 kernel (4 boots,
#                      2 CPUs), then those tagged qemu-vtd-4cpu on the VT-d
#                      board with 4 CPUs and 4-level paging (1 boot), those
#                      tagged qemu-amdvi-4cpu on the AMD-Vi board with 4
#                      CPUs (1 boot, kernel 6.1), and
#                      those tagged qemu-vtd-dmar on the VT-d board with
#                      Linux translating DMA itself (intel_iommu=on)
#   suite.sh bochs     every scenario tagged for bochs, in ONE boot with 2 CPUs,
#                      then those tagged bochs-4cpu in one boot with 4 CPUs
#                      (a Bochs boot costs minutes: few boots, many scenarios)
#   suite.sh selftest  proves the harness itself: a passing boot passes, a
#                      failing scenario, a kernel panic and a hung guest
#                      each make run.sh fail with the logs printed
#
# Scenarios choose their boards with a header line in the script:
#   # boards: qemu-vtd qemu-amdvi bochs
# and may add, for every boot they are part of:
#   # append: KERNEL-ARGS          (joined over the scenarios of one boot)
#   # qemu-args: QEMU-OPTIONS      (likewise; ignored on Bochs)
# Scenarios run in file-name order; boot.sh (the harness self-test) first.
#
# Ends with a line "N passed, M failed" (scenario tests; a boot that failed
# without reporting a FAIL counts as one failure) and a non-zero status if
# anything failed.
set -eu
. "$(dirname "$0")/common.sh"

RUN=$BRIG_ROOT/tests/harness/run.sh
total_pass=0
total_fail=0
failed_runs=()

# tag FILE KEY: the value of a "# KEY: value" header line.
tag() {
	sed -n "s/^# $2: *//p" "$1" | head -n1
}

# scenarios_for BOARD: scenario names tagged for BOARD, boot first.
scenarios_for() {
	local f
	for f in "$BRIG_ROOT"/tests/scenarios/boot.sh "$BRIG_ROOT"/tests/scenarios/*.sh; do
		case " $(tag "$f" boards) " in
		*" $1 "*) basename "$f" .sh ;;
		esac
	done | awk '!seen[$0]++'
}

# joined_tag KEY SCENARIO...: the KEY tags of all scenarios, space-joined;
# an "-option value" pair two scenarios share (the same QEMU device) and a
# kernel argument two scenarios share are given once.
joined_tag() {
	local key=$1 s w pending= out=
	shift
	add() {
		case " $out " in
		*" $1 "*) ;;
		*) out="$out $1" ;;
		esac
	}
	for s in "$@"; do
		for w in $(tag "$BRIG_ROOT/tests/scenarios/$s.sh" "$key"); do
			case $w in
			-*)
				[ -n "$pending" ] && add "$pending"
				pending=$w
				continue ;;
			esac
			[ -n "$pending" ] && w="$pending $w"
			pending=
			add "$w"
		done
		[ -n "$pending" ] && add "$pending"
		pending=
	done
	echo $out
}

# boot_timeout BOARD: seconds for a whole suite boot (many scenarios).
boot_timeout() {
	case $1 in
	bochs) echo 2700 ;;
	*) echo 900 ;;
	esac
}

# boot BOARD KERNEL CPUS [TAG [APPEND]]: one run.sh boot with every
# scenario tagged TAG (default: the board's name), the kernel arguments
# APPEND added. Tags beyond board names select other machine shapes:
# qemu-vtd-4cpu is the VT-d board with 4 CPUs and 4-level paging (no5lvl),
# qemu-amdvi-4cpu the AMD-Vi board (xAPIC root) with 4 CPUs, bochs-4cpu
# the Bochs board with 4 CPUs.
boot() {
	local board=$1 kernel=$2 cpus=$3 tag=${4:-$1} extra=${5:-} scen summary rc=0
	local name=suite-$tag-$kernel
	mapfile -t scen < <(scenarios_for "$tag")
	[ ${#scen[@]} -gt 0 ] || { echo "no scenarios for $tag"; return 0; }
	"$RUN" --no-build --board "$board" --kernel "$kernel" --cpus "$cpus" \
		--timeout "$(boot_timeout "$board")" \
		--name "$name" \
		--append "$(joined_tag append "${scen[@]}") $extra" \
		--qemu-args "$(joined_tag qemu-args "${scen[@]}")" "${scen[@]}" || rc=$?
	summary=$LOG_ROOT/$name/summary
	if [ -f "$summary" ]; then
		. "$summary"	# passed=N failed=M
	else
		passed=0 failed=1	# run.sh stopped before booting
	fi
	[ $rc = 0 ] || [ "$failed" -gt 0 ] || failed=1
	total_pass=$((total_pass + passed))
	total_fail=$((total_fail + failed))
	[ $rc = 0 ] || failed_runs+=("$tag/$kernel")
}

# build KERNEL...: fetch each kernel and build its payload once.
build() {
	local k
	for k in "$@"; do
		"$BRIG_ROOT/tests/harness/fetch-kernels.sh" "$k" >/dev/null
		"$BRIG_ROOT/tests/harness/build-payload.sh" "$k"
	done
}

# expect_fail WHAT RUN-ARGS...: a run that must fail (harness self-test).
expect_fail() {
	local what=$1
	shift
	if "$RUN" --no-build "$@"; then
		echo "selftest: $what passed but must fail"
		total_fail=$((total_fail + 1))
		failed_runs+=("selftest:$what")
	else
		echo "selftest: $what failed as it must"
		total_pass=$((total_pass + 1))
	fi
}

selftest() {
	build 6.1
	boot qemu-vtd 6.1 2
	expect_fail "failing test" --board qemu-vtd --kernel 6.1 --cpus 2 \
		--name selftest-fail harness-fail
	expect_fail "kernel panic" --board qemu-vtd --kernel 6.1 --cpus 2 \
		--name selftest-panic --append brigtest.selftest=panic harness-fail
	expect_fail "hung guest" --board qemu-vtd --kernel 6.1 --cpus 2 \
		--name selftest-hang --timeout 40 --append brigtest.selftest=hang harness-fail
}

main() {
	local t0=$SECONDS k board
	case ${1:-} in
	qemu)
		build 6.1 6.12
		for board in qemu-vtd qemu-amdvi; do
			for k in 6.1 6.12; do
				boot "$board" "$k" 2
			done
		done
		boot qemu-vtd 6.12 4 qemu-vtd-4cpu no5lvl
		boot qemu-amdvi 6.1 4 qemu-amdvi-4cpu
		boot qemu-vtd 6.1 2 qemu-vtd-dmar intel_iommu=on ;;
	bochs)
		build 6.1
		boot bochs 6.1 2
		boot bochs 6.1 4 bochs-4cpu ;;
	selftest)
		selftest ;;
	*)
		echo "usage: suite.sh qemu|bochs|selftest" >&2
		exit 2 ;;
	esac
	echo "suite ${1} took $((SECONDS - t0)) s"
	[ ${#failed_runs[@]} = 0 ] || echo "failed runs: ${failed_runs[*]}"
	echo "$total_pass passed, $total_fail failed"
	[ "$total_fail" = 0 ]
}

main "$@"
