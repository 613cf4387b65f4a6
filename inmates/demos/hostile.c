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
 *   ipi-others fixed IPIs to all but self, then to all: only the cell's
 *              CPUs get them (here: none, then this one); idles politely
 *   ipi-nmi    NMI to APIC id 0
 *   ipi-reserved  a fixed IPI to itself with a reserved ICR bit set
 *   ipi-init   INIT to APIC id 0
 *   pci        PCI configuration through 0xcf8/0xcfc
 *   mmcfg      PCI configuration through MMCONFIG (0xb0000000)
 *   ioapic     read the IOAPIC (0xfec00000)
 *   clgi       CLGI, then spin with interrupts off (raises #UD)
 *   vmx        VMLAUNCH (raises #UD: no VMX for a cell, on either vendor)
 *   ignore     never answer the comm region (shutdown times out)
 *   dirty      leave the CPU dirty (APIC timer firing into masked
 *              interrupts, an odd PAT), then idle politely
 *   xsetbv     XSETBV with XCR0 values the CPU refuses: each must give
 *              the cell #GP (under VT-x the hypervisor carries XSETBV
 *              out), then 3 is taken
 *   leak       report what the CPU's last owner (the root) left in the
 *              state no VM switch covers: x87/SSE registers, CR2, DR0-3,
 *              DR6, KERNEL_GS_BASE, the syscall MSRs, TSC_AUX; "clean"
 *              when all are at their reset values. Then leave its own
 *              values there for the root and idle politely
 *   putc       the debug-console hypercall, which this cell was not
 *              granted: reports its result (-1, EPERM), idles politely
 *   invd       INVD 1000 times (it must be carried out as WBINVD, never
 *              lose the data of others), then idle politely
 *
 *   xapic-page read the xAPIC page while the APIC is in x2APIC mode
 *   xapic-ones (with xapic=1) all ones into every register of the emulated
 *              xAPIC page but the ICR (read back, reported), then into
 *              the timer LVT: its reserved mode stops the cell
 *   lint-init  LINT0 programmed for INIT delivery (x2APIC MSR 0x835)
 *   apicbase   move the APIC base to 0xfed00000
 *   probe      what an OS probes at boot (port 0x80, PIT, i8042, RTC,
 *              PIC, COM1, 0xcf8/0xcfc): stops a strict cell; in one with
 *              unowned-ports = "ignore" reports the all-ones reads and
 *              idles politely
 *   string-io  REP INSB from port 0x80
 *   msr-probe  read MSR 0x8b, write MSR 0x2ff, each surviving a #GP: in a
 *              cell with unowned-msrs = "fault" reports both #GPs and
 *              idles politely; in any other the first stops it
 *
 * Only x2APIC is used for the IPIs: the cell's APIC registers are MSRs.
 */
#include <inmate.h>

#define X2APIC_ICR 0x830
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8 | 1u << 14)
#define ICR_LOGICAL (1u << 11)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_ALL (2u << 18)

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

static volatile unsigned int broadcasts_here;

static void on_broadcast(unsigned int vector)
{
	(void)vector;
	broadcasts_here++;
	apic_eoi();
}

/*
 * Broadcasts mean the cell's own CPUs: in this one-CPU cell, all but self
 * reaches no one and all reaches this CPU alone. The root's CPUs and the
 * other cell must see nothing (the test checks them).
 */
static void attack_ipi_others(void)
{
	unsigned int others;

	irq_register(0x40, on_broadcast);
	irq_enable();
	send_icr(ICR_ALL_BUT_SELF | 0x40);
	delay_us(10000);
	others = broadcasts_here;
	send_icr(ICR_ALL | 0x40);
	delay_us(10000);
	printk("hostile: broadcast IPIs: all-but-self %u here, all %u here\n",
	       others, broadcasts_here - others);
	inmate_idle();
}

