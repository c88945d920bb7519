/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Template: path "convert", the physical and KeyID-tagged address alone,
 * out of line like the wrappers that compute it, in both API shapes, for
 * one layout replica (UB_REP). No backend work, so all backends share it.
 */
#include "ub_replica_decls.h"

noinline __aligned(64) UB_REPLICA_ENTRY
u64 UB_KEYED(paddr_page)(u16 hkid, struct page *page)
{
	return ub_mk_keyed_paddr_page(hkid, page);
}

noinline __aligned(64) UB_REPLICA_ENTRY
u64 UB_KEYED(paddr_pfn)(u16 hkid, kvm_pfn_t pfn)
{
	return ub_mk_keyed_paddr_pfn(hkid, pfn);
}
