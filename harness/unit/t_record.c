// SPDX-License-Identifier: GPL-2.0
/* t_record.c: ub-unit tests of the run record: run directories, writers,
 * schema rows, the sweep. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/csv.h"
#include "record/json.h"
#include "record/rundir.h"
#include "record/optval.h"
#include "record/sweep.h"
#include "record/table.h"
#include "record/util.h"
#include "unit/tap.h"
#include "unit/tests.h"

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") &&
					       strcmp(de->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

static void interrupted(const char *base);

void test_rundir(void)
{
	char tmpl[] = "/tmp/ub-unit-XXXXXX", p[PATH_MAX + 64], *s;
	char *base = mkdtemp(tmpl);
	struct ub_rundir rd;
	struct stat st;
	FILE *f;

	if (!base) {
		ok(0, "rundir: mkdtemp");
		return;
	}
	/* Existing final directory: refused, untouched. */
	snprintf(p, sizeof(p), "%s/old", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/old/keep.txt", base);
	f = fopen(p, "w");
	fputs("precious\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/old", base);
	ok(rundir_create(&rd, p) && errno == EEXIST, "rundir: existing directory refused");
	snprintf(p, sizeof(p), "%s/old/keep.txt", base);
	s = ub_read_file(p, 1);
	snprintf(p, sizeof(p), "%s/old", base);
	ok(s && !strcmp(s, "precious") && count_entries(p) == 1,
	   "rundir: existing directory untouched");
	free(s);
	snprintf(p, sizeof(p), "%s/.old.partial", base);
	ok(stat(p, &st) != 0, "rundir: no partial directory made for a refused name");

	/* A run that completes. */
	snprintf(p, sizeof(p), "%s/sub/run1", base);
	ok(!rundir_create(&rd, p), "rundir: create (parent made as needed)");
	snprintf(p, sizeof(p), "%s/sub/.run1.partial/status", base);
	s = ub_read_file(p, 1);
	ok(s && !strcmp(s, "running"), "rundir: .NAME.partial/status is 'running'");
	free(s);
	snprintf(p, sizeof(p), "%s/sub/run1", base);
	ok(stat(p, &st) != 0, "rundir: final name absent while running");
	f = fopen(rundir_file(&rd, "x.csv"), "w");
	fputs("a\n", f);
	fclose(f);
	/* Same name again while it runs: refused. */
	{
		struct ub_rundir rd2;

		ok(rundir_create(&rd2, p) && errno == EEXIST,
		   "rundir: a running (partial) name is refused too");
	}
	ok(!rundir_complete(&rd), "rundir: complete");
	snprintf(p, sizeof(p), "%s/sub/run1/status", base);
	s = ub_read_file(p, 1);
	ok(s && !strcmp(s, "complete"), "rundir: renamed, status 'complete'");
	free(s);
	snprintf(p, sizeof(p), "%s/sub/run1/x.csv", base);
	ok(stat(p, &st) == 0, "rundir: files moved with it");
	snprintf(p, sizeof(p), "%s/sub/.run1.partial", base);
	ok(stat(p, &st) != 0, "rundir: no partial left behind");

	interrupted(base);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd))
			printf("# could not remove %s\n", base);
	}
}

/* A run that is interrupted stays partial; the default name's shape. */
static void interrupted(const char *base)
{
	char p[PATH_MAX + 64], *s;
	struct ub_rundir rd;
	struct stat st;

	snprintf(p, sizeof(p), "%s/run2", base);
	ok(!rundir_create(&rd, p), "rundir: create second");
	rundir_fail(&rd, "interrupted: SIGINT after %d/%d runs", 3, 12);
	snprintf(p, sizeof(p), "%s/.run2.partial/status", base);
	s = ub_read_file(p, 1);
	ok(s && !strcmp(s, "interrupted: SIGINT after 3/12 runs"),
	   "rundir: interrupted run stays partial with its status");
	free(s);
	snprintf(p, sizeof(p), "%s/run2", base);
	ok(stat(p, &st) != 0, "rundir: interrupted run not renamed");

	/* Default name shape. */
	ok(!rundir_default_path(p, sizeof(p), "res", NULL) && !strncmp(p, "res/", 4) &&
	   strlen(p) > 4 + 16 && p[4 + 8] == 'T' && p[4 + 15] == 'Z' && p[4 + 16] == '-',
	   "rundir: default name res/YYYYmmddTHHMMSSZ-host-krel (%s)", p);
}

