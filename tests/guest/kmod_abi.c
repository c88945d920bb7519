// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_abi: the module's uapi, tested through the uapi only. One source,
 * two targets that must give the same answers:
 *
 *   bin/kmod_abi-static   in the testbed guest, against unmap_bench.ko
 *                         (ioctl on /sys/kernel/debug/unmap_bench/ctl)
 *   bin/kmod_abi-native   on the host, against the module's own portable
 *                         code built for userspace (libubcore.a,
 *                         ub_user_ioctl(): the harness's native build and
 *                         test double)
 *
 * Every case of the shared table (size rules, flags, enums, counts,
 * variant selection, buffers, nodes, CPUs) asserts the same errno on both
 * targets, so the test double refuses what the module refuses. Then the
 * run matrix with every invariant checked on every result, the
 * counterbalanced order and the replica draws, warm-up, KTIME, IRQ-off
 * clamp, auto and tdx; and on the module only what needs a kernel
 * (unmapped pointers, read-only buffers, offline CPUs, signals across
 * processes, access as an unprivileged user).
 *
 * Prints TAP lines ("ok - ...", "not ok - ..."); exits 0 unless the
 * target cannot be reached at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unmap_bench.h"
#ifdef UB_ABI_NATIVE
#include "user/ub_user.h"
#endif

#ifndef UB_ABI_NATIVE
static int fd = -1;
#endif
static int nfail;
static struct ub_info info;

/* What the target offers; the cases depend on nothing else. */
static struct {
	const char	*name;
	unsigned int	backends;	/* backends the matrix runs */
	unsigned int	nodes;		/* nodes with memory the matrix uses */
	int		kernel;		/* unmapped pointers fault, CPUs go offline */
} tgt;

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		nfail++;
}

/* Why a check failed: the runner shows these lines. */
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The ioctl of the target: 0 or errno. */
static int do_ioctl(unsigned long cmd, void *arg)
{
#ifdef UB_ABI_NATIVE
	return ub_user_ioctl(cmd, arg) ? errno : 0;
#else
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
#endif
}

#define MAXT		2
#define MAXSEL		UB_MAX_VARIANTS
#define MAXROUNDS	64

static struct ub_result results[MAXT * MAXSEL];
static struct ub_result bigres[UB_MAX_THREADS * MAXSEL];
static struct ub_sample samples[MAXT * MAXROUNDS * MAXSEL];
static __u32 *hist;
static __u32 cpus[UB_MAX_THREADS + 1];

static __u64 all_mask(void)
{
	return info.nr_variants >= 64 ? ~0ULL : (1ULL << info.nr_variants) - 1;
}

/* A small valid run: null, 4K, node 0, one thread on CPU 0. */
static void run_init(struct ub_run *r)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->backend = UB_BACKEND_NULL;
	r->granule = UB_GRANULE_4K;
	r->variant_mask = all_mask();
	r->nr_units = 8;
	r->batch = 4;
	r->rounds = 2;
	r->seed = 1;
	r->nr_threads = 1;
	r->result_size = UB_RESULT_SIZE;
	r->sample_size = UB_SAMPLE_SIZE;
	cpus[0] = 0;
	cpus[1] = 1;
	r->cpus = (uintptr_t)cpus;
	r->results = (uintptr_t)results;
	r->results_len = sizeof(results);
}

static int run(struct ub_run *r)
{
	return do_ioctl(UB_IOC_RUN, r);
}

/* Expect a refusal with errno @want and a non-empty reason. */
static void expect(struct ub_run *r, int want, const char *what)
{
	int e = run(r);
	int ok = e == want && (want == 0 || r->reason[0]);

	tap(ok, "bad input: %s -> %s", what, strerror(want));
	if (!ok)
		diag("got errno %d (%s), reason '%s'", e, strerror(e), r->reason);
	else if (want)
		printf("# reason: %s\n", r->reason);
}

static const char *const path_names[] = { "convert", "wbinvd", "reset", "unmap" };
static const char *const shape_names[] = { "", "page", "pfn", "range" };

