# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-dmar
#
# Linux translating DMA with the IOMMU itself (booted with intel_iommu=on,
# this boot only): brig, which must drive the IOMMU, refuses to enable and
# says what to add to the kernel command line; nothing changes.

SYS=$(brig_system)

t_check iommu-linux.translates sh -c '[ -n "$(ls /sys/kernel/iommu_groups)" ]'
t_check iommu-linux.insmod insmod "$BRIG_KO"
t_expect_fail iommu-linux.refused "boot Linux with intel_iommu=off" brig enable "$SYS"
t_check iommu-linux.not-enabled sh -c "[ \$(cat /sys/class/misc/brig/enabled) = 0 ]"
t_check iommu-linux.rmmod rmmod brig
