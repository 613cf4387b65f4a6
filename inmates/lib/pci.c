// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * PCI for inmates: configuration space, BARs, MSI and MSI-X.
 *
 * Configuration space is reached through configuration mechanism #1 (PCI
 * Local Bus spec 3.0, 3.2.2.3.2): write the enable bit, bus, device,
 * function and dword-aligned register to the address port 0xcf8, then
 * read or write the data port 0xcfc (plus the offset within the dword for
 * byte and word accesses). Only the first 256 bytes of each function are
 * reachable this way. Under brig the cell's accesses to these ports trap,
 * and a cell sees only the functions assigned to it: everything else reads
 * as all-ones, like an empty slot.
 *
 * Interrupts from devices are message-signalled. The message is a memory
 * write that the local APICs decode (Intel SDM vol. 3, 11.11); this file
 * builds it in the compatibility format: address 0xfee00000 with the
 * destination APIC id in bits 19:12 (physical destination mode, no
 * redirection hint), data = the vector with fixed delivery and edge
 * trigger (all other bits 0). Under brig with interrupt remapping the
 * hypervisor validates what the cell writes here and turns it into a
 * remapping entry. The handler for the vector is registered as for any
 * other interrupt (irq_register()) and acknowledges with apic_eoi().
 */
#include <inmate.h>

#define PCI_CFG_ADDR_PORT 0xcf8
#define PCI_CFG_DATA_PORT 0xcfc
#define PCI_CFG_ENABLE 0x80000000U

#define PCI_HDR_MULTI_FUNCTION 0x80 /* PCI_CFG_HEADER_TYPE bit 7 */
#define PCI_CAP_LIST_MAX 48 /* (256 - 64) / 4: ends a looping list */

/* BAR low bits (PCI spec 6.2.5.1). */
#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_TYPE_MASK 0x6
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8
#define PCI_BAR_IO_MASK 0xfffffffcU
#define PCI_BAR_MEM_MASK 0xfffffff0U
#define PCI_NUM_BARS 6

/*
 * MSI capability (PCI spec 6.8.1): control word at +2, then the address;
 * a 64-bit capable function has the upper address at +8 and its data at
 * +0xc, a 32-bit one its data at +8. With per-vector masking, the mask
 * bits follow the data at the next dword.
 */
#define MSI_CTRL 0x2
#define MSI_ADDR_LO 0x4
#define MSI_ADDR_HI 0x8
#define MSI_DATA_32 0x8
#define MSI_MASK_32 0xc
#define MSI_DATA_64 0xc
#define MSI_MASK_64 0x10
#define MSI_CTRL_ENABLE 0x0001
#define MSI_CTRL_MME_MASK 0x0070 /* multiple message enable: 0 = 1 vector */
#define MSI_CTRL_64BIT 0x0080
#define MSI_CTRL_PVM 0x0100 /* per-vector masking capable */

/*
 * MSI-X capability (PCI spec 6.8.2): control word at +2 (table size - 1
 * in bits 10:0, function mask, enable), the table's BAR indicator and
 * offset at +4. Each table entry is 16 bytes: address low, address high,
 * data, vector control (bit 0 masks the entry).
 */
#define MSIX_CTRL 0x2
#define MSIX_TABLE 0x4
#define MSIX_CTRL_SIZE_MASK 0x07ff
#define MSIX_CTRL_FMASK 0x4000
#define MSIX_CTRL_ENABLE 0x8000
#define MSIX_TABLE_BIR_MASK 0x7
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_ADDR_LO 0x0
#define MSIX_ENTRY_ADDR_HI 0x4
#define MSIX_ENTRY_DATA 0x8
#define MSIX_ENTRY_CTRL 0xc
#define MSIX_ENTRY_MASKED 0x1

/* Compatibility-format MSI address: 0xfee00000 | destination << 12. */
#define MSI_ADDR_BASE 0xfee00000U
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_DEST_MAX 0xff

static unsigned int max_bus;

static void pci_select(__u16 bdf, unsigned int reg)
{
	outl(PCI_CFG_ADDR_PORT,
	     PCI_CFG_ENABLE | (__u32)bdf << 8 | (reg & 0xfc));
}

