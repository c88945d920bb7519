// SPDX-License-Identifier: GPL-2.0
/* meta.c: meta.json of a run directory, see meta.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/env.h"
#include "record/log.h"
#include "record/meta.h"
#include "record/rundir.h"
#include "record/util.h"
#include "record/version.h"

static int cmd_argc;
static char **cmd_argv;

void meta_command_line(int argc, char **argv)
{
	cmd_argc = argc;
	cmd_argv = argv;
}

static void write_variants(struct ub_json *j, const struct ub_info *in)
{
	ub_json_arr_begin(j, "variants");
	for (unsigned i = 0; i < in->nr_variants; i++) {
		const struct ub_variant_desc *v = &in->variants[i];

		ub_json_obj_begin(j, NULL);
		ub_json_uint(j, "index", i);
		ub_json_str(j, "name", v->name);
		ub_json_bool(j, "twin", v->twin);
		ub_json_str(j, "shape", ub_name_or(UB_ENUM_shape, v->shape));
		ub_json_str(j, "path", ub_name_or(UB_ENUM_path, v->path));
		ub_json_str(j, "granule", ub_name_or(UB_ENUM_variant_granule,
						     v->granule));
		ub_json_uint(j, "param", v->param);
		ub_json_arr_begin(j, "replica_offsets");
		for (unsigned k = 0; k < in->nr_replicas && k < UB_NR_REPLICAS; k++)
			ub_json_uint(j, NULL, in->rep_offset[i][k]);
		ub_json_arr_end(j);
		ub_json_obj_end(j);
	}
	ub_json_arr_end(j);
}

static void write_features(struct ub_json *j, unsigned features)
{
	static const char *const f[] = { "clflush", "clflushopt", "clwb",
		"movdir64b", "rdtscp", "constant_tsc", "nonstop_tsc",
		"tdx_host_platform", "bug_tdx_pw_mce", "hypervisor" };

	ub_json_obj_begin(j, "cpu_features");
	for (unsigned i = 0; i < UB_ARRAY_SIZE(f); i++)
		ub_json_bool(j, f[i], !!(features & (1U << i)));
	ub_json_obj_end(j);
}

void meta_write_backends(struct ub_json *j, const char *key, unsigned mask)
{
	ub_json_arr_begin(j, key);
	for (unsigned b = 0; b < 32; b++)
		if (mask & (1U << b) && ub_name(UB_ENUM_backend, b))
			ub_json_str(j, NULL, ub_name(UB_ENUM_backend, b));
	ub_json_arr_end(j);
}

void meta_write_module(struct ub_json *j, const struct ub_modstatus *mod)
{
	const struct ub_info *in = &mod->info;
	const char *ab = ub_name(UB_ENUM_backend, in->auto_backend);

	ub_json_obj_begin(j, "module");
	ub_json_bool(j, "loaded", mod->loaded);
	ub_json_bool(j, "usable", mod->usable);
	ub_json_str(j, "where", ub_name_or(UB_ENUM_where, mod->where));
	if (mod->where == UB_WHERE_NATIVE) {
		/* the code that ran natively: this binary (plot/codegen.py native) */
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

		if (n > 0) {
			exe[n] = 0;
			ub_json_str(j, "object", exe);
		}
	}
	if (!mod->usable) {
		ub_json_str(j, "why", mod->why);
		ub_json_null(j, "abi_version");
		ub_json_null(j, "version");
		ub_json_obj_end(j);
		return;
	}
	ub_json_int(j, "abi_version", in->abi_version);
	ub_json_int(j, "harness_abi_version", UB_ABI_VERSION);
	ub_json_str(j, "version", in->module_version);
	meta_write_backends(j, "backends", in->backends);
	ub_json_str(j, "auto_backend", ab ? ab : "unknown");
	ub_json_str(j, "auto_reason", in->auto_reason);
	ub_json_str(j, "tdx_reason", in->tdx_reason);
	ub_json_uint(j, "tsc_khz", in->tsc_khz);
	ub_json_uint(j, "x86_phys_bits", in->x86_phys_bits);
	ub_json_obj_begin(j, "keyids");
	ub_json_uint(j, "mktme", in->nr_mktme_keyids);
	ub_json_uint(j, "tdx", in->nr_tdx_keyids);
	ub_json_uint(j, "tdx_global", in->tdx_global_keyid);
	ub_json_obj_end(j);
	write_features(j, in->cpu_features);
	ub_json_uint(j, "max_threads", in->max_threads);
	ub_json_uint(j, "hist_buckets", in->hist_buckets);
	ub_json_str(j, "build", in->build);
	ub_json_uint(j, "nr_replicas", in->nr_replicas);
	write_variants(j, in);
	ub_json_obj_end(j);
}

