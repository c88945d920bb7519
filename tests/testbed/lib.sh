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
