// SPDX-License-Identifier: GPL-2.0
/*
 * brig cell linux CELL-DESCRIPTION KERNEL [--initrd FILE] [--cmdline "..."]
 *
 * Creates the cell, builds what a stock x86-64 kernel needs to boot in it
 * (linux-boot.c: a trampoline, boot parameters with the cell's memory map,
 * ACPI tables naming its CPUs), loads kernel and initramfs through the
 * usual load path and starts it. The command line keeps Linux off what
 * the cell does not own; --cmdline is appended, so it can override.
 * Anything that fails after the cell was created destroys it again.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brig/config.h>
#include <brig/ioctl.h>

#include "brig-tool.h"
#include "linux-boot.h"

/* The kernel's name for a legacy UART by its port (ttyS0..3), or -1. */
static int legacy_tty(uint64_t port)
{
	static const uint16_t ports[] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };

	for (int n = 0; n < 4; n++)
		if (port == ports[n])
			return n;
	return -1;
}

/* The RAM region at guest-physical 0, where the kernel runs. */
static uint64_t ram_at_zero(const struct brig_cell_desc *c)
{
	const struct brig_memory *mem = brig_cell_mem_regions(c);

	for (unsigned int n = 0; n < c->num_memory_regions; n++)
		if (mem[n].virt_start == 0 &&
		    mem[n].type == BRIG_MEM_TYPE_RAM &&
		    (mem[n].flags & BRIG_MEM_LOADABLE))
			return mem[n].size;
	return 0;
}

/* The comm region's guest-physical address, 0 if the cell has none. */
static uint64_t comm_region(const struct brig_cell_desc *c)
{
	const struct brig_memory *mem = brig_cell_mem_regions(c);

	for (unsigned int n = 0; n < c->num_memory_regions; n++)
		if (mem[n].flags & BRIG_MEM_COMM_REGION)
			return mem[n].virt_start;
	return 0;
}

/* APIC ids from /proc/cpuinfo: the cell's CPUs are still Linux's now. */
static int apic_ids(const struct brig_cell_desc *c, struct lb_cell *cell)
{
	uint32_t ids[BRIG_MAX_CPUS];
	char line[256];
	bool known[BRIG_MAX_CPUS] = { false };
	unsigned int cpu = ~0u, v;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f) {
		fprintf(stderr,
			"brig: cell linux: cannot read /proc/cpuinfo: %s\n",
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "processor : %u", &v) == 1)
			cpu = v;
		else if (sscanf(line, "apicid : %u", &v) == 1 &&
			 cpu < BRIG_MAX_CPUS) {
			ids[cpu] = v;
			known[cpu] = true;
		}
	}
	fclose(f);
	cell->cpus = 0;
	for (unsigned int n = 0; n < c->cpu_set_size * 8u; n++) {
		if (!brig_cell_has_cpu(c, n))
			continue;
		if (n >= BRIG_MAX_CPUS || !known[n]) {
			fprintf(stderr,
				"brig: cell linux: CPU %u is not online in Linux: its APIC id is not known\n",
				n);
			return -1;
		}
		if (cell->cpus == LB_MAX_CPUS) {
			fprintf(stderr, "brig: cell linux: more than %u CPUs\n",
				LB_MAX_CPUS);
			return -1;
		}
		cell->apic_ids[cell->cpus++] = ids[n];
	}
	return 0;
}

static unsigned long tsc_khz(void)
{
	char path[4096];
	long long v;

	snprintf(path, sizeof(path), "%s/tsc_khz", brig_sysfs_dir());
	v = read_sysfs(path);
	return v > 0 ? (unsigned long)v : 0;
}

/*
 * What keeps a stock kernel on what the cell owns: its console on the
 * cell's UART (early and late, polled: the cell has no interrupt
 * controller pin for it), no PIT (tsc_early_khz and no timer check, the
 * APIC timer calibrated against the TSC), no port 0x80 delays, a reboot
 * on panic instead of a spin (which ends the cell: see docs).
 */
static char *default_cmdline(const struct brig_cell_desc *c, const char *more)
{
	char buf[1024];
	int tty = c->console.type == BRIG_CON_PIO_8250 ?
			  legacy_tty(c->console.address) :
			  -1;
	unsigned long khz = tsc_khz();
	size_t len = 0;

	buf[0] = '\0';
	if (tty >= 0)
		len += (size_t)snprintf(
			buf + len, sizeof(buf) - len,
			"console=ttyS%d,115200 earlycon=uart8250,io,0x%llx,115200 ",
			tty, (unsigned long long)c->console.address);
	if (khz)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"tsc_early_khz=%lu ", khz);
	/*
	 * PCI: no host bridge in the DSDT, so Linux scans bus 0 through the
	 * configuration mechanism brig emulates for the cell (0xcf8/0xcfc)
	 * when ACPI is kept out of it; conf1 says to trust that mechanism
	 * (without a DMI BIOS date Linux trusts it only if bus 0 has a host
	 * bridge, a VGA or an Intel device, which a cell may well not have).
	 */
	if (c->num_pci_devices)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"pci=noacpi,conf1 ");
	snprintf(
		buf + len, sizeof(buf) - len,
		"tsc=reliable no_timer_check io_delay=none panic=-1 noreplace-smp %s",
		more ? more : "");
	return xstrdup(buf);
}

