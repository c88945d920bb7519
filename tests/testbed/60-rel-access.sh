# SPDX-License-Identifier: GPL-2.0
# Issue 8: the ctl file is root-only (0600) and every ioctl needs
# CAP_SYS_ADMIN in the initial user namespace.
. /ub/tests/60-rel-lib.sh

tap_check "access: insmod unmap_bench.ko" rel_insmod
$T/rel_access-static | grep -v '^ACCESS-SUMMARY'
# The harness names the permission problem when it is not root.
if command -v setuidgid >/dev/null 2>&1; then
	out=$(setuidgid nobody $UB/unmapbench info 2>&1)
	if echo "$out" | grep -qiE 'root|permission|CAP_SYS_ADMIN'; then
		tap_ok "access: the harness as nobody says it needs root"
	else
		tap_fail "access: the harness as nobody says it needs root"
		echo "$out" | sed 's/^/#   /'
	fi
fi
rel_rmmod "access: rmmod unmap_bench"
rel_done
