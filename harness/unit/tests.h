/* SPDX-License-Identifier: GPL-2.0 */
/* tests.h: the tests of ub-unit, one file per part (t_*.c). */
#ifndef UB_UNIT_TESTS_H
#define UB_UNIT_TESTS_H

void test_opts(void);		/* t_opts.c */
void test_micro_parse(void);
void test_profile(void);
void test_rundir(void);		/* t_record.c */
void test_rundir_names(void);
void test_writers(void);
void test_table(void);
void test_sweep(void);
void test_summary(void);	/* t_drivers.c */
void test_touch_beat(void);

#endif
