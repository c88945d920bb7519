// SPDX-License-Identifier: GPL-2.0
/*
 * guest.c: the life of the guests of one run.
 *
 *   create    KVM_CREATE_VM, (TDX: split IRQ chip, KVM_TDX_CAPABILITIES,
 *             KVM_TDX_INIT_VM), guest_memfd + KVM_SET_USER_MEMORY_REGION2
 *             memslots, KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) for VM types
 *             with private memory, vCPUs (TDX: KVM_TDX_INIT_VCPU, then
 *             KVM_TDX_FINALIZE_VM)
 *   populate  waves of guests, one thread per vCPU (teardown/populate.c)
 *   stats     pages_4k / pages_2m / pages_1g from KVM_GET_STATS_FD
 *   teardown  every guest at once, one thread each, by the trigger:
 *             destroy (close every fd; the last close runs
 *             kvm_destroy_vm), convert (private->shared with
 *             KVM_SET_MEMORY_ATTRIBUTES), punch (FALLOC_FL_PUNCH_HOLE on
 *             the guest_memfd)
 *
 * The harness's own memory does not grow with the guest size: guests are
 * never mapped into the harness except for --populate touch, and then
 * only for the time it takes to write them.
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
#include "teardown/kvm.h"

#define TD_SLOT_MAX	(1ULL << 40)	/* bytes per memslot (KVM allows ~8T) */
#define TD_STACK	(256 << 10)

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

static atomic_int g_threads_left;	/* teardown threads still running */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Close everything the guest still holds (the last close destroys it). */
static void guest_release(struct guest *g)
{
	for (unsigned i = 0; i < g->nvcpu; i++)
		close_fd(&g->vcpu_fd[i]);
	close_fd(&g->vm_fd);
	close_fd(&g->gmem_fd);
	if (g->anon) {
		munmap(g->anon, g->anon_len);
		g->anon = NULL;
	}
}

void guest_fail(struct guest *g, const char *msg)
{
	pthread_mutex_lock(&g->lock);
	if (!atomic_load(&g->failed)) {
		ub_strlcpy(g->fail_msg, msg, sizeof(g->fail_msg));
		atomic_store(&g->failed, 1);
	}
	pthread_mutex_unlock(&g->lock);
}

static int guest_create(struct guest *g, int kvm_fd,
			const struct kvm_cpuid2 *cpuid, struct ubk_err *e)
{
	const struct td_spec *s = g->spec;
	int tdx = s->vm_type == KVM_X86_TDX_VM;
	long maxv;

	g->vm_fd = ubk_create_vm(kvm_fd, s->vm_type, e);
	if (g->vm_fd < 0)
		return -1;
	if (tdx && ubk_tdx_init_vm(kvm_fd, g->vm_fd, e))
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
	} else {
		/* Anonymous memory, 2M aligned so THP can back 2M mappings. */
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
		if (s->node != TD_NODE_ANY) {
			unsigned long mask[64 / (8 * sizeof(long)) + 1] = { 0 };

			mask[s->node / (8 * sizeof(long))] |=
				1UL << (s->node % (8 * sizeof(long)));
			if (mbind(g->anon_base, s->size, MPOL_BIND, mask, 64 + 1, 0)) {
				ubk_fail(e, "mbind", errno, 0, "(node %" PRIu64 ")",
					 s->node);
				return -1;
			}
		}
	}
	for (uint64_t off = 0, slot = 0; off < s->size; off += TD_SLOT_MAX, slot++) {
		uint64_t len = s->size - off < TD_SLOT_MAX ? s->size - off : TD_SLOT_MAX;
		uint64_t ua = g->anon ? (uint64_t)(uintptr_t)g->anon_base + off : 0;

		if (ubk_set_slot(g->vm_fd, (uint32_t)slot,
				 s->use_gmem ? KVM_MEM_GUEST_MEMFD : 0, off, len, ua,
				 g->gmem_fd, off, e))
			return -1;
	}
	if (s->private_mem &&
	    ubk_set_attributes(g->vm_fd, 0, s->size, KVM_MEMORY_ATTRIBUTE_PRIVATE, e))
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
		 * (pre-fault checks GPAs against it) and x2APIC, which TDX
		 * requires before KVM_TDX_INIT_VCPU. Best effort for other
		 * VM types: a guest that never runs does not need it.
		 */
		if (cpuid && ubk_set_cpuid(g->vcpu_fd[i], cpuid, &ce) && tdx) {
			*e = ce;
			return -1;
		}
		if (tdx && ubk_tdx_init_vcpu(g->vcpu_fd[i], e))
			return -1;
	}
	if (tdx && ubk_tdx_finalize(g->vm_fd, e))
		return -1;
	return 0;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

