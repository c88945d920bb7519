# SPDX-License-Identifier: GPL-2.0
"""The page-vs-pfn analysis of one run directory, the one every output
shows (report.txt, report.md, verdicts.json, the headline plot):

    an = analyse(rd, margin_ns=None, boot=1000, seed=1)
    an.ab        patch rows: pfn (Linux 7.2) against page (pre-patch)
    an.aa        A/A controls: page and pfn against their twins
    an.range     the range family (hypothetical one-call 2M reset)
    an.headline  the ab rows of the headline configuration per granule
    an.positions position-effect tests, one per configuration
    an.margin    the equivalence margin (margin(): published.Margin)

A row is one configuration (micro.GROUP_KEYS) x path x granule x pair
kind; its figures (stats.paired) are changes in ns per 4K page of total
(mean) time, b - a, with the change in median per-op time beside them;
2M rows are pages_per_2m 4K removals in both shapes, as Linux 7.2 runs
them, and
are per 4K page too. The range family is per 2M op and never per page.

Verdicts (verdict()): a patch row is called faster or slower only when
its Holm-adjusted p (family: every patch row of the directory) is below
0.05 and its CI clears the A/A floor of its path (the larger |change| of
its two A/A controls) and the values' resolution; "equivalent" when the
Holm-adjusted TOST p against the margin is below 0.025 (the 95% CI inside
+-margin).
"""
import collections
import math
import zlib

import micro
import provenance
import published
import stats

ALPHA = 0.05            # difference tests, after Holm
EQ_ALPHA = 0.025        # each one-sided test of TOST: the 95% CI inside


def _seed(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode())


class Analysis:
    def __init__(self):
        self.ab, self.aa, self.range = [], [], []
        self.headline = []
        self.positions = []
        self.margin = None
        self.family = {}
        self.groups = {}


def tdx_removal_ns(rd, groups):
    """Mean per-4K-page cost of the pfn shape's WBINVD plus reset on the
    tdx backend, from its headline configuration at 4K; None when tdx did
    not run them."""
    tdx = {k: r for k, r in groups.items() if dict(k)["backend"] == "tdx"}
    pick = micro.headline_group(tdx, "4k")
    if not pick:
        return None
    total = 0.0
    for path in ("wbinvd", "reset"):
        name = micro.find(rd, pick[1], path, "pfn", "4k")
        s = name and micro.variant_stats(rd, pick[1], name)
        ppo = name and micro.pages_per_op(rd, pick[1], name)
        if not s or s.get("mean") is None or not ppo:
            return None
        total += s["mean"] / ppo
    return total


def margin(rds, margin_ns=None, labels=None):
    """The equivalence margin of one run directory (the report) or of
    two (compare: A and B, labels ("A", "B")): --margin-ns when given;
    else 0.1% of the tdx backend's WBINVD + reset per 4K page
    (tdx_removal_ns()), the smaller where several directories measured
    it (the stricter margin); else 0.1% of the published ~5 us/page
    (published.margin())."""
    labels = labels or [rd.name for rd in rds]
    costs = [(lab, c) for lab, c in
             ((lab, tdx_removal_ns(rd, micro.groups(rd)))
              for lab, rd in zip(labels, rds)) if c]
    if not costs:
        return published.margin(margin_ns)
    lab, ns = min(costs, key=lambda x: x[1])
    note = None
    if len(rds) > 1:
        note = ("the smaller of " + " and ".join(
            f"{x} {c / 1e3:.3g}" for x, c in costs) + " us/page"
            if len(costs) > 1 else f"{lab} only: the other ran no tdx")
    return published.margin(margin_ns, ns, note)


