#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# brig promises to load on unpatched distribution kernels, so brig.ko may only
# import symbols that those kernels export. For every kernel whose headers are
# installed (/usr/src/linux-headers-*-amd64, or KDIRS="dir ..."), build the
# module and check each symbol it imports:
#   - it is in scripts/allowed-symbols.txt (new imports are deliberate);
#   - it is not one of the internals that out-of-tree hypervisors are known
#     to reach for (kallsyms_lookup_name and friends);
#   - the kernel's Module.symvers exports it.
set -eu
cd "$(dirname "$0")/.."

ALLOW=scripts/allowed-symbols.txt
FORBIDDEN="kallsyms_lookup_name kallsyms_on_each_symbol ioremap_page_range
__get_vm_area_caller get_vm_area vmap_pages_range __boot_cpu_mode
__hyp_stub_vectors lapic_timer_period cpu_up cpu_down"

KDIRS=${KDIRS:-$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null || true)}
[ -n "$KDIRS" ] || { echo "check-symbols: no kernel headers installed" >&2; exit 1; }

pass=0
fail=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# check_module KO: every symbol KO imports is allowed and exported ($abi).
check_module() {
	nm -u "$1" | awk '{print $2}' | sort -u >"$out/imports"
	bad=0
	for sym in $(cat "$out/imports"); do
		for f in $FORBIDDEN; do
			if [ "$sym" = "$f" ]; then
				echo "FAIL ($abi): ${1##*/} imports $sym, which stock kernels do not export or brig must not use"
				bad=1
			fi
		done
		if ! grep -qx -- "$sym" "$ALLOW"; then
			echo "FAIL ($abi): ${1##*/} imports $sym, not in $ALLOW"
			bad=1
		fi
		if ! grep -qx -- "$sym" "$out/exported"; then
			echo "FAIL ($abi): ${1##*/} imports $sym, which $abi does not export"
			bad=1
		fi
	done
	if [ $bad = 0 ]; then
		echo "ok: ${1##*/} for $abi imports $(wc -l <"$out/imports") symbols, all exported and allowed"
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

for kdir in $KDIRS; do
	abi=${kdir#/usr/src/linux-headers-}
	make -s -C drivers KDIR="$kdir" >"$out/build.log" 2>&1 || {
		echo "FAIL: the modules do not build against $abi"
		tail -n 30 "$out/build.log"
		fail=$((fail + 1))
		continue
	}
	awk '{print $2}' "$kdir/Module.symvers" | sort -u >"$out/exported"
	for ko in drivers/brig.ko drivers/brig_ivshmem.ko drivers/brig_guest.ko; do
		check_module "$ko"
	done
done
echo "symbols: $pass passed, $fail failed"
[ $fail = 0 ]
