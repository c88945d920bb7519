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
#include <linux/uaccess.h>
#include <linux/mutex.h>

#include "ub.h"

static struct dentry *ub_dir;

/* Serialises the tdx probe (INFO and the start of every RUN). */
DEFINE_MUTEX(ub_probe_lock);

/*
 * Size rules of unmap_bench.h: the ioctl number carries the size of the
 * caller's struct (@usize), which must also be in its first field; any
 * size from the first version up is accepted, with an unknown tail that
 * must be zero (copy_struct_from_user()).
 */
int ub_copy_struct_in(void *k, size_t ksize, size_t ver0,
		      const void __user *uarg, u32 usize)
{
	u32 size;

	if (usize < ver0)
		return -EINVAL;
	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size != usize)
		return -EINVAL;
	return copy_struct_from_user(k, ksize, uarg, usize);
}

static long ub_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (_IOC_TYPE(cmd) != UB_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(UB_IOC_INFO):
		mutex_lock(&ub_probe_lock);
		ub_tdx_probe();
		ret = ub_ioctl_info(uarg, _IOC_SIZE(cmd));
		mutex_unlock(&ub_probe_lock);
		return ret;
	case _IOC_NR(UB_IOC_RUN):
		return ub_ioctl_run(uarg, _IOC_SIZE(cmd));
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
	ub_variants_init();
	mutex_lock(&ub_probe_lock);
	ub_tdx_probe();
	mutex_unlock(&ub_probe_lock);

	ub_dir = debugfs_create_dir(UB_DEBUGFS_DIR, NULL);
	if (IS_ERR(ub_dir))
		return PTR_ERR(ub_dir);
	debugfs_create_file("ctl", 0600, ub_dir, NULL, &ub_ctl_fops);
	pr_info("unmap_bench %s loaded: %u variants, tdx: %s\n",
		UB_MODULE_VERSION, ub_nr_variants, ub_tdx.reason);
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
