// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * edu: DMA and MSI with QEMU's educational PCI device (QEMU's
 * hw/misc/edu.c, vendor 0x1234, device 0x11e8).
 *
 * The demo finds the device, checks that it answers, aims its MSI at this
 * CPU and copies a pattern from cell RAM into the device's 4 KiB buffer
 * and back into another cell RAM buffer, with a completion MSI after each
 * transfer. It ends with one line, `edu: dma ok, 4096 bytes, 2 MSIs` or
 * `edu: dma FAILED ...`, and idles answering the comm region. Every wait
 * has a timeout, so a DMA or an MSI that never comes is reported.
 *
 * The device (BAR0, 1 MiB, 32-bit registers below 0x80, 64-bit from
 * 0x80): 0x00 id, 0x04 liveness (reads back the complement of what was
 * written), 0x24 interrupt status, 0x64 interrupt acknowledge, 0x80 DMA
 * source, 0x88 DMA destination, 0x90 DMA count, 0x98 DMA command (bit 0
 * start, reads 1 while busy; bit 1 direction, 0 RAM to device, 1 device
 * to RAM; bit 2 raise interrupt 0x100 when done). The buffer is at
 * device address 0x40000. A transfer starts 100 ms of QEMU's virtual time
 * after the command. DMA addresses are cut to the device's dma_mask
 * (28 bits unless QEMU is given a wider one).
 *
 * Command line:
 *   loops=N          round trips, default 1
 *   intx=PIN         use the device's INTx line, wired to IO-APIC pin PIN,
 *                    instead of MSI (level-triggered, active low, as PCI
 *                    lines are); the cell must own the pin
 *   msi-dest=ID      aim the MSI (or the pin) at local APIC id ID instead
 *                    of this CPU's (interrupt isolation tests: the
 *                    interrupts must not arrive anywhere); completion is
 *                    then seen by polling
 *   dma-to=ADDR      after filling the device buffer, DMA it to
 *                    guest-physical ADDR instead of the cell's own buffer
 *                    (DMA isolation tests aim this at memory the cell does
 *                    not own); reports whether the transfer completed
 *   bar0=ADDR        where to place BAR0 if nobody has (bare QEMU without
 *                    firmware), default 0xc0000000; an assigned BAR0 is
 *                    left alone
 *   bar-left-sized   write all-ones to BAR0 and leave it so with memory
 *                    decoding on (a hostile cell's way to move its device
 *                    where it was never given memory): under brig the
 *                    device must still answer at its address; then the
 *                    BAR is written back
 */
#include <inmate.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_RUN 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_DMA_IRQ 0x4

#define EDU_BUF 0x40000 /* the device's own buffer, device address */
#define EDU_BUF_SIZE 4096
#define EDU_WORDS (EDU_BUF_SIZE / 4)

#define EDU_VECTOR 0x40
#define DEFAULT_BAR0 0xc0000000ULL
#define LIVENESS_VALUE 0x12345678U

#define DMA_TIMEOUT_MS 2000 /* the device waits 100 ms before each DMA */
#define MSI_TIMEOUT_MS 200 /* after the engine reports done */

static __u64 regs; /* BAR0 */
static volatile __u32 msi_count;
static volatile __u32 irq_status_seen;

static __u32 ram_src[EDU_WORDS] __attribute__((aligned(4096)));
static __u32 ram_dst[EDU_WORDS] __attribute__((aligned(4096)));

/* The pattern of loop n, word i; its first word is printed for dma-to. */
static __u32 pattern(unsigned int n, unsigned int i)
{
	return 0xed000000U | (n & 0xff) << 16 | i;
}

static __u64 deadline_ms(__u64 ms)
{
	return rdtsc() + ns_to_tsc(ms * 1000000);
}

static bool passed(__u64 deadline)
{
	return (__s64)(rdtsc() - deadline) >= 0;
}

static void edu_irq(unsigned int vector)
{
	__u32 status = mmio_read32(regs + EDU_IRQ_STATUS);

	(void)vector;
	mmio_write32(regs + EDU_IRQ_ACK, status);
	irq_status_seen |= status;
	msi_count++;
	apic_eoi();
}

