// SPDX-License-Identifier: GPL-2.0
/*
 * The real thing: SEAMCALL TDH.PHYMEM.PAGE.WBINVD with
 * the TDX global KeyID on the module's own pages (the kernel issues the
 * same leaf with the global KeyID on reclaimed pages at TD teardown), and
 * MOVDIR64B from the zero page then MFENCE for the reset, as
 * tdx_quirk_reset_paddr() does.
 *
 * Usable only when ub_tdx_probe() passed: TDX host platform, TDX KeyIDs in
 * IA32_MKTME_KEYID_PARTITIONING, MOVDIR64B, and a test SEAMCALL on a
 * module-owned page returning TDX_SUCCESS. In Linux 7.2 the core kernel
 * turns VMX on and initializes the TDX module at boot (tdx_enable(), a
 * subsys_initcall whose CPU-online hook takes a VMX reference on every
 * online CPU), with or without kvm_intel; so a #UD means that
 * initialization failed at boot, and loading kvm_intel cannot fix it. The
 * probe runs at load and again at every INFO and RUN; a SEAMCALL failing
 * during a run makes that run fail with EIO.
 *
 * Not run on TDX hardware yet: written from the Linux 7.2 source and the
 * TDX module ABI.
 *
 * Edge case: before every SEAMCALL the kernel sets the per-CPU
 * cache_state_incoherent flag (seamcall_internal.h), which kexec reads to
 * decide whether to WBINVD. It is not exported, so this module's own
 * SEAMCALLs cannot set it. TDH.PHYMEM.PAGE.WBINVD leaves no TD-key dirty
 * lines behind, and the kernel's own SEAMCALLs at boot set the flag on
 * every CPU that was online then; a CPU brought online later and used
 * only by this module before a kexec is the one case it would miss.
 */
#include <linux/gfp.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/barrier.h>
#include <asm/tdx.h>

#include "ub.h"

#define UB_BK tdx

struct ub_tdx_state ub_tdx;

static __always_inline u64 ub_prim_wbinvd(u64 keyed_paddr)
{
	return ub_seamcall(UB_TDH_PHYMEM_PAGE_WBINVD, keyed_paddr);
}

static __always_inline void ub_prim_reset(unsigned long base,
					  unsigned long size)
{
	const void *zero = page_address(ZERO_PAGE(0));
	char *p = __va(base);
	unsigned long off;

	for (off = 0; off < size; off += UB_LINE)
		movdir64b(p + off, zero);
	/* MOVDIR64B uses WC protocol: order it before later users. */
	mb();
}

#define UB_TEMPLATE "ub_wrappers.h"
#include "ub_each_replica.h"

/*
 * Returns why tdx is unusable, NULL when the test SEAMCALL succeeded, or
 * "" when it returned an unexpected status (left in *status).
 */
static const char *ub_tdx_check(u64 *status)
{
	struct page *page;
	u64 msr, st;

	if (!boot_cpu_has(X86_FEATURE_TDX_HOST_PLATFORM))
		return "CPU is not a TDX host platform (X86_FEATURE_TDX_HOST_PLATFORM clear)";
	if (rdmsrq_safe(MSR_IA32_MKTME_KEYID_PARTITIONING, &msr))
		return "cannot read IA32_MKTME_KEYID_PARTITIONING (MSR 0x87)";
	ub_tdx.nr_mktme_keyids = (u32)msr;
	ub_tdx.nr_tdx_keyids = (u32)(msr >> 32);
	if (!ub_tdx.nr_tdx_keyids)
		return "no TDX KeyIDs in MSR 0x87: TDX is disabled in the BIOS";
	ub_tdx.global_keyid = ub_tdx.nr_mktme_keyids + 1;
	if (!boot_cpu_has(X86_FEATURE_MOVDIR64B))
		return "CPU lacks MOVDIR64B, which the reset path needs";

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return "out of memory for the probe page";
	preempt_disable();
	st = ub_seamcall(UB_TDH_PHYMEM_PAGE_WBINVD,
			 ub_mk_keyed_paddr_page(ub_tdx.global_keyid, page));
	preempt_enable();
	__free_page(page);

	*status = st;
	if (st == TDX_SEAMCALL_UD)
		return "SEAMCALL raised #UD: TDX module init failed at boot (kernel log: virt/tdx)";
	if (st == TDX_SEAMCALL_GP)
		return "SEAMCALL raised #GP: SEAM is not enabled (TDX off in the BIOS?)";
	if (st == TDX_SEAMCALL_VMFAILINVALID)
		return "SEAMCALL VMfailInvalid: no TDX module loaded";
	return st ? "" : NULL;
}

/* Caller serialises (ub_backends_get() holds the probe lock). */
void ub_tdx_probe(void)
{
	const char *why;
	u64 st = 0;

	ub_tdx.nr_mktme_keyids = 0;
	ub_tdx.nr_tdx_keyids = 0;
	ub_tdx.global_keyid = 0;
	why = ub_tdx_check(&st);
	ub_tdx.usable = !why;
	if (!why)
		snprintf(ub_tdx.reason, sizeof(ub_tdx.reason),
			 "TDX usable: test TDH.PHYMEM.PAGE.WBINVD succeeded (global KeyID %u)",
			 ub_tdx.global_keyid);
	else if (!*why)
		snprintf(ub_tdx.reason, sizeof(ub_tdx.reason),
			 "test TDH.PHYMEM.PAGE.WBINVD failed: status 0x%016llx",
			 st);
	else
		strscpy(ub_tdx.reason, why, sizeof(ub_tdx.reason));
}
