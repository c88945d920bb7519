// SPDX-License-Identifier: GPL-2.0
/* opts.c: the options of `unmapbench teardown` (and teardown profile lines). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record/util.h"
#include "teardown/teardown.h"

/*
 * --size items: a size ("64M", "1G") or a share of the memory available
 * when the run is planned, "P%" or "P%:MAX" (P percent of MemAvailable
 * per guest, at most MAX), so one profile scales from the testbed to a
 * large host. Shares are kept as (P << 48 | MAX >> 12) in size_pct and
 * resolved by td_plan_line().
 */
static const char *pct_name(uint64_t v, void *arg)
{
	static char buf[48];

	(void)arg;
	if (v & ((1ULL << 48) - 1))
		snprintf(buf, sizeof(buf), "%" PRIu64 "%%:%" PRIu64, v >> 48,
			 (uint64_t)((v & ((1ULL << 48) - 1)) << 12));
	else
		snprintf(buf, sizeof(buf), "%" PRIu64 "%%", v >> 48);
	return buf;
}

static int parse_sizes(const struct ub_opt *o, const char *s, void *dst)
{
	struct td_opts *t = dst;
	struct ub_str_list items = { 0 };
	int rc = ub_opt_split("--size", s, &items);

	(void)o;
	ub_u64_list_free(&t->sizes);
	ub_u64_list_free(&t->size_pct);
	for (size_t i = 0; !rc && i < items.n; i++) {
		char *tok = items.v[i], *p = strchr(tok, '%');
		uint64_t v, max = 0;

		if (p) {
			*p = 0;
			if (ub_opt_parse_u64("--size", tok, 0, 1, 100, &v) ||
			    (p[1] && (p[1] != ':' ||
				      ub_opt_parse_u64("--size", p + 2, UB_OPT_SIZE,
						       UB_PAGE_BYTES, 1ULL << 50, &max))))
				rc = -1;
			else
				ub_u64_list_push(&t->size_pct, v << 48 | max >> 12);
		} else if (ub_opt_parse_u64("--size", tok, UB_OPT_SIZE, UB_PAGE_BYTES,
					    1ULL << 50, &v)) {
			rc = -1;
		} else if (v % UB_PAGE_BYTES) {
			rc = ub_opt_fail("--size: bad value '%s': %" PRIu64 " is not a "
					 "multiple of 4K", tok, v);
		} else {
			ub_u64_list_push(&t->sizes, v);
		}
	}
	ub_str_list_free(&items);
	if (!rc) {	/* an item listed twice counts once, as in every list */
		ub_u64_list_dedup("--size", &t->sizes, NULL, NULL);
		ub_u64_list_dedup("--size", &t->size_pct, pct_name, NULL);
	}
	return rc;
}

