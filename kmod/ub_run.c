// SPDX-License-Identifier: GPL-2.0
/*
 * UB_IOC_RUN: validation, pages, threads, results.
 *
 * One RUN at a time: a second concurrent RUN gets EBUSY at once (it does
 * not wait). The caller sleeps interruptibly while the threads run; a
 * signal sets an abort flag that every thread checks before each batch,
 * and the caller then waits (uninterruptibly) for them to finish that
 * batch, so a signal ends a run within one batch plus a reschedule. The
 * partial results are returned with UB_STATUS_SIGNAL and the ioctl
 * returns 0. CPU hotplug waits while a RUN holds its CPUs.
 *
 * Nothing allocated here outlives the call, whatever the outcome.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>
#include <linux/wait.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "ub.h"

static DEFINE_MUTEX(ub_run_lock);

struct ub_runctx;

struct ub_thread {
	struct ub_runctx	*rc;
	struct task_struct	*task;
	u32			idx;
	u32			cpu;
	u64			*unit;		/* first PFN of each unit */
	u64			nr_alloc;	/* units allocated so far */
	struct ub_stat		*stat;		/* [nsel] */
	u32			*order;		/* [nsel] scratch */
	struct ub_job		job;
};

struct ub_runctx {
	struct ub_run		*r;
	u32			nsel;
	u32			sel[UB_MAX_VARIANTS];	/* table indices */
	struct ub_jvar		jvar[UB_MAX_VARIANTS];
	u32			backend;
	u32			order;		/* page order of a unit */
	u32			unit_pages;
	u32			cpus[UB_MAX_THREADS];
	u64			deadline_ns;
	u64			*samples;	/* [thread][round][sel] */
	u32			*hist;		/* [thread][sel][bucket] */
	bool			go;
	bool			abort;
	wait_queue_head_t	go_wq;
	atomic_t		arrived;
	atomic_t		running;
	struct completion	done;
	u32			nr_threads;
	struct ub_thread	th[] __counted_by(nr_threads);
};

static __printf(3, 4) int ub_fail(struct ub_run *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return err;
}

static const char *ub_granule_name(u32 g)
{
	return g == UB_GRANULE_2M ? "2M" : "4K";
}

/* Free pages of a node (the vmstat helpers summing them are not exported). */
static u64 ub_node_free_pages(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	u64 free = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		free += zone_page_state(&pgdat->node_zones[z], NR_FREE_PAGES);
	return free;
}

/* Parameters that need nothing but the struct: flags, enums, counts. */
static int ub_check_params(struct ub_run *r)
{
	u32 max_units = r->granule == UB_GRANULE_2M ? UB_MAX_UNITS_2M :
						      UB_MAX_UNITS_4K;

	if (r->flags & ~UB_RUN_FLAGS_ALL)
		return ub_fail(r, -EOPNOTSUPP, "unknown flags 0x%x (known: 0x%x)",
			       r->flags & ~UB_RUN_FLAGS_ALL, UB_RUN_FLAGS_ALL);
	if (r->pad0)
		return ub_fail(r, -EINVAL, "pad0 must be zero");
	if (r->backend >= UB_BACKEND_NR)
		return ub_fail(r, -EINVAL, "backend %u is not an enum ub_backend",
			       r->backend);
	if (r->reset_mode > UB_RESET_FORCE)
		return ub_fail(r, -EINVAL, "reset_mode %u is not an enum ub_reset_mode",
			       r->reset_mode);
	if (r->cache_state > UB_CACHE_COLD)
		return ub_fail(r, -EINVAL, "cache_state %u is not an enum ub_cache_state",
			       r->cache_state);
	if (r->granule != UB_GRANULE_4K && r->granule != UB_GRANULE_2M)
		return ub_fail(r, -EINVAL,
			       "granule %u invalid: a run uses UB_GRANULE_4K or UB_GRANULE_2M",
			       r->granule);
	if (r->timer > UB_TIMER_KTIME)
		return ub_fail(r, -EINVAL, "timer %u is not an enum ub_timer",
			       r->timer);
	if (!r->nr_threads || r->nr_threads > UB_MAX_THREADS)
		return ub_fail(r, -ERANGE, "nr_threads %u out of range 1..%u",
			       r->nr_threads, UB_MAX_THREADS);
	if (!r->nr_units || r->nr_units > max_units)
		return ub_fail(r, -ERANGE, "nr_units %llu out of range 1..%u for %s units",
			       r->nr_units, max_units, ub_granule_name(r->granule));
	if (!r->batch || r->batch > UB_MAX_BATCH)
		return ub_fail(r, -ERANGE, "batch %u out of range 1..%u",
			       r->batch, UB_MAX_BATCH);
	if (!r->rounds || r->rounds > UB_MAX_ROUNDS)
		return ub_fail(r, -ERANGE, "rounds %u out of range 1..%u",
			       r->rounds, UB_MAX_ROUNDS);
	if (r->max_wall_ms > UB_MAX_WALL_MS)
		return ub_fail(r, -ERANGE, "max_wall_ms %llu above the limit %llu",
			       r->max_wall_ms, UB_MAX_WALL_MS);
	return 0;
}

