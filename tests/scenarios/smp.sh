# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu qemu-amdvi-4cpu bochs-4cpu
# expect: com2.log smp: CPU 1 \(APIC id [23]\) up, work done
# expect: com2.log smp: CPU 2 \(APIC id [23]\) up, work done
# expect: com2.log smp: CPU 2 \(APIC id [23]\) up again
# expect: com2.log smp: all 3 CPUs report, every IPI arrived \(50 per kind and CPU, x2APIC, NMIs (delivered|dropped)\), restart done
# expect: com2.log smp: all 3 CPUs report, every IPI arrived \(50 per kind and CPU, xAPIC, NMIs (delivered|dropped)\), restart done
# expect: com2.log smp: boot CPU \(APIC id 1\), xAPIC, starting 2 more
# expect: com2.log smp: all 3 CPUs report, every IPI arrived \(40 per kind and CPU, x2APIC, NMIs (delivered|dropped)\), restart done
# expect: com2.log smp: INIT/SIPI storm to the other CPUs
# expect: com2.log smp: all 3 CPUs report, every IPI arrived \(20 per kind and CPU, x2APIC, NMIs (delivered|dropped)\), restart done
# expect: com2.log smp: CPU 2 halts with interrupts off
# expect: com2.log smp: CPU 2 \(APIC id [23]\) up again after its halt
# expect: com2.log smp: the boot CPU halts with interrupts off, the last to
# expect: hv.log cell "smp" \(id [0-9]+\) CPU 1: every CPU of the cell halted with interrupts off; cell stopped, state shut down
# expect: hv.log CPU 3 of cell "smp" halted with interrupts off: it waits to be started by the cell
# expect: hv.log cell "smp" \(id [0-9]+\) CPU 1: INIT IPI \(ICR [0-9a-f]+\) to CPU 0, which is not the cell's
# expect: hv.log cell "smp" \(id [0-9]+\) CPU 1: SIPI IPI \(ICR [0-9a-f]+\) to CPU 0, which is not the cell's
# expect: hv.log cell "smp" \(id [0-9]+\) CPU 1: NMI IPI \(ICR [0-9a-f]+\) to CPU 0, which is not the cell's
#
# SMP cells (issue 16): a cell on CPUs 1-3. Its first CPU starts at the
# entry, the others wait until it starts them with INIT/SIPI (the smp
# inmate, broadcast to all but self); then every CPU reports, IPIs of
# each kind an OS uses go between them (ring by physical id, broadcast,
# x2APIC logical, NMI, self), and one CPU is stopped with INIT and started
# again. What arrived is counted in the cell and said on COM2 (the expect
# lines above); here the hypervisor's side is checked: the CPUs' wakes
# and IPI exits, the root carrying on, a second start of the same cell
# (nothing left over from the first run), and the cell failing when it
# aims INIT, SIPI or NMI at a root CPU, with that CPU untouched.

# NMI IPIs within a cell: delivered on VT-x; dropped on AMD-V, where an NMI
# handler that never returns would hold off the hypervisor's own NMIs
# (the inmate checks whichever the board's CPU calls for: a line above
# appears only if it got what it was told).
case $BRIG_BOARD in
bochs*) NMIS=deliver ;;
*) NMIS=drop ;;
esac

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-smp.cell
BIN=$BRIG_INMATES/smp.bin
T=/tmp/smp
mkdir -p $T

pool() { cat /sys/class/misc/brig/mem_pool_used; }
stat_of() { cat /sys/class/misc/brig/cpus/cpu$1/$2; } # CPU REASON
nmis_cpu0() { awk '$1 == "NMI:" { print $2 }' /proc/interrupts; }

cpus_offline() {
	for c in 1 2 3; do
		[ "$(cat /sys/devices/system/cpu/cpu$c/online)" = 0 ] || {
			echo "CPU $c is online in Linux"; return 1; }
	done
}

cpus_online() {
	for c in 1 2 3; do
		t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu$c/online) = 1 ]" || {
			echo "CPU $c did not come back"; return 1; }
		[ "$(taskset -c $c cpuid-sig)" = brigbrigbrig ] || return 1
	done
}

# The run is over when every CPU sent its ring IPIs and CPU 1 (the boot
# CPU) its broadcasts, logical IPIs and NMIs: 50 ring + 1 self each, and
# 50 x (1 broadcast + 2 logical + 2 NMI) more from CPU 1, plus the
# INIT/SIPI of the start and restart. In x2APIC mode each is one ICR
# exit; in xAPIC mode (REASON xapic) every APIC access exits, more.
REASON=x2apic_icr
ROUNDS=50
ipis_done() {
	[ "$(stat_of 1 $REASON)" -ge $((6 * ROUNDS)) ] &&
		[ "$(stat_of 2 $REASON)" -ge $((ROUNDS + 1)) ] &&
		[ "$(stat_of 3 $REASON)" -ge $((ROUNDS + 1)) ]
}

report() {
	for c in 1 2 3; do
		t_log "smp: CPU $c: $(stat_of $c x2apic_icr) x2APIC ICR writes, $(stat_of $c xapic) xAPIC page accesses, $(stat_of $c init_sipi) INIT/SIPI, $(stat_of $c nmi) NMI exits, $(stat_of $c total) exits"
	done
}

smp_run() { # CMDLINE
	brig cell create "$CELL" || return 1
	cpus_offline || return 1
	brig cell load smp "$BIN" -s "$1 nmi=$NMIS" || return 1
	brig cell start smp || return 1
}

# Started by the cell: CPUs 2 and 3 waited, were woken (one of them twice,
# after its INIT), and all three sent IPIs.
wakes() { echo $(($(stat_of 2 init_sipi) + $(stat_of 3 init_sipi))); }
# The run's last act is the restart: all 7 stops and starts seen.
run_done() { [ "$(wakes)" -ge 7 ] && ipis_done; }

