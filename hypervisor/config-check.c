// SPDX-License-Identifier: GPL-2.0
/*
 * The config checker: validates binary system and cell blobs (config.h),
 * alone and as a set.
 *
 * This one file is linked into the hypervisor (which must not trust what the
 * root cell hands it), into the `brig` tool and into the unit tests, so it is
 * freestanding C: no libc, no allocation, only the ABI headers. Messages are
 * formatted by a small printf of its own (see msg_vformat()) into a buffer
 * on the stack and handed to the caller's report callback.
 *
 * Order matters: the layout of a blob (signature, revision, cpu_set_size,
 * size) is checked first and, if it is wrong, nothing behind the header is
 * read, because the accessors of config.h would then point anywhere. After
 * that every problem is reported, not just the first one.
 */
#include <brig/config-check.h>
#include <brig/comm.h>
#include <brig/ivshmem.h>

#define PAGE_SIZE 0x1000ull
#define HV_PAGE_SIZE 0x200000ull /* the driver maps the hypervisor in 2 MiB */
#define MMCONFIG_ALIGN 0x100000ull /* 1 MiB: the config space of one bus */
#define PORT_SPACE 0x10000ull
#define UART_MAX_DIVIDER 0xffffu /* a 16550's divisor latch, DLL and DLM */
/*
 * x86: the local APIC's page and the rest of the interrupt address range
 * (MSI writes land here). The hypervisor emulates the APIC page for every
 * cell: nothing else may be decoded there.
 */
#define X86_INTERRUPT_RANGE 0xfee00000ull
#define X86_INTERRUPT_RANGE_SIZE 0x100000ull
#define MSG_LEN 240

/* --- message formatting -------------------------------------------------- */

struct msg {
	char buf[MSG_LEN];
	unsigned int len;
};

static void msg_putc(struct msg *m, char ch)
{
	if (m->len + 1 < MSG_LEN)
		m->buf[m->len++] = ch;
}

static void msg_puts(struct msg *m, const char *s)
{
	while (*s)
		msg_putc(m, *s++);
}

static void msg_putnum(struct msg *m, __u64 v, unsigned int base)
{
	char digits[24];
	unsigned int n = 0;

	if (base == 16)
		msg_puts(m, "0x");
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		msg_putc(m, digits[--n]);
}

/* A name field that may lack its NUL: never read past its end. */
static void msg_putname(struct msg *m, const char *name)
{
	unsigned int i;

	msg_putc(m, '"');
	for (i = 0; i < BRIG_CELL_NAME_LEN && name[i]; i++)
		msg_putc(m, name[i]);
	msg_putc(m, '"');
}

/*
 * The conversions: %s string, %u unsigned int, %x __u64 in hex with 0x,
 * %R an address range given as __u64 start and __u64 size, printed
 * inclusively ("0x1000-0x1fff"), %N a cell name field (char *).
 */
static void msg_vformat(struct msg *m, const char *fmt, __builtin_va_list ap)
{
	__u64 start, size;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			msg_putc(m, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 's':
			msg_puts(m, __builtin_va_arg(ap, const char *));
			break;
		case 'u':
			msg_putnum(m, __builtin_va_arg(ap, unsigned int), 10);
			break;
		case 'x':
			msg_putnum(m, __builtin_va_arg(ap, __u64), 16);
			break;
		case 'R':
			start = __builtin_va_arg(ap, __u64);
			size = __builtin_va_arg(ap, __u64);
			msg_putnum(m, start, 16);
			msg_putc(m, '-');
			msg_putnum(m, start + size - 1, 16);
			break;
		case 'N':
			msg_putname(m, __builtin_va_arg(ap, const char *));
			break;
		default: /* a bug in this file; make it visible */
			msg_puts(m, "<bad format>");
			return;
		}
	}
}

/* --- reporting ------------------------------------------------------------ */

struct checker {
	const struct brig_check_reporter *rep;
	unsigned int errors;
	int blob; /* brig_check_where.blob of what is being checked */
};

static void error(struct checker *ck, enum brig_check_item item,
		  unsigned int index, const char *fmt, ...)
{
	struct brig_check_where where;
	__builtin_va_list ap;
	struct msg m;

	m.len = 0;
	__builtin_va_start(ap, fmt);
	msg_vformat(&m, fmt, ap);
	__builtin_va_end(ap);
	m.buf[m.len] = '\0';

	where.blob = ck->blob;
	where.item = item;
	where.index = index;
	ck->errors++;
	if (ck->rep && ck->rep->report)
		ck->rep->report(ck->rep->ctx, BRIG_CHECK_ERROR, &where, m.buf);
}

/* --- small helpers -------------------------------------------------------- */

