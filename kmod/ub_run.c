// SPDX-License-Identifier: GPL-2.0
/*
 * UB_IOC_RUN: the kernel's side of a run. The checks, the schedule, the
 * engine and the collection of results are portable (ub_check.c,
 * ub_order.c, ub_timing.c, ub_collect.c); here are pages, kernel
 * threads, the cache state before each batch, PMU counters and copying.
 *
 * One RUN at a time: a second concurrent RUN gets EBUSY at once (it does
 * not wait). The caller sleeps interruptibly while the threads run; a
 * signal sets an abort flag that every thread checks before each batch
 * and while it waits at the lockstep barrier, and the caller then waits
 * (uninterruptibly) for them to finish that batch, so a signal ends a run
 * within one batch plus a reschedule. The partial results are returned
 * with UB_STATUS_SIGNAL and the ioctl returns 0. CPU hotplug waits while
 * a RUN holds its CPUs.
 *
 * Nothing allocated here outlives the call, whatever the outcome.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>

#include "ub.h"

static DEFINE_MUTEX(ub_run_lock);

/* The RUN in progress, for UB_IOC_PROGRESS (set while its threads run). */
static DEFINE_SPINLOCK(ub_live_lock);
static struct {
	const struct ub_run	*r;
	const struct ub_job	*j0;
	u64			t0_ns;
} ub_live;

struct ub_runctx;

struct ub_thread {
	struct ub_runctx	*rc;
	struct task_struct	*task;
	u32			idx;
	u32			cpu;
	u64			*unit;		/* first PFN of each unit */
	u64			nr_alloc;	/* units allocated so far */
	struct ub_stat		*stat;		/* [nsel] */
	struct ub_pmu		pmu;
	u64			aperf, mperf;	/* deltas over the run, 0 = unread */
	struct ub_job		job;
};

struct ub_runctx {
	struct ub_run		*r;
	struct ub_plan		*plan;
	u64			deadline_ns;
	struct ub_sample	*samples;	/* [thread][round][sel] */
	u32			*hist;		/* [thread][sel][bucket] */
	struct ub_barrier	barrier;
	bool			go;
	bool			abort;
	bool			cold;
	wait_queue_head_t	go_wq;
	atomic_t		arrived;
	atomic_t		running;
	struct completion	done;
	u32			nr_threads;
	struct ub_thread	th[] __counted_by(nr_threads);
};

static const char *ub_granule_name(u32 g)
{
	return g == UB_GRANULE_2M ? "2M" : "4K";
}

static void ub_free_thread(struct ub_runctx *rc, struct ub_thread *t)
{
	u64 i;

	if (t->unit)
		for (i = 0; i < t->nr_alloc; i++)
			__free_pages(pfn_to_page(t->unit[i]), rc->plan->order);
	kvfree(t->unit);
	kfree(t->stat);
	ub_pmu_close(&t->pmu);
}

static void ub_free(struct ub_runctx *rc)
{
	u32 i;

	for (i = 0; i < rc->nr_threads; i++)
		ub_free_thread(rc, &rc->th[i]);
	kvfree(rc->samples);
	kvfree(rc->hist);
	kfree(rc->plan);
	kvfree(rc);
}

static int ub_alloc_thread(struct ub_run *r, struct ub_runctx *rc,
			   struct ub_thread *t)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN |
		    __GFP_RETRY_MAYFAIL;
	struct page *page;
	u64 rng;
	u32 i;

	if (rc->plan->order)
		gfp |= __GFP_COMP;
	t->unit = kvmalloc_array(r->nr_units, sizeof(u64), GFP_KERNEL);
	t->stat = kcalloc(rc->plan->nsel, sizeof(*t->stat), GFP_KERNEL);
	if (!t->unit || !t->stat)
		return ub_fail(r, -ENOMEM, "out of memory for thread %u's tables",
			       t->idx);
	for (t->nr_alloc = 0; t->nr_alloc < r->nr_units; t->nr_alloc++) {
		page = alloc_pages_node(r->node, gfp, rc->plan->order);
		if (!page)
			return ub_fail(r, -ENOMEM,
				       "allocating %s unit %llu of thread %u on node %d failed",
				       ub_granule_name(r->granule), t->nr_alloc,
				       t->idx, r->node);
		t->unit[t->nr_alloc] = page_to_pfn(page);
		cond_resched();
	}
	/* Visit the pages in a seeded random order, one order per thread. */
	rng = r->seed ^ (0x9e3779b97f4a7c15ULL * (t->idx + 1));
	ub_shuffle_u64(t->unit, r->nr_units, &rng);
	for (i = 0; i < rc->plan->nsel; i++)
		ub_stat_init(&t->stat[i]);
	return 0;
}