static int ub_select(struct ub_run *r, struct ub_runctx *rc)
{
	const struct ub_variant *v;
	unsigned int i;

	if (!r->variant_mask)
		return ub_fail(r, -EINVAL, "variant_mask selects no variant");
	if (ub_nr_variants < 64 && (r->variant_mask >> ub_nr_variants))
		return ub_fail(r, -EINVAL, "variant_mask selects variant %u; only %u exist",
			       63 - __builtin_clzll(r->variant_mask), ub_nr_variants);
	rc->nsel = 0;
	for (i = 0; i < ub_nr_variants; i++) {
		v = &ub_variants[i];
		if (!(r->variant_mask & BIT_ULL(i)) || !ub_variant_applies(&v->d, r->granule))
			continue;
		rc->sel[rc->nsel] = i;
		rc->jvar[rc->nsel].unit_pages = ub_variant_unit_pages(v, r->granule);
		rc->nsel++;
	}
	if (!rc->nsel)
		return ub_fail(r, -EINVAL, "no selected variant applies to granule %s",
			       ub_granule_name(r->granule));
	r->nr_selected = rc->nsel;
	return 0;
}

/* Buffer sizes: all three needed sizes are reported whenever one is short. */
static int ub_check_buffers(struct ub_run *r, u32 nsel)
{
	u64 t = r->nr_threads;
	bool short_res, short_smp, short_hist;

	r->results_needed = t * nsel * sizeof(struct ub_result);
	r->samples_needed = t * r->rounds * nsel * sizeof(u64);
	r->hist_needed = t * nsel * UB_HIST_BUCKETS * sizeof(u32);
	if (r->samples && r->samples_needed > UB_MAX_SAMPLES_BYTES)
		return ub_fail(r, -ERANGE,
			       "samples would take %llu bytes (limit %llu): fewer rounds, or no samples",
			       r->samples_needed, UB_MAX_SAMPLES_BYTES);
	if (r->hist && r->hist_needed > UB_MAX_HIST_BYTES)
		return ub_fail(r, -ERANGE, "histograms would take %llu bytes (limit %llu)",
			       r->hist_needed, UB_MAX_HIST_BYTES);
	short_res = !r->results || r->results_len < r->results_needed;
	short_smp = r->samples && r->samples_len < r->samples_needed;
	short_hist = r->hist && r->hist_len < r->hist_needed;
	if (short_res || short_smp || short_hist)
		return ub_fail(r, -ENOSPC, "buffer too small:%s%s%s (see *_needed)",
			       short_res ? " results" : "",
			       short_smp ? " samples" : "",
			       short_hist ? " hist" : "");
	return 0;
}

