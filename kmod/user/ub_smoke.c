// SPDX-License-Identifier: GPL-2.0
/*
 * Native smoke test of libubtiming.a, the userspace build of the module's
 * timing engine: times the ground-truth ops (chains of k dependent adds)
 * and checks the bookkeeping. Prints cycles/op per op; exits non-zero if
 * the counts are wrong or a chain of at least twice the adds is not
 * slower.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ub_timing.h"

#define NR_UNITS	256
#define BATCH		32
#define ROUNDS		50

int main(void)
{
	static u64 unit[NR_UNITS], samples[ROUNDS * 8];
	struct ub_jvar var[8];
	struct ub_stat stat[8];
	struct ub_job j;
	u32 order[8], i, bad = 0;
	u64 seed = 1;
	double mean[8];

	for (i = 0; i < NR_UNITS; i++)
		unit[i] = i;
	ub_shuffle_u64(unit, NR_UNITS, &seed);
	for (i = 0; i < ub_nr_ground; i++) {
		var[i].fn = ub_ground_ops[i].fn;
		var[i].unit_pages = 0;
		ub_stat_init(&stat[i]);
	}
	memset(&j, 0, sizeof(j));
	j.var = var;
	j.nr_var = ub_nr_ground;
	j.unit = unit;
	j.nr_units = NR_UNITS;
	j.batch = BATCH;
	j.rounds = ROUNDS;
	j.seed = 42;
	j.timer = UB_TIMER_TSC;
	j.overhead = ub_timer_overhead(UB_TIMER_TSC);
	j.stat = stat;
	j.samples = samples;
	j.order = order;
	ub_engine_run(&j);

	printf("timer overhead %llu cycles; %u rounds of %u ops, batch %u\n",
	       (unsigned long long)j.overhead, j.rounds_done, NR_UNITS, BATCH);
	for (i = 0; i < ub_nr_ground; i++) {
		mean[i] = (double)stat[i].sum / (double)stat[i].batches;
		printf("%-16s k=%-5u mean %8.2f min %6llu max %8llu cycles/op (%.3f per add)\n",
		       ub_ground_ops[i].name, ub_ground_ops[i].adds, mean[i],
		       (unsigned long long)stat[i].min,
		       (unsigned long long)stat[i].max,
		       mean[i] / ub_ground_ops[i].adds);
		if (stat[i].ops != (u64)NR_UNITS * ROUNDS ||
		    stat[i].batches != (u64)ROUNDS * (NR_UNITS / BATCH) ||
		    stat[i].status)
			bad++;
	}
	if (j.rounds_done != ROUNDS)
		bad++;
	/* Only coarse ordering here: resolution is bench-instrument's job. */
	for (i = 1; i < ub_nr_ground; i++)
		if (ub_ground_ops[i].adds >= 2 * ub_ground_ops[i - 1].adds &&
		    stat[i].min <= stat[i - 1].min)
			bad++;
	printf("%s\n", bad ? "FAIL" : "ok");
	return bad ? 1 : 0;
}
