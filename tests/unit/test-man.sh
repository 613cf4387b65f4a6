#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/man/: every page formats without a groff warning; brig.8,
# brig-cell.8 and brig-config.8 document every command the tool's usage
# lists (brig.8 naming those of the other two), and brig-description.5
# every node, property and value word the description schema knows
# (tools/fdt-schema.c, tools/config-dts.c): one added without its man page
# entry fails here. Run by make test-unit.
set -u -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
page=$top/tools/man/brig.8
failed=0

for p in "$top"/tools/man/*.[0-9]; do
	warnings=$(groff -man -ww -z "$p" 2>&1)
	if [ -n "$warnings" ]; then
		echo "not ok - groff warns about ${p##*/}:"
		echo "$warnings"
		failed=1
	else
		echo "ok - ${p##*/} formats cleanly"
	fi
done
# "  brig cell create CELL-DESCRIPTION" -> "cell create"
cmds=$("$top/tools/brig" --help |
	awk '/^  brig / { print $3 ~ /^[a-z]+$/ ? $2 " " $3 : $2 }' | sort -u) ||
	{ echo "not ok - brig --help failed"; exit 1; }
[ "$(printf '%s\n' "$cmds" | wc -l)" -ge 10 ] ||
	{ echo "not ok - brig --help lists too few commands: $cmds"; exit 1; }
printf '%s\n' "$cmds" | while read -r cmd; do
		# brig cell ... in brig-cell.8, brig config ... in brig-config.8,
		# the rest in brig.8, which names the other two's commands too.
		case $cmd in
		"cell "*) p=$top/tools/man/brig-cell.8 ;;
		"config "*) p=$top/tools/man/brig-config.8 ;;
		*) p=$page ;;
		esac
		# The page writes a command as .B/.BI "cell create " or .BR "stats "
		if grep -qE "^\.B[IR]* (\"$cmd[ \"]|$cmd\$)" "$p"; then
			echo "ok - ${p##*/} documents brig $cmd"
		else
			echo "not ok - ${p##*/} does not document brig $cmd"
			exit 1
		fi
		if [ "$p" != "$page" ] && ! grep -qF "\"$cmd\"" "$page" &&
			! grep -qE "^\.BR? \"?$cmd" "$page"; then
			echo "not ok - brig.8 does not name brig $cmd"
			exit 1
		fi
	done || failed=1
# The schema's words, as the page shows them (roff writes - as \- and
# a double quote as \(dq).
desc=$(sed -e 's/\\-/-/g' -e 's/\\(dq/"/g' "$top/tools/man/brig-description.5")
for w in $(grep -oh '"[a-z][a-z0-9-]*"' "$top/tools/fdt-schema.c" \
	"$top/tools/config-dts.c" | tr -d '"' | sort -u); do
	[ "$w" = phandle ] && continue # dtc's, ignored by the schema
	# A whole word: not part of a longer one with dashes (device-tree).
	if grep -qE -- "(^|[^a-z0-9-])$w([^a-z0-9-]|\$)" <<<"$desc"; then
		echo "ok - brig-description.5 names $w"
	else
		echo "not ok - brig-description.5 does not name $w"
		failed=1
	fi
done
exit $failed
