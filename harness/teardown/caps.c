// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_caps.c: what the host's KVM offers, which VM type a request
 * gets and why, and the memory preflight.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/env.h"
#include "record/optval.h"
#include "record/schema.h"
#include "record/util.h"
#include "teardown/kvm.h"
#include "teardown/teardown.h"

static int path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static void probe_modules(struct td_caps *c)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	char p[128], *v;

	c->modules[0] = '\0';
	for (size_t i = 0; i < UB_ARRAY_SIZE(mods); i++) {
		snprintf(p, sizeof(p), "/sys/module/%s", mods[i]);
		if (!path_exists(p))
			continue;
		if (c->modules[0])
			strncat(c->modules, " ", sizeof(c->modules) - strlen(c->modules) - 1);
		strncat(c->modules, mods[i], sizeof(c->modules) - strlen(c->modules) - 1);
	}
	c->tdx_param[0] = '\0';
	v = ub_read_file("/sys/module/kvm_intel/parameters/tdx", 1);
	if (v) {
		ub_strlcpy(c->tdx_param, v, sizeof(c->tdx_param));
		free(v);
	}
}

/* "NAME VALUE" lines (the misc cgroup's files): VALUE of NAME, or -1. */
static long misc_value(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, n) && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/*
 * TDX KeyIDs for guests, as userspace can read them in Linux 7.2: KVM
 * sets the misc cgroup's "tdx" capacity to the guest KeyIDs
 * (tdx_get_nr_guest_keyids()); the root's misc.current counts those in
 * use. Without a cgroup v2 misc controller, the kernel log's "virt/tdx:
 * BIOS enabled: private KeyID range [A, B)" gives the total (B - A, less
 * the one global KeyID the TDX module keeps). KVM_TDX_CAPABILITIES and
 * kvm_intel's parameters do not say.
 */
void td_keyids_probe(struct td_caps *c, const char *root)
{
	char *cap = ub_read_rooted(root, "/sys/fs/cgroup/misc.capacity", 0);
	char src[128], *log, *p;

	c->tdx_keyids = c->tdx_keyids_used = -1;
	if (cap && (c->tdx_keyids = misc_value(cap, "tdx")) >= 0) {
		char *cur = ub_read_rooted(root, "/sys/fs/cgroup/misc.current", 0);

		c->tdx_keyids_used = cur ? misc_value(cur, "tdx") : -1;
		snprintf(c->tdx_keyids_src, sizeof(c->tdx_keyids_src),
			 "/sys/fs/cgroup/misc.capacity%s", c->tdx_keyids_used >= 0 ?
			 " and misc.current" : "");
		free(cur);
		free(cap);
		return;
	}
	free(cap);
	log = env_kernel_log(root, src, sizeof(src));
	p = log ? strstr(log, "virt/tdx: BIOS enabled: private KeyID range [") : NULL;
	if (p) {
		long a, b;

		if (sscanf(strchr(p, '[') + 1, "%ld, %ld)", &a, &b) == 2 && b > a) {
			c->tdx_keyids = b - a - 1;
			snprintf(c->tdx_keyids_src, sizeof(c->tdx_keyids_src),
				 "the kernel log's KeyID range [%ld, %ld), less the "
				 "global KeyID; in use: unknown", a, b);
		}
	}
	if (c->tdx_keyids < 0)
		snprintf(c->tdx_keyids_src, sizeof(c->tdx_keyids_src),
			 "not readable here (no misc cgroup 'tdx' capacity, no "
			 "'virt/tdx: BIOS enabled: private KeyID range' in the %.120s)",
			 log ? "kernel log" : src);
	free(log);
}

/*
 * Why KVM's device would not open. A missing module is the likely cause
 * only for the usual /dev/kvm and only when no vendor module is loaded; a
 * path given with --kvm that does not exist is a wrong path.
 */
