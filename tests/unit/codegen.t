#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make codegen (issue 13). Without a kernel tree: the counting rules of
# plot/codegen.py on a hand-written object with known answers, the module
# name pattern, summary/caveat/load. With the testbed's 7.2 tree (fetched
# into UB_CACHE by testbed/fetch-kernel.sh, which this test calls: about a
# minute when nothing is cached, and the testbed suite needs it anyway):
# the patch refuses a tree it does not apply to in one line and writes
# nothing; testbed/codegen.sh builds both trees, reads the pre-patch
# prototype from the object's debug info (and the same check fails on the
# post-patch object), writes a complete run directory, re-renders it, never
# overwrites, and leaves the fetched tree unchanged.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export UB_CACHE=${UB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unmapbench}
patch=$top/testbed/patches/pre-pfn-unmap.patch
cg=$top/plot/codegen.py

# py ARGS... <<'PY': Python with plot/codegen.py imported as cg and
# tap(ok, desc, got) printing one TAP line.
py() {
	python3 -c "import json, os, sys
sys.path.insert(0, '$top/plot')
import codegen as cg


def tap(ok, desc, got=None):
    print(('ok' if ok else 'not ok') + ' - ' + desc)
    if not ok and got is not None:
        print(f'#   got {got}')


$(cat)" "$@"
}
ok() { echo "ok - $1"; }
nok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { if eval "$2"; then ok "$1"; else nok "$1" "${@:3}"; fi; }

# --- no kernel tree needed ---------------------------------------------------
cat > "$tmp/ka.s" <<'EOF'
	.text
	.globl	ka
	.type	ka, @function
ka:
	push	%rbx
	mov	(%rdi), %rax
	add	%rax, 8(%rdi)
	cmp	$0, %rax
	jne	1f
	call	ext_fail
1:	mov	%rax, (%rsi)
	lea	8(%rdi), %rax
	call	ext_ok
	test	%rax, %rax
	je	2f
	ud2
2:	pop	%rbx
	ret
	.size	ka, .-ka
	.globl	kb
	.type	kb, @function
kb:
	mov	%gs:cnt(%rip), %eax
	incl	%gs:cnt(%rip)
	rep stosq
	movdir64b (%rdx), %rax
	jmp	ext_tail
	.size	kb, .-kb
EOF
if as -o "$tmp/ka.o" "$tmp/ka.s" 2>"$tmp/as.log"; then
	py "$tmp/ka.o" <<'PY'
b = cg.Build([("t", sys.argv[1])])
ka, kb = b.get("ka"), b.get("kb")
c = cg.counts(ka)
want = {"insns": 14, "loads": 4, "stores": 5, "calls": 2}
tap({k: c[k] for k in want} == want,
    "known answer: whole-function counts (push/pop/ret, RMW, call)", c)
r = cg.shortest_path(ka, [{"ext_ok"}])
got = (len(r[0]), r[1]) if r else None
tap(got == (12, 2), "known answer: shortest no-error path avoids ud2 and "
    "the optional call (12 insns, 2 taken branches)", got)
r = cg.shortest_path(ka, [{"ext_fail"}, {"ext_ok"}])
got = (len(r[0]), r[1]) if r else None
tap(got == (13, 1), "known answer: a required call in order forces its "
    "branch (13 insns)", got)
tap(cg.shortest_path(ka, [{"ext_ok"}, {"ext_fail"}]) is None,
    "known answer: calls required in the wrong order give no path")
c = cg.counts(kb)
want = {"insns": 5, "loads": 3, "stores": 3, "calls": 1}
tap({k: c[k] for k in want} == want,
    "known answer: %gs RMW, rep stos, movdir64b, tail call", c)
tap(kb[0].text == "mov %gs:cnt(%rip),%eax" and kb[4].callee == "ext_tail",
    "known answer: relocations resolved to symbols",
    [kb[0].text, kb[4].callee])
PY
else
	nok "known answer: assemble the test object" "$(cat "$tmp/as.log")"
fi

py <<'PY'
m = [cg.KMOD_FN.match(n) for n in ("ub_tdx_b_unmap_page_4k",
                                   "ub_tdx_r0_b_unmap_page_4k",
                                   "ub_model_r7_reset_paddr", "ub_timing")]
tap(m[0] and m[0].group(1, 2, 3) == ("tdx", None, "b_unmap_page_4k") and
    m[1] and m[1].group(1, 2, 3) == ("tdx", "0", "b_unmap_page_4k") and
    m[2] and m[2].group(2) == "7" and m[3] is None,
    "one pattern names the module's functions with and without replicas")
cav = cg.compare_caveat("7.2.13", "7.2.13-prepatch")
tap(cg.compare_caveat("7.2.13", "7.2.13") == [] and
    cg.compare_caveat("7.2.13-prepatch-x", None) == [] and cav and
    "not the patch" in " ".join(cav) and "B ran" in cav[0] and
    all(len(x) <= 75 for x in cav),
    "compare caveat only when a side ran the -prepatch kernel", cav)
