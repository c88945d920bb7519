/* SPDX-License-Identifier: GPL-2.0 */
/*
 * teardown.h: the KVM guest-teardown driver (`unmapbench teardown`, and
 * the teardown lines of profiles), a driver of record/session.h.
 *
 * One RUN = one combination of VM type x page size x populate method x
 * node x guest size x number of guests x vCPUs x trigger x repeat. A run
 * creates its guests (guest_memfd memslots, private where the VM type has
 * private memory), populates their stage-2 mappings (KVM_PRE_FAULT_MEMORY,
 * one thread per vCPU), reads the mapping counts from KVM's binary stats,
 * then tears every guest down at once by the trigger and times it.
 *
 * Files, top down:
 *   driver.c  the driver: the run loop, teardown.csv, the summary
 *   plan.c    options to runs (an odometer over the lists), preflight
 *   opts.c    the options table
 *   caps.c    what KVM offers, which VM type a request gets, memory
 *   guest.c   the guests of one run: create, populate, tear down
 *   perf.c    --perf-record
 *   kvm.c, kvm_tdx.c   the KVM ioctls (kvm.h)
 *
 * Test hooks (unit tests only; every result they influence says so):
 *   UB_TEST_FAKE_KVM="vm_types=0x3,gmem=1,gmem_flags=0x3,attrs=0x8,
 *       prefault=1,max_vcpus=288,modules=kvm_amd,tdx_param=,kvm=1"
 *     replaces the probe of /dev/kvm and /sys/module (capabilities only;
 *     a run that would create guests is refused under it);
 *     With run=1 the test double of KVM (fake.c) runs whole runs; more
 *     keys: tdx_init_eagain=N (KVM_TDX_INIT_VM says EAGAIN N times),
 *     fail=STEP:ERRNO[:HW_ERROR] (that step fails), tdx_keyids=N and
 *     tdx_keyids_used=M (the TDX KeyID pool);
 *   UB_TEST_FAKE_MEM="avail=2G,node0=1G,node1=1G" replaces MemAvailable
 *     and the per-node MemFree used by the preflight;
 *   UB_SYSROOT=DIR reads the TDX KeyIDs (misc cgroup, kernel log) and,
 *     in bench/tdx-diagnostics.sh, the host's TDX claims under DIR (a
 *     fixture tree, as bench/bench.sh does);
 *   UB_TEST_GUEST=nowrite: the touch guest skips its writes (its
 *     checksum must then fail the run).
 */
#ifndef UB_TEARDOWN_H
#define UB_TEARDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "record/opts.h"
#include "record/schema.h"
#include "record/session.h"
#include "teardown/kvm.h"

#define TD_NODE_ANY	UINT64_MAX	/* no memory policy */
#define TD_VM_AUTO	0xffU		/* --vm-type auto (else enum ub_vm_type) */

struct td_opts {
	struct ub_line_opts common;	/* repeat, label, out, dry-run */
	struct ub_u64_list vmreq;	/* enum ub_vm_type or TD_VM_AUTO */
	struct ub_u64_list sizes;	/* bytes per guest */
	struct ub_u64_list size_pct;	/* "P%[:MAX]" items: P << 48 | MAX >> 12 */
	struct ub_u64_list vms;		/* guests at once */
	struct ub_u64_list vcpus;
	struct ub_u64_list triggers;	/* enum ub_trigger */
	struct ub_u64_list populate;	/* enum ub_populate */
	struct ub_u64_list pagesize;	/* enum ub_page_size */
	struct ub_u64_list nodes;	/* node ids or TD_NODE_ANY */
	char	*baseline;		/* run dir or teardown.csv to compare */
	char	*kvm_path;		/* /dev/kvm */
	int	perf_record;
	int	skip_without_kvm;	/* no KVM: rows skipped, not refused */
};

extern const struct ub_optset td_optset;
void td_opts_init(void *opts);

/* ---- caps.c ---- */

