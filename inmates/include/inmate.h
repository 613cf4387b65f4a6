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
 * does not give the frequencies.
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
/*
 * Installs handler for vector (32..254). The handler runs with interrupts
 * disabled and must acknowledge the interrupt itself (apic_eoi()), so that
 * the hot path decides when the EOI happens.
 */
int irq_register(unsigned int vector, irq_handler_t handler);
/* Interrupts that arrived on a vector nobody registered. */
extern volatile __u64 irq_unhandled_count;

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

#endif /* _INMATE_H */
