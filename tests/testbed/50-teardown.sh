# SPDX-License-Identifier: GPL-2.0
# The KVM guest-teardown driver inside the testbed (QEMU/TCG, kvm-amd with
# nested paging): SW_PROTECTED and DEFAULT guests, every trigger, 1 and 4
# guests at once, 64 guests at once; the mapping counts KVM reports before
# teardown must equal the populated size; guests that ran (--populate
# touch): KVM's mappings equal the pages the guest wrote and the harness
# verified by the guest's checksum, and a guest that did not write fails
# its run; a TDX request fails cleanly.
# Times here are emulator times: only behaviour is checked.
. /ub/tests/lib.sh

ub=$UB/unmapbench
tdout=/out/teardown
mkdir -p $tdout

# kvm.ko needs irqbypass.ko when CONFIG_IRQ_BYPASS_MANAGER=m.
if [ -f $UB/irqbypass.ko ] && ! grep -q '^irqbypass ' /proc/modules; then
	tap_check "insmod irqbypass.ko" insmod $UB/irqbypass.ko
fi
grep -q '^kvm ' /proc/modules || tap_check "insmod kvm.ko" insmod $UB/kvm.ko
grep -q '^kvm_amd ' /proc/modules || tap_check "insmod kvm-amd.ko" insmod $UB/kvm-amd.ko
if ! [ -c /dev/kvm ]; then
	tap_fail "/dev/kvm exists after loading kvm-amd"
	exit 0
fi

# csv_check FILE: one line per problem on stdout; nothing when all is well.
# Every row must be "ok" or "skipped: ..."; every ok row's 4K-equivalent
# mapping count must equal its memory (size x guests for the aggregate);
# a touch row's guest must have run and written exactly those pages, a
# prefault row's guest never ran.
csv_check() {
	awk "$UB_CSV_AWK"'
	{
		st = f[c["status"]]
		if (st ~ /^skipped: /) next
		if (st != "ok" && st !~ /^ok; note: /) { print "row " NR ": status " st; next }
		mem = f[c["size_bytes"]] * (f[c["vm"]] == "all" ? f[c["vms"]] : 1)
		id = "row " NR " (" f[c["vm_type"]] " " f[c["trigger"]] " " f[c["populate"]] " vms=" f[c["vms"]] " vm=" f[c["vm"]] "): "
		if (f[c["mappings_populated"]] * 4096 != mem)
			print id f[c["mappings_populated"]] " 4K mappings for " mem " bytes"
		if (f[c["populate"]] == "touch" && (f[c["guest_ran"]] != 1 || f[c["touched_pages"]] != f[c["mappings_populated"]]))
			print id "guest_ran " f[c["guest_ran"]] ", touched_pages " f[c["touched_pages"]] " for " f[c["mappings_populated"]] " mappings"
		if (f[c["populate"]] == "prefault" && (f[c["guest_ran"]] != 0 || f[c["touched_pages"]] != ""))
			print id "prefault, yet guest_ran " f[c["guest_ran"]] ", touched_pages " f[c["touched_pages"]]
	}' "$1"
}

# run NAME DESC ARGS...: one teardown command into $tdout/NAME
run() {
	name=$1 desc=$2; shift 2
	if $ub teardown --out $tdout/$name "$@" > $tdout/$name.log 2>&1; then
		tap_ok "$desc"
	else
		tap_fail "$desc (exit $?)"
		sed 's/^/#   /' $tdout/$name.log | tail -n 20
	fi
}

# check NAME DESC EXPECTED_ROWS: rows, statuses and mapping counts
check() {
	name=$1 desc=$2 want=$3
	csv=$tdout/$name/teardown.csv
	if ! [ -f $csv ]; then tap_fail "$desc: teardown.csv written"; return; fi
	n=$(($(wc -l < $csv) - 1))
	if [ "$n" = "$want" ]; then tap_ok "$desc: $want rows (one per guest + one aggregate per run)"
	else tap_fail "$desc: $want rows (got $n)"; fi
	bad=$(csv_check $csv)
	if [ -z "$bad" ]; then tap_ok "$desc: every run ok, mapping counts match the populated size"
	else tap_fail "$desc: every run ok, mapping counts match the populated size"
		echo "$bad" | head -n 20 | sed 's/^/#   /'; fi
	if [ "$(cat $tdout/$name/status 2>/dev/null)" = complete ]; then tap_ok "$desc: run directory complete"
	else tap_fail "$desc: run directory complete"; fi
}

# SW_PROTECTED: private guest_memfd memory, pre-faulted; 2 sizes of runs:
# 1 and 4 guests x destroy/convert/punch = (2 + 5) x 3 rows.
run swp "sw-protected: 1 and 4 guests, every trigger" \
	--vm-type sw-protected --size 32M --vms 1,4 --vcpus 2 --trigger all
check swp "sw-protected" 21
for t in destroy convert punch; do
	for v in 1 4; do
		n=$(csv_rows $tdout/swp/teardown.csv "f[c[\"vm\"]] == \"all\" && f[c[\"trigger\"]] == \"$t\" && f[c[\"vms\"]] == $v && f[c[\"status\"]] == \"ok\"")
		if [ "$n" = 1 ]; then tap_ok "sw-protected: $t with $v guest(s) ran"
		else tap_fail "sw-protected: $t with $v guest(s) ran ($n ok aggregate rows)"; fi
	done
done
grep -q '"vm_type_reason": "requested' $tdout/swp/meta.json 2>/dev/null &&
	tap_ok "sw-protected: meta.json records the VM type reason" ||
	tap_fail "sw-protected: meta.json records the VM type reason"

