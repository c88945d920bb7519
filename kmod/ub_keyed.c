// SPDX-License-Identifier: GPL-2.0
/*
 * Path "convert": the physical and KeyID-tagged address alone,
 * out of line like the wrappers that compute it (see ub.h), in both API
 * shapes. No backend work, so all backends share these two.
 */
#include "ub.h"

u64 ub_keyed_paddr_page(u16 hkid, struct page *page)
{
	return ub_mk_keyed_paddr_page(hkid, page);
}

u64 ub_keyed_paddr_pfn(u16 hkid, kvm_pfn_t pfn)
{
	return ub_mk_keyed_paddr_pfn(hkid, pfn);
}
