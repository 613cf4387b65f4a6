#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that the README's two commands work on their FIRST run on a fresh
# Debian 12 (bookworm) machine: build a minimal bookworm root with mmdebstrap
# (minbase plus git, ca-certificates and make, nothing else brig needs), clone
# this repository into it (a clean clone of HEAD, or of --ref), and run there,
# as root in a chroot with /proc, /sys and /dev bound:
#
#   make demo     the first command ever run in the clone: it must install
#                 what it needs (scripts/setup-deps.sh) and succeed
#   make check    its first, fast phase: the check recipe's own sub-makes
#                 (deps, all, test-unit, test-headers, test-boundary,
#                 format-check, test-symbols), each logged and timed on its
#                 own; the emulated suites (test-qemu, test-bochs) are skipped
#   install       make deb (Debian packages brig and brig-dkms), installed
#                 with apt, lintian finding no error in them; DKMS builds
#                 and installs the modules for each kernel whose headers
#                 are there (both test kernels); the tool, image, inmates
#                 and unit are in place, man shows every page, completion
#                 loads; apt removes both cleanly
#
# Ends with exactly "fresh-machine: N passed, M failed"; exits non-zero if a
# step failed, after the last 40 lines of each failed step's log.
#
# Usage: fresh-machine.sh [--root DIR] [--logs DIR] [--ref REV] [--keep]
#                         [--skip-demo] [--only-deps]
#   --root DIR    where the root is built (default /var/tmp/brig-fresh/root);
#                 a root left by an earlier run there is removed first
#   --logs DIR    the logs (default /var/tmp/brig-fresh/logs/<UTC time>)
#   --ref REV     test REV (any commit of this repository) instead of HEAD
#   --keep        keep the root afterwards (its mounts are undone regardless)
#   --skip-demo   no make demo: make check is then the first run (debugging)
#   --only-deps   bootstrap, clone and `make -s deps` only (debugging)
#
# Needs root, the Debian mirror (the host's own apt sources for bookworm and
# its updates and security suites are used; not backports: a fresh machine
# has none, setup-deps.sh adds it) and about 4 GB under --root. QEMU in the
# root takes the host's emulator lock (/tmp/brig-emulator.lock, bound into
# the root), so the demo waits for any emulator run on the host.
set -eu

# The install step's commands, in the root after make check: the Debian
# packages (make deb, with Debian's own tooling), installed with apt; then
# DKMS builds the modules for each kernel whose headers are there (both
# test kernels; apt's own run covers only the running kernel, which is the
# host's here).
INSTALL_CHECK='set -e
make -s deb-deps
make -s deb
apt-get install -y -qq --no-install-recommends lintian man-db
lintian --fail-on error build/deb/brig_*.deb build/deb/brig-dkms_*.deb
apt-get install -y -qq --no-install-recommends ./build/deb/brig_*.deb ./build/deb/brig-dkms_*.deb
v=$(sed -n "s/^#define BRIG_VERSION \"\(.*\)\"/\1/p" include/brig/version.h)
n=0
for b in /lib/modules/*/build; do
	k=${b%/build}; k=${k##*/}
	dkms install -m brig -v "$v" -k "$k"
	n=$((n + 1))
done
dkms status | tee /tmp/dkms.status
[ "$(grep -c ": installed" /tmp/dkms.status)" = "$n" ] && [ "$n" -ge 2 ]
for k in $(dkms status | sed -n "s/^brig[^,]*, \([^,]*\),.*/\1/p"); do
	for m in brig brig_ivshmem brig_guest; do
		modinfo -k "$k" "$m" | grep -q "^filename:.*/updates/dkms/$m.ko"
	done
done
/usr/sbin/brig --version
[ -f /lib/firmware/brig/brig-x86.bin ] && [ -f /usr/lib/brig/inmates/hello.bin ]
[ -f /lib/systemd/system/brig.service ] || [ -f /usr/lib/systemd/system/brig.service ]
for m in brig brig-cell brig-config brig-description brig-pingpong; do
	MANPAGER=cat man "$m" | grep -q "^NAME"
done
bash -c ". /usr/share/bash-completion/completions/brig && complete -p brig"
apt-get remove -y -qq brig brig-dkms
[ -z "$(dkms status -m brig)" ] && [ ! -e /usr/sbin/brig ]
echo "install: packages brig and brig-dkms; DKMS built and installed brig for $n kernels; removed cleanly"'