static int bytes_equal(const char *a, const char *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static int names_equal(const char *a, const char *b)
{
	unsigned int i;

	for (i = 0; i < BRIG_CELL_NAME_LEN; i++) {
		if (a[i] != b[i])
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

static int all_zero(const void *p, unsigned int n)
{
	const __u8 *b = p;
	unsigned int i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A range of size bytes at start that does not run past 2^64 - 1. */
static int range_fits(__u64 start, __u64 size)
{
	return size != 0 && size - 1 <= ~start;
}

/* Both ranges must satisfy range_fits(). */
static int ranges_overlap(__u64 a, __u64 asize, __u64 b, __u64 bsize)
{
	return a <= b + bsize - 1 && b <= a + asize - 1;
}

static int is_aligned(__u64 v, __u64 align)
{
	return (v & (align - 1)) == 0;
}

/* A region whose addresses can be compared with others at all. */
static int region_sane(const struct brig_memory *r)
{
	return range_fits(r->phys_start, r->size) &&
	       range_fits(r->virt_start, r->size);
}

static int port_range_sane(const struct brig_port_range *p)
{
	return p->length != 0 && p->base < PORT_SPACE &&
	       p->length <= PORT_SPACE - p->base;
}

/* --- layout --------------------------------------------------------------- */

static int cell_layout_ok(const struct brig_cell_desc *c, __u64 size)
{
	if (size < sizeof(*c) ||
	    !bytes_equal(c->signature, BRIG_CELL_SIGNATURE,
			 BRIG_SIGNATURE_LEN) ||
	    c->revision != BRIG_CONFIG_REVISION)
		return 0;
	if (c->cpu_set_size == 0 || c->cpu_set_size % 8 ||
	    c->cpu_set_size > BRIG_MAX_CPUS / 8)
		return 0;
	return brig_cell_desc_size(c) == size;
}

static __u64 root_cell_offset(void)
{
	return __builtin_offsetof(struct brig_system_desc, root_cell);
}

static int system_layout_ok(const struct brig_system_desc *s, __u64 size)
{
	if (size < sizeof(*s) ||
	    !bytes_equal(s->signature, BRIG_SYSTEM_SIGNATURE,
			 BRIG_SIGNATURE_LEN) ||
	    s->revision != BRIG_CONFIG_REVISION)
		return 0;
	return cell_layout_ok(&s->root_cell, size - root_cell_offset());
}

int brig_check_layout(const struct brig_check_blob *blob, int is_system)
{
	if (is_system)
		return system_layout_ok(blob->data, blob->size);
	return cell_layout_ok(blob->data, blob->size);
}

/*
 * Reports why the layout of a cell header is wrong (the header itself is
 * known to be in bounds). Returns 1 if it is right.
 */
static int check_cell_layout(struct checker *ck, const struct brig_cell_desc *c,
			     __u64 size)
{
	unsigned int before = ck->errors;

	if (!bytes_equal(c->signature, BRIG_CELL_SIGNATURE,
			 BRIG_SIGNATURE_LEN)) {
		error(ck, BRIG_CHECK_HEADER, 0,
		      "not a cell description: signature is not \"%s\"",
		      BRIG_CELL_SIGNATURE);
		return 0;
	}
	if (c->revision != BRIG_CONFIG_REVISION) {
		error(ck, BRIG_CHECK_HEADER, 0,
		      "config revision %u, this build understands revision %u: recompile the description",
		      (unsigned int)c->revision, BRIG_CONFIG_REVISION);
		return 0;
	}
	if (c->cpu_set_size == 0 || c->cpu_set_size % 8 ||
	    c->cpu_set_size > BRIG_MAX_CPUS / 8)
		error(ck, BRIG_CHECK_CPUS, 0,
		      "cpu_set_size %u is not a non-zero multiple of 8 up to %u",
		      c->cpu_set_size, BRIG_MAX_CPUS / 8);
	else if (brig_cell_desc_size(c) != size)
		error(ck, BRIG_CHECK_HEADER, 0,
		      "blob is %x bytes but its header describes %x bytes (truncated or corrupted file)",
		      size, brig_cell_desc_size(c));
	return ck->errors == before;
}

/* --- one cell: header ----------------------------------------------------- */

static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
}

static void check_name(struct checker *ck, const struct brig_cell_desc *c)
{
	unsigned int i, len;

	for (len = 0; len < BRIG_CELL_NAME_LEN && c->name[len]; len++)
		;
	if (len == BRIG_CELL_NAME_LEN) {
		error(ck, BRIG_CHECK_HEADER, 0,
		      "name is not NUL-terminated within %u bytes",
		      BRIG_CELL_NAME_LEN);
		return;
	}
	if (len == 0)
		error(ck, BRIG_CHECK_HEADER, 0, "name is empty");
	/*
	 * The name is a word on the command line (brig cell start NAME), in
	 * sysfs and in the columns of brig cell list: letters, digits, '.',
	 * '_' and '-', not all digits (that is a cell id) and no leading '-'
	 * (that is an option).
	 */
	for (i = 0; i < len; i++) {
		if (!name_char(c->name[i])) {
			error(ck, BRIG_CHECK_HEADER, 0,
			      "name %N may only have letters, digits, '.', '_' and '-'",
			      c->name);
			break;
		}
	}
	for (i = 0; i < len && c->name[i] >= '0' && c->name[i] <= '9'; i++)
		;
	if (len && i == len)
		error(ck, BRIG_CHECK_HEADER, 0,
		      "name %N is all digits: brig would take it for a cell id",
		      c->name);
	if (c->name[0] == '-')
		error(ck, BRIG_CHECK_HEADER, 0,
		      "name %N starts with '-': brig would take it for an option",
		      c->name);
	if (!all_zero(c->name + len, BRIG_CELL_NAME_LEN - len))
		error(ck, BRIG_CHECK_HEADER, 0,
		      "name is not NUL-padded after its end");
}

static void check_cell_header(struct checker *ck,
			      const struct brig_cell_desc *c, int is_root)
{
	if (c->architecture != BRIG_ARCH_X86_64 &&
	    c->architecture != BRIG_ARCH_ARM64)
		error(ck, BRIG_CHECK_HEADER, 0, "unknown architecture %u",
		      (unsigned int)c->architecture);
	if (c->flags & ~(__u32)BRIG_CELL_VALID_FLAGS)
		error(ck, BRIG_CHECK_HEADER, 0, "unknown cell flags %x",
		      (__u64)(c->flags & ~(__u32)BRIG_CELL_VALID_FLAGS));
	if (is_root && (c->flags & BRIG_CELL_UNOWNED_PORTS_IGNORED))
		error(ck, BRIG_CHECK_HEADER, 0,
		      "unowned-ports is a cell setting: the root's unowned ports always read as all-ones");
	if (is_root && (c->flags & BRIG_CELL_UNOWNED_MSRS_FAULT))
		error(ck, BRIG_CHECK_HEADER, 0,
		      "unowned-msrs is a cell setting: the root always gets #GP for the MSRs it may not touch");
	if (is_root && (c->flags & BRIG_CELL_HALT_EXITS))
		error(ck, BRIG_CHECK_HEADER, 0,
		      "halt is a cell setting: the root's HLT always runs natively");
	/* The root's CPU waits in the hypervisor for the answer. */
	if (c->shutdown_timeout_ms > BRIG_MAX_SHUTDOWN_TIMEOUT_MS)
		error(ck, BRIG_CHECK_HEADER, 0,
		      "shutdown-timeout-ms %u is above %u: the root's CPU waits in the hypervisor for the answer",
		      (unsigned int)c->shutdown_timeout_ms,
		      (unsigned int)BRIG_MAX_SHUTDOWN_TIMEOUT_MS);
	if (!all_zero(c->reserved, sizeof(c->reserved)))
		error(ck, BRIG_CHECK_HEADER, 0, "reserved fields are not zero");
	check_name(ck, c);
}

static unsigned int count_cpus(const struct brig_cell_desc *c)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < c->cpu_set_size * 8; cpu++)
		n += (unsigned int)brig_cell_has_cpu(c, cpu);
	return n;
}

static void check_cpus(struct checker *ck, const struct brig_cell_desc *c,
		       int is_root)
{
	if (count_cpus(c) == 0)
		error(ck, BRIG_CHECK_CPUS, 0, "the CPU set is empty");
	else if (is_root && !brig_cell_has_cpu(c, 0))
		error(ck, BRIG_CHECK_CPUS, 0,
		      "the root cell must own CPU 0, the CPU Linux booted on");
}

/* --- one cell: memory ----------------------------------------------------- */

static void check_region_alone(struct checker *ck, const struct brig_memory *r,
			       unsigned int i, int is_root)
{
	if (r->type != BRIG_MEM_TYPE_RAM && r->type != BRIG_MEM_TYPE_MMIO)
		error(ck, BRIG_CHECK_MEMORY, i, "unknown memory type %u",
		      r->type);
	if (r->flags & ~(__u32)BRIG_MEM_VALID_FLAGS)
		error(ck, BRIG_CHECK_MEMORY, i, "unknown memory flags %x",
		      (__u64)(r->flags & ~(__u32)BRIG_MEM_VALID_FLAGS));
	if (r->size == 0) {
		error(ck, BRIG_CHECK_MEMORY, i, "size is zero");
		return;
	}
	if (!is_aligned(r->phys_start | r->virt_start | r->size, PAGE_SIZE))
		error(ck, BRIG_CHECK_MEMORY, i,
		      "phys %x, virt %x and size %x must all be multiples of 4 KiB",
		      r->phys_start, r->virt_start, r->size);
	if (!range_fits(r->phys_start, r->size) ||
	    !range_fits(r->virt_start, r->size))
		error(ck, BRIG_CHECK_MEMORY, i,
		      "range wraps around the end of the address space");
	if ((r->flags & BRIG_MEM_RESERVED) && !is_root)
		error(ck, BRIG_CHECK_MEMORY, i,
		      "the reserved flag is only meaningful in the root cell");
	if (is_root && r->phys_start != r->virt_start)
		error(ck, BRIG_CHECK_MEMORY, i,
		      "root cell memory must be mapped 1:1, but phys %x != virt %x",
		      r->phys_start, r->virt_start);
}

/* Overlaps with the regions before i, guest- and host-physical. */
static void check_region_overlaps(struct checker *ck,
				  const struct brig_cell_desc *c,
				  unsigned int i)
{
	const struct brig_memory *mem = brig_cell_mem_regions(c);
	const struct brig_memory *r = &mem[i];
	unsigned int j;

	if (!region_sane(r))
		return;
	for (j = 0; j < i; j++) {
		if (!region_sane(&mem[j]))
			continue;
		if (ranges_overlap(r->phys_start, r->size, mem[j].phys_start,
				   mem[j].size))
			error(ck, BRIG_CHECK_MEMORY, i,
			      "host-physical range %R overlaps memory region %u (%R)",
			      r->phys_start, r->size, j, mem[j].phys_start,
			      mem[j].size);
		if (ranges_overlap(r->virt_start, r->size, mem[j].virt_start,
				   mem[j].size))
			error(ck, BRIG_CHECK_MEMORY, i,
			      "guest-physical range %R overlaps memory region %u (%R)",
			      r->virt_start, r->size, j, mem[j].virt_start,
			      mem[j].size);
	}
}

static void check_comm_region(struct checker *ck,
			      const struct brig_cell_desc *c, int is_root)
{
	const struct brig_memory *mem = brig_cell_mem_regions(c);
	const __u32 rw = BRIG_MEM_READ | BRIG_MEM_WRITE;
	unsigned int i, found = 0;

	for (i = 0; i < c->num_memory_regions; i++) {
		if (!(mem[i].flags & BRIG_MEM_COMM_REGION))
			continue;
		if (is_root)
			error(ck, BRIG_CHECK_MEMORY, i,
			      "the root cell has no comm region");
		else if (found++)
			error(ck, BRIG_CHECK_MEMORY, i,
			      "a second comm region: a cell has exactly one");
		if (mem[i].type != BRIG_MEM_TYPE_RAM ||
		    (mem[i].flags & rw) != rw)
			error(ck, BRIG_CHECK_MEMORY, i,
			      "the comm region must be RAM with read and write access");
	}
	if (!is_root && !found)
		error(ck, BRIG_CHECK_HEADER, 0,
		      "the cell has no comm region (a RAM region flagged comm-region)");
}

static void check_memory(struct checker *ck, const struct brig_cell_desc *c,
			 int is_root)
{
	unsigned int i;

	for (i = 0; i < c->num_memory_regions; i++) {
		check_region_alone(ck, &brig_cell_mem_regions(c)[i], i,
				   is_root);
		check_region_overlaps(ck, c, i);
	}
	check_comm_region(ck, c, is_root);
}

/* --- one cell: ports, console, entry, devices ----------------------------- */

static void check_port_range(struct checker *ck,
			     const struct brig_port_range *pr,
			     const struct brig_port_range *all, unsigned int i)
{
	unsigned int j;

	if (pr->flags & ~(__u32)BRIG_PIO_VALID_FLAGS)
		error(ck, BRIG_CHECK_PORTS, i, "unknown port flags %x",
		      (__u64)(pr->flags & ~(__u32)BRIG_PIO_VALID_FLAGS));
	if (pr->reserved)
		error(ck, BRIG_CHECK_PORTS, i, "reserved field is not zero");
	if ((pr->flags & BRIG_PIO_SHARED) &&
	    (pr->flags & (BRIG_PIO_READ | BRIG_PIO_WRITE)) != BRIG_PIO_READ)
		error(ck, BRIG_CHECK_PORTS, i,
		      "a shared port range must be read-only (read without write)");
	if (!port_range_sane(pr)) {
		error(ck, BRIG_CHECK_PORTS, i,
		      "base %x length %x is not a non-empty range inside ports 0x0-0xffff",
		      (__u64)pr->base, (__u64)pr->length);
		return;
	}
	for (j = 0; j < i; j++)
		if (port_range_sane(&all[j]) &&
		    ranges_overlap(pr->base, pr->length, all[j].base,
				   all[j].length))
			error(ck, BRIG_CHECK_PORTS, i,
			      "ports %R overlap port range %u (%R)",
			      (__u64)pr->base, (__u64)pr->length, j,
			      (__u64)all[j].base, (__u64)all[j].length);
}

/*
 * x86's PCI configuration mechanism: the hypervisor emulates it for every
 * cell (its address latch is shared by all of a device's users, and it
 * reaches every device's configuration space), so no cell may own it.
 */
#define PCI_CONF_PORTS 0xcf8
#define PCI_CONF_PORTS_LEN 8

/*
 * Ports no cell may write: two that reset the whole machine, the one that
 * enters the firmware's SMM, and the one the hypervisor emulates a cell's
 * pvpanic device on (include/brig/comm.h). (The chipset's ACPI PM1 control
 * block can power the machine off too; the system description does not
 * name it yet.)
 * Read-only sharing stays possible: such a port traps on writes.
 */
static const struct {
	__u16 port;
	const char *what;
} unwritable_ports[] = {
	{ 0x64, "the i8042 command port (its command fe resets the machine)" },
	{ 0x92, "system control port A (its bit 0 resets the machine)" },
	{ 0xb2, "the SMI command port (it runs the firmware's SMM code)" },
	{ BRIG_X86_PVPANIC_PORT,
	  "the port of the pvpanic device the hypervisor emulates" },
};

static void check_unwritable(struct checker *ck,
			     const struct brig_port_range *pr, unsigned int i)
{
	unsigned int k;

	if (!(pr->flags & BRIG_PIO_WRITE))
		return;
	for (k = 0; k < sizeof(unwritable_ports) / sizeof(unwritable_ports[0]);
	     k++)
		if (ranges_overlap(pr->base, pr->length,
				   unwritable_ports[k].port, 1))
			error(ck, BRIG_CHECK_PORTS, i,
			      "ports %R are writable and include %x, %s; give it read-only if at all",
			      (__u64)pr->base, (__u64)pr->length,
			      (__u64)unwritable_ports[k].port,
			      unwritable_ports[k].what);
}

static void check_ports(struct checker *ck, const struct brig_cell_desc *c,
			int is_root)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(c);
	unsigned int i;

	/* An unknown architecture is reported once, in the header. */
	if (c->architecture == BRIG_ARCH_ARM64 && c->num_port_ranges) {
		error(ck, BRIG_CHECK_PORTS, 0,
		      "port ranges exist only on x86-64");
		return;
	}
	for (i = 0; i < c->num_port_ranges; i++) {
		check_port_range(ck, &pio[i], pio, i);
		if (!is_root && port_range_sane(&pio[i]))
			check_unwritable(ck, &pio[i], i);
		if (!is_root && port_range_sane(&pio[i]) &&
		    ranges_overlap(pio[i].base, pio[i].length, PCI_CONF_PORTS,
				   PCI_CONF_PORTS_LEN))
			error(ck, BRIG_CHECK_PORTS, i,
			      "ports %R overlap the PCI configuration mechanism at 0xcf8-0xcff, which the hypervisor emulates",
			      (__u64)pio[i].base, (__u64)pio[i].length);
	}
}

