# SPDX-License-Identifier: GPL-2.0
"""Write RUN_DIR/report.txt (<= 75 columns, for a patch mail),
RUN_DIR/report.md, RUN_DIR/verdicts.json, the plots in RUN_DIR/plots/
and, when the directory has teardown rows, RUN_DIR/teardown-summary.txt.

usage: python3 plot/report.py RUN_DIR [--margin-ns NS] [--no-plots]
       [--all-plots] [--boot 1000] [--seed 1] [--first-screen]

report.txt opens with the first screen (first_screen(): at most 25
lines of at most 75 ASCII columns): provenance, the codegen summary when
there is one, the patch verdict per path and granule of the headline
configuration with its absolute change, CI and A/A floor, the
extrapolation to 18, 107 and 400 GiB guests, and the single-guest
teardown table; everything else follows. After writing the files,
report.py prints the path of report.txt, or with --first-screen exactly
the first screen, on stdout (what make bench, make vm-bench and the
harness's commands show when they finish).

The codegen summary: build(..., codegen=f) calls f(rd) -> [lines] (at
most CODEGEN_LINES lines of <= 75 columns, or []) and puts them on the
first screen after the provenance line; main() passes CODEGEN
(codegen_summary(): codegen.json's summary, or for a native run the
counts of the binary that ran).

Files are written atomically. A directory that does not load is one line
on stderr, exit 1, and the reports of an earlier run of the directory are
removed (nothing stale may look current); wrong arguments exit 2.
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import codegen  # noqa: E402
import instrument  # noqa: E402
import micro  # noqa: E402
import patch  # noqa: E402
import plots as P  # noqa: E402
import pmu  # noqa: E402
import provenance  # noqa: E402
import published  # noqa: E402
import rundir  # noqa: E402
import stats  # noqa: E402
import teardown  # noqa: E402
import textfmt as tf  # noqa: E402

REPORTS = ("report.txt", "report.md", "verdicts.json")
# A run with micro and teardown rows fits a 35-line terminal: the micro
# verdicts take about 22 lines, teardown's shortened table the rest.
FIRST_SCREEN = 34
CODEGEN_LINES = 3


def codegen_summary(rd):
    """The codegen summary of the run directory (codegen.json, written by
    make codegen --into / make bench KSRC= / make vm-bench), or for a
    native run the page-vs-pfn difference counted in the binary that ran
    (meta.json module.object), or []."""
    try:
        cg = codegen.load(rd.path)
    except (ValueError, KeyError, TypeError) as e:
        raise rundir.RunDirError(f"{rd.file('codegen.json')}: {e}") from None
    if cg:
        return codegen.summary_lines(cg)
    obj = (rd.meta.get("module") or {}).get("object")
    if isinstance(obj, str) and os.path.isfile(obj):
        try:
            return codegen.native_lines(obj)
        except (SystemExit, OSError, ValueError):
            return []   # not the binary that ran any more
    return []


CODEGEN = codegen_summary  # f(rd) -> [lines]: the codegen summary
VERDICTS_FORMAT = "unmapbench-verdicts"
VERDICTS_VERSION = 1
EXTRAPOLATE_GIB = tuple(g for _, g, _, _ in published.TEARDOWN)
MARKS = {"partial": "P", "wall-capped": "W", "interrupted": "I",
         "short": "S"}


# ------------------------------------------------------------ helpers

def cfg_desc(key, keys, skip=("granule",)):
    """The varying parameters of a configuration, short."""
    d = dict(key)
    return " ".join(f"{s}={micro._fmt(d[k])}" for k, s in
                    micro.varying(keys) if k not in skip) or "-"


def headline_unmap(an, granule="4k"):
    """The headline row extrapolated: unmap (the whole tail) at 4K, else
    the first headline row of the granule."""
    rows = [r for r in an.headline if r["granule"] == granule and r["res"]]
    for r in rows:
        if r["path"] == "unmap":
            return r
    return rows[0] if rows else None


def marks_short(r):
    return "".join(f"[{MARKS[m]}]" for m in r["marks"])


def _finite(v):
    return v if v is not None and math.isfinite(v) else None


# ------------------------------------------------------------ first screen

def first_screen(rd, an, codegen_lines=()):
    """At most FIRST_SCREEN lines of at most 75 ASCII columns."""
    L = [provenance.headline(rd)]
    L += [tf.fit(x) for x in list(codegen_lines)[:CODEGEN_LINES]]
    rows = [r for r in an.headline]
    if rows:
        fam = an.family["patch"]
        L.append(f"pfn (7.2) - page: total time per 4K page, 95% CI; Holm "
                 f"over {fam['rows']} rows")
        L.append(tf.fit(f"({fam['configurations']} configs). Shown: "
                        f"{micro.describe(rows[0]['key'])}"))
        body = []
        for r in rows:
            res = r["res"]
            g = r["granule"] + ("*" if r["granule"] == "2m" else "")
            if not res:
                body.append([r["path"], g, "-", "-", "-", "-",
                             r["short"] + marks_short(r)])
                continue
            body.append([r["path"], g,
                         tf.est_ci(res["diff"], res["diff_lo"],
                                   res["diff_hi"]),
                         tf.sig(patch.cycles(r, res["diff"]), 2),
                         tf.pct(res["rel"]),
                         tf.sig(r["floor_ns"], 2, False),
                         r["short"] + ("!" if r["disagree"] else "") +
                         marks_short(r)])
        t = tf.table(["path", "gran", "ns/page [95% CI]", "cyc", "%",
                      "floor", "verdict"], body,
                     ["l", "l", "l", "r", "r", "r", "l"])
        L += t[:1] + t[2:]
        notes = []
        if any(r["granule"] == "2m" for r in rows):
            notes.append(f"*2m = {rd.schema.pages_per_2m} x 4K removals "
                         "(as 7.2).")
        notes.append(an.margin.line())
        if any(r["disagree"] for r in rows):
            notes.append("! median per-op time moves the other way.")
        used = sorted({m for r in rows for m in r["marks"]})
        if used:
            notes.append("Marks: " + ", ".join(f"[{MARKS[m]}] {m}"
                                               for m in used) + ".")
        if any(r["res"] and r["res"]["level"] != "run" for r in rows):
            notes.append("1 run: CI lacks run-to-run variance (--repeat "
                         "3).")
        if any(p["found"] for p in an.positions):
            notes.append("ORDER: a position effect was found (see report).")
        L += tf.para(" ".join(notes))
        L += extrapolation(rd, an, short=True)
    if instrument.applicable(rd):
        try:
            L += instrument.summary(instrument.analyse(rd))
        except (instrument.NotApplicable, ValueError, ZeroDivisionError):
            pass    # the details say why (instrument_lines)
    td = teardown.first_screen(rd, FIRST_SCREEN - len(L) - 1) \
        if rd.teardown else []
    L += td
    L = [tf.fit(x) for x in L][:FIRST_SCREEN - 1]
    L.append("Details below, in report.md and verdicts.json.")
    L = L[:FIRST_SCREEN]
    return [x.encode("ascii", "replace").decode("ascii") for x in L]


def extrapolation(rd, an, short=False):
    """The headline change over whole-guest teardowns, labelled as an
    extrapolation, with the published before/after seconds for scale."""
    r = headline_unmap(an)
    if not r:
        return []
    res = r["res"]
    pb = rd.schema.page_bytes
    L = [tf.fit(f"Extrapolated {r['path']} {r['granule']} change x 4K "
                "pages, 1 thread; published (other patch):")] if short \
        else \
        tf.para(f"Extrapolation (not a measurement): the {r['path']} "
                f"{r['granule']} change in total time per 4K page, times "
                "the 4K pages of a guest, as one teardown thread pays it; "
                f"beside it, the published seconds of {published.SOURCE} "
                f"({published.WHAT}), another patch's figures for scale.")
    for vc, gib, before, after in published.TEARDOWN:
        e = published.extrapolate(res["diff"], gib, pb)
        lo = published.extrapolate(_finite(res["diff_lo"]), gib, pb)
        hi = published.extrapolate(_finite(res["diff_hi"]), gib, pb)
        L.append(tf.fit(f"  {gib:3d} GiB: {tf.est_ci(e, lo, hi, 2)} s   "
                        f"published {before:g} -> {after:g} s"))
    return L


# ------------------------------------------------------------ body blocks
# A block is ("para", text), ("lines", [lines]) or ("table", title,
# headers, rows, align); render_txt and render_md turn blocks into
# report.txt and report.md, so both say the same.

def patch_blocks(rd, an):
    rows = an.ab
    if not rows:
        return []
    keys = list(an.groups)
    fam = an.family["patch"]
    B = [("head", "Patch verdict: pfn (Linux 7.2) vs page (pre-patch), "
          "all configurations"),
         ("para", f"Change = pfn - page in total (mean) time per 4K page, "
          f"with its 95% CI; the verdict uses it. Family: {fam['rows']} "
          f"rows ({fam['configurations']} configurations x paths x "
          "granules), Holm-adjusted: faster/slower needs adjusted p < "
          "0.05 and a CI clear of the A/A floor (the larger |change| of "
          "the path's two A/A controls: what layout alone does); "
          f"'same within M' needs the 95% CI inside +-{an.margin.ns:.3g} "
          f"ns/page ({an.margin.source}), Holm-adjusted. 2m rows are "
          f"{rd.schema.pages_per_2m} 4K removals per op, per 4K page "
          "here.")]
    body, det = [], []
    one = len({r["key"] for r in rows}) <= len({r["granule"] for r in rows})
    cfg_col = [] if one else ["config"]
    for r in rows:
        res = r["res"]
        cfg = [] if one else [cfg_desc(r["key"], keys)]
        mk = provenance.mark_text(r["marks"])
        if not res:
            body.append(cfg + [r["path"], r["granule"], "-", "-",
                               r["text"] + mk])
            continue
        body.append(cfg + [r["path"], r["granule"],
                           tf.est_ci(res["diff"], res["diff_lo"],
                                     res["diff_hi"]),
                           tf.sig(r["floor_ns"], 2, False),
                           r["short"] + ("!" if r["disagree"] else "") + mk])
        cyc = [patch.cycles(r, res[k]) for k in ("diff", "diff_lo",
                                                  "diff_hi")]
        det.append(cfg + [r["path"], r["granule"],
                          tf.est_ci(*cyc, 2) if cyc[0] is not None else "-",
                          tf.est_ci(res["rel"], res["rel_lo"],
                                    res["rel_hi"], 2),
                          tf.est_ci(res["med_diff"], res["med_lo"],
                                    res["med_hi"], 2),
                          tf.pval(r["p_holm"])])
    al = ["l"] * len(cfg_col)
    B.append(("table", None, cfg_col + ["path", "gran", "ns/page [95% CI]",
                                        "floor", "verdict"], body,
              al + ["l", "l", "l", "r", "l"]))
    levels = sorted({f"{r['res']['level']} ({r['res']['units']} units, "
                     f"{r['res']['df']:.3g} df)" for r in rows if r["res"]})
    B.append(("table", "Details: the change in TSC cycles per page, in % "
              "of page's mean, and in median per-op time (ns/page); Holm p."
              " CIs from the level: " + "; ".join(levels) + ".",
              cfg_col + ["path", "gran", "cycles", "% of page", "median ns",
                         "p Holm"], det,
              al + ["l", "l", "l", "l", "l", "r"]))
    dis = [r for r in rows if r.get("disagree")]
    if dis:
        B.append(("para", "! total time and median per-op time move in "
                  "opposite directions for " + ", ".join(
                      f"{r['path']} {r['granule']} ({cfg_desc(r['key'], keys)})"
                      for r in dis) + ": the op is bimodal or heavy-tailed; "
                  "the verdict follows total time, what teardown pays."))
    for r in rows:
        if r["code"] == "inconclusive":
            B.append(("para", f"{r['path']} {r['granule']} "
                      f"({cfg_desc(r['key'], keys)}): {r['text']}."))
    return B


def aa_blocks(an):
    if not an.aa:
        return []
    keys = list(an.groups)
    body = []
    for r in an.aa:
        res = r["res"]
        body.append([cfg_desc(r["key"], keys), r["path"], r["granule"],
                     r["kind"][3:],
                     tf.est_ci(res["diff"], res["diff_lo"], res["diff_hi"])
                     if res else "-",
                     r["short"] + provenance.mark_text(r["marks"])])
    tested = [r for r in an.aa if r["res"]]
    diff = sum(1 for r in tested if r["code"] == "differs")
    return [("head", "A/A controls: a variant against its byte-identical "
             "twin"),
            ("para", f"Each row is what layout alone does (the twin runs at "
             f"its own replicas); tested one by one at 95%: {diff} of "
             f"{len(tested)} differ (about 5% expected by chance). "
             "ns per 4K page."),
            ("table", None, ["config", "path", "gran", "twin of",
                             "ns/page [95% CI]", "result"], body,
             ["l", "l", "l", "l", "l", "l"])]


def range_blocks(rd, an):
    if not an.range:
        return []
    keys = list(an.groups)
    body = []
    for r in an.range:
        res = r["res"]
        body.append([cfg_desc(r["key"], keys), r["path"],
                     tf.num(res["mean_a"]) if res else "-",
                     tf.num(res["mean_b"]) if res else "-",
                     tf.est_ci(res["diff"], res["diff_lo"], res["diff_hi"])
                     if res else "-",
                     r["short"] + provenance.mark_text(r["marks"])])
    fam = an.family["range"]
    return [("head", "Range API: hypothetical huge-page path, not in "
             "Linux 7.2"),
            ("para", "One reset call per 2M folio (shape range) against the "
             f"7.2 pfn shape's {rd.schema.pages_per_2m} 4K calls, ns per 2M "
             "op (never per page: "
             "Linux 7.2 never runs it). Outside the patch verdict and the "
             f"summary; Holm over its own {fam['rows']} rows."),
            ("table", None, ["config", "path", "pfn ns/op", "range ns/op",
                             "range-pfn [95% CI]", "result"], body,
             ["l", "l", "r", "r", "l", "l"])]


def variance_blocks(an):
    rows = [r for r in an.headline if r.get("comp")]
    if not rows:
        return []
    body = []
    advice = []
    for r in rows:
        c = r["comp"]
        sd = [math.sqrt(v) if v is not None else None
              for v in (c["var_run"], c["var_placement"], c["var_round"])]
        sh = c["share"]
        body.append([f"{r['path']} {r['granule']}",
                     tf.sig(sd[0], 2, False) if sd[0] is not None else
                     "1 run", tf.sig(sd[1], 2, False), tf.sig(sd[2], 2, False),
                     "/".join(f"{100 * sh[k]:.0f}" for k in
                              ("run", "placement", "round"))])
        pl = stats.plan(c)
        if pl:
            advice.append(
                f"{r['path']} {r['granule']}: twice the runs narrow its CI "
                f"to {100 * pl['runs']:.0f}%, twice the rounds to "
                f"{100 * pl['rounds']:.0f}%")
    B = [("head", "Where the variance is (Kalibera and Jones)"),
         ("para", "Standard deviation of the per-page change (ns) at each "
          "level: run (boot; needs 2+ runs), placement (layout replica, "
          "per variant), round; and each level's share of the variance of "
          "the estimate, in % (run/placement/round). Headline "
          "configuration."),
         ("table", None, ["row", "sd run", "sd placement", "sd round",
                          "share %"], body, ["l", "r", "r", "r", "r"])]
    if advice:
        B.append(("para", "; ".join(advice) + ". Replicas per run are "
                  "fixed by the module: only more runs (--repeat) shrink "
                  "the placement part."))
    return B


def order_blocks(an):
    if not an.positions:
        return []
    keys = list(an.groups)
    found = [p for p in an.positions if p["found"]]
    B = [("head", "Order")]
    if not found:
        B.append(("para", f"No position effect found (F test of position "
                  f"in an additive fit of log time on round, variant x "
                  f"replica and position; Holm over "
                  f"{len(an.positions)} configurations)."))
        return B
    for p in found:
        t = p["test"]
        worst = max(t["effects"].items(), key=lambda kv: abs(kv[1]))
        B.append(("para", f"POSITION EFFECT in {cfg_desc(p['key'], keys)}"
                  f": F({t['df1']},{t['df2']}) = {t['F']:.2f}, Holm p = "
                  f"{tf.pval(p['p_holm'])}; position {worst[0]} is "
                  f"{tf.pct(worst[1])} against the mean. The order is "
                  "counterbalanced, so it widens the CIs but does not bias "
                  "them."))
    return B


def context_blocks(rd, an):
    rows = [r for r in an.headline if r["res"]]
    if not rows:
        return []
    B = [("head", "Context")]
    lines = []
    for g in ("4k", "2m"):
        gr = [r for r in rows if r["granule"] == g]
        if not gr:
            continue
        rids = gr[0]["runs"]
        name = micro.find(rd, rids, "wbinvd", "pfn", g)
        s = name and micro.variant_stats(rd, rids, name)
        ppo = name and micro.pages_per_op(rd, rids, name)
        if not s or not ppo or s.get("mean") is None:
            continue
        prim = s["mean"] / ppo
        backend = dict(gr[0]["key"])["backend"]
        what = {"tdx": "SEAMCALL TDH.PHYMEM.PAGE.WBINVD, measured",
                "model": "a CLFLUSHOPT/CLFLUSH model, not SEAMCALL",
                "null": "an empty call: the API shape alone"}.get(
                    backend, backend)
        lines.append(f"Per 4K page at {g}, the WBINVD primitive the unmap "
                     f"tail rides on costs {tf.num(prim)} ns here ({what}).")
        for r in gr:
            d = r["res"]["diff"]
            lines.append(f"  {r['path']} {g}: change {tf.sig(d)} ns/page = "
                         f"{tf.pct(100 * d / prim)} of it.")
    B += [("lines", [y for x in lines for y in tf.para(x)])]
    B += [("lines", extrapolation(rd, an))]
    return B


def variant_blocks(rd):
    gs = micro.groups(rd)
    if not gs:
        return []
    keys = list(gs)
    B = [("head", "Per variant, ns per op"),
         ("para", "n = timed batches from hist.csv, else rounds from "
          "samples.csv; mean, CV and min from micro.csv.")]
    for key, rids in gs.items():
        t1 = []
        for v in micro.sorted_variants(rd, rids):
            s = micro.variant_stats(rd, rids, v.name)
            if not s:
                continue
            t1.append([v.name, s["n"], tf.num(s["median"]), tf.num(s["mean"]),
                       tf.pct(100 * s["cv"], False, 1)
                       if s.get("cv") is not None else "-",
                       tf.num(s["p10"]), tf.num(s["p90"]), tf.num(s["p99"])])
        B.append(("table", f"[{cfg_desc(key, keys, ())}]",
                  ["variant", "n", "median", "mean", "CV", "p10", "p90",
                   "p99"], t1, None))
    return B


def ground_blocks(rd):
    """Ground truth: k dependent adds must cost ~k core cycles."""
    gs = micro.groups(rd)
    for key, rids in gs.items():
        pts = []
        for v in micro.variants_of(rd, rids).values():
            if v.path == "ground":
                s = micro.variant_stats(rd, rids, v.name)
                m = s and (s["median"] if s["median"] is not None
                           else s["mean"])
                if m is not None:
                    pts.append((v.param, m))
        if len(pts) >= 2:
            pts.sort()
            icpt, slope = stats.linfit([p[0] for p in pts],
                                       [p[1] for p in pts])
            k = rd.tsc_khz(rids[0])
            cyc = f" = {slope * k / 1e6:.3f} TSC cycles" if k else ""
            return [("para",
                     f"Ground truth ({cfg_desc(key, list(gs), ())}): "
                     f"{', '.join(f'{a} adds {tf.num(b)} ns' for a, b in pts)}"
                     f"; slope {slope:.4g} ns/add{cyc}, intercept "
                     f"{tf.num(icpt)} ns (timer residue).")]
    return []


PMU_LABEL = {"instructions": "insns", "core_cycles": "core cyc",
             "l1d_misses": "L1D miss"}


def pmu_blocks(rd, an):
    """PMU counts per 4K page, page vs pfn, per configuration (pmu.py),
    or the reason once when none was counted; APERF/MPERF beside."""
    if not rd.micro:
        return []
    keys = list(an.groups)
    B = [("head", "PMU counts per 4K page: page vs pfn")]
    why = pmu.not_counted(rd)
    reasons = "; ".join(w + (f" ({n} runs)" if len(why) > 1 else "")
                        for w, n in why)
    emul = (" QEMU's emulator (TCG) offers no hardware PMU, so none is "
            "expected there.") if "qemu-tcg" in rd.emulations() else ""
    rows = pmu.summarize(rd)
    if not rows:
        asked = any(r["pmu_reason"] or r["pmu"] for r in rd.runs.values())
        B.append(("para", "No PMU counts: the PMU was unavailable (runs.csv"
                  f" pmu_reason: {reasons})." + emul if asked else
                  "No PMU counts: none was asked for (micro --no-pmu)."))
    else:
        B.append(("para", "Instructions, core cycles and L1D read misses "
                  "the PMU counted over each variant's timed batches (an "
                  "empty timer bracket's count subtracted), per 4K page; "
                  "page and pfn: the mean over runs; pfn - page: the mean "
                  "of the per-run differences, with a 95% t interval over "
                  "runs from 2 runs on (one run: no interval). Core "
                  "cycles run at the core's clock, not the TSC's." +
                  (" Native runs count user mode only." if "native" in
                   {dict(k)["where"] for k in keys} else "")))
        for key in keys:
            body = []
            for r in (x for x in rows if x["key"] == key):
                first = True
                for c, f in r["counters"].items():
                    ch = tf.est_ci(f["change"], *f["ci"]) if f["ci"] \
                        else f"{tf.sig(f['change'])} (1 run)"
                    body.append([r["path"] if first else "",
                                 r["granule"] if first else "",
                                 PMU_LABEL[c], tf.num(f["page"]),
                                 tf.num(f["pfn"]), f["runs"],
                                 ch + (provenance.mark_text(r["marks"])
                                       if first else "")])
                    first = False
            if body:
                B.append(("table", f"[{cfg_desc(key, keys, ())}]"
                          if len(keys) > 1 else None,
                          ["path", "gran", "count", "page", "pfn", "runs",
                           "pfn-page [95% CI]"], body,
                          ["l", "l", "l", "r", "r", "r", "l"]))
        if why:
            B.append(("para", f"Counters missing (runs.csv pmu_reason): "
                      f"{reasons}." + emul))
        B += pmu_codegen_blocks(rd, rows)
    B += aperf_blocks(rd, keys)
    return B


def pmu_codegen_blocks(rd, rows):
    """codegen.json's static instruction counts beside the instructions
    the PMU counted (headline configuration, unmap 4K), when both are
    there."""
    try:
        cg = codegen.load(rd.path)
    except (ValueError, KeyError, TypeError):
        return []
    pick = micro.headline_group(micro.groups(rd), "4k")
    r = next((x for x in rows if pick and x["key"] == pick[0] and
              x["path"] == "unmap" and x["granule"] == "4k"), None)
    f = r and r["counters"].get("instructions")
    if not cg or not f:
        return []
    ch = cg["check"]
    got = tf.est_ci(f["change"], *f["ci"]) if f["ci"] else \
        f"{tf.sig(f['change'])} (1 run)"
    return [("para", "Beside codegen.json (instructions on the no-error "
             "path per removed 4K page, counted in the code, pfn - page): "
             f"kernel {-ch['kernel']['insns']:+d}, module "
             f"{-ch['module']['insns']:+d} (its tdx backend's copy); the "
             f"PMU counted {got} instructions per page for unmap 4k here "
             f"({micro.describe(r['key'])}).")]


def aperf_blocks(rd, keys):
    """APERF/MPERF per configuration, said what it is; absent values
    said so."""
    am = pmu.aperf_mperf(rd)
    what = ("APERF/MPERF, the effective-frequency ratio (the thread's "
            "CPU's core clock over the TSC's rate, per thread over its "
            "whole run, while not idle; 1: it ran at the TSC's rate; far "
            "from 1: the frequency changed, turbo or throttling, and TSC "
            "cycles are not core cycles)")
    if not any(a["values"] for a in am):
        return [("para", what + ": not recorded (micro.csv aperf_mperf is "
                 "empty for every thread: the MSRs were unreadable where "
                 "it ran" + ("; native runs cannot read them" if "native"
                             in {dict(k)["where"] for k in keys} else "")
                 + ").")]
    far = sum(a["far"] for a in am)
    n = sum(a["values"] for a in am)
    body = [[cfg_desc(a["key"], keys, ()), f"{a['values']} of "
             f"{a['threads']}", tf.num(a["min"]), tf.num(a["median"]),
             tf.num(a["max"])] for a in am]
    return [("para", what + f": {far} of {n} threads read are more than "
             f"{100 * pmu.FAR:g}% from 1."),
            ("table", None, ["config", "threads read", "min", "median",
                             "max"], body, ["l", "r", "r", "r", "r"])]


def counters_blocks(rd):
    if not rd.counters:
        return []
    unavail = sorted({c["counter"] for c in rd.counters
                      if c["value"] == "unavailable"})
    have = sorted({c["counter"] for c in rd.counters
                   if c["value"] != "unavailable"})
    B = []
    if have:
        B.append(("para", "Counters recorded: " + ", ".join(have) +
                  " (counters.csv)."))
    if unavail:
        B.append(("para", "Counters unavailable on this host: " +
                  ", ".join(unavail) + "."))
    return B


METHODS = (
    "Methods. Every round runs every variant once, in a counterbalanced "
    "order (Williams design under random relabelling), each at one of its "
    "byte-identical layout replicas; per-op time = round total / ops, "
    "threads of a round summed. A row pairs two variants' rounds. The "
    "estimate is the change in total (mean) time per 4K page, each run "
    "weighted equally; the change in median per-op time is shown beside "
    "it. The CI comes from the top level of run > placement > round that "
    "varies (Kalibera and Jones, ISMM 2013): 2+ runs: the spread of the "
    "per-run changes (a bootstrap over runs, exactly), t with runs-1 "
    "degrees of freedom; 1 run: the rounds plus the replica components of "
    "both variants (layout as a random effect), t with replicas-1; a "
    "single replica: the rounds. Verdicts: Holm over the family of patch "
    "rows; faster/slower needs the CI clear of the A/A floor and of the "
    "values' resolution; equivalence needs the 95% CI inside the absolute "
    "margin. A/A rows are tested one by one. The position test is an F "
    "test of position in an additive fit of log per-op time on round, "
    "variant x replica and position, Holm over configurations.")


def render_txt(blocks):
    L = []
    for b in blocks:
        if b[0] == "head":
            L += ["", b[1], "-" * min(len(b[1]), tf.WIDTH)]
        elif b[0] == "para":
            L += tf.para(b[1])
        elif b[0] == "lines":
            L += b[1]
        else:
            _, title, hdr, rows, al = b
            if title:
                L += tf.para(title)
            L += tf.table(hdr, rows, al)
    return [tf.fit(x) for x in L]


def render_md(blocks):
    L = []
    for b in blocks:
        if b[0] == "head":
            L += ["", f"## {b[1]}", ""]
        elif b[0] == "para":
            L += [b[1], ""]
        elif b[0] == "lines":
            L += ["```"] + b[1] + ["```", ""]
        else:
            _, title, hdr, rows, _ = b
            if title:
                L += [title, ""]
            L += tf.md_table(hdr, rows) + [""]
    return L


def instrument_lines(rd, log):
    """instrument.txt (plot/instrument.py) when present, without its
    provenance line; written first when the directory holds ground ops
    timed with both timers."""
    p = os.path.join(rd.path, "instrument.txt")
    if not os.path.exists(p) and instrument.applicable(rd):
        try:
            instrument.write(rd)
        except (instrument.NotApplicable, ValueError,
                ZeroDivisionError) as e:
            log(f"report: instrument figures skipped: {e}")
    if not os.path.exists(p):
        return []
    with open(p, encoding="utf-8", errors="replace") as f:
        lines = f.read().rstrip("\n").split("\n")
    # its provenance line is the report's first line already
    return lines[1:] if lines[0] == provenance.headline(rd) else lines


def teardown_blocks(rd):
    if not rd.teardown:
        return []
    per = teardown.summarize(rd)
    return [("head", "Guest teardown"),
            ("lines", teardown.table(rd, per) + teardown.fit_lines(rd, per))]


# ------------------------------------------------------------ JSON

def _clean(v):
    """JSON-safe: inf/nan -> None, tuples -> lists."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def row_json(r, headline=False):
    res = r["res"] or {}
    out = dict(kind=r["kind"], config=dict(r["key"]), path=r["path"],
               granule=r["granule"], a=r["a"], b=r["b"], unit=r["unit"],
               runs=r["runs"], rounds=r["n_rounds"],
               pages_per_op=r["pages_per_op"], level=res.get("level"),
               units=res.get("units"), df=res.get("df"),
               mean_a=res.get("mean_a"), mean_b=res.get("mean_b"),
               verdict=r["code"], verdict_text=r["text"],
               disagree=r.get("disagree", False), marks=r["marks"],
               headline=headline)
    if res:
        out["total"] = dict(
            change=res["diff"], ci=[res["diff_lo"], res["diff_hi"]],
            se=res["diff_se"], p=res["p"], p_holm=r.get("p_holm"),
            change_pct=res["rel"], ci_pct=[res["rel_lo"], res["rel_hi"]],
            change_cycles=patch.cycles(r, res["diff"]),
            ci_cycles=[patch.cycles(r, res["diff_lo"]),
                       patch.cycles(r, res["diff_hi"])])
        out["median"] = dict(a=res["med_a"], b=res["med_b"],
                             change=res["med_diff"],
                             ci=[res.get("med_lo"), res.get("med_hi")],
                             p=res.get("med_p"))
        out["resolution"] = res["step"]
    if r["kind"] == "ab":
        out["floor"] = r.get("floor_ns")
        out["equivalence_p"] = res.get("p_eq")
        out["equivalence_p_holm"] = r.get("p_eq_holm")
        c = r.get("comp")
        if c:
            out["variance"] = dict(run=c["var_run"],
                                   placement=c["var_placement"],
                                   round=c["var_round"], share=c["share"],
                                   plan=stats.plan(c))
    return out


