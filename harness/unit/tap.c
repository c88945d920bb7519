// SPDX-License-Identifier: GPL-2.0
/* tap.c: TAP lines for ub-unit's tests (tap.h). */
#include <stdarg.h>
#include <stdio.h>

#include "record/opts.h"
#include "unit/tap.h"

static int n_fail;

void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		n_fail++;
		printf("#   last message: %s\n", ub_opt_errbuf);
	}
	fflush(stdout);
}

int tap_failures(void)
{
	return n_fail;
}
