// SPDX-License-Identifier: GPL-2.0
/* env.c: environment capture from /proc and /sys (under a root prefix). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/cpulist.h"
#include "record/env.h"
#include "record/util.h"

/* Config options worth recording next to a figure. */
static const char *const config_names[] = {
	"CONFIG_INTEL_TDX_HOST", "CONFIG_KVM", "CONFIG_KVM_INTEL",
	"CONFIG_KVM_AMD", "CONFIG_KVM_SW_PROTECTED_VM", "CONFIG_KVM_GUEST",
	"CONFIG_X86_MCE", "CONFIG_NUMA", "CONFIG_TRANSPARENT_HUGEPAGE",
	"CONFIG_HZ", "CONFIG_PREEMPT", "CONFIG_PREEMPT_VOLUNTARY",
	"CONFIG_PREEMPT_NONE", "CONFIG_PREEMPT_DYNAMIC", "CONFIG_PREEMPT_RT",
	"CONFIG_MODULES", "CONFIG_MODULE_SIG", "CONFIG_MODULE_SIG_FORCE",
	"CONFIG_SECURITY_LOCKDOWN_LSM", "CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY",
	"CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY",
	"CONFIG_KASAN", "CONFIG_KCSAN", "CONFIG_KMSAN", "CONFIG_UBSAN",
	"CONFIG_LOCKDEP", "CONFIG_PROVE_LOCKING", "CONFIG_DEBUG_VM",
	"CONFIG_DEBUG_PAGEALLOC", "CONFIG_DEBUG_PREEMPT",
	"CONFIG_PAGE_TABLE_ISOLATION", "CONFIG_MITIGATION_PAGE_TABLE_ISOLATION",
	"CONFIG_RETPOLINE", "CONFIG_MITIGATION_RETPOLINE",
	"CONFIG_SPARSEMEM_VMEMMAP", "CONFIG_DEBUG_FS",
};

const char *env_config(const struct ub_env *e, const char *name)
{
	for (size_t i = 0; i < e->nr_config; i++)
		if (!strcmp(e->config[i].name, name))
			return e->config[i].value;
	return "";
}

static void cpy(char *dst, size_t n, const char *src)
{
	ub_strlcpy(dst, src ? src : "", n);
}

/* Read ROOT+PATH into DST (stripped); DFLT when unreadable. */
static int rd(const struct ub_env *e, const char *path, char *dst, size_t n,
	      const char *dflt)
{
	char *s = ub_read_rooted(e->root, path, 1);

	cpy(dst, n, s ? s : dflt);
	free(s);
	return s ? 0 : -1;
}

static void config_line(struct ub_env *e, const char *line)
{
	for (size_t i = 0; i < e->nr_config; i++) {
		size_t l = strlen(e->config[i].name);

		if (!strncmp(line, e->config[i].name, l) && line[l] == '=') {
			cpy(e->config[i].value, sizeof(e->config[i].value),
			    line + l + 1);
			return;
		}
		if (!strncmp(line, "# ", 2) &&
		    !strncmp(line + 2, e->config[i].name, l) &&
		    !strncmp(line + 2 + l, " is not set", 11)) {
			strcpy(e->config[i].value, "n");
			return;
		}
	}
}

static int config_from(struct ub_env *e, FILE *f)
{
	char line[512];
	int n = 0;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		config_line(e, line);
		n++;
	}
	return n;
}

