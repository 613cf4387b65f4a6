/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The inmate library: everything a bare-metal brig inmate can call.
 *
 * An inmate defines inmate_main(). By the time it runs, the CPU is in long
 * mode on identity-mapped page tables, the IDT is loaded, the console
 * works, the comm region has been checked, the TSC and local APIC timer
 * frequencies are known and the local APIC is enabled (x2APIC when the CPU
 * offers it). Interrupts are still disabled. See docs/inmates.md.
 *
 * The library only touches hardware it was told about (comm region,
 * console) or that the cell owns by construction (its CPU and local APIC);
 * the PIT and the PM timer are read only to calibrate when the comm region
 * does not give the frequencies; the PCI configuration ports only when the
 * inmate calls the pci_* or ivshmem_* functions.
 */
#ifndef _INMATE_H
#define _INMATE_H

#include <brig/comm.h>
#include <brig/hypercall.h>

#include "inmate-x86.h"

/* --- basics ----------------------------------------------------------- */

typedef __u64 size_t;
typedef __s64 ssize_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dst, src) __builtin_va_copy(dst, src)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))

/* Fixed guest-physical layout of every x86 inmate (see inmate.lds). */
#define INMATE_COMM_REGION 0x100000UL
#define INMATE_CMDLINE 0x1000UL
#define INMATE_CMDLINE_SIZE 0x1000UL

/* The inmate's entry point, called once with interrupts disabled. */
void inmate_main(void);

/* --- string helpers (lib/string.c) ------------------------------------ */

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* --- console and printk (lib/console.c, lib/printk.c) ------------------- */

/* Sets up the console the comm region names, or COM2 at 115200. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t len);
/* "8250 at 0x2f8" and the like, for start-up messages. */
const char *console_describe(void);

/*
 * printf-like: %d %i %u %x %X %p %s %c %%, with l/ll/z, a width, '0' and
 * '-' flags. No floating point.
 */
__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);
__printf(3, 4) int snprintk(char *buf, size_t size, const char *fmt, ...);
int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap);

/* --- comm region (lib/comm.c) ----------------------------------------- */

/*
 * Checks the signature at INMATE_COMM_REGION. Without one (the inmate runs
 * outside brig) every comm_region_* call below is a harmless no-op. With a
 * foreign revision the cell reports FAILED_COMM_REV and stops.
 */
void comm_region_init(void);
/* The region when the hypervisor provided one, NULL otherwise. */
volatile struct brig_comm_region *comm_region(void);
/*
 * Handles a pending message from the hypervisor. A shutdown request is
 * approved (the cell reports SHUT_DOWN and the CPU stops here for good)
 * unless the cell is locked or the handler says no. Cheap: one load when
 * nothing is pending, no VM exit. Call it from every idle or main loop.
 */
void comm_region_poll(void);
/* Called on a shutdown request; return false to deny. */
void comm_region_set_shutdown_handler(bool (*handler)(void));
/* Locked: state RUNNING_LOCKED, every shutdown request is denied. */
void comm_region_set_locked(bool locked);

/* --- command line (lib/cmdline.c) ------------------------------------- */

/*
 * "key=value key2=value2 flag": loaded by `brig cell load -s` at
 * INMATE_CMDLINE. A key given more than once: the last one wins.
 */
const char *cmdline(void);
long long cmdline_parse_int(const char *name, long long def);
/* Copies the value (truncated to size - 1) or def into buf; returns buf. */
const char *cmdline_parse_str(const char *name, char *buf, size_t size,
			      const char *def);
/* "name", "name=1|y|yes|true|on" are true; "name=0|n|no|false|off" false. */
bool cmdline_parse_bool(const char *name, bool def);

/* --- CPU, stop and idle (lib/x86/cpu.c, lib/setup.c) -------------------- */

struct cpu_features {
	bool intel; /* GenuineIntel: hypercalls use VMCALL, else VMMCALL */
	bool x2apic; /* CPUID.1:ECX[21] */
	bool tsc_deadline; /* CPUID.1:ECX[24] */
	bool invariant_tsc; /* CPUID.80000007:EDX[8] */
	bool hypervisor; /* CPUID.1:ECX[31]: running as a guest */
	char vendor[13];
};
extern struct cpu_features cpu_features;
void cpu_features_init(void);

/*
 * RDMSR, WRMSR and XSETBV that survive a #GP (a CPU without the MSR, or brig's
 * answer for one the cell may not touch): 0, or -1 after the fault. Not
 * for several CPUs at once.
 */
