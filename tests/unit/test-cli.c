// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the `brig` command line, run as the user runs it: the built
 * tools/brig binary, its exit status, stdout and stderr. Misuse must give
 * usage on stderr and exit status 2; a refused description exit status 1;
 * warnings alone exit status 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <brig/hypercall.h>

/* The tool under test; the sanitizer build runs its own (make run-san). */
#ifndef BRIG
#define BRIG TOP "/tools/brig"
#endif
#define BOARD TOP "/configs/x86/"

struct result {
	int status;
	char out[16384];
	char err[16384];
};

static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t got;

	while (len + 1 < size &&
	       (got = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	close(fd);
}

/* Runs brig with args (NULL-terminated); env is "NAME=value" or NULL. */
static void run(struct result *r, const char *env, ...)
{
	char *argv[16] = { "brig" };
	int out[2], err[2], status, n = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, env);
	while ((argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (env)
			putenv((char *)env);
		alarm(20); /* a brig that blocks (on a FIFO, ...) fails */
		execv(BRIG, argv);
		_exit(126);
	}
	close(out[1]);
	close(err[1]);
	/* Outputs are small: reading one pipe after the other is safe. */
	read_all(out[0], r->out, sizeof(r->out));
	read_all(err[0], r->err, sizeof(r->err));
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct result r;

/*
 * Misuse: exit status 2, nothing on stdout, and on stderr exactly one line
 * saying what was wrong (first_line) followed by the usage of the level
 * that was misused, which shows synopsis (and, for a leaf, no other
 * command's).
 */
static void assert_misuse(const char *first_line, const char *synopsis)
{
	const char *nl = strchr(r.err, '\n');

	if (r.status != 2 || !nl ||
	    strncmp(r.err, first_line, (size_t)(nl - r.err)) ||
	    strlen(first_line) != (size_t)(nl - r.err) ||
	    strncmp(nl + 1, "usage", 5) || !strstr(nl, synopsis))
		fail_msg(
			"status %d, want 2 and \"%s\" then usage with \"%s\"; stderr:\n%s",
			r.status, first_line, synopsis, r.err);
	assert_string_equal(r.out, "");
}

static void version(void **state)
{
	(void)state;
	run(&r, NULL, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "brig 0.1.0\n");
}

static void help(void **state)
{
	(void)state;
	run(&r, NULL, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: brig COMMAND [ARGS...]"));
	assert_non_null(strstr(r.out, "brig config compile"));
	assert_string_equal(r.err, "");
}

/*
 * --help and -h at every level: that level's usage on stdout, status 0,
 * nothing on stderr. words is the command (up to 3 words, "" for none),
 * synopsis a line of its usage; a leaf's usage names no other command.
 */
static const struct {
	const char *words[3];
	const char *synopsis;
	int leaf;
} levels[] = {
	{ { "" }, "usage: brig COMMAND [ARGS...]", 0 },
	{ { "enable" }, "  brig enable [--skip-tool-check] SYSTEM\n", 1 },
	{ { "disable" }, "  brig disable\n", 1 },
	{ { "info" }, "  brig info\n", 1 },
	{ { "stats" },
	  "  brig stats [--json|--format=text|json|prometheus]\n",
	  1 },
	{ { "console" }, "  brig console [--follow]\n", 1 },
	{ { "cell" }, "usage: brig cell SUBCOMMAND [ARGS...]", 0 },
	{ { "cell", "create" }, "  brig cell create CELL-DESCRIPTION\n", 1 },
	{ { "cell", "load" }, "  brig cell load NAME|ID [--force] IMAGE", 1 },
	{ { "cell", "start" }, "  brig cell start NAME|ID [--force]\n", 1 },
	{ { "cell", "shutdown" },
	  "  brig cell shutdown NAME|ID [--force]\n",
	  1 },
	{ { "cell", "destroy" }, "  brig cell destroy NAME|ID [--force]\n", 1 },
	{ { "cell", "list" }, "  brig cell list [--json]\n", 1 },
	{ { "cell", "stats" },
	  "  brig cell stats NAME|ID [--json|--format=text|json|prometheus]\n",
	  1 },
	{ { "config" }, "usage: brig config SUBCOMMAND [ARGS...]", 0 },
	{ { "config", "compile" },
	  "  brig config compile IN.dts|IN.dtb -o OUT.cell\n",
	  1 },
	{ { "config", "check" }, "  brig config check ROOT [CELL...]\n", 1 },
	{ { "config", "dump" }, "  brig config dump FILE\n", 1 },
};

/* How many command synopses ("  brig ...") a usage text shows. */
static unsigned int synopses(const char *text)
{
	unsigned int n = 0;

	for (; (text = strstr(text, "\n  brig ")); text++)
		n++;
	return n;
}

static void help_at_every_level(void **state)
{
	static const char *const flags[] = { "--help", "-h" };
	const char *argv[4];
	unsigned int i, f, n;

	(void)state;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		for (f = 0; f < 2; f++) {
			n = 0;
			if (levels[i].words[0][0])
				argv[n++] = levels[i].words[0];
			if (levels[i].words[1])
				argv[n++] = levels[i].words[1];
			argv[n++] = flags[f];
			argv[n] = NULL;
			run(&r, NULL, argv[0], argv[1], argv[2], NULL);
			if (r.status != 0 || r.err[0] ||
			    !strstr(r.out, levels[i].synopsis) ||
			    (synopses(r.out) == 1) != levels[i].leaf)
				fail_msg(
					"brig %s %s %s: status %d, stdout:\n%s\nstderr:\n%s",
					argv[0], argv[1] ? argv[1] : "",
					argv[2] ? argv[2] : "", r.status, r.out,
					r.err);
		}
	}
	/* after other arguments too, but not as the value of an option */
	run(&r, NULL, "cell", "load", "hello", "x.bin", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.out, "brig cell load NAME|ID [--force] IMAGE"));
	run(&r, NULL, "config", "compile", "--help-me.dts", "-o", "--help",
	    NULL);
	assert_int_equal(r.status, 2);
	assert_misuse("brig config compile: unknown option \"--help-me.dts\"",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "compile", "/nonexistent.dts", "-o", "-h",
	    NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
}

static void misuse(void **state)
{
	(void)state;
	run(&r, NULL, NULL);
	assert_misuse("brig: missing command", "brig config check ROOT");
	run(&r, NULL, "frobnicate", NULL);
	assert_misuse("brig: unknown command \"frobnicate\"",
		      "brig config check ROOT");
	run(&r, NULL, "--frobnicate", NULL);
	assert_misuse("brig: unknown option \"--frobnicate\"",
		      "usage: brig COMMAND");
	run(&r, NULL, "config", NULL);
	assert_misuse("brig config: missing subcommand",
		      "brig config check ROOT [CELL...]");
	run(&r, NULL, "config", "explode", NULL);
	assert_misuse("brig config: unknown subcommand \"explode\"",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "compile", BOARD "qemu-x86.dts", NULL);
	assert_misuse("brig config compile: missing -o OUT, the file to write",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "compile", "-o", NULL);
	assert_misuse("brig config compile: -o needs a file name",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "compile", "a.dts", "b.dts", "-o", "x", NULL);
	assert_misuse("brig config compile: unexpected argument \"b.dts\"",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "compile", "a.dts", "-o", "x", "-o", "y", NULL);
	assert_misuse("brig config compile: -o given twice",
		      "brig config compile IN.dts");
	run(&r, NULL, "config", "check", NULL);
	assert_misuse("brig config check: missing ROOT, the system description",
		      "brig config check ROOT [CELL...]");
	run(&r, NULL, "config", "check", "--strict", "x", NULL);
	assert_misuse("brig config check: unknown option \"--strict\"",
		      "brig config check ROOT [CELL...]");
	run(&r, NULL, "config", "dump", NULL);
	assert_misuse("brig config dump: missing FILE",
		      "brig config dump FILE");
	run(&r, NULL, "config", "dump", "a", "b", NULL);
	assert_misuse("brig config dump: unexpected argument \"b\"",
		      "brig config dump FILE");
	/* a leaf's misuse shows that leaf's usage only */
	assert_null(strstr(r.err, "brig config check"));
}

/* The hypervisor commands, refused before /dev/brig is opened. */
static void hv_misuse(void **state)
{
	(void)state;
	run(&r, NULL, "stats", "--xml", NULL);
	assert_misuse("brig stats: unknown option \"--xml\"",
		      "  brig stats [--json|--format=text|json|prometheus]\n");
	assert_null(strstr(r.err, "brig enable"));
	run(&r, NULL, "stats", "--json", "--json", NULL);
	assert_misuse(
		"brig stats: --json: one format only (--json or one --format=FORMAT)",
		"  brig stats [--json|--format=text|json|prometheus]\n");
	run(&r, NULL, "stats", "--format", "json", NULL);
	assert_misuse(
		"brig stats: --format needs =FORMAT: --format=text, --format=json or --format=prometheus",
		"  brig stats [--json|--format=text|json|prometheus]\n");
	run(&r, NULL, "cell", "stats", "--json", "--format=prometheus", "x",
	    NULL);
	assert_misuse(
		"brig cell stats: --format=prometheus: one format only (--json or one --format=FORMAT)",
		"brig cell stats NAME|ID [--json|--format=text|json|prometheus]");
	run(&r, NULL, "stats", "--format=xml", NULL);
	assert_misuse(
		"brig stats: --format=xml: the formats are text, json and prometheus",
		"  brig stats [--json|--format=text|json|prometheus]\n");
	run(&r, NULL, "enable", "a", "b", NULL);
	assert_misuse("brig enable: unexpected argument \"b\"",
		      "brig enable [--skip-tool-check] SYSTEM");
	assert_null(strstr(r.err, "brig disable"));
	run(&r, NULL, "enable", NULL);
	assert_misuse("brig enable: missing SYSTEM, the system description",
		      "brig enable [--skip-tool-check] SYSTEM");
	run(&r, NULL, "enable", "--force", "a", NULL);
	assert_misuse("brig enable: unknown option \"--force\"",
		      "brig enable [--skip-tool-check] SYSTEM");
	run(&r, NULL, "disable", "now", NULL);
	assert_misuse("brig disable: unexpected argument \"now\"",
		      "  brig disable\n");
	run(&r, NULL, "info", "-v", NULL);
	assert_misuse("brig info: unknown option \"-v\"", "  brig info\n");
	run(&r, NULL, "console", "--follow", "x", NULL);
	assert_misuse("brig console: unexpected argument \"x\"",
		      "  brig console [--follow]\n");
}

#define CELL_LOAD "brig cell load NAME|ID [--force] IMAGE [-a ADDR]"

static void cell_misuse(void **state)
{
	(void)state;
	run(&r, NULL, "cell", NULL);
	assert_misuse("brig cell: missing subcommand", CELL_LOAD);
	run(&r, NULL, "cell", "explode", NULL);
	assert_misuse("brig cell: unknown subcommand \"explode\"", CELL_LOAD);
	run(&r, NULL, "cell", "create", NULL);
	assert_misuse("brig cell create: missing CELL-DESCRIPTION",
		      "brig cell create CELL-DESCRIPTION");
	assert_null(strstr(r.err, CELL_LOAD));
	run(&r, NULL, "cell", "create", "a.cell", "b.cell", NULL);
	assert_misuse("brig cell create: unexpected argument \"b.cell\"",
		      "brig cell create CELL-DESCRIPTION");
	run(&r, NULL, "cell", "load", "hello", NULL);
	assert_misuse("brig cell load: missing IMAGE or -s STRING", CELL_LOAD);
	run(&r, NULL, "cell", "load", "hello", "-a", "0x1000", "x.bin", NULL);
	assert_misuse(
		"brig cell load: -a needs an IMAGE or -s STRING before it",
		CELL_LOAD);
	run(&r, NULL, "cell", "load", "hello", "x.bin", "-a", "twelve", NULL);
	assert_misuse("brig cell load: \"twelve\" is not an address",
		      CELL_LOAD);
	run(&r, NULL, "cell", "load", "hello", "x.bin", "-s", NULL);
	assert_misuse("brig cell load: -s needs a string", CELL_LOAD);
	run(&r, NULL, "cell", "start", NULL);
	assert_misuse("brig cell start: missing NAME|ID, the cell",
		      "brig cell start NAME|ID");
	run(&r, NULL, "cell", "start", "hello", "--now", NULL);
	assert_misuse("brig cell start: unknown option \"--now\"",
		      "brig cell start NAME|ID [--force]");
	run(&r, NULL, "cell", "shutdown", "hello", "other", NULL);
	assert_misuse("brig cell shutdown: unexpected argument \"other\"",
		      "brig cell shutdown NAME|ID [--force]");
	run(&r, NULL, "cell", "destroy", "--force", NULL);
	assert_misuse("brig cell destroy: missing NAME|ID, the cell",
		      "brig cell destroy NAME|ID [--force]");
	run(&r, NULL, "cell", "destroy",
	    "a-name-that-is-much-too-long-for-a-cell", NULL);
	assert_misuse(
		"brig cell destroy: cell name \"a-name-that-is-much-too-long-for-a-cell\" is too long (at most 31 characters)",
		"brig cell destroy NAME|ID [--force]");
	run(&r, NULL, "cell", "list", "--yaml", NULL);
	assert_misuse("brig cell list: unknown option \"--yaml\"",
		      "brig cell list [--json]");
	run(&r, NULL, "cell", "stats", NULL);
	assert_misuse(
		"brig cell stats: missing NAME|ID, the cell",
		"brig cell stats NAME|ID [--json|--format=text|json|prometheus]");
	run(&r, NULL, "cell", "stats", "hello", "--yaml", NULL);
	assert_misuse(
		"brig cell stats: unknown option \"--yaml\"",
		"brig cell stats NAME|ID [--json|--format=text|json|prometheus]");
	/* and the top-level usage names the cell commands */
	run(&r, NULL, "--help", NULL);
	assert_non_null(strstr(r.out, "brig cell destroy NAME|ID [--force]"));
}

/* Refused before the driver is asked: the tool's own checks. */
static void cell_create_refused(void **state)
{
	(void)state;
	run(&r, NULL, "cell", "create", BOARD "qemu-x86.dts", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"qemu-x86.dts is a system description, not a cell description"));
}

static char tmpdir[] = "/tmp/brig-cli-XXXXXX";

static char *tmp(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void compile_check_dump(void **state)
{
	char sys[256], hello[256];

	(void)state;
	strcpy(sys, tmp("sys.cell"));
	strcpy(hello, tmp("hello.cell"));
	run(&r, NULL, "config", "compile", BOARD "qemu-x86.dts", "-o", sys,
	    NULL);
	assert_int_equal(r.status, 0);
	run(&r, NULL, "config", "compile", "-o", hello,
	    BOARD "qemu-x86-hello.dts", NULL);
	assert_int_equal(r.status, 0);
	run(&r, NULL, "config", "check", sys, hello, NULL);
	assert_int_equal(r.status, 0);
	/* The board names no IOMMU: the one warning. */
	assert_string_equal(r.out,
			    "2 descriptions checked: no errors, 1 warning\n");
	assert_non_null(
		strstr(r.err, "DMA and device interrupts are not isolated"));
	run(&r, NULL, "config", "dump", sys, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.out, "hypervisor: phys 0x3a000000 size 0x1000000"));
	assert_non_null(strstr(r.out, "  name \"qemu-q35\"\n"));
	/* the cell is no system description */
	run(&r, NULL, "config", "check", hello, sys, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"hello.cell: error: this is a cell description, but the first argument must be the system description"));
	unlink(sys);
	unlink(hello);
}

