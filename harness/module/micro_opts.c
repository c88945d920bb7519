// SPDX-License-Identifier: GPL-2.0
/* micro_opts.c: the options of `unmapbench micro` (and micro profile lines). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "module/micro.h"
#include "record/cpulist.h"
#include "record/schema.h"
#include "record/util.h"

/* --cpus auto, or CPU lists separated by '/' ("0-3/8-11"). */
static int check_cpus(const struct ub_opt *o, const char *s, void *dst)
{
	const char *p = s;
	int rc = 0;

	(void)o;
	(void)dst;
	if (!strcmp(s, "auto"))
		return 0;
	if (!*s)
		return ub_opt_fail("--cpus: empty value");
	while (!rc) {
		const char *e = strchr(p, '/');
		char *set = ub_xstrdup(p);
		struct ub_str_list items = { 0 };
		int *v = NULL, n;

		if (e)
			set[e - p] = 0;
		if (!*set)
			rc = ub_opt_fail("--cpus: empty CPU set in '%s'", s);
		else if (!ub_opt_split("--cpus", set, &items) &&
			 (n = ub_cpulist_parse(set, &v)) <= 0)
			rc = ub_opt_fail("--cpus: bad CPU set '%s' in '%s': expected "
					 "'auto' or CPU lists like 0-3,8 separated "
					 "by '/'", set, s);
		else if (!items.n)
			rc = -1;	/* ub_opt_split said why */
		free(v);
		free(set);
		ub_str_list_free(&items);
		if (!e)
			break;
		p = e + 1;
	}
	return rc;
}

static const char *const scale_names[] = { "off", "auto", NULL };
static const char *const balance_names[] = { "off", "blocks", NULL };
static const struct ub_word node_words[] = { { "all", UB_NODE_ALL }, { NULL, 0 } };
static const struct ub_word thread_words[] = {
	{ "all", UB_THREADS_ALL }, { "half", UB_THREADS_HALF }, { NULL, 0 },
};

