/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the unmap_bench module.
 *
 * Layout of the measured code, mirroring where the kernel's code lives:
 *
 *   caller side (KVM's role)      ub_variants.c + ub_ops.h: per-op inline
 *                                 functions and the batch loops, one set
 *                                 per backend
 *   TDX core side (tdx.c's role)  ub_backend_{null,model,tdx}.c +
 *                                 ub_wrappers.h: copies of both API shapes
 *                                 of the wrappers, out of line, over that
 *                                 backend's primitives; ub_keyed.c for
 *                                 the address conversion alone
 *
 * The caller and the wrappers are in different translation units, so the
 * wrappers are real calls the compiler cannot see through, as the calls
 * from kvm-intel.ko into vmlinux are: the struct-page shape cannot be
 * folded into the PFN shape. Primitives are inlined into the wrappers and
 * the wrappers are called directly (no ops struct, no indirect call in the
 * timed path): every backend gets its own instantiation of the wrappers
 * and of the batch loops from the same two templates.
 */
#ifndef UB_H
#define UB_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/sizes.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/kvm_types.h>
#include <asm/processor.h>

#include "unmap_bench.h"
#include "ub_timing.h"

#define UB_MODULE_VERSION	"1.0.0"

#define UB_LINE			64
#define UB_ORDER_2M		9		/* 2M folio */
#define UB_PAGES_2M		UB_PAGES_PER_2M
static_assert(PAGE_SIZE << UB_ORDER_2M == SZ_2M);
static_assert(UB_PAGES_PER_2M << PAGE_SHIFT == SZ_2M);

/*
 * Limits of one RUN (ERANGE beyond them). Besides these, the pages of all
 * threads must fit in the node's free memory less a margin (ENOMEM,
 * checked before anything is allocated).
 */
#define UB_MAX_UNITS_4K		1048576U	/* 4 GiB per thread */
#define UB_MAX_UNITS_2M		2048U		/* 4 GiB per thread */
#define UB_MAX_BATCH		65536U
#define UB_MAX_ROUNDS		1048576U
#define UB_MAX_WALL_MS		(3600ULL * 1000)
#define UB_DEFAULT_WALL_MS	60000ULL
#define UB_MAX_SAMPLES_BYTES	(256ULL << 20)
#define UB_MAX_HIST_BYTES	(256ULL << 20)

/*
 * State the wrappers read on every call, as the kernel's read
 * boot_cpu_data: set before a run starts, constant while it runs (RUNs
 * are serialised). hkid stands for kvm_tdx->hkid, which KVM loads per
 * call too.
 */
struct ub_params {
	bool	reset_clear;	/* force, or the CPU has X86_BUG_TDX_PW_MCE */
	u16	hkid;		/* KeyID put into keyed addresses */
	u64	phys_mask;	/* strips KeyID bits (model backend) */
};

extern struct ub_params ub_params;

/* Token pasting for the per-backend templates: UB_FN(x) = ub_<UB_BK>_x. */
#define UB_PASTE3(a, b, c)	a##_##b##_##c
#define UB_XPASTE3(a, b, c)	UB_PASTE3(a, b, c)
#define UB_FN(x)		UB_XPASTE3(ub, UB_BK, x)

/* Keyed physical address, both API shapes (kernel: mk_keyed_paddr()). */
static __always_inline u64 ub_mk_keyed_paddr_page(u16 hkid, struct page *page)
{
	return page_to_phys(page) | ((u64)hkid << boot_cpu_data.x86_phys_bits);
}

static __always_inline u64 ub_mk_keyed_paddr_pfn(u16 hkid, kvm_pfn_t pfn)
{
	return PFN_PHYS(pfn) | ((u64)hkid << boot_cpu_data.x86_phys_bits);
}

/* ub_keyed.c: the conversion alone, out of line (path "convert"). */
u64 ub_keyed_paddr_page(u16 hkid, struct page *page);
u64 ub_keyed_paddr_pfn(u16 hkid, kvm_pfn_t pfn);

/*
 * ub_wrappers.h, instantiated per backend: the pre-patch shape
 * (struct page *) and the Linux 7.2 shape (kvm_pfn_t / physical address).
 */
u64 ub_null_wbinvd_hkid_page(u64 hkid, struct page *page);
u64 ub_null_wbinvd_hkid_pfn(u64 hkid, kvm_pfn_t pfn);
void ub_null_reset_page(struct page *page);
void ub_null_reset_paddr(unsigned long base, unsigned long size);
u64 ub_model_wbinvd_hkid_page(u64 hkid, struct page *page);
u64 ub_model_wbinvd_hkid_pfn(u64 hkid, kvm_pfn_t pfn);
void ub_model_reset_page(struct page *page);
void ub_model_reset_paddr(unsigned long base, unsigned long size);
u64 ub_tdx_wbinvd_hkid_page(u64 hkid, struct page *page);
u64 ub_tdx_wbinvd_hkid_pfn(u64 hkid, kvm_pfn_t pfn);
void ub_tdx_reset_page(struct page *page);
void ub_tdx_reset_paddr(unsigned long base, unsigned long size);

/* ub_backend_model.c: instructions its primitives use on this CPU. */
u32 ub_model_wbinvd_insns(void);
u32 ub_model_reset_insns(void);

/* ub_backend_tdx.c + ub_seamcall.c */
#define UB_TDH_PHYMEM_PAGE_WBINVD	41

struct ub_tdx_state {
	bool	usable;
	u32	nr_mktme_keyids;
	u32	nr_tdx_keyids;
	u32	global_keyid;
	char	reason[UB_REASON_LEN];
};

extern struct ub_tdx_state ub_tdx;
void ub_tdx_probe(void);
u64 ub_seamcall(u64 leaf, u64 rcx);

/* ub_variants.c: the table of named variants. */
struct ub_variant {
	struct ub_variant_desc	d;	/* as INFO reports it */
	ub_batch_fn	fn[UB_BACKEND_NR];	/* by backend; AUTO unused */
};

extern struct ub_variant ub_variants[UB_MAX_VARIANTS];
extern unsigned int ub_nr_variants;
void ub_variants_init(void);
u32 ub_variant_unit_pages(const struct ub_variant *v, u32 granule);
u32 ub_variant_insns(const struct ub_variant *v, u32 backend, bool clear);

/* ub_info.c */
struct ub_info;
u32 ub_cpu_features(void);
int ub_resolve_backend(u32 req, u32 *used, char *reason, size_t len);
long ub_ioctl_info(void __user *uarg, u32 usize);

/* ub_run.c */
long ub_ioctl_run(void __user *uarg, u32 usize);

/* ub_main.c */
extern struct mutex ub_probe_lock;

/* ub_main.c: struct size rules shared by both ioctls. */
int ub_copy_struct_in(void *k, size_t ksize, size_t ver0,
		      const void __user *uarg, u32 usize);

#endif /* UB_H */
