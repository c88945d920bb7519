// SPDX-License-Identifier: GPL-2.0
/*
 * native.c: `unmapbench instrument --where native`, the driver that runs
 * the module's timing engine built for userspace (kmod/ub_timing.c +
 * kmod/ub_ground.c -> kmod/libubtiming.a, ported by kmod/ub_port.h: the
 * timers are RDTSCP and clock_gettime(CLOCK_MONOTONIC)) in this process.
 * One thread pinned to one CPU; the timer modes alternate run by run in
 * ABBA order (tsc,ktime / ktime,tsc / ...), on the same ops, units and
 * seed. Runs are backend "user" and go through the run writer like the
 * module's.
 *
 * Userspace cannot turn preemption or IRQs off: native batches that an
 * interrupt or a preemption lands in are simply slower; they are kept,
 * as in the module, and show up in the spread.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module/instrument.h"
#include "module/runwriter.h"
#include "record/env.h"
#include "record/log.h"
#include "record/numa.h"
#include "record/progress.h"
#include "record/schema.h"
#include "record/util.h"

/* The engine itself: kmod/ub_timing.h (one source, two builds). */
#include "ub_timing.h"

#define INSTR_MAX_VAR	8
#define STOP_WALL	1U
#define STOP_SIGNAL	2U

struct native {
	struct ub_session *s;
	const struct instr_opts *o;
	struct ub_topo topo;
	struct rw w;
	int	cpu, node;
	double	tsc_khz;
	char	tsc_khz_source[128];
	int	runs_capped, next_id;
	uint64_t deadline_ns;		/* per-run wall cap */
	u64	*unit;
	struct ub_jvar var[INSTR_MAX_VAR];
	const char *names[INSTR_MAX_VAR];
	u32	nr_var;
	struct ub_progress prog;
};

static const char native_reason[] =
	"userspace build of the module's timing engine (libubtiming.a): "
	"no module; preemption and IRQs not controlled";

static u32 native_stop(void *cookie)
{
	struct native *n = cookie;

	if (ub_signal_pending())
		return STOP_SIGNAL;
	if (ub_now_ns() > n->deadline_ns)
		return STOP_WALL;
	return UB_STOP_NONE;
}

/* TSC frequency from the TSC against CLOCK_MONOTONIC over ~100 ms. */
static double calibrate_tsc_khz(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	uint64_t n0, n1;
	u64 t0, t1;

	n0 = ub_now_ns();
	t0 = ub_tsc();
	nanosleep(&ts, NULL);
	t1 = ub_tsc();
	n1 = ub_now_ns();
	if (n1 <= n0 || t1 <= t0)
		return 0;
	return (double)(t1 - t0) * 1e6 / (double)(n1 - n0);
}

/* The timers a run uses, in ABBA order: TIMER[k] for repeat REP. */
static int timer_of(const struct instr_opts *o, uint64_t rep, int k, u32 *timer)
{
	int want[2] = { 0, 0 };

	for (size_t i = 0; i < o->timer.n; i++)
		want[o->timer.v[i]] = 1;
	if (!o->timer.n)
		want[0] = want[1] = 1;
	/* ABBA: tsc first on odd repeats, ktime first on even. */
	*timer = (rep & 1) ? (u32)k : (u32)(1 - k);
	return want[*timer];
}

static int plan(struct ub_session *s, void *state, void *opts, void **out)
{
	struct native *n = state;
	const struct instr_opts *o = opts;
	int nt = o->timer.n ? (int)o->timer.n : 2;

	n->s = s;
	n->o = o;
	n->nr_var = ub_nr_ground < INSTR_MAX_VAR ? ub_nr_ground : INSTR_MAX_VAR;
	s->runs_total += (int)o->common.repeat * nt;
	/* Rough: ~10 ns per add chain op on hardware. */
	s->est_s += (double)o->common.repeat * nt * (double)o->rounds *
		    (double)o->units * n->nr_var * 1e-8;
	*out = opts;
	return 0;
}

static void list(struct ub_session *s, void *state, void *plan)
{
	const struct instr_opts *o = plan;
	int id = 1;

	(void)s;
	(void)state;
	for (uint64_t rep = 1; rep <= o->common.repeat; rep++)
		for (int k = 0; k < 2; k++) {
			u32 timer;

			if (timer_of(o, rep, k, &timer))
				printf("run %d: repeat=%" PRIu64 " timer=%s units=%" PRIu64
				       " rounds=%" PRIu64 " batch=%" PRIu64 "\n", id++,
				       rep, ub_name_or(UB_ENUM_timer, timer), o->units,
				       o->rounds, o->batch);
		}
}

