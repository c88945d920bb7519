// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_abi: guest-side test of unmap_bench.ko through its uapi only.
 * Prints TAP lines ("ok - ...", "not ok - ..."); exit status 0 unless the
 * control file cannot be opened at all.
 *
 *   INFO sanity; the full RUN matrix (backend null/model x granule 4K/2M x
 *   reset kernel/force x cache hot/cold x 1/2 threads x node 0/1) with the
 *   invariants checked on every result; KTIME, IRQ-off clamp, auto and tdx;
 *   every bad input with its errno and reason; EBUSY, signal and wall-cap
 *   interruption; access as an unprivileged user.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

static int fd;
static int nfail;
static struct ub_info info;

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

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static const char *const names[] = {
	"convert.page.4k", "convert.pfn.4k", "convert.page.2m", "convert.pfn.2m",
	"wbinvd.page.4k", "wbinvd.pfn.4k", "wbinvd.page.2m", "wbinvd.pfn.2m",
	"reset.page.4k", "reset.pfn.4k", "reset.page.2m", "reset.pfn.2m",
	"unmap.page.4k", "unmap.pfn.4k", "unmap.page.2m", "unmap.pfn.2m",
	"ground.add16", "ground.add64", "ground.add65", "ground.add256",
	"ground.add1024",
};

#define NR_NAMES	(sizeof(names) / sizeof(names[0]))
#define MAXT		2
#define MAXSEL		UB_MAX_VARIANTS
#define MAXROUNDS	64

static struct ub_result results[MAXT * MAXSEL];
static __u64 samples[MAXT * MAXROUNDS * MAXSEL];
static __u32 *hist;
static __u32 cpus[UB_MAX_THREADS + 1];

static __u64 all_mask(void)
{
	return info.nr_variants >= 64 ? ~0ULL : (1ULL << info.nr_variants) - 1;
}

/* A small valid run: model, 4K, node 0, one thread on CPU 0. */
static void run_init(struct ub_run *r)
{
	memset(r, 0, sizeof(*r));
	r->size = sizeof(*r);
	r->backend = UB_BACKEND_MODEL;
	r->granule = UB_GRANULE_4K;
	r->variant_mask = all_mask();
	r->nr_units = 8;
	r->batch = 4;
	r->rounds = 2;
	r->seed = 1;
	r->nr_threads = 1;
	cpus[0] = 0;
	cpus[1] = 1;
	r->cpus = (uintptr_t)cpus;
	r->results = (uintptr_t)results;
	r->results_len = sizeof(results);
}

static int run(struct ub_run *r)
{
	return ioctl(fd, UB_IOC_RUN, r) < 0 ? errno : 0;
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
		diag("reason: %s", r->reason);
}