/* To itself, with reserved bit 20: the x2APIC would #GP the WRMSR. */
static void attack_ipi_reserved(void)
{
	send_icr((__u64)apic_id() << 32 | 1u << 20 | 0x40);
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

/* --- leak --------------------------------------------------------------- */

#define CR4_OSFXSR (1u << 9)
#define LEAK_PATTERN 0x6c65616b6c65616bULL /* "kaelkael" */
#define LEAK_ADDR 0x00006c65616b6000ULL /* canonical, for the address MSRs */

static bool has_tsc_aux(void)
{
	return (cpuid(0x80000001, 0).edx & (1u << 27)) ||
	       (cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ecx & (1u << 22)));
}

static const struct {
	const char *name;
	__u32 msr;
} leak_msrs[] = {
	{ "KERNEL_GS_BASE", 0xc0000102 }, { "STAR", 0xc0000081 },
	{ "LSTAR", 0xc0000082 },	  { "CSTAR", 0xc0000083 },
	{ "SFMASK", 0xc0000084 },	  { "TSC_AUX", 0xc0000103 },
};

static unsigned int report(const char *what, __u64 value, __u64 reset)
{
	if (value == reset)
		return 0;
	printk("hostile: left by the last owner: %s = %llx\n", what, value);
	return 1;
}

/* x87 and XMM registers of an FXSAVE image: all zero after a reset. */
static unsigned int report_fpu(const __u8 *fx)
{
	unsigned int dirty = 0;

	for (unsigned int n = 0; n < 8; n++)
		dirty += report("x87 register",
				*(const __u64 *)(fx + 32 + 16 * n), 0);
	for (unsigned int n = 0; n < 16; n++)
		dirty += report("XMM register",
				*(const __u64 *)(fx + 160 + 16 * n) |
					*(const __u64 *)(fx + 168 + 16 * n),
				0);
	return dirty;
}

#define CR4_OSXSAVE (1u << 18)

static bool has_avx(void)
{
	__u32 ecx = cpuid(1, 0).ecx;

	return (ecx & (1u << 26)) && (ecx & (1u << 28)); /* XSAVE, AVX */
}

/*
 * The upper halves of YMM0 and YMM15, which no FXSAVE shows: XCR0 set to
 * x87|SSE|AVX first, by XSETBV, which exits under VT-x (the hypervisor
 * carries it out, also where its host runs Linux's CR4 with XSAVE off,
 * as under Bochs). Then secrets of its own go there.
 */
static unsigned int check_and_leave_avx(unsigned long cr4)
{
	__u64 hi[4] __attribute__((aligned(16)));
	__u32 lo, hi32;
	unsigned int dirty;

	if (!has_avx()) {
		printk("hostile: no AVX: YMM registers not checked\n");
		return 0;
	}
	__asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4 | CR4_OSXSAVE));
	__asm__ __volatile__("xsetbv" ::"c"(0), "a"(7), "d"(0));
	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi32) : "c"(0));
	if (lo != 7 || hi32)
		printk("hostile: XCR0 reads %x after XSETBV 7\n", lo);
	__asm__ __volatile__("vextractf128 $1, %%ymm0, %0"
			     : "=m"(*(__u64(*)[2]) & hi[0]));
	__asm__ __volatile__("vextractf128 $1, %%ymm15, %0"
			     : "=m"(*(__u64(*)[2]) & hi[2]));
	dirty = report("YMM upper half", hi[0] | hi[1] | hi[2] | hi[3], 0);
	printk("hostile: AVX: XCR0 %x, YMM upper halves checked\n", lo);
	hi[0] = hi[1] = LEAK_PATTERN;
	__asm__ __volatile__("vinsertf128 $1, %0, %%ymm0, %%ymm0; "
			     "vinsertf128 $1, %0, %%ymm15, %%ymm15" ::"m"(
				     *(const __u64(*)[2]) & hi[0]));
	return dirty;
}

