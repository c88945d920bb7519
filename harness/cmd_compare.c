// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_compare.c: `unmapbench compare A B [--force] [--margin-ns NS]`, the
 * same rows of two run directories (e.g. one kernel before and after a
 * patch). The analysis lives in one place, plot/compare.py (Python
 * standard library only); this command checks its arguments, finds it
 * and hands over.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "record/log.h"
#include "record/tree.h"

struct compare_opts {
	uint64_t given;
	int	force;
	char	*margin, *md;
	struct ub_str_list dirs;
};

static const struct ub_opt compare_opts_table[] = {
	{ .name = "force", .kind = UB_ARG_FLAG,
	  .off = offsetof(struct compare_opts, force),
	  .help = "compare even when the hosts or parameters differ" },
	{ .name = "margin-ns", .kind = UB_ARG_TEXT,
	  .off = offsetof(struct compare_opts, margin), .arg = "NS",
	  .help = "equivalence margin in ns per 4K page (default: 0.1% of the\n"
		  "tdx backend's WBINVD + reset when it ran, else of the\n"
		  "published ~5 us/page)" },
	{ .name = "md", .kind = UB_ARG_TEXT, .off = offsetof(struct compare_opts, md),
	  .arg = "FILE", .help = "also write the table as markdown to FILE" },
	{ .name = NULL },
};

const struct ub_optset compare_optset = {
	.cmd = "compare",
	.synopsis = "[OPTIONS] RUNDIR_A RUNDIR_B",
	.about = "Compares the same rows of two run directories (A = before, "
		 "B = after):\nrefuses runs whose host or parameters differ "
		 "unless --force, and lists\nwhat differs. Runs python3 "
		 "plot/compare.py (found beside the harness, or\nin $UB_PLOT_DIR).",
	.opt = compare_opts_table,
	.given_off = offsetof(struct compare_opts, given),
	.pos_name = "RUNDIR_A RUNDIR_B",
	.pos_min = 2,
	.pos_max = 2,
	.pos_off = offsetof(struct compare_opts, dirs),
};

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { 0 };
	char script[PATH_MAX + 64];
	char **args;
	int rc = ub_opts_command(&compare_optset, argc, argv, &o);

	if (rc >= 0)
		return rc;
	ub_opts_free(&compare_optset, &o);	/* plot/compare.py reads them */
	if (ub_plot_script("compare.py", script, sizeof(script))) {
		ub_err("compare: cannot find %s; set UB_PLOT_DIR to the suite's "
		       "plot/ directory", script);
		return 2;
	}
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (!args) {
		ub_err("compare: out of memory");
		return 1;
	}
	args[0] = "python3";
	args[1] = script;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execvp("python3", args);
	ub_err("compare: cannot run python3: %s", strerror(errno));
	free(args);
	return 2;
}