static void refused_description(void **state)
{
	FILE *f;

	(void)state;
	f = fopen(tmp("bad.dts"), "w");
	assert_non_null(f);
	fputs("/dts-v1/;\n/ {\n\tcompatible = \"brig,cell\";\n"
	      "\tarchitecture = \"x86-64\";\n\tcell-name = \"bad\";\n"
	      "\tcpus = <1>;\n\tmemroy { };\n};\n",
	      f);
	fclose(f);
	run(&r, NULL, "config", "check", BOARD "qemu-x86.dts", tmp("bad.dts"),
	    NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err, "bad.dts: /memroy: error: unknown node \"memroy\"\n"));
	run(&r, NULL, "config", "compile", tmp("bad.dts"), "-o",
	    tmp("bad.cell"), NULL);
	assert_int_equal(r.status, 1);
	assert_int_equal(access(tmp("bad.cell"), F_OK), -1);
	unlink(tmp("bad.dts"));
}

static void warnings_keep_status_zero(void **state)
{
	FILE *f;

	(void)state;
	f = fopen(tmp("smt.dts"), "w");
	assert_non_null(f);
	fputs("/include/ \"" BOARD "qemu-x86.dts\"\n"
	      "/ { smt-siblings { core1 = <1 3>; }; };\n",
	      f);
	fclose(f);
	run(&r, NULL, "config", "check", tmp("smt.dts"),
	    BOARD "qemu-x86-hello.dts", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(
		r.err,
		"qemu-x86-hello.dts: /: warning: takes 1 of the 2 SMT siblings"));
	/* and the board's missing IOMMU */
	assert_string_equal(r.out,
			    "2 descriptions checked: no errors, 2 warnings\n");
	unlink(tmp("smt.dts"));
}

