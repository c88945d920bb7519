// SPDX-License-Identifier: GPL-2.0
/*
 * KVM ioctl wrappers for the teardown driver (see kvm.h). Nothing here
 * allocates memory proportional to the guest: the harness stays small
 * whatever the guest size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "record/schema.h"
#include "teardown/kvm.h"

void ubk_fail(struct ubk_err *e, const char *step, int err, uint64_t hw_error,
	      const char *fmt, ...)
{
	char detail[192] = "";
	va_list ap;
	int n;

	if (!e)
		return;
	snprintf(e->step, sizeof(e->step), "%s", step);
	e->err = err;
	e->hw_error = hw_error;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	n = snprintf(e->msg, sizeof(e->msg), "%s%s%s", step,
		     detail[0] ? " " : "", detail);
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		return;
	if (err)
		n += snprintf(e->msg + n, sizeof(e->msg) - n,
			      ": errno %d (%s)", err, strerror(err));
	if (hw_error && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n,
			 ", hw_error 0x%016llx", (unsigned long long)hw_error);
}

static const struct {
	unsigned type;
	int value;		/* enum ub_vm_type, or -1 */
	const char *other;	/* the name when value is -1 */
} vm_types[] = {
	{ KVM_X86_DEFAULT_VM, UB_VM_DEFAULT, NULL },
	{ KVM_X86_SW_PROTECTED_VM, UB_VM_SW_PROTECTED, NULL },
	{ KVM_X86_SEV_VM, -1, "sev" },
	{ KVM_X86_SEV_ES_VM, -1, "sev-es" },
	{ KVM_X86_SNP_VM, -1, "snp" },
	{ KVM_X86_TDX_VM, UB_VM_TDX, NULL },
};

int ubk_vm_type_value(unsigned type)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++)
		if (vm_types[i].type == type)
			return vm_types[i].value;
	return -1;
}

const char *ubk_vm_type_name(unsigned type)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++)
		if (vm_types[i].type == type)
			return vm_types[i].value >= 0 ?
				ub_name(UB_ENUM_vm_type, (unsigned)vm_types[i].value) :
				vm_types[i].other;
	return "unknown";
}

int ubk_ioctl(int fd, unsigned long req, void *arg)
{
	if (ubk_fake_active())
		return ubk_fake_ioctl(fd, req, arg);
	return ioctl(fd, req, arg);
}

int ubk_open(const char *path, struct ubk_err *e)
{
	int fd = ubk_fake_active() ? ubk_fake_open() : open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		ubk_fail(e, "open", errno, 0, "%s", path);
	return fd;
}

long ubk_check(int fd, long cap)
{
	int r = ubk_ioctl(fd, KVM_CHECK_EXTENSION, (void *)(uintptr_t)cap);

	return r < 0 ? -errno : r;
}

int ubk_create_vm(int kvm_fd, unsigned long type, struct ubk_err *e)
{
	int fd;

	do
		fd = ubk_ioctl(kvm_fd, KVM_CREATE_VM, (void *)(uintptr_t)type);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		ubk_fail(e, "KVM_CREATE_VM", errno, 0, "(type %lu)", type);
	return fd;
}

int ubk_create_gmem(int vm_fd, uint64_t size, uint64_t flags,
		    struct ubk_err *e)
{
	struct kvm_create_guest_memfd g;
	int fd;

	memset(&g, 0, sizeof(g));
	g.size = size;
	g.flags = flags;
	fd = ubk_ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	/* KVM does not make guest_memfd close-on-exec: a child (perf) that
	 * inherited it would keep the guest alive past its teardown. */
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fd < 0)
		ubk_fail(e, "KVM_CREATE_GUEST_MEMFD", errno, 0,
			 "(size %llu, flags 0x%llx)",
			 (unsigned long long)size, (unsigned long long)flags);
	return fd;
}