/*
 * Re-read (hot) or flush (cold) the lines of [p, p + len). Hot reads one
 * byte of every line inside the object (from p, then each next line's
 * start), never a byte outside it.
 */
static void ub_lines(const void *p, size_t len, bool cold)
{
	unsigned long a = (unsigned long)p, end = a + len;

	if (cold) {
		clflush_cache_range((void *)p, len);
		return;
	}
	for (; a < end; a = (a | (UB_LINE - 1UL)) + 1)
		(void)READ_ONCE(*(const u8 *)a);
}

/* What every batch's cache-state preparation covers, for the record. */
static u32 ub_prep_lines(const struct ub_plan *p)
{
	u32 lines = UB_LINES_STRUCT_PAGE | UB_LINES_UNITS | UB_LINES_PHYS_BITS |
		    UB_LINES_PARAMS;
	u32 i;

	if (IS_ENABLED(CONFIG_DYNAMIC_MEMORY_LAYOUT))
		lines |= UB_LINES_VMEMMAP_BASE;
	for (i = 0; i < p->nsel; i++)
		if (p->jvar[i].touches_data)
			lines |= UB_LINES_DATA;
	return lines;
}

/*
 * The cache state of the next batch: every line an op of either shape
 * reads, re-read (hot) or flushed (cold) outside the timed region.
 */
static void ub_prep_cb(void *cookie, const struct ub_jvar *v, const u64 *unit,
		       u32 n)
{
	struct ub_thread *t = cookie;
	struct ub_runctx *rc = t->rc;
	size_t pages = rc->plan->unit_pages;
	bool cold = rc->cold;
	u32 i;

	for (i = 0; i < n; i++) {
		if (v->touches_data)
			ub_lines(__va(PFN_PHYS(unit[i])), pages << PAGE_SHIFT, cold);
		ub_lines(pfn_to_page(unit[i]), pages * sizeof(struct page), cold);
	}
	ub_lines(unit, n * sizeof(*unit), cold);
#ifdef CONFIG_DYNAMIC_MEMORY_LAYOUT
	ub_lines(&vmemmap_base, sizeof(vmemmap_base), cold);
#endif
	ub_lines(&boot_cpu_data.x86_phys_bits,
		 sizeof(boot_cpu_data.x86_phys_bits), cold);
	ub_lines(&ub_params, sizeof(ub_params), cold);
}

static u32 ub_stop_cb(void *cookie)
{
	struct ub_thread *t = cookie;
	struct ub_runctx *rc = t->rc;

	if (READ_ONCE(rc->abort) || kthread_should_stop())
		return UB_STATUS_SIGNAL;
	if (ktime_get_ns() > rc->deadline_ns)
		return UB_STATUS_WALL_CAP;
	return 0;
}

static u32 ub_sync_cb(void *cookie)
{
	struct ub_thread *t = cookie;

	return ub_barrier_wait(&t->rc->barrier, ub_stop_cb, t);
}

static void ub_pmu_cb(void *cookie, u64 *vals)
{
	struct ub_thread *t = cookie;

	ub_pmu_read(&t->pmu, vals);
}

static const struct ub_job_ops ub_ops = {
	.prep = ub_prep_cb, .stop = ub_stop_cb, .sync = ub_sync_cb,
};

static const struct ub_job_ops ub_ops_pmu = {
	.prep = ub_prep_cb, .stop = ub_stop_cb, .sync = ub_sync_cb,
	.pmu_read = ub_pmu_cb,
};

