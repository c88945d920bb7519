// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_compare.c: `unmapbench compare A B [--force] [--margin PCT]`, the
 * same rows of two run directories (e.g. one kernel before and after a
 * patch). The analysis lives in one place, plot/compare.py (Python
 * standard library only); this command finds it and hands over.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "record/log.h"

static const char compare_usage[] =
"usage: unmapbench compare RUNDIR_A RUNDIR_B [--force] [--margin PCT] [--md FILE]\n"
"Compares the same rows of two run directories (A = before, B = after):\n"
"refuses runs whose host or parameters differ unless --force, and lists\n"
"what differs. Runs python3 plot/compare.py (found beside the harness, or\n"
"in $UB_PLOT_DIR).\n";

/* plot/compare.py: $UB_PLOT_DIR, else ../plot beside this executable. */
static int find_script(char *out, size_t len)
{
	const char *env = getenv("UB_PLOT_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(out, len, "%s/compare.py", env);
		return access(out, R_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(out, len, "%s/../plot/compare.py", exe);
	return access(out, R_OK);
}

int cmd_compare(int argc, char **argv)
{
	char script[PATH_MAX + 32];
	char **args;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(compare_usage, stdout);
		return 0;
	}
	if (argc < 3) {
		fputs(compare_usage, stderr);
		return 2;
	}
	if (find_script(script, sizeof(script))) {
		ub_err("compare: cannot find plot/compare.py beside the harness; "
		       "set UB_PLOT_DIR to the suite's plot/ directory");
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
