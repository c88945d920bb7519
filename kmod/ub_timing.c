// SPDX-License-Identifier: GPL-2.0
/*
 * The generic timing driver: one loop for every variant.
 *
 * The same file builds into the module and into the userspace library
 * libubcore.a; ub_port.h supplies what differs (timers, preemption and
 * IRQ control, atomics, rescheduling). Keep it free of kernel-only calls.
 *
 * A job is one thread's share of a run: its units (already in their seeded
 * random order), the selected variants and the timing parameters. Warm-up
 * rounds run first and are discarded; then each recorded round runs every
 * variant over all the units, in the counterbalanced order of ub_order.c
 * and at the layout replica it draws, so the rounds give paired samples
 * measured back to back on the same memory. Each batch of ops is timed
 * with the TSC read in program order around it (preemption off, IRQs
 * optionally off); the calibrated cost of an empty timer pair is
 * subtracted and the result divided by the number of ops (rounded to
 * nearest) is one sample. With UB_TIMER_KTIME every op is timed alone with
 * the nanosecond clock and nothing is subtracted, as
 * kernel/dma/map_benchmark.c does: the baseline.
 */
#include "ub_timing.h"

/* Warm-up rounds draw from their own stream, not the recorded schedule. */
#define UB_WARMUP_SALT	0x5bd1e9955bd1e995ULL

void ub_stat_init(struct ub_stat *s)
{
	*s = (struct ub_stat){ .min = ~0ULL };
}

static void ub_stat_add(struct ub_stat *s, u32 *hist, u64 v, u32 ops)
{
	s->ops += ops;
	s->batches++;
	s->sum += v;
	s->sumsq += (__uint128_t)v * v;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	if (hist)
		hist[ub_hist_bucket(v)]++;
}

static void ub_pmu_add(const struct ub_job *j, struct ub_stat *s,
		       const u64 *p0, const u64 *p1)
{
	u64 d;
	int c;

	for (c = 0; c < UB_PMU_NR; c++) {
		d = p1[c] - p0[c];
		s->pmu[c] += d > j->pmu_overhead[c] ? d - j->pmu_overhead[c] : 0;
	}
}

/* One timed batch: the fields every timer shares. */
struct ub_tbatch {
	ub_batch_fn	fn;
	const u64	*unit;
	u32		n;
	u32		v;		/* variant index in the job */
	bool		rec;		/* a recorded round (not warm-up) */
};

static u32 *ub_hist_of(const struct ub_job *j, const struct ub_tbatch *b)
{
	return j->hist && b->rec ? j->hist + (u64)b->v * UB_HIST_BUCKETS : NULL;
}

/* Time one batch with the TSC; returns its total cost. */
static u64 ub_time_batch_tsc(struct ub_job *j, const struct ub_tbatch *b)
{
	struct ub_stat *s = &j->stat[b->v];
	u64 t0, t1, st, cyc, p0[UB_PMU_NR], p1[UB_PMU_NR];
	bool pmu = j->ops && j->ops->pmu_read;
	unsigned long flags = 0;

	if (pmu)
		j->ops->pmu_read(j->cookie, p0);
	ub_preempt_off();
	if (j->irq_off)
		ub_irq_save(flags);
	t0 = ub_tsc();
	st = b->fn(b->unit, b->n);
	t1 = ub_tsc();
	if (j->irq_off)
		ub_irq_restore(flags);
	ub_preempt_on();
	if (pmu)
		j->ops->pmu_read(j->cookie, p1);

	cyc = t1 - t0;
	cyc = cyc > j->overhead ? cyc - j->overhead : 0;
	s->status |= st;
	if (b->rec) {
		ub_stat_add(s, ub_hist_of(j, b), (cyc + b->n / 2) / b->n, b->n);
		if (pmu)
			ub_pmu_add(j, s, p0, p1);
	}
	return cyc;
}

/* Baseline: every op timed alone with the ns clock, nothing subtracted. */
static u64 ub_time_batch_ktime(struct ub_job *j, const struct ub_tbatch *b)
{
	struct ub_stat *s = &j->stat[b->v];
	u32 *hist = ub_hist_of(j, b);
	unsigned long flags = 0;
	u64 t0, t1, st = 0, total = 0;
	u32 i;

	ub_preempt_off();
	if (j->irq_off)
		ub_irq_save(flags);
	for (i = 0; i < b->n; i++) {
		t0 = ub_ns();
		st |= b->fn(b->unit + i, 1);
		t1 = ub_ns();
		if (b->rec)
			ub_stat_add(s, hist, t1 - t0, 1);
		total += t1 - t0;
	}
	if (j->irq_off)
		ub_irq_restore(flags);
	ub_preempt_on();
	s->status |= st;
	return total;
}