tap(cg.load("/nonexistent") is None and cg.summary_lines(None) == [],
    "load() is None without codegen.json")
PY

# --- the kernel tree -----------------------------------------------------------
if ! src=$("$top/testbed/fetch-kernel.sh" 2>"$tmp/fetch.log"); then
	why="no kernel source in UB_CACHE and testbed/fetch-kernel.sh failed: $(tail -n1 "$tmp/fetch.log")"
	for d in "patch refuses a tree it does not apply to" \
		"make codegen builds both trees" "pre-patch prototype" \
		"run directory" "fetched tree unchanged"; do
		echo "ok - $d # SKIP $why"
	done
	exit 0
fi
files=(arch/x86/include/asm/tdx.h arch/x86/virt/vmx/tdx/tdx.c arch/x86/kvm/vmx/tdx.c)
(cd "$src" && sha256sum "${files[@]}") > "$tmp/pristine.sum"
touch "$tmp/stamp"

# A tree the patch does not apply to: one line changed in a copy.
mini=$tmp/mini
for f in Makefile "${files[@]}"; do
	mkdir -p "$mini/$(dirname "$f")"
	cp "$src/$f" "$mini/$f"
done
sed -i 's/^u64 tdh_phymem_page_wbinvd_hkid(u64 hkid, kvm_pfn_t pfn)$/u64 tdh_phymem_page_wbinvd_hkid(u64 hkid, phys_addr_t pa)/' \
	"$mini/arch/x86/virt/vmx/tdx/tdx.c"
ls "$UB_CACHE/trees" "$UB_CACHE/codegen" > "$tmp/cache.before" 2>/dev/null
rc=0
"$top/testbed/patch-tree.sh" "$mini" "$patch" >"$tmp/pt.out" 2>"$tmp/pt.err" || rc=$?
check "patch refuses a tree it does not apply to, in one line" \
	'[ $rc = 1 ] && [ "$(wc -l < "$tmp/pt.err")" = 1 ] && grep -q "does not apply to .*tdx.c.*FAILED" "$tmp/pt.err" && [ ! -s "$tmp/pt.out" ]' \
	"status $rc" "$(cat "$tmp/pt.err")"
rc=0
UB_OUT=$tmp/refused "$top/testbed/codegen.sh" "$mini" >"$tmp/cgr.out" 2>"$tmp/cgr.err" || rc=$?
ls "$UB_CACHE/trees" "$UB_CACHE/codegen" > "$tmp/cache.after" 2>/dev/null
check "make codegen on that tree refuses in one line, builds and writes nothing" \
	'[ $rc != 0 ] && [ "$(wc -l < "$tmp/cgr.err")" = 1 ] && grep -q "does not apply" "$tmp/cgr.err" && ! ls -d "$tmp"/refused "$tmp"/.refused.partial >/dev/null 2>&1 && cmp -s "$tmp/cache.before" "$tmp/cache.after"' \
	"status $rc" "$(cat "$tmp/cgr.err")"

# Both builds, the analysis, the run directory.
out=$tmp/run
t0=$(date +%s)
rc=0
UB_OUT=$out "$top/testbed/codegen.sh" >"$tmp/cg.out" 2>"$tmp/cg.err" || rc=$?
echo "# make codegen took $(( $(date +%s) - t0 ))s (builds cached in $UB_CACHE/codegen)"
check "make codegen completes: patch applied, both trees and the module built" \
	'[ $rc = 0 ] && [ "$(cat "$out/status" 2>/dev/null)" = complete ] && [ ! -e "$tmp/.run.partial" ]' \
	"status $rc" "$(tail -n 5 "$tmp/cg.err")"
if [ $rc != 0 ]; then
	exit 0
fi
before=$(py "$out" <<<'print(cg.load(sys.argv[1])["builds"]["before"]["dir"])')
after=$(py "$out" <<<'print(cg.load(sys.argv[1])["builds"]["after"]["dir"])')
for s in before after; do
	d=$before; [ $s = after ] && d=$after
	check "the $s build compiled both objects" \
		'[ -s "$d/arch/x86/virt/vmx/tdx/tdx.o" ] && [ -s "$d/arch/x86/kvm/vmx/tdx.o" ]' "$d"
done
proto=$(python3 "$cg" prototype "$before/arch/x86/virt/vmx/tdx/tdx.o" tdh_phymem_page_wbinvd_hkid)
check "pre-patch tdh_phymem_page_wbinvd_hkid takes a struct page * (object's DWARF)" \
	'[[ "$proto" == *"(u64 hkid, struct page *page)" ]]' "$proto"
# Negative control: the same check on the post-patch object must fail.
proto=$(python3 "$cg" prototype "$after/arch/x86/virt/vmx/tdx/tdx.o" tdh_phymem_page_wbinvd_hkid)
check "the same check fails on the post-patch object (kvm_pfn_t pfn)" \
	'[[ "$proto" != *"struct page *"* && "$proto" == *"kvm_pfn_t pfn)" ]]' "$proto"
