# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd bochs
#
# `brig cell` requests that must be refused without any cell running
# (issue 5): each fails with a sentence that says why, and none changes
# anything: every CPU stays online in Linux, no cell appears in sysfs, and
# brig disables cleanly afterwards (disable is refused while cells exist,
# so a left-over cell would show there too).

T=/tmp/cell-cli
mkdir -p $T

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell

# A copy of the hello cell with bytes patched (layout: include/brig/config.h;
# the cpu set starts at 128, memory region 0 at 136 with a cpu_set_size
# of 8).
cc_patch() { # OUT OFFSET PRINTF-BYTES
	cp "$CELL" "$1" &&
		printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# Every CPU is online in Linux.
cc_all_online() {
	for d in /sys/devices/system/cpu/cpu[0-9]*; do
		[ -f "$d/online" ] || continue # CPU 0 has no switch
		[ "$(cat "$d/online")" = 1 ] || { echo "${d##*/} is offline"; return 1; }
	done
}

# Only the root cell exists: id 0, the system's root cell, running.
cc_only_root() {
	brig cell list > $T/list.out || return 1
	cat $T/list.out
	[ "$(ls /sys/class/misc/brig/cells)" = 0 ] || return 1
	awk 'NR == 2 && $1 == 0 && $3 == "running" { ok = 1 } END { exit !ok }' $T/list.out
}

cc_nothing_changed() {
	cc_all_online && cc_only_root
}

printf 'not an inmate' > $T/x.bin
# CPU 63: no root cell CPU on any board this runs on.
cc_patch $T/foreign-cpu.cell 135 '\200'
# RAM at 16 MiB: Linux's own System RAM, not the reserved pool.
cc_patch $T/foreign-mem.cell 136 '\000\000\000\001\000\000\000\000'
# CPU 0: Linux booted on it.
cc_patch $T/cpu0.cell 128 '\001'

t_check cell-cli.insmod insmod "$BRIG_KO"
t_expect_fail cell-cli.not-enabled "not enabled" brig cell start hello
t_check cell-cli.enable brig enable "$SYS"
t_check cell-cli.root-listed cc_only_root

t_expect_fail cell-cli.load-unknown 'no cell named "nosuchcell"' \
	brig cell load nosuchcell $T/x.bin
t_expect_fail cell-cli.start-unknown 'no cell named "nosuch"' \
	brig cell start nosuch
t_expect_fail cell-cli.destroy-unknown-id "no cell with id 42" \
	brig cell destroy 42
t_expect_fail cell-cli.destroy-root "root cell" brig cell destroy 0
t_expect_fail cell-cli.destroy-root-by-name "root cell" \
	brig cell destroy "$(cat /sys/class/misc/brig/cells/0/name)"
t_expect_fail cell-cli.shutdown-root "root cell" brig cell shutdown 0 --force
t_expect_fail cell-cli.create-system "is a system description" \
	brig cell create "$SYS"
t_expect_fail cell-cli.create-foreign-cpu "CPU 63 is not one of the root cell's CPUs" \
	brig cell create $T/foreign-cpu.cell
t_check cell-cli.foreign-cpu-nothing-changed cc_nothing_changed
t_expect_fail cell-cli.create-foreign-memory "not inside a reserved RAM region of the root cell" \
	brig cell create $T/foreign-mem.cell
t_expect_fail cell-cli.create-cpu0 "CPU 0 stays with the root cell" \
	brig cell create $T/cpu0.cell
t_check cell-cli.nothing-changed cc_nothing_changed

t_check cell-cli.disable brig disable
t_check cell-cli.no-cells-after-disable test -z "$(ls /sys/class/misc/brig/cells)"
t_check cell-cli.rmmod rmmod brig
