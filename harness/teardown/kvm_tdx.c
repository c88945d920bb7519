// SPDX-License-Identifier: GPL-2.0
/*
 * TDX guest set-up for the teardown driver, through KVM_MEMORY_ENCRYPT_OP.
 *
 * NOT RUN ON TDX HARDWARE: no machine of this project has TDX. This code
 * was written from Documentation/virt/kvm/x86/intel-tdx.rst and checked
 * against arch/x86/kvm/vmx/tdx.c of Linux 7.2.13 (the ordering constraints
 * noted below come from reading that code). On hosts without TDX the
 * driver refuses a TDX request before reaching any of this.
 *
 * Flow (intel-tdx.rst "KVM TDX creation flow", with what tdx.c requires):
 *   KVM_CREATE_VM(KVM_X86_TDX_VM)
 *   KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)   tdx_vcpu_create() rejects a VM
 *                                           without a split IRQ chip
 *   KVM_TDX_CAPABILITIES                    configurable CPUID + attrs/xfam
 *   KVM_TDX_INIT_VM                         before any vCPU exists; EAGAIN
 *                                           (TDX_RND_NO_ENTROPY from
 *                                           TDH.MNG.CREATE/ADDCX) is
 *                                           retried, as QEMU does; one
 *                                           TDX KeyID (HKID) per TD, ENOSPC
 *                                           past the pool
 *   per vCPU: KVM_CREATE_VCPU, KVM_SET_CPUID2 (must already advertise
 *             x2APIC: tdx_vcpu_init() switches the APIC to x2APIC mode and
 *             kvm_apic_set_base() refuses that without the CPUID bit),
 *             KVM_TDX_INIT_VCPU, KVM_TDX_GET_CPUID, KVM_SET_CPUID2 again
 *             with what the TDX module virtualizes (best effort)
 *   KVM_TDX_FINALIZE_VM                     sets pre_fault_allowed, so
 *                                           KVM_PRE_FAULT_MEMORY can AUG
 *                                           private pages without running
 *                                           the guest
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teardown/kvm.h"

#define UB_TDX_MAX_CPUID 256	/* KVM_MAX_CPUID_ENTRIES in 7.2 */

int ubk_tdx_cmd(int fd, uint32_t id, uint32_t flags, uint64_t data,
		const char *step, struct ubk_err *e)
{
	struct kvm_tdx_cmd c;
	int r;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.flags = flags;
	c.data = data;
	do
		r = ubk_ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &c);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		ubk_fail(e, step, errno, c.hw_error, NULL);
		return -1;
	}
	return 0;
}

