#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `unmapbench compare A B` hands two run directories to plot/compare.py:
# same host and parameters compare (exit 0), different hosts are refused
# (exit 2, naming the difference) unless --force, bad usage is exit 2.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ub=$top/harness/unmapbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; sed 's/^/#   /' "$tmp/log"; fi; }

for d in a b; do
	(cd "$top/tests/plot" && python3 -c "
import synth, sys
synth.write_rundir(sys.argv[1], seed=$([ $d = a ] && echo 1 || echo 2), rounds=20, kernel='$([ $d = a ] && echo 7.1.0 || echo 7.2.13)')
" "$tmp/$d") >/dev/null
done
(cd "$top/tests/plot" && python3 -c "
import synth, sys
synth.write_rundir(sys.argv[1], seed=3, rounds=20, hostname='another-host')
" "$tmp/c") >/dev/null

"$ub" compare "$tmp/a" "$tmp/b" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 0 ] && grep -q "7.1.0" "$tmp/log" && grep -q "7.2.13" "$tmp/log"; echo $?) \
	"same host and parameters: compared, both kernels named (exit $rc)"
"$ub" compare "$tmp/a" "$tmp/c" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 2 ] && grep -q "another-host" "$tmp/log" && grep -q -- "--force" "$tmp/log"; echo $?) \
	"different hosts: refused, the difference named, --force offered (exit $rc)"
"$ub" compare "$tmp/a" "$tmp/c" --force >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 0 ]; echo $?) "different hosts with --force: compared (exit $rc)"
"$ub" compare "$tmp/a" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 2 ] && grep -q "usage: unmapbench compare" "$tmp/log"; echo $?) \
	"one directory only: usage, exit 2 (exit $rc)"
UB_PLOT_DIR=$tmp/nowhere "$ub" compare "$tmp/a" "$tmp/b" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 2 ] && grep -q "UB_PLOT_DIR" "$tmp/log"; echo $?) \
	"analysis not found: says where it looked, exit 2 (exit $rc)"
"$ub" compare --margin-ns abc "$tmp/a" "$tmp/b" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 2 ] && [ "$(wc -l < "$tmp/log")" = 1 ] && grep -q "margin-ns: 'abc' is not a number" "$tmp/log" &&
	! grep -q "usage:" "$tmp/log"; echo $?) \
	"bad --margin-ns: one line in the suite's words, no Python usage text (exit $rc)"
"$ub" compare --margin 1 "$tmp/a" "$tmp/b" >"$tmp/log" 2>&1
rc=$?
t $([ $rc = 2 ] && grep -q "unknown option --margin (see unmapbench compare --help)" "$tmp/log"; echo $?) \
	"the old relative --margin: unknown option, exit 2 (exit $rc)"
