// SPDX-License-Identifier: GPL-2.0
/*
 * teardown.c: `unmapbench teardown` and the "teardown" profile lines:
 * options, the list of runs, preflight, the run loop and teardown.csv.
 * See teardown.h for the pieces and results/README.md for the columns.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "record/csv.h"
#include "record/env.h"
#include "record/json.h"
#include "teardown/kvm.h"
#include "record/log.h"
#include "record/meta.h"
#include "record/opts.h"
#include "record/rundir.h"
#include "teardown/teardown.h"
#include "record/util.h"

const char *const td_vmreq_names[TD_VM_NREQ] = {
	"auto", "tdx", "sw-protected", "default",
};
const char *const td_trigger_names[TD_NTRIG] = { "destroy", "convert", "punch" };
const char *const td_populate_names[TD_NPOP] = { "prefault", "gmem", "touch" };
const char *const td_pagesize_names[TD_NPS] = { "4k", "2m" };

char td_errbuf[1024];

/* Run ids are unique within the process (profile lines share a run dir). */
static unsigned td_run_counter;

void td_usage(FILE *f)
{
	fputs(
"usage: unmapbench teardown [options]\n"
"Create KVM guests with guest_memfd memory, populate their stage-2 (S-EPT/\n"
"TDP) mappings, then tear all of them down at once and time it.\n"
"Every option taking a LIST accepts comma-separated values; runs are the\n"
"cross product.\n"
"  --vm-type LIST     auto|tdx|sw-protected|default (default auto: TDX if\n"
"                     KVM offers it, else SW_PROTECTED, else DEFAULT)\n"
"  --size LIST        guest memory per guest, K/M/G/T suffixes (default 256M)\n"
"  --vms LIST         guests created and torn down at once (default 1)\n"
"  --vcpus LIST       vCPUs per guest = populate threads (default 1)\n"
"  --trigger LIST     destroy|convert|punch|all (default destroy)\n"
"                     destroy: close every fd (last close = kvm_destroy_vm)\n"
"                     convert: private->shared KVM_SET_MEMORY_ATTRIBUTES\n"
"                     punch:   FALLOC_FL_PUNCH_HOLE on the guest_memfd\n"
"  --populate LIST    prefault|gmem|touch (default prefault =\n"
"                     KVM_PRE_FAULT_MEMORY; falls back to gmem, saying so,\n"
"                     where KVM cannot pre-fault)\n"
"  --page-size LIST   4k|2m (2m: DEFAULT VMs on THP anonymous memory;\n"
"                     guest_memfd allocates 4K pages only)\n"
"  --node LIST        NUMA node for guest memory, or 'any' (default any)\n"
"  --repeat N         repeat every run N times (default 1)\n"
"  --out DIR          run directory (default results/<time>-<host>-<krel>)\n"
"  --baseline PATH    run directory (or teardown.csv) of the 'before'\n"
"                     kernel: the summary shows before/after/change\n"
"  --perf-record      record the teardown phase with perf (-a -g) and keep\n"
"                     the top kernel symbols in teardown-perf.txt\n"
"  --dry-run          list the runs and the time estimate; create nothing\n"
"  --kvm PATH         KVM device (default /dev/kvm)\n"
"  -h, --help         this text\n"
"The result names the VM type and why, the mapping counts KVM reported\n"
"before teardown, and 'ok-no-mappings: ...' where none were populated.\n",
	f);
}

