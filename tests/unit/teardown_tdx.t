#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# unmapbench teardown's TDX sequence on the test double of KVM
# (UB_TEST_FAKE_KVM run=1, harness/teardown/fake.c: no KVM, no guest,
# nothing measured): the order tdx.c enforces, KVM_TDX_INIT_VM retried on
# EAGAIN, the TDX KeyID pool checked before any guest exists, ENOSPC
# explained, every prefault TD row labelled a lower bound, touch refused
# on a TD with its reason, and the diagnostics bundle a failure leaves on
# a host that claims TDX (fixture trees through UB_SYSROOT).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=${UB_HARNESS:-$top/harness/unmapbench}
[ -x "$ub" ] || { echo "not ok - $ub not built (make -C harness)"; exit 1; }
fx=$top/tests/fixtures/harness
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export UB_TEST_FAKE_MEM="avail=64G,node0=32G,node1=32G" UB_PROGRESS=0
unset UB_SYSROOT UB_TEST_GUEST
tdx="vm_types=0x23,prefault=1,attrs=0x8,gmem_flags=0x3,modules=kvm_intel,tdx_param=Y"
amd="vm_types=0x3,prefault=1,attrs=0x8,gmem_flags=0x3,modules=kvm_amd"
n=0

ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; [ -f "${2:-/dev/null}" ] && sed 's/^/#   /' "$2" | tail -n 25; }
# td NAME CAPS ARGS...: a teardown into $tmp/NAME (output in $tmp/NAME.log)
td() {
	local name=$1 caps=$2; shift 2
	UB_TEST_FAKE_KVM=$caps "$ub" teardown --out "$tmp/$name" "$@" > "$tmp/$name.log" 2>&1
}
# dir NAME: the run directory, complete or partial
dir() { [ -d "$tmp/$1" ] && echo "$tmp/$1" || echo "$tmp/.$1.partial"; }

# 1. EAGAIN from KVM_TDX_INIT_VM (TDX_RND_NO_ENTROPY) is retried.
if td eagain "$tdx,run=1,tdx_init_eagain=3" --vm-type tdx --size 16M --vcpus 2; then
	ok "INIT_VM returning EAGAIN 3 times: the run completes"
else notok "INIT_VM returning EAGAIN 3 times: the run completes" "$tmp/eagain.log"; fi
log=$(dir eagain)/log.txt
c=$(grep -c 'fake-kvm: KVM_TDX_INIT_VM -> EAGAIN' "$log" 2>/dev/null)
if [ "$c" = 3 ] && grep -A1 'KVM_TDX_INIT_VM -> EAGAIN (TDX_RND_NO_ENTROPY, injected; 0 more)' "$log" |
   grep -q 'fake-kvm: KVM_TDX_INIT_VM$'; then
	ok "KVM_TDX_INIT_VM is called again after each EAGAIN until it succeeds"
else notok "KVM_TDX_INIT_VM is called again after each EAGAIN ($c EAGAIN lines)" "$log"; fi
grep -q 'KVM_TDX_INIT_VM returned EAGAIN 3 time(s) (TDX_RND_NO_ENTROPY) before it succeeded' \
	"$(dir eagain)/teardown.csv" && ok "the row says how often INIT_VM was retried" ||
	notok "the row says how often INIT_VM was retried" "$(dir eagain)/teardown.csv"

# ... and given up after the bound, as QEMU's 10000 tries, with the reason.
td eagain_forever "$tdx,run=1,tdx_init_eagain=20000" --vm-type tdx --size 16M; rc=$?
if [ $rc = 1 ] && grep -q 'KVM_TDX_INIT_VM 10000 times in a row: the TDX module.s random number generator had no entropy' \
	"$tmp/eagain_forever.log" &&
   [ "$(grep -c 'KVM_TDX_INIT_VM -> EAGAIN' "$(dir eagain_forever)/log.txt")" = 10000 ]; then
	ok "EAGAIN without end: given up after 10000 tries, saying why"
