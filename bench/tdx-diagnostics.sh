#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The first-run kit for TDX hosts: when `make bench` or `unmapbench
# teardown --vm-type tdx` fails on a host that claims TDX, collect what a
# failure report needs into one directory and say, in one line, what to
# send. The host claims TDX when its cpuinfo has the tdx_host_platform
# flag, its kernel log has a "virt/tdx:" line other than "TDX not
# supported by the host platform", or kvm_intel's tdx parameter is Y.
# Nothing here says that TDX works: the bundle is for a failure report.
#
# usage: tdx-diagnostics.sh BUNDLE_DIR "WHAT FAILED" [FILE...]
#   FILEs (the harness's facts: step, errno, TDX status, capabilities)
#   are copied into BUNDLE_DIR/failure.txt.
# Exit: 0 written (the line printed on stderr), 2 the host claims no TDX
# (nothing written), 1 BUNDLE_DIR exists already or cannot be created.
# Environment: UB_SYSROOT (read /proc, /sys, /boot and ROOT/dmesg under
# it: fixture trees for tests), UB_HARNESS (the unmapbench to ask).
sr=${UB_SYSROOT:-}
bundle=$1 what=$2
[ -n "$bundle" ] && [ -n "$what" ] ||
	{ echo "usage: tdx-diagnostics.sh BUNDLE_DIR 'WHAT FAILED' [FILE...]" >&2; exit 1; }
shift 2
ub=${UB_HARNESS:-$(cd "$(dirname "$0")/.." && pwd)/harness/unmapbench}

klog() {
	if [ -n "$sr" ]; then cat "$sr/dmesg" 2>/dev/null
	else dmesg 2>/dev/null; fi
}

claims=
grep -qw tdx_host_platform "$sr/proc/cpuinfo" 2>/dev/null &&
	claims="cpuinfo flag tdx_host_platform"
if klog | grep 'virt/tdx:' | grep -qv 'TDX not supported by the host platform'; then
	claims="${claims:+$claims, }kernel log 'virt/tdx:' lines"
fi
param=$(cat "$sr/sys/module/kvm_intel/parameters/tdx" 2>/dev/null)
case $param in Y|y|1) claims="${claims:+$claims, }kvm_intel tdx=$param" ;; esac
[ -n "$claims" ] || exit 2

if [ -e "$bundle" ]; then
	echo "TDX diagnostics: $bundle exists already; not overwriting it" >&2
	exit 1
fi
mkdir -p "$bundle" || exit 1

{
	echo "# unmapbench TDX failure report (a failure, not a TDX result)"
	echo "what failed: $what"
	echo "when: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host claims TDX by: $claims"
	for f in "$@"; do
		[ -r "$f" ] && { echo; echo "# from the harness"; cat "$f"; }
	done
} > "$bundle/failure.txt"

# The harness's view: host, CPU, TDX status, KVM, and the unmap_bench
# module's probe reasons (backends, tdx_reason) when it is loaded.
if [ -x "$ub" ]; then
	if [ -n "$sr" ]; then
		"$ub" info --json --root "$sr" > "$bundle/info.json" 2>&1
	else
		"$ub" info --json > "$bundle/info.json" 2>&1
		# What KVM offers, KVM_TDX_CAPABILITIES and the TDX KeyIDs.
		"$ub" -q teardown --dry-run --vm-type auto --size 64M \
			> "$bundle/teardown-dry-run.txt" 2>&1
	fi
else
	echo "unmapbench not found at $ub" > "$bundle/info.json.missing"
fi

klog | grep -E 'virt/tdx|kvm_intel|kvm:|tdx|TDX|SEAMCALL|seamcall' > "$bundle/kernel-log.txt"
for f in "$sr"/sys/module/kvm_intel/parameters/*; do
	[ -f "$f" ] && printf '%s=%s\n' "$(basename "$f")" "$(cat "$f" 2>/dev/null)"
done > "$bundle/kvm_intel-parameters.txt"
{
	for f in misc.capacity misc.current; do
		[ -r "$sr/sys/fs/cgroup/$f" ] && { echo "# /sys/fs/cgroup/$f"; cat "$sr/sys/fs/cgroup/$f"; }
	done
} > "$bundle/misc-cgroup.txt"

krel=$(cat "$sr/proc/sys/kernel/osrelease" 2>/dev/null || uname -r)
{
	echo "release: $krel"
	echo "version: $(cat "$sr/proc/sys/kernel/version" 2>/dev/null || uname -v)"
	echo "cmdline: $(cat "$sr/proc/cmdline" 2>/dev/null)"
	grep -m1 '^flags' "$sr/proc/cpuinfo" 2>/dev/null
	grep -m1 '^bugs' "$sr/proc/cpuinfo" 2>/dev/null
	grep -m1 '^microcode' "$sr/proc/cpuinfo" 2>/dev/null
	echo "# config excerpt"
	pat='^(# )?CONFIG_(INTEL_TDX_HOST|KVM|KVM_INTEL|KVM_SW_PROTECTED_VM|X86_X2APIC|X86_MCE|HYPERVISOR_GUEST|CGROUP_MISC|KVM_GENERIC_MEMORY_ATTRIBUTES|TRANSPARENT_HUGEPAGE|HIBERNATION|ACPI_HMAT|MEMORY_HOTPLUG)[= ]'
	if [ -r "$sr/boot/config-$krel" ]; then
		grep -E "$pat" "$sr/boot/config-$krel"
	elif [ -r "$sr/proc/config.gz" ]; then
		zcat "$sr/proc/config.gz" | grep -E "$pat"
	else
		echo "(no /boot/config-$krel, no /proc/config.gz)"
	fi
} > "$bundle/kernel.txt"

echo "TDX diagnostics: this host claims TDX ($claims) but this failed: send the directory $bundle (e.g. tar czf tdx-diagnostics.tar.gz -C $(dirname "$bundle") $(basename "$bundle")) with your failure report; it holds the failing step, unmapbench info, the kernel's TDX/KVM log lines and config" >&2
exit 0
