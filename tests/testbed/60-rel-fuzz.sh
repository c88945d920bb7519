# SPDX-License-Identifier: GPL-2.0
# Issue 8: fuzz UB_IOC_RUN / UB_IOC_INFO from several processes, then
# kmemleak, MemFree and rmmod. ub.fuzz=N on the kernel command line sets
# the request count (make stress: 100000+), ub.fuzz_seed=S the seed,
# ub.fuzz_workers=W the processes; the CI default (3000) takes about 45 s
# under TCG on the debug flavour.
. /ub/tests/60-rel-lib.sh

n=$(rel_cmdline ub.fuzz); n=${n:-3000}
w=$(rel_cmdline ub.fuzz_workers); w=${w:-4}
seed=$(rel_cmdline ub.fuzz_seed)

rel_settle 1
before=$(rel_memfree_kb)
tap_check "fuzz: insmod unmap_bench.ko" rel_insmod
rel_kmemleak_begin
# A request may run up to its wall cap (60 s at most with the clamps).
out=$($T/fuzz_ioctl-static -n "$n" -w "$w" ${seed:+-s "$seed"} -t 120 2>&1)
echo "$out" | grep -v '^FUZZ-COUNTS'
tried=$(echo "$out" | sed -n 's/^FUZZ-COUNTS requests=\([0-9]*\).*/\1/p')
rel_report "fuzz_requests=${tried:-0}"
tap_check "fuzz: module still answers INFO" $UB/unmapbench info
tap_check "fuzz: a valid run still works" $T/rel_interrupt-static smoke
rel_rmmod "fuzz: rmmod unmap_bench after fuzzing"
rel_kmemleak_check "fuzz: kmemleak reports nothing after fuzzing and rmmod"
rel_memfree_check "fuzz: memory returned after rmmod" "$before" 16384
rel_done
