#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the test initramfs (gzip'd newc cpio) for one kernel:
#   /bin/busybox + one symlink per applet, /init (tests/harness/init.sh)
#   /scenarios/lib.sh, the chosen scenario scripts, /scenarios/order
#   /lib/modules/brig.ko, brig_ivshmem.ko, tests/*.ko (build/guest/<ABI>/)
#   /usr/bin/brig                                    (tools/brig)
#   /lib/firmware/brig/brig-x86.bin                  (hypervisor/brig-x86.bin)
#   /etc/brig/*.dts *.dtb *.cell                     (configs/x86/, build/guest/configs/)
#   /lib/brig/inmates/*.bin                          (inmates/**/*.bin)
#   /usr/bin/PROG + its shared libraries and loader  (host programs a chosen
#                                                     scenario names on a
#                                                     "# needs: PROG..." line)
# Everything but busybox and the scripts is optional: a scenario that needs a
# missing file fails with a message saying so. Host programs come only with
# the scenarios that name them, so the suites' initramfs stays small.
#
# Usage: mkinitramfs.sh --kernel SERIES_OR_ABI --out FILE SCENARIO...
# SCENARIO is a name ("smoke"), a file name ("smoke.sh") or a path.
set -eu
. "$(dirname "$0")/common.sh"

kernel=
out=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ -n "$kernel" ] && [ -n "$out" ] && [ $# -gt 0 ] ||
	die "usage: mkinitramfs.sh --kernel SERIES_OR_ABI --out FILE SCENARIO..."
abi=$(resolve_kernel "$kernel")

# scenario_path NAME: the script file for a scenario name.
scenario_path() {
	for p in "$1" "$BRIG_ROOT/tests/scenarios/$1" "$BRIG_ROOT/tests/scenarios/$1.sh"; do
		[ -f "$p" ] && { echo "$p"; return 0; }
	done
	die "no scenario '$1' (looked in tests/scenarios/)"
}

# copy_opt SRC DEST: copy if SRC exists (payload files are optional).
copy_opt() {
	[ -f "$1" ] || return 0
	mkdir -p "$(dirname "$2")"
	cp "$1" "$2"
}

root=$(mktemp -d "${TMPDIR:-/tmp}/brig-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# busybox-static and its applets as symlinks (--list-full gives the paths).
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" \
	"$root/etc/brig" "$root/lib/modules/tests" "$root/lib/firmware/brig" \
	"$root/lib/brig/inmates" "$root/scenarios"
# The kernel opens /dev/console for init before init can mount devtmpfs; the
# node can only be made as root (init re-opens the console otherwise).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list-full); do
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done

cp "$BRIG_ROOT/tests/harness/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$BRIG_ROOT/tests/scenarios/lib.sh" "$root/scenarios/lib.sh"
: >"$root/scenarios/order"
needs=
for s in "$@"; do
	p=$(scenario_path "$s")
	cp "$p" "$root/scenarios/"
	basename "$p" >>"$root/scenarios/order"
	needs="$needs $(sed -n 's/^# needs: *//p' "$p")"
done

# copy_program NAME: a host program from PATH as /usr/bin/NAME (replacing a
# busybox applet of that name), with every shared library ldd resolves and
# the dynamic loader, each at its host path: the loader looks for them there
# as it does on the host, and the guest kernel runs Debian's binaries as
# they are. A program that is not installed is left out with a warning; the
# scenario that needs it fails saying so.
copy_program() {
	prog=$(command -v "$1" 2>/dev/null) || {
		log "WARNING: $1 is not installed on the host (scripts/setup-deps.sh installs it)"
		return 0
	}
	rm -f "$root/usr/bin/$1"
	cp -L "$prog" "$root/usr/bin/$1"
	# "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" and the loader
	# as "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
	for lib in $(ldd "$prog" 2>/dev/null |
		sed -n -e 's/.*=> \(\/[^ ]*\) (0x.*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
for n in $needs; do
	copy_program "$n"
done

# Payload.
g=$GUEST_DIR/$abi
copy_opt "$g/brig.ko" "$root/lib/modules/brig.ko"
copy_opt "$g/brig_ivshmem.ko" "$root/lib/modules/brig_ivshmem.ko"
for f in "$g"/tests/*.ko; do copy_opt "$f" "$root/lib/modules/tests/${f##*/}"; done
copy_opt "$BRIG_ROOT/tools/brig" "$root/usr/bin/brig"
copy_opt "$BRIG_ROOT/tools/brig-pingpong" "$root/usr/bin/brig-pingpong"
# kernel_modules DIR MODULE...: modules of the kernel package itself
# (paths under kernel/, without extension), uncompressed into the
# directory DIR.
kmods=$KERNEL_CACHE/$abi/lib/modules/$abi/kernel
kernel_modules() {
	local dir=$1 m ext f
	shift
	for m in "$@"; do
		for ext in .ko .ko.xz .ko.zst; do
			f=$kmods/$m$ext
			[ -f "$f" ] || continue
			mkdir -p "$dir"
			case $ext in
			.ko.xz) xz -dc "$f" >"$dir/${m##*/}.ko" ;;
			.ko.zst) zstd -qdc "$f" >"$dir/${m##*/}.ko" ;;
			*) cp "$f" "$dir/" ;;
			esac
		done
	done
}
# KVM: the tests load it while brig runs.
kernel_modules "$root/lib/modules/kvm" virt/lib/irqbypass drivers/crypto/ccp/ccp \
	arch/x86/kvm/kvm arch/x86/kvm/kvm-amd arch/x86/kvm/kvm-intel
