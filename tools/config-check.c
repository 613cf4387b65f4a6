// SPDX-License-Identifier: GPL-2.0
/*
 * Tool-side checking of a system description and its cells.
 *
 * The rules live in the shared checker (hypervisor/config-check.c), the same
 * code the hypervisor runs; this file only turns its reports into
 * diagnostics that name the user's file and device-tree node. On top of
 * that it adds what only the source knows: the SMT topology, which never
 * reaches the blob, gives warnings for cells that split a core.
 */
#include <stdlib.h>
#include <string.h>

#include "brig-tool.h"

struct report_ctx {
	struct config *system;
	struct config *cells;
	unsigned int num_cells;
	struct diags *d;
};

static void report(void *ctx, enum brig_check_severity sev,
		   const struct brig_check_where *where, const char *msg)
{
	struct report_ctx *rc = ctx;
	struct config *cfg = where->blob == BRIG_CHECK_SYSTEM ?
				     rc->system :
				     &rc->cells[where->blob];
	char *path = config_where_path(cfg, where);

	diag_add(rc->d, sev, cfg->file, path, "%s", msg);
	free(path);
}

static int group_has(const struct smt_group *g, unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < g->num_cpus; i++)
		if (g->cpus[i] == cpu)
			return 1;
	return 0;
}

/* The topology itself: every CPU in at most one core, all of the root. */
static void check_smt_groups(struct config *sys, struct diags *d)
{
	const struct brig_system_desc *s = sys->blob;
	const struct smt_group *g;
	unsigned int i, j, k;

	for (i = 0; i < sys->num_smt; i++) {
		g = &sys->smt[i];
		for (k = 0; k < g->num_cpus; k++) {
			if (!brig_cell_has_cpu(&s->root_cell, g->cpus[k]))
				diag_add(
					d, BRIG_CHECK_ERROR, sys->file,
					"/smt-siblings",
					"core \"%s\" lists CPU %u, which is not a root cell CPU",
					g->name, g->cpus[k]);
			for (j = 0; j < i; j++)
				if (group_has(&sys->smt[j], g->cpus[k]))
					diag_add(
						d, BRIG_CHECK_ERROR, sys->file,
						"/smt-siblings",
						"CPU %u is in both core \"%s\" and core \"%s\"",
						g->cpus[k], sys->smt[j].name,
						g->name);
		}
	}
}

/*
 * A cell that gets some threads of a core but not all shares that core's
 * caches and execution units with whoever runs on the others: legal, but
 * its real-time behaviour then depends on them.
 */
static void check_cell_smt(const struct config *sys, const struct config *cell,
			   struct diags *d)
{
	const struct smt_group *g;
	unsigned int i, k, have;

	for (i = 0; i < sys->num_smt; i++) {
		g = &sys->smt[i];
		for (have = 0, k = 0; k < g->num_cpus; k++)
			have += (unsigned int)brig_cell_has_cpu(cell->blob,
								g->cpus[k]);
		if (have == 0 || have == g->num_cpus)
			continue;
		for (k = 0; k < g->num_cpus; k++)
			if (!brig_cell_has_cpu(cell->blob, g->cpus[k]))
				break;
		diag_add(
			d, BRIG_CHECK_WARNING, cell->file,
			cell->map.cell ? cell->map.cell : "cpu set",
			"takes %u of the %u SMT siblings of core \"%s\" but not CPU %u: the cell shares that core's caches and execution units with the root cell",
			have, g->num_cpus, g->name, g->cpus[k]);
	}
}

/*
 * A system description from source that does not say which CPUs share a
 * core: no cell can be checked for splitting one. An empty /smt-siblings
 * says there is no SMT.
 */
static void check_smt_named(const struct config *sys, struct diags *d)
{
	if (sys->map.hypervisor && !sys->smt_named)
		diag_add(
			d, BRIG_CHECK_WARNING, sys->file, "/",
			"names no smt-siblings: which CPUs share a core is unknown, so no cell is checked for sharing one with the root (list each core's CPUs, or give an empty smt-siblings node for a machine without SMT)");
}

/* The core of cpu in the description, or NULL (a core of its own). */
static const struct smt_group *core_of(const struct config *sys,
				       unsigned int cpu)
{
	for (unsigned int i = 0; i < sys->num_smt; i++)
		if (group_has(&sys->smt[i], cpu))
			return &sys->smt[i];
	return NULL;
}

/* The CPU list of a core as sysfs writes it ("0-1"), for messages. */
static void describe_core(const struct smt_group *g, unsigned int cpu,
			  char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (!g) {
		snprintf(buf, size, "%u alone", cpu);
		return;
	}
	for (unsigned int k = 0; k < g->num_cpus && len < size; k++)
		len += (size_t)snprintf(buf + len, size - len, "%s%u",
					k ? "," : "", g->cpus[k]);
}

