/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the `brig` tool: diagnostics, loading descriptions
 * in any of their three forms (device-tree source, device-tree blob,
 * compiled .cell blob), the config subcommands and the dispatch table.
 *
 * Everything that turns a description into a blob or checks it lives in
 * library objects (libbrig-tool.a) so that the unit tests can call it
 * directly; main.c only parses the command line.
 */
#ifndef BRIG_TOOL_H
#define BRIG_TOOL_H

#include <stddef.h>
#include <stdio.h>

#include <brig/config-check.h>
#include <brig/hypercall.h>
#include <brig/latency.h>

#define BRIG_EXIT_OK 0
#define BRIG_EXIT_FAILED 1 /* the request was understood and refused */
#define BRIG_EXIT_USAGE 2 /* the command line was wrong */

/* --- diagnostics (util.c) ------------------------------------------------- */

/*
 * One problem found in a description. file is the input it is about, path
 * the device-tree node (or, for binary input, a description like "memory
 * region 2"), msg what is wrong.
 */
struct diag {
	enum brig_check_severity severity;
	char *file;
	char *path;
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n, cap;
	unsigned int errors, warnings;
};

void diag_add(struct diags *d, enum brig_check_severity sev, const char *file,
	      const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void diags_print(const struct diags *d, FILE *out);
void diags_free(struct diags *d);

/* s as a JSON string: quotes, backslashes and control characters escaped. */
void json_string(FILE *f, const char *s);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Every file the tool reads is a regular file of bounded size, checked
 * before it is read: a device or a FIFO would be read without end.
 *
 * A description (.dts, .dtb or .cell) is at most what the hypervisor takes
 * as a blob; a source file larger than that is not a description either.
 */
#define MAX_DESCRIPTION_SIZE ((size_t)BRIG_HC_MAX_CONFIG_SIZE)
/*
 * The ABI sets no limit on an image for `brig cell load` (the driver checks
 * that it fits one loadable region of the cell); the tool reads it whole
 * into memory first, so it bounds it itself.
 */
#define MAX_IMAGE_SIZE ((size_t)256 << 20)

/*
 * Reads a whole regular file of at most max bytes (what it is, "a
 * description", for the message). On failure reports one error naming the
 * file to d and returns NULL.
 */
void *read_file(const char *path, size_t max, const char *what, size_t *size,
		struct diags *d);
int write_file(const char *path, const void *data, size_t size,
	       struct diags *d);

/* --- loaded descriptions (config-dts.c, config-load.c) -------------------- */

/* Device-tree node paths of a blob's parts; all NULL for binary input. */
struct srcmap {
	char *cell; /* the cell's node: "/" or "/root-cell" */
	char *console;
	char **mem, **pio, **irq, **pci;
	char *hypervisor, *debug_console, *platform;
	char *iommu[BRIG_MAX_IOMMU_UNITS];
};

/* An SMT core: CPUs that share one core's execution units. */
struct smt_group {
	char *name; /* the property in /smt-siblings */
	unsigned int num_cpus;
	unsigned int *cpus;
};

struct config {
	char *file;
	void *blob;
	size_t size;
	int is_system;
	struct srcmap map;
	struct smt_group *smt; /* system from source only */
	unsigned int num_smt;
	int smt_named; /* from source, and /smt-siblings is there (maybe empty) */
};

/*
 * Loads a description from .dts (through dtc), .dtb or .cell, told apart
 * by their contents. Blob inputs are taken as they are (the checker judges
 * them); source inputs are compiled, and schema errors reported to d.
 * Returns 0 if cfg->blob is usable for checking.
 */
int config_load(const char *path, struct config *cfg, struct diags *d);
void config_free(struct config *cfg);

/* Runs dtc on a source file; returns the blob or NULL (reported to d). */
void *dts_compile(const char *path, size_t *size, struct diags *d);

/* Builds the blob and its srcmap from a device-tree blob. */
int dtb_to_config(const void *fdt, size_t fdt_size, struct config *cfg,
		  struct diags *d);

/* The path that a checker report is about, in terms of cfg's source. */
char *config_where_path(const struct config *cfg,
			const struct brig_check_where *where);

/*
 * Checks a system description and cell descriptions meant to run on it:
 * every blob, the set, and the SMT topology. Returns the number of errors.
 */
unsigned int config_check_set(struct config *system, struct config *cells,
			      unsigned int num_cells, struct diags *d);

/* Checks one description on its own. Returns the number of errors. */
unsigned int config_check_one(struct config *cfg, struct diags *d);

/*
 * The system description's cores (/smt-siblings) against the running
 * machine's, read from sysfs under root ("/sys" on the target): a warning
 * for each root CPU whose siblings differ, and for a description that
 * names none while the machine has SMT. Nothing for a blob (no topology)
 * or a CPU sysfs does not show (offline).
 */
void config_check_smt_live(const struct config *sys, const char *root,
			   struct diags *d);

/* --- generating a system description (config-create.c) ------------------ */

struct create_opts {
	const char *root; /* where proc/ and sys/ are: "/" or a collected tree */
	const char *source; /* what --from named, for the output's header */
	unsigned long long hv_start; /* 0: the first memmap= reservation */
	unsigned long long hv_size;
	const char *console; /* "pio-e9", "pio-8250[:PORT]" or "none" */
};

/* A range of physical memory and what names it. */
struct create_range {
	unsigned long long start, size;
	char name[64];
};

struct create_iommu {
	const char *type; /* "vtd" or "amd-vi" */
	unsigned long long base;
	unsigned int size, amd_bdf, amd_cap;
};

struct create_ioapic {
	unsigned int id, address, gsi_base;
	unsigned int source_id; /* from DMAR; 0 when no scope names it */
	unsigned int unit; /* the DRHD whose scope names it */
};

/*
 * Writes a system description of the machine under o->root to out.
 * Returns 0, or -1 with the reason in d (warnings may come either way).
 */
int config_create(const struct create_opts *o, FILE *out, struct diags *d);

/*
 * Copies what config_create() reads from this machine into dir, under the
 * same paths, so that create can run elsewhere with dir as its root.
 */
int config_collect(const char *dir, struct diags *d);

/* Its parsers, on their own for the unit tests. */
int create_parse_reservations(const char *cmdline, struct create_range *r,
			      unsigned int max, struct diags *d);
int create_parse_iomem(const char *text, struct create_range **out,
		       unsigned int *num, struct diags *d);
int create_parse_mcfg(const unsigned char *t, size_t len,
		      unsigned long long *base, unsigned int *end_bus);
unsigned int create_parse_pm_timer(const unsigned char *t, size_t len);
unsigned int create_parse_madt(const unsigned char *t, size_t len,
			       struct create_ioapic *io, unsigned int max);
unsigned int create_parse_dmar(const unsigned char *t, size_t len,
			       struct create_iommu *u, unsigned int max,
			       struct create_ioapic *io, unsigned int num_io);
unsigned int create_parse_ivrs(const unsigned char *t, size_t len,
			       struct create_iommu *u, unsigned int max);
unsigned int create_parse_rmrr(const unsigned char *t, size_t len,
			       struct create_range *r, unsigned int max);
unsigned int create_parse_ivmd(const unsigned char *t, size_t len,
			       struct create_range *r, unsigned int max);

/* Prints every field of a blob that passed brig_check_layout(). */
void config_dump(FILE *out, const void *blob, int is_system);

/* --- the command line (cli.c) ------------------------------------------ */

/*
 * A command of the tree that `brig` dispatches on. A leaf has run and
 * usage (its lines of the usage text, "  brig cell create ...\n" and an
 * indented description); a group has sub, its commands (NULL-terminated),
 * and the top level also a usage synopsis of its own.
 */
struct command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the name */
	const char *usage;
	/* options of a leaf that take a value: "-o" OUT is not --help */
	const char *const *value_opts;
	const struct command *const *sub;
};

