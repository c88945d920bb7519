// SPDX-License-Identifier: GPL-2.0
/*
 * rel_faultinj: allocation failures at every allocation site of INFO and
 * RUN (issue 8), with failslab and fail_page_alloc restricted to the
 * module by the stack-trace filter (require-start/require-end = the
 * module's text, from /proc/kallsyms and /sys/module/unmap_bench/sections).
 *
 * usage: rel_faultinj [-r RANDOM_RUNS]
 *
 * 1. Systematic sweep, per request shape (INFO; RUNs with 1 and 2 threads,
 *    4K and 2M units, samples and histograms): for N = 1, 2, ... the
 *    calling thread's /proc/thread-self/fail-nth makes exactly the N-th
 *    allocation the kernel attempts on the module's behalf fail (counted
 *    only where the module is on the stack), until a request completes
 *    without reaching N. Every site of the request's path is thereby failed
 *    once. Each injected failure must end the request with ENOMEM (the
 *    module's own allocations) or with success (an allocation with a
 *    fallback, e.g. kvmalloc's vmalloc, or a debug allocation nested in
 *    the allocator such as kmemleak's, which has a pool). Anything else,
 *    or a module thread left behind, fails.
 * 2. Leak amplifier: a 2048-page RUN failed at pages 200..2000 eight
 *    times; the pages allocated before the failure must come back (free
 *    memory, per-CPU lists included, within 8 MiB of what it was; a leak
 *    would lose up to 39 MiB).
 * 3. Random: probability 5 %, any task (the module's kthreads too),
 *    RANDOM_RUNS two-thread RUNs (default 20): returns 0 or ENOMEM.
 * Faults injected are counted from fail-nth read back (0 = it fired) and
 * from the fault attributes' "times" countdown.
 *
 * Skips (TAP SKIP) when /sys/kernel/debug/failslab is absent: the default
 * testbed flavour has no fault injection; the debug flavour does.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/mman.h>

#include "rel_common.h"

#define FS "/sys/kernel/debug/failslab"
#define FPA "/sys/kernel/debug/fail_page_alloc"
#define MAX_NTH 20000

static struct ub_info info;
static unsigned long text_lo = ~0UL, text_hi;
static uint64_t faults_total;
static char nth_path[64];

/* Module text range: the lowest and highest text symbol of the module. */
static int module_text_range(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256], mod[64];
	unsigned long a;
	unsigned long sect;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[unmap_bench]"))
			continue;
		if (sscanf(line, "%lx %c %255s [%63[^]]]", &a, &type, name, mod) != 4)
			continue;
		if ((type != 't' && type != 'T') || !a)
			continue;
		if (a < text_lo)
			text_lo = a;
		if (a > text_hi)
			text_hi = a;
	}
	fclose(f);
	if (!rel_read_file("/sys/module/unmap_bench/sections/.text", line,
			    sizeof(line))) {
		sect = strtoull(line, NULL, 16);
		if (sect && sect < text_lo)
			text_lo = sect;
	}
	/* A sane module text range: kernel addresses, a few MiB at most. */
	if (text_lo < 0xffff800000000000UL || text_hi <= text_lo ||
	    text_hi - text_lo > (64UL << 20))
		return -1;
	if (!text_hi)
		return -1;
	/* The last function's size is unknown: up to the end of its page + 1. */
	text_hi = (text_hi | 0xfff) + 0x1001;
	return 0;
}

