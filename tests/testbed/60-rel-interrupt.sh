# SPDX-License-Identifier: GPL-2.0
# Issue 8: interrupted and contended runs. SIGINT/SIGKILL mid-RUN (test
# program and harness), rmmod during a RUN, two runners at once, CPU
# hot-unplug of a target CPU between and during runs; then no thread, no
# leak, and the module unloads.
. /ub/tests/60-rel-lib.sh

survived=0

rel_settle 1
before=$(rel_memfree_kb)
tap_check "interrupt: insmod unmap_bench.ko" rel_insmod
rel_kmemleak_begin

for c in sigint sigkill rmmod two hotplug; do
	$T/rel_interrupt-static $c > /tmp/rel-$c.tap 2>&1
	rc=$?
	cat /tmp/rel-$c.tap
	if grep -q '^not ok' /tmp/rel-$c.tap; then :
	elif [ $rc -ne 0 ]; then tap_fail "interrupt: rel_interrupt $c exited $rc"
	else survived=$((survived + 1)); fi
done

# The harness: SIGINT and SIGKILL while a RUN is in progress.
wait_threads() { # up to 60 s for the module's threads to appear
	i=0
	while [ $i -lt 600 ]; do
		[ "$(rel_threads_left)" -gt 0 ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
# A harness run that lasts up to its 60 s cap. Started directly (not in a
# function or subshell) so that $! is the harness itself.
LONG_MICRO="micro --pages 16 --rounds 1000000 --batch 8 --backend null --threads 1 --cpus 0 --no-counters --no-samples --no-hist --max-wall 60s"
for sig in INT KILL; do
	out=/tmp/rel-h-$sig
	rm -rf "$out" "/tmp/.rel-h-$sig.partial"
	$UB/unmapbench -q $LONG_MICRO --out "$out" > "$out.log" 2>&1 &
	pid=$!
	if ! wait_threads $pid; then
		tap_fail "harness SIG$sig: the harness's RUN never started"
		sed 's/^/#   /' "$out.log"
		kill -KILL $pid 2>/dev/null; wait $pid
		continue
	fi
	kill -$sig $pid
	wait $pid
	rc=$?
	if [ $sig = INT ]; then
		if [ $rc = 130 ]; then tap_ok "harness SIGINT mid-RUN: exit status 130"
		else tap_fail "harness SIGINT mid-RUN: exit status $rc (want 130)"
			sed 's/^/#   /' "$out.log"; fi
		st=$(cat "/tmp/.rel-h-$sig.partial/status" 2>/dev/null)
		case "$st" in
		interrupted*) tap_ok "harness SIGINT: run directory stays partial, status '$st'" ;;
		*) tap_fail "harness SIGINT: partial directory status '$st' (want interrupted...)" ;;
		esac
	else
		if [ $rc = 137 ]; then tap_ok "harness SIGKILL mid-RUN: killed"
		else tap_fail "harness SIGKILL mid-RUN: exit status $rc (want 137)"; fi
		if [ -d "/tmp/.rel-h-$sig.partial" ]; then
			tap_ok "harness SIGKILL: run directory stays partial ('$(cat /tmp/.rel-h-$sig.partial/status 2>/dev/null)')"
		else tap_fail "harness SIGKILL: no partial run directory left"; fi
	fi
	if [ -e "$out" ]; then tap_fail "harness SIG$sig: a complete-looking $out exists"
	else tap_ok "harness SIG$sig: no complete-looking run directory"; fi
	n=$(rel_threads_left)
	if [ "$n" = 0 ]; then tap_ok "harness SIG$sig: no module thread left"
	else tap_fail "harness SIG$sig: $n module threads left"; fi
	if $T/rel_interrupt-static smoke; then tap_ok "harness SIG$sig: module usable after"
		survived=$((survived + 1))
	else tap_fail "harness SIG$sig: module unusable after"; fi
done

# Two harnesses at once: the second meets a RUN in progress.
rm -rf /tmp/rel-h-a /tmp/rel-h-b /tmp/.rel-h-a.partial /tmp/.rel-h-b.partial
$UB/unmapbench -q $LONG_MICRO --out /tmp/rel-h-a > /tmp/rel-h-a.log 2>&1 &
pa=$!
if wait_threads $pa; then
	$UB/unmapbench -q micro --pages 4 --rounds 2 --backend null --threads 1 \
		--cpus 1 --no-counters --out /tmp/rel-h-b > /tmp/rel-h-b.log 2>&1
	rb=$?
	kill -INT $pa; wait $pa
	if [ $rb = 0 ] && [ -d /tmp/rel-h-b ]; then
		tap_ok "two harnesses: the second completed (it waited or retried)"
	elif [ $rb != 0 ] && [ ! -e /tmp/rel-h-b ] && grep -qiE 'busy|in progress' /tmp/rel-h-b.log; then
		tap_ok "two harnesses: the second failed cleanly saying the module is busy (exit $rb)"
		sed 's/^/#   /' /tmp/rel-h-b.log | head -5
	else
		tap_fail "two harnesses: second harness exit $rb, dir $(ls -d /tmp/rel-h-b /tmp/.rel-h-b.partial 2>/dev/null)"
		sed 's/^/#   /' /tmp/rel-h-b.log | head -20
	fi
	survived=$((survived + 1))
else
	tap_fail "two harnesses: the first never started its RUN"
	kill -KILL $pa 2>/dev/null; wait $pa
fi

rel_report "interruptions_survived=$survived"
n=$(rel_threads_left)
if [ "$n" = 0 ]; then tap_ok "interrupt: no module thread left at the end"
else tap_fail "interrupt: $n module threads left at the end"; fi
rel_rmmod "interrupt: rmmod unmap_bench afterwards"
rel_kmemleak_check "interrupt: kmemleak reports nothing"
rel_memfree_check "interrupt: memory returned after rmmod" "$before" 16384
rel_done
