// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_guest.c: the life of the guests of one run.
 *
 *   create    KVM_CREATE_VM, (TDX: split IRQ chip, KVM_TDX_CAPABILITIES,
 *             KVM_TDX_INIT_VM), guest_memfd + KVM_SET_USER_MEMORY_REGION2
 *             memslots, KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) for VM types
 *             with private memory, vCPUs (TDX: KVM_TDX_INIT_VCPU, then
 *             KVM_TDX_FINALIZE_VM)
 *   populate  KVM_PRE_FAULT_MEMORY, the range split across one thread per
 *             vCPU; or fallocate() on the guest_memfd (gmem), or writing
 *             every page through a mapping (touch)
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

#include "teardown/kvm.h"
#include "record/log.h"
#include "record/progress.h"
#include "record/rundir.h"
#include "teardown/teardown.h"
#include "record/util.h"

#define TD_SLOT_MAX	(1ULL << 40)	/* bytes per memslot (KVM allows ~8T) */
#define TD_CHUNK	(32ULL << 20)	/* populate step between signal checks */
#define TD_STACK	(256 << 10)
#define SZ_2M		(2ULL << 20)

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

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

static _Atomic uint64_t g_bytes_done;
static atomic_int g_threads_left;

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

static void guest_fail(struct guest *g, const char *msg)
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
		g->anon_len = s->size + SZ_2M;
		g->anon = mmap(NULL, g->anon_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (g->anon == MAP_FAILED) {
			g->anon = NULL;
			ubk_fail(e, "mmap", errno, 0, "(%" PRIu64 " bytes)", s->size);
			return -1;
		}
		g->anon_base = (void *)(((uintptr_t)g->anon + SZ_2M - 1) &
					~(uintptr_t)(SZ_2M - 1));
		if (madvise(g->anon_base, s->size, s->pagesize == TD_PS_2M ?
			    MADV_HUGEPAGE : MADV_NOHUGEPAGE) && s->pagesize == TD_PS_2M)
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

struct pop_arg {
	struct guest *g;
	unsigned idx;			/* vCPU index */
	uint64_t lo, hi;
};

static void set_node_policy(uint64_t node)
{
	unsigned long mask[2] = { 0, 0 };

	if (node == TD_NODE_ANY || node >= 128)
		return;
	mask[node / 64] = 1UL << (node % 64);
	/* Allocations of this thread (guest_memfd folios faulted in by the
	 * pre-fault ioctl or fallocate) come from NODE. */
	set_mempolicy(MPOL_BIND, mask, 128 + 1);
}

static int pop_gmem(struct guest *g, uint64_t lo, uint64_t hi)
{
	for (uint64_t off = lo; off < hi; off += TD_CHUNK) {
		uint64_t len = hi - off < TD_CHUNK ? hi - off : TD_CHUNK;

		if (ub_signal_pending())
			return -EINTR;
		if (fallocate(g->gmem_fd, FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len)) {
			char m[200];

			if (errno == EINTR)
				continue;
			snprintf(m, sizeof(m), "fallocate(guest_memfd, allocate): "
				 "errno %d (%s)", errno, strerror(errno));
			guest_fail(g, m);
			return -1;
		}
		atomic_fetch_add(&g_bytes_done, len);
	}
	return 0;
}

static int pop_touch(struct guest *g, uint64_t lo, uint64_t hi)
{
	char *base;
	void *map = NULL;

	if (g->anon) {
		base = g->anon_base;
	} else {
		/* Mappable guest_memfd (DEFAULT VM, MMAP|INIT_SHARED). */
		map = mmap(NULL, hi - lo, PROT_READ | PROT_WRITE, MAP_SHARED,
			   g->gmem_fd, (off_t)lo);
		if (map == MAP_FAILED) {
			char m[200];

			snprintf(m, sizeof(m), "mmap(guest_memfd): errno %d (%s)",
				 errno, strerror(errno));
			guest_fail(g, m);
			return -1;
		}
		base = (char *)map - lo;
	}
	for (uint64_t off = lo; off < hi; off += TD_CHUNK) {
		uint64_t end = hi - off < TD_CHUNK ? hi : off + TD_CHUNK;

		if (ub_signal_pending())
			break;
		for (uint64_t p = off; p < end; p += 4096)
			((volatile char *)base)[p] = 1;
		atomic_fetch_add(&g_bytes_done, end - off);
	}
	if (map)
		munmap(map, hi - lo);	/* the pages stay in the guest_memfd */
	return ub_signal_pending() ? -EINTR : 0;
}

static int pop_prefault(struct pop_arg *a)
{
	struct guest *g = a->g;
	int fd = g->vcpu_fd[a->idx];
	uint64_t gpa = a->lo;

	while (gpa < a->hi) {
		uint64_t want = a->hi - gpa < TD_CHUNK ? a->hi - gpa : TD_CHUNK;
		uint64_t done = 0;
		int r;

		if (ub_signal_pending())
			return -EINTR;
		if (atomic_load(&g->fallback) || atomic_load(&g->failed))
			return 0;
		r = ubk_prefault(fd, gpa, want, &done);
		gpa += done;
		atomic_fetch_add(&g_bytes_done, done);
		if (r == -EINTR || r == -EAGAIN)
			continue;
		if (r == -EOPNOTSUPP && gpa == a->lo) {
			/* KVM cannot map memory for this VM/vCPU at all
			 * (e.g. a PVM-backed /dev/kvm). */
			atomic_store(&g->fallback, 1);
			return 0;
		}
		if (r < 0) {
			char m[240];

			snprintf(m, sizeof(m), "KVM_PRE_FAULT_MEMORY (vCPU %u, gpa "
				 "0x%" PRIx64 "): errno %d (%s)", a->idx, gpa, -r,
				 strerror(-r));
			guest_fail(g, m);
			return -1;
		}
	}
	return 0;
}

static void pop_finished(struct guest *g)
{
	uint64_t now = ub_now_ns(), old = atomic_load(&g->pop_end);

	while (old < now && !atomic_compare_exchange_weak(&g->pop_end, &old, now))
		;
	atomic_fetch_sub(&g_threads_left, 1);
}

static void *pop_thread(void *p)
{
	struct pop_arg *a = p;
	struct guest *g = a->g;
	const struct td_spec *s = g->spec;

	set_node_policy(s->node);
	if (s->populate == TD_POP_PREFAULT && s->can_prefault)
		pop_prefault(a);
	else if (s->populate == TD_POP_TOUCH)
		pop_touch(g, a->lo, a->hi);
	else if (s->populate == TD_POP_GMEM || !s->can_prefault)
		g->anon ? pop_touch(g, a->lo, a->hi) : pop_gmem(g, a->lo, a->hi);
	pop_finished(g);
	return NULL;
}

/* The fallback after KVM refused to pre-fault: the guest's memory is
 * populated all the same, so teardown still frees it. */
static void *pop_fallback_thread(void *p)
{
	struct pop_arg *a = p;
	struct guest *g = a->g;

	set_node_policy(g->spec->node);
	g->anon ? pop_touch(g, a->lo, a->hi) : pop_gmem(g, a->lo, a->hi);
	pop_finished(g);
	return NULL;
}

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, TD_STACK);
	if (pthread_create(t, &at, fn, arg)) {
		ub_err("teardown: pthread_create failed; running inline");
		fn(arg);
		*t = 0;
	}
	pthread_attr_destroy(&at);
}