SUITE=bookworm
# The host's sources that a fresh Debian 12 machine has too.
SUITES_RE='^bookworm(-updates|-security|/updates)?$'
INCLUDE=git,ca-certificates,make
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CLONE=/root/brig	# in the root
WRAP_DIR=/usr/local/lib/brig-fresh	# in the root: the make wrapper
STEP_OUT=/root/fresh-machine	# in the root: the wrapper's logs
HOST_LOCK=${BRIG_EMULATOR_LOCK:-/tmp/brig-emulator.lock}

root=/var/tmp/brig-fresh/root
logs=
ref=HEAD
keep=0
skip_demo=0
only_deps=0

usage() {
	sed -n '20,28s/^# \{0,1\}//p' "$0" >&"${1:-2}"
	exit "${2:-2}"
}

say() {
	echo "fresh-machine: $*"
}

die() {
	echo "fresh-machine: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	--logs) [ $# -ge 2 ] || usage; logs=$2; shift 2 ;;
	--ref) [ $# -ge 2 ] || usage; ref=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--skip-demo) skip_demo=1; shift ;;
	--only-deps) only_deps=1; shift ;;
	-h | --help) usage 1 0 ;;
	*) echo "fresh-machine: unknown argument '$1'" >&2; usage ;;
	esac
done

[ "$(id -u)" = 0 ] || die "run as root (mmdebstrap, chroot, mounts)"
{ [ -f /etc/debian_version ] && command -v apt-get >/dev/null; } ||
	die "needs a Debian host (apt-get, mmdebstrap)"

src=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) ||
	die "$(dirname "$0")/.. is not a git work tree"
rev=$(git -C "$src" rev-parse --verify -q "$ref^{commit}") ||
	die "no commit '$ref' in $src"
subject=$(git -C "$src" log -1 --format=%s "$rev" | cut -c1-60)

root=$(realpath -m "$root")
case $root in
/ | /*[[:space:]]*) die "unusable --root '$root'" ;;
esac
logs=$(realpath -m "${logs:-/var/tmp/brig-fresh/logs/$(date -u +%Y%m%d-%H%M%S)}")
# The lock file beside the root says that this script made the root, and
# keeps a second run off it.
lock=$root.lock

# --- steps -------------------------------------------------------------------

# Every step: a name, an exit status ("-" when skipped), seconds, a log.
step_name=()
step_rc=()
step_secs=()
step_log=()

record() { # NAME RC SECS LOG
	step_name+=("$1")
	step_rc+=("$2")
	step_secs+=("$3")
	step_log+=("$4")
	if [ "$2" = - ]; then
		say "  $1: skipped"
	else
		say "  $1: exit $2 after $(dur "$3")"
	fi
}

dur() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# run_bg LOG COMMAND...: output to LOG, in the background so that a signal
# reaches this script's trap at once rather than after the step.
step_pid=
run_bg() {
	local log=$1 rc=0
	shift
	"$@" >"$log" 2>&1 </dev/null &
	step_pid=$!
	wait $step_pid || rc=$?
	step_pid=
	return $rc
}

# run_step NAME LOG COMMAND...: one step, output to LOG, timed.
run_step() {
	local name=$1 log=$2 t0 rc=0
	shift 2
	say "$name (log: $log)"
	t0=$SECONDS
	run_bg "$log" "$@" || rc=$?
	record "$name" $rc $((SECONDS - t0)) "$log"
	return $rc
}

# in_root [PATH_PREFIX] -- SHELL_COMMAND: run in the root, in the clone, as
# root with a plain login's environment (and the host's proxy, if any).
in_root() {
	local path=$ROOT_PATH
	if [ "$1" != -- ]; then
		path=$1:$path
		shift
	fi
	shift
	local env=(HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb
		LANG=C.UTF-8 PATH="$path") v
	for v in http_proxy https_proxy no_proxy; do
		[ -z "${!v:-}" ] || env+=("$v=${!v}")
	done
	chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c "cd $CLONE && $1"
}

# --- the host's apt sources ----------------------------------------------------

# host_sources DIR: the host's bookworm, bookworm-updates and bookworm-security
# entries into DIR/host.list (one-line style) and DIR/host.sources (deb822),
# empty when the host has none. Other suites and third-party archives are
# left out: a fresh machine has neither (and not their keys).
host_sources() {
	local f
	: >"$1/host.list"
	: >"$1/host.sources"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v re="$SUITES_RE" '
			/^[ \t]*(#|$)/ { next }
			$1 == "deb" {
				i = 2	# the URI, after any [ options ]
				if ($i ~ /^\[/) {
					while (i < NF && $i !~ /\]$/)
						i++
					i++
				}
				if ($(i + 1) ~ re)
					print
			}' "$f" >>"$1/host.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v re="$SUITES_RE" '
			function value(s) {
				sub(/^[^:]*:[ \t]*/, "", s)
				sub(/[ \t]+$/, "", s)
				return s
			}
			function flush(   n, k, s, kept) {
				if (nl > 0 && enabled && types ~ /(^|[ \t])deb([ \t]|$)/) {
					n = split(suites, s, /[ \t]+/)
					kept = ""
					for (k = 1; k <= n; k++)
						if (s[k] ~ re)
							kept = kept (kept == "" ? "" : " ") s[k]
					if (kept != "") {
						for (k = 1; k <= nl; k++)
							print (tolower(line[k]) ~ /^suites:/ ? \
								"Suites: " kept : line[k])
						print ""
					}
				}
				nl = 0; enabled = 1; types = ""; suites = ""
			}
			BEGIN { enabled = 1 }
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{
				line[++nl] = $0
				l = tolower($0)
				if (l ~ /^enabled:/ && tolower(value($0)) == "no")
					enabled = 0
				if (l ~ /^types:/)
					types = value($0)
				if (l ~ /^suites:/)
					suites = value($0)
			}
			END { flush() }' "$f" >>"$1/host.sources"
	done
}

