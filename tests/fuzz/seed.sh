#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# seed.sh CONFIGS OUT: the fuzzers' starting corpora from the boards'
# descriptions (compiled by the top Makefile): OUT/fuzz-dtb gets every
# .dtb, OUT/fuzz-check every system .cell with each cell .cell of its
# board, as fuzz-check.c reads its input (a count byte, then 16-bit
# little-endian lengths before each blob).
set -e
configs=$1 out=$2
mkdir -p "$out/fuzz-dtb" "$out/fuzz-check"
find "$configs" -name '*.dtb' -exec cp {} "$out/fuzz-dtb/" \;

le16() { # N: two bytes, little endian
	printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8)))"
}
blob() { # FILE: its length, then its bytes
	le16 "$(stat -c %s "$1")"
	cat "$1"
}
n=0
for sys in "$configs"/*/*-x86.cell; do
	board=${sys%.cell}
	for cell in "$board"-*.cell; do
		[ -f "$cell" ] || continue
		n=$((n + 1))
		{ printf '\001'; blob "$sys"; blob "$cell"; } > "$out/fuzz-check/seed-$n"
	done
done
echo "seeds: $(ls "$out/fuzz-dtb" | wc -l) dtb, $n system+cell"
