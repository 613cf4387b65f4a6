# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd
#
# The command line misused the ways a new user misuses it (issue 17), on
# the live machine with brig enabled and a cell running: --help at every
# level answers with status 0; a wrong command line says in one line what
# was wrong (status 2); a request that cannot be met says why in one line
# (status 1); devices, FIFOs, huge, empty and random files given as
# descriptions or images are refused without being read through; onlining
# a cell's CPU is refused at once. Nothing changes: the same cells in the
# same states, the same CPUs online, the same /proc/iomem, and the kernel
# logs no WARNING or BUG.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell
BIN=$BRIG_INMATES/hello.bin
T=/tmp/cli-misuse
mkdir -p $T

snapshot() { # FILE: what must not change
	{
		brig cell list
		cat /sys/devices/system/cpu/online
		cat /proc/iomem
	} > "$1" 2>&1
}

# misuse STATUS PATTERN ARGS...: brig ARGS exits with STATUS, and its
# stderr's first line matches PATTERN (grep -E) and says so in one line
# (usage, if any, follows on the next lines).
misuse() {
	_st=$1 _pat=$2
	shift 2
	brig "$@" > $T/out 2> $T/err
	_rc=$?
	_first=$(head -n 1 $T/err)
	echo "brig $*: status $_rc: $_first"
	[ "$_rc" = "$_st" ] || { echo "  wanted status $_st"; cat $T/err; return 1; }
	echo "$_first" | grep -qE -- "$_pat" || { echo "  wanted: $_pat"; return 1; }
}

# helps ARGS...: brig ARGS --help prints a usage on stdout, status 0.
helps() {
	brig "$@" --help > $T/out 2> $T/err || { cat $T/err; return 1; }
	grep -q "brig" $T/out && [ ! -s $T/err ]
}

help_everywhere() {
	for c in "" "cell" "cell create" "cell load" "cell start" "cell destroy" \
		"cell list" "cell stats" "config" "config check" "config compile" \
		"config dump" "enable" "disable" "info" "stats" "console" \
		"latency" "latency run" "latency watch"; do
		# shellcheck disable=SC2086 # the words are the command
		helps $c || { echo "brig $c --help failed"; return 1; }
	done
}

wrong_command_lines() {
	misuse 2 'unknown option "--xml"' stats --xml &&
		misuse 2 '--format=xml: the formats are' stats --format=xml &&
		misuse 2 'one format only' stats --json --format=text &&
		misuse 2 'unexpected argument "b"' enable a b &&
		misuse 2 'unexpected argument' disable now &&
		misuse 2 'unknown subcommand|unknown command' cell frobnicate &&
		misuse 2 'unknown command|unknown subcommand' frobnicate &&
		misuse 2 'missing NAME.ID, the cell' cell start &&
		misuse 2 'missing IMAGE' cell load hello &&
		misuse 2 'unknown option "--"' cell destroy -- &&
		misuse 2 'too long' cell stats abcdefghijklmnopqrstuvwxyz0123456789 &&
		misuse 2 '--duration 0' latency run "$CELL" $BIN --duration 0 &&
		misuse 2 '-n 0: not a number' latency watch -n 0
}

bad_files() {
	mkfifo $T/fifo
	head -c 2000000 /dev/zero > $T/big.dts
	: > $T/empty.dts
	head -c 4096 /dev/urandom > $T/random.bin
	misuse 1 'not a regular file|regular file' config check /dev/zero &&
		misuse 1 'not a regular file|regular file' enable /dev/zero &&
		misuse 1 'not a regular file|regular file' cell create $T/fifo &&
		misuse 1 'larger than|too large|at most' cell create $T/big.dts &&
		misuse 1 'empty' config check $T/empty.dts &&
		misuse 1 'not a device-tree source or blob' cell create $T/random.bin &&
		misuse 1 'not a regular file|regular file' cell load hello /dev/zero &&
		misuse 1 'is empty' cell load hello $T/empty.dts
}

refusals() {
	misuse 1 'no cell named "nosuch"' cell start nosuch &&
		misuse 1 'no cell with id 77' cell destroy 77 &&
		misuse 1 'root cell' cell destroy 0 &&
		misuse 1 'already|exists|taken' cell create "$CELL" &&
		misuse 1 'destroy the cells first' disable
}

# Onlining the cell's CPU: refused at once (not after Linux's 10 s wait),
# and the kernel log says why.
online_refused() {
	_cpu=$(brig cell list | awk '$2 == "hello" { print $4 }')
	[ -n "$_cpu" ] || return 1
	_t0=$(cut -d. -f1 /proc/uptime)
	echo 1 > /sys/devices/system/cpu/cpu$_cpu/online 2> $T/online.err && return 1
	_t1=$(cut -d. -f1 /proc/uptime)
	cat $T/online.err
	dmesg | tail -n 3
	[ $((_t1 - _t0)) -lt 5 ] && dmesg | tail -n 5 | grep -q "CPU $_cpu belongs to a cell"
}

no_kernel_complaints() {
	dmesg > $T/dmesg.end
	! diff $T/dmesg.start $T/dmesg.end | grep '^+' | grep -v "BRIG-TEST" |
		grep -E "WARNING: CPU|BUG:|Oops|cut here|general protection"
}

t_check cli-misuse.insmod insmod "$BRIG_KO"
t_check cli-misuse.enable brig enable "$SYS"
t_check cli-misuse.cell sh -c "brig cell create $CELL && brig cell load hello $BIN && brig cell start hello"
dmesg > $T/dmesg.start
snapshot $T/before
t_check cli-misuse.help-everywhere help_everywhere
t_check cli-misuse.wrong-command-lines wrong_command_lines
t_check cli-misuse.bad-files bad_files
t_check cli-misuse.refusals refusals
t_check cli-misuse.online-refused online_refused
snapshot $T/after
t_check cli-misuse.nothing-changed diff $T/before $T/after
t_check cli-misuse.no-kernel-complaints no_kernel_complaints
t_check cli-misuse.cleanup sh -c "brig cell destroy hello && brig disable && rmmod brig"