static void td_errf(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void td_errf(const char *where, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(td_errbuf, sizeof(td_errbuf), "%s%s%s", where ? where : "",
		 where ? ": " : "", msg);
	ub_err("teardown: %s", td_errbuf);
}

enum {
	O_VMTYPE = 1000, O_SIZE, O_VMS, O_VCPUS, O_TRIGGER, O_POPULATE,
	O_PAGESIZE, O_NODE, O_REPEAT, O_OUT, O_BASELINE, O_PERF, O_DRY,
	O_KVM, O_LABEL,
};

static const struct option td_longopts[] = {
	{ "vm-type", required_argument, NULL, O_VMTYPE },
	{ "size", required_argument, NULL, O_SIZE },
	{ "vms", required_argument, NULL, O_VMS },
	{ "vcpus", required_argument, NULL, O_VCPUS },
	{ "trigger", required_argument, NULL, O_TRIGGER },
	{ "populate", required_argument, NULL, O_POPULATE },
	{ "page-size", required_argument, NULL, O_PAGESIZE },
	{ "node", required_argument, NULL, O_NODE },
	{ "repeat", required_argument, NULL, O_REPEAT },
	{ "out", required_argument, NULL, O_OUT },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "perf-record", no_argument, NULL, O_PERF },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "kvm", required_argument, NULL, O_KVM },
	{ "label", required_argument, NULL, O_LABEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Wrap an opts.c parser so its message carries WHERE too. */
#define OPT_CALL(call)						\
	do {							\
		if (call) {					\
			snprintf(td_errbuf, sizeof(td_errbuf), "%s%s%s", \
				 where ? where : "", where ? ": " : "", \
				 ub_opt_errbuf);		\
			if (where)				\
				ub_err("teardown: %s", td_errbuf); \
			return 2;				\
		}						\
	} while (0)

static int parse_nodes(const char *where, const char *s, struct ub_u64_list *out)
{
	char *dup = ub_xstrdup(s), *save = NULL, *tok;

	out->n = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (!strcmp(tok, "any")) {
			ub_u64_list_push(out, TD_NODE_ANY);
			continue;
		}
		if (ub_opt_parse_u64("--node", tok, 0, 0, 63, &v)) {
			td_errf(where, "--node: bad value '%s' in '%s': expected a "
				"node number (0-63) or 'any'", tok, s);
			free(dup);
			return 2;
		}
		ub_u64_list_push(out, v);
	}
	free(dup);
	if (!out->n) {
		td_errf(where, "--node: empty list");
		return 2;
	}
	return 0;
}

/*
 * --size items: a size ("64M", "1G") or a share of the memory available
 * when the run is planned, "P%" or "P%:MAX" (P percent of MemAvailable
 * per guest, at most MAX), so one profile scales from the testbed to a
 * large host. Shares are kept as (P << 48 | MAX>>12) in size_pct and
 * resolved by plan().
 */
static int parse_sizes(const char *where, const char *s, struct ub_u64_list *out,
		       struct ub_u64_list *pct)
{
	char *dup = ub_xstrdup(s), *save = NULL, *tok;
	int ret = 0;