def analyse(rd, margin_ns=None, boot=1000, seed=1, detail=True):
    """The Analysis of rd; detail=False leaves out what only the report's
    body shows (variance components, position tests)."""
    an = Analysis()
    gs = micro.groups(rd)
    an.groups = gs
    an.margin = margin([rd], margin_ns)
    for key, rids in gs.items():
        khz = [rd.tsc_khz(r) for r in rids if rd.tsc_khz(r)]
        for kind, path, g, va, vb in micro.pairs(rd, rids):
            per_page = kind != "range"
            rounds = micro.paired_rounds(rd, rids, va, vb, per_page)
            row = dict(key=key, runs=list(rids), kind=kind, path=path,
                       granule=g, a=va, b=vb, n_rounds=len(rounds),
                       unit="ns/page" if per_page else "ns/op",
                       tsc_khz=stats.median(khz) if khz else None,
                       marks=provenance.row_marks(rd, rids),
                       pages_per_op=micro.pages_per_op(rd, rids, vb)
                       if per_page else None,
                       res=None, comp=None)
            if len(rounds) >= 3:
                row["res"] = stats.paired(
                    rounds, reps=boot, seed=_seed(seed, key, path, g, kind),
                    margin=an.margin.ns if kind == "ab" else None)
                if kind == "ab" and detail:
                    row["comp"] = stats.components(rounds)
            {"ab": an.ab, "range": an.range}.get(kind, an.aa).append(row)
    _floors(an)
    _family(an)
    for r in an.ab:
        verdict(r, an.margin.ns)
    for r in an.aa + an.range:
        control_verdict(r)
    for g in ("4k", "2m"):
        pick = micro.headline_group(gs, g)
        if pick:
            an.headline += [r for r in an.ab if r["key"] == pick[0]]
    an.positions = positions(rd, gs) if detail else []
    return an


def _floors(an):
    """floor_ns of every patch row: the larger |change| of the A/A
    controls of its configuration, path and granule (None without)."""
    aa = collections.defaultdict(list)
    for r in an.aa:
        if r["res"]:
            aa[(r["key"], r["path"], r["granule"])].append(r)
    for r in an.ab:
        cs = aa.get((r["key"], r["path"], r["granule"]), [])
        r["floor_ns"] = max(abs(c["res"]["diff"]) for c in cs) if cs \
            else None
        r["floor_rows"] = [c["kind"] for c in cs]


def _family(an):
    """Holm over the patch rows (difference and equivalence p-values);
    the range family on its own."""
    for rows, name in ((an.ab, "patch"), (an.range, "range")):
        tested = [r for r in rows if r["res"]]
        ps = stats.holm([r["res"]["p"] for r in tested])
        qs = stats.holm([r["res"]["p_eq"] for r in tested])
        for r, p, q in zip(tested, ps, qs):
            r["p_holm"], r["p_eq_holm"] = p, q
        for r in rows:
            r.setdefault("p_holm", None)
            r.setdefault("p_eq_holm", None)
        an.family[name] = dict(rows=len(tested), adjustment="holm",
                               alpha=ALPHA, eq_alpha=EQ_ALPHA,
                               configurations=len({r["key"]
                                                   for r in tested}))


def units_needed(res, target):
    """Runs (each like the ones measured) for the CI half-width to
    reach target: the smallest n >= 3 with t(n-1) sqrt(V1/n) <= target,
    V1 the variance of one run's estimate; None beyond 1000."""
    if not target or target <= 0 or not math.isfinite(res["diff_se"]):
        return None
    v1 = res["diff_se"] ** 2 * (res["units"] if res["level"] == "run"
                                else 1)

    def ok(n):
        return stats.t_ppf(0.975, n - 1) * math.sqrt(v1 / n) <= target
    lo = max(3, res["runs"] + 1)
    if ok(lo):
        return lo
    hi = lo
    while not ok(hi):
        hi *= 2
        if hi > 1000:
            return None
    while hi - lo > 1:          # ok(hi), not ok(lo): the width shrinks
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def _undecided(r):
    """Set the disagreement flag; True (and the verdict set) when the row
    has too few rounds for any figure."""
    res = r["res"]
    r["disagree"] = bool(res) and disagree(res)
    if res is None:
        r.update(code="cannot-decide", short="too few rounds",
                 text=f"cannot decide: {r['n_rounds']} paired rounds")
        return True
    return False


