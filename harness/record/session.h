/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h: one run directory written by the lines of one command or
 * profile: the executor every measuring command goes through.
 *
 * A line is one sweep of one driver (module/: micro and instrument;
 * teardown/: teardown), with its options parsed by record/opts.h from
 * the command line or from a profile line. ub_session_run():
 *
 *   1. plans every line (options resolved into runs, the host checked:
 *      nothing runs yet, so a bad line stops everything before it
 *      starts; errors name the line's FILE:LINE);
 *   2. with --dry-run lists the runs and the estimate and stops;
 *   3. asks each driver whether it can run (ready), creates the run
 *      directory (record/rundir.h), writes meta.json, lets each driver
 *      open its files;
 *   4. runs the lines in order, stopping at the first failure or signal;
 *   5. closes each driver's files and ends the directory with
 *      meta_finish(): complete, or partial with the reason; a complete
 *      one gets its report (plot/report.py: the first screen on stdout,
 *      unless --no-report), then its path as stdout's last line.
 *
 * A driver's state (struct ub_driver.state_size bytes, zeroed) is shared
 * by all its lines in one session: e.g. one micro session writes every
 * micro line's rows into one runs.csv with one run_id sequence.
 */
#ifndef UB_SESSION_H
#define UB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "record/json.h"
#include "record/meta.h"
#include "record/opts.h"
#include "record/rundir.h"

struct ub_env;

/* The options every line has; first member of each driver's options. */
struct ub_line_opts {
	uint64_t given;			/* the parser's mask (ub_opt_given) */
	char	*out;			/* --out DIR (command line) */
	int	dry_run;		/* --dry-run (command line) */
	int	no_report;		/* --no-report (command line) */
	uint64_t repeat;		/* --repeat N (default 1) */
	char	*label;			/* --label TEXT */
};

/* Their table entries, for a driver's options table (TYPE: its struct). */
#define UB_LINE_OPTS(TYPE)						\
	{ .name = "repeat", .kind = UB_ARG_U64,				\
	  .off = offsetof(TYPE, common.repeat), .min = 1, .max = 100000, \
	  .help = "repeat every run N times (default 1)" },		\
	{ .name = "label", .kind = UB_ARG_TEXT,				\
	  .off = offsetof(TYPE, common.label),	\
	  .help = "free text stored with every run" },			\
	{ .name = "out", .kind = UB_ARG_TEXT, .flags = UB_OPT_CLI,	\
	  .off = offsetof(TYPE, common.out),	\
	  .arg = "DIR", .help = "run directory (default: results/<UTC>-" \
	  "<host>-<kernel>, made unique)" },				\
	{ .name = "dry-run", .kind = UB_ARG_FLAG, .flags = UB_OPT_CLI,	\
	  .off = offsetof(TYPE, common.dry_run),	\
	  .help = "list the runs and a time estimate; touch nothing" },	\
	{ .name = "no-report", .kind = UB_ARG_FLAG, .flags = UB_OPT_CLI, \
	  .off = offsetof(TYPE, common.no_report),			\
	  .help = "at the end print only the run directory's path, not "	\
		  "the\nreport's first screen (python3 plot/report.py)" }

struct ub_session {
	const struct ub_env *env;
	struct ub_rundir rd;		/* from the drivers' open() on */
	int	dry_run;
	const char *where;		/* the current line: "FILE:LINE" or NULL */
	int	runs_total;		/* plan() adds its runs */
	double	est_s;			/* plan() adds its seconds */
	int	runs_done;		/* run() adds the runs it finished */
	const struct ub_modstatus *mod;	/* set by a driver that asked the module */
	char	detail[256];		/* run(): why it failed, for the status */
	char	caveat[128];		/* dry run: "; ..." after the estimate */
	char	note[512];		/* dry run: a "note: ..." line */
};

struct ub_driver {
	const char *name;		/* "micro": also its profile command */
	const struct ub_optset *opts;	/* a line's syntax */
	size_t	opts_size;		/* its options struct (ub_line_opts first) */
	void	(*opts_init)(void *opts);	/* the defaults */
	size_t	state_size;		/* shared by its lines in a session */
	/* Plan a line: *plan out; add to runs_total, est_s. 0, 1 refused
	 * (message given), 2 usage error. */
	int	(*plan)(struct ub_session *s, void *state, void *opts, void **plan);
	/* Dry run: print the runs of a plan. */
	void	(*list)(struct ub_session *s, void *state, void *plan);
	/* Before the run directory: can it run? 0, or 1 (message given). */
	int	(*ready)(struct ub_session *s, void *state);
	/* The run directory exists: open its files. 0 or -1. */
	int	(*open)(struct ub_session *s, void *state);
	/* Run a plan: 0, 1 (failed; s->detail says why) or 130 (signal). */
	int	(*run)(struct ub_session *s, void *state, void *plan);
	/* Close its files: 0, or -1 when they are incomplete. */
	int	(*close)(struct ub_session *s, void *state);
	/* Its meta.json members. */
	void	(*meta)(struct ub_json *j, void *state);
	void	(*free_plan)(void *plan);
	void	(*free_state)(void *state);
};

struct ub_line {
	const struct ub_driver *drv;
	void	*opts;			/* parsed (ub_line_parse) */
	const char *where;		/* "FILE:LINE", or NULL: the command line */
	void	*plan;			/* the session's */
};

struct ub_session_cfg {
	const char *title;		/* "micro", "profile default" */
	const char *out;		/* --out, or NULL for the default name */
	int	dry_run;
	/* At the end, write the report (plot/report.py) and print its first
	 * screen before the path; stdout is only the path otherwise. */
	int	report;
	/* The module's status when no driver asked it (meta.json "module"). */
	void	(*probe)(struct ub_modstatus *mod);
	/* More meta.json members (e.g. "profile"), or NULL. */
	void	(*meta)(struct ub_json *j, void *arg);
	void	*meta_arg;
};

/* Parse ARGV into a new options struct of DRV (CLI: the command line).
 * 0, UB_OPTS_HELP, or 2 (message given). */
int  ub_line_parse(struct ub_line *l, const struct ub_driver *drv, int argc,
		   char **argv, const char *where, int cli);
void ub_line_free(struct ub_line *l);

/* Plan and run LINES[0..N-1] into one run directory; the exit code. */
int  ub_session_run(const struct ub_session_cfg *cfg, struct ub_line *lines,
		    int n);

/* A command that is one line of DRV: parse ARGV, then run it. */
int  ub_session_command(const struct ub_driver *drv, int argc, char **argv,
			void (*probe)(struct ub_modstatus *mod));

#endif
