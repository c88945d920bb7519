// SPDX-License-Identifier: GPL-2.0
/* session.c: lines of drivers into one run directory, see session.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/env.h"
#include "record/log.h"
#include "record/session.h"
#include "record/tree.h"
#include "record/util.h"
#include "record/version.h"

#define MAX_DRIVERS 4

/* The drivers a session's lines use, each with its shared state. */
struct used {
	const struct ub_driver *drv[MAX_DRIVERS];
	void	*state[MAX_DRIVERS];
	int	n;
};

struct run {
	const struct ub_session_cfg *cfg;
	struct ub_session s;
	struct ub_env env;
	struct used u;
	struct ub_line *lines;
	int	n;
	struct ub_modstatus probed;
};

int ub_line_parse(struct ub_line *l, const struct ub_driver *drv, int argc,
		  char **argv, const char *where, int cli)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->drv = drv;
	l->where = where;
	l->opts = ub_xcalloc(1, drv->opts_size);
	((struct ub_line_opts *)l->opts)->repeat = 1;
	if (drv->opts_init)
		drv->opts_init(l->opts);
	rc = ub_opts_parse(drv->opts, argc, argv, l->opts, where, cli);
	if (rc)
		ub_line_free(l);
	return rc;
}

void ub_line_free(struct ub_line *l)
{
	if (l->plan && l->drv->free_plan)
		l->drv->free_plan(l->plan);
	if (l->opts)
		ub_opts_free(l->drv->opts, l->opts);
	free(l->opts);
	l->opts = l->plan = NULL;
}

static void *state_of(struct used *u, const struct ub_driver *d)
{
	for (int i = 0; i < u->n; i++)
		if (u->drv[i] == d)
			return u->state[i];
	if (u->n == MAX_DRIVERS)
		abort();	/* more drivers than the command table has */
	u->drv[u->n] = d;
	u->state[u->n] = ub_xcalloc(1, d->state_size ? d->state_size : 1);
	return u->state[u->n++];
}

/* Step 1: plan every line. 0, or the exit code of the first refusal. */
static int plan_all(struct run *r)
{
	for (int i = 0; i < r->n; i++) {
		struct ub_line *l = &r->lines[i];
		int rc;

		r->s.where = l->where;
		rc = l->drv->plan(&r->s, state_of(&r->u, l->drv), l->opts, &l->plan);
		if (rc)
			return rc;
	}
	r->s.where = NULL;
	return 0;
}

static void dry_run(struct run *r)
{
	char est[32];

	for (int i = 0; i < r->n; i++)
		r->lines[i].drv->list(&r->s, state_of(&r->u, r->lines[i].drv),
				      r->lines[i].plan);
	ub_fmt_duration(est, sizeof(est), r->s.est_s);
	printf("%s: %d run%s, estimated %s (rough%s%s)\n", r->cfg->title,
	       r->s.runs_total, r->s.runs_total == 1 ? "" : "s", est,
	       r->s.caveat[0] ? "; " : "", r->s.caveat);
	if (r->s.note[0])
		printf("note: %s\n", r->s.note);
}

static void session_meta(struct ub_json *j, void *arg)
{
	struct run *r = arg;

	if (r->cfg->meta)
		r->cfg->meta(j, r->cfg->meta_arg);
	for (int i = 0; i < r->u.n; i++)
		if (r->u.drv[i]->meta)
			r->u.drv[i]->meta(j, r->u.state[i]);
}

/*
 * A complete run: its report's first screen (plot/report.py writes
 * report.txt, .md and .json into the run directory and prints the
 * screen), then the path as the last line of stdout. Without python3 or
 * plot/ (the testbed guest) only the path: the host writes the report.
 */
static void finish(struct run *r)
{
	const char *path = rundir_path(&r->s.rd);
	const char *args[] = { "--first-screen", path, NULL };
	char script[4200], why[600];

	if (r->cfg->report) {
		ub_plot_script("report.py", script, sizeof(script));
		fflush(stdout);
		if (ub_plot_run(script, args, why, sizeof(why)))
			ub_info("no report: %s (python3 plot/report.py %s writes "
				"it)", why, path);
	}
	printf("%s\n", path);
}

