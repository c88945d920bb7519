/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h: the subcommands of unmapbench, dispatched from main.c.
 *
 * Every command is int cmd_NAME(int argc, char **argv) with argv[0] the
 * command name, returning the process exit status (0 ok, 1 failure,
 * 2 usage error, 130 interrupted).
 */
#ifndef UB_COMMANDS_H
#define UB_COMMANDS_H

struct ub_rundir;
struct ub_env;
struct ubdev;

int cmd_info(int argc, char **argv);		/* cmd_info.c */
int cmd_micro(int argc, char **argv);		/* cmd_micro.c */
int cmd_run(int argc, char **argv);		/* cmd_run.c */
int cmd_instrument(int argc, char **argv);	/* cmd_instrument.c */
int cmd_compare(int argc, char **argv);		/* cmd_compare.c */
int cmd_teardown(int argc, char **argv);	/* teardown*.c (teardown helper) */

/*
 * What cmd_run passes to the command behind one profile line.
 *
 * A profile line "teardown size=1G,4G vms=1,4 trigger=all" reaches the
 * teardown driver as
 *	teardown_run_from_profile(ctx, argc, argv)
 * with argv = {"teardown", "--size", "1G,4G", "--vms", "1,4",
 * "--trigger", "all", NULL}: each key=value becomes "--key" "value", a
 * bare key becomes "--key". Profile-wide settings (repeat=, label=) are
 * already folded into the line's tokens. The driver parses them like its
 * command line, but must not create its own run directory:
 *   - ctx->rd is the profile's open run directory (NULL in dry-run):
 *     write teardown.csv there (ub_csv_open(..., UB_CSV_APPEND) since
 *     several teardown lines share it);
 *   - ctx->env is the environment already captured (meta.json is the
 *     profile's; add to it via ctx->meta_extra if needed);
 *   - ctx->where is "FILE:LINE" for error messages ("default:12: --size:
 *     bad value ...");
 *   - with ctx->dry_run set: print the runs it would make, one per line,
 *     to stdout, and return the estimated seconds in ctx->est_seconds and
 *     the number of runs in ctx->runs; touch nothing. With ctx->quiet
 *     also set, print nothing: cmd_run calls every line this way first to
 *     validate the whole profile (and sum the estimate) before it creates
 *     the run directory;
 *   - ctx->progress_done/progress_total: runs of the whole profile done so
 *     far and planned (for "run i of n" progress); add your runs to
 *     progress_done as they finish.
 * Return 0 on success, 1 on failure, 2 on a usage error in the line, 130
 * when interrupted (ub_signal_pending()).
 */
struct ub_profile_ctx {
	struct ub_rundir *rd;		/* NULL with dry_run */
	const struct ub_env *env;
	const char	*where;		/* "FILE:LINE" */
	int		dry_run;
	int		quiet;		/* with dry_run: validate only */
	double		est_seconds;	/* out */
	int		runs;		/* out */
	int		progress_done;	/* in/out */
	int		progress_total;	/* in */
};

int teardown_run_from_profile(struct ub_profile_ctx *ctx, int argc,
			      char **argv);

#endif
