#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: build the module for the running kernel, load it if needed
# (and unload what was loaded), run a profile (default: "default"), then
# the analysis, and print where the report is.
#
# usage: bench/bench.sh [PROFILE]
# Environment: KDIR (kernel build tree, default /lib/modules/$(uname -r)/build),
# KSRC (a full kernel source tree: adds codegen.json, see testbed/codegen.sh),
# UB_OUT (run directory, default results/<UTC>-<host>-<kernel release>),
# RUNS (runs of every configuration, the profile's repeat; default: the
# profile's own, 3 for default),
# UB_SYSROOT (prefix for /proc, /sys, /boot and /etc in the preflight
# checks, so tests can point them at fixture trees; default none).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-default}
krel=$(uname -r)
kdir=${KDIR:-/lib/modules/$krel/build}
sr=${UB_SYSROOT:-}
ko=$top/kmod/unmap_bench.ko
ub=$top/harness/unmapbench

die() { printf 'make bench: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'make bench: %s\n' "$*" >&2; }
# A failure from here on, on a host that claims TDX, leaves a diagnostics
# bundle for the report (bench/tdx-diagnostics.sh decides and says what to
# send): RUNDIR/tdx-diagnostics, or NAME-tdx-diagnostics before a run
# directory exists.
tdx_bundle() {
	[ -e "$1" ] && return 0	# the harness wrote one already
	UB_SYSROOT=$sr UB_HARNESS=$ub "$top/bench/tdx-diagnostics.sh" "$1" "make bench: $2" || true
}

# 1. Can this kernel load modules at all?
if [ ! -e "$sr/proc/modules" ]; then
	die "this kernel ($krel) was built without module support (no /proc/modules), so unmap_bench.ko can never be loaded on this machine.
  Run the suite in the QEMU testbed instead:  make vm-bench
  (it boots a Linux 7.2 kernel under QEMU, loads the module there and copies
  the run directory into results/, marked as emulated)"
fi

# 2. Root: loading a module and the module's debugfs file need it.
[ "$(id -u)" = 0 ] || die "needs root to load unmap_bench.ko and open its debugfs file: run  sudo make bench"

# 3. A build tree for the running kernel.
if [ ! -e "$kdir/Makefile" ]; then
	pkg="the kernel headers/build tree for $krel"
	if [ -r "$sr/etc/os-release" ]; then
		. "$sr/etc/os-release"
		case " ${ID:-} ${ID_LIKE:-} " in
		*" debian "*|*" ubuntu "*) pkg="apt-get install linux-headers-$krel" ;;
		*" fedora "*|*" rhel "*|*" centos "*) pkg="dnf install kernel-devel-$krel" ;;
		esac
	fi
	die "no build tree for the running kernel at $kdir.
  Install it:  Debian/Ubuntu: apt-get install linux-headers-$krel
               Fedora:        dnf install kernel-devel-$krel
  (here: $pkg), or point KDIR= at a configured tree of $krel."
fi

# 4. Build the harness and the module.
say "building the harness and the module for $krel"
make -s -C "$top/harness" || die "building the harness failed"
make -s -C "$top" kmod KDIR="$kdir" || die "building the module against $kdir failed"
[ -f "$ko" ] || die "the module build left no $ko"

# 5. Signature enforcement / lockdown.
config_has() {
	{ [ -r "$sr/boot/config-$krel" ] && cat "$sr/boot/config-$krel"; } 2>/dev/null | grep -qx "$1" && return 0
	{ [ -r "$sr/proc/config.gz" ] && zcat "$sr/proc/config.gz"; } 2>/dev/null | grep -qx "$1"
}
sig_enforced=no
if [ "$(cat "$sr/sys/module/module/parameters/sig_enforce" 2>/dev/null)" = Y ] ||
   config_has CONFIG_MODULE_SIG_FORCE=y; then
	sig_enforced=yes
