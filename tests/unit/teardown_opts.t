#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# unmapbench teardown: option parsing and its errors (host, no KVM needed:
# fake capabilities via UB_TEST_FAKE_KVM and --dry-run).
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=${UB_HARNESS:-$top/harness/unmapbench}
[ -x "$ub" ] || { echo "not ok - $ub not built (make -C harness)"; exit 1; }
export UB_TEST_FAKE_KVM="vm_types=0x3,prefault=1,gmem_flags=0x3,attrs=0x8,modules=kvm_amd"
export UB_TEST_FAKE_MEM="avail=64G,node0=32G,node1=32G"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# expect RC DESC PATTERN ARGS...: exit status RC and PATTERN in the output
expect() {
	rc=$1 desc=$2 pat=$3; shift 3
	"$ub" teardown "$@" >"$out" 2>&1; got=$?
	if [ "$got" = "$rc" ] && grep -q -- "$pat" "$out"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc (exit $got, wanted $rc and /$pat/)"
		sed 's/^/#   /' "$out"
	fi
}

expect 0 "--help prints the usage" "--vm-type tdx|sw-protected|default|auto" --help
expect 2 "bad --size names the token" "'12x'" --size 64M,12x --dry-run
expect 2 "--size not a multiple of 4K is refused" "multiple of 4K" --size 5000 --dry-run
expect 2 "bad --trigger names the token" "'explode'" --trigger destroy,explode --dry-run
expect 2 "bad --vm-type names the token" "'sev'" --vm-type sev --dry-run
expect 2 "bad --populate names the token" "'swap'" --populate swap --dry-run
expect 2 "bad --page-size names the token" "'1g'" --page-size 1g --dry-run
expect 2 "bad --node names the token" "'x'" --node 0,x --dry-run
expect 2 "--vms 0 is refused" "--vms" --vms 0 --dry-run
expect 2 "--repeat 0 is refused" "--repeat" --repeat 0 --dry-run
expect 2 "unknown option is refused" "unknown option --frobnicate (see unmapbench teardown --help)" --frobnicate --dry-run
expect 2 "missing value is refused" "missing value" --size
expect 2 "stray argument is refused" "unexpected argument 'extra'" --dry-run extra
expect 2 "--page-size 2m needs 2M multiples" "multiple of 2M" --page-size 2m --size 3M --dry-run
expect 0 "--trigger all expands to three triggers" "3 runs," --trigger all --size 64M --dry-run
expect 0 "lists multiply into runs (2 sizes x 2 vms x 3 triggers x 2 repeats)" \
	"24 runs," --size 64M,128M --vms 1,4 --trigger all --repeat 2 --dry-run
expect 0 "ranges work for --vms" "vms=64 " --vms 1-64*4 --size 16M --dry-run
expect 0 "--node any and numbers are accepted" "node=1 " --node any,1 --size 16M --dry-run
expect 0 "dry run estimates the time" "estimated" --size 16M --dry-run
expect 1 "fake capabilities never create guests" "only --dry-run" --size 16M --out "$out.d"
exit 0
