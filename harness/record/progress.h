/* SPDX-License-Identifier: GPL-2.0 */
/*
 * progress.h: progress on stderr for long sweeps.
 *
 * Shown only when stderr is a terminal (and not -q): one line, rewritten
 * in place with \r, at most ~5 times a second:
 *	"micro: run 3/12  0:42 elapsed  ~1:10 left  (pages=512 granule=4k)"
 *	"populate: 1.5 GiB/4.0 GiB  310 MiB/s  ~8s left"
 * Otherwise (logs, pipes) it prints nothing at all. The estimate of time
 * left uses the caller's estimate of the total when given (est_total_s >
 * 0) blended with the observed rate.
 */
#ifndef UB_PROGRESS_H
#define UB_PROGRESS_H

#include <stdint.h>

enum ub_progress_unit {
	UB_PROGRESS_COUNT = 0,	/* "run 3/12" */
	UB_PROGRESS_BYTES = 1,	/* "1.5 GiB/4.0 GiB, rate" */
};

struct ub_progress {
	int	enabled;
	int	unit;
	const char *what;
	double	total;
	double	est_total_s;
	uint64_t start_ns;
	uint64_t last_ns;
	int	drawn;
};

/* enabled = isatty(2) && !ub_quiet, unless UB_PROGRESS=0/1 overrides.
 * The line is drawn with ub_status_line() (record/log.h), which every
 * message clears first. */
void progress_init(struct ub_progress *p, const char *what,
		   enum ub_progress_unit unit, double total, double est_total_s);
/* DONE of TOTAL so far; NOTE (may be NULL) is shown in parentheses. */
void progress_update(struct ub_progress *p, double done, const char *note);
/* Clear the line. */
void progress_done(struct ub_progress *p);

#endif