void meta_begin(struct ub_meta *m, const struct ub_env *env,
		const struct ub_modstatus *mod,
		void (*extra)(struct ub_json *j, void *arg), void *arg)
{
	memset(m, 0, sizeof(*m));
	m->start = (long)time(NULL);
	m->status = "running";
	m->env = env;
	m->mod = mod;
	m->extra = extra;
	m->extra_arg = arg;
}

int meta_write(struct ub_rundir *rd, const struct ub_meta *m)
{
	char tmp[PATH_MAX + 32], fin[PATH_MAX + 32], ts[32];
	struct ub_json j;
	FILE *f;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s/meta.json.tmp", rundir_path(rd)) >=
	    (int)sizeof(tmp) ||
	    snprintf(fin, sizeof(fin), "%s/meta.json", rundir_path(rd)) >=
	    (int)sizeof(fin))
		return -1;
	f = fopen(tmp, "we");
	if (!f) {
		ub_err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	ub_json_init(&j, f, 1);
	ub_json_obj_begin(&j, NULL);
	ub_json_int(&j, "schema_version", UB_META_SCHEMA_VERSION);
	ub_json_str(&j, "suite_version", UB_VERSION);
	ub_json_arr_begin(&j, "command_line");
	for (int i = 0; i < cmd_argc; i++)
		ub_json_str(&j, NULL, cmd_argv[i]);
	ub_json_arr_end(&j);
	ub_utc_iso(ts, sizeof(ts), m->start);
	ub_json_str(&j, "start_utc", ts);
	if (m->end) {
		ub_utc_iso(ts, sizeof(ts), m->end);
		ub_json_str(&j, "end_utc", ts);
	} else {
		ub_json_null(&j, "end_utc");
	}
	ub_json_str(&j, "status", m->status);
	if (m->env)
		env_write_json(&j, m->env);
	meta_write_module(&j, m->mod);
	if (m->extra)
		m->extra(&j, m->extra_arg);
	ub_json_obj_end(&j);
	rc = ub_json_finish(&j);
	if (fclose(f))
		rc = -1;
	if (rc || rename(tmp, fin)) {
		int e = errno;

		unlink(tmp);
		ub_err("%s: could not write meta.json: %s", fin,
		       e ? strerror(e) : "write error");
		return -1;
	}
	return 0;
}

int meta_finish(struct ub_rundir *rd, struct ub_meta *m, int rc, int done,
		int total, const char *where, const char *detail)
{
	char st[512];

	m->end = (long)time(NULL);
	if (rc == 0) {
		m->status = "complete";
		/* A directory only looks complete with its record complete. */
		if (meta_write(rd, m)) {
			rc = 1;
			detail = "could not write meta.json (see log.txt)";
		} else if (rundir_complete(rd)) {
			return 1;
		} else {
			return 0;	/* the caller prints the path */
		}
	}
	if (rc == 130 || ub_signal_pending())
		snprintf(st, sizeof(st), "interrupted: %s after %d/%d runs",
			 ub_signal_name()[0] ? ub_signal_name() : "signal",
			 done, total);
	else
		snprintf(st, sizeof(st), "failed: %.200s%safter %d/%d runs: %.200s",
			 where ? where : "", where ? " " : "", done, total,
			 detail && *detail ? detail : "see log.txt");
	m->status = st;
	meta_write(rd, m);
	rundir_fail(rd, "%s", st);
	ub_err("%s; partial results in %s", st, rundir_path(rd));
	return rc;
}
