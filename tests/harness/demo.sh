#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the emulated board with a stock Debian kernel, run the
# demo scenario (tests/scenarios/demo.sh) and show what it printed, the
# hypervisor's own console, and where the full logs are.
#
# Usage: demo.sh [BOARD]    (qemu-x86, the default, or bochs-x86)
set -eu
. "$(dirname "$0")/common.sh"

case ${1:-qemu-x86} in
qemu-x86) board=qemu-vtd ;;
bochs-x86) board=bochs ;;
*) die "demo.sh: unknown board $1 (qemu-x86 or bochs-x86)" ;;
esac

rc=0
"$BRIG_ROOT/tests/harness/run.sh" --board "$board" --kernel 6.1 --cpus 2 \
	--name demo demo >/dev/null 2>&1 || rc=$?
logs=$LOG_ROOT/demo
echo "== the root cell's console (COM1), what the demo ran:"
sed -n 's/^\[ *[0-9.]*\] //p' "$logs/com1.log" |
	sed -n '/^\$ /,$p' | grep -v '^BRIG-TEST' | grep -v '^brig: ' || true
echo
echo "== the cell's console (COM2): the latency inmate, figures in ns of an"
echo "   emulated board (TCG): the tick count and the zero exit count are the"
echo "   honest figures here, the latencies are not"
sed -n '1,40p' "$logs/com2.log"
echo
echo "== the hypervisor's console (port 0xE9):"
cat "$logs/hv.log"
echo
echo "== full logs: $logs"
[ $rc = 0 ] || { echo "demo FAILED (run.sh exit $rc)"; exit $rc; }