/*
 * Runs top with argv[0] its name. --help and -h at any level print that
 * level's usage to stdout (status 0); misuse prints one line and the
 * usage to stderr (status 2).
 */
int cli_run(const struct command *top, int argc, char **argv);
int is_help(const char *arg);
/*
 * Misuse of the command being run: "brig cell load: MSG" and its usage on
 * stderr. Returns BRIG_EXIT_USAGE.
 */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "unknown option" for -x, else "unexpected argument"; BRIG_EXIT_USAGE. */
int bad_argument(const char *arg);

/* cmd-config.c: brig config ... */
extern const struct command config_command;

/* cmd-latency.c: brig latency ...; latency-run.c: brig latency run */
extern const struct command latency_command, latency_run_command;

/*
 * latency-stats.c: the bound below which a fraction q of h's samples lie
 * (a bucket's upper limit); *open set, and the maximum returned, when
 * that is the open last bucket. 0 without samples.
 */
long long latency_quantile(const struct brig_latency_hist *h, double q,
			   int *open);

/*
 * cmd-latency.c: the root's view of a channel's output sections (UIO map
 * 3 of brig_ivshmem.ko), and a consistent copy of peer p's histogram from
 * it: 1, or 0 if there is none (yet).
 */
struct latency_source {
	char uio[16];
	const volatile __u8 *inputs;
	size_t size;
	unsigned long long out_size;
	unsigned int peer; /* whose section has the histogram */
};
int latency_snapshot(const struct latency_source *s, unsigned int p,
		     struct brig_latency_hist *h);