/* Pin this process to --cpu (default: where it runs now). */
static int ready(struct ub_session *s, void *state)
{
	struct native *n = state;
	cpu_set_t set;
	int cpu = n->o->cpu != INSTR_CPU_ANY ? (int)n->o->cpu : sched_getcpu();

	(void)s;
	topo_load(&n->topo);
	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		ub_err("cannot run on CPU %d: %s (--cpu: pick one of the CPUs this "
		       "process may use)", cpu, strerror(errno));
		return 1;
	}
	n->cpu = cpu;
	n->node = topo_cpu_node(&n->topo, cpu);
	if (n->node < 0)
		n->node = 0;
	return 0;
}

static int open_files(struct ub_session *s, void *state)
{
	struct native *n = state;
	const struct instr_opts *o = n->o;
	u64 seed = o->seed;

	if (rw_open(&n->w, rundir_path(&s->rd), 0))
		return -1;
	for (u32 v = 0; v < n->nr_var; v++) {
		n->var[v].fn = ub_ground_ops[v].fn;
		n->var[v].unit_pages = 0;
		n->names[v] = ub_ground_ops[v].name;
	}
	n->unit = ub_xcalloc(o->units, sizeof(*n->unit));
	for (u64 i = 0; i < o->units; i++)
		n->unit[i] = i;
	ub_shuffle_u64(n->unit, o->units, &seed);
	n->tsc_khz = calibrate_tsc_khz();
	snprintf(n->tsc_khz_source, sizeof(n->tsc_khz_source),
		 "TSC against CLOCK_MONOTONIC over 100 ms on CPU %d", n->cpu);
	ub_info("instrument --where native: CPU %d, TSC %.0f kHz, %d runs of %"
		PRIu64 " rounds x %" PRIu64 " ops x %u ground ops", n->cpu,
		n->tsc_khz, s->runs_total, o->rounds, o->units, n->nr_var);
	progress_init(&n->prog, "run", UB_PROGRESS_COUNT, s->runs_total, 0);
	n->next_id = 1;
	return 0;
}

static void write_run(struct native *n, int rep, u32 timer,
		      const struct ub_job *j, u64 elapsed)
{
	const struct instr_opts *o = n->o;
	struct rw_run r = {
		.id = n->next_id++, .repeat = rep, .label = o->common.label,
		.backend_req = UB_BACKEND_USER, .backend = UB_BACKEND_USER,
		.backend_reason = native_reason, .granule = UB_GRANULE_4K,
		.node = n->node, .cpus = &n->cpu, .cpu_nodes = &n->node,
		.threads = 1, .placement = UB_PLACE_LOCAL,
		.reset = UB_RESET_KERNEL, .cache = UB_CACHE_HOT, .timer = timer,
		.batch = o->batch, .batch_used = o->batch, .rounds = o->rounds,
		.rounds_done = j->rounds_done, .seed = o->seed,
		.insns = timer == UB_TIMER_KTIME ? "clock_gettime" : "rdtscp",
		.timer_overhead = j->overhead, .tsc_khz = n->tsc_khz,
		.elapsed_ns = elapsed,
		.status = j->stopped == STOP_SIGNAL ? "signal" :
			  j->stopped == STOP_WALL ? "wall_cap" : "ok",
		.emulation = n->s->env->emulation, .units = o->units,
		.max_wall_ms = o->max_wall_ms, .variants = n->names,
		.nvariants = n->nr_var, .source = "instrument-native",
	};

	rw_run(&n->w, &r);
	for (u32 v = 0; v < n->nr_var; v++) {
		const struct ub_stat *st = &j->stat[v];
		struct rw_result x = {
			.variant = n->names[v], .shape = UB_SHAPE_NONE,
			.path = UB_PATH_GROUND, .param = ub_ground_ops[v].adds,
			.cpu = n->cpu, .node = n->node, .ops = st->ops,
			.batches = st->batches, .sum = st->sum, .min = st->min,
			.max = st->max, .sumsq = (long double)st->sumsq,
			.pfn_checksum = st->pfn_sum, .pages_touched = st->pages,
			.hist = j->hist + (size_t)v * UB_HIST_BUCKETS,
		};

		rw_result(&n->w, &r, &x);
	}
	for (u32 rd = 0; rd < j->rounds_done; rd++)
		for (u32 v = 0; v < n->nr_var; v++)
			rw_sample(&n->w, &r, 0, rd, n->names[v],
				  j->samples[(size_t)rd * n->nr_var + v], o->units);
}

