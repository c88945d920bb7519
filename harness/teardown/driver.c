// SPDX-License-Identifier: GPL-2.0
/*
 * driver.c: the teardown driver of record/session.h: each planned run's
 * guests through td_run_guests(), one teardown.csv row per guest and one
 * aggregate ("all") per run, and at the end teardown-summary.txt, which
 * plot/teardown.py writes (the statistics live in plot/, once).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "record/env.h"
#include "record/log.h"
#include "record/table.h"
#include "record/tree.h"
#include "record/util.h"
#include "teardown/kvm.h"
#include "teardown/teardown.h"

struct td_state {
	struct ub_session *s;
	struct ub_table *csv;
	unsigned run_counter;		/* td0001, ... unique in the directory */
	const char *baseline;		/* the last line's --baseline */
	int	fake;			/* a line planned on UB_TEST_FAKE_KVM */
	int	fake_run;		/* ... with run=1: fake.c answers */
	int	diag_done;		/* a TDX diagnostics bundle was written */
	const struct td_line *first;	/* for meta.json */
};

static int plan(struct ub_session *s, void *state, void *opts, void **out)
{
	struct td_state *st = state;
	struct td_line *x = ub_xcalloc(1, sizeof(*x));
	const struct td_opts *o = opts;

	st->s = s;
	if (td_plan_line(x, o, env_emulated(s->env), s->dry_run)) {
		free(x->plans);
		free(x);
		return 1;
	}
	s->runs_total += (int)x->nplans;
	s->est_s += x->est_s;
	st->fake |= x->caps.fake;
	st->fake_run |= x->caps.fake_run;
	if (o->baseline)
		st->baseline = o->baseline;
	if (!st->first)
		st->first = x;
	*out = x;
	return 0;
}

static void list(struct ub_session *s, void *state, void *plan)
{
	(void)s;
	(void)state;
	td_list(plan);
}

static int ready(struct ub_session *s, void *state)
{
	struct td_state *st = state;

	(void)s;
	if (!st->fake || st->fake_run)
		return 0;
	ub_err("teardown: UB_TEST_FAKE_KVM is set: only --dry-run is possible "
	       "with fake capabilities (run=1 runs the test double)");
	return 1;
}

static int open_files(struct ub_session *s, void *state)
{
	struct td_state *st = state;

	st->csv = ub_table_open(rundir_path(&s->rd), UB_TABLE_TEARDOWN,
				UB_CSV_APPEND);
	return st->csv ? 0 : -1;
}

/* What a row says about one guest (VM >= 0) or a run's aggregate (-1). */
struct row {
	const char *run_id;
	const struct td_plan *p;
	const char *label;
	int vm;
	const struct td_guest_res *r;
	uint64_t bytes;			/* guest memory the row covers */
	uint64_t rss_kb;		/* the harness's peak RSS after the run */
};

static void cell_u64(struct ub_table *t, int col, uint64_t v)
{
	if (v == UINT64_MAX)
		ub_cell_empty(t, col);
	else
		ub_cell_uint(t, col, v);
}

/* The harness's peak resident set so far (ru_maxrss, KiB). */
static uint64_t peak_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_maxrss;
}

/*
 * One row. Per-page figures are not written: the analysis derives them
 * from teardown_s and the mappings KVM reported (plot/teardown.py).
 */
