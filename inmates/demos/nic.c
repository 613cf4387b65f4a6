// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * nic: MSI-X interrupts from QEMU's e1000e (8086:10d3, an 82574L) in a
 * cell. The NIC's "other" interrupt cause (link status change) is routed
 * to MSI-X table entry 0 (IVAR) and raised on demand through the
 * interrupt cause set register, `interrupts=` times; each must arrive on
 * the cell's CPU. Under brig the table entry the inmate writes is trapped
 * and turned into a validated remapping entry.
 *
 *   interrupts=N   how many to raise (default 10)
 *   msi-dest=ID    aim entry 0 at local APIC id ID instead of this CPU's
 *
 * Prints "nic: msi-x ok, N of N interrupts on vector 0x.." (or FAILED),
 * then idles answering the comm region.
 */
#include <inmate.h>

#define E1000E_VENDOR 0x8086
#define E1000E_DEVICE 0x10d3

#define E1000_ICR 0x00c0 /* cause read, clears on read */
#define E1000_ICS 0x00c8 /* cause set */
#define E1000_IMS 0x00d0 /* mask set */
#define E1000_IMC 0x00d8 /* mask clear */
#define E1000_IVAR 0x00e4 /* cause -> MSI-X vector */
#define ICR_LSC (1u << 2)
#define ICR_OTHER (1u << 24)
#define IVAR_OTHER_VALID (1u << 19) /* bits 18:16 the entry: 0 */

#define NIC_VECTOR 0x41
#define IRQ_TIMEOUT_MS 200

static __u64 regs;
static volatile __u32 irqs;

static void nic_irq(unsigned int vector)
{
	(void)vector;
	(void)mmio_read32(regs + E1000_ICR); /* acknowledges the causes */
	irqs++;
	apic_eoi();
}

static bool wait_irq(__u32 before)
{
	__u64 end = rdtsc() + ns_to_tsc(IRQ_TIMEOUT_MS * 1000000ULL);

	while (irqs == before) {
		if ((__s64)(rdtsc() - end) >= 0)
			return false;
		comm_region_poll();
		cpu_relax();
	}
	return true;
}

void inmate_main(void)
{
	long long want = cmdline_parse_int("interrupts", 10);
	__u32 own = apic_id();
	__u32 dest = (__u32)cmdline_parse_int("msi-dest", own);
	struct pci_bar bar0, tbar;
	unsigned int bir, entries, n, got = 0;
	__u32 offset;
	int bdf;

	printk("\nnic: MSI-X with QEMU's e1000e\n");
	bdf = pci_find_device(E1000E_VENDOR, E1000E_DEVICE, 0);
	if (bdf < 0 || pci_bar_probe((__u16)bdf, 0, &bar0) || bar0.io ||
	    pci_msix_table((__u16)bdf, &bir, &offset, &entries) ||
	    pci_bar_probe((__u16)bdf, bir, &tbar) || !bar0.base || !tbar.base) {
		printk("nic: msi-x FAILED: no usable e1000e (bdf %d)\n", bdf);
		return;
	}
	regs = bar0.base;
	printk("nic: e1000e at %02x:%02x.%x, registers at 0x%llx, MSI-X table at 0x%llx (%u entries)\n",
	       bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, regs, tbar.base + offset,
	       entries);
	pci_enable_device((__u16)bdf);
	mmio_write32(regs + E1000_IMC, ~0u);
	(void)mmio_read32(regs + E1000_ICR);

	irq_register(NIC_VECTOR, nic_irq);
	if (pci_msix_enable((__u16)bdf) ||
	    pci_msix_set_vector((__u16)bdf, tbar.base + offset, 0, NIC_VECTOR,
				dest) ||
	    pci_msix_set_function_mask((__u16)bdf, false)) {
		printk("nic: msi-x FAILED: cannot program the table\n");
		return;
	}
	printk("nic: MSI-X entry 0, vector 0x%x to APIC id %u (this CPU: %u)\n",
	       NIC_VECTOR, dest, own);
	mmio_write32(regs + E1000_IVAR, IVAR_OTHER_VALID);
	mmio_write32(regs + E1000_IMS, ICR_LSC | ICR_OTHER);
	irq_enable();

	for (n = 0; n < (unsigned int)want; n++) {
		__u32 before = irqs;

		mmio_write32(regs + E1000_ICS, ICR_LSC);
		if (wait_irq(before))
			got++;
	}
	if (got == (unsigned int)want && want > 0)
		printk("nic: msi-x ok, %u of %lld interrupts on vector 0x%x\n",
		       got, want, NIC_VECTOR);
	else
		printk("nic: msi-x FAILED, %u of %lld interrupts on vector 0x%x\n",
		       got, want, NIC_VECTOR);
	printk("nic: idling\n");
}