/* One run: every ground op, ROUNDS paired rounds, with TIMER. */
static int native_run(struct native *n, int rep, u32 timer)
{
	const struct instr_opts *o = n->o;
	struct ub_stat stat[INSTR_MAX_VAR];
	u32 order[INSTR_MAX_VAR];
	struct ub_job j = {
		.var = n->var, .nr_var = n->nr_var, .unit = n->unit,
		.nr_units = o->units, .batch = (u32)o->batch,
		.rounds = (u32)o->rounds, .seed = o->seed, .timer = timer,
		.stop = native_stop, .cookie = n, .stat = stat, .order = order,
	};
	uint64_t t0;

	j.samples = ub_xcalloc((size_t)o->rounds * n->nr_var, sizeof(*j.samples));
	j.hist = ub_xcalloc((size_t)n->nr_var * UB_HIST_BUCKETS, sizeof(*j.hist));
	for (u32 v = 0; v < n->nr_var; v++)
		ub_stat_init(&stat[v]);
	j.overhead = ub_timer_overhead(timer);
	t0 = ub_now_ns();
	n->deadline_ns = t0 + o->max_wall_ms * 1000000ULL;
	ub_engine_run(&j);
	write_run(n, rep, timer, &j, ub_now_ns() - t0);
	ub_logfile("run %d: repeat %d timer %s: %u/%" PRIu64 " rounds, overhead %llu "
		   "%s, %.3f s%s", n->next_id - 1, rep,
		   ub_name_or(UB_ENUM_timer, timer), j.rounds_done, o->rounds,
		   (unsigned long long)j.overhead, ub_name_or(UB_ENUM_unit, timer),
		   (double)(ub_now_ns() - t0) / 1e9,
		   j.stopped == STOP_WALL ? ", stopped at the wall cap" : "");
	if (j.stopped == STOP_WALL)
		n->runs_capped++;
	free(j.samples);
	free(j.hist);
	if (rw_flush(&n->w, n->s->detail, sizeof(n->s->detail)))
		return 1;
	return j.stopped == STOP_SIGNAL ? 130 : 0;
}

static int run(struct ub_session *s, void *state, void *plan)
{
	struct native *n = state;
	int rc = 0;

	(void)plan;
	for (uint64_t rep = 1; rep <= n->o->common.repeat && !rc; rep++)
		for (int k = 0; k < 2 && !rc; k++) {
			char note[64];
			u32 timer;

			if (!timer_of(n->o, rep, k, &timer))
				continue;
			snprintf(note, sizeof(note), "repeat %" PRIu64 " timer %s", rep,
				 ub_name_or(UB_ENUM_timer, timer));
			progress_update(&n->prog, s->runs_done, note);
			rc = native_run(n, (int)rep, timer);
			if (!rc)
				s->runs_done++;
		}
	return rc;
}

static int close_files(struct ub_session *s, void *state)
{
	struct native *n = state;

	(void)s;
	progress_done(&n->prog);
	free(n->unit);
	n->unit = NULL;
	return rw_close(&n->w);
}

static void measurement(struct ub_json *j, const struct native *n)
{
	ub_json_obj_begin(j, "measurement");
	ub_json_int(j, "runs_planned", n->s->runs_total);
	ub_json_int(j, "runs_done", n->s->runs_done);
	ub_json_int(j, "runs_capped", n->runs_capped);
	meta_write_backends(j, "backends_used", 1U << UB_BACKEND_USER);
	ub_json_str(j, "backend_reason", native_reason);
	ub_json_bool(j, "from_emulation", n->s->env->emulation != UB_EMU_NONE);
	ub_json_bool(j, "simulated_module", 0);
	ub_json_obj_end(j);
}

static void meta(struct ub_json *j, void *state)
{
	const struct native *n = state;
	const struct instr_opts *o = n->o;

	measurement(j, n);
	ub_json_obj_begin(j, "instrument");
	ub_json_str(j, "where", "native");
	ub_json_str(j, "engine", "kmod/ub_timing.c + kmod/ub_ground.c built for "
		    "userspace (kmod/libubtiming.a, kmod/ub_port.h)");
	ub_json_str(j, "tsc_timer", "rdtscp around each batch, calibrated "
		    "overhead subtracted");
	ub_json_str(j, "ktime_timer", "clock_gettime(CLOCK_MONOTONIC) around "
		    "each op, nothing subtracted (userspace stand-in for "
		    "ktime_get_ns)");
	ub_json_str(j, "order", "ABBA: odd repeats tsc then ktime, even "
		    "repeats ktime then tsc");
	ub_json_double(j, "tsc_khz", n->tsc_khz);
	ub_json_str(j, "tsc_khz_source", n->tsc_khz_source);
	ub_json_int(j, "cpu", n->cpu);
	ub_json_uint(j, "repeat", o->common.repeat);
	ub_json_uint(j, "units", o->units);
	ub_json_uint(j, "batch", o->batch);
	ub_json_uint(j, "rounds", o->rounds);
	ub_json_uint(j, "seed", o->seed);
	ub_json_bool(j, "preemption_controlled", 0);
	ub_json_bool(j, "irqs_controlled", 0);
	ub_json_obj_end(j);
}

const struct ub_driver ub_native_driver = {
	.name = "instrument",
	.state_size = sizeof(struct native),
	.plan = plan,
	.list = list,
	.ready = ready,
	.open = open_files,
	.run = run,
	.close = close_files,
	.meta = meta,
};
