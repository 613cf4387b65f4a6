#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel-specific part of the guest payload for one kernel and stage
# it in build/guest/<ABI>/:
#   brig.ko         from `make -C drivers KDIR=/usr/src/linux-headers-<ABI>`
#   tests/*.ko      from `make -C tests/modules KDIR=...`, if that Makefile exists
# and compile configs/x86/*.dts that have no fresh .dtb/.cell next to them
# into build/guest/configs/ (the top-level make normally does that; doing it
# here keeps the harness usable on its own).
#
# Modules are built in place in the shared source folders (kbuild before 6.13
# cannot put objects elsewhere), and the result is copied out right away.
# kbuild rebuilds every object whose command line changed, so switching KDIR
# between kernels is safe without a `make clean` (which would pull the objects
# from under an engineer working in drivers/); the vermagic of the copy is
# checked anyway. Build two kernels one after the other, never in parallel.
#
# Only brig.ko is worth a warning when it cannot be built: the driver is the
# one thing every scenario beyond boot.sh needs. The scenario decides whether
# something missing is a failure.
#
# Usage: build-payload.sh SERIES_OR_ABI
set -eu
. "$(dirname "$0")/common.sh"

[ $# -eq 1 ] || die "usage: build-payload.sh SERIES_OR_ABI"
abi=$(resolve_kernel "$1")
kdir=$(headers_dir "$abi")
out=$GUEST_DIR/$abi
mkdir -p "$out/tests" "$GUEST_DIR/configs"

# build_module DIR KO DEST: build DIR against this kernel, copy KO to DEST.
build_module() {
	mlog=$out/make-$(echo "$1" | tr / -).log
	if ! make -C "$BRIG_ROOT/$1" KDIR="$kdir" >"$mlog" 2>&1; then
		log "make -C $1 KDIR=$kdir failed, see $mlog:"
		tail -n 20 "$mlog" >&2
		return 1
	fi
	for ko in "$BRIG_ROOT/$1"/$2; do
		[ -f "$ko" ] || continue
		check_vermagic "$ko" || return 1
		cp "$ko" "$3"
	done
}

# fresh FILE SOURCE: FILE exists and is not older than SOURCE.
fresh() {
	[ -f "$1" ] && ! [ "$2" -nt "$1" ]
}

# check_vermagic KO: the module was built for this kernel.
check_vermagic() {
	vm=$(modinfo -F vermagic "$1" 2>/dev/null || true)
	case $vm in
	"$abi "*) return 0 ;;
	esac
	log "$1 has vermagic '$vm', not $abi"
	return 1
}

rm -f "$out/brig.ko" "$out/brig_ivshmem.ko" "$out/brig_guest.ko" \
	"$out/tests/"*.ko
if [ -f "$BRIG_ROOT/drivers/Makefile" ]; then
	build_module drivers 'brig*.ko' "$out/" ||
		log "WARNING: no brig.ko for $abi"
else
	log "WARNING: drivers/Makefile does not exist yet, no brig.ko for $abi"
fi

if [ -f "$BRIG_ROOT/tests/modules/Makefile" ]; then
	build_module tests/modules '*.ko' "$out/tests/" ||
		log "WARNING: test modules failed for $abi"
fi

# Configs: a .dts without a .dtb and .cell at least as new next to it (the
# top-level make puts them there) is compiled here, the .cell by the host's
# own tools/brig when it exists. dtc resolves /include/ next to the source.
for dts in "$BRIG_ROOT"/configs/x86/*.dts; do
	[ -f "$dts" ] || continue
	base=$(basename "$dts" .dts)
	clog=$GUEST_DIR/configs/$base.log
	rm -f "$GUEST_DIR/configs/$base.dtb" "$GUEST_DIR/configs/$base.cell" "$clog"
	if ! fresh "${dts%.dts}.dtb" "$dts"; then
		dtc -q -I dts -O dtb -o "$GUEST_DIR/configs/$base.dtb" "$dts" 2>"$clog" ||
			log "WARNING: dtc failed on $dts, see $clog"
	fi
	if ! fresh "${dts%.dts}.cell" "$dts" && [ -x "$BRIG_ROOT/tools/brig" ]; then
		"$BRIG_ROOT/tools/brig" config compile "$dts" -o "$GUEST_DIR/configs/$base.cell" \
			>>"$clog" 2>&1 || log "WARNING: brig config compile failed on $dts, see $clog"
	fi
done

echo "payload for $abi:"
find "$out" "$GUEST_DIR/configs" -name '*.ko' -o -name '*.dtb' -o -name '*.cell' | sed 's/^/  /'