/* Whether all of [base, base + len) is in writable port ranges of c. */
static int ports_writable(const struct brig_cell_desc *c, __u64 base, __u64 len)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(c);
	__u64 port;
	unsigned int i;

	for (port = base; port < base + len; port++) {
		for (i = 0; i < c->num_port_ranges; i++)
			if ((pio[i].flags & BRIG_PIO_WRITE) &&
			    port >= pio[i].base &&
			    port - pio[i].base < pio[i].length)
				break;
		if (i == c->num_port_ranges)
			return 0;
	}
	return 1;
}

static int console_type_valid(__u32 type)
{
	return type <= BRIG_CON_MMIO_8250;
}

/*
 * The fields of a console, the cell's or the system's debug console (item
 * says which). Returns the number of ports it uses (a port console whose
 * ports are all inside port space), else 0.
 */
static __u64 check_console_fields(struct checker *ck, enum brig_check_item item,
				  const struct brig_console *con)
{
	__u64 len = con->type == BRIG_CON_PIO_8250 ? 8 : 1;

	if (!console_type_valid(con->type)) {
		error(ck, item, 0, "unknown console type %u", con->type);
		return 0;
	}
	if (con->type == BRIG_CON_NONE) {
		if (con->address || con->divider)
			error(ck, item, 0,
			      "address and divider must be 0 without a console");
		return 0;
	}
	/* The divisor latch of a 16550 is two 8-bit registers. */
	if (con->type != BRIG_CON_PIO_E9 && con->divider > UART_MAX_DIVIDER)
		error(ck, item, 0,
		      "divider %x does not fit the 16-bit divisor latch of a 16550 UART (at most %x)",
		      (__u64)con->divider, (__u64)UART_MAX_DIVIDER);
	if (con->type == BRIG_CON_PIO_E9 && con->divider)
		error(ck, item, 0,
		      "divider %x given for the debug port, which has no baud rate: leave it out",
		      (__u64)con->divider);
	if (con->type == BRIG_CON_MMIO_8250) {
		if (!con->address || !range_fits(con->address, 8 * 4))
			error(ck, item, 0,
			      "MMIO console address %x is not a UART's register block",
			      con->address);
		return 0;
	}
	if (con->address >= PORT_SPACE || con->address + len > PORT_SPACE) {
		error(ck, item, 0,
		      "console port %x is outside ports 0x0-0xffff",
		      con->address);
		return 0;
	}
	return len;
}

/*
 * A cell's console is driven by its inmate, which needs the ports for it;
 * the root cell's console is informational only.
 */
static void check_console(struct checker *ck, const struct brig_cell_desc *c,
			  int is_root)
{
	const struct brig_console *con = &c->console;
	__u64 len = check_console_fields(ck, BRIG_CHECK_CONSOLE, con);

	if (len && !is_root && !ports_writable(c, con->address, len))
		error(ck, BRIG_CHECK_CONSOLE, 0,
		      "console ports %R are not in a writable port range of the cell",
		      con->address, len);
}

static void check_entry(struct checker *ck, const struct brig_cell_desc *c)
{
	const struct brig_memory *mem = brig_cell_mem_regions(c);
	unsigned int i;

	for (i = 0; i < c->num_memory_regions; i++)
		if (mem[i].type == BRIG_MEM_TYPE_RAM &&
		    (mem[i].flags & BRIG_MEM_EXECUTE) && region_sane(&mem[i]) &&
		    c->entry >= mem[i].virt_start &&
		    c->entry - mem[i].virt_start < mem[i].size)
			return;
	error(ck, BRIG_CHECK_HEADER, 0,
	      "entry %x is not inside an executable RAM region of the cell",
	      c->entry);
}

static int no_pins(const struct brig_irqchip *ic)
{
	return all_zero(ic->pin_bitmap, sizeof(ic->pin_bitmap));
}

/*
 * One controller of a cell, alone. A non-root cell must not map its
 * page: the hypervisor emulates the controller for it, pin by pin.
 */
static void check_irqchip(struct checker *ck, const struct brig_cell_desc *c,
			  unsigned int i, int is_root)
{
	const struct brig_irqchip *ic = &brig_cell_irqchips(c)[i];
	const struct brig_memory *mem = brig_cell_mem_regions(c);
	unsigned int j;

	if (!ic->address || !is_aligned(ic->address, PAGE_SIZE) ||
	    !range_fits(ic->address, PAGE_SIZE)) {
		error(ck, BRIG_CHECK_IRQCHIP, i,
		      "address %x must be a non-zero multiple of 4 KiB",
		      ic->address);
		return;
	}
	if (no_pins(ic))
		error(ck, BRIG_CHECK_IRQCHIP, i, "no pins listed");
	for (j = 0; j < i; j++)
		if (brig_cell_irqchips(c)[j].address == ic->address)
			error(ck, BRIG_CHECK_IRQCHIP, i,
			      "IO-APIC at %x is listed twice", ic->address);
	if (is_root)
		return;
	for (j = 0; j < c->num_memory_regions; j++)
		if (region_sane(&mem[j]) &&
		    (ranges_overlap(mem[j].phys_start, mem[j].size, ic->address,
				    PAGE_SIZE) ||
		     ranges_overlap(mem[j].virt_start, mem[j].size, ic->address,
				    PAGE_SIZE)))
			error(ck, BRIG_CHECK_MEMORY, j,
			      "region %R covers the IO-APIC at %x: the hypervisor emulates it for the cell (drop the region, keep the irqchip)",
			      mem[j].phys_start, mem[j].size, ic->address);
}

/*
 * bar_mask[n] is what BAR register n decodes as the cell sees it (the
 * hypervisor compares it with the device's answer to the sizing probe):
 * a register has 32 bits, the upper half of a 64-bit BAR its own entry.
 */
static void check_bar_masks(struct checker *ck,
			    const struct brig_pci_device *pci, unsigned int i)
{
	unsigned int n;

	for (n = 0; n < 6; n++)
		if (pci->bar_mask[n] >> 32)
			error(ck, BRIG_CHECK_PCI, i,
			      "bar-mask of BAR %u is %x: a BAR register has 32 bits",
			      n, pci->bar_mask[n]);
}

/* --- one cell: ivshmem devices ------------------------------------------- */

/* Both BARs of an ivshmem device: registers, then the MSI-X table. */
#define IVSHMEM_BARS_SIZE                                                      \
	((__u64)BRIG_IVSHMEM_REG_BAR_SIZE + BRIG_IVSHMEM_MSIX_BAR_SIZE)
#define BAR32_LIMIT 0x100000000ull /* the BARs are 32-bit: below 4 GiB */

static int is_ivshmem(const struct brig_pci_device *pci)
{
	return pci->type == BRIG_PCI_TYPE_IVSHMEM;
}

/*
 * The channel's memory: state table, read/write section, one output
 * section per peer. At most 4 KiB + 2^32 + 255 * 2^32 bytes, so the sum
 * cannot overflow 64 bits whatever the fields say.
 */
