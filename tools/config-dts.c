// SPDX-License-Identifier: GPL-2.0
/*
 * The schema of brig's device-tree descriptions, and the compiler from a
 * device-tree blob to the binary blob of include/brig/config.h.
 *
 * A system description has compatible = "brig,system" and holds the
 * hypervisor region, the debug console, platform facts, the optional SMT
 * topology and the root cell; a cell description has compatible =
 * "brig,cell" and is a cell at its top level. Both kinds of cell share one
 * body: name, cpus, memory regions, port ranges, irqchips, PCI devices.
 * docs/config.md is the user's view of the same schema.
 *
 * Schema errors are reported and parsing goes on, so that the user sees all
 * of them at once; the blob is usable only if there was none (its counts
 * still tell config_free() what to free). Whether the
 * values make sense (alignment, overlaps, ...) is not judged here but by
 * the shared checker, on the blob.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "fdt-schema.h"

static const struct dt_name arch_names[] = {
	{ "x86-64", BRIG_ARCH_X86_64 },
	{ "arm64", BRIG_ARCH_ARM64 },
	{ NULL, 0 },
};

static const struct dt_name console_types[] = {
	{ "none", BRIG_CON_NONE },
	{ "pio-e9", BRIG_CON_PIO_E9 },
	{ "pio-8250", BRIG_CON_PIO_8250 },
	{ "mmio-8250", BRIG_CON_MMIO_8250 },
	{ NULL, 0 },
};

static const struct dt_name unowned_port_policies[] = {
	{ "strict", 0 },
	{ "ignore", BRIG_CELL_UNOWNED_PORTS_IGNORED },
	{ NULL, 0 },
};

static const struct dt_name unowned_msr_policies[] = {
	{ "strict", 0 },
	{ "fault", BRIG_CELL_UNOWNED_MSRS_FAULT },
	{ NULL, 0 },
};

static const struct dt_name halt_policies[] = {
	{ "native", 0 },
	{ "exits", BRIG_CELL_HALT_EXITS },
	{ NULL, 0 },
};

static const struct dt_name mem_types[] = {
	{ "ram", BRIG_MEM_TYPE_RAM },
	{ "mmio", BRIG_MEM_TYPE_MMIO },
	{ NULL, 0 },
};

static const struct dt_name mem_flags[] = {
	{ "read", BRIG_MEM_READ },
	{ "write", BRIG_MEM_WRITE },
	{ "execute", BRIG_MEM_EXECUTE },
	{ "dma", BRIG_MEM_DMA },
	{ "loadable", BRIG_MEM_LOADABLE },
	{ "comm-region", BRIG_MEM_COMM_REGION },
	{ "root-shared", BRIG_MEM_ROOTSHARED },
	{ "reserved", BRIG_MEM_RESERVED },
	{ NULL, 0 },
};

static const struct dt_name pio_flags[] = {
	{ "read", BRIG_PIO_READ },
	{ "write", BRIG_PIO_WRITE },
	{ "shared", BRIG_PIO_SHARED },
	{ NULL, 0 },
};

static const struct dt_name pci_types[] = {
	{ "device", BRIG_PCI_TYPE_DEVICE },
	{ "bridge", BRIG_PCI_TYPE_BRIDGE },
	{ "ivshmem", BRIG_PCI_TYPE_IVSHMEM },
	{ NULL, 0 },
};

/* Whether a device may change owners without a reset. */
static const struct dt_name reset_policies[] = {
	{ "required", 0 },
	{ "none", BRIG_PCI_FLAG_NO_RESET },
	{ NULL, 0 },
};

static const struct dt_name iommu_types[] = {
	{ "vtd", BRIG_IOMMU_VTD },
	{ "amd-vi", BRIG_IOMMU_AMDVI },
	{ NULL, 0 },
};

/* A cell while it is being built: the header and its arrays. */
struct cell_build {
	struct brig_cell_desc hdr;
	__u64 cpus[BRIG_MAX_CPUS / 64];
	struct brig_memory *mem;
	struct brig_port_range *pio;
	struct brig_irqchip *irq;
	struct brig_pci_device *pci;
};

/* --- helpers -------------------------------------------------------------- */

static unsigned int count_children(const struct dt *dt, int node)
{
	unsigned int n = 0;
	int child;

	fdt_for_each_subnode(child, dt->fdt, node)
		n++;
	return n;
}