/* latency-report.c: one run of `brig latency run` and its files. */

/* The cell's start, each phase timed on the root's clock (ns). */
enum latency_phase {
	LATENCY_VALIDATE, /* read and check the description */
	LATENCY_CREATE, /* the create request */
	LATENCY_LOAD, /* the load request (the inmate and its command line) */
	LATENCY_START, /* the start request */
	LATENCY_FIRST_STATE, /* until the inmate's state write is seen */
	LATENCY_FIRST_HIST, /* until its first histogram is seen */
	LATENCY_PHASES
};
const char *latency_phase_name(unsigned int phase);

struct latency_result {
	const char *cell, *load;
	const char *mode; /* asked for; what ran is hist.mode */
	unsigned long long period_us;
	double seconds; /* the measurement window, the root's clock */
	int interrupted; /* ended early by a signal */
	struct brig_latency_hist hist; /* at the end: the whole run */
	/* Summed over the cell's CPUs, by BRIG_EXIT_* (0: total). */
	long long cell_exits[BRIG_EXIT_COUNT]; /* over the window */
	long long cell_exits_before[BRIG_EXIT_COUNT]; /* start to window */
	long long root_exits[BRIG_EXIT_COUNT]; /* root's CPUs, the window */
	unsigned int root_cpus;
	long long phase_ns[LATENCY_PHASES];
};

struct latency_summary {
	unsigned long long samples, missed;
	long long min_ns, avg_ns, p99_ns, p999_ns, max_ns;
	int p99_open, p999_open; /* the quantile is in the open last bucket */
};

void latency_summarize(const struct brig_latency_hist *h,
		       struct latency_summary *s);
void latency_write_text(FILE *f, const struct latency_result *r);
void latency_write_json(FILE *f, const struct latency_result *r);
void latency_write_csv(FILE *f, const struct brig_latency_hist *h);
void latency_write_svg(FILE *f, const struct latency_result *r);

/* cmd-hv.c: the hypervisor as a whole */
extern const struct command enable_command, disable_command, info_command,
	stats_command, console_command;

/*
 * The sysfs directory of brig.ko: /sys/class/misc/brig, or $BRIG_SYSFS
 * (the unit tests point it at a fake tree).
 */
const char *brig_sysfs_dir(void);
enum stats_format { STATS_TEXT, STATS_JSON, STATS_PROMETHEUS };
/*
 * An option of brig stats and brig cell stats: --json or --format=FORMAT,
 * at most one of them (*seen counts them); else a usage error
 * (BRIG_EXIT_USAGE).
 */
int parse_stats_format(const char *arg, enum stats_format *format, int *seen);
/* The VM-exit counters of these CPUs, as `brig stats` prints them. */
/* The "cpus" member of the JSON stats object, without the braces. */
void print_stats_json_cpus(const unsigned int *cpus, unsigned int n);
void print_exit_stats(const unsigned int *cpus, unsigned int n,
		      enum stats_format format);
