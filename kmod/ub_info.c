// SPDX-License-Identifier: GPL-2.0
/*
 * UB_IOC_INFO: what the module offers on this host, and the
 * resolution of UB_BACKEND_AUTO.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/tsc.h>

#include "ub.h"

u32 ub_cpu_features(void)
{
	static const struct { u16 feat; u32 bit; } map[] = {
		{ X86_FEATURE_CLFLUSH,		UB_FEAT_CLFLUSH },
		{ X86_FEATURE_CLFLUSHOPT,	UB_FEAT_CLFLUSHOPT },
		{ X86_FEATURE_CLWB,		UB_FEAT_CLWB },
		{ X86_FEATURE_MOVDIR64B,	UB_FEAT_MOVDIR64B },
		{ X86_FEATURE_RDTSCP,		UB_FEAT_RDTSCP },
		{ X86_FEATURE_CONSTANT_TSC,	UB_FEAT_CONSTANT_TSC },
		{ X86_FEATURE_NONSTOP_TSC,	UB_FEAT_NONSTOP_TSC },
		{ X86_FEATURE_TDX_HOST_PLATFORM, UB_FEAT_TDX_HOST },
		{ X86_BUG_TDX_PW_MCE,		UB_FEAT_BUG_TDX_PW_MCE },
		{ X86_FEATURE_HYPERVISOR,	UB_FEAT_HYPERVISOR },
	};
	u32 f = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (boot_cpu_has(map[i].feat))
			f |= map[i].bit;
	return f;
}

/*
 * Resolve a requested backend against the last tdx probe (the caller holds
 * ub_lock and has just re-probed). Returns 0 or -ENODEV; @reason says why
 * either way.
 */
int ub_resolve_backend(u32 req, u32 *used, char *reason, size_t len)
{
	switch (req) {
	case UB_BACKEND_NULL:
		*used = req;
		strscpy(reason, "null requested: API shape only, no hardware work", len);
		return 0;
	case UB_BACKEND_MODEL:
		*used = req;
		strscpy(reason, "model requested: cache-line flush and clear model", len);
		return 0;
	case UB_BACKEND_TDX:
		*used = req;
		strscpy(reason, ub_tdx.reason, len);
		return ub_tdx.usable ? 0 : -ENODEV;
	default:
		if (ub_tdx.usable) {
			*used = UB_BACKEND_TDX;
			snprintf(reason, len, "auto chose tdx: %s", ub_tdx.reason);
		} else {
			*used = UB_BACKEND_MODEL;
			snprintf(reason, len, "auto chose model: tdx unusable: %s",
				 ub_tdx.reason);
		}
		return 0;
	}
}

long ub_ioctl_info(void __user *uarg, u32 usize)
{
	struct ub_info *info;
	unsigned int i;
	u32 auto_used;
	long ret;

	info = kzalloc_obj(*info);
	if (!info)
		return -ENOMEM;
	ret = ub_copy_struct_in(info, sizeof(*info), UB_INFO_SIZE_VER0, uarg,
				usize);
	if (ret)
		goto out;

	info->abi_version = UB_ABI_VERSION;
	strscpy(info->module_version, UB_MODULE_VERSION,
		sizeof(info->module_version));
	info->backends = BIT(UB_BACKEND_AUTO) | BIT(UB_BACKEND_NULL) |
			 BIT(UB_BACKEND_MODEL);
	if (ub_tdx.usable)
		info->backends |= BIT(UB_BACKEND_TDX);
	strscpy(info->tdx_reason, ub_tdx.reason, sizeof(info->tdx_reason));
	ub_resolve_backend(UB_BACKEND_AUTO, &auto_used, info->auto_reason,
			   sizeof(info->auto_reason));
	info->auto_backend = auto_used;
	info->cpu_features = ub_cpu_features();
	info->x86_phys_bits = boot_cpu_data.x86_phys_bits;
	info->nr_mktme_keyids = ub_tdx.nr_mktme_keyids;
	info->nr_tdx_keyids = ub_tdx.nr_tdx_keyids;
	info->tdx_global_keyid = ub_tdx.global_keyid;
	info->nr_variants = ub_nr_variants;
	info->tsc_khz = tsc_khz;
	info->max_threads = UB_MAX_THREADS;
	info->hist_buckets = UB_HIST_BUCKETS;
	for (i = 0; i < ub_nr_variants; i++) {
		struct ub_variant_desc *d = &info->variants[i];

		*d = ub_variants[i].d;
	}
	if (copy_to_user(uarg, info, min_t(size_t, usize, sizeof(*info))))
		ret = -EFAULT;
out:
	kfree(info);
	return ret;
}
