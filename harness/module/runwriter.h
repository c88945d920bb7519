/* SPDX-License-Identifier: GPL-2.0 */
/*
 * runwriter.h: the tables of timed runs (runs, params, micro, samples,
 * hist, counters .csv), written the same way whoever timed them: the
 * module through RUN (module/micro_run.c), or natively the module's
 * portable code through the same RUN (module/ubdev.h). Producers describe a run in the
 * neutral structs below; every cell is set by its column's name
 * (record/table.h), so a column is added in record/schema.def and here.
 */
#ifndef UB_RUNWRITER_H
#define UB_RUNWRITER_H

#include <stdint.h>

#include "record/table.h"
#include "unmap_bench.h"

struct rw {
	struct ub_table *runs, *params, *micro, *samples, *hist, *counters;
};

/* One run: what runs.csv and params.csv say about it. */
struct rw_run {
	int	id, repeat;
	const char *label;
	unsigned backend_req, backend;	/* enum ub_backend */
	const char *backend_reason;
	unsigned granule;		/* UB_GRANULE_4K or _2M */
	int	node;
	const int *cpus, *cpu_nodes;	/* one per thread */
	int	threads;
	unsigned placement, reset, cache, timer, irq_off;
	uint64_t batch, batch_used, rounds, rounds_done, seed;
	const char *insns;		/* ";"-joined */
	uint64_t timer_overhead;	/* in the timer's unit */
	double	tsc_khz;
	uint64_t elapsed_ns;
	const char *status;
	unsigned emulation;		/* enum ub_emulation */
	/* params.csv */
	uint64_t units, unit_bytes, max_wall_ms, max_irqoff_ns;
	const char *const *variants;	/* names, in result order */
	unsigned nvariants;
	const char *source;
	/* where it ran, warm-up, replicas, cache-state lines, PMU */
	unsigned where;			/* enum ub_where */
	uint64_t warmup, warmup_done, replicas;
	const char *prep_lines, *pmu, *pmu_reason;	/* ";"-joined names */
};

/* One (variant, thread) aggregate: a micro.csv row and its hist.csv rows. */
struct rw_result {
	const char *variant;
	unsigned shape, path;		/* enum ub_shape, ub_path */
	uint32_t param;
	unsigned thread;
	int	cpu, node;
	uint64_t ops, batches, sum, min, max;
	long double sumsq;
	uint64_t pfn_checksum, pages_touched;
	unsigned twin;			/* the A/A twin of the variant */
	const __u64 *pmu;		/* UB_PMU_NR sums over the ops, or NULL */
	unsigned pmu_avail;		/* bit per valid pmu[] */
	uint64_t aperf, mperf;		/* deltas, 0 = unreadable */
	const uint32_t *hist;		/* UB_HIST_BUCKETS counts, or NULL */
};

/* Open the tables in DIR (COUNTERS: counters.csv too). 0 or -1. */
int  rw_open(struct rw *w, const char *dir, int counters);
void rw_run(struct rw *w, const struct rw_run *r);
/* A result of run R (its id, granule and timer's unit). */
void rw_result(struct rw *w, const struct rw_run *r, const struct rw_result *x);
void rw_sample(struct rw *w, const struct rw_run *r, unsigned thread,
	       unsigned round, const char *variant, const struct ub_sample *s,
	       uint64_t ops);
/* A counter: its value, or (VALID 0) "unavailable" with the reason. */
void rw_counter(struct rw *w, int id, int cpu, const char *counter,
		int valid, uint64_t value, const char *note);
/* After each run: 0, or -1 (why in WHY) when a table can no longer be
 * written or refused a row: the sweep stops and the status says so. */
int  rw_flush(struct rw *w, char *why, size_t n);
int  rw_close(struct rw *w);

#endif