/* The table's structure, from the uapi's rules rather than a copy of it. */
static int check_table(void)
{
	unsigned int i, p, s, g, tw, bad = 0, seen[4][4][3][2] = { 0 };
	char want[UB_NAME_LEN];

	for (i = 0; i < info.nr_variants; i++) {
		const struct ub_variant_desc *d = &info.variants[i];

		if (d->path == UB_PATH_GROUND) {
			if (d->shape != UB_SHAPE_NONE || d->granule != UB_GRANULE_ANY ||
			    d->twin || strncmp(d->name, "ground.add", 10) ||
			    (unsigned int)atoi(d->name + 10) != d->param)
				diag("ground variant %u: %s", i, d->name), bad++;
			continue;
		}
		if (d->path >= 4 || d->shape < UB_SHAPE_PAGE ||
		    d->shape > UB_SHAPE_RANGE || d->granule < UB_GRANULE_4K ||
		    d->granule > UB_GRANULE_2M || d->twin > 1 || d->param) {
			diag("variant %u: %s path %u shape %u granule %u twin %u",
			     i, d->name, d->path, d->shape, d->granule, d->twin);
			bad++;
			continue;
		}
		snprintf(want, sizeof(want), "%s.%s.%s%s", path_names[d->path],
			 shape_names[d->shape],
			 d->granule == UB_GRANULE_2M ? "2m" : "4k",
			 d->twin ? ".aa" : "");
		if (strcmp(want, d->name))
			diag("variant %u: name %s, expected %s", i, d->name, want), bad++;
		seen[d->path][d->shape][d->granule][d->twin]++;
	}
	for (p = 0; p < 4; p++)
		for (g = UB_GRANULE_4K; g <= UB_GRANULE_2M; g++)
			for (s = UB_SHAPE_PAGE; s <= UB_SHAPE_RANGE; s++)
				for (tw = 0; tw < 2; tw++) {
					unsigned int w = s != UB_SHAPE_RANGE ? 1 :
						!tw && g == UB_GRANULE_2M &&
						(p == UB_PATH_RESET || p == UB_PATH_UNMAP);

					if (seen[p][s][g][tw] != w)
						diag("%s.%s granule %u twin %u: %u entries, expected %u",
						     path_names[p], shape_names[s], g, tw,
						     seen[p][s][g][tw], w), bad++;
				}
	return bad;
}

static void test_info(void)
{
	unsigned int i, k, ok = 1;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	tap(do_ioctl(UB_IOC_INFO, &info) == 0, "INFO succeeds");
	tap(info.abi_version == UB_ABI_VERSION, "INFO abi_version %u",
	    info.abi_version);
	tap(info.module_version[0] != 0, "INFO module_version '%s'",
	    info.module_version);
	tap(!check_table(), "INFO: every page/pfn variant of every path and granule once, "
	    "each with an A/A twin; range at 2M for reset and unmap; ground ops (%u entries)",
	    info.nr_variants);
	for (i = 0; i + 1 < info.nr_variants; i++)
		if (!strcmp(info.variants[i].name, "ground.add64"))
			tap(info.variants[i + 1].param - info.variants[i].param == 1,
			    "ground.add65 is one dependent add more than ground.add64");
	tap(info.nr_replicas == UB_NR_REPLICAS, "INFO nr_replicas %u",
	    info.nr_replicas);
	for (i = 0; i < info.nr_variants; i++)
		for (k = 0; k < info.nr_replicas; k++)
			if (info.variants[i].path != UB_PATH_GROUND &&
			    info.rep_offset[i][k] != 8 * k)
				ok = 0;
	tap(ok, "INFO: replica k of every variant enters 8k bytes into its 64-byte block");
	tap(info.build[0] != 0, "INFO build '%s'", info.build);
	tap(!(info.backends & (1U << UB_BACKEND_TDX)) && info.tdx_reason[0],
	    "INFO: tdx unavailable here, reason '%s'", info.tdx_reason);
	tap(info.auto_reason[0] != 0, "INFO: auto resolves to %u: '%s'",
	    info.auto_backend, info.auto_reason);
	tap(info.tsc_khz > 0, "INFO tsc_khz %llu", (unsigned long long)info.tsc_khz);
	tap(info.x86_phys_bits >= 32 && info.x86_phys_bits <= 52,
	    "INFO x86_phys_bits %u", info.x86_phys_bits);
	tap(info.max_threads == UB_MAX_THREADS &&
	    info.hist_buckets == UB_HIST_BUCKETS,
	    "INFO max_threads %u hist_buckets %u", info.max_threads,
	    info.hist_buckets);
	printf("# cpu_features 0x%x\n", info.cpu_features);
}

/* Instructions the model backend should report for a run. */
static __u32 model_insns(int wb, int rs)
{
	__u32 f = info.cpu_features, x = 0;

	if (wb)
		x |= (f & UB_FEAT_CLFLUSHOPT) ?
		     UB_INSN_CLFLUSHOPT | UB_INSN_SFENCE :
		     UB_INSN_CLFLUSH | UB_INSN_MFENCE;
	if (rs)
		x |= ((f & UB_FEAT_MOVDIR64B) ? UB_INSN_MOVDIR64B :
						UB_INSN_MOVNTI) | UB_INSN_MFENCE;
	return x;
}

#define BAD(...) do { diag(__VA_ARGS__); bad++; } while (0)

