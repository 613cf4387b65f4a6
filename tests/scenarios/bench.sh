# SPDX-License-Identifier: GPL-2.0
# qemu-args: -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x11,chassis=1 -device pcie-root-port,id=rp2,bus=pcie.0,addr=0x12,chassis=2
# needs: stress-ng hackbench cyclictest
#
# The guest's half of make bench (tests/harness/bench.sh,
# docs/benchmarking.md). Tagged for no board: no suite boots it. One boot
# runs one phase, brigtest.bench=:
#
#   footprint2, footprint4  2 and 4 CPUs, the board's plain system
#           description: the pool after enable, for the cost of a CPU by
#           difference;
#   icount  under QEMU's -icount, the root idle: the latency inmate in a
#           cell (brig latency run), the cell's start by phase, and the
#           hypervisor's pool after enable and with a cell;
#   load    without -icount: cyclictest natively and with brig enabled,
#           hackbench and stress-ng timed natively and with brig enabled
#           (the root's exits by reason over each, and idle), the latency
#           inmate in a cell with the root idle, under hackbench and under
#           stress-ng, and ivshmem ping-pong root <-> cell and cell <-> cell.
#
# Every figure goes to the host in files (t_export): brig latency run's
# JSON and CSV, and bench.facts, one "KEY VALUE" line each. The host
# writes the report. Each measurement lasts brigtest.bench_secs seconds
# (default 10). The checks here only make sure each step ran and produced
# its figures; nothing is asserted about a time.

SYS=$(brig_system_variant ivshmem-root)
L=$BRIG_CONF_DIR/$BRIG_BOARD-latency-c.cell
C=$BRIG_CONF_DIR/$BRIG_BOARD-ivshmem-c.cell
A=$BRIG_CONF_DIR/$BRIG_BOARD-ivshmem-a.cell
B=$BRIG_CONF_DIR/$BRIG_BOARD-ivshmem-b.cell
LAT=$BRIG_INMATES/latency.bin
IVS=$BRIG_INMATES/ivshmem.bin
PHASE=$(t_cmdline brigtest.bench load)
SECS=$(t_cmdline brigtest.bench_secs 10)
# The APIC timer's rate for the inmate, where it cannot measure it (QEMU
# under -icount aborts on an x2APIC current-count read).
APIC_KHZ=$(t_cmdline brigtest.bench_apic_khz)
COUNT=10000
T=/tmp/bench
FACTS=$T/bench.facts
mkdir -p $T
: > $FACTS

