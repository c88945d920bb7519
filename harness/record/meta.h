/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.h: meta.json of a run directory (schema in results/README.md).
 *
 * meta_write() (re)writes RUNDIR/meta.json atomically (meta.json.tmp +
 * rename). Commands call it once at the start (status "running",
 * end_utc null) and again at the end with the final status, so even an
 * interrupted directory carries a complete environment record.
 *
 * MOD may be NULL (module not used, e.g. teardown-only runs): "module"
 * then says {"loaded": false/true, ...} from what ubdev_probe() found.
 * EXTRA, when not NULL, is called inside the top-level object after the
 * standard members so a command can add its own (e.g. "teardown": {...}).
 */
#ifndef UB_META_H
#define UB_META_H

#include "record/json.h"

struct ub_env;
struct ub_rundir;
struct ubdev_info;

#define UB_META_SCHEMA_VERSION 1

struct ub_meta {
	int	argc;
	char	**argv;
	long	start;			/* time() at start */
	long	end;			/* 0 while running */
	const char *status;		/* "running", "complete", "failed: ..." */
	const struct ub_env *env;
	const struct ubdev_info *mod;	/* may be NULL */
	void	(*extra)(struct ub_json *j, void *arg);
	void	*extra_arg;
};

/*
 * Start M for a command: ARGC/ARGV as recorded in meta.json, the start
 * time now, status "running", ENV, MOD (may be NULL) and EXTRA(ARG).
 */
void meta_begin(struct ub_meta *m, int argc, char **argv,
		const struct ub_env *env, const struct ubdev_info *mod,
		void (*extra)(struct ub_json *j, void *arg), void *arg);
int meta_write(struct ub_rundir *rd, const struct ub_meta *m);
/*
 * End a run directory: with RC 0 mark meta.json and status complete,
 * rename the directory and print its path (returns 1 if that fails);
 * otherwise record why it stopped ("interrupted: SIGINT after D/T runs"
 * for RC 130 or a pending signal, else "failed: [WHERE ]after D/T runs:
 * DETAIL") in meta.json and status, leave it partial and say so.
 * Returns the command's exit code.
 */
int meta_finish(struct ub_rundir *rd, struct ub_meta *m, int rc, int done,
		int total, const char *where, const char *detail);
/* Write the "module" member for MOD (NULL: probe says not loaded). */
void meta_write_module(struct ub_json *j, const struct ubdev_info *mod);

#endif
