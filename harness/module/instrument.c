// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_instrument.c: `unmapbench instrument`, the instrument's own test.
 *
 * Times the ground-truth ops (chains of k dependent register adds,
 * kmod/ub_ground.c) with both timer modes of the timing engine
 * (kmod/ub_timing.c): the suite's method (TSC around batches, overhead
 * subtracted, paired rounds) and the map_benchmark-style baseline (every
 * op timed alone with the ns clock). plot/instrument.py turns the run
 * directory into linearity, resolution and precision figures.
 *
 * --where native  runs the engine in this process: the very same sources
 *                 as the module, built for userspace (kmod/libubtiming.a,
 *                 "make -C kmod libubtiming.a"; ub_port.h maps the timers
 *                 to RDTSCP and clock_gettime(CLOCK_MONOTONIC)). One
 *                 thread pinned to one CPU; the timer modes alternate run
 *                 by run in ABBA order (tsc,ktime / ktime,tsc / ...), on
 *                 the same ops, units and seed. Runs are backend "user".
 * --where module  drives the module's ground.* variants with RUN for both
 *                 timers: exactly `unmapbench micro --variants ground.*
 *                 --timer tsc,ktime ...` (what bench/profiles/instrument
 *                 runs in the testbed), so it needs the module loaded.
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

#include "commands.h"
#include "record/csv.h"
#include "record/env.h"
#include "record/log.h"
#include "record/meta.h"
#include "record/numa.h"
#include "record/opts.h"
#include "record/progress.h"
#include "record/rundir.h"
#include "module/ubdev.h"
#include "record/util.h"
#include "record/version.h"

/* The engine itself: kmod/ub_timing.h (one source, two builds). */
#include "ub_timing.h"

#define INSTR_MAX_VAR	8
#define INSTR_MAX_UNITS	(1U << 20)

static const char instrument_usage[] =
"usage: unmapbench instrument [OPTIONS]\n"
"Validate the instrument on the ground-truth ops (chains of k dependent\n"
"adds): the suite's timer (TSC around batches, paired rounds) and the\n"
"map_benchmark-style baseline (ns clock per op) in the same run.\n"
"  --where native|module  native (default): the userspace build of the\n"
"                     module's timing engine, in this process, on this CPU;\n"
"                     module: the module's ground.* variants through RUN\n"
"                     (same as unmapbench micro --variants 'ground.*')\n"
"  --repeat N         runs per timer (default 10)\n"
"  --units N          ops per variant per round (default 256: short rounds,\n"
"                     so few are hit by interrupts; module: 4K pages)\n"
"  --batch N          ops per TSC-timed batch (default 32)\n"
"  --rounds N         paired rounds per run (default 1000)\n"
"  --seed N           unit and variant order seed (default 1)\n"
"  --timer LIST       tsc,ktime (default both)\n"
"  --cpu N            CPU to run on (default: native: the current CPU;\n"
"                     module: chosen like micro --cpus auto)\n"
"  --max-wall DUR     per-run wall cap, e.g. 30s (default 60s)\n"
"  --label TEXT       free text stored with every run\n"
"  --out DIR          run directory (default results/<UTC>-<host>-<krel>)\n"
"Analyse with: python3 plot/instrument.py RUN_DIR\n";

struct instr_opts {
	int	module;
	uint64_t repeat, units, batch, rounds, seed, max_wall_ms;
	int	cpu;			/* -1 = default */
	int	timer[2];		/* timer[UB_TIMER_*] selected */
	char	*label;
	char	*out;
};