/* A number that must fit a narrower field of the blob. */
static __u32 dt_u32_max(const struct dt *dt, int node, const char *name,
			__u32 def, __u32 max)
{
	__u32 v = dt_u32(dt, node, name, def);

	if (v > max) {
		dt_error(dt, node, "property \"%s\": %#x is larger than %#x",
			 name, v, max);
		return def;
	}
	return v;
}

static const struct prop_spec console_props[] = {
	{ "type", PROP_STRING, 1 },
	{ "address", PROP_U64, 0 },
	{ "divider", PROP_U32, 0 },
	{ NULL, 0, 0 },
};

static void parse_console(const struct dt *dt, int node,
			  struct brig_console *con, char **path)
{
	__u32 type = BRIG_CON_NONE;

	*path = dt_path(dt, node);
	dt_check_node(dt, node, console_props, (const char *const[]){ NULL });
	dt_enum(dt, node, "type", console_types, &type);
	con->type = type;
	if (type != BRIG_CON_NONE && !dt_has(dt, node, "address"))
		dt_error(dt, node, "missing property \"address\"");
	con->address = dt_u64(dt, node, "address", 0);
	con->divider = dt_u32(dt, node, "divider", 0);
}

/* --- the cell body -------------------------------------------------------- */

static const struct prop_spec region_props[] = {
	{ "phys-start", PROP_U64, 1 }, { "virt-start", PROP_U64, 0 },
	{ "size", PROP_U64, 1 },       { "type", PROP_STRING, 1 },
	{ "flags", PROP_STRINGS, 0 },  { NULL, 0, 0 },
};

static void parse_region(const struct dt *dt, int node, void *out)
{
	struct brig_memory *r = out;
	__u32 type = 0;

	dt_check_node(dt, node, region_props, (const char *const[]){ NULL });
	r->phys_start = dt_u64(dt, node, "phys-start", 0);
	/* Identity mapping is the common case: MMIO, and the whole root. */
	r->virt_start = dt_u64(dt, node, "virt-start", r->phys_start);
	r->size = dt_u64(dt, node, "size", 0);
	dt_enum(dt, node, "type", mem_types, &type);
	r->type = type;
	r->flags = dt_flags(dt, node, "flags", mem_flags);
}

static const struct prop_spec port_props[] = {
	{ "base", PROP_U32, 1 },
	{ "length", PROP_U32, 1 },
	{ "flags", PROP_STRINGS, 0 },
	{ NULL, 0, 0 },
};

static void parse_port_range(const struct dt *dt, int node, void *out)
{
	struct brig_port_range *p = out;

	dt_check_node(dt, node, port_props, (const char *const[]){ NULL });
	p->base = dt_u32(dt, node, "base", 0);
	p->length = dt_u32(dt, node, "length", 0);
	p->flags = dt_flags(dt, node, "flags", pio_flags);
}

static const struct prop_spec irqchip_props[] = {
	{ "address", PROP_U64, 1 },   { "id", PROP_U32, 1 },
	{ "iommu", PROP_U32, 0 },     { "pin-base", PROP_U32, 0 },
	{ "pins", PROP_U32_LIST, 1 }, { NULL, 0, 0 },
};

static void parse_irqchip(const struct dt *dt, int node, void *out)
{
	struct brig_irqchip *ic = out;
	unsigned int i, n;
	__u32 *pins;

	dt_check_node(dt, node, irqchip_props, (const char *const[]){ NULL });
	ic->address = dt_u64(dt, node, "address", 0);
	ic->id = (__u16)dt_u32_max(dt, node, "id", 0, 0xffff);
	ic->iommu = (__u16)dt_u32_max(dt, node, "iommu", 0, 0xffff);
	ic->pin_base = dt_u32(dt, node, "pin-base", 0);
	n = dt_u32_list(dt, node, "pins", &pins);
	for (i = 0; i < n; i++) {
		if (pins[i] >= BRIG_IRQCHIP_PINS)
			dt_error(dt, node,
				 "property \"pins\": pin %u is not below %u",
				 pins[i], BRIG_IRQCHIP_PINS);
		else
			ic->pin_bitmap[pins[i] / 64] |= 1ull << (pins[i] % 64);
	}
	free(pins);
}