/* Starts one transfer, waits until the engine is idle; false: timed out. */
static bool edu_dma(__u64 src, __u64 dst, __u32 dir)
{
	__u64 deadline = deadline_ms(DMA_TIMEOUT_MS);

	barrier(); /* the pattern is in memory before the device reads it */
	mmio_write64(regs + EDU_DMA_SRC, src);
	mmio_write64(regs + EDU_DMA_DST, dst);
	mmio_write32(regs + EDU_DMA_COUNT, EDU_BUF_SIZE);
	mmio_write32(regs + EDU_DMA_CMD, EDU_DMA_RUN | dir | EDU_DMA_IRQ);
	while (mmio_read32(regs + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (passed(deadline))
			return false;
		comm_region_poll();
		cpu_relax();
	}
	barrier(); /* and what it wrote is read only now */
	return true;
}

/* Waits a while for the MSI count to pass before; true if it did. */
static bool wait_msi(__u32 before)
{
	__u64 deadline = deadline_ms(MSI_TIMEOUT_MS);

	while (msi_count == before) {
		if (passed(deadline))
			return false;
		comm_region_poll();
		cpu_relax();
	}
	return true;
}

/* One transfer and its MSI; false if the engine never finished. */
static bool dma_step(const char *what, __u64 src, __u64 dst, __u32 dir,
		     bool msi_expected)
{
	__u32 before = msi_count;

	if (!edu_dma(src, dst, dir)) {
		printk("edu: dma FAILED: %s timed out after %u ms, cmd 0x%x\n",
		       what, DMA_TIMEOUT_MS, mmio_read32(regs + EDU_DMA_CMD));
		return false;
	}
	if (!wait_msi(before) && msi_expected)
		printk("edu: no interrupt within %u ms after %s\n",
		       MSI_TIMEOUT_MS, what);
	return true;
}

static void fill_pattern(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < EDU_WORDS; i++)
		ram_src[i] = pattern(n, i);
	memset(ram_dst, 0, sizeof(ram_dst));
}

/* Cell RAM -> device buffer -> other cell RAM, compared. */
static bool round_trip(unsigned int n, bool msi_expected)
{
	unsigned int i;

	fill_pattern(n);
	if (!dma_step("RAM to device", (__u64)ram_src, EDU_BUF, 0,
		      msi_expected) ||
	    !dma_step("device to RAM", EDU_BUF, (__u64)ram_dst, EDU_DMA_TO_RAM,
		      msi_expected))
		return false;
	for (i = 0; i < EDU_WORDS; i++) {
		if (ram_dst[i] != pattern(n, i)) {
			printk("edu: dma FAILED, loop %u: word %u is 0x%08x, "
			       "want 0x%08x (%u MSIs)\n",
			       n, i, ram_dst[i], pattern(n, i), msi_count);
			return false;
		}
	}
	return true;
}

/* Cell RAM -> device buffer -> target, which the cell may not own. */
static void dma_to(unsigned int n, __u64 target, bool msi_expected)
{
	__u32 before;
	bool done;

	fill_pattern(n);
	if (!dma_step("RAM to device", (__u64)ram_src, EDU_BUF, 0,
		      msi_expected))
		return;
	before = msi_count;
	printk("edu: dma-to: %u bytes of pattern 0x%08x, 0x%08x, ... from "
	       "the device buffer to 0x%llx\n",
	       EDU_BUF_SIZE, pattern(n, 0), pattern(n, 1), target);
	done = edu_dma(EDU_BUF, target, EDU_DMA_TO_RAM);
	if (done)
		wait_msi(before);
	printk("edu: dma-to 0x%llx: %s, cmd 0x%x, %u MSI(s) for it, "
	       "%u MSIs in all\n",
	       target, done ? "completion came" : "NO completion (timed out)",
	       mmio_read32(regs + EDU_DMA_CMD), msi_count - before, msi_count);
}

/* Finds the device, places BAR0 if needed, checks the registers answer. */
static int edu_setup(void)
{
	__u64 bar0 = (__u64)cmdline_parse_int("bar0", (long long)DEFAULT_BAR0);
	struct pci_bar bar;
	int bdf = pci_find_device(EDU_VENDOR, EDU_DEVICE, 0);
	__u32 live;

	if (bdf < 0) {
		printk("edu: no edu device (%04x:%04x) on bus 0\n", EDU_VENDOR,
		       EDU_DEVICE);
		return -1;
	}
	if (pci_bar_probe((__u16)bdf, 0, &bar) || bar.io) {
		printk("edu: %02x:%02x.%x: BAR0 missing or not memory\n",
		       PCI_BUS(bdf), PCI_DEV(bdf), PCI_FN(bdf));
		return -1;
	}
	if (!bar.base) {
		printk("edu: BAR0 unassigned, placing it at 0x%llx\n", bar0);
		pci_bar_set((__u16)bdf, 0, bar0);
		pci_bar_probe((__u16)bdf, 0, &bar);
	}
	printk("edu: found at %02x:%02x.%x (bdf 0x%x), BAR0 0x%llx size "
	       "0x%llx\n",
	       PCI_BUS(bdf), PCI_DEV(bdf), PCI_FN(bdf), bdf, bar.base,
	       bar.size);
	regs = bar.base;
	pci_enable_device((__u16)bdf);

	mmio_write32(regs + EDU_LIVENESS, LIVENESS_VALUE);
	live = mmio_read32(regs + EDU_LIVENESS);
	printk("edu: id 0x%08x, liveness 0x%08x -> 0x%08x: %s\n",
	       mmio_read32(regs + EDU_ID), LIVENESS_VALUE, live,
	       live == ~LIVENESS_VALUE ? "alive" : "FAILED");
	return live == ~LIVENESS_VALUE ? bdf : -1;
}

