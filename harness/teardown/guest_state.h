/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_state.h: one guest of a teardown run, as every file that works on
 * it sees it: teardown/guest.c makes and unmakes it (guest.h),
 * teardown/populate.c and teardown/touch.c fill its memory (populate.h,
 * touch.h), teardown/run.c takes a run's guests through the phases. No
 * .c file of its own, so none of them calls back into another through it.
 */
#ifndef UB_TD_GUEST_STATE_H
#define UB_TD_GUEST_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "record/util.h"
#include "teardown/kvm.h"
#include "teardown/teardown.h"

/*
 * Guest physical layout: the guest memory at 4 GiB (TD_GPA_BASE), above
 * the 32-bit hole where an in-kernel LAPIC's APIC-access page (VMX) and
 * QEMU's devices live; --populate touch's control pages (code, page
 * tables) at 1 MiB.
 */
#define TD_GPA_BASE	((uint64_t)4 << 30)
#define TD_CTL_GPA	((uint64_t)1 << 20)

struct td_vcpu;

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
	struct ubk_tdx_info tdx;	/* TDX: what INIT_VM saw */
	/* --populate touch (touch.c); counters under lock */
	void *ctl;			/* control pages (shared anonymous) */
	size_t ctl_len;
	uint64_t ctl_pml4;		/* GPA of the PML4 */
	uint64_t seed;			/* the written pattern: GPA ^ seed */
	struct td_vcpu *vc;
	pthread_cond_t cond;
	unsigned ready, reported;
	int go;
	uint64_t base[3];		/* control pages' pages_4k/2m/1g */
	uint64_t touched;		/* pages verified by checksum */
};

/* Record the guest's first failure (any thread). */
static inline void guest_fail(struct guest *g, const char *msg)
{
	pthread_mutex_lock(&g->lock);
	if (!atomic_load(&g->failed)) {
		ub_strlcpy(g->fail_msg, msg, sizeof(g->fail_msg));
		atomic_store(&g->failed, 1);
	}
	pthread_mutex_unlock(&g->lock);
}

/* pages_4k, pages_2m, pages_1g from KVM's binary stats of G's VM. */
static inline int guest_mappings(struct guest *g, uint64_t v[3], struct ubk_err *e)
{
	static const char *const names[3] = { "pages_4k", "pages_2m", "pages_1g" };

	return ubk_read_stats(g->vm_fd, names, v, 3, e);
}

#endif