static void capture_config(struct ub_env *e)
{
	char path[1024], p[1024];
	FILE *f;

	e->nr_config = UB_ARRAY_SIZE(config_names);
	e->config = ub_xcalloc(e->nr_config, sizeof(*e->config));
	for (size_t i = 0; i < e->nr_config; i++)
		e->config[i].name = config_names[i];

	snprintf(p, sizeof(p), "/boot/config-%s", e->kernel_release);
	ub_rooted(path, sizeof(path), e->root, p);
	f = fopen(path, "re");
	if (f) {
		if (config_from(e, f) > 0)
			cpy(e->config_source, sizeof(e->config_source), p);
		fclose(f);
		if (*e->config_source)
			return;
	}
	ub_rooted(path, sizeof(path), e->root, "/proc/config.gz");
	if (access(path, R_OK) == 0) {
		int fds[2];
		pid_t pid;

		if (pipe(fds))
			return;
		pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(fds[1], 1);
			if (devnull >= 0)
				dup2(devnull, 2);
			close(fds[0]);
			execlp("gzip", "gzip", "-dc", path, (char *)NULL);
			_exit(127);
		}
		close(fds[1]);
		if (pid < 0) {
			close(fds[0]);
			return;
		}
		f = fdopen(fds[0], "r");
		if (f) {
			int n = config_from(e, f);
			int st;

			fclose(f);
			waitpid(pid, &st, 0);
			if (n > 0 && WIFEXITED(st) && !WEXITSTATUS(st))
				cpy(e->config_source, sizeof(e->config_source),
				    "/proc/config.gz");
		} else {
			close(fds[0]);
			waitpid(pid, NULL, 0);
		}
	}
}

static int has_word(const char *list, const char *w)
{
	size_t l = strlen(w);

	for (const char *p = list; p && (p = strstr(p, w)); p += l)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (!p[l] || isspace((unsigned char)p[l])))
			return 1;
	return 0;
}

/* One "key: value" line of the first processor in /proc/cpuinfo. */
static void cpuinfo_field(struct ub_env *e, const char *k, const char *v)
{
	if (!strcmp(k, "vendor_id"))
		cpy(e->vendor, sizeof(e->vendor), v);
	else if (!strcmp(k, "cpu family"))
		e->family = atoi(v);
	else if (!strcmp(k, "model"))
		e->model = atoi(v);
	else if (!strcmp(k, "stepping"))
		e->stepping = atoi(v);
	else if (!strcmp(k, "model name"))
		cpy(e->model_name, sizeof(e->model_name), v);
	else if (!strcmp(k, "microcode"))
		cpy(e->microcode, sizeof(e->microcode), v);
	else if (!strcmp(k, "flags")) {
		e->f_movdir64b = has_word(v, "movdir64b");
		e->f_clflushopt = has_word(v, "clflushopt");
		e->f_clwb = has_word(v, "clwb");
		e->f_rdtscp = has_word(v, "rdtscp");
		e->f_constant_tsc = has_word(v, "constant_tsc");
		e->f_nonstop_tsc = has_word(v, "nonstop_tsc");
		e->f_hypervisor = has_word(v, "hypervisor");
		e->f_tdx_host_platform = has_word(v, "tdx_host_platform");
	} else if (!strcmp(k, "bugs")) {
		e->bug_tdx_pw_mce = has_word(v, "tdx_pw_mce");
	}
}

static void capture_cpuinfo(struct ub_env *e)
{
	char *ci = ub_read_rooted(e->root, "/proc/cpuinfo", 0), *line, *save;

	e->family = e->model = e->stepping = -1;
	cpy(e->vendor, sizeof(e->vendor), "unknown");
	cpy(e->model_name, sizeof(e->model_name), "unknown");
	cpy(e->microcode, sizeof(e->microcode), "unknown");
	if (!ci)
		return;
	for (line = strtok_r(ci, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *k = line, *v, *end;

		if (!colon)
			continue;
		*colon = 0;
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		end = colon;
		while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!strcmp(k, "processor") && strcmp(v, "0"))
			break;	/* first processor only */
		cpuinfo_field(e, k, v);
	}
	free(ci);
}

