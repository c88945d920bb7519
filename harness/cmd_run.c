// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c: `unmapbench run PROFILE`: a profile's lines, each a line of
 * its command's driver, into one run directory (record/session.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "module/ubdev.h"
#include "profile.h"
#include "record/log.h"
#include "record/util.h"

struct run_opts {
	uint64_t given;
	char	*out;
	int	dry_run;
	int	no_report;
	uint64_t repeat;
	char	*label;
	struct ub_str_list profile;
};

#define O(f)	offsetof(struct run_opts, f)
static const struct ub_opt run_opts_table[] = {
	{ .name = "dry-run", .kind = UB_ARG_FLAG, .off = O(dry_run),
	  .help = "list the runs and the time estimate; load nothing" },
	{ .name = "out", .kind = UB_ARG_TEXT, .off = O(out), .arg = "DIR",
	  .help = "run directory (default: results/<UTC>-<host>-<kernel>, made "
		  "unique)" },
	{ .name = "no-report", .kind = UB_ARG_FLAG, .off = O(no_report),
	  .help = "at the end print only the run directory's path, not the\n"
		  "report's first screen (python3 plot/report.py)" },
	{ .name = "repeat", .kind = UB_ARG_U64, .off = O(repeat), .min = 1,
	  .max = 100000, .help = "override the profile's repeat on every line" },
	{ .name = "label", .kind = UB_ARG_TEXT, .off = O(label),
	  .help = "override the profile's label on every line" },
	{ .name = NULL },
};
#undef O

const struct ub_optset run_optset = {
	.cmd = "run",
	.synopsis = "[OPTIONS] PROFILE",
	.about = "Run every line of a profile (a name in bench/profiles/ or a "
		 "path) into one\nrun directory. Every line is parsed and planned "
		 "before anything runs.\nProfiles: bench/profiles/README.md.",
	.opt = run_opts_table,
	.given_off = offsetof(struct run_opts, given),
	.pos_name = "PROFILE",
	.pos_min = 1,
	.pos_max = 1,
	.pos_off = offsetof(struct run_opts, profile),
	.footer = "Environment: UB_PROFILE_DIR (looked in first), UB_RESULTS_DIR, "
		  "UB_PROGRESS.\n",
};

static void profile_meta(struct ub_json *j, void *arg)
{
	const struct ub_profile *p = arg;

	ub_json_obj_begin(j, "profile");
	ub_json_str(j, "name", p->name);
	ub_json_str(j, "path", p->path);
	ub_json_str(j, "description", p->description);
	ub_json_int(j, "lines", p->n);
	ub_json_obj_end(j);
}

/* --repeat/--label of the command line after every line's own. */
static void overrides(struct ub_profile *prof, const struct run_opts *o)
{
	char n[24], *extra[4];
	int k = 0;

	snprintf(n, sizeof(n), "%" PRIu64, o->repeat);
	if (ub_opt_given(&run_optset, o, "repeat")) {
		extra[k++] = "--repeat";
		extra[k++] = n;
	}
	if (ub_opt_given(&run_optset, o, "label")) {
		extra[k++] = "--label";
		extra[k++] = o->label;
	}
	if (k)
		profile_append(prof, NULL, k, extra);
}

static int run_profile(struct ub_profile *prof, const struct run_opts *o)
{
	struct ub_line *lines = ub_xcalloc((size_t)prof->n, sizeof(*lines));
	char title[160];
	struct ub_session_cfg cfg = {
		.title = title, .out = o->out, .dry_run = o->dry_run,
		.report = !o->no_report,
		.probe = ubdev_probe, .meta = profile_meta, .meta_arg = prof,
	};
	int rc = 0, n;

	snprintf(title, sizeof(title), "profile %s", prof->name);
	for (n = 0; n < prof->n && !rc; n++) {
		const struct ub_profile_line *l = &prof->lines[n];

		rc = ub_line_parse(&lines[n], ub_command_find(l->cmd)->driver,
				   l->argc, l->argv, l->where, 0);
	}
	if (!rc)
		rc = ub_session_run(&cfg, lines, n);
	for (int i = 0; i < n; i++)
		ub_line_free(&lines[i]);
	free(lines);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ub_profile prof;
	int rc = ub_opts_command(&run_optset, argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (profile_load(o.profile.v[0], &prof)) {
		ub_opts_free(&run_optset, &o);
		return 2;
	}
	if (!prof.n) {
		ub_err("profile %s has no line to run", prof.path);
		rc = 2;
	} else {
		overrides(&prof, &o);
		rc = run_profile(&prof, &o);
	}
	profile_free(&prof);
	ub_opts_free(&run_optset, &o);
	return rc;
}