static int attr_set(const char *dir, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int attr_set(const char *dir, const char *file, const char *fmt, ...)
{
	char path[256], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (rel_write_file(path, "%s", val)) {
		rel_note("writing '%s' to %s: %s", val, path, strerror(errno));
		return -1;
	}
	return 0;
}

static long long attr_get(const char *dir, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return rel_read_ll(path);
}

/* Both attributes: filtered to the module, silent, off until asked. */
static int attrs_setup(void)
{
	static const char *const dirs[] = { FS, FPA };
	int r = 0;

	for (int i = 0; i < 2; i++) {
		const char *d = dirs[i];

		r |= attr_set(d, "probability", "0");
		r |= attr_set(d, "interval", "1");
		r |= attr_set(d, "times", "-1");
		r |= attr_set(d, "space", "0");
		r |= attr_set(d, "verbose", "0");
		r |= attr_set(d, "task-filter", "N");
		r |= attr_set(d, "stacktrace-depth", "32");
		r |= attr_set(d, "require-start", "%#lx", text_lo);
		r |= attr_set(d, "require-end", "%#lx", text_hi);
		r |= attr_set(d, "reject-start", "0");
		r |= attr_set(d, "reject-end", "0");
		r |= attr_set(d, "ignore-gfp-wait", "N");
	}
	r |= attr_set(FS, "cache-filter", "N");
	r |= attr_set(FPA, "ignore-gfp-highmem", "N");
	r |= attr_set(FPA, "min-order", "0");
	return r;
}

/* Back to the boot state: nothing fails, no filter. */
static void attrs_reset(void)
{
	static const char *const dirs[] = { FS, FPA };

	rel_write_file(nth_path, "0");
	for (int i = 0; i < 2; i++) {
		attr_set(dirs[i], "probability", "0");
		attr_set(dirs[i], "times", "1");
		attr_set(dirs[i], "require-start", "0");
		attr_set(dirs[i], "require-end", "%#lx", ~0UL);
		attr_set(dirs[i], "ignore-gfp-wait", "Y");
		attr_set(dirs[i], "verbose", "2");
	}
	attr_set(FPA, "min-order", "1");
	attr_set(FPA, "ignore-gfp-highmem", "Y");
}

/*
 * Free memory in KiB as 60-rel-lib.sh counts it: MemFree, plus pages on
 * the per-CPU lists, plus Slab (slab leaks are kmemleak's to find; KASAN's
 * quarantine keeps freed objects in Slab for a while).
 */
static long long free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256];
	long long pcp = 0, v;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " count: %lld", &v) == 1)
				pcp += v;
		fclose(f);
	}
	return rel_memfree_kb() + pcp * 4 + rel_meminfo_kb("Slab:");
}

struct shape {
	const char *name;
	int info;		/* INFO instead of RUN */
	unsigned backend, granule, node, threads, cache;
	uint64_t units;
	int samples, hist;
};

static const struct shape shapes[] = {
	{ "INFO", 1, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "RUN null 4K 1 thread node 0", 0, UB_BACKEND_NULL, UB_GRANULE_4K, 0, 1,
	  UB_CACHE_HOT, 4, 0, 0 },
	{ "RUN model 4K 1 thread samples+hist", 0, UB_BACKEND_MODEL, UB_GRANULE_4K,
	  0, 1, UB_CACHE_COLD, 4, 1, 1 },
	{ "RUN auto 4K 2 threads node 1 samples+hist", 0, UB_BACKEND_AUTO,
	  UB_GRANULE_4K, 1, 2, UB_CACHE_HOT, 3, 1, 1 },
	{ "RUN null 2M 1 thread", 0, UB_BACKEND_NULL, UB_GRANULE_2M, 0, 1,
	  UB_CACHE_HOT, 2, 1, 0 },
};

struct prepared {
	struct rel_run x;
	struct ub_info in;
};

static int prepare(int fd, const struct shape *s, struct prepared *p)
{
	uint32_t cpus[2] = { 0, 1 };

	if (s->info)
		return 0;
	rel_run_init(&p->x, &info, s->backend, s->granule, s->node, s->threads,
		     cpus, s->units, 2);
	p->x.r.cache_state = s->cache;
	p->x.r.max_wall_ms = 10000;
	return rel_run_size(fd, &p->x, s->samples, s->hist);
}

/* Issue the request once with every user page already present. */
static int issue(int fd, const struct shape *s, struct prepared *p)
{
	if (s->info)
		return rel_info(fd, &p->in);
	memset(p->x.results, 0, p->x.r.results_len);
	if (p->x.samples)
		memset(p->x.samples, 0, p->x.r.samples_len);
	if (p->x.hist)
		memset(p->x.hist, 0, p->x.r.hist_len);
	memset(p->x.r.reason, 0, sizeof(p->x.r.reason));
	return rel_run_do(fd, &p->x);
}