/* An optional enumerated property's value; 0 when absent or unknown. */
static __u32 enum_or_zero(const struct dt *dt, int node, const char *name,
			  const struct dt_name *names)
{
	__u32 value = 0;

	if (dt_has(dt, node, name) && dt_enum(dt, node, name, names, &value))
		value = 0;
	return value;
}

/*
 * Every property a pci-device node may have. Which of them a node needs,
 * and which it must not have, depends on its type (parse_pci()).
 */
static const struct prop_spec pci_props[] = {
	{ "type", PROP_STRING, 1 },
	{ "domain", PROP_U32, 0 },
	{ "bdf", PROP_U32_LIST, 1 },
	{ "iommu", PROP_U32, 0 },
	{ "bar-mask", PROP_U32_LIST, 0 },
	{ "channel", PROP_U32, 0 },
	{ "peer", PROP_U32, 0 },
	{ "peers", PROP_U32, 0 },
	{ "shmem-phys", PROP_U64, 0 },
	{ "shmem-virt", PROP_U64, 0 },
	{ "bar-base", PROP_U64, 0 },
	{ "rw-size", PROP_U32, 0 },
	{ "out-size", PROP_U32, 0 },
	{ "protocol", PROP_U32, 0 },
	{ "vectors", PROP_U32, 0 },
	{ "reset", PROP_STRING, 0 },
	{ NULL, 0, 0 },
};

/* The properties of one side of an ivshmem channel, and the required. */
static const char *const ivshmem_props[] = {
	"channel",    "peer",	  "peers",   "shmem-phys",
	"shmem-virt", "bar-base", "rw-size", "out-size",
	"protocol",   "vectors",  NULL,
};
static const char *const ivshmem_required[] = {
	"channel", "peer", "peers", "shmem-phys", "bar-base", NULL,
};
/* A virtual device has no BARs to mask and sits behind no IOMMU. */
static const char *const ivshmem_refused[] = { "bar-mask", "iommu", "reset",
					       NULL };

static void require_props(const struct dt *dt, int node,
			  const char *const *names)
{
	for (; *names; names++)
		if (!dt_has(dt, node, *names))
			dt_error(dt, node, "missing property \"%s\"", *names);
}

static void refuse_props(const struct dt *dt, int node,
			 const char *const *names, const char *why)
{
	for (; *names; names++)
		if (dt_has(dt, node, *names))
			dt_error(dt, node, "property \"%s\" %s", *names, why);
}

static void parse_ivshmem(const struct dt *dt, int node,
			  struct brig_ivshmem *iv)
{
	require_props(dt, node, ivshmem_required);
	refuse_props(dt, node, ivshmem_refused,
		     "does not apply to type \"ivshmem\"");
	iv->channel = (__u16)dt_u32_max(dt, node, "channel", 0, 0xffff);
	iv->peer = (__u8)dt_u32_max(dt, node, "peer", 0, 0xff);
	iv->num_peers = (__u8)dt_u32_max(dt, node, "peers", 0, 0xff);
	iv->shmem_phys = dt_u64(dt, node, "shmem-phys", 0);
	/* Mapped where it is, like memory regions, unless told otherwise. */
	iv->shmem_virt = dt_u64(dt, node, "shmem-virt", iv->shmem_phys);
	iv->bar_base = dt_u64(dt, node, "bar-base", 0);
	iv->rw_size = dt_u32(dt, node, "rw-size", 0);
	iv->out_size = dt_u32(dt, node, "out-size", 0);
	iv->protocol = (__u16)dt_u32_max(dt, node, "protocol", 0, 0xffff);
	iv->vectors = (__u16)dt_u32_max(dt, node, "vectors", 1, 0xffff);
}

static void parse_bar_mask(const struct dt *dt, int node,
			   struct brig_pci_device *p)
{
	unsigned int i, n;
	__u32 *v;

	n = dt_u32_list(dt, node, "bar-mask", &v);
	if (n && n != 6)
		dt_error(
			dt, node,
			"property \"bar-mask\" must have 6 cells, one per BAR, not %u",
			n);
	for (i = 0; i < n && n == 6; i++)
		p->bar_mask[i] = v[i];
	free(v);
}

