// SPDX-License-Identifier: GPL-2.0
/*
 * Native smoke test of libubcore.a, the module's portable code built for
 * userspace: INFO, then a RUN of the ground-truth ops and of the page and
 * pfn convert variants through ub_user_ioctl(), checking the bookkeeping
 * (ops, batches, rounds, warm-up, replicas and positions recorded).
 * Prints cycles/op per variant; exits non-zero if the counts are wrong or
 * a chain of at least twice the adds is not slower. Timings are printed,
 * never asserted beyond that coarse order.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>

#include "ub_core.h"
#include "user/ub_user.h"

#define NR_UNITS	256
#define BATCH		32
#define ROUNDS		16
#define WARMUP		2

int main(void)
{
	static struct ub_info info;
	static struct ub_run r;
	static struct ub_result res[UB_MAX_VARIANTS];
	static struct ub_sample smp[ROUNDS * UB_MAX_VARIANTS];
	u32 cpu = (u32)sched_getcpu(), i, bad = 0, k;
	u64 mask = 0;
	double mean[UB_MAX_VARIANTS];

	info.size = sizeof(info);
	if (ub_user_ioctl(UB_IOC_INFO, &info)) {
		perror("INFO");
		return 1;
	}
	printf("native: %u variants, %u replicas, build %s\n", info.nr_variants,
	       info.nr_replicas, info.build);
	for (i = 0; i < info.nr_variants; i++)
		if (info.variants[i].path == UB_PATH_GROUND ||
		    (info.variants[i].path == UB_PATH_CONVERT &&
		     info.variants[i].granule == UB_GRANULE_4K))
			mask |= 1ULL << i;
	r.size = sizeof(r);
	r.backend = UB_BACKEND_NULL;
	r.granule = UB_GRANULE_4K;
	r.variant_mask = mask;
	r.nr_units = NR_UNITS;
	r.batch = BATCH;
	r.rounds = ROUNDS;
	r.warmup = WARMUP;
	r.seed = 42;
	r.nr_threads = 1;
	r.cpus = (u64)(uintptr_t)&cpu;
	r.results = (u64)(uintptr_t)res;
	r.results_len = sizeof(res);
	r.samples = (u64)(uintptr_t)smp;
	r.samples_len = sizeof(smp);
	r.result_size = UB_RESULT_SIZE;
	r.sample_size = UB_SAMPLE_SIZE;
	if (ub_user_ioctl(UB_IOC_RUN, &r)) {
		perror("RUN");
		printf("reason: %s\n", r.reason);
		return 1;
	}
	printf("timer overhead %llu cycles; %u+%u rounds of %u ops, batch %u, %u replicas\n",
	       (unsigned long long)r.timer_overhead, r.warmup_done, r.rounds_done,
	       NR_UNITS, BATCH, r.replicas_used);
	for (i = 0; i < r.nr_selected; i++) {
		const struct ub_variant_desc *d = &info.variants[res[i].variant];
		u32 seen = 0;

		mean[i] = (double)res[i].sum / (double)res[i].batches;
		printf("%-18s mean %8.2f min %6llu max %8llu cycles/op\n", d->name,
		       mean[i], (unsigned long long)res[i].min,
		       (unsigned long long)res[i].max);
		if (res[i].ops != (u64)NR_UNITS * ROUNDS ||
		    res[i].batches != (u64)ROUNDS * (NR_UNITS / BATCH))
			bad++;
		for (k = 0; k < ROUNDS; k++) {
			const struct ub_sample *s = &smp[k * r.nr_selected + i];

			if (s->replica >= r.replicas_used ||
			    s->position >= r.nr_selected)
				bad++;
			seen |= 1U << s->replica;
		}
		/* 16 rounds visit each of 8 replicas twice. */
		if (seen != (1U << r.replicas_used) - 1)
			bad++;
	}
	if (r.rounds_done != ROUNDS || r.warmup_done != WARMUP)
		bad++;
	/* Only coarse ordering here: resolution is bench-instrument's job. */
	for (i = 1; i < r.nr_selected; i++) {
		const struct ub_variant_desc *a = &info.variants[res[i - 1].variant];
		const struct ub_variant_desc *b = &info.variants[res[i].variant];

		if (a->path == UB_PATH_GROUND && b->path == UB_PATH_GROUND &&
		    b->param >= 2 * a->param && res[i].min <= res[i - 1].min)
			bad++;
	}
	printf("%s\n", bad ? "FAIL" : "ok");
	return bad ? 1 : 0;
}
