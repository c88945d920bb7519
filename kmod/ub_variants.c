// SPDX-License-Identifier: GPL-2.0
/*
 * The table of named variants, built from the one list ub_variants.def:
 * every line becomes an entry with its batch functions for every built
 * backend and layout replica (ub_ops_<backend>.c); every page and pfn
 * line also gets an A/A twin; the ground-truth ops of ub_ground.c come
 * last. Built into the module and libubcore.a.
 */
#include "ub_core.h"

struct ub_params ub_params;

/* The lower-case names of ub_variants.def as the uapi's enum values. */
#define UB_PATH_ID_convert	UB_PATH_CONVERT
#define UB_PATH_ID_wbinvd	UB_PATH_WBINVD
#define UB_PATH_ID_reset	UB_PATH_RESET
#define UB_PATH_ID_unmap	UB_PATH_UNMAP
#define UB_SHAPE_ID_page	UB_SHAPE_PAGE
#define UB_SHAPE_ID_pfn		UB_SHAPE_PFN
#define UB_SHAPE_ID_range	UB_SHAPE_RANGE
#define UB_GRANULE_ID_4k	UB_GRANULE_4K
#define UB_GRANULE_ID_2m	UB_GRANULE_2M

static const struct {
	const char	*name;
	u8		path, shape, granule;
} ub_defs[UB_NR_DEFS] = {
#define UB_VARIANT(path, shape, granule)				\
	{ #path "." #shape "." #granule, UB_PATH_ID_##path,		\
	  UB_SHAPE_ID_##shape, UB_GRANULE_ID_##granule },
#include "ub_variants.def"
#undef UB_VARIANT
};

struct ub_variant ub_variants[UB_MAX_VARIANTS];
unsigned int ub_nr_variants;

static struct ub_variant *ub_variant_add(const char *name, const char *suffix)
{
	struct ub_variant *v = &ub_variants[ub_nr_variants++];

	memset(v, 0, sizeof(*v));
	snprintf(v->d.name, sizeof(v->d.name), "%s%s", name, suffix);
	return v;
}

static void ub_variant_add_def(unsigned int d, u8 twin)
{
	struct ub_variant *v;
	unsigned int b, k;

	v = ub_variant_add(ub_defs[d].name, twin ? ".aa" : "");
	v->d.path = ub_defs[d].path;
	v->d.shape = ub_defs[d].shape;
	v->d.granule = ub_defs[d].granule;
	v->d.twin = twin;
	for (b = 0; b < UB_BACKEND_NR; b++)
		for (k = 0; k < UB_NR_REPLICAS && ub_batch_tables[b]; k++)
			v->fn[b][k] = ub_batch_tables[b]->rows[k]->fn[d];
}

void ub_variants_init(void)
{
	struct ub_variant *v;
	unsigned int d, i, b, k;

	static_assert(2 * UB_NR_DEFS + 5 <= UB_MAX_VARIANTS,
		      "variant table too large for the variant mask");
	ub_nr_variants = 0;
	for (d = 0; d < UB_NR_DEFS; d++)
		ub_variant_add_def(d, 0);
	for (d = 0; d < UB_NR_DEFS; d++)
		if (ub_defs[d].shape != UB_SHAPE_RANGE)
			ub_variant_add_def(d, 1);
	for (i = 0; i < ub_nr_ground && ub_nr_variants < UB_MAX_VARIANTS; i++) {
		v = ub_variant_add(ub_ground_ops[i].name, "");
		v->d.shape = UB_SHAPE_NONE;
		v->d.path = UB_PATH_GROUND;
		v->d.granule = UB_GRANULE_ANY;
		v->d.param = ub_ground_ops[i].adds;
		for (b = UB_BACKEND_NULL; b < UB_BACKEND_NR; b++)
			for (k = 0; k < UB_NR_REPLICAS; k++)
				v->fn[b][k] = ub_ground_ops[i].fn;
	}
}

/* 4K pages one op covers; ground-truth ops touch none. */
u32 ub_variant_unit_pages(const struct ub_variant *v, u32 granule)
{
	if (v->d.path == UB_PATH_GROUND)
		return 0;
	return ub_granule_pages(granule);
}

/* Does an op read or write its units' data lines on @backend? */
bool ub_variant_touches_data(const struct ub_variant *v, u32 backend,
			     bool reset_clear)
{
	if (backend == UB_BACKEND_NULL)
		return false;
	switch (v->d.path) {
	case UB_PATH_WBINVD:
	case UB_PATH_UNMAP:
		return true;
	case UB_PATH_RESET:
		return reset_clear;
	default:
		return false;
	}
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

	if (!wb && !rs)
		return 0;
	return ub_port_backend_insns(backend, wb, rs);
}

u8 ub_variant_rep_offset(unsigned int i, u32 backend, u32 k)
{
	ub_batch_fn fn = ub_variants[i].fn[backend][k];

	return fn ? (u8)((unsigned long)fn & (UB_LINE - 1)) : 0;
}

void ub_info_fill_common(struct ub_info *info, u32 rep_backend)
{
	unsigned int i, k;

	info->abi_version = UB_ABI_VERSION;
	info->nr_variants = ub_nr_variants;
	info->max_threads = UB_MAX_THREADS;
	info->hist_buckets = UB_HIST_BUCKETS;
	info->nr_replicas = UB_NR_REPLICAS;
	for (i = 0; i < ub_nr_variants; i++) {
		info->variants[i] = ub_variants[i].d;
		for (k = 0; k < UB_NR_REPLICAS; k++)
			info->rep_offset[i][k] =
				ub_variant_rep_offset(i, rep_backend, k);
	}
}
