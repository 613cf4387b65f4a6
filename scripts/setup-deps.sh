#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing brig needs on a
# fresh Debian 12 (bookworm) machine. Idempotent: packages already present are
# left alone and `apt-get update` runs at most once per invocation.
#
# QEMU comes from bookworm-backports: bookworm's own QEMU 7.2 emulates no
# x2APIC under TCG (see docs/testing.md). The 6.12 LTS kernel headers come
# from there too, installed by their versioned name because the 6.1 and 6.12
# header metapackages conflict. clang-format-14 is named by its version:
# make format-check accepts no other.
set -eu

[ "$(id -u)" = 0 ] || { echo "setup-deps: run as root (apt-get install)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS="build-essential make gcc clang clang-format clang-format-14
	pkg-config flex bison
	kconfig-frontends libncurses-dev libfdt-dev device-tree-compiler
	libcmocka-dev kmod binutils python3 groff-base"
# stress-ng, rt-tests (hackbench, cyclictest): the root's workloads in the
# soak and the latency runs, copied into those boots' initramfs with their
# shared libraries. gnuplot-nox: make bench's charts, drawn on the host.
TEST_PKGS="busybox-static cpio gzip xz-utils zstd bochs bochsbios vgabios
	bochs-term isolinux syslinux-common xorriso stress-ng rt-tests gnuplot-nox"
BPO_PKGS="qemu-system-x86"

updated=0
apt_update() {
	[ $updated = 1 ] && return 0
	apt-get update -qq
	updated=1
}

missing() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q "install ok installed" || echo "$p"
	done
}

# bookworm-backports in the apt sources (deb822 or one-line style).
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
	cat >/etc/apt/sources.list.d/bookworm-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	updated=0
	apt_update
fi

need=$(missing $BUILD_PKGS $TEST_PKGS)
if [ -n "$need" ]; then
	apt_update
	apt-get install -y -qq --no-install-recommends $need
fi

# QEMU 10 from backports; an older bookworm QEMU does not count.
qemu_ok() {
	v=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) || return 1
	dpkg --compare-versions "$v" ge "1:10"
}
if ! qemu_ok; then
	apt_update
	apt-get install -y -qq --no-install-recommends -t bookworm-backports $BPO_PKGS
fi

# Kernel headers for both test kernels: Debian 12's 6.1 and the 6.12 LTS from
# backports. The images themselves are fetched (not installed) by
# tests/harness/fetch-kernels.sh.
abi() { # $1: suite, $2: metapackage -> versioned package name
	apt-cache depends -t "$1" "$2" 2>/dev/null |
		sed -n 's/^  Depends: \(linux-headers-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}
for pair in "bookworm linux-headers-amd64" "bookworm-backports linux-headers-amd64"; do
	set -- $pair
	pkg=$(abi "$1" "$2")
	if [ -z "$pkg" ]; then
		apt_update
		pkg=$(abi "$1" "$2")
	fi
	[ -n "$pkg" ] || { echo "setup-deps: no $2 in $1" >&2; exit 1; }
	if [ -n "$(missing "$pkg")" ]; then
		apt_update
		apt-get install -y -qq --no-install-recommends -t "$1" "$pkg"
	fi
done
echo "setup-deps: all build and test packages present"