fi
lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$sr/sys/kernel/security/lockdown" 2>/dev/null || true)
signer=$(modinfo -F signer "$ko" 2>/dev/null || true)
if { [ "$sig_enforced" = yes ] || { [ -n "$lockdown" ] && [ "$lockdown" != none ]; }; } &&
   [ -z "$signer" ]; then
	die "this kernel only loads signed modules (sig_enforce=$sig_enforced, lockdown=${lockdown:-none}; usually Secure Boot) and $ko is unsigned.
  Either sign it with a key the kernel trusts, e.g. your distribution's MOK:
    $kdir/scripts/sign-file sha256 MOK.priv MOK.der $ko
    (create the key with openssl, enroll it once with  mokutil --import MOK.der
    and reboot to confirm), then run  make bench  again;
  or disable Secure Boot in the firmware setup."
fi

# 6. Load the module unless it is there already; unload only what we loaded.
loaded_here=0
cleanup() {
	if [ "$loaded_here" = 1 ]; then
		rmmod unmap_bench 2>/dev/null && say "unloaded unmap_bench" ||
			say "warning: could not unload unmap_bench (rmmod unmap_bench)"
	fi
}
trap cleanup EXIT
if ! grep -q '^unmap_bench ' /proc/modules; then
	if ! err=$(insmod "$ko" 2>&1); then
		tdx_bundle "${UB_OUT:-$top/results/$(date -u +%Y%m%dT%H%M%SZ)-insmod}-tdx-diagnostics" \
			"insmod $ko: $err"
		die "insmod $ko failed: $err (see dmesg | tail)"
	fi
	loaded_here=1
	say "loaded $ko"
else
	say "unmap_bench is already loaded; using it (and leaving it loaded)"
fi
if [ ! -e /sys/kernel/debug/unmap_bench ]; then
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug ||
		die "debugfs is not mounted and mounting it failed: mount -t debugfs none /sys/kernel/debug"
fi

# 7. Run the profile. The harness names the run directory (under
# UB_RESULTS_DIR, default the tree's results/; unique even for two runs in
# one second) unless UB_OUT names it; stdout is then only its path.
say "running profile '$profile'${UB_OUT:+ into $UB_OUT}"
rc=0
out=$("$ub" run --no-report ${RUNS:+--repeat "$RUNS"} ${UB_OUT:+--out "$UB_OUT"} "$profile") || rc=$?
if [ $rc != 0 ]; then
	# The harness writes tdx-diagnostics/ into its partial directory when a
	# TDX step fails; this collects the host's side for any other failure.
	tdx_bundle "${UB_OUT:-${UB_RESULTS_DIR:-$top/results}/$(date -u +%Y%m%dT%H%M%SZ)-run}-tdx-diagnostics" \
		"unmapbench run $profile: status $rc"
	die "unmapbench run $profile failed (status $rc): its message above names the partial results and why"
fi
[ -d "$out" ] || die "unmapbench run $profile printed '$out', not a run directory"

# 8. Say which backend the figures come from.
python3 - "$out/meta.json" <<'PY' || true
import json, sys
m = json.load(open(sys.argv[1]))
used = m.get("measurement", {}).get("backends_used", [])
mod = m.get("module", {})
emu = m.get("environment", {}).get("emulation", "none")
if "tdx" not in used:
    print("make bench: note: no TDX on this host: figures were measured on the "
          f"'{','.join(used) or '?'}' backend, not TDX ({mod.get('tdx_reason', '?')}); "
          "the report's first line says so", file=sys.stderr)
if emu != "none":
    print(f"make bench: note: running under emulation/virtualisation ({emu})",
          file=sys.stderr)
PY

# 8b. The unmap tail's machine code before and after the PFN patch (make
# codegen), into the run directory, when a kernel source tree is given.
if [ -n "${KSRC:-}" ]; then
	"$top/testbed/codegen.sh" --into "$out" "$KSRC" >&2 ||
		say "warning: codegen on KSRC=$KSRC failed (see above): no codegen summary"
else
	say "note: no codegen summary: add KSRC=<kernel source tree> (configured like the running kernel) for the unmap tail's machine code before/after the patch"
fi

# 9. Analysis and plots.
if [ -f "$top/plot/report.py" ]; then
	python3 "$top/plot/report.py" --first-screen "$out" || die "analysis failed: python3 plot/report.py $out"
	echo "report: $out/report.txt"
else
	say "plot/report.py not found: no report; raw results only"
fi
echo "results: $out"