static void capture_cpu(struct ub_env *e)
{
	char *online, v[16];
	int *cpus;

	capture_cpuinfo(e);
	online = ub_read_rooted(e->root, "/sys/devices/system/cpu/online", 1);
	e->nr_cpus_online = online ? ub_cpulist_parse(online, &cpus) : -1;
	if (e->nr_cpus_online > 0)
		free(cpus);
	free(online);

	if (rd(e, "/sys/devices/system/cpu/smt/control", e->smt,
	       sizeof(e->smt), "unknown") == 0) {
		char act[16];

		if (!rd(e, "/sys/devices/system/cpu/smt/active", act,
			sizeof(act), "") && !strcmp(e->smt, "on") &&
		    !strcmp(act, "0"))
			cpy(e->smt, sizeof(e->smt), "on (inactive: no siblings)");
	}
	rd(e, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
	   e->governor, sizeof(e->governor), "unavailable");
	if (!rd(e, "/sys/devices/system/cpu/intel_pstate/no_turbo", v,
		sizeof(v), ""))
		cpy(e->turbo, sizeof(e->turbo), !strcmp(v, "0") ? "on" : "off");
	else if (!rd(e, "/sys/devices/system/cpu/cpufreq/boost", v, sizeof(v), ""))
		cpy(e->turbo, sizeof(e->turbo), !strcmp(v, "1") ? "on" : "off");
	else
		cpy(e->turbo, sizeof(e->turbo), "unknown");
}

static long long meminfo_kb(const char *text, const char *key)
{
	const char *p = text ? strstr(text, key) : NULL;

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	return strtoll(p, NULL, 10);
}

static int cmp_node(const void *a, const void *b)
{
	return ((const struct ub_env_node *)a)->id -
	       ((const struct ub_env_node *)b)->id;
}

static void capture_numa(struct ub_env *e)
{
	char path[1024];
	struct dirent *de;
	DIR *d;

	ub_rooted(path, sizeof(path), e->root, "/sys/devices/system/node");
	d = opendir(path);
	e->nr_nodes = 0;
	while (d && (de = readdir(d)) && e->nr_nodes < UB_ENV_MAX_NODES) {
		struct ub_env_node *n;
		char p[512], *s, *mi, *tok, *save;
		char *end;
		long id;

		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		id = strtol(de->d_name + 4, &end, 10);
		if (*end)
			continue;
		n = &e->nodes[e->nr_nodes++];
		n->id = (int)id;
		snprintf(p, sizeof(p), "/sys/devices/system/node/node%ld/cpulist", id);
		s = ub_read_rooted(e->root, p, 1);
		cpy(n->cpus, sizeof(n->cpus), s ? s : "");
		free(s);
		snprintf(p, sizeof(p), "/sys/devices/system/node/node%ld/meminfo", id);
		mi = ub_read_rooted(e->root, p, 0);
		n->mem_total_kb = meminfo_kb(mi, "MemTotal");
		n->mem_free_kb = meminfo_kb(mi, "MemFree");
		free(mi);
		for (int k = 0; k < UB_ENV_MAX_NODES; k++)
			n->distance[k] = -1;
		snprintf(p, sizeof(p), "/sys/devices/system/node/node%ld/distance", id);
		s = ub_read_rooted(e->root, p, 1);
		if (s) {
			int k = 0;

			for (tok = strtok_r(s, " ", &save); tok && k < UB_ENV_MAX_NODES;
			     tok = strtok_r(NULL, " ", &save))
				n->distance[k++] = atoi(tok);
			free(s);
		}
	}
	if (d)
		closedir(d);
	if (e->nr_nodes) {
		qsort(e->nodes, (size_t)e->nr_nodes, sizeof(e->nodes[0]), cmp_node);
		cpy(e->numa_source, sizeof(e->numa_source), "sysfs");
		return;
	}
	/* Kernel without NUMA: one node with every CPU and all memory. */
	{
		struct ub_env_node *n = &e->nodes[0];
		char *mi = ub_read_rooted(e->root, "/proc/meminfo", 0);
		char *online = ub_read_rooted(e->root, "/sys/devices/system/cpu/online", 1);

		e->nr_nodes = 1;
		n->id = 0;
		cpy(n->cpus, sizeof(n->cpus), online ? online : "");
		n->mem_total_kb = meminfo_kb(mi, "MemTotal");
		n->mem_free_kb = meminfo_kb(mi, "MemFree");
		for (int k = 0; k < UB_ENV_MAX_NODES; k++)
			n->distance[k] = -1;
		n->distance[0] = 10;
		free(mi);
		free(online);
		cpy(e->numa_source, sizeof(e->numa_source),
		    "single-node (no /sys/devices/system/node)");
	}
}

