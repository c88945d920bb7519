#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-layout`: do the page-vs-pfn verdicts survive the build?
# Builds the module's portable code (the null backend's variant table with
# its layout replicas and A/A twins) three ways, -O2, -Os and -O2 with
# 64-byte function alignment, links a harness against each, and runs the
# same native sweep with each (unmapbench micro --where native): every
# path at 4K, page vs pfn with their A/A twins, RUNS runs each. Then
# the analysis of each run directory, and one table of the three builds'
# verdicts. Recorded, not asserted: native userspace figures of the null
# backend (API shapes only), not kernel and not TDX figures.
#
# usage: bench/layout.sh      (RUNS=5 ROUNDS=64 PAGES=4096 by default)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5} rounds=${ROUNDS:-64} pages=${PAGES:-4096}
builds=("O2:-O2" "Os:-Os" "O2-align64:-O2 -falign-functions=64")
work=$(mktemp -d "${TMPDIR:-/tmp}/ub-layout.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { printf 'bench-layout: %s\n' "$*" >&2; }

make -s -C "$top/harness" unmapbench >&2
objs=$(cd "$top/harness" && ls ./*.o record/*.o module/*.o teardown/*.o)
dirs=()
for b in "${builds[@]}"; do
	tag=${b%%:*} opt=${b#*:}
	say "building the native core with $opt"
	make -s -C "$top/kmod" USER_OPT="$opt" USER_DIR=".userlib-$tag" \
		".userlib-$tag/libubcore.a" >&2
	(cd "$top/harness" && cc -o "$work/unmapbench-$tag" $objs \
		"../kmod/.userlib-$tag/libubcore.a" -lnuma -lpthread -lm)
	say "running the native sweep ($tag)"
	out=$(UB_RESULTS_DIR=${UB_RESULTS_DIR:-$top/results} \
		"$work/unmapbench-$tag" -q micro --no-report --where native --granule 4k \
		--variants '*.4k*' --pages "$pages" \
		--rounds "$rounds" --repeat "$runs" --label "$tag" \
		--no-counters)
	dirs+=("$out")
	# the page-vs-pfn instructions of this build, counted in its binary
	python3 "$top/plot/codegen.py" native "$work/unmapbench-$tag" > "$out/native-codegen.txt" ||
		say "counting $tag's instructions failed"
	python3 "$top/plot/report.py" --no-plots "$out" >/dev/null ||
		say "analysis of $out failed"
done
say "builds: O2 = -O2, Os = -Os, O2-align64 = -O2 -falign-functions=64"
python3 "$top/plot/layout.py" "${dirs[@]}"
