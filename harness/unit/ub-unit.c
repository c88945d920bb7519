// SPDX-License-Identifier: GPL-2.0
/*
 * ub-unit: host unit tests of the harness's building blocks (TAP on
 * stdout), run by tests/unit/harness_units.t; plus writer modes used by
 * tests/unit/harness_cli.t for read-back by Python's csv and json:
 *	ub-unit                   run the TAP tests
 *	ub-unit write-csv FILE    a table of awkward cells
 *	ub-unit write-json FILE   a document of awkward strings and numbers
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module/micro.h"
#include "profile.h"
#include "record/csv.h"
#include "record/json.h"
#include "record/log.h"
#include "record/opts.h"
#include "record/rundir.h"
#include "record/sweep.h"
#include "record/table.h"
#include "record/util.h"
#include "teardown/teardown.h"

static int n_fail;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
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

/* Cells shared with harness_cli.t (keep in sync with EXPECTED_CELLS). */
static const char *const cells[] = {
	"plain", "with,comma", "with \"quotes\"", "multi\nline", " lead",
	"trail ", "", "semi;colon", "unicode \xc3\xa9\xe2\x82\xac", "cr\rlf",
};

static int write_csv(const char *path)
{
	struct ub_csv *c = ub_csv_open(path, "id,text,num,dbl", 0);

	if (!c)
		return 1;
	for (size_t i = 0; i < UB_ARRAY_SIZE(cells); i++) {
		ub_csv_int(c, (long long)i);
		ub_csv_str(c, cells[i]);
		ub_csv_uint(c, 18446744073709551615ULL - i);
		ub_csv_double(c, 1.0 / 3.0 + (double)i, -1);
		if (ub_csv_end_row(c))
			return 1;
	}
	return ub_csv_close(c) ? 1 : 0;
}

static int write_json(const char *path)
{
	FILE *f = fopen(path, "w");
	struct ub_json j;

	if (!f)
		return 1;
	ub_json_init(&j, f, 1);
	ub_json_obj_begin(&j, NULL);
	ub_json_arr_begin(&j, "cells");
	for (size_t i = 0; i < UB_ARRAY_SIZE(cells); i++)
		ub_json_str(&j, NULL, cells[i]);
	ub_json_arr_end(&j);
	ub_json_str(&j, "control", "tab\there\x01\x1f bs\\ slash/ del\x7f");
	ub_json_str(&j, "bad_utf8", "a\xff" "b\xc3");
	ub_json_str(&j, "key \"quoted\"", "v");
	ub_json_int(&j, "neg", -9223372036854775807LL - 1);
	ub_json_uint(&j, "big", 18446744073709551615ULL);
	ub_json_double(&j, "third", 1.0 / 3.0);
	ub_json_double(&j, "nan", NAN);
	ub_json_bool(&j, "t", 1);
	ub_json_null(&j, "n");
	ub_json_str(&j, "null_str", NULL);
	ub_json_obj_begin(&j, "empty_obj");
	ub_json_obj_end(&j);
	ub_json_arr_begin(&j, "empty_arr");
	ub_json_arr_end(&j);
	ub_json_obj_end(&j);
	if (ub_json_finish(&j))
		return 1;
	return fclose(f) ? 1 : 0;
}

