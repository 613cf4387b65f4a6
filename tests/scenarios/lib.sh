# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test library, sourced by every scenario script (and by /init).
#
# A scenario is a shell script that calls the t_* functions below. Every
# result is written as one marker line into /dev/kmsg, because the kernel's
# console on ttyS0 prints kernel messages by polling the UART: they reach
# com1.log on every board, including QEMU's AMD-Vi board where no UART
# interrupt arrives and user-space output on ttyS0 never appears. The host
# side (tests/harness/run.sh) decides the verdict from these lines only:
#
#   BRIG-TEST: SCENARIO <file>              a scenario starts
#   BRIG-TEST: BEGIN <test>                 a test starts
#   BRIG-TEST: PASS <test>
#   BRIG-TEST: FAIL <test>: <reason>
#   BRIG-TEST: SKIP <test>: <reason>        counted neither way
#   BRIG-TEST: LOG <text>                   context for a human
#   BRIG-TEST: DONE passed=N failed=M skipped=K   written once by /init
#
# Test names are single words (spaces become '_'). The same results go to
# stdout as "ok - <test>" / "not ok - <test>: <reason>" for a human watching
# the console; that format differs on purpose so the markers are not counted
# twice. Results are also appended to $T_RESULTS so /init can count them
# across scenarios, each of which runs in its own shell.
#
# Environment for scenarios (filled from the kernel command line, which
# tests/harness/run.sh writes; "brigtest." and not "brig.", which the kernel
# would treat as parameters of the brig module):
#   BRIG_BOARD      qemu-x86 | bochs-x86 (brigtest.board=)
#   BRIG_IOMMU      intel-iommu | amd-iommu | none (brigtest.iommu=)
#   BRIG_CPUS       number of CPUs the board was given (brigtest.cpus=)
#   BRIG_KO         the driver module, BRIG_TEST_MODULES its test modules
#   BRIG_CONF_DIR   system and cell descriptions (.dts, .dtb, .cell)
#   BRIG_FIRMWARE   the hypervisor image

T_RESULTS=${T_RESULTS:-/run/brig-test/results}
BRIG_KO=/lib/modules/brig.ko
BRIG_TEST_MODULES=/lib/modules/tests
BRIG_CONF_DIR=/etc/brig
BRIG_FIRMWARE=/lib/firmware/brig/brig-x86.bin
BRIG_INMATES=/lib/brig/inmates

# t_cmdline KEY [DEFAULT]: value of KEY=value on the kernel command line;
# the last one wins, so run.sh --append can override a board default.
t_cmdline() {
	_v=${2-}
	for _w in $(cat /proc/cmdline); do
		case $_w in "$1="*) _v=${_w#*=} ;; esac
	done
	echo "$_v"
}

BRIG_BOARD=$(t_cmdline brigtest.board unknown)
BRIG_IOMMU=$(t_cmdline brigtest.iommu none)
BRIG_CPUS=$(t_cmdline brigtest.cpus 0)

# The part of a system description's name that names the board's IOMMU
# (VT-d: -vtd, AMD-Vi: -amdvi, none: nothing), in $_iommu.
_brig_iommu_suffix() {
	_iommu=
	[ "$BRIG_IOMMU" = intel-iommu ] && _iommu=-vtd
	[ "$BRIG_IOMMU" = amd-iommu ] && _iommu=-amdvi
}

# brig_system_variant NAME: the system description NAME for this board and
# its IOMMU: $BRIG_BOARD-vtd-NAME.cell, $BRIG_BOARD-amdvi-NAME.cell or
# $BRIG_BOARD-NAME.cell.
brig_system_variant() {
	_brig_iommu_suffix
	echo "$BRIG_CONF_DIR/$BRIG_BOARD$_iommu-$1.cell"
}

# The system description for this boot: the one naming the board's IOMMU
# (VT-d: $BRIG_BOARD-vtd*, AMD-Vi: $BRIG_BOARD-amdvi*), for its CPU count if
# there is one.
brig_system() {
	_brig_iommu_suffix
	for _f in "$BRIG_CONF_DIR/$BRIG_BOARD$_iommu-${BRIG_CPUS}cpu.cell" \
		"$BRIG_CONF_DIR/$BRIG_BOARD$_iommu.cell" \
		"$BRIG_CONF_DIR/$BRIG_BOARD-${BRIG_CPUS}cpu.cell" \
		"$BRIG_CONF_DIR/$BRIG_BOARD.cell"; do
		[ -f "$_f" ] && { echo "$_f"; return; }
	done
}

