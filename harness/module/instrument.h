/* SPDX-License-Identifier: GPL-2.0 */
/*
 * instrument.h: `unmapbench instrument`, the instrument's own test: the
 * ground-truth ops (chains of k dependent adds) timed with both timer
 * modes of the timing engine, the suite's (TSC around batches, overhead
 * subtracted, paired rounds) and the map_benchmark-style baseline (every
 * op timed alone with the ns clock).
 *
 * Either place is exactly a micro sweep of the ground.* variants with
 * both timers (module/micro.h): `unmapbench micro --where W --variants
 * 'ground.*' --timer tsc,ktime ...`.
 *   --where native  the module's portable code built into this binary
 *                   (module/ubdev.h), in this process
 *   --where module  the kernel module through RUN
 */
#ifndef UB_INSTRUMENT_H
#define UB_INSTRUMENT_H

#include <stdint.h>

#include "record/opts.h"
#include "record/session.h"

#define INSTR_CPU_ANY	UINT64_MAX	/* --cpu not given */

struct instr_opts {
	struct ub_line_opts common;	/* repeat = runs per timer */
	uint64_t where;			/* enum ub_where */
	uint64_t units, batch, rounds, seed, max_wall_ms, cpu;
	struct ub_u64_list timer;
};

int cmd_instrument(int argc, char **argv);
extern const struct ub_optset instr_optset;

#endif
