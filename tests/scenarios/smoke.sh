# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi bochs
#
# Smoke test of the pieces every other scenario builds on: the driver loads
# and unloads on this stock kernel, the brig tool runs, and the board's own
# descriptions pass `brig config check`.
#
# Board descriptions (configs/x86/, installed in /etc/brig/ as .dts, .dtb and
# .cell): <board>.dts is the system description, <board>-<N>cpu.dts its
# variant for a board booted with N CPUs, and every <board>-*.dts whose
# compatible is "brig,cell" is a cell; <board> is brigtest.board= from the
# kernel command line.

# smoke_version: `brig --version` succeeds and prints something like 0.1.
smoke_version() {
	v=$(brig --version 2>&1) || { echo "$v"; return 1; }
	echo "$v"
	echo "$v" | grep -Eq '[0-9]+\.[0-9]+'
}

# smoke_pick BASE: BASE.cell if it exists, else BASE.dtb.
smoke_pick() {
	for ext in cell dtb; do
		[ -f "$1.$ext" ] && { echo "$1.$ext"; return 0; }
	done
	return 1
}

# smoke_config_check: this boot's system description with each cell (the
# cells are alternatives: several want CPU 1 and COM2).
smoke_config_check() {
	# The full system description: some cells want more CPUs than this
	# boot has (the N-CPU variants only narrow the root's CPU set).
	base=$BRIG_CONF_DIR/$BRIG_BOARD
	sys=$(smoke_pick "$base") || {
		echo "no $base.cell or .dtb:"
		ls -l "$BRIG_CONF_DIR"
		return 1
	}
	cells=
	for dts in "$BRIG_CONF_DIR/$BRIG_BOARD"-*.dts; do
		grep -q '"brig,cell"' "$dts" 2>/dev/null || continue
		c=$(smoke_pick "${dts%.dts}") || { echo "${dts%.dts} not compiled"; return 1; }
		cells="$cells $c"
	done
	for c in $cells; do
		echo "brig config check $sys $c"
		brig config check "$sys" "$c" || return 1
	done
}

if [ ! -f "$BRIG_KO" ]; then
	t_fail smoke.insmod "$BRIG_KO is not in the initramfs (drivers/ did not build for $(uname -r)?)"
else
	t_check smoke.insmod insmod "$BRIG_KO"
fi
t_check smoke.dev-node t_wait_for 5 test -c /dev/brig

if ! command -v brig >/dev/null; then
	t_fail smoke.tool "no brig tool in the initramfs (tools/brig not built?)"
else
	t_check smoke.version smoke_version
	t_check smoke.config-check smoke_config_check
	t_expect_fail smoke.bad-command "usage" brig frobnicate
fi

t_check smoke.rmmod rmmod brig
t_check smoke.dev-node-gone test ! -e /dev/brig
