#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Codegen evidence: what the PFN patch changes in the kernel's machine code.

testbed/codegen.sh (`make codegen`) builds the objects that hold the unmap
tail twice, before (the 7.2 tree with testbed/patches/pre-pfn-unmap.patch:
the struct-page API) and after (7.2 as released: the PFN API), and the
module's objects against the "after" tree; this file reads their machine
code with objdump and writes codegen.json and codegen.txt (75 columns).

Entry points for the report and compare (plot/report.py, plot/compare.py):
  load(run_dir) -> dict | None      codegen.json of a run directory, if any
                                    (ValueError if it has another schema)
  summary_lines(cg) -> list[str]    three lines (<= 75 columns, never
                                    cut) naming the kernel version,
                                    compiler and flags, for the top of a
                                    report
  native_lines(binary) -> list[str] two lines in that shape for a native
                                    run: counted in the harness binary
  compare_caveat(release_a, release_b) -> list[str]
                                    header lines for `unmapbench compare`
                                    when one side ran the pre-patch testbed
                                    kernel ([] otherwise)
  render(cg) -> list[str]           the whole of codegen.txt
CLI:
  python3 plot/codegen.py RUN_DIR            re-render codegen.txt from
                                             codegen.json
  python3 plot/codegen.py --summary RUN_DIR  print summary_lines()
  python3 plot/codegen.py native BINARY      print native_lines()
  python3 plot/codegen.py prototype OBJ FUNC print FUNC's parameters as the
                                             object's DWARF states them
  python3 plot/codegen.py analyse ...        (testbed/codegen.sh) count,
                                             compare, write the files

What is counted (stated in codegen.txt too):
- Instructions of a function: those objdump lists inside the symbol's
  size (the padding after it is not counted). An ftrace site
  (call __fentry__) is counted as an instruction but not as a call: it
  is a 5-byte NOP at run time.
- Loads and stores: an instruction with a memory operand (not lea, nop,
  prefetch, clflush) loads it when it reads it (a source, cmp/test/bt, or
  a read-modify-write destination, which also stores) and stores it when
  it writes it (a destination). push and call store (call: the return
  address), pop and ret (and jmp __x86_return_thunk) load, rep stos is one
  store instruction, movdir64b loads and stores. Each instruction counts
  at most once as a load and once as a store.
- The per-page path: in each function, the shortest path in instructions
  from its entry to a return (for the module's batch loop: one loop
  iteration, from the wrapper call back to it) that makes the calls of the
  removal (TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE,
  TDH.PHYMEM.PAGE.WBINVD, the reset) in that order and never reaches an
  error or slow path: ud2/int3 (BUG/WARN), a branch to a cold section, a
  call to __stack_chk_fail, printk, ___ratelimit, preempt_schedule,
  warn or ubsan handlers. Calls on that path into the wrappers the patch
  changes (and static helpers of theirs) are followed and their own paths
  added; other callees (the SEAMCALL, BLOCK/TRACK/REMOVE wrappers, KVM's
  vCPU kick) are counted as one call each and checked to be identical in
  both builds where their code was built.
- Differing instructions: per function, before and after paths aligned
  with difflib on instructions with register names abstracted (a changed
  register allocation alone is no difference).