static void sweep(int fd, const struct shape *s)
{
	struct prepared p;
	unsigned n, enomem = 0, tolerated = 0, bad = 0, noreason = 0, leftover = 0;
	int ret, last = 0, done = 0;

	memset(&p, 0, sizeof(p));
	ret = prepare(fd, s, &p);
	if (ret) {
		rel_tap(0, "fault sweep %s: preparing the request: %s", s->name,
			rel_errname(-ret));
		return;
	}
	ret = issue(fd, s, &p);		/* warm: lazily allocated things */
	if (ret) {
		rel_tap(0, "fault sweep %s: the request fails without faults: %s %s",
			s->name, rel_errname(-ret), s->info ? "" : p.x.r.reason);
		return;
	}
	for (n = 1; n <= MAX_NTH; n++) {
		long long left;

		if (rel_write_file(nth_path, "%u", n)) {
			rel_tap(0, "fault sweep %s: writing fail-nth: %s", s->name,
				strerror(errno));
			return;
		}
		ret = issue(fd, s, &p);
		left = rel_read_ll(nth_path);
		rel_write_file(nth_path, "0");
		if (left > 0) {		/* fewer than n sites: all covered */
			last = ret;
			done = 1;
			break;
		}
		faults_total++;
		if (ret == 0) {
			tolerated++;
		} else if (ret == -ENOMEM) {
			enomem++;
			/*
			 * The first allocation is the module's copy of the
			 * struct: without it there is nowhere to put a reason.
			 */
			if (!s->info && !p.x.r.reason[0] && n > 1)
				noreason++;
		} else {
			bad++;
			if (bad <= 10)
				rel_note("%s: failing allocation %u gave %s (%s)", s->name,
					 n, rel_errname(-ret), s->info ? "" : p.x.r.reason);
		}
		if (rel_module_threads(NULL, 0) > 0) {
			leftover++;
			if (leftover <= 3)
				rel_note("%s: module threads alive after failing allocation %u",
					 s->name, n);
		}
	}
	n--;
	rel_note("%s: %u allocation sites on its path, each failed once: %u ENOMEM, "
		 "%u tolerated (succeeded), %u other", s->name, done ? n : n,
		 enomem, tolerated, bad);
	rel_tap(done, "fault sweep %s: the sweep reached the end of the request "
		"(%u sites)", s->name, n);
	rel_tap(n > 0, "fault sweep %s: fail-nth reached allocation sites "
		"(stack filter on the module's text)", s->name);
	rel_tap(!bad, "fault sweep %s: every injected failure returned ENOMEM or "
		"was tolerated (%u did not)", s->name, bad);
	if (!s->info)
		rel_tap(!noreason, "fault sweep %s: every ENOMEM after the first "
			"allocation (the module's copy of the struct) said why (%u did "
			"not)", s->name, noreason);
	rel_tap(!leftover, "fault sweep %s: no module thread outlived a failed "
		"request", s->name);
	rel_tap(last == 0, "fault sweep %s: the request succeeds again after the "
		"sweep (%s)", s->name, rel_errname(-last));
}

/* Pages allocated before a failure must come back. */
static void amplifier(int fd)
{
	static const unsigned at[] = { 200, 600, 1000, 1400, 1800, 2000, 1200, 1600 };
	struct prepared p;
	struct shape s = { "RUN null 4K 2048 pages", 0, UB_BACKEND_NULL,
			   UB_GRANULE_4K, 0, 1, UB_CACHE_HOT, 2048, 0, 0 };
	long long before, after;
	unsigned fired = 0, enomem = 0;
	int ret;

	memset(&p, 0, sizeof(p));
	if (prepare(fd, &s, &p) || issue(fd, &s, &p)) {
		rel_tap(0, "fault amplifier: the 2048-page RUN fails without faults");
		return;
	}
	rel_sleep_ms(500);
	before = free_kb();
	for (unsigned i = 0; i < REL_ARRAY_SIZE(at); i++) {
		rel_write_file(nth_path, "%u", at[i]);
		ret = issue(fd, &s, &p);
		if (rel_read_ll(nth_path) == 0) {
			fired++;
			faults_total++;
		}
		rel_write_file(nth_path, "0");
		if (ret == -ENOMEM)
			enomem++;
	}
	rel_sleep_ms(1000);
	after = free_kb();
	rel_tap(fired == REL_ARRAY_SIZE(at) && enomem == fired,
		"fault amplifier: %u of %zu failures fired inside the page loop, "
		"%u returned ENOMEM", fired, REL_ARRAY_SIZE(at), enomem);
	rel_tap(before - after <= 8192,
		"fault amplifier: pages allocated before each failure came back "
		"(free %lld -> %lld KiB, slack 8192 KiB; a leak would lose up to "
		"39 MiB)", before, after);
}

