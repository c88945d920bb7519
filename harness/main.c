// SPDX-License-Identifier: GPL-2.0
/* main.c: unmapbench command dispatch, --help, --version. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "record/log.h"
#include "unmap_bench.h"
#include "record/version.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} cmds[] = {
	{ "info", cmd_info, "host, CPU, NUMA, TDX, module and KVM facts" },
	{ "micro", cmd_micro, "sweep the module's per-page measurements" },
	{ "run", cmd_run, "run a profile from bench/profiles (quick, default, full, ...)" },
	{ "compare", cmd_compare, "compare two run directories (before/after a patch)" },
	{ "instrument", cmd_instrument, "validate the timer on ground-truth ops (suite vs baseline)" },
	{ "teardown", cmd_teardown, "tear down KVM guests and time the unmap path" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: unmapbench [-v|-q] COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].what);
	fprintf(f, "\n  unmapbench COMMAND --help   options of a command\n"
		   "  unmapbench --version\n"
		   "\n-v shows debug messages, -q only warnings and errors.\n"
		   "Results: results/<UTC>-<host>-<kernel>/, see results/README.md.\n");
}

int main(int argc, char **argv)
{
	int i = 1;

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
			ub_err("unknown option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		if (!strcmp(argv[i], cmds[k].name))
			return cmds[k].fn(argc - i, argv + i);
	ub_err("unknown command '%s'", argv[i]);
	usage(stderr);
	return 2;
}
