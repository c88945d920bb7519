#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# unmap_bench.ko in the guest: load it, run the uapi test (kmod_abi),
# unload it, and check the kernel log has no warning or bug since load.
. /ub/tests/lib.sh

ko=$UB/unmap_bench.ko
abi=$UB/tests/kmod_abi-static
before=$(dmesg | wc -l)

if ! insmod "$ko" 2>/tmp/insmod.err; then
	tap_fail "insmod unmap_bench.ko"
	sed 's/^/#   /' /tmp/insmod.err
	exit 0
fi
tap_ok "insmod unmap_bench.ko"
tap_check "debugfs control file exists" test -e /sys/kernel/debug/unmap_bench/ctl

if [ -x "$abi" ]; then
	"$abi" || tap_fail "kmod_abi exited $?"
else
	tap_skip "kmod_abi" "$abi not built (make -C tests)"
fi

tap_check "rmmod unmap_bench" rmmod unmap_bench
tap_check "no debugfs directory left after rmmod" \
	test ! -e /sys/kernel/debug/unmap_bench
tap_check "no unmap_bench thread left" \
	sh -c '! grep -qs unmap_bench /proc/[0-9]*/comm'

log=$(dmesg | tail -n +"$((before + 1))")
bad=$(echo "$log" | grep -E 'WARNING|BUG|Oops|Call Trace|general protection|hung_task|lockdep|KASAN|kmemleak' || true)
if [ -z "$bad" ]; then
	tap_ok "kernel log clean since insmod"
else
	tap_fail "kernel log clean since insmod"
	echo "$bad" | head -40 | sed 's/^/#   /'
fi
echo "$log" | grep -i unmap_bench | sed 's/^/# dmesg: /'