/* Wait for g_threads_left to reach 0, drawing progress meanwhile. */
static void wait_progress(struct ub_progress *pr, const char *note)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	while (atomic_load(&g_threads_left) > 0) {
		nanosleep(&ts, NULL);
		progress_update(pr, (double)atomic_load(&g_bytes_done), note);
	}
}

static void populate_wave(struct guest *gs, unsigned first, unsigned n,
			  void *(*fn)(void *), struct ub_progress *pr,
			  const char *note)
{
	const struct td_spec *s = gs[first].spec;
	unsigned v = s->vcpus, total = n * v;
	uint64_t align = s->pagesize == TD_PS_2M ? SZ_2M : 4096;
	pthread_t *t = ub_xcalloc(total, sizeof(*t));
	struct pop_arg *a = ub_xcalloc(total, sizeof(*a));

	atomic_store(&g_threads_left, (int)total);
	for (unsigned k = 0; k < n; k++) {
		struct guest *g = &gs[first + k];
		uint64_t per = (s->size / v) & ~(align - 1);

		if (!g->pop_t0)
			g->pop_t0 = ub_now_ns();
		for (unsigned i = 0; i < v; i++) {
			struct pop_arg *x = &a[k * v + i];

			x->g = g;
			x->idx = i;
			x->lo = per * i;
			x->hi = i + 1 == v ? s->size : per * (i + 1);
			if (x->lo >= x->hi) {	/* tiny guest, many vCPUs */
				atomic_fetch_sub(&g_threads_left, 1);
				continue;
			}
			start_thread(&t[k * v + i], fn, x);
		}
	}
	wait_progress(pr, note);
	for (unsigned i = 0; i < total; i++)
		if (t[i])
			pthread_join(t[i], NULL);
	for (unsigned k = 0; k < n; k++) {
		struct guest *g = &gs[first + k];

		g->pop_t1 = atomic_load(&g->pop_end);
		if (g->pop_t1 < g->pop_t0)
			g->pop_t1 = ub_now_ns();
	}
	free(t);
	free(a);
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
	case TD_TRIG_DESTROY:
		/* vCPUs and the VM first; guest_memfd holds the last VM
		 * reference, so closing it zaps the mappings and then runs
		 * kvm_destroy_vm before close() returns. With anonymous
		 * backing the VM fd is the last reference. */
		for (unsigned i = 0; i < g->nvcpu; i++)
			close_fd(&g->vcpu_fd[i]);
		close_fd(&g->vm_fd);
		close_fd(&g->gmem_fd);
		break;
	case TD_TRIG_CONVERT:
		if (ubk_set_attributes(g->vm_fd, 0, s->size, 0, &e))
			guest_fail(g, e.msg);
		break;
	case TD_TRIG_PUNCH:
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

static uint64_t mapped_4k_equiv(const uint64_t v[3])
{
	uint64_t n = 0;

	if (v[0] != UINT64_MAX)
		n += v[0];
	if (v[1] != UINT64_MAX)
		n += v[1] * 512;
	if (v[2] != UINT64_MAX)
		n += v[2] * 512 * 512;
	return n;
}

static void fail_all(struct guest *gs, unsigned n, unsigned culprit,
		     const char *phase, const char *msg)
{
	for (unsigned k = 0; k < n; k++) {
		struct td_guest_res *r = gs[k].res;

		r->ok = 0;
		if (!msg)	/* interrupted: every guest alike */
			snprintf(r->status, sizeof(r->status), "interrupted: %s "
				 "during %s; guest torn down untimed",
				 ub_signal_name(), phase);
		else if (k == culprit)
			snprintf(r->status, sizeof(r->status), "failed: %s: %s",
				 phase, msg);
		else
			snprintf(r->status, sizeof(r->status),
				 "failed: run aborted (guest %u failed in %s)",
				 culprit, phase);
	}
}

int td_run_guests(const struct td_spec *spec, int kvm_fd,
		  struct td_guest_res *res, struct td_guest_res *agg,
		  struct td_perf *perf, const char *label)
{
	unsigned n = spec->vms;
	struct guest *gs = ub_xcalloc(n, sizeof(*gs));
	struct kvm_cpuid2 *cpuid = NULL;
	struct ub_progress pr;
	struct ubk_err e;
	uint64_t t0, t1;
	int ret = 0, fallback = 0;
	char note[256];
	unsigned wave;

	memset(agg, 0, sizeof(*agg));
	for (unsigned k = 0; k < n; k++) {
		gs[k].spec = spec;
		gs[k].res = &res[k];
		gs[k].idx = (int)k;
		gs[k].vm_fd = gs[k].gmem_fd = -1;
		pthread_mutex_init(&gs[k].lock, NULL);
		memset(&res[k], 0, sizeof(res[k]));
		res[k].mapped_4k = res[k].mapped_2m = res[k].mapped_1g = UINT64_MAX;
		res[k].mapped_after = UINT64_MAX;
	}
	cpuid = ubk_supported_cpuid(kvm_fd, &e);
	if (!cpuid && spec->vm_type == KVM_X86_TDX_VM) {
		fail_all(gs, n, 0, "create", e.msg);
		ret = -1;
		goto out;
	}

	/* ---- create, one guest after the other ---- */
	progress_init(&pr, "create", UB_PROGRESS_COUNT, n, 0);
	t0 = ub_now_ns();
	for (unsigned k = 0; k < n; k++) {
		uint64_t c0 = ub_now_ns();

		memset(&e, 0, sizeof(e));
		if (ub_signal_pending() || guest_create(&gs[k], kvm_fd, cpuid, &e)) {
			if (ub_signal_pending()) {
				ret = 130;
				fail_all(gs, n, k, "create", NULL);
			} else {
				ret = -1;
				fail_all(gs, n, k, "create", e.msg);
			}
			progress_done(&pr);
			goto out;
		}
		res[k].create_s = (double)(ub_now_ns() - c0) / 1e9;
		progress_update(&pr, k + 1, label);
	}
	t1 = ub_now_ns();
	agg->create_s = (double)(t1 - t0) / 1e9;
	progress_done(&pr);

	/* ---- populate: waves of guests, one thread per vCPU ---- */
	wave = (unsigned)online_cpus() / spec->vcpus;
	if (wave < 1)
		wave = 1;
	atomic_store(&g_bytes_done, 0);
	progress_init(&pr, "populate", UB_PROGRESS_BYTES,
		      (double)spec->size * n, 0);
	t0 = ub_now_ns();
	for (unsigned first = 0; first < n; first += wave) {
		unsigned cnt = n - first < wave ? n - first : wave;

		populate_wave(gs, first, cnt, pop_thread, &pr, label);
		/* Guests whose pre-fault KVM refused: populate them anyway. */
		for (unsigned k = first; k < first + cnt; k++) {
			if (!atomic_load(&gs[k].fallback) || atomic_load(&gs[k].failed))
				continue;
			fallback = 1;
			populate_wave(gs, k, 1, pop_fallback_thread, &pr, label);
		}
		if (ub_signal_pending())
			break;
	}
	t1 = ub_now_ns();
	agg->populate_s = (double)(t1 - t0) / 1e9;
	progress_done(&pr);
	for (unsigned k = 0; k < n && !ub_signal_pending(); k++) {
		if (atomic_load(&gs[k].failed)) {
			ret = -1;
			fail_all(gs, n, k, "populate", gs[k].fail_msg);
			goto out;
		}
	}
	if (ub_signal_pending()) {
		ret = 130;
		fail_all(gs, n, 0, "populate", NULL);
		goto out;
	}

	/* What was done, and whether KVM mappings exist. */
	if (spec->populate == TD_POP_PREFAULT && spec->can_prefault && !fallback) {
		ub_strlcpy(agg->populate_used, "prefault", sizeof(agg->populate_used));
		note[0] = '\0';
	} else {
		const char *how = spec->use_gmem && spec->populate != TD_POP_TOUCH ?
			"gmem" : "touch";

		ub_strlcpy(agg->populate_used, how, sizeof(agg->populate_used));
		if (spec->populate == TD_POP_PREFAULT)
			snprintf(note, sizeof(note),
				 "no mappings populated: KVM_PRE_FAULT_MEMORY %s; "
				 "populated the %s instead",
				 fallback ? "failed with EOPNOTSUPP" : spec->prefault_why,
				 spec->use_gmem ? "guest_memfd with fallocate" :
				 "memory by writing it");
		else
			snprintf(note, sizeof(note),
				 "no mappings populated: --populate %s allocates "
				 "memory without KVM stage-2 mappings",
				 td_populate_names[spec->populate]);
	}
	for (unsigned k = 0; k < n; k++) {
		uint64_t v[3];

		res[k].populate_s = (double)(gs[k].pop_t1 - gs[k].pop_t0) / 1e9;
		ub_strlcpy(res[k].populate_used, agg->populate_used,
			   sizeof(res[k].populate_used));
		ub_strlcpy(res[k].note, note, sizeof(res[k].note));
		if (ubk_read_stats(gs[k].vm_fd, stat_names, v, 3, &e)) {
			ub_warn("teardown: guest %u: %s", k, e.msg);
			continue;
		}
		res[k].mapped_4k = v[0];
		res[k].mapped_2m = v[1];
		res[k].mapped_1g = v[2];
		res[k].mappings = mapped_4k_equiv(v) > 0;
		if (spec->pagesize == TD_PS_2M && v[1] && v[1] != UINT64_MAX)
			gs[k].xnote[0] = '\0';	/* THP worked after all */
		if (spec->pagesize == TD_PS_2M && res[k].mappings &&
		    (v[1] == 0 || v[1] == UINT64_MAX)) {
			char x[200];

			snprintf(x, sizeof(x), "page size 2m requested, KVM mapped "
				 "no 2M pages (THP did not back the memory%s%s)",
				 gs[k].xnote[0] ? ": " : "", gs[k].xnote);
			ub_strlcpy(gs[k].xnote, x, sizeof(gs[k].xnote));
		}
	}

	/* ---- teardown: all guests at once ---- */
	{
		pthread_t *t = ub_xcalloc(n, sizeof(*t));
		struct td_arg *a = ub_xcalloc(n, sizeof(*a));
		pthread_barrier_t bar;

		if (perf && perf->enabled)
			td_perf_start(perf);
		pthread_barrier_init(&bar, NULL, n + 1);
		atomic_store(&g_threads_left, (int)n);
		for (unsigned k = 0; k < n; k++) {
			pthread_attr_t at;

			a[k].g = &gs[k];
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
		progress_init(&pr, "teardown", UB_PROGRESS_COUNT, n, 0);
		t0 = ub_now_ns();
		pthread_barrier_wait(&bar);
		while (atomic_load(&g_threads_left) > 0) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			progress_update(&pr, n - atomic_load(&g_threads_left), label);
		}
		for (unsigned k = 0; k < n; k++)
			pthread_join(t[k], NULL);
		/* Aggregate: first start to last end. */
		t0 = UINT64_MAX;
		t1 = 0;
		for (unsigned k = 0; k < n; k++) {
			if (gs[k].td_t0 < t0)
				t0 = gs[k].td_t0;
			if (gs[k].td_t1 > t1)
				t1 = gs[k].td_t1;
		}
		agg->teardown_s = (double)(t1 - t0) / 1e9;
		progress_done(&pr);
		if (perf && perf->enabled)
			td_perf_stop(perf);
		pthread_barrier_destroy(&bar);
		free(t);
		free(a);
	}
	for (unsigned k = 0; k < n; k++) {
		struct td_guest_res *r = &res[k];

		if (atomic_load(&gs[k].failed)) {
			snprintf(r->status, sizeof(r->status), "failed: teardown: %s",
				 gs[k].fail_msg);
			ret = -1;
			continue;
		}
		/* After convert/punch the VM lives on: how much is still mapped? */
		if (gs[k].vm_fd >= 0) {
			uint64_t v[3];

			if (!ubk_read_stats(gs[k].vm_fd, stat_names, v, 3, &e))
				r->mapped_after = mapped_4k_equiv(v);
		}
		r->ok = 1;
		if (note[0])
			snprintf(r->status, sizeof(r->status), "ok-no-mappings: %s", note);
		else if (gs[k].xnote[0])
			snprintf(r->status, sizeof(r->status), "ok; note: %s",
				 gs[k].xnote);
		else
			snprintf(r->status, sizeof(r->status), "ok");
	}
out:
	for (unsigned k = 0; k < n; k++) {
		guest_release(&gs[k]);
		free(gs[k].vcpu_fd);
		pthread_mutex_destroy(&gs[k].lock);
	}
	free(gs);
	free(cpuid);
	return ret;
}
