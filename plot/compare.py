# SPDX-License-Identifier: GPL-2.0
"""Run directory A against run directory B (e.g. kernel before/after).

usage: python3 plot/compare.py A B [--force] [--margin-ns NS] [--md FILE]
       [--boot N]

A vs B refuses (exit 2) when A and B are the same run, or when the hosts
or the run parameters differ (units of measurement, units per thread
after scale=auto, rounds, CPUs, rows present), listing every difference;
--force compares the common rows anyway. Differing kernel command lines
and repeat counts are flagged in the header, not refused. A directory
that does not load is one line on stderr, exit 1.

A comparison of two kernels is a comparison of boots: runs are the unit
(stats.two_sample_runs), not rounds. A row needs at least MIN_RUNS runs
per side (--repeat on each side), else it says "cannot decide: N run(s)
per side". Each row gives the change B - A in total (mean) time per 4K
page (per op for the range shape) with its 95% CI and the change in
median per-op time; the verdict uses total time, is Holm-adjusted over
the rows compared, and calls a row faster or slower only when its CI
clears the A/A floor (the larger of the two sides' variant-vs-twin
|change|). The output opens with a first screen like report.txt's and
carries both sides' caveats, in text and in --md; a partial or
wall-capped side marks every row it touches. The equivalence margin
comes from the two runs as the report's does (patch.margin(): 0.1% of
the tdx backend's WBINVD + reset per 4K page, the smaller of A's and
B's, when tdx ran; else of the published ~5 us/page), or --margin-ns;
the first screen states it and its source. When either side's kernel
release ends in -prepatch (the testbed's pre-patch kernel), the lines
under the provenance say that such an A/B tests the workflow, not the
patch (codegen.compare_caveat()).
"""
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import codegen  # noqa: E402
import micro  # noqa: E402
import patch  # noqa: E402
import provenance  # noqa: E402
import rundir  # noqa: E402
import schema  # noqa: E402
import stats  # noqa: E402
import teardown  # noqa: E402
import textfmt as tf  # noqa: E402

MIN_RUNS = 3
FIRST_SCREEN = 25
TSC_REFUSE = 0.005     # tsc_khz further apart: not the same clock
TSC_NOTE = 0.0001


def _seed(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode())


# ------------------------------------------------------------- A vs B

HOST_FIELDS = (
    "host.hostname", "cpu.vendor", "cpu.family", "cpu.model",
    "cpu.stepping", "cpu.model_name", "cpu.microcode", "cpu.smt",
    "cpu.governor", "cpu.turbo", "cpu.bugs.tdx_pw_mce",
    "cpu.flags.movdir64b", "cpu.flags.hypervisor", "thp.enabled",
    "tdx.status", "tdx.module_version", "module.version",
    "module.abi_version", "environment.emulation",
)


def same_run(A, B):
    """Why A and B are one and the same run, or None."""
    try:
        if os.path.samefile(A.path, B.path):
            return "A and B are the same run directory"
    except OSError:
        pass
    if A.meta == B.meta and all(
            getattr(A, t) == getattr(B, t) for t in ("runs", "micro",
                                                     "samples", "teardown")):
        return ("A and B are the same run (copies: equal meta.json and "
                "figures)")
    return None


def _desc(key, skip=()):
    return " ".join(f"{n}={v}" for n, v in key if n not in skip)


def _unit(key):
    t = dict(key)["timer"]
    return f"{schema.load().timer_units[t]} (timer {t})"


def _without_timer(key):
    return tuple(kv for kv in key if kv[0] != "timer")