static __u64 ivshmem_size(const struct brig_ivshmem *iv)
{
	return BRIG_IVSHMEM_STATE_TABLE_SIZE + (__u64)iv->rw_size +
	       (__u64)iv->num_peers * iv->out_size;
}

static int ivshmem_bars_fit(__u64 bar_base)
{
	return bar_base && bar_base <= BAR32_LIMIT - IVSHMEM_BARS_SIZE;
}

/* An ivshmem device whose ranges can be compared with others at all. */
static int ivshmem_sane(const struct brig_pci_device *pci)
{
	const struct brig_ivshmem *iv = &pci->ivshmem;
	__u64 size = ivshmem_size(iv);

	return is_ivshmem(pci) && range_fits(iv->shmem_phys, size) &&
	       range_fits(iv->shmem_virt, size) &&
	       ivshmem_bars_fit(iv->bar_base);
}

/* Why a protocol is refused, or NULL (ivshmem.h: BRIG_IVSHMEM_PROTO_*). */
static const char *ivshmem_protocol_problem(__u16 protocol)
{
	if (protocol == BRIG_IVSHMEM_PROTO_UNDEFINED ||
	    protocol == BRIG_IVSHMEM_PROTO_NET ||
	    (protocol >= BRIG_IVSHMEM_PROTO_USER_FIRST &&
	     protocol <= BRIG_IVSHMEM_PROTO_USER_LAST))
		return 0;
	if (protocol < BRIG_IVSHMEM_PROTO_USER_FIRST)
		return "is reserved (0x2-0x3fff): use 0x0 (undefined), 0x1 (network) or 0x4000-0x7fff (user-defined)";
	return "is a virtio transport (0x8000-0xffff), which brig does not support";
}

static void ivshmem_page_multiple(struct checker *ck, unsigned int i,
				  const char *field, __u64 v)
{
	if (!is_aligned(v, PAGE_SIZE))
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem %s %x is not a multiple of 4 KiB", field, v);
}

static void ivshmem_no_wrap(struct checker *ck, unsigned int i,
			    const char *field, __u64 start, __u64 size)
{
	if (!range_fits(start, size))
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem shared memory of %x bytes (state table, rw_size, num_peers * out_size) at %s %x wraps around the end of the address space",
		      size, field, start);
}

/* The fields of one ivshmem device, each on its own. */
static void check_ivshmem_fields(struct checker *ck,
				 const struct brig_pci_device *pci,
				 unsigned int i)
{
	const struct brig_ivshmem *iv = &pci->ivshmem;
	const char *why = ivshmem_protocol_problem(iv->protocol);

	/* The device is the hypervisor's own: its DMA goes nowhere. */
	if (pci->iommu)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem iommu %u must be 0: the device is virtual, behind no IOMMU unit",
		      pci->iommu);
	if (iv->reserved)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem reserved field is not zero");
	if (iv->num_peers < 2 || iv->num_peers > BRIG_IVSHMEM_MAX_PEERS)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem num_peers %u is not between 2 and %u",
		      (unsigned int)iv->num_peers, BRIG_IVSHMEM_MAX_PEERS);
	if (iv->peer >= iv->num_peers)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem peer %u is not below num_peers %u",
		      (unsigned int)iv->peer, (unsigned int)iv->num_peers);
	if (iv->vectors < 1 || iv->vectors > BRIG_IVSHMEM_MAX_VECTORS)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem vectors %u is not between 1 and %u",
		      (unsigned int)iv->vectors, BRIG_IVSHMEM_MAX_VECTORS);
	if (why)
		error(ck, BRIG_CHECK_PCI, i, "ivshmem protocol %x %s",
		      (__u64)iv->protocol, why);
	ivshmem_page_multiple(ck, i, "rw_size", iv->rw_size);
	ivshmem_page_multiple(ck, i, "out_size", iv->out_size);
	ivshmem_page_multiple(ck, i, "shmem_phys", iv->shmem_phys);
	ivshmem_page_multiple(ck, i, "shmem_virt", iv->shmem_virt);
	ivshmem_page_multiple(ck, i, "bar_base", iv->bar_base);
	if (!ivshmem_bars_fit(iv->bar_base))
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem bar_base %x must be non-zero and leave both BARs (8 KiB) below 4 GiB: they are 32-bit BARs",
		      iv->bar_base);
	ivshmem_no_wrap(ck, i, "shmem_phys", iv->shmem_phys, ivshmem_size(iv));
	ivshmem_no_wrap(ck, i, "shmem_virt", iv->shmem_virt, ivshmem_size(iv));
}

/* What an ivshmem device occupies in its cell's guest-physical space. */
struct guest_span {
	__u64 start, size;
	const char *what;
};

static void ivshmem_spans(const struct brig_ivshmem *iv,
			  struct guest_span span[2])
{
	span[0].start = iv->shmem_virt;
	span[0].size = ivshmem_size(iv);
	span[0].what = "shared memory";
	span[1].start = iv->bar_base;
	span[1].size = IVSHMEM_BARS_SIZE;
	span[1].what = "BARs";
}

/* Device i's ranges against the cell's memory regions and IO-APICs. */
static void ivshmem_vs_cell(struct checker *ck, const struct brig_cell_desc *c,
			    unsigned int i)
{
	const struct brig_ivshmem *iv = &brig_cell_pci_devices(c)[i].ivshmem;
	const struct brig_memory *mem = brig_cell_mem_regions(c);
	struct guest_span s[2];
	unsigned int j, k;

	ivshmem_spans(iv, s);
	if (ranges_overlap(s[0].start, s[0].size, s[1].start, s[1].size))
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem shared memory: guest-physical range %R overlaps the device's own BARs (%R)",
		      s[0].start, s[0].size, s[1].start, s[1].size);
	for (j = 0; j < c->num_memory_regions; j++) {
		if (!region_sane(&mem[j]))
			continue;
		for (k = 0; k < 2; k++)
			if (ranges_overlap(s[k].start, s[k].size,
					   mem[j].virt_start, mem[j].size))
				error(ck, BRIG_CHECK_PCI, i,
				      "ivshmem %s: guest-physical range %R overlaps memory region %u (%R)",
				      s[k].what, s[k].start, s[k].size, j,
				      mem[j].virt_start, mem[j].size);
		if (ranges_overlap(iv->shmem_phys, s[0].size, mem[j].phys_start,
				   mem[j].size))
			error(ck, BRIG_CHECK_PCI, i,
			      "ivshmem shared memory: host-physical range %R overlaps memory region %u (%R)",
			      iv->shmem_phys, s[0].size, j, mem[j].phys_start,
			      mem[j].size);
	}
	/* The hypervisor emulates the cell's IO-APIC pages where they are. */
	for (j = 0; j < c->num_irqchips; j++)
		for (k = 0; k < 2; k++)
			if (ranges_overlap(s[k].start, s[k].size,
					   brig_cell_irqchips(c)[j].address,
					   PAGE_SIZE))
				error(ck, BRIG_CHECK_PCI, i,
				      "ivshmem %s: guest-physical range %R covers the IO-APIC at %x, which the hypervisor emulates for the cell",
				      s[k].what, s[k].start, s[k].size,
				      brig_cell_irqchips(c)[j].address);
}

/* Device i against ivshmem device j < i of the same cell. */
static void ivshmem_vs_ivshmem(struct checker *ck,
			       const struct brig_pci_device *pci,
			       unsigned int i, unsigned int j)
{
	const struct brig_ivshmem *a = &pci[i].ivshmem, *b = &pci[j].ivshmem;
	struct guest_span sa[2], sb[2];
	unsigned int k, l;

	if (a->channel == b->channel)
		error(ck, BRIG_CHECK_PCI, i,
		      "channel %u is also PCI device %u of this cell: a cell is one peer of a channel",
		      (unsigned int)a->channel, j);
	else if (ranges_overlap(a->shmem_phys, ivshmem_size(a), b->shmem_phys,
				ivshmem_size(b)))
		error(ck, BRIG_CHECK_PCI, i,
		      "channel %u: host-physical range %R overlaps channel %u (%R) of PCI device %u",
		      (unsigned int)a->channel, a->shmem_phys, ivshmem_size(a),
		      (unsigned int)b->channel, b->shmem_phys, ivshmem_size(b),
		      j);
	ivshmem_spans(a, sa);
	ivshmem_spans(b, sb);
	for (k = 0; k < 2; k++)
		for (l = 0; l < 2; l++)
			if (ranges_overlap(sa[k].start, sa[k].size, sb[l].start,
					   sb[l].size))
				error(ck, BRIG_CHECK_PCI, i,
				      "ivshmem %s: guest-physical range %R overlaps the %s of PCI device %u (%R)",
				      sa[k].what, sa[k].start, sa[k].size,
				      sb[l].what, j, sb[l].start, sb[l].size);
}

/*
 * An ivshmem device of a cell, alone and against the cell's other parts.
 * The root's against its memory regions needs the system around it:
 * check_root_channel().
 */
static void check_ivshmem(struct checker *ck, const struct brig_cell_desc *c,
			  unsigned int i, int is_root)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(c);
	unsigned int j;

	check_ivshmem_fields(ck, &pci[i], i);
	if (!ivshmem_sane(&pci[i]))
		return;
	if (!is_root)
		ivshmem_vs_cell(ck, c, i);
	for (j = 0; j < i; j++)
		if (ivshmem_sane(&pci[j]))
			ivshmem_vs_ivshmem(ck, pci, i, j);
}

