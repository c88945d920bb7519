# SPDX-License-Identifier: GPL-2.0
"""Comparisons: page vs pfn shape within a run directory (paired rounds),
and run directory A vs run directory B (e.g. kernel before/after).

usage: python3 plot/compare.py A B [--force] [--margin PCT] [--md FILE]

A vs B refuses (exit 2) when the hosts or the run parameters differ,
listing every difference; --force compares the common rows anyway.
Change is B relative to A: negative = B faster.
"""
import argparse
import math
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import micro  # noqa: E402
import rundir  # noqa: E402
import stats  # noqa: E402
import teardown  # noqa: E402
import textfmt as tf  # noqa: E402

SHAPES = ("page", "pfn")


def _seed(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode())


def shape_pairs(rd, margin=1.0, boot_reps=1000, seed=1):
    """Page vs pfn per group x path: list of dict rows (b = pfn, a = page).

    Per-round per-op values (threads of a round summed) of the two
    shapes, paired by (run, round); repeats of a configuration pooled."""
    out = []
    gs = micro.groups(rd)
    for key, rids in gs.items():
        g = dict(key)["granule"]
        for path in micro.PATH_ORDER:
            va, vb = f"{path}.page.{g}", f"{path}.pfn.{g}"
            a, b = micro.paired_values(rd, rids, va, vb)
            if not a:
                continue
            res = stats.paired_analysis(a, b, margin, boot_reps=boot_reps,
                                        seed=_seed(seed, key, path))
            res.update(key=key, path=path, granule=g, runs=list(rids),
                       va=va, vb=vb, a=a, b=b,
                       repeats_disagree=_heterogeneous(rd, rids, va, vb))
            out.append(res)
    return out


def _heterogeneous(rd, rids, va, vb):
    """True when repeats' own 95% CIs of the paired change are disjoint:
    run-to-run variation then exceeds within-run noise and the pooled CI
    understates it."""
    if len(rids) < 2:
        return False
    cis = []
    for rid in rids:
        a, b = micro.paired_values(rd, [rid], va, vb)
        if len(a) >= 6 and all(v > 0 for v in a + b):
            lo, hi, _ = stats.median_ci([math.log(y / x)
                                         for x, y in zip(a, b)])
            cis.append((lo, hi))
    return any(c1[1] < c2[0] for c1 in cis for c2 in cis)


# ------------------------------------------------------------- A vs B

HOST_FIELDS = (
    ("host", "hostname"), ("cpu", "vendor"), ("cpu", "family"),
    ("cpu", "model"), ("cpu", "stepping"), ("cpu", "model_name"),
    ("cpu", "microcode"), ("cpu", "smt"), ("cpu", "governor"),
    ("cpu", "turbo"), ("cpu", "bugs", "tdx_pw_mce"),
    ("cpu", "flags", "movdir64b"), ("cpu", "flags", "hypervisor"),
    ("thp", "enabled"), ("tdx", "status"), ("tdx", "module_version"),
    ("module", "version"), ("module", "abi_version"),
    ("environment", "emulation"),
)


