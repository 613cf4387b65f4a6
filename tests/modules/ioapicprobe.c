// SPDX-License-Identifier: GPL-2.0
/*
 * ioapicprobe: read or write one redirection entry of the IO-APIC at
 * 0xfec00000 the way Linux's own code does (select register, then the
 * window), and print what happened. The tests use it to touch a pin that
 * a cell owns: the root's write must not reach the pin while the cell has
 * it, and must be there once the cell is gone.
 *
 *   insmod ioapicprobe.ko pin=16 op=write lo=0x10039 hi=0
 *   insmod ioapicprobe.ko pin=16 op=read   -> "ioapicprobe: pin 16 = ..."
 *
 * Interrupts are off around each select/window pair so that no handler
 * on this CPU selects another register in between.
 */
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/module.h>

#define IOAPIC_BASE 0xfec00000UL
#define IOREGSEL 0x00
#define IOWIN 0x10

static unsigned int pin = 16;
module_param(pin, uint, 0444);
static char *op = "read";
module_param(op, charp, 0444);
static unsigned int lo = 0x10000; /* masked */
module_param(lo, uint, 0444);
static unsigned int hi;
module_param(hi, uint, 0444);

static u32 reg_read(void __iomem *base, u32 reg)
{
	unsigned long flags;
	u32 v;

	local_irq_save(flags);
	writel(reg, base + IOREGSEL);
	v = readl(base + IOWIN);
	local_irq_restore(flags);
	return v;
}

static void reg_write(void __iomem *base, u32 reg, u32 v)
{
	unsigned long flags;

	local_irq_save(flags);
	writel(reg, base + IOREGSEL);
	writel(v, base + IOWIN);
	local_irq_restore(flags);
}

static int __init ioapicprobe_init(void)
{
	void __iomem *base = ioremap(IOAPIC_BASE, PAGE_SIZE);

	if (!base) {
		pr_err("ioapicprobe: cannot map %#lx\n", IOAPIC_BASE);
		return -ENOMEM;
	}
	if (!strcmp(op, "write")) {
		reg_write(base, 0x10 + 2 * pin + 1, hi);
		reg_write(base, 0x10 + 2 * pin, lo);
		pr_info("ioapicprobe: wrote pin %u = %08x %08x\n", pin, hi, lo);
	} else {
		u32 h = reg_read(base, 0x10 + 2 * pin + 1);

		pr_info("ioapicprobe: pin %u = %08x %08x\n", pin, h,
			reg_read(base, 0x10 + 2 * pin));
	}
	iounmap(base);
	return 0;
}

static void __exit ioapicprobe_exit(void)
{
}

module_init(ioapicprobe_init);
module_exit(ioapicprobe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"brig test: one IO-APIC redirection entry, as the root sees it");
