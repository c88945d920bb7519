/* SPDX-License-Identifier: GPL-2.0 */
/*
 * instrument.h: `unmapbench instrument`, the instrument's own test: the
 * ground-truth ops (chains of k dependent adds) timed with both timer
 * modes of the timing engine, the suite's (TSC around batches, overhead
 * subtracted, paired rounds) and the map_benchmark-style baseline (every
 * op timed alone with the ns clock).
 *
 *   --where native  module/native.c: the engine's userspace build
 *                   (kmod/libubtiming.a) in this process, on one CPU
 *   --where module  the module's ground.* variants through RUN: exactly
 *                   `unmapbench micro --variants ground.* --timer
 *                   tsc,ktime ...` (module/micro.h)
 */
#ifndef UB_INSTRUMENT_H
#define UB_INSTRUMENT_H

#include <stdint.h>

#include "record/opts.h"
#include "record/session.h"

#define INSTR_CPU_ANY	UINT64_MAX	/* --cpu not given */

struct instr_opts {
	struct ub_line_opts common;	/* repeat = runs per timer */
	uint64_t where;			/* 0 native, 1 module */
	uint64_t units, batch, rounds, seed, max_wall_ms, cpu;
	struct ub_u64_list timer;
};

int cmd_instrument(int argc, char **argv);
extern const struct ub_optset instr_optset;

/* The native driver (module/native.c). */
extern const struct ub_driver ub_native_driver;

#endif