static int load_and_start(const char *name, const struct lb_result *r)
{
	struct brig_image img[LB_MAX_IMAGES];
	struct brig_load_args args = { 0 };
	struct brig_cell_ref ref = { 0 };

	for (unsigned int n = 0; n < r->count; n++)
		img[n] = (struct brig_image){ (uintptr_t)r->images[n].data,
					      r->images[n].size,
					      r->images[n].gpa };
	ref.id = -1;
	snprintf(ref.name, sizeof(ref.name), "%s", name);
	args.cell = ref;
	args.num_images = r->count;
	args.images = (uintptr_t)img;
	if (cell_request("cell linux", BRIG_IOC_CELL_LOAD, &args))
		return -1;
	return cell_request("cell linux", BRIG_IOC_CELL_START, &ref);
}

static void destroy(const char *name)
{
	struct brig_cell_ref ref = { .id = -1, .flags = BRIG_SHUTDOWN_FORCE };

	snprintf(ref.name, sizeof(ref.name), "%s", name);
	cell_request("cell linux", BRIG_IOC_CELL_DESTROY, &ref);
}

struct linux_args {
	const char *desc, *kernel, *initrd, *cmdline;
};

static int parse(int argc, char **argv, struct linux_args *a)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--initrd") ||
		    !strcmp(argv[i], "--cmdline")) {
			if (i + 1 == argc)
				return usage_error("%s needs a value", argv[i]);
			*(argv[i][2] == 'i' ? &a->initrd : &a->cmdline) =
				argv[i + 1];
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return bad_argument(argv[i]);
		} else if (!a->desc) {
			a->desc = argv[i];
		} else if (!a->kernel) {
			a->kernel = argv[i];
		} else {
			return bad_argument(argv[i]);
		}
	}
	if (!a->desc)
		return usage_error("missing CELL-DESCRIPTION");
	if (!a->kernel)
		return usage_error("missing KERNEL, a bzImage");
	return 0;
}

struct linux_files {
	void *kernel, *initrd;
	size_t ksize, isize;
};

static int read_inputs(const struct linux_args *a, struct linux_files *f)
{
	struct diags d = { 0 };

	f->kernel =
		read_file(a->kernel, MAX_IMAGE_SIZE, "a kernel", &f->ksize, &d);
	if (f->kernel && a->initrd)
		f->initrd = read_file(a->initrd, MAX_IMAGE_SIZE, "an initramfs",
				      &f->isize, &d);
	diags_print(&d, stderr);
	diags_free(&d);
	return f->kernel && (!a->initrd || f->initrd) ? 0 : -1;
}

static int boot(const struct linux_args *a, const struct config *cfg,
		const struct linux_files *f)
{
	const struct brig_cell_desc *c = cfg->blob;
	struct brig_config_args args = { (uintptr_t)cfg->blob, (__u32)cfg->size,
					 0 };
	struct lb_cell cell = { .ram_size = ram_at_zero(c),
				.comm_region = comm_region(c) };
	struct lb_result r;
	char err[256], *cmdline;
	int id, ret = BRIG_EXIT_FAILED;

	if (!cell.ram_size) {
		fprintf(stderr,
			"brig: cell linux: %s has no loadable RAM region at guest-physical 0, where the kernel runs\n",
			a->desc);
		return ret;
	}
	if (apic_ids(c, &cell))
		return ret;
	cmdline = default_cmdline(c, a->cmdline);
	if (lb_build(f->kernel, f->ksize, f->initrd, f->isize, cmdline, &cell,
		     &r, err, sizeof(err))) {
		fprintf(stderr, "brig: cell linux: %s: %s\n", a->kernel, err);
		free(cmdline);
		return ret;
	}
	id = cell_request("cell linux", BRIG_IOC_CELL_CREATE, &args);
	if (id > 0 && load_and_start(c->name, &r))
		destroy(c->name);
	else if (id > 0) {
		printf("brig: cell %s (id %d): Linux started at %#llx, initramfs at %#llx\n",
		       c->name, id, (unsigned long long)r.kernel_at,
		       (unsigned long long)r.initrd_at);
		printf("brig: command line: %s\n", cmdline);
		ret = BRIG_EXIT_OK;
	}
	lb_free(&r);
	free(cmdline);
	return ret;
}

static int cell_linux(int argc, char **argv)
{
	struct linux_args a = { 0 };
	struct linux_files f = { 0 };
	struct config cfg = { 0 };
	struct diags d = { 0 };
	int ret = parse(argc, argv, &a);

	if (ret)
		return ret;
	ret = BRIG_EXIT_FAILED;
	if (load_cell_description(a.desc, "cell linux", &cfg, &d))
		goto out;
	if (!read_inputs(&a, &f))
		ret = boot(&a, &cfg, &f);
out:
	free(f.kernel);
	free(f.initrd);
	diags_free(&d);
	config_free(&cfg);
	return ret;
}

const struct command cell_linux_command = {
	.name = "linux",
	.run = cell_linux,
	.usage =
		"  brig cell linux CELL-DESCRIPTION KERNEL [--initrd FILE] [--cmdline \"...\"]\n"
		"        create a cell and boot a stock x86-64 Linux kernel (bzImage)\n"
		"        in it, with an initramfs; --cmdline is added to what brig\n"
		"        picks (console on the cell's UART, no legacy timers)\n",
	.value_opts = (const char *const[]){ "--initrd", "--cmdline", NULL },
};
