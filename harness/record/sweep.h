/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sweep.h: the cartesian product of a command's option lists, walked as
 * an odometer over a table of dimensions instead of one nested loop per
 * list. A dimension's count may depend on the values the earlier ones
 * hold (e.g. the CPU sets of a node and a thread count), and a value may
 * be skipped with everything under it (e.g. a granule no selected
 * variant runs at).
 */
#ifndef UB_SWEEP_H
#define UB_SWEEP_H

#include <stddef.h>

#define UB_SWEEP_MAX	24		/* dimensions */

struct ub_u64_list;

struct ub_dim {
	const char *name;
	int	list;			/* its values: LISTS[list] of ub_sweep() */
	/* ... or, list < 0: how many values it has under the earlier
	 * dimensions' current values. */
	size_t	(*count)(void *ctx);
	/* Take value I (of LISTS[list] when list >= 0): 0, 1 = skip it (and
	 * all under it), -1 = error. */
	int	(*set)(void *ctx, int list, size_t i);
};

/*
 * Every combination of DIMS[0..N-1], the last varying fastest, calling
 * EMIT(CTX) for each (0 to go on, -1 to stop). 0, or -1 when a set() or
 * EMIT failed.
 */
int ub_sweep(const struct ub_dim *dims, size_t n,
	     const struct ub_u64_list *lists, void *ctx, int (*emit)(void *ctx));

#endif
