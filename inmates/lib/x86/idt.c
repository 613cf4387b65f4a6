// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The interrupt descriptor table and the C side of interrupt entry.
 *
 * Exceptions (vectors 0-31) are fatal for an inmate: the handler prints the
 * vector, RIP and error code on the console, marks the cell FAILED in the
 * comm region and stops the CPU. Vectors 32-255 go to handlers registered
 * with irq_register(); the dispatch is one table lookup and an indirect
 * call, nothing that could cause a VM exit.
 */
#include <inmate.h>

/* Saved by isr.S, lowest address first. */
struct isr_frame {
	__u64 r15, r14, r13, r12, r11, r10, r9, r8;
	__u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	__u64 vector, error;
	__u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/*
 * A 64-bit IDT gate (Intel SDM vol. 3, 6.14.1): the handler address split
 * in three, the code selector, an IST index (0: stay on this stack), and
 * the type byte 0x8e = present, DPL 0, 64-bit interrupt gate (the CPU
 * clears IF on entry, so handlers run with interrupts disabled).
 */
struct idt_gate {
	__u16 offset_low;
	__u16 selector;
	__u8 ist;
	__u8 type;
	__u16 offset_mid;
	__u32 offset_high;
	__u32 reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

#define GATE_INTERRUPT_64 0x8e
#define SEL_CODE64 0x18 /* entry.S */
#define ISR_STUB_SIZE 16 /* isr.S */
#define VECTOR_NMI 2
#define VECTOR_PF 14

extern const char isr_stubs[];
void isr_dispatch(struct isr_frame *frame);

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];
volatile __u64 irq_unhandled_count;

static const char *const exception_names[32] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range",
	"#UD invalid opcode",
	"#NM no FPU",
	"#DF double fault",
	"coprocessor overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD error",
	"#VE virtualization",
	"#CP control protection",
};

static void idt_set_gate(unsigned int vector, __u64 handler)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = (__u16)handler;
	g->selector = SEL_CODE64;
	g->ist = 0;
	g->type = GATE_INTERRUPT_64;
	g->offset_mid = (__u16)(handler >> 16);
	g->offset_high = (__u32)(handler >> 32);
	g->reserved = 0;
}

void idt_load(void)
{
	struct {
		__u16 limit;
		__u64 base;
	} __attribute__((packed)) desc = {
		.limit = sizeof(idt) - 1,
		.base = (__u64)idt,
	};

	__asm__ __volatile__("lidt %0" : : "m"(desc));
}

void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < ARRAY_SIZE(idt); v++)
		idt_set_gate(v, (__u64)isr_stubs + v * ISR_STUB_SIZE);
	idt_load();
}

int irq_register(unsigned int vector, irq_handler_t handler)
{
	if (vector < IRQ_FIRST_VECTOR || vector >= ARRAY_SIZE(irq_handlers))
		return -1;
	irq_handlers[vector] = handler;
	return 0;
}

static __noreturn void exception_fatal(const struct isr_frame *f)
{
	const char *name = f->vector < ARRAY_SIZE(exception_names) &&
					   exception_names[f->vector] ?
				   exception_names[f->vector] :
				   "reserved";
	volatile struct brig_comm_region *comm = comm_region();

	printk("\nFATAL: exception %llu (%s) at rip=0x%llx error=0x%llx\n",
	       f->vector, name, f->rip, f->error);
	printk("FATAL: rsp=0x%llx rflags=0x%llx rax=0x%llx rdi=0x%llx\n",
	       f->rsp, f->rflags, f->rax, f->rdi);
	if (f->vector == VECTOR_PF)
		printk("FATAL: page fault address cr2=0x%llx\n", read_cr2());
	/* Tell the hypervisor; it may stop the cell before it reads this. */
	if (comm)
		comm->cell_state = BRIG_CELL_STATE_FAILED;
	cpu_stop();
}

void nmi_register(irq_handler_t handler)
{
	irq_handlers[VECTOR_NMI] = handler;
}

/* rdmsr_safe()/wrmsr_safe() running on this CPU (lib/x86/cpu.c). */
volatile unsigned int msr_fault_armed, msr_faults;

/*
 * A #GP on an armed RDMSR or WRMSR (0f 32, 0f 30) or XSETBV (0f 01 d1):
 * skipped and counted.
 */
static bool msr_fault(struct isr_frame *f)
{
	const __u8 *insn = (const __u8 *)f->rip;

	if (f->vector != 13 || !msr_fault_armed || insn[0] != 0x0f)
		return false;
	if (insn[1] == 0x32 || insn[1] == 0x30)
		f->rip += 2;
	else if (insn[1] == 0x01 && insn[2] == 0xd1)
		f->rip += 3;
	else
		return false;
	msr_faults++;
	return true;
}

void isr_dispatch(struct isr_frame *frame)
{
	irq_handler_t handler;

	if (msr_fault(frame))
		return;
	if (frame->vector == VECTOR_NMI && irq_handlers[VECTOR_NMI]) {
		irq_handlers[VECTOR_NMI](VECTOR_NMI);
		return;
	}
	if (frame->vector < IRQ_FIRST_VECTOR)
		exception_fatal(frame);

	handler = irq_handlers[frame->vector];
	if (handler) {
		handler((unsigned int)frame->vector);
		return;
	}
	/* Spurious interrupts must not be acknowledged, anything else must. */
	irq_unhandled_count++;
	if (frame->vector != APIC_SPURIOUS_VECTOR)
		apic_eoi();
}