static int ub_check_node(struct ub_run *r, u32 unit_pages)
{
	int nid = r->node;
	u64 need, free, margin;

	if (nid < 0 || nid >= MAX_NUMNODES || !node_possible(nid))
		return ub_fail(r, -ENXIO, "node %d does not exist", nid);
	if (!node_online(nid))
		return ub_fail(r, -ENXIO, "node %d is offline", nid);
	if (!node_state(nid, N_MEMORY))
		return ub_fail(r, -ENXIO, "node %d has no memory", nid);
	need = (u64)r->nr_threads * r->nr_units * unit_pages;
	free = ub_node_free_pages(nid);
	margin = free / 8 + (16ULL << (20 - PAGE_SHIFT));
	if (need + margin > free)
		return ub_fail(r, -ENOMEM,
			       "node %d: the run needs %llu MiB, %llu MiB are free and %llu MiB stay spare",
			       nid, need >> (20 - PAGE_SHIFT),
			       free >> (20 - PAGE_SHIFT),
			       margin >> (20 - PAGE_SHIFT));
	return 0;
}

/* Called with cpus_read_lock() held, so the answer stays true. */
static int ub_check_cpus(struct ub_run *r, struct ub_runctx *rc)
{
	u32 i, k, cpu;

	if (copy_from_user(rc->cpus, u64_to_user_ptr(r->cpus),
			   r->nr_threads * sizeof(u32)))
		return ub_fail(r, -EFAULT, "cannot read cpus[%u]", r->nr_threads);
	for (i = 0; i < r->nr_threads; i++) {
		cpu = rc->cpus[i];
		if (cpu >= nr_cpu_ids)
			return ub_fail(r, -ESRCH, "cpus[%u] = %u: no such CPU (nr_cpu_ids %u)",
				       i, cpu, nr_cpu_ids);
		if (!cpu_online(cpu))
			return ub_fail(r, -ESRCH, "cpus[%u] = %u: CPU is offline", i, cpu);
		for (k = 0; k < i; k++)
			if (rc->cpus[k] == cpu)
				return ub_fail(r, -EINVAL,
					       "cpus[%u] = %u repeats cpus[%u]: one thread per CPU",
					       i, cpu, k);
	}
	return 0;
}

static void ub_free_thread(struct ub_runctx *rc, struct ub_thread *t)
{
	u64 i;

	if (t->unit)
		for (i = 0; i < t->nr_alloc; i++)
			__free_pages(pfn_to_page(t->unit[i]), rc->order);
	kvfree(t->unit);
	kfree(t->stat);
	kfree(t->order);
}

static void ub_free(struct ub_runctx *rc)
{
	u32 i;

	for (i = 0; i < rc->nr_threads; i++)
		ub_free_thread(rc, &rc->th[i]);
	kvfree(rc->samples);
	kvfree(rc->hist);
	kfree(rc);
}

static int ub_alloc_thread(struct ub_run *r, struct ub_runctx *rc,
			   struct ub_thread *t)
{
	gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN |
		    __GFP_RETRY_MAYFAIL;
	struct page *page;
	u64 rng;
	u32 i;

