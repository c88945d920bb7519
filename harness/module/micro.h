/* SPDX-License-Identifier: GPL-2.0 */
/*
 * micro.h: the `micro` sweep of the module's RUN parameters, a driver of
 * record/session.h (command line, profile lines, instrument --where
 * module):
 *
 *   micro_opts.c   its options table (every option takes a list)
 *   micro_plan.c   the lists to concrete runs: an odometer over the sweep
 *                  dimensions (record/sweep.h), CPUs chosen, sizes scaled,
 *                  variants resolved when the module answers INFO
 *   micro_run.c    the driver: each run through RUN, its results to the
 *                  run writer (module/runwriter.h)
 */
#ifndef UB_MICRO_H
#define UB_MICRO_H

#include <stdint.h>

#include "module/ubdev.h"
#include "record/numa.h"
#include "record/opts.h"
#include "record/session.h"

struct ub_env;

#define UB_THREADS_ALL	0		/* "all": every CPU of the memory node */
#define UB_THREADS_HALF	UINT64_MAX	/* "half" of them (at least 1) */
#define UB_NODE_ALL	UINT64_MAX	/* --node all: every node with memory */

struct micro_opts {
	struct ub_line_opts common;	/* repeat, label, out, dry-run */
	struct ub_u64_list pages, sizes, granule, node, threads, backend, reset,
			   cache, batch, rounds, seed, timer, irq_off, placement;
	struct ub_str_list variants;
	char	*cpus;			/* "auto" or "0-3/4-7" */
	uint64_t scale;			/* 0 off, 1 auto */
	uint64_t max_wall_ms, max_irqoff_ns;
	uint64_t where;			/* enum ub_where */
	uint64_t warmup;		/* warm-up rounds, run and discarded */
	uint64_t replicas;		/* layout replicas drawn (0 = all) */
	uint64_t balance;		/* 1: rounds in whole order blocks */
	uint64_t run_budget_ms;		/* scale=auto: estimated time per run */
	int	no_counters, no_hist, no_samples, no_pmu;
};

struct micro_run {
	int	repeat;			/* 1-based */
	unsigned granule, backend, reset, cache, timer, irq_off;
	int	node;
	int	threads;
	int	cpus[UB_MAX_THREADS];
	unsigned placement;
	uint64_t units, unit_bytes;
	uint32_t batch, rounds;
	uint32_t rounds_asked;		/* before rounding up to whole blocks */
	uint64_t seed;
	uint64_t variant_mask;		/* 0 when unresolved (dry run) */
	int	nvar;			/* applicable variants (estimate) */
	int	scaled;			/* units reduced by scale=auto */
	double	est_s;
	const char *source;		/* "cli" or "FILE:LINE" */
};

struct micro_plan {
	int	n;
	struct micro_run *runs;
	double	est_s;
	const struct micro_opts *o;
	char	source[96];
};

extern const struct ub_optset micro_optset;
void micro_opts_init(void *opts);

/* INFO may be NULL (module unavailable: variants counted by guess). 0,
 * or 2 after a message (with ub_opt_where). */
int  micro_plan(const struct micro_opts *o, const struct ub_topo *t,
		const struct ub_info *info, const struct ub_env *env,
		const char *source, struct micro_plan *p);
void micro_plan_print(const struct micro_plan *p, const struct ub_info *info,
		      int first_id);
void micro_plan_free(struct micro_plan *p);

/* The driver (micro_run.c). */
extern const struct ub_driver ub_micro_driver;

#endif
