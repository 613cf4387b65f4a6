// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the description compiler and checker as the user meets
 * them: device-tree source in, diagnostics with node paths out.
 *
 * The broken descriptions are the board files of configs/x86 with one edit
 * each (a text replacement that must match exactly once, so a case cannot
 * silently stop testing anything when a board file changes). Each case
 * asserts the exact node path and message of its first error and the
 * total number of errors. Then: the board files pass, warnings do not
 * count as errors, DTS -> blob -> fields round trip, and .dtb and .cell
 * inputs give the same blob.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "brig-tool.h"

#define BOARD TOP "/configs/x86/"
#define QEMU_SYS BOARD "qemu-x86.dts"
#define QEMU_HELLO BOARD "qemu-x86-hello.dts"

static char tmpdir[] = "/tmp/brig-unit-XXXXXX";

static char *slurp(const char *path)
{
	struct diags d = { 0 };
	size_t size;
	char *data = read_file(path, MAX_DESCRIPTION_SIZE, "a description",
			       &size, &d);

	assert_non_null(data);
	data = xrealloc(data, size + 1);
	data[size] = '\0';
	diags_free(&d);
	return data;
}

/* base with old replaced by new; old must occur exactly once. */
static char *edit(const char *base, const char *old, const char *new)
{
	const char *at = strstr(base, old);
	size_t pre;
	char *out;

	if (!at || strstr(at + 1, old))
		fail_msg("edit target must occur exactly once: %s", old);
	pre = (size_t)(at - base);
	out = xmalloc(strlen(base) - strlen(old) + strlen(new) + 1);
	memcpy(out, base, pre);
	strcpy(out + pre, new);
	strcat(out, at + strlen(old));
	return out;
}

static char *write_tmp(const char *name, const void *data, size_t size)
{
	struct diags d = { 0 };
	char *path = xasprintf("%s/%s", tmpdir, name);

	assert_int_equal(write_file(path, data, size, &d), 0);
	diags_free(&d);
	return path;
}

static void print_diags(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  diag: %s | %s | %s\n", d->v[i].file,
			      d->v[i].path, d->v[i].msg);
}

/*
 * Loads a system and optionally a cell and checks them as `brig config
 * check` does. Returns the number of errors; diagnostics in d.
 */
static unsigned int check_files(const char *sys_path, const char *cell_path,
				struct diags *d)
{
	struct config cfg[2];
	unsigned int n = cell_path ? 1 : 0, failed = 0;

	failed += config_load(sys_path, &cfg[0], d) != 0;
	if (cell_path)
		failed += config_load(cell_path, &cfg[1], d) != 0;
	if (!failed)
		config_check_set(&cfg[0], &cfg[1], n, d);
	config_free(&cfg[0]);
	if (cell_path)
		config_free(&cfg[1]);
	return d->errors;
}

struct broken {
	const char *name;
	int edit_system; /* edit the system description, else the cell */
	const char *old, *new;
	const char *path; /* of the first error */
	const char *msg;
	unsigned int errors;
};

/*
 * An ivshmem node (peer 0 of channel 1, 16 KiB at 0x3e000000 in the
 * reserved pool) in front of the hello cell's ports; IVSHMEM_NODE takes
 * the node's properties after type and bdf.
 */
#define IVSHMEM_NODE(props)                                                    \
	"\tpci-devices {\n\t\tivshmem@0,14,0 {\n\t\t\ttype = \"ivshmem\";\n"   \
	"\t\t\tbdf = <0 14 0>;\n" props "\t\t};\n\t};\n\tports {"
#define IVSHMEM_REQUIRED                                                       \
	"\t\t\tchannel = <1>;\n\t\t\tpeer = <0>;\n\t\t\tpeers = <2>;\n"        \
	"\t\t\tshmem-phys = <0x3e000000>;\n\t\t\tbar-base = <0xc0000000>;\n"
#define IVSHMEM_PATH "/pci-devices/ivshmem@0,14,0"

