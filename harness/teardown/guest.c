// SPDX-License-Identifier: GPL-2.0
/*
 * guest.c: one guest of a teardown run, and what a run does with its
 * guests (teardown/run.c walks them through the phases):
 *
 *   create    KVM_CREATE_VM, (TDX: split IRQ chip, KVM_TDX_CAPABILITIES,
 *             KVM_TDX_INIT_VM; touch: in-kernel IRQ chip),
 *             guest_memfd + KVM_SET_USER_MEMORY_REGION2 memslots at
 *             TD_GPA_BASE, KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) for VM
 *             types with private memory, (touch: the control pages,
 *             teardown/touch.c), vCPUs (TDX: KVM_TDX_INIT_VCPU, then
 *             KVM_TDX_FINALIZE_VM; touch: long-mode state)
 *   populate  waves of guests, one thread per vCPU (teardown/populate.c),
 *             or the guest's own vCPUs (touch)
 *   stats     pages_4k / pages_2m / pages_1g from KVM_GET_STATS_FD
 *   teardown  every guest at once, one thread each, by the trigger:
 *             destroy (close every fd; the last close runs
 *             kvm_destroy_vm), convert (private->shared with
 *             KVM_SET_MEMORY_ATTRIBUTES), punch (FALLOC_FL_PUNCH_HOLE on
 *             the guest_memfd)
 *
 * The harness's own memory does not grow with the guest size: guest
 * memory is never mapped into the harness (except anonymous backing,
 * --page-size 2m, which is the harness's memory by construction).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numaif.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "record/log.h"
#include "record/progress.h"
#include "record/rundir.h"
#include "record/util.h"
#include "teardown/guest.h"
#include "teardown/touch.h"
#include "teardown/kvm.h"

#define TD_SLOT_MAX	(1ULL << 40)	/* bytes per memslot (KVM allows ~8T) */
#define TD_STACK	(256 << 10)

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Close everything the guest still holds (the last close destroys it). */
void guest_release(struct guest *g)
{
	touch_free(g);		/* vCPUs out of KVM_RUN before the closes */
	for (unsigned i = 0; i < g->nvcpu; i++)
		close_fd(&g->vcpu_fd[i]);
	close_fd(&g->vm_fd);
	close_fd(&g->gmem_fd);
	if (g->anon) {
		munmap(g->anon, g->anon_len);
		g->anon = NULL;
	}
}

/* Anonymous memory, 2M aligned so THP can back 2M mappings, on the
 * run's node. */
static int anon_backing(struct guest *g, struct ubk_err *e)
{
	const struct td_spec *s = g->spec;
	unsigned long mask[64 / (8 * sizeof(long)) + 1] = { 0 };

	g->anon_len = s->size + UB_BYTES_2M;
	g->anon = mmap(NULL, g->anon_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->anon == MAP_FAILED) {
		g->anon = NULL;
		ubk_fail(e, "mmap", errno, 0, "(%" PRIu64 " bytes)", s->size);
		return -1;
	}
	g->anon_base = (void *)(((uintptr_t)g->anon + UB_BYTES_2M - 1) &
				~(uintptr_t)(UB_BYTES_2M - 1));
	if (madvise(g->anon_base, s->size, s->pagesize == UB_PS_2M ?
		    MADV_HUGEPAGE : MADV_NOHUGEPAGE) && s->pagesize == UB_PS_2M)
		snprintf(g->xnote, sizeof(g->xnote), "madvise(MADV_HUGEPAGE): "
			 "errno %d (%s)", errno, strerror(errno));
	if (s->node == TD_NODE_ANY)
		return 0;
	mask[s->node / (8 * sizeof(long))] |= 1UL << (s->node % (8 * sizeof(long)));
	if (mbind(g->anon_base, s->size, MPOL_BIND, mask, 64 + 1, 0)) {
		ubk_fail(e, "mbind", errno, 0, "(node %" PRIu64 ")", s->node);
		return -1;
	}
	return 0;
}

