// SPDX-License-Identifier: GPL-2.0
/*
 * Every check of a RUN, and the backend choice: the errno table of
 * unmap_bench.h in code. Built into the module and into libubcore.a, so
 * the harness's native build (its test double of the module) refuses
 * exactly what the module refuses, with the same errno and reason; only
 * the facts behind the hooks (nodes, CPUs, copying) come from each side.
 */
#include "ub_core.h"

__printf(3, 4) int ub_fail(struct ub_run *r, int err, const char *fmt, ...)
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

int ub_choose_backend(const struct ub_backends *bs, u32 req, u32 *used,
		      char *reason, size_t len)
{
	static const u32 pref[] = { UB_BACKEND_TDX, UB_BACKEND_MODEL,
				    UB_BACKEND_NULL };
	unsigned int i;

	if (req != UB_BACKEND_AUTO) {
		*used = req;
		strscpy(reason, bs->reason[req], len);
		return bs->usable & BIT(req) ? 0 : -ENODEV;
	}
	for (i = 0; i < ARRAY_SIZE(pref); i++) {
		if (!(bs->usable & BIT(pref[i])))
			continue;
		*used = pref[i];
		if (pref[i] == UB_BACKEND_TDX)
			snprintf(reason, len, "auto chose tdx: %s",
				 bs->reason[UB_BACKEND_TDX]);
		else
			snprintf(reason, len, "auto chose %s: tdx unusable: %s",
				 pref[i] == UB_BACKEND_MODEL ? "model" : "null",
				 bs->reason[UB_BACKEND_TDX]);
		return 0;
	}
	*used = UB_BACKEND_NULL;
	strscpy(reason, "no backend is usable", len);
	return -ENODEV;
}

/* Flags, enums and sizes: the struct's own fields. */
static int ub_check_fields(struct ub_run *r)
{
	if (r->flags & ~UB_RUN_FLAGS_ALL)
		return ub_fail(r, -EOPNOTSUPP, "unknown flags 0x%x (known: 0x%x)",
			       r->flags & ~UB_RUN_FLAGS_ALL, UB_RUN_FLAGS_ALL);
	if (r->pad0)
		return ub_fail(r, -EINVAL, "pad0 must be zero");
	if (r->backend >= UB_BACKEND_NR)
		return ub_fail(r, -EINVAL, "backend %u is not an enum ub_backend",
			       r->backend);
	if (r->reset_mode >= UB_RESET_NR)
		return ub_fail(r, -EINVAL, "reset_mode %u is not an enum ub_reset_mode",
			       r->reset_mode);
	if (r->cache_state >= UB_CACHE_NR)
		return ub_fail(r, -EINVAL, "cache_state %u is not an enum ub_cache_state",
			       r->cache_state);
	if (r->granule != UB_GRANULE_4K && r->granule != UB_GRANULE_2M)
		return ub_fail(r, -EINVAL,
			       "granule %u invalid: a run uses UB_GRANULE_4K or UB_GRANULE_2M",
			       r->granule);
	if (r->timer >= UB_TIMER_NR)
		return ub_fail(r, -EINVAL, "timer %u is not an enum ub_timer",
			       r->timer);
	if (r->result_size != UB_RESULT_SIZE)
		return ub_fail(r, -EINVAL,
			       "result_size %u: this module's struct ub_result has %u bytes (ABI %u)",
			       r->result_size, UB_RESULT_SIZE, UB_ABI_VERSION);
	if (r->samples && r->sample_size != UB_SAMPLE_SIZE)
		return ub_fail(r, -EINVAL,
			       "sample_size %u: this module's struct ub_sample has %u bytes (ABI %u)",
			       r->sample_size, UB_SAMPLE_SIZE, UB_ABI_VERSION);
	return 0;
}

