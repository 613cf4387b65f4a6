/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The binary description of a system and of its cells.
 *
 * Users write descriptions as device-tree source (docs/config.md); the tool
 * `brig config compile` turns them into the blobs defined here, which the
 * driver passes unchanged to the hypervisor. Both sides read the blob only
 * through the accessors at the end of this file, so the layout is written
 * down exactly once.
 *
 * A cell blob is a struct brig_cell_desc followed by its variable parts, in
 * this order, each naturally aligned to 8 bytes:
 *
 *   __u64                  cpu_set[cpu_set_size / 8]   bit N = CPU N
 *   struct brig_memory     mem_regions[num_memory_regions]
 *   struct brig_port_range port_ranges[num_port_ranges]
 *   struct brig_irqchip    irqchips[num_irqchips]
 *   struct brig_pci_device pci_devices[num_pci_devices]
 *
 * A system blob is a struct brig_system_desc, whose last member is the root
 * cell's struct brig_cell_desc, followed by the root cell's variable parts.
 *
 * All multi-byte fields are little endian (x86-64 and arm64 both are).
 * Reserved fields must be zero: the checkers refuse anything else, so they
 * can be given a meaning later without a revision bump.
 */
#ifndef _BRIG_CONFIG_H
#define _BRIG_CONFIG_H

#include "types.h"

#define BRIG_CELL_SIGNATURE "BRIGCELL"
#define BRIG_SYSTEM_SIGNATURE "BRIGSYST"
#define BRIG_SIGNATURE_LEN 8

/* Bumped on any change of layout or meaning in this file. */
#define BRIG_CONFIG_REVISION 1

#define BRIG_ARCH_X86_64 1
#define BRIG_ARCH_ARM64 2

#define BRIG_CELL_NAME_LEN 32 /* including the terminating NUL */
#define BRIG_MAX_CPUS 256 /* upper bound of any cpu_set, in bits */
#define BRIG_MAX_IOMMU_UNITS 8

/* --- memory regions ---------------------------------------------------- */

#define BRIG_MEM_TYPE_RAM 1 /* ordinary memory */
#define BRIG_MEM_TYPE_MMIO 2 /* device registers: mapped uncached */

#define BRIG_MEM_READ 0x0001
#define BRIG_MEM_WRITE 0x0002
#define BRIG_MEM_EXECUTE 0x0004
#define BRIG_MEM_DMA 0x0008 /* mapped for the cell's devices too */
#define BRIG_MEM_LOADABLE 0x0010 /* root may load images while stopped */
#define BRIG_MEM_COMM_REGION 0x0020 /* the cell's comm region (comm.h) */
#define BRIG_MEM_ROOTSHARED 0x0040 /* stays mapped in the root cell */
/*
 * Root cell only: memory that Linux was told to leave alone (memmap= on
 * x86, mem= on arm64). Cell RAM may only be carved out of such regions,
 * never out of Linux's System RAM.
 */
#define BRIG_MEM_RESERVED 0x0080
#define BRIG_MEM_VALID_FLAGS 0x00ff

/*
 * One contiguous region. phys_start is the host-physical address, virt_start
 * the guest-physical address the cell sees it at (the root cell is always
 * 1:1). Addresses and size are multiples of 4 KiB.
 */
struct brig_memory {
	__u64 phys_start;
	__u64 virt_start;
	__u64 size;
	__u32 type; /* BRIG_MEM_TYPE_* */
	__u32 flags; /* BRIG_MEM_* */
};
BRIG_ABI_ASSERT_SIZE(struct brig_memory, 32);

/* --- I/O port ranges (x86) --------------------------------------------- */

#define BRIG_PIO_READ 0x0001
#define BRIG_PIO_WRITE 0x0002
/*
 * Read-only and shared: any number of cells may list the range, none may
 * write it (the ACPI PM timer is the canonical case). Requires READ and
 * forbids WRITE.
 */
#define BRIG_PIO_SHARED 0x0004
#define BRIG_PIO_VALID_FLAGS 0x0007

struct brig_port_range {
	__u32 base; /* first port, 0..0xffff */
	__u32 length; /* number of ports, base + length <= 0x10000 */
	__u32 flags; /* BRIG_PIO_* */
	__u32 reserved;
};
BRIG_ABI_ASSERT_SIZE(struct brig_port_range, 16);

/* --- interrupt controllers with pins (x86 IOAPIC) ---------------------- */

#define BRIG_IRQCHIP_PINS 256

