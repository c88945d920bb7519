#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-bench`: run a profile inside the testbed guest, copy the run
# directory it produced into results/ and write its report on the host.
# Every figure from here is an emulator figure (QEMU, TCG unless KVM could
# run the guest): meta.json says so and so does the report's first line.
# usage: vm-bench.sh [PROFILE]
# Environment: CODEGEN=0 skips the codegen summary (testbed/codegen.sh
# --into the run directory; cached after its first build, ~5 min cold).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

profile=${1:-default}
out=$(mktemp -d "${TMPDIR:-/tmp}/ub-vm-bench.XXXXXX")
rc=0
"$UB_TESTBED_DIR/run-vm.sh" -t "${UB_VM_TIMEOUT:-3600}" -o "$out" "bench:$profile" || rc=$?
n=0
for d in "$out"/results/* "$out"/results/.*.partial; do
	[ -d "$d" ] || continue
	name=$(basename "$d")
	dest=$UB_TOP/results/$name
	[ -e "$dest" ] && ub_die "$dest exists already; not overwriting (guest output kept in $out)"
	cp -r "$d" "$dest"
	cp "$out/console.log" "$dest/vm-console.log"
	cp "$out/qemu-cmdline" "$dest/vm-qemu-cmdline"
	n=$((n + 1))
	case $name in
	.*.partial) ub_log "partial run (guest status $rc): $dest" ;;
	*)
		ub_log "run directory: $dest"
		if [ "${CODEGEN:-1}" != 0 ]; then
			# The unmap tail's machine code before/after the PFN
			# patch, from the tree the guest kernel was built from.
			"$UB_TESTBED_DIR/codegen.sh" --into "$dest" >&2 ||
				ub_log "warning: make codegen failed (see above): no codegen summary in the report"
		else
			ub_log "note: CODEGEN=0: no codegen summary in the report"
		fi
		if [ -f "$UB_TOP/plot/report.py" ]; then
			python3 "$UB_TOP/plot/report.py" --first-screen "$dest" ||
				ub_log "report failed for $dest"
			[ -f "$dest/report.txt" ] && ub_log "report: $dest/report.txt"
		fi
		;;
	esac
done
[ $n -gt 0 ] || { ub_log "the guest produced no run directory; its output: $out"; exit 1; }
[ $rc = 0 ] || { ub_log "guest job failed with status $rc; its output: $out"; exit "$rc"; }
rm -rf "$out"
