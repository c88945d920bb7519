// SPDX-License-Identifier: GPL-2.0
/* cmd_info.c: `unmapbench info`: host, CPU, NUMA, TDX, module, KVM. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "module/ubdev.h"
#include "record/env.h"
#include "record/json.h"
#include "record/log.h"
#include "record/meta.h"
#include "record/util.h"
#include "record/version.h"
#include "teardown/kvm.h"

struct info_opts {
	uint64_t given;
	int	json;
	char	*root;
};

static const struct ub_opt info_opts_table[] = {
	{ .name = "json", .kind = UB_ARG_FLAG, .off = offsetof(struct info_opts, json),
	  .help = "one JSON object (the same members as meta.json)" },
	{ .name = "root", .kind = UB_ARG_TEXT, .off = offsetof(struct info_opts, root),
	  .arg = "DIR", .help = "read /proc and /sys under DIR (test fixtures); "
	  "skips the\nmodule and /dev/kvm" },
	{ .name = NULL },
};

const struct ub_optset info_optset = {
	.cmd = "info",
	.synopsis = "[OPTIONS]",
	.about = "Kernel, CPU (flags movdir64b clflushopt clwb rdtscp "
		 "constant_tsc, bug\ntdx_pw_mce), NUMA nodes, TDX, the "
		 "unmap_bench module and KVM.",
	.opt = info_opts_table,
	.given_off = offsetof(struct info_opts, given),
};

struct kvm_caps {
	int	present;
	char	why[128];
	int	api;
	long	mem_attr, gmem, vm_types, prefault, gmem_flags;
};

static void kvm_probe(struct kvm_caps *k)
{
	int fd;

	memset(k, 0, sizeof(*k));
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(k->why, sizeof(k->why), "/dev/kvm: %s", strerror(errno));
		return;
	}
	k->present = 1;
	k->api = ioctl(fd, KVM_GET_API_VERSION, 0);
	k->mem_attr = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES);
	k->gmem = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);
	k->vm_types = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	k->prefault = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_PRE_FAULT_MEMORY);
	k->gmem_flags = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	close(fd);
	/* Without the VM_TYPES capability only the default type exists. */
	if (k->vm_types <= 0)
		k->vm_types = 1;
}

