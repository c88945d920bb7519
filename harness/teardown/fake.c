// SPDX-License-Identifier: GPL-2.0
/*
 * fake.c: the teardown driver's test double of KVM (unit tests only).
 *
 * With UB_TEST_FAKE_KVM="...,run=1" every ubk_ioctl() lands here instead
 * of in the kernel, so the whole driver (plan, create, populate, stats,
 * teardown, rows, diagnostics) runs on a host without the KVM it asks
 * for: above all the TDX sequence, which no machine of this project can
 * run. Nothing is measured; every result says so.
 *
 * The model holds what the driver relies on, including the order
 * arch/x86/kvm/vmx/tdx.c (Linux 7.2) enforces for a TD: KVM_TDX_INIT_VM
 * needs the split IRQ chip and no vCPU yet; KVM_TDX_INIT_VCPU needs
 * INIT_VM and a CPUID with x2APIC; KVM_TDX_FINALIZE_VM needs every vCPU
 * initialized; KVM_PRE_FAULT_MEMORY on a TD needs FINALIZE (KVM's
 * pre_fault_allowed). A violation returns the errno KVM would and logs
 * "fake-kvm: ORDER: ...". pages_4k counts what KVM_PRE_FAULT_MEMORY
 * mapped until the memory is converted to shared.
 *
 * File descriptors are real (/dev/null, and a memfd for guest_memfd so
 * that fallocate and close behave), so release paths run unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record/log.h"
#include "record/util.h"
#include "teardown/kvm.h"

#define FK_MAX_FD	8192

enum { FK_NONE, FK_KVM, FK_VM, FK_VCPU, FK_GMEM };

struct fk_obj {
	int kind;
	int vm;				/* a vCPU's or guest_memfd's VM fd */
	unsigned type;			/* VM type */
	int split_irq, init_done, finalized;
	unsigned vcpus, vcpus_init;
	uint64_t mapped;		/* 4K pages KVM_PRE_FAULT_MEMORY mapped */
	int x2apic, tdx_init;		/* vCPU */
};

static struct fk_obj *fk;
static struct ubk_fake_cfg cfg;
static unsigned eagain_left;
static int active;

void ubk_fake_start(const struct ubk_fake_cfg *c)
{
	cfg = *c;
	eagain_left = c->eagain;
	if (!fk)
		fk = ub_xcalloc(FK_MAX_FD, sizeof(*fk));
	active = 1;
}

int ubk_fake_active(void)
{
	return active;
}

static int new_fd(int kind, int vm)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fd >= FK_MAX_FD) {
		close(fd);
		errno = EMFILE;
		return -1;
	}
	memset(&fk[fd], 0, sizeof(fk[fd]));
	fk[fd].kind = kind;
	fk[fd].vm = vm;
	return fd;
}

int ubk_fake_open(void)
{
	ub_logfile("fake-kvm: open /dev/kvm (UB_TEST_FAKE_KVM: no KVM is used)");
	return new_fd(FK_KVM, -1);
}

static struct fk_obj *obj(int fd, int kind)
{
	if (fd < 0 || fd >= FK_MAX_FD || fk[fd].kind != kind)
		return NULL;
	return &fk[fd];
}

/* The configured failure, if STEP is it: -1 with errno set. */
static int injected(const char *step, __u64 *hw)
{
	if (!cfg.fail_step[0] || strcmp(cfg.fail_step, step))
		return 0;
	if (hw)
		*hw = cfg.fail_hw;
	ub_logfile("fake-kvm: %s fails: errno %d, hw_error 0x%016" PRIx64
		   " (injected)", step, cfg.fail_errno, cfg.fail_hw);
	errno = cfg.fail_errno;
	return -1;
}

static int order(const char *step, int err, const char *why)
{
	ub_logfile("fake-kvm: ORDER: %s refused: %s", step, why);
	errno = err;
	return -1;
}

/* A binary stats file (header, descriptors, data) with pages_4k/2m/1g
 * for a VM, blocking for a vCPU, in a memfd. */