def differences(A, B):
    """(host, params, notes): what differs between A and B. Host and
    parameter differences refuse the comparison; notes are flagged in its
    header (kernel command line, repeat counts)."""
    host = []
    for f in HOST_FIELDS:
        va, vb = rundir.member(A.meta, f), rundir.member(B.meta, f)
        if va != vb:
            host.append(f"{f}: {va!r} vs {vb!r}")
    na = len(rundir.member(A.meta, "numa.nodes") or [])
    nb = len(rundir.member(B.meta, "numa.nodes") or [])
    if na != nb:
        host.append(f"numa nodes: {na} vs {nb}")
    notes = []
    # The TSC rate is calibrated at each boot: a few ppm apart on hardware,
    # up to ~0.2% under QEMU's TCG. Beyond 0.5% it is another clock.
    ka, kb = A.tsc_khz(), B.tsc_khz()
    if ka and kb and abs(ka - kb) > TSC_REFUSE * ka:
        host.append(f"tsc_khz: {ka:g} vs {kb:g}")
    elif ka and kb and abs(ka - kb) > TSC_NOTE * ka:
        notes.append(f"TSC rate calibrated {100 * (kb - ka) / ka:+.2f}% "
                     f"apart (A {ka:g} kHz, B {kb:g} kHz): each side's "
                     "cycles use its own")
    if A.cmdline() != B.cmdline():
        notes.append(f"kernel command line differs: A {A.cmdline()!r}, "
                     f"B {B.cmdline()!r}")
    params = []
    ga, gb = micro.groups(A), micro.groups(B)
    # the same configuration timed with another timer: another unit
    bt = {_without_timer(k): k for k in gb if k not in ga}
    units = {k: bt.pop(_without_timer(k)) for k in ga
             if k not in gb and _without_timer(k) in bt}
    for k, k2 in units.items():
        params.append(f"unit of measurement: A {_unit(k)}, B {_unit(k2)} "
                      f"for {_desc(k, ('timer',))}")
    for k in ga:
        if k not in gb and k not in units:
            params.append(f"only in A: {_desc(k)}")
    for k in gb:
        if k not in ga and k not in units.values():
            params.append(f"only in B: {_desc(k)}")
    for k in ga:
        if k not in gb:
            continue
        for what, f in (("rounds", lambda rd, r: rd.runs[r]["rounds"]),
                        ("cpus", lambda rd, r: rd.runs[r]["cpus"]),
                        ("cpu_nodes", lambda rd, r: rd.runs[r]["cpu_nodes"]),
                        ("units per thread (scale)", _units)):
            fa = sorted({str(f(A, r)) for r in ga[k]})
            fb = sorted({str(f(B, r)) for r in gb[k]})
            if fa != fb:
                params.append(f"{what} {'/'.join(fa)} vs {'/'.join(fb)} "
                              f"for {_desc(k)}")
        if len(ga[k]) != len(gb[k]):
            notes.append(f"repeats: {len(ga[k])} in A, {len(gb[k])} in B "
                         f"for {_desc(k)}")
    ta, tb = teardown.summarize(A), teardown.summarize(B)
    for k in ta:
        if k not in tb:
            params.append(f"teardown only in A: {teardown.config_desc(k)}")
        elif ta[k].n != tb[k].n:
            notes.append(f"teardown repeats: {ta[k].n} in A, {tb[k].n} in "
                         f"B for {teardown.config_desc(k)}")
    for k in tb:
        if k not in ta:
            params.append(f"teardown only in B: {teardown.config_desc(k)}")
    return host, params, notes


def _units(rd, rid):
    p = rd.params[rid]
    return f"{p['units']}x{p['unit_bytes']}B"


def run_values(rd, run_ids, variant):
    """[[per-op ns per 4K page (per op without pages) of each round] per
    run]: the runs are the units."""
    per_page = micro.pages_per_op(rd, run_ids, variant) is not None
    vals = micro.per_round(rd, run_ids, variant, per_page)
    out = {}
    for (rid, _), (x, _, _) in sorted(vals.items(), key=lambda kv: (
            str(kv[0][0]), kv[0][1])):
        out.setdefault(rid, []).append(x)
    return [out[r] for r in run_ids if r in out]


def ab_rows(A, B, margin, boot=1000, seed=1):
    """Per common configuration x variant (page, pfn and range shapes;
    not twins, not ground truth): B against A with runs as the unit."""
    out = []
    ga, gb = micro.groups(A), micro.groups(B)
    fa, fb = patch.aa_floors(A), patch.aa_floors(B)
    for key in ga:
        if key not in gb:
            continue
        vb = micro.variants_of(B, gb[key])
        for v in micro.sorted_variants(A, ga[key]):
            if v.path == "ground" or v.name not in vb or \
                    A.variant(ga[key][0], v.name) is None:
                continue
            if any(m["twin"] for m in micro.rows(A, "micro", ga[key],
                                                   v.name)):
                continue
            ra = run_values(A, ga[key], v.name)
            rb = run_values(B, gb[key], v.name)
            if not ra or not rb:
                ra = rb = []
            per_page = micro.pages_per_op(A, ga[key], v.name) is not None
            row = dict(key=key, variant=v, runs_a=len(ra), runs_b=len(rb),
                       unit="ns/page" if per_page else "ns/op",
                       marks=sorted(set(provenance.row_marks(A, ga[key]) +
                                        provenance.row_marks(B, gb[key]))),
                       res=None, p_holm=None, p_eq_holm=None)
            fl = [f.get((key, v.path, v.granule, v.shape)) for f in (fa, fb)]
            fl = [x for x in fl if x is not None]
            row["floor_ns"] = max(fl) if fl else None
            if min(len(ra), len(rb)) >= 1 and ra and rb:
                row["res"] = stats.two_sample_runs(
                    ra, rb, boot, _seed(seed, key, v.name),
                    margin=margin if per_page else None)
            out.append(row)
    decided = [r for r in out if r["res"] and
               min(r["runs_a"], r["runs_b"]) >= MIN_RUNS]
    ps = stats.holm([r["res"]["p"] for r in decided])
    qs = stats.holm([r["res"]["p_eq"] for r in decided])
    for r, p, q in zip(decided, ps, qs):
        r["p_holm"], r["p_eq_holm"] = p, q
    for r in out:
        ab_verdict(r, margin, len(decided))
    return out


