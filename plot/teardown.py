# SPDX-License-Identifier: GPL-2.0
"""Guest teardown: one summary of teardown.csv (median over repeats with
the min-max spread; every figure defined once, in summarize()), rendered
as the report's table, as the A/B table of compare (shaped like the
published TDX ones: vCPUs, size, before, after, change) and as
teardown-summary.txt; and the breakdown of the per-page teardown cost
into WBINVD, reset and the rest, with a 1 TB projection next to the
measured trend.

usage: python3 plot/teardown.py --summary RUN_DIR [--baseline PATH]

writes RUN_DIR/teardown-summary.txt (atomically); PATH, the "before"
kernel's teardown, is a run directory or a teardown.csv. Exit 0; a
directory or baseline that does not load is one line on stderr, exit 1;
wrong arguments exit 2.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cli  # noqa: E402
import micro  # noqa: E402
import provenance  # noqa: E402
import rundir  # noqa: E402
import schema  # noqa: E402
import stats  # noqa: E402
import textfmt as tf  # noqa: E402

TB = 1 << 40
SUMMARY = "teardown-summary.txt"
BASELINE_TAG = "# baseline: "


def config_key(t):
    return (t["vm_type"], t["vcpus"], t["size_bytes"], t["vms"],
            t["page_size"], t["trigger"], t["populate"])


def config_desc(k):
    vt, vc, size, vms, ps, trig, pop = k
    return (f"{vt} {vc} vCPUs {size_str(size)} x{vms} {ps} {trig} "
            f"populate={pop}")


def size_str(b):
    for unit, div in (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20)):
        if b >= div:
            v = b / div
            return f"{v:.0f} {unit}" if v == int(v) or v >= 100 else \
                f"{v:.3g} {unit}"
    return f"{b} B"


class Config:
    """The figures of one configuration (config_key) over its repeats.

    A repeat's seconds are its aggregate row's (vm = all) teardown_s
    when the harness wrote one, else its slowest guest's (the guests of a
    repeat are torn down concurrently: that is when all are gone). Its
    ns/page is those seconds over the pages of all its guests, so one run
    never shows two different ns/page. The figures are the median over
    repeats, with the min-max range; mapped is false when a guest had no
    (or unknown) stage-2 mappings."""

    def __init__(self):
        self.guest_s = collections.defaultdict(list)
        self.agg_s = {}
        self.pages = collections.Counter()
        self.agg_pages = {}
        self.mapped = True

    def add(self, t):
        rep = (t["run_id"], t["repeat"])
        if t["vm"] == "all":
            self.agg_s[rep] = t["teardown_s"]
            self.agg_pages[rep] = t["pages"]
            return
        self.guest_s[rep].append(t["teardown_s"])
        self.pages[rep] += t["pages"]
        # a 4K-equivalent count of the mappings KVM had; empty = unknown
        self.mapped &= bool(t["mappings_populated"])

    def finish(self):
        secs = {r: max(v) for r, v in self.guest_s.items()}
        secs.update(self.agg_s)
        pages = dict(self.pages)
        pages.update(self.agg_pages)
        self.seconds = sorted(secs.values())
        self.n = len(self.seconds)
        self.median_s = stats.median(self.seconds)
        self.min_s, self.max_s = self.seconds[0], self.seconds[-1]
        nspp = [secs[r] * 1e9 / pages[r] for r in secs if pages.get(r)]
        self.median_nspp = stats.median(nspp) if nspp else None
        return self

    def spread(self):
        """Half the min-max range over repeats, in % of the median."""
        if self.n < 2:
            return "n=1"
        if not self.median_s:
            return "-"
        half = 100 * (self.max_s - self.min_s) / 2 / self.median_s
        return f"\u00b1{half:.1f}% n={self.n}"


def summarize(rd):
    """{config_key: Config} of the rows that ran, in file order."""
    per = collections.OrderedDict()
    for t in rd.teardown:
        if t["teardown_s"] is not None:     # skipped/failed: skipped()
            per.setdefault(config_key(t), Config()).add(t)
    return collections.OrderedDict((k, c.finish()) for k, c in per.items())


def change_pct(a, b):
    """B's median seconds relative to A's, in percent."""
    return 100 * (b.median_s / a.median_s - 1) if a.median_s else None


def skipped(rd):
    """Lines for teardown rows that did not run, with the reason."""
    seen = []
    for t in rd.teardown:
        if t["teardown_s"] is None:
            x = f"{config_desc(config_key(t))}: {t['status']}"
            if x not in seen:
                seen.append(x)
    return seen


def _secs(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def table(rd):
    """Lines: per-config teardown seconds with spread over repeats."""
    per = summarize(rd)
    if not per:
        return [y for x in skipped(rd) for y in tf.para("Teardown not run: "
                                                        + x)]
    L = ["Guest teardown (seconds until every guest of a repeat is gone,",
         "median over repeats; spread = half the min-max range over",
         "repeats, in % of median; ns/page = those seconds over the pages",
         "of all the guests)"]
    hdr = ["VM type", "vCPUs", "size", "page", "VMs", "trigger",
           "teardown s", "spread", "ns/page"]
    rows = []
    notes = set()
    for k, d in per.items():
        vt, vc, size, vms, ps, trig, pop = k
        mark = "" if d.mapped else "*"
        if not d.mapped:
            notes.add("* no mappings were populated (guest_memfd only): "
                      "the figure prices freeing memory, not the unmap "
                      "path")
        rows.append([vt + mark, vc, size_str(size), ps, vms, trig,
                     _secs(d.median_s), d.spread(), tf.num(d.median_nspp)])
    L += tf.table(hdr, rows, ["l", "r", "r", "l", "r", "l", "r", "l", "r"])
    for n in sorted(notes):
        L += tf.para(n)
    for x in skipped(rd):
        L += tf.para("not run: " + x)
    return L


def ab_table(A, B):
    """Published shape: vCPUs, size, before (A), after (B), change."""
    pa, pb = summarize(A), summarize(B)
    common = [k for k in pa if k in pb]
    if not common:
        return []
    L = tf.para(f"Guest teardown, seconds (median over repeats): before = "
                f"{A.kernel()}, after = {B.kernel()}")
    hdr = ["vCPUs", "size", "page", "VMs", "trigger", "before", "after",
           "change", "spread A/B"]
    rows = []
    for k in common:
        a, b = pa[k], pb[k]
        rows.append([k[1], size_str(k[2]), k[4], k[3], k[5],
                     _secs(a.median_s), _secs(b.median_s),
                     tf.pct(change_pct(a, b), digits=1),
                     a.spread().split()[0] + "/" + b.spread().split()[0]])
    L += tf.table(hdr, rows, ["r", "r", "l", "r", "l", "r", "r", "r", "l"])
    vts = {k[0] for k in common}
    L += tf.para("VM types: " + ", ".join(sorted(vts)) + ". A change whose "
                 "size is within the spread is not a difference.")
    return L


# ------------------------------------------------------------ summary file

def load_baseline(path):
    """The "before" teardown: a run directory (loaded strictly), or a
    teardown.csv on its own."""
    if os.path.isdir(path):
        return rundir.load(path)
    if not os.path.exists(path):
        raise rundir.RunDirError(f"{path}: no such run directory or "
                                 "teardown.csv")
    sch = schema.load()
    rd = rundir.RunDir(os.path.dirname(path) or ".", sch)
    rd.name = path
    try:                        # its kernel, when its directory says
        rd.meta = rundir.load_meta(rd.file("meta.json"), sch)
    except rundir.RunDirError:
        pass
    rd.teardown = rundir.read_table(path, sch.table("teardown.csv"))
    rundir.check_teardown(rd)
    return rd


def summary_text(rd, base=None, base_path=None):
    """teardown-summary.txt: the report's table and, with a baseline, the
    A/B table (before = baseline, after = this run)."""
    short, long_ = provenance.provenance(rd)
    L = [f"# unmapbench teardown summary: {rd.name}",
         tf.fit(f"# host {rd.hostname()}, kernel {rd.kernel()}: {short}")]
    L += tf.para(long_, indent="# ")
    for w in rd.warnings:
        L += tf.para("WARNING: " + w, indent="# ")
    if base is not None:
        L.append(BASELINE_TAG + os.path.abspath(base_path))
    else:
        L.append("# before/change: no --baseline given.")
    L.append("")
    L += table(rd) or ["No teardown rows in teardown.csv."]
    if base is not None:
        L.append("")
        L += ab_table(base, rd) or tf.para(
            "The baseline has no teardown configuration in common with "
            "this run: no before/after table.")
    return "\n".join(L).rstrip("\n") + "\n"


def previous_baseline(rd):
    """The baseline an existing teardown-summary.txt of rd was made
    with (so a rewrite keeps its before/after table), or None."""
    try:
        with open(rd.file(SUMMARY), encoding="utf-8") as f:
            for line in f:
                if line.startswith(BASELINE_TAG):
                    return line[len(BASELINE_TAG):].rstrip("\n")
    except (OSError, UnicodeDecodeError):
        pass
    return None


def write_summary(rd, base_path=None):
    """Write RUN_DIR/teardown-summary.txt atomically; its path."""
    base = load_baseline(base_path) if base_path else None
    if base is not None and not base.teardown:
        raise rundir.RunDirError(f"{base_path}: no teardown rows")
    p = rd.file(SUMMARY)
    cli.write_atomic(p, summary_text(rd, base, base_path))
    return p


def _pick_group(rd):
    """The micro configuration closest to what teardown runs: the best
    backend, kernel reset mode, cold cache, local memory, one thread."""
    best, score_best = None, None
    for key, rids in micro.groups(rd).items():
        d = dict(key)
        score = ({"tdx": 3, "model": 2}.get(d["backend"], 0) * 100 +
                 (20 if d["reset_mode"] == "kernel" else 0) +
                 (10 if d["cache"] == "cold" else 0) +
                 (5 if d["placement"] == "local" else 0) +
                 (2 if d["threads"] == 1 else 0))
        if score_best is None or score > score_best:
            best, score_best = (key, rids), score
    return best


def part_ns(rd, rids, path, page_size):
    """Per 4K page ns of the pfn shape of path at the guest's page size
    (a 2M op covers pages_per_2m pages)."""
    name = micro.find(rd, rids, path, "pfn", page_size)
    s = name and micro.variant_stats(rd, rids, name)
    if not s:
        return None
    v = s.get("median") if s.get("median") is not None else s.get("mean")
    if v is None:
        return None
    return v / (rd.schema.pages_per_2m if page_size == "2m" else 1)


def breakdown(rd):
    """Lines splitting per-page teardown cost and projecting 1 TB."""
    per = summarize(rd)
    if not per or not rd.runs:
        return []
    pick = _pick_group(rd)
    if not pick:
        return []
    key, rids = pick
    gdesc = " ".join(f"{k}={v}" for k, v in key
                     if k in ("backend", "reset_mode", "cache", "placement"))
    backend = dict(key)["backend"]
    page = rd.schema.page_bytes
    L = tf.para("Teardown breakdown, ns per 4K page. WBINVD and reset: "
                f"module figures, same host, pfn shape, median ({gdesc}).")
    hdr = ["VM type", "size", "trigger", "measured", "WBINVD", "reset",
           "rest", "1 TB s"]
    rows = []
    notes = []
    proj = {}
    for k, d in per.items():
        vt, vc, size, vms, ps, trig, pop = k
        if vms != 1:
            continue
        wb = part_ns(rd, rids, "wbinvd", ps)
        rs = part_ns(rd, rids, "reset", ps)
        if wb is None or rs is None:
            continue
        meas = d.median_nspp
        if vt == "tdx":
            rest = meas - wb - rs
            total = meas
        else:
            rest = meas
            total = meas + wb + rs
        tb_s = total * (TB // page) / 1e9
        proj.setdefault((vt, ps, trig), []).append((size, d.median_s))
        rows.append([vt, size_str(size), trig, tf.num(meas), tf.num(wb),
                     tf.num(rs), tf.num(rest), _secs(tb_s)])
    if not rows:
        return []
    L += tf.table(hdr, rows, ["l", "r", "l", "r", "r", "r", "r", "r"])
    if any(r[0] != "tdx" for r in rows):
        notes.append("Non-TDX guests do no WBINVD or reset at teardown: for "
                     "them 'rest' is the measured cost and '1 TB s' adds the "
                     "module's WBINVD and reset per page, a projection of a "
                     "TD of that size on this host.")
    if backend != "tdx":
        notes.append(f"WBINVD and reset come from the '{backend}' backend, "
                     "not from SEAMCALL/MOVDIR64B on TDX hardware.")
    notes.append(f"1 TB s = per-page total x 2^{(TB // page).bit_length() - 1}"
                 " pages, one teardown thread.")
    for n in notes:
        L += tf.para(n)
    trend = []
    for (vt, ps, trig), pts in proj.items():
        if len({p[0] for p in pts}) < 2:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        icpt, slope = stats.linfit(xs, ys)
        trend.append(tf.fit(
            f"  {vt} {ps} {trig}: {_secs(slope * TB + icpt)} s at 1 TB "
            f"({tf.num(slope * page * 1e9)} ns/page marginal,"))
        trend.append(tf.fit(
            f"    fit over {size_str(min(xs))}..{size_str(max(xs))}, "
            f"{len(xs)} sizes)"))
    if trend:
        L.append("Measured trend (least squares of seconds vs size, one "
                 "guest):")
        L += trend
    return L


def dat_rows(rd):
    """(config, size_gb, vms, median_s, min_s, max_s) for the plots."""
    out = []
    for k, d in summarize(rd).items():
        out.append((k, k[2] / (1 << 30), k[3], d.median_s, d.min_s,
                    d.max_s))
    return out


# ------------------------------------------------------------ command

def parser():
    p = cli.Parser("teardown", "Write RUN_DIR/teardown-summary.txt from its "
                   "teardown.csv: median seconds over repeats, spread and "
                   "ns/page, and with --baseline the before/after table.")
    p.add_argument("--summary", metavar="RUN_DIR", required=True,
                   help="the run directory to summarise")
    p.add_argument("--baseline", metavar="PATH",
                   help="run directory or teardown.csv of the 'before' "
                        "kernel")
    return p


def _summary(a):
    rd = rundir.load(a.summary)
    if "teardown.csv" not in rd.present:
        raise cli.Refusal(f"{rd.file('teardown.csv')}: missing (no "
                          "teardown in this run directory)")
    print(write_summary(rd, a.baseline))
    return 0


def main(argv=None):
    return cli.run("teardown", parser(), _summary, argv)


if __name__ == "__main__":
    sys.exit(main())