static int stats_fd(const struct fk_obj *o)
{
	static const char *const vm_names[] = { "pages_4k", "pages_2m", "pages_1g" };
	static const char *const vcpu_names[] = { "blocking" };
	const char *const *names = o->kind == FK_VM ? vm_names : vcpu_names;
	uint32_t n = o->kind == FK_VM ? 3 : 1, name_size = 48;
	size_t dsz = sizeof(struct kvm_stats_desc) + name_size;
	struct kvm_stats_header h = {
		.name_size = name_size, .num_desc = n,
		.id_offset = sizeof(h), .desc_offset = sizeof(h) + 64,
	};
	char *buf;
	size_t len;
	int fd;

	h.data_offset = h.desc_offset + (uint32_t)(dsz * n);
	len = h.data_offset + 8 * n;
	buf = ub_xcalloc(1, len);
	memcpy(buf, &h, sizeof(h));
	snprintf(buf + h.id_offset, 64, "fake-kvm");
	for (uint32_t i = 0; i < n; i++) {
		struct kvm_stats_desc *d = (void *)(buf + h.desc_offset + i * dsz);
		uint64_t v = o->kind == FK_VM && i == 0 ? o->mapped : 0;

		d->flags = KVM_STATS_TYPE_INSTANT;
		d->size = 1;
		d->offset = 8 * i;
		snprintf((char *)d + sizeof(*d), name_size, "%s", names[i]);
		memcpy(buf + h.data_offset + 8 * i, &v, 8);
	}
	fd = memfd_create("fake-kvm-stats", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		fd = -1;
		errno = EIO;
	}
	free(buf);
	return fd;
}

/* A small KVM_GET_SUPPORTED_CPUID answer: what the driver looks at. */
static int supported_cpuid(struct kvm_cpuid2 *c)
{
	static const struct kvm_cpuid_entry2 e[] = {
		{ .function = 0x1, .ecx = 1u << 21 },		/* x2APIC */
		{ .function = 0xd, .index = 0, .eax = 0x7,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },	/* x87 SSE AVX */
		{ .function = 0xd, .index = 1,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX },
		{ .function = 0x80000008, .eax = 0x3030 },	/* 48-bit PA */
	};
	uint32_t n = sizeof(e) / sizeof(e[0]);

	if (c->nent < n) {
		c->nent = n;
		errno = E2BIG;
		return -1;
	}
	memcpy(c->entries, e, sizeof(e));
	c->nent = n;
	return 0;
}

static int tdx_vm_cmd(int fd, struct fk_obj *vm, struct kvm_tdx_cmd *c)
{
	switch (c->id) {
	case KVM_TDX_CAPABILITIES: {
		struct kvm_tdx_capabilities *caps = (void *)(uintptr_t)c->data;

		ub_logfile("fake-kvm: KVM_TDX_CAPABILITIES");
		if (injected("KVM_TDX_CAPABILITIES", &c->hw_error))
			return -1;
		if (caps->cpuid.nent < 2) {
			errno = E2BIG;
			return -1;
		}
		caps->supported_attrs = 0x10000000;	/* SEPT_VE_DISABLE */
		caps->supported_xfam = 0x6e7;
		memset(caps->cpuid.entries, 0, 2 * sizeof(caps->cpuid.entries[0]));
		caps->cpuid.entries[0].function = 0x1;
		caps->cpuid.entries[0].ecx = ~0u;
		caps->cpuid.entries[1].function = 0x80000008;
		caps->cpuid.entries[1].eax = 0xff0000;
		caps->cpuid.nent = 2;
		return 0;
	}
	case KVM_TDX_INIT_VM:
		if (!vm->split_irq)
			return order("KVM_TDX_INIT_VM", EINVAL, "no split IRQ chip");
		if (vm->vcpus)
			return order("KVM_TDX_INIT_VM", EINVAL, "vCPUs exist already");
		if (vm->init_done)
			return order("KVM_TDX_INIT_VM", EINVAL, "called twice");
		if (eagain_left) {
			eagain_left--;
			ub_logfile("fake-kvm: KVM_TDX_INIT_VM -> EAGAIN "
				   "(TDX_RND_NO_ENTROPY, injected; %u more)", eagain_left);
			errno = EAGAIN;
			return -1;
		}
		ub_logfile("fake-kvm: KVM_TDX_INIT_VM");
		if (injected("KVM_TDX_INIT_VM", &c->hw_error))
			return -1;
		vm->init_done = 1;
		return 0;
	case KVM_TDX_FINALIZE_VM:
		ub_logfile("fake-kvm: KVM_TDX_FINALIZE_VM");
		if (!vm->init_done || vm->vcpus_init < vm->vcpus || !vm->vcpus)
			return order("KVM_TDX_FINALIZE_VM", EINVAL,
				     "KVM_TDX_INIT_VM or a vCPU's INIT_VCPU missing");
		if (injected("KVM_TDX_FINALIZE_VM", &c->hw_error))
			return -1;
		vm->finalized = 1;
		return 0;
	default:
		(void)fd;
		errno = EINVAL;
		return -1;
	}
}

