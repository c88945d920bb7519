// SPDX-License-Identifier: GPL-2.0
/*
 * populate.c: populating the guests of a teardown run from the host, one
 * thread per vCPU: KVM_PRE_FAULT_MEMORY over the vCPU's share of the
 * guest, or fallocate() on the guest_memfd (gmem); where KVM refuses to
 * pre-fault anonymous memory, the harness writes it (no KVM mappings).
 * --populate touch, where the guest writes its own memory, is touch.c.
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
#include <time.h>
#include <unistd.h>

#include "record/log.h"
#include "record/rundir.h"
#include "record/util.h"
#include "teardown/guest_state.h"
#include "teardown/populate.h"
#include "teardown/kvm.h"

#define TD_CHUNK	(32ULL << 20)	/* populate step between signal checks */
#define TD_STACK	(256 << 10)

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif

static _Atomic uint64_t g_bytes_done;
static atomic_int g_threads_left;

void populate_reset(void)
{
	atomic_store(&g_bytes_done, 0);
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

/* Anonymous backing only (the harness's own memory). */
static int pop_host(struct guest *g, uint64_t lo, uint64_t hi)
{
	char *base = g->anon_base;

	for (uint64_t off = lo; off < hi; off += TD_CHUNK) {
		uint64_t end = hi - off < TD_CHUNK ? hi : off + TD_CHUNK;

		if (ub_signal_pending())
			break;
		for (uint64_t p = off; p < end; p += UB_PAGE_BYTES)
			((volatile char *)base)[p] = 1;
		atomic_fetch_add(&g_bytes_done, end - off);
	}
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
		r = ubk_prefault(fd, TD_GPA_BASE + gpa, want, &done);
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
				 "0x%" PRIx64 "): errno %d (%s)", a->idx,
				 TD_GPA_BASE + gpa, -r, strerror(-r));
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

void *populate_thread(void *p)
{
	struct pop_arg *a = p;
	struct guest *g = a->g;
	const struct td_spec *s = g->spec;

	set_node_policy(s->node);
	if (s->can_prefault &&
	    (s->populate == UB_POP_PREFAULT || s->populate == UB_POP_TOUCH))
		pop_prefault(a);	/* touch: mapped, then written by the guest */
	else
		g->anon ? pop_host(g, a->lo, a->hi) : pop_gmem(g, a->lo, a->hi);
	pop_finished(g);
	return NULL;
}

/* The fallback after KVM refused to pre-fault: the guest's memory is
 * populated all the same, so teardown still frees it. */
void *populate_fallback(void *p)
{
	struct pop_arg *a = p;
	struct guest *g = a->g;

	set_node_policy(g->spec->node);
	g->anon ? pop_host(g, a->lo, a->hi) : pop_gmem(g, a->lo, a->hi);
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

void guest_share(const struct guest *g, unsigned i, uint64_t *lo, uint64_t *hi)
{
	const struct td_spec *s = g->spec;
	uint64_t align = s->pagesize == UB_PS_2M ? UB_BYTES_2M : UB_PAGE_BYTES;
	uint64_t per = (s->size / s->vcpus) & ~(align - 1);

	*lo = per * i;
	*hi = i + 1 == s->vcpus ? s->size : per * (i + 1);
	if (*lo > *hi)		/* tiny guest, many vCPUs */
		*lo = *hi;
}

void populate_wave(struct guest *gs, unsigned first, unsigned n,
			  void *(*fn)(void *), struct ub_progress *pr,
			  const char *note)
{
	const struct td_spec *s = gs[first].spec;
	unsigned v = s->vcpus, total = n * v;
	pthread_t *t = ub_xcalloc(total, sizeof(*t));
	struct pop_arg *a = ub_xcalloc(total, sizeof(*a));

	atomic_store(&g_threads_left, (int)total);
	for (unsigned k = 0; k < n; k++) {
		struct guest *g = &gs[first + k];

		if (!g->pop_t0)
			g->pop_t0 = ub_now_ns();
		for (unsigned i = 0; i < v; i++) {
			struct pop_arg *x = &a[k * v + i];

			x->g = g;
			x->idx = i;
			guest_share(g, i, &x->lo, &x->hi);
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
