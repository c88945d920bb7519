// SPDX-License-Identifier: GPL-2.0
/*
 * plan.c: a teardown line's options to runs, checked against the host
 * before anything is created: the VM type each request gets and why,
 * what each combination can do here (skipped, with the reason, when it
 * cannot), the memory preflight and the file descriptors it needs. The
 * runs are one walk over a table of dimensions (record/sweep.h): VM
 * type, page size, populate, node, size, guests, vCPUs, trigger, repeat.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "record/rundir.h"
#include "record/sweep.h"
#include "record/util.h"
#include "teardown/kvm.h"
#include "teardown/teardown.h"

enum { L_VMREQ, L_PAGE, L_POP, L_NODE, L_SIZE, L_VMS, L_VCPUS, L_TRIG,
       L_REPEAT, NR_LISTS };

struct planner {
	struct td_line *x;
	const struct td_opts *o;
	struct ub_u64_list l[NR_LISTS];
	struct td_plan p;		/* the combination being built */
	size_t cap;
	int emulated;
	int dry_run;			/* nothing may be written */
};

/* Decide backing and abilities for a run; fills p->skip if impossible. */
static void resolve(struct td_plan *p, const struct td_caps *c)
{
	struct td_spec *s = &p->spec;
	unsigned t = s->vm_type;
	long gflags = c->gmem_flags[t & 7];

	s->private_mem = td_vm_type_private(t);
	if (!c->kvm) {
		snprintf(p->skip, sizeof(p->skip), "no KVM: %.200s", c->kvm_why);
		return;
	}
	if (s->pagesize == UB_PS_2M) {
		if (s->private_mem) {
			snprintf(p->skip, sizeof(p->skip), "--page-size 2m: private "
				 "memory lives in guest_memfd, which allocates 4K "
				 "pages only (Linux 7.2); 2m needs --vm-type default");
			return;
		}
		s->use_gmem = 0;	/* THP anonymous memory */
	} else if (c->gmem > 0 && c->user_memory2 > 0) {
		s->use_gmem = 1;
		if (!s->private_mem) {
			/* A DEFAULT VM's guest_memfd is shared memory: it must
			 * be created mappable and shared (6.18+). */
			uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;

			if (gflags >= 0 && ((uint64_t)gflags & want) == want)
				s->gmem_flags = want;
			else
				s->use_gmem = 0;	/* fall back to anonymous */
		}
	} else if (s->private_mem) {
		snprintf(p->skip, sizeof(p->skip), "KVM lacks guest_memfd "
			 "(KVM_CAP_GUEST_MEMFD=%ld, KVM_CAP_USER_MEMORY2=%ld)",
			 c->gmem, c->user_memory2);
		return;
	}
	if (s->private_mem && c->attrs[t & 7] >= 0 &&
	    !(c->attrs[t & 7] & (long)KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		snprintf(p->skip, sizeof(p->skip), "KVM offers no PRIVATE memory "
			 "attribute for %s VMs (KVM_CAP_MEMORY_ATTRIBUTES=0x%lx)",
			 ubk_vm_type_name(t), c->attrs[t & 7]);
		return;
	}
	if (s->trigger == UB_TRIG_CONVERT && !s->private_mem) {
		snprintf(p->skip, sizeof(p->skip), "trigger convert needs private "
			 "memory; %s VMs have none (no KVM_MEMORY_ATTRIBUTE_PRIVATE)",
			 ubk_vm_type_name(t));
		return;
	}
	if (s->populate == UB_POP_TOUCH && t == KVM_X86_TDX_VM) {
		snprintf(p->skip, sizeof(p->skip), "--populate touch on a TD needs "
			 "a TD guest image (entered through KVM_TDX_INIT_MEM_REGION, "
			 "accepting its pages with TDG.MEM.PAGE.ACCEPT); the "
			 "harness's minimal guest is not one: not supported yet");
		return;
	}
	if (s->populate == UB_POP_TOUCH && t != KVM_X86_DEFAULT_VM &&
	    t != KVM_X86_SW_PROTECTED_VM) {
		snprintf(p->skip, sizeof(p->skip), "--populate touch runs the "
			 "harness's guest in DEFAULT and SW_PROTECTED VMs only");
		return;
	}
	if (s->populate == UB_POP_TOUCH && c->fake_run) {
		snprintf(p->skip, sizeof(p->skip), "--populate touch runs guest "
			 "code; UB_TEST_FAKE_KVM has no vCPU that can");
		return;
	}
	if (s->populate == UB_POP_GMEM && !s->use_gmem) {
		snprintf(p->skip, sizeof(p->skip), "--populate gmem needs "
			 "guest_memfd backing; this run uses anonymous memory");
		return;
	}
	s->can_prefault = c->prefault > 0;
	if (!s->can_prefault)
		snprintf(s->prefault_why, sizeof(s->prefault_why),
			 "is not offered here (KVM_CAP_PRE_FAULT_MEMORY=%ld)",
			 c->prefault);
	if (t == KVM_X86_TDX_VM && !s->can_prefault)
		snprintf(p->skip, sizeof(p->skip), "TDX guests need "
			 "KVM_PRE_FAULT_MEMORY to map private memory (TDH.MEM."
			 "PAGE.AUG) without running the guest");
}

static double estimate_s(const struct td_plan *p, int emulated)
{
	const struct td_spec *s = &p->spec;
	double bytes = (double)s->size * s->vms;
	/* ~1 GB/s populate, ~2 GB/s teardown on hardware (a TDX host pays
	 * ~5-15 us per 4K page: 0.3-0.8 GB/s); QEMU/TCG ~30x slower. */
	double t = 0.01 * s->vms + bytes / 1e9 +
		   bytes / (s->vm_type == KVM_X86_TDX_VM ? 3e8 : 2e9);

	if (p->skip[0])
		return 0;
	return emulated ? t * 30 : t;
}

/*
 * --vm-type tdx refused before anything exists: on a host that claims
 * TDX that is a failure to report, so the diagnostics bundle goes beside
 * where the run directory would have been (NAME-tdx-diagnostics).
 */
static void tdx_refused(const struct planner *pl, const char *why)
{
	char base[4096], bundle[4200], what[800];
	struct td_diag d = { .bundle = bundle, .what = what, .caps = &pl->x->caps };

	if (pl->o->common.out)
		ub_strlcpy(base, pl->o->common.out, sizeof(base));
	else if (rundir_default_path(base, sizeof(base), NULL, NULL))
		return;
	snprintf(bundle, sizeof(bundle), "%s-tdx-diagnostics", base);
	snprintf(what, sizeof(what), "unmapbench teardown --vm-type tdx refused: %s",
		 why);
	td_diag(&d);
}

/* ---- the dimensions ---- */

static int set_vmreq(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	struct td_spec *s = &pl->p.spec;
	unsigned req = (unsigned)pl->l[l].v[i];
	char why[640];

	if (!pl->x->caps.kvm && pl->o->skip_without_kvm) {
		/* resolve() records the row as skipped: no KVM. */
		s->vm_type = KVM_X86_DEFAULT_VM;
		snprintf(s->vm_type_reason, sizeof(s->vm_type_reason),
			 "none: no KVM (--skip-without-kvm)");
		return 0;
	}
	if (td_choose_vm_type(&pl->x->caps, req, &s->vm_type, why, sizeof(why))) {
		if (req == UB_VM_TDX && !pl->dry_run)
			tdx_refused(pl, why);
		return ub_opt_fail("--vm-type %s: %s", req == TD_VM_AUTO ? "auto" :
				   ub_name_or(UB_ENUM_vm_type, req), why);
	}
	ub_strlcpy(s->vm_type_reason, why, sizeof(s->vm_type_reason));
	return 0;
}

static int set_field(void *ctx, int l, size_t i)
{
	struct planner *pl = ctx;
	struct td_spec *s = &pl->p.spec;
	uint64_t v = pl->l[l].v[i];

	switch (l) {
	case L_PAGE:	s->pagesize = (unsigned)v; break;
	case L_POP:	s->populate = (unsigned)v; break;
	case L_NODE:	s->node = v; break;
	case L_SIZE:	s->size = v; break;
	case L_VMS:	s->vms = (unsigned)v; break;
	case L_VCPUS:	s->vcpus = (unsigned)v; break;
	case L_TRIG:	s->trigger = (unsigned)v; break;
	case L_REPEAT:	pl->p.repeat = v; break;
	}
	return 0;
}

static const struct ub_dim dims[] = {
	{ "vm-type", L_VMREQ, NULL, set_vmreq },
	{ "page-size", L_PAGE, NULL, set_field },
	{ "populate", L_POP, NULL, set_field },
	{ "node", L_NODE, NULL, set_field },
	{ "size", L_SIZE, NULL, set_field },
	{ "vms", L_VMS, NULL, set_field },
	{ "vcpus", L_VCPUS, NULL, set_field },
	{ "trigger", L_TRIG, NULL, set_field },
	{ "repeat", L_REPEAT, NULL, set_field },
};

/*
 * Every TD holds one TDX KeyID (HKID) from KVM_TDX_INIT_VM until it is
 * destroyed: refuse a run with more TDs at once than KeyIDs are free,
 * before any guest exists. Unknown counts let the run go (the dry run
 * says so; KVM_TDX_INIT_VM's ENOSPC is reported as such).
 */
static int keyids_check(const struct td_line *x, const struct td_spec *s)
{
	const struct td_caps *c = &x->caps;
	long used = c->tdx_keyids_used > 0 ? c->tdx_keyids_used : 0;

	if (c->tdx_keyids < 0 || (long)s->vms <= c->tdx_keyids - used)
		return 0;
	return ub_opt_fail("refusing: --vms %u: every TD takes one TDX KeyID "
			   "(HKID), and %ld are free (%ld for guests, %ld in use; "
			   "from %s): lower --vms to at most %ld", s->vms,
			   c->tdx_keyids - used, c->tdx_keyids, used,
			   c->tdx_keyids_src, c->tdx_keyids - used);
}

/* One combination: resolved, checked, kept. */
static int emit(void *ctx)
{
	struct planner *pl = ctx;
	struct td_line *x = pl->x;
	struct td_plan *p;
	char pf[400];

	if (x->nplans == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		x->plans = ub_xrealloc(x->plans, pl->cap * sizeof(*p));
	}
	p = &x->plans[x->nplans++];
	*p = pl->p;
	p->skip[0] = 0;
	p->spec.use_gmem = p->spec.private_mem = p->spec.can_prefault = 0;
	p->spec.gmem_flags = 0;
	p->spec.prefault_why[0] = 0;
	resolve(p, &x->caps);
	if (!p->skip[0] && p->spec.vm_type == KVM_X86_TDX_VM && keyids_check(x, &p->spec))
		return 1;
	if (x->caps.max_vcpus > 0 && p->spec.vcpus > (unsigned long)x->caps.max_vcpus)
		return ub_opt_fail("--vcpus %u: more than KVM allows per VM "
				   "(KVM_CAP_MAX_VCPUS=%ld)", p->spec.vcpus,
				   x->caps.max_vcpus);
	if (!p->skip[0] && td_preflight(&x->mem, p->spec.size, p->spec.vms,
					p->spec.node, pf, sizeof(pf)))
		return ub_opt_fail("%s", pf);
	x->est_s += estimate_s(p, pl->emulated);
	return 0;
}

/* The sizes: bytes (2M multiples with --page-size 2m: checked by the
 * options), and shares of MemAvailable, resolved now in 2M steps. */
static int sizes(struct planner *pl)
{
	const struct td_opts *o = pl->o;
	struct ub_u64_list *l = &pl->l[L_SIZE];

	for (size_t i = 0; i < o->sizes.n; i++)
		ub_u64_list_push(l, o->sizes.v[i]);
	for (size_t i = 0; i < o->size_pct.n; i++) {
		uint64_t p = o->size_pct.v[i] >> 48;
		uint64_t max = (o->size_pct.v[i] & ((1ULL << 48) - 1)) << 12;
		uint64_t v = pl->x->mem.avail / 100 * p;

		if (max && v > max)
			v = max;
		v -= v % UB_BYTES_2M;	/* fits --page-size 2m too */
		if (!v)
			return ub_opt_fail("--size %" PRIu64 "%%: MemAvailable is "
					   "unknown or too small", p);
		ub_u64_list_push(l, v);
	}
	if (!l->n)
		ub_u64_list_push(l, 256ULL << 20);
	return 0;
}

/* Enough file descriptors for the largest run: raise the soft limit. */
static int fd_check(const struct td_line *x)
{
	struct rlimit rl;
	uint64_t need = 64;

	for (size_t i = 0; i < x->nplans; i++) {
		uint64_t n = (uint64_t)x->plans[i].spec.vms *
			     (x->plans[i].spec.vcpus + 4) + 64;
		if (n > need)
			need = n;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need)
		return ub_opt_fail("refusing: the largest run needs %" PRIu64 " file "
				   "descriptors (guests x (vCPUs + 4)), the limit is "
				   "%llu: raise it (ulimit -n) or lower --vms/--vcpus",
				   need, (unsigned long long)rl.rlim_cur);
	return 0;
}

/* What KVM offers here, or what the test hook says. 0 or -1. */
static int probe(struct td_line *x, const struct td_opts *o, int dry_run)
{
	const char *fake = getenv("UB_TEST_FAKE_KVM");
	char why[256];

	td_mem_probe(&x->mem);
	if (!fake || !*fake) {
		td_caps_probe(&x->caps, o->kvm_path);
		return 0;
	}
	if (td_caps_fake(&x->caps, fake, why, sizeof(why)))
		return ub_opt_fail("%s", why);
	if (x->caps.fake_run && !dry_run)
		ubk_fake_start(&x->caps.fake_cfg);
	return 0;
}

int td_plan_line(struct td_line *x, const struct td_opts *o, int emulated,
		 int dry_run)
{
	struct planner pl = { .x = x, .o = o, .emulated = emulated,
			      .dry_run = dry_run };
	int rc;

	memset(x, 0, sizeof(*x));
	x->o = o;
	ub_u64_list_copy(&pl.l[L_VMREQ], &o->vmreq, TD_VM_AUTO);
	ub_u64_list_copy(&pl.l[L_PAGE], &o->pagesize, UB_PS_4K);
	ub_u64_list_copy(&pl.l[L_POP], &o->populate, UB_POP_PREFAULT);
	ub_u64_list_copy(&pl.l[L_NODE], &o->nodes, TD_NODE_ANY);
	ub_u64_list_copy(&pl.l[L_VMS], &o->vms, 1);
	ub_u64_list_copy(&pl.l[L_VCPUS], &o->vcpus, 1);
	ub_u64_list_copy(&pl.l[L_TRIG], &o->triggers, UB_TRIG_DESTROY);
	for (uint64_t r = 1; r <= o->common.repeat; r++)
		ub_u64_list_push(&pl.l[L_REPEAT], r);
	rc = probe(x, o, dry_run) || sizes(&pl) ||
	     ub_sweep(dims, UB_ARRAY_SIZE(dims), pl.l, &pl, emit) || fd_check(x);
	for (int i = 0; i < NR_LISTS; i++)
		ub_u64_list_free(&pl.l[i]);
	return rc ? 1 : 0;
}

void td_describe(const struct td_plan *p, char *buf, size_t n)
{
	const struct td_spec *s = &p->spec;
	char sz[32], node[24];

	ub_fmt_bytes(sz, sizeof(sz), (double)s->size);
	if (s->node == TD_NODE_ANY)
		snprintf(node, sizeof(node), "any");
	else
		snprintf(node, sizeof(node), "%" PRIu64, s->node);
	snprintf(buf, n, "vm_type=%s size=%s vms=%u vcpus=%u trigger=%s "
		 "populate=%s page_size=%s node=%s repeat=%" PRIu64 " backing=%s",
		 ubk_vm_type_name(s->vm_type), sz, s->vms, s->vcpus,
		 ub_name_or(UB_ENUM_trigger, s->trigger),
		 ub_name_or(UB_ENUM_populate, s->populate),
		 ub_name_or(UB_ENUM_page_size, s->pagesize), node, p->repeat,
		 s->use_gmem ? (s->private_mem ? "guest_memfd(private)" :
				"guest_memfd(shared)") : "anonymous");
}

void td_list(const struct td_line *x)
{
	char d[512];

	printf("teardown: KVM: %s\n", x->caps.kvm ? "present" : x->caps.kvm_why);
	for (size_t i = 0; i < x->nplans; i++) {
		if (x->plans[i].spec.vm_type != KVM_X86_TDX_VM || x->plans[i].skip[0])
			continue;
		if (x->caps.tdx.caps_read)
			printf("teardown: TDX capabilities: attributes 0x%" PRIx64
			       ", XFAM 0x%" PRIx64 ", %u configurable CPUID leaves\n",
			       x->caps.tdx.supported_attrs, x->caps.tdx.supported_xfam,
			       x->caps.tdx.cpuid_leaves);
		else if (x->caps.tdx_caps_why[0])
			printf("teardown: TDX capabilities: %s\n", x->caps.tdx_caps_why);
		if (x->caps.tdx_keyids < 0)
			printf("teardown: TDX KeyIDs: %s; past the pool "
			       "KVM_TDX_INIT_VM fails with ENOSPC, reported as such\n",
			       x->caps.tdx_keyids_src);
		else
			printf("teardown: TDX KeyIDs: %ld for guests, %ld in use "
			       "(%s); one per TD\n", x->caps.tdx_keyids,
			       x->caps.tdx_keyids_used, x->caps.tdx_keyids_src);
		break;
	}
	for (size_t i = 0; i < x->nplans; i++) {
		const struct td_plan *p = &x->plans[i];

		td_describe(p, d, sizeof(d));
		printf("teardown run %zu/%zu: %s\n", i + 1, x->nplans, d);
		if (i == 0 || strcmp(p->spec.vm_type_reason,
				     x->plans[i - 1].spec.vm_type_reason))
			printf("  vm_type_reason: %s\n", p->spec.vm_type_reason);
		if (p->skip[0])
			printf("  skipped: %s\n", p->skip);
		else if (p->spec.populate == UB_POP_PREFAULT && !p->spec.can_prefault)
			printf("  populate: KVM_PRE_FAULT_MEMORY %s: will populate "
			       "without mappings and say so\n", p->spec.prefault_why);
	}
}