void test_writers(void)
{
	char path[] = "/tmp/ub-unit-csv-XXXXXX";
	int fd = mkstemp(path);
	struct ub_csv *c;
	char *s;
	struct ub_json j;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	close(fd);
	c = ub_csv_open(path, "a,b", 0);
	ub_csv_str(c, "x");
	ok(ub_csv_end_row(c) == -1, "csv: a short row is refused");
	ok(ub_csv_close(c) == -1, "csv: close reports the bad row");
	c = ub_csv_open(path, "a,b", 0);
	ub_csv_str(c, "1");
	ub_csv_str(c, "2");
	ub_csv_end_row(c);
	ub_csv_close(c);
	c = ub_csv_open(path, "a,b", UB_CSV_APPEND);
	ub_csv_str(c, "3");
	ub_csv_str(c, "4");
	ub_csv_end_row(c);
	ub_csv_close(c);
	s = ub_read_file(path, 0);
	ok(s && !strcmp(s, "a,b\n1,2\n3,4\n"), "csv: append keeps one header");
	free(s);
	ok(ub_csv_open(path, "a,c", UB_CSV_APPEND) == NULL,
	   "csv: append with other columns is refused");
	unlink(path);

	f = open_memstream(&buf, &len);
	ub_json_init(&j, f, 0);
	ub_json_arr_begin(&j, NULL);
	ub_json_int(&j, "key", 1);
	ok(j.err, "json: a key inside an array is misuse");
	fclose(f);
	free(buf);
	f = open_memstream(&buf, &len);
	ub_json_init(&j, f, 0);
	ub_json_obj_begin(&j, NULL);
	ok(ub_json_finish(&j) == -1, "json: an unclosed object is refused");
	fclose(f);
	free(buf);
	f = open_memstream(&buf, &len);
	ub_json_init(&j, f, 0);
	ub_json_obj_begin(&j, NULL);
	ub_json_str(&j, "s", "q\"\\\n\x01");
	ub_json_obj_end(&j);
	ub_json_finish(&j);
	fclose(f);
	ok(buf && !strcmp(buf, "{\"s\":\"q\\\"\\\\\\n\\u0001\"}"),
	   "json: escapes quote, backslash, newline, control (%s)", buf);
	free(buf);
}