struct td_arg {
	struct guest *g;
	pthread_barrier_t *bar;
};

static void *teardown_thread(void *p)
{
	struct td_arg *a = p;
	struct guest *g = a->g;
	const struct td_spec *s = g->spec;
	struct td_guest_res *r = g->res;
	struct ubk_err e;

	pthread_barrier_wait(a->bar);
	g->td_t0 = ub_now_ns();
	switch (s->trigger) {
	case UB_TRIG_DESTROY:
		/* vCPUs and the VM first; guest_memfd holds the last VM
		 * reference, so closing it zaps the mappings and then runs
		 * kvm_destroy_vm before close() returns. With anonymous
		 * backing the VM fd is the last reference. */
		for (unsigned i = 0; i < g->nvcpu; i++)
			close_fd(&g->vcpu_fd[i]);
		close_fd(&g->vm_fd);
		close_fd(&g->gmem_fd);
		break;
	case UB_TRIG_CONVERT:
		if (ubk_set_attributes(g->vm_fd, 0, s->size, 0, &e))
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
	g->td_t1 = ub_now_ns();
	r->teardown_s = (double)(g->td_t1 - g->td_t0) / 1e9;
	atomic_fetch_sub(&g_threads_left, 1);
	return NULL;
}

static const char *const stat_names[3] = { "pages_4k", "pages_2m", "pages_1g" };

uint64_t td_mapped_4k_equiv(uint64_t m4k, uint64_t m2m, uint64_t m1g)
{
	/* 4K pages per 2M mapping, and per 1G (one more level of 512). */
	const uint64_t per2m = UB_PAGES_PER_2M, per1g = per2m * UB_PAGES_PER_2M;

	return (m4k == UINT64_MAX ? 0 : m4k) +
	       (m2m == UINT64_MAX ? 0 : m2m * per2m) +
	       (m1g == UINT64_MAX ? 0 : m1g * per1g);
}

/* The guests of one run and what they share. */
struct run {
	const struct td_spec *spec;
	struct guest *gs;
	unsigned n;
	struct td_guest_res *res, *agg;
	const char *label;
	struct ub_progress pr;
};

static void fail_all(struct run *r, unsigned culprit, const char *phase,
		     const char *msg)
{
	for (unsigned k = 0; k < r->n; k++) {
		struct td_guest_res *x = &r->res[k];

		x->ok = 0;
		if (!msg)	/* interrupted: every guest alike */
			snprintf(x->status, sizeof(x->status), "interrupted: %s "
				 "during %s; guest torn down untimed",
				 ub_signal_name(), phase);
		else if (k == culprit)
			snprintf(x->status, sizeof(x->status), "failed: %s: %s",
				 phase, msg);
		else
			snprintf(x->status, sizeof(x->status),
				 "failed: run aborted (guest %u failed in %s)",
				 culprit, phase);
	}
}

/* Create the guests one after the other: 0, -1 or 130. */
static int create_all(struct run *r, int kvm_fd, const struct kvm_cpuid2 *cpuid)
{
	uint64_t t0 = ub_now_ns();
	struct ubk_err e;

	progress_init(&r->pr, "create", UB_PROGRESS_COUNT, r->n, 0);
	for (unsigned k = 0; k < r->n; k++) {
		uint64_t c0 = ub_now_ns();

		memset(&e, 0, sizeof(e));
		if (ub_signal_pending()) {
			fail_all(r, k, "create", NULL);
			progress_done(&r->pr);
			return 130;
		}
		if (guest_create(&r->gs[k], kvm_fd, cpuid, &e)) {
			fail_all(r, k, "create", e.msg);
			progress_done(&r->pr);
			return -1;
		}
		r->res[k].create_s = (double)(ub_now_ns() - c0) / 1e9;
		progress_update(&r->pr, k + 1, r->label);
	}
	r->agg->create_s = (double)(ub_now_ns() - t0) / 1e9;
	progress_done(&r->pr);
	return 0;
}

/* Populate in waves of as many guests as the CPUs take: 0, -1 or 130.
 * *FALLBACK: KVM refused to pre-fault some guest. */
static int populate_all(struct run *r, int *fallback)
{
	unsigned wave = (unsigned)online_cpus() / r->spec->vcpus;
	uint64_t t0 = ub_now_ns();

	if (wave < 1)
		wave = 1;
	populate_reset();
	progress_init(&r->pr, "populate", UB_PROGRESS_BYTES,
		      (double)r->spec->size * r->n, 0);
	for (unsigned first = 0; first < r->n && !ub_signal_pending(); first += wave) {
		unsigned cnt = r->n - first < wave ? r->n - first : wave;

		populate_wave(r->gs, first, cnt, populate_thread, &r->pr, r->label);
		for (unsigned k = first; k < first + cnt; k++) {
			if (!atomic_load(&r->gs[k].fallback) ||
			    atomic_load(&r->gs[k].failed))
				continue;
			*fallback = 1;
			populate_wave(r->gs, k, 1, populate_fallback, &r->pr, r->label);
		}
	}
	r->agg->populate_s = (double)(ub_now_ns() - t0) / 1e9;
	progress_done(&r->pr);
	for (unsigned k = 0; k < r->n && !ub_signal_pending(); k++)
		if (atomic_load(&r->gs[k].failed)) {
			fail_all(r, k, "populate", r->gs[k].fail_msg);
			return -1;
		}
	if (ub_signal_pending()) {
		fail_all(r, 0, "populate", NULL);
		return 130;
	}
	return 0;
}

/* What populated the memory, and NOTE why KVM mapped none of it (if so). */
static void populated_by(struct run *r, int fallback, char *note, size_t n)
{
	const struct td_spec *spec = r->spec;

	note[0] = 0;
	if (spec->populate == UB_POP_PREFAULT && spec->can_prefault && !fallback) {
		r->agg->populate_used = UB_POP_PREFAULT;
		return;
	}
	r->agg->populate_used = spec->use_gmem && spec->populate != UB_POP_TOUCH ?
		UB_POP_GMEM : UB_POP_TOUCH;
	if (spec->populate == UB_POP_PREFAULT)
		snprintf(note, n, "no mappings populated: KVM_PRE_FAULT_MEMORY %s; "
			 "populated the %s instead",
			 fallback ? "failed with EOPNOTSUPP" : spec->prefault_why,
			 spec->use_gmem ? "guest_memfd with fallocate" :
			 "memory by writing it");
	else
		snprintf(note, n, "no mappings populated: --populate %s allocates "
			 "memory without KVM stage-2 mappings",
			 ub_name_or(UB_ENUM_populate, spec->populate));
}

/* The mapping counts KVM reports for each guest before teardown. */
static void read_mappings(struct run *r, const char *note)
{
	for (unsigned k = 0; k < r->n; k++) {
		struct td_guest_res *x = &r->res[k];
		struct guest *g = &r->gs[k];
		struct ubk_err e;
		uint64_t v[3];

		x->populate_s = (double)(g->pop_t1 - g->pop_t0) / 1e9;
		x->populate_used = r->agg->populate_used;
		ub_strlcpy(x->note, note, sizeof(x->note));
		if (ubk_read_stats(g->vm_fd, stat_names, v, 3, &e)) {
			ub_warn("teardown: guest %u: %s", k, e.msg);
			continue;
		}
		x->mapped_4k = v[0];
		x->mapped_2m = v[1];
		x->mapped_1g = v[2];
		x->mappings = td_mapped_4k_equiv(v[0], v[1], v[2]) > 0;
		if (r->spec->pagesize == UB_PS_2M && v[1] && v[1] != UINT64_MAX)
			g->xnote[0] = '\0';	/* THP worked after all */
		if (r->spec->pagesize == UB_PS_2M && x->mappings &&
		    (v[1] == 0 || v[1] == UINT64_MAX)) {
			char m[200];

			snprintf(m, sizeof(m), "page size 2m requested, KVM mapped "
				 "no 2M pages (THP did not back the memory%s%.100s)",
				 g->xnote[0] ? ": " : "", g->xnote);
			ub_strlcpy(g->xnote, m, sizeof(g->xnote));
		}
	}
}

/* Every guest at once, released by a barrier; AGG gets first start to
 * last end. */
static void teardown_all(struct run *r, struct td_perf *perf)
{
	pthread_t *t = ub_xcalloc(r->n, sizeof(*t));
	struct td_arg *a = ub_xcalloc(r->n, sizeof(*a));
	uint64_t t0 = UINT64_MAX, t1 = 0;
	pthread_barrier_t bar;

	if (perf && perf->enabled)
		td_perf_start(perf);
	pthread_barrier_init(&bar, NULL, r->n + 1);
	atomic_store(&g_threads_left, (int)r->n);
	for (unsigned k = 0; k < r->n; k++) {
		pthread_attr_t at;

		a[k].g = &r->gs[k];
		a[k].bar = &bar;
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, TD_STACK);
		if (pthread_create(&t[k], &at, teardown_thread, &a[k])) {
			/* Cannot start the set: abort cleanly. */
			ub_err("teardown: pthread_create failed for guest %u", k);
			abort();
		}
		pthread_attr_destroy(&at);
	}
	progress_init(&r->pr, "teardown", UB_PROGRESS_COUNT, r->n, 0);
	pthread_barrier_wait(&bar);
	while (atomic_load(&g_threads_left) > 0) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		progress_update(&r->pr, r->n - atomic_load(&g_threads_left), r->label);
	}
	for (unsigned k = 0; k < r->n; k++) {
		pthread_join(t[k], NULL);
		if (r->gs[k].td_t0 < t0)
			t0 = r->gs[k].td_t0;
		if (r->gs[k].td_t1 > t1)
			t1 = r->gs[k].td_t1;
	}
	r->agg->teardown_s = (double)(t1 - t0) / 1e9;
	progress_done(&r->pr);
	if (perf && perf->enabled)
		td_perf_stop(perf);
	pthread_barrier_destroy(&bar);
	free(t);
	free(a);
}

