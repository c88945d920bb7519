// SPDX-License-Identifier: GPL-2.0
/*
 * Which backends this host can run, and why: the tdx probe under the lock
 * that serialises it (INFO and the start of every RUN re-probe, since the
 * TDX module's state can change while the module is loaded), and the
 * reasons ub_choose_backend() reports. The choice itself is portable
 * (ub_check.c).
 */
#include <linux/mutex.h>
#include <linux/string.h>
#include <asm/cpufeature.h>

#include "ub.h"

static DEFINE_MUTEX(ub_probe_lock);

void ub_backends_get(struct ub_backends *bs)
{
	mutex_lock(&ub_probe_lock);
	ub_tdx_probe();
	memset(bs, 0, sizeof(*bs));
	bs->usable = BIT(UB_BACKEND_NULL) | BIT(UB_BACKEND_MODEL);
	if (ub_tdx.usable)
		bs->usable |= BIT(UB_BACKEND_TDX);
	bs->pw_mce_erratum = boot_cpu_has_bug(X86_BUG_TDX_PW_MCE);
	strscpy(bs->reason[UB_BACKEND_AUTO], "auto: tdx, else model",
		UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_NULL],
		"null requested: API shape only, no hardware work", UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_MODEL],
		"model requested: cache-line flush and clear model", UB_REASON_LEN);
	strscpy(bs->reason[UB_BACKEND_TDX], ub_tdx.reason, UB_REASON_LEN);
}

void ub_backends_put(void)
{
	mutex_unlock(&ub_probe_lock);
}
