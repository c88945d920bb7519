#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make vm-bench-scale checks the host before it boots anything: it names
# the memory the testbed needs and what the host has, and refuses a bad
# UB_SCALE_MEM. (The scale run itself is a recorded benchmark, outside
# make test.) Also the teardown-scale profile plans what issue 14 asks:
# single guests up to 8 GiB and 64 at once, both populate modes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=${UB_HARNESS:-$top/harness/unmapbench}
out=$(mktemp); trap 'rm -f "$out"' EXIT

# Far more than any host has: refused before QEMU is started.
UB_SCALE_MEM=100000000 "$top/testbed/vm-bench-scale.sh" >"$out" 2>&1; rc=$?
if [ $rc = 1 ] && grep -q 'the testbed needs 200001024 MiB of this host.s memory (2 nodes x UB_SCALE_MEM=100000000 MiB + 1024 for QEMU); MemAvailable is [0-9]* MiB' "$out" &&
   ! grep -q 'booting' "$out"; then
	echo "ok - vm-bench-scale: too little host memory is refused, naming both numbers, before booting"
else echo "not ok - vm-bench-scale: too little host memory is refused (exit $rc)"; sed 's/^/#   /' "$out"; fi
UB_SCALE_MEM=5G "$top/testbed/vm-bench-scale.sh" >"$out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "UB_SCALE_MEM must be MiB per node (a number), not '5G'" "$out" &&
	echo "ok - vm-bench-scale: a UB_SCALE_MEM that is not a number is refused" ||
	{ echo "not ok - vm-bench-scale: bad UB_SCALE_MEM refused (exit $rc)"; sed 's/^/#   /' "$out"; }

# The profile, planned against a 10 GiB testbed's memory.
if [ -x "$ub" ]; then
	UB_TEST_FAKE_MEM="avail=9800M" UB_TEST_FAKE_KVM="vm_types=0x3,prefault=1,attrs=0x8,gmem_flags=0x3,modules=kvm_amd" \
		"$ub" run teardown-scale --dry-run >"$out" 2>&1; rc=$?
	big=$(grep -c 'size=8.0 GiB vms=1 .*populate=\(prefault\|touch\) .*repeat=1 ' "$out")
	many=$(grep -c 'size=64.0 MiB vms=64 .*trigger=destroy populate=\(prefault\|touch\) .*repeat=1 ' "$out")
	reps=$(grep -c 'size=8.0 GiB vms=1 .*repeat=3 ' "$out")
	if [ $rc = 0 ] && [ "$big" = 6 ] && [ "$many" = 2 ] && [ "$reps" = 6 ]; then
		echo "ok - teardown-scale: 8 GiB guests (3 triggers x 2 populate modes) and 64 guests at once (2 modes), 3 repeats each"
	else echo "not ok - teardown-scale plans 8 GiB and 64-guest runs, 3 repeats (exit $rc, $big, $many, $reps)"; sed 's/^/#   /' "$out" | tail; fi
else
	echo "not ok - $ub not built (make -C harness)"
fi
exit 0