/*
 * Pins of one interrupt controller given to the cell. The root cell lists
 * every IO-APIC with the pins it owns; a cell lists the same controller
 * (same address, id, iommu and pin_base) with the pins it takes from the
 * root. A cell's pins are remapped through the IOMMU: the hypervisor
 * emulates the controller for the cell and validates each entry.
 */
struct brig_irqchip {
	__u64 address; /* MMIO base of the controller, 4 KiB aligned */
	__u16 id; /* source id of its interrupt messages (bus << 8 | devfn) */
	__u16 iommu; /* index into the system's iommu_units */
	__u32 pin_base; /* GSI of pin_bitmap bit 0 */
	__u64 pin_bitmap[BRIG_IRQCHIP_PINS / 64];
};
BRIG_ABI_ASSERT_SIZE(struct brig_irqchip, 48);

/* --- PCI devices ------------------------------------------------------- */

#define BRIG_PCI_TYPE_DEVICE 1
#define BRIG_PCI_TYPE_BRIDGE 2
#define BRIG_PCI_TYPE_IVSHMEM 3

/*
 * A cell's DEVICE may change owners without a reset: the integrator
 * accepts that what one owner left in the device (its queues, buffers,
 * DMA addresses) reaches the next. Without it the root's driver refuses
 * to hand a device it knows no reset for (FLR, power state, bus) to a
 * cell.
 */
#define BRIG_PCI_FLAG_NO_RESET (1u << 0)

#define BRIG_PCI_BDF(bus, dev, fn)                                             \
	((__u16)(((bus)&0xff) << 8 | ((dev)&0x1f) << 3 | ((fn)&0x7)))

/*
 * One side of an ivshmem channel (ivshmem.h, docs/ivshmem.md): a virtual
 * PCI function of the hypervisor's through which the peers of a channel
 * share memory and ring each other's doorbells. Every peer's description
 * of a channel names the same memory, sizes, protocol and vector count,
 * and its own peer id.
 *
 * The channel's memory is host-physical RAM the root's description
 * reserves (never Linux's): shmem_phys onwards, one page of state table,
 * then rw_size bytes of common read/write section, then num_peers output
 * sections of out_size bytes each, in peer order. The peer sees it at
 * shmem_virt (the root: shmem_phys). Its registers (BAR 0, 4 KiB) and
 * MSI-X table (BAR 1, 4 KiB) sit at bar_base and bar_base + 4 KiB, fixed:
 * the peer can size the BARs, not move them.
 */
struct brig_ivshmem {
	__u64 shmem_phys;
	__u64 shmem_virt;
	__u64 bar_base;
	__u32 rw_size; /* bytes, a multiple of 4 KiB, may be 0 */
	__u32 out_size; /* bytes per peer, a multiple of 4 KiB, may be 0 */
	__u16 channel; /* the channel's id, the same for all its peers */
	__u16 protocol; /* class sub-class and interface: BRIG_IVSHMEM_PROTO_* */
	__u8 peer; /* this side's id, < num_peers */
	__u8 num_peers; /* 2..BRIG_IVSHMEM_MAX_PEERS */
	__u16 vectors; /* MSI-X vectors, 1..BRIG_IVSHMEM_MAX_VECTORS */
	__u64 reserved;
};
BRIG_ABI_ASSERT_SIZE(struct brig_ivshmem, 48);

#define BRIG_IVSHMEM_MAX_PEERS 16
#define BRIG_IVSHMEM_MAX_VECTORS 16

struct brig_pci_device {
	__u32 type; /* BRIG_PCI_TYPE_* */
	__u16 domain;
	__u16 bdf; /* BRIG_PCI_BDF() */
	__u32 iommu; /* index into the system's iommu_units; ivshmem: 0 */
	__u32 flags; /* BRIG_PCI_FLAG_* */
	union {
		/* DEVICE: writable bits of each BAR, as the cell sees it */
		__u64 bar_mask[6];
		struct brig_ivshmem ivshmem; /* IVSHMEM */
	};
};
BRIG_ABI_ASSERT_SIZE(struct brig_pci_device, 64);

/* --- consoles ---------------------------------------------------------- */

#define BRIG_CON_NONE 0
#define BRIG_CON_PIO_E9 1 /* QEMU/Bochs debug port: write-only, no setup */
#define BRIG_CON_PIO_8250 2 /* 16550-compatible UART in port space */
#define BRIG_CON_MMIO_8250 3 /* 16550-compatible UART, 32-bit registers */

