# SPDX-License-Identifier: GPL-2.0
# needs: stress-ng
# forbid: hv.log cannot emulate|cannot run on|injecting #|waits for a SIPI
# max-lines: hv.log 300
#
# The soak (make soak, tests/harness/soak.sh; docs/testing.md): the whole
# stress-ng cpu class runs in the root with brig enabled, again and again,
# so that a hang that shows once in tens of runs shows here too. Tagged for
# no board: no suite boots it, soak.sh runs it on its own.
#
# Each run is `stress-ng --class cpu --all 1 --verify -t 5s` (one instance
# of every cpu-class stressor at once, each checking its own results). A run
# passes if stress-ng exits 0 within brigtest.soak_hang seconds (default 60:
# a run takes a fraction of that even under TCG), every CPU is still a guest
# of brig (CPUID answers with its signature) and runs a task pinned to it,
# the kernel logged no warning, bug or RCU stall, and the hypervisor console
# grew by no more than 2000 bytes, some 20 lines (the hang this soak is for
# flooded it).
# brigtest.soak_stressors=NAME,NAME... runs those stressors instead, one
# instance each (soak.sh --stressors), to narrow a hang down.
# On an emulator that carries out MOV CS (mov-cs, run before brig is
# enabled, says so: QEMU 9.1 to 10.1) the class runs without its opcode
# stressor, whose random instructions then wedge or oops Linux with or
# without brig (docs/design.md, "The root's host-state fault"); the log
# says so. Named stressors are run as named.
# The number of runs is brigtest.soak_runs (default 100). The run loop stops
# early only once a CPU no longer answers: later runs could prove nothing.
# The host also fails the boot on the console lines named above and on a
# console that grew past max-lines, which catches a guest too stuck to say.

SYS=$(brig_system)
SIG=brigbrigbrig
RUNS=$(t_cmdline brigtest.soak_runs 100)
HANG=$(t_cmdline brigtest.soak_hang 60)
# stress-ng's selection: the stressors named, one instance each, or the
# whole cpu class.
NAMED=$(t_cmdline brigtest.soak_stressors)
STRESS=$(echo "$NAMED" | tr ',' '\n' | sed '/^$/d; s/.*/--& 1/' | tr '\n' ' ')
STRESS=${STRESS:---class cpu --all 1}
T=/tmp/soak
mkdir -p $T

