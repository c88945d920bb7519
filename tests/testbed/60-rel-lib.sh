# SPDX-License-Identifier: GPL-2.0
# Helpers for the reliability tests (60-rel-*.sh, issue 8), sourced by
# them. Run on its own (the guest job runs every NN-*.sh), it only checks
# that the helpers load.
. /ub/tests/lib.sh

REL_KML=/sys/kernel/debug/kmemleak
REL_T0=$(date +%s)
REL_CTL=/sys/kernel/debug/unmap_bench/ctl
T=/ub/tests

# The value of WORD=... on the kernel command line (empty if absent).
rel_cmdline() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return ;; esac
	done
}

# Free memory in KiB: MemFree, plus the pages parked on the per-CPU page
# lists (/proc/zoneinfo "count:"), which MemFree leaves out and which grow
# and shrink with unrelated activity, plus Slab: slab objects are
# kmemleak's to account for, and KASAN's quarantine holds freed objects in
# Slab for a while (tens of MiB in the debug flavour). What this catches
# is pages (alloc_pages, guest memory) that never come back.
rel_memfree_kb() {
	pcp=$(awk '$1 == "count:" { s += $2 } END { print s + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ { f = $2 } /^Slab:/ { s = $2 }
		END { print f + s + pcp * 4 }' /proc/meminfo
}

# Drop clean caches before measuring free memory, so
# MemFree compares like with like.
rel_settle() {
	sync
	[ -w /proc/sys/vm/drop_caches ] && echo 3 > /proc/sys/vm/drop_caches
	sleep "${1:-1}"
}

rel_loaded() { grep -q '^unmap_bench ' /proc/modules; }

rel_insmod() {
	rel_loaded && return 0
	insmod $UB/unmap_bench.ko
}

# Is kmemleak there and on?
rel_kmemleak_on() {
	[ -e $REL_KML ] && echo clear > $REL_KML 2>/dev/null
}

# Forget everything allocated so far: only what the test leaks is reported.
rel_kmemleak_begin() {
	rel_kmemleak_on || return 0
	echo clear > $REL_KML
}

# rel_kmemleak_check DESC: ok when a scan reports nothing. Objects must be
# 5 s old before kmemleak reports them, hence the pause; two scans, as the
# kmemleak documentation advises, against transient false positives.
rel_kmemleak_check() {
	if [ ! -e $REL_KML ]; then
		tap_skip "$1" "no kmemleak in this kernel (debug flavour only)"
		return
	fi
	sleep 6
	if ! echo scan > $REL_KML 2>/dev/null; then
		tap_fail "$1 (kmemleak refuses to scan: disabled?)"
		dmesg | grep -i kmemleak | tail -5 | sed 's/^/#   /'
		return
	fi
	sleep 2
	echo scan > $REL_KML
	leaks=$(cat $REL_KML 2>&1)
	if [ -z "$leaks" ]; then
		tap_ok "$1"
	else
		tap_fail "$1 ($(echo "$leaks" | grep -c '^unreferenced object') unreferenced objects)"
		echo "$leaks" | head -60 | sed 's/^/#   /'
		REL_LEAKS=$(( ${REL_LEAKS:-0} + $(echo "$leaks" | grep -c '^unreferenced object') ))
	fi
}

# rel_memfree_check DESC BEFORE_KB SLACK_KB
rel_memfree_check() {
	rel_settle 2
	after=$(rel_memfree_kb)
	lost=$(( $2 - after ))
	if [ "$lost" -le "$3" ]; then
		tap_ok "$1 (free memory back within ${3} KiB: $2 -> $after KiB)"
	else
		tap_fail "$1 (free memory $2 -> $after KiB: $lost KiB missing, slack ${3} KiB)"
		grep -E 'MemFree|Slab|SUnreclaim|KernelStack|PageTables|VmallocUsed|Percpu' /proc/meminfo | sed 's/^/#   /'
	fi
}

# rel_rmmod DESC: the module unloads and leaves nothing behind.
rel_rmmod() {
	if ! rel_loaded; then tap_ok "$1 (not loaded)"; return; fi
	if out=$(rmmod unmap_bench 2>&1) && ! rel_loaded &&
	   [ ! -e /sys/kernel/debug/unmap_bench ]; then
		tap_ok "$1"
	else
		tap_fail "$1"
		echo "$out" | sed 's/^/#   /'
		grep '^unmap_bench ' /proc/modules | sed 's/^/#   /'
	fi
}

# Kernel threads of the module ("unmap_bench/N") still alive.
rel_threads_left() { rel_count_comm 'unmap_bench*'; }

# rel_count_comm PATTERN: processes whose comm matches the shell PATTERN
# (the shell's own read, no process per entry: this runs in tight loops).
rel_count_comm() {
	n=0
	for c in /proc/[0-9]*/comm; do
		read -r comm < "$c" 2>/dev/null || continue
		case "$comm" in $1) n=$((n + 1)) ;; esac
	done
	echo $n
}

# rel_report KEY=VALUE...: a line the host collects into the closing counts.
rel_report() { echo "# REL-COUNT $*"; }

# rel_done: how long the test file took (a note, never a check).
rel_done() { echo "# ${0##*/} took $(( $(date +%s) - REL_T0 )) s"; }

if [ "${0##*/}" = 60-rel-lib.sh ]; then
	tap_ok "reliability helpers load (sourced by 60-rel-*.sh)"
fi
