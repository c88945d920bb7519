/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: the caller side (KVM's role) of every variant for one backend:
 * a per-op inline function per (path, shape, granule) and its batch
 * function, a one-line call of the one batch loop ub_batch(). Included by
 * ub_variants.c once per backend with UB_BK defined; the wrappers it calls
 * are that backend's (ub_wrappers.h, in another translation unit).
 *
 * Each op takes the unit's PFN, as KVM holds it, and threads an error
 * state (the OR of the statuses the wrappers returned) to the next op.
 * 4K: one page. 2M: one folio of UB_PAGES_2M pages; the page shape walks
 * its pages through the per-page wrappers; the pfn shape issues a WBINVD
 * per 4K PFN and one reset over the whole 2M range.
 */

/* convert: the keyed address alone; consumed by the final sink. */
static __always_inline u64 UB_FN(op_convert_page_4k)(u64 st, u64 pfn)
{
	return st ^ ub_keyed_paddr_page(ub_params.hkid, pfn_to_page(pfn));
}

static __always_inline u64 UB_FN(op_convert_pfn_4k)(u64 st, u64 pfn)
{
	return st ^ ub_keyed_paddr_pfn(ub_params.hkid, pfn);
}

static __always_inline u64 UB_FN(op_convert_page_2m)(u64 st, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < UB_PAGES_2M; i++)
		st = UB_FN(op_convert_page_4k)(st, pfn + i);
	return st;
}

static __always_inline u64 UB_FN(op_convert_pfn_2m)(u64 st, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < UB_PAGES_2M; i++)
		st = UB_FN(op_convert_pfn_4k)(st, pfn + i);
	return st;
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

static __always_inline u64 UB_FN(op_wbinvd_page_2m)(u64 err, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < UB_PAGES_2M; i++)
		err = UB_FN(op_wbinvd_page_4k)(err, pfn + i);
	return err;
}

static __always_inline u64 UB_FN(op_wbinvd_pfn_2m)(u64 err, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < UB_PAGES_2M; i++)
		err = UB_FN(op_wbinvd_pfn_4k)(err, pfn + i);
	return err;
}

/* reset: the quirk reset of the page or range. */
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

static __always_inline u64 UB_FN(op_reset_page_2m)(u64 err, u64 pfn)
{
	unsigned int i;

	for (i = 0; i < UB_PAGES_2M; i++)
		UB_FN(reset_page)(pfn_to_page(pfn + i));
	return err;
}

static __always_inline u64 UB_FN(op_reset_pfn_2m)(u64 err, u64 pfn)
{
	UB_FN(reset_paddr)(PFN_PHYS(pfn), SZ_2M);
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

static __always_inline u64 UB_FN(op_unmap_page_2m)(u64 err, u64 unit)
{
	kvm_pfn_t pfn = ub_spte_to_pfn(ub_mk_spte(unit));
	struct page *page;
	unsigned int i;
	u64 e;

	for (i = 0; i < UB_PAGES_2M; i++) {
		page = pfn_to_page(pfn + i);
		e = UB_FN(wbinvd_hkid_page)(ub_params.hkid, page);
		if (unlikely(e))
			return err | e;
		UB_FN(reset_page)(page);
	}
	return err;
}

static __always_inline u64 UB_FN(op_unmap_pfn_2m)(u64 err, u64 unit)
{
	kvm_pfn_t pfn = ub_spte_to_pfn(ub_mk_spte(unit));
	unsigned int i;
	u64 e;

	for (i = 0; i < UB_PAGES_2M; i++) {
		e = UB_FN(wbinvd_hkid_pfn)(ub_params.hkid, pfn + i);
		if (unlikely(e))
			return err | e;
	}
	UB_FN(reset_paddr)(PFN_PHYS(pfn), SZ_2M);
	return err;
}

/* The batch functions the variant table points at. */
static u64 UB_FN(b_convert_page_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_convert_page_4k), ub_sink);
}

static u64 UB_FN(b_convert_pfn_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_convert_pfn_4k), ub_sink);
}

static u64 UB_FN(b_convert_page_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_convert_page_2m), ub_sink);
}

static u64 UB_FN(b_convert_pfn_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_convert_pfn_2m), ub_sink);
}

static u64 UB_FN(b_wbinvd_page_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_wbinvd_page_4k), ub_status);
}

static u64 UB_FN(b_wbinvd_pfn_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_wbinvd_pfn_4k), ub_status);
}

static u64 UB_FN(b_wbinvd_page_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_wbinvd_page_2m), ub_status);
}

static u64 UB_FN(b_wbinvd_pfn_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_wbinvd_pfn_2m), ub_status);
}

static u64 UB_FN(b_reset_page_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_reset_page_4k), ub_status);
}

static u64 UB_FN(b_reset_pfn_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_reset_pfn_4k), ub_status);
}

static u64 UB_FN(b_reset_page_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_reset_page_2m), ub_status);
}

static u64 UB_FN(b_reset_pfn_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_reset_pfn_2m), ub_status);
}

static u64 UB_FN(b_unmap_page_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_unmap_page_4k), ub_status);
}

static u64 UB_FN(b_unmap_pfn_4k)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_unmap_pfn_4k), ub_status);
}

static u64 UB_FN(b_unmap_page_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_unmap_page_2m), ub_status);
}

static u64 UB_FN(b_unmap_pfn_2m)(const u64 *unit, u32 n)
{
	return ub_batch(unit, n, UB_FN(op_unmap_pfn_2m), ub_status);
}
