// SPDX-License-Identifier: GPL-2.0
/*
 * Loading descriptions in whichever form the user has them: device-tree
 * source (compiled by running dtc), device-tree blob, or an already compiled
 * .cell blob. The form is told from the contents, not the file name, so a
 * renamed file still loads; only text files that are neither blob and
 * carry the /dts-v1/ tag (or /include/ a file) are handed to dtc. Inside the
 * test guest there is no dtc, and .dtb/.cell work there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

#include "brig-tool.h"

#define DTC_NOT_FOUND 127 /* what a shell says for "command not found" too */

static const char *dtc_command(void)
{
	const char *dtc = getenv("BRIG_DTC");

	return dtc && *dtc ? dtc : "dtc";
}

/* Runs dtc on path, writing the blob to out; returns dtc's exit status. */
static int run_dtc(const char *path, const char *out)
{
	char *argv[] = {
		(char *)dtc_command(),
		"-q", /* our schema, not dtc's Linux conventions, applies */
		"-I",
		"dts",
		"-O",
		"dtb",
		"-o",
		(char *)out,
		(char *)path,
		NULL,
	};
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(DTC_NOT_FOUND);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

void *dts_compile(const char *path, size_t *size, struct diags *d)
{
	const char *tmpdir = getenv("TMPDIR");
	void *dtb = NULL;
	char *tmp;
	int fd, rc;

	tmp = xasprintf("%s/brig-dtb-XXXXXX", tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(tmp);
	if (fd < 0) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL,
			 "cannot create a temporary file for dtc: %s",
			 strerror(errno));
		free(tmp);
		return NULL;
	}
	close(fd);
	rc = run_dtc(path, tmp);
	if (rc == DTC_NOT_FOUND)
		diag_add(
			d, BRIG_CHECK_ERROR, path, NULL,
			"cannot run \"%s\" to compile device-tree source: install the device-tree-compiler package, or give a .dtb or .cell file compiled elsewhere",
			dtc_command());
	else if (rc != 0)
		diag_add(
			d, BRIG_CHECK_ERROR, path, NULL,
			"dtc could not compile this file (see its messages above)");
	else
		dtb = read_file(tmp, MAX_DESCRIPTION_SIZE, "a description",
				size, d);
	unlink(tmp);
	free(tmp);
	return dtb;
}

static int is_brig_blob(const void *data, size_t size, int *is_system)
{
	if (size < BRIG_SIGNATURE_LEN)
		return 0;
	if (!memcmp(data, BRIG_SYSTEM_SIGNATURE, BRIG_SIGNATURE_LEN)) {
		*is_system = 1;
		return 1;
	}
	if (!memcmp(data, BRIG_CELL_SIGNATURE, BRIG_SIGNATURE_LEN)) {
		*is_system = 0;
		return 1;
	}
	return 0;
}

static int is_dtb(const void *data, size_t size)
{
	return size >= sizeof(fdt32_t) && fdt_magic(data) == FDT_MAGIC;
}

static int load_dtb(void *dtb, size_t size, struct config *cfg, struct diags *d)
{
	int rc = dtb_to_config(dtb, size, cfg, d);

	free(dtb);
	return rc;
}

static int contains(const unsigned char *data, size_t size, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i + n <= size; i++)
		if (!memcmp(data + i, s, n))
			return 1;
	return 0;
}

/*
 * Whether data can be device-tree source at all, before dtc is asked (or
 * found missing): text, with the /dts-v1/ tag dtc requires, or including a
 * file that has it. Says what is wrong if not.
 */
static int could_be_dts(const char *path, const unsigned char *data,
			size_t size, struct diags *d)
{
	static const char what[] = "not a device-tree source or blob";
	size_t i;

	if (!size) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "empty file: %s",
			 what);
		return 0;
	}
	for (i = 0; i < size; i++) {
		if (!data[i] ||
		    (data[i] < 0x20 && !strchr("\t\n\v\f\r", data[i]))) {
			diag_add(
				d, BRIG_CHECK_ERROR, path, NULL,
				"%s (binary data without a device-tree or brig signature)",
				what);
			return 0;
		}
	}
	if (!contains(data, size, "/dts-v1/") &&
	    !contains(data, size, "/include/")) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL,
			 "%s (text without the /dts-v1/; tag)", what);
		return 0;
	}
	return 1;
}

int config_load(const char *path, struct config *cfg, struct diags *d)
{
	size_t size;
	void *data;

	memset(cfg, 0, sizeof(*cfg));
	cfg->file = xstrdup(path);
	data = read_file(path, MAX_DESCRIPTION_SIZE, "a description", &size, d);
	if (!data)
		return -1;
	if (is_brig_blob(data, size, &cfg->is_system)) {
		cfg->blob = data;
		cfg->size = size;
		return 0;
	}
	if (is_dtb(data, size))
		return load_dtb(data, size, cfg, d);
	if (!could_be_dts(path, data, size, d)) {
		free(data);
		return -1;
	}
	free(data);
	data = dts_compile(path, &size, d);
	if (!data)
		return -1;
	return load_dtb(data, size, cfg, d);
}