/* The paired samples: positions form the schedule, replicas are balanced. */
static int check_samples(const struct ub_run *r, unsigned int nsel)
{
	unsigned int t, k, s, bad = 0;

	for (t = 0; t < r->nr_threads; t++)
		for (k = 0; k < r->rounds_done; k++) {
			__u64 posmask = 0;

			for (s = 0; s < nsel; s++) {
				const struct ub_sample *x =
					&samples[((__u64)t * r->rounds + k) * nsel + s];

				if (x->replica >= r->replicas_used || x->position >= nsel)
					BAD("round %u: replica %u position %u", k,
					    x->replica, x->position);
				else
					posmask |= 1ULL << x->position;
				/* lockstep: every thread has the same schedule */
				if (t && (x->position != samples[(__u64)k * nsel + s].position ||
					  x->replica != samples[(__u64)k * nsel + s].replica))
					BAD("thread %u round %u: schedule differs from thread 0",
					    t, k);
			}
			if (posmask != (nsel >= 64 ? ~0ULL : (1ULL << nsel) - 1))
				BAD("round %u: positions 0x%llx are not a permutation", k,
				    (unsigned long long)posmask);
		}
	return bad;
}

/* Check every invariant of a finished run; 0 if all hold. */
static int check_run(const struct ub_run *r, int with_hist, int with_samples)
{
	unsigned int t, s, v, nsel = 0, bad = 0, sel[MAXSEL];
	__u64 unit_pages = ub_granule_pages(r->granule);
	__u64 bpr = (r->nr_units + r->batch_used - 1) / r->batch_used;
	int wb = 0, rs = 0;
	__u32 want;

	for (v = 0; v < info.nr_variants; v++)
		if (((r->variant_mask >> v) & 1) &&
		    ub_variant_applies(&info.variants[v], r->granule))
			sel[nsel++] = v;
	if (r->nr_selected != nsel)
		BAD("nr_selected %u, expected %u", r->nr_selected, nsel);
	if (r->rounds_done != r->rounds || r->warmup_done != r->warmup ||
	    (r->status & ~UB_STATUS_IRQOFF_CLAMP))
		BAD("rounds_done %u of %u, warmup %u of %u, status 0x%x",
		    r->rounds_done, r->rounds, r->warmup_done, r->warmup, r->status);
	if (r->batch_used > (r->batch < r->nr_units ? r->batch : r->nr_units) ||
	    !r->batch_used)
		BAD("batch_used %u", r->batch_used);
	if (!r->tsc_khz || !r->elapsed_ns || !r->backend_reason[0])
		BAD("tsc_khz/elapsed_ns/backend_reason missing");
	if (r->replicas_used != (r->replicas ? r->replicas : UB_NR_REPLICAS))
		BAD("replicas_used %u", r->replicas_used);
	if (!(r->prep_lines & UB_LINES_STRUCT_PAGE) || !(r->prep_lines & UB_LINES_UNITS))
		BAD("prep_lines 0x%x", r->prep_lines);
	if (r->results_needed != r->nr_threads * nsel * sizeof(struct ub_result))
		BAD("results_needed %llu", (unsigned long long)r->results_needed);
	for (t = 0; t < r->nr_threads; t++) {
		for (s = 0; s < nsel; s++) {
			const struct ub_result *x = &results[t * nsel + s];
			const struct ub_variant_desc *d = &info.variants[sel[s]];
			int ground = d->path == UB_PATH_GROUND;
			__u64 ops = (__u64)r->rounds * r->nr_units;

			if (x->variant != sel[s] || x->thread != t ||
			    x->cpu != cpus[t] || x->node != r->node)
				BAD("%s: variant %u thread %u cpu %u node %d",
				    d->name, x->variant, x->thread, x->cpu, x->node);
			if (x->ops != ops ||
			    x->batches != (r->timer == UB_TIMER_KTIME ? ops :
					   r->rounds * bpr))
				BAD("%s: ops %llu batches %llu", d->name,
				    (unsigned long long)x->ops,
				    (unsigned long long)x->batches);
			if (x->min > x->max || x->sum < x->min * x->batches ||
			    x->sum > x->max * x->batches)
				BAD("%s: min %llu max %llu sum %llu", d->name,
				    (unsigned long long)x->min,
				    (unsigned long long)x->max,
				    (unsigned long long)x->sum);
			if (x->pages_touched != (ground ? 0 : ops * unit_pages))
				BAD("%s: pages_touched %llu", d->name,
				    (unsigned long long)x->pages_touched);
			if (ground ? x->pfn_checksum != 0 : x->pfn_checksum == 0)
				BAD("%s: pfn_checksum %llu", d->name,
				    (unsigned long long)x->pfn_checksum);
			/* every variant of a run visits the same pages */
			if (!ground && s > 0 &&
			    info.variants[sel[s - 1]].path != UB_PATH_GROUND &&
			    x[-1].pfn_checksum != x->pfn_checksum)
				BAD("%s: pfn_checksum differs from %s", d->name,
				    info.variants[sel[s - 1]].name);
			if (with_hist) {
				__u64 n = 0;
				unsigned int b;

				for (b = 0; b < UB_HIST_BUCKETS; b++)
					n += hist[(t * nsel + s) * UB_HIST_BUCKETS + b];
				if (n != x->batches)
					BAD("%s: histogram holds %llu of %llu",
					    d->name, (unsigned long long)n,
					    (unsigned long long)x->batches);
			}
			if (!ground && d->path != UB_PATH_CONVERT) {
				wb |= d->path == UB_PATH_WBINVD ||
				      d->path == UB_PATH_UNMAP;
				rs |= d->path == UB_PATH_RESET ||
				      d->path == UB_PATH_UNMAP;
			}
		}
	}
	want = r->timer == UB_TIMER_KTIME ? UB_INSN_KTIME : UB_INSN_RDTSC;
	if (r->backend_used == UB_BACKEND_MODEL)
		want |= model_insns(wb, rs && (r->reset_mode == UB_RESET_FORCE ||
					     (info.cpu_features & UB_FEAT_BUG_TDX_PW_MCE)));
	if (r->insns_used != want)
		BAD("insns_used 0x%x, expected 0x%x", r->insns_used, want);
	if (with_samples)
		bad += check_samples(r, nsel);
	return bad;
}

