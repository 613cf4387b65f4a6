// SPDX-License-Identifier: GPL-2.0
/*
 * `brig config dump`: every field of a compiled blob, decoded, so that what
 * the hypervisor will be given can be compared with what the source said.
 * Flags and types are printed with the names the source uses (docs/config.md)
 * and unknown bits in hex, so a corrupted blob still shows what is in it.
 * The caller makes sure the layout is sound (brig_check_layout()).
 */
#include <inttypes.h>

#include <brig/ivshmem.h>

#include "brig-tool.h"

struct bit_name {
	__u32 bit;
	const char *name;
};

static const struct bit_name mem_flag_names[] = {
	{ BRIG_MEM_READ, "read" },
	{ BRIG_MEM_WRITE, "write" },
	{ BRIG_MEM_EXECUTE, "execute" },
	{ BRIG_MEM_DMA, "dma" },
	{ BRIG_MEM_LOADABLE, "loadable" },
	{ BRIG_MEM_COMM_REGION, "comm-region" },
	{ BRIG_MEM_ROOTSHARED, "root-shared" },
	{ BRIG_MEM_RESERVED, "reserved" },
	{ 0, NULL },
};

static const struct bit_name pio_flag_names[] = {
	{ BRIG_PIO_READ, "read" },
	{ BRIG_PIO_WRITE, "write" },
	{ BRIG_PIO_SHARED, "shared" },
	{ 0, NULL },
};

static void print_flags(FILE *out, __u32 flags, const struct bit_name *names)
{
	const char *sep = "";

	for (; names->name; names++) {
		if (flags & names->bit) {
			fprintf(out, "%s%s", sep, names->name);
			sep = ",";
			flags &= ~names->bit;
		}
	}
	if (flags)
		fprintf(out, "%s0x%x", sep, flags);
	if (!*sep && !flags)
		fprintf(out, "-");
}

static const char *name_of(__u32 v, const char *const *names, size_t n)
{
	return v < n && names[v] ? names[v] : "unknown";
}

#define NAME_OF(v, names) name_of(v, names, sizeof(names) / sizeof(names[0]))

static const char *const arch_names[] = { NULL, "x86-64", "arm64" };
static const char *const con_names[] = { "none", "pio-e9", "pio-8250",
					 "mmio-8250" };
static const char *const mem_type_names[] = { NULL, "ram", "mmio" };
static const char *const pci_type_names[] = { NULL, "device", "bridge",
					      "ivshmem" };
static const char *const iommu_names[] = { "none", "vtd", "amd-vi" };

static void dump_console(FILE *out, const char *what,
			 const struct brig_console *con)
{
	fprintf(out, "%s: type %s (%u) address 0x%" PRIx64 " divider %u\n",
		what, NAME_OF(con->type, con_names), con->type,
		(uint64_t)con->address, con->divider);
}

static void dump_cpus(FILE *out, const struct brig_cell_desc *c)
{
	unsigned int cpu;

	fprintf(out, "  cpus (cpu_set_size %u):", c->cpu_set_size);
	for (cpu = 0; cpu < c->cpu_set_size * 8; cpu++)
		if (brig_cell_has_cpu(c, cpu))
			fprintf(out, " %u", cpu);
	fprintf(out, "\n");
}

static void dump_memory(FILE *out, const struct brig_cell_desc *c)
{
	const struct brig_memory *m = brig_cell_mem_regions(c);
	__u32 i;

	for (i = 0; i < c->num_memory_regions; i++, m++) {
		fprintf(out,
			"  memory[%u]: phys 0x%" PRIx64 " virt 0x%" PRIx64
			" size 0x%" PRIx64 " type %s flags ",
			i, (uint64_t)m->phys_start, (uint64_t)m->virt_start,
			(uint64_t)m->size, NAME_OF(m->type, mem_type_names));
		print_flags(out, m->flags, mem_flag_names);
		fprintf(out, "\n");
	}
}

static void dump_ports(FILE *out, const struct brig_cell_desc *c)
{
	const struct brig_port_range *p = brig_cell_port_ranges(c);
	__u32 i;

	for (i = 0; i < c->num_port_ranges; i++, p++) {
		fprintf(out, "  ports[%u]: base 0x%x length 0x%x flags ", i,
			p->base, p->length);
		print_flags(out, p->flags, pio_flag_names);
		fprintf(out, " reserved 0x%x\n", p->reserved);
	}
}

