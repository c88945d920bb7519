/* SPDX-License-Identifier: GPL-2.0 */
/*
 * micro.h: the `micro` sweep (cmd_micro.c), also driven by profile lines.
 *
 * micro_parse() turns options (command line or a profile line's tokens)
 * into lists; micro_plan() expands them into the cartesian sweep of
 * concrete runs (CPUs chosen, sizes scaled, variants resolved when the
 * module answers INFO); a session executes plans against the module and
 * writes runs.csv, params.csv, micro.csv, samples.csv, hist.csv and
 * counters.csv into the run directory. Several plans (profile lines)
 * share one session and one run_id sequence.
 */
#ifndef UB_MICRO_H
#define UB_MICRO_H

#include <stdint.h>

#include "record/csv.h"
#include "record/numa.h"
#include "record/opts.h"
#include "record/progress.h"
#include "module/ubdev.h"

struct ub_env;
struct ub_rundir;

#define UB_THREADS_ALL	0		/* "all": every CPU of the memory node */
#define UB_THREADS_HALF	UINT64_MAX	/* "half" of them (at least 1) */

struct micro_opts {
	struct ub_u64_list pages, sizes, granule, node, threads, backend, reset,
			   cache, batch, rounds, seed, timer, irq_off, placement;
	struct ub_str_list variants;
	char	*cpus;			/* "auto" or "0-3/4-7" */
	int	node_all;
	int	use_size;
	int	scale;			/* scale=auto */
	int	repeat;
	char	*label;
	uint64_t max_wall_ms, max_irqoff_ns;
	int	counters, hist, samples;
	/* command-line only */
	char	*out;
	int	dry_run;
};

struct micro_run {
	int	repeat;			/* 1-based */
	unsigned granule, backend, reset, cache, timer, irq_off;
	int	node;
	int	threads;
	int	cpus[UB_MAX_THREADS];
	int	placement;
	uint64_t units, unit_bytes;
	uint32_t batch, rounds;
	uint64_t seed;
	uint64_t variant_mask;		/* 0 when unresolved (dry run) */
	int	nvar;			/* applicable variants (estimate) */
	int	scaled;			/* units reduced by scale=auto */
	double	est_s;
	char	source[96];		/* "cli" or "FILE:LINE" */
};

struct micro_plan {
	int	n;
	struct micro_run *runs;
	double	est_s;
	const char *label;
	const struct micro_opts *o;
};

void micro_opts_init(struct micro_opts *o);
void micro_opts_free(struct micro_opts *o);
/* argv[0] is the command name. cli != 0 allows --out/--dry-run.
 * 0, or 2 (usage error, message printed with ub_opt_where). */
int  micro_parse(int argc, char **argv, struct micro_opts *o, int cli);
/* INFO may be NULL (module unavailable: variants counted by guess). */
int  micro_plan(const struct micro_opts *o, const struct ub_topo *t,
		const struct ub_info *info, const struct ub_env *env,
		const char *source, struct micro_plan *p);
void micro_plan_print(const struct micro_plan *p, const struct ub_info *info,
		      int first_id);
void micro_plan_free(struct micro_plan *p);

struct micro_session {
	struct ub_rundir *rd;
	const struct ub_env *env;
	struct ubdev *dev;
	struct ub_topo *topo;
	struct ub_csv *runs, *params, *micro, *samples, *hist, *counters;
	int	next_id;
	int	done, total;		/* progress over the whole session */
	struct ub_progress prog;
	unsigned backends_used;		/* bit per enum ub_backend */
	char	backend_reason[UB_REASON_LEN];
	int	runs_ok, runs_capped;
};

int  micro_session_open(struct micro_session *s, struct ub_rundir *rd,
			const struct ub_env *env, struct ubdev *dev,
			struct ub_topo *topo, int total_runs);
/* 0 ok, 1 failed, 130 interrupted. */
int  micro_session_run(struct micro_session *s, const struct micro_plan *p);
/* Status detail when the measurements ran but their files could not be
 * written (the errno is in log.txt). */
#define MICRO_WRITE_FAILED "writing the result files failed (see log.txt)"
int  micro_session_close(struct micro_session *s);
/* meta.json "measurement" member for a session (meta extra callback). */
void micro_session_meta(struct ub_json *j, void *session);

#endif
