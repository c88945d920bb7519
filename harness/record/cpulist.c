// SPDX-License-Identifier: GPL-2.0
/* cpulist.c: parse the kernel's list format ("0-3,8,10-11"). */
#include <ctype.h>
#include <stdlib.h>

#include "record/cpulist.h"
#include "record/util.h"

int ub_cpulist_parse(const char *s, int **out)
{
	int n = 0, cap = 16, *v = ub_xmalloc(sizeof(int) * (size_t)cap);

	while (s && *s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s || a < 0)
			goto bad;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				goto bad;
			s = end;
		}
		if (b - a > 1 << 20)
			goto bad;
		for (long i = a; i <= b; i++) {
			if (n == cap) {
				cap *= 2;
				v = ub_xrealloc(v, sizeof(int) * (size_t)cap);
			}
			v[n++] = (int)i;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n' && !isspace((unsigned char)*s))
			goto bad;
		while (*s && isspace((unsigned char)*s) && *s != '\n')
			s++;
	}
	*out = v;
	return n;
bad:
	free(v);
	*out = NULL;
	return -1;
}