/* Steps 3-5: the run directory, the runs, the end. */
static int execute(struct run *r)
{
	const char *failed_where = NULL;
	struct ub_meta m;
	char est[32];
	int rc = 0;

	ub_signals_install();
	if (rundir_open(&r->s.rd, r->cfg->out, &r->env))
		return 1;
	ub_fmt_duration(est, sizeof(est), r->s.est_s);
	ub_logfile("unmapbench %s %s: %d runs, estimated %s", UB_VERSION,
		   r->cfg->title, r->s.runs_total, est);
	ub_info("%s: %d run%s, estimated %s; writing %s", r->cfg->title,
		r->s.runs_total, r->s.runs_total == 1 ? "" : "s", est,
		rundir_path(&r->s.rd));
	if (!r->s.mod) {
		if (r->cfg->probe)
			r->cfg->probe(&r->probed);
		else
			snprintf(r->probed.why, sizeof(r->probed.why), "not asked");
		r->s.mod = &r->probed;
	}
	meta_begin(&m, &r->env, r->s.mod, session_meta, r);
	for (int i = 0; i < r->u.n; i++)
		if (r->u.drv[i]->open && r->u.drv[i]->open(&r->s, r->u.state[i])) {
			m.status = "failed: cannot create the result files";
			m.end = (long)time(NULL);
			meta_write(&r->s.rd, &m);
			rundir_fail(&r->s.rd, "%s", m.status);
			return 1;
		}
	meta_write(&r->s.rd, &m);
	for (int i = 0; i < r->n && !rc; i++) {
		struct ub_line *l = &r->lines[i];

		r->s.where = l->where;
		if (l->where)
			ub_logfile("%s: %s line", l->where, l->drv->name);
		rc = l->drv->run(&r->s, state_of(&r->u, l->drv), l->plan);
		if (rc)
			failed_where = l->where;
	}
	for (int i = 0; i < r->u.n; i++)
		if (r->u.drv[i]->close && r->u.drv[i]->close(&r->s, r->u.state[i]) &&
		    !rc) {
			rc = 1;
			snprintf(r->s.detail, sizeof(r->s.detail),
				 "writing the result files failed (see log.txt)");
		}
	rc = meta_finish(&r->s.rd, &m, rc, r->s.runs_done, r->s.runs_total,
			 failed_where, r->s.detail);
	if (!rc)
		finish(r);
	return rc;
}

int ub_session_run(const struct ub_session_cfg *cfg, struct ub_line *lines,
		   int n)
{
	struct run *r = ub_xcalloc(1, sizeof(*r));
	int rc;

	r->cfg = cfg;
	r->lines = lines;
	r->n = n;
	env_capture(&r->env, NULL);
	r->s.env = &r->env;
	r->s.dry_run = cfg->dry_run;
	rc = plan_all(r);
	if (!rc && cfg->dry_run) {
		dry_run(r);
	} else if (!rc && !r->s.runs_total) {
		ub_err("%s: nothing to run", cfg->title);
		rc = 2;
	} else if (!rc) {
		for (int i = 0; i < r->u.n && !rc; i++)
			if (r->u.drv[i]->ready)
				rc = r->u.drv[i]->ready(&r->s, r->u.state[i]);
		if (!rc)
			rc = execute(r);
	}
	for (int i = 0; i < r->u.n; i++) {
		if (r->u.drv[i]->free_state)
			r->u.drv[i]->free_state(r->u.state[i]);
		free(r->u.state[i]);
	}
	env_free(&r->env);
	free(r);
	return rc;
}

int ub_session_command(const struct ub_driver *drv, int argc, char **argv,
		       void (*probe)(struct ub_modstatus *mod))
{
	struct ub_session_cfg cfg = { .title = drv->name, .probe = probe };
	struct ub_line line;
	const struct ub_line_opts *c;
	int rc = ub_line_parse(&line, drv, argc, argv, NULL, 1);

	if (rc)
		return rc == UB_OPTS_HELP ? 0 : rc;
	c = line.opts;
	cfg.out = c->out;
	cfg.dry_run = c->dry_run;
	cfg.report = !c->no_report;
	rc = ub_session_run(&cfg, &line, 1);
	ub_line_free(&line);
	return rc;
}
