/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers over the KVM ioctls the teardown driver uses. Every call
 * that fails fills a struct ubk_err naming the step, the errno and, for
 * TDX sub-commands, the hw_error (TDX SEAMCALL status) KVM passed back.
 */
#ifndef UB_KVM_H
#define UB_KVM_H

#include <stddef.h>
#include <stdint.h>

#include "teardown/kvm_uapi.h"

struct ubk_err {
	char step[64];		/* e.g. "KVM_TDX_INIT_VM" */
	int err;		/* errno, 0 if not from a syscall */
	uint64_t hw_error;	/* TDX status, 0 if none */
	char msg[320];		/* whole sentence, ready to print */
};

/* Fill @e; printf-style detail is appended to "STEP: ". */
void ubk_fail(struct ubk_err *e, const char *step, int err, uint64_t hw_error,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Every KVM ioctl of the teardown driver goes through ubk_ioctl(), so
 * that the test double (fake.c) can answer in its place.
 */
int ubk_ioctl(int fd, unsigned long req, void *arg);
int ubk_open(const char *path, struct ubk_err *e);

/* A KVM VM type (KVM_X86_*_VM) by the name results use (record/schema.def
 * vm_type: tdx, sw-protected, default), else KVM's own (sev, sev-es, snp),
 * or "unknown"; and its enum ub_vm_type value (-1: not one results have). */
const char *ubk_vm_type_name(unsigned type);
int ubk_vm_type_value(unsigned type);
/* KVM_CHECK_EXTENSION on a /dev/kvm or VM fd: value >= 0, or -errno. */
long ubk_check(int fd, long cap);
int ubk_create_vm(int kvm_fd, unsigned long type, struct ubk_err *e);
int ubk_create_gmem(int vm_fd, uint64_t size, uint64_t flags,
		    struct ubk_err *e);
int ubk_set_slot(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
		 uint64_t size, uint64_t uaddr, int gmem_fd,
		 uint64_t gmem_off, struct ubk_err *e);
int ubk_set_attributes(int vm_fd, uint64_t gpa, uint64_t size,
		       uint64_t attrs, struct ubk_err *e);
int ubk_create_vcpu(int vm_fd, unsigned long id, struct ubk_err *e);
/* KVM_ENABLE_CAP on the VM with args[0] = @arg0. */
int ubk_enable_cap(int vm_fd, uint32_t cap, uint64_t arg0, struct ubk_err *e);

/*
 * One KVM_PRE_FAULT_MEMORY call for [gpa, gpa+size). KVM may map less than
 * asked; @done gets the bytes it mapped (KVM rewrites gpa/size). Returns 0,
 * or -errno (EINTR and EAGAIN are left to the caller to retry).
 */
int ubk_prefault(int vcpu_fd, uint64_t gpa, uint64_t size, uint64_t *done);

/* KVM's supported CPUID (KVM_GET_SUPPORTED_CPUID); malloc'ed, free it. */
struct kvm_cpuid2 *ubk_supported_cpuid(int kvm_fd, struct ubk_err *e);
int ubk_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *c, struct ubk_err *e);

/*
 * Binary statistics (KVM_GET_STATS_FD) of a VM or vCPU fd: open them
 * (the stats fd holds a reference on the VM: close it before teardown),
 * and read named u64 values from such an fd; a name KVM does not offer
 * leaves its value at UINT64_MAX. A vCPU's stats fd must be opened
 * before the vCPU runs (the ioctl waits for KVM_RUN to return); reading
 * it never does.
 */
int ubk_stats_open(int fd, struct ubk_err *e);
int ubk_stats_read(int stats_fd, const char *const *names, uint64_t *vals,
		   size_t n, struct ubk_err *e);
/*
 * Read named u64 statistics from the VM's binary stats (KVM_GET_STATS_FD).
 * @names/@vals have @n entries; a name KVM does not offer leaves its value
 * at UINT64_MAX. The stats fd is closed before returning (it holds a VM
 * reference that would otherwise delay kvm_destroy_vm).
 */
int ubk_read_stats(int vm_fd, const char *const *names, uint64_t *vals,
		   size_t n, struct ubk_err *e);

/* Running a vCPU (the --populate touch guest). */
int ubk_create_irqchip(int vm_fd, struct ubk_err *e);
long ubk_vcpu_mmap_size(int kvm_fd, struct ubk_err *e);
int ubk_get_sregs(int fd, struct kvm_sregs *s, struct ubk_err *e);
int ubk_set_sregs(int fd, struct kvm_sregs *s, struct ubk_err *e);
int ubk_get_regs(int fd, struct kvm_regs *r, struct ubk_err *e);
int ubk_set_regs(int fd, struct kvm_regs *r, struct ubk_err *e);
int ubk_set_mp_state(int fd, uint32_t state, struct ubk_err *e);