static int instr_parse(int argc, char **argv, struct instr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->repeat = 10;
	o->units = 256;
	o->batch = 32;
	o->rounds = 1000;
	o->seed = 1;
	o->max_wall_ms = 60000;
	o->cpu = -1;
	o->timer[UB_TIMER_TSC] = o->timer[UB_TIMER_KTIME] = 1;

	for (int i = 1; i < argc; i++) {
		char name[64], *arg = argv[i], *val = NULL, *eq;
		uint64_t v;
		int r = 0;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(instrument_usage, stdout);
			exit(0);
		}
		if (strncmp(arg, "--", 2)) {
			ub_opt_fail("unexpected argument '%s' (options start with --; "
				    "see unmapbench instrument --help)", arg);
			return 2;
		}
		ub_strlcpy(name, arg, sizeof(name));
		eq = strchr(name, '=');
		if (eq) {
			*eq = 0;
			val = arg + (eq - name) + 1;
		} else {
			if (i + 1 >= argc) {
				ub_opt_fail("%s needs a value", name);
				return 2;
			}
			val = argv[++i];
		}
#define FLAG(n) (!strcmp(name, n))
		if (FLAG("--where")) {
			if (!strcmp(val, "native"))
				o->module = 0;
			else if (!strcmp(val, "module"))
				o->module = 1;
			else
				r = ub_opt_fail("--where: bad value '%s': expected native "
						"or module", val);
		} else if (FLAG("--repeat")) {
			r = ub_opt_parse_u64(name, val, 0, 1, 1000, &o->repeat);
		} else if (FLAG("--units")) {
			r = ub_opt_parse_u64(name, val, UB_OPT_SIZE, 1, INSTR_MAX_UNITS,
					     &o->units);
		} else if (FLAG("--batch")) {
			r = ub_opt_parse_u64(name, val, UB_OPT_SIZE, 1, 65536, &o->batch);
		} else if (FLAG("--rounds")) {
			r = ub_opt_parse_u64(name, val, UB_OPT_SIZE, 2, 1000000, &o->rounds);
		} else if (FLAG("--seed")) {
			r = ub_opt_parse_u64(name, val, 0, 0, UINT64_MAX, &o->seed);
		} else if (FLAG("--timer")) {
			struct ub_u64_list l = { 0 };

			r = ub_opt_parse_names(name, val, UB_OPT_ALL, ub_timer_names, 2, &l);
			if (!r) {
				o->timer[0] = o->timer[1] = 0;
				for (size_t k = 0; k < l.n; k++)
					o->timer[l.v[k]] = 1;
			}
			ub_u64_list_free(&l);
		} else if (FLAG("--cpu")) {
			r = ub_opt_parse_u64(name, val, 0, 0, UB_TOPO_MAX_CPUS - 1, &v);
			o->cpu = (int)v;
		} else if (FLAG("--max-wall")) {
			r = ub_opt_parse_ms(name, val, &o->max_wall_ms);
			if (!r && (!o->max_wall_ms || o->max_wall_ms > 3600000))
				r = ub_opt_fail("--max-wall: '%s' is outside 1ms-1h", val);
		} else if (FLAG("--label")) {
			free(o->label);
			o->label = ub_xstrdup(val);
		} else if (FLAG("--out")) {
			free(o->out);
			o->out = ub_xstrdup(val);
		} else {
			ub_opt_fail("unknown option '%s' (see unmapbench instrument --help)",
				    name);
			return 2;
		}
#undef FLAG
		if (r)
			return 2;
	}
	return 0;
}

static void instr_opts_free(struct instr_opts *o)
{
	free(o->label);
	free(o->out);
}

/* ---- --where module: the equivalent micro sweep ---- */

static int instr_module(const struct instr_opts *o)
{
	char *av[32], num[8][32];
	int ac = 0, rc;

	av[ac++] = "unmapbench";	/* argv[-1] for meta.json's command line */
	av[ac++] = "micro";
	av[ac++] = "--variants";
	av[ac++] = "ground.*";
	av[ac++] = "--timer";
	av[ac++] = o->timer[0] && o->timer[1] ? "tsc,ktime" :
		   o->timer[0] ? "tsc" : "ktime";
	av[ac++] = "--granule";
	av[ac++] = "4k";
	av[ac++] = "--pages";
	snprintf(num[0], sizeof(num[0]), "%" PRIu64, o->units);
	av[ac++] = num[0];
	av[ac++] = "--batch";
	snprintf(num[1], sizeof(num[1]), "%" PRIu64, o->batch);
	av[ac++] = num[1];
	av[ac++] = "--rounds";
	snprintf(num[2], sizeof(num[2]), "%" PRIu64, o->rounds);
	av[ac++] = num[2];
	av[ac++] = "--seed";
	snprintf(num[3], sizeof(num[3]), "%" PRIu64, o->seed);
	av[ac++] = num[3];
	av[ac++] = "--repeat";
	snprintf(num[4], sizeof(num[4]), "%" PRIu64, o->repeat);
	av[ac++] = num[4];
	av[ac++] = "--max-wall";
	snprintf(num[5], sizeof(num[5]), "%" PRIu64 "ms", o->max_wall_ms);
	av[ac++] = num[5];
	av[ac++] = "--cpus";
	if (o->cpu >= 0)
		snprintf(num[6], sizeof(num[6]), "%d", o->cpu);
	else
		ub_strlcpy(num[6], "auto", sizeof(num[6]));
	av[ac++] = num[6];
	if (o->cpu < 0) {
		av[ac++] = "--placement";
		av[ac++] = "local";
	}
	av[ac++] = "--no-counters";
	av[ac++] = "--label";
	av[ac++] = o->label ? o->label : "instrument";
	if (o->out) {
		av[ac++] = "--out";
		av[ac++] = o->out;
	}
	av[ac] = NULL;
	ub_info("instrument --where module: running the equivalent sweep "
		"'unmapbench micro --variants ground.* --timer %s ...'", av[5]);
	rc = cmd_micro(ac - 1, av + 1);
	if (rc == 0)
		ub_info("analyse with: python3 plot/instrument.py RUN_DIR");
	return rc;
}

