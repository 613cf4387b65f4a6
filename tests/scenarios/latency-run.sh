# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu qemu-amdvi-4cpu
# qemu-args: -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x11,chassis=1 -device pcie-root-port,id=rp2,bus=pcie.0,addr=0x12,chassis=2
# needs: stress-ng hackbench
#
# brig latency run (docs/benchmarking.md), the smoke that make check keeps
# of the benchmark: the root is a peer of the latency channel (its system
# description *-ivshmem-root.dts, channel 3); the command creates cell
# latency-c (CPU 2, configs/x86/*-latency-c.dts) from its description,
# runs the latency inmate in it, reads the histogram live and destroys the
# cell. Asserted, as a broken benchmark would not show: samples > 0, the
# cell's exits over the measured window == 0, the root's exits under load
# > 0, every file written (and handed to the host, which parses each:
# t_export); bad input refused with a sentence naming it and nothing left
# behind; SIGINT in the middle ends the run with the cell destroyed and
# the load stopped.

SYS=$(brig_system_variant ivshmem-root)
L=$BRIG_CONF_DIR/$BRIG_BOARD-latency-c.cell
OTHER=$BRIG_CONF_DIR/$BRIG_BOARD-ivshmem-c.cell
BIN=/lib/brig/inmates/latency.bin
T=/tmp/latency-run
mkdir -p $T

# json_num FILE KEY: the first number after "KEY": in FILE.
json_num() { sed -n "s/.*\"$2\": \([0-9-]*\).*/\1/p" "$1" | head -n 1; }
# The total of an exit object ("cell_exits": {"total": N, ...}).
exits_total() { sed -n "s/.*\"$2\": {\"total\": \([0-9]*\).*/\1/p" "$1" | head -n 1; }
no_cell_left() {
	brig cell list > $T/list.out || return 1
	! grep -q latency-c $T/list.out
}
# stress-ng's workers rename themselves (stress-ng-cpu): any process whose
# name starts like a load's.
no_load_left() {
	! ps -o comm | grep -qE '^(hackbench|stress-ng)'
}
# root_rest FILE: the root's exits over the run other than hypercalls
# (the tool's own sysfs reads are hypercalls of the root).
root_rest() {
	_t=$(exits_total "$1" root_exits)
	_h=$(sed -n 's/.*"root_exits": {[^}]*"hypercall": \([0-9]*\).*/\1/p' "$1")
	echo $((_t - _h))
}

# refused EXPECTED-STATUS PATTERN ARGS...: brig latency run ARGS fails
# with that status, says PATTERN, and leaves no cell behind.
refused() {
	_st=$1 _pat=$2
	shift 2
	brig latency run "$@" > $T/refused.out 2>&1
	_rc=$?
	head -n 1 $T/refused.out
	[ $_rc = "$_st" ] && grep -q -- "$_pat" $T/refused.out && no_cell_left
}

bad_input() {
	refused 2 "--duration 0: not a number" "$L" $BIN --duration 0 &&
		refused 1 'unknown load "fork-bomb"' "$L" $BIN --load fork-bomb &&
		refused 1 'stress-ng has no stressor "nope"' "$L" $BIN --load stress-ng:nope &&
		refused 1 'stress-ng has no class "nope"' "$L" $BIN --load stress-ng-class:nope &&
		refused 1 "has no latency channel" "$OTHER" $BIN &&
		refused 1 "cannot open" /etc/brig/no-such-cell.dts $BIN &&
		refused 1 "is a system description" "$SYS" $BIN &&
		refused 1 "cannot open" "$L" /no/such/inmate.bin &&
		refused 2 "mode sometimes: not auto" "$L" $BIN --mode sometimes
}

# A cell of the same name already there: the run is refused and that cell
# (not the run's) stays.
name_taken() {
	brig cell create "$L" || return 1
	brig latency run "$L" $BIN --duration 1 > $T/taken.out 2>&1
	_rc=$?
	cat $T/taken.out
	[ $_rc = 1 ] && grep -q "latency-c" $T/taken.out &&
		[ -n "$(state_of latency-c)" ] || return 1
	brig cell destroy latency-c
}