/* Does the description's core of cpu hold exactly the CPUs sysfs lists? */
static int same_core(const struct smt_group *g, unsigned int cpu,
		     const unsigned int *cpus, int n)
{
	if (!g)
		return n == 1 && cpus[0] == cpu;
	if ((unsigned int)n != g->num_cpus)
		return 0;
	for (int k = 0; k < n; k++)
		if (!group_has(g, cpus[k]))
			return 0;
	return 1;
}

/* Linux has cpu offline: its siblings' lists leave it out (nosmt). */
static int cpu_offline(const char *root, unsigned int cpu)
{
	char path[4096];
	int c = EOF;
	FILE *f;

	snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%u/online", root,
		 cpu);
	f = fopen(path, "r");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == '0';
}

/* Any CPU of the description's core of cpu offline: no judging it. */
static int core_partly_offline(const struct smt_group *g, const char *root)
{
	for (unsigned int k = 0; g && k < g->num_cpus; k++)
		if (cpu_offline(root, g->cpus[k]))
			return 1;
	return 0;
}

void config_check_smt_live(const struct config *sys, const char *root,
			   struct diags *d)
{
	const struct brig_system_desc *s = sys->blob;
	unsigned int cpus[256];
	char path[4096], line[1024], want[256];
	int n, smt = 0;
	FILE *f;

	if (!sys->map.hypervisor || !sys->is_system)
		return; /* a blob: no topology to compare */
	for (unsigned int cpu = 0; cpu < 256; cpu++) {
		if (!brig_cell_has_cpu(&s->root_cell, cpu))
			continue;
		snprintf(
			path, sizeof(path),
			"%s/devices/system/cpu/cpu%u/topology/thread_siblings_list",
			root, cpu);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fgets(line, sizeof(line), f) ?
			    cell_parse_cpu_list(line, cpus, 256) :
			    -1;
		fclose(f);
		if (n <= 0)
			continue;
		smt |= n > 1;
		if (!sys->smt_named ||
		    same_core(core_of(sys, cpu), cpu, cpus, n) ||
		    core_partly_offline(core_of(sys, cpu), root))
			continue;
		describe_core(core_of(sys, cpu), cpu, want, sizeof(want));
		line[strcspn(line, "\n")] = '\0';
		diag_add(
			d, BRIG_CHECK_WARNING, sys->file, "/smt-siblings",
			"CPU %u shares its core with CPUs %s on this machine (sysfs), the description says %s",
			cpu, line, want);
	}
	if (smt && !sys->smt_named)
		diag_add(
			d, BRIG_CHECK_WARNING, sys->file, "/",
			"this machine has SMT (sysfs), and the description names no smt-siblings: a cell may share a core with the root unnoticed");
}

/*
 * Without an IOMMU the hypervisor cannot stop a device's DMA: legal (the
 * second-stage tables still isolate the CPUs), but the user must know.
 */
static void check_dma_isolation(const struct config *sys, struct diags *d)
{
	const struct brig_system_desc *s = sys->blob;

	if (!s->platform.num_iommu_units)
		diag_add(
			d, BRIG_CHECK_WARNING, sys->file, "/platform",
			"names no IOMMU unit: DMA and device interrupts are not isolated (any device, the root's included, can reach the hypervisor's and every cell's memory, and interrupt any CPU)");
}

unsigned int config_check_set(struct config *system, struct config *cells,
			      unsigned int num_cells, struct diags *d)
{
	struct report_ctx rc = { system, cells, num_cells, d };
	const struct brig_check_reporter rep = { report, &rc };
	struct brig_check_blob *blobs;
	struct brig_check_blob sys = { system->blob, system->size };
	unsigned int errors = d->errors, i;

	blobs = xcalloc(num_cells, sizeof(*blobs));
	for (i = 0; i < num_cells; i++) {
		blobs[i].data = cells[i].blob;
		blobs[i].size = cells[i].size;
	}
	brig_check_set(&sys, blobs, num_cells, &rep);
	if (brig_check_layout(&sys, 1)) {
		check_smt_groups(system, d);
		check_smt_named(system, d);
		for (i = 0; i < num_cells; i++)
			if (brig_check_layout(&blobs[i], 0))
				check_cell_smt(system, &cells[i], d);
		check_dma_isolation(system, d);
	}
	free(blobs);
	return d->errors - errors;
}

unsigned int config_check_one(struct config *cfg, struct diags *d)
{
	struct report_ctx rc = { NULL, cfg, 1, d };
	const struct brig_check_reporter rep = { report, &rc };
	struct brig_check_blob blob = { cfg->blob, cfg->size };

	if (cfg->is_system)
		return config_check_set(cfg, NULL, 0, d);
	return brig_check_cell(&blob, 0, &rep);
}
