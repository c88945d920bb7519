#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# unmapbench teardown: --vm-type auto and explicit requests against fake
# KVM capability answers (UB_TEST_FAKE_KVM), and how a run is resolved
# (skips with reasons, the pre-fault fallback).
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=${UB_HARNESS:-$top/harness/unmapbench}
[ -x "$ub" ] || { echo "not ok - $ub not built (make -C harness)"; exit 1; }
export UB_TEST_FAKE_MEM="avail=64G,node0=32G,node1=32G"
out=$(mktemp); trap 'rm -f "$out"' EXIT

# expect RC DESC CAPS PATTERN ARGS...
expect() {
	rc=$1 desc=$2 caps=$3 pat=$4; shift 4
	UB_TEST_FAKE_KVM=$caps "$ub" teardown --dry-run --size 64M "$@" >"$out" 2>&1
	got=$?
	if [ "$got" = "$rc" ] && grep -q -- "$pat" "$out"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc (exit $got, wanted $rc and /$pat/)"
		sed 's/^/#   /' "$out"
	fi
}
all="vm_types=0x23,prefault=1,attrs=0x8,gmem_flags=0x3,modules=kvm_intel,tdx_param=Y"
swp="vm_types=0x3,prefault=1,attrs=0x8,gmem_flags=0x3,modules=kvm_amd"
dfl="vm_types=0x1,prefault=1,gmem_flags=0x3,modules=kvm_amd"
pvm="vm_types=0x1,prefault=0,gmem_flags=0x3,modules=kvm_pvm"

expect 0 "auto picks TDX when KVM offers type 5" "$all" "vm_type=tdx "
expect 0 "auto says why it picked TDX" "$all" "auto: KVM offers TDX"
expect 0 "auto picks SW_PROTECTED without TDX" "$swp" "vm_type=sw-protected "
expect 0 "auto names the missing TDX piece" "$swp" "no TDX (kvm_intel is not loaded"
expect 0 "auto falls back to DEFAULT" "$dfl" "vm_type=default "
expect 0 "auto explains the DEFAULT fallback" "$dfl" "no SW_PROTECTED (KVM_CAP_VM_TYPES=0x1)"
expect 1 "tdx on an AMD host fails naming VM type 5" "$swp" \
	"KVM does not offer VM type 5 (KVM_X86_TDX_VM" --vm-type tdx
expect 1 "tdx on an AMD host says kvm_intel is not loaded" "$swp" \
	"kvm_intel is not loaded (KVM modules here: kvm_amd)" --vm-type tdx
expect 1 "tdx with kvm_intel tdx=N says to reload with tdx=1" \
	"vm_types=0x3,modules=kvm_intel,tdx_param=N" "loaded with tdx=N: reload it with tdx=1" --vm-type tdx
expect 1 "tdx=N: reloading kvm_intel cannot repair a failed boot-time TDX initialization" \
	"vm_types=0x3,modules=kvm_intel,tdx_param=N" \
	"the kernel initializes the TDX module at boot; reloading kvm_intel cannot repair" --vm-type tdx
expect 1 "no kvm_intel: says the kernel initializes TDX at boot, kvm_intel tdx=1 offers TDs" "$swp" \
	"whose kernel initialized the TDX module at boot ('virt/tdx: TDX-Module initialized'" --vm-type tdx
expect 1 "tdx without the kvm_intel tdx parameter names the kernel config" \
	"vm_types=0x3,modules=kvm_intel" "no 'tdx' parameter" --vm-type tdx
expect 0 "tdx is used when offered" "$all" "vm_type=tdx " --vm-type tdx
expect 1 "sw-protected refused when not offered" "$dfl" \
	"KVM does not offer VM type 1 (KVM_X86_SW_PROTECTED_VM" --vm-type sw-protected
expect 1 "no /dev/kvm is reported" "kvm=0" "no KVM: cannot open /dev/kvm" --vm-type default
expect 0 "default can be requested explicitly" "$swp" "vm_type=default " --vm-type default
expect 0 "convert on DEFAULT is skipped with the reason" "$swp" \
	"skipped: trigger convert needs private memory" --vm-type default --trigger convert
expect 0 "2m on private memory is skipped (guest_memfd is 4K only)" "$swp" \
	"skipped: --page-size 2m: private memory lives in guest_memfd" --vm-type sw-protected --page-size 2m
expect 0 "2m on DEFAULT uses anonymous THP memory" "$swp" \
	"page_size=2m node=any repeat=1 backing=anonymous" --vm-type default --page-size 2m
expect 0 "private memory is in a guest_memfd" "$swp" "backing=guest_memfd(private)" --vm-type sw-protected
# planned CAPS DESC ARGS...: a dry run of one run that is not skipped
planned() {
	caps=$1 desc=$2; shift 2
	UB_TEST_FAKE_KVM=$caps "$ub" teardown --dry-run --size 64M "$@" >"$out" 2>&1
	if [ $? = 0 ] && grep -q "1 run," "$out" && ! grep -q "skipped:" "$out"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"; sed 's/^/#   /' "$out"
	fi
}
planned "$swp" "touch on SW_PROTECTED is planned (the guest writes its private memory)" \
	--vm-type sw-protected --populate touch
expect 0 "touch on a TD is skipped: it needs a TD guest image" "$all" \
	"skipped: --populate touch on a TD needs a TD guest image" --vm-type tdx --populate touch
planned "$swp" "touch on a DEFAULT VM is planned" --vm-type default --populate touch
expect 0 "without KVM_PRE_FAULT_MEMORY the run says it will not map" "$pvm" \
	"will populate without mappings and say so" --vm-type default
expect 0 "PRIVATE attribute missing is a skip reason" "vm_types=0x3,prefault=1,attrs=0" \
	"offers no PRIVATE memory attribute" --vm-type sw-protected
expect 1 "--vcpus above KVM_CAP_MAX_VCPUS is refused" "$swp,max_vcpus=8" \
	"KVM_CAP_MAX_VCPUS=8" --vcpus 16
exit 0
