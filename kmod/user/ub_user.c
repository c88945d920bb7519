// SPDX-License-Identifier: GPL-2.0
/*
 * The module's RUN and INFO in userspace (see ub_user.h): the userspace
 * side of the ub_port_*() hooks, the stand-in memmap, pinned threads and
 * the cache-state preparation, around the module's own portable code.
 * Mirrors ub_run.c; where it must differ (no IRQ control, no model/tdx
 * backend, no APERF/MPERF), INFO and the run's reasons say so.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ub_core.h"
#include "ub_user.h"

unsigned long ub_vmemmap_base;
struct ub_cpuinfo boot_cpu_data;

/* Userspace builds the null backend only. */
const struct ub_batch_table *const ub_batch_tables[UB_BACKEND_NR] = {
	[UB_BACKEND_NULL] = &ub_null_batch_table,
};

static int (*ub_user_stop_fn)(void);

/* The RUN in progress, for UB_IOC_PROGRESS (set while its threads run). */
static pthread_mutex_t ub_user_live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	const struct ub_run	*r;
	const struct ub_job	*j0;
	u64			t0_ns;
} ub_user_live;
static const char *ub_user_version = "native";
static pthread_mutex_t ub_user_run_lock = PTHREAD_MUTEX_INITIALIZER;

/* PFN of the first stand-in page: a realistic address above 4 GiB. */
#define UB_USER_BASE_PFN	0x100000ULL

void ub_user_set_stop(int (*fn)(void))
{
	ub_user_stop_fn = fn;
}

void ub_user_set_version(const char *version)
{
	ub_user_version = version;
}

/* ---- the ub_port_*() hooks ---- */

/*
 * Userspace cannot probe a pointer; what it can refuse is one into the
 * first 64 KiB, which is never mapped (vm.mmap_min_addr), as the module
 * refuses an unmapped one.
 */
#define UB_USER_MIN_ADDR	65536

int ub_port_copy_in(void *dst, u64 uptr, size_t len)
{
	if (uptr < UB_USER_MIN_ADDR)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)uptr, len);
	return 0;
}

int ub_port_copy_out(u64 uptr, const void *src, size_t len)
{
	if (uptr < UB_USER_MIN_ADDR)
		return -EFAULT;
	memcpy((void *)(uintptr_t)uptr, src, len);
	return 0;
}

/* Is @id in the kernel's list file @path ("0-3,8")? -1 if unreadable. */
static int ub_in_list(const char *path, long id)
{
	char buf[4096], *p, *end;
	long a, b;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	for (p = buf; *p && *p != '\n';) {
		a = strtol(p, &end, 10);
		if (end == p)
			return 0;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (id >= a && id <= b)
			return 1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* "MemFree:" of a meminfo file in kB, 0 if absent. */
static u64 ub_memfree_kb(const char *path)
{
	char line[256], *p;
	u64 kb = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "MemFree:");
		if (p) {
			kb = strtoull(p + 8, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

enum ub_port_state ub_port_node(int nid, u64 *free_pages)
{
	const char *sys = "/sys/devices/system/node";
	char path[128];

	if (access(sys, F_OK)) {	/* a kernel without NUMA: node 0 only */
		if (nid)
			return UB_PORT_ABSENT;
		*free_pages = ub_memfree_kb("/proc/meminfo") / 4;
		return UB_PORT_OK;
	}
	snprintf(path, sizeof(path), "%s/possible", sys);
	if (ub_in_list(path, nid) != 1)
		return UB_PORT_ABSENT;
	snprintf(path, sizeof(path), "%s/online", sys);
	if (ub_in_list(path, nid) != 1)
		return UB_PORT_OFFLINE;
	snprintf(path, sizeof(path), "%s/has_memory", sys);
	if (ub_in_list(path, nid) == 0)
		return UB_PORT_NO_MEMORY;
	snprintf(path, sizeof(path), "%s/node%d/meminfo", sys, nid);
	*free_pages = ub_memfree_kb(path) / 4;
	return UB_PORT_OK;
}

enum ub_port_state ub_port_cpu(u32 cpu, u32 *nr_ids)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int on;

	*nr_ids = n > 0 ? (u32)n : 1;
	if (cpu >= *nr_ids)
		return UB_PORT_ABSENT;
	on = ub_in_list("/sys/devices/system/cpu/online", cpu);
	return on == 0 ? UB_PORT_OFFLINE : UB_PORT_OK;
}

u32 ub_port_backend_insns(u32 backend, bool wbinvd, bool reset)
{
	(void)backend;
	(void)wbinvd;
	(void)reset;
	return 0;	/* the null backend executes no primitive */
}

/* ---- INFO ---- */

static double ub_tsc_khz(void)
{
	static double khz;
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	u64 t0, t1, n0, n1;

	if (khz > 0)
		return khz;
	n0 = ub_ns();
	t0 = ub_tsc();
	nanosleep(&ts, NULL);
	t1 = ub_tsc();
	n1 = ub_ns();
	if (n1 > n0 && t1 > t0)
		khz = (double)(t1 - t0) * 1e6 / (double)(n1 - n0);
	return khz;
}

static void ub_user_backends(struct ub_backends *bs)
{
	memset(bs, 0, sizeof(*bs));
	bs->usable = BIT(UB_BACKEND_NULL);
	strscpy(bs->reason[UB_BACKEND_AUTO], "auto: null (native)", UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_NULL],
		"null requested: API shape only, native userspace build",
		UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_MODEL],
		"native userspace build: the model backend runs in the kernel module only",
		UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_TDX],
		"native userspace build: SEAMCALL needs the kernel module on a TDX host",
		UB_REASON_LEN);
}