static void vm_types_str(long mask, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < 32 && off < n; i++) {
		int w;

		if (!(mask & (1L << i)))
			continue;
		w = snprintf(buf + off, n - off, "%s%s", off ? "," : "",
			     ubk_vm_type_name(i));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

static void kvm_json(struct ub_json *j, const struct kvm_caps *k)
{
	char types[128];

	ub_json_obj_begin(j, "kvm");
	ub_json_bool(j, "present", k->present);
	if (!k->present) {
		ub_json_str(j, "why", k->why);
		ub_json_obj_end(j);
		return;
	}
	ub_json_int(j, "api_version", k->api);
	ub_json_arr_begin(j, "vm_types");
	for (unsigned i = 0; i < 32; i++)
		if (k->vm_types & (1L << i))
			ub_json_str(j, NULL, ubk_vm_type_name(i));
	ub_json_arr_end(j);
	vm_types_str(k->vm_types, types, sizeof(types));
	ub_json_obj_begin(j, "caps");
	ub_json_int(j, "memory_attributes", k->mem_attr < 0 ? 0 : k->mem_attr);
	ub_json_int(j, "guest_memfd", k->gmem < 0 ? 0 : k->gmem);
	ub_json_int(j, "vm_types", k->vm_types);
	ub_json_int(j, "pre_fault_memory", k->prefault < 0 ? 0 : k->prefault);
	ub_json_int(j, "guest_memfd_flags", k->gmem_flags < 0 ? 0 : k->gmem_flags);
	ub_json_obj_end(j);
	ub_json_obj_end(j);
}

static const char *yn(int v)
{
	return v ? "yes" : "no";
}

/* A number the environment could not read (-1) prints as "unknown". */
static const char *num(char buf[16], long long v)
{
	if (v < 0)
		return "unknown";
	snprintf(buf, 16, "%lld", v);
	return buf;
}

static void kib(char *buf, size_t n, long long v)
{
	if (v < 0)
		snprintf(buf, n, "unknown");
	else
		ub_fmt_bytes(buf, n, (double)v * 1024);
}

static void print_text(const struct ub_env *e, const struct ub_modstatus *mi,
		       const struct kvm_caps *k)
{
	char n[4][16];

	printf("unmapbench %s (module ABI %d)\n", UB_VERSION, UB_ABI_VERSION);
	printf("host:      %s\n", e->hostname);
	printf("kernel:    %s (%s)%s\n", e->kernel_release, e->kernel_version,
	       e->modules_supported ? "" : "; built WITHOUT module support");
	printf("config:    %s\n", *e->config_source ? e->config_source : "unreadable");
	if (*e->config_source)
		printf("           INTEL_TDX_HOST=%s KVM=%s KVM_INTEL=%s "
		       "KVM_SW_PROTECTED_VM=%s\n",
		       *env_config(e, "CONFIG_INTEL_TDX_HOST") ? env_config(e, "CONFIG_INTEL_TDX_HOST") : "-",
		       *env_config(e, "CONFIG_KVM") ? env_config(e, "CONFIG_KVM") : "-",
		       *env_config(e, "CONFIG_KVM_INTEL") ? env_config(e, "CONFIG_KVM_INTEL") : "-",
		       *env_config(e, "CONFIG_KVM_SW_PROTECTED_VM") ?
		       env_config(e, "CONFIG_KVM_SW_PROTECTED_VM") : "-");
	printf("cpu:       %s family %s model %s stepping %s, microcode %s\n",
	       e->vendor, num(n[0], e->family), num(n[1], e->model),
	       num(n[2], e->stepping), e->microcode);
	printf("           %s; %s CPUs online; SMT %s; governor %s; turbo %s\n",
	       e->model_name, num(n[3], e->nr_cpus_online), e->smt, e->governor,
	       e->turbo);
	printf("flags:     movdir64b %s, clflushopt %s, clwb %s, rdtscp %s, "
	       "constant_tsc %s, nonstop_tsc %s\n", yn(e->f_movdir64b),
	       yn(e->f_clflushopt), yn(e->f_clwb), yn(e->f_rdtscp),
	       yn(e->f_constant_tsc), yn(e->f_nonstop_tsc));
	printf("bugs:      tdx_pw_mce %s%s\n", yn(e->bug_tdx_pw_mce),
	       e->bug_tdx_pw_mce ? " (the kernel clears private pages with "
	       "MOVDIR64B on unmap)" : " (tdx_quirk_reset_paddr returns at once)");
	for (int i = 0; i < e->nr_nodes; i++) {
		char tot[32], fr[32];

		kib(tot, sizeof(tot), e->nodes[i].mem_total_kb);
		kib(fr, sizeof(fr), e->nodes[i].mem_free_kb);
		printf("%s node %d: cpus %s, memory %s (%s free)\n",
		       i ? "          " : "numa:     ", e->nodes[i].id,
		       *e->nodes[i].cpus ? e->nodes[i].cpus : "none", tot, fr);
	}
	printf("thp:       enabled %s, defrag %s\n", e->thp_enabled, e->thp_defrag);
	printf("tdx:       %s (module version %s; %s)\n", e->tdx_status,
	       e->tdx_module_version, e->tdx_source);
	printf("emulation: %s (%s)\n", ub_name_or(UB_ENUM_emulation, e->emulation),
	       e->emulation_evidence);
	if (mi) {
		if (mi->usable) {
			char b[64];

			printf("module:    %s, ABI %u (harness %d), version %s\n",
			       mi->where == UB_WHERE_NATIVE ?
			       "native (the module's portable code in this binary)" :
			       "loaded", mi->info.abi_version, UB_ABI_VERSION,
			       mi->info.module_version);
			printf("           build: %s\n", mi->info.build);
			printf("           backends %s; auto -> %s (%s)\n",
			       ub_backends_str(mi->info.backends & ~1U, b, sizeof(b)),
			       ub_name_or(UB_ENUM_backend, mi->info.auto_backend),
			       mi->info.auto_reason);
			printf("           tdx: %s; tsc %llu kHz; phys bits %u; "
			       "%u variants x %u layout replicas\n", mi->info.tdx_reason,
			       (unsigned long long)mi->info.tsc_khz,
			       mi->info.x86_phys_bits, mi->info.nr_variants,
			       mi->info.nr_replicas);
		} else {
			printf("module:    %s\n", mi->why);
		}
	}
	if (k) {
		if (k->present) {
			char types[128];

			vm_types_str(k->vm_types, types, sizeof(types));
			printf("kvm:       API %d; VM types %s\n", k->api, types);
			printf("           memory_attributes %#lx, guest_memfd %s, "
			       "pre_fault_memory %s, guest_memfd_flags %#lx\n",
			       k->mem_attr > 0 ? k->mem_attr : 0, yn(k->gmem > 0),
			       yn(k->prefault > 0), k->gmem_flags > 0 ? k->gmem_flags : 0);
		} else {
			printf("kvm:       %s\n", k->why);
		}
	}
}

static int info_json(const struct ub_env *e, const struct ub_modstatus *mi,
		     const struct kvm_caps *k)
{
	struct ub_json j;

	ub_json_init(&j, stdout, 1);
	ub_json_obj_begin(&j, NULL);
	ub_json_str(&j, "suite_version", UB_VERSION);
	ub_json_int(&j, "harness_abi_version", UB_ABI_VERSION);
	env_write_json(&j, e);
	if (mi) {
		meta_write_module(&j, mi);
		kvm_json(&j, k);
	}
	ub_json_obj_end(&j);
	if (ub_json_finish(&j)) {
		ub_err("info: JSON output failed");
		return 1;
	}
	return 0;
}

/*
 * --root DIR: a captured / (a test fixture). It must exist; what it
 * lacks reads as unknown, as on a host that hides it.
 */
static int root_usable(const char *root)
{
	struct stat st;

	if (stat(root, &st)) {
		ub_err("info: --root %s: %s", root, strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		ub_err("info: --root %s: not a directory", root);
		return 0;
	}
	return 1;
}

int cmd_info(int argc, char **argv)
{
	struct info_opts o = { 0 };
	struct ub_modstatus mi;
	struct kvm_caps k;
	struct ub_env e;
	int rc = ub_opts_command(&info_optset, argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (o.root && !root_usable(o.root))
		return 2;
	env_capture(&e, o.root);
	if (!o.root) {
		ubdev_probe(&mi);
		kvm_probe(&k);
	}
	rc = 0;
	if (o.json)
		rc = info_json(&e, o.root ? NULL : &mi, &k);
	else
		print_text(&e, o.root ? NULL : &mi, o.root ? NULL : &k);
	env_free(&e);
	ub_opts_free(&info_optset, &o);
	return rc;
}