def ab_verdict(r, margin, family):
    """Set r's verdict (short text) and code."""
    res = r["res"]
    n = min(r["runs_a"], r["runs_b"])
    if res is None and n == 0:
        r.update(code="cannot-decide", short="cannot decide: no per-round "
                 "samples", disagree=False)
        return
    if res is None or n < MIN_RUNS:
        k = "run" if n == 1 else "runs"
        r.update(code="cannot-decide", short=f"cannot decide: {n} {k} per "
                 "side" if r["runs_a"] == r["runs_b"] else
                 f"cannot decide: {r['runs_a']}/{r['runs_b']} runs")
        r["disagree"] = False
        return
    floor = r["floor_ns"] or 0.0
    lo, hi = res["diff_lo"], res["diff_hi"]
    sig = r["p_holm"] is not None and r["p_holm"] < patch.ALPHA
    word = "faster" if res["diff"] < 0 else "slower"
    clears = lo > floor or hi < -floor
    if sig and clears:
        r.update(code=word, short=f"B {word}")
    elif r["p_eq_holm"] is not None and r["p_eq_holm"] < patch.EQ_ALPHA:
        r.update(code="equivalent", short=f"same within {margin:.3g}ns")
    elif sig:
        r.update(code="within-floor", short="within A/A floor")
    else:
        r.update(code="inconclusive", short="inconclusive")
    r["disagree"] = patch.disagree(res)


def header(A, B):
    """The first lines of every compare output: each side's provenance
    line, then, when a side ran the pre-patch testbed kernel, what such
    an A/B tests."""
    return ["A: " + provenance.headline(A, width=tf.WIDTH - 3),
            "B: " + provenance.headline(B, width=tf.WIDTH - 3)] + \
        codegen.compare_caveat(A.kernel(), B.kernel())


def markdown(A, B, text):
    """compare --md: the header first (a paragraph per provenance line),
    the title, then the text output as it was printed."""
    a, b, *cav = header(A, B)
    return "\n".join([a, "", b, ""] + (cav + [""] if cav else []) + [
        f"# unmapbench compare: {A.name} vs {B.name}", "", "```"]) + \
        "\n" + text + "```\n"


def first_screen(A, B, rows, margin):
    """The compare's first screen: both sides' provenance (with, when a
    side ran the pre-patch testbed kernel, what such an A/B tests), the
    headline configuration's pfn rows per path and granule, the teardown
    before/after table."""
    L = header(A, B)
    n = sum(1 for r in rows if r["p_holm"] is not None)
    pick = micro.headline_group(micro.groups(A), "4k") or \
        micro.headline_group(micro.groups(A), "2m")
    L.append("B - A per variant, runs as the unit: total time per 4K page, "
             "95% CI;")
    L.append(tf.fit(f"Holm over {n} rows decided. Shown, pfn shape:"))
    L.append(tf.fit("  " + (micro.describe(pick[0]) if pick else "-")))
    body = []
    for g in ("4k", "2m"):
        pick = micro.headline_group(micro.groups(A), g)
        if not pick:
            continue
        for r in rows:
            if r["key"] != pick[0] or r["variant"].shape != "pfn":
                continue
            res = r["res"]
            ok = res and r["code"] != "cannot-decide"
            body.append([r["variant"].path, g,
                         tf.est_ci(res["diff"], res["diff_lo"],
                                   res["diff_hi"]) if ok else
                         (tf.sig(res["diff"]) if res else "-"),
                         tf.pct(res["rel"]) if ok else "-",
                         tf.sig(r["floor_ns"], 2, False),
                         r["short"] + ("!" if r.get("disagree") else "") +
                         "".join(f"[{m}]" for m in r["marks"])])
    if body:
        t = tf.table(["pfn", "gran", "B-A ns/page [95% CI]", "%", "floor",
                      "verdict"], body, ["l", "l", "l", "r", "r", "l"])
        L += t[:1] + t[2:]
    L += tf.para(margin.line())
    L += teardown.ab_table(A, B, FIRST_SCREEN - len(L) - 1)
    L.append("Every row below; caveats of both sides above each table.")
    return [tf.fit(x) for x in L][:FIRST_SCREEN]


