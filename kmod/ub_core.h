/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the portable part of unmap_bench: built into the
 * module and into the userspace library libubcore.a (see ub_port.h).
 *
 * Layout of the measured code, mirroring where the kernel's code lives:
 *
 *   caller side (KVM's role)      ub_variants.c + ub_ops.h: per-op inline
 *                                 functions and the batch loops, one set
 *                                 per backend and layout replica, from the
 *                                 one list ub_variants.def
 *   TDX core side (tdx.c's role)  ub_backend_{null,model,tdx}.c +
 *                                 ub_wrappers.h: copies of both API shapes
 *                                 of the wrappers, out of line, over that
 *                                 backend's primitives; ub_keyed.c for
 *                                 the address conversion alone
 *
 * The caller and the wrappers are in different translation units and the
 * wrappers are noinline, so they are real calls the compiler cannot see
 * through (not even with LTO), as the calls from kvm-intel.ko into vmlinux
 * are: the struct-page shape cannot be folded into the PFN shape.
 * Primitives are inlined into the wrappers and the wrappers are called
 * directly (no ops struct, no indirect call in the timed path).
 *
 * Layout replicas: everything on the timed path (batch loop, wrappers,
 * conversion) exists UB_NR_REPLICAS times, byte-identical but for the
 * entry address, which is replica k's 8k bytes past a 64-byte boundary
 * (UB_REPLICA_ENTRY). A run draws a replica per variant per round, so code
 * placement becomes a measured random effect instead of a hidden bias.
 */
#ifndef UB_CORE_H
#define UB_CORE_H

#include "ub_port.h"
#include "unmap_bench.h"
#include "ub_timing.h"

#define UB_LINE			64
#define UB_ORDER_2M		9		/* 2M folio */
#define UB_REPLICA_STEP		8		/* bytes between replica entries */

/*
 * Limits of one RUN (ERANGE beyond them). Besides these, the pages of all
 * threads must fit in the node's free memory less a margin (ENOMEM,
 * checked before anything is allocated).
 */
#define UB_MAX_UNITS_4K		1048576U	/* 4 GiB per thread */
#define UB_MAX_UNITS_2M		2048U		/* 4 GiB per thread */
#define UB_MAX_BATCH		65536U
#define UB_MAX_ROUNDS		1048576U
#define UB_MAX_WALL_MS		(3600ULL * 1000)
#define UB_DEFAULT_WALL_MS	60000ULL
#define UB_MAX_SAMPLES_BYTES	(256ULL << 20)
#define UB_MAX_HIST_BYTES	(256ULL << 20)

/*
 * Replica UB_REP of a template (see ub_each_replica.h): with noinline and
 * __aligned(64), the function starts UB_REP_PAD = 8 x UB_REP bytes into a
 * 64-byte fetch block; the padding nops sit before the entry and never
 * run.
 */
#define UB_REPLICA_ENTRY \
	__attribute__((__patchable_function_entry__(UB_REP_PAD, UB_REP_PAD)))

/*
 * State the wrappers read on every call, as the kernel's read
 * boot_cpu_data: set before a run starts, constant while it runs (RUNs
 * are serialised). hkid stands for kvm_tdx->hkid, which KVM loads per
 * call too.
 */
struct ub_params {
	bool	reset_clear;	/* force, or the CPU has X86_BUG_TDX_PW_MCE */
	u16	hkid;		/* KeyID put into keyed addresses */
	u64	phys_mask;	/* strips KeyID bits (model backend) */
};

extern struct ub_params ub_params;

/* Token pasting for the templates: UB_FN(x) = ub_<UB_BK>_r<UB_REP>_x. */
#define UB_PASTE4(a, b, c, d)	a##_##b##_r##c##_##d
#define UB_XPASTE4(a, b, c, d)	UB_PASTE4(a, b, c, d)
#define UB_FN(x)		UB_XPASTE4(ub, UB_BK, UB_REP, x)
#define UB_KEYED(x)		UB_XPASTE4(ub, keyed, UB_REP, x)

/* Keyed physical address, both API shapes (kernel: mk_keyed_paddr()). */
static __always_inline u64 ub_mk_keyed_paddr_page(u16 hkid, struct page *page)
{
	return page_to_phys(page) | ((u64)hkid << boot_cpu_data.x86_phys_bits);
}

static __always_inline u64 ub_mk_keyed_paddr_pfn(u16 hkid, kvm_pfn_t pfn)
{
	return PFN_PHYS(pfn) | ((u64)hkid << boot_cpu_data.x86_phys_bits);
}

/* One index per line of ub_variants.def, in order. */
enum {
#define UB_VARIANT(path, shape, granule) UB_DEF_##path##_##shape##_##granule,
#include "ub_variants.def"
#undef UB_VARIANT
	UB_NR_DEFS
};

/*
 * A backend's batch functions (ub_ops_<backend>.c): one row per layout
 * replica, indexed by UB_DEF_*. ub_batch_tables[] lists the backends this
 * side built (the module: null, model, tdx; userspace: null).
 */
struct ub_batch_row {
	ub_batch_fn	fn[UB_NR_DEFS];
};

struct ub_batch_table {
	const struct ub_batch_row *rows[UB_NR_REPLICAS];
};

extern const struct ub_batch_table ub_null_batch_table;
extern const struct ub_batch_table ub_model_batch_table;
extern const struct ub_batch_table ub_tdx_batch_table;
extern const struct ub_batch_table *const ub_batch_tables[UB_BACKEND_NR];

/* The table of named variants (ub_variants.c, from ub_variants.def). */
struct ub_variant {
	struct ub_variant_desc	d;	/* as INFO reports it */
	/* batch function by backend and replica; NULL where not built */
	ub_batch_fn	fn[UB_BACKEND_NR][UB_NR_REPLICAS];
};

extern struct ub_variant ub_variants[UB_MAX_VARIANTS];
extern unsigned int ub_nr_variants;
void ub_variants_init(void);
u32 ub_variant_unit_pages(const struct ub_variant *v, u32 granule);
bool ub_variant_touches_data(const struct ub_variant *v, u32 backend,
			     bool reset_clear);
u32 ub_variant_insns(const struct ub_variant *v, u32 backend, bool clear);
/* Entry offset in its 64-byte block of replica @k of variant @i. */
u8 ub_variant_rep_offset(unsigned int i, u32 backend, u32 k);

/*
 * The backends as this side offers them: which are usable and why (or
 * why not). Resolution of UB_BACKEND_AUTO: tdx, else model, else null.
 */
struct ub_backends {
	u32	usable;				/* bit per enum ub_backend */
	bool	pw_mce_erratum;			/* X86_BUG_TDX_PW_MCE: resets clear */
	char	reason[UB_BACKEND_NR][UB_REASON_LEN];
};

int ub_choose_backend(const struct ub_backends *bs, u32 req, u32 *used,
		      char *reason, size_t len);

/*
 * One RUN as the portable checks resolved it (ub_check.c). The module and
 * the native build call the checks in this order and so fail the same
 * way on the same input: ub_check_run() (flags, enums, counts, variants,
 * buffers, backend), ub_check_node(), ub_check_cpus().
 */
struct ub_plan {
	u32		nsel;
	u32		sel[UB_MAX_VARIANTS];	/* table indices */
	struct ub_jvar	jvar[UB_MAX_VARIANTS];
	u32		backend;
	u32		unit_pages;
	u32		order;			/* page order of a unit */
	u32		nr_rep;
	u32		cpus[UB_MAX_THREADS];
};

__printf(3, 4) int ub_fail(struct ub_run *r, int err, const char *fmt, ...);
int ub_check_run(struct ub_run *r, struct ub_plan *p,
		 const struct ub_backends *bs);
int ub_check_node(struct ub_run *r, const struct ub_plan *p);
int ub_check_cpus(struct ub_run *r, struct ub_plan *p);
/* Bytes of the samples/hist buffers a checked run needs. */
u64 ub_plan_samples_bytes(const struct ub_run *r, const struct ub_plan *p);
u64 ub_plan_hist_bytes(const struct ub_run *r, const struct ub_plan *p);
/* Fill thread @t's job from the checked run (units, stat, buffers). */
void ub_plan_job(const struct ub_run *r, struct ub_plan *p, u32 t,
		 struct ub_job *j, struct ub_sample *samples, u32 *hist);
/*
 * Gather the threads' jobs into @res[nthreads * nsel] and the run's out
 * fields; -EIO when a batch returned a TDX error status.
 */
int ub_collect(struct ub_run *r, const struct ub_plan *p,
	       struct ub_job *const *jobs, const u32 *cpus, u32 nthreads,
	       struct ub_result *res);

/*
 * UB_IOC_PROGRESS from the RUN in progress: @r and thread 0's job @j0
 * (read racily: a display, not a result), started at @t0_ns.
 */
void ub_progress_fill(struct ub_run_progress *p, const struct ub_run *r,
		      const struct ub_job *j0, u64 t0_ns);

/* Struct size rules of unmap_bench.h, shared by the ioctls (ub_uapi.c). */
int ub_copy_struct_in(void *k, size_t ksize, size_t ver0, u64 uarg,
		      u32 usize);
/*
 * A RUN struct ub_copy_struct_in() refused with RET: when the caller's
 * struct has at least the first version's layout, its reason field says
 * why. Returns RET, or -EFAULT.
 */
int ub_run_size_error(struct ub_run *r, int ret, u64 uarg, u32 usize);
/* INFO fields the portable part knows (variants, limits, replicas). */
void ub_info_fill_common(struct ub_info *info, u32 rep_backend);

#endif /* UB_CORE_H */