else notok "EAGAIN without end: given up after 10000 tries (exit $rc)" "$tmp/eagain_forever.log"; fi

# 2. The TD sequence in the order tdx.c enforces (the double refuses any
# other with "ORDER:"), per guest.
want="KVM_CREATE_VM type 5|KVM_ENABLE_CAP 121|KVM_TDX_CAPABILITIES|KVM_TDX_INIT_VM|KVM_CREATE_GUEST_MEMFD|KVM_SET_USER_MEMORY_REGION2|KVM_SET_MEMORY_ATTRIBUTES 0x8|KVM_CREATE_VCPU 0|KVM_SET_CPUID2|KVM_TDX_INIT_VCPU|KVM_SET_CPUID2|KVM_CREATE_VCPU 1|KVM_SET_CPUID2|KVM_TDX_INIT_VCPU|KVM_SET_CPUID2|KVM_TDX_FINALIZE_VM|KVM_PRE_FAULT_MEMORY"
got=$(awk -F'fake-kvm: ' 'NF > 1 { s = $2; sub(/ \(.*/, "", s); sub(/ (gpa|size) .*/, "", s)
	if (s ~ /EAGAIN|^open/) next; print s; if (s ~ /PRE_FAULT/) exit }' "$(dir eagain)/log.txt" | paste -sd'|')
if [ "$got" = "$want" ] && ! grep -q 'ORDER:' "$(dir eagain)/log.txt"; then
	ok "TD created in order: split IRQ chip, CAPABILITIES, INIT_VM, memory, vCPUs (CPUID, INIT_VCPU), FINALIZE, then pre-fault"
else echo "not ok - TD created in order"; echo "#   want $want"; echo "#   got  $got"; fi

# 3. Every ok row of a TD populated by prefault says it is a lower bound.
csv=$(dir eagain)/teardown.csv
rows=$(awk -F, 'NR > 1' "$csv" | wc -l)
lb=$(grep -c 'added, never accepted by the guest: lower bound' "$csv")
if [ "$rows" -gt 0 ] && [ "$rows" = "$lb" ]; then
	ok "every TD prefault row is labelled 'added, never accepted by the guest: lower bound' ($lb)"
else notok "every TD prefault row is labelled a lower bound ($lb of $rows)" "$csv"; fi
grep -q 'UB_TEST_FAKE_KVM: no KVM, no guest: nothing was measured' "$csv" &&
	ok "rows from the test double say nothing was measured" ||
	notok "rows from the test double say nothing was measured" "$csv"

# 4. The TDX KeyID pool: more TDs at once than free KeyIDs is refused
# before any guest exists, naming both numbers.
td keyids "$tdx,run=1,tdx_keyids=4,tdx_keyids_used=1" --vm-type tdx --size 16M --vms 4; rc=$?
if [ $rc != 0 ] && grep -q 'refusing: --vms 4: every TD takes one TDX KeyID (HKID), and 3 are free (4 for guests, 1 in use' \
	"$tmp/keyids.log" && ! [ -e "$tmp/keyids" ] && ! [ -e "$tmp/.keyids.partial" ] &&
   ! grep -q 'fake-kvm' "$tmp/keyids.log"; then
	ok "--vms 4 with 3 free TDX KeyIDs is refused before any VM exists"
else notok "--vms 4 with 3 free TDX KeyIDs is refused (exit $rc)" "$tmp/keyids.log"; fi
td keyids_fit "$tdx,tdx_keyids=4,tdx_keyids_used=1" --vm-type tdx --size 16M --vms 3 --dry-run &&
	grep -q 'TDX KeyIDs: 4 for guests, 1 in use' "$tmp/keyids_fit.log" &&
	ok "--vms 3 with 3 free KeyIDs is planned; the dry run shows the pool" ||
	notok "--vms 3 with 3 free KeyIDs is planned" "$tmp/keyids_fit.log"
