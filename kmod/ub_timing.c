// SPDX-License-Identifier: GPL-2.0
/*
 * The generic timing driver: one loop for every variant.
 *
 * The same file builds into the module and into the userspace library
 * libubtiming.a; ub_port.h supplies what differs (timers, preemption and
 * IRQ control, rescheduling). Keep it free of kernel-only calls.
 *
 * A job is one thread's share of a run: its units (already in their seeded
 * random order), the selected variants and the timing parameters. Each
 * round runs every variant over all the units, the variants in an order
 * shuffled per round, so the rounds give paired samples measured back to
 * back on the same memory. Each batch of ops is timed with the TSC read in
 * program order around it (preemption off, IRQs optionally off); the
 * calibrated cost of an empty timer pair is subtracted and the result
 * divided by the number of ops (rounded to nearest) is one sample. With
 * UB_TIMER_KTIME every op is timed alone with the nanosecond clock and
 * nothing is subtracted, as kernel/dma/map_benchmark.c does: the baseline.
 */
#include "ub_timing.h"

/* splitmix64: small, seedable, good enough to order pages and variants. */
u64 ub_rng_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound) without a division (Lemire's multiply-shift). */
static u64 ub_rng_below(u64 *state, u64 bound)
{
	return (u64)(((__uint128_t)ub_rng_next(state) * bound) >> 64);
}

/* Fisher-Yates shuffle. */
void ub_shuffle_u64(u64 *a, u64 n, u64 *state)
{
	u64 i, j, t;

	for (i = n; i > 1; i--) {
		j = ub_rng_below(state, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static void ub_shuffle_u32(u32 *a, u32 n, u64 *state)
{
	u32 i, j, t;

	for (i = 0; i < n; i++)
		a[i] = i;
	for (i = n; i > 1; i--) {
		j = (u32)ub_rng_below(state, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

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

/* Time one batch of n ops of variant v; returns its total cost. */
static u64 ub_time_batch_tsc(struct ub_job *j, u32 v, const u64 *unit, u32 n)
{
	const struct ub_jvar *jv = &j->var[v];
	struct ub_stat *s = &j->stat[v];
	unsigned long flags = 0;
	u64 t0, t1, st, cyc;

	ub_preempt_off();
	if (j->irq_off)
		ub_irq_save(flags);
	t0 = ub_tsc();
	st = jv->fn(unit, n);
	t1 = ub_tsc();
	if (j->irq_off)
		ub_irq_restore(flags);
	ub_preempt_on();

	cyc = t1 - t0;
	cyc = cyc > j->overhead ? cyc - j->overhead : 0;
	s->status |= st;
	ub_stat_add(s, j->hist ? j->hist + (u64)v * UB_HIST_BUCKETS : NULL,
		    (cyc + n / 2) / n, n);
	return cyc;
}

/* Baseline: every op timed alone with the ns clock, nothing subtracted. */
static u64 ub_time_batch_ktime(struct ub_job *j, u32 v, const u64 *unit,
			       u32 n)
{
	const struct ub_jvar *jv = &j->var[v];
	struct ub_stat *s = &j->stat[v];
	u32 *hist = j->hist ? j->hist + (u64)v * UB_HIST_BUCKETS : NULL;
	unsigned long flags = 0;
	u64 t0, t1, st = 0, total = 0;
	u32 i;

	ub_preempt_off();
	if (j->irq_off)
		ub_irq_save(flags);
	for (i = 0; i < n; i++) {
		t0 = ub_ns();
		st |= jv->fn(unit + i, 1);
		t1 = ub_ns();
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

void ub_engine_run(struct ub_job *j)
{
	u64 rng = j->seed;
	u32 r, k, v, n;
	u64 b, total;

	j->rounds_done = 0;
	j->stopped = UB_STOP_NONE;
	for (r = 0; r < j->rounds; r++) {
		ub_shuffle_u32(j->order, j->nr_var, &rng);
		for (k = 0; k < j->nr_var; k++) {
			v = j->order[k];
			total = 0;
			for (b = 0; b < j->nr_units; b += n) {
				n = j->nr_units - b < j->batch ?
				    (u32)(j->nr_units - b) : j->batch;
				if (j->stop) {
					j->stopped = j->stop(j->cookie);
					if (j->stopped)
						return;
				}
				if (j->cold)
					j->cold(j->cookie, j->unit + b, n);
				if (j->timer == UB_TIMER_KTIME)
					total += ub_time_batch_ktime(j, v,
							j->unit + b, n);
				else
					total += ub_time_batch_tsc(j, v,
							j->unit + b, n);
				ub_account(&j->stat[v], &j->var[v],
					   j->unit + b, n);
				ub_resched();
			}
			if (j->samples)
				j->samples[(u64)r * j->nr_var + v] = total;
		}
		j->rounds_done = r + 1;
	}
}

#define UB_CAL_PAIRS	255

/*
 * Cost of an empty timer pair: the median of UB_CAL_PAIRS back-to-back
 * reads, in TSC cycles (UB_TIMER_TSC) or ns (UB_TIMER_KTIME).
 */
u64 ub_timer_overhead(u32 timer)
{
	u32 d[UB_CAL_PAIRS], x;
	u64 t0, t1;
	unsigned long flags = 0;
	int i, k;

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

	for (i = 1; i < UB_CAL_PAIRS; i++) {
		x = d[i];
		for (k = i - 1; k >= 0 && d[k] > x; k--)
			d[k + 1] = d[k];
		d[k + 1] = x;
	}
	return d[UB_CAL_PAIRS / 2];
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
		if (j->cold)
			j->cold(j->cookie, j->unit, n);
		ub_preempt_off();
		ub_irq_save(flags);
		t0 = ub_ns();
		j->var[v].fn(j->unit, n);
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