static int ub_thread_fn(void *data)
{
	struct ub_thread *t = data;
	struct ub_runctx *rc = t->rc;
	u64 a0, m0, a1, m1;
	bool msr;

	wait_event(rc->go_wq, READ_ONCE(rc->go) || kthread_should_stop());
	if (READ_ONCE(rc->go)) {
		/* Start together: wait until every thread is on its CPU. */
		atomic_inc(&rc->arrived);
		while (atomic_read(&rc->arrived) < rc->nr_threads &&
		       !READ_ONCE(rc->abort))
			cond_resched();
		if (t->job.ops->pmu_read)
			ub_pmu_overhead(&t->job, t->job.pmu_overhead);
		msr = ub_read_aperf_mperf(&a0, &m0);
		ub_engine_run(&t->job);
		if (msr && ub_read_aperf_mperf(&a1, &m1)) {
			t->aperf = a1 - a0;
			t->mperf = m1 - m0;
		}
	}
	if (atomic_dec_and_test(&rc->running))
		complete(&rc->done);

	/* Stay until kthread_stop(), so the task cannot vanish under it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Per-thread PMU counters; the run records what is missing and why. */
static void ub_open_pmu(struct ub_run *r, struct ub_runctx *rc)
{
	u32 i, avail = (1U << UB_PMU_NR) - 1;

	for (i = 0; i < rc->nr_threads; i++) {
		ub_pmu_open(&rc->th[i].pmu, rc->th[i].cpu, r->pmu_reason,
			    sizeof(r->pmu_reason));
		avail &= rc->th[i].pmu.avail;
	}
	r->pmu_avail = avail;
}

static void ub_setup_jobs(struct ub_run *r, struct ub_runctx *rc)
{
	bool pmu = r->flags & UB_RUN_PMU;
	struct ub_thread *t;
	u32 i;

	rc->cold = r->cache_state == UB_CACHE_COLD;
	ub_barrier_init(&rc->barrier, rc->nr_threads);
	if (pmu)
		ub_open_pmu(r, rc);
	for (i = 0; i < rc->nr_threads; i++) {
		t = &rc->th[i];
		ub_plan_job(r, rc->plan, i, &t->job, rc->samples, rc->hist);
		t->job.unit = t->unit;
		t->job.stat = t->stat;
		t->job.ops = pmu && t->pmu.avail ? &ub_ops_pmu : &ub_ops;
		t->job.cookie = t;
	}
	r->prep_lines = ub_prep_lines(rc->plan);
}

/* Start the threads on their CPUs, wait for them, stop them. */
static int ub_run_threads(struct ub_run *r, struct ub_runctx *rc)
{
	struct ub_thread *t;
	u32 i, created;
	int ret = 0;

	init_waitqueue_head(&rc->go_wq);
	init_completion(&rc->done);
	atomic_set(&rc->arrived, 0);
	atomic_set(&rc->running, rc->nr_threads);

	for (created = 0; created < rc->nr_threads; created++) {
		t = &rc->th[created];
		t->task = kthread_create_on_node(ub_thread_fn, t,
						 cpu_to_node(t->cpu),
						 "unmap_bench/%u", t->idx);
		if (IS_ERR(t->task)) {
			ret = ub_fail(r, PTR_ERR(t->task),
				      "creating thread %u failed", t->idx);
			t->task = NULL;
			break;
		}
		kthread_bind(t->task, t->cpu);
	}
	if (ret) {
		/* Never woken: kthread_stop() reaps them without running. */
		for (i = 0; i < created; i++)
			kthread_stop(rc->th[i].task);
		return ret;
	}

	rc->deadline_ns = ktime_get_ns() +
		(r->max_wall_ms ?: UB_DEFAULT_WALL_MS) * NSEC_PER_MSEC;
	spin_lock(&ub_live_lock);
	ub_live.r = r;
	ub_live.j0 = &rc->th[0].job;
	ub_live.t0_ns = ktime_get_ns();
	spin_unlock(&ub_live_lock);
	for (i = 0; i < rc->nr_threads; i++)
		wake_up_process(rc->th[i].task);
	WRITE_ONCE(rc->go, true);
	wake_up_all(&rc->go_wq);

	if (wait_for_completion_interruptible(&rc->done)) {
		WRITE_ONCE(rc->abort, true);
		wait_for_completion(&rc->done);
	}
	spin_lock(&ub_live_lock);
	ub_live.r = NULL;
	ub_live.j0 = NULL;
	spin_unlock(&ub_live_lock);
	for (i = 0; i < rc->nr_threads; i++)
		kthread_stop(rc->th[i].task);
	return 0;
}

long ub_ioctl_progress(u64 uarg, u32 usize)
{
	struct ub_run_progress in, p = { 0 };
	long ret;

	ret = ub_copy_struct_in(&in, sizeof(in), UB_PROGRESS_SIZE_VER0, uarg, usize);
	if (ret)
		return ret;
	p.size = in.size;
	spin_lock(&ub_live_lock);
	if (ub_live.r)
		ub_progress_fill(&p, ub_live.r, ub_live.j0, ub_live.t0_ns);
	spin_unlock(&ub_live_lock);
	return ub_port_copy_out(uarg, &p, min_t(size_t, usize, sizeof(p)));
}

/* Gather the threads' results and copy every buffer out. */
static int ub_finish(struct ub_run *r, struct ub_runctx *rc)
{
	struct ub_job *jobs[UB_MAX_THREADS];
	struct ub_result *res;
	u32 i, s;
	int ret;

	res = kvcalloc(rc->nr_threads * rc->plan->nsel, sizeof(*res), GFP_KERNEL);
	if (!res)
		return ub_fail(r, -ENOMEM, "out of memory for the results");
	for (i = 0; i < rc->nr_threads; i++)
		jobs[i] = &rc->th[i].job;
	ret = ub_collect(r, rc->plan, jobs, rc->plan->cpus, rc->nr_threads, res);
	if (ret)
		goto out;
	for (i = 0; i < rc->nr_threads; i++)
		for (s = 0; s < rc->plan->nsel; s++) {
			res[i * rc->plan->nsel + s].aperf = rc->th[i].aperf;
			res[i * rc->plan->nsel + s].mperf = rc->th[i].mperf;
		}
	if (ub_port_copy_out(r->results, res, r->results_needed) ||
	    (rc->samples &&
	     ub_port_copy_out(r->samples, rc->samples, r->samples_needed)) ||
	    (rc->hist && ub_port_copy_out(r->hist, rc->hist, r->hist_needed)))
		ret = ub_fail(r, -EFAULT, "cannot write the result buffers");
out:
	kvfree(res);
	return ret;
}

/* Checks that need no resources, the backend under the probe lock. */
static int ub_run_check(struct ub_run *r, struct ub_plan *plan)
{
	struct ub_backends *bs;
	int ret;

	bs = kzalloc_obj(*bs);
	if (!bs)
		return ub_fail(r, -ENOMEM, "out of memory for the backend state");
	ub_backends_get(bs);
	ret = ub_check_run(r, plan, bs);
	ub_params.hkid = ub_tdx.global_keyid ? ub_tdx.global_keyid : 1;
	ub_params.reset_clear = r->reset_mode == UB_RESET_FORCE ||
				bs->pw_mce_erratum;
	ub_backends_put();
	kfree(bs);
	if (!ret)
		ret = ub_check_node(r, plan);
	return ret;
}

static int ub_alloc_buffers(struct ub_run *r, struct ub_runctx *rc)
{
	if (r->samples) {
		rc->samples = kvcalloc(r->samples_needed, 1, GFP_KERNEL);
		if (!rc->samples)
			return ub_fail(r, -ENOMEM, "out of memory for %llu bytes of samples",
				       r->samples_needed);
	}
	if (r->hist) {
		rc->hist = kvcalloc(r->hist_needed, 1, GFP_KERNEL);
		if (!rc->hist)
			return ub_fail(r, -ENOMEM, "out of memory for %llu bytes of histograms",
				       r->hist_needed);
	}
	return 0;
}

/* With IRQs off and bounded, shorten the batch to fit the bound. */
static void ub_clamp_batch(struct ub_run *r, struct ub_runctx *rc)
{
	u32 i, b;

	r->batch_used = r->batch < r->nr_units ? r->batch : (u32)r->nr_units;
	if (!(r->flags & UB_RUN_IRQ_OFF) || !r->max_irqoff_ns)
		return;
	b = ub_engine_clamp_batch(&rc->th[0].job, r->max_irqoff_ns);
	if (b < r->batch_used) {
		r->batch_used = b;
		r->status |= UB_STATUS_IRQOFF_CLAMP;
	}
	for (i = 0; i < rc->nr_threads; i++)
		rc->th[i].job.batch = r->batch_used;
}

static int ub_run_locked(struct ub_run *r)
{
	struct ub_runctx *rc;
	struct ub_plan *plan;
	u32 i;
	int ret;

	plan = kzalloc_obj(*plan);
	if (!plan)
		return ub_fail(r, -ENOMEM, "out of memory for the run plan");
	ret = ub_run_check(r, plan);
	if (ret) {
		kfree(plan);
		return ret;
	}
	rc = kvzalloc(struct_size(rc, th, r->nr_threads), GFP_KERNEL);
	if (!rc) {
		kfree(plan);
		return ub_fail(r, -ENOMEM, "out of memory for the run state");
	}
	rc->nr_threads = r->nr_threads;
	rc->r = r;
	rc->plan = plan;

	cpus_read_lock();
	ret = ub_check_cpus(r, plan);
	if (!ret)
		ret = ub_alloc_buffers(r, rc);
	for (i = 0; !ret && i < rc->nr_threads; i++) {
		rc->th[i].rc = rc;
		rc->th[i].idx = i;
		rc->th[i].cpu = plan->cpus[i];
		ret = ub_alloc_thread(r, rc, &rc->th[i]);
	}
	if (ret)
		goto out;

	ub_params.phys_mask = BIT_ULL(boot_cpu_data.x86_phys_bits) - 1;
	r->tsc_khz = tsc_khz;
	r->timer_overhead = ub_timer_overhead(r->timer);
	ub_setup_jobs(r, rc);
	ub_clamp_batch(r, rc);
	ret = ub_run_threads(r, rc);
	if (!ret)
		ret = ub_finish(r, rc);
out:
	cpus_read_unlock();
	ub_free(rc);
	return ret;
}

/* Zero bytes [from, to) of @r (the out fields of one ABI version). */
static void ub_zero(struct ub_run *r, size_t from, size_t to)
{
	memset((u8 *)r + from, 0, to - from);
}

long ub_ioctl_run(u64 uarg, u32 usize)
{
	struct ub_run *r;
	u64 t0 = ktime_get_ns();
	long ret;

	r = kzalloc_obj(*r);
	if (!r)
		return -ENOMEM;
	ret = ub_copy_struct_in(r, sizeof(*r), UB_RUN_SIZE_VER0, uarg, usize);
	if (ret) {
		ret = ub_run_size_error(r, ret, uarg, usize);
		goto out;
	}
	/* Outputs start from zero whatever the caller left in them. */
	ub_zero(r, offsetof(struct ub_run, nr_selected),
		offsetof(struct ub_run, warmup));
	ub_zero(r, offsetof(struct ub_run, prep_lines), sizeof(*r));

	if (mutex_trylock(&ub_run_lock)) {
		ret = ub_run_locked(r);
		mutex_unlock(&ub_run_lock);
	} else {
		ret = ub_fail(r, -EBUSY,
			      "another RUN is in progress (RUNs are serialised, not queued)");
	}
	r->elapsed_ns = ktime_get_ns() - t0;
	if (ub_port_copy_out(uarg, r, min_t(size_t, usize, sizeof(*r))))
		ret = -EFAULT;
out:
	kfree(r);
	return ret;
}
