#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every header of the shared ABI (include/brig/) must compile on its own:
# hosted, as the tools and the driver see it, and freestanding, as the
# hypervisor and the inmates see it; with gcc and with clang. ioctl.h is
# the one Linux-only header (it needs <linux/ioctl.h>).
set -eu
cd "$(dirname "$0")/.."

WARN="-std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror"
FREE="-D__BRIG_FREESTANDING__ -ffreestanding -nostdinc"
pass=0
fail=0

try() { # $1: description, rest: compiler command
	what=$1
	shift
	if out=$("$@" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
		echo "$out" | sed 's/^/    /'
	fi
}

for cc in gcc clang; do
	command -v $cc >/dev/null || { echo "check-headers: $cc missing" >&2; exit 1; }
	for h in include/brig/*.h; do
		name=${h#include/}
		src="#include <$name>"
		try "$cc hosted $name" sh -c "echo '$src' | $cc -x c $WARN -Iinclude -fsyntax-only -"
		case $name in brig/ioctl.h) continue ;; esac
		try "$cc freestanding $name" sh -c "echo '$src' | $cc -x c $WARN $FREE -Iinclude -fsyntax-only -"
	done
done
echo "headers: $pass passed, $fail failed"
[ $fail = 0 ]
