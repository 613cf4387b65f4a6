// SPDX-License-Identifier: GPL-2.0
/*
 * vmxe: stand in for another hypervisor holding VT-x, by setting CR4.VMXE
 * on every CPU while loaded (and clearing it on unload), so the tests can
 * check that `brig enable` refuses and names the remedy. CR4.VMXE alone
 * does not enter VMX operation: nothing else changes.
 */
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

static void set_vmxe(void *on)
{
	if (on)
		cr4_set_bits(X86_CR4_VMXE);
	else
		cr4_clear_bits(X86_CR4_VMXE);
}

static int __init vmxe_init(void)
{
	/* Ask the CPU, not Linux's cached features (see svme.c). */
	if (!(cpuid_ecx(1) & (1 << 5)))
		return -ENODEV;
	on_each_cpu(set_vmxe, (void *)1, 1);
	pr_info("vmxe: CR4.VMXE set on every CPU\n");
	return 0;
}

static void __exit vmxe_exit(void)
{
	on_each_cpu(set_vmxe, NULL, 1);
	pr_info("vmxe: CR4.VMXE cleared\n");
}

module_init(vmxe_init);
module_exit(vmxe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("brig test: pretend another hypervisor holds VT-x");