static void test_opts(void)
{
	struct ub_u64_list l = { 0 };
	static const char *const names[] = { "any", "4k", "2m", NULL };
	uint64_t v;

	ok(!ub_opt_parse_list("--x", "1,2,4", 0, 0, 100, NULL, &l) && l.n == 3 &&
	   l.v[0] == 1 && l.v[2] == 4, "opts: plain list 1,2,4");
	ok(!ub_opt_parse_list("--x", "0-3", UB_OPT_RANGE, 0, 100, NULL, &l) &&
	   l.n == 4 && l.v[3] == 3, "opts: range 0-3");
	ok(!ub_opt_parse_list("--x", "0-10:5", UB_OPT_RANGE, 0, 100, NULL, &l) &&
	   l.n == 3 && l.v[2] == 10, "opts: stepped range 0-10:5");
	ok(!ub_opt_parse_list("--x", "1K-8K*2", UB_OPT_RANGE | UB_OPT_SIZE, 0,
			      1 << 20, NULL, &l) && l.n == 4 && l.v[0] == 1024 &&
	   l.v[3] == 8192, "opts: geometric range with suffixes 1K-8K*2");
	ok(!ub_opt_parse_list("--x", "64M,1G,2k", UB_OPT_SIZE, 0, 0, NULL, &l) &&
	   l.n == 3 && l.v[0] == 64ULL << 20 && l.v[1] == 1ULL << 30 && l.v[2] == 2048,
	   "opts: K/M/G sizes");
	ok(!ub_opt_parse_list("--x", "0x10,010", 0, 0, 100, NULL, &l) && l.n == 2 &&
	   l.v[0] == 16 && l.v[1] == 10, "opts: 0x is hex, a leading 0 is decimal");
	ok(!ub_opt_parse_names("--granule", "4k,2m", 0, UB_ENUM_NONE, names, 1,
			       NULL, &l) && l.n == 2 && l.v[0] == 1 && l.v[1] == 2,
	   "opts: granule names 4k,2m");
	ok(!ub_opt_parse_names("--granule", "all", UB_OPT_ALL, UB_ENUM_NONE, names, 1,
			       NULL, &l) && l.n == 2,
	   "opts: 'all' expands to every name (not the skipped one)");
	ok(!ub_opt_parse_names("--cache", "cold,hot", 0, UB_ENUM_cache, NULL, 0,
			       NULL, &l) && l.n == 2 && l.v[0] == UB_CACHE_COLD &&
	   l.v[1] == UB_CACHE_HOT, "opts: names of a schema enum give its C values");
	ok(!ub_opt_parse_dur("--max-wall", "2m", "s", &v) && v == 120000000000ULL,
	   "opts: duration 2m");
	ok(!ub_opt_parse_dur("--max-irqoff", "100us", "ns", &v) && v == 100000,
	   "opts: duration 100us");
	ok(!ub_opt_parse_dur("--max-wall", "30", "s", &v) && v == 30000000000ULL,
	   "opts: a bare duration is in the option's unit");

#define BAD(call, tok, desc) \
	ok((call) && strstr(ub_opt_errbuf, tok), "opts: %s is an error naming %s", desc, tok)
	BAD(ub_opt_parse_list("--pages", "64,12x", UB_OPT_SIZE, 1, 100, NULL, &l),
	    "'12x'", "bad number 12x");
	BAD(ub_opt_parse_list("--pages", "1,,2", 0, 1, 100, NULL, &l), "'1,,2'",
	    "empty item");
	BAD(ub_opt_parse_list("--pages", "1,2,", 0, 1, 100, NULL, &l),
	    "trailing comma", "a trailing comma");
	BAD(ub_opt_parse_names("--trigger", "", 0, UB_ENUM_trigger, NULL, 0, NULL,
			       &l), "empty value", "an empty name list");
	BAD(ub_opt_parse_list("--pages", "5-3", UB_OPT_RANGE, 0, 100, NULL, &l),
	    "'5-3'", "reversed range");
	BAD(ub_opt_parse_list("--pages", "3-", UB_OPT_RANGE, 0, 100, NULL, &l),
	    "'3-'", "open range");
	BAD(ub_opt_parse_list("--threads", "1,65", 0, 1, 64, NULL, &l), "'65'",
	    "out-of-range value");
	BAD(ub_opt_parse_list("--pages", "4k", 0, 1, 1 << 20, NULL, &l), "'4k'",
	    "suffix where none is allowed");
	BAD(ub_opt_parse_list("--pages", "1-4*1", UB_OPT_RANGE, 1, 100, NULL, &l),
	    "'1-4*1'", "geometric factor 1");
	BAD(ub_opt_parse_names("--granule", "4k,1g", 0, UB_ENUM_NONE, names, 1, NULL,
			       &l), "'1g'", "unknown name");
	BAD(ub_opt_parse_names("--granule", "any", 0, UB_ENUM_NONE, names, 1, NULL,
			       &l), "'any'", "a skipped name");
	BAD(ub_opt_parse_size("--size", "12Q", 4096, &v), "'12Q'", "bad size");
	BAD(ub_opt_parse_dur("--max-wall", "soon", "s", &v), "'soon'", "bad duration");
	BAD(ub_opt_parse_list("--pages", "-1", UB_OPT_RANGE, 0, 100, NULL, &l), "'-1'",
	    "negative number");
	BAD(ub_opt_parse_list("--seed", "99999999999999999999", 0, 0, 0, NULL, &l),
	    "'99999999999999999999'", "a number beyond 64 bits");
	BAD(ub_opt_parse_u64("--size", "0", UB_OPT_SIZE, 4096, 0, &v),
	    "below the minimum 4K", "a size below the minimum (no maximum shown)");
#undef BAD
	ok(ub_opt_parse_u64("--size", "0", UB_OPT_SIZE, 4096, UINT64_MAX / 2, &v) &&
	   strstr(ub_opt_errbuf, "below the minimum 4K") &&
	   !strstr(ub_opt_errbuf, "922337"),
	   "opts: a range message never writes 2^63-1 (%s)", ub_opt_errbuf);
	ok(ub_opt_parse_u64("--size", "2T", UB_OPT_SIZE, 4096, 1ULL << 40, &v) &&
	   strstr(ub_opt_errbuf, "out of range 4K-1T"),
	   "opts: a range message writes limits as sizes (%s)", ub_opt_errbuf);
	ub_u64_list_free(&l);
}