static void write_row(struct td_state *st, const struct row *w)
{
	const struct td_spec *s = &w->p->spec;
	const struct td_guest_res *r = w->r;
	struct ub_table *t = st->csv;
	int timed = r->ok || r->teardown_s > 0, vt = ubk_vm_type_value(s->vm_type);

	ub_cell_str(t, TEARDOWN_run_id, w->run_id);
	ub_cell_uint(t, TEARDOWN_repeat, w->p->repeat);
	ub_cell_str(t, TEARDOWN_label, w->label);
	ub_cell_enum(t, TEARDOWN_vm_type, vt < 0 ? UINT32_MAX : (unsigned)vt);
	ub_cell_str(t, TEARDOWN_vm_type_reason, s->vm_type_reason);
	if (w->vm < 0)
		ub_cell_special(t, TEARDOWN_vm, "all");
	else
		ub_cell_uint(t, TEARDOWN_vm, (unsigned)w->vm);
	ub_cell_uint(t, TEARDOWN_vms, s->vms);
	ub_cell_uint(t, TEARDOWN_vcpus, s->vcpus);
	ub_cell_uint(t, TEARDOWN_size_bytes, s->size);
	ub_cell_enum(t, TEARDOWN_page_size, s->pagesize);
	ub_cell_enum(t, TEARDOWN_trigger, s->trigger);
	ub_cell_enum(t, TEARDOWN_populate, r->populate_used);
	cell_u64(t, TEARDOWN_mappings_populated, r->mapped_4k == UINT64_MAX ?
		 UINT64_MAX : td_mapped_4k_equiv(r->mapped_4k, r->mapped_2m,
						 r->mapped_1g));
	cell_u64(t, TEARDOWN_mapped_4k, r->mapped_4k);
	cell_u64(t, TEARDOWN_mapped_2m, r->mapped_2m);
	cell_u64(t, TEARDOWN_mapped_1g, r->mapped_1g);
	cell_u64(t, TEARDOWN_touched_pages, r->touched_pages);
	ub_cell_uint(t, TEARDOWN_guest_ran, r->guest_ran ? 1 : 0);
	ub_cell_num(t, TEARDOWN_create_s, timed ? r->create_s : NAN, 6);
	ub_cell_num(t, TEARDOWN_populate_s, timed ? r->populate_s : NAN, 6);
	ub_cell_num(t, TEARDOWN_teardown_s, timed ? r->teardown_s : NAN, 6);
	ub_cell_uint(t, TEARDOWN_pages, w->bytes / UB_PAGE_BYTES);
	ub_cell_uint(t, TEARDOWN_peak_rss_kb, w->rss_kb);
	ub_cell_str(t, TEARDOWN_status, r->status);
	ub_cell_enum(t, TEARDOWN_emulation, st->s->env->emulation);
	ub_row_end(t);
}

/* The aggregate of a run's guests: sums, the first failure's status. */
static void aggregate(struct td_guest_res *agg, const struct td_guest_res *res,
		      const struct td_spec *spec, int r)
{
	agg->mapped_4k = agg->mapped_2m = agg->mapped_1g = 0;
	agg->touched_pages = 0;
	agg->guest_ran = 1;
	agg->ok = r == 0;
	agg->populate_used = res[0].populate_used;
	for (unsigned k = 0; k < spec->vms; k++) {
		const struct td_guest_res *x = &res[k];

		agg->guest_ran &= x->guest_ran;
		if (x->touched_pages == UINT64_MAX || agg->touched_pages == UINT64_MAX)
			agg->touched_pages = UINT64_MAX;
		else
			agg->touched_pages += x->touched_pages;
		if (x->mapped_4k == UINT64_MAX)
			agg->mapped_4k = agg->mapped_2m = agg->mapped_1g = UINT64_MAX;
		if (agg->mapped_4k == UINT64_MAX)
			continue;
		agg->mapped_4k += x->mapped_4k;
		agg->mapped_2m += x->mapped_2m == UINT64_MAX ? 0 : x->mapped_2m;
		if (x->mapped_1g == UINT64_MAX || agg->mapped_1g == UINT64_MAX)
			agg->mapped_1g = UINT64_MAX;	/* not reported: empty */
		else
			agg->mapped_1g += x->mapped_1g;
	}
	if (r == 130) {
		snprintf(agg->status, sizeof(agg->status), "interrupted: %s",
			 ub_signal_name());
		return;
	}
	/* r == 0: the first guest's; else the first failing guest's message. */
	snprintf(agg->status, sizeof(agg->status), "%s", res[0].status);
	for (unsigned k = 0; r && k < spec->vms; k++)
		if (strncmp(res[k].status, "failed: run aborted", 19)) {
			snprintf(agg->status, sizeof(agg->status), "%s", res[k].status);
			break;
		}
}

/* A TDX run failed: the diagnostics bundle (once per directory). */
static void tdx_failed(struct td_state *st, const struct td_line *x,
		       const struct td_plan *p, const struct td_guest_res *res,
		       const char *status)
{
	char bundle[4200];
	struct td_diag d = { .bundle = bundle, .what = status, .caps = &x->caps };

	if (st->diag_done || p->spec.vm_type != KVM_X86_TDX_VM)
		return;
	st->diag_done = 1;
	for (unsigned k = 0; k < p->spec.vms; k++)
		if (!res[k].ok && strncmp(res[k].status, "failed: run aborted", 19)) {
			d.err = &res[k].err;
			d.tdx = &res[k].tdx;
			break;
		}
	td_describe(p, d.run, sizeof(d.run));
	snprintf(bundle, sizeof(bundle), "%s/tdx-diagnostics", rundir_path(&st->s->rd));
	td_diag(&d);
}

