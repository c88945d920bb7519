// SPDX-License-Identifier: GPL-2.0
/*
 * micro_run.c: the micro driver of record/session.h. Its lines share one
 * device, one run_id sequence and one set of tables; each planned run is
 * one RUN ioctl whose results go to the run writer.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/micro.h"
#include "module/perfctr.h"
#include "module/runwriter.h"
#include "record/env.h"
#include "record/log.h"
#include "record/progress.h"
#include "record/schema.h"
#include "record/util.h"

struct micro_state {
	struct ub_session *s;
	int	probed;			/* the device was opened (once) */
	int	have_dev;
	struct ubdev dev;
	struct ub_topo topo;
	struct rw w;
	struct ub_progress prog;
	int	next_id;		/* run_id of the next run */
	int	listed;			/* dry run: runs listed so far */
	unsigned backends_used;		/* bit per enum ub_backend */
	char	backend_reason[UB_REASON_LEN];	/* the last RUN's */
	int	runs_capped;
};

/* One RUN's buffers. */
struct bufs {
	struct ub_run r;
	struct ub_result *res;
	struct ub_sample *smp;
	uint32_t *hist;
	uint32_t cpus[UB_MAX_THREADS];
};

static int plan(struct ub_session *s, void *state, void *opts, void **out)
{
	struct micro_state *st = state;
	struct micro_plan *p = ub_xcalloc(1, sizeof(*p));
	const struct ub_info *info;

	st->s = s;
	if (ubdev_set_where((unsigned)((const struct micro_opts *)opts)->where)) {
		free(p);
		return 2;
	}
	if (!st->probed) {
		st->probed = 1;
		st->have_dev = ubdev_open(&st->dev, 1) == 0;
		topo_load(&st->topo);
		s->mod = &st->dev.mi;
		st->next_id = 1;
	}
	info = st->have_dev ? &st->dev.mi.info : NULL;
	if (micro_plan(opts, &st->topo, info, s->env, s->where ? s->where : "cli",
		       p)) {
		free(p);
		return 2;
	}
	if (!info) {
		snprintf(s->caveat, sizeof(s->caveat),
			 "module not loaded: variant counts guessed");
		snprintf(s->note, sizeof(s->note), "%s", st->dev.mi.why);
	}
	s->runs_total += p->n;
	s->est_s += p->est_s;
	*out = p;
	return 0;
}

static void list(struct ub_session *s, void *state, void *plan)
{
	struct micro_state *st = state;
	struct micro_plan *p = plan;

	(void)s;
	micro_plan_print(p, st->have_dev ? &st->dev.mi.info : NULL, st->listed + 1);
	st->listed += p->n;
}

static int ready(struct ub_session *s, void *state)
{
	struct micro_state *st = state;

	(void)s;
	if (!st->have_dev) {
		ub_err("%s", st->dev.mi.why);
		return 1;
	}
	if (st->dev.where == UB_WHERE_NATIVE)
		ub_info("--where native: the module's portable code in this process "
			"(null backend, userspace): API shapes only, not kernel, "
			"not TDX figures");
	return 0;
}

static int open_files(struct ub_session *s, void *state)
{
	struct micro_state *st = state;

	if (rw_open(&st->w, rundir_path(&s->rd), 1))
		return -1;
	progress_init(&st->prog, "run", UB_PROGRESS_COUNT, s->runs_total, 0);
	return 0;
}

/* The results of RUN R of plan entry MR as the run writer describes them. */
static void write_results(struct micro_state *st, const struct micro_run *mr,
			  const struct rw_run *wr, const struct bufs *b,
			  const struct micro_opts *o)
{
	const struct ub_info *in = &st->dev.mi.info;
	const struct ub_run *r = &b->r;
	unsigned ns = r->nr_selected, nt = (unsigned)mr->threads;

	for (unsigned k = 0; k < nt * ns; k++) {
		const struct ub_result *x = &b->res[k];
		const struct ub_variant_desc *v = &in->variants[x->variant];
		struct rw_result res = {
			.variant = v->name, .shape = v->shape, .path = v->path,
			.param = v->param, .twin = v->twin, .thread = x->thread,
			.cpu = (int)x->cpu, .node = x->node, .ops = x->ops,
			.batches = x->batches, .sum = x->sum, .min = x->min,
			.max = x->max,
			.sumsq = (long double)x->sumsq_hi * 18446744073709551616.0L +
				 (long double)x->sumsq_lo,
			.pfn_checksum = x->pfn_checksum,
			.pages_touched = x->pages_touched,
			.pmu = x->pmu, .pmu_avail = r->pmu_avail,
			.aperf = x->aperf, .mperf = x->mperf,
			.hist = b->hist && !o->no_hist ?
				b->hist + (size_t)k * UB_HIST_BUCKETS : NULL,
		};

		rw_result(&st->w, wr, &res);
	}
	for (unsigned t = 0; b->smp && t < nt; t++)
		for (unsigned rd = 0; rd < r->rounds_done; rd++)
			for (unsigned k = 0; k < ns; k++) {
				const struct ub_result *x = &b->res[t * ns + k];
				const struct ub_sample *sm =
					&b->smp[((size_t)t * mr->rounds + rd) * ns + k];

				rw_sample(&st->w, wr, t, rd,
					  in->variants[x->variant].name, sm,
					  x->ops / r->rounds_done);
			}
}

