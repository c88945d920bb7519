/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: the module's own copies of the TDX core
 * wrappers, in both API shapes, over one backend's primitives.
 *
 * Include once per backend translation unit after defining UB_BK (the
 * backend's name) and the two primitives, each __always_inline:
 *
 *   u64  ub_prim_wbinvd(u64 keyed_paddr)   - TDH.PHYMEM.PAGE.WBINVD stand-in
 *   void ub_prim_reset(unsigned long base, unsigned long size)
 *                                          - clearing of the range
 *
 * The functions are global and out of line on purpose (see ub.h).
 */

/*
 * Pre-patch tdh_phymem_page_wbinvd_hkid(): takes the struct page and forms
 * the keyed address from page_to_phys().
 */
u64 UB_FN(wbinvd_hkid_page)(u64 hkid, struct page *page)
{
	return ub_prim_wbinvd(ub_mk_keyed_paddr_page(hkid, page));
}

/* Linux 7.2 tdh_phymem_page_wbinvd_hkid(): takes the PFN. */
u64 UB_FN(wbinvd_hkid_pfn)(u64 hkid, kvm_pfn_t pfn)
{
	return ub_prim_wbinvd(ub_mk_keyed_paddr_pfn(hkid, pfn));
}

/*
 * tdx_quirk_reset_paddr(): clears only on erratum CPUs, or always when the
 * run asked for reset mode "force".
 */
static __always_inline void UB_FN(reset_body)(unsigned long base,
					      unsigned long size)
{
	if (!ub_params.reset_clear)
		return;
	ub_prim_reset(base, size);
}

/* Linux 7.2: tdx_quirk_reset_paddr(), exported to KVM. */
void UB_FN(reset_paddr)(unsigned long base, unsigned long size)
{
	UB_FN(reset_body)(base, size);
}

/* Pre-patch: tdx_quirk_reset_page(page), exported to KVM. */
void UB_FN(reset_page)(struct page *page)
{
	UB_FN(reset_body)(page_to_phys(page), PAGE_SIZE);
}