int rdmsr_safe(__u32 msr, __u64 *value);
int wrmsr_safe(__u32 msr, __u64 value);
/* XCR0 = xcr0 (CR4.OSXSAVE set): 0, or -1 after the #GP. */
int xsetbv_safe(__u64 xcr0);

/* Stops this CPU for good, interrupts off. */
__noreturn void cpu_stop(void);
/* Spins forever polling the comm region; returns never. */
__noreturn void inmate_idle(void);

/* brig hypercall: code in RAX, args in RDI/RSI, result in RAX. */
long hypercall(unsigned long code, unsigned long arg1, unsigned long arg2);

/* --- interrupts (lib/x86/idt.c) --------------------------------------- */

#define IRQ_FIRST_VECTOR 32
#define APIC_SPURIOUS_VECTOR 0xff

typedef void (*irq_handler_t)(unsigned int vector);

void idt_init(void);
/* Load the IDT idt_init() built: on every other CPU of an SMP inmate. */
void idt_load(void);
/*
 * Installs handler for vector (32..254). The handler runs with interrupts
 * disabled and must acknowledge the interrupt itself (apic_eoi()), so that
 * the hot path decides when the EOI happens.
 */
int irq_register(unsigned int vector, irq_handler_t handler);
/*
 * Take NMIs with handler (called with the vector, 2) instead of stopping
 * the CPU as for any other exception. It must not print: the NMI may
 * have interrupted printk().
 */
void nmi_register(irq_handler_t handler);
/* Interrupts that arrived on a vector nobody registered. */
extern volatile __u64 irq_unhandled_count;

/* --- IO-APIC pins (lib/x86/ioapic.c) ------------------------------------- */

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_LEVEL (1u << 0) /* level-triggered, else edge */
#define IOAPIC_ACTIVE_LOW (1u << 1) /* else active high */

/*
 * The IO-APIC at base (IOAPIC_DEFAULT_BASE on PCs); its registers are
 * reached through the cell's memory map 1:1. A cell sees only the pins it
 * was given: the others read as masked, and writing them stops the cell.
 */
void ioapic_init(__u64 base);
/* Redirection entries the IO-APIC has (its version register). */
unsigned int ioapic_pins(void);
/*
 * Route pin to vector (32-254) on local APIC id dest (0-255): fixed,
 * physical destination, flags IOAPIC_*, unmasked. -1: out of range.
 */
int ioapic_route(unsigned int pin, unsigned int vector, __u32 dest,
		 unsigned int flags);
void ioapic_mask(unsigned int pin);
/* The pin's redirection entry as the IO-APIC shows it. */
__u64 ioapic_read_entry(unsigned int pin);

/* --- local APIC and its timer (lib/x86/apic.c) -------------------------- */

void apic_init(void);
bool apic_is_x2apic(void);
__u32 apic_id(void);
/* Acknowledge: one MSR write (x2APIC) or one MMIO write (xAPIC). */
void apic_eoi(void);

/* Timer input clock in kHz (comm region apic_khz, or calibrated). */
extern __u64 apic_khz;
void apic_timer_calibrate(void);
/* The timer fires on vector; stays masked until armed. */
void apic_timer_init(unsigned int vector);
void apic_timer_oneshot(__u64 ns);
void apic_timer_periodic(__u64 ns);
/* One-shot with a raw count of timer clocks (divide by 1). */
void apic_timer_oneshot_ticks(__u32 ticks);
/* TSC-deadline mode, only when cpu_features.tsc_deadline. */
void apic_timer_deadline(__u64 tsc);
void apic_timer_stop(void);

/*
 * Interprocessor interrupts: icr_low is the ICR's low half (vector,
 * delivery mode, level, shorthand), dest the APIC id (physical) or the
 * logical destination; in xAPIC mode only its low 8 bits count.
 */
#define APIC_ICR_NMI (4u << 8)
#define APIC_ICR_INIT (5u << 8)
#define APIC_ICR_STARTUP (6u << 8)
#define APIC_ICR_LOGICAL (1u << 11)
#define APIC_ICR_ASSERT (1u << 14)
#define APIC_ICR_LEVEL (1u << 15)
#define APIC_ICR_SELF (1u << 18)
#define APIC_ICR_ALL (2u << 18)
#define APIC_ICR_OTHERS (3u << 18)
void apic_send_ipi(__u32 dest, __u32 icr_low);
/*
 * This CPU's logical id for logical destinations: x2APIC's (fixed by its
 * APIC id), or in xAPIC mode a flat-model id set to bit index (< 8).
 */