/* Size 1, 2 or 4 at a register aligned to it; else all-ones. */
static bool pci_access_ok(unsigned int reg, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && reg < 256 &&
	       !(reg & (size - 1));
}

__u32 pci_read_config(__u16 bdf, unsigned int reg, unsigned int size)
{
	__u16 port = (__u16)(PCI_CFG_DATA_PORT + (reg & 3));

	if (!pci_access_ok(reg, size))
		return 0xffffffff;
	pci_select(bdf, reg);
	if (size == 1)
		return inb(port);
	if (size == 2)
		return inw(port);
	return inl(port);
}

void pci_write_config(__u16 bdf, unsigned int reg, __u32 value,
		      unsigned int size)
{
	__u16 port = (__u16)(PCI_CFG_DATA_PORT + (reg & 3));

	if (!pci_access_ok(reg, size))
		return;
	pci_select(bdf, reg);
	if (size == 1)
		outb(port, (__u8)value);
	else if (size == 2)
		outw(port, (__u16)value);
	else
		outl(port, value);
}

void pci_set_max_bus(unsigned int bus)
{
	max_bus = bus > 255 ? 255 : bus;
}

/*
 * Function 0 of a device that is there and not multi-function: its other
 * functions need not be read. When function 0 is absent (or hidden from
 * the cell) the others are still read: a cell may own function 1 alone.
 */
static bool pci_single_function(__u16 bdf)
{
	return PCI_FN(bdf) == 0 &&
	       pci_read_config(bdf, PCI_CFG_VENDOR_ID, 2) != 0xffff &&
	       !(pci_read_config(bdf, PCI_CFG_HEADER_TYPE, 1) &
		 PCI_HDR_MULTI_FUNCTION);
}

int pci_find_device(__u16 vendor, __u16 device, int start_bdf)
{
	int end = (int)(max_bus + 1) << 8;
	__u32 want = (__u32)device << 16 | vendor;
	int bdf;

	for (bdf = start_bdf < 0 ? 0 : start_bdf; bdf < end; bdf++) {
		if (pci_read_config((__u16)bdf, PCI_CFG_VENDOR_ID, 4) == want)
			return bdf;
		if (pci_single_function((__u16)bdf))
			bdf += 7; /* to function 7; the loop moves on */
	}
	return -1;
}

int pci_find_cap(__u16 bdf, __u8 cap_id)
{
	unsigned int pos, n;

	if (pci_read_config(bdf, PCI_CFG_VENDOR_ID, 2) == 0xffff ||
	    !(pci_read_config(bdf, PCI_CFG_STATUS, 2) & PCI_STS_CAP_LIST))
		return -1;
	pos = pci_read_config(bdf, PCI_CFG_CAP_PTR, 1) & 0xfc;
	for (n = 0; pos >= 0x40 && n < PCI_CAP_LIST_MAX; n++) {
		if (pci_read_config(bdf, pos, 1) == cap_id)
			return (int)pos;
		pos = pci_read_config(bdf, pos + 1, 1) & 0xfc;
	}
	return -1;
}

static unsigned int pci_bar_reg(unsigned int bar)
{
	return PCI_CFG_BAR0 + bar * 4;
}

/* Writes all-ones, reads back which bits stick, restores the old value. */
static __u32 pci_bar_sizing_read(__u16 bdf, unsigned int reg, __u32 old)
{
	__u32 mask;

	pci_write_config(bdf, reg, 0xffffffff, 4);
	mask = pci_read_config(bdf, reg, 4);
	pci_write_config(bdf, reg, old, 4);
	return mask;
}

/*
 * Decoding is switched off while the BAR holds all-ones, so the device
 * does not answer at an address that may belong to something else.
 */
