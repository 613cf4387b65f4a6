// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line conventions of `brig`, in one place for every command:
 *
 *   - `--help` or `-h` at any level (brig, brig cell, brig cell create, ...)
 *     prints that level's usage to stdout and exits 0;
 *   - misuse (a missing or unknown subcommand, an unknown option, a wrong
 *     number of arguments) prints one line saying what was wrong, then that
 *     level's usage, to stderr and exits 2.
 *
 * Commands are a tree of struct command: the top level and `cell` and
 * `config` are groups, everything else a leaf that parses its own
 * arguments and calls usage_error() for misuse.
 */
#include <stdarg.h>
#include <string.h>

#include "brig-tool.h"

/* The level being run, for usage_error(): "brig cell load" and its entry. */
static const struct command *current;
static char current_path[64] = "brig";

int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static void print_lines(FILE *out, const struct command *c)
{
	const struct command *const *s;

	if (!c->sub) {
		fputs(c->usage, out);
		return;
	}
	for (s = c->sub; *s; s++)
		print_lines(out, *s);
}

/* The usage of command c, whose full name is path. */
static void print_usage(FILE *out, const struct command *c, const char *path)
{
	if (!c->sub) {
		fprintf(out, "usage:\n%s", c->usage);
		return;
	}
	if (c->usage) /* the top level's own synopsis */
		fputs(c->usage, out);
	else
		fprintf(out, "usage: %s SUBCOMMAND [ARGS...]\n\nsubcommands:\n",
			path);
	print_lines(out, c);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", current_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (current)
		print_usage(stderr, current, current_path);
	return BRIG_EXIT_USAGE;
}

int bad_argument(const char *arg)
{
	if (arg[0] == '-' && arg[1])
		return usage_error("unknown option \"%s\"", arg);
	return usage_error("unexpected argument \"%s\"", arg);
}

static int takes_value(const struct command *c, const char *arg)
{
	const char *const *o;

	for (o = c->value_opts; o && *o; o++)
		if (!strcmp(*o, arg))
			return 1;
	return 0;
}

static void enter(const struct command *c, int top)
{
	size_t len = strlen(current_path);

	current = c;
	if (!top)
		snprintf(current_path + len, sizeof(current_path) - len, " %s",
			 c->name);
}

/* argv[0] is the name of c. */
static int run(const struct command *c, int argc, char **argv, int top)
{
	const struct command *const *s;
	int i;

	enter(c, top);
	if (!c->sub) {
		/* --help anywhere, except as the value of an option */
		for (i = 1; i < argc; i++) {
			if (takes_value(c, argv[i]))
				i++;
			else if (is_help(argv[i]))
				break;
		}
		if (i < argc) {
			print_usage(stdout, c, current_path);
			return BRIG_EXIT_OK;
		}
		return c->run(argc, argv);
	}
	if (argc < 2)
		return usage_error(top ? "missing command" :
					 "missing subcommand");
	if (is_help(argv[1])) {
		print_usage(stdout, c, current_path);
		return BRIG_EXIT_OK;
	}
	for (s = c->sub; *s; s++)
		if (!strcmp(argv[1], (*s)->name))
			return run(*s, argc - 1, argv + 1, 0);
	if (argv[1][0] == '-')
		return usage_error("unknown option \"%s\"", argv[1]);
	return usage_error(top ? "unknown command \"%s\"" :
				 "unknown subcommand \"%s\"",
			   argv[1]);
}

int cli_run(const struct command *top, int argc, char **argv)
{
	return run(top, argc, argv, 1);
}
