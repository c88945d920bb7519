#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-bench-scale`: guest teardown at scale in the testbed (issue 14):
# boot it with more memory than the 2 GiB default, run the teardown-scale
# profile (single guests up to 8 GiB, 64 guests at once, prefault and
# touch), copy the run directory into results/, write its report and print
# the seconds per trigger, populate mode and size, and the harness's peak
# RSS at the smallest and the largest guest. Recorded, not asserted: every
# figure is an emulator (QEMU) figure.
#
# usage: vm-bench-scale.sh
# Environment: UB_SCALE_MEM (MiB per testbed NUMA node, default 5120: a
# 10 GiB guest machine), UB_SCALE_PROFILE (default teardown-scale),
# UB_VM_TIMEOUT (seconds, default 7200).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mem=${UB_SCALE_MEM:-5120}
profile=${UB_SCALE_PROFILE:-teardown-scale}
case $mem in ''|*[!0-9]*) ub_die "UB_SCALE_MEM must be MiB per node (a number), not '$mem'" ;; esac
# QEMU's RAM is the host's as the guest touches it: two nodes of $mem MiB,
# plus QEMU itself and the page cache it needs meanwhile.
need=$((2 * mem + 1024))
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if [ "${avail:-0}" -lt "$need" ]; then
	ub_die "the testbed needs $need MiB of this host's memory (2 nodes x UB_SCALE_MEM=$mem MiB + 1024 for QEMU); MemAvailable is ${avail:-unknown} MiB. Free memory, or lower UB_SCALE_MEM (the 8G guest of $profile needs >= 5120)"
fi
ub_log "host MemAvailable $avail MiB; booting the testbed with 2 x $mem MiB for profile $profile"
# vm-bench.sh names the run directory on its last line, "results: DIR"
# (under UB_RESULTS_DIR when set).
said=$(mktemp); trap 'rm -f "$said"' EXIT
UB_VM_MEM=$mem UB_VM_TIMEOUT=${UB_VM_TIMEOUT:-7200} "$UB_TESTBED_DIR/vm-bench.sh" "$profile" | tee "$said"
new=$(sed -n 's/^results: //p' "$said" | tail -n1)
[ -n "$new" ] && [ -f "$new/teardown.csv" ] || ub_die "vm-bench.sh named no complete run directory with teardown.csv"
python3 - "$new" <<'PY'
import csv, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(open(d + "/teardown.csv")) if r["vm"] == "all"]
ok = [r for r in rows if r["status"].startswith("ok")]
print(f"\n{d}: teardown at scale (QEMU/TCG testbed: emulator times, not hardware, not TDX)")
print(f"{'vms':>4} {'size':>6} {'populate':>8} {'trigger':>8} {'mappings':>10} "
      f"{'touched':>10} {'ran':>3} {'populate_s':>10} {'teardown_s':>10} {'rss_kb':>7}")
for r in rows:
    gib = int(r["size_bytes"]) / 2**30
    size = f"{gib:.0f}G" if gib >= 1 else f"{int(r['size_bytes']) >> 20}M"
    print(f"{r['vms']:>4} {size:>6} {r['populate']:>8} {r['trigger']:>8} "
          f"{r['mappings_populated']:>10} {r['touched_pages'] or '-':>10} "
          f"{r['guest_ran']:>3} {r['populate_s'] or '-':>10} "
          f"{r['teardown_s'] or '-':>10} {r['peak_rss_kb']:>7}"
          + ("" if r["status"].startswith("ok") else "  " + r["status"][:60]))
single = [r for r in ok if r["vms"] == "1"]
if single:
    lo = min(single, key=lambda r: int(r["size_bytes"]))
    hi = max(single, key=lambda r: int(r["size_bytes"]))
    print(f"harness peak RSS: {lo['peak_rss_kb']} KiB after the smallest guest "
          f"({int(lo['size_bytes']) >> 20} MiB), {hi['peak_rss_kb']} KiB after "
          f"the largest ({int(hi['size_bytes']) >> 20} MiB)")
bad = [r for r in rows if not r["status"].startswith("ok")]
print(f"{len(ok)} of {len(rows)} runs ok" + (f"; not ok: {len(bad)}" if bad else ""))
PY