int pci_bar_probe(__u16 bdf, unsigned int bar, struct pci_bar *out)
{
	unsigned int reg = pci_bar_reg(bar);
	__u32 lo, hi = 0, mask_lo, mask_hi = 0xffffffff;
	__u16 cmd;
	__u64 mask;

	memset(out, 0, sizeof(*out));
	if (bar >= PCI_NUM_BARS ||
	    pci_read_config(bdf, PCI_CFG_VENDOR_ID, 2) == 0xffff)
		return -1; /* no such BAR, or not a function the cell sees */
	lo = pci_read_config(bdf, reg, 4);
	out->io = lo & PCI_BAR_IO;
	out->is64 = !out->io &&
		    (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
	out->prefetch = !out->io && (lo & PCI_BAR_MEM_PREFETCH);
	if (out->is64 && bar == PCI_NUM_BARS - 1)
		return -1;

	cmd = (__u16)pci_read_config(bdf, PCI_CFG_COMMAND, 2);
	pci_write_config(bdf, PCI_CFG_COMMAND,
			 cmd & ~(__u32)(PCI_CMD_IO | PCI_CMD_MEM), 2);
	mask_lo = pci_bar_sizing_read(bdf, reg, lo);
	if (out->is64) {
		hi = pci_read_config(bdf, reg + 4, 4);
		mask_hi = pci_bar_sizing_read(bdf, reg + 4, hi);
	}
	pci_write_config(bdf, PCI_CFG_COMMAND, cmd, 2);

	if (out->io) {
		/* A BAR that decodes only 16 bits of I/O reads 0 above. */
		mask = 0xffffffff00000000ULL | 0xffff0000U |
		       (mask_lo & PCI_BAR_IO_MASK);
		out->base = lo & PCI_BAR_IO_MASK;
	} else {
		mask = (__u64)mask_hi << 32 | (mask_lo & PCI_BAR_MEM_MASK);
		out->base = (__u64)hi << 32 | (lo & PCI_BAR_MEM_MASK);
	}
	if (mask_lo == 0)
		return -1; /* not implemented */
	out->size = ~mask + 1;
	return 0;
}

int pci_bar_set(__u16 bdf, unsigned int bar, __u64 base)
{
	unsigned int reg = pci_bar_reg(bar);
	__u32 lo;

	if (bar >= PCI_NUM_BARS)
		return -1;
	lo = pci_read_config(bdf, reg, 4);
	if (lo & PCI_BAR_IO) {
		pci_write_config(bdf, reg, (__u32)base & PCI_BAR_IO_MASK, 4);
		return 0;
	}
	if ((lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64) {
		if (bar == PCI_NUM_BARS - 1)
			return -1;
		pci_write_config(bdf, reg + 4, (__u32)(base >> 32), 4);
	} else if (base >> 32) {
		return -1;
	}
	pci_write_config(bdf, reg, (__u32)base & PCI_BAR_MEM_MASK, 4);
	return 0;
}

void pci_enable_device(__u16 bdf)
{
	__u32 cmd = pci_read_config(bdf, PCI_CFG_COMMAND, 2);

	pci_write_config(bdf, PCI_CFG_COMMAND,
			 cmd | PCI_CMD_MEM | PCI_CMD_MASTER, 2);
}

/* Message interrupts replace the INTx pin; keep the pin quiet. */
static void pci_intx_disable(__u16 bdf)
{
	__u32 cmd = pci_read_config(bdf, PCI_CFG_COMMAND, 2);

	pci_write_config(bdf, PCI_CFG_COMMAND, cmd | PCI_CMD_INTX_DISABLE, 2);
}

static int msi_message(unsigned int vector, __u32 dest, __u32 *addr,
		       __u32 *data)
{
	if (vector < IRQ_FIRST_VECTOR || vector > 0xfe || dest > MSI_DEST_MAX)
		return -1;
	*addr = MSI_ADDR_BASE | dest << MSI_ADDR_DEST_SHIFT;
	*data = vector; /* fixed delivery, edge triggered */
	return 0;
}

int pci_msi_enable(__u16 bdf, unsigned int vector, __u32 dest_apic_id)
{
	int cap = pci_find_cap(bdf, PCI_CAP_ID_MSI);
	unsigned int pos = (unsigned int)cap;
	__u32 addr, data, ctrl;

	if (cap < 0 || msi_message(vector, dest_apic_id, &addr, &data))
		return -1;
	pci_msix_disable(bdf);
	ctrl = pci_read_config(bdf, pos + MSI_CTRL, 2);
	ctrl &= ~(__u32)(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK);
	pci_write_config(bdf, pos + MSI_CTRL, ctrl, 2);

	pci_write_config(bdf, pos + MSI_ADDR_LO, addr, 4);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_write_config(bdf, pos + MSI_ADDR_HI, 0, 4);
		pci_write_config(bdf, pos + MSI_DATA_64, data, 2);
	} else {
		pci_write_config(bdf, pos + MSI_DATA_32, data, 2);
	}
	if (ctrl & MSI_CTRL_PVM) {
		unsigned int mask = pos + (ctrl & MSI_CTRL_64BIT ? MSI_MASK_64 :
								   MSI_MASK_32);

		/* one vector enabled: unmask bit 0 */
		pci_write_config(bdf, mask, pci_read_config(bdf, mask, 4) & ~1U,
				 4);
	}
	pci_intx_disable(bdf);
	pci_write_config(bdf, pos + MSI_CTRL, ctrl | MSI_CTRL_ENABLE, 2);
	return 0;
}

void pci_msi_disable(__u16 bdf)
{
	int cap = pci_find_cap(bdf, PCI_CAP_ID_MSI);
	__u32 ctrl;

	if (cap < 0)
		return;
	ctrl = pci_read_config(bdf, (unsigned int)cap + MSI_CTRL, 2);
	pci_write_config(bdf, (unsigned int)cap + MSI_CTRL,
			 ctrl & ~(__u32)MSI_CTRL_ENABLE, 2);
}

int pci_msix_table(__u16 bdf, unsigned int *bar, __u32 *offset,
		   unsigned int *entries)
{
	int cap = pci_find_cap(bdf, PCI_CAP_ID_MSIX);
	__u32 table;

	if (cap < 0)
		return -1;
	table = pci_read_config(bdf, (unsigned int)cap + MSIX_TABLE, 4);
	*bar = table & MSIX_TABLE_BIR_MASK;
	*offset = table & ~(__u32)MSIX_TABLE_BIR_MASK;
	*entries = (pci_read_config(bdf, (unsigned int)cap + MSIX_CTRL, 2) &
		    MSIX_CTRL_SIZE_MASK) +
		   1;
	return 0;
}

/*
 * The entry is masked while its address and data change, so the device
 * never sends a half-written message.
 */
int pci_msix_set_vector(__u16 bdf, __u64 table_base, unsigned int entry,
			unsigned int vector, __u32 dest_apic_id)
{
	unsigned int bar, entries;
	__u32 offset, addr, data;
	__u64 e;

	if (pci_msix_table(bdf, &bar, &offset, &entries) || entry >= entries ||
	    msi_message(vector, dest_apic_id, &addr, &data))
		return -1;
	e = table_base + (__u64)entry * MSIX_ENTRY_SIZE;
	mmio_write32(e + MSIX_ENTRY_CTRL,
		     mmio_read32(e + MSIX_ENTRY_CTRL) | MSIX_ENTRY_MASKED);
	mmio_write32(e + MSIX_ENTRY_ADDR_LO, addr);
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, 0);
	mmio_write32(e + MSIX_ENTRY_DATA, data);
	mmio_write32(e + MSIX_ENTRY_CTRL, mmio_read32(e + MSIX_ENTRY_CTRL) &
						  ~(__u32)MSIX_ENTRY_MASKED);
	return 0;
}

