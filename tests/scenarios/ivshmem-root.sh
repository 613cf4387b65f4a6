# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu qemu-amdvi-4cpu bochs-4cpu
# qemu-args: -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x11,chassis=1 -device pcie-root-port,id=rp2,bus=pcie.0,addr=0x12,chassis=2
# expect: com2.log ivshmem: answered 10000 messages, every payload checked, 0 errors
# expect: com2.log ivshmem: peer 0 state 0
# expect: com3.log latency: histogram in peer 1's output section of the channel
# expect: hv.log root cell CPU [0-9]+: write of the state table of ivshmem channel 2 \(read-only\) at 3c040000 dropped
# expect: hv.log root cell CPU [0-9]+: write of peer 1's output section of ivshmem channel 2 \(read-only\) at 3c043000 dropped
#
# The root cell as a channel peer (issue 14): the system description
# (*-ivshmem-root.dts) makes Linux peer 0 of channel 2, whose peer 1 is
# cell ivshmem-c (CPU 1, console COM2, configs/x86/*-ivshmem-c.dts). brig
# puts the device into Linux's PCI tree at enable (00:0f.0; 01:00.0 on VT-d), brig_ivshmem.ko
# binds it as a UIO device, and brig-pingpong (tools/) plays 10,000
# messages against the ivshmem inmate, every payload checked on both
# sides. Measured: the cell's exits per message (it sends one doorbell per
# answer and takes the root's doorbells without an exit: asserted), the
# root's (reported by reason, not asserted: waking the reader costs
# reschedule IPIs and, on the xAPIC boards, EOIs that trap). Then the
# root's writes where the model says read-only are dropped and reported,
# an MSI-X entry of the root aimed at a cell's CPU is refused and
# reported, the cell's leaving is seen by the root (state 0, an event),
# and taking the device away under a process that maps it (a removal
# through sysfs, brig disable) revokes the mappings: the process faults
# and says so, the kernel logs no WARNING.

SYS=$(brig_system_variant ivshmem-root)
C=$BRIG_CONF_DIR/$BRIG_BOARD-ivshmem-c.cell
BIN=/lib/brig/inmates/ivshmem.bin
# The root's function of channel 2 and its BARs (registers, then MSI-X
# table): on the VT-d board behind a root port that QEMU's DMAR scope
# covers (qemu-x86-vtd-root-ivshmem.dtsi), elsewhere on bus 0.
case $BRIG_IOMMU in
intel-iommu) BDF=0000:01:00.0 BAR=fe800000 ;;
*) BDF=0000:00:0f.0 BAR=d0000000 ;;
esac
MSIX1=0x$(printf %x $((0x$BAR + 0x1010))) # MSI-X entry 1's address low
MSIX1_DATA=0x$(printf %x $((0x$BAR + 0x1018))) # and its data
MSIX1_CTRL=0x$(printf %x $((0x$BAR + 0x101c))) # and its vector control
COUNT=10000
T=/tmp/ivshmem-root
mkdir -p $T
dmesg > $T/dmesg.start

start_c() { # CMDLINE
	brig cell create "$C" && brig cell load ivshmem-c "$BIN" -s "$1" &&
		brig cell start ivshmem-c
}

# Whether Linux gave the function MSI-X. On the VT-d board only because
# the function sits behind a root port: QEMU's DMAR table lists the
# devices present at boot one by one, and Linux gives MSI only to
# functions a remapping unit's scope covers (docs/ivshmem.md).
has_irqs() { [ -d /sys/bus/pci/devices/$BDF/msi_irqs ]; }

uio_dev() {
	for _u in /sys/bus/pci/devices/$BDF/uio/uio*; do
		[ -e "$_u" ] && { echo "/dev/${_u##*/}"; return 0; }
	done
	return 1
}

