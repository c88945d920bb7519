/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * unmap_bench: the one interface between the unmap_bench module and its
 * userspace harness (unmapbench). Both sides include this file.
 *
 * The module exposes /sys/kernel/debug/unmap_bench/ctl (mode 0600, and
 * every ioctl also requires CAP_SYS_ADMIN). Two ioctls:
 *
 *   UB_IOC_INFO  what the module offers on this host: ABI version, the
 *                variant table, backends and why any is unavailable,
 *                CPU features, KeyIDs, tsc_khz.
 *   UB_IOC_RUN   one measurement: parameters in, results out through
 *                user buffers, plus a human-readable reason on failure.
 *
 * Growth rules (as for clone3/sched_setattr): every struct starts with
 * __u32 size, which userspace sets to sizeof() of the struct it was built
 * with. The ioctl number carries the same size. The module accepts any
 * size >= the *_SIZE_VER0 of that struct (a literal: the size of the
 * first version, which never changes): a smaller (older) struct is
 * zero-extended, a larger (newer) one is accepted only if the bytes the
 * module does not know are zero (else E2BIG). A size field that disagrees
 * with the size in the ioctl number is EINVAL. New fields are only ever
 * appended; UB_ABI_VERSION is bumped when their meaning changes.
 */
#ifndef _UAPI_UNMAP_BENCH_H
#define _UAPI_UNMAP_BENCH_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define UB_ABI_VERSION		1

#define UB_DEBUGFS_DIR		"unmap_bench"
#define UB_CTL_PATH		"/sys/kernel/debug/unmap_bench/ctl"

#define UB_NAME_LEN		32
#define UB_REASON_LEN		128
#define UB_MAX_VARIANTS		64
#define UB_MAX_THREADS		64

/* Backends: the primitives under the TDX wrappers. */
enum ub_backend {
	UB_BACKEND_AUTO		= 0,	/* tdx if its probe passed, else model */
	UB_BACKEND_NULL		= 1,	/* no hardware work: prices the API shape */
	UB_BACKEND_MODEL	= 2,	/* cache-line flush + line clearing model */
	UB_BACKEND_TDX		= 3,	/* real SEAMCALL + MOVDIR64B */
	UB_BACKEND_NR
};

/* API shape of a variant. */
enum ub_shape {
	UB_SHAPE_NONE		= 0,	/* ground-truth ops (validation only) */
	UB_SHAPE_PAGE		= 1,	/* pre-patch: struct page * passed down */
	UB_SHAPE_PFN		= 2,	/* Linux 7.2: kvm_pfn_t passed down */
};

/* Which part of the unmap tail a variant exercises. */
enum ub_path {
	UB_PATH_CONVERT		= 0,	/* physical + KeyID-tagged address only */
	UB_PATH_WBINVD		= 1,	/* keyed address + WBINVD primitive */
	UB_PATH_RESET		= 2,	/* quirk reset of the page/range */
	UB_PATH_UNMAP		= 3,	/* SPTE -> pfn -> WBINVD -> reset */
	UB_PATH_GROUND		= 4,	/* ground truth: k dependent adds */
	UB_PATH_NR
};

/* Unit of memory one op covers. */
enum ub_granule {
	UB_GRANULE_ANY		= 0,	/* ground truth: runs at any granule */
	UB_GRANULE_4K		= 1,	/* one 4K page per op */
	UB_GRANULE_2M		= 2,	/* one 2M folio per op */
};

/* 4K pages in one 2M folio: the one definition both sides use. */
#define UB_PAGES_PER_2M		512

enum ub_reset_mode {
	UB_RESET_KERNEL		= 0,	/* clear only with X86_BUG_TDX_PW_MCE */
	UB_RESET_FORCE		= 1,	/* always clear */
};

enum ub_cache_state {
	UB_CACHE_HOT		= 0,	/* lines left as the previous op left them */
	UB_CACHE_COLD		= 1,	/* data + struct page lines flushed first */
};

enum ub_timer {
	UB_TIMER_TSC		= 0,	/* rdtsc_ordered() around batches */
	UB_TIMER_KTIME		= 1,	/* ktime_get_ns() per op (baseline) */
};