def verdict(r, margin):
    """Set r's verdict: code, short (<= 18 columns) and text."""
    res = r["res"]
    if _undecided(r):
        return
    floor = r["floor_ns"]
    step = res["step"] if res["step"] is not None and \
        math.isfinite(res["step"]) else 0.0
    guard = max(floor or 0.0, step)
    lo, hi = res["diff_lo"], res["diff_hi"]
    sig = r["p_holm"] is not None and r["p_holm"] < ALPHA
    clears = lo > guard or hi < -guard
    fine = res["step"] is not None and res["step"] < margin / 2
    equiv = r["p_eq_holm"] is not None and r["p_eq_holm"] < EQ_ALPHA and \
        fine
    word = "faster" if res["diff"] < 0 else "slower"
    inside = -margin < lo and hi < margin
    if sig and floor is None:
        r.update(code="no-floor", short="no A/A control",
                 text=f"pfn {word} beyond 0, but no A/A control ran: not "
                 "called")
    elif sig and clears:
        if inside:
            r.update(code=word, short=f"{word}, negligible",
                     text=f"pfn {word}, by less than the "
                     f"+-{margin:.3g} ns margin")
        else:
            r.update(code=word, short=f"pfn {word}", text=f"pfn {word}")
    elif equiv:
        r.update(code="equivalent", short=f"same within {margin:.3g}ns",
                 text=f"no change beyond +-{margin:.3g} ns/page")
    elif sig and step > floor:
        r.update(code="within-resolution", short="within resolution",
                 text=f"pfn {word} beyond 0 but not beyond the values' "
                 f"resolution ({step:.3g} ns steps)")
    elif sig:
        r.update(code="within-floor", short="within A/A floor",
                 text=f"pfn {word} beyond 0 but not beyond what layout "
                 f"alone does (A/A floor {floor:.3g} ns)")
    else:
        hw = (hi - lo) / 2 if math.isfinite(hi - lo) else None
        a = abs(res["diff"])
        target = max(margin - a, a - guard) if hw else None
        n = units_needed(res, target) if target and target > 0 else None
        if not fine and res["step"] is not None:
            why = (f"values quantised in {res['step']:.3g} ns steps, not "
                   f"finer than half the +-{margin:.3g} ns margin; use more"
                   " ops per round")
        elif n:
            why = f"need ~{n} runs (--repeat {n})"
        else:
            why = "more runs needed"
        r.update(code="inconclusive", short="inconclusive",
                 text=f"inconclusive: {why}")


def disagree(res):
    """True when total time and median per-op time point in opposite
    directions and either differs from 0 (unadjusted)."""
    if res.get("med_diff") is None or res.get("med_p") is None:
        return False
    opposite = res["diff"] * res["med_diff"] < 0
    return opposite and min(res["p"], res["med_p"]) < ALPHA


def control_verdict(r):
    """A/A and range rows, one by one (unadjusted for A/A: a layout
    difference is what they look for; Holm within the range family)."""
    res = r["res"]
    if _undecided(r):
        return
    p = r["p_holm"] if r["kind"] == "range" else res["p"]
    if p < ALPHA:
        word = "slower" if res["diff"] > 0 else "faster"
        if r["kind"] == "range":
            r.update(code=word, short=f"range {word}",
                     text=f"the range call is {word} than the pfn shape's "
                     "4K calls")
        else:
            r.update(code="differs", short=f"A/A {word}",
                     text=f"the twin is {word}: layout alone moved it")
    else:
        r.update(code="same", short="no difference",
                 text="no difference at 95%")


def positions(rd, gs):
    """Position-effect tests per configuration, Holm over them:
    [dict(key, test (stats.position_test), p_holm, found)]."""
    out = []
    idx = collections.defaultdict(list)
    for s in rd.samples:
        idx[s["run_id"]].append(s)
    for key, rids in gs.items():
        obs = []
        for rid in rids:
            for s in idx.get(rid, ()):
                if s["value"] > 0 and s["ops"]:
                    obs.append(((rid, s["thread"], s["round"]),
                                (s["variant"], s["replica"]), s["position"],
                                math.log(s["value"] / s["ops"])))
        t = stats.position_test(obs)
        if t:
            out.append(dict(key=key, test=t))
    ps = stats.holm([o["test"]["p"] for o in out])
    for o, p in zip(out, ps):
        o["p_holm"] = p
        o["found"] = p < ALPHA
    return out


def cycles(r, ns):
    """ns -> TSC cycles with the row's tsc_khz (None when unknown)."""
    if ns is None or not r.get("tsc_khz") or not math.isfinite(ns):
        return None
    return ns * r["tsc_khz"] / 1e6


def aa_floors(rd, boot=0, seed=1):
    """{(configuration, path, granule, shape): |change| of the variant
    against its twin, ns per 4K page}: the A/A floor of each variant."""
    out = {}
    for key, rids in micro.groups(rd).items():
        for kind, path, g, va, vb in micro.pairs(rd, rids):
            if not kind.startswith("aa-"):
                continue
            rounds = micro.paired_rounds(rd, rids, va, vb, True)
            if len(rounds) >= 3:
                res = stats.paired(rounds, reps=boot, seed=seed,
                                   medians=False)
                out[(key, path, g, kind[3:])] = abs(res["diff"])
    return out
