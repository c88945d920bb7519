// SPDX-License-Identifier: GPL-2.0
/* cmd_micro.c: `unmapbench micro`, the module's parameter sweep. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "record/cpulist.h"
#include "record/env.h"
#include "record/log.h"
#include "record/meta.h"
#include "module/micro.h"
#include "module/perfctr.h"
#include "record/rundir.h"
#include "record/util.h"
#include "record/version.h"

#define SZ_4K	4096ULL
#define SZ_2M	(2ULL << 20)

static const char *const granule_opt_names[3] = { NULL, "4k", "2m" };
static const char *const backend_opt_names[UB_BACKEND_NR] = { "auto", "null", "model", "tdx" };

static const char micro_usage[] =
"usage: unmapbench micro [OPTIONS]\n"
"Sweep the module's RUN parameters; every option takes a comma list and\n"
"the runs are the cartesian product (repeated --repeat times).\n"
"  --size LIST        memory per thread, e.g. 16M,256M (default 16M)\n"
"  --pages LIST       units per thread instead: 4K pages or 2M folios\n"
"  --granule LIST     4k,2m (default 4k)\n"
"  --node LIST|all    memory node(s) (default: the first node with memory)\n"
"  --cpus auto|SETS   auto (default): chosen by --placement; or CPU sets\n"
"                     separated by '/', e.g. 0-3/8-11 (thread i on the\n"
"                     i-th CPU of the set)\n"
"  --placement LIST   local,remote CPUs vs the memory node, with --cpus auto\n"
"                     (default local,remote on multi-node hosts, else local)\n"
"  --threads LIST     numbers, 'half' or 'all' (of the node's CPUs); default 1\n"
"  --backend LIST     auto,null,model,tdx (default auto)\n"
"  --reset LIST       kernel,force (default kernel)\n"
"  --cache LIST       hot,cold (default hot)\n"
"  --batch LIST       ops per timed batch (default 32)\n"
"  --rounds LIST      paired rounds (default 20)\n"
"  --seed LIST        page/variant order seed (default 1)\n"
"  --variants LIST    names or globs of the module's variants (default all)\n"
"  --timer LIST       tsc,ktime (default tsc)\n"
"  --irq-off LIST     0,1: IRQs off around each batch (default 0)\n"
"  --max-irqoff DUR   bound on an IRQ-off batch, e.g. 100us (default none)\n"
"  --max-wall DUR     per-run wall cap, e.g. 30s (default: module's 60 s)\n"
"  --scale auto|off   auto: shrink sizes to fit 1/8 of the node's free memory\n"
"  --repeat N         repeat the whole sweep N times (default 1)\n"
"  --label TEXT       free text stored with every run\n"
"  --no-counters --no-hist --no-samples   skip those outputs\n"
"  --out DIR          run directory (default results/<UTC>-<host>-<krel>)\n"
"  --dry-run          list the runs and an estimate; load nothing\n"
"Numbers take K/M/G suffixes where sizes make sense; ranges A-B, A-B:STEP,\n"
"A-B*FACTOR (e.g. --pages 64-4096*4).\n";

void micro_opts_init(struct micro_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->repeat = 1;
	o->counters = o->hist = o->samples = 1;
	o->cpus = ub_xstrdup("auto");
}

void micro_opts_free(struct micro_opts *o)
{
	struct ub_u64_list *l[] = { &o->pages, &o->sizes, &o->granule, &o->node,
		&o->threads, &o->backend, &o->reset, &o->cache, &o->batch,
		&o->rounds, &o->seed, &o->timer, &o->irq_off, &o->placement };

	for (size_t i = 0; i < UB_ARRAY_SIZE(l); i++)
		ub_u64_list_free(l[i]);
	ub_str_list_free(&o->variants);
	free(o->cpus);
	free(o->label);
	free(o->out);
	memset(o, 0, sizeof(*o));
}

static int parse_threads(const char *s, struct ub_u64_list *out)
{
	struct ub_str_list items = { 0 };
	struct ub_u64_list l = { 0 };

	if (ub_opt_parse_strs("--threads", s, &items))
		return -1;
	for (size_t i = 0; i < items.n; i++) {
		uint64_t v;

		if (!strcmp(items.v[i], "all")) {
			ub_u64_list_push(&l, UB_THREADS_ALL);
			continue;
		}
		if (!strcmp(items.v[i], "half")) {
			ub_u64_list_push(&l, UB_THREADS_HALF);
			continue;
		}
		if (strchr(items.v[i], '-')) {
			struct ub_u64_list r = { 0 };

			if (ub_opt_parse_u64_list("--threads", items.v[i], UB_OPT_RANGE,
						  1, UB_MAX_THREADS, &r))
				goto bad;
			for (size_t k = 0; k < r.n; k++)
				ub_u64_list_push(&l, r.v[k]);
			ub_u64_list_free(&r);
			continue;
		}
		if (ub_opt_parse_u64("--threads", items.v[i], 0, 1, UB_MAX_THREADS, &v)) {
			ub_opt_fail("--threads: bad value '%s' in '%s': expected 1-%d, "
				    "'half' or 'all'", items.v[i], s, UB_MAX_THREADS);
			goto bad;
		}
		ub_u64_list_push(&l, v);
	}
	ub_str_list_free(&items);
	ub_u64_list_free(out);
	*out = l;
	return 0;
bad:
	ub_str_list_free(&items);
	ub_u64_list_free(&l);
	return -1;
}

static int parse_cpus(const char *s)
{
	char *copy, *tok, *save;
	int ok = 1;

	if (!strcmp(s, "auto"))
		return 0;
	copy = ub_xstrdup(s);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		int *v, n = ub_cpulist_parse(tok, &v);

		if (n <= 0) {
			ub_opt_fail("--cpus: bad CPU set '%s' in '%s': expected 'auto' "
				    "or CPU lists like 0-3,8 separated by '/'", tok, s);
			ok = 0;
			break;
		}
		free(v);
	}
	if (ok && (!*s || s[strlen(s) - 1] == '/' || *s == '/' || strstr(s, "//"))) {
		ub_opt_fail("--cpus: empty CPU set in '%s'", s);
		ok = 0;
	}
	free(copy);
	return ok ? 0 : -1;
}

/* Durations in ns: "100us", "2ms", "1000" (ns). */
static int parse_ns(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		goto bad;
	if (!*end || !strcmp(end, "ns"))
		;
	else if (!strcmp(end, "us"))
		v *= 1e3;
	else if (!strcmp(end, "ms"))
		v *= 1e6;
	else if (!strcmp(end, "s"))
		v *= 1e9;
	else
		goto bad;
	*out = (uint64_t)v;
	return 0;
bad:
	return ub_opt_fail("%s: bad duration '%s': expected e.g. 100us, 2ms", opt, s);
}