	out->n = pct->n = 0;
	for (tok = strtok_r(dup, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *p = strchr(tok, '%');
		uint64_t v, max = 0;

		if (p) {
			*p = '\0';
			if (ub_opt_parse_u64("--size", tok, 0, 1, 100, &v) ||
			    (p[1] && (p[1] != ':' ||
				      ub_opt_parse_u64("--size", p + 2, UB_OPT_SIZE,
						       4096, UINT64_MAX / 2, &max)))) {
				*p = '%';
				td_errf(where, "--size: bad value '%s' in '%s': expected "
					"a size (K/M/G/T suffix) or P%% or P%%:MAX", tok, s);
				ret = 2;
				break;
			}
			ub_u64_list_push(pct, v << 48 | (max >> 12));
			continue;
		}
		if (ub_opt_parse_u64("--size", tok, UB_OPT_SIZE, 4096, UINT64_MAX / 2, &v)) {
			td_errf(where, "--size: bad value '%s' in '%s': expected a size "
				"(K/M/G/T suffix) or P%% or P%%:MAX", tok, s);
			ret = 2;
			break;
		}
		if (v % 4096) {
			td_errf(where, "--size: bad value '%s': %" PRIu64
				" is not a multiple of 4K", tok, v);
			ret = 2;
			break;
		}
		ub_u64_list_push(out, v);
	}
	free(dup);
	if (!ret && !out->n && !pct->n) {
		td_errf(where, "--size: empty list");
		ret = 2;
	}
	return ret;
}

int td_parse(struct td_opts *o, int argc, char **argv, const char *where)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->repeat = 1;
	o->kvm_path = "/dev/kvm";
	td_errbuf[0] = '\0';
	optind = 0;	/* GNU: reinitialize (profiles call us repeatedly) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", td_longopts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case O_VMTYPE:
			OPT_CALL(ub_opt_parse_names("--vm-type", a, 0, td_vmreq_names,
						    TD_VM_NREQ, &o->vmreq));
			break;
		case O_SIZE:
			if (parse_sizes(where, a, &o->sizes, &o->size_pct))
				return 2;
			break;
		case O_VMS:
			OPT_CALL(ub_opt_parse_u64_list("--vms", a, UB_OPT_RANGE, 1,
						       4096, &o->vms));
			break;
		case O_VCPUS:
			OPT_CALL(ub_opt_parse_u64_list("--vcpus", a, UB_OPT_RANGE, 1,
						       4096, &o->vcpus));
			break;
		case O_TRIGGER:
			OPT_CALL(ub_opt_parse_names("--trigger", a, UB_OPT_ALL,
						    td_trigger_names, TD_NTRIG,
						    &o->triggers));
			break;
		case O_POPULATE:
			OPT_CALL(ub_opt_parse_names("--populate", a, 0,
						    td_populate_names, TD_NPOP,
						    &o->populate));
			break;
		case O_PAGESIZE:
			OPT_CALL(ub_opt_parse_names("--page-size", a, 0,
						    td_pagesize_names, TD_NPS,
						    &o->pagesize));
			break;
		case O_NODE:
			if (parse_nodes(where, a, &o->nodes))
				return 2;
			break;
		case O_REPEAT:
			OPT_CALL(ub_opt_parse_u64("--repeat", a, 0, 1, 100000,
						  &o->repeat));
			break;
		case O_OUT:
			o->out = a;
			break;
		case O_BASELINE:
			o->baseline = a;
			break;
		case O_PERF:
			o->perf_record = 1;
			break;
		case O_DRY:
			o->dry_run = 1;
			break;
		case O_KVM:
			o->kvm_path = a;
			break;
		case O_LABEL:
			break;	/* profile label: kept in the log by the caller */
		case 'h':
			o->help = 1;
			break;
		case ':':
			td_errf(where, "%s: missing value", argv[optind - 1]);
			return 2;
		default:
			td_errf(where, "unknown option '%s' (see unmapbench "
				"teardown --help)", argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		td_errf(where, "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	/* Defaults. */
	if (!o->vmreq.n)
		ub_u64_list_push(&o->vmreq, TD_VM_AUTO);
	if (!o->sizes.n && !o->size_pct.n)
		ub_u64_list_push(&o->sizes, 256ULL << 20);
	if (!o->vms.n)
		ub_u64_list_push(&o->vms, 1);
	if (!o->vcpus.n)
		ub_u64_list_push(&o->vcpus, 1);
	if (!o->triggers.n)
		ub_u64_list_push(&o->triggers, TD_TRIG_DESTROY);
	if (!o->populate.n)
		ub_u64_list_push(&o->populate, TD_POP_PREFAULT);
	if (!o->pagesize.n)
		ub_u64_list_push(&o->pagesize, TD_PS_4K);
	if (!o->nodes.n)
		ub_u64_list_push(&o->nodes, TD_NODE_ANY);
	for (size_t i = 0; i < o->pagesize.n; i++)
		for (size_t k = 0; k < o->sizes.n; k++)
			if (o->pagesize.v[i] == TD_PS_2M && o->sizes.v[k] % (2 << 20)) {
				td_errf(where, "--size: %" PRIu64 " is not a multiple "
					"of 2M, needed with --page-size 2m",
					o->sizes.v[k]);
				return 2;
			}
	return 0;
}

void td_opts_free(struct td_opts *o)
{
	ub_u64_list_free(&o->vmreq);
	ub_u64_list_free(&o->sizes);
	ub_u64_list_free(&o->size_pct);
	ub_u64_list_free(&o->vms);
	ub_u64_list_free(&o->vcpus);
	ub_u64_list_free(&o->triggers);
	ub_u64_list_free(&o->populate);
	ub_u64_list_free(&o->pagesize);
	ub_u64_list_free(&o->nodes);
}

/* One planned run. */
struct td_plan {
	struct td_spec spec;
	uint64_t repeat;
	char skip[256];			/* non-empty: not runnable, why */
};

/* Decide backing and abilities for a run; fills p->skip if impossible. */
static void resolve(struct td_plan *p, const struct td_caps *c)
{
	struct td_spec *s = &p->spec;
	unsigned t = s->vm_type;
	long gflags = c->gmem_flags[t & 7];

	s->private_mem = td_vm_type_private(t);
	if (s->pagesize == TD_PS_2M) {
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
			 td_vm_type_name(t), c->attrs[t & 7]);
		return;
	}
	if (s->trigger == TD_TRIG_CONVERT && !s->private_mem) {
		snprintf(p->skip, sizeof(p->skip), "trigger convert needs private "
			 "memory; %s VMs have none (no KVM_MEMORY_ATTRIBUTE_PRIVATE)",
			 td_vm_type_name(t));
		return;
	}
	if (s->populate == TD_POP_TOUCH && s->private_mem) {
		snprintf(p->skip, sizeof(p->skip), "--populate touch writes guest "
			 "memory through a host mapping; private guest_memfd "
			 "memory cannot be mapped by the host");
		return;
	}
	if (s->populate == TD_POP_GMEM && !s->use_gmem) {
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

struct td_ctx {
	const char *where;		/* profile FILE:LINE or NULL */
	struct td_opts o;
	struct td_caps caps;
	struct td_mem mem;
	struct td_plan *plans;
	size_t nplans;
	double est_s;
	int *progress_done;		/* profile: runs of the profile done */
};

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

/* Build and check every run. 0, 1 (refused, message given) */
static int plan(struct td_ctx *x, int emulated)
{
	struct td_opts *o = &x->o;
	const char *fake = getenv("UB_TEST_FAKE_KVM");
	size_t cap = 0;

	if (fake && *fake) {
		if (td_caps_fake(&x->caps, fake)) {
			td_errf(x->where, "%s", td_errbuf);
			return 1;
		}
	} else {
		td_caps_probe(&x->caps, o->kvm_path);
	}
	td_mem_probe(&x->mem);
	for (size_t i = 0; i < o->size_pct.n; i++) {
		uint64_t p = o->size_pct.v[i] >> 48;
		uint64_t max = (o->size_pct.v[i] & ((1ULL << 48) - 1)) << 12;
		uint64_t v = x->mem.avail / 100 * p;

		if (max && v > max)
			v = max;
		v &= ~((2ULL << 20) - 1);	/* 2M multiple: fits --page-size 2m */
		if (!v) {
			td_errf(x->where, "--size %" PRIu64 "%%: MemAvailable is "
				"unknown or too small", p);
			return 1;
		}
		ub_u64_list_push(&o->sizes, v);
	}
	o->size_pct.n = 0;
	for (size_t i = 0; i < o->pagesize.n; i++)
		for (size_t k = 0; k < o->sizes.n; k++)
			if (o->pagesize.v[i] == TD_PS_2M && o->sizes.v[k] % (2 << 20)) {
				td_errf(x->where, "--size: %" PRIu64 " is not a "
					"multiple of 2M, needed with --page-size 2m",
					o->sizes.v[k]);
				return 1;
			}
	for (size_t a = 0; a < o->vmreq.n; a++) {
		unsigned type;
		char why[512];

		if (td_choose_vm_type(&x->caps, (enum td_vmreq)o->vmreq.v[a],
				      &type, why, sizeof(why))) {
			td_errf(x->where, "--vm-type %s: %s",
				td_vmreq_names[o->vmreq.v[a]], why);
			return 1;
		}
		for (size_t b = 0; b < o->pagesize.n; b++)
		for (size_t c = 0; c < o->populate.n; c++)
		for (size_t d = 0; d < o->nodes.n; d++)
		for (size_t e = 0; e < o->sizes.n; e++)
		for (size_t f = 0; f < o->vms.n; f++)
		for (size_t g = 0; g < o->vcpus.n; g++)
		for (size_t h = 0; h < o->triggers.n; h++)
		for (uint64_t r = 1; r <= o->repeat; r++) {
			struct td_plan *p;
			char pf[400];

			if (x->nplans == cap) {
				cap = cap ? cap * 2 : 16;
				x->plans = ub_xrealloc(x->plans, cap * sizeof(*p));
			}
			p = &x->plans[x->nplans++];
			memset(p, 0, sizeof(*p));
			p->repeat = r;
			p->spec.vm_type = type;
			ub_strlcpy(p->spec.vm_type_reason, why,
				   sizeof(p->spec.vm_type_reason));
			p->spec.pagesize = (enum td_pagesize)o->pagesize.v[b];
			p->spec.populate = (enum td_populate)o->populate.v[c];
			p->spec.node = o->nodes.v[d];
			p->spec.size = o->sizes.v[e];
			p->spec.vms = (unsigned)o->vms.v[f];
			p->spec.vcpus = (unsigned)o->vcpus.v[g];
			p->spec.trigger = (enum td_trigger)o->triggers.v[h];
			resolve(p, &x->caps);
			if (x->caps.max_vcpus > 0 &&
			    p->spec.vcpus > (unsigned long)x->caps.max_vcpus) {
				td_errf(x->where, "--vcpus %u: more than KVM allows "
					"per VM (KVM_CAP_MAX_VCPUS=%ld)",
					p->spec.vcpus, x->caps.max_vcpus);
				return 1;
			}
			if (!p->skip[0] && td_preflight(&x->mem, p->spec.size,
							p->spec.vms, p->spec.node,
							pf, sizeof(pf))) {
				td_errf(x->where, "%s", pf);
				return 1;
			}
			x->est_s += estimate_s(p, emulated);
		}
	}
	return 0;
}

/* Enough file descriptors for the largest run: raise the soft limit. */
static int fd_check(struct td_ctx *x)
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
	if (rl.rlim_cur < need) {
		td_errf(x->where, "refusing: the largest run needs %" PRIu64
			" file descriptors (guests x (vCPUs + 4)), the limit is "
			"%llu: raise it (ulimit -n) or lower --vms/--vcpus",
			need, (unsigned long long)rl.rlim_cur);
		return 1;
	}
	return 0;
}

static void describe(const struct td_plan *p, char *buf, size_t n)
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
		 td_vm_type_name(s->vm_type), sz, s->vms, s->vcpus,
		 td_trigger_names[s->trigger], td_populate_names[s->populate],
		 td_pagesize_names[s->pagesize], node, p->repeat,
		 s->use_gmem ? (s->private_mem ? "guest_memfd(private)" :
				"guest_memfd(shared)") : "anonymous");
}

