// SPDX-License-Identifier: GPL-2.0
/*
 * ubfake.c: a simulation of the module's INFO and RUN, for tests only
 * (UB_TEST_FAKE_MODULE=1). It checks a RUN the way the module documents
 * (sizes, thread count, buffers, ENOSPC with *_needed) and fills the
 * buffers with deterministic synthetic numbers derived from the seed, so
 * every writer and reader of the run directory can be exercised on a
 * machine that cannot load modules. Nothing it produces is a measurement
 * and everything says "simulated".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module/ubfake.h"
#include "record/rundir.h"
#include "record/schema.h"
#include "record/util.h"

int ubfake_enabled(void)
{
	const char *s = getenv("UB_TEST_FAKE_MODULE");

	return s && *s && strcmp(s, "0");
}

static void add(struct ub_info *in, const char *name, int shape, int path,
		int gran, unsigned param)
{
	struct ub_variant_desc *v = &in->variants[in->nr_variants++];

	ub_strlcpy(v->name, name, sizeof(v->name));
	v->shape = (uint8_t)shape;
	v->path = (uint8_t)path;
	v->granule = (uint8_t)gran;
	v->param = param;
}

void ubfake_info(struct ub_info *in)
{
	char name[UB_NAME_LEN];

	memset(in, 0, sizeof(*in));
	in->size = sizeof(*in);
	in->abi_version = UB_ABI_VERSION;
	ub_strlcpy(in->module_version, "simulated", sizeof(in->module_version));
	in->backends = (1U << UB_BACKEND_NULL) | (1U << UB_BACKEND_MODEL);
	in->auto_backend = UB_BACKEND_MODEL;
	ub_strlcpy(in->tdx_reason, "simulated module: no TDX",
		   sizeof(in->tdx_reason));
	ub_strlcpy(in->auto_reason, "simulated module: tdx unavailable, model",
		   sizeof(in->auto_reason));
	in->x86_phys_bits = 46;
	in->tsc_khz = 2000000;
	in->max_threads = UB_MAX_THREADS;
	in->hist_buckets = UB_HIST_BUCKETS;
	for (int p = UB_PATH_CONVERT; p <= UB_PATH_UNMAP; p++)
		for (int g = UB_GRANULE_4K; g <= UB_GRANULE_2M; g++)
			for (int s = UB_SHAPE_PAGE; s <= UB_SHAPE_PFN; s++) {
				snprintf(name, sizeof(name), "%s.%s.%s",
					 ub_name(UB_ENUM_path, p), ub_name(UB_ENUM_shape, s),
					 ub_name(UB_ENUM_granule, g));
				add(in, name, s, p, g, 0);
			}
	add(in, "ground.add16", UB_SHAPE_NONE, UB_PATH_GROUND, UB_GRANULE_ANY, 16);
	add(in, "ground.add64", UB_SHAPE_NONE, UB_PATH_GROUND, UB_GRANULE_ANY, 64);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t base_cost(const struct ub_variant_desc *v, unsigned backend,
			  unsigned granule)
{
	uint64_t c;

	switch (v->path) {
	case UB_PATH_CONVERT: c = 6; break;
	case UB_PATH_WBINVD:  c = backend == UB_BACKEND_NULL ? 8 : 300; break;
	case UB_PATH_RESET:   c = backend == UB_BACKEND_NULL ? 5 : 700; break;
	case UB_PATH_UNMAP:   c = backend == UB_BACKEND_NULL ? 15 : 1100; break;
	default:              return v->param;
	}
	if (v->path != UB_PATH_CONVERT)
		c *= ub_granule_pages(granule);
	if (v->shape == UB_SHAPE_PAGE)
		c += c / 50 + 1;	/* page shape 2% dearer, by construction */
	return c;
}

/*
 * Longer than the harness's other functions: it is the module's RUN
 * contract in one place, kept as it was while the module's own code is
 * built for userspace to replace this double (issue 11, item 6).
 */