def verdicts_json(rd, an):
    """verdicts.json (format VERDICTS_FORMAT, version VERDICTS_VERSION;
    described in plot/VERDICTS.md)."""
    hl = {id(r) for r in an.headline}
    doc = dict(format=VERDICTS_FORMAT, version=VERDICTS_VERSION,
               run_dir=rd.name, schema_version=rd.schema.version,
               provenance=provenance.as_json(rd),
               margin=dict(ns_per_page=an.margin.ns, source=an.margin.source,
                           kind=an.margin.kind),
               family=an.family,
               patch=[row_json(r, id(r) in hl) for r in an.ab],
               aa=[row_json(r) for r in an.aa],
               range=[row_json(r) for r in an.range],
               positions=[dict(config=dict(p["key"]), F=p["test"]["F"],
                               df1=p["test"]["df1"], df2=p["test"]["df2"],
                               p=p["test"]["p"], p_holm=p["p_holm"],
                               found=p["found"],
                               effects_pct=p["test"]["effects"])
                          for p in an.positions])
    r = headline_unmap(an)
    if r:
        res = r["res"]
        pb = rd.schema.page_bytes
        doc["extrapolation"] = dict(
            row=dict(path=r["path"], granule=r["granule"]),
            label="extrapolation, not a measurement",
            guests=[dict(gib=gib, vcpus=vc,
                         seconds=published.extrapolate(res["diff"], gib, pb),
                         ci=[published.extrapolate(_finite(res["diff_lo"]),
                                                   gib, pb),
                             published.extrapolate(_finite(res["diff_hi"]),
                                                   gib, pb)],
                         published_before_s=b, published_after_s=a,
                         published_source=published.SOURCE)
                    for vc, gib, b, a in published.TEARDOWN])
    if rd.micro:
        doc.update(pmu.as_json(rd))
    if rd.teardown:
        doc["teardown"] = teardown.as_json(rd)
    return json.dumps(_clean(doc), indent=1, sort_keys=False) + "\n"