__u32 apic_logical_id_setup(unsigned int index);

/* --- the cell's other CPUs (lib/x86/smp.c, lib/x86/smp-entry.S) --------- */

#define SMP_MAX_CPUS 8
#define SMP_MAX_STARTS 15 /* CPU starts, restarts included: one stack each */
#define SMP_STACK_SIZE 16384

typedef void (*smp_fn_t)(unsigned int index);

/*
 * Start the cell's other CPUs (INIT, then SIPI twice, to all but the
 * calling CPU, with the delays the hardware asks for) and wait up to
 * timeout_ms until want of them are up; returns how many came. Each runs
 * fn(index) on its own stack with the IDT and its APIC set up, then
 * halts with interrupts on. The calling CPU is index 0; others are
 * numbered as they arrive.
 */
unsigned int smp_start_cpus(smp_fn_t fn, unsigned int want,
			    unsigned int timeout_ms);
/*
 * Start (or restart, after an INIT from the caller) one CPU by APIC id:
 * INIT, then SIPI. It keeps its index.
 */
void smp_start_cpu(__u32 apic_id, smp_fn_t fn);
/* This CPU's index (0 for the CPU that started the others). */
unsigned int smp_cpu_index(void);
/* CPUs up, the calling one included, and their APIC ids by index. */
extern volatile unsigned int smp_cpus_up;
extern volatile __u32 smp_apic_ids[SMP_MAX_CPUS];
__u64 apic_timer_ns_to_ticks(__u64 ns);

/* --- time (lib/x86/timing.c) ------------------------------------------ */

/* TSC frequency in kHz (comm region tsc_khz, or calibrated). */
extern __u64 tsc_khz;
/* How tsc_khz was found: "comm region", "PM timer" or "PIT". */
extern const char *tsc_khz_source;
void timing_init(void);
__u64 tsc_to_ns(__u64 tsc);
__u64 ns_to_tsc(__u64 ns);
/* The PM timer port in use (comm region or q35's 0x608), 0 if none. */
__u16 pm_timer_port(void);
/* 24-bit PM timer counter (3.579545 MHz); 0 when there is none. */
__u32 pm_timer_read(void);
void delay_us(__u64 us);
/* The median of five calls of measure(): calibration that ignores stalls. */
__u64 calibration_median(__u64 (*measure)(void));

/* --- PCI (lib/pci.c) -------------------------------------------------- */

/* bdf: bus in bits 15:8, device in 7:3, function in 2:0. */
#define PCI_BDF(bus, dev, fn) ((__u16)((bus) << 8 | (dev) << 3 | (fn)))
#define PCI_BUS(bdf) (((bdf) >> 8) & 0xff)
#define PCI_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf) ((bdf) % 8)

/* Configuration space header (type 0), PCI Local Bus spec 6.1. */
#define PCI_CFG_VENDOR_ID 0x00
#define PCI_CFG_DEVICE_ID 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEM 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_CFG_STATUS 0x06
#define PCI_STS_CAP_LIST 0x0010
#define PCI_CFG_HEADER_TYPE 0x0e
#define PCI_CFG_BAR0 0x10
#define PCI_CFG_CAP_PTR 0x34

#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_MSIX 0x11

/*
 * Configuration space through ports 0xcf8/0xcfc, first 256 bytes only.
 * size is 1, 2 or 4 and reg aligned to it; anything else reads as
 * all-ones and is not written. A function the cell does not own (or that
 * is not there) reads as all-ones.
 */
__u32 pci_read_config(__u16 bdf, unsigned int reg, unsigned int size);
void pci_write_config(__u16 bdf, unsigned int reg, __u32 value,
		      unsigned int size);
/* pci_find_device() scans buses 0..bus; the default is bus 0 only. */
void pci_set_max_bus(unsigned int bus);
/* The first bdf >= start_bdf with these ids, or -1. */
int pci_find_device(__u16 vendor, __u16 device, int start_bdf);
/* Config-space offset of the capability, or -1. */
int pci_find_cap(__u16 bdf, __u8 cap_id);

struct pci_bar {
	__u64 base; /* address bits only, flags stripped */
	__u64 size;
	bool io;
	bool is64; /* takes this BAR and the next */
	bool prefetch;
};
/*
 * Reads BAR number bar (0-5) and sizes it by writing all-ones (decoding
 * off meanwhile, the old value restored). -1: no such BAR.
 */
