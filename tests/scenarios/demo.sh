# SPDX-License-Identifier: GPL-2.0
# boards: none (run by `make demo`, not by the suites)
#
# The main job, as a user would do it on the board: load the driver, enable
# brig so the running Linux becomes the root cell, show that every CPU is
# now a guest, put some load on the CPUs, and show the hypervisor's state,
# console and exit counters before disabling it again. Everything the
# commands print goes to the kernel log, so it reaches the board's console
# on every board.

SYS=$BRIG_CONF_DIR/$BRIG_BOARD-${BRIG_CPUS}cpu.cell
[ -f "$SYS" ] || SYS=$BRIG_CONF_DIR/$BRIG_BOARD.cell

demo_show() { # COMMAND...: run it, its output into the kernel log
	echo "\$ $*" > /dev/kmsg
	"$@" 2>&1 | while IFS= read -r line; do echo "  $line" > /dev/kmsg; done
}

demo_cpus() {
	for c in $(seq 0 $((BRIG_CPUS - 1))); do
		echo "cpu$c: CPUID 0x40000000 = $(taskset -c "$c" cpuid-sig)"
	done
}

demo_load() { # a few seconds of arithmetic and sleeps on every CPU
	for c in $(seq 0 $((BRIG_CPUS - 1))); do
		taskset -c "$c" sh -c 'end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do usleep 2000; done' &
	done
	wait
}

t_check demo.insmod insmod "$BRIG_KO"
demo_show demo_cpus
t_check demo.enable demo_show brig enable "$SYS"
demo_show demo_cpus
demo_load
demo_show brig info
demo_show brig stats
demo_show brig console
t_check demo.disable demo_show brig disable
demo_show demo_cpus
t_check demo.rmmod rmmod brig