# ------------------------------------------------------------ main

def build(rd, margin_ns=None, boot=1000, seed=1, plot=True, log=None,
          codegen=None, all_plots=False):
    """(report.txt, report.md, verdicts.json, plot files, Analysis,
    first screen lines)."""
    log = log or (lambda m: print(m, file=sys.stderr))
    an = patch.analyse(rd, margin_ns, boot, seed)
    cg = (codegen(rd) or []) if codegen else []
    first = first_screen(rd, an, cg)
    plots, plot_msgs = [], []
    if plot:
        plots, plot_msgs = P.render(rd, an, os.path.join(rd.path, "plots"),
                                    log=log, all_plots=all_plots)
    blocks = [("head", "Provenance")]
    blocks += [("para", c.long) for c in provenance.caveats(rd)]
    blocks += [("para", "WARNING: " + w) for w in rd.warnings]
    blocks += patch_blocks(rd, an) + context_blocks(rd, an) + \
        aa_blocks(an) + variance_blocks(an) + order_blocks(an) + \
        range_blocks(rd, an)
    blocks += teardown_blocks(rd)
    blocks += variant_blocks(rd) + ground_blocks(rd)
    ins = instrument_lines(rd, log)
    if ins:
        blocks += [("head", "Instrument validation"), ("lines", ins)]
    blocks += pmu_blocks(rd, an) + counters_blocks(rd)
    blocks += [("head", "Environment"), ("lines", environment(rd))]
    if plots:
        blocks.append(("para", "Plots in plots/ (PNG and SVG): " +
                       plot_summary(plots)))
    blocks += [("para", m) for m in plot_msgs]
    blocks += [("head", "Methods"), ("para", METHODS)]
    txt = "\n".join(first + render_txt(blocks)).rstrip("\n") + "\n"
    md = [first[0], "", f"# unmapbench report: {rd.name}", "", "```"] + \
        first + \
        ["```", ""] + render_md(blocks)
    if plots:
        md += ["## Plots", ""] + [
            f"![{os.path.basename(p)}](plots/{os.path.basename(p)})"
            for p in plots if p.endswith(".png")] + [""]
    return dict(txt=txt, md="\n".join(md) + "\n",
                json=verdicts_json(rd, an), plots=plots, analysis=an,
                first=first)


