// SPDX-License-Identifier: GPL-2.0
/*
 * The module's own SEAMCALL for leaves that take RCX only
 * (TDH.PHYMEM.PAGE.WBINVD). The kernel's seamcall() is not exported to
 * modules other than kvm and kvm-intel.
 *
 * The instruction sits under an exception-table fixup: outside VMX root
 * operation it raises #UD (and #GP where SEAM is not enabled); the fixup
 * (EX_TYPE_FAULT) puts the trap number in RAX and resumes at the label
 * that tags it as a software error, like the kernel's TDX_SEAMCALL_UD and
 * TDX_SEAMCALL_GP. With no TDX module loaded SEAMCALL fails with
 * VMfailInvalid (CF set): that becomes TDX_SEAMCALL_VMFAILINVALID. The
 * TDX module may clobber RCX, RDX and R8-R11; RAX returns the status.
 *
 * Call with preemption disabled. Out of line, as the kernel's
 * __seamcall() is.
 */
#include <asm/asm.h>
#include <asm/tdx.h>

#include "ub.h"

noinline u64 ub_seamcall(u64 leaf, u64 rcx)
{
	u64 rax = leaf;

	asm volatile("1:	.byte 0x66, 0x0f, 0x01, 0xcf\n\t" /* SEAMCALL */
		     "jnc 3f\n\t"
		     "mov %[vmfail], %%rax\n\t"
		     "jmp 3f\n"
		     "2:	or %[swerr], %%rax\n"
		     "3:\n\t"
		     _ASM_EXTABLE_FAULT(1b, 2b)
		     : "+a" (rax), "+c" (rcx)
		     : [vmfail] "r" (TDX_SEAMCALL_VMFAILINVALID),
		       [swerr] "r" (TDX_SW_ERROR)
		     : "rdx", "r8", "r9", "r10", "r11", "memory", "cc");
	return rax;
}