static void dry_run(struct td_ctx *x)
{
	char d[512], est[32];

	printf("teardown: KVM: %s\n", x->caps.kvm ? "present" : x->caps.kvm_why);
	for (size_t i = 0; i < x->nplans; i++) {
		const struct td_plan *p = &x->plans[i];

		describe(p, d, sizeof(d));
		printf("teardown run %zu/%zu: %s\n", i + 1, x->nplans, d);
		if (i == 0 || strcmp(p->spec.vm_type_reason,
				     x->plans[i - 1].spec.vm_type_reason))
			printf("  vm_type_reason: %s\n", p->spec.vm_type_reason);
		if (p->skip[0])
			printf("  skipped: %s\n", p->skip);
		else if (p->spec.populate == TD_POP_PREFAULT && !p->spec.can_prefault)
			printf("  populate: KVM_PRE_FAULT_MEMORY %s: will populate "
			       "without mappings and say so\n", p->spec.prefault_why);
	}
	ub_fmt_duration(est, sizeof(est), x->est_s);
	printf("teardown: %zu run(s), estimated %s\n", x->nplans, est);
}

static void fmt_u64_or_empty(struct ub_csv *c, uint64_t v)
{
	if (v == UINT64_MAX)
		ub_csv_empty(c);
	else
		ub_csv_uint(c, v);
}