"""
import argparse
import bisect
import collections
import datetime
import difflib
import hashlib
import json
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textfmt  # noqa: E402

SCHEMA = "unmapbench-codegen"
SCHEMA_VERSION = 1
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Objects of the kernel build that hold the unmap tail.
CORE_OBJ = "arch/x86/virt/vmx/tdx/tdx.o"   # vmlinux: the TDX core
KVM_OBJ = "arch/x86/kvm/vmx/tdx.o"         # kvm-intel.ko
WBINVD = "tdh_phymem_page_wbinvd_hkid"
REMOVE_LEAF = "tdx_sept_remove_leaf_spte"
RESET_AFTER = "tdx_quirk_reset_paddr"
RESET_BEFORE = "tdx_quirk_reset_page"
# Calls the removal of one 4K page makes, in order (a set = any of them).
REMOVAL_CALLS = [{"tdh_mem_range_block"}, {"tdh_mem_track"},
                 {"tdh_mem_page_remove"}, {WBINVD},
                 {RESET_AFTER, RESET_BEFORE}]
# The wrappers the patch changes: their paths are followed.
KERNEL_FOLLOW = {WBINVD, RESET_AFTER, RESET_BEFORE}

# The module's functions: ub_<backend>[_r<replica>]_<what>, one pattern
# for the names before and after layout replicas were introduced.
KMOD_FN = re.compile(r"^ub_(null|model|tdx)(?:_r(\d+))?_(.*)$")
KMOD_BACKEND = "tdx"
KMOD_REPLICA = 0
# role -> (before = page shape, after = pfn shape)
KMOD_ROLES = {
    "caller": ("b_unmap_page_4k", "b_unmap_pfn_4k"),
    "wbinvd": ("wbinvd_hkid_page", "wbinvd_hkid_pfn"),
    "reset": ("reset_page", "reset_paddr"),
}

SINK_CALL = re.compile(r"^(__stack_chk_fail|__ubsan_handle\w*|__warn_printk|"
                       r"warn_slowpath\w*|_printk|printk|___ratelimit|"
                       r"\w*preempt_schedule\w*|panic|__kasan\w*|"
                       r"__asan\w*|__tsan\w*|__sanitizer\w*|dump_stack\w*|"
                       r"__kvm_bug_on|kvm_vm_bugged)$")
SINK_INSN = {"ud2", "int3", "ud1", "ud0", "hlt"}
RETURN_THUNK = "__x86_return_thunk"
FTRACE = {"__fentry__", "mcount", "__mcount"}
PREFIXES = {"lock", "rep", "repz", "repnz", "repe", "repne", "notrack",
            "bnd", "cs", "ds", "ss", "es", "fs", "gs", "data16", "addr32"}
NO_ACCESS = re.compile(r"^(lea|nop|prefetch|clflush|clwb|endbr|invlpg)")
READ_ONLY = re.compile(r"^(cmp|test|bt[wlq]?$|ucomis|comis|ptest)")
MOVE = re.compile(r"^(mov(?!dir64b|s[bwlq]?$)|cmov|set|stos)")
XCHG = re.compile(r"^(xchg|cmpxchg|xadd)")
ONE_OP_READ = re.compile(r"^(i?mul|i?div)[bwlq]?$")
REG = re.compile(r"%(?![cdefgs]s:)[a-z][a-z0-9]*")
ANON = re.compile(r"(\.L[A-Z]*)\d+|(\.[a-z][\w.]*)[+-]0x[0-9a-f]+")


# --- objdump ---------------------------------------------------------------

def run(argv):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    if p.returncode != 0:
        raise SystemExit(f"codegen: error: {' '.join(argv[:2])} ... failed: "
                         f"{p.stderr.strip().splitlines()[-1:]}")
    return p.stdout


SYM = re.compile(r"^([0-9a-f]+)\s(.{7})\s(\S+)\s+([0-9a-f]+)\s+(.*)$")


def symbols(obj):
    """Function symbols: name -> (section, start, size, is_global)."""
    out = {}
    for line in run(["objdump", "-t", "-w", obj]).splitlines():
        m = SYM.match(line)
        if not m or "F" not in m.group(2):
            continue
        name = m.group(5).split()[-1]
        out[name] = (m.group(3), int(m.group(1), 16), int(m.group(4), 16),
                     "g" in m.group(2))
    return out


INSN = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")
SECTION = re.compile(r"^Disassembly of section (\S+):$")
RELOC = re.compile(r"([0-9a-f]+): (R_X86_64_\w+)\s+(\S+)")
BRANCH_OP = re.compile(r"^([0-9a-f]+) <([^>+]+)(\+0x[0-9a-f]+)?>$")


class Insn:
    __slots__ = ("addr", "size", "prefix", "mnem", "ops", "relocs",
                 "target", "callee", "text", "key", "kind", "load",
                 "store", "fn")

    def __init__(self, addr, text, relocs):
        self.addr = addr
        self.size = 0
        self.relocs = relocs
        self.target = None   # address of an intra-section branch target
        self.callee = None   # symbol a call/jmp goes to
        toks = text.split()
        pre = []
        while toks and toks[0] in PREFIXES and len(toks) > 1:
            pre.append(toks.pop(0))
        self.prefix = " ".join(pre)
        self.mnem = toks[0] if toks else "(bad)"
        self.ops = " ".join(toks[1:])


def _reloc_symbol(rtype, expr, roff, next_addr, by_sec):
    """Symbol and byte offset a relocation refers to; a section-relative
    one (.text+0xba0) named by the function there."""
    m = re.match(r"^(.+?)([+-]0x[0-9a-f]+)?$", expr)
    sym, add = m.group(1), int(m.group(2) or "0", 16)
    if rtype in ("R_X86_64_PC32", "R_X86_64_PLT32", "R_X86_64_GOTPCREL",
                 "R_X86_64_REX_GOTPCRELX", "R_X86_64_GOTPCRELX"):
        add += next_addr - roff
    for start, size, name in by_sec.get(sym, ()):
        if start <= add < start + size:
            return name, add - start
    return sym, add


def _symtext(sym, off):
    return sym if off == 0 else f"{sym}{off:+#x}"


def disassemble(obj):
    """Functions of an object: name -> list of Insn (within the symbol)."""
    syms = symbols(obj)
    raw = collections.defaultdict(list)   # section -> [(addr, text, relocs)]
    section = None
    for line in run(["objdump", "-d", "-r", "-w", "--no-show-raw-insn",
                     obj]).splitlines():
        m = SECTION.match(line)
        if m:
            section = m.group(1)
            continue
        m = INSN.match(line)
        if m and section:
            addr = int(m.group(1), 16)
            parts = m.group(2).split("\t")
            if parts[0].startswith("R_X86_64_"):      # a reloc on its own
                if raw[section]:
                    raw[section][-1][2].extend(
                        RELOC.findall(line.strip()))
                continue
            text = re.sub(r"\s+#.*$", "", parts[0])
            rel = RELOC.findall("\t".join(parts[1:]).replace("\t", " "))
            raw[section].append((addr, text, rel))
    by_sec = collections.defaultdict(list)
    for name, (sec, start, size, _) in syms.items():
        by_sec[sec].append((start, size, name))
    funcs = {}
    addrs = {sec: [r[0] for r in rows] for sec, rows in raw.items()}
    for name, (sec, start, size, _) in syms.items():
        a = addrs.get(sec, [])
        items = raw[sec][bisect.bisect_left(a, start):
                         bisect.bisect_left(a, start + size)] if a else []
        insns = []
        for i, (addr, text, rel) in enumerate(items):
            ins = Insn(addr, text, rel)
            nxt = items[i + 1][0] if i + 1 < len(items) else start + size
            ins.size = nxt - addr
            ins.fn = name
            _resolve(ins, name, start, nxt, by_sec)
            insns.append(ins)
        funcs[name] = insns
    return funcs, syms


def _resolve(ins, fname, fstart, next_addr, by_sec):
    """Symbolic operands, branch targets, the normalised key, the kind and
    the memory accesses of one instruction."""
    ops = ins.ops
    is_branch = ins.mnem.startswith("j") or ins.mnem.startswith("call") \
        or ins.mnem.startswith("loop")
    for roff, rtype, expr in ins.relocs:
        sym, off = _reloc_symbol(rtype, expr, int(roff, 16), next_addr,
                                 by_sec)
        st = _symtext(sym, off)
        if is_branch and BRANCH_OP.match(ops):
            ins.callee = sym if off == 0 else st
            ops = st
        elif "0x0(%rip)" in ops:
            ops = ops.replace("0x0(%rip)", f"{st}(%rip)", 1)
        elif "$0x0" in ops:
            ops = ops.replace("$0x0", f"${st}", 1)
        elif re.search(r"(^|[,:])0x0\(", ops):
            ops = re.sub(r"(^|[,:])0x0\(", lambda m: f"{m.group(1)}{st}(",
                         ops, count=1)
        else:
            ops = f"{ops} <{st}>"
    m = BRANCH_OP.match(ops) if is_branch else None
    if m:
        target, tname = int(m.group(1), 16), m.group(2)
        if tname == fname:
            ins.target = target
            ops = f".L{target - fstart:x}"
        else:
            ins.callee = tname
            ops = tname if not m.group(3) else f"{tname}{m.group(3)}"
    ins.ops = ops
    mn = (ins.prefix + " " + ins.mnem).strip()
    ins.text = f"{mn} {ops}".strip()
    # The key ignores register names and where anonymous data (string
    # literals, constants) landed in its section.
    keyops = ANON.sub(lambda m: m.group(1) or m.group(2),
                      REG.sub("%R", ops)) if ins.target is None \
        else ".L"
    ins.key = f"{mn} {keyops}".strip()
    ins.kind = _kind(ins)
    ins.load, ins.store = _access(ins)


def _kind(ins):
    m = ins.mnem
    if m in SINK_INSN:
        return "sink"
    if m.startswith("ret") or (m == "jmp" and ins.callee == RETURN_THUNK):
        return "ret"
    if m.startswith("call"):
        if ins.callee in FTRACE:
            return "ftrace"
        if ins.callee and SINK_CALL.match(ins.callee):
            return "sink"
        return "call"
    if m == "jmp":
        if ins.target is not None:
            return "jmp"
        return "tailcall"            # to another function (or indirect)
    if m.startswith("j") or m.startswith("loop"):
        if ins.target is not None:
            return "jcc"
        if ins.callee == RETURN_THUNK:
            return "jcc_ret"
        return "jcc_out"             # into a cold section: error path
    return "op"


def _split_ops(ops):
    out, depth, cur = [], 0, ""
    for ch in ops:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def _is_mem(op):
    op = op.lstrip("*")
    if op.startswith("$") or op.startswith("%") and "(" not in op \
            and not re.match(r"^%[cdefgs]s:", op):
        return False
    return "(" in op or bool(re.match(r"^(%[cdefgs]s:)?-?(0x)?[0-9a-f]+$",
                                      op))


def _access(ins):
    """(loads, stores) of one instruction, by the rules in the docstring."""
    m, k = ins.mnem, ins.kind
    if k == "ret":
        return True, False
    if k == "ftrace":
        return False, False
    ops = _split_ops(ins.ops) if k in ("op", "sink") else []
    if k in ("call", "tailcall", "jcc", "jcc_out", "jmp"):
        ind = ins.ops.startswith("*") and _is_mem(ins.ops)
        return ind, k == "call"
    if NO_ACCESS.match(m) or k == "sink":
        return False, False
    if m.startswith("push"):
        return bool(ops) and _is_mem(ops[0]), True
    if m.startswith("pop"):
        return True, bool(ops) and _is_mem(ops[0])
    if m == "leave":
        return True, False
    if m.startswith("movdir64b"):
        return True, True
    if re.match(r"^movs[bwlq]?$", m) and (not ops or "%es:" in ins.ops):
        return True, True            # string move
    if m.startswith("stos"):
        return False, True
    if m.startswith("lods") or m.startswith("scas") or m.startswith("cmps"):
        return True, False
    mem = [i for i, o in enumerate(ops) if _is_mem(o)]
    if not mem:
        return False, False
    last = len(ops) - 1
    if READ_ONLY.match(m):
        return True, False
    if XCHG.match(m):
        return True, True
    if MOVE.match(m):
        return any(i < last for i in mem), last in mem
    if len(ops) == 1 and ONE_OP_READ.match(m):
        return True, False
    # Arithmetic and logic: a memory destination is read and written.
    return True, last in mem


# --- counting ----------------------------------------------------------------

def counts(insns):
    return {"insns": len(insns),
            "loads": sum(1 for i in insns if i.load),
            "stores": sum(1 for i in insns if i.store),
            "calls": sum(1 for i in insns if i.kind in ("call", "tailcall")),
            "bytes": sum(i.size for i in insns)}


def shortest_path(insns, required=(), cycle_at=None):
    """Shortest instruction path from the entry to a return making the
    required calls in order and reaching no sink; with cycle_at (an index),
    the shortest cycle from that instruction back to it instead, with
    required[0] made by that instruction. Returns (indices, taken
    branches) or None."""
    index = {ins.addr: n for n, ins in enumerate(insns)}
    need = len(required)

    def step(n, st):
        ins = insns[n]
        if st < need and ins.callee in required[st] and \
                ins.kind in ("call", "tailcall"):
            st += 1
        return st

    start = (cycle_at, 1) if cycle_at is not None else (0, 0)
    if cycle_at is None and not insns:
        return None
    parent = {start: None}
    queue = collections.deque([start])
    end = None
    while queue:
        n, st = queue.popleft()
        ins = insns[n]
        st2 = step(n, st) if (n, st) != start or cycle_at is None else st
        if ins.kind == "sink":
            continue
        if ins.kind in ("ret", "tailcall") or ins.kind == "jcc_ret":
            if cycle_at is None and st2 == need:
                end = (n, st)
                break
            if ins.kind != "jcc_ret":
                continue
        succ = []
        if ins.kind == "jmp":
            succ = [index.get(ins.target)]
        elif ins.kind == "jcc":
            succ = [n + 1, index.get(ins.target)]
        else:
            succ = [n + 1]
        for s in succ:
            if s is None or s >= len(insns):
                continue
            if cycle_at is not None and s == cycle_at:
                if st2 == need:
                    end = (n, st)
                    queue.clear()
                    break
                continue
            state = (s, st2)
            if state not in parent:
                parent[state] = (n, st)
                queue.append(state)
    if end is None:
        return None
    path, s = [], end
    while s is not None:
        path.append(s[0])
        s = parent[s]
    path.reverse()
    taken = sum(1 for a, b in zip(path, path[1:]) if b != a + 1)
    return path, taken


def fn_key(insns):
    return [i.key for i in insns]


def side_by_side(before, after):
    """Differing instructions of two instruction lists, aligned."""
    sm = difflib.SequenceMatcher(None, fn_key(before), fn_key(after),
                                 autojunk=False)
    rows = []
    for tag, a0, a1, b0, b1 in sm.get_opcodes():
        if tag == "equal":
            continue
        left = [i.text for i in before[a0:a1]]
        right = [i.text for i in after[b0:b1]]
        for k in range(max(len(left), len(right))):
            rows.append([left[k] if k < len(left) else "",
                         right[k] if k < len(right) else ""])
    return rows


def shape_change(rows):
    """The net change a diff makes, as a sorted list of '-insn' (only
    before) and '+insn' (only after) with registers, jump targets, callee
    names and anonymous data abstracted: what two diffs must share to be
    the same change."""
    def shape(t):
        t = ANON.sub(lambda m: m.group(1) or m.group(2), REG.sub("%R", t))
        t = re.sub(r"^(call|jmp) (?!__fentry__$)[\w.]+$", r"\1 FN", t)
        return re.sub(r"^(j\w+) \.L\w+$", r"\1 .L", t)
    minus = collections.Counter(shape(a) for a, _ in rows if a)
    plus = collections.Counter(shape(b) for _, b in rows if b)
    return sorted(["-" + x for x in (minus - plus).elements()] +
                  ["+" + x for x in (plus - minus).elements()])


# --- the analysis ------------------------------------------------------------

class Build:
    """The analysed objects of one side: name -> (object, insns)."""

    def __init__(self, objs):
        self.fns = {}
        self.syms = {}
        for label, path in objs:
            funcs, syms = disassemble(path)
            for name, insns in funcs.items():
                key = name if name not in self.fns else f"{name}@{label}"
                self.fns[key] = (label, insns)
                self.syms[key] = (label,) + syms[name]

    def get(self, name):
        return self.fns.get(name, (None, None))[1]

    def obj(self, name):
        return self.fns.get(name, (None, None))[0]

    def local_callees(self, name):
        """Static functions of the same object that name calls."""
        insns, obj = self.get(name) or [], self.obj(name)
        out = set()
        for ins in insns:
            c = ins.callee
            if ins.kind in ("call", "tailcall") and c in self.fns and \
                    self.obj(c) == obj and not self.syms[c][4]:
                out.add(c)
        return out


def follow_set(build, roots):
    seen, todo = set(), [r for r in roots if build.get(r) is not None]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        todo.extend(build.local_callees(f) - seen)
    return seen


def page_path(build, caller, required, follow, cycle=False):
    """The per-page path: the caller's path plus the paths of the followed
    functions called on it. Returns (parts, callees not followed); each
    part says through which function called by the caller (its root) it
    was reached."""
    insns = build.get(caller)
    req = [r for r in required
           if any(i.callee in r and i.kind in ("call", "tailcall")
                  for i in insns)]
    if cycle:
        found = None
        for n, ins in enumerate(insns):
            if ins.kind == "call" and req and ins.callee in req[0]:
                r = shortest_path(insns, req, cycle_at=n)
                if r and (found is None or len(r[0]) < len(found[0])):
                    found = r
    else:
        found = shortest_path(insns, req)
    if not found:
        raise SystemExit(f"codegen: error: no path through {caller} that "
                         f"makes the calls {[sorted(r) for r in req]}")
    parts = [{"function": caller, "root": caller, "object": build.obj(caller),
              "insns": [insns[n] for n in found[0]], "taken": found[1],
              "required": [sorted(r) for r in req]}]
    others = []
    k = 0
    while k < len(parts):
        for ins in parts[k]["insns"]:
            c = ins.callee
            if ins.kind not in ("call", "tailcall") or c is None:
                continue
            if c in follow and build.get(c) is not None:
                r = shortest_path(build.get(c))
                if not r:
                    raise SystemExit(f"codegen: error: no path to a return "
                                     f"in {c}")
                parts.append({"function": c, "object": build.obj(c),
                              "root": c if k == 0 else parts[k]["root"],
                              "insns": [build.get(c)[n] for n in r[0]],
                              "taken": r[1], "required": []})
            elif c not in others:
                others.append(c)
        k += 1
    return parts, others


def _total(parts):
    t = {"insns": 0, "loads": 0, "stores": 0, "calls": 0, "bytes": 0}
    for p in parts:
        for k, v in counts(p["insns"]).items():
            t[k] += v
    return t


def _side_json(parts):
    return {"parts": [dict(counts(p["insns"]), function=p["function"],
                           root=p["root"], object=p["object"],
                           taken_branches=p["taken"],
                           required_calls=p["required"],
                           path=[i.text for i in p["insns"]])
                      for p in parts],
            "total": _total(parts)}


def by_role(pb, pa, roots):
    """Group each side's parts by role (roots: role -> (before root,
    after root)); diff the roles' instructions side by side."""
    out = []
    seen_b, seen_a = set(), set()
    for role, (rb, ra) in roots.items():
        gb = [p for p in pb if p["root"] == rb]
        ga = [p for p in pa if p["root"] == ra]
        seen_b.update(id(p) for p in gb)
        seen_a.update(id(p) for p in ga)
        out.append((role, gb, ga))
    rest_b = [p for p in pb if id(p) not in seen_b]
    rest_a = [p for p in pa if id(p) not in seen_a]
    if rest_b or rest_a:
        out.append(("other", rest_b, rest_a))
    res = []
    for role, gb, ga in out:
        ib = [i for p in gb for i in p["insns"]]
        ia = [i for p in ga for i in p["insns"]]
        cb, ca = counts(ib), counts(ia)
        res.append({"role": role,
                    "before": dict(cb, functions=[p["function"] for p in gb]),
                    "after": dict(ca, functions=[p["function"] for p in ga]),
                    "delta": {k: cb[k] - ca[k] for k in cb},
                    "rows": side_by_side(ib, ia)})
    return res