/* Write a run that RUN completed; -1 when a table cannot take it. */
static int write_run(struct micro_state *st, int id, const struct micro_run *mr,
		     const struct micro_plan *p, const struct bufs *b,
		     const struct ub_perf *perf)
{
	const struct ub_info *in = &st->dev.mi.info;
	const struct ub_run *r = &b->r;
	const char *names[UB_MAX_VARIANTS];
	int nodes[UB_MAX_THREADS];
	char insns[256], status[64], lines[128], pmu[64];
	struct rw_run wr = {
		.id = id, .repeat = mr->repeat, .label = p->o->common.label,
		.backend_req = mr->backend, .backend = r->backend_used,
		.backend_reason = r->backend_reason, .granule = mr->granule,
		.node = mr->node, .cpus = mr->cpus, .cpu_nodes = nodes,
		.threads = mr->threads, .placement = mr->placement,
		.reset = mr->reset, .cache = mr->cache, .timer = mr->timer,
		.irq_off = mr->irq_off, .batch = mr->batch,
		.batch_used = r->batch_used, .rounds = mr->rounds,
		.rounds_done = r->rounds_done, .seed = mr->seed,
		.insns = ub_insns_str(r->insns_used, st->dev.where, insns,
				      sizeof(insns)),
		.timer_overhead = r->timer_overhead, .tsc_khz = (double)r->tsc_khz,
		.elapsed_ns = r->elapsed_ns,
		.status = ub_status_str(r->status, status, sizeof(status)),
		.emulation = st->s->env->emulation, .units = mr->units,
		.unit_bytes = mr->unit_bytes, .max_wall_ms = p->o->max_wall_ms,
		.max_irqoff_ns = p->o->max_irqoff_ns, .variants = names,
		.nvariants = r->nr_selected, .source = mr->source,
		.where = st->dev.where, .warmup = p->o->warmup,
		.warmup_done = r->warmup_done, .replicas = r->replicas_used,
		.prep_lines = ub_bits_str(r->prep_lines, UB_ENUM_prep_line, lines,
					  sizeof(lines)),
		.pmu = ub_bits_str(r->pmu_avail, UB_ENUM_pmu_counter, pmu,
				   sizeof(pmu)),
		.pmu_reason = r->pmu_reason,
	};

	for (int i = 0; i < mr->threads; i++)
		nodes[i] = topo_cpu_node(&st->topo, mr->cpus[i]);
	for (unsigned k = 0; k < r->nr_selected; k++)
		names[k] = in->variants[b->res[k].variant].name;
	rw_run(&st->w, &wr);
	write_results(st, mr, &wr, b, p->o);
	for (int i = 0; perf && i < perf->n; i++)
		rw_counter(&st->w, id, perf->c[i].cpu, ub_perf_names[perf->c[i].which],
			   perf->c[i].valid, perf->c[i].value,
			   perf->c[i].valid ? perf->c[i].note : perf->c[i].why);
	return rw_flush(&st->w, st->s->detail, sizeof(st->s->detail));
}

