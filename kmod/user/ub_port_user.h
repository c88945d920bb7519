/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace half of ub_port.h: the kernel types, helpers and
 * primitives the module's portable code uses, for its userspace build
 * (libubcore.a). Userspace code (C11 with GNU extensions), like tools/.
 */
#ifndef UB_PORT_USER_H
#define UB_PORT_USER_H


#include <linux/types.h>
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef u64 kvm_pfn_t;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define noinline		__attribute__((__noinline__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#define BIT(n)			(1UL << (n))
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define SZ_2M			0x00200000
#define PFN_PHYS(x)		((u64)(x) << PAGE_SHIFT)
#define strscpy(d, s, n)	((void)snprintf((d), (n), "%s", (s)))

/*
 * Stand-ins with the x86-64 SPARSEMEM_VMEMMAP code shape: struct page is
 * 64 bytes and the memmap base is a variable loaded at every use (the
 * kernel's vmemmap_base), so pfn_to_page() is "shl $6; add base" and
 * page_to_pfn() "sub base; sar $6", as in the kernel.
 */
struct page {
	unsigned long	ub_words[8];
};

extern unsigned long ub_vmemmap_base;
#define vmemmap			((struct page *)ub_vmemmap_base)
#define pfn_to_page(pfn)	(vmemmap + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - vmemmap))
#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))

struct ub_cpuinfo {
	u8	x86_phys_bits;
};

extern struct ub_cpuinfo boot_cpu_data;

/* RDTSCP waits for earlier instructions, like the kernel's rdtsc_ordered(). */
static __always_inline u64 ub_tsc(void)
{
	u32 lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux) : : "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 ub_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* Userspace controls neither preemption nor IRQs: runs record it. */
#define ub_irq_save(f)		((f) = 0)
#define ub_irq_restore(f)	((void)(f))
#define ub_preempt_off()	do { } while (0)
#define ub_preempt_on()		do { } while (0)
#define ub_resched()		do { } while (0)

typedef atomic_int ub_atomic_t;
#define ub_atomic_read(a)	atomic_load(a)
#define ub_atomic_set(a, v)	atomic_store(a, v)
#define ub_atomic_inc_return(a)	(atomic_fetch_add(a, 1) + 1)
#define ub_atomic_inc(a)	((void)atomic_fetch_add(a, 1))
#define ub_cpu_relax()		__builtin_ia32_pause()

#endif /* UB_PORT_USER_H */
