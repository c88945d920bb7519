#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest initramfs: static busybox, the module, KVM's modules,
# the static harness, the guest jobs and the guest-side tests.
# usage: mkinitramfs.sh KDIR OUT.cpio.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1 out=$2
bb=$(command -v busybox || true)
[ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q static || bb=/bin/busybox
file -L "$bb" | grep -q "statically linked" ||
	ub_die "need a static busybox (apt-get install busybox-static)"
# The module built for this kernel: by `make vm-prep` into the build tree,
# or in kmod/ by hand if its vermagic names this kernel.
krel=$(cat "$kdir/include/config/kernel.release")
ko=${UB_KO:-$kdir/ub-kmod/unmap_bench.ko}
if [ ! -f "$ko" ] && [ -z "${UB_KO:-}" ] &&
   modinfo -F vermagic "$UB_TOP/kmod/unmap_bench.ko" 2>/dev/null | grep -q "^$krel "; then
	ko=$UB_TOP/kmod/unmap_bench.ko
fi
[ -f "$ko" ] || ub_die "$ko missing: run 'make vm-prep' first"
modinfo -F vermagic "$ko" | grep -q "^$krel " ||
	ub_die "$ko was not built for $krel: run 'make vm-prep'"
harness=${UB_HARNESS:-$UB_TOP/harness/unmapbench-static}
[ -x "$harness" ] || ub_die "$harness missing: run 'make -C harness static' first"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,out,ub/jobs,ub/tests,lib/modules}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$UB_TESTBED_DIR/guest/init" "$root/init"
cp "$UB_TESTBED_DIR"/guest/jobs/* "$root/ub/jobs/"
cp "$ko" "$root/ub/"
cp "$UB_TOP/kmod/uapi/unmap_bench.h" "$root/ub/uapi.h"
cp "$harness" "$root/ub/unmapbench"
# KVM modules, loaded by the jobs that need them.
find "$kdir/arch/x86/kvm" -name "kvm*.ko" -exec cp {} "$root/ub/" \;
# kvm.ko depends on irqbypass.ko when that is built as a module.
[ -f "$kdir/virt/lib/irqbypass.ko" ] && cp "$kdir/virt/lib/irqbypass.ko" "$root/ub/"
# Guest-side tests and any static test programs built for the guest.
cp "$UB_TOP"/tests/testbed/*.sh "$root/ub/tests/"
for t in "$UB_TOP"/tests/bin/*-static; do
	[ -x "$t" ] && cp "$t" "$root/ub/tests/"
done
cp -r "$UB_TOP/bench/profiles" "$root/ub/profiles"
chmod +x "$root/init" "$root"/ub/jobs/* "$root"/ub/tests/* 2>/dev/null || true
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
