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

/* The share [*lo, *hi) of G's memory (offsets) that vCPU I populates. */
void guest_share(const struct guest *g, unsigned i, uint64_t *lo, uint64_t *hi);

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

/*
 * touch.c, --populate touch. touch_setup_vm(): the control pages and
 * their memslot SLOT (after the guest memory's slots, before the vCPUs);
 * touch_setup_vcpu(): vCPU I's long-mode state, its kvm_run and stats fd.
 * touch_populate(): run every vCPU of GS[0..N-1] until each has written
 * and verified its share and is halted in KVM_RUN; 0, -1 (guest_fail
 * says why) or 130 (signal). touch_stop(): make the vCPUs leave KVM_RUN
 * and join them (idempotent); touch_free(): that, and the control pages.
 */
int  touch_setup_vm(struct guest *g, uint32_t slot, struct ubk_err *e);
int  touch_setup_vcpu(struct guest *g, unsigned i, int kvm_fd, struct ubk_err *e);
int  touch_populate(struct guest *gs, unsigned n, struct ub_progress *pr,
		    const char *note);
void touch_stop(struct guest *g);
void touch_free(struct guest *g);

#endif