static int tdx_vcpu_cmd(struct fk_obj *v, struct fk_obj *vm, struct kvm_tdx_cmd *c)
{
	switch (c->id) {
	case KVM_TDX_INIT_VCPU:
		ub_logfile("fake-kvm: KVM_TDX_INIT_VCPU");
		if (!vm || !vm->init_done)
			return order("KVM_TDX_INIT_VCPU", EINVAL, "KVM_TDX_INIT_VM missing");
		if (!v->x2apic)
			return order("KVM_TDX_INIT_VCPU", EINVAL,
				     "the vCPU's CPUID has no x2APIC");
		if (injected("KVM_TDX_INIT_VCPU", &c->hw_error))
			return -1;
		v->tdx_init = 1;
		vm->vcpus_init++;
		return 0;
	case KVM_TDX_GET_CPUID: {
		struct kvm_cpuid2 *cp = (void *)(uintptr_t)c->data;

		if (!v->tdx_init)
			return order("KVM_TDX_GET_CPUID", EINVAL, "before INIT_VCPU");
		return supported_cpuid(cp);
	}
	default:
		errno = EINVAL;
		return -1;
	}
}

static int vm_ioctl(int fd, struct fk_obj *vm, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_CHECK_EXTENSION:
		return (unsigned long)(uintptr_t)arg == KVM_CAP_MAX_VCPUS ?
			(int)cfg.max_vcpus : 0;
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap *c = arg;

		if (c->cap == KVM_CAP_SPLIT_IRQCHIP)
			vm->split_irq = 1;
		ub_logfile("fake-kvm: KVM_ENABLE_CAP %u", c->cap);
		return 0;
	}
	case KVM_MEMORY_ENCRYPT_OP:
		if (vm->type != KVM_X86_TDX_VM) {
			errno = ENOTTY;
			return -1;
		}
		return tdx_vm_cmd(fd, vm, arg);
	case KVM_CREATE_GUEST_MEMFD: {
		struct kvm_create_guest_memfd *g = arg;
		int m;

		ub_logfile("fake-kvm: KVM_CREATE_GUEST_MEMFD size %llu",
			   (unsigned long long)g->size);
		if (injected("KVM_CREATE_GUEST_MEMFD", NULL))
			return -1;
		m = memfd_create("fake-guest-memfd", MFD_CLOEXEC);
		if (m >= 0 && ftruncate(m, (off_t)g->size)) {
			close(m);
			return -1;
		}
		if (m >= FK_MAX_FD) {
			close(m);
			errno = EMFILE;
			return -1;
		}
		if (m >= 0) {
			memset(&fk[m], 0, sizeof(fk[m]));
			fk[m].kind = FK_GMEM;
			fk[m].vm = fd;
		}
		return m;
	}
	case KVM_SET_USER_MEMORY_REGION2:
		ub_logfile("fake-kvm: KVM_SET_USER_MEMORY_REGION2");
		return injected("KVM_SET_USER_MEMORY_REGION2", NULL);
	case KVM_SET_MEMORY_ATTRIBUTES: {
		struct kvm_memory_attributes *a = arg;

		ub_logfile("fake-kvm: KVM_SET_MEMORY_ATTRIBUTES 0x%llx",
			   (unsigned long long)a->attributes);
		if (!(a->attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE))
			vm->mapped = 0;		/* private->shared zaps */
		return injected("KVM_SET_MEMORY_ATTRIBUTES", NULL);
	}
	case KVM_CREATE_VCPU: {
		int v;

		ub_logfile("fake-kvm: KVM_CREATE_VCPU %lu",
			   (unsigned long)(uintptr_t)arg);
		if (injected("KVM_CREATE_VCPU", NULL))
			return -1;
		if (vm->type == KVM_X86_TDX_VM && !vm->init_done)
			return order("KVM_CREATE_VCPU", EINVAL,
				     "a TD's vCPU before KVM_TDX_INIT_VM");
		v = new_fd(FK_VCPU, fd);
		if (v >= 0)
			vm->vcpus++;
		return v;
	}
	case KVM_GET_STATS_FD:
		return stats_fd(vm);
	default:
		ub_logfile("fake-kvm: VM ioctl 0x%lx not modelled", req);
		errno = ENOTTY;
		return -1;
	}
}