int micro_parse(int argc, char **argv, struct micro_opts *o, int cli)
{
	for (int i = 1; i < argc; i++) {
		char name[64], *arg = argv[i], *val = NULL, *eq;
		int r = 0;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(micro_usage, stdout);
			exit(0);
		}
		if (strncmp(arg, "--", 2)) {
			ub_opt_fail("unexpected argument '%s' (options start with --)", arg);
			return 2;
		}
		ub_strlcpy(name, arg, sizeof(name));
		eq = strchr(name, '=');
		if (eq) {
			*eq = 0;
			val = arg + (eq - name) + 1;
		}
#define FLAG(n) (!strcmp(name, n))
		if (FLAG("--no-counters") || FLAG("--no-hist") || FLAG("--no-samples") ||
		    FLAG("--dry-run")) {
			if (val) {
				ub_opt_fail("%s takes no value (got '%s')", name, val);
				return 2;
			}
			if (FLAG("--dry-run")) {
				if (!cli) {
					ub_opt_fail("dry-run is a command-line option "
						    "(unmapbench run --dry-run PROFILE)");
					return 2;
				}
				o->dry_run = 1;
			} else if (FLAG("--no-counters")) {
				o->counters = 0;
			} else if (FLAG("--no-hist")) {
				o->hist = 0;
			} else {
				o->samples = 0;
			}
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				ub_opt_fail("%s needs a value", name);
				return 2;
			}
			val = argv[++i];
		}
		if (FLAG("--pages")) {
			r = ub_opt_parse_u64_list(name, val, UB_OPT_SIZE | UB_OPT_RANGE,
						  1, 1ULL << 40, &o->pages);
			o->use_size = 0;
		} else if (FLAG("--size")) {
			r = ub_opt_parse_u64_list(name, val, UB_OPT_SIZE | UB_OPT_RANGE,
						  SZ_4K, 1ULL << 50, &o->sizes);
			o->use_size = 1;
		} else if (FLAG("--granule")) {
			r = ub_opt_parse_names(name, val, UB_OPT_ALL, granule_opt_names,
					       3, &o->granule);
		} else if (FLAG("--node")) {
			o->node_all = !strcmp(val, "all");
			if (!o->node_all)
				r = ub_opt_parse_u64_list(name, val, UB_OPT_RANGE, 0, 1023,
							  &o->node);
		} else if (FLAG("--cpus")) {
			r = parse_cpus(val);
			free(o->cpus);
			o->cpus = ub_xstrdup(val);
		} else if (FLAG("--placement")) {
			r = ub_opt_parse_names(name, val, UB_OPT_ALL, ub_placement_names,
					       2, &o->placement);
		} else if (FLAG("--threads")) {
			r = parse_threads(val, &o->threads);
		} else if (FLAG("--backend")) {
			r = ub_opt_parse_names(name, val, 0, backend_opt_names,
					       UB_BACKEND_NR, &o->backend);
		} else if (FLAG("--reset") || FLAG("--reset-mode")) {
			r = ub_opt_parse_names(name, val, UB_OPT_ALL, ub_reset_names, 2,
					       &o->reset);
		} else if (FLAG("--cache")) {
			r = ub_opt_parse_names(name, val, UB_OPT_ALL, ub_cache_names, 2,
					       &o->cache);
		} else if (FLAG("--batch")) {
			r = ub_opt_parse_u64_list(name, val, UB_OPT_SIZE | UB_OPT_RANGE,
						  1, UINT32_MAX, &o->batch);
		} else if (FLAG("--rounds")) {
			r = ub_opt_parse_u64_list(name, val, UB_OPT_SIZE | UB_OPT_RANGE,
						  1, 1000000, &o->rounds);
		} else if (FLAG("--seed")) {
			r = ub_opt_parse_u64_list(name, val, UB_OPT_RANGE, 0, UINT64_MAX,
						  &o->seed);
		} else if (FLAG("--variants")) {
			r = ub_opt_parse_strs(name, val, &o->variants);
		} else if (FLAG("--timer")) {
			r = ub_opt_parse_names(name, val, UB_OPT_ALL, ub_timer_names, 2,
					       &o->timer);
		} else if (FLAG("--irq-off")) {
			r = ub_opt_parse_bool_list(name, val, &o->irq_off);
		} else if (FLAG("--max-irqoff")) {
			r = parse_ns(name, val, &o->max_irqoff_ns);
		} else if (FLAG("--max-wall")) {
			r = ub_opt_parse_ms(name, val, &o->max_wall_ms);
		} else if (FLAG("--scale")) {
			if (!strcmp(val, "auto"))
				o->scale = 1;
			else if (!strcmp(val, "off"))
				o->scale = 0;
			else
				r = ub_opt_fail("--scale: bad value '%s': expected auto or off",
						val);
		} else if (FLAG("--repeat")) {
			uint64_t v;

			r = ub_opt_parse_u64(name, val, 0, 1, 100000, &v);
			o->repeat = (int)v;
		} else if (FLAG("--label")) {
			free(o->label);
			o->label = ub_xstrdup(val);
		} else if (FLAG("--out") && cli) {
			free(o->out);
			o->out = ub_xstrdup(val);
		} else {
			ub_opt_fail("unknown option '%s'%s", name,
				    cli ? " (see unmapbench micro --help)" :
				    " (keys are micro's long options without --)");
			return 2;
		}
