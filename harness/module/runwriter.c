// SPDX-License-Identifier: GPL-2.0
/* runwriter.c: the tables of timed runs, see runwriter.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "module/runwriter.h"
#include "record/util.h"

int rw_open(struct rw *w, const char *dir, int counters)
{
	memset(w, 0, sizeof(*w));
	if (!(w->runs = ub_table_open(dir, UB_TABLE_RUNS, 0)) ||
	    !(w->params = ub_table_open(dir, UB_TABLE_PARAMS, 0)) ||
	    !(w->micro = ub_table_open(dir, UB_TABLE_MICRO, 0)) ||
	    !(w->samples = ub_table_open(dir, UB_TABLE_SAMPLES, 0)) ||
	    !(w->hist = ub_table_open(dir, UB_TABLE_HIST, 0)) ||
	    (counters && !(w->counters = ub_table_open(dir, UB_TABLE_COUNTERS, 0)))) {
		rw_close(w);
		return -1;
	}
	return 0;
}

static void params(struct rw *w, const struct rw_run *r)
{
	struct ub_table *t = w->params;

	ub_cell_int(t, PARAMS_run_id, r->id);
	ub_cell_uint(t, PARAMS_units, r->units);
	ub_cell_uint(t, PARAMS_unit_bytes, r->unit_bytes);
	ub_cell_uint(t, PARAMS_bytes_per_thread, r->units * r->unit_bytes);
	ub_cell_strs(t, PARAMS_variants, r->variants, r->nvariants);
	ub_cell_uint(t, PARAMS_max_wall_ms, r->max_wall_ms);
	ub_cell_uint(t, PARAMS_max_irqoff_ns, r->max_irqoff_ns);
	ub_cell_str(t, PARAMS_source, r->source);
	ub_row_end(t);
}

void rw_run(struct rw *w, const struct rw_run *r)
{
	struct ub_table *t = w->runs;

	ub_cell_int(t, RUNS_run_id, r->id);
	ub_cell_int(t, RUNS_repeat, r->repeat);
	ub_cell_str(t, RUNS_label, r->label);
	ub_cell_enum(t, RUNS_backend_req, r->backend_req);
	ub_cell_enum(t, RUNS_backend, r->backend);
	ub_cell_str(t, RUNS_backend_reason, r->backend_reason);
	ub_cell_enum(t, RUNS_granule, r->granule);
	ub_cell_int(t, RUNS_node, r->node);
	ub_cell_ints(t, RUNS_cpus, r->cpus, (size_t)r->threads);
	ub_cell_ints(t, RUNS_cpu_nodes, r->cpu_nodes, (size_t)r->threads);
	ub_cell_enum(t, RUNS_placement, r->placement);
	ub_cell_int(t, RUNS_threads, r->threads);
	ub_cell_enum(t, RUNS_reset_mode, r->reset);
	ub_cell_enum(t, RUNS_cache, r->cache);
	ub_cell_uint(t, RUNS_batch, r->batch);
	ub_cell_uint(t, RUNS_batch_used, r->batch_used);
	ub_cell_uint(t, RUNS_rounds, r->rounds);
	ub_cell_uint(t, RUNS_rounds_done, r->rounds_done);
	ub_cell_uint(t, RUNS_seed, r->seed);
	ub_cell_enum(t, RUNS_timer, r->timer);
	ub_cell_uint(t, RUNS_irq_off, r->irq_off);
	ub_cell_str(t, RUNS_insns, r->insns);
	ub_cell_uint(t, RUNS_timer_overhead, r->timer_overhead);
	/* kHz: whole when the module reports it, 3 decimals when calibrated */
	ub_cell_num(t, RUNS_tsc_khz, r->tsc_khz,
		    r->tsc_khz == floor(r->tsc_khz) ? 0 : 3);
	ub_cell_uint(t, RUNS_elapsed_ns, r->elapsed_ns);
	ub_cell_str(t, RUNS_status, r->status);
	ub_cell_enum(t, RUNS_emulation, r->emulation);
	ub_cell_enum(t, RUNS_where, r->where);
	ub_cell_uint(t, RUNS_warmup, r->warmup);
	ub_cell_uint(t, RUNS_warmup_done, r->warmup_done);
	ub_cell_uint(t, RUNS_replicas, r->replicas);
	ub_cell_str(t, RUNS_prep_lines, r->prep_lines);
	ub_cell_str(t, RUNS_pmu, r->pmu);
	ub_cell_str(t, RUNS_pmu_reason, r->pmu_reason);
	ub_row_end(t);
	params(w, r);
}

static void hist_rows(struct rw *w, const struct rw_run *r,
		      const struct rw_result *x)
{
	for (uint32_t b = 0; b < UB_HIST_BUCKETS; b++) {
		struct ub_table *t = w->hist;

		if (!x->hist[b])
			continue;
		ub_cell_int(t, HIST_run_id, r->id);
		ub_cell_str(t, HIST_variant, x->variant);
		ub_cell_uint(t, HIST_thread, x->thread);
		ub_cell_uint(t, HIST_lo, ub_hist_lower(b));
		if (b + 1 < UB_HIST_BUCKETS)
			ub_cell_uint(t, HIST_hi, ub_hist_lower(b + 1));
		else
			ub_cell_empty(t, HIST_hi);
		ub_cell_uint(t, HIST_count, x->hist[b]);
		ub_cell_enum(t, HIST_unit, r->timer);
		ub_row_end(t);
	}
}