/* Counts within their limits. */
static int ub_check_counts(struct ub_run *r)
{
	u32 max_units = r->granule == UB_GRANULE_2M ? UB_MAX_UNITS_2M :
						      UB_MAX_UNITS_4K;

	if (!r->nr_threads || r->nr_threads > UB_MAX_THREADS)
		return ub_fail(r, -ERANGE, "nr_threads %u out of range 1..%u",
			       r->nr_threads, UB_MAX_THREADS);
	if (!r->nr_units || r->nr_units > max_units)
		return ub_fail(r, -ERANGE, "nr_units %llu out of range 1..%u for %s units",
			       (unsigned long long)r->nr_units, max_units,
			       ub_granule_name(r->granule));
	if (!r->batch || r->batch > UB_MAX_BATCH)
		return ub_fail(r, -ERANGE, "batch %u out of range 1..%u",
			       r->batch, UB_MAX_BATCH);
	if (!r->rounds || r->rounds > UB_MAX_ROUNDS)
		return ub_fail(r, -ERANGE, "rounds %u out of range 1..%u",
			       r->rounds, UB_MAX_ROUNDS);
	if (r->warmup > UB_MAX_WARMUP)
		return ub_fail(r, -ERANGE, "warmup %u out of range 0..%u",
			       r->warmup, UB_MAX_WARMUP);
	if (r->replicas > UB_NR_REPLICAS)
		return ub_fail(r, -ERANGE, "replicas %u out of range 0..%u (0 = all)",
			       r->replicas, UB_NR_REPLICAS);
	if (r->max_wall_ms > UB_MAX_WALL_MS)
		return ub_fail(r, -ERANGE, "max_wall_ms %llu above the limit %llu",
			       (unsigned long long)r->max_wall_ms,
			       (unsigned long long)UB_MAX_WALL_MS);
	return 0;
}

static int ub_select(struct ub_run *r, struct ub_plan *p)
{
	const struct ub_variant *v;
	unsigned int i;

	if (!r->variant_mask)
		return ub_fail(r, -EINVAL, "variant_mask selects no variant");
	if (ub_nr_variants < 64 && (r->variant_mask >> ub_nr_variants))
		return ub_fail(r, -EINVAL, "variant_mask selects variant %u; only %u exist",
			       63 - __builtin_clzll(r->variant_mask), ub_nr_variants);
	p->nsel = 0;
	for (i = 0; i < ub_nr_variants; i++) {
		v = &ub_variants[i];
		if (!(r->variant_mask & BIT_ULL(i)) ||
		    !ub_variant_applies(&v->d, r->granule))
			continue;
		p->sel[p->nsel] = i;
		p->jvar[p->nsel].unit_pages = ub_variant_unit_pages(v, r->granule);
		p->nsel++;
	}
	if (!p->nsel)
		return ub_fail(r, -EINVAL, "no selected variant applies to granule %s",
			       ub_granule_name(r->granule));
	r->nr_selected = p->nsel;
	return 0;
}

u64 ub_plan_samples_bytes(const struct ub_run *r, const struct ub_plan *p)
{
	return (u64)r->nr_threads * r->rounds * p->nsel * sizeof(struct ub_sample);
}

u64 ub_plan_hist_bytes(const struct ub_run *r, const struct ub_plan *p)
{
	return (u64)r->nr_threads * p->nsel * UB_HIST_BUCKETS * sizeof(u32);
}