static void write_row(struct ub_csv *c, const char *run_id,
		      const struct td_plan *p, const char *vm,
		      const struct td_guest_res *r, uint64_t bytes,
		      const char *emulation)
{
	const struct td_spec *s = &p->spec;
	uint64_t pages = bytes / 4096;
	int have = r && (r->ok || r->teardown_s > 0);

	ub_csv_str(c, run_id);
	ub_csv_uint(c, p->repeat);
	ub_csv_str(c, td_vm_type_name(s->vm_type));
	ub_csv_str(c, s->vm_type_reason);
	ub_csv_str(c, vm);
	ub_csv_uint(c, s->vms);
	ub_csv_uint(c, s->vcpus);
	ub_csv_uint(c, s->size);
	ub_csv_str(c, td_pagesize_names[s->pagesize]);
	ub_csv_str(c, td_trigger_names[s->trigger]);
	ub_csv_str(c, r && r->populate_used[0] ? r->populate_used :
		   td_populate_names[s->populate]);
	if (r && r->mapped_4k != UINT64_MAX) {
		uint64_t m = r->mapped_4k + 512 * (r->mapped_2m == UINT64_MAX ?
						    0 : r->mapped_2m) +
			     512 * 512 * (r->mapped_1g == UINT64_MAX ? 0 :
					  r->mapped_1g);
		ub_csv_uint(c, m);
	} else {
		ub_csv_empty(c);
	}
	fmt_u64_or_empty(c, r ? r->mapped_4k : UINT64_MAX);
	fmt_u64_or_empty(c, r ? r->mapped_2m : UINT64_MAX);
	if (r && have) {
		ub_csv_double(c, r->create_s, 6);
		ub_csv_double(c, r->populate_s, 6);
		ub_csv_double(c, r->teardown_s, 6);
	} else {
		ub_csv_empty(c);
		ub_csv_empty(c);
		ub_csv_empty(c);
	}
	ub_csv_uint(c, pages);
	if (r && r->ok && r->teardown_s > 0 && pages) {
		ub_csv_double(c, r->teardown_s * 1e9 / (double)pages, 1);
		ub_csv_double(c, (double)pages / r->teardown_s, 1);
	} else {
		ub_csv_empty(c);
		ub_csv_empty(c);
	}
	ub_csv_str(c, r ? r->status : p->skip);
	ub_csv_str(c, emulation);
	ub_csv_end_row(c);
}

