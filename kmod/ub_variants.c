// SPDX-License-Identifier: GPL-2.0
/*
 * The table of named variants: 4 paths x 2 shapes x 2
 * granules, plus the ground-truth ops of ub_ground.c. Each entry carries
 * a batch function per backend, generated from the one template ub_ops.h.
 */
#include <linux/bits.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/string.h>

#include "ub.h"

struct ub_params ub_params __read_mostly;

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

#define UB_BK null
#include "ub_ops.h"
#undef UB_BK
#define UB_BK model
#include "ub_ops.h"
#undef UB_BK
#define UB_BK tdx
#include "ub_ops.h"
#undef UB_BK

#define UB_VT(nm, pth, shp, gr, f) {					\
	.d.name = nm,							\
	.d.path = UB_PATH_##pth,					\
	.d.shape = UB_SHAPE_##shp,					\
	.d.granule = UB_GRANULE_##gr,					\
	.fn = {								\
		[UB_BACKEND_NULL] = ub_null_b_##f,			\
		[UB_BACKEND_MODEL] = ub_model_b_##f,			\
		[UB_BACKEND_TDX] = ub_tdx_b_##f,			\
	},								\
}

static const struct ub_variant ub_tdx_variants[] = {
	UB_VT("convert.page.4k", CONVERT, PAGE, 4K, convert_page_4k),
	UB_VT("convert.pfn.4k", CONVERT, PFN, 4K, convert_pfn_4k),
	UB_VT("convert.page.2m", CONVERT, PAGE, 2M, convert_page_2m),
	UB_VT("convert.pfn.2m", CONVERT, PFN, 2M, convert_pfn_2m),
	UB_VT("wbinvd.page.4k", WBINVD, PAGE, 4K, wbinvd_page_4k),
	UB_VT("wbinvd.pfn.4k", WBINVD, PFN, 4K, wbinvd_pfn_4k),
	UB_VT("wbinvd.page.2m", WBINVD, PAGE, 2M, wbinvd_page_2m),
	UB_VT("wbinvd.pfn.2m", WBINVD, PFN, 2M, wbinvd_pfn_2m),
	UB_VT("reset.page.4k", RESET, PAGE, 4K, reset_page_4k),
	UB_VT("reset.pfn.4k", RESET, PFN, 4K, reset_pfn_4k),
	UB_VT("reset.page.2m", RESET, PAGE, 2M, reset_page_2m),
	UB_VT("reset.pfn.2m", RESET, PFN, 2M, reset_pfn_2m),
	UB_VT("unmap.page.4k", UNMAP, PAGE, 4K, unmap_page_4k),
	UB_VT("unmap.pfn.4k", UNMAP, PFN, 4K, unmap_pfn_4k),
	UB_VT("unmap.page.2m", UNMAP, PAGE, 2M, unmap_page_2m),
	UB_VT("unmap.pfn.2m", UNMAP, PFN, 2M, unmap_pfn_2m),
};

struct ub_variant ub_variants[UB_MAX_VARIANTS] __ro_after_init;
unsigned int ub_nr_variants __ro_after_init;

void __init ub_variants_init(void)
{
	struct ub_variant *v;
	unsigned int i, b;

	BUILD_BUG_ON(ARRAY_SIZE(ub_tdx_variants) > UB_MAX_VARIANTS);
	memcpy(ub_variants, ub_tdx_variants, sizeof(ub_tdx_variants));
	ub_nr_variants = ARRAY_SIZE(ub_tdx_variants);
	for (i = 0; i < ub_nr_ground && ub_nr_variants < UB_MAX_VARIANTS; i++) {
		v = &ub_variants[ub_nr_variants++];
		strscpy(v->d.name, ub_ground_ops[i].name, sizeof(v->d.name));
		v->d.shape = UB_SHAPE_NONE;
		v->d.path = UB_PATH_GROUND;
		v->d.granule = UB_GRANULE_ANY;
		v->d.param = ub_ground_ops[i].adds;
		for (b = UB_BACKEND_NULL; b < UB_BACKEND_NR; b++)
			v->fn[b] = ub_ground_ops[i].fn;
	}
}

/* 4K pages one op covers; ground-truth ops touch none. */
u32 ub_variant_unit_pages(const struct ub_variant *v, u32 granule)
{
	if (v->d.path == UB_PATH_GROUND)
		return 0;
	return ub_granule_pages(granule);
}

/*
 * The instructions a variant's ops execute on @backend, as its primitives
 * choose them (same feature tests, same reset condition). Timer
 * instructions are added by the caller.
 */
u32 ub_variant_insns(const struct ub_variant *v, u32 backend, bool clear)
{
	bool wb = v->d.path == UB_PATH_WBINVD || v->d.path == UB_PATH_UNMAP;
	bool rs = (v->d.path == UB_PATH_RESET || v->d.path == UB_PATH_UNMAP) &&
		  clear;
	u32 insns = 0;

	switch (backend) {
	case UB_BACKEND_MODEL:
		if (wb)
			insns |= ub_model_wbinvd_insns();
		if (rs)
			insns |= ub_model_reset_insns();
		break;
	case UB_BACKEND_TDX:
		if (wb)
			insns |= UB_INSN_SEAMCALL;
		if (rs)
			insns |= UB_INSN_MOVDIR64B | UB_INSN_MFENCE;
		break;
	default:
		break;
	}
	return insns;
}