py "$out" "$top/VERSION" "$(make -s -C "$src" kernelversion)" <<'PY'
out, version, kver = sys.argv[1], open(sys.argv[2]).read().strip(), sys.argv[3]
c = cg.load(out)
kp = c["kernel_path"]
paths = {s: " ".join(t for p in kp[s]["parts"] for t in p["path"])
         for s in ("before", "after")}
tap("vmemmap_base" in paths["before"] and
    "vmemmap_base" not in paths["after"],
    "the pre-patch path reads vmemmap_base (pfn_to_page/page_to_phys), "
    "the post-patch path does not")
tap(all(any(x in paths[s] for x in r)
        for s in ("before", "after") for r in cg.REMOVAL_CALLS),
    "both paths make the removal's calls (BLOCK, TRACK, REMOVE, WBINVD, "
    "reset)")
tap(all(c["inlined_into"][s] == [kp["caller"][s]] for s in kp["caller"]),
    "the KVM function found by its call to the wrapper is the one DWARF "
    "says tdx_sept_remove_leaf_spte is inlined into",
    [c["inlined_into"], kp["caller"]])
mp = c["module_path"]
tap(mp["before"]["parts"][0]["function"].endswith("b_unmap_page_4k") and
    mp["after"]["parts"][0]["function"].endswith("b_unmap_pfn_4k") and
    "vmemmap_base" in " ".join(mp["before"]["parts"][0]["path"]),
    "the module's page and pfn unmap loops were found and analysed")
m = json.load(open(os.path.join(out, "meta.json")))
tap(m.get("schema_version") == 2 and m.get("suite_version") == version and
    m.get("status") == "complete" and m.get("end_utc") and
    m["codegen"]["kernel_version"] == kver and
    m["codegen"]["patch_sha256"] == c["patch"]["sha256"] and
    m["host"].get("kernel_release"),
    "meta.json: schema 2, suite version, status, kernel, patch hash", m)
lines = open(os.path.join(out, "codegen.txt")).read().splitlines()
tap(all(len(x) <= 75 for x in lines), "codegen.txt fits 75 columns",
    [x for x in lines if len(x) > 75][:3])
s = cg.summary_lines(c)
tap(len(s) == 3 and all(len(x) <= 75 for x in s) and
    f"Linux {kver}" in s[0] and c["compiler"]["short"] in s[0] and
    c["compiler"]["opt"] in s[0] and s == lines[2:5],
    "three summary lines name kernel, compiler and flags, atop codegen.txt",
    s)
PY
cp "$out/codegen.txt" "$tmp/codegen.txt.orig"
python3 "$cg" "$out" >/dev/null
check "python3 plot/codegen.py RUN_DIR re-renders the same codegen.txt" \
	'cmp -s "$out/codegen.txt" "$tmp/codegen.txt.orig"'
sum=$(sha256sum < "$out/codegen.json")
rc=0
UB_OUT=$out "$top/testbed/codegen.sh" >/dev/null 2>"$tmp/again.err" || rc=$?
check "an existing run directory is never overwritten" \
	'[ $rc != 0 ] && grep -q "exists already" "$tmp/again.err" && [ "$(sha256sum < "$out/codegen.json")" = "$sum" ]' \
	"status $rc" "$(cat "$tmp/again.err")"
# Interrupted while another build holds the lock: the run directory stays
# partial and its status says why.
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "w")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$(dirname "$after").lock" "$tmp/held" &
holder=$!
for i in $(seq 50); do [ -e "$tmp/held" ] && break; sleep 0.2; done
rc=0
bash -c 'set -m; UB_OUT=$1 "$2" >/dev/null 2>&1 & pid=$!
	for i in $(seq 50); do
		[ "$(cat "$(dirname "$1")/.$(basename "$1").partial/status" 2>/dev/null)" = running ] && break
		sleep 0.2
	done
	sleep 1; kill -TERM -- -$pid; wait $pid' _ "$tmp/intr" "$top/testbed/codegen.sh" 2>/dev/null || rc=$?
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
check "SIGTERM leaves the run directory partial, its status saying why" \
	'[ $rc = 143 ] && [ ! -e "$tmp/intr" ] && grep -qx "interrupted: SIGTERM during waiting for the build lock" "$tmp/.intr.partial/status"' \
	"status $rc" "$(cat "$tmp/.intr.partial/status" 2>/dev/null)"
mkdir "$tmp/into"
rc=0
"$top/testbed/codegen.sh" --into "$tmp/into" >/dev/null 2>"$tmp/into.err" || rc=$?
check "--into DIR (make bench) adds codegen.json/txt and no meta.json" \
	'[ $rc = 0 ] && [ -s "$tmp/into/codegen.json" ] && [ -s "$tmp/into/codegen.txt" ] && [ ! -e "$tmp/into/meta.json" ]' \
	"status $rc" "$(tail -n 3 "$tmp/into.err")"
check "the fetched tree is unchanged (checksums, no file newer than the run)" \
	'(cd "$src" && sha256sum -c --quiet "$tmp/pristine.sum") && [ -z "$(find "$src" -newer "$tmp/stamp" -print -quit)" ]'
