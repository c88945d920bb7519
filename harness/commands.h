/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h: the commands of unmapbench, one table (main.c).
 *
 * A command is either a function run(argc, argv) (argv[0] = its name;
 * returns the exit status: 0 ok, 1 failure, 2 usage error, 130
 * interrupted), or a driver of record/session.h: its command line is one
 * line of that driver, and a profile (cmd_run.c, profile.c) may hold
 * lines of it. Every command's options are a table (record/opts.h), from
 * which its --help and `unmapbench help NAME` are printed.
 */
#ifndef UB_COMMANDS_H
#define UB_COMMANDS_H

#include "record/opts.h"
#include "record/session.h"

struct ub_command {
	const char *name;
	const char *summary;		/* one line for `unmapbench --help` */
	int	(*run)(int argc, char **argv);	/* NULL: a driver command */
	const struct ub_driver *driver;	/* the command line and profile lines */
	const struct ub_optset *opts;	/* its options */
};

/* The table, { NULL } terminated, and a lookup (NULL if unknown). */
extern const struct ub_command ub_commands[];
const struct ub_command *ub_command_find(const char *name);

/* The command-layer commands (the drivers' are in module/, teardown/). */
int cmd_info(int argc, char **argv);		/* cmd_info.c */
int cmd_run(int argc, char **argv);		/* cmd_run.c */
int cmd_compare(int argc, char **argv);		/* cmd_compare.c */
int cmd_schema(int argc, char **argv);		/* cmd_schema.c */
extern const struct ub_optset info_optset, run_optset, compare_optset,
	schema_optset;

#endif
