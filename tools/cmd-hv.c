// SPDX-License-Identifier: GPL-2.0
/*
 * brig enable | disable | info | stats | console: the hypervisor as a
 * whole, through /dev/brig and /sys/class/misc/brig/.
 *
 * A refused request prints the driver's own sentence for why (read back
 * from /dev/brig after the failed ioctl) rather than a bare errno.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <brig/hypercall.h>
#include <brig/ioctl.h>

#include "brig-tool.h"

#define SYSFS_DIR "/sys/class/misc/brig"

const char *brig_sysfs_dir(void)
{
	const char *dir = getenv("BRIG_SYSFS");

	return dir && *dir ? dir : SYSFS_DIR;
}

#define BRIG_EXIT_NAME(sym, name) name,
static const char *const exit_names[] = { BRIG_EXIT_REASONS(BRIG_EXIT_NAME) };

const char *brig_exit_name(unsigned int reason)
{
	return reason < BRIG_EXIT_COUNT ? exit_names[reason] : "?";
}

int brig_open_device(void)
{
	int fd = open(BRIG_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "brig: cannot open %s: %s%s\n", BRIG_DEVICE,
			strerror(errno),
			errno == ENOENT ?
				" (is brig.ko loaded? modprobe brig)" :
				"");
	return fd;
}

int brig_ioctl(int fd, const char *what, unsigned long req, void *arg)
{
	char reason[512];
	ssize_t n;
	int ret, err;

	ret = ioctl(fd, req, arg);
	if (ret >= 0)
		return ret;
	err = errno;
	n = read(fd, reason, sizeof(reason) - 1);
	if (n > 0) {
		reason[n] = '\0';
		fprintf(stderr, "brig: %s: %s\n", what, reason);
	} else {
		fprintf(stderr, "brig: %s: %s\n", what, strerror(err));
	}
	errno = err;
	return -1;
}

long long read_sysfs(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * A blob as it is, for --skip-tool-check: only the driver and the
 * hypervisor judge it (the tests use this to prove their checks).
 */
static int load_raw(const char *path, struct config *cfg, struct diags *d)
{
	cfg->blob = read_file(path, MAX_DESCRIPTION_SIZE, "a description",
			      &cfg->size, d);
	cfg->is_system = 1;
	return cfg->blob ? 0 : -1;
}

static int cmd_enable(int argc, char **argv)
{
	struct brig_config_args args = { 0 };
	struct config cfg = { 0 };
	struct diags d = { 0 };
	const char *file = NULL;
	bool raw = false;
	int fd, i, ret = BRIG_EXIT_FAILED;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--skip-tool-check") && !raw)
			raw = true;
		else if (file || (argv[i][0] == '-' && argv[i][1]))
			return bad_argument(argv[i]);
		else
			file = argv[i];
	}
	if (!file)
		return usage_error("missing SYSTEM, the system description");
	if (raw ? load_raw(file, &cfg, &d) :
		  config_load(file, &cfg, &d) || config_check_one(&cfg, &d) ||
			    !cfg.is_system) {
		diags_print(&d, stderr);
		if (cfg.blob && !cfg.is_system)
			fprintf(stderr,
				"brig: enable: %s is a cell description, not a system description\n",
				file);
		goto out;
	}
	/* Warnings (no IOMMU, cores the machine disagrees with) are said. */
	if (!raw)
		config_check_smt_live(&cfg, "/sys", &d);
	diags_print(&d, stderr);
	fd = brig_open_device();
	if (fd < 0)
		goto out;
	args.addr = (uintptr_t)cfg.blob;
	args.size = (__u32)cfg.size;
	if (!brig_ioctl(fd, "enable", BRIG_IOC_ENABLE, &args)) {
		printf("brig: enabled\n");
		ret = BRIG_EXIT_OK;
	}
	close(fd);
out:
	diags_free(&d);
	config_free(&cfg);
	return ret;
}

static int cmd_disable(int argc, char **argv)
{
	int fd, ret = BRIG_EXIT_FAILED;

	if (argc > 1)
		return bad_argument(argv[1]);
	fd = brig_open_device();
	if (fd < 0)
		return ret;
	if (!brig_ioctl(fd, "disable", BRIG_IOC_DISABLE, NULL)) {
		printf("brig: disabled\n");
		ret = BRIG_EXIT_OK;
	}
	close(fd);
	return ret;
}

/* Prints console output from *seq on; returns bytes printed or -1. */
static long console_pump(int fd, __u64 *seq)
{
	char buf[4096];
	struct brig_console_args args = { .seq = *seq,
					  .buf = (uintptr_t)buf,
					  .size = sizeof(buf) };
	int n = brig_ioctl(fd, "console", BRIG_IOC_CONSOLE, &args);

	if (n < 0)
		return -1;
	if (args.first_seq > *seq)
		printf("[... %llu bytes of console output lost ...]\n",
		       (unsigned long long)(args.first_seq - *seq));
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	*seq = args.seq;
	return n;
}

