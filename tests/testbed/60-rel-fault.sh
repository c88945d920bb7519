# SPDX-License-Identifier: GPL-2.0
# Issue 8: allocation failures at every allocation site of INFO and RUN
# (failslab + fail_page_alloc, filtered to the module's text), then
# kmemleak, free memory and rmmod. Skips where the kernel has no fault
# injection (the default flavour).
. /ub/tests/60-rel-lib.sh

if [ ! -d /sys/kernel/debug/failslab ]; then
	tap_skip "fault injection" "kernel without failslab/fail_page_alloc (debug flavour only)"
	exit 0
fi
rel_settle 1
before=$(rel_memfree_kb)
tap_check "fault: insmod unmap_bench.ko" rel_insmod
rel_kmemleak_begin
out=$($T/rel_faultinj-static 2>&1)
echo "$out" | grep -v '^FAULT-COUNTS'
n=$(echo "$out" | sed -n 's/^FAULT-COUNTS injected=\([0-9]*\).*/\1/p')
rel_report "faults_injected=${n:-0}"
tap_check "fault: a valid run works after fault injection" $T/rel_interrupt-static smoke
rel_rmmod "fault: rmmod unmap_bench after fault injection"
rel_kmemleak_check "fault: kmemleak reports nothing after fault injection and rmmod"
rel_memfree_check "fault: memory returned after rmmod" "$before" 8192
rel_done