all_cpus_run() { # [CMDLINE]
	smp_run "rounds=50${1:+ $1}" || return 1
	t_wait_for 120 run_done
	rc=$?
	report
	[ $rc = 0 ] || return 1
	wakes=$(($(stat_of 2 init_sipi) + $(stat_of 3 init_sipi)))
	echo "CPUs 2 and 3: $wakes stops and starts by the cell"
	# Each stopped (INIT) and woken once, one of them stopped (twice:
	# the demo's INIT, then smp_start_cpu()'s) and woken again: 7; the
	# second SIPIs find them running and are dropped.
	[ "$wakes" = 7 ] && [ "$(state_of smp)" = running ]
}

root_works() {
	for c in 0; do
		taskset -c $c sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' || return 1
	done
}

cell_gone() {
	brig cell destroy smp || return 1
	cpus_online
}

# Loaded again with 40 rounds and an INIT/SIPI storm at the end, then
# started a third time without loading, while the storm leaves starts
# and stops pending: each start is the hypervisor's again (nothing left
# over starts a CPU early or keeps it off), and each run does all its
# IPIs (the counters start from 0 with each start).
restarts() {
	ROUNDS=40
	brig cell load smp "$BIN" -s "rounds=40 storm=1 nmi=$NMIS" || return 1
	for run in 2 3; do
		brig cell start smp || return 1
		t_wait_for 120 run_done || { report; echo "run $run did not finish"; return 1; }
		report
		wakes=$(($(stat_of 2 init_sipi) + $(stat_of 3 init_sipi)))
		echo "run $run: CPUs 2 and 3 stopped and started $wakes times"
		[ "$wakes" -ge 6 ] && [ "$(state_of smp)" = running ] || return 1
		sleep 1 # the storm
	done
	ROUNDS=50
}

# outside MODE: the smp inmate aims an IPI of MODE at APIC id 0, the root's
# CPU 0, after its run: the cell fails and names it, CPU 0 saw nothing.
outside() { # MODE [CMDLINE]
	sipis=$(stat_of 0 init_sipi)
	nmis=$(nmis_cpu0)
	smp_run "rounds=5 outside=0 outside-mode=$1${2:+ $2}" || return 1
	t_wait_for 120 sh -c "brig cell list | grep -q 'smp *failed'" || {
		echo "the cell did not fail: $(state_of smp)"; brig console | tail -n 5
		brig cell destroy --force smp; return 1; }
	brig console | grep 'cell "smp"' | tail -n 1
	brig console | grep 'cell "smp"' | tail -n 1 | grep -q "to CPU 0, which is not the cell's" || return 1
	cell_gone || return 1
	echo "CPU 0: INIT/SIPI $sipis -> $(stat_of 0 init_sipi), NMIs $nmis -> $(nmis_cpu0)"
	[ "$(stat_of 0 init_sipi)" = "$sipis" ] && [ "$(nmis_cpu0)" = "$nmis" ] && root_works
}

# HLT as an OS cell has it (halt = "exits", *-smp-halt.dts): the run's
# IPIs still wake CPUs waiting in HLT with interrupts on (each wait costs
# exits: counted as hlt); the last CPU halted with interrupts off is
# stopped, as by INIT, and INIT/SIPI brings it back; once all three have
# halted so the cell has shut down, by itself.
halt_exits() {
	_cell=$CELL
	CELL=$BRIG_CONF_DIR/$BRIG_BOARD-smp-halt.cell
	smp_run "rounds=20 halt=1"
	_rc=$?
	CELL=$_cell
	[ $_rc = 0 ] || return 1
	t_wait_for 120 sh -c "[ \"\$(brig cell list | awk '\$2 == \"smp\" { print \$3 }')\" = shut-down ]" || {
		echo "the cell is $(state_of smp), not shut-down"; report
		brig console | tail -n 5; brig cell destroy --force smp; return 1; }
	report
	for c in 1 2 3; do
		t_log "smp: CPU $c: $(stat_of $c hlt) hlt exits"
	done
	brig console | grep 'cell "smp"' | tail -n 1
	brig console | grep 'cell "smp"' | tail -n 1 |
		grep -q 'every CPU of the cell halted with interrupts off; cell stopped, state shut down' || return 1
	# Every CPU halted with interrupts off at least once, CPU 3 twice
	# (before and after its restart), and CPUs 2 and 3 waited in HLT.
	[ "$(stat_of 2 hlt)" -ge 2 ] && [ "$(stat_of 3 hlt)" -ge 2 ] &&
		[ "$(stat_of 1 hlt)" -ge 1 ] && cell_gone
}

t_check smp.insmod insmod "$BRIG_KO"
t_check smp.enable brig enable "$SYS"
base=$(pool)
t_check smp.all-cpus-run all_cpus_run
t_check smp.root-works root_works
t_check smp.stats brig cell stats smp
t_check smp.restarts restarts
t_check smp.destroy cell_gone
# The same with the cell's APICs in xAPIC mode: the page is emulated, its
# ICR checked, flat logical ids resolved among the cell's CPUs.
REASON=xapic
t_check smp.xapic-all-cpus-run all_cpus_run xapic=1
t_check smp.xapic-destroy cell_gone
REASON=x2apic_icr
t_check smp.init-outside outside init
t_check smp.sipi-outside outside sipi
t_check smp.nmi-outside outside nmi
t_check smp.xapic-init-outside outside init xapic=1
t_check smp.halt-exits halt_exits
t_check smp.pool-baseline sh -c "[ \$(cat /sys/class/misc/brig/mem_pool_used) = $base ]"
t_check smp.disable brig disable
t_check smp.rmmod rmmod brig
