// SPDX-License-Identifier: GPL-2.0
/*
 * Primitives that do no hardware work. The address each wrapper computed
 * is consumed by an empty asm the compiler must keep, so what is timed is
 * the API shape alone: the caller's conversion, the call, the wrapper's
 * conversion and its early return. Built into the module and libubcore.a.
 */
#include "ub_core.h"

#define UB_BK null

static __always_inline u64 ub_prim_wbinvd(u64 keyed_paddr)
{
	asm volatile("" : : "r" (keyed_paddr));
	return 0;
}

static __always_inline void ub_prim_reset(unsigned long base,
					  unsigned long size)
{
	asm volatile("" : : "r" (base), "r" (size));
}

#define UB_TEMPLATE "ub_wrappers.h"
#include "ub_each_replica.h"
