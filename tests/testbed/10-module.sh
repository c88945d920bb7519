# SPDX-License-Identifier: GPL-2.0
# The walking skeleton inside the guest: the module loads, answers, and
# unloads cleanly, twice; the harness's info runs against it.
. /ub/tests/lib.sh

ctl=/sys/kernel/debug/unmap_bench/ctl
tap_check "insmod unmap_bench.ko" insmod $UB/unmap_bench.ko
tap_check "unmap_bench listed in /proc/modules" grep -q '^unmap_bench ' /proc/modules
tap_check "debugfs control file exists" test -e $ctl
mode=$(stat -c %a $ctl 2>/dev/null)
owner=$(stat -c %u $ctl 2>/dev/null)
if [ "$mode" = 600 ] && [ "$owner" = 0 ]; then tap_ok "control file is root-only (0600)"
else tap_fail "control file is root-only (mode '$mode', owner '$owner')"; fi
tap_check "unmapbench info runs" $UB/unmapbench info
abi=$(sed -n 's/^#define UB_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' $UB/uapi.h 2>/dev/null)
info=$($UB/unmapbench info --json 2>&1)
if echo "$info" | grep -qE "\"abi_version\": *$abi([^0-9]|$)"; then
	tap_ok "module ABI version matches the header ($abi)"
else
	tap_fail "module ABI version matches the header ($abi)"
	echo "$info" | sed 's/^/#   /'
fi
tap_check "rmmod unmap_bench" rmmod unmap_bench
tap_fails "unmap_bench gone from /proc/modules" grep -q '^unmap_bench ' /proc/modules
tap_fails "debugfs directory removed" test -e /sys/kernel/debug/unmap_bench
tap_check "second insmod" insmod $UB/unmap_bench.ko
tap_check "second rmmod" rmmod unmap_bench
if dmesg | grep -q "unmap_bench .* unloaded"; then tap_ok "unload is logged"; else tap_fail "unload is logged"; fi
info=$($UB/unmapbench info 2>&1)
if echo "$info" | grep -qi "not loaded"; then tap_ok "info says the module is not loaded"
else tap_fail "info says the module is not loaded"; echo "$info" | sed 's/^/#   /'; fi