static void free_paths(char **paths, __u32 n)
{
	__u32 i;

	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* The counts of the map's arrays are in the blob the map was built with. */
void config_free(struct config *cfg)
{
	const struct brig_cell_desc *c = NULL;
	unsigned int i;

	if (cfg->blob && cfg->size >= sizeof(struct brig_system_desc))
		c = cfg->is_system ?
			    &((struct brig_system_desc *)cfg->blob)->root_cell :
			    cfg->blob;
	else if (cfg->blob && cfg->size >= sizeof(struct brig_cell_desc) &&
		 !cfg->is_system)
		c = cfg->blob;
	if (c) {
		free_paths(cfg->map.mem, c->num_memory_regions);
		free_paths(cfg->map.pio, c->num_port_ranges);
		free_paths(cfg->map.irq, c->num_irqchips);
		free_paths(cfg->map.pci, c->num_pci_devices);
	}
	free(cfg->map.cell);
	free(cfg->map.console);
	free(cfg->map.hypervisor);
	free(cfg->map.debug_console);
	free(cfg->map.platform);
	for (i = 0; i < BRIG_MAX_IOMMU_UNITS; i++)
		free(cfg->map.iommu[i]);
	for (i = 0; i < cfg->num_smt; i++) {
		free(cfg->smt[i].name);
		free(cfg->smt[i].cpus);
	}
	free(cfg->smt);
	free(cfg->blob);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}

/* Where a report is, for blobs without source: in the blob's own terms. */
static char *binary_where(const struct brig_check_where *w)
{
	static const char *const items[] = {
		[BRIG_CHECK_SYSTEM_HEADER] = "system header",
		[BRIG_CHECK_HEADER] = "cell header",
		[BRIG_CHECK_CPUS] = "cpu set",
		[BRIG_CHECK_MEMORY] = "memory region",
		[BRIG_CHECK_PORTS] = "port range",
		[BRIG_CHECK_IRQCHIP] = "irqchip",
		[BRIG_CHECK_PCI] = "pci device",
		[BRIG_CHECK_CONSOLE] = "console",
		[BRIG_CHECK_HYPERVISOR] = "hypervisor memory",
		[BRIG_CHECK_DEBUG_CONSOLE] = "debug console",
		[BRIG_CHECK_PLATFORM] = "platform",
		[BRIG_CHECK_IOMMU] = "iommu unit",
	};
	const char *what = w->item < sizeof(items) / sizeof(items[0]) ?
				   items[w->item] :
				   "unknown part";

	switch (w->item) {
	case BRIG_CHECK_MEMORY:
	case BRIG_CHECK_PORTS:
	case BRIG_CHECK_IRQCHIP:
	case BRIG_CHECK_PCI:
	case BRIG_CHECK_IOMMU:
		return xasprintf("%s %u", what, w->index);
	default:
		return xstrdup(what);
	}
}

static const char *indexed(char **paths, unsigned int index)
{
	return paths ? paths[index] : NULL;
}

static const char *source_where(const struct config *cfg,
				const struct brig_check_where *w)
{
	switch (w->item) {
	case BRIG_CHECK_SYSTEM_HEADER:
		return "/";
	case BRIG_CHECK_HEADER:
	case BRIG_CHECK_CPUS:
		return cfg->map.cell;
	case BRIG_CHECK_MEMORY:
		return indexed(cfg->map.mem, w->index);
	case BRIG_CHECK_PORTS:
		return indexed(cfg->map.pio, w->index);
	case BRIG_CHECK_IRQCHIP:
		return indexed(cfg->map.irq, w->index);
	case BRIG_CHECK_PCI:
		return indexed(cfg->map.pci, w->index);
	case BRIG_CHECK_CONSOLE:
		return cfg->map.console;
	case BRIG_CHECK_HYPERVISOR:
		return cfg->map.hypervisor;
	case BRIG_CHECK_DEBUG_CONSOLE:
		return cfg->map.debug_console ? cfg->map.debug_console : "/";
	case BRIG_CHECK_PLATFORM:
		return cfg->map.platform ? cfg->map.platform : "/";
	case BRIG_CHECK_IOMMU:
		return w->index < BRIG_MAX_IOMMU_UNITS ?
			       cfg->map.iommu[w->index] :
			       NULL;
	}
	return NULL;
}

char *config_where_path(const struct config *cfg,
			const struct brig_check_where *where)
{
	const char *path = cfg->map.cell ? source_where(cfg, where) : NULL;

	return path ? xstrdup(path) : binary_where(where);
}