/* Default names made unique; a stale partial never blocks a run. */
void test_rundir_names(void)
{
	char tmpl[] = "/tmp/ub-unit-names-XXXXXX", p[PATH_MAX], q[PATH_MAX + 64];
	char *base = mkdtemp(tmpl), *s;
	struct ub_rundir rd, rd2;
	struct stat st;
	int suffixed = 0;

	if (!base) {
		ok(0, "rundir names: mkdtemp");
		return;
	}
	setenv("UB_RESULTS_DIR", base, 1);
	/* The default name taken: the run gets NAME-2 (retried if the second
	 * turned meanwhile, which gives a fresh name instead). */
	for (int tries = 0; tries < 3 && !suffixed; tries++) {
		rundir_default_path(p, sizeof(p), NULL, NULL);
		mkdir(p, 0755);
		if (rundir_open(&rd, NULL, NULL))
			break;
		snprintf(q, sizeof(q), "%s-2", p);
		suffixed = !strcmp(rd.final, q);
		rundir_complete(&rd);
	}
	ok(suffixed, "rundir: a taken default name gets the suffix -2 (%s)", rd.final);
	unsetenv("UB_RESULTS_DIR");

	/* A stale partial (no process holds it) of an explicit --out. */
	snprintf(p, sizeof(p), "%s/.stale.partial", base);
	mkdir(p, 0755);
	snprintf(q, sizeof(q), "%s/status", p);
	s = ub_xasprintf("echo running > '%s'", q);
	if (system(s))
		printf("# could not write %s\n", q);
	free(s);
	snprintf(q, sizeof(q), "%s/stale", base);
	ok(!rundir_create(&rd, q) && strstr(rd.partial, ".stale.partial-2"),
	   "rundir: a stale .NAME.partial does not block --out NAME (%s)", rd.partial);
	ok(!rundir_complete(&rd) && stat(q, &st) == 0,
	   "rundir: ... and the run completes under NAME");
	snprintf(q, sizeof(q), "%s/status", p);
	s = ub_read_file(q, 1);
	ok(s && !strcmp(s, "running"), "rundir: ... the stale one is left as it was");
	free(s);

	/* A live partial (this process holds it) still refuses. */
	snprintf(q, sizeof(q), "%s/live", base);
	ok(!rundir_create(&rd, q) && rundir_create(&rd2, q) && errno == EEXIST,
	   "rundir: a live .NAME.partial refuses a second run of NAME");
	rundir_fail(&rd, "failed: test");
	ok(!rundir_create(&rd2, q) && strstr(rd2.partial, ".live.partial-2"),
	   "rundir: once its process let go, it is stale");
	rundir_fail(&rd2, "failed: test");
	snprintf(p, sizeof(p), "rm -rf '%s'", base);
	if (system(p))
		printf("# could not remove %s\n", base);
}

/* A counters.csv row through the row object; SKIP leaves a cell out,
 * TWICE sets one twice. Returns ub_row_end()'s verdict. */
static int counters_row(struct ub_table *t, int skip, int twice)
{
	if (skip != COUNTERS_run_id)
		ub_cell_int(t, COUNTERS_run_id, 1);
	if (skip != COUNTERS_cpu)
		ub_cell_int(t, COUNTERS_cpu, 0);
	if (skip != COUNTERS_counter)
		ub_cell_str(t, COUNTERS_counter, "cycles");
	if (skip != COUNTERS_value)
		ub_cell_uint(t, COUNTERS_value, 42);
	if (twice)
		ub_cell_uint(t, COUNTERS_value, 43);
	if (skip != COUNTERS_note)
		ub_cell_str(t, COUNTERS_note, "");
	return ub_row_end(t);
}