static void parse_pci(const struct dt *dt, int node, void *out)
{
	struct brig_pci_device *p = out;
	__u32 *v, type = 0;
	unsigned int n;

	dt_check_node(dt, node, pci_props, (const char *const[]){ NULL });
	dt_enum(dt, node, "type", pci_types, &type);
	p->type = type;
	p->domain = (__u16)dt_u32_max(dt, node, "domain", 0, 0xffff);
	p->iommu = dt_u32(dt, node, "iommu", 0);
	n = dt_u32_list(dt, node, "bdf", &v);
	if (n == 3 && v[0] <= 0xff && v[1] <= 0x1f && v[2] <= 7)
		p->bdf = BRIG_PCI_BDF(v[0], v[1], v[2]);
	else if (n)
		dt_error(
			dt, node,
			"property \"bdf\" must be <bus device function> with bus <= 0xff, device <= 0x1f, function <= 7");
	free(v);
	/* An unknown type was reported; its properties say nothing more. */
	if (type == BRIG_PCI_TYPE_IVSHMEM) {
		parse_ivshmem(dt, node, &p->ivshmem);
	} else if (type) {
		refuse_props(dt, node, ivshmem_props,
			     "applies to type \"ivshmem\" only");
		parse_bar_mask(dt, node, p);
		p->flags |= enum_or_zero(dt, node, "reset", reset_policies);
	}
}

/*
 * Parses the children of a container node (memory, ports, ...) into an
 * array of elem_size entries, one per child, and records their paths.
 */
static void *parse_array(const struct dt *dt, int container, size_t elem_size,
			 void (*parse)(const struct dt *, int, void *),
			 __u32 *count, char ***paths)
{
	unsigned int n = 0;
	char *array;
	int child;

	*count = container < 0 ? 0 : count_children(dt, container);
	array = xcalloc(*count, elem_size);
	*paths = xcalloc(*count, sizeof(**paths));
	if (container < 0)
		return array;
	dt_check_node(dt, container, (const struct prop_spec[]){ { 0 } }, NULL);
	fdt_for_each_subnode(child, dt->fdt, container) {
		(*paths)[n] = dt_path(dt, child);
		parse(dt, child, array + n * elem_size);
		n++;
	}
	return array;
}

static void parse_cpus(const struct dt *dt, int node, struct cell_build *cb)
{
	unsigned int i, n, max = 0;
	__u32 *cpus;

	n = dt_u32_list(dt, node, "cpus", &cpus);
	for (i = 0; i < n; i++) {
		if (cpus[i] >= BRIG_MAX_CPUS) {
			dt_error(dt, node,
				 "property \"cpus\": CPU %u is not below %u",
				 cpus[i], BRIG_MAX_CPUS);
			continue;
		}
		if (cb->cpus[cpus[i] / 64] & (1ull << (cpus[i] % 64)))
			dt_error(dt, node,
				 "property \"cpus\": CPU %u is listed twice",
				 cpus[i]);
		cb->cpus[cpus[i] / 64] |= 1ull << (cpus[i] % 64);
		if (cpus[i] > max)
			max = cpus[i];
	}
	free(cpus);
	cb->hdr.cpu_set_size = (max / 64 + 1) * 8;
}

static void parse_name(const struct dt *dt, int node, struct cell_build *cb)
{
	const char *name = dt_string(dt, node, "cell-name");

	if (!name)
		return;
	if (strlen(name) >= BRIG_CELL_NAME_LEN)
		dt_error(
			dt, node,
			"property \"cell-name\": \"%s\" is longer than %u characters",
			name, BRIG_CELL_NAME_LEN - 1);
	else
		strcpy(cb->hdr.name, name);
}

static const char *const cell_children[] = {
	"console", "memory", "ports", "irqchips", "pci-devices", NULL,
};

static const char *const root_cell_children[] = {
	"memory", "ports", "irqchips", "pci-devices", NULL,
};

static const struct prop_spec cell_props[] = {
	{ "compatible", PROP_STRING, 1 },
	{ "architecture", PROP_STRING, 1 },
	{ "cell-name", PROP_STRING, 1 },
	{ "cpus", PROP_U32_LIST, 1 },
	{ "entry", PROP_U64, 0 },
	{ "shutdown-timeout-ms", PROP_U32, 0 },
	{ "passive-comm-region", PROP_FLAG, 0 },
	{ "debug-console", PROP_FLAG, 0 },
	{ "unowned-ports", PROP_STRING, 0 },
	{ "unowned-msrs", PROP_STRING, 0 },
	{ "halt", PROP_STRING, 0 },
	{ NULL, 0, 0 },
};