def _unfollowed(others, before, after):
    res = []
    for c in others:
        b, a = before.get(c), after.get(c)
        if b is None or a is None:
            res.append({"function": c, "identical": None,
                        "why": "not in the objects built"})
        else:
            res.append({"function": c, "identical": fn_key(b) == fn_key(a)})
    return res


def function_table(before, after, on_path):
    """bloat-o-meter in spirit: every function on the path, and every
    function whose code differs, added or removed, with its counts."""
    rows, up, down = [], 0, 0
    add = remove = grow = shrink = 0
    for name in sorted(set(before.fns) | set(after.fns)):
        b, a = before.get(name), after.get(name)
        differs = b is None or a is None or fn_key(b) != fn_key(a)
        if not differs and name not in on_path:
            continue
        cb = counts(b) if b is not None else None
        ca = counts(a) if a is not None else None
        sb = before.syms[name][3] if b is not None else 0
        sa = after.syms[name][3] if a is not None else 0
        if cb:
            cb["bytes"] = sb
        if ca:
            ca["bytes"] = sa
        if b is None:
            add += 1
        elif a is None:
            remove += 1
        elif sa > sb:
            grow += 1
        elif sa < sb:
            shrink += 1
        # bloat-o-meter's sign: after minus before.
        if sa > sb:
            up += sa - sb
        else:
            down += sa - sb
        rows.append({"function": name,
                     "object": (after.obj(name) or before.obj(name)),
                     "on_path": name in on_path, "differs": differs,
                     "before": cb, "after": ca})
    rows.sort(key=lambda r: (not r["on_path"], r["object"], r["function"]))
    return rows, {"add": add, "remove": remove, "grow": grow,
                  "shrink": shrink, "up": up, "down": down,
                  "total": up + down}


