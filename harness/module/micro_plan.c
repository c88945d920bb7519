// SPDX-License-Identifier: GPL-2.0
/*
 * micro_plan.c: a micro line's lists to concrete runs. The sweep is one
 * walk over a table of dimensions (record/sweep.h), in the order the
 * runs are made: repeat, granule, node, threads, CPU set, size, backend,
 * reset, cache, batch, rounds, seed, timer, irq_off (the last varies
 * fastest); timers in ABBA order over repeats. Runs that come out equal
 * after scaling are made once.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module/micro.h"
#include "record/cpulist.h"
#include "record/env.h"
#include "record/log.h"
#include "record/schema.h"
#include "record/sweep.h"
#include "record/util.h"

#define MAX_SETS	16		/* CPU sets per (node, threads) */
#define MAX_RUNS	100000

enum { L_REPEAT, L_GRAN, L_NODE, L_THREADS, L_SIZE, L_BACKEND, L_RESET,
       L_CACHE, L_BATCH, L_ROUNDS, L_SEED, L_TIMER, L_IRQ, NR_LISTS };

struct planner {
	const struct micro_opts *o;
	const struct ub_topo *t;
	const struct ub_info *info;
	const struct ub_env *env;
	struct micro_plan *p;
	struct ub_u64_list l[NR_LISTS];	/* the option lists, defaults applied */
	int	use_size;
	uint64_t mask;			/* selected variants (with INFO) */
	struct micro_run r;		/* the combination being built */
	int	sets[MAX_SETS][UB_MAX_THREADS], places[MAX_SETS], nsets;
	unsigned warned_gran, warned_threads;
	int	cap;
};

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

/* The node list: every node with memory for "all", each given one checked. */
static int node_list(struct planner *pl)
{
	const struct ub_topo *t = pl->t;
	const struct ub_u64_list *in = &pl->o->node;

	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i] == UB_NODE_ALL) {
			for (int k = 0; k < t->nr_nodes; k++)
				if (t->node_mem[k] > 0)
					ub_u64_list_push(&pl->l[L_NODE],
							 (uint64_t)t->node_id[k]);
			continue;
		}
		if (!topo_has_node(t, (int)in->v[i]))
			return ub_opt_fail("--node: node %" PRIu64 " does not exist "
					   "here (%d node%s)", in->v[i], t->nr_nodes,
					   t->nr_nodes == 1 ? "" : "s");
		ub_u64_list_push(&pl->l[L_NODE], in->v[i]);
	}
	if (!pl->l[L_NODE].n)
		ub_u64_list_push(&pl->l[L_NODE], (uint64_t)first_mem_node(t));
	return 0;
}

/* Variant mask from the --variants patterns; -1 on an unmatched one. */
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
		char names[1024] = "";
		int hit = 0;

		for (unsigned i = 0; i < in->nr_variants; i++)
			if (!strcmp(pat, "all") || !fnmatch(pat, in->variants[i].name, 0)) {
				*mask |= 1ULL << i;
				hit = 1;
			}
		if (hit)
			continue;
		for (unsigned i = 0; i < in->nr_variants; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", i ? ", " : "", in->variants[i].name);
		return ub_opt_fail("--variants: '%s' matches none of the module's "
				   "variants (%s)", pat, names);
	}
	return 0;
}

/* Selected variants that run at granule G (as the module counts them). */
static int applicable(const struct ub_info *in, uint64_t mask, unsigned g)
{
	int n = 0;

	for (unsigned i = 0; i < in->nr_variants; i++)
		n += (mask >> i & 1) && ub_variant_applies(&in->variants[i], g);
	return n;
}

/* Without INFO: a guess at how many variants the patterns select. */
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