int pci_bar_probe(__u16 bdf, unsigned int bar, struct pci_bar *out);
/* Places a BAR (both halves of a 64-bit one); -1 if it cannot go there. */
int pci_bar_set(__u16 bdf, unsigned int bar, __u64 base);
/* Command register: memory space and bus mastering on. */
void pci_enable_device(__u16 bdf);

/*
 * MSI, one vector (32-254) to one local APIC id (0-255; compatibility
 * format, physical destination, fixed, edge), 32- or 64-bit capability,
 * vector unmasked when the function has per-vector masking. Turns MSI-X
 * and the INTx pin off. -1: no MSI capability or arguments out of range.
 */
int pci_msi_enable(__u16 bdf, unsigned int vector, __u32 dest_apic_id);
void pci_msi_disable(__u16 bdf);
/* Where the MSI-X table is: BAR number, offset in it, entries. */
int pci_msix_table(__u16 bdf, unsigned int *bar, __u32 *offset,
		   unsigned int *entries);
/*
 * Writes MSI-X table entry (masked while it changes, unmasked after) at
 * table_base, the table's address in the inmate's memory map.
 */
int pci_msix_set_vector(__u16 bdf, __u64 table_base, unsigned int entry,
			unsigned int vector, __u32 dest_apic_id);
/*
 * Enables MSI-X with the function mask set (MSI and INTx off); clear the
 * mask with pci_msix_set_function_mask(bdf, false) once the entries are
 * written.
 */
int pci_msix_enable(__u16 bdf);
int pci_msix_set_function_mask(__u16 bdf, bool masked);
void pci_msix_disable(__u16 bdf);

/* --- ivshmem shared-memory channels (lib/ivshmem.c) -------------------- */

/*
 * One side of an ivshmem channel: the ivshmem-v2 PCI device the
 * hypervisor shows the cell (include/brig/ivshmem.h). Filled by
 * ivshmem_find(); the shared memory is reached 1:1 at shmem.
 */
struct ivshmem {
	__u16 bdf;
	__u16 protocol; /* class sub-class << 8 | interface */
	__u32 id; /* this peer */
	__u32 max_peers;
	__u32 vectors; /* MSI-X table entries */
	__u32 state_size; /* bytes of the state table */
	__u64 rw_size; /* bytes of the read/write section */
	__u64 out_size; /* bytes of each output section */
	__u64 shmem; /* the state table; the sections follow it */
	__u64 regs; /* BAR 0: BRIG_IVSHMEM_REG_* */
	__u64 msix_table; /* the MSI-X table (in BAR 1 under brig) */
	bool msix_enabled;
};

/*
 * Finds the n-th ivshmem device (n = 0: the first) on the buses
 * pci_find_device() scans, reads its capabilities and registers and turns
 * memory decoding on. The BARs are read as they are (a device of the
 * hypervisor cannot be moved). -1, with the reason printed, when there is
 * none or it is unusable (no vendor or MSI-X capability, a BAR
 * unassigned, memory beyond the 4 GiB the inmate maps).
 */
int ivshmem_find(unsigned int n, struct ivshmem *dev);
/* One __u32 state per peer, read-only to every peer. */
volatile __u32 *ivshmem_state_table(const struct ivshmem *dev);
/* The state of peer in the table; 0 for a peer the device does not have. */
__u32 ivshmem_peer_state(const struct ivshmem *dev, unsigned int peer);
/* The read/write section, NULL when rw_size is 0. */
void *ivshmem_rw_section(const struct ivshmem *dev);
/*
 * Peer's output section: writable by that peer only, readable by all.
 * NULL for a peer the device does not have or when out_size is 0.
 */
void *ivshmem_output_section(const struct ivshmem *dev, unsigned int peer);
/*
 * Aims the device's vector (its MSI-X table entry) at IDT vector
 * idt_vector (32-254) on this CPU, then makes sure MSI-X is on and
 * unmasked. -1: no such vector, or idt_vector out of range.
 */
int ivshmem_set_vector(struct ivshmem *dev, unsigned int vector,
		       unsigned int idt_vector);
/* INTX_CTRL: the device interrupts this peer at all (doorbells, state). */
void ivshmem_enable_interrupts(const struct ivshmem *dev, bool on);
/*
 * Interrupts peer on its device vector. Everything stored before is
 * visible to the peer by the time the interrupt comes. A doorbell to a
 * peer or vector that is not there (or not enabled) is dropped.
 */
void ivshmem_ring(const struct ivshmem *dev, unsigned int peer,
		  unsigned int vector);
/* This peer's entry in the state table; the others get vector 0. */
void ivshmem_set_state(const struct ivshmem *dev, __u32 state);

#endif /* _INMATE_H */