int ubk_set_slot(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		 uint64_t size, uint64_t uaddr, int gmem_fd,
		 uint64_t gmem_off, struct ubk_err *e)
{
	struct kvm_userspace_memory_region2 r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = uaddr;
	r.guest_memfd = gmem_fd < 0 ? 0 : (uint32_t)gmem_fd;
	r.guest_memfd_offset = gmem_off;
	if (ubk_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &r) < 0) {
		ubk_fail(e, "KVM_SET_USER_MEMORY_REGION2", errno, 0,
			 "(slot %u, flags 0x%x, gpa 0x%llx, size %llu)", slot,
			 flags, (unsigned long long)gpa,
			 (unsigned long long)size);
		return -1;
	}
	return 0;
}

int ubk_set_attributes(int vm_fd, uint64_t gpa, uint64_t size,
		       uint64_t attrs, struct ubk_err *e)
{
	struct kvm_memory_attributes a;
	int r, tries = 0;

	memset(&a, 0, sizeof(a));
	a.address = gpa;
	a.size = size;
	a.attributes = attrs;
	/* The call is idempotent: retry a transient EINTR/EAGAIN. */
	do {
		r = ubk_ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &a);
	} while (r < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 100);
	if (r < 0) {
		ubk_fail(e, "KVM_SET_MEMORY_ATTRIBUTES", errno, 0,
			 "(gpa 0x%llx, size %llu, attributes 0x%llx)",
			 (unsigned long long)gpa, (unsigned long long)size,
			 (unsigned long long)attrs);
		return -1;
	}
	return 0;
}

int ubk_create_vcpu(int vm_fd, unsigned long id, struct ubk_err *e)
{
	int fd = ubk_ioctl(vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)id);

	if (fd < 0)
		ubk_fail(e, "KVM_CREATE_VCPU", errno, 0, "(id %lu)", id);
	return fd;
}

int ubk_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0, struct ubk_err *e)
{
	struct kvm_enable_cap c;

	memset(&c, 0, sizeof(c));
	c.cap = cap;
	c.args[0] = arg0;
	if (ubk_ioctl(vm_fd, KVM_ENABLE_CAP, &c) < 0) {
		ubk_fail(e, "KVM_ENABLE_CAP", errno, 0, "(cap %u, arg %llu)",
			 cap, (unsigned long long)arg0);
		return -1;
	}
	return 0;
}

int ubk_prefault(int vcpu_fd, uint64_t gpa, uint64_t size, uint64_t *done)
{
	struct kvm_pre_fault_memory p;
	int r;

	memset(&p, 0, sizeof(p));
	p.gpa = gpa;
	p.size = size;
	r = ubk_ioctl(vcpu_fd, KVM_PRE_FAULT_MEMORY, &p);
	*done = size - p.size;
	return r < 0 ? -errno : 0;
}

struct kvm_cpuid2 *ubk_supported_cpuid(int kvm_fd, struct ubk_err *e)
{
	unsigned int n = 64;
	struct kvm_cpuid2 *c;

	for (;;) {
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c) {
			ubk_fail(e, "KVM_GET_SUPPORTED_CPUID", ENOMEM, 0, NULL);
			return NULL;
		}
		c->nent = n;
		if (ubk_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG || n >= 4096) {
			ubk_fail(e, "KVM_GET_SUPPORTED_CPUID", errno, 0, NULL);
			return NULL;
		}
		n *= 2;
	}
}