static void ub_user_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	unsigned int eax, ebx, ecx, edx;

	if (pthread_once(&once, ub_variants_init))
		return;
	__asm__ volatile("cpuid" : "=a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx)
			 : "a" (0x80000008U), "c" (0));
	boot_cpu_data.x86_phys_bits = (u8)(eax & 0xff);
}

static int ub_user_info(struct ub_info *info)
{
	struct ub_backends bs;
	u32 auto_used;

	ub_user_backends(&bs);
	ub_choose_backend(&bs, UB_BACKEND_AUTO, &auto_used, info->auto_reason,
			  sizeof(info->auto_reason));
	info->auto_backend = auto_used;
	info->backends = bs.usable | BIT(UB_BACKEND_AUTO);
	strscpy(info->tdx_reason, bs.reason[UB_BACKEND_TDX],
		sizeof(info->tdx_reason));
	ub_info_fill_common(info, auto_used);
	strscpy(info->module_version, ub_user_version,
		sizeof(info->module_version));
	info->x86_phys_bits = boot_cpu_data.x86_phys_bits;
	info->tsc_khz = (u64)(ub_tsc_khz() + 0.5);
	snprintf(info->build, sizeof(info->build),
		 "gcc %s; %s; userspace native build; %u replicas %u bytes apart",
		 __VERSION__,
#ifdef __OPTIMIZE_SIZE__
		 "-Os",
#else
		 "-O2 or above",
#endif
		 UB_NR_REPLICAS, UB_REPLICA_STEP);
	return 0;
}

/* ---- RUN ---- */

struct ub_uthread;

struct ub_urun {
	struct ub_run		*r;
	struct ub_plan		plan;
	struct ub_sample	*samples;
	u32			*hist;
	struct page		*memmap;	/* stand-in struct pages */
	u64			deadline_ns;
	struct ub_barrier	barrier;
	ub_atomic_t		arrived;
	volatile int		abort;
	bool			cold;
	u32			nr_threads;
	struct ub_uthread	*th;
};

struct ub_uthread {
	struct ub_urun		*ur;
	pthread_t		tid;
	u32			idx;
	u32			cpu;
	int			pin_err;	/* errno of pinning, 0 = pinned */
	u64			*unit;
	struct ub_stat		*stat;
	int			pmu_fd[UB_PMU_NR];
	u32			pmu_avail;
	struct ub_job		job;
};