/* What the units of a batch cover, counted outside the timed region. */
static void ub_account(struct ub_stat *s, const struct ub_jvar *jv,
		       const u64 *unit, u32 n)
{
	u64 k = jv->unit_pages;
	u32 i;

	if (!k)
		return;
	for (i = 0; i < n; i++)
		s->pfn_sum += unit[i] * k + k * (k - 1) / 2;
	s->pages += k * n;
}

/* Run variant v at replica rep over all units; returns its total cost. */
static u64 ub_run_variant(struct ub_job *j, u32 v, u32 rep, bool rec)
{
	const struct ub_jvar *jv = &j->var[v];
	struct ub_tbatch b = { .fn = jv->fn[rep], .v = v, .rec = rec };
	u64 off, total = 0;

	for (off = 0; off < j->nr_units; off += b.n) {
		b.n = j->nr_units - off < j->batch ? (u32)(j->nr_units - off) :
						     j->batch;
		b.unit = j->unit + off;
		if (j->ops && j->ops->stop) {
			j->stopped = j->ops->stop(j->cookie);
			if (j->stopped)
				return total;
		}
		if (j->ops && j->ops->prep)
			j->ops->prep(j->cookie, jv, b.unit, b.n);
		if (j->timer == UB_TIMER_KTIME)
			total += ub_time_batch_ktime(j, &b);
		else
			total += ub_time_batch_tsc(j, &b);
		if (rec)
			ub_account(&j->stat[v], jv, b.unit, b.n);
		ub_resched();
	}
	return total;
}

/* One round in the schedule's order; @r < 0 for a warm-up round. */
static void ub_round(struct ub_job *j, s64 r)
{
	struct ub_sample *smp;
	u64 total;
	u32 k, v;

	for (k = 0; k < j->nr_var; k++) {
		v = j->order[k];
		if (j->ops && j->ops->sync) {
			j->stopped = j->ops->sync(j->cookie);
			if (j->stopped)
				return;
		}
		total = ub_run_variant(j, v, j->replica[v], r >= 0);
		if (j->stopped)
			return;
		if (r >= 0 && j->samples) {
			smp = &j->samples[(u64)r * j->nr_var + v];
			smp->value = total;
			smp->replica = j->replica[v];
			smp->position = (u8)k;
		}
	}
}

void ub_engine_run(struct ub_job *j)
{
	u32 r;

	j->rounds_done = 0;
	j->warmup_done = 0;
	j->stopped = UB_STOP_NONE;
	ub_sched_init(&j->sched, j->seed ^ UB_WARMUP_SALT, j->nr_var, j->nr_rep);
	for (r = 0; r < j->warmup; r++) {
		ub_sched_round(&j->sched, r, j->order, j->replica);
		ub_round(j, -1);
		if (j->stopped)
			return;
		j->warmup_done = r + 1;
	}
	ub_sched_init(&j->sched, j->seed, j->nr_var, j->nr_rep);
	for (r = 0; r < j->rounds; r++) {
		ub_sched_round(&j->sched, r, j->order, j->replica);
		ub_round(j, r);
		if (j->stopped)
			return;
		j->rounds_done = r + 1;
	}
}

#define UB_CAL_PAIRS	255

static void ub_sort_u32(u32 *d, int n)
{
	int i, k;
	u32 x;

	for (i = 1; i < n; i++) {
		x = d[i];
		for (k = i - 1; k >= 0 && d[k] > x; k--)
			d[k + 1] = d[k];
		d[k + 1] = x;
	}
}

/*
 * Cost of an empty timer pair: the median of UB_CAL_PAIRS back-to-back
 * reads, in TSC cycles (UB_TIMER_TSC) or ns (UB_TIMER_KTIME).
 */
