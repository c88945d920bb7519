// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread PMU counters (instructions, core cycles, L1D read misses) as
 * kernel perf events pinned to the thread's CPU (counting everything on
 * it), read with perf_event_read_value() just outside the preemption
 * bracket of every batch (the exported reader may sleep; the cost of an
 * empty bracket is calibrated and subtracted); and APERF/MPERF, whose
 * ratio turns TSC cycles into core cycles. Where the PMU does not offer a
 * counter, the run says which and why (never a 0).
 */
#include <linux/perf_event.h>
#include <asm/msr.h>

#include "ub.h"

static const struct {
	u32		type;
	u64		config;
	const char	*name;
} ub_pmu_events[UB_PMU_NR] = {
	[UB_PMU_INSTRUCTIONS] = { PERF_TYPE_HARDWARE,
				  PERF_COUNT_HW_INSTRUCTIONS, "instructions" },
	[UB_PMU_CORE_CYCLES] = { PERF_TYPE_HARDWARE,
				 PERF_COUNT_HW_CPU_CYCLES, "core cycles" },
	[UB_PMU_L1D_MISSES] = { PERF_TYPE_HW_CACHE,
				PERF_COUNT_HW_CACHE_L1D |
				(PERF_COUNT_HW_CACHE_OP_READ << 8) |
				(PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
				"L1D read misses" },
};

/* Why perf refused a counter, in words (the errno names need a config). */
static const char *ub_pmu_err(long err)
{
	switch (err) {
	case -ENOENT:
		return "no such event here (no PMU driver for it)";
	case -ENODEV:
		return "no PMU";
	case -EOPNOTSUPP:
		return "not supported by this PMU";
	case -EACCES:
	case -EPERM:
		return "not permitted";
	case -EINVAL:
		return "invalid for this PMU";
	case -EBUSY:
		return "counters busy";
	default:
		return "refused";
	}
}

int ub_pmu_open(struct ub_pmu *p, int cpu, char *why, size_t len)
{
	struct perf_event_attr attr;
	long err[UB_PMU_NR];
	struct perf_event *ev;
	bool same = true;
	size_t off = 0;
	int c;

	memset(p, 0, sizeof(*p));
	for (c = 0; c < UB_PMU_NR; c++) {
		memset(&attr, 0, sizeof(attr));
		attr.type = ub_pmu_events[c].type;
		attr.size = sizeof(attr);
		attr.config = ub_pmu_events[c].config;
		attr.pinned = 1;
		ev = perf_event_create_kernel_counter(&attr, cpu, NULL, NULL, NULL);
		err[c] = IS_ERR(ev) ? PTR_ERR(ev) : 0;
		same &= err[c] == err[0];
		if (!err[c]) {
			p->ev[c] = ev;
			p->avail |= BIT(c);
		}
	}
	if (p->avail == BIT(UB_PMU_NR) - 1 || why[0])
		return p->avail ? 0 : -ENODEV;
	if (same)
		scnprintf(why, len, "unavailable: %s (%ld)", ub_pmu_err(err[0]),
			  err[0]);
	else
		for (c = 0; c < UB_PMU_NR && off < len; c++)
			if (err[c])
				off += scnprintf(why + off, len - off, "%s%s: %s (%ld)",
						 off ? ", " : "unavailable: ",
						 ub_pmu_events[c].name,
						 ub_pmu_err(err[c]), err[c]);
	return p->avail ? 0 : -ENODEV;
}

void ub_pmu_read(struct ub_pmu *p, u64 *vals)
{
	u64 enabled, running;
	int c;

	for (c = 0; c < UB_PMU_NR; c++)
		vals[c] = p->ev[c] ? perf_event_read_value(p->ev[c], &enabled,
							  &running) : 0;
}

void ub_pmu_close(struct ub_pmu *p)
{
	int c;

	for (c = 0; c < UB_PMU_NR; c++)
		if (p->ev[c])
			perf_event_release_kernel(p->ev[c]);
	memset(p, 0, sizeof(*p));
}

bool ub_read_aperf_mperf(u64 *aperf, u64 *mperf)
{
	return !rdmsrq_safe(MSR_IA32_APERF, aperf) &&
	       !rdmsrq_safe(MSR_IA32_MPERF, mperf);
}
