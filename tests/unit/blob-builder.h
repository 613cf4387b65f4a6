/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-built config blobs for the checker tests: a valid QEMU-like system
 * (hypervisor at 0x3a000000, reserved pool 0x3b000000-0x3fffffff, CPUs 0-3,
 * all ports) and a valid one-CPU cell, as editable parts that are packed
 * into a blob with the layout of config.h only when a test asks for it.
 * Tests break one field of the parts and look at what the checker says.
 */
#ifndef BLOB_BUILDER_H
#define BLOB_BUILDER_H

#include <stdlib.h>
#include <string.h>

#include <brig/config-check.h>

#define MAX_PARTS 8

struct cell_parts {
	struct brig_cell_desc hdr;
	__u64 cpus[BRIG_MAX_CPUS / 64];
	struct brig_memory mem[MAX_PARTS];
	struct brig_port_range pio[MAX_PARTS];
	struct brig_irqchip irq[MAX_PARTS];
	struct brig_pci_device pci[MAX_PARTS];
};

struct system_parts {
	struct brig_system_desc sys; /* sys.root_cell is ignored */
	struct cell_parts root;
};

static inline struct brig_memory region(__u64 phys, __u64 virt, __u64 size,
					__u32 type, __u32 flags)
{
	struct brig_memory r = { phys, virt, size, type, flags };

	return r;
}

static inline struct brig_port_range ports(__u32 base, __u32 len, __u32 flags)
{
	struct brig_port_range p = { base, len, flags, 0 };

	return p;
}

#define RWX (BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_EXECUTE)
#define PIO_RW (BRIG_PIO_READ | BRIG_PIO_WRITE)

static inline void cell_init(struct cell_parts *c, const char *name,
			     unsigned int cpu)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->hdr.signature, BRIG_CELL_SIGNATURE, BRIG_SIGNATURE_LEN);
	c->hdr.revision = BRIG_CONFIG_REVISION;
	c->hdr.architecture = BRIG_ARCH_X86_64;
	strcpy(c->hdr.name, name);
	c->hdr.cpu_set_size = 8;
	c->cpus[0] = 1ull << cpu;
}

/* A cell on one CPU with 1 MiB at guest 0 from phys, a comm page and COM2. */
static inline void hello_cell(struct cell_parts *c, const char *name,
			      unsigned int cpu, __u64 phys)
{
	cell_init(c, name, cpu);
	c->mem[0] = region(phys, 0, 0x100000, BRIG_MEM_TYPE_RAM,
			   RWX | BRIG_MEM_LOADABLE);
	c->mem[1] =
		region(phys + 0x100000, 0x100000, 0x1000, BRIG_MEM_TYPE_RAM,
		       BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_COMM_REGION);
	c->hdr.num_memory_regions = 2;
	c->pio[0] = ports(0x2f8, 8, PIO_RW);
	c->pio[1] = ports(0x608, 4, BRIG_PIO_READ | BRIG_PIO_SHARED);
	c->hdr.num_port_ranges = 2;
	c->hdr.console.type = BRIG_CON_PIO_8250;
	c->hdr.console.address = 0x2f8;
}

static inline void qemu_system(struct system_parts *s)
{
	struct cell_parts *r = &s->root;

	memset(s, 0, sizeof(*s));
	memcpy(s->sys.signature, BRIG_SYSTEM_SIGNATURE, BRIG_SIGNATURE_LEN);
	s->sys.revision = BRIG_CONFIG_REVISION;
	s->sys.architecture = BRIG_ARCH_X86_64;
	s->sys.hypervisor_memory.phys_start = 0x3a000000;
	s->sys.hypervisor_memory.size = 0x1000000;
	s->sys.debug_console.type = BRIG_CON_PIO_E9;
	s->sys.debug_console.address = 0xe9;
	s->sys.platform.pci_mmconfig_base = 0xb0000000;
	s->sys.platform.pci_mmconfig_end_bus = 0xff;
	s->sys.platform.pm_timer_port = 0x608;
	cell_init(r, "root", 0);
	r->cpus[0] = 0xf;
	r->mem[0] = region(0, 0, 0x3a000000, BRIG_MEM_TYPE_RAM, RWX);
	r->mem[1] = region(0x3b000000, 0x3b000000, 0x5000000, BRIG_MEM_TYPE_RAM,
			   RWX | BRIG_MEM_RESERVED);
	r->mem[2] = region(0xfec00000, 0xfec00000, 0x1000, BRIG_MEM_TYPE_MMIO,
			   BRIG_MEM_READ | BRIG_MEM_WRITE);
	r->hdr.num_memory_regions = 3;
	r->pio[0] = ports(0, 0x10000, PIO_RW);
	r->hdr.num_port_ranges = 1;
}

/* Packs a cell's parts behind a header of fixed_size bytes. */
static inline void *pack(const void *fixed, size_t fixed_size,
			 const struct cell_parts *c, size_t *size)
{
	const struct brig_cell_desc *h = &c->hdr;
	size_t n[5] = {
		h->cpu_set_size,
		h->num_memory_regions * sizeof(c->mem[0]),
		h->num_port_ranges * sizeof(c->pio[0]),
		h->num_irqchips * sizeof(c->irq[0]),
		h->num_pci_devices * sizeof(c->pci[0]),
	};
	const void *src[5] = { c->cpus, c->mem, c->pio, c->irq, c->pci };
	char *blob, *p;
	int i;

	*size = fixed_size + n[0] + n[1] + n[2] + n[3] + n[4];
	blob = p = calloc(1, *size);
	memcpy(p, fixed, fixed_size);
	p += fixed_size;
	for (i = 0; i < 5; i++) {
		memcpy(p, src[i], n[i]);
		p += n[i];
	}
	return blob;
}

static inline struct brig_check_blob pack_cell(const struct cell_parts *c)
{
	struct brig_check_blob b;
	size_t size;

	b.data = pack(&c->hdr, sizeof(c->hdr), c, &size);
	b.size = size;
	return b;
}

static inline struct brig_check_blob pack_system(const struct system_parts *s)
{
	struct brig_system_desc sys = s->sys;
	struct brig_check_blob b;
	size_t size;

	sys.root_cell = s->root.hdr;
	b.data = pack(&sys, sizeof(sys), &s->root, &size);
	b.size = size;
	return b;
}

#endif /* BLOB_BUILDER_H */