def _get(d, path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def differences(A, B):
    """Lists of human-readable host and parameter differences."""
    host = []
    for f in HOST_FIELDS:
        va, vb = _get(A.meta, f), _get(B.meta, f)
        if va != vb:
            host.append(f"{'.'.join(f)}: {va!r} vs {vb!r}")
    na = len(_get(A.meta, ("numa", "nodes")) or [])
    nb = len(_get(B.meta, ("numa", "nodes")) or [])
    if na != nb:
        host.append(f"numa nodes: {na} vs {nb}")
    ka, kb = A.tsc_khz(), B.tsc_khz()
    if ka and kb and abs(ka - kb) > 0.001 * ka:
        host.append(f"tsc_khz: {ka:g} vs {kb:g}")
    params = []
    ga, gb = micro.groups(A), micro.groups(B)
    keys = list(ga) + [k for k in gb if k not in ga]
    for k in keys:
        desc = " ".join(f"{n}={v}" for n, v in k)
        if k not in gb:
            params.append(f"only in A: {desc}")
        elif k not in ga:
            params.append(f"only in B: {desc}")
        else:
            for f in ("rounds", "cpus", "cpu_nodes"):
                fa = sorted({str(A.runs[r][f]) for r in ga[k]})
                fb = sorted({str(B.runs[r][f]) for r in gb[k]})
                if fa != fb:
                    params.append(f"{f} {'/'.join(fa)} vs {'/'.join(fb)} "
                                  f"for {desc}")
    ta = {teardown.config_key(t) for t in A.teardown}
    tb = {teardown.config_key(t) for t in B.teardown}
    for k in sorted(ta - tb, key=str):
        params.append(f"teardown only in A: {teardown.config_desc(k)}")
    for k in sorted(tb - ta, key=str):
        params.append(f"teardown only in B: {teardown.config_desc(k)}")
    return host, params


def ab_rows(A, B, margin=1.0):
    """Per common group x variant: B vs A from per-round values."""
    out = []
    ga, gb = micro.groups(A), micro.groups(B)
    for key in ga:
        if key not in gb:
            continue
        va = micro.variants_of(A, ga[key])
        vb = micro.variants_of(B, gb[key])
        for v in sorted(set(va) & set(vb), key=micro.variant_order):
            xa = [x for x, _ in micro.per_round(A, ga[key], v).values()]
            xb = [x for x, _ in micro.per_round(B, gb[key], v).values()]
            if not xa or not xb:
                sa = micro.variant_stats(A, ga[key], v)
                sb = micro.variant_stats(B, gb[key], v)
                out.append(dict(key=key, variant=v, n_a=0, n_b=0,
                                median_a=sa and sa.get("mean"),
                                median_b=sb and sb.get("mean"),
                                est_pct=None, lo_pct=None, hi_pct=None,
                                verdict="no per-round samples"))
                continue
            r = stats.unpaired_analysis(xa, xb, margin)
            r.update(key=key, variant=v)
            out.append(r)
    return out


def ab_report(A, B, margin=1.0, forced=False, host=(), params=()):
    L = []
    L.append(tf.fit(f"unmapbench compare: B vs A (negative change = B "
                    f"faster), margin \u00b1{margin:g}%"))
    for tag, rd in (("A", A), ("B", B)):
        L.append(tf.fit(f"{tag}: {rd.name}"))
        L.append(tf.fit(f"   host {rd.hostname()} kernel {rd.kernel()} "
                        f"backend {','.join(rd.backends()) or '-'} "
                        f"emulation {','.join(rd.emulations()) or 'none'}"))
    if forced and (host or params):
        L.append("FORCED despite these differences:")
        L += ["  " + tf.fit(x, 73) for x in list(host) + list(params)]
    L.append("")
    rows = ab_rows(A, B, margin)
    if rows:
        keys = sorted({r["key"] for r in rows}, key=str)
        vary = micro.varying(keys)
        L.append("Per-op time, median ns; change = Hodges-Lehmann shift of")
        L.append("log per-round values, 95% CI (Mann-Whitney).")
        fixed = micro.fixed_desc(keys)
        if fixed:
            L += tf.para("Fixed: " + fixed)
        hdr = ["variant"] + [s for _, s in vary] + ["A ns", "B ns",
                                                    "change [95% CI]",
                                                    "verdict"]
        trs = []
        for r in rows:
            if r["variant"].startswith("ground"):
                continue
            trs.append([r["variant"]] + micro.key_cells(r["key"], vary) +
                       [tf.num(r["median_a"]), tf.num(r["median_b"]),
                        (tf.pct(r["est_pct"]) + " " +
                         tf.ci(r["lo_pct"], r["hi_pct"]))
                        if r["est_pct"] is not None else "-",
                        r["verdict"]])
        al = ["l"] + ["l"] * len(vary) + ["r", "r", "r", "l"]
        L += tf.table(hdr, trs, al)
        L.append("")
        L += tf.para("Rounds within one run are not independent of that "
                     "run's boot, page placement and frequency state; "
                     "with one run per side the CI covers round-to-round "
                     "noise only. Repeat each side (--repeat) and "
                     "check that the repeats agree.")
        L.append("")
    L += teardown.ab_table(A, B)
    return L


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="compare.py",
        description="Compare run directory B against A (kernel A vs "
                    "kernel B): same rows, refusing when hosts or "
                    "parameters differ unless --force.")
    ap.add_argument("A")
    ap.add_argument("B")
    ap.add_argument("--force", action="store_true",
                    help="compare even when hosts or parameters differ")
    ap.add_argument("--margin", type=float, default=1.0,
                    help="equivalence margin in percent (default 1)")
    ap.add_argument("--md", metavar="FILE",
                    help="also write the comparison to FILE (markdown)")
    a = ap.parse_args(argv)
    if not (a.margin > 0):
        ap.error("--margin must be > 0")
    try:
        A = rundir.load(a.A)
        B = rundir.load(a.B)
    except rundir.RunDirError as e:
        print(f"compare: error: {e}", file=sys.stderr)
        return 1
    host, params = differences(A, B)
    if (host or params) and not a.force:
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
    lines = ab_report(A, B, a.margin, a.force, host, params)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.md:
        with open(a.md, "w") as f:
            f.write("```\n" + text + "```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
