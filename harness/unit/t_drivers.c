// SPDX-License-Identifier: GPL-2.0
/* t_drivers.c: ub-unit tests of the drivers' pieces: the teardown summary. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/util.h"
#include "teardown/teardown.h"
#include "teardown/touch.h"
#include "unit/tap.h"
#include "unit/tests.h"

/* python3 plot/teardown.py --summary through a stand-in plot/. */
void test_summary(void)
{
	char tmpl[] = "/tmp/ub-unit-plot-XXXXXX", p[PATH_MAX + 64], why[600];
	char *dir = mkdtemp(tmpl), *s;
	const char *path = getenv("PATH");
	char *saved_path = ub_xstrdup(path ? path : "");
	FILE *f;

	if (!dir) {
		ok(0, "summary: mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/teardown.py", dir);
	f = fopen(p, "w");
	fprintf(f, "import sys\nopen(%s + '/argv', 'w').write(' '.join(sys.argv[1:]))\n"
		"sys.exit('teardown.py: error: cannot summarize')\n", "sys.argv[2]");
	fclose(f);
	setenv("UB_PLOT_DIR", dir, 1);
	ok(td_summary(dir, "/base/teardown.csv", why, sizeof(why)) &&
	   strstr(why, "exited 1: teardown.py: error: cannot summarize"),
	   "summary: the script's failure is reported in one line (%s)", why);
	snprintf(p, sizeof(p), "%s/argv", dir);
	s = ub_read_file(p, 1);
	snprintf(p, sizeof(p), "--summary %s --baseline /base/teardown.csv", dir);
	ok(s && !strcmp(s, p), "summary: the command is --summary RUN_DIR "
	   "--baseline PATH (%s)", s);
	free(s);
	setenv("PATH", "/nonexistent", 1);
	ok(td_summary(dir, NULL, why, sizeof(why)) && !strcmp(why, "python3 not found"),
	   "summary: no python3 is said so (%s)", why);
	setenv("UB_PLOT_DIR", "/nonexistent-plot", 1);
	ok(td_summary(dir, NULL, why, sizeof(why)) && !strcmp(why, "python3 not found"),
	   "summary: no python3 is said first, before a missing plot/ (%s)", why);
	setenv("UB_PLOT_DIR", dir, 1);
	setenv("PATH", saved_path, 1);
	setenv("UB_PLOT_DIR", "/nonexistent-plot", 1);
	ok(td_summary(dir, NULL, why, sizeof(why)) && strstr(why, "teardown.py not found"),
	   "summary: a missing plot/ is said so (%s)", why);
	unsetenv("UB_PLOT_DIR");
	free(saved_path);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		printf("# could not remove %s\n", dir);
}

/* The touch guest's stall watchdog: a beat newer than the clock read
 * before it is progress, not 2^64 ns of silence. */
void test_touch_beat(void)
{
	const uint64_t lim = 300ULL * 1000000000ULL, now = 1000ULL * 1000000000ULL;

	ok(!touch_beat_stale(now + 5, now, lim),
	   "touch: a beat stored after the clock was read is fresh");
	ok(!touch_beat_stale(now - lim, now, lim) && !touch_beat_stale(now, now, lim),
	   "touch: a beat within the limit is fresh");
	ok(touch_beat_stale(now - lim - 1, now, lim),
	   "touch: a beat older than the limit is stale");
	ok(!touch_beat_stale(0, now, lim), "touch: no beat yet is not a stall");
}
