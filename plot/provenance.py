# SPDX-License-Identifier: GPL-2.0
"""Where a run directory's figures came from, in words, from one function
(caveats()) that feeds every output: report.txt and report.md, compare
(text and --md), teardown-summary.txt, the plots' titles and
verdicts.json. Nothing emulated, simulated, native or model-backed may
read as a TDX figure, and a partial or wall-capped run is marked on every
row it touches (row_marks()), not only in a header.

    caveats(rd)        [Caveat(code, tag, short, long)], strongest first
    headline(rd)       the first line: <= 75 columns, strongest first
    row_marks(rd, ids) ["partial", "wall-capped", ...] of some runs
"""
import collections

import textfmt as tf

Caveat = collections.namedtuple("Caveat", "code tag short long")


def simulated(rd):
    """True when the module was the harness's test double."""
    m = rd.meta
    return bool((m.get("module") or {}).get("simulated") or
                (m.get("measurement") or {}).get("simulated_module") or
                m.get("simulated_module"))


def _wheres(rd):
    return sorted({r["where"] for r in rd.runs.values()})


def _status_runs(rd, word):
    return [rid for rid, r in rd.runs.items() if word in r["status"]]


def no_mapping_rows(rd):
    """Teardown rows (guests) that ran without KVM mappings to remove:
    none counted, or a status saying so (ok-no-mappings)."""
    return [t for t in rd.teardown if t["teardown_s"] is not None and
            t["vm"] != "all" and (not t["mappings_populated"] or
                                  t["status"].startswith("ok-no-mappings"))]


def caveats(rd):
    """Every caveat of the directory, strongest first: what the figures
    are not (simulated, emulated, native, in a VM, not TDX), then what is
    missing from them (partial, wall-capped, interrupted, no mappings,
    lower bounds)."""
    out = []
    emul = rd.emulations()
    backends = rd.backends()
    vmt = rd.vm_types()
    if simulated(rd):
        out.append(Caveat(
            "simulated", "SIMULATED", "SIMULATED module: NOT MEASUREMENTS",
            "The module was replaced by the harness's test double "
            "(UB_TEST_FAKE_MODULE): every module figure here is synthetic "
            "and measures nothing."))
    if "qemu-tcg" in emul:
        out.append(Caveat(
            "emulated", f"EMULATED ({','.join(emul)})",
            f"EMULATED ({','.join(emul)})",
            f"Figures here ran under emulation "
            f"({', '.join(emul)}); times are emulator times and say "
            "nothing about TDX hardware."))
    elif emul:
        out.append(Caveat(
            "vm", f"IN A VM ({','.join(emul)})",
            f"IN A VM ({','.join(emul)}): not TDX hardware",
            f"Figures here ran inside a virtual machine ({', '.join(emul)}),"
            " with no TDX: they say nothing about TDX hardware."))
    if "native" in _wheres(rd):
        out.append(Caveat(
            "native", "NATIVE",
            "NATIVE userspace (null backend): API shapes only, not "
            "kernel, not TDX",
            "NATIVE userspace (null backend): API shapes only, not kernel, "
            "not TDX. The module's portable code ran in the harness's "
            "process, with interrupts and preemption not controlled."))
    non = [b for b in backends if b != "tdx"]
    if non:
        out.append(Caveat(
            "not-tdx", "NOT TDX", f"NOT TDX ({'/'.join(non)} backend)",
            f"Module figures come from the {'/'.join(non)} backend (no "
            "SEAMCALL, no TDX module): they price the API shapes and a "
            "model of the work, not TDX hardware."))
    nvt = [v for v in vmt if v != "tdx"]
    if nvt:
        out.append(Caveat(
            "non-tdx-guests", "NON-TDX GUESTS",
            f"NON-TDX GUESTS ({','.join(nvt)})",
            f"Teardown ran {', '.join(nvt)} guests, not TDs: no S-EPT, "
            "WBINVD or reset was on its path."))
    if not out:
        what = ["module figures come from the tdx backend (real "
                "SEAMCALL)"] if backends else []
        if vmt:
            what.append("teardown ran TDX guests")
        out.append(Caveat("tdx", "TDX", "TDX hardware figures",
                          "TDX hardware figures: " + "; ".join(what) + "."))
    if not rd.complete:
        out.append(Caveat(
            "partial", "PARTIAL", "PARTIAL run",
            f"PARTIAL run directory: status: {rd.status}. Every row from "
            "it is marked partial."))
    for word, code, why in (("wall_cap", "wall-capped", "stopped at the "
                             "wall-time cap before their rounds were done"),
                            ("signal", "interrupted", "were stopped by a "
                             "signal")):
        runs = _status_runs(rd, word)
        if runs:
            out.append(Caveat(
                code, code.upper(), f"{code.upper()} ({len(runs)} runs)",
                f"{len(runs)} run(s) {why}; their rows are marked "
                f"{code}."))
    nm = no_mapping_rows(rd)
    if nm:
        out.append(Caveat(
            "no-mappings", "NO MAPPINGS", f"NO MAPPINGS ({len(nm)} guests)",
            f"{len(nm)} teardown guest(s) had no KVM mappings (memory only "
            "fallocated, or KVM's stats unreadable): they show no "
            "per-page figure."))
    lb = [t for t in rd.teardown if t["vm_type"] == "tdx" and
          t["populate"] == "prefault"]
    if lb:
        out.append(Caveat(
            "lower-bound", "LOWER BOUND", "TD pages never accepted: LOWER "
            "BOUND", "Pre-faulted TD pages were added (TDH.MEM.PAGE.AUG) "
            "but never accepted by the guest: their teardown is a lower "
            "bound."))
    return out


