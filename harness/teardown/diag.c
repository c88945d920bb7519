// SPDX-License-Identifier: GPL-2.0
/*
 * diag.c: a TDX teardown that failed on a host that claims TDX leaves a
 * diagnostics bundle for the failure report. The harness writes what
 * only it knows (the step, errno and TDX status, what KVM_TDX_CAPABILITIES
 * and KVM_TDX_INIT_VM saw, KVM's capabilities, the KeyIDs) and hands it
 * to bench/tdx-diagnostics.sh, the one collector of the host's side
 * (unmapbench info --json, the kernel's TDX and kvm_intel log lines,
 * kvm_intel's parameters, kernel version and config), which also decides
 * whether the host claims TDX at all (else it writes nothing) and prints
 * the one line saying what to send. Never a claim that TDX works.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/log.h"
#include "record/tree.h"
#include "record/util.h"
#include "teardown/kvm.h"
#include "teardown/teardown.h"

/* The harness's facts, as "key: value" lines. */
static void facts(FILE *f, const struct td_diag *d)
{
	const struct td_caps *c = d->caps;
	const struct ubk_tdx_info *t = d->tdx;

	fprintf(f, "status: %s\n", d->what);
	if (d->err && d->err->step[0]) {
		fprintf(f, "step: %s\n", d->err->step);
		fprintf(f, "errno: %d (%s)\n", d->err->err,
			d->err->err ? strerror(d->err->err) : "none");
		fprintf(f, "tdx_status (hw_error): 0x%016" PRIx64 "\n", d->err->hw_error);
		fprintf(f, "message: %s\n", d->err->msg);
	}
	if (d->run[0])
		fprintf(f, "run: %s\n", d->run);
	if (t && t->caps_read)
		fprintf(f, "KVM_TDX_CAPABILITIES: supported_attrs 0x%" PRIx64
			", supported_xfam 0x%" PRIx64 ", %u configurable CPUID leaves\n",
			t->supported_attrs, t->supported_xfam, t->cpuid_leaves);
	else if (c->tdx_caps_why[0])
		fprintf(f, "KVM_TDX_CAPABILITIES: %s\n", c->tdx_caps_why);
	if (t && (t->attributes || t->xfam))
		fprintf(f, "KVM_TDX_INIT_VM: attributes 0x%" PRIx64 ", xfam 0x%"
			PRIx64 "\n", t->attributes, t->xfam);
	if (t && t->init_eagain)
		fprintf(f, "KVM_TDX_INIT_VM: EAGAIN %u time(s) first\n", t->init_eagain);
	fprintf(f, "kvm: %s; KVM_CAP_VM_TYPES 0x%lx, GUEST_MEMFD %ld, "
		"PRE_FAULT_MEMORY %ld, MAX_VCPUS %ld; modules: %s; kvm_intel tdx=%s\n",
		c->kvm ? "present" : c->kvm_why, c->vm_types, c->gmem, c->prefault,
		c->max_vcpus, c->modules[0] ? c->modules : "none",
		c->tdx_param[0] ? c->tdx_param : "(no parameter)");
	fprintf(f, "tdx_keyids: %ld for guests, %ld in use (%s)\n",
		c->tdx_keyids, c->tdx_keyids_used, c->tdx_keyids_src);
	if (c->fake)
		fprintf(f, "UB_TEST_FAKE_KVM: a test double answered; no KVM was used\n");
}

int td_diag(const struct td_diag *d)
{
	char top[4096], script[4200], tmp[] = "/tmp/ub-tdx-facts.XXXXXX";
	char exe[4096];
	ssize_t n;
	int fd, status = -1;
	pid_t pid;
	FILE *f;

	if (ub_source_tree(top, sizeof(top))) {
		ub_debug("teardown: no source tree beside the binary: no TDX "
			 "diagnostics bundle (bench/tdx-diagnostics.sh)");
		return -1;
	}
	snprintf(script, sizeof(script), "%s/bench/tdx-diagnostics.sh", top);
	if (access(script, R_OK))
		return -1;
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	facts(f, d);
	fclose(f);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (exe[0])
			setenv("UB_HARNESS", exe, 1);
		execl("/bin/sh", "sh", script, d->bundle, d->what, tmp, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	unlink(tmp);
	/* 0: written; 2: this host claims no TDX, nothing written. */
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
