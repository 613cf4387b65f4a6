# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu bochs-4cpu
# expect: com2.log control: ticks=[0-9]{3,}
# expect: hv.log cell "hostile" \(id [0-9]+\) CPU 2: write at guest-physical 3b200000
# expect: com3.log hostile: EFER.LMA kept after a write without it
# expect: com3.log hostile: registers at start: clean
# expect: com3.log hostile: INVD x1000 done, data kept
# expect: com3.log hostile: debug console hypercall: -1\b
# expect: com3.log hostile: broadcast IPIs: all-but-self 0 here, all 1 here
#
# Fault isolation (issue 5): a hostile inmate in a cell on CPU 2 tries one
# access class per run while a well-behaved cell runs on CPU 1 and the root
# keeps CPUs 0 and 3. Each attack must stop the hostile cell (state
# failed) with the hypervisor console naming the cell, CPU and what was
# touched; the access must have had no effect; the root and the other cell
# carry on; the failed cell can be destroyed and a new one created.
#
# The well-behaved cell runs the control inmate: CPUID on every 1 ms tick,
# one VM exit each, so its CPU's exit count (read through `brig cell
# stats`) growing across an attack shows it kept running, and its reports
# on COM2 (the expect line above) show it kept producing output. Runs on
# QEMU (SVM CPU, VT-d) and on Bochs (VT-x), both with 4 CPUs.

SYS=$(brig_system)
GOOD=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell
BAD=$BRIG_CONF_DIR/$BRIG_BOARD-hostile.cell
INMATES=/lib/brig/inmates
T=/tmp/hostile
mkdir -p $T

# What differs between the boards: the PM timer port (q35's ICH9: 0x608,
# Bochs's PIIX4: 0xb008) and the vendor. On an Intel CPU CLGI is #UD in
# hardware, no VM exit: the inmate's own #UD handler marks it failed and
# the hypervisor has nothing to say; on AMD the hypervisor intercepts it.
# VMLAUNCH is the mirror image: it exits on Intel, is #UD on AMD.
case $BRIG_BOARD in
bochs*) PMT=b008 CLGI_SAYS= VMX_SAYS="VMX instruction" ;;
*) PMT=608 CLGI_SAYS="SVM instruction" VMX_SAYS= ;;
esac

nmis_cpu0() { awk '$1 == "NMI:" { print $2 }' /proc/interrupts; }

# attack NAME CONSOLE-WORDS: run one attack; the cell must end failed and
# the hypervisor console must name it.
attack() {
	name=$1
	shift
	brig cell create "$BAD" || return 1
	brig cell load hostile "$INMATES/hostile.bin" -s "attack=$name" || return 1
	brig console > $T/before
	good_before=$(exits_of hello)
	brig cell start hostile || return 1
	t_wait_for 10 sh -c "brig cell list | grep -q 'hostile *failed'" || {
		echo "hostile cell did not fail: $(state_of hostile)"
		brig console | tail -n 5
		brig cell destroy --force hostile; return 1; }
	brig console > $T/after
	msg=$(diff $T/before $T/after | grep '^+' | grep 'cell "hostile"')
	echo "$msg"
	for w in "$@"; do
		echo "$msg" | grep -qi -- "$w" || { echo "console does not say '$w'"; brig cell destroy hostile; return 1; }
	done
	brig cell destroy hostile || return 1
	[ "$(state_of hello)" = running ] || { echo "the good cell stopped"; return 1; }
	good_after=$(exits_of hello)
	t_log "attack $name: the good cell on CPU 1 took $((good_after - good_before)) VM exits (CPUID ticks) meanwhile"
	[ "$good_after" -gt "$good_before" ] || { echo "the good cell made no progress"; return 1; }
	t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu2/online) = 1 ]"
}

victim_set() {
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=0x3b200000 op=write value=0x1234567812345678 && rmmod hvprobe
}
victim_intact() {
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=0x3b200000 op=read && rmmod hvprobe
	dmesg | grep "hvprobe: read 0x3b200000" | tail -n 1 | grep -q "= 1234567812345678"
}

nmi_attack() {
	before=$(nmis_cpu0)
	attack ipi-nmi "NMI IPI" "CPU 0" || return 1
	after=$(nmis_cpu0)
	echo "CPU 0 NMIs: $before -> $after"
	[ "$before" = "$after" ]
}

# A cell's broadcast IPIs (shorthands) mean its own CPUs: the cell runs on
# (the inmate's line on COM3 says what reached it: nothing, then its own
# CPU), and nothing reached the root (Linux would log a vector it has no
# handler for).
broadcast_own() {
	dmesg > $T/dmesg-before
	polite_run ipi-others || return 1
	dmesg > $T/dmesg-after
	! diff $T/dmesg-before $T/dmesg-after | grep -i "irq handler for vector\|spurious"
}

