# SPDX-License-Identifier: GPL-2.0
"""Write .dat files and drive the gnuplot scripts plot/*.gp.

render(rd, pairs, margin, outdir) -> (files, messages). Each figure is
written as PNG (pngcairo) and SVG; titles name the units, the host, the
kernel, the backend and whether the figures are emulated. Without
gnuplot the .dat files are still written and a message says the plots
were skipped; the report does not fail.
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
    """A gnuplot word list; each item quoted so it may hold spaces."""
    return " ".join("'" + str(i).replace("'", "") + "'" for i in items)


def _slug(key, keys):
    d = micro.key_desc(key, keys)
    s = "".join(c if c.isalnum() or c in "-." else "_"
                for c in d.replace(" ", "_").replace("=", "-"))
    return s or "all"


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
    if isinstance(c, float):
        if math.isnan(c):
            return "NaN"
        return f"{c:.9g}"
    return str(c).replace(" ", "_") if c != "" else "-"


def render(rd, pairs, margin, outdir, log=print):
    os.makedirs(outdir, exist_ok=True)
    P = Plotter(rd, outdir, log)
    if not P.gnuplot:
        P.msgs.append("plots: gnuplot not found: plots skipped (the .dat "
                      "files are in plots/; install gnuplot-nox to draw "
                      "them).")
    gs = micro.groups(rd)
    keys = list(gs)
    for gi, (key, rids) in enumerate(gs.items()):
        if gi >= MAX_GROUPS:
            P.msgs.append(f"plots: {len(gs) - MAX_GROUPS} more "
                          "configurations not plotted")
            break
        slug = _slug(key, keys)
        gdesc = micro.key_desc(key, keys) or micro.fixed_desc(keys)
        _cdf(P, rd, key, rids, slug, gdesc)
        _box(P, rd, key, rids, slug, gdesc)
        _pairdiff(P, [p for p in pairs if p["key"] == key], margin, slug,
                  gdesc)
    _throughput(P, rd)
    _teardown(P, rd)
    return P.files, P.msgs


def _cdf(P, rd, key, rids, slug, gdesc):
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
    vals = sorted(x for x, _ in micro.per_round(rd, rids, v).values())
    if not vals:
        return []
    n = len(vals)
    step = max(1, n // MAX_CDF_POINTS)
    pts = [(max(vals[i], 1e-3), (i + 1) / n) for i in range(0, n, step)]
    if pts[-1][1] < 1.0:
        pts.append((max(vals[-1], 1e-3), 1.0))
    return pts


def _box(P, rd, key, rids, slug, gdesc):
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


def _pairdiff(P, pairs, margin, slug, gdesc):
    if not pairs:
        return
    blocks, titles, est, lo, hi = [], [], [], [], []
    for p in pairs:
        ch = sorted(100 * math.expm1(v) for v in p["d"])
        if not ch:
            continue
        a = stats.quantile(ch, 0.01)
        b = stats.quantile(ch, 0.99)
        l_ = p["lo_pct"] if math.isfinite(p["lo_pct"]) else a
        h_ = p["hi_pct"] if math.isfinite(p["hi_pct"]) else b
        a = min(a, l_, -margin) - 0.5
        b = max(b, h_, margin) + 0.5
        nb = 40
        w = (b - a) / nb
        cnt = [0] * nb
        for v in ch:
            i = int((v - a) / w)
            if 0 <= i < nb:
                cnt[i] += 1
        blocks.append([(a + (i + .5) * w, c / len(ch), w)
                       for i, c in enumerate(cnt)])
        titles.append(f"{p['path']} {p['granule']}: {p['verdict']} "
                      f"({p['est_pct']:+.2f}%, n={p['n']})")
        est.append(f"{p['est_pct']:.6g}")
        lo.append(f"{l_:.6g}")
        hi.append(f"{h_:.6g}")
    n = len(blocks)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    d = P.dat(f"pairdiff-{slug}", blocks)
    P.plot("pairdiff.gp", f"pairdiff-{slug}",
           f"Paired per-round change pfn vs page, % ({gdesc})",
           data=d, n=n, titles=_words(titles), est=" ".join(est),
           lo=" ".join(lo), hi=" ".join(hi), margin=float(margin),
           rows=rows, cols=cols)


def _throughput(P, rd):
    rows = micro.throughput(rd)
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
    d = P.dat("throughput", blocks)
    P.plot("throughput.gp", "throughput",
           "Throughput vs threads, million ops/s", data=d, n=len(blocks),
           titles=_words(titles))


def _teardown(P, rd):
    rows = teardown.dat_rows(rd)
    if not rows:
        return
    for what, xi, xlab, other, logx in (
            ("size", 1, "guest size, GB (log scale)", 2, 1),
            ("vms", 2, "concurrent guests", 1, 0)):
        series = {}
        for r in rows:
            k = r[0]
            skey = (k[0], k[5], k[1], k[4], r[other])
            series.setdefault(skey, []).append((r[xi], r[3], r[4], r[5]))
        series = {k: sorted(v) for k, v in series.items() if len(v) >= 1}
        if len({x for v in series.values() for x, *_ in v}) < 2:
            P.msgs.append(f"plots: teardown vs {what} skipped: one "
                          f"{what} value only.")
            continue
        blocks, titles = [], []
        for (vt, trig, vc, ps, o), pts in sorted(series.items(), key=str):
            blocks.append(pts)
            o_s = (f"{o} guests" if what == "size" else
                   teardown.size_str(int(o * (1 << 30))))
            titles.append(f"{vt} {trig} {vc} vCPUs {ps} {o_s}")
        d = P.dat(f"teardown-{what}", blocks)
        P.plot("teardown.gp", f"teardown-{what}",
               f"Guest teardown seconds vs "
               f"{'guest size' if what == 'size' else 'concurrent guests'}",
               data=d, n=len(blocks), titles=_words(titles), xlab=xlab,
               logx=logx)
