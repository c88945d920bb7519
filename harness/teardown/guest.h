/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h: one guest of a teardown run, shared by teardown/guest.c
 * (create, tear down, the run's phases) and teardown/populate.c.
 */
#ifndef UB_TD_GUEST_H
#define UB_TD_GUEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "record/progress.h"
#include "teardown/teardown.h"

struct guest {
	const struct td_spec *spec;
	struct td_guest_res *res;
	int idx;
	int vm_fd, gmem_fd;
	int *vcpu_fd;
	unsigned nvcpu;
	void *anon;			/* anon backing (page size 2m) */
	size_t anon_len;
	void *anon_base;		/* 2M-aligned start inside anon */
	/* populate */
	atomic_int fallback;		/* prefault refused: use gmem/touch */
	atomic_int failed;
	char fail_msg[320];
	pthread_mutex_t lock;
	uint64_t pop_t0, pop_t1;
	_Atomic uint64_t pop_end;	/* latest end of its populate threads */
	/* teardown */
	uint64_t td_t0, td_t1;
	char xnote[200];		/* remark for an ok status */
};

/* Record the guest's first failure (any thread). */
void guest_fail(struct guest *g, const char *msg);

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
