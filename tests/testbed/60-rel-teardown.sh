# SPDX-License-Identifier: GPL-2.0
# Issue 8: the teardown driver killed (SIGKILL) in the middle of
# populating and in the middle of tearing down 4 SW_PROTECTED guests of
# 64 MiB each (ub.rel_td_mb=N on the kernel command line to change), and
# (issue 14) while the guests' own vCPUs write their memory inside
# KVM_RUN (--populate touch; with ub.rel_full=1 also mid-punch while they
# are halted in KVM_RUN): every
# guest's memory must come back (free memory as 60-rel-lib.sh counts it,
# within 32 MiB of what it was before, after a short settle: half of one
# guest), and no harness process may be left.
#
# "Mid-teardown" is found from memory, not from timing: the test watches
# free memory while the harness runs; it kills during populate once half
# the guests' memory is in use, and during teardown once 3/4 of it was in
# use and at least 1/8 has come back (the teardown is freeing it).
. /ub/tests/60-rel-lib.sh

SIZE_MB=$(rel_cmdline ub.rel_td_mb); SIZE_MB=${SIZE_MB:-64}
VMS=4
SLACK_KB=32768
total_kb=$((VMS * SIZE_MB * 1024))

# kvm.ko needs irqbypass.ko where IRQ_BYPASS_MANAGER is a module.
if [ -f $UB/irqbypass.ko ] && ! grep -q '^irqbypass ' /proc/modules; then
	insmod $UB/irqbypass.ko
fi
if ! grep -q '^kvm ' /proc/modules; then
	insmod $UB/kvm.ko 2>/tmp/kvm.err || { tap_skip "teardown under SIGKILL" "insmod kvm.ko: $(cat /tmp/kvm.err)"; exit 0; }
fi
if ! grep -qE '^kvm_(amd|intel) ' /proc/modules; then
	insmod $UB/kvm-amd.ko 2>/dev/null || insmod $UB/kvm-intel.ko 2>/dev/null
fi
if [ ! -c /dev/kvm ] || ! grep -qE '^kvm_(amd|intel) ' /proc/modules; then
	tap_skip "teardown under SIGKILL" "no usable /dev/kvm (kvm-amd/kvm-intel did not load)"
	exit 0
fi
rel_kmemleak_begin

killed_n=0
# CI kills the destroy trigger's run (prefault: both phases; touch: while
# the guests write); ub.rel_full=1 (make stress) adds punch, and touch
# mid-punch. Cases: POPULATE:TRIGGER:PHASE.
cases="prefault:destroy:populate prefault:destroy:teardown touch:destroy:populate"
[ -n "$(rel_cmdline ub.rel_full)" ] &&
	cases="$cases prefault:punch:populate prefault:punch:teardown touch:punch:teardown"
for cs in $cases; do
	pop=${cs%%:*} trig=${cs#*:}; phase=${trig#*:} trig=${trig%%:*}
	{
		d="teardown SIGKILL mid-$phase ($VMS x ${SIZE_MB}M sw-protected, populate $pop, trigger $trig)"
		out=/tmp/rel-td-$pop-$phase-$trig
		rel_settle 1
		base=$(rel_memfree_kb)
		$UB/unmapbench -q teardown --vm-type sw-protected --vms $VMS \
			--size ${SIZE_MB}M --vcpus 1 --trigger $trig --populate $pop \
			--out $out > $out.log 2>&1 &
		pid=$!
		min=$base killed=
		while kill -0 $pid 2>/dev/null; do
			cur=$(rel_memfree_kb)
			[ "$cur" -lt "$min" ] && min=$cur
			if [ $phase = populate ] && [ $((base - cur)) -ge $((total_kb / 2)) ]; then
				kill -KILL $pid; killed=1; break
			fi
			if [ $phase = teardown ] && [ $((base - min)) -ge $((total_kb * 3 / 4)) ] &&
			   [ "$cur" -ge $((min + total_kb / 8)) ]; then
				kill -KILL $pid; killed=1; break
			fi
		done
		wait $pid
		rc=$?
		if [ -n "$killed" ] && [ $rc = 137 ]; then
			tap_ok "$d: killed while $((base - min)) KiB were in use"
			killed_n=$((killed_n + 1))
		else
			tap_fail "$d: the kill did not land mid-$phase (exit $rc, peak use $((base - min)) KiB of $total_kb)"
			sed 's/^/#   /' $out.log | tail -10
		fi
		left=$(rel_count_comm unmapbench)
		if [ $left = 0 ]; then tap_ok "$d: no harness process left"
		else tap_fail "$d: $left harness processes left"; fi
		if [ -e $out ]; then tap_fail "$d: a complete-looking $out exists"
		else tap_ok "$d: no complete-looking run directory"; fi
		rel_settle 3
		rel_memfree_check "$d: every guest's memory came back" "$base" $SLACK_KB
	}
done
rel_report "interruptions_survived=$killed_n"

# The driver still works after all that.
rel_settle 1
base=$(rel_memfree_kb)
if $UB/unmapbench -q teardown --vm-type sw-protected --vms $VMS --size 32M \
	--trigger destroy --out /tmp/rel-td-after > /tmp/rel-td-after.log 2>&1; then
	tap_ok "teardown: a complete run after the kills works"
else
	tap_fail "teardown: a complete run after the kills works"
	sed 's/^/#   /' /tmp/rel-td-after.log | tail -10
fi
rel_memfree_check "teardown: memory back after a complete run" "$base" $SLACK_KB
rmmod kvm_amd 2>/dev/null; rmmod kvm_intel 2>/dev/null
if rmmod kvm 2>/tmp/kvm.err; then tap_ok "teardown: kvm unloads afterwards"
	rmmod irqbypass 2>/dev/null
else tap_fail "teardown: kvm unloads afterwards: $(cat /tmp/kvm.err)"; fi
rel_kmemleak_check "teardown: kmemleak reports nothing after the killed teardowns"
rel_done