/* Random failures in any task, the module's kthreads included. */
static void random_mode(int fd, unsigned runs)
{
	static const char *const dirs[] = { FS, FPA };
	const long long budget = 100000;
	struct prepared p;
	struct shape s = { "RUN 2 threads", 0, UB_BACKEND_MODEL, UB_GRANULE_4K, 1,
			   2, UB_CACHE_COLD, 8, 1, 1 };
	unsigned ok = 0, enomem = 0, bad = 0;
	long long fired = 0;
	int ret;

	memset(&p, 0, sizeof(p));
	if (prepare(fd, &s, &p)) {
		rel_tap(0, "fault random: preparing the RUN failed");
		return;
	}
	for (int i = 0; i < 2; i++) {
		attr_set(dirs[i], "times", "%lld", budget);
		attr_set(dirs[i], "probability", "5");
	}
	for (unsigned i = 0; i < runs; i++) {
		ret = issue(fd, &s, &p);
		if (ret == 0)
			ok++;
		else if (ret == -ENOMEM)
			enomem++;
		else {
			bad++;
			if (bad <= 5)
				rel_note("random: RUN %u gave %s (%s)", i, rel_errname(-ret),
					 p.x.r.reason);
		}
	}
	for (int i = 0; i < 2; i++) {
		attr_set(dirs[i], "probability", "0");
		fired += budget - attr_get(dirs[i], "times");
	}
	faults_total += fired;
	rel_note("random: %u RUNs: %u ok, %u ENOMEM, %u other; %lld faults injected",
		 runs, ok, enomem, bad, fired);
	rel_tap(!bad, "fault random: %u RUNs with 5%% of the module's allocations "
		"failing returned 0 or ENOMEM (%u did not)", runs, bad);
	rel_tap(fired > 0, "fault random: faults were injected (%lld)", fired);
	rel_tap(rel_module_threads(NULL, 0) == 0, "fault random: no module thread left");
	ret = issue(fd, &s, &p);
	rel_tap(ret == 0, "fault random: the RUN succeeds once faults stop (%s)",
		rel_errname(-ret));
}

int main(int argc, char **argv)
{
	unsigned random_runs = 20;
	int fd, opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt == 'r')
			random_runs = atoi(optarg);
		else {
			fprintf(stderr, "usage: rel_faultinj [-r RANDOM_RUNS]\n");
			return 2;
		}
	}
	if (access(FS, F_OK) || access(FPA, F_OK)) {
		rel_skip("fault injection", "no %s or %s: kernel without "
			 "FAULT_INJECTION_DEBUG_FS/FAILSLAB/FAIL_PAGE_ALLOC (the debug "
			 "flavour has them)", FS, FPA);
		return 0;
	}
	snprintf(nth_path, sizeof(nth_path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	if (access(nth_path, W_OK)) {
		rel_skip("fault injection", "%s not writable", nth_path);
		return 0;
	}
	fd = rel_open_ctl();
	if (fd < 0 || rel_info(fd, &info)) {
		rel_tap(0, "fault injection: open/INFO: %s", strerror(errno));
		return 1;
	}
	if (module_text_range()) {
		rel_tap(0, "fault injection: the module's text range (no "
			"[unmap_bench] text symbols in /proc/kallsyms)");
		return 1;
	}
	rel_note("module text %#lx-%#lx (stack-trace filter)", text_lo, text_hi);
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		rel_note("mlockall: %s (user page faults may add sites)", strerror(errno));
	if (attrs_setup()) {
		rel_tap(0, "fault injection: configuring %s and %s", FS, FPA);
		attrs_reset();
		return 1;
	}
	for (unsigned i = 0; i < REL_ARRAY_SIZE(shapes); i++)
		sweep(fd, &shapes[i]);
	amplifier(fd);
	if (random_runs)
		random_mode(fd, random_runs);
	attrs_reset();
	printf("FAULT-COUNTS injected=%" PRIu64 "\n", faults_total);
	close(fd);
	return rel_failed;
}
