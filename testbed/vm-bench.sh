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
case ${RUNS:-} in
''|[1-9]|[1-9][0-9]|[1-9][0-9][0-9]) ;;
*) ub_die "RUNS=$RUNS: a number of runs per configuration, 1-999" ;;
esac
case $profile in *[!A-Za-z0-9._-]*) ub_die "PROFILE=$profile: a profile name (letters, digits, . _ -)" ;; esac
results=${UB_RESULTS_DIR:-$UB_TOP/results}
mkdir -p "$results"
out=$(mktemp -d "${TMPDIR:-/tmp}/ub-vm-bench.XXXXXX")
rc=0
"$UB_TESTBED_DIR/run-vm.sh" -t "${UB_VM_TIMEOUT:-3600}" -o "$out" "bench:$profile${RUNS:+,$RUNS}" || rc=$?
n=0 last=
for d in "$out"/results/* "$out"/results/.*.partial; do
	[ -d "$d" ] || continue
	name=$(basename "$d")
	# The harness's naming rule: a name that is taken gets -2, -3, ...
	base=$results/$name dest=$base k=2
	case $name in .*.partial) base=$results/${name%.partial} ;; esac
	while [ -e "$dest" ]; do
		case $name in
		.*.partial) dest=$base-$k.partial ;;
		*) dest=$base-$k ;;
		esac
		k=$((k + 1))
	done
	# Staged under a hidden name: nothing half-copied looks like a run.
	stage=$results/.$(basename "$dest").copying
	rm -rf "$stage"
	cp -r "$d" "$stage"
	cp "$out/console.log" "$stage/vm-console.log"
	cp "$out/qemu-cmdline" "$stage/vm-qemu-cmdline"
	mv "$stage" "$dest"
	n=$((n + 1))
	case $name in
	.*.partial) ub_log "partial run (guest status $rc): $dest" ;;
	*)
		last=$dest
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
			[ -f "$dest/report.txt" ] && echo "report: $dest/report.txt"
		fi
		;;
	esac
done
[ $n -gt 0 ] || { ub_log "the guest produced no run directory; its output: $out"; exit 1; }
[ $rc = 0 ] || { ub_log "guest job failed with status $rc; its output: $out"; exit "$rc"; }
rm -rf "$out"
[ -z "${last:-}" ] || echo "results: $last"