def ab_report(A, B, margin=None, forced=False, host=(), params=(),
              notes=(), same=None, boot=1000, seed=1):
    """The compare's lines: the first screen, then every row. margin:
    published.Margin, by default patch.margin() of A and B (as the report
    derives its own)."""
    margin = margin or patch.margin([A, B], labels=("A", "B"))
    rows = [r for r in ab_rows(A, B, margin.ns, boot, seed)]
    L = first_screen(A, B, rows, margin)
    L.append("")
    for tag, rd in (("A", A), ("B", B)):
        L.append(tf.fit(f"{tag}: {rd.name}: host {rd.hostname()} kernel "
                        f"{rd.kernel()}"))
        for c in provenance.caveats(rd):
            L += tf.para(c.long, indent="   ")
        for w in rd.warnings:
            L += tf.para("WARNING: " + w, indent="   ")
    forced_for = ([same] if same else []) + list(host) + list(params)
    if forced and forced_for:
        L.append("FORCED despite these differences:")
        L += ["  " + tf.fit(x, 73) for x in forced_for]
    if notes:
        L.append("NOTE (not refused):")
        L += [y for x in notes for y in tf.para(x, indent="  ")]
    L.append("")
    if rows:
        keys = sorted({r["key"] for r in rows}, key=str)
        vary = micro.varying(keys)
        L += tf.para(
            f"Per variant, B - A: change in total (mean) time per 4K page "
            f"(per op for range) with its 95% CI from the runs of each side "
            f"(bootstrap over runs, Welch degrees of freedom); 'median' is "
            f"the change in median per-op time. At least {MIN_RUNS} runs per"
            f" side decide a row; Holm over the rows decided; faster/slower "
            f"also needs the CI clear of the A/A floor. " + margin.line())
        fixed = micro.fixed_desc(keys)
        if fixed:
            L += tf.para("Fixed: " + fixed)
        trs = []
        for r in rows:
            res = r["res"]
            ok = res and r["code"] != "cannot-decide"
            trs.append([r["variant"].name] + micro.key_cells(r["key"], vary) +
                       [f"{r['runs_a']}/{r['runs_b']}",
                        tf.est_ci(res["diff"], res["diff_lo"], res["diff_hi"])
                        if ok else (tf.sig(res["diff"]) if res else "-"),
                        tf.sig(res["med_diff"]) if res else "-",
                        r["short"] + ("!" if r.get("disagree") else "") +
                        provenance.mark_text(r["marks"])])
        al = ["l"] + ["l"] * len(vary) + ["r", "l", "r", "l"]
        L += tf.table(["variant"] + [s for _, s in vary] +
                      ["runs", "B-A [95% CI]", "median", "verdict"], trs, al)
        if any(r.get("disagree") for r in rows):
            L += tf.para("! total time and median per-op time move in "
                         "opposite directions: the verdict follows total "
                         "time.")
        L.append("")
    L += teardown.ab_table(A, B)
    return [tf.fit(x) for x in L]


def parser():
    p = cli.Parser("compare", "Compare run directory B against A (kernel "
                   "A vs kernel B): same rows, refusing when they are one "
                   "run or when hosts or parameters differ, unless "
                   "--force.")
    p.add_argument("A")
    p.add_argument("B")
    p.add_argument("--force", action="store_true",
                   help="compare even when hosts or parameters differ")
    cli.margin_options(p)
    p.add_argument("--boot", type=cli.count, default=1000, metavar="N",
                   help="bootstrap resamples (default 1000)")
    p.add_argument("--md", metavar="FILE",
                   help="also write the comparison to FILE (markdown)")
    return p


def _compare(a):
    A = rundir.load(a.A)
    B = rundir.load(a.B)
    same = same_run(A, B)
    host, params, notes = differences(A, B)
    if (same or host or params) and not a.force:
        if same:
            print(f"compare: refusing: {same}", file=sys.stderr)
        else:
            print("compare: refusing: the two run directories differ:",
                  file=sys.stderr)
        for x in host:
            print(f"  host: {x}", file=sys.stderr)
        for x in params:
            print(f"  parameters: {x}", file=sys.stderr)
        print("compare: rerun with --force to compare the common rows "
              "anyway", file=sys.stderr)
        return 2
    for w in A.warnings + B.warnings:
        print(f"compare: warning: {w}", file=sys.stderr)
    margin = patch.margin([A, B], a.margin_ns, ("A", "B"))
    lines = ab_report(A, B, margin, a.force, host, params, notes, same,
                      a.boot)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.md:
        cli.write_atomic(a.md, markdown(A, B, text))
    return 0


def main(argv=None):
    return cli.run("compare", parser(), _compare, argv)


if __name__ == "__main__":
    sys.exit(main())
