#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the stock Debian kernel image that matches each installed header
# tree, without installing it: `apt-get download` the .deb into
# build/kernels/<ABI>/ and `dpkg -x` it there, so that
# build/kernels/<ABI>/boot/vmlinuz-<ABI> exists. Cached: a kernel already
# unpacked is not fetched again.
#
# The image must be the very build the headers describe (same package
# version), or brig.ko's vermagic and symbol CRCs would not match the running
# kernel. So the version is taken from the installed headers package and
# requested exactly; the -unsigned package is tried first because it is the
# real build product (the signed one only wraps it and is absent for some
# backports versions), then the signed one.
#
# Usage: fetch-kernels.sh [SERIES_OR_ABI...]   (default: every installed one)
set -eu
. "$(dirname "$0")/common.sh"

# fetch ABI: make sure build/kernels/ABI/boot/vmlinuz-ABI exists.
fetch() {
	abi=$1
	dir=$KERNEL_CACHE/$abi
	if [ -f "$(kernel_image "$abi")" ]; then
		return 0
	fi
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$abi" 2>/dev/null) ||
		die "linux-headers-$abi is not installed as a package"
	mkdir -p "$dir"
	for pkg in "linux-image-$abi-unsigned" "linux-image-$abi"; do
		log "downloading $pkg=$ver"
		# apt-get download writes into the current directory.
		if (cd "$dir" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1); then
			dpkg -x "$dir/${pkg}_"*.deb "$dir"
			rm -f "$dir/${pkg}_"*.deb
			break
		fi
	done
	[ -f "$(kernel_image "$abi")" ] ||
		die "could not fetch linux-image-$abi(-unsigned) version $ver (run apt-get update?)"
}

if [ $# -eq 0 ]; then
	set -- $(installed_abis)
fi
[ $# -gt 0 ] || die "no /usr/src/linux-headers-*-amd64 installed (run scripts/setup-deps.sh)"
for k in "$@"; do
	fetch "$(resolve_kernel "$k")"
done
echo "kernels in $KERNEL_CACHE:"
for k in "$@"; do
	abi=$(resolve_kernel "$k")
	echo "  $abi  $(kernel_image "$abi")"
done