/*
 * A command whose only argument is an optional flag; *on says whether it
 * was given. Returns 0, or BRIG_EXIT_USAGE after saying what was wrong.
 */
static int only_flag(int argc, char **argv, const char *flag, bool *on)
{
	*on = false;
	if (argc > 1 && flag && !strcmp(argv[1], flag))
		*on = true;
	else if (argc > 1)
		return bad_argument(argv[1]);
	return argc > 2 ? bad_argument(argv[2]) : 0;
}

static int cmd_console(int argc, char **argv)
{
	bool follow;
	__u64 seq = 0;
	long n;
	int fd;

	if (only_flag(argc, argv, "--follow", &follow))
		return BRIG_EXIT_USAGE;
	fd = brig_open_device();
	if (fd < 0)
		return BRIG_EXIT_FAILED;
	do {
		while ((n = console_pump(fd, &seq)) > 0)
			;
		if (n < 0) {
			close(fd);
			return BRIG_EXIT_FAILED;
		}
		if (follow)
			usleep(200000);
	} while (follow);
	close(fd);
	return BRIG_EXIT_OK;
}

/* CPUs that have a counter directory, in ascending order; count returned. */
static unsigned int list_cpus(unsigned int *cpus, unsigned int max)
{
	unsigned int n = 0;
	char path[128];

	for (unsigned int cpu = 0; cpu < 4096 && n < max; cpu++) {
		snprintf(path, sizeof(path), "%s/cpus/cpu%u/total",
			 brig_sysfs_dir(), cpu);
		if (access(path, R_OK) == 0)
			cpus[n++] = cpu;
	}
	return n;
}

static int cmd_info(int argc, char **argv)
{
	long long enabled, size, used, iommus;
	unsigned int cpus[256], n;

	if (argc > 1)
		return bad_argument(argv[1]);
	enabled = read_sysfs(SYSFS_DIR "/enabled");
	if (enabled < 0) {
		fprintf(stderr,
			"brig: info: %s not found: is brig.ko loaded?\n",
			SYSFS_DIR);
		return BRIG_EXIT_FAILED;
	}
	printf("enabled: %s\n", enabled ? "yes" : "no");
	if (!enabled)
		return BRIG_EXIT_OK;
	size = read_sysfs(SYSFS_DIR "/mem_pool_size");
	used = read_sysfs(SYSFS_DIR "/mem_pool_used");
	printf("hypervisor memory: %lld of %lld pages used (%lld KiB of %lld KiB)\n",
	       used, size, used * 4, size * 4);
	iommus = read_sysfs(SYSFS_DIR "/iommu_units");
	if (iommus > 0)
		printf("DMA isolation: %lld IOMMU unit%s\n", iommus,
		       iommus == 1 ? "" : "s");
	else
		printf("DMA isolation: none: DMA not isolated (the system description names no IOMMU)\n");
	n = list_cpus(cpus, 256);
	printf("cpus:");
	for (unsigned int i = 0; i < n; i++)
		printf(" %u", cpus[i]);
	printf("\n");
	cell_print_channels();
	return BRIG_EXIT_OK;
}

long long brig_cpu_exits(unsigned int cpu, unsigned int reason)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/cpus/cpu%u/%s", brig_sysfs_dir(), cpu,
		 exit_names[reason]);
	return read_sysfs(path);
}

static void print_stats_text(const unsigned int *cpus, unsigned int n)
{
	printf("%-12s", "exits");
	for (unsigned int i = 0; i < n; i++)
		printf(" %9s%-3u", "cpu", cpus[i]);
	printf("\n");
	for (unsigned int r = 0; r < BRIG_EXIT_COUNT; r++) {
		printf("%-12s", exit_names[r]);
		for (unsigned int i = 0; i < n; i++)
			printf(" %12lld", brig_cpu_exits(cpus[i], r));
		printf("\n");
	}
}

void print_stats_json_cpus(const unsigned int *cpus, unsigned int n)
{
	printf("\"cpus\": {");
	for (unsigned int i = 0; i < n; i++) {
		printf("%s\"%u\": {", i ? ", " : "", cpus[i]);
		for (unsigned int r = 0; r < BRIG_EXIT_COUNT; r++)
			printf("%s\"%s\": %lld", r ? ", " : "", exit_names[r],
			       brig_cpu_exits(cpus[i], r));
		printf("}");
	}
	printf("}");
}

static void print_stats_json(const unsigned int *cpus, unsigned int n)
{
	printf("{");
	print_stats_json_cpus(cpus, n);
	printf("}\n");
}

/* A number in brig's sysfs directory (rel: "mem_pool_used"), or -1. */
static long long sysfs_value(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", brig_sysfs_dir(), rel);
	return read_sysfs(path);
}

/*
 * The node_exporter textfile format (docs/monitoring.md): one counter per CPU and
 * reason, labelled with the CPU and the cell that owns it now. "total" is
 * left out: it is the sum of the others, which Prometheus computes.
 */