static void test_matrix(void)
{
	static const char *const bk[] = { "auto", "null", "model", "tdx" };
	unsigned int b, g, m, c, t, n;
	struct ub_run r;

	for (b = UB_BACKEND_NULL; b <= UB_BACKEND_MODEL; b++)
	for (g = UB_GRANULE_4K; g <= UB_GRANULE_2M; g++)
	for (m = UB_RESET_KERNEL; m <= UB_RESET_FORCE; m++)
	for (c = UB_CACHE_HOT; c <= UB_CACHE_COLD; c++)
	for (t = 1; t <= 2; t++)
	for (n = 0; n < tgt.nodes; n++) {
		int e, bad;

		if (!(tgt.backends & (1U << b)))
			continue;
		run_init(&r);
		r.backend = b;
		r.granule = g;
		r.reset_mode = m;
		r.cache_state = c;
		r.nr_threads = t;
		r.node = n;
		r.nr_units = g == UB_GRANULE_2M ? 2 : 12;
		r.batch = g == UB_GRANULE_2M ? 1 : 5;
		r.rounds = 3;
		r.warmup = 1;
		r.seed = 1000 + b * 100 + g * 10 + n;
		r.samples = (uintptr_t)samples;
		r.samples_len = sizeof(samples);
		r.hist = (uintptr_t)hist;
		r.hist_len = (__u64)MAXT * MAXSEL * UB_HIST_BUCKETS * 4;
		e = run(&r);
		bad = e ? 1 : check_run(&r, 1, 1);
		tap(!bad, "run %s %s reset=%s cache=%s threads=%u node=%u",
		    bk[b], g == UB_GRANULE_2M ? "2m" : "4k",
		    m ? "force" : "kernel", c ? "cold" : "hot", t, n);
		if (e)
			diag("errno %d (%s): %s", e, strerror(e), r.reason);
	}
}

/*
 * Counterbalancing: over a whole block of rounds (n variants; 2n when n
 * is odd) every variant holds every position equally often, and over 8
 * rounds every variant visits each of its 8 replicas once.
 */
static void test_schedule(void)
{
	unsigned int nsel, block, k, s, pos, bad = 0, rep_bad = 0;
	unsigned int count[MAXSEL][MAXSEL];
	struct ub_run r;
	int e;

	run_init(&r);
	r.variant_mask = 0;
	for (k = 0; k < info.nr_variants; k++)
		if (info.variants[k].path == UB_PATH_CONVERT &&
		    info.variants[k].granule == UB_GRANULE_4K)
			r.variant_mask |= 1ULL << k;	/* 4 variants: even */
	r.variant_mask |= 1ULL << (info.nr_variants - 1);	/* 5: odd */
	nsel = (unsigned int)__builtin_popcountll(r.variant_mask);
	block = nsel & 1 ? 2 * nsel : nsel;
	r.rounds = 4 * block;
	r.samples = (uintptr_t)samples;
	r.samples_len = sizeof(samples);
	e = run(&r);
	memset(count, 0, sizeof(count));
	for (k = 0; !e && k < r.rounds; k++)
		for (s = 0; s < nsel; s++)
			count[s][samples[k * nsel + s].position]++;
	for (s = 0; s < nsel; s++)
		for (pos = 0; pos < nsel; pos++)
			if (count[s][pos] != r.rounds / nsel)
				bad++;
	tap(!e && !bad, "order balanced: %u variants, every position %u times in %u rounds",
	    nsel, r.rounds / nsel, r.rounds);
	for (s = 0; !e && s < nsel; s++)
		for (k = 0; k < r.rounds; k += UB_NR_REPLICAS) {
			unsigned int m = 0, j;

			for (j = k; j < k + UB_NR_REPLICAS && j < r.rounds; j++)
				m |= 1U << samples[j * nsel + s].replica;
			if (k + UB_NR_REPLICAS <= r.rounds && m != 0xff)
				rep_bad++;
		}
	tap(!e && !rep_bad, "replicas balanced: each variant visits all 8 in every 8 rounds");

	/* The same seed gives the same schedule; another seed another. */
	{
		static struct ub_sample first[MAXROUNDS * MAXSEL];
		int same, e2;

		memcpy(first, samples, sizeof(first));
		e2 = run(&r);
		same = !e2;
		for (k = 0; same && k < r.rounds * nsel; k++)
			same = first[k].position == samples[k].position &&
			       first[k].replica == samples[k].replica;
		tap(same, "the schedule is reproducible from the seed");
		r.seed = 2;
		e2 = run(&r);
		same = !e2;
		for (k = 0; same && k < r.rounds * nsel; k++)
			same = first[k].position == samples[k].position &&
			       first[k].replica == samples[k].replica;
		tap(!e2 && !same, "another seed draws another schedule");
	}
}