static const char *open_hint(const struct td_caps *c, const char *kvm_path, int err)
{
	if (err == EACCES)
		return " (needs root or the kvm group)";
	if (err != ENOENT)
		return "";
	if (strcmp(kvm_path, "/dev/kvm"))
		return " (no such device node: check --kvm)";
	static char why[224];

	if (!c->modules[0])
		return " (no kvm_intel or kvm_amd module loaded: modprobe one)";
	snprintf(why, sizeof(why), " (%.100s is loaded but there is no /dev/kvm here: "
		 "a container without the device, or no devtmpfs)", c->modules);
	return why;
}

int td_caps_probe(struct td_caps *c, const char *kvm_path)
{
	int fd;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 8; i++)
		c->gmem_flags[i] = c->attrs[i] = -1;
	probe_modules(c);
	td_keyids_probe(c, getenv("UB_SYSROOT"));
	fd = open(kvm_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		snprintf(c->kvm_why, sizeof(c->kvm_why), "cannot open %s: %s%s",
			 kvm_path, strerror(err), open_hint(c, kvm_path, err));
		return -1;
	}
	c->kvm = 1;
	c->vm_types = ubk_check(fd, KVM_CAP_VM_TYPES);
	/* Without KVM_CAP_VM_TYPES only type 0 exists. */
	if (c->vm_types <= 0)
		c->vm_types = 1L << KVM_X86_DEFAULT_VM;
	c->gmem = ubk_check(fd, KVM_CAP_GUEST_MEMFD);
	c->user_memory2 = ubk_check(fd, KVM_CAP_USER_MEMORY2);
	c->prefault = ubk_check(fd, KVM_CAP_PRE_FAULT_MEMORY);
	c->max_vcpus = ubk_check(fd, KVM_CAP_MAX_VCPUS);
	/* Capabilities that depend on the VM type: ask a scratch VM. */
	for (unsigned t = 0; t < 8; t++) {
		int vm;

		if (!(c->vm_types & (1L << t)))
			continue;
		vm = ubk_create_vm(fd, t, NULL);
		if (vm < 0)
			continue;
		c->gmem_flags[t] = ubk_check(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
		c->attrs[t] = ubk_check(vm, KVM_CAP_MEMORY_ATTRIBUTES);
		if (t == KVM_X86_TDX_VM) {
			struct ubk_err e;

			if (ubk_tdx_capabilities(vm, &c->tdx, &e))
				ub_strlcpy(c->tdx_caps_why, e.msg, sizeof(c->tdx_caps_why));
		}
		close(vm);
	}
	close(fd);
	return 0;
}

