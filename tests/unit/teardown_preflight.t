#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# unmapbench teardown: the preflight refuses requests larger than the
# memory available (host-wide and per NUMA node), before any guest exists.
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=${UB_HARNESS:-$top/harness/unmapbench}
[ -x "$ub" ] || { echo "not ok - $ub not built (make -C harness)"; exit 1; }
export UB_TEST_FAKE_KVM="vm_types=0x3,prefault=1,gmem_flags=0x3,attrs=0x8,modules=kvm_amd"
export UB_TEST_FAKE_MEM="avail=1G,node0=512M,node1=512M"
out=$(mktemp); trap 'rm -f "$out"' EXIT

expect() {
	rc=$1 desc=$2 pat=$3; shift 3
	"$ub" teardown --dry-run "$@" >"$out" 2>&1; got=$?
	if [ "$got" = "$rc" ] && grep -q -- "$pat" "$out"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc (exit $got, wanted $rc and /$pat/)"
		sed 's/^/#   /' "$out"
	fi
}
expect 0 "a request that fits passes" "4 runs," --size 64M --vms 1,4 --trigger destroy,punch
expect 1 "too much for the host is refused" "exceeds the 1.0 GiB available on this host (MemAvailable)" \
	--size 600M --vms 2
expect 1 "the refusal names the request" "2 guest(s) x 629145600 bytes" --size 600M --vms 2
expect 1 "too much for one node is refused" "exceeds the 512.0 MiB free on node 1" \
	--size 200M --vms 3 --node 1
expect 0 "the same fits with no node policy" "1 run," --size 200M --vms 3
expect 1 "a node without memory is refused" "--node 5: no such NUMA node" --size 16M --node 5
expect 1 "one oversized item of a list refuses the whole command" "exceeds" \
	--size 64M,2G
expect 1 "page tables count: exactly the available memory is too much" "for page tables" \
	--size 512M --node 0
UB_TEST_FAKE_MEM="avail=1T" "$ub" teardown --dry-run --size 1G --vms 64 >"$out" 2>&1 &&
	grep -q "vms=64 " "$out" && echo "ok - 64 guests of 1G pass on a 1T host" ||
	{ echo "not ok - 64 guests of 1G pass on a 1T host"; sed 's/^/#   /' "$out"; }
# A --kvm path that does not exist is a wrong path, not a missing module.
env -u UB_TEST_FAKE_KVM "$ub" teardown --dry-run --kvm /nonexistent/kvm --size 16M >"$out" 2>&1; got=$?
if [ "$got" != 0 ] && grep -q "cannot open /nonexistent/kvm: .*check --kvm" "$out" &&
	! grep -q "module" "$out"; then
	echo "ok - --kvm /nonexistent names the path, not a missing module"
else
	echo "not ok - --kvm /nonexistent names the path, not a missing module (exit $got)"
	sed 's/^/#   /' "$out"
fi
# --skip-without-kvm (the shipped profiles' teardown lines): no KVM gives
# skipped rows with the reason and a complete run, not a refusal.
d=$(mktemp -d); trap 'rm -f "$out"; rm -rf "$d"' EXIT
env -u UB_TEST_FAKE_KVM UB_WHERE=native "$ub" teardown --skip-without-kvm --kvm /nonexistent/kvm \
	--size 16M --trigger destroy,punch --out "$d/r" >"$out" 2>&1; got=$?
if [ "$got" = 0 ] && [ "$(grep -c ',"\?skipped: no KVM: cannot open /nonexistent/kvm' "$d/r/teardown.csv")" = 2 ] &&
	grep -q "^Teardown not run (2 configurations): skipped: no KVM" "$out" &&
	[ "$(tail -n1 "$out")" = "$d/r" ]; then
	echo "ok - --skip-without-kvm: no KVM gives skipped rows, a complete run and says so first"
else
	echo "not ok - --skip-without-kvm: no KVM gives skipped rows, a complete run and says so first (exit $got)"
	sed 's/^/#   /' "$out"; sed 's/^/#   /' "$d/r/teardown.csv" 2>/dev/null
fi
env -u UB_TEST_FAKE_KVM "$ub" teardown --dry-run --kvm /nonexistent/kvm --size 16M >"$out" 2>&1; got=$?
[ "$got" != 0 ] && echo "ok - without --skip-without-kvm, no KVM is refused" ||
	{ echo "not ok - without --skip-without-kvm, no KVM is refused"; sed 's/^/#   /' "$out"; }
exit 0