# measured NAME ARGS...: one run into $T/NAME, its files exported.
measured() {
	_n=$1
	shift
	brig latency run "$L" $BIN --out $T/$_n "$@" > $T/$_n.out 2>&1 ||
		{ cat $T/$_n.out; return 1; }
	cat $T/$_n.out
	for _f in txt json csv svg; do
		t_export $T/$_n/latency.$_f $_n.latency.$_f || return 1
	done
	_s=$(json_num $T/$_n/latency.json samples)
	_c=$(exits_total $T/$_n/latency.json cell_exits)
	_b=$(exits_total $T/$_n/latency.json cell_exits_before)
	_r=$(exits_total $T/$_n/latency.json root_exits)
	t_log "latency-run $_n: samples $_s, cell exits over the run $_c (before it $_b), root exits $_r"
	# The cell's start makes exits (its calibration reads the PM timer):
	# counters that read 0 there would be counters not read at all.
	[ "${_s:-0}" -gt 0 ] && [ "$_c" = 0 ] && [ "${_b:-0}" -gt 0 ] &&
		[ -n "$_r" ] &&
		[ "$(wc -l < $T/$_n/latency.csv)" = 150 ] &&
		head -c 5 $T/$_n/latency.svg | grep -q '<?xml' &&
		tail -n 1 $T/$_n/latency.svg | grep -q '</svg>' &&
		no_cell_left && no_load_left
}

# Under load the root exits for more than the tool's own reads (which are
# hypercalls); with MORE, more than when idle (the idle run comes first):
# hackbench's wake-ups are IPIs, each an x2APIC ICR write that exits.
loaded() { # NAME LOAD [MORE]
	measured "$1" --duration 4 --load "$2" || return 1
	_l=$(root_rest $T/$1/latency.json)
	_i=$(root_rest $T/idle/latency.json)
	t_log "latency-run $1: root exits other than hypercalls $_l (idle: $_i)"
	[ "$_l" -gt 0 ] && { [ -z "${3:-}" ] || [ "$_l" -gt "$_i" ]; }
}

# SIGINT while the window runs: the summary says interrupted, the cell is
# destroyed and the load stopped.
interrupted() {
	brig latency run "$L" $BIN --duration 600 --load hackbench > $T/int.out 2>&1 &
	_pid=$!
	t_wait_for 60 sh -c "grep -q 'samples' $T/int.out" || { kill $_pid; cat $T/int.out; return 1; }
	kill -INT $_pid
	wait $_pid
	_rc=$?
	cat $T/int.out
	[ $_rc = 0 ] && grep -q "(interrupted)" $T/int.out && no_cell_left &&
		no_load_left
}

# brig stats --format=prometheus on the live machine: every CPU's counters
# labelled with its cell, the pool, the cells' states, and nothing but
# comments and samples (docs/monitoring.md).
prometheus() {
	brig stats --format=prometheus > $T/brig.prom || return 1
	head -n 8 $T/brig.prom
	for c in $(seq 0 $((BRIG_CPUS - 1))); do
		grep -q "^brig_vm_exits_total{cpu=\"$c\",cell=\"[^\"]*\",reason=\"cpuid\"} [0-9]*$" $T/brig.prom ||
			{ echo "no cpuid counter of CPU $c"; return 1; }
	done
	grep -q '^brig_pool_used_bytes [1-9][0-9]*$' $T/brig.prom &&
		grep -q '^brig_cell_state{id="0",cell="[^"]*",state="running"} 1$' $T/brig.prom &&
		! grep -qvE '^#|^brig_[a-z_]*(\{[^}]*\})? [0-9]+$' $T/brig.prom
}

t_check latency-run.insmod insmod "$BRIG_KO"
t_check latency-run.uio-insmod sh -c "insmod /lib/modules/uio/uio.ko && insmod /lib/modules/brig_ivshmem.ko"
t_check latency-run.enable brig enable "$SYS"
t_check latency-run.prometheus prometheus
t_check latency-run.bad-input-refused bad_input
t_check latency-run.name-taken name_taken
t_check latency-run.idle measured idle --duration 4
t_check latency-run.hackbench loaded hackbench hackbench more
t_check latency-run.stress-ng loaded stress-cpu stress-ng:cpu
t_check latency-run.sigint-cleans-up interrupted
t_check latency-run.disable brig disable
t_check latency-run.rmmod sh -c "rmmod brig_ivshmem && rmmod uio && rmmod brig"