/* Buffer sizes: all three needed sizes are reported whenever one is short. */
static int ub_check_buffers(struct ub_run *r, const struct ub_plan *p)
{
	bool short_res, short_smp, short_hist;

	r->results_needed = (u64)r->nr_threads * p->nsel * sizeof(struct ub_result);
	r->samples_needed = ub_plan_samples_bytes(r, p);
	r->hist_needed = ub_plan_hist_bytes(r, p);
	if (r->samples && r->samples_needed > UB_MAX_SAMPLES_BYTES)
		return ub_fail(r, -ERANGE,
			       "samples would take %llu bytes (limit %llu): fewer rounds, or no samples",
			       (unsigned long long)r->samples_needed,
			       (unsigned long long)UB_MAX_SAMPLES_BYTES);
	if (r->hist && r->hist_needed > UB_MAX_HIST_BYTES)
		return ub_fail(r, -ERANGE, "histograms would take %llu bytes (limit %llu)",
			       (unsigned long long)r->hist_needed,
			       (unsigned long long)UB_MAX_HIST_BYTES);
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

/* The backend, and what the selected variants need of it. */
static int ub_check_backend(struct ub_run *r, struct ub_plan *p,
			    const struct ub_backends *bs)
{
	bool clear = r->reset_mode == UB_RESET_FORCE || bs->pw_mce_erratum;
	const struct ub_variant *v;
	unsigned int i, k;
	int ret;

	ret = ub_choose_backend(bs, r->backend, &p->backend, r->backend_reason,
				sizeof(r->backend_reason));
	r->backend_used = p->backend;
	if (ret)
		return ub_fail(r, ret, "backend %s unavailable: %s",
			       p->backend == UB_BACKEND_TDX ? "tdx" :
			       p->backend == UB_BACKEND_MODEL ? "model" : "null",
			       r->backend_reason);
	p->nr_rep = r->replicas ? r->replicas : UB_NR_REPLICAS;
	for (i = 0; i < p->nsel; i++) {
		v = &ub_variants[p->sel[i]];
		for (k = 0; k < UB_NR_REPLICAS; k++)
			p->jvar[i].fn[k] = v->fn[p->backend][k];
		p->jvar[i].touches_data = ub_variant_touches_data(v, p->backend,
								  clear);
	}
	p->unit_pages = ub_granule_pages(r->granule);
	p->order = r->granule == UB_GRANULE_2M ? UB_ORDER_2M : 0;
	r->replicas_used = p->nr_rep;
	return 0;
}

int ub_check_run(struct ub_run *r, struct ub_plan *p,
		 const struct ub_backends *bs)
{
	int ret;

	ret = ub_check_fields(r);
	if (!ret)
		ret = ub_check_counts(r);
	if (!ret)
		ret = ub_select(r, p);
	if (!ret)
		ret = ub_check_buffers(r, p);
	if (!ret)
		ret = ub_check_backend(r, p, bs);
	return ret;
}

int ub_check_node(struct ub_run *r, const struct ub_plan *p)
{
	u64 need, free = 0, margin;
	int nid = r->node;

	switch (nid < 0 ? UB_PORT_ABSENT : ub_port_node(nid, &free)) {
	case UB_PORT_ABSENT:
		return ub_fail(r, -ENXIO, "node %d does not exist", nid);
	case UB_PORT_OFFLINE:
		return ub_fail(r, -ENXIO, "node %d is offline", nid);
	case UB_PORT_NO_MEMORY:
		return ub_fail(r, -ENXIO, "node %d has no memory", nid);
	default:
		break;
	}
	need = (u64)r->nr_threads * r->nr_units * p->unit_pages;
	margin = free / 8 + (16ULL << (20 - PAGE_SHIFT));
	if (need + margin > free)
		return ub_fail(r, -ENOMEM,
			       "node %d: the run needs %llu MiB, %llu MiB are free and %llu MiB stay spare",
			       nid, (unsigned long long)(need >> (20 - PAGE_SHIFT)),
			       (unsigned long long)(free >> (20 - PAGE_SHIFT)),
			       (unsigned long long)(margin >> (20 - PAGE_SHIFT)));
	return 0;
}

int ub_check_cpus(struct ub_run *r, struct ub_plan *p)
{
	u32 i, k, cpu, nr_ids = 0;

	if (ub_port_copy_in(p->cpus, r->cpus, r->nr_threads * sizeof(u32)))
		return ub_fail(r, -EFAULT, "cannot read cpus[%u]", r->nr_threads);
	for (i = 0; i < r->nr_threads; i++) {
		cpu = p->cpus[i];
		switch (ub_port_cpu(cpu, &nr_ids)) {
		case UB_PORT_OK:
			break;
		case UB_PORT_OFFLINE:
			return ub_fail(r, -ESRCH, "cpus[%u] = %u: CPU is offline",
				       i, cpu);
		default:
			return ub_fail(r, -ESRCH, "cpus[%u] = %u: no such CPU (nr_cpu_ids %u)",
				       i, cpu, nr_ids);
		}
		for (k = 0; k < i; k++)
			if (p->cpus[k] == cpu)
				return ub_fail(r, -EINVAL,
					       "cpus[%u] = %u repeats cpus[%u]: one thread per CPU",
					       i, cpu, k);
	}
	return 0;
}