static void attack_leak(void)
{
	static __u8 fx[512] __attribute__((aligned(16)));
	unsigned long cr4, dr[5];
	unsigned int dirty = 0;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	__asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4 | CR4_OSFXSR));
	__asm__ __volatile__("fxsave %0" : "=m"(fx));
	__asm__ __volatile__(
		"mov %%dr0, %0; mov %%dr1, %1; mov %%dr2, %2; mov %%dr3, %3; mov %%dr6, %4"
		: "=r"(dr[0]), "=r"(dr[1]), "=r"(dr[2]), "=r"(dr[3]),
		  "=r"(dr[4]));
	dirty += report_fpu(fx);
	dirty += report("CR2", read_cr2(), 0);
	for (unsigned int n = 0; n < 4; n++)
		dirty += report("DR0-3", dr[n], 0);
	dirty += report("DR6", dr[4] & 0xffff0fff, 0xffff0ff0);
	dirty += check_and_leave_avx(cr4 | CR4_OSFXSR);
	for (unsigned int n = 0; n < ARRAY_SIZE(leak_msrs); n++)
		if (leak_msrs[n].msr != 0xc0000103 || has_tsc_aux())
			dirty += report(leak_msrs[n].name,
					rdmsr(leak_msrs[n].msr), 0);
	printk("hostile: registers at start: %s\n", dirty ? "DIRTY" : "clean");
	/* Its own secrets for the root to (not) find. */
	for (unsigned int n = 0; n < ARRAY_SIZE(leak_msrs); n++)
		if (leak_msrs[n].msr != 0xc0000081 &&
		    (leak_msrs[n].msr != 0xc0000103 || has_tsc_aux()))
			wrmsr(leak_msrs[n].msr,
			      leak_msrs[n].msr == 0xc0000103 ? 0x6c65616b :
			      leak_msrs[n].msr == 0xc0000084 ? 0x6c65616b :
							       LEAK_ADDR);
	__asm__ __volatile__(
		"movq %0, %%xmm0; movq %0, %%xmm15" ::"r"(LEAK_PATTERN));
	inmate_idle();
}

/*
 * XCR0 values XSETBV refuses with #GP: none, AVX without SSE, AVX-512
 * without AVX, half of MPX, half of AMX, a bit no CPU has. Under VT-x
 * XSETBV exits and the hypervisor carries it out: one it let through
 * would fault inside it. Each must come back to the cell as #GP; then
 * x87|SSE is taken.
 */
static void attack_xsetbv(void)
{
	static const __u64 bad[] = { 0x0,  0x5,	    0xe3,    0x9,
				     0x11, 0x20003, 0x40003, 1ULL << 63 };
	unsigned long cr4;
	unsigned int refused = 0;

	if (!(cpuid(1, 0).ecx & (1u << 26))) {
		printk("hostile: XSETBV: no XSAVE on this CPU\n");
		inmate_idle();
	}
	__asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
	__asm__ __volatile__("mov %0, %%cr4" ::"r"(cr4 | CR4_OSXSAVE));
	for (unsigned int n = 0; n < ARRAY_SIZE(bad); n++)
		refused += xsetbv_safe(bad[n]) ? 1 : 0;
	printk("hostile: XSETBV: %u of %u bad values refused with #GP, 3 %s, running on\n",
	       refused, (unsigned int)ARRAY_SIZE(bad),
	       xsetbv_safe(3) ? "refused" : "taken");
	inmate_idle();
}

static void attack_invd(void)
{
	static volatile __u64 data;

	for (unsigned int n = 0; n < 1000; n++) {
		data = LEAK_PATTERN + n;
		__asm__ __volatile__("invd" ::: "memory");
		if (data != LEAK_PATTERN + n) {
			printk("hostile: INVD lost a write\n");
			break;
		}
	}
	printk("hostile: INVD x1000 done, data kept\n");
	inmate_idle();
}

static void attack_putc(void)
{
	printk("hostile: debug console hypercall: %ld\n",
	       hypercall(BRIG_HC_DEBUG_CONSOLE_PUTC, 'X', 0));
	inmate_idle();
}

/*
 * What an operating system probes at boot, none of it the cell's: port
 * 0x80 (I/O delay), the PIT, the i8042, the RTC, the PIC, COM1 (the
 * root's console) and PCI's 0xcf8/0xcfc. In a cell whose description
 * says unowned-ports = "ignore" every read gives all-ones and the cell
 * runs on; in any other cell the first access stops it.
 */
