/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ubdev.h: the unmap_bench module's control file (kmod/uapi/unmap_bench.h).
 *
 * ubdev_open() opens UB_CTL_PATH and asks UB_IOC_INFO. When it fails it
 * says why in info->why and in a message, telling apart: debugfs not
 * mounted, module not loaded (with the exact insmod command), permission
 * (root + CAP_SYS_ADMIN needed), ABI version mismatch (module vs harness),
 * and any other errno with the module's reason text.
 *
 * For tests only: UB_TEST_FAKE_MODULE=1 in the environment replaces the
 * device by a simulation in the harness (module/ubfake.c) that answers
 * INFO and RUN with synthetic, deterministic numbers. Everything it
 * produces is labelled "simulated" (module version, backend reason,
 * meta.json) and is not a measurement.
 */
#ifndef UB_UBDEV_H
#define UB_UBDEV_H

#include <stddef.h>

#include "record/meta.h"	/* struct ub_modstatus */
#include "unmap_bench.h"

#define UB_INSMOD_HINT \
	"load it with: insmod kmod/unmap_bench.ko (built by 'make kmod'); " \
	"in the testbed use 'make vm-bench'"

struct ubdev {
	int	fd;			/* -1 when simulated */
	int	simulated;
	struct ub_modstatus mi;
};

/* Open + INFO. 0, or -1 with d->mi.why set (and logged unless quiet). */
int  ubdev_open(struct ubdev *d, int quiet);
void ubdev_close(struct ubdev *d);
/* Probe without keeping it open (for info and meta.json). */
void ubdev_probe(struct ub_modstatus *mi);
/* One RUN. 0, or -1 with errno (r->reason says what was wrong; the
 * caller reports it). */
int  ubdev_run(struct ubdev *d, struct ub_run *r);

/* "clflushopt;movdir64b;rdtsc" (lower-case names of UB_INSN_* bits). */
char *ub_insns_str(unsigned insns, char *buf, size_t n);
/* "wall_cap;signal" or "ok". */
char *ub_status_str(unsigned status, char *buf, size_t n);
/* Comma list of backends in a UB backends bit mask. */
char *ub_backends_str(unsigned mask, char *buf, size_t n);

#endif