fact() { echo "$*" >> $FACTS; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
pool_used() { brig info | sed -n 's/^hypervisor memory: \([0-9]*\) of \([0-9]*\) pages.*/\1 \2/p'; }

# latency NAME [LOAD]: brig latency run into $T/NAME, JSON and CSV exported.
latency() {
	# Under -icount every instruction the root runs delays the cell
	# (round-robin): the tool looks in only at the end of the window.
	_iv=1000
	[ "$PHASE" = icount ] && _iv=60000
	brig latency run "$L" $LAT --duration "$SECS" --quiet --out $T/$1 \
		--interval-ms $_iv \
		${2:+--load "$2"} ${APIC_KHZ:+--inmate-args apic-khz=$APIC_KHZ} ||
		return 1
	t_export $T/$1/latency.json $PHASE.$1.json &&
		t_export $T/$1/latency.csv $PHASE.$1.csv
}

# --- icount ----------------------------------------------------------------

footprint() {
	fact "pool.enabled $(pool_used)"
	brig cell create "$L" > /dev/null || return 1
	fact "pool.with_cell $(pool_used)"
	brig cell destroy latency-c > /dev/null || return 1
	fact "pool.after_cell $(pool_used)"
	fact "cpus $BRIG_CPUS"
}

# --- load ------------------------------------------------------------------

# cyclictest NAME: one thread at priority 80, a 1 ms interval, SECS long.
cyclic() {
	cyclictest -q -m -p 80 -i 1000 -t 1 -D "$SECS" > $T/cyclic.out 2>&1 ||
		{ cat $T/cyclic.out; return 1; }
	cat $T/cyclic.out
	fact "cyclictest.$1 $(grep 'T: 0' $T/cyclic.out | tr -s ' ')"
	grep -q 'Max:' $T/cyclic.out
}

# timed NAME COMMAND...: the command's run time, and the root's exits over
# it when brig is enabled (brig stats before and after).
timed() {
	_n=$1
	shift
	[ -e /sys/class/misc/brig/cpus ] && fact "$_n.before $(brig stats --json)"
	_t0=$(uptime_s)
	"$@" > $T/timed.out 2>&1 || { cat $T/timed.out; return 1; }
	_t1=$(uptime_s)
	[ -e /sys/class/misc/brig/cpus ] && fact "$_n.after $(brig stats --json)"
	fact "$_n.seconds $(echo "$_t1 - $_t0" | bc)"
	tail -n 2 $T/timed.out
}

hackbench_run() { hackbench -g 4 -l 400; }
stress_run() { stress-ng --cpu 0 --cpu-ops $((BRIG_CPUS * 400)) --quiet; }

native() {
	cyclic native && timed native.hackbench hackbench_run &&
		timed native.stress stress_run
}

enabled_workloads() {
	timed enabled.idle sleep "$SECS" &&
		timed enabled.hackbench hackbench_run &&
		timed enabled.stress stress_run && cyclic enabled
}

# The root (CPU 0) against cell ivshmem-c, COUNT messages.
root_pingpong() {
	brig cell create "$C" > /dev/null &&
		brig cell load ivshmem-c $IVS -s "count=$COUNT" > /dev/null &&
		brig cell start ivshmem-c > /dev/null || return 1
	for irq in $(awk '/brig-ivshmem/ { sub(":", "", $1); print $1 }' /proc/interrupts); do
		echo 0 > /proc/irq/$irq/smp_affinity_list
	done
	sleep 1
	fact "pingpong.root.before $(brig stats --json)"
	fact "pingpong.root.cell_before $(brig cell stats ivshmem-c --json)"
	taskset 1 brig-pingpong -n $COUNT > $T/pp.out 2>&1
	_rc=$?
	fact "pingpong.root.after $(brig stats --json)"
	fact "pingpong.root.cell_after $(brig cell stats ivshmem-c --json)"
	cat $T/pp.out
	fact "pingpong.root.out $(grep 'round trips per second' $T/pp.out)"
	fact "pingpong.root.count $COUNT"
	brig cell destroy ivshmem-c > /dev/null
	[ $_rc = 0 ]
}

# Cells ivshmem-a (CPU 1) and ivshmem-b (CPU 2) against each other; the
# round trips per second are on ivshmem-a's console (COM2, read by the
# host), the exits here. Done once a has rung COUNT doorbells (its mmio
# exits) and rings no more.
mmio_of() { brig cell stats "$1" | awk '$1 == "mmio" { print $2 }'; }
settled() {
	_m=$(mmio_of ivshmem-a)
	[ "${_m:-0}" -ge $COUNT ] || return 1
	usleep 200000
	[ "$(mmio_of ivshmem-a)" = "$_m" ]
}

cell_pingpong() {
	brig config check "$SYS" "$A" "$B" > /dev/null || return 1
	brig cell create "$A" > /dev/null && brig cell create "$B" > /dev/null &&
		brig cell load ivshmem-b $IVS -s "count=$COUNT" > /dev/null &&
		brig cell start ivshmem-b > /dev/null &&
		brig cell load ivshmem-a $IVS -s "count=$COUNT" > /dev/null || return 1
	fact "pingpong.cells.a_before $(brig cell stats ivshmem-a --json)"
	fact "pingpong.cells.b_before $(brig cell stats ivshmem-b --json)"
	brig cell start ivshmem-a > /dev/null || return 1
	t_wait_for 600 settled || return 1
	fact "pingpong.cells.a_after $(brig cell stats ivshmem-a --json)"
	fact "pingpong.cells.b_after $(brig cell stats ivshmem-b --json)"
	fact "pingpong.cells.count $COUNT"
	brig cell destroy ivshmem-a > /dev/null && brig cell destroy ivshmem-b > /dev/null
}

t_check bench.insmod sh -c "insmod $BRIG_KO && insmod /lib/modules/uio/uio.ko && insmod /lib/modules/brig_ivshmem.ko"
fact "phase $PHASE"
fact "secs $SECS"
fact "board $BRIG_BOARD $BRIG_IOMMU"
fact "kernel $(uname -r)"
if [ "${PHASE#footprint}" != "$PHASE" ]; then
	# The board's plain system description for this CPU count: the boots
	# differ in their CPUs only.
	t_check bench.enable brig enable "$(brig_system)"
	fact "pool.enabled $(pool_used)"
	fact "cpus $BRIG_CPUS"
elif [ "$PHASE" = icount ]; then
	t_check bench.enable brig enable "$SYS"
	t_check bench.footprint footprint
	t_check bench.cell-idle latency cell-idle
else
	t_check bench.native native
	t_check bench.enable brig enable "$SYS"
	t_check bench.enabled-workloads enabled_workloads
	t_check bench.cell-idle latency cell-idle
	t_check bench.cell-hackbench latency cell-hackbench hackbench
	t_check bench.cell-stress latency cell-stress stress-ng:cpu
	t_check bench.pingpong-root root_pingpong
	t_check bench.pingpong-cells cell_pingpong
fi
t_check bench.disable brig disable
t_check bench.facts t_export $FACTS $PHASE.facts
