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

#define BRIG TOP "/tools/brig"
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

static void assert_usage_error(void)
{
	if (r.status != 2)
		print_message("stderr: %s\n", r.err);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "brig config check ROOT [CELL...]"));
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

static void misuse(void **state)
{
	(void)state;
	run(&r, NULL, NULL);
	assert_usage_error();
	run(&r, NULL, "frobnicate", NULL);
	assert_usage_error();
	assert_non_null(strstr(r.err, "unknown command \"frobnicate\""));
	run(&r, NULL, "config", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "explode", NULL);
	assert_usage_error();
	assert_non_null(strstr(r.err, "unknown subcommand \"explode\""));
	run(&r, NULL, "config", "compile", BOARD "qemu-x86.dts", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "compile", "-o", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "compile", "a.dts", "b.dts", "-o", "x", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "check", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "check", "--strict", "x", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "dump", NULL);
	assert_usage_error();
	run(&r, NULL, "config", "dump", "a", "b", NULL);
	assert_usage_error();
}

/* `brig cell` misuse: its own usage on stderr, exit status 2. */
static void assert_cell_usage(void)
{
	if (r.status != 2)
		print_message("stderr: %s\n", r.err);
	assert_int_equal(r.status, 2);
	assert_non_null(
		strstr(r.err, "brig cell load NAME|ID IMAGE [-a ADDR]"));
	assert_string_equal(r.out, "");
}

static void cell_misuse(void **state)
{
	(void)state;
	run(&r, NULL, "cell", NULL);
	assert_cell_usage();
	assert_non_null(strstr(r.err, "missing subcommand"));
	run(&r, NULL, "cell", "explode", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "create", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "create", "a.cell", "b.cell", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "load", "hello", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "load", "hello", "-a", "0x1000", "x.bin", NULL);
	assert_cell_usage();
	assert_non_null(strstr(r.err, "-a needs an IMAGE or -s STRING"));
	run(&r, NULL, "cell", "load", "hello", "x.bin", "-a", "twelve", NULL);
	assert_cell_usage();
	assert_non_null(strstr(r.err, "\"twelve\" is not an address"));
	run(&r, NULL, "cell", "load", "hello", "x.bin", "-s", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "start", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "start", "hello", "--force", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "shutdown", "hello", "other", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "destroy", "--force", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "destroy",
	    "a-name-that-is-much-too-long-for-a-cell", NULL);
	assert_cell_usage();
	assert_non_null(strstr(r.err, "too long"));
	run(&r, NULL, "cell", "list", "--yaml", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "stats", NULL);
	assert_cell_usage();
	run(&r, NULL, "cell", "stats", "hello", "--yaml", NULL);
	assert_cell_usage();
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
	assert_string_equal(r.out,
			    "2 descriptions checked: no errors, 0 warnings\n");
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
	assert_string_equal(r.out,
			    "2 descriptions checked: no errors, 1 warning\n");
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
	static const char *const reasons[] = {
		"total",     "hypercall", "cpuid",	"pio",	      "msr",
		"mmio",	     "xapic",	  "x2apic_icr", "management", "nmi",
		"init_sipi", "cr",	  "xsetbv",	"exception",  "other"
	};
	char path[512];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	put("cells/0/name", "qemu-q35\n");
	put("cells/0/state", "running\n");
	put("cells/0/cpus", "0\n");
	put("cells/1/name", "hello\n");
	put("cells/1/state", "stopped\n");
	put("cells/1/cpus", "1\n");
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
		"[{\"id\": 0, \"name\": \"qemu-q35\", \"state\": \"running\", \"cpus\": \"0\"}, "
		"{\"id\": 1, \"name\": \"hello\", \"state\": \"stopped\", \"cpus\": \"1\"}]\n");
	run(&r, env, "cell", "list", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1    hello"));
	run(&r, env, "cell", "stats", "hello", "--json", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "{\"cpus\": {\"1\": {\"total\": 42, "));
	run(&r, env, "cell", "stats", "1", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "cpu1"));
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
		cmocka_unit_test(misuse),
		cmocka_unit_test(compile_check_dump),
		cmocka_unit_test(refused_description),
		cmocka_unit_test(warnings_keep_status_zero),
		cmocka_unit_test(missing_dtc),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(cell_misuse),
		cmocka_unit_test(cell_create_refused),
		cmocka_unit_test(cell_list_stats),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
