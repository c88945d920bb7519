// SPDX-License-Identifier: GPL-2.0
/* t_opts.c: ub-unit tests of option values, micro's options and profiles. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module/micro.h"
#include "profile.h"
#include "record/opts.h"
#include "unit/tap.h"
#include "unit/tests.h"

void test_opts(void)
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

void test_micro_parse(void)
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

void test_profile(void)
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

