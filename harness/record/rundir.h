/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rundir.h: the run-directory life cycle of results/README.md.
 *
 *	struct ub_rundir rd;
 *	if (rundir_open(&rd, out, env)) ... // OUT: the user's --out, or NULL
 *	ub_log_open(rundir_file(&rd, "log.txt"));   // done by rundir_open
 *	... write files: rundir_file(&rd, "runs.csv") ...
 *	rundir_complete(&rd);               // status "complete", rename to OUT
 *   or rundir_fail(&rd, "failed: %s", why);  // stays .NAME.partial
 *
 * While open, the directory is PARENT/.NAME.partial/ and its file
 * "status" says "running" (or what rundir_set_status() wrote); the
 * process holds a lock on it (flock) until it ends. Nothing that exists
 * is ever touched:
 *   - without --out, the name is BASE/<UTC>-<host>-<krel> (BASE:
 *     $UB_RESULTS_DIR, else the source tree's results/, else ./results);
 *     when that name or its partial is taken (two runs in one second, a
 *     stale partial) the next free NAME-2, NAME-3, ... is used;
 *   - with --out NAME, an existing NAME is refused (EEXIST); so is a
 *     .NAME.partial that a live process holds; a stale one (its process
 *     is gone) is left as it is and the run works in .NAME.partial-2.
 *     A kernel without file locking cannot tell the two apart: there
 *     every .NAME.partial is refused, as a live one.
 * The final rename uses renameat2(RENAME_NOREPLACE), so a directory that
 * appeared meanwhile is not overwritten either (the run then stays
 * partial, status says why).
 *
 * Signals: ub_signals_install() makes SIGINT/SIGTERM set a flag instead of
 * killing the process; long loops poll ub_signal_pending() and finish with
 * rundir_fail(&rd, "interrupted: %s after %d/%d runs", ub_signal_name(),..).
 * A second SIGINT kills the process at once (the directory stays partial
 * with the status it had).
 */
#ifndef UB_RUNDIR_H
#define UB_RUNDIR_H

#include <limits.h>
#include <signal.h>

struct ub_env;

struct ub_rundir {
	char	final[PATH_MAX];	/* PARENT/NAME */
	char	partial[PATH_MAX];	/* PARENT/.NAME.partial */
	char	name[256];		/* NAME */
	char	buf[PATH_MAX];		/* scratch for rundir_file() */
	int	open;			/* 1 while partial */
	int	lock_fd;		/* holds the flock on the partial */
};

/*
 * Default output directory: BASE/<UTC YYYYmmddTHHMMSSZ>-<host>-<krel>.
 * BASE NULL means $UB_RESULTS_DIR, else the source tree's results/, else
 * "results". host and krel come from ENV (NULL: uname()); characters
 * outside [A-Za-z0-9._+-] become '_'.
 */
int rundir_default_path(char *out, size_t n, const char *base,
			const struct ub_env *env);

/* Create PARENT (mkdir -p), then .NAME.partial with status "running",
 * and open its log.txt for ub_log. OUT NULL: the default name, made
 * unique. 0, or -1 with a message logged. */
int rundir_open(struct ub_rundir *rd, const char *out, const struct ub_env *env);
/* The same for an explicit OUT. */
int rundir_create(struct ub_rundir *rd, const char *out);
/* Path of FILE inside the open (partial) directory; valid until the next
 * call. Use ub_xstrdup() to keep it. */
const char *rundir_file(struct ub_rundir *rd, const char *file);
/* Rewrite "status" (atomically: status.tmp + rename). */
int rundir_set_status(struct ub_rundir *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Status "complete", rename to the final name; 0 or -1 (stays partial). */
int rundir_complete(struct ub_rundir *rd);
/* Status as given ("failed: ...", "interrupted: ..."); stays partial. */
int rundir_fail(struct ub_rundir *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Where the directory is now (partial or final path). */
const char *rundir_path(const struct ub_rundir *rd);

/* SIGINT/SIGTERM handling shared by every measuring command. */
void ub_signals_install(void);
int  ub_signal_pending(void);		/* signal number or 0 */
const char *ub_signal_name(void);	/* "SIGINT", "SIGTERM" or "" */

#endif
