/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the portable part of the module needs from its environment.
 *
 * The timing engine, the variant table with the null backend, the struct
 * size rules and every check of a RUN are one source with two builds:
 * inside the module (__KERNEL__) and as the userspace library libubcore.a
 * ("make -C kmod userlib"), which the harness links to run the same code
 * natively ("unmapbench micro --where native") and as the test double of
 * the module. Everything that differs between the two lives here (types,
 * timers, preemption and IRQ control, atomics) or behind the ub_port_*()
 * hooks at the end, which each side implements (the module in ub_run.c,
 * the harness in its native device), so no portable file carries an
 * #ifdef of its own.
 */
#ifndef UB_PORT_H
#define UB_PORT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/array_size.h>
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/irqflags.h>
#include <linux/kvm_types.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/preempt.h>
#include <linux/processor.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <asm/processor.h>
#include <asm/tsc.h>

static __always_inline u64 ub_tsc(void)
{
	return rdtsc_ordered();
}

static __always_inline u64 ub_ns(void)
{
	return ktime_get_ns();
}

#define ub_irq_save(f)		local_irq_save(f)
#define ub_irq_restore(f)	local_irq_restore(f)
#define ub_preempt_off()	preempt_disable()
#define ub_preempt_on()		preempt_enable()
#define ub_resched()		cond_resched()

typedef atomic_t ub_atomic_t;
#define ub_atomic_read(a)	atomic_read(a)
#define ub_atomic_set(a, v)	atomic_set(a, v)
#define ub_atomic_inc_return(a)	atomic_inc_return(a)
#define ub_atomic_inc(a)	atomic_inc(a)
#define ub_cpu_relax()		cpu_relax()

#else /* !__KERNEL__: the userspace build of the same code */

#include "user/ub_port_user.h"

#endif /* __KERNEL__ */

/*
 * Hooks each side implements. The portable checks call them; a hook
 * never fails silently.
 */
enum ub_port_state {
	UB_PORT_OK = 0,
	UB_PORT_ABSENT,		/* node or CPU does not exist */
	UB_PORT_OFFLINE,
	UB_PORT_NO_MEMORY,	/* node without memory */
};

/* Copy @len bytes from/to the caller's buffer at @uptr: 0 or -EFAULT. */
int ub_port_copy_in(void *dst, u64 uptr, size_t len);
int ub_port_copy_out(u64 uptr, const void *src, size_t len);
/* State of node @nid; *free_pages gets its free 4K pages when OK. */
enum ub_port_state ub_port_node(int nid, u64 *free_pages);
/* State of CPU @cpu; *nr_ids gets the number of CPU ids. */
enum ub_port_state ub_port_cpu(u32 cpu, u32 *nr_ids);
/* Instructions (UB_INSN_*) @backend's WBINVD or reset primitive runs. */
u32 ub_port_backend_insns(u32 backend, bool wbinvd, bool reset);

#endif /* UB_PORT_H */