/* --- one cell: PCI devices ------------------------------------------------ */

/* What every device of a cell shares, whatever its type. */
static void check_device_common(struct checker *ck,
				const struct brig_pci_device *pci,
				unsigned int i, int is_root)
{
	unsigned int j;

	if (!is_root && pci[i].type == BRIG_PCI_TYPE_BRIDGE)
		error(ck, BRIG_CHECK_PCI, i,
		      "PCI bridges cannot be given to a cell yet (not implemented)");
	if (!is_root && pci[i].domain)
		error(ck, BRIG_CHECK_PCI, i,
		      "PCI segment %u: cells may only be given devices of segment 0",
		      (unsigned int)pci[i].domain);
	if (!is_root && pci[i].bdf == 0)
		error(ck, BRIG_CHECK_PCI, i,
		      "00:00.0 is the host bridge: it stays the root's");
	for (j = 0; j < i; j++)
		if (pci[j].bdf == pci[i].bdf && pci[j].domain == pci[i].domain)
			error(ck, BRIG_CHECK_PCI, i,
			      "PCI device bus %u device %u function %u listed twice",
			      (unsigned int)(pci[i].bdf >> 8),
			      (unsigned int)(pci[i].bdf >> 3) & 0x1f,
			      (unsigned int)pci[i].bdf & 7);
	if (pci[i].type < BRIG_PCI_TYPE_DEVICE ||
	    pci[i].type > BRIG_PCI_TYPE_IVSHMEM)
		error(ck, BRIG_CHECK_PCI, i, "unknown PCI device type %u",
		      pci[i].type);
	if (pci[i].flags & ~(__u32)BRIG_PCI_FLAG_NO_RESET)
		error(ck, BRIG_CHECK_PCI, i, "unknown PCI device flags %x",
		      (__u64)(pci[i].flags & ~(__u32)BRIG_PCI_FLAG_NO_RESET));
	/* Only a device changes owners, and only a cell's does. */
	if ((pci[i].flags & BRIG_PCI_FLAG_NO_RESET) &&
	    (is_root || pci[i].type != BRIG_PCI_TYPE_DEVICE))
		error(ck, BRIG_CHECK_PCI, i,
		      "reset \"none\" applies to a cell's devices of type \"device\" only");
}

static void check_devices(struct checker *ck, const struct brig_cell_desc *c,
			  int is_root)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(c);
	unsigned int i;

	for (i = 0; i < c->num_irqchips; i++)
		check_irqchip(ck, c, i, is_root);
	for (i = 0; i < c->num_pci_devices; i++) {
		check_device_common(ck, pci, i, is_root);
		/* The union holds the ivshmem side, not BAR masks. */
		if (is_ivshmem(&pci[i]))
			check_ivshmem(ck, c, i, is_root);
		else
			check_bar_masks(ck, &pci[i], i);
	}
}

/* Everything about one cell whose layout is known to be right. */
static void check_cell_body(struct checker *ck, const struct brig_cell_desc *c,
			    int is_root)
{
	check_cell_header(ck, c, is_root);
	check_cpus(ck, c, is_root);
	check_memory(ck, c, is_root);
	check_ports(ck, c, is_root);
	check_console(ck, c, is_root);
	if (!is_root)
		check_entry(ck, c);
	check_devices(ck, c, is_root);
}

static unsigned int check_one_cell(struct checker *ck,
				   const struct brig_check_blob *blob)
{
	const struct brig_cell_desc *c = blob->data;

	if (blob->size < sizeof(*c)) {
		error(ck, BRIG_CHECK_HEADER, 0,
		      "blob is %x bytes, too short for a cell description (%x bytes at least): truncated file?",
		      blob->size, (__u64)sizeof(*c));
		return ck->errors;
	}
	if (check_cell_layout(ck, c, blob->size))
		check_cell_body(ck, c, 0);
	return ck->errors;
}

unsigned int brig_check_cell(const struct brig_check_blob *cell,
			     unsigned int index,
			     const struct brig_check_reporter *rep)
{
	struct checker ck = { .rep = rep, .blob = (int)index };

	return check_one_cell(&ck, cell);
}

/* --- the system ----------------------------------------------------------- */

static void check_hypervisor(struct checker *ck,
			     const struct brig_system_desc *s)
{
	const struct brig_memory *hv = &s->hypervisor_memory;
	const struct brig_cell_desc *root = &s->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	unsigned int i;

	if (hv->virt_start || hv->type || hv->flags)
		error(ck, BRIG_CHECK_HYPERVISOR, 0,
		      "virt_start, type and flags of the hypervisor region are unused and must be 0");
	if (hv->size == 0 || !range_fits(hv->phys_start, hv->size) ||
	    !is_aligned(hv->phys_start | hv->size, HV_PAGE_SIZE)) {
		error(ck, BRIG_CHECK_HYPERVISOR, 0,
		      "start %x and size %x must be non-zero multiples of 2 MiB (the driver maps the hypervisor with 2 MiB pages)",
		      hv->phys_start, hv->size);
		return;
	}
	/* The root must not be able to reach the hypervisor's memory. */
	for (i = 0; i < root->num_memory_regions; i++)
		if (region_sane(&mem[i]) &&
		    ranges_overlap(mem[i].phys_start, mem[i].size,
				   hv->phys_start, hv->size))
			error(ck, BRIG_CHECK_MEMORY, i,
			      "host-physical range %R overlaps the hypervisor region %R",
			      mem[i].phys_start, mem[i].size, hv->phys_start,
			      hv->size);
}

static void check_iommu(struct checker *ck, const struct brig_iommu *u,
			unsigned int i, int used)
{
	if (!used) {
		if (!all_zero(u, sizeof(*u)))
			error(ck, BRIG_CHECK_IOMMU, i,
			      "unused IOMMU unit entry is not zero");
		return;
	}
	if (u->type != BRIG_IOMMU_VTD && u->type != BRIG_IOMMU_AMDVI)
		error(ck, BRIG_CHECK_IOMMU, i, "unknown IOMMU type %u",
		      u->type);
	if (u->base == 0 || u->size == 0 ||
	    !is_aligned(u->base | u->size, PAGE_SIZE) ||
	    !range_fits(u->base, u->size))
		error(ck, BRIG_CHECK_IOMMU, i,
		      "register block at %x, size %x must be non-empty and 4 KiB aligned",
		      u->base, (__u64)u->size);
	if (u->type == BRIG_IOMMU_VTD && (u->amd_bdf || u->amd_cap))
		error(ck, BRIG_CHECK_IOMMU, i,
		      "amd_bdf and amd_cap must be 0 for a VT-d unit");
	if (!all_zero(u->reserved, sizeof(u->reserved)))
		error(ck, BRIG_CHECK_IOMMU, i, "reserved fields are not zero");
}

/* [start, start + size) of what the hypervisor decodes, against MMCONFIG. */
static void mmconfig_clash(struct checker *ck, __u64 base, __u64 size,
			   __u64 start, __u64 len, const char *what)
{
	if (range_fits(start, len) && ranges_overlap(base, size, start, len))
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "PCI MMCONFIG %R (pci-mmconfig-base and -end-bus) overlaps %s at %R",
		      base, size, what, start, len);
}

/*
 * The MMCONFIG window, one MiB per bus, is mapped by the hypervisor for
 * its own config-space accesses: it must not cover what the hypervisor
 * emulates or owns.
 */
static void check_mmconfig(struct checker *ck, const struct brig_system_desc *s)
{
	const struct brig_platform *p = &s->platform;
	const struct brig_cell_desc *root = &s->root_cell;
	__u64 base = p->pci_mmconfig_base;
	__u64 size = ((__u64)p->pci_mmconfig_end_bus + 1) * MMCONFIG_ALIGN;
	unsigned int i;

	if (!range_fits(base, size)) {
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "PCI MMCONFIG at %x for %u buses wraps around the end of the address space",
		      base, (unsigned int)p->pci_mmconfig_end_bus + 1);
		return;
	}
	if (s->architecture == BRIG_ARCH_X86_64)
		mmconfig_clash(ck, base, size, X86_INTERRUPT_RANGE,
			       X86_INTERRUPT_RANGE_SIZE,
			       "the local APIC and MSI range");
	mmconfig_clash(ck, base, size, s->hypervisor_memory.phys_start,
		       s->hypervisor_memory.size, "the hypervisor region");
	for (i = 0; i < p->num_iommu_units && i < BRIG_MAX_IOMMU_UNITS; i++)
		mmconfig_clash(ck, base, size, p->iommu_units[i].base,
			       p->iommu_units[i].size,
			       "the registers of an IOMMU unit");
	for (i = 0; i < root->num_irqchips; i++)
		mmconfig_clash(ck, base, size,
			       brig_cell_irqchips(root)[i].address, PAGE_SIZE,
			       "an IO-APIC");
}