def _path_result(pb, pa, roots, unfollowed):
    tb, ta = _total(pb), _total(pa)
    return {"before": _side_json(pb), "after": _side_json(pa),
            "delta": {k: tb[k] - ta[k] for k in tb},
            "roles": by_role(pb, pa, roots), "not_followed": unfollowed}


def kernel_analysis(before, after):
    callers = {}
    for label, b in (("before", before), ("after", after)):
        found = [n for n, (o, insns) in b.fns.items()
                 if o == "kvm" and any(i.callee == WBINVD and
                                       i.kind in ("call", "tailcall")
                                       for i in insns)]
        if len(found) != 1:
            raise SystemExit(f"codegen: error: {label}: expected one KVM "
                             f"function calling {WBINVD}, found {found}")
        callers[label] = found[0]
    pb, ob = page_path(before, callers["before"], REMOVAL_CALLS,
                       follow_set(before, KERNEL_FOLLOW))
    pa, oa = page_path(after, callers["after"], REMOVAL_CALLS,
                       follow_set(after, KERNEL_FOLLOW))
    roots = {"caller": (callers["before"], callers["after"]),
             "wbinvd": (WBINVD, WBINVD),
             "reset": (RESET_BEFORE, RESET_AFTER)}
    table, size = function_table(before, after,
                                 {p["function"] for p in pb + pa})
    res = _path_result(pb, pa, roots, _unfollowed(
        sorted(set(ob) | set(oa)), before, after))
    res.update({"caller": callers,
                "inlined": callers["after"] != REMOVE_LEAF,
                "functions": table, "size": size})
    return res


