#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A cycles/op table of every variant straight from unmap_bench.ko (no
# harness); also kept in /out/kmod-table.txt. Under TCG: emulator cycles.
. /ub/tests/lib.sh

prog=$UB/tests/kmod_table-static
if [ ! -x "$prog" ]; then
	tap_skip "kmod cycles/op table" "$prog not built (make -C tests)"
	exit 0
fi
loaded=
if [ ! -d /sys/module/unmap_bench ]; then
	insmod "$UB/unmap_bench.ko" || { tap_fail "insmod unmap_bench.ko"; exit 0; }
	loaded=1
fi
"$prog" > /tmp/kmod-table.txt 2>&1 || echo "not ok - kmod_table exited $?" >> /tmp/kmod-table.txt
cat /tmp/kmod-table.txt
cp /tmp/kmod-table.txt /out/kmod-table.txt 2>/dev/null
[ -n "$loaded" ] && { rmmod unmap_bench || tap_fail "rmmod unmap_bench"; }
exit 0