#define O(f)	offsetof(struct micro_opts, f)
static const struct ub_opt micro_opts[] = {
	{ .name = "size", .kind = UB_ARG_LIST, .off = O(sizes),
	  .flags = UB_OPT_SIZE | UB_OPT_RANGE, .min = UB_PAGE_BYTES, .max = 1ULL << 50,
	  .excludes = "pages",
	  .help = "memory per thread, e.g. 16M,256M (default 16M)" },
	{ .name = "pages", .kind = UB_ARG_LIST, .off = O(pages),
	  .flags = UB_OPT_SIZE | UB_OPT_RANGE, .min = 1, .max = 1ULL << 40,
	  .help = "units per thread instead: 4K pages or 2M folios" },
	{ .name = "granule", .kind = UB_ARG_NAMES, .off = O(granule),
	  .en = UB_ENUM_granule, .flags = UB_OPT_ALL, .help = "default 4k" },
	{ .name = "node", .kind = UB_ARG_LIST, .off = O(node), .words = node_words,
	  .flags = UB_OPT_RANGE, .max = 1023,
	  .help = "memory node(s); all = every node with memory\n"
		  "(default: the first node with memory)" },
	{ .name = "cpus", .kind = UB_ARG_TEXT, .off = O(cpus), .parse = check_cpus,
	  .arg = "auto|SETS",
	  .help = "auto (default): chosen by --placement; or CPU sets\n"
		  "(thread i on the i-th CPU of the set)",
	  .legend = "auto, or CPU lists (0-3,8) separated by '/': 0-3/8-11" },
	{ .name = "placement", .kind = UB_ARG_NAMES, .off = O(placement),
	  .en = UB_ENUM_placement, .skip = 1U << UB_PLACE_MIXED, .flags = UB_OPT_ALL,
	  .help = "CPUs vs the memory node, with --cpus auto\n"
		  "(default local,remote on multi-node hosts, else local)" },
	{ .name = "threads", .kind = UB_ARG_LIST, .off = O(threads),
	  .words = thread_words, .flags = UB_OPT_RANGE, .min = 1,
	  .max = UB_MAX_THREADS,
	  .help = "threads; half, all = of the memory node's CPUs (default 1)" },
	{ .name = "backend", .kind = UB_ARG_NAMES, .off = O(backend),
	  .en = UB_ENUM_backend_req,
	  .help = "the module's primitives (default auto)" },
	{ .name = "reset", .kind = UB_ARG_NAMES, .off = O(reset),
	  .en = UB_ENUM_reset_mode, .flags = UB_OPT_ALL, .help = "default kernel" },
	{ .name = "cache", .kind = UB_ARG_NAMES, .off = O(cache),
	  .en = UB_ENUM_cache, .flags = UB_OPT_ALL, .help = "default hot" },
	{ .name = "batch", .kind = UB_ARG_LIST, .off = O(batch),
	  .flags = UB_OPT_SIZE | UB_OPT_RANGE, .min = 1, .max = UINT32_MAX,
	  .help = "ops per timed batch (default 32)" },
	{ .name = "rounds", .kind = UB_ARG_LIST, .off = O(rounds),
	  .flags = UB_OPT_SIZE | UB_OPT_RANGE, .min = 1, .max = 1000000,
	  .help = "paired rounds (default 20)" },
	{ .name = "seed", .kind = UB_ARG_LIST, .off = O(seed), .flags = UB_OPT_RANGE,
	  .help = "page and variant order seed (default 1)" },
	{ .name = "variants", .kind = UB_ARG_TEXTS, .off = O(variants),
	  .help = "names or globs of the module's variants (default all)" },
	{ .name = "timer", .kind = UB_ARG_NAMES, .off = O(timer),
	  .en = UB_ENUM_timer, .flags = UB_OPT_ALL, .help = "default tsc" },
	{ .name = "irq-off", .kind = UB_ARG_BOOLS, .off = O(irq_off),
	  .help = "IRQs off around each batch (default 1; native: 0,\n"
		  "userspace cannot turn them off)" },
	{ .name = "max-irqoff", .kind = UB_ARG_DUR, .off = O(max_irqoff_ns),
	  .unit_ns = 1, .bare = "ns", .legend = "0 = no bound; default 1ms",
	  .help = "bound on an IRQ-off batch: the module shortens the batch\n"
		  "to stay within it (one op may still exceed it)" },
	{ .name = "where", .kind = UB_ARG_NAME, .off = O(where),
	  .en = UB_ENUM_where,
	  .help = "module (default; UB_WHERE=native changes it): the kernel\n"
		  "module; native: the module's portable code built into\n"
		  "this binary (null backend, userspace: API shapes only)" },
	{ .name = "warmup", .kind = UB_ARG_U64, .off = O(warmup), .max = 1024,
	  .help = "warm-up rounds run first and discarded (default 2)" },
	{ .name = "replicas", .kind = UB_ARG_U64, .off = O(replicas),
	  .max = UB_NR_REPLICAS,
	  .help = "layout replicas each variant's code is drawn from, per\n"
		  "round (default 0 = all 8)" },
	{ .name = "balance", .kind = UB_ARG_NAME, .off = O(balance),
	  .names = balance_names,
	  .help = "blocks (default): round --rounds up to whole blocks of the\n"
		  "counterbalanced order (n variants, 2n when n is odd), so\n"
		  "every variant holds every position equally often; off:\n"
		  "as given" },
	{ .name = "no-pmu", .kind = UB_ARG_FLAG, .off = O(no_pmu),
	  .help = "skip the module's per-variant PMU counters" },
	{ .name = "max-wall", .kind = UB_ARG_DUR, .off = O(max_wall_ms),
	  .unit_ns = 1000000, .min = 1, .max = 3600000, .bare = "s",
	  .legend = "1ms to 1h; default: the module's 60 s",
	  .help = "wall-time cap per run, e.g. 30s" },
	{ .name = "scale", .kind = UB_ARG_NAME, .off = O(scale), .names = scale_names,
	  .help = "auto: shrink sizes to fit 1/8 of the node's free memory\n"
		  "and each run's estimated time to --run-budget" },
	{ .name = "run-budget", .kind = UB_ARG_DUR, .off = O(run_budget_ms),
	  .unit_ns = 1000000, .bare = "s", .max = 3600000,
	  .legend = "0 = none; default 30s",
	  .help = "with scale=auto: halve the units of a run whose estimate\n"
		  "exceeds it (rough estimates: see results/README.md)" },
	{ .name = "no-counters", .kind = UB_ARG_FLAG, .off = O(no_counters),
	  .help = "skip the perf counters (counters.csv stays empty)" },
	{ .name = "no-hist", .kind = UB_ARG_FLAG, .off = O(no_hist),
	  .help = "skip the histograms (hist.csv)" },
	{ .name = "no-samples", .kind = UB_ARG_FLAG, .off = O(no_samples),
	  .help = "skip the per-round samples (samples.csv)" },
	UB_LINE_OPTS(struct micro_opts),
	{ .name = NULL },
};
#undef O

const struct ub_optset micro_optset = {
	.cmd = "micro",
	.synopsis = "[OPTIONS]",
	.about = "Sweep the module's RUN parameters: every LIST option takes a list "
		 "and the\nruns are their cartesian product (repeated --repeat "
		 "times). In a profile,\na micro line takes the same options "
		 "without -- (size=4M,64M).",
	.opt = micro_opts,
	.given_off = offsetof(struct micro_opts, common.given),
	.footer = "Environment: UB_RESULTS_DIR (where run directories go), "
		  "UB_PROGRESS=0|1.\n",
};

void micro_opts_init(void *opts)
{
	struct micro_opts *o = opts;

	o->cpus = ub_xstrdup("auto");
	o->where = ubdev_where();
	o->warmup = 2;
	o->balance = 1;
	o->max_irqoff_ns = 1000000;
	o->run_budget_ms = 30000;
}
