/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: the module's own copies of the TDX core wrappers, in both API
 * shapes, over one backend's primitives, for one layout replica
 * (UB_REP). Instantiated through ub_each_replica.h by every backend's
 * translation unit after it defined UB_BK and its two primitives, each
 * __always_inline:
 *
 *   u64  ub_prim_wbinvd(u64 keyed_paddr)   - TDH.PHYMEM.PAGE.WBINVD stand-in
 *   void ub_prim_reset(unsigned long base, unsigned long size)
 *                                          - clearing of the range
 *
 * The functions are global, noinline and at their replica's placement
 * (see ub_core.h), like the kernel's exported wrappers KVM calls.
 */
#include "ub_replica_decls.h"

/*
 * Pre-patch tdh_phymem_page_wbinvd_hkid(): takes the struct page and forms
 * the keyed address from page_to_phys().
 */
noinline __aligned(64) UB_REPLICA_ENTRY
u64 UB_FN(wbinvd_hkid_page)(u64 hkid, struct page *page)
{
	return ub_prim_wbinvd(ub_mk_keyed_paddr_page(hkid, page));
}

/* Linux 7.2 tdh_phymem_page_wbinvd_hkid(): takes the PFN. */
noinline __aligned(64) UB_REPLICA_ENTRY
u64 UB_FN(wbinvd_hkid_pfn)(u64 hkid, kvm_pfn_t pfn)
{
	return ub_prim_wbinvd(ub_mk_keyed_paddr_pfn(hkid, pfn));
}

/*
 * Linux 7.2: tdx_quirk_reset_paddr(), exported to KVM. Clears only on
 * erratum CPUs, or always when the run asked for reset mode "force".
 */
noinline __aligned(64) UB_REPLICA_ENTRY
void UB_FN(reset_paddr)(unsigned long base, unsigned long size)
{
	if (!ub_params.reset_clear)
		return;
	ub_prim_reset(base, size);
}

/*
 * Pre-patch: tdx_quirk_reset_page(page), exported to KVM: page_to_phys()
 * first, then the (out of line) range function, as the kernel's wrapper
 * did; the erratum test is the range function's.
 */
noinline __aligned(64) UB_REPLICA_ENTRY
void UB_FN(reset_page)(struct page *page)
{
	UB_FN(reset_paddr)(page_to_phys(page), PAGE_SIZE);
}