def environment(rd):
    m = rd.meta
    host = m.get("host") or {}
    cpu = m.get("cpu") or {}
    mod = m.get("module") or {}
    tdx = m.get("tdx") or {}
    env = m.get("environment") or {}
    L = []
    L += tf.para(f"Run: {rd.name} ({m.get('start_utc', '?')} .. "
                 f"{m.get('end_utc', '?')}), suite "
                 f"{m.get('suite_version', '?')}, schema "
                 f"{m.get('schema_version', '?')}")
    L += tf.para(f"Kernel: {host.get('kernel_release', '?')} "
                 f"{host.get('kernel_version', '')}".rstrip())
    bugs = cpu.get("bugs") or {}
    flags = cpu.get("flags") or {}
    L += tf.para(
        f"CPU: {cpu.get('model_name', '?')} (family {cpu.get('family', '?')}"
        f" model {cpu.get('model', '?')} stepping {cpu.get('stepping', '?')},"
        f" microcode {cpu.get('microcode', '?')}); tdx_pw_mce erratum: "
        f"{_yn(bugs.get('tdx_pw_mce'))}; movdir64b: "
        f"{_yn(flags.get('movdir64b'))}; SMT {_yn(cpu.get('smt'))}, governor "
        f"{cpu.get('governor', '?')}, turbo {_yn(cpu.get('turbo'))}")
    k = rd.tsc_khz()
    L += tf.para(f"TSC: {k:.0f} kHz (ns = cycles * 1e6 / tsc_khz)" if k else
                 "TSC: unknown (figures in cycles cannot be converted)")
    if mod.get("loaded") and mod.get("abi_version") is not None:
        modtxt = (f"unmap_bench {mod.get('version', '?')} ABI "
                  f"{mod.get('abi_version')}, auto backend "
                  f"{mod.get('auto_backend', '?')} "
                  f"({mod.get('auto_reason', '')})")
    else:
        modtxt = "unmap_bench not loaded"
    mv = tdx.get("module_version")
    L += tf.para(f"TDX: {tdx.get('status', '?')}"
                 f"{', module ' + str(mv) if mv else ''}; {modtxt}")
    reasons = sorted({(r["backend"], r["backend_reason"])
                      for r in rd.runs.values()})
    for b, why in reasons[:4]:
        L += tf.para(f"Backend {b}: {why}")
    runs = list(rd.runs.values())
    if runs:
        L += tf.para(
            f"Runs: {len(runs)}; replicas {sorted({r['replicas'] for r in runs})}"
            f"; warm-up rounds {sorted({r['warmup_done'] for r in runs})}; "
            f"PMU {sorted({';'.join(r['pmu']) or 'none' for r in runs})}")
    if env:
        L += tf.para(f"Environment: emulation {env.get('emulation', '?')}"
                     f" ({env.get('evidence', '')})")
    cl = m.get("command_line")
    if cl:
        if isinstance(cl, list):
            cl = " ".join(str(x) for x in cl)
        L += tf.para(f"Command: {cl}")
    return L