static const char *protocol_name(__u16 protocol)
{
	if (protocol == BRIG_IVSHMEM_PROTO_UNDEFINED)
		return "undefined";
	if (protocol == BRIG_IVSHMEM_PROTO_NET)
		return "network";
	if (protocol >= BRIG_IVSHMEM_PROTO_USER_FIRST &&
	    protocol <= BRIG_IVSHMEM_PROTO_USER_LAST)
		return "user-defined";
	return protocol > BRIG_IVSHMEM_PROTO_USER_LAST ? "virtio" : "reserved";
}

/* One section of a channel's memory, as its peer sees it. */
static void dump_section(FILE *out, const char *what, uint64_t start,
			 uint64_t size)
{
	if (size)
		fprintf(out, "    %s: 0x%" PRIx64 "-0x%" PRIx64 "\n", what,
			start, start + size - 1);
	else
		fprintf(out, "    %s: none\n", what);
}

/*
 * One side of a channel: who it is, where the memory is and how it is cut
 * up (ivshmem.h), where the BARs are. A blob with more peers than the
 * device supports gets no list of output sections, only the count.
 */
static void dump_ivshmem(FILE *out, const struct brig_ivshmem *iv)
{
	uint64_t state = BRIG_IVSHMEM_STATE_TABLE_SIZE;
	uint64_t base = iv->shmem_virt, size, at;
	char what[48];
	unsigned int p;

	size = state + iv->rw_size + (uint64_t)iv->num_peers * iv->out_size;
	fprintf(out,
		"    ivshmem: channel %u peer %u of %u protocol 0x%04x (%s) vectors %u reserved 0x%" PRIx64
		"\n",
		iv->channel, iv->peer, iv->num_peers, iv->protocol,
		protocol_name(iv->protocol), iv->vectors,
		(uint64_t)iv->reserved);
	fprintf(out,
		"    memory: phys 0x%" PRIx64 " -> virt 0x%" PRIx64
		" size 0x%" PRIx64 " (rw-size 0x%x, out-size 0x%x)\n",
		(uint64_t)iv->shmem_phys, base, size, iv->rw_size,
		iv->out_size);
	dump_section(out, "state table", base, state);
	dump_section(out, "rw section", base + state, iv->rw_size);
	at = base + state + iv->rw_size;
	if (iv->num_peers > BRIG_IVSHMEM_MAX_PEERS) {
		fprintf(out, "    output sections: %u, more than %u peers\n",
			iv->num_peers, BRIG_IVSHMEM_MAX_PEERS);
	} else {
		for (p = 0; p < iv->num_peers; p++) {
			snprintf(what, sizeof(what), "output section %u", p);
			dump_section(out, what, at, iv->out_size);
			at += iv->out_size;
		}
	}
	fprintf(out,
		"    BAR 0 (registers): 0x%" PRIx64 "-0x%" PRIx64
		", BAR 1 (MSI-X table): 0x%" PRIx64 "-0x%" PRIx64 "\n",
		(uint64_t)iv->bar_base,
		(uint64_t)iv->bar_base + BRIG_IVSHMEM_REG_BAR_SIZE - 1,
		(uint64_t)iv->bar_base + BRIG_IVSHMEM_REG_BAR_SIZE,
		(uint64_t)iv->bar_base + BRIG_IVSHMEM_REG_BAR_SIZE +
			BRIG_IVSHMEM_MSIX_BAR_SIZE - 1);
}

static void dump_devices(FILE *out, const struct brig_cell_desc *c)
{
	const struct brig_irqchip *ic = brig_cell_irqchips(c);
	const struct brig_pci_device *pci = brig_cell_pci_devices(c);
	unsigned int i, k;

	for (i = 0; i < c->num_irqchips; i++, ic++) {
		fprintf(out,
			"  irqchip[%u]: address 0x%" PRIx64
			" id 0x%04x iommu %u pin-base %u pins",
			i, (uint64_t)ic->address, ic->id, ic->iommu,
			ic->pin_base);
		for (k = 0; k < BRIG_IRQCHIP_PINS; k++)
			if (ic->pin_bitmap[k / 64] >> (k % 64) & 1)
				fprintf(out, " %u", k);
		fprintf(out, "\n");
	}
	for (i = 0; i < c->num_pci_devices; i++, pci++) {
		fprintf(out,
			"  pci[%u]: type %s domain %u bdf %02x:%02x.%x iommu %u flags 0x%x",
			i, NAME_OF(pci->type, pci_type_names), pci->domain,
			pci->bdf >> 8, (pci->bdf >> 3) & 0x1f, pci->bdf & 7,
			pci->iommu, pci->flags);
		if (pci->flags & BRIG_PCI_FLAG_NO_RESET)
			fprintf(out, " (reset none)");
		if (pci->type == BRIG_PCI_TYPE_IVSHMEM) {
			fprintf(out, "\n");
			dump_ivshmem(out, &pci->ivshmem);
			continue;
		}
		fprintf(out, " bar-mask");
		for (k = 0; k < 6; k++)
			fprintf(out, " 0x%" PRIx64, (uint64_t)pci->bar_mask[k]);
		fprintf(out, "\n");
	}
}

