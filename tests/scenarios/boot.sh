# SPDX-License-Identifier: GPL-2.0
#
# Harness self-test: the board booted the kernel the runner asked for, with
# the CPUs it asked for, and the marker path from the guest to the host works.
# Needs nothing from brig, so it tells harness trouble from brig trouble.

t_log "uname -r: $(uname -r)"
t_check boot.kernel-release test -n "$(uname -r)"
t_check boot.cpus-online test "$(grep -c ^processor /proc/cpuinfo)" -eq "$BRIG_CPUS"
t_check boot.board-known test "$BRIG_BOARD" != unknown
t_check boot.reserved-region grep -q "3a000000-3fffffff : Reserved" /proc/iomem
