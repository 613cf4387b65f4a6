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

void usage_config(FILE *out)
{
	fprintf(out,
		"  brig config compile IN.dts|IN.dtb -o OUT.cell\n"
		"        compile a system or cell description into its binary blob\n"
		"  brig config check ROOT [CELL...]\n"
		"        check a system description and the cells meant to run on it\n"
		"        (each given as .dts, .dtb or compiled .cell)\n"
		"  brig config dump FILE\n"
		"        print every field of a description's binary blob\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "brig config: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage:\n");
	usage_config(stderr);
	return BRIG_EXIT_USAGE;
}

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
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (argv[i][0] == '-' || in)
			return usage_error("unexpected argument \"%s\"",
					   argv[i]);
		else
			in = argv[i];
	}
	if (!in || !out)
		return usage_error("%s", "compile needs IN and -o OUT");
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

	if (argc < 2)
		return usage_error("%s", "check needs at least ROOT");
	for (i = 1; i < (unsigned int)argc; i++)
		if (argv[i][0] == '-')
			return usage_error("unknown option \"%s\"", argv[i]);
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

	if (argc != 2 || argv[1][0] == '-')
		return usage_error("%s", "dump needs exactly one FILE");
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

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} config_commands[] = {
	{ "compile", config_compile },
	{ "check", config_check },
	{ "dump", config_dump_cmd },
};

/* argv[0] is "config". */
int cmd_config(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage_error("%s", "missing subcommand");
	for (i = 0; i < sizeof(config_commands) / sizeof(config_commands[0]);
	     i++)
		if (!strcmp(argv[1], config_commands[i].name))
			return config_commands[i].run(argc - 1, argv + 1);
	return usage_error("unknown subcommand \"%s\"", argv[1]);
}
