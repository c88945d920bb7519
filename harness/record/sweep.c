// SPDX-License-Identifier: GPL-2.0
/* sweep.c: the odometer over a table of dimensions, see sweep.h. */
#include <stdlib.h>

#include "record/optval.h"
#include "record/sweep.h"

int ub_sweep(const struct ub_dim *dims, size_t n,
	     const struct ub_u64_list *lists, void *ctx, int (*emit)(void *ctx))
{
#define COUNT(d) ((d)->list >= 0 ? lists[(d)->list].n : (d)->count(ctx))
	size_t idx[UB_SWEEP_MAX], cnt[UB_SWEEP_MAX], d = 0;

	if (!n)
		return emit(ctx);
	if (n > UB_SWEEP_MAX)
		abort();	/* a command with more dimensions than planned for */
	idx[0] = 0;
	cnt[0] = COUNT(&dims[0]);
	for (;;) {
		int r;

		if (idx[d] == cnt[d]) {		/* this wheel is round: carry */
			if (!d)
				return 0;
			idx[--d]++;
			continue;
		}
		r = dims[d].set(ctx, dims[d].list, idx[d]);
		if (r < 0)
			return -1;
		if (r > 0 || d + 1 == n) {
			if (!r && emit(ctx))
				return -1;
			idx[d]++;
			continue;
		}
		d++;
		idx[d] = 0;
		cnt[d] = COUNT(&dims[d]);
	}
}
#undef COUNT