#undef FLAG
		if (r)
			return 2;
	}
	return 0;
}

/* Defaults for lists left empty. */
static void def(struct ub_u64_list *l, uint64_t v)
{
	if (!l->n)
		ub_u64_list_push(l, v);
}

static int first_mem_node(const struct ub_topo *t)
{
	for (int i = 0; i < t->nr_nodes; i++)
		if (t->node_mem[i] > 0)
			return t->node_id[i];
	return t->nr_nodes ? t->node_id[0] : 0;
}

static int nodes_with_cpus(const struct ub_topo *t)
{
	int n = 0;

	for (int i = 0; i < t->nr_nodes; i++)
		n += topo_node_cpus(t, t->node_id[i]) > 0;
	return n;
}

/* Variant mask for granule G from patterns; -1 on an unmatched pattern. */
static int resolve_variants(const struct micro_opts *o, const struct ub_info *in,
			    uint64_t *mask)
{
	*mask = 0;
	if (!o->variants.n) {
		for (unsigned i = 0; i < in->nr_variants; i++)
			*mask |= 1ULL << i;
		return 0;
	}
	for (size_t p = 0; p < o->variants.n; p++) {
		const char *pat = o->variants.v[p];
		int hit = 0;

		for (unsigned i = 0; i < in->nr_variants; i++)
			if (!strcmp(pat, "all") || !fnmatch(pat, in->variants[i].name, 0)) {
				*mask |= 1ULL << i;
				hit = 1;
			}
		if (!hit) {
			char names[1024] = "";

			for (unsigned i = 0; i < in->nr_variants; i++) {
				strncat(names, i ? ", " : "", sizeof(names) - strlen(names) - 1);
				strncat(names, in->variants[i].name,
					sizeof(names) - strlen(names) - 1);
			}
			ub_opt_fail("--variants: '%s' matches none of the module's "
				    "variants (%s)", pat, names);
			return -1;
		}
	}
	return 0;
}

static int count_applicable(const struct ub_info *in, uint64_t mask, unsigned g)
{
	int n = 0;

	for (unsigned i = 0; i < in->nr_variants; i++)
		if ((mask & (1ULL << i)) &&
		    (in->variants[i].granule == UB_GRANULE_ANY ||
		     in->variants[i].granule == g))
			n++;
	return n;
}

static int guess_nvar(const struct micro_opts *o)
{
	int n = 0;

	if (!o->variants.n)
		return 10;
	for (size_t p = 0; p < o->variants.n; p++)
		n += !strcmp(o->variants.v[p], "all") ? 10 :
			strpbrk(o->variants.v[p], "*?[") ? 4 : 1;
	return n;
}

/* Rough seconds for one run; see results/README.md "estimates". */
static double estimate(const struct micro_run *r, const struct ub_info *in,
		       const struct ub_env *env, uint64_t max_wall_ms)
{
	unsigned b = r->backend == UB_BACKEND_AUTO ?
		(in ? in->auto_backend : UB_BACKEND_MODEL) : r->backend;
	double ns = b == UB_BACKEND_NULL ? 30 : b == UB_BACKEND_TDX ? 4000 : 1500;
	double ops, s, setup, cap;

	if (r->granule == UB_GRANULE_2M)
		ns *= 512;
	if (r->cache == UB_CACHE_COLD)
		ns *= 1.3;
	if (r->timer == UB_TIMER_KTIME)
		ns += 50;
	ops = (double)r->units * r->rounds * (r->nvar ? r->nvar : 1);
	setup = 0.05 + (double)r->units * (double)r->unit_bytes / SZ_4K * 0.5e-6;
	if (env && !strcmp(env->emulation, "qemu-tcg")) {
		ns *= 20;
		setup *= 20;
	}
	s = ops * ns / 1e9;
	cap = (max_wall_ms ? (double)max_wall_ms : 60000.0) / 1000.0;
	return (s < cap ? s : cap) + setup;
}

static int same_run(const struct micro_run *a, const struct micro_run *b)
{
	return a->repeat == b->repeat && a->granule == b->granule &&
	       a->backend == b->backend && a->reset == b->reset &&
	       a->cache == b->cache && a->timer == b->timer &&
	       a->irq_off == b->irq_off && a->node == b->node &&
	       a->threads == b->threads && a->units == b->units &&
	       a->batch == b->batch && a->rounds == b->rounds &&
	       a->seed == b->seed &&
	       !memcmp(a->cpus, b->cpus, sizeof(int) * (size_t)a->threads);
}

/* CPU choices for one (node, threads): fills sets[k][], places[k]. */
static int cpu_choices(const struct micro_opts *o, const struct ub_topo *t,
		       int node, int threads, int sets[][UB_MAX_THREADS],
		       int *places, int max)
{
	int n = 0;

	if (strcmp(o->cpus, "auto")) {
		char *copy = ub_xstrdup(o->cpus), *tok, *save;

		for (tok = strtok_r(copy, "/", &save); tok && n < max;
		     tok = strtok_r(NULL, "/", &save)) {
			int *v, nv = ub_cpulist_parse(tok, &v);

			if (nv < threads) {
				ub_opt_fail("--cpus: set '%s' has %d CPU%s, fewer than "
					    "--threads %d", tok, nv, nv == 1 ? "" : "s",
					    threads);
				free(v);
				free(copy);
				return -1;
			}
			for (int i = 0; i < threads; i++) {
				if (topo_cpu_node(t, v[i]) < 0) {
					ub_opt_fail("--cpus: CPU %d in '%s' is not "
						    "online/allowed here", v[i], tok);
					free(v);
					free(copy);
					return -1;
				}
				sets[n][i] = v[i];
			}
			places[n] = (int)topo_placement(t, node, sets[n], threads);
			n++;
			free(v);
		}
		free(copy);
		return n;
	}
	{
		struct ub_u64_list pl = o->placement;
		uint64_t deflt[2] = { UB_PLACE_LOCAL, UB_PLACE_REMOTE };

		if (!pl.n) {
			pl.v = deflt;
			pl.n = nodes_with_cpus(t) > 1 ? 2 : 1;
		}
		for (size_t k = 0; k < pl.n && n < max; k++) {
			int got = topo_pick_cpus(t, node, (enum ub_placement)pl.v[k],
						 threads, sets[n]);

			if (got < 0) {
				ub_opt_fail("--threads: %d threads but only %d CPUs "
					    "available here", threads, t->nr_cpus);
				return -1;
			}
			if (pl.v[k] == UB_PLACE_REMOTE && got == UB_PLACE_LOCAL) {
				ub_warn("placement remote: no CPU outside node %d "
					"here; skipped", node);
				continue;
			}
			places[n++] = got;
		}
	}
	return n;
}