static void print_stats_prometheus(const unsigned int *cpus, unsigned int n)
{
	char cell[64];

	printf("# HELP brig_vm_exits_total VM exits of a CPU under brig, by reason.\n");
	printf("# TYPE brig_vm_exits_total counter\n");
	for (unsigned int i = 0; i < n; i++) {
		cell_of_cpu(cpus[i], cell, sizeof(cell));
		for (unsigned int r = 1; r < BRIG_EXIT_COUNT; r++) {
			long long v = brig_cpu_exits(cpus[i], r);

			if (v < 0)
				continue;
			printf("brig_vm_exits_total{cpu=\"%u\",cell=\"",
			       cpus[i]);
			print_prom_label(cell);
			printf("\",reason=\"%s\"} %lld\n", exit_names[r], v);
		}
	}
}

void print_exit_stats(const unsigned int *cpus, unsigned int n,
		      enum stats_format format)
{
	if (format == STATS_JSON)
		print_stats_json(cpus, n);
	else if (format == STATS_PROMETHEUS)
		print_stats_prometheus(cpus, n);
	else
		print_stats_text(cpus, n);
}

int parse_stats_format(const char *arg, enum stats_format *format, int *seen)
{
	int is_format = !strcmp(arg, "--json") || !strcmp(arg, "--format") ||
			!strncmp(arg, "--format=", 9);

	if (is_format && (*seen)++)
		return usage_error(
			"%s: one format only (--json or one --format=FORMAT)",
			arg);
	if (!strcmp(arg, "--format"))
		return usage_error(
			"--format needs =FORMAT: --format=text, --format=json or --format=prometheus");
	if (!strcmp(arg, "--json") || !strcmp(arg, "--format=json"))
		*format = STATS_JSON;
	else if (!strcmp(arg, "--format=prometheus"))
		*format = STATS_PROMETHEUS;
	else if (!strcmp(arg, "--format=text"))
		*format = STATS_TEXT;
	else if (!strncmp(arg, "--format=", 9))
		return usage_error(
			"%s: the formats are text, json and prometheus", arg);
	else
		return bad_argument(arg);
	return 0;
}

/* The whole hypervisor for Prometheus: the pool and every cell's state. */
static void print_hv_prometheus(void)
{
	long long used = sysfs_value("mem_pool_used");
	long long size = sysfs_value("mem_pool_size");

	/* Base units (bytes), and the part apart from the whole. */
	if (used >= 0) {
		printf("# HELP brig_pool_used_bytes Bytes of the hypervisor's memory pool in use.\n");
		printf("# TYPE brig_pool_used_bytes gauge\n");
		printf("brig_pool_used_bytes %lld\n", used * 4096);
	}
	if (size >= 0) {
		printf("# HELP brig_pool_size_bytes Bytes of the hypervisor's memory pool.\n");
		printf("# TYPE brig_pool_size_bytes gauge\n");
		printf("brig_pool_size_bytes %lld\n", size * 4096);
	}
	cell_print_prometheus();
}

static int cmd_stats(int argc, char **argv)
{
	enum stats_format format = STATS_TEXT;
	unsigned int cpus[256], n;

	for (int i = 1, seen = 0; i < argc; i++)
		if (parse_stats_format(argv[i], &format, &seen))
			return BRIG_EXIT_USAGE;
	n = list_cpus(cpus, 256);
	if (!n) {
		fprintf(stderr,
			"brig: stats: brig is not enabled (no counters in %s/cpus)\n",
			brig_sysfs_dir());
		return BRIG_EXIT_FAILED;
	}
	if (format == STATS_PROMETHEUS)
		print_hv_prometheus();
	print_exit_stats(cpus, n, format);
	return BRIG_EXIT_OK;
}

const struct command enable_command = {
	.name = "enable",
	.run = cmd_enable,
	.usage =
		"  brig enable [--skip-tool-check] SYSTEM\n"
		"        start the hypervisor; the running Linux becomes the root cell\n"
		"        (SYSTEM: a system description, .dts, .dtb or compiled .cell;\n"
		"        --skip-tool-check hands a .cell to the driver unchecked, which\n"
		"        then checks it itself)\n",
};

const struct command disable_command = {
	.name = "disable",
	.run = cmd_disable,
	.usage = "  brig disable\n"
		 "        stop the hypervisor; Linux runs natively again\n",
};

const struct command info_command = {
	.name = "info",
	.run = cmd_info,
	.usage =
		"  brig info\n"
		"        whether brig is enabled, its memory pool, whether DMA is\n"
		"        isolated (IOMMU units), its CPUs\n",
};

const struct command stats_command = {
	.name = "stats",
	.run = cmd_stats,
	.usage =
		"  brig stats [--json|--format=text|json|prometheus]\n"
		"        VM exits per CPU and reason; prometheus: the node_exporter\n"
		"        textfile format, with the pool and the cells' states\n",
};

const struct command console_command = {
	.name = "console",
	.run = cmd_console,
	.usage =
		"  brig console [--follow]\n"
		"        print the hypervisor's console (and keep following it)\n",
};