struct brig_console {
	__u64 address; /* port or MMIO base */
	__u32 type; /* BRIG_CON_* */
	__u32 divider; /* baud divisor to program, 0 = keep firmware's */
};
BRIG_ABI_ASSERT_SIZE(struct brig_console, 16);

/* --- a cell ------------------------------------------------------------ */

/*
 * The cell asks for nothing during shutdown: the hypervisor does not wait
 * for a reply in the comm region (for inmates without a comm-region loop).
 */
#define BRIG_CELL_PASSIVE_COMMREG 0x0001
/*
 * The cell may write to the hypervisor's console (BRIG_HC_DEBUG_CONSOLE_PUTC):
 * the console is the machine's, shared with every cell and the root, so a
 * cell gets it only when its description says so.
 */
#define BRIG_CELL_DEBUG_CONSOLE 0x0002
/*
 * For a cell that runs an operating system, which probes legacy hardware
 * at boot: a port the cell does not own reads as all-ones and takes no
 * write, counted per port (brig cell stats), instead of stopping the
 * cell. Nothing reaches the hardware; memory and DMA rules stay strict,
 * and so do string I/O and the ports the hypervisor emulates for the cell.
 * Not for the root, whose unowned ports always behave so.
 */
#define BRIG_CELL_UNOWNED_PORTS_IGNORED 0x0004
/*
 * Likewise for MSRs: reading or writing an MSR the cell may not touch
 * raises #GP in the cell, as on a CPU without that MSR (an OS probes
 * them, mostly expecting the fault), instead of stopping the cell. Not
 * for the root, which gets the #GP anyway.
 */
#define BRIG_CELL_UNOWNED_MSRS_FAULT 0x0008
/*
 * HLT exits to the hypervisor (halt = "exits"), for a cell that runs an
 * operating system. HLT with interrupts off stops the CPU as INIT does:
 * it waits for a start-up IPI from another CPU of the cell (an OS taking
 * a CPU offline) and, once every CPU of the cell has stopped so, nothing
 * can wake the cell: it has shut down (an OS's halt). HLT with interrupts
 * on waits for an interrupt as usual, at the cost of an exit per wait.
 * Without it HLT runs natively: an RT cell waiting for its interrupt
 * makes no exit, and a halted cell stays running. Not for the root.
 */
#define BRIG_CELL_HALT_EXITS 0x0010
#define BRIG_CELL_VALID_FLAGS 0x001f

/*
 * A root CPU waits in the hypervisor, interrupts off, for a cell's reply:
 * well below Linux's hard-lockup threshold (watchdog_thresh, 10 s).
 */
#define BRIG_MAX_SHUTDOWN_TIMEOUT_MS 5000

struct brig_cell_desc {
	char signature[BRIG_SIGNATURE_LEN]; /* BRIG_CELL_SIGNATURE */
	__u16 revision; /* BRIG_CONFIG_REVISION */
	__u16 architecture; /* BRIG_ARCH_* */
	__u32 flags; /* BRIG_CELL_* */
	char name[BRIG_CELL_NAME_LEN]; /* NUL-terminated, NUL-padded */

	__u32 cpu_set_size; /* bytes, multiple of 8, >= 8 */
	__u32 num_memory_regions;
	__u32 num_port_ranges;
	__u32 num_irqchips;
	__u32 num_pci_devices;
	/* wait for a shutdown reply; 0 = default (1000) */
	__u32 shutdown_timeout_ms; /* at most BRIG_MAX_SHUTDOWN_TIMEOUT_MS */

	__u64 entry; /* guest-physical address of the first instruction */
	struct brig_console console; /* the cell's own console, for inmates */
	__u64 reserved[4];
};
BRIG_ABI_ASSERT_SIZE(struct brig_cell_desc, 128);

/* --- the system (hypervisor + root cell) ------------------------------- */

#define BRIG_IOMMU_NONE 0
#define BRIG_IOMMU_VTD 1
#define BRIG_IOMMU_AMDVI 2

struct brig_iommu {
	__u64 base; /* register block */
	__u32 size; /* register block size in bytes */
	__u32 type; /* BRIG_IOMMU_* */
	__u16 amd_bdf; /* AMD-Vi: the unit's own PCI function */
	__u8 amd_cap; /* AMD-Vi: its capability offset */
	__u8 reserved[5];
};
BRIG_ABI_ASSERT_SIZE(struct brig_iommu, 24);

