/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic timing driver shared by the module and the userspace
 * library (see ub_port.h): one loop times every variant.
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
	u64	pmu[UB_PMU_NR];	/* counts over the timed batches */
};

/* One selected variant as the engine sees it. */
struct ub_jvar {
	ub_batch_fn	fn[UB_NR_REPLICAS];	/* one per layout replica */
	u32		unit_pages;	/* 4K pages per unit; 0 = touches none */
	bool		touches_data;	/* an op reads or writes the unit's data */
};

/*
 * What the engine asks of its environment for one thread. Every hook may
 * be NULL (then it is skipped).
 */
struct ub_job_ops {
	/* Set the cache state for the next batch (outside the timed region). */
	void	(*prep)(void *cookie, const struct ub_jvar *v, const u64 *unit,
			u32 n);
	/* Non-zero = stop now; checked before every batch. */
	u32	(*stop)(void *cookie);
	/*
	 * Lockstep: wait until every thread reached the same variant slot;
	 * returns non-zero (a stop reason) when the run is stopping.
	 */
	u32	(*sync)(void *cookie);
	/* Read the PMU counters into vals[UB_PMU_NR] (may sleep). */
	void	(*pmu_read)(void *cookie, u64 *vals);
};

/*
 * The counterbalanced schedule (ub_order.c): variant order per round
 * from a Williams design under a random relabelling, and each variant's
 * replica per round from a fresh permutation every nr_rep rounds. Pure
 * functions of (seed, n, nr_rep, round), so every thread and a test can
 * compute them.
 */
struct ub_sched {
	u64	rng;
	u32	n;		/* variants */
	u32	nr_rep;
	u32	block;		/* rounds per block: n, or 2n when n is odd */
	u32	label[UB_MAX_VARIANTS];		/* relabelling of this block */
	u32	rowperm[2 * UB_MAX_VARIANTS];	/* row of each round in the block */
	u8	repperm[UB_MAX_VARIANTS][UB_NR_REPLICAS];
};

/* Why ub_engine_run() stopped early (returned by stop or sync). */
#define UB_STOP_NONE	0U

struct ub_job {
	/* in */
	const struct ub_jvar *var;
	u32		nr_var;
	const u64	*unit;
	u64		nr_units;
	u32		batch;		/* ops per timed batch */
	u32		rounds;		/* recorded rounds */
	u32		warmup;		/* rounds run first and discarded */
	u32		nr_rep;		/* replicas drawn from, 1..UB_NR_REPLICAS */
	u64		seed;		/* order and replicas: same on every thread */
	u32		timer;		/* enum ub_timer */
	bool		irq_off;
	u64		overhead;	/* subtracted from each TSC batch */
	u64		pmu_overhead[UB_PMU_NR];	/* per empty bracket */
	const struct ub_job_ops *ops;
	void		*cookie;
	/* out: arrays of nr_var, rounds * nr_var, nr_var * UB_HIST_BUCKETS */
	struct ub_stat	*stat;
	struct ub_sample *samples;	/* [round][variant], NULL = not kept */
	u32		*hist;		/* [variant][bucket], NULL = not kept */
	u32		rounds_done;	/* recorded rounds completed */
	u32		warmup_done;
	u32		stopped;	/* what stop()/sync() returned, 0 if never */
	/* scratch */
	struct ub_sched	sched;
	u32		order[UB_MAX_VARIANTS];		/* this round's order */
	u8		replica[UB_MAX_VARIANTS];	/* this round's replicas */
};

u64 ub_rng_next(u64 *state);
void ub_shuffle_u64(u64 *a, u64 n, u64 *state);
void ub_stat_init(struct ub_stat *s);
void ub_engine_run(struct ub_job *j);
u64 ub_timer_overhead(u32 timer);
void ub_pmu_overhead(const struct ub_job *j, u64 *out);
u32 ub_engine_clamp_batch(const struct ub_job *j, u64 max_irqoff_ns);

void ub_sched_init(struct ub_sched *s, u64 seed, u32 n, u32 nr_rep);
/* Variant at each position of round @r (rounds asked in order 0, 1, ...). */
void ub_sched_round(struct ub_sched *s, u32 r, u32 *order, u8 *replica);
u32 ub_sched_block(u32 n);

/* The barrier of lockstep threads (portable; see ub_sync_wait()). */
struct ub_barrier {
	ub_atomic_t	count;
	ub_atomic_t	gen;
	u32		n;
};

void ub_barrier_init(struct ub_barrier *b, u32 n);
/* Wait for all; returns early with stop()'s reason when it is non-zero. */
u32 ub_barrier_wait(struct ub_barrier *b, u32 (*stop)(void *), void *cookie);

/* Ground-truth ops (ub_ground.c): chains of k dependent register adds. */
struct ub_ground {
	const char	*name;
	u32		adds;
	ub_batch_fn	fn;
};

extern const struct ub_ground ub_ground_ops[];
extern const unsigned int ub_nr_ground;

#endif /* UB_TIMING_H */
