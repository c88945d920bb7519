/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of the KVM uapi (Linux 7.2) that the teardown driver needs and
 * that older system headers (Debian bookworm ships 6.1) lack. Each block is
 * guarded by a macro that the newer header defines, so this file works on
 * top of any linux/kvm.h from 6.1 on. Layouts were checked against
 * include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h of 7.2.13
 * and Documentation/virt/kvm/{api.rst,x86/intel-tdx.rst}.
 */
#ifndef UB_KVM_UAPI_H
#define UB_KVM_UAPI_H

#include <linux/kvm.h>
#include <linux/types.h>

/* Capabilities (KVM_CHECK_EXTENSION). */
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif

/* x86 VM types (KVM_CREATE_VM argument, bits of KVM_CAP_VM_TYPES). */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM 0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM 1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM 2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM 3
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM 4
#endif

/* KVM_SET_USER_MEMORY_REGION2 (6.8). */
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1UL << 2)
#endif
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif

/* Memory attributes (6.8). */
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#endif

/* guest_memfd (6.8; flags 6.18). */
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD \
	_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif

/* KVM_PRE_FAULT_MEMORY (6.10), a vCPU ioctl. */
#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY \
	_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif

/* The memory-fault exit (6.8): struct { flags, gpa, size } in the union. */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif

/* Binary statistics (5.14): present in 6.1, kept for older headers. */
#ifndef KVM_GET_STATS_FD
struct kvm_stats_header {
	__u32 flags;
	__u32 name_size;
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
};
struct kvm_stats_desc {
	__u32 flags;
	__s16 exponent;
	__u16 size;
	__u32 offset;
	__u32 bucket_size;
	char name[];
};
#define KVM_GET_STATS_FD _IO(KVMIO, 0xce)
#endif

/*
 * TDX (6.16): KVM_MEMORY_ENCRYPT_OP sub-commands. In 7.2 the command ids
 * are an enum in asm/kvm.h; KVM_X86_TDX_VM is defined beside it, so it
 * guards the whole block.
 */
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM 5

#define KVM_TDX_CAPABILITIES 0
#define KVM_TDX_INIT_VM 1
#define KVM_TDX_INIT_VCPU 2
#define KVM_TDX_INIT_MEM_REGION 3
#define KVM_TDX_FINALIZE_VM 4
#define KVM_TDX_GET_CPUID 5

struct kvm_tdx_cmd {
	__u32 id;		/* KVM_TDX_* */
	__u32 flags;		/* 0 unless the sub-command defines some */
	__u64 data;		/* immediate or user pointer */
	__u64 hw_error;		/* TDX SEAMCALL status on failure */
};

struct kvm_tdx_capabilities {
	__u64 supported_attrs;
	__u64 supported_xfam;
	__u64 kernel_tdvmcallinfo_1_r11;
	__u64 user_tdvmcallinfo_1_r11;
	__u64 kernel_tdvmcallinfo_1_r12;
	__u64 user_tdvmcallinfo_1_r12;
	__u64 reserved[250];
	/* Configurable CPUID bits (leaves with masks of what may be set). */
	struct kvm_cpuid2 cpuid;
};

struct kvm_tdx_init_vm {
	__u64 attributes;
	__u64 xfam;
	__u64 mrconfigid[6];
	__u64 mrowner[6];
	__u64 mrownerconfig[6];
	__u64 reserved[12];	/* TD_PARAMS before the CPUIDs: 256 bytes */
	struct kvm_cpuid2 cpuid;
};

#define KVM_TDX_MEASURE_MEMORY_REGION (1ULL << 0)
struct kvm_tdx_init_mem_region {
	__u64 source_addr;
	__u64 gpa;
	__u64 nr_pages;
};
#endif /* KVM_X86_TDX_VM */

#endif /* UB_KVM_UAPI_H */
