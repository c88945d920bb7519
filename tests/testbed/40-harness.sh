# SPDX-License-Identifier: GPL-2.0
# The harness against the real module in the guest: `micro` and
# `run quick` produce complete run directories with the documented
# columns and consistent row counts. (JSON/CSV parsing proper is checked
# on the host by tests/unit/harness_cli.t on the same writer code; here
# busybox only has grep/awk.) Copies of the run directories land in
# /out/harness/ for inspection on the host.
. /ub/tests/lib.sh

U=$UB/unmapbench
set -f	# variant globs in $args are for the harness, not the shell
# The documented columns, from the harness's one schema definition.
RUNS_H=$($U schema --header runs.csv)
MICRO_H=$($U schema --header micro.csv)
SAMPLES_H=$($U schema --header samples.csv)
HIST_H=$($U schema --header hist.csv)
COUNTERS_H=$($U schema --header counters.csv)

loaded=0
if ! grep -q '^unmap_bench ' /proc/modules; then
	tap_check "insmod unmap_bench.ko" insmod $UB/unmap_bench.ko && loaded=1
fi

# check_dir DIR NAME EXPECTED_RUNS (variables hd/hn: lib.sh uses d)
check_dir() {
	hd=$1 hn=$2 want=$3
	st=$(cat "$hd/status" 2>/dev/null)
	if [ "$st" = complete ]; then tap_ok "$hn: status complete"
	else tap_fail "$hn: status complete (got '$st')"; return; fi
	for f in meta.json runs.csv params.csv micro.csv samples.csv hist.csv counters.csv log.txt; do
		[ -s "$hd/$f" ] || tap_fail "$hn: $f exists and is not empty"
	done
	tap_check "$hn: meta.json schema 2, status complete" \
		sh -c "grep -q '\"schema_version\": 2' $hd/meta.json && grep -q '\"status\": \"complete\"' $hd/meta.json"
	tap_check "$hn: meta.json marks emulation" grep -qE '"emulation": "qemu-(tcg|kvm)"' "$hd/meta.json"
	tap_check "$hn: meta.json carries the module's backend and reason" \
		sh -c "grep -q '\"auto_backend\":' $hd/meta.json && grep -q '\"auto_reason\":' $hd/meta.json"
	for pair in "runs.csv:$RUNS_H" "micro.csv:$MICRO_H" "samples.csv:$SAMPLES_H" \
		    "hist.csv:$HIST_H" "counters.csv:$COUNTERS_H"; do
		f=${pair%%:*} h=${pair#*:}
		if [ "$(head -n1 "$hd/$f")" = "$h" ]; then tap_ok "$hn: $f columns"
		else tap_fail "$hn: $f columns"; head -n1 "$hd/$f" | sed 's/^/#   /'; fi
	done
	got=$(($(wc -l < "$hd/runs.csv") - 1))
	if [ "$got" = "$want" ]; then tap_ok "$hn: $want rows in runs.csv"
	else tap_fail "$hn: $want rows in runs.csv (got $got)"; fi
	# micro.csv: threads x variants rows per run (variants from params.csv).
	bad=$(awk -F, 'FNR == 1 { next }
		FILENAME ~ /params/ { nv[$1] = split($5, a, ";"); next }
		FILENAME ~ /micro/ { rows[$1]++; if (!seen[$1 "," $7]++) thr[$1]++; next }
		END { for (r in nv) if (rows[r] != thr[r] * nv[r]) print r, rows[r], thr[r], nv[r] }' \
		"$hd/params.csv" "$hd/micro.csv")
	if [ -z "$bad" ]; then tap_ok "$hn: micro.csv has threads x variants rows per run"
	else tap_fail "$hn: micro.csv rows per run"; echo "$bad" | sed 's/^/#   /'; fi
	# samples.csv: every (run, thread, variant) has the same rounds 0..k-1.
	bad=$(awk -F, 'FNR == 1 { next } { k = $1 "," $2 "," $4; c[k]++; if ($3 + 1 > m[k]) m[k] = $3 + 1 }
		END { for (k in c) if (c[k] != m[k]) print k, c[k], m[k] }' "$hd/samples.csv")
	if [ -z "$bad" ] && [ "$(wc -l < "$hd/samples.csv")" -gt 1 ]; then
		tap_ok "$hn: samples.csv has one row per round per thread and variant"
	else tap_fail "$hn: samples.csv rounds"; echo "$bad" | head | sed 's/^/#   /'; fi
	bad=$(awk -F, 'FNR > 1 && $4 == "unavailable" && $5 == "" { print }' "$hd/counters.csv")
	if [ -z "$bad" ]; then tap_ok "$hn: unavailable counters carry a reason"
	else tap_fail "$hn: unavailable counters carry a reason"; fi
	mkdir -p /out/harness && cp -r "$hd" /out/harness/
}

m=/tmp/h40-micro
args="--size 1M --granule 4k --threads 1,2 --rounds 3 --variants unmap.*,ground.* --placement local,remote"
want=$($U micro --dry-run $args 2>/dev/null | grep -c '^run ')
if $U -q micro $args --out $m > /tmp/h40.out 2>&1; then tap_ok "micro sweep runs against the module"
else tap_fail "micro sweep runs against the module"; sed 's/^/#   /' /tmp/h40.out; fi
check_dir $m micro "$want"
if grep -q ',remote,' $m/runs.csv 2>/dev/null && grep -q ',local,' $m/runs.csv; then
	tap_ok "micro: local and remote placements on the 2-node guest"
else tap_fail "micro: local and remote placements on the 2-node guest"; fi

q=/tmp/h40-quick
want=$($U run --dry-run quick 2>/dev/null | grep -c '^run ')
if $U -q run quick --out $q > /tmp/h40.out 2>&1; then tap_ok "run quick"
else tap_fail "run quick"; sed 's/^/#   /' /tmp/h40.out; fi
check_dir $q quick "$want"

tap_fails "an existing run directory is refused" $U -q micro --size 1M --rounds 1 --out $q
tap_check "...and left complete" grep -qx complete $q/status

if [ $loaded = 1 ]; then tap_check "rmmod unmap_bench" rmmod unmap_bench; fi