int ubk_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *c, struct ubk_err *e)
{
	if (ubk_ioctl(vcpu_fd, KVM_SET_CPUID2, (void *)(uintptr_t)c) < 0) {
		ubk_fail(e, "KVM_SET_CPUID2", errno, 0, "(%u entries)", c->nent);
		return -1;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

int ubk_stats_open(int fd, struct ubk_err *e)
{
	int sfd = ubk_ioctl(fd, KVM_GET_STATS_FD, NULL);

	if (sfd < 0)
		ubk_fail(e, "KVM_GET_STATS_FD", errno, 0, NULL);
	return sfd;
}

int ubk_stats_read(int sfd, const char *const *names, uint64_t *vals,
		   size_t n, struct ubk_err *e)
{
	struct kvm_stats_header h;
	size_t dsz, i, k;
	char *descs = NULL;
	int r;

	for (k = 0; k < n; k++)
		vals[k] = UINT64_MAX;
	r = read_full(sfd, &h, sizeof(h), 0);
	if (r) {
		ubk_fail(e, "KVM_GET_STATS_FD", -r, 0, "(reading the header)");
		return -1;
	}
	/* Descriptors are fixed-size records followed by their name. */
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs) {
		ubk_fail(e, "KVM_GET_STATS_FD", ENOMEM, 0, NULL);
		return -1;
	}
	r = read_full(sfd, descs, dsz * h.num_desc, h.desc_offset);
	if (r) {
		ubk_fail(e, "KVM_GET_STATS_FD", -r, 0, "(reading descriptors)");
		goto out;
	}
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		const char *name = (const char *)d + sizeof(*d);

		for (k = 0; k < n; k++) {
			uint64_t v;

			if (strncmp(name, names[k], h.name_size))
				continue;
			r = read_full(sfd, &v, sizeof(v),
				      (off_t)h.data_offset + d->offset);
			if (r) {
				ubk_fail(e, "KVM_GET_STATS_FD", -r, 0,
					 "(reading %s)", names[k]);
				goto out;
			}
			vals[k] = v;
		}
	}
	r = 0;
out:
	free(descs);
	return r ? -1 : 0;
}

int ubk_read_stats(int vm_fd, const char *const *names, uint64_t *vals,
		   size_t n, struct ubk_err *e)
{
	int sfd = ubk_stats_open(vm_fd, e), r;

	if (sfd < 0) {
		for (size_t k = 0; k < n; k++)
			vals[k] = UINT64_MAX;
		return -1;
	}
	r = ubk_stats_read(sfd, names, vals, n, e);
	close(sfd);
	return r;
}

/* ---- running a vCPU (teardown/touch.c) ---- */

int ubk_create_irqchip(int vm_fd, struct ubk_err *e)
{
	if (ubk_ioctl(vm_fd, KVM_CREATE_IRQCHIP, NULL) < 0) {
		ubk_fail(e, "KVM_CREATE_IRQCHIP", errno, 0, NULL);
		return -1;
	}
	return 0;
}

long ubk_vcpu_mmap_size(int kvm_fd, struct ubk_err *e)
{
	int r = ubk_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);

	if (r <= 0)
		ubk_fail(e, "KVM_GET_VCPU_MMAP_SIZE", r < 0 ? errno : EINVAL, 0, NULL);
	return r;
}

/* One vCPU state ioctl: 0, or -1 with E naming STEP. */
static int vcpu_state(int fd, unsigned long req, void *arg, const char *step,
		      struct ubk_err *e)
{
	if (ubk_ioctl(fd, req, arg) < 0) {
		ubk_fail(e, step, errno, 0, NULL);
		return -1;
	}
	return 0;
}

int ubk_get_sregs(int fd, struct kvm_sregs *s, struct ubk_err *e)
{
	return vcpu_state(fd, KVM_GET_SREGS, s, "KVM_GET_SREGS", e);
}

int ubk_set_sregs(int fd, struct kvm_sregs *s, struct ubk_err *e)
{
	return vcpu_state(fd, KVM_SET_SREGS, s, "KVM_SET_SREGS", e);
}

int ubk_get_regs(int fd, struct kvm_regs *r, struct ubk_err *e)
{
	return vcpu_state(fd, KVM_GET_REGS, r, "KVM_GET_REGS", e);
}

int ubk_set_regs(int fd, struct kvm_regs *r, struct ubk_err *e)
{
	return vcpu_state(fd, KVM_SET_REGS, r, "KVM_SET_REGS", e);
}

int ubk_set_mp_state(int fd, uint32_t state, struct ubk_err *e)
{
	struct kvm_mp_state m = { .mp_state = state };

	return vcpu_state(fd, KVM_SET_MP_STATE, &m, "KVM_SET_MP_STATE", e);
}