u64 ub_timer_overhead(u32 timer)
{
	u32 d[UB_CAL_PAIRS];
	u64 t0, t1;
	unsigned long flags = 0;
	int i;

	ub_preempt_off();
	ub_irq_save(flags);
	for (i = 0; i < UB_CAL_PAIRS; i++) {
		if (timer == UB_TIMER_KTIME) {
			t0 = ub_ns();
			t1 = ub_ns();
		} else {
			t0 = ub_tsc();
			t1 = ub_tsc();
		}
		d[i] = t1 - t0 < ~0U ? (u32)(t1 - t0) : ~0U;
	}
	ub_irq_restore(flags);
	ub_preempt_on();
	ub_sort_u32(d, UB_CAL_PAIRS);
	return d[UB_CAL_PAIRS / 2];
}

#define UB_PMU_CAL	16

/*
 * PMU counts of an empty bracket (the reads, the preemption/IRQ bracket,
 * two timer reads and no batch): the least of UB_PMU_CAL tries per
 * counter, subtracted from every batch. Call on the thread's own CPU
 * before the run.
 */
void ub_pmu_overhead(const struct ub_job *j, u64 *out)
{
	u64 p0[UB_PMU_NR], p1[UB_PMU_NR], t0, t1;
	unsigned long flags = 0;
	int i, c;

	for (c = 0; c < UB_PMU_NR; c++)
		out[c] = ~0ULL;
	if (!j->ops || !j->ops->pmu_read)
		return;
	for (i = 0; i < UB_PMU_CAL; i++) {
		j->ops->pmu_read(j->cookie, p0);
		ub_preempt_off();
		if (j->irq_off)
			ub_irq_save(flags);
		t0 = ub_tsc();
		t1 = ub_tsc();
		if (j->irq_off)
			ub_irq_restore(flags);
		ub_preempt_on();
		j->ops->pmu_read(j->cookie, p1);
		OPTIMIZER_HIDE_VAR(t0);
		OPTIMIZER_HIDE_VAR(t1);
		for (c = 0; c < UB_PMU_NR; c++)
			if (p1[c] - p0[c] < out[c])
				out[c] = p1[c] - p0[c];
	}
}

#define UB_CLAMP_TRIAL	16

/*
 * With IRQs off and a bound on how long they may stay off: time a short
 * trial batch of every variant (in the job's cache state, IRQs off), take
 * the slowest per-op cost, and return the largest batch that stays within
 * half the bound at that cost (at least 1). Statistics are not touched.
 */
u32 ub_engine_clamp_batch(const struct ub_job *j, u64 max_irqoff_ns)
{
	u32 v, n, batch = j->batch;
	unsigned long flags = 0;
	u64 t0, t1, per_op, worst = 1, fit;

	if (!max_irqoff_ns || !j->nr_units)
		return batch;
	n = j->nr_units < UB_CLAMP_TRIAL ? (u32)j->nr_units : UB_CLAMP_TRIAL;
	if (n > batch)
		n = batch;
	for (v = 0; v < j->nr_var; v++) {
		if (j->ops && j->ops->prep)
			j->ops->prep(j->cookie, &j->var[v], j->unit, n);
		ub_preempt_off();
		ub_irq_save(flags);
		t0 = ub_ns();
		j->var[v].fn[0](j->unit, n);
		t1 = ub_ns();
		ub_irq_restore(flags);
		ub_preempt_on();
		per_op = (t1 - t0 + n - 1) / n;
		if (j->timer == UB_TIMER_KTIME)
			per_op += 2 * j->overhead;
		if (per_op > worst)
			worst = per_op;
		ub_resched();
	}
	fit = max_irqoff_ns / 2 / worst;
	if (fit < batch)
		batch = fit ? (u32)fit : 1;
	return batch;
}

void ub_barrier_init(struct ub_barrier *b, u32 n)
{
	ub_atomic_set(&b->count, 0);
	ub_atomic_set(&b->gen, 0);
	b->n = n;
}

/*
 * Sense-by-generation barrier: the last thread to arrive resets the count
 * and starts a new generation; the others spin until it does, or until
 * @stop says the run is ending (every thread then sees the same reason,
 * so none waits for one that left).
 */
u32 ub_barrier_wait(struct ub_barrier *b, u32 (*stop)(void *), void *cookie)
{
	int gen = ub_atomic_read(&b->gen);
	u32 why;

	if ((u32)ub_atomic_inc_return(&b->count) == b->n) {
		ub_atomic_set(&b->count, 0);
		ub_atomic_inc(&b->gen);
		return 0;
	}
	while (ub_atomic_read(&b->gen) == gen) {
		if (stop) {
			why = stop(cookie);
			if (why)
				return why;
		}
		ub_cpu_relax();
		ub_resched();
	}
	return 0;
}
