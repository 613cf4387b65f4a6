#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/completion/brig.bash against a fake sysfs tree and a directory of
# descriptions: what a user gets from TAB at each point of the command
# line. Run by make test-unit.
set -u
# No extglob here: the script must turn it on itself where it needs it.
. "$(dirname "$0")/../../tools/completion/brig.bash"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sys/cells/0" "$tmp/sys/cells/1" "$tmp/sys/cells/2" "$tmp/d"
echo root-board > "$tmp/sys/cells/0/name"
echo hello > "$tmp/sys/cells/1/name"
echo latency-c > "$tmp/sys/cells/2/name"
touch "$tmp/d/sys.dts" "$tmp/d/cell.cell" "$tmp/d/notes.txt" "$tmp/d/inmate.bin"
export BRIG_SYSFS=$tmp/sys
cd "$tmp/d" || exit 1
failed=0

# expect "WORDS..." "EXPECTED REPLIES (sorted, space-separated)"
expect() {
	local line=$1 want=$2 got
	COMP_LINE=$line
	COMP_POINT=${#line}
	_brig
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	got=${got# }
	got=${got% }
	if [ "$got" = "$want" ]; then
		echo "ok - '$line' -> $want"
	else
		echo "not ok - '$line': got '$got', want '$want'"
		failed=1
	fi
}

expect "brig " "--help --version cell config console disable enable help info latency stats"
expect "brig ce" "cell"
expect "brig cell " "--help create destroy linux list load shutdown start stats"
expect "brig cell start " "hello latency-c"
expect "brig cell destroy h" "hello"
expect "brig cell destroy hello --f" "--force"
expect "brig cell create " "cell.cell sys.dts"
expect "brig enable " "cell.cell sys.dts"
expect "brig enable --" "--help --skip-tool-check"
expect "brig cell load hello " "inmate.bin"
expect "brig cell load hello inmate.bin -s " ""
expect "brig stats --format=p" "prometheus"
expect "brig stats --f" "--format=json --format=prometheus --format=text"
expect "brig latency run cell.cell inmate.bin --load stress-ng:" "cpu"
expect "brig latency " "--help run watch"
expect "brig latency run " "cell.cell sys.dts"
expect "brig latency run cell.cell " "inmate.bin"
expect "brig latency run cell.cell inmate.bin --load " "hackbench none stress-ng-class:cpu stress-ng:cpu"
expect "brig latency run cell.cell inmate.bin --mode o" "oneshot"
expect "brig config compile sys.dts -o " "cell.cell"
expect "brig config c" "check collect compile create"
expect "brig config create --console pio-" "pio-8250 pio-8250: pio-e9"
expect "brig config create --" "--console --from --help --hypervisor --hypervisor-size"
expect "brig cell stats " "hello latency-c"
expect "brig help " ""
expect "brig frobnicate " ""
exit $failed
