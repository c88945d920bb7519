/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h: one guest of a teardown run: teardown/guest.c makes and
 * unmakes it, teardown/populate.c fills its memory, teardown/run.c
 * takes a run's guests through the phases.
 */
#ifndef UB_TD_GUEST_H
#define UB_TD_GUEST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "record/progress.h"
#include "teardown/kvm.h"
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

/* guest.c: create (VM, memory, memslots, vCPUs; TDX steps), the
 * trigger, the mapping counts, release (the last close destroys it). */
int  guest_create(struct guest *g, int kvm_fd, const struct kvm_cpuid2 *cpuid,
		  struct ubk_err *e);
void guest_trigger(struct guest *g);
int  guest_mappings(struct guest *g, uint64_t v[3], struct ubk_err *e);
void guest_release(struct guest *g);
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
