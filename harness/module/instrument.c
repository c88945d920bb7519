// SPDX-License-Identifier: GPL-2.0
/*
 * instrument.c: `unmapbench instrument`, see instrument.h: its options,
 * and the choice between the native driver and the equivalent micro
 * sweep of the module's ground.* variants. plot/instrument.py turns the
 * run directory into linearity, resolution and precision figures.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "module/instrument.h"
#include "module/micro.h"
#include "module/ubdev.h"
#include "record/log.h"
#include "record/numa.h"
#include "record/schema.h"
#include "record/util.h"

#define INSTR_MAX_UNITS	(1U << 20)


#define O(f)	offsetof(struct instr_opts, f)
static const struct ub_opt instr_opts_table[] = {
	{ .name = "where", .kind = UB_ARG_NAME, .off = O(where),
	  .en = UB_ENUM_where,
	  .help = "native (default): the module's portable code built into\n"
		  "this binary, in this process; module: the kernel module.\n"
		  "Either way the ground.* variants, as unmapbench micro\n"
		  "--where W --variants 'ground.*' --timer tsc,ktime" },
	{ .name = "units", .kind = UB_ARG_U64, .off = O(units),
	  .flags = UB_OPT_SIZE, .min = 1, .max = INSTR_MAX_UNITS,
	  .help = "ops per variant per round (default 256: short rounds,\n"
		  "so few are hit by interrupts; module: 4K pages)" },
	{ .name = "batch", .kind = UB_ARG_U64, .off = O(batch),
	  .flags = UB_OPT_SIZE, .min = 1, .max = 65536,
	  .help = "ops per TSC-timed batch (default 32)" },
	{ .name = "rounds", .kind = UB_ARG_U64, .off = O(rounds),
	  .flags = UB_OPT_SIZE, .min = 2, .max = 1000000,
	  .help = "paired rounds per run (default 1000)" },
	{ .name = "seed", .kind = UB_ARG_U64, .off = O(seed),
	  .help = "unit and variant order seed (default 1)" },
	{ .name = "timer", .kind = UB_ARG_NAMES, .off = O(timer),
	  .en = UB_ENUM_timer, .flags = UB_OPT_ALL, .help = "default both" },
	{ .name = "cpu", .kind = UB_ARG_U64, .off = O(cpu),
	  .max = UB_TOPO_MAX_CPUS - 1,
	  .help = "CPU to run on (default: native: the current CPU;\n"
		  "module: chosen like micro --cpus auto)" },
	{ .name = "max-wall", .kind = UB_ARG_DUR, .off = O(max_wall_ms),
	  .unit_ns = 1000000, .min = 1, .max = 3600000, .bare = "s",
	  .legend = "1ms to 1h", .help = "wall-time cap per run (default 60s)" },
	UB_LINE_OPTS(struct instr_opts),
	{ .name = NULL },
};
#undef O

const struct ub_optset instr_optset = {
	.cmd = "instrument",
	.synopsis = "[OPTIONS]",
	.about = "Validate the instrument on the ground-truth ops (chains of k "
		 "dependent\nadds): the suite's timer (TSC around batches, paired "
		 "rounds) and the\nmap_benchmark-style baseline (ns clock per op) "
		 "in the same run.\n--repeat is the number of runs per timer "
		 "(default 10).",
	.opt = instr_opts_table,
	.given_off = offsetof(struct instr_opts, common.given),
	.footer = "Analyse with: python3 plot/instrument.py RUN_DIR\n",
};

/* The micro line that is exactly --where module. */
static int module_line(const struct instr_opts *o, struct ub_line *l,
		       char *equiv, size_t n)
{
	char arg[14][48], *av[18];
	int ac = 0;

	av[ac++] = "micro";
#define ARG(...) (snprintf(arg[ac - 1], sizeof(arg[0]), __VA_ARGS__), \
		  av[ac] = arg[ac - 1], ac++)
	ARG("--where=%s", ub_name_or(UB_ENUM_where, (unsigned)o->where));
	ARG("--variants=ground.*");
	ARG("--timer=%s", o->timer.n == 1 ? ub_name_or(UB_ENUM_timer,
			(unsigned)o->timer.v[0]) : "tsc,ktime");
	ARG("--granule=4k");
	ARG("--pages=%" PRIu64, o->units);
	ARG("--batch=%" PRIu64, o->batch);
	ARG("--rounds=%" PRIu64, o->rounds);
	ARG("--seed=%" PRIu64, o->seed);
	ARG("--repeat=%" PRIu64, o->common.repeat);
	ARG("--max-wall=%" PRIu64 "ms", o->max_wall_ms);
	if (o->cpu == INSTR_CPU_ANY)
		ARG("--placement=local");
	else
		ARG("--cpus=%" PRIu64, o->cpu);
#undef ARG
	av[ac++] = "--no-counters";
	av[ac++] = "--label";
	av[ac++] = o->common.label ? o->common.label : "instrument";
	av[ac] = NULL;
	equiv[0] = 0;
	for (int i = 0; i < ac; i++)
		snprintf(equiv + strlen(equiv), n - strlen(equiv), "%s%s",
			 i ? " " : "unmapbench ", av[i]);
	return ub_line_parse(l, &ub_micro_driver, ac, av, NULL, 1);
}

static void module_meta(struct ub_json *j, void *arg)
{
	ub_json_obj_begin(j, "instrument");
	ub_json_str(j, "where", ub_name_or(UB_ENUM_where, ubdev_where()));
	ub_json_str(j, "equivalent", arg);
	ub_json_obj_end(j);
}

static int run_module(const struct instr_opts *o)
{
	struct ub_session_cfg cfg = {
		.title = "instrument", .out = o->common.out,
		.dry_run = o->common.dry_run, .meta = module_meta,
		.report = !o->common.no_report,
	};
	char equiv[512];
	struct ub_line l;
	int rc;

	if (module_line(o, &l, equiv, sizeof(equiv)))
		return 2;
	cfg.meta_arg = equiv;
	ub_info("instrument: running the equivalent sweep '%s'", equiv);
	rc = ub_session_run(&cfg, &l, 1);
	ub_line_free(&l);
	return rc;
}

int cmd_instrument(int argc, char **argv)
{
	struct instr_opts o = {
		.common.repeat = 10, .units = 256, .batch = 32, .rounds = 1000,
		.seed = 1, .max_wall_ms = 60000, .cpu = INSTR_CPU_ANY,
		.where = UB_WHERE_NATIVE,
	};
	int rc = ub_opts_command(&instr_optset, argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = run_module(&o);
	if (!rc && !o.common.dry_run && o.common.no_report)
		ub_info("analyse with: python3 plot/instrument.py RUN_DIR");
	ub_opts_free(&instr_optset, &o);
	return rc;
}
