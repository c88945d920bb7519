// SPDX-License-Identifier: GPL-2.0
/*
 * run.c: the guests of one teardown run through its phases: created one
 * after the other, populated in waves (teardown/populate.c) or by their
 * own vCPUs (teardown/touch.c), their mappings counted, then torn down
 * all at once, released by a barrier.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/log.h"
#include "record/progress.h"
#include "record/rundir.h"
#include "record/util.h"
#include "teardown/guest.h"
#include "teardown/populate.h"
#include "teardown/touch.h"
#include "teardown/kvm.h"

#define TD_STACK	(256 << 10)

static atomic_int g_threads_left;	/* teardown threads still running */

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

	pthread_barrier_wait(a->bar);
	g->td_t0 = ub_now_ns();
	guest_trigger(g);
	g->td_t1 = ub_now_ns();
	g->res->teardown_s = (double)(g->td_t1 - g->td_t0) / 1e9;
	atomic_fetch_sub(&g_threads_left, 1);
	return NULL;
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
			r->res[k].err = e;
			r->res[k].tdx = r->gs[k].tdx;
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

/* The touch guests write their memory themselves: every vCPU of every
 * guest at once. 0, -1 or 130. */
static int touch_all(struct run *r)
{
	uint64_t t0 = ub_now_ns();
	int ret;

	progress_init(&r->pr, "populate", UB_PROGRESS_BYTES,
		      (double)r->spec->size * r->n, 0);
	ret = touch_populate(r->gs, r->n, &r->pr, r->label);
	r->agg->populate_s = (double)(ub_now_ns() - t0) / 1e9;
	progress_done(&r->pr);
	if (ret == 130) {
		fail_all(r, 0, "populate", NULL);
		return 130;
	}
	for (unsigned k = 0; ret && k < r->n; k++)
		if (atomic_load(&r->gs[k].failed)) {
			fail_all(r, k, "populate", r->gs[k].fail_msg);
			break;
		}
	return ret;
}

/* Populate in waves of as many guests as the CPUs take: 0, -1 or 130.
 * *FALLBACK: KVM refused to pre-fault some guest. */
static int populate_all(struct run *r, int *fallback)
{
	unsigned wave = (unsigned)online_cpus() / r->spec->vcpus;
	uint64_t t0 = ub_now_ns();

	if (r->spec->populate == UB_POP_TOUCH)
		return touch_all(r);
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
	if ((spec->populate == UB_POP_PREFAULT && spec->can_prefault && !fallback) ||
	    spec->populate == UB_POP_TOUCH) {
		r->agg->populate_used = spec->populate;
		return;
	}
	/* Where KVM refused to pre-fault anonymous memory the harness wrote
	 * it: recorded as touch without a guest (guest_ran 0). */
	r->agg->populate_used = spec->use_gmem ? UB_POP_GMEM : UB_POP_TOUCH;
	if (spec->populate == UB_POP_PREFAULT)
		snprintf(note, n, "no mappings populated: KVM_PRE_FAULT_MEMORY %s; "
			 "populated the %s instead",
			 fallback ? "failed with EOPNOTSUPP" : spec->prefault_why,
			 spec->use_gmem ? "guest_memfd with fallocate" :
			 "memory by writing it from the harness (no guest ran)");
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
		if (r->spec->populate == UB_POP_TOUCH) {
			x->touched_pages = g->touched;
			x->guest_ran = g->reported == g->nvcpu;
		}
		if (guest_mappings(g, v, &e)) {
			ub_warn("teardown: guest %u: %s", k, e.msg);
			continue;
		}
		/* Touch: the control pages' mappings, counted before the
		 * guest wrote its memory, are not the guest memory's. */
		for (int i = 0; i < 3 && r->spec->populate == UB_POP_TOUCH; i++)
			if (v[i] != UINT64_MAX && g->base[i] != UINT64_MAX)
				v[i] = v[i] >= g->base[i] ? v[i] - g->base[i] : 0;
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

	/* A VM is destroyed by its last close only once no vCPU is in
	 * KVM_RUN: a touch guest's vCPUs are made to leave it first, as a
	 * VMM stops its vCPUs before closing the VM (untimed). */
	for (unsigned k = 0; k < r->n && r->spec->trigger == UB_TRIG_DESTROY; k++)
		touch_stop(&r->gs[k]);
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

/* Append REMARK to G's note for an ok status. */
static void remark(struct guest *g, const char *remark)
{
	size_t l = strlen(g->xnote);

	snprintf(g->xnote + l, sizeof(g->xnote) - l, "%s%s", l ? "; " : "", remark);
}

/* What an ok row must say besides "ok". */
static void td_remarks(const struct td_spec *spec, struct guest *g)
{
	char m[160];

	if (g->tdx.init_eagain) {
		snprintf(m, sizeof(m), "KVM_TDX_INIT_VM returned EAGAIN %u time(s) "
			 "(TDX_RND_NO_ENTROPY) before it succeeded", g->tdx.init_eagain);
		remark(g, m);
	}
	/* A TD that never ran: pages added (TDH.MEM.PAGE.AUG), pending,
	 * never accepted; no TD-key dirty lines for PAGE.WBINVD. */
	if (spec->vm_type == KVM_X86_TDX_VM && spec->populate == UB_POP_PREFAULT)
		remark(g, TD_NOTE_NEVER_ACCEPTED);
	if (ubk_fake_active())
		remark(g, "UB_TEST_FAKE_KVM: no KVM, no guest: nothing was measured");
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
		if (g->vm_fd >= 0 && !guest_mappings(g, v, &e))
			x->mapped_after = td_mapped_4k_equiv(v[0], v[1], v[2]);
		x->ok = 1;
		td_remarks(r->spec, g);
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
	char note[320];
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
		pthread_cond_init(&r.gs[k].cond, NULL);
		memset(&res[k], 0, sizeof(res[k]));
		res[k].mapped_4k = res[k].mapped_2m = res[k].mapped_1g = UINT64_MAX;
		res[k].mapped_after = UINT64_MAX;
		res[k].touched_pages = UINT64_MAX;
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
		res[k].tdx = r.gs[k].tdx;
		guest_release(&r.gs[k]);
		free(r.gs[k].vcpu_fd);
		pthread_mutex_destroy(&r.gs[k].lock);
		pthread_cond_destroy(&r.gs[k].cond);
	}
	free(r.gs);
	free(cpuid);
	return ret;
}
