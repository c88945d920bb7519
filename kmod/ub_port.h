/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the timing engine needs from its environment.
 *
 * ub_timing.c and ub_ground.c are one source with two builds: inside the
 * module (__KERNEL__) and as the userspace library libubtiming.a
 * ("make -C kmod userlib"). Everything they use that differs between the
 * two lives here, so neither file carries an #ifdef of its own.
 */
#ifndef UB_PORT_H
#define UB_PORT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/array_size.h>
#include <linux/compiler.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
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

#else /* !__KERNEL__: userspace build of the same engine */

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

/* RDTSCP waits for earlier instructions, like the kernel's rdtsc_ordered(). */
static __always_inline u64 ub_tsc(void)
{
	u32 lo, hi, aux;

	asm volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux) : : "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 ub_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* No preemption or IRQ control in userspace: the library documents it. */
#define ub_irq_save(f)		((f) = 0)
#define ub_irq_restore(f)	((void)(f))
#define ub_preempt_off()	do { } while (0)
#define ub_preempt_on()		do { } while (0)
#define ub_resched()		do { } while (0)

#endif /* __KERNEL__ */

#endif /* UB_PORT_H */
