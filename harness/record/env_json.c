// SPDX-License-Identifier: GPL-2.0
/* env_json.c: the captured environment as meta.json members (env.h). */
#include <stdlib.h>

#include "record/cpulist.h"
#include "record/env.h"
#include "record/schema.h"

static void str_or_null(struct ub_json *j, const char *k, const char *v)
{
	ub_json_str(j, k, v && *v ? v : NULL);
}

static void int_or_null(struct ub_json *j, const char *k, long long v)
{
	if (v < 0)
		ub_json_null(j, k);
	else
		ub_json_int(j, k, v);
}

static void host(struct ub_json *j, const struct ub_env *e)
{
	ub_json_obj_begin(j, "host");
	str_or_null(j, "hostname", e->hostname);
	str_or_null(j, "kernel_release", e->kernel_release);
	str_or_null(j, "kernel_version", e->kernel_version);
	ub_json_str(j, "cmdline", e->cmdline);
	if (*e->config_source) {
		ub_json_obj_begin(j, "config");
		for (size_t i = 0; i < e->nr_config; i++)
			str_or_null(j, e->config[i].name, e->config[i].value);
		ub_json_obj_end(j);
		ub_json_str(j, "config_source", e->config_source);
	} else {
		ub_json_str(j, "config", "unreadable");
		ub_json_null(j, "config_source");
	}
	ub_json_bool(j, "modules_supported", e->modules_supported);
	ub_json_obj_end(j);
}

static void cpu(struct ub_json *j, const struct ub_env *e)
{
	ub_json_obj_begin(j, "cpu");
	ub_json_str(j, "vendor", e->vendor);
	int_or_null(j, "family", e->family);
	int_or_null(j, "model", e->model);
	int_or_null(j, "stepping", e->stepping);
	ub_json_str(j, "model_name", e->model_name);
	ub_json_str(j, "microcode", e->microcode);
	int_or_null(j, "online", e->nr_cpus_online);
	ub_json_obj_begin(j, "flags");
	ub_json_bool(j, "movdir64b", e->f_movdir64b);
	ub_json_bool(j, "clflushopt", e->f_clflushopt);
	ub_json_bool(j, "clwb", e->f_clwb);
	ub_json_bool(j, "rdtscp", e->f_rdtscp);
	ub_json_bool(j, "constant_tsc", e->f_constant_tsc);
	ub_json_bool(j, "nonstop_tsc", e->f_nonstop_tsc);
	ub_json_bool(j, "hypervisor", e->f_hypervisor);
	ub_json_bool(j, "tdx_host_platform", e->f_tdx_host_platform);
	ub_json_obj_end(j);
	ub_json_obj_begin(j, "bugs");
	ub_json_bool(j, "tdx_pw_mce", e->bug_tdx_pw_mce);
	ub_json_obj_end(j);
	ub_json_str(j, "smt", e->smt);
	ub_json_str(j, "governor", e->governor);
	ub_json_str(j, "turbo", e->turbo);
	ub_json_obj_end(j);
}

static void numa(struct ub_json *j, const struct ub_env *e)
{
	ub_json_obj_begin(j, "numa");
	ub_json_str(j, "source", e->numa_source);
	ub_json_arr_begin(j, "nodes");
	for (int i = 0; i < e->nr_nodes; i++) {
		const struct ub_env_node *n = &e->nodes[i];
		int *cpus, nc = ub_cpulist_parse(n->cpus, &cpus);

		ub_json_obj_begin(j, NULL);
		ub_json_int(j, "id", n->id);
		ub_json_arr_begin(j, "cpus");
		for (int c = 0; c < nc; c++)
			ub_json_int(j, NULL, cpus[c]);
		ub_json_arr_end(j);
		if (nc >= 0)
			free(cpus);
		int_or_null(j, "mem_total_kb", n->mem_total_kb);
		int_or_null(j, "mem_free_kb", n->mem_free_kb);
		ub_json_obj_end(j);
	}
	ub_json_arr_end(j);
	ub_json_arr_begin(j, "distances");
	for (int i = 0; i < e->nr_nodes; i++) {
		ub_json_arr_begin(j, NULL);
		for (int k = 0; k < e->nr_nodes; k++)
			int_or_null(j, NULL, e->nodes[i].distance[k]);
		ub_json_arr_end(j);
	}
	ub_json_arr_end(j);
	ub_json_obj_end(j);
}

void env_write_json(struct ub_json *j, const struct ub_env *e)
{
	host(j, e);
	cpu(j, e);
	numa(j, e);
	ub_json_obj_begin(j, "thp");
	ub_json_str(j, "enabled", e->thp_enabled);
	ub_json_str(j, "defrag", e->thp_defrag);
	ub_json_obj_end(j);

	ub_json_obj_begin(j, "tdx");
	ub_json_str(j, "status", e->tdx_status);
	ub_json_str(j, "module_version", e->tdx_module_version);
	ub_json_str(j, "source", e->tdx_source);
	str_or_null(j, "evidence", e->tdx_evidence);
	ub_json_obj_end(j);

	ub_json_obj_begin(j, "environment");
	ub_json_str(j, "emulation", ub_name_or(UB_ENUM_emulation, e->emulation));
	ub_json_str(j, "evidence", e->emulation_evidence);
	ub_json_obj_end(j);
}
