// SPDX-License-Identifier: GPL-2.0
/*
 * svme: stand in for another hypervisor holding AMD-V, by setting
 * EFER.SVME on every CPU while loaded (and clearing it on unload), so the
 * tests can check that `brig enable` refuses and names the remedy.
 */
#include <linux/module.h>
#include <linux/smp.h>
#include <asm/msr.h>

static void set_svme(void *on)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (on)
		efer |= EFER_SVME;
	else
		efer &= ~EFER_SVME;
	wrmsrl(MSR_EFER, efer);
}

static int __init svme_init(void)
{
	/*
	 * Ask the CPU, not Linux's cached features: those lose SVM when a
	 * CPU is brought up while a hypervisor hides it.
	 */
	if (!(cpuid_ecx(0x80000001) & (1 << 2)))
		return -ENODEV;
	on_each_cpu(set_svme, (void *)1, 1);
	pr_info("svme: EFER.SVME set on every CPU\n");
	return 0;
}

static void __exit svme_exit(void)
{
	on_each_cpu(set_svme, NULL, 1);
	pr_info("svme: EFER.SVME cleared\n");
}

module_init(svme_init);
module_exit(svme_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("brig test: pretend another hypervisor holds AMD-V");
