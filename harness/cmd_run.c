// SPDX-License-Identifier: GPL-2.0
/* cmd_run.c: `unmapbench run PROFILE`, a profile's lines in one run dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "record/env.h"
#include "record/log.h"
#include "record/meta.h"
#include "module/micro.h"
#include "record/opts.h"
#include "profile.h"
#include "record/rundir.h"
#include "record/util.h"
#include "record/version.h"

static const char run_usage[] =
"usage: unmapbench run [--dry-run] [--out DIR] [--repeat N] [--label TEXT] PROFILE\n"
"Run every line of a profile (a name in bench/profiles/ or a path) into one\n"
"run directory. --dry-run lists the runs and the time estimate and loads\n"
"nothing. --repeat/--label override the profile's values on every line.\n"
"Profiles: bench/profiles/README.md.\n";

struct line_state {
	struct micro_opts o;
	struct micro_plan plan;
	int is_micro;
};

struct run_meta {
	struct micro_session *s;
	int have_session;
	const struct ub_profile *prof;
};

static void run_meta_extra(struct ub_json *j, void *arg)
{
	struct run_meta *rm = arg;

	ub_json_obj_begin(j, "profile");
	ub_json_str(j, "name", rm->prof->name);
	ub_json_str(j, "path", rm->prof->path);
	ub_json_str(j, "description", rm->prof->description);
	ub_json_int(j, "lines", rm->prof->n);
	ub_json_obj_end(j);
	if (rm->have_session)
		micro_session_meta(j, rm->s);
}

int cmd_run(int argc, char **argv)
{
	const char *name = NULL, *out_opt = NULL;
	char *extra[4];
	int nextra = 0, dry = 0, rc = 0, total = 0, have_dev, micro_lines = 0;
	int wfail;
	double est = 0;
	struct ub_profile prof;
	struct line_state *ls;
	struct ub_topo topo;
	struct ub_env env;
	struct ubdev dev;
	struct ub_rundir rd;
	struct micro_session s;
	struct run_meta rm;
	struct ub_meta m;
	char out[PATH_MAX], buf[32];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(run_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--dry-run")) {
			dry = 1;
		} else if ((!strcmp(a, "--out") || !strcmp(a, "--repeat") ||
			    !strcmp(a, "--label")) && i + 1 < argc) {
			if (!strcmp(a, "--out")) {
				out_opt = argv[++i];
			} else if (nextra < 4) {
				uint64_t v;

				if (!strcmp(a, "--repeat") &&
				    ub_opt_parse_u64("--repeat", argv[i + 1], 0, 1, 100000, &v))
					return 2;
				extra[nextra++] = argv[i];
				extra[nextra++] = argv[++i];
			}
		} else if (a[0] == '-') {
			ub_err("run: unknown option '%s'\n%s", a, run_usage);
			return 2;
		} else if (!name) {
			name = a;
		} else {
			ub_err("run: one profile only (got '%s' and '%s')", name, a);
			return 2;
		}
	}
	if (!name) {
		fputs(run_usage, stderr);
		return 2;
	}
	if (profile_load(name, &prof))
		return 2;
	if (!prof.n) {
		ub_err("profile %s has no micro or teardown line", prof.path);
		profile_free(&prof);
		return 2;
	}
	if (nextra)
		profile_append(&prof, NULL, nextra, extra);

	topo_load(&topo);
	env_capture(&env, NULL);
	for (int i = 0; i < prof.n; i++)
		micro_lines += !strcmp(prof.lines[i].cmd, "micro");
	have_dev = micro_lines ? ubdev_open(&dev, 1) == 0 : 0;
	if (!micro_lines)
		memset(&dev, 0, sizeof(dev)), dev.fd = -1;

	/* Pass 1: parse and plan every line before anything runs. */
	ls = ub_xcalloc((size_t)prof.n, sizeof(*ls));
	for (int i = 0; i < prof.n && !rc; i++) {
		struct ub_profile_line *l = &prof.lines[i];

		ub_opt_where = l->where;
		if (!strcmp(l->cmd, "micro")) {
			ls[i].is_micro = 1;
			micro_opts_init(&ls[i].o);
			if (micro_parse(l->argc, l->argv, &ls[i].o, 0) ||
			    micro_plan(&ls[i].o, &topo, have_dev ? &dev.mi.info : NULL,
				       &env, l->where, &ls[i].plan)) {
				rc = 2;
				break;
			}
			if (dry)
				micro_plan_print(&ls[i].plan, have_dev ? &dev.mi.info : NULL,
						 total + 1);
			total += ls[i].plan.n;
			est += ls[i].plan.est_s;
		} else {
			struct ub_profile_ctx ctx;
			int r;

			memset(&ctx, 0, sizeof(ctx));
			ctx.env = &env;
			ctx.where = l->where;
			ctx.dry_run = 1;
			ctx.quiet = !dry;
			r = teardown_run_from_profile(&ctx, l->argc, l->argv);
			if (r) {
				rc = r == 1 ? 2 : r;
				break;
			}
			total += ctx.runs;
			est += ctx.est_seconds;
		}
	}
	ub_opt_where = NULL;
	if (rc)
		goto done;
	ub_fmt_duration(buf, sizeof(buf), est);
	if (dry) {
		printf("profile %s: %d run%s, estimated %s (rough)%s\n", prof.path, total,
		       total == 1 ? "" : "s", buf,
		       micro_lines && !have_dev ?
		       "; module not loaded: micro variant counts guessed" : "");
		if (micro_lines && !have_dev)
			printf("note: %s\n", dev.mi.why);
		goto done;
	}
	if (micro_lines && !have_dev) {
		ub_err("%s", dev.mi.why);
		rc = 1;
		goto done;
	}

	/* Pass 2: run. */
	ub_signals_install();
	if (out_opt)
		ub_strlcpy(out, out_opt, sizeof(out));
	else if (rundir_default_path(out, sizeof(out), NULL, &env)) {
		rc = 1;
		goto done;
	}
	if (rundir_create(&rd, out)) {
		rc = 1;
		goto done;
	}
	ub_logfile("unmapbench %s run %s: %d runs, estimated %s", UB_VERSION, prof.path,
		   total, buf);
	ub_info("profile %s: %d runs, estimated %s; writing %s", prof.name, total, buf,
		rundir_path(&rd));
	memset(&rm, 0, sizeof(rm));
	rm.s = &s;
	rm.prof = &prof;
	meta_begin(&m, argc + 1, argv - 1, &env, micro_lines ? &dev.mi : NULL,
		   run_meta_extra, &rm);
	if (micro_lines) {
		if (micro_session_open(&s, &rd, &env, &dev, &topo, total)) {
			rundir_fail(&rd, "failed: cannot create the result files");
			rc = 1;
			goto done;
		}
		rm.have_session = 1;
	}
	meta_write(&rd, &m);
	{
		int done_runs = 0;
		const char *failed_where = NULL;

		for (int i = 0; i < prof.n && !rc; i++) {
			struct ub_profile_line *l = &prof.lines[i];

			ub_logfile("%s: %s line", l->where, l->cmd);
			if (ls[i].is_micro) {
				rc = micro_session_run(&s, &ls[i].plan);
				done_runs = s.done;
			} else {
				struct ub_profile_ctx ctx;

				memset(&ctx, 0, sizeof(ctx));
				ctx.rd = &rd;
				ctx.env = &env;
				ctx.where = l->where;
				ctx.progress_done = done_runs;
				ctx.progress_total = total;
				rc = teardown_run_from_profile(&ctx, l->argc, l->argv);
				done_runs = ctx.progress_done;
				if (rm.have_session)
					s.done = done_runs;
			}
			if (rc)
				failed_where = l->where;
		}
		wfail = rm.have_session && micro_session_close(&s) && !rc;
		if (wfail)
			rc = 1;
		rc = meta_finish(&rd, &m, rc, done_runs, total, failed_where,
				 wfail ? MICRO_WRITE_FAILED :
				 rm.have_session ? s.backend_reason : NULL);
	}
done:
	for (int i = 0; i < prof.n; i++)
		if (ls[i].is_micro) {
			micro_plan_free(&ls[i].plan);
			micro_opts_free(&ls[i].o);
		}
	free(ls);
	profile_free(&prof);
	ubdev_close(&dev);
	env_free(&env);
	return rc;
}
