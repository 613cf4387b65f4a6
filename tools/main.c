// SPDX-License-Identifier: GPL-2.0
/*
 * The `brig` command: the tree of commands, handed to cli_run().
 *
 * Each command is a struct command in its own cmd-*.c file: its name, the
 * function that runs it and its usage lines. A new command adds one entry
 * below; the conventions of --help and misuse are cli.c's.
 */
#include <string.h>

#include <brig/version.h>

#include "brig-tool.h"

static const struct command *const commands[] = {
	&enable_command, &disable_command, &info_command,
	&stats_command,	 &console_command, &cell_command,
	&config_command, &latency_command, NULL,
};

static const struct command brig = {
	.name = "brig",
	.usage = "usage: brig COMMAND [ARGS...]\n"
		 "       brig --help | --version\n"
		 "       brig COMMAND [SUBCOMMAND] --help\n\n"
		 "commands:\n",
	.sub = commands,
};

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("brig %s\n", BRIG_VERSION);
		return BRIG_EXIT_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "help"))
		argv[1] = "--help";
	return cli_run(&brig, argc, argv);
}