# _t_flat TEXT...: one line, bounded length (a kmsg record holds ~1000 bytes).
_t_flat() {
	printf '%s' "$*" | tr '\n\r\t' '   ' | cut -c1-400
}

# _t_kmsg LINE: one kernel log record at KERN_WARNING, below the console
# loglevel (7 on Debian, 4 with "quiet") so it is always printed.
_t_kmsg() {
	printf '<4>BRIG-TEST: %s\n' "$(_t_flat "$*")" >/dev/kmsg 2>/dev/null || true
}

_t_name() {
	printf '%s' "$1" | tr ' \t' '__'
}

_t_record() { # KIND NAME
	mkdir -p "${T_RESULTS%/*}"
	echo "$1 $2" >>"$T_RESULTS"
}

# t_log TEXT...: context line in the kernel log and on stdout.
t_log() {
	_t_kmsg "LOG $*"
	echo "# $*"
}

# t_begin NAME: mark the start of a test (optional before t_pass/t_fail).
t_begin() {
	_t_kmsg "BEGIN $(_t_name "$1")"
}

# t_pass NAME
t_pass() {
	_n=$(_t_name "$1")
	_t_record PASS "$_n"
	_t_kmsg "PASS $_n"
	echo "ok - $_n"
}

# t_fail NAME REASON
t_fail() {
	_n=$(_t_name "$1")
	_t_record FAIL "$_n"
	_t_kmsg "FAIL $_n: ${2:-no reason given}"
	echo "not ok - $_n: ${2:-no reason given}"
}

# t_skip NAME REASON: the test cannot run here; neither a pass nor a failure.
t_skip() {
	_n=$(_t_name "$1")
	_t_record SKIP "$_n"
	_t_kmsg "SKIP $_n: ${2:-}"
	echo "ok - $_n # SKIP ${2:-}"
}

# t_export FILE NAME: hands a file to the host. It goes into the kernel log
# base64-encoded between "FILE-BEGIN NAME" and "FILE-END NAME SIZE" marker
# lines; the harness writes it to build/test-logs/<run>/files/NAME and
# fails the run if it does not arrive whole or does not parse as its
# extension says (.json, .svg, .csv, .txt: tests/harness/files.py).
# NAME: letters, digits, '.', '-' and '_' only.
t_export() {
	[ -f "$1" ] || { t_log "t_export: no file $1"; return 1; }
	printf '<4>BRIG-TEST: FILE-BEGIN %s\n' "$2" >/dev/kmsg || return 1
	base64 <"$1" >/tmp/t_export.b64 || return 1
	while IFS= read -r _l; do
		printf '<4>BRIG-TEST: FILE-DATA %s %s\n' "$2" "$_l" >/dev/kmsg ||
			return 1
	done </tmp/t_export.b64
	printf '<4>BRIG-TEST: FILE-END %s %s\n' "$2" "$(wc -c <"$1")" >/dev/kmsg
}

# _t_log_output FILE: the last lines of a command's output as LOG markers.
_t_log_output() {
	tail -n 15 "$1" | while IFS= read -r _l; do
		t_log "  | $_l"
	done
}

# t_check NAME COMMAND...: passes if COMMAND exits 0; otherwise fails with
# its exit status and output.
t_check() {
	_tn=$1
	shift
	t_begin "$_tn"
	_out=$(mktemp /tmp/t_out.XXXXXX)
	"$@" >"$_out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		t_pass "$_tn"
	else
		t_fail "$_tn" "'$*' exited $_rc: $(head -n 3 "$_out")"
		_t_log_output "$_out"
	fi
	rm -f "$_out"
	return $_rc
}

