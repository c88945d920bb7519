/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perfctr.h: CPU-wide hardware counters around one module RUN.
 *
 * perfctr_open() opens, for each CPU the module's threads run on, the
 * counters cycles, instructions, llc_misses (PERF_COUNT_HW_CACHE_MISSES)
 * and dtlb_misses (dTLB read misses) with perf_event_open(pid=-1, cpu=c):
 * CPU-wide, so they count the module's kernel threads (and anything else
 * on that CPU during the run; the note says so). A counter the host
 * refuses or lacks is kept with its reason and reported as
 * "unavailable", never as 0.
 */
#ifndef UB_PERFCTR_H
#define UB_PERFCTR_H

#include <stdint.h>

#define UB_PERF_NR 4
extern const char *const ub_perf_names[UB_PERF_NR];

struct ub_perf_ctr {
	int	cpu;
	int	which;		/* index into ub_perf_names */
	int	fd;		/* -1 if unavailable */
	char	why[160];	/* reason when unavailable */
	uint64_t value;
	int	valid;
	char	note[160];	/* e.g. "scaled: ran 50% of the time" */
};

struct ub_perf {
	int	n;
	struct ub_perf_ctr *c;
};

void perfctr_open(struct ub_perf *p, const int *cpus, int ncpus);
void perfctr_start(struct ub_perf *p);
void perfctr_stop(struct ub_perf *p);	/* reads the values */
void perfctr_close(struct ub_perf *p);

#endif
