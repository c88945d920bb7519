/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Body of a per-backend caller translation unit (ub_ops_<backend>.c,
 * which defines UB_BK): the helpers every op uses, every replica of
 * ub_ops.h, and the table of this backend's batch functions (one row per
 * replica, in ub_variants.def order), which ub_variants.c puts into the
 * variant table.
 */
#include "ub_core.h"

/* A synthetic leaf SPTE: PFN in bits 51:12, RWX and WB memory type. */
#define UB_SPTE_PFN_MASK	GENMASK_ULL(51, 12)
#define UB_SPTE_FLAGS		(0x7ULL | (6ULL << 3))

static __always_inline u64 ub_mk_spte(u64 pfn)
{
	u64 spte = (pfn << PAGE_SHIFT) | UB_SPTE_FLAGS;

	/* Make the op really start from an SPTE value, as KVM does. */
	OPTIMIZER_HIDE_VAR(spte);
	return spte;
}

static __always_inline kvm_pfn_t ub_spte_to_pfn(u64 spte)
{
	return (spte & UB_SPTE_PFN_MASK) >> PAGE_SHIFT;
}

/* Final state of a batch: the status OR, or a value only to be sunk. */
static __always_inline u64 ub_status(u64 err)
{
	return err;
}

static __always_inline u64 ub_sink(u64 v)
{
	asm volatile("" : : "r" (v));
	return 0;
}

#define UB_FIN_convert		ub_sink
#define UB_FIN_wbinvd		ub_status
#define UB_FIN_reset		ub_status
#define UB_FIN_unmap		ub_status

/* Which (shape, granule) ops ub_ops.h generates: 2M as 512 4K removals. */
#define UB_OP_2M(path, shape)						\
static __always_inline u64 UB_FN(op_##path##_##shape##_2m)(u64 st, u64 pfn) \
{									\
	unsigned int i;							\
									\
	for (i = 0; i < UB_PAGES_PER_2M; i++)				\
		st = UB_FN(op_##path##_##shape##_4k)(st, pfn + i);	\
	return st;							\
}

#define UB_OP_page_4k(path, shape)
#define UB_OP_pfn_4k(path, shape)
#define UB_OP_page_2m(path, shape)	UB_OP_2M(path, shape)
#define UB_OP_pfn_2m(path, shape)	UB_OP_2M(path, shape)
#define UB_OP_range_2m(path, shape)

#define UB_TEMPLATE "ub_ops.h"
#include "ub_each_replica.h"
#undef UB_TEMPLATE

#define UB_ROW(r)		UB_XPASTE4(ub, UB_BK, r, row)
#define UB_PASTE_TABLE(bk)	ub_##bk##_batch_table
#define UB_XPASTE_TABLE(bk)	UB_PASTE_TABLE(bk)

const struct ub_batch_table UB_XPASTE_TABLE(UB_BK) = {
	.rows = { &UB_ROW(0), &UB_ROW(1), &UB_ROW(2), &UB_ROW(3),
		  &UB_ROW(4), &UB_ROW(5), &UB_ROW(6), &UB_ROW(7) },
};
