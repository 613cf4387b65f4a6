// SPDX-License-Identifier: GPL-2.0
/*
 * hcall: make one raw brig hypercall from the root, as a buggy or
 * compromised root driver could, and print its result. The tests point
 * its buffer arguments at memory the root gave away (a running cell's
 * RAM) and expect a refusal, never a read or write there.
 *
 *   insmod hcall.ko code=10 arg1=0x3b000000 arg2=0
 *     -> "hcall: 10(0x3b000000, 0x0) = -14"
 *
 * The module does its work at load and can be removed right after.
 */
#include <linux/module.h>
#include <asm/processor.h>

static unsigned long code;
module_param(code, ulong, 0444);
static unsigned long arg1;
module_param(arg1, ulong, 0444);
static unsigned long arg2;
module_param(arg2, ulong, 0444);

static long hypercall(void)
{
	long ret;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(code), "D"(arg1), "S"(arg2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(code), "D"(arg1), "S"(arg2)
			     : "memory");
	return ret;
}

static int __init hcall_init(void)
{
	pr_info("hcall: %lu(%#lx, %#lx) = %ld\n", code, arg1, arg2,
		hypercall());
	return 0;
}

static void __exit hcall_exit(void)
{
}

module_init(hcall_init);
module_exit(hcall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("brig test: one raw hypercall from the root");