static void bracketed(const char *s, char *dst, size_t n)
{
	const char *a = s ? strchr(s, '[') : NULL, *b = a ? strchr(a, ']') : NULL;

	if (a && b) {
		size_t l = (size_t)(b - a - 1);

		if (l >= n)
			l = n - 1;
		memcpy(dst, a + 1, l);
		dst[l] = 0;
	} else {
		cpy(dst, n, s ? s : "unavailable");
	}
}

static void capture_thp(struct ub_env *e)
{
	char *s = ub_read_rooted(e->root, "/sys/kernel/mm/transparent_hugepage/enabled", 1);

	bracketed(s, e->thp_enabled, sizeof(e->thp_enabled));
	free(s);
	s = ub_read_rooted(e->root, "/sys/kernel/mm/transparent_hugepage/defrag", 1);
	bracketed(s, e->thp_defrag, sizeof(e->thp_defrag));
	free(s);
}

char *env_kernel_log(const char *root, char *src, size_t n)
{
	int len;
	char *buf;

	if (root && *root && strcmp(root, "/")) {
		cpy(src, n, "dmesg file");
		return ub_read_rooted(root, "/dmesg", 0);
	}
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (len <= 0)
		len = 1 << 20;
	buf = ub_xmalloc((size_t)len + 1);
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		snprintf(src, n, "kernel log unreadable (%s)", strerror(errno));
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	cpy(src, n, "kernel log");
	return buf;
}

