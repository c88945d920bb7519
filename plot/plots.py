# SPDX-License-Identifier: GPL-2.0
"""Write .dat files and drive the gnuplot scripts plot/*.gp.

render(rd, an, outdir, all_plots=False) -> (files, messages). By default
two figures answer the two questions: patch.png (per path, the change in
total time per 4K page with its 95% CI and the A/A floor band, one panel
per granule, headline configuration) and teardown.png (seconds against
guest size with the fitted cost curve, and us/page per trigger). With
all_plots: per configuration the latency CDF, the box plot and the
per-round pair differences, throughput against threads, and the
aggregate teardown throughput against the number of guests. Each figure
is written as PNG (pngcairo) and SVG; titles carry the caveats, host,
kernel and backend (provenance.subtitle). Without gnuplot the .dat files
are still written and a message says the plots were skipped.
"""
import math
import os
import shutil
import subprocess

import cli
import micro
import provenance
import stats
import teardown

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_CDF_POINTS = 1500
MAX_GROUPS = 12


def _q(s):
    """A gnuplot double-quoted string."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') \
        .replace("\n", "\\n") + '"'


def _words(items):
    """A gnuplot word list; each item quoted so it may hold spaces (in
    double quotes when it holds an apostrophe: "KVM's stats")."""
    return " ".join('"' + str(i).replace('"', "") + '"' if "'" in str(i)
                    else "'" + str(i) + "'" for i in items)


def _slug(key, keys):
    d = micro.key_desc(key, keys)
    s = "".join(c if c.isalnum() or c in "-." else "_"
                for c in d.replace(" ", "_").replace("=", "-"))
    return s or "all"


def decades(vals):
    """True when positive values span a factor of 10 or more (a log
    axis then shows them; a linear one crushes the small ones)."""
    v = [x for x in vals if x and x > 0]
    return bool(v) and max(v) / min(v) >= 10


class Plotter:
    def __init__(self, rd, outdir, log):
        self.rd = rd
        self.outdir = outdir
        self.log = log
        self.files = []
        self.msgs = []
        self.gnuplot = shutil.which("gnuplot")
        self.sub = provenance.subtitle(rd)

    def dat(self, name, blocks):
        """blocks: list of lists of rows; written as gnuplot index blocks."""
        p = os.path.join(self.outdir, name + ".dat")
        text = []
        for i, b in enumerate(blocks):
            if i:
                text.append("\n")
            if not b:
                text.append("NaN NaN NaN NaN NaN NaN x")
            text += [" ".join(_cell(c) for c in r) for r in b]
        cli.write_atomic(p, "\n".join(text) + "\n")
        self.files.append(p)
        return p

    def plot(self, script, name, title, **var):
        if not self.gnuplot:
            return
        for fmt in ("png", "svg"):
            out = os.path.join(self.outdir, f"{name}.{fmt}")
            vp = os.path.join(self.outdir, f".{name}.{fmt}.vars.gp")
            with open(vp, "w") as f:
                f.write(f"fmt = {_q(fmt)}\nout = {_q(out)}\n")
                f.write(f"dir = {_q(HERE)}\n")
                f.write(f"title = {_q(title + chr(10) + self.sub)}\n")
                for k, v in var.items():
                    f.write(f"{k} = {_q(v) if isinstance(v, str) else v}\n")
            r = subprocess.run([self.gnuplot, vp,
                                os.path.join(HERE, script)],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               timeout=120)
            os.unlink(vp)
            if r.returncode != 0 or not os.path.exists(out):
                msg = (f"plots: gnuplot failed on {script} for {name}.{fmt}: "
                       f"{r.stderr.strip().splitlines()[-1:]}")
                self.msgs.append(msg)
                self.log(msg)
                continue
            self.files.append(out)


def _cell(c):
    if c is None:
        return "NaN"
    if isinstance(c, float):
        if not math.isfinite(c):
            return "NaN"
        return f"{c:.9g}"
    c = str(c)
    if not c:
        return "-"
    return '"' + c.replace('"', "'") + '"' if " " in c else c


def render(rd, an, outdir, log=print, all_plots=False):
    os.makedirs(outdir, exist_ok=True)
    P = Plotter(rd, outdir, log)
    if not P.gnuplot:
        P.msgs.append("plots: gnuplot not found: plots skipped (the .dat "
                      "files are in plots/; install gnuplot-nox to draw "
                      "them).")
    _patch(P, rd, an)
    _teardown(P, rd)
    if all_plots:
        gs = micro.groups(rd)
        keys = list(gs)
        for gi, (key, rids) in enumerate(gs.items()):
            if gi >= MAX_GROUPS:
                P.msgs.append(f"plots: {len(gs) - MAX_GROUPS} more "
                              "configurations not plotted")
                break
            slug = _slug(key, keys)
            gdesc = micro.key_desc(key, keys) or micro.fixed_desc(keys)
            _cdf(P, rd, rids, slug, gdesc)
            _box(P, rd, rids, slug, gdesc)
            _pairdiff(P, rd, [r for r in an.ab if r["key"] == key], slug,
                      gdesc)
        _throughput(P, rd)
        _teardown_vms(P, rd)
    return P.files, P.msgs


def _patch(P, rd, an):
    """patch.png: one panel per granule; per path the change in total
    time per 4K page, its 95% CI, the A/A floor band and the margin."""
    blocks, titles, ranges, margins = [], [], [], []
    for g in ("4k", "2m"):
        rows = [r for r in an.headline if r["granule"] == g and r["res"]]
        if not rows:
            continue
        blk = []
        span = 0.0
        for i, r in enumerate(rows):
            res = r["res"]
            fl = r["floor_ns"] or 0.0
            lo = res["diff_lo"] if math.isfinite(res["diff_lo"]) else \
                res["diff"]
            hi = res["diff_hi"] if math.isfinite(res["diff_hi"]) else \
                res["diff"]
            span = max(span, abs(lo), abs(hi), fl)
            blk.append((i, res["diff"], lo, hi, fl,
                        f"{r['path']}: {r['short']}"))
        span = span * 1.2 or 1.0
        m = an.margin.ns
        show_m = m <= 3 * span
        if show_m:
            span = max(span, m * 1.2)
        blocks.append(blk)
        what = f"{g} ({rd.schema.pages_per_2m} x 4K)" if g == "2m" else g
        titles.append(f"granule {what}" + ("" if show_m else
                                           f"; margin +-{m:.3g} off scale"))
        ranges.append(f"{span:.6g}")
        margins.append(f"{m if show_m else 0:.6g}")
    if not blocks:
        return
    d = P.dat("patch", blocks)
    P.plot("patch.gp", "patch",
           "pfn - page: change in total time, ns per 4K page (95% CI; grey:"
           " A/A floor, what layout alone does; dashed: margin)",
           data=d, n=len(blocks), titles=_words(titles),
           spans=" ".join(ranges), margins=" ".join(margins))


def _teardown(P, rd):
    """teardown.png: seconds against GiB with the cost-curve fit, and
    us/page per trigger (rows without mappings show seconds only)."""
    per = teardown.summarize(rd)
    rows = teardown.single_rows(per)
    if not rows:
        return
    fits = {f["key"]: f for f in teardown.fits(rd, per)}
    series = {}
    for c in rows:
        k = teardown.fit_key(c) + (c.mapped,)
        series.setdefault(k, []).append(c)
    sblocks, stitles, ublocks, utitles, fblocks = [], [], [], [], []
    ucol = []       # the seconds panel's colour of each us/page series
    xs, ys, us = [], [], []
    for k, cs in series.items():
        vt, trig, ps, pop, mapped = k
        cs.sort(key=lambda c: c.key[2])
        name = f"{teardown._vm(cs[0])} {teardown._how(cs[0])}"
        lb = teardown.LOWER_BOUND in cs[0].labels()
        pts = [(c.key[2] / teardown.GIB, c.median_s, c.min_s, c.max_s)
               for c in cs]
        xs += [p[0] for p in pts]
        ys += [p[1] for p in pts]
        sblocks.append(pts)
        if lb:      # in full where the key has room, else its gist
            utitles.append(name + " (lower bound)") if mapped else None
            name += f" ({teardown.LOWER_BOUND})"
        elif mapped:
            utitles.append(name)
        if not mapped:
            # the reason is in the report: the key has no room for it
            stitles.append(name + ": seconds only, not measured: no "
                           "mappings")
            fblocks.append([])
            continue
        f = fits.get(k[:4])
        fit = f and f["fit"]
        stitles.append(name + (f": fit {fit['a']:.3g} s + "
                               f"{fit['b'] * 1e6:.3g} us x mappings"
                               if fit else ""))
        ublocks.append([(c.key[2] / teardown.GIB, c.us_per_page)
                        for c in cs])
        ucol.append(str(len(sblocks)))
        us += [c.us_per_page for c in cs]
        if fit:
            ratio = stats.median([p[2] / p[0] for p in f["points"]])
            lo, hi = min(p[0] for p in pts), max(p[0] for p in pts)
            steps = [lo + (hi - lo) * i / 40 for i in range(41)]
            fblocks.append([(x, fit["a"] + fit["b"] * ratio * x)
                            for x in steps])
        else:
            fblocks.append([])
    if len(set(xs)) < 2:
        P.msgs.append("plots: teardown cost curve skipped: one guest size "
                      "only.")
        return
    d = P.dat("teardown", sblocks)
    df = P.dat("teardown-fit", fblocks)
    du = P.dat("teardown-us", ublocks or [[]])
    P.plot("teardown.gp", "teardown",
           "Guest teardown, one guest: seconds against size with the fit "
           "fixed + marginal x mappings; us per 4K mapping",
           data=d, fit=df, us=du, n=len(sblocks), nu=len(ublocks),
           titles=_words(stitles), utitles=_words(utitles),
           ucol=" ".join(ucol), logx=int(decades(xs)), logy=int(decades(ys)),
           logu=int(decades(us)), bm=_bmargin(len(sblocks), cols=1))


def _teardown_vms(P, rd):
    """Aggregate throughput (pages/s) against the number of guests."""
    per = teardown.summarize(rd)
    series = {}
    for c in per.values():
        if not c.mapped:
            continue
        vt, vc, size, vms, ps, trig, pop = c.key
        series.setdefault((vt, ps, trig, pop, vc, size), []).append(
            (vms, c.pages_per_s or c.mappings / c.median_s))
    series = {k: sorted(v) for k, v in series.items()}
    vms = sorted({x for v in series.values() for x, _ in v})
    if len(vms) < 2:
        P.msgs.append("plots: teardown vs guests skipped: one guest count "
                      "only.")
        return
    blocks, titles = [], []
    for (vt, ps, trig, pop, vc, size), pts in sorted(series.items(),
                                                     key=str):
        blocks.append(pts)
        titles.append(f"{vt} {ps} {trig}/{pop} {vc} vCPUs "
                      f"{teardown.size_str(size)}" +
                      (f" ({teardown.LOWER_BOUND})" if vt == "tdx" and
                       pop == "prefault" else ""))
    d = P.dat("teardown-vms", blocks)
    P.plot("teardown_vms.gp", "teardown-vms",
           "Guest teardown, many guests: aggregate throughput (all guests' "
           "mappings / seconds until all are gone)", data=d, n=len(blocks),
           titles=_words(titles), xt=",".join(map(str, vms)),
           logx=int(decades(vms)),
           logy=int(decades([y for b in blocks for _, y in b])),
           bm=_bmargin(len(blocks)))


def _cdf(P, rd, rids, slug, gdesc):
    blocks, titles = [], []
    for v in micro.sorted_variants(rd, rids):
        if v.path == "ground":
            continue
        pts = _cdf_points(rd, rids, v.name)
        if pts:
            blocks.append(pts)
            titles.append(v.name)
    if not blocks:
        return
    d = P.dat(f"cdf-{slug}", blocks)
    P.plot("cdf.gp", f"cdf-{slug}",
           f"Latency CDF per variant, ns per op ({gdesc})",
           data=d, n=len(blocks), titles=_words(titles))


def _cdf_points(rd, rids, v):
    buckets = micro.buckets(rd, rids, v)
    if buckets:
        buckets.sort()
        tot = sum(c for _, _, c in buckets)
        acc, pts = 0, [(max(buckets[0][0], 1e-3), 0.0)]
        for lo, hi, c in buckets:
            acc += c
            pts.append((max(hi, 1e-3), acc / tot))
        return pts
    vals = sorted(x for x, _, _ in micro.per_round(rd, rids, v).values())
    if not vals:
        return []
    n = len(vals)
    step = max(1, n // MAX_CDF_POINTS)
    pts = [(max(vals[i], 1e-3), (i + 1) / n) for i in range(0, n, step)]
    if pts[-1][1] < 1.0:
        pts.append((max(vals[-1], 1e-3), 1.0))
    return pts


def _box(P, rd, rids, slug, gdesc):
    blocks, titles = [], []
    for path, g, page, pfn in micro.shape_pairs(rd, rids):
        blk = []
        for x, name in ((1, page), (2, pfn)):
            s = micro.variant_stats(rd, rids, name)
            if not s or s.get("median") is None:
                continue
            blk.append((x, s["p10"], s["p25"], s["median"], s["p75"],
                        s["p90"], name))
        if blk:
            blocks.append(blk)
            titles.append(path)
    if not blocks:
        return
    n = len(blocks)
    cols = 2 if n > 1 else 1
    d = P.dat(f"box-{slug}", blocks)
    P.plot("box.gp", f"box-{slug}",
           f"ns per op by path and shape ({gdesc})", data=d, n=n,
           titles=_words(titles), rows=(n + cols - 1) // cols, cols=cols)


def _pairdiff(P, rd, rows, slug, gdesc):
    """Per-round pfn - page, ns per 4K page: histogram, the change in
    total time with its CI and the A/A floor."""
    blocks, titles, est, lo, hi, fl = [], [], [], [], [], []
    for r in rows:
        res = r["res"]
        if not res:
            continue
        rounds = micro.paired_rounds(rd, r["runs"], r["a"], r["b"], True)
        ch = sorted(b - a for _, _, _, a, b in rounds)
        if not ch:
            continue
        a = stats.quantile(ch, 0.01)
        b = stats.quantile(ch, 0.99)
        l_ = res["diff_lo"] if math.isfinite(res["diff_lo"]) else a
        h_ = res["diff_hi"] if math.isfinite(res["diff_hi"]) else b
        floor = r["floor_ns"] or 0.0
        a = min(a, l_, -floor)
        b = max(b, h_, floor)
        pad = (b - a) * 0.05 or 1.0
        a, b = a - pad, b + pad
        nb = 40
        w = (b - a) / nb
        cnt = [0] * nb
        for v in ch:
            i = int((v - a) / w)
            if 0 <= i < nb:
                cnt[i] += 1
        blocks.append([(a + (i + .5) * w, c / len(ch), w)
                       for i, c in enumerate(cnt)])
        titles.append(f"{r['path']} {r['granule']}: {r['short']} "
                      f"({tf_sig(res['diff'])} ns, n={res['rounds']})")
        est.append(f"{res['diff']:.6g}")
        lo.append(f"{l_:.6g}")
        hi.append(f"{h_:.6g}")
        fl.append(f"{floor:.6g}")
    if not blocks:
        return
    n = len(blocks)
    cols = 2 if n > 1 else 1
    d = P.dat(f"pairdiff-{slug}", blocks)
    P.plot("pairdiff.gp", f"pairdiff-{slug}",
           f"Per-round pfn - page, ns per 4K page ({gdesc}); bars: rounds, "
           "blue: total-time change and 95% CI, grey: A/A floor",
           data=d, n=n, titles=_words(titles), est=" ".join(est),
           lo=" ".join(lo), hi=" ".join(hi), floor=" ".join(fl),
           rows=(n + cols - 1) // cols, cols=cols)


def tf_sig(v):
    return f"{v:+.3g}"


def _bmargin(n, cols=2):
    """Bottom margin (character lines) for a key of n entries below the
    plot: the key sits off the data and clear of the x label."""
    return 5 + (n + cols - 1) // cols


def _throughput(P, rd):
    twins = {m["variant"] for m in rd.micro if m["twin"]}
    rows = [r for r in micro.throughput(rd) if r[0] not in twins]
    if len({t for _, _, t, _ in rows}) < 2:
        if rows:
            P.msgs.append("plots: throughput vs threads skipped: only one "
                          "thread count was measured.")
        return
    keys = sorted({k for _, k, _, _ in rows}, key=str)
    series = {}
    for v, k, t, mops in rows:
        if not (v.startswith("unmap.") or len(keys) == 1):
            continue
        series.setdefault((v, k), []).append((t, mops))
    vary = micro.varying([k + (("threads", 0),) for k in keys])
    blocks, titles = [], []
    for (v, k), pts in sorted(series.items(), key=lambda i: str(i[0])):
        blocks.append(sorted(pts))
        d = " ".join(f"{s}={dict(k)[n]}" for n, s in vary
                     if n != "threads")
        titles.append(f"{v} {d}".strip())
    threads = sorted({t for b in blocks for t, _ in b})
    d = P.dat("throughput", blocks)
    P.plot("throughput.gp", "throughput",
           "Throughput vs threads, million ops/s", data=d, n=len(blocks),
           titles=_words(titles), xt=",".join(map(str, threads)),
           logy=int(decades([y for b in blocks for _, y in b])),
           bm=_bmargin(len(blocks), 3))