# Read from the misc cgroup (capacity, current) under a fixture root.
mkdir -p "$tmp/cg/sys/fs/cgroup"
printf 'sev 0\ntdx 31\n' > "$tmp/cg/sys/fs/cgroup/misc.capacity"
printf 'tdx 29\n' > "$tmp/cg/sys/fs/cgroup/misc.current"
UB_SYSROOT=$tmp/cg td cg "$tdx" --vm-type tdx --size 16M --vms 3 --dry-run
grep -q 'and 2 are free (31 for guests, 29 in use; from /sys/fs/cgroup/misc.capacity and misc.current)' "$tmp/cg.log" &&
	ok "KeyIDs from the misc cgroup: 31 - 29 in use leave 2; --vms 3 refused" ||
	notok "KeyIDs from the misc cgroup" "$tmp/cg.log"
# Without a misc cgroup: the kernel log's KeyID range, less the global one.
UB_SYSROOT=$fx/tdx-host td klog "$tdx" --vm-type tdx --size 16M --vms 32 --dry-run
grep -q 'and 31 are free (31 for guests, 0 in use; from the kernel log.s KeyID range \[32, 64)' "$tmp/klog.log" &&
	ok "KeyIDs from the kernel log's range [32, 64): 31 for guests; --vms 32 refused" ||
	notok "KeyIDs from the kernel log's range" "$tmp/klog.log"
mkdir -p "$tmp/empty"
UB_SYSROOT=$tmp/empty td unknown "$tdx" --vm-type tdx --size 16M --vms 64 --dry-run
grep -q 'TDX KeyIDs: not readable here .*KVM_TDX_INIT_VM fails with ENOSPC, reported as such' "$tmp/unknown.log" &&
	ok "KeyIDs unreadable: the dry run says so and what happens past the pool" ||
	notok "KeyIDs unreadable: the dry run says so" "$tmp/unknown.log"

# 5. ENOSPC from INIT_VM is explained.
td enospc "$tdx,run=1,fail=KVM_TDX_INIT_VM:28" --vm-type tdx --size 16M
grep -q 'KVM_TDX_INIT_VM (no free TDX KeyID: every TD holds one HKID until it is destroyed' "$(dir enospc)/teardown.csv" &&
	ok "INIT_VM ENOSPC: the row says no TDX KeyID was free" ||
	notok "INIT_VM ENOSPC: the row says no TDX KeyID was free" "$tmp/enospc.log"

# 6. touch on a TD: refused with the reason, planned on SW_PROTECTED.
td touch_td "$tdx" --vm-type tdx --populate touch --size 16M --dry-run
grep -q 'skipped: --populate touch on a TD needs a TD guest image' "$tmp/touch_td.log" &&
	ok "--populate touch on a TD is skipped with its reason" ||
	notok "--populate touch on a TD is skipped with its reason" "$tmp/touch_td.log"

# 7. A failed TD on a host that claims TDX leaves a diagnostics bundle in
# the run directory and says, in one line, what to send.
UB_SYSROOT=$fx/tdx-host td diag "$tdx,run=1,fail=KVM_TDX_INIT_VCPU:5:0x8000020000000000" \
	--vm-type tdx --size 16M; rc=$?
b=$(dir diag)/tdx-diagnostics
if [ $rc = 1 ] && grep -q '^step: KVM_TDX_INIT_VCPU$' "$b/failure.txt" 2>/dev/null &&
   grep -q '^errno: 5 (Input/output error)$' "$b/failure.txt" &&
   grep -q '^tdx_status (hw_error): 0x8000020000000000$' "$b/failure.txt" &&
   grep -q 'host claims TDX by: cpuinfo flag tdx_host_platform' "$b/failure.txt"; then
	ok "failed TD: diagnostics/failure.txt names the step, errno and TDX status"
else notok "failed TD: diagnostics/failure.txt names the step, errno and TDX status (exit $rc)" "$tmp/diag.log"; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["host"]["kernel_release"]=="7.2.13-tdx"' \
	"$b/info.json" 2>/dev/null && ok "bundle: info.json is unmapbench info --json of the host" ||
	notok "bundle: info.json is unmapbench info --json of the host" "$b/info.json"