/* The root cell is Linux: it has no entry, no inmate console, no timeout. */
static const struct prop_spec root_cell_props[] = {
	{ "cell-name", PROP_STRING, 1 },
	{ "cpus", PROP_U32_LIST, 1 },
	{ NULL, 0, 0 },
};

static void parse_cell_arrays(const struct dt *dt, int node,
			      struct cell_build *cb, struct srcmap *map)
{
	struct brig_cell_desc *h = &cb->hdr;

	cb->mem = parse_array(dt, dt_child(dt, node, "memory"),
			      sizeof(*cb->mem), parse_region,
			      &h->num_memory_regions, &map->mem);
	cb->pio = parse_array(dt, dt_child(dt, node, "ports"), sizeof(*cb->pio),
			      parse_port_range, &h->num_port_ranges, &map->pio);
	cb->irq = parse_array(dt, dt_child(dt, node, "irqchips"),
			      sizeof(*cb->irq), parse_irqchip, &h->num_irqchips,
			      &map->irq);
	cb->pci = parse_array(dt, dt_child(dt, node, "pci-devices"),
			      sizeof(*cb->pci), parse_pci, &h->num_pci_devices,
			      &map->pci);
}

static void parse_cell(const struct dt *dt, int node, int is_root, __u16 arch,
		       struct cell_build *cb, struct srcmap *map)
{
	int con;

	memcpy(cb->hdr.signature, BRIG_CELL_SIGNATURE, BRIG_SIGNATURE_LEN);
	cb->hdr.revision = BRIG_CONFIG_REVISION;
	cb->hdr.architecture = arch;
	map->cell = dt_path(dt, node);
	dt_check_node(dt, node, is_root ? root_cell_props : cell_props,
		      is_root ? root_cell_children : cell_children);
	parse_name(dt, node, cb);
	parse_cpus(dt, node, cb);
	cb->hdr.entry = dt_u64(dt, node, "entry", 0);
	cb->hdr.shutdown_timeout_ms =
		dt_u32(dt, node, "shutdown-timeout-ms", 0);
	if (dt_has(dt, node, "passive-comm-region"))
		cb->hdr.flags |= BRIG_CELL_PASSIVE_COMMREG;
	if (dt_has(dt, node, "debug-console"))
		cb->hdr.flags |= BRIG_CELL_DEBUG_CONSOLE;
	cb->hdr.flags |=
		enum_or_zero(dt, node, "unowned-ports", unowned_port_policies);
	cb->hdr.flags |=
		enum_or_zero(dt, node, "unowned-msrs", unowned_msr_policies);
	cb->hdr.flags |= enum_or_zero(dt, node, "halt", halt_policies);
	con = is_root ? -1 : dt_child(dt, node, "console");
	map->console = xstrdup(map->cell);
	if (con >= 0) {
		free(map->console);
		parse_console(dt, con, &cb->hdr.console, &map->console);
	}
	parse_cell_arrays(dt, node, cb, map);
}

/* --- the system ----------------------------------------------------------- */

static const struct prop_spec hypervisor_props[] = {
	{ "phys-start", PROP_U64, 1 },
	{ "size", PROP_U64, 1 },
	{ NULL, 0, 0 },
};

static const struct prop_spec platform_props[] = {
	{ "pci-mmconfig-base", PROP_U64, 0 },
	{ "pci-mmconfig-end-bus", PROP_U32, 0 },
	{ "pm-timer-port", PROP_U32, 0 },
	{ NULL, 0, 0 },
};

static const struct prop_spec iommu_props[] = {
	{ "type", PROP_STRING, 1 }, { "base", PROP_U64, 1 },
	{ "size", PROP_U32, 1 },    { "amd-bdf", PROP_U32, 0 },
	{ "amd-cap", PROP_U32, 0 }, { NULL, 0, 0 },
};

static void parse_iommu(const struct dt *dt, int node, struct brig_iommu *u)
{
	__u32 type = 0;

	dt_check_node(dt, node, iommu_props, (const char *const[]){ NULL });
	dt_enum(dt, node, "type", iommu_types, &type);
	u->type = type;
	u->base = dt_u64(dt, node, "base", 0);
	u->size = dt_u32(dt, node, "size", 0);
	u->amd_bdf = (__u16)dt_u32_max(dt, node, "amd-bdf", 0, 0xffff);
	u->amd_cap = (__u8)dt_u32_max(dt, node, "amd-cap", 0, 0xff);
}

