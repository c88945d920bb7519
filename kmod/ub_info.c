// SPDX-License-Identifier: GPL-2.0
/*
 * UB_IOC_INFO: what the module offers on this host (the variant table and
 * limits from the portable part, backends, CPU facts, KeyIDs, build).
 */
#include <linux/slab.h>
#include <linux/string.h>
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

#ifdef CONFIG_FUNCTION_ALIGNMENT
#define UB_FN_ALIGN	CONFIG_FUNCTION_ALIGNMENT
#else
#define UB_FN_ALIGN	0
#endif

/* Compiler, optimisation and code placement of this build. */
static void ub_build_string(char *buf, size_t len)
{
	const char *opt = IS_ENABLED(CONFIG_CC_OPTIMIZE_FOR_SIZE) ? "-Os" :
			  IS_ENABLED(CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE_O3) ?
			  "-O3" : "-O2";

	snprintf(buf, len,
		 "%s; %s; kernel function alignment %d; %u replicas %u bytes apart",
		 CONFIG_CC_VERSION_TEXT, opt, UB_FN_ALIGN, UB_NR_REPLICAS,
		 UB_REPLICA_STEP);
}

long ub_ioctl_info(u64 uarg, u32 usize)
{
	struct ub_backends *bs;
	struct ub_info *info;
	u32 auto_used;
	long ret;

	info = kzalloc_obj(*info);
	bs = kzalloc_obj(*bs);
	if (!info || !bs) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ub_copy_struct_in(info, sizeof(*info), UB_INFO_SIZE_VER0, uarg,
				usize);
	if (ret)
		goto out;

	ub_backends_get(bs);
	ub_choose_backend(bs, UB_BACKEND_AUTO, &auto_used, info->auto_reason,
			  sizeof(info->auto_reason));
	info->auto_backend = auto_used;
	info->backends = bs->usable | BIT(UB_BACKEND_AUTO);
	strscpy(info->tdx_reason, ub_tdx.reason, sizeof(info->tdx_reason));
	info->nr_mktme_keyids = ub_tdx.nr_mktme_keyids;
	info->nr_tdx_keyids = ub_tdx.nr_tdx_keyids;
	info->tdx_global_keyid = ub_tdx.global_keyid;
	ub_backends_put();

	ub_info_fill_common(info, auto_used);
	strscpy(info->module_version, UB_MODULE_VERSION,
		sizeof(info->module_version));
	info->cpu_features = ub_cpu_features();
	info->x86_phys_bits = boot_cpu_data.x86_phys_bits;
	info->tsc_khz = tsc_khz;
	ub_build_string(info->build, sizeof(info->build));
	ret = ub_port_copy_out(uarg, info, min_t(size_t, usize, sizeof(*info)));
out:
	kfree(bs);
	kfree(info);
	return ret;
}
