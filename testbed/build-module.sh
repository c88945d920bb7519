#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build unmap_bench.ko for the testbed kernel from a copy of kmod/ kept in
# the kernel's build directory, so a build of kmod/ for the host kernel
# (make kmod) and the testbed build never overwrite each other.
# usage: build-module.sh KDIR   (prints the .ko path)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
dest=$kdir/ub-kmod
mkdir -p "$dest"
# Sources only (build products in kmod/ stay there).
ub_kmod_copy "$dest"
# Objects built from other sources (another checkout shares this cache)
# must not survive into this build: rebuild when the sources differ.
hash=$(ub_kmod_hash)
if [ "$(cat "$dest/.ub-src-hash" 2>/dev/null)" != "$hash" ]; then
	find "$dest" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
	echo "$hash" > "$dest/.ub-src-hash"
fi
make -s -C "$kdir" M="$dest" W=1 KCFLAGS=-Werror modules >&2
echo "$dest/unmap_bench.ko"