static const struct broken cases[] = {
	{ "unknown property", 0, "entry = <0x0>;",
	  "entry = <0x0>;\n\tentyr = <1>;", "/", "unknown property \"entyr\"",
	  1 },
	{ "unknown node", 0, "\tports {", "\tbogus { };\n\tports {", "/bogus",
	  "unknown node \"bogus\"", 1 },
	{ "wrong property length", 0, "size = <0x100000>;", "size = <1 2 3>;",
	  "/memory/ram@0",
	  "property \"size\" must be one number of 32 or 64 bits, like <0x100000> or /bits/ 64 <0x100000>",
	  1 },
	{ "string where a number belongs", 0, "shutdown-timeout-ms = <1000>;",
	  "shutdown-timeout-ms = \"1s\";", "/",
	  "property \"shutdown-timeout-ms\" must be one 32-bit number, like <0x2f8>",
	  1 },
	{ "unknown unowned-ports policy", 0, "shutdown-timeout-ms = <1000>;",
	  "shutdown-timeout-ms = <1000>;\n\tunowned-ports = \"probe\";", "/",
	  "property \"unowned-ports\": unknown value \"probe\" (known: strict, ignore)",
	  1 },
	{ "unknown unowned-msrs policy", 0, "shutdown-timeout-ms = <1000>;",
	  "shutdown-timeout-ms = <1000>;\n\tunowned-msrs = \"ignore\";", "/",
	  "property \"unowned-msrs\": unknown value \"ignore\" (known: strict, fault)",
	  1 },
	{ "unowned-ports in the root", 1, "cpus = <0 1 2 3>;",
	  "cpus = <0 1 2 3>;\n\t\tunowned-ports = \"ignore\";", "/root-cell",
	  "unknown property \"unowned-ports\"", 1 },
	{ "flag with a value", 0, "shutdown-timeout-ms = <1000>;",
	  "shutdown-timeout-ms = <1000>;\n\tpassive-comm-region = <1>;", "/",
	  "property \"passive-comm-region\" must have no value (it is a flag)",
	  1 },
	{ "unknown flag", 0, "\"loadable\"", "\"loadabel\"", "/memory/ram@0",
	  "property \"flags\": unknown value \"loadabel\" (known: read, write, execute, dma, loadable, comm-region, root-shared, reserved)",
	  1 },
	{ "missing property", 0, "size = <0x100000>;\n\t\t\ttype = \"ram\";",
	  "size = <0x100000>;", "/memory/ram@0", "missing property \"type\"",
	  1 },
	{ "wrong compatible", 0, "\"brig,cell\"", "\"brig,cel\"", "/",
	  "property \"compatible\" must be \"brig,system\" (a system description) or \"brig,cell\" (a cell description)",
	  1 },
	{ "empty cpus", 0, "cpus = <1>;", "cpus;", "/",
	  "property \"cpus\" must be a non-empty list of 32-bit numbers", 1 },
	{ "cpu listed twice", 0, "cpus = <1>;", "cpus = <1 1>;", "/",
	  "property \"cpus\": CPU 1 is listed twice", 1 },
	{ "name too long", 0, "\"hello\"",
	  "\"a-cell-name-much-longer-than-31-chars\"", "/",
	  "property \"cell-name\": \"a-cell-name-much-longer-than-31-chars\" is longer than 31 characters",
	  1 },
	{ "cpu 0 given away", 0, "cpus = <1>;", "cpus = <0>;", "/",
	  "CPU 0 stays with the root cell: Linux cannot give up the CPU it booted on",
	  1 },
	{ "cpu not in root", 0, "cpus = <1>;", "cpus = <7>;", "/",
	  "CPU 7 is not one of the root cell's CPUs", 1 },
	{ "memory on the hypervisor", 0, "phys-start = <0x3b000000>;",
	  "phys-start = <0x3a000000>;", "/memory/ram@0",
	  "host-physical range 0x3a000000-0x3a0fffff overlaps the hypervisor region 0x3a000000-0x3affffff",
	  1 },
	{ "memory in System RAM", 0, "phys-start = <0x3b000000>;",
	  "phys-start = <0x1000000>;", "/memory/ram@0",
	  "host-physical range 0x1000000-0x10fffff is not inside a reserved RAM region of the root cell (memory Linux does not use)",
	  1 },
	{ "unaligned size", 0, "size = <0x100000>;", "size = <0xff800>;",
	  "/memory/ram@0",
	  "phys 0x3b000000, virt 0x0 and size 0xff800 must all be multiples of 4 KiB",
	  1 },
	{ "guest range wraps", 0, "virt-start = <0x0>;",
	  "virt-start = /bits/ 64 <0xfffffffffff80000>;", "/memory/ram@0",
	  "range wraps around the end of the address space", 2 },
	{ "regions overlap", 0, "virt-start = <0x100000>;",
	  "virt-start = <0xff000>;", "/memory/comm@100000",
	  "guest-physical range 0xff000-0xfffff overlaps memory region 0 (0x0-0xfffff)",
	  1 },
	{ "no comm region", 0, "\"read\", \"write\", \"comm-region\"",
	  "\"read\", \"write\"", "/",
	  "the cell has no comm region (a RAM region flagged comm-region)", 1 },
	{ "read-only comm region", 0, "\"read\", \"write\", \"comm-region\"",
	  "\"read\", \"comm-region\"", "/memory/comm@100000",
	  "the comm region must be RAM with read and write access", 1 },
	{ "reserved flag in a cell", 0, "\"loadable\"",
	  "\"loadable\", \"reserved\"", "/memory/ram@0",
	  "the reserved flag is only meaningful in the root cell", 1 },
	{ "writable shared ports", 0, "\"read\", \"shared\"",
	  "\"read\", \"write\", \"shared\"", "/ports/pm-timer",
	  "a shared port range must be read-only (read without write)", 1 },
	{ "ports past 0xffff", 0, "base = <0x608>;", "base = <0xfffe>;",
	  "/ports/pm-timer",
	  "base 0xfffe length 0x4 is not a non-empty range inside ports 0x0-0xffff",
	  1 },
	{ "unknown console type", 0, "\"pio-8250\"", "\"pio-8251\"", "/console",
	  "property \"type\": unknown value \"pio-8251\" (known: none, pio-e9, pio-8250, mmio-8250)",
	  1 },
	{ "console without its ports", 0, "address = <0x2f8>;",
	  "address = <0x3f8>;", "/console",
	  "console ports 0x3f8-0x3ff are not in a writable port range of the cell",
	  1 },
	{ "entry outside executable RAM", 0, "entry = <0x0>;",
	  "entry = <0x100000>;", "/",
	  "entry 0x100000 is not inside an executable RAM region of the cell",
	  1 },
	{ "irqchip source id too wide", 0, "\tports {",
	  "\tirqchips {\n\t\tioapic@fec00000 {\n\t\t\taddress = <0xfec00000>;\n"
	  "\t\t\tid = <0x10000>;\n\t\t\tpins = <4>;\n\t\t};\n\t};\n\tports {",
	  "/irqchips/ioapic@fec00000",
	  "property \"id\": 0x10000 is larger than 0xffff", 1 },
	{ "pci bridge in a cell", 0, "\tports {",
	  "\tpci-devices {\n\t\tbridge@0,3,0 {\n\t\t\ttype = \"bridge\";\n"
	  "\t\t\tbdf = <0 3 0>;\n\t\t};\n\t};\n\tports {",
	  "/pci-devices/bridge@0,3,0",
	  "PCI bridges cannot be given to a cell yet (not implemented)", 1 },
	{ "bad bdf", 0, "\tports {",
	  "\tpci-devices {\n\t\tedu {\n\t\t\ttype = \"device\";\n"
	  "\t\t\tbdf = <0 32 0>;\n\t\t};\n\t};\n\tports {",
	  "/pci-devices/edu",
	  "property \"bdf\" must be <bus device function> with bus <= 0xff, device <= 0x1f, function <= 7",
	  1 },
	{ "console divider past 16 bits", 0, "divider = <1>;",
	  "divider = <0x10000>;", "/console",
	  "divider 0x10000 does not fit the 16-bit divisor latch of a 16550 UART (at most 0xffff)",
	  1 },
	{ "cell name with a space", 0, "\"hello\"", "\"hel lo\"", "/",
	  "name \"hel lo\" may only have letters, digits, '.', '_' and '-'",
	  1 },
	/* the root of a cell description says it is a system */
	{ "cell that says brig,system", 0, "\"brig,cell\"", "\"brig,system\"",
	  "/", "unknown property \"cell-name\"", 9 },
	/* --- ivshmem --- */
	{ "ivshmem without channel", 0, "\tports {",
	  IVSHMEM_NODE("\t\t\tpeer = <0>;\n\t\t\tpeers = <2>;\n"
		       "\t\t\tshmem-phys = <0x3e000000>;\n"
		       "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH, "missing property \"channel\"", 1 },
	{ "ivshmem without its required properties", 0, "\tports {",
	  IVSHMEM_NODE(""), IVSHMEM_PATH, "missing property \"channel\"", 5 },
	{ "ivshmem with bar-mask", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tbar-mask = <0 0 0 0 0 0>;\n"),
	  IVSHMEM_PATH,
	  "property \"bar-mask\" does not apply to type \"ivshmem\"", 1 },
	{ "ivshmem with reset", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\treset = \"none\";\n"),
	  IVSHMEM_PATH, "property \"reset\" does not apply to type \"ivshmem\"",
	  1 },
	{ "unknown reset policy", 0, "\tports {",
	  "\tpci-devices {\n\t\tedu {\n\t\t\ttype = \"device\";\n"
	  "\t\t\tbdf = <0 3 0>;\n\t\t\treset = \"later\";\n"
	  "\t\t};\n\t};\n\tports {",
	  "/pci-devices/edu",
	  "property \"reset\": unknown value \"later\" (known: required, none)",
	  1 },
	{ "ivshmem with iommu", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tiommu = <0>;\n"), IVSHMEM_PATH,
	  "property \"iommu\" does not apply to type \"ivshmem\"", 1 },
	{ "ivshmem property on a device", 0, "\tports {",
	  "\tpci-devices {\n\t\tedu {\n\t\t\ttype = \"device\";\n"
	  "\t\t\tbdf = <0 3 0>;\n\t\t\tshmem-phys = <0x3e000000>;\n"
	  "\t\t};\n\t};\n\tports {",
	  "/pci-devices/edu",
	  "property \"shmem-phys\" applies to type \"ivshmem\" only", 1 },
	{ "ivshmem channel past 16 bits", 0, "\tports {",
	  IVSHMEM_NODE("\t\t\tchannel = <0x10000>;\n\t\t\tpeer = <0>;\n"
		       "\t\t\tpeers = <2>;\n\t\t\tshmem-phys = <0x3e000000>;\n"
		       "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH, "property \"channel\": 0x10000 is larger than 0xffff",
	  1 },
	{ "ivshmem peer past 8 bits", 0, "\tports {",
	  IVSHMEM_NODE("\t\t\tchannel = <1>;\n\t\t\tpeer = <0x100>;\n"
		       "\t\t\tpeers = <2>;\n\t\t\tshmem-phys = <0x3e000000>;\n"
		       "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH, "property \"peer\": 0x100 is larger than 0xff", 1 },
	{ "ivshmem peers past 8 bits", 0, "\tports {",
	  IVSHMEM_NODE(
		  "\t\t\tchannel = <1>;\n\t\t\tpeer = <0>;\n"
		  "\t\t\tpeers = <0x102>;\n\t\t\tshmem-phys = <0x3e000000>;\n"
		  "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH, "property \"peers\": 0x102 is larger than 0xff", 1 },
	{ "ivshmem protocol past 16 bits", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tprotocol = <0x14000>;\n"),
	  IVSHMEM_PATH, "property \"protocol\": 0x14000 is larger than 0xffff",
	  1 },
	{ "ivshmem vectors past 16 bits", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tvectors = <0x10001>;\n"),
	  IVSHMEM_PATH, "property \"vectors\": 0x10001 is larger than 0xffff",
	  1 },
	{ "ivshmem size as a string", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\trw-size = \"4k\";\n"),
	  IVSHMEM_PATH,
	  "property \"rw-size\" must be one 32-bit number, like <0x2f8>", 1 },
	{ "ivshmem with one peer", 0, "\tports {",
	  IVSHMEM_NODE("\t\t\tchannel = <1>;\n\t\t\tpeer = <0>;\n"
		       "\t\t\tpeers = <1>;\n\t\t\tshmem-phys = <0x3e000000>;\n"
		       "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH, "ivshmem num_peers 1 is not between 2 and 16", 1 },
	{ "ivshmem virtio protocol", 0, "\tports {",
	  IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tprotocol = <0x8001>;\n"),
	  IVSHMEM_PATH,
	  "ivshmem protocol 0x8001 is a virtio transport (0x8000-0xffff), which brig does not support",
	  1 },
	{ "ivshmem memory in System RAM", 0, "\tports {",
	  IVSHMEM_NODE("\t\t\tchannel = <1>;\n\t\t\tpeer = <0>;\n"
		       "\t\t\tpeers = <2>;\n\t\t\tshmem-phys = <0x1000000>;\n"
		       "\t\t\tshmem-virt = <0x200000>;\n"
		       "\t\t\tbar-base = <0xc0000000>;\n"),
	  IVSHMEM_PATH,
	  "ivshmem shared memory: host-physical range 0x1000000-0x1000fff is not inside a reserved RAM region of the root cell (memory Linux does not use)",
	  1 },
	{ "root ivshmem BARs in a root region", 1, "\t\tports {",
	  "\t\tpci-devices {\n\t\t\tivshmem@0,14,0 {\n"
	  "\t\t\t\ttype = \"ivshmem\";\n\t\t\t\tbdf = <0 14 0>;\n"
	  "\t\t\t\tchannel = <1>;\n\t\t\t\tpeer = <0>;\n"
	  "\t\t\t\tpeers = <2>;\n\t\t\t\tshmem-phys = <0x3e000000>;\n"
	  "\t\t\t\tbar-base = <0xc0000000>;\n\t\t\t};\n\t\t};\n\t\tports {",
	  "/root-cell/pci-devices/ivshmem@0,14,0",
	  "ivshmem BARs: range 0xc0000000-0xc0001fff overlaps memory region 9 (0xc0000000-0xfebfffff) of the root cell: the root's accesses to them must trap",
	  1 },
	/* --- system descriptions --- */
	{ "unaligned hypervisor", 1, "phys-start = <0x3a000000>;",
	  "phys-start = <0x39f00000>;", "/hypervisor",
	  "start 0x39f00000 and size 0x1000000 must be non-zero multiples of 2 MiB (the driver maps the hypervisor with 2 MiB pages)",
	  1 },
	{ "root without CPU 0", 1, "cpus = <0 1 2 3>;", "cpus = <1 2 3>;",
	  "/root-cell", "the root cell must own CPU 0, the CPU Linux booted on",
	  1 },
	{ "root not 1:1", 1, "phys-start = <0xfed00000>;",
	  "phys-start = <0xfed00000>;\n\t\t\t\tvirt-start = <0xfed01000>;",
	  "/root-cell/memory/hpet@fed00000",
	  "root cell memory must be mapped 1:1, but phys 0xfed00000 != virt 0xfed01000",
	  1 },
	{ "root maps the hypervisor", 1, "size = <0xa000000>;",
	  "size = <0xa001000>;", "/root-cell/memory/linux-pool@30000000",
	  "host-physical range 0x30000000-0x3a000fff overlaps the hypervisor region 0x3a000000-0x3affffff",
	  1 },
	{ "pool not reserved", 1,
	  "size = <0x4fdf000>;\n\t\t\t\ttype = \"ram\";\n\t\t\t\tflags = \"read\", \"write\", \"execute\", \"dma\",\n\t\t\t\t\t\"reserved\"",
	  "size = <0x4fdf000>;\n\t\t\t\ttype = \"ram\";\n\t\t\t\tflags = \"read\", \"write\", \"execute\", \"dma\"",
	  "/memory/ram@0",
	  "host-physical range 0x3b000000-0x3b0fffff is not inside a reserved RAM region of the root cell (memory Linux does not use)",
	  2 },
	{ "misspelt hypervisor node", 1, "hypervisor {", "hypervisr {",
	  "/hypervisr", "unknown node \"hypervisr\"", 2 },
	{ "cell-only property in root", 1, "cpus = <0 1 2 3>;",
	  "cpus = <0 1 2 3>;\n\t\tentry = <0>;", "/root-cell",
	  "unknown property \"entry\"", 1 },
	{ "debug console port past 0xffff", 1, "address = <0xe9>;",
	  "address = <0x100e9>;", "/debug-console",
	  "console port 0x100e9 is outside ports 0x0-0xffff", 1 },
	{ "debug console divider past 16 bits", 1,
	  "type = \"pio-e9\";\n\t\taddress = <0xe9>;",
	  "type = \"pio-8250\";\n\t\taddress = <0x3f8>;\n"
	  "\t\tdivider = <0xffffffff>;",
	  "/debug-console",
	  "divider 0xffffffff does not fit the 16-bit divisor latch of a 16550 UART (at most 0xffff)",
	  1 },
	{ "root cell name with a space", 1, "\"qemu-q35\"", "\"qemu q35\"",
	  "/root-cell",
	  "name \"qemu q35\" may only have letters, digits, '.', '_' and '-'",
	  1 },
	{ "mmconfig over the local APIC", 1,
	  "pci-mmconfig-base = <0xb0000000>;\n\t\tpci-mmconfig-end-bus = <0xff>;",
	  "pci-mmconfig-base = <0xfee00000>;\n\t\tpci-mmconfig-end-bus = <0>;",
	  "/platform",
	  "PCI MMCONFIG 0xfee00000-0xfeefffff (pci-mmconfig-base and -end-bus) overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff",
	  1 },
	{ "port number too large", 1, "pm-timer-port = <0x608>;",
	  "pm-timer-port = <0x10608>;", "/platform",
	  "property \"pm-timer-port\": 0x10608 is larger than 0xffff", 1 },
	{ "bad iommu type", 1, "pm-timer-port = <0x608>;",
	  "pm-timer-port = <0x608>;\n\t\tiommu@fed90000 {\n\t\t\ttype = \"vt-d\";\n"
	  "\t\t\tbase = <0xfed90000>;\n\t\t\tsize = <0x1000>;\n\t\t};",
	  "/platform/iommu@fed90000",
	  "property \"type\": unknown value \"vt-d\" (known: vtd, amd-vi)", 1 },
	{ "smt group with a foreign CPU", 1, "\tsmt-siblings {\n\t};",
	  "\tsmt-siblings {\n\t\tcore1 = <1 5>;\n\t};", "/smt-siblings",
	  "core \"core1\" lists CPU 5, which is not a root cell CPU", 1 },
};

static void broken_description(void **state)
{
	const struct broken *c = *state;
	char *base = slurp(c->edit_system ? QEMU_SYS : QEMU_HELLO);
	char *src = edit(base, c->old, c->new);
	char *path = write_tmp(c->edit_system ? "sys.dts" : "cell.dts", src,
			       strlen(src));
	struct diags d = { 0 };
	unsigned int errors;

	errors = c->edit_system ? check_files(path, QEMU_HELLO, &d) :
				  check_files(QEMU_SYS, path, &d);
	if (errors != c->errors || !d.n || strcmp(d.v[0].path, c->path) ||
	    strcmp(d.v[0].msg, c->msg)) {
		print_diags(&d);
		fail_msg("%s: want %u error(s), first %s: %s", c->name,
			 c->errors, c->path, c->msg);
	}
	assert_int_equal(d.v[0].severity, BRIG_CHECK_ERROR);
	diags_free(&d);
	unlink(path);
	free(path);
	free(src);
	free(base);
}

/* --- valid descriptions ----------------------------------------------------- */

static void board_files_pass(void **state)
{
	static const char *const boards[] = { "qemu", "bochs" };
	struct diags d = { 0 };
	char *sys, *sys2, *hello;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		sys = xasprintf(BOARD "%s-x86.dts", boards[i]);
		sys2 = xasprintf(BOARD "%s-x86-2cpu.dts", boards[i]);
		hello = xasprintf(BOARD "%s-x86-hello.dts", boards[i]);
		assert_int_equal(check_files(sys, hello, &d), 0);
		assert_int_equal(check_files(sys2, hello, &d), 0);
		assert_int_equal(check_files(sys, NULL, &d), 0);
		free(sys);
		free(sys2);
		free(hello);
	}
	/* Neither board describes an IOMMU: that, and only that, is said. */
	for (i = 0; i < d.n; i++)
		if (d.v[i].severity != BRIG_CHECK_WARNING ||
		    strncmp(d.v[i].msg, "names no IOMMU unit", 19)) {
			print_diags(&d);
			fail();
		}
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 6);
	diags_free(&d);
}

static void no_iommu_is_a_warning(void **state)
{
	char *vtd = xasprintf(BOARD "qemu-x86-vtd.dts");
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(check_files(vtd, NULL, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(check_files(QEMU_SYS, NULL, &d), 0);
	assert_int_equal(d.warnings, 1);
	assert_string_equal(d.v[0].path, "/platform");
	assert_string_equal(
		d.v[0].msg,
		"names no IOMMU unit: DMA and device interrupts are not isolated (any device, the root's included, can reach the hypervisor's and every cell's memory, and interrupt any CPU)");
	diags_free(&d);
	free(vtd);
}

static void smt_split_is_a_warning(void **state)
{
	char *base = slurp(QEMU_SYS);
	char *src = edit(base, "\tsmt-siblings {\n\t};",
			 "\tsmt-siblings {\n\t\tcore0 = <0 2>;\n"
			 "\t\tcore1 = <1 3>;\n\t};");
	char *path = write_tmp("smt.dts", src, strlen(src));
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(check_files(path, QEMU_HELLO, &d), 0);
	/* The SMT split, and the board's missing IOMMU. */
	assert_int_equal(d.warnings, 2);
	assert_int_equal(d.v[0].severity, BRIG_CHECK_WARNING);
	assert_string_equal(d.v[0].path, "/");
	assert_string_equal(d.v[0].file, QEMU_HELLO);
	assert_string_equal(
		d.v[0].msg,
		"takes 1 of the 2 SMT siblings of core \"core1\" but not CPU 3: the cell shares that core's caches and execution units with the root cell");
	diags_free(&d);
	unlink(path);
	free(path);
	free(src);
	free(base);
}

/* A system description without /smt-siblings: said, as a warning. */
static void smt_unnamed_is_a_warning(void **state)
{
	char *base = slurp(QEMU_SYS);
	char *src = edit(base, "\tsmt-siblings {\n\t};", "");
	char *path = write_tmp("nosmt.dts", src, strlen(src));
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(check_files(path, NULL, &d), 0);
	assert_int_equal(d.warnings, 2); /* and the board's missing IOMMU */
	assert_string_equal(d.v[0].path, "/");
	assert_string_equal(
		d.v[0].msg,
		"names no smt-siblings: which CPUs share a core is unknown, so no cell is checked for sharing one with the root (list each core's CPUs, or give an empty smt-siblings node for a machine without SMT)");
	diags_free(&d);
	unlink(path);
	free(path);
	free(src);
	free(base);
}

/* A fake sysfs: CPUs 0 and 1 one core, 2 alone, 3 offline (no topology). */
static char *fake_sysfs(void)
{
	static const char *const lists[] = { "0-1\n", "0-1\n", "2\n" };
	char *root = xasprintf("%s/sys", tmpdir);
	struct diags d = { 0 };

	for (unsigned int cpu = 0; cpu < 3; cpu++) {
		char *dir = xasprintf("%s/devices/system/cpu/cpu%u/topology",
				      root, cpu);
		char *cmd = xasprintf("mkdir -p %s", dir);
		char *file = xasprintf("%s/thread_siblings_list", dir);

		assert_int_equal(system(cmd), 0);
		assert_int_equal(write_file(file, lists[cpu],
					    strlen(lists[cpu]), &d),
				 0);
		free(dir);
		free(cmd);
		free(file);
	}
	{
		char *dir = xasprintf("%s/devices/system/cpu/cpu3", root);
		char *cmd = xasprintf("mkdir -p %s", dir);
		char *file = xasprintf("%s/online", dir);

		assert_int_equal(system(cmd), 0);
		assert_int_equal(write_file(file, "0\n", 2, &d), 0);
		free(dir);
		free(cmd);
		free(file);
	}
	diags_free(&d);
	return root;
}

/* check_smt_live on the system description path edited by old -> new. */
static void smt_live(const char *old, const char *new, struct diags *d)
{
	char *base = slurp(QEMU_SYS);
	char *src = old ? edit(base, old, new) : xstrdup(base);
	char *path = write_tmp("live.dts", src, strlen(src));
	char *root = fake_sysfs();
	struct config cfg;

	assert_int_equal(config_load(path, &cfg, d), 0);
	config_check_smt_live(&cfg, root, d);
	config_free(&cfg);
	unlink(path);
	free(root);
	free(path);
	free(src);
	free(base);
}

/*
 * The description's cores against the machine's: agreeing, none named
 * on an SMT machine, and each CPU whose siblings differ. A CPU sysfs
 * does not show (offline: CPU 3) is not judged.
 */
static void smt_live_check(void **state)
{
	struct diags d = { 0 };

	(void)state;
	smt_live("\tsmt-siblings {\n\t};",
		 "\tsmt-siblings {\n\t\tcore0 = <0 1>;\n\t};", &d);
	assert_int_equal(d.n, 0);

	smt_live("\tsmt-siblings {\n\t};", "", &d);
	assert_int_equal(d.warnings, 1);
	assert_string_equal(d.v[0].path, "/");
	assert_string_equal(
		d.v[0].msg,
		"this machine has SMT (sysfs), and the description names no smt-siblings: a cell may share a core with the root unnoticed");
	diags_free(&d);

	smt_live(NULL, NULL, &d); /* the board's: no SMT, it says */
	assert_int_equal(d.warnings, 2);
	assert_string_equal(d.v[0].path, "/smt-siblings");
	assert_string_equal(
		d.v[0].msg,
		"CPU 0 shares its core with CPUs 0-1 on this machine (sysfs), the description says 0 alone");
	assert_string_equal(
		d.v[1].msg,
		"CPU 1 shares its core with CPUs 0-1 on this machine (sysfs), the description says 1 alone");
	diags_free(&d);

	smt_live("\tsmt-siblings {\n\t};",
		 "\tsmt-siblings {\n\t\tcore0 = <0 2>;\n\t};", &d);
	assert_int_equal(d.warnings, 3);
	assert_string_equal(
		d.v[0].msg,
		"CPU 0 shares its core with CPUs 0-1 on this machine (sysfs), the description says 0,2");
	assert_string_equal(
		d.v[2].msg,
		"CPU 2 shares its core with CPUs 2 on this machine (sysfs), the description says 0,2");
	diags_free(&d);

	/* CPU 3 offline (nosmt): its core with CPU 2 is not judged. */
	smt_live(
		"\tsmt-siblings {\n\t};",
		"\tsmt-siblings {\n\t\tcore0 = <0 1>;\n\t\tcore1 = <2 3>;\n\t};",
		&d);
	assert_int_equal(d.n, 0);
}

/* --- round trip --------------------------------------------------------------- */

static void load_ok(const char *path, struct config *cfg)
{
	struct diags d = { 0 };

	if (config_load(path, cfg, &d))
		print_diags(&d);
	assert_int_equal(d.n, 0);
	diags_free(&d);
}

static void assert_region(const struct brig_memory *r, __u64 phys, __u64 virt,
			  __u64 size, __u32 type, __u32 flags)
{
	assert_int_equal(r->phys_start, phys);
	assert_int_equal(r->virt_start, virt);
	assert_int_equal(r->size, size);
	assert_int_equal(r->type, type);
	assert_int_equal(r->flags, flags);
}

static void hello_round_trip(void **state)
{
	const struct brig_cell_desc *c;
	const struct brig_port_range *p;
	struct config cfg;

	(void)state;
	load_ok(QEMU_HELLO, &cfg);
	assert_false(cfg.is_system);
	c = cfg.blob;
	assert_int_equal(cfg.size, brig_cell_desc_size(c));
	assert_memory_equal(c->signature, BRIG_CELL_SIGNATURE, 8);
	assert_int_equal(c->revision, BRIG_CONFIG_REVISION);
	assert_int_equal(c->architecture, BRIG_ARCH_X86_64);
	assert_string_equal(c->name, "hello");
	assert_int_equal(c->flags, 0);
	assert_int_equal(c->cpu_set_size, 8);
	assert_int_equal(brig_cell_cpu_set(c)[0], 1 << 1);
	assert_int_equal(c->entry, 0);
	assert_int_equal(c->shutdown_timeout_ms, 1000);
	assert_int_equal(c->console.type, BRIG_CON_PIO_8250);
	assert_int_equal(c->console.address, 0x2f8);
	assert_int_equal(c->console.divider, 1);
	assert_int_equal(c->num_memory_regions, 2);
	assert_region(&brig_cell_mem_regions(c)[0], 0x3b000000, 0, 0x100000,
		      BRIG_MEM_TYPE_RAM,
		      BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_EXECUTE |
			      BRIG_MEM_LOADABLE);
	assert_region(&brig_cell_mem_regions(c)[1], 0x3b100000, 0x100000,
		      0x1000, BRIG_MEM_TYPE_RAM,
		      BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_COMM_REGION);
	assert_int_equal(c->num_port_ranges, 2);
	p = brig_cell_port_ranges(c);
	assert_int_equal(p[0].base, 0x2f8);
	assert_int_equal(p[0].length, 8);
	assert_int_equal(p[0].flags, BRIG_PIO_READ | BRIG_PIO_WRITE);
	assert_int_equal(p[1].base, 0x608);
	assert_int_equal(p[1].length, 4);
	assert_int_equal(p[1].flags, BRIG_PIO_READ | BRIG_PIO_SHARED);
	assert_int_equal(c->num_irqchips, 0);
	assert_int_equal(c->num_pci_devices, 0);
	config_free(&cfg);
}

static void system_round_trip(void **state)
{
	const struct brig_system_desc *s;
	const struct brig_cell_desc *r;
	struct config cfg, cfg2;

	(void)state;
	load_ok(QEMU_SYS, &cfg);
	assert_true(cfg.is_system);
	s = cfg.blob;
	r = &s->root_cell;
	assert_int_equal(cfg.size, brig_system_desc_size(s));
	assert_memory_equal(s->signature, BRIG_SYSTEM_SIGNATURE, 8);
	assert_int_equal(s->hypervisor_memory.phys_start, 0x3a000000);
	assert_int_equal(s->hypervisor_memory.size, 0x1000000);
	assert_int_equal(s->debug_console.type, BRIG_CON_PIO_E9);
	assert_int_equal(s->debug_console.address, 0xe9);
	assert_int_equal(s->platform.pci_mmconfig_base, 0xb0000000);
	assert_int_equal(s->platform.pci_mmconfig_end_bus, 0xff);
	assert_int_equal(s->platform.pm_timer_port, 0x608);
	assert_int_equal(s->platform.num_iommu_units, 0);
	assert_string_equal(r->name, "qemu-q35");
	assert_int_equal(brig_cell_cpu_set(r)[0], 0xf);
	assert_int_equal(r->num_memory_regions, 17);
	assert_region(&brig_cell_mem_regions(r)[4], 0x30000000, 0x30000000,
		      0xa000000, BRIG_MEM_TYPE_RAM,
		      BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_EXECUTE |
			      BRIG_MEM_DMA | BRIG_MEM_RESERVED);
	assert_region(&brig_cell_mem_regions(r)[5], 0x3b000000, 0x3b000000,
		      0x4fdf000, BRIG_MEM_TYPE_RAM,
		      BRIG_MEM_READ | BRIG_MEM_WRITE | BRIG_MEM_EXECUTE |
			      BRIG_MEM_DMA | BRIG_MEM_RESERVED);
	assert_region(&brig_cell_mem_regions(r)[16], 0x100000000ull,
		      0x100000000ull, 0x800000000ull, BRIG_MEM_TYPE_MMIO,
		      BRIG_MEM_READ | BRIG_MEM_WRITE);
	assert_int_equal(r->num_port_ranges, 1);
	assert_int_equal(brig_cell_port_ranges(r)[0].length, 0x10000);

	/* The 2-CPU variant differs in the root CPU set only. */
	load_ok(BOARD "qemu-x86-2cpu.dts", &cfg2);
	assert_int_equal(cfg2.size, cfg.size);
	assert_int_equal(
		brig_cell_cpu_set(
			&((struct brig_system_desc *)cfg2.blob)->root_cell)[0],
		0x3);
	*(__u64 *)brig_cell_cpu_set(
		&((struct brig_system_desc *)cfg2.blob)->root_cell) = 0xf;
	assert_memory_equal(cfg.blob, cfg2.blob, cfg.size);
	config_free(&cfg);
	config_free(&cfg2);
}

static void iommu_round_trip(void **state)
{
	char *base = slurp(QEMU_SYS);
	char *src = edit(base, "pm-timer-port = <0x608>;",
			 "pm-timer-port = <0x608>;\n\t\tiommu@fed90000 {\n"
			 "\t\t\ttype = \"vtd\";\n\t\t\tbase = <0xfed90000>;\n"
			 "\t\t\tsize = <0x1000>;\n\t\t};");
	char *path = write_tmp("iommu.dts", src, strlen(src));
	const struct brig_iommu *u;
	struct config cfg;

	(void)state;
	load_ok(path, &cfg);
	u = &((struct brig_system_desc *)cfg.blob)->platform.iommu_units[0];
	assert_int_equal(
		((struct brig_system_desc *)cfg.blob)->platform.num_iommu_units,
		1);
	assert_int_equal(u->type, BRIG_IOMMU_VTD);
	assert_int_equal(u->base, 0xfed90000);
	assert_int_equal(u->size, 0x1000);
	config_free(&cfg);
	unlink(path);
	free(path);
	free(src);
	free(base);
}

/* .dtb and .cell inputs give exactly the blob the .dts gives. */
static void dtb_and_cell_inputs(void **state)
{
	struct config from_dts, from_dtb, from_cell;
	struct diags d = { 0 };
	char *dtb_path, *cell_path;
	size_t size;
	void *dtb;

	(void)state;
	load_ok(QEMU_HELLO, &from_dts);
	dtb = dts_compile(QEMU_HELLO, &size, &d);
	assert_non_null(dtb);
	dtb_path = write_tmp("hello.dtb", dtb, size);
	cell_path = write_tmp("hello.cell", from_dts.blob, from_dts.size);
	load_ok(dtb_path, &from_dtb);
	load_ok(cell_path, &from_cell);
	assert_int_equal(from_dtb.size, from_dts.size);
	assert_memory_equal(from_dtb.blob, from_dts.blob, from_dts.size);
	assert_int_equal(from_cell.size, from_dts.size);
	assert_memory_equal(from_cell.blob, from_dts.blob, from_dts.size);
	assert_null(from_cell.map.cell); /* no source: no node paths */
	config_free(&from_dts);
	config_free(&from_dtb);
	config_free(&from_cell);
	unlink(dtb_path);
	unlink(cell_path);
	free(dtb_path);
	free(cell_path);
	free(dtb);
}

/*
 * A device-tree blob of another version is refused before libfdt walks
 * it (Debian's libfdt 1.6.1 crashed on a version-9 blob the fuzzer made).
 */
static void old_dtb_version_refused(void **state)
{
	struct config cfg = { 0 };
	struct diags d = { 0 };
	unsigned char *dtb;
	size_t size;

	(void)state;
	dtb = dts_compile(QEMU_HELLO, &size, &d);
	assert_non_null(dtb);
	dtb[0x17] = 9; /* version, big endian */
	cfg.file = strdup("old.dtb");
	assert_int_equal(dtb_to_config(dtb, size, &cfg, &d), -1);
	assert_int_equal(d.errors, 1);
	assert_string_equal(
		d.v[0].msg,
		"not a valid device-tree blob (brig reads version 17, as dtc writes it)");
	diags_free(&d);
	config_free(&cfg);
	free(dtb);
}

/* Reports on a .cell blob name the blob's parts, having no nodes. */
static void corrupted_cell_file(void **state)
{
	struct config cfg;
	struct diags d = { 0 };
	char *path;

	(void)state;
	load_ok(QEMU_HELLO, &cfg);
	((struct brig_memory *)brig_cell_mem_regions(cfg.blob))[1].size =
		0x1800;
	path = write_tmp("bad.cell", cfg.blob, cfg.size);
	config_free(&cfg);
	assert_int_equal(check_files(QEMU_SYS, path, &d), 1);
	assert_string_equal(d.v[0].path, "memory region 1");
	assert_string_equal(
		d.v[0].msg,
		"phys 0x3b100000, virt 0x100000 and size 0x1800 must all be multiples of 4 KiB");
	diags_free(&d);

	/* and cut short */
	load_ok(QEMU_HELLO, &cfg);
	unlink(path);
	free(path);
	path = write_tmp("short.cell", cfg.blob, cfg.size - 16);
	assert_int_equal(check_files(QEMU_SYS, path, &d), 1);
	assert_string_equal(d.v[0].path, "cell header");
	assert_string_equal(
		d.v[0].msg,
		"blob is 0xd8 bytes but its header describes 0xe8 bytes (truncated or corrupted file)");
	diags_free(&d);
	config_free(&cfg);
	unlink(path);
	free(path);
}

static void dump_shows_every_field(void **state)
{
	static const char expected[] =
		"cell description\n"
		"  signature \"BRIGCELL\" revision 1 architecture x86-64 (1)\n"
		"  name \"hello\"\n"
		"  flags 0x0\n"
		"  entry 0x0\n"
		"  shutdown-timeout-ms 1000\n"
		"  console: type pio-8250 (2) address 0x2f8 divider 1\n"
		"  reserved 0x0 0x0 0x0 0x0\n"
		"  cpus (cpu_set_size 8): 1\n"
		"  memory[0]: phys 0x3b000000 virt 0x0 size 0x100000 type ram flags read,write,execute,loadable\n"
		"  memory[1]: phys 0x3b100000 virt 0x100000 size 0x1000 type ram flags read,write,comm-region\n"
		"  ports[0]: base 0x2f8 length 0x8 flags read,write reserved 0x0\n"
		"  ports[1]: base 0x608 length 0x4 flags read,shared reserved 0x0\n";
	struct config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_ok(QEMU_HELLO, &cfg);
	out = open_memstream(&text, &len);
	config_dump(out, cfg.blob, 0);
	fclose(out);
	assert_string_equal(text, expected);
	free(text);
	config_free(&cfg);
}

/* hello with an ivshmem node holding props, as a file in tmpdir. */
static char *ivshmem_cell(const char *name, const char *props)
{
	char *base = slurp(QEMU_HELLO);
	char *src = edit(base, "\tports {", props);
	char *path = write_tmp(name, src, strlen(src));

	free(src);
	free(base);
	return path;
}

static const struct brig_ivshmem *ivshmem_of(const struct config *cfg)
{
	const struct brig_cell_desc *c = cfg->blob;

	assert_int_equal(c->num_pci_devices, 1);
	assert_int_equal(brig_cell_pci_devices(c)[0].type,
			 BRIG_PCI_TYPE_IVSHMEM);
	assert_int_equal(brig_cell_pci_devices(c)[0].bdf,
			 BRIG_PCI_BDF(0, 14, 0));
	assert_int_equal(brig_cell_pci_devices(c)[0].iommu, 0);
	return &brig_cell_pci_devices(c)[0].ivshmem;
}

/* Required properties only: the defaults; then every property given. */
static void ivshmem_round_trip(void **state)
{
	char *path = ivshmem_cell("iv.dts", IVSHMEM_NODE(IVSHMEM_REQUIRED));
	const struct brig_ivshmem *iv;
	struct diags d = { 0 };
	struct config cfg;

	(void)state;
	load_ok(path, &cfg);
	iv = ivshmem_of(&cfg);
	assert_int_equal(iv->channel, 1);
	assert_int_equal(iv->peer, 0);
	assert_int_equal(iv->num_peers, 2);
	assert_int_equal(iv->shmem_phys, 0x3e000000);
	assert_int_equal(iv->shmem_virt, 0x3e000000);
	assert_int_equal(iv->bar_base, 0xc0000000);
	assert_int_equal(iv->rw_size, 0);
	assert_int_equal(iv->out_size, 0);
	assert_int_equal(iv->protocol, 0);
	assert_int_equal(iv->vectors, 1);
	assert_int_equal(iv->reserved, 0);
	config_free(&cfg);
	assert_int_equal(check_files(QEMU_SYS, path, &d), 0);
	diags_free(&d);
	unlink(path);
	free(path);

	path = ivshmem_cell(
		"iv-all.dts",
		IVSHMEM_NODE("\t\t\tchannel = <0xffff>;\n\t\t\tpeer = <3>;\n"
			     "\t\t\tpeers = <4>;\n"
			     "\t\t\tshmem-phys = /bits/ 64 <0x3e000000>;\n"
			     "\t\t\tshmem-virt = <0x1 0x0>;\n"
			     "\t\t\tbar-base = <0xfeb00000>;\n"
			     "\t\t\trw-size = <0x2000>;\n"
			     "\t\t\tout-size = <0x3000>;\n"
			     "\t\t\tprotocol = <0x7fff>;\n"
			     "\t\t\tvectors = <16>;\n"));
	load_ok(path, &cfg);
	iv = ivshmem_of(&cfg);
	assert_int_equal(iv->channel, 0xffff);
	assert_int_equal(iv->peer, 3);
	assert_int_equal(iv->num_peers, 4);
	assert_int_equal(iv->shmem_phys, 0x3e000000);
	assert_int_equal(iv->shmem_virt, 0x100000000ull);
	assert_int_equal(iv->bar_base, 0xfeb00000);
	assert_int_equal(iv->rw_size, 0x2000);
	assert_int_equal(iv->out_size, 0x3000);
	assert_int_equal(iv->protocol, 0x7fff);
	assert_int_equal(iv->vectors, 16);
	config_free(&cfg);
	assert_int_equal(check_files(QEMU_SYS, path, &d), 0);
	diags_free(&d);
	unlink(path);
	free(path);
}

/* A second hello cell (CPU 2, its own RAM, COM1) with props in front. */
static char *second_cell(const char *name, const char *props)
{
	static const char *const edits[][2] = {
		{ "cpus = <1>;", "cpus = <2>;" },
		{ "\"hello\"", "\"hello2\"" },
		{ "phys-start = <0x3b000000>;", "phys-start = <0x3c000000>;" },
		{ "phys-start = <0x3b100000>;", "phys-start = <0x3c100000>;" },
		{ "address = <0x2f8>;", "address = <0x3f8>;" },
		{ "base = <0x2f8>;", "base = <0x3f8>;" },
	};
	char *src = slurp(QEMU_HELLO), *next, *path;
	unsigned int i;

	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		next = edit(src, edits[i][0], edits[i][1]);
		free(src);
		src = next;
	}
	next = edit(src, "\tports {", props);
	path = write_tmp(name, next, strlen(next));
	free(next);
	free(src);
	return path;
}

#define PEER(n, out)                                                           \
	IVSHMEM_NODE("\t\t\tchannel = <1>;\n\t\t\tpeer = <" #n ">;\n"          \
		     "\t\t\tpeers = <2>;\n\t\t\tshmem-phys = <0x3e000000>;\n"  \
		     "\t\t\tshmem-virt = <0x200000>;\n"                        \
		     "\t\t\tbar-base = <0xc0000000>;\n"                        \
		     "\t\t\trw-size = <0x1000>;\n\t\t\tout-size = <" #out      \
		     ">;\n")

/* System and two cells checked as a set; returns the errors. */
static unsigned int check_pair(const char *a, const char *b, struct diags *d)
{
	struct config cfg[3];
	unsigned int i;

	load_ok(QEMU_SYS, &cfg[0]);
	load_ok(a, &cfg[1]);
	load_ok(b, &cfg[2]);
	config_check_set(&cfg[0], &cfg[1], 2, d);
	for (i = 0; i < 3; i++)
		config_free(&cfg[i]);
	return d->errors;
}

/*
 * Two cells, one channel, from source: fine as they are; a side that
 * disagrees is named in its own file at its own node.
 */
static void ivshmem_pair_from_source(void **state)
{
	char *peer0 = ivshmem_cell("peer0.dts", PEER(0, 0x1000));
	char *peer1 = second_cell("peer1.dts", PEER(1, 0x1000));
	char *bad = second_cell("peer1-bad.dts", PEER(1, 0x2000));
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(check_pair(peer0, peer1, &d), 0);
	diags_free(&d);
	assert_int_equal(check_pair(peer0, bad, &d), 1);
	assert_string_equal(d.v[0].file, bad);
	assert_string_equal(d.v[0].path, IVSHMEM_PATH);
	assert_string_equal(
		d.v[0].msg,
		"channel 1: out_size 0x2000 here, 0x1000 in cell \"hello\"");
	diags_free(&d);
	unlink(peer0);
	unlink(peer1);
	unlink(bad);
	free(peer0);
	free(peer1);
	free(bad);
}

static void dump_shows_ivshmem(void **state)
{
	static const char expected[] =
		"  pci[0]: type ivshmem domain 0 bdf 00:0e.0 iommu 0 flags 0x0\n"
		"    ivshmem: channel 1 peer 0 of 2 protocol 0x4000 (user-defined) vectors 2 reserved 0x0\n"
		"    memory: phys 0x3e000000 -> virt 0x200000 size 0x5000 (rw-size 0x2000, out-size 0x1000)\n"
		"    state table: 0x200000-0x200fff\n"
		"    rw section: 0x201000-0x202fff\n"
		"    output section 0: 0x203000-0x203fff\n"
		"    output section 1: 0x204000-0x204fff\n"
		"    BAR 0 (registers): 0xc0000000-0xc0000fff, BAR 1 (MSI-X table): 0xc0001000-0xc0001fff\n";
	char *path = ivshmem_cell(
		"dump.dts",
		IVSHMEM_NODE(IVSHMEM_REQUIRED "\t\t\tshmem-virt = <0x200000>;\n"
					      "\t\t\trw-size = <0x2000>;\n"
					      "\t\t\tout-size = <0x1000>;\n"
					      "\t\t\tprotocol = <0x4000>;\n"
					      "\t\t\tvectors = <2>;\n"));
	struct config cfg;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	load_ok(path, &cfg);
	out = open_memstream(&text, &len);
	config_dump(out, cfg.blob, 0);
	fclose(out);
	if (!strstr(text, expected))
		print_message("%s", text);
	assert_non_null(strstr(text, expected));
	free(text);
	config_free(&cfg);
	unlink(path);
	free(path);
}

/* reset = "none" becomes the device's flag, and the dump says it. */
static void reset_policy_parsed(void **state)
{
	static const char *const policy[] = { "",
					      "\t\t\treset = \"required\";\n",
					      "\t\t\treset = \"none\";\n" };
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *props = xasprintf(
			"\tpci-devices {\n\t\tedu {\n\t\t\ttype = \"device\";\n"
			"\t\t\tbdf = <0 3 0>;\n%s\t\t};\n\t};\n\tports {",
			policy[i]);
		char *path = ivshmem_cell("reset.dts", props);
		const struct brig_pci_device *pci;
		struct config cfg;
		char *text = NULL;
		size_t len = 0;
		FILE *out;

		load_ok(path, &cfg);
		pci = brig_cell_pci_devices(cfg.blob);
		assert_int_equal(pci[0].flags,
				 i == 2 ? BRIG_PCI_FLAG_NO_RESET : 0);
		out = open_memstream(&text, &len);
		config_dump(out, cfg.blob, 0);
		fclose(out);
		assert_int_equal(!!strstr(text, "flags 0x1 (reset none)"),
				 i == 2);
		free(text);
		config_free(&cfg);
		unlink(path);
		free(path);
		free(props);
	}
}

static int make_tmpdir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char *cmd = xasprintf("rm -rf %s/sys", tmpdir); /* fake_sysfs() */
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc ? rc : rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(board_files_pass),
		cmocka_unit_test(no_iommu_is_a_warning),
		cmocka_unit_test(smt_split_is_a_warning),
		cmocka_unit_test(smt_unnamed_is_a_warning),
		cmocka_unit_test(smt_live_check),
		cmocka_unit_test(hello_round_trip),
		cmocka_unit_test(system_round_trip),
		cmocka_unit_test(iommu_round_trip),
		cmocka_unit_test(dtb_and_cell_inputs),
		cmocka_unit_test(old_dtb_version_refused),
		cmocka_unit_test(corrupted_cell_file),
		cmocka_unit_test(dump_shows_every_field),
		cmocka_unit_test(ivshmem_round_trip),
		cmocka_unit_test(ivshmem_pair_from_source),
		cmocka_unit_test(dump_shows_ivshmem),
		cmocka_unit_test(reset_policy_parsed),
	};
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) +
				sizeof(fixed) / sizeof(fixed[0])];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest t = cmocka_unit_test(broken_description);

		t.name = cases[i].name;
		t.initial_state = (void *)&cases[i];
		tests[n++] = t;
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("config-dts", tests, n, make_tmpdir,
				       remove_tmpdir);
}