/* Each guest's status after teardown: 0, or -1 if any failed. */
static int statuses(struct run *r, const char *note)
{
	int ret = 0;

	for (unsigned k = 0; k < r->n; k++) {
		struct td_guest_res *x = &r->res[k];
		struct guest *g = &r->gs[k];
		struct ubk_err e;
		uint64_t v[3];

		if (atomic_load(&g->failed)) {
			snprintf(x->status, sizeof(x->status), "failed: teardown: %.290s",
				 g->fail_msg);
			ret = -1;
			continue;
		}
		/* After convert/punch the VM lives on: how much is still mapped? */
		if (g->vm_fd >= 0 && !ubk_read_stats(g->vm_fd, stat_names, v, 3, &e))
			x->mapped_after = td_mapped_4k_equiv(v[0], v[1], v[2]);
		x->ok = 1;
		if (note[0])
			snprintf(x->status, sizeof(x->status), "ok-no-mappings: %s", note);
		else if (g->xnote[0])
			snprintf(x->status, sizeof(x->status), "ok; note: %s", g->xnote);
		else
			snprintf(x->status, sizeof(x->status), "ok");
	}
	return ret;
}

int td_run_guests(const struct td_spec *spec, int kvm_fd,
		  struct td_guest_res *res, struct td_guest_res *agg,
		  struct td_perf *perf, const char *label)
{
	struct run r = { .spec = spec, .n = spec->vms, .res = res, .agg = agg,
			 .label = label };
	struct kvm_cpuid2 *cpuid;
	struct ubk_err e;
	char note[256];
	int ret, fallback = 0;