/* As the module's: one byte of every line, inside the object. */
static void ub_lines(const void *p, size_t len, bool cold)
{
	uintptr_t a = (uintptr_t)p, end = a + len;

	for (; a < end; a = (a | (UB_LINE - 1)) + 1) {
		if (cold)
			__builtin_ia32_clflush((const void *)a);
		else
			(void)READ_ONCE(*(const u8 *)a);
	}
	if (cold)
		__builtin_ia32_mfence();
}

/* As the module's: every line an op reads, outside the timed region. */
static void ub_prep_cb(void *cookie, const struct ub_jvar *v, const u64 *unit,
		       u32 n)
{
	struct ub_uthread *t = cookie;
	size_t pages = t->ur->plan.unit_pages;
	u32 i;

	(void)v;	/* the null backend touches no page data */
	for (i = 0; i < n; i++)
		ub_lines(pfn_to_page(unit[i]), pages * sizeof(struct page),
			 t->ur->cold);
	ub_lines(unit, n * sizeof(*unit), t->ur->cold);
	ub_lines(&ub_vmemmap_base, sizeof(ub_vmemmap_base), t->ur->cold);
	ub_lines(&boot_cpu_data, sizeof(boot_cpu_data), t->ur->cold);
	ub_lines(&ub_params, sizeof(ub_params), t->ur->cold);
}

static u32 ub_stop_cb(void *cookie)
{
	struct ub_uthread *t = cookie;

	if (t->ur->abort || (ub_user_stop_fn && ub_user_stop_fn())) {
		t->ur->abort = 1;
		return UB_STATUS_SIGNAL;
	}
	if (ub_ns() > t->ur->deadline_ns)
		return UB_STATUS_WALL_CAP;
	return 0;
}

static u32 ub_sync_cb(void *cookie)
{
	struct ub_uthread *t = cookie;

	return ub_barrier_wait(&t->ur->barrier, ub_stop_cb, t);
}

static void ub_pmu_cb(void *cookie, u64 *vals)
{
	struct ub_uthread *t = cookie;
	int c;

	for (c = 0; c < UB_PMU_NR; c++)
		if (t->pmu_fd[c] < 0 ||
		    read(t->pmu_fd[c], &vals[c], sizeof(vals[c])) != sizeof(vals[c]))
			vals[c] = 0;
}

static const struct ub_job_ops ub_uops = {
	.prep = ub_prep_cb, .stop = ub_stop_cb, .sync = ub_sync_cb,
};

static const struct ub_job_ops ub_uops_pmu = {
	.prep = ub_prep_cb, .stop = ub_stop_cb, .sync = ub_sync_cb,
	.pmu_read = ub_pmu_cb,
};

/* This thread's counters (user mode only); the reason when one is missing. */
static void ub_pmu_open(struct ub_uthread *t, char *why, size_t len)
{
	static const struct { u32 type; u64 config; const char *name; } ev[] = {
		{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions" },
		{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "core cycles" },
		{ PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_L1D |
		  (PERF_COUNT_HW_CACHE_OP_READ << 8) |
		  (PERF_COUNT_HW_CACHE_RESULT_MISS << 16), "L1D read misses" },
	};
	int err[UB_PMU_NR], c, same = 1;
	struct perf_event_attr a;
	size_t off = 0;

	for (c = 0; c < UB_PMU_NR; c++) {
		memset(&a, 0, sizeof(a));
		a.type = ev[c].type;
		a.size = sizeof(a);
		a.config = ev[c].config;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		t->pmu_fd[c] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
					    PERF_FLAG_FD_CLOEXEC);
		err[c] = t->pmu_fd[c] < 0 ? errno : 0;
		if (!err[c])
			t->pmu_avail |= BIT(c);
		same &= err[c] == err[0];
	}
	if (t->pmu_avail == (1U << UB_PMU_NR) - 1 || why[0])
		return;
	if (same) {
		snprintf(why, len, "unavailable: perf_event_open: %s",
			 strerror(err[0]));
		return;
	}
	for (c = 0; c < UB_PMU_NR && off < len; c++)
		if (err[c])
			off += (size_t)snprintf(why + off, len - off, "%s%s: %s",
						off ? ", " : "unavailable: ",
						ev[c].name, strerror(err[c]));
}

