/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: the prototypes of what one layout replica (UB_REP) of one
 * backend (UB_BK) defines: the conversion alone (ub_keyed.h) and the two
 * API shapes of the wrappers (ub_wrappers.h). Included by those templates
 * and by the caller template ub_ops.h, which calls them.
 */
u64 UB_KEYED(paddr_page)(u16 hkid, struct page *page);
u64 UB_KEYED(paddr_pfn)(u16 hkid, kvm_pfn_t pfn);
#ifdef UB_BK
u64 UB_FN(wbinvd_hkid_page)(u64 hkid, struct page *page);
u64 UB_FN(wbinvd_hkid_pfn)(u64 hkid, kvm_pfn_t pfn);
void UB_FN(reset_paddr)(unsigned long base, unsigned long size);
void UB_FN(reset_page)(struct page *page);
#endif