/* CPU features and bugs the module looked at (ub_info.cpu_features). */
#define UB_FEAT_CLFLUSH		(1U << 0)
#define UB_FEAT_CLFLUSHOPT	(1U << 1)
#define UB_FEAT_CLWB		(1U << 2)
#define UB_FEAT_MOVDIR64B	(1U << 3)
#define UB_FEAT_RDTSCP		(1U << 4)
#define UB_FEAT_CONSTANT_TSC	(1U << 5)
#define UB_FEAT_NONSTOP_TSC	(1U << 6)
#define UB_FEAT_TDX_HOST	(1U << 7)	/* X86_FEATURE_TDX_HOST_PLATFORM */
#define UB_FEAT_BUG_TDX_PW_MCE	(1U << 8)	/* X86_BUG_TDX_PW_MCE */
#define UB_FEAT_HYPERVISOR	(1U << 9)	/* running as a guest */

/* Instructions that actually ran in a RUN (ub_run.insns_used). */
#define UB_INSN_CLFLUSH		(1U << 0)
#define UB_INSN_CLFLUSHOPT	(1U << 1)
#define UB_INSN_MOVDIR64B	(1U << 2)
#define UB_INSN_MOVNTI		(1U << 3)
#define UB_INSN_SFENCE		(1U << 4)
#define UB_INSN_MFENCE		(1U << 5)
#define UB_INSN_SEAMCALL	(1U << 6)
#define UB_INSN_RDTSC		(1U << 7)	/* rdtsc_ordered() */
#define UB_INSN_KTIME		(1U << 8)	/* ktime_get_ns() */

struct ub_variant_desc {
	char	name[UB_NAME_LEN];	/* e.g. "unmap.pfn.4k" */
	__u8	shape;			/* enum ub_shape */
	__u8	path;			/* enum ub_path */
	__u8	granule;		/* enum ub_granule */
	__u8	pad;
	__u32	param;			/* ground truth: number of adds, else 0 */
};

struct ub_info {
	__u32	size;			/* in: sizeof(struct ub_info) */
	__u32	abi_version;		/* out: UB_ABI_VERSION */
	char	module_version[UB_NAME_LEN];
	__u32	backends;		/* bit (1 << enum ub_backend) if usable */
	__u32	auto_backend;		/* what UB_BACKEND_AUTO resolves to */
	char	tdx_reason[UB_REASON_LEN];  /* why tdx is (un)usable */
	char	auto_reason[UB_REASON_LEN]; /* why auto chose what it chose */
	__u32	cpu_features;		/* UB_FEAT_* */
	__u32	x86_phys_bits;		/* boot_cpu_data.x86_phys_bits */
	__u32	nr_mktme_keyids;	/* from MSR 0x87, 0 if unreadable */
	__u32	nr_tdx_keyids;
	__u32	tdx_global_keyid;	/* nr_mktme_keyids + 1, 0 if no TDX */
	__u32	nr_variants;
	__u64	tsc_khz;
	__u32	max_threads;		/* UB_MAX_THREADS */
	__u32	hist_buckets;		/* UB_HIST_BUCKETS */
	struct ub_variant_desc variants[UB_MAX_VARIANTS];
};

/* Does variant @v run in a RUN of @granule? (module and harness alike) */
static inline int ub_variant_applies(const struct ub_variant_desc *v,
				     __u32 granule)
{
	return v->granule == UB_GRANULE_ANY || v->granule == granule;
}

/* 4K pages one unit of @granule covers. */
static inline __u32 ub_granule_pages(__u32 granule)
{
	return granule == UB_GRANULE_2M ? UB_PAGES_PER_2M : 1;
}

#define UB_INFO_SIZE_VER0	2904	/* first published struct ub_info */

/* ub_run.flags */
#define UB_RUN_IRQ_OFF		(1U << 0)	/* IRQs off around each batch */
#define UB_RUN_FLAGS_ALL	(UB_RUN_IRQ_OFF)

/* ub_run.status: why a run returned fewer rounds than asked (not errors). */
#define UB_STATUS_WALL_CAP	(1U << 0)	/* stopped at max_wall_ms */
#define UB_STATUS_SIGNAL	(1U << 1)	/* a signal interrupted it */
/* batch shortened to honour max_irqoff_ns */
#define UB_STATUS_IRQOFF_CLAMP	(1U << 2)

/*
 * Per (thread, variant) aggregate. "cycles" are TSC cycles per op for a
 * batch, timer overhead already subtracted; each batch is one sample.
 * With UB_TIMER_KTIME the unit is nanoseconds instead.
 */