static void missing_dtc(void **state)
{
	(void)state;
	run(&r, "BRIG_DTC=/nonexistent/dtc", "config", "check",
	    BOARD "qemu-x86.dts", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"cannot run \"/nonexistent/dtc\" to compile device-tree source: install the device-tree-compiler package, or give a .dtb or .cell file compiled elsewhere"));
}

static void missing_file(void **state)
{
	(void)state;
	run(&r, NULL, "config", "dump", tmp("nothing.cell"), NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"nothing.cell: error: cannot open: No such file or directory"));
}

/* stderr is exactly one line: "FILE: error: MSG". */
static void assert_file_refused(const char *file, const char *msg)
{
	char want[512];

	snprintf(want, sizeof(want), "%s: error: %s\n", file, msg);
	if (r.status != 1 || strcmp(r.err, want))
		fail_msg("status %d, want 1 and %s; stderr:\n%s", r.status,
			 want, r.err);
	assert_string_equal(r.out, "");
}

static void make_file(const char *name, const void *data, size_t size,
		      off_t length)
{
	FILE *f = fopen(tmp(name), "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
	if (length)
		assert_int_equal(truncate(tmp(name), length), 0);
}

/* Checked before a byte is read: regular files of bounded size only. */
static void input_files_checked(void **state)
{
	static const char *const big[] = { "big.dts", "big.bin" };
	char path[256], more[32];
	unsigned int i;

	(void)state;
	run(&r, NULL, "config", "check", "/dev/zero", NULL);
	assert_file_refused("/dev/zero",
			    "a character device, not a regular file");
	run(&r, NULL, "enable", "/dev/zero", NULL);
	assert_file_refused("/dev/zero",
			    "a character device, not a regular file");
	run(&r, NULL, "enable", "--skip-tool-check", "/dev/zero", NULL);
	assert_file_refused("/dev/zero",
			    "a character device, not a regular file");
	run(&r, NULL, "cell", "load", "hello", "/dev/zero", NULL);
	assert_file_refused("/dev/zero",
			    "a character device, not a regular file");
	run(&r, NULL, "config", "dump", tmpdir, NULL);
	assert_file_refused(tmpdir, "a directory, not a regular file");

	strcpy(path, tmp("fifo"));
	assert_int_equal(mkfifo(path, 0600), 0);
	run(&r, NULL, "cell", "create", path, NULL);
	assert_file_refused(path, "a FIFO, not a regular file");
	run(&r, NULL, "cell", "load", "hello", path, NULL);
	assert_file_refused(path, "a FIFO, not a regular file");
	unlink(path);

	/* sparse: 1 MiB + 1 byte is one too many for a description */
	make_file("big.dts", "/dts-v1/;", 9, BRIG_HC_MAX_CONFIG_SIZE + 1);
	make_file("big.bin", "", 0, (256 << 20) + 1);
	for (i = 0; i < 2; i++) {
		strcpy(path, tmp(big[i]));
		if (i == 0)
			run(&r, NULL, "config", "check", path, NULL);
		else
			run(&r, NULL, "cell", "load", "hello", path, "-a",
			    "0x0", NULL);
		snprintf(more, sizeof(more), "%s bytes, larger than",
			 i ? "268435457" : "1048577");
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, more));
		assert_non_null(strstr(
			r.err,
			i ? "larger than an image may be (268435456 bytes)\n" :
			    "larger than a description may be (1048576 bytes)\n"));
		unlink(path);
	}
}

