/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic timing driver shared by the module and the
 * userspace library (see ub_port.h): one loop times every variant.
 */
#ifndef UB_TIMING_H
#define UB_TIMING_H

#include "ub_port.h"
#include "unmap_bench.h"

/*
 * A batch function runs one variant's op on n units (4K pages or 2M
 * folios, named by their first PFN; ground-truth ops ignore the values)
 * and returns the OR of the TDX statuses the ops saw (0 = all succeeded).
 */
typedef u64 (*ub_batch_fn)(const u64 *unit, u32 n);

/*
 * ub_batch() - the one batch loop every variant uses.
 * @unit: first PFN of each unit
 * @n:    number of ops (units)
 * @op:   per-op function, u64 op(u64 state, u64 unit); always inline, so
 *        with a constant @op the compiler emits the op in the loop body
 *        with no call; the state threads from op to op (an error OR for
 *        the unmap paths, a dependent register for ground-truth ops)
 * @fin:  turns the final state into the batch's return value
 *
 * Each variant's batch function is a one-line call of this helper.
 */
static __always_inline u64 ub_batch(const u64 *unit, u32 n,
				    u64 (*op)(u64 st, u64 unit),
				    u64 (*fin)(u64 st))
{
	u64 st = 0;
	u32 i;

	for (i = 0; i < n; i++)
		st = op(st, unit[i]);
	return fin(st);
}

/* Per (thread, variant) statistics the engine accumulates. */
struct ub_stat {
	u64	ops;
	u64	batches;	/* samples */
	u64	sum;		/* sum of per-batch cycles (or ns) per op */
	__uint128_t sumsq;
	u64	min;
	u64	max;
	u64	pfn_sum;	/* PFNs covered by the ops run */
	u64	pages;		/* 4K pages covered by the ops run */
	u64	status;		/* OR of what the batch functions returned */
};

/* One selected variant as the engine sees it. */
struct ub_jvar {
	ub_batch_fn	fn;
	u32		unit_pages;	/* 4K pages per unit; 0 = touches none */
};

/* Why ub_engine_run() stopped early (returned by the stop callback). */
#define UB_STOP_NONE	0U

struct ub_job {
	/* in */
	const struct ub_jvar *var;
	u32		nr_var;
	const u64	*unit;
	u64		nr_units;
	u32		batch;		/* ops per timed batch */
	u32		rounds;
	u64		seed;		/* variant order per round */
	u32		timer;		/* enum ub_timer */
	bool		irq_off;
	u64		overhead;	/* subtracted from each TSC batch */
	/* Flush the caches for the next batch (cold state); NULL = hot. */
	void		(*cold)(void *cookie, const u64 *unit, u32 n);
	/* Non-zero = stop now; checked before every batch. */
	u32		(*stop)(void *cookie);
	void		*cookie;
	/* out: arrays of nr_var, nr_var * rounds, nr_var * UB_HIST_BUCKETS */
	struct ub_stat	*stat;
	u64		*samples;	/* [round][variant], NULL = not kept */
	u32		*hist;		/* [variant][bucket], NULL = not kept */
	u32		*order;		/* scratch, nr_var entries */
	u32		rounds_done;
	u32		stopped;	/* what stop() returned, 0 if it never did */
};

u64 ub_rng_next(u64 *state);
void ub_shuffle_u64(u64 *a, u64 n, u64 *state);
void ub_stat_init(struct ub_stat *s);
void ub_engine_run(struct ub_job *j);
u64 ub_timer_overhead(u32 timer);
u32 ub_engine_clamp_batch(const struct ub_job *j, u64 max_irqoff_ns);

/* Ground-truth ops (ub_ground.c): chains of k dependent register adds. */
struct ub_ground {
	const char	*name;
	u32		adds;
	ub_batch_fn	fn;
};

extern const struct ub_ground ub_ground_ops[];
extern const unsigned int ub_nr_ground;

#endif /* UB_TIMING_H */