int guest_create(struct guest *g, int kvm_fd,
			const struct kvm_cpuid2 *cpuid, struct ubk_err *e)
{
	const struct td_spec *s = g->spec;
	int tdx = s->vm_type == KVM_X86_TDX_VM, touch = s->populate == UB_POP_TOUCH;
	uint32_t slot = 0;
	long maxv;

	g->vm_fd = ubk_create_vm(kvm_fd, s->vm_type, e);
	if (g->vm_fd < 0)
		return -1;
	if (tdx && ubk_tdx_init_vm(kvm_fd, g->vm_fd, &g->tdx, e))
		return -1;
	/* The touch guest's vCPUs halt in the kernel (HLT with an in-kernel
	 * LAPIC) instead of exiting to the harness. Before any vCPU. */
	if (touch && ubk_create_irqchip(g->vm_fd, e))
		return -1;
	maxv = ubk_check(g->vm_fd, KVM_CAP_MAX_VCPUS);
	if (maxv > 0 && s->vcpus > (unsigned long)maxv) {
		ubk_fail(e, "KVM_CREATE_VCPU", 0, 0,
			 "refused: --vcpus %u exceeds KVM_CAP_MAX_VCPUS=%ld "
			 "for this VM type", s->vcpus, maxv);
		return -1;
	}
	if (s->use_gmem) {
		g->gmem_fd = ubk_create_gmem(g->vm_fd, s->size, s->gmem_flags, e);
		if (g->gmem_fd < 0)
			return -1;
	} else if (anon_backing(g, e)) {
		return -1;
	}
	for (uint64_t off = 0; off < s->size; off += TD_SLOT_MAX, slot++) {
		uint64_t len = s->size - off < TD_SLOT_MAX ? s->size - off : TD_SLOT_MAX;
		uint64_t ua = g->anon ? (uint64_t)(uintptr_t)g->anon_base + off : 0;

		if (ubk_set_slot(g->vm_fd, slot, s->use_gmem ? KVM_MEM_GUEST_MEMFD : 0,
				 TD_GPA_BASE + off, len, ua, g->gmem_fd, off, e))
			return -1;
	}
	if (s->private_mem &&
	    ubk_set_attributes(g->vm_fd, TD_GPA_BASE, s->size,
			       KVM_MEMORY_ATTRIBUTE_PRIVATE, e))
		return -1;
	if (touch && touch_setup_vm(g, slot, e))
		return -1;
	g->vcpu_fd = ub_xcalloc(s->vcpus, sizeof(int));
	for (unsigned i = 0; i < s->vcpus; i++)
		g->vcpu_fd[i] = -1;
	g->nvcpu = s->vcpus;
	for (unsigned i = 0; i < s->vcpus; i++) {
		struct ubk_err ce;

		g->vcpu_fd[i] = ubk_create_vcpu(g->vm_fd, i, e);
		if (g->vcpu_fd[i] < 0)
			return -1;
		/*
		 * KVM's supported CPUID gives the vCPU the host's MAXPHYADDR
		 * (pre-fault checks GPAs against it), long mode (touch) and
		 * x2APIC, which TDX requires before KVM_TDX_INIT_VCPU.
		 * Best effort for a guest that never runs.
		 */
		if (cpuid && ubk_set_cpuid(g->vcpu_fd[i], cpuid, &ce) &&
		    (tdx || touch)) {
			*e = ce;
			return -1;
		}
		if (tdx && ubk_tdx_init_vcpu(g->vcpu_fd[i], e))
			return -1;
		if (touch && touch_setup_vcpu(g, i, kvm_fd, e))
			return -1;
	}
	if (tdx && ubk_tdx_finalize(g->vm_fd, e))
		return -1;
	return 0;
}

/* Tear G down by its run's trigger (from one thread per guest, all at
 * once); failures are recorded with guest_fail(). */
void guest_trigger(struct guest *g)
{
	const struct td_spec *s = g->spec;
	struct ubk_err e;

	switch (s->trigger) {
	case UB_TRIG_DESTROY:
		/* vCPUs and the VM first; guest_memfd holds the last VM
		 * reference, so closing it zaps the mappings and then runs
		 * kvm_destroy_vm before close() returns. With anonymous
		 * backing the VM fd is the last reference. A touch guest's
		 * vCPUs have left KVM_RUN already (run.c, untimed). */
		touch_stop(g);
		for (unsigned i = 0; i < g->nvcpu; i++)
			close_fd(&g->vcpu_fd[i]);
		close_fd(&g->vm_fd);
		close_fd(&g->gmem_fd);
		break;
	case UB_TRIG_CONVERT:
		if (ubk_set_attributes(g->vm_fd, TD_GPA_BASE, s->size, 0, &e))
			guest_fail(g, e.msg);
		break;
	case UB_TRIG_PUNCH:
		if (g->gmem_fd >= 0) {
			int rc;

			do
				rc = fallocate(g->gmem_fd, FALLOC_FL_PUNCH_HOLE |
					       FALLOC_FL_KEEP_SIZE, 0, (off_t)s->size);
			while (rc && errno == EINTR);
			if (rc) {
				char m[200];

				snprintf(m, sizeof(m), "fallocate(guest_memfd, "
					 "PUNCH_HOLE|KEEP_SIZE): errno %d (%s)",
					 errno, strerror(errno));
				guest_fail(g, m);
			}
		} else if (madvise(g->anon_base, s->size, MADV_DONTNEED)) {
			/* Kernels without madvise (tinyconfig: no
			 * ADVISE_SYSCALLS): replacing the mapping frees the
			 * pages and zaps KVM's mappings just the same. */
			int err = errno;

			if (mmap(g->anon_base, s->size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				 MAP_FIXED, -1, 0) == MAP_FAILED) {
				char m[200];

				snprintf(m, sizeof(m), "punch on anonymous memory: "
					 "madvise(MADV_DONTNEED) errno %d, mmap(MAP_FIXED) "
					 "errno %d (%s)", err, errno, strerror(errno));
				guest_fail(g, m);
			} else {
				size_t l = strlen(g->xnote);

				snprintf(g->xnote + l, sizeof(g->xnote) - l, "%spunch on "
					 "anonymous memory by mmap(MAP_FIXED) (madvise: "
					 "errno %d)", l ? "; " : "", err);
			}
		}
		break;
	default:
		break;
	}
}

uint64_t td_mapped_4k_equiv(uint64_t m4k, uint64_t m2m, uint64_t m1g)
{
	/* 4K pages per 2M mapping, and per 1G (one more level of 512). */
	const uint64_t per2m = UB_PAGES_PER_2M, per1g = per2m * UB_PAGES_PER_2M;

	return (m4k == UINT64_MAX ? 0 : m4k) +
	       (m2m == UINT64_MAX ? 0 : m2m * per2m) +
	       (m1g == UINT64_MAX ? 0 : m1g * per1g);
}