/* ---- --where native ---- */

struct native {
	const struct instr_opts *o;
	struct ub_rundir rd;
	struct ub_env env;
	struct ub_topo topo;
	struct ub_csv *runs, *params, *micro, *samples, *hist;
	int	cpu, node;
	double	tsc_khz;
	char	tsc_khz_source[128];
	int	runs_planned, runs_done, runs_capped;
	uint64_t deadline_ns;		/* per-run wall cap */
	u64	*unit;
	struct ub_jvar var[INSTR_MAX_VAR];
	u32	nr_var;
};

#define STOP_WALL	1U
#define STOP_SIGNAL	2U

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
	u64 t0, t1;
	uint64_t n0, n1;

	n0 = ub_now_ns();
	t0 = ub_tsc();
	nanosleep(&ts, NULL);
	t1 = ub_tsc();
	n1 = ub_now_ns();
	if (n1 <= n0 || t1 <= t0)
		return 0;
	return (double)(t1 - t0) * 1e6 / (double)(n1 - n0);
}

static int pin_cpu(struct native *n)
{
	cpu_set_t set;
	int cpu = n->o->cpu >= 0 ? n->o->cpu : sched_getcpu();

	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		ub_err("cannot run on CPU %d: %s (--cpu: pick one of the CPUs this "
		       "process may use)", cpu, strerror(errno));
		return -1;
	}
	n->cpu = cpu;
	n->node = topo_cpu_node(&n->topo, cpu);
	if (n->node < 0)
		n->node = 0;
	return 0;
}

static const char *native_reason =
	"userspace build of the module's timing engine (libubtiming.a): "
	"no module; preemption and IRQs not controlled";

