// SPDX-License-Identifier: GPL-2.0
/*
 * Ground-truth ops for validating the instrument: each op is
 * a chain of k dependent register adds (1 cycle each on any x86 core of
 * the last two decades). The chain carries on from op to op, so ops cannot
 * overlap and n ops cost n * k cycles plus loop overhead that runs in the
 * shadow of the chain. ground.add64 and ground.add65 differ by exactly one
 * dependent add. Built into the module and into libubtiming.a.
 */
#include "ub_timing.h"

#define UB_GROUND_OP(k)							\
static __always_inline u64 ub_ground_op_##k(u64 x, u64 unit)		\
{									\
	asm volatile(".rept " #k "\n\tadd %[one], %[x]\n\t.endr"		\
		     : [x] "+r" (x) : [one] "r" (unit | 1));		\
	return x;							\
}

/* The chain's end value is consumed by an asm the compiler cannot drop. */
static __always_inline u64 ub_ground_fin(u64 x)
{
	asm volatile("" : : "r" (x));
	return 0;
}

UB_GROUND_OP(16)
UB_GROUND_OP(64)
UB_GROUND_OP(65)
UB_GROUND_OP(256)
UB_GROUND_OP(1024)

static u64 ub_ground_add16(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, ub_ground_op_16, ub_ground_fin);
}

static u64 ub_ground_add64(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, ub_ground_op_64, ub_ground_fin);
}

static u64 ub_ground_add65(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, ub_ground_op_65, ub_ground_fin);
}

static u64 ub_ground_add256(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, ub_ground_op_256, ub_ground_fin);
}

static u64 ub_ground_add1024(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, ub_ground_op_1024, ub_ground_fin);
}

const struct ub_ground ub_ground_ops[] = {
	{ "ground.add16",	16,	ub_ground_add16 },
	{ "ground.add64",	64,	ub_ground_add64 },
	{ "ground.add65",	65,	ub_ground_add65 },
	{ "ground.add256",	256,	ub_ground_add256 },
	{ "ground.add1024",	1024,	ub_ground_add1024 },
};

const unsigned int ub_nr_ground = ARRAY_SIZE(ub_ground_ops);