/* One planned run: 0, -1 (it failed; the rows say why) or 130. */
static int run_one(struct td_state *st, const struct td_line *x,
		   const struct td_plan *p, size_t i, int kvm_fd, struct td_perf *perf)
{
	struct row w = { .p = p, .label = x->o->common.label, .vm = -1,
			 .bytes = p->spec.size * p->spec.vms };
	struct td_guest_res *res, agg = { 0 };
	char run_id[32], d[512], note[64];
	int r;

	snprintf(run_id, sizeof(run_id), "td%04u", ++st->run_counter);
	w.run_id = run_id;
	td_describe(p, d, sizeof(d));
	if (p->skip[0]) {
		ub_info("teardown %s (%zu/%zu): %s: skipped: %s", run_id, i + 1,
			x->nplans, d, p->skip);
		agg.mapped_4k = agg.mapped_2m = agg.mapped_1g = UINT64_MAX;
		agg.touched_pages = UINT64_MAX;
		agg.populate_used = p->spec.populate;
		w.rss_kb = peak_rss_kb();
		snprintf(agg.status, sizeof(agg.status), "skipped: %s", p->skip);
		w.r = &agg;
		write_row(st, &w);
		return 0;
	}
	ub_info("teardown %s (%zu/%zu): %s", run_id, i + 1, x->nplans, d);
	ub_logfile("teardown %s: vm_type_reason: %s", run_id, p->spec.vm_type_reason);
	res = ub_xcalloc(p->spec.vms, sizeof(*res));
	ub_strlcpy(perf->run_id, run_id, sizeof(perf->run_id));
	snprintf(note, sizeof(note), "%s %zu/%zu", run_id, i + 1, x->nplans);
	r = td_run_guests(&p->spec, kvm_fd, res, &agg, perf, note);
	w.rss_kb = peak_rss_kb();
	for (unsigned k = 0; k < p->spec.vms; k++) {
		struct row g = w;

		g.vm = (int)k;
		g.r = &res[k];
		g.bytes = p->spec.size;
		write_row(st, &g);
		if (res[k].mapped_after != UINT64_MAX &&
		    p->spec.trigger != UB_TRIG_DESTROY)
			ub_logfile("teardown %s: guest %u: %" PRIu64 " 4K-equivalent "
				   "mappings left after %s", run_id, k,
				   res[k].mapped_after,
				   ub_name_or(UB_ENUM_trigger, p->spec.trigger));
	}
	aggregate(&agg, res, &p->spec, r);
	w.r = &agg;
	write_row(st, &w);
	if (r == 0) {
		char a[32];
		int nomap = !strncmp(agg.status, "ok-no-mappings", 14);

		ub_fmt_bytes(a, sizeof(a), (double)w.bytes);
		ub_info("teardown %s: %s torn down in %.6f s (create %.3f s, "
			"populate %.3f s)%s%s", run_id, a, agg.teardown_s,
			agg.create_s, agg.populate_s, nomap ? "; " : "",
			nomap ? agg.status : "");
	} else {
		ub_err("teardown %s: %s", run_id, agg.status);
		if (r == -1)
			tdx_failed(st, x, p, res, agg.status);
	}
	free(res);
	return r;
}

static int run(struct ub_session *s, void *state, void *plan)
{
	struct td_state *st = state;
	const struct td_line *x = plan;
	struct td_perf perf;
	struct ubk_err e;
	int kvm_fd, ret = 0;

	td_perf_init(&perf, x->o->perf_record, rundir_path(&s->rd));
	/* Without KVM every plan is a skipped row (--skip-without-kvm). */
	kvm_fd = x->caps.kvm ? ubk_open(x->o->kvm_path, &e) : -1;
	if (kvm_fd < 0 && x->caps.kvm) {
		ub_err("%s%s%s", s->where ? s->where : "", s->where ? ": " : "", e.msg);
		snprintf(s->detail, sizeof(s->detail), "%.200s", e.msg);
		return 1;
	}
	for (size_t i = 0; i < x->nplans && ret != 130; i++) {
		int r = ub_signal_pending() ? 130 :
			run_one(st, x, &x->plans[i], i, kvm_fd, &perf);

		if (ub_table_flush(st->csv)) {
			snprintf(s->detail, sizeof(s->detail), "%s",
				 ub_table_error(st->csv));
			ret = r == 130 ? 130 : 1;
			break;
		}
		if (r == 130) {
			ret = 130;
			break;
		}
		if (r)
			ret = 1;	/* the rows say why; the other runs go on */
		s->runs_done++;
	}
	if (kvm_fd >= 0)
		close(kvm_fd);
	if (ret == 130)
		ub_info("teardown: every guest was torn down; rows so far are in "
			"teardown.csv");
	if (ret == 1 && !s->detail[0])
		snprintf(s->detail, sizeof(s->detail), "a teardown run failed (see "
			 "teardown.csv status and log.txt)");
	return ret;
}

