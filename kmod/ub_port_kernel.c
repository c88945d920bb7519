// SPDX-License-Identifier: GPL-2.0
/*
 * The module's side of the ub_port_*() hooks the portable checks call
 * (the harness's native build implements the same hooks in userspace).
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "ub.h"

/* The backends the module builds. */
const struct ub_batch_table *const ub_batch_tables[UB_BACKEND_NR] = {
	[UB_BACKEND_NULL] = &ub_null_batch_table,
	[UB_BACKEND_MODEL] = &ub_model_batch_table,
	[UB_BACKEND_TDX] = &ub_tdx_batch_table,
};

int ub_port_copy_in(void *dst, u64 uptr, size_t len)
{
	return copy_from_user(dst, u64_to_user_ptr(uptr), len) ? -EFAULT : 0;
}

int ub_port_copy_out(u64 uptr, const void *src, size_t len)
{
	return copy_to_user(u64_to_user_ptr(uptr), src, len) ? -EFAULT : 0;
}

/* Free pages of a node (the vmstat helpers summing them are not exported). */
static u64 ub_node_free_pages(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	u64 free = 0;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++)
		free += zone_page_state(&pgdat->node_zones[z], NR_FREE_PAGES);
	return free;
}

enum ub_port_state ub_port_node(int nid, u64 *free_pages)
{
	if (nid < 0 || nid >= MAX_NUMNODES || !node_possible(nid))
		return UB_PORT_ABSENT;
	if (!node_online(nid))
		return UB_PORT_OFFLINE;
	if (!node_state(nid, N_MEMORY))
		return UB_PORT_NO_MEMORY;
	*free_pages = ub_node_free_pages(nid);
	return UB_PORT_OK;
}

/* Called with cpus_read_lock() held, so the answer stays true. */
enum ub_port_state ub_port_cpu(u32 cpu, u32 *nr_ids)
{
	*nr_ids = nr_cpu_ids;
	if (cpu >= nr_cpu_ids)
		return UB_PORT_ABSENT;
	return cpu_online(cpu) ? UB_PORT_OK : UB_PORT_OFFLINE;
}

u32 ub_port_backend_insns(u32 backend, bool wbinvd, bool reset)
{
	u32 insns = 0;

	switch (backend) {
	case UB_BACKEND_MODEL:
		if (wbinvd)
			insns |= ub_model_wbinvd_insns();
		if (reset)
			insns |= ub_model_reset_insns();
		break;
	case UB_BACKEND_TDX:
		if (wbinvd)
			insns |= UB_INSN_SEAMCALL;
		if (reset)
			insns |= UB_INSN_MOVDIR64B | UB_INSN_MFENCE;
		break;
	default:
		break;
	}
	return insns;
}