/* The name of exit reason BRIG_EXIT_* ("cpuid"), as sysfs and JSON say it. */
const char *brig_exit_name(unsigned int reason);
/* CPU cpu's count of exits for reason (BRIG_EXIT_*), or -1. */
long long brig_cpu_exits(unsigned int cpu, unsigned int reason);

/* cmd-cell.c: brig cell ... */
extern const struct command cell_command;

/*
 * The pure parts of `brig cell`, for the unit tests. Each returns 0, or -1
 * with a sentence in err.
 */
#define CELL_ERR_LEN 160

/* A cell given as a number is an id, anything else a name. */
struct brig_cell_ref;
int cell_parse_ref(const char *arg, struct brig_cell_ref *ref, char *err);

/* One thing to load: a file, or a string (loaded with its NUL). */
struct load_item {
	const char *file; /* NULL for a string */
	const char *string;
	unsigned long long addr; /* guest-physical target */
	int addr_given;
};

#define LOAD_DEFAULT_IMAGE_ADDR 0x0ull
#define LOAD_DEFAULT_STRING_ADDR 0x1000ull

/*
 * `IMAGE [-a ADDR] [-s STRING [-a ADDR]]...`, argv after the cell; every
 * -a belongs to the image or string just before it. items has room for
 * argc entries; *n is set to how many were found (at least one).
 */
int cell_parse_load(int argc, char **argv, struct load_item *items,
		    unsigned int *n, char *err);

/* A number for -a: decimal, 0x hex or 0 octal, nothing after it. */
int cell_parse_addr(const char *s, unsigned long long *addr);

/* "1-3,5" (sysfs cpu lists) into ascending CPU numbers; count or -1. */
int cell_parse_cpu_list(const char *s, unsigned int *cpus, unsigned int max);

/* One ivshmem device of a cell, as cells/<id>/channels says it. */
struct cell_channel {
	unsigned int channel, peer, peers;
	unsigned int present; /* bit p: peer p is there */
	unsigned int state[16]; /* the state table, by peer */
};

/* The CPUs of cell id (0: the root), ascending; count, or -1. */
int cell_cpus(int id, unsigned int *cpus, unsigned int max);
/* The state of cell id as sysfs says it ("running", ...); "" if gone. */
void cell_state(int id, char *buf, size_t size);
/* The name of cell id; "" if there is no such cell. */
void cell_name(int id, char *buf, size_t size);
/* The name of the cell that holds cpu now ("" if none does). */
void cell_of_cpu(unsigned int cpu, char *buf, size_t size);
/* A Prometheus label value, escaped (backslash, double quote, newline). */
void print_prom_label(const char *s);
/* Every cell's state as Prometheus gauges (brig stats --format=prometheus). */
void cell_print_prometheus(void);

/* The channels of cell id (at most max); 0 if none or unreadable. */
int cell_channels(int id, struct cell_channel *ch, int max);
/* brig info's lines about channels. */
void cell_print_channels(void);

/*
 * The driver's verdict on one request (/dev/brig opened for it): the
 * ioctl's result, or -1 with the driver's reason printed ("brig: WHAT:").
 */
int cell_request(const char *what, unsigned long req, void *arg);

/* A sysfs value as a number; -1 with errno set if it cannot be read. */
long long read_sysfs(const char *path);

/*
 * Load and check a cell description for the command what ("cell
 * create"); its diagnostics printed. -1 if it is not a good one.
 */
int load_cell_description(const char *path, const char *what,
			  struct config *cfg, struct diags *d);

/* cmd-linux.c: brig cell linux */
extern const struct command cell_linux_command;

/* /dev/brig, opened with a helpful message on failure; -1 on error. */
int brig_open_device(void);
/*
 * An ioctl that prints the driver's reason on failure ("brig: WHAT:
 * reason"). Returns the ioctl's result, -1 on failure.
 */
int brig_ioctl(int fd, const char *what, unsigned long req, void *arg);

#endif /* BRIG_TOOL_H */