static void check_platform(struct checker *ck, const struct brig_system_desc *s)
{
	const struct brig_platform *p = &s->platform;
	const struct brig_cell_desc *root = &s->root_cell;
	const struct brig_pci_device *pci = brig_cell_pci_devices(root);
	unsigned int i;

	if (!is_aligned(p->pci_mmconfig_base, MMCONFIG_ALIGN))
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "PCI MMCONFIG base %x is not 1 MiB aligned",
		      p->pci_mmconfig_base);
	if (!p->pci_mmconfig_base && p->pci_mmconfig_end_bus)
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "MMCONFIG end bus given without an MMCONFIG base");
	else if (p->pci_mmconfig_base)
		check_mmconfig(ck, s);
	if (p->reserved0 || !all_zero(p->reserved, sizeof(p->reserved)))
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "reserved fields are not zero");
	if (p->num_iommu_units > BRIG_MAX_IOMMU_UNITS)
		error(ck, BRIG_CHECK_PLATFORM, 0,
		      "%u IOMMU units, at most %u are supported",
		      p->num_iommu_units, BRIG_MAX_IOMMU_UNITS);
	for (i = 0; i < BRIG_MAX_IOMMU_UNITS; i++)
		check_iommu(ck, &p->iommu_units[i], i, i < p->num_iommu_units);
	for (i = 0; i < root->num_pci_devices; i++)
		if (pci[i].iommu >= p->num_iommu_units && p->num_iommu_units)
			error(ck, BRIG_CHECK_PCI, i,
			      "IOMMU index %u, but the platform has %u IOMMU units",
			      pci[i].iommu, p->num_iommu_units);
}

static void check_system_header(struct checker *ck,
				const struct brig_system_desc *s)
{
	if (s->architecture != s->root_cell.architecture)
		error(ck, BRIG_CHECK_SYSTEM_HEADER, 0,
		      "system architecture %u differs from the root cell's %u",
		      (unsigned int)s->architecture,
		      (unsigned int)s->root_cell.architecture);
	if (s->flags)
		error(ck, BRIG_CHECK_SYSTEM_HEADER, 0,
		      "unknown system flags %x", (__u64)s->flags);
	check_console_fields(ck, BRIG_CHECK_DEBUG_CONSOLE, &s->debug_console);
}

/* Returns 1 if the layout is right and the root cell can be looked at. */
static int check_system_layout(struct checker *ck,
			       const struct brig_check_blob *blob)
{
	const struct brig_system_desc *s = blob->data;

	if (blob->size < sizeof(*s)) {
		error(ck, BRIG_CHECK_SYSTEM_HEADER, 0,
		      "blob is %x bytes, too short for a system description (%x bytes at least): truncated file?",
		      blob->size, (__u64)sizeof(*s));
		return 0;
	}
	if (!bytes_equal(s->signature, BRIG_SYSTEM_SIGNATURE,
			 BRIG_SIGNATURE_LEN)) {
		error(ck, BRIG_CHECK_SYSTEM_HEADER, 0,
		      "not a system description: signature is not \"%s\"",
		      BRIG_SYSTEM_SIGNATURE);
		return 0;
	}
	if (s->revision != BRIG_CONFIG_REVISION) {
		error(ck, BRIG_CHECK_SYSTEM_HEADER, 0,
		      "config revision %u, this build understands revision %u: recompile the description",
		      (unsigned int)s->revision, BRIG_CONFIG_REVISION);
		return 0;
	}
	return check_cell_layout(ck, &s->root_cell,
				 blob->size - root_cell_offset());
}

static void check_root_channels(struct checker *ck,
				const struct brig_system_desc *s);

static void check_one_system(struct checker *ck,
			     const struct brig_check_blob *blob)
{
	const struct brig_system_desc *s = blob->data;

	if (!check_system_layout(ck, blob))
		return;
	check_system_header(ck, s);
	check_hypervisor(ck, s);
	check_platform(ck, s);
	check_cell_body(ck, &s->root_cell, 1);
	check_root_channels(ck, s);
}

unsigned int brig_check_system(const struct brig_check_blob *system,
			       const struct brig_check_reporter *rep)
{
	struct checker ck = { .rep = rep, .blob = BRIG_CHECK_SYSTEM };

	check_one_system(&ck, system);
	return ck.errors;
}

/* --- the set: cells against the root cell and each other ------------------ */

struct set {
	const struct brig_system_desc *sys;
	const struct brig_check_blob *blobs;
};

/* Cell j of the set, or NULL if its layout cannot be trusted. */
static const struct brig_cell_desc *set_cell(const struct set *set,
					     unsigned int j)
{
	if (!cell_layout_ok(set->blobs[j].data, set->blobs[j].size))
		return 0;
	return set->blobs[j].data;
}

static void check_set_cpus(struct checker *ck, const struct set *set,
			   unsigned int n)
{
	const struct brig_cell_desc *c = set_cell(set, n);
	unsigned int cpu, j;

	for (cpu = 0; cpu < c->cpu_set_size * 8; cpu++) {
		if (!brig_cell_has_cpu(c, cpu))
			continue;
		if (cpu == 0) {
			error(ck, BRIG_CHECK_CPUS, cpu,
			      "CPU 0 stays with the root cell: Linux cannot give up the CPU it booted on");
			continue;
		}
		if (!brig_cell_has_cpu(&set->sys->root_cell, cpu))
			error(ck, BRIG_CHECK_CPUS, cpu,
			      "CPU %u is not one of the root cell's CPUs", cpu);
		for (j = 0; j < n; j++)
			if (set_cell(set, j) &&
			    brig_cell_has_cpu(set_cell(set, j), cpu))
				error(ck, BRIG_CHECK_CPUS, cpu,
				      "CPU %u is also given to cell %N", cpu,
				      set_cell(set, j)->name);
	}
}

/* Whether a root region may be the source of cell region r. */
static int root_region_backs(const struct brig_memory *root_r,
			     const struct brig_memory *r)
{
	if (!region_sane(root_r) || root_r->type != r->type)
		return 0;
	return r->type == BRIG_MEM_TYPE_MMIO ||
	       (root_r->flags & BRIG_MEM_RESERVED);
}

/*
 * Whether [start, start + size) is covered by root regions that may back
 * r, possibly several adjacent ones.
 */
static int covered_by_root(const struct brig_cell_desc *root,
			   const struct brig_memory *r)
{
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	__u64 cur = r->phys_start, last = r->phys_start + r->size - 1;
	unsigned int i;

	for (;;) {
		for (i = 0; i < root->num_memory_regions; i++)
			if (root_region_backs(&mem[i], r) &&
			    cur >= mem[i].phys_start &&
			    cur - mem[i].phys_start < mem[i].size)
				break;
		if (i == root->num_memory_regions)
			return 0;
		if (mem[i].phys_start + mem[i].size - 1 >= last)
			return 1;
		cur = mem[i].phys_start + mem[i].size;
	}
}

/*
 * Where a cell's host-physical range r is reported: a memory region, or
 * the shared memory of an ivshmem device (prefix says which in the
 * message).
 */
struct host_range {
	enum brig_check_item item;
	unsigned int index;
	const char *prefix;
};

/* r of a cell against [start, start + len), which the hypervisor keeps. */
static void kept_clash(struct checker *ck, const struct host_range *at,
		       const struct brig_memory *r, __u64 start, __u64 len,
		       const char *what)
{
	if (len && range_fits(start, len) &&
	    ranges_overlap(r->phys_start, r->size, start, len))
		error(ck, at->item, at->index,
		      "%shost-physical range %R overlaps %s at %R, which the hypervisor keeps",
		      at->prefix, r->phys_start, r->size, what, start, len);
}

/*
 * What the hypervisor emulates, owns or filters can never be a cell's,
 * whatever the root's description lets a cell take: the local APIC and
 * MSI range, the IOMMUs' registers, the IO-APICs (a cell gets pins, as
 * irqchips, never the page), and PCI configuration space (a cell gets
 * devices, as pci-devices, never their MMCONFIG pages).
 */
static void check_kept_resources(struct checker *ck, const struct set *set,
				 const struct brig_memory *r,
				 const struct host_range *at)
{
	const struct brig_system_desc *s = set->sys;
	const struct brig_platform *p = &s->platform;
	const struct brig_cell_desc *root = &s->root_cell;
	unsigned int k;

	if (s->architecture == BRIG_ARCH_X86_64)
		kept_clash(ck, at, r, X86_INTERRUPT_RANGE,
			   X86_INTERRUPT_RANGE_SIZE,
			   "the local APIC and MSI range");
	for (k = 0; k < p->num_iommu_units && k < BRIG_MAX_IOMMU_UNITS; k++)
		kept_clash(ck, at, r, p->iommu_units[k].base & ~(PAGE_SIZE - 1),
			   p->iommu_units[k].size +
				   (p->iommu_units[k].base & (PAGE_SIZE - 1)),
			   "the registers of an IOMMU unit");
	for (k = 0; k < root->num_irqchips; k++)
		kept_clash(ck, at, r, brig_cell_irqchips(root)[k].address,
			   PAGE_SIZE, "an IO-APIC");
	if (p->pci_mmconfig_base)
		kept_clash(ck, at, r, p->pci_mmconfig_base,
			   ((__u64)p->pci_mmconfig_end_bus + 1) *
				   MMCONFIG_ALIGN,
			   "PCI configuration space (MMCONFIG)");
}

/*
 * A PCI device of a cell against the functions the hypervisor keeps: an
 * AMD-Vi unit's own (its capability holds the unit's register base, and
 * whoever has the function can move the registers the hypervisor drives).
 */
static void check_kept_device(struct checker *ck, const struct set *set,
			      const struct brig_pci_device *pci, unsigned int i)
{
	const struct brig_platform *p = &set->sys->platform;
	unsigned int k;

	for (k = 0; k < p->num_iommu_units && k < BRIG_MAX_IOMMU_UNITS; k++)
		if (p->iommu_units[k].type == BRIG_IOMMU_AMDVI &&
		    pci->domain == 0 && pci->bdf == p->iommu_units[k].amd_bdf)
			error(ck, BRIG_CHECK_PCI, i,
			      "PCI device bus %u device %u function %u is the own function of IOMMU unit %u (amd_bdf), which the hypervisor keeps",
			      (unsigned int)(pci->bdf >> 8),
			      (unsigned int)(pci->bdf >> 3) & 0x1f,
			      (unsigned int)pci->bdf & 7, k);
}