/* The run loop. Returns 0, 1 (some run failed) or 130 (interrupted). */
static int execute(struct td_ctx *x, const char *dir, const char *emulation,
		   const char *kernel)
{
	struct ub_csv *csv;
	struct td_perf perf;
	char path[PATH_MAX + 32];
	int kvm_fd = -1, ret = 0;
	struct ubk_err e;

	snprintf(path, sizeof(path), "%s/teardown.csv", dir);
	csv = ub_csv_open(path, TD_CSV_COLS, UB_CSV_APPEND);
	if (!csv)
		return 1;
	td_perf_init(&perf, x->o.perf_record, dir);
	if (x->caps.fake) {
		td_errf(x->where, "UB_TEST_FAKE_KVM is set: only --dry-run is "
			"possible with fake capabilities");
		ub_csv_close(csv);
		return 1;
	}
	kvm_fd = ubk_open(x->o.kvm_path, &e);
	if (kvm_fd < 0) {
		td_errf(x->where, "%s", e.msg);
		ub_csv_close(csv);
		return 1;
	}
	for (size_t i = 0; i < x->nplans; i++) {
		struct td_plan *p = &x->plans[i];
		struct td_guest_res *res, agg;
		char run_id[32], d[512], note[64];
		uint64_t total;
		int r;

		if (ub_signal_pending()) {
			ret = 130;
			break;
		}
		snprintf(run_id, sizeof(run_id), "td%04u", ++td_run_counter);
		describe(p, d, sizeof(d));
		if (p->skip[0]) {
			ub_info("teardown %s (%zu/%zu): %s: skipped: %s", run_id,
				i + 1, x->nplans, d, p->skip);
			{
				struct td_guest_res s;

				memset(&s, 0, sizeof(s));
				s.mapped_4k = s.mapped_2m = s.mapped_1g = UINT64_MAX;
				snprintf(s.status, sizeof(s.status), "skipped: %s",
					 p->skip);
				write_row(csv, run_id, p, "all", &s,
					  p->spec.size * p->spec.vms, emulation);
			}
			if (x->progress_done)
				(*x->progress_done)++;
			continue;
		}
		ub_info("teardown %s (%zu/%zu): %s", run_id, i + 1, x->nplans, d);
		ub_logfile("teardown %s: vm_type_reason: %s", run_id,
			   p->spec.vm_type_reason);
		res = ub_xcalloc(p->spec.vms, sizeof(*res));
		ub_strlcpy(perf.run_id, run_id, sizeof(perf.run_id));
		snprintf(note, sizeof(note), "%s %zu/%zu", run_id, i + 1, x->nplans);
		r = td_run_guests(&p->spec, kvm_fd, res, &agg, &perf, note);
		/* Per guest rows, then the aggregate ("all"). */
		total = 0;
		agg.mapped_4k = agg.mapped_2m = agg.mapped_1g = 0;
		agg.ok = r == 0;
		for (unsigned k = 0; k < p->spec.vms; k++) {
			char vm[16];

			snprintf(vm, sizeof(vm), "%u", k);
			write_row(csv, run_id, p, vm, &res[k], p->spec.size, emulation);
			total += p->spec.size;
			if (res[k].mapped_4k == UINT64_MAX)
				agg.mapped_4k = agg.mapped_2m = agg.mapped_1g = UINT64_MAX;
			if (agg.mapped_4k != UINT64_MAX) {
				agg.mapped_4k += res[k].mapped_4k;
				agg.mapped_2m += res[k].mapped_2m == UINT64_MAX ? 0 : res[k].mapped_2m;
				agg.mapped_1g += res[k].mapped_1g == UINT64_MAX ? 0 : res[k].mapped_1g;
			}
			if (res[k].mapped_after != UINT64_MAX &&
			    p->spec.trigger != TD_TRIG_DESTROY)
				ub_logfile("teardown %s: guest %u: %" PRIu64 " 4K-"
					   "equivalent mappings left after %s",
					   run_id, k, res[k].mapped_after,
					   td_trigger_names[p->spec.trigger]);
		}
		ub_strlcpy(agg.populate_used, res[0].populate_used,
			   sizeof(agg.populate_used));
		if (r == 0)
			snprintf(agg.status, sizeof(agg.status), "%s", res[0].status);
		else if (r == 130)
			snprintf(agg.status, sizeof(agg.status), "interrupted: %s",
				 ub_signal_name());
		else {
			/* The first failing guest's message. */
			const char *m = res[0].status;

			for (unsigned k = 0; k < p->spec.vms; k++)
				if (strncmp(res[k].status, "failed: run aborted", 19)) {
					m = res[k].status;
					break;
				}
			snprintf(agg.status, sizeof(agg.status), "%s", m);
		}
		write_row(csv, run_id, p, "all", &agg, total, emulation);
		ub_csv_flush(csv);
		if (r == 0) {
			char a[32];

			ub_fmt_bytes(a, sizeof(a), (double)total);
			ub_info("teardown %s: %s torn down in %.6f s (create %.3f s, "
				"populate %.3f s)%s%s", run_id, a, agg.teardown_s,
				agg.create_s, agg.populate_s,
				strncmp(agg.status, "ok-no-mappings", 14) ? "" : "; ",
				strncmp(agg.status, "ok-no-mappings", 14) ? "" : agg.status);
		} else {
			ub_err("teardown %s: %s", run_id, agg.status);
		}
		free(res);
		if (r == 130) {
			ret = 130;
			break;
		}
		if (r)
			ret = 1;
		if (x->progress_done)
			(*x->progress_done)++;
	}
	close(kvm_fd);
	if (ub_csv_close(csv))
		ret = ret ? ret : 1;
	td_summary_write(dir, x->o.baseline, kernel, emulation);
	return ret;
}

