/* SPDX-License-Identifier: GPL-2.0 */
/* populate.h: teardown/populate.c, filling guests' memory from the host. */
#ifndef UB_TD_POPULATE_H
#define UB_TD_POPULATE_H

#include "record/progress.h"
#include "teardown/guest_state.h"

/* The share [*lo, *hi) of G's memory (offsets) that vCPU I populates. */
void guest_share(const struct guest *g, unsigned i, uint64_t *lo, uint64_t *hi);

/*
 * Populate guests GS[FIRST..FIRST+N-1] at once, one thread per vCPU
 * running FN (populate_thread or populate_fallback); progress in bytes on
 * PR. Sets each guest's pop_t0/pop_t1.
 */
void populate_wave(struct guest *gs, unsigned first, unsigned n,
		   void *(*fn)(void *), struct ub_progress *pr, const char *note);
void *populate_thread(void *arg);
/* After KVM refused to pre-fault: the memory is populated all the same,
 * so teardown still frees it. */
void *populate_fallback(void *arg);
/* Bytes populated so far by every wave (for progress). */
void populate_reset(void);

#endif
