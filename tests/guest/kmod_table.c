// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_table: a cycles/op table of every variant straight from
 * unmap_bench.ko (no harness), for a quick look in the testbed. Prints
 * TAP: one "ok" line per run and the table as "#" lines. Under TCG the
 * figures are emulator figures, not hardware ones; the output says so.
 *
 * Per variant: mean and min of the per-batch cycles/op, and for each
 * page/pfn pair the paired per-round difference (pfn - page) in
 * cycles/op with a 95% confidence interval (Student t over rounds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "unmap_bench.h"

#define MAXSEL		UB_MAX_VARIANTS
#define MAXROUNDS	64

static struct ub_info info;
static struct ub_result res[MAXSEL];
static __u64 samples[MAXROUNDS * MAXSEL];
static __u32 hist[MAXSEL * UB_HIST_BUCKETS];

/* Two-sided 95% Student t quantiles for 1..30 degrees of freedom. */
static double t95(unsigned int df)
{
	static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571,
		2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
		2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
		2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };

	return df < sizeof(t) / sizeof(t[0]) ? t[df] : 1.96;
}

/* Square root without libm (the test build links no -lm). */
static double root(double x)
{
	double g = x > 1 ? x : 1;
	int i;

	if (x <= 0)
		return 0;
	for (i = 0; i < 60; i++)
		g = (g + x / g) / 2;
	return g;
}

/* Median of one result's histogram (lower bound of the median bucket). */
static __u64 hist_median(unsigned int s, __u64 n)
{
	__u64 seen = 0;
	__u32 b;

	for (b = 0; b < UB_HIST_BUCKETS; b++) {
		seen += hist[s * UB_HIST_BUCKETS + b];
		if (2 * seen >= n)
			return ub_hist_lower(b);
	}
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct cfg {
	__u32 backend, granule, reset, cache;
	__u64 units;
	__u32 batch, rounds;
};

static int one(int fd, const struct cfg *c)
{
	static const char *const bk[] = { "auto", "null", "model", "tdx" };
	unsigned int s, k, nsel;
	struct ub_run r;
	__u32 cpu = 0;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.backend = c->backend;
	r.granule = c->granule;
	r.reset_mode = c->reset;
	r.cache_state = c->cache;
	r.variant_mask = (1ULL << info.nr_variants) - 1;
	r.nr_units = c->units;
	r.batch = c->batch;
	r.rounds = c->rounds;
	r.seed = 7;
	r.nr_threads = 1;
	r.cpus = (uintptr_t)&cpu;
	r.results = (uintptr_t)res;
	r.results_len = sizeof(res);
	r.samples = (uintptr_t)samples;
	r.samples_len = sizeof(samples);
	r.hist = (uintptr_t)hist;
	r.hist_len = sizeof(hist);
	if (ioctl(fd, UB_IOC_RUN, &r)) {
		printf("not ok - table run %s: %s: %s\n", bk[c->backend],
		       strerror(errno), r.reason);
		return 1;
	}
	nsel = r.nr_selected;
	printf("ok - table run backend=%s granule=%s reset=%s cache=%s units=%llu batch=%u rounds=%u\n",
	       bk[c->backend], c->granule == UB_GRANULE_2M ? "2M" : "4K",
	       c->reset ? "force" : "kernel", c->cache ? "cold" : "hot",
	       (unsigned long long)c->units, r.batch_used, r.rounds_done);
	printf("# insns_used 0x%x, timer overhead %llu cycles, tsc_khz %llu, %.2f s\n",
	       r.insns_used, (unsigned long long)r.timer_overhead,
	       (unsigned long long)r.tsc_khz, r.elapsed_ns / 1e9);
	printf("# | variant | median cyc/op | min | mean | pfn - page: median of rounds; mean +/- 95%% CI |\n");
	printf("# |---|---:|---:|---:|---|\n");
	for (s = 0; s < nsel; s++) {
		const struct ub_variant_desc *d = &info.variants[res[s].variant];
		double mean = res[s].batches ?
			      (double)res[s].sum / (double)res[s].batches : 0;
		char diff[96] = "";

		if (d->shape == UB_SHAPE_PFN && s > 0) {
			double m = 0, v = 0, x, dd[MAXROUNDS];
			unsigned int n = r.rounds_done;

			for (k = 0; k < n; k++) {
				dd[k] = ((double)samples[k * nsel + s] -
					 (double)samples[k * nsel + s - 1]) / c->units;
				m += dd[k];
			}
			m /= n;
			for (k = 0; k < n; k++) {
				x = ((double)samples[k * nsel + s] -
				     (double)samples[k * nsel + s - 1]) / c->units - m;
				v += x * x;
			}
			v = n > 1 ? v / (n - 1) : 0;
			qsort(dd, n, sizeof(dd[0]), cmp_d);
			snprintf(diff, sizeof(diff), "%+.1f; %+.1f +/- %.1f",
				 dd[n / 2], m,
				 n > 1 ? t95(n - 1) * root(v / n) : 0.0);
		}
		printf("# | %s | %llu | %llu | %.1f | %s |\n", d->name,
		       (unsigned long long)hist_median(s, res[s].batches),
		       (unsigned long long)res[s].min, mean, diff);
	}
	return 0;
}

int main(void)
{
	static const struct cfg cfgs[] = {
		{ UB_BACKEND_NULL, UB_GRANULE_4K, UB_RESET_FORCE, UB_CACHE_HOT, 4096, 64, 40 },
		{ UB_BACKEND_NULL, UB_GRANULE_2M, UB_RESET_FORCE, UB_CACHE_HOT, 16, 1, 30 },
		{ UB_BACKEND_MODEL, UB_GRANULE_4K, UB_RESET_KERNEL, UB_CACHE_HOT, 1024, 32, 30 },
		{ UB_BACKEND_MODEL, UB_GRANULE_4K, UB_RESET_FORCE, UB_CACHE_HOT, 1024, 32, 30 },
		{ UB_BACKEND_MODEL, UB_GRANULE_4K, UB_RESET_FORCE, UB_CACHE_COLD, 1024, 32, 30 },
		{ UB_BACKEND_MODEL, UB_GRANULE_2M, UB_RESET_FORCE, UB_CACHE_HOT, 8, 1, 20 },
	};
	unsigned int i;
	int fd, bad = 0;

	fd = open(UB_CTL_PATH, O_RDWR);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	if (fd < 0 || ioctl(fd, UB_IOC_INFO, &info)) {
		printf("not ok - kmod_table: %s\n", strerror(errno));
		return 1;
	}
	printf("# unmap_bench %s cycles/op table; tsc_khz %llu; cpu_features 0x%x\n",
	       info.module_version, (unsigned long long)info.tsc_khz,
	       info.cpu_features);
	if (info.cpu_features & UB_FEAT_HYPERVISOR)
		printf("# NOTE: running as a guest; under QEMU TCG these are emulator cycles, not hardware figures\n");
	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		bad += one(fd, &cfgs[i]);
	return bad ? 1 : 0;
}