# UIO, which brig_ivshmem.ko (the root's ivshmem devices) builds on.
kernel_modules "$root/lib/modules/uio" drivers/uio/uio
# A NIC driver, for handing a device with a Linux driver to a cell and
# back (QEMU's e1000e; Debian builds its ptp/pps dependencies in).
kernel_modules "$root/lib/modules/net" drivers/net/ethernet/intel/e1000e/e1000e
# Helper programs of the tests (tests/tools/: static, no extension).
for f in "$BRIG_ROOT"/tests/tools/*; do
	[ -x "$f" ] && [ -f "$f" ] && copy_opt "$f" "$root/usr/bin/${f##*/}"
done
copy_opt "$BRIG_ROOT/hypervisor/brig-x86.bin" "$root/lib/firmware/brig/brig-x86.bin"
for f in "$BRIG_ROOT"/configs/x86/*.dts "$BRIG_ROOT"/configs/x86/*.dtb \
	"$BRIG_ROOT"/configs/x86/*.cell "$GUEST_DIR"/configs/*.dtb \
	"$GUEST_DIR"/configs/*.cell; do
	copy_opt "$f" "$root/etc/brig/${f##*/}"
done
if [ -d "$BRIG_ROOT/inmates" ]; then
	find "$BRIG_ROOT/inmates" -name '*.bin' -type f -exec cp {} "$root/lib/brig/inmates/" \;
fi

# A Linux cell's kernel and initramfs, for scenarios that say
# "# linux-cell: yes": the same kernel the root runs, byte for byte, and
# busybox with tests/harness/linux-cell-init.sh as /init.
if grep -qx '# linux-cell: yes' "$root"/scenarios/*.sh; then
	mkdir -p "$root/lib/brig/linux"
	cp "$(kernel_image "$abi")" "$root/lib/brig/linux/vmlinuz"
	cell=$(mktemp -d "${TMPDIR:-/tmp}/brig-cell-initramfs.XXXXXX")
	mkdir -p "$cell/bin" "$cell/proc" "$cell/sys" "$cell/dev"
	mknod -m 600 "$cell/dev/console" c 5 1 2>/dev/null || true
	cp /bin/busybox "$cell/bin/busybox"
	for a in sh mount grep awk cat ls uname taskset sleep dd insmod wc \
		poweroff reboot halt ip arping; do
		ln -s busybox "$cell/bin/$a"
	done
	# brig_guest.ko answers the hypervisor; pvpanic says a panic
	# (docs/linux-cell.md).
	mkdir -p "$cell/lib/modules"
	copy_opt "$g/brig_guest.ko" "$cell/lib/modules/brig_guest.ko"
	# An ivshmem channel with the root: the same UIO driver and demo.
	copy_opt "$g/brig_ivshmem.ko" "$cell/lib/modules/brig_ivshmem.ko"
	copy_opt "$BRIG_ROOT/tools/brig-pingpong" "$cell/bin/brig-pingpong"
	kernel_modules "$cell/lib/modules" drivers/misc/pvpanic/pvpanic \
		drivers/misc/pvpanic/pvpanic-mmio \
		drivers/net/ethernet/intel/e1000e/e1000e drivers/uio/uio
	cp "$BRIG_ROOT/tests/harness/linux-cell-init.sh" "$cell/init"
	chmod 755 "$cell/init"
	(cd "$cell" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
		gzip -9 >"$root/lib/brig/linux/initrd.gz"
	rm -rf "$cell"
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
	gzip -1 >"$out"
echo "initramfs $out ($(du -k "$out" | cut -f1) KiB) for $abi: $*"
