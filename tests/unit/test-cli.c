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
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