def kmod_names(build, backend=KMOD_BACKEND):
    """role -> (page function, pfn function) of BACKEND, replica 0."""
    found = {}
    for name in build.fns:
        m = KMOD_FN.match(name)
        if not m or m.group(1) != backend:
            continue
        if m.group(2) is not None and int(m.group(2)) != KMOD_REPLICA:
            continue
        found[m.group(3)] = name
    roles = {}
    for role, (page, pfn) in KMOD_ROLES.items():
        if page not in found or pfn not in found:
            raise SystemExit(f"codegen: error: the module's objects lack "
                             f"ub_{backend}[_r0]_{page} or _{pfn}")
        roles[role] = (found[page], found[pfn])
    return roles


def kmod_analysis(kmod, backend=KMOD_BACKEND):
    roots = kmod_names(kmod, backend)
    follow = follow_set(kmod, list(roots["wbinvd"]) + list(roots["reset"]))
    side = []
    for k in (0, 1):
        req = [{roots["wbinvd"][k]}, {roots["reset"][k]}]
        side.append(page_path(kmod, roots["caller"][k], req, follow,
                              cycle=True))
    res = _path_result(side[0][0], side[1][0], roots,
                       sorted(set(side[0][1]) | set(side[1][1])))
    res.update({"backend": backend, "replica": KMOD_REPLICA})
    return res


def native_lines(binary):
    """The codegen summary of a native run: the page-vs-pfn difference
    per 4K page (unmap, replica 0) in a harness binary's native build of
    the module's code (null backend), counted the way the module's own
    objects are; two lines in summary_lines()'s shape."""
    mod = kmod_analysis(Build([("native", binary)]), "null")
    return ["codegen per removed 4K page, native build (null backend):",
            _shape_line("module", mod["delta"], mod["before"]["total"],
                        mod["after"]["total"])]


def check(kern, mod):
    """Does the module's page-vs-pfn difference equal the kernel's
    before-vs-after difference, in total and role by role?"""
    kd, md = kern["delta"], mod["delta"]
    roles = []
    for kr in kern["roles"]:
        mr = next((r for r in mod["roles"] if r["role"] == kr["role"]), None)
        md_r = mr["delta"] if mr else {"insns": 0, "loads": 0}
        roles.append({"role": kr["role"],
                      "kernel": [kr["delta"]["insns"], kr["delta"]["loads"]],
                      "module": [md_r["insns"], md_r["loads"]],
                      "kernel_change": shape_change(kr["rows"]),
                      "module_change": shape_change(mr["rows"] if mr
                                                    else [])})
    return {"equal": kd["insns"] == md["insns"] and
            kd["loads"] == md["loads"],
            "kernel": {"insns": kd["insns"], "loads": kd["loads"]},
            "module": {"insns": md["insns"], "loads": md["loads"]},
            "roles": roles}


# --- DWARF: the prototype of a function ------------------------------------

DIE = re.compile(r"^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)"
                 r"(?: \((DW_TAG_\w+)\))?")
ATTR = re.compile(r"^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s*(.*)$")


def _dwarf(obj):
    dies, stack = {}, []
    cur = None
    for line in run(["readelf", "--debug-dump=info", "-W", obj]).splitlines():
        m = DIE.match(line)
        if m:
            depth, off = int(m.group(1)), int(m.group(2), 16)
            if int(m.group(3)) == 0:
                cur = None
                continue
            del stack[depth:]
            cur = {"tag": m.group(4), "attrs": {}, "children": [],
                   "off": off}
            if stack:
                stack[-1]["children"].append(cur)
            stack.append(cur)
            dies[off] = cur
            continue
        m = ATTR.match(line)
        if m and cur is not None:
            cur["attrs"][m.group(1)] = _attr_value(m.group(2))
    return dies


def _attr_value(v):
    """An attribute's value without readelf's form annotations, which
    differ between binutils versions: "(strp) (offset: 0x1ec6): name",
    "(indirect string, offset: 0x1ec6): name", "(ref4) <0x14f>, u64"."""
    v = v.strip()
    m = re.match(r"^\((\w+)\)\s*", v)
    while m:
        v = v[m.end():]
        m = re.match(r"^\((\w+)\)\s*", v)
    return re.sub(r"^\((indirect (line )?string, )?offset: 0x[0-9a-f]+\):"
                  r"\s*", "", v)


def _ref(v):
    m = re.match(r"^<0x([0-9a-f]+)>", v or "")
    return int(m.group(1), 16) if m else None


def _type_name(dies, off, depth=0):
    d = dies.get(off)
    if d is None or depth > 20:
        return "void"
    t, a = d["tag"], d["attrs"]
    inner = _ref(a.get("DW_AT_type"))
    if t in ("DW_TAG_base_type", "DW_TAG_typedef"):
        return a.get("DW_AT_name", "?")
    if t == "DW_TAG_pointer_type":
        return _type_name(dies, inner, depth + 1) + " *"
    if t == "DW_TAG_const_type":
        return "const " + _type_name(dies, inner, depth + 1)
    if t == "DW_TAG_volatile_type":
        return "volatile " + _type_name(dies, inner, depth + 1)
    if t == "DW_TAG_structure_type":
        return "struct " + a.get("DW_AT_name", "?")
    if t == "DW_TAG_union_type":
        return "union " + a.get("DW_AT_name", "?")
    if t == "DW_TAG_enumeration_type":
        return "enum " + a.get("DW_AT_name", "?")
    return a.get("DW_AT_name", t)


