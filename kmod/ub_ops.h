/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: the caller side (KVM's role) of every variant for one backend
 * (UB_BK) and layout replica (UB_REP): a per-op inline function per
 * (path, shape) at 4K, the 2M ops as Linux 7.2 runs them (512 4K
 * removals), and a batch function per line of ub_variants.def, each a
 * one-line call of the one batch loop ub_batch(). Instantiated by
 * ub_ops_backend.h; the wrappers it calls are that backend's and
 * replica's (ub_wrappers.h, in another translation unit).
 *
 * Each op takes the unit's PFN, as KVM holds it, and threads an error
 * state (the OR of the statuses the wrappers returned) to the next op.
 */
#include "ub_replica_decls.h"

/* convert: the keyed address alone; consumed by the final sink. */
static __always_inline u64 UB_FN(op_convert_page_4k)(u64 st, u64 pfn)
{
	return st ^ UB_KEYED(paddr_page)(ub_params.hkid, pfn_to_page(pfn));
}

static __always_inline u64 UB_FN(op_convert_pfn_4k)(u64 st, u64 pfn)
{
	return st ^ UB_KEYED(paddr_pfn)(ub_params.hkid, pfn);
}

/* wbinvd: keyed address + the WBINVD primitive. */
static __always_inline u64 UB_FN(op_wbinvd_page_4k)(u64 err, u64 pfn)
{
	return err | UB_FN(wbinvd_hkid_page)(ub_params.hkid, pfn_to_page(pfn));
}

static __always_inline u64 UB_FN(op_wbinvd_pfn_4k)(u64 err, u64 pfn)
{
	return err | UB_FN(wbinvd_hkid_pfn)(ub_params.hkid, pfn);
}

/* reset: the quirk reset of one page. */
static __always_inline u64 UB_FN(op_reset_page_4k)(u64 err, u64 pfn)
{
	UB_FN(reset_page)(pfn_to_page(pfn));
	return err;
}

static __always_inline u64 UB_FN(op_reset_pfn_4k)(u64 err, u64 pfn)
{
	UB_FN(reset_paddr)(PFN_PHYS(pfn), PAGE_SIZE);
	return err;
}

/*
 * unmap: the tail of tdx_sept_remove_leaf_spte() after TDH.MEM.PAGE.REMOVE:
 * PFN from the SPTE, WBINVD with the guest's KeyID, stop on error, reset.
 */
static __always_inline u64 UB_FN(op_unmap_page_4k)(u64 err, u64 unit)
{
	struct page *page = pfn_to_page(ub_spte_to_pfn(ub_mk_spte(unit)));
	u64 e = UB_FN(wbinvd_hkid_page)(ub_params.hkid, page);

	if (unlikely(e))
		return err | e;
	UB_FN(reset_page)(page);
	return err;
}

static __always_inline u64 UB_FN(op_unmap_pfn_4k)(u64 err, u64 unit)
{
	kvm_pfn_t pfn = ub_spte_to_pfn(ub_mk_spte(unit));
	u64 e = UB_FN(wbinvd_hkid_pfn)(ub_params.hkid, pfn);

	if (unlikely(e))
		return err | e;
	UB_FN(reset_paddr)(PFN_PHYS(pfn), PAGE_SIZE);
	return err;
}

/*
 * The range family (hypothetical, not Linux 7.2): the PFN API resetting a
 * whole 2M folio in one call, after a WBINVD per 4K PFN for unmap.
 */
static __always_inline u64 UB_FN(op_reset_range_2m)(u64 err, u64 pfn)
{
	UB_FN(reset_paddr)(PFN_PHYS(pfn), SZ_2M);
	return err;
}

static __always_inline u64 UB_FN(op_unmap_range_2m)(u64 err, u64 unit)
{
	kvm_pfn_t pfn = ub_spte_to_pfn(ub_mk_spte(unit));
	unsigned int i;
	u64 e;

	for (i = 0; i < UB_PAGES_PER_2M; i++) {
		e = UB_FN(wbinvd_hkid_pfn)(ub_params.hkid, pfn + i);
		if (unlikely(e))
			return err | e;
	}
	UB_FN(reset_paddr)(PFN_PHYS(pfn), SZ_2M);
	return err;
}

/* 2M of the page and pfn shapes: 512 4K ops (UB_OP_2M, ub_ops_backend.h). */
#define UB_VARIANT(path, shape, granule) UB_OP_##shape##_##granule(path, shape)
#include "ub_variants.def"
#undef UB_VARIANT

/* The batch functions, one per line of ub_variants.def. */
#define UB_VARIANT(path, shape, granule)				\
static noinline __aligned(64) UB_REPLICA_ENTRY u64			\
UB_FN(b_##path##_##shape##_##granule)(const u64 *unit, u32 n)		\
{									\
	return ub_batch(unit, n, UB_FN(op_##path##_##shape##_##granule), \
			UB_FIN_##path);					\
}

#include "ub_variants.def"
#undef UB_VARIANT

/* This replica's row of the backend's table, in ub_variants.def order. */
static const struct ub_batch_row UB_FN(row) = { .fn = {
#define UB_VARIANT(path, shape, granule)				\
	[UB_DEF_##path##_##shape##_##granule] = UB_FN(b_##path##_##shape##_##granule),
#include "ub_variants.def"
#undef UB_VARIANT
} };