/* Rough seconds for one run; see results/README.md "Estimates". */
static double estimate(const struct micro_run *r, const struct ub_info *in,
		       const struct ub_env *env, const struct micro_opts *o)
{
	uint64_t max_wall_ms = o->max_wall_ms;
	unsigned b = r->backend == UB_BACKEND_AUTO ?
		(in ? in->auto_backend : UB_BACKEND_MODEL) : r->backend;
	double ns = b == UB_BACKEND_NULL ? 30 : b == UB_BACKEND_TDX ? 4000 : 1500;
	double ops, s, setup, cap;

	ns *= ub_granule_pages(r->granule);
	if (r->cache == UB_CACHE_COLD)
		ns *= 1.3;
	if (r->timer == UB_TIMER_KTIME)
		ns += 50;
	ops = (double)r->units * (r->rounds + o->warmup) * (r->nvar ? r->nvar : 1);
	setup = 0.05 + (double)r->units * (double)r->unit_bytes / UB_PAGE_BYTES *
		0.5e-6;
	if (env_emulated(env)) {
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

/* --cpus SETS: one choice per set, checked against this host. */
static int explicit_sets(struct planner *pl, int threads)
{
	char *copy = ub_xstrdup(pl->o->cpus), *tok, *save;
	int n = 0, rc = 0;

	for (tok = strtok_r(copy, "/", &save); tok && n < MAX_SETS && !rc;
	     tok = strtok_r(NULL, "/", &save)) {
		int *v, nv = ub_cpulist_parse(tok, &v);

		if (nv < threads)
			rc = ub_opt_fail("--cpus: set '%s' has %d CPU%s, fewer than "
					 "--threads %d", tok, nv, nv == 1 ? "" : "s",
					 threads);
		for (int i = 0; !rc && i < threads; i++) {
			if (topo_cpu_node(pl->t, v[i]) < 0)
				rc = ub_opt_fail("--cpus: CPU %d in '%s' is not "
						 "online/allowed here", v[i], tok);
			pl->sets[n][i] = v[i];
		}
		if (!rc)
			pl->places[n] = (int)topo_placement(pl->t, pl->r.node,
							    pl->sets[n], threads);
		n++;
		free(v);
	}
	free(copy);
	return rc ? -1 : n;
}

/* --cpus auto: one choice per wanted placement. */
static int placed_sets(struct planner *pl, int threads)
{
	struct ub_u64_list pl_list = pl->o->placement;
	uint64_t deflt[2] = { UB_PLACE_LOCAL, UB_PLACE_REMOTE };
	int n = 0, node = pl->r.node;

	if (!pl_list.n) {
		pl_list.v = deflt;
		pl_list.n = nodes_with_cpus(pl->t) > 1 ? 2 : 1;
	}
	for (size_t k = 0; k < pl_list.n && n < MAX_SETS; k++) {
		int got = topo_pick_cpus(pl->t, node, (enum ub_placement)pl_list.v[k],
					 threads, pl->sets[n]);

		if (got < 0)
			return ub_opt_fail("--threads: %d threads but only %d CPUs "
					   "available here", threads, pl->t->nr_cpus);
		if (pl_list.v[k] == UB_PLACE_REMOTE && got == UB_PLACE_LOCAL) {
			ub_warn("placement remote: no CPU outside node %d here; "
				"skipped", node);
			continue;
		}
		pl->places[n++] = got;
	}
	return n;
}

/* ---- the dimensions ---- */

static int set_granule(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	unsigned g = (unsigned)pl->l[l].v[i];

	pl->r.granule = g;
	pl->r.unit_bytes = (uint64_t)ub_granule_pages(g) * UB_PAGE_BYTES;
	pl->r.nvar = pl->info ? applicable(pl->info, pl->mask, g) :
		guess_nvar(pl->o);
	if (pl->info && !pl->r.nvar) {
		if (!(pl->warned_gran >> g & 1))
			ub_warn("%s: no selected variant applies at granule %s; "
				"those runs are skipped", pl->r.source,
				ub_name_or(UB_ENUM_granule, g));
		pl->warned_gran |= 1U << g;
		return 1;
	}
	return 0;
}

static int set_node(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;

	pl->r.node = (int)pl->l[l].v[i];
	return 0;
}

/* Threads for this node (half, all, a number; capped), then its CPU sets. */
static int set_threads(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	uint64_t want = pl->l[l].v[i];
	int n = topo_node_cpus(pl->t, pl->r.node);

	if (!n)
		n = pl->t->nr_cpus;
	if (want == UB_THREADS_HALF)
		n = n / 2 ? n / 2 : 1;
	else if (want != UB_THREADS_ALL)
		n = (int)want;
	if (n > UB_MAX_THREADS)
		n = UB_MAX_THREADS;
	if (pl->o->scale && n > pl->t->nr_cpus) {
		if (!(pl->warned_threads >> (i & 31) & 1))
			ub_info("%s: threads=%d scaled down to the %d CPUs here",
				pl->r.source, n, pl->t->nr_cpus);
		pl->warned_threads |= 1U << (i & 31);
		n = pl->t->nr_cpus;
	}
	pl->r.threads = n;
	pl->nsets = strcmp(pl->o->cpus, "auto") ? explicit_sets(pl, n) :
		placed_sets(pl, n);
	return pl->nsets < 0 ? -1 : 0;
}

static size_t count_sets(void *ctx)
{
	return (size_t)((struct planner *)ctx)->nsets;
}

static int set_cpus(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;

	(void)l;
	memcpy(pl->r.cpus, pl->sets[i], sizeof(int) * (size_t)pl->r.threads);
	pl->r.placement = (unsigned)pl->places[i];
	return 0;
}

/* Units per thread from --size or --pages, halved to fit with scale=auto. */
static int set_size(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	struct micro_run *r = &pl->r;
	uint64_t v = pl->l[l].v[i];
	int64_t fr = topo_node_free(pl->t, r->node);

	r->units = pl->use_size ? v / r->unit_bytes : v;
	r->scaled = 0;
	if (!r->units)
		return ub_opt_fail("--size: %" PRIu64 " bytes is less than one %s "
				   "unit", v, ub_name_or(UB_ENUM_granule, r->granule));
	if (pl->o->scale && fr > 0) {
		uint64_t lim = (uint64_t)fr / 8 / (uint64_t)r->threads;

		while (r->units > 1 && r->units * r->unit_bytes > lim) {
			r->units /= 2;
			r->scaled = 1;
		}
	}
	return 0;
}

/* The plain lists: the value goes into the run as it is. */
static int set_plain(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	uint64_t v = pl->l[l].v[i];

	switch (l) {
	case L_REPEAT:	pl->r.repeat = (int)v; break;
	case L_BACKEND:	pl->r.backend = (unsigned)v; break;
	case L_RESET:	pl->r.reset = (unsigned)v; break;
	case L_CACHE:	pl->r.cache = (unsigned)v; break;
	case L_BATCH:	pl->r.batch = (uint32_t)v; break;
	case L_ROUNDS:	pl->r.rounds = (uint32_t)v; break;
	case L_SEED:	pl->r.seed = v; break;
	case L_TIMER:
		/* ABBA over repeats: even repeats walk the timers backwards,
		 * so slow drift weighs on both alike. */
		if (!(pl->r.repeat & 1))
			v = pl->l[l].v[pl->l[l].n - 1 - i];
		pl->r.timer = (unsigned)v;
		break;
	case L_IRQ:	pl->r.irq_off = (unsigned)v; break;
	}
	return 0;
}

/* The dimensions in the order runs are made: the lists, and the CPU sets
 * of each (node, threads). */
static const struct ub_dim dims[] = {
	{ "repeat", L_REPEAT, NULL, set_plain },
	{ "granule", L_GRAN, NULL, set_granule },
	{ "node", L_NODE, NULL, set_node },
	{ "threads", L_THREADS, NULL, set_threads },
	{ "cpus", -1, count_sets, set_cpus },
	{ "size", L_SIZE, NULL, set_size },
	{ "backend", L_BACKEND, NULL, set_plain },
	{ "reset", L_RESET, NULL, set_plain },
	{ "cache", L_CACHE, NULL, set_plain },
	{ "batch", L_BATCH, NULL, set_plain },
	{ "rounds", L_ROUNDS, NULL, set_plain },
	{ "seed", L_SEED, NULL, set_plain },
	{ "timer", L_TIMER, NULL, set_plain },
	{ "irq_off", L_IRQ, NULL, set_plain },
};

/*
 * Whole blocks of the counterbalanced order (n variants; 2n when n is
 * odd, kmod/ub_order.c): only then does every variant hold every position
 * equally often. --balance off keeps --rounds as given.
 */
static void balance(struct planner *pl)
{
	uint32_t n = pl->r.nvar > 0 ? (uint32_t)pl->r.nvar : 1;
	uint32_t block = n & 1 ? 2 * n : n;

	pl->r.rounds_asked = pl->r.rounds;
	if (pl->o->balance && pl->r.rounds % block)
		pl->r.rounds += block - pl->r.rounds % block;
}

/* One combination: a run, unless an equal one is planned already. */
static int emit(void *ctx)
{
	struct planner *pl = ctx;
	struct micro_plan *p = pl->p;

	for (int k = 0; k < p->n; k++)
		if (same_run(&p->runs[k], &pl->r))
			return 0;
	if (p->n == MAX_RUNS)
		return ub_opt_fail("the sweep has more than %d runs; narrow the "
				   "lists", MAX_RUNS);
	pl->r.variant_mask = pl->mask;
	balance(pl);
	pl->r.est_s = estimate(&pl->r, pl->info, pl->env, pl->o);
	/* scale=auto: also halve the units until a run fits its time budget */
	while (pl->o->scale && pl->o->run_budget_ms && pl->r.units > 1 &&
	       pl->r.est_s * 1000 > (double)pl->o->run_budget_ms) {
		pl->r.units /= 2;
		pl->r.scaled = 1;
		pl->r.est_s = estimate(&pl->r, pl->info, pl->env, pl->o);
	}
	if (p->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		p->runs = ub_xrealloc(p->runs, sizeof(*p->runs) * (size_t)pl->cap);
	}
	p->runs[p->n++] = pl->r;
	p->est_s += pl->r.est_s;
	return 0;
}

/* The option lists with their defaults; 0, or -1 after a message. */
static int lists(struct planner *pl)
{
	const struct micro_opts *o = pl->o;

	for (uint64_t r = 1; r <= o->common.repeat; r++)
		ub_u64_list_push(&pl->l[L_REPEAT], r);
	ub_u64_list_copy(&pl->l[L_GRAN], &o->granule, UB_GRANULE_4K);
	ub_u64_list_copy(&pl->l[L_THREADS], &o->threads, 1);
	ub_u64_list_copy(&pl->l[L_BACKEND], &o->backend, UB_BACKEND_AUTO);
	ub_u64_list_copy(&pl->l[L_RESET], &o->reset, UB_RESET_KERNEL);
	ub_u64_list_copy(&pl->l[L_CACHE], &o->cache, UB_CACHE_HOT);
	ub_u64_list_copy(&pl->l[L_BATCH], &o->batch, 32);
	ub_u64_list_copy(&pl->l[L_ROUNDS], &o->rounds, 20);
	ub_u64_list_copy(&pl->l[L_SEED], &o->seed, 1);
	ub_u64_list_copy(&pl->l[L_TIMER], &o->timer, UB_TIMER_TSC);
	/* IRQs off by default; userspace cannot turn them off. */
	if (o->where == UB_WHERE_NATIVE) {
		for (size_t i = 0; i < o->irq_off.n; i++)
			if (o->irq_off.v[i])
				return ub_opt_fail("--irq-off 1: userspace cannot turn "
						   "IRQs off (--where native)");
		ub_u64_list_copy(&pl->l[L_IRQ], &o->irq_off, 0);
	} else {
		ub_u64_list_copy(&pl->l[L_IRQ], &o->irq_off, 1);
	}
	pl->use_size = !o->pages.n;
	ub_u64_list_copy(&pl->l[L_SIZE], o->pages.n ? &o->pages : &o->sizes,
			 16ULL << 20);
	if (node_list(pl))
		return -1;
	return pl->info ? resolve_variants(o, pl->info, &pl->mask) : 0;
}

int micro_plan(const struct micro_opts *o, const struct ub_topo *t,
	       const struct ub_info *info, const struct ub_env *env,
	       const char *source, struct micro_plan *p)
{
	struct planner *pl = ub_xcalloc(1, sizeof(*pl));
	int rc;

	memset(p, 0, sizeof(*p));
	p->o = o;
	ub_strlcpy(p->source, source, sizeof(p->source));
	pl->o = o;
	pl->t = t;
	pl->info = info;
	pl->env = env;
	pl->p = p;
	pl->r.source = p->source;	/* the plan's own copy */
	rc = lists(pl) || ub_sweep(dims, UB_ARRAY_SIZE(dims), pl->l, pl, emit) ? 2 : 0;
	for (int i = 0; i < NR_LISTS; i++)
		ub_u64_list_free(&pl->l[i]);
	free(pl);
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

void micro_plan_print(const struct micro_plan *p, const struct ub_info *info,
		      int first_id)
{
	for (int i = 0; i < p->n; i++) {
		const struct micro_run *r = &p->runs[i];
		char cpus[512] = "", sz[32], est[32];

		for (int k = 0; k < r->threads; k++)
			snprintf(cpus + strlen(cpus), sizeof(cpus) - strlen(cpus),
				 "%s%d", k ? "," : "", r->cpus[k]);
		ub_fmt_bytes(sz, sizeof(sz), (double)(r->units * r->unit_bytes));
		ub_fmt_duration(est, sizeof(est), r->est_s);
		char rounds[48];

		if (r->rounds != r->rounds_asked)
			snprintf(rounds, sizeof(rounds), "%u (%u rounded up to whole "
				 "order blocks)", r->rounds, r->rounds_asked);
		else
			snprintf(rounds, sizeof(rounds), "%u", r->rounds);
		printf("run %d: [%s] repeat=%d granule=%s units=%" PRIu64 " (%s/thread%s) "
		       "node=%d threads=%d cpus=%s placement=%s backend=%s reset=%s "
		       "cache=%s batch=%u rounds=%s warmup=%" PRIu64 " seed=%" PRIu64
		       " timer=%s irq_off=%u variants=%d%s where=%s  ~%s\n",
		       first_id + i, r->source, r->repeat,
		       ub_name_or(UB_ENUM_granule, r->granule), r->units, sz,
		       r->scaled ? ", scaled" : "", r->node, r->threads, cpus,
		       ub_name_or(UB_ENUM_placement, r->placement),
		       ub_name_or(UB_ENUM_backend_req, r->backend),
		       ub_name_or(UB_ENUM_reset_mode, r->reset),
		       ub_name_or(UB_ENUM_cache, r->cache), r->batch, rounds,
		       p->o->warmup, r->seed, ub_name_or(UB_ENUM_timer, r->timer),
		       r->irq_off, r->nvar, info ? "" : " (guess: module not loaded)",
		       ub_name_or(UB_ENUM_where, (unsigned)p->o->where), est);
	}
}
