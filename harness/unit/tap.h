/* SPDX-License-Identifier: GPL-2.0 */
/* tap.h: TAP output for ub-unit: "ok - DESC" or "not ok - DESC" (with the
 * last option-parser message when it failed). */
#ifndef UB_TAP_H
#define UB_TAP_H

void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  tap_failures(void);

#endif