static void td_ctx_free(struct td_ctx *x)
{
	td_opts_free(&x->o);
	free(x->plans);
}

/* meta.json "teardown" member: what KVM offered, for every result. */
static void meta_extra(struct ub_json *j, void *arg)
{
	const struct td_ctx *x = arg;

	ub_json_obj_begin(j, "teardown");
	ub_json_bool(j, "kvm", x->caps.kvm);
	if (!x->caps.kvm)
		ub_json_str(j, "kvm_why", x->caps.kvm_why);
	ub_json_int(j, "vm_types", x->caps.vm_types);
	ub_json_int(j, "guest_memfd", x->caps.gmem);
	ub_json_int(j, "pre_fault_memory", x->caps.prefault);
	ub_json_int(j, "max_vcpus", x->caps.max_vcpus);
	ub_json_int(j, "memory_attributes_sw_protected", x->caps.attrs[1]);
	ub_json_int(j, "guest_memfd_flags_default", x->caps.gmem_flags[0]);
	ub_json_str(j, "kvm_modules", x->caps.modules);
	ub_json_str(j, "kvm_intel_tdx", x->caps.tdx_param);
	if (x->nplans)
		ub_json_str(j, "vm_type_reason", x->plans[0].spec.vm_type_reason);
	ub_json_obj_end(j);
}