/*
 * Where a cell's host-physical range may come from: not the hypervisor,
 * not what it keeps, and inside root RAM flagged reserved (RAM) or root
 * MMIO (MMIO).
 */
static void check_backing(struct checker *ck, const struct set *set,
			  const struct brig_memory *r,
			  const struct host_range *at)
{
	const struct brig_memory *hv = &set->sys->hypervisor_memory;

	check_kept_resources(ck, set, r, at);
	if (hv->size && range_fits(hv->phys_start, hv->size) &&
	    ranges_overlap(r->phys_start, r->size, hv->phys_start, hv->size))
		error(ck, at->item, at->index,
		      "%shost-physical range %R overlaps the hypervisor region %R",
		      at->prefix, r->phys_start, r->size, hv->phys_start,
		      hv->size);
	else if (!covered_by_root(&set->sys->root_cell, r))
		error(ck, at->item, at->index,
		      r->type == BRIG_MEM_TYPE_MMIO ?
			      "%shost-physical range %R is not inside an MMIO region of the root cell" :
			      "%shost-physical range %R is not inside a reserved RAM region of the root cell (memory Linux does not use)",
		      at->prefix, r->phys_start, r->size);
}

/* Region r of cell n against the channels of the cells before it. */
static void region_vs_channels(struct checker *ck, const struct set *set,
			       unsigned int n, const struct brig_memory *r,
			       unsigned int i)
{
	const struct brig_cell_desc *oc;
	const struct brig_pci_device *pci;
	unsigned int j, k;

	/* j == n: the root's channels, which stay its own */
	for (j = 0; j <= n; j++) {
		oc = j < n ? set_cell(set, j) : &set->sys->root_cell;
		for (k = 0; oc && k < oc->num_pci_devices; k++) {
			pci = &brig_cell_pci_devices(oc)[k];
			if (ivshmem_sane(pci) &&
			    ranges_overlap(r->phys_start, r->size,
					   pci->ivshmem.shmem_phys,
					   ivshmem_size(&pci->ivshmem)))
				error(ck, BRIG_CHECK_MEMORY, i,
				      "host-physical range %R overlaps the shared memory of ivshmem channel %u (%R) of cell %N",
				      r->phys_start, r->size,
				      (unsigned int)pci->ivshmem.channel,
				      pci->ivshmem.shmem_phys,
				      ivshmem_size(&pci->ivshmem), oc->name);
		}
	}
}

static void check_set_region(struct checker *ck, const struct set *set,
			     unsigned int n, unsigned int i)
{
	const struct brig_memory *r =
		&brig_cell_mem_regions(set_cell(set, n))[i];
	const struct host_range at = { BRIG_CHECK_MEMORY, i, "" };
	const struct brig_cell_desc *oc;
	const struct brig_memory *other;
	unsigned int j, k;

	check_backing(ck, set, r, &at);
	for (j = 0; j < n; j++) {
		oc = set_cell(set, j);
		if (!oc)
			continue;
		other = brig_cell_mem_regions(oc);
		for (k = 0; k < oc->num_memory_regions; k++)
			if (region_sane(&other[k]) &&
			    ranges_overlap(r->phys_start, r->size,
					   other[k].phys_start, other[k].size))
				error(ck, BRIG_CHECK_MEMORY, i,
				      "host-physical range %R overlaps memory region %u (%R) of cell %N",
				      r->phys_start, r->size, k,
				      other[k].phys_start, other[k].size,
				      oc->name);
	}
	region_vs_channels(ck, set, n, r, i);
}

/* --- the set: ivshmem channels -------------------------------------------- */

static void agree_hex(struct checker *ck, unsigned int i,
		      const struct brig_ivshmem *iv, const char *field,
		      __u64 here, __u64 there, const struct brig_cell_desc *oc)
{
	if (here != there)
		error(ck, BRIG_CHECK_PCI, i,
		      "channel %u: %s %x here, %x in cell %N",
		      (unsigned int)iv->channel, field, here, there, oc->name);
}

static void agree_dec(struct checker *ck, unsigned int i,
		      const struct brig_ivshmem *iv, const char *field,
		      unsigned int here, unsigned int there,
		      const struct brig_cell_desc *oc)
{
	if (here != there)
		error(ck, BRIG_CHECK_PCI, i,
		      "channel %u: %s %u here, %u in cell %N",
		      (unsigned int)iv->channel, field, here, there, oc->name);
}

/*
 * Two sides of one channel, in different cells: the hypervisor builds
 * one channel from both, so they must describe the same one, each as its
 * own peer.
 */
static void same_channel(struct checker *ck, unsigned int i,
			 const struct brig_ivshmem *a,
			 const struct brig_ivshmem *b,
			 const struct brig_cell_desc *oc)
{
	agree_hex(ck, i, a, "shmem_phys", a->shmem_phys, b->shmem_phys, oc);
	agree_hex(ck, i, a, "rw_size", a->rw_size, b->rw_size, oc);
	agree_hex(ck, i, a, "out_size", a->out_size, b->out_size, oc);
	agree_dec(ck, i, a, "num_peers", a->num_peers, b->num_peers, oc);
	agree_hex(ck, i, a, "protocol", a->protocol, b->protocol, oc);
	agree_dec(ck, i, a, "vectors", a->vectors, b->vectors, oc);
	if (a->peer == b->peer)
		error(ck, BRIG_CHECK_PCI, i,
		      "channel %u: peer %u here and in cell %N: each peer of a channel has its own id",
		      (unsigned int)a->channel, (unsigned int)a->peer,
		      oc->name);
}

/* Channel i against the channels of cell oc (the root's too). */
static void channel_vs_channels(struct checker *ck,
				const struct brig_ivshmem *iv, unsigned int i,
				const struct brig_cell_desc *oc)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(oc);
	__u64 size = ivshmem_size(iv);
	unsigned int k;

	for (k = 0; k < oc->num_pci_devices; k++) {
		if (!ivshmem_sane(&pci[k]))
			continue;
		if (pci[k].ivshmem.channel == iv->channel)
			same_channel(ck, i, iv, &pci[k].ivshmem, oc);
		else if (ranges_overlap(iv->shmem_phys, size,
					pci[k].ivshmem.shmem_phys,
					ivshmem_size(&pci[k].ivshmem)))
			error(ck, BRIG_CHECK_PCI, i,
			      "channel %u: host-physical range %R overlaps channel %u (%R) of cell %N",
			      (unsigned int)iv->channel, iv->shmem_phys, size,
			      (unsigned int)pci[k].ivshmem.channel,
			      pci[k].ivshmem.shmem_phys,
			      ivshmem_size(&pci[k].ivshmem), oc->name);
	}
}

/* Channel i of cell n against everything of cell oc (before n). */
static void channel_vs_cell(struct checker *ck, const struct brig_ivshmem *iv,
			    unsigned int i, const struct brig_cell_desc *oc)
{
	const struct brig_memory *mem = brig_cell_mem_regions(oc);
	__u64 size = ivshmem_size(iv);
	unsigned int k;

	for (k = 0; k < oc->num_memory_regions; k++)
		if (region_sane(&mem[k]) &&
		    ranges_overlap(iv->shmem_phys, size, mem[k].phys_start,
				   mem[k].size))
			error(ck, BRIG_CHECK_PCI, i,
			      "ivshmem shared memory: host-physical range %R overlaps memory region %u (%R) of cell %N",
			      iv->shmem_phys, size, k, mem[k].phys_start,
			      mem[k].size, oc->name);
	channel_vs_channels(ck, iv, i, oc);
}

/*
 * Channel memory is no memory region of any cell: it comes from reserved
 * root RAM like cell RAM does, and it is shared by the channel's peers
 * only.
 */
static void check_set_channel(struct checker *ck, const struct set *set,
			      unsigned int n, unsigned int i)
{
	const struct brig_ivshmem *iv =
		&brig_cell_pci_devices(set_cell(set, n))[i].ivshmem;
	const struct host_range at = { BRIG_CHECK_PCI, i,
				       "ivshmem shared memory: " };
	const struct brig_memory r = { iv->shmem_phys, iv->shmem_phys,
				       ivshmem_size(iv), BRIG_MEM_TYPE_RAM,
				       BRIG_MEM_READ | BRIG_MEM_WRITE };
	unsigned int j;

	check_backing(ck, set, &r, &at);
	/* The root's channel memory is its own RAM: only its channels count. */
	channel_vs_channels(ck, iv, i, &set->sys->root_cell);
	for (j = 0; j < n; j++)
		if (set_cell(set, j))
			channel_vs_cell(ck, iv, i, set_cell(set, j));
}

/*
 * An ivshmem device of the root, a channel peer: its memory is reserved
 * root RAM (no cell's), which the root keeps and maps 1:1; its BARs must
 * trap, so no region of the root and nothing the hypervisor keeps may
 * cover them.
 */
