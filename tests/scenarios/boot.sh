# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi bochs
#
# Harness self-test: the board booted the kernel the runner asked for, with
# the CPUs it asked for, and the marker path from the guest to the host works.
# Needs nothing from brig, so it tells harness trouble from brig trouble.

t_log "uname -r: $(uname -r)"
t_check boot.kernel-release test -n "$(uname -r)"
t_check boot.cpus-online test "$(grep -c ^processor /proc/cpuinfo)" -eq "$BRIG_CPUS"
t_check boot.board-known test "$BRIG_BOARD" != unknown

# boot_firmware_in_hole: log firmware ranges of the BIOS e820 map inside the
# hypervisor's hole. On both boards the firmware keeps its tables at the top
# of the 1 GiB (Bochs: ACPI data at 0x3fff0000; QEMU: 0x3ffdf000 reserved),
# which memmap= cannot move, so a config must not hand those pages to a cell.
boot_firmware_in_hole() {
	dmesg | sed -n 's/.*BIOS-e820: \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] \(.*\)/\1 \2 \3/p' |
	while read -r start end what; do
		[ "$what" != usable ] || continue
		[ $((0x$end)) -lt $((0x3a000000)) ] || [ $((0x$start)) -gt $((0x3fffffff)) ] ||
			t_log "WARNING: the hypervisor hole overlaps firmware memory $start-$end ($what)"
	done
}
boot_firmware_in_hole

# boot_hole: the hypervisor's hole (memmap=96M$0x3a000000, run.sh) is not
# Linux's System RAM, and it shows as Reserved.
boot_hole() {
	lo=$((0x3a000000))
	hi=$((0x3fffffff))
	reserved=0
	while IFS= read -r line; do
		case $line in " "*) continue ;; esac	# top-level ranges only
		range=${line%% : *}
		what=${line#* : }
		start=$((0x${range%-*}))
		end=$((0x${range#*-}))
		[ "$end" -lt "$lo" ] || [ "$start" -gt "$hi" ] && continue
		case $what in
		"System RAM") echo "System RAM in the hole: $line"; return 1 ;;
		Reserved) reserved=1 ;;
		esac
	done </proc/iomem
	[ $reserved = 1 ] || { echo "no Reserved range at 0x3a000000"; return 1; }
}
t_check boot.reserved-region boot_hole