static const struct kvm_cpuid_entry2 *
find_leaf(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

struct kvm_cpuid2 *ubk_tdx_build_cpuid(const struct kvm_cpuid2 *caps,
				       const struct kvm_cpuid2 *supported)
{
	struct kvm_cpuid2 *out;
	uint32_t n = 0;

	out = calloc(1, sizeof(*out) + (caps->nent + 1) * sizeof(out->entries[0]));
	if (!out)
		return NULL;
	for (uint32_t i = 0; i < caps->nent; i++) {
		const struct kvm_cpuid_entry2 *m = &caps->entries[i];
		const struct kvm_cpuid_entry2 *s;
		struct kvm_cpuid_entry2 *o = &out->entries[n];

		s = find_leaf(supported, m->function, m->index);
		if (!s && m->function != 0x80000008)
			continue;	/* KVM does not know the leaf */
		o->function = m->function;
		o->index = m->index;
		o->flags = s ? s->flags : 0;
		if (s) {
			o->eax = s->eax & m->eax;
			o->ebx = s->ebx & m->ebx;
			o->ecx = s->ecx & m->ecx;
			o->edx = s->edx & m->edx;
		}
		if (m->function == 0x80000008)
			/* GPAW 48 (4-level S-EPT), always supported by TDX. */
			o->eax = (o->eax & ~0x00ff0000u) | (48u << 16);
		n++;
	}
	/* tdx.c needs CPUID 0x80000008 to pick the GPAW; it is configurable
	 * in every TDX module we know of, so it came from @caps above. */
	out->nent = n;
	return out;
}

static struct kvm_tdx_capabilities *tdx_caps(int vm_fd, struct ubk_err *e)
{
	struct kvm_tdx_capabilities *caps;
	uint32_t n = UB_TDX_MAX_CPUID;

	for (;;) {
		caps = calloc(1, sizeof(*caps) + n * sizeof(caps->cpuid.entries[0]));
		if (!caps) {
			ubk_fail(e, "KVM_TDX_CAPABILITIES", ENOMEM, 0, NULL);
			return NULL;
		}
		caps->cpuid.nent = n;
		if (!ubk_tdx_cmd(vm_fd, KVM_TDX_CAPABILITIES, 0,
				 (uint64_t)(uintptr_t)caps,
				 "KVM_TDX_CAPABILITIES", e))
			return caps;
		free(caps);
		/* E2BIG: our buffer holds fewer leaves than the module has. */
		if (e->err != E2BIG || n >= 4 * UB_TDX_MAX_CPUID)
			return NULL;
		n *= 2;
	}
}

int ubk_tdx_capabilities(int vm_fd, struct ubk_tdx_info *info, struct ubk_err *e)
{
	struct kvm_tdx_capabilities *caps = tdx_caps(vm_fd, e);

	if (!caps)
		return -1;
	info->caps_read = 1;
	info->supported_attrs = caps->supported_attrs;
	info->supported_xfam = caps->supported_xfam;
	info->cpuid_leaves = caps->cpuid.nent;
	free(caps);
	return 0;
}

/* KVM_TDX_INIT_VM, retried while the TDX module's RNG has no entropy. */
static int tdx_init_retry(int vm_fd, struct kvm_tdx_init_vm *init,
			  struct ubk_tdx_info *info, struct ubk_err *e)
{
	unsigned tries = 0;

	for (;;) {
		if (!ubk_tdx_cmd(vm_fd, KVM_TDX_INIT_VM, 0,
				 (uint64_t)(uintptr_t)init, "KVM_TDX_INIT_VM", e))
			return 0;
		if (e->err != EAGAIN)
			break;
		if (info)
			info->init_eagain = tries + 1;
		/* At once, as QEMU: RDRAND/RDSEED recover in microseconds. */
		if (++tries >= UBK_TDX_INIT_TRIES)
			break;
	}
	if (e->err == EAGAIN)
		ubk_fail(e, "KVM_TDX_INIT_VM", EAGAIN, e->hw_error, "%u times in a "
			 "row: the TDX module's random number generator had no "
			 "entropy (TDX_RND_NO_ENTROPY; something keeps RDRAND/RDSEED "
			 "busy)", tries);
	else if (e->err == ENOSPC)
		ubk_fail(e, "KVM_TDX_INIT_VM", ENOSPC, e->hw_error, "(no free TDX "
			 "KeyID: every TD holds one HKID until it is destroyed; "
			 "more TDs than the host's TDX KeyIDs)");
	else if (e->err == EBUSY)
		ubk_fail(e, "KVM_TDX_INIT_VM", EBUSY, e->hw_error, "(the misc "
			 "cgroup's tdx limit, misc.max, allows no more TDs)");
	return -1;
}

int ubk_tdx_init_vm(int kvm_fd, int vm_fd, struct ubk_tdx_info *info,
		    struct ubk_err *e)
{
	struct kvm_tdx_capabilities *caps = NULL;
	struct kvm_cpuid2 *sup = NULL, *cpuid = NULL;
	struct kvm_tdx_init_vm *init = NULL;
	const struct kvm_cpuid_entry2 *x;
	uint64_t xcr0 = 0, xss = 0;
	int ret = -1;

	/* 24 routes, as QEMU reserves for its IOAPIC. */
	if (ubk_enable_cap(vm_fd, KVM_CAP_SPLIT_IRQCHIP, 24, e)) {
		snprintf(e->step, sizeof(e->step), "KVM_CAP_SPLIT_IRQCHIP");
		return -1;
	}
	caps = tdx_caps(vm_fd, e);
	if (!caps)
		goto out;
	if (info) {
		info->caps_read = 1;
		info->supported_attrs = caps->supported_attrs;
		info->supported_xfam = caps->supported_xfam;
		info->cpuid_leaves = caps->cpuid.nent;
	}
	sup = ubk_supported_cpuid(kvm_fd, e);
	if (!sup)
		goto out;
	cpuid = ubk_tdx_build_cpuid(&caps->cpuid, sup);
	if (!cpuid) {
		ubk_fail(e, "KVM_TDX_INIT_VM", ENOMEM, 0, "(building CPUID)");
		goto out;
	}
	if (!find_leaf(cpuid, 0x80000008, 0)) {
		ubk_fail(e, "KVM_TDX_INIT_VM", EINVAL, 0,
			 "(the TDX module offers no configurable CPUID 0x80000008, "
			 "which KVM needs to choose the guest physical address width)");
		goto out;
	}
	init = calloc(1, sizeof(*init) + cpuid->nent * sizeof(cpuid->entries[0]));
	if (!init) {
		ubk_fail(e, "KVM_TDX_INIT_VM", ENOMEM, 0, NULL);
		goto out;
	}
	/*
	 * XFAM: the XSAVE features KVM supports (CPUID 0xD.0 for XCR0, 0xD.1
	 * for XSS) that the TDX module allows; KVM ORs in the fixed-1 bits.
	 * Attributes: none (no debug, no PKS, ...); fixed-1 bits are added by
	 * KVM as well.
	 */
	x = find_leaf(sup, 0xd, 0);
	if (x)
		xcr0 = x->eax | (uint64_t)x->edx << 32;
	x = find_leaf(sup, 0xd, 1);
	if (x)
		xss = x->ecx | (uint64_t)x->edx << 32;
	init->attributes = 0;
	init->xfam = (xcr0 | xss) & caps->supported_xfam;
	if (info) {
		info->attributes = init->attributes;
		info->xfam = init->xfam;
	}
	init->cpuid.nent = cpuid->nent;
	memcpy(init->cpuid.entries, cpuid->entries,
	       cpuid->nent * sizeof(cpuid->entries[0]));
	ret = tdx_init_retry(vm_fd, init, info, e);
out:
	free(init);
	free(cpuid);
	free(sup);
	free(caps);
	return ret;
}

int ubk_tdx_init_vcpu(int vcpu_fd, struct ubk_err *e)
{
	struct kvm_cpuid2 *td;
	uint32_t n = UB_TDX_MAX_CPUID;
	int r;

	/* The caller has set a CPUID with x2APIC on this vCPU already. */
	if (ubk_tdx_cmd(vcpu_fd, KVM_TDX_INIT_VCPU, 0, 0, "KVM_TDX_INIT_VCPU", e))
		return -1;
	for (;;) {
		td = calloc(1, sizeof(*td) + n * sizeof(td->entries[0]));
		if (!td) {
			ubk_fail(e, "KVM_TDX_GET_CPUID", ENOMEM, 0, NULL);
			return -1;
		}
		td->nent = n;
		r = ubk_tdx_cmd(vcpu_fd, KVM_TDX_GET_CPUID, 0,
				(uint64_t)(uintptr_t)td, "KVM_TDX_GET_CPUID", e);
		if (!r)
			break;
		/* On E2BIG KVM wrote the size it needs into nent. */
		if (e->err != E2BIG || td->nent <= n) {
			free(td);
			return -1;
		}
		n = td->nent;
		free(td);
	}
	/*
	 * Make KVM's view of the vCPU match what the TDX module virtualizes.
	 * Best effort: the vCPU already has a CPUID with x2APIC, which is
	 * all that a guest that never runs needs for pre-faulting.
	 */
	{
		struct ubk_err ignored;

		ubk_set_cpuid(vcpu_fd, td, &ignored);
	}
	free(td);
	return 0;
}

int ubk_tdx_finalize(int vm_fd, struct ubk_err *e)
{
	return ubk_tdx_cmd(vm_fd, KVM_TDX_FINALIZE_VM, 0, 0,
			   "KVM_TDX_FINALIZE_VM", e);
}
