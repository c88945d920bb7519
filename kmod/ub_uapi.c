// SPDX-License-Identifier: GPL-2.0
/*
 * The size rules of unmap_bench.h for every ioctl struct, as
 * copy_struct_from_user() applies them: the ioctl number carries the size
 * of the caller's struct (@usize), which must also be in its first field;
 * any size from the first version (@ver0, a literal) up is accepted; a
 * smaller struct than the module's is zero-extended, a larger one only
 * with an all-zero tail. Built into the module and libubcore.a, so the
 * test double answers every size exactly as the module does.
 */
#include "ub_core.h"

/* A struct only grows: the first version's size is a floor, forever. */
static_assert(sizeof(struct ub_info) >= UB_INFO_SIZE_VER0);
static_assert(sizeof(struct ub_run) >= UB_RUN_SIZE_VER0);
static_assert(sizeof(struct ub_run_progress) >= UB_PROGRESS_SIZE_VER0);

/* Is the caller's struct zero from @from to @to? 0, -E2BIG or -EFAULT. */
static int ub_tail_zero(u64 uarg, size_t from, size_t to)
{
	u8 buf[64];
	size_t n, i;

	while (from < to) {
		n = to - from < sizeof(buf) ? to - from : sizeof(buf);
		if (ub_port_copy_in(buf, uarg + from, n))
			return -EFAULT;
		for (i = 0; i < n; i++)
			if (buf[i])
				return -E2BIG;
		from += n;
	}
	return 0;
}

int ub_copy_struct_in(void *k, size_t ksize, size_t ver0, u64 uarg,
		      u32 usize)
{
	u32 size;
	int ret;

	if (usize < ver0)
		return -EINVAL;
	if (ub_port_copy_in(&size, uarg, sizeof(size)))
		return -EFAULT;
	if (size != usize)
		return -EINVAL;
	if (usize > ksize) {
		ret = ub_tail_zero(uarg, ksize, usize);
		if (ret)
			return ret;
	}
	memset(k, 0, ksize);
	if (ub_port_copy_in(k, uarg, usize < ksize ? usize : ksize))
		return -EFAULT;
	return 0;
}

/*
 * The struct could not be taken in. When the caller's struct has at least
 * the first version's layout, say why in its reason field.
 */
int ub_run_size_error(struct ub_run *r, int ret, u64 uarg, u32 usize)
{
	if (ret == -EFAULT || usize < UB_RUN_SIZE_VER0)
		return ret;
	if (ret == -E2BIG)
		ub_fail(r, 0,
			"struct ub_run of %u bytes: the tail beyond the module's %zu is not zero",
			usize, sizeof(*r));
	else
		ub_fail(r, 0, "size field differs from the size in the ioctl number (%u)",
			usize);
	if (ub_port_copy_out(uarg + offsetof(struct ub_run, reason), r->reason,
			     sizeof(r->reason)))
		return -EFAULT;
	return ret;
}