/* What is wrong with a file that is no description, dtc or not. */
static void not_a_description(void **state)
{
	static const unsigned char binary[] = { 0x7f, 'E', 'L', 'F', 2, 1,
						1,    0,   0,	0,   0, 0 };
	char path[256];

	(void)state;
	strcpy(path, tmp("empty.dts"));
	make_file("empty.dts", "", 0, 0);
	run(&r, "BRIG_DTC=/nonexistent/dtc", "config", "check", path, NULL);
	assert_file_refused(path,
			    "empty file: not a device-tree source or blob");
	run(&r, NULL, "cell", "create", path, NULL);
	assert_file_refused(path,
			    "empty file: not a device-tree source or blob");
	unlink(path);

	strcpy(path, tmp("random.dts"));
	make_file("random.dts", binary, sizeof(binary), 0);
	run(&r, "BRIG_DTC=/nonexistent/dtc", "config", "dump", path, NULL);
	assert_file_refused(
		path,
		"not a device-tree source or blob (binary data without a device-tree or brig signature)");
	unlink(path);

	strcpy(path, tmp("notes.txt"));
	make_file("notes.txt", "hello\n", 6, 0);
	run(&r, "BRIG_DTC=/nonexistent/dtc", "enable", path, NULL);
	assert_file_refused(
		path,
		"not a device-tree source or blob (text without the /dts-v1/; tag)");
	unlink(path);
}

