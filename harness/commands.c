// SPDX-License-Identifier: GPL-2.0
/*
 * commands.c: the one table of unmapbench's commands (commands.h): what
 * main.c dispatches to, what profile lines may name (the commands with a
 * driver), and whose options `unmapbench help` prints.
 */
#include <string.h>

#include "commands.h"
#include "module/instrument.h"
#include "module/micro.h"
#include "teardown/teardown.h"

const struct ub_command ub_commands[] = {
	{ "info", "host, CPU, NUMA, TDX, module and KVM facts", cmd_info, NULL,
	  &info_optset },
	{ "micro", "sweep the module's per-page measurements", NULL,
	  &ub_micro_driver, &micro_optset },
	{ "teardown", "tear down KVM guests and time the unmap path", NULL,
	  &ub_teardown_driver, &td_optset },
	{ "run", "run a profile from bench/profiles (quick, default, full, ...)",
	  cmd_run, NULL, &run_optset },
	{ "compare", "compare two run directories (before/after a patch)",
	  cmd_compare, NULL, &compare_optset },
	{ "instrument", "validate the timer on ground-truth ops (suite vs baseline)",
	  cmd_instrument, NULL, &instr_optset },
	{ "schema", "the run-directory schema (plot/schema.json, results/README.md)",
	  cmd_schema, NULL, &schema_optset },
	{ NULL },
};

const struct ub_command *ub_command_find(const char *name)
{
	for (const struct ub_command *c = ub_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