/* --baseline: a run directory holding teardown.csv, or such a file. */
static int check_baseline(const struct ub_opt *o, const char *s, void *dst)
{
	char path[4200], line[4096] = "";
	struct stat st;
	FILE *f;

	(void)o;
	(void)dst;
	if (!*s)
		return ub_opt_fail("--baseline: empty value");
	if (stat(s, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "%s/teardown.csv", s);
	else
		snprintf(path, sizeof(path), "%s", s);
	f = fopen(path, "re");
	if (!f)
		return ub_opt_fail("--baseline: cannot read %s: %s", path,
				   strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	if (strncmp(line, "run_id,", 7) || !strstr(line, ",teardown_s,"))
		return ub_opt_fail("--baseline: %s is not a teardown.csv (its "
				   "header lacks run_id and teardown_s)", path);
	return 0;
}

static void td_opts_free(void *dst)
{
	struct td_opts *t = dst;

	ub_u64_list_free(&t->sizes);
	ub_u64_list_free(&t->size_pct);
}

/* Guest sizes in bytes must be whole 2M pages for --page-size 2m. */
static int td_opts_check(const void *dst)
{
	const struct td_opts *t = dst;

	for (size_t i = 0; i < t->pagesize.n; i++)
		for (size_t k = 0; t->pagesize.v[i] == UB_PS_2M && k < t->sizes.n; k++)
			if (t->sizes.v[k] % UB_BYTES_2M)
				return ub_opt_fail("--size: %" PRIu64 " is not a multiple "
						   "of 2M, needed with --page-size 2m",
						   t->sizes.v[k]);
	return 0;
}

static const struct ub_word auto_word[] = { { "auto", TD_VM_AUTO }, { NULL, 0 } };
static const struct ub_word node_any[] = { { "any", TD_NODE_ANY }, { NULL, 0 } };

#define O(f)	offsetof(struct td_opts, f)
static const struct ub_opt td_opts_table[] = {
	{ .name = "vm-type", .kind = UB_ARG_NAMES, .off = O(vmreq),
	  .en = UB_ENUM_vm_type, .words = auto_word,
	  .help = "default auto: TDX if KVM offers it, else SW_PROTECTED,\n"
		  "else DEFAULT" },
	{ .name = "size", .kind = UB_ARG_CUSTOM, .parse = parse_sizes,
	  .arg = "LIST", .help = "guest memory per guest (default 256M)",
	  .legend = "sizes (N with K/M/G/T, a multiple of 4K), or P% of "
		    "MemAvailable\n           per guest, or P%:MAX (at most "
		    "MAX), e.g. 5%:4G" },
	{ .name = "vms", .kind = UB_ARG_LIST, .off = O(vms), .flags = UB_OPT_RANGE,
	  .min = 1, .max = 4096, .help = "guests created and torn down at once "
	  "(default 1)" },
	{ .name = "vcpus", .kind = UB_ARG_LIST, .off = O(vcpus),
	  .flags = UB_OPT_RANGE, .min = 1, .max = 4096,
	  .help = "vCPUs per guest = populate threads (default 1)" },
	{ .name = "trigger", .kind = UB_ARG_NAMES, .off = O(triggers),
	  .en = UB_ENUM_trigger, .flags = UB_OPT_ALL,
	  .help = "default destroy. destroy: close every fd (the last\n"
		  "close runs kvm_destroy_vm); convert: private->shared\n"
		  "KVM_SET_MEMORY_ATTRIBUTES; punch: FALLOC_FL_PUNCH_HOLE\n"
		  "on the guest_memfd" },
	{ .name = "populate", .kind = UB_ARG_NAMES, .off = O(populate),
	  .en = UB_ENUM_populate,
	  .help = "default prefault = KVM_PRE_FAULT_MEMORY; falls back\n"
		  "to gmem, saying so, where KVM cannot pre-fault" },
	{ .name = "page-size", .kind = UB_ARG_NAMES, .off = O(pagesize),
	  .en = UB_ENUM_page_size,
	  .help = "default 4k; 2m: DEFAULT VMs on THP anonymous memory\n"
		  "(guest_memfd allocates 4K pages only)" },
	{ .name = "node", .kind = UB_ARG_LIST, .off = O(nodes), .words = node_any,
	  .max = 63, .help = "NUMA node for guest memory (default any)" },
	{ .name = "baseline", .kind = UB_ARG_TEXT, .off = O(baseline),
	  .parse = check_baseline, .arg = "PATH",
	  .help = "run directory (or teardown.csv) of the 'before' kernel:\n"
		  "the summary shows before/after/change" },
	{ .name = "perf-record", .kind = UB_ARG_FLAG, .off = O(perf_record),
	  .help = "record the teardown phase with perf (-a -g) and keep\n"
		  "the top kernel symbols in teardown-perf.txt" },
	{ .name = "skip-without-kvm", .kind = UB_ARG_FLAG, .off = O(skip_without_kvm),
	  .help = "with no usable KVM here, record every row as skipped\n"
		  "with the reason instead of refusing (for profiles that\n"
		  "must run on any host, like default)" },
	{ .name = "kvm", .kind = UB_ARG_TEXT, .off = O(kvm_path), .arg = "PATH",
	  .help = "KVM device (default /dev/kvm)" },
	UB_LINE_OPTS(struct td_opts),
	{ .name = NULL },
};
#undef O

const struct ub_optset td_optset = {
	.cmd = "teardown",
	.synopsis = "[OPTIONS]",
	.about = "Create KVM guests with guest_memfd memory, populate their "
		 "stage-2 (S-EPT/\nTDP) mappings, then tear all of them down at "
		 "once and time it. Every LIST\noption takes a list; runs are "
		 "the cross product. In a profile, a\nteardown line takes the "
		 "same options without -- (size=1G,4G).",
	.opt = td_opts_table,
	.given_off = offsetof(struct td_opts, common.given),
	.free = td_opts_free,
	.check = td_opts_check,
	.footer = "The result names the VM type and why, the mapping counts KVM "
		  "reported\nbefore teardown, and 'ok-no-mappings: ...' where none "
		  "were populated.\nEnvironment: UB_RESULTS_DIR, UB_PROGRESS=0|1, "
		  "UB_PLOT_DIR.\n",
};

void td_opts_init(void *opts)
{
	struct td_opts *o = opts;

	o->kvm_path = ub_xstrdup("/dev/kvm");
}