/* "iommu" or "iommu@<unit-address>" */
static int is_iommu_node(const char *name)
{
	return !strncmp(name, "iommu", 5) &&
	       (name[5] == '\0' || name[5] == '@');
}

static void parse_platform(const struct dt *dt, int node,
			   struct brig_platform *p, struct srcmap *map)
{
	const char *name;
	unsigned int n = 0;
	int child;

	map->platform = dt_path(dt, node);
	dt_check_node(dt, node, platform_props, NULL);
	p->pci_mmconfig_base = dt_u64(dt, node, "pci-mmconfig-base", 0);
	p->pci_mmconfig_end_bus =
		(__u8)dt_u32_max(dt, node, "pci-mmconfig-end-bus", 0, 0xff);
	p->pm_timer_port =
		(__u16)dt_u32_max(dt, node, "pm-timer-port", 0, 0xffff);
	fdt_for_each_subnode(child, dt->fdt, node) {
		name = fdt_get_name(dt->fdt, child, NULL);
		if (!is_iommu_node(name)) {
			dt_error(dt, child, "unknown node \"%s\"", name);
		} else if (n == BRIG_MAX_IOMMU_UNITS) {
			dt_error(dt, child, "more than %u IOMMU units",
				 BRIG_MAX_IOMMU_UNITS);
		} else {
			map->iommu[n] = dt_path(dt, child);
			parse_iommu(dt, child, &p->iommu_units[n++]);
		}
	}
	p->num_iommu_units = n;
}

/* Each property of /smt-siblings lists the CPUs of one core. */
static void parse_smt(const struct dt *dt, int node, struct config *cfg)
{
	const char *name;
	int off, len;

	fdt_for_each_property_offset(off, dt->fdt, node) {
		const void *v =
			fdt_getprop_by_offset(dt->fdt, off, &name, &len);
		struct smt_group *g;

		if (!v || !strcmp(name, "phandle"))
			continue;
		if (len <= 0 || len % 4) {
			dt_error(
				dt, node,
				"property \"%s\" must be a non-empty list of 32-bit numbers (the CPUs of one core)",
				name);
			continue;
		}
		cfg->smt = xrealloc(cfg->smt,
				    (cfg->num_smt + 1) * sizeof(*cfg->smt));
		g = &cfg->smt[cfg->num_smt++];
		g->name = xstrdup(name);
		g->num_cpus = dt_u32_list(dt, node, name, &g->cpus);
	}
	fdt_for_each_subnode(off, dt->fdt, node)
		dt_error(dt, off, "unknown node \"%s\"",
			 fdt_get_name(dt->fdt, off, NULL));
}

static const struct prop_spec system_props[] = {
	{ "compatible", PROP_STRING, 1 },
	{ "architecture", PROP_STRING, 1 },
	{ NULL, 0, 0 },
};

static const char *const system_children[] = {
	"hypervisor",	"debug-console", "platform",
	"smt-siblings", "root-cell",	 NULL,
};

static int required_child(const struct dt *dt, int node, const char *name)
{
	int child = dt_child(dt, node, name);

	if (child < 0)
		dt_error(dt, node, "missing node \"%s\"", name);
	return child;
}

static void parse_system(const struct dt *dt, struct brig_system_desc *s,
			 struct cell_build *cb, struct config *cfg)
{
	__u32 arch = 0;
	int node;

	memcpy(s->signature, BRIG_SYSTEM_SIGNATURE, BRIG_SIGNATURE_LEN);
	s->revision = BRIG_CONFIG_REVISION;
	dt_check_node(dt, 0, system_props, system_children);
	dt_enum(dt, 0, "architecture", arch_names, &arch);
	s->architecture = (__u16)arch;

	node = required_child(dt, 0, "hypervisor");
	cfg->map.hypervisor = dt_path(dt, node >= 0 ? node : 0);
	if (node >= 0) {
		dt_check_node(dt, node, hypervisor_props,
			      (const char *const[]){ NULL });
		s->hypervisor_memory.phys_start =
			dt_u64(dt, node, "phys-start", 0);
		s->hypervisor_memory.size = dt_u64(dt, node, "size", 0);
	}
	node = dt_child(dt, 0, "debug-console");
	if (node >= 0)
		parse_console(dt, node, &s->debug_console,
			      &cfg->map.debug_console);
	node = dt_child(dt, 0, "platform");
	if (node >= 0)
		parse_platform(dt, node, &s->platform, &cfg->map);
	node = dt_child(dt, 0, "smt-siblings");
	cfg->smt_named = node >= 0;
	if (node >= 0)
		parse_smt(dt, node, cfg);
	node = required_child(dt, 0, "root-cell");
	if (node >= 0)
		parse_cell(dt, node, 1, (__u16)arch, cb, &cfg->map);
}