struct ub_result {
	__u32	variant;		/* index into ub_info.variants */
	__u32	thread;
	__u32	cpu;			/* CPU the thread ran on */
	__s32	node;			/* node the pages came from */
	__u64	ops;			/* ops timed in total */
	__u64	batches;		/* samples in sum/sumsq/min/max/hist */
	__u64	sum;			/* sum over batches of cycles/op */
	__u64	sumsq_hi;		/* 128-bit sum of squares, */
	__u64	sumsq_lo;		/*   high and low halves */
	__u64	min;
	__u64	max;
	/* sum of PFNs visited: equal for page and pfn shapes on the same pages */
	__u64	pfn_checksum;
	__u64	pages_touched;		/* 4K pages covered by all ops */
};

/*
 * RUN: one measurement. Buffers are user pointers (__u64) with their
 * lengths in bytes; any too small is ENOSPC with the size needed in
 * *_needed and the reason set.
 *
 * results: struct ub_result[nr_threads * nr_selected], thread-major, in
 *          variant-table order within a thread.
 * samples: __u64[nr_threads][rounds][nr_selected]: total cycles of that
 *          variant in that round (sum of its batches, overhead
 *          subtracted), the paired per-round samples; rounds_done tells
 *          how many rounds are valid. Optional (0 = not wanted).
 * hist:    __u32[nr_threads * nr_selected][UB_HIST_BUCKETS] of per-batch
 *          cycles/op (see ub_hist_bucket() below). Optional.
 */
/*
 * RUN semantics, as the module implements them:
 *
 * Concurrency: one RUN at a time; a second concurrent RUN fails at once
 * with EBUSY (it is not queued). INFO may run at any time.
 *
 * Interruption: the caller sleeps interruptibly while the run's kernel
 * threads work. A signal makes every thread stop before its next batch
 * (so within one batch); the ioctl then returns 0 with UB_STATUS_SIGNAL
 * and what was measured so far. max_wall_ms ends a run the same way with
 * UB_STATUS_WALL_CAP. With either bit set, ops/batches may include a
 * partial last round; samples are valid for rounds_done rounds only.
 *
 * Threads: one kernel thread per cpus[i], bound to it; a CPU may appear
 * only once. Every thread gets nr_units units of its own from node and
 * visits them in its own order drawn from seed. Round 0 is kept (warm-up
 * is the caller's choice).
 *
 * Units of the results: with UB_TIMER_TSC every batch of batch_used ops
 * is one sample: its TSC cycles minus timer_overhead, divided by the ops
 * and rounded to nearest; samples[] hold the per-round totals (overhead
 * subtracted, not divided). With UB_TIMER_KTIME every op is timed alone
 * with ktime_get_ns() and is one sample (batches == ops), in ns, nothing
 * subtracted; samples[] are ns, and timer_overhead is the ns cost of an
 * empty ktime_get_ns() pair (reported, not subtracted).
 *
 * pfn_checksum and pages_touched count, outside the timed region, the 4K
 * pages the units of every timed op span (0 for ground-truth ops).
 * insns_used: UB_INSN_RDTSC or UB_INSN_KTIME, plus the instructions the
 * primitives of the variants that ran executed (the cold-state flushing
 * before each batch is not timed and not counted).
 *
 * Errors: the ioctl fails with errno set; reason[] says what was wrong
 * (except EPERM, ENOTTY and an unreadable struct), and *_needed are set
 * once the counts are valid.
 *   EPERM       no CAP_SYS_ADMIN
 *   ENOTTY      not a UB_IOC_* command
 *   EFAULT      struct, cpus[] or an output buffer not accessible
 *   EINVAL      size field differs from the size in the ioctl number, or is
 *               below *_SIZE_VER0; pad0 not zero; an enum value out of
 *               range (a run's granule is 4K or 2M); variant_mask empty,
 *               beyond nr_variants or with no variant of the granule; a
 *               CPU listed twice
 *   E2BIG       struct larger than the module knows, with a non-zero tail
 *   EOPNOTSUPP  unknown flags
 *   ERANGE      a count zero or above its limit: nr_threads 1..64,
 *               nr_units 1..1048576 (4K) or 1..2048 (2M), batch 1..65536,
 *               rounds 1..1048576, max_wall_ms <= 3600000; samples or
 *               hist above 256 MiB
 *   ENXIO       node negative, nonexistent, offline or without memory
 *   ESRCH       a CPU >= nr_cpu_ids or offline
 *   ENOSPC      a buffer too small (results is required)
 *   ENODEV      backend tdx asked for and its probe failed (see
 *               backend_reason, also ub_info.tdx_reason)
 *   ENOMEM      the pages do not fit in the node's free memory less a
 *               margin (free/8 + 16 MiB), checked before allocating; or an
 *               allocation failed (everything is freed again)
 *   EBUSY       another RUN is in progress
 *   EIO         a SEAMCALL failed during the run (tdx backend)
 */