def _yn(v):
    return {True: "yes", False: "no", None: "?"}.get(v, str(v))


def plot_summary(plots):
    return ", ".join(sorted(os.path.basename(p) for p in plots
                            if p.endswith(".png")))


def parser():
    p = cli.Parser("report", "Analyse an unmapbench run directory: writes "
                   "report.txt, report.md, verdicts.json, plots/ and (with "
                   "teardown rows) teardown-summary.txt inside it.")
    p.add_argument("rundir")
    cli.margin_options(p)
    p.add_argument("--no-plots", action="store_true",
                   help="skip the gnuplot figures")
    p.add_argument("--all-plots", action="store_true",
                   help="also the CDF, box, pair-difference, throughput and "
                   "teardown-vs-guests figures")
    p.add_argument("--boot", type=cli.count, default=1000, metavar="N",
                   help="bootstrap resamples for the medians' CIs "
                   "(default 1000)")
    p.add_argument("--seed", type=cli.count, default=1, metavar="N",
                   help="bootstrap seed (default 1)")
    p.add_argument("--first-screen", action="store_true",
                   help="print the first screen of report.txt instead of "
                   "its path")
    return p


def summary(rd, log):
    """teardown-summary.txt, kept with the baseline it was made with; a
    baseline that no longer loads leaves the existing file alone."""
    base = teardown.previous_baseline(rd)
    try:
        teardown.write_summary(rd, base)
    except rundir.RunDirError as e:
        log(f"report: {teardown.SUMMARY} kept as it was: its baseline no "
            f"longer loads: {e}")


def _report(a):
    rd = rundir.load(a.rundir)
    log = (lambda m: print(m, file=sys.stderr))
    out = build(rd, a.margin_ns, a.boot, a.seed, not a.no_plots, log,
                CODEGEN, a.all_plots)
    if rd.teardown:
        summary(rd, log)
    for name, key in zip(REPORTS, ("txt", "md", "json")):
        cli.write_atomic(rd.file(name), out[key])
    if a.first_screen:
        print("\n".join(out["first"]))
    else:
        print(rd.file("report.txt"))
    return 0


def remove_stale(a):
    """A failed report leaves no report of an earlier run looking
    current."""
    for name in REPORTS:
        try:
            os.unlink(os.path.join(a.rundir, name))
        except OSError:
            pass


def main(argv=None):
    return cli.run("report", parser(), _report, argv, remove_stale)


if __name__ == "__main__":
    sys.exit(main())
