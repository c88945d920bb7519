// SPDX-License-Identifier: GPL-2.0
/*
 * The counterbalanced schedule of a run: which variant runs at which
 * position of a round, and at which layout replica.
 *
 * Order: rounds come in blocks of n rows of a Williams design (2n when
 * n is odd: the rows and their mirror images), under a random relabelling
 * of the variants and a random order of the rows, both drawn afresh every
 * block. Within a complete block every variant holds every position
 * equally often and directly follows every other variant equally often,
 * so neither a position effect nor a carry-over from the previous variant
 * can bias a comparison; the random relabelling keeps the schedule from
 * being predictable across blocks.
 *
 * Replicas: every variant visits its nr_rep replicas in a fresh random
 * order every nr_rep rounds, so each replica carries an equal share of
 * every variant's rounds.
 *
 * Both are pure functions of the seed and the round number, the same on
 * every thread of a run, and built into the module and libubcore.a.
 */
#include "ub_timing.h"

/* Uniform in [0, bound) without a division (Lemire's multiply-shift). */
static u64 ub_rng_below(u64 *state, u64 bound)
{
	return (u64)(((__uint128_t)ub_rng_next(state) * bound) >> 64);
}

/* splitmix64: small, seedable, good enough to order pages and variants. */
u64 ub_rng_next(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Fisher-Yates shuffle. */
void ub_shuffle_u64(u64 *a, u64 n, u64 *state)
{
	u64 i, j, t;

	for (i = n; i > 1; i--) {
		j = ub_rng_below(state, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* A random permutation of 0..n-1, as u32 or u8. */
static void ub_perm_u32(u32 *a, u32 n, u64 *state)
{
	u32 i, j, t;

	for (i = 0; i < n; i++)
		a[i] = i;
	for (i = n; i > 1; i--) {
		j = (u32)ub_rng_below(state, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static void ub_perm_u8(u8 *a, u32 n, u64 *state)
{
	u32 i, j;
	u8 t;

	for (i = 0; i < n; i++)
		a[i] = (u8)i;
	for (i = n; i > 1; i--) {
		j = (u32)ub_rng_below(state, i);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

u32 ub_sched_block(u32 n)
{
	return n & 1 ? 2 * n : n;
}

/*
 * Row @row, position @k of the Williams design for n treatments: the
 * first row is 0, 1, n-1, 2, n-2, ...; row i adds i (mod n); rows n..2n-1
 * are rows 0..n-1 reversed.
 */
static u32 ub_williams(u32 n, u32 row, u32 k)
{
	u32 a;

	if (row >= n)
		k = n - 1 - k;
	if (!k)
		a = 0;
	else if (k & 1)
		a = (k + 1) / 2;
	else
		a = n - k / 2;
	return (a + row % n) % n;
}

void ub_sched_init(struct ub_sched *s, u64 seed, u32 n, u32 nr_rep)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed;
	s->n = n;
	s->nr_rep = nr_rep ? nr_rep : 1;
	s->block = ub_sched_block(n);
}

void ub_sched_round(struct ub_sched *s, u32 r, u32 *order, u8 *replica)
{
	u32 k, v, row;

	if (r % s->block == 0) {
		ub_perm_u32(s->label, s->n, &s->rng);
		ub_perm_u32(s->rowperm, s->block, &s->rng);
	}
	if (r % s->nr_rep == 0)
		for (v = 0; v < s->n; v++)
			ub_perm_u8(s->repperm[v], s->nr_rep, &s->rng);
	row = s->rowperm[r % s->block];
	for (k = 0; k < s->n; k++)
		order[k] = s->label[ub_williams(s->n, row, k)];
	for (v = 0; v < s->n; v++)
		replica[v] = s->repperm[v][r % s->nr_rep];
}