/* ---- TDX (kvm_tdx.c). Written from intel-tdx.rst; NOT run on TDX hw. ---- */

/* One KVM_MEMORY_ENCRYPT_OP sub-command on a VM or vCPU fd. */
int ubk_tdx_cmd(int fd, uint32_t id, uint32_t flags, uint64_t data,
		const char *step, struct ubk_err *e);

/*
 * Build the KVM_TDX_INIT_VM CPUID set: for every leaf the TDX module lets
 * userspace configure (@caps, value = mask of configurable bits), take
 * KVM's supported value (@supported) masked by it; CPUID 0x80000008
 * EAX[23:16] (guest physical address width, KVM's GPAW interface) is set
 * to 48. Returns a malloc'ed kvm_cpuid2 or NULL (out of memory).
 */
struct kvm_cpuid2 *ubk_tdx_build_cpuid(const struct kvm_cpuid2 *caps,
				       const struct kvm_cpuid2 *supported);

/* What the VM-level TDX set-up learned (for results and diagnostics). */
struct ubk_tdx_info {
	int caps_read;			/* KVM_TDX_CAPABILITIES answered */
	uint64_t supported_attrs, supported_xfam;
	uint32_t cpuid_leaves;		/* configurable CPUID leaves */
	uint64_t attributes, xfam;	/* what KVM_TDX_INIT_VM was given */
	unsigned init_eagain;		/* KVM_TDX_INIT_VM EAGAIN retries */
};

/* KVM_TDX_CAPABILITIES on a TD's fd (any time before it is finalized):
 * fills the caps_read, supported_* and cpuid_leaves fields of INFO. */
int ubk_tdx_capabilities(int vm_fd, struct ubk_tdx_info *info, struct ubk_err *e);

/* Tries of KVM_TDX_INIT_VM while it returns EAGAIN, as QEMU's. */
#define UBK_TDX_INIT_TRIES 10000

/*
 * VM-level TDX set-up, after KVM_CREATE_VM(KVM_X86_TDX_VM) and before any
 * vCPU: split IRQ chip, KVM_TDX_CAPABILITIES, KVM_TDX_INIT_VM. KVM
 * returns EAGAIN from KVM_TDX_INIT_VM when the TDX module's random number
 * generator has no entropy (TDX_RND_NO_ENTROPY): it is retried, up to
 * UBK_TDX_INIT_TRIES times, the count kept in INFO (may be NULL).
 * ENOSPC (no free TDX KeyID) and EBUSY (the misc cgroup's tdx limit) get
 * their reasons in E.
 */
int ubk_tdx_init_vm(int kvm_fd, int vm_fd, struct ubk_tdx_info *info,
		    struct ubk_err *e);
/* Per vCPU, after KVM_CREATE_VCPU: KVM_TDX_INIT_VCPU, KVM_TDX_GET_CPUID,
 * KVM_SET_CPUID2 with what the TDX module virtualizes. */
int ubk_tdx_init_vcpu(int vcpu_fd, struct ubk_err *e);
/* After all vCPUs: KVM_TDX_FINALIZE_VM (allows KVM_PRE_FAULT_MEMORY). */
int ubk_tdx_finalize(int vm_fd, struct ubk_err *e);

/* ---- the test double (fake.c) ---- */

/*
 * UB_TEST_FAKE_KVM with run=1 (unit tests only): every ubk_ioctl() is
 * answered by a model of the KVM ABI the driver uses (no guest exists,
 * nothing is measured), which checks the TDX order tdx.c enforces and
 * logs every call to log.txt as "fake-kvm: ...". EAGAIN: KVM_TDX_INIT_VM
 * returns EAGAIN that many times first; FAIL_STEP: the step (as ubk_err
 * names it) that fails with FAIL_ERRNO and, for TDX sub-commands, the
 * TDX status FAIL_HW.
 */
struct ubk_fake_cfg {
	unsigned eagain;
	char fail_step[48];
	int fail_errno;
	uint64_t fail_hw;
	long max_vcpus;
};
void ubk_fake_start(const struct ubk_fake_cfg *c);
int  ubk_fake_active(void);
int  ubk_fake_open(void);
int  ubk_fake_ioctl(int fd, unsigned long req, void *arg);

#endif /* UB_KVM_H */