static int micro_parse(int argc, char **argv, struct micro_opts *o,
		       const char *where)
{
	memset(o, 0, sizeof(*o));
	o->common.repeat = 1;
	micro_opts_init(o);
	return ub_opts_parse(&micro_optset, argc, argv, o, where, 0);
}

static void test_micro_parse(void)
{
	struct micro_opts o;
	char *good[] = { "micro", "--pages", "64,512", "--granule=4k,2m", "--threads",
			 "1,half,all", "--cpus", "0/0", "--irq-off", "0,1",
			 "--variants", "unmap.*,ground.16", "--max-irqoff", "100us", NULL };
	char *bad1[] = { "micro", "--cache", "lukewarm", NULL };
	char *bad2[] = { "micro", "--frobnicate", "1", NULL };
	char *bad3[] = { "micro", "--cpus", "0-1/x", NULL };
	char *bad4[] = { "micro", "--threads", "1,lots", NULL };
	char *bad5[] = { "micro", "--frobnicate", NULL };
	char *bad6[] = { "micro", "--size", "4M", "--pages", "64", NULL };
	char *bad7[] = { "micro", "--out", "x", NULL };

	ok(micro_parse(14, good, &o, NULL) == 0 && o.pages.n == 2 &&
	   o.granule.n == 2 && o.threads.n == 3 && o.threads.v[1] == UB_THREADS_HALF &&
	   o.irq_off.n == 2 && o.variants.n == 2 && o.max_irqoff_ns == 100000,
	   "micro: every list option parses");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(3, bad1, &o, "prof:7") == 2 && strstr(ub_opt_errbuf, "prof:7: ") &&
	   strstr(ub_opt_errbuf, "'lukewarm'"),
	   "micro: bad --cache value names file:line and 'lukewarm'");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(3, bad2, &o, NULL) == 2 &&
	   strstr(ub_opt_errbuf, "unknown option --frobnicate (see unmapbench micro "
		  "--help)"), "micro: unknown key is named");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(3, bad3, &o, NULL) == 2 && strstr(ub_opt_errbuf, "'0-1/x'"),
	   "micro: bad CPU set is named");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(3, bad4, &o, NULL) == 2 && strstr(ub_opt_errbuf, "'lots'"),
	   "micro: bad thread count is named");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(2, bad5, &o, NULL) == 2 && strstr(ub_opt_errbuf, "unknown option") &&
	   !strstr(ub_opt_errbuf, "needs a value") && !strstr(ub_opt_errbuf, "missing"),
	   "micro: an unknown last option is unknown, not missing its value");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(5, bad6, &o, NULL) == 2 && strstr(ub_opt_errbuf, "--size and "
							  "--pages cannot be combined"),
	   "micro: --size with --pages is refused");
	ub_opts_free(&micro_optset, &o);
	ok(micro_parse(3, bad7, &o, "prof:2") == 2 &&
	   strstr(ub_opt_errbuf, "--out is a command-line option"),
	   "micro: a command-line-only option is refused in a profile line");
	ub_opts_free(&micro_optset, &o);
}

