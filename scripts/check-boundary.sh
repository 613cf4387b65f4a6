#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The core/arch boundary (hypervisor/include/hv/arch.h is the contract):
#
# 1. No file under hypervisor/ (*.c, *.h, *.S, the linker script) includes
#    an arch header other than the arch type headers: arch/layout.h,
#    arch/processor.h, arch/percpu-types.h, arch/cell-types.h. Each
#    offending include is named file:line.
# 2. Every hypervisor/*.c compiles, freestanding and with the warnings of
#    hypervisor/Makefile, against the host stub arch
#    (tests/unit/core/stub-arch) instead of arch/x86/include, with gcc and
#    with clang; so does every core header on its own, and the linker
#    script preprocesses. The stub has only the four type headers and
#    -nostdinc keeps everything else out: the core needs no x86 header.
#
# Ends with "boundary: N passed, M failed"; exit status non-zero if M > 0.
set -eu
cd "$(dirname "$0")/.."

ALLOWED="arch/layout.h arch/processor.h arch/percpu-types.h arch/cell-types.h"
STUB=tests/unit/core/stub-arch
# As hypervisor/Makefile's CFLAGS, less what only matters to code generation.
WARN="-Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
-Wvla -Wno-unused-parameter -Werror"
FREE="-std=gnu11 -ffreestanding -nostdinc -fno-builtin-printf -fno-common \
-fno-strict-aliasing -D__BRIG_FREESTANDING__"
INC="-include $STUB/config.h -Iinclude -Ihypervisor/include -I$STUB/include"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { # $1: what failed, $2: details
	fail=$((fail + 1))
	echo "FAIL: $1"
	[ -z "$2" ] || printf '%s\n' "$2" | sed 's/^/    /'
}

# --- 1. includes ---------------------------------------------------------

# "file:line: includes <arch/x.h>" for each include of a path with an
# arch/ component (<arch/...>, "../arch/x86/...") outside the allowlist.
wrong_includes() {
	grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$1" |
		while IFS= read -r line; do
			hdr=$(printf '%s\n' "${line#*:}" |
				sed -E 's/^[^<"]*[<"]([^>"]*)[>"].*/\1/')
			case "/$hdr" in */arch/*) ;; *) continue ;; esac
			case " $ALLOWED " in *" $hdr "*) continue ;; esac
			echo "$1:${line%%:*}: includes <$hdr>, not an arch type header ($ALLOWED)"
		done
}

for f in $(find hypervisor -type f \( -name '*.c' -o -name '*.h' \
	-o -name '*.S' \) | sort); do
	out=$(wrong_includes "$f")
	if [ -z "$out" ]; then
		ok
	else
		bad "$f includes arch headers beyond the type headers" "$out"
	fi
done

# --- 2. the core against the stub arch -----------------------------------

try() { # $1: description, rest: command
	what=$1
	shift
	if out=$("$@" 2>&1); then
		ok
	else
		bad "$what" "$out"
	fi
}

for cc in gcc clang; do
	command -v $cc >/dev/null ||
		{ echo "check-boundary: $cc missing" >&2; exit 1; }
	for f in hypervisor/*.c; do
		# shellcheck disable=SC2086
		try "$cc: $f against the stub arch" \
			$cc $FREE $WARN $INC -fsyntax-only "$f"
	done
	for h in hypervisor/include/hv/*.h; do
		name=hv/${h##*/}
		try "$cc: <$name> on its own against the stub arch" sh -c \
			"echo '#include <$name>' | $cc -x c $FREE $WARN $INC -fsyntax-only -"
	done
	# shellcheck disable=SC2086
	try "$cc: hypervisor/hypervisor.lds.S against the stub arch" \
		$cc -E -P -x c -D__ASSEMBLY__ -D__BRIG_FREESTANDING__ $INC \
		-o /dev/null hypervisor/hypervisor.lds.S
done

echo "boundary: $pass passed, $fail failed"
[ $fail = 0 ]
