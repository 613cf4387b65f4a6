# SPDX-License-Identifier: GPL-2.0
#
# Harness self-test that must FAIL (tests/harness/suite.sh selftest): it is
# tagged for no board, so no ordinary suite runs it. brigtest.selftest= on the
# kernel command line picks the way it fails:
#   (default)  a failing t_check and a t_expect_fail that sees the wrong message
#   panic      the kernel panics (no DONE marker)
#   hang       the guest never finishes (the runner's timeout must end it)

case $(t_cmdline brigtest.selftest fail) in
panic)
	t_log "panicking the kernel on purpose"
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger ;;
hang)
	t_log "hanging on purpose"
	while :; do sleep 60; done ;;
esac
t_check selftest.true true
t_check selftest.false sh -c 'echo "this output must appear in the failure"; exit 3'
t_expect_fail selftest.wrong-message "no such message" sh -c 'echo "another message"; exit 1'
t_expect_fail selftest.unexpected-success "anything" true
