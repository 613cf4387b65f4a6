#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every tracked C source (*.c, *.h) must read as clang-format 14 writes it
# with the tree's .clang-format. Files git does not track (build products
# such as *.mod.c, the build/ tree, test output) are never looked at.
#
#   scripts/check-format.sh [FILE...]        check (all tracked files)
#   scripts/check-format.sh --fix [FILE...]  rewrite them in place
#
# Only clang-format 14 counts: other versions format differently. The
# binary is clang-format-14 unless CLANG_FORMAT names another one.
set -eu
cd "$(dirname "$0")/.."

CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
DIFF_LINES=20	# of each file's diff
DIFF_FILES=10	# files whose diff is shown; the rest are only named

fix=0
if [ "${1:-}" = --fix ]; then
	fix=1
	shift
fi

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
	echo "check-format: $CLANG_FORMAT not found; install it with" >&2
	echo "    apt-get install clang-format-14    (or: make deps, as root)" >&2
	exit 1
fi
version=$("$CLANG_FORMAT" --version)
case $version in
*"clang-format version 14."*) ;;
*)
	echo "check-format: $CLANG_FORMAT is not clang-format 14: $version" >&2
	exit 1
	;;
esac

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.out"' EXIT
if [ $# = 0 ]; then
	git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		{ echo "check-format: not a git work tree, no file list" >&2; exit 1; }
	git ls-files -- '*.c' '*.h' |
		grep -v -e '\.mod\.c$' -e '^build/' >"$tmp" || true
else
	printf '%s\n' "$@" >"$tmp"
fi
total=$(grep -c . "$tmp" || true)

if [ $fix = 1 ]; then
	xargs -r -d "\n" "$CLANG_FORMAT" -i <"$tmp"
	echo "format: $total files run through $CLANG_FORMAT -i"
	exit 0
fi

# One clang-format for the lot names the files that differ (it starts
# slowly); each of those is then formatted again on its own for the diff.
if ! xargs -r -d "\n" "$CLANG_FORMAT" --dry-run <"$tmp" >/dev/null 2>"$tmp.out"; then
	cat "$tmp.out" >&2
	echo "check-format: $CLANG_FORMAT failed" >&2
	exit 1
fi
# file:line:col: warning: code should be clang-formatted [-Wclang-format-...]
bad=$(sed -n 's/^\(.*\):[0-9]*:[0-9]*: warning: code should be clang-f.*/\1/p' \
	"$tmp.out" | sort -u)

fail=0
for f in $bad; do
	fail=$((fail + 1))
	echo "FAIL: $f"
	[ $fail -le $DIFF_FILES ] || continue
	"$CLANG_FORMAT" "$f" |
		diff -u --label "a/$f" --label "b/$f" "$f" - >"$tmp.out" || true
	n=$(wc -l <"$tmp.out")
	head -n $DIFF_LINES "$tmp.out" | sed 's/^/    /'
	[ "$n" -le $DIFF_LINES ] || echo "    ... $((n - DIFF_LINES)) more lines"
done
[ $fail = 0 ] || echo "(make format rewrites them as clang-format 14 wants)"
echo "format: $((total - fail)) passed, $fail failed"
[ $fail = 0 ]
