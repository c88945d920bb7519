// SPDX-License-Identifier: GPL-2.0
/*
 * ub-unit: host unit tests of the harness's building blocks (TAP on
 * stdout), run by tests/unit/harness_units.t; plus writer modes used by
 * tests/unit/harness_cli.t for read-back by Python's csv and json:
 *	ub-unit                   run the TAP tests (t_*.c)
 *	ub-unit write-csv FILE    a table of awkward cells
 *	ub-unit write-json FILE   a document of awkward strings and numbers
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/csv.h"
#include "record/json.h"
#include "record/log.h"
#include "record/opts.h"
#include "record/util.h"
#include "unit/tap.h"
#include "unit/tests.h"

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
		char n[3][32];

		snprintf(n[0], sizeof(n[0]), "%zu", i);
		snprintf(n[1], sizeof(n[1]), "%llu", 18446744073709551615ULL - i);
		snprintf(n[2], sizeof(n[2]), "%.17g", 1.0 / 3.0 + (double)i);
		ub_csv_str(c, n[0]);
		ub_csv_str(c, cells[i]);
		ub_csv_str(c, n[1]);
		ub_csv_str(c, n[2]);
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
	test_touch_beat();
	return tap_failures() ? 1 : 0;
}
