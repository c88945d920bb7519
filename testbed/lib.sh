# SPDX-License-Identifier: GPL-2.0
# Shared settings for the testbed scripts. Source it; do not run it.

# Everything large lives outside the clone.
UB_CACHE=${UB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unmapbench}
# Kernel series the suite is built on; the PFN API exists from 7.2 on.
UB_KSERIES=${UB_KSERIES:-7.2}
UB_TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
UB_TOP=$(cd "$UB_TESTBED_DIR/.." && pwd)

ub_die() { echo "testbed: error: $*" >&2; exit 1; }
ub_log() { echo "testbed: $*" >&2; }

# Write an atomically-complete file: content goes to NAME.tmp, then rename.
ub_atomic_mv() { mv -f "$1.tmp" "$1"; }