static void capture_tdx(struct ub_env *e)
{
	char src[128], *log = env_kernel_log(e->root, src, sizeof(src));
	char *line, *save, param[16];
	const char *status = NULL;
	int lines = 0;

	e->tdx_evidence[0] = 0;
	cpy(e->tdx_module_version, sizeof(e->tdx_module_version), "unknown");
	for (line = log ? strtok_r(log, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *t = strstr(line, "virt/tdx:"), *v;

		if (!t)
			continue;
		lines++;
		if (strlen(e->tdx_evidence) + strlen(t) + 3 < sizeof(e->tdx_evidence)) {
			if (*e->tdx_evidence)
				strcat(e->tdx_evidence, " | ");
			strcat(e->tdx_evidence, t);
		}
		if (strstr(t, "not supported") || strstr(t, "not enabled") ||
		    strstr(t, "disabled"))
			status = "not available";
		else if (strstr(t, "initialized") && !strstr(t, "not initialized"))
			status = "initialized";
		else if (strstr(t, "fail") || strstr(t, "error"))
			status = "failed";
		else if (!status)
			status = "present";
		/* "... major_version 1, minor_version 5 ..." */
		if ((v = strstr(t, "major_version"))) {
			int ma = -1, mi = -1, upd = -1;
			char *m2 = strstr(t, "minor_version"), *u = strstr(t, "update_version");

			ma = atoi(v + 14);
			if (m2)
				mi = atoi(m2 + 14);
			if (u)
				upd = atoi(u + 15);
			if (upd >= 0)
				snprintf(e->tdx_module_version, sizeof(e->tdx_module_version),
					 "%d.%d.%02d", ma, mi, upd);
			else
				snprintf(e->tdx_module_version, sizeof(e->tdx_module_version),
					 "%d.%d", ma, mi);
		} else if ((v = strstr(t, "version ")) && isdigit((unsigned char)v[8])) {
			size_t l = strspn(v + 8, "0123456789.");

			if (l < sizeof(e->tdx_module_version)) {
				memcpy(e->tdx_module_version, v + 8, l);
				e->tdx_module_version[l] = 0;
			}
		}
	}
	free(log);
	if (status) {
		cpy(e->tdx_status, sizeof(e->tdx_status), status);
		snprintf(e->tdx_source, sizeof(e->tdx_source),
			 "%s: %d \"virt/tdx:\" line%s", src, lines,
			 lines == 1 ? "" : "s");
	} else if (!strcmp(src, "kernel log") || !strcmp(src, "dmesg file")) {
		cpy(e->tdx_status, sizeof(e->tdx_status),
		    e->f_tdx_host_platform ? "unknown (no virt/tdx: log lines)" :
		    "not available");
		snprintf(e->tdx_source, sizeof(e->tdx_source),
			 "%s: no \"virt/tdx:\" lines; cpuinfo flag "
			 "tdx_host_platform %s", src,
			 e->f_tdx_host_platform ? "set" : "absent");
	} else {
		cpy(e->tdx_status, sizeof(e->tdx_status), "unknown");
		snprintf(e->tdx_source, sizeof(e->tdx_source), "%s", src);
	}
	if (!rd(e, "/sys/module/kvm_intel/parameters/tdx", param, sizeof(param), "")) {
		size_t l = strlen(e->tdx_source);

		snprintf(e->tdx_source + l, sizeof(e->tdx_source) - l,
			 "; kvm_intel.tdx=%s", param);
	}
}

unsigned env_emulation(const char *cmdline, int hyp, char *ev, size_t n)
{
	static const unsigned from_cmdline[] = { UB_EMU_QEMU_TCG, UB_EMU_QEMU_KVM };
	const char *p;

	for (p = cmdline; p && (p = strstr(p, "ub.env=")); p += 7) {
		if (p != cmdline && !isspace((unsigned char)p[-1]))
			continue;
		for (size_t i = 0; i < UB_ARRAY_SIZE(from_cmdline); i++) {
			const char *name = ub_name(UB_ENUM_emulation, from_cmdline[i]);
			size_t l = strlen(name);

			if (!strncmp(p + 7, name, l) &&
			    (!p[7 + l] || isspace((unsigned char)p[7 + l]))) {
				snprintf(ev, n, "kernel command line: ub.env=%s", name);
				return from_cmdline[i];
			}
		}
	}
	if (hyp) {
		snprintf(ev, n, "cpuinfo flag 'hypervisor' is set");
		return UB_EMU_VM;
	}
	snprintf(ev, n, "no ub.env= on the kernel command line and no "
		 "'hypervisor' cpuinfo flag");
	return UB_EMU_NONE;
}

int env_emulated(const struct ub_env *e)
{
	return e && e->emulation == UB_EMU_QEMU_TCG;
}

void env_capture(struct ub_env *e, const char *root)
{
	char path[1024];
	struct utsname u;

	memset(e, 0, sizeof(*e));
	if (root && *root && strcmp(root, "/"))
		cpy(e->root, sizeof(e->root), root);
	uname(&u);
	if (rd(e, "/proc/sys/kernel/hostname", e->hostname, sizeof(e->hostname), "") &&
	    !*e->root)
		cpy(e->hostname, sizeof(e->hostname), u.nodename);
	if (rd(e, "/proc/sys/kernel/osrelease", e->kernel_release,
	       sizeof(e->kernel_release), "") && !*e->root)
		cpy(e->kernel_release, sizeof(e->kernel_release), u.release);
	if (rd(e, "/proc/sys/kernel/version", e->kernel_version,
	       sizeof(e->kernel_version), "") && !*e->root)
		cpy(e->kernel_version, sizeof(e->kernel_version), u.version);
	rd(e, "/proc/cmdline", e->cmdline, sizeof(e->cmdline), "");
	e->modules_supported =
		access(ub_rooted(path, sizeof(path), e->root, "/proc/modules"), F_OK) == 0;
	capture_config(e);
	capture_cpu(e);
	capture_numa(e);
	capture_thp(e);
	capture_tdx(e);
	e->emulation = env_emulation(e->cmdline, e->f_hypervisor,
				     e->emulation_evidence,
				     sizeof(e->emulation_evidence));
}

void env_free(struct ub_env *e)
{
	free(e->config);
	e->config = NULL;
	e->nr_config = 0;
}