static void test_modes(void)
{
	struct ub_run r;
	int e;

	run_init(&r);
	r.timer = UB_TIMER_KTIME;
	e = run(&r);
	tap(!e && !check_run(&r, 0, 0) && results[0].batches == results[0].ops,
	    "KTIME baseline: one sample per op, insns KTIME");
	if (e)
		diag("errno %d: %s", e, r.reason);

	run_init(&r);
	r.flags = UB_RUN_IRQ_OFF;
	r.max_irqoff_ns = 1;
	e = run(&r);
	if (tgt.kernel)
		tap(!e && (r.status & UB_STATUS_IRQOFF_CLAMP) && r.batch_used == 1 &&
		    results[0].batches == results[0].ops,
		    "IRQ-off bound of 1 ns clamps the batch to 1 (status 0x%x, batch_used %u)",
		    r.status, r.batch_used);
	else
		printf("ok - IRQ-off bound clamps the batch # SKIP userspace cannot turn IRQs off\n");

	run_init(&r);
	r.flags = UB_RUN_IRQ_OFF;
	e = run(&r);
	tap(!e && !check_run(&r, 0, 0), "IRQs off without a bound");

	run_init(&r);
	r.warmup = 3;
	r.rounds = 2;
	e = run(&r);
	tap(!e && r.warmup_done == 3 && r.rounds_done == 2 &&
	    results[0].ops == 2 * r.nr_units,
	    "warm-up rounds run and are not counted (ops %llu for 2 rounds)",
	    (unsigned long long)results[0].ops);

	run_init(&r);
	r.replicas = 2;
	r.rounds = 4;
	r.samples = (uintptr_t)samples;
	r.samples_len = sizeof(samples);
	e = run(&r);
	tap(!e && r.replicas_used == 2 && !check_run(&r, 0, 1),
	    "replicas 2: only replicas 0 and 1 are drawn");

	run_init(&r);
	r.flags = UB_RUN_PMU;
	e = run(&r);
	tap(!e && (r.pmu_avail == 0) == (r.pmu_reason[0] != 0),
	    "PMU requested: counters 0x%x, or a reason: '%s'", r.pmu_avail,
	    r.pmu_reason);

	run_init(&r);
	r.backend = UB_BACKEND_AUTO;
	e = run(&r);
	tap(!e && r.backend_used == info.auto_backend && r.backend_reason[0],
	    "auto runs on the backend INFO named: '%s'", r.backend_reason);

	run_init(&r);
	r.variant_mask = 1ULL << 13;
	e = run(&r);
	tap(!e && r.nr_selected == 1 && results[0].variant == 13,
	    "a single variant selected by the mask");

	run_init(&r);
	r.backend = UB_BACKEND_TDX;
	expect(&r, ENODEV, "backend tdx without TDX");
	tap(r.backend_reason[0] != 0, "tdx refusal carries the probe's reason '%s'",
	    r.backend_reason);
}

