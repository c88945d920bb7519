// SPDX-License-Identifier: GPL-2.0
/* perfctr.c: perf_event_open counters per CPU, see perfctr.h. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "module/perfctr.h"
#include "record/util.h"

const char *const ub_perf_names[UB_PERF_NR] = {
	"cycles", "instructions", "llc_misses", "dtlb_misses",
};

static void attr_for(int which, struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->disabled = 1;
	a->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			 PERF_FORMAT_TOTAL_TIME_RUNNING;
	switch (which) {
	case 0:
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_CPU_CYCLES;
		break;
	case 1:
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_INSTRUCTIONS;
		break;
	case 2:
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_CACHE_MISSES;
		break;
	default:
		a->type = PERF_TYPE_HW_CACHE;
		a->config = PERF_COUNT_HW_CACHE_DTLB |
			    (PERF_COUNT_HW_CACHE_OP_READ << 8) |
			    (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
		break;
	}
}

static void reason(int err, char *buf, size_t n)
{
	char *par = ub_read_file("/proc/sys/kernel/perf_event_paranoid", 1);

	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(buf, n, "not supported here (%s): no such hardware "
			 "counter, e.g. a VM without a virtual PMU", strerror(err));
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, n, "refused (%s): CPU-wide counters need root or "
			 "CAP_PERFMON, or perf_event_paranoid <= 0 (now %s)",
			 strerror(err), par ? par : "unknown");
		break;
	case ENOSYS:
		snprintf(buf, n, "perf_event_open not available in this kernel");
		break;
	default:
		snprintf(buf, n, "perf_event_open failed: %s", strerror(err));
	}
	free(par);
}

void perfctr_open(struct ub_perf *p, const int *cpus, int ncpus)
{
	p->n = ncpus * UB_PERF_NR;
	p->c = ub_xcalloc((size_t)p->n, sizeof(*p->c));
	for (int i = 0; i < ncpus; i++)
		for (int w = 0; w < UB_PERF_NR; w++) {
			struct ub_perf_ctr *c = &p->c[i * UB_PERF_NR + w];
			struct perf_event_attr a;

			c->cpu = cpus[i];
			c->which = w;
			attr_for(w, &a);
			c->fd = (int)syscall(SYS_perf_event_open, &a, -1, cpus[i],
					     -1, PERF_FLAG_FD_CLOEXEC);
			if (c->fd < 0)
				reason(errno, c->why, sizeof(c->why));
		}
}

void perfctr_start(struct ub_perf *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->c[i].fd >= 0) {
			ioctl(p->c[i].fd, PERF_EVENT_IOC_RESET, 0);
			ioctl(p->c[i].fd, PERF_EVENT_IOC_ENABLE, 0);
		}
}

void perfctr_stop(struct ub_perf *p)
{
	for (int i = 0; i < p->n; i++) {
		struct ub_perf_ctr *c = &p->c[i];
		uint64_t v[3];

		if (c->fd < 0)
			continue;
		ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
		if (read(c->fd, v, sizeof(v)) != (ssize_t)sizeof(v)) {
			snprintf(c->why, sizeof(c->why), "read failed: %s",
				 strerror(errno));
			continue;
		}
		if (v[2] == 0) {
			snprintf(c->why, sizeof(c->why),
				 "counter never ran (PMU busy or multiplexed out)");
			continue;
		}
		c->valid = 1;
		if (v[2] < v[1]) {
			c->value = (uint64_t)((double)v[0] * (double)v[1] / (double)v[2]);
			snprintf(c->note, sizeof(c->note),
				 "cpu-wide during RUN; scaled, counted %.0f%% of the time",
				 100.0 * (double)v[2] / (double)v[1]);
		} else {
			c->value = v[0];
			snprintf(c->note, sizeof(c->note), "cpu-wide during RUN");
		}
	}
}

void perfctr_close(struct ub_perf *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->c[i].fd >= 0)
			close(p->c[i].fd);
	free(p->c);
	p->c = NULL;
	p->n = 0;
}
