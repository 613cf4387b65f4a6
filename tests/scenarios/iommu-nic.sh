# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0 -netdev user,id=n0 -device e1000e,netdev=n0,addr=04.0
# expect: com2.log nic: msi-x ok, 10 of 10 interrupts
#
# A device with a Linux driver given to a cell and back (issue 6): the
# e1000e NIC works under Linux's driver (ARP answered by QEMU's user
# network), leaves its driver when a cell that lists it is created (the
# root then reads its configuration space as all-ones), and after destroy
# Linux's driver binds to it again and it works again; likewise after
# disable. In the cell the nic inmate takes MSI-X interrupts from it
# (COM2, checked by the host: the expect line above), through the table
# entry the hypervisor traps and turns into a validated remapping entry;
# aiming that entry at a root CPU stops the cell.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-nic.cell
INMATES=/lib/brig/inmates
NIC=/sys/bus/pci/devices/0000:00:04.0

ifname() { ls $NIC/net 2>/dev/null | head -n 1; }

# The NIC answers: up, an address, two ARP replies from the gateway.
nic_works() {
	i=$(ifname)
	[ -n "$i" ] || { echo "no network interface on 00:04.0"; return 1; }
	ip link set "$i" up && ip addr add 10.0.2.15/24 dev "$i" 2>/dev/null
	sleep 1
	arping -c 2 -w 5 -I "$i" 10.0.2.2
}

driver() { basename "$(readlink $NIC/driver 2>/dev/null)" 2>/dev/null; }

in_cell() {
	d=$(driver)
	v=$(od -An -tx2 -N2 $NIC/config | tr -d ' ')
	echo "driver '$d', vendor id as the root reads it: $v"
	[ -z "$d" ] && [ "$v" = ffff ] && [ -z "$(ifname)" ]
}

back() {
	t_wait_for 10 sh -c "[ -n \"\$(ls $NIC/net 2>/dev/null)\" ]" || { echo "no interface came back"; return 1; }
	echo "driver '$(driver)'"
	[ "$(driver)" = e1000e ] && nic_works
}

msix_running() {
	sleep 2 # the inmate raises its interrupts (the host reads COM2)
	s=$(brig cell list | awk '$2 == "nic" { print $3 }')
	echo "nic cell: $s"
	[ "$s" = running ]
}

# The inmate aims its MSI-X entry at APIC id 0, a root CPU.
msix_at_root() {
	brig console > /tmp/nic.before
	e=$(awk '$1 == "ERR:" { print $2 }' /proc/interrupts)
	brig cell create $CELL && brig cell load nic $INMATES/nic.bin -s "msi-dest=0" &&
		brig cell start nic || return 1
	t_wait_for 10 sh -c "brig cell list | grep -q 'nic *failed'" || {
		echo "the cell did not fail"; brig console | tail -n 5; brig cell destroy --force nic; return 1; }
	brig console | diff /tmp/nic.before - | grep '^+' | grep 'cell "nic"'
	brig console | grep -q 'MSI-X of PCI device 00:04.0 aimed at APIC id 0 (a root CPU)' || {
		brig cell destroy nic; return 1; }
	brig cell destroy nic || return 1
	echo "ERR interrupts: $e -> $(awk '$1 == "ERR:" { print $2 }' /proc/interrupts)"
	[ "$(awk '$1 == "ERR:" { print $2 }' /proc/interrupts)" = "$e" ]
}

t_check iommu-nic.driver insmod /lib/modules/net/e1000e.ko
t_check iommu-nic.works-before nic_works
t_check iommu-nic.insmod insmod "$BRIG_KO"
t_check iommu-nic.enable brig enable "$SYS"
t_check iommu-nic.works-enabled nic_works
t_check iommu-nic.create sh -c "brig cell create $CELL && brig cell load nic $INMATES/nic.bin && brig cell start nic"
t_check iommu-nic.in-cell in_cell
t_check iommu-nic.msix-running msix_running
t_check iommu-nic.destroy brig cell destroy nic
t_check iommu-nic.back-with-driver back
t_check iommu-nic.msix-at-root msix_at_root
t_check iommu-nic.back-after-attack back
t_check iommu-nic.disable brig disable
t_check iommu-nic.works-after-disable nic_works
t_check iommu-nic.rmmod rmmod brig
