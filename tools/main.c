// SPDX-License-Identifier: GPL-2.0
/*
 * The `brig` command: dispatch of the first argument to a command.
 *
 * Each command is one entry of the table below: its name, the function that
 * runs it with argv[0] being the command name, and the function that prints
 * its usage lines. A new command (enable, cell, ...) adds one entry
 * and its own cmd-*.c file; nothing else here changes.
 */
#include <string.h>

#include <brig/version.h>

#include "brig-tool.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

static const struct command commands[] = {
	{ "enable", cmd_enable, usage_hv },
	{ "disable", cmd_disable, NULL }, /* usage_hv covers these */
	{ "info", cmd_info, NULL },
	{ "stats", cmd_stats, NULL },
	{ "console", cmd_console, NULL },
	{ "cell", cmd_cell, usage_cell },
	{ "config", cmd_config, usage_config },
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: brig COMMAND [ARGS...]\n"
		     "       brig --help | --version\n\n"
		     "commands:\n");
	for (i = 0; i < NUM_COMMANDS; i++)
		if (commands[i].usage)
			commands[i].usage(out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return BRIG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("brig %s\n", BRIG_VERSION);
		return BRIG_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return BRIG_EXIT_OK;
	}
	for (i = 0; i < NUM_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "brig: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return BRIG_EXIT_USAGE;
}
