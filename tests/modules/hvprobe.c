// SPDX-License-Identifier: GPL-2.0
/*
 * hvprobe: read or write one 64-bit word of physical memory through
 * memremap(), as any root-cell driver could, and print what happened. The
 * tests point it at the hypervisor region: before brig is enabled a pattern
 * written there reads back; while brig runs the root must see no hypervisor
 * data (reads all-ones) and its writes must be dropped.
 *
 *   insmod hvprobe.ko phys=0x3a000000 op=write value=0x...
 *   insmod hvprobe.ko phys=0x3a000000 op=read   -> "hvprobe: read ... = ..."
 *
 * op=read32 and op=write32 do the same with one aligned 32-bit access
 * through an uncached mapping (a device register that takes no other
 * width), printed as 8 hex digits.
 *
 * The module does its work at load and can be removed right after.
 * (/dev/mem cannot do this: Debian sets CONFIG_IO_STRICT_DEVMEM.)
 */
#include <linux/io.h>
#include <linux/module.h>

static unsigned long long phys = 0x3a000000;
module_param(phys, ullong, 0444);
static char *op = "read";
module_param(op, charp, 0444);
static unsigned long long value = 0x6272696770726f62ULL; /* "bgorpgirb" */
module_param(value, ullong, 0444);

/* Uncached, as a driver maps registers (a WB mapping would conflict). */
static int probe32(void)
{
	void __iomem *r = ioremap(phys & PAGE_MASK, PAGE_SIZE);

	if (!r) {
		pr_err("hvprobe: cannot map %#llx\n", phys);
		return -ENOMEM;
	}
	r += phys & ~PAGE_MASK & ~3ULL;
	if (op[0] == 'w') {
		writel((u32)value, r);
		pr_info("hvprobe: wrote %#llx = %08x\n", phys, (u32)value);
	} else {
		pr_info("hvprobe: read %#llx = %08x\n", phys, readl(r));
	}
	iounmap((void __iomem *)((unsigned long)r & PAGE_MASK));
	return 0;
}

static int __init hvprobe_init(void)
{
	u64 *p;

	if (!strcmp(op, "write32") || !strcmp(op, "read32"))
		return probe32();
	p = memremap(phys & PAGE_MASK, PAGE_SIZE, MEMREMAP_WB);

	if (!p) {
		pr_err("hvprobe: cannot map %#llx\n", phys);
		return -ENOMEM;
	}
	p += (phys & ~PAGE_MASK) / sizeof(u64);
	if (!strcmp(op, "write")) {
		WRITE_ONCE(*p, value);
		pr_info("hvprobe: wrote %#llx = %016llx\n", phys, value);
	} else {
		pr_info("hvprobe: read %#llx = %016llx\n", phys, READ_ONCE(*p));
	}
	memunmap((void *)((unsigned long)p & PAGE_MASK));
	return 0;
}

static void __exit hvprobe_exit(void)
{
}

module_init(hvprobe_init);
module_exit(hvprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("brig test: probe physical memory through memremap()");