static void write_native_run(struct native *n, int id, int rep, u32 timer,
			     const struct ub_job *j, u64 elapsed)
{
	const struct instr_opts *o = n->o;
	const char *unit = timer == UB_TIMER_KTIME ? "ns" : "cycles";
	struct ub_csv *c;
	char buf[512];
	size_t off = 0;

	c = n->runs;
	ub_csv_int(c, id);
	ub_csv_int(c, rep);
	ub_csv_str(c, o->label);
	ub_csv_str(c, "user");
	ub_csv_str(c, "user");
	ub_csv_str(c, native_reason);
	ub_csv_str(c, "4k");
	ub_csv_int(c, n->node);
	ub_csv_int(c, n->cpu);
	ub_csv_int(c, n->node);
	ub_csv_str(c, "local");
	ub_csv_int(c, 1);
	ub_csv_str(c, "kernel");
	ub_csv_str(c, "hot");
	ub_csv_uint(c, o->batch);
	ub_csv_uint(c, o->batch);
	ub_csv_uint(c, o->rounds);
	ub_csv_uint(c, j->rounds_done);
	ub_csv_uint(c, o->seed);
	ub_csv_str(c, ub_timer_names[timer]);
	ub_csv_int(c, 0);
	ub_csv_str(c, timer == UB_TIMER_KTIME ? "clock_gettime" : "rdtscp");
	ub_csv_uint(c, j->overhead);
	ub_csv_double(c, n->tsc_khz, 3);
	ub_csv_uint(c, elapsed);
	ub_csv_str(c, j->stopped == STOP_SIGNAL ? "signal" :
		   j->stopped == STOP_WALL ? "wall_cap" : "ok");
	ub_csv_str(c, n->env.emulation);
	ub_csv_end_row(c);

	c = n->params;
	ub_csv_int(c, id);
	ub_csv_uint(c, o->units);
	ub_csv_uint(c, 0);
	ub_csv_uint(c, 0);
	buf[0] = 0;
	for (u32 v = 0; v < n->nr_var; v++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "%s%s", v ? ";" : "",
				 ub_ground_ops[v].name);

		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			break;
		off += (size_t)w;
	}
	ub_csv_str(c, buf);
	ub_csv_uint(c, o->max_wall_ms);
	ub_csv_uint(c, 0);
	ub_csv_str(c, "instrument-native");
	ub_csv_end_row(c);

	for (u32 v = 0; v < n->nr_var; v++) {
		const struct ub_stat *s = &j->stat[v];
		double b = (double)s->batches, mean = b ? (double)s->sum / b : NAN;
		double var = b > 1 ? ((double)s->sumsq - (double)s->sum * mean) / (b - 1) : NAN;
		const u32 *h = j->hist + (size_t)v * UB_HIST_BUCKETS;

		c = n->micro;
		ub_csv_int(c, id);
		ub_csv_str(c, ub_ground_ops[v].name);
		ub_csv_str(c, "none");
		ub_csv_str(c, "ground");
		ub_csv_str(c, "4k");
		ub_csv_uint(c, ub_ground_ops[v].adds);
		ub_csv_int(c, 0);
		ub_csv_int(c, n->cpu);
		ub_csv_int(c, n->node);
		ub_csv_uint(c, s->ops);
		ub_csv_uint(c, s->batches);
		ub_csv_double(c, mean, 3);
		ub_csv_double(c, var >= 0 ? sqrt(var) : (b > 1 ? 0 : NAN), 3);
		ub_csv_uint(c, s->batches ? s->min : 0);
		ub_csv_uint(c, s->max);
		ub_csv_str(c, unit);
		ub_csv_uint(c, s->pfn_sum);
		ub_csv_uint(c, s->pages);
		ub_csv_end_row(c);

		for (u32 k = 0; k < UB_HIST_BUCKETS; k++) {
			if (!h[k])
				continue;
			c = n->hist;
			ub_csv_int(c, id);
			ub_csv_str(c, ub_ground_ops[v].name);
			ub_csv_int(c, 0);
			ub_csv_uint(c, ub_hist_lower(k));
			if (k + 1 < UB_HIST_BUCKETS)
				ub_csv_uint(c, ub_hist_lower(k + 1));
			else
				ub_csv_empty(c);
			ub_csv_uint(c, h[k]);
			ub_csv_str(c, unit);
			ub_csv_end_row(c);
		}
	}
	for (u32 r = 0; r < j->rounds_done; r++)
		for (u32 v = 0; v < n->nr_var; v++) {
			c = n->samples;
			ub_csv_int(c, id);
			ub_csv_int(c, 0);
			ub_csv_uint(c, r);
			ub_csv_str(c, ub_ground_ops[v].name);
			ub_csv_uint(c, j->samples[(size_t)r * n->nr_var + v]);
			ub_csv_uint(c, o->units);
			ub_csv_str(c, unit);
			ub_csv_end_row(c);
		}
	ub_csv_flush(n->runs);
	ub_csv_flush(n->params);
	ub_csv_flush(n->micro);
	ub_csv_flush(n->samples);
	ub_csv_flush(n->hist);
}