def provenance(rd):
    """(short phrase, long explanation): the strongest caveat's phrase
    and every caveat's explanation."""
    cs = caveats(rd)
    return cs[0].short, " ".join(c.long for c in cs)


def headline(rd, kernels=None, width=tf.WIDTH):
    """First line: the caveats, strongest first, then host, kernel and
    backend as far as they fit in width columns."""
    return line(caveats(rd), rd.hostname(), kernels or rd.kernel(),
                backend_desc(rd, "vm:"), width)


def line(cs, host, kern, be, width=tf.WIDTH):
    """The caveats, strongest first, then ' | host kernel backend', in 75
    columns: every caveat in full when it fits, else the first in full
    and the rest by tag, host and kernel shortened as needed; without
    room for them, the caveats alone (with '+N' for tags that do not
    fit). The strongest caveat is always in full."""
    full = "; ".join(c.short for c in cs)
    tags = "; ".join([cs[0].short] + [c.tag for c in cs[1:]])
    for head in (full, tags):
        for hmax, kmax, b in ((99, 99, 1), (24, 30, 1), (99, 99, 0),
                              (16, 22, 0), (12, 16, 0)):
            h = host if len(host) <= hmax else host[:hmax - 1] + "~"
            k = kern if len(kern) <= kmax else kern[:kmax - 1] + "~"
            cand = f"{head} | {h} {k}" + (f" {be}" if b else "")
            if len(cand) <= width:
                return cand
    if len(tags) <= width:
        return tags
    out = cs[0].short
    for i, c in enumerate(cs[1:], 1):
        left = len(cs) - i - 1
        more = f"; {c.tag}"
        if len(out) + len(more) + (len(f" +{left}") if left else 0) > \
                width:
            return tf.fit(out + f" +{len(cs) - i}", width)
        out += more
    return tf.fit(out, width)


def backend_desc(rd, guests="guests "):
    """The module backends, else the guests' VM types."""
    return ",".join(rd.backends()) or (guests + ",".join(rd.vm_types()))


def subtitle(rd, width=110):
    """Second line of a plot title: the headline, in the width a plot's
    title holds (the strongest caveat always in full)."""
    return headline(rd, width=width)


def row_marks(rd, run_ids):
    """Marks every row computed from these runs carries: partial (the
    directory is), wall-capped / interrupted (a run was), short (a run
    did fewer rounds than asked)."""
    marks = []
    if not rd.complete:
        marks.append("partial")
    runs = [rd.runs[r] for r in run_ids if r in rd.runs]
    if any("wall_cap" in r["status"] for r in runs):
        marks.append("wall-capped")
    if any("signal" in r["status"] for r in runs):
        marks.append("interrupted")
    if any(r["rounds_done"] < r["rounds"] for r in runs) and \
            "wall-capped" not in marks and "interrupted" not in marks:
        marks.append("short")
    return marks


def mark_text(marks):
    return "".join(f" [{m}]" for m in marks)


def as_json(rd):
    """The provenance of verdicts.json."""
    return dict(headline=headline(rd), host=rd.hostname(),
                kernel=rd.kernel(), backends=rd.backends(),
                emulation=rd.emulations(), where=_wheres(rd),
                vm_types=rd.vm_types(), complete=rd.complete,
                status=rd.status,
                caveats=[dict(code=c.code, text=c.long) for c in
                         caveats(rd)])
