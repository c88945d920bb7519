// SPDX-License-Identifier: GPL-2.0
/*
 * A model of the hardware work on any x86 CPU.
 *
 * WBINVD of a page: CLFLUSHOPT of each of its lines then SFENCE, or
 * CLFLUSH of each line then MFENCE where CLFLUSHOPT is missing. The KeyID
 * bits are stripped from the keyed address first (the model's only extra
 * step, the same for both shapes).
 * Reset of a range: MOVDIR64B of each line from the zero page, or, where
 * MOVDIR64B is missing, 64 bytes of MOVNTI non-temporal stores per line;
 * then MFENCE, as tdx_quirk_reset_paddr() ends with mb().
 */
#include <asm/cpufeature.h>
#include <asm/special_insns.h>
#include <asm/barrier.h>

#include "ub.h"

#define UB_BK model

static __always_inline void ub_movnti_line(void *p)
{
	asm volatile("movnti %[z], 0(%[p])\n\t"
		     "movnti %[z], 8(%[p])\n\t"
		     "movnti %[z], 16(%[p])\n\t"
		     "movnti %[z], 24(%[p])\n\t"
		     "movnti %[z], 32(%[p])\n\t"
		     "movnti %[z], 40(%[p])\n\t"
		     "movnti %[z], 48(%[p])\n\t"
		     "movnti %[z], 56(%[p])"
		     : : [p] "r" (p), [z] "r" (0UL) : "memory");
}

static __always_inline u64 ub_prim_wbinvd(u64 keyed_paddr)
{
	char *p = __va(keyed_paddr & ub_params.phys_mask);
	unsigned int off;

	if (static_cpu_has(X86_FEATURE_CLFLUSHOPT)) {
		for (off = 0; off < PAGE_SIZE; off += UB_LINE)
			clflushopt(p + off);
		wmb();	/* SFENCE orders the CLFLUSHOPTs */
	} else {
		for (off = 0; off < PAGE_SIZE; off += UB_LINE)
			clflush(p + off);
		mb();	/* as clflush_cache_range() ends */
	}
	return 0;
}

static __always_inline void ub_prim_reset(unsigned long base,
					  unsigned long size)
{
	const void *zero = page_address(ZERO_PAGE(0));
	char *p = __va(base);
	unsigned long off;

	if (static_cpu_has(X86_FEATURE_MOVDIR64B)) {
		for (off = 0; off < size; off += UB_LINE)
			movdir64b(p + off, zero);
	} else {
		for (off = 0; off < size; off += UB_LINE)
			ub_movnti_line(p + off);
	}
	/* Weakly-ordered stores: make them visible, as the kernel does. */
	mb();
}

#define UB_TEMPLATE "ub_wrappers.h"
#include "ub_each_replica.h"

u32 ub_model_wbinvd_insns(void)
{
	if (boot_cpu_has(X86_FEATURE_CLFLUSHOPT))
		return UB_INSN_CLFLUSHOPT | UB_INSN_SFENCE;
	return UB_INSN_CLFLUSH | UB_INSN_MFENCE;
}

u32 ub_model_reset_insns(void)
{
	if (boot_cpu_has(X86_FEATURE_MOVDIR64B))
		return UB_INSN_MOVDIR64B | UB_INSN_MFENCE;
	return UB_INSN_MOVNTI | UB_INSN_MFENCE;
}