static void test_profile(void)
{
	struct ub_profile p;
	const char *good =
		"# a comment\n"
		"description two words\n"
		"defaults micro rounds=5 label=\"my label\"\n"
		"micro granule=4k,2m \\\n"
		"      size=4M   # trailing comment\n"
		"\n"
		"teardown size=1G vms=1,4\n"
		"micro rounds=7\n";
	int rc = profile_parse(good, "t1", &p);

	ok(rc == 0 && p.n == 3, "profile: 3 command lines parsed (continuation, "
	   "comments, blank lines)");
	if (!rc && p.n == 3) {
		struct ub_profile_line *l = &p.lines[0];

		ok(!strcmp(l->cmd, "micro") && l->argc == 9 &&
		   !strcmp(l->argv[1], "--rounds") && !strcmp(l->argv[4], "my label") &&
		   !strcmp(l->argv[5], "--granule") && !strcmp(l->argv[8], "4M"),
		   "profile: defaults prepended, quotes kept, KEY=VALUE -> --KEY VALUE");
		ok(!strcmp(l->where, "t1:4"), "profile: a continued line is named by its "
		   "first line (%s)", l->where);
		ok(!strcmp(p.lines[1].cmd, "teardown") && p.lines[1].argc == 5 &&
		   !strcmp(p.lines[1].where, "t1:7"),
		   "profile: teardown line kept for the teardown driver");
		ok(!strcmp(p.lines[2].argv[p.lines[2].argc - 1], "7"),
		   "profile: line value follows (and overrides) the defaults");
		ok(!strcmp(p.description, "two words"), "profile: description");
		profile_free(&p);
	}
#define BAD(text, tok, desc) \
	ok(profile_parse(text, "bad", &p) && strstr(ub_opt_errbuf, tok), \
	   "profile: %s is an error naming %s", desc, tok)
	BAD("micro size=4M\n\nmikro size=4M\n", "bad:3: unknown command 'mikro'",
	    "unknown command");
	BAD("micro Size=4M\n", "'Size=4M'", "upper-case key");
	BAD("micro size=\n", "'size='", "empty value");
	BAD("micro label=\"open\n", "bad:1: unterminated quote", "open quote");
	BAD("defaults mcro rounds=1\n", "'mcro'", "defaults for an unknown command");
	BAD("include no-such-profile-xyz\n", "'no-such-profile-xyz'", "missing include");
#undef BAD
}

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

static void test_rundir(void)
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

	/* A run that is interrupted. */
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
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd))
			printf("# could not remove %s\n", base);
	}
}

static void test_writers(void)
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
static void test_rundir_names(void)
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

static void test_table(void)
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

/* The sweep: a 2 x (1 or 3) x 2 odometer with a dependent count and a skip. */
struct sw {
	int a, b, c, n;
	char seen[64][8];
};

static size_t sw_count(void *ctx, size_t d)
{
	struct sw *w = ctx;

	return d == 1 ? (w->a ? 3 : 1) : 2;	/* B depends on A */
}

static int sw_set(void *ctx, size_t d, size_t i)
{
	struct sw *w = ctx;

	if (d == 0)
		w->a = (int)i;
	else if (d == 1)
		w->b = (int)i;
	else
		w->c = (int)i;
	return d == 1 && w->a && i == 1;	/* skip a=1, b=1 and all under it */
}

static int sw_emit(void *ctx)
{
	struct sw *w = ctx;

	snprintf(w->seen[w->n++], 8, "%d%d%d", w->a, w->b, w->c);
	return 0;
}

static void test_sweep(void)
{
	static const struct ub_dim dims[] = {
		{ "a", sw_count, sw_set, 0 }, { "b", sw_count, sw_set, 1 },
		{ "c", sw_count, sw_set, 2 },
	};
	static const char *const want[] = { "000", "001", "100", "101", "120", "121" };
	struct sw w = { 0 };
	int same = 1, rc = ub_sweep(dims, 3, &w, sw_emit);

	ok(!rc && w.n == 6, "sweep: every combination once, the skipped one left "
	   "out (%d)", w.n);
	for (int i = 0; i < 6 && i < w.n; i++)
		same &= !strcmp(w.seen[i], want[i]);
	ok(same, "sweep: the last dimension varies fastest");
}

/* python3 plot/teardown.py --summary through a stand-in plot/. */
static void test_summary(void)
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

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "write-csv"))
		return write_csv(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "write-json"))
		return write_json(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: ub-unit [write-csv|write-json FILE]\n");
		return 2;
	}
	ub_quiet = 1;
	/* Error messages go to stderr; keep TAP output clean of them. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	test_opts();
	test_micro_parse();
	test_profile();
	test_rundir();
	test_rundir_names();
	test_writers();
	test_table();
	test_sweep();
	test_summary();
	return n_fail ? 1 : 0;
}