struct ub_run {
	__u32	size;			/* in: sizeof(struct ub_run) */
	__u32	flags;			/* UB_RUN_* */
	__u32	backend;		/* enum ub_backend */
	__u32	reset_mode;		/* enum ub_reset_mode */
	__u32	cache_state;		/* enum ub_cache_state */
	__u32	granule;		/* enum ub_granule (4K or 2M) */
	__u32	timer;			/* enum ub_timer */
	__s32	node;			/* NUMA node for the pages */
	__u64	variant_mask;		/* bit i selects ub_info.variants[i] */
	__u64	nr_units;		/* pages (4K) or folios (2M) per thread */
	__u32	batch;			/* ops per timed batch */
	__u32	rounds;			/* paired rounds */
	__u64	seed;			/* page and variant order */
	__u64	max_irqoff_ns;		/* with UB_RUN_IRQ_OFF; 0 = no bound */
	__u64	max_wall_ms;		/* 0 = module default (60 s) */
	__u32	nr_threads;
	__u32	pad0;
	__u64	cpus;			/* in: __u32[nr_threads], CPU per thread */

	__u64	results;		/* out buffers, see above */
	__u64	results_len;
	__u64	samples;
	__u64	samples_len;
	__u64	hist;
	__u64	hist_len;

	/* out */
	__u32	nr_selected;		/* variants selected and applicable */
	__u32	backend_used;		/* enum ub_backend after AUTO */
	__u32	insns_used;		/* UB_INSN_* that actually ran */
	__u32	rounds_done;
	__u32	status;			/* UB_STATUS_* */
	__u32	batch_used;		/* batch after any IRQ-off clamp */
	__u64	timer_overhead;		/* calibrated cycles per timer pair */
	__u64	tsc_khz;
	__u64	elapsed_ns;		/* wall time of the whole run */
	__u64	results_needed;		/* bytes, on ENOSPC */
	__u64	samples_needed;
	__u64	hist_needed;
	char	backend_reason[UB_REASON_LEN]; /* why this backend */
	char	reason[UB_REASON_LEN];	/* on error: what was wrong */
};

#define UB_RUN_SIZE_VER0	472	/* first published struct ub_run */

/*
 * Log-linear histogram of cycles per op: values below 2^UB_HIST_SUB_BITS
 * have a bucket each; above, every power of two is split into
 * 2^UB_HIST_SUB_BITS buckets, so a bucket is at most 1/128 (0.78%) wide
 * relative to its lower bound. Values >= 2^UB_HIST_MAX_BITS land in the
 * last bucket.
 */
#define UB_HIST_SUB_BITS	7
#define UB_HIST_SUB		(1U << UB_HIST_SUB_BITS)
#define UB_HIST_MAX_BITS	40
#define UB_HIST_BUCKETS		(UB_HIST_SUB * (UB_HIST_MAX_BITS - UB_HIST_SUB_BITS + 1))

static inline __u32 ub_hist_bucket(__u64 v)
{
	unsigned int msb, mag;

	if (v < UB_HIST_SUB)
		return (__u32)v;
	msb = 63 - __builtin_clzll(v);
	if (msb >= UB_HIST_MAX_BITS)
		return UB_HIST_BUCKETS - 1;
	mag = msb - UB_HIST_SUB_BITS;
	return UB_HIST_SUB + mag * UB_HIST_SUB +
	       (__u32)((v >> mag) - UB_HIST_SUB);
}

/* Smallest value that falls in bucket b. */
static inline __u64 ub_hist_lower(__u32 b)
{
	__u32 mag;

	if (b < UB_HIST_SUB)
		return b;
	mag = (b - UB_HIST_SUB) / UB_HIST_SUB;
	return (__u64)(UB_HIST_SUB + (b - UB_HIST_SUB) % UB_HIST_SUB) << mag;
}

#define UB_IOC_MAGIC		0xB9
#define UB_IOC_INFO		_IOWR(UB_IOC_MAGIC, 0x01, struct ub_info)
#define UB_IOC_RUN		_IOWR(UB_IOC_MAGIC, 0x02, struct ub_run)

#endif /* _UAPI_UNMAP_BENCH_H */