/* The cases both targets must refuse alike: one errno each. */
static void test_bad_inputs(void)
{
	struct { struct ub_run r; __u64 tail; } big;
	struct { struct ub_info i; __u64 tail; } bigi;
	struct ub_run r;
	int e;

	/* struct size rules */
	run_init(&r);
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x02, char[UB_RUN_SIZE_VER0 - 8]), &r);
	tap(e == EINVAL, "ioctl size below UB_RUN_SIZE_VER0 -> EINVAL (got %d)", e);
	run_init(&r);
	r.size = sizeof(r) - 8;
	expect(&r, EINVAL, "size field differs from the ioctl size");
	run_init(&r);
	r.size = UB_RUN_SIZE_VER0;
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x02, char[UB_RUN_SIZE_VER0]), &r);
	tap(e == EINVAL && strstr(r.reason, "result_size"),
	    "an ABI 1 struct (no result_size) -> EINVAL naming result_size (got %d) '%s'",
	    e, r.reason);
	memset(&big, 0, sizeof(big));
	run_init(&big.r);
	big.r.size = sizeof(big);
	big.tail = 1;
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x02, typeof(big)), &big);
	tap(e == E2BIG && big.r.reason[0],
	    "oversize struct with a non-zero tail -> E2BIG (got %d) '%s'", e,
	    big.r.reason);
	big.tail = 0;
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x02, typeof(big)), &big);
	tap(e == 0, "oversize struct with a zero tail is accepted (got %d)", e);
	memset(&bigi, 0, sizeof(bigi));
	bigi.i.size = sizeof(bigi);
	bigi.tail = 7;
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x01, typeof(bigi)), &bigi);
	tap(e == E2BIG, "INFO oversize with a non-zero tail -> E2BIG (got %d)", e);
	bigi.i.size = 8;
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x01, typeof(bigi)), &bigi);
	tap(e == EINVAL, "INFO size field mismatch -> EINVAL (got %d)", e);
	e = do_ioctl(_IOWR(UB_IOC_MAGIC, 0x09, struct ub_run), &r);
	tap(e == ENOTTY, "unknown ioctl number -> ENOTTY (got %d)", e);
	e = do_ioctl(_IOW(UB_IOC_MAGIC, 0x02, struct ub_run), &r);
	tap(e == ENOTTY, "RUN with the wrong direction -> ENOTTY (got %d)", e);
	e = do_ioctl(UB_IOC_RUN, (void *)8);
	tap(e == EFAULT, "RUN on an unmapped struct -> EFAULT (got %d)", e);
	{
		struct ub_run_progress pg = { .size = 8 };

		e = do_ioctl(UB_IOC_PROGRESS, &pg);
		tap(e == EINVAL, "PROGRESS size field mismatch -> EINVAL (got %d)", e);
		pg.size = sizeof(pg);
		e = do_ioctl(UB_IOC_PROGRESS, &pg);
		tap(e == 0 && !pg.running, "PROGRESS with no RUN: running 0 (got %d, %u)",
		    e, pg.running);
	}

	/* flags, enums, ABI sizes */
	run_init(&r); r.flags = 1U << 7;
	expect(&r, EOPNOTSUPP, "unknown flag");
	run_init(&r); r.pad0 = 1;
	expect(&r, EINVAL, "pad0 not zero");
	run_init(&r); r.backend = UB_BACKEND_NR;
	expect(&r, EINVAL, "backend out of range");
	run_init(&r); r.granule = UB_GRANULE_ANY;
	expect(&r, EINVAL, "granule ANY for a run");
	run_init(&r); r.granule = 3;
	expect(&r, EINVAL, "granule out of range");
	run_init(&r); r.reset_mode = 2;
	expect(&r, EINVAL, "reset_mode out of range");
	run_init(&r); r.cache_state = 2;
	expect(&r, EINVAL, "cache_state out of range");
	run_init(&r); r.timer = 2;
	expect(&r, EINVAL, "timer out of range");
	run_init(&r); r.result_size = 88;
	expect(&r, EINVAL, "result_size of ABI 1");
	run_init(&r); r.samples = (uintptr_t)samples;
	r.samples_len = sizeof(samples); r.sample_size = 8;
	expect(&r, EINVAL, "sample_size not this ABI's");

	/* variant selection */
	run_init(&r); r.variant_mask = 0;
	expect(&r, EINVAL, "empty variant_mask");
	run_init(&r); r.variant_mask = 1ULL << 63;
	expect(&r, EINVAL, "variant_mask beyond the table");
	run_init(&r); r.variant_mask = 1ULL << 2;	/* convert.page.2m */
	expect(&r, EINVAL, "only 2M variants selected for a 4K run");

	/* counts */
	run_init(&r); r.nr_units = 0;
	expect(&r, ERANGE, "zero nr_units");
	run_init(&r); r.nr_units = 1ULL << 40;
	expect(&r, ERANGE, "huge nr_units");
	run_init(&r); r.granule = UB_GRANULE_2M; r.nr_units = 4096;
	expect(&r, ERANGE, "too many 2M folios");
	run_init(&r); r.batch = 0;
	expect(&r, ERANGE, "zero batch");
	run_init(&r); r.batch = 1U << 20;
	expect(&r, ERANGE, "huge batch");
	run_init(&r); r.rounds = 0;
	expect(&r, ERANGE, "zero rounds");
	run_init(&r); r.rounds = 1U << 30;
	expect(&r, ERANGE, "huge rounds");
	run_init(&r); r.warmup = UB_MAX_WARMUP + 1;
	expect(&r, ERANGE, "too many warm-up rounds");
	run_init(&r); r.replicas = UB_NR_REPLICAS + 1;
	expect(&r, ERANGE, "more replicas than built");
	run_init(&r); r.nr_threads = 0;
	expect(&r, ERANGE, "zero threads");
	run_init(&r); r.nr_threads = UB_MAX_THREADS + 1;
	expect(&r, ERANGE, "too many threads");
	run_init(&r); r.max_wall_ms = 1ULL << 40;
	expect(&r, ERANGE, "huge max_wall_ms");
	run_init(&r); r.rounds = 1000000; r.nr_threads = UB_MAX_THREADS;
	r.samples = (uintptr_t)samples; r.samples_len = sizeof(samples);
	expect(&r, ERANGE, "samples buffer beyond the module's 256 MiB cap");

	/* memory and node */
	run_init(&r); r.nr_units = 1U << 20; r.nr_threads = UB_MAX_THREADS;
	r.results = (uintptr_t)bigres; r.results_len = sizeof(bigres);
	expect(&r, ENOMEM, "pages beyond the node's free memory (64 x 4 GiB)");
	run_init(&r); r.node = -1;
	expect(&r, ENXIO, "node -1");
	run_init(&r); r.node = 1 << 20;
	expect(&r, ENXIO, "node out of range");

	/* CPUs */
	run_init(&r); cpus[0] = 4096;
	expect(&r, ESRCH, "CPU out of range");
	run_init(&r); r.nr_threads = 2; cpus[1] = 0;
	expect(&r, EINVAL, "the same CPU twice");
	run_init(&r); r.cpus = 8;
	expect(&r, EFAULT, "unreadable cpus[]");

	/* buffers */
	run_init(&r); r.results_len = 1;
	expect(&r, ENOSPC, "results buffer too small");
	tap(r.results_needed == r.nr_selected * sizeof(struct ub_result) &&
	    r.results_needed > 0,
	    "ENOSPC reports results_needed %llu",
	    (unsigned long long)r.results_needed);
	run_init(&r); r.results = 0;
	expect(&r, ENOSPC, "no results buffer");
	run_init(&r); r.samples = (uintptr_t)samples; r.samples_len = 8;
	expect(&r, ENOSPC, "samples buffer too small");
	tap(r.samples_needed == (__u64)r.rounds * r.nr_selected * UB_SAMPLE_SIZE,
	    "ENOSPC reports samples_needed %llu",
	    (unsigned long long)r.samples_needed);
	run_init(&r); r.hist = (uintptr_t)hist; r.hist_len = 4;
	expect(&r, ENOSPC, "hist buffer too small");
	tap(r.hist_needed == (__u64)r.nr_selected * UB_HIST_BUCKETS * 4,
	    "ENOSPC reports hist_needed %llu",
	    (unsigned long long)r.hist_needed);
}