struct brig_platform {
	__u64 pci_mmconfig_base; /* 0: no MMCONFIG, only 0xcf8/0xcfc */
	__u8 pci_mmconfig_end_bus;
	__u8 reserved0;
	__u16 pm_timer_port; /* ACPI PM timer, x86; 0: none */
	__u32 num_iommu_units;
	struct brig_iommu iommu_units[BRIG_MAX_IOMMU_UNITS];
	__u64 reserved[2];
};
BRIG_ABI_ASSERT_SIZE(struct brig_platform, 16 + 8 * 24 + 16);

struct brig_system_desc {
	char signature[BRIG_SIGNATURE_LEN]; /* BRIG_SYSTEM_SIGNATURE */
	__u16 revision; /* BRIG_CONFIG_REVISION */
	__u16 architecture; /* BRIG_ARCH_*, same as root_cell's */
	__u32 flags; /* none defined yet */
	/*
	 * Where the hypervisor lives: host-physical, RAM, never part of any
	 * cell. Only phys_start and size are used.
	 */
	struct brig_memory hypervisor_memory;
	struct brig_console debug_console; /* the hypervisor's own output */
	struct brig_platform platform;
	struct brig_cell_desc root_cell; /* must stay the last member */
};
BRIG_ABI_ASSERT_SIZE(struct brig_system_desc,
		     16 + 32 + 16 + sizeof(struct brig_platform) + 128);

/* --- accessors: the only code that knows where the arrays are ---------- */

static inline __u64 brig_cell_cpu_set_offset(void)
{
	return sizeof(struct brig_cell_desc);
}

static inline __u64 brig_cell_mem_offset(const struct brig_cell_desc *c)
{
	return brig_cell_cpu_set_offset() + c->cpu_set_size;
}

static inline __u64 brig_cell_pio_offset(const struct brig_cell_desc *c)
{
	return brig_cell_mem_offset(c) +
	       (__u64)c->num_memory_regions * sizeof(struct brig_memory);
}

static inline __u64 brig_cell_irqchip_offset(const struct brig_cell_desc *c)
{
	return brig_cell_pio_offset(c) +
	       (__u64)c->num_port_ranges * sizeof(struct brig_port_range);
}

static inline __u64 brig_cell_pci_offset(const struct brig_cell_desc *c)
{
	return brig_cell_irqchip_offset(c) +
	       (__u64)c->num_irqchips * sizeof(struct brig_irqchip);
}

/* Size of a cell blob, header included, as its counts say it must be. */
static inline __u64 brig_cell_desc_size(const struct brig_cell_desc *c)
{
	return brig_cell_pci_offset(c) +
	       (__u64)c->num_pci_devices * sizeof(struct brig_pci_device);
}

/* Size of a system blob: the fixed part plus the root cell's arrays. */
static inline __u64 brig_system_desc_size(const struct brig_system_desc *s)
{
	return sizeof(*s) - sizeof(s->root_cell) +
	       brig_cell_desc_size(&s->root_cell);
}

#define BRIG_CELL_ARRAY(c, off) ((const void *)((const char *)(c) + (off)))

static inline const __u64 *brig_cell_cpu_set(const struct brig_cell_desc *c)
{
	return (const __u64 *)BRIG_CELL_ARRAY(c, brig_cell_cpu_set_offset());
}

static inline const struct brig_memory *
brig_cell_mem_regions(const struct brig_cell_desc *c)
{
	return (const struct brig_memory *)BRIG_CELL_ARRAY(
		c, brig_cell_mem_offset(c));
}

static inline const struct brig_port_range *
brig_cell_port_ranges(const struct brig_cell_desc *c)
{
	return (const struct brig_port_range *)BRIG_CELL_ARRAY(
		c, brig_cell_pio_offset(c));
}

static inline const struct brig_irqchip *
brig_cell_irqchips(const struct brig_cell_desc *c)
{
	return (const struct brig_irqchip *)BRIG_CELL_ARRAY(
		c, brig_cell_irqchip_offset(c));
}

static inline const struct brig_pci_device *
brig_cell_pci_devices(const struct brig_cell_desc *c)
{
	return (const struct brig_pci_device *)BRIG_CELL_ARRAY(
		c, brig_cell_pci_offset(c));
}

static inline int brig_cell_has_cpu(const struct brig_cell_desc *c,
				    unsigned int cpu)
{
	if (cpu >= c->cpu_set_size * 8u)
		return 0;
	return (int)((brig_cell_cpu_set(c)[cpu / 64] >> (cpu % 64)) & 1);
}

#endif /* _BRIG_CONFIG_H */
