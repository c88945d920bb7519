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
 *   UB_IOC_PROGRESS
 *                how far the RUN in progress (if any) has come, for a
 *                caller's progress display; never blocks.
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

#define UB_ABI_VERSION		2	/* 2: layout replicas, A/A twins, 2M = 512 x 4K */

#define UB_DEBUGFS_DIR		"unmap_bench"
#define UB_CTL_PATH		"/sys/kernel/debug/unmap_bench/ctl"

#define UB_NAME_LEN		32
#define UB_REASON_LEN		128
#define UB_MAX_VARIANTS		64
#define UB_MAX_THREADS		64
#define UB_NR_REPLICAS		8	/* layout replicas of every variant's code */
#define UB_BUILD_LEN		160

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
	/*
	 * The PFN API with one reset call over a whole 2M range: a
	 * hypothetical huge-page path that Linux 7.2 never runs (it rejects
	 * non-4K removal and resets PAGE_SIZE per page). Outside the patch
	 * comparison; only at 2M.
	 */
	UB_SHAPE_RANGE		= 3,
	UB_SHAPE_NR
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
	UB_GRANULE_2M		= 2,	/* one 2M folio per op: 512 4K removals */
	UB_GRANULE_NR
};

/* 4K pages in one 2M folio: the one definition both sides use. */
#define UB_PAGES_PER_2M		512

enum ub_reset_mode {
	UB_RESET_KERNEL		= 0,	/* clear only with X86_BUG_TDX_PW_MCE */
	UB_RESET_FORCE		= 1,	/* always clear */
	UB_RESET_NR
};

/*
 * Cache state before every timed batch, set up outside the timed region
 * on every line an op of either shape reads or writes (ub_run.prep_lines
 * says which): hot re-reads them, cold flushes them.
 */
enum ub_cache_state {
	UB_CACHE_HOT		= 0,
	UB_CACHE_COLD		= 1,
	UB_CACHE_NR
};

enum ub_timer {
	UB_TIMER_TSC		= 0,	/* rdtsc_ordered() around batches */
	UB_TIMER_KTIME		= 1,	/* ktime_get_ns() per op (baseline) */
	UB_TIMER_NR
};

/* Lines the cache-state preparation covered (ub_run.prep_lines). */
#define UB_LINES_DATA		(1U << 0)	/* the units' data (if an op touches it) */
#define UB_LINES_STRUCT_PAGE	(1U << 1)	/* the units' struct pages */
#define UB_LINES_UNITS		(1U << 2)	/* the batch's slice of the unit array */
#define UB_LINES_VMEMMAP_BASE	(1U << 3)	/* the line holding vmemmap_base */
#define UB_LINES_PHYS_BITS	(1U << 4)	/* the line holding x86_phys_bits */
#define UB_LINES_PARAMS		(1U << 5)	/* the module's own per-call state */

