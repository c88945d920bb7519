/* SPDX-License-Identifier: GPL-2.0 */
/* cpulist.h: the kernel's "0-3,8,10-11" CPU/node list format. */
#ifndef UB_CPULIST_H
#define UB_CPULIST_H

#include <stddef.h>

/* Parse into ints (malloc'ed *out, count returned); -1 if malformed. */
int ub_cpulist_parse(const char *s, int **out);

#endif
