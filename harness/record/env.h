/* SPDX-License-Identifier: GPL-2.0 */
/*
 * env.h: capture of the environment a figure was measured in.
 *
 * env_capture() reads everything from files under a root prefix, so the
 * unit tests can point it at a fixture tree (tests/fixtures/harness/NAME):
 *	ROOT/proc/sys/kernel/{hostname,osrelease,version}, ROOT/proc/cmdline,
 *	ROOT/proc/cpuinfo, ROOT/proc/meminfo, ROOT/proc/config.gz or
 *	ROOT/boot/config-<release>, ROOT/sys/devices/system/{cpu,node}/...,
 *	ROOT/sys/kernel/mm/transparent_hugepage/{enabled,defrag},
 *	ROOT/sys/module/{kvm,kvm_intel,kvm_amd,unmap_bench}/...
 * and the kernel log for "virt/tdx:" lines: with the real root ("/", ""
 * or NULL) via klogctl(), else from the file ROOT/dmesg (fixtures).
 * Nothing is required: what cannot be read is recorded as unreadable.
 *
 * env_write_json() writes the members host, cpu, numa, thp, tdx and
 * environment (see results/README.md, meta.json) into the JSON object
 * that is currently open.
 */
#ifndef UB_ENV_H
#define UB_ENV_H

#include <stddef.h>
#include "record/json.h"
#include "record/schema.h"

#define UB_ENV_MAX_NODES 64
#define UB_ENV_STR 256

struct ub_env_node {
	int	id;
	char	cpus[UB_ENV_STR];	/* cpulist as in sysfs: "0-3,8-11" */
	long long mem_total_kb;		/* -1 when unknown */
	long long mem_free_kb;
	int	distance[UB_ENV_MAX_NODES];  /* -1 when unknown */
};

struct ub_env_config {
	const char *name;		/* "CONFIG_INTEL_TDX_HOST" */
	char	value[64];		/* "y", "m", "n" (is not set), "" (absent) */
};

struct ub_env {
	char	root[512];		/* "" = real system */

	/* host */
	char	hostname[UB_ENV_STR];
	char	kernel_release[UB_ENV_STR];
	char	kernel_version[UB_ENV_STR];
	char	cmdline[4096];
	char	config_source[UB_ENV_STR];	/* path, or "" when unreadable */
	struct ub_env_config *config;		/* selected options */
	size_t	nr_config;
	int	modules_supported;		/* ROOT/proc/modules exists */

	/* cpu (first processor of /proc/cpuinfo) */
	char	vendor[64];
	int	family, model, stepping;	/* -1 when unknown */
	char	model_name[UB_ENV_STR];
	char	microcode[64];
	int	nr_cpus_online;
	int	f_movdir64b, f_clflushopt, f_clwb, f_rdtscp, f_constant_tsc,
		f_nonstop_tsc, f_hypervisor, f_tdx_host_platform;
	int	bug_tdx_pw_mce;
	char	smt[64];			/* "on", "off", "notsupported", ... */
	char	governor[64];			/* "unavailable" if no cpufreq */
	char	turbo[64];			/* "on", "off", "unknown" */

	/* numa */
	int	nr_nodes;
	struct ub_env_node nodes[UB_ENV_MAX_NODES];
	char	numa_source[64];		/* "sysfs" or "single-node" */

	/* thp */
	char	thp_enabled[64];
	char	thp_defrag[64];

	/* tdx */
	char	tdx_status[128];	/* "initialized", "not supported", "unknown" */
	char	tdx_module_version[128];
	char	tdx_source[UB_ENV_STR];
	char	tdx_evidence[512];	/* the kernel log line(s) used */

	/* environment */
	unsigned emulation;		/* enum ub_emulation (record/schema.def) */
	char	emulation_evidence[UB_ENV_STR];
};

/* Missing pieces are recorded as such (it cannot fail). */
void env_capture(struct ub_env *e, const char *root);
/* env_json.c */
void env_write_json(struct ub_json *j, const struct ub_env *e);
void env_free(struct ub_env *e);

/* Emulation (enum ub_emulation) from a kernel command line and the
 * hypervisor flag. */
unsigned env_emulation(const char *cmdline, int hypervisor_flag,
		       char *evidence, size_t n);
/* Times from an emulator (QEMU/TCG): x20-30 slower in estimates. */
int env_emulated(const struct ub_env *e);

/* Kernel log text (malloc'ed, or NULL): klogctl on the real system (ROOT
 * NULL, "" or "/"), else the file ROOT/dmesg (fixtures); SRC says which,
 * or why it is unreadable. */
char *env_kernel_log(const char *root, char *src, size_t n);

/* Look up a captured config option ("" if absent). */
const char *env_config(const struct ub_env *e, const char *name);

#endif