int ubfake_run(const struct ub_info *in, struct ub_run *r)
{
	unsigned sel[UB_MAX_VARIANTS], ns = 0;
	uint64_t seed, need_res, need_smp, need_hist, batches;
	const uint32_t *cpus = (const uint32_t *)(uintptr_t)r->cpus;
	struct ub_result *res = (struct ub_result *)(uintptr_t)r->results;
	uint64_t *smp = (uint64_t *)(uintptr_t)r->samples;
	uint32_t *hist = (uint32_t *)(uintptr_t)r->hist;

#define BAD(e, ...) do { snprintf(r->reason, sizeof(r->reason), __VA_ARGS__); \
			 errno = e; return -1; } while (0)
	if (r->size != sizeof(*r))
		BAD(EINVAL, "size %u != %zu", r->size, sizeof(*r));
	if (r->flags & ~UB_RUN_FLAGS_ALL)
		BAD(EINVAL, "unknown flags 0x%x", r->flags);
	if (r->backend >= UB_BACKEND_NR)
		BAD(EINVAL, "backend %u out of range", r->backend);
	if (r->backend == UB_BACKEND_TDX)
		BAD(ENODEV, "backend tdx unavailable: %.90s", in->tdx_reason);
	if (r->granule != UB_GRANULE_4K && r->granule != UB_GRANULE_2M)
		BAD(EINVAL, "granule %u is not 4K or 2M", r->granule);
	if (r->reset_mode > UB_RESET_FORCE || r->cache_state > UB_CACHE_COLD ||
	    r->timer > UB_TIMER_KTIME)
		BAD(EINVAL, "reset_mode, cache_state or timer out of range");
	if (!r->nr_threads || r->nr_threads > UB_MAX_THREADS)
		BAD(EINVAL, "nr_threads %u not in 1..%d", r->nr_threads, UB_MAX_THREADS);
	if (!cpus)
		BAD(EFAULT, "cpus is NULL");
	if (!r->nr_units || !r->batch || !r->rounds)
		BAD(EINVAL, "nr_units, batch and rounds must be > 0");
	if (r->node < 0 || r->node > 64)
		BAD(EINVAL, "node %d not online", r->node);
	for (unsigned i = 0; i < in->nr_variants; i++) {
		const struct ub_variant_desc *v = &in->variants[i];

		if (!(r->variant_mask & (1ULL << i)))
			continue;
		if (!ub_variant_applies(v, r->granule))
			continue;
		sel[ns++] = i;
	}
	if (!ns)
		BAD(EINVAL, "no selected variant applies at this granule");
	r->nr_selected = ns;
	need_res = (uint64_t)r->nr_threads * ns * sizeof(*res);
	need_smp = smp ? (uint64_t)r->nr_threads * r->rounds * ns * 8 : 0;
	need_hist = hist ? (uint64_t)r->nr_threads * ns * UB_HIST_BUCKETS * 4 : 0;
	r->results_needed = need_res;
	r->samples_needed = need_smp;
	r->hist_needed = need_hist;
	if (!res || r->results_len < need_res || r->samples_len < need_smp ||
	    r->hist_len < need_hist)
		BAD(ENOSPC, "buffer too small");

	r->backend_used = r->backend == UB_BACKEND_AUTO ? in->auto_backend : r->backend;
	snprintf(r->backend_reason, sizeof(r->backend_reason), "%.100s",
		 r->backend == UB_BACKEND_AUTO ? in->auto_reason :
		 "simulated module: as requested");
	r->insns_used = UB_INSN_RDTSC;
	if (r->timer == UB_TIMER_KTIME)
		r->insns_used = UB_INSN_KTIME;
	if (r->backend_used == UB_BACKEND_MODEL)
		r->insns_used |= UB_INSN_CLFLUSH | UB_INSN_MOVNTI | UB_INSN_SFENCE;
	r->batch_used = r->batch;
	r->status = 0;
	if ((r->flags & UB_RUN_IRQ_OFF) && r->max_irqoff_ns &&
	    r->batch > r->max_irqoff_ns / 1000 + 1) {
		r->batch_used = (uint32_t)(r->max_irqoff_ns / 1000 + 1);
		r->status |= UB_STATUS_IRQOFF_CLAMP;
	}
	r->rounds_done = r->rounds;
	{
		/* Tests of interruption: a run that takes a while. */
		const char *d = getenv("UB_TEST_FAKE_DELAY_MS");
		struct timespec ts;

		if (d && atoi(d) > 0) {
			ts.tv_sec = atoi(d) / 1000;
			ts.tv_nsec = (long)(atoi(d) % 1000) * 1000000L;
			nanosleep(&ts, NULL);	/* EINTR on a signal */
		}
	}
	if (ub_signal_pending()) {
		r->rounds_done = r->rounds / 2 ? r->rounds / 2 : 1;
		r->status |= UB_STATUS_SIGNAL;
	}
	r->timer_overhead = 30;
	r->tsc_khz = in->tsc_khz;
	batches = (r->nr_units + r->batch_used - 1) / r->batch_used;
	seed = r->seed * 0x9e3779b97f4a7c15ULL + 1;
	memset(res, 0, need_res);
	if (smp)
		memset(smp, 0, need_smp);
	if (hist)
		memset(hist, 0, need_hist);
	for (unsigned t = 0; t < r->nr_threads; t++)
		for (unsigned k = 0; k < ns; k++) {
			const struct ub_variant_desc *v = &in->variants[sel[k]];
			struct ub_result *o = &res[t * ns + k];
			uint64_t base = base_cost(v, r->backend_used, r->granule);
			unsigned __int128 sq = 0;

			if (r->cache_state == UB_CACHE_COLD)
				base += base / 4;
			o->variant = sel[k];
			o->thread = t;
			o->cpu = cpus[t];
			o->node = r->node;
			o->min = UINT64_MAX;
			o->ops = r->nr_units * r->rounds_done;
			o->batches = batches * r->rounds_done;
			for (unsigned rd = 0; rd < r->rounds_done; rd++) {
				uint64_t tot = 0;

				for (uint64_t b = 0; b < batches; b++) {
					uint64_t ops = b + 1 < batches ? r->batch_used :
						r->nr_units - b * r->batch_used;
					uint64_t x = base + rnd(&seed) % (base / 20 + 2);

					o->sum += x;
					sq += (unsigned __int128)x * x;
					if (x < o->min)
						o->min = x;
					if (x > o->max)
						o->max = x;
					tot += x * ops;
					if (hist)
						hist[(uint64_t)(t * ns + k) * UB_HIST_BUCKETS +
						     ub_hist_bucket(x)]++;
				}
				if (smp)
					smp[((uint64_t)t * r->rounds + rd) * ns + k] = tot;
			}
			o->sumsq_hi = (uint64_t)(sq >> 64);
			o->sumsq_lo = (uint64_t)sq;
			o->pfn_checksum = 0x100000ULL * (r->node + 1) + r->nr_units *
				ub_granule_pages(v->granule) * 7 + t;
			o->pages_touched = o->ops * ub_granule_pages(r->granule);
		}
	r->elapsed_ns = 1000000ULL * r->rounds_done * ns;
	return 0;
#undef BAD
}