static void *ub_thread_fn(void *arg)
{
	struct ub_uthread *t = arg;
	struct ub_urun *ur = t->ur;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	t->pin_err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (t->pin_err)
		ur->abort = 1;	/* nobody waits for a thread that cannot run */
	if (ur->r->flags & UB_RUN_PMU)
		ub_pmu_open(t, ur->r->pmu_reason, sizeof(ur->r->pmu_reason));
	t->job.ops = t->pmu_avail ? &ub_uops_pmu : &ub_uops;
	ub_atomic_inc(&ur->arrived);
	while ((u32)ub_atomic_read(&ur->arrived) < ur->nr_threads)
		ub_cpu_relax();
	if (t->pmu_avail)
		ub_pmu_overhead(&t->job, t->job.pmu_overhead);
	if (!t->pin_err)
		ub_engine_run(&t->job);
	return NULL;
}

static void ub_urun_free(struct ub_urun *ur)
{
	u32 i;
	int c;

	for (i = 0; ur->th && i < ur->nr_threads; i++) {
		free(ur->th[i].unit);
		free(ur->th[i].stat);
		for (c = 0; c < UB_PMU_NR; c++)
			if (ur->th[i].pmu_fd[c] >= 0)
				close(ur->th[i].pmu_fd[c]);
	}
	free(ur->th);
	free(ur->memmap);
	free(ur->samples);
	free(ur->hist);
}

/* Units of every thread: stand-in PFNs over one stand-in memmap. */
static int ub_urun_alloc(struct ub_run *r, struct ub_urun *ur)
{
	u64 pages = r->nr_units * ur->plan.unit_pages, rng, i;
	struct ub_uthread *t;
	u32 k, s;

	ur->th = calloc(r->nr_threads, sizeof(*ur->th));
	ur->memmap = calloc(pages * r->nr_threads, sizeof(struct page));
	if (r->samples)
		ur->samples = calloc(1, r->samples_needed);
	if (r->hist)
		ur->hist = calloc(1, r->hist_needed);
	if (!ur->th || !ur->memmap || (r->samples && !ur->samples) ||
	    (r->hist && !ur->hist))
		return ub_fail(r, -ENOMEM, "out of memory for the run's tables");
	ur->nr_threads = r->nr_threads;
	ub_vmemmap_base = (unsigned long)ur->memmap -
			  UB_USER_BASE_PFN * sizeof(struct page);
	for (k = 0; k < r->nr_threads; k++) {
		t = &ur->th[k];
		t->ur = ur;
		t->idx = k;
		t->cpu = ur->plan.cpus[k];
		memset(t->pmu_fd, -1, sizeof(t->pmu_fd));
		t->unit = calloc(r->nr_units, sizeof(u64));
		t->stat = calloc(ur->plan.nsel, sizeof(*t->stat));
		if (!t->unit || !t->stat)
			return ub_fail(r, -ENOMEM, "out of memory for thread %u's tables", k);
		for (i = 0; i < r->nr_units; i++)
			t->unit[i] = UB_USER_BASE_PFN + k * pages +
				     i * ur->plan.unit_pages;
		rng = r->seed ^ (0x9e3779b97f4a7c15ULL * (k + 1));
		ub_shuffle_u64(t->unit, r->nr_units, &rng);
		for (s = 0; s < ur->plan.nsel; s++)
			ub_stat_init(&t->stat[s]);
		ub_plan_job(r, &ur->plan, k, &t->job, ur->samples, ur->hist);
		t->job.unit = t->unit;
		t->job.stat = t->stat;
		t->job.ops = &ub_uops;
		t->job.cookie = t;
	}
	return 0;
}