# --- mounts and clean-up -------------------------------------------------------

mounted=()	# mount points in the root, in the order they were mounted

bind() { # SOURCE TARGET [mount options...]: into the root
	local src_=$1 dst=$2
	shift 2
	[ -e "$dst" ] || mkdir -p "$dst"
	mount "$@" "$src_" "$dst"
	mounted+=("$dst")
}

mounts_under_root() {
	awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts
}

# The step still running (interrupted), and every process whose root is
# ours: what a step left running (a QEMU after ^C).
stop_root_processes() {
	local p pids=() i
	[ -z "$step_pid" ] || pids+=("$step_pid")
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	say "stopping what still runs in the root: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		any_alive "${pids[@]}" || return 0
		sleep 1
	done
	kill -KILL "${pids[@]}" 2>/dev/null || true
	sleep 1
}

any_alive() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# unmount_all: everything this run mounted, last first; then anything else
# still mounted under the root (an earlier run's leftovers), deepest first.
unmount_all() {
	local i m
	stop_root_processes
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[i]}
		umount "$m" 2>/dev/null || umount -l "$m" ||
			echo "fresh-machine: cannot unmount $m" >&2
	done
	mounted=()
	for m in $(mounts_under_root | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" ||
			echo "fresh-machine: cannot unmount $m" >&2
	done
}

# remove_root: only with nothing mounted under it (never delete through a
# bound /dev), and only within its own file system.
remove_root() {
	if [ -n "$(mounts_under_root)" ]; then
		echo "fresh-machine: still mounted under $root, not removed:" >&2
		mounts_under_root >&2
		return 1
	fi
	rm -rf --one-file-system "$root"
}

# Nothing is unmounted or removed before this run owns the root.
owned=0
cleaned=0
cleanup() {
	[ $owned = 1 ] && [ $cleaned = 0 ] || return 0
	cleaned=1
	unmount_all
	if [ -n "$(mounts_under_root)" ]; then
		echo "fresh-machine: still mounted under $root:" >&2
		mounts_under_root >&2
		unmount_ok=0
	fi
	if [ -d "$root" ]; then
		root_mb=$(du -sxm "$root" 2>/dev/null | cut -f1)
		if [ $keep = 0 ] && remove_root; then
			rm -f "$lock"
		fi
	fi
	return 0
}
unmount_ok=1
root_mb=
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the run -------------------------------------------------------------------

mkdir -p "$logs" "$(dirname "$root")"
exec 9>>"$lock"
flock -n 9 || die "another fresh-machine run uses $root ($lock)"
if [ -e "$root" ] && [ -n "$(ls -A "$root")" ]; then
	# The lock file existed before this run: the root is an earlier run's.
	if ! [ -s "$lock" ]; then
		rm -f "$lock"
		die "$root is not empty and was not made by this script: remove it or give --root"
	fi
	owned=1
	say "removing the root of an earlier run"
	unmount_all
	remove_root || die "cannot remove $root"
