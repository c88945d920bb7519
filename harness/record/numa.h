/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa.h: the machine's NUMA topology (libnuma) and CPU placement.
 *
 * topo_load() uses numa_available(), numa_max_node(), numa_node_to_cpus()
 * and numa_node_size64(); without NUMA support it describes one node 0
 * holding every CPU this process may run on and all memory.
 *
 * Placement of a run's threads relative to the memory node:
 *	local   every CPU is on the memory node
 *	remote  no CPU is on the memory node
 *	mixed   some are
 * topo_pick_cpus() chooses THREADS CPUs for a wanted placement: local
 * takes the node's own CPUs first, remote the nearest other node's (by
 * numa_distance); when a node has too few CPUs the rest spill over to
 * other nodes, and the resulting placement (maybe "mixed") is returned.
 */
#ifndef UB_NUMA_H
#define UB_NUMA_H

#include <stdint.h>

#include "record/schema.h"	/* enum ub_placement */

#define UB_TOPO_MAX_NODES 64
#define UB_TOPO_MAX_CPUS 4096


struct ub_topo {
	int	numa;			/* libnuma available */
	int	nr_nodes;		/* nodes with CPUs or memory */
	int	node_id[UB_TOPO_MAX_NODES];
	int64_t	node_mem[UB_TOPO_MAX_NODES];	/* bytes, -1 unknown */
	int64_t	node_free[UB_TOPO_MAX_NODES];
	int	nr_cpus;		/* CPUs we may run on */
	int	cpu[UB_TOPO_MAX_CPUS];		/* their ids, ascending */
	int	cpu_node[UB_TOPO_MAX_CPUS];	/* node of cpu[i] */
};

void topo_load(struct ub_topo *t);
/* Node of CPU id, -1 if unknown. */
int  topo_cpu_node(const struct ub_topo *t, int cpu);
int  topo_has_node(const struct ub_topo *t, int node);
int  topo_node_cpus(const struct ub_topo *t, int node);	/* how many */
/* Distance between nodes (10 = local), 0 if unknown. */
int  topo_distance(const struct ub_topo *t, int a, int b);
/* Free bytes on NODE (-1 unknown). */
int64_t topo_node_free(const struct ub_topo *t, int node);
/* Choose THREADS CPUs for NODE and placement WANT into out[]; returns the
 * placement achieved, or -1 if there are fewer than THREADS CPUs. */
int  topo_pick_cpus(const struct ub_topo *t, int node, enum ub_placement want,
		    int threads, int *out);
/* Placement of an explicit CPU set relative to NODE. */
enum ub_placement topo_placement(const struct ub_topo *t, int node,
				 const int *cpus, int n);

#endif