/* Size the buffers for NSEL variants (or what an ENOSPC said is needed). */
static void buffers(struct bufs *b, const struct micro_run *mr,
		    const struct micro_opts *o, uint64_t nsel)
{
	uint64_t rl = (uint64_t)mr->threads * nsel * sizeof(*b->res);
	uint64_t sl = o->no_samples ? 0 : (uint64_t)mr->threads * mr->rounds * nsel *
					 sizeof(struct ub_sample);
	uint64_t hl = o->no_hist ? 0 : (uint64_t)mr->threads * nsel * UB_HIST_BUCKETS * 4;

	if (b->r.results_needed > rl)
		rl = b->r.results_needed;
	if (!o->no_samples && b->r.samples_needed > sl)
		sl = b->r.samples_needed;
	if (!o->no_hist && b->r.hist_needed > hl)
		hl = b->r.hist_needed;
	free(b->res);
	free(b->smp);
	free(b->hist);
	b->res = ub_xcalloc(1, rl);
	b->smp = sl ? ub_xcalloc(1, sl) : NULL;
	b->hist = hl ? ub_xcalloc(1, hl) : NULL;
	b->r = (struct ub_run){
		.flags = (mr->irq_off ? UB_RUN_IRQ_OFF : 0) |
			 (o->no_pmu ? 0 : UB_RUN_PMU),
		.backend = mr->backend,
		.warmup = (uint32_t)o->warmup, .replicas = (uint32_t)o->replicas,
		.reset_mode = mr->reset, .cache_state = mr->cache,
		.granule = mr->granule, .timer = mr->timer, .node = mr->node,
		.variant_mask = mr->variant_mask, .nr_units = mr->units,
		.batch = mr->batch, .rounds = mr->rounds, .seed = mr->seed,
		.max_irqoff_ns = o->max_irqoff_ns, .max_wall_ms = o->max_wall_ms,
		.nr_threads = (uint32_t)mr->threads,
		.cpus = (uint64_t)(uintptr_t)b->cpus,
		.results = (uint64_t)(uintptr_t)b->res, .results_len = rl,
		.samples = (uint64_t)(uintptr_t)b->smp, .samples_len = sl,
		.hist = (uint64_t)(uintptr_t)b->hist, .hist_len = hl,
	};
}

/* Counters on the run's distinct CPUs. */
static void counters(struct ub_perf *perf, const struct micro_run *mr)
{
	int distinct[UB_MAX_THREADS], nd = 0;

	for (int i = 0; i < mr->threads; i++) {
		int seen = 0;

		for (int k = 0; k < nd; k++)
			seen |= distinct[k] == mr->cpus[i];
		if (!seen)
			distinct[nd++] = mr->cpus[i];
	}
	perfctr_open(perf, distinct, nd);
}

/*
 * While a RUN blocks, a thread asks the device how far it has come and
 * keeps the progress line moving: "run 3/12 ... (round 120/420)". Only
 * where the progress line is shown at all (a terminal).
 */
struct poller {
	struct micro_state *st;
	const struct micro_run *mr;
	pthread_t tid;
	volatile int stop;
};

static void *poll_progress(void *arg)
{
	struct poller *pl = arg;
	struct ub_run_progress p;
	struct timespec ts = { 0, 250 * 1000 * 1000 };
	char note[160];

	while (!pl->stop) {
		nanosleep(&ts, NULL);
		if (pl->stop || ubdev_progress(&pl->st->dev, &p) || !p.running ||
		    !p.rounds)
			continue;
		if (p.warmup_done < p.warmup)
			snprintf(note, sizeof(note), "%s: warm-up %u/%u",
				 pl->mr->source, p.warmup_done, p.warmup);
		else
			snprintf(note, sizeof(note), "%s: round %u/%u",
				 pl->mr->source, p.rounds_done, p.rounds);
		progress_update(&pl->st->prog, pl->st->s->runs_done +
				(double)p.rounds_done / p.rounds, note);
	}
	return NULL;
}

static void poll_start(struct poller *pl, struct micro_state *st,
		       const struct micro_run *mr)
{
	*pl = (struct poller){ .st = st, .mr = mr };
	if (st->prog.enabled && pthread_create(&pl->tid, NULL, poll_progress, pl))
		st->prog.enabled = 0;	/* no thread: no progress within runs */
	else if (!st->prog.enabled)
		pl->stop = 1;
}

static void poll_stop(struct poller *pl)
{
	if (pl->stop)
		return;
	pl->stop = 1;
	pthread_join(pl->tid, NULL);
}

/* RUN with buffers grown on ENOSPC (twice at most). 0, or errno. */
static int do_run(struct micro_state *st, struct bufs *b,
		  const struct micro_run *mr, const struct micro_opts *o,
		  struct ub_perf *perf)
{
	const struct ub_info *in = &st->dev.mi.info;
	uint64_t nsel = 0;

	for (unsigned i = 0; i < in->nr_variants; i++)
		nsel += (mr->variant_mask >> i & 1) &&
			ub_variant_applies(&in->variants[i], mr->granule);
	for (int i = 0; i < mr->threads; i++)
		b->cpus[i] = (uint32_t)mr->cpus[i];
	buffers(b, mr, o, nsel ? nsel : 1);
	for (int tries = 0;; tries++) {
		struct poller pl;
		int e;

		perfctr_start(perf);
		poll_start(&pl, st, mr);
		e = ubdev_run(&st->dev, &b->r) ? errno : 0;
		poll_stop(&pl);
		perfctr_stop(perf);
		if (e != ENOSPC || tries == 2)
			return e;
		buffers(b, mr, o, nsel);
	}
}