/* During a long RUN: PROGRESS says it runs, and its rounds advance. */
static void check_progress(void)
{
	struct ub_run_progress a = { .size = sizeof(a) }, b = { .size = sizeof(b) };
	int e1, e2;

	e1 = do_ioctl(UB_IOC_PROGRESS, &a);
	usleep(200000);
	e2 = do_ioctl(UB_IOC_PROGRESS, &b);
	tap(!e1 && !e2 && a.running && b.running && a.rounds == 1000000 &&
	    b.rounds_done > a.rounds_done && b.elapsed_ns > a.elapsed_ns,
	    "PROGRESS during a RUN: running, rounds %u -> %u of %u",
	    a.rounds_done, b.rounds_done, b.rounds);
}

/* ---- what needs the kernel ---- */

#ifndef UB_ABI_NATIVE
static void test_kernel_faults(void)
{
	struct ub_run r;
	void *ro;

	run_init(&r); r.node = 2;
	expect(&r, ENXIO, "node 2 (the testbed has two)");
	ro = mmap(NULL, sizeof(results), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	run_init(&r); r.results = (uintptr_t)ro;
	expect(&r, EFAULT, "read-only results buffer");
	munmap(ro, sizeof(results));
}

static int set_online(int cpu, int on)
{
	char path[64];
	int f, ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = open(path, O_WRONLY);
	if (f < 0)
		return -1;
	ok = write(f, on ? "1" : "0", 1) == 1;
	close(f);
	return ok ? 0 : -1;
}

static void test_offline_cpu(void)
{
	struct ub_run r;

	if (set_online(1, 0)) {
		printf("ok - bad input: offline CPU -> ESRCH # SKIP cannot offline CPU 1\n");
		return;
	}
	run_init(&r);
	cpus[0] = 1;
	expect(&r, ESRCH, "offline CPU");
	set_online(1, 1);
	run_init(&r);
	cpus[0] = 1;
	tap(run(&r) == 0, "CPU 1 usable again once back online");
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* A long run in a child: returns its pid; the child exits with a code. */
static pid_t long_run_child(__u64 wall_ms, int *pipefd)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	{
		struct sigaction sa = { .sa_handler = on_usr1 };
		struct ub_run r;
		int e;

		sigaction(SIGUSR1, &sa, NULL);
		run_init(&r);
		r.nr_units = 64;
		r.rounds = 1000000;
		r.max_wall_ms = wall_ms;
		r.variant_mask = 1ULL << (info.nr_variants - 1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(90);
		e = run(&r);
		if (e)
			_exit(100 + e);
		if (r.status & UB_STATUS_SIGNAL)
			_exit(r.rounds_done < r.rounds ? 1 : 80);
		if (r.status & UB_STATUS_WALL_CAP)
			_exit(r.rounds_done < r.rounds ? 2 : 81);
		_exit(3);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_concurrency(void)
{
	struct ub_run r;
	int p[2], st;
	pid_t pid;
	double t0;
	char c;

	/* EBUSY while another RUN is in progress, then a signal ends it. */
	if (pipe(p))
		return;
	pid = long_run_child(20000, p);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	usleep(300000);
	run_init(&r);
	expect(&r, EBUSY, "a second RUN while one is in progress");
	check_progress();
	t0 = now();
	kill(pid, SIGUSR1);
	waitpid(pid, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 1,
	    "a signal ends the run early with UB_STATUS_SIGNAL (child status %d, %.2f s)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1, now() - t0);
	run_init(&r);
	tap(run(&r) == 0, "RUN works again after the interrupted one");

	/* Wall-time cap. */
	t0 = now();
	pid = long_run_child(500, p);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	waitpid(pid, &st, 0);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 2,
	    "max_wall_ms 500 ends the run with UB_STATUS_WALL_CAP (child status %d, %.2f s)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1, now() - t0);
	close(p[0]);
	close(p[1]);
}

static void test_access(void)
{
	struct stat sb = { 0 };
	pid_t pid;
	int st, e;

	e = stat(UB_CTL_PATH, &sb);
	tap(e == 0 && (sb.st_mode & 0777) == 0600 && sb.st_uid == 0,
	    "ctl is mode 0600, owned by root (mode %o)", sb.st_mode & 0777);
	pid = fork();
	if (!pid) {
		struct ub_info i = { .size = sizeof(i) };
		int e1, e2;

		if (setgid(65534) || setuid(65534))
			_exit(99);
		e1 = open(UB_CTL_PATH, O_RDWR) < 0 ? errno : 0;
		e2 = ioctl(fd, UB_IOC_INFO, &i) < 0 ? errno : 0;
		_exit((e1 == EACCES ? 0 : 1) | (e2 == EPERM ? 0 : 2));
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 99) {
		printf("ok - unprivileged access refused # SKIP cannot setuid to nobody\n");
		return;
	}
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "as nobody: open() -> EACCES and ioctl on an inherited fd -> EPERM (status %d)",
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}
#else /* UB_ABI_NATIVE */

static volatile int stop_flag;

static int stop_now(void)
{
	return stop_flag;
}

static void *long_run_thread(void *arg)
{
	struct ub_run *r = arg;

	run(r);
	return NULL;
}

/* EBUSY, the stop request and the wall cap, with threads of one process. */
static void test_concurrency(void)
{
	static struct ub_result res2[MAXSEL];
	struct ub_run lr, r;
	pthread_t tid;

	ub_user_set_stop(stop_now);
	run_init(&lr);
	lr.nr_units = 64;
	lr.rounds = 1000000;
	lr.max_wall_ms = 20000;
	lr.results = (uintptr_t)res2;
	lr.results_len = sizeof(res2);
	lr.variant_mask = 1ULL << (info.nr_variants - 1);
	pthread_create(&tid, NULL, long_run_thread, &lr);
	usleep(300000);
	run_init(&r);
	expect(&r, EBUSY, "a second RUN while one is in progress");
	check_progress();
	stop_flag = 1;
	pthread_join(tid, NULL);
	stop_flag = 0;
	tap((lr.status & UB_STATUS_SIGNAL) && lr.rounds_done < lr.rounds,
	    "a stop request ends the run early with UB_STATUS_SIGNAL (status 0x%x)",
	    lr.status);
	run_init(&r);
	tap(run(&r) == 0, "RUN works again after the interrupted one");
	lr.max_wall_ms = 500;
	run(&lr);
	tap((lr.status & UB_STATUS_WALL_CAP) && lr.rounds_done < lr.rounds,
	    "max_wall_ms 500 ends the run with UB_STATUS_WALL_CAP (status 0x%x)",
	    lr.status);
	ub_user_set_stop(NULL);
}
#endif

/* Nodes with memory, for the matrix: 0, and 1 where it exists. */
static unsigned int nodes_with_memory(void)
{
	struct ub_run r;

	run_init(&r);
	r.node = 1;
	return run(&r) == 0 ? 2 : 1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef UB_ABI_NATIVE
	tgt.name = "native";
	tgt.backends = 1U << UB_BACKEND_NULL;
#else
	fd = open(UB_CTL_PATH, O_RDWR);
	if (fd < 0) {
		printf("not ok - open %s: %s\n", UB_CTL_PATH, strerror(errno));
		return 1;
	}
	tgt.name = "module";
	tgt.backends = (1U << UB_BACKEND_NULL) | (1U << UB_BACKEND_MODEL);
	tgt.kernel = 1;
#endif
	hist = calloc((size_t)MAXT * MAXSEL * UB_HIST_BUCKETS, sizeof(*hist));
	if (!hist)
		return 1;
	printf("# kmod_abi against the %s\n", tgt.name);
	test_info();
	tgt.nodes = nodes_with_memory();
	test_matrix();
	test_schedule();
	test_modes();
	test_bad_inputs();
#ifndef UB_ABI_NATIVE
	test_kernel_faults();
	test_offline_cpu();
	test_access();
#endif
	test_concurrency();
	printf("# kmod_abi (%s): %d failed\n", tgt.name, nfail);
	return 0;
}