/* --- output --------------------------------------------------------------- */

/*
 * src may be NULL when len is 0: a description that failed the schema
 * (a cell whose root says "brig,system" has no root-cell node, so the root
 * cell's arrays were never parsed) is still serialized, for config_free().
 */
static void append(char **p, const void *src, size_t len)
{
	if (!len)
		return;
	memcpy(*p, src, len);
	*p += len;
}

/* The cell's variable parts, in the order config.h defines. */
static void *serialize(const void *fixed, size_t fixed_size,
		       const struct cell_build *cb, size_t *size)
{
	const struct brig_cell_desc *h = &cb->hdr;
	char *blob, *p;

	*size = fixed_size + h->cpu_set_size +
		h->num_memory_regions * sizeof(*cb->mem) +
		h->num_port_ranges * sizeof(*cb->pio) +
		h->num_irqchips * sizeof(*cb->irq) +
		h->num_pci_devices * sizeof(*cb->pci);
	blob = p = xcalloc(1, *size);
	append(&p, fixed, fixed_size);
	append(&p, cb->cpus, h->cpu_set_size);
	append(&p, cb->mem, h->num_memory_regions * sizeof(*cb->mem));
	append(&p, cb->pio, h->num_port_ranges * sizeof(*cb->pio));
	append(&p, cb->irq, h->num_irqchips * sizeof(*cb->irq));
	append(&p, cb->pci, h->num_pci_devices * sizeof(*cb->pci));
	return blob;
}

static void free_build(struct cell_build *cb)
{
	free(cb->mem);
	free(cb->pio);
	free(cb->irq);
	free(cb->pci);
}

/* Which kind of description this is, from its compatible string. */
static int description_kind(const struct dt *dt, int *is_system)
{
	const char *compat = dt_string(dt, 0, "compatible");

	if (compat && !strcmp(compat, "brig,system")) {
		*is_system = 1;
		return 0;
	}
	if (compat && !strcmp(compat, "brig,cell")) {
		*is_system = 0;
		return 0;
	}
	dt_error(
		dt, 0,
		"property \"compatible\" must be \"brig,system\" (a system description) or \"brig,cell\" (a cell description)");
	return -1;
}

int dtb_to_config(const void *fdt, size_t fdt_size, struct config *cfg,
		  struct diags *d)
{
	struct dt dt = { .fdt = fdt, .file = cfg->file, .d = d };
	unsigned int errors = d->errors;
	struct cell_build cb = { 0 };
	struct brig_system_desc sys = { 0 };
	__u32 arch = 0;

	/*
	 * Version 17 only, what dtc writes: Debian's libfdt 1.6.1 dereferences
	 * NULL in fdt_check_full() on some blobs of older versions (found by
	 * tests/fuzz/fuzz-dtb), whose layout brig has no use for anyway.
	 */
	if (fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) ||
	    fdt_version(fdt) != 17) {
		diag_add(
			d, BRIG_CHECK_ERROR, cfg->file, NULL,
			"not a valid device-tree blob (brig reads version 17, as dtc writes it)");
		return -1;
	}
	if (fdt_check_full(fdt, fdt_size)) {
		diag_add(d, BRIG_CHECK_ERROR, cfg->file, NULL,
			 "not a valid device-tree blob");
		return -1;
	}
	if (description_kind(&dt, &cfg->is_system))
		return -1;
	if (cfg->is_system) {
		parse_system(&dt, &sys, &cb, cfg);
		sys.root_cell = cb.hdr;
		cfg->blob = serialize(&sys, sizeof(sys), &cb, &cfg->size);
	} else {
		dt_enum(&dt, 0, "architecture", arch_names, &arch);
		parse_cell(&dt, 0, 0, (__u16)arch, &cb, &cfg->map);
		cfg->blob = serialize(&cb.hdr, sizeof(cb.hdr), &cb, &cfg->size);
	}
	free_build(&cb);
	return d->errors == errors ? 0 : -1;
}
