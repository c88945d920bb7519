// SPDX-License-Identifier: GPL-2.0
/*
 * From a checked RUN to the engine's jobs, and from the jobs back to the
 * RUN's results: the parts of a RUN that do not depend on where it runs.
 * Built into the module and libubcore.a.
 */
#include "ub_core.h"

/* Thread @t's job: everything but its units, stats, hooks and cookie. */
void ub_plan_job(const struct ub_run *r, struct ub_plan *p, u32 t,
		 struct ub_job *j, struct ub_sample *samples, u32 *hist)
{
	j->var = p->jvar;
	j->nr_var = p->nsel;
	j->nr_units = r->nr_units;
	j->batch = r->batch;
	j->rounds = r->rounds;
	j->warmup = r->warmup;
	j->nr_rep = p->nr_rep;
	/* Lockstep: every thread runs the same schedule. */
	j->seed = r->seed;
	j->timer = r->timer;
	j->irq_off = r->flags & UB_RUN_IRQ_OFF;
	j->overhead = r->timer_overhead;
	j->samples = samples ? samples + (u64)t * r->rounds * p->nsel : NULL;
	j->hist = hist ? hist + (u64)t * p->nsel * UB_HIST_BUCKETS : NULL;
}

static void ub_fill_result(const struct ub_run *r, const struct ub_plan *p,
			   const struct ub_job *j, u32 t, u32 cpu, u32 s,
			   struct ub_result *res)
{
	const struct ub_stat *st = &j->stat[s];
	int c;

	memset(res, 0, sizeof(*res));
	res->variant = p->sel[s];
	res->thread = t;
	res->cpu = cpu;
	res->node = r->node;
	res->ops = st->ops;
	res->batches = st->batches;
	res->sum = st->sum;
	res->sumsq_hi = (u64)(st->sumsq >> 64);
	res->sumsq_lo = (u64)st->sumsq;
	res->min = st->batches ? st->min : 0;
	res->max = st->max;
	res->pfn_checksum = st->pfn_sum;
	res->pages_touched = st->pages;
	for (c = 0; c < UB_PMU_NR; c++)
		res->pmu[c] = st->pmu[c];
}

int ub_collect(struct ub_run *r, const struct ub_plan *p,
	       struct ub_job *const *jobs, const u32 *cpus, u32 nthreads,
	       struct ub_result *res)
{
	u64 status = 0;
	u32 t, s, n = 0;
	bool clear = ub_params.reset_clear;

	r->rounds_done = r->rounds;
	r->warmup_done = r->warmup;
	r->insns_used = r->timer == UB_TIMER_KTIME ? UB_INSN_KTIME : UB_INSN_RDTSC;
	for (t = 0; t < nthreads; t++) {
		const struct ub_job *j = jobs[t];

		r->status |= j->stopped;
		if (j->rounds_done < r->rounds_done)
			r->rounds_done = j->rounds_done;
		if (j->warmup_done < r->warmup_done)
			r->warmup_done = j->warmup_done;
		for (s = 0; s < p->nsel; s++, n++) {
			ub_fill_result(r, p, j, t, cpus[t], s, &res[n]);
			status |= j->stat[s].status;
			if (res[n].ops)
				r->insns_used |=
					ub_variant_insns(&ub_variants[p->sel[s]],
							 p->backend, clear);
		}
	}
	if (status)
		return ub_fail(r, -EIO,
			       "TDH.PHYMEM.PAGE.WBINVD failed during the run: status 0x%016llx",
			       (unsigned long long)status);
	return 0;
}

void ub_progress_fill(struct ub_run_progress *p, const struct ub_run *r,
		      const struct ub_job *j0, u64 t0_ns)
{
	p->running = 1;
	p->rounds = r->rounds;
	p->warmup = r->warmup;
	p->rounds_done = READ_ONCE(j0->rounds_done);
	p->warmup_done = READ_ONCE(j0->warmup_done);
	p->elapsed_ns = ub_ns() - t0_ns;
}