/* A PMU count per op, or empty where the PMU did not count it. */
static void pmu_cell(struct ub_table *t, int col, const struct rw_result *x,
		     unsigned c)
{
	if (x->pmu && (x->pmu_avail >> c & 1) && x->ops)
		ub_cell_num(t, col, (double)x->pmu[c] / (double)x->ops, 3);
	else
		ub_cell_empty(t, col);
}

void rw_result(struct rw *w, const struct rw_run *r, const struct rw_result *x)
{
	struct ub_table *t = w->micro;
	double n = (double)x->batches, mean = n ? (double)x->sum / n : NAN;
	double var = n > 1 ? (double)(x->sumsq - (long double)x->sum * mean) /
		(n - 1) : NAN;

	ub_cell_int(t, MICRO_run_id, r->id);
	ub_cell_str(t, MICRO_variant, x->variant);
	ub_cell_enum(t, MICRO_shape, x->shape);
	ub_cell_enum(t, MICRO_path, x->path);
	ub_cell_enum(t, MICRO_granule, r->granule);
	ub_cell_uint(t, MICRO_param, x->param);
	ub_cell_uint(t, MICRO_thread, x->thread);
	ub_cell_int(t, MICRO_cpu, x->cpu);
	ub_cell_int(t, MICRO_node, x->node);
	ub_cell_uint(t, MICRO_ops, x->ops);
	ub_cell_uint(t, MICRO_batches, x->batches);
	if (x->batches)
		ub_cell_num(t, MICRO_mean, mean, 3);
	else
		ub_cell_empty(t, MICRO_mean);
	ub_cell_num(t, MICRO_stddev, var >= 0 ? sqrt(var) : (n > 1 ? 0 : NAN), 3);
	ub_cell_uint(t, MICRO_min, x->batches ? x->min : 0);
	ub_cell_uint(t, MICRO_max, x->max);
	ub_cell_enum(t, MICRO_unit, r->timer);
	ub_cell_fmt(t, MICRO_pfn_checksum, "%llu",
		    (unsigned long long)x->pfn_checksum);
	ub_cell_uint(t, MICRO_pages_touched, x->pages_touched);
	ub_cell_uint(t, MICRO_twin, x->twin);
	pmu_cell(t, MICRO_instructions, x, UB_PMU_INSTRUCTIONS);
	pmu_cell(t, MICRO_core_cycles, x, UB_PMU_CORE_CYCLES);
	pmu_cell(t, MICRO_l1d_misses, x, UB_PMU_L1D_MISSES);
	if (x->mperf)
		ub_cell_num(t, MICRO_aperf_mperf, (double)x->aperf / (double)x->mperf, 4);
	else
		ub_cell_empty(t, MICRO_aperf_mperf);
	ub_row_end(t);
	if (x->hist)
		hist_rows(w, r, x);
}

void rw_sample(struct rw *w, const struct rw_run *r, unsigned thread,
	       unsigned round, const char *variant, const struct ub_sample *s,
	       uint64_t ops)
{
	struct ub_table *t = w->samples;

	ub_cell_int(t, SAMPLES_run_id, r->id);
	ub_cell_uint(t, SAMPLES_thread, thread);
	ub_cell_uint(t, SAMPLES_round, round);
	ub_cell_str(t, SAMPLES_variant, variant);
	ub_cell_uint(t, SAMPLES_value, s->value);
	ub_cell_uint(t, SAMPLES_ops, ops);
	ub_cell_enum(t, SAMPLES_unit, r->timer);
	ub_cell_uint(t, SAMPLES_replica, s->replica);
	ub_cell_uint(t, SAMPLES_position, s->position);
	ub_row_end(t);
}

void rw_counter(struct rw *w, int id, int cpu, const char *counter,
		int valid, uint64_t value, const char *note)
{
	struct ub_table *t = w->counters;

	ub_cell_int(t, COUNTERS_run_id, id);
	ub_cell_int(t, COUNTERS_cpu, cpu);
	ub_cell_str(t, COUNTERS_counter, counter);
	if (valid)
		ub_cell_uint(t, COUNTERS_value, value);
	else
		ub_cell_special(t, COUNTERS_value, "unavailable");
	ub_cell_str(t, COUNTERS_note, note);
	ub_row_end(t);
}

int rw_flush(struct rw *w, char *why, size_t n)
{
	struct ub_table *all[] = { w->runs, w->params, w->micro, w->samples,
				   w->hist, w->counters };

	for (size_t i = 0; i < UB_ARRAY_SIZE(all); i++)
		if (all[i] && ub_table_flush(all[i])) {
			snprintf(why, n, "%s", ub_table_error(all[i]));
			return -1;
		}
	return 0;
}

int rw_close(struct rw *w)
{
	struct ub_table *all[] = { w->runs, w->params, w->micro, w->samples,
				   w->hist, w->counters };
	int rc = 0;

	for (size_t i = 0; i < UB_ARRAY_SIZE(all); i++)
		if (ub_table_close(all[i]))
			rc = -1;
	memset(w, 0, sizeof(*w));
	return rc;
}