static int vcpu_ioctl(struct fk_obj *v, unsigned long req, void *arg)
{
	struct fk_obj *vm = obj(v->vm, FK_VM);

	switch (req) {
	case KVM_SET_CPUID2: {
		const struct kvm_cpuid2 *c = arg;

		ub_logfile("fake-kvm: KVM_SET_CPUID2 (%u entries)", c->nent);
		for (uint32_t i = 0; i < c->nent; i++)
			if (c->entries[i].function == 1 &&
			    (c->entries[i].ecx & (1u << 21)))
				v->x2apic = 1;
		return 0;
	}
	case KVM_MEMORY_ENCRYPT_OP:
		if (!vm || vm->type != KVM_X86_TDX_VM) {
			errno = ENOTTY;
			return -1;
		}
		return tdx_vcpu_cmd(v, vm, arg);
	case KVM_PRE_FAULT_MEMORY: {
		struct kvm_pre_fault_memory *p = arg;

		if (!vm || (vm->type == KVM_X86_TDX_VM && !vm->finalized))
			return order("KVM_PRE_FAULT_MEMORY", EOPNOTSUPP,
				     "a TD before KVM_TDX_FINALIZE_VM");
		ub_logfile("fake-kvm: KVM_PRE_FAULT_MEMORY gpa 0x%llx size %llu",
			   (unsigned long long)p->gpa, (unsigned long long)p->size);
		if (injected("KVM_PRE_FAULT_MEMORY", NULL))
			return -1;
		vm->mapped += p->size / 4096;
		p->gpa += p->size;
		p->size = 0;
		return 0;
	}
	case KVM_GET_STATS_FD:
		return stats_fd(v);
	default:
		ub_logfile("fake-kvm: vCPU ioctl 0x%lx not modelled", req);
		errno = ENOTTY;
		return -1;
	}
}

int ubk_fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct fk_obj *o;

	if ((o = obj(fd, FK_KVM))) {
		switch (req) {
		case KVM_CHECK_EXTENSION:
			return 0;	/* td_caps_fake answered the probe */
		case KVM_CREATE_VM: {
			unsigned long t = (unsigned long)(uintptr_t)arg;
			int vm;

			ub_logfile("fake-kvm: KVM_CREATE_VM type %lu", t);
			if (injected("KVM_CREATE_VM", NULL))
				return -1;
			vm = new_fd(FK_VM, -1);
			if (vm >= 0)
				fk[vm].type = (unsigned)t;
			return vm;
		}
		case KVM_GET_SUPPORTED_CPUID:
			return supported_cpuid(arg);
		default:
			errno = ENOTTY;
			return -1;
		}
	}
	if ((o = obj(fd, FK_VM)))
		return vm_ioctl(fd, o, req, arg);
	if ((o = obj(fd, FK_VCPU)))
		return vcpu_ioctl(o, req, arg);
	errno = EBADF;
	return -1;
}
