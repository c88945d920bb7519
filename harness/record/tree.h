/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tree.h: where the suite's other parts are, seen from the running
 * binary, and running one of plot/'s scripts.
 *
 * The binary knows its source tree from /proc/self/exe: when it runs as
 * TOP/harness/unmapbench (or unmapbench-static) and TOP/results/README.md
 * exists, TOP is the tree, whatever the current directory. A copy
 * elsewhere (the testbed's /ub/unmapbench) has no tree: callers then fall
 * back to their own rule (results/ in the current directory, profiles
 * beside the binary, $UB_RESULTS_DIR / $UB_PLOT_DIR).
 */
#ifndef UB_TREE_H
#define UB_TREE_H

#include <stddef.h>

/* Directory of the running binary; 0, or -1 if unknown. */
int ub_exe_dir(char *buf, size_t n);
/* TOP of the source tree the binary runs from; 0, or -1 if none. */
int ub_source_tree(char *buf, size_t n);

/*
 * plot/NAME: $UB_PLOT_DIR/NAME when UB_PLOT_DIR is set, else TOP/plot/NAME
 * beside the binary. 0 if readable; -1 otherwise (OUT still names where
 * it looked, or plot/NAME without a tree, for the message).
 */
int ub_plot_script(const char *name, char *out, size_t n);

/*
 * Run `python3 SCRIPT ARGS...` (ARGS NULL-terminated) and wait. 0 when
 * it exits 0; otherwise -1 with WHY set to one line: "python3 not
 * found" (checked first), "SCRIPT not found (...)", or "python3 SCRIPT
 * exited N: <its last stderr line>". Its stdout is passed through; its
 * stderr is kept for WHY.
 */
int ub_plot_run(const char *script, const char *const *args, char *why,
		size_t n);

#endif