int td_caps_fake(struct td_caps *c, const char *spec, char *why, size_t wn)
{
	char *dup = ub_xstrdup(spec), *save = NULL, *tok;

	memset(c, 0, sizeof(*c));
	c->fake = 1;
	c->kvm = 1;
	c->vm_types = 1;
	c->gmem = 1;
	c->user_memory2 = 1;
	c->max_vcpus = 288;
	for (int i = 0; i < 8; i++)
		c->gmem_flags[i] = c->attrs[i] = -1;
	td_keyids_probe(c, getenv("UB_SYSROOT"));
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *k = tok, *v = eq ? eq + 1 : "";
		char *end;
		long n;

		if (eq)
			*eq = '\0';
		if (!strcmp(k, "modules")) {
			/* modules=kvm_amd+kvm_pvm */
			ub_strlcpy(c->modules, v, sizeof(c->modules));
			for (char *p = c->modules; *p; p++)
				if (*p == '+')
					*p = ' ';
			continue;
		}
		if (!strcmp(k, "tdx_param")) {
			ub_strlcpy(c->tdx_param, v, sizeof(c->tdx_param));
			continue;
		}
		if (!strcmp(k, "fail")) {
			/* fail=STEP:ERRNO[:HW_ERROR] */
			char *e1 = strchr(v, ':'), *e2 = e1 ? strchr(e1 + 1, ':') : NULL;

			if (!e1 || e1 == v || (size_t)(e1 - v) >= sizeof(c->fake_cfg.fail_step)) {
				snprintf(why, wn, "UB_TEST_FAKE_KVM: fail=STEP:ERRNO[:HW_ERROR], "
					 "not '%s'", v);
				free(dup);
				return -1;
			}
			memcpy(c->fake_cfg.fail_step, v, (size_t)(e1 - v));
			c->fake_cfg.fail_step[e1 - v] = 0;
			c->fake_cfg.fail_errno = atoi(e1 + 1);
			c->fake_cfg.fail_hw = e2 ? strtoull(e2 + 1, NULL, 0) : 0;
			continue;
		}
		errno = 0;
		n = strtol(v, &end, 0);
		if (errno || end == v || *end) {
			snprintf(why, wn, "UB_TEST_FAKE_KVM: bad value '%s' for %s",
				 v, k);
			free(dup);
			return -1;
		}
		if (!strcmp(k, "kvm"))
			c->kvm = (int)n;
		else if (!strcmp(k, "vm_types"))
			c->vm_types = n;
		else if (!strcmp(k, "gmem"))
			c->gmem = n;
		else if (!strcmp(k, "prefault"))
			c->prefault = n;
		else if (!strcmp(k, "max_vcpus"))
			c->max_vcpus = n;
		else if (!strcmp(k, "gmem_flags"))
			for (int i = 0; i < 8; i++)
				c->gmem_flags[i] = (i == 0) ? n : 0;
		else if (!strcmp(k, "attrs"))
			for (int i = 1; i < 8; i++)
				c->attrs[i] = n;
		else if (!strcmp(k, "run"))
			c->fake_run = (int)n;
		else if (!strcmp(k, "tdx_init_eagain"))
			c->fake_cfg.eagain = (unsigned)n;
		else if (!strcmp(k, "tdx_keyids"))
			c->tdx_keyids = n;
		else if (!strcmp(k, "tdx_keyids_used"))
			c->tdx_keyids_used = n;
		else {
			snprintf(why, wn, "UB_TEST_FAKE_KVM: unknown key '%s'", k);
			free(dup);
			return -1;
		}
	}
	if (!c->kvm)
		snprintf(c->kvm_why, sizeof(c->kvm_why),
			 "cannot open /dev/kvm: No such file or directory "
			 "(no KVM module loaded) [UB_TEST_FAKE_KVM]");
	c->attrs[0] = 0;
	c->fake_cfg.max_vcpus = c->max_vcpus;
	if (strstr(spec, "tdx_keyids"))
		snprintf(c->tdx_keyids_src, sizeof(c->tdx_keyids_src),
			 "UB_TEST_FAKE_KVM");
	free(dup);
	return 0;
}

int td_vm_type_private(unsigned type)
{
	return type == KVM_X86_SW_PROTECTED_VM || type == KVM_X86_SNP_VM ||
	       type == KVM_X86_TDX_VM;
}

