# SPDX-License-Identifier: GPL-2.0
# TAP helpers for guest-side tests (busybox sh). Each test file prints
# "ok - DESC", "not ok - DESC" or "ok - DESC # SKIP REASON" lines; the
# host-side runner counts them.
UB=/ub
tap_ok()   { echo "ok - $*"; }
tap_fail() { echo "not ok - $*"; }
tap_skip() { d=$1; shift; echo "ok - $d # SKIP $*"; }
# tap_check DESC CMD...: ok if CMD exits 0; its output is shown on failure.
tap_check() {
	d=$1; shift
	if out=$("$@" 2>&1); then tap_ok "$d"; else
		tap_fail "$d"; echo "$out" | sed 's/^/#   /'; fi
}
# tap_fails DESC CMD...: ok if CMD exits non-zero (an expected refusal).
tap_fails() {
	d=$1; shift
	if out=$("$@" 2>&1); then tap_fail "$d (command succeeded)"
		echo "$out" | sed 's/^/#   /'; else tap_ok "$d"; fi
}
