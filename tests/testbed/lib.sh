# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest-side tests (busybox sh). Each test file prints
# "ok - DESC", "not ok - DESC" or "ok - DESC # SKIP REASON" lines; the
# host-side runner counts them.
UB=/ub
tap_ok()   { echo "ok - $*"; }
tap_fail() { echo "not ok - $*"; }
tap_skip() { _tap_d=$1; shift; echo "ok - $_tap_d # SKIP $*"; }
# tap_check DESC CMD...: ok if CMD exits 0; its output is shown on failure.
# (Variables are prefixed _tap_ so that callers' variables survive.)
tap_check() {
	_tap_d=$1; shift
	if _tap_out=$("$@" 2>&1); then tap_ok "$_tap_d"; else
		tap_fail "$_tap_d"; echo "$_tap_out" | sed 's/^/#   /'; fi
}
# tap_fails DESC CMD...: ok if CMD exits non-zero (an expected refusal).
tap_fails() {
	_tap_d=$1; shift
	if _tap_out=$("$@" 2>&1); then tap_fail "$_tap_d (command succeeded)"
		echo "$_tap_out" | sed 's/^/#   /'; else tap_ok "$_tap_d"; fi
}

# CSV with quoted cells, by column name: in COND, f[c["name"]] is a cell.
UB_CSV_AWK='
function split_csv(s, f,    n, i, ch, q, cur) {
	n = 0; cur = ""; q = 0
	for (i = 1; i <= length(s); i++) {
		ch = substr(s, i, 1)
		if (q) {
			if (ch == "\"" && substr(s, i + 1, 1) == "\"") { cur = cur ch; i++ }
			else if (ch == "\"") q = 0
			else cur = cur ch
		} else if (ch == "\"") q = 1
		else if (ch == ",") { f[++n] = cur; cur = "" }
		else cur = cur ch
	}
	f[++n] = cur
	return n
}
NR == 1 { nh = split_csv($0, h); for (i = 1; i <= nh; i++) c[h[i]] = i; next }
{ delete f; split_csv($0, f) }
'
# csv_rows FILE COND: data rows for which the awk condition holds.
csv_rows() { awk "$UB_CSV_AWK ($2) { n++ } END { print n + 0 }" "$1"; }
# csv_sum FILE COLUMN COND: the sum of COLUMN over rows where COND holds.
csv_sum() { awk "$UB_CSV_AWK ($3) { s += f[c[\"$2\"]] } END { print s + 0 }" "$1"; }