fi
echo "$$ $(date -u +%FT%TZ)" >"$lock"
owned=1
start=$SECONDS

say "commit $(git -C "$src" rev-parse --short "$rev") \"$subject\" of $src"
if [ "$ref" = HEAD ] && [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
	say "note: the work tree's uncommitted changes are not tested (a clone of HEAD is)"
fi
say "root $root, logs $logs"
avail=$(df -Pm "$(dirname "$root")" | awk 'NR == 2 { print $4 }')
[ "$avail" -ge 4096 ] || say "warning: only $avail MiB free under $(dirname "$root")"

if ! command -v mmdebstrap >/dev/null; then
	say "installing mmdebstrap"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
fi

# The host's mirror, and its apt proxy if it has one.
mkdir -p "$logs/apt"
host_sources "$logs/apt"
mirrors=()
for f in "$logs/apt/host.sources" "$logs/apt/host.list"; do
	if [ -s "$f" ]; then mirrors+=("$f"); else rm -f "$f"; fi
done
[ ${#mirrors[@]} -gt 0 ] ||
	say "no bookworm entry in the host's apt sources: mmdebstrap's default mirror"
aptopts=()
while IFS= read -r line; do
	aptopts+=(--aptopt="$line")
done < <(apt-config dump | grep -E '^Acquire::https?::Proxy' || true)

say "mmdebstrap $SUITE, minbase + ${INCLUDE//,/ }, sources: ${mirrors[*]:-default}"
run_step "bootstrap (mmdebstrap)" "$logs/bootstrap.log" \
	mmdebstrap --mode=root --variant=minbase --include="$INCLUDE" \
	"${aptopts[@]}" "$SUITE" "$root" "${mirrors[@]}" || true

ok=0
if [ "${step_rc[-1]}" = 0 ]; then
	# mmdebstrap copies it; a host whose resolv.conf came later needs it.
	[ -s "$root/etc/resolv.conf" ] || cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	# A clean clone, as over the network (--no-local), not a copy of the
	# work tree; then the commit under test, detached.
	clone() {
		git clone --no-local "$src" "$root$CLONE" &&
			{ git -C "$root$CLONE" cat-file -e "$rev^{commit}" 2>/dev/null ||
				git -C "$root$CLONE" fetch origin "$rev"; } &&
			git -C "$root$CLONE" checkout -q --detach "$rev" &&
			git -C "$root$CLONE" log -1 --format='%H %s'
	}
	run_step "clone ($(git -C "$src" rev-parse --short "$rev"))" "$logs/clone.log" clone &&
		ok=1
fi

if [ $ok = 1 ]; then
	bind proc "$root/proc" -t proc
	bind /sys "$root/sys" --bind
	bind /dev "$root/dev" --bind
	bind /dev/pts "$root/dev/pts" --bind
	if mountpoint -q /dev/shm; then
		bind /dev/shm "$root/dev/shm" --bind
	fi
	# One emulator at a time on this host, the root's included.
	[ -e "$HOST_LOCK" ] || : >>"$HOST_LOCK"
	mkdir -p "$root/tmp"
	: >>"$root/tmp/brig-emulator.lock"
	bind "$HOST_LOCK" "$root/tmp/brig-emulator.lock" --bind

	if [ $only_deps = 1 ]; then
		run_step "make -s deps" "$logs/deps.log" in_root -- 'make -s deps' || true
	else
		if [ $skip_demo = 0 ]; then
			if run_step "make demo" "$logs/demo.log" in_root -- 'make demo' &&
				! grep -q '^== full logs:' "$logs/demo.log"; then
				# Exit 0 without the demo's last line: it did not run.
				echo "fresh-machine: make demo exited 0 but printed no '== full logs:'" \
					>>"$logs/demo.log"
				step_rc[-1]=1
			fi
			if [ -d "$root$CLONE/build/test-logs/demo" ]; then
				cp -r "$root$CLONE/build/test-logs/demo" "$logs/demo-guest"
			fi
		fi

		# make check as it is, through a make that logs and times the
		# check recipe's own sub-makes and skips the emulated suites.
		mkdir -p "$root$WRAP_DIR" "$root$STEP_OUT"
		: >"$root$STEP_OUT/results"
		cat >"$root$WRAP_DIR/make" <<'WRAP'
#!/bin/bash
# scripts/fresh-machine.sh's make for its `make check` step: the check
# recipe's own sub-makes (MAKELEVEL 1) run as usual, each also logged and
# timed on its own, except the emulated suites, which are skipped; every
# other make is /usr/bin/make untouched (named "make", so that $(MAKE) is
# this file again).
out=@STEP_OUT@
[ "${MAKELEVEL:-0}" = 1 ] || exec -a make /usr/bin/make "$@"
goal=
for a in "$@"; do
	case $a in -* | *=*) ;; *) goal=${goal:+$goal+}$a ;; esac
done
goal=${goal:-default}
case $goal in
test-qemu | test-bochs)
	echo "fresh-machine: make $* skipped (no emulated boards here)"
	echo "$goal - 0" >>"$out/results"
	exit 0
	;;
