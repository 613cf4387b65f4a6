# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the end-to-end harness scripts (sourced, not run).
#
# The harness never hardcodes a kernel ABI: it looks at which
# /usr/src/linux-headers-*-amd64 trees are installed (scripts/setup-deps.sh
# installs whatever bookworm and bookworm-backports currently ship) and maps a
# short series name ("6.1", "6.12") to the newest of that series.
#
# "ABI" below always means the full kernel release string, as `uname -r` and
# a module's vermagic print it: "6.1.0-50-amd64", "6.12.95+deb12-amd64".
# Headers live in /usr/src/linux-headers-<ABI>, the image package is
# linux-image-<ABI>[-unsigned].

# Repository root and build folders, valid from any working directory.
BRIG_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BRIG_BUILD=${BRIG_BUILD:-$BRIG_ROOT/build}
KERNEL_CACHE=$BRIG_BUILD/kernels
GUEST_DIR=$BRIG_BUILD/guest
LOG_ROOT=$BRIG_BUILD/test-logs

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

log() {
	echo "${0##*/}: $*" >&2
}

# installed_abis: every installed amd64 header ABI, one per line, oldest
# first. A tree without a Makefile is a leftover, not a usable install.
installed_abis() {
	for d in /usr/src/linux-headers-*-amd64; do
		[ -f "$d/Makefile" ] || continue
		echo "${d#/usr/src/linux-headers-}"
	done | sort -V
}

# abi_for_series SERIES: the newest installed ABI whose version starts with
# SERIES followed by "." (so "6.1" does not match "6.12").
abi_for_series() {
	installed_abis | while read -r a; do
		case $a in "$1".*) echo "$a" ;; esac
	done | tail -n1
}

# headers_dir ABI / kernel_image ABI: where a kernel's pieces live.
headers_dir() {
	echo "/usr/src/linux-headers-$1"
}
kernel_image() {
	echo "$KERNEL_CACHE/$1/boot/vmlinuz-$1"
}

# resolve_kernel SERIES_OR_ABI: accept "6.1", "6.12" or a full ABI.
resolve_kernel() {
	if [ -d "$(headers_dir "$1")" ]; then
		echo "$1"
		return
	fi
	a=$(abi_for_series "$1")
	[ -n "$a" ] || die "no installed /usr/src/linux-headers-$1.*-amd64 (installed: $(installed_abis | tr '\n' ' '))"
	echo "$a"
}