static void check_root_channel(struct checker *ck,
			       const struct brig_system_desc *s, unsigned int i)
{
	const struct brig_cell_desc *root = &s->root_cell;
	const struct brig_ivshmem *iv = &brig_cell_pci_devices(root)[i].ivshmem;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	const struct brig_memory *hv = &s->hypervisor_memory;
	const struct set set = { s, 0 };
	const struct host_range shm = { BRIG_CHECK_PCI, i,
					"ivshmem shared memory: " };
	const struct host_range bars = { BRIG_CHECK_PCI, i, "ivshmem BARs: " };
	const struct brig_memory r = { iv->shmem_phys, iv->shmem_phys,
				       ivshmem_size(iv), BRIG_MEM_TYPE_RAM,
				       BRIG_MEM_READ | BRIG_MEM_WRITE };
	const struct brig_memory b = { iv->bar_base, iv->bar_base,
				       IVSHMEM_BARS_SIZE, BRIG_MEM_TYPE_MMIO,
				       BRIG_MEM_READ | BRIG_MEM_WRITE };
	unsigned int j;

	const struct brig_pci_device *pci = &brig_cell_pci_devices(root)[i];
	const struct brig_platform *p = &s->platform;

	if (iv->shmem_virt != iv->shmem_phys)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem shmem_virt %x differs from shmem_phys %x: the root maps its channel memory 1:1",
		      iv->shmem_virt, iv->shmem_phys);
	/* The hypervisor emulates segment 0, and traps ECAM it covers. */
	if (pci->domain)
		error(ck, BRIG_CHECK_PCI, i,
		      "PCI segment %u: the root's ivshmem devices must be in segment 0",
		      (unsigned int)pci->domain);
	if (p->pci_mmconfig_base && (pci->bdf >> 8) > p->pci_mmconfig_end_bus)
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem device on bus %u, beyond the MMCONFIG window (buses 0-%u)",
		      (unsigned int)(pci->bdf >> 8),
		      (unsigned int)p->pci_mmconfig_end_bus);
	check_backing(ck, &set, &r, &shm);
	check_kept_resources(ck, &set, &b, &bars);
	if (ranges_overlap(b.phys_start, b.size, hv->phys_start, hv->size))
		error(ck, BRIG_CHECK_PCI, i,
		      "ivshmem BARs: range %R overlaps the hypervisor region %R",
		      b.phys_start, b.size, hv->phys_start, hv->size);
	for (j = 0; j < root->num_memory_regions; j++)
		if (region_sane(&mem[j]) &&
		    ranges_overlap(b.phys_start, b.size, mem[j].phys_start,
				   mem[j].size))
			error(ck, BRIG_CHECK_PCI, i,
			      "ivshmem BARs: range %R overlaps memory region %u (%R) of the root cell: the root's accesses to them must trap",
			      b.phys_start, b.size, j, mem[j].phys_start,
			      mem[j].size);
}

static void check_root_channels(struct checker *ck,
				const struct brig_system_desc *s)
{
	const struct brig_pci_device *pci =
		brig_cell_pci_devices(&s->root_cell);
	unsigned int i;

	for (i = 0; i < s->root_cell.num_pci_devices; i++)
		if (ivshmem_sane(&pci[i]))
			check_root_channel(ck, s, i);
}

static int covered_by_root_ports(const struct brig_cell_desc *root,
				 const struct brig_port_range *pr)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(root);
	__u64 cur = pr->base, end = (__u64)pr->base + pr->length;
	unsigned int i;

	while (cur < end) {
		for (i = 0; i < root->num_port_ranges; i++)
			if (port_range_sane(&pio[i]) && cur >= pio[i].base &&
			    cur - pio[i].base < pio[i].length)
				break;
		if (i == root->num_port_ranges)
			return 0;
		cur = (__u64)pio[i].base + pio[i].length;
	}
	return 1;
}

static void check_set_ports(struct checker *ck, const struct set *set,
			    unsigned int n, unsigned int i)
{
	const struct brig_port_range *pr =
		&brig_cell_port_ranges(set_cell(set, n))[i];
	const struct brig_cell_desc *oc;
	const struct brig_port_range *other;
	unsigned int j, k;

	if (!covered_by_root_ports(&set->sys->root_cell, pr))
		error(ck, BRIG_CHECK_PORTS, i,
		      "ports %R are not inside the root cell's port ranges",
		      (__u64)pr->base, (__u64)pr->length);
	for (j = 0; j < n; j++) {
		oc = set_cell(set, j);
		if (!oc)
			continue;
		other = brig_cell_port_ranges(oc);
		for (k = 0; k < oc->num_port_ranges; k++)
			if (port_range_sane(&other[k]) &&
			    ranges_overlap(pr->base, pr->length, other[k].base,
					   other[k].length) &&
			    !(pr->flags & other[k].flags & BRIG_PIO_SHARED))
				error(ck, BRIG_CHECK_PORTS, i,
				      "ports %R are also claimed by cell %N (only ranges that both mark shared may overlap)",
				      (__u64)pr->base, (__u64)pr->length,
				      oc->name);
	}
}

/* The root's irqchip at address, or NULL. */
static const struct brig_irqchip *root_irqchip(const struct set *set,
					       __u64 address)
{
	const struct brig_cell_desc *root = &set->sys->root_cell;
	unsigned int i;

	for (i = 0; i < root->num_irqchips; i++)
		if (brig_cell_irqchips(root)[i].address == address)
			return &brig_cell_irqchips(root)[i];
	return 0;
}

/* Pins of a cell's irqchip: the root's to give, nobody else's yet. */
static void check_set_irqchip(struct checker *ck, const struct set *set,
			      unsigned int n, unsigned int i)
{
	const struct brig_irqchip *ic =
		&brig_cell_irqchips(set_cell(set, n))[i];
	const struct brig_irqchip *rc = root_irqchip(set, ic->address);
	const struct brig_cell_desc *oc;
	unsigned int j, k, pin;

	if (!rc) {
		error(ck, BRIG_CHECK_IRQCHIP, i,
		      "IO-APIC at %x is not one of the root cell's irqchips",
		      ic->address);
		return;
	}
	if (rc->id != ic->id || rc->iommu != ic->iommu ||
	    rc->pin_base != ic->pin_base)
		error(ck, BRIG_CHECK_IRQCHIP, i,
		      "IO-APIC at %x: id, iommu and pin-base must be the root cell's (%x, %u, %u)",
		      ic->address, (__u64)rc->id, (unsigned int)rc->iommu,
		      rc->pin_base);
	if (ic->iommu >= set->sys->platform.num_iommu_units)
		error(ck, BRIG_CHECK_IRQCHIP, i,
		      "IO-APIC at %x: its pins need interrupt remapping, but IOMMU unit %u is not described",
		      ic->address, (unsigned int)ic->iommu);
	for (pin = 0; pin < BRIG_IRQCHIP_PINS; pin++) {
		if (!(ic->pin_bitmap[pin / 64] >> (pin % 64) & 1))
			continue;
		if (!(rc->pin_bitmap[pin / 64] >> (pin % 64) & 1))
			error(ck, BRIG_CHECK_IRQCHIP, i,
			      "IO-APIC at %x: pin %u is not one of the root cell's",
			      ic->address, pin);
		for (j = 0; j < n; j++) {
			oc = set_cell(set, j);
			for (k = 0; oc && k < oc->num_irqchips; k++)
				if (brig_cell_irqchips(oc)[k].address ==
					    ic->address &&
				    (brig_cell_irqchips(oc)[k]
					     .pin_bitmap[pin / 64] >>
				     (pin % 64)) &
					    1)
					error(ck, BRIG_CHECK_IRQCHIP, i,
					      "IO-APIC at %x: pin %u is also given to cell %N",
					      ic->address, pin, oc->name);
		}
	}
}

static void check_set_name(struct checker *ck, const struct set *set,
			   unsigned int n)
{
	const struct brig_cell_desc *c = set_cell(set, n);
	unsigned int j;

	if (names_equal(c->name, set->sys->root_cell.name))
		error(ck, BRIG_CHECK_HEADER, 0,
		      "cell name %N is the name of the root cell", c->name);
	for (j = 0; j < n; j++)
		if (set_cell(set, j) &&
		    names_equal(c->name, set_cell(set, j)->name))
			error(ck, BRIG_CHECK_HEADER, 0,
			      "cell name %N is already used by cell description %u",
			      c->name, j);
}

static void check_set_cell(struct checker *ck, const struct set *set,
			   unsigned int n)
{
	const struct brig_cell_desc *c = set_cell(set, n);
	unsigned int i;

	check_set_name(ck, set, n);
	check_set_cpus(ck, set, n);
	for (i = 0; i < c->num_memory_regions; i++)
		if (region_sane(&brig_cell_mem_regions(c)[i]))
			check_set_region(ck, set, n, i);
	for (i = 0; i < c->num_port_ranges; i++)
		if (port_range_sane(&brig_cell_port_ranges(c)[i]))
			check_set_ports(ck, set, n, i);
	for (i = 0; i < c->num_irqchips; i++)
		check_set_irqchip(ck, set, n, i);
	for (i = 0; i < c->num_pci_devices; i++) {
		check_kept_device(ck, set, &brig_cell_pci_devices(c)[i], i);
		if (ivshmem_sane(&brig_cell_pci_devices(c)[i]))
			check_set_channel(ck, set, n, i);
	}
}

unsigned int brig_check_set(const struct brig_check_blob *system,
			    const struct brig_check_blob *cells,
			    unsigned int num_cells,
			    const struct brig_check_reporter *rep)
{
	struct checker ck = { .rep = rep, .blob = BRIG_CHECK_SYSTEM };
	struct set set;
	unsigned int n;

	check_one_system(&ck, system);
	for (n = 0; n < num_cells; n++) {
		ck.blob = (int)n;
		check_one_cell(&ck, &cells[n]);
	}
	if (!system_layout_ok(system->data, system->size))
		return ck.errors;
	set.sys = system->data;
	set.blobs = cells;
	for (n = 0; n < num_cells; n++) {
		ck.blob = (int)n;
		if (set_cell(&set, n))
			check_set_cell(&ck, &set, n);
	}
	return ck.errors;
}
