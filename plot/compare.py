# SPDX-License-Identifier: GPL-2.0
"""Comparisons: page vs pfn shape within a run directory (paired rounds),
and run directory A vs run directory B (e.g. kernel before/after).

usage: python3 plot/compare.py A B [--force] [--margin PCT] [--md FILE]

A vs B refuses (exit 2) when A and B are the same run, or when the hosts
or the run parameters differ (units of measurement, units per thread
after scale=auto, rounds, CPUs, rows present), listing every difference;
--force compares the common rows anyway. Differing kernel command lines
and repeat counts are flagged in the header, not refused. A directory
that does not load is one line on stderr, exit 1.
Change is B relative to A: negative = B faster.
"""
import math
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import micro  # noqa: E402
import provenance  # noqa: E402
import rundir  # noqa: E402
import schema  # noqa: E402
import stats  # noqa: E402
import teardown  # noqa: E402
import textfmt as tf  # noqa: E402

def _seed(*parts):
    return zlib.crc32("|".join(map(str, parts)).encode())


def shape_pairs(rd, margin=1.0, boot_reps=1000, seed=1):
    """Page vs pfn per group x path: list of dict rows (b = pfn, a = page).

    Per-round per-op values (threads of a round summed) of the two
    shapes, paired by (run, round); repeats of a configuration pooled."""
    out = []
    gs = micro.groups(rd)
    for key, rids in gs.items():
        for path, g, va, vb in micro.shape_pairs(rd, rids):
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
    ka, kb = A.tsc_khz(), B.tsc_khz()
    if ka and kb and abs(ka - kb) > 0.001 * ka:
        host.append(f"tsc_khz: {ka:g} vs {kb:g}")
    notes = []
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


def ab_rows(A, B, margin=1.0):
    """Per common group x variant: B vs A from per-round values; rows
    without per-round samples on both sides carry micro.csv means
    (stat "mean") and no test."""
    out = []
    ga, gb = micro.groups(A), micro.groups(B)
    for key in ga:
        if key not in gb:
            continue
        vb = micro.variants_of(B, gb[key])
        for v in micro.sorted_variants(A, ga[key]):
            if v.name not in vb:
                continue
            xa = [x for x, _ in micro.per_round(A, ga[key], v.name).values()]
            xb = [x for x, _ in micro.per_round(B, gb[key], v.name).values()]
            if not xa or not xb:
                sa = micro.variant_stats(A, ga[key], v.name)
                sb = micro.variant_stats(B, gb[key], v.name)
                out.append(dict(key=key, variant=v, stat="mean",
                                n_a=0, n_b=0,
                                median_a=sa and sa.get("mean"),
                                median_b=sb and sb.get("mean"),
                                est_pct=None, lo_pct=None, hi_pct=None,
                                verdict="mean only: no per-round samples"))
                continue
            r = stats.unpaired_analysis(xa, xb, margin)
            r.update(key=key, variant=v, stat="median")
            out.append(r)
    return out


def ab_report(A, B, margin=1.0, forced=False, host=(), params=(), notes=(),
              same=None):
    L = []
    L.append(tf.fit(f"unmapbench compare: B vs A (negative change = B "
                    f"faster), margin \u00b1{margin:g}%"))
    for tag, rd in (("A", A), ("B", B)):
        L.append(tf.fit(f"{tag}: {rd.name}"))
        L.append(tf.fit(f"   host {rd.hostname()} kernel {rd.kernel()} "
                        f"backend {','.join(rd.backends()) or '-'} "
                        f"emulation {','.join(rd.emulations()) or 'none'}"))
        L += tf.para(f"{provenance.provenance(rd)[0]}", indent="   ")
    forced_for = ([same] if same else []) + list(host) + list(params)
    if forced and forced_for:
        L.append("FORCED despite these differences:")
        L += ["  " + tf.fit(x, 73) for x in forced_for]
    if notes:
        L.append("NOTE (not refused):")
        L += [y for x in notes for y in tf.para(x, indent="  ")]
    L.append("")
    rows = [r for r in ab_rows(A, B, margin) if r["variant"].path != "ground"]
    if rows:
        keys = sorted({r["key"] for r in rows}, key=str)
        vary = micro.varying(keys)
        L += tf.para("Per-op time, ns: the median of per-round values; "
                     "change = Hodges-Lehmann shift of log per-round "
                     "values, 95% CI (Mann-Whitney). Rows saying 'mean "
                     "only' have no per-round samples: their figures are "
                     "micro.csv means, untested.")
        fixed = micro.fixed_desc(keys)
        if fixed:
            L += tf.para("Fixed: " + fixed)
        hdr = ["variant"] + [s for _, s in vary] + ["A ns", "B ns",
                                                    "change [95% CI]",
                                                    "verdict"]
        trs = []
        for r in rows:
            trs.append([r["variant"].name] + micro.key_cells(r["key"], vary) +
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


def parser():
    p = cli.Parser("compare", "Compare run directory B against A (kernel "
                   "A vs kernel B): same rows, refusing when they are one "
                   "run or when hosts or parameters differ, unless "
                   "--force.")
    p.add_argument("A")
    p.add_argument("B")
    p.add_argument("--force", action="store_true",
                   help="compare even when hosts or parameters differ")
    p.add_argument("--margin", type=cli.positive, default=1.0, metavar="PCT",
                   help="equivalence margin in percent (default 1)")
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
    lines = ab_report(A, B, a.margin, a.force, host, params, notes, same)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.md:
        cli.write_atomic(a.md, "```\n" + text + "```\n")
    return 0


def main(argv=None):
    return cli.run("compare", parser(), _compare, argv)


if __name__ == "__main__":
    sys.exit(main())
