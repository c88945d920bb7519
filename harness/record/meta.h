/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.h: meta.json of a run directory (schema in results/README.md).
 *
 * meta_write() (re)writes RUNDIR/meta.json atomically (meta.json.tmp +
 * rename). Commands call it once at the start (status "running",
 * end_utc null) and again at the end with the final status, so even an
 * interrupted directory carries a complete environment record.
 *
 * "command_line" is the whole of the process's argv, from the program
 * name on (global flags included), as main() handed it to
 * meta_command_line(). "module" is MOD, the module's status as its
 * driver found it (module/ubdev.c fills it; record/ only writes it).
 * EXTRA, when not NULL, is called inside the top-level object after the
 * standard members so a command can add its own (e.g. "teardown": {...}).
 */
#ifndef UB_META_H
#define UB_META_H

#include "record/json.h"
#include "record/schema.h"
#include "unmap_bench.h"

struct ub_env;
struct ub_rundir;

#define UB_META_SCHEMA_VERSION UB_SCHEMA_VERSION

/* What the module answered (or why it could not), for meta.json and info. */
struct ub_modstatus {
	int	loaded;			/* module present (ctl file exists) */
	int	usable;			/* INFO answered with our ABI */
	unsigned where;			/* enum ub_where: module or native */
	char	why[512];		/* when !usable: what is wrong + hint */
	struct ub_info info;		/* valid when usable */
};

struct ub_meta {
	long	start;			/* time() at start */
	long	end;			/* 0 while running */
	const char *status;		/* "running", "complete", "failed: ..." */
	const struct ub_env *env;
	const struct ub_modstatus *mod;
	void	(*extra)(struct ub_json *j, void *arg);
	void	*extra_arg;
};

/* The process's command line, recorded in every meta.json (main()). */
void meta_command_line(int argc, char **argv);
/*
 * Start M for a command: the start time now, status "running", ENV, MOD
 * and EXTRA(ARG).
 */
void meta_begin(struct ub_meta *m, const struct ub_env *env,
		const struct ub_modstatus *mod,
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
/* KEY: the names of the backends whose bits (1 << enum ub_backend) are set. */
void meta_write_backends(struct ub_json *j, const char *key, unsigned mask);
/* Write the "module" member for MOD. */
void meta_write_module(struct ub_json *j, const struct ub_modstatus *mod);

#endif