int micro_plan(const struct micro_opts *oin, const struct ub_topo *t,
	       const struct ub_info *info, const struct ub_env *env,
	       const char *source, struct micro_plan *p)
{
	struct micro_opts o = *oin;	/* shallow: lists defaulted below */
	struct ub_u64_list nodes = { 0 }, gran = { 0 }, sizes = { 0 };
	uint64_t mask = 0;
	int cap = 0, rc = -1;

	memset(p, 0, sizeof(*p));
	p->o = oin;
	p->label = oin->label;
	/* Copies of defaulted lists (the caller's stay untouched). */
#define DUP(field, dflt) struct ub_u64_list field = { 0 };				\
	for (size_t _i = 0; _i < oin->field.n; _i++)				\
		ub_u64_list_push(&field, oin->field.v[_i]);			\
	def(&field, dflt); o.field = field;
	DUP(threads, 1) DUP(backend, UB_BACKEND_AUTO) DUP(reset, UB_RESET_KERNEL)
	DUP(cache, UB_CACHE_HOT) DUP(batch, 32) DUP(rounds, 20) DUP(seed, 1)
	DUP(timer, UB_TIMER_TSC) DUP(irq_off, 0)
#undef DUP
	for (size_t i = 0; i < oin->granule.n; i++)
		ub_u64_list_push(&gran, oin->granule.v[i]);
	def(&gran, UB_GRANULE_4K);
	if (o.node_all) {
		for (int i = 0; i < t->nr_nodes; i++)
			if (t->node_mem[i] > 0)
				ub_u64_list_push(&nodes, (uint64_t)t->node_id[i]);
	} else {
		for (size_t i = 0; i < oin->node.n; i++) {
			if (!topo_has_node(t, (int)oin->node.v[i])) {
				ub_opt_fail("--node: node %" PRIu64 " does not exist here "
					    "(%d node%s)", oin->node.v[i], t->nr_nodes,
					    t->nr_nodes == 1 ? "" : "s");
				goto out;
			}
			ub_u64_list_push(&nodes, oin->node.v[i]);
		}
	}
	def(&nodes, (uint64_t)first_mem_node(t));
	if (o.use_size)
		for (size_t i = 0; i < oin->sizes.n; i++)
			ub_u64_list_push(&sizes, oin->sizes.v[i]);
	else
		for (size_t i = 0; i < oin->pages.n; i++)
			ub_u64_list_push(&sizes, oin->pages.v[i]);
	if (!sizes.n) {
		o.use_size = 1;
		ub_u64_list_push(&sizes, 16ULL << 20);
	}
	if (info && resolve_variants(&o, info, &mask))
		goto out;

	for (int rep = 1; rep <= o.repeat; rep++)
	for (size_t gi = 0; gi < gran.n; gi++)
	for (size_t ni = 0; ni < nodes.n; ni++)
	for (size_t ti = 0; ti < o.threads.n; ti++) {
		unsigned g = (unsigned)gran.v[gi];
		int node = (int)nodes.v[ni], nthr, nsets;
		int sets[16][UB_MAX_THREADS], places[16];
		uint64_t ub = g == UB_GRANULE_2M ? SZ_2M : SZ_4K;
		int nvar = info ? count_applicable(info, mask, g) : guess_nvar(&o);

		if (info && !nvar) {
			if (rep == 1 && ti == 0 && ni == 0)
				ub_warn("%s: no selected variant applies at granule %s; "
					"those runs are skipped", source, ub_granule_names[g]);
			continue;
		}
		nthr = topo_node_cpus(t, node);
		if (!nthr)
			nthr = t->nr_cpus;
		if (o.threads.v[ti] == UB_THREADS_HALF)
			nthr = nthr / 2 ? nthr / 2 : 1;
		else if (o.threads.v[ti] != UB_THREADS_ALL)
			nthr = (int)o.threads.v[ti];
		if (nthr > UB_MAX_THREADS)
			nthr = UB_MAX_THREADS;
		if (o.scale && nthr > t->nr_cpus) {
			if (rep == 1 && gi == 0 && ni == 0)
				ub_info("%s: threads=%d scaled down to the %d CPUs here",
					source, nthr, t->nr_cpus);
			nthr = t->nr_cpus;
		}
		nsets = cpu_choices(&o, t, node, nthr, sets, places, 16);
		if (nsets < 0)
			goto out;
		for (int si = 0; si < nsets; si++)
		for (size_t zi = 0; zi < sizes.n; zi++)
		for (size_t bi = 0; bi < o.backend.n; bi++)
		for (size_t ri = 0; ri < o.reset.n; ri++)
		for (size_t ci = 0; ci < o.cache.n; ci++)
		for (size_t ki = 0; ki < o.batch.n; ki++)
		for (size_t oi = 0; oi < o.rounds.n; oi++)
		for (size_t ei = 0; ei < o.seed.n; ei++)
		for (size_t mi = 0; mi < o.timer.n; mi++)
		for (size_t ii = 0; ii < o.irq_off.n; ii++) {
			struct micro_run r;
			int dup = 0;

			memset(&r, 0, sizeof(r));
			r.repeat = rep;
			r.granule = g;
			r.node = node;
			r.threads = nthr;
			memcpy(r.cpus, sets[si], sizeof(int) * (size_t)nthr);
			r.placement = places[si];
			r.unit_bytes = ub;
			r.units = o.use_size ? sizes.v[zi] / ub : sizes.v[zi];
			if (!r.units) {
				ub_opt_fail("--size: %" PRIu64 " bytes is less than one "
					    "%s unit", sizes.v[zi], ub_granule_names[g]);
				goto out;
			}
			if (o.scale) {
				int64_t fr = topo_node_free(t, node);

				if (fr > 0) {
					uint64_t lim = (uint64_t)fr / 8 / (uint64_t)nthr;

					while (r.units > 1 && r.units * ub > lim) {
						r.units /= 2;
						r.scaled = 1;
					}
				}
			}
			r.backend = (unsigned)o.backend.v[bi];
			r.reset = (unsigned)o.reset.v[ri];
			r.cache = (unsigned)o.cache.v[ci];
			r.batch = (uint32_t)o.batch.v[ki];
			r.rounds = (uint32_t)o.rounds.v[oi];
			r.seed = o.seed.v[ei];
			r.timer = (unsigned)o.timer.v[mi];
			r.irq_off = (unsigned)o.irq_off.v[ii];
			r.variant_mask = mask;
			r.nvar = nvar;
			ub_strlcpy(r.source, source, sizeof(r.source));
			for (int k = 0; k < p->n && !dup; k++)
				dup = same_run(&p->runs[k], &r);
			if (dup)
				continue;
			r.est_s = estimate(&r, info, env, o.max_wall_ms);
			if (p->n == cap) {
				cap = cap ? cap * 2 : 16;
				p->runs = ub_xrealloc(p->runs, sizeof(*p->runs) * (size_t)cap);
			}
			p->runs[p->n++] = r;
			p->est_s += r.est_s;
			if (p->n > 100000) {
				ub_opt_fail("the sweep has more than 100000 runs; "
					    "narrow the lists");
				goto out;
			}
		}
	}
	rc = 0;
out:
	ub_u64_list_free(&nodes);
	ub_u64_list_free(&gran);
	ub_u64_list_free(&sizes);
	ub_u64_list_free(&o.threads);
	ub_u64_list_free(&o.backend);
	ub_u64_list_free(&o.reset);
	ub_u64_list_free(&o.cache);
	ub_u64_list_free(&o.batch);
	ub_u64_list_free(&o.rounds);
	ub_u64_list_free(&o.seed);
	ub_u64_list_free(&o.timer);
	ub_u64_list_free(&o.irq_off);
	if (rc)
		micro_plan_free(p);
	return rc;
}