static int pci_msix_update_ctrl(__u16 bdf, __u32 clear, __u32 set)
{
	int cap = pci_find_cap(bdf, PCI_CAP_ID_MSIX);
	unsigned int pos = (unsigned int)cap + MSIX_CTRL;

	if (cap < 0)
		return -1;
	pci_write_config(bdf, pos,
			 (pci_read_config(bdf, pos, 2) & ~clear) | set, 2);
	return 0;
}

/*
 * Enabled with the function mask set, as the spec recommends while the
 * table is being written; pci_msix_set_function_mask(bdf, false) then
 * lets messages through.
 */
int pci_msix_enable(__u16 bdf)
{
	if (pci_find_cap(bdf, PCI_CAP_ID_MSIX) < 0)
		return -1;
	pci_msi_disable(bdf);
	pci_intx_disable(bdf);
	return pci_msix_update_ctrl(bdf, 0, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
}

int pci_msix_set_function_mask(__u16 bdf, bool masked)
{
	return masked ? pci_msix_update_ctrl(bdf, 0, MSIX_CTRL_FMASK) :
			pci_msix_update_ctrl(bdf, MSIX_CTRL_FMASK, 0);
}

void pci_msix_disable(__u16 bdf)
{
	pci_msix_update_ctrl(bdf, MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK, 0);
}