/* Account for a finished RUN and log it. */
static void note_run(struct micro_state *st, int id, const struct micro_run *mr,
		     const struct ub_run *r)
{
	char status[64];

	if (r->backend_used < UB_BACKEND_NR)
		st->backends_used |= 1U << r->backend_used;
	if (r->status & UB_STATUS_WALL_CAP)
		st->runs_capped++;
	ub_strlcpy(st->backend_reason, r->backend_reason, sizeof(st->backend_reason));
	ub_logfile("run %d [%s]: backend %s (%s), %u/%u rounds, %u variants, "
		   "%.3f s, status %s", id, mr->source,
		   ub_name_or(UB_ENUM_backend, r->backend_used), r->backend_reason,
		   r->rounds_done, mr->rounds, r->nr_selected,
		   (double)r->elapsed_ns / 1e9,
		   ub_status_str(r->status, status, sizeof(status)));
}

/* One planned run: 0, 1 (failed) or 130 (signal). */
static int run_one(struct micro_state *st, const struct micro_plan *p,
		   const struct micro_run *mr)
{
	struct ub_perf perf = { 0 };
	struct bufs b = { 0 };
	int id = st->next_id, e, rc = 1;

	if (!p->o->no_counters)
		counters(&perf, mr);
	e = do_run(st, &b, mr, p->o, &perf);
	if (e == EINTR || (e && ub_signal_pending())) {
		rc = 130;
	} else if (e) {
		ub_err("run %d (%s) failed: %s%s%s", id, mr->source, strerror(e),
		       b.r.reason[0] ? ": " : "", b.r.reason);
		snprintf(st->s->detail, sizeof(st->s->detail), "%.100s", b.r.reason);
		ub_strlcpy(st->backend_reason, b.r.reason, sizeof(st->backend_reason));
	} else if ((uint64_t)b.r.nr_selected * mr->threads * sizeof(*b.res) >
		   b.r.results_len) {
		ub_err("run %d: module reports %u variants, more than the buffer "
		       "holds", id, b.r.nr_selected);
	} else {
		st->next_id++;
		note_run(st, id, mr, &b.r);
		/* A table that cannot take the run said so: the status says it. */
		if (!write_run(st, id, mr, p, &b, p->o->no_counters ? NULL : &perf))
			rc = (b.r.status & UB_STATUS_SIGNAL) || ub_signal_pending() ?
				130 : 0;
	}
	perfctr_close(&perf);
	free(b.res);
	free(b.smp);
	free(b.hist);
	return rc;
}

static int run(struct ub_session *s, void *state, void *plan)
{
	struct micro_state *st = state;
	struct micro_plan *p = plan;

	for (int i = 0; i < p->n; i++) {
		const struct micro_run *mr = &p->runs[i];
		char note[128];
		int rc;

		if (ub_signal_pending())
			return 130;
		snprintf(note, sizeof(note), "%s granule=%s threads=%d %s",
			 mr->source, ub_name_or(UB_ENUM_granule, mr->granule),
			 mr->threads, ub_name_or(UB_ENUM_placement, mr->placement));
		progress_update(&st->prog, s->runs_done, note);
		rc = run_one(st, p, mr);
		if (rc)
			return rc;
		s->runs_done++;
		progress_update(&st->prog, s->runs_done, note);
	}
	return 0;
}

static int close_files(struct ub_session *s, void *state)
{
	struct micro_state *st = state;

	(void)s;
	progress_done(&st->prog);
	return rw_close(&st->w);
}

static void meta(struct ub_json *j, void *state)
{
	struct micro_state *st = state;
	const struct ub_session *s = st->s;

	ub_json_obj_begin(j, "measurement");
	ub_json_int(j, "runs_planned", s->runs_total);
	ub_json_int(j, "runs_done", s->runs_done);
	ub_json_int(j, "runs_capped", st->runs_capped);
	meta_write_backends(j, "backends_used", st->backends_used);
	ub_json_str(j, "backend_reason",
		    st->backend_reason[0] ? st->backend_reason : NULL);
	ub_json_bool(j, "from_emulation", s->env->emulation != UB_EMU_NONE);
	ub_json_str(j, "where", ub_name_or(UB_ENUM_where, st->dev.where));
	ub_json_obj_end(j);
}

static void free_plan(void *plan)
{
	micro_plan_free(plan);
	free(plan);
}

static void free_state(void *state)
{
	struct micro_state *st = state;

	if (st->probed)
		ubdev_close(&st->dev);
}

const struct ub_driver ub_micro_driver = {
	.name = "micro",
	.opts = &micro_optset,
	.opts_size = sizeof(struct micro_opts),
	.opts_init = micro_opts_init,
	.state_size = sizeof(struct micro_state),
	.plan = plan,
	.list = list,
	.ready = ready,
	.open = open_files,
	.run = run,
	.close = close_files,
	.meta = meta,
	.free_plan = free_plan,
	.free_state = free_state,
};
