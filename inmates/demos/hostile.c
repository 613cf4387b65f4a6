// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * hostile: an inmate that attacks the isolation on purpose, one access
 * class per run, chosen on the command line (attack=NAME). Every attack
 * must stop the cell (state failed) with the hypervisor console naming the
 * cell, CPU and the address, port, MSR or IPI, and must have no effect on
 * anyone else. The end-to-end tests check all of that from the root.
 *
 *   mem        write a pattern at guest-physical addr= (default 0x3b200000:
 *              reserved memory the cell was not given)
 *   hv         read the hypervisor region (guest-physical 0x3a000000)
 *   port       write to COM1 (0x3f8), the root's console
 *   pmtimer    write to the PM timer port, which cells share read-only
 *   msr        write MTRRdefType (0x2ff)
 *   ipi-phys   fixed IPI to APIC id 0 (a root CPU), physical destination
 *   ipi-logical  the same with a logical (cluster 0, bit 0) destination
 *   ipi-others fixed IPI to all but self
 *   ipi-nmi    NMI to APIC id 0
 *   ipi-init   INIT to APIC id 0
 *   pci        PCI configuration through 0xcf8/0xcfc
 *   mmcfg      PCI configuration through MMCONFIG (0xb0000000)
 *   ioapic     read the IOAPIC (0xfec00000)
 *   clgi       CLGI, then spin with interrupts off (raises #UD)
 *   vmx        VMLAUNCH (raises #UD: no VMX for a cell, on either vendor)
 *   ignore     never answer the comm region (shutdown times out)
 *   dirty      leave the CPU dirty (APIC timer firing into masked
 *              interrupts, an odd PAT), then idle politely
 *
 * Only x2APIC is used for the IPIs: the cell's APIC registers are MSRs.
 */
#include <inmate.h>

#define X2APIC_ICR 0x830
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8 | 1u << 14)
#define ICR_LOGICAL (1u << 11)
#define ICR_ALL_BUT_SELF (3u << 18)

struct attack {
	const char *name;
	void (*run)(void);
};

static void attack_mem(void)
{
	__u64 addr = (__u64)cmdline_parse_int("addr", 0x3b200000);

	*(volatile __u64 *)addr = 0x6b6b6b6b6b6b6b6bULL;
}

static void attack_hv(void)
{
	printk("hostile: read %llx\n", *(volatile __u64 *)0x3a000000ULL);
}

static void attack_port(void)
{
	outb(0x3f8, 'X');
}

static void attack_pmtimer(void)
{
	/* The board's PM timer (q35: 0x608, PIIX4: 0xb008), from the comm region. */
	outl(pm_timer_port(), 0);
}

static void attack_msr(void)
{
	wrmsr(0x2ff, 0);
}

/*
 * EFER.LMA is the CPU's to say (it reads whether long mode is active; a
 * write that differs is ignored). Written through to the guest state
 * unchecked, a cleared LMA in long mode makes the next VM entry fail.
 */
static void attack_efer(void)
{
	__u64 efer = rdmsr(0xc0000080);

	wrmsr(0xc0000080, efer & ~(1ULL << 10));
	printk("hostile: EFER.LMA %s after a write without it (EFER %llx -> %llx)\n",
	       (rdmsr(0xc0000080) & (1ULL << 10)) ? "kept" : "lost", efer,
	       rdmsr(0xc0000080));
}

static void send_icr(__u64 icr)
{
	if (!apic_is_x2apic()) {
		printk("hostile: no x2APIC, IPI attacks need it\n");
		return;
	}
	wrmsr(X2APIC_ICR, icr);
}

static void attack_ipi_phys(void)
{
	send_icr(0x40);
}

static void attack_ipi_logical(void)
{
	send_icr((1ULL << 32) | ICR_LOGICAL | 0x40);
}

static void attack_ipi_others(void)
{
	send_icr(ICR_ALL_BUT_SELF | 0x40);
}

static void attack_ipi_nmi(void)
{
	send_icr(ICR_NMI);
}

static void attack_ipi_init(void)
{
	send_icr(ICR_INIT);
}

static void attack_pci(void)
{
	outl(0xcf8, 0x80000000);
	printk("hostile: vendor/device %x\n", inl(0xcfc));
}

static void attack_mmcfg(void)
{
	printk("hostile: vendor/device %x\n", mmio_read32(0xb0000000));
}

static void attack_ioapic(void)
{
	mmio_write32(0xfec00000, 0);
	printk("hostile: IOAPIC id %x\n", mmio_read32(0xfec00010));
}

static void attack_clgi(void)
{
	__asm__ __volatile__("clgi; cli");
	for (;;)
		cpu_relax();
}

static void attack_vmx(void)
{
	/*
	 * VMLAUNCH rather than VMXON: QEMU's TCG decodes a memory-operand
	 * VMXON on its AMD models as something else instead of faulting.
	 */
	__asm__ __volatile__("vmlaunch");
}

static void attack_ignore(void)
{
	printk("hostile: ignoring the comm region from now on\n");
	for (;;)
		cpu_relax();
}

static void tick(unsigned int vector)
{
	(void)vector;
	apic_eoi();
}

static void attack_dirty(void)
{
	/* A fast timer whose interrupts stay pending: interrupts are off. */
	irq_register(0x50, tick);
	apic_timer_init(0x50);
	apic_timer_periodic(10000);
	wrmsr(0x277, 0x0000000000000000ULL); /* PAT: everything uncached */
	printk("hostile: CPU left dirty, idling\n");
	inmate_idle();
}

static const struct attack attacks[] = {
	{ "mem", attack_mem },
	{ "hv", attack_hv },
	{ "port", attack_port },
	{ "pmtimer", attack_pmtimer },
	{ "msr", attack_msr },
	{ "efer", attack_efer },
	{ "ipi-phys", attack_ipi_phys },
	{ "ipi-logical", attack_ipi_logical },
	{ "ipi-others", attack_ipi_others },
	{ "ipi-nmi", attack_ipi_nmi },
	{ "ipi-init", attack_ipi_init },
	{ "pci", attack_pci },
	{ "mmcfg", attack_mmcfg },
	{ "ioapic", attack_ioapic },
	{ "clgi", attack_clgi },
	{ "vmx", attack_vmx },
	{ "ignore", attack_ignore },
	{ "dirty", attack_dirty },
};

void inmate_main(void)
{
	char name[24];

	cmdline_parse_str("attack", name, sizeof(name), "");
	for (unsigned int n = 0; n < ARRAY_SIZE(attacks); n++) {
		if (strcmp(name, attacks[n].name))
			continue;
		printk("hostile: attack %s\n", name);
		attacks[n].run();
		printk("hostile: attack %s was not stopped\n", name);
		return;
	}
	printk("hostile: unknown attack \"%s\"\n", name);
}