def prototype(obj, func):
    """[(name, type)] of func's parameters from the object's DWARF, or None
    when the object has no debug info for it."""
    dies = _dwarf(obj)
    best = None
    for d in dies.values():
        if d["tag"] != "DW_TAG_subprogram":
            continue
        name = d["attrs"].get("DW_AT_name")
        spec = _ref(d["attrs"].get("DW_AT_specification")) or \
            _ref(d["attrs"].get("DW_AT_abstract_origin"))
        if name is None and spec in dies:
            name = dies[spec]["attrs"].get("DW_AT_name")
        if name != func:
            continue
        params = [c for c in d["children"]
                  if c["tag"] == "DW_TAG_formal_parameter"]
        if not params:
            continue
        defined = "DW_AT_low_pc" in d["attrs"] or "DW_AT_ranges" in d["attrs"]
        if best is None or defined:
            best = params
    if best is None:
        return None
    out = []
    for p in best:
        a = p["attrs"]
        o = _ref(a.get("DW_AT_abstract_origin"))
        if "DW_AT_name" not in a and o in dies:
            a = dict(dies[o]["attrs"], **a)
        out.append([a.get("DW_AT_name", "?"),
                    _type_name(dies, _ref(a.get("DW_AT_type")))])
    return out


def _die_name(dies, d):
    a = d["attrs"]
    if "DW_AT_name" in a:
        return a["DW_AT_name"]
    o = _ref(a.get("DW_AT_specification")) or \
        _ref(a.get("DW_AT_abstract_origin"))
    return dies[o]["attrs"].get("DW_AT_name") if o in dies else None


def inlined_into(obj, func):
    """Functions of obj whose code holds an inlined copy of func (DWARF
    DW_TAG_inlined_subroutine), or None without debug info."""
    dies = _dwarf(obj)
    if not dies:
        return None
    out = set()

    def walk(d, top):
        for c in d["children"]:
            if c["tag"] == "DW_TAG_inlined_subroutine" and \
                    _die_name(dies, c) == func:
                out.add(top)
            walk(c, top)
    for d in dies.values():
        if d["tag"] == "DW_TAG_subprogram" and \
                ("DW_AT_low_pc" in d["attrs"] or "DW_AT_ranges" in d["attrs"]):
            walk(d, _die_name(dies, d))
    return sorted(out)


def proto_text(func, params):
    if params is None:
        return f"{func}(?): no debug info"
    return f"{func}(" + ", ".join(f"{t}{'' if t.endswith('*') else ' '}{n}"
                                  for n, t in params) + ")"


# --- build facts -------------------------------------------------------------

CONFIG_SHOWN = ["CC_OPTIMIZE_FOR_PERFORMANCE", "CC_OPTIMIZE_FOR_SIZE",
                "INTEL_TDX_HOST", "KVM_INTEL", "KVM_INTEL_TDX",
                "SPARSEMEM_VMEMMAP", "RANDOMIZE_MEMORY", "FUNCTION_TRACER",
                "X86_KERNEL_IBT", "MITIGATION_RETPOLINE",
                "MITIGATION_RETHUNK", "STACKPROTECTOR_STRONG",
                "DEBUG_INFO_DWARF5", "PROVE_LOCKING", "KASAN"]
CFLAG = re.compile(r"^(-O\w*|-march=\S+|-mtune=\S+|-mfunction-return=\S+|"
                   r"-mindirect-branch\S*|-fcf-protection\S*|"
                   r"-fstack-protector\S*|-fpatchable-function-entry=\S+|"
                   r"-mrecord-mcount|-mfentry|-f(no-)?omit-frame-pointer|"
                   r"-mharden-sls=\S+)$")


def config_values(path):
    vals = {k: None for k in CONFIG_SHOWN}
    try:
        with open(path) as f:
            for line in f:
                m = re.match(r"^CONFIG_(\w+)=(.*)$", line.strip())
                n = re.match(r"^# CONFIG_(\w+) is not set$", line.strip())
                if m and m.group(1) in vals:
                    vals[m.group(1)] = m.group(2).strip('"')
                elif n and n.group(1) in vals:
                    vals[n.group(1)] = "n"
    except OSError:
        pass
    return vals


def cflags(build_dir, obj):
    """The code-shaping flags the object was really compiled with, from
    Kbuild's .cmd file."""
    d, b = os.path.split(obj)
    try:
        with open(os.path.join(build_dir, d, f".{b}.cmd")) as f:
            cmd = f.readline()
    except OSError:
        return []
    seen, out = set(), []
    for tok in cmd.split():
        if CFLAG.match(tok):
            k = tok.split("=")[0] if not tok.startswith("-O") else "-O"
            if k in seen:
                out = [t for t in out if (t.split("=")[0] if not
                                          t.startswith("-O") else "-O") != k]
            seen.add(k)
            out.append(tok)
    return out


def short_compiler(version_line):
    m = re.match(r"^(\S+).*?(\d+\.\d+(?:\.\d+)?)\s*$", version_line or "")
    if not m:
        return version_line or "unknown compiler"
    name = "clang" if "clang" in version_line else m.group(1)
    name = "gcc" if name in ("gcc", "cc", "x86_64-linux-gnu-gcc") else name
    return f"{name} {m.group(2)}"


def analyse(args):
    kobjs = lambda d: [("core", os.path.join(d, CORE_OBJ)),  # noqa: E731
                       ("kvm", os.path.join(d, KVM_OBJ))]
    before, after = Build(kobjs(args.before)), Build(kobjs(args.after))
    kern = kernel_analysis(before, after)
    kmod_objs = sorted(os.path.join(args.kmod, f)
                       for f in os.listdir(args.kmod)
                       if f.endswith(".o") and not f.endswith(".mod.o")
                       and f != "unmap_bench.o")
    mod = kmod_analysis(Build([("kmod:" + os.path.basename(o), o)
                               for o in kmod_objs]))
    deb = None
    try:
        with open(os.path.join(args.src, ".ub-debian-version")) as f:
            deb = f.read().strip()
    except OSError:
        pass
    with open(args.patch, "rb") as f:
        phash = hashlib.sha256(f.read()).hexdigest()
    flags = cflags(args.after, KVM_OBJ)
    opt = next((f for f in flags if f.startswith("-O")), "-O?")
    cg = {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "kernel": {"version": args.kver, "debian_package": deb,
                   "source": args.src, "config": args.config,
                   "config_values": config_values(
                       os.path.join(args.after, ".config"))},
        "compiler": {"version": args.compiler,
                     "short": short_compiler(args.compiler),
                     "opt": opt, "cflags": flags},
        "patch": {"file": os.path.relpath(args.patch, TOP)
                  if args.patch.startswith(TOP) else args.patch,
                  "sha256": phash},
        "builds": {"before": {"dir": args.before,
                              "objects": [CORE_OBJ, KVM_OBJ]},
                   "after": {"dir": args.after,
                             "objects": [CORE_OBJ, KVM_OBJ]},
                   "kmod": {"dir": args.kmod,
                            "objects": [os.path.basename(o)
                                        for o in kmod_objs]}},
        "prototype": {
            "before": prototype(os.path.join(args.before, CORE_OBJ), WBINVD),
            "after": prototype(os.path.join(args.after, CORE_OBJ), WBINVD),
            "source": "DWARF of " + CORE_OBJ},
        "inlined_into": {
            s: inlined_into(os.path.join(d, KVM_OBJ), REMOVE_LEAF)
            for s, d in (("before", args.before), ("after", args.after))},
        "kernel_path": kern,
        "module_path": mod,
        "check": check(kern, mod),
        "counting": __doc__.split("What is counted (stated in codegen.txt "
                                  "too):\n")[1].strip(),
    }
    return cg


