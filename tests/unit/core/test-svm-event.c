// SPDX-License-Identifier: GPL-2.0
/*
 * svm_event_as_injectable(): an event that an exit cut short goes back in
 * as VMRUN takes it. QEMU reports a cut-short external interrupt or NMI
 * as an exception of its vector, which its VMRUN refuses (the root would
 * stop, a cell fail); exceptions and software interrupts stay as they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/svm.h>

#define V SVM_EVTINJ_VALID

static void interrupts_and_nmis_as_themselves(void **state)
{
	(void)state;
	/* The timer's vector, as QEMU reports it: an "exception" 0xec. */
	assert_int_equal(svm_event_as_injectable(V | SVM_EVTINJ_TYPE_EXEPT |
						 0xec),
			 V | SVM_EVTINJ_TYPE_INTR | 0xec);
	/* No error code travels with an interrupt. */
	assert_int_equal(svm_event_as_injectable(V | SVM_EVTINJ_TYPE_EXEPT |
						 SVM_EVTINJ_VALID_ERR | 0x20),
			 V | SVM_EVTINJ_TYPE_INTR | 0x20);
	assert_int_equal(svm_event_as_injectable(V | SVM_EVTINJ_TYPE_EXEPT | 2),
			 V | SVM_EVTINJ_TYPE_NMI | 2);
}

static void others_unchanged(void **state)
{
	static const u32 kept[] = {
		V | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID_ERR | 14, /* #PF */
		V | SVM_EVTINJ_TYPE_EXEPT | 31,
		V | SVM_EVTINJ_TYPE_EXEPT | 0,
		V | SVM_EVTINJ_TYPE_INTR | 0xec,
		V | SVM_EVTINJ_TYPE_NMI | 2,
		V | SVM_EVTINJ_TYPE_SOFT | 0x80,
		0,
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_int_equal(svm_event_as_injectable(kept[i]), kept[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interrupts_and_nmis_as_themselves),
		cmocka_unit_test(others_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
