// SPDX-License-Identifier: GPL-2.0
/* progress.c: one self-rewriting stderr line, only on a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/log.h"
#include "record/progress.h"
#include "record/util.h"

void progress_init(struct ub_progress *p, const char *what,
		   enum ub_progress_unit unit, double total, double est_total_s)
{
	const char *force = getenv("UB_PROGRESS");

	memset(p, 0, sizeof(*p));
	p->enabled = isatty(STDERR_FILENO) && !ub_quiet;
	if (force && *force)
		p->enabled = *force == '1';
	p->what = what;
	p->unit = unit;
	p->total = total;
	p->est_total_s = est_total_s;
	p->start_ns = ub_now_ns();
}

void progress_update(struct ub_progress *p, double done, const char *note)
{
	uint64_t now = ub_now_ns();
	double el, left = -1, frac;
	char a[32], b[32], c[32], r[32], line[256];

	if (!p->enabled)
		return;
	if (p->drawn && now - p->last_ns < 200000000ull && done < p->total)
		return;
	p->last_ns = now;
	p->drawn = 1;
	el = (double)(now - p->start_ns) / 1e9;
	frac = p->total > 0 ? done / p->total : 0;
	if (frac > 0 && frac < 1) {
		left = el / frac - el;
		/* Early on, trust the caller's estimate more. */
		if (p->est_total_s > 0 && frac < 0.5) {
			double est_left = p->est_total_s * (1 - frac);

			left = (left * frac * 2) + est_left * (1 - frac * 2);
		}
	} else if (frac == 0 && p->est_total_s > 0) {
		left = p->est_total_s - el;
	}
	ub_fmt_duration(b, sizeof(b), el);
	if (left >= 0)
		ub_fmt_duration(c, sizeof(c), left);
	else
		strcpy(c, "?");
	if (p->unit == UB_PROGRESS_BYTES) {
		char d[32];

		ub_fmt_bytes(a, sizeof(a), done);
		ub_fmt_bytes(d, sizeof(d), p->total);
		ub_fmt_bytes(r, sizeof(r), el > 0 ? done / el : 0);
		snprintf(line, sizeof(line), "%s: %s/%s  %s/s  %s elapsed  ~%s left",
			 p->what, a, d, r, b, c);
	} else {
		snprintf(line, sizeof(line), "%s: %.0f/%.0f  %s elapsed  ~%s left",
			 p->what, done, p->total, b, c);
	}
	if (note && *note)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "  (%.60s)", note);
	ub_status_line(line);
}

void progress_done(struct ub_progress *p)
{
	if (p->enabled)
		ub_status_clear();
}
