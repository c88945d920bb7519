/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the kernel-only part of the unmap_bench module:
 * the model and tdx backends, backend probing, the ioctls and the RUN's
 * threads. The portable part (variants, engine, checks) is ub_core.h.
 *
 *   ub_main.c      load/unload, the debugfs file, ioctl dispatch
 *   ub_info.c      UB_IOC_INFO
 *   ub_run.c       UB_IOC_RUN: pages, threads, cache state, collection
 *   ub_pmu.c       per-thread PMU counters and APERF/MPERF
 *   ub_backend.c   which backends are usable (tdx probe) and the lock
 *                  that serialises probing
 */
#ifndef UB_H
#define UB_H

#include <linux/mutex.h>

#include "ub_core.h"

#define UB_MODULE_VERSION	"2.0.0"

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

/*
 * ub_backend.c: probe the tdx backend (under ub_probe_lock) and describe
 * every backend for ub_choose_backend(). Returns with the lock held;
 * release with ub_backends_put().
 */
void ub_backends_get(struct ub_backends *bs);
void ub_backends_put(void);

/* ub_info.c, ub_run.c: the ioctls (@uarg is the user pointer). */
u32 ub_cpu_features(void);
long ub_ioctl_info(u64 uarg, u32 usize);
long ub_ioctl_run(u64 uarg, u32 usize);
long ub_ioctl_progress(u64 uarg, u32 usize);

/* ub_pmu.c: PMU counters of one thread on its CPU. */
struct ub_pmu {
	struct perf_event	*ev[UB_PMU_NR];
	u32			avail;		/* bit per counter */
};

int ub_pmu_open(struct ub_pmu *p, int cpu, char *why, size_t len);
void ub_pmu_read(struct ub_pmu *p, u64 *vals);
void ub_pmu_close(struct ub_pmu *p);
/* APERF and MPERF of this CPU; false when unreadable. */
bool ub_read_aperf_mperf(u64 *aperf, u64 *mperf);

#endif /* UB_H */