static void test_info(void)
{
	unsigned int i, ok;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	tap(ioctl(fd, UB_IOC_INFO, &info) == 0, "INFO succeeds");
	tap(info.abi_version == UB_ABI_VERSION, "INFO abi_version %u",
	    info.abi_version);
	tap(info.module_version[0] != 0, "INFO module_version '%s'",
	    info.module_version);
	tap(info.nr_variants == NR_NAMES, "INFO has %u variants",
	    info.nr_variants);
	ok = info.nr_variants == NR_NAMES;
	for (i = 0; ok && i < NR_NAMES; i++) {
		const struct ub_variant_desc *d = &info.variants[i];
		int ground = i >= 16;
		unsigned int path = ground ? UB_PATH_GROUND : i / 4;
		unsigned int gran = ground ? UB_GRANULE_ANY :
				    (i % 4 < 2 ? UB_GRANULE_4K : UB_GRANULE_2M);
		unsigned int shape = ground ? UB_SHAPE_NONE :
				     (i % 2 ? UB_SHAPE_PFN : UB_SHAPE_PAGE);
		unsigned int param = ground ? (unsigned int)atoi(d->name + 10) : 0;

		if (strcmp(d->name, names[i]) || d->path != path ||
		    d->granule != gran || d->shape != shape ||
		    d->param != param) {
			diag("variant %u: %s shape %u path %u granule %u param %u",
			     i, d->name, d->shape, d->path, d->granule, d->param);
			ok = 0;
		}
	}
	tap(ok, "INFO variant names, shapes, paths, granules and params");
	tap(info.variants[18].param - info.variants[17].param == 1,
	    "ground.add65 is one dependent add more than ground.add64");
	tap(!(info.backends & (1U << UB_BACKEND_TDX)) && info.tdx_reason[0],
	    "INFO: tdx unavailable under TCG, reason '%s'", info.tdx_reason);
	tap((info.backends & 7) == 7, "INFO: auto, null and model usable");
	tap(info.auto_backend == UB_BACKEND_MODEL && info.auto_reason[0],
	    "INFO: auto resolves to model: '%s'", info.auto_reason);
	tap(info.tsc_khz > 0, "INFO tsc_khz %llu", (unsigned long long)info.tsc_khz);
	tap(info.x86_phys_bits >= 32 && info.x86_phys_bits <= 52,
	    "INFO x86_phys_bits %u", info.x86_phys_bits);
	tap(info.max_threads == UB_MAX_THREADS &&
	    info.hist_buckets == UB_HIST_BUCKETS,
	    "INFO max_threads %u hist_buckets %u", info.max_threads,
	    info.hist_buckets);
	diag("cpu_features 0x%x", info.cpu_features);
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

/* Check every invariant of a finished full-mask run; 0 if all hold. */
static int check_run(const struct ub_run *r, int with_hist)
{
	unsigned int t, s, v, nsel = 0, bad = 0, sel[MAXSEL];
	__u64 unit_pages = r->granule == UB_GRANULE_2M ? 512 : 1;
	__u64 bpr = (r->nr_units + r->batch_used - 1) / r->batch_used;
	int wb = 0, rs = 0;
	__u32 want;

	for (v = 0; v < info.nr_variants; v++)
		if (((r->variant_mask >> v) & 1) &&
		    (info.variants[v].granule == UB_GRANULE_ANY ||
		     info.variants[v].granule == r->granule))
			sel[nsel++] = v;
#define BAD(...) do { diag(__VA_ARGS__); bad++; } while (0)
	if (r->nr_selected != nsel)
		BAD("nr_selected %u, expected %u", r->nr_selected, nsel);
	if (r->rounds_done != r->rounds || r->status)
		BAD("rounds_done %u of %u, status 0x%x", r->rounds_done,
		    r->rounds, r->status);
	if (r->batch_used != (r->batch < r->nr_units ? r->batch : r->nr_units))
		BAD("batch_used %u", r->batch_used);
	if (!r->tsc_khz || !r->elapsed_ns || !r->backend_reason[0])
		BAD("tsc_khz/elapsed_ns/backend_reason missing");
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
			/* page and pfn shapes of a path sit side by side */
			if (d->shape == UB_SHAPE_PFN && s > 0 &&
			    info.variants[sel[s - 1]].shape == UB_SHAPE_PAGE &&
			    x[-1].pfn_checksum != x->pfn_checksum)
				BAD("%s: pfn_checksum differs from the page shape",
				    d->name);
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
#undef BAD
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
	for (n = 0; n <= 1; n++) {
		int e, bad;

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
		r.seed = 1000 + b * 100 + g * 10 + n;
		r.samples = (uintptr_t)samples;
		r.samples_len = sizeof(samples);
		r.hist = (uintptr_t)hist;
		r.hist_len = (__u64)MAXT * MAXSEL * UB_HIST_BUCKETS * 4;
		e = run(&r);
		bad = e ? 1 : check_run(&r, 1);
		tap(!bad, "run %s %s reset=%s cache=%s threads=%u node=%u",
		    bk[b], g == UB_GRANULE_2M ? "2m" : "4k",
		    m ? "force" : "kernel", c ? "cold" : "hot", t, n);
		if (e)
			diag("errno %d (%s): %s", e, strerror(e), r.reason);
	}
}

static void test_modes(void)
{
	struct ub_run r;
	int e;

	run_init(&r);
	r.timer = UB_TIMER_KTIME;
	e = run(&r);
	tap(!e && !check_run(&r, 0) && results[0].batches == results[0].ops,
	    "KTIME baseline: one sample per op, insns KTIME");
	if (e)
		diag("errno %d: %s", e, r.reason);

	run_init(&r);
	r.flags = UB_RUN_IRQ_OFF;
	r.max_irqoff_ns = 1;
	e = run(&r);
	tap(!e && (r.status & UB_STATUS_IRQOFF_CLAMP) && r.batch_used == 1 &&
	    results[0].batches == results[0].ops,
	    "IRQ-off bound of 1 ns clamps the batch to 1 (status 0x%x, batch_used %u)",
	    r.status, r.batch_used);

	run_init(&r);
	r.flags = UB_RUN_IRQ_OFF;
	e = run(&r);
	tap(!e && !check_run(&r, 0), "IRQs off without a bound");

	run_init(&r);
	r.backend = UB_BACKEND_AUTO;
	e = run(&r);
	tap(!e && r.backend_used == UB_BACKEND_MODEL && r.backend_reason[0],
	    "auto runs on model: '%s'", r.backend_reason);

	run_init(&r);
	r.variant_mask = 1ULL << 13;	/* unmap.pfn.4k alone */
	e = run(&r);
	tap(!e && r.nr_selected == 1 && results[0].variant == 13,
	    "a single variant selected by the mask");

	run_init(&r);
	r.backend = UB_BACKEND_TDX;
	expect(&r, ENODEV, "backend tdx without TDX");
	tap(r.backend_reason[0] != 0, "tdx refusal carries the probe's reason '%s'",
	    r.backend_reason);
}

static void test_bad_inputs(void)
{
	struct { struct ub_run r; __u64 tail; } big;
	struct { struct ub_info i; __u64 tail; } bigi;
	struct ub_run r;
	void *ro;
	int e;

	/* struct size rules */
	run_init(&r);
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x02, char[UB_RUN_SIZE_VER0 - 8]), &r) < 0 ?
	    errno : 0;
	tap(e == EINVAL, "ioctl size below UB_RUN_SIZE_VER0 -> EINVAL (got %d)", e);
	run_init(&r);
	r.size = sizeof(r) - 8;
	expect(&r, EINVAL, "size field differs from the ioctl size");
	memset(&big, 0, sizeof(big));
	run_init(&big.r);
	big.r.size = sizeof(big);
	big.tail = 1;
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x02, typeof(big)), &big) < 0 ? errno : 0;
	tap(e == E2BIG && big.r.reason[0],
	    "oversize struct with a non-zero tail -> E2BIG (got %d) '%s'", e,
	    big.r.reason);
	big.tail = 0;
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x02, typeof(big)), &big) < 0 ? errno : 0;
	tap(e == 0, "oversize struct with a zero tail is accepted (got %d)", e);
	memset(&bigi, 0, sizeof(bigi));
	bigi.i.size = sizeof(bigi);
	bigi.tail = 7;
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x01, typeof(bigi)), &bigi) < 0 ? errno : 0;
	tap(e == E2BIG, "INFO oversize with a non-zero tail -> E2BIG (got %d)", e);
	bigi.i.size = 8;
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x01, typeof(bigi)), &bigi) < 0 ? errno : 0;
	tap(e == EINVAL, "INFO size field mismatch -> EINVAL (got %d)", e);
	e = ioctl(fd, _IOWR(UB_IOC_MAGIC, 0x09, struct ub_run), &r) < 0 ? errno : 0;
	tap(e == ENOTTY, "unknown ioctl number -> ENOTTY (got %d)", e);
	e = ioctl(fd, _IOW(UB_IOC_MAGIC, 0x02, struct ub_run), &r) < 0 ? errno : 0;
	tap(e == ENOTTY, "RUN with the wrong direction -> ENOTTY (got %d)", e);
	e = ioctl(fd, UB_IOC_RUN, (void *)8) < 0 ? errno : 0;
	tap(e == EFAULT, "RUN on an unmapped struct -> EFAULT (got %d)", e);

	/* flags and enums */
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

	/* variant selection */
	run_init(&r); r.variant_mask = 0;
	expect(&r, EINVAL, "empty variant_mask");
	run_init(&r); r.variant_mask = 1ULL << 40;
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
	run_init(&r); r.nr_units = 1U << 20;	/* 4 GiB on a 1 GiB node */
	expect(&r, ENOMEM, "pages beyond the node's free memory");
	run_init(&r); r.node = -1;
	expect(&r, ENXIO, "node -1");
	run_init(&r); r.node = 2;
	expect(&r, ENXIO, "node 2 (the testbed has two)");
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
	tap(r.samples_needed == (__u64)r.rounds * r.nr_selected * 8,
	    "ENOSPC reports samples_needed %llu",
	    (unsigned long long)r.samples_needed);
	run_init(&r); r.hist = (uintptr_t)hist; r.hist_len = 4;
	expect(&r, ENOSPC, "hist buffer too small");
	tap(r.hist_needed == (__u64)r.nr_selected * UB_HIST_BUCKETS * 4,
	    "ENOSPC reports hist_needed %llu",
	    (unsigned long long)r.hist_needed);
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
		r.variant_mask = 1ULL << 16;	/* ground.add16 */
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

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(UB_CTL_PATH, O_RDWR);
	if (fd < 0) {
		printf("not ok - open %s: %s\n", UB_CTL_PATH, strerror(errno));
		return 1;
	}
	hist = calloc((size_t)MAXT * MAXSEL * UB_HIST_BUCKETS, sizeof(*hist));
	if (!hist)
		return 1;
	test_info();
	test_matrix();
	test_modes();
	test_bad_inputs();
	test_offline_cpu();
	test_concurrency();
	test_access();
	printf("# kmod_abi: %d failed\n", nfail);
	return 0;
}