void test_table(void)
{
	char tmpl[] = "/tmp/ub-unit-table-XXXXXX", p[PATH_MAX + 32], *s;
	char *dir = mkdtemp(tmpl);
	struct ub_table *t;

	if (!dir) {
		ok(0, "table: mkdtemp");
		return;
	}
	t = ub_table_open(dir, UB_TABLE_COUNTERS, 0);
	ok(t && !counters_row(t, -1, 0), "table: a complete row is written");
	ok(counters_row(t, COUNTERS_note, 0) == -1 &&
	   strstr(ub_table_error(t), "column 'note': not set"),
	   "table: a row with a cell missing is refused");
	ok(!counters_row(t, -1, 0) && ub_table_flush(t) == -1,
	   "table: a refused row makes the table's files fail (flush)");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_COUNTERS, 0);
	ok(counters_row(t, -1, 1) == -1, "table: a cell set twice refuses the row");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_COUNTERS, 0);
	ub_cell_special(t, COUNTERS_value, "unavailable");
	ub_cell_int(t, COUNTERS_run_id, 1);
	ub_cell_int(t, COUNTERS_cpu, 0);
	ub_cell_str(t, COUNTERS_counter, "cycles");
	ub_cell_str(t, COUNTERS_note, "why");
	ok(!ub_row_end(t), "table: the column's special literal is taken");
	ok(!ub_table_close(t), "table: close is clean after good rows");
	snprintf(p, sizeof(p), "%s/counters.csv", dir);
	s = ub_read_file(p, 0);
	ok(s && !strcmp(s, "run_id,cpu,counter,value,note\n1,0,cycles,unavailable,why\n"),
	   "table: header from the schema, cells in column order");
	free(s);

	t = ub_table_open(dir, UB_TABLE_RUNS, 0);
	ub_cell_enum(t, RUNS_timer, 7);
	ok(ub_row_end(t) == -1 && strstr(ub_table_error(t), "value 7 is not one "
					    "of timer"), "table: an enum value outside "
	   "its list is refused");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_RUNS, 0);
	ub_cell_enum(t, RUNS_backend, UB_BACKEND_AUTO);
	ok(ub_row_end(t) == -1 && strstr(ub_table_error(t), "not one of backend"),
	   "table: a SUBSET refuses its excluded value (backend auto)");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_RUNS, 0);
	ub_cell_int(t, RUNS_seed, -1);
	ok(ub_row_end(t) == -1 && strstr(ub_table_error(t), "'seed': -1 is not a "
					    "uint"), "table: a negative number in "
	   "a uint column is refused");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_RUNS, 0);
	ub_cell_num(t, RUNS_elapsed_ns, NAN, 0);
	ok(ub_row_end(t) == -1 && strstr(ub_table_error(t), "empty, but"),
	   "table: an empty cell where the schema wants a value is refused");
	ub_table_close(t);
	t = ub_table_open(dir, UB_TABLE_RUNS, 0);
	ub_cell_str(t, MICRO_variant, "x");
	ok(ub_row_end(t) == -1 && strstr(ub_table_error(t), "not one of runs.csv"),
	   "table: another table's column is refused");
	ub_table_close(t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		printf("# could not remove %s\n", dir);
}

/* The sweep: a 2 x (1 or 3) x 2 odometer, two list dimensions around one
 * whose count depends on the first, and a skip. */
struct sw {
	int a, b, c, n;
	char seen[64][8];
};

static size_t sw_count_b(void *ctx)
{
	return ((struct sw *)ctx)->a ? 3 : 1;	/* B depends on A */
}

static int sw_set_a(void *ctx, int l, size_t i)
{
	(void)l;
	((struct sw *)ctx)->a = (int)i;
	return 0;
}

static int sw_set_b(void *ctx, int l, size_t i)
{
	struct sw *w = ctx;

	(void)l;
	w->b = (int)i;
	return w->a && i == 1;	/* skip a=1, b=1 and all under it */
}

static int sw_set_c(void *ctx, int l, size_t i)
{
	(void)l;
	((struct sw *)ctx)->c = (int)i;
	return 0;
}

static int sw_emit(void *ctx)
{
	struct sw *w = ctx;

	snprintf(w->seen[w->n++], 8, "%d%d%d", w->a, w->b, w->c);
	return 0;
}

void test_sweep(void)
{
	static const struct ub_dim dims[] = {
		{ "a", 0, NULL, sw_set_a }, { "b", -1, sw_count_b, sw_set_b },
		{ "c", 1, NULL, sw_set_c },
	};
	static const char *const want[] = { "000", "001", "100", "101", "120", "121" };
	uint64_t two[] = { 0, 1 };
	struct ub_u64_list lists[2] = { { 2, two }, { 2, two } };
	struct sw w = { 0 };
	int same = 1, rc = ub_sweep(dims, 3, lists, &w, sw_emit);

	ok(!rc && w.n == 6, "sweep: every combination once, the skipped one left "
	   "out (%d)", w.n);
	for (int i = 0; i < 6 && i < w.n; i++)
		same &= !strcmp(w.seen[i], want[i]);
	ok(same, "sweep: the last dimension varies fastest");
}

