# SPDX-License-Identifier: GPL-2.0
# boards: bochs
# expect: com2.log Hello from a brig inmate
# expect: com2.log latency: ticks=[0-9]{2,}
# expect: com2.log control: ticks=[0-9]{2,}
#
# Cells under Intel VT-x/EPT (issue 5, the Bochs half): the scenarios of
# cells.sh and hostile.sh with the VMX backend, on the Bochs board with 2
# CPUs (the root keeps CPU 0, cells take CPU 1). The root runs its local
# APICs in xAPIC mode there; the inmates switch their CPU to x2APIC, and
# it stays in x2APIC mode after the cell, with Linux's xAPIC accesses
# translated (Bochs cannot enable an APIC again once it was globally
# disabled, the only way from x2APIC back to xAPIC). Every destroy gives
# the CPU back to Linux (checked: online, running under brig); disable
# takes it offline, lets it go, and Linux's real INIT resets its APIC.
#
# Bochs runs guest time at roughly 1/130 of real time (a guest `sleep 1`
# takes over two minutes, busy or idle), so the windows are short and the
# inmates report every 200 ms: the latency inmate must show zero VM exits
# on its CPU over a window in which it takes its timer interrupts (the
# counts are printed; COM2 has its tick count), the control inmate about
# one exit per tick. The 4-CPU checks of hostile.sh (a good cell running
# beside the hostile one) stay on QEMU: Bochs with 4 CPUs is slower still.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell
INMATES=/lib/brig/inmates
CPU=1
T=/tmp/cells-vmx
mkdir -p $T

cell_state() { brig cell list | awk '$2 == "hello" { print $3 }'; }
exits() { cat /sys/class/misc/brig/cpus/cpu$CPU/total; }
pool() { cat /sys/class/misc/brig/mem_pool_used; }

# cell_run IMAGE [ARGS]: create, load, start the hello cell with IMAGE
cell_run() {
	brig cell create "$CELL" || return 1
	[ "$(cat /sys/devices/system/cpu/cpu$CPU/online)" = 0 ] || {
		echo "CPU $CPU still online in Linux"; return 1; }
	brig cell load hello "$INMATES/$1" ${2:+-s "$2"} && brig cell start hello &&
		t_wait_for 5 sh -c "brig cell list | grep -q 'hello *running'"
}

cell_gone() {
	brig cell destroy hello || return 1
	t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu$CPU/online) = 1 ]" || {
		echo "CPU $CPU did not come back online"; return 1; }
	s=$(taskset -c $CPU cpuid-sig)
	echo "CPU $CPU back in Linux: $s"
	[ "$s" = brigbrigbrig ]
}

# exits_over SECONDS: the cell CPU's VM exits over that much guest time
exits_over() {
	a=$(exits)
	sleep "$1"
	echo $(($(exits) - a))
}

zero_exits() {
	n=$(exits_over 0.3)
	t_log "latency inmate (VMX): $n VM exits on CPU $CPU in 0.3 s of guest time (ticks on COM2)"
	brig cell stats hello > /dev/kmsg
	[ "$n" = 0 ]
}

control_exits() {
	n=$(exits_over 0.3)
	t_log "control inmate (VMX): $n VM exits on CPU $CPU in 0.3 s of guest time (CPUID on every 1 ms tick)"
	[ "$n" -ge 100 ]
}

root_works() {
	taskset -c 0 sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo root CPU 0 works'
}

# attack NAME WORDS...: the hostile inmate in the hello cell; it must end
# failed with the hypervisor console saying WORDS.
attack() {
	name=$1
	shift
	brig console > $T/before
	brig cell create "$CELL" && brig cell load hello "$INMATES/hostile.bin" -s "attack=$name" &&
		brig cell start hello || return 1
	t_wait_for 10 sh -c "brig cell list | grep -q 'hello *failed'" || {
		echo "hostile cell did not fail: $(cell_state)"; brig console | tail -n 5
		brig cell destroy --force hello; return 1; }
	brig console > $T/after
	msg=$(diff $T/before $T/after | grep '^+' | grep 'cell "hello"')
	echo "$msg"
	for w in "$@"; do
		echo "$msg" | grep -qi -- "$w" || { echo "console does not say '$w'"; cell_gone; return 1; }
	done
	cell_gone
}

victim() { # op [value]
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=0x3b200000 op=$1 ${2:+value=$2} && rmmod hvprobe
}
victim_intact() {
	victim read
	dmesg | grep "hvprobe: read 0x3b200000" | tail -n 1 | grep -q "= 1234567812345678"
}

# A CPU left dirty (APIC timer firing into masked vectors, odd PAT and
# MTRR wishes) is scrubbed on destroy: Linux takes it back and uses it.
dirty_cpu() {
	brig cell create "$CELL" && brig cell load hello "$INMATES/hostile.bin" -s "attack=dirty" &&
		brig cell start hello || return 1
	t_wait_for 5 sh -c "brig cell list | grep -q 'hello *running'" || return 1
	sleep 0.1
	cell_gone || return 1
	taskset -c $CPU sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; echo done' | grep -q done
}

cycles() {
	for i in $(seq "$1"); do
		cell_run hello.bin > /dev/null && cell_gone > /dev/null || {
			echo "cycle $i failed"; return 1; }
		[ "$(pool)" = "$base" ] || { echo "cycle $i: pool $(pool), baseline $base"; return 1; }
	done
	echo "$1 cycles, pool back to $base pages every time"
}

t_check cells-vmx.insmod insmod "$BRIG_KO"
t_check cells-vmx.victim-pattern victim write 0x1234567812345678
t_check cells-vmx.enable brig enable "$SYS"
base=$(pool)
t_check cells-vmx.hello-run cell_run hello.bin "greeting=from-root"
t_check cells-vmx.root-works root_works
t_check cells-vmx.hello-destroy cell_gone
t_check cells-vmx.latency-run cell_run latency.bin "period-us=1000 report-ms=200"
t_check cells-vmx.latency-zero-exits zero_exits
t_check cells-vmx.latency-destroy cell_gone
t_check cells-vmx.control-run cell_run control.bin "period-us=1000 report-ms=200"
t_check cells-vmx.control-one-exit-per-tick control_exits
t_check cells-vmx.control-destroy cell_gone
t_check cells-vmx.hostile-mem attack mem "write" "3b200000"
t_check cells-vmx.hostile-mem-no-effect victim_intact
t_check cells-vmx.hostile-port attack port "I/O port 3f8"
t_check cells-vmx.hostile-msr attack msr "MSR 2ff"
t_check cells-vmx.hostile-ipi attack ipi-phys "IPI" "CPU 0"
t_check cells-vmx.hostile-vmx attack vmx "VMX instruction"
t_check cells-vmx.hostile-hv attack hv "read" "3a000000"
t_check cells-vmx.hostile-ipi-init attack ipi-init "INIT IPI"
t_check cells-vmx.dirty-cpu dirty_cpu
t_check cells-vmx.3-cycles cycles 3
t_check cells-vmx.pool-baseline sh -c "[ \$(cat /sys/class/misc/brig/mem_pool_used) = $base ]"
t_check cells-vmx.disable brig disable
t_check cells-vmx.rmmod rmmod brig