# DEFAULT: shared (mappable) guest_memfd; convert has nothing to convert
# and is recorded as skipped: (2 + 5) x 2 + 2 rows.
run default "default: 1 and 4 guests, every trigger" \
	--vm-type default --size 32M --vms 1,4 --vcpus 2 --trigger all
check default "default" 16
n=$(grep -c 'skipped: trigger convert needs private memory' $tdout/default/teardown.csv)
[ "$n" = 2 ] && tap_ok "default: convert recorded as skipped with the reason" ||
	tap_fail "default: convert recorded as skipped with the reason ($n rows)"

# DEFAULT on THP anonymous memory with 2M mappings (where THP gives them).
run default2m "default, page size 2m: destroy and punch" \
	--vm-type default --page-size 2m --size 32M --vms 1 --trigger destroy,punch
check default2m "default 2m" 4
m2=$(csv_sum $tdout/default2m/teardown.csv mapped_2m 'f[c["vm"]] == "all"')
if [ "$m2" -gt 0 ]; then tap_ok "default 2m: KVM reported 2M mappings ($m2)"
else tap_skip "default 2m: KVM reported 2M mappings" "THP gave no huge pages here (all 4K)"; fi

# Guests that ran: the harness's own guest writes every page of its share
# from 2 vCPUs, which stay halted in KVM_RUN while convert and punch run.
run touch "sw-protected, populate touch: 1 and 4 guests, every trigger" \
	--vm-type sw-protected --populate touch --size 32M --vms 1,4 --vcpus 2 --trigger all
check touch "sw-protected touch" 21
n=$(grep -c 'vCPU(s) wrote and verified 8192 pages and are blocked in HLT inside KVM_RUN' $tdout/touch/log.txt)
[ "$n" = 15 ] && tap_ok "sw-protected touch: every guest's vCPUs were halted in KVM_RUN before teardown (15 guests)" ||
	tap_fail "sw-protected touch: every guest's vCPUs were halted in KVM_RUN before teardown ($n of 15)"
run touchdef "default, populate touch: destroy and punch" \
	--vm-type default --populate touch --size 32M --vms 1 --vcpus 2 --trigger destroy,punch
check touchdef "default touch" 4
# A guest that does not write its memory (test seam: the guest skips its
# writes) is caught by its checksum: the run fails and says so.
UB_TEST_GUEST=nowrite $ub teardown --out $tdout/nowrite --vm-type sw-protected --populate touch \
	--size 8M > $tdout/nowrite.log 2>&1; rc=$?
if [ $rc = 1 ] && grep -q 'checksum mismatch: the guest read back 2048 pages summing to 0x0' $tdout/nowrite.log &&
   [ "$(csv_rows $tdout/.nowrite.partial/teardown.csv 'f[c["guest_ran"]] == 1')" = 0 ]; then
	tap_ok "a touch guest that did not write fails its run (checksum), guest_ran 0"
else tap_fail "a touch guest that did not write fails its run (exit $rc)"; tail -n 5 $tdout/nowrite.log | sed 's/^/#   /'; fi

# Scale: 64 guests at once.
run many "64 guests torn down at once" \
	--vm-type sw-protected --size 4M --vms 64 --vcpus 1 --trigger destroy
check many "64 guests" 65

# auto picks SW_PROTECTED here and says why.
a=$($ub teardown --dry-run --size 16M 2>&1)
if echo "$a" | grep -q "vm_type=sw-protected" && echo "$a" | grep -q "auto: no TDX (kvm_intel is not loaded"; then
	tap_ok "auto picks sw-protected and says TDX is missing"
else tap_fail "auto picks sw-protected and says TDX is missing"; echo "$a" | sed 's/^/#   /'; fi

# TDX is absent here: the request fails cleanly, naming the missing piece.
t=$($ub teardown --vm-type tdx --size 16M --out $tdout/tdx 2>&1); rc=$?
if [ $rc = 1 ] && echo "$t" | grep -q "KVM does not offer VM type 5 (KVM_X86_TDX_VM" &&
   echo "$t" | grep -q "kvm_intel is not loaded (KVM modules here: kvm_amd)" && ! [ -e $tdout/tdx ]; then
	tap_ok "tdx request fails cleanly naming the missing piece"
else tap_fail "tdx request fails cleanly naming the missing piece (exit $rc)"; echo "$t" | sed 's/^/#   /'; fi

# --perf-record without perf in the guest: the run goes on and says why.
run perf "--perf-record without perf still runs" \
	--vm-type sw-protected --size 8M --perf-record
grep -q "perf not found" $tdout/perf/teardown-perf.txt 2>/dev/null &&
	tap_ok "--perf-record: teardown-perf.txt says perf is missing" ||
	tap_fail "--perf-record: teardown-perf.txt says perf is missing"

# The summary tables (emulator times) go into the TAP log as comments.
for d in swp default default2m touch touchdef many; do
	[ -f $tdout/$d/teardown-summary.txt ] && sed 's/^/# /' $tdout/$d/teardown-summary.txt
done
# The guest kernel must not have complained.
if dmesg | grep -qE 'WARNING:|BUG[: ]|Oops'; then
	tap_fail "no kernel WARNING/BUG during teardown runs"
	dmesg | grep -E 'WARNING:|BUG[: ]|Oops' | head -n 5 | sed 's/^/#   /'
else tap_ok "no kernel WARNING/BUG during teardown runs"; fi
