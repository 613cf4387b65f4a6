# SPDX-License-Identifier: GPL-2.0
# boards: none (run by `make demo`, not by the suites)
#
# The main job, as a user would do it on the board: load the driver, enable
# brig so the running Linux becomes the root cell, show that every CPU is
# now a guest, create a cell on CPU 1 running the latency inmate (its
# output goes to COM2), watch its VM-exit counters stay at zero while it
# takes its timer interrupts, destroy it, show the hypervisor's console and
# disable it again. Everything the commands print goes to the kernel log,
# so it reaches the board's console on every board.

SYS=$(brig_system)

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
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell
t_check demo.cell-create demo_show brig cell create "$CELL"
demo_show brig cell load hello /lib/brig/inmates/latency.bin -s "period-us=1000"
t_check demo.cell-start demo_show brig cell start hello
demo_show brig cell list
for i in 1 2 3; do
	sleep 2
	demo_show brig cell stats hello
done
demo_show brig stats
t_check demo.cell-destroy demo_show brig cell destroy hello
demo_show brig console
t_check demo.disable demo_show brig disable
demo_show demo_cpus
t_check demo.rmmod rmmod brig