# The device in Linux's tree, bound, its BARs where the description says.
device_shown() {
	ls /sys/bus/pci/devices/$BDF/ || return 1
	echo "vendor $(cat /sys/bus/pci/devices/$BDF/vendor) device $(cat /sys/bus/pci/devices/$BDF/device) class $(cat /sys/bus/pci/devices/$BDF/class)"
	echo "driver: $(readlink /sys/bus/pci/devices/$BDF/driver)"
	grep -i "$BAR" /proc/iomem
	u=$(uio_dev) || { echo "no UIO device"; return 1; }
	for m in /sys/class/uio/${u#/dev/}/maps/map*; do
		echo "${m##*/}: $(cat $m/name) addr $(cat $m/addr) size $(cat $m/size)"
	done
	[ "$(cat /sys/bus/pci/devices/$BDF/vendor)" = 0x110a ] &&
		[ "$(cat /sys/bus/pci/devices/$BDF/device)" = 0x4106 ] &&
		[ "$(cat /sys/bus/pci/devices/$BDF/class)" = 0xff4000 ] &&
		readlink /sys/bus/pci/devices/$BDF/driver | grep -q brig_ivshmem &&
		grep -q "$BAR-$(printf %x $((0x$BAR + 0xfff))) : $BDF" /proc/iomem &&
		[ "$(cat /sys/class/uio/${u#/dev/}/maps/map1/addr)" = 0x000000003c040000 ]
}

# cpu0_exits: "reason count" for root CPU 0, from brig stats.
cpu0_exits() {
	brig stats | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cpu0") c = i; next }
		c { print $1, $c }'
}

# The tool and the device's interrupts on root CPU 0, one-shot mode off.
pin_irqs() {
	for irq in $(awk '/brig-ivshmem/ { sub(":", "", $1); print $1 }' /proc/interrupts); do
		echo 0 > /proc/irq/$irq/smp_affinity_list || return 1
	done
}

pingpong() {
	brig config check "$SYS" "$C" || return 1
	start_c "count=$COUNT" || return 1
	pin_irqs || return 1
	t_wait_for 30 sh -c "[ \$(peek 0x3c040000 | cut -c8) = 1 ]" ||
		echo "(cell's state not yet 1 in the table)"
	cpu0_exits > $T/root.before
	brig cell stats ivshmem-c > $T/c.before
	taskset 1 brig-pingpong -n $COUNT > $T/pingpong.out 2>&1
	rc=$?
	cpu0_exits > $T/root.after
	brig cell stats ivshmem-c > $T/c.after
	cat $T/pingpong.out
	t_log "$(grep "round trips per second" $T/pingpong.out) ($BRIG_BOARD $BRIG_IOMMU, $(has_irqs && echo interrupts || echo polling))"
	[ $rc = 0 ] && grep -q "$COUNT round trips, every payload checked, 0 errors" $T/pingpong.out
}

# The cell: one mmio exit (its doorbell) per answer plus set-up, nothing
# for receiving. The root, CPU 0: every reason's growth per message.
exits_per_message() {
	mmio=$(awk '$1 == "mmio" { print $2 }' $T/c.after)
	m0=$(awk '$1 == "mmio" { print $2 }' $T/c.before)
	total=$(awk '$1 == "total" { print $2 }' $T/c.after)
	t0=$(awk '$1 == "total" { print $2 }' $T/c.before)
	d_mmio=$((mmio - m0)) d_rest=$((total - t0 - mmio + m0))
	t_log "cell ivshmem-c: $d_mmio mmio exits for $COUNT doorbells sent and $COUNT received ($(echo "scale=4; $d_mmio / $COUNT" | bc) per message), $d_rest exits of other reasons"
	line="root CPU 0 per message:"
	while read -r reason n; do
		b=$(awk -v r="$reason" '$1 == r { print $2 }' $T/root.before)
		d=$((n - b))
		[ "$d" -gt 0 ] && line="$line $reason $(echo "scale=3; $d / $COUNT" | bc)"
	done < $T/root.after
	t_log "$line (the tool and its interrupts pinned there; reported, not asserted)"
	[ "$d_mmio" -ge $COUNT ] && [ "$d_mmio" -le $((COUNT + 64)) ] &&
		[ "$d_rest" -le 64 ]
}

# The channel as the root's tools show it, the root's row included.
shown() {
	brig cell list
	brig info | grep channel
	brig cell list | awk '$1 == 0' | grep -q " 2:0/2\[1,1\]" &&
		brig cell list | grep -q "ivshmem-c .* 2:1/2\[1,1\]$" &&
		brig info | grep -q "^channel 2: 2 peers: .* (peer 0, state 1) ivshmem-c (peer 1, state 1)$"
}

# The driver's rights: no writable mapping of what the model makes
# read-only, no private mapping.
rights() {
	brig-pingpong -r
}

# The root's writes where the model says read-only: dropped (the memory
# keeps its value), reported; the root runs on.
root_ro_writes() {
	s0=$(peek 0x3c040000)
	o0=$(peek 0x3c043000)
	poke 0x3c040000 0x1111111111111111 || return 1
	poke 0x3c043000 0x2222222222222222 || return 1
	s1=$(peek 0x3c040000)
	o1=$(peek 0x3c043000)
	echo "state table $s0 -> $s1, peer 1's output $o0 -> $o1"
	brig console | grep "dropped" | tail -n 2
	[ -n "$s0" ] && [ "$s0" = "$s1" ] && [ -n "$o0" ] && [ "$o0" = "$o1" ] &&
		[ "$(state_of ivshmem-c)" = running ]
}

# MSI-X entry 1 of the root's device aimed at CPU 1 (the cell's), with a
# vector of its own (in remappable format, as on VT-d, the data is no
# vector): the hypervisor refuses it and reports it; restored, the
# channel works again.
probe32() { # PHYS [VALUE]: read (prints it) or write 32 bits
	if [ $# = 1 ]; then
		insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=$1 op=read32 && rmmod hvprobe &&
			dmesg | grep "hvprobe: read $1" | tail -n 1 | sed 's/.*= //'
	else
		insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys=$1 op=write32 value=$2 && rmmod hvprobe
	fi
}
root_msix_foreign() {
	old=$(probe32 $MSIX1) && old_data=$(probe32 $MSIX1_DATA) &&
		old_ctrl=$(probe32 $MSIX1_CTRL)
	echo "entry 1 address: $old, data: $old_data, control: $old_ctrl"
	[ -n "$old" ] && [ -n "$old_data" ] && [ -n "$old_ctrl" ] || return 1
	# Masked while it changes: a masked entry is not judged.
	probe32 $MSIX1_CTRL 1 && probe32 $MSIX1_DATA 0x41 &&
		probe32 $MSIX1 0xfee01000 && probe32 $MSIX1_CTRL 0 || return 1
	said=$(brig console | grep "MSI-X entry 1 of ivshmem device ${BDF#0000:}" | tail -n 1)
	echo "$said"
	probe32 $MSIX1_CTRL 1 && probe32 $MSIX1 0x$old &&
		probe32 $MSIX1_DATA 0x$old_data &&
		probe32 $MSIX1_CTRL 0x$old_ctrl || return 1
	taskset 1 brig-pingpong -n 100 | tail -n 2 | tee $T/after-msix.out
	echo "$said" | grep -q "refused: aimed at none of the root's CPUs" &&
		grep -q "100 round trips, every payload checked, 0 errors" $T/after-msix.out
}

# Destroying the cell: the root sees state 0 in its table and an event.
peer_destroyed() {
	u=$(uio_dev) || return 1
	e0=$(cat /sys/class/uio/${u#/dev/}/event)
	brig cell destroy ivshmem-c || return 1
	sleep 1
	e1=$(cat /sys/class/uio/${u#/dev/}/event)
	st=$(peek 0x3c040000)
	echo "root's events $e0 -> $e1; state table $st (peer 1 high, peer 0 low)"
	has_irqs || echo "(no interrupts for the function on this board: no event expected)"
	{ ! has_irqs || [ "$e1" -gt "$e0" ]; } &&
		[ "$(echo "$st" | cut -c1-8)" = 00000000 ]
}

# Created again, the cell plays with the root as before.
recreated() {
	start_c "count=100" || return 1
	taskset 1 brig-pingpong -n 100 | tail -n 2 | tee $T/again.out
	grep -q "100 round trips, every payload checked, 0 errors" $T/again.out
}

# The latency inmate (cell latency-c, CPU 2) publishes its histogram on
# channel 3 (the root's second device); brig latency watch reads it live
# from the root, and the cell makes no exit meanwhile: no doorbell, no
# UART (its summary is off with channel=1).
latency_live() {
	L=$BRIG_CONF_DIR/$BRIG_BOARD-latency-c.cell
	brig cell create "$L" &&
		brig cell load latency-c /lib/brig/inmates/latency.bin -s "channel=1 period-us=1000" &&
		brig cell start latency-c || return 1
	t_wait_for 60 sh -c "brig latency watch > /dev/null 2>&1" ||
		{ brig latency watch; brig cell destroy latency-c; return 1; }
	e0=$(exits_of latency-c)
	brig latency watch -n 3 -i 1000 | tee $T/latency.out
	e1=$(exits_of latency-c)
	brig latency watch --json > $T/latency.json
	cut -c1-300 $T/latency.json
	brig cell stats latency-c | tr -s ' \n' ' '; echo
	brig cell destroy latency-c || return 1
	t_log "$(tail -n 1 $T/latency.out)"
	t_log "latency-c: VM exits $e0 before and $e1 after 2 s of watching its histogram"
	s1=$(sed -n 1p $T/latency.out | sed 's/.*samples \([0-9]*\).*/\1/')
	s3=$(sed -n 3p $T/latency.out | sed 's/.*samples \([0-9]*\).*/\1/')
	[ -n "$e0" ] && [ "$e0" = "$e1" ] && [ "${s3:-0}" -gt "${s1:-0}" ] &&
		grep -q '"samples": [1-9]' $T/latency.json
}

# hold_then ACTION: brig-pingpong maps the device and waits; ACTION takes
# the device away; the tool must fault (SIGBUS) or fail its read (EIO),
# say so and end with status 3; the kernel logs no WARNING or oops.
hold_then() {
	dmesg > $T/dmesg.before
	brig-pingpong -n 10 -h 60 > $T/hold.out 2>&1 &
	pid=$!
	t_wait_for 30 grep -q "round trips" $T/hold.out || { cat $T/hold.out; return 1; }
	eval "$1" || { kill $pid; return 1; }
	wait $pid
	rc=$?
	cat $T/hold.out
	dmesg > $T/dmesg.after
	diff $T/dmesg.before $T/dmesg.after | grep '^+' | grep -i "revoked"
	[ $rc = 3 ] && grep -qE "revoked \(SIGBUS\)|went away" $T/hold.out &&
		! diff $T/dmesg.before $T/dmesg.after | grep '^+' | complaints
}

removal_revokes() {
	start_c "count=10" || return 1
	hold_then "echo 1 > /sys/bus/pci/devices/$BDF/remove" || return 1
	[ ! -e /sys/bus/pci/devices/$BDF ] && brig cell destroy ivshmem-c
}

disable_revokes() {
	start_c "count=10" || return 1
	hold_then "brig cell destroy ivshmem-c && brig disable"
}

# complaints: the kernel's warnings, oopses and BUGs among its lines on
# stdin (the harness's own log lines left out).
complaints() {
	grep -v "BRIG-TEST\|brig-out" |
		grep -E "WARNING: CPU|BUG:|Oops|cut here|general protection"
}

# Since this scenario began (a board's kernel may warn at boot).
no_warnings() {
	dmesg > $T/dmesg.end
	! diff $T/dmesg.start $T/dmesg.end | grep '^+' | complaints
}

t_check ivshmem-root.insmod insmod "$BRIG_KO"
t_check ivshmem-root.uio-insmod sh -c "insmod /lib/modules/uio/uio.ko && insmod /lib/modules/brig_ivshmem.ko"
t_check ivshmem-root.enable brig enable "$SYS"
t_check ivshmem-root.device-shown device_shown
t_check ivshmem-root.pingpong pingpong
t_check ivshmem-root.exits-per-message exits_per_message
t_check ivshmem-root.channel-shown shown
t_check ivshmem-root.rights rights
t_check ivshmem-root.ro-writes-dropped root_ro_writes
t_check ivshmem-root.has-msix sh -c "ls /sys/bus/pci/devices/$BDF/msi_irqs"
t_check ivshmem-root.msix-foreign-refused root_msix_foreign
t_check ivshmem-root.peer-destroyed peer_destroyed
t_check ivshmem-root.recreated recreated
t_check ivshmem-root.latency-live latency_live
t_check ivshmem-root.destroy brig cell destroy ivshmem-c
t_check ivshmem-root.removal-revokes removal_revokes
t_check ivshmem-root.disable-after-removal brig disable
t_check ivshmem-root.enable-again brig enable "$SYS"
t_check ivshmem-root.device-back device_shown
t_check ivshmem-root.disable-revokes disable_revokes
t_check ivshmem-root.no-warnings no_warnings
t_check ivshmem-root.rmmod sh -c "rmmod brig_ivshmem && rmmod uio && rmmod brig"