/* BAR0 sized and left so, decoding on: where does the device answer? */
static void bar_left_sized(__u16 bdf)
{
	__u32 sized, live;

	pci_write_config(bdf, 0x10, 0xffffffff, 4);
	sized = pci_read_config(bdf, 0x10, 4);
	pci_enable_device(bdf);
	mmio_write32(regs + EDU_LIVENESS, LIVENESS_VALUE);
	live = mmio_read32(regs + EDU_LIVENESS);
	printk("edu: BAR0 left sized (reads 0x%08x), decoding on: the device %s at 0x%llx\n",
	       sized, live == ~LIVENESS_VALUE ? "still answers" : "is GONE",
	       regs);
	pci_write_config(bdf, 0x10, (__u32)regs, 4);
}

static long long intx_pin = -1; /* INTx through this IO-APIC pin */

/* INTx through the IO-APIC: a level-triggered, active-low PCI line. */
static void route_intx(__u16 bdf, long long pin, __u32 own, __u32 dest)
{
	pci_write_config(bdf, 0x04, pci_read_config(bdf, 0x04, 2) & ~(1u << 10),
			 2);
	ioapic_init(IOAPIC_DEFAULT_BASE);
	printk("edu: INTx on IO-APIC pin %lld (of %u) to APIC id %u (this "
	       "CPU: %u), vector 0x%x\n",
	       pin, ioapic_pins(), dest, own, EDU_VECTOR);
	if (ioapic_route((unsigned int)pin, EDU_VECTOR, dest,
			 IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW))
		printk("edu: cannot route IO-APIC pin %lld, polling only\n",
		       pin);
	else
		printk("edu: IO-APIC pin %lld entry 0x%llx\n", pin,
		       ioapic_read_entry((unsigned int)pin));
	intx_pin = pin;
}

static void report(bool ok, unsigned int loops, __u32 own, __u32 dest)
{
	__u32 want = own == dest ? 2 * loops : 0;

	if (!ok)
		return; /* the failing step said what went wrong */
	printk("edu: dma ok, %u bytes, %u ", EDU_BUF_SIZE, msi_count);
	if (intx_pin >= 0)
		printk("interrupts on IO-APIC pin %lld", intx_pin);
	else
		printk("MSIs");
	if (loops > 1)
		printk(", %u loops", loops);
	if (own != dest)
		printk(" (interrupts aimed at APIC id %u, this CPU is %u)",
		       dest, own);
	else if (msi_count < want)
		printk(", MSI MISSING: want %u", want);
	printk("\n");
}

void inmate_main(void)
{
	long long loops = cmdline_parse_int("loops", 1);
	long long target = cmdline_parse_int("dma-to", -1);
	long long intx = cmdline_parse_int("intx", -1);
	__u32 own = apic_id();
	__u32 dest = (__u32)cmdline_parse_int("msi-dest", own);
	unsigned int n;
	bool ok = true;
	int bdf;

	if (loops < 1)
		loops = 1;
	printk("\nedu: DMA and MSI with QEMU's edu device\n");
	bdf = edu_setup();
	if (bdf < 0) {
		printk("edu: dma FAILED: no usable device\n");
		return;
	}

	if (cmdline_parse_bool("bar-left-sized", false))
		bar_left_sized((__u16)bdf);
	irq_register(EDU_VECTOR, edu_irq);
	if (intx >= 0)
		route_intx((__u16)bdf, intx, own, dest);
	else if (pci_msi_enable((__u16)bdf, EDU_VECTOR, dest))
		printk("edu: cannot enable MSI to APIC id %u, polling only\n",
		       dest);
	else
		printk("edu: MSI vector 0x%x to APIC id %u (this CPU: %u)\n",
		       EDU_VECTOR, dest, own);
	irq_enable();

	for (n = 0; n < (unsigned int)loops && ok; n++) {
		if (target >= 0)
			dma_to(n, (__u64)target, own == dest);
		else
			ok = round_trip(n, own == dest);
	}
	if (target < 0)
		report(ok, (unsigned int)loops, own, dest);
	printk("edu: idling (irq status seen 0x%x)\n", irq_status_seen);
}