esac
t0=$SECONDS
{
	exec -a make /usr/bin/make "$@" 2>&1
} | tee "$out/check-$goal.log"
rc=${PIPESTATUS[0]}
echo "$goal $rc $((SECONDS - t0))" >>"$out/results"
exit "$rc"
WRAP
		sed -i "s|@STEP_OUT@|$STEP_OUT|" "$root$WRAP_DIR/make"
		chmod 755 "$root$WRAP_DIR/make"

		say "make check, first phase (log: $logs/check.log)"
		t0=$SECONDS
		check_rc=0
		run_bg "$logs/check.log" in_root "$WRAP_DIR" -- 'make check' || check_rc=$?
		check_secs=$((SECONDS - t0))
		cp "$root$STEP_OUT"/check-*.log "$logs/" 2>/dev/null || true
		n=0
		while read -r goal rc secs; do
			n=$((n + 1))
			record "make check: $goal" "$rc" "$secs" "$logs/check-$goal.log"
		done <"$root$STEP_OUT/results"
		# Failed outside its sub-makes (while parsing, say), or has none.
		if [ $n = 0 ] || { [ $check_rc != 0 ] &&
			! awk '$2 != 0 && $2 != "-" { f = 1 } END { exit !f }' \
				"$root$STEP_OUT/results"; }; then
			record "make check" "$check_rc" "$check_secs" "$logs/check.log"
		fi

		# Installing as a user would: the tool, man pages and completion,
		# and the modules through DKMS for every kernel with headers here
		# (the two test kernels, whose headers make deps installed).
		run_step "packages (make deb), DKMS for each kernel" "$logs/install.log" \
			in_root -- "$INSTALL_CHECK" || true
	fi
fi

cleanup
total=$((SECONDS - start))

# --- summary -------------------------------------------------------------------

pass=0
fail=0
echo
say "summary: commit $(git -C "$src" rev-parse --short "$rev") \"$subject\""
printf '  %-42s %5s %9s %7s  %s\n' step exit time lines log
for i in "${!step_name[@]}"; do
	log=${step_log[i]}
	if [ "${step_rc[i]}" = - ]; then
		printf '  %-42s %5s %9s\n' "${step_name[i]}" - skipped
		continue
	fi
	lines=$(wc -l <"$log" 2>/dev/null || echo 0)
	printf '  %-42s %5s %9s %7s  %s\n' "${step_name[i]}" "${step_rc[i]}" \
		"$(dur "${step_secs[i]}")" "$lines" "${log##*/}"
	if [ "${step_rc[i]}" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "  total $(dur $total); logs in $logs"
if [ -n "$root_mb" ]; then
	if [ $keep = 1 ]; then
		echo "  the root: $root_mb MiB, kept at $root (unmounted)"
	else
		echo "  the root: $root_mb MiB, removed"
	fi
fi
[ $unmount_ok = 1 ] || { echo "  NOT everything under $root could be unmounted"; fail=$((fail + 1)); }
if [ -f "$logs/demo.log" ] && [ $fail = 0 ]; then
	echo
	echo "---- make demo, its last lines ($logs/demo.log) ----"
	tail -n 12 "$logs/demo.log"
fi
for i in "${!step_name[@]}"; do
	case ${step_rc[i]} in 0 | -) continue ;; esac
	echo
	echo "---- ${step_name[i]} failed (exit ${step_rc[i]}): last 40 lines of ${step_log[i]} ----"
	tail -n 40 "${step_log[i]}"
done
[ $fail = 0 ] || [ $keep = 1 ] || echo "(--keep keeps the root for a look)"
say "$pass passed, $fail failed"
[ $fail = 0 ]
