// SPDX-License-Identifier: GPL-2.0
/*
 * `brig config ...`: compile, check and dump system and cell descriptions.
 *
 * Everything here works without /dev/brig, so it runs on a build host as well
 * as on the target. Exit status: 0 when no errors (warnings allowed), 1 when
 * a description is wrong or a file cannot be used, 2 for a wrong command line.
 */
#include <stdlib.h>
#include <string.h>

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
						NULL },
};