static int ub_urun_threads(struct ub_run *r, struct ub_urun *ur)
{
	u32 i, started;
	int e = 0;

	ub_barrier_init(&ur->barrier, ur->nr_threads);
	ub_atomic_set(&ur->arrived, 0);
	pthread_mutex_lock(&ub_user_live_lock);
	ub_user_live.r = r;
	ub_user_live.j0 = &ur->th[0].job;
	ub_user_live.t0_ns = ub_ns();
	pthread_mutex_unlock(&ub_user_live_lock);
	ur->deadline_ns = ub_ns() +
		(r->max_wall_ms ? r->max_wall_ms : UB_DEFAULT_WALL_MS) * 1000000ULL;
	for (started = 0; started < ur->nr_threads; started++) {
		e = pthread_create(&ur->th[started].tid, NULL, ub_thread_fn,
				   &ur->th[started]);
		if (e)
			break;
	}
	if (e) {
		ur->abort = 1;
		/* Threads that started wait for the rest: let them through. */
		while ((u32)ub_atomic_read(&ur->arrived) < started)
			ub_cpu_relax();
		ub_atomic_set(&ur->arrived, (int)ur->nr_threads);
	}
	for (i = 0; i < started; i++)
		pthread_join(ur->th[i].tid, NULL);
	pthread_mutex_lock(&ub_user_live_lock);
	ub_user_live.r = NULL;
	pthread_mutex_unlock(&ub_user_live_lock);
	if (e)
		return ub_fail(r, -e, "creating thread %u failed", started);
	for (i = 0; i < ur->nr_threads; i++)
		if (ur->th[i].pin_err)
			return ub_fail(r, -ESRCH,
				       "cpus[%u] = %u: this process may not run there (%s)",
				       i, ur->th[i].cpu, strerror(ur->th[i].pin_err));
	return 0;
}

static int ub_urun_finish(struct ub_run *r, struct ub_urun *ur)
{
	struct ub_job *jobs[UB_MAX_THREADS];
	struct ub_result *res;
	u32 i, avail = (1U << UB_PMU_NR) - 1;
	int ret;

	res = calloc(ur->nr_threads * ur->plan.nsel, sizeof(*res));
	if (!res)
		return ub_fail(r, -ENOMEM, "out of memory for the results");
	for (i = 0; i < ur->nr_threads; i++) {
		jobs[i] = &ur->th[i].job;
		avail &= ur->th[i].pmu_avail;
	}
	if (r->flags & UB_RUN_PMU)
		r->pmu_avail = avail;
	ret = ub_collect(r, &ur->plan, jobs, ur->plan.cpus, ur->nr_threads, res);
	if (!ret && (ub_port_copy_out(r->results, res, r->results_needed) ||
		     (ur->samples &&
		      ub_port_copy_out(r->samples, ur->samples, r->samples_needed)) ||
		     (ur->hist && ub_port_copy_out(r->hist, ur->hist, r->hist_needed))))
		ret = ub_fail(r, -EFAULT, "cannot write the result buffers");
	free(res);
	return ret;
}

static u32 ub_prep_lines(const struct ub_plan *p)
{
	(void)p;
	return UB_LINES_STRUCT_PAGE | UB_LINES_UNITS | UB_LINES_VMEMMAP_BASE |
	       UB_LINES_PHYS_BITS | UB_LINES_PARAMS;
}

static int ub_user_run_locked(struct ub_run *r)
{
	struct ub_backends bs;
	struct ub_urun *ur;
	int ret;

	ur = calloc(1, sizeof(*ur));
	if (!ur)
		return ub_fail(r, -ENOMEM, "out of memory for the run state");
	ur->r = r;
	ub_user_backends(&bs);
	ret = ub_check_run(r, &ur->plan, &bs);
	ub_params.hkid = 1;
	ub_params.reset_clear = r->reset_mode == UB_RESET_FORCE;
	if (!ret)
		ret = ub_check_node(r, &ur->plan);
	if (!ret)
		ret = ub_check_cpus(r, &ur->plan);
	if (!ret)
		ret = ub_urun_alloc(r, ur);
	if (ret)
		goto out;
	ur->cold = r->cache_state == UB_CACHE_COLD;
	ub_params.phys_mask = BIT_ULL(boot_cpu_data.x86_phys_bits) - 1;
	r->tsc_khz = (u64)(ub_tsc_khz() + 0.5);
	r->timer_overhead = ub_timer_overhead(r->timer);
	r->prep_lines = ub_prep_lines(&ur->plan);
	r->batch_used = r->batch < r->nr_units ? r->batch : (u32)r->nr_units;
	for (u32 i = 0; i < ur->nr_threads; i++)
		ur->th[i].job.batch = r->batch_used;
	ret = ub_urun_threads(r, ur);
	if (!ret)
		ret = ub_urun_finish(r, ur);
out:
	ub_urun_free(ur);
	free(ur);
	return ret;
}