/* PMU counters per variant (ub_run.pmu_avail, ub_result.pmu[]). */
enum ub_pmu_counter {
	UB_PMU_INSTRUCTIONS	= 0,
	UB_PMU_CORE_CYCLES	= 1,
	UB_PMU_L1D_MISSES	= 2,	/* L1D read misses */
	UB_PMU_NR
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

/*
 * One entry of the variant table. Every page and pfn variant has an A/A
 * twin (twin = 1, name suffix ".aa"): the same code, drawn at its own
 * layout replicas, so twin vs original measures what placement alone
 * does. Analysis pairs variants by (path, shape, granule, twin), never by
 * name.
 */
struct ub_variant_desc {
	char	name[UB_NAME_LEN];	/* e.g. "unmap.pfn.4k", "unmap.pfn.4k.aa" */
	__u8	shape;			/* enum ub_shape */
	__u8	path;			/* enum ub_path */
	__u8	granule;		/* enum ub_granule */
	__u8	twin;			/* 1: A/A twin of the same variant */
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
	/* --- appended in ABI 2 --- */
	__u32	nr_replicas;		/* UB_NR_REPLICAS */
	__u32	pad0;
	/* compiler, version, optimisation and alignment the module was built with */
	char	build[UB_BUILD_LEN];
	/* entry address of each variant's replica k, modulo 64 (fetch block) */
	__u8	rep_offset[UB_MAX_VARIANTS][UB_NR_REPLICAS];
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

/* ub_run.flags */
#define UB_RUN_IRQ_OFF		(1U << 0)	/* IRQs off around each batch */
#define UB_RUN_PMU		(1U << 1)	/* count PMU events per variant */
#define UB_RUN_FLAGS_ALL	(UB_RUN_IRQ_OFF | UB_RUN_PMU)

/* ub_run.status: why a run returned fewer rounds than asked (not errors). */
#define UB_STATUS_WALL_CAP	(1U << 0)	/* stopped at max_wall_ms */
#define UB_STATUS_SIGNAL	(1U << 1)	/* a signal interrupted it */
/* batch shortened to honour max_irqoff_ns */
#define UB_STATUS_IRQOFF_CLAMP	(1U << 2)

/*
 * Per (thread, variant) aggregate over the recorded rounds (warm-up
 * rounds are run and discarded). "cycles" are TSC cycles per op for a
 * batch, timer overhead already subtracted; each batch is one sample.
 * With UB_TIMER_KTIME the unit is nanoseconds instead.
 *
 * The size of struct ub_result is fixed within an ABI version; the caller
 * states the size it was built with in ub_run.result_size.
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
	/* --- ABI 2 --- */
	/*
	 * PMU counts summed over the timed batches (instructions, core
	 * cycles, L1D read misses), the cost of an empty timer bracket
	 * subtracted per batch; valid where ub_run.pmu_avail has the bit.
	 */
	__u64	pmu[UB_PMU_NR];
	/* APERF and MPERF deltas of the thread's CPU over the run, 0 = unreadable */
	__u64	aperf;
	__u64	mperf;
};

#define UB_RESULT_SIZE		128	/* sizeof(struct ub_result), ABI 2 */

/*
 * One paired sample: a variant's cost in one recorded round (the sum of
 * its batches, overhead subtracted; divide by ops/rounds for per op),
 * with the layout replica it ran at and its position in the round's
 * order.
 */
struct ub_sample {
	__u64	value;
	__u8	replica;		/* 0..nr_replicas-1 */
	__u8	position;		/* 0-based position in the round */
	__u16	pad;
	__u32	pad2;
};

#define UB_SAMPLE_SIZE		16	/* sizeof(struct ub_sample), ABI 2 */

/*
 * RUN: one measurement. Buffers are user pointers (__u64) with their
 * lengths in bytes; any too small is ENOSPC with the size needed in
 * *_needed and the reason set.
 *
 * results: struct ub_result[nr_threads * nr_selected], thread-major, in
 *          variant-table order within a thread.
 * samples: struct ub_sample[nr_threads][rounds][nr_selected], the paired
 *          per-round samples; rounds_done tells how many rounds are
 *          valid. Optional (0 = not wanted).
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
 * Rounds: first `warmup` rounds run every variant and are discarded,
 * then `rounds` recorded rounds. In a round every selected variant runs
 * once over all the thread's units. The order of the variants is
 * counterbalanced: rounds come in blocks of n (n variants; 2n when n is
 * odd) rows of a Williams design under a random relabelling, so within a
 * complete block every variant holds every position equally often and
 * follows every other equally often. Every variant runs at one of
 * nr_replicas layout replicas per round (byte-identical code whose entry
 * addresses differ within the 64-byte fetch block); each variant visits
 * its replicas in a fresh random order every nr_replicas rounds. Orders
 * and replicas are drawn from seed alone, identically on every thread.
 *
 * Threads: one kernel thread per cpus[i], bound to it; a CPU may appear
 * only once. Every thread gets nr_units units of its own from node and
 * visits them in its own order drawn from seed. The threads run in
 * lockstep: they meet at a barrier before every variant of every round,
 * so the same variant runs on every CPU at the same time.
 *
 * Cache state: before every timed batch, outside the timed region, the
 * lines any op of the run reads are re-read (hot) or flushed (cold):
 * prep_lines says which kinds of line that covered.
 *
 * Units of the results: with UB_TIMER_TSC every batch of batch_used ops
 * is one sample: its TSC cycles minus timer_overhead, divided by the ops
 * and rounded to nearest; samples[] hold the per-round totals (overhead
 * subtracted, not divided). With UB_TIMER_KTIME every op is timed alone
 * with ktime_get_ns() and is one sample (batches == ops), in ns, nothing
 * subtracted; samples[] are ns, and timer_overhead is the ns cost of an
 * empty ktime_get_ns() pair (reported, not subtracted).
 *
 * PMU (UB_RUN_PMU): per thread, kernel counters for instructions, core
 * cycles and L1D read misses on its CPU, read just outside the
 * preemption bracket of every batch, the cost of an empty bracket
 * subtracted; pmu_avail has a bit per counter every thread could use,
 * pmu_reason says why any is missing. TSC cycles are not core cycles:
 * aperf/mperf in each result give the ratio where readable.
 *
 * pfn_checksum and pages_touched count, outside the timed region, the 4K
 * pages the units of every timed op span (0 for ground-truth ops).
 * insns_used: UB_INSN_RDTSC or UB_INSN_KTIME, plus the instructions the
 * primitives of the variants that ran executed (the cache-state
 * preparation before each batch is not timed and not counted).
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
 *               CPU listed twice; result_size or sample_size (when
 *               samples are wanted) not this ABI's
 *   E2BIG       struct larger than the module knows, with a non-zero tail
 *   EOPNOTSUPP  unknown flags
 *   ERANGE      a count zero or above its limit: nr_threads 1..64,
 *               nr_units 1..1048576 (4K) or 1..2048 (2M), batch 1..65536,
 *               rounds 1..1048576, warmup 0..1024, replicas 0..8,
 *               max_wall_ms <= 3600000; samples or hist above 256 MiB
 *   ENXIO       node negative, nonexistent, offline or without memory
 *   ESRCH       a CPU >= nr_cpu_ids or offline
 *   ENOSPC      a buffer too small (results is required)
 *   ENODEV      the backend asked for is unusable here (backend_reason
 *               says why; for tdx also ub_info.tdx_reason)
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
	__u32	rounds;			/* recorded paired rounds */
	__u64	seed;			/* page order, variant order, replicas */
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
	__u32	rounds_done;		/* recorded rounds completed */
	__u32	status;			/* UB_STATUS_* */
	__u32	batch_used;		/* batch after any IRQ-off clamp */
	__u64	timer_overhead;		/* calibrated cycles (or ns) per timer pair */
	__u64	tsc_khz;
	__u64	elapsed_ns;		/* wall time of the whole run */
	__u64	results_needed;		/* bytes, on ENOSPC */
	__u64	samples_needed;
	__u64	hist_needed;
	char	backend_reason[UB_REASON_LEN]; /* why this backend */
	char	reason[UB_REASON_LEN];	/* on error: what was wrong */

