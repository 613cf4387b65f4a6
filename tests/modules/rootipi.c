// SPDX-License-Identifier: GPL-2.0
/*
 * rootipi: send one IPI from the root, straight through the local APIC
 * (x2APIC ICR MSR, or the xAPIC ICR registers), as a buggy or compromised
 * root driver could. The tests aim it at a CPU a cell owns and expect
 * the hypervisor to leave that CPU out.
 *
 *   insmod rootipi.ko dest=1 mode=nmi           NMI to APIC id 1
 *   insmod rootipi.ko dest=1 vector=0xfd        fixed IPI (reschedule)
 *   insmod rootipi.ko shorthand=others vector=0xfd
 *   insmod rootipi.ko dest=0 extra=0x100000   reserved bit 20 set too:
 *       an x2APIC raises #GP, which the module catches and reports
 *
 * The module does its work at load and can be removed right after.
 */
#include <linux/io.h>
#include <linux/module.h>
#include <asm/msr.h>

static unsigned int dest;
module_param(dest, uint, 0444);
static unsigned int vector = 0xfd;
module_param(vector, uint, 0444);
static char *mode = "fixed";
module_param(mode, charp, 0444);
static char *shorthand = "none";
module_param(shorthand, charp, 0444);
static bool logical;
module_param(logical, bool, 0444);
static unsigned int extra;
module_param(extra, uint, 0444);

#define X2APIC_ICR 0x830

static u32 icr_low(void)
{
	u32 low = vector & 0xff;

	if (!strcmp(mode, "nmi"))
		low = 4 << 8;
	if (logical)
		low |= 1 << 11;
	if (!strcmp(shorthand, "all"))
		low |= 2 << 18;
	else if (!strcmp(shorthand, "others"))
		low |= 3 << 18;
	return low | 1 << 14 | extra; /* level: assert */
}

static int __init rootipi_init(void)
{
	u32 low = icr_low();
	u64 base;
	void __iomem *apic;

	rdmsrl(MSR_IA32_APICBASE, base);
	if (base & X2APIC_ENABLE) {
		if (wrmsrl_safe(X2APIC_ICR, (u64)dest << 32 | low)) {
			pr_info("rootipi: ICR %08x to %u faulted (#GP)\n", low,
				dest);
			return 0;
		}
	} else {
		apic = ioremap(base & ~0xfffULL, PAGE_SIZE);
		if (!apic)
			return -ENOMEM;
		writel(dest << 24, apic + 0x310);
		writel(low, apic + 0x300);
		iounmap(apic);
	}
	pr_info("rootipi: sent ICR %08x to %u (%s APIC)\n", low, dest,
		base & X2APIC_ENABLE ? "x2" : "x");
	return 0;
}

static void __exit rootipi_exit(void)
{
}

module_init(rootipi_init);
module_exit(rootipi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("brig test: one IPI straight from the root's APIC");
