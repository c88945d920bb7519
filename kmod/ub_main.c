// SPDX-License-Identifier: GPL-2.0
/*
 * unmap_bench - microbenchmark of the TDX private-memory unmap tail: the
 * struct-page API shape (before "x86/tdx: Use PFN directly for unmapping
 * guest private memory") against the PFN shape (Linux 7.2).
 *
 * Load/unload, the debugfs control file and ioctl dispatch.
 *
 * Access: /sys/kernel/debug/unmap_bench/ctl is mode 0600 (root) and every
 * ioctl also requires CAP_SYS_ADMIN in the initial user namespace (EPERM).
 */
#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/capability.h>
#include <linux/slab.h>

#include "ub.h"

static struct dentry *ub_dir;

static long ub_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (_IOC_TYPE(cmd) != UB_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(UB_IOC_INFO):
		return ub_ioctl_info(arg, _IOC_SIZE(cmd));
	case _IOC_NR(UB_IOC_RUN):
		return ub_ioctl_run(arg, _IOC_SIZE(cmd));
	case _IOC_NR(UB_IOC_PROGRESS):
		return ub_ioctl_progress(arg, _IOC_SIZE(cmd));
	default:
		return -ENOTTY;
	}
}

static const struct file_operations ub_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= ub_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static int __init ub_init(void)
{
	struct ub_backends *bs;

	ub_variants_init();
	bs = kzalloc_obj(*bs);
	if (!bs)
		return -ENOMEM;
	ub_backends_get(bs);
	ub_backends_put();
	kfree(bs);

	ub_dir = debugfs_create_dir(UB_DEBUGFS_DIR, NULL);
	if (IS_ERR(ub_dir))
		return PTR_ERR(ub_dir);
	debugfs_create_file("ctl", 0600, ub_dir, NULL, &ub_ctl_fops);
	pr_info("unmap_bench %s loaded: %u variants x %u layout replicas, tdx: %s\n",
		UB_MODULE_VERSION, ub_nr_variants, UB_NR_REPLICAS, ub_tdx.reason);
	return 0;
}

static void __exit ub_exit(void)
{
	debugfs_remove(ub_dir);
	pr_info("unmap_bench %s unloaded\n", UB_MODULE_VERSION);
}

module_init(ub_init);
module_exit(ub_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microbenchmark of the TDX private-memory unmap path: struct page vs PFN API");
MODULE_AUTHOR("unmapbench");
MODULE_VERSION(UB_MODULE_VERSION);