int cmd_teardown(int argc, char **argv)
{
	struct td_ctx x;
	struct ub_env env;
	struct ub_rundir rd;
	struct ub_meta m;
	char out[PATH_MAX];
	int r, done = 0;

	memset(&x, 0, sizeof(x));
	r = td_parse(&x.o, argc, argv, NULL);
	if (r) {
		td_opts_free(&x.o);
		return r;
	}
	if (x.o.help) {
		td_usage(stdout);
		td_opts_free(&x.o);
		return 0;
	}
	env_capture(&env, NULL);
	if (plan(&x, !strncmp(env.emulation, "qemu-tcg", 8)) || fd_check(&x)) {
		env_free(&env);
		td_ctx_free(&x);
		return 1;
	}
	if (x.o.dry_run) {
		dry_run(&x);
		env_free(&env);
		td_ctx_free(&x);
		return 0;
	}
	if (x.caps.fake) {
		ub_err("teardown: UB_TEST_FAKE_KVM is set: only --dry-run is "
		       "possible with fake capabilities");
		env_free(&env);
		td_ctx_free(&x);
		return 1;
	}
	ub_signals_install();
	if (x.o.out)
		ub_strlcpy(out, x.o.out, sizeof(out));
	else
		rundir_default_path(out, sizeof(out), NULL, &env);
	if (rundir_create(&rd, out)) {
		env_free(&env);
		td_ctx_free(&x);
		return 1;
	}
	meta_begin(&m, argc, argv, &env, NULL, meta_extra, &x);
	meta_write(&rd, &m);
	x.progress_done = &done;
	r = execute(&x, rundir_path(&rd), env.emulation, env.kernel_release);
	if (r == 130)
		ub_info("teardown: every guest was torn down; rows so far are "
			"in teardown.csv");
	r = meta_finish(&rd, &m, r, done, (int)x.nplans, NULL,
			"a teardown run failed (see teardown.csv status and "
			"log.txt)");
	if (r == 0)
		ub_info("teardown: results in %s (teardown.csv, "
			"teardown-summary.txt)", rundir_path(&rd));
	env_free(&env);
	td_ctx_free(&x);
	return r;
}

int teardown_run_from_profile(struct ub_profile_ctx *ctx, int argc,
			      char **argv)
{
	struct td_ctx x;
	int emulated, r;

	memset(&x, 0, sizeof(x));
	x.where = ctx->where;
	r = td_parse(&x.o, argc, argv, ctx->where);
	if (r) {
		td_opts_free(&x.o);
		return r;
	}
	emulated = ctx->env && !strncmp(ctx->env->emulation, "qemu-tcg", 8);
	if (plan(&x, emulated) || fd_check(&x)) {
		td_ctx_free(&x);
		return ctx->dry_run ? 2 : 1;
	}
	ctx->runs = (int)x.nplans;
	ctx->est_seconds = x.est_s;
	if (ctx->dry_run || !ctx->rd) {
		if (!ctx->quiet)
			dry_run(&x);
		td_ctx_free(&x);
		return 0;
	}
	x.progress_done = &ctx->progress_done;
	r = execute(&x, rundir_path(ctx->rd),
		    ctx->env ? ctx->env->emulation : "unknown",
		    ctx->env ? ctx->env->kernel_release : "unknown");
	td_ctx_free(&x);
	return r;
}
