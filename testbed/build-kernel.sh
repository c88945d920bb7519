#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the testbed kernel once, keyed on the kernel version
# and the hash of the config fragment, and reuse it afterwards.
# Prints the build directory (usable as KDIR) on stdout.
#
# usage: build-kernel.sh [FLAVOUR]
#   default    kernel.config on tinyconfig
#   debug      plus kernel-debug.config: KASAN, kmemleak, lockdep,
#              DEBUG_ATOMIC_SLEEP, failslab and fail_page_alloc
#   pre-patch  default's config on the tree with patches/pre-pfn-unmap.patch
#              (the struct-page unmap API), release suffix -prepatch
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-${UB_FLAVOUR:-default}}
frag=$UB_TESTBED_DIR/kernel.config
frag_extra= patch= localversion=
case $flavour in
default) ;;
debug) frag_extra=$UB_TESTBED_DIR/kernel-debug.config ;;
pre-patch) patch=$UB_TESTBED_DIR/patches/pre-pfn-unmap.patch localversion=-prepatch ;;
*) ub_die "unknown kernel flavour '$flavour' (default, debug or pre-patch)" ;;
esac
src=$("$UB_TESTBED_DIR/fetch-kernel.sh")
kver=$(make -s -C "$src" kernelversion)
hash=$(cat "$frag" $frag_extra $patch | sha256sum | cut -c1-12)
out=$UB_CACHE/build/$kver-$flavour-$hash
if [ -f "$out/.ub-built" ]; then
	echo "$out"
	exit 0
fi
# One build of a tree at a time: a second caller waits for the first.
mkdir -p "$UB_CACHE/build"
exec 9> "$out.lock"
if ! flock -n 9; then
	ub_log "another build of $out is running; waiting for it"
	flock 9
fi
if [ -f "$out/.ub-built" ]; then
	echo "$out"
	exit 0
fi

# pre-patch: build from a patched view of the tree; the fetched tree
# stays pristine (patch-tree.sh refuses in one line if it does not apply).
[ -z "$patch" ] || src=$("$UB_TESTBED_DIR/patch-tree.sh" "$src" "$patch")
jobs=${UB_JOBS:-$(nproc)}
ub_log "configuring $kver (fragment $hash) in $out"
rm -rf "$out"; mkdir -p "$out"
make -s -C "$src" O="$out" tinyconfig >&2
[ -z "$localversion" ] ||
	"$src/scripts/config" --file "$out/.config" --set-str LOCALVERSION "$localversion"
# merge_config.sh -m merges fragments without running olddefconfig.
(cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" $frag_extra >"$out/merge.log" 2>&1) ||
	ub_die "merge_config.sh failed: see $out/merge.log"
make -s -C "$src" O="$out" olddefconfig >&2

ub_check_config "$out/.config" "$frag" $frag_extra ||
	ub_die "kernel config fragment did not apply (see above)"

ub_log "building bzImage and modules with -j$jobs (a cold build takes ~8 min on 2 cores)"
make -s -C "$src" O="$out" -j"$jobs" bzImage modules >&2
cp "$src/.ub-debian-version" "$out/.ub-debian-version" 2>/dev/null || true
touch "$out/.ub-built"
echo "$out"