static void put(const char *rel, const char *value)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sysfs/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(value, f);
	fclose(f);
}

/* A fake /sys/class/misc/brig with the root cell and one cell on CPU 1. */
static void fake_sysfs(void)
{
	static const char *const dirs[] = {
		"sysfs",	 "sysfs/cells", "sysfs/cells/0",
		"sysfs/cells/1", "sysfs/cpus",	"sysfs/cpus/cpu1"
	};
#define REASON_NAME(sym, name) name,
	/* Every reason the ABI has: a missing file would read as -1. */
	static const char *const reasons[] = { BRIG_EXIT_REASONS(REASON_NAME) };
#undef REASON_NAME
	char path[512];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	put("mem_pool_used", "294\n");
	put("mem_pool_size", "3743\n");
	put("cells/0/name", "qemu-q35\n");
	put("cells/0/state", "running\n");
	put("cells/0/cpus", "0\n");
	put("cells/1/name", "hello\n");
	put("cells/1/state", "stopped\n");
	put("cells/1/cpus", "1\n");
	put("cells/1/channels", "1 0 2 1,-\n");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		snprintf(path, sizeof(path), "cpus/cpu1/%s", reasons[i]);
		put(path, i ? "0\n" : "42\n");
	}
}

static void cell_list_stats(void **state)
{
	char env[300], cmd[300];

	(void)state;
	fake_sysfs();
	snprintf(env, sizeof(env), "BRIG_SYSFS=%s/sysfs", tmpdir);
	run(&r, env, "cell", "list", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(
		r.out,
		"[{\"id\": 0, \"name\": \"qemu-q35\", \"state\": \"running\", \"cpus\": \"0\", \"channels\": []}, "
		"{\"id\": 1, \"name\": \"hello\", \"state\": \"stopped\", \"cpus\": \"1\", "
		"\"channels\": [{\"channel\": 1, \"peer\": 0, \"peers\": 2, \"states\": [1, null]}]}]\n");
	run(&r, env, "cell", "list", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1    hello"));
	assert_non_null(strstr(r.out, " 1:0/2[1,-]\n"));
	run(&r, env, "cell", "stats", "hello", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "{\"cpus\": {\"1\": {\"total\": 42, "));
	assert_non_null(strstr(r.out, "\"hlt\": 0"));
	assert_null(strstr(r.out, "-1")); /* no counter unreadable */
	run(&r, env, "cell", "stats", "1", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "cpu1"));
	assert_null(strstr(r.out, "-1"));
	run(&r, env, "cell", "stats", "hello", "--format=prometheus", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "# TYPE brig_vm_exits_total counter\n"));
	assert_non_null(strstr(
		r.out,
		"brig_vm_exits_total{cpu=\"1\",cell=\"hello\",reason=\"cpuid\"} 0\n"));
	assert_null(strstr(r.out, "reason=\"total\""));
	assert_null(strstr(r.out, "brig_cell_state"));
	run(&r, env, "stats", "--format=prometheus", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\nbrig_pool_used_bytes 1204224\n"));
	assert_non_null(strstr(r.out, "\nbrig_pool_size_bytes 15331328\n"));
	assert_non_null(strstr(
		r.out,
		"brig_cell_state{id=\"0\",cell=\"qemu-q35\",state=\"running\"} 1\n"
		"brig_cell_state{id=\"1\",cell=\"hello\",state=\"stopped\"} 1\n"));
	assert_non_null(strstr(
		r.out,
		"brig_vm_exits_total{cpu=\"1\",cell=\"hello\",reason=\"hypercall\"} 0\n"));
	/* every line a comment or NAME{LABELS} VALUE */
	/* every line a comment, NAME VALUE or NAME{LABELS} VALUE */
	for (char *l = r.out, *end; *l; l = end + 1) {
		char *sp;

		end = strchr(l, '\n');
		assert_non_null(end);
		sp = memchr(l, ' ', (size_t)(end - l));
		assert_true(*l == '#' ||
			    (sp && (sp[-1] == '}' ||
				    !memchr(l, '{', (size_t)(sp - l)))));
	}
	run(&r, env, "stats", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "{\"cpus\": {\"1\": {\"total\": 42, "));
	run(&r, env, "cell", "stats", "nosuch", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no cell named \"nosuch\""));
	run(&r, "BRIG_SYSFS=/nonexistent", "cell", "list", NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "is brig.ko loaded?"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s/sysfs", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static int make_tmpdir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version),
		cmocka_unit_test(help),
		cmocka_unit_test(help_at_every_level),
		cmocka_unit_test(misuse),
		cmocka_unit_test(hv_misuse),
		cmocka_unit_test(compile_check_dump),
		cmocka_unit_test(refused_description),
		cmocka_unit_test(warnings_keep_status_zero),
		cmocka_unit_test(missing_dtc),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(input_files_checked),
		cmocka_unit_test(not_a_description),
		cmocka_unit_test(cell_misuse),
		cmocka_unit_test(cell_create_refused),
		cmocka_unit_test(cell_list_stats),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