static void dump_cell(FILE *out, const struct brig_cell_desc *c)
{
	unsigned int i;

	fprintf(out, "  signature \"%.8s\" revision %u architecture %s (%u)\n",
		c->signature, c->revision, NAME_OF(c->architecture, arch_names),
		c->architecture);
	fprintf(out, "  name \"%.*s\"\n", BRIG_CELL_NAME_LEN, c->name);
	fprintf(out, "  flags 0x%x%s%s%s%s%s\n", c->flags,
		c->flags & BRIG_CELL_PASSIVE_COMMREG ?
			" (passive-comm-region)" :
			"",
		c->flags & BRIG_CELL_DEBUG_CONSOLE ? " (debug-console)" : "",
		c->flags & BRIG_CELL_UNOWNED_PORTS_IGNORED ?
			" (unowned-ports ignore)" :
			"",
		c->flags & BRIG_CELL_UNOWNED_MSRS_FAULT ?
			" (unowned-msrs fault)" :
			"",
		c->flags & BRIG_CELL_HALT_EXITS ? " (halt exits)" : "");
	fprintf(out, "  entry 0x%" PRIx64 "\n", (uint64_t)c->entry);
	fprintf(out, "  shutdown-timeout-ms %u\n", c->shutdown_timeout_ms);
	dump_console(out, "  console", &c->console);
	fprintf(out, "  reserved");
	for (i = 0; i < 4; i++)
		fprintf(out, " 0x%" PRIx64, (uint64_t)c->reserved[i]);
	fprintf(out, "\n");
	dump_cpus(out, c);
	dump_memory(out, c);
	dump_ports(out, c);
	dump_devices(out, c);
}

static void dump_platform(FILE *out, const struct brig_platform *p)
{
	const struct brig_iommu *u;
	__u32 i;

	fprintf(out,
		"platform: pci-mmconfig-base 0x%" PRIx64
		" end-bus 0x%x pm-timer-port 0x%x iommu units %u reserved 0x%x 0x%" PRIx64
		" 0x%" PRIx64 "\n",
		(uint64_t)p->pci_mmconfig_base, p->pci_mmconfig_end_bus,
		p->pm_timer_port, p->num_iommu_units, p->reserved0,
		(uint64_t)p->reserved[0], (uint64_t)p->reserved[1]);
	for (i = 0; i < p->num_iommu_units && i < BRIG_MAX_IOMMU_UNITS; i++) {
		u = &p->iommu_units[i];
		fprintf(out,
			"  iommu[%u]: type %s base 0x%" PRIx64
			" size 0x%x amd-bdf 0x%x amd-cap 0x%x\n",
			i, NAME_OF(u->type, iommu_names), (uint64_t)u->base,
			u->size, u->amd_bdf, u->amd_cap);
	}
}

static void dump_system(FILE *out, const struct brig_system_desc *s)
{
	const struct brig_memory *hv = &s->hypervisor_memory;

	fprintf(out, "system description\n");
	fprintf(out, "  signature \"%.8s\" revision %u architecture %s (%u)\n",
		s->signature, s->revision, NAME_OF(s->architecture, arch_names),
		s->architecture);
	fprintf(out, "  flags 0x%x\n", s->flags);
	fprintf(out,
		"hypervisor: phys 0x%" PRIx64 " size 0x%" PRIx64
		" (virt 0x%" PRIx64 " type %u flags 0x%x)\n",
		(uint64_t)hv->phys_start, (uint64_t)hv->size,
		(uint64_t)hv->virt_start, hv->type, hv->flags);
	dump_console(out, "debug-console", &s->debug_console);
	dump_platform(out, &s->platform);
	fprintf(out, "root cell\n");
	dump_cell(out, &s->root_cell);
}

void config_dump(FILE *out, const void *blob, int is_system)
{
	if (is_system) {
		dump_system(out, blob);
	} else {
		fprintf(out, "cell description\n");
		dump_cell(out, blob);
	}
}