/* One run: every ground op, ROUNDS paired rounds, with TIMER. */
static int native_run(struct native *n, int id, int rep, u32 timer)
{
	const struct instr_opts *o = n->o;
	struct ub_stat stat[INSTR_MAX_VAR];
	u32 order[INSTR_MAX_VAR];
	struct ub_job j;
	u64 *smp;
	u32 *hist;
	uint64_t t0;

	smp = ub_xcalloc((size_t)o->rounds * n->nr_var, sizeof(*smp));
	hist = ub_xcalloc((size_t)n->nr_var * UB_HIST_BUCKETS, sizeof(*hist));
	for (u32 v = 0; v < n->nr_var; v++)
		ub_stat_init(&stat[v]);
	memset(&j, 0, sizeof(j));
	j.var = n->var;
	j.nr_var = n->nr_var;
	j.unit = n->unit;
	j.nr_units = o->units;
	j.batch = (u32)o->batch;
	j.rounds = (u32)o->rounds;
	j.seed = o->seed;
	j.timer = timer;
	j.overhead = ub_timer_overhead(timer);
	j.stop = native_stop;
	j.cookie = n;
	j.stat = stat;
	j.samples = smp;
	j.hist = hist;
	j.order = order;

	t0 = ub_now_ns();
	n->deadline_ns = t0 + o->max_wall_ms * 1000000ULL;
	ub_engine_run(&j);
	write_native_run(n, id, rep, timer, &j, ub_now_ns() - t0);
	ub_logfile("run %d: repeat %d timer %s: %u/%" PRIu64 " rounds, overhead %llu "
		   "%s, %.3f s%s", id, rep, ub_timer_names[timer], j.rounds_done,
		   o->rounds, (unsigned long long)j.overhead,
		   timer == UB_TIMER_KTIME ? "ns" : "cycles",
		   (double)(ub_now_ns() - t0) / 1e9,
		   j.stopped == STOP_WALL ? ", stopped at the wall cap" : "");
	if (j.stopped == STOP_WALL)
		n->runs_capped++;
	free(smp);
	free(hist);
	return j.stopped == STOP_SIGNAL ? 130 : 0;
}

static void native_meta(struct ub_json *jj, void *arg)
{
	struct native *n = arg;
	const struct instr_opts *o = n->o;

	ub_json_obj_begin(jj, "measurement");
	ub_json_int(jj, "runs_planned", n->runs_planned);
	ub_json_int(jj, "runs_done", n->runs_done);
	ub_json_int(jj, "runs_capped", n->runs_capped);
	ub_json_arr_begin(jj, "backends_used");
	ub_json_str(jj, NULL, "user");
	ub_json_arr_end(jj);
	ub_json_str(jj, "backend_reason", native_reason);
	ub_json_bool(jj, "from_emulation", strcmp(n->env.emulation, "none") != 0);
	ub_json_bool(jj, "simulated_module", 0);
	ub_json_obj_end(jj);

	ub_json_obj_begin(jj, "instrument");
	ub_json_str(jj, "where", "native");
	ub_json_str(jj, "engine", "kmod/ub_timing.c + kmod/ub_ground.c built for "
		    "userspace (kmod/libubtiming.a, kmod/ub_port.h)");
	ub_json_str(jj, "tsc_timer", "rdtscp around each batch, calibrated "
		    "overhead subtracted");
	ub_json_str(jj, "ktime_timer", "clock_gettime(CLOCK_MONOTONIC) around "
		    "each op, nothing subtracted (userspace stand-in for "
		    "ktime_get_ns)");
	ub_json_str(jj, "order", "ABBA: odd repeats tsc then ktime, even "
		    "repeats ktime then tsc");
	ub_json_double(jj, "tsc_khz", n->tsc_khz);
	ub_json_str(jj, "tsc_khz_source", n->tsc_khz_source);
	ub_json_int(jj, "cpu", n->cpu);
	ub_json_uint(jj, "repeat", o->repeat);
	ub_json_uint(jj, "units", o->units);
	ub_json_uint(jj, "batch", o->batch);
	ub_json_uint(jj, "rounds", o->rounds);
	ub_json_uint(jj, "seed", o->seed);
	ub_json_bool(jj, "preemption_controlled", 0);
	ub_json_bool(jj, "irqs_controlled", 0);
	ub_json_obj_end(jj);
}

