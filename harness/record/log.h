/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h: messages of the harness.
 *
 * Everything goes to stderr ("unmapbench: ..."); once a run directory is
 * open, ub_log_open() also copies every message (with a UTC time stamp)
 * into its log.txt. ub_debug() lines only reach stderr with -v but always
 * reach log.txt.
 */
#ifndef UB_LOG_H
#define UB_LOG_H

#include <stdarg.h>

extern int ub_verbose;		/* -v: debug lines on stderr too */
extern int ub_quiet;		/* -q: only warnings and errors on stderr */

int  ub_log_open(const char *path);	/* append; -1 + errno on failure */
void ub_log_close(void);

void ub_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ub_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ub_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ub_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A line on stderr rewritten in place (progress, record/progress.h): the
 * next message clears it first, so it never runs into one.
 */
void ub_status_line(const char *text);
void ub_status_clear(void);

/* Only to log.txt (e.g. the full command line, per-run details). */
void ub_logfile(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