static int has_module(const struct td_caps *c, const char *m)
{
	const char *p = c->modules;
	size_t n = strlen(m);

	while ((p = strstr(p, m))) {
		if ((p == c->modules || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Why KVM_X86_TDX_VM is not offered: the missing piece, as precisely as
 * the host lets us tell. In Linux 7.2 the kernel itself turns VMX on and
 * initializes the TDX module at boot (tdx_enable(), a subsys_initcall;
 * "virt/tdx: TDX-Module initialized" or "... initialization failed" in
 * the kernel log); kvm_intel's tdx=1 only lets KVM offer TD guests on top
 * of that, and reloading kvm_intel cannot repair a failed boot-time
 * initialization.
 */
static void tdx_missing(const struct td_caps *c, char *buf, size_t n)
{
	const char *kvm = c->modules[0] ? c->modules : "none found";

	if (!has_module(c, "kvm_intel"))
		snprintf(buf, n, "kvm_intel is not loaded (KVM modules here: %s); "
			 "TDX needs an Intel host whose kernel initialized the TDX "
			 "module at boot ('virt/tdx: TDX-Module initialized' in the "
			 "kernel log) and kvm_intel loaded with tdx=1", kvm);
	else if (!c->tdx_param[0])
		snprintf(buf, n, "kvm_intel has no 'tdx' parameter: the kernel "
			 "lacks KVM TDX support (CONFIG_INTEL_TDX_HOST)");
	else if (c->tdx_param[0] == 'N' || c->tdx_param[0] == '0')
		snprintf(buf, n, "kvm_intel is loaded with tdx=%s: reload it "
			 "with tdx=1; if it stays N, see the kernel log's "
			 "'kvm_intel:' and 'virt/tdx:' lines (the kernel initializes "
			 "the TDX module at boot; reloading kvm_intel cannot repair "
			 "a failed initialization or TDX off in the BIOS)",
			 c->tdx_param);
	else
		snprintf(buf, n, "kvm_intel has tdx=%s but KVM still does not "
			 "offer the type: no usable TDX module (see 'virt/tdx:' "
			 "in the kernel log: the kernel initializes it at boot)",
			 c->tdx_param);
}

int td_choose_vm_type(const struct td_caps *c, unsigned req, unsigned *type,
		      char *why, size_t n)
{
	char miss[512];
	const char *fake = c->fake ? " [UB_TEST_FAKE_KVM]" : "";

	if (!c->kvm) {
		snprintf(why, n, "no KVM: %s", c->kvm_why);
		return -1;
	}
#define OFFERS(t) (c->vm_types & (1L << (t)))
	switch (req) {
	case UB_VM_TDX:
		if (OFFERS(KVM_X86_TDX_VM)) {
			*type = KVM_X86_TDX_VM;
			snprintf(why, n, "requested; KVM_CAP_VM_TYPES=0x%lx%s",
				 c->vm_types, fake);
			return 0;
		}
		tdx_missing(c, miss, sizeof(miss));
		snprintf(why, n, "KVM does not offer VM type 5 (KVM_X86_TDX_VM; "
			 "KVM_CAP_VM_TYPES=0x%lx): %s%s", c->vm_types, miss, fake);
		return -1;
	case UB_VM_SW_PROTECTED:
		if (OFFERS(KVM_X86_SW_PROTECTED_VM)) {
			*type = KVM_X86_SW_PROTECTED_VM;
			snprintf(why, n, "requested; KVM_CAP_VM_TYPES=0x%lx%s",
				 c->vm_types, fake);
			return 0;
		}
		snprintf(why, n, "KVM does not offer VM type 1 "
			 "(KVM_X86_SW_PROTECTED_VM; KVM_CAP_VM_TYPES=0x%lx): the "
			 "kernel lacks CONFIG_KVM_SW_PROTECTED_VM, or TDP "
			 "(EPT/NPT) is off (KVM modules here: %s)%s", c->vm_types,
			 c->modules[0] ? c->modules : "none found", fake);
		return -1;
	case UB_VM_DEFAULT:
		*type = KVM_X86_DEFAULT_VM;
		snprintf(why, n, "requested%s", fake);
		return 0;
	default:	/* TD_VM_AUTO */
		if (OFFERS(KVM_X86_TDX_VM)) {
			*type = KVM_X86_TDX_VM;
			snprintf(why, n, "auto: KVM offers TDX (KVM_CAP_VM_TYPES="
				 "0x%lx)%s", c->vm_types, fake);
			return 0;
		}
		tdx_missing(c, miss, sizeof(miss));
		if (OFFERS(KVM_X86_SW_PROTECTED_VM)) {
			*type = KVM_X86_SW_PROTECTED_VM;
			snprintf(why, n, "auto: no TDX (%s); KVM offers "
				 "SW_PROTECTED (KVM_CAP_VM_TYPES=0x%lx)%s", miss,
				 c->vm_types, fake);
			return 0;
		}
		*type = KVM_X86_DEFAULT_VM;
		snprintf(why, n, "auto: no TDX (%s); no SW_PROTECTED "
			 "(KVM_CAP_VM_TYPES=0x%lx); using DEFAULT%s", miss,
			 c->vm_types, fake);
		return 0;
	}
#undef OFFERS
}

/* "avail=2G,node0=1G" */
static int mem_fake(struct td_mem *m, const char *spec)
{
	char *dup = ub_xstrdup(spec), *save = NULL, *tok;
	int ret = 0;

	m->fake = 1;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t v;

		if (!eq) {
			ret = -1;
			break;
		}
		*eq = '\0';
		if (ub_opt_parse_size("UB_TEST_FAKE_MEM", eq + 1, 0, &v)) {
			ret = -1;
			break;
		}
		if (!strcmp(tok, "avail")) {
			m->avail = v;
		} else if (!strncmp(tok, "node", 4) && isdigit((unsigned char)tok[4])) {
			int id = atoi(tok + 4);

			if (id < 0 || id >= 64) {
				ret = -1;
				break;
			}
			m->node_free[id] = v;
			if (id + 1 > m->nr_nodes)
				m->nr_nodes = id + 1;
		} else {
			ret = -1;
			break;
		}
	}
	free(dup);
	return ret;
}

int td_mem_probe(struct td_mem *m)
{
	const char *fake = getenv("UB_TEST_FAKE_MEM");
	char *s, *p;

	memset(m, 0, sizeof(*m));
	if (fake && *fake)
		return mem_fake(m, fake);
	s = ub_read_file("/proc/meminfo", 0);
	if (s) {
		p = strstr(s, "MemAvailable:");
		if (p)
			m->avail = strtoull(p + 13, NULL, 10) * 1024;
		free(s);
	}
	for (int id = 0; id < 64; id++) {
		char path[96];

		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/meminfo", id);
		s = ub_read_file(path, 0);
		if (!s)
			continue;
		p = strstr(s, "MemFree:");
		if (p)
			m->node_free[id] = strtoull(p + 8, NULL, 10) * 1024;
		m->nr_nodes = id + 1;
		free(s);
	}
	return 0;
}

int td_preflight(const struct td_mem *m, uint64_t size, uint64_t vms,
		 uint64_t node, char *why, size_t n)
{
	/* Guest memory plus KVM's page tables (a 4K leaf table per 2M) and a
	 * margin of 1/256 for KVM's own structures. */
	uint64_t guest = size * vms;
	uint64_t need = guest + guest / UB_PAGES_PER_2M + guest / 256;
	char a[32], b[32], c[32];
	const char *fk = m->fake ? " [UB_TEST_FAKE_MEM]" : "";

	if (vms && guest / vms != size) {
		snprintf(why, n, "%" PRIu64 " guests x %" PRIu64 " bytes overflows",
			 vms, size);
		return -1;
	}
	ub_fmt_bytes(a, sizeof(a), (double)guest);
	ub_fmt_bytes(b, sizeof(b), (double)(need - guest));
	if (node != TD_NODE_ANY) {
		if (node >= 64 || (int)node >= m->nr_nodes || !m->node_free[node]) {
			snprintf(why, n, "--node %" PRIu64 ": no such NUMA node "
				 "with memory (%d node(s))%s", node, m->nr_nodes, fk);
			return -1;
		}
		if (need > m->node_free[node]) {
			ub_fmt_bytes(c, sizeof(c), (double)m->node_free[node]);
			snprintf(why, n, "refusing: %" PRIu64 " guest(s) x %" PRIu64
				 " bytes = %s of guest memory (+%s for page "
				 "tables and KVM) exceeds the %s free on node %"
				 PRIu64 " (MemFree); lower --size or --vms, or "
				 "pick another --node%s", vms, size, a, b, c, node, fk);
			return -1;
		}
	}
	if (m->avail && need > m->avail) {
		ub_fmt_bytes(c, sizeof(c), (double)m->avail);
		snprintf(why, n, "refusing: %" PRIu64 " guest(s) x %" PRIu64
			 " bytes = %s of guest memory (+%s for page tables and "
			 "KVM) exceeds the %s available on this host "
			 "(MemAvailable); lower --size or --vms%s",
			 vms, size, a, b, c, fk);
		return -1;
	}
	return 0;
}