	if (rc->order)
		gfp |= __GFP_COMP;
	t->unit = kvmalloc_array(r->nr_units, sizeof(u64), GFP_KERNEL);
	t->stat = kcalloc(rc->nsel, sizeof(*t->stat), GFP_KERNEL);
	t->order = kcalloc(rc->nsel, sizeof(*t->order), GFP_KERNEL);
	if (!t->unit || !t->stat || !t->order)
		return ub_fail(r, -ENOMEM, "out of memory for thread %u's tables",
			       t->idx);
	for (t->nr_alloc = 0; t->nr_alloc < r->nr_units; t->nr_alloc++) {
		page = alloc_pages_node(r->node, gfp, rc->order);
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
	for (i = 0; i < rc->nsel; i++)
		ub_stat_init(&t->stat[i]);
	return 0;
}

/* Cold state: the data lines and struct page lines of the next batch. */
static void ub_cold_cb(void *cookie, const u64 *unit, u32 n)
{
	struct ub_runctx *rc = cookie;
	u32 i;

	for (i = 0; i < n; i++) {
		clflush_cache_range(__va(PFN_PHYS(unit[i])),
				    rc->unit_pages << PAGE_SHIFT);
		clflush_cache_range(pfn_to_page(unit[i]),
				    rc->unit_pages * sizeof(struct page));
	}
}

static u32 ub_stop_cb(void *cookie)
{
	struct ub_runctx *rc = cookie;

	if (READ_ONCE(rc->abort) || kthread_should_stop())
		return UB_STATUS_SIGNAL;
	if (ktime_get_ns() > rc->deadline_ns)
		return UB_STATUS_WALL_CAP;
	return 0;
}

static int ub_thread_fn(void *data)
{
	struct ub_thread *t = data;
	struct ub_runctx *rc = t->rc;

	wait_event(rc->go_wq, READ_ONCE(rc->go) || kthread_should_stop());
	if (READ_ONCE(rc->go)) {
		/* Start together: wait until every thread is on its CPU. */
		atomic_inc(&rc->arrived);
		while (atomic_read(&rc->arrived) < rc->nr_threads &&
		       !READ_ONCE(rc->abort))
			cond_resched();
		ub_engine_run(&t->job);
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

static void ub_setup_jobs(struct ub_run *r, struct ub_runctx *rc)
{
	u64 per_thread = (u64)r->rounds * rc->nsel;
	struct ub_thread *t;
	struct ub_job *j;
	u32 i;

	for (i = 0; i < rc->nr_threads; i++) {
		t = &rc->th[i];
		j = &t->job;
		j->var = rc->jvar;
		j->nr_var = rc->nsel;
		j->unit = t->unit;
		j->nr_units = r->nr_units;
		j->batch = r->batch;
		j->rounds = r->rounds;
		j->seed = r->seed + 0x632be59bd9b4e019ULL * (i + 1);
		j->timer = r->timer;
		j->irq_off = r->flags & UB_RUN_IRQ_OFF;
		j->overhead = r->timer_overhead;
		j->cold = r->cache_state == UB_CACHE_COLD ? ub_cold_cb : NULL;
		j->stop = ub_stop_cb;
		j->cookie = rc;
		j->stat = t->stat;
		j->samples = rc->samples ? rc->samples + i * per_thread : NULL;
		j->hist = rc->hist ? rc->hist + (u64)i * rc->nsel * UB_HIST_BUCKETS :
				     NULL;
		j->order = t->order;
	}
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
	for (i = 0; i < rc->nr_threads; i++)
		wake_up_process(rc->th[i].task);
	WRITE_ONCE(rc->go, true);
	wake_up_all(&rc->go_wq);

	if (wait_for_completion_interruptible(&rc->done)) {
		WRITE_ONCE(rc->abort, true);
		wait_for_completion(&rc->done);
	}
	for (i = 0; i < rc->nr_threads; i++)
		kthread_stop(rc->th[i].task);
	return 0;
}

static void ub_fill_result(struct ub_run *r, struct ub_runctx *rc, u32 ti,
			   u32 s, struct ub_result *res)
{
	const struct ub_stat *st = &rc->th[ti].stat[s];

	res->variant = rc->sel[s];
	res->thread = ti;
	res->cpu = rc->th[ti].cpu;
	res->node = r->node;
	res->ops = st->ops;
	res->batches = st->batches;
	res->sum = st->sum;
	res->sumsq_hi = (u64)(st->sumsq >> 64);
	res->sumsq_lo = (u64)st->sumsq;
	res->min = st->batches ? st->min : 0;
	res->max = st->max;
	res->pfn_checksum = st->pfn_sum;
	res->pages_touched = st->pages;
}

/* Gather per-thread state into the run struct and the user buffers. */
static int ub_collect(struct ub_run *r, struct ub_runctx *rc)
{
	struct ub_result *res;
	u64 status = 0;
	u32 ti, s, n = 0;
	int ret = 0;

	res = kvcalloc(rc->nr_threads * rc->nsel, sizeof(*res), GFP_KERNEL);
	if (!res)
		return ub_fail(r, -ENOMEM, "out of memory for the results");

	r->rounds_done = r->rounds;
	r->insns_used = r->timer == UB_TIMER_KTIME ? UB_INSN_KTIME : UB_INSN_RDTSC;
	for (ti = 0; ti < rc->nr_threads; ti++) {
		const struct ub_job *j = &rc->th[ti].job;

		r->status |= j->stopped;
		if (j->rounds_done < r->rounds_done)
			r->rounds_done = j->rounds_done;
		for (s = 0; s < rc->nsel; s++, n++) {
			ub_fill_result(r, rc, ti, s, &res[n]);
			status |= rc->th[ti].stat[s].status;
			if (res[n].ops)
				r->insns_used |=
					ub_variant_insns(&ub_variants[rc->sel[s]],
							 rc->backend,
							 ub_params.reset_clear);
		}
	}
	if (status) {
		ret = ub_fail(r, -EIO,
			      "TDH.PHYMEM.PAGE.WBINVD failed during the run: status 0x%016llx",
			      status);
		goto out;
	}
	if (copy_to_user(u64_to_user_ptr(r->results), res, r->results_needed) ||
	    (rc->samples &&
	     copy_to_user(u64_to_user_ptr(r->samples), rc->samples,
			  r->samples_needed)) ||
	    (rc->hist &&
	     copy_to_user(u64_to_user_ptr(r->hist), rc->hist, r->hist_needed)))
		ret = ub_fail(r, -EFAULT, "cannot write the result buffers");
out:
	kvfree(res);
	return ret;
}

static int ub_run_locked(struct ub_run *r)
{
	struct ub_runctx *rc;
	u32 i, unit_pages;
	int ret;

	ret = ub_check_params(r);
	if (ret)
		return ret;
	rc = kzalloc_flex(*rc, th, r->nr_threads);
	if (!rc)
		return ub_fail(r, -ENOMEM, "out of memory for the run state");
	rc->nr_threads = r->nr_threads;
	rc->r = r;

	ret = ub_select(r, rc);
	if (ret)
		goto out_free;
	ret = ub_check_buffers(r, rc->nsel);
	if (ret)
		goto out_free;

	mutex_lock(&ub_probe_lock);
	ub_tdx_probe();
	ret = ub_resolve_backend(r->backend, &rc->backend, r->backend_reason,
				 sizeof(r->backend_reason));
	ub_params.hkid = ub_tdx.global_keyid ? ub_tdx.global_keyid : 1;
	mutex_unlock(&ub_probe_lock);
	r->backend_used = rc->backend;
	if (ret) {
		ret = ub_fail(r, ret, "backend tdx unavailable: %s",
			      r->backend_reason);
		goto out_free;
	}

	unit_pages = ub_granule_pages(r->granule);
	rc->unit_pages = unit_pages;
	rc->order = r->granule == UB_GRANULE_2M ? UB_ORDER_2M : 0;
	ret = ub_check_node(r, unit_pages);
	if (ret)
		goto out_free;

	cpus_read_lock();
	ret = ub_check_cpus(r, rc);
	if (ret)
		goto out_unlock;
	for (i = 0; i < rc->nsel; i++)
		rc->jvar[i].fn = ub_variants[rc->sel[i]].fn[rc->backend];
	if (r->samples) {
		rc->samples = kvcalloc(r->samples_needed, 1, GFP_KERNEL);
		if (!rc->samples) {
			ret = ub_fail(r, -ENOMEM, "out of memory for %llu bytes of samples",
				      r->samples_needed);
			goto out_unlock;
		}
	}
	if (r->hist) {
		rc->hist = kvcalloc(r->hist_needed, 1, GFP_KERNEL);
		if (!rc->hist) {
			ret = ub_fail(r, -ENOMEM, "out of memory for %llu bytes of histograms",
				      r->hist_needed);
			goto out_unlock;
		}
	}
	for (i = 0; i < rc->nr_threads; i++) {
		rc->th[i].rc = rc;
		rc->th[i].idx = i;
		rc->th[i].cpu = rc->cpus[i];
		ret = ub_alloc_thread(r, rc, &rc->th[i]);
		if (ret)
			goto out_unlock;
	}

	ub_params.reset_clear = r->reset_mode == UB_RESET_FORCE ||
				boot_cpu_has_bug(X86_BUG_TDX_PW_MCE);
	ub_params.phys_mask = BIT_ULL(boot_cpu_data.x86_phys_bits) - 1;
	r->tsc_khz = tsc_khz;
	r->timer_overhead = ub_timer_overhead(r->timer);
	ub_setup_jobs(r, rc);
	r->batch_used = r->batch < r->nr_units ? r->batch : (u32)r->nr_units;
	if ((r->flags & UB_RUN_IRQ_OFF) && r->max_irqoff_ns) {
		u32 b = ub_engine_clamp_batch(&rc->th[0].job, r->max_irqoff_ns);

		if (b < r->batch_used) {
			r->batch_used = b;
			r->status |= UB_STATUS_IRQOFF_CLAMP;
		}
		for (i = 0; i < rc->nr_threads; i++)
			rc->th[i].job.batch = r->batch_used;
	}

	ret = ub_run_threads(r, rc);
	if (!ret)
		ret = ub_collect(r, rc);
out_unlock:
	cpus_read_unlock();
out_free:
	ub_free(rc);
	return ret;
}

/*
 * The struct could not be taken in. When the caller's struct has at least
 * the first version's layout, say why in its reason field.
 */
static long ub_size_error(struct ub_run *r, long ret, void __user *uarg,
			  u32 usize)
{
	struct ub_run __user *ur = uarg;

	if (ret == -EFAULT || usize < UB_RUN_SIZE_VER0)
		return ret;
	if (ret == -E2BIG)
		ub_fail(r, 0,
			"struct ub_run of %u bytes: the tail beyond the module's %zu is not zero",
			usize, sizeof(*r));
	else
		ub_fail(r, 0, "size field differs from the size in the ioctl number (%u)",
			usize);
	if (copy_to_user(ur->reason, r->reason, sizeof(r->reason)))
		return -EFAULT;
	return ret;
}

long ub_ioctl_run(void __user *uarg, u32 usize)
{
	struct ub_run *r;
	u64 t0 = ktime_get_ns();
	long ret;

	r = kzalloc_obj(*r);
	if (!r)
		return -ENOMEM;
	ret = ub_copy_struct_in(r, sizeof(*r), UB_RUN_SIZE_VER0, uarg, usize);
	if (ret) {
		ret = ub_size_error(r, ret, uarg, usize);
		goto out;
	}
	/* Outputs start from zero whatever the caller left in them. */
	memset_startat(r, 0, nr_selected);

	if (mutex_trylock(&ub_run_lock)) {
		ret = ub_run_locked(r);
		mutex_unlock(&ub_run_lock);
	} else {
		ret = ub_fail(r, -EBUSY,
			      "another RUN is in progress (RUNs are serialised, not queued)");
	}
	r->elapsed_ns = ktime_get_ns() - t0;
	if (copy_to_user(uarg, r, min_t(size_t, usize, sizeof(*r))))
		ret = -EFAULT;
out:
	kfree(r);
	return ret;
}