static void attack_probe(void)
{
	static const __u16 reads[] = { 0x61, 0x64, 0x60, 0x71, 0x21, 0x3fd };
	unsigned int ones = 0, n;

	for (n = 0; n < 3; n++)
		outb(0x80, 0);
	outb(0x43, 0x34);
	outb(0x70, 0x0a);
	for (n = 0; n < ARRAY_SIZE(reads); n++)
		ones += inb(reads[n]) == 0xff;
	outl(0xcf8, 0x80000000);
	ones += inl(0xcfc) == 0xffffffff;
	printk("hostile: probe: %u of %u reads all-ones, 6 writes taken, running on\n",
	       ones, (unsigned int)ARRAY_SIZE(reads) + 1);
	inmate_idle();
}

/*
 * MSRs an OS probes that are not the cell's: the microcode revision
 * (0x8b), the MTRR default type (written). With unowned-msrs = "fault"
 * each gives #GP and the cell runs on; otherwise the first stops it.
 */
static void attack_msr_probe(void)
{
	__u64 v = 0;
	int r = rdmsr_safe(0x8b, &v);
	int w = wrmsr_safe(0x2ff, 0);

	printk("hostile: MSR 8b read: %s, MSR 2ff write: %s, running on\n",
	       r ? "#GP" : "read", w ? "#GP" : "written");
	inmate_idle();
}

/* String I/O on a port: never emulated, stops the cell in any case. */
static void attack_string_io(void)
{
	static __u8 buf[4];
	void *p = buf;
	unsigned long count = sizeof(buf);

	__asm__ __volatile__("rep insb"
			     : "+D"(p), "+c"(count)
			     : "d"((__u16)0x80)
			     : "memory");
}

/* The xAPIC page while the APIC is in x2APIC mode: nothing is there. */
static void attack_xapic_page(void)
{
	printk("hostile: xAPIC page reads %x\n", mmio_read32(0xfee00030));
}

/*
 * Run with xapic=1: every register of the emulated xAPIC page but the
 * ICR and the timer LVT written with all ones (reserved bits the x2APIC
 * registers behind it would fault on) and read back; the hypervisor did
 * not fault. Then all ones into the timer LVT: the reserved timer mode,
 * which stops the cell.
 */
static void attack_xapic_ones(void)
{
	__u32 sum = 0;

	if (apic_is_x2apic()) {
		printk("hostile: xapic-ones needs xapic=1\n");
		return;
	}
	for (__u32 reg = 0x20; reg < 0x1000; reg += 0x10)
		if (reg != 0x300 && reg != 0x310 && reg != 0x320)
			mmio_write32(0xfee00000 + reg, 0xffffffff);
	for (__u32 reg = 0x20; reg < 0x1000; reg += 0x10)
		sum += mmio_read32(0xfee00000 + reg);
	printk("hostile: all ones written to every xAPIC register, APIC id %x, version %x, sum %x\n",
	       mmio_read32(0xfee00020), mmio_read32(0xfee00030), sum);
	mmio_write32(0xfee00320, 0xffffffff);
}

/* LINT0 as INIT, through its x2APIC register: a pin that resets the CPU. */
static void attack_lint_init(void)
{
	wrmsr(MSR_X2APIC_BASE + 0x35, 5u << 8);
}

/* The APIC base moved: the hypervisor keeps it where it is. */
static void attack_apicbase(void)
{
	wrmsr(MSR_IA32_APIC_BASE, 0xfed00000 | (1u << 11));
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
	{ "ipi-reserved", attack_ipi_reserved },
	{ "ipi-init", attack_ipi_init },
	{ "pci", attack_pci },
	{ "mmcfg", attack_mmcfg },
	{ "ioapic", attack_ioapic },
	{ "clgi", attack_clgi },
	{ "vmx", attack_vmx },
	{ "ignore", attack_ignore },
	{ "dirty", attack_dirty },
	{ "xsetbv", attack_xsetbv },
	{ "leak", attack_leak },
	{ "invd", attack_invd },
	{ "putc", attack_putc },
	{ "xapic-page", attack_xapic_page },
	{ "probe", attack_probe },
	{ "msr-probe", attack_msr_probe },
	{ "string-io", attack_string_io },
	{ "xapic-ones", attack_xapic_ones },
	{ "lint-init", attack_lint_init },
	{ "apicbase", attack_apicbase },
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
