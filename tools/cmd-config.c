// SPDX-License-Identifier: GPL-2.0
/*
 * `brig config ...`: compile, check and dump system and cell descriptions.
 *
 * Everything here works without /dev/brig, so it runs on a build host as well
 * as on the target. Exit status: 0 when no errors (warnings allowed), 1 when
 * a description is wrong or a file cannot be used, 2 for a wrong command line.
 */
#define _GNU_SOURCE /* nftw() */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "brig-tool.h"

static int finish(struct diags *d, int rc)
{
	diags_print(d, stderr);
	if (d->errors && rc == BRIG_EXIT_OK)
		rc = BRIG_EXIT_FAILED;
	diags_free(d);
	return rc;
}

static int config_compile(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct diags d = { 0 };
	struct config cfg;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (i + 1 == argc)
				return usage_error("-o needs a file name");
			if (out)
				return usage_error("-o given twice");
			out = argv[++i];
		} else if (in || (argv[i][0] == '-' && argv[i][1])) {
			return bad_argument(argv[i]);
		} else {
			in = argv[i];
		}
	}
	if (!in)
		return usage_error("missing IN, the description to compile");
	if (!out)
		return usage_error("missing -o OUT, the file to write");
	if (config_load(in, &cfg, &d) == 0) {
		config_check_one(&cfg, &d);
		if (!d.errors)
			write_file(out, cfg.blob, cfg.size, &d);
	}
	config_free(&cfg);
	return finish(&d, BRIG_EXIT_OK);
}

static int load_kind(const char *path, struct config *cfg, int want_system,
		     struct diags *d)
{
	if (config_load(path, cfg, d))
		return -1;
	if (cfg->is_system == want_system)
		return 0;
	diag_add(
		d, BRIG_CHECK_ERROR, path, NULL,
		want_system ?
			"this is a cell description, but the first argument must be the system description" :
			"this is a system description, but only the first argument may be one");
	return -1;
}

static int config_check(int argc, char **argv)
{
	unsigned int num_cells, i, failed = 0;
	struct diags d = { 0 };
	struct config *cfgs;

	for (i = 1; i < (unsigned int)argc; i++)
		if (argv[i][0] == '-')
			return bad_argument(argv[i]);
	if (argc < 2)
		return usage_error("missing ROOT, the system description");
	num_cells = (unsigned int)argc - 2;
	cfgs = xcalloc(num_cells + 1, sizeof(*cfgs));
	for (i = 0; i <= num_cells; i++)
		failed += load_kind(argv[i + 1], &cfgs[i], i == 0, &d) != 0;
	/* Checking a half-parsed source would only add follow-on errors. */
	if (!failed)
		config_check_set(&cfgs[0], &cfgs[1], num_cells, &d);
	for (i = 0; i <= num_cells; i++)
		config_free(&cfgs[i]);
	free(cfgs);
	if (!d.errors)
		printf("%u description%s checked: no errors, %u warning%s\n",
		       num_cells + 1, num_cells ? "s" : "", d.warnings,
		       d.warnings == 1 ? "" : "s");
	return finish(&d, BRIG_EXIT_OK);
}

static int config_dump_cmd(int argc, char **argv)
{
	struct diags d = { 0 };
	struct brig_check_blob blob;
	struct config cfg;

	if (argc < 2)
		return usage_error("missing FILE");
	if (argv[1][0] == '-' || argc > 2)
		return bad_argument(argv[argv[1][0] == '-' ? 1 : 2]);
	if (config_load(argv[1], &cfg, &d) == 0) {
		blob.data = cfg.blob;
		blob.size = cfg.size;
		if (brig_check_layout(&blob, cfg.is_system))
			config_dump(stdout, cfg.blob, cfg.is_system);
		config_check_one(&cfg, &d);
	}
	config_free(&cfg);
	return finish(&d, BRIG_EXIT_OK);
}

/* --- create and collect ---------------------------------------------------- */

