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
 * Where the module's code runs (ubdev_set_where(); default module, or
 * UB_WHERE=native in the environment):
 *   UB_WHERE_MODULE  the kernel module, through its control file
 *   UB_WHERE_NATIVE  the module's own portable code (checks, variants,
 *                    null backend, engine) built into this binary
 *                    (kmod/libubcore.a, ub_user_ioctl()): the same INFO and
 *                    RUN answers, errnos and reasons, run in userspace. Its
 *                    figures are real measurements of the null backend's
 *                    code in userspace, labelled native everywhere; it is
 *                    also what the harness's tests use on machines that
 *                    cannot load the module.
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
	int	fd;			/* -1 when native */
	unsigned where;			/* enum ub_where */
	struct ub_modstatus mi;
};

/* Where the next ubdev_open() goes: 0, or -1 (a session may use one). */
int  ubdev_set_where(unsigned where);
unsigned ubdev_where(void);
/* Open + INFO. 0, or -1 with d->mi.why set (and logged unless quiet). */
int  ubdev_open(struct ubdev *d, int quiet);
void ubdev_close(struct ubdev *d);
/* Probe without keeping it open (for info and meta.json). */
void ubdev_probe(struct ub_modstatus *mi);
/* One RUN. 0, or -1 with errno (r->reason says what was wrong; the
 * caller reports it). */
int  ubdev_run(struct ubdev *d, struct ub_run *r);
/* How far the RUN in progress (another thread's) has come: 0 or -1. */
int  ubdev_progress(struct ubdev *d, struct ub_run_progress *p);

/*
 * "clflushopt;movdir64b;rdtsc" (lower-case names of UB_INSN_* bits; the
 * timers natively are rdtscp and clock_gettime).
 */
char *ub_insns_str(unsigned insns, unsigned where, char *buf, size_t n);
/* ";"-joined names of the bits of MASK from value list EN (bit = value). */
char *ub_bits_str(unsigned mask, int en, char *buf, size_t n);
/* "wall_cap;signal" or "ok". */
char *ub_status_str(unsigned status, char *buf, size_t n);
/* Comma list of backends in a UB backends bit mask. */
char *ub_backends_str(unsigned mask, char *buf, size_t n);

#endif
