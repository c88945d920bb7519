# SPDX-License-Identifier: GPL-2.0
"""Write RUN_DIR/report.txt (<= 75 columns, for a patch mail),
RUN_DIR/report.md, the plots in RUN_DIR/plots/ and, when the directory
has teardown rows, RUN_DIR/teardown-summary.txt.

usage: python3 plot/report.py RUN_DIR [--margin 1] [--no-plots]
       [--boot 1000] [--seed 1]

Files are written atomically. A directory that does not load is one line
on stderr, exit 1, and a report.txt/report.md of an earlier run of the
directory is removed (nothing stale may look current); wrong arguments
exit 2.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import compare  # noqa: E402
import instrument  # noqa: E402
import micro  # noqa: E402
import plots as P  # noqa: E402
import provenance  # noqa: E402
import rundir  # noqa: E402
import stats  # noqa: E402
import teardown  # noqa: E402
import textfmt as tf  # noqa: E402

REPORTS = ("report.txt", "report.md")


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
    L += tf.para(f"TDX: {tdx.get('status', '?')}"
                 f"{', module ' + str(tdx['module_version']) if tdx.get('module_version') else ''}"
                 f"; {modtxt}")
    reasons = sorted({(r["backend"], r["backend_reason"])
                      for r in rd.runs.values()})
    for b, why in reasons[:4]:
        L += tf.para(f"Backend {b}: {why}")
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


# ------------------------------------------------------------ sections

def verdict_section(rd, pairs, margin):
    if not pairs:
        return []
    keys = [p["key"] for p in pairs]
    vary = micro.varying(keys)
    L = ["VERDICT: pfn shape (Linux 7.2, post-patch) vs page shape",
         "(pre-patch). Change = median over paired rounds of pfn/page - 1",
         f"with its 95% CI (sign-test order statistics); margin "
         f"\u00b1{margin:g}%."]
    fixed = micro.fixed_desc(keys)
    if fixed:
        L += tf.para("Fixed: " + fixed)
    L += per_path_summary(pairs)
    hdr = ["path", "n", "page ns", "pfn ns", "change [95% CI]", "verdict"]
    al = ["l", "r", "r", "r", "r", "l"]
    for key in _uniq(keys):
        rows = []
        for p in pairs:
            if p["key"] != key:
                continue
            rows.append([p["path"] + "." + p["granule"], p["n"],
                         tf.num(p["median_a"]), tf.num(p["median_b"]),
                         f"{tf.pct(p['est_pct'])} "
                         f"{tf.ci(p['lo_pct'], p['hi_pct'])}",
                         p["verdict"] + (" !" if p["repeats_disagree"]
                                         else "")])
        d = micro.key_desc(key, keys)
        if d:
            L.append(tf.fit(f"[{d}]"))
        L += tf.table(hdr, rows, al)
    if any(p["repeats_disagree"] for p in pairs):
        L += tf.para("! repeats disagree beyond their own noise (disjoint "
                     "per-repeat CIs): the pooled CI understates "
                     "run-to-run variation; treat the verdict with care.")
    L.append("")
    L.append("In words:")
    order = sorted(range(len(pairs)), key=lambda i: (
        micro.PATH_ORDER.index(pairs[i]["path"]), i))
    for i in order[:12]:
        L += tf.para(sentence(pairs[i], vary), indent="  ")
    if len(pairs) > 12:
        L.append(f"  ... {len(pairs) - 12} more rows in the tables above")
    return L


def _uniq(seq):
    out = []
    for x in seq:
        if x not in out:
            out.append(x)
    return out


def per_path_summary(pairs):
    """One line per path: how the verdicts fall across configurations."""
    L = []
    for path in micro.PATH_ORDER:
        ps = [p for p in pairs if p["path"] == path]
        if not ps:
            continue
        cnt = {}
        for p in ps:
            v = p["verdict"].split(":")[0]
            cnt[v] = cnt.get(v, 0) + 1
        ests = [p["est_pct"] for p in ps]
        what = ", ".join(f"{v} {c}" for v, c in sorted(
            cnt.items(), key=lambda i: -i[1]))
        rng = (f"{tf.pct(min(ests))}" if len(ps) == 1 else
               f"{tf.pct(min(ests))}..{tf.pct(max(ests))}")
        L.append(tf.fit(f"  {path:7s} {what} of {len(ps)}; change {rng}"))
    return L


def sentence(p, vary):
    where = f"{p['path']} {p['granule']}"
    extra = " ".join(f"{s}={dict(p['key'])[k]}" for k, s in vary
                 if s != "gran")
    if extra:
        where += f" ({extra})"
    pv = tf.pval(p["wilcoxon"]["p"])
    if math.isinf(p["lo_pct"]) or math.isinf(p["hi_pct"]):
        ci = f"no 95% CI from only {p['n']} rounds"
    else:
        ci = (f"95% CI {tf.pct(p['lo_pct'])} to {tf.pct(p['hi_pct'])}, "
              f"{p['n']} rounds, Wilcoxon p"
              f"{'' if pv[0] == '<' else '='}{pv}")
    v = p["verdict"]
    if v == "faster":
        return (f"{where}: pfn is {tf.pct(-p['est_pct'], False)} faster "
                f"than page ({ci}).")
    if v == "slower":
        return (f"{where}: pfn is {tf.pct(p['est_pct'], False)} slower "
                f"than page ({ci}).")
    if v.startswith("equivalent"):
        return (f"{where}: {v} (change {tf.pct(p['est_pct'])}, {ci}).")
    return (f"{where}: not decided yet (change {tf.pct(p['est_pct'])}, "
            f"{ci}); about {p['more']} more rounds should decide it.")


def details_section(pairs):
    if not pairs:
        return []
    keys = [p["key"] for p in pairs]
    vary = [v for v in micro.varying(keys) if v[1] != "gran"]
    L = ["Paired details: sign test, Wilcoxon signed-rank, difference of",
         "medians (ns), ratio of medians with a seeded bootstrap 95% CI"]
    hdr = ["row"] + [s for _, s in vary] + [
        "+/-", "sign p", "Wilc p", "dmed ns", "ratio [boot CI]"]
    rows = []
    for p in pairs:
        lo, hi = p["ratio_ci"]
        r = p["ratio_medians"]
        rows.append([f"{p['path']}.{p['granule']}"] +
                    micro.key_cells(p["key"], vary) +
                    [f"{p['sign']['pos']}/{p['sign']['neg']}",
                     tf.pval(p["sign"]["p"]), tf.pval(p["wilcoxon"]["p"]),
                     tf.num(p["diff_medians"]),
                     (f"{r:.4f} [{lo:.4f},{hi:.4f}]" if lo is not None
                      else f"{r:.4f}") if r else "-"])
    L += tf.table(hdr, rows, ["l"] * (1 + len(vary)) +
                  ["r", "r", "r", "r", "l"])
    L += tf.para("+/- counts rounds where pfn took longer/shorter than "
                 "page.")
    return L


def variant_section(rd):
    gs = micro.groups(rd)
    if not gs:
        return []
    keys = list(gs)
    L = ["Per variant, ns per op (n = timed batches from hist.csv, else",
         "rounds from samples.csv; mean, CV and min from micro.csv)"]
    fixed = micro.fixed_desc(keys)
    if fixed:
        L += tf.para("Fixed: " + fixed)
    sources = set()
    for key, rids in gs.items():
        d = micro.key_desc(key, keys)
        if d:
            L.append(tf.fit(f"[{d}]"))
        t1, t2 = [], []
        for v in micro.sorted_variants(rd, rids):
            s = micro.variant_stats(rd, rids, v.name)
            if not s:
                continue
            sources.add(s["source"])
            t1.append([v.name, s["n"], tf.num(s["median"]), tf.num(s["mean"]),
                       tf.num(s["mad"]),
                       tf.pct(100 * s["cv"], False, 1)
                       if s.get("cv") is not None else "-",
                       tf.num(s["min"])])
            t2.append([v.name, tf.num(s["p10"]), tf.num(s["p90"]),
                       tf.num(s["p99"]), tf.num(s["p999"]),
                       tf.num(s["max"])])
        L += tf.table(["variant", "n", "median", "mean", "MAD", "CV",
                       "min"], t1)
        L += tf.table(["variant", "p10", "p90", "p99", "p99.9", "max"], t2)
        L.append("")
    return L


def ground_section(rd):
    """Ground truth: k dependent adds must cost ~k core cycles."""
    gs = micro.groups(rd)
    L = []
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
            L += tf.para(
                f"Ground truth ({micro.key_desc(key, list(gs)) or 'all'}): "
                f"{', '.join(f'{a} adds {tf.num(b)} ns' for a, b in pts)}; "
                f"slope {slope:.4g} ns/add{cyc}, intercept "
                f"{tf.num(icpt)} ns (timer residue).")
            break   # one configuration is enough to validate the timer
    return L


def plot_summary(plots):
    kinds = {}
    for p in plots:
        b = os.path.basename(p)
        if b.endswith(".png"):
            k = b.split("-")[0]
            kinds.setdefault(k, []).append(b)
    return ", ".join(v[0] if len(v) == 1 else f"{k}-*.png ({len(v)})"
                     for k, v in sorted(kinds.items()))


def counters_section(rd):
    if not rd.counters:
        return []
    unavail = sorted({c["counter"] for c in rd.counters
                      if c["value"] == "unavailable"})
    have = sorted({c["counter"] for c in rd.counters
                   if c["value"] != "unavailable"})
    L = []
    if have:
        L += tf.para("Counters recorded: " + ", ".join(have) +
                     " (counters.csv).")
    if unavail:
        L += tf.para("Counters unavailable on this host: " +
                     ", ".join(unavail) + ".")
    return L


METHODS = (
    "Methods: each round runs every variant back to back on the same "
    "pages, so page and pfn are compared within a round (per-op time = "
    "round total / ops, threads of a round summed); repeats of one "
    "configuration are pooled. The change is the median of the per-round "
    "log ratios; its 95% CI is the distribution-free interval from the "
    "order statistics of the sign test (exact coverage for independent "
    "rounds, no normality or symmetry assumed). Verdict: CI inside "
    "\u00b1margin -> equivalent (TOST, each one-sided test at 2.5%); "
    "else CI excluding 0 -> faster/slower; else inconclusive, with the "
    "rounds needed to shrink the CI (width ~ 1/sqrt(n), from the current "
    "CI and the MAD, sized for 80% power). Each verdict holds at 95% on its own; with "
    "many rows, expect about 1 in 20 wrong by chance when nothing differs.")


# ------------------------------------------------------------ markdown

def md_table(headers, rows):
    out = ["| " + " | ".join(map(str, headers)) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|")
                                     for c in r) + " |")
    return out


def markdown(rd, pairs, margin, first, plots):
    _, long_ = provenance.provenance(rd)
    L = [f"# unmapbench report: {rd.name}", "", f"**{first}**", "",
         long_, ""]
    for w in rd.warnings:
        L += [f"**{w}**", ""]
    L += ["## Environment", "", "```"] + environment(rd) + ["```", ""]
    if pairs:
        L += ["## Verdict: pfn shape (post-patch) vs page shape (pre-patch)",
              "",
              f"Margin \u00b1{margin:g}%. Change = median of paired "
              "per-round pfn/page - 1 with its 95% CI (sign-test order "
              "statistics). Bootstrap CI (seeded) is for the ratio of "
              "medians.", ""]
        keys = [p["key"] for p in pairs]
        vary = micro.varying(keys)
        hdr = ["path"] + [s for _, s in vary] + [
            "n", "page ns (median)", "pfn ns (median)", "change",
            "95% CI", "verdict", "sign p", "Wilcoxon p", "ratio of medians",
            "bootstrap 95% CI"]
        rows = []
        for p in pairs:
            lo, hi = p["ratio_ci"]
            rows.append([p["path"]] + micro.key_cells(p["key"], vary) + [
                p["n"], tf.num(p["median_a"]), tf.num(p["median_b"]),
                tf.pct(p["est_pct"]), tf.ci(p["lo_pct"], p["hi_pct"]),
                p["verdict"] + (" (repeats disagree)"
                                if p["repeats_disagree"] else ""),
                tf.pval(p["sign"]["p"]), tf.pval(p["wilcoxon"]["p"]),
                f"{p['ratio_medians']:.4f}" if p["ratio_medians"] else "-",
                f"[{lo:.4f}, {hi:.4f}]" if lo is not None else "-"])
        L += md_table(hdr, rows) + [""]
        for p in pairs:
            L.append("- " + sentence(p, vary))
        L.append("")
    gs = micro.groups(rd)
    if gs:
        L += ["## Per variant (ns per op)", ""]
        keys = list(gs)
        for key, rids in gs.items():
            d = micro.key_desc(key, keys) or micro.fixed_desc(keys)
            L += [f"### {d}", ""]
            rows = []
            for v in micro.sorted_variants(rd, rids):
                s = micro.variant_stats(rd, rids, v.name)
                if not s:
                    continue
                rows.append([v.name, s["n"], s["source"], tf.num(s["median"]),
                             tf.num(s["mean"]), tf.num(s["p10"]),
                             tf.num(s["p90"]), tf.num(s["p99"]),
                             tf.num(s["p999"]), tf.num(s["min"]),
                             tf.num(s["max"]), tf.num(s["mad"]),
                             tf.pct(100 * s["cv"], False, 1)
                             if s.get("cv") is not None else "-"])
            L += md_table(["variant", "n", "source", "median", "mean", "p10",
                           "p90", "p99", "p99.9", "min", "max", "MAD",
                           "CV"], rows) + [""]
    ip = os.path.join(rd.path, "instrument.txt")
    if os.path.exists(ip):
        with open(ip, encoding="utf-8", errors="replace") as f:
            L += ["## Instrument validation", "", "```"] + \
                f.read().rstrip("\n").split("\n") + ["```", ""]
    td = teardown.table(rd)
    if td:
        L += ["## Guest teardown", "", "```"] + td + ["```", ""]
    bd = teardown.breakdown(rd)
    if bd:
        L += ["## Teardown breakdown", "", "```"] + bd + ["```", ""]
    if plots:
        L += ["## Plots", ""]
        for p in plots:
            if p.endswith(".png"):
                L.append(f"![{os.path.basename(p)}](plots/"
                         f"{os.path.basename(p)})")
        L.append("")
    L += ["## Methods", "", METHODS, ""]
    return "\n".join(L) + "\n"


def instrument_section(rd, log):
    """instrument.txt (plot/instrument.py) when present; written first
    when the directory holds ground ops timed with both timers."""
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
        return f.read().rstrip("\n").split("\n")


# ------------------------------------------------------------ main

def build(rd, margin=1.0, boot=1000, seed=1, plot=True, log=None):
    log = log or (lambda m: print(m, file=sys.stderr))
    pairs = compare.shape_pairs(rd, margin, boot, seed)
    first = provenance.headline(rd)
    _, long_ = provenance.provenance(rd)
    plots, plot_msgs = [], []
    if plot:
        plots, plot_msgs = P.render(rd, pairs, margin,
                                    os.path.join(rd.path, "plots"), log=log)
    L = [first]
    L += tf.para(long_)
    for w in rd.warnings:
        L += tf.para("WARNING: " + w)
    L.append("")
    L += environment(rd)
    L.append("")
    sec = verdict_section(rd, pairs, margin)
    if sec:
        L += sec + [""]
    L += details_section(pairs)
    if pairs:
        L.append("")
    L += variant_section(rd)
    g = ground_section(rd)
    if g:
        L += g + [""]
    ins = instrument_section(rd, log)
    if ins:
        L += ins + [""]
    td = teardown.table(rd)
    if td:
        L += td + [""]
    bd = teardown.breakdown(rd)
    if bd:
        L += bd + [""]
    c = counters_section(rd)
    if c:
        L += c + [""]
    if plots:
        L += tf.para("Plots in plots/ (PNG and SVG): " + plot_summary(plots))
        L.append("")
    for m in plot_msgs:
        L += tf.para(m)
    L += tf.para(METHODS)
    L = [tf.fit(x) for x in L]
    txt = "\n".join(L).rstrip("\n") + "\n"
    md = markdown(rd, pairs, margin, first, plots)
    return txt, md, plots, pairs


def parser():
    p = cli.Parser("report", "Analyse an unmapbench run directory: writes "
                   "report.txt, report.md, plots/ and (with teardown rows) "
                   "teardown-summary.txt inside it.")
    p.add_argument("rundir")
    p.add_argument("--margin", type=cli.positive, default=1.0, metavar="PCT",
                   help="equivalence margin in percent (default 1)")
    p.add_argument("--no-plots", action="store_true",
                   help="skip the gnuplot figures")
    p.add_argument("--boot", type=cli.count, default=1000, metavar="N",
                   help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=cli.count, default=1, metavar="N",
                   help="bootstrap seed (default 1)")
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
    txt, md, _, _ = build(rd, a.margin, a.boot, a.seed, not a.no_plots, log)
    if rd.teardown:
        summary(rd, log)
    for name, content in zip(REPORTS, (txt, md)):
        cli.write_atomic(rd.file(name), content)
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