/* What this host's KVM offers (or what UB_TEST_FAKE_KVM says). */
struct td_caps {
	int kvm;			/* /dev/kvm opened */
	char kvm_why[320];		/* when !kvm */
	int fake;			/* from UB_TEST_FAKE_KVM */
	long vm_types;			/* KVM_CAP_VM_TYPES bitmap (0 = no cap) */
	long gmem;			/* KVM_CAP_GUEST_MEMFD */
	long user_memory2;		/* KVM_CAP_USER_MEMORY2 */
	long prefault;			/* KVM_CAP_PRE_FAULT_MEMORY */
	long max_vcpus;			/* KVM_CAP_MAX_VCPUS */
	/* Per VM type (probed on a scratch VM of that type, -1 unknown). */
	long gmem_flags[8];		/* KVM_CAP_GUEST_MEMFD_FLAGS */
	long attrs[8];			/* KVM_CAP_MEMORY_ATTRIBUTES */
	char modules[128];		/* "kvm_amd kvm_pvm" */
	char tdx_param[16];		/* /sys/module/kvm_intel/parameters/tdx */
	/* TDX KeyIDs for guests (one per TD): total and in use, -1 unknown. */
	long tdx_keyids, tdx_keyids_used;
	char tdx_keyids_src[256];	/* where read, or why unknown */
	struct ubk_tdx_info tdx;	/* KVM_TDX_CAPABILITIES of a scratch TD */
	char tdx_caps_why[320];		/* when it failed */
	int fake_run;			/* UB_TEST_FAKE_KVM run=1: fake.c runs */
	struct ubk_fake_cfg fake_cfg;	/* its script */
};

int td_caps_probe(struct td_caps *c, const char *kvm_path);
/* The TDX KeyID fields of C, read under ROOT (NULL: the real system). */
void td_keyids_probe(struct td_caps *c, const char *root);
/* Parse a UB_TEST_FAKE_KVM string; 0 or -1 (WHY says what is wrong). */
int td_caps_fake(struct td_caps *c, const char *spec, char *why, size_t n);

/*
 * Pick the KVM VM type for a request (enum ub_vm_type or TD_VM_AUTO). 0
 * with *type and the reason, or -1 with the reason naming what is missing
 * (e.g. "KVM does not offer VM type 5 (KVM_X86_TDX_VM): kvm_intel is not
 * loaded ...").
 */
int td_choose_vm_type(const struct td_caps *c, unsigned req, unsigned *type,
		      char *why, size_t n);
/* Does the KVM VM type have private memory (memory attributes)? */
int td_vm_type_private(unsigned type);

/* Memory the preflight may use (MemAvailable; per-node MemFree). */
struct td_mem {
	int fake;
	uint64_t avail;			/* bytes, 0 unknown */
	int nr_nodes;
	uint64_t node_free[64];		/* bytes, 0 unknown */
};
int td_mem_probe(struct td_mem *m);
/*
 * 0 if VMS guests of SIZE (plus page-table overhead) fit the memory the
 * host has available (on NODE unless TD_NODE_ANY), else -1 with a message.
 */
int td_preflight(const struct td_mem *m, uint64_t size, uint64_t vms,
		 uint64_t node, char *why, size_t n);

/* ---- plan.c ---- */

/* Everything one run needs to know, resolved. */
struct td_spec {
	unsigned vm_type;		/* KVM_X86_*_VM */
	char vm_type_reason[640];
	unsigned trigger;		/* enum ub_trigger */
	unsigned populate;		/* enum ub_populate, requested */
	unsigned pagesize;		/* enum ub_page_size */
	uint64_t node;
	uint64_t size;
	unsigned vms, vcpus;
	int use_gmem;			/* guest_memfd backing (else anon) */
	uint64_t gmem_flags;
	int private_mem;		/* set private, convert possible */
	int can_prefault;		/* KVM says so (may still fail) */
	char prefault_why[160];		/* when !can_prefault */
};

/* One planned run. */
struct td_plan {
	struct td_spec spec;
	uint64_t repeat;
	char skip[256];			/* non-empty: not runnable, why */
};

/* A line's runs. */
struct td_line {
	const struct td_opts *o;
	struct td_caps caps;
	struct td_mem mem;
	struct td_plan *plans;
	size_t nplans;
	double est_s;
};