/*
 * teardown-summary.txt: plot/teardown.py --summary writes it (one
 * implementation of the statistics). Where python3 or plot/ is missing
 * (the testbed guest) it is not written; the host's report writes it.
 */
int td_summary(const char *dir, const char *baseline, char *why, size_t n)
{
	const char *args[5] = { "--summary", dir, NULL };
	char script[4200];

	if (baseline) {
		args[2] = "--baseline";
		args[3] = baseline;
	}
	ub_plot_script("teardown.py", script, sizeof(script));
	if (ub_plot_run(script, args, why, n))	/* python3, then the script */
		return -1;
	snprintf(script, sizeof(script), "%s/teardown-summary.txt", dir);
	if (access(script, F_OK)) {
		snprintf(why, n, "plot/teardown.py --summary exited 0 but wrote no "
			 "teardown-summary.txt (a plot/ without --summary?)");
		return -1;
	}
	return 0;
}

static int close_files(struct ub_session *s, void *state)
{
	struct td_state *st = state;
	char why[600];
	int rc;

	(void)s;
	rc = ub_table_close(st->csv);
	st->csv = NULL;
	/* A summary that cannot be written leaves the run complete. */
	if (!rc && td_summary(rundir_path(&st->s->rd), st->baseline, why, sizeof(why)))
		ub_info("teardown-summary.txt not written: %s; the host's report "
			"writes it", why);
	return rc;
}

/* meta.json "teardown": what KVM offered, for every result. */
static void meta(struct ub_json *j, void *state)
{
	const struct td_state *st = state;
	const struct td_caps *c;

	if (!st->first)
		return;
	c = &st->first->caps;
	ub_json_obj_begin(j, "teardown");
	ub_json_bool(j, "kvm", c->kvm);
	if (!c->kvm)
		ub_json_str(j, "kvm_why", c->kvm_why);
	ub_json_int(j, "vm_types", c->vm_types);
	ub_json_int(j, "guest_memfd", c->gmem);
	ub_json_int(j, "pre_fault_memory", c->prefault);
	ub_json_int(j, "max_vcpus", c->max_vcpus);
	ub_json_int(j, "memory_attributes_sw_protected", c->attrs[1]);
	ub_json_int(j, "guest_memfd_flags_default", c->gmem_flags[0]);
	ub_json_str(j, "kvm_modules", c->modules);
	ub_json_str(j, "kvm_intel_tdx", c->tdx_param);
	ub_json_int(j, "tdx_keyids", c->tdx_keyids);
	ub_json_int(j, "tdx_keyids_used", c->tdx_keyids_used);
	ub_json_str(j, "tdx_keyids_source", c->tdx_keyids_src);
	ub_json_bool(j, "fake_kvm", c->fake);
	if (c->tdx.caps_read) {
		ub_json_obj_begin(j, "tdx_capabilities");
		ub_json_int(j, "supported_attrs", (long long)c->tdx.supported_attrs);
		ub_json_int(j, "supported_xfam", (long long)c->tdx.supported_xfam);
		ub_json_int(j, "cpuid_leaves", c->tdx.cpuid_leaves);
		ub_json_obj_end(j);
	} else if (c->tdx_caps_why[0]) {
		ub_json_str(j, "tdx_capabilities_why", c->tdx_caps_why);
	}
	if (st->first->nplans)
		ub_json_str(j, "vm_type_reason", st->first->plans[0].spec.vm_type_reason);
	ub_json_obj_end(j);
}

static void free_plan(void *plan)
{
	struct td_line *x = plan;

	free(x->plans);
	free(x);
}

const struct ub_driver ub_teardown_driver = {
	.name = "teardown",
	.opts = &td_optset,
	.opts_size = sizeof(struct td_opts),
	.opts_init = td_opts_init,
	.state_size = sizeof(struct td_state),
	.plan = plan,
	.list = list,
	.ready = ready,
	.open = open_files,
	.run = run,
	.close = close_files,
	.meta = meta,
	.free_plan = free_plan,
};