# A write to EFER that hardware ignores (LMA) must be ignored, not reach
# the guest state: a VM entry that fails stops the CPU in the hypervisor,
# and a CPU that never parks again makes destroy wait forever.
efer_ignored() { polite_run efer; }

ignore_timeout() {
	brig cell create "$BAD" && brig cell load hostile "$INMATES/hostile.bin" -s "attack=ignore" &&
		brig cell start hostile || return 1
	sleep 1
	# Stopped and failed, and the command says so (it used to exit 0).
	if out=$(brig cell shutdown hostile 2>&1); then
		echo "shutdown exited 0: $out"; brig cell destroy hostile; return 1
	fi
	echo "$out"
	s=$(state_of hostile)
	echo "after an unanswered shutdown request: $s"
	brig console | tail -n 3
	brig cell destroy hostile || return 1
	echo "$out" | grep -q "did not answer the shutdown request in time" &&
		[ "$s" = failed ]
}

# polite_run ATTACK: run an attack that must leave the cell running; the
# cell's CPU exits by reason go to $T/stats before destroy.
polite_run() {
	brig cell create "$BAD" && brig cell load hostile "$INMATES/hostile.bin" -s "attack=$1" &&
		brig cell start hostile || return 1
	sleep 2
	s=$(state_of hostile)
	echo "after attack $1: $s"
	brig cell stats hostile > $T/stats
	brig cell destroy hostile || return 1
	t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu2/online) = 1 ]" || return 1
	[ "$s" = running ]
}

# The CPU comes to the cell with nothing of the root in the registers no
# VM switch covers (the inmate reports them on COM3: the expect line).
registers_scrubbed() {
	# Something for the root to leave behind: SSE-using work on CPU 2.
	taskset -c 2 sh -c 'i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done'
	polite_run leak
}

# INVD is intercepted on both vendors and carried out as WBINVD.
invd_intercepted() {
	polite_run invd || return 1
	n=$(awk '$1 == "other" { print $2 }' $T/stats)
	echo "INVD x1000: $n exits counted as other"
	[ "${n:-0}" -ge 1000 ]
}

dirty_cpu() {
	brig cell create "$BAD" && brig cell load hostile "$INMATES/hostile.bin" -s "attack=dirty" &&
		brig cell start hostile || return 1
	sleep 1
	brig cell destroy hostile || return 1
	t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu2/online) = 1 ]" || return 1
	# The root uses the CPU normally: work pinned to it finishes.
	taskset -c 2 sh -c 'i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done; echo done' | grep -q done &&
		[ "$(taskset -c 2 cpuid-sig)" = brigbrigbrig ]
}

t_check hostile.insmod insmod "$BRIG_KO"
t_check hostile.victim-pattern victim_set
t_check hostile.enable brig enable "$SYS"
t_check hostile.good-cell sh -c "brig cell create $GOOD && brig cell load hello $INMATES/control.bin -s period-us=1000 && brig cell start hello"
base=$(cat /sys/class/misc/brig/mem_pool_used)

t_check hostile.mem attack mem "write" "3b200000"
t_check hostile.mem-no-effect victim_intact
t_check hostile.hv-region attack hv "read" "3a000000"
t_check hostile.port attack port "I/O port 3f8"
t_check hostile.pmtimer-write attack pmtimer "write of I/O port $PMT"
t_check hostile.msr attack msr "MSR 2ff"
t_check hostile.efer-lma-ignored efer_ignored
t_check hostile.ipi-physical attack ipi-phys "IPI" "CPU 0"
t_check hostile.ipi-logical attack ipi-logical "IPI" "CPU 0"
t_check hostile.ipi-broadcast-own-cpus broadcast_own
t_check hostile.ipi-nmi nmi_attack
t_check hostile.ipi-init attack ipi-init "INIT IPI"
t_check hostile.pci-cf8 attack pci "I/O port cf8"
t_check hostile.pci-mmconfig attack mmcfg "b0000000"
t_check hostile.ioapic attack ioapic "fec00000"
t_check hostile.clgi attack clgi $CLGI_SAYS
t_check hostile.vmx attack vmx $VMX_SAYS
t_check hostile.shutdown-timeout ignore_timeout
t_check hostile.dirty-cpu dirty_cpu
t_check hostile.registers-scrubbed registers_scrubbed
t_check hostile.invd-intercepted invd_intercepted
t_check hostile.debug-console-refused polite_run putc
t_check hostile.pool-baseline sh -c "[ \$(cat /sys/class/misc/brig/mem_pool_used) = $base ]"
t_check hostile.good-cell-destroy brig cell destroy hello
t_check hostile.disable brig disable
t_check hostile.rmmod rmmod brig