static int instr_native(const struct instr_opts *o, int argc, char **argv)
{
	struct native *n = ub_xcalloc(1, sizeof(*n));
	struct ub_progress prog;
	struct ub_meta m;
	char out[PATH_MAX];
	int rc = 0, id = 1, nt;
	u64 seed = o->seed;

	n->o = o;
	topo_load(&n->topo);
	env_capture(&n->env, NULL);
	if (pin_cpu(n)) {
		rc = 1;
		goto free_n;
	}
	n->nr_var = ub_nr_ground < INSTR_MAX_VAR ? ub_nr_ground : INSTR_MAX_VAR;
	for (u32 v = 0; v < n->nr_var; v++) {
		n->var[v].fn = ub_ground_ops[v].fn;
		n->var[v].unit_pages = 0;
	}
	n->unit = ub_xcalloc(o->units, sizeof(*n->unit));
	for (u64 i = 0; i < o->units; i++)
		n->unit[i] = i;
	ub_shuffle_u64(n->unit, o->units, &seed);
	nt = o->timer[0] + o->timer[1];
	n->runs_planned = (int)o->repeat * nt;

	ub_signals_install();
	if (o->out)
		ub_strlcpy(out, o->out, sizeof(out));
	else if (rundir_default_path(out, sizeof(out), NULL, &n->env)) {
		ub_err("output path too long");
		rc = 1;
		goto free_n;
	}
	if (rundir_create(&n->rd, out)) {
		rc = 1;
		goto free_n;
	}
	n->tsc_khz = calibrate_tsc_khz();
	snprintf(n->tsc_khz_source, sizeof(n->tsc_khz_source),
		 "TSC against CLOCK_MONOTONIC over 100 ms on CPU %d", n->cpu);
	ub_info("instrument --where native: CPU %d, TSC %.0f kHz, %d runs of %"
		PRIu64 " rounds x %" PRIu64 " ops x %u ground ops; writing %s", n->cpu,
		n->tsc_khz, n->runs_planned, o->rounds, o->units, n->nr_var,
		rundir_path(&n->rd));
	meta_begin(&m, argc + 1, argv - 1, &n->env, NULL, native_meta, n);
#define OPEN(f, file, cols) \
	(n->f = ub_csv_open(rundir_file(&n->rd, file), cols, 0))
	if (!OPEN(runs, "runs.csv", UB_RUNS_CSV_COLS) ||
	    !OPEN(params, "params.csv", UB_PARAMS_CSV_COLS) ||
	    !OPEN(micro, "micro.csv", UB_MICRO_CSV_COLS) ||
	    !OPEN(samples, "samples.csv", UB_SAMPLES_CSV_COLS) ||
	    !OPEN(hist, "hist.csv", UB_HIST_CSV_COLS)) {
		rundir_fail(&n->rd, "failed: cannot create the result files");
		rc = 1;
		goto close;
	}
#undef OPEN
	meta_write(&n->rd, &m);

	progress_init(&prog, "run", UB_PROGRESS_COUNT, n->runs_planned, 0);
	for (uint64_t rep = 1; rep <= o->repeat && !rc; rep++) {
		for (int k = 0; k < 2 && !rc; k++) {
			/* ABBA: tsc first on odd repeats, ktime first on even. */
			u32 timer = (rep & 1) ? (u32)k : (u32)(1 - k);
			char note[64];

			if (!o->timer[timer])
				continue;
			snprintf(note, sizeof(note), "repeat %" PRIu64 " timer %s", rep,
				 ub_timer_names[timer]);
			progress_update(&prog, n->runs_done, note);
			rc = native_run(n, id++, (int)rep, timer);
			if (!rc)
				n->runs_done++;
		}
	}
	progress_done(&prog);
close:
	{
		struct ub_csv *all[] = { n->runs, n->params, n->micro, n->samples,
					 n->hist };
		int bad = 0;

		for (size_t i = 0; i < UB_ARRAY_SIZE(all); i++)
			if (all[i] && ub_csv_close(all[i]))
				bad = 1;
		if (bad && !rc)
			rc = 1;
	}
	if (!n->rd.open)
		goto free_n;
	rc = meta_finish(&n->rd, &m, rc, n->runs_done, n->runs_planned, NULL,
			 NULL);
free_n:
	free(n->unit);
	env_free(&n->env);
	free(n);
	return rc;
}

int cmd_instrument(int argc, char **argv)
{
	struct instr_opts o;
	int rc;

	if (instr_parse(argc, argv, &o)) {
		instr_opts_free(&o);
		return 2;
	}
	if (!o.timer[0] && !o.timer[1]) {
		ub_opt_fail("--timer: no timer selected");
		instr_opts_free(&o);
		return 2;
	}
	rc = o.module ? instr_module(&o) : instr_native(&o, argc, argv);
	instr_opts_free(&o);
	return rc;
}