/* tar, with archive named in its messages; 0 when it succeeded. */
static int run_tar(const char *archive, char *const argv[], struct diags *d)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    !WEXITSTATUS(status))
		return 0;
	diag_add(d, BRIG_CHECK_ERROR, archive, NULL, "%s",
		 pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			 "cannot run tar: install it" :
			 "tar failed on it (its message is above)");
	return -1;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static char *make_tmpdir(struct diags *d)
{
	const char *tmpdir = getenv("TMPDIR");
	char *dir =
		xasprintf("%s/brig-config-XXXXXX", tmpdir ? tmpdir : "/tmp");

	if (!mkdtemp(dir)) {
		diag_add(d, BRIG_CHECK_ERROR, dir, NULL,
			 "cannot create a temporary directory: %s",
			 strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

static void remove_tmpdir(char *dir)
{
	if (dir)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/*
 * A path tar takes as a local file: GNU tar reads "host:file" as a remote
 * one, unless a slash comes first.
 */
static char *local_path(const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("./%s", path);
}

static int config_collect_cmd(int argc, char **argv)
{
	struct diags d = { 0 };
	char *dir, *out;

	if (argc < 2)
		return usage_error("missing OUT, the archive to write");
	if (argv[1][0] == '-' || argc > 2)
		return bad_argument(argv[argv[1][0] == '-' ? 1 : 2]);
	dir = make_tmpdir(&d);
	out = local_path(argv[1]);
	if (dir && !config_collect(dir, &d))
		run_tar(argv[1],
			(char *const[]){ "tar", "-czf", out, "-C", dir, ".",
					 NULL },
			&d);
	free(out);
	remove_tmpdir(dir);
	return finish(&d, BRIG_EXIT_OK);
}

/*
 * Whether every member of an archive is a regular file or a directory, as
 * `tar -tv` lists them (the mode's first letter): a symbolic link could
 * point create's reads at any file of this machine, a device or a FIFO
 * block them. Returns 0 when so, -1 (reported) otherwise.
 */
static int plain_members(const char *archive, const char *path, struct diags *d)
{
	int fds[2], status = 0, bad = 0;
	char line[512];
	FILE *f;
	pid_t pid;

	if (pipe(fds)) {
		diag_add(d, BRIG_CHECK_ERROR, archive, NULL,
			 "cannot list it: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("tar", "tar", "-tvzf", path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && fgets(line, sizeof(line), f))
		bad |= line[0] != '-' && line[0] != 'd';
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		diag_add(
			d, BRIG_CHECK_ERROR, archive, NULL,
			"not an archive tar can list (brig config collect writes one)");
		return -1;
	}
	if (bad) {
		diag_add(
			d, BRIG_CHECK_ERROR, archive, NULL,
			"holds more than files and directories (a link, a device?): brig config collect writes no such archive");
		return -1;
	}
	return 0;
}

/* --from: a directory as it is, an archive unpacked into *tmp. */
static const char *create_root(const char *from, char **tmp, struct diags *d)
{
	const char *root;
	struct stat st;
	char *path;

	if (stat(from, &st)) {
		diag_add(d, BRIG_CHECK_ERROR, from, NULL, "cannot open: %s",
			 strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
		return from;
	if (!S_ISREG(st.st_mode)) {
		diag_add(
			d, BRIG_CHECK_ERROR, from, NULL,
			"neither a directory nor an archive of brig config collect");
		return NULL;
	}
	path = local_path(from);
	if (!plain_members(from, path, d))
		*tmp = make_tmpdir(d);
	/* Neither owners nor modes from the archive: it may come from anyone. */
	if (!*tmp || run_tar(from,
			     (char *const[]){ "tar", "-xzof", path,
					      "--no-same-permissions", "-C",
					      *tmp, NULL },
			     d))
		root = NULL;
	else
		root = *tmp;
	free(path);
	return root;
}

/* A size or address: a number, or with M or G (MiB, GiB). */
static int parse_amount(const char *opt, const char *v, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 0);
	if (errno || end == v || v[0] == '-')
		return usage_error("%s wants a number, not '%s'", opt, v);
	if (*end == 'M' || *end == 'm') {
		*out <<= 20;
		end++;
	} else if (*end == 'G' || *end == 'g') {
		*out <<= 30;
		end++;
	}
	if (*end)
		return usage_error("%s wants a number, not '%s'", opt, v);
	return 0;
}

static int valid_console(const char *c)
{
	unsigned long port;
	char *end;

	if (!strcmp(c, "none") || !strcmp(c, "pio-e9") ||
	    !strcmp(c, "pio-8250"))
		return 1;
	if (strncmp(c, "pio-8250:", 9))
		return 0;
	errno = 0;
	port = strtoul(c + 9, &end, 0);
	return port <= 0xffff && !errno && end != c + 9 && !*end;
}

static const char *const create_value_opts[] = {
	"-o", "--from", "--hypervisor", "--hypervisor-size", "--console", NULL,
};

static int is_value_opt(const char *a)
{
	for (const char *const *p = create_value_opts; *p; p++)
		if (!strcmp(a, *p))
			return 1;
	return 0;
}

/* One option of create and its value; BRIG_EXIT_USAGE when wrong. */
static int create_option(struct create_opts *o, const char **out,
			 const char **from, const char *a, const char *v)
{
	if (!strcmp(a, "-o")) {
		*out = v;
	} else if (!strcmp(a, "--from")) {
		*from = v;
	} else if (!strcmp(a, "--console")) {
		if (!valid_console(v))
			return usage_error(
				"--console wants none, pio-e9, pio-8250 or pio-8250:PORT, not '%s'",
				v);
		o->console = v;
	} else if (!strcmp(a, "--hypervisor")) {
		return parse_amount(a, v, &o->hv_start);
	} else if (!strcmp(a, "--hypervisor-size")) {
		if (parse_amount(a, v, &o->hv_size))
			return BRIG_EXIT_USAGE;
		if (!o->hv_size || o->hv_size % (2 << 20))
			return usage_error(
				"--hypervisor-size wants a multiple of 2 MiB, not '%s'",
				v);
	} else {
		return bad_argument(a);
	}
	return 0;
}

static int config_create_cmd(int argc, char **argv)
{
	struct create_opts o = { .root = "/",
				 .hv_size = 16 << 20,
				 .console = "none" };
	const char *out = NULL, *from = NULL;
	struct diags d = { 0 };
	char *tmp = NULL, *text = NULL;
	size_t size = 0;
	FILE *f;
	int i, rc;

	for (i = 1; i < argc; i += 2) {
		if (!is_value_opt(argv[i]))
			return bad_argument(argv[i]);
		if (i + 1 == argc)
			return usage_error("%s needs a value", argv[i]);
		if (create_option(&o, &out, &from, argv[i], argv[i + 1]))
			return BRIG_EXIT_USAGE;
	}
	if (from) {
		o.source = from;
		o.root = create_root(from, &tmp, &d);
		if (!o.root) {
			remove_tmpdir(tmp);
			return finish(&d, BRIG_EXIT_OK);
		}
	}
	f = open_memstream(&text, &size);
	if (!f)
		diag_add(&d, BRIG_CHECK_ERROR, "brig config create", NULL,
			 "out of memory");
	rc = f ? config_create(&o, f, &d) : -1;
	if (f)
		fclose(f);
	if (!rc) {
		if (out)
			write_file(out, text, size, &d);
		else
			fwrite(text, 1, size, stdout);
	}
	free(text);
	remove_tmpdir(tmp);
	return finish(&d, BRIG_EXIT_OK);
}

static const struct command compile_command = {
	.name = "compile",
	.run = config_compile,
	.usage =
		"  brig config compile IN.dts|IN.dtb -o OUT.cell\n"
		"        compile a system or cell description into its binary blob\n",
	.value_opts = (const char *const[]){ "-o", NULL },
};

static const struct command check_command = {
	.name = "check",
	.run = config_check,
	.usage =
		"  brig config check ROOT [CELL...]\n"
		"        check a system description and the cells meant to run on it\n"
		"        (each given as .dts, .dtb or compiled .cell)\n",
};

static const struct command create_command = {
	.name = "create",
	.run = config_create_cmd,
	.usage =
		"  brig config create [-o OUT.dts] [--from DIR|ARCHIVE] [--hypervisor ADDR]\n"
		"                     [--hypervisor-size SIZE] [--console KIND]\n"
		"        write a system description of this machine (or of the one\n"
		"        `brig config collect` packed): run as root; Linux must have\n"
		"        booted with a memmap= reservation for the hypervisor and cells\n"
		"        (the first one, or the one at ADDR; the hypervisor takes its\n"
		"        first SIZE, 16M by default). KIND: none, pio-e9, pio-8250 or\n"
		"        pio-8250:PORT\n",
	.value_opts = create_value_opts,
};

static const struct command collect_command = {
	.name = "collect",
	.run = config_collect_cmd,
	.usage =
		"  brig config collect OUT.tar.gz\n"
		"        pack what config create reads of this machine (run as root),\n"
		"        for config create --from elsewhere\n",
};

static const struct command dump_command = {
	.name = "dump",
	.run = config_dump_cmd,
	.usage = "  brig config dump FILE\n"
		 "        print every field of a description's binary blob\n",
};

const struct command config_command = {
	.name = "config",
	.sub = (const struct command *const[]){ &compile_command,
						&check_command, &dump_command,
						&create_command,
						&collect_command, NULL },
};