# t_expect_fail NAME SUBSTRING COMMAND...: passes only if COMMAND exits
# non-zero AND its stdout or stderr contains SUBSTRING (ignoring case, so
# "usage" matches "Usage:"). Bad-input tests need
# both halves: failing for the wrong reason (a crash, a missing file) must not
# count as the refusal being tested.
t_expect_fail() {
	_tn=$1
	_want=$2
	shift 2
	t_begin "$_tn"
	_out=$(mktemp /tmp/t_out.XXXXXX)
	"$@" >"$_out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ]; then
		t_fail "$_tn" "'$*' succeeded but should have failed: $(head -n 3 "$_out")"
		_t_log_output "$_out"
		_rc=1
	elif ! grep -qiF -- "$_want" "$_out"; then
		t_fail "$_tn" "'$*' failed ($_rc) without saying '$_want': $(head -n 3 "$_out")"
		_t_log_output "$_out"
		_rc=1
	else
		t_pass "$_tn"
		_rc=0
	fi
	rm -f "$_out"
	return $_rc
}

# t_wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds;
# returns non-zero after SECONDS (guest time). For conditions that settle
# asynchronously (a device node appearing, a cell reaching a state). Short
# polls matter on Bochs, where one idle guest second costs ~100 s of wall
# time: never `sleep` there longer than needed.
t_wait_for() {
	_tries=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$_tries" -gt 0 ] || return 1
		_tries=$((_tries - 1))
		usleep 100000
	done
}

# t_count KIND: how many results of KIND (PASS/FAIL/SKIP) so far.
t_count() {
	[ -f "$T_RESULTS" ] || { echo 0; return; }
	grep -c "^$1 " "$T_RESULTS" || true
}

# state_of NAME: a cell's state as `brig cell list` shows it.
state_of() { brig cell list | awk -v n="$1" '$2 == n { print $3 }'; }

# exits_of NAME: the VM exits of a one-CPU cell's CPU, as `brig cell stats`
# reports them.
exits_of() { brig cell stats "$1" | awk '$1 == "total" { print $2 }'; }

# peek PHYS: the 64-bit word at host-physical PHYS as a root driver reads
# it (hvprobe), in hex; poke PHYS VALUE writes it.
peek() {
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys="$1" op=read && rmmod hvprobe
	dmesg | grep "hvprobe: read $1" | tail -n 1 | sed 's/.*= //'
}
poke() {
	insmod "$BRIG_TEST_MODULES/hvprobe.ko" phys="$1" op=write value="$2" &&
		rmmod hvprobe
}

# serial_works: interrupts of ttyS0 (IO-APIC pin 4; remapped on VT-d)
# grow when the console is written to. QEMU's AMD-Vi board delivers no
# IO-APIC interrupt at all: there it only says so.
serial_irqs() { awk '/ttyS0/ { n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) n += $i; print n }' /proc/interrupts; }
serial_works() {
	if [ "$BRIG_IOMMU" = amd-iommu ]; then
		echo "AMD-Vi board: QEMU delivers no IO-APIC interrupt (no serial interrupts to count)"
		return 0
	fi
	_a=$(serial_irqs)
	for _i in $(seq 20); do echo "serial interrupt probe $_i" > /dev/ttyS0; done
	_b=$(serial_irqs)
	echo "ttyS0 interrupts: $_a -> $_b"
	[ "$_b" -gt "$_a" ]
}

# fails_saying CELL FILTER START WORDS...: START (a command line) brings
# CELL up; the cell must end failed, and the new hypervisor console lines
# matching FILTER (an extended regex) must say every one of WORDS. The
# cell is destroyed either way.
fails_saying() {
	_cell=$1 _filter=$2 _start=$3
	shift 3
	brig console > /tmp/fails-saying.before
	eval "$_start" || return 1
	t_wait_for 20 sh -c "brig cell list | grep -q '$_cell *failed'" || {
		echo "cell did not fail: $(state_of "$_cell")"; brig console | tail -n 5
		brig cell destroy --force "$_cell"; return 1; }
	brig console > /tmp/fails-saying.after
	_msg=$(diff /tmp/fails-saying.before /tmp/fails-saying.after | grep '^+' | grep -E "$_filter")
	echo "$_msg"
	for _w in "$@"; do
		echo "$_msg" | grep -qi -- "$_w" || {
			echo "console does not say '$_w'"; brig cell destroy "$_cell"; return 1; }
	done
	brig cell destroy "$_cell"
}