/* Options to runs, checked against the host. 0, or 1 (message given).
 * DRY_RUN: a dry run (no test double started, no diagnostics written). */
int  td_plan_line(struct td_line *x, const struct td_opts *o, int emulated,
		  int dry_run);
void td_describe(const struct td_plan *p, char *buf, size_t n);
void td_list(const struct td_line *x);

/* ---- guest.c ---- */

/* Per guest results. */
struct td_guest_res {
	double create_s, populate_s, teardown_s;
	uint64_t mapped_4k, mapped_2m, mapped_1g;	/* UINT64_MAX unknown */
	uint64_t mapped_after;		/* 4K-equivalents left after trigger */
	uint64_t touched_pages;		/* touch: verified; UINT64_MAX: none */
	int guest_ran;			/* touch: every vCPU wrote and verified */
	unsigned populate_used;		/* enum ub_populate */
	int mappings;			/* populate created KVM mappings */
	char note[320];			/* why no mappings, fallback, ... */
	struct ubk_err err;		/* the failing step, when create failed */
	struct ubk_tdx_info tdx;	/* TDX: what INIT_VM saw */
	char status[320];		/* "ok", "failed: STEP: errno ..." */
	int ok;
};

/*
 * The note on every ok row of a TD populated by KVM_PRE_FAULT_MEMORY:
 * the pages were added (TDH.MEM.PAGE.AUG) but no guest ever accepted or
 * wrote them, so PAGE.WBINVD finds no TD-key dirty lines and REMOVE
 * works on pending pages: the teardown time is a lower bound.
 */
#define TD_NOTE_NEVER_ACCEPTED	"added, never accepted by the guest: lower bound"

struct td_perf;

/* Run every guest of SPEC through create/populate/teardown. RES has
 * spec->vms entries. Aggregate wall times land in AGG (create_s,
 * populate_s, teardown_s). Returns 0, -1 on failure (statuses say why),
 * or 130 when a signal arrived (all guests torn down). */
int td_run_guests(const struct td_spec *spec, int kvm_fd,
		  struct td_guest_res *res, struct td_guest_res *agg,
		  struct td_perf *perf, const char *label);
/* 4K-equivalent mappings from KVM's pages_4k/2m/1g (UINT64_MAX: unknown). */
uint64_t td_mapped_4k_equiv(uint64_t m4k, uint64_t m2m, uint64_t m1g);

/* ---- perf.c ---- */
struct td_perf {
	int enabled;			/* --perf-record given */
	int usable;			/* perf found and worked so far */
	char why[256];			/* when not usable */
	char dir[3800];			/* run directory */
	char run_id[32];		/* set by the caller before start */
	int pid;			/* running perf record, or 0 */
	char data[4096];
	char event[32];			/* "" default, or "cpu-clock" */
};
void td_perf_init(struct td_perf *p, int enabled, const char *dir);
/* Start system-wide recording with call graphs; 0 or -1 (why set). */
int  td_perf_start(struct td_perf *p);
/* Stop and write the top kernel symbols to teardown-perf.txt. */
void td_perf_stop(struct td_perf *p);

/* ---- diag.c ---- */

/* A failed TDX request or run, for bench/tdx-diagnostics.sh. */
struct td_diag {
	const char *bundle;		/* directory the bundle goes to */
	const char *what;		/* the failure, one line */
	char run[512];			/* the run (td_describe), or "" */
	const struct td_caps *caps;
	const struct ubk_err *err;	/* the failing step, or NULL */
	const struct ubk_tdx_info *tdx;	/* or NULL */
};
/*
 * Write the bundle if the host claims TDX (the script decides): 0
 * written (the script printed what to send), 2 the host claims no TDX
 * (nothing written), -1 no script or it failed.
 */
int td_diag(const struct td_diag *d);

/* ---- driver.c ---- */
extern const struct ub_driver ub_teardown_driver;
/* python3 plot/teardown.py --summary DIR [--baseline BASELINE]: 0, or -1
 * with WHY ("python3 not found", "... not found", "... exited N: ..."). */
int td_summary(const char *dir, const char *baseline, char *why, size_t n);

#endif