static int ub_user_run(struct ub_run *r)
{
	u64 t0 = ub_ns();
	int ret;

	/* Outputs start from zero whatever the caller left in them. */
	memset(&r->nr_selected, 0,
	       offsetof(struct ub_run, warmup) - offsetof(struct ub_run, nr_selected));
	memset(&r->prep_lines, 0, sizeof(*r) - offsetof(struct ub_run, prep_lines));
	if (!pthread_mutex_trylock(&ub_user_run_lock)) {
		ret = ub_user_run_locked(r);
		pthread_mutex_unlock(&ub_user_run_lock);
	} else {
		ret = ub_fail(r, -EBUSY,
			      "another RUN is in progress (RUNs are serialised, not queued)");
	}
	r->elapsed_ns = ub_ns() - t0;
	return ret;
}

static int ub_user_progress(u64 uarg, u32 usize)
{
	struct ub_run_progress in, p = { 0 };
	int ret;

	ret = ub_copy_struct_in(&in, sizeof(in), UB_PROGRESS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	p.size = in.size;
	pthread_mutex_lock(&ub_user_live_lock);
	if (ub_user_live.r)
		ub_progress_fill(&p, ub_user_live.r, ub_user_live.j0,
				 ub_user_live.t0_ns);
	pthread_mutex_unlock(&ub_user_live_lock);
	return ub_port_copy_out(uarg, &p, usize < sizeof(p) ? usize : sizeof(p));
}

int ub_user_ioctl(unsigned long cmd, void *arg)
{
	u32 usize = _IOC_SIZE(cmd);
	struct ub_info *info;
	struct ub_run *r;
	u64 uarg = (u64)(uintptr_t)arg;
	int ret;

	ub_user_init();
	if (_IOC_TYPE(cmd) != UB_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    (_IOC_NR(cmd) != _IOC_NR(UB_IOC_INFO) &&
	     _IOC_NR(cmd) != _IOC_NR(UB_IOC_RUN) &&
	     _IOC_NR(cmd) != _IOC_NR(UB_IOC_PROGRESS))) {
		errno = ENOTTY;
		return -1;
	}
	if (_IOC_NR(cmd) == _IOC_NR(UB_IOC_PROGRESS)) {
		ret = ub_user_progress(uarg, usize);
	} else if (_IOC_NR(cmd) == _IOC_NR(UB_IOC_INFO)) {
		info = calloc(1, sizeof(*info));
		if (!info) {
			errno = ENOMEM;
			return -1;
		}
		ret = ub_copy_struct_in(info, sizeof(*info), UB_INFO_SIZE_VER0,
					uarg, usize);
		if (!ret)
			ret = ub_user_info(info);
		if (!ret)
			ret = ub_port_copy_out(uarg, info,
					       usize < sizeof(*info) ? usize : sizeof(*info));
		free(info);
	} else {
		r = calloc(1, sizeof(*r));
		if (!r) {
			errno = ENOMEM;
			return -1;
		}
		ret = ub_copy_struct_in(r, sizeof(*r), UB_RUN_SIZE_VER0, uarg, usize);
		if (!ret) {
			ret = ub_user_run(r);
			if (ub_port_copy_out(uarg, r, usize < sizeof(*r) ?
					     usize : sizeof(*r)))
				ret = -EFAULT;
		} else {
			ret = ub_run_size_error(r, ret, uarg, usize);
		}
		free(r);
	}
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}