# --- output ------------------------------------------------------------------

W = textfmt.WIDTH


def _delta(v):
    return f"{v:+d}" if v else "0"


def _shape_line(what, delta, page=None, pfn=None, tail=""):
    """'  WHAT pfn - page: N insns, N loads (page I/L, pfn I/L)': delta is
    page - pfn (codegen.json's before - after), shown as pfn - page like
    the report's verdicts."""
    totals = f" (page {page['insns']}/{page['loads']}, pfn " \
        f"{pfn['insns']}/{pfn['loads']})" if page else ""
    return (f"  {what} pfn - page: {_delta(-delta['insns'])} insns, "
            f"{_delta(-delta['loads'])} loads{totals}{tail}")


def summary_lines(cg):
    """Three lines for the top of a report, each short enough for 75
    columns as written (never cut): the build, then pfn - page in
    instructions and loads per removed 4K page in the kernel (before =
    page, after = pfn) and in the module's copies."""
    if not cg:
        return []
    k, c = cg["kernel"], cg["compiler"]
    kp, ch = cg["kernel_path"], cg["check"]
    return [
        f"codegen per removed 4K page (Linux {k['version']}, {c['short']}, "
        f"{c['opt']}):",
        _shape_line("kernel", kp["delta"], kp["before"]["total"],
                    kp["after"]["total"]),
        _shape_line("module", ch["module"], tail=": equals the kernel's"
                    if ch["equal"] else ": differs from the kernel's"),
    ]


def compare_caveat(release_a, release_b):
    """Header lines for a compare of two run directories when either ran
    the pre-patch testbed kernel: its kernel release (RunDir.kernel(),
    meta.json host.kernel_release) ends in -prepatch."""
    pre = [(side, rel) for side, rel in (("A", release_a),
                                          ("B", release_b))
           if (rel or "").endswith("-prepatch")]
    if not pre:
        return []
    return textfmt.para(
        f"{' and '.join(s for s, _ in pre)} ran the pre-patch testbed "
        f"kernel ({', '.join(r for _, r in pre)}): the same tree and "
        "config with testbed/patches/pre-pfn-unmap.patch (the struct-page "
        "unmap API). Non-TDX guests never execute the patched functions "
        "and the module times its own copies of both shapes, so this A/B "
        "tests the compare workflow, not the patch. For what the patch "
        "changes in the code, see `make codegen`.")


def _path_lines(title, data, bname, aname):
    rows = []
    for r in data["roles"]:
        b, a, d = r["before"], r["after"], r["delta"]
        fb, fa = " + ".join(b["functions"]), " + ".join(a["functions"])
        rows.append([r["role"], f"{b['insns']}/{b['loads']}",
                     f"{a['insns']}/{a['loads']}",
                     f"{_delta(d['insns'])}/{_delta(d['loads'])}",
                     fb if fb == fa else f"{fb or '-'} -> {fa or '-'}"])
    tb, ta, dd = data["before"]["total"], data["after"]["total"], \
        data["delta"]
    rows.append(["total", f"{tb['insns']}/{tb['loads']}",
                 f"{ta['insns']}/{ta['loads']}",
                 f"{_delta(dd['insns'])}/{_delta(dd['loads'])}", ""])
    return [title] + textfmt.table(
        ["part", bname, aname, "diff", "functions"], rows,
        align=["l", "r", "r", "r", "l"])


def _diff_lines(data, bname, aname):
    res = []
    for r in data["roles"]:
        if not r["rows"]:
            continue
        res.append(f"  {r['role']}:")
        for left, right in r["rows"]:
            res.append(textfmt.fit(f"    {left or '.':34.34} | "
                                   f"{right or '.'}"))
    if not res:
        return ["  (none)"]
    return [f"    {bname:34} | {aname}"] + res


