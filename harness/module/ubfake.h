/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ubfake.h: the test double of the module (UB_TEST_FAKE_MODULE=1), for
 * module/ubdev.c only: INFO and RUN answered in the harness with
 * synthetic, deterministic numbers (module/ubfake.c says how).
 */
#ifndef UB_UBFAKE_H
#define UB_UBFAKE_H

#include "unmap_bench.h"

int  ubfake_enabled(void);
void ubfake_info(struct ub_info *info);
int  ubfake_run(const struct ub_info *info, struct ub_run *r);

#endif