void micro_plan_free(struct micro_plan *p)
{
	free(p->runs);
	p->runs = NULL;
	p->n = 0;
}

static void cpus_str(const int *c, int n, char sep, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%d", i ? (char[]){ sep, 0 } : "",
				 c[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void micro_plan_print(const struct micro_plan *p, const struct ub_info *info,
		      int first_id)
{
	for (int i = 0; i < p->n; i++) {
		const struct micro_run *r = &p->runs[i];
		char cpus[512], sz[32], est[32];

		cpus_str(r->cpus, r->threads, ',', cpus, sizeof(cpus));
		ub_fmt_bytes(sz, sizeof(sz), (double)(r->units * r->unit_bytes));
		ub_fmt_duration(est, sizeof(est), r->est_s);
		printf("run %d: [%s] repeat=%d granule=%s units=%" PRIu64 " (%s/thread%s) "
		       "node=%d threads=%d cpus=%s placement=%s backend=%s reset=%s "
		       "cache=%s batch=%u rounds=%u seed=%" PRIu64 " timer=%s irq_off=%u "
		       "variants=%d%s  ~%s\n",
		       first_id + i, r->source, r->repeat, ub_granule_names[r->granule],
		       r->units, sz, r->scaled ? ", scaled" : "", r->node, r->threads,
		       cpus, ub_placement_names[r->placement],
		       ub_backend_names[r->backend], ub_reset_names[r->reset],
		       ub_cache_names[r->cache], r->batch, r->rounds, r->seed,
		       ub_timer_names[r->timer], r->irq_off, r->nvar,
		       info ? "" : " (guess: module not loaded)", est);
	}
}

/* ---- session: execute runs and write the tables ---- */

int micro_session_open(struct micro_session *s, struct ub_rundir *rd,
		       const struct ub_env *env, struct ubdev *dev,
		       struct ub_topo *topo, int total_runs)
{
	memset(s, 0, sizeof(*s));
	s->rd = rd;
	s->env = env;
	s->dev = dev;
	s->topo = topo;
	s->next_id = 1;
	s->total = total_runs;
#define OPEN(f, file, cols) \
	if (!(s->f = ub_csv_open(rundir_file(rd, file), cols, 0))) return -1;
	OPEN(runs, "runs.csv", UB_RUNS_CSV_COLS)
	OPEN(params, "params.csv", UB_PARAMS_CSV_COLS)
	OPEN(micro, "micro.csv", UB_MICRO_CSV_COLS)
	OPEN(samples, "samples.csv", UB_SAMPLES_CSV_COLS)
	OPEN(hist, "hist.csv", UB_HIST_CSV_COLS)
	OPEN(counters, "counters.csv", UB_COUNTERS_CSV_COLS)
#undef OPEN
	progress_init(&s->prog, "run", UB_PROGRESS_COUNT, total_runs, 0);
	return 0;
}

int micro_session_close(struct micro_session *s)
{
	int rc = 0;

	progress_done(&s->prog);
	rc |= ub_csv_close(s->runs);
	rc |= ub_csv_close(s->params);
	rc |= ub_csv_close(s->micro);
	rc |= ub_csv_close(s->samples);
	rc |= ub_csv_close(s->hist);
	rc |= ub_csv_close(s->counters);
	s->runs = s->params = s->micro = s->samples = s->hist = s->counters = NULL;
	return rc ? -1 : 0;
}

void micro_session_meta(struct ub_json *j, void *arg)
{
	struct micro_session *s = arg;

	ub_json_obj_begin(j, "measurement");
	ub_json_int(j, "runs_planned", s->total);
	ub_json_int(j, "runs_done", s->done);
	ub_json_int(j, "runs_capped", s->runs_capped);
	ub_json_arr_begin(j, "backends_used");
	for (int b = 1; b < UB_BACKEND_NR; b++)
		if (s->backends_used & (1U << b))
			ub_json_str(j, NULL, ub_backend_names[b]);
	ub_json_arr_end(j);
	ub_json_str(j, "backend_reason", s->backend_reason[0] ? s->backend_reason : NULL);
	ub_json_bool(j, "from_emulation", s->env && strcmp(s->env->emulation, "none"));
	ub_json_bool(j, "simulated_module", s->dev && s->dev->simulated);
	ub_json_obj_end(j);
}

static double sumsq_ld(const struct ub_result *r)
{
	return (double)((long double)r->sumsq_hi * 18446744073709551616.0L +
			(long double)r->sumsq_lo);
}

static int write_run(struct micro_session *s, int id, const struct micro_run *mr,
		     const struct micro_plan *p, const struct ub_run *r,
		     const struct ub_result *res, const uint64_t *smp,
		     const uint32_t *hist, const struct ub_perf *perf)
{
	const struct ub_info *in = &s->dev->mi.info;
	const char *unit = mr->timer == UB_TIMER_KTIME ? "ns" : "cycles";
	unsigned ns = r->nr_selected, nt = (unsigned)mr->threads;
	char buf[1024], nodes[512];
	int cn[UB_MAX_THREADS];
	struct ub_csv *c;

	for (int i = 0; i < mr->threads; i++)
		cn[i] = topo_cpu_node(s->topo, mr->cpus[i]);

	c = s->runs;
	ub_csv_int(c, id);
	ub_csv_int(c, mr->repeat);
	ub_csv_str(c, p->label);
	ub_csv_str(c, ub_backend_names[mr->backend]);
	ub_csv_str(c, r->backend_used < UB_BACKEND_NR ? ub_backend_names[r->backend_used] : "?");
	ub_csv_str(c, r->backend_reason);
	ub_csv_str(c, ub_granule_names[mr->granule]);
	ub_csv_int(c, mr->node);
	cpus_str(mr->cpus, mr->threads, ';', buf, sizeof(buf));
	ub_csv_str(c, buf);
	cpus_str(cn, mr->threads, ';', nodes, sizeof(nodes));
	ub_csv_str(c, nodes);
	ub_csv_str(c, ub_placement_names[mr->placement]);
	ub_csv_int(c, mr->threads);
	ub_csv_str(c, ub_reset_names[mr->reset]);
	ub_csv_str(c, ub_cache_names[mr->cache]);
	ub_csv_uint(c, mr->batch);
	ub_csv_uint(c, r->batch_used);
	ub_csv_uint(c, mr->rounds);
	ub_csv_uint(c, r->rounds_done);
	ub_csv_uint(c, mr->seed);
	ub_csv_str(c, ub_timer_names[mr->timer]);
	ub_csv_uint(c, mr->irq_off);
	ub_csv_str(c, ub_insns_str(r->insns_used, buf, sizeof(buf)));
	ub_csv_uint(c, r->timer_overhead);
	ub_csv_uint(c, r->tsc_khz);
	ub_csv_uint(c, r->elapsed_ns);
	ub_csv_str(c, ub_status_str(r->status, buf, sizeof(buf)));
	ub_csv_str(c, s->env ? s->env->emulation : "unknown");
	ub_csv_end_row(c);

	c = s->params;
	ub_csv_int(c, id);
	ub_csv_uint(c, mr->units);
	ub_csv_uint(c, mr->unit_bytes);
	ub_csv_uint(c, mr->units * mr->unit_bytes);
	{
		size_t off = 0;

		buf[0] = 0;
		for (unsigned k = 0; k < ns && k < nt * ns; k++) {
			const char *nm = res[k].variant < in->nr_variants ?
				in->variants[res[k].variant].name : "?";
			int w = snprintf(buf + off, sizeof(buf) - off, "%s%s",
					 k ? ";" : "", nm);
			if (w < 0 || (size_t)w >= sizeof(buf) - off)
				break;
			off += (size_t)w;
		}
	}
	ub_csv_str(c, buf);
	ub_csv_uint(c, p->o->max_wall_ms);
	ub_csv_uint(c, p->o->max_irqoff_ns);
	ub_csv_str(c, mr->source);
	ub_csv_end_row(c);

	for (unsigned k = 0; k < nt * ns; k++) {
		const struct ub_result *o = &res[k];
		const struct ub_variant_desc *v = o->variant < in->nr_variants ?
			&in->variants[o->variant] : NULL;
		double n = (double)o->batches, mean = n ? (double)o->sum / n : NAN;
		double var = n > 1 ? (sumsq_ld(o) - (double)o->sum * mean) / (n - 1) : NAN;

		c = s->micro;
		ub_csv_int(c, id);
		ub_csv_str(c, v ? v->name : "?");
		ub_csv_str(c, v && v->shape < 3 ? ub_shape_names[v->shape] : "?");
		ub_csv_str(c, v && v->path < UB_PATH_NR ? ub_path_names[v->path] : "?");
		ub_csv_str(c, ub_granule_names[mr->granule]);
		ub_csv_uint(c, v ? v->param : 0);
		ub_csv_uint(c, o->thread);
		ub_csv_uint(c, o->cpu);
		ub_csv_int(c, o->node);
		ub_csv_uint(c, o->ops);
		ub_csv_uint(c, o->batches);
		ub_csv_double(c, mean, 3);
		ub_csv_double(c, var >= 0 ? sqrt(var) : (n > 1 ? 0 : NAN), 3);
		ub_csv_uint(c, o->batches ? o->min : 0);
		ub_csv_uint(c, o->max);
		ub_csv_str(c, unit);
		ub_csv_fmt(c, "%" PRIu64, (uint64_t)o->pfn_checksum);
		ub_csv_uint(c, o->pages_touched);
		ub_csv_end_row(c);

		if (hist) {
			const uint32_t *h = hist + (size_t)k * UB_HIST_BUCKETS;

			for (uint32_t b = 0; b < UB_HIST_BUCKETS; b++) {
				if (!h[b])
					continue;
				c = s->hist;
				ub_csv_int(c, id);
				ub_csv_str(c, v ? v->name : "?");
				ub_csv_uint(c, o->thread);
				ub_csv_uint(c, ub_hist_lower(b));
				if (b + 1 < UB_HIST_BUCKETS)
					ub_csv_uint(c, ub_hist_lower(b + 1));
				else
					ub_csv_empty(c);
				ub_csv_uint(c, h[b]);
				ub_csv_str(c, unit);
				ub_csv_end_row(c);
			}
		}
	}
	if (smp) {
		for (unsigned t = 0; t < nt; t++)
			for (unsigned rd = 0; rd < r->rounds_done; rd++)
				for (unsigned k = 0; k < ns; k++) {
					const struct ub_result *o = &res[t * ns + k];
					const char *nm = o->variant < in->nr_variants ?
						in->variants[o->variant].name : "?";

					c = s->samples;
					ub_csv_int(c, id);
					ub_csv_uint(c, t);
					ub_csv_uint(c, rd);
					ub_csv_str(c, nm);
					ub_csv_uint(c, smp[((size_t)t * mr->rounds + rd) * ns + k]);
					ub_csv_uint(c, r->rounds_done ? o->ops / r->rounds_done : 0);
					ub_csv_str(c, unit);
					ub_csv_end_row(c);
				}
	}
	for (int i = 0; perf && i < perf->n; i++) {
		const struct ub_perf_ctr *pc = &perf->c[i];

		c = s->counters;
		ub_csv_int(c, id);
		ub_csv_int(c, pc->cpu);
		ub_csv_str(c, ub_perf_names[pc->which]);
		if (pc->valid) {
			ub_csv_uint(c, pc->value);
			ub_csv_str(c, pc->note);
		} else {
			ub_csv_str(c, "unavailable");
			ub_csv_str(c, pc->why);
		}
		ub_csv_end_row(c);
	}
	ub_csv_flush(s->runs);
	ub_csv_flush(s->micro);
	ub_csv_flush(s->samples);
	ub_csv_flush(s->hist);
	ub_csv_flush(s->counters);
	ub_csv_flush(s->params);
	return 0;
}

static int run_one(struct micro_session *s, const struct micro_plan *p,
		   const struct micro_run *mr)
{
	const struct micro_opts *o = p->o;
	struct ub_run r;
	uint32_t cpus[UB_MAX_THREADS];
	struct ub_result *res = NULL;
	uint64_t *smp = NULL;
	uint32_t *hist = NULL;
	struct ub_perf perf = { 0 };
	int nsel, id = s->next_id, tries = 0, rc = 1;
	int distinct[UB_MAX_THREADS], nd = 0;

	nsel = count_applicable(&s->dev->mi.info, mr->variant_mask, mr->granule);
	if (nsel < 1)
		nsel = 1;
	for (int i = 0; i < mr->threads; i++)
		cpus[i] = (uint32_t)mr->cpus[i];
	memset(&r, 0, sizeof(r));
	r.results_len = (uint64_t)mr->threads * nsel * sizeof(*res);
	r.samples_len = o->samples ? (uint64_t)mr->threads * mr->rounds * nsel * 8 : 0;
	r.hist_len = o->hist ? (uint64_t)mr->threads * nsel * UB_HIST_BUCKETS * 4 : 0;
retry:
	free(res);
	free(smp);
	free(hist);
	res = ub_xcalloc(1, r.results_len);
	smp = r.samples_len ? ub_xcalloc(1, r.samples_len) : NULL;
	hist = r.hist_len ? ub_xcalloc(1, r.hist_len) : NULL;
	{
		uint64_t rl = r.results_len, sl = r.samples_len, hl = r.hist_len;

		memset(&r, 0, sizeof(r));
		r.results_len = rl;
		r.samples_len = sl;
		r.hist_len = hl;
	}
	r.flags = mr->irq_off ? UB_RUN_IRQ_OFF : 0;
	r.backend = mr->backend;
	r.reset_mode = mr->reset;
	r.cache_state = mr->cache;
	r.granule = mr->granule;
	r.timer = mr->timer;
	r.node = mr->node;
	r.variant_mask = mr->variant_mask;
	r.nr_units = mr->units;
	r.batch = mr->batch;
	r.rounds = mr->rounds;
	r.seed = mr->seed;
	r.max_irqoff_ns = o->max_irqoff_ns;
	r.max_wall_ms = o->max_wall_ms;
	r.nr_threads = (uint32_t)mr->threads;
	r.cpus = (uint64_t)(uintptr_t)cpus;
	r.results = (uint64_t)(uintptr_t)res;
	r.samples = (uint64_t)(uintptr_t)smp;
	r.hist = (uint64_t)(uintptr_t)hist;

	if (o->counters && !perf.n) {
		for (int i = 0; i < mr->threads; i++) {
			int seen = 0;

			for (int k = 0; k < nd; k++)
				seen |= distinct[k] == mr->cpus[i];
			if (!seen)
				distinct[nd++] = mr->cpus[i];
		}
		perfctr_open(&perf, distinct, nd);
	}
	perfctr_start(&perf);
	if (ubdev_run(s->dev, &r)) {
		int e = errno;

		perfctr_stop(&perf);
		if (e == ENOSPC && tries++ < 2) {
			r.results_len = r.results_needed > r.results_len ? r.results_needed :
				r.results_len;
			if (o->samples)
				r.samples_len = r.samples_needed > r.samples_len ?
					r.samples_needed : r.samples_len;
			if (o->hist)
				r.hist_len = r.hist_needed > r.hist_len ? r.hist_needed :
					r.hist_len;
			goto retry;
		}
		if (e == EINTR || ub_signal_pending()) {
			rc = 130;
			goto out;
		}
		ub_err("run %d (%s) failed: %s%s%s", id, mr->source, strerror(e),
		       r.reason[0] ? ": " : "", r.reason);
		snprintf(s->backend_reason, sizeof(s->backend_reason), "%.100s", r.reason);
		rc = 1;
		goto out;
	}
	perfctr_stop(&perf);
	if ((uint64_t)r.nr_selected * mr->threads * sizeof(*res) > r.results_len) {
		ub_err("run %d: module reports %u variants, more than the buffer holds",
		       id, r.nr_selected);
		goto out;
	}
	s->next_id++;
	write_run(s, id, mr, p, &r, res, smp, hist, o->counters ? &perf : NULL);
	if (r.backend_used < UB_BACKEND_NR)
		s->backends_used |= 1U << r.backend_used;
	ub_strlcpy(s->backend_reason, r.backend_reason, sizeof(s->backend_reason));
	if (r.status & UB_STATUS_WALL_CAP)
		s->runs_capped++;
	if (!r.status)
		s->runs_ok++;
	ub_logfile("run %d [%s]: backend %s (%s), %u/%u rounds, %u variants, "
		   "%.3f s, status %s", id, mr->source,
		   r.backend_used < UB_BACKEND_NR ? ub_backend_names[r.backend_used] : "?",
		   r.backend_reason, r.rounds_done, mr->rounds, r.nr_selected,
		   (double)r.elapsed_ns / 1e9,
		   ub_status_str(r.status, (char[64]){ 0 }, 64));
	rc = (r.status & UB_STATUS_SIGNAL) || ub_signal_pending() ? 130 : 0;
out:
	perfctr_close(&perf);
	free(res);
	free(smp);
	free(hist);
	return rc;
}

int micro_session_run(struct micro_session *s, const struct micro_plan *p)
{
	for (int i = 0; i < p->n; i++) {
		const struct micro_run *mr = &p->runs[i];
		char note[128];
		int rc;

		if (ub_signal_pending())
			return 130;
		snprintf(note, sizeof(note), "%s granule=%s threads=%d %s",
			 mr->source, ub_granule_names[mr->granule], mr->threads,
			 ub_placement_names[mr->placement]);
		progress_update(&s->prog, s->done, note);
		rc = run_one(s, p, mr);
		if (rc)
			return rc;
		s->done++;
		progress_update(&s->prog, s->done, note);
	}
	return 0;
}

/* ---- the command ---- */

static void meta_extra(struct ub_json *j, void *arg)
{
	micro_session_meta(j, arg);
}

int cmd_micro(int argc, char **argv)
{
	struct micro_opts o;
	struct ub_topo topo;
	struct ub_env env;
	struct ubdev dev;
	struct micro_plan plan;
	struct ub_rundir rd;
	struct micro_session s;
	int wfail;
	struct ub_meta m;
	char out[PATH_MAX], est[32];
	int rc, have_dev;

	micro_opts_init(&o);
	if (micro_parse(argc, argv, &o, 1))
		return 2;
	topo_load(&topo);
	env_capture(&env, NULL);
	have_dev = ubdev_open(&dev, o.dry_run) == 0;
	if (!have_dev && !o.dry_run) {
		env_free(&env);
		return 1;
	}
	if (micro_plan(&o, &topo, have_dev ? &dev.mi.info : NULL, &env, "cli", &plan)) {
		ubdev_close(&dev);
		env_free(&env);
		return 2;
	}
	ub_fmt_duration(est, sizeof(est), plan.est_s);
	if (o.dry_run) {
		micro_plan_print(&plan, have_dev ? &dev.mi.info : NULL, 1);
		printf("%d run%s, estimated %s (rough; %s)\n", plan.n, plan.n == 1 ? "" : "s",
		       est, have_dev ? "module answered INFO" :
		       "module not loaded: variant counts guessed");
		if (!have_dev)
			printf("note: %s\n", dev.mi.why);
		micro_plan_free(&plan);
		ubdev_close(&dev);
		env_free(&env);
		return 0;
	}
	if (!plan.n) {
		ub_err("nothing to run");
		return 2;
	}
	ub_signals_install();
	if (o.out)
		ub_strlcpy(out, o.out, sizeof(out));
	else if (rundir_default_path(out, sizeof(out), NULL, &env)) {
		ub_err("output path too long");
		return 1;
	}
	if (rundir_create(&rd, out))
		return 1;
	ub_logfile("unmapbench %s micro: %d runs, estimated %s", UB_VERSION, plan.n, est);
	ub_info("micro: %d runs, estimated %s; writing %s", plan.n, est, rundir_path(&rd));
	meta_begin(&m, argc + 1, argv - 1, &env, &dev.mi, meta_extra, &s);
	if (micro_session_open(&s, &rd, &env, &dev, &topo, plan.n)) {
		rundir_fail(&rd, "failed: cannot create the result files");
		return 1;
	}
	meta_write(&rd, &m);
	rc = micro_session_run(&s, &plan);
	wfail = micro_session_close(&s) && !rc;
	if (wfail)
		rc = 1;
	rc = meta_finish(&rd, &m, rc, s.done, plan.n, NULL,
			 wfail ? MICRO_WRITE_FAILED : s.backend_reason);
	micro_plan_free(&plan);
	ubdev_close(&dev);
	env_free(&env);
	micro_opts_free(&o);
	return rc;
}