soak_cpus() { # online CPUs, one a line
	for d in /sys/devices/system/cpu/cpu[0-9]*; do
		c=${d##*cpu}
		[ "$c" = 0 ] || [ "$(cat "$d/online")" = 1 ] && echo "$c"
	done
}

# soak_cpus_answer: every online CPU runs a task pinned to it within 10 s,
# and CPUID there carries brig's signature (the CPU is still brig's guest).
soak_cpus_answer() {
	for c in $(soak_cpus); do
		s=$(timeout 10 taskset -c "$c" cpuid-sig 2>&1)
		[ "$s" = "$SIG" ] || { echo "CPU $c: '$s'"; return 1; }
	done
}

# soak_console_bytes: all the hypervisor has printed since it started. The
# console keeps only its last 16 KiB; `brig console` names what it lost,
# so a flood that wrapped it still counts in full.
soak_console_bytes() {
	brig console >$T/console
	lost=$(sed -n 's/^\[\.\.\. \([0-9]*\) bytes of console output lost \.\.\.\]$/\1/p' $T/console)
	echo $((${lost:-0} + $(grep -v '^\[\.\.\. [0-9]* bytes of console output lost' $T/console | wc -c)))
}

# soak_run N: one stress-ng run; prints one summary line and leaves the
# verdicts in rc (stress-ng), hung (0/1), secs, cpus_ok, klog, console
# (bytes the hypervisor printed meanwhile).
soak_run() {
	before=$(soak_console_bytes)
	start=$(date +%s)
	# The inner timeout asks stress-ng to stop (it then stops its
	# stressors); the outer one kills it should it not listen.
	timeout -s KILL $((HANG + 30)) timeout "$HANG" \
		stress-ng $STRESS --verify -t 5s >$T/run.$1 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	hung=0
	[ "$secs" -ge "$HANG" ] && hung=1
	# Stressors left over by a killed run would skew the next one.
	killall -KILL stress-ng >/dev/null 2>&1
	cpus_ok=1
	soak_cpus_answer >$T/cpus.$1 2>&1 || cpus_ok=0
	# New kernel log lines only (the console copy in com1.log stays),
	# the test's own lines aside, as the harness's check does.
	klog=$(dmesg -c | grep -v -e BRIG-TEST -e brig-out: |
		grep -cE 'WARNING: CPU:|BUG:|Oops|rcu: INFO: .*stall|self-detected stall')
	console=$(($(soak_console_bytes) - before))
	t_log "soak: run $1/$RUNS: exit $rc, ${secs} s, hung $hung, CPUs answer $cpus_ok, kernel warnings $klog, console +$console bytes"
	# What the class ran, once: how many stressors, and those stress-ng
	# skipped (unsupported here) or saw fail.
	if [ "$1" = 1 ]; then
		t_log "soak: run 1: $(sed -n 's/.*dispatching hogs: //p' $T/run.1 |
			tr ',' '\n' | grep -c .) stressors"
		grep -iE 'skipp|fail|untrustworthy' $T/run.1 |
			sed 's/^stress-ng: [a-z]*: *\[[0-9]*\] //' |
			while IFS= read -r l; do
				t_log "soak: run 1: $l"
			done
	fi
	# stress-ng's tail is metrics; its complaints say more.
	if [ "$rc" != 0 ] || [ "$hung" = 1 ]; then
		t_log "soak: run $1: stress-ng's errors and failures, and its last line:"
		{ grep -E ': (fail|error): |FAIL|by signal|abort|untrustworthy' $T/run.$1 |
			head -n 14; tail -n 1 $T/run.$1; } >$T/said.$1
		_t_log_output $T/said.$1
	fi
	[ "$cpus_ok" = 1 ] || _t_log_output $T/cpus.$1
	[ "$rc" != 0 ] || rm -f $T/run.$1 # tmpfs is RAM
}

t_check soak.stress-ng-present command -v stress-ng || return 0
t_check soak.insmod insmod "$BRIG_KO"
t_check soak.system-description test -n "$SYS"
if [ -z "$NAMED" ] && ! mov-cs >$T/mov-cs 2>&1; then
	t_log "soak: $(cat $T/mov-cs)"
	t_log "soak: the opcode stressor would make this emulator wedge Linux, brig or not: left out"
	STRESS="$STRESS --exclude opcode"
fi
t_log "soak: stress-ng $STRESS --verify -t 5s, $RUNS runs"
t_check soak.enable brig enable "$SYS"
t_check soak.cpus-before soak_cpus_answer
dmesg -c >/dev/null

runs=0 hangs=0 failures=0 cpu_failures=0 klogs=0 floods=0
t0=$(date +%s)
while [ "$runs" -lt "$RUNS" ]; do
	runs=$((runs + 1))
	soak_run "$runs"
	[ "$rc" = 0 ] || failures=$((failures + 1))
	hangs=$((hangs + hung))
	[ "$klog" = 0 ] || klogs=$((klogs + 1))
	# A quiet run adds nothing; a few lines are news, more is a flood.
	[ "$console" -le 2000 ] || floods=$((floods + 1))
	if [ "$cpus_ok" = 0 ]; then
		cpu_failures=$((cpu_failures + 1))
		t_log "soak: stopping after run $runs: a CPU no longer answers"
		break
	fi
done
secs=$(($(date +%s) - t0))
t_log "soak: $runs runs, $hangs hangs, $secs seconds"
echo "soak: $runs runs, $hangs hangs, $secs seconds"

t_check soak.all-runs test "$runs" = "$RUNS"
t_check soak.no-hangs test "$hangs" = 0
t_check soak.stress-ng-exit-0 test "$failures" = 0
t_check soak.cpus-answer-after-every-run test "$cpu_failures" = 0
t_check soak.kernel-quiet test "$klogs" = 0
t_check soak.console-quiet test "$floods" = 0
brig stats >/dev/kmsg
t_check soak.disable brig disable
t_check soak.rmmod rmmod brig