	/* --- appended in ABI 2 --- */
	/* in */
	__u32	warmup;			/* rounds run first and discarded */
	__u32	replicas;		/* layout replicas drawn from; 0 = all */
	__u32	result_size;		/* UB_RESULT_SIZE */
	__u32	sample_size;		/* UB_SAMPLE_SIZE (with samples) */
	/* out */
	__u32	prep_lines;		/* UB_LINES_* the cache state covered */
	__u32	pmu_avail;		/* bit per enum ub_pmu_counter */
	__u32	replicas_used;
	__u32	warmup_done;
	char	pmu_reason[UB_REASON_LEN]; /* why a PMU counter is missing */
};

/* UB_IOC_PROGRESS (ABI 2): the RUN in progress, read while it runs. */
struct ub_run_progress {
	__u32	size;			/* in: sizeof(struct ub_run_progress) */
	__u32	running;		/* out: 1 while a RUN is in progress */
	__u32	rounds;			/* recorded rounds asked */
	__u32	rounds_done;		/* recorded rounds done (thread 0) */
	__u32	warmup;			/* warm-up rounds asked */
	__u32	warmup_done;
	__u64	elapsed_ns;		/* since the RUN started */
	__u64	reserved[4];		/* zero */
};

/* Sizes of the first published structs (ABI 1): never change. */
#define UB_INFO_SIZE_VER0	2904
#define UB_RUN_SIZE_VER0	472
#define UB_PROGRESS_SIZE_VER0	64	/* first published in ABI 2 */

/* Limits of a RUN beyond the counts above. */
#define UB_MAX_WARMUP		1024

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
#define UB_IOC_PROGRESS		_IOWR(UB_IOC_MAGIC, 0x03, struct ub_run_progress)

#endif /* _UAPI_UNMAP_BENCH_H */