grep -q 'virt/tdx: TDX-Module initialized' "$b/kernel-log.txt" 2>/dev/null &&
   grep -q '^tdx=Y$' "$b/kvm_intel-parameters.txt" && grep -q 'CONFIG_INTEL_TDX_HOST=y' "$b/kernel.txt" &&
	ok "bundle: kernel log lines, kvm_intel parameters, kernel config excerpt" ||
	notok "bundle: kernel log lines, kvm_intel parameters, kernel config excerpt" "$b/kernel.txt"
if [ "$(grep -c '^TDX diagnostics: ' "$tmp/diag.log")" = 1 ] &&
   grep -q "send the directory $b " "$tmp/diag.log"; then
	ok "one line says what to send and where it is"
else notok "one line says what to send and where it is" "$tmp/diag.log"; fi
grep -qi 'tdx works\|tdx is working' "$b"/*.txt && notok "the bundle never claims TDX works" ||
	ok "the bundle never claims TDX works"
# A host that does not claim TDX ("virt/tdx: TDX not supported by the host
# platform", no cpuinfo flag, no kvm_intel tdx=Y): no bundle, no line.
UB_SYSROOT=$fx/qemu-guest td nodiag "${tdx/tdx_param=Y/tdx_param=N},run=1,fail=KVM_TDX_INIT_VCPU:5" \
	--vm-type tdx --size 16M
if ! [ -e "$(dir nodiag)/tdx-diagnostics" ] && ! grep -q 'TDX diagnostics' "$tmp/nodiag.log" &&
   grep -q 'KVM_TDX_INIT_VCPU' "$tmp/nodiag.log"; then
	ok "the same failure on a host that claims no TDX writes no bundle"
else notok "the same failure on a host that claims no TDX writes no bundle" "$tmp/nodiag.log"; fi
# --vm-type tdx refused at planning on a host that claims TDX: the bundle
# goes beside where the run directory would have been; a dry run writes none.
UB_SYSROOT=$fx/tdx-host td refused "$amd,modules=kvm_intel,tdx_param=Y" --vm-type tdx --size 16M; rc=$?
if [ $rc != 0 ] && [ -f "$tmp/refused-tdx-diagnostics/failure.txt" ] && ! [ -e "$tmp/refused" ] &&
   grep -q 'teardown --vm-type tdx refused: KVM does not offer VM type 5' "$tmp/refused-tdx-diagnostics/failure.txt"; then
	ok "--vm-type tdx refused on a TDX host: bundle in NAME-tdx-diagnostics, no run directory"
else notok "--vm-type tdx refused on a TDX host: bundle in NAME-tdx-diagnostics (exit $rc)" "$tmp/refused.log"; fi
UB_SYSROOT=$fx/tdx-host td refused_dry "$amd,modules=kvm_intel,tdx_param=Y" --vm-type tdx --size 16M --dry-run
! [ -e "$tmp/refused_dry-tdx-diagnostics" ] && ok "a dry run writes no bundle" || notok "a dry run writes no bundle"
# The collector itself: it refuses to overwrite, and says 2 for no claim.
UB_SYSROOT=$fx/tdx-host "$top/bench/tdx-diagnostics.sh" "$tmp/refused-tdx-diagnostics" "again" 2>"$tmp/again.log"
[ $? = 1 ] && grep -q 'exists already; not overwriting' "$tmp/again.log" &&
	ok "tdx-diagnostics.sh never overwrites a bundle" || notok "tdx-diagnostics.sh never overwrites a bundle" "$tmp/again.log"
UB_SYSROOT=$fx/qemu-guest "$top/bench/tdx-diagnostics.sh" "$tmp/none" "x" 2>/dev/null
[ $? = 2 ] && ! [ -e "$tmp/none" ] && ok "tdx-diagnostics.sh: no claim, exit 2, nothing written" ||
	notok "tdx-diagnostics.sh: no claim, exit 2, nothing written"
exit 0
