// SPDX-License-Identifier: GPL-2.0
/*
 * main.c: unmapbench's entry: global flags, help, the command's run
 * (the table is commands.c).
 *
 *	unmapbench [-v|-q] COMMAND [OPTIONS]
 *	unmapbench help [COMMAND]	(also --help, COMMAND --help)
 *	unmapbench --version
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "module/ubdev.h"
#include "record/log.h"
#include "record/meta.h"
#include "record/version.h"
#include "unmap_bench.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: unmapbench [-v|-q] COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct ub_command *c = ub_commands; c->name; c++)
		fprintf(f, "  %-11s %s\n", c->name, c->summary);
	fputs("\n  unmapbench help COMMAND     options of a command (or COMMAND "
	      "--help)\n"
	      "  unmapbench --version\n"
	      "\n-v shows debug messages, -q only warnings and errors.\n"
	      "\nEnvironment:\n"
	      "  UB_RESULTS_DIR   where run directories go (default: the source "
	      "tree's\n"
	      "                   results/ when the binary runs from it, else "
	      "./results)\n"
	      "  UB_PROGRESS      1 or 0: force the progress line on or off "
	      "(default: on\n"
	      "                   when stderr is a terminal and not -q)\n"
	      "  UB_PROFILE_DIR   where `run` looks for profiles first\n"
	      "  UB_PLOT_DIR      the suite's plot/ (the report a finished run prints,\n"
	      "                   compare, teardown-summary.txt)\n"
	      "  UB_WHERE         module or native: micro's --where default (module)\n"
	      "Results: <UTC>-<host>-<kernel>/ directories, see results/README.md.\n",
	      f);
}

static int help(int argc, char **argv)
{
	const struct ub_command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = ub_command_find(argv[1]);
	if (!c || argc > 2) {
		ub_err("help: %s '%s' (commands: see unmapbench --help)",
		       c ? "one command, not" : "unknown command", argv[c ? 2 : 1]);
		return 2;
	}
	ub_opts_help(c->opts, stdout);
	return 0;
}

static int run(const struct ub_command *c, int argc, char **argv)
{
	if (c->run)
		return c->run(argc, argv);
	return ub_session_command(c->driver, argc, argv, ubdev_probe);
}

int main(int argc, char **argv)
{
	const struct ub_command *c;
	int i = 1;

	meta_command_line(argc, argv);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("unmapbench %s (module ABI %d)\n", UB_VERSION, UB_ABI_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-v")) {
			ub_verbose = 1;
		} else if (!strcmp(argv[i], "-q")) {
			ub_quiet = 1;
		} else {
			ub_err("unknown option %s (see unmapbench --help)", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help"))
		return help(argc - i, argv + i);
	c = ub_command_find(argv[i]);
	if (!c) {
		ub_err("unknown command '%s' (see unmapbench --help)", argv[i]);
		return 2;
	}
	return run(c, argc - i, argv + i);
}
