// SPDX-License-Identifier: GPL-2.0
/* numa.c: libnuma topology and CPU placement, see numa.h. */
#include <numa.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "record/numa.h"

static int allowed_cpus(int *out, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		for (int i = 0; i < c && n < max; i++)
			out[n++] = i;
		return n;
	}
	for (int i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			out[n++] = i;
	return n;
}

void topo_load(struct ub_topo *t)
{
	int cpus[UB_TOPO_MAX_CPUS], n;

	memset(t, 0, sizeof(*t));
	n = allowed_cpus(cpus, UB_TOPO_MAX_CPUS);
	t->numa = numa_available() >= 0;
	if (!t->numa) {
		struct sysinfo si;

		t->nr_nodes = 1;
		t->node_id[0] = 0;
		if (!sysinfo(&si)) {
			t->node_mem[0] = (int64_t)si.totalram * si.mem_unit;
			t->node_free[0] = (int64_t)si.freeram * si.mem_unit;
		} else {
			t->node_mem[0] = t->node_free[0] = -1;
		}
		for (int i = 0; i < n; i++) {
			t->cpu[i] = cpus[i];
			t->cpu_node[i] = 0;
		}
		t->nr_cpus = n;
		return;
	}
	for (int node = 0; node <= numa_max_node() && t->nr_nodes < UB_TOPO_MAX_NODES;
	     node++) {
		long long fr = 0, sz;

		if (!numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)node) &&
		    !numa_bitmask_isbitset(numa_nodes_ptr, (unsigned)node))
			continue;
		sz = numa_node_size64(node, &fr);
		t->node_id[t->nr_nodes] = node;
		t->node_mem[t->nr_nodes] = sz;
		t->node_free[t->nr_nodes] = sz < 0 ? -1 : fr;
		t->nr_nodes++;
	}
	for (int i = 0; i < n; i++) {
		t->cpu[i] = cpus[i];
		t->cpu_node[i] = numa_node_of_cpu(cpus[i]);
	}
	t->nr_cpus = n;
}

int topo_cpu_node(const struct ub_topo *t, int cpu)
{
	for (int i = 0; i < t->nr_cpus; i++)
		if (t->cpu[i] == cpu)
			return t->cpu_node[i];
	return t->numa ? numa_node_of_cpu(cpu) : 0;
}

int topo_has_node(const struct ub_topo *t, int node)
{
	for (int i = 0; i < t->nr_nodes; i++)
		if (t->node_id[i] == node)
			return 1;
	return 0;
}

int topo_node_cpus(const struct ub_topo *t, int node)
{
	int n = 0;

	for (int i = 0; i < t->nr_cpus; i++)
		n += t->cpu_node[i] == node;
	return n;
}

int topo_distance(const struct ub_topo *t, int a, int b)
{
	if (!t->numa)
		return a == b ? 10 : 0;
	return numa_distance(a, b);
}

int64_t topo_node_free(const struct ub_topo *t, int node)
{
	for (int i = 0; i < t->nr_nodes; i++)
		if (t->node_id[i] == node)
			return t->node_free[i];
	return -1;
}

enum ub_placement topo_placement(const struct ub_topo *t, int node,
				 const int *cpus, int n)
{
	int local = 0;

	for (int i = 0; i < n; i++)
		local += topo_cpu_node(t, cpus[i]) == node;
	if (local == n)
		return UB_PLACE_LOCAL;
	return local ? UB_PLACE_MIXED : UB_PLACE_REMOTE;
}

int topo_pick_cpus(const struct ub_topo *t, int node, enum ub_placement want,
		   int threads, int *out)
{
	int order[UB_TOPO_MAX_NODES], no = 0, got = 0;
	char used[UB_TOPO_MAX_CPUS] = { 0 };

	if (threads > t->nr_cpus || threads <= 0)
		return -1;
	/* Node order: for local the node itself first; for remote the other
	 * nodes by distance; the memory node last. */
	if (want == UB_PLACE_LOCAL)
		order[no++] = node;
	for (;;) {
		int best = -1, bd = 1 << 30;

		for (int i = 0; i < t->nr_nodes; i++) {
			int id = t->node_id[i], d, seen = 0;

			if (id == node)
				continue;
			for (int k = 0; k < no; k++)
				seen |= order[k] == id;
			if (seen || !topo_node_cpus(t, id))
				continue;
			d = topo_distance(t, node, id);
			if (d < bd) {
				bd = d;
				best = id;
			}
		}
		if (best < 0)
			break;
		order[no++] = best;
	}
	if (want != UB_PLACE_LOCAL)
		order[no++] = node;
	for (int k = 0; k < no && got < threads; k++)
		for (int i = 0; i < t->nr_cpus && got < threads; i++)
			if (!used[i] && t->cpu_node[i] == order[k]) {
				used[i] = 1;
				out[got++] = t->cpu[i];
			}
	if (got < threads)
		return -1;
	return (int)topo_placement(t, node, out, threads);
}
