# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi qemu-vtd-4cpu
#
# The hypervisor under a running Linux (issue 3): enable, Linux carries on
# as the root cell on every CPU, the hypervisor region is out of the root's
# reach, CPUs go offline and online, Linux's NMIs still reach Linux, disable
# returns every CPU to native mode, round trips leak nothing, and every bad
# request is refused with a reason and changes nothing.

HV_PHYS=0x3a000000
SIG=brigbrigbrig
T=/tmp/hv
mkdir -p $T

SYS=$(brig_system)

hv_cpus() { # online CPUs, one a line
	for d in /sys/devices/system/cpu/cpu[0-9]*; do
		c=${d##*cpu}
		[ "$c" = 0 ] || [ "$(cat "$d/online")" = 1 ] && echo "$c"
	done
}

# hv_sig_all WANT: every online CPU's CPUID says WANT (or not SIG for "!")
hv_sig_all() {
	for c in $(hv_cpus); do
		s=$(taskset -c "$c" cpuid-sig)
		echo "cpu$c: $s"
		if [ "$1" = "!" ]; then
			[ "$s" != "$SIG" ] || return 1
		else
			[ "$s" = "$1" ] || return 1
		fi
	done
}

hv_exits() { cat "/sys/class/misc/brig/cpus/cpu$1/total"; }

# LOC (local timer) interrupts of CPU $1: its column among the online CPUs
hv_loc() {
	awk -v cpu="CPU$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == cpu) n = i }
		$1 == "LOC:" { print $(n + 1) }' /proc/interrupts
}

# hv_work SECONDS: arithmetic, short sleeps and timer ticks on every CPU.
hv_work() {
	rm -f $T/work.*
	for c in $(hv_cpus); do
		taskset -c "$c" sh -c "end=\$((\$(date +%s) + $1)); n=0
			while [ \$(date +%s) -lt \$end ]; do
				i=0; while [ \$i -lt 2000 ]; do i=\$((i + 1)); done
				n=\$((n + 1)); usleep 5000
			done; echo \$n > $T/work.$c" &
	done
	wait
	for c in $(hv_cpus); do
		[ -s $T/work.$c ] || { echo "no result from CPU $c"; return 1; }
		echo "cpu$c: $(cat $T/work.$c) rounds"
	done
}

# hv_progress: workload, then every CPU's exits and timer ticks went up
hv_progress() {
	for c in $(hv_cpus); do
		echo "$(hv_exits "$c") $(hv_loc "$c")" > $T/before.$c
	done
	hv_work 10 || return 1
	for c in $(hv_cpus); do
		set -- $(cat $T/before.$c)
		e=$(hv_exits "$c")
		l=$(hv_loc "$c")
		echo "cpu$c: exits $1 -> $e, LOC $2 -> $l"
		[ "$e" -gt "$1" ] && [ "$l" -gt "$2" ] || return 1
	done
}

hv_probe() { # OP [VALUE]: hvprobe on the region's first word; prints the read
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=$HV_PHYS op="$1" ${2:+value=$2} || return 1
	rmmod hvprobe
	dmesg | grep "hvprobe: read" | tail -n 1 | sed 's/.* = //'
}

hv_region_before() {
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=$HV_PHYS op=write value=0x5a5aa5a55a5aa5a5 &&
		rmmod hvprobe || return 1
	v=$(hv_probe read)
	echo "read back $v"
	[ "$v" = 5a5aa5a55a5aa5a5 ]
}

hv_region_hidden() {
	v=$(hv_probe read)
	echo "root reads $v at $HV_PHYS while brig runs"
	[ "$v" = ffffffffffffffff ] || return 1
	brig console | grep -i "$(echo ${HV_PHYS#0x}) denied" || return 1
}

hv_region_write_dropped() {
	hv_probe write 0x1122334455667788 >/dev/null || return 1
	v=$(hv_probe read)
	[ "$v" = ffffffffffffffff ]
}

# bad-input helpers: a copy of the description with bytes patched
hv_patch() { # FILE OFFSET PRINTF-BYTES
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

hv_iomem_same() { cat /proc/iomem | diff "$T/iomem.0" - ; }

hv_meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# hv_roundtrips N: enable/disable N times; pool use after enable identical,
# Linux's memory back within noise, /proc/iomem unchanged.
hv_roundtrips() {
	first_pool=
	for i in $(seq "$1"); do
		brig enable "$SYS" >/dev/null || return 1
		pool=$(cat /sys/class/misc/brig/mem_pool_used)
		brig disable >/dev/null || return 1
		[ -n "$first_pool" ] || first_pool=$pool
		[ "$pool" = "$first_pool" ] || { echo "cycle $i: pool $pool, first $first_pool"; return 1; }
		[ "$i" = 1 ] && { m1=$(hv_meminfo MemAvailable); s1=$(hv_meminfo Slab); v1=$(hv_meminfo VmallocUsed); }
	done
	m=$(hv_meminfo MemAvailable); s=$(hv_meminfo Slab); v=$(hv_meminfo VmallocUsed)
	echo "pool used after every enable: $first_pool pages"
	echo "MemAvailable $m1 -> $m kB, Slab $s1 -> $s kB, VmallocUsed $v1 -> $v kB"
	# noise: page cache and slab churn of the shell itself, well under 2 MiB
	[ $((m1 - m)) -lt 2048 ] && [ $((s - s1)) -lt 2048 ] && [ $((v - v1)) -lt 2048 ] || return 1
	hv_iomem_same
}

hv_hotplug() {
	for c in $(hv_cpus); do
		[ "$c" = 0 ] && continue
		echo 0 > /sys/devices/system/cpu/cpu$c/online || return 1
		echo 1 > /sys/devices/system/cpu/cpu$c/online || return 1
		s=$(taskset -c "$c" cpuid-sig)
		echo "cpu$c back online: $s"
		[ "$s" = "$SIG" ] || return 1
	done
	hv_work 3
}

# A CPU parked offline inside the hypervisor cannot leave: disable says so.
hv_disable_offline() {
	last=$(hv_cpus | tail -n 1)
	echo 0 > /sys/devices/system/cpu/cpu$last/online || return 1
	if brig disable > $T/disable.out 2>&1; then
		echo 1 > /sys/devices/system/cpu/cpu$last/online
		echo "disable succeeded with CPU $last offline"; return 1
	fi
	cat $T/disable.out
	echo 1 > /sys/devices/system/cpu/cpu$last/online || return 1
	grep -q "bring it online" $T/disable.out && hv_sig_all "$SIG"
}

hv_backtrace() {
	dmesg -c >/dev/null
	echo l > /proc/sysrq-trigger
	sleep 2
	for c in $(hv_cpus); do
		dmesg | grep -E "NMI backtrace for cpu $c( |$)" || {
			echo "no backtrace from CPU $c"; dmesg | tail -n 20; return 1; }
	done
}

# KVM must find AMD-V taken and give up cleanly: 6.12 enables AMD-V as it
# loads and fails to load (EFER.SVME reads set: -EBUSY); 6.1 enables it
# only for its first VM, so it loads, but creating a VM fails.
hv_kvm() {
	insmod /lib/modules/kvm/irqbypass.ko 2>/dev/null
	insmod /lib/modules/kvm/ccp.ko 2>/dev/null
	insmod /lib/modules/kvm/kvm.ko || return 1
	dmesg -c >/dev/null
	if insmod /lib/modules/kvm/kvm-amd.ko; then
		if kvm-vm; then
			echo "KVM created a VM although brig holds AMD-V"
			rmmod kvm_amd; rmmod kvm; return 1
		fi
		rmmod kvm_amd
	fi
	dmesg | grep -iE "enabling virtualization on CPU[0-9]+ failed" || {
		echo "KVM failed for another reason:"; dmesg | tail -n 5; return 1; }
	rmmod kvm
	hv_sig_all "$SIG"
}

cp /proc/iomem $T/iomem.0
t_check hv.insmod insmod "$BRIG_KO"
t_check hv.system-description test -n "$SYS"
t_expect_fail hv.disable-not-enabled "not enabled" brig disable
t_check hv.region-pattern-before hv_region_before

# Bad input, before anything runs: each refused with a reason.
head -c 100 "$SYS" > $T/truncated.cell
t_expect_fail hv.truncated-tool "truncated" brig enable $T/truncated.cell
t_expect_fail hv.truncated-driver "too small" brig enable --skip-tool-check $T/truncated.cell
cp "$SYS" $T/badsig.cell; hv_patch $T/badsig.cell 0 'X'
t_expect_fail hv.bad-signature "signature" brig enable --skip-tool-check $T/badsig.cell
cp "$SYS" $T/badrev.cell; hv_patch $T/badrev.cell 8 '\143'
t_expect_fail hv.bad-revision "revision" brig enable --skip-tool-check $T/badrev.cell
cp "$SYS" $T/badarch.cell; hv_patch $T/badarch.cell 10 '\002'
t_expect_fail hv.bad-architecture "architecture" brig enable --skip-tool-check $T/badarch.cell
# hypervisor region at 64 GiB: outside the root and not reserved memory
cp "$SYS" $T/unreserved.cell
hv_patch $T/unreserved.cell 16 '\000\000\000\000\020\000\000\000'
t_expect_fail hv.region-not-reserved "memmap=" brig enable --skip-tool-check $T/unreserved.cell
if [ "$BRIG_CPUS" = 2 ]; then other=$BRIG_CONF_DIR/$BRIG_BOARD.cell; else other=$BRIG_CONF_DIR/$BRIG_BOARD-2cpu.cell; fi
t_expect_fail hv.cpu-set-mismatch "CPU" brig enable "$other"
if insmod "$BRIG_TEST_MODULES/svme.ko"; then
	t_expect_fail hv.svm-in-use "another hypervisor" brig enable "$SYS"
	rmmod svme
else
	t_fail hv.svm-in-use "svme.ko did not load"
fi
hv_nothing_changed() {
	hv_sig_all "!" && ! grep -q "brig hypervisor" /proc/iomem &&
		[ "$(cat /sys/class/misc/brig/enabled)" = 0 ]
}
t_check hv.nothing-changed hv_nothing_changed

# Enable: Linux carries on as the root cell on every CPU.
t_check hv.enable brig enable "$SYS"
t_check hv.info brig info
t_expect_fail hv.enable-twice "already enabled" brig enable "$SYS"
t_check hv.cpuid-every-cpu hv_sig_all "$SIG"
t_check hv.workload-every-cpu hv_progress
t_check hv.region-hidden hv_region_hidden
t_check hv.region-write-dropped hv_region_write_dropped
t_expect_fail hv.rmmod-refused "unload" rmmod brig
t_check hv.kvm-refused hv_kvm
t_check hv.nmi-backtraces hv_backtrace
# x2APIC roots (VT-d board) have their ICR writes trapped, xAPIC roots
# (AMD-Vi board, Bochs) their APIC page: INIT/SIPI are emulated either way.
t_check hv.cpu-hotplug hv_hotplug
t_check hv.disable-refused-cpu-offline hv_disable_offline
brig stats > /dev/kmsg
brig console > $T/console.txt; cat $T/console.txt > /dev/kmsg

# Disable while a workload runs; then round trips.
hv_work 6 > $T/work-across-disable.log 2>&1 &
workpid=$!
sleep 2
t_check hv.disable brig disable
t_check hv.native-every-cpu hv_sig_all "!"
t_check hv.workload-across-disable wait $workpid
t_check hv.roundtrips hv_roundtrips 10

# Linux keeps its AMD-V after brig: KVM loads once brig is disabled,
# even though CPUs were taken offline and online while brig ran.
hv_kvm_after() {
	insmod /lib/modules/kvm/irqbypass.ko 2>/dev/null
	insmod /lib/modules/kvm/ccp.ko 2>/dev/null
	insmod /lib/modules/kvm/kvm.ko 2>/dev/null
	insmod /lib/modules/kvm/kvm-amd.ko || { dmesg | tail -n 5; return 1; }
	rmmod kvm_amd && rmmod kvm
}
t_check hv.kvm-after-disable hv_kvm_after
t_check hv.rmmod rmmod brig