def render(cg):
    """codegen.txt, line by line (<= 75 columns)."""
    k, c, p = cg["kernel"], cg["compiler"], cg["patch"]
    kp, mp, ch = cg["kernel_path"], cg["module_path"], cg["check"]
    out = ["unmapbench codegen: the unmap tail before and after the PFN "
           "patch", ""]
    out += summary_lines(cg)
    out.append("")
    deb = f" ({k['debian_package']})" if k.get("debian_package") else ""
    out += textfmt.para(f"Kernel: Linux {k['version']}{deb}.")
    out += textfmt.para(f"Compiler: {c['version']}; flags: "
                        f"{' '.join(c['cflags']) or c['opt']}.")
    out += textfmt.para(f"Config: {k['config']}.")
    out += textfmt.para(f"Before: the tree with {p['file']} (sha256 "
                        f"{p['sha256'][:12]}): the struct-page API. After: "
                        "the tree as released: the PFN API.")
    out += textfmt.para("Code generation only: nothing here ran on TDX "
                        "hardware; the figures are instruction counts, not "
                        "times.")
    out.append("")
    pr = cg["prototype"]
    out.append(f"Prototype ({pr['source']}):")
    for side in ("before", "after"):
        out.append(textfmt.fit(f"  {side + ':':8}"
                               f"{proto_text(WBINVD, pr[side])}"))
    out.append("")
    out += _path_lines("Kernel: straight-line (no-error) path per removed "
                       "4K page (insns/loads):", kp, "before", "after")
    dw = cg.get("inlined_into") or {}
    out += textfmt.para(
        f"{REMOVE_LEAF} is "
        + (f"inlined into {kp['caller']['after']}" if kp["inlined"] else
           "out of line")
        + (f" (DWARF: inlined into {', '.join(dw['after'])})"
           if dw.get("after") else "")
        + ". Callees not followed (one call each): "
        + ", ".join(f"{x['function']} ("
                    + ("identical" if x["identical"] else
                       "DIFFERS" if x["identical"] is False else
                       "not built here") + ")"
                    for x in kp["not_followed"]) + ".")
    out.append("")
    out.append("Differing instructions on the path:")
    out += _diff_lines(kp, "before (struct page)", "after (PFN)")
    out.append("")
    out += _path_lines("Module: its own copies (backend tdx, unmap 4K, one "
                       "loop iteration):", mp, "page", "pfn")
    out.append("")
    out.append("Differing instructions:")
    out += _diff_lines(mp, "page shape", "pfn shape")
    out.append("")
    verdict = "EQUAL" if ch["equal"] else "DIFFERENT"
    out += textfmt.para(
        f"Check: the module's page-vs-pfn difference per 4K page is "
        f"{_delta(ch['module']['insns'])} insns, "
        f"{_delta(ch['module']['loads'])} loads; the kernel's "
        f"before-vs-after difference is {_delta(ch['kernel']['insns'])} "
        f"insns, {_delta(ch['kernel']['loads'])} loads: {verdict}. By "
        "part (kernel | module, insns/loads, and the net instruction "
        "change where it differs):")
    for r in ch["roles"]:
        kd, md = r["kernel"], r["module"]
        same = kd == md and r["kernel_change"] == r["module_change"]
        out.append(textfmt.fit(
            f"  {r['role']:7} {_delta(kd[0])}/{_delta(kd[1])} | "
            f"{_delta(md[0])}/{_delta(md[1])}"
            + ("  same" if same else "  differs")))
        if not same:
            for label, chg in (("kernel", r["kernel_change"]),
                               ("module", r["module_change"])):
                out += textfmt.para(f"{label}: " + (", ".join(chg) or
                                                    "no change"),
                                    indent="      ")
    out.append("")
    out.append("Per function, whole function (bloat-o-meter style; size "
               "in bytes):")
    s = kp["size"]
    out.append(textfmt.fit(
        f"add/remove: {s['add']}/{s['remove']} grow/shrink: "
        f"{s['grow']}/{s['shrink']} up/down: {s['up']}/{s['down']} "
        f"({s['total']})"))
    rows = []
    for f in kp["functions"]:
        b, a = f["before"], f["after"]

        def ba(key):
            return f"{b[key] if b else '-'}/{a[key] if a else '-'}"
        flag = ("*" if f["on_path"] else "") + ("" if f["differs"] else "=")
        rows.append([textfmt.fit(f["function"] + flag, 30), ba("insns"),
                     ba("loads"), ba("stores"), ba("calls"), ba("bytes")])
    out += textfmt.table(["function (before/after)", "insns", "loads",
                          "stores", "calls", "size"], rows)
    out += textfmt.para("* on the per-page path; = identical code in both "
                        "builds; every other function listed differs.")
    out.append("")
    out.append("What was counted:")
    for item in cg["counting"].split("\n- "):
        out += textfmt.para(" ".join(item.lstrip("- ").split()),
                            indent="  ")
    return [textfmt.fit(x) for x in out]


def load(run_dir):
    """codegen.json of a run directory, or None when there is none."""
    path = os.path.join(run_dir, "codegen.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        cg = json.load(f)
    if cg.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a codegen.json (schema "
                         f"{cg.get('schema')!r})")
    if cg.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: codegen schema version "
                         f"{cg.get('schema_version')}, this reads "
                         f"{SCHEMA_VERSION}")
    return cg


def _write(path, text):
    if os.path.exists(path):
        raise SystemExit(f"codegen: error: {path} exists; not overwriting")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def write_all(cg, out, args):
    _write(os.path.join(out, "codegen.json"),
           json.dumps(cg, indent=1, sort_keys=True) + "\n")
    _write(os.path.join(out, "codegen.txt"), "\n".join(render(cg)) + "\n")
    if args.into:
        return
    try:
        with open(os.path.join(TOP, "VERSION")) as f:
            version = f.read().strip()
    except OSError:
        version = "unknown"
    meta = {
        "schema_version": 2, "suite_version": version,
        "command_line": args.cmdline, "start_utc": args.start_utc,
        "end_utc": _now(), "status": "complete",
        "host": {"hostname": socket.gethostname(),
                 "kernel_release": os.uname().release},
        "codegen": {"kernel_version": cg["kernel"]["version"],
                    "debian_package": cg["kernel"]["debian_package"],
                    "compiler": cg["compiler"]["version"],
                    "opt": cg["compiler"]["opt"],
                    "cflags": cg["compiler"]["cflags"],
                    "config": cg["kernel"]["config"],
                    "config_values": cg["kernel"]["config_values"],
                    "patch": cg["patch"]["file"],
                    "patch_sha256": cg["patch"]["sha256"]},
    }
    _write(os.path.join(out, "meta.json"),
           json.dumps(meta, indent=1, sort_keys=True) + "\n")


def main(argv):
    if len(argv) >= 1 and argv[0] == "analyse":
        ap = argparse.ArgumentParser(prog="codegen.py analyse")
        for a in ("before", "after", "kmod", "src", "kver", "compiler",
                  "config", "patch", "start-utc", "out"):
            ap.add_argument("--" + a, required=True)
        ap.add_argument("--into", action="store_true",
                        help="out is another command's run directory: "
                        "add codegen.json/txt only, no meta.json")
        ap.add_argument("cmdline", nargs="*")
        args = ap.parse_args(argv[1:])
        cg = analyse(args)
        write_all(cg, args.out, args)
        return 0
    if len(argv) == 3 and argv[0] == "prototype":
        params = prototype(argv[1], argv[2])
        print(proto_text(argv[2], params))
        return 0 if params is not None else 1
    if len(argv) == 2 and argv[0] == "native":
        print("\n".join(native_lines(argv[1])))
        return 0
    if len(argv) == 2 and argv[0] == "--summary":
        cg = load(argv[1])
        if cg is None:
            print(f"codegen: error: no codegen.json in {argv[1]}",
                  file=sys.stderr)
            return 1
        print("\n".join(summary_lines(cg)))
        return 0
    if len(argv) == 1 and not argv[0].startswith("-"):
        cg = load(argv[0])
        if cg is None:
            print(f"codegen: error: no codegen.json in {argv[0]}",
                  file=sys.stderr)
            return 1
        path = os.path.join(argv[0], "codegen.txt")
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(render(cg)) + "\n")
        os.rename(path + ".tmp", path)
        print(path)
        return 0
    print(__doc__.split("\n\n")[0] + "\nusage: codegen.py RUN_DIR | "
          "--summary RUN_DIR | prototype OBJ FUNC | native BINARY | "
          "analyse ...",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