	r.gs = ub_xcalloc(r.n, sizeof(*r.gs));
	memset(agg, 0, sizeof(*agg));
	agg->populate_used = spec->populate;	/* until populate says */
	for (unsigned k = 0; k < r.n; k++) {
		r.gs[k].spec = spec;
		r.gs[k].res = &res[k];
		r.gs[k].idx = (int)k;
		r.gs[k].vm_fd = r.gs[k].gmem_fd = -1;
		pthread_mutex_init(&r.gs[k].lock, NULL);
		memset(&res[k], 0, sizeof(res[k]));
		res[k].mapped_4k = res[k].mapped_2m = res[k].mapped_1g = UINT64_MAX;
		res[k].mapped_after = UINT64_MAX;
		res[k].populate_used = spec->populate;
	}
	cpuid = ubk_supported_cpuid(kvm_fd, &e);
	if (!cpuid && spec->vm_type == KVM_X86_TDX_VM) {
		fail_all(&r, 0, "create", e.msg);
		ret = -1;
	} else {
		ret = create_all(&r, kvm_fd, cpuid);
	}
	if (!ret)
		ret = populate_all(&r, &fallback);
	if (!ret) {
		populated_by(&r, fallback, note, sizeof(note));
		read_mappings(&r, note);
		teardown_all(&r, perf);
		ret = statuses(&r, note);
	}
	for (unsigned k = 0; k < r.n; k++) {
		guest_release(&r.gs[k]);
		free(r.gs[k].vcpu_fd);
		pthread_mutex_destroy(&r.gs[k].lock);
	}
	free(r.gs);
	free(cpuid);
	return ret;
}
